"""Driving a sweep: hand points to an executor, keep the sweep folder up to date, and report plain events.

    runner = SweepRunner(sweep, "out/my-sweep", LocalExecutor(workers=2))
    for event in runner.events():      # PointStarted, PointProgress, PointEnded, then one SweepEnded
        ...
    runner.pause() / runner.step() / runner.resume() / runner.stop()    # from any thread
    runner.abandon()                   # a window closing: end every point at once, no final evaluation

`events()` is a plain generator: the CLI and the tests iterate it, a GUI runs it on a worker thread and forwards what
it yields. The control methods only queue a request; the loop applies it between two polls (at most 0.1 s later).
Ctrl-C (KeyboardInterrupt in the iterating thread) ends every running point at once, marks it interrupted in
results.csv, keeps everything that finished, and re-raises.
"""

from __future__ import annotations

import queue
import time
from pathlib import Path
from typing import Iterator

from .. import config as config_mod
from .events import PointEnded, PointJob, PointOutcome, PointProgress, PointStarted, SweepEnded
from .folder import SweepFolder
from .sweep import Sweep

POLL_S = 0.1


class _Abandoned(Exception):
    """abandon() was called: raised inside the loop, between two polls."""


class SweepRunner:
    def __init__(self, sweep: Sweep, folder, executor, *, detail: bool = False, progress_s: float = 1.0):
        self.sweep = sweep
        self.folder = SweepFolder(folder, sweep)
        self.executor = executor
        self.detail = detail  # races: validation and the gradient through time in every progress event
        self.progress_s = progress_s
        self._requests: "queue.Queue[str]" = queue.Queue()
        self._paused = False
        self._stopping = False
        self.skipped: list[str] = []  # points done in an earlier run of this sweep

    # --- control, from any thread ---------------------------------------------------------------------------------

    def pause(self) -> None:
        """Pause every running point at its next step; no new point starts until resume."""
        self._requests.put("pause")

    def resume(self) -> None:
        self._requests.put("resume")

    def step(self) -> None:
        """While paused: every running point trains exactly one more step."""
        self._requests.put("step")

    def stop(self) -> None:
        """Running points stop with their final evaluation (saved as stopped); points not started stay pending."""
        self._requests.put("stop")

    def abandon(self) -> None:
        """End at once (a window closes): running points are killed and marked interrupted, results.csv keeps what
        finished, and events() returns without a SweepEnded. A later run of the same sweep resumes it."""
        self._requests.put("abandon")

    @property
    def paused(self) -> bool:
        return self._paused

    # --- the loop -------------------------------------------------------------------------------------------------

    def events(self) -> Iterator[object]:
        t0 = time.perf_counter()
        todo = self.folder.open()
        done_ids = {p.id for p in self.sweep.points} - {p.id for p in todo}
        self.skipped = [p.id for p in self.sweep.points if p.id in done_ids]
        pending = list(todo)
        self.executor.start()
        try:
            while pending or self.executor.running():
                self._apply_requests(pending)
                while pending and not self._paused and not self._stopping and self.executor.free_slots() > 0:
                    point = pending.pop(0)
                    self.folder.mark(point.id, "running")
                    self.executor.submit(PointJob(point.id, config_mod.to_dict(point.config), self.progress_s,
                                                  self.detail, paused=self._paused))
                if self._stopping and not self.executor.running():
                    break
                if not self.executor.running():  # paused before any point started: nothing to wait for but us
                    time.sleep(POLL_S)
                    continue
                for event in self.executor.poll(POLL_S):
                    if isinstance(event, PointOutcome):
                        yield self._ended(event)
                    elif isinstance(event, (PointStarted, PointProgress)):
                        yield event
        except KeyboardInterrupt:
            for point_id in self.executor.cancel():
                self.folder.mark(point_id, "interrupted", "stopped by Ctrl-C")
            self.executor.close()
            raise
        except _Abandoned:
            for point_id in self.executor.cancel():
                self.folder.mark(point_id, "interrupted", "the window was closed")
            self.executor.close()
            return
        except BaseException:
            for point_id in self.executor.cancel():
                self.folder.mark(point_id, "interrupted", "the sweep stopped with an error")
            self.executor.close()
            raise
        self.executor.close()
        yield SweepEnded(self.folder.counts(), str(self.folder.path), time.perf_counter() - t0, self.executor.slots,
                         self.executor.name)

    def _apply_requests(self, pending: list) -> None:
        while True:
            try:
                cmd = self._requests.get_nowait()
            except queue.Empty:
                return
            if cmd == "abandon":
                raise _Abandoned
            if cmd == "pause":
                self._paused = True
            elif cmd == "resume":
                self._paused = False
            elif cmd == "step":
                self._paused = True
            elif cmd == "stop":
                self._stopping = True
                self._paused = False
            self.executor.command(cmd)

    def _ended(self, outcome: PointOutcome) -> PointEnded:
        if outcome.files:
            self.folder.write_run(outcome.point_id, outcome.files)
        row = self.folder.record(outcome.point_id, outcome.status, outcome.row, outcome.error)
        return PointEnded(outcome.point_id, outcome.status, dict(row), outcome.error)

    @property
    def path(self) -> Path:
        return self.folder.path

