"""Config validation at the boundary: every bad value names its field; good configs round-trip through TOML."""

import math

import pytest
from hypothesis import given, settings, strategies as st

from rnnlab import config
from rnnlab.config import ConfigError, RunConfig

DEFAULT = config.from_dict({})


def with_value(key, value):
    return DEFAULT.replace(key, value)


@given(st.integers(max_value=0) | st.integers(min_value=4097))
def test_hidden_size_out_of_range_names_field_and_range(size):
    with pytest.raises(ConfigError) as err:
        with_value("model.hidden_size", size)
    assert err.value.field == "model.hidden_size"
    assert str(size) in str(err.value) and "1 to 4096" in str(err.value)


@given(st.floats(max_value=0.0) | st.just(math.nan) | st.just(math.inf) | st.floats(min_value=10.0001))
def test_bad_learning_rates_are_rejected(lr):
    with pytest.raises(ConfigError) as err:
        with_value("training.learning_rate", lr)
    assert err.value.field == "training.learning_rate"
    assert "greater than 0" in err.value.allowed


@pytest.mark.slow
@given(st.floats(min_value=1e-8, max_value=10.0))
def test_good_learning_rates_pass_and_round_trip_through_toml(lr):
    cfg = with_value("training.learning_rate", lr)
    assert config.loads(config.to_toml(cfg)) == cfg


@given(st.text(min_size=0, max_size=12).filter(lambda s: s not in config.CELLS))
def test_unknown_cell_lists_the_allowed_ones(cell):
    with pytest.raises(ConfigError) as err:
        with_value("model.cell", cell)
    assert err.value.field == "model.cell" and "'lstm'" in str(err.value)


@given(key=st.sampled_from(sorted(config.SECTION_RULES["training"])),
       value=st.one_of(st.text(max_size=5), st.lists(st.integers(), max_size=2), st.none()))
def test_wrong_types_never_crash_and_name_the_field(key, value):
    try:
        cfg = with_value(f"training.{key}", value)
    except ConfigError as err:
        assert err.field == f"training.{key}"
    else:  # only text that is a legal choice gets through
        assert getattr(cfg.training, key) == value


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(cell=st.sampled_from(config.CELLS), hidden=st.integers(1, 4096), layers=st.integers(1, 8),
       bidir=st.booleans(), dropout=st.floats(0, 0.9), seed=st.integers(0, 2**32 - 1),
       optimizer=st.sampled_from(config.OPTIMIZERS), batch=st.integers(1, 65536), clip=st.booleans())
def test_every_valid_config_round_trips(cell, hidden, layers, bidir, dropout, seed, optimizer, batch, clip):
    data = {"model": {"cell": cell, "hidden_size": hidden, "num_layers": layers, "bidirectional": bidir,
                      "dropout": dropout},
            "training": {"seed": seed, "optimizer": optimizer, "batch_size": batch, "clip_grad": clip}}
    cfg = config.from_dict(data)
    assert config.loads(config.to_toml(cfg)) == cfg


def test_bool_is_not_a_number_and_integral_floats_are_ints():
    with pytest.raises(ConfigError):
        with_value("training.steps", True)
    assert with_value("training.steps", 20.0).training.steps == 20
    with pytest.raises(ConfigError):
        with_value("training.steps", 20.5)


def test_unknown_keys_are_errors_with_a_suggestion():
    with pytest.raises(ConfigError, match="Did you mean 'hidden_size'") as err:
        config.from_dict({"model": {"hiden_size": 10}})
    assert err.value.field == "model.hiden_size"
    with pytest.raises(ConfigError, match="unknown key"):
        config.from_dict({"trainig": {}})
    with pytest.raises(ConfigError) as err:
        config.from_dict({"task": {"name": "forecast", "options": {"windo": 3}}})
    assert err.value.field == "task.windo" and "window" in str(err.value)


def test_an_unknown_key_with_a_long_value_stays_one_short_line():
    """Found by the property test: the value quoted in full beside the list of known keys made 301 characters."""
    with pytest.raises(ConfigError) as err:
        config.from_dict({"training": {"000imizer": [0, -10**16, -135308871544700928, "lstm"]}})
    assert len(str(err.value)) <= 120 and str(err.value).endswith("Did you mean 'optimizer'?")
    with pytest.raises(ConfigError) as err:
        config.from_dict({"training": {"zzzqqq": "x" * 400}})  # no close key: every known key is listed
    assert len(str(err.value)) <= 300 and "weight_decay" in str(err.value)


def test_unknown_task_lists_tasks():
    with pytest.raises(ConfigError, match="'forecast'") as err:
        config.from_dict({"task": {"name": "nope"}})
    assert err.value.field == "task.name"


def test_window_longer_than_the_series_is_rejected():
    with pytest.raises(ConfigError) as err:
        with_value("task.window", 500)
    assert err.value.field == "task.window"
    assert "144 values" in str(err.value) and "task.window) to at most 95" in str(err.value)  # the fix, named


def test_log_transform_needs_positive_values():
    with pytest.raises(ConfigError, match="zeros or negatives") as err:
        DEFAULT.replace("task.transform", "log").replace("task.dataset", "sunspots")  # sunspots has zero years
    assert err.value.field == "task.transform"
    assert DEFAULT.replace("task.dataset", "sunspots").task.options["transform"] == "auto"


def test_task_options_get_defaults_filled_in():
    cfg = config.from_dict({"task": {"name": "adding", "options": {"length": 30}}})
    assert cfg.task.options == {"length": 30, "train_size": 100_000}


def test_old_schema_migrates(tmp_path):
    old = tmp_path / "old.toml"
    old.write_text('[model]\ncell_type = "gru"\n[training]\nlr = 0.05\n')
    cfg = config.load(old)
    assert cfg.model.cell == "gru" and cfg.training.learning_rate == 0.05


def test_newer_schema_is_refused_clearly():
    with pytest.raises(ConfigError, match="newer rnnlab"):
        config.from_dict({"schema_version": 99})


def test_bad_toml_and_missing_file_are_config_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[model\ncell = ")
    with pytest.raises(ConfigError, match="not valid TOML"):
        config.load(bad)
    with pytest.raises(ConfigError, match="readable TOML file"):
        config.load(tmp_path / "missing.toml")


def test_save_is_atomic_and_loadable(tmp_path):
    path = tmp_path / "run.toml"
    cfg = DEFAULT.replace("model.cell", "gru").replace("training.seed", 7)
    config.save(cfg, path)
    assert config.load(path) == cfg
    assert [p.name for p in tmp_path.iterdir()] == ["run.toml"]  # no temp file left behind


def test_defaults_are_valid():
    assert config.from_dict(config.to_dict(RunConfig())) == DEFAULT


def test_a_bidirectional_char_lm_is_refused_with_the_reason_and_the_fix():
    """A backward pass reads the next character, the very thing the model is asked to predict: the loss fell to
    near 0 and sampling wrote nonsense, with no word of why."""
    with pytest.raises(ConfigError) as err:
        config.from_dict({"task": {"name": "charlm"}, "model": {"bidirectional": True}})
    assert err.value.field == "model.bidirectional" and "model.bidirectional = false" in str(err.value)
    with pytest.raises(ConfigError):
        DEFAULT.with_changes([("task.name", "charlm"), ("model.bidirectional", True)])
    for name in ("tagging", "sentiment", "forecast", "adding", "dates", "memory"):
        assert config.from_dict({"task": {"name": name}, "model": {"bidirectional": True}}).model.bidirectional
