"""Lesson 5's clamp check: the validation metric with the memory gate forced shut is a number a run measures."""

from __future__ import annotations

from rnnlab import config
from rnnlab.lessons.measure import known_number, numbers_of
from rnnlab.train.trainer import Trainer


def test_the_clamped_metric_is_known_for_the_tasks_own_metric_only():
    assert known_number("val_accuracy_f0", "memory") == ""
    assert known_number("val_accuracy_z0", "memory") == ""
    assert known_number("val_mse_f0", "memory") != ""


def test_a_gated_run_measures_its_metric_with_the_memory_gate_shut_and_training_is_untouched():
    cfg = config.from_dict({"task": {"name": "memory", "options": {"gap": 5, "keys": 3, "train_size": 256}},
                            "model": {"cell": "lstm", "hidden_size": 8, "embedding_size": 4},
                            "training": {"steps": 3}})
    trainer = Trainer(cfg)
    for _snap in trainer.run():
        pass
    before = [p.detach().clone() for p in trainer.model.parameters()]
    numbers = numbers_of(trainer)
    assert 0.0 <= numbers["val_accuracy_f0"] <= 1.0
    assert trainer.model.clamps == () or not trainer.model.clamps  # the clamp ended with the measurement
    assert all((a == b).all() for a, b in zip(before, trainer.model.parameters()))
