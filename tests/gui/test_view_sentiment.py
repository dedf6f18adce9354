"""The sentiment view: draws task.view() data, and traces a typed sentence through the real model off the GUI thread."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab.app.views.sentiment import SentimentView, fake_trace, fake_view

from helpers import assert_drawn

pytestmark = [pytest.mark.gui, pytest.mark.slow]
TASK = "sentiment"


def test_draws_fake_data_without_a_model(new_view):
    w = new_view(SentimentView)
    w.update_view(fake_view())
    assert w.cells[0][0].text().startswith("410")
    assert w.examples.rowCount() == 3
    tokens = "not bad at all".split()
    w.show_result(fake_trace(tokens, kind="GRU"))
    assert "POSITIVE" in w.verdict.text() or "NEGATIVE" in w.verdict.text()
    assert [p.isVisible() for p in w.gate_plots] == [True, True, True, True, False]  # GRU: r, z, n and h
    assert w.heatmaps[0].image.image.shape == (16, 4)  # units x words
    assert w.axes[1].words == tokens


def test_typed_sentence_is_traced_by_the_real_model(qtbot, trainer, api, new_view):
    w = new_view(SentimentView)
    w.update_view(trainer.task.view(trainer.model))
    assert sum(int(c.text().split("<br>")[0]) for row in w.cells for c in row) == 1066
    w.sentence.setText("It's not a zxqwv film, but it is fun")
    w.set_trainer_api(api)
    qtbot.waitUntil(lambda: w._trace is not None and w._trace["tokens"][-1] == "fun", timeout=10_000)
    tokens = w._trace["tokens"]
    assert tokens[:4] == ["it's", "not", "a", "zxqwv"]
    assert w.axes[1].words[3] == "zxqwv*"  # unknown word marked
    image = w.heatmaps[1].image.image  # forget gate: (units, words)
    assert image.shape == (12, len(tokens))
    assert np.all((image >= 0) & (image <= 1))
    probs = trainer.task.classify(trainer.model, w.sentence.text())
    assert w.bar.value() == round(100 * probs["probabilities"]["positive"])
    x, y = w.running_curve.getData()
    assert len(y) == len(tokens)


def test_empty_sentence_shows_a_message(qtbot, api, new_view):
    w = new_view(SentimentView)
    w.sentence.setText("   ")
    w.set_trainer_api(api)
    qtbot.waitUntil(lambda: "at least one word" in w.verdict.text(), timeout=10_000)


def test_the_view_with_its_trace_draws_at_1000x700(qtbot, trainer, api, new_view):
    w = new_view(SentimentView, size=(1000, 700))
    w.update_view(trainer.task.view(trainer.model))
    w.set_trainer_api(api)
    qtbot.waitUntil(lambda: w._trace is not None, timeout=10_000)
    assert_drawn(w)
