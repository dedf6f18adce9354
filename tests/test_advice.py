"""After a run that learned nothing on a long-range task, the advice names the cause and the change, and the change
works: real training runs, a few seconds each."""

import pytest

from rnnlab import config
from rnnlab.train.advice import advise, learned_nothing
from rnnlab.train.trainer import Trainer

from helpers import configured


def train(task: str, cell: str, steps: int, gate_init: str = "default", **options) -> Trainer:
    cfg = configured(task, {**{f"task.{k}": v for k, v in options.items()}, "model.cell": cell,
                            "model.hidden_size": 32, "model.gate_init": gate_init},
                     steps=steps, learning_rate=0.005, batch_size=32, seed=0)
    trainer = Trainer(cfg)
    for _ in trainer.run():
        pass
    return trainer


@pytest.mark.slow
def test_a_gated_cell_that_forgets_is_told_to_start_its_memory_gate_open_and_that_fixes_it():
    stuck = train("memory", "lstm", 400, gap=20)
    advice = advise(stuck.cfg, stuck.task, stuck.final, stuck.status)
    assert advice is not None, stuck.final
    assert "forget gate f" in advice.text and "0.5" in advice.text and "chance" in advice.text
    assert advice.changes == (("model.gate_init", "chrono"),)
    fixed = train("memory", "lstm", 400, gap=20, gate_init=dict(advice.changes)["model.gate_init"])
    assert fixed.final["test"]["accuracy"] > 0.9
    assert advise(fixed.cfg, fixed.task, fixed.final, fixed.status) is None


@pytest.mark.slow
def test_a_vanilla_rnn_that_learned_nothing_is_pointed_to_the_gates():
    stuck = train("adding", "rnn_tanh", 200, length=50)
    advice = advise(stuck.cfg, stuck.task, stuck.final, stuck.status)
    assert advice is not None, stuck.final
    assert "vanishes" in advice.text and "always 1.0" in advice.text
    assert dict(advice.changes) == {"model.cell": "lstm", "model.gate_init": "chrono"}


def test_no_advice_for_a_run_stopped_early():
    from rnnlab.train.trainer import Control

    control = Control()
    cfg = config.from_dict({"task": {"name": "memory", "options": {"gap": 20}}, "model": {"cell": "lstm"},
                            "training": {"steps": 400}})
    trainer = Trainer(cfg, control)
    for snap in trainer.run():
        if snap.step == 5:
            control.stop()
    assert trainer.status == "stopped" and trainer.final["test"]["accuracy"] < 0.4  # at chance, but only 5 steps
    assert advise(trainer.cfg, trainer.task, trainer.final, trainer.status) is None


def test_no_advice_for_tasks_that_are_not_about_long_range_memory():
    t = train("dates", "rnn_tanh", 3, eval_size=100)
    assert not t.task.long_range and t.final["test"]["exact"] < 0.1
    assert advise(t.cfg, t.task, t.final, t.status) is None


def forecast_run(steps: int, **options) -> Trainer:
    cfg = configured("forecast", {**{f"task.{k}": v for k, v in options.items()}, "model.hidden_size": 16},
                     steps=steps, learning_rate=0.005, batch_size=16, seed=0)
    trainer = Trainer(cfg)
    for _ in trainer.run():
        pass
    return trainer


@pytest.mark.slow
def test_a_forecast_that_loses_to_seasonal_naive_says_why_and_its_fixes_make_it_win():
    """Issue 19, item 5: RMSE 87 against the seasonal-naive 52 said nothing. Now: it lost, the likely reasons, and
    one button per one-setting fix; with them applied the model beats the baseline."""
    lost = forecast_run(100, window=6, difference=False)
    advice = advise(lost.cfg, lost.task, lost.final, lost.status)
    assert advice is not None, lost.final
    rmse, naive = lost.final["test"]["rmse"], lost.final["baselines"]["seasonal naive"]["rmse"]
    assert rmse > naive
    assert advice.text.startswith("The model lost to the seasonal naive forecast: test RMSE ")
    assert "is shorter than the season (12)" in advice.text and "It predicts the level itself" in advice.text
    assert "100 steps are few" in advice.text
    assert advice.fixes() == [("Window 12", (("task.window", 12),)), ("Predict differences", (("task.difference",
                              True),)), ("Train 600 steps", (("training.steps", 600),))]
    assert advice.cli == "--set task.window=12 --set task.difference=true --steps 600"
    changes = dict(change for _label, fix in advice.fixes() for change in fix)
    fixed = forecast_run(changes["training.steps"], window=changes["task.window"],
                         difference=changes["task.difference"])
    assert fixed.final["test"]["rmse"] < fixed.final["baselines"]["seasonal naive"]["rmse"]
    assert advise(fixed.cfg, fixed.task, fixed.final, fixed.status) is None


def test_a_window_button_is_offered_only_where_the_series_is_long_enough(tmp_path):
    """The slides' 17 daily values (a weekly season) fit a window of 7? Only if the split leaves examples: the
    button is there exactly when the task says the window fits."""
    from pathlib import Path

    csv = Path(__file__).parent / "data" / "slide_daily_17.csv"
    lost = forecast_run(5, dataset="csv", csv_path=str(csv), window=3, difference=False)
    advice = advise(lost.cfg, lost.task, lost.final, lost.status)
    assert advice is not None and "shorter than the season (7)" in advice.text
    labels = [label for label, _ in advice.fixes()]
    assert ("Window 7" in labels) == lost.task.window_fits(7)
    assert "Predict differences" in labels and "Train 600 steps" in labels


@pytest.mark.parametrize("higher, value, baseline, expected", [
    (True, 0.25, 0.25, True), (True, 0.30, 0.25, True), (True, 0.40, 0.25, False),  # accuracy against chance 0.25
    (False, 0.17, 0.167, True), (False, 0.09, 0.167, True), (False, 0.05, 0.167, False),  # MSE against always-1.0
    (True, float("nan"), 0.25, False)])
def test_learned_nothing_means_at_the_baseline_give_or_take(higher, value, baseline, expected):
    assert learned_nothing(higher, value, baseline) is expected
