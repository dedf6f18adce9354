"""Re-make the Cell tab's figures in docs/screenshots (issue 22), in English and Turkish, at 1280x800 and 1024x768:

1. an LSTM mid-training on the memory task (the tab follows the latest probe; the Gates tab's cursor is its t),
2. a GRU on sentiment paused and stepped through a sentence sent from the sentiment view,
3. a clamp changing a sentiment verdict (the view's verdict with and without it, the validation line),
4. a memory LSTM with its forget gate clamped to 0 (accuracy falls to chance),
5. saliency on the adding problem: a trained LSTM's view with its saliency per row, and a race of three cells with
   every runner's saliency side by side in the Cell tab,
6. a ReLU vs a tanh RNN at recurrent scale 1.5 (max |h_t|).

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_cell_screenshots.py [--size 1280x800] [--lang tr] [--only 3]

English files keep their names (cell-<what>-<W>x<H>.png); Turkish ones end in -tr.
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
SENTENCE = "a gorgeous , witty , seductive movie ."


def pump(app, until, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not until() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    for _ in range(30):
        app.processEvents()


def window(app, cfg, size):
    from rnnlab.app.main_window import MainWindow
    from rnnlab.app.places import settings

    settings().clear()
    w = MainWindow(cfg)
    w.ask_before_discarding(False)
    w.resize(*size)
    w.show()
    if not w.wait_ready(60):
        raise SystemExit("the model never arrived")
    w.tabs.setCurrentWidget(w.cell_panel)
    return w


def train_to_end(app, w) -> None:
    finished = []
    w.training_finished.connect(finished.append)
    w.start_training()
    pump(app, lambda: bool(finished))
    pump(app, lambda: w.wait_ready(1) or True, 5)


def close(app, w) -> None:
    if w.is_training():
        w.stop()
        pump(app, lambda: not w.is_training())
    w.close()


def shots(app, size, suffix: str, only) -> None:
    from rnnlab import config

    tag = f"{size[0]}x{size[1]}{suffix}"

    def save(w, name: str) -> None:
        pump(app, lambda: True, 1)
        w.grab().save(str(HERE / f"cell-{name}-{tag}.png"))

    if not only or 1 in only:  # an LSTM mid-training: the tab follows the latest probe
        cfg = config.from_dict({"task": {"name": "memory", "options": {"gap": 10}},
                                "model": {"cell": "lstm", "hidden_size": 16, "embedding_size": 8,
                                          "gate_init": "chrono"},
                                "training": {"steps": 5000, "learning_rate": 0.01, "probe_every": 20}})
        w = window(app, cfg, size)
        w.cell_panel.unit.setValue(2)
        w.cell_panel.slider.setValue(0)
        w.start_training()
        pump(app, lambda: w.data.last_probe is not None and w.data.last_probe.step >= 200)
        w.cell_panel.slider.setValue(6)
        save(w, "lstm-training")
        close(app, w)
    if not only or 2 in only:  # a GRU on sentiment, paused, the sentence sent from the view, stepped to a word
        cfg = config.from_dict({"task": {"name": "sentiment", "options": {"vocab_size": 2000}},
                                "model": {"cell": "gru", "hidden_size": 16, "embedding_size": 16},
                                "training": {"steps": 2000, "probe_every": 1}})
        w = window(app, cfg, size)
        for _ in range(3):
            w.step_once()
            pump(app, lambda: w.is_paused(), 60)
        pump(app, lambda: w.cell_panel.current is not None and hasattr(w.view_host.view, "to_cell"), 60)
        view = w.view_host.view
        view.sentence.setText("the acting is not bad , but the story is dull")
        view.to_cell.click()
        pump(app, lambda: w.cell_panel.sent is not None and w.cell_panel.probe is not w.data.last_probe, 60)
        w.cell_panel.unit.setValue(5)
        for _ in range(3):
            w.cell_panel.move_t(1)
        save(w, "gru-paused-stepped")
        close(app, w)
    if not only or 3 in only:  # a clamp that flips a sentiment verdict
        cfg = config.from_dict({"task": {"name": "sentiment", "options": {"vocab_size": 4000}},
                                "model": {"cell": "lstm", "hidden_size": 32, "embedding_size": 32},
                                "training": {"steps": 300, "learning_rate": 0.005, "probe_every": 100}})
        w = window(app, cfg, size)
        train_to_end(app, w)
        view = w.view_host.view
        view.sentence.setText(SENTENCE)
        gate, value = flipping_clamp(w.trainer, SENTENCE)
        panel = w.cell_panel
        pump(app, lambda: panel.clamp_apply.isEnabled(), 60)
        panel.clamp_gate.setCurrentText(gate)
        panel.clamp_value.setValue(value)
        panel.unit.setValue(3)
        view.to_cell.click()  # the Cell tab walks through the same sentence, clamped
        pump(app, lambda: panel.sent is not None and panel.probe is not w.data.last_probe, 60)
        panel.slider.setValue(3)
        panel.clamp_apply.click()
        pump(app, lambda: panel.clamps != () and view._trace is not None
             and view._trace.get("clamped") is not None and not view.pending, 120)
        save(w, "sentiment-clamp-verdict")
        close(app, w)
    if not only or 4 in only:  # a trained memory LSTM with its forget gate clamped to 0: accuracy falls to chance
        cfg = config.from_dict({"task": {"name": "memory", "options": {"gap": 10}},
                                "model": {"cell": "lstm", "hidden_size": 16, "embedding_size": 8,
                                          "gate_init": "chrono"},
                                "training": {"steps": 150, "learning_rate": 0.01, "probe_every": 50}})
        w = window(app, cfg, size)
        train_to_end(app, w)
        panel = w.cell_panel
        pump(app, lambda: panel.clamp_apply.isEnabled(), 60)
        panel.clamp_gate.setCurrentText("f")
        panel.clamp_value.setValue(0.0)
        panel.unit.setValue(2)
        panel.slider.setValue(4)
        panel.clamp_apply.click()
        pump(app, lambda: panel.clamps != (), 120)
        save(w, "lstm-forget-clamped")
        close(app, w)
    if not only or 5 in only:  # saliency on the adding problem: one LSTM (view and Cell tab), then a race
        base = {"task": {"name": "adding", "options": {"length": 20}}, "model": {"cell": "lstm", "hidden_size": 24},
                "training": {"steps": 400, "learning_rate": 0.01, "probe_every": 400}}
        w = window(app, config.from_dict(base), size)
        train_to_end(app, w)
        pump(app, lambda: w.cell_panel.saliency_button.isEnabled(), 60)
        w.cell_panel.saliency_button.click()
        view = w.view_host.view
        view.show_saliency.setChecked(True)
        pump(app, lambda: w.cell_panel.saliency is not None and view.saliency is not None, 120)
        save(w, "adding-saliency")
        w.many.start_race(w.config(), "model.cell", ["rnn_tanh", "lstm", "gru"])
        w.tabs.setCurrentWidget(w.cell_panel)
        pump(app, lambda: w.many.race.rows and len(w.many.race.rows) == 3, 600)
        w.tabs.setCurrentWidget(w.cell_panel)
        pump(app, lambda: all(t.data.last_probe is not None and t.data.last_probe.saliency is not None
                              for t in w.many.all_runs), 60)
        save(w, "adding-race-saliency")
        w.many.leave()
        close(app, w)
    if not only or 6 in only:  # ReLU vs tanh at recurrent scale 1.5 (identity, as in Le et al. 2015): one probe each
        for cell in ("rnn_relu", "rnn_tanh"):
            cfg = config.from_dict({"task": {"name": "adding", "options": {"length": 100}},
                                    "model": {"cell": cell, "hidden_size": 32, "recurrent_init": "identity",
                                              "recurrent_scale": 1.5},
                                    "training": {"steps": 100, "probe_every": 1}})
            w = window(app, cfg, size)
            w.step_once()
            pump(app, lambda: w.is_paused() and w.cell_panel.current is not None, 60)
            hidden = w.data.last_probe.hidden[(0, 0)][0]
            w.cell_panel.unit.setValue(int(abs(hidden[-1]).argmax()))  # a live unit (ReLU: many are 0)
            w.cell_panel.slider.setValue(99)
            save(w, f"{cell}-scale-1.5")
            close(app, w)


def flipping_clamp(trainer, sentence: str) -> tuple[str, float]:
    """The first LSTM gate clamp (o, f, i to 0 or 1) that flips the trained model's verdict on `sentence`: what the
    screenshot shows is a real flip, found by asking the model (the script's own check, on the paused model)."""
    model, task = trainer.model, trainer.task
    was = model.training
    model.eval()
    try:
        free = task.classify(model, sentence)["label"]
        for gate in ("o", "f", "i"):
            for value in (0.0, 1.0):
                with model.clamped({gate: value}):
                    if task.classify(model, sentence)["label"] != free:
                        return gate, value
    finally:
        model.train(was)
    return "o", 0.0


def main() -> int:
    from rnnlab import i18n
    from rnnlab.app import language, theme
    from rnnlab.app.application import application

    parser = argparse.ArgumentParser()
    parser.add_argument("--size", action="append", help="WxH (default: 1280x800 and 1024x768)")
    parser.add_argument("--lang", action="append", choices=("en", "tr"), help="default: both")
    parser.add_argument("--only", type=int, action="append", help="only these shots (1-6)")
    args = parser.parse_args()
    sizes = [tuple(map(int, s.split("x"))) for s in (args.size or ["1280x800", "1024x768"])]
    app = application(sys.argv[:1])
    theme.apply(app)
    for lang in args.lang or ["en", "tr"]:
        i18n.set_language(lang)
        language.apply_qt(lang)
        for size in sizes:
            shots(app, size, "" if lang == "en" else "-tr", set(args.only or ()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
