"""What the window leaves for later to start sooner (issue 24): the hidden tabs' plots, the Lessons menu's files, the
PySide6 classes pyqtgraph does not use. Each must work as if made at once when it is used."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import PySide6.QtCore
import PySide6.QtGui
import PySide6.QtWidgets

from rnnlab import lessons
from rnnlab.app.main_window import MainWindow, settings
from rnnlab.app.plots.gradnorms import GradNormPanel
from rnnlab.app.plots.gradtime import GradTimePanel

from helpers import small, train_to_end

pytestmark = pytest.mark.gui


@pytest.fixture
def fresh(qtbot):
    """`fresh(cfg)`: a main window just made and shown, nothing of its prepared model arrived yet."""
    settings().clear()
    made = []

    def make(cfg=None):
        w = MainWindow(cfg if cfg is not None else small())
        w.ask_before_discarding(False)
        qtbot.addWidget(w)
        w.resize(1280, 800)
        w.show()
        made.append(w)
        return w

    yield make
    for w in made:
        w.wait_ready(30)
        w.close()


def built(w) -> bool:
    return [type(p) for p in w.gradients.panels] == [GradNormPanel, GradTimePanel]


def test_the_gradients_tab_is_built_when_shown_and_keeps_its_place_title_and_split(qtbot, fresh):
    w = fresh()
    assert not built(w) and w.tabs.currentIndex() == 0
    assert [w.tabs.tabText(i) for i in range(3)] == ["Gates", "Gradients", "Cell"]
    w.gradients.setSizes([300, 700])
    before = w.gradients.sizes()
    w.tabs.setCurrentIndex(1)  # the Gradients tab, clicked
    assert built(w) and w.tabs.currentWidget() is w.gradients and w.tabs.currentIndex() == 1
    assert [w.gradients.widget(i) for i in range(2)] == [w.grad_panel, w.gradtime_panel]
    after = w.gradients.sizes()  # the tab laid out at its shown size now: the same split
    assert abs(after[0] / sum(after) - before[0] / sum(before)) < 0.01
    assert w.overlay_panels()[1:] == [w.grad_panel, w.gradtime_panel, w.cell_panel]


def test_the_split_above_the_tabs_is_the_same_before_and_after_the_gradients_tab_is_built(qtbot, fresh):
    w = fresh()
    qtbot.waitUntil(lambda: w.split.sizes()[1] > 0)
    before = w.split.sizes(), w.tabs.minimumSizeHint()
    w.tabs.setCurrentIndex(1)
    qtbot.wait(50)
    assert (w.split.sizes(), w.tabs.minimumSizeHint()) == before


def test_data_fed_while_a_lazy_tab_was_hidden_shows_when_it_is_opened(qtbot, fresh):
    w = fresh(small(steps=40))
    assert not built(w)
    assert w.wait_ready(30)
    assert train_to_end(qtbot, w) == "finished"
    assert w.tabs.currentIndex() == 0  # the Gradients and Cell tabs stayed hidden all the while
    w.tabs.setCurrentIndex(1)
    x, y = w.grad_panel.global_curve.getData()
    assert len(x) == 40 and np.isfinite(y).all()
    assert w.gradtime_panel.heat.image.image.shape[0] == len(w.data.probe_steps) >= 2


def test_the_lessons_menu_reads_its_files_when_opened_each_once_and_names_a_broken_one(qtbot, fresh, tmp_path,
                                                                                    monkeypatch):
    broken = tmp_path / "99-broken.toml"
    broken.write_text("title = [unclosed\n", encoding="utf-8")
    files = lessons.bundled()
    monkeypatch.setattr(lessons, "bundled", lambda: files + [broken])
    w = fresh()
    menu = w.lessons_menu
    assert not menu._filled  # nothing read while the window started
    menu.aboutToShow.emit()
    names = [a.objectName() for a in menu.actions()]
    assert names[:len(files) + 1] == [f"action_lesson_{p.stem}" for p in files + [broken]]
    assert len(set(names)) == len(names) and "action_open_lesson" in names
    entry = next(a for a in menu.actions() if a.objectName() == "action_lesson_99-broken")
    assert not entry.isEnabled() and "99-broken.toml" in entry.text() and "99-broken" in entry.toolTip()
    menu.aboutToShow.emit()  # opened again: nothing added
    assert [a.objectName() for a in menu.actions()] == names


def test_pyqtgraphs_qt_names_are_pyside6s_own():
    import pyqtgraph as pg
    from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

    from rnnlab.app import lazy_qt

    assert not any(isinstance(f, lazy_qt._Finder) for f in sys.meta_path)  # gone once used
    assert "dir" not in vars(sys.modules["pyqtgraph.Qt"])
    assert QtCore.QObject is PySide6.QtCore.QObject and QtCore.Qt is PySide6.QtCore.Qt
    assert QtGui.QPainter is PySide6.QtGui.QPainter and QtWidgets.QWidget is PySide6.QtWidgets.QWidget
    assert pg.QtCore.Signal is PySide6.QtCore.Signal
    with pytest.raises(AttributeError):
        QtCore.NoSuchName  # noqa: B018
    assert not hasattr(QtWidgets, "NoSuchName")
