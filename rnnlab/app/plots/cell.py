"""Cell: one unit of the run's cell at one time step, drawn as in the course slides, with its equations filled in.

The diagram (QPainter) shows the inputs x_t, h_{t-1} (and the LSTM's c_{t-1}), each gate with its value, the pointwise
products and sums and the outputs; beside it the same cell's equations in the probe docstring's symbols (torch's), each
with its terms, its sum, its nonlinearity and its result. Every number comes from the latest probe (cell_numbers.py):
stepping through t with Left/Right, the slider or Play only indexes arrays the probe already holds.

    choosers:  layer  direction  unit  sample           while training: follows the latest probe
    ┌ diagram ─────────────────────┐ ┌ equations ─────┐
    │  c_{t-1} ──⊗──────⊕──── c_t   │ │ f_t = σ(...)   │
    │            f   i⊗g  tanh      │ │   = σ(1.302)   │
    │  h_{t-1} ─[f][i][g][o]─⊗─ h_t │ │   = 0.786 ...  │
    └──────────────────────────────┘ └────────────────┘
    ◀  ────────●──────────  ▶   Play  speed         t = 12 ("good")
    Clamp gate [f] to [0.00] [all units] from t [0]  Clamp  Clear  Saliency
    Validation accuracy: 1.000 without the clamp, 0.25 with f = 0

Clamp and Saliency are model requests (TrainerApi.submit): they run between two optimizer steps with the clamp
inside the call only, so training never sees it; the next training probe, a new run or Clear drops what they showed.
The clamp's validation line and the clamp itself go to the task view too (`clamps_changed`), which shows its answer
with and without it.

The Gates tab's cursor marks the t shown here and a click on a heatmap chooses it (`link_gates`). The sentiment and
character-model views send a sentence or a generated text here (`show_text`): it is probed off the GUI thread, its
own words or characters label t, and it follows training (probed again, at most every SENT_INTERVAL_S) until "Back
to the probe batch". In a race the runners' models are in other processes: each runner's probe brings its saliency
(many-to-one tasks), drawn one curve per run in the run's colour (`show_runs`).

Runs alone on a recorded run: `python -m rnnlab.app.plots.cell [RUN_FOLDER]`.
"""

from __future__ import annotations

import sys
import time
from contextlib import nullcontext
from typing import Optional

import numpy as np
import pyqtgraph as pg

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QSizePolicy, QSlider, QSpinBox, QSplitter, QVBoxLayout, QWidget)

from ...i18n import _
from ...train.info import RunInfo
from .. import theme
from .cell_numbers import CellStep, cell_step, equation_html, fmt, has_parts, steps_of
from ..run.rundata import RunData
from .alone import run_alone
from ..run.runset import RunSet, Track
from .common import LabelAxis, curve, pen, refill, style_plot
from .overlay import Overlay, RunLegend

SPEEDS = (1, 2, 5, 10)  # Play: time steps per second
SALIENCY_HEIGHT = 200  # the saliency plot under the diagram (in a race it has the tab to itself)
SENT_INTERVAL_S = 2.0  # while training, a sequence sent from a task view is probed again at most this often
CELL_KINDS = {"lstm": "LSTM", "gru": "GRU", "rnn_tanh": "RNN", "rnn_relu": "RNN"}

# --- the diagrams: nodes on a 100 x 60 grid, wires between them (the slides' layout, left to right) --------------
# node: name -> (x, y, shape, text); shape "in"/"out" (a labelled end), "gate" (a box, the gate's colour), "op" (a
# circle with ⊙, + or 1−), "fn" (a small box: tanh of the cell state). The number drawn on each is the CellStep's.
LAYOUTS = {
    "LSTM": {
        "nodes": {"c_prev": (4, 10, "in", "c<t−1>"), "h_prev": (4, 50, "in", "h<t−1>"), "x": (14, 58, "in", "x<t>"),
                  "f": (28, 38, "gate", "σ"), "i": (42, 38, "gate", "σ"), "g": (54, 38, "gate", "tanh"),
                  "o": (68, 38, "gate", "σ"), "mul_f": (28, 10, "op", "×"), "mul_ig": (48, 24, "op", "×"),
                  "add_c": (48, 10, "op", "+"), "tanh_c": (80, 24, "fn", "tanh"), "mul_o": (80, 38, "op", "×"),
                  "c": (96, 10, "out", "c<t>"), "h": (96, 50, "out", "h<t>")},
        "wires": [("c_prev", "mul_f"), ("mul_f", "add_c"), ("add_c", "c"), ("f", "mul_f"), ("i", "mul_ig"),
                  ("g", "mul_ig"), ("mul_ig", "add_c"), ("add_c", "tanh_c", "corner"), ("tanh_c", "mul_o"),
                  ("o", "mul_o"), ("mul_o", "h", "corner"), ("h_prev", "bus"), ("x", "bus")],
        "bus": (50, ("f", "i", "g", "o")),
    },
    "GRU": {
        "nodes": {"h_prev": (4, 10, "in", "h<t−1>"), "x": (14, 58, "in", "x<t>"),
                  "r": (24, 38, "gate", "σ"), "z": (40, 38, "gate", "σ"), "n": (64, 38, "gate", "tanh"),
                  "mul_z": (40, 10, "op", "×"), "one_minus": (52, 24, "op", "1−"), "mul_n": (64, 24, "op", "×"),
                  "add_h": (64, 10, "op", "+"), "h": (96, 10, "out", "h<t>")},
        "wires": [("h_prev", "mul_z"), ("mul_z", "add_h"), ("add_h", "h"), ("z", "mul_z"), ("z", "one_minus",
                  "corner"), ("one_minus", "mul_n"), ("n", "mul_n"), ("mul_n", "add_h"), ("r", "n", "reset"),
                  ("h_prev", "bus", "down"), ("x", "bus")],
        "bus": (50, ("r", "z", "n")),
    },
    "RNN": {
        "nodes": {"h_prev": (4, 50, "in", "h<t−1>"), "x": (20, 58, "in", "x<t>"), "h": (50, 38, "gate", "tanh"),
                  "h_out": (96, 38, "out", "h<t>")},
        "wires": [("h", "h_out"), ("h_prev", "bus"), ("x", "bus")],
        "bus": (50, ("h",)),
    },
}


class CellDiagram(QWidget):
    """The cell as a picture with the numbers of one unit at one step (QPainter, scaled to the widget)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.step: Optional[CellStep] = None
        self.kind = "LSTM"
        self.nonlinearity = "tanh"
        self.setMinimumSize(320, 120)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def set_step(self, step: Optional[CellStep], kind: Optional[str] = None, nonlinearity: str = "") -> None:
        self.step = step
        if kind:
            self.kind = kind
        if nonlinearity:
            self.nonlinearity = nonlinearity
        self.update()

    def values(self) -> dict[str, str]:
        """The text drawn on each node (what a test compares with the equations' numbers)."""
        s = self.step
        if s is None:
            return {}
        out = {"h_prev": fmt(s.h_prev), "h": fmt(s.h), "h_out": fmt(s.h)}
        for g, v in s.gates.items():
            out[g] = fmt(v)
        if s.kind == "LSTM":
            out.update(c_prev=fmt(s.c_prev), c=fmt(s.c), mul_f=fmt(s.gates["f"] * s.c_prev),
                       mul_ig=fmt(s.gates["i"] * s.gates["g"]), add_c=fmt(s.c), tanh_c=fmt(_tanh(s.c)),
                       mul_o=fmt(s.h))
        if s.kind == "GRU":
            z, n = s.gates["z"], s.gates["n"]
            out.update(mul_z=fmt(z * s.h_prev), one_minus=fmt(1 - z), mul_n=fmt((1 - z) * n), add_h=fmt(s.h))
        return out

    def paintEvent(self, _event) -> None:
        layout = LAYOUTS.get(self.kind)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.fillRect(self.rect(), QColor(theme.BACKGROUND))
        if layout is None:
            return
        w, h = self.width(), self.height()
        sx, sy = (w - 16) / 100.0, (h - 16) / 64.0
        unit = min(sx, sy * 1.6)
        pos = lambda name: QPointF(8 + layout["nodes"][name][0] * sx, 8 + layout["nodes"][name][1] * sy)  # noqa
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, min(font.pointSizeF() * 1.0, unit * 2.6)))
        painter.setFont(font)
        values = self.values()
        wire = QPen(QColor(theme.FOREGROUND), max(1.0, unit * 0.25))
        painter.setPen(wire)
        bus_y, bus_gates = layout["bus"]
        bus_y = 8 + bus_y * sy
        gate_x = [pos(g).x() for g in bus_gates]
        painter.drawLine(QPointF(pos("h_prev").x() if self.kind != "GRU" else 8 + 4 * sx, bus_y),
                         QPointF(max(gate_x), bus_y))
        for g in bus_gates:
            painter.drawLine(QPointF(pos(g).x(), bus_y), pos(g))
        for a, b, *how in layout["wires"]:
            if b == "bus":
                p = pos(a)
                if how and how[0] == "down":  # GRU: h_{t-1} runs along the top and drops to the bus
                    painter.drawLine(QPointF(p.x() + 4 * sx, p.y()), QPointF(p.x() + 4 * sx, bus_y))
                else:
                    painter.drawLine(p, QPointF(p.x(), bus_y) if a == "x" else QPointF(p.x() + 4 * sx, bus_y))
                continue
            pa, pb = pos(a), pos(b)
            path = QPainterPath(pa)
            if how and how[0] == "corner":
                path.lineTo(QPointF(pb.x(), pa.y()))
            elif how and how[0] == "reset":  # r multiplies h_{t-1}'s part inside n: drawn as a dashed hint
                painter.setPen(QPen(QColor(theme.GATE_COLORS["r"]), wire.widthF(), Qt.DashLine))
                path.lineTo(QPointF(pa.x(), pa.y() - 8 * sy))
                path.lineTo(QPointF(pb.x(), pa.y() - 8 * sy))
            path.lineTo(pb)
            painter.drawPath(path)
            painter.setPen(wire)
        metrics = painter.fontMetrics()
        line = metrics.height()
        for name, (x, y, shape, text) in layout["nodes"].items():
            p = pos(name)
            value = values.get(name, "")
            if shape == "gate":
                color = QColor(theme.GATE_COLORS.get(name, theme.FOREGROUND))
                if name == "h" and self.nonlinearity == "relu":
                    text = "relu"
                label = f"{text} {name}"
                half = max(4.0 * sx, metrics.horizontalAdvance(label) / 2 + 5)
                box = QRectF(p.x() - half, p.y() - 0.75 * line, 2 * half, 1.5 * line)
                painter.setBrush(color.lighter(170))
                clamped = self.step is not None and any(e.clamped and e.name == name for e in self.step.equations)
                painter.setPen(QPen(color.darker(120), wire.widthF() * (3 if clamped else 1.5)))
                painter.drawRoundedRect(box, 4, 4)
                painter.setPen(QColor(theme.FOREGROUND))
                painter.drawText(box, Qt.AlignCenter, label)
                if value:  # the gate's value just above its box, in its colour
                    painter.setPen(color.darker(160))
                    bold = QFont(font)
                    bold.setBold(True)
                    painter.setFont(bold)
                    painter.drawText(QRectF(p.x() - 8 * sx, box.top() - line - 1, 16 * sx, line), Qt.AlignCenter,
                                     value)
                    painter.setFont(font)
            elif shape in ("op", "fn"):
                r = 0.7 * line
                painter.setBrush(QColor("#fff7d6") if shape == "op" else QColor("#f3e6dd"))
                painter.setPen(wire)
                if shape == "op":
                    painter.drawEllipse(p, r, r)
                    painter.drawText(QRectF(p.x() - r, p.y() - r, 2 * r, 2 * r), Qt.AlignCenter, text)
                else:
                    box = QRectF(p.x() - 1.6 * r, p.y() - r, 3.2 * r, 2 * r)
                    painter.drawRoundedRect(box, 3, 3)
                    painter.drawText(box, Qt.AlignCenter, text)
                if value:
                    painter.setPen(QColor("#555555"))
                    painter.drawText(QRectF(p.x() + r + 2, p.y() - line, 12 * sx, line), Qt.AlignLeft, value)
            else:
                label = text.replace("<", "").replace(">", "")
                label = label[0] + "".join({"t": "ₜ", "−": "₋", "1": "₁"}.get(ch, ch) for ch in label[1:])
                shown = f"{label} = {value}" if value else label
                painter.setPen(QColor(theme.FOREGROUND))
                bold = QFont(font)
                bold.setBold(True)
                painter.setFont(bold)
                width = metrics.horizontalAdvance(shown) + 8
                if shape == "out":
                    rect = QRectF(p.x() - width, p.y() - 1.25 * line, width, line)
                    painter.drawText(rect, Qt.AlignRight, shown)
                elif name == "x":
                    painter.drawText(QRectF(p.x() - width / 2, p.y() - line * 0.2, width, line), Qt.AlignCenter,
                                     shown)
                else:
                    painter.drawText(QRectF(p.x(), p.y() - 1.25 * line, width, line), Qt.AlignLeft, shown)
                painter.setFont(font)
        painter.end()


def _tanh(v: Optional[float]) -> float:
    import math

    return math.tanh(v) if v is not None else float("nan")


CLAMPABLE = {"LSTM": ("f", "i", "o"), "GRU": ("z", "r"), "RNN": ()}  # models/probe.py's CLAMPABLE, in slide order


def clamp_job(clamps: tuple, step: int, text: Optional[str] = None):
    """A model request (TrainerApi.submit): the probe batch (or the `text` a task view sent) and the validation
    metric with and without `clamps`.

    Runs on the training or helper thread between two optimizer steps; the clamp lives only inside this call
    (`model.clamped` refuses train mode), so it never reaches a training step."""

    def job(task, model):
        from ...modes import evaluating
        from ...train.trainer import probe_snapshot, probe_text

        with evaluating(model):
            free = task.evaluate(model, "val")
            with model.clamped(clamps):
                forced = task.evaluate(model, "val")
        snap = (probe_text(model, task, text, step, clamps) if text is not None
                else probe_snapshot(model, task, task.probe_batch(), step, clamps))
        key = task.metric.key
        return {"probe": snap, "free": float(free[key]), "clamped": float(forced[key]), "title": task.metric.title}

    return job


def text_job(text: str, step: int):
    """A model request: the probe of one sequence a task view sent (Task.text_batch), labelled by its own words."""

    def job(task, model):
        from ...train.trainer import probe_text

        return probe_text(model, task, text, step)

    return job


def untrained_probe(task, model):
    """A model request: the probe of a model before its first step (step 0), as training's first probe would be."""
    from ...train.trainer import probe_snapshot

    return probe_snapshot(model, task, task.probe_batch(), 0)


def saliency_job(clamps: tuple, text: Optional[str] = None):
    """A model request: ||d output / d x_t|| for every sequence of the probe batch (or of the `text` a task view sent;
    many-to-one tasks), with the clamps shown in force, as a numpy (samples, time) array."""

    def job(task, model):
        from ...modes import evaluating

        batch = task.text_batch(text)[0] if text is not None else task.probe_batch()
        with evaluating(model):
            with model.clamped(clamps) if clamps else nullcontext():
                return model.input_saliency(batch)["saliency"]

    return job


def link_gates(cell: "CellPanel", gates) -> None:
    """The Gates tab's cursor follows the Cell tab's t; a click on a heatmap cell shows it in the Cell tab."""
    cell.t_changed.connect(gates.set_cursor)
    gates.cell_chosen.connect(cell.choose)
    gates.set_cursor(cell.selection()[4] if cell.current is not None else None)


def link_views(cell: "CellPanel", host, tabs) -> None:
    """A task view's "Show in the Cell tab" probes its sentence or text there (and shows the tab); a clamp set in
    the Cell tab reaches the task view, which answers with and without it."""

    def sent(text: str, title: str) -> None:
        cell.show_text(text, title)
        tabs.setCurrentWidget(cell)

    host.text_sent.connect(sent)
    cell.clamps_changed.connect(host.set_clamps)


class CellPanel(QWidget):
    """The Cell tab: choosers, the diagram, the equations and the time controls. Keeps the panel contract."""

    t_changed = Signal(int)  # the time step shown (-1: none): the Gates tab's cursor follows it
    run_clicked = Signal(str)  # a race: a run's legend entry was clicked
    clamps_changed = Signal(tuple, str)  # the clamps in force (() = none) and the validation line, for the task view

    def __init__(self, api=None, parent=None):
        super().__init__(parent)
        self.api = api  # TrainerApi: the door to the model for the clamps (None: the tab only shows probes)
        self.info = QLabel()
        self.info.setObjectName("viewCaption")
        self.info.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.layer, self.direction, self.sample = QComboBox(), QComboBox(), QComboBox()
        self.unit = QSpinBox()
        self.layer.setToolTip(_("Which recurrent layer to show (layer 0 reads the input)."))
        self.direction.setToolTip(_("Forward (left to right) or backward direction of a bidirectional layer."))
        self.sample.setToolTip(_("Which sequence of the fixed probe batch to show."))
        self.unit.setToolTip(_("Which unit of the hidden state to follow through the cell."))
        head = QHBoxLayout()
        head.setContentsMargins(4, 0, 4, 0)
        head.addWidget(self.info, 1)
        # beside the caption that names the sent sequence (the time controls below need their room at 1024 px)
        self.back_button = QPushButton(_("Back to the probe batch"))
        self.back_button.setToolTip(_("Show the training's probe sequences again instead of the one sent from the "
                                      "task view"))
        self.back_button.clicked.connect(self.back_to_probe)
        self.back_button.setVisible(False)
        head.addWidget(self.back_button)
        self._cell_choosers = []  # layer, direction, unit and their labels: hidden in a race (no cell to choose in)
        for label, box in ((_("layer"), self.layer), (_("direction"), self.direction), (_("unit"), self.unit),
                           (_("sample"), self.sample)):
            head.addSpacing(8)
            name = QLabel(label)
            head.addWidget(name)
            head.addWidget(box)
            if box is not self.sample:
                self._cell_choosers += [name, box]
        for box in (self.layer, self.direction, self.sample):
            box.setSizeAdjustPolicy(QComboBox.AdjustToContents)
            box.currentIndexChanged.connect(lambda _i: self.show_step())
        self.unit.valueChanged.connect(lambda _v: self.show_step())
        self.diagram = CellDiagram()
        self.equations = QLabel()
        self.equations.setTextFormat(Qt.RichText)
        self.equations.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.equations.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.equations.setMargin(6)
        self.equations.setWordWrap(True)  # a long GRU candidate line wraps at a space instead of scrolling sideways
        self.scroll = scroll = QScrollArea()
        scroll.setWidget(self.equations)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(self.fontMetrics().horizontalAdvance("f = σ(W·x + b + W·h + b) = 0.000") + 40)
        # max |h_t| over the units, log scale: a ReLU RNN at recurrent scale > 1 grows by orders of magnitude, tanh
        # stays within 1 (issue 22: the slide's reason for tanh); the dashed line is the t shown above.
        self.growth = pg.PlotWidget()
        self.growth.setMinimumHeight(95)
        self.growth.setMaximumHeight(160)
        style_plot(self.growth.getPlotItem(), x=_("time step t"), y=_("max |h|"))
        self.growth.setLogMode(y=True)
        self.growth.setMouseEnabled(x=False, y=False)
        self.growth.getPlotItem().hideButtons()
        self.growth_curve = curve(self.growth.getPlotItem(), theme.STATE_COLORS["hidden"], long=False)
        self.cursor = pg.InfiniteLine(angle=90, movable=False, pen=pen(theme.GATE_COLORS["f"], style=Qt.DashLine))
        self.growth.addItem(self.cursor)
        self.growth.setToolTip(_("The largest |h_t| over the units at every time step, on a log scale: tanh keeps "
                                 "it within 1, a ReLU RNN with recurrent scale above 1 lets it grow without bound."))
        # saliency: how much each input step moved the sequence's output (many-to-one tasks, on request)
        self.saliency_axis = LabelAxis("bottom")  # the probe's own labels: words, characters, marked steps
        self.saliency_plot = pg.PlotWidget(axisItems={"bottom": self.saliency_axis})
        self.saliency_plot.setMinimumHeight(95)
        style_plot(self.saliency_plot.getPlotItem(), x=_("time step t"), y=_("saliency"))
        self.saliency_plot.setMouseEnabled(x=False, y=False)
        self.saliency_plot.getPlotItem().hideButtons()
        self.saliency_curve = curve(self.saliency_plot.getPlotItem(), theme.GATE_COLORS["o"], long=False,
                                    symbol="o")
        self.saliency_cursor = pg.InfiniteLine(angle=90, movable=False,
                                               pen=pen(theme.GATE_COLORS["f"], style=Qt.DashLine))
        self.saliency_plot.addItem(self.saliency_cursor)
        self.saliency_plot.setToolTip(_("Saliency: how much each input step x_t moved this sequence's output "
                                        "(the norm of the gradient of the output with respect to x_t)."))
        self.saliency = None  # (samples, time) from the last request, for the probe shown
        # a race: one saliency curve per run, in its colour, with the runs' legend (overlay.py)
        self.legend = RunLegend()
        self.legend.clicked.connect(self.run_clicked)
        self.overlay = Overlay(self.legend, self._make_track, self._draw_track, self._drop_track,
                               lambda track: track.data.probe_version)
        self.saliency_box = QWidget()
        box = QVBoxLayout(self.saliency_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.legend)
        box.addWidget(self.saliency_plot, 1)
        self.saliency_box.setMaximumHeight(SALIENCY_HEIGHT)
        self.saliency_box.setVisible(False)
        left = QSplitter(Qt.Vertical)
        left.addWidget(self.diagram)
        left.addWidget(self.growth)
        left.addWidget(self.saliency_box)
        left.setStretchFactor(0, 1)
        left.setStretchFactor(1, 1)
        self.left = left
        self.body = QSplitter(Qt.Horizontal)
        self.body.setObjectName("cellSplitter")
        self.body.addWidget(left)
        self.body.addWidget(scroll)
        self.body.setStretchFactor(0, 3)
        self.body.setStretchFactor(1, 2)
        self.body.setSizes([600, 400])
        self.prev_button = QPushButton("◀")
        self.next_button = QPushButton("▶")
        self.prev_button.setToolTip(_("One time step back (Left)"))
        self.next_button.setToolTip(_("One time step on (Right)"))
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setToolTip(_("The time step t of the probe sequence"))
        self.play_button = QPushButton(_("Play"))
        self.play_button.setCheckable(True)
        self.play_button.setToolTip(_("Step through the sequence at the chosen speed"))
        self.speed = QComboBox()
        for s in SPEEDS:
            self.speed.addItem(_("{n} steps/s").format(n=s), s)
        self.speed.setCurrentIndex(1)
        self.t_label = QLabel()
        self.t_label.setMinimumWidth(120)
        clamp_row = self._build_clamp_row()
        foot = QHBoxLayout()
        foot.setContentsMargins(4, 0, 4, 2)
        self.slider.setMinimumWidth(80)
        for widget in (self.prev_button, self.slider, self.next_button, self.play_button, self.speed, self.t_label,
                       self.saliency_button):  # Saliency here: the clamp row is full at 1024 px
            foot.addWidget(widget, 1 if widget is self.slider else 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addWidget(self.body, 1)
        layout.addLayout(foot)
        layout.addLayout(clamp_row)
        layout.addWidget(self.clamp_result)
        self.prev_button.clicked.connect(lambda: self.move_t(-1))
        self.next_button.clicked.connect(lambda: self.move_t(1))
        self.slider.valueChanged.connect(lambda _v: self.show_step())
        self.play_button.toggled.connect(self._play)
        self.speed.currentIndexChanged.connect(lambda _i: self._play(self.play_button.isChecked()))
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.setFocusPolicy(Qt.StrongFocus)  # Left/Right step t (keyPressEvent); a click on the diagram focuses it
        self.diagram.setFocusPolicy(Qt.ClickFocus)
        self.probe = None
        self.cell = "lstm"
        self._seen = -1
        self.current: Optional[CellStep] = None
        self._growth_for = None
        self.sent: Optional[tuple[str, str]] = None  # (text, title) sent from a task view, shown instead of the batch
        self._sent_at = 0.0  # when the sent text was last probed (time.monotonic)
        self.live = None  # the training's latest probe (shown again by Clear and "Back to the probe batch")
        self.runs: Optional[RunSet] = None  # a race's runs (show_runs), else None
        self.reset()

    def _build_clamp_row(self) -> QHBoxLayout:
        """Force a gate (evaluation only): which gate, to what value, all units or the chosen one, from which t."""
        self.clamp_gate = QComboBox()
        self.clamp_gate.setToolTip(_("The gate to force: LSTM forget f, input i, output o; GRU update z, reset r."))
        self.clamp_value = QDoubleSpinBox()
        self.clamp_value.setRange(0.0, 1.0)
        self.clamp_value.setSingleStep(0.1)
        self.clamp_value.setDecimals(2)
        self.clamp_units = QComboBox()
        self.clamp_units.addItem(_("all units"), "all")
        self.clamp_units.addItem(_("the chosen unit"), "one")
        self.clamp_from = QSpinBox()
        self.clamp_from.setToolTip(_("The clamp acts from this time step on (0: at every step)."))
        self.clamp_apply = QPushButton(_("Clamp"))
        self.clamp_apply.setToolTip(_("Run the probe and the validation with the gate forced: evaluation only, "
                                      "training never sees it (Train clears it)."))
        self.clamp_clear = QPushButton(_("Clear"))
        self.saliency_button = QPushButton(_("Saliency"))
        self.saliency_button.setToolTip(_("How much each input step moved the output: the gradient of the output "
                                          "with respect to x_t, for tasks with one answer per sequence."))
        self.saliency_button.clicked.connect(self.request_saliency)
        self.clamp_result = _ResultLabel()
        self.clamp_result.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.clamp_result.setContentsMargins(6, 0, 6, 2)
        self.clamp_apply.clicked.connect(self.apply_clamp)
        self.clamp_clear.clicked.connect(self.clear_clamp)
        row = QHBoxLayout()
        row.setContentsMargins(4, 0, 4, 2)
        row.setSpacing(4)  # nine widgets in a row: at 1024 px in Turkish the default spacing cut the first label
        for widget in (QLabel(_("Clamp gate")), self.clamp_gate, QLabel(_("to")), self.clamp_value,
                       self.clamp_units, QLabel(_("from t")), self.clamp_from, self.clamp_apply, self.clamp_clear):
            row.addWidget(widget)
        row.addStretch(1)
        self.clamp_result.setVisible(False)  # its own line under the row, shown with a result (room at 1024 px)
        self.clamps: tuple = ()  # the clamps of the probe shown; () = the training's own probe
        return row

    def _clamp_widgets(self):
        return (self.clamp_gate, self.clamp_value, self.clamp_units, self.clamp_from, self.clamp_apply,
                self.saliency_button)

    def request_saliency(self) -> None:
        """Ask for the probe batch's (or the sent sequence's) input saliency, off the GUI thread; drawn under the
        diagram for the sample shown."""
        if self.api is None or self.probe is None:
            return
        probe = self.probe
        self.api.submit(saliency_job(self.clamps, self.sent[0] if self.sent else None),
                        lambda values: self._show_saliency(probe, values),
                        lambda message: self.clamp_result.setText(message), key="cell-saliency")

    def _show_saliency(self, probe, values) -> None:
        if probe is not self.probe:  # a newer probe came meanwhile: its saliency is another question
            return
        self.saliency = values
        self.saliency_box.setVisible(True)
        self._draw_saliency()

    def _draw_saliency(self) -> None:
        sample = max(0, self.sample.currentIndex())
        labels = self._labels(self.probe, sample)
        self.saliency_axis.set_labels(labels)
        if self.runs is not None:
            self.overlay.redraw()
            self.overlay.refresh()
        elif self.saliency is None:
            self.saliency_curve.setData([], [])
        elif sample < len(self.saliency):
            row = np.asarray(self.saliency[sample], dtype=np.float64)
            self.saliency_curve.setData(np.arange(len(row)), row)
        self.saliency_cursor.setValue(self.slider.value())

    @staticmethod
    def _labels(probe, sample: int) -> Optional[list]:
        return probe.labels[sample] if probe is not None and probe.labels and sample < len(probe.labels) else None

    def _sync_clamp_row(self, kind: str) -> None:
        gates = CLAMPABLE.get(kind, ())
        refill(self.clamp_gate, list(gates))
        has_model = self.api is not None and self.api.has_model() and self.runs is None
        for widget in self._clamp_widgets():
            widget.setEnabled(has_model and (bool(gates) or widget is self.saliency_button))
        self.clamp_clear.setEnabled(bool(self.clamps))

    def apply_clamp(self) -> None:
        """Ask for the probe and the validation metric with the chosen clamp (off the GUI thread)."""
        from ...models.probe import Clamp

        if self.api is None or self.probe is None or not self.clamp_gate.currentText():
            return
        unit = self.unit.value() if self.clamp_units.currentData() == "one" else None
        clamps = (Clamp(self.clamp_gate.currentText(), round(self.clamp_value.value(), 6), unit=unit,
                        from_step=self.clamp_from.value()),)
        self.clamp_result.setText(_("Evaluating with the clamp..."))
        step = self.live.step if self.live is not None else self.probe.step
        self.api.submit(clamp_job(clamps, step, self.sent[0] if self.sent else None),
                        lambda result: self._clamped(clamps, result),
                        lambda message: self.clamp_result.setText(message), key="cell-clamp")

    def _clamped(self, clamps: tuple, result: dict) -> None:
        self.clamps = clamps
        c = clamps[0]
        self.clamp_result.setText(_("Validation {metric}: {free} without the clamp, {clamped} with {gate} = "
                                    "{value}").format(metric=_(result["title"]), free=f"{result['free']:.3f}",
                                                      clamped=f"{result['clamped']:.3f}", gate=c.gate,
                                                      value=f"{c.value:g}"))
        self.clamp_result.setToolTip(self.clamp_result.text())
        self.last_clamp_result = result
        self.set_probe(result["probe"])
        self.clamps_changed.emit(clamps, self.clamp_result.text())

    def _drop_clamps(self) -> None:
        """The clamp shown ends (Clear, a new training probe, a new run): the task view hears it too."""
        had = bool(self.clamps)
        self.clamps = ()
        self.clamp_result.setText("")
        if had:
            self.clamps_changed.emit((), "")

    def clear_clamp(self) -> None:
        """Back to the training's own probe (or the sent sequence without the clamp)."""
        self._drop_clamps()
        if self.sent is not None:
            self._probe_sent()
        elif self.live is not None:
            self.set_probe(self.live)

    # --- a sequence sent from a task view ------------------------------------------------------------------------

    def show_text(self, text: str, title: str) -> None:
        """Show the cell on `text` (a typed sentence, a generated text) instead of the probe batch: probed off the
        GUI thread by the task (`Task.text_batch`), its own words or characters label t."""
        if self.api is None:
            return
        self._drop_clamps()
        self.sent = (text, title)
        self.back_button.setVisible(True)
        self.info.setText(_("Probing the sequence from the task view..."))
        self._probe_sent()

    def _probe_sent(self) -> None:
        if self.sent is None or self.api is None:
            return
        sent = self.sent
        self._sent_at = time.monotonic()
        step = self.live.step if self.live is not None else 0
        self.api.submit(text_job(sent[0], step), lambda probe: self._sent_probed(sent, probe),
                        self._sent_failed, key="cell-sent")

    def _sent_probed(self, sent, probe) -> None:
        if sent is not self.sent or self.clamps:  # sent back, another text, or a clamp now shown on it
            return
        self.set_probe(probe)

    def _sent_failed(self, message: str) -> None:
        self.sent = None
        self.back_button.setVisible(False)
        self.info.setText(message)
        self.info.setToolTip(message)

    def back_to_probe(self) -> None:
        """The training's probe batch again."""
        self.sent = None
        self.back_button.setVisible(False)
        self._drop_clamps()
        if self.live is not None:
            self.set_probe(self.live)

    def choose(self, layer: int, direction: int, sample: int, unit: int, t: int) -> None:
        """Show this unit at this t (a click on a Gates heatmap); a choice the probe does not have is left as is."""
        for box, index in ((self.layer, layer), (self.direction, direction), (self.sample, sample)):
            if 0 <= index < box.count():
                box.blockSignals(True)
                box.setCurrentIndex(index)
                box.blockSignals(False)
        self.unit.blockSignals(True)
        self.unit.setValue(unit)
        self.unit.blockSignals(False)
        self.slider.blockSignals(True)
        self.slider.setValue(t)
        self.slider.blockSignals(False)
        self.show_step()

    # --- a race: every run's saliency ------------------------------------------------------------------------------

    def show_runs(self, runs: Optional[RunSet]) -> None:
        """A race's runs (None: one run again). The runners' models are in their own processes: the cell's sums are
        not raced, but each runner's probe brings its saliency, drawn here one curve per run."""
        self.runs = runs
        self.overlay.show(runs)
        self.saliency_curve.setVisible(runs is None)
        racing = runs is not None  # no cell to show: the saliency takes the room of the diagram and the equations
        for widget in (self.diagram, self.scroll, *self._cell_choosers):
            widget.setVisible(not racing)
        self._show_growth(not racing and self.probe is not None and self.probe.kind == "RNN")
        self.saliency_box.setMaximumHeight(16_777_215 if racing else SALIENCY_HEIGHT)
        if runs is None:
            self.saliency_box.setVisible(self.saliency is not None)
        self._sync_clamp_row(self.probe.kind if self.probe is not None else "RNN")

    def _make_track(self, track: Track) -> list:
        return [curve(self.saliency_plot.getPlotItem(), track.colour, long=False)]

    def _drop_track(self, items: list) -> None:
        for item in items:
            self.saliency_plot.getPlotItem().removeItem(item)

    def _draw_track(self, track: Track, items: list) -> None:
        """The run's saliency for the chosen sample, as a share of its largest step: runs whose outputs differ in
        size compare by where they look, not by how much."""
        row = track_saliency(track, max(0, self.sample.currentIndex()))
        if row is None:
            items[0].setData([], [])
            return
        self.saliency_box.setVisible(True)
        top = float(np.nanmax(row)) if row.size else 0.0
        items[0].setData(np.arange(len(row)), row / top if top > 0 else row)

    # --- the panel contract ----------------------------------------------------------------------------------------

    def configure(self, info: RunInfo) -> None:
        """A run is shown or starts training: a clamp or a sent text shown so far belongs to the model before it."""
        self._drop_clamps()
        self.sent = None
        self.back_button.setVisible(False)
        self.cell = info.cell
        self._show_growth(CELL_KINDS.get(info.cell) == "RNN")
        self.diagram.set_step(None, CELL_KINDS.get(info.cell, "LSTM"))
        self.unit.setMaximum(max(0, info.hidden_size - 1))

    def reset(self) -> None:
        if hasattr(self, "clamp_result"):
            self._drop_clamps()
            for widget in (*self._clamp_widgets(), self.clamp_clear):
                widget.setEnabled(False)
        self.sent, self.live = None, None
        self.back_button.setVisible(False)
        self.saliency = None
        self.saliency_curve.setData([], [])
        self.saliency_box.setVisible(False)
        self.probe = None
        self._seen = -1
        self.current = None
        self._growth_for = None
        self.growth_curve.setData([], [])
        self.timer.stop()
        self.play_button.setChecked(False)
        self.diagram.set_step(None)
        self.equations.setText("")
        self.t_label.setText("")
        self.info.setText(_("The cell appears with the first probe: Train (F5), or Step (F10) for one step."))
        for widget in (self.layer, self.direction, self.sample, self.unit, self.slider, self.prev_button,
                       self.next_button, self.play_button):
            widget.setEnabled(False)
        self.t_changed.emit(-1)

    def has_news(self, data: RunData) -> bool:
        return (data.last_probe is not None and data.probe_version != self._seen) or self.overlay.has_news()

    def refresh(self, data: RunData) -> None:
        if self.runs is not None:
            self.overlay.refresh()
        probe = data.last_probe
        if probe is None or data.probe_version == self._seen:
            return
        self._seen = data.probe_version
        self.live = probe
        clamped = bool(self.clamps)
        self._drop_clamps()  # a new probe of training: clamps never outlive a training step (issue 22)
        if self.sent is not None:  # the sent sequence follows training, probed again now and then (at once if the
            if clamped or time.monotonic() - self._sent_at >= SENT_INTERVAL_S:  # clamped one is on screen)
                self._probe_sent()
            return
        self.set_probe(probe)

    # --- choosing and stepping ---------------------------------------------------------------------------------

    def set_probe(self, probe) -> None:
        """Show a probe (the latest while training); the chosen layer, unit, sample and t stay where they were."""
        if probe is not self.probe and self.saliency is not None:  # it answered for the model of the old probe
            self.saliency = None
            self.saliency_curve.setData([], [])
            self.saliency_box.setVisible(self.runs is not None)
        self.probe = probe
        any_gate = next(iter(probe.gates.values()))
        refill(self.sample, [str(i) for i in range(any_gate.shape[0])])
        self.sample.setEnabled(any_gate.shape[0] > 1)
        if not has_parts(probe):
            if self.runs is not None:
                text = _("A race: each run's saliency for this sample, scaled to its largest step")
                self.info.setText(text)
                self.info.setToolTip(_("A race keeps only the gates of its runs (each trains in its own process): "
                                       "here, every run's saliency for the chosen sample, each as a share of its "
                                       "largest step."))
            else:
                text = _("This probe did not keep the cell's sums (a saved run or a race keeps only the gates): "
                         "train or step this run to see the cell.")
                self.info.setText(text)
                self.info.setToolTip(text)
            self.current = None
            self.diagram.set_step(None)
            self.equations.setText("")
            self._draw_saliency()
            self.t_changed.emit(-1)
            return
        refill(self.layer, [str(i) for i in range(probe.num_layers)])
        refill(self.direction, [_("forward"), _("backward")][: probe.num_directions])
        self.unit.blockSignals(True)
        self.unit.setMaximum(max(0, any_gate.shape[2] - 1))
        self.unit.blockSignals(False)
        for widget in (self.layer, self.unit, self.slider, self.prev_button, self.next_button, self.play_button):
            widget.setEnabled(True)
        self.layer.setEnabled(probe.num_layers > 1)
        self.direction.setEnabled(probe.num_directions > 1)
        # nothing to choose: no chooser (at 1024 px the caption needs the room); a race shows none (show_runs)
        layer_label, layer_box, direction_label, direction_box = self._cell_choosers[:4]
        for widget in (layer_label, layer_box):
            widget.setVisible(self.runs is None and probe.num_layers > 1)
        for widget in (direction_label, direction_box):
            widget.setVisible(self.runs is None and probe.num_directions > 1)
        self.diagram.kind = probe.kind
        self._show_growth(probe.kind == "RNN")
        self._sync_clamp_row(probe.kind)
        self.clamp_from.setMaximum(max(0, any_gate.shape[1] - 1))
        self.show_step()

    def keyPressEvent(self, event) -> None:
        """Left/Right anywhere in the tab that does not use them itself (the slider does the same)."""
        delta = {Qt.Key_Left: -1, Qt.Key_Right: 1}.get(event.key())
        if delta is None:
            super().keyPressEvent(event)
            return
        self.move_t(delta)

    def move_t(self, delta: int) -> None:
        self.slider.setValue(min(self.slider.maximum(), max(0, self.slider.value() + delta)))

    def selection(self) -> tuple[int, int, int, int, int]:
        """(layer, direction, sample, unit, t) as chosen."""
        return (max(0, self.layer.currentIndex()), max(0, self.direction.currentIndex()),
                max(0, self.sample.currentIndex()), self.unit.value(), self.slider.value())

    def show_step(self) -> None:
        probe = self.probe
        if probe is None or not has_parts(probe):
            self._draw_saliency()
            return
        layer, direction, sample, unit, t = self.selection()
        steps = steps_of(probe, sample)
        if self.slider.maximum() != max(0, steps - 1):
            self.slider.blockSignals(True)
            self.slider.setMaximum(max(0, steps - 1))
            self.slider.blockSignals(False)
            t = self.slider.value()
        if steps == 0:
            return
        nonlinearity = getattr(probe, "nonlinearity", "") or ("relu" if self.cell == "rnn_relu" else "tanh")
        clamped = tuple(getattr(probe, "clamped_gates", ()))
        self.current = cell_step(probe, layer, direction, sample, unit, t, nonlinearity, clamped)
        self._draw_growth(probe, (layer, direction), sample)
        self.cursor.setValue(t)
        self._draw_saliency()
        self.diagram.set_step(self.current, probe.kind, nonlinearity)
        self.equations.setText("<br><br>".join(equation_html(eq) for eq in self.current.equations))
        labels = self._labels(probe, sample)
        word = labels[t] if labels and t < len(labels) else ""
        self.t_label.setText(_("t = {t} ({label})").format(t=t, label=word) if word and word != str(t)
                             else _("t = {t}").format(t=t))
        if self.sent is not None:
            info = _("{kind} at step {step}, on {title}").format(kind=probe.kind, step=probe.step,
                                                                 title=self.sent[1])
        else:
            info = _("{kind} at training step {step}").format(kind=probe.kind, step=probe.step)
        self.info.setText(info)
        self.info.setToolTip(info)
        self.t_changed.emit(t)

    def _show_growth(self, on: bool) -> None:
        """max |h_t| only for the vanilla RNN: gated cells keep h within ±1 by construction (h = o·tanh(c), a mix of
        tanh values), and their larger diagram needs the room."""
        if self.growth.isVisibleTo(self) == on:
            return
        self.growth.setVisible(on)
        if on:
            half = max(1, self.left.height() // 2)
            self.left.setSizes([half, half])

    def _draw_growth(self, probe, key, sample: int) -> None:
        """max |h_t| over the units, only when the probe or the choice changed (stepping moves the cursor only)."""
        if self._growth_for == (id(probe), key, sample):
            return
        self._growth_for = (id(probe), key, sample)
        hidden = probe.hidden.get(key)
        if hidden is None or sample >= len(hidden):
            self.growth_curve.setData([], [])
            return
        peak = np.abs(np.asarray(hidden[sample], dtype=np.float64)).max(axis=1)
        shown = np.where((peak > 0) & np.isfinite(peak), peak, np.nan)  # log scale: 0 (padding, dead ReLU) is a gap
        self.growth_curve.setData(np.arange(len(peak)), shown, connect="finite")
        finite = shown[np.isfinite(shown)]
        if finite.size:
            lo, hi = np.log10(finite.min()), np.log10(finite.max())
            if hi - lo < 1:  # at least one decade, so that a flat curve reads as flat
                lo, hi = (lo + hi) / 2 - 0.5, (lo + hi) / 2 + 0.5
            self.growth.setYRange(lo, hi, padding=0.05)
        self.growth.setXRange(0, max(1, len(peak) - 1), padding=0.01)

    def _play(self, on: bool) -> None:
        if on:
            self.timer.start(int(1000 / self.speed.currentData()))
            if self.slider.value() >= self.slider.maximum():
                self.slider.setValue(0)
        else:
            self.timer.stop()

    def _tick(self) -> None:
        if self.slider.value() >= self.slider.maximum():
            self.play_button.setChecked(False)
            return
        self.move_t(1)


def track_saliency(track: Track, sample: int) -> Optional[np.ndarray]:
    """A race runner's saliency for one probe sample, from its latest probe that brought one (None: none yet)."""
    probe = track.data.last_probe
    values = getattr(probe, "saliency", None) if probe is not None else None
    if values is None or sample >= len(values):
        return None
    return np.asarray(values[sample], dtype=np.float64)


class _ResultLabel(QLabel):
    """A label that is only on screen while it has something to say."""

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))


def main(argv: Optional[list[str]] = None) -> int:
    """This panel alone on a recorded run: `python -m rnnlab.app.plots.cell [RUN_FOLDER] [--screenshot PNG]`."""
    return run_alone(CellPanel, sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
