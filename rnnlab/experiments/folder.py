"""The sweep folder, the result of a sweep: its sweep file, one ordinary run folder per point and `results.csv`.

    my-sweep/
      sweep.toml           the sweep file this folder was last run with
      results.csv          one row per point: axes, seed, status, final metrics, baselines, steps, speed, solved at
      runs/<point id>/     an ordinary run folder (opens with File > Open run and `open_run`)

results.csv is rewritten atomically whenever a point starts or ends, and a run folder is written in a temporary
sibling and renamed into place, so a crash or Ctrl-C never leaves half a file. Running the sweep again skips the
points that are done and runs the others. A point counts as done only if its row in results.csv is complete and its
run folder opens as a run of the same config (issue 20: a cut row or truncated weights were trusted for good);
leftovers of a crash (`.saving`, `.old-`, `.tmp`) are removed first. A different sweep file run into the folder is
refused when it would drop finished points from results.csv.
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
from ..errors import ConfigError, DataError, RnnlabError, RunError, shown
from ..fileio import atomic_write, ordinary_mode, read_user_file
from .events import DONE
from .sweep import Point, Sweep
from ..i18n import N_, _, ngettext

RESULTS = "results.csv"
SWEEP_FILE = "sweep.toml"
RUNS = "runs"
MAX_RESULTS_BYTES = 200_000_000  # results.csv of HARD_MAX_POINTS points with long ids and many columns fits easily


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
        problem = folder_problem(self.path)
        if problem:
            raise ConfigError("--out", str(self.path), "", message=problem)
        try:
            (self.path / RUNS).mkdir(parents=True, exist_ok=True)
            if not (self.path / RUNS).is_dir():
                raise RunError(_("{path} is not a folder; move it away to run the sweep here.").format(
                    path=self.path / RUNS))
            self._clean_leftovers()
            old = self._read_results()
            self._check_same_sweep(old)
            todo = []
            for point in self.sweep.points:
                row = old.get(point.id)
                if row is not None and self._done(point, row):
                    self.rows[point.id] = row
                else:
                    self.rows[point.id] = self._blank_row(point, "pending")
                    todo.append(point)
            atomic_write(self.path / SWEEP_FILE, self.sweep.source_text)
            self.write_results()
        except OSError as exc:
            raise RunError(_("cannot use {path} for the sweep: {reason}. Choose another folder.").format(
                path=self.path, reason=exc.strerror or exc)) \
                from None
        return todo

    def _clean_leftovers(self) -> None:
        """What a crash mid-save leaves (a `.saving` folder, an `.old-` folder, a `.tmp` file) is never a result."""
        for leftover in leftovers(self.path):
            _remove(leftover)

    def _read_results(self) -> dict[str, dict[str, str]]:
        path = self.path / RESULTS
        if not os.path.lexists(path):
            return {}
        try:
            text = read_user_file(path, MAX_RESULTS_BYTES, what=_("a sweep's results.csv")).decode("utf-8")
            rows = list(csv.DictReader(io.StringIO(text)))
        except (DataError, UnicodeDecodeError, csv.Error) as exc:
            reason = str(exc) if isinstance(exc, DataError) else _("{path} is damaged ({exc})").format(
                path=path, exc=str(exc)[:100])
            raise RunError(_("{reason}; move it away to run every point again.").format(
                reason=reason.rstrip("."))) from None
        return {r["point"]: r for r in rows if isinstance(r.get("point"), str) and r["point"]}

    def _check_same_sweep(self, old: dict[str, dict[str, str]]) -> None:
        """Another sweep file into this folder would drop its finished points from results.csv: refuse, plainly. A
        sweep that grew (new values, new seeds) keeps every old point, so it goes on."""
        ids = {p.id for p in self.sweep.points}
        dropped = [pid for pid, row in old.items() if pid not in ids and row.get("status") in DONE]
        if dropped:
            raise ConfigError("--out", str(self.path), "", message=ngettext(
                "{path} holds another sweep: {count} of its finished points ({example}) is not in this sweep file "
                "and would be dropped. Choose a new folder, or run the sweep file saved there ({file}).",
                "{path} holds another sweep: {count} of its finished points (such as {example}) are not in this "
                "sweep file and would be dropped. Choose a new folder, or run the sweep file saved there ({file}).",
                len(dropped)).format(path=self.path, count=len(dropped), example=shown(dropped[0], 50),
                                     file=SWEEP_FILE))

    def _done(self, point: Point, row: dict) -> bool:
        """A point is done if its row says so and is complete, and its run folder opens as a run of its config."""
        if row.get("status") not in DONE or None in row.values() or None in row:
            return False  # a row cut short: DictReader fills the missing cells with None
        return self._same_config(point)

    def _same_config(self, point: Point) -> bool:
        from ..runs.store import open_run

        try:
            saved = open_run(self.run_dir(point.id)).config
        except (RnnlabError, OSError):
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
            tmp.chmod(ordinary_mode(folder=True))
            if os.path.lexists(target):  # a folder, or a link (even a loop) in the way: moved aside, then removed
                old = target.with_name(f".{point_id}.old-{os.getpid()}")
                os.replace(target, old)
                os.replace(tmp, target)
                _remove(old)
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
    """Temporary files or folders a crash could have left in the sweep folder or its runs/ (there should be none).
    Only those two levels are looked at: no walk into the run folders, nor through a link."""
    found = []
    for folder in (Path(path), Path(path) / RUNS):
        try:
            entries = list(os.scandir(folder)) if folder.is_dir() and not folder.is_symlink() else []
        except OSError:
            continue
        found += [Path(e.path) for e in entries if e.name.startswith(".")
                  and (e.name.endswith((".saving", ".tmp")) or ".old-" in e.name)]
    return found


def _remove(path: Path) -> None:
    """A file, a link (not what it points to) or a folder tree; what cannot be removed stays."""
    try:
        if path.is_symlink() or not path.is_dir():
            path.unlink()
        else:
            shutil.rmtree(path, ignore_errors=True)
    except OSError:
        pass


def folder_problem(path) -> str:
    """Why a sweep cannot be written into `path` ("" when it can: new, empty, or a sweep folder to resume): the
    check SweepFolder.open makes, for a form to show before anything starts."""
    path = Path(path)
    try:
        if os.path.lexists(path) and not path.is_dir():
            return _("{path} is a file (or a broken link); choose a folder").format(path=path)
        if path.is_dir() and any(path.iterdir()) and not os.path.lexists(path / RESULTS) \
                and not os.path.lexists(path / SWEEP_FILE):
            return _("{path} is not empty and is not a sweep folder; choose a new or empty folder").format(path=path)
    except OSError as exc:  # a link loop, an unreadable folder
        return _("cannot use {path}: {reason}; choose another folder").format(path=path, reason=exc.strerror or exc)
    except ValueError:  # a NUL in the name
        return _("{path} cannot be a folder name; choose another folder").format(path=shown(str(path)))
    return ""
