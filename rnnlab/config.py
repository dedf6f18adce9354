"""The one versioned config of a run (task, model, training): defaults, validation at the boundary, TOML I/O.

Everything that reads settings (GUI form, CLI flags, run files) goes through `from_dict`/`replace`, so every bad
value meets the same rule and the same message: field, value and what is allowed. Each model and training field
carries its whole description beside it (`setting`: rule, help, label, unit, where it applies); `rnnlab/schema.py`
gathers these with the tasks' options for the form, the CLI and docs/options.md.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from .errors import ConfigError, DataError
from .fileio import atomic_write, read_user_file
from .options import BOOL, DEVICE, Applies, Condition, Option, Rule, choice, float_range, int_range, unknown_key
from .i18n import N_, _, ngettext

SCHEMA_VERSION = 1
CELLS = ("rnn_tanh", "rnn_relu", "lstm", "gru")
CELL_LABELS = {"lstm": "LSTM", "gru": "GRU", "rnn_tanh": N_("Vanilla RNN (tanh)"), "rnn_relu": N_("Vanilla RNN (ReLU)")}
RECURRENT_INIT_LABELS = {"default": N_("torch default"), "orthogonal": N_("orthogonal"), "identity": N_("identity")}
OPTIMIZERS = ("sgd", "adam", "rmsprop")
OPTIMIZER_LABELS = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"}

# Where a model or training field means something (a task declares the traits; docs/options.md prints the text).
TOKEN_TASKS = Applies(N_("tasks that read tokens"), lambda task: task.token_inputs)
STATEFUL_TASKS = Applies(N_("tasks that read one long stream"), lambda task: task.stateful)
NON_CAUSAL_TASKS = Applies(N_("every task but the char-LM"), lambda task: not task.causal,
                           exception=N_("reading backwards would see the next character, the one to predict"))
GATED_CELLS = Condition(N_("only for LSTM and GRU: a vanilla RNN has no memory gate"),
                        lambda cfg: cfg.model.cell in ("lstm", "gru"))
WITH_MOMENTUM = Condition(N_("only with SGD or RMSprop"), lambda cfg: cfg.training.optimizer in ("sgd", "rmsprop"))
WITH_CLIPPING = Condition(N_("only when Clip gradients is on"), lambda cfg: cfg.training.clip_grad)


def setting(default: Any, rule: Rule, help: str, label: str, **more) -> Any:
    """A config field with its whole description in the dataclass's metadata (`schema.fields` reads it)."""
    return field(default=default, metadata={"option": Option(default, rule, help, label, **more)})


# --- the config itself ---------------------------------------------------------------------------------------------
# The order of the fields is the order on screen (the form), in `rnnlab options` and in config.toml.


@dataclass(frozen=True)
class TaskConfig:
    name: str = "forecast"  # a key of the task registry (`rnnlab tasks` lists them)
    options: Mapping[str, Any] = field(default_factory=dict)  # the task's own knobs; defaults filled in by validate


@dataclass(frozen=True)
class ModelConfig:
    cell: str = setting("lstm", choice(*CELLS), N_("The recurrent cell: LSTM and GRU have gates that keep information "
                        "over long spans; a vanilla RNN has none."), N_("Cell"), value_labels=CELL_LABELS)
    num_layers: int = setting(1, int_range(1, 8), N_("How many recurrent layers are stacked; each reads the hidden "
                              "states of the one below."), N_("Layers"))
    hidden_size: int = setting(64, int_range(1, 4096), N_("Units in each layer's hidden state: the width of the "
                               "network's memory."), N_("Hidden size"), unit=N_("units"))
    bidirectional: bool = setting(False, BOOL, N_("Add a pass that reads each sequence backwards; the head sees both "
                                  "directions."), N_("Bidirectional"), applies=NON_CAUSAL_TASKS)
    dropout: float = setting(0.0, float_range(0.0, 0.9), N_("Share of activations zeroed at random during training, "
                             "between layers and before the head (0 = off)."), N_("Dropout"))
    embedding_size: int = setting(32, int_range(1, 1024), N_("Width of the learned vector of each token (word or "
                                  "character)."), N_("Embedding size"), unit=N_("numbers per token"), applies=TOKEN_TASKS)
    gate_init: str = setting("default", choice("default", "open", "chrono"), N_("How the gate that keeps the state "
                             "starts (LSTM forget, GRU update): torch's default (half open), open, or chrono (many "
                             "time scales)."), N_("Memory gate init"), when=GATED_CELLS)
    recurrent_init: str = setting("default", choice("default", "orthogonal", "identity"), N_(
                                  "How the recurrent weights W_hh start: torch's default (small random), orthogonal, "
                                  "or the identity (Le et al. 2015); each gate's block alike."), N_("Recurrent init"),
                                  value_labels=RECURRENT_INIT_LABELS)
    recurrent_scale: float = setting(1.0, float_range(0.0, 10.0, lo_open=True), N_(
                                     "A gain on the initial recurrent weights W_hh; with orthogonal or identity init "
                                     "it is their spectral radius: below 1 the gradient through time vanishes, above "
                                     "1 it explodes."), N_("Recurrent scale"))


@dataclass(frozen=True)
class TrainingConfig:
    optimizer: str = setting("adam", choice(*OPTIMIZERS), N_("How the weights follow the gradient: Adam (adaptive, a "
                             "safe default), SGD or RMSprop."), N_("Optimizer"), value_labels=OPTIMIZER_LABELS)
    learning_rate: float = setting(1e-3, float_range(0.0, 10.0, lo_open=True), N_("Step size of each weight update: "
                                   "too high diverges, too low learns slowly."), N_("Learning rate"))
    momentum: float = setting(0.0, float_range(0.0, 1.0, hi_open=True), N_("How much of the previous update is carried "
                              "into the next (0 = none)."), N_("Momentum"), when=WITH_MOMENTUM)
    batch_size: int = setting(32, int_range(1, 65536), N_("Examples averaged in each optimizer step."), N_("Batch size"),
                              unit=N_("examples"))
    steps: int = setting(1000, int_range(1, 100_000_000), N_("How many optimizer steps to train (used when epochs is "
                         "0)."), N_("Steps"))
    epochs: int = setting(0, int_range(0, 1_000_000), N_("Train this many passes over the training data instead of a "
                          "number of steps (0 = use steps)."), N_("Epochs"), unit=N_("passes"))
    clip_grad: bool = setting(True, BOOL, N_("Scale the gradient down whenever its norm exceeds the maximum: stops "
                              "exploding gradients."), N_("Clip gradients"))
    max_grad_norm: float = setting(1.0, float_range(0.0, 1e6, lo_open=True), N_("The largest gradient norm allowed "
                                   "when clipping is on."), N_("Max gradient norm"), when=WITH_CLIPPING)
    tbptt: int = setting(0, int_range(0, 100_000), N_("Chunk length of truncated back-propagation through time: "
                         "gradients flow back at most this many steps (0 = the task's choice)."), N_("Truncated BPTT"),
                         unit=N_("time steps"), applies=STATEFUL_TASKS)
    weight_decay: float = setting(0.0, float_range(0.0, 1.0, hi_open=True), N_("Pulls every weight slightly towards "
                                  "zero at each step (L2 regularisation)."), N_("Weight decay"))
    seed: int = setting(0, int_range(0, 2**32 - 1), N_("Random seed: the same seed and settings give the same weights "
                        "and curves on the CPU."), N_("Seed"))
    device: str = setting("auto", DEVICE, N_("Where to train: the CPU or a GPU this computer has (auto: the best "
                          "one)."), N_("Device"))
    eval_every: int = setting(0, int_range(0, 100_000_000), N_("Optimizer steps between validation passes (0 = "
                              "automatic, a few percent of the training time)."), N_("Validate every"), unit=N_("steps"),
                              advanced=True)
    probe_every: int = setting(0, int_range(0, 100_000_000), N_("Optimizer steps between gate probes (0 = automatic, "
                               "a few percent of the training time)."), N_("Probe every"), unit=N_("steps"), advanced=True)
    threads: int = setting(0, int_range(0, 256), N_("Threads torch trains with on the CPU (0 = automatic: all cores but "
                           "one, at most 4; small RNNs gain little from more)."), N_("CPU threads"), unit=N_("threads"),
                           advanced=True)


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
            section, _unused, name = key.partition(".") if isinstance(key, str) else ("", "", "")
            if section == "task" and name not in ("name", "options") and name:
                data["task"].setdefault("options", {})[name] = value
            elif section == "task" and name == "name":
                data["task"] = {"name": value, "options": {}}
            elif section in ("model", "training") and name:
                data[section][name] = value
            else:
                raise ConfigError(key, value, _("keys look like 'model.hidden_size', 'training.seed' or "
                                              "'task.<option>'"))
        return from_dict(data)

    def replace_setting(self, key: str, value: Any) -> "RunConfig":
        """`replace(key, value)` for a model or training field without validating the task again: the sections are
        validated independently, and the task's validation may read a large user file (issue 10, item 7). For the
        form's one-field edits; any other key goes through `replace`."""
        section, _unused, name = key.partition(".")
        if section not in _SECTION_TYPES:
            return self.replace(key, value)
        checked = validate_field(key, value)
        return dataclasses.replace(self, **{section: dataclasses.replace(getattr(self, section), **{name: checked})})


def experiment(task: str | None = None, changes: Iterable[tuple[str, Any]] | Mapping[str, Any] = (), *,
               suggested: bool = True) -> RunConfig:
    """THE recipe for a fresh experiment on `task` (None: the default task), used by the window's form, the CLI, the
    self-test, sweep and lesson files, the benches and the tests: every model and training setting at its default,
    the task's default options, its suggested settings (`Task.suggested`, a good first experiment) unless
    `suggested=False`, then `changes` ((dotted key, value) pairs or a dict; they win over the suggestions).

    All of it is applied together and validated once, so options that depend on each other (`task.dataset = "csv"`
    with its `task.csv_path`) may come in any order; a bad task name or value raises ConfigError naming it."""
    from . import tasks  # late: the registry imports torch, which reading a config file does not need

    name = TaskConfig.name if task is None else task
    plan: list[tuple[str, Any]] = [("task.name", name)]
    if suggested and name in tasks.names():  # an unknown name is refused below, with the list of known ones
        plan += list(tasks.get(name).suggested.items())
    plan += list(changes.items() if isinstance(changes, Mapping) else changes)
    return RunConfig().with_changes(plan)


def experiment_from(data: Mapping, *, suggested: bool = True) -> RunConfig:
    """`experiment` for the [task], [model] and [training] tables of a sweep or lesson file: the file's own values
    are checked first (each with its own message; an older schema migrated), then they win over the task's
    suggested settings."""
    cfg = from_dict(data)
    written = migrate(data)
    changes = [(f"task.{key}", value) for key, value in cfg.task.options.items()]
    changes += [(f"{section}.{key}", getattr(getattr(cfg, section), key)) for section in _SECTION_TYPES
                for key in written.get(section, {})]
    return experiment(cfg.task.name, changes, suggested=suggested)


def section_options(section_type) -> dict[str, Option]:
    """The descriptions of a section's fields, in their order: {"hidden_size": Option(...), ...}."""
    return {f.name: f.metadata["option"] for f in dataclasses.fields(section_type)}


SECTION_RULES: dict[str, dict[str, Rule]] = {
    section: {name: opt.rule for name, opt in section_options(kind).items()}
    for section, kind in (("model", ModelConfig), ("training", TrainingConfig))
}
_SECTION_TYPES = {"model": ModelConfig, "training": TrainingConfig}


def validate_field(key: str, value: Any) -> Any:
    """Check one dotted model/training field ('model.hidden_size'); returns the canonical value. For the GUI form."""
    section, _, name = key.partition(".")
    rules = SECTION_RULES.get(section, {})
    if name not in rules:
        raise unknown_key(key, name, value, rules)
    return rules[name](key, value)


def _check_keys(where: str, data: Mapping, allowed) -> None:
    for key in data:
        if key not in allowed:
            prefix = f"{where}." if where else ""
            raise unknown_key(f"{prefix}{key}", key, data[key], allowed)


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
        raise ConfigError("schema_version", version, _("must be a whole number from 0 to {SCHEMA_VERSION}").format(SCHEMA_VERSION=SCHEMA_VERSION))
    if version > SCHEMA_VERSION:
        raise ConfigError(
            "schema_version", version,
            _("this rnnlab reads schema versions up to {SCHEMA_VERSION}; the file comes from a newer rnnlab").format(SCHEMA_VERSION=SCHEMA_VERSION),
        )
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version = data["schema_version"]
    return data


# --- dict / TOML -------------------------------------------------------------------------------------------------


def from_dict(data: Mapping) -> RunConfig:
    """Build and validate a RunConfig from plain data (a parsed TOML file, CLI flags, the GUI form)."""
    if not isinstance(data, Mapping):
        raise ConfigError("config", data, _("must be a table with [task], [model] and [training] sections"))
    data = migrate(data)
    _check_keys("", data, ("schema_version", "task", "model", "training"))
    sections: dict[str, Any] = {}
    for section, rules in SECTION_RULES.items():
        raw = data.get(section, {})
        if not isinstance(raw, Mapping):
            raise ConfigError(section, raw, _("must be a table of settings"))
        _check_keys(section, raw, rules)
        values = {name: rules[name](f"{section}.{name}", v) for name, v in raw.items()}
        sections[section] = _SECTION_TYPES[section](**values)
    task_raw = data.get("task", {})
    if not isinstance(task_raw, Mapping):
        raise ConfigError("task", task_raw, _("must be a table with a name and options"))
    _check_keys("task", task_raw, ("name", "options"))
    task = _validate_task(task_raw.get("name", TaskConfig.name), task_raw.get("options", {}), sections["model"])
    return RunConfig(task=task, **sections)


def _validate_task(name: Any, options: Any, model: ModelConfig) -> TaskConfig:
    """The task's name and options, and the model settings the task refuses (a bidirectional char-LM)."""
    from . import tasks  # late: the registry imports torch, which reading a config file does not need

    known = tasks.names()
    if name not in known:
        raise ConfigError("task.name", name, _("must be one of ") + ", ".join(repr(n) for n in known))
    if not isinstance(options, Mapping):
        raise ConfigError("task.options", options, _("must be a table of the task's options"))
    task = tasks.get(name)
    checked = task.validate_options(options)
    task.check_model(model)
    return TaskConfig(name=name, options=checked)


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
        # json escapes the C0 controls but not DEL, which TOML refuses raw (issue 20: a path with DEL saved a run
        # that could not be reopened); U+0080-U+009F and the line separators are escaped too, to stay readable
        text = json.dumps(v, ensure_ascii=False)
        return "".join(f"\\u{ord(c):04x}" if c == "\x7f" or "\x80" <= c <= "\x9f" or c in "\u2028\u2029" else c
                       for c in text)
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


def parse_toml(text: str, source: str, too_deep: str) -> dict:
    """A TOML text (a config, a sweep or lesson file) as a dict; ConfigError naming `source` when it is not TOML or
    nests too deeply (`too_deep`: the sentence that says how deep such a file goes)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, "(file)", _("is not valid TOML: {value}").format(value=str(exc)[:120])) from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ConfigError(source, "(file)", too_deep) from None


def read_toml_text(path: str | os.PathLike, max_bytes: int, what: str, field: str, unreadable: str) -> str:
    """The text of a small TOML file the user names, read with the bounded reader: what is not a regular file (a
    FIFO would block for ever) or is too large is refused before reading, as is what is not UTF-8. ConfigError naming
    `field` and the path; `unreadable` is the sentence around the reader's reason ({exc} or {reason})."""
    try:
        raw = read_user_file(path, max_bytes, what=what)
    except DataError as exc:
        raise ConfigError(field, str(path), _("must be a readable TOML file"),
                          message=unreadable.format(exc=exc, reason=exc)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(field, str(path), _("must be UTF-8 text")) from None


def loads(text_: str, source: str = "config") -> RunConfig:
    return from_dict(parse_toml(text_, source, _("nests tables or lists too deeply; a config is three tables deep")))


def load(path: str | os.PathLike) -> RunConfig:
    """Read a TOML config file."""
    content = read_toml_text(path, MAX_CONFIG_BYTES, _("a TOML config file"), _("config file"),
                             _("{exc} A config must be a readable TOML file."))
    return loads(content, source=str(path))


def save(cfg: RunConfig, path: str | os.PathLike) -> None:
    atomic_write(path, to_toml(cfg))
