"""Gates: what each gate of the chosen layer, direction and probe sample does at every time step and unit.

One heatmap per gate (time across, units up) with FIXED colour levels: (0, 1) for the sigmoid gates, (-1, 1) for the
tanh candidate, so a colour always means the same value; each gate keeps its colour from `theme.GATE_COLORS`. Below:
the hidden state h_t, the LSTM cell state c_t, and the mean of every gate over the units at each step. A vanilla RNN's
activation h is its hidden state, shown once. A ReLU RNN's h is unbounded: its levels are 0 to the next 1-2-5 value
above the largest state seen, widened only, and stated in the colour bar and the title (issue 19, item 12). Hovering
a heatmap reads out t, the unit and the value. A dashed cursor marks the Cell tab's time step t on every heatmap and
follows it as the Cell tab steps; a click on a heatmap shows that t and unit in the Cell tab (plots/cell.py links
the two: `link_gates`).

    LSTM  i, f, o = σ(...)   g = tanh(...)      c' = f * c + i * g     h' = o * tanh(c')
    GRU   r, z = σ(...)      n = tanh(W_in x + b_in + r * (W_hn h + b_hn))     h' = (1 - z) * n + z * h
    RNN   pre = W_ih x + b_ih + W_hh h + b_hh   h' = tanh(pre) or relu(pre)

Runs alone on a recorded run: `python -m rnnlab.app.plots.gates [RUN_FOLDER]`.
"""

from __future__ import annotations

import math
import sys
from typing import Optional

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...models.gatenames import GATE_NAMES, GATE_RANGE, GATE_TITLES
from ...train.info import RunInfo
from .. import theme
from ..run.rundata import RunData
from .alone import run_alone
from .common import Heatmap, LabelAxis, curve, legend_title, pen, refill, release_title_width, style_plot
from ...i18n import N_, _, ngettext

CELL_KINDS = {"lstm": "LSTM", "gru": "GRU", "rnn_tanh": "RNN", "rnn_relu": "RNN"}
STATE_RANGE = (-1.0, 1.0)  # h = o * tanh(c) (LSTM) and the GRU/tanh-RNN states stay within (-1, 1)


def cell_levels(peak: float) -> tuple[float, float]:
    """Symmetric levels for the cell state (unbounded): the next of 1, 2, 5, 10, ... above its peak."""
    bound = 1.0
    while bound < peak and bound < 1e6:
        bound = bound * 2.5 if str(int(bound))[0] == "2" else bound * 2
    return (-bound, bound)


class GatesPanel(QWidget):
    # a heatmap cell was clicked: (layer, direction, sample, unit, t) for the Cell tab to show
    cell_chosen = Signal(int, int, int, int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.layer = QComboBox()
        self.direction = QComboBox()
        self.sample = QComboBox()
        self.layer.setToolTip(_("Which recurrent layer to show (layer 0 reads the input)."))
        self.direction.setToolTip(_("Forward (left to right) or backward direction of a bidirectional layer."))
        self.sample.setToolTip(_("Which sequence of the fixed probe batch to show."))
        for box in (self.layer, self.direction, self.sample):
            box.setSizeAdjustPolicy(QComboBox.AdjustToContents)
            box.currentIndexChanged.connect(self._selection_changed)
        self.info = QLabel()
        self.info.setObjectName("viewCaption")
        self.info.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # new text never re-lays out the tab
        self.readout = QLabel()  # t, unit and value under the mouse; hidden otherwise, so the caption has the room
        self.readout.setObjectName("heatReadout")
        self.readout.hide()
        head = QHBoxLayout()
        head.setContentsMargins(4, 0, 4, 0)
        head.addWidget(self.info, 1)
        head.addWidget(self.readout)
        for label, box in ((_("layer"), self.layer), (_("direction"), self.direction), (_("sample"), self.sample)):
            head.addSpacing(10)
            head.addWidget(QLabel(label))
            head.addWidget(box)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.ci.setContentsMargins(2, 2, 2, 2)
        self.glw.ci.setSpacing(2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(head)
        layout.addWidget(self.glw, 1)
        self.glw.scene().sigMouseMoved.connect(self._hover)
        self.glw.scene().sigMouseClicked.connect(self._clicked)
        self.cursors: list[pg.InfiniteLine] = []  # one per plot, at the Cell tab's t (our own list, not on pyqtgraph)
        self.cursor_t: Optional[int] = None  # the Cell tab's time step; None: no cursor
        self.relu = False  # a ReLU RNN: its activation h is unbounded (levels follow it, stated)
        self._relu_top = 1.0  # the upper level of a ReLU RNN's h so far
        self.kind = None
        self.heatmaps: dict[str, Heatmap] = {}
        self.axes: list[LabelAxis] = []
        self.mean_curves: dict[str, pg.PlotDataItem] = {}
        self.means = None
        self._seen = -1
        self._shape = None
        self._cell_levels = (-1.0, 1.0)
        self._labels = None

    # --- structure: rebuilt when the cell type or layer count changes --------------------------------------------

    def configure(self, info: RunInfo) -> None:
        """Build the plots for the run's cell and frame them over its probe's time steps and units."""
        relu = info.cell == "rnn_relu"
        if relu != self.relu:
            self.relu = relu
            self.kind = None  # built again: the activation's levels and title differ
        self.prepare_for(info.cell)
        self.frame(info.probe_length, info.hidden_size)

    def reset(self) -> None:
        """A new run: empty plots (the layout stays, see prepare_for)."""
        self._seen = -1
        self._shape = None
        self._cell_levels = (-1.0, 1.0)
        self.readout.clear()
        self.readout.hide()
        if self.relu and self._relu_top != 1.0 and "h" in self.heatmaps:
            self._relu_top = 1.0
            self._set_relu_levels(1.0)
        for box in (self.layer, self.direction, self.sample):  # nothing to choose before the first probe
            box.setEnabled(False)
        for heatmap in self.heatmaps.values():
            heatmap.clear()
        for c in self.mean_curves.values():
            c.setData([], [])

    def prepare_for(self, cell: str) -> None:
        """Build the plots for a cell type ahead of its first probe (building them takes a while: do it while idle,
        not when training starts)."""
        kind = CELL_KINDS.get(cell)
        if kind is not None and kind != self.kind:
            self._build(kind, GATE_NAMES[kind])
        self._set_info(_("Gates appear with the first probe: Train (F5), or Step (F10) for one step."))

    def _set_info(self, text: str) -> None:
        self.info.setText(text)
        self.info.setToolTip(_("{text}\nEach heatmap: time step t across, unit up. Fixed colour levels: σ gates "
                               "0..1, tanh -1..1, so a colour always means the same value.").format(text=text))

    def frame(self, length: int, units: int) -> None:
        """Before the first probe: every heatmap over time steps 0..length and units 0..units."""
        if self._seen != -1:
            return
        for heatmap in self.heatmaps.values():
            heatmap.frame(length, units)
        if self.means is not None:
            self.means.setXRange(0, length, padding=0.0)

    def _build(self, kind: str, gate_names: tuple[str, ...]) -> None:
        self.glw.clear()
        self.heatmaps, self.axes, self.mean_curves = {}, [], {}
        self.kind = kind
        first = None
        cols = len(gate_names) if kind == "RNN" else max(len(gate_names), 3)  # the RNN's row below is its means
        for col, gate in enumerate(gate_names):
            levels = GATE_RANGE.get(gate, (-1.0, 1.0))
            if gate == "h" and self.relu:
                levels = (0.0, self._relu_top)
            plot = self._heat_plot(0, col, self._title(gate), theme.GATE_COLORS.get(gate))
            self.heatmaps[gate] = Heatmap(plot, levels, theme.lut_for(gate, levels))
            first = first or plot
            if first is not plot:
                plot.setXLink(first)
        col = 0
        if kind != "RNN":  # a vanilla RNN's activation h above is its hidden state: not twice
            state_plot = self._heat_plot(1, col, _("hidden state h"), theme.STATE_COLORS["hidden"], time_ticks=True)
            self.heatmaps["hidden"] = Heatmap(state_plot, STATE_RANGE, theme.diverging_lut())
            state_plot.setXLink(first)
            col += 1
        else:
            for axis in self.axes:  # the gates' row is the only one: it names the time steps
                axis.setStyle(showValues=True)
                axis.setHeight(None)
        if kind == "LSTM":
            cell_plot = self._heat_plot(1, col, _("cell state c"), theme.STATE_COLORS["cell"], time_ticks=True)
            self.heatmaps["cell"] = Heatmap(cell_plot, self._cell_levels, theme.diverging_lut())
            cell_plot.setXLink(first)
            col += 1
        axis = LabelAxis("bottom")
        self.axes.append(axis)
        self.means = self.glw.addPlot(row=1, col=col, colspan=cols - col, axisItems={"bottom": axis})
        style_plot(self.means, x=_("time step t"), y=_("value"))
        legend_title(self.means, _("mean over units"), [(g, theme.GATE_COLORS.get(g, "#444444"), "line")
                                                     for g in gate_names if g != "pre"])
        if kind != "RNN":  # linked views align by screen position: the RNN's means plot spans the whole row
            self.means.setXLink(first)
        self.means.enableAutoRange(y=False)
        self._means_range(self._relu_top if self.relu else 1.0)
        for gate in gate_names:
            if gate == "pre":
                continue
            self.mean_curves[gate] = curve(self.means, theme.GATE_COLORS.get(gate, "#444444"), width=2,
                                           long=False)
        for c in range(cols):
            self.glw.ci.layout.setColumnStretchFactor(c, 1)
        self.cursors = []
        for plot in [h.item for h in self.heatmaps.values()] + [self.means]:
            line = pg.InfiniteLine(angle=90, movable=False, pen=pen(theme.FOREGROUND, width=1.5, style=Qt.DashLine))
            line.setZValue(20)
            plot.addItem(line, ignoreBounds=True)
            self.cursors.append(line)
        self.set_cursor(self.cursor_t)

    def set_cursor(self, t: Optional[int]) -> None:
        """Mark time step t (the Cell tab's) on every heatmap and on the means; None hides the cursor. The line runs
        through the middle of t's column (a heatmap's column t spans t..t+1)."""
        self.cursor_t = None if t is None or t < 0 else int(t)
        for line in self.cursors:
            line.setVisible(self.cursor_t is not None)
            if self.cursor_t is not None:
                line.setValue(self.cursor_t + 0.5)

    def _at(self, pos: QPointF):
        """(name, t, unit) of the heatmap cell at scene position `pos`, or None."""
        for name, heatmap in self.heatmaps.items():
            vb = heatmap.item.getViewBox()
            image = heatmap.image.image
            if image is None or not vb.sceneBoundingRect().contains(pos):
                continue
            point = vb.mapSceneToView(pos)
            t, unit = math.floor(point.x()), math.floor(point.y())
            if 0 <= unit < image.shape[0] and 0 <= t < image.shape[1]:
                return name, t, unit
        return None

    def _clicked(self, event) -> None:
        """A click on a heatmap cell: the Cell tab shows that unit at that t (same layer, direction and sample)."""
        if event.button() != Qt.LeftButton:
            return
        hit = self._at(event.scenePos())
        if hit is None:
            return
        _name, t, unit = hit
        self.set_cursor(t)
        self.cell_chosen.emit(max(0, self.layer.currentIndex()), max(0, self.direction.currentIndex()),
                              max(0, self.sample.currentIndex()), unit, t)

    def _title(self, gate: str) -> str:
        if gate == "h" and self.kind == "RNN":
            if self.relu:
                return _("hidden state h = relu(pre), 0..{top}").format(top=f"{self._relu_top:g}")
            return _("hidden state h = tanh(pre)")
        return _(GATE_TITLES.get(gate, gate))

    def _means_range(self, top: float) -> None:
        """Gates live in 0..1, the candidate in -1..1: three labels say it and fit however short the plot is. A ReLU
        RNN's mean h can be far above 1: the axis reaches its levels' top, which it names."""
        if self.relu:  # only h is averaged (not the pre-activation): 0 up
            self.means.setYRange(0.0, top, padding=0.05)
            self.means.getAxis("left").setTicks([[(0.0, "0"), (top, f"{top:g}")], [(top / 2, "")]])
            return
        self.means.setYRange(-1.0, top, padding=0.05)
        self.means.getAxis("left").setTicks([[(-1.0, "-1"), (0.0, "0"), (1.0, "1")], [(-0.5, ""), (0.5, "")]])

    def _set_relu_levels(self, top: float) -> None:
        heatmap = self.heatmaps["h"]
        heatmap.set_levels((0.0, top))
        heatmap.item.setTitle(theme.title_html(self._title("h"), theme.GATE_COLORS.get("h") or theme.FOREGROUND),
                              size=f"{theme.font_size()}pt")
        if self.means is not None:
            self._means_range(top)

    def _hover(self, pos: QPointF) -> None:
        """t, unit and value of the heatmap cell under the mouse (the colour alone is hard to read off)."""
        hit = self._at(pos)
        if hit is None:
            self.readout.clear()
            self.readout.hide()
            return
        name, t, unit = hit
        image = self.heatmaps[name].image.image
        title = _("hidden state h") if name in ("hidden", "h") else _(GATE_TITLES.get(name, name))
        if name == "cell":
            title = _("cell state c")
        label = self._labels[t] if self._labels is not None and t < len(self._labels) else None
        value = f"{float(image[unit, t]):.3g}"
        if label:
            text = _("{title}: t = {t} ({label}), unit {unit}: {value}").format(
                title=title, t=t, label=label, unit=unit, value=value)
        else:
            text = _("{title}: t = {t}, unit {unit}: {value}").format(title=title, t=t, unit=unit, value=value)
        self.readout.setText(text)
        self.readout.show()

    def _heat_plot(self, row: int, col: int, title: str, color, time_ticks: bool = False) -> pg.PlotItem:
        """A heatmap's plot. Room goes to the picture (issue 9: at 1024x768 and 130 % the tab is ~250 px high): no
        axis names (the row below says "time step t", the caption says units go up), and time ticks only on the
        lower row, which shares the time axis with the gates above it."""
        axis = LabelAxis("bottom")
        self.axes.append(axis)
        plot = self.glw.addPlot(row=row, col=col, axisItems={"bottom": axis})
        style_plot(plot, x="t", y=_("unit"))  # named for the CSV export (export.py reads the axes' labelText) ...
        for name in ("bottom", "left"):
            plot.getAxis(name).showLabel(False)  # ... but not drawn
        if not time_ticks:
            axis.setStyle(showValues=False)
            axis.setHeight(4)
        plot.setTitle(theme.title_html(title, color or theme.FOREGROUND), size=f"{theme.font_size()}pt")
        font = QFont()
        font.setPointSize(theme.font_size())
        plot.layout.setRowFixedHeight(0, QFontMetricsF(font).lineSpacing() + 4)  # pyqtgraph's title row: 30 px
        release_title_width(plot)
        plot.showGrid(x=False, y=False)
        plot.setMouseEnabled(x=True, y=True)
        return plot

    # --- selection ---------------------------------------------------------------------------------------------------

    def _sync_boxes(self, probe) -> None:
        shape = (probe.kind, probe.num_layers, probe.num_directions, self._samples(probe))
        if shape == self._shape:
            return
        self._shape = shape
        for box, items in ((self.layer, [str(i) for i in range(probe.num_layers)]),
                           (self.direction, [_("forward"), _("backward")][: probe.num_directions]),
                           (self.sample, [str(i) for i in range(shape[3])])):
            refill(box, items)
        self.direction.setEnabled(probe.num_directions > 1)
        self.layer.setEnabled(probe.num_layers > 1)
        self.sample.setEnabled(shape[3] > 1)

    @staticmethod
    def _samples(probe) -> int:
        any_gate = next(iter(probe.gates.values()), None)
        return int(any_gate.shape[0]) if any_gate is not None else 0

    def _selection_changed(self, _i: int) -> None:
        self._seen = -1
        if self._data is not None:
            self.refresh(self._data)

    _data = None

    # --- drawing -----------------------------------------------------------------------------------------------------

    def has_news(self, data: RunData) -> bool:
        return data.last_probe is not None and data.probe_version != self._seen

    def refresh(self, data: RunData) -> None:
        self._data = data
        probe = data.last_probe
        if probe is None or data.probe_version == self._seen:
            return
        self._seen = data.probe_version
        if probe.kind != self.kind or set(self.heatmaps) - {"hidden", "cell"} != set(probe.gate_names):
            self._build(probe.kind, tuple(probe.gate_names))
        self._sync_boxes(probe)
        layer = max(0, self.layer.currentIndex())
        direction = max(0, self.direction.currentIndex())
        sample = max(0, self.sample.currentIndex())
        labels = probe.labels[sample] if probe.labels and sample < len(probe.labels) else None
        if labels != self._labels:
            self._labels = labels
            for axis in self.axes:
                axis.set_labels(labels, offset=0.5)
        steps = 0
        for gate in probe.gate_names:
            values = probe.gates.get((layer, direction, gate))
            if values is None or sample >= len(values):
                continue
            image = np.asarray(values[sample]).T  # (units, time): time across, units up
            steps = image.shape[1]
            if gate == "h" and self.relu and image.size:
                peak = float(np.nanmax(image))
                top = cell_levels(peak)[1] if math.isfinite(peak) else self._relu_top
                if top > self._relu_top:  # only ever widen, so colours stay comparable
                    self._relu_top = top
                    self._set_relu_levels(top)
            self.heatmaps[gate].set(image)
            if gate in self.mean_curves:
                self.mean_curves[gate].setData(np.arange(steps) + 0.5, image.mean(axis=0))
                if self.kind == "RNN":
                    self.means.setXRange(0, steps, padding=0.0)
        hidden = probe.hidden.get((layer, direction))
        if hidden is not None and "hidden" in self.heatmaps and sample < len(hidden):
            self.heatmaps["hidden"].set(np.asarray(hidden[sample]).T)
        cell = probe.cell.get((layer, direction)) if probe.cell else None
        if cell is not None and "cell" in self.heatmaps and sample < len(cell):
            c = np.asarray(cell[sample]).T
            peak = float(np.nanmax(np.abs(c))) if c.size else 1.0
            if math.isfinite(peak):
                levels = cell_levels(peak)
                if levels[1] > self._cell_levels[1]:  # only ever widen, so colours stay comparable
                    self._cell_levels = levels
                    self.heatmaps["cell"].set_levels(levels)
            self.heatmaps["cell"].set(c)
        loss = _(" · probe loss {loss:.3g}").format(loss=probe.loss) if math.isfinite(probe.loss) else ""
        self._set_info(_("{kind} at step {step}{loss}").format(kind=probe.kind, step=probe.step, loss=loss))


def main(argv: Optional[list[str]] = None) -> int:
    """This panel alone on a recorded run: `python -m rnnlab.app.plots.gates [RUN_FOLDER] [--screenshot PNG]`."""
    return run_alone(GatesPanel, sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
