"""The character-model view: draws task.view() data and samples text from the real model off the GUI thread."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnnlab.app import views  # noqa: E402
from rnnlab.app.views.charlm import CharLMView, fake_view, surprisal_html  # noqa: E402

pytestmark = pytest.mark.gui
TASK = "charlm"


def test_registered_for_the_task_kind():
    assert views.view_for("charlm") is CharLMView


def test_draws_fake_data_without_a_model(new_view):
    w = new_view(CharLMView)
    data = fake_view()
    w.update_view(data)
    assert "Held-out text" in w.surprise_title.text()
    assert f"{np.mean(data['surprisal']):.2f}" in w.surprise_title.text()
    assert "KING RICHARD" in w.surprise.toPlainText()
    w.temperature.setValue(150)
    assert w.temp_label.text() == "1.50" and w.temperature_value == 1.5


def test_surprisal_html_shades_every_character_after_the_first():
    out = surprisal_html("ab\nc", np.array([0.0, 6.0, 3.0]))
    assert out.count("<span style='background:") == 3
    assert "rgba(214,39,40,0.85)" in out and "rgba(214,39,40,0.00)" in out and "⏎" in out


def test_generates_from_the_real_model_and_reports_bad_prompts(qtbot, trainer, api, new_view):
    w = new_view(CharLMView)
    w.update_view(trainer.task.view(trainer.model))
    w.prompt.setPlainText("First Citizen:\n")
    w.length.setValue(60)
    w.set_trainer_api(api)
    qtbot.waitUntil(lambda: "characters sampled" in w.status.text(), timeout=10_000)
    text = w.output.toPlainText()
    assert text.startswith("First Citizen:\n") and len(text) == len("First Citizen:\n") + 60
    # The same seed and temperature give the same text as the task's own sample().
    expected = trainer.task.sample(trainer.model, "First Citizen:\n", 60, w.temperature_value, w._seed)
    assert text.endswith(expected)
    w.prompt.setPlainText("Zwölf")
    w._new_sample()
    qtbot.waitUntil(lambda: "never seen" in w.status.text(), timeout=10_000)
    assert "ö" in w.status.text()
