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

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ...errors import RnnlabError

log = logging.getLogger(__name__)

CLOSE_WAIT_MS = 15_000  # abandoning kills the workers at once; this only bounds a stuck pipe


class _Loop(QObject):
    event = Signal(object)
    failed = Signal(str)
    ended = Signal()

    def __init__(self, runner):
        super().__init__()
        self.runner = runner

    @Slot()
    def run(self) -> None:
        try:
            for event in self.runner.events():
                self.event.emit(event)
        except RnnlabError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # an engine bug must end the experiment, not the window
            log.exception("experiment loop failed")
            self.failed.emit(f"The experiment stopped with an error: {exc}")
        finally:
            self.ended.emit()


class ExperimentThread(QObject):
    event = Signal(object)
    failed = Signal(str)
    ended = Signal()

    def __init__(self, runner, parent=None):
        super().__init__(parent)
        self.runner = runner
        self._thread = QThread()
        self._thread.setObjectName("rnnlab-experiment")
        self._loop = _Loop(runner)
        self._loop.moveToThread(self._thread)
        self._thread.started.connect(self._loop.run)
        self._loop.event.connect(self.event)
        self._loop.failed.connect(self.failed)
        self._loop.ended.connect(self._on_ended)
        self._running = False

    def start(self) -> None:
        self._running = True
        self._thread.start()

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
        if self._thread.isRunning():
            self.runner.abandon()
            self._thread.quit()
            if not self._thread.wait(CLOSE_WAIT_MS):
                log.warning("experiment thread slow to end")
                self._thread.wait()
        self._running = False

    @Slot()
    def _on_ended(self) -> None:
        self._thread.quit()
        self._thread.wait()
        self._running = False
        self.ended.emit()
