"""`rnnlab train` and `rnnlab tasks` on the real engine: exit codes 0 / 1 / 2 and a run folder."""

import os
import subprocess
import sys

from rnnlab.cli import main
from rnnlab.runs.store import open_run


def test_train_writes_a_run(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["train", "--task", "adding", "--cell", "gru", "--steps", "20", "--seed", "3", "--quiet",
                 "--set", "task.length=10", "--set", "model.hidden_size=8", "--out", str(out)])
    assert code == 0
    run = open_run(out)
    assert run.config.model.cell == "gru" and run.config.training.seed == 3
    assert run.config.task.options["length"] == 10 and run.summary["steps"] == 20
    assert "run saved to" in capsys.readouterr().out


def test_config_file_plus_overrides(tmp_path):
    from rnnlab import config

    cfg_path = tmp_path / "exp.toml"
    config.save(config.from_dict({"task": {"name": "adding", "options": {"length": 8}},
                                  "model": {"hidden_size": 4}, "training": {"steps": 5}}), cfg_path)
    assert main(["train", "--config", str(cfg_path), "--set", "training.learning_rate=0.02", "--quiet",
                 "--out", str(tmp_path / "r")]) == 0
    run = open_run(tmp_path / "r")
    assert run.config.training.learning_rate == 0.02 and run.config.task.options["length"] == 8


def test_bad_input_exits_2_with_the_message(tmp_path, capsys):
    assert main(["train", "--set", "model.hidden_size=-4", "--out", str(tmp_path / "x")]) == 2
    assert "model.hidden_size = -4 is not allowed" in capsys.readouterr().err
    assert main(["train", "--task", "nope"]) == 2
    assert "task.name" in capsys.readouterr().err
    assert main(["train", "--set", "novalue"]) == 2
    assert main(["train", "--steps", "many"]) == 2
    assert not (tmp_path / "x").exists()


def test_divergence_exits_1_and_saves_the_run(tmp_path, capsys):
    out = tmp_path / "boom"
    code = main(["train", "--task", "adding", "--cell", "rnn_relu", "--steps", "100", "--quiet", "--out", str(out),
                 "--set", "training.optimizer=sgd", "--set", "training.learning_rate=10",
                 "--set", "training.clip_grad=false"])
    assert code == 1
    assert "diverged at step" in capsys.readouterr().out
    assert open_run(out).summary["status"] == "diverged"


def test_tasks_lists_options(capsys):
    assert main(["tasks"]) == 0
    text = capsys.readouterr().out
    assert "forecast:" in text and "adding:" in text and "task.window" in text


def test_python_dash_m_entry_point():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "rnnlab", "--version"], capture_output=True, text=True, env=env)
    assert result.returncode == 0 and result.stdout.startswith("rnnlab ")


def test_tasks_lists_every_tasks_options_with_their_help(capsys):
    from rnnlab import schema, tasks

    assert main(["tasks"]) == 0
    text = capsys.readouterr().out
    blocks = text.split("\n\n")
    for name, block in zip(tasks.names(), blocks):
        assert block.startswith(f"{name}: ")
        for f in schema.task_fields(name):
            assert f"{f.key} = {schema.value_text(f.default)}" in block and f.help in block and f.label in block
    charlm = blocks[tasks.names().index("charlm")]
    assert "also uses model.embedding_size (Embedding size), training.tbptt (Truncated BPTT)" in charlm
    assert "also uses" not in blocks[tasks.names().index("forecast")]


def test_options_lists_the_settings_a_task_uses(capsys):
    assert main(["options", "--task", "adding"]) == 0
    text = capsys.readouterr().out
    assert "task.length = 50" in text and "Sequence length T" in text
    assert "model.hidden_size = 64" in text and "Takes effect only with SGD or RMSprop." in text
    assert "model.embedding_size" not in text and "training.tbptt" not in text  # not for adding
    assert main(["options", "--task", "charlm"]) == 0
    text = capsys.readouterr().out
    assert "model.embedding_size = 32" in text and "training.tbptt = 0" in text and "task.length" not in text
    assert main(["options"]) == 0
    assert "model.embedding_size" in capsys.readouterr().out  # without a task: every setting
    assert main(["options", "--task", "nope"]) == 2
    assert "'nope' is not a task" in capsys.readouterr().err


def test_runs_go_to_the_library_by_default_and_one_elsewhere_is_listed_there(tmp_path, monkeypatch, capsys):
    """`rnnlab train` saved into ./runs of wherever it was started, where the window's run library never looked."""
    from rnnlab.runs import library

    monkeypatch.setenv("RNNLAB_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    small = ["--task", "adding", "--steps", "5", "--set", "task.length=5", "--set", "model.hidden_size=4", "--quiet"]
    assert main(["train", *small]) == 0
    assert main(["train", *small, "--out", str(tmp_path / "elsewhere")]) == 0
    assert not (tmp_path / "runs").exists()
    listed = {e.path.resolve(): e for e in library.entries()}
    inside = [p for p in listed if p.parent == (tmp_path / "home" / "runs").resolve()]
    assert len(inside) == 1 and inside[0].name.startswith("adding-lstm-") and listed[inside[0]].ok
    assert listed[(tmp_path / "elsewhere").resolve()].ok and not listed[(tmp_path / "elsewhere").resolve()].inside
    assert f"run saved to {inside[0]}" in capsys.readouterr().out.replace(str(tmp_path / "home"),
                                                                         str((tmp_path / "home").resolve()))


def test_the_first_progress_line_shows_no_nan_loss_and_large_errors_read_plainly(tmp_path, capsys):
    """Issue 19, item 6: step 0 comes before any training step, so its loss is NaN: the line said "loss nan". And a
    sales series' RMSE in its own units read 3.069e+04."""
    from pathlib import Path

    csv = Path(__file__).parent / "data" / "slide_daily_17.csv"
    code = main(["train", "--task", "forecast", "--steps", "20", "--set", "task.dataset=csv",
                 "--set", f"task.csv_path={csv}", "--set", "task.window=3", "--set", "model.hidden_size=8",
                 "--out", str(tmp_path / "run")])
    assert code == 0
    captured = capsys.readouterr()
    progress = [line for line in captured.err.splitlines() if line.startswith("[")]
    assert progress[0].startswith("[" + " " * 30 + "] 0/20 val RMSE ") and "nan" not in progress[0]
    assert "loss" in progress[-1] and "nan" not in progress[-1]
    assert "e+0" not in captured.out + captured.err and "test RMSE " in captured.out
