"""Re-make the Cell tab's figures in docs/screenshots (issue 22): an LSTM mid-training on the memory task, a GRU on
sentiment paused and stepped through the sentence, a memory LSTM with its forget gate clamped to 0, and a ReLU vs a tanh RNN at recurrent scale 1.5 (max |h_t|).

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_cell_screenshots.py [--size 1280x800]
"""

from __future__ import annotations

import argparse
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


def pump(app, until, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not until() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    for _ in range(30):
        app.processEvents()


def window(app, cfg, size):
    from rnnlab.app.main_window import MainWindow

    w = MainWindow(cfg)
    w.ask_before_discarding(False)
    w.resize(*size)
    w.show()
    if not w.wait_ready(60):
        raise SystemExit("the model never arrived")
    w.tabs.setCurrentWidget(w.cell_panel)
    return w


def main() -> int:
    from rnnlab import config
    from rnnlab.app import theme

    parser = argparse.ArgumentParser()
    parser.add_argument("--size", action="append", help="WxH (default: 1280x800 and 1024x768)")
    args = parser.parse_args()
    sizes = [tuple(map(int, s.split("x"))) for s in (args.size or ["1280x800", "1024x768"])]
    app = QApplication(sys.argv[:1])
    theme.apply(app)
    for size in sizes:
        tag = f"{size[0]}x{size[1]}"
        # 1. an LSTM mid-training: the tab follows the latest probe
        cfg = config.from_dict({"task": {"name": "memory", "options": {"gap": 10}},
                                "model": {"cell": "lstm", "hidden_size": 16, "embedding_size": 8,
                                          "gate_init": "chrono"},
                                "training": {"steps": 5000, "learning_rate": 0.01, "probe_every": 20}})
        w = window(app, cfg, size)
        w.cell_panel.unit.setValue(2)
        w.cell_panel.slider.setValue(0)
        w.start_training()
        pump(app, lambda: w.data.last_probe is not None and w.data.last_probe.step >= 200)
        w.grab().save(str(HERE / f"cell-lstm-training-{tag}.png"))
        w.stop()
        pump(app, lambda: not w.is_training())
        w.close()
        # 2. a GRU on sentiment, paused after a few steps, stepped to a word of the probe sentence
        cfg = config.from_dict({"task": {"name": "sentiment", "options": {"vocab_size": 2000}},
                                "model": {"cell": "gru", "hidden_size": 16, "embedding_size": 16},
                                "training": {"steps": 2000, "probe_every": 1}})
        w = window(app, cfg, size)
        for _ in range(3):
            w.step_once()
            pump(app, lambda: w.is_paused(), 60)
        pump(app, lambda: w.cell_panel.current is not None, 60)
        w.cell_panel.unit.setValue(5)
        for _ in range(4):
            w.cell_panel.move_t(1)
        pump(app, lambda: True, 1)
        w.grab().save(str(HERE / f"cell-gru-paused-stepped-{tag}.png"))
        w.stop()
        pump(app, lambda: not w.is_training())
        w.close()
        # 3. a trained memory LSTM with its forget gate clamped to 0: accuracy falls to chance
        cfg = config.from_dict({"task": {"name": "memory", "options": {"gap": 10}},
                                "model": {"cell": "lstm", "hidden_size": 16, "embedding_size": 8,
                                          "gate_init": "chrono"},
                                "training": {"steps": 150, "learning_rate": 0.01, "probe_every": 50}})
        w = window(app, cfg, size)
        finished = []
        w.training_finished.connect(finished.append)
        w.start_training()
        pump(app, lambda: bool(finished) and w.cell_panel.clamp_apply.isEnabled())
        panel = w.cell_panel
        panel.clamp_gate.setCurrentText("f")
        panel.clamp_value.setValue(0.0)
        panel.unit.setValue(2)
        panel.slider.setValue(4)
        panel.clamp_apply.click()
        pump(app, lambda: panel.clamps != (), 120)
        w.grab().save(str(HERE / f"cell-lstm-forget-clamped-{tag}.png"))
        w.close()
        # 4. saliency of a briefly trained adding LSTM: the two marked steps stand out
        cfg = config.from_dict({"task": {"name": "adding", "options": {"length": 20}},
                                "model": {"cell": "lstm", "hidden_size": 24},
                                "training": {"steps": 400, "learning_rate": 0.01, "probe_every": 400}})
        w = window(app, cfg, size)
        finished = []
        w.training_finished.connect(finished.append)
        w.start_training()
        pump(app, lambda: bool(finished) and w.cell_panel.saliency_button.isEnabled())
        w.cell_panel.saliency_button.click()
        pump(app, lambda: w.cell_panel.saliency is not None, 120)
        w.grab().save(str(HERE / f"cell-adding-saliency-{tag}.png"))
        w.close()
    # 5. ReLU vs tanh at recurrent scale 1.5 (identity, as in Le et al. 2015): untrained, one probe each
    for cell in ("rnn_relu", "rnn_tanh"):
        cfg = config.from_dict({"task": {"name": "adding", "options": {"length": 100}},
                                "model": {"cell": cell, "hidden_size": 32, "recurrent_init": "identity",
                                          "recurrent_scale": 1.5},
                                "training": {"steps": 100, "probe_every": 1}})
        w = window(app, cfg, sizes[0])
        w.step_once()
        pump(app, lambda: w.is_paused() and w.cell_panel.current is not None, 60)
        hidden = w.data.last_probe.hidden[(0, 0)][0]
        w.cell_panel.unit.setValue(int(abs(hidden[-1]).argmax()))  # a live unit (ReLU: many are 0)
        w.cell_panel.slider.setValue(99)
        pump(app, lambda: True, 1)
        w.grab().save(str(HERE / f"cell-{cell}-scale-1.5-{sizes[0][0]}x{sizes[0][1]}.png"))
        w.stop()
        pump(app, lambda: not w.is_training())
        w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
