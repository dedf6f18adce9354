"""Screenshots of issue 9's flows, for docs/gui.md: the real window, offscreen.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_trust_screenshots.py

- window-1280x800-own-csv.png       a CSV of one's own chosen: the dataset switches to it, its preview and forecast
- window-1280x800-reopened-gradients.png   a vanilla RNN on the adding problem, saved and opened again: the Gradients
                                     tab with the dashed "before training" curve and every probe in the history
- window-1024x768-charlm-100.png / -130.png   the char-LM task at 1024x768, at 100 % and View > Zoom 130 %
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

import _shots  # first: the offscreen set-up, before Qt


def main() -> int:
    from rnnlab.config import experiment

    _shots.application()
    tmp = Path(tempfile.mkdtemp())

    # 1. A CSV of one's own: monthly shop sales with a trend and a yearly season.
    t = np.arange(96)
    sales = 200 + 3 * t + 40 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(3).normal(0, 8, len(t))
    csv = tmp / "shop-sales.csv"
    csv.write_text("month,sales\n" + "".join(f"{2017 + i // 12}-{i % 12 + 1:02d},{v:.1f}\n"
                                             for i, v in enumerate(sales)), encoding="utf-8")
    w = _shots.window(experiment(changes={"task.period": 12}), (1280, 800))
    editor = w.panel.editor("task.csv_path")
    editor.setText(str(csv))
    editor.textEdited.emit(str(csv))
    _shots.wait(lambda: not w.panel.is_checking())
    w.wait_ready(120)
    w.start_training()
    _shots.wait(lambda: not w.is_training())
    _shots.shoot(w, "window-1280x800-own-csv.png")

    # 2. The vanishing gradient, saved and opened again.
    cfg = experiment("adding", {"model.cell": "rnn_tanh", "training.steps": 300})
    w = _shots.window(cfg, (1280, 800))
    w.tabs.setCurrentIndex(1)
    w.start_training()
    _shots.wait(lambda: not w.is_training())
    w.save_run(tmp / "adding-rnn")
    again = _shots.window(experiment(), (1280, 800))
    again.tabs.setCurrentIndex(1)
    again.open_run(tmp / "adding-rnn")
    again.wait_ready(120)
    _shots.shoot(again, "window-1280x800-reopened-gradients.png")

    # 3. The char-LM task on a 1024x768 projector, at 100 % and 130 %.
    for zoom in (1.0, 1.3):
        w = _shots.window(experiment("charlm"), (1024, 768))
        w.set_zoom(zoom)
        _shots.shoot(w, f"window-1024x768-charlm-{int(zoom * 100)}.png")
    w.set_zoom(1.0)

    _shots.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
