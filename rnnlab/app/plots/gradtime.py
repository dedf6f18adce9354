"""Gradient through time: ||dL/dh_t|| against t from the gate probe, and its history as a heatmap (step x t).

The loss is read at the end (or at every step, for many-to-many tasks); its gradient flows back through the
recurrence, and ||dL/dh_t|| shows how much of it reaches step t. In a vanilla RNN it shrinks geometrically towards
early steps (the vanishing gradient); an LSTM's cell path keeps it alive. The line plot shows the latest probe beside
the probe before training; the heatmap stacks every probe, so the picture changing with training is visible.

With several runs (show_runs): each run's curve now (solid) and before training (dashed) in the run's colour, the
vanishing gradient of an RNN beside the flat line of an LSTM in one picture; the heatmap shows the chosen run. Runs
alone on a recorded run: `python -m rnnlab.app.plots.gradtime [RUN_FOLDER]`.
"""

from __future__ import annotations

import math
import sys
from typing import Optional

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout

from ...train.info import RunInfo
from .. import theme
from ..run.rundata import RunData, norms_row
from ..run.runset import RunSet, Track
from .alone import run_alone
from .common import Heatmap, StepAxis, curve, legend_title, style_plot
from .overlay import RunsPanel
from ...i18n import N_, _, ngettext


FIRST_COLOR = "#888888"


def key_label(key: tuple, directions: int) -> str:
    layer, direction = key[0], key[1]
    if directions == 1:
        return _("layer {layer}").format(layer=layer)
    return (_("layer {layer} backward") if direction else _("layer {layer} forward")).format(layer=layer)


def positive_xy(norms) -> tuple[np.ndarray, np.ndarray]:
    """(t, ||dL/dh_t||) where a log axis can draw it."""
    norms = norms_row(norms)
    t = np.arange(len(norms), dtype=float)
    ok = np.isfinite(norms) & (norms > 0)
    return t[ok], norms[ok]


class GradTimePanel(RunsPanel):
    HEAT_TITLE = N_("History: log₁₀ ‖∂L/∂hₜ‖ per probe")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._heat_seen = None  # (key, data, probe version) of the run whose history the heatmap shows
        self.which = QComboBox()
        self.which.setToolTip(_("Which recurrent layer (and direction) the heatmap shows."))
        self.which.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.which.currentIndexChanged.connect(self._changed)
        self.glw = pg.GraphicsLayoutWidget()
        self.line = self.glw.addPlot(row=0, col=0)
        style_plot(self.line, x=_("time step t"), y=_("gradient norm (log scale)"))
        self.line.setLogMode(x=False, y=True)
        self.step_axis = StepAxis("left")
        self.heat_plot = self.glw.addPlot(row=0, col=1, axisItems={"left": self.step_axis})
        style_plot(self.heat_plot, title=_(self.HEAT_TITLE), x=_("time step t"), y=_("training step"))
        self.heat_plot.showGrid(x=False, y=False)
        self.heat = Heatmap(self.heat_plot, (-6.0, 0.0), theme.magnitude_lut(), bar_label=_("log₁₀ ‖∂L/∂hₜ‖"))
        self.glw.ci.layout.setColumnStretchFactor(0, 1)
        self.glw.ci.layout.setColumnStretchFactor(1, 1)
        self.first_curve = curve(self.line, FIRST_COLOR, style=Qt.DashLine, long=False)
        self.first_curve.setObjectName("before_training")  # its column in an exported CSV
        self.curves: dict[tuple, pg.PlotDataItem] = {}
        self._keys: list[tuple] = []
        self._seen = -1
        self._levels = None
        self._data = None  # the run drawn last (choosing another layer redraws it)
        self._legend(1)
        self.note = QLabel(_("The gradient of the loss reaching each time step. Flat = it reaches early steps; "
                           "falling towards t = 0 = it vanishes."), wordWrap=True)
        self.note.setObjectName("viewCaption")
        head = QHBoxLayout()
        head.setContentsMargins(4, 0, 4, 0)
        head.addWidget(self.note, 1)
        head.addSpacing(10)
        head.addWidget(QLabel(_("heatmap")))
        head.addWidget(self.which)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(head)
        layout.addWidget(self.legend)
        layout.addWidget(self.glw, 1)

    def configure(self, info: RunInfo) -> None:
        """Frame the axes for a run: time steps 0 to its probe's length."""
        self.frame(info.probe_length)

    def reset(self) -> None:
        for c in self.curves.values():
            self.line.removeItem(c)
        self.curves = {}
        self._keys = []
        self._legend(1)
        self.which.blockSignals(True)
        self.which.clear()
        self.which.setEnabled(False)  # nothing to choose before the first probe
        self.which.blockSignals(False)
        self.first_curve.setData([], [])
        self.heat.clear()
        self.step_axis.steps = []
        self._seen = -1
        self._levels = None
        self._data = None

    def frame(self, length: int) -> None:
        """Before the first probe: time steps 0..length across, gradient norms 1e-6..1 up."""
        if self._seen == -1 and length > 0:
            # Auto-range stays on: the first probe's norms (1e-12 for a vanilla RNN, 1e2 when they explode) must fit.
            self.line.setRange(xRange=(0, length - 1), yRange=(-6, 0), padding=0.02, disableAutoRange=False)
            self.heat.frame(length, 1)

    def show_runs(self, runs: Optional[RunSet]) -> None:
        """Draw every track of `runs` (a race, compared runs) in its colour; None: back to the single run."""
        self.overlay.show(runs)
        for c in self.curves.values():  # the layers' curves are the single run's: made again at its next refresh
            self.line.removeItem(c)
        self.curves, self._keys = {}, []
        self.first_curve.setVisible(runs is None)
        self._seen = -1
        self._heat_seen = None
        self._levels = None
        self._legend(len(self._keys))
        if runs is None:
            legend_title(self.heat_plot, _(self.HEAT_TITLE), [])
        else:
            self.refresh(None)

    def _legend(self, count: int, directions: int = 1) -> None:
        if self.overlay.active:
            entries = [(_("now"), theme.FOREGROUND, "line"), (_("before training"), theme.FOREGROUND, "dash")]
        elif count > 1:
            entries = [(f"now, {key_label(k, directions)}", theme.group_color(i), "line")
                       for i, k in enumerate(self._keys)] + [(_("before training"), FIRST_COLOR, "dash")]
        else:
            entries = [(_("now"), theme.group_color(0), "line"), (_("before training"), FIRST_COLOR, "dash")]
        legend_title(self.line, _("‖∂L/∂hₜ‖ at each time step"), entries)

    def _changed(self, _index: int) -> None:
        self._seen = -1
        self._heat_seen = None
        self._levels = None
        self.overlay.redraw()
        if self._data is not None or self.overlay.active:  # redraw now: a finished run gets no update to do it
            self.refresh(self._data)

    def _chosen(self) -> Optional[tuple]:
        """The layer (and direction) chosen for the heatmap and, with several runs, for their curves."""
        return self._keys[max(0, self.which.currentIndex())] if self._keys else None

    def has_news(self, data: RunData) -> bool:
        if self.overlay.active:
            return self.overlay.has_news()
        return data.last_probe is not None and data.probe_version != self._seen

    def refresh(self, data: Optional[RunData]) -> None:
        self._data = data
        if self.overlay.active:
            self._refresh_runs()
            return
        if data is None or data.probe_version == self._seen or data.last_probe is None:
            return
        self._seen = data.probe_version
        probe = data.last_probe
        keys = sorted(probe.grad_norms)
        if keys != self._keys:
            self._set_keys(keys, probe.num_directions)
        for key in keys:
            self.curves[key].setData(*positive_xy(probe.grad_norms[key]))
        key = self._chosen()
        if data.first_probe is not None and key in data.first_probe.grad_norms:
            self.first_curve.setData(*positive_xy(data.first_probe.grad_norms[key]))
        self._draw_heat(data, key)

    def _draw_heat(self, data: RunData, key: Optional[tuple]) -> None:
        history = data.grad_history(key) if key is not None else None
        if history is None:
            return
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.log10(np.where(history > 0, history, np.nan))
        finite = logs[np.isfinite(logs)]
        if len(finite):
            lo, hi = math.floor(float(np.min(finite))), math.ceil(float(np.max(finite)))
            hi = max(hi, lo + 1)
            # Levels only widen, so a colour keeps its meaning while training goes on.
            if self._levels is None:
                self._levels = (lo, hi)
            else:
                self._levels = (min(lo, self._levels[0]), max(hi, self._levels[1]))
            self.heat.set_levels(self._levels)
        self.step_axis.steps = list(data.probe_steps)
        self.step_axis.picture = None
        self.heat.set(np.nan_to_num(logs, nan=self._levels[0] if self._levels else -6.0),
                      QRectF(0, 0, logs.shape[1], logs.shape[0]))

    def _set_keys(self, keys: list[tuple], directions: int) -> None:
        for c in self.curves.values():
            self.line.removeItem(c)
        self.curves = {}
        for i, key in enumerate(keys):
            self.curves[key] = curve(self.line, theme.group_color(i), width=2, long=False)
        self._keys = keys
        self._legend(len(keys), directions)
        self._sync_which(keys, directions)

    # --- several runs ------------------------------------------------------------------------------------------------

    def _track_version(self, track: Track) -> int:
        return track.data.probe_version  # its curves are the probes': redrawn when a run has a new one

    def _make_track(self, track: Track) -> list:
        return [curve(self.line, track.colour, width=2, long=False),
                curve(self.line, track.colour, style=Qt.DashLine, long=False)]

    def _drop_track(self, items: list) -> None:
        for item in items:
            self.line.removeItem(item)

    def _track_key(self, probe) -> Optional[tuple]:
        """The chosen layer where the run has it, else its last one (runs may differ in layers)."""
        keys = sorted(probe.grad_norms)
        chosen = self._chosen()
        return chosen if chosen in probe.grad_norms else (keys[-1] if keys else None)

    def _draw_track(self, track: Track, items: list) -> None:
        for item, probe in zip(items, (track.data.last_probe, track.data.first_probe)):
            key = self._track_key(probe) if probe is not None else None
            item.setData(*positive_xy(probe.grad_norms[key]) if key is not None else ([], []))

    def _refresh_runs(self) -> None:
        """Every run's curves; the heatmap of the chosen run (the one selected in the legend)."""
        changed = self.overlay.refresh()
        track = self.overlay.runs.selected_track()
        probe = track.data.last_probe if track is not None else None
        if probe is None:
            if changed:
                self.heat.clear()
            return
        mark = (track.key, track.data, track.data.probe_version)
        if mark == self._heat_seen:
            return
        if self._heat_seen is None or self._heat_seen[0] != track.key:
            self._levels = None  # another run: its own colour levels
            legend_title(self.heat_plot, _("History of {label}").format(label=_(track.label)), [])  # the colour bar names the value
        self._heat_seen = mark
        keys = sorted(probe.grad_norms)
        if keys != self._keys:
            self._sync_which(keys, probe.num_directions)
        self._draw_heat(track.data, self._chosen())

    def _sync_which(self, keys: list[tuple], directions: int) -> None:
        self._keys = keys
        self.which.blockSignals(True)
        self.which.clear()
        self.which.addItems([key_label(k, directions) for k in keys])
        self.which.setCurrentIndex(len(keys) - 1 if keys else -1)
        self.which.setEnabled(len(keys) > 1)
        self.which.blockSignals(False)


def main(argv: Optional[list[str]] = None) -> int:
    """This panel alone on a recorded run: `python -m rnnlab.app.plots.gradtime [RUN_FOLDER] [--screenshot PNG]`."""
    return run_alone(GradTimePanel, sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
