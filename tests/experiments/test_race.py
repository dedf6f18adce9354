"""Races: runners side by side streaming plain progress (losses, validation, gradient through time); pause, a single
step and stop reach every runner; the CLI prints a line per runner, the end table and a sentence on speed."""

import math
import pickle

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.experiments import Race, read_results
from rnnlab.experiments.events import PointEnded, PointProgress, PointStarted, SweepEnded
from rnnlab.experiments.race import speed_sentence
from rnnlab.runs.store import open_run
from rnnlab.train.info import RunInfo

from helpers import configured


def base(steps=100000):
    cfg = configured("adding", {"task.length": 12, "model.hidden_size": 8, "training.steps": steps,
                                "training.seed": 5})
    return cfg


@pytest.mark.slow
def test_pause_step_and_stop_reach_every_runner(tmp_path):
    race = Race(base(), tmp_path / "race", values=("rnn_tanh", "gru"), progress_s=0.1)
    assert race.executor.slots == 2  # one worker per runner
    paused: dict[str, list[int]] = {}
    state = {"phase": "running"}
    seen = []
    for event in race.events():
        seen.append(event)
        if not isinstance(event, PointProgress):
            continue
        assert isinstance(event.steps, np.ndarray) and event.steps.dtype == np.float64
        if state["phase"] == "running" and event.step >= 20 and len({e.point_id for e in seen
                                                                   if isinstance(e, PointProgress)}) == 2:
            race.pause()
            state["phase"] = "pausing"
        elif event.paused and state["phase"] in ("pausing", "stepped"):
            paused.setdefault(event.point_id, []).append(event.step)
            if state["phase"] == "pausing" and len(paused) == 2:
                race.step()
                state["phase"] = "stepped"
            elif state["phase"] == "stepped" and all(len(v) >= 2 for v in paused.values()):
                race.stop()
                state["phase"] = "stopped"
    # paused: no step ran on; a single step: exactly one more each; stop: the run ends there, saved
    ended = {e.point_id: e for e in seen if isinstance(e, PointEnded)}
    for pid, steps in paused.items():
        assert steps[1] == steps[0] + 1
        assert ended[pid].status == "stopped" and int(ended[pid].row["steps"]) == steps[1]
        assert open_run(tmp_path / "race" / "runs" / pid).summary["steps"] == steps[1]
    assert isinstance(seen[-1], SweepEnded) and seen[-1].counts == {"stopped": 2}
    # detail for a live plot: validation and the probe's gradient through time, per (layer, direction), T values
    detailed = [e for e in seen if isinstance(e, PointProgress) and e.grad_through_time]
    assert detailed and all(e.grad_through_time[(0, 0)].shape == (12,) for e in detailed)
    assert any(e.val and math.isfinite(e.val["mse"]) for e in seen if isinstance(e, PointProgress))
    starts = [e for e in seen if isinstance(e, PointStarted)]
    assert {e.total_steps for e in starts} == {100000}


@pytest.mark.slow
def test_race_command_prints_lines_the_table_and_a_sentence_on_speed(tmp_path, capsys):
    out = tmp_path / "r"
    code = main(["race", "--task", "adding", "--cells", "rnn_tanh,gru", "--steps", "60", "--seed", "2", "--set",
                 "task.length=10", "--set", "model.hidden_size=8", "--set", "training.eval_every=20",
                 "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0, text
    rows = read_results(out)
    assert [r["model.cell"] for r in rows] == ["rnn_tanh", "gru"] and {r["seed"] for r in rows} == {"2"}
    assert "vanilla RNN (tanh)" in text and "GRU" in text and "finished: test MSE" in text
    table = text[text.index("runner"):]
    for r in rows:
        assert f"{float(r['test_mse']):.4g}" in table
    assert "Per step, the " in text and "steps/s" in text
    assert "reached the goal" in text or "None reached the goal (validation MSE at most 0.01)" in text


def test_the_sentence_names_the_faster_cell_and_who_got_there_first():
    rows = [{"model.cell": "lstm", "status": "finished", "steps_per_s": "400", "solved_at_s": "12.5",
             "solved_at_step": "900"},
            {"model.cell": "gru", "status": "finished", "steps_per_s": "500", "solved_at_s": "15",
             "solved_at_step": "1300"},
            {"model.cell": "rnn_tanh", "status": "finished", "steps_per_s": "1000", "solved_at_s": "",
             "solved_at_step": ""}]
    text = speed_sentence(rows, "model.cell", "validation MSE at most 0.01", workers=3, cores=2)
    assert text.startswith("Per step, the vanilla RNN (tanh) was fastest here (1000 steps/s; GRU 500, LSTM 400: "
                           "2.50x the slowest), measured side by side: 3 runners shared 2 cores")
    assert "The LSTM reached the goal (validation MSE at most 0.01) first in wall time, after 12.5 s (step 900); " \
           "then GRU after 15.0 s; vanilla RNN (tanh) never did." in text


def test_race_bad_flags_exit_2(tmp_path, capsys):
    assert main(["race", "--task", "adding", "--cells", "lstm,lsmt", "--out", str(tmp_path / "x")]) == 2
    assert "--cells model.cell = 'lsmt' is not allowed" in capsys.readouterr().err
    assert main(["race", "--axis", "model.gate_init", "--out", str(tmp_path / "x")]) == 2
    assert "--axis" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_without_a_goal_the_sentence_names_the_best_score():
    rows = [{"model.gate_init": "default", "status": "finished", "steps_per_s": "90", "metric": "rmse",
             "higher_is_better": "false", "test_rmse": "40.5"},
            {"model.gate_init": "chrono", "status": "finished", "steps_per_s": "100", "metric": "rmse",
             "higher_is_better": "false", "test_rmse": "31.25"}]
    text = speed_sentence(rows, "model.gate_init", None, workers=2, cores=4, metric_title="RMSE")
    assert text == ("Per step, the gate_init=chrono was fastest here (100 steps/s; gate_init=default 90: 1.11x the "
                    "slowest). The best test RMSE was the gate_init=chrono's (31.25).")


@pytest.mark.slow
def test_a_race_carries_what_a_window_draws_each_run_with(tmp_path):
    """With detail: RunInfo and baselines at the start; every metrics row (loss, gradient norm, each validation with
    its step) exactly as the saved run has it; the first probe and the last, gates included; the task view at the end.
    Every event pickles (they cross processes) and none refers to torch."""
    cfg = base(60).replace("training.eval_every", 7).replace("training.probe_every", 5)
    race = Race(cfg, tmp_path / "race", values=("rnn_tanh", "lstm"), progress_s=0.05)
    events = list(race.events())
    for e in events:
        assert "torch" not in pickle.dumps(e).decode("latin-1")
    ids = [p.id for p in race.sweep.points]
    for pid, cell in zip(ids, ("rnn_tanh", "lstm")):
        mine = [e for e in events if getattr(e, "point_id", None) == pid]
        started = mine[0]
        assert isinstance(started, PointStarted) and isinstance(started.info, RunInfo)
        assert started.info.cell == cell and started.info.metric_key == "mse" and started.info.probe_length == 12
        assert started.val_baselines and all(math.isfinite(b["mse"]) for b in started.val_baselines.values())
        progress = [e for e in mine if isinstance(e, PointProgress)]
        cols = {}
        for e in progress:
            for k, v in e.rows.items():
                cols.setdefault(k, []).append(v)
        cols = {k: np.concatenate(v) for k, v in cols.items()}
        saved = open_run(tmp_path / "race" / "runs" / pid).history
        np.testing.assert_array_equal(cols["step"], saved.column("step"))
        for name in ("train_loss", "grad_norm", "val_loss", "val_mse"):
            np.testing.assert_allclose(cols[name], saved.column(name).astype(np.float32), equal_nan=True)
        val_steps = cols["step"][np.isfinite(cols["val_loss"])]
        assert list(val_steps[:4]) == [0, 7, 14, 21]  # every validation, not just the latest of each report
        assert np.all(np.isfinite(cols["grad_norm"][1:])) and np.all(cols["grad_norm"][1:] > 0)
        probes = [e.probe for e in progress if e.probe is not None]
        assert probes[0].step == 0 and probes[-1].step == 60
        gates = ("i", "f", "g", "o") if cell == "lstm" else ("pre", "h")
        assert all(probes[-1].gates[(0, 0, g)].shape[1:] == (12, 8) for g in gates)
        assert probes[-1].grad_norms[(0, 0)].shape == (12,) and probes[-1].grad_norms[(0, 0)].dtype == np.float32
        assert probes[-1].gates[(0, 0, gates[0])].dtype == np.float16  # half the bytes on the wire
        saved_probe = open_run(tmp_path / "race" / "runs" / pid).probe
        np.testing.assert_allclose(probes[-1].gates[(0, 0, gates[0])], saved_probe.gates[(0, 0, gates[0])],
                                   atol=1e-3)
        views = [e.view for e in progress if e.view is not None]
        assert len(views) == 1 and views[0]["kind"] == "adding" and progress[-1].view is views[0]


@pytest.mark.slow
def test_a_races_runners_are_validated_at_the_same_steps_every_2_percent(tmp_path):
    """Issue 19, item 3: validation was scheduled by cost, so in a 2000-step race the vanilla RNN was validated at
    steps 0, 1, 1551 and 2000 and its curve was a long diagonal. Compared runs are validated at the same steps, at most
    2 % of the run apart, whatever validation costs; a schedule the config sets stays."""
    from rnnlab.experiments import build
    from rnnlab.train.schedule import compared_eval_every

    race = Race(base(300), tmp_path / "race", values=("rnn_tanh", "lstm"), progress_s=0.2)
    assert [p.config.training.eval_every for p in race.sweep.points] == [6, 6] == [compared_eval_every(300)] * 2
    for e in race.events():
        pass
    steps = {}
    for p in race.sweep.points:
        history = open_run(tmp_path / "race" / "runs" / p.id).history
        val = history.column("val_loss")
        steps[p.id] = list(history.column("step")[np.isfinite(val)])
    first, second = steps.values()
    assert first == second == list(range(0, 301, 6))
    assert max(np.diff(first)) <= 0.02 * 300
    # a sweep too, and an explicit schedule is kept
    sweep = build(base(1000), {"model.cell": ["gru", "lstm"]}, [0, 1])
    assert {p.config.training.eval_every for p in sweep.points} == {20}
    sweep = build(base(1000).replace("training.eval_every", 7), {"model.cell": ["gru"]})
    assert sweep.points[0].config.training.eval_every == 7
