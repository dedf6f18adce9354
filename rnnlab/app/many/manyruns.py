"""Several runs in the window: a race (Run > Race...) or saved runs compared (File > Compare runs...), overlaid on the
loss, gradient-norm and gradient-through-time panels in one colour per run; the Gates tab and the task view show the
run chosen in the legend. The single run (session.py) steps aside meanwhile and comes back with "Back to one run".

    many = ManyRuns(port)                 # port: the window's WindowPort (app/mode.py), all this module may use
    many.start_race(cfg, "model.cell", ["rnn_tanh", "lstm", "gru"])     # or many.race_dialog()
    many.compare(["runs/a", "runs/b"])                                  # read off the GUI thread, then shown
    many.control("pause")                                               # the toolbar's verbs, for the whole race
    many.leave()                                                        # back to one run

Only plain data reaches this module: RaceSession turns the engine's events into RunData; saved runs are read on the
helper thread (session.open_job) and arrive as Opened. The window's mode (app/mode.py) says whether the plots show
one run, a race or a comparison: this module sets it, and the window enables its actions from it.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QToolButton, QWidget

from ...runs import compare as compare_mod
from ...runs import library
from .. import places
from ..mode import Mode, RunState, WindowPort
from .race_dialog import RaceDialog
from .race_session import RaceSession
from ..plots.overlay import FlowLayout
from .race_table import RaceTable, swatch
from ..run.runset import RunSet, Track
from ..run.session import open_job
from ...i18n import N_, _, ngettext

log = logging.getLogger(__name__)

RESULTS_TAB = N_("Race results")
RACE_PROGRESS_S = 0.1  # each runner reports this often: with 2-4 runners the plots get news on most of their redraws


class RunsBar(QWidget):
    """Above the plots while several runs are shown: what they are, and one click to show a run alone, remove it, add
    one, or go back to one run."""

    def __init__(self, many: "ManyRuns", parent=None):
        super().__init__(parent)
        self.many = many
        self.setObjectName("runsBar")
        self._layout = FlowLayout(self, spacing=6)  # wraps, whole labels, instead of cutting them mid-word
        self._layout.setContentsMargins(4, 0, 4, 0)
        self.title = QLabel()
        self.title.setTextFormat(Qt.RichText)
        self.buttons: dict[str, tuple[QToolButton, QToolButton]] = {}  # key -> (alone, remove)
        self.add_button = self._button(_("Add run…"), _("Overlay another saved run of this task"), many.add_dialog)
        self.back_button = self._button(_("Back to one run"), _("Leave the comparison: the form's experiment again"),
                                        many.leave)
        self.hide()

    def _button(self, text: str, tip: str, slot) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        button.clicked.connect(lambda _=False: slot())
        return button

    def rebuild(self) -> None:
        """Called when the runs, their labels or the mode change."""
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget() is not None and item.widget() not in (self.title, self.add_button, self.back_button):
                item.widget().deleteLater()
        self.buttons = {}
        many = self.many
        if many.mode is None:
            self.hide()
            return
        self._layout.addWidget(self.title)
        self.title.setText(many.title())
        racing = many.mode is Mode.RACE
        for track in many.all_runs:
            alone = self._button(_("only {label}").format(label=_(track.label)),
                                 _("Show {label} alone (click again for all runs)").format(label=_(track.label)),
                                 lambda key=track.key: many.show_alone(key))
            alone.setIcon(swatch(track.colour))
            alone.setCheckable(True)
            alone.setChecked(many.alone == track.key)
            remove = self._button("✕", _("Take {label} off the plots").format(label=_(track.label)), lambda key=track.key: many.remove(key))
            remove.setVisible(not racing)
            self._layout.addWidget(alone)
            self._layout.addWidget(remove)
            self.buttons[track.key] = (alone, remove)
        self.add_button.setVisible(not racing)
        self._layout.addWidget(self.add_button)
        self._layout.addWidget(self.back_button)
        self.show()


class ManyRuns(QObject):
    """A race or a comparison on the window's plots. It sees the window only through `port` (app/mode.py)."""

    def __init__(self, port: WindowPort, parent=None):
        super().__init__(parent)
        self.port = port
        self.all_runs = RunSet()  # every run of the race or the comparison
        self.alone: Optional[str] = None  # the key of the run shown alone, if one is
        self.race = RaceSession(self)
        self.race.tracks_changed.connect(self._tracks_changed)
        self.race.progress.connect(self._race_progress)
        self.race.ended.connect(self._race_ended)
        self.race.failed.connect(lambda msg: self.port.say(msg, "error"))
        self.race_folder: Optional[Path] = None
        self._paused = False  # the race was paused (or stepped) from the toolbar
        self.bar = RunsBar(self)
        self.table = RaceTable()
        self._loading = 0
        self.sweep_windows: list = []  # open sweep views (top-level windows), closed with the main window

    # --- what the window asks -------------------------------------------------------------------------------------

    @property
    def mode(self) -> Optional[Mode]:
        """None while the window shows one run, else Mode.RACE or Mode.COMPARE (the window's mode owns it)."""
        mode = self.port.state.mode
        return None if mode is Mode.SINGLE else mode

    @property
    def active(self) -> bool:
        return self.mode is not None

    def racing(self) -> bool:
        return self.mode is Mode.RACE and self.race.is_running()

    def title(self) -> str:
        if self.mode is Mode.RACE:
            what = self.race.key.rpartition(".")[2]
            title = (ngettext("<b>Race</b> of {count} run, differing in <i>{what}</i> (running):",
                              "<b>Race</b> of {count} runs, differing in <i>{what}</i> (running):", len(self.all_runs))
                     if self.race.is_running() else
                     ngettext("<b>Race</b> of {count} run, differing in <i>{what}</i> (ended):",
                              "<b>Race</b> of {count} runs, differing in <i>{what}</i> (ended):", len(self.all_runs)))
            return title.format(count=len(self.all_runs), what=what)
        task = next((t.info.task for t in self.all_runs if t.info is not None), "")
        return ngettext("<b>Comparing</b> {count} saved run of <i>{task}</i>:",
                        "<b>Comparing</b> {count} saved runs of <i>{task}</i>:", len(self.all_runs)).format(
            count=len(self.all_runs), task=task)

    def control(self, verb: str) -> None:
        """The toolbar's verbs ("train", "pause", "step", "stop", "reset") while several runs are shown: they act on
        the whole race. In a comparison or after a race, Train and Reset go back to one run (Train then starts the
        form's experiment); the other verbs are disabled there (mode.enablement)."""
        if self.mode is None:
            return
        if not self.racing():
            if verb in ("train", "reset"):
                self.leave()
                if verb == "train":
                    self.port.start_training()
            return
        race = self.race
        if verb == "reset":
            self.leave()
            return
        if verb == "train":
            race.resume()
            self._paused = False
        elif verb == "pause":
            (race.resume if self._paused else race.pause)()
            self._paused = not self._paused
        elif verb == "step":
            race.step()
            self._paused = True
        elif verb == "stop":
            race.stop()
        self.sync()

    def sync(self) -> None:
        """Tell the window's mode how the race goes (it enables the actions from that), and show it in the status
        bar."""
        if self.mode is None:
            return
        running = self.racing()
        if running:
            run = RunState.PAUSED if self._paused else RunState.TRAINING
        else:
            run = RunState.FINISHED if self.mode is Mode.RACE else RunState.IDLE
        self.port.state.update(run=run)
        self.show_status()

    def show_status(self) -> None:
        """The status bar's fields for several runs (the window calls it after its own)."""
        if self.mode is None:
            return
        running = self.racing()
        paused = running and self._paused
        if self.mode is Mode.RACE:
            state = ("paused" if paused else "racing") if running else _("race ended")
        else:
            state = "comparing"
        self.port.show_runs_status(state, [t.info for t in self.all_runs])

    # --- a race ---------------------------------------------------------------------------------------------------

    def race_dialog(self) -> None:
        w = self.port
        if not w.form_valid():
            w.start_training()  # says what to fix
            return
        if not w.may_discard(_("start a race")):
            return
        dialog = RaceDialog(w.config(), w.widget)
        dialog.setObjectName("raceDialog")
        if dialog.exec():
            key, values = dialog.choice()
            self.start_race(w.config(), key, values)

    def start_race(self, cfg, key: str, values) -> bool:
        """Race `cfg` with `key` taking each of `values`; saved as a sweep folder in the run library."""
        self._enter(Mode.RACE)
        self._paused = False
        self.race_folder = library.new_sweep_path(f"race-{cfg.task.name}")
        if not self.race.start(cfg, key, list(values), self.race_folder, progress_s=RACE_PROGRESS_S):
            self.leave()
            return False
        self.all_runs = self.race.runs
        self._show()
        self.port.say(
            _("Racing {count} runs side by side, each in its own process, saved to {race_folder}.").format(count=len(values), race_folder=self.race_folder), "info")
        return True

    def _race_progress(self) -> None:
        self.port.redraw()
        self.sync()

    def _race_ended(self, rows: list, sentence: str) -> None:
        if self.mode is not Mode.RACE:
            return
        self.table.show_results(rows, self.race.runs, sentence)
        index = self.port.tab_index(self.table)
        if index < 0:
            index = self.port.add_tab(self.table, _(RESULTS_TAB))
        self.port.set_tab(index)
        self.port.say(sentence, "info")
        self._tracks_changed()

    # --- comparing saved runs -------------------------------------------------------------------------------------

    def compare_dialog(self) -> None:
        """File > Compare runs...: the run library, where several runs of one task are chosen."""
        from ..output.library_dialog import LibraryDialog

        dialog = LibraryDialog(self.port.widget)
        dialog.setObjectName("libraryDialog")
        connect_library(self.port, dialog)
        dialog.show()

    def compare(self, paths) -> None:
        """Read the runs on the helper thread (refusing runs of different tasks), then overlay them."""
        paths = [str(p) for p in paths]
        w = self.port
        if self.mode is None and not w.may_discard(_("compare runs")):
            return  # the unsaved run shown stays

        def job():
            comparison = compare_mod.compare(paths)
            return comparison, [open_job(p)[1] for p in paths]

        def done(result) -> None:
            self._loading -= 1
            comparison, opened = result
            self._enter(Mode.COMPARE)  # from a race too: _enter ends it
            runs = RunSet()
            for o, label in zip(opened, comparison.labels):
                runs.add(Track(o.path, label, o.info, o.data, status=o.status))
            self.all_runs = runs
            w.show_config(opened[0].info.config)  # the form shows the first run's settings, as Open does
            w.show_preview(opened[0].preview)
            self._show()
            w.say(_("Comparing {count} runs: what differs is in the legend.").format(count=len(paths)), "info")

        def failed(message: str) -> None:
            self._loading -= 1
            w.say(_("Could not compare these runs: {message}").format(message=message), "error")

        self._loading += 1
        w.run_background(job, done, failed)

    def add_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self.port.widget, _("Add a saved run to the comparison"),
                                                places.last_folder("runs"))
        if path:
            self.add(path)

    def add(self, path) -> None:
        """One more saved run on the plots (refused if it is of another task)."""
        self.compare([t.key for t in self.all_runs] + [str(path)])

    def remove(self, key: str) -> None:
        if self.mode is not Mode.COMPARE:
            return
        self.all_runs.remove(key)
        if len(self.all_runs) == 0:
            self.leave()
            return
        if self.alone == key:
            self.alone = None
        self._relabel()
        self._show()

    def _relabel(self) -> None:
        tracks = list(self.all_runs)
        labels = compare_mod.legend_labels([t.info.config for t in tracks], [Path(t.key).name for t in tracks])
        for t, label in zip(tracks, labels):
            t.label = label
        self.all_runs.version += 1

    # --- showing --------------------------------------------------------------------------------------------------

    def show_alone(self, key: str) -> None:
        """One click shows a run alone; a second click shows every run again."""
        self.alone = None if self.alone == key else key
        if self.alone is not None:
            self.all_runs.select(key)
        self._show()

    def select(self, key: str) -> None:
        """A click on a run in a legend: the Gates tab and the task view show it."""
        if self.all_runs.get(key) is None:
            return
        self.all_runs.select(key)
        self._show_selected()
        self.bar.rebuild()

    def shown(self) -> RunSet:
        """What the overlay panels draw: every run, or the one shown alone."""
        if self.alone is None:
            return self.all_runs
        solo = RunSet()
        solo.add(self.all_runs.get(self.alone))
        return solo

    def _enter(self, mode: Mode) -> None:
        w = self.port
        if self.mode is None:
            w.drop_single_run()  # the single run steps aside (the unsaved-run question was asked before)
        if self.mode is Mode.RACE and mode is not Mode.RACE:
            self.race.reset()
        w.state.update(mode=mode, run=RunState.IDLE)
        self.alone = None
        self._drop_results_tab()  # a new race or a comparison has no results yet

    def _drop_results_tab(self) -> None:
        index = self.port.tab_index(self.table)
        if index >= 0:
            self.port.remove_tab(index)

    def _show(self) -> None:
        self.port.show_runs(self.shown())
        self._show_selected()
        self.bar.rebuild()
        self.sync()

    def _show_selected(self) -> None:
        """The chosen run's data goes to the panels that draw one run: the Gates tab and the task view."""
        track = self.all_runs.selected_track()
        if track is None:
            return
        self.port.show_run(track.data, track.info)

    def _tracks_changed(self) -> None:
        if self.mode is not Mode.RACE:
            return
        selected = self.all_runs.selected_track()
        if selected is not None and not self.port.shows(selected.data):
            self._show_selected()
        else:
            self.port.redraw(force=True)
        self.bar.rebuild()
        self.sync()

    def attach(self) -> None:
        """The window made its plots (at start, and again on zoom): listen to their legends, hand them the runs."""
        self.port.on_run_clicked(self.select)
        if self.mode is None:
            return
        if self.mode is Mode.RACE and self.race.rows and self.port.tab_index(self.table) < 0:
            self.port.add_tab(self.table, _(RESULTS_TAB))
        self._show()

    def leave(self) -> None:
        """Back to one run: the race is abandoned (its folder keeps what finished), the overlays go."""
        w = self.port
        if self.mode is None:
            return
        self.race.reset()
        w.state.update(mode=Mode.SINGLE, run=RunState.IDLE)  # the single run stepped aside: idle
        self.alone = None
        self.all_runs = RunSet()
        w.show_runs(None)
        self._drop_results_tab()
        self.bar.rebuild()
        w.reset()

    # --- sweeps ---------------------------------------------------------------------------------------------------

    def open_sweep_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self.port.widget, _("Open a sweep folder (it holds results.csv)"),
                                                str(library.sweeps_folder()))
        if path:
            self.open_sweep(path)

    def open_sweep(self, path) -> None:
        """A sweep folder in its own window: the results table and the lag-versus-success chart."""
        from .sweep_view import SweepView

        view = SweepView(None)
        view.setAttribute(Qt.WA_DeleteOnClose)
        view.setWindowTitle(_("Sweep: {name} — rnnlab").format(name=Path(path).name))
        place_on_screen(view, self.port.widget, (1200, 780))
        view.failed.connect(lambda msg: self.port.say(_("Could not open the sweep: {msg}").format(msg=msg), "error"))
        view.destroyed.connect(lambda _unused=None, v=view: self.sweep_windows.remove(v) if v in self.sweep_windows
                               else None)
        view.open(str(path))
        view.show()
        self.sweep_windows.append(view)

    def wait_loaded(self, timeout: float = 30.0) -> bool:
        """Tests: wait (processing events) for the runs being read."""

        deadline = time.monotonic() + timeout
        while self._loading and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.005)
        return not self._loading

    def close(self) -> None:
        self.race.close()
        for view in list(self.sweep_windows):
            view.close()


FRAME_PX = (16, 48)  # what a window manager adds around a window (borders, title bar), at most, in practice


def place_on_screen(view: QWidget, beside: QWidget, wanted: tuple[int, int]) -> None:
    """A top-level window at `wanted` size or less, wholly on the screen `beside` is on (its title bar and frame
    included), centred there: at 1200x780 the sweep window opened partly off a 1280x800 screen (issue 19, item 13)."""
    screen = (beside.screen() if beside is not None else None) or QApplication.primaryScreen()
    area = screen.availableGeometry()
    width = min(wanted[0], area.width() - FRAME_PX[0])
    height = min(wanted[1], area.height() - FRAME_PX[1])
    view.resize(max(width, 200), max(height, 200))
    view.move(area.left() + (area.width() - view.width()) // 2,
              area.top() + max(0, (area.height() - view.height() - FRAME_PX[1]) // 2))


def connect_library(port: WindowPort, dialog) -> None:
    """The run library's requests, served by the window."""
    dialog.open_requested.connect(lambda path: port.may_discard(_("open another run"))
                                  and port.open_run_interactive(path))
    dialog.compare_requested.connect(port.compare)
    dialog.sweep_requested.connect(port.open_sweep)


def start_sweep_dialog(port: WindowPort) -> None:
    """Run > Sweep...: the form's experiment along one or two axes, in the run library."""
    from .sweep_dialog import SweepDialog

    cfg = port.config()
    dialog = SweepDialog(cfg, port.widget, folder=library.new_sweep_path(f"{cfg.task.name}-sweep"))
    dialog.setObjectName("sweepDialog")
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.show()
