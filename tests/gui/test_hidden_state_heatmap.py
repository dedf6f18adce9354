"""The hidden-state heatmap's levels follow the cell's nonlinearity (a ReLU RNN's states above 1 are visible,
a tanh RNN keeps -1..1), a vanilla RNN shows one hidden state, and the mouse reads a cell out (issue 19, item 12)."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab import config

from helpers import assert_drawn, configured, train_to_end

pytestmark = [pytest.mark.gui, pytest.mark.slow]


# --- item 12: heatmap levels follow the cell's nonlinearity; one hidden state for a vanilla RNN; hover reads out ---


def relu_rnn(steps: int = 20) -> config.RunConfig:
    return configured("tagging", {"model.cell": "rnn_relu", "model.hidden_size": 16, "model.embedding_size": 16,
                                  "model.bidirectional": False, "training.steps": steps,
                                  "training.learning_rate": 0.05, "training.eval_every": 10,
                                  "training.probe_every": 10})


def test_a_relu_rnns_hidden_state_above_1_is_visible_and_read_under_the_mouse(qtbot, window, tmp_path):
    from PySide6.QtCore import QPointF

    w = window(relu_rnn())
    assert train_to_end(qtbot, w) == "finished"
    panel = w.gates_panel
    w.scheduler.refresh(force=True)
    qtbot.waitUntil(lambda: panel.heatmaps["h"].image.image is not None, timeout=10_000)
    # A vanilla RNN's activation h is its hidden state: one heatmap, not two of the same data.
    assert set(panel.heatmaps) == {"pre", "h"}
    h = panel.heatmaps["h"]
    peak = float(np.nanmax(h.image.image))
    assert peak > 1.0, peak  # the states this lesson is about
    lo, hi = h.levels
    assert lo == 0.0 and peak <= hi < 5 * peak  # levels reach the states, the range is stated
    assert tuple(h.image.levels) == (lo, hi)
    assert f"0..{hi:g}" in h.item.titleLabel.text
    assert panel.means.viewRange()[1][1] >= hi  # the mean over units is not cut at 1 either
    # Hover: t, unit and value of the cell under the mouse.
    image = h.image.image
    unit, t = np.unravel_index(int(np.nanargmax(image)), image.shape)
    scene_pos = h.item.getViewBox().mapViewToScene(QPointF(t + 0.5, unit + 0.5))
    panel.glw.scene().sigMouseMoved.emit(scene_pos)
    text = panel.readout.text()
    assert f"t = {t}" in text and f"unit {unit}" in text and f"{float(image[unit, t]):.3g}" in text, text
    w.tabs.setCurrentIndex(0)
    w.resize(1280, 800)
    assert_drawn(w)


def test_a_tanh_rnn_keeps_fixed_levels_minus_1_to_1(qtbot, window):
    w = window(relu_rnn().replace("model.cell", "rnn_tanh"))
    assert train_to_end(qtbot, w) == "finished"
    panel = w.gates_panel
    assert set(panel.heatmaps) == {"pre", "h"}
    assert tuple(panel.heatmaps["h"].levels) == (-1.0, 1.0)
    assert "tanh" in panel.heatmaps["h"].item.titleLabel.text


