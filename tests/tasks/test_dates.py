"""Dates to ISO: the generated formats, held-out dates, padding, teacher forcing, greedy scores and the baseline."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import torch

from rnnlab import config
from rnnlab.config import ModelConfig
from rnnlab.data import dates as cal
from rnnlab.errors import ConfigError
from rnnlab.models.network import SequenceModel
from rnnlab.tasks.base import Batch
from rnnlab.tasks.dates import START, DatesTask, _scores, decode_output, encode_inputs, encode_targets, make_examples
from rnnlab.train.trainer import Trainer

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def task():
    return DatesTask({"eval_size": 300}, seed=0)


@pytest.fixture(scope="module")
def model(task):
    torch.manual_seed(0)
    return SequenceModel(ModelConfig(cell="lstm", hidden_size=24, embedding_size=8, bidirectional=True),
                         task.spec).eval()


@pytest.mark.parametrize(("fmt", "text"), [
    ("month ordinal year", "march 3rd 1998"), ("m/d/yy (US)", "3/4/98"), ("Wkd, day Mon year", "Wed, 4 Mar 1998"),
    ("d.m.yyyy (European)", "4.3.1998"), ("the ordinal of month year", "the 4th of march 1998"),
    ("mon day 'yy", "mar 4 '98"), ("yyyymmdd", "19980304"),
])
def test_formats_write_the_date_they_claim(fmt, text):
    d = dt.date(1998, 3, 3) if fmt == "month ordinal year" else dt.date(1998, 3, 4)
    assert cal.write(d, fmt) == text


def test_two_digit_years_and_weekdays_are_right():
    assert cal.write(dt.date(2049, 12, 31), "m/d/yy (US)") == "12/31/49"
    assert cal.write(dt.date(1950, 1, 1), "dd.mm.yy (European)") == "01.01.50"
    assert cal.write(dt.date(2000, 2, 29), "weekday, month day, year") == "tuesday, february 29, 2000"
    assert [cal.ordinal(n) for n in (1, 2, 3, 11, 12, 13, 21, 22, 23, 31)] == [
        "1st", "2nd", "3rd", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st"]


def test_held_out_dates_never_occur_in_training(task):
    train = set(task.days["train"].tolist())
    assert not train & set(task.days["val"].tolist())
    assert not train & set(task.days["test"].tolist())
    assert len(train) + 2 * len(task.days["val"]) == cal.NUM_DAYS
    _, texts, isos, _ = task.splits["val"]
    held_out = {cal.iso(cal.day(i)) for i in task.days["val"].tolist()}
    assert set(isos) <= held_out


def test_batches_have_the_right_shapes_and_teacher_forcing_inputs(task, model):
    b = next(task.train_batches(16, torch.Generator().manual_seed(0)))
    assert b.y.shape == b.y_in.shape == (16, cal.ISO_LENGTH)
    assert b.x.shape == (16, int(b.lengths.max()))
    assert (b.y_in[:, 0] == START).all() and torch.equal(b.y_in[:, 1:], b.y[:, :-1])
    out, _ = model(b)
    assert out.shape == (16, cal.ISO_LENGTH, task.spec.target_vocab_size)
    # the padding after each input is id 0 and nothing else is
    steps = torch.arange(b.x.shape[1])[None, :]
    assert torch.equal(b.x == 0, steps >= b.lengths[:, None])


def test_padding_never_changes_a_prediction(task, model):
    """An input alone (no padding) and the same input padded beside a much longer one decode the same, and the
    teacher-forced outputs agree to float precision."""
    short, long = "3/4/98", "wednesday, september 30, 1998"
    x_alone, len_alone = encode_inputs([short])
    x_pair, len_pair = encode_inputs([short, long])
    assert x_pair.shape[1] > x_alone.shape[1]
    assert torch.equal(model.decode_greedy(x_alone, len_alone, 10)[0], model.decode_greedy(x_pair, len_pair, 10)[0])
    y, y_in = encode_targets(["1998-03-04", "1998-09-30"])
    with torch.no_grad():
        alone = model(Batch(x_alone, y[:1], len_alone, y_in[:1]))[0]
        pair = model(Batch(x_pair, y, len_pair, y_in))[0]
    torch.testing.assert_close(alone[0], pair[0], rtol=1e-5, atol=1e-6)


def test_scores_count_exact_and_per_character_matches(task):
    """A fake model that answers the target with one character wrong on every other row."""
    y = task.splits["val"][0].y
    pred = y.clone()
    pred[::2, 3] = (pred[::2, 3] - 2 + 1) % 10 + 2  # another digit at position 3 (a year digit)
    scores = _scores(pred, y)
    half = (len(y) + 1) // 2
    assert scores["exact"] == pytest.approx(1 - half / len(y))
    assert scores["token_accuracy"] == pytest.approx(1 - half / (len(y) * 10))


def test_baseline_is_the_most_common_character_at_each_position(task):
    train_isos = [cal.iso(cal.day(i)) for i in task.days["train"].tolist()]
    by_hand = "".join(Counter(s[p] for s in train_isos).most_common(1)[0][0] for p in range(10))
    assert task.baseline_answer == by_hand
    _, _, isos, _ = task.splits["test"]
    (name, scores), = task.baselines("test").items()
    assert by_hand in name
    matches = sum(a == b for s in isos for a, b in zip(s, by_hand))
    assert scores["token_accuracy"] == pytest.approx(matches / (10 * len(isos)))
    assert scores["exact"] == pytest.approx(sum(s == by_hand for s in isos) / len(isos))


def test_step_labels_and_typed_dates(task, model):
    probe = task.probe_batch()
    assert probe.y_in is not None and len(set(probe.lengths.tolist())) > 1
    for i in range(len(probe)):
        labels = task.step_labels(probe, i)
        assert len(labels) == probe.x.shape[1]
        n = int(probe.lengths[i])
        assert all(labels[:n]) and not any(labels[n:])
    answer = task.convert(model, "March 3, 1998")
    assert len(answer) == 10 and set(answer) <= set(cal.OUTPUT_CHARS)
    with pytest.raises(ConfigError, match="not '#'"):
        task.convert(model, "#3 march")


def test_make_examples_targets_match_inputs():
    batch, texts, isos = make_examples(torch.tensor([0, cal.NUM_DAYS - 1]), torch.tensor([0, 11]))
    assert texts == ["january 1st 1950", "12/31/49"] and isos == ["1950-01-01", "2049-12-31"]
    assert decode_output(batch.y[1]) == "2049-12-31"


@pytest.mark.slow
def test_short_training_beats_the_baseline():
    cfg = config.RunConfig().replace("task.name", "dates")
    for key, value in (("task.eval_size", 200), ("model.cell", "gru"), ("model.hidden_size", 64),
                       ("model.embedding_size", 16), ("training.batch_size", 32), ("training.learning_rate", 0.005),
                       ("training.steps", 200), ("training.eval_every", 200), ("training.probe_every", 200)):
        cfg = cfg.replace(key, value)
    trainer = Trainer(cfg)
    final = list(trainer.run())[-1]
    assert final.status == "finished"
    (base,) = final.baselines.values()
    assert final.test["token_accuracy"] > base["token_accuracy"] + 0.2, (final.test, base)
    view = trainer.task.view(trainer.model)
    assert view["kind"] == "dates" and len(view["inputs"]) == len(view["targets"]) == len(view["outputs"]) > 0
    assert set(view["per_format"]) == set(cal.FORMAT_NAMES)
