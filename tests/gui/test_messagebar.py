"""The message bar keeps its two lines whatever it says: a long message never moves the plots under the mouse."""

from __future__ import annotations

from html import escape

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QPushButton, QVBoxLayout, QWidget

from rnnlab import config
from rnnlab.app import theme
from rnnlab.app.frame.messagebar import MessageBar
from rnnlab.app.run.model_access import build_trainer
from rnnlab.train.advice import advise

from helpers import assert_drawn

pytestmark = [pytest.mark.gui, pytest.mark.slow]


@pytest.fixture(scope="module")
def advice_message():
    """The window's message after a vanilla RNN learned nothing on a long adding problem: a real run, its advice."""
    cfg = config.from_dict({"task": {"name": "adding", "options": {"length": 100, "train_size": 256}},
                            "model": {"cell": "rnn_tanh", "hidden_size": 8}, "training": {"steps": 5}})
    trainer = build_trainer(cfg)
    for _snapshot in trainer.run():
        pass
    advice = advise(trainer.cfg, trainer.task, trainer.final, trainer.status)
    assert advice is not None, trainer.final
    return f"{escape(trainer.message)}<br><b>Why:</b> {escape(advice.text)}", advice.fix


@pytest.fixture
def page(qtbot):
    """A bar above a button, 1024 px wide, as in the window: the button must stay where the user aims."""
    theme.apply(QApplication.instance())  # the window's style sheet: the bar's frame and colours
    page = QWidget()
    qtbot.addWidget(page)
    bar, below = MessageBar(), QPushButton("a widget below")
    layout = QVBoxLayout(page)
    layout.addWidget(bar)
    layout.addWidget(below)
    layout.addStretch(1)
    page.resize(1024, 400)
    page.show()
    qtbot.waitExposed(page)
    return page, bar, below


def settle():
    for _ in range(3):
        QApplication.processEvents()


def test_a_long_advice_keeps_the_bar_two_lines_tall(page, advice_message, tmp_path):
    page, bar, below = page
    text, fix = advice_message
    settle()
    height, where = bar.height(), below.mapTo(page, QPoint(0, 0))
    bar.show_message(text, "warning", [(fix, lambda: None)], rich=True)
    settle()
    assert bar.text.text() == text  # the whole message is kept (the window appends notes to it)
    assert bar.is_cut() and bar.more.isVisible()  # this one is longer than two lines at 1024 px
    assert bar.height() == height and below.mapTo(page, QPoint(0, 0)) == where
    assert bar.text.toolTip() == f"<qt>{text}</qt>"  # the rest, on hover (<qt>: read as rich text, as the bar is)
    lines = bar.text.fontMetrics().height()
    assert 2 * lines <= bar.text.height() < 2.5 * lines  # two whole lines, not a sliver of the third
    assert_drawn(page)

    bar.more.click()  # the user asks for the whole of it: now the bar may grow
    settle()
    assert bar.text.height() >= bar.text.heightForWidth(bar.text.width()) > 2 * lines
    assert below.mapTo(page, QPoint(0, 0)).y() > where.y() and bar.more.text() == "Less"
    bar.more.click()
    settle()
    assert bar.height() == height and below.mapTo(page, QPoint(0, 0)) == where

    bar.more.click()
    bar.show_message("Settings changed. Press Train to start a new run with them.", "info")  # short, and folded
    settle()
    assert not bar.is_cut() and not bar.more.isVisible() and not bar.more.isChecked()
    assert bar.height() == height and below.mapTo(page, QPoint(0, 0)) == where and bar.text.toolTip() == ""
    bar.clear()
    settle()
    assert bar.height() == height and not bar.has_message()


def test_a_narrower_bar_folds_a_message_that_fitted(page):
    page, bar, below = page
    bar.show_message("The run finished: test MSE 0.0012, better than every baseline.", "info")
    settle()
    assert not bar.is_cut()
    height = bar.height()
    page.resize(260, 400)
    settle()
    assert bar.is_cut() and bar.more.isVisible() and bar.height() == height


def test_after_a_zoom_it_is_two_lines_of_the_larger_font(page, advice_message):
    page, bar, below = page
    bar.show_message(advice_message[0], "warning", rich=True)
    settle()
    height = bar.text.height()
    try:
        theme.set_zoom(1.3)
        theme.scale_fonts([bar], 1.0)  # what the window does to the widgets around the plots
        settle()
        lines = bar.text.fontMetrics().height()
        assert bar.text.height() >= 1.25 * height and 2 * lines <= bar.text.height() < 2.5 * lines
    finally:
        theme.set_zoom(1.0)
