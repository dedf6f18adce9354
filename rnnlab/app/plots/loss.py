"""Loss and task metric over training steps: training loss (raw and smoothed), validation loss, the validation metric
with the task's baselines as dashed lines. Log-scale toggle for the loss.

With several runs (show_runs): each run's smoothed training loss and validation metric in the run's colour, the
baselines once. Runs alone on a recorded run: `python -m rnnlab.app.plots.loss [RUN_FOLDER]`."""

from __future__ import annotations

import math
import sys
from typing import Optional

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QSplitter, QVBoxLayout

from ...train.history import val_col
from ...train.info import RunInfo
from ...train.numbers import readable
from .. import theme
from ..run.rundata import RunData
from ..run.runset import RunSet, Track
from .alone import run_alone
from .common import EMA, RunAverages, StableRange, curve, finite_xy, legend_title, pen, style_plot
from .overlay import RunsPanel
from ...i18n import N_, _, ngettext

SMOOTH_SPAN = 25  # steps of the exponential moving average drawn over the noisy training loss
MIN_PLOT_PX = 90  # the least height of each plot's data area the panel asks the window for (issue 9, item 6)
MAX_SHARE = 0.62  # of the window's splitter, at most, for that


class LossPanel(RunsPanel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._track_ema = RunAverages(SMOOTH_SPAN)
        self._track_val: dict[str, tuple] = {}  # (curve, data, validation points) drawn per run
        self.log_box = QCheckBox(_("log scale"))
        self.log_box.setToolTip(_("Show the loss on a logarithmic axis: late, small improvements become visible."))
        self.log_box.setChecked(True)
        self.log_box.toggled.connect(self._set_log)
        self._data = None  # the run drawn last (a toggle redraws it)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.ci.setContentsMargins(2, 2, 2, 2)  # the panel's height goes to the plots, not to margins
        self.glw.ci.setSpacing(4)
        self.loss = self.glw.addPlot(row=0, col=0)
        style_plot(self.loss, x=_("step"), y=_("loss"))
        self._loss_legend()
        self.metric_plot = self.glw.addPlot(row=1, col=0)
        style_plot(self.metric_plot, x=_("step"), y=_("metric"))
        self._metric_title = _("Validation metric")
        self.metric_plot.setXLink(self.loss)
        # The plot below names the steps the two share: the loss plot keeps its numbers and gives the line to its data.
        self.loss.getAxis("bottom").showLabel(False)
        self.train_raw = self.loss.plot([], [], pen=pen(theme.TRAIN, alpha=90))
        self.train_raw.setClipToView(True)
        self.train_raw.setDownsampling(auto=True, method="peak")
        self.train_smooth = curve(self.loss, theme.TRAIN_SMOOTH, width=2)
        self.val_loss = curve(self.loss, theme.VAL, symbol="o")
        self.val_metric = curve(self.metric_plot, theme.METRIC, symbol="o")
        # File > Export names a curve's column by its object name: the name metrics.csv gives the same numbers
        for item, column in ((self.train_raw, "train_loss"), (self.train_smooth, "train_loss_smoothed"),
                             (self.val_loss, "val_loss")):
            item.setObjectName(column)
        self.baseline_lines: list[tuple[pg.PlotDataItem, float]] = []
        self.x_range = StableRange(self.loss, "x")
        self.y_range = StableRange(self.loss, "y", log=True)
        self.metric_range = StableRange(self.metric_plot, "y")
        self._val_count = -1
        self.total_steps = 0
        self._smooth = EMA(SMOOTH_SPAN)
        self._seen = -1
        self._baselines_seen = None
        self._runs_frame = None  # (metric, title, higher is better, steps) the runs drawn were framed with
        self._set_log(True)
        head = QHBoxLayout()
        head.setContentsMargins(4, 0, 4, 0)
        head.addWidget(self.legend, 1)  # the runs' names, when several are shown (hidden otherwise); it wraps
        head.addStretch(0)
        head.addWidget(self.log_box, 0, Qt.AlignTop | Qt.AlignRight)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(head)
        layout.addWidget(self.glw, 1)
        for item in (self.loss, self.metric_plot):
            item.vb.sigResized.connect(self._ask_for_room)

    def _ask_for_room(self, _vb=None) -> None:
        """Ask the window's splitter for what the titles, legends and axes take plus MIN_PLOT_PX for each plot: at
        1024x768 and 130 % zoom they took all but 30-45 px of the panel's 340 (issue 9, item 6). At most
        MAX_SHARE of the splitter: the Gates tab below needs the rest."""
        splitter = self.parentWidget()
        while splitter is not None and not (isinstance(splitter, QSplitter) and splitter.orientation() == Qt.Vertical):
            splitter = splitter.parentWidget()
        if splitter is None or self.glw.height() <= 0:
            return
        # Everything but the two data areas: the strip above the plots, the margins, each plot's title and x axis.
        fixed = self.height() - self.glw.height() + 10 + sum(
            item.layout.rowMaximumHeight(0) + item.getAxis("bottom").height() for item in (self.loss, self.metric_plot))
        room = min(int(fixed) + 2 * MIN_PLOT_PX, int(MAX_SHARE * sum(splitter.sizes())))
        if room != self.minimumHeight():
            self.setMinimumHeight(room)
            if self.height() < room:
                splitter.setSizes(splitter.sizes())  # a splitter reads its children's minimum again only when told

    def _set_log(self, on: bool) -> None:
        self.loss.setLogMode(x=False, y=on)
        if hasattr(self, "y_range"):
            self.y_range.log = on
            self.y_range.show_empty(*self._empty_y())
            self._seen = -1
            self._val_count = -1
        self.loss.setLabel("left", _("loss (log scale)") if on else _("loss"), **theme.label_style())
        self.overlay.redraw()
        if self._data is not None or self.overlay.active:
            self.refresh(self._data)  # redraw now: a paused or finished run gets no new update to do it

    def configure(self, info: RunInfo) -> None:
        """Frame the axes for a run: steps 0 to its planned total, its task's metric and which way is better."""
        self._info = info
        self.val_metric.setObjectName(val_col(info.metric_key))  # its column in an exported CSV, as in metrics.csv
        self.set_total_steps(info.total_steps)
        self.set_metric(info.metric_title, info.higher_is_better)

    def reset(self) -> None:
        self._data = None
        for c in (self.train_raw, self.train_smooth, self.val_loss, self.val_metric):
            c.setData([], [])
        self._remove_baselines()
        self._baselines_seen = None
        self._smooth.clear()
        self._seen = -1
        self._val_count = -1
        self._show_empty()

    def show_runs(self, runs: Optional[RunSet]) -> None:
        """Draw every track of `runs` (a race, compared runs) in its colour; None: back to the single run."""
        self.overlay.show(runs)
        self._track_ema.clear()
        self._track_val = {}
        for c in (self.train_raw, self.train_smooth, self.val_loss, self.val_metric):
            c.setVisible(runs is None)
        self._remove_baselines()
        self._baselines_seen = None
        self._seen = -1
        self._val_count = -1
        self._runs_frame = None
        if runs is not None:
            self._info = None  # the run shown before frames nothing of a race or a comparison (issue 19, item 1)
            self._metric_title = _("Validation metric")  # until a run of theirs says which
            self.metric_plot.setLabel("left", _("metric"), **theme.label_style())
        self._loss_legend()
        self._metric_legend([])
        if runs is not None:
            self.refresh(None)

    def _loss_legend(self) -> None:
        if self.overlay.active:
            legend_title(self.loss, _("Training loss, smoothed"), [])
        else:
            legend_title(self.loss, _("Loss"), [(_("train"), theme.TRAIN, "line"),
                                                (_("train, smoothed"), theme.TRAIN_SMOOTH, "line"),
                                                (_("validation"), theme.VAL, "dot")])

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
        metric_title = _(metric_title)  # a task's title is a message id (N_): said in the user's language here
        better = _("higher is better") if higher_is_better else _("lower is better")
        self._metric_title = _("Validation {metric_title} ({better})").format(metric_title=metric_title, better=better)
        self.metric_plot.setLabel("left", metric_title, **theme.label_style())
        self._metric_legend([])

    def _metric_legend(self, baselines: list[tuple[str, str, float]]) -> None:
        entries = [] if self.overlay.active else [(_("model"), theme.METRIC, "dot")]
        entries += [(f"{_(name)} {readable(value)}", color, "dash") for name, color, value in baselines]
        legend_title(self.metric_plot, self._metric_title, entries)

    def _metric_key(self, data: Optional[RunData]) -> str:
        # data.metric_key: until the window configures the panels (it sets RunData's copy today).
        return self._info.metric_key if self._info is not None else (data.metric_key if data else "")

    def _baselines(self, data: Optional[RunData], info: Optional[RunInfo]) -> Optional[dict]:
        """The validation baselines of a live run; a saved run has its test split's ones in summary.json."""
        if data is not None and data.val_baselines is not None:
            return data.val_baselines
        return info.final.get("baselines") if info is not None else None

    def has_news(self, data: RunData) -> bool:
        if self.overlay.active:
            return self.overlay.has_news()
        return data.version != self._seen

    def refresh(self, data: Optional[RunData]) -> None:
        self._data = data
        if self.overlay.active:
            self._refresh_runs()
            return
        if data is None or data.version == self._seen:
            return
        self._seen = data.version
        steps = data.steps
        train = data.col("train_loss")
        self._smooth.update(train)  # smooths only the points that are new since the last refresh
        log = self.log_box.isChecked()
        self.train_raw.setData(*finite_xy(steps, train, positive=log))
        self.train_smooth.setData(*finite_xy(steps, self._smooth.values, positive=log))
        val = data.col("val_loss")
        count = int(np.isfinite(val).sum())
        if count != self._val_count:  # validation points (with symbols: costly) only when there is a new one
            self._val_count = count
            self.val_loss.setData(*finite_xy(steps, val, positive=log))
            if self._metric_key(data):
                metric = data.col(val_col(self._metric_key(data)))
                self.val_metric.setData(*finite_xy(steps, metric))
                baseline_values = np.array([v for _, v in self.baseline_lines], dtype=float)
                self.metric_range.fit(np.concatenate([metric, baseline_values]))
        if len(steps):
            self.x_range.fit_steps(float(steps[-1]), self.total_steps)
            self.y_range.fit(np.concatenate([train, val]))
        baselines = self._baselines(data, self._info)
        if baselines is not None and baselines is not self._baselines_seen:
            self._baselines_seen = baselines
            self._draw_baselines(baselines, self._metric_key(data))
        if len(steps):
            self._stretch_baselines(float(steps[-1]))

    def _stretch_baselines(self, last_step: float) -> None:
        x = np.array([0.0, max(1.0, last_step)])
        for line, value in self.baseline_lines:
            line.setData(x, np.array([value, value]))

    # --- several runs ------------------------------------------------------------------------------------------------

    def _make_track(self, track: Track) -> list:
        smooth = curve(self.loss, track.colour, width=2)
        metric = curve(self.metric_plot, track.colour, symbol="o", long=False)
        metric.setSymbolSize(5)
        return [smooth, metric]

    def _drop_track(self, items: list) -> None:
        self.loss.removeItem(items[0])
        self.metric_plot.removeItem(items[1])

    def _draw_track(self, track: Track, items: list) -> None:
        data, log = track.data, self.log_box.isChecked()
        smooth = self._track_ema.update(track.key, data, data.col("train_loss"))
        items[0].setData(*finite_xy(data.steps, smooth, positive=log))
        key = track.info.metric_key if track.info is not None else track.data.metric_key
        metric = data.col(val_col(key)) if key else np.zeros(0)
        if len(metric) != len(data.steps):  # a runner not yet started, or a column its task does not have
            metric = np.full(len(data.steps), np.nan)
        mark = (items[1], data, int(np.isfinite(metric).sum()))
        if self._track_val.get(track.key) != mark:  # points with symbols are costly: only when there is a new one
            self._track_val[track.key] = mark
            items[1].setData(*finite_xy(data.steps, metric))

    def _refresh_runs(self) -> None:
        runs = self.overlay.runs
        self.overlay.refresh()
        self._frame_runs(list(runs))
        tracks = list(runs)
        first = next((t for t in tracks if self._baselines(t.data, t.info) is not None), None)
        baselines = self._baselines(first.data, first.info) if first is not None else None
        if baselines is not None and self._info is not None and baselines is not self._baselines_seen:
            self._baselines_seen = baselines
            self._draw_baselines(baselines, self._info.metric_key)
        last = max((float(t.data.steps[-1]) for t in tracks if len(t.data.steps)), default=None)
        if last is None:
            return
        self.x_range.fit_steps(last, self.total_steps)
        self._stretch_baselines(last)
        smooth = self._track_ema.values()
        self.y_range.fit(np.concatenate([np.zeros(0), *smooth]))
        metrics = [self.overlay.items[t.key][1].yData for t in tracks]
        levels = np.array([v for _, v in self.baseline_lines], dtype=float)
        self.metric_range.fit(np.concatenate([levels, *[m for m in metrics if m is not None]]))

    def _frame_runs(self, tracks: list) -> None:
        """The metric's title and the planned steps of the runs drawn: a race's runners get their RunInfo only when
        they start, after the tracks came, so this is checked at every refresh, not only when tracks come or go."""
        infos = [t.info for t in tracks if t.info is not None]
        frame = (infos[0].metric_key, infos[0].metric_title, infos[0].higher_is_better,
                 max(i.total_steps for i in infos)) if infos else None
        if frame == self._runs_frame:
            return
        self._runs_frame = frame
        if frame is None:
            return
        self._info = infos[0]
        self.total_steps = frame[3]
        self.set_metric(frame[1], frame[2])
        self._show_empty()  # the ranges of the run shown before are not this task's
        self._baselines_seen = None  # drawn again with this metric's values

    def _remove_baselines(self) -> None:
        for line, _unused in self.baseline_lines:
            self.metric_plot.removeItem(line)
        self.baseline_lines = []

    def _draw_baselines(self, baselines: dict, metric_key: str) -> None:
        """Each baseline as a dashed level across the steps so far (a curve, so autorange keeps it in view)."""
        self._remove_baselines()
        shown = []
        for i, (name, scores) in enumerate(baselines.items()):
            value = scores.get(metric_key)
            if value is None or not math.isfinite(value):
                continue
            color = theme.baseline_color(name, i)
            line = curve(self.metric_plot, color, style=Qt.DashLine, long=False)
            self.baseline_lines.append((line, value))
            shown.append((name, color, value))
        self._metric_legend(shown)
        self._val_count = -1  # refit the metric's range with the baselines in it


def main(argv: Optional[list[str]] = None) -> int:
    """This panel alone on a recorded run: `python -m rnnlab.app.plots.loss [RUN_FOLDER] [--screenshot PNG]`."""
    return run_alone(LossPanel, sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
