"""The one versioned config of a run (task, model, training): defaults, validation at the boundary, TOML I/O.

Everything that reads settings (GUI form, CLI flags, run files) goes through `from_dict`/`replace`, so every bad
value meets the same rule and the same message: field, value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from .errors import ConfigError, DataError
from .fileio import atomic_write, read_user_file
from .options import BOOL, DEVICE, Rule, choice, float_range, int_range, unknown_key_hint

SCHEMA_VERSION = 1
CELLS = ("rnn_tanh", "rnn_relu", "lstm", "gru")
OPTIMIZERS = ("sgd", "adam", "rmsprop")


# --- the config itself ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskConfig:
    name: str = "forecast"  # a key of the task registry (`rnnlab tasks` lists them)
    options: Mapping[str, Any] = field(default_factory=dict)  # the task's own knobs; defaults filled in by validate


@dataclass(frozen=True)
class ModelConfig:
    cell: str = "lstm"  # rnn_tanh | rnn_relu | lstm | gru
    hidden_size: int = 64  # units per layer and direction
    num_layers: int = 1  # stacked recurrent layers
    bidirectional: bool = False  # a second pass from the end; many-to-one heads read both final states
    dropout: float = 0.0  # between stacked layers and before the head
    embedding_size: int = 32  # width of the token embedding, for tasks whose inputs are tokens
    gate_init: str = "default"  # default | open | chrono: how the memory gate (LSTM f, GRU z) starts


@dataclass(frozen=True)
class TrainingConfig:
    optimizer: str = "adam"  # sgd | adam | rmsprop
    learning_rate: float = 1e-3
    momentum: float = 0.0  # sgd and rmsprop only
    batch_size: int = 32
    steps: int = 1000  # optimizer steps, unless epochs > 0
    epochs: int = 0  # > 0: train this many passes over the training split instead of `steps`
    clip_grad: bool = True  # clip the global gradient norm to max_grad_norm
    max_grad_norm: float = 1.0
    tbptt: int = 0  # truncated BPTT chunk length for tasks with long streams; 0 = the task's default
    weight_decay: float = 0.0
    seed: int = 0  # same seed + same config on the CPU = the same losses, bit for bit
    device: str = "auto"  # auto | cpu | cuda | cuda:N | mps
    threads: int = 0  # CPU threads for torch; 0 = automatic (cores - 1, at most 4: small RNNs gain little from more)
    eval_every: int = 0  # steps between validation passes; 0 = automatic
    probe_every: int = 0  # steps between gate probes; 0 = automatic (keeps the probe's cost to a few percent)


@dataclass(frozen=True)
class RunConfig:
    task: TaskConfig = field(default_factory=TaskConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)

    def replace(self, key: str, value: Any) -> "RunConfig":
        """A validated copy with one dotted key changed: 'model.hidden_size', 'training.seed', 'task.window'."""
        return self.with_changes([(key, value)])

    def with_changes(self, changes) -> "RunConfig":
        """A validated copy with several dotted keys changed, applied in order and validated once at the end.

        Once, because options depend on each other: `task.dataset = "csv"` is only valid with its `task.csv_path`,
        so checking after each change would refuse a correct command line depending on its order. Setting
        `task.name` starts the task's options afresh."""
        data = to_dict(self)
        for key, value in changes:
            section, _, name = key.partition(".") if isinstance(key, str) else ("", "", "")
            if section == "task" and name not in ("name", "options") and name:
                data["task"].setdefault("options", {})[name] = value
            elif section == "task" and name == "name":
                data["task"] = {"name": value, "options": {}}
            elif section in ("model", "training") and name:
                data[section][name] = value
            else:
                raise ConfigError(key, value, "keys look like 'model.hidden_size', 'training.seed' or "
                                              "'task.<option>'")
        return from_dict(data)


SECTION_RULES: dict[str, dict[str, Rule]] = {
    "model": {
        "cell": choice(*CELLS),
        "hidden_size": int_range(1, 4096),
        "num_layers": int_range(1, 8),
        "bidirectional": BOOL,
        "dropout": float_range(0.0, 0.9),
        "embedding_size": int_range(1, 1024),
        "gate_init": choice("default", "open", "chrono"),
    },
    "training": {
        "optimizer": choice(*OPTIMIZERS),
        "learning_rate": float_range(0.0, 10.0, lo_open=True),
        "momentum": float_range(0.0, 1.0, hi_open=True),
        "batch_size": int_range(1, 65536),
        "steps": int_range(1, 100_000_000),
        "epochs": int_range(0, 1_000_000),
        "clip_grad": BOOL,
        "max_grad_norm": float_range(0.0, 1e6, lo_open=True),
        "tbptt": int_range(0, 100_000),
        "weight_decay": float_range(0.0, 1.0, hi_open=True),
        "seed": int_range(0, 2**32 - 1),
        "device": DEVICE,
        "threads": int_range(0, 256),
        "eval_every": int_range(0, 100_000_000),
        "probe_every": int_range(0, 100_000_000),
    },
}
_SECTION_TYPES = {"model": ModelConfig, "training": TrainingConfig}


def validate_field(key: str, value: Any) -> Any:
    """Check one dotted model/training field ('model.hidden_size'); returns the canonical value. For the GUI form."""
    section, _, name = key.partition(".")
    rules = SECTION_RULES.get(section, {})
    if name not in rules:
        raise ConfigError(key, value, unknown_key_hint(name, rules))
    return rules[name](key, value)


def _check_keys(where: str, data: Mapping, allowed) -> None:
    for key in data:
        if key not in allowed:
            prefix = f"{where}." if where else ""
            raise ConfigError(f"{prefix}{key}", data[key], unknown_key_hint(key, allowed))


# --- migration: files from older schema versions keep opening ------------------------------------------------------


def _migrate_0_to_1(data: dict) -> dict:
    """Schema 0 (the prototype) had no version key, called the cell `cell_type` and the rate `lr`.

    Copies only the sections it changes, and only when they are tables: whatever else is wrong with the data is
    left for `from_dict` to name (a section that is not a table, a value of the wrong type)."""
    data = dict(data)
    for section, old, new in (("model", "cell_type", "cell"), ("training", "lr", "learning_rate")):
        table = data.get(section)
        if isinstance(table, Mapping) and old in table:
            table = dict(table)
            table[new] = table.pop(old)
            data[section] = table
    data["schema_version"] = 1
    return data


MIGRATIONS: dict[int, Callable[[dict], dict]] = {0: _migrate_0_to_1}


def migrate(data: Mapping) -> dict:
    """Bring a config dict from any known older schema to SCHEMA_VERSION."""
    data = dict(data)
    version = data.get("schema_version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ConfigError("schema_version", version, f"must be a whole number from 0 to {SCHEMA_VERSION}")
    if version > SCHEMA_VERSION:
        raise ConfigError(
            "schema_version", version,
            f"this rnnlab reads schema versions up to {SCHEMA_VERSION}; the file comes from a newer rnnlab",
        )
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version = data["schema_version"]
    return data


# --- dict / TOML -------------------------------------------------------------------------------------------------


def from_dict(data: Mapping) -> RunConfig:
    """Build and validate a RunConfig from plain data (a parsed TOML file, CLI flags, the GUI form)."""
    if not isinstance(data, Mapping):
        raise ConfigError("config", data, "must be a table with [task], [model] and [training] sections")
    data = migrate(data)
    _check_keys("", data, ("schema_version", "task", "model", "training"))
    sections: dict[str, Any] = {}
    for section, rules in SECTION_RULES.items():
        raw = data.get(section, {})
        if not isinstance(raw, Mapping):
            raise ConfigError(section, raw, "must be a table of settings")
        _check_keys(section, raw, rules)
        values = {name: rules[name](f"{section}.{name}", v) for name, v in raw.items()}
        sections[section] = _SECTION_TYPES[section](**values)
    task_raw = data.get("task", {})
    if not isinstance(task_raw, Mapping):
        raise ConfigError("task", task_raw, "must be a table with a name and options")
    _check_keys("task", task_raw, ("name", "options"))
    task = _validate_task(task_raw.get("name", TaskConfig.name), task_raw.get("options", {}))
    return RunConfig(task=task, **sections)


def _validate_task(name: Any, options: Any) -> TaskConfig:
    from . import tasks  # late: the registry imports torch, which reading a config file does not need

    known = tasks.names()
    if name not in known:
        raise ConfigError("task.name", name, "must be one of " + ", ".join(repr(n) for n in known))
    if not isinstance(options, Mapping):
        raise ConfigError("task.options", options, "must be a table of the task's options")
    return TaskConfig(name=name, options=tasks.get(name).validate_options(options))


def to_dict(cfg: RunConfig) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "task": {"name": cfg.task.name, "options": dict(cfg.task.options)},
        "model": dataclasses.asdict(cfg.model),
        "training": dataclasses.asdict(cfg.training),
    }


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def to_toml(cfg: RunConfig) -> str:
    d = to_dict(cfg)
    lines = [f"schema_version = {SCHEMA_VERSION}", "", "[task]", f"name = {_toml_value(d['task']['name'])}", ""]
    lines += ["[task.options]"] + [f"{k} = {_toml_value(v)}" for k, v in d["task"]["options"].items()] + [""]
    for section in ("model", "training"):
        lines += [f"[{section}]"] + [f"{k} = {_toml_value(v)}" for k, v in d[section].items()] + [""]
    return "\n".join(lines)


MAX_CONFIG_BYTES = 1_000_000  # a config is a few hundred bytes; anything near this is not one


def loads(text_: str, source: str = "config") -> RunConfig:
    try:
        data = tomllib.loads(text_)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, "(file)", f"is not valid TOML: {str(exc)[:120]}") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ConfigError(source, "(file)", "nests tables or lists too deeply; a config is three tables deep") \
            from None
    return from_dict(data)


def load(path: str | os.PathLike) -> RunConfig:
    """Read a TOML config file. Refuses, before reading, what is not a regular file (a FIFO would block for ever) or
    is too large to be a config."""
    try:
        raw = read_user_file(path, MAX_CONFIG_BYTES, what="a TOML config file")
    except DataError as exc:
        raise ConfigError("config file", str(path), "must be a readable TOML file",
                          message=f"{exc} A config must be a readable TOML file.") from None
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError("config file", str(path), "must be UTF-8 text") from None
    return loads(content, source=str(path))


def save(cfg: RunConfig, path: str | os.PathLike) -> None:
    atomic_write(path, to_toml(cfg))
