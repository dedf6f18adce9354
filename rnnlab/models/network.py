"""The network rnnlab trains: torch's fused nn.RNN / nn.LSTM / nn.GRU with a head for each task shape.

    many_to_one    x_1..x_T -> RNN -> final state (both directions) -> Linear -> y        (classify, forecast)
    many_to_many   x_1..x_T -> RNN -> every h_t -> Linear -> y_1..y_T                     (tagging, char model)
    seq2seq        x_1..x_T -> encoder RNN -> final state -> decoder RNN -> y_1..y_U        (dates to ISO)

Training always runs the fused kernels; the probe (`models/probe.py`) replays `self.rnn` with the same weights.
Token inputs use id 0 as padding.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Optional

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..config import ModelConfig
from ..modes import evaluating
from ..tasks.base import Batch, ModelSpec
from . import probe as probe_mod

PAD = 0


def make_rnn(cell: str, input_size: int, hidden_size: int, num_layers: int, bidirectional: bool,
             dropout: float) -> nn.RNNBase:
    common = dict(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers, batch_first=True,
                  bidirectional=bidirectional, dropout=dropout if num_layers > 1 else 0.0)
    if cell == "lstm":
        return nn.LSTM(**common)
    if cell == "gru":
        return nn.GRU(**common)
    return nn.RNN(nonlinearity="relu" if cell == "rnn_relu" else "tanh", **common)


OPEN_GATE_BIAS = 2.0  # sigmoid(2) = 0.88: the state keeps 88% per step at the start instead of 50%


def init_memory_gate(rnn: nn.RNNBase, mode: str, length: int) -> None:
    """Start the gate that keeps the state (LSTM forget gate f, GRU update gate z) open.

    torch's default init puts these gates near sigmoid(0) = 0.5, so at the start a memory halves every step and
    gated cells learn long gaps no better than a vanilla RNN. "open" sets their bias to OPEN_GATE_BIAS (Gers et al.
    2000; Jozefowicz et al. 2015 use 1). "chrono" (Tallec & Ollivier 2018) gives each unit a bias log(u), u ~ U(1,
    length - 1), so the units start with memories of every time scale up to `length`; the LSTM input gate gets minus
    that. Draws from torch's global generator, which the trainer has seeded. Vanilla RNNs have no such gate.
    """
    if mode == "default" or not isinstance(rnn, (nn.LSTM, nn.GRU)):
        return
    h = rnn.hidden_size
    gate = slice(h, 2 * h)  # second block of rows either way: LSTM i, f, g, o; GRU r, z, n
    chrono_lstm = mode == "chrono" and isinstance(rnn, nn.LSTM)
    with torch.no_grad():
        for name, p in rnn.named_parameters():
            if name.startswith("bias_ih"):  # the whole bias goes into the bias_hh half
                p[gate] = 0.0
                if chrono_lstm:
                    p[:h] = 0.0
            elif name.startswith("bias_hh"):
                if mode == "chrono":
                    value = torch.log(1 + torch.rand(h) * max(1, length - 2))
                else:
                    value = torch.full((h,), OPEN_GATE_BIAS)
                p[gate] = value
                if chrono_lstm:
                    p[:h] = -value


def init_recurrent(rnn: nn.RNNBase, mode: str, scale: float) -> None:
    """Draw every W_hh anew: torch's default, orthogonal or identity (Le et al. 2015), then multiply by `scale`.

    `scale` is a gain: each H x H block of W_hh (one per gate) is multiplied by it. For "orthogonal" and "identity"
    the block's eigenvalues all have modulus 1, so the gain is exactly the spectral radius; torch's default
    (uniform in ±1/sqrt(H)) has a spectral radius near 0.58, which the gain multiplies. Above 1 a ReLU RNN's state
    grows geometrically over t and tanh's saturates at ±1: the slide's point that tanh keeps the values bounded.
    Default and 1.0 leave the weights untouched, so the random stream and every older run stay the same.
    """
    if mode == "default" and scale == 1.0:
        return
    h = rnn.hidden_size
    with torch.no_grad():
        for name, p in rnn.named_parameters():
            if not name.startswith("weight_hh"):
                continue
            for block in p.split(h, dim=0):  # one H x H block per gate (i, f, g, o / r, z, n / the RNN's one)
                if mode == "orthogonal":
                    nn.init.orthogonal_(block)
                elif mode == "identity":
                    block.copy_(torch.eye(h, dtype=block.dtype))
                block.mul_(scale)


def final_hidden(h_n, num_layers: int, dirs: int) -> Tensor:
    """The last layer's final state, both directions concatenated: (B, dirs*H). Takes h_n or (h_n, c_n)."""
    h = h_n[0] if isinstance(h_n, tuple) else h_n
    return torch.cat([h[(num_layers - 1) * dirs + d] for d in range(dirs)], dim=1)


class SequenceModel(nn.Module):
    def __init__(self, cfg: ModelConfig, spec: ModelSpec):
        super().__init__()
        self.cfg, self.spec = cfg, spec
        self.dirs = 2 if cfg.bidirectional else 1
        if spec.vocab_size:
            self.embed = nn.Embedding(spec.vocab_size, cfg.embedding_size, padding_idx=PAD)
            in_size = cfg.embedding_size
        else:
            self.embed = None
            in_size = spec.input_size
        self.rnn = make_rnn(cfg.cell, in_size, cfg.hidden_size, cfg.num_layers, cfg.bidirectional, cfg.dropout)
        init_memory_gate(self.rnn, cfg.gate_init, spec.sequence_length or 100)
        init_recurrent(self.rnn, cfg.recurrent_init, cfg.recurrent_scale)
        self.clamps: tuple = ()  # gate clamps for evaluation (`clamped`); empty: the fused kernel runs
        self.drop = nn.Dropout(cfg.dropout)
        width = cfg.hidden_size * self.dirs
        if spec.head == "seq2seq":
            self.target_embed = nn.Embedding(spec.target_vocab_size, cfg.embedding_size)
            self.decoder = make_rnn(cfg.cell, cfg.embedding_size, width, cfg.num_layers, False, cfg.dropout)
            self.out = nn.Linear(width, spec.target_vocab_size)
        else:
            self.out = nn.Linear(width, spec.output_size)

    # --- pieces, also used by the probe and the task views --------------------------------------------------------

    def rnn_input(self, x: Tensor) -> Tensor:
        """What the recurrent layer sees: embedded tokens or the float features."""
        return self.embed(x) if self.embed is not None else x.float()

    def run_rnn(self, inp: Tensor, lengths: Optional[Tensor] = None, hx=None):
        if self.clamps:  # the fused kernel cannot force a gate: the probe replays the same weights with the clamp
            tr = probe_mod.trace(self.rnn, inp, hx, lengths=lengths, clamp=self.clamps, keep_graph=True)
            return tr.output, ((tr.h_n, tr.c_n) if tr.kind == "LSTM" else tr.h_n)
        if lengths is None:
            return self.rnn(inp, hx)
        packed = pack_padded_sequence(inp, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, h_n = self.rnn(packed, hx)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=inp.shape[1])
        return out, h_n

    def head(self, out: Tensor, h_n, batch: Batch) -> Tensor:
        """From the recurrent layer's outputs to the task's output."""
        if self.spec.head == "many_to_one":
            return self.out(self.drop(final_hidden(h_n, self.cfg.num_layers, self.dirs)))
        if self.spec.head == "many_to_many":
            return self.out(self.drop(out))
        dec_out, _ = self.decoder(self.target_embed(batch.y_in), self._decoder_state(h_n))
        return self.out(self.drop(dec_out))

    def forward(self, batch: Batch, hx=None):
        """Returns (output, h_n); h_n lets stateful tasks carry the state into the next chunk."""
        out, h_n = self.run_rnn(self.rnn_input(batch.x), batch.lengths, hx)
        return self.head(out, h_n, batch), h_n

    # --- seq2seq ------------------------------------------------------------------------------------------------

    def _decoder_state(self, h_n):
        """Encoder final state -> decoder initial state: per layer, both directions side by side."""

        def merge(h: Tensor) -> Tensor:
            layers, batch = self.cfg.num_layers, h.shape[1]
            h = h.view(layers, self.dirs, batch, self.cfg.hidden_size)
            return h.permute(0, 2, 1, 3).reshape(layers, batch, self.dirs * self.cfg.hidden_size).contiguous()

        if isinstance(h_n, tuple):
            return tuple(merge(h) for h in h_n)
        return merge(h_n)

    @torch.no_grad()
    def decode_greedy(self, x: Tensor, lengths: Optional[Tensor], max_len: int) -> Tensor:
        """Greedy decoding for evaluation: feed back the most likely token. Returns (B, max_len) token ids."""
        _, h_n = self.run_rnn(self.rnn_input(x), lengths)
        state = self._decoder_state(h_n)
        token = torch.full((x.shape[0], 1), self.spec.start_token, dtype=torch.long, device=x.device)
        result = []
        for _ in range(max_len):
            dec_out, state = self.decoder(self.target_embed(token), state)
            token = self.out(dec_out).argmax(-1)
            result.append(token)
        return torch.cat(result, dim=1)

    # --- interventions and attributions, for the Cell tab and the task views ------------------------------------

    @contextmanager
    def clamped(self, clamps):
        """Inside, the recurrent layer runs with these gates forced (a probe.Clamp, a list, or {gate: value}).

        For evaluation only: refuses to start in training mode, so a clamp can never reach an optimizer step. The
        seq2seq decoder is left alone (the clamp acts on the encoder, the layer the probe shows)."""
        if self.training:
            raise RuntimeError("gate clamps are for evaluation: put the model in eval mode first")
        clamps = probe_mod.as_clamps(clamps)
        previous, self.clamps = self.clamps, clamps
        try:
            yield self
        finally:
            self.clamps = previous

    def input_saliency(self, batch: Batch, target: Optional[Tensor] = None) -> dict:
        """How much each input step moved each sample's output: numpy (batch, time) arrays keyed "saliency"
        (||d out / d x_t||) and "grad_x_input" (gradient x input summed over the features; for tokens, over the
        embedding). `target` picks a class per sample for classifiers (default: the predicted class); regression
        heads use their single output. Many-to-one heads only; runs with the clamps in force."""
        if self.spec.head != "many_to_one":
            raise ValueError("input saliency is defined for one output per sequence (many-to-one tasks)")
        picked = {}

        def output_of(out, h_n):
            y = self.head(out, h_n, batch)
            if y.shape[1] == 1:
                return y.sum()
            cls = target if target is not None else y.argmax(1)
            picked["class"] = cls
            return y.gather(1, cls.to(y.device)[:, None]).sum()

        with evaluating(self, grad=True) as device:
            batch = batch.to(device)
            inp = self.rnn_input(batch.x).detach()
            lengths = batch.lengths.to(device) if batch.lengths is not None else None
            tr = probe_mod.trace(self.rnn, inp, lengths=lengths, loss_fn=output_of, clamp=self.clamps,
                                 input_grad=True)
        return {"saliency": tr.saliency.float().cpu().numpy(), "grad_x_input": tr.grad_x_input.float().cpu().numpy()}

    # --- for the task views ---------------------------------------------------------------------------------------

    def trace_tokens(self, ids) -> dict:
        """Gates, hidden and cell states of one token sequence, as numpy (time, hidden) arrays keyed like the probe's.

        Here rather than in the tasks, which ask for it: the tasks sit below the models and never import them."""
        with evaluating(self) as device:
            x = torch.tensor([list(ids)], dtype=torch.long, device=device)
            tr = probe_mod.trace(self.rnn, self.rnn_input(x), lengths=torch.tensor([len(ids)], device=device))
        first = lambda d: {k: v[0].float().cpu().numpy() for k, v in d.items()}  # noqa: E731
        return {"kind": tr.kind, "gate_names": tr.gate_names, "num_layers": self.rnn.num_layers,
                "num_directions": self.dirs, "gates": first(tr.gates), "hidden": first(tr.hidden),
                "cell": first(tr.cell),
                # so that a view can colour the heatmaps without importing torch
                "gate_levels": {g: probe_mod.GATE_RANGE[g] for g in tr.gate_names},
                "gate_titles": {g: probe_mod.GATE_TITLES[g] for g in tr.gate_names}}

    # --- for the gradient-norm plot -------------------------------------------------------------------------------

    def parameter_groups(self) -> dict[str, list[nn.Parameter]]:
        """Parameters grouped as the gradient-norm plot shows them: embedding, each layer/direction, head."""
        groups: dict[str, list[nn.Parameter]] = {}
        for name, p in self.named_parameters():
            if name.startswith("rnn."):
                suffix = name.rsplit("_l", 1)[1]  # "0", "0_reverse"
                key = "rnn layer " + suffix.replace("_reverse", " (reverse)")
            elif name.startswith(("decoder.", "target_embed.")):
                key = "decoder"
            elif name.startswith("embed."):
                key = "embedding"
            else:
                key = "head"
            groups.setdefault(key, []).append(p)
        return groups
