"""Remember the first symbol: sequence layout, the gap option, chance baseline, and that an LSTM learns it."""

from __future__ import annotations

import math

import pytest
import torch

from rnnlab import config
from rnnlab.config import ModelConfig
from rnnlab.errors import ConfigError
from rnnlab.models.network import SequenceModel
from rnnlab.tasks.memory import MemoryTask, make_memory
from rnnlab.train.trainer import Trainer

torch.set_num_threads(1)


@pytest.mark.parametrize("gap", [0, 1, 30])
def test_sequences_are_key_then_gap_distractors_then_query(gap):
    task = MemoryTask({"gap": gap, "keys": 3, "distractors": 5})
    b = next(task.train_batches(64, torch.Generator().manual_seed(0)))
    assert b.x.shape == (64, gap + 2) and b.y.shape == (64,)
    assert torch.equal(b.x[:, 0], b.y + 1)  # the key is the first token; its class is its id - 1
    middle = b.x[:, 1:-1]
    assert ((middle >= 4) & (middle <= 8)).all()  # distractors come from their own ids, never a key
    assert (b.x[:, -1] == 9).all()  # the query mark
    assert task.spec.vocab_size == 10 and task.spec.output_size == 3
    labels = task.step_labels(b, 0)
    assert labels[0] in "ABC" and labels[-1] == "?" and all(c in "abcde" for c in labels[1:-1])


def test_every_key_is_about_equally_common():
    b = make_memory(6000, 5, 4, 8, torch.Generator().manual_seed(0))
    counts = torch.bincount(b.y, minlength=4).double() / 6000
    assert torch.allclose(counts, torch.full((4,), 0.25, dtype=torch.float64), atol=0.02)


def test_held_out_sets_depend_on_the_seed_only():
    a, b, c = MemoryTask({}, seed=1), MemoryTask({}, seed=1), MemoryTask({}, seed=2)
    assert torch.equal(a.splits["val"].x, b.splits["val"].x)
    assert not torch.equal(a.splits["val"].x, c.splits["val"].x)
    assert not torch.equal(a.splits["val"].x, a.splits["test"].x)


def test_bad_options_name_the_option():
    with pytest.raises(ConfigError, match="task.gap"):
        MemoryTask({"gap": -1})
    with pytest.raises(ConfigError, match="task.keys"):
        MemoryTask({"keys": 1})


def test_chance_baseline_is_what_a_blind_model_scores():
    """A model whose output ignores the input (all logits equal) scores exactly the chance loss ln K."""
    task = MemoryTask({"gap": 10, "keys": 5})
    model = SequenceModel(ModelConfig(cell="gru", hidden_size=8, embedding_size=4), task.spec).eval()
    with torch.no_grad():
        model.out.weight.zero_()
        model.out.bias.zero_()
    (name, base), = task.baselines("val").items()
    assert base == {"loss": pytest.approx(math.log(5)), "accuracy": pytest.approx(0.2)}
    assert task.evaluate(model, "val")["loss"] == pytest.approx(base["loss"], rel=1e-6)
    # A constant answer is right exactly as often as that key occurs; averaged over the keys that is 1/K.
    y = task.splits["val"].y
    per_key = [float((y == k).double().mean()) for k in range(5)]
    assert sum(per_key) / 5 == pytest.approx(base["accuracy"])


@pytest.mark.slow
def test_short_training_beats_chance():
    cfg = config.RunConfig().replace("task.name", "memory")
    for key, value in (("task.gap", 8), ("model.cell", "gru"), ("model.hidden_size", 32),
                       ("model.embedding_size", 8), ("training.batch_size", 64), ("training.learning_rate", 0.01),
                       ("training.steps", 200), ("training.eval_every", 200), ("training.probe_every", 200)):
        cfg = cfg.replace(key, value)
    trainer = Trainer(cfg)
    final = list(trainer.run())[-1]
    assert final.status == "finished"
    assert final.test["accuracy"] > 0.9, final.test
    assert final.baselines["chance (guessing)"]["accuracy"] == 0.25
    view = trainer.task.view(trainer.model)
    assert view["kind"] == "memory" and len(view["sequences"]) == len(view["predictions"]) == 12
    assert all(len(s) == 10 for s in view["sequences"])
    assert trainer.last_probe.labels[0][-1] == "?"
