"""Sweep files refused at once with one line: arrays nested 100000 deep, FIFOs and huge files unread, too many
points (saying how to raise the cap), repeated values, zip mode without axes; long point ids stay short and
stable, and a race of 300 values starts a bounded pool.

Each test failed on the code before its fix (issue 20, commit 7bcfe63); test_surface_properties.py throws
generated inputs at the same boundaries."""

from __future__ import annotations

import os
from functools import partial

import pytest

from rnnlab import config
from rnnlab.errors import ConfigError
from rnnlab.experiments import sweep
from rnnlab.experiments.local import MAX_WORKERS, worker_limit

from helpers import refused as refused_with, time_limit

refused = partial(refused_with, error=ConfigError, seconds=10.0)  # a sweep file: a config error, at once
MEMORY = '[task]\nname = "memory"\n[training]\nsteps = 2\n'


# --- sweep files ----------------------------------------------------------------------------------------------------

def test_arrays_nested_100000_deep_are_refused():
    text = MEMORY + '[sweep.axes]\n"model.cell" = ' + "[" * 100_000 + "]" * 100_000 + "\n"
    refused(lambda: sweep.loads(text), "sweep file")


def test_a_fifo_dev_zero_and_a_huge_file_are_refused_unread(tmp_path):
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    refused(lambda: sweep.load(fifo), "fifo.toml", folder=str(tmp_path), seconds=2)
    refused(lambda: sweep.load("/dev/zero"), "/dev/zero", seconds=2)
    big = tmp_path / "big.toml"
    with open(big, "wb") as fh:
        fh.truncate(2_000_000_000)  # sparse: 2 GB on paper, nothing on disk
    refused(lambda: sweep.load(big), "big.toml", folder=str(tmp_path), seconds=2)


@pytest.mark.slow
@pytest.mark.parametrize("table", [
    '[sweep.axes]\n"model.hidden_size" = [{a}]\n"training.batch_size" = [{a}]\n',
    "[sweep]\nseeds = [{big}]\n",
    '[sweep.axes]\n"training.steps" = [{big}]\n',
])
def test_a_sweep_of_too_many_points_is_refused_at_once_saying_how_to_raise_the_cap(table):
    text = MEMORY + table.format(a=", ".join(str(i) for i in range(1, 1001)),
                                 big=", ".join(str(i) for i in range(1, 100_001)))
    if "[sweep]" not in text:
        text = text.replace("[sweep.axes]", "[sweep]\n[sweep.axes]")
    message = refused(lambda: sweep.loads(text), "points", seconds=5)
    assert "max_points" in message


@pytest.mark.slow
def test_max_points_raises_the_cap_and_the_points_are_built_quickly():
    values = ", ".join(str(i) for i in range(1, 61))
    text = MEMORY + f'[sweep]\nmax_points = 2400\nseeds = [0, 1]\n[sweep.axes]\n"model.hidden_size" = [{values}]\n' \
                    f'"task.gap" = [{", ".join(str(i) for i in range(1, 21))}]\n'
    with time_limit(20):
        built = sweep.loads(text)
    assert len(built.points) == 2400 and len({p.id for p in built.points}) == 2400
    last = built.points[-1]
    assert (last.config.model.hidden_size, last.config.task.options["gap"], last.seed) == (60, 20, 1)
    refused(lambda: sweep.loads(text.replace("2400", "100001")), "sweep.max_points")


@pytest.mark.slow
def test_a_repeated_value_in_a_long_axis_is_found_without_comparing_every_pair():
    values = list(range(1, 900)) + [5]
    text = "The value 5 twice"
    with time_limit(5):
        with pytest.raises(ConfigError, match="appears twice"):
            sweep.build(config.RunConfig(), {"training.steps": values})
    assert text


def test_21_one_value_axes_make_a_short_stable_unique_point_id():
    keys = ["hidden_size", "num_layers", "dropout", "embedding_size", "bidirectional"]
    axes = {f"model.{k}": [v] for k, v in zip(keys, [7, 2, 0.1, 9, True])}
    axes |= {f"training.{k}": [v] for k, v in [("steps", 3), ("batch_size", 5), ("learning_rate", 0.002),
                                                ("weight_decay", 0.0001), ("momentum", 0.5), ("clip_grad", False),
                                                ("max_grad_norm", 2.5), ("eval_every", 2), ("optimizer", "sgd")]}
    axes |= {"task.gap": [12], "task.keys": [3], "task.distractors": [5], "task.train_size": [100]}
    axes |= {"model.cell": ["gru"], "model.gate_init": ["open"], "training.tbptt": [0]}
    built = sweep.build(config.RunConfig().replace("task.name", "memory"), axes, [0, 1])
    ids = [p.id for p in built.points]
    assert all(len(i.encode()) <= sweep.MAX_ID_BYTES for i in ids) and len(set(ids)) == 2
    again = sweep.build(config.RunConfig().replace("task.name", "memory"), axes, [0, 1])
    assert [p.id for p in again.points] == ids  # stable: a resumed sweep finds the same folders
    assert ids[0].startswith("hidden_size=7,") and ids[0].endswith(",seed=0")


def test_a_point_with_a_long_id_trains_and_saves(tmp_path):
    """The finding end to end: before, the point trained and then the save failed with `File name too long`."""
    import torch

    from helpers import run_inline

    torch.set_num_threads(1)
    base = config.from_dict({"task": {"name": "adding", "options": {"length": 6, "train_size": 100}},
                             "training": {"steps": 2, "threads": 1}})
    axes = {f"model.{k}": [v] for k, v in [("hidden_size", 3), ("num_layers", 1), ("dropout", 0.0),
                                           ("bidirectional", False), ("cell", "gru"), ("gate_init", "open")]}
    axes |= {f"training.{k}": [v] for k, v in [("batch_size", 5), ("learning_rate", 0.002), ("momentum", 0.5),
                                               ("weight_decay", 0.0001), ("clip_grad", False), ("eval_every", 2),
                                               ("max_grad_norm", 2.5), ("optimizer", "sgd"), ("tbptt", 0),
                                               ("probe_every", 0), ("epochs", 0), ("device", "cpu")]}
    axes |= {"task.length": [6], "task.train_size": [100], "training.steps": [2]}
    built = sweep.build(base, axes)
    assert len(axes) == 21 and len(built.points[0].id) <= sweep.MAX_ID_BYTES
    with time_limit(60):
        runner = run_inline(built, tmp_path / "long")
    assert runner.folder.counts() == {"finished": 1}
    assert (tmp_path / "long" / "runs" / built.points[0].id / "summary.json").exists()


def test_zip_mode_without_axes_is_refused():
    refused(lambda: sweep.loads(MEMORY + '[sweep]\nmode = "zip"\n'), "sweep.axes")


def test_a_race_of_300_values_starts_a_bounded_pool(tmp_path):
    from rnnlab.experiments.race import Race

    base = config.RunConfig().replace("task.name", "memory").replace("training.steps", 2)
    race = Race(base, tmp_path / "race", "model.hidden_size", list(range(1, 301)))
    assert len(race.sweep.points) == 300
    assert race.executor.slots == worker_limit() <= MAX_WORKERS
    assert worker_limit() <= max(4, 2 * (os.cpu_count() or 1))
