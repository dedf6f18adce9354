"""Work on a thread, the one way: a worker QObject moved to its own QThread, plain data back by queued signals, and
no thread left running when the process ends, however the application quits.

The pattern of superqt's `thread_worker` (a generator's yields become a signal; stop is checked between yields) and
of Orange's `concurrent.py` (the work is a plain function; its result and its error come back as signals), on a
QThread of its own rather than a pool: a training run or a race lives for minutes and is paused and stopped::

    GUI thread                                        the thread (WorkerThread.thread)
    ----------                                        --------------------------------
    handle = WorkerThread(worker, "name", stop=worker.abandon)
    handle.start() ─────────────────────────────────> worker.run()   emits plain data: queued to the GUI thread
    the worker's last signal arrives <────────────── run() returns; the thread's event loop waits for quit()
    handle.finish() ── quit(), wait() ──────────────> finished: worker.deleteLater() runs here (the Qt way)
    handle.close(wait_ms) ── stop(), quit(), wait at most wait_ms: a thread still busy (mid-step) lingers, kept
                             here until it ends; wait_closed() before the process exits
    the application quits (aboutToQuit, any path), or the interpreter exits (atexit):
                          ── shutdown(): stop() every thread still running, quit(), wait for each

The QThread has no parent: a thread is never deleted with its owner (a session, a dialog, the window) while it runs,
which aborts the process ("QThread: Destroyed while thread is still running"). The module keeps every started thread
until it has ended; the owner's `finish` or `close` and the exit hooks end it.

`Job` is the worker for a plain function: its yields (a generator) come back as `yielded`, its return value as
`returned`, an exception as a message (`errored`), then `ended`. `JobQueue` runs jobs one after the other on one
thread (the model's helper thread) and returns `concurrent.futures.Future`s.
"""

from __future__ import annotations

import atexit
import inspect
import logging
import queue
import time
import traceback
from concurrent.futures import Future
from typing import Any, Callable, Optional

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)

EXIT_WAIT_S = 60.0  # at exit, the longest wait for the threads still running (one optimizer step of a big model)

_LIVE: list["WorkerThread"] = []  # started and not yet seen finished (the owner's reference may be gone: lingering)
_hooked: set[int] = set()  # the QCoreApplication instances whose aboutToQuit ends our threads
_atexit_done = False


def describe_error(exc: BaseException) -> str:
    """A message for the user: our own errors are written for them; anything else shows its type and text."""
    from ..errors import RnnlabError

    if isinstance(exc, RnnlabError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class WorkerThread:
    """One worker QObject on its own QThread. `worker.run()` is called on the thread once it starts; the worker
    speaks only through its signals. `stop` asks the work to end soon (thread-safe, returns at once)."""

    def __init__(self, worker: QObject, name: str, stop: Optional[Callable[[], None]] = None):
        self.worker = worker
        self._stop = stop
        self.closed = False  # the owner let go of it (close): it may still be ending its last step
        self.thread = QThread()  # no parent: see the module's docstring
        self.thread.setObjectName(name)
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.run)
        # The Qt way: the worker is deleted as its thread ends (QThread runs the deferred deletions posted then). A
        # deleteLater() called after the thread had finished was never delivered: every finished run's worker, and
        # with it its Trainer, stayed alive until the process ended (issue 19, item 14).
        self.thread.finished.connect(worker.deleteLater)

    def start(self) -> None:
        _hook_exit()
        _prune()
        _LIVE.append(self)
        self.thread.start()

    def is_running(self) -> bool:
        return self.thread.isRunning()

    def stop(self) -> None:
        """Ask the work to end (at its next step boundary). Returns at once."""
        if self._stop is not None:
            self._stop()

    def finish(self, wait_ms: Optional[int] = None) -> bool:
        """The work is over (its last signal arrived) or was asked to end: end the thread's event loop and wait for it
        (at most `wait_ms`, None: as long as it takes). True once the thread has ended."""
        self.thread.quit()
        ended = self.thread.wait() if wait_ms is None else self.thread.wait(max(0, int(wait_ms)))
        if ended:
            _forget(self)
        return ended

    def close(self, wait_ms: Optional[int] = None) -> bool:
        """Stop the work and end the thread, waiting at most `wait_ms`. False: the thread is still ending its last
        step; it lingers, kept by this module until it ends (wait_closed, or the exit hooks, wait for it)."""
        self.closed = True
        self.stop()
        return self.finish(wait_ms)


def lingering() -> list[QThread]:
    """The threads of closed owners that are still ending their last step."""
    _prune()
    return [h.thread for h in _LIVE if h.closed]


def running() -> list[str]:
    """The names of the threads started here that are still running (tests: none is left behind)."""
    return [h.thread.objectName() for h in _LIVE if h.thread.isRunning()]


def wait_closed(timeout_s: float = EXIT_WAIT_S) -> None:
    """Wait for the threads of closed owners to end their last step (before the process exits)."""
    _wait([h for h in _LIVE if h.closed], timeout_s)


def shutdown(timeout_s: float = EXIT_WAIT_S) -> None:
    """Stop every thread still running and wait for each: the application is quitting, by whatever path."""
    handles = list(_LIVE)
    for handle in handles:
        handle.closed = True
        try:
            handle.stop()
        except Exception:  # a stop that fails must not keep the others running
            log.warning("stopping %s failed:\n%s", handle.thread.objectName(), traceback.format_exc())
        handle.thread.quit()
    _wait(handles, timeout_s)


def _wait(handles: list[WorkerThread], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    for handle in handles:
        if not handle.thread.wait(max(0, int((deadline - time.monotonic()) * 1000))):
            log.warning("thread %s did not end in time", handle.thread.objectName())
    _prune()


def _prune() -> None:
    _LIVE[:] = [h for h in _LIVE if not h.thread.isFinished()]


def _forget(handle: WorkerThread) -> None:
    _LIVE[:] = [h for h in _LIVE if h is not handle and not h.thread.isFinished()]


def _hook_exit() -> None:
    """Once per application: its quit (by any path: quit(), exit(), the last window closed) ends our threads; and
    once per process, the interpreter's exit does (a script that never ran the event loop)."""
    global _atexit_done
    app = QCoreApplication.instance()
    if app is not None and id(app) not in _hooked:
        _hooked.add(id(app))
        app.aboutToQuit.connect(shutdown)
    if not _atexit_done:
        _atexit_done = True
        atexit.register(shutdown)


class Job(QObject):
    """A plain function on a thread: `yielded` for each value a generator yields (or that the function hands to
    `report`), then `returned(value)` or `errored(message)`, then `ended`. Only plain data should cross."""

    yielded = Signal(object)
    returned = Signal(object)
    errored = Signal(str)
    ended = Signal()

    def __init__(self, fn: Callable[[], Any], describe: Callable[[BaseException], str] = describe_error):
        super().__init__()
        self._fn, self._describe = fn, describe

    def report(self, value: Any) -> None:
        """For a function that reports through a callback rather than by yielding: hand `value` to the GUI."""
        self.yielded.emit(value)

    @Slot()
    def run(self) -> None:
        try:
            value = self._fn()
            if inspect.isgenerator(value):
                gen, value = value, None
                try:
                    for item in gen:
                        self.yielded.emit(item)
                finally:
                    gen.close()
            self.returned.emit(value)
        except Exception as exc:  # the work's failure is said to the user, never lost, never the app's end
            log.debug("job failed:\n%s", traceback.format_exc())
            self.errored.emit(self._describe(exc))
        finally:
            self._fn = None  # let go of what the work held, on its own thread
            self.ended.emit()


class _QueueLoop(QObject):
    def __init__(self, jobs: "queue.Queue"):
        super().__init__()
        self.jobs = jobs

    @Slot()
    def run(self) -> None:
        while True:
            item = self.jobs.get()
            if item is None:
                return
            fn, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as exc:  # the caller's future raises it (as ThreadPoolExecutor's does)
                future.set_exception(exc)
            del fn, future, item


class JobQueue:
    """Jobs run one after the other on one thread (started at the first job): `submit(fn)` returns a Future. After
    `shutdown` (or the application's quit) a submitted job is cancelled at once."""

    def __init__(self, name: str):
        self._name = name
        self._jobs: queue.Queue = queue.Queue()
        self._handle: Optional[WorkerThread] = None
        self._closed = False

    def submit(self, fn: Callable[[], Any]) -> Future:
        future: Future = Future()
        if self._closed:
            future.cancel()
            return future
        if self._handle is None:
            self._handle = WorkerThread(_QueueLoop(self._jobs), self._name, stop=self._stop)
            self._handle.start()
        self._jobs.put((fn, future))
        return future

    def _stop(self) -> None:
        """Cancel what has not started and end the loop after the job running now (thread-safe)."""
        self._closed = True
        while True:
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[1].cancel()
        self._jobs.put(None)

    def shutdown(self) -> None:
        """Drop queued jobs and wait for the one running (each is short)."""
        self._stop()
        if self._handle is not None:
            self._handle.close()
