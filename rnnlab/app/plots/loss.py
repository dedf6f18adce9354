"""Loss and task metric over training steps: training loss (raw and smoothed), validation loss, the validation metric
with the task's baselines as dashed lines. Log-scale toggle for the loss."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from .. import theme
from ..rundata import RunData
from .common import Growing, StableRange, curve, finite_xy, legend_title, pen, style_plot

SMOOTH_SPAN = 25  # steps of the exponential moving average drawn over the noisy training loss


class LossPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.log_box = QCheckBox("log scale")
        self.log_box.setToolTip("Show the loss on a logarithmic axis: late, small improvements become visible.")
        self.log_box.setChecked(True)
        self.log_box.toggled.connect(self._set_log)
        self._data = None  # the run drawn last (a toggle redraws it)
        self.glw = pg.GraphicsLayoutWidget()
        self.loss = self.glw.addPlot(row=0, col=0)
        style_plot(self.loss, x="step", y="loss")
        legend_title(self.loss, "Loss", [("train", theme.TRAIN, "line"), ("train, smoothed", theme.TRAIN_SMOOTH, "line"),
                                         ("validation", theme.VAL, "dot")])
        self.metric = self.glw.addPlot(row=1, col=0)
        style_plot(self.metric, x="step", y="metric")
        self._metric_title = "Validation metric"
        self.metric.setXLink(self.loss)
        self.train_raw = self.loss.plot([], [], pen=pen(theme.TRAIN, alpha=90))
        self.train_raw.setClipToView(True)
        self.train_raw.setDownsampling(auto=True, method="peak")
        self.train_smooth = curve(self.loss, theme.TRAIN_SMOOTH, width=2)
        self.val_loss = curve(self.loss, theme.VAL, symbol="o")
        self.val_metric = curve(self.metric, theme.METRIC, symbol="o")
        self.baseline_lines: list[tuple[pg.PlotDataItem, float]] = []
        self.x_range = StableRange(self.loss, "x")
        self.y_range = StableRange(self.loss, "y", log=True)
        self.metric_range = StableRange(self.metric, "y")
        self._val_count = -1
        self.total_steps = 0
        self._smooth = Growing()
        self._acc = math.nan
        self._seen = -1
        self._baselines_seen = None
        self._set_log(True)
        head = QHBoxLayout()
        head.setContentsMargins(4, 0, 4, 0)
        head.addStretch(1)
        head.addWidget(self.log_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(head)
        layout.addWidget(self.glw, 1)

    def _set_log(self, on: bool) -> None:
        self.loss.setLogMode(x=False, y=on)
        if hasattr(self, "y_range"):
            self.y_range.log = on
            self.y_range.show_empty(*self._empty_y())
            self._seen = -1
            self._val_count = -1
        self.loss.setLabel("left", "loss (log scale)" if on else "loss", **theme.label_style())
        if self._data is not None:  # redraw now: a paused or finished run gets no new update to do it
            self.refresh(self._data)

    def reset(self) -> None:
        self._data = None
        for c in (self.train_raw, self.train_smooth, self.val_loss, self.val_metric):
            c.setData([], [])
        self._remove_baselines()
        self._baselines_seen = None
        self._smooth.clear()
        self._acc = math.nan
        self._seen = -1
        self._val_count = -1
        self._show_empty()

    def set_total_steps(self, total: int) -> None:
        self.total_steps = total
        self._show_empty()

    def _empty_y(self) -> tuple[float, float]:
        return (-2.0, 1.0) if self.log_box.isChecked() else (0.0, 1.0)  # log: 0.01 to 10

    def _show_empty(self) -> None:
        """Axes for a run that has no points yet: steps 0 to the planned total, loss over whole decades."""
        self.x_range.show_empty(0.0, float(max(1, self.total_steps)))
        self.y_range.show_empty(*self._empty_y())
        self.metric_range.show_empty(0.0, 1.0)

    def set_metric(self, metric_title: str, higher_is_better: bool) -> None:
        better = "higher is better" if higher_is_better else "lower is better"
        self._metric_title = f"Validation {metric_title} ({better})"
        self.metric.setLabel("left", metric_title, **theme.label_style())
        self._metric_legend([])

    def _metric_legend(self, baselines: list[tuple[str, str, float]]) -> None:
        entries = [("model", theme.METRIC, "dot")]
        entries += [(f"{name} {value:.4g}", color, "dash") for name, color, value in baselines]
        legend_title(self.metric, self._metric_title, entries)

    def has_news(self, data: RunData) -> bool:
        return data.version != self._seen

    def refresh(self, data: RunData) -> None:
        self._data = data
        if data.version == self._seen:
            return
        self._seen = data.version
        steps = data.steps
        train = data.col("train_loss")
        # Smooth only the points that are new since the last refresh.
        alpha = 2.0 / (SMOOTH_SPAN + 1.0)
        new = train[self._smooth.n:]
        out = np.empty(len(new))
        acc = self._acc
        for i, v in enumerate(new):
            if math.isfinite(v):
                acc = v if not math.isfinite(acc) else acc + alpha * (v - acc)
            out[i] = acc
        self._acc = acc
        self._smooth.extend(out)
        log = self.log_box.isChecked()
        self.train_raw.setData(*finite_xy(steps, train, positive=log))
        self.train_smooth.setData(*finite_xy(steps, self._smooth.values, positive=log))
        val = data.col("val_loss")
        count = int(np.isfinite(val).sum())
        if count != self._val_count:  # validation points (with symbols: costly) only when there is a new one
            self._val_count = count
            self.val_loss.setData(*finite_xy(steps, val, positive=log))
            if data.metric_key:
                metric = data.col(f"val_{data.metric_key}")
                self.val_metric.setData(*finite_xy(steps, metric))
                baseline_values = np.array([v for _, v in self.baseline_lines], dtype=float)
                self.metric_range.fit(np.concatenate([metric, baseline_values]))
        if len(steps):
            self.x_range.fit_steps(float(steps[-1]), self.total_steps)
            self.y_range.fit(np.concatenate([train, val]))
        if data.val_baselines is not None and data.val_baselines is not self._baselines_seen:
            self._baselines_seen = data.val_baselines
            self._draw_baselines(data)
        if self.baseline_lines and len(steps):
            x = np.array([0.0, max(1.0, float(steps[-1]))])
            for line, value in self.baseline_lines:
                line.setData(x, np.array([value, value]))

    def _remove_baselines(self) -> None:
        for line, _ in self.baseline_lines:
            self.metric.removeItem(line)
        self.baseline_lines = []

    def _draw_baselines(self, data: RunData) -> None:
        """Each baseline as a dashed level across the steps so far (a curve, so autorange keeps it in view)."""
        self._remove_baselines()
        shown = []
        for i, (name, scores) in enumerate(data.val_baselines.items()):
            value = scores.get(data.metric_key)
            if value is None or not math.isfinite(value):
                continue
            color = theme.baseline_color(name, i)
            line = curve(self.metric, color, style=Qt.DashLine, long=False)
            self.baseline_lines.append((line, value))
            shown.append((name, color, value))
        self._metric_legend(shown)
        self._val_count = -1  # refit the metric's range with the baselines in it
