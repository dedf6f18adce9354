"""Sentiment view: type a sentence, see the model's verdict and what every gate did at every word.

    [ the acting is not bad , but the plot is dull .              ]   NEGATIVE 81 %  [=====-----]
    P(positive) if the sentence ended here:   ____/‾‾‾‾\\____        (one-directional models)
    input gate i    ▒▒░░▓▓▒▒░░▓▓                    one heatmap per gate, then the hidden state h:
    forget gate f   ▓▓▓▓▒▒░░▓▓▓▓                    words across, hidden units up
    ...
    └──────────────┘ └───────────────┘ └─────────────┘ └───────────────┘
    validation: confusion matrix, accuracy, a few sentences it got right and wrong

The gates come from the probe (`models/probe.py`), which replays the trained recurrent layer on the typed sentence
with the same weights; words outside the vocabulary are marked with * (the model reads them as <unk>). While training
runs, the same sentence is re-traced with the current weights every time the view updates, so a student can watch
the forget gate learn to react to "but" or "not".

Below the gates, the saliency of each word: ||d output / d x_t||, how much that word moved the verdict. "Show in the
Cell tab" sends the sentence to the Cell tab, which walks through it word by word. With a clamp set in the Cell tab,
the verdict line says what the clamped model answers beside what the model answers.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from html import escape

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFrame, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QScrollArea, QTableWidget, QTableWidgetItem, QTabWidget,
                               QVBoxLayout, QWidget)

from .. import theme
from ..plots.common import Heatmap, LabelAxis, curve, style_plot
from . import register_view
from ._words import WordAxis
from .interactive import InteractiveView
from ... import i18n
from ..language import QT_LOCALES as _QT_LOCALES
from ...i18n import N_, _, ngettext

DEFAULT_SENTENCE = "the acting is not bad , but the story is dull and far too long ."
MAX_ROWS = 5  # LSTM: i, f, g, o and the hidden state h
HIDDEN_LEVELS = (-1.0, 1.0)  # h = o * tanh(c) (LSTM) and the GRU / tanh-RNN states stay within (-1, 1)
POSITIVE = "#2a9d3f"
NEGATIVE = "#c0392b"
EXAMPLE_ROWS = 12
ROW_MIN_HEIGHT = 56  # below this a heatmap is unreadable: the view scrolls instead
RUNNING_MIN_HEIGHT = 90
LEFT_AXIS_WIDTH = 48  # the same for every plot, so the word columns line up from plot to plot


def _show_row(plot, visible: bool) -> None:
    """Show or hide one plot of the stack; a hidden one gives its height to the others."""
    plot.setVisible(visible)
    plot.setMaximumHeight(16_777_215 if visible else 0)
    plot.setMinimumHeight(0)


def word_labels(tokens: list[str], unknown: list[bool]) -> list[str]:
    """Time-axis labels: the words, unknown ones marked with *."""
    return [t + ("*" if u else "") for t, u in zip(tokens, unknown)]


VERDICTS = {"positive": N_("positive"), "negative": N_("negative")}  # the class keys stay English (run files)


def sentence_job(text: str, clamps: tuple = ()):
    """The engine call for a typed sentence: its verdict and gates (`SentimentTask.gate_trace`), each word's saliency
    and, with the Cell tab's clamps, the clamped model's verdict (`clamped`). Runs off the GUI thread."""

    def job(task, model):
        from ...modes import evaluating

        result = task.gate_trace(model, text)
        result["saliency"] = model.input_saliency(task.text_batch(text)[0])["saliency"][0]
        result["clamped"] = None
        if clamps:
            with evaluating(model), model.clamped(clamps):
                result["clamped"] = task.classify(model, text)
        return result

    return job


def clamp_text(clamps: tuple) -> str:
    """"f = 0", or "f = 0 from t = 3" (one clamp; the Cell tab sets one at a time)."""
    c = clamps[0]
    if c.from_step:
        return _("{gate} = {value} from t = {t}").format(gate=c.gate, value=f"{c.value:g}", t=c.from_step)
    return _("{gate} = {value}").format(gate=c.gate, value=f"{c.value:g}")


@register_view("sentiment")
class SentimentView(InteractiveView):
    text_sent = Signal(str, str)  # the sentence, for the Cell tab (views/host.py passes it on)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._trace = None

        # --- the sentence and the verdict ---------------------------------------------------------------------
        self.sentence = QLineEdit(DEFAULT_SENTENCE)
        self.sentence.setPlaceholderText(_("Type a sentence (a short movie review) ..."))
        self.sentence.setToolTip(_("The model reads these words one by one; its verdict and gates update as you "
                                   "type."))
        self.sentence.setClearButtonEnabled(True)
        self.verdict = QLabel(_("no model yet"))
        self.verdict.setTextFormat(Qt.RichText)
        self.note = self.verdict
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setFormat("P(positive) %p %")
        self.bar.setToolTip(_("The model's probability that the sentence is positive."))
        self.bar.setFixedWidth(150)
        self.layer = QComboBox()
        self.layer.setToolTip(_("Which recurrent layer (and direction) to show."))
        self.layer.currentIndexChanged.connect(self._redraw_trace)
        self.to_cell = QPushButton(_("Show in the Cell tab"))
        self.to_cell.setToolTip(_("Walk through this sentence word by word in the Cell tab: one unit's gates and "
                                  "equations at every word"))
        self.to_cell.clicked.connect(self.send_to_cell)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Sentence:")))
        top.addWidget(self.sentence, 1)
        top.addWidget(self.layer)
        top.addWidget(self.to_cell)
        second = QHBoxLayout()
        second.addWidget(self.verdict, 1)
        second.addWidget(self.bar)

        # --- running prediction and one heatmap per gate, words across ----------------------------------------
        self.glw = pg.GraphicsLayoutWidget()
        self.axes: list[LabelAxis] = []
        run_axis = WordAxis("bottom")
        self.axes.append(run_axis)
        self.running_plot = self.glw.addPlot(row=0, col=0, axisItems={"bottom": run_axis})
        style_plot(self.running_plot, y="P(pos)")
        self.running_plot.setTitle(_("P(positive) if the sentence ended after this word"),
                                   size=f"{max(7, theme.font_size() - 1)}pt")
        self.running_plot.setYRange(0, 1, padding=0.05)
        self.running_plot.setMouseEnabled(x=False, y=False)
        self.running_plot.addItem(pg.InfiniteLine(0.5, angle=0, pen=pg.mkPen("#999999", style=Qt.DashLine)))
        self.running_curve = curve(self.running_plot, theme.MODEL, symbol="o", width=2, long=False)
        self.running_plot.getAxis("left").setTicks([[(0.0, "0"), (0.5, ".5"), (1.0, "1")]])
        self.running_plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
        self.running_plot.setMinimumHeight(RUNNING_MIN_HEIGHT)
        self.gate_plots: list[pg.PlotItem] = []
        self.heatmaps: list[Heatmap] = []
        for row in range(MAX_ROWS):  # stacked, full width: every word gets its own column
            axis = WordAxis("bottom")
            self.axes.append(axis)
            plot = self.glw.addPlot(row=row + 1, col=0, axisItems={"bottom": axis})
            style_plot(plot)
            plot.showGrid(x=False, y=False)
            plot.setMouseEnabled(x=False, y=False)
            plot.setXLink(self.running_plot)
            plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
            plot.getAxis("left").setStyle(showValues=False)  # unit numbers say nothing; the symbol says which gate
            plot.setMinimumHeight(ROW_MIN_HEIGHT)
            # no colour bars: they would shift the heatmaps against the curve above; the caption gives the ranges
            self.heatmaps.append(Heatmap(plot, (0.0, 1.0), theme.gate_lut("i"), colorbar=False))
            self.gate_plots.append(plot)
        sal_axis = WordAxis("bottom")
        self.axes.append(sal_axis)
        self.saliency_plot = self.glw.addPlot(row=MAX_ROWS + 1, col=0, axisItems={"bottom": sal_axis})
        style_plot(self.saliency_plot)
        self.saliency_plot.setLabel("left", _("saliency"), **theme.label_style())
        self.saliency_plot.setMouseEnabled(x=False, y=False)
        self.saliency_plot.setXLink(self.running_plot)
        self.saliency_plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
        self.saliency_plot.getAxis("left").setStyle(showValues=False)
        self.saliency_plot.setMinimumHeight(ROW_MIN_HEIGHT)
        self.saliency_bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=pg.mkBrush(theme.GATE_COLORS["o"]),
                                             pen=pg.mkPen(None))
        self.saliency_plot.addItem(self.saliency_bars)
        _show_row(self.saliency_plot, False)  # until a sentence's saliency comes
        self.glw.ci.layout.setRowStretchFactor(0, 2)
        for row in range(MAX_ROWS):
            self.glw.ci.layout.setRowStretchFactor(row + 1, 3)
        self.glw.ci.layout.setRowStretchFactor(MAX_ROWS + 1, 2)
        self.glw.setMinimumHeight(RUNNING_MIN_HEIGHT + MAX_ROWS * ROW_MIN_HEIGHT)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setWidget(self.glw)

        # --- validation summary: confusion matrix and examples ------------------------------------------------
        self.scores = QLabel()
        self.scores.setTextFormat(Qt.RichText)
        self.scores.setWordWrap(True)
        self.scores.setObjectName("viewCaption")
        grid = QGridLayout()
        grid.setSpacing(2)
        grid.addWidget(QLabel(_("<b>true \\ predicted</b>")), 0, 0)
        self.cells: list[list[QLabel]] = []
        self.class_labels: list[tuple[QLabel, QLabel]] = []
        for k in range(2):
            col_head, row_head = QLabel(), QLabel()
            col_head.setAlignment(Qt.AlignCenter)
            grid.addWidget(col_head, 0, k + 1)
            grid.addWidget(row_head, k + 1, 0)
            self.class_labels.append((row_head, col_head))
            row = []
            for j in range(2):
                cell = QLabel("-")
                cell.setAlignment(Qt.AlignCenter)
                cell.setMinimumSize(70, 30)
                grid.addWidget(cell, k + 1, j + 1)
                row.append(cell)
            self.cells.append(row)
        matrix_box = QWidget()
        mb = QVBoxLayout(matrix_box)
        mb.setContentsMargins(4, 4, 4, 4)
        mb.addWidget(QLabel(_("<b>Validation: confusion matrix</b>")))
        mb.addLayout(grid)
        mb.addWidget(self.scores)
        mb.addStretch(1)
        self.examples = QTableWidget(0, 4)
        self.examples.setHorizontalHeaderLabels([_("validation sentence"), "true", "predicted", "confidence"])
        self.examples.verticalHeader().setVisible(False)
        self.examples.setEditTriggers(QTableWidget.NoEditTriggers)
        self.examples.setSelectionBehavior(QTableWidget.SelectRows)
        self.examples.setToolTip(_("Double-click a sentence to trace it above."))
        self.examples.cellDoubleClicked.connect(self._use_example)
        header = self.examples.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for c in (1, 2, 3):
            header.setSectionResizeMode(c, QHeaderView.ResizeToContents)
        bottom = QWidget()
        bl = QHBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(matrix_box)
        bl.addWidget(self.examples, 1)

        self.caption = QLabel()
        self.caption.setObjectName("viewCaption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.RichText)
        trace_tab = QWidget()
        tl = QVBoxLayout(trace_tab)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.setSpacing(2)
        tl.addWidget(self.scroll, 1)
        tl.addWidget(self.caption)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(trace_tab, _("Gates per word"))
        self.tabs.addTab(bottom, _("Validation: confusion matrix"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addWidget(self.tabs, 1)

        self.sentence.textChanged.connect(self.request_soon)

    # --- the model, through the trainer api ---------------------------------------------------------------------

    def ask(self):
        return sentence_job(self.sentence.text(), self.clamps)

    def send_to_cell(self) -> None:
        """The sentence to the Cell tab (which probes it off the GUI thread, its words labelling t)."""
        text = self.sentence.text()
        if text.strip():
            self.text_sent.emit(text, _("your sentence"))

    def _use_example(self, row: int, _col: int) -> None:
        item = self.examples.item(row, 0)
        if item is not None:
            self.sentence.setText(item.text())

    # --- drawing --------------------------------------------------------------------------------------------------

    def update_view(self, data: dict) -> None:
        """Validation summary from task.view(); and, since the weights may have moved, a fresh trace."""
        classes = list(data.get("classes", ["negative", "positive"]))
        conf = np.asarray(data["confusion"], dtype=float)
        total = conf.sum(axis=1, keepdims=True)
        share = np.divide(conf, total, out=np.zeros_like(conf), where=total > 0)
        for k in range(2):
            row_head, col_head = self.class_labels[k]
            row_head.setText(f"<b>{classes[k]}</b>")
            col_head.setText(f"<b>{classes[k]}</b>")
            for j in range(2):
                good = k == j
                alpha = 0.15 + 0.6 * share[k, j]
                rgb = (42, 157, 63) if good else (192, 57, 43)
                self.cells[k][j].setText(f"{int(conf[k, j])}<br><small>{100 * share[k, j]:.0f} %</small>")
                self.cells[k][j].setStyleSheet(
                    f"background: rgba({rgb[0]},{rgb[1]},{rgb[2]},{alpha:.2f}); border-radius: 3px;")
        self.scores.setText(
            _("accuracy <b>{value:.3f}</b><br>precision {value2:.3f} · recall {value3:.3f}<br><small>(of "
              "'{value4}', on {int} {value5} sentences)</small>").format(value=data.get('accuracy', float('nan')), value2=data.get('precision', float('nan')), value3=data.get('recall', float('nan')), value4=classes[1], int=int(conf.sum()), value5=data.get('split', 'val')))
        examples = list(data.get("examples", []))[:EXAMPLE_ROWS]
        self.examples.setRowCount(len(examples))
        for r, ex in enumerate(examples):
            color = theme.FOREGROUND if ex.get("correct") else NEGATIVE
            cells = [ex["text"], ex["true"], ex["predicted"], f"{100 * ex['confidence']:.0f} %"]
            for c, value in enumerate(cells):
                item = self.examples.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    self.examples.setItem(r, c, item)
                item.setText(value)
                item.setForeground(pg.mkColor(color))
                if c == 0:
                    item.setToolTip(value)
        self.request()

    def show_result(self, result: dict) -> None:
        self._trace = result
        label, conf = result["label"], result["confidence"]
        color = POSITIVE if label == "positive" else NEGATIVE
        # Upper case by the language's rules (QLocale: i -> İ in Turkish), never str.upper() on translated text.
        shout = _QT_LOCALES.get(i18n.language(), QLocale()).toUpper(_(VERDICTS.get(label, label)))
        # no-break spaces: "87 %" and "sure" never on two lines
        sure = _("{percent:.0f}\u00a0%\u00a0sure").format(percent=100 * conf)
        line = (f"<span style='color:{color}; font-size:14pt; font-weight:bold'>{escape(shout)}</span>"
                f" &nbsp;{escape(sure)}")
        forced = result.get("clamped")
        if forced is not None and self.clamps:  # the clamped model's verdict beside the model's (issue 22)
            fcolor = POSITIVE if forced["label"] == "positive" else NEGATIVE
            fshout = _QT_LOCALES.get(i18n.language(), QLocale()).toUpper(_(VERDICTS.get(forced["label"],
                                                                                         forced["label"])))
            with_clamp = _("with {clamp}:").format(clamp=clamp_text(self.clamps))
            fsure = _("{percent:.0f}\u00a0%\u00a0sure").format(percent=100 * forced["confidence"])
            line += (f" &nbsp;·&nbsp; {escape(with_clamp)} <span style='color:{fcolor}; font-weight:bold'>"
                     f"{escape(fshout)}</span> {escape(fsure)}")
        self.verdict.setText(line)
        self.bar.setValue(int(round(100 * result["probabilities"].get("positive", 0.0))))
        self._sync_layers(result)
        self._redraw_trace()

    def _sync_layers(self, result: dict) -> None:
        items = []
        for layer in range(result["num_layers"]):
            for d in range(result["num_directions"]):
                if result["num_directions"] == 1:
                    name = _("layer {layer}").format(layer=layer)
                else:  # the same words as the Gradients tab's chooser (plots/gradtime.py)
                    name = (_("layer {layer} backward") if d else _("layer {layer} forward")).format(layer=layer)
                items.append(name)
        if [self.layer.itemText(i) for i in range(self.layer.count())] != items:
            keep = self.layer.currentIndex()
            self.layer.blockSignals(True)
            self.layer.clear()
            self.layer.addItems(items)
            self.layer.setCurrentIndex(keep if 0 <= keep < len(items) else 0)
            self.layer.blockSignals(False)
        self.layer.setVisible(len(items) > 1)

    def _redraw_trace(self, *_args) -> None:
        result = self._trace
        if result is None:
            return
        index = max(0, self.layer.currentIndex())
        layer, direction = divmod(index, result["num_directions"])
        labels = word_labels(result["tokens"], result["unknown"])
        for axis in self.axes:
            axis.set_labels(labels, offset=0.5)
        steps = len(labels)
        rows = [(g, tuple(result["gate_levels"][g]), result["gates"][(layer, direction, g)])
                for g in result["gate_names"]]
        if result["kind"] != "RNN":  # a vanilla RNN's activation h already is its hidden state
            rows.append(("h", HIDDEN_LEVELS, result["hidden"][(layer, direction)]))
        for index, (plot, heat) in enumerate(zip(self.gate_plots, self.heatmaps)):
            _show_row(plot, index < len(rows))
            if index >= len(rows):
                continue
            symbol, levels, values = rows[index]
            color = theme.GATE_COLORS.get(symbol, theme.FOREGROUND)
            plot.setLabel("left", f"<span style='color:{color}; font-size:13pt; font-weight:bold'>{symbol}</span>")
            plot.getAxis("bottom").setStyle(showValues=index == len(rows) - 1)  # words under the last row only
            heat.set_lut(theme.lut_for(symbol, levels))
            heat.set_levels(levels)
            heat.set(np.asarray(values, dtype=np.float32).T)  # (units, words): words across
            plot.setXRange(0, steps, padding=0)
        self.glw.setMinimumHeight(RUNNING_MIN_HEIGHT + (len(rows) + 1) * ROW_MIN_HEIGHT)
        saliency = result.get("saliency")
        _show_row(self.saliency_plot, saliency is not None)
        if saliency is not None:
            for index in range(len(rows)):
                self.gate_plots[index].getAxis("bottom").setStyle(showValues=False)
            values = np.asarray(saliency, dtype=float)[:steps]
            self.saliency_bars.setOpts(x=np.arange(len(values)) + 0.5, height=values, width=0.7)
            top = float(values.max()) if values.size else 0.0
            self.saliency_plot.setYRange(0, top if top > 0 else 1.0, padding=0.05)
            self.saliency_plot.setXRange(0, steps, padding=0)
        running = result.get("running")
        _show_row(self.running_plot, running is not None)
        if running is not None:
            self.running_curve.setData(np.arange(steps) + 0.5, np.asarray(running)[:, 1])
            self.running_plot.setXRange(0, steps, padding=0)
        unknown = sum(result["unknown"])
        names = [f"<b style='color:{theme.GATE_COLORS.get(g, theme.FOREGROUND)}'>{g}</b> "
                 f"{_(result['gate_titles'][g]).rsplit(' ', 1)[0]}" for g in result["gate_names"]]
        if result["kind"] != "RNN":
            hidden = _("hidden state")
            names.append(f"<b style='color:{theme.GATE_COLORS['h']}'>h</b> {hidden}")
        ranges = {"LSTM": _("i, f, o: white 0 to dark 1; g, h: blue -1, white 0, red +1"),
                  "GRU": _("r, z: white 0 to dark 1; n, h: blue -1, white 0, red +1"),
                  "RNN": _("pre: blue -3 to red +3; h: blue -1 to red +1")}.get(result["kind"], "")
        note = (_(" Words marked * are not in the vocabulary (read as &lt;unk&gt;).") if unknown else "")
        if saliency is not None:
            note += _(" The last row is each word's saliency: how much it moved the verdict (the gradient's size).")
        run = "" if running is not None else (_(" P(positive) per word needs a one-directional model (a backward "
                                              "pass has not read the start yet)."))
        self.caption.setText(_("{value}: {names}. One column per word, one row per hidden unit; "
                               "{ranges}.{note}{run}").format(value=result['kind'], names=', '.join(names), ranges=ranges, note=note, run=run))


def fake_trace(tokens: list[str], kind: str = "LSTM", hidden: int = 16, seed: int = 0) -> dict:
    """A made-up gate trace with the shape `SentimentTask.gate_trace` returns, for a quick look and the tests."""
    rng = np.random.default_rng(seed)
    names = {"LSTM": ("i", "f", "g", "o"), "GRU": ("r", "z", "n"), "RNN": ("pre", "h")}[kind]
    levels = {"i": (0.0, 1.0), "f": (0.0, 1.0), "o": (0.0, 1.0), "r": (0.0, 1.0), "z": (0.0, 1.0),
              "g": (-1.0, 1.0), "n": (-1.0, 1.0), "h": (-1.0, 1.0), "pre": (-3.0, 3.0)}
    titles = {"i": _("input gate i"), "f": _("forget gate f"), "g": _("candidate g"), "o": _("output gate o"), "r": _("reset gate r"),
              "z": _("update gate z"), "n": _("candidate n"), "pre": "pre-activation", "h": _("activation h")}
    t = len(tokens)
    gates = {}
    for g in names:
        lo, hi = levels[g]
        gates[(0, 0, g)] = (lo + (hi - lo) * rng.random((t, hidden))).astype(np.float32)
    p = 1 / (1 + np.exp(-np.cumsum(rng.normal(0, 1, t))))
    return {"tokens": tokens, "unknown": [len(w) > 8 for w in tokens], "label": "positive" if p[-1] > 0.5 else
            "negative", "label_index": int(p[-1] > 0.5), "confidence": float(max(p[-1], 1 - p[-1])),
            "probabilities": {"negative": float(1 - p[-1]), "positive": float(p[-1])}, "kind": kind,
            "gate_names": names, "num_layers": 1, "num_directions": 1, "gates": gates,
            "hidden": {(0, 0): rng.uniform(-1, 1, (t, hidden)).astype(np.float32)}, "cell": {},
            "gate_levels": {g: levels[g] for g in names}, "gate_titles": {g: titles[g] for g in names},
            "running": np.stack([1 - p, p], axis=1)}


def fake_view() -> dict:
    examples = [{"text": "a gorgeous , witty , seductive movie .", "true": "positive", "predicted": "positive",
                 "confidence": 0.93, "correct": True},
                {"text": "the plot is nothing but boilerplate clichés from start to finish .", "true": "negative",
                 "predicted": "negative", "confidence": 0.88, "correct": True},
                {"text": "not a bad journey at all .", "true": "positive", "predicted": "negative",
                 "confidence": 0.71, "correct": False}]
    return {"kind": "sentiment", "split": "val", "classes": ["negative", "positive"],
            "confusion": np.array([[410, 123], [135, 398]]), "accuracy": 0.758, "precision": 0.764, "recall": 0.747,
            "f1": 0.755, "examples": examples}


if __name__ == "__main__":
    from ._alone import run_alone

    tiny = {"task": {"name": "sentiment", "options": {"vocab_size": 2000}},
           "model": {"cell": "lstm", "hidden_size": 12, "embedding_size": 8}, "training": {"steps": 30}}
    raise SystemExit(run_alone(SentimentView, tiny, size=(1100, 700)))
