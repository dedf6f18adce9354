"""Dates-to-ISO view: input, target and the model's greedy answer side by side, exact match per format, and a box to
try a date of your own.

    Try a date: [Tue, 3 Mar 1998        ]  ->  1998-03-03
    ┌ input ───────────┬ target ───┬ model ─────┬──┬ format ──────────┐   format              exact match
    │ 12/7/61          │1961-12-07 │1961-12-07  │✓ │ m/d/yy (US)      │   month ordinal year  ██████████ 0.98
    │ Sat, 14 Oct 2023 │2023-10-14 │2023-10-1[7]│✗ │ Wkd, day Mon year│   m/d/yy (US)         █████████  0.91
    └──────────────────┴───────────┴────────────┴──┴──────────────────┘   ...

Wrong characters of an answer are red. The table lists the validation mistakes first (dates never seen in training).
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar, QSplitter, QTableWidgetItem,
                               QVBoxLayout)

from .. import theme
from . import register_view
from .interactive import ERROR_COLOR as WRONG
from .base import read_only_table
from .interactive import InteractiveView
from ...i18n import N_, _, ngettext

RIGHT = "#2a9d3f"
DEFAULT_DATE = "Tue, 3 Mar 1998"
# bar colours, light enough to read the number on them: >= 0.9 green, >= 0.5 blue, below red
BAR_GOOD, BAR_FAIR, BAR_POOR = "rgba(42,157,63,0.45)", "rgba(31,119,180,0.45)", "rgba(192,57,43,0.45)"


def marked_answer(answer: str, target: str) -> str:
    """The answer as HTML (monospace) with every character that differs from the target in bold red."""
    out = []
    for i, ch in enumerate(answer):
        ok = i < len(target) and target[i] == ch
        out.append(html.escape(ch) if ok else f"<b style='color:{WRONG}'>{html.escape(ch)}</b>")
    return "<span style='font-family:monospace'>" + "".join(out) + "</span>"


@register_view("dates")
class DatesView(InteractiveView):
    def __init__(self, parent=None):
        super().__init__(parent)

        # --- a date of your own -------------------------------------------------------------------------------
        self.typed = QLineEdit(DEFAULT_DATE)
        self.typed.setPlaceholderText(_("e.g. march 3rd 1998, 3/3/98, Tue, 3 Mar 1998"))
        self.typed.setToolTip(_("Any date from 1950 to 2049 in a format like those in the table. Slashes are read as "
                              "month/day/year (US), dots as day.month.year (European)."))
        self.typed.setClearButtonEnabled(True)
        self.answer = QLabel(_("no model yet"))
        self.answer.setTextFormat(Qt.RichText)
        self.answer.setMinimumWidth(260)
        self.note = self.answer
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Try a date:")))
        top.addWidget(self.typed, 1)
        top.addWidget(QLabel("→"))
        top.addWidget(self.answer)

        # --- validation examples ------------------------------------------------------------------------------
        self.table = read_only_table(["input", "target", "model", "", "format"], _(
            "Validation dates (never seen in training). Double-click a row to try its input."), rows_selectable=True)
        self.table.setWordWrap(False)
        self.table.cellDoubleClicked.connect(self._use_row)
        header = self.table.horizontalHeader()
        for c in (0, 1, 2, 3):
            header.setSectionResizeMode(c, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.Stretch)
        self._answer_labels: list[QLabel] = []

        # --- exact match per format -----------------------------------------------------------------------------
        self.format_table = read_only_table(["format", _("exact match (validation)")], _(
            "Share of the validation dates written in each format that the model gets exactly right."))
        fh = self.format_table.horizontalHeader()
        fh.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        fh.setSectionResizeMode(1, QHeaderView.Stretch)
        self._bars: list[QProgressBar] = []

        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.format_table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.caption = QLabel(wordWrap=True)
        self.caption.setObjectName("viewCaption")
        self.caption.setTextFormat(Qt.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.caption)

        self.typed.textChanged.connect(self.request_soon)

    # --- the model, through the trainer api ---------------------------------------------------------------------

    def ask(self):
        text = self.typed.text().strip()
        if not text:
            self.answer.setText(_("<i>type a date</i>"))
            return None
        return lambda task, model: task.convert(model, text)

    def show_result(self, iso: str) -> None:
        answer = f"<span style='font-family:monospace; font-size:13pt; font-weight:bold'>{html.escape(iso)}</span>"
        self.answer.setText(_("{answer} <small>(the model's answer)</small>").format(answer=answer))

    def _use_row(self, row: int, _col: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.typed.setText(item.text())

    # --- drawing --------------------------------------------------------------------------------------------------

    def update_view(self, data: dict) -> None:
        inputs, targets, outputs = list(data["inputs"]), list(data["targets"]), list(data["outputs"])
        formats = list(data.get("formats", [""] * len(inputs)))
        self.table.setRowCount(len(inputs))
        while len(self._answer_labels) < len(inputs):
            label = QLabel()
            label.setTextFormat(Qt.RichText)
            label.setContentsMargins(4, 0, 4, 0)
            self._answer_labels.append(label)
        mono = theme.mono_font()
        for r, (fmt, x, t, y) in enumerate(zip(formats, inputs, targets, outputs)):
            ok = y == t
            for c, value in enumerate((x, t, "", "✓" if ok else "✗", fmt)):
                item = self.table.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    if c in (0, 1):
                        item.setFont(mono)
                    self.table.setItem(r, c, item)
                item.setText(value)
                if c == 3:
                    item.setForeground(pg.mkColor(RIGHT if ok else WRONG))
                    item.setTextAlignment(Qt.AlignCenter)
                    item.setToolTip(_("exact match") if ok else _("at least one character wrong"))
            label = self._answer_labels[r]
            label.setText(marked_answer(y, t))
            if self.table.cellWidget(r, 2) is not label:
                self.table.setCellWidget(r, 2, label)
        self.table.resizeColumnToContents(2)

        per_format = dict(data.get("per_format", {}))
        names = list(per_format)
        values = np.array([per_format[n] for n in names], dtype=float)
        self.format_table.setRowCount(len(names))
        while len(self._bars) < len(names):
            bar = QProgressBar()
            bar.setRange(0, 1000)
            bar.setTextVisible(True)
            self._bars.append(bar)
        for r, (name, v) in enumerate(zip(names, values)):
            item = self.format_table.item(r, 0)
            if item is None:
                item = QTableWidgetItem()
                self.format_table.setItem(r, 0, item)
            item.setText(name)
            bar = self._bars[r]
            known = bool(np.isfinite(v))
            bar.setValue(int(round(1000 * v)) if known else 0)
            bar.setFormat(f"{v:.2f}" if known else _("no examples"))
            color = BAR_GOOD if known and v >= 0.9 else (BAR_FAIR if known and v >= 0.5 else BAR_POOR)
            bar.setStyleSheet("QProgressBar { border: none; background: transparent; text-align: center; } "
                              f"QProgressBar::chunk {{ background: {color}; margin: 5px 0px; }}")
            if self.format_table.cellWidget(r, 1) is not bar:
                self.format_table.setCellWidget(r, 1, bar)

        exact = data.get("exact", float("nan"))
        wrong = sum(o != t for o, t in zip(outputs, targets))
        worst = names[int(np.nanargmin(values))] if len(names) and np.isfinite(values).any() else ""
        self.caption.setText(
            _("Exact match on the validation dates: <b>{exact:.3f}</b> (greedy decoding: each character the model "
              "writes is fed back as its next input). The table shows {count} of them, the {wrong} mistakes first; "
              "wrong characters are <span style='color:{WRONG}'><b>red</b></span>.").format(exact=exact, count=len(inputs), wrong=wrong, WRONG=WRONG)
            + (_(" Hardest format so far: <i>{text}</i>.").format(text=html.escape(worst)) if worst else ""))
        self.request()


def fake_view() -> dict:
    rows = [(_("m/d/yy (US)"), "12/7/61", "1961-12-07", "1961-12-07"),
            (_("Wkd, day Mon year"), "Sat, 14 Oct 2023", "2023-10-14", "2023-10-17"),
            (_("month ordinal year"), "march 3rd 1998", "1998-03-03", "1998-03-03"),
            (_("d.m.yyyy (European)"), "4.11.1975", "1975-11-04", "1975-04-11")]
    per_format = {"month ordinal year": 0.98, "m/d/yy (US)": 0.91, "Wkd, day Mon year": 0.74,
                  "d.m.yyyy (European)": 0.42, "yyyymmdd": 1.0}
    return {"kind": "dates", "formats": [r[0] for r in rows], "inputs": [r[1] for r in rows],
            "targets": [r[2] for r in rows], "outputs": [r[3] for r in rows], "per_format": per_format,
            "exact": 0.84}


if __name__ == "__main__":
    from ._alone import run_alone

    tiny = {"task": {"name": "dates", "options": {"eval_size": 100}},
           "model": {"cell": "gru", "hidden_size": 32, "embedding_size": 8}, "training": {"steps": 40}}
    raise SystemExit(run_alone(DatesView, tiny, size=(1000, 560)))
