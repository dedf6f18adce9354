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

import sys
import tempfile
from pathlib import Path

import _shots  # first: the offscreen set-up, before Qt


def main(which) -> int:
    import numpy as np
    from PySide6.QtCore import QPointF

    from rnnlab.config import experiment

    _shots.application()

    def train(w):
        w.start_training()
        _shots.wait(lambda: not w.is_training())
        _shots.settle()

    if "relu" in which:
        cfg = experiment("tagging")
        for key, value in (("model.cell", "rnn_relu"), ("model.bidirectional", False), ("model.hidden_size", 32),
                           ("training.steps", 300), ("training.learning_rate", 0.01)):
            cfg = cfg.replace(key, value)
        w = _shots.window(cfg, (1280, 800))
        train(w)
        w.tabs.setCurrentIndex(0)
        w.scheduler.refresh(force=True)
        _shots.settle()
        h = w.gates_panel.heatmaps["h"]
        image = h.image.image
        unit, t = np.unravel_index(int(np.nanargmax(image)), image.shape)
        w.gates_panel.glw.scene().sigMouseMoved.emit(h.item.getViewBox().mapViewToScene(QPointF(t + 0.5, unit + 0.5)))
        _shots.shoot(w, "workshop-relu-hidden-1280x800.png")

    if "race" in which:
        cfg = experiment("adding", {"training.steps": 200})
        w = _shots.window(cfg, (1280, 800))
        train(w)
        tagging = experiment("tagging", {"training.steps": 300})
        w.set_config(tagging)
        w.wait_ready(120)
        w.many.start_race(w.config(), "model.bidirectional", [False, True])
        _shots.wait(lambda: not w.many.race.is_running())
        _shots.settle(2.0)
        w.tabs.setCurrentIndex(0)
        _shots.shoot(w, "workshop-tagging-race-1280x800.png")
        w.many.leave()

    if "projector" in which:
        cfg = experiment(changes={"training.steps": 300})
        w = _shots.window(cfg, (1024, 768))
        w.set_zoom(1.3)
        train(w)
        w.tabs.setCurrentIndex(1)
        _shots.shoot(w, "workshop-1024x768-130-gradients.png")
        w.tabs.setCurrentIndex(0)
        _shots.shoot(w, "workshop-1024x768-130-forecast.png")
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
        w = _shots.window(experiment(), (1280, 800))
        w.many.compare(paths)
        w.many.wait_loaded()
        _shots.settle(1.0)
        _shots.shoot(w, "workshop-compare-3-1280x800.png")
        w.many.leave()

    _shots.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["relu", "race", "projector", "compare"]))
