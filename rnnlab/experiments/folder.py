"""The sweep folder, the result of a sweep: its sweep file, one ordinary run folder per point and `results.csv`.

    my-sweep/
      sweep.toml           the sweep file this folder was last run with
      results.csv          one row per point: axes, seed, status, final metrics, baselines, steps, speed, solved at
      runs/<point id>/     an ordinary run folder (opens with File > Open run and `open_run`)

results.csv is rewritten atomically whenever a point starts or ends, and a run folder is written in a temporary
sibling and renamed into place, so a crash or Ctrl-C never leaves half a file. Running the sweep again skips the
points that are done (finished or diverged, with the same config in their run folder) and runs the others.
"""

from __future__ import annotations

import csv
import io
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable

from .. import config as config_mod
from ..errors import ConfigError, RunError
from ..fileio import atomic_write
from .events import DONE
from .sweep import Point, Sweep
from ..i18n import N_, _, ngettext

RESULTS = "results.csv"
SWEEP_FILE = "sweep.toml"
RUNS = "runs"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return str(value)


class SweepFolder:
    """Reads and writes one sweep folder. Not thread-safe: the driver of the sweep is its only writer."""

    def __init__(self, path, sweep: Sweep):
        self.path = Path(path)
        self.sweep = sweep
        self.rows: dict[str, dict[str, Any]] = {}

    def run_dir(self, point_id: str) -> Path:
        return self.path / RUNS / point_id

    # --- opening --------------------------------------------------------------------------------------------------

    def open(self) -> list[Point]:
        """Create or reopen the folder; returns the points still to run (all of them for a new folder)."""
        if self.path.exists() and not self.path.is_dir():
            raise ConfigError("--out", str(self.path), _("must be a folder (it is a file)"))
        if self.path.is_dir() and any(self.path.iterdir()) and not (self.path / RESULTS).exists() \
                and not (self.path / SWEEP_FILE).exists():
            raise ConfigError("--out", str(self.path), _("exists and is not a sweep folder; choose a new or empty "
                                                         "folder"))
        (self.path / RUNS).mkdir(parents=True, exist_ok=True)
        old = self._read_results()
        todo = []
        for point in self.sweep.points:
            row = old.get(point.id)
            if row is not None and row.get("status") in DONE and self._same_config(point):
                self.rows[point.id] = row
            else:
                self.rows[point.id] = self._blank_row(point, "pending")
                todo.append(point)
        atomic_write(self.path / SWEEP_FILE, self.sweep.source_text)
        self.write_results()
        return todo

    def _read_results(self) -> dict[str, dict[str, str]]:
        path = self.path / RESULTS
        if not path.exists():
            return {}
        try:
            rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise RunError(_("{path} is damaged ({exc}); move it away to run every point again.").format(path=path, exc=exc)) from None
        return {r["point"]: r for r in rows if r.get("point")}

    def _same_config(self, point: Point) -> bool:
        try:
            saved = config_mod.load(self.run_dir(point.id) / "config.toml")
        except ConfigError:
            return False
        return config_mod.to_dict(saved) == config_mod.to_dict(point.config)

    def _blank_row(self, point: Point, status: str) -> dict[str, Any]:
        row: dict[str, Any] = {"point": point.id}
        row.update({k: v for k, v in point.values})
        row.update({"seed": point.seed, "status": status, "error": ""})
        return row

    # --- updating -------------------------------------------------------------------------------------------------

    def mark(self, point_id: str, status: str, error: str = "") -> None:
        """A point starts (running), or stops without results (interrupted, failed before it trained)."""
        point = next(p for p in self.sweep.points if p.id == point_id)
        self.rows[point_id] = {**self._blank_row(point, status), "error": error}
        self.write_results()

    def record(self, point_id: str, status: str, values: dict[str, Any], error: str = "") -> dict[str, Any]:
        """A point has ended: its row becomes its axes, status and `values`. Returns the row."""
        point = next(p for p in self.sweep.points if p.id == point_id)
        row = self._blank_row(point, status)
        row["error"] = error
        row.update(values)
        if (self.run_dir(point_id) / "summary.json").exists():
            row["run"] = f"{RUNS}/{point_id}"
        self.rows[point_id] = row
        self.write_results()
        return row

    def write_run(self, point_id: str, files: dict[str, bytes]) -> Path:
        """Write a point's run folder from its files' bytes, atomically (a temporary sibling renamed into place)."""
        target = self.run_dir(point_id)
        for name in files:
            if Path(name).name != name or name.startswith("."):
                raise RunError(_("a worker sent a file named {name!r} for {point_id}; refusing to write it").format(name=name, point_id=point_id))
        tmp = Path(tempfile.mkdtemp(prefix=f".{point_id}.", suffix=".saving", dir=target.parent))
        try:
            for name, data in files.items():
                with open(tmp / name, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
            umask = os.umask(0)
            os.umask(umask)
            tmp.chmod(0o777 & ~umask)
            if target.exists():
                old = target.with_name(f".{point_id}.old-{os.getpid()}")
                os.replace(target, old)
                os.replace(tmp, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return target

    def columns(self) -> list[str]:
        first = ["point", *self.sweep.axis_keys, "seed", "status", "error"]
        rest: list[str] = []
        for row in self.rows.values():
            rest += [k for k in row if k not in first and k not in rest and k != "run"]
        return first + rest + ["run"]

    def write_results(self) -> None:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        cols = self.columns()
        writer.writerow(cols)
        for point in self.sweep.points:
            row = self.rows.get(point.id, {})
            writer.writerow(_cell(row.get(c)) for c in cols)
        atomic_write(self.path / RESULTS, out.getvalue())

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows.values():
            counts[row["status"]] = counts.get(row["status"], 0) + 1
        return counts


def read_results(path) -> list[dict[str, str]]:
    """The rows of a sweep folder's results.csv, as text (for tests, notebooks and the end table)."""
    text = (Path(path) / RESULTS).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def leftovers(path) -> Iterable[Path]:
    """Temporary files or folders a crash could have left (there should be none)."""
    return [p for p in Path(path).rglob(".*") if p.name.endswith((".saving", ".tmp")) or ".old-" in p.name]


def folder_problem(path) -> str:
    """Why a sweep cannot be written into `path` ("" when it can: new, empty, or a sweep folder to resume): the
    check SweepFolder.open makes, for a form to show before anything starts."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        return f"{path} is a file; choose a folder"
    if path.is_dir() and any(path.iterdir()) and not (path / RESULTS).exists() and not (path / SWEEP_FILE).exists():
        return f"{path} is not empty and is not a sweep folder; choose a new or empty folder"
    return ""
