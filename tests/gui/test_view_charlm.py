"""The character-model view: draws task.view() data and samples text from the real model off the GUI thread."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QPushButton, QSpinBox

from rnnlab.app.views.charlm import CharLMView, fake_view, surprisal_html

from helpers import assert_drawn

pytestmark = pytest.mark.gui
TASK = "charlm"


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


@pytest.mark.slow
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


def _control_sizes(view) -> dict:
    """Point sizes of the view's own buttons and fields, by kind, in the order they were made."""
    return {kind.__name__: [c.font().pointSizeF() for c in view.findChildren(kind)]
            for kind in (QPushButton, QLineEdit, QSpinBox, QPlainTextEdit)}


@pytest.mark.slow
def test_at_130_percent_its_buttons_and_fields_are_zoomed_too(qtbot, window, tmp_path):
    """Issue 9, item 6: the view's own controls kept the system size while the rest of the window grew."""
    from helpers import TIMEOUT
    from helpers import small

    w = window(small(task="charlm"))
    w.resize(1024, 768)
    w.step_once()
    qtbot.waitUntil(lambda: w.is_paused() and w.trainer.step == 1 and w.view_host.kind == "charlm", timeout=TIMEOUT)
    before = _control_sizes(w.view_host.view)
    assert all(before.values()), before
    try:
        w.set_zoom(1.3)
        qtbot.waitUntil(lambda: w.view_host.view is not None, timeout=TIMEOUT)
        view = w.view_host.view
        after = _control_sizes(view)
        for kind, sizes in before.items():
            assert len(after[kind]) == len(sizes)
            for was, now in zip(sizes, after[kind]):
                assert now >= 1.25 * was, (kind, was, now)
        # The prompt box is still two and a half lines of its (now larger) font.
        assert view.prompt.height() >= 2.5 * view.prompt.fontMetrics().lineSpacing()
        assert_drawn(w)
    finally:
        w.set_zoom(1.0)
