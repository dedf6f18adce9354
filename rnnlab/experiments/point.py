"""Running one point of a sweep inside a worker (a local process or a Ray task): train, stream progress, return the
run folder as bytes.

The run folder is written by the ordinary `save_run` into a temporary folder and read back as bytes, so the driver
writes it into the sweep folder whatever machine the point ran on (a Ray cluster needs no shared file system).
"""

from __future__ import annotations

import math
import os
import platform
import tempfile
import time
import traceback
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from .. import config as config_mod
from ..errors import RnnlabError
from ..train.history import val_col
from .events import PointJob, PointOutcome, PointProgress, PointStarted


def worker_name() -> str:
    return f"pid {os.getpid()} on {platform.node()}"


def solved_at(history, goal) -> tuple[Optional[int], Optional[float]]:
    """The first validated step (and its time in seconds) at which the run met the task's goal, or (None, None)."""
    if goal is None:
        return None, None
    values = history.column(val_col(goal.key))
    for i, v in enumerate(values):
        if goal.reached(float(v)):
            return int(history.column("step")[i]), float(history.column("time_s")[i])
    return None, None


def result_row(trainer) -> dict:
    """The point's line of results.csv from a trained (or stopped) trainer: plain values, NaN where not measured."""
    summary = trainer.summary()
    metric = trainer.task.metric
    steps = trainer.step
    elapsed = trainer.elapsed_s
    at_step, at_s = solved_at(trainer.history, trainer.task.goal)
    row = {"steps": steps, "total_steps": trainer.total_steps, "wall_s": round(elapsed, 3),
           "steps_per_s": round(steps / elapsed, 2) if elapsed > 0 else math.nan,
           "metric": metric.key, "higher_is_better": metric.higher_is_better,
           "solved_at_step": at_step, "solved_at_s": None if at_s is None else round(at_s, 3)}
    for split in ("val", "test"):
        for key, value in (summary.get(split) or {}).items():
            row[f"{split}_{key}"] = value
    for name, scores in (summary.get("baselines") or {}).items():
        row[f"baseline {name}"] = scores.get(metric.key, math.nan)
    return row


def run_point(job: PointJob, emit: Callable[[object], None], control=None) -> PointOutcome:
    """Train one point, calling `emit` with PointStarted / PointProgress (throttled at the source) as it goes.

    Never raises for a failure of the point itself: a bad config or a crash in training comes back as a `failed`
    outcome with a one-line reason, so the sweep goes on."""
    from ..runs.store import save_run
    from ..train.trainer import Control, Trainer

    control = control or Control(paused=job.paused)
    try:
        cfg = config_mod.from_dict(job.config)
        trainer = Trainer(cfg, control)
        trainer.probe_saliency = job.detail  # a race on screen shows each runner's saliency (the window cannot ask)
    except RnnlabError as exc:
        return PointOutcome(job.point_id, "failed", {}, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - any crash of one point is that point's failure, not the sweep's
        return PointOutcome(job.point_id, "failed", {}, error=_one_line(exc))
    emit(_started(job, trainer))
    reporter = _Reporter(job, emit, trainer)
    control.hooks = reporter  # on pause, the steps trained so far are reported at once, marked paused
    try:
        for snap in trainer.run():
            reporter.add(snap)
    except Exception as exc:  # noqa: BLE001
        return PointOutcome(job.point_id, "failed", {"steps": trainer.step}, error=_one_line(exc))
    with tempfile.TemporaryDirectory(prefix="rnnlab-point-") as tmp:
        folder = save_run(trainer, Path(tmp) / "run")
        files = {f.name: f.read_bytes() for f in sorted(folder.iterdir()) if f.is_file()}
    return PointOutcome(job.point_id, trainer.status, result_row(trainer), files)


def _started(job: PointJob, trainer) -> PointStarted:
    """With `detail`, what a window frames the point's plots from: its RunInfo and the validation baselines."""
    info = baselines = None
    if job.detail:
        from ..train.info import RunInfo

        info = RunInfo.of(trainer)
        baselines = trainer.task.baselines("val")
    return PointStarted(job.point_id, trainer.total_steps, worker_name(), os.getpid(), info, baselines)


def _task_view(trainer) -> Optional[dict]:
    """The task view of the trained model, or None where the task's view fails (it must not fail the point)."""
    from ..modes import evaluating

    try:
        with evaluating(trainer.model), np.errstate(all="ignore"):  # a diverged model's forecast may overflow
            return trainer.task.view(trainer.model)
    except Exception:  # noqa: BLE001
        return None


def _compact(probe):
    """The probe as it travels: gates and states in float16 (see PointProgress.probe)."""
    from dataclasses import replace

    half = lambda d: {k: np.asarray(v, dtype=np.float16) for k, v in d.items()}  # noqa: E731
    return replace(probe, gates=half(probe.gates), hidden=half(probe.hidden), cell=half(probe.cell),
                   preact={}, input_part={}, hidden_part={}, h_prev={}, c_prev={})  # the Cell tab's: not raced


# the History columns a window's plots draw (epoch, learning rate and time are left out: the race does not plot them)
def _row_column(name: str) -> bool:
    return name in ("step", "train_loss", "grad_norm", "clipped") or name.startswith(("val_", "grad["))


def _one_line(exc: BaseException) -> str:
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" (at {Path(where.filename).name}:{where.lineno})" if where else ""
    return f"{type(exc).__name__}: {exc}".splitlines()[0] + at


class _Reporter:
    """Collects each step's loss and sends it in chunks, at most every `job.progress_s`: the source throttles, so a
    fast point cannot flood the driver or a GUI thread.

    With `job.detail` (a race on screen) each report also carries the metrics rows since the last one, and the
    latest probe at most every `job.probe_s` (a probe's gates are the bulk of the bytes); a pause (a Step ends in
    one) and the end send the latest probe and the task view at once."""

    def __init__(self, job: PointJob, emit, trainer):
        self.job, self.emit, self.trainer = job, emit, trainer
        self.steps: list[float] = []
        self.losses: list[float] = []
        self.val = self.val_step = self.grad = self.grad_step = None
        self.last = 0.0  # the first report goes out at once
        self.snap = None
        self.rows_sent = 0  # rows of trainer.history already reported
        self.probe = None  # the latest probe not reported yet
        self.probe_t = -math.inf  # when a probe was last reported

    def add(self, snap) -> None:
        self.snap = snap
        if snap.step > 0 and math.isfinite(snap.train_loss):
            self.steps.append(snap.step)
            self.losses.append(snap.train_loss)
        if snap.val:
            self.val, self.val_step = dict(snap.val), snap.step
        if self.job.detail and snap.probe is not None:
            self.grad = {k: np.array(v, dtype=np.float64) for k, v in snap.probe.grad_norms.items()}
            self.grad_step = snap.step
            self.probe = snap.probe
        now = time.monotonic()
        if now - self.last >= self.job.progress_s or snap.status != "running":
            self.flush(paused=False)  # `paused` only once the run has stopped at a step (from `pausing`)

    # PauseHooks, called on the training thread
    def pausing(self) -> None:
        self.flush(paused=True)

    def woken(self) -> None:
        pass

    def resuming(self) -> None:
        pass

    def flush(self, paused: bool) -> None:
        snap = self.snap
        if snap is None:
            return
        self.last = now = time.monotonic()
        rows = probe = view = None
        if self.job.detail:
            rows, probe, view = self._details(paused or snap.status != "running", now)
        self.emit(PointProgress(
            self.job.point_id, snap.step, snap.total_steps, np.array(self.steps, dtype=np.float64),
            np.array(self.losses, dtype=np.float64), snap.steps_per_sec, snap.elapsed_s,
            val_step=self.val_step if self.job.detail else None, val=self.val if self.job.detail else None,
            grad_step=self.grad_step, grad_through_time=self.grad, paused=paused, rows=rows, probe=probe,
            view=view))
        self.steps, self.losses = [], []
        self.val = self.val_step = self.grad = self.grad_step = None

    def _details(self, now_or_never: bool, now: float):
        history = self.trainer.history
        rows = {c: history.column(c, self.rows_sent).astype(np.float32) for c in history.columns if _row_column(c)}
        self.rows_sent = len(history)
        probe = None
        if self.probe is not None and (now_or_never or now - self.probe_t >= self.job.probe_s):
            probe, self.probe, self.probe_t = _compact(self.probe), None, now
        view = _task_view(self.trainer) if now_or_never else None  # paused or over: the model holds still
        return rows, probe, view

