"""The run library on real folders: real saved runs, a real sweep, and damaged ones that must list with a reason."""

import math
import os

import pytest

from rnnlab.errors import RunError
from rnnlab.experiments import LocalExecutor, SweepRunner, sweep as sweep_mod
from rnnlab.runs import library
from rnnlab.runs.store import open_run, save_run
from rnnlab.train.trainer import Trainer

from helpers import configured, TINY_SWEEP


def tiny(task="adding", cell="gru", **training):
    options = {"task.length": 8} if task == "adding" else {}
    return configured(task, {**options, "model.cell": cell, "model.hidden_size": 4},
                      **{"steps": 6, "eval_every": 3, **training})


def trained(cfg):
    trainer = Trainer(cfg)
    list(trainer.run())
    return trainer


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A library with two real runs, a real sweep and four damaged folders."""
    root = tmp_path_factory.mktemp("home")
    gru = save_run(trained(tiny()), library.new_run_path(tiny(), root))
    lstm = save_run(trained(tiny(cell="lstm")), library.new_run_path(tiny(cell="lstm"), root))
    sweep_dir = library.new_sweep_path("cells", root)
    list(SweepRunner(sweep_mod.loads(TINY_SWEEP), sweep_dir, LocalExecutor(1)).events())
    runs = library.runs_folder(root)
    (runs / "truncated").mkdir()
    for f in ("config.toml", "weights.safetensors", "metrics.csv"):
        (runs / "truncated" / f).write_bytes((gru / f).read_bytes())
    (runs / "truncated" / "summary.json").write_text((gru / "summary.json").read_text()[:40])
    (runs / "no-config").mkdir()
    for f in ("summary.json", "weights.safetensors", "metrics.csv"):
        (runs / "no-config" / f).write_bytes((gru / f).read_bytes())
    (runs / "empty").mkdir()
    (runs / "a-file").write_text("not a run")
    return root, gru, lstm, sweep_dir


def by_name(root):
    return {e.name: e for e in library.entries(root)}


@pytest.mark.slow
def test_runs_and_sweeps_are_listed_with_what_the_browser_shows(home):
    root, gru, lstm, sweep_dir = home
    got = by_name(root)
    run = got[gru.name]
    saved = open_run(gru).summary
    assert run.kind == "run" and run.ok and run.task == "adding" and run.cells == ("gru",)
    assert run.metric == "test MSE" and run.value == pytest.approx(saved["test"]["mse"])
    assert run.status == "finished" and run.steps == 6 and run.higher_is_better is False
    assert run.date_text.startswith(saved["saved"][:10])
    assert got[lstm.name].cell_text == "LSTM" and run.differs == ""  # the two runs differ only in their cell
    sweep = got[sweep_dir.name]
    assert sweep.kind == "sweep" and sweep.ok and sweep.task == "adding"
    assert sweep.cells == ("rnn_tanh", "gru") and sweep.differs == "cell: vanilla RNN (tanh), GRU"
    assert sweep.status == "finished" and sweep.steps == 6 and sweep.metric == "best test MSE"
    points = [open_run(p).summary["test"]["mse"] for p in (sweep_dir / "runs").iterdir()]
    assert sweep.value == pytest.approx(min(points))


@pytest.mark.parametrize("name,reason", [
    ("truncated", "summary.json is damaged"),
    ("no-config", "config.toml missing"),
    ("empty", "an empty folder"),
    ("a-file", "is a file, not a run folder"),
])
def test_damaged_folders_are_listed_with_a_one_line_reason(home, name, reason):
    entry = by_name(home[0])[name]
    assert not entry.ok and reason in entry.problem and "\n" not in entry.problem
    assert math.isnan(entry.value) and entry.task == ""


def test_a_damaged_sweep_lists_with_its_reason(tmp_path):
    sweeps = library.sweeps_folder(tmp_path)
    (sweeps / "bad").mkdir(parents=True)
    (sweeps / "bad" / "results.csv").write_text("what,ever\n1,2\n")
    (sweeps / "bad-toml").mkdir()
    (sweeps / "bad-toml" / "sweep.toml").write_text("[sweep\n")
    got = by_name(tmp_path)
    assert "results.csv is damaged" in got["bad"].problem
    assert "sweep.toml is damaged" in got["bad-toml"].problem


def test_a_run_names_what_differs_from_the_other_runs_of_its_task(tmp_path):
    for name, c in (("a", tiny(learning_rate=0.01)), ("b", tiny(learning_rate=0.001)),
                    ("c", tiny("forecast", learning_rate=0.5))):
        save_run(trained(c), library.runs_folder(tmp_path) / name)
    got = by_name(tmp_path)
    assert (got["a"].differs, got["b"].differs, got["c"].differs) == ("lr=0.01", "lr=0.001", "")


def test_new_run_path_is_task_cell_date_and_never_taken(tmp_path):
    cfg = tiny(cell="lstm")
    first = library.new_run_path(cfg, tmp_path, now=0)
    assert first.parent == tmp_path / "runs" and first.parent.is_dir() and not first.exists()
    assert first.name.startswith("adding-lstm-19")
    first.mkdir()
    second = library.new_run_path(cfg, tmp_path, now=0)
    assert second.name == first.name + "-2"


def test_the_home_folder_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(library.HOME_ENV, str(tmp_path / "lab"))
    assert library.home() == tmp_path / "lab"
    assert library.new_run_path(tiny()).parent == tmp_path / "lab" / "runs"
    monkeypatch.delenv(library.HOME_ENV)
    assert library.home().name == "rnnlab"


def test_delete_removes_a_library_run_and_leaves_no_trace(home, tmp_path):
    root, gru, *_ = home
    victim = library.runs_folder(root) / "victim"
    save_run(trained(tiny()), victim)
    assert "victim" in by_name(root)
    library.delete(victim, root)
    assert not victim.exists() and "victim" not in by_name(root)
    assert not [p for p in library.runs_folder(root).iterdir() if p.name.startswith(".")]


def test_delete_refuses_what_is_not_in_the_library(home, tmp_path):
    root, gru, *_ = home
    outside = save_run(trained(tiny()), tmp_path / "mine")
    for target in (outside, library.runs_folder(root), root, library.runs_folder(root) / ".." / "runs"):
        with pytest.raises(RunError, match="not in the run library"):
            library.delete(target, root)
    assert outside.is_dir() and (outside / "weights.safetensors").exists() and gru.is_dir()


def test_a_delete_cut_short_never_lists_and_is_cleaned_up(tmp_path):
    """A crash after the rename leaves a hidden .deleting-* folder: not listed, removed by the next listing."""
    runs = library.runs_folder(tmp_path)
    runs.mkdir(parents=True)
    half = runs / f"{library.DELETING}old-run-1-2"
    half.mkdir()
    (half / "summary.json").write_text("{}")
    assert library.entries(tmp_path) == []
    assert not half.exists()


def test_outside_folders_opened_once_are_remembered(home, tmp_path):
    root, gru, *_ = home
    lib = tmp_path / "lib"
    outside = save_run(trained(tiny(cell="rnn_tanh")), tmp_path / "cli-run")
    library.remember(outside, lib)
    library.remember(outside, lib)  # once only
    library.remember(library.runs_folder(lib) / "x", lib)  # the library's own: not an extra
    [entry] = library.entries(lib)
    assert entry.path == outside.resolve() and entry.ok and not entry.inside and entry.cells == ("rnn_tanh",)
    with pytest.raises(RunError):
        library.delete(outside, lib)
    library.forget(outside, lib)
    assert library.entries(lib) == [] and outside.is_dir()


def test_a_damaged_list_of_outside_folders_does_not_hide_the_library(home):
    root = home[0]
    (root / library.EXTRA).write_text("[[[")
    try:
        assert len(library.entries(root)) == 7
    finally:
        os.remove(root / library.EXTRA)


def test_deleting_a_link_in_the_library_leaves_what_it_points_to(home, tmp_path):
    root, gru, *_ = home
    elsewhere = save_run(trained(tiny()), tmp_path / "precious")
    link = library.runs_folder(root) / "link"
    link.symlink_to(elsewhere, target_is_directory=True)
    assert by_name(root)["link"].ok
    library.delete(link, root)
    assert not link.exists() and not link.is_symlink() and (elsewhere / "weights.safetensors").exists()


def test_a_library_not_made_yet_is_empty(tmp_path):
    assert library.entries(tmp_path / "nothing-here") == []
    assert not (tmp_path / "nothing-here").exists()  # listing creates nothing
