"""Issue 10's findings 1-6 and 8, one test (or a few) each, on real files and the real command line.

Each test failed on the code before the fix (checked against commit f6e14a6); the property tests beside this file
throw thousands of generated inputs at the same boundaries."""

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
import torch

from rnnlab import config
from rnnlab.cli import main
from rnnlab.data.chartext import load_text
from rnnlab.data.conllu import read_conllu
from rnnlab.data.series import load_csv
from rnnlab.errors import ConfigError, DataError, RnnlabError, RunError
from rnnlab.runs.store import open_run, restore_trainer, save_run
from rnnlab.train.trainer import Trainer

from helpers import check_refusal, time_limit

AIRLINE = Path(__file__).resolve().parents[2] / "resources" / "datasets" / "timeseries" / "airline_passengers.csv"


def refused(fn, *names, folder="", seconds=20.0):
    """`fn()` must refuse within `seconds` (a hang fails the test instead of freezing the suite)."""
    with pytest.raises(RnnlabError) as err, time_limit(seconds):
        fn()
    return check_refusal(err.value, *names, folder=folder)


def csv_file(tmp_path, text: str, name="data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


# --- 1. the config validator ---------------------------------------------------------------------------------------

def test_a_section_that_is_not_a_table_is_named():
    assert "model" in refused(lambda: config.from_dict({"model": 5}), "model")
    refused(lambda: config.from_dict({"training": [1, 2]}), "training")
    refused(lambda: config.loads("model = 5"), "model")


def test_toml_dates_and_huge_integers_are_refused_by_field():
    refused(lambda: config.loads("[training]\nlearning_rate = 1979-05-27"), "training.learning_rate")
    refused(lambda: config.loads("[model]\ndropout = 07:32:00"), "model.dropout")
    refused(lambda: config.from_dict({"training": {"learning_rate": 10 ** 400}}), "training.learning_rate")
    refused(lambda: config.from_dict({"training": {"max_grad_norm": -(10 ** 309)}}), "training.max_grad_norm")


def test_deep_nesting_in_toml_and_values_is_refused():
    refused(lambda: config.loads("[model]\ncell = " + "[" * 5000 + "]" * 5000), "config", "model.cell")
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    refused(lambda: config.from_dict({"model": {"cell": deep}}), "model.cell")


def test_a_long_value_is_cut_in_the_message():
    text = refused(lambda: config.from_dict({"model": {"cell": "x" * 44_000}}), "model.cell")
    assert text.count("x") < 100
    refused(lambda: config.from_dict({"model": {"y" * 5000: 1}}), "model.")


def test_a_fifo_as_config_is_refused_at_once(tmp_path):
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    refused(lambda: config.load(fifo), "config.toml", folder=str(tmp_path), seconds=2)


# --- 2. the README's CSV command ----------------------------------------------------------------------------------

def test_readme_csv_command_works_in_either_order(tmp_path, capsys):
    rows = "\n".join(f"{1949 + i // 12}-{i % 12 + 1:02d},{100 + i + 10 * (i % 12)}" for i in range(60))
    path = csv_file(tmp_path, "month,sales\n" + rows, "my.csv")
    for n, order in enumerate((["task.dataset=csv", f"task.csv_path={path}"],
                               [f"task.csv_path={path}", "task.dataset=csv"])):
        argv = ["train", "--task", "forecast", "--steps", "3", "--quiet", "--out", str(tmp_path / f"r{n}")]
        for item in order:
            argv += ["--set", item]
        assert main(argv) == 0, capsys.readouterr().err


def test_dataset_csv_without_a_file_names_csv_path_and_its_empty_value(capsys):
    assert main(["train", "--task", "forecast", "--set", "task.dataset=csv"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("rnnlab: error: task.csv_path = ''") and "\n" not in err


# --- 3. sizes the rules allow but no machine holds ----------------------------------------------------------------

def test_a_config_too_large_for_memory_is_refused_before_allocating():
    cfg = config.from_dict({"task": {"name": "adding", "options": {"length": 2000}},
                            "training": {"batch_size": 65536}})
    text = refused(lambda: Trainer(cfg), "training.batch_size", seconds=30)
    assert "GiB" in text


def test_an_allocation_failure_is_explained_not_a_traceback(tmp_path):
    """Under a 2 GiB address-space limit, a config the estimate lets through (1.2 GiB: it counts physical memory)
    fails to allocate at its first step: the CLI says so in one line and exits 2."""
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30)); "
            "from rnnlab.cli import main; sys.exit(main(sys.argv[1:]))")
    argv = [sys.executable, "-c", code, "train", "--task", "adding", "--set", "task.length=1000",
            "--set", "training.batch_size=1024", "--steps", "2", "--quiet", "--out", str(tmp_path / "r")]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "Out of memory" in proc.stderr and "training.batch_size" in proc.stderr


# --- 4. the command line --------------------------------------------------------------------------------------------

def test_cli_refusals_are_one_line_with_exit_2(tmp_path, capsys):
    shakespeare_tiny = tmp_path / "tiny.txt"
    shakespeare_tiny.write_text("To be, or not to be, that is the question.\n" * 100)
    cases = [
        (["--task", "forecast", "--set", f"task.csv_path={AIRLINE}", "--set", "task.dataset=csv",
          "--set", "task.column=²"], "task.column"),
        (["--task", "charlm", "--set", f"task.text_path={shakespeare_tiny}", "--set", "training.batch_size=512"],
         "training.batch_size"),
        (["--task", ""], "task.name"),
        (["--task", "charlm", "--set", f"task.text_path={tmp_path / 'missing.txt'}"], "task.text_path"),
        (["--set", "=3"], "--set"),
        (["--set", "model.hidden_size=" + "[" * 3000], "model.hidden_size"),
    ]
    for args, name in cases:
        code = main(["train", *args, "--steps", "2", "--quiet", "--out", str(tmp_path / "out")])
        err = capsys.readouterr().err.strip()
        assert code == 2 and err.startswith("rnnlab: error:") and "\n" not in err and name in err, (args, err)


def test_an_out_folder_that_is_not_a_run_is_refused_before_training(tmp_path, capsys):
    other = tmp_path / "photos"
    other.mkdir()
    (other / "cat.jpg").write_bytes(b"\xff\xd8")
    assert main(["train", "--task", "adding", "--steps", "50", "--out", str(other)]) == 2
    captured = capsys.readouterr()
    assert "training" not in captured.out and "is not an rnnlab run" in captured.err
    assert sorted(p.name for p in other.iterdir()) == ["cat.jpg"]


def test_an_out_path_that_cannot_be_a_folder_is_refused_before_training(tmp_path, capsys):
    file = tmp_path / "notes.txt"
    file.write_text("mine")
    for out, words in ((file, "is a file"), ("run\x00x", "NUL byte")):
        assert main(["train", "--task", "adding", "--steps", "5", "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip()
        assert words in err and "\n" not in err
    assert file.read_text() == "mine"


def _rnnlab(*args, **kw):
    return subprocess.Popen([sys.executable, "-m", "rnnlab", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def test_closed_pipes_end_quietly():
    for command in ("tasks | head -1", "tasks | true"):
        proc = subprocess.run(f"{sys.executable} -m rnnlab {command}", shell=True, capture_output=True, text=True,
                              timeout=120)
        assert "Error" not in proc.stderr and "Traceback" not in proc.stderr, (command, proc.stderr)


def test_training_output_into_a_closed_pipe_still_saves_the_run(tmp_path):
    out = tmp_path / "r"
    proc = subprocess.run(f"{sys.executable} -m rnnlab train --task adding --steps 30 --set task.length=5 "
                          f"--set model.hidden_size=4 --out {out} | head -c 1; echo rc=${{PIPESTATUS[0]}}",
                          shell=True, capture_output=True, text=True, timeout=300, executable="/bin/bash")
    assert "Traceback" not in proc.stderr and "rc=0" in proc.stdout, proc.stderr
    assert open_run(out).summary["steps"] == 30


def test_ctrl_c_early_is_quiet_and_ctrl_c_in_training_evaluates_and_saves(tmp_path):
    import signal

    early = _rnnlab("train", "--task", "adding", "--steps", "100000", "--out", str(tmp_path / "early"))
    time.sleep(0.5)
    early.send_signal(signal.SIGINT)
    out, err = early.communicate(timeout=120)
    assert early.returncode in (130, 0) and "Traceback" not in err, err

    proc = _rnnlab("train", "--task", "adding", "--steps", "1000000", "--quiet", "--out", str(tmp_path / "run"))
    deadline = time.monotonic() + 120
    while not (proc.stdout.readline() or "").startswith("rnnlab") and time.monotonic() < deadline:
        pass
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and "Traceback" not in err, err
    run = open_run(tmp_path / "run")
    assert run.summary["status"] == "stopped" and "mse" in run.summary["test"]  # evaluated, as the window's Stop


# --- 5. the importers -------------------------------------------------------------------------------------------------

def test_nul_bytes_in_paths_and_data(tmp_path):
    refused(lambda: load_csv("bad\x00.csv"), "bad")
    refused(lambda: load_text(path="bad\x00.txt"), "bad")
    refused(lambda: read_conllu("bad\x00.conllu"), "bad")
    path = tmp_path / "nul.csv"
    path.write_bytes(b"t,v\n" + b"".join(b"%d,%d\x00\n" % (i, i) for i in range(30)))
    refused(lambda: load_csv(path), "nul.csv")


def test_unicode_digits_in_a_column_number_and_a_word_id(tmp_path):
    path = csv_file(tmp_path, "t,v\n" + "\n".join(f"{i},{i}" for i in range(30)))
    refused(lambda: load_csv(path, "²"), "²")
    refused(lambda: load_csv(path, "①"), "①")
    conllu = tmp_path / "x.conllu"
    conllu.write_text("²\tword\t_\tNOUN\tNN\t_\t0\troot\t_\t_\n\n", encoding="utf-8")
    refused(lambda: read_conllu(conllu), "x.conllu, line 1")


def test_csv_field_limit_and_cr_only_line_ends(tmp_path):
    path = csv_file(tmp_path, "t,v\n" + '1,"' + "x" * 200_000 + '"\n')
    refused(lambda: load_csv(path), "data.csv")
    cr = csv_file(tmp_path, "t,v\r" + "\r".join(f"{i},{i * 2}" for i in range(30)), "cr.csv")
    assert load_csv(cr).values[5] == 10


def test_char_lm_on_a_short_text_has_a_probe_of_equal_rows(tmp_path):
    text = tmp_path / "short.txt"
    text.write_text("abcdefghij\n" * 60)
    cfg = config.from_dict({"task": {"name": "charlm", "options": {"text_path": str(text)}},
                            "model": {"hidden_size": 8}, "training": {"tbptt": 8, "batch_size": 2, "steps": 2}})
    trainer = Trainer(cfg)
    assert trainer.probe_length == len(trainer.task.data["val"]) - 1
    list(trainer.run())


def test_devices_and_fifos_are_refused_without_reading(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for load in (load_csv, lambda p: load_text(path=str(p)), read_conllu):
        for path in ("/dev/zero", "/dev/urandom", fifo):
            refused(lambda: load(path), str(Path(path).name), seconds=2)


def test_a_csv_too_large_is_refused_by_its_size(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:
        fh.truncate(200_000_000)  # sparse: no disk used
    text = refused(lambda: load_csv(big), "big.csv", folder=str(tmp_path))
    assert "MB" in text


def test_huge_or_constant_values_are_blamed_on_the_data_not_the_rate(tmp_path):
    huge = csv_file(tmp_path, "t,v\n" + "\n".join(f"{i},{1e200 * (1 + (i % 7) / 10)!r}" for i in range(60)), "h.csv")
    flat = csv_file(tmp_path, "t,v\n" + "\n".join(f"{i},5" for i in range(60)), "c.csv")
    for path, words in ((huge, "too large"), (flat, "constant")):
        options = {"dataset": "csv", "csv_path": str(path)}
        text = refused(lambda: config.from_dict({"task": {"name": "forecast", "options": options}}), "task.csv_path")
        assert words in text


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


def test_ctrl_c_that_lands_inside_an_exec_still_exits_130(tmp_path):
    """Found by CI: Ctrl-C while torch imports lands inside dataclasses' `exec`; CPython then ended `python -m
    rnnlab` by SIGINT (-2) although the CLI had caught the interrupt and said so. The interrupt is put exactly
    there, in a module run with -m as `python -m rnnlab` is."""
    (tmp_path / "interrupted_cli.py").write_text(
        "import sys\nfrom rnnlab import cli\n"
        "def interrupted(args):\n    exec('raise KeyboardInterrupt')\n"
        "cli.cmd_tasks = interrupted\nsys.exit(cli.main(['tasks']))\n")
    proc = subprocess.run([sys.executable, "-m", "interrupted_cli"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 130 and "nothing to save" in proc.stderr, (proc.returncode, proc.stderr)
