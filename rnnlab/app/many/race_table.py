"""The end of a race: one row per runner (its colour and legend label, final test metric against the task's
baselines, the step it solved the task at, steps/s, wall time), sortable, and under it the sentence on speed
measured on this computer (experiments.race.speed_sentence), so the table says what was true here.

    table = RaceTable()
    session.ended.connect(lambda rows, sentence: table.show_results(rows, session.runs, sentence))
"""

from __future__ import annotations

import math
from typing import Optional, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QAbstractScrollArea, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ..run.runset import RunSet
from ...experiments.report import STATUS
from ...i18n import N_, _, ngettext

ENDED_WITHOUT_GOAL = ("finished", "diverged", "stopped")  # a runner that trained and never met the goal: "never"


class _Item(QTableWidgetItem):
    """A cell shown as text and sorted by its number (NaN last whichever way)."""

    def __init__(self, text: str, number: Optional[float] = None):
        super().__init__(text)
        self.number = math.nan if number is None else number
        self.setFlags(Qt.ItemIsSelectable | Qt.ItemIsEnabled)
        if number is not None:  # a number column, "never" and "–" included
            self.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)

    def __lt__(self, other):
        if isinstance(other, _Item) and not (math.isnan(self.number) and math.isnan(other.number)):
            if math.isnan(self.number) or math.isnan(other.number):
                ascending = self.tableWidget().horizontalHeader().sortIndicatorOrder() == Qt.AscendingOrder
                return math.isnan(other.number) == ascending
            return self.number < other.number
        return super().__lt__(other)


def _num(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _fmt(value: float, digits: int = 4) -> str:
    return "–" if math.isnan(value) else f"{value:.{digits}g}"


def swatch(colour: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class RaceTable(QWidget):
    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.table = QTableWidget(0, 0)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSizeAdjustPolicy(QAbstractScrollArea.AdjustToContents)  # a few rows: no empty box under them
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setTextFormat(Qt.PlainText)  # the engine's sentence is plain: names with "<" stay as they are
        self.sentence.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.sentence)
        layout.addStretch(1)

    def show_results(self, rows: Sequence[dict], runs: RunSet, sentence: str) -> None:
        """The runners' results rows (RaceSession.ended), matched to their tracks by point id for colour and label."""
        info = next((t.info for t in runs if t.info is not None), None)
        metric = str(next((r.get("metric") for r in rows if r.get("metric")), info.metric_key if info else ""))
        title = info.metric_title if info else metric
        goal = info.goal_text if info else ""
        baselines = [k for r in rows for k in r if k.startswith("baseline ")]
        baselines = list(dict.fromkeys(baselines))
        better = "" if info is None else (_(" (higher is better)") if info.higher_is_better else _(" (lower is better)"))
        headers = [_("Run"), _("Test {metric}").format(metric=title) + better,
                   *(_("Baseline: {name}").format(name=_(k[9:])) for k in baselines)]
        solved_column = len(headers)
        if goal:
            headers.append(_("Solved at step"))
        headers += [_("Steps/s"), _("Wall time (s)"), _("Status")]
        self.table.setSortingEnabled(False)
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        if goal:
            self.table.horizontalHeaderItem(solved_column).setToolTip(_("The goal: {goal}").format(goal=_(goal)))
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            track = runs.get(str(row.get("point", "")))
            name = _Item(_(track.label) if track else str(row.get("point", "")))
            if track:
                name.setIcon(swatch(track.colour))
            cells = [name, self._number(row.get(f"test_{metric}"))]
            cells += [self._number(row.get(k)) for k in baselines]
            if goal:
                solved = _num(row.get("solved_at_step"))
                text = _("never") if math.isnan(solved) and row.get("status") in ENDED_WITHOUT_GOAL else \
                    _fmt(solved, 12)
                cells.append(_Item(text, solved))
            cells += [self._number(row.get("steps_per_s"), 4), self._number(row.get("wall_s"), 3)]
            status = str(row.get("status", ""))
            cells.append(_Item(_(STATUS.get(status, status)) + (f": {row['error']}" if row.get("error") else "")))
            for j, item in enumerate(cells):
                self.table.setItem(i, j, item)
        self.table.setSortingEnabled(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        self.sentence.setText(_("Speed on this computer: {sentence}").format(sentence=sentence) if sentence else "")

    @staticmethod
    def _number(value, digits: int = 4) -> _Item:
        x = _num(value)
        return _Item(_fmt(x, digits), x)
