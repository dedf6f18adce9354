"""A window that trains and resets run after run must not keep what it drew for the runs before (issue 19, item 14;
issue 24, item 4). The figures are in docs/benchmarks.md (bench/window_memory.py); these tests hold the causes with
weak references and object counts, never with a memory threshold."""

from __future__ import annotations

import gc
import weakref

import pyqtgraph as pg
import pytest
import shiboken6
from PySide6.QtWidgets import QLabel

from rnnlab import config
from rnnlab.app.form.experiment_panel import ExperimentPanel
from rnnlab.app.plots.common import legend_title
from rnnlab.app.plots.gates import GatesPanel

from helpers import small, train_to_end

pytestmark = pytest.mark.gui


def alive(refs) -> list:
    gc.collect()
    return [r() for r in refs if r() is not None]


def test_a_plot_with_a_legend_title_is_freed_once_it_leaves_its_layout(qtbot):
    """The legend follows the plot's size through a connection that Qt holds, out of the garbage collector's sight: a
    closure over the plot there kept every plot taken out of its layout alive, menus, axes and curves included."""
    glw = pg.GraphicsLayoutWidget()
    qtbot.addWidget(glw)
    plot = glw.addPlot(row=0, col=0)
    legend_title(plot, "mean over units", [("i", "#2a9d3f", "line"), ("f", "#1f6fd1", "line")])
    plot.plot([0, 1], [0, 1])
    refs = [weakref.ref(plot), weakref.ref(plot.vb), weakref.ref(plot.listDataItems()[0])]
    glw.resize(400, 300)  # the legend still follows the plot's size while it is shown
    del plot
    glw.clear()
    assert alive(refs) == []


def test_the_gates_tab_rebuilt_for_another_cell_keeps_none_of_the_old_plots(qtbot):
    """Each change of cell type (LSTM, GRU, RNN) rebuilds the Gates tab: the "mean over units" plot of every earlier
    build stayed alive, one more at every switch (+4 plots, their menus and curves, every seven runs of the bench)."""
    panel = GatesPanel()
    qtbot.addWidget(panel)
    panel.prepare_for("lstm")
    refs = [weakref.ref(item) for item in panel.glw.ci.items]
    assert any(r() is panel.means for r in refs)
    for cell in ("gru", "rnn_tanh", "lstm", "gru"):
        panel.prepare_for(cell)
    assert alive(refs) == []
    plots = sum(issubclass(type(o), pg.PlotItem) and shiboken6.isValid(o) and o.scene() is None
                for o in gc.get_objects())  # type(o): isinstance would ask lazy modules for __class__
    assert plots == 0


def test_changing_task_leaves_no_wrapper_of_the_old_options_labels(qtbot):
    """The task's option rows are rebuilt at every change of task. Their labels were made by Qt from the text, and the
    wrapper Python got for one (labelForField, to zoom and translate it) outlived the label: 4-7 more dead QLabel
    wrappers with every run of the bench (the one type still growing after the plots were freed)."""
    def labels() -> int:
        gc.collect()
        return sum(type(o) is QLabel for o in gc.get_objects())

    panel = ExperimentPanel(config.experiment())
    qtbot.addWidget(panel)
    names = ["adding", "memory", "forecast", "charlm", "dates"]
    for name in names:  # every task's rows made once
        panel.set_config(config.from_dict({"task": {"name": name}}))
    before = labels()
    for _round in range(3):
        for name in names:
            panel.set_config(config.from_dict({"task": {"name": name}}))
    assert labels() == before


@pytest.mark.slow
def test_runs_and_resets_leave_no_plot_item_of_an_earlier_run_outside_the_window(qtbot, window):
    """Five runs with different cells, each reset: every plot item (plots, curves, heatmaps) drawn for the first run
    is either still on show in the window (the loss plot keeps its curves) or gone; none lives on outside a scene."""
    w = window(small(steps=3, task="adding"))

    def drawn() -> list:
        return [item for view in w.findChildren(pg.GraphicsView) for item in view.scene().items()
                if isinstance(item, (pg.PlotItem, pg.PlotDataItem, pg.ImageItem))]

    def shown(item) -> bool:
        scene = item.scene()
        return scene is not None and any(v.window() is w for v in scene.views())

    refs = []
    for i, cell in enumerate(("lstm", "gru", "lstm", "rnn_tanh", "gru")):
        w.set_config(config.from_dict({"task": {"name": "adding"}, "model": {"cell": cell, "hidden_size": 8},
                                       "training": {"steps": 3, "batch_size": 16}}))
        assert w.wait_ready(30)
        assert train_to_end(qtbot, w) == "finished"
        if i == 0:
            refs = [weakref.ref(item) for item in drawn()]
        w.reset()
        assert w.wait_ready(30)
    left = [type(item).__name__ for item in alive(refs) if not (shiboken6.isValid(item) and shown(item))]
    assert left == []


def test_a_second_window_leaves_the_garbage_of_the_first_collectable(qtbot, window):
    """Each window used to move every object alive into the collector's permanent generation (gc.freeze): the
    garbage of a window before it, its plots' menus among them, was then never freed (the test suite gathered ~7000
    stray menus, and every style change walked them all). Only the process's first window freezes now."""
    from PySide6.QtWidgets import QMenu

    window()

    class Stray:  # what a closed plot leaves: a Python cycle holding a parentless menu
        def __init__(self):
            self.menu, self.me = QMenu(), self

    stray = Stray()
    refs = [weakref.ref(stray)]
    gc.collect()  # the cycle, still in use, goes to the oldest generation, as a plot's objects do over a run
    del stray  # now garbage, that only a full pass would free
    window()
    assert alive(refs) == []
