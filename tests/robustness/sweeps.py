"""A real sweep folder made quickly: an executor that runs each point in this process (the same `run_point` a worker
process runs), so the robustness tests damage real folders without spawning workers."""

from __future__ import annotations

import shutil
from pathlib import Path

from rnnlab.experiments import sweep as sweep_mod
from rnnlab.experiments.events import PointJob
from rnnlab.experiments.point import run_point
from rnnlab.experiments.runner import SweepRunner

TINY = """
[sweep]
seeds = [0]

[sweep.axes]
"model.cell" = ["rnn_tanh", "gru"]

[task]
name = "adding"

[task.options]
length = 6
train_size = 100

[model]
hidden_size = 3

[training]
steps = 3
threads = 1
"""


class InlineExecutor:
    """Runs one point at a time, here, when polled: the executor interface of LocalExecutor, without processes."""

    name = "inline"
    slots = 1
    description = "this process"

    def __init__(self):
        self._job = None

    def start(self):
        pass

    def free_slots(self) -> int:
        return 0 if self._job else 1

    def running(self) -> list[str]:
        return [self._job.point_id] if self._job else []

    def submit(self, job: PointJob) -> None:
        self._job = job

    def command(self, cmd: str) -> None:
        pass

    def poll(self, timeout: float) -> list:
        job, self._job = self._job, None
        events: list = []
        outcome = run_point(job, events.append)
        return [*events, outcome]

    def cancel(self) -> list[str]:
        ids, self._job = self.running(), None
        return ids

    def close(self) -> None:
        self._job = None


def run_inline(sweep, folder) -> SweepRunner:
    runner = SweepRunner(sweep, folder, InlineExecutor())
    for _ in runner.events():
        pass
    return runner


def tiny_sweep(text: str = TINY):
    return sweep_mod.loads(text)


def copy_folder(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target
