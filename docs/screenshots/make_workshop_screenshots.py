"""Screenshots of issue 19's window items (a workshop's afternoon), for docs/gui.md: the real window, offscreen.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_workshop_screenshots.py [relu] [race] [projector] [compare]

- workshop-relu-hidden-1280x800.png     a ReLU RNN's hidden state: levels 0..the largest state, stated; the readout
                                         of the cell under the mouse
- workshop-tagging-race-1280x800.png    a tagging race started after an adding run: accuracy and its baselines
- workshop-1024x768-130-gradients.png   the Gradients tab at 1024x768 with View > Zoom 130 %
- workshop-1024x768-130-forecast.png    the forecast at 1024x768, 130 %: the title and the plot whole
- workshop-compare-3-1280x800.png       three saved runs compared: whole legends, the task view keeps its width
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()  # the default layout, not the developer's own
os.environ.setdefault("RNNLAB_HOME", tempfile.mkdtemp())  # the race's folder: not the developer's library

import torch  # noqa: E402,F401  (before Qt, as the app does on Windows)
from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

HERE = Path(__file__).resolve().parent


def wait(app, condition, timeout=600.0):
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


def main(which) -> int:
    app = QApplication(sys.argv[:1])
    import numpy as np

    from rnnlab.app import theme
    from rnnlab.config import experiment
    from rnnlab.app.main_window import MainWindow

    theme.apply(app)
    made = []

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

    def train(w):
        w.start_training()
        wait(app, lambda: not w.is_training())
        settle(app)

    if "relu" in which:
        cfg = experiment("tagging")
        for key, value in (("model.cell", "rnn_relu"), ("model.bidirectional", False), ("model.hidden_size", 32),
                           ("training.steps", 300), ("training.learning_rate", 0.01)):
            cfg = cfg.replace(key, value)
        w = window(cfg, (1280, 800))
        train(w)
        w.tabs.setCurrentIndex(0)
        w.scheduler.refresh(force=True)
        settle(app)
        h = w.gates_panel.heatmaps["h"]
        image = h.image.image
        unit, t = np.unravel_index(int(np.nanargmax(image)), image.shape)
        w.gates_panel.glw.scene().sigMouseMoved.emit(h.item.getViewBox().mapViewToScene(QPointF(t + 0.5, unit + 0.5)))
        shot(w, "workshop-relu-hidden-1280x800.png")

    if "race" in which:
        cfg = experiment("adding", {"training.steps": 200})
        w = window(cfg, (1280, 800))
        train(w)
        tagging = experiment("tagging", {"training.steps": 300})
        w.set_config(tagging)
        w.wait_ready(120)
        w.many.start_race(w.config(), "model.bidirectional", [False, True])
        wait(app, lambda: not w.many.race.is_running())
        settle(app, 200)
        w.tabs.setCurrentIndex(0)
        shot(w, "workshop-tagging-race-1280x800.png")
        w.many.leave()

    if "projector" in which:
        cfg = experiment(changes={"training.steps": 300})
        w = window(cfg, (1024, 768))
        w.set_zoom(1.3)
        train(w)
        w.tabs.setCurrentIndex(1)
        shot(w, "workshop-1024x768-130-gradients.png")
        w.tabs.setCurrentIndex(0)
        shot(w, "workshop-1024x768-130-forecast.png")
        w.set_zoom(1.0)

    if "compare" in which:
        from rnnlab.runs.store import save_run
        from rnnlab.train.trainer import Trainer

        folder = Path(tempfile.mkdtemp())
        paths = []
        base = experiment(changes={"training.steps": 60})
        for name, cfg in (("lstm-clip", base), ("lstm-noclip", base.replace("training.clip_grad", False)),
                          ("gru-clip", base.replace("model.cell", "gru"))):
            trainer = Trainer(cfg)
            list(trainer.run())
            paths.append(save_run(trainer, folder / name))
        w = window(experiment(), (1280, 800))
        w.many.compare(paths)
        w.many.wait_loaded()
        settle(app, 100)
        shot(w, "workshop-compare-3-1280x800.png")
        w.many.leave()

    from PySide6.QtCore import QCoreApplication, QEvent

    for w in made:
        w.close()
        w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["relu", "race", "projector", "compare"]))
