"""Many runs: sweeps (a base config times axes and seeds) and races (one axis, side by side, streaming progress), on
this computer's cores or on a Ray cluster. Qt-free; the CLI and the window stand on it.

    sweep.py    the sweep file and its points          folder.py   the sweep folder and results.csv
    runner.py   the driver loop, pause/step/stop       events.py   the plain data it reports
    local.py    worker processes on this computer      cluster.py  Ray tasks (optional extra, imported on demand)
    point.py    one point inside a worker              race.py     races and the sentence on speed
    report.py   progress lines and end tables as text
"""

from .events import DONE, PointEnded, PointJob, PointProgress, PointStarted, SweepEnded
from .folder import SweepFolder, read_results
from .local import LocalExecutor, default_workers
from .race import Race, race_sweep
from .runner import SweepRunner
from .sweep import Point, Sweep, build, load, loads

__all__ = ["DONE", "LocalExecutor", "Point", "PointEnded", "PointJob", "PointProgress", "PointStarted", "Race",
           "Sweep", "SweepEnded", "SweepFolder", "SweepRunner", "build", "default_workers", "load", "loads",
           "race_sweep", "read_results"]
