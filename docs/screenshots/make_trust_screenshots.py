"""Screenshots of issue 9's flows, for docs/gui.md: the real window, offscreen.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_trust_screenshots.py

- window-1280x800-own-csv.png       a CSV of one's own chosen: the dataset switches to it, its preview and forecast
- window-1280x800-reopened-gradients.png   a vanilla RNN on the adding problem, saved and opened again: the Gradients
                                     tab with the dashed "before training" curve and every probe in the history
- window-1024x768-charlm-100.png / -130.png   the char-LM task at 1024x768, at 100 % and View > Zoom 130 %
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()  # the default layout, not the developer's own

import numpy as np  # noqa: E402
import torch  # noqa: E402,F401  (before Qt, as the app does on Windows)
from PySide6.QtWidgets import QApplication  # noqa: E402

HERE = Path(__file__).resolve().parent


def wait(app, condition, timeout=300.0):
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.005)


def settle(app, n=30):
    for _ in range(n):
        app.processEvents()


def main() -> int:
    app = QApplication(sys.argv[:1])
    from rnnlab.app import theme
    from rnnlab.config import experiment
    from rnnlab.app.main_window import MainWindow

    theme.apply(app)
    made = []
    tmp = Path(tempfile.mkdtemp())

    def window(cfg, size):
        w = MainWindow(cfg)
        w.ask_before_discarding(False)
        w.resize(*size)
        w.show()
        if not w.wait_ready(120):
            raise SystemExit("no model")
        made.append(w)
        return w

    def shot(w, name):
        settle(app)
        path = HERE / name
        w.grab().save(str(path))
        print(path)

    # 1. A CSV of one's own: monthly shop sales with a trend and a yearly season.
    t = np.arange(96)
    sales = 200 + 3 * t + 40 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(3).normal(0, 8, len(t))
    csv = tmp / "shop-sales.csv"
    csv.write_text("month,sales\n" + "".join(f"{2017 + i // 12}-{i % 12 + 1:02d},{v:.1f}\n"
                                             for i, v in enumerate(sales)), encoding="utf-8")
    w = window(experiment(changes={"task.period": 12}), (1280, 800))
    editor = w.panel.editor("task.csv_path")
    editor.setText(str(csv))
    editor.textEdited.emit(str(csv))
    wait(app, lambda: not w.panel.is_checking())
    w.wait_ready(120)
    w.start_training()
    wait(app, lambda: not w.is_training())
    shot(w, "window-1280x800-own-csv.png")

    # 2. The vanishing gradient, saved and opened again.
    cfg = experiment("adding", {"model.cell": "rnn_tanh", "training.steps": 300})
    w = window(cfg, (1280, 800))
    w.tabs.setCurrentIndex(1)
    w.start_training()
    wait(app, lambda: not w.is_training())
    w.save_run(tmp / "adding-rnn")
    again = window(experiment(), (1280, 800))
    again.tabs.setCurrentIndex(1)
    again.open_run(tmp / "adding-rnn")
    again.wait_ready(120)
    shot(again, "window-1280x800-reopened-gradients.png")

    # 3. The char-LM task on a 1024x768 projector, at 100 % and 130 %.
    for zoom in (1.0, 1.3):
        w = window(experiment("charlm"), (1024, 768))
        w.set_zoom(zoom)
        shot(w, f"window-1024x768-charlm-{int(zoom * 100)}.png")
    made[-1].set_zoom(1.0)

    from PySide6.QtCore import QCoreApplication, QEvent

    for w in made:
        w.close()
        w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    return 0


if __name__ == "__main__":
    sys.exit(main())
