"""How responsive the real window stays while it trains at full speed, and how fast it appears.

    python bench/gui_responsiveness.py [--seconds 10] [--startup-runs 3] [--tab Gates|Gradients|Cell] [--task NAME] [--json]
    python bench/gui_responsiveness.py --race 3 [--tab Gradients]     # a race of 3 cells on the adding problem
    python bench/gui_responsiveness.py --loading 5                     # the event loop while torch loads

1. Start-up: launches `rnnlab.app.launch()` in a fresh process (offscreen) a few times and reports the seconds from
   process start to the start-up window shown and to the main window shown (target: a window within 1.5 s).
2. Responsiveness: opens the real MainWindow offscreen on the default experiment (LSTM on airline passengers, with
   more steps so it trains for the whole measurement), presses Train, and runs a 10 ms Qt.PreciseTimer on the GUI
   thread. Lateness of a tick = time since the previous tick minus 10 ms: how long the event loop could not react.
   Prints p50 / p99 / max lateness (targets: p99 <= 16 ms, max <= 100 ms) and plot refreshes per second (>= 20).
3. With --race N: the same window races N cells (vanilla RNN, LSTM, GRU, ReLU RNN) on the adding problem at T=100,
   each in its own worker process, all overlaid; measured once every runner is training (targets as above, and
   >= 10 plot refreshes per second).

4. With --loading N: only this. N fresh starts of the app; from the main window's first paint until torch and the
   engine have loaded behind it (rnnlab/app/engine_loader.py), the same 10 ms timer's lateness (target: p99 <= 50 ms,
   issue 24). bench/startup.py prints it too.

The machine is shared: run it more than once and read the numbers as a range.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The bench's windows save their layout on close: into a scratch folder, not the user's own settings.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="rnnlab-bench-")

INTERVAL_MS = 10


def startup_child() -> int:
    """Runs in the child process: launch the app, print the timings once the main window is shown, quit."""
    from rnnlab.app import launch

    def ready(timings: dict) -> None:
        from PySide6.QtWidgets import QApplication

        print("TIMINGS " + json.dumps(timings), flush=True)
        QApplication.instance().quit()

    return launch(on_ready=ready)


def measure_startup(runs: int) -> list[dict]:
    results = []
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, __file__, "--startup-child"], capture_output=True, text=True,
                              env=env, timeout=120)
        wall = time.perf_counter() - t0
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("TIMINGS ")), None)
        if line is None:
            raise SystemExit(f"the start-up child failed:\n{proc.stdout}\n{proc.stderr}")
        timings = json.loads(line[len("TIMINGS "):])
        timings["process_total"] = wall
        results.append(timings)
    return results


def loading_child() -> int:
    """Runs in the child process: launch the app and, from the main window's first paint (when torch starts loading
    in the background) until torch and the engine are in, tick a 10 ms precise timer; print the ticks, quit."""
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from rnnlab.app import engine_loader, launch

    held: dict = {}

    def ready(timings: dict) -> None:
        clock = QElapsedTimer()
        clock.start()
        ticks: list[int] = []
        timer = QTimer()
        timer.setTimerType(Qt.PreciseTimer)
        timer.setInterval(INTERVAL_MS)

        def tick() -> None:
            ticks.append(clock.nsecsElapsed())
            if engine_loader.is_loaded() or engine_loader.error() is not None:
                timer.stop()
                print("LOADING " + json.dumps({"ticks_ns": ticks, "first_paint": timings["first_paint"],
                                               "loaded": timings["first_paint"] + clock.nsecsElapsed() / 1e9}),
                      flush=True)
                QApplication.instance().quit()

        timer.timeout.connect(tick)
        timer.start()
        held["timer"] = timer

    return launch(on_ready=ready)


def lateness(ticks_ns):
    """How late each tick of the INTERVAL_MS timer came (ms): the time the event loop could not react."""
    import numpy as np

    gaps = np.diff(np.asarray(ticks_ns, dtype=np.float64)) / 1e6
    return np.maximum(gaps - INTERVAL_MS, 0.0)


def measure_loading(runs: int) -> dict:
    """The event loop's lateness while torch loads behind the usable window, pooled over `runs` fresh processes."""
    import numpy as np

    late, spans = [], []
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    for _ in range(runs):
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--loading-child"], capture_output=True,
                              text=True, env={**env, "XDG_CONFIG_HOME": tempfile.mkdtemp(prefix="rnnlab-bench-")},
                              timeout=180)
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("LOADING ")), None)
        if line is None:
            raise SystemExit(f"the loading child failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
        r = json.loads(line[len("LOADING "):])
        late.append(lateness(r["ticks_ns"]))
        spans.append(r["loaded"] - r["first_paint"])
    pooled = np.concatenate(late)
    return {"runs": runs, "ticks": int(pooled.size), "loading_s": spans,
            "lateness_p50_ms": float(np.percentile(pooled, 50)), "lateness_p99_ms": float(np.percentile(pooled, 99)),
            "lateness_max_ms": float(pooled.max())}


RACE_CELLS = ("rnn_tanh", "lstm", "gru", "rnn_relu")


def measure_responsiveness(seconds: float, tab: str = "Gates", task: str = "", warmup: float = 1.5,
                           race: int = 0) -> dict:
    import numpy as np
    import torch  # noqa: F401  (before Qt, as the app does on Windows)
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    from rnnlab.app.application import application

    app = application([])
    from rnnlab.app import theme
    from rnnlab.config import experiment
    from rnnlab.app.main_window import MainWindow

    theme.apply(app)
    if race:  # the race's runners: an LSTM-suggested adding problem of length 100
        cfg = experiment("adding", {"task.length": 100, "training.steps": 10_000_000})
    else:
        cfg = experiment(task or None, {"training.steps": 10_000_000})
    window = MainWindow(cfg)
    window.ask_before_discarding(False)  # it closes the window itself, with or without a saved run
    window.resize(1280, 800)
    window.show()
    names = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    if tab not in names:
        raise SystemExit(f"no tab {tab!r}: choose one of {', '.join(names)}")
    window.tabs.setCurrentIndex(names.index(tab))
    if not window.wait_ready(60):
        raise SystemExit("the window never got its model")

    clock = QElapsedTimer()
    ticks: list[int] = []
    timer = QTimer()
    timer.setTimerType(Qt.PreciseTimer)
    timer.setInterval(INTERVAL_MS)
    timer.timeout.connect(lambda: ticks.append(clock.nsecsElapsed()))

    if race:
        window.many.start_race(window.config(), "model.cell", RACE_CELLS[:race])
        steps_done = lambda: sum(t.info.step for t in window.many.all_runs if t.info is not None)  # noqa: E731
        started = lambda: all(t.info is not None and t.info.step > 0 for t in window.many.all_runs)  # noqa: E731
    else:
        window.start_training()
        steps_done = lambda: window.trainer.step  # noqa: E731
        started = lambda: True  # noqa: E731
    clock.start()
    timer.start()
    # Warm up (worker processes started, first probe, first view), then measure.
    deadline = time.perf_counter() + warmup
    while time.perf_counter() < deadline or not started():
        app.processEvents()
        time.sleep(0.001)
        if time.perf_counter() > deadline + 120:
            raise SystemExit("the race's runners never started")
    ticks.clear()
    refreshes0, step0, t0 = window.refresh_count, steps_done(), time.perf_counter()
    loop_timer = QTimer()
    loop_timer.setSingleShot(True)
    loop_timer.timeout.connect(app.quit)
    loop_timer.start(int(seconds * 1000))
    app.exec()  # the real event loop, as in the app
    elapsed = time.perf_counter() - t0
    refreshes, steps = window.refresh_count - refreshes0, steps_done() - step0
    timer.stop()
    window.close()

    late = lateness(ticks)
    return {"seconds": elapsed, "ticks": len(ticks), "lateness_p50_ms": float(np.percentile(late, 50)),
            "lateness_p99_ms": float(np.percentile(late, 99)), "lateness_max_ms": float(late.max()),
            "refreshes_per_s": refreshes / elapsed, "train_steps_per_s": steps / elapsed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to measure responsiveness")
    parser.add_argument("--startup-runs", type=int, default=3, help="fresh processes for the start-up time")
    parser.add_argument("--tab", default="Gates", help="which bottom tab is shown while training (Gates, Gradients, Cell)")
    parser.add_argument("--task", default="", help="train this task (with its suggested settings) instead")
    parser.add_argument("--race", type=int, default=0, choices=range(0, 5), metavar="N",
                        help="race N cells (2-4) on the adding problem instead of training one run")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    parser.add_argument("--loading", type=int, default=0, metavar="N",
                        help="only the event loop's lateness while torch loads behind the window, N fresh starts")
    parser.add_argument("--startup-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--loading-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.startup_child:
        return startup_child()
    if args.loading_child:
        return loading_child()
    if args.loading:
        r = measure_loading(args.loading)
        print(f"while torch loads behind the usable window ({r['runs']} fresh starts, "
              f"{', '.join(f'{s:.2f}' for s in r['loading_s'])} s of loading, {r['ticks']} ticks): 10 ms timer "
              f"lateness p50 {r['lateness_p50_ms']:.1f} ms, p99 {r['lateness_p99_ms']:.1f} ms, "
              f"max {r['lateness_max_ms']:.1f} ms (target: p99 <= 50)")
        if args.json:
            print(json.dumps(r, indent=2))
        return 0

    print(f"rnnlab GUI responsiveness ({os.cpu_count()} CPUs, QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']})")
    result: dict = {}
    if args.startup_runs > 0:
        runs = measure_startup(args.startup_runs)
        result["startup"] = runs
        for i, r in enumerate(runs, 1):
            print(f"start-up run {i}: window on screen {r['placeholder_shown']:.2f} s, main window "
                  f"{r['window_shown']:.2f} s after process start (whole child process {r['process_total']:.2f} s)")
        best = min(r["placeholder_shown"] for r in runs)
        worst = max(r["placeholder_shown"] for r in runs)
        print(f"time to window shown: {best:.2f}-{worst:.2f} s (target <= 1.5 s)")
    r = measure_responsiveness(args.seconds, args.tab, args.task, race=args.race)
    result["responsiveness"] = r
    what = f"a race of {args.race} cells on adding T=100" if args.race else (args.task or "the default task")
    print(f"training at full speed for {r['seconds']:.1f} s on {what}, {args.tab} tab shown: "
          f"{r['train_steps_per_s']:.0f} steps/s{' (all runners)' if args.race else ''}, "
          f"{r['ticks']} timer ticks")
    print(f"10 ms timer lateness: p50 {r['lateness_p50_ms']:.2f} ms, p99 {r['lateness_p99_ms']:.2f} ms, "
          f"max {r['lateness_max_ms']:.2f} ms (targets: p99 <= 16, max <= 100)")
    print(f"plot refreshes: {r['refreshes_per_s']:.1f} per second (target >= {10 if args.race else 20})")
    if args.json:
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
