"""A race on screen: the engine's Race run by an ExperimentThread, its events turned into one Track (colour, legend
label, RunData) per runner, so the overlay panels draw every runner the way they draw a single run.

    session = RaceSession(parent=window)
    session.tracks_changed.connect(...)   # a runner started, paused, ended, or the selection changed: relabel, recolour
    session.progress.connect(...)         # new points in some RunData: at most PROGRESS_HZ a second, however many runs
    session.ended.connect(...)            # (results rows, the sentence on speed): show the end table
    session.failed.connect(...)           # the race could not run: one line for the user
    session.start(cfg, "model.cell", ["rnn_tanh", "lstm", "gru"], folder)
    panel.show_runs(session.runs); session.runs.selected_track()   # the run the Gates tab and the task view show
    session.pause(); session.step(); session.resume(); session.stop(); session.reset(); session.close()

Everything here runs on the GUI thread and only copies plain data into RunData: the runners train in their own
processes and the experiment thread only waits on their pipes.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import replace
from typing import Optional, Sequence

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal

from ...config import RunConfig
from ...errors import RnnlabError
from ...experiments.events import PointEnded, PointProgress, PointStarted, SweepEnded
from ...experiments.local import LocalExecutor
from ...experiments.race import RACE_PROGRESS_S, Race, label, speed_sentence
from .experiment_thread import ExperimentThread
from ..run.rundata import RunData
from ..run.runset import RunSet, Track

WORKER_NICE = 5  # the runners' lower priority: with more runners than cores, the window still gets its turns
PROGRESS_HZ = 15  # the panels redraw at most this often for the whole race
MIN_GAP_S = 0.9 / PROGRESS_HZ  # a timer tick this soon after the last redraw waits for the next one


class RaceSession(QObject):
    tracks_changed = Signal()
    progress = Signal()
    ended = Signal(list, str)  # results rows (plain dicts, in legend order), the sentence on speed; thread over
    failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.runs = RunSet()
        self.key = ""
        self.rows: list[dict] = []  # the runners' results rows, once they ended
        self.errors: dict[str, str] = {}  # point id -> why it failed
        self.sentence = ""
        self._thread: Optional[ExperimentThread] = None
        self._news = False
        self._emitted = 0.0  # when progress was last emitted (time.monotonic)
        self._done = False  # the race reached its SweepEnded
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.PreciseTimer)  # a coarse timer may fire 5% early: the throttle is a promise
        self._timer.setInterval(1000 // PROGRESS_HZ)
        self._timer.timeout.connect(self._tick)

    # --- starting and controlling ------------------------------------------------------------------------------------

    def start(self, base: RunConfig, key: str, values: Sequence, folder, progress_s: float = RACE_PROGRESS_S) -> bool:
        """Start a race of `base` with `key` taking each of `values`, saved into `folder` (a new one: a folder that
        holds this race already would only rerun what did not finish). False, with `failed` emitted, if it cannot."""
        self.close()
        try:
            executor = LocalExecutor(len(values), nice=WORKER_NICE)  # one process per runner, below the window
            race = Race(base, folder, key, values, executor=executor, progress_s=progress_s)
        except (RnnlabError, OSError) as exc:
            self.failed.emit(str(exc))
            return False
        self.runs.clear()
        self.key, self.rows, self.errors, self.sentence, self._done = key, [], {}, "", False
        for point in race.sweep.points:
            self.runs.add(Track(point.id, label(key, point.value(key)), None, RunData()))
        self._thread = ExperimentThread(race, parent=self)
        self._thread.event.connect(self._on_event)
        self._thread.failed.connect(self.failed)
        self._thread.ended.connect(self._on_thread_ended)
        self._thread.start()
        self._timer.start()
        self.tracks_changed.emit()
        return True

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_running()

    @property
    def race(self) -> Optional[Race]:
        return self._thread.runner if self._thread is not None else None

    def pause(self) -> None:
        if self.is_running():
            self._thread.pause()

    def step(self) -> None:
        """Every runner trains one more step (pausing the race first if it runs)."""
        if self.is_running():
            self._thread.step()

    def resume(self) -> None:
        if self.is_running():
            self._thread.resume()

    def stop(self) -> None:
        """Every runner ends with its final evaluation; `ended` follows with the table's rows."""
        if self.is_running():
            self._thread.stop()

    def reset(self) -> None:
        """Abandon the race (its folder keeps what finished) and take its runs off the screen."""
        self.close()
        self.runs.clear()
        self.rows, self.errors, self.sentence = [], {}, ""
        self.tracks_changed.emit()

    def select(self, key: str) -> None:
        """The run the Gates tab and the task view show (a click in the legend)."""
        self.runs.select(key)
        self.tracks_changed.emit()

    def close(self) -> None:
        """End now: the worker processes are killed and the thread is waited for; events still queued are dropped."""
        self._timer.stop()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.event.disconnect(self._on_event)
            thread.close()
            thread.deleteLater()
            for track in self.runs:
                if track.status in ("pending", "running", "paused"):
                    track.status = "stopped"

    # --- events, on the GUI thread -----------------------------------------------------------------------------------

    def _on_event(self, event) -> None:
        if isinstance(event, SweepEnded):
            self._on_sweep_ended(event)
            return
        track = self.runs.get(getattr(event, "point_id", None))
        if track is None:
            return
        if isinstance(event, PointProgress):
            self._on_progress(track, event)
        elif isinstance(event, PointStarted):
            self._on_started(track, event)
        elif isinstance(event, PointEnded):
            self._on_ended(track, event)

    def _on_started(self, track: Track, event: PointStarted) -> None:
        data, info = track.data, event.info
        if info is not None:
            track.info = info.now(0, "running")
            data.describe(info)
        data.val_baselines = event.val_baselines
        track.status = "running"
        self.tracks_changed.emit()

    def _on_progress(self, track: Track, event: PointProgress) -> None:
        data = track.data
        if event.rows:
            data.add_rows(event.rows)
        if event.probe is not None:
            data.add_probe(_widened(event.probe))
        data.set_view(event.view)
        self._news = True
        status = "paused" if event.paused else "running"
        if track.info is not None:
            track.info = track.info.now(event.step, status)
        if track.status in ("running", "paused") and track.status != status:
            track.status = status
            self.tracks_changed.emit()

    def _on_ended(self, track: Track, event: PointEnded) -> None:
        row = dict(event.row)
        track.status = event.status
        if event.error:
            self.errors[track.key] = event.error
        metric = str(row.get("metric") or track.data.metric_key)
        test = {k[5:]: _num(v) for k, v in row.items() if k.startswith("test_")}
        baselines = {k[9:]: {metric: _num(v)} for k, v in row.items() if k.startswith("baseline ")}
        track.data.test, track.data.test_baselines = test or None, baselines or None
        if track.info is not None:
            track.info = track.info.now(_int(row.get("steps"), track.info.step), event.status,
                                        final={"test": test, "baselines": baselines})
        track.data.version += 1
        self.rows.append(row)
        self._news = True
        self.tracks_changed.emit()

    def _on_sweep_ended(self, event: SweepEnded) -> None:
        order = {t.key: i for i, t in enumerate(self.runs)}
        self.rows.sort(key=lambda r: order.get(str(r.get("point", "")), len(order)))
        info = next((t.info for t in self.runs if t.info is not None), None)
        self.sentence = speed_sentence(self.rows, self.key, info.goal_text if info else None, event.workers,
                                       os.cpu_count() or 1, info.metric_title if info else "")
        self._done = True

    def _on_thread_ended(self) -> None:
        """The table comes once the thread is over, so whoever shows it finds no race running."""
        self._timer.stop()
        self._tick(flush=True)
        if self._done:
            self.ended.emit(list(self.rows), self.sentence)

    def _tick(self, flush: bool = False) -> None:
        """Emit `progress` if there is news, at most PROGRESS_HZ a second (a timer that fired late may fire the next
        time early: the gap is checked, not assumed)."""
        now = time.monotonic()
        if self._news and (flush or now - self._emitted >= MIN_GAP_S):
            self._news = False
            self._emitted = now
            self.progress.emit()


def _widened(probe):
    """Gates and states back to float32 (they travel as float16): what the heatmaps take without a copy per draw."""
    wide = lambda d: {k: np.asarray(v, dtype=np.float32) for k, v in d.items()}  # noqa: E731
    return replace(probe, gates=wide(probe.gates), hidden=wide(probe.hidden), cell=wide(probe.cell))


def _num(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _int(value, default: int) -> int:
    x = _num(value)
    return int(x) if math.isfinite(x) else default
