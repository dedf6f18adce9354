"""Sweep speed-up: the same 8 small points trained serially in this process, then by the local executor, then by
Ray on this machine, in one invocation; prints each as a ratio against the serial time, and the per-point overhead
of each executor (start-up: from handing a point over to its first step; finish: from its last step to its run
folder written in the sweep folder, i.e. saving, the transfer of the files as bytes, and writing them).

Ray is optional (`pip install 'rnnlab[cluster]'`): without it the serial and local parts run and the Ray part says
it was skipped.

Usage: python bench/sweep_scaling.py [--workers 2] [--steps 1000] [--no-ray]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

from rnnlab import config
from rnnlab.experiments import LocalExecutor, SweepRunner, build
from rnnlab.experiments.events import PointEnded, PointProgress, PointStarted


def points(steps: int):
    base = config.experiment("adding", {"task.length": 30, "model.hidden_size": 32, "training.steps": steps,
                                        "training.eval_every": steps // 4, "training.threads": 1}, suggested=False)
    return build(base, {"model.cell": ["lstm", "gru"]}, [0, 1, 2, 3], name="scaling")


def serial(sweep) -> tuple[float, list[float], list[float]]:
    from rnnlab.runs.store import save_run
    from rnnlab.train.trainer import Trainer

    torch.set_num_threads(1)
    starts, finishes = [], []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for p in sweep.points:
            a = time.perf_counter()
            trainer = Trainer(p.config)
            starts.append(time.perf_counter() - a)
            for _ in trainer.run():
                pass
            b = time.perf_counter()
            save_run(trainer, Path(tmp) / p.id)
            finishes.append(time.perf_counter() - b)
    return time.perf_counter() - t0, starts, finishes


class Timed:
    """Wraps an executor to note when each point is handed over."""

    def __init__(self, inner):
        self.inner, self.submitted = inner, {}

    def submit(self, job):
        self.submitted[job.point_id] = time.perf_counter()
        self.inner.submit(job)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def with_executor(sweep, executor) -> tuple[float, list[float], list[float]]:
    timed = Timed(executor)
    last_step, starts, finishes = {}, [], []
    with tempfile.TemporaryDirectory() as tmp:
        runner = SweepRunner(sweep, Path(tmp) / "sweep", timed, progress_s=1.0)
        t0 = time.perf_counter()
        for e in runner.events():
            now = time.perf_counter()
            if isinstance(e, PointStarted):
                starts.append(now - timed.submitted[e.point_id])
            elif isinstance(e, PointProgress) and e.step == e.total_steps:
                last_step[e.point_id] = now
            elif isinstance(e, PointEnded):
                assert e.status == "finished", (e.point_id, e.status, e.error)
                finishes.append(now - last_step.get(e.point_id, now))
        return time.perf_counter() - t0, starts, finishes


def ray_installed() -> bool:
    """Whether `import ray` would work, without importing it (seconds, and it starts threads)."""
    try:
        return importlib.util.find_spec("ray") is not None
    except (ImportError, ValueError):  # a broken or half-removed install
        return False


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def describe(starts, finishes) -> str:
    return (f"start-up first {max(starts):.2f} s, median {statistics.median(starts):.2f} s; "
            f"finish median {statistics.median(finishes):.3f} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--steps", type=int, default=1000, help="steps per point (about 10 s each here: at 400 the "
                        "one-off worker start-up, spawn plus import torch, weighs as much as a point)")
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args(argv)
    sweep = points(args.steps)
    print(f"{len(sweep.points)} points (adding, T=30, hidden 32, {args.steps} steps, one torch thread each), "
          f"{args.workers} workers, {os.cpu_count()} cores", flush=True)
    results = {}
    results["serial"] = serial(sweep)
    print(f"  serial: {results['serial'][0]:.1f} s  (per point: Trainer() {statistics.median(results['serial'][1]):.2f}"
          f" s, save_run {statistics.median(results['serial'][2]):.3f} s); {load()}", flush=True)
    results["local"] = with_executor(sweep, LocalExecutor(args.workers))
    print(f"  local:  {results['local'][0]:.1f} s  {describe(*results['local'][1:])}; {load()}", flush=True)
    if args.no_ray:
        print("  ray:    skipped (--no-ray)", flush=True)
    elif not ray_installed():
        print("  ray:    skipped: Ray is not installed here (pip install 'rnnlab[cluster]' to measure it too)",
              flush=True)
    else:
        from rnnlab.experiments.cluster import RayExecutor

        ray_exec = RayExecutor("local", args.workers)
        t = time.perf_counter()
        ray_exec.start()
        ray_init = time.perf_counter() - t
        results["ray"] = with_executor(sweep, ray_exec)
        print(f"  ray:    {results['ray'][0]:.1f} s  {describe(*results['ray'][1:])}; ray.init {ray_init:.1f} s "
              f"(not counted: a cluster is up before a sweep); {load()}", flush=True)
    base = results["serial"][0]
    print("\nspeed-up against serial: " + ", ".join(f"{k} {base / v[0]:.2f}x" for k, v in results.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
