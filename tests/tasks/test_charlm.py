"""The character model task: vocabulary, TBPTT batching, state carried in evaluation, baselines, sampling."""

from __future__ import annotations

import math
from collections import Counter

import pytest
import torch

from rnnlab import config
from rnnlab.config import ModelConfig
from rnnlab.data.chartext import CharVocab
from rnnlab.errors import ConfigError, DataError
from rnnlab.models.network import SequenceModel
from rnnlab.tasks.charlm import CharLMTask
from rnnlab.train.trainer import Trainer

torch.set_num_threads(1)
SMALL = {"max_chars": 40_000}


@pytest.fixture(scope="module")
def task():
    return CharLMTask(SMALL, seed=0, tbptt=32)


@pytest.fixture(scope="module")
def model(task):
    torch.manual_seed(0)
    return SequenceModel(ModelConfig(cell="lstm", hidden_size=32, embedding_size=8), task.spec).eval()


def test_vocabulary_reserves_padding_and_round_trips():
    vocab = CharVocab.from_text("hello, world\n")
    ids = vocab.encode("low, hell\n")
    assert int(ids.min()) >= 1 and vocab.size == len(set("hello, world\n")) + 1
    assert vocab.decode(ids) == "low, hell\n"
    assert torch.equal(vocab.encode_corpus("hello, world\n"), vocab.encode("hello, world\n"))
    with pytest.raises(ConfigError, match="never seen.*'Z'"):
        vocab.encode("Zebra")


def test_splits_are_contiguous_and_cover_the_text(task):
    text = "".join(task.texts[s] for s in ("train", "val", "test"))
    assert len(text) == SMALL["max_chars"]
    assert len(task.texts["val"]) == len(task.texts["test"]) == 2000
    for split in ("train", "val", "test"):
        assert task.vocab.decode(task.data[split]) == task.texts[split]


def test_train_batches_are_consecutive_chunks_of_parallel_streams(task):
    batches = task.train_batches(4, torch.Generator().manual_seed(1))
    first, second = next(batches), next(batches)
    assert first.x.shape == first.y.shape == (4, 32)
    assert torch.equal(first.y[:, :-1], first.x[:, 1:])  # y is x shifted by one character
    # Chunk k+1 of stream b continues chunk k of stream b: together they are one stretch of the training text.
    for b in range(4):
        joined = task.vocab.decode(torch.cat([first.x[b], second.x[b], second.y[b, -1:]]))
        assert joined in task.texts["train"]
    assert task.train_size == (len(task.data["train"]) - 1) // 32


def test_model_output_shape(task, model):
    batch = next(task.eval_batches("val"))
    out, _ = model(batch)
    assert out.shape == (*batch.x.shape, task.vocab.size)
    assert task.loss(out, batch).ndim == 0


def test_evaluation_carries_the_state_across_chunks(task, model):
    """Chunked evaluation with the state carried equals one uninterrupted pass over each stream."""
    batches = list(task.eval_batches("val"))
    x = torch.cat([b.x for b in batches], dim=1)
    y = torch.cat([b.y for b in batches], dim=1)
    with torch.no_grad():
        out, _ = model.rnn(model.rnn_input(x))
        whole = torch.nn.functional.cross_entropy(model.out(out).reshape(-1, task.vocab.size), y.reshape(-1))
    assert task.evaluate(model, "val")["nats"] == pytest.approx(float(whole), rel=1e-5)


def test_unigram_baseline_matches_counting_by_hand(task):
    ys = task.vocab.decode(torch.cat([b.y.reshape(-1) for b in task.eval_batches("val")]))
    counts = Counter(task.texts["train"])
    total, v = sum(counts.values()), len(task.vocab.chars)
    expected = -sum(math.log((counts[c] + 1) / (total + v)) for c in ys) / len(ys)
    base = task.baselines("val")
    unigram = base["unigram (character frequencies)"]
    assert unigram["nats"] == pytest.approx(expected, rel=1e-9)
    assert unigram["perplexity"] == pytest.approx(math.exp(expected))
    assert unigram["bits"] == pytest.approx(expected / math.log(2))
    assert base["bigram (previous character)"]["nats"] < unigram["nats"]


def test_a_model_that_knows_only_frequencies_scores_the_unigram_baseline(task):
    """Output weights zero and bias = log p(c): evaluate() must then report exactly the unigram cost."""
    m = SequenceModel(ModelConfig(cell="gru", hidden_size=8, embedding_size=4), task.spec).eval()
    with torch.no_grad():
        m.out.weight.zero_()
        m.out.bias.copy_(task._unigram.clamp_min(1e-30).log().float())
    got = task.evaluate(m, "val")["nats"]
    assert got == pytest.approx(task.baselines("val")["unigram (character frequencies)"]["nats"], rel=1e-4)


def test_step_labels_are_the_characters_made_visible(task):
    probe = task.probe_batch()
    labels = task.step_labels(probe, 0)
    assert len(labels) == probe.x.shape[1]
    assert "".join(labels).replace("⏎", "\n").replace("␣", " ") == task.vocab.decode(probe.x[0])


def test_generate_is_reproducible_and_checks_its_input(task, model):
    a = task.generate(model, "First", 50, 1.0, torch.Generator().manual_seed(3))
    b = task.generate(model, "First", 50, 1.0, torch.Generator().manual_seed(3))
    assert a == b and len(a) == 50 and set(a) <= set(task.vocab.chars)
    assert task.generate(model, "First", 20, 0.0) == task.generate(model, "First", 20, 0.0)
    assert task.generate(model, "", 5, 0.5, torch.Generator().manual_seed(0))  # empty prompt starts at a newline
    with pytest.raises(ConfigError, match="temperature"):
        task.generate(model, "First", 10, -1.0)
    with pytest.raises(ConfigError, match="never seen"):
        task.generate(model, "Fürst", 10, 1.0)
    with pytest.raises(ConfigError, match="length"):
        task.generate(model, "First", -5, 1.0)


def test_sample_fixes_the_draws_by_a_plain_seed(task, model):
    """The view sends an int seed and gets a str back: the same draws as generate() with that seed's generator."""
    text = task.sample(model, "First", 40, 1.0, 7)
    assert isinstance(text, str) and text == task.generate(model, "First", 40, 1.0, torch.Generator().manual_seed(7))
    assert task.sample(model, "First", 40, 1.0, 7) == text
    assert task.sample(model, "First", 40, 1.0, 8) != text


def test_generate_leaves_the_global_generator_and_the_mode_alone(task, model):
    """Sampling while a run trains must not change the run: no draws from torch's global generator."""
    model.train()
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    task.generate(model, "First", 30, 1.0)
    assert torch.equal(torch.rand(3), expected)
    assert model.training
    model.eval()


def test_user_text_files_get_clear_errors(tmp_path):
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\xe9\n".encode("latin-1") * 10)
    with pytest.raises(DataError, match="not UTF-8 text.*line 1"):
        CharLMTask({"text_path": str(latin1)})
    short = tmp_path / "short.txt"
    short.write_text("To be or not to be.\n" * 20, encoding="utf-8")
    with pytest.raises(DataError, match="too short"):
        CharLMTask({"text_path": str(short)})
    with pytest.raises(ConfigError, match="task.text_path.*cannot read"):  # found when the config is checked
        CharLMTask({"text_path": str(tmp_path / "missing.txt")})
    good = tmp_path / "good.txt"
    good.write_text("To be or not to be, that is the question.\n" * 200, encoding="utf-8")
    t = CharLMTask({"text_path": str(good)}, tbptt=20)
    assert t.text_title == "good.txt" and t.vocab.size == len(set("To be or not to be, that is the question.\n")) + 1


@pytest.mark.slow
def test_short_training_beats_the_unigram_baseline():
    cfg = config.RunConfig().replace("task.name", "charlm")
    for key, value in (("task.max_chars", 60_000), ("model.hidden_size", 64), ("model.embedding_size", 16),
                       ("training.tbptt", 32), ("training.batch_size", 16), ("training.learning_rate", 0.01),
                       ("training.steps", 150), ("training.eval_every", 150), ("training.probe_every", 150)):
        cfg = cfg.replace(key, value)
    trainer = Trainer(cfg)
    final = list(trainer.run())[-1]
    assert final.status == "finished"
    unigram = final.baselines["unigram (character frequencies)"]["nats"]
    assert final.test["nats"] < unigram - 0.5, (final.test, unigram)
    assert trainer.last_probe.labels[0][0] in trainer.task.vocab.chars + ("⏎", "␣")
    view = trainer.task.view(trainer.model)
    assert view["kind"] == "charlm"
    assert len(view["surprisal"]) == len(view["unigram_surprisal"]) == len(view["snippet"]) - 1
    # the trained model is less surprised by held-out text than character frequencies are
    assert view["surprisal"].mean() < view["unigram_surprisal"].mean()
