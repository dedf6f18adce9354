"""The Cell tab: the numbers it shows are the probe's and torch's own; stepping changes t and nothing else; the tab
follows the latest probe while training and is stepped through when paused."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt

from rnnlab import config, probe
from rnnlab.app.plots.cell_numbers import FUNCTIONS, cell_step, equation_html, fmt
from rnnlab.app.plots.cell import CellPanel
from rnnlab.app.run.rundata import RunData
from rnnlab.train.info import RunInfo
from rnnlab.train.trainer import Trainer

from helpers import TIMEOUT, configured, train_to_end

pytestmark = pytest.mark.gui


def trained(cell: str, steps: int = 3, **model) -> Trainer:
    cfg = configured("adding", {"task.length": 12, "task.train_size": 128, "model.cell": cell, "model.hidden_size": 6,
                                **{f"model.{k}": v for k, v in model.items()}},
                     steps=steps, device="cpu", probe_every=steps, eval_every=steps)
    trainer = Trainer(cfg)
    for _ in trainer.run():
        pass
    return trainer


def fused_reference(trainer: Trainer, sample: int):
    """The same layer as a fresh torch module with the trained weights: its outputs and gates from the weights."""
    rnn = trainer.model.rnn
    x = trainer.model.rnn_input(trainer._probe_batch.x[sample:sample + 1]).detach()
    out = rnn(x)[0][0].detach()
    return rnn, x[0], out


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh", "rnn_relu"])
def test_every_number_shown_is_torchs_and_each_result_is_its_nonlinearity_of_its_sum(cell):
    trainer = trained(cell, num_layers=2, bidirectional=True)
    snap = trainer.last_probe
    rnn, x, out = fused_reference(trainer, sample=1)
    H = rnn.hidden_size
    kind = snap.kind
    for t in (0, 5, 11):
        for unit in (0, 4):
            step = cell_step(snap, 1, 0, 1, unit, t, "relu" if cell == "rnn_relu" else "tanh")
            # h_t shown = nn module's top-layer forward output at (t, unit)
            assert abs(step.h - float(out[t, unit])) < 1e-5
            for eq in step.equations:
                assert abs(sum(term.value for term in eq.terms) - eq.total) < 1e-5, eq
                assert abs(FUNCTIONS[eq.func](eq.total) - eq.result) < 1e-5, eq
                # and what is written: the shown result is the function of the shown sum, to the shown precision
                html = equation_html(eq)
                assert fmt(eq.result) in html and (not eq.func or fmt(eq.total) in html)
            if kind == "LSTM":
                assert abs(step.h - step.gates["o"] * math.tanh(step.c)) < 1e-5
    # the gates of layer 0 from the weights themselves (an independent replay with nn.Linear's maths)
    tr = probe.trace(rnn, x[None])
    x = x.detach()
    w_ih, w_hh, b_ih, b_hh = (p.detach() for p in (rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0))
    names = probe.ACTIVATED[kind]
    for t in (0, 7):
        h_prev = tr.h_prev[(0, 0)][0, t]
        step = cell_step(snap, 0, 0, 1, 2, t, "relu" if cell == "rnn_relu" else "tanh")
        for k, g in enumerate(names):
            rows = slice(k * H, (k + 1) * H)
            wx = float((w_ih[rows].detach() @ x[t])[2])
            wh = float((w_hh[rows].detach() @ h_prev)[2])
            eq = next(e for e in step.equations if e.name == g)
            assert abs(eq.terms[0].value - wx) < 1e-5 and abs(eq.terms[1].value - float(b_ih[rows][2])) < 1e-6
            if g != "n":
                assert abs(eq.terms[2].value - wh) < 1e-5 and abs(eq.terms[3].value - float(b_hh[rows][2])) < 1e-6


def panel_on(qtbot, trainer: Trainer) -> CellPanel:
    panel = CellPanel()
    qtbot.addWidget(panel)
    panel.resize(1000, 340)
    panel.show()
    data = RunData()
    data.add_probe(trainer.last_probe)
    panel.configure(RunInfo.of(trainer))
    assert panel.has_news(data)
    panel.refresh(data)
    return panel


def test_stepping_changes_t_and_nothing_else(qtbot):
    trainer = trained("gru", num_layers=2)
    panel = panel_on(qtbot, trainer)
    panel.layer.setCurrentIndex(1)
    panel.unit.setValue(3)
    panel.sample.setCurrentIndex(2)
    before = panel.selection()
    assert before == (1, 0, 2, 3, 0)
    probe_before = panel.probe
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key_Right)
    qtbot.keyClick(panel, Qt.Key_Right)
    assert panel.selection() == (1, 0, 2, 3, 2)
    assert panel.current == cell_step(trainer.last_probe, 1, 0, 2, 3, 2)
    panel.prev_button.click()
    assert panel.selection() == (1, 0, 2, 3, 1) and panel.probe is probe_before
    assert "t = 1" in panel.t_label.text()
    panel.slider.setValue(panel.slider.maximum())
    panel.next_button.click()  # at the end: stays
    assert panel.selection()[4] == 11
    # Play runs from the start to the end and stops there
    panel.speed.setCurrentIndex(3)
    panel.play_button.setChecked(True)
    assert panel.selection()[4] == 0
    qtbot.waitUntil(lambda: not panel.play_button.isChecked(), timeout=10_000)
    assert panel.selection() == (1, 0, 2, 3, 11)


def test_a_new_probe_keeps_the_chosen_unit_and_t(qtbot):
    trainer = trained("lstm", steps=2)
    panel = panel_on(qtbot, trainer)
    panel.unit.setValue(5)
    panel.slider.setValue(4)
    for _ in trainer.run():  # a further probe is taken at the end of training
        pass
    data = RunData()
    data.add_probe(trainer.last_probe)
    data.probe_version += 7
    panel.refresh(data)
    assert panel.selection() == (0, 0, 0, 5, 4)
    assert panel.current == cell_step(trainer.last_probe, 0, 0, 0, 5, 4)


def test_a_probe_without_the_sums_says_so(qtbot):
    trainer = trained("lstm")
    from dataclasses import replace

    old = replace(trainer.last_probe, preact={}, input_part={}, hidden_part={})
    panel = CellPanel()
    qtbot.addWidget(panel)
    panel.set_probe(old)
    assert "did not keep" in panel.info.text() and panel.current is None


@pytest.mark.slow
def test_the_window_has_a_cell_tab_that_follows_training(qtbot, window):
    cfg = config.from_dict({"task": {"name": "adding", "options": {"length": 20}},
                            "model": {"cell": "lstm", "hidden_size": 8},
                            "training": {"steps": 30, "probe_every": 10, "learning_rate": 0.01}})
    w = window(cfg)
    w.tabs.setCurrentWidget(w.cell_panel)
    assert train_to_end(qtbot, w) == "finished"
    qtbot.waitUntil(lambda: w.cell_panel.current is not None and w.cell_panel.probe is w.data.last_probe,
                    timeout=TIMEOUT)
    assert w.cell_panel.probe.step == 30
    assert w.tabs.tabText(w.tabs.currentIndex()) == "Cell"


@pytest.mark.slow
def test_a_clamp_in_the_window_shows_the_clamped_cell_and_both_validation_numbers(qtbot, window):
    """Memory task, LSTM: f clamped to 0 from the first step; the tab shows f = 0 with the weights' value struck
    through, and the validation accuracy with and without the clamp; the next Train clears it."""
    cfg = config.from_dict({"task": {"name": "memory", "options": {"gap": 10}},
                            "model": {"cell": "lstm", "hidden_size": 16, "embedding_size": 8, "gate_init": "chrono"},
                            "training": {"steps": 150, "probe_every": 50, "learning_rate": 0.01}})
    w = window(cfg)
    w.tabs.setCurrentWidget(w.cell_panel)
    assert train_to_end(qtbot, w) == "finished"
    panel = w.cell_panel
    qtbot.waitUntil(lambda: panel.probe is w.data.last_probe and panel.clamp_apply.isEnabled(), timeout=TIMEOUT)
    live = panel.probe
    panel.clamp_gate.setCurrentText("f")
    panel.clamp_value.setValue(0.0)
    panel.slider.setValue(3)
    panel.clamp_apply.click()
    qtbot.waitUntil(lambda: panel.clamps != (), timeout=TIMEOUT)
    result = panel.last_clamp_result
    assert result["free"] >= 0.95 and abs(result["clamped"] - 0.25) <= 0.1, result
    assert "without the clamp" in panel.clamp_result.text()
    f = next(e for e in panel.current.equations if e.name == "f")
    assert f.result == 0.0 and f.clamped and "clamped to" in panel.equations.text()
    assert panel.selection()[4] == 3  # the chosen t stays
    assert w.data.last_probe is live  # the run's own data is untouched
    panel.clear_clamp()
    assert panel.probe is live and panel.clamps == ()


@pytest.mark.slow
def test_saliency_in_the_window_peaks_at_the_adding_markers(qtbot, window):
    """A briefly trained adding LSTM: the Saliency button draws ||dy/dx_t|| for the chosen probe sequence, and its
    two largest steps are the marked ones."""
    import numpy as np

    cfg = config.from_dict({"task": {"name": "adding", "options": {"length": 20}},
                            "model": {"cell": "lstm", "hidden_size": 24},
                            "training": {"steps": 400, "probe_every": 400, "learning_rate": 0.01}})
    w = window(cfg)
    w.tabs.setCurrentWidget(w.cell_panel)
    assert train_to_end(qtbot, w) == "finished"
    panel = w.cell_panel
    qtbot.waitUntil(lambda: panel.probe is w.data.last_probe and panel.saliency_button.isEnabled(), timeout=TIMEOUT)
    panel.saliency_button.click()
    qtbot.waitUntil(lambda: panel.saliency is not None, timeout=TIMEOUT)
    assert panel.saliency_plot.isVisible()
    sample = panel.sample.currentIndex()
    x, y = panel.saliency_curve.getData()
    assert np.allclose(y, panel.saliency[sample])
    labels = w.data.last_probe.labels[sample]  # the adding task marks its two marked steps with "*"
    marked = {t for t, label in enumerate(labels) if label.endswith("*")}
    assert set(np.argsort(-y)[:2]) == marked


@pytest.mark.slow
def test_a_padded_sequence_steps_only_through_its_real_words(qtbot):
    """Sentiment pads its probe sentences; at a padded step the probe zeroes the gates instead of computing them, so
    the tab stops at the sentence's last word, and every step it can show keeps result = f(sum)."""
    cfg = config.from_dict({"task": {"name": "sentiment", "options": {"vocab_size": 2000}},
                            "model": {"cell": "lstm", "hidden_size": 6, "embedding_size": 4},
                            "training": {"steps": 1, "device": "cpu", "probe_every": 1, "eval_every": 1}})
    trainer = Trainer(cfg)
    for _ in trainer.run():
        pass
    snap = trainer.last_probe
    short = min(range(len(snap.lengths)), key=lambda i: snap.lengths[i])
    assert snap.lengths[short] < snap.gates[(0, 0, "f")].shape[1]  # the batch has a padded sentence
    panel = panel_on(qtbot, trainer)
    panel.sample.setCurrentIndex(short)
    panel.slider.setValue(10_000)
    assert panel.selection()[4] == snap.lengths[short] - 1
    for t in range(snap.lengths[short]):
        for eq in cell_step(snap, 0, 0, short, 1, t).equations:
            assert abs(FUNCTIONS[eq.func](eq.total) - eq.result) < 1e-5


def test_the_recurrent_scale_redraws_the_untrained_probe_before_training(qtbot, window):
    """Before a single step, the prepared model's probe is in: raising the recurrent scale of a tanh RNN makes the
    gradient reaching t = 0 (the dashed "before training" curve) orders of magnitude larger."""
    import numpy as np

    def base(scale):
        return config.from_dict({"task": {"name": "adding", "options": {"length": 60}},
                                 "model": {"cell": "rnn_tanh", "hidden_size": 16, "recurrent_init": "orthogonal",
                                           "recurrent_scale": scale}})

    w = window(base(0.5))
    qtbot.waitUntil(lambda: w.data.first_probe is not None, timeout=TIMEOUT)
    small_first = float(np.asarray(w.data.first_probe.grad_norms[(0, 0)])[0])
    assert w.data.first_probe.step == 0 and not w.is_training()
    w.set_config(base(1.5))
    qtbot.waitUntil(lambda: w.data.first_probe is not None and w.trainer is not None
                    and w.trainer.cfg.model.recurrent_scale == 1.5, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: w.data.first_probe is not None
                    and float(np.asarray(w.data.first_probe.grad_norms[(0, 0)])[0]) != small_first,
                    timeout=TIMEOUT)
    large_first = float(np.asarray(w.data.first_probe.grad_norms[(0, 0)])[0])
    assert large_first > 1e3 * small_first, (small_first, large_first)
