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

os.environ["RNNLAB_HOME"] = tempfile.mkdtemp()  # the race folder goes to a throw-away library
os.environ["RNNLAB_LANG"] = "tr"  # the race's worker processes speak Turkish too

import _shots  # noqa: E402  (the offscreen set-up, before Qt)


def window_shots(size, zoom: float, prefix: str) -> None:
    from rnnlab.config import experiment

    w = _shots.window(experiment(), size, ready=60)
    if zoom != 1.0:
        w.set_zoom(zoom)
    _shots.pause_at(w, 300)
    for index, name in ((0, "gates"), (1, "gradients")):
        w.tabs.setCurrentIndex(index)
        _shots.shoot(w, f"{prefix}-{name}.png")
    if zoom != 1.0:
        w.set_zoom(1.0)
    _shots.close_all()


def refusal_shot() -> None:
    from rnnlab.config import experiment

    w = _shots.window(experiment(), (1280, 800), ready=60)
    for key, text in (("model.hidden_size", "altmış dört"), ("training.learning_rate", "0,5,1")):
        editor = w.panel.editor(key)
        editor.setText(text)
        editor.textEdited.emit(text)
    _shots.shoot(w, "window-tr-refusal-1280x800.png", seconds=1.0)
    _shots.close_all()


def race_shots() -> None:
    from rnnlab import config

    cfg = config.experiment("adding", {"task.length": 30, "training.steps": 300, "training.eval_every": 30})
    w = _shots.window(cfg, (1280, 800), ready=60)
    ended = []
    w.many.start_race(w.config(), "model.cell", ["rnn_tanh", "lstm", "gru"])
    w.many.race.ended.connect(lambda rows, sentence: ended.append(sentence))
    _shots.wait(lambda: ended, timeout=900)
    print("race:", ended[0])
    _shots.settle(1.0)
    w.tabs.setCurrentIndex(1)
    _shots.shoot(w, "race-tr-1280x800-gradients.png")
    w.tabs.setCurrentIndex(w.tabs.count() - 1)
    _shots.shoot(w, "race-tr-1280x800-results.png")
    _shots.close_all()


def main(argv) -> int:
    from rnnlab.app import language
    from rnnlab.app.places import settings

    _shots.application()
    language.start()
    shots = [lambda: window_shots((1280, 800), 1.0, "window-tr-1280x800"),
             lambda: window_shots((1024, 768), 1.3, "window-tr-1024x768-130"), refusal_shot]
    if "--no-race" not in argv:
        shots.append(race_shots)
    for shot in shots:
        # Each from the default layout: the 1024x768 130 % window hides the form by itself, and a closed window
        # keeps its layout (and the zoom) for the next one, as it does for a user. RNNLAB_LANG keeps Turkish.
        settings().clear()
        shot()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
