"""Does a workshop window grow with every run? Trains and resets 30 short runs in one real window, the seven tasks in
turn, and prints the process's resident memory (RSS) after each run and the growth from run 1 to run 30.

Target: at most 50 MB of growth from run 1 to run 30 (issue 19, item 14: every finished run's Trainer used to stay
alive until the process ended, so the window grew by each run's model, optimizer state and task data). The first
run of each task loads its data and imports its modules once, so runs 1-7 grow by design; what matters is that
runs 8-30 do not add up.

    python bench/window_memory.py [--runs 30] [--steps 30] [--objects]

Every window call is made from inside an event, as a click makes it: a `deleteLater()` called from plain script code
outside any event is never delivered (Qt runs it when the event loop that posted it returns), so calling the window
directly left objects behind that the app deletes. `--objects` also prints glibc's heap in use after each run and, at
the end, the Python object types whose count grew from run 7 to the last run of the same task (run 28 of 30, after a
`gc.collect()`): a type that grows with the runs is a leak to chase; heap in use that stays flat while RSS creeps is
the allocator, not a leak.

No threshold in the tests (the weak-reference tests in tests/gui/test_session.py and tests/gui/test_memory_bounded.py
are the check there); this script prints the numbers. The machine is shared: RSS also moves with the allocator's
caching, read it as a trend.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import gc
import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The bench's window saves its layout on close: into a scratch folder, not the user's own settings.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="rnnlab-bench-")

# Short runs of every task, small enough that 30 of them take a few minutes on one core.
TASKS = {
    "adding": {"task": {"name": "adding", "options": {"length": 30, "train_size": 512}},
               "model": {"cell": "lstm", "hidden_size": 16}},
    "memory": {"task": {"name": "memory", "options": {"gap": 30, "keys": 3}},
               "model": {"cell": "lstm", "hidden_size": 16, "embedding_size": 4}},
    "forecast": {"task": {"name": "forecast"}, "model": {"cell": "gru", "hidden_size": 16}},
    "tagging": {"task": {"name": "tagging"},
                "model": {"cell": "gru", "hidden_size": 16, "embedding_size": 8, "bidirectional": True}},
    "sentiment": {"task": {"name": "sentiment", "options": {"vocab_size": 2000}},
                  "model": {"cell": "lstm", "hidden_size": 16, "embedding_size": 8}},
    "charlm": {"task": {"name": "charlm", "options": {"max_chars": 30_000}},
               "model": {"cell": "gru", "hidden_size": 32, "embedding_size": 8},
               "training": {"tbptt": 32, "batch_size": 8}},
    "dates": {"task": {"name": "dates", "options": {"eval_size": 100}},
              "model": {"cell": "gru", "hidden_size": 16, "embedding_size": 8}},
}


def rss_mb() -> float:
    """Resident memory now (not the peak), in MB: /proc on Linux, else the peak from getrusage as a stand-in."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 1e6 if sys.platform == "darwin" else peak / 1e3


def heap_in_use_mb() -> float | None:
    """glibc's heap in use (mallinfo2's uordblks, every arena), in MB: live allocations, not the freed memory the
    allocator holds on to. None where there is no mallinfo2 (not glibc, or glibc before 2.33)."""
    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                         "fsmblks", "uordblks", "fordblks", "keepcost")]
    try:
        fn = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):
        return None
    fn.restype = MallInfo2
    info = fn()
    return (info.uordblks + info.hblkhd) / 1e6


def type_counts() -> collections.Counter:
    gc.collect()
    return collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())


def from_event(fn, *args):
    """Call fn(*args) from inside an event, as a click would, and return its result (see the module's docstring)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    result: list = []

    def call() -> None:
        try:
            result.append((fn(*args), None))
        except Exception as exc:  # raised again below, outside the event
            result.append((None, exc))

    QTimer.singleShot(0, call)
    while not result:
        QApplication.processEvents()
    QApplication.processEvents()  # the deferred deletions the call posted
    value, error = result[0]
    if error is not None:
        raise error
    return value


def train_to_end(window, timeout_s: float = 300.0) -> str:
    """Press Train and process events until the run ends; its status."""
    from PySide6.QtWidgets import QApplication

    ended: list[str] = []
    window.training_finished.connect(ended.append)
    try:
        if not from_event(window.start_training):
            return "not started"
        deadline = time.monotonic() + timeout_s
        while not ended and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.005)
    finally:
        window.training_finished.disconnect(ended.append)
    return ended[0] if ended else "timed out"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--steps", type=int, default=30, help="steps per run")
    parser.add_argument("--objects", action="store_true",
                        help="also print the heap in use and the object types that grew from run 7 on")
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    from rnnlab import config
    from rnnlab.app.main_window import MainWindow
    from rnnlab.app.run.session import wait_for_closed_runs

    app = QApplication.instance() or QApplication([])

    def cfg(task: str) -> config.RunConfig:
        spec = TASKS[task]
        return config.experiment_from({**spec, "training": {"steps": args.steps, **spec.get("training", {})}},
                                      suggested=False)

    names = list(TASKS)
    window = MainWindow(cfg(names[0]))
    window.ask_before_discarding(False)
    window.resize(1280, 800)
    window.show()
    window.wait_ready(60)
    print(f"{args.runs} runs of {args.steps} steps, the {len(names)} tasks in turn; RSS before the first run "
          f"{rss_mb():.0f} MB", flush=True)
    sizes = []
    counts = grown = None
    last_round = len(names) * (args.runs // len(names))  # the last run of the task run 7 had: the same views shown
    for i in range(args.runs):
        task = names[i % len(names)]
        from_event(window.set_config, cfg(task))
        window.wait_ready(60)
        status = train_to_end(window)
        from_event(window.reset)
        window.wait_ready(60)
        sizes.append(rss_mb())
        heap = heap_in_use_mb() if args.objects else None
        print(f"  run {i + 1:2d} {task:<10} {status:<9} RSS {sizes[-1]:7.1f} MB  "
              f"({sizes[-1] - sizes[0]:+6.1f} MB since run 1)" + (f"  heap in use {heap:6.1f} MB" if heap else ""),
              flush=True)
        if args.objects and i + 1 == len(names):
            counts = type_counts()
        elif counts is not None and i + 1 == last_round:
            grown = type_counts()
            grown.subtract(counts)
    window.close()
    app.processEvents()
    wait_for_closed_runs()
    if len(sizes) > len(names):
        second = sizes[len(names) - 1]
        print(f"\ngrowth from run 1 to run {len(sizes)}: {sizes[-1] - sizes[0]:+.1f} MB (target <= 50 MB); "
              f"from run {len(names)} (every task loaded once) to run {len(sizes)}: {sizes[-1] - second:+.1f} MB")
    if grown is not None:
        top = [(n, t) for t, n in grown.most_common(15) if n > 0]
        print(f"object types that grew from run {len(names)} to run {last_round} (both {names[-1]}): "
              + (", ".join(f"{t} +{n}" for n, t in top) or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
