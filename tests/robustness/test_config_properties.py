"""Property tests of the config boundary: generated dicts, TOML texts and `--set` command lines.

Invariant: a valid RunConfig (which survives a TOML round trip unchanged) or a ConfigError whose one-line message,
under 300 characters, starts with the field it names. 1,000 dicts + 600 TOML texts + 500 command lines, each case
under a time limit."""

from __future__ import annotations

import argparse
import datetime as dt
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnlab import config, tasks
from rnnlab.cli import build_config
from rnnlab.errors import ConfigError, shown_key

from helpers import check_refusal, time_limit

pytestmark = pytest.mark.slow  # every test here takes seconds

CASE_SECONDS = 5.0
COMMON = dict(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))

TASKS = tasks.names()
FIELDS = {section: list(rules) for section, rules in config.SECTION_RULES.items()}
OPTION_KEYS = sorted({k for name in TASKS for k in tasks.get(name).options})

# Values of every kind a dict or a TOML file can hold, the awkward ones included.
scalars = st.one_of(
    st.integers(min_value=-3, max_value=300), st.integers(), st.integers(min_value=2**63, max_value=10**400),
    st.floats(), st.floats(min_value=0, max_value=2), st.booleans(), st.none(),
    st.text(max_size=12), st.text(min_size=300, max_size=400), st.dates(), st.times(), st.datetimes(),
    st.sampled_from(["lstm", "gru", "rnn_tanh", "adam", "sgd", "cpu", "auto", "csv", "default", "chrono", ""]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                      max_leaves=5)


def deep(depth: int):
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


def section(keys):
    return st.dictionaries(st.one_of(st.sampled_from(keys), st.text(max_size=10)), values, max_size=5)


task_tables = st.fixed_dictionaries({}, optional={
    "name": st.one_of(st.sampled_from(TASKS), values),
    "options": st.one_of(section(OPTION_KEYS), values),
    "extra": values,
})
shallow_configs = st.one_of(
    st.fixed_dictionaries({}, optional={
        "schema_version": st.one_of(st.sampled_from([0, 1, 2, -1]), values),
        "task": st.one_of(task_tables, values),
        "model": st.one_of(section(FIELDS["model"]), values),
        "training": st.one_of(section(FIELDS["training"]), values),
        "lr": values,
    }),
    values,
)
configs = st.one_of(shallow_configs,
                    st.integers(min_value=100, max_value=5000).map(lambda n: {"model": {"cell": deep(n)}}))


def check_config(build) -> None:
    with time_limit(CASE_SECONDS):
        try:
            cfg = build()
        except ConfigError as exc:
            text = check_refusal(exc)
            assert text.startswith(shown_key(exc.field)) or text.startswith(str(exc.field)[:20]), text
            return
    assert isinstance(cfg, config.RunConfig)
    with time_limit(CASE_SECONDS):
        assert config.loads(config.to_toml(cfg)) == cfg  # what is accepted can be saved and read back


@settings(max_examples=1000, **COMMON)
@given(configs)
def test_generated_dicts(data):
    check_config(lambda: config.from_dict(data))


# --- TOML texts -----------------------------------------------------------------------------------------------------

def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return {float("inf"): "inf", float("-inf"): "-inf"}.get(v, "nan" if v != v else repr(v))
    if isinstance(v, (dt.date, dt.time, dt.datetime)):
        return v.isoformat()
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f'"{k}" = {toml_value(x)}' for k, x in v.items()) + "}"
    return '""'


def toml_text(data) -> str:
    if not isinstance(data, dict):
        return f"value = {toml_value(data)}"
    lines = []
    for key, value in data.items():
        lines.append(f'"{key}" = {toml_value(value)}')
    return "\n".join(lines)


good = config.to_toml(config.RunConfig())
mutations = st.tuples(st.integers(0, len(good)), st.integers(0, 40), st.text(max_size=20))
toml_texts = st.one_of(
    shallow_configs.map(toml_text),
    mutations.map(lambda m: good[: m[0]] + m[2] + good[m[0] + m[1]:]),
    st.integers(1, 3000).map(lambda n: "[model]\ncell = " + "[" * n + "]" * n),
    st.integers(1, 3000).map(lambda n: "a = " + "{b = " * n + "1" + "}" * n),
    st.text(max_size=200),
)


@settings(max_examples=600, **COMMON)
@given(toml_texts)
def test_generated_toml_texts(text):
    check_config(lambda: config.loads(text))


# --- --set command lines --------------------------------------------------------------------------------------------

dotted = st.one_of(
    st.sampled_from([f"{s}.{k}" for s, ks in FIELDS.items() for k in ks] + [f"task.{k}" for k in OPTION_KEYS]
                    + ["task.name", "task.options", "model", "training.", ".x", ""]),
    st.text(alphabet=string.ascii_letters + "._=", max_size=20),
)
raw_values = st.one_of(st.sampled_from(["1", "0", "-5", "1e999", "true", "nan", "inf", '"lstm"', "[1,2]", "{a=1}",
                                        "1979-05-27", "csv", "", "'", "0x10", "1_000", "²", "9" * 400]),
                       st.text(max_size=30), scalars.map(toml_value))
set_items = st.lists(st.one_of(st.tuples(dotted, raw_values).map("=".join), st.text(max_size=20)), max_size=5)


@settings(max_examples=500, **COMMON)
@given(set_items, st.one_of(st.none(), st.sampled_from(TASKS), st.text(max_size=8)))
def test_generated_command_lines(items, task):
    args = argparse.Namespace(config=None, task=task, cell=None, steps=None, seed=None, device=None, set=items)
    check_config(lambda: build_config(args))
