"""Remember-the-first-symbol view: a few validation sequences, their key, the model's answer and how sure it is.

    sequence                                          key  answer  P(answer)
    B  d a f f c a e b ... (40 more) ... c a e b  ?    B     B      ████████▌ 0.93
    D  a a c b f e d d ... (40 more) ... f f a b  ?    D     A      ███▍      0.38     <- wrong answers in red

The key is the only symbol that matters; everything between it and the question mark is noise. Below: accuracy on the
validation sequences against chance (1/K), which a model that forgot the key cannot beat.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QProgressBar, QTableWidgetItem, QVBoxLayout

from . import register_view
from .base import TaskView, read_only_table
from ...i18n import N_, _, ngettext

RIGHT = "#2a9d3f"
WRONG = "#c0392b"
KEY_COLOR = "#1f6fd1"
NOISE_COLOR = "#9a9a9a"
HEAD, TAIL = 24, 8  # distractors shown at the start and end of a long gap; the middle is summarised
BAR_RIGHT, BAR_WRONG = "rgba(42,157,63,0.45)", "rgba(192,57,43,0.45)"


def sequence_html(seq: str) -> str:
    """Key in bold blue, distractors in grey (a long gap shortened in the middle), the query mark in bold."""
    key, middle, query = seq[:1], seq[1:-1], seq[-1:]
    if len(middle) > HEAD + TAIL + 3:
        hidden = len(middle) - HEAD - TAIL
        noise = (html.escape(" ".join(middle[:HEAD])) + f" <i>… {hidden} more …</i> "
                 + html.escape(" ".join(middle[-TAIL:])))
    else:
        noise = html.escape(" ".join(middle))
    return (f"<span style='font-family:monospace'><b style='color:{KEY_COLOR}'>{html.escape(key)}</b>&nbsp; "
            f"<span style='color:{NOISE_COLOR}'>{noise}</span>&nbsp; <b>{html.escape(query)}</b></span>")


@register_view("memory")
class MemoryView(TaskView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.table = read_only_table([_("sequence (key, distractors, ?)"), _("key"), _("answer"), _("P(answer)")], _(
            "Validation sequences. Only the first symbol (the key) decides the answer; the distractors in grey are "
            "noise the network has to carry the key through."))
        self.table.setFocusPolicy(Qt.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for c in (1, 2):
            header.setSectionResizeMode(c, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.Fixed)
        self.table.setColumnWidth(3, 150)
        self._seq_labels: list[QLabel] = []
        self._bars: list[QProgressBar] = []
        self.caption = QLabel(wordWrap=True)
        self.caption.setObjectName("viewCaption")
        self.caption.setTextFormat(Qt.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.caption)

    def update_view(self, data: dict) -> None:
        seqs, targets, preds = list(data["sequences"]), list(data["targets"]), list(data["predictions"])
        conf = np.asarray(data["confidence"], dtype=float)
        rows = len(seqs)
        self.table.setRowCount(rows)
        while len(self._seq_labels) < rows:
            label = QLabel()
            label.setTextFormat(Qt.RichText)
            label.setContentsMargins(4, 0, 4, 0)
            self._seq_labels.append(label)
            bar = QProgressBar()
            bar.setRange(0, 1000)
            self._bars.append(bar)
        for r in range(rows):
            ok = preds[r] == targets[r]
            label = self._seq_labels[r]
            label.setText(sequence_html(seqs[r]))
            if self.table.cellWidget(r, 0) is not label:
                self.table.setCellWidget(r, 0, label)
            for c, value in ((1, targets[r]), (2, preds[r] + ("  ✓" if ok else "  ✗"))):
                item = self.table.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignCenter)
                    self.table.setItem(r, c, item)
                item.setText(value)
                item.setForeground(pg.mkColor(KEY_COLOR if c == 1 else (RIGHT if ok else WRONG)))
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            bar = self._bars[r]
            bar.setValue(int(round(1000 * conf[r])))
            bar.setFormat(f"{conf[r]:.2f}")
            bar.setStyleSheet("QProgressBar { border: none; background: transparent; text-align: center; } "
                              f"QProgressBar::chunk {{ background: {BAR_RIGHT if ok else BAR_WRONG}; "
                              f"margin: 5px 0px; }}")
            if self.table.cellWidget(r, 3) is not bar:
                self.table.setCellWidget(r, 3, bar)

        acc, chance = data.get("accuracy", float("nan")), data.get("chance", float("nan"))
        gap, keys = data.get("gap", "?"), data.get("keys", "?")
        right = sum(p == t for p, t in zip(preds, targets))
        verdict = (_("remembers the key") if acc >= 0.9 else
                   _("is still at chance: it has not carried the key across the gap") if acc < chance + 0.05 else
                   _("remembers some keys"))
        self.caption.setText(
            _("Gap of <b>{gap}</b> distractors, {keys} possible keys. Validation accuracy <b>{acc:.3f}</b> against "
              "chance {chance:.2f}: the model {verdict}. {right} of the {rows} sequences shown are right. Raise "
              "<i>Gap</i> and compare the vanilla RNN with LSTM and GRU, with <i>Memory gate init</i> chrono.").format(gap=gap, keys=keys, acc=acc, chance=chance, verdict=verdict, right=right, rows=rows))


def fake_view() -> dict:
    rng = np.random.default_rng(0)
    seqs, targets, preds = [], [], []
    for i in range(8):
        key = "ABCD"[rng.integers(4)]
        seqs.append(key + "".join("abcdefgh"[j] for j in rng.integers(0, 8, 60)) + "?")
        targets.append(key)
        preds.append(key if i % 3 else "ABCD"[rng.integers(4)])
    return {"kind": "memory", "gap": 60, "keys": 4, "sequences": seqs, "targets": targets, "predictions": preds,
            "confidence": rng.uniform(0.3, 1.0, 8), "accuracy": 0.71, "chance": 0.25}


if __name__ == "__main__":
    from ._alone import run_alone

    tiny = {"task": {"name": "memory", "options": {"gap": 40, "keys": 3}},
           "model": {"cell": "lstm", "hidden_size": 16, "embedding_size": 4}, "training": {"steps": 60}}
    raise SystemExit(run_alone(MemoryView, tiny, size=(900, 480)))
