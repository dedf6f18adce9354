"""Comparing saved runs: refused across tasks with the reason; legend labels name only what differs."""

import pytest

from rnnlab import config
from rnnlab.errors import RunError
from rnnlab.experiments import race
from rnnlab.runs.compare import compare, different_keys, legend_labels, setting_label, task_problem

from helpers import configured


def cfg(task="adding", cell="lstm", **training):
    return configured(task, {"model.cell": cell, "model.hidden_size": 4}, **{"steps": 5, **training})


def saved(tmp_path, name, c):
    """A folder with only config.toml: what compare reads (the library lists runs; compare checks their configs)."""
    folder = tmp_path / name
    folder.mkdir()
    config.save(c, folder / "config.toml")
    return folder


def test_labels_name_only_what_differs():
    a, b = cfg(cell="lstm", learning_rate=0.01), cfg(cell="gru", learning_rate=0.001)
    assert different_keys([a, b]) == ["model.cell", "training.learning_rate"]
    assert legend_labels([a, b], ["x", "y"]) == ["LSTM, lr=0.01", "GRU, lr=0.001"]


def test_identical_configs_are_named_by_their_folders():
    assert legend_labels([cfg(), cfg()], ["run-a", "run-b"]) == ["run-a", "run-b"]


def test_runs_that_would_share_a_label_get_their_folder_name_too():
    labels = legend_labels([cfg(cell="gru"), cfg(cell="gru"), cfg(cell="rnn_tanh")], ["a", "b", "c"])
    assert labels == ["GRU (a)", "GRU (b)", "vanilla RNN (tanh)"]


def test_switches_and_task_options_read_plainly():
    assert setting_label("training.clip_grad", False) == "clip_grad off"
    assert setting_label("model.bidirectional", True) == "bidirectional on"
    a, b = (config.from_dict({"task": {"name": "adding", "options": {"length": n}}}) for n in (20, 50))
    assert legend_labels([a, b], ["x", "y"]) == ["length=20", "length=50"]


def test_the_race_words_runners_as_the_legend_does():
    assert race.label("model.cell", "rnn_tanh") == setting_label("model.cell", "rnn_tanh") == "vanilla RNN (tanh)"
    assert race.label("training.learning_rate", 0.01) == "lr=0.01"


def test_runs_of_different_tasks_are_refused_with_the_reason(tmp_path):
    paths = [saved(tmp_path, "a", cfg("adding")), saved(tmp_path, "f", cfg("forecast"))]
    message = ("These runs are of different tasks (adding, forecast): their losses and metrics are not comparable. "
               "Compare runs of one task.")
    assert task_problem(["forecast", "adding", "forecast"]) == message and task_problem(["adding"] * 2) == ""
    with pytest.raises(RunError) as err:
        compare(paths)
    assert str(err.value) == message


def test_compare_reads_the_configs_and_names_the_runs(tmp_path):
    a = saved(tmp_path, "rnn", cfg(cell="rnn_tanh"))
    b = saved(tmp_path, "lstm", cfg(cell="lstm"))
    c = compare([a, b])
    assert c.task == "adding" and c.paths == (a, b) and c.labels == ("vanilla RNN (tanh)", "LSTM")
    assert c.differs == ("model.cell",) and c.configs[1].model.cell == "lstm"


def test_compare_refuses_one_run_the_same_run_twice_and_a_broken_config(tmp_path):
    a = saved(tmp_path, "a", cfg())
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.toml").write_text("[model]\ncell = 'transformer'\n")
    with pytest.raises(RunError, match="two runs or more"):
        compare([a])
    with pytest.raises(RunError, match="same run is chosen twice"):
        compare([a, tmp_path / "." / "a"])
    with pytest.raises(RunError, match="broken cannot be compared"):
        compare([a, broken])
