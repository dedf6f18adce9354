"""A sweep or a race in the window: the engine's `SweepRunner.events()` iterated on a QThread, each event handed to the
GUI thread as it is (the events are plain frozen dataclasses, see rnnlab.experiments.events).

    thread = ExperimentThread(Race(cfg, folder), parent=window)
    thread.event.connect(on_event)      # PointStarted, PointProgress, PointEnded, SweepEnded, on the GUI thread
    thread.failed.connect(on_error)     # the sweep could not run: one line for the user
    thread.ended.connect(on_ended)      # the loop is over, whichever way
    thread.start(); thread.pause(); thread.step(); thread.resume(); thread.stop()
    thread.close()                      # abandon at once and wait: no thread and no worker process is left

The points train in worker processes; this thread only waits on their pipes, so it costs the GUI thread nothing.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, Slot

from ...errors import RnnlabError
from ..threads import Job, WorkerThread

log = logging.getLogger(__name__)

CLOSE_WAIT_MS = 15_000  # abandoning kills the workers at once; this only bounds a stuck pipe


def _describe(exc: BaseException) -> str:
    if isinstance(exc, RnnlabError):
        return str(exc)
    log.error("experiment loop failed", exc_info=exc)  # an engine bug must end the experiment, not the window
    return f"The experiment stopped with an error: {exc}"


class ExperimentThread(QObject):
    """The runner's events on the GUI thread, through a Job on its own thread (app/threads.py)."""

    event = Signal(object)
    failed = Signal(str)
    ended = Signal()

    def __init__(self, runner, parent=None):
        super().__init__(parent)
        self.runner = runner
        job = Job(runner.events, describe=_describe)
        job.yielded.connect(self.event)
        job.errored.connect(self.failed)
        job.ended.connect(self._on_ended)
        self._job = WorkerThread(job, "rnnlab-experiment", stop=runner.abandon)
        self._running = False

    def start(self) -> None:
        self._running = True
        self._job.start()

    def is_running(self) -> bool:
        return self._running

    def pause(self) -> None:
        self.runner.pause()

    def resume(self) -> None:
        self.runner.resume()

    def step(self) -> None:
        self.runner.step()

    def stop(self) -> None:
        """Running points end with their final evaluation and are saved as stopped."""
        self.runner.stop()

    def close(self) -> None:
        """End now (the window closes, or the race is reset): workers are killed, the thread is waited for."""
        if self._job.is_running():
            if not self._job.close(CLOSE_WAIT_MS):
                log.warning("experiment thread slow to end")
                self._job.finish()
        self._running = False

    @Slot()
    def _on_ended(self) -> None:
        self._job.finish()
        self._running = False
        self.ended.emit()
