"""The run library: where runs and sweeps are saved by default, and a cheap listing of what is there (issue 13).

    <home>/                    platformdirs.user_data_dir("rnnlab"), or $RNNLAB_HOME (tests, workshops)
      runs/<task>-<cell>-<date>/   run folders (see store.py)
      sweeps/<name>/               sweep folders (see experiments/folder.py)
      library.json                 folders saved elsewhere (`rnnlab train --out`) that were opened once

Listing reads only summary.json and config.toml of a run, sweep.toml and results.csv of a sweep, each size-capped;
never the weights. A folder that cannot be read is listed all the same, with a one-line reason: a damaged entry must
be visible (to delete it), not make the list fail. Deleting renames the folder to a hidden `.deleting-*` sibling
first (atomic), so a crash mid-way never leaves half a run that lists as whole; leftovers are removed next time.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import time
import tomllib
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

import platformdirs

from .. import config as config_mod
from ..errors import ConfigError, DataError, RunError, shown
from ..fileio import atomic_write, read_user_file
from ..train.advice import CELL_NAMES
from . import store
from .compare import differing, flat, setting_label
from ..i18n import N_, _, ngettext

HOME_ENV = "RNNLAB_HOME"
RUNS, SWEEPS, EXTRA = "runs", "sweeps", "library.json"
# The files of a sweep folder, as experiments/folder.py names them (it sits above this layer and cannot be imported).
SWEEP_FILE, RESULTS = "sweep.toml", "results.csv"
MAX_SWEEP_FILE, MAX_RESULTS = 1_000_000, 64_000_000
DELETING = ".deleting-"
MAX_EXTRA = 500  # remembered outside folders; the oldest are forgotten first
MAX_PATH = 4096  # characters of a remembered folder's path (PATH_MAX); a longer one in library.json is damage


@dataclass(frozen=True)
class Entry:
    """One row of the library: a run or a sweep folder, as plain data (it crosses from the reading thread)."""

    kind: str  # "run" | "sweep"
    path: Path
    task: str = ""
    cells: tuple[str, ...] = ()  # config cell names ("lstm"); a sweep may have several
    differs: str = ""  # a sweep's axes ("cell: vanilla RNN (tanh), GRU; gap: 5"); a run's settings that differ
    # from the library's other runs of its task, cell aside ("lr=0.01, hidden=64"); blank if none
    metric: str = ""  # the headline metric's title, test split ("test MSE"; a sweep: "best test mse")
    value: float = math.nan
    higher_is_better: Optional[bool] = None
    status: str = ""  # a run's status; a sweep's "finished" or "3 of 4 done"
    saved: float = 0.0  # seconds since the epoch: summary's "saved", else the folder's mtime
    steps: int = 0
    problem: str = ""  # why it cannot be opened, one line; "" for a sound entry
    inside: bool = True  # in the library's own folders (only those may be deleted from it)
    settings: tuple[tuple[str, Any], ...] = ()  # a run's config as dotted keys (compare.flat)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def cell_text(self) -> str:
        return ", ".join(CELL_NAMES.get(c, c) for c in self.cells)

    @property
    def date_text(self) -> str:
        return datetime.fromtimestamp(self.saved).strftime("%Y-%m-%d %H:%M") if self.saved else ""


def home(root: Optional[os.PathLike | str] = None) -> Path:
    """The library folder: `root` if given, else $RNNLAB_HOME, else the user's data folder for rnnlab."""
    if root is not None:
        return Path(root)
    env = os.environ.get(HOME_ENV)
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("rnnlab"))


def runs_folder(root=None) -> Path:
    return home(root) / RUNS


def sweeps_folder(root=None) -> Path:
    return home(root) / SWEEPS


def new_run_path(cfg: config_mod.RunConfig, root=None, now: Optional[float] = None) -> Path:
    """A free folder name for a new run of `cfg` in the library: task-cell-date (-2, -3 ... if taken). Creates the
    runs folder, so a save dialog can start in it; the run folder itself is left to save_run."""
    folder = runs_folder(root)
    folder.mkdir(parents=True, exist_ok=True)
    stem = time.strftime(f"{cfg.task.name}-{cfg.model.cell}-%Y%m%d-%H%M%S", time.localtime(now))
    path, n = folder / stem, 1
    while path.exists() or path.is_symlink():
        n += 1
        path = folder / f"{stem}-{n}"
    return path


def new_sweep_path(name: str, root=None) -> Path:
    """A free folder name for a new sweep called `name` in the library (name-2, name-3 ... if taken)."""
    folder = sweeps_folder(root)
    folder.mkdir(parents=True, exist_ok=True)
    path, n = folder / name, 1
    while path.exists() or path.is_symlink():
        n += 1
        path = folder / f"{name}-{n}"
    return path


# --- listing ----------------------------------------------------------------------------------------------------

def entries(root=None) -> list[Entry]:
    """Every run and sweep of the library, newest first, and the remembered outside folders. Never raises for
    what is on disk: an unreadable folder is an Entry with its `problem`."""
    base = home(root)
    found: list[Entry] = []
    for kind, folder in (("run", base / RUNS), ("sweep", base / SWEEPS)):
        try:
            if kind == "run":
                store.recover(folder)  # finish or roll back saves a killed process left, so they list as they are
            _remove_leftovers(folder)
            children = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
        except (OSError, RuntimeError, ValueError):  # RNNLAB_HOME a link loop, an unreadable folder
            continue
        found += [read_entry(p, kind) for p in children]
    for path in extra_folders(base):
        found.append(read_entry(path, None, inside=False))
    return sorted(_name_differences(found), key=lambda e: -e.saved)


MAX_DIFFERS = 4  # settings named in a run's "what differs"; more would not be read


def _name_differences(found: list[Entry]) -> list[Entry]:
    """Fill each sound run's `differs` with its settings that vary among the listed runs of its task."""
    by_task: dict[str, list[Entry]] = {}
    for e in found:
        if e.kind == "run" and e.ok:
            by_task.setdefault(e.task, []).append(e)
    named = {}
    for runs in by_task.values():
        keys = [k for k in differing([dict(e.settings) for e in runs]) if k != "model.cell"][:MAX_DIFFERS]
        for e in runs:
            values = dict(e.settings)
            named[e.path] = ", ".join(setting_label(k, values.get(k)) for k in keys)
    return [replace(e, differs=named[e.path]) if e.path in named else e for e in found]


def read_entry(path: Path, kind: Optional[str] = None, inside: bool = True) -> Entry:
    """The library row for one folder; `kind` None guesses it (a sweep has results.csv or sweep.toml)."""
    path = Path(path)
    try:
        if kind is None:
            kind = "sweep" if _lexists(path / RESULTS) or _lexists(path / SWEEP_FILE) else "run"
        return (_read_sweep if kind == "sweep" else _read_run)(path, inside)
    except (RunError, ConfigError, DataError) as exc:
        return Entry(kind=kind or "run", path=path, saved=_mtime(path), problem=_one_line(exc), inside=inside)
    except Exception as exc:  # noqa: BLE001 - one damaged entry never hides the others (issue 20)
        problem = _("cannot be read: {reason}").format(
            reason=_one_line(exc) if isinstance(exc, OSError) else type(exc).__name__)
        return Entry(kind=kind or "run", path=path, saved=_mtime(path), problem=problem[:300], inside=inside)


def _lexists(path: Path) -> bool:
    """Whether anything is there; a name too long, a NUL or a loop reads as nothing (read_entry says why later)."""
    try:
        return os.path.lexists(path)
    except (OSError, ValueError):
        return False


def _table(data: dict, key: str) -> dict:
    """A table of a hand-edited file, or {} where it is something else (`task = "adding"`, `model = 5`)."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _read_run(path: Path, inside: bool) -> Entry:
    if not path.is_dir():
        raise RunError(_("{name} is a file, not a run folder.").format(name=path.name))
    missing = [f for f in store.FILES if not (path / f).exists()]
    if len(missing) == len(store.FILES):
        raise RunError(_("an empty folder, or not an rnnlab run (no summary.json, config.toml, weights)."))
    if missing:
        raise RunError(_("not a complete run: {names} missing.").format(names=', '.join(missing)))
    summary = read_summary(path)
    try:
        cfg = config_mod.load(path / "config.toml")
    except ConfigError as exc:
        raise RunError(_("config.toml cannot be used: {exc}").format(exc=exc)) from None
    metric = summary.get("metric") or ""
    value = (summary.get("test") or {}).get(metric)
    return Entry(kind="run", path=path, task=cfg.task.name, cells=(cfg.model.cell,),
                 metric=_("test {metric}").format(metric=summary.get("metric_title") or metric) if metric else "",
                 value=float(value) if value is not None else math.nan,
                 higher_is_better=summary.get("higher_is_better"), status=summary.get("status", ""),
                 saved=_parse_date(summary.get("saved")) or _mtime(path), steps=int(summary.get("steps", 0)),
                 inside=inside, settings=tuple(flat(cfg).items()))


def read_summary(path: Path) -> dict:
    """A run's summary.json, checked as open_run checks it (RunError naming what is wrong)."""
    try:
        raw = read_user_file(path / "summary.json", store.MAX_BYTES["summary.json"], what=_("a run's summary.json"))
        summary = json.loads(raw.decode("utf-8"))
    except DataError as exc:
        raise RunError(str(exc)) from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise RunError(_("summary.json is damaged (not valid JSON); the run cannot be opened.")) from None
    if not isinstance(summary, dict) or summary.get("format") != store.FORMAT:
        raise RunError(_("summary.json has no rnnlab format marker: not written by rnnlab."))
    version = summary.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= store.FORMAT_VERSION:
        raise RunError(_("a run of format version {shown}; this rnnlab opens 1 to {FORMAT_VERSION}.").format(shown=shown(version), FORMAT_VERSION=store.FORMAT_VERSION))
    store._check_summary(summary, path / "summary.json")
    return summary


def _read_sweep(path: Path, inside: bool) -> Entry:
    if not path.is_dir():
        raise RunError(_("{name} is a file, not a sweep folder.").format(name=path.name))
    if not (path / SWEEP_FILE).exists() and not (path / RESULTS).exists():
        raise RunError(_("an empty folder, or not an rnnlab sweep (no sweep.toml, no results.csv)."))
    spec = _read_sweep_file(path)
    rows, axes = _read_results(path)
    task = _table(spec, "task").get("name", config_mod.TaskConfig().name)
    base_cell = _table(spec, "model").get("cell", config_mod.ModelConfig().cell)
    values: dict[str, list[str]] = {a: [] for a in axes}
    for row in rows:
        for a in axes:
            value = row.get(a) or ""  # a row cut short has None in its missing cells
            if value not in values[a]:
                values[a].append(value)
    cells = tuple(values["model.cell"]) if "model.cell" in values else (str(base_cell),)
    differs = "; ".join(f"{_axis_name(a)}: {', '.join(_axis_value(a, v) for v in vs)}" for a, vs in values.items())
    done = [r for r in rows if r.get("status") in ("finished", "diverged")]
    metric = next((r.get("metric") for r in rows if r.get("metric")), "")
    title = _metric_title(path, rows) or metric
    higher = next((r.get("higher_is_better") == "true" for r in rows if r.get("higher_is_better")), None)
    scores = [v for v in (_float(r.get(f"test_{metric}")) for r in done) if math.isfinite(v)]
    value = (max(scores) if higher else min(scores)) if scores else math.nan
    status = "finished" if rows and len(done) == len(rows) else ngettext(
        "{done} of {n} done", "{done} of {n} done", len(rows)).format(done=len(done), n=len(rows))
    steps = int(max((v for v in (_float(r.get("total_steps")) for r in rows) if math.isfinite(v)), default=0))
    return Entry(kind="sweep", path=path, task=shown(task) if not isinstance(task, str) else task[:80],
                 cells=tuple(str(c)[:40] for c in cells), differs=differs[:500],
                 metric=_("best test {metric}").format(metric=title) if metric else "", value=value, higher_is_better=higher,
                 status=status, saved=_mtime(path / RESULTS) or _mtime(path), steps=steps, inside=inside)


def _metric_title(path: Path, rows: list[dict]) -> str:
    """The metric's title ("MSE") from the first point's run that has one; results.csv has only its key."""
    for run in [r["run"] for r in rows if isinstance(r.get("run"), str) and r["run"]][:3]:  # a few: stays cheap
        if not Path(run).is_absolute() and ".." not in Path(run).parts:
            try:
                return str(read_summary(path / run).get("metric_title") or "")
            except (RunError, OSError, ValueError):
                continue
    return ""


def _read_sweep_file(path: Path) -> dict:
    if not (path / SWEEP_FILE).exists():
        return {}
    try:
        return tomllib.loads(read_user_file(path / SWEEP_FILE, MAX_SWEEP_FILE, what=_("a sweep file")).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise RunError(_("sweep.toml is damaged ({value}).").format(value=str(exc)[:80])) from None


def _read_results(path: Path) -> tuple[list[dict], list[str]]:
    """results.csv's rows and its axis columns (those between 'point' and 'seed', as folder.py writes them)."""
    if not (path / RESULTS).exists():
        return [], []
    try:
        text = read_user_file(path / RESULTS, MAX_RESULTS, what=_("a sweep's results.csv")).decode("utf-8")
        reader = csv.DictReader(io.StringIO(text))
        rows = list(reader)
        header = reader.fieldnames or []
    except (UnicodeDecodeError, csv.Error) as exc:
        raise RunError(_("results.csv is damaged ({value}).").format(value=str(exc)[:80])) from None
    if header[:1] != ["point"] or "seed" not in header:
        raise RunError(_("results.csv is damaged: its header is not point, axes..., seed, status, ..."))
    return rows, header[1:header.index("seed")]


def _axis_name(key: str) -> str:
    return "cell" if key == "model.cell" else key.rpartition(".")[2]


def _axis_value(key: str, value: str) -> str:
    return CELL_NAMES.get(value, value) if key == "model.cell" else value


def _float(text) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def _parse_date(text) -> float:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z").timestamp()
    except (TypeError, ValueError):
        return 0.0


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except (OSError, ValueError):
        return 0.0


def _one_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


# --- outside folders ----------------------------------------------------------------------------------------------

def extra_folders(root=None) -> list[Path]:
    """Run and sweep folders outside the library that were opened once (most recent last)."""
    try:
        raw = read_user_file(home(root) / EXTRA, 1_000_000, what=_("the library's list of folders"))
        data = json.loads(raw.decode("utf-8"))
    except (DataError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return []  # no list yet, or a damaged one: the library's own folders still list
    paths = data.get("folders") if isinstance(data, dict) else None  # `null`, `{"folders": 5}`: damaged, so none
    if not isinstance(paths, list):
        return []
    return [Path(p) for p in paths if isinstance(p, str) and p and "\x00" not in p and len(p) <= MAX_PATH]


def remember(path, root=None) -> None:
    """Add a folder opened from elsewhere (`rnnlab train --out`) to the library's list; its own folders need not.
    Raises OSError only (the callers treat the list as a convenience); a damaged list is replaced."""
    try:
        path = Path(path).expanduser().resolve()
    except (RuntimeError, ValueError) as exc:  # a link loop (RuntimeError before Python 3.13), a NUL
        raise OSError(str(exc)) from None
    base = home(root)
    if _inside(path, base):
        return
    folders = [p for p in extra_folders(base) if p != path][-(MAX_EXTRA - 1):] + [path]
    base.mkdir(parents=True, exist_ok=True)
    atomic_write(base / EXTRA, json.dumps({"folders": [str(p) for p in folders]}, indent=1))


def forget(path, root=None) -> None:
    """Take an outside folder off the library's list (the folder itself is left alone)."""
    try:
        path = Path(path).expanduser().resolve()
    except (RuntimeError, ValueError) as exc:
        raise OSError(str(exc)) from None
    base = home(root)
    folders = extra_folders(base)
    if path in folders:
        atomic_write(base / EXTRA, json.dumps({"folders": [str(p) for p in folders if p != path]}, indent=1))


def _inside(path: Path, base: Path) -> bool:
    try:
        path.resolve().relative_to(base.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


# --- deleting -----------------------------------------------------------------------------------------------------

def delete(path, root=None) -> None:
    """Delete a run or sweep folder of the library. Refuses (RunError) anything not directly in its runs/ or
    sweeps/ folder: rnnlab deletes only what it saved there. Renamed aside first, so it never lists half deleted."""
    path = Path(path)
    base = home(root).resolve()
    parent = path.parent.resolve() if path.parent.exists() else path.parent
    if parent not in (base / RUNS, base / SWEEPS) or path.name.startswith(".") or path.name in ("", "..", "."):
        raise RunError(_("{path} is not in the run library ({base}); rnnlab deletes only runs and sweeps it saved "
                         "there. Delete it in your file manager if you mean to.").format(path=path, base=base))
    if not path.exists() and not path.is_symlink():
        raise RunError(_("{path} no longer exists.").format(path=path))
    aside = parent / f"{DELETING}{path.name}-{os.getpid()}-{time.monotonic_ns()}"
    os.replace(path, aside)
    if aside.is_symlink() or not aside.is_dir():
        aside.unlink()
    else:
        shutil.rmtree(aside, ignore_errors=True)


def _remove_leftovers(folder: Path) -> None:
    """Remove what a delete interrupted by a crash left (hidden, so never listed meanwhile)."""
    try:
        stale = [p for p in folder.iterdir() if p.name.startswith(DELETING)]
    except OSError:
        return
    for p in stale:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


__all__ = ["Entry", "HOME_ENV", "home", "runs_folder", "sweeps_folder", "new_run_path", "new_sweep_path", "entries",
           "read_entry", "read_summary", "extra_folders", "remember", "forget", "delete"]
