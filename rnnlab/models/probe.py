"""The gate probe: replays a fused nn.RNN / nn.LSTM / nn.GRU step by step with the *same* weights.

The fused kernels hide the gates and the gradient that flows back through the recurrence, so the probe unrolls the
recurrence in plain torch ops and keeps every intermediate. Usable on any plain torch module::

    from rnnlab import probe
    tr = probe.trace(lstm, x)                      # tr.output == lstm(x)[0]
    tr.gates[(0, 0, "f")]                          # forget gate of layer 0, forward direction: (batch, time, hidden)
    tr = probe.trace(lstm, x, loss_fn=lambda out, h_n: out[:, -1].pow(2).mean())
    tr.grad_norms[(0, 0)]                          # ||dL/dh_t|| for every t: the vanishing gradient
    tr.preact[(0, 0, "f")]                         # the sum inside f's sigmoid; tr.input_part + tr.hidden_part
    tr = probe.trace(lstm, x, clamp=probe.Clamp("f", 0.0))          # forget gate forced shut: what is lost?
    tr = probe.trace(lstm, x, loss_fn=..., input_grad=True)
    tr.saliency, tr.grad_x_input                   # (batch, time): how much each input step moved the loss

Equations (torch's gate order and symbols, the same the app shows):

    LSTM  i = σ(W_ii x + b_ii + W_hi h + b_hi)     f = σ(W_if x + b_if + W_hf h + b_hf)
          g = tanh(W_ig x + b_ig + W_hg h + b_hg)  o = σ(W_io x + b_io + W_ho h + b_ho)
          c' = f * c + i * g                       h' = o * tanh(c')
    GRU   r = σ(W_ir x + b_ir + W_hr h + b_hr)     z = σ(W_iz x + b_iz + W_hz h + b_hz)
          n = tanh(W_in x + b_in + r * (W_hn h + b_hn))                h' = (1 - z) * n + z * h
    RNN   pre = W_ih x + b_ih + W_hh h + b_hh      h' = tanh(pre) or relu(pre)

For every gate with a nonlinearity the probe keeps its parts: `input_part` = W_i· x + b_i·, `hidden_part` = W_h· h +
b_h· (each bias also alone in `bias_input` / `bias_hidden`), and `preact`, the sum the nonlinearity gets (for the
GRU's n: input_part + r * hidden_part; for the RNN, gate "h"). `h_prev` / `c_prev` are the states each step read.
A `Clamp` replaces a gate's value after its nonlinearity (evaluation only: the probe is how a clamped model runs);
`preact` stays the sum the weights gave, so a clamped step shows what the gate would have been.

The probe runs as in eval mode (no dropout between layers). With `lengths`, it follows packed-sequence semantics: the
state stops at each sequence's end, the reverse direction starts at each sequence's last real step, and outputs at
padded steps are zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import torch
from torch import Tensor, nn
from ..i18n import N_, _, ngettext
from .gatenames import ACTIVATED, CLAMPABLE, GATE_NAMES, GATE_RANGE, GATE_TITLES  # noqa: F401  (the probe's API)


Key = tuple  # (layer, direction) or (layer, direction, gate)


@dataclass(frozen=True)
class Clamp:
    """Force one gate to `value` after its sigmoid: all units or one, every layer/direction or one, from `from_step`
    on (time index t >= from_step, also for the reverse direction). For evaluation: nothing here trains."""

    gate: str
    value: float
    unit: Optional[int] = None  # None: every unit
    layer: Optional[int] = None  # None: every layer
    direction: Optional[int] = None  # None: both directions
    from_step: int = 0

    def applies(self, layer: int, direction: int, t: int) -> bool:
        return ((self.layer is None or self.layer == layer) and (self.direction is None or self.direction == direction)
                and t >= self.from_step)


def as_clamps(clamp) -> tuple[Clamp, ...]:
    """None, a Clamp, a list of them, or {gate: value} (every unit, every step) -> a tuple of Clamps."""
    if clamp is None:
        return ()
    if isinstance(clamp, Clamp):
        return (clamp,)
    if isinstance(clamp, dict):
        return tuple(Clamp(g, float(v)) for g, v in clamp.items())
    return tuple(clamp)


@dataclass
class Trace:
    """Everything the probe saw. Tensors are (batch, time, hidden) whatever the module's batch_first."""

    kind: str  # "LSTM" | "GRU" | "RNN"
    output: Tensor  # same layout as module(x)[0]
    h_n: Tensor  # (layers * directions, batch, hidden), like the module's
    c_n: Optional[Tensor]
    gates: dict[Key, Tensor] = field(default_factory=dict)
    hidden: dict[Key, Tensor] = field(default_factory=dict)
    cell: dict[Key, Tensor] = field(default_factory=dict)
    grad_norms: dict[Key, Tensor] = field(default_factory=dict)  # (time,): ||dL/dh_t|| over batch and units
    loss: Optional[float] = None
    preact: dict[Key, Tensor] = field(default_factory=dict)  # (layer, dir, gate): the nonlinearity's argument
    input_part: dict[Key, Tensor] = field(default_factory=dict)  # W_i· x_t + b_i·
    hidden_part: dict[Key, Tensor] = field(default_factory=dict)  # W_h· h_{t-1} + b_h·
    bias_input: dict[Key, Tensor] = field(default_factory=dict)  # (hidden,): b_i·
    bias_hidden: dict[Key, Tensor] = field(default_factory=dict)  # (hidden,): b_h·
    h_prev: dict[Key, Tensor] = field(default_factory=dict)  # (layer, dir): the state each step read
    c_prev: dict[Key, Tensor] = field(default_factory=dict)  # LSTM only
    clamps: tuple = ()  # the Clamps this trace ran with
    input: Optional[Tensor] = None  # (batch, time, features): what layer 0 read
    input_grad: Optional[Tensor] = None  # with input_grad=True: dL/dx_t, (batch, time, features)

    @property
    def gate_names(self) -> tuple[str, ...]:
        return GATE_NAMES[self.kind]

    @property
    def saliency(self) -> Optional[Tensor]:
        """||dL/dx_t|| over the features: (batch, time). With a loss that sums the samples' outputs, sample b's row
        is how strongly its own output reacts to each of its input steps."""
        return None if self.input_grad is None else self.input_grad.norm(dim=-1)

    @property
    def grad_x_input(self) -> Optional[Tensor]:
        """Gradient x input summed over the features, (batch, time): signed, and zero where the input is zero."""
        return None if self.input_grad is None else (self.input_grad * self.input).sum(dim=-1)


def _kind(module: nn.Module) -> str:
    if isinstance(module, nn.LSTM):
        if module.proj_size:
            raise ValueError(_("the probe does not support LSTM with proj_size > 0"))
        return "LSTM"
    if isinstance(module, nn.GRU):
        return "GRU"
    if isinstance(module, nn.RNN):
        return "RNN"
    raise TypeError(f"probe.trace needs an nn.RNN, nn.LSTM or nn.GRU, got {type(module).__name__}")


def _weights(module: nn.RNNBase, layer: int, direction: int):
    sfx = f"_l{layer}" + ("_reverse" if direction else "")
    w_ih = getattr(module, "weight_ih" + sfx)
    w_hh = getattr(module, "weight_hh" + sfx)
    b_ih = getattr(module, "bias_ih" + sfx) if module.bias else None
    b_hh = getattr(module, "bias_hh" + sfx) if module.bias else None
    return w_ih, w_hh, b_ih, b_hh


def _linear(x: Tensor, w: Tensor, b: Optional[Tensor]) -> Tensor:
    return torch.nn.functional.linear(x, w, b)


def trace(
    module: nn.Module,
    x: Tensor,
    hx=None,
    *,
    lengths: Optional[Tensor] = None,
    loss_fn: Optional[Callable[[Tensor, object], Tensor]] = None,
    clamp=None,
    input_grad: bool = False,
    keep_graph: bool = False,
) -> Trace:
    """Replay `module` on `x` step by step, recording states and gates; with `loss_fn`, also ||dL/dh_t||.

    `loss_fn(output, h_n)` gets what `module(x)` returns (h_n is `(h, c)` for an LSTM) and returns a scalar loss. The
    gradient is taken with torch.autograd.grad, so the module's `.grad` fields are left alone. With `input_grad`,
    also dL/dx_t (`input_grad`, `saliency`, `grad_x_input`). `clamp`: a Clamp, a list of them or {gate: value}.
    Every tensor returned is detached, unless `keep_graph` (the model's clamped forward pass needs its output).
    """
    kind = _kind(module)
    clamps = as_clamps(clamp)
    for c in clamps:
        if c.gate not in CLAMPABLE[kind]:
            allowed = ", ".join(CLAMPABLE[kind]) or "none"
            raise ValueError(_("cannot clamp gate {gate!r} of a {kind}: the gates that can be clamped are {allowed}").format(
                gate=c.gate, kind=kind, allowed=allowed))
        if c.unit is not None and not 0 <= c.unit < module.hidden_size:
            raise ValueError(_("cannot clamp unit {unit}: the layer has units 0 to {last}").format(
                unit=c.unit, last=module.hidden_size - 1))
    if input_grad and loss_fn is None:
        raise ValueError("input_grad needs a loss_fn: the gradient of what with respect to the input?")
    if x.dim() != 3:
        raise ValueError(_("probe.trace needs a batched 3-d input (batch, time, features) or (time, batch, features)"))
    xb = x.transpose(0, 1) if not module.batch_first else x  # work in (batch, time, features)
    batch, steps, _unused = xb.shape
    dirs = 2 if module.bidirectional else 1
    hidden_size = module.hidden_size
    dtype, device = module.weight_hh_l0.dtype, module.weight_hh_l0.device
    xb = xb.to(dtype)
    if input_grad:
        xb = xb.detach().clone().requires_grad_(True)
    mask = None
    if lengths is not None:
        lengths = torch.as_tensor(lengths, device=device)
        mask = (torch.arange(steps, device=device)[None, :] < lengths[:, None]).to(dtype)  # (B, T)

    if hx is None:
        h0 = torch.zeros(module.num_layers * dirs, batch, hidden_size, dtype=dtype, device=device)
        c0 = torch.zeros_like(h0) if kind == "LSTM" else None
    elif kind == "LSTM":
        h0, c0 = hx
    else:
        h0, c0 = hx, None

    grad_enabled = loss_fn is not None or (keep_graph and torch.is_grad_enabled())
    result = Trace(kind=kind, output=xb, h_n=h0, c_n=c0, clamps=clamps, input=xb)
    step_states: dict[Key, list[Tensor]] = {}
    h_finals, c_finals = [], []
    layer_input = xb
    with torch.set_grad_enabled(grad_enabled):
        for layer in range(module.num_layers):
            outputs = []
            for direction in range(dirs):
                idx = layer * dirs + direction
                w_ih, w_hh, b_ih, b_hh = _weights(module, layer, direction)
                x_proj = _linear(layer_input, w_ih, b_ih)  # (B, T, G*H): the input part of every step at once
                h = h0[idx]
                c = c0[idx] if c0 is not None else None
                time_order = range(steps - 1, -1, -1) if direction else range(steps)
                hs: list[Optional[Tensor]] = [None] * steps
                cs: list[Optional[Tensor]] = [None] * steps
                h_in: list[Optional[Tensor]] = [None] * steps
                c_in: list[Optional[Tensor]] = [None] * steps
                gate_steps: dict[str, list[Optional[Tensor]]] = {g: [None] * steps for g in GATE_NAMES[kind]}
                part_steps: dict[str, list[list[Optional[Tensor]]]] = {
                    g: [[None] * steps for _ in range(3)] for g in ACTIVATED[kind]}
                for t in time_order:
                    forced = {c_.gate: c_ for c_ in clamps if c_.applies(layer, direction, t)}
                    h_in[t], c_in[t] = h, c
                    h_new, c_new, gates, parts = _cell_step(kind, module, x_proj[:, t], h, c, w_hh, b_hh, forced)
                    if mask is not None:
                        m = mask[:, t, None]
                        h_new = m * h_new + (1 - m) * h
                        if c is not None:
                            c_new = m * c_new + (1 - m) * c
                        gates = {g: v * m for g, v in gates.items()}
                        parts = {g: tuple(v * m for v in p) for g, p in parts.items()}
                    h, c = h_new, c_new
                    hs[t], cs[t] = h, c
                    for g, v in gates.items():
                        gate_steps[g][t] = v
                    for g, p in parts.items():
                        for j in range(3):
                            part_steps[g][j][t] = p[j]
                step_states[(layer, direction)] = hs
                h_finals.append(h)
                c_finals.append(c)
                out = torch.stack(hs, dim=1)
                if mask is not None:
                    out = out * mask[:, :, None]
                outputs.append(out)
                for g, vals in gate_steps.items():
                    result.gates[(layer, direction, g)] = torch.stack(vals, dim=1)
                bias_i, bias_h = _gate_biases(kind, hidden_size, b_ih, b_hh, w_hh)
                for g, (pre, xpart, hpart) in part_steps.items():
                    key = (layer, direction, g)
                    result.preact[key] = torch.stack(pre, dim=1)
                    result.input_part[key] = torch.stack(xpart, dim=1)
                    result.hidden_part[key] = torch.stack(hpart, dim=1)
                    result.bias_input[key], result.bias_hidden[key] = bias_i[g], bias_h[g]
                result.h_prev[(layer, direction)] = torch.stack(h_in, dim=1)
                if kind == "LSTM":
                    result.cell[(layer, direction)] = torch.stack(cs, dim=1)
                    result.c_prev[(layer, direction)] = torch.stack(c_in, dim=1)
                result.hidden[(layer, direction)] = out
            layer_input = torch.cat(outputs, dim=2) if dirs == 2 else outputs[0]

        output = layer_input if module.batch_first else layer_input.transpose(0, 1)
        h_n = torch.stack(h_finals, dim=0)
        c_n = torch.stack(c_finals, dim=0) if kind == "LSTM" else None
        result.output, result.h_n, result.c_n = output, h_n, c_n

        if loss_fn is not None:
            loss = loss_fn(output, (h_n, c_n) if kind == "LSTM" else h_n)
            keys = list(step_states)
            flat = [h for key in keys for h in step_states[key]]
            grads = torch.autograd.grad(loss, flat + ([xb] if input_grad else []), allow_unused=True)
            if input_grad:
                result.input_grad = grads[-1].detach() if grads[-1] is not None else torch.zeros_like(xb)
            for i, key in enumerate(keys):
                chunk = grads[i * steps:(i + 1) * steps]
                norms = [g.norm() if g is not None else torch.zeros((), dtype=dtype, device=device) for g in chunk]
                result.grad_norms[key] = torch.stack(norms).detach()
            result.loss = float(loss.detach())

    _detach_all(result, keep_output=keep_graph)
    return result


def _gate_biases(kind: str, hidden: int, b_ih, b_hh, w_hh: Tensor):
    """Each gate's two biases as (hidden,) tensors (zeros for a module without bias)."""
    names = ACTIVATED[kind]
    zero = torch.zeros(len(names) * hidden, dtype=w_hh.dtype, device=w_hh.device)
    split = lambda b: dict(zip(names, (zero if b is None else b.detach()).chunk(len(names))))  # noqa: E731
    return split(b_ih), split(b_hh)


def _force(value: Tensor, clamp) -> Tensor:
    """The gate with the clamp's value put in (one unit or all)."""
    if clamp is None:
        return value
    if clamp.unit is None:
        return torch.full_like(value, clamp.value)
    value = value.clone()
    value[:, clamp.unit] = clamp.value
    return value


def _cell_step(kind, module, xp: Tensor, h: Tensor, c, w_hh: Tensor, b_hh, forced=None):
    """One time step of one cell: (h', c', {gate: value after its nonlinearity}, {gate: (preact, x part, h part)}).

    `forced` maps a gate to the Clamp that replaces its value at this step."""
    forced = forced or {}
    hp = _linear(h, w_hh, b_hh)
    if kind == "LSTM":
        xi, xf, xg, xo = xp.chunk(4, dim=1)
        hi, hf, hg, ho = hp.chunk(4, dim=1)
        i = _force(torch.sigmoid(xi + hi), forced.get("i"))
        f = _force(torch.sigmoid(xf + hf), forced.get("f"))
        g = torch.tanh(xg + hg)
        o = _force(torch.sigmoid(xo + ho), forced.get("o"))
        c_new = f * c + i * g
        h_new = o * torch.tanh(c_new)
        parts = {"i": (xi + hi, xi, hi), "f": (xf + hf, xf, hf), "g": (xg + hg, xg, hg), "o": (xo + ho, xo, ho)}
        return h_new, c_new, {"i": i, "f": f, "g": g, "o": o}, parts
    if kind == "GRU":
        xr, xz, xn = xp.chunk(3, dim=1)
        hr, hz, hn = hp.chunk(3, dim=1)
        r = _force(torch.sigmoid(xr + hr), forced.get("r"))
        z = _force(torch.sigmoid(xz + hz), forced.get("z"))
        n_pre = xn + r * hn
        n = torch.tanh(n_pre)
        h_new = (1 - z) * n + z * h
        parts = {"r": (xr + hr, xr, hr), "z": (xz + hz, xz, hz), "n": (n_pre, xn, hn)}
        return h_new, None, {"r": r, "z": z, "n": n}, parts
    pre = xp + hp
    h_new = torch.tanh(pre) if module.nonlinearity == "tanh" else torch.relu(pre)
    return h_new, None, {"pre": pre, "h": h_new}, {"h": (pre, xp, hp)}


def _detach_all(tr: Trace, keep_output: bool = False) -> None:
    if not keep_output:
        tr.output = tr.output.detach()
        tr.h_n = tr.h_n.detach()
        tr.c_n = tr.c_n.detach() if tr.c_n is not None else None
    tr.input = tr.input.detach()
    for d in (tr.gates, tr.hidden, tr.cell, tr.preact, tr.input_part, tr.hidden_part, tr.h_prev, tr.c_prev):
        for k in d:
            d[k] = d[k].detach()
