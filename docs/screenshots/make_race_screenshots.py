"""Re-make the race and sweep screenshots of the README and docs/gui.md: a real 3-cell race on the adding problem at
T=100 (vanilla RNN, LSTM, GRU; seed 0, 1500 steps), trained to the end in the real window, offscreen, then grabbed at
1280x800 and 1920x1080 on the Gradients tab and the results tab; and a sweep folder's chart at both sizes.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_race_screenshots.py [--sweep-only] [SWEEP_FOLDER]

The race takes 4-6 minutes on 2 cores (three worker processes). SWEEP_FOLDER: a folder made by
`rnnlab sweep` (e.g. the adding problem over cells and T = 10, 30, 100; see docs/gui.md). --sweep-only: only
the sweep's chart, without the race.
"""

from __future__ import annotations

import sys
import time

import _shots  # first: the offscreen set-up, before Qt

SIZES = ((1280, 800), (1920, 1080))


def race_config():
    from rnnlab import config

    return config.experiment("adding", {"task.length": 100, "training.steps": 1500, "training.eval_every": 100,
                                        "training.seed": 0})


def main(argv) -> int:
    _shots.application()
    w = _shots.window(race_config(), SIZES[0], ready=60)
    sweep_only = argv[:1] == ["--sweep-only"]
    argv = argv[1:] if sweep_only else argv
    if not sweep_only:
        race_shots(w)
    if argv:
        for width, height in SIZES:
            w.many.open_sweep(argv[0])
            view = w.many.sweep_windows[-1]
            _shots.wait(lambda: view.summary is not None, 60)
            view.resize(width, height)
            _shots.shoot(view, f"sweep-adding-lengths-{width}x{height}.png")
            view.close()
    _shots.close_all()
    return 0


def race_shots(w) -> None:
    t0 = time.monotonic()
    w.many.start_race(w.config(), "model.cell", ["rnn_tanh", "lstm", "gru"])
    ended = []
    w.many.race.ended.connect(lambda rows, sentence: ended.append(sentence))
    _shots.wait(lambda: ended, timeout=900)
    print(f"race ended after {time.monotonic() - t0:.0f} s: {ended[0]}")
    for width, height in SIZES:
        w.resize(width, height)
        for tab in ("Gradients", "Race results"):
            index = next(i for i in range(w.tabs.count()) if w.tabs.tabText(i) == tab)
            w.tabs.setCurrentIndex(index)
            name = "gradients" if tab == "Gradients" else "results"
            _shots.shoot(w, f"race-adding-T100-{name}-{width}x{height}.png")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
