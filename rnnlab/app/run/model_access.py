"""Who may touch the model when: training, view requests, building and saving take turns, never the GUI thread.

Three threads can want the current trainer's model::

    GUI thread         submit(fn) ──┐                      save_run: `with access.guard.hold(): ...` (waits <= 1 step)
                                    v
    training thread    [step][step]·drain·[step][step] ... pause: drain requests as they come, guard released
    helper thread      build trainers, compute views, drain requests when no training runs

`ModelGuard` is the lock: the training thread holds it while it steps and lets waiters in between two steps, so whoever
holds it sees weights that do not change. Requests from views (`TrainerApi.submit`) are plain functions
`fn(task, model) -> plain data`; their results come back to the GUI thread through a queued signal.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from ..threads import JobQueue, describe_error
from ...i18n import N_, _, ngettext

log = logging.getLogger(__name__)

# Trainer() seeds torch's global generator and draws the initial weights from it: two trainers built at the same time
# on two threads would interleave their draws. Every build in the app goes through this lock.
BUILD_LOCK = threading.Lock()


def build_trainer(cfg, control=None):
    """A new engine Trainer (task data, fresh weights from the seed). Thread-safe; may take a while for big data.
    Background threads only: it first waits for torch (engine_loader), which may still be loading."""
    from .. import engine_loader

    engine_loader.wait()
    from ...train.trainer import Trainer

    with BUILD_LOCK:
        return Trainer(cfg, control)


def task_view(trainer) -> Optional[dict]:
    """Task.view(model) in eval mode without gradients, off the GUI thread; the caller holds the model guard."""
    from ...modes import evaluating  # torch: loaded by then (the helper thread builds trainers)

    with evaluating(trainer.model), np.errstate(all="ignore"):  # a diverged model's forecast may overflow
        return trainer.task.view(trainer.model)


class ModelGuard:
    """A lock the training thread holds while it steps and hands over between steps when someone waits for it.

    A plain Lock is not fair: a training thread that releases and re-acquires it in a loop could starve everyone else,
    so waiters announce themselves and the training thread steps aside (`let_others_in`) until they got it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._count = threading.Lock()
        self._waiting = 0

    @contextmanager
    def hold(self, timeout: float = -1):
        """Exclusive use of the model. Raises TimeoutError if it cannot be had within `timeout` seconds."""
        with self._count:
            self._waiting += 1
        try:
            ok = self._lock.acquire(timeout=timeout)
        finally:
            with self._count:
                self._waiting -= 1
        if not ok:
            raise TimeoutError(_("the model is busy"))
        try:
            yield
        finally:
            self._lock.release()

    # --- the training thread's side -----------------------------------------------------------------------------

    def acquire(self) -> None:
        self._lock.acquire()

    def release(self) -> None:
        self._lock.release()

    def let_others_in(self) -> None:
        """Between two steps, with the lock held: if anyone is waiting, give the lock away until they got it."""
        if not self._waiting:
            return
        self._lock.release()
        try:
            while self._waiting:
                time.sleep(0.0002)
        finally:
            self._lock.acquire()


@dataclass
class _Request:
    fn: Callable[[Any, Any], Any]
    on_result: Callable[[Any], None]
    on_error: Optional[Callable[[str], None]]
    key: Optional[str]
    serial: int


class ModelAccess(QObject):
    """The door to the current trainer: queues view requests, runs helper jobs, delivers results on the GUI thread."""

    _deliver_signal = Signal(object, object)  # (callback, value): emitted from any thread, run on the GUI thread
    error = Signal(str)  # a request failed and its view gave no on_error: the window shows it in the status bar

    def __init__(self, parent=None):
        super().__init__(parent)
        self.guard = ModelGuard()
        self._qlock = threading.Lock()
        self._queue: list[_Request] = []
        self._serial = itertools.count()
        self._trainer = None
        self._worker = None
        self._helper = JobQueue("rnnlab-helper")  # one QThread, jobs in turn (app/threads.py)
        self._closed = False
        self._deliver_signal.connect(self._deliver)

    # --- which trainer, who drains --------------------------------------------------------------------------------

    @property
    def trainer(self):
        return self._trainer

    def set_trainer(self, trainer) -> None:
        self._trainer = trainer

    def attach_worker(self, worker) -> None:
        """A training worker started: it drains the queue between its steps from now on."""
        with self._qlock:
            self._worker = worker

    def detach_worker(self, worker) -> None:
        """Called by the worker's thread when it is done: leftover requests go to the helper thread."""
        with self._qlock:
            if self._worker is worker:
                self._worker = None
            leftover = bool(self._queue) and self._worker is None
        if leftover:
            self._run_on_helper(self._drain_idle)

    def has_pending(self) -> bool:
        return bool(self._queue)

    # --- requests from views ------------------------------------------------------------------------------------

    def submit(self, fn, on_result, on_error=None, key: Optional[str] = None) -> None:
        with self._qlock:
            if key is not None:
                self._queue = [r for r in self._queue if r.key != key]
            self._queue.append(_Request(fn, on_result, on_error, key, next(self._serial)))
            worker = self._worker
        if worker is not None:
            worker.wake()
        else:
            self._run_on_helper(self._drain_idle)

    def drain(self, trainer) -> None:
        """Run every queued request on `trainer`. The caller holds the guard."""
        while True:
            with self._qlock:
                if not self._queue:
                    return
                req = self._queue.pop(0)
            self._run_request(req, trainer)

    def _drain_idle(self) -> None:
        with self.guard.hold():
            trainer = self._trainer
            if trainer is None:
                with self._qlock:
                    dropped, self._queue = self._queue, []
                for req in dropped:
                    self._emit(req.on_error, _("There is no model yet: press Reset or Train."))
                return
            self.drain(trainer)

    def _run_request(self, req: _Request, trainer) -> None:
        from ...modes import evaluating

        try:
            with evaluating(trainer.model):
                value = req.fn(trainer.task, trainer.model)
        except Exception as exc:  # a view's request failed: report it, keep training
            log.debug("view request failed:\n%s", traceback.format_exc())
            self._emit(req.on_error, describe_error(exc))
        else:
            self._deliver_signal.emit(req.on_result, value)

    def _emit(self, on_error, message: str) -> None:
        if on_error is None:
            self._deliver_signal.emit(self.error.emit, message)
        else:
            self._deliver_signal.emit(on_error, message)

    # --- helper jobs --------------------------------------------------------------------------------------------

    def run_background(self, job: Callable[[], Any], on_result: Callable[[Any], None],
                       on_error: Optional[Callable[[str], None]] = None) -> None:
        """Run `job()` on the helper thread (serially with every other helper job); results on the GUI thread."""

        def wrapped():
            try:
                value = job()
            except Exception as exc:
                log.debug("background job failed:\n%s", traceback.format_exc())
                self._emit(on_error, describe_error(exc))
            else:
                self._deliver_signal.emit(on_result, value)

        self._run_on_helper(wrapped)

    def call(self, job: Callable[[], Any]) -> Any:
        """Run `job()` on the helper thread and return its value (or raise its exception), processing the GUI's
        events meanwhile: a blocking call for the window's API (save_run) that keeps the window drawing."""
        future = self._helper.submit(job)
        while not future.done():
            QCoreApplication.processEvents()
            time.sleep(0.005)
        return future.result()

    def _run_on_helper(self, fn) -> None:
        if not self._closed:
            self._helper.submit(fn)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until the helper thread has finished what was queued before this call (tests, shutdown)."""
        if self._closed:
            return True
        done = self._helper.submit(lambda: None)
        try:
            done.result(timeout=timeout)
            return True
        except Exception:
            return False

    def shutdown(self) -> None:
        """Drop queued work and wait for the helper thread (each helper job is short)."""
        self._closed = True
        with self._qlock:
            self._queue = []
        self._helper.shutdown()

    @Slot(object, object)
    def _deliver(self, callback, value) -> None:
        if callback is None:
            return
        try:
            callback(value)
        except RuntimeError as exc:  # the view was deleted (task switched) before its answer came
            log.debug("dropped a result for a deleted view: %s", exc)


class TrainerApi:
    """What an interactive view may do with the model (see views/__init__.py for the contract)."""

    def __init__(self, access: ModelAccess):
        self._access = access

    def submit(self, fn: Callable[[Any, Any], Any], on_result: Callable[[Any], None],
               on_error: Optional[Callable[[str], None]] = None, key: Optional[str] = None) -> None:
        """Run `fn(task, model)` off the GUI thread with exclusive use of the model; `on_result(value)` on the GUI
        thread. With `key`, a newer request replaces an older one of the same key that has not started yet."""
        self._access.submit(fn, on_result, on_error, key)

    def has_model(self) -> bool:
        return self._access.trainer is not None
