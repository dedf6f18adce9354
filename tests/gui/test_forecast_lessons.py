"""Forecast lessons in the real window (issue 19): the slides' own 17-row CSV (item 6: refused with the window to
change, the whole message visible in the form's message line, then trained with window 3 and its errors written
readably), and a forecast that loses to its baseline (item 5: it says so, why, with a button per one-setting fix)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rnnlab.app.plots.common import legend_of

from helpers import TIMEOUT, train_to_end, type_into
from helpers import small

pytestmark = [pytest.mark.gui, pytest.mark.slow]

SLIDE_CSV = Path(__file__).parent.parent / "data" / "slide_daily_17.csv"


def settle(qtbot, w) -> None:
    qtbot.waitUntil(lambda: not w.panel.is_checking(), timeout=TIMEOUT)
    assert w.wait_ready(60)


def shown_whole(label) -> bool:
    """The label's (word-wrapped, rich) text fits its height at its width: nothing is cut off below."""
    return label.heightForWidth(label.width()) <= label.height()


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_the_slides_csv_is_refused_with_the_window_to_change_then_trains_with_window_3(qtbot, window, size):
    w = window(small(steps=30))
    w.resize(*size)
    type_into(qtbot, w.panel.editor("task.csv_path"), str(SLIDE_CSV))
    settle(qtbot, w)
    message = w.panel.errors()["task.csv_path"]
    assert "The series has 17 values" in message and "Set the window (task.window) to at most 6." in message
    line = w.panel.message_line
    qtbot.waitUntil(lambda: line.text() != "", timeout=TIMEOUT)
    assert "at most 6." in line.text() and shown_whole(line), line.text()

    type_into(qtbot, w.panel.editor("task.window"), "3")
    settle(qtbot, w)
    assert w.panel.errors() == {} and line.text() == ""
    opts = w.config().task.options
    assert (opts["dataset"], opts["csv_path"], opts["window"]) == ("csv", str(SLIDE_CSV), 3), opts
    assert train_to_end(qtbot, w) == "finished"
    assert len(w.trainer.task.series) == 17
    text = w.message_bar.text.text()
    assert "e+0" not in text and re.search(r"test RMSE \d{1,3}(,\d{3})+", text), text
    scores = w.view_host.view.scores.text()  # the forecast view's RMSE line
    title, entries = legend_of(w.loss_panel.metric_plot)  # the validation plot's baselines
    assert "seasonal naive" in scores and "e+0" not in scores, scores
    assert entries[1:] and not any("e+0" in name for name, _colour, _glyph in entries), entries


def test_a_forecast_that_loses_to_seasonal_naive_says_why_with_a_button_per_fix(qtbot, window):
    cfg = small(steps=100).replace("task.window", 6).replace("task.difference", False)
    w = window(cfg)
    assert train_to_end(qtbot, w) == "finished"
    final = w.trainer.final
    assert final["test"]["rmse"] > final["baselines"]["seasonal naive"]["rmse"]
    text = w.message_bar.text.text()
    assert "The model lost to the seasonal naive forecast" in text and "shorter than the season (12)" in text
    buttons = [w.message_bar.buttons.itemAt(i).widget() for i in range(w.message_bar.buttons.count())]
    assert [b.text() for b in buttons] == ["Window 12", "Predict differences", "Train 600 steps"]
    buttons[0].click()
    assert w.wait_ready(60)
    opts = w.config().task.options
    assert opts["window"] == 12 and opts["difference"] is False  # one setting per button
    assert w.panel._fields["task.window"].editor.text() == "12"
