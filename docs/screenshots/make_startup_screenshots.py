"""Screenshots of the window before torch has loaded (issue 24): Train pressed at once, the status bar saying that
the run starts as soon as PyTorch is in; and the start-up window shown before the main window.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_startup_screenshots.py [--lang tr]

- startup-waiting-1280x800-<lang>.png    the main window, its data preview read and Train pressed before torch loaded
- startup-waiting-1024x768-<lang>.png    the same at 1024x768
- startup-splash-1280x800-<lang>.png     the start-up window (shown ~0.3 s after the process started)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()  # the default layout, not the developer's own

HERE = Path(__file__).resolve().parent


def main() -> int:
    lang = sys.argv[sys.argv.index("--lang") + 1] if "--lang" in sys.argv else "en"
    from PySide6.QtWidgets import QApplication, QWidget

    from rnnlab import i18n
    from rnnlab.app import engine_loader, theme
    from rnnlab.app.application import application
    from rnnlab.app.startup import StartupWindow

    app = application([])
    i18n.set_language(lang)
    theme.apply(app)
    splash = StartupWindow()
    splash.resize(1280, 800)
    splash.show()
    app.processEvents()
    splash.grab().save(str(HERE / f"startup-splash-1280x800-{lang}.png"))
    splash.close()

    engine_loader.hold()  # torch stays out until the pictures are taken, however fast the machine
    from rnnlab.app.main_window import MainWindow

    window = MainWindow()
    engine_loader.follow(window)
    window.ask_before_discarding(False)
    window.show()
    deadline = time.monotonic() + 60
    while not any(type(w).__name__ == "PlotWidget" for w in window.panel.findChildren(QWidget)):  # the series
        if time.monotonic() > deadline:
            raise SystemExit("the data preview never came")
        app.processEvents()
        time.sleep(0.01)
    window.act_train.trigger()
    assert "torch" not in sys.modules
    for width, height in ((1280, 800), (1024, 768)):
        window.resize(width, height)
        for _round in range(20):
            app.processEvents()
            time.sleep(0.01)
        window.grab().save(str(HERE / f"startup-waiting-{width}x{height}-{lang}.png"))
    engine_loader.release()
    window.stop()
    window.close()
    from rnnlab.app.run.session import wait_for_closed_runs

    wait_for_closed_runs()
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
