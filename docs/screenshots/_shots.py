"""What every make_*_screenshots.py script shares: the offscreen set-up, the application, and waiting for, settling
and shooting the real window. Import it first: it sets the environment before Qt and rnnlab load.

    import _shots  # noqa: I001  (first: the environment before Qt)
    app = _shots.application()
    w = _shots.window(cfg, (1280, 800))
    w.start_training()
    _shots.wait(lambda: not w.is_training())
    _shots.shoot(w, "window-1280x800-gates.png")    # settles, saves beside this file, prints the path
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The default layout, not the developer's own; runs and races go to a throw-away library, not theirs.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="rnnlab-shots-config-")
os.environ.setdefault("RNNLAB_HOME", tempfile.mkdtemp(prefix="rnnlab-shots-"))

import torch  # noqa: E402,F401  (before Qt, as the app does on Windows)

HERE = Path(__file__).resolve().parent
_OPEN: list = []  # the windows `window` made, for `close_all`


def application():
    """The QApplication made the way rnnlab makes it (the C-locale shield), with rnnlab's theme."""
    from rnnlab.app import theme
    from rnnlab.app.application import application as make

    app = make()
    theme.apply(app)
    return app


def wait(condition, timeout: float = 600.0) -> None:
    """Run the event loop until `condition()` holds; a script that waits longer than `timeout` s ends, saying so."""
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {timeout:g} s")
        QApplication.processEvents()
        time.sleep(0.005)


def settle(seconds: float = 0.5) -> None:
    """Run the event loop for `seconds`: queued repaints, relayouts and the plots' timers catch up."""
    end = time.monotonic() + seconds
    wait(lambda: time.monotonic() >= end, timeout=seconds + 60)


def window(cfg=None, size=(1280, 800), ready: float = 120.0):
    """The real main window on `cfg` (the default experiment if None), shown at `size`, its model prepared."""
    from rnnlab.app.main_window import MainWindow

    w = MainWindow(cfg)
    w.ask_before_discarding(False)  # nobody answers the unsaved-run question in a script
    w.resize(*size)
    w.show()
    if not w.wait_ready(ready):
        raise SystemExit("the model never arrived")
    _OPEN.append(w)
    return w


def pause_at(w, step: int, timeout: float = 900.0) -> None:
    """Train in window `w` and pause it at `step` or just after: every plot has data, the run is not over."""
    w.start_training()
    wait(lambda: w.trainer is not None and w.trainer.step >= step, timeout)
    w.pause()
    wait(w.is_paused, timeout)


def close_all() -> None:
    """Close every window `window` made and delete it now, so that no thread outlives the script."""
    from PySide6.QtCore import QCoreApplication, QEvent

    while _OPEN:
        w = _OPEN.pop()
        w.close()
        w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


def shoot(widget, name: str, seconds: float = 0.5) -> Path:
    """Settle, then save what `widget` shows as `name` beside this file; prints and returns the path."""
    settle(seconds)
    path = HERE / name
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(path)
    return path
