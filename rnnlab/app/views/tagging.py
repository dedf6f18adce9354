"""Tagging view: a sentence with the model's tags against the true ones, your own sentence tagged, and per-tag accuracy.

    Tag a sentence: [ I can't believe the old man the boats . ]
        word       I     ca    n't   believe  the   old   man   the   boats  .
        model      PRON  AUX   PART  VERB     DET   ADJ   NOUN  DET   NOUN   PUNCT
        baseline   PRON  AUX   PART  VERB     DET   ADJ   NOUN  DET   NOUN   PUNCT

    Validation sentence  [<] 3 / 12 [>]
        word / true / model / baseline       wrong tags in red; words outside the vocabulary in italics with *

Below: token accuracy per tag on the validation split (bars), beside the most-frequent-tag baseline.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QScrollArea,
                               QSizePolicy, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from .. import theme
from ..plots.common import style_plot
from . import register_view
from ._words import WordAxis
from .interactive import InteractiveView
from ...i18n import N_, _, ngettext

DEFAULT_SENTENCE = "I can't believe the old man the boats in Seattle every morning."

# One light background per group of Universal POS tags, so the same kind of word looks the same everywhere.
TAG_COLORS = {
    "NOUN": "#d6e6fa", "PROPN": "#bcd5f5", "PRON": "#e3ecf7",
    "VERB": "#d4f0d4", "AUX": "#e4f5e4",
    "ADJ": "#fde2c4", "ADV": "#fbecd9", "NUM": "#f3e0f7",
    "DET": "#eeeeee", "ADP": "#eeeeee", "CCONJ": "#eeeeee", "SCONJ": "#eeeeee", "PART": "#eeeeee",
    "PUNCT": "#f7f7f7", "SYM": "#f7f7f7", "INTJ": "#fff5c2", "X": "#f7f7f7",
}
WRONG = "#c62828"
WRONG_BACKGROUND = "#fbd3d0"


class TagStrip(QTableWidget):
    """Words as columns; rows: the word, then one row of tags per source (true, model, baseline)."""

    def __init__(self, rows: list[str], parent=None):
        super().__init__(len(rows), 0, parent)
        self.setVerticalHeaderLabels(rows)
        self.horizontalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.setEditTriggers(QTableWidget.NoEditTriggers)
        self.setSelectionMode(QTableWidget.NoSelection)
        self.setFocusPolicy(Qt.NoFocus)
        self.setShowGrid(False)
        self.setHorizontalScrollMode(QTableWidget.ScrollPerPixel)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.rows = rows
        self._fit_height()

    def _fit_height(self) -> None:
        h = self.verticalHeader().defaultSectionSize() * len(self.rows)
        self.setFixedHeight(h + self.horizontalScrollBar().sizeHint().height() + 4)

    def _cell(self, row: int, col: int) -> QTableWidgetItem:
        item = self.item(row, col)
        if item is None:
            item = QTableWidgetItem()
            item.setTextAlignment(Qt.AlignCenter)
            self.setItem(row, col, item)
        return item

    def show_sentence(self, words: list[str], tags: dict[str, list[str]], unknown: list[bool],
                      reference: str = "", confidence: list[float] | None = None) -> int:
        """Fill the strip. Tags that differ from `reference`'s row are red. Returns how many model tags are wrong."""
        self.setColumnCount(len(words))
        wrong = 0
        bold = QFont(self.font())
        bold.setBold(True)
        for c, word in enumerate(words):
            item = self._cell(0, c)
            item.setText(word + ("*" if unknown[c] else ""))
            f = QFont(self.font())
            f.setItalic(bool(unknown[c]))
            item.setFont(f)
            item.setToolTip(_("not in the vocabulary: the model reads it as an unknown word") if unknown[c] else "")
            for r, name in enumerate(self.rows[1:], start=1):
                tag = tags.get(name, [""] * len(words))[c]
                item = self._cell(r, c)
                item.setText(tag)
                differs = bool(reference) and name != reference and tag != tags[reference][c]
                if differs and name == "model":
                    wrong += 1
                item.setBackground(QColor(WRONG_BACKGROUND if differs else TAG_COLORS.get(tag, "#ffffff")))
                item.setForeground(QColor(WRONG if differs else theme.FOREGROUND))
                item.setFont(bold if name in ("model", "true") else self.font())
                tip = ""
                if name == "model" and confidence is not None:
                    tip = f"P({tag}) = {confidence[c]:.2f}"
                item.setToolTip(tip)
        self.resizeColumnsToContents()
        return wrong


@register_view("tagging")
class TaggingView(InteractiveView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._examples: list[dict] = []
        self._index = 0

        self.sentence = QLineEdit(DEFAULT_SENTENCE)
        self.sentence.setPlaceholderText(_("Type a sentence to tag ..."))
        self.sentence.setToolTip(_("Split into words as the treebank does (\"can't\" -> \"ca\" \"n't\"), then tagged by "
                                 "the model and by the most-frequent-tag baseline."))
        self.sentence.setClearButtonEnabled(True)
        self.typed = TagStrip(["word", "model", "baseline"])
        self.typed_note = QLabel()
        self.typed_note.setObjectName("viewCaption")
        self.note = self.typed_note

        self.prev = QPushButton("<")
        self.next = QPushButton(">")
        for b, tip in ((self.prev, _("Previous validation sentence")), (self.next, _("Next validation sentence"))):
            b.setToolTip(tip)
            b.setFixedWidth(32)
        self.prev.clicked.connect(lambda: self._step(-1))
        self.next.clicked.connect(lambda: self._step(1))
        self.position = QLabel()
        self.val_strip = TagStrip(["word", "true", "model", "baseline"])
        self.val_note = QLabel()
        self.val_note.setObjectName("viewCaption")
        # Long notes wrap: an unwrapped line sets the view's least width, which a race or a comparison then took
        # from the experiment form (issue 19, item 11).
        for note in (self.typed_note, self.val_note):
            note.setWordWrap(True)

        self.axis = WordAxis("bottom")
        self.plot = pg.PlotWidget(axisItems={"bottom": self.axis})
        self.item = self.plot.getPlotItem()
        style_plot(self.item, title=_("validation accuracy per tag (most frequent tags first)"), y="accuracy",
                   legend=True)
        self.item.setYRange(0, 1.3, padding=0.0)  # room above 1 for the legend
        self.item.getAxis("left").setTicks([[(v, f"{v:g}") for v in (0, 0.2, 0.4, 0.6, 0.8, 1.0)]])
        self.item.setMouseEnabled(x=False, y=False)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.4, brush=pg.mkBrush(theme.MODEL), pen=pg.mkPen(None),
                                    name="model")
        self.base_bars = pg.BarGraphItem(x=[], height=[], width=0.4, brush=pg.mkBrush("#b0b0b0"),
                                         pen=pg.mkPen(None), name="most frequent tag")
        self.item.addItem(self.bars)
        self.item.addItem(self.base_bars)
        self.overall = pg.InfiniteLine(angle=0, pen=pg.mkPen(theme.MODEL, style=Qt.DashLine))
        self.base_line = pg.InfiniteLine(angle=0, pen=pg.mkPen(theme.BASELINE, style=Qt.DashLine))
        self.item.addItem(self.overall)
        self.item.addItem(self.base_line)
        self.scores = QLabel()
        self.scores.setTextFormat(Qt.RichText)
        self.scores.setWordWrap(True)
        self.scores.setObjectName("viewCaption")
        self.scores.setMinimumWidth(220)
        self.scores.setAlignment(Qt.AlignTop | Qt.AlignLeft)

        top = QHBoxLayout()
        top.addWidget(QLabel(_("<b>Tag a sentence:</b>")))
        top.addWidget(self.sentence, 1)
        nav = QHBoxLayout()
        nav.addWidget(QLabel(_("<b>Validation sentence</b>")))
        nav.addWidget(self.prev)
        nav.addWidget(self.position)
        nav.addWidget(self.next)
        nav.addWidget(self.val_note, 1)
        sentences = QWidget()
        sl = QVBoxLayout(sentences)
        sl.setContentsMargins(4, 4, 4, 4)
        sl.setSpacing(4)
        sl.addLayout(top)
        sl.addWidget(self.typed)
        sl.addWidget(self.typed_note)
        sl.addLayout(nav)
        sl.addWidget(self.val_strip)
        sl.addStretch(1)
        scroll = QScrollArea()  # a small dock scrolls rather than squeezing the tag strips
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(sentences)
        per_tag = QWidget()
        pl = QHBoxLayout(per_tag)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(self.plot, 3)
        pl.addWidget(self.scores, 1)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(scroll, _("Sentences"))
        self.tabs.addTab(per_tag, _("Accuracy per tag"))
        self.summary = QLabel()  # the headline numbers stay visible whichever tab is open
        self.summary.setObjectName("viewCaption")
        self.summary.setTextFormat(Qt.RichText)
        self.summary.setWordWrap(True)  # unwrapped, its one line made the view 720 px at least (issue 19, item 11)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.summary)

        self.sentence.textChanged.connect(self.request_soon)

    # --- the model, through the trainer api ---------------------------------------------------------------------

    def ask(self):
        text = self.sentence.text()
        return lambda task, model: task.tag(model, text)

    def show_result(self, result: dict) -> None:
        words = result["words"]
        agree = sum(a == b for a, b in zip(result["tags"], result["baseline"]))
        self.typed.show_sentence(words, {"model": result["tags"], "baseline": result["baseline"]},
                                 result["unknown"], reference="", confidence=result.get("confidence"))
        unknown = sum(result["unknown"])
        self.typed_note.setText(
            _("{count} words, {unknown} not in the vocabulary (*). Model and baseline agree on {agree} of {count}. "
              "Hover a model tag for its probability.").format(count=len(words), unknown=unknown, agree=agree))

    def show_error(self, message: str) -> None:
        self.typed.setColumnCount(0)
        super().show_error(message)

    # --- drawing --------------------------------------------------------------------------------------------------

    def _step(self, delta: int) -> None:
        if self._examples:
            self._index = (self._index + delta) % len(self._examples)
            self._show_example()

    def _show_example(self) -> None:
        if not self._examples:
            return
        ex = self._examples[self._index]
        wrong = self.val_strip.show_sentence(ex["words"], {"true": ex["true"], "model": ex["predicted"],
                                                           "baseline": ex["baseline"]},
                                             ex["unknown"], reference="true", confidence=ex.get("confidence"))
        base_wrong = sum(a != b for a, b in zip(ex["baseline"], ex["true"]))
        self.position.setText(f"{self._index + 1} / {len(self._examples)}")
        self.val_note.setText(_("model: {wrong} wrong of {count}; baseline: {base_wrong} wrong (red = differs from "
                                "the true tag)").format(wrong=wrong, count=len(ex['words']), base_wrong=base_wrong))

    def update_view(self, data: dict) -> None:
        self._examples = list(data.get("examples", []))
        self._index = min(self._index, max(0, len(self._examples) - 1))
        self._show_example()
        per_tag = data.get("per_tag_accuracy", {})
        base_tag = data.get("baseline_per_tag_accuracy", {})
        support = data.get("support", {})
        tags = sorted((t for t in data.get("tags", []) if t in per_tag), key=lambda t: -support.get(t, 0))
        self.axis.set_labels(tags)
        x = np.arange(len(tags), dtype=float)
        self.bars.setOpts(x=x - 0.2, height=np.array([per_tag[t] for t in tags]), width=0.4)
        self.base_bars.setOpts(x=x + 0.2, height=np.array([base_tag.get(t, 0.0) for t in tags]), width=0.4)
        self.item.setXRange(-0.6, len(tags) - 0.4, padding=0)
        acc = data.get("accuracy", float("nan"))
        base = data.get("baseline", {})
        self.overall.setValue(acc)
        self.base_line.setValue(base.get("accuracy", float("nan")))
        self.scores.setText(
            _("<b>{split} split</b><br>"
              "<span style='color:{model_color}'>model</span>: token accuracy <b>{acc}</b>, "
              "unknown words {unknown}, whole sentences {sentences}<br>"
              "<span style='color:{base_color}'>most frequent tag per word</span>: {base_acc}, "
              "unknown words {base_unknown}, whole sentences {base_sentences}<br>"
              "<small>Dashed lines: overall token accuracy of the model (red) and the baseline (grey).</small>").format(
                split=data.get("split", "val"), model_color=theme.MODEL, acc=f"{acc:.3f}",
                unknown=f"{data.get('unknown_word_accuracy', float('nan')):.3f}",
                sentences=f"{data.get('sentence_accuracy', float('nan')):.3f}", base_color=theme.BASELINE,
                base_acc=f"{base.get('accuracy', float('nan')):.3f}",
                base_unknown=f"{base.get('unknown_word_accuracy', float('nan')):.3f}",
                base_sentences=f"{base.get('sentence_accuracy', float('nan')):.3f}"))
        self.summary.setText(
            _("{value} token accuracy: <b style='color:{MODEL}'>model {acc:.3f}</b> · most frequent tag per word "
              "{value2:.3f} · on unknown words: model {value3:.3f}, baseline {value4:.3f}").format(value=data.get('split', 'val'), MODEL=theme.MODEL, acc=acc, value2=base.get('accuracy', float('nan')), value3=data.get('unknown_word_accuracy', float('nan')), value4=base.get('unknown_word_accuracy', float('nan'))))
        self.request()


def fake_view() -> dict:
    words = ["The", "old", "man", "the", "boats", "."]
    tags = ["NOUN", "ADP", "ADV", "ADJ", "AUX", "CCONJ", "DET", "INTJ", "NUM", "PART", "PRON", "PROPN", "PUNCT",
            "SCONJ", "SYM", "VERB", "X"]
    example = {"words": words, "true": ["DET", "NOUN", "VERB", "DET", "NOUN", "PUNCT"],
               "predicted": ["DET", "ADJ", "NOUN", "DET", "NOUN", "PUNCT"],
               "confidence": [0.99, 0.7, 0.6, 0.99, 0.9, 1.0],
               "baseline": ["DET", "ADJ", "NOUN", "DET", "NOUN", "PUNCT"], "unknown": [False, False, False, False, True,
                                                                                      False]}
    rng = np.random.default_rng(0)
    return {"kind": "tagging", "split": "val", "tags": tags, "examples": [example, example],
            "per_tag_accuracy": {t: float(rng.uniform(0.5, 1.0)) for t in tags}, "accuracy": 0.9,
            "baseline_per_tag_accuracy": {t: float(rng.uniform(0.3, 1.0)) for t in tags},
            "support": {t: int(rng.integers(1, 500)) for t in tags},
            "unknown_word_accuracy": 0.7, "sentence_accuracy": 0.4, "confusion": np.eye(len(tags), dtype=int),
            "baseline": {"accuracy": 0.82, "unknown_word_accuracy": 0.53, "sentence_accuracy": 0.23}}


def fake_tagged() -> dict:
    words = ["I", "ca", "n't", "believe", "it", "."]
    return {"words": words, "tags": ["PRON", "AUX", "PART", "VERB", "PRON", "PUNCT"],
            "confidence": [0.99, 0.9, 0.98, 0.8, 0.97, 1.0],
            "baseline": ["PRON", "AUX", "PART", "VERB", "PRON", "PUNCT"],
            "unknown": [False, False, False, False, False, False]}


if __name__ == "__main__":
    from ._alone import run_alone

    tiny = {"task": {"name": "tagging"},
           "model": {"cell": "gru", "hidden_size": 16, "embedding_size": 8, "bidirectional": True},
           "training": {"steps": 30}}
    raise SystemExit(run_alone(TaggingView, tiny, size=(1000, 650)))
