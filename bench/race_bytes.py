"""What a race sends to the window: bytes per second per runner, by part (the metrics rows, the probes with their
gates, the task view, the rest), pickled as multiprocessing sends them. The probe's gates are the bulk; they are
throttled at the source (PointJob.probe_s), so this figure stays flat however fast the runners train.

Usage: python bench/race_bytes.py [--seconds 20] [--length 100] [--hidden 64] [--cells rnn_tanh,lstm,gru]
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
import time
from dataclasses import replace

from rnnlab import config
from rnnlab.experiments import Race
from rnnlab.experiments.events import PointEnded, PointProgress, PointStarted


def size(obj) -> int:
    return len(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="how long the runners train before the stop")
    ap.add_argument("--length", type=int, default=100, help="adding problem: sequence length T")
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--cells", default="rnn_tanh,lstm,gru")
    args = ap.parse_args()
    cfg = config.experiment("adding", {"task.length": args.length, "model.hidden_size": args.hidden,
                                       "training.steps": 10_000_000}, suggested=False)
    cells = args.cells.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        race = Race(cfg, f"{tmp}/race", values=cells)
        parts: dict[str, dict[str, int]] = {}
        steps: dict[str, int] = {}
        t0 = None
        for event in race.events():
            if isinstance(event, PointStarted):
                t0 = t0 or time.perf_counter()
                parts[event.point_id] = {"start": size(event), "rows": 0, "probe": 0, "view": 0, "rest": 0,
                                         "reports": 0}
            elif isinstance(event, PointProgress):
                p = parts[event.point_id]
                p["rows"] += size(event.rows)
                p["probe"] += size(event.probe) if event.probe is not None else 0
                p["view"] += size(event.view) if event.view is not None else 0
                p["rest"] += size(replace(event, rows=None, probe=None, view=None))
                p["reports"] += 1
                steps[event.point_id] = event.step
                if time.perf_counter() - t0 > args.seconds:
                    race.stop()
            elif isinstance(event, PointEnded):
                pass
        wall = time.perf_counter() - t0
    print(f"adding T={args.length}, hidden {args.hidden}, {len(cells)} runners side by side, {wall:.1f} s")
    print(f"{'runner':<12}{'steps':>8}{'reports/s':>11}{'rows B/s':>10}{'probe B/s':>11}{'view B':>8}"
          f"{'rest B/s':>10}{'total kB/s':>12}{'B/step':>8}")
    for (pid, p), cell in zip(parts.items(), cells):
        total = p["rows"] + p["probe"] + p["view"] + p["rest"] + p["start"]
        print(f"{cell:<12}{steps[pid]:>8}{p['reports'] / wall:>11.1f}{p['rows'] / wall:>10.0f}"
              f"{p['probe'] / wall:>11.0f}{p['view']:>8}{p['rest'] / wall:>10.0f}{total / wall / 1e3:>12.1f}"
              f"{(p['rows'] + p['rest']) / max(1, steps[pid]):>8.1f}")


if __name__ == "__main__":
    main()
