"""AfterPaint runs its callback only once the paints that were pending (or that queued scene updates lead to) are
done: the training worker is acknowledged then, so drawing never competes with training for the GIL."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QWidget

from rnnlab.app.run.afterpaint import AfterPaint


class PaintLog(QWidget):
    def __init__(self, events):
        super().__init__()
        self.events = events
        self.resize(200, 100)

    def paintEvent(self, event):
        self.events.append("paint")


class PlotLog(pg.PlotWidget):
    def __init__(self, events):
        super().__init__()
        self.events = events
        self.resize(300, 200)

    def paintEvent(self, event):
        super().paintEvent(event)
        self.events.append("paint")


def test_callback_runs_after_the_pending_paint(qtbot):
    events = []
    widget = PaintLog(events)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.wait(50)
    events.clear()
    after = AfterPaint()
    widget.update()
    after.call(lambda: events.append("callback"))
    QTimer.singleShot(0, lambda: events.append("queued call"))  # a normal queued call runs before the paint
    qtbot.waitUntil(lambda: "callback" in events, timeout=2000)
    assert events == ["queued call", "paint", "callback"]


def test_callback_waits_for_the_paint_that_a_plot_update_leads_to(qtbot):
    events = []
    plot = PlotLog(events)
    qtbot.addWidget(plot)
    curve = plot.plot([0, 1], [0, 1])
    plot.setRange(xRange=(0, 100), yRange=(-1, 1))  # fixed ranges, as the window's plots have while training
    plot.show()
    qtbot.waitExposed(plot)
    qtbot.wait(50)
    events.clear()
    after = AfterPaint()
    curve.setData(np.arange(100.0), np.sin(np.arange(100.0)))  # repaint requested through the scene's queued calls
    after.call(lambda: events.append("callback"))
    qtbot.waitUntil(lambda: "callback" in events, timeout=2000)
    qtbot.wait(200)
    assert events == ["paint", "callback"]


def test_callbacks_run_in_the_order_they_were_asked_for(qtbot):
    after = AfterPaint()
    order = []
    for i in range(5):
        after.call(lambda i=i: order.append(i))
    qtbot.waitUntil(lambda: len(order) == 5, timeout=2000)
    QCoreApplication.processEvents()
    assert order == [0, 1, 2, 3, 4]
