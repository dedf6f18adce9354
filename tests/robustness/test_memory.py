"""The memory estimate made before training: its weight count is exact, and it refuses only what cannot fit."""

from __future__ import annotations

import pytest
import torch

from rnnlab import config, tasks
from rnnlab.models.network import SequenceModel
from rnnlab.train import memory
from rnnlab.train.trainer import Trainer


@pytest.mark.slow
@pytest.mark.parametrize("task,model", [
    ("adding", {"cell": "lstm", "hidden_size": 16}),
    ("adding", {"cell": "rnn_tanh", "hidden_size": 5, "num_layers": 3, "bidirectional": True}),
    ("memory", {"cell": "gru", "hidden_size": 7, "num_layers": 2, "embedding_size": 3}),
    ("dates", {"cell": "lstm", "hidden_size": 6, "num_layers": 2, "bidirectional": True}),
    ("forecast", {"cell": "gru", "hidden_size": 9}),
])
def test_the_weight_count_is_the_models_own(task, model):
    cfg = config.from_dict({"task": {"name": task}, "model": model})
    spec = tasks.get(task)(cfg.task.options).spec
    real = sum(p.numel() for p in SequenceModel(cfg.model, spec).parameters())
    assert memory.parameter_count(cfg, spec) == real


def test_the_estimate_is_low_and_grows_with_what_drives_it():
    base = config.from_dict({"task": {"name": "adding", "options": {"length": 100}}})
    spec = tasks.get("adding")(base.task.options).spec
    est = memory.estimate(base, spec, 100)
    wider = memory.estimate(base.replace("model.hidden_size", 128), spec, 100)
    bigger_batch = memory.estimate(base.replace("training.batch_size", 64), spec, 100)
    assert wider.weights > 3 * est.weights and bigger_batch.activations == 2 * est.activations
    # It counts at least what the fused LSTM surely keeps for the backward pass: its four gates at every step.
    h = base.model.hidden_size
    kept = base.training.batch_size * 100 * h * 4 * 4  # the four gates of every step, float32
    assert est.activations >= kept and est.total < 100 * 2**20


def test_a_config_that_fits_trains_and_one_that_cannot_is_refused_naming_its_fields():
    small = config.from_dict({"task": {"name": "adding", "options": {"length": 10}}, "model": {"hidden_size": 8},
                              "training": {"steps": 2}})
    assert Trainer(small).memory.total < 2**20
    huge = small.replace("model.hidden_size", 4096).replace("model.num_layers", 8).replace("model.bidirectional", True)
    available = memory.device_memory(torch.device("cpu"))
    if available and memory.estimate(huge, Trainer(small).task.spec, 10).total > available:
        with pytest.raises(memory.ResourceError, match="model.hidden_size 4096 x model.num_layers 8"):
            Trainer(huge)
