"""How much memory a config needs to train, estimated before anything is allocated, and how much the device has.

A config can be within every rule and still need more memory than any machine holds (hidden 4096 x 8 layers
bidirectional; batch 65536 x 2000 steps). Without a check, torch fails deep in its allocator with a traceback, or
the machine swaps for minutes first. The estimate is deliberately low (it counts only what training surely keeps),
so a refusal is certain to be right::

    weights   P floats, + their gradients, + the optimizer's state (Adam 2 P, RMSprop 1-2 P, SGD 0-1 P)
    activations  what the fused kernel keeps for the backward pass: B x T x layers x directions x H x (gates + 1)
                 + the inputs B x T x I, + for per-step outputs the logits and their gradient B x T x V x 2

P is counted from the config and the task's model spec exactly as `SequenceModel` builds it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from ..config import RunConfig
from ..errors import ResourceError
from ..tasks.base import ModelSpec
from ..i18n import N_, _, ngettext

FLOAT = 4  # bytes: everything trains in float32
GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}


def _rnn_params(cell: str, inputs: int, hidden: int, layers: int, dirs: int) -> int:
    g = GATES[cell]
    total = 0
    for layer in range(layers):
        width = inputs if layer == 0 else dirs * hidden
        total += dirs * (g * hidden * (width + hidden) + 2 * g * hidden)
    return total


def parameter_count(cfg: RunConfig, spec: ModelSpec) -> int:
    """The number of weights `SequenceModel(cfg.model, spec)` will have."""
    m = cfg.model
    dirs = 2 if m.bidirectional else 1
    inputs = m.embedding_size if spec.vocab_size else spec.input_size
    total = spec.vocab_size * m.embedding_size + _rnn_params(m.cell, inputs, m.hidden_size, m.num_layers, dirs)
    width = dirs * m.hidden_size
    if spec.head == "seq2seq":
        total += spec.target_vocab_size * m.embedding_size
        total += _rnn_params(m.cell, m.embedding_size, width, m.num_layers, 1)
        total += (width + 1) * spec.target_vocab_size
    else:
        total += (width + 1) * spec.output_size
    return total


@dataclass(frozen=True)
class Estimate:
    """A low estimate of the bytes one training step needs, split by what drives it."""

    weights: int  # parameters, gradients and optimizer state
    activations: int  # kept for the backward pass
    parameters: int  # number of weights
    steps: int  # time steps per sequence the estimate assumed

    @property
    def total(self) -> int:
        return self.weights + self.activations


def estimate(cfg: RunConfig, spec: ModelSpec, steps: int) -> Estimate:
    """Bytes a training step of `cfg` needs at least, for sequences of `steps` time steps."""
    m, t = cfg.model, cfg.training
    params = parameter_count(cfg, spec)
    states = {"adam": 2, "rmsprop": 1 + (t.momentum > 0), "sgd": int(t.momentum > 0)}[t.optimizer]
    weights = params * FLOAT * (2 + states)
    dirs = 2 if m.bidirectional else 1
    steps = max(1, steps)
    per_step = m.num_layers * dirs * m.hidden_size * (GATES[m.cell] + 1)
    per_step += m.embedding_size if spec.vocab_size else spec.input_size
    if spec.head != "many_to_one":
        per_step += 2 * (spec.target_vocab_size if spec.head == "seq2seq" else spec.output_size)
    activations = t.batch_size * steps * per_step * FLOAT
    return Estimate(weights, activations, params, steps)


def device_memory(device: torch.device) -> int:
    """Bytes the device can hold at most (GPU memory, or this machine's RAM within its container's limit); 0 =
    unknown (then nothing is refused in advance)."""
    if device.type == "cuda":
        try:
            return int(torch.cuda.get_device_properties(device).total_memory)
        except (RuntimeError, AssertionError):
            return 0
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not on this platform (Windows)
        return 0
    try:  # a container (cgroup v2) may allow less than the machine has
        limit = open("/sys/fs/cgroup/memory.max").read().strip()
        if limit.isdigit():
            total = min(total, int(limit))
    except OSError:
        pass
    return int(total)


def gib(n: float) -> str:
    return f"{n / 2**30:.1f} GiB" if n < 100 * 2**30 else f"{n / 2**30:.0f} GiB"


def describe(cfg: RunConfig, est: Estimate) -> str:
    """What drives the estimate, naming the fields to change."""
    m, t = cfg.model, cfg.training
    if est.weights >= est.activations:
        layout = f"model.hidden_size {m.hidden_size} x model.num_layers {m.num_layers}" + \
                 (", bidirectional" if m.bidirectional else "")
        return (f"{est.parameters / 1e6:,.0f} million weights ({layout}) with their gradients and {t.optimizer} "
                f"state take {gib(est.weights)}; lower model.hidden_size or model.num_layers")
    return (f"the activations of training.batch_size {t.batch_size} x {est.steps} time steps x "
            f"model.hidden_size {m.hidden_size} x {m.num_layers} layer(s) take {gib(est.activations)}; lower "
            f"training.batch_size, the sequence length or model.hidden_size")


def check(cfg: RunConfig, spec: ModelSpec, steps: int, device: torch.device) -> Estimate:
    """The estimate; ResourceError when it is more than the device holds."""
    est = estimate(cfg, spec, steps)
    available = device_memory(device)
    if available and est.total > available:
        where = "this computer has" if device.type != "cuda" else f"{device} has"
        raise ResourceError(_("This config needs at least {gib} of memory to train and {where} {gib2}: {describe}.").format(gib=gib(est.total), where=where, gib2=gib(available), describe=describe(cfg, est)))
    return est


def is_out_of_memory(exc: BaseException) -> bool:
    """True for the ways torch and Python report a failed allocation."""
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":
        return True
    text = str(exc)
    return isinstance(exc, RuntimeError) and ("out of memory" in text or "can't allocate memory" in text
                                              or "not enough memory" in text)
