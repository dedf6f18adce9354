"""File > Run library: the runs and sweeps saved under the library folder, to open, compare, reveal or delete.

The folders are read on this dialog's own thread (a library on a network drive, or with hundreds of runs, must not
freeze the window); only plain `library.Entry` rows come back. Deleting runs there too.

    refresh() ──[rnnlab-library]──> library.entries(root) ──> _Relay.done (queued) ──> _show(entries)
    Delete ──> question ──[rnnlab-library]──> library.delete / forget, then entries ──> _show(entries, message)

The window connects `open_requested(path)`, `sweep_requested(path)` and `compare_requested([paths])`.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QItemSelectionModel, QObject, QRegularExpression, QSortFilterProxyModel, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QHBoxLayout, QHeaderView, QLabel,
                               QMessageBox, QPushButton, QTableView, QVBoxLayout)

from ...runs import library
from ...runs.compare import task_problem
from ...i18n import N_, _, ngettext

COLUMNS = (N_("Name"), N_("Kind"), N_("Task"), N_("Cell"), N_("What differs"), N_("Metric"), N_("Status"), N_("Date"),
           N_("Steps"))
NAME, KIND, TASK, CELL, DIFFERS, METRIC, STATUS, DATE, STEPS = range(len(COLUMNS))
SORT_ROLE = Qt.UserRole + 1
ENTRY_ROLE = Qt.UserRole + 2
ALL_TASKS = N_("All tasks")
DAMAGED = QColor("#8a8a8a")
MAX_COLUMN, MIN_DIFFERS = 260, 200  # pixels


class _Relay(QObject):
    """Carries a reading thread's result to the GUI thread (a queued signal: the relay lives there)."""

    done = Signal(int, object, str)  # serial, list of Entry (or None), message


class LibraryDialog(QDialog):
    """The run library browser. `root` is the library folder (None: $RNNLAB_HOME or the user's data folder)."""

    open_requested = Signal(str)
    sweep_requested = Signal(str)
    compare_requested = Signal(list)

    def __init__(self, parent=None, root: Optional[str | Path] = None):
        super().__init__(parent)
        self.setWindowTitle(_("Run library"))
        self.root = library.home(root)
        self.entries: list[library.Entry] = []
        self._serial = 0
        self._pool: Optional[ThreadPoolExecutor] = ThreadPoolExecutor(1, thread_name_prefix="rnnlab-library")
        self._relay = _Relay(self)
        self._relay.done.connect(self._received)

        self.task_filter = QComboBox()
        self.task_filter.addItem(_(ALL_TASKS))
        self.task_filter.currentTextChanged.connect(self._filter)
        self.state = QLabel(_("Reading…"))
        self.state.setTextInteractionFlags(Qt.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(QLabel("Task:"))
        top.addWidget(self.task_filter)
        top.addStretch(1)
        top.addWidget(QLabel(f"Folder: {self.root}"))

        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels([_(c) for c in COLUMNS])
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(TASK)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(DATE, Qt.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self._open())

        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        self.open_button = QPushButton(_("Open"))
        self.compare_button = QPushButton(_("Compare"))
        self.reveal_button = QPushButton(_("Reveal in file manager"))
        self.delete_button = QPushButton(_("Delete…"))
        self.refresh_button = QPushButton(_("Refresh"))
        close = QPushButton(_("Close"))
        self.open_button.clicked.connect(self._open)
        self.compare_button.clicked.connect(self._compare)
        self.reveal_button.clicked.connect(self._reveal)
        self.delete_button.clicked.connect(self._ask_delete)
        self.refresh_button.clicked.connect(self.refresh)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        for b in (self.open_button, self.compare_button, self.reveal_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(close)
        self.open_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.state)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        self.resize(1100, 560)
        self._update_buttons()
        self.refresh()

    # --- reading, off the GUI thread ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """List the library again (on the reading thread); the table keeps showing the old rows until then."""
        self._submit(lambda: "")

    def _submit(self, action) -> None:
        if self._pool is None:
            return
        self._serial += 1
        serial, root, relay = self._serial, self.root, self._relay
        self.state.setText(_("Reading…"))

        def job():
            try:
                message = action()
            except Exception as exc:  # a delete refused or failed: say so, and list what is there now
                message = str(exc)
            try:
                found = library.entries(root)
            except Exception as exc:  # entries() catches what a folder can do; this is the library folder itself
                found, message = None, _("The library folder {root} cannot be read: {exc}").format(root=root, exc=exc)
            try:
                relay.done.emit(serial, found, message)
            except RuntimeError:  # the dialog was deleted meanwhile
                pass

        self._pool.submit(job)

    def _received(self, serial: int, found, message: str) -> None:
        if serial != self._serial:
            return  # an older listing; a newer one is on its way
        if found is None:
            self.state.setText(message)
            return
        self._show(found)
        counts = (sum(e.kind == "run" for e in found), sum(e.kind == "sweep" for e in found))
        summary = (ngettext("{runs} run", "{runs} runs", counts[0]).format(runs=counts[0]) + ", "
                   + ngettext("{sweeps} sweep", "{sweeps} sweeps", counts[1]).format(sweeps=counts[1])
                   + (_(", {count} damaged").format(count=sum(not e.ok for e in found)) if any(not e.ok for e in found) else ""))
        if not found:
            summary = _("No runs or sweeps yet: runs you save land in this folder by default.")
        self.state.setText(f"{message}  {summary}".strip() if message else summary)

    def _show(self, found: list[library.Entry]) -> None:
        selected = {e.path for e in self.selected()}
        self.entries = list(found)
        self.table.setSortingEnabled(False)
        self.model.removeRows(0, self.model.rowCount())
        for entry in self.entries:
            self.model.appendRow(_row(entry))
        self.table.setSortingEnabled(True)
        tasks = sorted({e.task for e in self.entries if e.task})
        current = self.task_filter.currentText()
        self.task_filter.blockSignals(True)
        self.task_filter.clear()
        self.task_filter.addItems([_(ALL_TASKS), *tasks])
        self.task_filter.setCurrentText(current if current in tasks else _(ALL_TASKS))
        self.task_filter.blockSignals(False)
        self._filter(self.task_filter.currentText())
        self._fit_columns()
        sel = self.table.selectionModel()
        for row in range(self.proxy.rowCount()):
            if self._entry_at(row).path in selected:
                sel.select(self.proxy.index(row, 0), QItemSelectionModel.Select | QItemSelectionModel.Rows)
        self._update_buttons()

    def _fit_columns(self) -> None:
        """Columns as wide as their contents (long names elided), "What differs" taking the width left, so that a
        narrow dialog scrolls sideways rather than squeezing it to nothing."""
        header = self.table.horizontalHeader()
        widths = [min(max(self.table.sizeHintForColumn(c), header.sectionSizeHint(c)), MAX_COLUMN)
                  for c in range(len(COLUMNS))]
        rest = self.table.viewport().width() - sum(w for c, w in enumerate(widths) if c != DIFFERS)
        widths[DIFFERS] = max(widths[DIFFERS] if widths[DIFFERS] < MIN_DIFFERS else MIN_DIFFERS, rest)
        for c, w in enumerate(widths):
            header.resizeSection(c, w)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def _filter(self, task: str) -> None:
        pattern = "" if task == _(ALL_TASKS) else f"^{QRegularExpression.escape(task)}$"
        self.proxy.setFilterRegularExpression(QRegularExpression(pattern))
        self._update_buttons()

    # --- selection and buttons ------------------------------------------------------------------------------------

    def _entry_at(self, proxy_row: int) -> library.Entry:
        return self.proxy.index(proxy_row, NAME).data(ENTRY_ROLE)

    def selected(self) -> list[library.Entry]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self._entry_at(r) for r in rows]

    def visible_names(self) -> list[str]:
        return [self._entry_at(r).name for r in range(self.proxy.rowCount())]

    def _compare_problem(self, chosen: list[library.Entry]) -> str:
        if len(chosen) < 2:
            return _("Select two runs or more (Ctrl+click) to compare them.")
        if any(e.kind != "run" for e in chosen):
            return _("Compare overlays runs; a sweep is opened on its own (select runs only).")
        if any(not e.ok for e in chosen):
            return _("A damaged run cannot be compared: ") + next(e.problem for e in chosen if not e.ok)
        return task_problem([e.task for e in chosen])

    def _update_buttons(self, *_args) -> None:
        chosen = self.selected()
        one = chosen[0] if len(chosen) == 1 else None
        self.open_button.setEnabled(one is not None and one.ok)
        self.reveal_button.setEnabled(one is not None)
        self.delete_button.setEnabled(bool(chosen))
        problem = self._compare_problem(chosen)
        self.compare_button.setEnabled(not problem)
        self.compare_button.setToolTip(problem or _("Overlay these runs on the plots, one colour each"))
        if one is not None and not one.ok:
            self.hint.setText(f"<b>{one.name} cannot be opened:</b> {_html(one.problem)}")
        elif len(chosen) > 1 and problem:
            self.hint.setText(_html(problem))
        else:
            self.hint.setText("")

    # --- actions --------------------------------------------------------------------------------------------------

    def _open(self) -> None:
        chosen = self.selected()
        if len(chosen) != 1 or not chosen[0].ok:
            return
        entry = chosen[0]
        (self.sweep_requested if entry.kind == "sweep" else self.open_requested).emit(str(entry.path))
        self.accept()

    def _compare(self) -> None:
        chosen = self.selected()
        if self._compare_problem(chosen):
            return
        self.compare_requested.emit([str(e.path) for e in chosen])
        self.accept()

    def _reveal(self) -> None:
        chosen = self.selected()
        if len(chosen) == 1:
            folder = chosen[0].path if chosen[0].path.is_dir() else chosen[0].path.parent
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _ask_delete(self) -> None:
        chosen = self.selected()
        if not chosen:
            return
        inside = [e for e in chosen if e.inside]
        outside = [e for e in chosen if not e.inside]
        names = ", ".join(e.name for e in chosen[:5]) + (_(", and {count} more").format(count=len(chosen) - 5) if len(chosen) > 5 else "")
        text = _("Delete {names}?").format(names=names)
        if inside:
            text += "\n\n" + ngettext("{count} folder in the library will be deleted from disk.",
                                         "{count} folders in the library will be deleted from disk.",
                                         len(inside)).format(count=len(inside))
        if outside:
            text += "\n\n" + ngettext("{count} folder saved elsewhere will only be taken off this list; the files stay where "
                                 "they are.", "{count} folders saved elsewhere will only be taken off this list; the "
                                 "files stay where they are.", len(outside)).format(count=len(outside))
        box = QMessageBox(QMessageBox.Warning, _("Delete from the run library"), text,
                          QMessageBox.Yes | QMessageBox.Cancel, self)
        box.setDefaultButton(QMessageBox.Cancel)
        box.button(QMessageBox.Yes).setText(_("Delete"))
        box.setAttribute(Qt.WA_DeleteOnClose)
        paths = [(e.path, e.inside) for e in chosen]
        box.accepted.connect(lambda: self._delete(paths))
        box.open()

    def _delete(self, paths: list[tuple[Path, bool]]) -> None:
        root = self.root

        def action():
            problems = []
            for path, inside in paths:
                try:
                    if inside:
                        library.delete(path, root)
                    else:
                        library.forget(path, root)
                except Exception as exc:
                    problems.append(str(exc))
            return " ".join(problems) or ngettext("Deleted {count} item.", "Deleted {count} items.", len(paths)).format(count=len(paths))

        self._submit(action)

    # --- closing --------------------------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Wait for the reading thread (a listing or a delete finishes: a delete is never cut half way)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.shutdown(wait=True)

    def wait_idle(self) -> None:
        """Block until what was asked of the reading thread has run (tests)."""
        if self._pool is not None:
            self._pool.submit(lambda: None).result()

    def done(self, result: int) -> None:
        self.shutdown()
        super().done(result)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _item(text: str, sort=None) -> QStandardItem:
    item = QStandardItem(text)
    item.setData(text.lower() if sort is None else sort, SORT_ROLE)
    return item


def _row(entry: library.Entry) -> list[QStandardItem]:
    metric = "" if math.isnan(entry.value) else f"{entry.metric} {entry.value:.4g}"
    items = [
        _item(entry.name), _item(entry.kind), _item(entry.task), _item(entry.cell_text),
        _item(entry.differs if entry.ok else entry.problem),
        _item(metric, entry.value if not math.isnan(entry.value) else math.inf),
        _item(entry.status if entry.ok else "damaged"), _item(entry.date_text, entry.saved),
        _item(str(entry.steps) if entry.ok else "", entry.steps),
    ]
    items[NAME].setData(entry, ENTRY_ROLE)
    tip = str(entry.path) if entry.ok else f"{entry.path}\n{entry.problem}"
    for item in items:
        item.setToolTip(tip)
        if not entry.ok:
            item.setForeground(DAMAGED)
    return items


if __name__ == "__main__":  # the browser alone, on the library folder ($RNNLAB_HOME or the user's)
    import sys

    from ..application import application

    app = application(sys.argv)
    dialog = LibraryDialog()
    dialog.open_requested.connect(print)
    dialog.sweep_requested.connect(print)
    dialog.compare_requested.connect(print)
    dialog.show()
    sys.exit(app.exec())
