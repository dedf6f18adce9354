"""The metrics of a run, one row per step, as growing columns: what `metrics.csv` holds and the plots draw."""

from __future__ import annotations

import array
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
    """Columns of floats (NaN where a value was not measured at that step). Append-only; cheap to copy out.

    Each column is an `array.array("d")`: 8 bytes a cell, where a list of Python floats costs 32. A run keeps a row
    for every step, so this is what a long run's memory grows by (100k steps of a 12-column forecast: ~10 MB, not
    ~40 MB plus the allocator's fragments; issue 24)."""

    def __init__(self, columns: Iterable[str] = BASE_COLUMNS):
        self.columns: list[str] = list(columns)
        self._data: dict[str, array.array] = {c: array.array("d") for c in self.columns}

    def __len__(self) -> int:
        return len(self._data["step"])

    def append(self, row: dict[str, float]) -> None:
        for key in row:
            if key not in self._data:  # a new column (e.g. a metric first measured now): pad its past with NaN
                self.columns.append(key)
                self._data[key] = array.array("d", [math.nan]) * len(self)
        for key in self.columns:
            value = row.get(key, math.nan)
            self._data[key].append(math.nan if value is None else float(value))

    def column(self, name: str, start: int = 0) -> np.ndarray:
        """A copy of a column from row `start` on. The slice is copied first, so no view of the growing array is ever
        exported (an export would make the training thread's next append fail)."""
        values = self._data.get(name)
        return np.array(values[start:], dtype=np.float64) if values is not None else np.zeros(0)

    @property
    def nbytes(self) -> int:
        """Bytes the columns' cells hold (without the arrays' spare room): 8 a cell."""
        return sum(values.itemsize * len(values) for values in self._data.values())

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
        self.write_csv(out)
        return out.getvalue()

    def write_csv(self, stream) -> None:
        """Write metrics.csv to a text stream row by row: a 100k-step run's ~20 MB of text is never held whole
        (as one string, then its encoded bytes, that was ~40 MB on top of the run at the moment it is saved)."""
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(self.columns)
        columns = [self._data[c] for c in self.columns]
        for i in range(len(self)):
            writer.writerow([_fmt(values[i]) for values in columns])

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



# Records kept per run of what each probe measured (the gradient through time): enough rows for any plot, and a bound
# on what an all-day run keeps (a probe up to 4 times a second is ~14k records an hour, ~1 KB each).
PROBE_RECORDS = 1024


class ProbeRecords(list):
    """A list of per-probe records that never holds more than `limit` (default PROBE_RECORDS).

    It keeps every `stride`-th record offered, from the first (the "before training" reference), and doubles the
    stride, dropping every other record, whenever that part is full; the newest record is always kept as well, at the
    end. So what is kept spans the whole run at even spacing, however long the run, as the gradient heatmap needs."""

    def __init__(self, records=(), limit: int | None = None):
        super().__init__(records)
        self.limit = max(2, PROBE_RECORDS if limit is None else limit)
        self.stride, self.offered, self._tail = 1, len(self), False
        while len(self) > self.limit:  # records from an older file that kept more
            self._thin()

    def append(self, record) -> None:
        if self._tail:  # the newest so far was kept only as the newest: the new one takes its place
            super().pop()
        n, self.offered = self.offered, self.offered + 1
        super().append(record)
        self._tail = n % self.stride != 0
        if not self._tail and len(self) >= self.limit:  # leaves room for a tail
            self._thin()
            if n % self.stride:
                super().append(record)
                self._tail = True

    def _thin(self) -> None:
        del self[1::2]
        self.stride *= 2
