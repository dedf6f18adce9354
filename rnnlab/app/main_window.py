"""The main window: experiment form, training controls, live plots and the task view, over the engine's Trainer.

Public API (used by `rnnlab.selftest` and the tests; keep it stable)::

    w = MainWindow(config=None)       # None: the first-start experiment (LSTM on airline passengers)
    w.config() -> RunConfig           # what the form holds (the last valid values)
    w.set_config(cfg)                 # show another config; applies to the next run
    w.start_training()                # Train: continue a paused run, else start a new one (False if the form is invalid)
    w.pause(); w.resume()             # between two optimizer steps
    w.step_once()                     # exactly one optimizer step (starts a paused run if none is going)
    w.stop()                          # end the run; it still reports its final test numbers
    w.reset()                         # drop the run; fresh weights from the seed (same seed = same weights)
    w.save_run(path) -> Path          # the engine's run folder (raises RunError / OSError)
    w.open_run(path)                  # a run folder from the app or `rnnlab train`; raises RunError
    w.is_training() -> bool           # a run is going (running or paused)
    w.is_paused() -> bool             # the training thread is parked between two steps (after pause / step_once)
    w.trainer                         # the engine Trainer shown now, or None (being built)
    w.training_finished(str)          # signal: "finished" | "stopped" | "diverged" | "failed"
    w.plots_updated()                 # signal: after the plots drew new data
    w.trainer_changed(object)         # signal: `trainer` is another object (built, opened, reset)
    w.wait_ready(timeout) -> bool     # block (processing events) until no background job is pending (tests, selftest)

Threads: training runs on a QThread (`worker.py`); building trainers and task views run on a helper thread
(`model_access.py`); the GUI thread only draws. Closing the window abandons the run and waits for both threads.
"""

from __future__ import annotations

import gc
import logging
from html import escape
import math
import time
from pathlib import Path
from typing import Callable, Optional

import numpy as np
from PySide6.QtCore import QByteArray, QElapsedTimer, QSettings, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QApplication, QDockWidget, QFileDialog, QLabel, QMainWindow,
                               QMessageBox, QProgressBar, QSplitter,
                               QTabWidget, QToolBar, QVBoxLayout, QWidget)

from .. import __version__, tasks
from ..config import RunConfig
from ..errors import ConfigError, RnnlabError, RunError
from ..resources import resource
from ..train.advice import advise, blow_up
from . import icons, places, theme
from .afterpaint import AfterPaint
from .experiment_panel import ExperimentPanel, default_config, replace_fast
from .export_dialog import add_export_actions
from .messagebar import MessageBar
from .model_access import BUILD_LOCK, ModelAccess, TrainerApi, build_trainer, describe_error
from .plots.gates import GatesPanel
from .plots.gradnorms import GradNormPanel
from .plots.gradtime import GradTimePanel
from .plots.loss import LossPanel
from .rundata import RunData
from .startup import first_size
from .preview import preview_widget, task_preview
from .views.host import TaskViewHost
from .worker import TrainingWorker, Update

log = logging.getLogger(__name__)

PREPARE_DELAY_MS = 300  # after the last edit, the form's config is loaded (task data, fresh model) for the preview
MAX_RECENT = 8
HEAVY_INTERVAL_S = 0.5  # the task view and the gates / gradients tab redraw at most twice a second while training
HEAVY_DELAY_MS = 2  # the heavy pass comes this long after the loss pass: what waits in between gets its turn
LINGER_WAIT_MS = 150  # closing waits this long for the training thread, then leaves it to end its step unseen
ACK_FALLBACK_MS = 100  # acknowledge an update anyway after this: its paint never came, or is taking longer
ORG, APP = "rnnlab", "rnnlab"
# The status bar's permanent fields: key, tooltip, the widest text each shows (its width is fixed from it). Kept short,
# so that the messages on the left of the bar have room ("press Train to sta…" was cut off at 1280 px).
STATUS_FIELDS = (("state", "What training is doing", "opened (finished)"),
                 ("step", "Optimizer steps done / planned", "step 1000000/1000000"),
                 ("epoch", "Passes over the training data", "epoch 10000.00"),
                 ("loss", "Training loss at the last step", "loss 0.0001234"),
                 ("speed", "Optimizer steps per second", "10000 steps/s"),
                 ("eta", "Time left at the current speed", "ETA 10:00:00"),
                 ("device", "Where the model trains", "device cuda:0"))


def settings() -> QSettings:
    return QSettings(ORG, APP)


# Training threads of closed windows that were mid-step: they end on their own, unseen (issue 9, item 11). Kept here
# so that no QThread is destroyed while it runs; `wait_for_closed_runs` is called before the process exits.
_LINGERING: list[tuple[QThread, object]] = []


def wait_for_closed_runs(timeout_s: float = 60.0) -> None:
    """Wait for the training threads of closed windows to end their last step (called once the windows are gone)."""
    deadline = time.monotonic() + timeout_s
    for thread, _worker in list(_LINGERING):
        left_ms = max(0, int((deadline - time.monotonic()) * 1000))
        thread.wait(left_ms)
    _prune_lingering()


def _prune_lingering() -> None:
    _LINGERING[:] = [(t, w) for t, w in _LINGERING if not t.isFinished()]


# --- small widgets -------------------------------------------------------------------------------------------------


def _fmt_time(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return "–"
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


# --- the window ------------------------------------------------------------------------------------------------------


class MainWindow(QMainWindow):
    training_finished = Signal(str)
    plots_updated = Signal()
    trainer_changed = Signal(object)

    def __init__(self, config: Optional[RunConfig] = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("rnnlab")
        self.setWindowIcon(icons.app_icon())
        self.setObjectName("MainWindow")
        self._trainer = None
        self._worker: Optional[TrainingWorker] = None
        self._thread: Optional[QThread] = None
        self._state = "idle"  # idle | running | paused | stopping
        self._parked = False  # the worker confirmed it waits between two steps
        self._ack_pending: Optional[TrainingWorker] = None  # acknowledged once the plots are painted
        self._ack_serial = 0  # which update the pending acknowledgement is for
        self._turn = 0  # which heavy panel draws next (see _refresh_plots)
        self._heavy_drawn: dict[int, float] = {}  # id(panel) -> when it last drew
        self._prepare_serial = 0
        self._jobs = 0  # background jobs in flight (prepare, views)
        self._closing = False
        self._saved = None  # (trainer, step) last saved or opened: has_unsaved_run() compares with it
        self._last_status = ""
        self._refresh_clock = QElapsedTimer()
        self.refresh_count = 0  # plot refreshes since start (the responsiveness bench reads it)
        self.data = RunData()
        self.access = ModelAccess(self)
        self.access.error.connect(lambda msg: self.message_bar.show_message(msg, "warning"))
        self.api = TrainerApi(self.access)

        saved_zoom = settings().value("view/zoom", 1.0)
        try:
            theme.set_zoom(float(saved_zoom))
        except (TypeError, ValueError):
            theme.set_zoom(1.0)
        self.panel = ExperimentPanel(config or default_config())
        self.panel.config_changed.connect(self._config_edited)
        self.panel.validity_changed.connect(self._validity_changed)
        self.panel.messages_changed.connect(lambda: self._validity_changed(self.panel.is_valid()))
        self._build_actions()
        self._build_central()
        self._build_docks()
        self._build_status()
        if theme.zoom() != 1.0:
            self._scale_fonts(1.0)
        self._prepare_timer = QTimer(self, singleShot=True, interval=PREPARE_DELAY_MS)
        self._prepare_timer.timeout.connect(self._prepare)
        self._restore_layout()
        self._update_actions()
        self._after_paint = AfterPaint(self)
        # The ~300k objects of torch, Qt and pyqtgraph live as long as the app: leave them out of the garbage
        # collector's full passes, which otherwise stop every thread for up to ~0.4 s while training makes garbage.
        gc.freeze()
        self._prepare()

    # --- construction --------------------------------------------------------------------------------------------

    def _action(self, name: str, text: str, shortcut, tip: str, slot, icon_name: str = "") -> QAction:
        action = QAction(icons.icon(icon_name) if icon_name else icons.icon(name), text, self)
        action.setObjectName(f"action_{name}")
        if shortcut:
            seqs = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(s) for s in seqs])
            keys = " or ".join(QKeySequence(s).toString(QKeySequence.NativeText) for s in seqs)
            tip = f"{tip} ({keys})"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.act_train = self._action("train", "Train", "F5", "Start training (or continue a paused run)",
                                      self.start_training)
        self.act_pause = self._action("pause", "Pause", "F6", "Pause training between two steps", self._toggle_pause)
        self.act_step = self._action("step", "Step", "F10", "Run exactly one optimizer step (slow motion)",
                                     self.step_once)
        self.act_stop = self._action("stop", "Stop", "Shift+F5", "Stop training; the run keeps its curves and "
                                                                 "reports its test numbers", self.stop)
        self.act_reset = self._action("reset", "Reset", "Ctrl+R", "Drop this run and start from fresh weights "
                                                                  "(same seed gives the same weights)", self.reset)
        self.act_save = self._action("save", "Save run…", QKeySequence.Save, "Save this run (config, weights, "
                                                                             "curves, probe) to a folder",
                                     self._save_dialog)
        self.act_open = self._action("open", "Open run…", QKeySequence.Open, "Open a saved run (from the app or "
                                                                             "`rnnlab train`)", self._open_dialog)
        self.act_quit = self._action("quit", "Quit", QKeySequence.Quit, "Close rnnlab", self.close)
        tb = QToolBar("Training")
        tb.setObjectName("trainingToolbar")
        tb.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        tb.setMovable(False)
        for a in (self.act_train, self.act_pause, self.act_step, self.act_stop, self.act_reset):
            tb.addAction(a)
        tb.addSeparator()
        tb.addAction(self.act_open)
        tb.addAction(self.act_save)
        self.addToolBar(tb)
        self.toolbar = tb
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.act_open)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addAction(self.act_save)
        file_menu.addSeparator()
        ask = settings().value("runs/ask_before_discard", True)
        self.act_ask = QAction("Ask before discarding an unsaved run", self, checkable=True,
                               checked=ask not in (False, "false", 0, "0"))
        self.act_ask.toggled.connect(lambda on: settings().setValue("runs/ask_before_discard", bool(on)))
        self.act_ask.setObjectName("action_ask")
        self.act_ask.setToolTip("Quit and Open ask Save / Discard / Cancel when the run shown is not saved")
        file_menu.addAction(self.act_ask)
        file_menu.addSeparator()
        add_export_actions(self, file_menu)  # File > Export…, export as script, Ctrl+C on a plot, plots' menus
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        run_menu = menu.addMenu("&Run")
        for a in (self.act_train, self.act_pause, self.act_step, self.act_stop, self.act_reset):
            run_menu.addAction(a)
        self.view_menu = menu.addMenu("&View")
        help_menu = menu.addMenu("&Help")
        about = QAction("About rnnlab", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _build_central(self) -> None:
        self.loss_panel = LossPanel()
        self.grad_panel = GradNormPanel()
        self.view_host = TaskViewHost(self.api)
        self.gates_panel = GatesPanel()
        self.gradtime_panel = GradTimePanel()
        self.top = QSplitter(Qt.Horizontal)
        self.top.setObjectName("topSplitter")
        self.top.addWidget(self.loss_panel)
        self.top.addWidget(self.view_host)
        self.gradients = _RefreshGroup(Qt.Horizontal, [self.grad_panel, self.gradtime_panel])
        self.gradients.setObjectName("gradientSplitter")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("bottomTabs")
        self.tabs.addTab(self.gates_panel, "Gates")
        self.tabs.addTab(self.gradients, "Gradients")
        self.tabs.setTabToolTip(0, "What each gate does at every step and unit, for one probe sequence")
        self.tabs.setTabToolTip(1, "Gradient norms over training, and the gradient reaching each time step")
        self.tabs.currentChanged.connect(lambda _i: self._refresh_plots(force=True))
        for keys, step in (("Ctrl+Tab", 1), ("Ctrl+PgDown", 1), ("Ctrl+Shift+Tab", -1), ("Ctrl+PgUp", -1)):
            switch = QAction(self)
            switch.setShortcut(QKeySequence(keys))
            switch.setShortcutContext(Qt.WindowShortcut)
            switch.triggered.connect(lambda _=False, d=step: self.tabs.setCurrentIndex(
                (self.tabs.currentIndex() + d) % self.tabs.count()))
            self.addAction(switch)
        self.split = QSplitter(Qt.Vertical)
        self.split.setObjectName("mainSplitter")
        self.split.addWidget(self.top)
        self.split.addWidget(self.tabs)
        self._default_sizes()
        if not hasattr(self, "message_bar"):  # kept when the plots are rebuilt (zoom): its message and buttons stay
            self.message_bar = MessageBar()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.setSpacing(4)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.split, 1)
        self.setCentralWidget(central)

    def _build_docks(self) -> None:
        dock = QDockWidget("Experiment", self)
        dock.setObjectName("experimentDock")
        dock.setWidget(self.panel)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable |
                         QDockWidget.DockWidgetClosable)
        self.addDockWidget(Qt.LeftDockWidgetArea, dock)
        self.resizeDocks([dock], [330], Qt.Horizontal)
        self.experiment_dock = dock
        toggle = dock.toggleViewAction()
        toggle.setShortcut(QKeySequence("Ctrl+E"))
        toggle.setToolTip("Show or hide the experiment settings (more room for the plots on a projector)")
        self.view_menu.addAction(toggle)
        reset_layout = QAction("Reset layout", self)
        reset_layout.triggered.connect(self._reset_layout)
        self.view_menu.addAction(reset_layout)
        self.view_menu.addSeparator()
        self.act_zoom_in = self._action("zoom_in", "Zoom in", [QKeySequence.ZoomIn, "Ctrl+="],
                                        "Larger text, labels and lines (for a projector)",
                                        lambda: self.set_zoom(theme.zoom_step(theme.zoom(), +1)), icon_name="none")
        self.act_zoom_out = self._action("zoom_out", "Zoom out", QKeySequence.ZoomOut, "Smaller text, labels and lines",
                                         lambda: self.set_zoom(theme.zoom_step(theme.zoom(), -1)), icon_name="none")
        self.act_zoom_reset = self._action("zoom_reset", "Reset zoom", "Ctrl+0", "Text at the system's size",
                                           lambda: self.set_zoom(1.0), icon_name="none")
        for a in (self.act_zoom_in, self.act_zoom_out, self.act_zoom_reset):
            self.view_menu.addAction(a)
            self.addAction(a)

    def _build_status(self) -> None:
        bar = self.statusBar()
        self.status_labels = {}
        for key, tip, _sample in STATUS_FIELDS:
            label = QLabel()
            label.setToolTip(tip)
            bar.addPermanentWidget(label)
            self.status_labels[key] = label
        self._build_status_widths()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(True)
        bar.addPermanentWidget(self.progress)
        self._show_status(None)

    def _build_status_widths(self) -> None:
        # Fixed widths: a label whose text changes 25 times a second must not re-layout (and repaint) the window.
        metrics = self.status_labels["state"].fontMetrics()
        for key, _tip, sample in STATUS_FIELDS:
            self.status_labels[key].setFixedWidth(metrics.horizontalAdvance(sample) + 14)

    # --- public API ----------------------------------------------------------------------------------------------------

    @property
    def trainer(self):
        """The engine Trainer the window shows (None while one is being built)."""
        return self._trainer

    def config(self) -> RunConfig:
        return self.panel.config()

    def set_config(self, cfg: RunConfig) -> None:
        self.panel.set_config(cfg)
        self._config_edited(cfg)

    def is_training(self) -> bool:
        return self._thread is not None

    def is_paused(self) -> bool:
        """True once the training thread has stopped between two steps and sent everything up to there."""
        return self._thread is not None and self._parked

    def start_training(self) -> bool:
        """Train: resume a paused run, else start a new run from the form (or the prepared, untrained model)."""
        if self._worker is not None:
            if self._state == "paused":
                self.resume()
            return True
        if not self.panel.is_valid():
            first = next(iter(self.panel.errors().values()), "")
            self.message_bar.show_message(f"Fix the marked settings first: {first}", "warning")
            return False
        self._start(paused=False)
        return True

    def pause(self) -> None:
        if self._worker is not None and self._state == "running":
            self._worker.pause()
            self._set_state("paused")

    def resume(self) -> None:
        if self._worker is not None and self._state == "paused":
            self._parked = False
            self._worker.resume()
            self._set_state("running")

    def step_once(self) -> None:
        """One optimizer step. Starts a paused run first when none is going."""
        if self._worker is None:
            if not self.panel.is_valid():
                self.start_training()  # shows why not
                return
            self._start(paused=True)
        self._parked = False
        self._worker.step_once()
        self._set_state("paused")

    def stop(self) -> None:
        if self._worker is not None and self._state != "stopping":
            self._worker.stop()
            self._set_state("stopping")

    def reset(self) -> None:
        """Drop the current run (waiting for its thread) and load fresh weights from the form's config."""
        self._abandon_worker()
        self.message_bar.clear()
        self._set_trainer(None)
        self._clear_plots()
        self._prepare()

    def save_run(self, path) -> Path:
        """Save the current run to the folder `path` (between two steps if training runs). Returns the folder."""
        from ..runs.store import save_run

        trainer = self._trainer
        if trainer is None:
            raise RunError("There is no run to save yet: press Train first.")
        with self.access.guard.hold(timeout=30):
            saved = save_run(trainer, path)
        self._saved = (trainer, trainer.step)
        self._add_recent(saved)
        self.statusBar().showMessage(f"Saved to {saved.name}", 8000)
        return saved

    def open_run(self, path) -> None:
        """Open a run folder: its config in the form, its curves and probes in the plots, its model for the view.

        The folder is read and the model rebuilt on the helper thread; this call waits for it (processing events)
        and raises RunError with a message naming the file, whatever went wrong."""
        outcome: dict = {}
        self._open_async(path, lambda: outcome.setdefault("ok", True), lambda msg: outcome.setdefault("error", msg))
        while not outcome:
            QApplication.processEvents()
            time.sleep(0.005)
        if "error" in outcome:
            raise RunError(outcome["error"])

    def ask_before_discarding(self, ask: bool) -> None:
        """Whether Quit and Open ask before an unsaved finished or stopped run is dropped (on by default)."""
        self.act_ask.setChecked(ask)

    def has_unsaved_run(self) -> bool:
        """A run that trained (finished, stopped, diverged or paused) and was not saved or opened since."""
        t = self._trainer
        if t is None or t.step == 0 or self._state == "running":
            return False
        return self._saved != (t, t.step)

    def set_zoom(self, factor: float) -> None:
        """View > Zoom: scale text, plot labels and lines (kept for the next start); the plots are rebuilt at the new
        size and redrawn from the run's data."""
        previous = theme.zoom()
        factor = theme.set_zoom(factor)
        settings().setValue("view/zoom", factor)
        self._rebuild_plots()
        self._scale_fonts(previous)

    def _scale_fonts(self, previous_zoom: float) -> None:
        """The widgets around the plots follow the zoom (the plots were rebuilt at the new size)."""
        width = self.experiment_dock.width()
        theme.scale_fonts((self.experiment_dock, self.message_bar, self.toolbar, self.menuBar(), self.statusBar()),
                          previous_zoom)
        self.panel.refresh_fonts()
        # A font change lays the dock out at its preferred width (the long description's): keep the width it had,
        # or the form's minimum if that grew.
        keep = lambda: self.resizeDocks([self.experiment_dock], [max(width, self.panel.minimumSizeHint().width())],
                                        Qt.Horizontal)  # noqa: E731
        keep()
        QTimer.singleShot(0, self, keep)  # again once the font change has been laid out

    def _rebuild_plots(self) -> None:
        states = {"split": self.split.saveState(), "gradients": self.gradients.saveState()}
        tab = self.tabs.currentIndex()
        self._build_central()  # setCentralWidget deletes the old plots; the message bar moved to the new layout
        # The loss | view split starts over: the widths it had fit the old text size, not the new one.
        self.split.restoreState(states["split"])
        self.gradients.restoreState(states["gradients"])
        self.tabs.setCurrentIndex(tab)
        self.message_bar.refresh_fonts()
        self.panel.refresh_fonts()
        self._build_status_widths()
        data, trainer = self.data, self._trainer
        if trainer is not None:
            self._describe_run(data, trainer)
        data.version += 1
        data.probe_version += 1
        data.view_version += 1
        self._heavy_drawn.clear()
        self._refresh_plots(force=True)

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Process events until the helper thread is idle and its results are delivered (tests, selftest)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            QApplication.processEvents()
            if self.access.wait_idle(0.05):
                QApplication.processEvents()
                if self._jobs == 0 and not self._prepare_timer.isActive():
                    return True
        return False

    # --- starting and ending runs -------------------------------------------------------------------------------

    def _start(self, paused: bool) -> None:
        cfg = self.panel.config()
        t = self._trainer
        reuse = t if (t is not None and t.step == 0 and t.status == "ready" and t.cfg == cfg) else None
        self._prepare_timer.stop()
        self._prepare_serial += 1
        self.message_bar.clear()
        if reuse is None:
            self._set_trainer(None)
            self._clear_plots()
        worker = TrainingWorker(self.access, cfg=cfg, trainer=reuse, paused=paused)
        thread = QThread(self)
        thread.setObjectName("rnnlab-training")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.trainer_ready.connect(self._on_trainer_ready)
        worker.progress.connect(self._on_progress)
        worker.failed.connect(self._on_failed)
        worker.done.connect(self._on_done)
        self._worker, self._thread = worker, thread
        self._run_cfg = cfg
        self._set_state("paused" if paused else "running")
        gc.freeze()  # the prepared model and task live as long as the run (see __init__)
        thread.start()

    def _abandon_worker(self, linger: bool = False) -> None:
        """End the run without its final evaluation (Reset, Open, closing). Waits for the thread, or with `linger`
        (closing) lets a thread that is mid-step end that step on its own, after the window is gone."""
        worker, thread = self._worker, self._thread
        if worker is None:
            return
        worker.abandon()
        thread.quit()
        if linger and not thread.wait(LINGER_WAIT_MS):
            for sig in (worker.trainer_ready, worker.progress, worker.failed, worker.done):
                try:
                    sig.disconnect()
                except (RuntimeError, TypeError):
                    pass
            thread.setParent(None)  # outlives the window: a QThread destroyed while running aborts the process
            _prune_lingering()
            _LINGERING.append((thread, worker))
            self._worker, self._thread = None, None
            self._parked = False
            return
        if not thread.wait(5000):  # one optimizer step of a very large model; never leave it running
            log.warning("training thread slow to stop; waiting")
            thread.wait()
        self._finish_thread()

    def _finish_thread(self) -> None:
        worker, thread = self._worker, self._thread
        self._worker, self._thread = None, None
        self._parked = False
        if worker is not None:
            for sig in (worker.trainer_ready, worker.progress, worker.failed, worker.done):
                try:
                    sig.disconnect()
                except (RuntimeError, TypeError):
                    pass
            worker.deleteLater()
        if thread is not None:
            thread.deleteLater()
        self._set_state("idle")

    def _from_current_worker(self) -> bool:
        """Queued signals of an abandoned worker can still arrive after it was dropped: ignore them."""
        sender = self.sender()
        return sender is not None and self._worker is not None and sender is self._worker

    @Slot(object)
    def _on_trainer_ready(self, trainer) -> None:
        if not self._from_current_worker():
            return
        self._set_trainer(trainer)
        self._describe_run(self.data, trainer)

    @Slot(object)
    def _on_progress(self, update: Update) -> None:
        if not self._from_current_worker():
            return
        worker = self._worker
        data = self.data
        data.add_rows(update.rows)
        for probe in update.probes:
            data.add_probe(probe)
        data.set_view(update.view)
        if update.val_baselines is not None:
            data.val_baselines = update.val_baselines
        if update.final:
            data.test, data.test_baselines = update.test, update.baselines
        if update.view_error:
            self.message_bar.show_message(update.view_error, "warning")
        self._show_status(update)
        self._parked = update.status == "paused"
        if update.status == "paused" and self._state == "running":
            self._set_state("paused")
        if update.status == "diverged":
            self._show_diverged(update.message)
        elif update.final and blew_up(data):
            self._show_diverged(blow_up_message(data, update.message))
        elif update.final and update.message:
            self._show_final(worker.trainer, update.message)
        # The worker waits until the plots are painted too, so that drawing never competes with training for the GIL
        # (see worker.py); the fallback covers a loop that never gets to the paint.
        self._ack_serial += 1
        serial = self._ack_serial
        self._ack_pending = worker
        QTimer.singleShot(ACK_FALLBACK_MS, self, lambda: self._plots_painted(serial))
        self._refresh_plots(force=update.final or update.status != "running",
                            then=lambda: self._after_paint.call(lambda: self._plots_painted(serial)))

    def _plots_painted(self, serial: int) -> None:
        if serial != self._ack_serial:
            return  # a later update is on its way to the screen
        worker, self._ack_pending = self._ack_pending, None
        if worker is not None:
            worker.ack()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if not self._from_current_worker():
            return
        self.message_bar.show_message(message, "error")

    @Slot(str)
    def _on_done(self, status: str) -> None:
        if not self._from_current_worker():
            return
        thread = self._thread
        thread.quit()
        thread.wait()
        self._finish_thread()
        if status == "abandoned":
            return
        if status == "failed":
            self._show_status(None)
        self._update_actions()
        self.training_finished.emit(status)

    def _show_diverged(self, message: str) -> None:
        cfg = self.panel.config()
        t = cfg.training
        actions = []
        if not t.clip_grad or t.max_grad_norm > 1.0:
            actions.append(("Clip gradients at 1.0", lambda: self._apply_fix([("training.clip_grad", True),
                                                                               ("training.max_grad_norm", 1.0)])))
        lower = float(f"{t.learning_rate / 10:.2g}")
        actions.append((f"Learning rate {lower:g}", lambda: self._apply_fix([("training.learning_rate", lower)])))
        title = "The run diverged." if self._trainer is None or self._trainer.status == "diverged" else \
            "The run blew up."
        self.message_bar.show_message(f"<b>{title}</b> {escape(message)}", "warning", actions, rich=True)

    def _show_final(self, trainer, message: str) -> None:
        """The run's result; where it learned nothing on a long-range task, why, with the fix as a button."""
        advice = advise(trainer.cfg, trainer.task, trainer.final, trainer.status) if trainer is not None else None
        if advice is None:
            self.message_bar.show_message(message, "info")
            return
        changes = advice.changes
        self.message_bar.show_message(f"{escape(message)}<br><b>Why:</b> {escape(advice.text)}", "warning",
                                      [(advice.fix, lambda: self._apply_fix(list(changes)))], rich=True)

    def _apply_fix(self, changes) -> None:
        cfg = self.panel.config()
        for key, value in changes:
            cfg = replace_fast(cfg, key, value)  # model and training keys: the task file is not read again
        self.set_config(cfg)
        self.message_bar.show_message("Settings changed. Press Train to start a new run with them.", "info")
        self._stale_marked = True  # this message already says the plots are of the last run

    # --- preparing (task data + fresh model for the preview and the view, before training) --------------------------

    def _config_edited(self, cfg: RunConfig) -> None:
        if self.is_training():
            return
        t = self._trainer
        if t is None or t.step == 0:
            self._prepare_timer.start()
            return
        self._prepare_preview_only(cfg)
        if cfg == t.cfg:
            return
        if getattr(self, "_stale_marked", False):
            self._stale_marked = False  # set by _apply_fix, whose message says so
            return
        # The plots keep the last run (it may be unsaved), clearly marked as that (issue 9, item 2).
        actions = [("Clear the plots", self.reset)]
        if self.has_unsaved_run():
            actions.insert(0, ("Save that run…", self._save_dialog))
        r = t.cfg
        self.message_bar.show_message(
            f"<b>The plots show the previous run</b> ({escape(r.task.name)}, {escape(r.model.cell)}, {t.status} at "
            f"step {t.step}), not the settings on the left. Press Train to start a run with those.", "info",
            actions, rich=True)

    def _prepare(self) -> None:
        """Build a Trainer for the form's config on the helper thread: the preview, the view and a model to step."""
        if self.is_training() or self._closing or not self.panel.is_valid():
            return
        self._prepare_serial += 1
        serial = self._prepare_serial
        cfg = self.panel.config()
        access = self.access

        def job():
            trainer = build_trainer(cfg)
            with access.guard.hold():
                view = _task_view(trainer)
            return trainer, view, task_preview(trainer.task)

        self._jobs += 1
        self.access.run_background(job, lambda r: self._prepared(serial, r),
                                   lambda msg: self._prepare_failed(serial, msg))

    def _prepared(self, serial: int, result) -> None:
        self._jobs -= 1
        if serial != self._prepare_serial or self.is_training() or self._closing:
            return
        trainer, view, preview = result
        self._set_trainer(trainer)
        self._clear_plots()
        self._describe_run(self.data, trainer)
        if isinstance(view, dict):
            view = {**view, "untrained": True}  # its scores are of random weights: the view says so
        self.data.set_view(view)
        self.panel.set_preview(preview_widget(preview))
        self._show_status(None)
        self._refresh_plots(force=True)

    def _validity_changed(self, valid: bool) -> None:
        self._update_actions()
        bad = [k for k in self.panel.errors() if k.startswith("task.")]
        if not valid and bad:
            # The preview must not keep showing the last good data while the form names another file.
            label = QLabel(f"<i>No preview: {escape(bad[0])} is not usable yet (see the message under the form)."
                           f"</i>" if not self.panel.is_checking() else "<i>Checking the file…</i>", wordWrap=True)
            label.setObjectName("previewPlaceholder")
            self.panel.set_preview(label)

    def _prepare_failed(self, serial: int, message: str) -> None:
        self._jobs -= 1
        if serial == self._prepare_serial:
            self.message_bar.show_message(f"Could not load this experiment: {message}", "error")

    def _prepare_preview_only(self, cfg: RunConfig) -> None:
        def job():
            task = tasks.get(cfg.task.name)(cfg.task.options, seed=cfg.training.seed, tbptt=cfg.training.tbptt)
            return task_preview(task)

        self._jobs += 1

        def done(preview):
            self._jobs -= 1
            self.panel.set_preview(preview_widget(preview))

        def failed(msg):
            self._jobs -= 1

        self.access.run_background(job, done, failed)

    def _request_view(self, trainer) -> None:
        """The task view for a trainer that is not training (an opened run), computed on the helper thread."""
        self._jobs += 1

        def job():
            with self.access.guard.hold():
                return _task_view(trainer), task_preview(trainer.task)

        def done(result):
            self._jobs -= 1
            if trainer is self._trainer:
                view, preview = result
                self.data.set_view(view)
                self.panel.set_preview(preview_widget(preview))
                self._refresh_plots(force=True)

        def failed(msg):
            self._jobs -= 1
            self.statusBar().showMessage(f"The task view failed: {msg}", 8000)

        self.access.run_background(job, done, failed)

    def _set_trainer(self, trainer) -> None:
        if trainer is self._trainer:
            return
        self._trainer = trainer
        self.access.set_trainer(trainer)
        self.trainer_changed.emit(trainer)

    def _describe_run(self, data: RunData, trainer) -> None:
        metric = trainer.task.metric
        data.metric_key, data.metric_title, data.higher_is_better = metric.key, metric.title, metric.higher_is_better
        t = trainer.cfg.training
        data.max_grad_norm = t.max_grad_norm if t.clip_grad else None
        self.grad_panel.set_clipping(t.clip_grad)
        self.loss_panel.set_total_steps(trainer.total_steps)
        self.grad_panel.set_total_steps(trainer.total_steps)
        self.loss_panel.set_metric(metric.title, metric.higher_is_better)
        self.gates_panel.prepare_for(trainer.cfg.model.cell)
        self.gates_panel.frame(trainer.probe_length, trainer.cfg.model.hidden_size)
        self.gradtime_panel.frame(trainer.probe_length)

    # --- drawing -------------------------------------------------------------------------------------------------------

    def _clear_plots(self) -> None:
        self.data = RunData()
        self.loss_panel.reset()
        self.grad_panel.reset()
        self.gates_panel.reset()
        self.gradtime_panel.reset()
        self.view_host.clear()

    def _refresh_plots(self, force: bool = False, then: Optional[Callable[[], None]] = None) -> None:
        """Draw what is new, then call `then` (once the drawing is queued).

        While training, each update redraws the loss panel at once and then, a timer tick later, ONE of the heavier
        panels that has news (task view, the visible tab), taking turns, each at most every HEAVY_INTERVAL_S. Between
        the two passes the loss panel is painted and waiting timers and clicks get their turn, so none of them waits
        for more than one pass, and long passes are rare. `force` draws everything at once (a run opened, paused or
        finished, a tab shown)."""
        data = self.data
        self.loss_panel.refresh(data)
        if force:
            for panel in self._heavy_panels():
                panel.refresh(data)
        elif self._next_heavy() is not None:
            QTimer.singleShot(HEAVY_DELAY_MS, self, lambda: self._refresh_heavy(then))
            return
        self._plots_done()
        if then is not None:
            then()

    def _heavy_panels(self) -> list:
        current = self.tabs.currentWidget()
        return [self.view_host] + ([current] if current is not None else [])

    def _next_heavy(self):
        """The heavy panel whose turn it is: it has news and has not drawn for HEAVY_INTERVAL_S (or None)."""
        panels = self._heavy_panels()
        now = time.monotonic()
        for i in range(len(panels)):
            panel = panels[(self._turn + i) % len(panels)]
            if panel.has_news(self.data) and now - self._heavy_drawn.get(id(panel), 0.0) >= HEAVY_INTERVAL_S:
                return panel
        return None

    def _refresh_heavy(self, then: Optional[Callable[[], None]]) -> None:
        if self._closing:
            return
        panel = self._next_heavy()
        if panel is not None:
            panel.refresh(self.data)
            self._heavy_drawn[id(panel)] = time.monotonic()
            panels = self._heavy_panels()
            self._turn = (panels.index(panel) + 1) % len(panels)
        self._plots_done()
        if then is not None:
            then()

    def _plots_done(self) -> None:
        self.refresh_count += 1
        self.plots_updated.emit()

    def _show_status(self, update: Optional[Update]) -> None:
        L = self.status_labels
        t = self._trainer
        if update is None:
            steps = t.step if t is not None else 0
            total = t.total_steps if t is not None else self.panel.config().training.steps
            L["state"].setText(self._idle_text() if self._state == "idle" else self._state)
            L["step"].setText(f"step {steps}/{total}")
            L["epoch"].setText("")
            L["loss"].setText("")
            L["speed"].setText("")
            L["eta"].setText("")
            L["device"].setText(f"device {t.device}" if t is not None else "")
            self.progress.setRange(0, max(1, total))
            self.progress.setValue(steps)
            return
        state = {"running": self._state if self._state in ("running", "stopping") else "running"}.get(
            update.status, update.status)
        L["state"].setText(state)
        L["step"].setText(f"step {update.step}/{update.total_steps}")
        L["epoch"].setText(f"epoch {update.epoch:.2f}")
        L["loss"].setText(f"loss {update.train_loss:.4g}" if math.isfinite(update.train_loss) else
                          f"loss {update.train_loss}")
        running = update.status == "running"
        L["speed"].setText(f"{update.steps_per_sec:.0f} steps/s" if update.steps_per_sec and running else "")
        left = (update.total_steps - update.step) / update.steps_per_sec if update.steps_per_sec else math.nan
        L["eta"].setText(f"ETA {_fmt_time(left)}" if update.status == "running" else "")
        if t is not None:
            L["device"].setText(f"device {t.device}")
        self.progress.setRange(0, max(1, update.total_steps))
        self.progress.setValue(update.step)

    def _show_status_opened(self, trainer, status: str) -> None:
        L = self.status_labels
        L["state"].setText(f"opened ({status})")
        L["step"].setText(f"step {trainer.step}/{trainer.total_steps}")
        L["epoch"].setText(f"epoch {trainer.step / trainer.steps_per_epoch:.2f}")
        loss = self.data.last("train_loss")
        L["loss"].setText(f"loss {loss:.4g}" if math.isfinite(loss) else "")
        L["speed"].setText("")
        L["eta"].setText("")
        L["device"].setText(f"device {trainer.device}")
        self.progress.setRange(0, max(1, trainer.total_steps))
        self.progress.setValue(trainer.step)

    # --- state and actions -------------------------------------------------------------------------------------------

    def _set_state(self, state: str) -> None:
        self._state = state
        self._update_actions()
        self.status_labels["state"].setText(self._idle_text() if state == "idle" else state)

    def _idle_text(self) -> str:
        t = self._trainer
        if t is None or t.step == 0 or t.status in ("ready", "running"):
            return "ready"
        return t.status  # finished | stopped | diverged

    def _update_actions(self) -> None:
        training = self._worker is not None
        valid = self.panel.is_valid()
        s = self._state
        self.act_train.setEnabled(valid and not training)  # a paused run resumes with Pause/Resume
        self.act_pause.setEnabled(training and s in ("running", "paused"))
        self.act_pause.setText("Resume" if s == "paused" else "Pause")
        self.act_pause.setIcon(icons.icon("resume" if s == "paused" else "pause"))
        self.act_step.setEnabled((valid or training) and s != "stopping")
        self.act_stop.setEnabled(training and s != "stopping")
        self.act_reset.setEnabled(True)
        self.act_save.setEnabled(self._trainer is not None)
        self.panel.set_locked(training)

    def _toggle_pause(self) -> None:
        if self._state == "paused":
            self.resume()
        else:
            self.pause()

    # --- files -----------------------------------------------------------------------------------------------------

    def _save_dialog(self) -> bool:
        """Save As: the name proposed is the run's own (task, cell), in the folder used last. True if it saved."""
        trainer = self._trainer
        if trainer is None:
            return False
        cfg = trainer.cfg
        name = time.strftime(f"{cfg.task.name}-{cfg.model.cell}-%Y%m%d-%H%M%S")
        start = str(Path(places.last_folder("runs")) / name)
        path, _ = QFileDialog.getSaveFileName(self, "Save run as folder", start, "rnnlab run folder (*)")
        if not path:
            return False
        places.remember_folder("runs", path)
        try:
            self.save_run(path)
        except (RnnlabError, OSError, TimeoutError) as exc:
            QMessageBox.warning(self, "Could not save the run", f"{path}: {describe_error(exc)}")
            return False
        return True

    def _open_dialog(self) -> None:
        if not self._may_discard("open another run"):
            return
        path = QFileDialog.getExistingDirectory(self, "Open a run folder (it holds summary.json)",
                                                places.last_folder("runs"))
        if path:
            places.remember_folder("runs", str(Path(path).parent / "x"))
            self._open_interactive(path)

    def _may_discard(self, doing: str) -> bool:
        """Before the shown run is dropped: ask Save / Discard / Cancel if it is unsaved. True: go on."""
        if not self.act_ask.isChecked() or not self.has_unsaved_run():
            return True
        t = self._trainer
        box = QMessageBox(self)
        box.setObjectName("unsavedRunBox")
        box.setIcon(QMessageBox.Question)
        box.setWindowTitle("Unsaved run")
        box.setText(f"The run shown ({t.cfg.task.name}, {t.cfg.model.cell}, {t.status} at step {t.step}) is not "
                    f"saved. Save it before you {doing}?")
        box.setStandardButtons(QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel)
        box.setDefaultButton(QMessageBox.Save)
        answer = box.exec()
        if answer == QMessageBox.Save:
            return self._save_dialog()
        return answer == QMessageBox.Discard

    def _open_interactive(self, path: str) -> None:
        """Open from the menu: a wait cursor while the folder is read off the GUI thread, then the run or a message."""
        QApplication.setOverrideCursor(Qt.WaitCursor)

        def done() -> None:
            QApplication.restoreOverrideCursor()

        def failed(message: str) -> None:
            QApplication.restoreOverrideCursor()
            self.message_bar.show_message(f"Could not open the run: {message}", "error")  # stays until dismissed

        self._open_async(path, done, failed)

    def _open_async(self, path, on_done: Callable[[], None], on_error: Callable[[str], None]) -> None:
        """Read the run folder, rebuild its trainer and compute its view on the helper thread; show it here."""
        from ..runs.store import open_run, restore_trainer
        from ..train import devices

        path = str(path)

        def job():
            run = open_run(path)
            note = ""
            wanted = run.config.training.device
            try:
                devices.resolve(wanted)
            except ConfigError:
                run.config = replace_fast(run.config, "training.device", "auto")
                note = f" It was trained on {wanted}, which this computer does not have; it opens on the CPU."
            with BUILD_LOCK:
                trainer = restore_trainer(run)
            try:
                val_baselines = trainer.task.baselines("val")
            except Exception:
                val_baselines = None
            _check_summary(Path(path), run.summary)
            data = RunData.from_run(run)  # plain numpy: built here, so a damaged probe fails before the window changes
            view = _task_view(trainer)
            return run, trainer, note, val_baselines, view, task_preview(trainer.task), data

        def done(result) -> None:
            self._jobs -= 1
            try:
                self._show_opened(path, *result)
            except Exception as exc:  # a run that loads but cannot be drawn: say so, keep the window usable
                log.exception("showing an opened run failed")
                self.reset()
                on_error(f"{path} could not be shown: {describe_error(exc)}")
                return
            on_done()

        def failed(message: str) -> None:
            self._jobs -= 1
            on_error(message if path in message else f"{path}: {message}")

        self._jobs += 1
        self.access.run_background(job, done, failed)

    def _show_opened(self, path: str, run, trainer, note: str, val_baselines, view, preview, data) -> None:
        self._abandon_worker()
        self.panel.set_config(run.config)
        self._prepare_serial += 1  # a preparation in flight must not replace the opened run
        self._prepare_timer.stop()
        self.message_bar.clear()
        self._set_trainer(trainer)
        self._clear_plots()
        self._describe_run(data, trainer)
        final = run.summary
        data.test = final.get("test")
        data.test_baselines = final.get("baselines")
        data.val_baselines = val_baselines
        data.set_view(view)
        self.data = data
        self.panel.set_preview(preview_widget(preview))
        self._saved = (trainer, trainer.step)
        self._refresh_plots(force=True)
        self._add_recent(Path(path))
        status = final.get("status", "finished")
        self._show_status_opened(trainer, status)
        message = trainer.message or f"Opened a {status} run."
        if status == "diverged":
            self._show_diverged(message)
        elif blew_up(data):
            self._show_diverged(blow_up_message(data, message))
        else:
            self._show_final(trainer, message)
        if note:
            self.message_bar.show_message(f"{self.message_bar.text.text()}<br>{escape(note.strip())}",
                                          self.message_bar.level, rich=True)
        self.statusBar().showMessage(f"Opened {Path(path).name}", 8000)

    def _recent(self) -> list[str]:
        value = settings().value("recent_runs", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _add_recent(self, path: Path) -> None:
        p = str(Path(path).resolve())
        recent = [p] + [r for r in self._recent() if r != p]
        settings().setValue("recent_runs", recent[:MAX_RECENT])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self._recent()
        if not recent:
            a = self.recent_menu.addAction("(no runs yet)")
            a.setEnabled(False)
        for p in recent:
            a = self.recent_menu.addAction(p)
            a.triggered.connect(lambda _=False, p=p: self._may_discard("open another run") and
                                self._open_interactive(p))

    def _about(self) -> None:
        try:
            credits = resource("datasets", "README.md").read_text(encoding="utf-8")
        except OSError:
            credits = "(resources/datasets/README.md is missing)"
        box = QMessageBox(self)
        box.setWindowTitle("About rnnlab")
        box.setText(f"<b>rnnlab {__version__}</b><br>A desktop lab for recurrent neural networks: train RNNs, LSTMs "
                    f"and GRUs and watch their gates and gradients live.")
        box.setDetailedText(credits)
        box.exec()

    # --- layout and closing -----------------------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        # Below this the gate heatmaps and plot legends get too small to read; 1024x640 still fits a 1024x768 projector.
        self.setMinimumSize(1024, 640)
        s = settings()
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(first_size())
        state = s.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        for key, splitter in (("window/top", self.top), ("window/split", self.split),
                              ("window/gradients", self.gradients)):
            value = s.value(key)
            if isinstance(value, QByteArray) and not value.isEmpty():
                splitter.restoreState(value)
        tab = s.value("window/tab")
        if tab is not None:
            try:
                self.tabs.setCurrentIndex(int(tab))
            except (TypeError, ValueError):
                pass

    def _save_layout(self) -> None:
        s = settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/top", self.top.saveState())
        s.setValue("window/split", self.split.saveState())
        s.setValue("window/gradients", self.gradients.saveState())
        s.setValue("window/tab", self.tabs.currentIndex())

    def _reset_layout(self) -> None:
        self.experiment_dock.show()
        self.experiment_dock.setFloating(False)
        self.addDockWidget(Qt.LeftDockWidgetArea, self.experiment_dock)
        self.resizeDocks([self.experiment_dock], [330], Qt.Horizontal)
        self._default_sizes()

    def _default_sizes(self) -> None:
        self.top.setSizes([450, 550])
        self.split.setSizes([440, 360])  # the loss plots keep room on a 768 px projector (issue 9, item 6)
        self.gradients.setSizes([350, 650])

    def closeEvent(self, event) -> None:
        if not self._closing and not self._may_discard("quit"):
            event.ignore()
            return
        self._closing = True
        self._save_layout()
        self._prepare_timer.stop()
        self._abandon_worker(linger=True)
        self.panel.shutdown()
        self.access.shutdown()
        super().closeEvent(event)


class _RefreshGroup(QSplitter):
    """Several plot panels in one tab, refreshed together."""

    def __init__(self, orientation, panels):
        super().__init__(orientation)
        self.panels = panels
        for p in panels:
            self.addWidget(p)

    def has_news(self, data: RunData) -> bool:
        return any(p.has_news(data) for p in self.panels)

    def refresh(self, data: RunData) -> None:
        for p in self.panels:
            p.refresh(data)


def _check_summary(path: Path, summary: dict) -> None:
    """The summary fields the window shows must have their types (a damaged summary.json must not reach a widget)."""
    where = path / "summary.json"
    for key, kinds in (("status", str), ("message", str), ("test", dict), ("baselines", dict), ("val", dict)):
        value = summary.get(key)
        if value is not None and not isinstance(value, kinds):
            raise RunError(f"{where}: '{key}' is damaged (a {type(value).__name__}, not a {kinds.__name__}); "
                           f"save the run again or open another one.")


def blew_up(data: RunData) -> Optional[str]:
    """Why the shown run's finite loss blew up (see train.advice.blow_up), or None."""
    return blow_up(data.col("train_loss"))


def blow_up_message(data: RunData, final_message: str) -> str:
    reason = blew_up(data) or ""
    return (f"{reason} The step size was too large for this model: the weights were thrown far off and the run "
            f"ended no better than where it began. {final_message}")


def _task_view(trainer) -> Optional[dict]:
    """Task.view(model) in eval mode without gradients; the caller holds the model guard."""
    import torch

    model = trainer.model
    was = model.training
    model.eval()
    try:
        with torch.no_grad(), np.errstate(all="ignore"):  # a diverged model's forecast may overflow
            return trainer.task.view(model)
    finally:
        model.train(was)
