"""The tagging view: true vs predicted tags of validation sentences, and a typed sentence tagged by the real model."""

from __future__ import annotations

import pytest

from rnnlab.app.views.tagging import WRONG_BACKGROUND, TaggingView, fake_tagged, fake_view

from helpers import assert_drawn

pytestmark = pytest.mark.gui
TASK = "tagging"


def test_wrong_tags_are_marked(new_view):
    w = new_view(TaggingView)
    w.update_view(fake_view())
    strip = w.val_strip
    assert strip.columnCount() == 6
    assert [strip.item(1, c).text() for c in range(6)] == ["DET", "NOUN", "VERB", "DET", "NOUN", "PUNCT"]
    # "old": true NOUN, model ADJ -> red; "The": right -> not red
    assert strip.item(2, 1).background().color().name() == WRONG_BACKGROUND
    assert strip.item(2, 0).background().color().name() != WRONG_BACKGROUND
    assert strip.item(0, 4).text() == "boats*"
    assert "2 wrong of 6" in w.val_note.text()
    w._step(1)
    assert w.position.text() == "2 / 2"
    w.show_result(fake_tagged())
    assert w.typed.columnCount() == 6 and w.typed.item(1, 1).text() == "AUX"


@pytest.mark.slow
def test_real_model_view_and_typed_sentence(qtbot, trainer, api, new_view):
    w = new_view(TaggingView)
    data = trainer.task.view(trainer.model)
    w.update_view(data)
    first = data["examples"][0]
    assert w.val_strip.columnCount() == len(first["words"])
    assert [w.val_strip.item(2, c).text() for c in range(len(first["words"]))] == first["predicted"]
    assert len(w.axis.words) == len(data["per_tag_accuracy"])
    w.sentence.setText("She doesn't like Mondays.")
    w.set_trainer_api(api)
    qtbot.waitUntil(lambda: w.typed.columnCount() == 6, timeout=10_000)
    assert [w.typed.item(0, c).text().rstrip("*") for c in range(6)] == ["She", "does", "n't", "like", "Mondays",
                                                                        "."]
    expected = trainer.task.tag(trainer.model, "She doesn't like Mondays.")["tags"]
    assert [w.typed.item(1, c).text() for c in range(6)] == expected
    w.sentence.setText("")
    w.request()
    qtbot.waitUntil(lambda: "at least one word" in w.typed_note.text(), timeout=10_000)


@pytest.mark.slow
def test_the_view_with_its_tags_draws_at_1000x650(qtbot, trainer, api, new_view):
    w = new_view(TaggingView, size=(1000, 650))
    w.update_view(trainer.task.view(trainer.model))
    w.set_trainer_api(api)
    qtbot.waitUntil(lambda: w.typed.columnCount() > 0, timeout=10_000)
    assert_drawn(w)
