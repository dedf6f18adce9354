"""Guards the PySide6 pin: some releases drop a reference to None on every void call (Python < 3.12), which aborts
a long session with "none_dealloc". Ordinary widget calls must leave None's reference count where it was."""

import sys

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets


def test_void_qt_calls_do_not_steal_references_to_none(qtbot):
    label = QtWidgets.QLabel()
    plot = pg.PlotWidget()
    qtbot.addWidget(label)
    qtbot.addWidget(plot)
    curve = plot.plot()
    x = np.arange(10.0)
    label.setText("warm-up")
    curve.setData(x, x)
    before = sys.getrefcount(None)
    for _ in range(500):
        label.setText("step")
        plot.getPlotItem().setLabel("left", "loss")
        curve.setData(x, x)
    assert sys.getrefcount(None) >= before - 50  # 6.12.0 loses ~12,000 here
