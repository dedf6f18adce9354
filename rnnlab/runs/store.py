"""Runs on disk: a folder with the config, the weights, the metrics, the last probe and a summary.

    my-run/
      config.toml          the RunConfig (TOML, versioned)
      weights.safetensors  the model's state dict (never pickle)
      probe.safetensors    the last gate probe (gates, states, ||dL/dh_t||), labels in its metadata
      first_probe.safetensors  the probe before training (format 2): the dashed reference of the gradient plot
      probes.safetensors   ||dL/dh_t|| of every probe, (probes, time) per layer and direction, and their steps
                           (format 2): the gradient-through-time history a reopened run draws as it was live
      metrics.csv          one row per step: step, train_loss, val_loss, val_<metric>, grad norms, ...
      summary.json         format marker and version, status, final metrics, baselines

The folder is written in a temporary sibling and renamed into place, so a crash mid-save never leaves a broken run
(an existing run of the same name is replaced only once the new one is complete).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.numpy import load_file as load_numpy, save_file as save_numpy
from safetensors.torch import load_file as load_torch, save_file as save_torch

from .. import __version__, config as config_mod
from ..errors import ConfigError, RunError
from ..train.history import History
from ..train.trainer import ProbeSnapshot, Trainer

FORMAT = "rnnlab-run"
FORMAT_VERSION = 2  # 2: first_probe.safetensors and probes.safetensors (the gradient history); 1 still opens
FILES = ("config.toml", "weights.safetensors", "metrics.csv", "summary.json")


@dataclass
class Run:
    """A run read back from disk."""

    path: Path
    config: config_mod.RunConfig
    history: History
    summary: dict
    weights: dict[str, torch.Tensor]
    probe: Optional[ProbeSnapshot]
    first_probe: Optional[ProbeSnapshot] = None  # format 2
    grad_history: list = field(default_factory=list)  # format 2: [(step, {(layer, direction): norms})]


def save_run(trainer: Trainer, directory: str | os.PathLike) -> Path:
    """Write the trainer's run to `directory` atomically. Returns the folder."""
    target = Path(directory).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".saving", dir=target.parent))
    try:
        (tmp / "config.toml").write_text(config_mod.to_toml(trainer.cfg), encoding="utf-8")
        state = {k: v.detach().cpu().contiguous() for k, v in trainer.model.state_dict().items()}
        save_torch(state, str(tmp / "weights.safetensors"), metadata={"format": FORMAT})
        (tmp / "metrics.csv").write_text(trainer.history.to_csv(), encoding="utf-8")
        if trainer.last_probe is not None:
            _save_probe(trainer.last_probe, tmp / "probe.safetensors")
        if getattr(trainer, "first_probe", None) is not None:
            _save_probe(trainer.first_probe, tmp / "first_probe.safetensors")
        if getattr(trainer, "grad_history", None):
            _save_grad_history(trainer.grad_history, tmp / "probes.safetensors")
        summary = {"format": FORMAT, "format_version": FORMAT_VERSION, "rnnlab_version": __version__,
                   "saved": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **_finite(trainer.summary())}
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; a run folder is an ordinary folder
        for f in tmp.iterdir():
            f.chmod(0o666 & ~umask)
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        _swap_into_place(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _swap_into_place(tmp: Path, target: Path) -> None:
    if not target.exists():
        os.replace(tmp, target)
        return
    if not (target / "summary.json").exists() and any(target.iterdir()):
        raise RunError(f"{target} exists and is not an rnnlab run; choose an empty or new folder.")
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.replace(target, old)
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


def _finite(value):
    """JSON has no NaN: store it as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _key(parts) -> str:
    return "/".join(str(p) for p in parts)


def _save_probe(p: ProbeSnapshot, path: Path) -> None:
    arrays = {}
    for group, d in (("gates", p.gates), ("hidden", p.hidden), ("cell", p.cell), ("grad", p.grad_norms)):
        for k, v in d.items():
            arrays[f"{group}/{_key(k)}"] = np.ascontiguousarray(v, dtype=np.float32)
    meta = {"step": p.step, "kind": p.kind, "gate_names": list(p.gate_names), "num_layers": p.num_layers,
            "num_directions": p.num_directions, "labels": p.labels,
            "loss": p.loss if math.isfinite(p.loss) else None}
    save_numpy(arrays, str(path), metadata={"format": FORMAT, "probe": json.dumps(meta)})


def _save_grad_history(history: list, path: Path) -> None:
    """(probes, time) per (layer, direction), NaN where a probe's sequence was shorter, and the probes' steps."""
    keys = sorted({k for _, norms in history for k in norms})
    arrays = {"steps": np.array([step for step, _ in history], dtype=np.int64)}
    for k in keys:
        width = max(len(norms[k]) for _, norms in history if k in norms)
        table = np.full((len(history), width), np.nan, dtype=np.float32)
        for i, (_, norms) in enumerate(history):
            if k in norms:
                table[i, : len(norms[k])] = norms[k]
        arrays[f"grad/{_key(k)}"] = table
    save_numpy(arrays, str(path), metadata={"format": FORMAT})


def _load_grad_history(path: Path) -> list:
    arrays = load_numpy(str(path))
    steps = arrays.pop("steps")
    if steps.ndim != 1:
        raise ValueError("steps must be one row")
    tables = {}
    for name, table in arrays.items():
        group, *rest = name.split("/")
        if group != "grad" or table.ndim != 2 or table.shape[0] != len(steps):
            raise ValueError(f"{name} does not hold one row per probe")
        tables[tuple(int(x) if x.isdigit() else x for x in rest)] = table
    history = []
    for i, step in enumerate(steps.tolist()):
        norms = {}
        for k, table in tables.items():
            row = table[i]
            finite = np.flatnonzero(~np.isnan(row))
            norms[k] = row[: finite[-1] + 1] if len(finite) else row[:0]
        history.append((int(step), norms))
    return history


def _load_probe(path: Path) -> ProbeSnapshot:
    from safetensors import safe_open

    with safe_open(str(path), framework="numpy") as fh:
        meta = json.loads((fh.metadata() or {})["probe"])
    arrays = load_numpy(str(path))
    groups: dict[str, dict] = {"gates": {}, "hidden": {}, "cell": {}, "grad": {}}
    for name, arr in arrays.items():
        group, *rest = name.split("/")
        key = tuple(int(x) if x.isdigit() else x for x in rest)
        groups[group][key] = arr
    return ProbeSnapshot(step=meta["step"], kind=meta["kind"], gate_names=tuple(meta["gate_names"]),
                         num_layers=meta["num_layers"], num_directions=meta["num_directions"],
                         gates=groups["gates"], hidden=groups["hidden"], cell=groups["cell"],
                         grad_norms=groups["grad"], labels=meta["labels"],
                         loss=meta["loss"] if meta["loss"] is not None else math.nan)


def open_run(directory: str | os.PathLike) -> Run:
    """Read a run folder. Raises RunError naming what is missing, damaged or from an unknown version."""
    path = Path(directory)
    if not path.is_dir():
        raise RunError(f"{path} is not a folder; open the folder of a saved run (it holds summary.json).")
    missing = [f for f in FILES if not (path / f).is_file()]
    if missing:
        raise RunError(f"{path} is not a complete rnnlab run: {', '.join(missing)} missing.")
    try:
        summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunError(f"{path / 'summary.json'} is damaged ({exc}).") from None
    if not isinstance(summary, dict) or summary.get("format") != FORMAT:
        raise RunError(f"{path} was not written by rnnlab (summary.json has no rnnlab format marker).")
    version = summary.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
        raise RunError(f"{path} is a run of format version {version!r}; this rnnlab ({__version__}) opens versions "
                       f"1 to {FORMAT_VERSION}. Update rnnlab to open it.")
    try:
        cfg = config_mod.load(path / "config.toml")
    except ConfigError as exc:
        raise RunError(f"{path / 'config.toml'} cannot be used: {exc}") from None
    try:
        history = History.from_csv((path / "metrics.csv").read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise RunError(f"{path / 'metrics.csv'} is damaged: {exc}") from None
    try:
        weights = load_torch(str(path / "weights.safetensors"))
    except (SafetensorError, OSError, ValueError) as exc:
        raise RunError(f"{path / 'weights.safetensors'} is damaged: {exc}") from None
    probe = None
    if (path / "probe.safetensors").is_file():
        try:
            probe = _load_probe(path / "probe.safetensors")
        except (SafetensorError, OSError, ValueError, KeyError, TypeError) as exc:
            raise RunError(f"{path / 'probe.safetensors'} is damaged: {exc}") from None
    first_probe, grad_history = None, []
    for name in ("first_probe.safetensors", "probes.safetensors"):
        if not (path / name).is_file():
            continue  # format 1, or a run that never probed
        try:
            if name == "first_probe.safetensors":
                first_probe = _load_probe(path / name)
            else:
                grad_history = _load_grad_history(path / name)
        except (SafetensorError, OSError, ValueError, KeyError, TypeError) as exc:
            raise RunError(f"{path / name} is damaged: {exc}") from None
    return Run(path=path, config=cfg, history=history, summary=summary, weights=weights, probe=probe,
               first_probe=first_probe, grad_history=grad_history)


def restore_trainer(run: Run, control=None) -> Trainer:
    """A Trainer holding the run's weights, curves and last probe, as if it had just trained."""
    trainer = Trainer(run.config, control)
    try:
        trainer.model.load_state_dict(run.weights)
    except RuntimeError as exc:
        raise RunError(f"the weights in {run.path} do not fit its config: {exc}") from None
    trainer.history = run.history
    steps = run.history.column("step")
    trainer.step = int(steps[-1]) if len(steps) else 0
    trainer.last_probe = run.probe
    trainer.first_probe = run.first_probe
    trainer.grad_history = list(run.grad_history)
    trainer.status = run.summary.get("status", "finished")
    trainer.message = run.summary.get("message", "")
    trainer.elapsed_s = float(run.summary.get("elapsed_s") or 0.0)
    trainer.final = {k: run.summary[k] for k in ("val", "test", "baselines") if k in run.summary}
    return trainer
