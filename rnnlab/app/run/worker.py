"""The training thread: wraps the engine's `Trainer.run()` generator, coalesces its snapshots, never touches a widget.

Call order (one QThread per run)::

    GUI thread                              training thread (TrainingWorker.run)
    ----------                              ------------------------------------
    WorkerThread.start() ────────────────>  build the Trainer (unless one was prepared)   ─> ready(RunInfo)
                                            for snap in trainer.run():     # one optimizer step each
                                                collect snap (history rows, probes)
                                                drain view requests, let save_run in
    on_progress(update) <── progress ─────      every >= 33 ms, once the GUI painted the last one: flush
    ... update plots, worker.ack()              paused (inside trainer.run, the engine's Control): pausing() flushes
    pause()/resume()/step_once()/stop() ─>      and lets others use the model, woken() serves view requests
    job.finish() (quit, wait) <── done ──  final flush (test metrics, baselines, last probe)

The thread is app/threads.py's WorkerThread (stop = abandon; the worker is deleted as the thread ends; a thread
still running when the application quits is abandoned and waited for). Pause, Step, Stop and abandon are the
engine's `Control`; this worker only adds what the window needs while a run is paused (its PauseHooks).

At most 30 updates a second leave the thread, each with every point that is new since the last one, as plain numpy
data (`Update`). After sending one, the worker waits (at most ACK_TIMEOUT) until the GUI has painted it (see
afterpaint.py): the GUI draws without competing for the GIL (with two Python threads each gets about half of it,
so drawing while training would take twice as long and delay every timer and click), and a slow GUI never builds a
backlog. Training gives up a few percent of its speed for that.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from ...train.advice import Advice, advise
from ...train.info import RunInfo
from .model_access import ModelAccess, build_trainer, describe_error, task_view
from ...i18n import N_, _, ngettext

log = logging.getLogger(__name__)

EMIT_INTERVAL = 1 / 30  # seconds between updates: at most 30 per second (a pass of drawing fits in between)
ACK_TIMEOUT = 0.2  # the longest the worker waits for the GUI to draw an update before it trains on
VIEW_MIN_INTERVAL = 0.3  # seconds between two task views
VIEW_BUDGET = 0.05  # share of the training time the task view may take


@dataclass
class Update:
    """Everything new since the previous update. Plain data: safe to keep on the GUI thread."""

    rows: dict[str, np.ndarray]  # new history rows as columns (step, train_loss, val_loss, grad_norm, ...)
    probes: list  # new ProbeSnapshots (plain numpy), oldest first
    step: int = 0
    total_steps: int = 0
    epoch: float = 0.0
    train_loss: float = math.nan
    steps_per_sec: float = 0.0
    elapsed_s: float = 0.0
    learning_rate: float = math.nan
    status: str = "running"  # running | paused | finished | stopped | diverged
    message: str = ""
    val: Optional[dict] = None  # the latest validation metrics
    view: Optional[dict] = None  # a new task view (Task.view(model)), if one was computed
    view_error: str = ""
    val_baselines: Optional[dict] = None  # the task's baselines on the validation split (first update only)
    test: Optional[dict] = None  # at the end
    baselines: Optional[dict] = None  # at the end, on the test split
    final: bool = False
    info: Optional[RunInfo] = None  # at the end: the run as it ended (status, step, final metrics)
    advice: Optional[Advice] = None  # at the end: why it learned nothing, with the fix (train.advice)

    def apply_to(self, data) -> None:
        """Add what is new to a RunData (on the GUI thread): rows, probes, the view, baselines, final numbers."""
        data.add_rows(self.rows)
        for probe in self.probes:
            data.add_probe(probe)
        data.set_view(self.view)
        if self.val_baselines is not None:
            data.val_baselines = self.val_baselines
        if self.final:
            data.test, data.test_baselines = self.test, self.baselines


@dataclass
class _Pending:
    probes: list = field(default_factory=list)
    val: Optional[dict] = None


class TrainingWorker(QObject):
    """Runs one training run on its own QThread. Control methods are thread-safe and return at once."""

    ready = Signal(object)  # RunInfo, before the first progress (the Trainer itself stays on this thread)
    progress = Signal(object)  # Update
    failed = Signal(str)  # the run could not start or crashed: a message for the user
    done = Signal(str)  # finished | stopped | diverged | abandoned | failed

    def __init__(self, access: ModelAccess, cfg=None, trainer=None, paused: bool = False):
        super().__init__()
        from ...train.control import Control

        self.access = access
        self.cfg = cfg
        self.trainer = trainer
        # The engine's: pause, step, stop and abandon act there; while paused it calls back (pausing, woken, resuming).
        self.control = Control(paused=paused, hooks=self)
        self._acked = threading.Event()
        self._acked.set()
        self._lockstep = True  # wait for the GUI to draw each update (until it fails to answer in time)
        self._last_emit = 0.0
        self._sent_rows = 0
        self._pending = _Pending()
        self._last_snap = None
        self._view_due = True
        self._last_view_t = 0.0
        self._view_cost = 0.0
        self._val_baselines = None
        self.status = "starting"

    # --- control, from any thread --------------------------------------------------------------------------------

    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def step_once(self) -> None:
        """Pause (if running) and let exactly one more optimizer step run."""
        self.control.step_once()

    def stop(self) -> None:
        """End the run at the next step boundary; the trainer still evaluates and reports its final numbers."""
        self.control.stop()
        self._acked.set()  # do not wait for the GUI to draw the last update

    def abandon(self) -> None:
        """End the run at the next step boundary without the final evaluation (closing, Reset)."""
        self.control.abandon()
        self._acked.set()

    def wake(self) -> None:
        """A view request is queued: serve it now if paused (while running it is served after the current step)."""
        self.control.wake()

    def ack(self) -> None:
        """The GUI has drawn the last update: the next one may be sent."""
        self._lockstep = True
        self._acked.set()

    @property
    def paused(self) -> bool:
        return self.control.paused

    def release(self) -> None:
        """Once the thread has ended: let go of the Trainer and break the worker <-> Control cycle (the Control's
        hooks are this worker), so that reference counting frees the run without waiting for the collector."""
        self.control.hooks = None
        self.trainer = None
        self._last_snap = None
        self._pending = _Pending()

    # --- the thread ------------------------------------------------------------------------------------------------

    @Slot()
    def run(self) -> None:
        try:
            self.status = self._run()
        except Exception as exc:  # a bug or a task that fails mid-run: tell the user, keep the app alive
            log.error("training failed:\n%s", traceback.format_exc())
            self.status = "failed"
            self.failed.emit(f"Training stopped with an error: {describe_error(exc)}")
        finally:
            self.access.detach_worker(self)
            self.done.emit(self.status)

    def _run(self) -> str:
        if self.trainer is None:
            try:
                self.trainer = build_trainer(self.cfg, self.control)
            except Exception as exc:
                self.failed.emit(f"Could not start training: {describe_error(exc)}")
                return "failed"
        trainer = self.trainer
        trainer.control = self.control
        self._sent_rows = len(trainer.history)
        self.ready.emit(RunInfo.of(trainer))
        self.access.attach_worker(self)
        guard = self.access.guard
        guard.acquire()
        try:
            if self.control.abandoned:
                return "abandoned"
            try:
                self._val_baselines = trainer.task.baselines("val")
            except Exception:  # a baseline is a nice-to-have on the plot, never a reason not to train
                log.debug("val baselines failed:\n%s", traceback.format_exc())
            gen = trainer.run()
            try:
                for snap in gen:
                    self._collect(snap)
                    if snap.status != "running":
                        break
                    if self.control.abandoned:
                        return "abandoned"
                    if self.access.has_pending():
                        self.access.drain(trainer)
                    guard.let_others_in()
                    if self._due():
                        self._flush(trainer)
            finally:
                gen.close()  # abandoned mid-run: the trainer skips its final evaluation
            if self.control.abandoned:
                return "abandoned"
            self._flush(trainer, final=True)
            return trainer.status
        finally:
            guard.release()

    def _collect(self, snap) -> None:
        self._last_snap = snap
        if snap.probe is not None:
            self._pending.probes.append(snap.probe)
        if snap.val is not None:
            self._pending.val = snap.val
            self._view_due = True

    def _due(self) -> bool:
        since = time.perf_counter() - self._last_emit
        # Normally once the GUI drew the last update; a GUI that never says so still gets one every ACK_TIMEOUT.
        return since >= EMIT_INTERVAL and (self._acked.is_set() or since >= ACK_TIMEOUT)

    # --- while paused: called by the engine's Control on this thread, between two steps ------------------------------

    def pausing(self) -> None:
        """Show the paused state, then let save_run and view requests use the model while we wait."""
        self._flush(self.trainer, paused=True)
        self.access.guard.release()

    def woken(self) -> None:
        with self.access.guard.hold():
            self.access.drain(self.trainer)

    def resuming(self) -> None:
        self.access.guard.acquire()

    def _flush(self, trainer, final: bool = False, paused: bool = False) -> None:
        snap = self._last_snap
        if snap is None:
            return
        history = trainer.history
        rows = history.arrays(self._sent_rows)
        self._sent_rows = len(history)
        view, view_error = self._maybe_view(trainer, force=final or self._last_emit == 0.0 or paused)
        pending, self._pending = self._pending, _Pending()
        status = snap.status
        if paused and status == "running":
            status = "paused"
        update = Update(
            rows=rows, probes=pending.probes, step=snap.step, total_steps=snap.total_steps, epoch=snap.epoch,
            train_loss=snap.train_loss, steps_per_sec=snap.steps_per_sec, elapsed_s=snap.elapsed_s,
            learning_rate=snap.learning_rate, status=status, message=snap.message or trainer.message,
            val=pending.val, view=view, view_error=view_error, val_baselines=self._val_baselines,
            test=snap.test, baselines=snap.baselines, final=final,
            info=RunInfo.of(trainer) if final else None,
            advice=advise(trainer.cfg, trainer.task, trainer.final, trainer.status) if final else None)
        self._val_baselines = None
        self._acked.clear()
        self._last_emit = time.perf_counter()
        self.progress.emit(update)
        if not (final or paused) and self._lockstep:
            guard = self.access.guard
            guard.release()  # the GUI may want the model meanwhile (save_run)
            try:
                # A GUI that did not answer in time is not waited for again until it answers (see ack).
                self._lockstep = self._acked.wait(ACK_TIMEOUT)
            finally:
                guard.acquire()

    def _maybe_view(self, trainer, force: bool) -> tuple[Optional[dict], str]:
        now = time.perf_counter()
        wait = max(VIEW_MIN_INTERVAL, self._view_cost / VIEW_BUDGET)
        if not force and not (self._view_due and now - self._last_view_t >= wait):
            return None, ""
        try:
            view = task_view(trainer)
        except Exception as exc:  # another task's view failing must not stop training
            log.debug("task view failed:\n%s", traceback.format_exc())
            return None, _("The task view failed: {error}").format(error=describe_error(exc))
        finally:
            self._view_cost = time.perf_counter() - now
            self._last_view_t = time.perf_counter()
            self._view_due = False
        return view, ""
