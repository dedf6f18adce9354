"""A sweep: a base run config plus axes (config keys with lists of values) and seeds, expanded into points.

A sweep file is an ordinary run config (the `[task]`, `[model]`, `[training]` tables of a run's config.toml) with one
more table, `[sweep]`::

    [sweep]
    seeds = [0, 1]                       # every combination runs once per seed (default: the config's seed)
    mode = "grid"                        # grid: every combination of the axes; zip: the i-th values go together
    suggested = true                     # start from the task's suggested settings, as `rnnlab train --task` does
    max_points = 1000                    # the most points it may have (default MAX_POINTS); counted before any check

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .. import config as config_mod, options
from ..errors import ConfigError
from ..i18n import N_, _, ngettext, strerror
from ..train.schedule import for_comparison

SWEEP_KEYS = ("seeds", "mode", "suggested", "axes", "name", "description", "max_points")
MAX_POINTS = 1000  # points in one sweep unless its file raises the cap (`max_points`): more is a typo, not a plan
HARD_MAX_POINTS = 100_000  # the most `max_points` may ask for: the folder, its results.csv and the library stay usable
MAX_SWEEP_BYTES = 1_000_000  # a sweep file is a few hundred bytes
# A point id names its run folder, and its temporary siblings `.ID.XXXXXXXX.saving` and `.ID.old-PID`: 230 keeps all
# of them under the 255 bytes most file systems allow, and every id that ever saved before stays as it was.
MAX_ID_BYTES = 230
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
    """`cell=lstm,gap=50,seed=0`: readable, safe as a folder name, and the same whatever else the sweep holds.

    A long one (21 axes, a long text value) is cut and ends in a hash of the whole, so it stays unique, stable and
    short enough for a folder name (issue 20: a 255-byte id lost the point's training at the save)."""
    parts = [f"{key if full_keys else key.rpartition('.')[2]}={_format_value(v)}" for key, v in values]
    pid = ",".join(_slug(p) for p in [*parts, f"seed={seed}"])
    if len(pid) > MAX_ID_BYTES:  # _slug leaves ASCII only: characters are bytes
        import hashlib

        digest = hashlib.sha1(pid.encode("ascii")).hexdigest()[:12]
        pid = f"{pid[:MAX_ID_BYTES - 40].rstrip(',-')}~{digest},seed={seed}"
    return pid


def _count(rows_per_axis: list[int], seeds: int, mode: str) -> int:
    if mode == "zip":
        return (min(rows_per_axis) if rows_per_axis else 0) * seeds
    n = seeds
    for r in rows_per_axis:
        n *= r
        if n > HARD_MAX_POINTS:  # stop early: 1000 axes of 1000 values would make a number with 3000 digits
            return n
    return n


def _hashable(row: tuple) -> Any:
    """A key that finds repeated values in a set (linear, not quadratic); lists inside become their repr."""
    try:
        hash(row)
        return row
    except TypeError:
        return repr(row)


def build(base: config_mod.RunConfig, axes: Mapping[str, Any], seeds=None, mode: str = "grid", *,
          name: str = "sweep", description: str = "", source_text: str = "", default_threads: int = 1,
          max_points: int = MAX_POINTS) -> Sweep:
    """Validate axes and seeds against `base` and expand them into points. Raises ConfigError naming the field.

    Points train with `default_threads` torch threads (one each: points run side by side, and one thread gives the
    same numbers wherever a point runs) unless the base config sets `training.threads`. The number of points is
    counted (and capped at `max_points`) before any value is checked; each axis value is checked once, and each
    point's config is built from its prefix's (a grid of 1000 x 1000 is refused at once, not after hours)."""
    if mode not in MODES:
        raise ConfigError("sweep.mode", mode, _("must be one of ") + ", ".join(repr(m) for m in MODES))
    if not isinstance(axes, Mapping):
        raise ConfigError("sweep.axes", axes, _('must be a table of config keys and lists, e.g. "model.cell" = '
                                                '["lstm"]'))
    if mode == "zip" and not axes:
        raise ConfigError("sweep.axes", {}, _('zip mode pairs the axes\' values: give at least one axis, e.g. '
                                              '"model.cell" = ["lstm", "gru"]'))
    if seeds is None:
        seeds = [base.training.seed]
    if not isinstance(seeds, (list, tuple)) or not seeds:
        raise ConfigError("sweep.seeds", seeds, _("must be a non-empty list of whole numbers, e.g. [0, 1]"))
    for key, values in axes.items():
        if not isinstance(values, (list, tuple)) or not values:
            raise ConfigError(f"sweep.axes.{key}", values, _("must be a non-empty list of values, e.g. [1, 2, 3]"))
    total = _count([len(v) for v in axes.values()], len(seeds), mode)
    if total > max_points:
        if total <= HARD_MAX_POINTS or max_points < HARD_MAX_POINTS:
            message = _("the sweep has {total:,} points; a sweep runs at most {cap:,}. Use fewer values or seeds, or "
                        "raise the cap with max_points = {raise_to} in [sweep] (at most {hard:,}).").format(
                total=total, cap=max_points, raise_to=min(total, HARD_MAX_POINTS), hard=HARD_MAX_POINTS)
        else:
            message = _("the sweep has more than {hard:,} points, the most a sweep can run; use fewer values or "
                        "seeds.").format(hard=HARD_MAX_POINTS)
        raise ConfigError("sweep", total, "", message=message)
    checked: list[tuple[str, tuple[str, ...], tuple[tuple, ...]]] = []  # (as written, keys, value tuples)
    for key, values in axes.items():
        where = f"sweep.axes.{key}"
        keys = tuple(k.strip() for k in str(key).split(","))
        if SEED_KEY in keys:
            raise ConfigError(where, values, _("seeds are not an axis: write them as sweep.seeds = [0, 1]"))
        rows, seen = [], set()
        for v in values:
            if len(keys) > 1 and (not isinstance(v, (list, tuple)) or len(v) != len(keys)):
                raise ConfigError(where, v, _("links {count} keys: each value is a list of {count}, e.g. {value}").format(count=len(keys), value=['...'] * len(keys)))
            row = tuple(v) if len(keys) > 1 else (v,)
            if mode == "grid":  # in zip mode a value may repeat: the combinations differ
                if _hashable(row) in seen:
                    raise ConfigError(where, v, _("appears twice in the list; give each value once"))
                seen.add(_hashable(row))
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
    for s in seeds:
        config_mod.SECTION_RULES["training"]["seed"]("sweep.seeds", s)
    if len(set(seeds)) != len(seeds):
        raise ConfigError("sweep.seeds", list(seeds), _("lists a seed twice; give each seed once"))
    if mode == "zip" and len({len(rows) for _unused, _unused, rows in checked}) > 1:
        raise ConfigError("sweep.axes", {k: len(rows) for k, _unused, rows in checked},
                          _("in zip mode every axis must have the same number of values"))
    if base.training.threads == 0:
        base = base.replace("training.threads", default_threads)

    value_lists = [rows for _, _, rows in checked]
    ranges = [range(len(rows)) for rows in value_lists]
    combos = itertools.product(*ranges) if mode == "grid" else zip(*ranges)
    keys_per_axis = [ks for _, ks, _ in checked]
    leaves = [k.rpartition(".")[2] for ks in keys_per_axis for k in ks]
    full_keys = len(set(leaves)) != len(leaves)
    prefix_configs: dict[tuple[int, ...], config_mod.RunConfig] = {(): base}
    points, ids = [], set()
    for combo in combos:
        values = tuple((k, x) for axis, i in enumerate(combo)
                       for k, x in zip(keys_per_axis[axis], value_lists[axis][i]))
        cfg = _config_for(combo, prefix_configs, keys_per_axis, value_lists, values) if mode == "grid" else \
            _apply(base, values, values)
        for seed in seeds:
            pid = point_id(values, seed, full_keys)
            if pid in ids:
                raise ConfigError("sweep.axes", dict(values), _("two points get the same name; make the values differ "
                                  "by more than punctuation"))
            ids.add(pid)
            # Compared runs are validated at the same steps, every 2 % of the run (train.trainer.for_comparison).
            points.append(Point(pid, values, int(seed), for_comparison(cfg.replace(SEED_KEY, int(seed)))))
    return Sweep(base=base, axes=tuple((k, tuple(r if len(ks) > 1 else r[0] for r in rows))
                                       for k, ks, rows in checked), seeds=tuple(int(s) for s in seeds), mode=mode, name=name,
                 description=description, source_text=source_text, points=tuple(points))


def _apply(cfg: config_mod.RunConfig, changes, values) -> config_mod.RunConfig:
    for key, v in changes:
        try:
            cfg = cfg.replace(key, v)
        except ConfigError as exc:  # a value that is allowed alone but not with the others (task option checks)
            where = ", ".join(f"{k} = {x!r}" for k, x in values)
            raise ConfigError(_("sweep point ({where})").format(where=where), exc.value,
                              f"{exc.field}: {exc.allowed}") from None
    return cfg


def _config_for(combo, cache, keys_per_axis, value_lists, values) -> config_mod.RunConfig:
    """The grid point's config, built on the cached config of its prefix: one replace per point, not one per axis.
    Only the current path of prefixes is kept (the grid is walked in order)."""
    depth = len(combo)
    while depth and combo[:depth] not in cache:
        depth -= 1
    cfg = cache[combo[:depth]]
    for axis in range(depth, len(combo)):
        changes = zip(keys_per_axis[axis], value_lists[axis][combo[axis]])
        cfg = _apply(cfg, changes, values)
        prefix = combo[:axis + 1]
        for old in [p for p in cache if len(p) == axis + 1]:  # a new prefix at this depth: the old one is done
            del cache[old]
        cache[prefix] = cfg
    return cfg


def from_dict(data: Mapping, source_text: str = "", name: str = "sweep") -> Sweep:
    """A sweep from a parsed sweep file: the run config tables plus [sweep]."""
    if not isinstance(data, Mapping):
        raise ConfigError(_("sweep file"), data, _("must be a table"))
    data = dict(data)
    table = data.pop("sweep", None)
    if table is None:
        raise ConfigError("sweep", None, _("a sweep file needs a [sweep] table with axes, e.g. "
                          '[sweep.axes] "model.cell" = ["lstm", "gru"]'))
    if not isinstance(table, Mapping):
        raise ConfigError("sweep", table, _("must be a table"))
    for key in table:
        if key not in SWEEP_KEYS:
            raise options.unknown_key(f"sweep.{key}", key, table[key], SWEEP_KEYS)
    suggested = table.get("suggested", True)
    options.BOOL("sweep.suggested", suggested)
    base = config_mod.experiment_from(data, suggested=suggested)  # the file's values win over the suggestions
    name = table.get("name", name)
    options.text(80)("sweep.name", name)
    description = table.get("description", "")
    options.text(2000)("sweep.description", description)
    max_points = table.get("max_points", MAX_POINTS)
    options.int_range(1, HARD_MAX_POINTS)("sweep.max_points", max_points)
    return build(base, table.get("axes", {}), table.get("seeds"), table.get("mode", "grid"), name=name,
                 description=description, source_text=source_text, max_points=max_points)


def loads(text: str, source: str = "sweep file") -> Sweep:
    data = config_mod.parse_toml(text, source, _("nests lists or tables too deeply; a sweep file is a few tables "
                                                 "deep"))
    return from_dict(data, source_text=text, name=Path(source).stem if source != "sweep file" else "sweep")


def load(path) -> Sweep:
    """Read a sweep file with the bounded reader: a FIFO, /dev/zero or a 2 GB file is refused, never read."""
    path = Path(path)
    text = config_mod.read_toml_text(path, MAX_SWEEP_BYTES, _("a TOML sweep file"), _("sweep file"),
                                     _("{reason} A sweep file must be a readable TOML file."))
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
        raise ConfigError("axis", text.strip(), _("must read `key = value, value`, e.g. task.length = 10, 50, 100"))
    items = [v.strip() for v in values.split(",")]
    if not any(items) or "" in items:
        raise ConfigError(f"sweep.axes.{key}", values.strip(), _("needs values separated by commas, e.g. 10, 50, 100"))
    return key, [_typed(v) for v in items]


def parse_seeds(text: str) -> list[int]:
    """`0, 1, 2` -> [0, 1, 2]; build() checks each one against training.seed's rule."""
    items = [v.strip() for v in text.split(",")]
    if not any(items) or "" in items:
        raise ConfigError("sweep.seeds", text.strip(), _("needs whole numbers separated by commas, e.g. 0, 1, 2"))
    return [_typed(v) for v in items]


def _typed(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)
