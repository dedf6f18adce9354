"""Several runs on one plot: three tiny real runs (tanh RNN, LSTM, GRU on the adding problem), trained, saved and
reopened, drawn by the loss, gradient-norm and gradient-through-time panels in their tracks' colours."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor

from rnnlab.app.plots.alone import recorded
from rnnlab.app.plots.gradnorms import GradNormPanel
from rnnlab.app.plots.gradtime import GradTimePanel
from rnnlab.app.plots.loss import LossPanel
from rnnlab.app.run.runset import RunSet, Track
from rnnlab.runs.store import save_run
from rnnlab.train.history import val_col
from rnnlab.train.info import RunInfo
from rnnlab.train.trainer import Trainer

from helpers import configured

CELLS = {"rnn_tanh": "RNN (tanh)", "lstm": "LSTM", "gru": "GRU"}
OVERLAYS = (LossPanel, GradNormPanel, GradTimePanel)


def tiny_run(cell: str) -> Trainer:
    cfg = configured("adding", {"task.length": 20, "model.cell": cell, "model.hidden_size": 8, "training.steps": 30,
                                "training.eval_every": 10, "training.probe_every": 10, "training.seed": 3})
    trainer = Trainer(cfg)
    for _ in trainer.run():
        pass
    return trainer


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """cell -> (the trainer, its run folder)."""
    root = tmp_path_factory.mktemp("runs")
    out = {}
    for cell in CELLS:
        trainer = tiny_run(cell)
        out[cell] = (trainer, save_run(trainer, root / cell))
    return out


def three_runs(saved) -> RunSet:
    runs = RunSet()
    for cell, label in CELLS.items():
        info, data = recorded(saved[cell][1])
        runs.add(Track(cell, label, info, data))
    return runs


@pytest.mark.slow
def test_run_info_of_a_saved_run_is_the_trainers_without_building_one(saved):
    for cell, (trainer, folder) in saved.items():
        live, opened = RunInfo.of(trainer), recorded(folder)[0]
        for field in ("task_title", "metric_key", "metric_title", "higher_is_better", "total_steps", "steps_per_epoch",
                      "probe_length", "gate_names", "goal_text", "step", "status", "max_grad_norm", "cell"):
            assert getattr(opened, field) == getattr(live, field), (cell, field)
        assert opened.final["test"] == pytest.approx(live.final["test"])


def pen_colour(curve) -> str:
    return QColor(curve.opts["pen"].color()).name().lower()


@pytest.mark.parametrize("cls", OVERLAYS)
def test_each_overlay_panel_draws_one_curve_set_per_run_in_its_colour(qtbot, saved, cls):
    runs = three_runs(saved)
    panel = cls()
    qtbot.addWidget(panel)
    panel.show_runs(runs)
    assert not panel.has_news(None)
    assert list(panel.overlay.items) == list(CELLS)
    assert panel.legend.labels() == CELLS and panel.legend.isVisibleTo(panel)
    for track in runs:
        items = panel.overlay.items[track.key]
        assert all(pen_colour(c) == track.colour.lower() for c in items)
        assert all(c.xData is not None and len(c.xData) > 0 for c in items)
    assert len({t.colour for t in runs}) == 3


@pytest.mark.slow
def test_the_curves_are_the_runs_own_numbers(qtbot, saved):
    runs = three_runs(saved)
    loss, grads, through_time = LossPanel(), GradNormPanel(), GradTimePanel()
    for panel in (loss, grads, through_time):
        qtbot.addWidget(panel)
        panel.show_runs(runs)
    for track in runs:
        data = track.data
        metric = data.col(val_col("mse"))
        assert np.allclose(loss.overlay.items[track.key][1].yData, metric[np.isfinite(metric)])
        norm = data.col("grad_norm")
        assert np.allclose(grads.overlay.items[track.key][0].yData, norm[np.isfinite(norm) & (norm > 0)])
        now, before = through_time.overlay.items[track.key]
        assert np.allclose(now.yData, data.last_probe.grad_norms[(0, 0)])
        assert np.allclose(before.yData, data.first_probe.grad_norms[(0, 0)])
    # The heatmap shows the selected run's history, and follows the selection.
    assert through_time.heat.image.image.shape == (len(runs.get("rnn_tanh").data.probe_steps), 20)
    runs.select("gru")
    through_time.refresh(None)
    assert "History of GRU" in through_time.heat_plot.titleLabel.text


@pytest.mark.parametrize("cls", OVERLAYS)
def test_clicking_a_legend_entry_names_the_run(qtbot, saved, cls):
    panel = cls()
    qtbot.addWidget(panel)
    panel.show_runs(three_runs(saved))
    panel.show()
    with qtbot.waitSignal(panel.run_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(panel.legend.buttons["lstm"], Qt.LeftButton)
    assert blocker.args == ["lstm"]


def test_clicking_a_curve_names_the_run(qtbot, saved):
    runs = three_runs(saved)
    panel = GradNormPanel()
    qtbot.addWidget(panel)
    panel.resize(800, 500)
    panel.show_runs(runs)
    panel.show()
    qtbot.waitExposed(panel)
    track = runs.get("gru")
    x, y = track.data.steps, track.data.col("grad_norm")
    i = len(x) // 2
    view = panel.plot.getViewBox()
    scene_point = view.mapViewToScene(QPointF(float(x[i]), float(np.log10(y[i]))))
    with qtbot.waitSignal(panel.run_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(panel.glw.viewport(), Qt.LeftButton, pos=panel.glw.mapFromScene(scene_point))
    assert blocker.args == ["gru"]


@pytest.mark.parametrize("cls", OVERLAYS)
def test_removing_a_run_removes_its_curves_and_legend_entry(qtbot, saved, cls):
    runs = three_runs(saved)
    panel = cls()
    qtbot.addWidget(panel)
    panel.show_runs(runs)
    gone = panel.overlay.items["gru"]
    runs.remove("gru")
    assert panel.has_news(None)
    panel.refresh(None)
    assert list(panel.overlay.items) == ["rnn_tanh", "lstm"] and set(panel.legend.labels()) == {"rnn_tanh", "lstm"}
    on_plots = {id(item) for plot in panel.glw.ci.items if hasattr(plot, "listDataItems")
                for item in plot.listDataItems()}
    assert not any(id(item) in on_plots for item in gone)


def test_new_points_redraw_only_their_run(qtbot, saved):
    runs = three_runs(saved)
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.show_runs(runs)
    (lstm, lstm_metric), gru = panel.overlay.items["lstm"], panel.overlay.items["gru"][0]
    before_gru, before_metric = gru.yData, lstm_metric.yData
    lstm_points, metric_points = len(lstm.xData), len(lstm_metric.xData)
    data = runs.get("lstm").data
    data.add_rows({"step": np.array([31.0, 32.0]), "train_loss": np.array([0.1, 0.1])})
    assert panel.has_news(None)
    panel.refresh(None)
    assert len(lstm.xData) == lstm_points + 2
    assert gru.yData is before_gru  # untouched: no setData for a run without news
    assert lstm_metric.yData is before_metric  # no new validation point: its symbols are not redrawn
    assert not panel.has_news(None)
    data.add_rows({"step": np.array([33.0]), "train_loss": np.array([0.1]), val_col("mse"): np.array([0.05])})
    panel.refresh(None)
    assert len(lstm_metric.xData) == metric_points + 1 and lstm_metric.yData[-1] == 0.05


def test_back_to_one_run(qtbot, saved):
    runs = three_runs(saved)
    panel = GradTimePanel()
    qtbot.addWidget(panel)
    panel.show_runs(runs)
    panel.show_runs(None)
    assert panel.overlay.items == {} and not panel.legend.isVisibleTo(panel)
    data = runs.get("lstm").data
    panel.refresh(data)
    assert panel.curves[(0, 0)].isVisible() and len(panel.curves[(0, 0)].xData) == 20
