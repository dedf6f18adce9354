"""The Qt layer: the only package that imports PySide6 / pyqtgraph. It configures, starts and draws; no training.

Start-up order (`launch`), chosen so a window is on screen well within 1.5 s although torch takes 1.5-2 s to import::

    process start
      ├─ Windows only: import torch FIRST. Qt's own MSVC runtime loaded before torch's c10.dll makes torch fail with
      │  "WinError 1114" (pytorch/pytorch#166628), so there correctness beats speed: the window appears after torch.
      ├─ import PySide6.QtWidgets, QApplication, theme          (~0.3 s)
      ├─ show the start-up window (title, icon, "loading…")     <- on screen here
      ├─ import torch and the engine on a background thread    (the start-up window stays responsive meanwhile)
      └─ import pyqtgraph, build MainWindow at the start-up window's place, show it, close the start-up window

Nothing heavy is imported at module level here, so `import rnnlab.app` stays cheap.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Callable, Optional
from ..i18n import N_, _, ngettext

_T0 = time.perf_counter()


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


def _import_engine(errors: list) -> None:
    """Runs on a background thread: the slow imports (torch ~1.5-2 s), so the start-up window keeps painting."""
    try:
        import torch  # noqa: F401

        from .. import tasks
        from ..train import trainer  # noqa: F401

        tasks.names()  # imports every task module
    except BaseException as exc:  # reported on the GUI thread
        errors.append(exc)


def launch(argv: Optional[list[str]] = None, on_ready: Optional[Callable[[dict], None]] = None) -> int:
    """Open the main window and run the event loop; returns the exit code.

    `on_ready(timings)` (for the start-up benchmark) is called once the real window is shown, with seconds since the
    process started: {"placeholder_shown": ..., "window_shown": ...}."""
    if sys.platform == "win32":
        import torch  # noqa: F401  (see the module docstring: must precede Qt on Windows)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from . import theme
    from .application import application
    from .platform_check import platform_problem
    from .startup import StartupWindow

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

    errors: list = []
    loader = threading.Thread(target=_import_engine, args=(errors,), name="rnnlab-import", daemon=True)
    loader.start()
    holder: dict = {}

    def finish() -> None:
        if loader.is_alive():
            QTimer.singleShot(20, finish)
            return
        if errors:
            splash.show_error(_("rnnlab could not load PyTorch: {value}").format(value=errors[0]))
            return
        from .main_window import MainWindow

        theme.configure_pyqtgraph()
        window = MainWindow()
        holder["window"] = window  # keep a reference for the event loop's lifetime
        window.show()  # where the start-up window was: both restore the same saved geometry
        splash.close()
        timings["window_shown"] = process_age()
        if on_ready is not None:
            on_ready(timings)

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
    return code
