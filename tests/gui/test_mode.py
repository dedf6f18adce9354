"""app/mode.py: the window's mode has one owner. What the actions and the form allow comes from one function,
`enablement(state)`, in every mode (driven here through the real window: idle, training, paused, a race, a
comparison); and ManyRuns and the lesson panel use nothing of the window outside the documented WindowPort."""

from __future__ import annotations

import ast
import weakref
import shutil
from pathlib import Path

import pytest

from rnnlab.app import mode as mode_mod
from rnnlab.app.main_window import WindowPort
from rnnlab.app.mode import Mode, RunState, WindowState, enablement, port_names

from helpers import TIMEOUT, small, type_into

pytestmark = pytest.mark.gui

APP = Path(mode_mod.__file__).resolve().parent
ROOT = APP.parents[1]
ACTIONS = ("train", "pause", "step", "stop", "reset", "save", "race")


def shown(w) -> dict:
    """What the window's actions and form show now."""
    got = {name: getattr(w, f"act_{name}").isEnabled() for name in ACTIONS}
    got["pause_resumes"] = w.act_pause.text() == "Resume"
    got["form_locked"] = not w.panel.body.isEnabled()
    return got


def decided(w) -> dict:
    """What `enablement` decides for the window's state."""
    e = enablement(w.mode.state)
    got = {name: getattr(e, name) for name in ACTIONS}
    got["pause_resumes"] = e.pause_resumes
    got["form_locked"] = e.form_locked
    return got


def test_enablement_in_each_mode_and_run_state():
    idle = enablement(WindowState())
    assert (idle.train, idle.pause, idle.step, idle.stop, idle.save, idle.race, idle.form_locked) == \
        (True, False, True, False, False, True, False)
    assert not enablement(WindowState(form_valid=False)).train and not enablement(WindowState(form_valid=False)).step
    assert enablement(WindowState(has_run=True)).save
    training = enablement(WindowState(run=RunState.TRAINING, has_run=True))
    assert (training.train, training.pause, training.step, training.stop, training.form_locked) == \
        (False, True, True, True, True)
    paused = enablement(WindowState(run=RunState.PAUSED, has_run=True))
    assert paused.pause_resumes and paused.pause and not paused.train
    stopping = enablement(WindowState(run=RunState.STOPPING, has_run=True))
    assert not (stopping.pause or stopping.step or stopping.stop or stopping.train) and stopping.form_locked
    racing = enablement(WindowState(mode=Mode.RACE, run=RunState.TRAINING, has_run=True))
    assert (racing.train, racing.pause, racing.step, racing.stop, racing.save, racing.race, racing.form_locked) == \
        (False, True, True, True, False, False, True)
    race_paused = enablement(WindowState(mode=Mode.RACE, run=RunState.PAUSED))
    assert race_paused.train and race_paused.pause_resumes  # Train resumes a paused race
    ended = enablement(WindowState(mode=Mode.RACE, run=RunState.FINISHED))
    assert (ended.train, ended.pause, ended.step, ended.stop, ended.save, ended.race, ended.form_locked) == \
        (True, False, False, False, False, True, False)
    comparing = enablement(WindowState(mode=Mode.COMPARE))
    assert (comparing.train, comparing.pause, comparing.step, comparing.stop, comparing.save, comparing.race) == \
        (True, False, False, False, False, True)
    assert all(enablement(WindowState(mode=m, run=r)).reset for m in Mode for r in RunState)


def uses_of(path: Path, holder: str) -> dict[str, int]:
    """Every attribute read on what a module holds of the window (`self.<holder>.X`, `<holder>.X`, and `w.X` where
    `w` was bound to `self.<holder>`), and `self.window` when the holder is another (the window reached around it).
    Name -> first line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = {holder}
    for node in ast.walk(tree):  # w = self.port
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Attribute) and node.value.attr == holder:
            aliases |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    uses: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            base = node.value
            if (isinstance(base, ast.Attribute) and base.attr == holder) or (
                    isinstance(base, ast.Name) and base.id in aliases):
                uses.setdefault(node.attr, node.lineno)
            if holder != "window" and node.attr == "window" and isinstance(base, ast.Name) and base.id == "self":
                uses.setdefault("self.window", node.lineno)
    return uses


@pytest.mark.parametrize("module", ["many/manyruns.py", "lesson/lesson_panel.py", "frame/files.py"])
def test_the_windows_parts_use_nothing_of_it_outside_a_documented_interface(module):
    if module == "frame/files.py":
        from rnnlab.app.frame.files import WINDOW_USES

        uses, allowed = uses_of(APP / module, "window"), WINDOW_USES
    else:
        uses, allowed = uses_of(APP / module, "port"), port_names()
        assert {"state", "widget", "config", "say", "may_discard"} <= allowed
    outside = {name: line for name, line in uses.items() if name not in allowed}
    assert outside == {}, f"{module} reaches the window outside its documented interface: {outside}"
    assert len(uses) > 3, "the walk found almost no use of the window: it no longer reads this module"


def test_manyruns_is_given_the_port_not_the_window():
    tree = ast.parse((APP / "many" / "manyruns.py").read_text(encoding="utf-8"))
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        a.arg for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.Lambda)) for a in n.args.args}
    assert "window" not in names


def test_the_facade_is_the_port_and_nothing_more(qtbot, window):
    w = window()
    port = w.port
    public = {n for n in set(dir(WindowPort)) | set(WindowPort.__slots__) if not n.startswith("_")}
    assert public == set(port_names())
    assert weakref.ref(port)() is port  # Qt signals connect to its methods (the run library's requests)
    with pytest.raises(AttributeError):
        port.data = None  # the window's attributes cannot be written through it
    with pytest.raises(AttributeError):
        port.session  # noqa: B018  (nor read)


def test_the_window_shows_what_enablement_decides_idle_training_paused(qtbot, window):
    w = window(small(steps=1_000_000))
    assert w.wait_ready(30)
    assert w.mode.state == WindowState(mode=Mode.SINGLE, run=RunState.IDLE, form_valid=True, has_run=True)
    assert shown(w) == decided(w) and w.act_train.isEnabled() and not w.act_stop.isEnabled()
    changes = []
    w.mode.changed.connect(changes.append)
    w.do("train")
    qtbot.waitUntil(lambda: w.data.n > 2, timeout=TIMEOUT)
    assert w.mode.state.run is RunState.TRAINING and shown(w) == decided(w)
    assert not w.act_train.isEnabled() and w.act_stop.isEnabled() and w.act_pause.text() == "Pause"
    w.do("pause")
    qtbot.waitUntil(w.is_paused, timeout=TIMEOUT)
    assert w.mode.state.run is RunState.PAUSED and shown(w) == decided(w) and w.act_pause.text() == "Resume"
    with qtbot.waitSignal(w.training_finished, timeout=TIMEOUT):
        w.do("stop")
    qtbot.waitUntil(lambda: w.mode.state.run is RunState.IDLE, timeout=TIMEOUT)
    assert shown(w) == decided(w) and w.act_train.isEnabled()
    assert [c.run for c in changes][:2] == [RunState.TRAINING, RunState.PAUSED]
    type_into(qtbot, w.panel._fields["model.hidden_size"].editor, "0")  # an invalid form: Train and Step wait
    assert not w.mode.state.form_valid
    assert shown(w) == decided(w) and not w.act_train.isEnabled() and not w.act_step.isEnabled()


def test_a_comparison_owns_the_mode_and_train_goes_back_to_one_run(qtbot, window, tmp_path):
    bundled = ROOT / "resources" / "runs" / "adding-lstm"
    paths = [tmp_path / "a", tmp_path / "b"]
    for p in paths:
        shutil.copytree(bundled, p)
    w = window(small(steps=1_000_000, task="adding"))
    assert w.wait_ready(30)
    w.many.compare(paths)
    assert w.many.wait_loaded(60)
    assert w.mode.mode is Mode.COMPARE and w.many.mode == "compare"
    assert shown(w) == decided(w)
    assert (w.act_train.isEnabled(), w.act_pause.isEnabled(), w.act_stop.isEnabled(), w.act_save.isEnabled(),
            w.act_race.isEnabled()) == (True, False, False, False, True)
    w.do("train")  # back to one run, and the form's experiment trains
    qtbot.waitUntil(lambda: w.mode.state.run is RunState.TRAINING, timeout=TIMEOUT)
    assert w.mode.mode is Mode.SINGLE and w.many.mode is None and shown(w) == decided(w)


@pytest.mark.slow
def test_a_race_owns_the_mode_and_reset_gives_the_race_action_back(qtbot, window):
    w = window(small(steps=1_000_000, task="adding"))
    assert w.wait_ready(30)
    assert w.many.start_race(w.config(), "model.cell", ["rnn_tanh", "gru"])
    qtbot.waitUntil(lambda: all(len(t.data.steps) > 0 for t in w.many.all_runs), timeout=180_000)
    assert w.mode.state.mode is Mode.RACE and w.mode.state.run is RunState.TRAINING
    assert shown(w) == decided(w)
    assert (w.act_train.isEnabled(), w.act_pause.isEnabled(), w.act_step.isEnabled(), w.act_save.isEnabled(),
            w.act_race.isEnabled()) == (False, True, True, False, False)
    w.do("pause")
    assert w.mode.state.run is RunState.PAUSED and shown(w) == decided(w) and w.act_train.isEnabled()
    w.do("reset")  # Reset leaves a running race: the single run, and Race... again (it stayed disabled before)
    assert w.wait_ready(30)
    assert w.mode.state.mode is Mode.SINGLE and shown(w) == decided(w)
    assert w.act_race.isEnabled() and w.act_train.isEnabled()
