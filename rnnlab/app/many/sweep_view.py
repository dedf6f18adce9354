"""A sweep folder on screen: its results table (one row per point, sortable) and the lag-versus-success chart (the
metric against one axis, one line per cell, the mean over seeds with its min-max band, the baseline and the goal).

    view = SweepView()
    view.open("sweeps/memory-gaps")     # read on a pool thread; `loaded` or `failed(message)` on the GUI thread
    view.plot                           # the chart's pg.PlotItem, for app/export.py

The folder may sit on a slow share or come half-copied from a cluster, so it is read off the GUI thread by
`rnnlab.experiments.summary.load_summary`, and whatever is wrong with it is shown as one sentence in the view.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

import pyqtgraph as pg
from PySide6.QtCore import QObject, QRunnable, QSortFilterProxyModel, Qt, QThreadPool, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QSplitter, QTableView, QVBoxLayout,
                               QWidget)

from ...errors import RnnlabError
from ...experiments.events import DONE
from ...experiments.summary import SweepSummary, load_summary
from .. import theme
from ..plots import common
from ..run.runset import RUN_COLORS
from ...i18n import N_, _, ngettext, strerror

# Columns of results.csv the table leaves out: the point id repeats the axes and the seed, the error is each row's
# tooltip, the others are the same on every row.
HIDDEN = ("point", "error", "metric", "higher_is_better", "total_steps", "run")
STATUS_COLORS = {"failed": "#f8d7da", "interrupted": "#fff3cd", "stopped": "#fff3cd", "pending": "#eeeeee",
                 "running": "#e2ecf9"}
GOAL_COLOR = "#2a9d3f"
SORT_ROLE = Qt.UserRole + 1


class _Delivery(QObject):
    """Carries a pool thread's result to the GUI thread (it lives there, so its signals are queued)."""

    done = Signal(int, object)
    failed = Signal(int, str)


class _Read(QRunnable):
    def __init__(self, ticket: int, path: Path, delivery: _Delivery):
        super().__init__()
        self.ticket, self.path, self.delivery = ticket, path, delivery

    def run(self) -> None:
        try:
            summary = load_summary(self.path)
        except RnnlabError as exc:
            self.delivery.failed.emit(self.ticket, str(exc))
        except OSError as exc:
            self.delivery.failed.emit(self.ticket, _("{path} cannot be read ({reason})").format(path=self.path, reason=strerror(exc)))
        else:
            self.delivery.done.emit(self.ticket, summary)


def _text(value: str) -> str:
    """A results cell as shown: numbers to four significant digits, whole numbers as they are."""
    try:
        x = float(value)
    except ValueError:
        return value
    if math.isnan(x):
        return "-"
    if x.is_integer() and "." not in value and "e" not in value.lower():
        return value
    return f"{x:.4g}"


class SweepView(QWidget):
    """The results table and the chart of one sweep folder."""

    loaded = Signal()  # a folder was read and is on screen
    failed = Signal(str)  # it could not be: the sentence shown in the view

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.summary: Optional[SweepSummary] = None
        self._ticket = 0
        self._delivery = _Delivery()
        self._delivery.done.connect(self._on_done)
        self._delivery.failed.connect(self._on_failed)

        self.heading = QLabel(_("No sweep open"))
        self.heading.setWordWrap(True)
        self.axis_combo = QComboBox()
        self.axis_combo.setToolTip(_("The axis along x; every other axis makes one line per value"))
        self.axis_combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.axis_combo.currentIndexChanged.connect(lambda _i: self._axis_chosen())
        self.log_x = QCheckBox(_("log x"))
        self.log_x.setToolTip(_("Space the x values by ratio: 5, 10, 20, 50, 100 come at even steps"))
        self.log_x.toggled.connect(lambda _on: self._draw())
        self.log_y = QCheckBox(_("log y"))
        self.log_y.setToolTip(_("A log scale for the metric: an MSE of 0.0001 and one of 0.17 on one chart"))
        self.log_y.toggled.connect(lambda _on: self._draw())
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message.setStyleSheet("color: #a4262c;")
        self.message.hide()

        self.chart = pg.PlotWidget()
        self.plot: pg.PlotItem = self.chart.getPlotItem()
        self.plot.setAxisItems({"bottom": common.LabelAxis("bottom")})
        common.style_plot(self.plot)
        self.model = QStandardItemModel(self)
        self.sorted = QSortFilterProxyModel(self)
        self.sorted.setSourceModel(self.model)
        self.sorted.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.sorted)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.setEditTriggers(QTableView.NoEditTriggers)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        self.axis_label = QLabel(_("Along x:"))
        top.addWidget(self.axis_label)
        top.addWidget(self.axis_combo)
        top.addWidget(self.log_x)
        top.addWidget(self.log_y)
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.chart)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([600, 400])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)

    # --- reading, off the GUI thread ------------------------------------------------------------------------------

    def open(self, path) -> None:
        """Read the sweep folder at `path` on a pool thread; an older read still under way is ignored."""
        self._ticket += 1
        self.heading.setText(_("Reading {path} ...").format(path=path))
        self.message.hide()
        QThreadPool.globalInstance().start(_Read(self._ticket, Path(path), self._delivery))

    def _on_done(self, ticket: int, summary: SweepSummary) -> None:
        if ticket == self._ticket:
            self.show_summary(summary)
            self.loaded.emit()

    def _on_failed(self, ticket: int, message: str) -> None:
        if ticket != self._ticket:
            return
        self.heading.setText(_("No sweep open"))
        self.message.setText(message)
        self.message.show()
        self.failed.emit(message)

    # --- showing --------------------------------------------------------------------------------------------------

    def show_summary(self, summary: SweepSummary) -> None:
        self.summary = summary
        counts = summary.counts()
        done = sum(counts.get(s, 0) for s in DONE)
        rest = ", ".join(f"{n} {s}" for s, n in counts.items() if s not in DONE)
        self.heading.setText(f"<b>{Path(summary.path).name}</b>: {summary.task_title or 'sweep'}, {len(summary.rows)}"
                             f" points, {done} done" + (f" ({rest})" if rest else ""))
        self.heading.setToolTip(summary.path)
        self._fill_table(summary)
        self.axis_combo.blockSignals(True)
        self.axis_combo.clear()
        for axis in summary.axes:
            self.axis_combo.addItem(summary.axis_titles.get(axis, axis), axis)
        # lessons put a distance along x: a numeric axis first (gap, length), else the first axis
        numeric = [i for i, a in enumerate(summary.axes) if summary.numeric(a)]
        self.axis_combo.setCurrentIndex(numeric[-1] if numeric else 0)
        self.axis_combo.blockSignals(False)
        several = len(summary.axes) > 1
        self.axis_combo.setVisible(several)
        self.axis_label.setVisible(several)
        self._axis_chosen()

    def _axis_chosen(self) -> None:
        """A new x axis: log scales where its values or the metric span decades, then draw."""
        for box, on in ((self.log_x, self._spans_a_decade(self.x_axis())),
                        (self.log_y, self._spans_decades(self.x_axis()))):
            box.blockSignals(True)
            box.setChecked(on)
            box.blockSignals(False)
        self._draw()

    def _columns(self, summary: SweepSummary) -> list[str]:
        metric = summary.metric
        first = [*summary.axes, "seed", "status", f"test_{metric}", f"val_{metric}", "solved_at_step", "steps",
                 "steps_per_s", "wall_s"]
        first = [c for c in first if c in summary.columns]
        return first + [c for c in summary.columns if c not in first and c not in HIDDEN]

    def _header(self, column: str, summary: SweepSummary) -> str:
        if column in summary.axes:
            return column.rpartition(".")[2]
        for split in ("test", "val"):
            if column == f"{split}_{summary.metric}":
                return f"{split} {summary.metric_title}"
        return column.replace("_", " ")

    def _fill_table(self, summary: SweepSummary) -> None:
        columns = self._columns(summary)
        self.table.setSortingEnabled(False)
        self.model.clear()
        self.model.setHorizontalHeaderLabels([self._header(c, summary) for c in columns])
        numeric = {c: summary.numeric(c) for c in columns}
        for row in summary.rows:
            tint = STATUS_COLORS.get(row["status"])
            tip = f"{row['status']}: {row['error']}" if row.get("error") else row.get("point", "")
            items = []
            for c in columns:
                value = row.get(c, "")
                item = QStandardItem(_text(value))
                if numeric[c]:
                    number = float(value) if value else math.nan
                    item.setData(math.inf if math.isnan(number) else number, SORT_ROLE)  # blanks sort last
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                else:
                    item.setData(value.lower(), SORT_ROLE)
                item.setToolTip(tip)
                if tint:
                    item.setBackground(QBrush(QColor(tint)))
                items.append(item)
            self.model.appendRow(items)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.AscendingOrder)  # the sweep's own order until a header is clicked

    def x_axis(self) -> str:
        return self.axis_combo.currentData() or ""

    def _spans_a_decade(self, axis: str) -> bool:
        """Gaps and lengths are swept by ratio (5 ... 100): such an axis reads best on a log scale."""
        if not self.summary or not axis or not self.summary.numeric(axis):
            return False
        values = [float(r[axis]) for r in self.summary.rows]
        return min(values) > 0 and max(values) / min(values) >= 10

    def _spans_decades(self, axis: str) -> bool:
        """Solved and unsolved points differ by orders of magnitude in an error (MSE 1e-4 against the baseline's
        0.17): a metric spanning two decades reads best on a log scale."""
        if not self.summary or not axis:
            return False
        values = [float(v) for line in self.summary.lines(axis) for v in (*line.low, *line.high)]
        values += [b.value for b in self.summary.baselines()]
        return bool(values) and min(values) > 0 and max(values) / min(values) >= 100

    def _draw(self) -> None:
        summary = self.summary
        item = self.plot
        item.clear()
        if summary is None or not summary.axes:
            return
        axis = self.x_axis()
        lines = summary.lines(axis)
        numeric = summary.numeric(axis)
        log = numeric and self.log_x.isChecked() and all(x > 0 for line in lines for x in line.x)
        self.log_x.setEnabled(numeric)
        bottom = item.getAxis("bottom")
        bottom.set_labels(None if numeric else summary.categories(axis))
        values = [float(v) for line in lines for v in (*line.low, *line.high)]
        log_y = self.log_y.isChecked() and bool(values) and min(values) > 0
        self.log_y.setEnabled(bool(values) and min(values) > 0)
        item.setLogMode(x=log, y=log_y)
        swept = sorted({float(x) for line in lines for x in line.x})
        bottom.setTicks([[(math.log10(x) if log else x, f"{x:g}") for x in swept]]
                        if numeric and swept else None)
        x_title = summary.axis_titles.get(axis, axis)
        direction = _("higher is better") if summary.higher_is_better else _("lower is better")
        common.style_plot(item, x=x_title, y=f"test {summary.metric_title}")
        entries = []
        xs = [x for line in lines for x in line.x]
        for k, line in enumerate(lines):
            color = RUN_COLORS[k % len(RUN_COLORS)]
            name = line.label or f"test {summary.metric_title}"
            low = item.plot(line.x, line.low, pen=common.pen(color, alpha=90), name=f"{name} min")
            high = item.plot(line.x, line.high, pen=common.pen(color, alpha=90), name=f"{name} max")
            fill = QColor(color)
            fill.setAlpha(45)
            item.addItem(pg.FillBetweenItem(low, high, brush=pg.mkBrush(fill)))
            common.curve(item, color, name=f"{name} mean", width=2, symbol="o", long=False).setData(line.x,
                                                                                                     line.mean)
            entries.append((name, color, "line"))
        if xs:
            ends = [min(xs), max(xs)]
            for level in summary.baselines():
                item.plot(ends, [level.value] * 2, pen=common.dashed(theme.BASELINE), name=f"baseline {level.label}")
                entries.append((_("baseline: {label} {value:.3g}").format(label=level.label, value=level.value), theme.BASELINE, "dash"))
            if summary.goal is not None:
                item.plot(ends, [summary.goal.value] * 2, pen=common.pen(GOAL_COLOR, style=Qt.DotLine), name="goal")
                entries.append((_("goal: {label}").format(label=summary.goal.label), GOAL_COLOR, "┈"))
        seeds = len({r["seed"] for r in summary.rows})
        title = ngettext("test {metric} by {axis} ({direction}; mean of {seeds} seed, band from min to max)",
                         "test {metric} by {axis} ({direction}; mean of {seeds} seeds, band from min to max)",
                         seeds).format(metric=summary.metric_title, axis=axis.rpartition('.')[2],
                                       direction=direction, seeds=seeds)
        if summary.task_title:
            title = _("{task}: {title}").format(task=summary.task_title, title=title)
        if not lines:
            title += _(": no point has finished yet")
        common.legend_title(item, title, entries)
        item.enableAutoRange()


if __name__ == "__main__":  # python -m rnnlab.app.many.sweep_view FOLDER: the view alone
    import sys

    from ..application import application

    app = application(sys.argv)
    theme.apply(app)
    view = SweepView()
    view.resize(1100, 800)
    view.open(sys.argv[1] if len(sys.argv) > 1 else ".")
    view.show()
    sys.exit(app.exec())
