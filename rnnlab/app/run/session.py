"""One run, one session: its training thread, the helper thread's use of its model, the handshake with the painter,
and prepare / open / save / reset. It speaks to the window only through signals that carry plain data.

    window (GUI thread)            RunSession (GUI thread)               helper / training thread
    -------------------            -----------------------               ------------------------
    prepare(cfg) ────────────────> job ──────────────────────────────>   build_trainer, view, preview, RunInfo.of
    prepared(Prepared) <────────── keeps the trainer as a handle  <────
    start(cfg, paused) ──────────> TrainingWorker on a WorkerThread ─>   ready(RunInfo), then progress(Update) ...
    started(RunInfo) <──────────── info_changed(RunInfo | None)
    progress(Update) <──────────── (the painter claims the ack: claim_ack() -> a callable to call once drawn)
    ... draws, calls it ─────────> AfterPaint: once painted, worker.ack() ──> the worker trains on
    open(path) ──────────────────> job ──────────────────────────────>   open_run, restore_trainer, view, advice
    opened(Opened) | open_failed(str) <──

The session holds the Trainer only as a handle for the threads that own it (and as the tests' `trainer` hook): it never
reads the trainer's attributes on the GUI thread; what the window needs comes as a RunInfo (`train/info.py`).
"""

from __future__ import annotations

import ctypes
import functools
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ... import tasks
from ...config import RunConfig
from ...errors import ConfigError, RunError
from ...train.advice import Advice, advise
from ...train.info import RunInfo
from .. import threads
from .afterpaint import AfterPaint
from .model_access import BUILD_LOCK, ModelAccess, build_trainer, task_view
from ..form.preview import task_preview
from .rundata import RunData
from .worker import TrainingWorker, Update
from ...i18n import N_, _, ngettext

log = logging.getLogger(__name__)

LINGER_WAIT_MS = 150  # closing waits this long for the training thread, then leaves it to end its step unseen
ACK_FALLBACK_MS = 100  # acknowledge an update anyway after this: its paint never came, or is taking longer


def wait_for_closed_runs(timeout_s: float = 60.0) -> None:
    """Wait for the training threads of closed sessions to end their last step (issue 9, item 11): app/threads.py
    keeps them until then, and ends every thread still running when the application quits by any path."""
    threads.wait_closed(timeout_s)


@dataclass(frozen=True)
class Prepared:
    """A fresh model for the form's config, before training: what the preview and the task view show."""

    info: RunInfo
    view: Optional[dict]  # Task.view of the untrained model
    preview: dict  # preview.task_preview


@dataclass(frozen=True)
class Opened:
    """A run folder read, its model rebuilt and its view computed, all on the helper thread."""

    path: str
    info: RunInfo
    data: RunData  # its curves, probes, view and final numbers
    preview: dict
    status: str  # the summary's: finished | stopped | diverged
    note: str  # a sentence for the user about how it was opened ("" if none)
    advice: Optional[Advice]  # why it learned nothing, with the fix (None if it did)


class RunSession(QObject):
    """One run's life: idle -> running <-> paused -> stopping -> idle. Control calls return at once."""

    info_changed = Signal(object)  # RunInfo | None: the run shown is another one (built, prepared, opened, dropped)
    started = Signal(object)  # RunInfo: the training thread has its trainer, before the first progress
    progress = Signal(object)  # Update
    state_changed = Signal(str)  # idle | running | paused | stopping
    finished = Signal(str)  # finished | stopped | diverged | failed (not when it was abandoned)
    prepared = Signal(object)  # Prepared
    preview_ready = Signal(object)  # a task_preview dict for the form (the config changed, the run shown did not)
    opened = Signal(object)  # Opened
    open_failed = Signal(str)  # the message, naming the folder
    message = Signal(str, str)  # text, level ("info" | "warning" | "error")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.access = ModelAccess(self)
        self.access.error.connect(lambda msg: self.message.emit(msg, "warning"))
        self._trainer = None
        self._info: Optional[RunInfo] = None
        self._worker: Optional[TrainingWorker] = None
        self._job: Optional[threads.WorkerThread] = None  # the training thread (app/threads.py)
        self._state = "idle"
        self._parked = False  # the worker confirmed it waits between two steps
        self._ack_pending: Optional[TrainingWorker] = None  # acknowledged once the plots are painted
        self._ack_serial = 0  # which update the pending acknowledgement is for
        self._prepare_serial = 0
        self._jobs = 0  # helper jobs in flight (prepare, preview, open)
        self._saved = None  # (trainer, step) last saved or opened: is_unsaved() compares with it
        self._closed = False
        self._after_paint = AfterPaint(self)

    # --- what the window may ask ------------------------------------------------------------------------------------

    @property
    def info(self) -> Optional[RunInfo]:
        """The run shown, as plain data, kept current by every update (None while a model is being built)."""
        return self._info

    @property
    def trainer(self):
        """The engine Trainer (a hook for tests and the self-test; the window never reads it)."""
        return self._trainer

    @property
    def state(self) -> str:
        return self._state

    @property
    def _thread(self):
        """The training QThread (tests look at it), or None."""
        return self._job.thread if self._job is not None else None

    def is_training(self) -> bool:
        return self._job is not None

    def is_paused(self) -> bool:
        """True once the training thread has stopped between two steps and sent everything up to there."""
        return self._thread is not None and self._parked

    def busy(self) -> bool:
        """A helper job (prepare, preview, open) has not delivered its result yet."""
        return self._jobs > 0

    def is_unsaved(self) -> bool:
        """A run that trained (finished, stopped, diverged or paused) and was not saved or opened since."""
        info = self._info
        if info is None or info.step == 0 or self._state == "running":
            return False
        return self._saved != (self._trainer, info.step)

    # --- control ------------------------------------------------------------------------------------------------------

    def start(self, cfg: RunConfig, paused: bool = False) -> None:
        """A new run of `cfg` (on the prepared, untrained model when it is of the same config)."""
        info = self._info
        fresh = info is not None and info.step == 0 and info.status == "ready" and info.config == cfg
        self._prepare_serial += 1
        if not fresh:
            self._set_trainer(None, None)
        worker = TrainingWorker(self.access, cfg=cfg, trainer=self._trainer if fresh else None, paused=paused)
        job = threads.WorkerThread(worker, "rnnlab-training", stop=worker.abandon)  # deleteLater on finished
        worker.ready.connect(self._on_ready)
        worker.progress.connect(self._on_progress)
        worker.failed.connect(self._on_failed)
        worker.done.connect(self._on_done)
        self._worker, self._job = worker, job
        self._set_state("paused" if paused else "running")
        # No gc.freeze() here (there was one at every start, never undone): frozen objects are never collected, so
        # any cycle in a run (its worker and Control hold each other) outlived the run. The window freezes the
        # long-lived torch, Qt and pyqtgraph objects once, at start-up; a run's few thousand are cheap to scan.
        job.start()

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
        """Exactly one more optimizer step of the run going (see start(paused=True) to begin one)."""
        if self._worker is None:
            return
        self._parked = False
        self._worker.step_once()
        self._set_state("paused")

    def stop(self) -> None:
        if self._worker is not None and self._state != "stopping":
            self._worker.stop()
            self._set_state("stopping")

    def reset(self) -> None:
        """Drop the run (waiting for its thread): nothing is shown until the next prepare."""
        self._abandon_worker()
        self._set_trainer(None, None)
        return_freed_memory()

    def close(self) -> None:
        """The window closes: abandon the run (a thread mid-step ends that step unseen) and stop the helper thread."""
        self._closed = True
        self._abandon_worker(linger=True)
        self.access.shutdown()

    # --- helper jobs: prepare, preview, open, save ---------------------------------------------------------------

    def prepare(self, cfg: RunConfig) -> None:
        """Build a model for `cfg` on the helper thread (the preview, the view, a model to step): `prepared`."""
        if self.is_training() or self._closed:
            return
        self._prepare_serial += 1
        serial = self._prepare_serial
        access = self.access

        def job():
            trainer = build_trainer(cfg)
            with access.guard.hold():
                view = task_view(trainer)
            return trainer, Prepared(RunInfo.of(trainer), view, task_preview(trainer.task))

        def done(result) -> None:
            self._jobs -= 1
            if serial != self._prepare_serial or self.is_training() or self._closed:
                return
            trainer, prepared = result
            self._set_trainer(trainer, prepared.info)
            self.prepared.emit(prepared)

        def failed(message: str) -> None:
            self._jobs -= 1
            if serial == self._prepare_serial:
                self.message.emit(f"Could not load this experiment: {message}", "error")

        self._jobs += 1
        access.run_background(job, done, failed)

    def preview(self, cfg: RunConfig) -> None:
        """Only the data preview of `cfg` (the run shown stays): `preview_ready`."""
        def job():
            task = tasks.get(cfg.task.name)(cfg.task.options, seed=cfg.training.seed, tbptt=cfg.training.tbptt)
            return task_preview(task)

        def done(preview) -> None:
            self._jobs -= 1
            self.preview_ready.emit(preview)

        def failed(_message: str) -> None:
            self._jobs -= 1

        self._jobs += 1
        self.access.run_background(job, done, failed)

    def open(self, path) -> None:
        """Read a run folder, rebuild its model and compute its view on the helper thread: `opened` or
        `open_failed`. The run going is abandoned only once the folder proved readable."""
        path = str(path)

        def done(result) -> None:
            self._jobs -= 1
            trainer, opened = result
            self._abandon_worker()
            self._prepare_serial += 1  # a preparation in flight must not replace the opened run
            self._set_trainer(trainer, opened.info)
            self._saved = (trainer, opened.info.step)
            self.opened.emit(opened)

        def failed(message: str) -> None:
            self._jobs -= 1
            self.open_failed.emit(message if path in message else f"{path}: {message}")

        self._jobs += 1
        self.access.run_background(lambda: open_job(path), done, failed)

    def save(self, path) -> Path:
        """Save the run to the folder `path` on the helper thread (between two steps if it trains), processing events
        meanwhile. Returns the folder; raises RunError / OSError / TimeoutError."""
        from ...runs.store import save_run

        trainer = self._trainer
        if trainer is None:
            raise RunError(_("There is no run to save yet: press Train first."))
        guard = self.access.guard

        def job():
            with guard.hold(timeout=30):
                return save_run(trainer, path), int(trainer.step)

        saved, step = self.access.call(job)
        self._saved = (trainer, step)
        return saved

    # --- the painter's handshake ------------------------------------------------------------------------------------

    def claim_ack(self) -> Callable[[], None]:
        """Called by whoever draws an update, while it handles `progress`: returns what to call once the drawing is
        queued. The worker then trains on after that drawing is painted (or after ACK_FALLBACK_MS): drawing never
        competes with training for the GIL (see worker.py). Unclaimed updates are acknowledged after the next paint."""
        self._ack_serial += 1
        serial = self._ack_serial
        self._ack_pending = self._worker
        QTimer.singleShot(ACK_FALLBACK_MS, self, lambda: self._painted(serial))
        return lambda: self._after_paint.call(lambda: self._painted(serial))

    def _painted(self, serial: int) -> None:
        if serial != self._ack_serial:
            return  # a later update is on its way to the screen
        worker, self._ack_pending = self._ack_pending, None
        if worker is not None:
            worker.ack()

    # --- the worker's signals (queued: they may come from a worker already dropped) ----------------------------------

    def _from_current_worker(self) -> bool:
        sender = self.sender()
        return sender is not None and self._worker is not None and sender is self._worker

    @Slot(object)
    def _on_ready(self, info: RunInfo) -> None:
        if not self._from_current_worker():
            return
        self._set_trainer(self._worker.trainer, info)
        self.started.emit(info)

    @Slot(object)
    def _on_progress(self, update: Update) -> None:
        if not self._from_current_worker():
            return
        self._parked = update.status == "paused"
        if update.info is not None:
            self._info = update.info
        elif self._info is not None:
            self._info = self._info.now(update.step, "running" if self._parked else update.status, update.message)
        if self._parked and self._state == "running":
            self._set_state("paused")
        serial = self._ack_serial
        self.progress.emit(update)
        if serial == self._ack_serial:  # nobody claimed it
            self.claim_ack()()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self._from_current_worker():
            self.message.emit(message, "error")

    @Slot(str)
    def _on_done(self, status: str) -> None:
        if not self._from_current_worker():
            return
        self._job.finish()
        self._finish_thread()
        if status != "abandoned":
            self.finished.emit(status)

    # --- inside -----------------------------------------------------------------------------------------------------

    def _set_state(self, state: str) -> None:
        self._state = state
        self.state_changed.emit(state)

    def _set_trainer(self, trainer, info: Optional[RunInfo]) -> None:
        changed = trainer is not self._trainer
        self._trainer, self._info = trainer, info
        self.access.set_trainer(trainer)
        if changed:
            self.info_changed.emit(info)

    def _abandon_worker(self, linger: bool = False) -> None:
        """End the run without its final evaluation (Reset, Open, closing). Waits for the thread, or with `linger`
        (closing) lets a thread that is mid-step end that step on its own, after the session is gone."""
        worker, job = self._worker, self._job
        if worker is None:
            return
        if linger and not job.close(LINGER_WAIT_MS):  # app/threads.py keeps it until it ends
            _disconnect(worker)
            self._worker, self._job = None, None
            self._parked = False
            return
        if not job.close(5000):  # one optimizer step of a very large model; never leave it running
            log.warning("training thread slow to stop; waiting")
            job.finish()
        self._finish_thread()

    def _finish_thread(self) -> None:
        worker = self._worker
        self._worker, self._job = None, None
        self._parked = False
        if worker is not None:
            _disconnect(worker)
            worker.release()  # the C++ side goes with its thread (start()); the Python side lets its Trainer go
        self._set_state("idle")
        return_freed_memory()


def return_freed_memory() -> None:
    """Hand the memory a dropped run freed back to the system (glibc only; elsewhere nothing to do).

    Each run trains on its own thread, and glibc gives each thread's allocations their own arena, which it does not
    shrink by itself: without this a window that trained and reset 30 runs grew by 30 MB from run 7 to run 30 although
    every Trainer was freed (with it 15-20 MB; the same task 12 times: 0.17 MB a run; bench/window_memory.py and
    docs/benchmarks.md). A few milliseconds, at Reset and at a run's end."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim  # the C library already loaded into this process
    except (OSError, AttributeError):  # musl and others have no malloc_trim
        return None


def _disconnect(worker: TrainingWorker) -> None:
    for sig in (worker.ready, worker.progress, worker.failed, worker.done):
        try:
            sig.disconnect()
        except (RuntimeError, TypeError):
            pass


def open_job(path: str):
    """On the helper thread: the run folder as a Trainer (kept by the session) and an Opened (for the window)."""
    from ...runs.store import open_run, restore_trainer
    from ...train import devices

    run = open_run(path)
    note = ""
    wanted = run.config.training.device
    try:
        devices.resolve(wanted)
    except ConfigError:
        run.config = run.config.replace_setting("training.device", "auto")
        note = _(" It was trained on {wanted}, which this computer does not have; it opens on the CPU.").format(wanted=wanted)
    with BUILD_LOCK:
        trainer = restore_trainer(run)
    summary = run.summary
    _check_summary(Path(path), summary)
    data = RunData.from_run(run)  # plain numpy: built here, so a damaged probe fails before the window changes
    data.test = summary.get("test")
    data.test_baselines = summary.get("baselines")
    try:
        data.val_baselines = trainer.task.baselines("val")
    except Exception:  # a baseline is a nice-to-have on the plot, never a reason not to open
        data.val_baselines = None
    data.set_view(task_view(trainer))
    info = RunInfo.of(trainer)
    data.describe(info)  # a compared run's data is read by the report and the export without the window's framing
    advice = advise(trainer.cfg, trainer.task, trainer.final, trainer.status)
    return trainer, Opened(path=path, info=info, data=data, preview=task_preview(trainer.task),
                           status=summary.get("status", "finished"), note=note, advice=advice)


def _check_summary(path: Path, summary: dict) -> None:
    """The summary fields the window shows must have their types (a damaged summary.json must not reach a widget)."""
    where = path / "summary.json"
    for key, kinds in (("status", str), ("message", str), ("test", dict), ("baselines", dict), ("val", dict)):
        value = summary.get(key)
        if value is not None and not isinstance(value, kinds):
            raise RunError(_("{where}: '{key}' is damaged (a {type}, not a {type2}); save the run again or open "
                             "another one.").format(where=where, key=key, type=type(value).__name__, type2=kinds.__name__))

