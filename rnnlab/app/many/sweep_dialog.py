"""Start a sweep from the window: a small form over the current experiment, then its progress, then its results.

    dialog = SweepDialog(base_cfg, parent=window, folder=library.new_sweep_path("adding-sweep"))
    dialog.sweep_done.connect(...)      # the folder, once every point has run (the dialog then shows the SweepView)
    dialog.exec()

    form ── Start ──> progress (bar: points done / total; a line per running point) ── all ran ──> SweepView
                         │ Cancel: running points are killed and marked interrupted
                         └──> cancelled ── Resume: the same sweep into the same folder; the engine skips done points

The form checks every field with the config's own rules as it is typed (the ConfigError's sentence under the field,
Start disabled until all are good). The points train in worker processes driven by an ExperimentThread.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Optional

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QProgressBar, QPushButton, QSpinBox, QStackedWidget, QVBoxLayout,
                               QWidget)

from ... import config as config_mod
from ...errors import ConfigError
from ...experiments.cluster import RayExecutor, address_from
from ...experiments.events import PointEnded, PointProgress, PointStarted, SweepEnded
from ...experiments.folder import folder_problem
from ...experiments.local import LocalExecutor, default_workers
from ...experiments.runner import SweepRunner
from ...experiments.sweep import Sweep, build, parse_axis, parse_seeds, to_toml
from .. import places
from .experiment_thread import ExperimentThread
from .sweep_view import SweepView
from ...i18n import N_, _, ngettext

ERROR_STYLE = "color: #a4262c;"
PROGRESS_S = 0.5  # a running point's line is updated at most twice a second


def _error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


class SweepDialog(QDialog):
    sweep_done = Signal(str)  # the sweep folder, when every point has run

    def __init__(self, base: config_mod.RunConfig, parent: Optional[QWidget] = None, folder=None):
        super().__init__(parent)
        self.setWindowTitle(_("Sweep"))
        self.base = base
        self.sweep: Optional[Sweep] = None
        self.runner: Optional[SweepRunner] = None
        self.thread: Optional[ExperimentThread] = None
        self.folder: Optional[Path] = None
        self._listening = False  # connected to self.thread's signals
        self._done = 0
        self._failed = 0
        self._running: dict[str, QListWidgetItem] = {}

        self.pages = QStackedWidget()
        self.pages.addWidget(self._form_page(folder))
        self.pages.addWidget(self._progress_page())
        self.view = SweepView()
        self.pages.addWidget(self.view)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.resize(620, 440)
        self._check()

    # --- the form -------------------------------------------------------------------------------------------------

    def _form_page(self, folder) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        form = QFormLayout()
        outer.addLayout(form)
        intro = QLabel(_("Every combination of the axes runs once per seed, from the current experiment ({name}, "
                         "{cell}, {steps} steps).").format(name=self.base.task.name, cell=self.base.model.cell, steps=self.base.training.steps))
        intro.setWordWrap(True)
        form.addRow(intro)
        self.axis_edits = [QLineEdit("model.cell = rnn_tanh, lstm, gru"), QLineEdit()]
        self.axis_edits[0].setPlaceholderText("model.cell = rnn_tanh, lstm, gru")
        self.axis_edits[1].setPlaceholderText(_("optional, e.g. task.length = 10, 50, 100"))
        self.seeds_edit = QLineEdit("0, 1")
        self.workers_spin = QSpinBox()
        self.workers_spin.setRange(1, 512)
        self.workers_spin.setValue(default_workers())
        self.workers_spin.setToolTip(_("Points trained at once (default: all cores but one)"))
        self.ray_edit = QLineEdit(address_from(None) or "")
        self.ray_edit.setPlaceholderText(_("empty: this computer; or a Ray address (auto, host:6379, local)"))
        name = f"{self.base.task.name}-sweep"
        self.folder_edit = QLineEdit(str(folder) if folder else str(Path(places.last_folder("sweeps")) / name))
        choose = QPushButton("Choose...")
        choose.clicked.connect(self._choose_folder)
        self.errors = {key: _error_label() for key in ("axis0", "axis1", "seeds", "folder", "sweep")}
        for i, edit in enumerate(self.axis_edits):
            form.addRow(_("Axis {value}:").format(value=i + 1), edit)
            form.addRow("", self.errors[f"axis{i}"])
        form.addRow("Seeds:", self.seeds_edit)
        form.addRow("", self.errors["seeds"])
        form.addRow("Workers:", self.workers_spin)
        form.addRow(_("Run on:"), self.ray_edit)
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(choose)
        form.addRow("Folder:", row)
        form.addRow("", self.errors["folder"])
        self.points_label = QLabel()
        form.addRow(self.points_label)
        form.addRow(self.errors["sweep"])
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.start_button = QPushButton(_("Start"))
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        close = QPushButton(_("Close"))
        close.clicked.connect(self.reject)
        buttons.addWidget(close)
        buttons.addWidget(self.start_button)
        outer.addStretch(1)
        outer.addLayout(buttons)
        for edit in (*self.axis_edits, self.seeds_edit, self.folder_edit):
            edit.textChanged.connect(self._check)
        return page

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, _("Sweep folder"), str(Path(self.folder_edit.text()).parent))
        if path:
            self.folder_edit.setText(path)

    def _show(self, key: str, message: str) -> None:
        self.errors[key].setText(message)
        self.errors[key].setVisible(bool(message))

    def _check(self) -> Optional[Sweep]:
        """Validate every field; show each ConfigError under its field; enable Start only when all are good."""
        for key in self.errors:
            self._show(key, "")
        axes, ok = {}, True
        for i, edit in enumerate(self.axis_edits):
            if i > 0 and not edit.text().strip():
                continue
            try:
                key, values = parse_axis(edit.text())
                if key in axes:
                    raise ConfigError(f"sweep.axes.{key}", key, _("is axis 1 already; give axis 2 another key"))
                build(self.base, {key: values})  # the config's rules, with their messages
                axes[key] = values
            except ConfigError as exc:
                self._show(f"axis{i}", str(exc))
                ok = False
        try:
            seeds = parse_seeds(self.seeds_edit.text())
            build(self.base, {}, seeds)
        except ConfigError as exc:
            self._show("seeds", str(exc))
            ok = False
        folder = self.folder_edit.text().strip()
        problem = folder_problem(folder) if folder else _("choose a folder for the sweep's results")
        self._show("folder", problem)
        ok = ok and not problem
        self.sweep = None
        if ok:
            try:
                sweep = build(self.base, axes, seeds, name=Path(folder).name)
                self.sweep = replace(sweep, source_text=to_toml(sweep))
            except ConfigError as exc:  # values allowed alone but not together
                self._show("sweep", str(exc))
        if self.sweep is not None:
            n = len(self.sweep.points)
            self.points_label.setText(ngettext("{n} point of {steps} steps", "{n} points of {steps} steps", n).format(
                n=n, steps=self.base.training.steps))
        else:
            self.points_label.setText("")
        self.start_button.setEnabled(self.sweep is not None)
        return self.sweep

    # --- running --------------------------------------------------------------------------------------------------

    def _progress_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setFormat("%v of %m points")
        self.running_list = QListWidget()
        self.running_list.setToolTip(_("The points training now: step reached of their total"))
        self.message = _error_label()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setToolTip(_("End the running points now; the finished ones are kept, and Resume (or "
                                      "starting the same sweep into the same folder) runs the rest"))
        self.cancel_button.clicked.connect(self.cancel)
        self.resume_button = QPushButton(_("Resume"))
        self.resume_button.clicked.connect(self.start)
        self.resume_button.hide()
        self.back_button = QPushButton(_("Back to the form"))
        self.back_button.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        self.back_button.hide()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.resume_button)
        layout.addWidget(self.status_label)
        layout.addWidget(self.bar)
        layout.addWidget(QLabel("Running:"))
        layout.addWidget(self.running_list, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        return page

    def start(self) -> None:
        """Run the form's sweep into its folder (again, after a cancel: the done points are skipped)."""
        if self.sweep is None or (self.thread is not None and self.thread.is_running()):
            return
        address = self.ray_edit.text().strip()
        workers = self.workers_spin.value()
        executor = RayExecutor(address, workers) if address else LocalExecutor(workers)
        self.folder = Path(self.folder_edit.text().strip())
        places.remember_folder("sweeps", str(self.folder))
        self.runner = SweepRunner(self.sweep, self.folder, executor, progress_s=PROGRESS_S)
        self._end_thread()
        if self.thread is not None:
            self.thread.deleteLater()  # the last run's, already closed
        self.thread = ExperimentThread(self.runner, parent=self)
        self.thread.event.connect(self._on_event)
        self.thread.failed.connect(self._on_failed)
        self._listening = True
        self._done, self._failed = -1, 0  # -1: the skipped points are counted at the first event
        self._running.clear()
        self.running_list.clear()
        self.bar.setRange(0, len(self.sweep.points))
        self.bar.setValue(0)
        self.message.hide()
        self.resume_button.hide()
        self.back_button.hide()
        self.cancel_button.show()
        self.status_label.setText(_("Starting {count} points on {description}, into {folder} ...").format(count=len(self.sweep.points), description=executor.description, folder=self.folder))
        self.pages.setCurrentIndex(1)
        self.thread.start()

    def _on_event(self, event) -> None:
        if self._done < 0:
            self._done = len(self.runner.skipped)
        if isinstance(event, PointStarted):
            self._line(event.point_id, 0, event.total_steps)
        elif isinstance(event, PointProgress):
            self._line(event.point_id, event.step, event.total_steps)
        elif isinstance(event, PointEnded):
            item = self._running.pop(event.point_id, None)
            if item is not None:
                self.running_list.takeItem(self.running_list.row(item))
            self._done += 1
            self._failed += event.status == "failed"
        self.bar.setValue(self._done)
        skipped = _(", {count} done before").format(count=len(self.runner.skipped)) if self.runner.skipped else ""
        failed = _(", {failed} failed").format(failed=self._failed) if self._failed else ""
        self.status_label.setText(_("{done} of {count} points done{skipped}{failed}; folder {folder}").format(done=self._done, count=len(self.sweep.points), skipped=skipped, failed=failed, folder=self.folder))
        if isinstance(event, SweepEnded):
            self.setWindowTitle(f"Sweep: {self.folder.name}")
            self.pages.setCurrentIndex(2)
            self.resize(max(self.width(), 1000), max(self.height(), 760))
            self.view.open(self.folder)
            self.sweep_done.emit(str(self.folder))

    def _line(self, point_id: str, step: int, total: int) -> None:
        item = self._running.get(point_id)
        if item is None:
            item = self._running[point_id] = QListWidgetItem()
            self.running_list.addItem(item)
        item.setText(_("{point_id}    step {step} / {total}").format(point_id=point_id, step=step, total=total))

    def _on_failed(self, message: str) -> None:
        self.message.setText(message)
        self.message.show()
        self.cancel_button.hide()
        self.resume_button.show()
        self.back_button.show()

    def cancel(self) -> None:
        """End now: running points are killed and marked interrupted; Resume runs what is not done."""
        self._end_thread()
        self._running.clear()
        self.running_list.clear()
        self.status_label.setText(_("Cancelled: {count} of {count2} points done (kept in {folder}). Resume runs "
                                    "the others.").format(count=max(0, self._done), count2=len(self.sweep.points), folder=self.folder))
        self.cancel_button.hide()
        self.resume_button.show()
        self.back_button.show()

    def _end_thread(self) -> None:
        """Close the running sweep's thread and stop listening to it: events it queued before it ended must not
        count in the next run's progress."""
        if self.thread is None:
            return
        self.thread.close()
        if self._listening:
            self.thread.event.disconnect(self._on_event)
            self.thread.failed.disconnect(self._on_failed)
            self._listening = False

    def done(self, result: int) -> None:  # every way the dialog closes: no thread and no worker is left behind
        self._end_thread()
        super().done(result)

    def closeEvent(self, event) -> None:
        self._end_thread()
        super().closeEvent(event)


if __name__ == "__main__":  # python -m rnnlab.app.many.sweep_dialog [TASK]: the dialog alone, over a task's defaults
    import sys

    from ..application import application

    from .. import theme

    app = application(sys.argv)
    theme.apply(app)
    dialog = SweepDialog(config_mod.experiment(sys.argv[1] if len(sys.argv) > 1 else "adding"))
    sys.exit(dialog.exec())
