"""What a sweep or a race reports while it runs: plain dataclasses (numbers, strings, numpy arrays), no torch, no Qt.

They cross process boundaries (pickled by multiprocessing or Ray) and thread boundaries (a GUI thread may consume
them as they come), so nothing in them is ever mutated after it is sent. The order for one point::

    PointStarted -> PointProgress* -> PointEnded        (a killed worker: PointStarted -> ... -> PointEnded(failed))

and a whole sweep ends with one SweepEnded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

if TYPE_CHECKING:
    from ..train.info import RunInfo
    from ..train.trainer import ProbeSnapshot

# what a point can end as; the first two count as done (a rerun skips them), the others run again
DONE = ("finished", "diverged")
STATUSES = ("pending", "running", *DONE, "stopped", "failed", "interrupted")


@dataclass(frozen=True)
class PointJob:
    """What a worker needs to run one point: everything is plain data, so it travels to any process or node."""

    point_id: str
    config: dict  # config.to_dict() of the point's RunConfig
    progress_s: float = 1.0  # at most one PointProgress per this many seconds
    detail: bool = False  # races: include validation and the probe's gradient through time in the progress
    paused: bool = False  # start paused (the race was paused when this point began)
    probe_s: float = 1.0  # with `detail`: at most one full probe (gates and states) per this many seconds


@dataclass(frozen=True)
class PointStarted:
    point_id: str
    total_steps: int
    worker: str  # "pid 1234 on host"
    pid: int
    info: Optional["RunInfo"] = None  # what a window frames its plots from (RunInfo.of(trainer), plain data)
    val_baselines: Optional[dict[str, dict[str, float]]] = None  # the task's baselines on the validation split


@dataclass(frozen=True)
class PointProgress:
    """The steps trained since the last report of this point, and the latest validation and probe when `detail`."""

    point_id: str
    step: int
    total_steps: int
    steps: np.ndarray  # float64 step numbers since the last report
    train_loss: np.ndarray  # float64, one per entry of `steps`
    steps_per_sec: float
    elapsed_s: float
    val_step: Optional[int] = None  # the step of `val`
    val: Optional[dict[str, float]] = None  # the latest validation metrics, when one ran since the last report
    grad_step: Optional[int] = None  # the step of `grad_through_time`
    # ||dL/dh_t|| for t = 0..T-1 per (layer, direction), from the latest probe since the last report
    grad_through_time: Optional[dict[tuple[int, int], np.ndarray]] = None
    paused: bool = False
    # with `detail`, for a window that draws the run as a single run's window would:
    # every metrics row since the last report (step, train_loss, grad_norm, clipped, val_*, grad[group]; NaN where
    # not measured), as History columns
    rows: Optional[dict[str, np.ndarray]] = None
    # the latest probe (gates, states, ||dL/dh_t||; plain numpy), at most one per PointJob.probe_s; the first one
    # (step 0) is the "before training" reference. Gates and states travel as float16 (half the bytes; heatmaps
    # show no more than three digits), ||dL/dh_t|| as it was (float16 would flush a vanishing 1e-20 to zero)
    probe: Optional["ProbeSnapshot"] = None
    view: Optional[dict] = None  # the task view (task.view(model)) when the point pauses and in its last report


@dataclass(frozen=True)
class PointEnded:
    """A point is over. `row` is its line of results.csv (plain values)."""

    point_id: str
    status: str  # one of STATUSES
    row: dict[str, Any]
    error: str = ""  # failed / interrupted: why, in one line


@dataclass(frozen=True)
class SweepEnded:
    """The sweep is over (all points ran, or it was stopped). Counts by status, and where the results are."""

    counts: dict[str, int]
    folder: str
    wall_s: float
    workers: int
    executor: str


@dataclass
class PointOutcome:
    """A worker's answer for one point: its status, its results row and its run folder's files as bytes."""

    point_id: str
    status: str
    row: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    error: str = ""
