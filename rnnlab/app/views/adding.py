"""Adding-problem view: a few validation sequences, where their two markers are, the target sum and the model's answer.

Left: each row is one sequence, its values as grey shades, the two marked steps as red dots. Right: for the same rows,
the target (bar) and the model's answer (red dot); a dot on the end of its bar is a correct answer.

"Saliency" draws, over each row, how much each step moved the model's answer (||d answer / d x_t||, scaled to the
row's largest): a trained LSTM's peaks sit on the two red dots, a vanilla RNN's only near the end (issue 22). It is
asked off the GUI thread (TrainerApi) for the rows shown, again at most every REQUEST_INTERVAL_S while training.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout

from .. import theme
from ..plots.common import Heatmap, legend_title, style_plot
from . import register_view
from .base import TaskView
from ...i18n import N_, _, ngettext

ROWS = 8
REQUEST_INTERVAL_S = 2.0  # while training, the saliency of the rows shown is asked again at most this often
SALIENCY_COLOR = "#e67e22"


def saliency_job(clamps: tuple = ()):
    """The engine call: ||d answer / d x_t|| for the sequences the view shows (AddingTask.view_batch), with the Cell
    tab's clamps in force if any; a numpy (rows, time) array. Runs off the GUI thread."""

    def job(task, model):
        from contextlib import nullcontext

        from ...modes import evaluating

        with evaluating(model), (model.clamped(clamps) if clamps else nullcontext()):
            return model.input_saliency(task.view_batch())["saliency"]

    return job


def row_lines(saliency: np.ndarray, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """x, y of one line per row, each scaled to its row's largest step and drawn inside the row's band (r + 0.1 to
    r + 0.9), NaN between rows so that one curve draws them all."""
    xs, ys = [], []
    for r in range(min(rows, len(saliency))):
        row = np.asarray(saliency[r], dtype=float)
        top = row.max() if row.size and row.max() > 0 else 1.0
        xs += [np.arange(len(row)) + 0.5, [np.nan]]
        ys += [r + 0.1 + 0.8 * row / top, [np.nan]]
    if not xs:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(xs), np.concatenate(ys)


@register_view("adding")
class AddingView(TaskView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.seq_plot = pg.PlotWidget()
        item = self.seq_plot.getPlotItem()
        style_plot(item, title=_("sequences (shade = value, dot = marked)"), x=_("time step t"), y=_("sequence"))
        grey = np.linspace(255, 60, 256).astype(np.ubyte)
        self.heat = Heatmap(item, (0.0, 1.0), np.stack([grey] * 3, axis=1), colorbar=False)
        self.marks = pg.ScatterPlotItem(size=9, brush=pg.mkBrush(theme.MODEL), pen=pg.mkPen("w"))
        item.addItem(self.marks)
        self.saliency_curve = pg.PlotDataItem(pen=pg.mkPen(SALIENCY_COLOR, width=2))
        self.saliency_curve.setZValue(5)
        item.addItem(self.saliency_curve)
        self.show_saliency = QCheckBox(_("Saliency"))
        self.show_saliency.setToolTip(_("Over each row, how much each step moved the model's answer (the size of "
                                        "the gradient of the answer with respect to x_t, scaled to the row's "
                                        "largest): a model that solved the task looks at the two marked steps."))
        self.show_saliency.toggled.connect(self._saliency_toggled)
        self.api = None
        self.clamps: tuple = ()
        self.saliency = None  # (rows, time) of the last answer, for the rows shown
        self._asked = 0.0
        self.ans_plot = pg.PlotWidget()
        ans = self.ans_plot.getPlotItem()
        style_plot(ans, x=_("sum"))
        legend_title(ans, _("target vs answer"), [(_("target"), "#7d8da1", "■"), (_("model"), theme.MODEL, "dot")])
        self.bars = pg.BarGraphItem(x0=np.zeros(ROWS), y=np.arange(ROWS) + 0.5, height=0.6, width=np.zeros(ROWS),
                                    brush=pg.mkBrush("#c9d3e0"), pen=pg.mkPen("#7d8da1"))
        ans.addItem(self.bars)
        self.answers = pg.ScatterPlotItem(size=10, brush=pg.mkBrush(theme.MODEL), pen=pg.mkPen(None))
        ans.addItem(self.answers)
        ans.setXRange(0, 2.0, padding=0.02)
        ans.setYLink(item)
        ans.hideAxis("left")
        self.caption = QLabel(wordWrap=True)
        self.caption.setObjectName("viewCaption")
        row = QHBoxLayout()
        row.setSpacing(2)
        row.addWidget(self.seq_plot, 3)
        row.addWidget(self.ans_plot, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row, 1)
        foot = QHBoxLayout()
        foot.addWidget(self.caption, 1)
        foot.addWidget(self.show_saliency)
        layout.addLayout(foot)

    def set_trainer_api(self, api) -> None:
        self.api = api

    def configure(self, info) -> None:
        """Another run: the saliency shown was another model's; asked again with the next view."""
        super().configure(info)
        self.saliency, self._asked = None, 0.0
        self.saliency_curve.setData([], [])

    def set_clamps(self, clamps: tuple) -> None:
        """The Cell tab's clamp: the saliency shown is the clamped model's."""
        self.clamps = tuple(clamps)
        if self.show_saliency.isChecked():
            self.request_saliency()

    def _saliency_toggled(self, on: bool) -> None:
        if on:
            self.request_saliency()
        else:
            self.saliency = None
            self.saliency_curve.setData([], [])

    def request_saliency(self) -> None:
        if self.api is None or not self.api.has_model():
            return
        self._asked = time.monotonic()
        self.api.submit(saliency_job(self.clamps), self._show_saliency,
                        lambda message: self.caption.setText(message), key=f"adding-saliency-{id(self)}")

    def _show_saliency(self, values) -> None:
        if not self.show_saliency.isChecked():
            return
        self.saliency = np.asarray(values)
        self.saliency_curve.setData(*row_lines(self.saliency, ROWS), connect="finite")

    def update_view(self, data: dict) -> None:
        if self.api is None or not self.api.has_model():  # a race's or a saved run's rows: no model to ask here
            self.saliency = None
            self.saliency_curve.setData([], [])
        elif self.show_saliency.isChecked() and time.monotonic() - self._asked >= REQUEST_INTERVAL_S:
            self.request_saliency()  # the weights moved: the rows' saliency again
        values = np.asarray(data["values"], dtype=np.float32)[:ROWS]
        markers = np.asarray(data["markers"])[:ROWS]
        target = np.asarray(data["target"], dtype=float)[:ROWS]
        pred = np.asarray(data["prediction"], dtype=float)[:ROWS]
        rows = len(values)
        self.heat.set(values)
        r, t = np.nonzero(markers > 0)
        self.marks.setData(t + 0.5, r + 0.5)
        y = np.arange(rows) + 0.5
        self.bars.setOpts(x0=np.zeros(rows), y=y, width=target, height=0.6)
        self.answers.setData(pred, y)
        err = np.abs(pred - target)
        solved = int((err < 0.04).sum())
        self.caption.setText(_("T = {value} steps. Mean |answer - target| on these {rows} sequences: {mean:.3g} "
                               "({solved} within 0.04). Always answering 1.0 would be off by {mean2:.3f}.").format(value=data.get('length', values.shape[1]), rows=rows, mean=err.mean(), solved=solved, mean2=np.abs(target - 1.0).mean()))


if __name__ == "__main__":
    from ._alone import run_alone

    tiny = {"task": {"name": "adding", "options": {"length": 40}}, "model": {"cell": "lstm", "hidden_size": 16},
           "training": {"steps": 60}}
    raise SystemExit(run_alone(AddingView, tiny, size=(900, 480)))
