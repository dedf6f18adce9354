"""Adding-problem view: a few validation sequences, where their two markers are, the target sum and the model's answer.

Left: each row is one sequence, its values as grey shades, the two marked steps as red dots. Right: for the same rows,
the target (bar) and the model's answer (red dot); a dot on the end of its bar is a correct answer.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from .. import theme
from ..plots.common import Heatmap, legend_title, style_plot
from . import register_view
from .base import TaskView
from ...i18n import N_, _, ngettext

ROWS = 8


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
        layout.addWidget(self.caption)

    def update_view(self, data: dict) -> None:
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
