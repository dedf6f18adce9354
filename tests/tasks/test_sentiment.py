"""Sentiment (many-to-one): split and vocabulary, shapes, padding never changes a prediction, baselines, learning."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from rnnlab import config
from rnnlab.config import ModelConfig
from rnnlab.data.text import UNK
from rnnlab.errors import ConfigError, DataError
from rnnlab.models.network import SequenceModel
from rnnlab.models.probe import trace
from rnnlab.runs.store import open_run, restore_trainer, save_run
from rnnlab.tasks.base import Batch
from rnnlab.tasks.sentiment import CLASSES, SentimentTask, _NaiveBayes
from rnnlab.train.trainer import Trainer


@pytest.fixture(scope="module")
def task():
    return SentimentTask({})


def model_for(task, cell="lstm", bidirectional=False, seed=0):
    torch.manual_seed(seed)
    return SequenceModel(ModelConfig(cell=cell, hidden_size=16, embedding_size=8, bidirectional=bidirectional),
                         task.spec).eval()


@pytest.mark.slow
def test_splits_are_stratified_disjoint_and_fixed(task):
    sizes = {k: len(v) for k, v in task.splits.items()}
    assert sizes == {"train": 8530, "val": 1066, "test": 1066}
    for split in task.splits.values():
        counts = np.bincount(split.targets)
        assert abs(int(counts[0]) - int(counts[1])) <= 1
    as_text = {k: {" ".join(w) for w in v.words} for k, v in task.splits.items()}
    # a handful of snippets occur twice in the data; the splits themselves never share an example index
    assert len(as_text["test"] & as_text["train"]) < 10
    again = SentimentTask({}, seed=7)  # another training seed: the same held-out sentences
    assert again.splits["test"].words == task.splits["test"].words


def test_vocabulary_comes_from_the_training_split_only(task):
    train_words = {w for s in task.splits["train"].words for w in s}
    test_only = {w for s in task.splits["test"].words for w in s} - train_words
    assert len(test_only) > 100
    assert all(task.vocab.id(w) == UNK for w in test_only)
    assert len(task.vocab) == 8000 and task.spec.vocab_size == 8000
    small = SentimentTask({"vocab_size": 500, "min_freq": 3})
    assert len(small.vocab) == 500
    with pytest.raises(ConfigError, match="task.vocab_size"):
        SentimentTask({"vocab_size": 5})


def test_shapes(task):
    gen = torch.Generator().manual_seed(0)
    batch = next(task.train_batches(16, gen))
    assert batch.x.dtype == torch.long and batch.x.shape[0] == 16
    assert batch.lengths.shape == (16,) and int(batch.lengths.max()) == batch.x.shape[1]
    assert batch.y.shape == (16,) and set(batch.y.tolist()) <= {0, 1}
    assert task.spec.head == "many_to_one" and task.spec.output_size == 2
    out, _ = model_for(task)(batch)
    assert out.shape == (16, 2)
    assert task.loss(out, batch).ndim == 0
    probe = task.probe_batch()
    labels = task.step_labels(probe, 0)
    assert len(labels) == probe.x.shape[1]
    n = int(probe.lengths[0])
    assert all(labels[:n]) and not any(labels[n:])
    assert sum(any(w in ("but", "not") for w in task.step_labels(probe, i)) for i in range(len(probe))) >= 6


@pytest.mark.parametrize("cell, bidirectional", [("lstm", False), ("gru", True), ("rnn_tanh", False)])
def test_padding_never_changes_a_prediction(task, cell, bidirectional):
    model = model_for(task, cell, bidirectional)
    short = task.vocab.encode("not bad at all".split())
    long = task.vocab.encode("a long and tedious film that goes on and on without a point .".split())
    alone = model(Batch(torch.tensor([short]), torch.zeros(1, dtype=torch.long), torch.tensor([len(short)])))[0]
    padded_x = torch.tensor([long, short + [0] * (len(long) - len(short))])
    padded = model(Batch(padded_x, torch.zeros(2, dtype=torch.long), torch.tensor([len(long), len(short)])))[0]
    torch.testing.assert_close(padded[1], alone[0], rtol=1e-5, atol=1e-6)
    # without lengths the padding would be read as words: the masking is what makes them equal
    unmasked = model(Batch(padded_x, torch.zeros(2, dtype=torch.long)))[0]
    assert not torch.allclose(unmasked[1], alone[0], atol=1e-4)
    # the probe, given the lengths, sees the same final state
    with torch.no_grad():
        tr = trace(model.rnn, model.rnn_input(padded_x), lengths=torch.tensor([len(long), len(short)]))
        torch.testing.assert_close(model.out(torch.cat([tr.h_n[d] for d in range(model.dirs)], 1))[1], alone[0],
                                   rtol=1e-4, atol=1e-5)


def test_evaluate_returns_only_floats(task):
    model = model_for(task)
    scores = task.evaluate(model, "val")
    assert set(scores) == {"loss", "accuracy", "precision", "recall", "f1"}
    assert all(isinstance(v, float) for v in scores.values())
    assert 0.3 < scores["accuracy"] < 0.7  # an untrained model is near chance
    assert scores["loss"] == pytest.approx(math.log(2), abs=0.05)
    model.train()
    task.evaluate(model, "val")
    assert model.training  # evaluate switches dropout off for itself and restores the mode


def test_majority_baseline(task):
    base = task.baselines("test")
    first = next(iter(base))
    assert first == "majority class (negative)"  # a tie in the balanced training split goes to the first class
    assert base[first]["accuracy"] == pytest.approx(0.5, abs=1e-3)
    assert base[first]["loss"] == pytest.approx(math.log(2))
    assert base[first]["recall"] == 0.0
    skewed = SentimentTask({"train_limit": 101})
    counts = np.bincount(skewed.splits["train"].targets, minlength=2)
    majority = int(counts.argmax())
    b = next(iter(skewed.baselines("val").values()))
    val = np.array(skewed.splits["val"].targets)
    assert b["accuracy"] == pytest.approx(float(np.mean(val == majority)))
    assert b["loss"] == pytest.approx(-np.mean(np.log(counts[val] / counts.sum())))


def test_naive_bayes_on_a_hand_made_corpus():
    nb = _NaiveBayes([["good", "fun"], ["great", "fun"], ["bad", "dull"], ["awful", "dull"]], [1, 1, 0, 0])
    p = nb.probabilities([["good"], ["dull"], ["unseen"], ["fun", "dull"]])
    assert p[0, 1] > 0.5 and p[1, 0] > 0.5
    np.testing.assert_allclose(p[2], [0.5, 0.5])  # no known word: the (balanced) prior
    np.testing.assert_allclose(p[3], [0.5, 0.5])
    # word presence with add-one smoothing: P(good|pos) = 2/6, P(good|neg) = 1/6
    np.testing.assert_allclose(p[0, 1], (2 / 6) / (2 / 6 + 1 / 6))


def test_classify_and_gate_trace(task):
    model = model_for(task, "lstm")
    result = task.classify(model, "It's NOT a zxqwv movie!")
    assert result["tokens"] == ["it's", "not", "a", "zxqwv", "movie", "!"]
    assert result["unknown"] == [False, False, False, True, False, False]
    assert result["label"] in CLASSES and 0.5 <= result["confidence"] <= 1
    assert sum(result["probabilities"].values()) == pytest.approx(1.0)
    tr = task.gate_trace(model, "It's NOT a zxqwv movie!")
    assert tr["kind"] == "LSTM" and tr["gate_names"] == ("i", "f", "g", "o")
    assert tr["gates"][(0, 0, "f")].shape == (6, 16)
    assert tr["hidden"][(0, 0)].shape == (6, 16)
    assert tr["running"].shape == (6, 2)
    # the last running prediction is the model's prediction
    np.testing.assert_allclose(tr["running"][-1, 1], result["probabilities"]["positive"], rtol=1e-4)
    assert task.gate_trace(model_for(task, "gru", True), "fine")["running"] is None
    with pytest.raises(DataError, match="at least one word"):
        task.classify(model, "   ")


def test_view_is_plain_data(task):
    view = task.view(model_for(task))
    assert view["kind"] == "sentiment" and view["classes"] == list(CLASSES)
    assert view["confusion"].shape == (2, 2) and view["confusion"].sum() == 1066
    assert view["accuracy"] == pytest.approx(np.trace(view["confusion"]) / 1066)
    assert view["examples"] and {"text", "true", "predicted", "confidence", "correct"} <= set(view["examples"][0])


@pytest.mark.slow
def test_short_training_on_a_slice_beats_the_majority_baseline():
    cfg = config.from_dict({
        "task": {"name": "sentiment", "options": {"train_limit": 3000, "vocab_size": 3000}},
        "model": {"cell": "gru", "hidden_size": 32, "embedding_size": 32},
        "training": {"steps": 400, "learning_rate": 0.005, "batch_size": 32, "eval_every": 1000,
                     "probe_every": 1000}})
    trainer = Trainer(cfg)
    final = list(trainer.run())[-1]
    majority = final.baselines["majority class (negative)"]["accuracy"]
    assert final.test["accuracy"] > majority + 0.08, final.test


@pytest.mark.slow
def test_saved_run_reopens_with_the_same_vocabulary(tmp_path):
    cfg = config.from_dict({"task": {"name": "sentiment", "options": {"train_limit": 500}},
                            "model": {"cell": "gru", "hidden_size": 8, "embedding_size": 8},
                            "training": {"steps": 5, "eval_every": 100, "probe_every": 100}})
    trainer = Trainer(cfg)
    list(trainer.run())
    path = save_run(trainer, tmp_path / "run")
    restored = restore_trainer(open_run(path))
    assert restored.task.vocab.tokens == trainer.task.vocab.tokens
    assert restored.task.evaluate(restored.model, "test") == trainer.task.evaluate(trainer.model, "test")
    assert restored.last_probe.labels == trainer.last_probe.labels


@pytest.mark.slow
def test_word_dropout_replaces_words_by_unk_never_padding():
    plain = SentimentTask({"word_dropout": 0.0})
    dropped = SentimentTask({"word_dropout": 0.5})
    a = next(plain.train_batches(64, torch.Generator().manual_seed(3)))
    b = next(dropped.train_batches(64, torch.Generator().manual_seed(3)))
    assert torch.equal(a.lengths, b.lengths) and torch.equal(a.y, b.y)  # the same sentences, in the same order
    changed = a.x != b.x
    assert (b.x[changed] == UNK).all()
    real = torch.arange(a.x.shape[1])[None, :] < a.lengths[:, None]
    assert not changed[~real].any()  # padding stays padding
    share = changed.sum().item() / (real & (a.x != UNK)).sum().item()
    assert 0.4 < share < 0.6
    assert dropped.evaluate(model_for(dropped), "val") == plain.evaluate(model_for(plain), "val")  # training only


def test_suggested_settings_are_valid_and_one_directional():
    cfg = config.experiment("sentiment")  # its suggested settings, validated together
    assert not cfg.model.bidirectional  # the per-word P(positive) curve of the view needs one direction
