"""The training worker alone: coalesced updates carry every point, a GUI that does not keep up gets no backlog."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QThread

from rnnlab.app.run.model_access import ModelAccess, ModelGuard
from rnnlab.app.run.worker import TrainingWorker

from helpers import configured

pytestmark = pytest.mark.gui


def cfg(steps: int):
    return configured("adding", {"task.length": 10, "model.hidden_size": 8}, steps=steps, batch_size=8)


def run_worker(qtbot, worker: TrainingWorker, ack: bool) -> tuple[list, str]:
    updates, status = [], []

    def on_progress(update):
        updates.append(update)
        if ack:
            worker.ack()

    worker.progress.connect(on_progress)
    worker.done.connect(status.append)
    thread = QThread()
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    try:
        with qtbot.waitSignal(worker.done, timeout=60_000):
            thread.start()
    finally:
        worker.abandon()
        thread.quit()
        thread.wait()
    return updates, status[0]


@pytest.mark.slow
def test_a_gui_that_never_acknowledges_gets_no_backlog_and_every_row(qtbot):
    import time

    from rnnlab.app.run.worker import ACK_TIMEOUT

    access = ModelAccess()
    worker = TrainingWorker(access, cfg=cfg(150))
    t0 = time.perf_counter()
    updates, status = run_worker(qtbot, worker, ack=False)
    elapsed = time.perf_counter() - t0
    access.shutdown()
    assert status == "finished"
    assert updates[-1].final and not any(u.final for u in updates[:-1])
    # Without acknowledgements the worker sends one update per ACK_TIMEOUT at most (plus the first and the final).
    assert len(updates) <= 2 + elapsed / ACK_TIMEOUT
    steps = np.concatenate([u.rows["step"] for u in updates])
    np.testing.assert_array_equal(steps, np.arange(151))
    assert updates[0].val_baselines is not None and "always 1.0" in updates[0].val_baselines
    assert updates[-1].test is not None and updates[-1].view["kind"] == "adding"


@pytest.mark.slow
def test_acknowledged_updates_are_contiguous_and_carry_plain_data(qtbot):
    access = ModelAccess()
    worker = TrainingWorker(access, cfg=cfg(200))
    updates, status = run_worker(qtbot, worker, ack=True)
    access.shutdown()
    assert status == "finished"
    steps = np.concatenate([u.rows["step"] for u in updates])
    np.testing.assert_array_equal(steps, np.arange(201))  # no step lost, none twice
    probes = [p.step for u in updates for p in u.probes]
    assert probes == sorted(set(probes)) and probes[0] == 0 and probes[-1] == 200
    for u in updates:
        for column in u.rows.values():
            assert isinstance(column, np.ndarray)


def test_the_guard_lets_a_waiter_in_between_two_steps():
    import threading

    guard = ModelGuard()
    guard.acquire()  # the training thread holds it while it steps
    got = threading.Event()

    def waiter():
        with guard.hold(timeout=10):
            got.set()

    t = threading.Thread(target=waiter)
    t.start()
    while not guard._waiting:
        pass
    guard.let_others_in()  # between two steps
    assert got.is_set()
    guard.release()
    t.join()
