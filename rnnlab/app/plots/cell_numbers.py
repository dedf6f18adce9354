"""The numbers of one cell at one time step, read off a probe: the Cell tab's equations, without Qt.

Nothing is recomputed from weights: every term is the probe's own (probe.Trace's `input_part`, `hidden_part`,
`bias_input`, `bias_hidden`, `preact`, `gates`, `h_prev`, `c_prev`), so stepping through t only indexes arrays,
and the numbers are the ones torch's fused module computed (tests/test_cell_tab.py checks both). The symbols are
the probe docstring's (torch's): W_if x_t + b_if + W_hf h_{t-1} + b_hf, and so on.

    LSTM  i, f, o = σ(W_i· x_t + b_i· + W_h· h_{t-1} + b_h·)    g = tanh(...)
          c_t = f ⊙ c_{t-1} + i ⊙ g                                h_t = o ⊙ tanh(c_t)
    GRU   r, z = σ(...)    n = tanh(W_in x_t + b_in + r ⊙ (W_hn h_{t-1} + b_hn))    h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}
    RNN   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)   (or relu)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Optional

from ...i18n import _

SIGMOID_GATES = ("i", "f", "o", "r", "z")


def sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))


def relu(v: float) -> float:
    return max(0.0, v)


FUNCTIONS: dict[str, Callable[[float], float]] = {"σ": sigmoid, "tanh": math.tanh, "relu": relu, "": lambda v: v}


@dataclass(frozen=True)
class Term:
    """One summand as the equation shows it: its symbol (HTML) and its value (`shown`: how it is written out, when
    it is a product rather than one number)."""

    symbol: str
    value: float
    shown: str = ""


@dataclass(frozen=True)
class Equation:
    """result = func(Σ terms). `func` "" is the identity (the state updates); `clamped`: the value was forced."""

    name: str  # the gate or state: "f", "c", "h" ...
    lhs: str  # HTML, e.g. "f<sub>t</sub>"
    func: str  # "σ" | "tanh" | "relu" | ""
    terms: tuple[Term, ...]
    total: float  # Σ terms, as the probe had it
    result: float
    clamped: bool = False


@dataclass(frozen=True)
class CellStep:
    kind: str
    t: int
    unit: int
    x_label: str
    h_prev: float
    c_prev: Optional[float]
    h: float
    c: Optional[float]
    gates: dict[str, float] = field(default_factory=dict)
    preact: dict[str, float] = field(default_factory=dict)
    equations: tuple[Equation, ...] = ()


def has_parts(probe) -> bool:
    """Whether the probe kept the equations' parts (probes of runs saved before issue 22 did not)."""
    return bool(getattr(probe, "preact", None))


def steps_of(probe, sample: int) -> int:
    """The sample's real steps: a padded step has no equation (its gates are zeroed, not computed)."""
    any_gate = next(iter(probe.gates.values()))
    if sample >= any_gate.shape[0]:
        return 0
    lengths = getattr(probe, "lengths", ())
    steps = int(any_gate.shape[1])
    return min(steps, int(lengths[sample])) if sample < len(lengths) else steps


def _sub(name: str, index: str) -> str:
    return f"{name}<sub>{index}</sub>"


def _w(kind_char: str, gate: str) -> str:
    """W_if, b_hf... in torch's naming; the vanilla RNN's are W_ih, W_hh."""
    return f"{kind_char}{gate}" if gate != "h" else {"i": "ih", "h": "hh"}[kind_char]


def cell_step(probe, layer: int, direction: int, sample: int, unit: int, t: int, nonlinearity: str = "tanh",
              clamped: tuple[str, ...] = ()) -> CellStep:
    """Every number of unit `unit` at step `t`; `clamped` names the gates a clamp forced in this probe."""
    key = (layer, direction)
    at = lambda d, g: float(d[(*key, g)][sample, t, unit])  # noqa: E731
    bias = lambda d, g: float(d[(*key, g)][unit])  # noqa: E731
    kind = probe.kind
    h_prev = float(probe.h_prev[key][sample, t, unit])
    c_prev = float(probe.c_prev[key][sample, t, unit]) if kind == "LSTM" else None
    h = float(probe.hidden[key][sample, t, unit])
    c = float(probe.cell[key][sample, t, unit]) if kind == "LSTM" else None
    x_in = "x<sub>t</sub>" if layer == 0 else "h<sup>(below)</sup><sub>t</sub>"
    names = {"LSTM": ("i", "f", "g", "o"), "GRU": ("r", "z", "n"), "RNN": ("h",)}[kind]
    gates = {g: (at(probe.gates, g) if g != "h" else h) for g in names}
    preact = {g: at(probe.preact, g) for g in names}
    eqs = []
    for g in names:
        bi, bh = bias(probe.bias_input, g), bias(probe.bias_hidden, g)
        wx = at(probe.input_part, g) - bi
        h_part = at(probe.hidden_part, g)
        wh = h_part - bh
        terms = [Term(f"{_sub('W', _w('i', g))}{x_in}", wx), Term(_sub("b", _w("i", g)), bi)]
        if g == "n":
            r = gates["r"]
            terms.append(Term(f"r<sub>t</sub> ⊙ ({_sub('W', 'hn')}h<sub>t−1</sub> + {_sub('b', 'hn')})", r * h_part,
                              f"{fmt(r)} × ({fmt(wh)} + {fmt(bh)})"))
        else:
            terms += [Term(f"{_sub('W', _w('h', g))}h<sub>t−1</sub>", wh), Term(_sub("b", _w("h", g)), bh)]
        func = "σ" if g in SIGMOID_GATES else ("relu" if g == "h" and nonlinearity == "relu" else "tanh")
        forced = g in clamped and abs(FUNCTIONS[func](preact[g]) - gates[g]) > 1e-6  # this unit, this step
        eqs.append(Equation(g, _sub(g, "t"), func, tuple(terms), preact[g], gates[g], forced))
    if kind == "LSTM":
        f, i, g_, o = gates["f"], gates["i"], gates["g"], gates["o"]
        eqs.append(Equation("c", "c<sub>t</sub>", "", (
            Term("f<sub>t</sub> ⊙ c<sub>t−1</sub>", f * c_prev, f"{fmt(f)} × {fmt(c_prev)}"),
            Term("i<sub>t</sub> ⊙ g<sub>t</sub>", i * g_, f"{fmt(i)} × {fmt(g_)}")), f * c_prev + i * g_, c))
        eqs.append(Equation("h", "h<sub>t</sub>", "", (
            Term("o<sub>t</sub> ⊙ tanh(c<sub>t</sub>)", o * math.tanh(c), f"{fmt(o)} × tanh({fmt(c)})"),),
            o * math.tanh(c), h))
    elif kind == "GRU":
        z, n = gates["z"], gates["n"]
        eqs.append(Equation("h", "h<sub>t</sub>", "", (
            Term("(1 − z<sub>t</sub>) ⊙ n<sub>t</sub>", (1 - z) * n, f"(1 − {fmt(z)}) × {fmt(n)}"),
            Term("z<sub>t</sub> ⊙ h<sub>t−1</sub>", z * h_prev, f"{fmt(z)} × {fmt(h_prev)}")),
            (1 - z) * n + z * h_prev, h))
    return CellStep(kind, t, unit, x_in, h_prev, c_prev, h, c, gates, preact, tuple(eqs))


def fmt(v: Optional[float]) -> str:
    """A number as the tab writes it: 3 decimals below 1000, a true minus sign, dot decimals (machine-readable)."""
    if v is None:
        return "–"
    if not math.isfinite(v):
        return "nan" if v != v else ("∞" if v > 0 else "−∞")
    text = f"{v:.3f}" if abs(v) < 1000 else f"{v:.3g}"
    return text.replace("-", "−")


def equation_html(eq: Equation) -> str:
    """One equation with its symbols, then its numbers, then the result: the slides' notation, filled in."""
    symbols = " + ".join(t.symbol for t in eq.terms)
    numbers = " + ".join(t.shown or fmt(t.value) for t in eq.terms).replace("+ −", "− ")
    if eq.func and eq.clamped:  # the weights' value, then the one the clamp put in its place
        natural = FUNCTIONS[eq.func](eq.total)
        line = (f"{eq.lhs} = {eq.func}({symbols})<br>&nbsp;&nbsp;= {eq.func}({numbers})"
                f"<br>&nbsp;&nbsp;= {eq.func}({fmt(eq.total)}) = <s>{fmt(natural)}</s> "
                + _("clamped to {value}").format(value=f"<b>{fmt(eq.result)}</b>"))
    elif eq.func:
        line = (f"{eq.lhs} = {eq.func}({symbols})<br>&nbsp;&nbsp;= {eq.func}({numbers})"
                f"<br>&nbsp;&nbsp;= {eq.func}({fmt(eq.total)}) = <b>{fmt(eq.result)}</b>")
    else:
        line = f"{eq.lhs} = {symbols}<br>&nbsp;&nbsp;= {numbers} = <b>{fmt(eq.result)}</b>"
    return line
