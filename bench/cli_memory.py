"""Does the CLI's memory stay flat over a long run? Max RSS of `rnnlab train --task forecast` after 2k and 100k steps.

Each length is its own process running the real command (`python -m rnnlab train --task forecast --steps N --quiet
--out <tmp>`), and its peak resident memory is read from the kernel when it ends (`os.wait4`'s ru_maxrss), so the two
figures include the save at the end, as a student's run does. The growth from the short to the long run is what the
run's own records cost (the history of every step, the probe records): the model, torch and the data are the same in
both. The goal is <= 20 MB of growth (issue 24).

Usage: python bench/cli_memory.py [--short 2000] [--long 100000] [--task forecast]
       PYTHONPATH=<another checkout> python bench/cli_memory.py     (the same figures for an older tree)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def peak_rss_mb(task: str, steps: int) -> tuple[float, float]:
    """(max RSS in MB, seconds) of one `rnnlab train` process of `steps` steps."""
    with tempfile.TemporaryDirectory(prefix="rnnlab-cli-memory-") as tmp:
        cmd = [sys.executable, "-m", "rnnlab", "train", "--task", task, "--steps", str(steps), "--quiet",
               "--out", str(Path(tmp) / "run")]
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if proc.returncode not in (0, 1):  # 1: diverged, still a whole run
            raise SystemExit(f"`{' '.join(cmd)}` failed ({proc.returncode}):\n{err[-2000:]}")
    return usage.ru_maxrss / 1024, seconds  # Linux reports KiB


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", default="forecast")
    parser.add_argument("--short", type=int, default=2000)
    parser.add_argument("--long", type=int, default=100_000)
    args = parser.parse_args(argv)
    import rnnlab

    print(f"rnnlab {rnnlab.__version__} from {Path(rnnlab.__file__).parent}; task {args.task}")
    figures = {}
    for steps in (args.short, args.long):
        figures[steps] = peak_rss_mb(args.task, steps)
        print(f"max RSS after {steps:>7} steps: {figures[steps][0]:7.1f} MB  ({figures[steps][1]:.0f} s)", flush=True)
    growth = figures[args.long][0] - figures[args.short][0]
    print(f"growth from {args.short} to {args.long} steps: {growth:+.1f} MB (goal <= 20 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
