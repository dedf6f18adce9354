"""Runs on disk: a folder with the config, the weights, the metrics, the last probe and a summary.

    my-run/
      config.toml          the RunConfig (TOML, versioned)
      weights.safetensors  the model's state dict (never pickle)
      probe.safetensors    the last gate probe (gates, states, ||dL/dh_t||), labels in its metadata
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
from dataclasses import dataclass
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
FORMAT_VERSION = 1
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
    return Run(path=path, config=cfg, history=history, summary=summary, weights=weights, probe=probe)


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
    trainer.status = run.summary.get("status", "finished")
    trainer.message = run.summary.get("message", "")
    trainer.elapsed_s = float(run.summary.get("elapsed_s") or 0.0)
    trainer.final = {k: run.summary[k] for k in ("val", "test", "baselines") if k in run.summary}
    return trainer
