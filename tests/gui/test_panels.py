"""Every plot panel keeps the panel contract (configure, reset, has_news, refresh), draws a recorded run from its
RunInfo alone, and starts alone offscreen (`python -m rnnlab.app.plots.<panel>`)."""

import importlib

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from rnnlab.app import theme
from rnnlab.app.run.panel import Panel
from rnnlab.app.plots.alone import RECORDED_RUN, recorded
from rnnlab.app.plots.gates import GatesPanel
from rnnlab.app.plots.gradnorms import GradNormPanel
from rnnlab.app.plots.gradtime import GradTimePanel
from rnnlab.app.plots.loss import LossPanel
from rnnlab.resources import resource
from rnnlab.train.history import grad_col, grad_groups, val_col

def drawn(curve) -> tuple:
    """The points a curve was given (getData answers in log10 on a log axis)."""
    return (curve.xData if curve.xData is not None else np.zeros(0),
            curve.yData if curve.yData is not None else np.zeros(0))


PANELS = (LossPanel, GradNormPanel, GradTimePanel, GatesPanel)


@pytest.fixture(scope="module")
def run():
    return recorded(resource(*RECORDED_RUN))


def test_the_recorded_run_is_small_and_complete():
    folder = resource(*RECORDED_RUN)
    assert sum(f.stat().st_size for f in folder.iterdir()) < 300_000
    info, data = recorded(folder)
    assert (info.task, info.cell, info.hidden_size, info.total_steps, info.probe_length) == ("adding", "lstm", 16,
                                                                                               200, 30)
    assert (info.metric_key, info.higher_is_better, info.max_grad_norm) == ("mse", False, 1.0)
    assert info.gate_names == ("i", "f", "g", "o") and info.final["baselines"]["always 1.0"]["mse"] > 0.1
    assert len(data.probe_steps) > 3 and data.first_probe.step == 0 and data.last_probe.step == 200


def test_history_columns_keep_their_csv_names(run):
    _info, data = run
    assert val_col("mse") == "val_mse" and val_col("loss") == "val_loss" and grad_col("head") == "grad[head]"
    groups = grad_groups(data.columns)
    assert groups and all(grad_col(g) in data.columns for g in groups)  # metrics.csv written with these names
    assert grad_groups(["grad_norm", "grad[]", "val_mse", "grad[rnn layer 0]"]) == ["rnn layer 0"]


@pytest.mark.parametrize("cls", PANELS)
def test_every_panel_keeps_the_panel_contract(qtbot, cls):
    panel = cls()
    qtbot.addWidget(panel)
    assert isinstance(panel, Panel)


def test_configure_then_refresh_draws_the_recorded_loss_and_metric(qtbot, run):
    """From RunInfo alone: RunData's copy of the metric (which the window sets today) stays empty here."""
    info, data = run
    assert data.metric_key == ""
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.configure(info)
    assert panel.has_news(data)
    panel.refresh(data)
    assert not panel.has_news(data)
    x, y = drawn(panel.train_raw)
    train = data.col("train_loss")
    assert len(x) == np.isfinite(train).sum() == 200 and np.allclose(y, train[np.isfinite(train)])
    x, y = drawn(panel.val_metric)
    metric = data.col(val_col("mse"))
    assert np.allclose(y, metric[np.isfinite(metric)]) and x[-1] == 200
    assert [v for _, v in panel.baseline_lines] == [info.final["baselines"]["always 1.0"]["mse"]]
    assert "MSE" in panel.metric_plot.titleLabel.text and "lower is better" in panel.metric_plot.titleLabel.text
    assert panel.metric_plot.getAxis("left").labelText == "MSE"
    panel.reset()
    assert panel.has_news(data) and len(drawn(panel.train_raw)[0]) == 0


def test_configure_then_refresh_draws_the_recorded_gradient_norms(qtbot, run):
    info, data = run
    panel = GradNormPanel()
    qtbot.addWidget(panel)
    panel.configure(info)
    panel.refresh(data)
    norm = data.col("grad_norm")
    assert np.allclose(drawn(panel.global_curve)[1], norm[np.isfinite(norm) & (norm > 0)])
    assert set(panel.group_curves) == set(grad_groups(data.columns))
    assert np.allclose(drawn(panel.threshold)[1], 1.0)  # the run clips at 1.0
    clipped = int(((data.col("clipped") > 0.5) & (norm > 0)).sum())
    assert clipped > 0 and len(drawn(panel.clip_marks)[0]) == 2 * clipped


def test_configure_then_refresh_draws_the_recorded_gradient_through_time(qtbot, run):
    info, data = run
    panel = GradTimePanel()
    qtbot.addWidget(panel)
    panel.configure(info)
    panel.refresh(data)
    now = data.last_probe.grad_norms[(0, 0)]
    assert np.allclose(drawn(panel.curves[(0, 0)])[1], now[now > 0])
    assert len(drawn(panel.first_curve)[0]) == info.probe_length
    image = panel.heat.image.image
    assert image.shape == (len(data.probe_steps), info.probe_length) and np.isfinite(image).all()


@pytest.mark.slow
def test_configure_then_refresh_draws_the_recorded_gates(qtbot, run):
    info, data = run
    panel = GatesPanel()
    qtbot.addWidget(panel)
    panel.configure(info)
    assert set(panel.heatmaps) == {"i", "f", "g", "o", "hidden", "cell"}  # built from the info, before any probe
    panel.refresh(data)
    forget = panel.heatmaps["f"].image.image
    assert forget.shape == (info.hidden_size, info.probe_length)
    assert np.allclose(forget, data.last_probe.gates[(0, 0, "f")][0].T)
    assert 0.0 <= forget.min() and forget.max() <= 1.0
    assert "step 200" in panel.info.text()


def colour_pixels(image: QImage, colour: str, tolerance: int = 40) -> int:
    """How many pixels of `image` are close to `colour`."""
    image = image.convertToFormat(QImage.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    want = QColor(colour)
    bgr = np.array([want.blue(), want.green(), want.red()], dtype=int)
    return int((np.abs(pixels[:, : image.width(), :3].astype(int) - bgr).max(axis=2) < tolerance).sum())


@pytest.mark.slow
@pytest.mark.parametrize("module, colour", [("loss", theme.TRAIN_SMOOTH), ("gradnorms", theme.CLIP_MARK),
                                            ("gradtime", theme.group_color(0)), ("gates", theme.GATE_COLORS["f"])])
def test_each_panel_starts_alone_on_the_recorded_run(qtbot, tmp_path, module, colour):
    """`python -m rnnlab.app.plots.<module> --screenshot PNG`: the module's `main`, run here."""
    shot = tmp_path / f"{module}.png"
    main = importlib.import_module(f"rnnlab.app.plots.{module}").main
    assert main(["--screenshot", str(shot)]) == 0
    image = QImage(str(shot))
    assert image.width() >= 900 and colour_pixels(image, colour) > 200  # the panel's own curves or heatmaps drew


def test_a_panel_alone_on_a_folder_that_is_no_run_says_so(qtbot, tmp_path, capsys):
    from rnnlab.app.plots.gates import main

    assert main([str(tmp_path)]) == 2
    assert "is not a complete rnnlab run" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("zoom, least", [(1.0, 60), (1.3, 45)])
def test_gate_heatmaps_get_the_room_of_a_1024_by_768_window(qtbot, run, zoom, least):
    """Issue 9: at 1024x768 the Gates tab is about 676x255 px; its heatmaps were 35 px high (24 at 130 %) and the
    caption was cut off."""
    info, data = run
    theme.set_zoom(zoom)
    try:
        panel = GatesPanel()
        qtbot.addWidget(panel)
        panel.resize(676, 255)
        panel.configure(info)
        panel.show()
        qtbot.waitExposed(panel)
        panel.refresh(data)
        qtbot.wait(50)
        heights = [h.item.getViewBox().height() for h in panel.heatmaps.values()]
        assert min(heights) >= least, heights
        caption = panel.info
        assert caption.fontMetrics().horizontalAdvance(caption.text()) <= caption.width()
    finally:
        theme.set_zoom(1.0)
