"""The run session alone and under the window: its state machine, its threads, and that nothing it or the window emits
is a Trainer, a tensor, a module or a widget (issue 11: only plain data reaches the GUI thread)."""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pytest
import torch
from PySide6.QtCore import QObject, QMetaMethod

from rnnlab import config
from rnnlab.app.run.session import RunSession, wait_for_closed_runs
from rnnlab.app.threads import lingering
from rnnlab.app.run.worker import Update
from rnnlab.train.info import RunInfo
from rnnlab.train.trainer import Trainer

from helpers import TIMEOUT, helper_threads, hold_the_model, train_to_end
from helpers import small

from helpers import configured

pytestmark = pytest.mark.gui


def impure(value, where: str = "arg") -> list[str]:
    """Where `value` holds something that must not cross to the GUI: a Trainer, a torch tensor or module, a QObject.
    Looks through dataclasses, dicts, lists, tuples and the attributes of rnnlab's own plain classes (RunData)."""
    if isinstance(value, (Trainer, torch.Tensor, torch.nn.Module, QObject)):
        return [f"{where}: {type(value).__name__}"]
    if isinstance(value, np.ndarray):
        return [f"{where}: an object array"] if value.dtype == object else []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [bad for f in dataclasses.fields(value) for bad in impure(getattr(value, f.name), f"{where}.{f.name}")]
    if isinstance(value, dict):
        return [bad for k, v in value.items() for bad in impure(k, f"{where} key") + impure(v, f"{where}[{k!r}]")]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [bad for i, v in enumerate(value) for bad in impure(v, f"{where}[{i}]")]
    if type(value).__module__.startswith("rnnlab") and hasattr(value, "__dict__"):
        return [bad for k, v in vars(value).items() for bad in impure(v, f"{where}.{k}")]
    return []


def record_signals(obj: QObject, log: list) -> None:
    """Append (signal name, args) for every signal `obj`'s own class declares (not those of its Qt base classes)."""
    meta = type(obj).staticMetaObject  # obj.metaObject() may be a dynamic one that starts after the signals
    for i in range(meta.methodOffset(), meta.methodCount()):
        method = meta.method(i)
        if method.methodType() == QMetaMethod.Signal:
            name = bytes(method.name()).decode()
            getattr(obj, name).connect(lambda *args, name=name: log.append((name, args)))


def cfg(steps: int) -> config.RunConfig:
    return configured("adding", {"task.length": 10, "model.hidden_size": 8}, steps=steps, batch_size=8)


@pytest.fixture
def session(qtbot):
    made = []

    def make() -> RunSession:
        s = RunSession()
        made.append(s)
        return s

    yield make
    for s in made:
        thread = s._thread
        s.close()
        assert thread is None or not thread.isRunning() or any(t is thread for t in lingering())
    wait_for_closed_runs()
    assert helper_threads() == []


def states_of(log: list) -> list[str]:
    """The state changes, repeats collapsed (step_once re-announces "paused")."""
    out = []
    for name, args in log:
        if name == "state_changed" and (not out or out[-1] != args[0]):
            out.append(args[0])
    return out


# --- the check itself -------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_plain_data_check_finds_a_trainer_a_tensor_and_a_widget_deep_inside():
    trainer = Trainer(cfg(5))
    assert impure(Update(rows={"x": torch.zeros(2)}, probes=[])) == ["arg.rows['x']: Tensor"]
    assert impure({"deep": [(1, trainer)]}) == ["arg['deep'][0][1]: Trainer"]
    assert impure([trainer.model]) == ["arg[0]: SequenceModel"]
    assert impure(QObject()) == ["arg: QObject"]
    info = RunInfo.of(trainer)
    assert impure(info) == [] and impure(Update(rows={"x": np.zeros(2)}, probes=[], info=info)) == []


# --- the session alone ------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_short_run_goes_running_then_idle_and_ends_with_its_final_info(qtbot, session):
    s = session()
    log: list = []
    record_signals(s, log)
    with qtbot.waitSignal(s.finished, timeout=TIMEOUT) as done:
        s.start(cfg(40))
    assert done.args == ["finished"]
    assert states_of(log) == ["running", "idle"]
    assert not s.is_training() and s._thread is None
    updates = [args[0] for name, args in log if name == "progress"]
    steps = np.concatenate([u.rows["step"] for u in updates if len(u.rows.get("step", ()))])
    np.testing.assert_array_equal(steps, np.arange(41))  # every step once, in order, across the updates
    assert updates[-1].final and updates[-1].info.status == "finished" and updates[-1].info.step == 40
    assert s.info.status == "finished" and s.info.step == 40 and s.info.final["test"]
    started = [args[0] for name, args in log if name == "started"]
    assert len(started) == 1 and started[0].total_steps == 40 and started[0].task == "adding"
    assert s.is_unsaved()
    bad = [b for name, args in log for b in impure(args, name)]
    assert bad == []


def test_pause_step_resume_stop_move_through_the_states(qtbot, session):
    s = session()
    log: list = []
    record_signals(s, log)
    s.start(cfg(1_000_000))
    qtbot.waitUntil(lambda: s.info is not None and s.info.step > 3, timeout=TIMEOUT)
    s.pause()
    qtbot.waitUntil(s.is_paused, timeout=TIMEOUT)
    parked = s.info.step
    assert s.trainer.step == parked  # what the session reports is where the thread stands
    s.step_once()
    qtbot.waitUntil(lambda: s.is_paused() and s.info.step == parked + 1, timeout=TIMEOUT)
    assert s.trainer.step == parked + 1
    s.resume()
    qtbot.waitUntil(lambda: s.info.step > parked + 5, timeout=TIMEOUT)
    with qtbot.waitSignal(s.finished, timeout=TIMEOUT) as done:
        s.stop()
    assert done.args == ["stopped"] and s.info.status == "stopped"
    assert states_of(log) == ["running", "paused", "running", "stopping", "idle"]
    assert [b for name, args in log for b in impure(args, name)] == []


def test_step_once_starts_a_paused_run_on_the_prepared_model(qtbot, session):
    s = session()
    with qtbot.waitSignal(s.prepared, timeout=TIMEOUT) as ready:
        s.prepare(cfg(50))
    prepared_trainer = s.trainer
    assert ready.args[0].info.step == 0 and ready.args[0].info.status == "ready"
    s.start(cfg(50), paused=True)
    s.step_once()
    qtbot.waitUntil(lambda: s.is_paused() and s.info.step == 1, timeout=TIMEOUT)
    assert s.trainer is prepared_trainer and s.state == "paused"
    s.reset()
    assert s.trainer is None and s.info is None and s.state == "idle" and not s.is_training()


def test_saving_a_paused_run_happens_on_the_helper_thread_and_marks_it_saved(qtbot, session, tmp_path):
    from rnnlab.runs.store import open_run

    s = session()
    s.start(cfg(1_000_000), paused=True)
    for _ in range(3):
        step = s.info.step if s.info is not None else 0
        s.step_once()
        qtbot.waitUntil(lambda: s.is_paused() and s.info.step == step + 1, timeout=TIMEOUT)
    assert s.is_unsaved()
    saved = s.save(tmp_path / "paused")
    assert not s.is_unsaved() and s.state == "paused"
    assert len(open_run(saved).history) == 4  # steps 0..3, as far as the run had come


def test_closing_mid_step_returns_within_a_second_and_the_thread_ends_unseen(qtbot, session):
    """A step that takes seconds (a view request holding the model between two steps, as a big model's step does)."""
    s = session()
    s.start(cfg(1_000_000))
    qtbot.waitUntil(lambda: s.info is not None and s.info.step > 3, timeout=TIMEOUT)
    release = hold_the_model(s.access.submit)
    thread = s._thread
    releaser = threading.Timer(1.0, release.set)
    releaser.start()
    s.close()
    assert not release.is_set(), "closing waited for the running step"
    assert thread.isRunning() and any(t is thread for t in lingering())
    release.set()
    wait_for_closed_runs()
    assert thread.isFinished() and not any(t is thread for t in lingering())
    releaser.cancel()


def test_opening_a_damaged_folder_says_which_and_keeps_the_run(qtbot, session, tmp_path):
    s = session()
    with qtbot.waitSignal(s.prepared, timeout=TIMEOUT):
        s.prepare(cfg(50))
    kept = s.trainer
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "summary.json").write_text("{not json", encoding="utf-8")
    with qtbot.waitSignal(s.open_failed, timeout=TIMEOUT) as failed:
        s.open(folder)
    assert str(folder) in failed.args[0]
    assert s.trainer is kept and not s.busy()


# --- the window: every signal of a real session of use -------------------------------------------------------------


@pytest.mark.slow
def test_the_window_and_its_session_emit_only_plain_data(qtbot, window, tmp_path):
    w = window(small(steps=1_000_000))
    log: list = []
    record_signals(w, log)
    record_signals(w.session, log)
    w.start_training()
    qtbot.waitUntil(lambda: w.data.n > 3, timeout=TIMEOUT)
    w.pause()
    qtbot.waitUntil(w.is_paused, timeout=TIMEOUT)
    w.step_once()
    qtbot.waitUntil(lambda: w.is_paused() and w.data.steps[-1] == w.trainer.step, timeout=TIMEOUT)
    with qtbot.waitSignal(w.training_finished, timeout=TIMEOUT):
        w.stop()
    saved = w.save_run(tmp_path / "run")
    w.open_run(saved)
    assert w.wait_ready(30)
    w.set_config(small(steps=20))
    assert w.wait_ready(30)
    assert train_to_end(qtbot, w) == "finished"
    w.reset()
    assert w.wait_ready(30)

    names = {name for name, _args in log}
    assert {"progress", "info_changed", "started", "state_changed", "finished", "prepared", "opened",
            "training_finished", "plots_updated", "trainer_changed"} <= names
    bad = [b for name, args in log for b in impure(args, name)]
    assert bad == []
    changed = [args[0] for name, args in log if name == "trainer_changed"]
    assert all(c is None or isinstance(c, RunInfo) for c in changed) and changed[-1] is not None


def test_an_opened_run_carries_its_facts_on_its_data_for_a_comparison_too():
    """A comparison's runs are never framed by the window (only the shown run is), so the report and the export
    read their metric off blank data. Opening describes the data itself."""
    from pathlib import Path

    from rnnlab.app.run.session import open_job

    folder = Path(__file__).resolve().parents[2] / "resources" / "runs" / "adding-lstm"
    _trainer, opened = open_job(str(folder))
    data = opened.data
    assert (data.metric_key, data.metric_title) == (opened.info.metric_key, opened.info.metric_title) == ("mse", "MSE")
    assert data.max_grad_norm == opened.info.max_grad_norm and data.higher_is_better is False


@pytest.mark.slow
def test_a_reset_run_leaves_no_trainer_alive_in_the_session_or_the_window(qtbot, session, window):
    """Issue 19 item 14: the worker was deleted with deleteLater() after its thread had finished, so the deletion never
    came and the worker kept its Trainer (model, optimizer, task data); gc.freeze() at each run start then made the
    worker's cycle (worker -> Control -> hooks=worker) immortal. Two runs and a reset left 2 of 2 trainers alive."""
    import gc
    import weakref

    def gone(refs) -> list:
        for _ in range(3):
            qtbot.wait(20)  # deferred deletions
            gc.collect()
        return [r for r in refs if r() is not None]

    s = session()
    refs = []
    for steps in (5, 6):
        with qtbot.waitSignal(s.finished, timeout=TIMEOUT):
            s.start(cfg(steps))
        refs.append(weakref.ref(s.trainer))
    s.reset()
    assert gone(refs) == []

    w = window(small(steps=5, task="adding"))
    refs = []
    for steps in (5, 6):
        w.set_config(small(steps=steps, task="adding"))
        assert w.wait_ready(30)
        assert train_to_end(qtbot, w) == "finished"
        refs.append(weakref.ref(w.trainer))
    w.reset()
    assert w.wait_ready(30)
    assert gone(refs) == []
