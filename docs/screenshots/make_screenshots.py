"""Re-make the README screenshots: the real window, offscreen, paused mid-training at 1280x800 and 1920x1080.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_screenshots.py

The default experiment (LSTM on airline passengers) is paused at about half of its steps, so every plot has data.
"""

from __future__ import annotations

import sys

import _shots  # first: the offscreen set-up, before Qt


def main() -> int:
    from rnnlab.config import experiment

    _shots.application()
    for width, height in ((1280, 800), (1920, 1080)):
        w = _shots.window(experiment(), (width, height), ready=60)
        _shots.pause_at(w, 300)
        for index, name in ((0, "gates"), (1, "gradients")):
            w.tabs.setCurrentIndex(index)
            _shots.shoot(w, f"window-{width}x{height}-{name}.png")
        w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
