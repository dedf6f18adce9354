"""The race's end table after a real race: a row per runner with its colour and label and finite numbers, sorted by
number (not text), a failed runner's row says why, and the sentence on speed sits under it."""

import math

import pytest
from PySide6.QtCore import Qt

from rnnlab.app.many.race_table import RaceTable
from rnnlab.app.run.rundata import RunData
from rnnlab.app.run.runset import RunSet, Track

from helpers import assert_drawn, configured

CELLS = ("rnn_tanh", "lstm", "gru")


def base(steps):
    cfg = configured("adding", {"task.length": 12, "model.hidden_size": 8, "training.steps": steps,
                                "training.seed": 5, "training.learning_rate": 0.01})
    return cfg


def column(table, title):
    headers = [table.table.horizontalHeaderItem(j).text() for j in range(table.table.columnCount())]
    j = headers.index(title)
    return [table.table.item(i, j).text() for i in range(table.table.rowCount())]


@pytest.mark.slow
def test_the_table_after_a_real_race(qtbot, tmp_path, race_session):
    with qtbot.waitSignal(race_session.ended, timeout=180_000) as ended:
        race_session.start(base(120), "model.cell", CELLS, tmp_path / "race", progress_s=0.1)
    rows, sentence = ended.args
    table = RaceTable()
    qtbot.addWidget(table)
    table.resize(1000, 300)
    table.show_results(rows, race_session.runs, sentence)
    table.show()
    headers = [table.table.horizontalHeaderItem(j).text() for j in range(table.table.columnCount())]
    assert headers[:2] == ["Run", "Test MSE (lower is better)"] and "Solved at step" in headers
    assert any(h.startswith("Baseline: ") for h in headers)
    assert column(table, "Run") == ["vanilla RNN (tanh)", "LSTM", "GRU"]
    for title in ("Test MSE (lower is better)", "Steps/s", "Wall time (s)"):
        assert all(math.isfinite(float(v)) for v in column(table, title))
    assert set(column(table, "Status")) == {"finished"}
    icon = table.table.item(0, 0).icon().pixmap(14, 14).toImage().pixelColor(7, 7).name()
    assert icon == race_session.runs.tracks[0].colour.lower()
    assert table.sentence.text() == f"Speed on this computer: {sentence}" and "steps/s" in sentence
    j = headers.index("Steps/s")
    table.table.sortItems(j, Qt.DescendingOrder)
    speeds = [float(v) for v in column(table, "Steps/s")]
    assert speeds == sorted(speeds, reverse=True)
    table.resize(1280, 800)
    assert_drawn(table)


def test_numbers_sort_as_numbers_and_a_failed_runner_says_why(qtbot):
    runs = RunSet()
    for key, name in (("a", "gap=9"), ("b", "gap=100"), ("c", "gap=1000")):
        runs.add(Track(key, name, None, RunData()))
    rows = [{"point": "a", "status": "finished", "metric": "accuracy", "test_accuracy": 0.9, "steps_per_s": 900,
             "wall_s": 2.0},
            {"point": "b", "status": "finished", "metric": "accuracy", "test_accuracy": 0.5, "steps_per_s": 80,
             "wall_s": 20.0},
            {"point": "c", "status": "failed", "error": "out of memory", "metric": "accuracy"}]
    table = RaceTable()
    qtbot.addWidget(table)
    table.show_results(rows, runs, "")
    speed = [table.table.horizontalHeaderItem(j).text() for j in range(table.table.columnCount())].index("Steps/s")
    table.table.sortItems(speed, Qt.AscendingOrder)  # Steps/s: 80 before 900 (as text "900" < "80"), the failed last
    assert column(table, "Run") == ["gap=100", "gap=9", "gap=1000"]
    table.table.sortItems(speed, Qt.DescendingOrder)
    assert column(table, "Run") == ["gap=9", "gap=100", "gap=1000"]
    assert column(table, "Status")[2] == "failed: out of memory" and column(table, "Steps/s")[2] == "–"
    assert "Solved at step" not in [table.table.horizontalHeaderItem(j).text() for j in range(5)]
    assert table.sentence.text() == ""
