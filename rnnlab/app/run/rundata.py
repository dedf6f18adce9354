"""What the plots draw, kept on the GUI thread: growing metric columns, the probes so far and the latest task view.

Filled from the worker's updates while training, or all at once from a run opened from disk. Plain numpy, no Qt.
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np

from ...train.history import grad_groups


class Growing:
    """A float64 column that doubles its storage when full, so appending is amortised O(1) (scrollingPlots)."""

    def __init__(self, capacity: int = 1024):
        self._data = np.empty(capacity, dtype=np.float64)
        self.n = 0

    def extend(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64)
        need = self.n + len(values)
        if need > len(self._data):
            cap = len(self._data)
            while cap < need:
                cap *= 2
            grown = np.empty(cap, dtype=np.float64)
            grown[: self.n] = self._data[: self.n]
            self._data = grown
        self._data[self.n: need] = values
        self.n = need

    def pad_to(self, n: int) -> None:
        if n > self.n:
            self.extend(np.full(n - self.n, np.nan))

    @property
    def values(self) -> np.ndarray:
        return self._data[: self.n]

    def clear(self) -> None:
        self.n = 0


def norms_row(norms) -> np.ndarray:
    """One probe's ||dL/dh_t|| as the float64 row the gradient plots stack (the one probe-to-numpy step of app/)."""
    return np.asarray(norms, dtype=np.float64)


class RunData:
    def __init__(self):
        self.clear()

    def clear(self) -> None:
        self.columns: dict[str, Growing] = {}
        self.n = 0
        self.probe_steps: list[int] = []
        self.grad_rows: dict[tuple, list[np.ndarray]] = {}  # (layer, direction) -> ||dL/dh_t|| per probe
        self.first_probe = None  # the probe at step 0: the "before training" reference
        self.last_probe = None
        self.view: Optional[dict] = None
        self.val_baselines: Optional[dict] = None
        self.test: Optional[dict] = None
        self.test_baselines: Optional[dict] = None
        # Set by MainWindow._describe_run and read by report.py; the panels take them from configure(RunInfo).
        self.metric_key = ""
        self.metric_title = ""
        self.higher_is_better = False
        self.max_grad_norm: Optional[float] = None
        self.version = 0  # bumped on every change: plots redraw only what changed
        self.probe_version = 0
        self.view_version = 0

    # --- filling -----------------------------------------------------------------------------------------------------

    def describe(self, info) -> None:
        """The run's facts that the report, the export and an unconfigured panel read off its data (a RunInfo)."""
        self.metric_key, self.metric_title = info.metric_key, info.metric_title
        self.higher_is_better, self.max_grad_norm = info.higher_is_better, info.max_grad_norm


    def add_rows(self, rows: dict[str, np.ndarray]) -> None:
        if not rows:
            return
        count = len(next(iter(rows.values())))
        if count == 0:
            return
        for name, values in rows.items():
            col = self.columns.get(name)
            if col is None:
                col = self.columns[name] = Growing()
                col.pad_to(self.n)
            col.extend(values)
        self.n += count
        for col in self.columns.values():  # a column missing from this batch gets NaN
            col.pad_to(self.n)
        self.version += 1

    def add_probe(self, probe) -> None:
        if probe is None:
            return
        if self.probe_steps and probe.step <= self.probe_steps[-1]:
            # The final probe repeats the last one when training ended right after a probe.
            if probe.step == self.probe_steps[-1]:
                self.last_probe = probe
                self.probe_version += 1
            return
        if self.first_probe is None:
            self.first_probe = probe
        self.last_probe = probe
        self.probe_steps.append(int(probe.step))
        for key, norms in probe.grad_norms.items():
            self.grad_rows.setdefault(key, []).append(norms_row(norms))
        self.probe_version += 1

    def set_view(self, view: Optional[dict]) -> None:
        if view is not None:
            self.view = view
            self.view_version += 1

    @classmethod
    def from_history(cls, history, probe=None, first_probe=None, grad_history=()) -> "RunData":
        """A run opened from disk: every curve at once; the first probe and every probe's ||dL/dh_t|| where the run
        kept them (format 2), so the gradient plots draw what the live run showed; and its last probe."""
        data = cls()
        data.add_rows(history.arrays(0))
        if grad_history:
            data.first_probe = first_probe
            for step, norms in grad_history:
                data.probe_steps.append(int(step))
                for key, row in norms.items():
                    data.grad_rows.setdefault(key, []).append(norms_row(row))
            # Layers a probe lacked (none in practice) keep one row per probe all the same.
            for key, rows in data.grad_rows.items():
                if len(rows) != len(data.probe_steps):
                    data.grad_rows[key] = rows[:len(data.probe_steps)]
            data.last_probe = probe
            data.probe_version += 1
        else:
            data.add_probe(first_probe)
            data.add_probe(probe)
        return data

    @classmethod
    def from_run(cls, run) -> "RunData":
        """A Run read by runs.store.open_run, with its final test scores and baselines from summary.json."""
        data = cls.from_history(run.history, run.probe, run.first_probe, run.grad_history)
        data.test, data.test_baselines = run.summary.get("test"), run.summary.get("baselines")
        return data

    # --- reading -----------------------------------------------------------------------------------------------------

    def col(self, name: str) -> np.ndarray:
        c = self.columns.get(name)
        return c.values if c is not None else np.zeros(0)

    @property
    def steps(self) -> np.ndarray:
        return self.col("step")

    def group_names(self) -> list[str]:
        return grad_groups(self.columns)

    def last(self, name: str) -> float:
        values = self.col(name)
        finite = values[np.isfinite(values)]
        return float(finite[-1]) if len(finite) else math.nan

    def grad_history(self, key: tuple) -> Optional[np.ndarray]:
        """(probes, time) of ||dL/dh_t||, or None. Rows of different lengths (padded tasks) are NaN-padded."""
        rows = self.grad_rows.get(key)
        if not rows:
            return None
        width = max(len(r) for r in rows)
        out = np.full((len(rows), width), np.nan)
        for i, r in enumerate(rows):
            out[i, : len(r)] = r
        return out
