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

Saving never leaves a broken run or loses the old one, even when the process is killed at any moment. The new run
is written in a hidden sibling and swapped in by renames, each of which is atomic::

    .NAME.saving-PID-X   being written             (a kill here: the old run stays; the leftover is deleted)
    .NAME.ready-PID-X    complete, fsynced         (a kill here or below: the next open or save completes the swap)
    NAME -> .NAME.old-PID-X,  .NAME.ready-PID-X -> NAME,  delete .NAME.old-PID-X

`recover` (run by every save and open) finishes or rolls back what a dead process left: a ready run is moved into
place, an old run with no new one is put back, and leftovers of dead processes are removed; a live process's
folders are never touched. Opening validates every file and field and caps every size before reading, so a
damaged or hostile folder is refused with a RunError naming the file and the field.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file as load_numpy, save_file as save_numpy

from .. import __version__, config as config_mod
from ..errors import ConfigError, DataError, RunError, shown
from ..fileio import ordinary_mode, read_user_file
from ..train.history import History, ProbeRecords
from ..models.gatenames import GATE_NAMES
from ..i18n import N_, _, ngettext, strerror

if TYPE_CHECKING:  # torch loads where a run is saved or opened: the run library lists folders before it has loaded
    import torch

    from ..train.trainer import ProbeSnapshot, Trainer

FORMAT = "rnnlab-run"
FORMAT_VERSION = 2  # 2: first_probe.safetensors and probes.safetensors (the gradient history); 1 still opens
FILES = ("config.toml", "weights.safetensors", "metrics.csv", "summary.json")
STATUSES = ("ready", "running", "paused", "finished", "stopped", "diverged")
# Size caps, checked before a file is read: far above what rnnlab writes, far below what would exhaust memory.
MAX_BYTES = {"summary.json": 4_000_000, "config.toml": 1_000_000, "metrics.csv": 256_000_000,
             "weights.safetensors": 2 * 2**30, "probe.safetensors": 256_000_000,
             "first_probe.safetensors": 256_000_000, "probes.safetensors": 256_000_000}
MAX_MESSAGE = 2000  # characters of summary.json's message


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


def check_target(directory: str | os.PathLike) -> Path:
    """Refuse, before any training, a folder a run cannot be saved to: a file, a folder that holds something
    other than an rnnlab run (it would not be replaced), or one inside a folder this user cannot write to. Returns
    the resolved folder."""
    if "\x00" in os.fspath(directory):
        raise RunError(_("{shown} cannot be a folder name (it contains a NUL byte).").format(shown=shown(os.fspath(directory))))
    target = Path(directory).expanduser().resolve()
    existing = next((p for p in (target, *target.parents) if p.exists()), None)
    if existing is not None and existing != target and not os.access(existing, os.W_OK | os.X_OK):
        raise RunError(_("cannot create {target}: {existing} is not writable; choose another folder for the run.").format(target=target, existing=existing))
    if target.exists() and not target.is_dir():
        raise RunError(_("{target} is a file, not a run folder; choose a new folder name for the run.").format(target=target))
    if target.is_dir() and not (target / "summary.json").exists() and any(target.iterdir()):
        raise RunError(_("{target} exists and is not an rnnlab run; choose an empty or new folder.").format(target=target))
    return target


def save_run(trainer: Trainer, directory: str | os.PathLike) -> Path:
    """Write the trainer's run to `directory` atomically (see the module docstring). Returns the folder."""
    from safetensors.torch import save_file as save_torch

    target = Path(directory).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target.parent)
    check_target(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.saving-{os.getpid()}-", dir=target.parent))
    try:
        (tmp / "config.toml").write_text(config_mod.to_toml(trainer.cfg), encoding="utf-8")
        state = {k: v.detach().cpu().contiguous() for k, v in trainer.model.state_dict().items()}
        save_torch(state, str(tmp / "weights.safetensors"), metadata={"format": FORMAT})
        with open(tmp / "metrics.csv", "w", encoding="utf-8", newline="") as fh:
            trainer.history.write_csv(fh)  # row by row: a long run's metrics are never held whole as text
        if trainer.last_probe is not None:
            _save_probe(trainer.last_probe, tmp / "probe.safetensors")
        if getattr(trainer, "first_probe", None) is not None:
            _save_probe(trainer.first_probe, tmp / "first_probe.safetensors")
        if getattr(trainer, "grad_history", None):
            _save_grad_history(trainer.grad_history, tmp / "probes.safetensors")
        summary = {"format": FORMAT, "format_version": FORMAT_VERSION, "rnnlab_version": __version__,
                   "saved": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **_finite(trainer.summary())}
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
        tmp.chmod(ordinary_mode(folder=True))  # mkdtemp makes it private; a run folder is an ordinary folder
        for f in tmp.iterdir():
            f.chmod(ordinary_mode())
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(tmp)
        ready = tmp.with_name(tmp.name.replace(".saving-", ".ready-", 1))
        os.replace(tmp, ready)  # from here on the new run is complete: a kill is finished by the next recover()
        tmp = ready
        _swap_into_place(ready, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _swap_into_place(ready: Path, target: Path) -> None:
    if target.exists():
        old = ready.with_name(ready.name.replace(".ready-", ".old-", 1))
        os.replace(target, old)
        os.replace(ready, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(ready, target)
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); folders cannot be opened for syncing on Windows, where it is skipped."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- recovery: what a killed save left behind -------------------------------------------------------------------

_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?P<kind>saving|ready|old)-(?P<pid>\d+)(?:-.*)?")
_LEGACY_SAVING = re.compile(r"\.(?P<name>.+)\.[^.]+\.saving")  # rnnlab <= 0.1: .NAME.XXXX.saving
LEGACY_STALE_S = 3600  # a legacy temporary folder (no process id in its name) older than this is abandoned


def _alive(pid: int) -> bool:
    """Is process `pid` running? (Our own process counts: another thread may be saving.)"""
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would send Ctrl-C there
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def recover(folder: str | os.PathLike) -> list[str]:
    """Finish or roll back every save in `folder` that a dead process left half done; remove its leftovers.

    Per run name: a complete new run (`ready`) is moved into place (over the old one, which is removed); an old
    run with no new one is put back if its name is free; unfinished `saving` folders are deleted. Returns what was
    done, one line each (for a log). Errors are swallowed: recovery must never stop a save or an open."""
    folder = Path(folder)
    done: list[str] = []
    try:
        entries = [e for e in folder.iterdir() if e.name.startswith(".")]
    except OSError:
        return done
    by_name: dict[str, dict[str, list[Path]]] = {}
    now = time.time()
    for entry in entries:
        m = _LEFTOVER.fullmatch(entry.name)
        if m and not _alive(int(m["pid"])):
            by_name.setdefault(m["name"], {}).setdefault(m["kind"], []).append(entry)
            continue
        legacy = _LEGACY_SAVING.fullmatch(entry.name)
        if legacy and not m:
            try:
                stale = now - entry.stat().st_mtime > LEGACY_STALE_S
            except OSError:
                continue
            if stale:
                by_name.setdefault(legacy["name"], {}).setdefault("saving", []).append(entry)
    for name, kinds in by_name.items():
        target = folder / name
        try:
            for ready in sorted(kinds.get("ready", []))[-1:]:
                if target.exists():
                    aside = ready.with_name(ready.name.replace(".ready-", ".old-", 1))
                    os.replace(target, aside)
                    kinds.setdefault("old", []).append(aside)
                os.replace(ready, target)
                done.append(f"completed the save of {target}")
            for ready in sorted(kinds.get("ready", []))[:-1]:
                shutil.rmtree(ready, ignore_errors=True)
            for old in sorted(kinds.get("old", []), key=_mtime, reverse=True):
                if not target.exists():
                    os.replace(old, target)
                    done.append(f"restored {target} from an interrupted save")
                else:
                    shutil.rmtree(old, ignore_errors=True)
            for saving in kinds.get("saving", []):
                shutil.rmtree(saving, ignore_errors=True)
                done.append(f"removed an unfinished save of {target}")
        except OSError:
            continue
    return done


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


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
        for i, (_unused, norms) in enumerate(history):
            if k in norms:
                table[i, : len(norms[k])] = norms[k]
        arrays[f"grad/{_key(k)}"] = table
    save_numpy(arrays, str(path), metadata={"format": FORMAT})


def _load_grad_history(path: Path) -> list:
    arrays = load_numpy(str(path))
    steps = arrays.pop("steps")
    if steps.ndim != 1:
        raise ValueError(_("steps must be one row"))
    tables = {}
    for name, table in arrays.items():
        group, *rest = name.split("/")
        if group != "grad" or table.ndim != 2 or table.shape[0] != len(steps):
            raise ValueError(_("{name} does not hold one row per probe").format(name=name))
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


def _load_probe(path: Path, cfg: config_mod.RunConfig) -> ProbeSnapshot:
    """Read probe.safetensors, checking every field and shape against the run's config (the plots index them)."""
    from safetensors import safe_open

    from ..train.trainer import ProbeSnapshot

    with safe_open(str(path), framework="numpy") as fh:
        meta = _json_field(json.loads, (fh.metadata() or {}).get("probe"), "the probe metadata")
    if not isinstance(meta, dict):
        raise ValueError(_("its metadata has no 'probe' table"))
    step = meta.get("step")
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise ValueError(_("'step' is {shown}, not a whole number >= 0").format(shown=shown(step)))
    kind = meta.get("kind")
    if kind not in GATE_NAMES:
        raise ValueError(_("'kind' is {shown}, not one of {names}").format(shown=shown(kind), names=', '.join(GATE_NAMES)))
    if meta.get("gate_names") != list(GATE_NAMES[kind]):
        raise ValueError(_("'gate_names' is {shown}, not {list}").format(shown=shown(meta.get('gate_names')), list=list(GATE_NAMES[kind])))
    dirs = 2 if cfg.model.bidirectional else 1
    if meta.get("num_layers") != cfg.model.num_layers or meta.get("num_directions") != dirs:
        raise ValueError(_("its layers or directions do not match config.toml"))
    loss = meta.get("loss")
    if loss is not None and (isinstance(loss, bool) or not isinstance(loss, (int, float))):
        raise ValueError(_("'loss' is {shown}, not a number").format(shown=shown(loss)))
    arrays = load_numpy(str(path))
    groups: dict[str, dict] = {"gates": {}, "hidden": {}, "cell": {}, "grad": {}}
    samples_time = None
    for name, arr in arrays.items():
        group, *rest = name.split("/")
        if group not in groups or not rest:
            raise ValueError(_("it holds an unknown array {shown}").format(shown=shown(name)))
        key = tuple(int(x) if x.isascii() and x.isdigit() else x for x in rest)
        if not (arr.dtype == np.float32 or arr.dtype == np.float64):
            raise ValueError(_("array {shown} has type {dtype}, not float32").format(shown=shown(name), dtype=arr.dtype))
        want = 1 if group == "grad" else 3
        if arr.ndim != want or (group != "grad" and arr.shape[2] != cfg.model.hidden_size):
            raise ValueError(_("array {shown} has shape {shape}; expected {want} dimensions").format(shown=shown(name), shape=arr.shape, want=want)
                             + ("" if group == "grad" else _(" ending in hidden_size {hidden_size}").format(hidden_size=cfg.model.hidden_size)))
        if group != "grad":
            if samples_time is None:
                samples_time = arr.shape[:2]
            elif arr.shape[:2] != samples_time:
                raise ValueError(_("array {shown} has shape {shape}; the others are {samples_time} x ...").format(shown=shown(name), shape=arr.shape, samples_time=samples_time))
        groups[group][key] = arr.astype(np.float32, copy=False)
    for name, arr in groups["grad"].items():
        if samples_time is not None and len(arr) != samples_time[1]:
            raise ValueError(_("the gradient array {shown} has {count} steps, the gates {value}").format(shown=shown(name), count=len(arr), value=samples_time[1]))
    labels = meta.get("labels")
    samples = samples_time[0] if samples_time else 0
    if not isinstance(labels, list) or len(labels) != samples or not all(
            lab is None or (isinstance(lab, list) and all(isinstance(x, str) for x in lab)) for lab in labels):
        raise ValueError(_("'labels' must be a list of {samples} label lists (or null)").format(samples=samples))
    return ProbeSnapshot(step=step, kind=kind, gate_names=tuple(meta["gate_names"]),
                         num_layers=meta["num_layers"], num_directions=meta["num_directions"],
                         gates=groups["gates"], hidden=groups["hidden"], cell=groups["cell"],
                         grad_norms=groups["grad"], labels=labels,
                         loss=float(loss) if loss is not None else math.nan)


def _json_field(parse, text, what):
    if not isinstance(text, str):
        raise ValueError(_("{what} is missing").format(what=what))
    try:
        return parse(text)
    except RecursionError:
        raise ValueError(_("{what} nests too deeply").format(what=what)) from None


def _read(path: Path, name: str) -> bytes:
    """A run file's bytes, size-capped and refused if it is not a regular file (a FIFO would block)."""
    try:
        return read_user_file(path / name, MAX_BYTES[name], what=f"a run's {name}")
    except DataError as exc:
        raise RunError(f"{path / name}: {exc}") from None


def _number(value, *, nullable=True) -> bool:
    if value is None:
        return nullable
    return not isinstance(value, bool) and isinstance(value, (int, float))


def _check_summary(summary: dict, where: Path) -> None:
    """Every field of summary.json that rnnlab reads back has the type it wrote (extra fields are left alone)."""
    def bad(key, want):
        return RunError(_("{where}: field {shown} is {shown2}; it must be {want}. The file is damaged: save the "
                          "run again, or delete the field.").format(where=where, shown=shown(key), shown2=shown(summary.get(key)), want=want))

    if "status" in summary and summary["status"] not in STATUSES:
        raise bad("status", _("one of ") + ", ".join(STATUSES))
    if "message" in summary and not (isinstance(summary["message"], str) and len(summary["message"]) <= MAX_MESSAGE):
        raise bad("message", _("text of at most {MAX_MESSAGE} characters").format(MAX_MESSAGE=MAX_MESSAGE))
    for key in ("elapsed_s", "epochs"):
        value = summary.get(key)
        if not _number(value) or (value is not None and not (math.isfinite(value) and value >= 0)):
            raise bad(key, _("a number >= 0"))
    for key in ("steps", "total_steps"):
        value = summary.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise bad(key, _("a whole number >= 0"))
    for key in ("device", "task", "metric", "metric_title", "saved", "rnnlab_version"):
        if key in summary and not (isinstance(summary[key], str) and len(summary[key]) <= 200):
            raise bad(key, "text")
    if "higher_is_better" in summary and not isinstance(summary["higher_is_better"], bool):
        raise bad("higher_is_better", _("true or false"))
    for key in ("val", "test"):
        value = summary.get(key)
        if value is not None and not _metric_table(value):
            raise bad(key, _("a table of metric names to numbers"))
    baselines = summary.get("baselines")
    if baselines is not None and not (isinstance(baselines, dict) and len(baselines) <= 100 and all(
            isinstance(k, str) and _metric_table(v) for k, v in baselines.items())):
        raise bad("baselines", _("a table of baseline names to tables of metrics"))


def _metric_table(value) -> bool:
    return isinstance(value, dict) and len(value) <= 100 and all(
        isinstance(k, str) and len(k) <= 100 and _number(v) for k, v in value.items())


def open_run(directory: str | os.PathLike) -> Run:
    """Read a run folder. Raises RunError naming the file (and field) that is missing, damaged, too large or from an
    unknown version. First finishes or rolls back a save that was killed half way (see `recover`)."""
    from safetensors.torch import load_file as load_torch

    path = Path(directory)
    if "\x00" in os.fspath(directory):
        raise RunError(_("{shown} cannot be a folder name (it contains a NUL byte).").format(shown=shown(os.fspath(directory))))
    try:
        recover(path.expanduser().absolute().parent)
        is_dir = path.is_dir()
    except (OSError, ValueError):
        is_dir = False
    if not is_dir:
        raise RunError(_("{path} is not a folder; open the folder of a saved run (it holds summary.json).").format(path=path))
    missing = [f for f in FILES if not (path / f).exists()]
    if missing:
        raise RunError(_("{path} is not a complete rnnlab run: {names} missing.").format(path=path, names=', '.join(missing)))
    raw = _read(path, "summary.json")
    try:
        summary = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunError(_("{value} is damaged ({value2}).").format(value=path / 'summary.json', value2=str(exc)[:100])) from None
    except RecursionError:
        raise RunError(_("{value} is damaged (it nests too deeply).").format(value=path / 'summary.json')) from None
    if not isinstance(summary, dict) or summary.get("format") != FORMAT:
        raise RunError(_("{path} was not written by rnnlab (summary.json has no rnnlab format marker).").format(path=path))
    version = summary.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
        raise RunError(_("{path} is a run of format version {shown}; this rnnlab ({version}) opens versions 1 to "
                         "{FORMAT_VERSION}. Update rnnlab to open it.").format(path=path, shown=shown(version), version=__version__, FORMAT_VERSION=FORMAT_VERSION))
    _check_summary(summary, path / "summary.json")
    _read(path, "config.toml")  # the size and file-type checks; config.load reads it (within the same caps)
    try:
        cfg = config_mod.load(path / "config.toml")
    except ConfigError as exc:
        raise RunError(_("{value} cannot be used: {exc}").format(value=path / 'config.toml', exc=exc)) from None
    raw = _read(path, "metrics.csv")
    try:
        history = History.from_csv(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, csv.Error) as exc:
        raise RunError(_("{value} is damaged: {value2}").format(value=path / 'metrics.csv', value2=str(exc)[:160])) from None
    _check_file(path, "weights.safetensors")
    try:
        weights = load_torch(str(path / "weights.safetensors"))
    except (SafetensorError, OSError, ValueError, MemoryError) as exc:
        raise RunError(_("{value} is damaged: {value2}").format(value=path / 'weights.safetensors', value2=str(exc)[:160])) from None
    probe = None
    if (path / "probe.safetensors").exists():
        _check_file(path, "probe.safetensors")
        try:
            probe = _load_probe(path / "probe.safetensors", cfg)
        except (SafetensorError, OSError, ValueError, KeyError, TypeError, MemoryError) as exc:
            raise RunError(_("{value} is damaged: {value2}").format(value=path / 'probe.safetensors', value2=str(exc)[:160])) from None
    first_probe, grad_history = None, []
    for name in ("first_probe.safetensors", "probes.safetensors"):
        if not (path / name).exists():
            continue  # format 1, or a run that never probed
        _check_file(path, name)
        try:
            if name == "first_probe.safetensors":
                first_probe = _load_probe(path / name, cfg)
            else:
                grad_history = _load_grad_history(path / name)
        except (SafetensorError, OSError, ValueError, KeyError, TypeError, MemoryError) as exc:
            raise RunError(_("{value} is damaged: {value2}").format(value=path / name, value2=str(exc)[:160])) from None
    return Run(path=path, config=cfg, history=history, summary=summary, weights=weights, probe=probe,
               first_probe=first_probe, grad_history=grad_history)


def _check_file(path: Path, name: str) -> None:
    """A file safetensors will map: regular (not a FIFO or device) and within its cap."""
    try:
        st = (path / name).stat()
    except OSError as exc:
        raise RunError(_("{value} cannot be read: {value2}.").format(value=path / name, value2=strerror(exc))) from None
    if not stat.S_ISREG(st.st_mode):
        raise RunError(_("{value} is not a regular file.").format(value=path / name))
    if st.st_size > MAX_BYTES[name]:
        raise RunError(_("{value} is {value2:.1f} GiB, more than a run of rnnlab holds ({value3:.1f} GiB at most); "
                         "it is damaged or not from rnnlab.").format(value=path / name, value2=st.st_size / 2**30, value3=MAX_BYTES[name] / 2**30))


def restore_trainer(run: Run, control=None) -> Trainer:
    """A Trainer holding the run's weights, curves and last probe, as if it had just trained."""
    from ..train.trainer import Trainer

    trainer = Trainer(run.config, control)
    try:
        trainer.model.load_state_dict(run.weights)
    except (RuntimeError, TypeError, ValueError) as exc:
        first = str(exc).strip().splitlines()
        raise RunError(_("the weights in {path} do not fit its config: {strip}").format(path=run.path, strip=(first[-1] if first else '')[:160].strip())) from None
    trainer.history = run.history
    steps = run.history.column("step")
    trainer.step = int(steps[-1]) if len(steps) else 0
    trainer.last_probe = run.probe
    trainer.first_probe = run.first_probe
    trainer.grad_history = ProbeRecords(run.grad_history)
    trainer.status = run.summary.get("status", "finished")
    trainer.message = run.summary.get("message", "")
    trainer.elapsed_s = float(run.summary.get("elapsed_s") or 0.0)  # types checked by open_run
    trainer.final = {k: run.summary[k] for k in ("val", "test", "baselines") if k in run.summary}
    return trainer
