"""Re-make the Turkish screenshots (issue 18): the real window in Turkish, offscreen.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_turkish_screenshots.py [--no-race]

window-tr-1280x800-*.png    the default experiment paused mid-training, Gates and Gradients tabs
window-tr-1024x768-130-*.png the same at 1024x768 with View > Zoom at 130 % (a projector)
window-tr-refusal-1280x800.png the form refusing two values (a word for a number, an English-only comma elsewhere)
race-tr-1280x800-*.png      a short three-cell race on the adding problem (T = 30), its gradients and results
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()  # the default layout, not the developer's own
os.environ["RNNLAB_HOME"] = tempfile.mkdtemp()  # the race folder goes to a throw-away library
os.environ["RNNLAB_LANG"] = "tr"  # the race's worker processes speak Turkish too

import torch  # noqa: E402,F401  (before Qt, as the app does on Windows)
from PySide6.QtWidgets import QApplication  # noqa: E402

HERE = Path(__file__).resolve().parent


def wait(app, condition, timeout=900.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.005)


def settle(app, seconds=0.5):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def shoot(w, name: str) -> None:
    path = HERE / name
    w.grab().save(str(path))
    print(path)


def window_shots(app, size, zoom: float, prefix: str) -> None:
    from rnnlab.config import experiment
    from rnnlab.app.main_window import MainWindow

    w = MainWindow(experiment())
    w.ask_before_discarding(False)
    w.resize(*size)
    w.show()
    if zoom != 1.0:
        w.set_zoom(zoom)
    if not w.wait_ready(60):
        raise SystemExit("no model")
    w.start_training()
    wait(app, lambda: w.trainer is not None and w.trainer.step >= 300)
    w.pause()
    wait(app, w.is_paused)
    settle(app)
    for index, name in ((0, "gates"), (1, "gradients")):
        w.tabs.setCurrentIndex(index)
        settle(app)
        shoot(w, f"{prefix}-{name}.png")
    if zoom != 1.0:
        w.set_zoom(1.0)
    w.close()


def refusal_shot(app) -> None:
    from rnnlab.config import experiment
    from rnnlab.app.main_window import MainWindow

    w = MainWindow(experiment())
    w.ask_before_discarding(False)
    w.resize(1280, 800)
    w.show()
    w.wait_ready(60)
    for key, text in (("model.hidden_size", "altmış dört"), ("training.learning_rate", "0,5,1")):
        editor = w.panel.editor(key)
        editor.setText(text)
        editor.textEdited.emit(text)
    settle(app, 1.0)
    shoot(w, "window-tr-refusal-1280x800.png")
    w.close()


def race_shots(app) -> None:
    from rnnlab import config
    from rnnlab.app.main_window import MainWindow

    cfg = config.experiment("adding", {"task.length": 30, "training.steps": 300, "training.eval_every": 30})
    w = MainWindow(cfg)
    w.ask_before_discarding(False)
    w.resize(1280, 800)
    w.show()
    w.wait_ready(60)
    ended = []
    w.many.start_race(w.config(), "model.cell", ["rnn_tanh", "lstm", "gru"])
    w.many.race.ended.connect(lambda rows, sentence: ended.append(sentence))
    wait(app, lambda: ended)
    print("race:", ended[0])
    settle(app, 1.0)
    w.tabs.setCurrentIndex(1)
    settle(app)
    shoot(w, "race-tr-1280x800-gradients.png")
    w.tabs.setCurrentIndex(w.tabs.count() - 1)
    settle(app)
    shoot(w, "race-tr-1280x800-results.png")
    w.close()


def main(argv) -> int:
    from rnnlab.app import language, theme
    from rnnlab.app.application import application
    from rnnlab.app.places import settings

    app = application(sys.argv[:1])
    language.start()
    theme.apply(app)
    shots = [lambda: window_shots(app, (1280, 800), 1.0, "window-tr-1280x800"),
             lambda: window_shots(app, (1024, 768), 1.3, "window-tr-1024x768-130"), lambda: refusal_shot(app)]
    if "--no-race" not in argv:
        shots.append(lambda: race_shots(app))
    for shot in shots:
        # Each from the default layout: the 1024x768 130 % window hides the form by itself, and a closed window
        # keeps its layout (and the zoom) for the next one, as it does for a user. RNNLAB_LANG keeps Turkish.
        settings().clear()
        shot()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
