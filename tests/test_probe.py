"""The gate probe replays fused nn.RNN / nn.LSTM / nn.GRU exactly and exposes the gates and dL/dh_t."""

import itertools

import pytest
import torch
from torch import nn

from rnnlab import probe

CELLS = {"lstm": lambda **kw: nn.LSTM(**kw), "gru": lambda **kw: nn.GRU(**kw),
         "rnn_tanh": lambda **kw: nn.RNN(nonlinearity="tanh", **kw),
         "rnn_relu": lambda **kw: nn.RNN(nonlinearity="relu", **kw)}
CASES = list(itertools.product(CELLS, (1, 2, 3), (False, True), (True, False)))


def make(cell, layers, bidirectional, batch_first, dtype=torch.float32, seed=0):
    torch.manual_seed(seed)
    module = CELLS[cell](input_size=3, hidden_size=5, num_layers=layers, bidirectional=bidirectional,
                         batch_first=batch_first).to(dtype)
    x = torch.randn(4, 7, 3, dtype=dtype)
    return module, (x if batch_first else x.transpose(0, 1).contiguous())


def reference_gates(module, x, cell):
    """An independent float64 replay written from the textbook equations, forward direction of layer 0."""
    w_ih, w_hh = module.weight_ih_l0.double(), module.weight_hh_l0.double()
    b_ih, b_hh = module.bias_ih_l0.double(), module.bias_hh_l0.double()
    xs = (x if module.batch_first else x.transpose(0, 1)).double()
    h = torch.zeros(xs.shape[0], module.hidden_size, dtype=torch.float64)
    c = torch.zeros_like(h)
    out = {}
    for t in range(xs.shape[1]):
        a = xs[:, t] @ w_ih.T + b_ih
        b = h @ w_hh.T + b_hh
        if cell == "lstm":
            i, f, g, o = (a + b).chunk(4, 1)
            i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
            c = f * c + i * g
            h = o * torch.tanh(c)
            step = {"i": i, "f": f, "g": g, "o": o}
        elif cell == "gru":
            ar, az, an = a.chunk(3, 1)
            br, bz, bn = b.chunk(3, 1)
            r, z = torch.sigmoid(ar + br), torch.sigmoid(az + bz)
            n = torch.tanh(an + r * bn)
            h = (1 - z) * n + z * h
            step = {"r": r, "z": z, "n": n}
        else:
            pre = a + b
            h = torch.tanh(pre) if cell == "rnn_tanh" else torch.relu(pre)
            step = {"pre": pre, "h": h}
        for name, v in step.items():
            out.setdefault(name, []).append(v)
    return {k: torch.stack(v, 1) for k, v in out.items()}


@pytest.mark.parametrize("cell,layers,bidirectional,batch_first", CASES)
def test_output_and_final_state_match_fused_module(cell, layers, bidirectional, batch_first):
    module, x = make(cell, layers, bidirectional, batch_first)
    expected, h_n = module(x)
    tr = probe.trace(module, x)
    torch.testing.assert_close(tr.output, expected, atol=1e-5, rtol=0)
    if cell == "lstm":
        torch.testing.assert_close(tr.h_n, h_n[0], atol=1e-5, rtol=0)
        torch.testing.assert_close(tr.c_n, h_n[1], atol=1e-5, rtol=0)
    else:
        torch.testing.assert_close(tr.h_n, h_n, atol=1e-5, rtol=0)
    dirs = 2 if bidirectional else 1
    assert set(tr.hidden) == {(layer, d) for layer in range(layers) for d in range(dirs)}
    for (layer, d, gate), value in tr.gates.items():
        assert value.shape == (4, 7, 5)
        assert gate in probe.GATE_NAMES[tr.kind]


@pytest.mark.parametrize("cell,layers,bidirectional,batch_first", CASES)
def test_gates_match_float64_reference(cell, layers, bidirectional, batch_first):
    module, x = make(cell, layers, bidirectional, batch_first)
    ref = reference_gates(module, x, cell)
    tr = probe.trace(module, x)
    for name, expected in ref.items():
        torch.testing.assert_close(tr.gates[(0, 0, name)].double(), expected, atol=1e-5, rtol=0)
    # the probe itself in float64 agrees with the float64 reference to near machine precision
    tr64 = probe.trace(module.double(), x.double())
    for name, expected in ref.items():
        torch.testing.assert_close(tr64.gates[(0, 0, name)], expected, atol=1e-12, rtol=0)


@pytest.mark.parametrize("cell", CELLS)
def test_lstm_hidden_equals_gate_equations(cell):
    module, x = make(cell, 2, True, True)
    tr = probe.trace(module, x)
    if cell == "lstm":
        for key in tr.hidden:
            o = tr.gates[(*key, "o")]
            torch.testing.assert_close(tr.hidden[key], o * torch.tanh(tr.cell[key]))
    # the top layer's hidden states, both directions side by side, are the module's output
    top = torch.cat([tr.hidden[(1, 0)], tr.hidden[(1, 1)]], dim=2)
    torch.testing.assert_close(top, module(x)[0], atol=1e-5, rtol=0)


@pytest.mark.parametrize("cell", CELLS)
def test_lengths_follow_packed_sequence_semantics(cell):
    module, x = make(cell, 2, True, True)
    lengths = torch.tensor([7, 4, 1, 6])
    packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    out, h_n = module(packed)
    out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=7)
    tr = probe.trace(module, x, lengths=lengths)
    torch.testing.assert_close(tr.output, out, atol=1e-5, rtol=0)
    torch.testing.assert_close(tr.h_n, h_n[0] if cell == "lstm" else h_n, atol=1e-5, rtol=0)


@pytest.mark.parametrize("cell,layers,bidirectional", [("lstm", 1, False), ("gru", 2, True), ("rnn_tanh", 2, False)])
@pytest.mark.parametrize("t", [0, 3, 6])
def test_gradient_through_time_matches_finite_differences(cell, layers, bidirectional, t):
    """||dL/dh_t|| is the total derivative (back through the recurrence and the layers above), not the direct part."""
    module, x = make(cell, layers, bidirectional, True, dtype=torch.float64)
    x = x[:1]  # one sample: the norm over (batch, hidden) is the norm of one gradient vector
    loss_fn = lambda out, h_n: out[:, -1].pow(2).sum()  # noqa: E731  loss only at the last step
    tr = probe.trace(module, x, loss_fn=loss_fn)
    eps = 1e-6
    fd = torch.tensor([(_loss_with_nudge(module, x, t, unit, eps, loss_fn) - tr.loss) / eps
                       for unit in range(module.hidden_size)], dtype=torch.float64)
    torch.testing.assert_close(tr.grad_norms[(0, 0)][t], fd.norm(), atol=1e-4, rtol=1e-4)
    assert tr.grad_norms[(0, 0)].shape == (7,)


def _loss_with_nudge(module, x, t, unit, eps, loss_fn):
    """The loss with unit `unit` of layer 0's forward state at step t nudged by eps (the rest replayed)."""
    original = probe._cell_step
    calls = {"n": 0}

    def nudge(kind, mod, xp, h, c, w_hh, b_hh, forced=None):
        h_new, c_new, gates, parts = original(kind, mod, xp, h, c, w_hh, b_hh, forced)
        if calls["n"] == t:
            h_new = h_new.clone()
            h_new[:, unit] += eps
        calls["n"] += 1
        return h_new, c_new, gates, parts

    probe._cell_step = nudge
    try:
        return probe.trace(module, x, loss_fn=loss_fn).loss
    finally:
        probe._cell_step = original


def test_probe_leaves_parameter_grads_alone():
    module, x = make("lstm", 1, False, True)
    probe.trace(module, x, loss_fn=lambda out, h_n: out.sum())
    assert all(p.grad is None for p in module.parameters())


def test_vanishing_gradient_is_visible_for_a_contracting_tanh_rnn():
    """Small recurrent weights: ||dL/dh_t|| shrinks geometrically away from the loss at the last step."""
    torch.manual_seed(0)
    rnn = nn.RNN(2, 16, batch_first=True)
    with torch.no_grad():
        rnn.weight_hh_l0.mul_(0.3)
    x = torch.randn(8, 40, 2)
    norms = probe.trace(rnn, x, loss_fn=lambda out, h_n: out[:, -1].sum()).grad_norms[(0, 0)]
    assert norms[0] < 1e-6 * norms[-1]
    assert torch.all(norms[1:] >= norms[:-1])


def test_rejects_what_it_cannot_replay():
    with pytest.raises(TypeError, match="nn.RNN, nn.LSTM or nn.GRU"):
        probe.trace(nn.Linear(3, 3), torch.randn(2, 3, 3))
    with pytest.raises(ValueError, match="proj_size"):
        probe.trace(nn.LSTM(3, 5, proj_size=2), torch.randn(4, 2, 3))
