"""The lag-versus-success numbers: a real sweep folder summed up per (cell, length) over seeds, checked against its
own results.csv; damaged and half-written files give one sentence; the form's axis text is parsed and validated."""

import csv
from dataclasses import replace

import numpy as np
import pytest

from rnnlab.errors import ConfigError, RunError
from rnnlab.experiments import LocalExecutor, SweepRunner, build, read_results
from rnnlab.experiments.summary import axes_of, load_summary, parse_results
from rnnlab.experiments.sweep import parse_axis, parse_seeds, to_toml

from helpers import configured


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    cfg = configured("adding", {"model.hidden_size": 8, "training.steps": 20, "training.eval_every": 10})
    sweep = build(cfg, {"task.length": [5, 10], "model.cell": ["rnn_tanh", "lstm"]}, [0, 1])
    sweep = replace(sweep, source_text=to_toml(sweep))
    path = tmp_path_factory.mktemp("sweep") / "lengths"
    events = list(SweepRunner(sweep, path, LocalExecutor(2)).events())
    assert events[-1].counts == {"finished": 8}
    return path


@pytest.mark.slow
def test_one_line_per_cell_with_mean_min_and_max_over_seeds_from_results_csv(folder):
    summary = load_summary(folder)
    assert summary.axes == ("task.length", "model.cell")
    assert summary.metric == "mse" and summary.metric_title == "MSE" and not summary.higher_is_better
    lines = summary.lines("task.length")
    assert [line.label for line in lines] == ["vanilla RNN (tanh)", "LSTM"]  # as races and comparisons say
    rows = read_results(folder)
    for line, cell in zip(lines, ("rnn_tanh", "lstm")):
        assert list(line.x) == [5.0, 10.0] and list(line.n) == [2, 2]
        for i, length in enumerate(("5", "10")):
            values = [float(r["test_mse"]) for r in rows if r["model.cell"] == cell and r["task.length"] == length]
            assert line.mean[i] == pytest.approx(np.mean(values), rel=1e-12)
            assert line.low[i] == min(values) and line.high[i] == max(values)
            assert line.low[i] < line.high[i]  # two seeds, two different numbers: the band has a width


@pytest.mark.slow
def test_a_text_axis_is_placed_in_the_sweeps_order_and_the_levels_come_from_the_task(folder):
    summary = load_summary(folder)
    lines = summary.lines("model.cell")
    assert [line.label for line in lines] == ["length=5", "length=10"]
    assert list(lines[0].x) == [0.0, 1.0] and summary.categories("model.cell") == ["rnn_tanh", "lstm"]
    assert summary.goal is not None and summary.goal.value == 0.01
    rows = read_results(folder)
    names = [c.removeprefix("baseline ") for c in rows[0] if c.startswith("baseline ")]
    levels = summary.baselines()
    assert [b.label for b in levels] == names
    assert levels[0].value == pytest.approx(np.mean([float(r[f"baseline {names[0]}"]) for r in rows]))
    assert summary.axis_titles["task.length"] == "length (sequence length T)"
    with pytest.raises(RunError, match="not an axis"):
        summary.lines("task.gap")


@pytest.mark.slow
def test_failed_and_unfinished_points_are_left_out_of_the_chart(folder, tmp_path):
    text = (folder / "results.csv").read_text()
    header, rows = parse_results(text)
    rows = [dict(r) for r in rows]
    rows[0]["status"], rows[0]["error"] = "failed", "RuntimeError: boom"
    rows[1]["status"] = "interrupted"
    with open(tmp_path / "results.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows([r[c] for c in header] for r in rows)
    summary = load_summary(tmp_path)
    assert summary.counts() == {"failed": 1, "interrupted": 1, "finished": 6}
    assert (rows[0]["task.length"], rows[0]["model.cell"]) == (rows[1]["task.length"], rows[1]["model.cell"]) \
        == ("5", "rnn_tanh")  # both seeds of one (length, cell): that x has no number left
    by_label = {line.label: line for line in summary.lines("task.length")}
    tanh, lstm = by_label["vanilla RNN (tanh)"], by_label["LSTM"]
    assert list(tanh.x) == [10.0] and list(tanh.n) == [2]
    assert list(lstm.x) == [5.0, 10.0] and list(lstm.n) == [2, 2]


@pytest.mark.parametrize("content, message", [
    ("", "is empty"),
    ("a,b\n1,2\n", "no point, seed, status column"),
    ('point,task.gap,seed,status,error\n"gap=5,seed=0",5,0,finished,,0.1\n', "line 2 has 6 fields, the header has 5"),
    ('point,task.gap,seed,status,error,test_mse\n"gap=5,seed=0",5,0,finished,,0.1\n"gap=10,seed=0",10,0,fin',
     "half-written: line 3 has 4 fields"),
])
def test_a_damaged_results_csv_is_named_in_one_sentence(tmp_path, content, message):
    (tmp_path / "results.csv").write_text(content)
    with pytest.raises(RunError, match=message):
        load_summary(tmp_path)


def test_not_a_sweep_folder_and_bytes_that_are_not_text(tmp_path):
    with pytest.raises(RunError, match="not a sweep folder"):
        load_summary(tmp_path)
    (tmp_path / "results.csv").write_bytes(b"point,seed,status\n\xff\xfe,0,finished\n")
    with pytest.raises(RunError, match="not UTF-8"):
        load_summary(tmp_path)


def test_axes_are_the_columns_between_point_and_seed():
    assert axes_of(["point", "model.cell", "task.gap", "seed", "status"]) == ("model.cell", "task.gap")


def test_the_forms_axis_and_seed_text():
    assert parse_axis("task.length = 10, 50,100") == ("task.length", [10, 50, 100])
    assert parse_axis("model.cell=rnn_tanh, lstm") == ("model.cell", ["rnn_tanh", "lstm"])
    assert parse_axis("training.lr = 0.01, 1e-3") == ("training.lr", [0.01, 0.001])
    assert parse_axis("model.bidirectional = true, false")[1] == [True, False]
    assert parse_seeds("0, 1,2") == [0, 1, 2]
    with pytest.raises(ConfigError, match="key = value"):
        parse_axis("10, 50")
    with pytest.raises(ConfigError, match="separated by commas"):
        parse_axis("task.length = 10,,50")
    with pytest.raises(ConfigError, match="sweep.seeds"):
        parse_seeds("")
