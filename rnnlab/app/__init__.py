"""The Qt layer: the only package that imports PySide6 / pyqtgraph. It configures, starts and draws; no training.

Start-up order (`launch`), chosen so that the window is in use before torch (1.5-2 s to import) has loaded (issue 24)::

    process start
      ├─ Windows only: import torch FIRST. Qt's own MSVC runtime loaded before torch's c10.dll makes torch fail with
      │  "WinError 1114" (pytorch/pytorch#166628), so there correctness beats speed: the window appears after torch.
      ├─ import PySide6.QtWidgets, QApplication, theme          (~0.3 s)
      ├─ show the start-up window (title, icon, "starting…")    <- on screen here
      ├─ import pyqtgraph (lazy_qt.py: PySide6's classes made as used, not all ~720) and the window (no torch),
      │  build MainWindow at the start-up window's place, show it. Left for first use: the Gradients tab's plots
      │  (built when shown or when a run is first configured), the Lessons menu's files (read when it opens)
      ├─ after its first paint: import torch and the engine on a background thread (engine_loader.py)
      │    the form, the task descriptions, the menus, the run library and File > Open work meanwhile;
      │    Train pressed meanwhile starts once torch is in, and the status bar says so
      └─ torch loaded: the device menu lists this computer's devices

Nothing heavy is imported at module level here, so `import rnnlab.app` stays cheap; nothing the window imports at
module level loads torch (tests/test_import_light.py).
"""

from __future__ import annotations

import gc
import os
import sys
import time
from typing import Callable, Optional

from . import lazy_qt

lazy_qt.install()  # before anything imports pyqtgraph: it then creates PySide6's classes as used, not all at once
_T0 = time.perf_counter()
RELEASE_ANYWAY_MS = 3000  # torch starts loading at the main window's first paint, or this long after it was shown


def process_age() -> float:
    """Seconds since this process started (Linux: from /proc; elsewhere: since rnnlab.app was imported)."""
    try:
        with open("/proc/self/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 of stat(5), counted after the ")" that ends the command name
        with open("/proc/uptime", "rb") as fh:
            uptime = float(fh.read().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _T0


def launch(argv: Optional[list[str]] = None, on_ready: Optional[Callable[[dict], None]] = None) -> int:
    """Open the main window and run the event loop; returns the exit code.

    `on_ready(timings)` (for the start-up benchmark and the tests) is called on the GUI thread once the main window
    has painted, as torch starts loading, with seconds since the process started: {"placeholder_shown",
    "window_shown", "first_paint"} and "form_enabled" (the experiment form was enabled at that paint)."""
    if sys.platform == "win32":
        import torch  # noqa: F401  (see the module docstring: must precede Qt on Windows)
    # No cyclic collections until torch is in: the start-up's ~300k new objects (Qt, pyqtgraph, torch) made the
    # collector walk them over and over, on the GUI thread too (stalls of 0.1-0.2 s while torch loaded behind it).
    gc.disable()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from . import engine_loader, theme
    from .application import application
    from .platform_check import platform_problem
    from .startup import StartupWindow, on_first_paint

    if QApplication.instance() is None:
        problem = platform_problem()
        if problem is not None:
            print(problem, file=sys.stderr)
            return 1

    app = application(argv)  # shields Qt from a Turkish C locale: see application.py
    from . import language

    language.start()  # before any text is made: --lang/RNNLAB_LANG, the saved View > Language, the system's
    theme.apply(app, plots=False)
    splash = StartupWindow()
    splash.show()
    app.processEvents()
    timings = {"placeholder_shown": process_age()}
    engine_loader.hold()  # the window's own imports and first paint first: they would share the GIL with torch's
    holder: dict = {}

    def painted(form_enabled: bool) -> None:
        timings["first_paint"] = process_age()
        timings["form_enabled"] = form_enabled
        engine_loader.release()
        if on_ready is not None:
            on_ready(timings)

    def finish() -> None:
        from .main_window import MainWindow

        theme.configure_pyqtgraph()
        window = MainWindow()
        holder["window"] = window  # keep a reference for the event loop's lifetime
        engine_loader.follow(window)  # Train pressed before torch is in: the status bar says the run waits for it
        engine_loader.when_loaded(gc.enable)  # the loader froze what it imported (out of the full passes)
        on_first_paint(window, lambda: painted(window.panel.isEnabled() and window.panel.isVisible()))
        window.show()  # where the start-up window was: both restore the same saved geometry
        QTimer.singleShot(RELEASE_ANYWAY_MS, engine_loader.release)  # a window never painted (minimised) still trains
        splash.close()
        timings["window_shown"] = process_age()

    QTimer.singleShot(0, finish)
    code = app.exec()
    # Delete the widgets while the QApplication still exists: left to the interpreter's shutdown, the order in which
    # Python frees the window, pyqtgraph's scenes and the application is undefined, and Qt can crash on the way out.
    from PySide6.QtCore import QCoreApplication, QEvent

    window = holder.pop("window", None)
    for widget in (window, splash):
        if widget is not None:
            widget.close()
            widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    if window is not None:
        from .run.session import wait_for_closed_runs

        wait_for_closed_runs()  # a run closed mid-step ends that step here, with no window left to wait for
    engine_loader.join()  # quit within the first seconds: the interpreter must not exit in the middle of torch's import
    gc.enable()
    return code
