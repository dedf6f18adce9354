"""Issue 20's findings on exported scripts: hostile names and headers never become code, the scripts they make
compile and run, and an export never replaces a file rnnlab did not write. Each test failed before the fix."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from rnnlab import config
from rnnlab.cli import main
from rnnlab.errors import ConfigError, RnnlabError
from rnnlab.export import ExportConflict, export_script, load_experiment, render_script

from helpers import configured

MARKER = "PWNED"
PAYLOADS = [
    f'x""";__import__("pathlib").Path("{MARKER}").touch();"""',
    f"x''';__import__('pathlib').Path('{MARKER}').touch();'''",
    f'x"\n__import__("pathlib").Path("{MARKER}").touch()\n#',
    f'x\u2028__import__("pathlib").Path("{MARKER}").touch()',
    f'{{__import__("pathlib").Path("{MARKER}").touch()}}',
    f'x\\";__import__("pathlib").Path("{MARKER}").touch()#',
    f'\\N{{BOGUS}}\\u12\\x4\x0c\x85\x00"""',
]


def forecast_config(csv: Path, **training) -> config.RunConfig:
    return configured("forecast", {"task.dataset": "csv", "task.csv_path": str(csv), "task.window": 4,
                                   "model.hidden_size": 3}, **{"steps": 2, **training})


def hostile_csv(folder: Path, header: str, name: str = "sales.csv", label: str = "m") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    cell = header.replace("\x00", "").replace('"', '""')
    rows = "".join(f'"{label}{i}",{i},{100 + i * 3 + i % 4}\n' for i in range(40))
    path.write_text(f'time,other,"{cell}"\n' + rows, encoding="utf-8", newline="")
    return path


def no_call_outside_rnnlab(text: str) -> None:
    """The user's text is only ever string constants: nothing in the script names __import__ or exec."""
    tree = ast.parse(text)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert not names & {"__import__", "exec", "eval"}, names
    first = tree.body[0]
    assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    assert MARKER not in first.value.value  # nothing of the user's in the docstring


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_hostile_csv_header_file_and_folder_name_stay_string_constants(tmp_path, payload):
    folder_name = payload.replace("/", "_").replace("\x00", "")[:100]
    file_name = folder_name[:60] + ".csv"
    csv = hostile_csv(tmp_path / folder_name, payload, name=file_name)
    text = render_script(forecast_config(csv))
    no_call_outside_rnnlab(text)
    compile(text, "train.py", "exec")


def test_a_hostile_text_and_conllu_file_name_stay_string_constants(tmp_path):
    for payload in PAYLOADS:
        folder = tmp_path / payload.replace("/", "_").replace("\x00", "")[:80]
        folder.mkdir()
        text_file = folder / (payload.replace("/", "_").replace("\x00", "")[:60] + ".txt")
        text_file.write_text("To be, or not to be, that is the question. " * 200, encoding="utf-8")
        cfg = config.from_dict({"task": {"name": "charlm", "options": {"text_path": str(text_file)}}})
        no_call_outside_rnnlab(render_script(cfg))
        conllu = folder / (payload.replace("/", "_").replace("\x00", "")[:60] + ".conllu")
        conllu.write_text("".join(f"1\tword{i}\t_\tNOUN\t_\t_\t0\troot\t_\t_\n2\truns\t_\tVERB\t_\t_\t1\tdep\t_\t_\n\n"
                                  for i in range(60)), encoding="utf-8")
        cfg = config.from_dict({"task": {"name": "tagging", "options": {"conllu_path": str(conllu)}}})
        no_call_outside_rnnlab(render_script(cfg))


@pytest.mark.slow
def test_the_exported_script_runs_and_executes_nothing_of_the_data(tmp_path):
    """The finding itself, end to end: header, file name, folder name and time labels all hostile; the script runs
    (its reader no longer trips on U+2028, form feed or NEL in a label) and the marker file never appears."""
    payload = PAYLOADS[0] + "\u2028\x0c\x85"
    csv = hostile_csv(tmp_path / PAYLOADS[0].replace("/", "_"), payload, name=PAYLOADS[0].replace("/", "_") + ".csv",
                      label="m\u2028\x0c\x85#,")
    out = tmp_path / "out"
    written = export_script(forecast_config(csv), out / "train.py")
    run = subprocess.run([sys.executable, "-I", written.script.name], cwd=out, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert "test RMSE" in run.stdout
    assert not list(tmp_path.rglob(MARKER)) and not (Path.cwd() / MARKER).exists()


def test_a_text_file_called_data_sources_is_not_overwritten_by_the_licence_list(tmp_path):
    text = tmp_path / "DATA-SOURCES.txt"
    text.write_text("To be, or not to be, that is the question. " * 200, encoding="utf-8")
    cfg = config.from_dict({"task": {"name": "charlm", "options": {"text_path": str(text)}}})
    written = export_script(cfg, tmp_path / "out" / "train.py")
    names = sorted(p.name for p in written.data_files)
    assert names == ["DATA-SOURCES.txt", "data-DATA-SOURCES.txt"]
    assert (tmp_path / "out" / "data-DATA-SOURCES.txt").read_text(encoding="utf-8") == text.read_text("utf-8")
    assert 'DATA_FILE = "data-DATA-SOURCES.txt"' in written.script.read_text(encoding="utf-8")


def test_export_never_replaces_the_users_csv_beside_it(tmp_path, capsys):
    csv = hostile_csv(tmp_path, "units")
    before = csv.read_bytes()
    cfg = forecast_config(csv)
    with pytest.raises(ExportConflict) as err:
        export_script(cfg, tmp_path / "train.py")
    assert "sales.csv" in str(err.value) and "\n" not in str(err.value)
    assert csv.read_bytes() == before and not (tmp_path / "train.py").exists()

    toml = tmp_path / "exp.toml"
    config.save(cfg, toml)
    assert main(["export-script", str(toml), "-o", str(tmp_path / "train.py")]) == 2
    assert "--force" in capsys.readouterr().err
    assert csv.read_bytes() == before
    assert main(["export-script", str(toml), "-o", str(tmp_path / "train.py"), "--force"]) == 0
    assert csv.read_bytes() != before  # replaced only when told to


def test_export_replaces_its_own_script_but_not_a_file_of_the_users(tmp_path):
    cfg = config.RunConfig().replace("task.name", "adding")
    script = tmp_path / "train.py"
    export_script(cfg, script)
    export_script(cfg.replace("training.seed", 7), script)  # an earlier export: replaced
    assert "SEED = 7" in script.read_text(encoding="utf-8")
    mine = tmp_path / "notes.py"
    mine.write_text("print('my own work')\n")
    with pytest.raises(ExportConflict):
        export_script(cfg, mine)
    assert mine.read_text() == "print('my own work')\n"
    # the same data file again (an unchanged series) is no conflict
    csv = hostile_csv(tmp_path / "data", "units")
    export_script(forecast_config(csv), tmp_path / "out" / "train.py")
    export_script(forecast_config(csv, seed=3), tmp_path / "out" / "train.py")


def test_a_script_named_like_its_data_file_is_refused(tmp_path):
    csv = hostile_csv(tmp_path / "data", "units")
    with pytest.raises(RnnlabError, match="data file"):
        export_script(forecast_config(csv), tmp_path / "out" / "sales.csv")


@pytest.mark.parametrize("text", ["", "\n", "[task]\n", "schema_version = 1\n[task]\nname = \"adding\"\n"])
def test_an_empty_or_cut_config_in_a_run_folder_is_refused(tmp_path, text, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_experiment(run)
    assert main(["export-script", str(run), "-o", str(tmp_path / "train.py")]) == 2
    assert "config.toml" in capsys.readouterr().err
    assert not (tmp_path / "train.py").exists()


def test_a_del_character_in_a_path_survives_to_toml_and_back(tmp_path):
    text = tmp_path / "a\x7fb\u2028\x85.txt"
    text.write_text("To be, or not to be, that is the question. " * 200, encoding="utf-8")
    cfg = config.from_dict({"task": {"name": "charlm", "options": {"text_path": str(text)}}})
    assert config.loads(config.to_toml(cfg)) == cfg


def test_the_html_report_escapes_the_seed_and_steps_too():
    """Validated fields are escaped like the rest: a value that ever bypasses validation cannot become markup."""
    import dataclasses
    from types import SimpleNamespace

    pytest.importorskip("PySide6")
    from rnnlab.app.output.report import report_html

    cfg = config.RunConfig()
    cfg = dataclasses.replace(cfg, training=dataclasses.replace(cfg.training, seed="<script>alert(1)</script>"))
    data = SimpleNamespace(metric_key="mse", metric_title="<i>MSE</i>", higher_is_better=False,
                           test={"mse": 0.5, "loss": 0.5}, test_baselines={"<b>zero</b>": {"mse": 1.0}})
    page = report_html(cfg, data, [("<img src=x onerror=alert(1)>", b"png")], message="<hr>", steps="<b>9</b>")
    assert "<script>" not in page and "<b>" not in page and "<i>" not in page and "<hr>" not in page
    assert "&lt;script&gt;" in page and "&lt;b&gt;9&lt;/b&gt;" in page
