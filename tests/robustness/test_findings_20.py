"""Issue 20's findings on sweep files, sweep folders and the run library, one test (or a few) each, on real files.

Each test failed on the code before the fix (commit 7bcfe63); the property tests in test_sweep_properties.py throw
generated inputs at the same boundaries. The exported-script findings are in tests/export/test_hostile_export.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rnnlab import config
from rnnlab.errors import ConfigError
from rnnlab.experiments import sweep
from rnnlab.experiments.local import MAX_WORKERS, worker_limit

from helpers import check_refusal, time_limit

MEMORY = '[task]\nname = "memory"\n[training]\nsteps = 2\n'


def refused(fn, *names, folder="", seconds=10.0) -> str:
    with pytest.raises(ConfigError) as err, time_limit(seconds):
        fn()
    return check_refusal(err.value, *names, folder=folder)


def sweep_file(tmp_path, text: str) -> Path:
    path = tmp_path / "sweep.toml"
    path.write_text(text, encoding="utf-8")
    return path


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


# --- sweep folders resumed --------------------------------------------------------------------------------------------

@pytest.fixture
def damaged(finished_sweep, tmp_path):
    """A fresh copy of the finished sweep folder for one test to damage."""
    from helpers import copy_folder

    sw, folder = finished_sweep
    return sw, copy_folder(folder, tmp_path / "sweep")


def to_run(sw, folder) -> list[str]:
    from rnnlab.experiments.folder import SweepFolder

    with time_limit(20):
        return [p.id for p in SweepFolder(folder, sw).open()]


def test_an_intact_sweep_folder_resumes_with_nothing_to_run(damaged):
    assert to_run(*damaged) == []


def test_a_results_row_cut_short_is_run_again(damaged):
    sw, folder = damaged
    results = folder / "results.csv"
    text = results.read_text(encoding="utf-8").rstrip("\n")
    results.write_text(text[: text.rindex(",finished,") + len(",finished,") + 2], encoding="utf-8")
    assert to_run(sw, folder) == [sw.points[-1].id]


@pytest.mark.parametrize("damage", ["truncate weights", "remove summary"])
def test_a_point_whose_run_no_longer_opens_is_run_again(damaged, damage):
    sw, folder = damaged
    run = folder / "runs" / sw.points[0].id
    if damage == "truncate weights":
        with open(run / "weights.safetensors", "r+b") as fh:
            fh.truncate(100)
    else:
        (run / "summary.json").unlink()
    assert to_run(sw, folder) == [sw.points[0].id]


def test_a_2_gb_results_csv_is_refused_in_one_line(damaged):
    from rnnlab.errors import RunError
    from rnnlab.experiments.folder import SweepFolder

    sw, folder = damaged
    with open(folder / "results.csv", "r+b") as fh:
        fh.truncate(2_000_000_000)  # sparse
    with pytest.raises(RunError) as err, time_limit(5):
        SweepFolder(folder, sw).open()
    check_refusal(err.value, "results.csv", folder=str(folder))


def test_a_point_folder_that_is_a_link_loop_is_retrained_and_saved(damaged):
    from helpers import run_inline

    sw, folder = damaged
    run = folder / "runs" / sw.points[1].id
    import shutil

    shutil.rmtree(run)
    run.symlink_to(run.name)  # points at itself
    with time_limit(60):
        runner = run_inline(sw, folder)
    assert runner.folder.counts() == {"finished": 2}
    assert run.is_dir() and not run.is_symlink()


def test_stale_saving_and_old_leftovers_are_removed(damaged):
    from rnnlab.experiments.folder import leftovers

    sw, folder = damaged
    (folder / "runs" / ".cell=gru,seed=0.abc123.saving").mkdir()
    (folder / "runs" / ".cell=gru,seed=0.abc123.saving" / "weights.safetensors").write_bytes(b"half")
    (folder / "runs" / ".cell=gru,seed=0.old-99999").mkdir()
    (folder / ".results.csv.x1y2.tmp").write_text("half")
    (folder / "runs" / ".loop.old-1").symlink_to(".loop.old-1")
    assert len(leftovers(folder)) == 4
    assert to_run(sw, folder) == []
    assert not leftovers(folder)


def test_a_different_sweep_file_into_the_same_folder_is_refused_not_dropped(damaged):
    from helpers import TINY_SWEEP, tiny_sweep

    sw, folder = damaged
    before = (folder / "results.csv").read_bytes()
    other = tiny_sweep(TINY_SWEEP.replace('["rnn_tanh", "gru"]', '["lstm"]'))
    message = refused(lambda: to_run(other, folder), "another sweep", folder=str(folder))
    assert "sweep.toml" in message
    assert (folder / "results.csv").read_bytes() == before
    grown = tiny_sweep(TINY_SWEEP.replace('["rnn_tanh", "gru"]', '["rnn_tanh", "gru", "lstm"]'))
    assert to_run(grown, folder) == [p.id for p in grown.points if "lstm" in p.id]  # a grown sweep goes on


# --- the run library ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ['{"folders": 5}', "null", "[1, 2]", '{"folders": [5, null, "", "a\\u0000b"]}',
                                  '{"folders": {"a": 1}}'])
def test_a_damaged_library_json_lists_the_library_all_the_same(tmp_path, finished_sweep, text, capsys):
    from rnnlab.cli import main
    from rnnlab.runs import library

    from helpers import copy_folder

    home = tmp_path / "home"
    copy_folder(finished_sweep[1], home / "sweeps" / "mine")
    (home / "library.json").write_text(text, encoding="utf-8")
    found = library.entries(home)
    assert [e.name for e in found] == ["mine"] and found[0].ok
    library.remember(tmp_path / "elsewhere", home)  # replaces the damaged list
    assert library.extra_folders(home) == [(tmp_path / "elsewhere").resolve()]


def test_rnnlab_train_out_with_a_damaged_library_json_exits_0(tmp_path, monkeypatch, capsys):
    from rnnlab.cli import main

    home = tmp_path / "home"
    home.mkdir()
    (home / "library.json").write_text('{"folders": 5}', encoding="utf-8")
    monkeypatch.setenv("RNNLAB_HOME", str(home))
    assert main(["train", "--task", "adding", "--steps", "2", "--quiet", "--set", "model.hidden_size=3",
                 "--set", "task.length=5", "--out", str(tmp_path / "run")]) == 0


@pytest.mark.parametrize("damage", ["task is text", "model is a number", "short row", "row of None run"])
def test_one_damaged_sweep_folder_never_hides_the_others(tmp_path, finished_sweep, damage):
    from rnnlab.runs import library

    from helpers import copy_folder

    home = tmp_path / "home"
    good = copy_folder(finished_sweep[1], home / "sweeps" / "good")
    bad = copy_folder(finished_sweep[1], home / "sweeps" / "bad")
    spec, results = bad / "sweep.toml", bad / "results.csv"
    if damage == "task is text":
        spec.write_text('task = "adding"\n[sweep]\n', encoding="utf-8")
    elif damage == "model is a number":
        spec.write_text("model = 5\n[sweep]\n", encoding="utf-8")
    elif damage == "short row":
        results.write_text(results.read_text(encoding="utf-8").splitlines()[0] + "\ncell=x,lstm\n", encoding="utf-8")
    else:
        results.write_text(results.read_text(encoding="utf-8") + "p\n", encoding="utf-8")
    with time_limit(20):
        found = {e.name: e for e in library.entries(home)}
    assert set(found) == {"good", "bad"} and found["good"].ok
    assert found["good"].path == good


def test_hostile_remembered_folders_are_listed_as_damaged_not_raised(tmp_path, finished_sweep):
    import json

    from rnnlab.runs import library

    from helpers import copy_folder

    home = tmp_path / "home"
    copy_folder(finished_sweep[1], home / "sweeps" / "good")
    loop = tmp_path / "loop"
    loop.symlink_to(loop.name)
    folders = [str(tmp_path / ("n" * 300)), "/" + "d/" * 2500, str(loop), str(loop / "inside"), "relative/x"]
    (home / "library.json").write_text(json.dumps({"folders": folders}), encoding="utf-8")
    with time_limit(20):
        found = library.entries(home)
    names = [e.name for e in found]
    assert "good" in names and len(found) == 1 + len(folders) - 1  # the 5,000-character path is over PATH_MAX
    assert all(e.problem for e in found if e.name != "good")
    assert all("\n" not in e.problem for e in found)


def test_rnnlab_home_a_link_loop_lists_nothing_and_train_still_saves(tmp_path, monkeypatch):
    from rnnlab.cli import main
    from rnnlab.runs import library

    loop = tmp_path / "home"
    loop.symlink_to(loop.name)
    monkeypatch.setenv("RNNLAB_HOME", str(loop))
    assert library.entries() == []
    assert main(["train", "--task", "adding", "--steps", "2", "--quiet", "--set", "model.hidden_size=3",
                 "--set", "task.length=5", "--out", str(tmp_path / "run")]) == 0
    assert (tmp_path / "run" / "summary.json").exists()
