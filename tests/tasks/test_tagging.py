"""Tagging (many-to-many aligned): shapes, padding masked out of loss and metric, the baseline, learning."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from rnnlab import config
from rnnlab.config import ModelConfig
from rnnlab.errors import ConfigError, DataError
from rnnlab.models.network import SequenceModel
from rnnlab.tasks._words import IGNORE
from rnnlab.tasks.base import Batch
from rnnlab.tasks.tagging import TAGS, TaggingTask, most_frequent_tags
from rnnlab.train.trainer import Trainer


@pytest.fixture(scope="module")
def task():
    return TaggingTask({})


def model_for(task, cell="lstm", bidirectional=True, seed=0):
    torch.manual_seed(seed)
    return SequenceModel(ModelConfig(cell=cell, hidden_size=16, embedding_size=8, bidirectional=bidirectional),
                         task.spec).eval()


# A tiny hand-made corpus for the baseline. Overall: VERB 4, AUX 3, NOUN 2, PRON 2, ... "can" is AUX twice and NOUN
# once; "fish" is VERB once and NOUN once (a tie, broken by the tag more frequent overall: VERB).
WORDS = [["I", "can", "fish"], ["the", "can", "is", "empty"], ["they", "can", "swim"], ["fish", "swim", "well"],
         ["run"]]
TAGSETS = [["PRON", "AUX", "VERB"], ["DET", "NOUN", "AUX", "ADJ"], ["PRON", "AUX", "VERB"], ["NOUN", "VERB", "ADV"],
           ["VERB"]]


def test_most_frequent_tag_per_word_on_a_hand_made_corpus():
    table, default = most_frequent_tags(WORDS, TAGSETS)
    assert table["can"] == "AUX"
    assert table["I"] == "PRON" and table["swim"] == "VERB" and table["the"] == "DET"
    assert table["fish"] == "VERB"
    assert default == "VERB"  # for words never seen in training
    assert len(table) == 10


def test_baseline_ties_are_decided_by_overall_frequency_then_alphabet():
    table, default = most_frequent_tags([["a", "b", "b", "c"]], [["X", "NOUN", "VERB", "NOUN"]])
    assert default == "NOUN"
    assert table["b"] == "NOUN"  # NOUN (2 overall) beats VERB (1 overall)
    table, default = most_frequent_tags([["a", "b"]], [["VERB", "ADJ"]])
    assert default == "ADJ"  # equal counts: alphabetical


def test_baseline_score_on_the_real_split_equals_a_direct_count(task):
    train = task.sentences["train"]
    counts: dict[str, dict[str, int]] = {}
    overall: dict[str, int] = {}
    for s in train:
        for w, t in zip(s.words, s.upos):
            counts.setdefault(w.lower(), {}).setdefault(t, 0)
            counts[w.lower()][t] += 1
            overall[t] = overall.get(t, 0) + 1
    top = max(overall, key=overall.get)
    right = total = 0
    for s in task.sentences["test"]:
        for w, t in zip(s.words, s.upos):
            c = counts.get(w.lower())
            guess = max(c, key=lambda k: (c[k], overall[k])) if c else top
            right += guess == t
            total += 1
    base = task.baselines("test")["most frequent tag per word"]
    assert top == "NOUN" and task.default_tag == "NOUN"
    assert base["accuracy"] == pytest.approx(right / total, abs=2e-3)
    assert 0.78 < base["accuracy"] < 0.88


def test_splits_and_shapes(task):
    assert {k: len(v) for k, v in task.splits.items()} == {"train": 1601, "val": 200, "test": 200}
    assert task.spec.head == "many_to_many" and task.spec.output_size == len(TAGS) == 17
    gen = torch.Generator().manual_seed(0)
    batch = next(task.train_batches(8, gen))
    assert batch.x.shape == batch.y.shape and batch.x.shape[0] == 8
    for i, n in enumerate(batch.lengths.tolist()):
        assert (batch.y[i, :n] >= 0).all() and (batch.y[i, n:] == IGNORE).all()
        assert (batch.x[i, n:] == 0).all() and (batch.x[i, :n] > 0).all()
    out, _ = model_for(task)(batch)
    assert out.shape == (8, batch.x.shape[1], 17)
    probe = task.probe_batch()
    assert len(task.step_labels(probe, 0)) == probe.x.shape[1]


@pytest.mark.parametrize("cell, bidirectional", [("lstm", True), ("gru", False), ("rnn_tanh", True)])
def test_padding_never_changes_a_prediction(task, cell, bidirectional):
    model = model_for(task, cell, bidirectional)
    short = task.vocab.encode("The cat sat .".split())
    long = task.vocab.encode("A much longer sentence with many more words than the first one .".split())
    alone = model(Batch(torch.tensor([short]), torch.zeros(1, 4, dtype=torch.long), torch.tensor([4])))[0]
    x = torch.tensor([long, short + [0] * (len(long) - 4)])
    padded = model(Batch(x, torch.zeros_like(x), torch.tensor([len(long), 4])))[0]
    torch.testing.assert_close(padded[1, :4], alone[0], rtol=1e-5, atol=1e-6)
    if bidirectional:  # without lengths the backward pass would start on the padding
        unmasked = model(Batch(x, torch.zeros_like(x)))[0]
        assert not torch.allclose(unmasked[1, :4], alone[0], atol=1e-4)


def test_loss_and_accuracy_leave_padding_out(task):
    torch.manual_seed(0)
    y = torch.tensor([[1, 2, 3], [4, IGNORE, IGNORE]])
    out = torch.randn(2, 3, 17)
    batch = Batch(torch.ones(2, 3, dtype=torch.long), y, torch.tensor([3, 1]))
    expected = torch.nn.functional.cross_entropy(out[[0, 0, 0, 1], [0, 1, 2, 0]], torch.tensor([1, 2, 3, 4]))
    torch.testing.assert_close(task.loss(out, batch), expected)
    out2 = out.clone()
    out2[1, 1:] = 1e6  # garbage at padded positions changes nothing
    torch.testing.assert_close(task.loss(out2, batch), expected)
    # the metric counts words: a perfect prediction of the real words is accuracy 1
    preds = [np.asarray(t) for t in task.splits["val"].targets]
    scores = task._scores("val", preds)
    assert scores["accuracy"] == 1.0 and scores["sentence_accuracy"] == 1.0
    preds[0] = preds[0].copy()
    preds[0][0] = (preds[0][0] + 1) % 17
    total = sum(len(t) for t in task.splits["val"].targets)
    assert task._scores("val", preds)["accuracy"] == pytest.approx(1 - 1 / total)


def test_evaluate_and_view_are_plain_data(task):
    model = model_for(task)
    scores = task.evaluate(model, "val")
    assert set(scores) == {"loss", "accuracy", "unknown_word_accuracy", "sentence_accuracy"}
    assert all(isinstance(v, float) for v in scores.values())
    assert scores["loss"] == pytest.approx(math.log(17), rel=0.1)
    view = task.view(model)
    assert view["kind"] == "tagging" and view["confusion"].shape == (17, 17)
    assert view["confusion"].sum() == sum(len(t) for t in task.splits["val"].targets)
    ex = view["examples"][0]
    assert len(ex["words"]) == len(ex["true"]) == len(ex["predicted"]) == len(ex["baseline"]) == len(ex["unknown"])
    assert view["accuracy"] == pytest.approx(scores["accuracy"])


def test_tag_a_typed_sentence(task):
    result = task.tag(model_for(task), "I can't believe Zyxwvu's dog!")
    assert result["words"] == ["I", "ca", "n't", "believe", "Zyxwvu", "'s", "dog", "!"]
    assert len(result["tags"]) == 8 and set(result["tags"]) <= set(TAGS)
    assert result["unknown"][4] and not result["unknown"][0]
    assert task.vocab.decode([task.vocab.id("Zyxwvu")]) == ["<unk-Cap>"]
    assert result["baseline"][0] == "PRON"
    with pytest.raises(DataError, match="at least one word"):
        task.tag(model_for(task), "  ")


def test_user_conllu_file_and_clear_errors(tmp_path):
    good = tmp_path / "mine.conllu"
    sentence = "1\tDogs\tdog\tNOUN\tNNS\t_\t2\tnsubj\t_\t_\n2\tbark\tbark\tVERB\tVBP\t_\t0\troot\t_\t_\n\n"
    good.write_text(sentence * 40, encoding="utf-8")
    t = TaggingTask({"conllu_path": str(good)})
    assert len(t.splits["train"]) == 32 and t.baselines("test")["most frequent tag per word"]["accuracy"] == 1.0
    with pytest.raises(ConfigError, match="task.conllu_path .*cannot read"):
        TaggingTask({"conllu_path": str(tmp_path / "nope.conllu")})
    bad = tmp_path / "bad.conllu"
    bad.write_text(sentence * 40 + "1\tOops\toops\tNOPE\t_\t_\t0\troot\t_\t_\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.conllu, line 121: 'NOPE' is not a Universal POS tag"):
        config.RunConfig().replace("task.name", "tagging").replace("task.conllu_path", str(bad))


def test_a_nul_byte_in_the_conllu_path_is_refused_like_the_csv_and_text_paths(tmp_path):
    """Issue 19 item 15: 'embedded null byte' from os.stat reached the user as a crash."""
    for path in ("mine\x00.conllu", str(tmp_path / "a\x00b.conllu")):
        with pytest.raises(ConfigError, match=r"task.conllu_path .*contains a NUL byte\); choose a CoNLL-U file"):
            TaggingTask({"conllu_path": path})
        with pytest.raises(ConfigError, match="contains a NUL byte"):
            config.RunConfig().replace("task.name", "tagging").replace("task.conllu_path", path)
    with pytest.raises(ConfigError, match="is a folder; choose a CoNLL-U file"):
        TaggingTask({"conllu_path": str(tmp_path)})


@pytest.mark.slow
def test_short_training_on_a_slice_beats_the_baseline():
    cfg = config.from_dict({
        "task": {"name": "tagging", "options": {"train_limit": 800}},
        "model": {"cell": "gru", "hidden_size": 32, "embedding_size": 32, "bidirectional": True},
        "training": {"steps": 300, "learning_rate": 0.01, "batch_size": 16, "eval_every": 1000,
                     "probe_every": 1000}})
    trainer = Trainer(cfg)
    final = list(trainer.run())[-1]
    base = final.baselines["most frequent tag per word"]
    assert final.test["accuracy"] > base["accuracy"] + 0.03, (final.test, base)
    assert final.test["unknown_word_accuracy"] > base["unknown_word_accuracy"]


def test_word_dropout_uses_the_word_shape_classes():
    t = TaggingTask({"word_dropout": 0.5})
    b = next(t.train_batches(32, torch.Generator().manual_seed(0)))
    plain = next(TaggingTask({}).train_batches(32, torch.Generator().manual_seed(0)))
    changed = plain.x != b.x
    assert changed.any() and (b.x[changed] < t.vocab.num_special).all()
    assert set(t.vocab.decode(b.x[changed].tolist())) > {"<unk-Cap>"}


def test_suggested_settings_are_valid_and_bidirectional():
    cfg = config.experiment("tagging")  # its suggested settings, validated together
    assert cfg.model.bidirectional
