"""The network: heads for each task shape, and the memory-gate initialisations."""

import pytest
import torch

from rnnlab.config import ModelConfig
from rnnlab.models.network import OPEN_GATE_BIAS, SequenceModel
from rnnlab.tasks.base import Batch, ModelSpec


def model(head="many_to_one", **cfg):
    spec = ModelSpec(head=head, output_size=3, input_size=2, sequence_length=50)
    return SequenceModel(ModelConfig(**{"hidden_size": 8, **cfg}), spec)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_open_gate_init_starts_the_memory_gate_near_sigmoid_2(cell):
    torch.manual_seed(0)
    m = model(cell=cell, gate_init="open", num_layers=2, bidirectional=True)
    h = 8
    for name, p in m.rnn.named_parameters():
        if name.startswith("bias_hh"):
            assert torch.all(p[h:2 * h] == OPEN_GATE_BIAS)
        if name.startswith("bias_ih"):
            assert torch.all(p[h:2 * h] == 0)
    # the probe sees it: at the start the forget / update gate is about 0.88 on average
    from rnnlab import probe

    tr = probe.trace(m.rnn, torch.zeros(4, 10, 2))
    gate = "f" if cell == "lstm" else "z"
    assert tr.gates[(0, 0, gate)].mean() > 0.8


def test_chrono_init_spreads_time_scales_up_to_the_sequence_length():
    torch.manual_seed(0)
    m = model(cell="lstm", gate_init="chrono", hidden_size=64)
    f_bias = m.rnn.bias_hh_l0[64:128] + m.rnn.bias_ih_l0[64:128]
    i_bias = m.rnn.bias_hh_l0[:64] + m.rnn.bias_ih_l0[:64]
    assert torch.all(f_bias >= 0) and torch.all(f_bias <= torch.log(torch.tensor(49.0)))
    assert f_bias.max() > 2.5  # some units remember for tens of steps
    torch.testing.assert_close(i_bias, -f_bias)


def test_vanilla_rnn_ignores_gate_init():
    torch.manual_seed(0)
    a = model(cell="rnn_tanh").state_dict()
    torch.manual_seed(0)
    b = model(cell="rnn_tanh", gate_init="open").state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_many_to_one_reads_both_final_states(bidirectional):
    torch.manual_seed(0)
    m = model(cell="gru", bidirectional=bidirectional, num_layers=2).eval()
    x = torch.randn(5, 7, 2)
    out, h_n = m(Batch(x, torch.zeros(5, 3)))
    assert out.shape == (5, 3)
    seq_out, _ = m.rnn(x)
    top = torch.cat([seq_out[:, -1, :8], seq_out[:, 0, 8:]], dim=1) if bidirectional else seq_out[:, -1]
    torch.testing.assert_close(out, m.out(top))


def test_padding_never_changes_a_prediction():
    torch.manual_seed(0)
    spec = ModelSpec(head="many_to_one", output_size=2, vocab_size=20)
    m = SequenceModel(ModelConfig(cell="lstm", hidden_size=8, bidirectional=True), spec).eval()
    tokens = torch.tensor([[5, 6, 7]])
    padded = torch.tensor([[5, 6, 7, 0, 0, 0], [1, 2, 3, 4, 5, 6]])
    alone, _ = m(Batch(tokens, torch.zeros(1), lengths=torch.tensor([3])))
    batched, _ = m(Batch(padded, torch.zeros(2), lengths=torch.tensor([3, 6])))
    torch.testing.assert_close(batched[0], alone[0])


def test_seq2seq_teacher_forcing_and_greedy_decoding_shapes():
    spec = ModelSpec(head="seq2seq", output_size=0, vocab_size=12, target_vocab_size=9, start_token=1)
    m = SequenceModel(ModelConfig(cell="lstm", hidden_size=8, bidirectional=True, num_layers=2), spec).eval()
    x = torch.randint(1, 12, (3, 6))
    y_in = torch.randint(1, 9, (3, 4))
    out, _ = m(Batch(x, torch.zeros(3, 4, dtype=torch.long), y_in=y_in))
    assert out.shape == (3, 4, 9)
    decoded = m.decode_greedy(x, None, 5)
    assert decoded.shape == (3, 5) and decoded.max() < 9
