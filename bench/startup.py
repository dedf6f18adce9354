"""Start-up as a ratio: process start to a *usable* main window, against `import torch` and a bare PySide6 window.

"Usable" is what a student feels: the experiment form accepts a keystroke (a text field of the form, enabled and
visible, takes a typed digit) and the event loop then answers a zero-delay timer within 50 ms. Three kinds of fresh
process, each timed from its own start (the kernel's start time in /proc/self/stat) to that moment, `--runs` of each,
interleaved so that a busy minute on the machine hits all of them alike, after one round not counted (the files in
the page cache) and with rnnlab's bytecode compiled (as installed):

    torch   `python -c "import torch"`: the floor of any window that waits for torch
    bare    a QMainWindow holding one QLineEdit: the floor of any PySide6 window
    app     `rnnlab` (rnnlab.app.launch): the real window, its form found by type; also its first paint, and whether
            the form was enabled at that paint
    before  (with --before DIR) the same app from another checkout, e.g. the main branch: before and after, same minutes

It prints the medians, "usable main window / import torch" (issue 24's goal: <= 0.8, reachable only because the
window no longer waits for torch: rnnlab/app/engine_loader.py), the load average around the measurement (the machine
may be shared), and then the event loop's lateness while torch loads behind the usable window (`--loading` fresh
starts, bench/gui_responsiveness.py; goal p99 <= 50 ms). Runs offscreen unless QT_QPA_PLATFORM says otherwise (or
under `xvfb-run -a python bench/startup.py` for a real X server).

Usage: python bench/startup.py [--runs 5] [--before /path/to/other/checkout] [--loading 5] [--json]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ANSWER_MS = 50  # the event loop must run a zero-delay timer within this long
GIVE_UP_S = 120


def process_age() -> float:
    """Seconds since this process started, from the kernel's record (Linux; elsewhere 0 at this module's import)."""
    try:
        with open("/proc/self/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        with open("/proc/uptime", "rb") as fh:
            uptime = float(fh.read().split()[0])
        return max(0.0, uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _T0


_T0 = time.perf_counter()


def _report(seconds: float, **more) -> None:
    print("READY " + json.dumps({"usable": seconds, **more}), flush=True)


def wait_until_usable(find_field, on_usable) -> None:
    """Poll (from the event loop) until `find_field()` gives an enabled, visible text field that takes a typed digit,
    then until a zero-delay timer runs within ANSWER_MS; then call on_usable(process_age())."""
    from PySide6.QtCore import QTimer, Qt
    from PySide6.QtTest import QTest

    deadline = time.monotonic() + GIVE_UP_S

    def try_keystroke() -> None:
        field = find_field()
        if field is not None and field.isEnabled() and field.isVisible() and not field.isReadOnly():
            before = field.text()
            QTest.keyClick(field, Qt.Key_End)
            QTest.keyClick(field, Qt.Key_0)
            if field.text() != before:
                check_loop()
                return
        if time.monotonic() > deadline:
            raise SystemExit("no form field accepted a keystroke")
        QTimer.singleShot(10, try_keystroke)

    def check_loop() -> None:
        posted = time.perf_counter()

        def answered() -> None:
            if (time.perf_counter() - posted) * 1000 <= ANSWER_MS:
                on_usable(process_age())
            elif time.monotonic() > deadline:
                raise SystemExit(f"the event loop never answered within {ANSWER_MS} ms")
            else:
                check_loop()

        QTimer.singleShot(0, answered)

    QTimer.singleShot(0, try_keystroke)


def child_app() -> int:
    from rnnlab.app import launch

    def ready(timings: dict) -> None:
        from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow

        app = QApplication.instance()
        window = next(w for w in app.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible())
        panel = getattr(window, "panel", window)  # the experiment form; the whole window if it moves

        def find_field():
            return next((f for f in panel.findChildren(QLineEdit) if f.isVisible() and f.isEnabled()), None)

        def usable(seconds: float) -> None:
            _report(seconds, **timings)
            app.quit()

        wait_until_usable(find_field, usable)

    return launch(on_ready=ready)


def child_bare() -> int:
    from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    field = QLineEdit("1")
    window.setCentralWidget(field)
    window.resize(1024, 768)
    window.show()

    def usable(seconds: float) -> None:
        _report(seconds)
        app.quit()

    wait_until_usable(lambda: field, usable)
    return app.exec()


def child_torch() -> int:
    import torch  # noqa: F401

    _report(process_age())
    return 0


CHILDREN = {"app": child_app, "bare": child_bare, "torch": child_torch}


def run_child(kind: str, tree: str = "") -> dict:
    """One fresh process of `kind`; `tree`: the checkout whose rnnlab it imports (this one by default)."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "XDG_CONFIG_HOME": tempfile.mkdtemp(prefix="rnnlab-bench-")}  # a fresh window layout, not the user's
    if tree:
        env["PYTHONPATH"] = os.pathsep.join([tree, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", kind], capture_output=True,
                          text=True, env=env, timeout=GIVE_UP_S + 90)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("READY ")), None)
    if proc.returncode != 0 or line is None:
        raise SystemExit(f"the {kind} child failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return json.loads(line[len("READY "):])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", default="", metavar="DIR",
                        help="also time the app of this checkout (e.g. the main branch), interleaved with the others")
    parser.add_argument("--loading", type=int, default=5, metavar="N",
                        help="fresh starts for the event loop's lateness while torch loads (0: skip)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return CHILDREN[args.child]()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    kinds = {"torch": ("torch", ""), "bare": ("bare", ""), "app": ("app", here)}
    if args.before:
        kinds["before"] = ("app", os.path.abspath(args.before))
    for _child, tree in kinds.values():
        if tree:
            # What an installed rnnlab has: its modules' bytecode (a checkout run with PYTHONDONTWRITEBYTECODE, as here,
            # would compile ~100 modules at every start). py_compile writes it whatever that variable says.
            compileall.compile_dir(os.path.join(tree, "rnnlab"), quiet=1)
    for kind, (child, tree) in kinds.items():
        run_child(child, tree)  # a round not counted: the files in the page cache, as on a second start
    load_before = os.getloadavg()
    results: dict[str, list[dict]] = {kind: [] for kind in kinds}
    for _ in range(args.runs):
        for kind, (child, tree) in kinds.items():
            results[kind].append(run_child(child, tree))
    load_after = os.getloadavg()
    times = {kind: [r["usable"] for r in rs] for kind, rs in results.items()}
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    paints = [r["first_paint"] for r in results["app"] if "first_paint" in r]
    result = {"runs": results, "medians": medians, "app_over_torch": medians["app"] / medians["torch"],
              "app_over_bare": medians["app"] / medians["bare"],
              "first_paint_median": statistics.median(paints) if paints else None,
              "form_enabled_at_first_paint": all(r.get("form_enabled") for r in results["app"]),
              "load_average": {"before": load_before, "after": load_after},
              "platform": os.environ.get("QT_QPA_PLATFORM", "offscreen"), "cpus": os.cpu_count()}
    if args.before:
        result["before_over_torch"] = medians["before"] / medians["torch"]
    if args.loading > 0:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from gui_responsiveness import measure_loading

        result["while_loading"] = measure_loading(args.loading)
        result["load_average"]["after_loading"] = os.getloadavg()
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"start-up, median of {args.runs} fresh processes each, interleaved ({result['platform']}, "
          f"{result['cpus']} CPUs, load average {load_before[0]:.1f} before, {load_after[0]:.1f} after):")
    labels = {"torch": '`python -c "import torch"`', "bare": "a bare PySide6 window, usable",
              "app": "rnnlab's main window, usable", "before": f"the same from {args.before}"}
    for kind in kinds:
        spread = ", ".join(f"{t:.2f}" for t in times[kind])
        print(f"  {labels[kind]:<34} {medians[kind]:6.2f} s   ({spread})")
    if paints:
        print(f"  main window's first paint          {result['first_paint_median']:6.2f} s   "
              f"(form enabled then: {'yes' if result['form_enabled_at_first_paint'] else 'NO'})")
    print(f"usable main window / import torch:  {result['app_over_torch']:.2f}   (goal <= 0.8)")
    if args.before:
        print(f"  the same from {args.before}:  {result['before_over_torch']:.2f}")
    print(f"usable main window / bare window:   {result['app_over_bare']:.2f}")
    if args.loading > 0:
        r = result["while_loading"]
        print(f"while torch loads behind it ({r['runs']} starts, {statistics.median(r['loading_s']):.2f} s of loading, "
              f"load average {result['load_average']['after_loading'][0]:.1f}): 10 ms timer lateness "
              f"p50 {r['lateness_p50_ms']:.1f} ms, p99 {r['lateness_p99_ms']:.1f} ms, max {r['lateness_max_ms']:.1f} ms"
              f"   (goal p99 <= 50)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
