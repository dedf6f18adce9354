"""Re-make the Cell tab's figures in docs/screenshots (issue 22): an LSTM mid-training on the memory task, a GRU on
sentiment paused and stepped through the sentence, a memory LSTM with its forget gate clamped to 0, and a ReLU vs a tanh RNN at recurrent scale 1.5 (max |h_t|).

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_cell_screenshots.py [--size 1280x800]
"""

from __future__ import annotations

import argparse
import sys

import _shots  # first: the offscreen set-up, before Qt


def window(cfg, size):
    """The window on `cfg`, showing the Cell tab."""
    w = _shots.window(cfg, size, ready=60)
    w.tabs.setCurrentWidget(w.cell_panel)
    return w


def main() -> int:
    from rnnlab import config

    parser = argparse.ArgumentParser()
    parser.add_argument("--size", action="append", help="WxH (default: 1280x800 and 1024x768)")
    args = parser.parse_args()
    sizes = [tuple(map(int, s.split("x"))) for s in (args.size or ["1280x800", "1024x768"])]
    _shots.application()
    for size in sizes:
        tag = f"{size[0]}x{size[1]}"
        # 1. an LSTM mid-training: the tab follows the latest probe
        cfg = config.from_dict({"task": {"name": "memory", "options": {"gap": 10}},
                                "model": {"cell": "lstm", "hidden_size": 16, "embedding_size": 8,
                                          "gate_init": "chrono"},
                                "training": {"steps": 5000, "learning_rate": 0.01, "probe_every": 20}})
        w = window(cfg, size)
        w.cell_panel.unit.setValue(2)
        w.cell_panel.slider.setValue(0)
        w.start_training()
        _shots.wait(lambda: w.data.last_probe is not None and w.data.last_probe.step >= 200, 300)
        _shots.shoot(w, f"cell-lstm-training-{tag}.png")
        w.stop()
        _shots.wait(lambda: not w.is_training(), 300)
        _shots.close_all()
        # 2. a GRU on sentiment, paused after a few steps, stepped to a word of the probe sentence
        cfg = config.from_dict({"task": {"name": "sentiment", "options": {"vocab_size": 2000}},
                                "model": {"cell": "gru", "hidden_size": 16, "embedding_size": 16},
                                "training": {"steps": 2000, "probe_every": 1}})
        w = window(cfg, size)
        for _ in range(3):
            w.step_once()
            _shots.wait(lambda: w.is_paused(), 60)
        _shots.wait(lambda: w.cell_panel.current is not None, 60)
        w.cell_panel.unit.setValue(5)
        for _ in range(4):
            w.cell_panel.move_t(1)
        _shots.settle(1.0)
        _shots.shoot(w, f"cell-gru-paused-stepped-{tag}.png")
        w.stop()
        _shots.wait(lambda: not w.is_training(), 300)
        _shots.close_all()
        # 3. a trained memory LSTM with its forget gate clamped to 0: accuracy falls to chance
        cfg = config.from_dict({"task": {"name": "memory", "options": {"gap": 10}},
                                "model": {"cell": "lstm", "hidden_size": 16, "embedding_size": 8,
                                          "gate_init": "chrono"},
                                "training": {"steps": 150, "learning_rate": 0.01, "probe_every": 50}})
        w = window(cfg, size)
        finished = []
        w.training_finished.connect(finished.append)
        w.start_training()
        _shots.wait(lambda: bool(finished) and w.cell_panel.clamp_apply.isEnabled(), 300)
        panel = w.cell_panel
        panel.clamp_gate.setCurrentText("f")
        panel.clamp_value.setValue(0.0)
        panel.unit.setValue(2)
        panel.slider.setValue(4)
        panel.clamp_apply.click()
        _shots.wait(lambda: panel.clamps != (), 120)
        _shots.shoot(w, f"cell-lstm-forget-clamped-{tag}.png")
        _shots.close_all()
        # 4. saliency of a briefly trained adding LSTM: the two marked steps stand out
        cfg = config.from_dict({"task": {"name": "adding", "options": {"length": 20}},
                                "model": {"cell": "lstm", "hidden_size": 24},
                                "training": {"steps": 400, "learning_rate": 0.01, "probe_every": 400}})
        w = window(cfg, size)
        finished = []
        w.training_finished.connect(finished.append)
        w.start_training()
        _shots.wait(lambda: bool(finished) and w.cell_panel.saliency_button.isEnabled(), 300)
        w.cell_panel.saliency_button.click()
        _shots.wait(lambda: w.cell_panel.saliency is not None, 120)
        _shots.shoot(w, f"cell-adding-saliency-{tag}.png")
        _shots.close_all()
    # 5. ReLU vs tanh at recurrent scale 1.5 (identity, as in Le et al. 2015): untrained, one probe each
    for cell in ("rnn_relu", "rnn_tanh"):
        cfg = config.from_dict({"task": {"name": "adding", "options": {"length": 100}},
                                "model": {"cell": cell, "hidden_size": 32, "recurrent_init": "identity",
                                          "recurrent_scale": 1.5},
                                "training": {"steps": 100, "probe_every": 1}})
        w = window(cfg, sizes[0])
        w.step_once()
        _shots.wait(lambda: w.is_paused() and w.cell_panel.current is not None, 60)
        hidden = w.data.last_probe.hidden[(0, 0)][0]
        w.cell_panel.unit.setValue(int(abs(hidden[-1]).argmax()))  # a live unit (ReLU: many are 0)
        w.cell_panel.slider.setValue(99)
        _shots.settle(1.0)
        _shots.shoot(w, f"cell-{cell}-scale-1.5-{sizes[0][0]}x{sizes[0][1]}.png")
        w.stop()
        _shots.wait(lambda: not w.is_training(), 300)
        _shots.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
