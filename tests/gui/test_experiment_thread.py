"""A race run by the window's experiment thread: its events reach the GUI thread in order, and closing mid-race ends
the thread and every worker process at once, with the running points marked interrupted (a rerun resumes them)."""

import multiprocessing as mp

import pytest

from rnnlab.app.threads import running
from rnnlab.app.many.experiment_thread import ExperimentThread
from rnnlab.experiments import Race, read_results
from rnnlab.experiments.events import PointEnded, PointProgress, PointStarted, SweepEnded

from helpers import configured

pytestmark = pytest.mark.slow  # every test here takes seconds


def base(steps):
    cfg = configured("adding", {"task.length": 12, "model.hidden_size": 8, "training.steps": steps,
                                "training.seed": 5})
    return cfg


def test_a_race_reports_to_the_gui_thread_and_ends(qtbot, tmp_path):
    thread = ExperimentThread(Race(base(40), tmp_path / "race", values=("rnn_tanh", "gru"), progress_s=0.1))
    seen = []
    thread.event.connect(seen.append)
    with qtbot.waitSignal(thread.ended, timeout=120_000):
        thread.start()
    assert not thread.is_running()
    kinds = [type(e) for e in seen]
    assert kinds.count(PointStarted) == 2 and kinds.count(PointEnded) == 2 and kinds[-1] is SweepEnded
    assert {e.status for e in seen if isinstance(e, PointEnded)} == {"finished"}
    assert max(e.step for e in seen if isinstance(e, PointProgress)) == 40


def test_closing_mid_race_leaves_no_thread_and_no_worker(qtbot, tmp_path):
    thread = ExperimentThread(Race(base(1_000_000), tmp_path / "race", values=("rnn_tanh", "gru"), progress_s=0.1))
    steps = {}
    thread.event.connect(lambda e: isinstance(e, PointProgress) and steps.__setitem__(e.point_id, e.step))
    thread.start()
    qtbot.waitUntil(lambda: len(steps) == 2, timeout=120_000)
    thread.close()
    assert not thread.is_running() and "rnnlab-experiment" not in running()
    assert [p for p in mp.active_children() if p.name == "rnnlab-sweep-worker"] == []
    rows = read_results(tmp_path / "race")
    assert {r["status"] for r in rows} == {"interrupted"}
