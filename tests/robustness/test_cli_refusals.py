"""The command line's refusals and interruptions: the README's CSV command in either order, one-line refusals
with exit 2, --out paths that are not runs, closed pipes, Ctrl-C early, in training and inside an exec.

Each test failed on the code before its fix (issue 10, checked against commit f6e14a6); the property tests beside this
file throw thousands of generated inputs at the same boundaries."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from rnnlab.cli import main
from rnnlab.runs.store import open_run

from helpers import csv_file

AIRLINE = Path(__file__).resolve().parents[2] / "resources" / "datasets" / "timeseries" / "airline_passengers.csv"


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


@pytest.mark.slow
def test_closed_pipes_end_quietly():
    for command in ("tasks | head -1", "tasks | true"):
        proc = subprocess.run(f"{sys.executable} -m rnnlab {command}", shell=True, capture_output=True, text=True,
                              timeout=120)
        assert "Error" not in proc.stderr and "Traceback" not in proc.stderr, (command, proc.stderr)


@pytest.mark.slow
def test_training_output_into_a_closed_pipe_still_saves_the_run(tmp_path):
    out = tmp_path / "r"
    proc = subprocess.run(f"{sys.executable} -m rnnlab train --task adding --steps 30 --set task.length=5 "
                          f"--set model.hidden_size=4 --out {out} | head -c 1; echo rc=${{PIPESTATUS[0]}}",
                          shell=True, capture_output=True, text=True, timeout=300, executable="/bin/bash")
    assert "Traceback" not in proc.stderr and "rc=0" in proc.stdout, proc.stderr
    assert open_run(out).summary["steps"] == 30


@pytest.mark.slow
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
