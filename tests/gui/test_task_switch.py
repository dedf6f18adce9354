"""A task switch in the window starts from the new task's suggested experiment and names what it did not carry
over, with one click to keep it (issue 19's workshop item 2)."""

from __future__ import annotations

import pytest


from helpers import adding, shown, tagging

pytestmark = [pytest.mark.gui, pytest.mark.slow]


# --- item 2: a task switch starts from the task's suggested experiment --------------------------------------------


def choose_task(w, name: str) -> None:
    """The task combo, as a user picks from it."""
    combo = w.panel.task_combo
    index = combo.findData(name)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_sgd_from_the_clipping_lesson_is_not_carried_into_tagging_silently(qtbot, window):
    lesson = adding(20).replace("training.optimizer", "sgd").replace("training.clip_grad", False)
    w = window(lesson)
    choose_task(w, "tagging")
    cfg = w.config()
    assert cfg.training.optimizer == "adam" and cfg.training.clip_grad  # tagging's suggested experiment
    assert cfg.training.learning_rate == 0.005 and cfg.model.bidirectional
    note = shown(w.panel.message_line)
    assert "not carried over" in note.lower() and "SGD" in note and "Clip gradients off" in note, note
    w.panel.message_line.linkActivated.emit("keep")  # "Keep them": one click brings them back
    cfg = w.config()
    assert cfg.task.name == "tagging" and cfg.training.optimizer == "sgd" and not cfg.training.clip_grad
    assert cfg.model.bidirectional  # the rest stays tagging's
    assert "SGD" not in shown(w.panel.message_line)


def test_tagging_to_forecast_leaves_bidirectional_and_dropout_behind(qtbot, window):
    w = window(tagging())
    choose_task(w, "tagging")
    w.set_config(w.config().replace("model.dropout", 0.3).replace("model.bidirectional", True))
    choose_task(w, "forecast")
    cfg = w.config()
    assert not cfg.model.bidirectional and cfg.model.dropout == 0.0
    assert cfg.training.learning_rate == 0.005 and cfg.training.steps == 600  # forecast's suggestions
    w.set_config(w.config().replace("model.hidden_size", 48))  # a hand change on forecast...
    choose_task(w, "adding")
    note = shown(w.panel.message_line)
    assert "Hidden size 48" in note, note  # ... is named when left behind
    assert w.config().model.hidden_size != 48


