"""The local executor: points run in separate worker processes on this computer (spawned, one torch thread each).

One process per worker slot, reused from point to point (torch is imported once per worker, not once per point).
Each worker has two pipes, so the driver always knows which point a worker holds::

    driver --jobs/commands--> worker      ("run", PointJob) | "pause" | "resume" | "step" | "stop"
    driver <--events--------- worker      PointStarted, PointProgress, ("done", PointOutcome)

A worker that dies (killed, out of memory, a crash in native code) closes its pipe; the driver records its point as
failed with the exit signal or code and the last step it reported, and starts a fresh worker for the next point.
Workers ignore Ctrl-C: the driver decides what an interrupt means (running points are marked interrupted).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Optional

from ..i18n import ngettext
from .events import PointJob, PointOutcome, PointProgress, PointStarted


MAX_WORKERS = 32  # the most worker processes one executor starts, however many points ask (issue 20: 300 at once)


def default_workers() -> int:
    """All cores but one (the window and the OS keep one), at least one."""
    return max(1, (os.cpu_count() or 1) - 1)


def worker_limit() -> int:
    """How many processes an executor runs at once: two per core (a race of three is watched side by side even on
    two cores), never more than MAX_WORKERS. Points beyond it wait in the queue."""
    return max(1, min(MAX_WORKERS, max(4, 2 * (os.cpu_count() or 1))))


def _worker_main(jobs, events, nice: int = 0) -> None:
    """A worker process: run the jobs it is sent, one at a time, applying pause/step/stop to the current one."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if nice and hasattr(os, "nice"):  # a race beside the window: the window's process keeps the cores it needs
        os.nice(nice)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from ..train.trainer import Control
    from .point import run_point

    inbox: "queue.Queue" = queue.Queue()
    current: dict = {}

    def read_commands():
        while True:
            try:
                msg = jobs.recv()
            except (EOFError, OSError):  # the driver is gone: end the point at once, and then this process
                control = current.get("control")
                if control is not None:
                    control.abandon()
                inbox.put(None)
                return
            if isinstance(msg, tuple) and msg[0] == "run":
                current["control"] = Control(paused=msg[1].paused)
                inbox.put(msg[1])
            elif msg == "quit":
                inbox.put(None)
                return
            else:
                control = current.get("control")
                if control is not None:
                    {"pause": control.pause, "resume": control.resume, "step": control.step_once,
                     "stop": control.stop}[msg]()

    threading.Thread(target=read_commands, daemon=True).start()
    send_lock = threading.Lock()

    def emit(event):
        with send_lock:
            events.send(event)

    while True:
        job = inbox.get()
        if job is None:
            return
        try:
            emit(("done", run_point(job, emit, current["control"])))
        except (BrokenPipeError, EOFError, OSError):
            return  # the driver is gone: nobody to report to


@dataclass
class _Worker:
    process: mp.process.BaseProcess
    jobs: object  # the driver's end of the job pipe
    events: object  # the driver's end of the event pipe
    job: Optional[PointJob] = None
    last_step: int = 0
    started: bool = False
    pending: list = field(default_factory=list)


class LocalExecutor:
    """Runs point jobs in `workers` spawned processes. The driver calls submit / poll / command from one thread."""

    name = "local"

    def __init__(self, workers: Optional[int] = None, nice: int = 0):
        """`nice`: how much lower the workers' scheduling priority is (POSIX), so that a window drawing them stays
        responsive when there are more runners than spare cores."""
        self.slots = min(workers or default_workers(), worker_limit())
        self.nice = nice
        self._ctx = mp.get_context("spawn")
        self._workers: list[_Worker] = []

    @property
    def description(self) -> str:
        return ngettext("{n} local worker process", "{n} local worker processes", self.slots).format(n=self.slots)

    def start(self) -> None:
        """Nothing to connect to: workers are spawned as points need them."""

    def _spawn(self) -> _Worker:
        jobs_r, jobs_w = self._ctx.Pipe(duplex=False)
        events_r, events_w = self._ctx.Pipe(duplex=False)
        process = self._ctx.Process(target=_worker_main, args=(jobs_r, events_w, self.nice), daemon=True,
                                    name="rnnlab-sweep-worker")
        process.start()
        jobs_r.close()
        events_w.close()
        worker = _Worker(process, jobs_w, events_r)
        self._workers.append(worker)
        return worker

    def free_slots(self) -> int:
        return self.slots - sum(1 for w in self._workers if w.job is not None)

    def running(self) -> list[str]:
        return [w.job.point_id for w in self._workers if w.job is not None]

    def submit(self, job: PointJob) -> None:
        worker = next((w for w in self._workers if w.job is None and w.process.is_alive()), None) or self._spawn()
        worker.job, worker.last_step, worker.started = job, 0, False
        worker.jobs.send(("run", job))

    def command(self, cmd: str) -> None:
        """pause | resume | step | stop, sent to every running point."""
        for w in self._workers:
            if w.job is not None:
                try:
                    w.jobs.send(cmd)
                except (BrokenPipeError, OSError):
                    pass  # it died: poll() reports it

    def poll(self, timeout: float) -> list:
        """Events that arrived within `timeout` seconds: PointStarted, PointProgress and PointOutcome."""
        busy = [w for w in self._workers if w.job is not None]
        if not busy:
            return []
        handles = {}
        for w in busy:
            handles[w.events] = w
            handles[w.process.sentinel] = w
        out = []
        for handle in wait(list(handles), timeout):
            w = handles[handle]
            if w.job is None:
                continue
            if handle is w.events:
                out += self._drain(w)
            elif not w.events.poll():  # died, and nothing left in its pipe
                out += self._drain(w)
                if w.job is not None:
                    out.append(self._died(w))
        return out

    def _drain(self, w: _Worker) -> list:
        out = []
        try:
            while w.job is not None and w.events.poll():
                msg = w.events.recv()
                if isinstance(msg, tuple) and msg[0] == "done":
                    w.job = None
                    out.append(msg[1])
                else:
                    if isinstance(msg, PointProgress):
                        w.last_step = msg.step
                    elif isinstance(msg, PointStarted):
                        w.started = True
                    out.append(msg)
        except (EOFError, OSError):
            if w.job is not None:
                out.append(self._died(w))
        return out

    def _died(self, w: _Worker) -> PointOutcome:
        w.process.join(timeout=5)
        code = w.process.exitcode
        if code is not None and code < 0:
            try:
                how = f"killed by signal {signal.Signals(-code).name}"
            except ValueError:
                how = f"killed by signal {-code}"
        else:
            how = f"exited with code {code}"
        where = f"at step {w.last_step}" if w.started else "before training started"
        outcome = PointOutcome(w.job.point_id, "failed", {"steps": w.last_step},
                               error=f"the worker process died ({how}) {where}")
        w.job = None
        self._workers.remove(w)
        for conn in (w.jobs, w.events):
            conn.close()
        return outcome

    def cancel(self) -> list[str]:
        """Ctrl-C: end every worker at once. Returns the points that were running."""
        running = self.running()
        for w in self._workers:
            if w.process.is_alive():
                w.process.kill()
        self._reap()
        return running

    def close(self) -> None:
        for w in self._workers:
            try:
                w.jobs.send("quit")
            except (BrokenPipeError, OSError):
                pass
        for w in self._workers:
            w.process.join(timeout=10)
            if w.process.is_alive():
                w.process.kill()
        self._reap()

    def _reap(self) -> None:
        for w in self._workers:
            w.process.join(timeout=5)
            for conn in (w.jobs, w.events):
                conn.close()
        self._workers = []
