"""`rnnlab export-script` and what it writes: the script, its data files with their licence lines, clear errors."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from rnnlab import config
from rnnlab.cli import main
from rnnlab.errors import RnnlabError
from rnnlab.export import export_script, render_script

from helpers import configured


def small_config(task: str, **changes) -> config.RunConfig:
    return configured(task, {key.replace("__", "."): value for key, value in changes.items()})


def test_cli_exports_a_saved_run_and_a_config_file(tmp_path, capsys, monkeypatch):
    run = tmp_path / "run"
    assert main(["train", "--task", "adding", "--steps", "3", "--quiet", "--set", "model.hidden_size=4",
                 "--set", "task.length=6", "--out", str(run)]) == 0
    capsys.readouterr()
    out = tmp_path / "student" / "train_adding.py"
    assert main(["export-script", str(run), "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    assert "LENGTH = 6" in text and "HIDDEN_SIZE = 4" in text and "STEPS = 3" in text

    toml = tmp_path / "exp.toml"
    config.save(small_config("memory", model__cell="gru"), toml)
    monkeypatch.chdir(tmp_path)
    assert main(["export-script", str(toml)]) == 0
    assert 'CELL = "gru"' in (tmp_path / "train_memory_gru.py").read_text(encoding="utf-8")


def test_cli_bad_input_exits_2_naming_the_file(tmp_path, capsys):
    assert main(["export-script", str(tmp_path / "missing.toml")]) == 2
    assert "missing.toml" in capsys.readouterr().err
    (tmp_path / "empty-folder").mkdir()
    assert main(["export-script", str(tmp_path / "empty-folder")]) == 2
    err = capsys.readouterr().err
    assert "empty-folder" in err and "config.toml" in err
    bad = tmp_path / "bad.toml"
    bad.write_text('[model]\nhidden_size = "big"\n', encoding="utf-8")
    assert main(["export-script", str(bad)]) == 2
    assert "model.hidden_size" in capsys.readouterr().err


def test_unwritable_target_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(RnnlabError, match="cannot write the script"):
        export_script(small_config("adding"), blocker / "train.py")


def test_bundled_data_is_copied_beside_the_script_with_its_licence(tmp_path):
    written = export_script(small_config("sentiment"), tmp_path / "train.py")
    names = sorted(p.name for p in written.data_files)
    assert names == ["DATA-SOURCES.txt", "rt-polarity.neg", "rt-polarity.pos"]
    assert (tmp_path / "rt-polarity.pos").stat().st_size > 500_000
    assert (tmp_path / "train.py").stat().st_mode & 0o044  # others may read it (not a private temp file)
    sources = (tmp_path / "DATA-SOURCES.txt").read_text(encoding="utf-8")
    assert "rt-polarity.pos: sentence polarity v1.0, Bo Pang and Lillian Lee (ACL 2005), CC BY 4.0" in sources
    assert "CC BY 4.0" in (tmp_path / "train.py").read_text(encoding="utf-8")
    # a second export into the same folder keeps one line per file
    export_script(small_config("tagging"), tmp_path / "train_tagging.py")
    lines = (tmp_path / "DATA-SOURCES.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines)) == 4 and any("CC BY-SA 4.0" in line for line in lines)
    assert (tmp_path / "UD_English-EWT-LICENSE.txt").exists()


def test_a_users_csv_series_is_written_as_rnnlab_read_it(tmp_path):
    csv = tmp_path / "sales.csv"
    csv.write_text("month;units\n" + "".join(f"m{i};{100 + i * 3 + (i % 4)}\n" for i in range(60)))
    cfg = config.from_dict({"task": {"name": "forecast", "options": {"dataset": "csv", "csv_path": str(csv),
                                                                      "window": 6}}})
    export_script(cfg, tmp_path / "out" / "train.py")
    lines = (tmp_path / "out" / "sales.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "time,value" and lines[1].startswith("# sales.csv (units)")
    assert lines[3] == "m0,100.0" and len([x for x in lines if not x.startswith("#")]) == 61
    assert 'DATA_FILE = "sales.csv"' in (tmp_path / "out" / "train.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("cell,extra", [("rnn_tanh", {}), ("rnn_relu", {"training__optimizer": "sgd"}),
                                        ("gru", {"model__gate_init": "open", "model__num_layers": 3}),
                                        ("lstm", {"model__gate_init": "chrono", "training__optimizer": "rmsprop"})])
def test_every_cell_and_optimizer_gives_a_clean_script(cell, extra):
    text = render_script(small_config("memory", model__cell=cell, **extra))
    ast.parse(text)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "rnnlab" not in text.split('"""', 2)[2]  # no rnnlab name after the docstring
    assert f'CELL = "{cell}"' in text
    assert ("init_memory_gate(self.rnn, GAP + 2)" in text) == ("gate_init" in str(extra))
    if cell == "lstm":
        assert "forget gate f" in text
    if extra.get("training__optimizer") == "sgd":
        assert "torch.optim.SGD(" in text and "MOMENTUM = 0.0" in text


@pytest.mark.slow
def test_script_runs_with_a_changed_setting(tmp_path):
    """What a student does next: change a setting at the top and run again."""
    script = export_script(small_config("adding", training__steps=4, model__hidden_size=4, task__length=8),
                           tmp_path / "train.py").script
    text = script.read_text(encoding="utf-8").replace('CELL = "lstm"', 'CELL = "rnn_tanh"')
    script.write_text(text, encoding="utf-8")
    out = subprocess.run([sys.executable, "-I", str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "step      4  loss" in out.stdout and "baseline (always 1.0)" in out.stdout
