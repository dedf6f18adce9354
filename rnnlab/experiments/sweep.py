"""A sweep: a base run config plus axes (config keys with lists of values) and seeds, expanded into points.

A sweep file is an ordinary run config (the `[task]`, `[model]`, `[training]` tables of a run's config.toml) with one
more table, `[sweep]`::

    [sweep]
    seeds = [0, 1]                       # every combination runs once per seed (default: the config's seed)
    mode = "grid"                        # grid: every combination of the axes; zip: the i-th values go together
    suggested = true                     # start from the task's suggested settings, as `rnnlab train --task` does

    [sweep.axes]
    "model.cell" = ["rnn_tanh", "lstm", "gru"]
    "task.gap" = [5, 10, 20]
    # a linked axis: keys separated by commas, each value a list with one entry per key (these go together)
    # "model.cell,model.gate_init" = [["rnn_tanh", "default"], ["lstm", "chrono"]]

    [task]
    name = "memory"

    [training]
    steps = 800

Every point is validated like a run config before anything runs, so a bad key or value fails at once, naming it
(`sweep.axes.model.cel`, `sweep.axes.task.gap`). A point's id depends only on its axis values and seed, so the same
point keeps its run folder when the sweep grows a value.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .. import config as config_mod, options
from ..errors import ConfigError
from ..train.schedule import for_comparison

SWEEP_KEYS = ("seeds", "mode", "suggested", "axes", "name", "description")
MODES = ("grid", "zip")
SEED_KEY = "training.seed"


@dataclass(frozen=True)
class Point:
    """One run of a sweep: its stable id, the axis values that make it, its seed and its full validated config."""

    id: str
    values: tuple[tuple[str, Any], ...]  # (axis key, value) in the sweep's axis order
    seed: int
    config: config_mod.RunConfig

    def value(self, key: str) -> Any:
        return dict(self.values)[key]


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: `points` is the expansion, in the order they are run and listed."""

    base: config_mod.RunConfig
    axes: tuple[tuple[str, tuple], ...]
    seeds: tuple[int, ...]
    mode: str = "grid"
    name: str = "sweep"
    description: str = ""
    source_text: str = ""  # the sweep file as written, copied into the sweep folder
    points: tuple[Point, ...] = field(default=())

    @property
    def axis_keys(self) -> tuple[str, ...]:
        """Every config key an axis sets (a linked axis "model.cell,model.gate_init" sets two)."""
        return tuple(k.strip() for key, _ in self.axes for k in key.split(","))


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+=-]+", "-", text).strip("-") or "x"


def point_id(values: tuple[tuple[str, Any], ...], seed: int, full_keys: bool = False) -> str:
    """`cell=lstm,gap=50,seed=0`: readable, safe as a folder name, and the same whatever else the sweep holds."""
    parts = [f"{key if full_keys else key.rpartition('.')[2]}={_format_value(v)}" for key, v in values]
    return ",".join(_slug(p) for p in [*parts, f"seed={seed}"])


def build(base: config_mod.RunConfig, axes: Mapping[str, Any], seeds=None, mode: str = "grid", *,
          name: str = "sweep", description: str = "", source_text: str = "", default_threads: int = 1) -> Sweep:
    """Validate axes and seeds against `base` and expand them into points. Raises ConfigError naming the field.

    Points train with `default_threads` torch threads (one each: points run side by side, and one thread gives the
    same numbers wherever a point runs) unless the base config sets `training.threads`."""
    if mode not in MODES:
        raise ConfigError("sweep.mode", mode, "must be one of " + ", ".join(repr(m) for m in MODES))
    if not isinstance(axes, Mapping):
        raise ConfigError("sweep.axes", axes, 'must be a table of config keys and lists, e.g. "model.cell" = ["lstm"]')
    checked: list[tuple[str, tuple[str, ...], tuple[tuple, ...]]] = []  # (as written, keys, value tuples)
    for key, values in axes.items():
        where = f"sweep.axes.{key}"
        keys = tuple(k.strip() for k in str(key).split(","))
        if SEED_KEY in keys:
            raise ConfigError(where, values, "seeds are not an axis: write them as sweep.seeds = [0, 1]")
        if not isinstance(values, (list, tuple)) or not values:
            raise ConfigError(where, values, "must be a non-empty list of values, e.g. [1, 2, 3]")
        rows = []
        for v in values:
            if len(keys) > 1 and (not isinstance(v, (list, tuple)) or len(v) != len(keys)):
                raise ConfigError(where, v, f"links {len(keys)} keys: each value is a list of {len(keys)}, "
                                  f"e.g. {['...'] * len(keys)}")
            row = tuple(v) if len(keys) > 1 else (v,)
            if row in rows and mode == "grid":  # in zip mode a value may repeat: the combinations differ
                raise ConfigError(where, v, "appears twice in the list; give each value once")
            rows.append(row)
            for k, x in zip(keys, row):
                try:
                    base.replace(k, x)
                except ConfigError as exc:
                    raise ConfigError(f"sweep.axes.{k}" if len(keys) > 1 else where, exc.value,
                                      exc.allowed) from None
        checked.append((str(key), keys, tuple(rows)))
    # task.name first: changing the task resets its options, so the other task axes apply to the new task
    checked.sort(key=lambda entry: "task.name" not in entry[1])
    if seeds is None:
        seeds = [base.training.seed]
    if not isinstance(seeds, (list, tuple)) or not seeds:
        raise ConfigError("sweep.seeds", seeds, "must be a non-empty list of whole numbers, e.g. [0, 1]")
    for s in seeds:
        config_mod.SECTION_RULES["training"]["seed"]("sweep.seeds", s)
    if len(set(seeds)) != len(seeds):
        raise ConfigError("sweep.seeds", list(seeds), "lists a seed twice; give each seed once")
    if mode == "zip" and len({len(rows) for _, _, rows in checked}) > 1:
        raise ConfigError("sweep.axes", {k: len(rows) for k, _, rows in checked},
                          "in zip mode every axis must have the same number of values")
    if base.training.threads == 0:
        base = base.replace("training.threads", default_threads)

    value_lists = [rows for _, _, rows in checked]
    combos = list(itertools.product(*value_lists)) if mode == "grid" else list(zip(*value_lists))
    keys = [k for _, ks, _ in checked for k in ks]
    leaves = [k.rpartition(".")[2] for k in keys]
    full_keys = len(set(leaves)) != len(leaves)
    points, ids = [], set()
    for combo in combos:
        values = tuple(zip(keys, (x for row in combo for x in row)))
        cfg = base
        for key, v in values:
            try:
                cfg = cfg.replace(key, v)
            except ConfigError as exc:  # a value that is allowed alone but not with the others (task option checks)
                where = ", ".join(f"{k} = {x!r}" for k, x in values)
                raise ConfigError(f"sweep point ({where})", exc.value, f"{exc.field}: {exc.allowed}") from None
        for seed in seeds:
            pid = point_id(values, seed, full_keys)
            if pid in ids:
                raise ConfigError("sweep.axes", dict(values), "two points get the same name; make the values differ "
                                  "by more than punctuation")
            ids.add(pid)
            # Compared runs are validated at the same steps, every 2 % of the run (train.trainer.for_comparison).
            points.append(Point(pid, values, int(seed), for_comparison(cfg.replace(SEED_KEY, int(seed)))))
    return Sweep(base=base, axes=tuple((k, tuple(r if len(ks) > 1 else r[0] for r in rows))
                                       for k, ks, rows in checked), seeds=tuple(int(s) for s in seeds), mode=mode, name=name,
                 description=description, source_text=source_text, points=tuple(points))


def from_dict(data: Mapping, source_text: str = "", name: str = "sweep") -> Sweep:
    """A sweep from a parsed sweep file: the run config tables plus [sweep]."""
    if not isinstance(data, Mapping):
        raise ConfigError("sweep file", data, "must be a table")
    data = dict(data)
    table = data.pop("sweep", None)
    if table is None:
        raise ConfigError("sweep", None, "a sweep file needs a [sweep] table with axes, e.g. "
                          '[sweep.axes] "model.cell" = ["lstm", "gru"]')
    if not isinstance(table, Mapping):
        raise ConfigError("sweep", table, "must be a table")
    for key in table:
        if key not in SWEEP_KEYS:
            raise options.unknown_key(f"sweep.{key}", key, table[key], SWEEP_KEYS)
    config_mod.from_dict(data)  # the file's own values meet the run config's rules, with its messages
    suggested = table.get("suggested", True)
    options.BOOL("sweep.suggested", suggested)
    base = _base_config(data, suggested)
    name = table.get("name", name)
    options.text(80)("sweep.name", name)
    description = table.get("description", "")
    options.text(2000)("sweep.description", description)
    return build(base, table.get("axes", {}), table.get("seeds"), table.get("mode", "grid"), name=name,
                 description=description, source_text=source_text)


def _base_config(data: Mapping, suggested: bool) -> config_mod.RunConfig:
    """Defaults, then (if asked) the task's suggested settings, then the file's own values."""
    from .. import tasks

    task = data.get("task", {})
    cfg = config_mod.from_dict({"task": task})
    if suggested:
        for key, value in tasks.get(cfg.task.name).suggested.items():
            cfg = cfg.replace(key, value)
    for section in ("model", "training"):
        for key, value in data.get(section, {}).items():
            cfg = cfg.replace(f"{section}.{key}", value)
    return cfg


def loads(text: str, source: str = "sweep file") -> Sweep:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, "(file)", f"is not valid TOML: {exc}") from None
    return from_dict(data, source_text=text, name=Path(source).stem if source != "sweep file" else "sweep")


def load(path) -> Sweep:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError("sweep file", str(path), f"must be a readable TOML file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError("sweep file", str(path), "must be UTF-8 text") from None
    return loads(text, source=str(path))


def to_toml(sweep: Sweep) -> str:
    """A sweep file that rebuilds `sweep` (used for races, which are built from flags rather than a file)."""
    lines = ["[sweep]", f"name = {config_mod._toml_value(sweep.name)}"]
    if sweep.description:
        lines.append(f"description = {config_mod._toml_value(sweep.description)}")
    lines += [f"seeds = {config_mod._toml_value(list(sweep.seeds))}", f'mode = "{sweep.mode}"', "suggested = false",
              "", "[sweep.axes]"]
    lines += [f'"{k}" = {config_mod._toml_value(list(v))}' for k, v in sweep.axes]
    return config_mod.to_toml(sweep.base) + "\n" + "\n".join(lines) + "\n"


def parse_axis(text: str) -> tuple[str, list]:
    """An axis as a person types it in a form, `task.length = 10, 50, 100` -> ("task.length", [10, 50, 100]).
    Values read as whole numbers, then numbers, then true/false, else text; build() checks them against the config's
    rules. Raises ConfigError naming what is missing."""
    key, eq, values = text.partition("=")
    key = key.strip()
    if not eq or not key:
        raise ConfigError("axis", text.strip(), "must read `key = value, value`, e.g. task.length = 10, 50, 100")
    items = [v.strip() for v in values.split(",")]
    if not any(items) or "" in items:
        raise ConfigError(f"sweep.axes.{key}", values.strip(), "needs values separated by commas, e.g. 10, 50, 100")
    return key, [_typed(v) for v in items]


def parse_seeds(text: str) -> list[int]:
    """`0, 1, 2` -> [0, 1, 2]; build() checks each one against training.seed's rule."""
    items = [v.strip() for v in text.split(",")]
    if not any(items) or "" in items:
        raise ConfigError("sweep.seeds", text.strip(), "needs whole numbers separated by commas, e.g. 0, 1, 2")
    return [_typed(v) for v in items]


def _typed(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)
