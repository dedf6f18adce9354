"""What a long run keeps in memory stays bounded: 8 bytes a metrics cell, and a capped record of the probes."""

import math
import tracemalloc

import numpy as np
import pytest

from rnnlab import config
from rnnlab.train import history as history_mod
from rnnlab.train.history import History, ProbeRecords
from rnnlab.train.trainer import Trainer

COLUMNS = ("step", "epoch", "train_loss", "val_loss", "grad_norm", "clipped", "learning_rate", "time_s",
           "val_rmse", "val_mae", "grad[rnn layer 0]", "grad[head]")  # the CLI's default forecast logs these 12


def test_a_metrics_cell_costs_its_8_bytes_not_a_python_float():
    """A list of Python floats costs 32 bytes a cell (issue 24: ~40 MB of a CLI's 100k-step run): the columns must
    hold the numbers themselves. Measured against the cells' own size, so no machine-dependent threshold."""
    history, rows = History(), 20_000
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(rows):
            history.append({c: i * 0.5 + k for k, c in enumerate(COLUMNS)})
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert history.nbytes == 8 * len(COLUMNS) * rows
    assert grown < 1.5 * history.nbytes, f"{grown / history.nbytes:.1f} bytes held per byte of data"


def test_compact_columns_read_back_exactly():
    history = History()
    history.append({"step": 1, "train_loss": 0.1, "val_loss": None})
    history.append({"step": 2, "train_loss": 1e-300, "val_mae": 3.0})  # a new column: its past is NaN
    copy = history.column("train_loss")
    history.append({"step": 3, "train_loss": 7.0})  # the copy handed out does not change, and appending still works
    assert copy.tolist() == [0.1, 1e-300]
    assert history.column("step", 1).tolist() == [2.0, 3.0]
    assert np.isnan(history.column("val_mae")).tolist() == [True, False, True]
    assert history.last("val_mae") == 3.0 and math.isnan(history.last("val_loss"))
    assert History.from_csv(history.to_csv()).to_csv() == history.to_csv()


def test_probe_records_stay_bounded_and_span_the_whole_run():
    records = ProbeRecords(limit=64)
    for step in range(1, 100_001):
        records.append((step, {}))
        assert len(records) <= 64
    steps = [s for s, _ in records]
    assert steps[0] == 1 and steps[-1] == 100_000  # the reference and the newest probe stay
    assert len(records) > 32
    gaps = np.diff(steps)
    assert len(set(gaps[:-1])) == 1 and gaps[-1] <= gaps[0]  # evenly thinned, not a recent burst after a gap


def test_probe_records_from_an_older_file_are_thinned_on_reopening():
    records = ProbeRecords([(s, {}) for s in range(500)], limit=64)
    assert len(records) <= 64 and records[0][0] == 0
    records.append((500, {}))
    assert len(records) <= 64 and records[-1][0] == 500


@pytest.mark.slow
def test_the_trainer_keeps_a_bounded_probe_record(monkeypatch):
    monkeypatch.setattr(history_mod, "PROBE_RECORDS", 8)
    cfg = config.from_dict({"task": {"name": "forecast"}, "model": {"hidden_size": 8},
                            "training": {"steps": 40, "batch_size": 8, "probe_every": 1, "seed": 0}})
    trainer = Trainer(cfg)
    for _ in trainer.run():
        assert len(trainer.grad_history) <= 8
    assert trainer.grad_history[0][0] == trainer.first_probe.step
    assert trainer.grad_history[-1][0] == trainer.step
    assert trainer.step == 40


@pytest.mark.slow
def test_saving_the_metrics_streams_rows_instead_of_holding_the_text(tmp_path):
    """metrics.csv of a long run is ~200 bytes a row: written whole (a string, then its bytes) it cost ~40 MB at the
    moment a 100k-step run was saved. Written row by row, what the save holds does not grow with the rows."""
    history = History()
    for i in range(20_000):
        history.append({c: i + k * 0.1 for k, c in enumerate(COLUMNS)})
    path = tmp_path / "metrics.csv"
    tracemalloc.start()
    try:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            history.write_csv(fh)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < path.stat().st_size / 5, f"{peak} bytes held to write {path.stat().st_size}"  # whole: >= 2x
    assert History.from_csv(path.read_text(encoding="utf-8")).to_csv() == history.to_csv()
