"""The window's mode, with one owner: what the plots show and the toolbar's verbs act on (one run, a race, saved runs
compared), the state of that run, and whether the form holds a valid experiment. `enablement(state)` is the one
place that turns it into what the actions and the form show; the window applies it whenever the state changes.

    state = ModeState(window)                      # the window owns it; ManyRuns and the window update it
    state.update(mode=Mode.RACE, run=RunState.TRAINING)   # `changed(WindowState)` if anything changed
    enablement(state.state) -> Enablement          # train, pause, step, stop, reset, save, race, form locked

`WindowPort` is what the window's parts (ManyRuns, the lesson panel) may read and call on the window: nothing else.
A new mode is a `Mode` member and its rows in `enablement` (tests/gui/test_mode.py drives each through the window).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Callable, Optional, Protocol

from PySide6.QtCore import QObject, Signal


class Mode(str, Enum):
    """What the toolbar's verbs act on. (A str: `many.mode == "race"` reads as before.)"""

    SINGLE = "single"  # the form's experiment, one run (RunSession)
    RACE = "race"  # 2-4 variants trained side by side (RaceSession): the verbs act on the whole race
    COMPARE = "compare"  # saved runs overlaid: nothing trains; Train and Reset go back to one run


class RunState(str, Enum):
    """The state of what the verbs act on."""

    IDLE = "idle"  # nothing trains (a prepared, opened or finished single run; a comparison)
    TRAINING = "training"
    PAUSED = "paused"  # between two steps (after Pause or Step)
    STOPPING = "stopping"  # Stop pressed: the final evaluation runs
    FINISHED = "finished"  # a race that ended (its results table is shown)


SESSION_STATES = {"idle": RunState.IDLE, "running": RunState.TRAINING, "paused": RunState.PAUSED,
                  "stopping": RunState.STOPPING}  # RunSession.state -> RunState


@dataclass(frozen=True)
class WindowState:
    mode: Mode = Mode.SINGLE
    run: RunState = RunState.IDLE
    form_valid: bool = True  # the form holds an experiment that can start
    has_run: bool = False  # the single run shown exists (built, trained or opened): there is something to save

    @property
    def active(self) -> bool:
        """A run (or a race) is going: trained, paused or stopping."""
        return self.run in (RunState.TRAINING, RunState.PAUSED, RunState.STOPPING)


@dataclass(frozen=True)
class Enablement:
    """What each action and the form show, for one WindowState."""

    train: bool
    pause: bool
    pause_resumes: bool  # the Pause action reads Resume (its icon too)
    step: bool
    stop: bool
    reset: bool
    save: bool
    race: bool
    form_locked: bool


def enablement(state: WindowState) -> Enablement:
    """The one function that decides what the toolbar, the Run menu and the form allow."""
    run, valid, mode = state.run, state.form_valid, state.mode
    going = run in (RunState.TRAINING, RunState.PAUSED)  # not stopping: Pause, Step and Stop mean nothing then
    if mode is Mode.SINGLE:
        train = valid and not state.active  # a paused run resumes with Pause/Resume
        step = (valid or state.active) and run is not RunState.STOPPING  # Step starts a paused run when none goes
        save = state.has_run
    elif mode is Mode.RACE:
        train = run is RunState.PAUSED or (not state.active and valid)  # Train resumes a paused race
        step = going
        save = False  # a race saves itself, into its folder
    else:  # COMPARE: saved runs; Train goes back to one run and starts the form's experiment
        train = valid
        step = False
        save = False
    return Enablement(train=train, pause=going, pause_resumes=run is RunState.PAUSED, step=step, stop=going,
                      reset=True, save=save, race=not (mode is Mode.RACE and state.active),
                      form_locked=state.active)


class ModeState(QObject):
    """The one owner of the window's WindowState. `changed(WindowState)` whenever a field changes."""

    changed = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._state = WindowState()

    @property
    def state(self) -> WindowState:
        return self._state

    @property
    def mode(self) -> Mode:
        return self._state.mode

    def update(self, **fields) -> bool:
        """Change some fields (mode, run, form_valid, has_run). True (and `changed`) if anything changed."""
        new = replace(self._state, **fields)
        if new == self._state:
            return False
        self._state = new
        self.changed.emit(new)
        return True


class WindowPort(Protocol):
    """What ManyRuns and the lesson panel may read and call on the window, and nothing else (tests/gui/test_mode.py
    checks manyruns.py against this list). The window hands them a facade with exactly these members."""

    state: ModeState  # the window's mode: read it, update it (mode, run)
    widget: Any  # the window as a QWidget: the parent of dialogs and where windows are placed

    def config(self): ...  # the form's RunConfig
    def set_config(self, cfg) -> None: ...  # the form shows cfg, and a model is prepared for it
    def show_config(self, cfg) -> None: ...  # the form shows cfg (a comparison's first run), nothing prepared
    def show_preview(self, preview: Optional[dict]) -> None: ...
    def form_valid(self) -> bool: ...
    def start_training(self) -> bool: ...  # the single run: Train (says what to fix when the form is invalid)
    def is_training(self) -> bool: ...  # the single run trains
    def reset(self) -> None: ...  # the single run: fresh weights from the form
    def drop_single_run(self) -> None: ...  # the single run steps aside (a race or a comparison takes the plots)
    def may_discard(self, doing: str) -> bool: ...  # Save / Discard / Cancel before an unsaved run is dropped
    def open_run(self, path, on_done: Callable[[], None], on_error: Callable[[str], None]) -> None: ...
    def open_run_interactive(self, path) -> None: ...  # with a wait cursor, a failure in the message bar
    def compare(self, paths) -> None: ...  # saved runs overlaid (ManyRuns.compare)
    def open_sweep(self, path) -> None: ...  # a sweep folder in its own window
    def run_background(self, job, on_result, on_error) -> None: ...  # the helper thread, results on the GUI thread
    def say(self, text: str, level: str = "info") -> None: ...  # the message bar
    def status(self, text: str, ms: int = 8000) -> None: ...  # the status bar, for a while
    def show_runs_status(self, state: str, infos: list) -> None: ...  # the status bar's fields, for several runs
    def show_runs(self, runs) -> None: ...  # the overlay panels draw a RunSet (None: the single run again)
    def on_run_clicked(self, slot: Callable[[str], None]) -> None: ...  # a click on a run in a legend
    def show_run(self, data, info) -> None: ...  # the Gates tab and the task view show this run's data
    def shows(self, data) -> bool: ...  # the one-run panels show this data now
    def redraw(self, force: bool = False) -> None: ...
    def tab_index(self, widget) -> int: ...  # -1: not a tab
    def add_tab(self, widget, title: str) -> int: ...
    def set_tab(self, index: int) -> None: ...
    def remove_tab(self, index: int) -> None: ...


def port_names() -> frozenset[str]:
    """The members of WindowPort: what a part may use of the window."""
    names = set(getattr(WindowPort, "__annotations__", {}))
    names |= {n for n, v in vars(WindowPort).items() if callable(v) and not n.startswith("_")}
    return frozenset(names)
