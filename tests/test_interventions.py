"""Gate clamps and input saliency on trained models: the issue-22 claims, with numbers (short trainings, slow)."""

import numpy as np
import pytest
import torch

from rnnlab.tasks.base import Batch
from rnnlab.train.trainer import Trainer

from helpers import configured

pytestmark = pytest.mark.slow  # every test here takes seconds (real training, processes)


def train(task: str, cell: str, steps: int, options: dict, **model) -> Trainer:
    cfg = configured(task, {**{f"task.{k}": v for k, v in options.items()}, "model.cell": cell,
                            **{f"model.{k}": v for k, v in model.items()}},
                     steps=steps, learning_rate=0.01, device="cpu", threads=1, eval_every=steps, probe_every=steps)
    trainer = Trainer(cfg)
    for _ in trainer.run():
        pass
    return trainer


def test_memory_lstm_falls_to_chance_with_its_forget_gate_shut_and_keeps_it_when_held_open():
    trainer = train("memory", "lstm", 150, {"gap": 10}, hidden_size=16, embedding_size=8, gate_init="chrono")
    model, task = trainer.model, trainer.task
    model.eval()
    free = task.evaluate(model, "val")["accuracy"]
    with model.clamped({"f": 0.0}):  # from the first step: the key is dropped at the first distractor
        shut = task.evaluate(model, "val")["accuracy"]
    with model.clamped({"f": 1.0}):
        held = task.evaluate(model, "val")["accuracy"]
    chance = 1 / task.opts["keys"]
    assert free >= 0.98, free
    assert abs(shut - chance) <= 0.1, (shut, chance)
    assert held >= 0.9, held
    assert task.evaluate(model, "val")["accuracy"] == free  # the clamp is gone afterwards
    with pytest.raises(RuntimeError, match="evaluation"):
        model.train()
        with model.clamped({"f": 0.0}):
            pass


def top2_on_markers(trainer: Trainer, n: int = 200) -> float:
    data = trainer.task.splits["val"]
    saliency = trainer.model.input_saliency(Batch(data.x[:n], data.y[:n]))["saliency"]
    top2 = np.argsort(-saliency, axis=1)[:, :2]
    markers = data.x[:n, :, 1].numpy()
    return float(np.mean([markers[i, top2[i]].sum() == 2 for i in range(n)]))


def test_adding_lstm_saliency_peaks_at_the_markers_a_vanilla_rnns_does_not():
    torch.manual_seed(0)
    lstm = train("adding", "lstm", 400, {"length": 20}, hidden_size=24)
    rnn = train("adding", "rnn_tanh", 400, {"length": 20}, hidden_size=24)
    lstm_hits, rnn_hits = top2_on_markers(lstm), top2_on_markers(rnn)
    assert lstm_hits >= 0.9, lstm_hits
    assert rnn_hits < 0.5, rnn_hits
