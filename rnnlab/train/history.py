"""The metrics of a run, one row per step, as growing columns: what `metrics.csv` holds and the plots draw."""

from __future__ import annotations

import csv
import io
import math
from typing import Iterable

import numpy as np
from ..i18n import N_, _, ngettext

BASE_COLUMNS = ("step", "epoch", "train_loss", "val_loss", "grad_norm", "clipped", "learning_rate", "time_s")

# The column names of measured-per-run values, written to metrics.csv as they always were: keep these spellings.
_GRAD_OPEN, _GRAD_CLOSE = "grad[", "]"


def val_col(metric: str) -> str:
    """The column of a validation metric: val_col("mse") == "val_mse" (val_col("loss") is the base "val_loss")."""
    return f"val_{metric}"


def grad_col(group: str) -> str:
    """The column of a parameter group's gradient norm: grad_col("rnn.l0") == "grad[rnn.l0]"."""
    return f"{_GRAD_OPEN}{group}{_GRAD_CLOSE}"


def grad_groups(columns: Iterable[str]) -> list[str]:
    """The parameter groups that have a gradient-norm column, in column order."""
    return [c[len(_GRAD_OPEN):-len(_GRAD_CLOSE)] for c in columns
            if c.startswith(_GRAD_OPEN) and c.endswith(_GRAD_CLOSE) and len(c) > len(_GRAD_OPEN) + len(_GRAD_CLOSE)]


class History:
    """Columns of floats (NaN where a value was not measured at that step). Append-only; cheap to copy out."""

    def __init__(self, columns: Iterable[str] = BASE_COLUMNS):
        self.columns: list[str] = list(columns)
        self._data: dict[str, list[float]] = {c: [] for c in self.columns}

    def __len__(self) -> int:
        return len(self._data["step"])

    def append(self, row: dict[str, float]) -> None:
        for key in row:
            if key not in self._data:  # a new column (e.g. a metric first measured now): pad its past with NaN
                self.columns.append(key)
                self._data[key] = [math.nan] * len(self)
        for key in self.columns:
            value = row.get(key, math.nan)
            self._data[key].append(math.nan if value is None else float(value))

    def column(self, name: str, start: int = 0) -> np.ndarray:
        return np.asarray(self._data.get(name, [])[start:], dtype=np.float64)

    def arrays(self, start: int = 0) -> dict[str, np.ndarray]:
        """Rows from `start` on, as numpy columns: plain data for the GUI thread."""
        return {c: self.column(c, start) for c in self.columns}

    def last(self, name: str) -> float:
        """The latest measured (non-NaN) value of a column, or NaN."""
        for value in reversed(self._data.get(name, [])):
            if not math.isnan(value):
                return value
        return math.nan

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        for i in range(len(self)):
            writer.writerow(_fmt(self._data[c][i]) for c in self.columns)
        return out.getvalue()

    @classmethod
    def from_csv(cls, text: str) -> "History":
        """Parse metrics.csv; raises ValueError naming the line and column of a damaged file.

        Checked because the plots and a reopened trainer index by these columns: header names unique, every row as
        wide as the header, every cell a number (or empty for "not measured"), steps whole, >= 0 and in order."""
        try:
            rows = list(csv.reader(io.StringIO(text)))
        except csv.Error as exc:
            raise ValueError(_("it cannot be read as CSV ({exc})").format(exc=exc)) from None
        if not rows or "step" not in rows[0] or "train_loss" not in rows[0]:
            raise ValueError(_("metrics.csv has no header with 'step' and 'train_loss'"))
        header = rows[0]
        duplicated = sorted({c for c in header if header.count(c) > 1})
        if duplicated or any(not c or len(c) > 200 for c in header):
            raise ValueError(_("its header names a column twice or not at all ({value})").format(value=', '.join(duplicated)[:80]))
        history = cls(header)
        last_step = -1.0
        for n, row in enumerate(rows[1:], start=2):
            if len(row) != len(history.columns):
                raise ValueError(_("metrics.csv line {n} has {count} cells, expected {count2}").format(n=n, count=len(row), count2=len(history.columns)))
            values = {}
            for c, v in zip(history.columns, row):
                try:
                    values[c] = float(v) if v != "" else math.nan
                except ValueError:
                    raise ValueError(_("line {n}, column {value!r}: {value2!r} is not a number").format(n=n, value=c[:40], value2=v[:40])) from None
            step = values["step"]
            if not (math.isfinite(step) and step.is_integer() and step >= last_step and step >= 0):
                raise ValueError(_("line {n}: step {value!r} is not a whole number >= 0 after the step before").format(n=n, value=row[header.index('step')][:40]))
            last_step = step
            history.append(values)
        return history


def _fmt(value: float) -> str:
    if math.isnan(value):
        return ""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)
