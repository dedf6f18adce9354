"""Inside the cell: the probe's parts of every equation, gate clamps, input saliency and the recurrent init/scale.

Every number the Cell tab shows comes from these fields, so each is checked against torch's own module or an
independent computation from the weights, and each equation's result against its nonlinearity applied to its sum.
"""

import itertools

import pytest
import torch
from torch import nn

from rnnlab import probe
from rnnlab.config import ModelConfig
from rnnlab.models.network import SequenceModel, init_recurrent
from rnnlab.tasks.base import Batch, ModelSpec

CELLS = {"lstm": lambda **kw: nn.LSTM(**kw), "gru": lambda **kw: nn.GRU(**kw),
         "rnn_tanh": lambda **kw: nn.RNN(nonlinearity="tanh", **kw),
         "rnn_relu": lambda **kw: nn.RNN(nonlinearity="relu", **kw)}
NONLINEARITY = {"i": torch.sigmoid, "f": torch.sigmoid, "o": torch.sigmoid, "r": torch.sigmoid, "z": torch.sigmoid,
                "g": torch.tanh, "n": torch.tanh}


def make(cell, layers=2, bidirectional=True, seed=0, steps=7):
    torch.manual_seed(seed)
    module = CELLS[cell](input_size=3, hidden_size=5, num_layers=layers, bidirectional=bidirectional,
                         batch_first=True)
    return module, torch.randn(4, steps, 3)


def weights(module, layer, direction, gate_index, n_gates):
    sfx = f"_l{layer}" + ("_reverse" if direction else "")
    h = module.hidden_size
    rows = slice(gate_index * h, (gate_index + 1) * h)
    return (getattr(module, "weight_ih" + sfx)[rows], getattr(module, "bias_ih" + sfx)[rows],
            getattr(module, "weight_hh" + sfx)[rows], getattr(module, "bias_hh" + sfx)[rows])


@pytest.mark.parametrize("cell,bidirectional", list(itertools.product(CELLS, (False, True))))
def test_every_part_of_every_equation_comes_from_the_weights(cell, bidirectional):
    """input_part = W_i x_t + b_i, hidden_part = W_h h_{t-1} + b_h (h_{t-1} the state the step read), the gate =
    its nonlinearity of preact, and preact = the parts' sum (GRU n: x part + r * h part)."""
    module, x = make(cell, bidirectional=bidirectional)
    tr = probe.trace(module, x)
    dirs = 2 if bidirectional else 1
    names = probe.ACTIVATED[tr.kind]
    for layer, d in itertools.product(range(2), range(dirs)):
        layer_in = x if layer == 0 else torch.cat([tr.hidden[(0, k)] for k in range(dirs)], dim=2)
        h_prev = tr.h_prev[(layer, d)]
        # the state each step read: zero at the start, then the previous (forward) or next (reverse) step's state
        order = list(range(7)) if d == 0 else list(range(6, -1, -1))
        assert torch.all(h_prev[:, order[0]] == 0)
        for a, b in zip(order, order[1:]):
            assert torch.equal(h_prev[:, b], tr.hidden[(layer, d)][:, a])
        for k, g in enumerate(names):
            w_i, b_i, w_h, b_h = weights(module, layer, d, k, len(names))
            key = (layer, d, g)
            torch.testing.assert_close(tr.input_part[key], layer_in @ w_i.T + b_i, atol=1e-5, rtol=0)
            torch.testing.assert_close(tr.hidden_part[key], h_prev @ w_h.T + b_h, atol=1e-5, rtol=0)
            assert torch.equal(tr.bias_input[key], b_i.detach()) and torch.equal(tr.bias_hidden[key], b_h.detach())
            if g == "n":
                expected_sum = tr.input_part[key] + tr.gates[(layer, d, "r")] * tr.hidden_part[key]
            else:
                expected_sum = tr.input_part[key] + tr.hidden_part[key]
            torch.testing.assert_close(tr.preact[key], expected_sum, atol=1e-6, rtol=0)
            act = NONLINEARITY.get(g) or (torch.tanh if cell == "rnn_tanh" else torch.relu)
            value = tr.gates[key] if g != "h" else tr.hidden[(layer, d)]
            torch.testing.assert_close(value, act(tr.preact[key]), atol=1e-6, rtol=0)
        hidden = tr.hidden[(layer, d)]
        if cell == "lstm":
            g_ = {n: tr.gates[(layer, d, n)] for n in names}
            c_prev = tr.c_prev[(layer, d)]
            torch.testing.assert_close(tr.cell[(layer, d)], g_["f"] * c_prev + g_["i"] * g_["g"], atol=1e-6, rtol=0)
            torch.testing.assert_close(hidden, g_["o"] * torch.tanh(tr.cell[(layer, d)]), atol=1e-6, rtol=0)
        if cell == "gru":
            z, n = tr.gates[(layer, d, "z")], tr.gates[(layer, d, "n")]
            torch.testing.assert_close(hidden, (1 - z) * n + z * h_prev, atol=1e-6, rtol=0)
    # and the top layer is torch's own fused module's output
    torch.testing.assert_close(tr.output, module(x)[0], atol=1e-5, rtol=0)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_every_layer_matches_its_own_fused_module(cell):
    """Layer 0's states equal a one-layer nn module with the same weights: the values below the top are right too."""
    module, x = make(cell, layers=2, bidirectional=False)
    tr = probe.trace(module, x)
    single = CELLS[cell](input_size=3, hidden_size=5, num_layers=1, batch_first=True)
    with torch.no_grad():
        for name, p in single.named_parameters():
            p.copy_(getattr(module, name))
    out, h_n = single(x)
    torch.testing.assert_close(tr.hidden[(0, 0)], out, atol=1e-5, rtol=0)
    if cell == "lstm":
        torch.testing.assert_close(tr.cell[(0, 0)][:, -1], h_n[1][0], atol=1e-5, rtol=0)


def test_lstm_forget_gate_clamped_to_zero_keeps_only_the_new_write():
    module, x = make("lstm", layers=1, bidirectional=False)
    free = probe.trace(module, x)
    tr = probe.trace(module, x, clamp=probe.Clamp("f", 0.0, from_step=3))
    f, i, g = (tr.gates[(0, 0, n)] for n in "fig")
    assert torch.all(f[:, 3:] == 0) and torch.equal(f[:, :3], free.gates[(0, 0, "f")][:, :3])
    torch.testing.assert_close(tr.cell[(0, 0)][:, 3:], (i * g)[:, 3:], atol=1e-6, rtol=0)
    assert torch.equal(tr.cell[(0, 0)][:, :3], free.cell[(0, 0)][:, :3])  # before the clamp: unchanged
    assert torch.equal(tr.preact[(0, 0, "f")][:, :3], free.preact[(0, 0, "f")][:, :3])
    assert tr.clamps == (probe.Clamp("f", 0.0, from_step=3),)


def test_clamp_of_one_unit_leaves_the_others_gate_alone_at_that_step():
    module, x = make("gru", layers=1, bidirectional=False)
    tr = probe.trace(module, x, clamp=probe.Clamp("z", 1.0, unit=2))
    z = tr.gates[(0, 0, "z")]
    assert torch.all(z[:, :, 2] == 1)
    # z = 1 for unit 2 at every step: its state never moves from h_0 = 0
    assert torch.all(tr.hidden[(0, 0)][:, :, 2] == 0)
    torch.testing.assert_close(z[:, :, [0, 1, 3, 4]], torch.sigmoid(tr.preact[(0, 0, "z")])[:, :, [0, 1, 3, 4]])


def test_clamp_dict_shorthand_and_bad_clamps():
    module, x = make("lstm", layers=1, bidirectional=False)
    tr = probe.trace(module, x, clamp={"f": 1.0, "i": 0.0})
    assert torch.all(tr.cell[(0, 0)] == 0)  # nothing written, everything kept: c stays c_0
    with pytest.raises(ValueError, match="gate 'g' of a LSTM.*i, f, o"):
        probe.trace(module, x, clamp={"g": 0.0})
    with pytest.raises(ValueError, match="unit 9"):
        probe.trace(module, x, clamp=probe.Clamp("f", 0.0, unit=9))
    with pytest.raises(ValueError, match="loss_fn"):
        probe.trace(module, x, input_grad=True)


@pytest.mark.parametrize("cell", list(CELLS))
def test_input_gradient_equals_autograd_through_the_fused_module(cell):
    module, x = make(cell, bidirectional=True)
    x = x.clone().requires_grad_(True)
    loss_fn = lambda out, h_n: out[:, -1].pow(2).sum()  # noqa: E731
    loss_fn(*module(x)).backward()
    tr = probe.trace(module, x.detach(), loss_fn=loss_fn, input_grad=True)
    torch.testing.assert_close(tr.input_grad, x.grad, atol=1e-5, rtol=0)
    torch.testing.assert_close(tr.saliency, x.grad.norm(dim=-1), atol=1e-5, rtol=0)
    torch.testing.assert_close(tr.grad_x_input, (x.grad * x.detach()).sum(-1), atol=1e-5, rtol=0)
    assert tr.saliency.shape == (4, 7)


def seq_model(cell, **cfg):
    spec = ModelSpec(head="many_to_one", output_size=3, input_size=2, sequence_length=20)
    torch.manual_seed(0)
    return SequenceModel(ModelConfig(**{"hidden_size": 8, "cell": cell, **cfg}), spec)


def test_a_clamped_model_runs_the_probe_and_only_in_eval_mode():
    m = seq_model("lstm")
    batch = Batch(torch.randn(5, 9, 2), torch.zeros(5, dtype=torch.long))
    with pytest.raises(RuntimeError, match="evaluation"):
        with m.clamped({"f": 0.0}):
            pass
    m.eval()
    with torch.no_grad():
        free = m(batch)[0]
        with m.clamped([probe.Clamp("f", 1.0)]):  # an empty clamp list would run the fused kernel
            same = m(batch)[0]
        with m.clamped({"f": 0.0}):
            shut = m(batch)[0]
        assert m.clamps == ()
        after = m(batch)[0]
    torch.testing.assert_close(after, free)
    assert not torch.allclose(shut, free)
    # f clamped to 1 is a different model than the free one too: c keeps everything
    assert not torch.allclose(same, free)
    # the clamped forward equals the probe's own clamped replay through the head
    tr = probe.trace(m.rnn, batch.x, clamp={"f": 0.0})
    torch.testing.assert_close(shut, m.out(tr.h_n[-1]), atol=1e-6, rtol=0)


def test_model_input_saliency_is_per_sample_and_follows_the_predicted_class():
    m = seq_model("gru")
    x = torch.randn(4, 6, 2)
    batch = Batch(x, torch.zeros(4, dtype=torch.long))
    sal = m.input_saliency(batch)
    assert sal["saliency"].shape == (4, 6) and sal["grad_x_input"].shape == (4, 6)
    # sample 0 alone gives the same row: the gradient of a sample's own output
    alone = m.input_saliency(Batch(x[:1], torch.zeros(1, dtype=torch.long)))
    assert abs(alone["saliency"][0] - sal["saliency"][0]).max() < 1e-6
    assert m.training  # put back as it was
    assert all(p.grad is None for p in m.parameters())


# --- the recurrent weights' initialisation and scale ------------------------------------------------------------


@pytest.mark.parametrize("mode", ["orthogonal", "identity"])
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
def test_orthogonal_and_identity_blocks_have_the_scale_as_spectral_radius(mode, cell):
    m = seq_model(cell, recurrent_init=mode, recurrent_scale=1.5, num_layers=2)
    for name, p in m.rnn.named_parameters():
        if name.startswith("weight_hh"):
            for block in p.detach().split(8, dim=0):
                radius = torch.linalg.eigvals(block.double()).abs()
                assert torch.allclose(radius, torch.full_like(radius, 1.5), atol=1e-5)
                if mode == "identity":
                    assert torch.equal(block, 1.5 * torch.eye(8))


def test_default_init_at_scale_one_draws_nothing_and_a_gain_multiplies():
    torch.manual_seed(0)
    plain = seq_model("lstm").state_dict()
    same = seq_model("lstm", recurrent_init="default", recurrent_scale=1.0).state_dict()
    assert all(torch.equal(plain[k], same[k]) for k in plain)
    scaled = seq_model("lstm", recurrent_scale=0.5).state_dict()
    for k in plain:
        expected = plain[k] * 0.5 if k.startswith("rnn.weight_hh") else plain[k]
        assert torch.equal(scaled[k], expected)


def max_abs_state(nonlinearity, scale, steps=100, seed=0, mode="identity"):
    torch.manual_seed(seed)
    rnn = nn.RNN(2, 32, nonlinearity=nonlinearity, batch_first=True)
    init_recurrent(rnn, mode, scale)
    tr = probe.trace(rnn, torch.rand(8, steps, 2))
    return tr.hidden[(0, 0)].abs().amax(dim=(0, 2))  # max |h_t| over batch and units, for every t


@pytest.mark.parametrize("seed", range(3))
def test_relu_explodes_at_scale_1_5_while_tanh_stays_within_one(seed):
    """The slide's claim: without tanh the values grow without bound; tanh keeps them in (-1, 1). With the identity
    start (Le et al. 2015) at scale 1.5 a ReLU unit with a positive drive grows as 1.5^t (about 1e17 at T = 100).
    An orthogonal start does not show it reliably: ReLU zeroes about half of each rotated state, so its effective
    gain is near 1.5 / sqrt(2)."""
    relu, tanh = max_abs_state("relu", 1.5, seed=seed), max_abs_state("tanh", 1.5, seed=seed)
    assert relu[-1] > 1e3, float(relu[-1])
    assert tanh.max() <= 1.0
    assert relu[-1] > 1e3 * relu[10]  # grows by orders of magnitude over t, not at once
    # at a contracting scale the ReLU RNN stays small too: the scale, not ReLU alone, does it
    assert max_abs_state("relu", 0.5, seed=seed).max() < 10
