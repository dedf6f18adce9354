"""A sweep folder summed up for a chart: its results.csv checked, and the metric against one axis as the mean over
seeds with its min-max band, one line per value of the other axes (the lag-versus-success chart of issue 13).

Plain data and numpy only, so the window reads a folder on a helper thread and the tests check the numbers headless.

    summary = load_summary("sweeps/memory-gaps")   # RunError with a sentence when the folder or its CSV is damaged
    lines = summary.lines("task.gap")              # one Line per cell (per value of every other axis)
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from ..errors import RnnlabError, RunError
from ..runs.compare import setting_label
from .events import DONE
from .folder import RESULTS, SWEEP_FILE
from ..i18n import N_, _, ngettext, strerror

REQUIRED = ("point", "seed", "status")


@dataclass(frozen=True)
class Line:
    """One line of the chart: the points that share `label`'s axis values, summed over seeds at each x."""

    label: str  # "LSTM" or "LSTM, gate_init=chrono" (as races and comparisons name runs); "" with one axis
    x: np.ndarray  # float64 axis values (category indices for a text axis), ascending
    mean: np.ndarray
    low: np.ndarray  # the min over seeds
    high: np.ndarray  # the max over seeds
    n: np.ndarray  # how many seeds made each x (failed or unfinished points are left out)


@dataclass(frozen=True)
class Level:
    """A horizontal reference: a baseline (the mean of its column over the done points) or the task's goal."""

    label: str
    value: float


@dataclass(frozen=True)
class SweepSummary:
    """What a sweep folder holds, as text rows plus what the chart needs to label itself."""

    path: str
    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    axes: tuple[str, ...]  # the config keys the points differ in, in results.csv's order
    metric: str  # e.g. "mse": the column plotted is test_<metric>
    metric_title: str  # e.g. "MSE"
    higher_is_better: bool
    task_title: str
    axis_titles: dict[str, str]  # axis key -> a label in the task's words ("gap (distractors between ...)")
    goal: Optional[Level]

    @property
    def metric_column(self) -> str:
        return f"test_{self.metric}"

    def numeric(self, column: str) -> bool:
        """Every non-empty cell of the column reads as a number (an axis like task.gap, or a result)."""
        values = [r.get(column, "") for r in self.rows if r.get(column, "") != ""]
        return bool(values) and all(_number(v) is not None for v in values)

    def categories(self, axis: str) -> list[str]:
        """A text axis' values in the order the sweep lists them (the points' order)."""
        seen: list[str] = []
        for r in self.rows:
            if r[axis] not in seen:
                seen.append(r[axis])
        return seen

    def done_rows(self) -> list[dict[str, str]]:
        """The points that ran to their end (finished or diverged) with a finite metric: what the chart shows."""
        return [r for r in self.rows if r["status"] in DONE and _finite(r.get(self.metric_column))]

    def lines(self, x_axis: str) -> list[Line]:
        """The metric against `x_axis`: one Line per combination of the other axes' values, the mean, min and max
        over the seeds at each x. A text axis (cells) is placed at 0, 1, 2... in the sweep's order."""
        if x_axis not in self.axes:
            raise RunError(_("{x_axis} is not an axis of this sweep (its axes: {names})").format(x_axis=x_axis, names=', '.join(self.axes)))
        others = [a for a in self.axes if a != x_axis]
        order = None if self.numeric(x_axis) else {v: i for i, v in enumerate(self.categories(x_axis))}
        groups: dict[str, dict[float, list[float]]] = {}
        for r in self.done_rows():
            label = _line_label(others, r)
            x = float(r[x_axis]) if order is None else float(order[r[x_axis]])
            groups.setdefault(label, {}).setdefault(x, []).append(float(r[self.metric_column]))
        labels = [_line_label(others, r) for r in self.rows]
        result = []
        for label in dict.fromkeys(labels):  # the sweep's order: lines keep their colours when points are added
            if label not in groups:
                continue
            xs = sorted(groups[label])
            ys = [np.asarray(groups[label][x]) for x in xs]
            result.append(Line(label, np.asarray(xs, float), np.array([y.mean() for y in ys]),
                               np.array([y.min() for y in ys]), np.array([y.max() for y in ys]),
                               np.array([len(y) for y in ys])))
        return result

    def baselines(self) -> list[Level]:
        """Each `baseline <name>` column as a level: its mean over the done points (a task's baseline depends on
        its data, so points of one sweep agree to a few digits)."""
        levels = []
        for col in self.columns:
            if not col.startswith("baseline "):
                continue
            values = [float(r[col]) for r in self.done_rows() if _finite(r.get(col))]
            if values:
                levels.append(Level(col.removeprefix("baseline "), float(np.mean(values))))
        return levels

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rows:
            out[r["status"]] = out.get(r["status"], 0) + 1
        return out


def _number(text) -> Optional[float]:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _finite(text) -> bool:
    x = _number(text)
    return x is not None and math.isfinite(x)


def parse_results(text: str, where: str = RESULTS) -> tuple[tuple[str, ...], tuple[dict[str, str], ...]]:
    """results.csv's header and rows, checked: every row has the header's number of fields, and the columns a sweep
    folder always writes are there. A damaged or half-written file raises RunError naming the line."""
    try:
        table = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise RunError(_("{where} is damaged: {exc}").format(where=where, exc=exc)) from None
    if not table or not any(table[0]):
        raise RunError(_("{where} is empty: the sweep has not written its results yet").format(where=where))
    header = tuple(table[0])
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RunError(_("{where} is not a sweep's results table: it has no {names} column").format(where=where, names=', '.join(missing)))
    rows = []
    for number, fields in enumerate(table[1:], start=2):
        if not fields:
            continue
        if len(fields) != len(header):
            raise RunError(_("{where} is damaged or half-written: line {number} has {count} fields, the header has "
                             "{count2}").format(where=where, number=number, count=len(fields), count2=len(header)))
        rows.append(dict(zip(header, fields)))
    return header, tuple(rows)


def axes_of(header) -> tuple[str, ...]:
    """The axis columns: results.csv lists them between `point` and `seed`."""
    header = list(header)
    return tuple(header[header.index("point") + 1:header.index("seed")])


def load_summary(path) -> SweepSummary:
    """Read a sweep folder (slow on a share: call it off the GUI thread). Raises RunError with one sentence."""
    path = Path(path)
    results = path / RESULTS
    if not results.is_file():
        raise RunError(_("{path} is not a sweep folder: it has no {RESULTS} (make one with `rnnlab sweep FILE`)").format(path=path, RESULTS=RESULTS))
    try:
        text = results.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RunError(_("{results} is damaged: it is not UTF-8 text").format(results=results)) from None
    except OSError as exc:
        raise RunError(_("{results} cannot be read ({strerror})").format(results=results, strerror=strerror(exc))) from None
    header, rows = parse_results(text, str(results))
    axes = axes_of(header)
    metric = next((r["metric"] for r in rows if r.get("metric")), "")
    higher = next((r["higher_is_better"] == "true" for r in rows if r.get("higher_is_better")), False)
    task = _task_of(path, rows)
    titles = {a: _axis_title(a, task) for a in axes}
    goal = None
    metric_title, task_title = metric, ""
    if task is not None:
        task_title = task.title
        if task.metric.key == metric:
            metric_title = task.metric.title
        if task.goal is not None and task.goal.key == metric:
            goal = Level(task.goal.text, float(task.goal.value))
    return SweepSummary(str(path), header, rows, axes, metric, metric_title, higher, task_title, titles, goal)


def _task_of(path: Path, rows):
    """The sweep's task (for titles and the goal), from sweep.toml or a task.name axis; None when it has several
    or the file cannot be read (the chart then goes without the goal)."""
    from .. import tasks

    names = {r["task.name"] for r in rows} if rows and "task.name" in rows[0] else set()
    if not names:
        try:
            from .sweep import load

            names = {p.config.task.name for p in load(path / SWEEP_FILE).points}
        except RnnlabError:
            return None
    if len(names) != 1:
        return None
    try:
        return tasks.get(names.pop())
    except (KeyError, RnnlabError):
        return None


def _axis_title(key: str, task) -> str:
    """`gap (distractors between the key and the question)`: the option's help up to its first colon or period."""
    section, _, leaf = key.rpartition(".")
    if section == "task" and task is not None and leaf in task.options:
        words = task.options[leaf].help.split(":")[0].split(".")[0].strip()
        return f"{leaf} ({words[0].lower() + words[1:]})" if words else leaf
    return leaf


def _line_label(axes: list[str], row: dict) -> str:
    """A chart line named as races and comparisons name runs: "vanilla RNN (tanh)", "clip off", "lr=0.01"."""
    return ", ".join(setting_label(a, _typed(row[a])) for a in axes)


def _typed(text):
    """A results.csv cell as its setting's value where the wording depends on it (switches are on/off)."""
    return {"True": True, "False": False, "true": True, "false": False}.get(text, text)
