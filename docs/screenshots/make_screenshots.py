"""Re-make the README screenshots: the real window, offscreen, paused mid-training at 1280x800 and 1920x1080.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_screenshots.py

The default experiment (LSTM on airline passengers) is paused at about half of its steps, so every plot has data.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()  # the default layout, not the developer's own

import torch  # noqa: E402,F401  (before Qt, as the app does on Windows)
from PySide6.QtWidgets import QApplication  # noqa: E402

HERE = Path(__file__).resolve().parent


def wait(app, condition, timeout=120.0):
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.005)


def main() -> int:
    app = QApplication(sys.argv[:1])
    from rnnlab.app import theme
    from rnnlab.config import experiment
    from rnnlab.app.main_window import MainWindow

    theme.apply(app)
    for width, height in ((1280, 800), (1920, 1080)):
        w = MainWindow(experiment())
        w.resize(width, height)
        w.show()
        if not w.wait_ready(60):
            raise SystemExit("no model")
        w.start_training()
        wait(app, lambda: w.trainer is not None and w.trainer.step >= 300)
        w.pause()
        wait(app, w.is_paused)
        for _ in range(20):
            app.processEvents()
        for index, name in ((0, "gates"), (1, "gradients")):
            w.tabs.setCurrentIndex(index)
            for _ in range(20):
                app.processEvents()
            path = HERE / f"window-{width}x{height}-{name}.png"
            w.grab().save(str(path))
            print(path)
        w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
