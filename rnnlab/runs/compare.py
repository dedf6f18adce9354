"""Comparing saved runs: may they share the plots, and which legend names each one (by what differs only).

Runs of different tasks have losses and metrics on different scales, so they are refused with a message that says
so. A legend that repeats every setting hides the one that matters, so each label names only the settings in which
the runs differ ("LSTM, lr=0.01"), worded as the race words them (`setting_label`, used by experiments.race too).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from .. import config as config_mod
from ..errors import ConfigError, RunError
from ..train.advice import CELL_NAMES
from ..i18n import N_, _, ngettext

SHORT_NAMES = {"learning_rate": "lr", "max_grad_norm": "clip norm", "hidden_size": "hidden",
               "num_layers": "layers", "batch_size": "batch"}
# Settings listed first in a label, in this order; the others follow in the config's own order.
FIRST = ("model.cell",)


def setting_label(key: str, value: Any) -> str:
    """One setting as a legend or a sentence names it: cells by their usual names, switches as 'name on/off', other
    values as name=value ('lr=0.01'). `value` may be the text of a CSV cell."""
    if key == "model.cell":
        return CELL_NAMES.get(value, str(value))
    name = key.rpartition(".")[2]
    name = SHORT_NAMES.get(name, name)
    if isinstance(value, bool):
        return f"{name} {'on' if value else 'off'}"
    return f"{name}={value}"


def flat(cfg: config_mod.RunConfig) -> dict[str, Any]:
    """A config as dotted keys: 'task.name', 'task.<option>', 'model.cell', 'training.learning_rate'."""
    d = config_mod.to_dict(cfg)
    out: dict[str, Any] = {"task.name": d["task"]["name"]}
    out.update({f"task.{k}": v for k, v in d["task"]["options"].items()})
    for section in ("model", "training"):
        out.update({f"{section}.{k}": v for k, v in d[section].items()})
    return out


def different_keys(configs: Sequence[config_mod.RunConfig]) -> list[str]:
    """The dotted keys whose values are not the same in all `configs`, cell first."""
    return differing([flat(c) for c in configs])


def differing(flats: Sequence[dict[str, Any]]) -> list[str]:
    """The keys whose values are not the same in all `flats` (configs as `flat` gives them), cell first."""
    keys: list[str] = []
    for f in flats:
        keys += [k for k in f if k not in keys]
    differ = [k for k in keys if len({repr(f.get(k)) for f in flats}) > 1]
    return [k for k in FIRST if k in differ] + [k for k in differ if k not in FIRST]


def legend_labels(configs: Sequence[config_mod.RunConfig], names: Sequence[str]) -> list[str]:
    """One label per run naming only what differs; `names` (folder names) where nothing does, and added in
    parentheses where two runs would otherwise share a label."""
    keys = different_keys(configs)
    if not keys:
        return list(names)
    flats = [flat(c) for c in configs]
    labels = [", ".join(setting_label(k, f.get(k)) for k in keys) for f in flats]
    return [f"{lab} ({name})" if labels.count(lab) > 1 else lab for lab, name in zip(labels, names)]


def task_problem(tasks: Sequence[str]) -> str:
    """Why runs of these tasks cannot be overlaid, or "" when they can (one task)."""
    distinct = sorted(set(tasks))
    if len(distinct) <= 1:
        return ""
    return (f"These runs are of different tasks ({', '.join(distinct)}): their losses and metrics are not "
            "comparable. Compare runs of one task.")


@dataclass(frozen=True)
class Comparison:
    """Runs that may share the plots: their folders, configs and legend labels, in the order given."""

    task: str
    paths: tuple[Path, ...]
    configs: tuple[config_mod.RunConfig, ...]
    labels: tuple[str, ...]
    differs: tuple[str, ...]  # the dotted keys that differ


def compare(paths: Sequence[str | os.PathLike]) -> Comparison:
    """Check that the run folders can be overlaid and name them. Reads only their config.toml (cheap); RunError
    with the reason for fewer than two runs, a folder without a usable config, or runs of different tasks."""
    paths = tuple(Path(p) for p in paths)
    if len(paths) < 2:
        raise RunError(_("Choose two runs or more to compare."))
    if len(set(p.resolve() for p in paths)) < len(paths):
        raise RunError(_("The same run is chosen twice; choose different runs to compare."))
    configs = []
    for p in paths:
        try:
            configs.append(config_mod.load(p / "config.toml"))
        except ConfigError as exc:
            raise RunError(_("{p} cannot be compared: its config.toml cannot be used ({exc}).").format(p=p, exc=exc)) from None
    problem = task_problem([c.task.name for c in configs])
    if problem:
        raise RunError(problem)
    return Comparison(task=configs[0].task.name, paths=paths, configs=tuple(configs),
                      labels=tuple(legend_labels(configs, [p.name for p in paths])),
                      differs=tuple(different_keys(configs)))
