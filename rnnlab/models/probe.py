"""The gate probe: replays a fused nn.RNN / nn.LSTM / nn.GRU step by step with the *same* weights.

The fused kernels hide the gates and the gradient that flows back through the recurrence, so the probe unrolls the
recurrence in plain torch ops and keeps every intermediate. Usable on any plain torch module::

    from rnnlab import probe
    tr = probe.trace(lstm, x)                      # tr.output == lstm(x)[0]
    tr.gates[(0, 0, "f")]                          # forget gate of layer 0, forward direction: (batch, time, hidden)
    tr = probe.trace(lstm, x, loss_fn=lambda out, h_n: out[:, -1].pow(2).mean())
    tr.grad_norms[(0, 0)]                          # ||dL/dh_t|| for every t: the vanishing gradient

Equations (torch's gate order and symbols, the same the app shows):

    LSTM  i = σ(W_ii x + b_ii + W_hi h + b_hi)     f = σ(W_if x + b_if + W_hf h + b_hf)
          g = tanh(W_ig x + b_ig + W_hg h + b_hg)  o = σ(W_io x + b_io + W_ho h + b_ho)
          c' = f * c + i * g                       h' = o * tanh(c')
    GRU   r = σ(W_ir x + b_ir + W_hr h + b_hr)     z = σ(W_iz x + b_iz + W_hz h + b_hz)
          n = tanh(W_in x + b_in + r * (W_hn h + b_hn))                h' = (1 - z) * n + z * h
    RNN   pre = W_ih x + b_ih + W_hh h + b_hh      h' = tanh(pre) or relu(pre)

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

GATE_NAMES = {"LSTM": ("i", "f", "g", "o"), "GRU": ("r", "z", "n"), "RNN": ("pre", "h")}
# Which nonlinearity produced each gate: the GUI fixes heatmap colour levels from this ((0, 1) or (-1, 1)).
GATE_RANGE = {"i": (0.0, 1.0), "f": (0.0, 1.0), "o": (0.0, 1.0), "r": (0.0, 1.0), "z": (0.0, 1.0),
              "g": (-1.0, 1.0), "n": (-1.0, 1.0), "h": (-1.0, 1.0), "pre": (-3.0, 3.0)}
GATE_TITLES = {"i": N_("input gate i"), "f": N_("forget gate f"), "g": N_("candidate g"), "o": N_("output gate o"),
               "r": N_("reset gate r"), "z": N_("update gate z"), "n": N_("candidate n"),
               "pre": N_("pre-activation"), "h": N_("activation h")}

Key = tuple  # (layer, direction) or (layer, direction, gate)


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

    @property
    def gate_names(self) -> tuple[str, ...]:
        return GATE_NAMES[self.kind]


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
) -> Trace:
    """Replay `module` on `x` step by step, recording states and gates; with `loss_fn`, also ||dL/dh_t||.

    `loss_fn(output, h_n)` gets what `module(x)` returns (h_n is `(h, c)` for an LSTM) and returns a scalar loss. The
    gradient is taken with torch.autograd.grad, so the module's `.grad` fields are left alone. Every tensor returned
    is detached.
    """
    kind = _kind(module)
    if x.dim() != 3:
        raise ValueError(_("probe.trace needs a batched 3-d input (batch, time, features) or (time, batch, features)"))
    xb = x.transpose(0, 1) if not module.batch_first else x  # work in (batch, time, features)
    batch, steps, _unused = xb.shape
    dirs = 2 if module.bidirectional else 1
    hidden_size = module.hidden_size
    dtype, device = module.weight_hh_l0.dtype, module.weight_hh_l0.device
    xb = xb.to(dtype)
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

    grad_enabled = loss_fn is not None
    result = Trace(kind=kind, output=xb, h_n=h0, c_n=c0)
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
                gate_steps: dict[str, list[Optional[Tensor]]] = {g: [None] * steps for g in GATE_NAMES[kind]}
                for t in time_order:
                    h_new, c_new, gates = _cell_step(kind, module, x_proj[:, t], h, c, w_hh, b_hh)
                    if mask is not None:
                        m = mask[:, t, None]
                        h_new = m * h_new + (1 - m) * h
                        if c is not None:
                            c_new = m * c_new + (1 - m) * c
                        gates = {g: v * m for g, v in gates.items()}
                    h, c = h_new, c_new
                    hs[t], cs[t] = h, c
                    for g, v in gates.items():
                        gate_steps[g][t] = v
                step_states[(layer, direction)] = hs
                h_finals.append(h)
                c_finals.append(c)
                out = torch.stack(hs, dim=1)
                if mask is not None:
                    out = out * mask[:, :, None]
                outputs.append(out)
                for g, vals in gate_steps.items():
                    result.gates[(layer, direction, g)] = torch.stack(vals, dim=1)
                if kind == "LSTM":
                    result.cell[(layer, direction)] = torch.stack(cs, dim=1)
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
            grads = torch.autograd.grad(loss, flat, allow_unused=True)
            for i, key in enumerate(keys):
                chunk = grads[i * steps:(i + 1) * steps]
                norms = [g.norm() if g is not None else torch.zeros((), dtype=dtype, device=device) for g in chunk]
                result.grad_norms[key] = torch.stack(norms).detach()
            result.loss = float(loss.detach())

    _detach_all(result)
    return result


def _cell_step(kind, module, xp: Tensor, h: Tensor, c, w_hh: Tensor, b_hh):
    """One time step of one cell: returns (h', c', {gate: value after its nonlinearity})."""
    hp = _linear(h, w_hh, b_hh)
    if kind == "LSTM":
        xi, xf, xg, xo = xp.chunk(4, dim=1)
        hi, hf, hg, ho = hp.chunk(4, dim=1)
        i = torch.sigmoid(xi + hi)
        f = torch.sigmoid(xf + hf)
        g = torch.tanh(xg + hg)
        o = torch.sigmoid(xo + ho)
        c_new = f * c + i * g
        h_new = o * torch.tanh(c_new)
        return h_new, c_new, {"i": i, "f": f, "g": g, "o": o}
    if kind == "GRU":
        xr, xz, xn = xp.chunk(3, dim=1)
        hr, hz, hn = hp.chunk(3, dim=1)
        r = torch.sigmoid(xr + hr)
        z = torch.sigmoid(xz + hz)
        n = torch.tanh(xn + r * hn)
        h_new = (1 - z) * n + z * h
        return h_new, None, {"r": r, "z": z, "n": n}
    pre = xp + hp
    h_new = torch.tanh(pre) if module.nonlinearity == "tanh" else torch.relu(pre)
    return h_new, None, {"pre": pre, "h": h_new}


def _detach_all(tr: Trace) -> None:
    tr.output = tr.output.detach()
    tr.h_n = tr.h_n.detach()
    tr.c_n = tr.c_n.detach() if tr.c_n is not None else None
    for d in (tr.gates, tr.hidden, tr.cell):
        for k in d:
            d[k] = d[k].detach()
