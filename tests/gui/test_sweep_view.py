"""The sweep view on a real sweep folder made by the engine: one table row per point, sorting numbers as numbers, one
chart line per cell whose mean and band are results.csv's numbers, the baseline and goal levels, a damaged file named
in the view, and the chart exported like the window's other plots."""

import math
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt

from rnnlab.app.output import export
from rnnlab.app.many.sweep_view import SORT_ROLE, SweepView
from rnnlab.experiments import LocalExecutor, SweepRunner, build, read_results
from rnnlab.experiments.sweep import to_toml

from helpers import configured


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    cfg = configured("adding", {"model.hidden_size": 8, "training.steps": 20, "training.eval_every": 10})
    sweep = build(cfg, {"task.length": [5, 10], "model.cell": ["rnn_tanh", "lstm"]}, [0, 1])
    path = tmp_path_factory.mktemp("sweep") / "lengths"
    events = list(SweepRunner(replace(sweep, source_text=to_toml(sweep)), path, LocalExecutor(2)).events())
    assert events[-1].counts == {"finished": 8}
    return path


def opened(qtbot, path) -> SweepView:
    view = SweepView()
    qtbot.addWidget(view)
    view.resize(1100, 800)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=20_000):
        view.open(path)
    return view


def column(view, title) -> int:
    model = view.model
    return next(c for c in range(model.columnCount()) if model.horizontalHeaderItem(c).text() == title)


def mean_curves(view):
    return {c.name().removesuffix(" mean"): c for c in view.plot.listDataItems() if c.name().endswith(" mean")}


@pytest.mark.slow
def test_one_row_per_point_and_one_line_per_cell_with_the_numbers_of_results_csv(qtbot, folder):
    view = opened(qtbot, folder)
    rows = read_results(folder)
    assert view.model.rowCount() == len(rows) == 8
    assert view.x_axis() == "task.length"
    curves = mean_curves(view)
    assert sorted(curves) == ["LSTM", "vanilla RNN (tanh)"]
    bands = [i for i in view.plot.items if isinstance(i, pg.FillBetweenItem)]
    assert len(bands) == 2
    by_name = {c.name(): c for c in view.plot.listDataItems()}
    for cell, name in (("rnn_tanh", "vanilla RNN (tanh)"), ("lstm", "LSTM")):
        x, mean = curves[name].getOriginalDataset()
        _, low = by_name[f"{name} min"].getOriginalDataset()
        _, high = by_name[f"{name} max"].getOriginalDataset()
        assert list(x) == [5.0, 10.0]
        for i, length in enumerate(("5", "10")):
            values = [float(r["test_mse"]) for r in rows if r["model.cell"] == cell and r["task.length"] == length]
            assert mean[i] == pytest.approx(np.mean(values), rel=1e-12)
            assert (low[i], high[i]) == (min(values), max(values))
    baseline = next(c for c in view.plot.listDataItems() if c.name().startswith("baseline "))
    column_name = "baseline " + baseline.name().removeprefix("baseline ")
    assert baseline.getOriginalDataset()[1][0] == pytest.approx(np.mean([float(r[column_name]) for r in rows]))
    assert baseline.opts["pen"].style() == Qt.DashLine
    goal = next(c for c in view.plot.listDataItems() if c.name() == "goal")
    assert goal.getOriginalDataset()[1][0] == 0.01 and goal.opts["pen"].style() == Qt.DotLine
    assert "length (sequence length T)" in view.plot.getAxis("bottom").labelText
    assert view.plot.getAxis("left").labelText == "test MSE"


@pytest.mark.slow
def test_choosing_the_cell_as_x_gives_one_line_per_length(qtbot, folder):
    view = opened(qtbot, folder)
    view.axis_combo.setCurrentIndex(view.axis_combo.findData("model.cell"))
    assert sorted(mean_curves(view)) == ["length=10", "length=5"]
    assert view.plot.getAxis("bottom")._labels == ["rnn_tanh", "lstm"]


@pytest.mark.slow
def test_numbers_sort_as_numbers(qtbot, folder):
    view = opened(qtbot, folder)
    col = column(view, "test MSE")
    view.table.sortByColumn(col, Qt.AscendingOrder)
    shown = [view.sorted.index(r, col).data(SORT_ROLE) for r in range(view.sorted.rowCount())]
    assert shown == sorted(float(r["test_mse"]) for r in read_results(folder))
    length = column(view, "length")
    view.table.sortByColumn(length, Qt.DescendingOrder)  # as text "5" would come before "10"
    assert [view.sorted.index(r, length).data() for r in range(8)] == ["10"] * 4 + ["5"] * 4


@pytest.mark.slow
def test_failed_points_are_marked_with_their_error_and_left_out_of_the_chart(qtbot, folder, tmp_path):
    text = (folder / "results.csv").read_text().splitlines()
    # the first point (length 5, rnn_tanh, seed 0) failed: its row as the engine writes a failure
    header = text[0].split(",")
    first = next(i for i, line in enumerate(text) if line.startswith('"length=5,cell=rnn_tanh,seed=0"'))
    cells = ['"length=5,cell=rnn_tanh,seed=0"', "5", "rnn_tanh", "0", "failed", "RuntimeError: out of memory"]
    text[first] = ",".join(cells + [""] * (len(header) - len(cells)))
    (tmp_path / "results.csv").write_text("\n".join(text) + "\n")
    view = opened(qtbot, tmp_path)
    status = column(view, "status")
    row = next(r for r in range(8) if view.model.item(r, status).text() == "failed")
    assert view.model.item(row, 0).toolTip() == "failed: RuntimeError: out of memory"
    assert view.model.item(row, 0).background().color().name() != "#000000"
    x, mean = mean_curves(view)["vanilla RNN (tanh)"].getOriginalDataset()
    rows = read_results(folder)
    seed1 = next(float(r["test_mse"]) for r in rows if r["point"] == "length=5,cell=rnn_tanh,seed=1")
    assert mean[0] == seed1  # only the other seed is left at length 5
    assert "7 done (1 failed)" in view.heading.text()


def test_a_metric_spanning_decades_is_drawn_on_a_log_scale(qtbot, tmp_path):
    lines = ["point,model.cell,task.length,seed,status,error,metric,test_mse,baseline always 1.0"]
    for cell, mse in (("rnn_tanh", 0.17), ("lstm", 0.0001)):
        for length in (10, 100):
            lines.append(f'"cell={cell},length={length},seed=0",{cell},{length},0,finished,,mse,{mse},0.165')
    (tmp_path / "results.csv").write_text("\n".join(lines) + "\n")
    view = opened(qtbot, tmp_path)
    assert view.log_x.isChecked() and view.log_y.isChecked()
    assert view.plot.ctrl.logXCheck.isChecked() and view.plot.ctrl.logYCheck.isChecked()
    view.log_y.setChecked(False)
    assert not view.plot.ctrl.logYCheck.isChecked()
    view.axis_combo.setCurrentIndex(view.axis_combo.findData("model.cell"))  # text along x: no log x
    assert not view.log_x.isChecked() and not view.plot.ctrl.logXCheck.isChecked()


@pytest.mark.parametrize("content", ['point,task.gap,seed,status\n"gap=5,seed=0",5,0,finished,0.3\n', "", "a,b\n"])
def test_a_damaged_results_csv_gives_a_message_in_the_view(qtbot, tmp_path, content):
    (tmp_path / "results.csv").write_text(content)
    view = SweepView()
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.failed, timeout=20_000) as blocker:
        view.open(tmp_path)
    assert str(tmp_path) in blocker.args[0]
    assert view.message.isVisibleTo(view) and view.message.text() == blocker.args[0]
    assert view.summary is None and view.model.rowCount() == 0


@pytest.mark.slow
def test_the_chart_exports_like_the_other_plots(qtbot, folder, tmp_path):
    view = opened(qtbot, folder)
    choices = export.plot_choices(view)
    assert [c.target for c in choices] == [view.plot]
    export.save_png(view.plot, tmp_path / "chart.png")
    assert (tmp_path / "chart.png").stat().st_size > 10_000
    header, rows = export.plot_table(view.plot)
    assert header[0] == "length" and "vanilla_rnn_mean" in header and "lstm_max" in header
    assert [r[0] for r in rows] == [5.0, 10.0] and all(math.isfinite(v) for v in rows[0][1:])
