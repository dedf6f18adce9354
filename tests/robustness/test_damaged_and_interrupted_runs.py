"""Run folders damaged file by file are refused by file and field without reading past the caps; a save over a
run killed at any moment leaves the old run or the new one, and the next save cleans up.

Each test failed on the code before its fix (issue 10, checked against commit f6e14a6); the property tests beside this
file throw thousands of generated inputs at the same boundaries."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from rnnlab.runs.store import open_run, restore_trainer, save_run

from helpers import refused


# --- 6. damaged run folders --------------------------------------------------------------------------------------

def damaged(saved_run, tmp_path, name: str, edit) -> Path:
    run = tmp_path / "damaged"
    shutil.copytree(saved_run, run)
    target = run / name
    edit(target)
    return run


def _summary(**fields):
    def edit(path):
        data = json.loads(path.read_text())
        data.update(fields)
        path.write_text(json.dumps(data))
    return edit


@pytest.mark.slow
@pytest.mark.parametrize("name,edit,field", [
    ("summary.json", _summary(elapsed_s=[1, 2]), "elapsed_s"),
    ("summary.json", _summary(elapsed_s="soon"), "elapsed_s"),
    ("summary.json", _summary(message={"a": 1}), "message"),
    ("summary.json", _summary(test={"mse": "low"}), "test"),
    ("summary.json", lambda p: p.write_text('{"a":' * 100_000 + "1" + "}" * 100_000), "summary.json"),
    ("summary.json", lambda p: open(p, "ab").truncate(300_000_000), "summary.json"),
    ("metrics.csv", lambda p: p.write_text(p.read_text().replace("\n1,", "\nnan,", 1)), "step"),
    ("metrics.csv", lambda p: p.write_text(p.read_text().replace("grad_norm", "epoch", 1)), "metrics.csv"),
    ("metrics.csv", lambda p: p.write_text("step,train_loss\n" + '1,"' + "9" * 200_000 + '"\n'), "metrics.csv"),
    ("config.toml", lambda p: p.write_text("model = 5\n"), "model"),
    ("weights.safetensors", lambda p: open(p, "ab").truncate(4 * 2**30), "weights.safetensors"),
], ids=["elapsed-list", "elapsed-text", "message-table", "metric-text", "deep-json", "300MB-summary", "nan-step",
        "duplicate-column", "field-limit", "model-5", "4GB-weights"])
def test_damaged_run_files_are_refused_by_file_and_field(saved_run, tmp_path, name, edit, field):
    """... without reading more than the caps allow (a 300 MB summary.json is not read at all)."""
    import tracemalloc

    run = damaged(saved_run, tmp_path, name, edit)
    tracemalloc.start()
    try:
        text = refused(lambda: restore_trainer(open_run(run)), field, folder=str(run), seconds=10)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert name in text and peak < 50e6


def _probe(meta_edit=None, arrays_edit=None):
    def edit(path):
        from safetensors import safe_open
        from safetensors.numpy import load_file, save_file

        with safe_open(str(path), framework="numpy") as fh:
            meta = json.loads(fh.metadata()["probe"])
        arrays = load_file(str(path))
        if meta_edit:
            meta_edit(meta)
        if arrays_edit:
            arrays_edit(arrays)
        save_file(arrays, str(path), metadata={"format": "rnnlab-run", "probe": json.dumps(meta)})
    return edit


@pytest.mark.parametrize("edit", [
    _probe(meta_edit=lambda m: m.update(step="late")),
    _probe(arrays_edit=lambda a: a.update({k: v[:, :3] for k, v in list(a.items())[:1]})),
    _probe(arrays_edit=lambda a: a.update({k: np.zeros((2, 2), np.float32) for k in list(a)[:1]})),
    _probe(meta_edit=lambda m: m.update(labels=[[1, 2]] * 3)),
], ids=["text-step", "short-time-axis", "2d-gates", "number-labels"])
def test_a_damaged_probe_is_refused_before_it_reaches_the_plots(saved_run, tmp_path, edit):
    run = damaged(saved_run, tmp_path, "probe.safetensors", edit)
    refused(lambda: open_run(run), "probe.safetensors", folder=str(run))


# --- 8. the swap when saving over a run ---------------------------------------------------------------------------

def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_kill_between_the_renames_is_completed_by_the_next_open(saved_run, tmp_path):
    """The state a kill leaves after `NAME -> .NAME.old` and before `.ready -> NAME`: no folder at the name."""
    pid = _dead_pid()
    shutil.copytree(saved_run, tmp_path / f".run.old-{pid}-a")
    new = tmp_path / f".run.ready-{pid}-a"
    shutil.copytree(saved_run, new)
    (new / "summary.json").write_text((new / "summary.json").read_text().replace('"steps": 6', '"steps": 7'))
    run = open_run(tmp_path / "run")
    assert run.summary["steps"] == 7  # the new run, completed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_kill_before_the_new_run_is_complete_keeps_the_old_one(saved_run, tmp_path):
    pid = _dead_pid()
    shutil.copytree(saved_run, tmp_path / f".run.old-{pid}-b")  # moved aside; the new one never became ready
    (tmp_path / f".run.saving-{pid}-b").mkdir()
    (tmp_path / f".run.saving-{pid}-b" / "config.toml").write_text("half")
    assert open_run(tmp_path / "run").summary["steps"] == 6
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_stale_temporary_folders_are_cleaned_by_the_next_save(saved_run, tmp_path):
    pid = _dead_pid()
    for name in (f".other.saving-{pid}-x", f".run.saving-{pid}-y"):
        (tmp_path / name).mkdir()
    live = tmp_path / f".third.saving-{os.getpid()}-z"  # a save in progress (this process): left alone
    live.mkdir()
    run = open_run(saved_run)
    save_run(restore_trainer(run), tmp_path / "run")
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, "run"]


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="kills a forked saver")
def test_kill_9_at_random_moments_during_saves_leaves_the_old_or_the_new_run(saved_run, tmp_path):
    """A child saves over the same run again and again (alternating two step counts); it is killed with SIGKILL
    at random moments. After each kill the run opens, as one of the two, and no hidden folder is left."""
    import random
    import signal

    trainer = restore_trainer(open_run(saved_run))
    target = tmp_path / "run"
    save_run(trainer, target)
    rng = random.Random(0)
    for kill in range(12):
        pid = os.fork()
        if pid == 0:  # the child: save until killed
            try:
                for n in range(10_000):
                    trainer.step = 6 + n % 2
                    save_run(trainer, target)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.0, 0.05))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        assert open_run(target).summary["steps"] in (6, 7), kill
        assert sorted(p.name for p in tmp_path.iterdir()) == ["run"], kill
