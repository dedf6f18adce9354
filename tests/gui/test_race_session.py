"""RaceSession: a real 3-cell race on the adding problem fills one Track per runner (its own
colour, loss, gradient-norm and validation rows, the gradient through time, the gates, the task view), pause, a
single step and stop reach every runner, and closing mid-race leaves no thread and no worker process."""

import math
import multiprocessing as mp
import time

import numpy as np
import pytest

from rnnlab.app.threads import running
from rnnlab.app.many.race_session import PROGRESS_HZ

from helpers import configured

pytestmark = pytest.mark.slow  # every test here takes seconds

CELLS = ("rnn_tanh", "lstm", "gru")


def base(steps):
    cfg = configured("adding", {"task.length": 12, "model.hidden_size": 8, "training.steps": steps,
                                "training.seed": 5, "training.eval_every": 10})
    return cfg


def workers():
    return [p for p in mp.active_children() if p.name == "rnnlab-sweep-worker"]


def test_a_three_cell_race_fills_three_tracks_and_ends_with_a_row_each(qtbot, tmp_path, race_session):
    ticks = []
    race_session.progress.connect(lambda: ticks.append(time.monotonic()))
    with qtbot.waitSignal(race_session.ended, timeout=180_000) as ended:
        assert race_session.start(base(60), "model.cell", CELLS, tmp_path / "race", progress_s=0.05)
    rows, sentence = ended.args
    tracks = list(race_session.runs)
    assert [t.label for t in tracks] == ["vanilla RNN (tanh)", "LSTM", "GRU"]
    assert len({t.colour for t in tracks}) == 3 and race_session.runs.selected_track() is tracks[0]
    for track, cell in zip(tracks, CELLS):
        d = track.data
        assert track.status == "finished" and track.info.cell == cell and track.info.step == 60
        assert d.metric_key == "mse" and d.val_baselines and d.max_grad_norm == 1.0
        steps = d.col("step")
        assert np.array_equal(steps, np.arange(61))
        assert np.all(np.isfinite(d.col("train_loss")[1:])) and np.all(d.col("grad_norm")[1:] > 0)
        assert list(steps[np.isfinite(d.col("val_mse"))]) == [0, 10, 20, 30, 40, 50, 60]
        assert d.first_probe.step == 0 and d.last_probe.step == 60 and len(d.grad_rows[(0, 0)]) >= 2
        assert d.grad_rows[(0, 0)][-1].shape == (12,)
        gates = ("i", "f", "g", "o") if cell == "lstm" else ("pre", "h") if cell == "rnn_tanh" else ("r", "z", "n")
        assert all(d.last_probe.gates[(0, 0, g)].shape[1:] == (12, 8) for g in gates)
        assert d.last_probe.gates[(0, 0, gates[0])].dtype == np.float32  # as the heatmaps take it
        assert d.view["kind"] == "adding" and math.isfinite(d.test["mse"]) and d.test_baselines
    assert [r["model.cell"] for r in rows] == list(CELLS)
    for r in rows:
        for key in ("test_mse", "steps_per_s", "wall_s"):
            assert math.isfinite(float(r[key])) and float(r[key]) > 0
    assert sentence.startswith("Per step, the ") and sentence == race_session.sentence
    assert not race_session.is_running() and workers() == []
    assert ticks  # the panels were told


def test_progress_reaches_the_panels_at_most_PROGRESS_HZ_a_second(qtbot, tmp_path, race_session):
    """However many runners report (in bursts, several per poll of the pipes), the panels redraw at most PROGRESS_HZ
    a second. Watched over ten ticks of a race that runs until stopped (a short race can end within one tick)."""
    ticks = []
    race_session.progress.connect(lambda: ticks.append(time.monotonic()))
    assert race_session.start(base(1_000_000), "model.cell", CELLS, tmp_path / "race", progress_s=0.02)
    qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=180_000)
    seen = list(ticks)
    with qtbot.waitSignal(race_session.ended, timeout=60_000):
        race_session.stop()
    assert np.diff(seen).min() >= 0.9 / PROGRESS_HZ


def test_pause_step_and_stop_reach_every_runner(qtbot, tmp_path, race_session):
    race_session.start(base(1_000_000), "model.cell", CELLS, tmp_path / "race", progress_s=0.05)
    tracks = list(race_session.runs)
    qtbot.waitUntil(lambda: all(t.data.n > 5 for t in tracks), timeout=120_000)
    race_session.pause()
    qtbot.waitUntil(lambda: all(t.status == "paused" for t in tracks), timeout=30_000)
    at = [t.info.step for t in tracks]
    qtbot.wait(300)
    assert [t.info.step for t in tracks] == at  # paused: nobody trains on
    race_session.step()
    # the step's progress, its probe and its view come in separate reports: wait for all of them
    qtbot.waitUntil(lambda: all(t.info.step == s + 1 and t.status == "paused" and t.data.last_probe.step == s + 1
                                for t, s in zip(tracks, at)), timeout=30_000)
    assert [t.info.step for t in tracks] == [s + 1 for s in at]  # exactly one step each
    assert all(t.data.view["kind"] == "adding" for t in tracks)  # paused: the task view of each runner as it is
    with qtbot.waitSignal(race_session.ended, timeout=60_000) as ended:
        race_session.stop()
    rows = ended.args[0]
    assert [r["status"] for r in rows] == ["stopped"] * 3
    assert [int(r["steps"]) for r in rows] == [s + 1 for s in at]
    assert all(math.isfinite(float(r["test_mse"])) for r in rows)
    assert [t.status for t in tracks] == ["stopped"] * 3


def test_closing_mid_race_leaves_no_thread_and_no_child_process(qtbot, tmp_path, race_session):
    race_session.start(base(1_000_000), "model.cell", CELLS, tmp_path / "race", progress_s=0.05)
    qtbot.waitUntil(lambda: all(t.status == "running" for t in race_session.runs), timeout=120_000)
    thread = race_session._thread
    race_session.close()
    assert not race_session.is_running() and not thread.is_running() and "rnnlab-experiment" not in running()
    assert mp.active_children() == []
    n = {t.key: t.data.n for t in race_session.runs}
    qtbot.wait(300)  # nothing queued before the close reaches the runs after it
    assert {t.key: t.data.n for t in race_session.runs} == n


def test_reset_takes_the_runs_off_and_a_bad_race_says_why(qtbot, tmp_path, race_session):
    race_session.start(base(1_000_000), "model.cell", ("rnn_tanh", "gru"), tmp_path / "race", progress_s=0.05)
    with qtbot.waitSignal(race_session.tracks_changed, timeout=30_000):
        race_session.reset()
    assert len(race_session.runs) == 0 and not race_session.is_running() and workers() == []
    with qtbot.waitSignal(race_session.failed) as failed:
        assert not race_session.start(base(10), "model.cell", ("lstm", "lsmt"), tmp_path / "bad")
    assert "lsmt" in failed.args[0] and len(race_session.runs) == 0
