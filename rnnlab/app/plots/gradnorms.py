"""Gradient norms over training steps (log scale): the global norm, one curve per parameter group (embedding, each
recurrent layer and direction, head), the clipping level, and at every clipped step an orange stroke from the clip
level up to the norm: the part that clipping cut off.

With several runs (show_runs): each run's global norm in the run's colour, and the clip level. Runs alone on a
recorded run: `python -m rnnlab.app.plots.gradnorms [RUN_FOLDER]`."""

from __future__ import annotations

import re

import sys
from typing import Optional

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout

from ...train.history import grad_col, grad_groups
from ...train.info import RunInfo
from .. import theme
from ..run.rundata import RunData
from ..run.runset import RunSet, Track
from .alone import run_alone
from .common import RunAverages, StableRange, curve, finite_xy, legend_title, pen, style_plot
from .overlay import RunsPanel
from ...i18n import N_, _, ngettext


SMOOTH_SPAN = 25  # steps of the moving average (of log10 ||grad||) drawn over each run's noisy norm



def group_label(name: str) -> str:
    """A parameter group's name (an English key in metrics.csv: 'rnn layer 0 (reverse)', 'head') as the legend says it."""
    m = re.fullmatch(r"rnn layer (\d+)( \(reverse\))?", name)
    if m:
        return (_("rnn layer {n} (reverse)") if m.group(2) else _("rnn layer {n}")).format(n=m.group(1))
    return {"head": _("head"), "embedding": _("embedding")}.get(name, name)


class GradNormPanel(RunsPanel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._track_ema = RunAverages(SMOOTH_SPAN)
        self.glw = pg.GraphicsLayoutWidget()
        self.plot = self.glw.addPlot()
        style_plot(self.plot, x=_("step"), y=_("norm (log scale)"))
        self.plot.setLogMode(x=False, y=True)
        self.global_curve = curve(self.plot, theme.GLOBAL_NORM)
        self.global_curve.setObjectName("grad_norm")  # its column in an exported CSV, as in metrics.csv
        self.global_curve.setZValue(3)
        # One path of vertical strokes (connect="pairs"): cheap however many steps were clipped.
        self.clip_marks = self.plot.plot([], [], pen=pen(theme.CLIP_MARK, 1), connect="pairs")
        self.clip_marks.setZValue(4)
        self.x_range = StableRange(self.plot, "x")
        self.y_range = StableRange(self.plot, "y", log=True)
        self.total_steps = 0
        self.threshold = self.plot.plot([], [], pen=pen(theme.CLIP_MARK, 1, Qt.DashLine))
        self.threshold.setObjectName("max_grad_norm")
        self.group_curves: dict[str, pg.PlotDataItem] = {}
        self._seen = -1
        self._runs_frame = None
        self.clipping = True  # whether the run clips: without clipping the legend has no clip level
        self._legend()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.legend)
        layout.addWidget(self.glw, 1)

    def configure(self, info: RunInfo) -> None:
        """Frame the axes for a run: steps 0 to its planned total; the clip level when it clips."""
        self._info = info
        self.set_clipping(info.max_grad_norm is not None)
        self.set_total_steps(info.total_steps)

    def _clip_level(self, data: Optional[RunData]) -> Optional[float]:
        # data.max_grad_norm: until the window configures the panels (it sets RunData's copy today).
        if self._info is not None:
            return self._info.max_grad_norm
        return data.max_grad_norm if data is not None else None

    def reset(self) -> None:
        for c in (self.global_curve, self.clip_marks, self.threshold):
            c.setData([], [])
        for name, c in self.group_curves.items():
            self.plot.removeItem(c)
        self.group_curves = {}
        self._seen = -1
        self._show_empty()
        self._legend()

    def set_clipping(self, on: bool) -> None:
        if on != self.clipping:
            self.clipping = on
            self._legend()

    def set_total_steps(self, total: int) -> None:
        self.total_steps = total
        self._show_empty()

    def _show_empty(self) -> None:
        """Axes for a run that has no points yet: steps 0 to the planned total, norms 0.001 to 10."""
        self.x_range.show_empty(0.0, float(max(1, self.total_steps)))
        self.y_range.show_empty(-3.0, 1.0)

    def show_runs(self, runs: Optional[RunSet]) -> None:
        """Draw every track of `runs` (a race, compared runs) in its colour; None: back to the single run."""
        self.overlay.show(runs)
        self._track_ema.clear()
        for c in (self.global_curve, self.clip_marks, *self.group_curves.values()):
            c.setVisible(runs is None)
        self._seen = -1
        self._runs_frame = None  # (planned steps, clip level) the runs drawn were framed with
        if runs is not None:
            self._info = None  # the run shown before frames nothing of a race or a comparison (issue 19, item 1)
            self.set_clipping(False)
        self._legend()
        if runs is not None:
            self.refresh(None)

    def _legend(self) -> None:
        if self.overlay.active:  # each run in its own colour (the legend strip): here only what the styles mean
            entries = [(_("smoothed"), theme.FOREGROUND, "line"), (_("each step"), "#aaaaaa", "line")]
            title = _("Global gradient norm ‖∇L‖")
        else:
            entries = [(_("global"), theme.GLOBAL_NORM, "line")]
            entries += [(group_label(name), theme.group_color(i), "line") for i, name in enumerate(self.group_curves)]
            title = _("Gradient norm ‖∇L‖")
        if self.clipping:
            entries.append((_("clip level"), theme.CLIP_MARK, "dash"))
            if not self.overlay.active:
                entries.append((_("cut off by clipping"), theme.CLIP_MARK, "┃"))
        legend_title(self.plot, _("{title} before clipping").format(title=title) if self.clipping else _("{title} (clipping off)").format(title=title), entries)

    def has_news(self, data: RunData) -> bool:
        if self.overlay.active:
            return self.overlay.has_news()
        return data.version != self._seen

    def refresh(self, data: Optional[RunData]) -> None:
        if self.overlay.active:
            self._refresh_runs()
            return
        if data is None or data.version == self._seen:
            return
        self._seen = data.version
        steps = data.steps
        norm = data.col("grad_norm")
        level = self._clip_level(data)
        self.global_curve.setData(*finite_xy(steps, norm, positive=True))
        for i, name in enumerate(grad_groups(data.columns)):
            c = self.group_curves.get(name)
            if c is None:
                c = self.group_curves[name] = curve(self.plot, theme.group_color(i))
                c.setAlpha(0.6, False)  # under the global norm, which stays the one to read
                self._legend()
            c.setData(*finite_xy(steps, data.col(grad_col(name)), positive=True))
        clipped = (data.col("clipped") > 0.5) & np.isfinite(norm) & (norm > 0)
        if level and clipped.any():
            xs = np.repeat(steps[clipped], 2)
            ys = np.empty(len(xs))
            ys[0::2] = level
            ys[1::2] = norm[clipped]
            self.clip_marks.setData(xs, ys, connect="pairs")
        else:
            self.clip_marks.setData([], [])
        if len(steps):
            groups = [data.col(grad_col(n)) for n in self.group_curves]
            self._fit(float(steps[-1]), [norm, *groups], level)

    def _fit(self, last_step: float, columns: list, level: Optional[float]) -> None:
        self.x_range.fit_steps(last_step, self.total_steps)
        self.y_range.fit(np.concatenate([np.asarray([level] if level else [], dtype=float), *columns]))
        if level:
            self.threshold.setData(np.array([0.0, max(1.0, last_step)]), np.full(2, level))
        else:
            self.threshold.setData([], [])

    # --- several runs ------------------------------------------------------------------------------------------------

    def _make_track(self, track: Track) -> list:
        raw = curve(self.plot, track.colour)
        raw.setAlpha(0.25, False)  # three runs' raw norms overlap into noise: their trend is the curve to read
        return [raw, curve(self.plot, track.colour, width=2)]

    def _drop_track(self, items: list) -> None:
        for item in items:
            self.plot.removeItem(item)

    def _draw_track(self, track: Track, items: list) -> None:
        data = track.data
        norm = data.col("grad_norm")
        items[0].setData(*finite_xy(data.steps, norm, positive=True))
        with np.errstate(divide="ignore", invalid="ignore"):  # averaged in log10: a geometric mean, as drawn
            logs = np.log10(np.where(norm > 0, norm, np.nan))
        items[1].setData(*finite_xy(data.steps, 10.0 ** self._track_ema.update(track.key, data, logs), positive=True))

    def _refresh_runs(self) -> None:
        runs = self.overlay.runs
        self.overlay.refresh()
        # A race's runners get their RunInfo when they start, after their tracks came: checked at every refresh.
        infos = [t.info for t in runs if t.info is not None]
        frame = (max(i.total_steps for i in infos), next((i.max_grad_norm for i in infos
                                                          if i.max_grad_norm is not None), None)) if infos else None
        if frame != self._runs_frame:
            self._runs_frame = frame
            if frame is not None:
                self.total_steps = frame[0]
                self._info = next((i for i in infos if i.max_grad_norm is not None), infos[0])
                self.set_clipping(self._info.max_grad_norm is not None)
                self._show_empty()
        tracks = [t for t in runs if len(t.data.steps)]
        if tracks:
            last = max(float(t.data.steps[-1]) for t in tracks)
            self._fit(last, [t.data.col("grad_norm") for t in tracks], self._clip_level(None))


def main(argv: Optional[list[str]] = None) -> int:
    """This panel alone on a recorded run: `python -m rnnlab.app.plots.gradnorms [RUN_FOLDER] [--screenshot PNG]`."""
    return run_alone(GradNormPanel, sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
