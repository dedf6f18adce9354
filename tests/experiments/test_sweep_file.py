"""Sweep files: expansion into points with stable ids, and bad files refused with a message naming the field."""

import pytest

from rnnlab import config
from rnnlab.cli import main
from rnnlab.errors import ConfigError
from rnnlab.experiments import sweep as sweep_mod

GOOD = """
[sweep]
seeds = [0, 1]

[sweep.axes]
"model.cell" = ["rnn_tanh", "lstm", "gru"]
"task.gap" = [5, 20]

[task]
name = "memory"

[training]
steps = 50
"""


def test_grid_expands_to_every_combination_and_seed():
    sw = sweep_mod.loads(GOOD)
    assert len(sw.points) == 3 * 2 * 2
    ids = [p.id for p in sw.points]
    assert ids[0] == "cell=rnn_tanh,gap=5,seed=0" and len(set(ids)) == len(ids)
    p = next(p for p in sw.points if p.id == "cell=gru,gap=20,seed=1")
    cfg = p.config
    assert (cfg.model.cell, cfg.task.options["gap"], cfg.training.seed, cfg.training.steps) == ("gru", 20, 1, 50)
    # the task's suggested settings come first (as `rnnlab train --task memory`), the file's values over them
    assert cfg.model.embedding_size == 16 and cfg.training.learning_rate == 0.005
    assert cfg.training.threads == 1  # one torch thread per point unless the file says otherwise


def test_ids_are_stable_when_the_sweep_grows():
    grown = sweep_mod.loads(GOOD.replace("[5, 20]", "[5, 20, 50]").replace("[0, 1]", "[0, 1, 2]"))
    before = {p.id: config.to_dict(p.config) for p in sweep_mod.loads(GOOD).points}
    after = {p.id: config.to_dict(p.config) for p in grown.points}
    assert all(after[k] == v for k, v in before.items())
    assert len(after) == 3 * 3 * 3


def test_zip_mode_pairs_values_and_suggested_can_be_off():
    text = """
[sweep]
mode = "zip"
suggested = false
[sweep.axes]
"model.cell" = ["lstm", "gru"]
"training.learning_rate" = [0.01, 0.002]
[task]
name = "adding"
[training]
threads = 2
"""
    sw = sweep_mod.loads(text)
    assert [(p.config.model.cell, p.config.training.learning_rate) for p in sw.points] == [("lstm", 0.01),
                                                                                          ("gru", 0.002)]
    assert sw.points[0].config.training.learning_rate == 0.01 and sw.points[0].config.model.hidden_size == 64
    assert sw.points[0].config.training.threads == 2
    assert sw.points[0].id == "cell=lstm,learning_rate=0.01,seed=0"


def test_a_race_sweep_round_trips_through_its_file():
    from rnnlab.experiments.race import race_sweep

    base = config.RunConfig().replace("task.name", "adding").replace("training.seed", 7)
    sw = race_sweep(base, "model.cell", ["rnn_tanh", "gru"])
    again = sweep_mod.loads(sw.source_text)
    assert [config.to_dict(p.config) for p in again.points] == [config.to_dict(p.config) for p in sw.points]
    assert [p.seed for p in sw.points] == [7, 7]


@pytest.mark.parametrize("change, field", [
    (('"model.cell"', '"model.cel"'), "sweep.axes.model.cel"),
    (('["rnn_tanh", "lstm", "gru"]', "[]"), "sweep.axes.model.cell"),
    (('"gru"]', '"grue"]'), "sweep.axes.model.cell"),
    (("[5, 20]", "[5, -3]"), "sweep.axes.task.gap"),
    (("[5, 20]", "[5, 5]"), "sweep.axes.task.gap"),
    (("seeds = [0, 1]", "seeds = [0, -1]"), "sweep.seeds"),
    (("seeds = [0, 1]", "seed = [0, 1]"), "sweep.seed"),
    (("steps = 50", "stepz = 50"), "training.stepz"),
    (('name = "memory"', 'name = "memroy"'), "task.name"),
    (('"task.gap"', '"training.seed"'), "sweep.axes.training.seed"),
])
def test_bad_sweep_files_name_the_field(change, field):
    with pytest.raises(ConfigError) as info:
        sweep_mod.loads(GOOD.replace(*change))
    assert info.value.field == field


def test_no_sweep_table_and_broken_toml_are_refused():
    with pytest.raises(ConfigError, match="needs a \\[sweep\\] table"):
        sweep_mod.loads('[task]\nname = "adding"\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        sweep_mod.loads("[sweep\n")


def test_cli_exits_2_with_one_line_naming_the_field(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace('"model.cell"', '"model.cel"'), encoding="utf-8")
    assert main(["sweep", str(bad), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sweep.axes.model.cel" in err and "Did you mean 'cell'?" in err
    assert str(bad) in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
    assert main(["sweep", str(tmp_path / "missing.toml")]) == 2
    assert "must be a readable TOML file" in capsys.readouterr().err
    assert main(["sweep", str(bad.with_name("x.toml")), "--workers", "0"]) == 2


def test_cli_refuses_a_workers_count_below_one(tmp_path, capsys):
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    assert main(["sweep", str(good), "--workers", "0", "--out", str(tmp_path / "o")]) == 2
    assert "--workers = 0 is not allowed" in capsys.readouterr().err


def test_a_linked_axis_sets_several_keys_together():
    text = GOOD.replace('"model.cell" = ["rnn_tanh", "lstm", "gru"]',
                        '"model.cell,model.gate_init" = [["rnn_tanh", "default"], ["lstm", "chrono"]]')
    sw = sweep_mod.loads(text)
    assert sw.axis_keys == ("model.cell", "model.gate_init", "task.gap")
    assert [(p.config.model.cell, p.config.model.gate_init) for p in sw.points][::4] == [("rnn_tanh", "default"),
                                                                                        ("lstm", "chrono")]
    assert sw.points[0].id == "cell=rnn_tanh,gate_init=default,gap=5,seed=0" and len(sw.points) == 2 * 2 * 2
    with pytest.raises(ConfigError) as info:
        sweep_mod.loads(text.replace('["lstm", "chrono"]', '["lstm"]'))
    assert info.value.field == "sweep.axes.model.cell,model.gate_init" and "links 2 keys" in info.value.allowed
    with pytest.raises(ConfigError) as info:
        sweep_mod.loads(text.replace('"chrono"', '"shut"'))
    assert info.value.field == "sweep.axes.model.gate_init"


def test_every_example_sweep_file_is_valid():
    from pathlib import Path

    examples = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.toml"))
    assert len(examples) >= 6
    for path in examples:
        sw = sweep_mod.load(path)
        assert sw.points and sw.description, path
        assert path.read_text(encoding="utf-8").startswith("# Lesson:") or path.name == "memory-gaps.toml"
