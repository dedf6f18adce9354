"""Screenshots of a lesson in the window (issue 23), for docs/lessons.md: the real window, offscreen.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_lesson_screenshots.py [--lang tr]

- lesson-1280x800-<lang>.png         Lessons > 5 (the LSTM's gates) run to its verdict, the panel beside the plots
- lesson-1024x768-<lang>.png         the same lesson at 1024x768
- presenter-1024x768-<lang>.png      View > Presenter (F11) with lesson 5 open: its first step as the banner
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()  # the default layout, not the developer's own

import torch  # noqa: E402,F401  (before Qt, as the app does on Windows)
from PySide6.QtWidgets import QApplication  # noqa: E402

HERE = Path(__file__).resolve().parent


def wait(app, condition, timeout=600.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.01)


def main() -> int:
    lang = sys.argv[sys.argv.index("--lang") + 1] if "--lang" in sys.argv else "en"
    from rnnlab import i18n

    i18n.set_language(lang)
    app = QApplication(sys.argv[:1])
    from rnnlab.app import theme
    from rnnlab.app.main_window import MainWindow

    theme.apply(app)
    for size in ((1280, 800), (1024, 768)):
        w = MainWindow()
        w.ask_before_discarding(False)
        w.resize(*size)
        w.show()
        wait(app, lambda: w.wait_ready(0.01))
        next(a for a in w.lessons_menu.actions() if a.objectName() == "action_lesson_05-lstm-gates").trigger()
        panel = w.lesson_panel
        w.resizeDocks([w.lesson_dock], [int(size[0] * 0.34)], __import__("PySide6.QtCore").QtCore.Qt.Horizontal)
        done = []
        panel.verdict_ready.connect(done.append)
        panel.start_button.click()
        wait(app, lambda: bool(done))
        w.many.wait_loaded(120)  # a race's runs overlaid on the plots; a one-run lesson's run opened
        wait(app, lambda: bool(panel.shown_path) or len(panel.results) > 1)
        w.wait_ready(60)
        for _ in range(60):
            app.processEvents()
        out = HERE / f"lesson-{size[0]}x{size[1]}-{lang}.png"
        w.grab().save(str(out))
        print(out)
        if size == (1024, 768):
            for i in range(len(panel.step_labels)):
                panel._mark(i, False)  # as before Start: the banner shows the first step
            w.act_presenter.trigger()
            for _ in range(30):
                app.processEvents()
            out = HERE / f"presenter-1024x768-{lang}.png"
            w.grab().save(str(out))
            print(out)
            w.act_presenter.trigger()
        w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
