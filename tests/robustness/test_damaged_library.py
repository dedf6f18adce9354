"""The run library lists what it can whatever is damaged: a damaged library.json, one damaged sweep folder among
good ones, hostile remembered folders, RNNLAB_HOME a link loop; `rnnlab train --out` still saves.

Each test failed on the code before its fix (issue 20, commit 7bcfe63); test_surface_properties.py throws
generated inputs at the same boundaries."""

from __future__ import annotations

from functools import partial

import pytest

from rnnlab.errors import ConfigError

from helpers import refused as refused_with, time_limit

refused = partial(refused_with, error=ConfigError, seconds=10.0)  # a sweep file: a config error, at once


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
