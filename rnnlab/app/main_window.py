"""The main window: layout, actions, status bar, files and settings. It composes the experiment form, the plot panels
and a RunSession (session.py), which owns the run and its threads and tells the window about it in plain data.

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
    w.trainer                         # test / self-test hook: the session's engine Trainer, or None (being built)
    w.training_finished(str)          # signal: "finished" | "stopped" | "diverged" | "failed"
    w.plots_updated()                 # signal: after the plots drew new data
    w.trainer_changed(object)         # signal: another run is shown (built, opened, reset): its RunInfo, or None
    w.wait_ready(timeout) -> bool     # block (processing events) until no background job is pending (tests, selftest)
    w.mode                            # the window's mode (app/mode.py): single run, race or comparison, run state
    w.do(verb)                        # a toolbar verb (train, pause, step, stop, reset) on what the mode says

Threads: see session.py. The GUI thread only draws; it never reads a Trainer (what it shows comes as a RunInfo).
"""

from __future__ import annotations

import gc
import time
from html import escape
from pathlib import Path
from typing import Optional

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow, QSplitter, QTabWidget, QVBoxLayout, QWidget

from ..config import RunConfig, experiment
from ..train.info import RunInfo
from . import language, icons, theme
from .frame import menus, persist
from .form.experiment_panel import ExperimentPanel
from .frame.files import RunFiles
from .many.manyruns import ManyRuns
from .mode import SESSION_STATES, Mode, ModeState, enablement
from .frame.messagebar import MessageBar
from .run.model_access import TrainerApi
from .places import settings
from .plots.cell import CellPanel, link_gates, link_views, untrained_probe
from .plots.gates import GatesPanel
from .plots.gradnorms import GradNormPanel
from .plots.gradtime import GradTimePanel
from .plots.loss import LossPanel
from .form.preview import preview_widget
from .run.rundata import RunData
from .frame.runmessages import RunMessages
from .run.scheduler import PanelGroup, PlotScheduler
from .run.session import Opened, Prepared, RunSession, wait_for_closed_runs
from .frame.statusbar import StatusFields, idle_text
from .views.host import TaskViewHost
from .run.worker import Update
from .. import i18n
from ..i18n import N_, _, ngettext

__all__ = ["MainWindow", "settings", "wait_for_closed_runs"]

PREPARE_DELAY_MS = 300  # after the last edit, the form's config is loaded (task data, fresh model) for the preview
# The least width for the plots beside the form, at 100 % zoom (scaled with it): below, the form hides by itself.
PLOTS_MIN_WIDTH = 640


_frozen = False


def freeze_once() -> None:
    """The ~300k objects of torch, Qt and pyqtgraph live as long as the app: out of the garbage collector's full
    passes, which otherwise stop every thread for up to ~0.4 s while training makes garbage. Once per process: a
    later window would freeze the garbage of those before it for good (the tests make hundreds; their stray plot
    menus made every style change walk ~7000 widgets)."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


class MainWindow(QMainWindow):
    training_finished = Signal(str)
    plots_updated = Signal()
    trainer_changed = Signal(object)

    def __init__(self, config: Optional[RunConfig] = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("rnnlab")
        self.setWindowIcon(icons.app_icon())
        self.setObjectName("MainWindow")
        self._closing = False
        self._preview: Optional[dict] = None
        self._form_fitted = None  # (width, height, zoom) the form's visibility was last decided for
        self.data = RunData()
        self.mode = ModeState(self)  # single run, race or comparison x run state x form validity: one owner
        self.mode.changed.connect(lambda _state: self._apply_actions())
        self.session = RunSession(self)
        self.access = self.session.access  # the export dialog runs its jobs on the helper thread too
        self.api = TrainerApi(self.access)
        self._connect_session()
        self.scheduler = PlotScheduler(lambda: [self.loss_panel], self._heavy_panels, lambda: self.data, self)
        self.scheduler.drawn.connect(self.plots_updated)
        self._run_clicked = None  # a race's slot for a click on a run's legend entry (ManyRuns), on every overlay panel

        persist.restore_zoom()
        self.panel = ExperimentPanel(config or experiment())
        self.panel.config_changed.connect(self._config_edited)
        self.panel.validity_changed.connect(self._validity_changed)
        self.panel.messages_changed.connect(lambda: self._validity_changed(self.panel.is_valid()))
        self.files = RunFiles(self)
        self.port = WindowPort(self)  # what ManyRuns and the lesson panel may use of the window (app/mode.py)
        self.many = ManyRuns(self.port, self)  # races and comparisons: several runs on the plots
        menus.build_menus(self)
        self._build_central()
        self._build_docks()
        self.messages = RunMessages(self.message_bar, self.panel, self.set_config)
        self.fields = StatusFields(self.statusBar())
        self.status_labels, self.progress = self.fields.labels, self.fields.progress
        self._show_status(None)
        if theme.zoom() != 1.0:
            persist.scale_fonts(self, 1.0)
        self._prepare_timer = QTimer(self, singleShot=True, interval=PREPARE_DELAY_MS)
        self._prepare_timer.timeout.connect(self._prepare)
        # Below this the gate heatmaps and plot legends get too small to read; 1024x640 still fits a 1024x768 projector.
        self.setMinimumSize(1024, 640)
        persist.restore_layout(self)
        self._update_actions()
        self._lang = i18n.language()
        language.follow(self)  # View > Language re-translates this window in place
        freeze_once()
        self._prepare()

    def _connect_session(self) -> None:
        s = self.session
        s.info_changed.connect(self._on_info_changed)
        s.started.connect(self.configure_panels)
        s.progress.connect(self._on_progress)
        s.state_changed.connect(self._on_state)
        s.finished.connect(self._on_finished)
        s.prepared.connect(self._on_prepared)
        s.preview_ready.connect(self.show_preview)
        s.message.connect(lambda text, level: self.message_bar.show_message(text, level))

    # --- construction --------------------------------------------------------------------------------------------

    def _build_central(self) -> None:
        """The plots. The Gradients tab, hidden at start, holds empty widgets until first used (`_build_hidden`: its
        two plots were ~0.09 s of the window's start): the tab shown, its panels asked for (the first prepared or
        opened run configures every panel). The Cell tab is built at once: its minimum size sets the split between
        the top plots and the tabs, which must not move when it comes."""
        self.loss_panel = LossPanel()
        self.view_host = TaskViewHost(self.api)
        self.gates_panel = GatesPanel()
        self.cell_panel = CellPanel(self.api)
        self._hidden: Optional[dict] = None  # the Gradients tab's panels, once built
        self.top = QSplitter(Qt.Horizontal)
        self.top.setObjectName("topSplitter")
        self.top.addWidget(self.loss_panel)
        self.top.addWidget(self.view_host)
        self.gradients = PanelGroup(Qt.Horizontal, [QWidget(), QWidget()])  # the sizes kept until the panels come
        self.gradients.setObjectName("gradientSplitter")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("bottomTabs")
        self.tabs.addTab(self.gates_panel, _("Gates"))
        self.tabs.addTab(self.gradients, _("Gradients"))
        self.tabs.setTabToolTip(0, _("What each gate does at every step and unit, for one probe sequence"))
        self.tabs.setTabToolTip(1, _("Gradient norms over training, and the gradient reaching each time step"))
        self.tabs.setTabToolTip(self.tabs.addTab(self.cell_panel, _("Cell")),
                                _("One unit of the cell at one time step, with its equations filled in"))
        link_gates(self.cell_panel, self.gates_panel)  # the Gates tab's cursor is the Cell tab's t
        link_views(self.cell_panel, self.view_host, self.tabs)  # "Show in the Cell tab"; clamps reach the view
        self.tabs.currentChanged.connect(self._tab_shown)
        menus.add_tab_shortcuts(self, self.tabs)
        self.split = QSplitter(Qt.Vertical)
        self.split.setObjectName("mainSplitter")
        self.split.addWidget(self.top)
        self.split.addWidget(self.tabs)
        persist.default_sizes(self)
        if not hasattr(self, "message_bar"):  # kept when the plots are rebuilt (zoom): its message and buttons stay
            self.message_bar = MessageBar()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.setSpacing(4)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.many.bar)
        layout.addWidget(self.split, 1)
        self.setCentralWidget(central)
        self.many.attach()

    def _build_hidden(self) -> dict:
        """The Gradients tab's panels, built on first use, in place of the empty widgets at the same sizes; a race's
        legends answer a click on them too."""
        if self._hidden is None:
            grad, gradtime = GradNormPanel(), GradTimePanel()
            self._hidden = {"grad": grad, "gradtime": gradtime}
            self.gradients.fill([grad, gradtime])
            if self._run_clicked is not None:
                grad.run_clicked.connect(self._run_clicked)
                gradtime.run_clicked.connect(self._run_clicked)
        return self._hidden

    def _tab_shown(self, _index: int) -> None:
        if self._hidden is None and self.tabs.currentWidget() is self.gradients:
            self._build_hidden()
        self.scheduler.refresh(force=True)

    @property
    def grad_panel(self) -> GradNormPanel:
        return self._build_hidden()["grad"]

    @property
    def gradtime_panel(self) -> GradTimePanel:
        return self._build_hidden()["gradtime"]

    def _build_docks(self) -> None:
        dock = QDockWidget(_("Experiment"), self)
        dock.setObjectName("experimentDock")
        dock.setWidget(self.panel)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable |
                         QDockWidget.DockWidgetClosable)
        self.addDockWidget(Qt.LeftDockWidgetArea, dock)
        self.resizeDocks([dock], [330], Qt.Horizontal)
        self.experiment_dock = dock
        toggle = dock.toggleViewAction()
        toggle.setShortcut(QKeySequence("Ctrl+E"))
        toggle.setToolTip(_("Show or hide the experiment settings (more room for the plots on a projector)"))
        self.view_menu.insertAction(self.view_menu.actions()[0], toggle)

    # --- public API ----------------------------------------------------------------------------------------------------

    @property
    def trainer(self):
        """Test / self-test hook: the session's engine Trainer (None while one is being built). The window's own
        code never reads it: what it shows comes from the session's RunInfo."""
        return self.session.trainer

    @property
    def refresh_count(self) -> int:
        """Plot passes since start (the responsiveness bench reads it)."""
        return self.scheduler.count

    def config(self) -> RunConfig:
        return self.panel.config()

    def set_config(self, cfg: RunConfig) -> None:
        self.panel.set_config(cfg)
        self._config_edited(cfg)

    def is_training(self) -> bool:
        return self.session.is_training()

    def is_paused(self) -> bool:
        """True once the training thread has stopped between two steps and sent everything up to there."""
        return self.session.is_paused()

    def start_training(self) -> bool:
        """Train: resume a paused run, else start a new run from the form (or the prepared, untrained model)."""
        if self.session.is_training():
            self.session.resume()
            return True
        if not self.panel.is_valid():
            first = next(iter(self.panel.errors().values()), "")
            self.message_bar.show_message(_("Fix the marked settings first: {first}").format(first=first), "warning")
            return False
        self._start(paused=False)
        return True

    def do(self, verb: str) -> None:
        """A toolbar verb ("train", "pause", "step", "stop", "reset"), on what the mode says it acts on: the single
        run, or (ManyRuns) the race or the comparison."""
        if self.mode.mode is not Mode.SINGLE:
            self.many.control(verb)
        elif verb == "train":
            self.start_training()
        elif verb == "pause":
            self.resume() if self.session.state == "paused" else self.pause()
        elif verb == "step":
            self.step_once()
        elif verb == "stop":
            self.stop()
        elif verb == "reset":
            self.reset()

    def pause(self) -> None:
        self.session.pause()

    def resume(self) -> None:
        self.session.resume()

    def step_once(self) -> None:
        """One optimizer step. Starts a paused run first when none is going."""
        if not self.session.is_training():
            if not self.panel.is_valid():
                self.start_training()  # shows why not
                return
            self._start(paused=True)
        self.session.step_once()

    def stop(self) -> None:
        self.session.stop()

    def reset(self) -> None:
        """Drop the current run (waiting for its thread) and load fresh weights from the form's config."""
        self.session.reset()
        self.message_bar.clear()
        self._prepare()

    def save_run(self, path) -> Path:
        """Save the current run to the folder `path` (between two steps if training runs). Returns the folder."""
        saved = self.session.save(path)
        persist.add_recent(saved)
        self.files.saved(saved)
        self.statusBar().showMessage(_("Saved to {name}").format(name=saved.name), 8000)
        return saved

    def open_run(self, path) -> None:
        """Open a run folder: its config in the form, its curves and probes in the plots, its model for the view.

        The folder is read and the model rebuilt on the helper thread; this call waits for it (processing events)
        and raises RunError with a message naming the file, whatever went wrong."""
        self.files.open_and_wait(path)

    def ask_before_discarding(self, ask: bool) -> None:
        """Whether Quit and Open ask before an unsaved finished or stopped run is dropped (on by default)."""
        self.act_ask.setChecked(ask)

    def has_unsaved_run(self) -> bool:
        """A run that trained (finished, stopped, diverged or paused) and was not saved or opened since."""
        return self.session.is_unsaved()

    def set_zoom(self, factor: float) -> None:
        """View > Zoom: scale text, plot labels and lines (kept for the next start); the plots are rebuilt at the new
        size and redrawn from the run's data."""
        previous = theme.zoom()
        persist.save_zoom(theme.set_zoom(factor))
        self._rebuild_plots()
        persist.scale_fonts(self, previous)
        self.fields.fit_widths()  # the status bar's fields at the new font: fitted to the old one they were cut
        if self._preview is not None:
            self.show_preview(self._preview)  # its title in the new size (Reset zoom left it large)
        self._form_fitted = None
        QTimer.singleShot(0, self, self._fit_form)

    def show_preview(self, preview: Optional[dict]) -> None:
        """The small look at the task's data in the form, kept so that a zoom can draw it again at the new size."""
        self._preview = preview
        self.panel.set_preview(preview_widget(preview) if preview is not None else None)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self._fit_form)

    def _fit_form(self) -> None:
        """Below a size (1024x768 at 130 % zoom) the plots beside the form got strips a few pixels high and cut
        titles: the form is hidden by itself, once per size and zoom, and the message says how to show it (issue 19,
        item 8). A user who shows it again keeps it until the size or the zoom changes."""
        dock = self.experiment_dock
        size = (self.width(), self.height(), theme.zoom())
        if self._closing or not self.isVisible() or dock.isFloating() or size == self._form_fitted:
            return
        self._form_fitted = size
        if not dock.isVisible():
            return
        room = self.width() - dock.width()
        if room >= PLOTS_MIN_WIDTH * theme.zoom():
            return
        dock.hide()
        text = _("The experiment form is hidden to give the plots room at this window size and zoom. View > "
                 "Experiment (Ctrl+E) shows it again.")
        if self.message_bar.has_message():
            self.statusBar().showMessage(text, 15000)
        else:
            self.message_bar.show_message(text, "info")

    def retranslate(self) -> None:
        """The whole window in the current language, without a restart: the plots and the task view are rebuilt and
        redrawn from the run's data (as a zoom does), the form re-labelled with its values kept, and every other
        text (menus, actions, docks, buttons, tooltips) mapped back to its message and translated again."""
        old, self._lang = self._lang, i18n.language()
        if old == self._lang:
            return
        retranslator = language.Retranslator(old)
        self._rebuild_plots()
        retranslator.widget_tree(self)
        self.panel.retranslate()
        language.check_current(self.language_menu)
        self.message_bar.retranslate()
        self._show_status(None) if self.session.state == "idle" else None
        self._update_actions()

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Process events until the helper thread is idle and its results are delivered (tests, selftest)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            QApplication.processEvents()
            if self.access.wait_idle(0.05):
                QApplication.processEvents()
                if not self.session.busy() and not self._prepare_timer.isActive():
                    return True
        return False

    def overlay_panels(self) -> list:
        """The panels that draw every run of a race or a comparison (the others draw the chosen one); the Cell tab
        draws every runner's saliency."""
        return [self.loss_panel, self.grad_panel, self.gradtime_panel, self.cell_panel]

    def panels(self) -> list:
        """Every panel of the window (panel.py's contract): the window loops over them."""
        return [self.loss_panel, self.grad_panel, self.gates_panel, self.gradtime_panel, self.cell_panel,
                self.view_host]

    def configure_panels(self, info: RunInfo) -> None:
        """Frame every panel for the run shown; the report and the export read the run's facts off its RunData."""
        self.data.describe(info)
        for panel in self.panels():
            panel.configure(info)

    # --- what the session tells ----------------------------------------------------------------------------------

    def _start(self, paused: bool) -> None:
        self._prepare_timer.stop()
        self.message_bar.clear()
        self.session.start(self.panel.config(), paused)

    def _on_info_changed(self, info: Optional[RunInfo]) -> None:
        if info is None:
            self._clear_plots()
        self._update_actions()
        self.trainer_changed.emit(info)

    def _on_state(self, state: str) -> None:
        self._update_actions()
        self.fields.set_state(idle_text(self.session.info) if state == "idle" else state)

    def _on_progress(self, update: Update) -> None:
        update.apply_to(self.data)
        if update.view_error:
            self.message_bar.show_message(update.view_error, "warning")
        self._show_status(update)
        if update.final or update.status == "diverged":
            self.messages.result(self.data, self.session.info, update.status, update.message, update.advice)
        self.scheduler.refresh(force=update.final or update.status != "running", then=self.session.claim_ack())

    def _on_finished(self, status: str) -> None:
        if status == "failed":
            self._show_status(None)
        self._update_actions()
        self.training_finished.emit(status)

    def _on_prepared(self, prepared: Prepared) -> None:
        if self.many.active:
            return  # prepared before a race or a comparison took the plots
        self._clear_plots()
        self.configure_panels(prepared.info)
        view = prepared.view
        if isinstance(view, dict):
            view = {**view, "untrained": True}  # its scores are of random weights: the view says so
        self.data.set_view(view)
        self.show_preview(prepared.preview)
        self._show_status(None)
        self.scheduler.refresh(force=True)
        self.api.submit(untrained_probe, self._on_untrained_probe, key="untrained-probe")

    def _on_untrained_probe(self, probe) -> None:
        """The prepared model's probe before any step (issue 22): the Gradients tab's dashed "before training" curve,
        the gates and the Cell tab follow a change of the recurrent scale at once. Dropped once a run has probes."""
        if self.session.is_training() or self.many.active or self.data.probe_steps:
            return
        self.data.add_probe(probe)
        self.scheduler.refresh(force=True)

    def show_opened(self, opened: Opened) -> None:
        """An opened run (files.py opens it): its config in the form, its data in the panels, its result said."""
        info = opened.info
        self.panel.set_config(info.config)
        self._prepare_timer.stop()
        self.message_bar.clear()
        self._clear_plots()
        self.data = opened.data
        self.configure_panels(info)
        self.show_preview(opened.preview)
        self.scheduler.refresh(force=True)
        persist.add_recent(Path(opened.path))
        self.fields.show_opened(info, opened.status, self.data.last("train_loss"))
        self.messages.result(self.data, info, opened.status, info.message or _("Opened a {status} run.").format(status=opened.status),
                             opened.advice, opened.note)
        self.statusBar().showMessage(f"Opened {Path(opened.path).name}", 8000)

    # --- the form ----------------------------------------------------------------------------------------------------

    def _config_edited(self, cfg: RunConfig) -> None:
        if self.is_training() or self.many.active:
            return
        info = self.session.info
        if info is None or info.step == 0:
            self._prepare_timer.start()
            return
        self.session.preview(cfg)
        if cfg == info.config:
            return
        save = [(_("Save that run…"), self.files.save_dialog)] if self.has_unsaved_run() else []
        self.messages.previous_run(info, save + [(_("Clear the plots"), self.reset)])

    def _prepare(self) -> None:
        """A model for the form's config, built on the helper thread: the preview, the view and a model to step."""
        if not self._closing and self.panel.is_valid():
            self.session.prepare(self.panel.config())

    def _validity_changed(self, valid: bool) -> None:
        self._update_actions()
        bad = [k for k in self.panel.errors() if k.startswith("task.")]
        if not valid and bad:
            # The preview must not keep showing the last good data while the form names another file.
            label = QLabel(f"<i>No preview: {escape(bad[0])} is not usable yet (see the message under the form)."
                           f"</i>" if not self.panel.is_checking() else "<i>Checking the file…</i>", wordWrap=True)
            label.setObjectName("previewPlaceholder")
            self._preview = None
            self.panel.set_preview(label)

    # --- drawing and state ---------------------------------------------------------------------------------------

    def _heavy_panels(self) -> list:
        current = self.tabs.currentWidget()  # a plot tab, or the race's results table (not a panel)
        return [self.view_host] + ([current] if hasattr(current, "has_news") else [])

    def _clear_plots(self) -> None:
        self.data = RunData()
        for panel in self.panels():
            panel.reset()

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
        self.fields.fit_widths()
        if self.session.info is not None:
            self.configure_panels(self.session.info)
        data = self.data
        data.version += 1
        data.probe_version += 1
        data.view_version += 1
        self.scheduler.forget()
        self.scheduler.refresh(force=True)

    def _show_status(self, update: Optional[Update]) -> None:
        planned = self.panel.config().training.steps if update is None else 0  # the form's plan, with no run
        self.fields.show(self.session.state, self.session.info, update, planned)

    def _update_actions(self) -> None:
        """The session or the form changed: into the mode (the single run's state only in single-run mode)."""
        fields = {"form_valid": self.panel.is_valid(), "has_run": self.session.info is not None}
        if self.mode.mode is Mode.SINGLE:
            fields["run"] = SESSION_STATES.get(self.session.state, SESSION_STATES["idle"])
        if not self.mode.update(**fields):
            self._apply_actions()  # nothing changed, but the texts may be of another language now
        self.many.show_status()

    def _apply_actions(self) -> None:
        menus.apply_enablement(self, enablement(self.mode.state))

    # --- layout and closing --------------------------------------------------------------------------------------

    def closeEvent(self, event) -> None:
        if not self._closing and not self.files.may_discard(_("quit")):
            event.ignore()
            return
        self._closing = True
        persist.save_layout(self)
        self._prepare_timer.stop()
        self.scheduler.stop()
        self.session.close()
        self.many.close()
        if getattr(self, "lesson_panel", None) is not None:
            self.lesson_panel.close_lesson()
        self.panel.shutdown()
        super().closeEvent(event)


class WindowPort:
    """The window as ManyRuns and the lesson panel see it: app/mode.py's WindowPort, and nothing else (no attribute
    can be added or read beyond these: tests/gui/test_mode.py)."""

    __slots__ = ("_w", "state", "widget", "__weakref__")  # signals connect to its methods by weak reference

    def __init__(self, window: MainWindow):
        self._w = window
        self.state = window.mode
        self.widget = window

    def config(self) -> RunConfig:
        return self._w.config()

    def set_config(self, cfg: RunConfig) -> None:
        self._w.set_config(cfg)

    def show_config(self, cfg: RunConfig) -> None:
        self._w.panel.set_config(cfg)

    def show_preview(self, preview: Optional[dict]) -> None:
        self._w.show_preview(preview)

    def form_valid(self) -> bool:
        return self._w.panel.is_valid()

    def start_training(self) -> bool:
        return self._w.start_training()

    def is_training(self) -> bool:
        return self._w.is_training()

    def reset(self) -> None:
        self._w.reset()

    def drop_single_run(self) -> None:
        self._w.session.reset()

    def may_discard(self, doing: str) -> bool:
        return self._w.files.may_discard(doing)

    def open_run(self, path, on_done, on_error) -> None:
        self._w.files.open(path, on_done, on_error)

    def open_run_interactive(self, path) -> None:
        self._w.files.open_interactive(path)

    def compare(self, paths) -> None:
        self._w.many.compare(paths)

    def open_sweep(self, path) -> None:
        self._w.many.open_sweep(path)

    def run_background(self, job, on_result, on_error) -> None:
        self._w.access.run_background(job, on_result, on_error)

    def say(self, text: str, level: str = "info") -> None:
        self._w.message_bar.show_message(text, level)

    def status(self, text: str, ms: int = 8000) -> None:
        self._w.statusBar().showMessage(text, ms)

    def show_runs_status(self, state: str, infos: list) -> None:
        self._w.fields.show_runs(state, infos)

    def show_runs(self, runs) -> None:
        for panel in self._w.overlay_panels():
            panel.show_runs(runs)

    def on_run_clicked(self, slot) -> None:
        w = self._w
        w._run_clicked = slot  # the Gradients tab's panels connect it when built
        for panel in [w.loss_panel, w.cell_panel] + ([] if w._hidden is None else [w.grad_panel, w.gradtime_panel]):
            panel.run_clicked.connect(slot)

    def show_run(self, data: RunData, info: Optional[RunInfo]) -> None:
        w = self._w
        w.data = data
        if info is not None:
            w.gates_panel.configure(info)
            w.view_host.configure(info)
        data.probe_version += 1
        data.view_version += 1
        w.scheduler.forget()
        w.scheduler.refresh(force=True)

    def shows(self, data: RunData) -> bool:
        return self._w.data is data

    def redraw(self, force: bool = False) -> None:
        self._w.scheduler.refresh(force=force)

    def tab_index(self, widget) -> int:
        tabs = self._w.tabs
        return next((i for i in range(tabs.count()) if tabs.widget(i) is widget), -1)

    def add_tab(self, widget, title: str) -> int:
        return self._w.tabs.addTab(widget, title)

    def set_tab(self, index: int) -> None:
        self._w.tabs.setCurrentIndex(index)

    def remove_tab(self, index: int) -> None:
        self._w.tabs.removeTab(index)
