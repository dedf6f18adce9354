"""The local executor on real worker processes: results, run folders, resume, a killed worker, Ctrl-C."""

import csv
import io
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rnnlab import config
from rnnlab.experiments import LocalExecutor, SweepRunner, read_results, sweep as sweep_mod
from rnnlab.experiments.events import PointEnded, PointProgress, PointStarted, SweepEnded
from rnnlab.experiments.folder import leftovers
from rnnlab.runs.store import open_run
from rnnlab.train.trainer import Trainer

from helpers import SMALL_SWEEP

pytestmark = pytest.mark.slow  # every test here takes seconds


def run_sweep(sw, folder, workers=2, on_event=None):
    runner = SweepRunner(sw, folder, LocalExecutor(workers), progress_s=0.05)
    events = []
    for event in runner.events():
        events.append(event)
        if on_event:
            on_event(runner, event)
    return runner, events


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep") / "tiny"
    sw = sweep_mod.loads(SMALL_SWEEP)
    runner, events = run_sweep(sw, folder)
    return sw, folder, events


def test_every_point_is_an_ordinary_run_with_its_row(tiny_sweep):
    sw, folder, events = tiny_sweep
    rows = read_results(folder)
    assert [r["point"] for r in rows] == [p.id for p in sw.points]
    assert {r["status"] for r in rows} == {"finished"}
    for row, point in zip(rows, sw.points):
        run = open_run(folder / row["run"])
        assert config.to_dict(run.config) == config.to_dict(point.config)
        assert run.summary["steps"] == 30 and int(row["steps"]) == 30
        assert float(row["test_mse"]) == run.summary["test"]["mse"]
        assert float(row["baseline always 1.0"]) == run.summary["baselines"]["always 1.0"]["mse"]
        assert row["model.cell"] == point.config.model.cell and int(row["seed"]) == point.seed
        assert float(row["steps_per_s"]) > 0 and float(row["wall_s"]) > 0
    assert not leftovers(folder)
    assert (folder / "sweep.toml").read_text(encoding="utf-8") == SMALL_SWEEP


def test_a_point_gives_the_same_numbers_as_training_it_alone(tiny_sweep):
    sw, folder, _ = tiny_sweep
    point = sw.points[3]
    trainer = Trainer(point.config)
    for last in trainer.run():
        pass
    row = next(r for r in read_results(folder) if r["point"] == point.id)
    assert float(row["test_mse"]) == last.test["mse"] and float(row["val_mse"]) == last.val["mse"]


def test_events_come_in_order_for_every_point(tiny_sweep):
    sw, _, events = tiny_sweep
    for point in sw.points:
        mine = [e for e in events if getattr(e, "point_id", None) == point.id]
        assert isinstance(mine[0], PointStarted) and isinstance(mine[-1], PointEnded)
        progress = [e for e in mine if isinstance(e, PointProgress)]
        assert progress and progress[-1].step == 30
        steps = [s for e in progress for s in e.steps]  # the loss chunks add up to every step, once
        assert steps == list(range(1, 31))
        assert all(math.isfinite(x) for e in progress for x in e.train_loss)
    assert isinstance(events[-1], SweepEnded) and events[-1].counts == {"finished": 4}


def test_running_again_skips_done_points_and_runs_only_new_ones(tiny_sweep):
    sw, folder, _ = tiny_sweep
    before = (folder / "results.csv").read_text(encoding="utf-8")
    runner, events = run_sweep(sw, folder)
    assert not [e for e in events if isinstance(e, PointStarted)] and len(runner.skipped) == 4
    assert (folder / "results.csv").read_text(encoding="utf-8") == before
    grown = sweep_mod.loads(SMALL_SWEEP.replace('["rnn_tanh", "gru"]', '["rnn_tanh", "gru", "lstm"]'))
    runner, events = run_sweep(grown, folder, workers=1)
    assert sorted(e.point_id for e in events if isinstance(e, PointStarted)) == ["cell=lstm,seed=0",
                                                                                "cell=lstm,seed=1"]
    rows = read_results(folder)
    assert len(rows) == 6 and {r["status"] for r in rows} == {"finished"}
    now = {r["point"]: r["test_mse"] for r in rows}
    assert all(now[r["point"]] == r["test_mse"] for r in csv.DictReader(io.StringIO(before)))


def test_a_killed_worker_fails_its_point_the_sweep_goes_on_and_a_rerun_redoes_only_it(tmp_path):
    # zip: the first point is long enough to be killed mid-run, the second short
    text = SMALL_SWEEP.replace("seeds = [0, 1]", 'seeds = [0]\nmode = "zip"').replace(
        '["rnn_tanh", "gru"]', '["rnn_tanh", "gru"]\n"training.steps" = [400, 30]')
    sw = sweep_mod.loads(text)
    folder = tmp_path / "k"
    killed = {}

    def kill_first(runner, event):
        if isinstance(event, PointStarted) and event.point_id.startswith("cell=rnn_tanh"):
            killed["pid"] = event.pid
        if isinstance(event, PointProgress) and event.step > 0 and event.point_id.startswith("cell=rnn_tanh") \
                and "step" not in killed:
            os.kill(killed["pid"], signal.SIGKILL)
            killed["step"] = event.step

    _, events = run_sweep(sw, folder, workers=2, on_event=kill_first)
    rows = {r["point"]: r for r in read_results(folder)}
    dead, other = rows["cell=rnn_tanh,steps=400,seed=0"], rows["cell=gru,steps=30,seed=0"]
    assert dead["status"] == "failed" and dead["run"] == ""
    assert "the worker process died (killed by signal SIGKILL) at step" in dead["error"]
    assert int(dead["error"].rsplit(" ", 1)[1]) >= killed["step"]
    assert other["status"] == "finished" and open_run(folder / other["run"]).summary["steps"] == 30
    assert events[-1].counts == {"failed": 1, "finished": 1}

    _, events = run_sweep(sw, folder, workers=1)
    assert [e.point_id for e in events if isinstance(e, PointStarted)] == ["cell=rnn_tanh,steps=400,seed=0"]
    assert [r["status"] for r in read_results(folder)] == ["finished", "finished"]
    assert not leftovers(folder)


def test_ctrl_c_mid_sweep_leaves_a_consistent_folder(tmp_path):
    sweep_file = tmp_path / "three.toml"
    # zip: the first point is short, so there is a finished point when Ctrl-C comes
    sweep_file.write_text(SMALL_SWEEP.replace("seeds = [0, 1]", 'seeds = [0]\nmode = "zip"').replace(
        '["rnn_tanh", "gru"]', '["rnn_tanh", "gru", "lstm"]\n"training.steps" = [30, 30000, 30000]'),
        encoding="utf-8")
    folder = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "rnnlab", "sweep", str(sweep_file), "--workers", "1", "--out",
                             str(folder), "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            rows = read_results(folder) if (folder / "results.csv").exists() else []
            status = [r["status"] for r in rows]
            if status[:2] == ["finished", "running"]:
                break
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.2)
        else:
            pytest.fail(f"the sweep did not get going: {status}")
        time.sleep(1.0)
        os.killpg(proc.pid, signal.SIGINT)  # what the terminal does: the whole process group gets it
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    rows = read_results(folder)
    assert [r["status"] for r in rows] == ["finished", "interrupted", "pending"]
    assert rows[1]["error"] == "stopped by Ctrl-C"
    assert open_run(folder / rows[0]["run"]).summary["status"] == "finished"
    assert not (folder / "runs" / rows[1]["point"]).exists() and not leftovers(folder)
