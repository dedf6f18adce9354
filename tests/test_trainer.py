"""The headless trainer: learns, reports, reproduces, stops, pauses, and survives divergence."""

import math
import threading

import numpy as np
import pytest
import torch

from rnnlab import config
from rnnlab.train.trainer import Control, Trainer

from helpers import configured


def adding(steps, cell="lstm", **training):
    return configured("adding", {"task.length": 50, "model.cell": cell, "model.hidden_size": 32},
                      **{"steps": steps, "learning_rate": 0.01, "batch_size": 32, "seed": 0, **training})


def forecast(steps, **training):
    return configured("forecast", {"model.hidden_size": 32},
                      **{"steps": steps, "learning_rate": 0.005, "batch_size": 16, **training})


@pytest.mark.slow
def test_lstm_learns_the_adding_problem_at_T50():
    trainer = Trainer(adding(1000))
    snaps = list(trainer.run())
    final = snaps[-1]
    assert final.status == "finished"
    baseline = final.baselines["always 1.0"]["mse"]
    assert 0.15 < baseline < 0.19
    assert final.val["mse"] < 0.02 < baseline / 5
    assert final.test["mse"] < 0.02


def test_forecast_beats_last_value_and_seasonal_naive_on_airline_passengers():
    trainer = Trainer(forecast(600))
    final = list(trainer.run())[-1]
    rmse = final.test["rmse"]
    assert rmse < final.baselines["last value"]["rmse"]
    assert rmse < final.baselines["seasonal naive"]["rmse"]


def test_snapshots_carry_what_the_gui_draws():
    trainer = Trainer(adding(30, probe_every=10, eval_every=5))
    snaps = list(trainer.run())
    first, final = snaps[0], snaps[-1]
    assert first.step == 0 and first.probe is not None and first.val is not None
    steps = [s.step for s in snaps[1:-1]]
    assert steps == list(range(1, 30))
    assert [s.step for s in snaps if s.probe is not None] == [0, 10, 20, 30]
    assert [s.step for s in snaps[1:-1] if s.val is not None] == [5, 10, 15, 20, 25]
    s = snaps[5]
    assert math.isfinite(s.train_loss) and s.grad_norm > 0
    assert set(s.group_norms) == {"rnn layer 0", "head"}
    total = math.sqrt(sum(v ** 2 for v in s.group_norms.values()))
    assert total == pytest.approx(s.grad_norm, rel=1e-6)
    p = first.probe
    assert p.kind == "LSTM" and p.gate_names == ("i", "f", "g", "o")
    assert p.gates[(0, 0, "f")].shape == (8, 50, 32) and p.gates[(0, 0, "f")].dtype == np.float32
    assert p.grad_norms[(0, 0)].shape == (50,)
    assert p.labels[0][int(np.argmax(trainer._probe_batch.x[0, :, 1].numpy()))].endswith("*")
    assert final.status == "finished" and final.test is not None
    assert len(trainer.history) == 31  # step 0 and one row per step
    assert np.isfinite(trainer.history.column("val_loss")).sum() >= 6


def test_clipping_reports_the_norm_before_clipping():
    trainer = Trainer(adding(20, max_grad_norm=1e-3, eval_every=100, probe_every=100))
    snaps = [s for s in trainer.run() if s.status == "running" and s.step > 0]
    assert all(s.clipped and s.grad_norm > 1e-3 for s in snaps)
    trainer = Trainer(adding(20, clip_grad=False, eval_every=100, probe_every=100))
    assert not any(s.clipped for s in trainer.run())


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
def test_same_seed_same_losses_bit_for_bit(cell):
    def losses(seed):
        cfg = adding(25, cell=cell, eval_every=100, probe_every=100).replace("training.seed", seed)
        return [s.train_loss for s in Trainer(cfg).run() if s.status == "running" and s.step > 0]

    a, b = losses(3), losses(3)
    assert a == b
    assert losses(4) != a


def test_stop_is_honoured_within_one_step():
    control = Control()
    trainer = Trainer(adding(10_000, eval_every=10_000, probe_every=10_000), control)
    seen = []
    for snap in trainer.run():
        seen.append(snap)
        if snap.step == 7:
            control.stop()
    assert trainer.step == 7
    assert seen[-1].status == "stopped" and seen[-1].test is not None


def test_pause_blocks_and_step_once_runs_exactly_one_step():
    control = Control(paused=True)
    trainer = Trainer(adding(10_000, eval_every=10_000, probe_every=10_000), control)
    steps = []
    done = threading.Event()

    def consume():
        for snap in trainer.run():
            steps.append(snap.step)
        done.set()

    thread = threading.Thread(target=consume)
    thread.start()
    try:
        assert not done.wait(0.3)
        assert steps == [0]  # the step-0 snapshot comes before the first wait
        control.step_once()
        for _ in range(100):
            if len(steps) == 2:
                break
            done.wait(0.02)
        assert steps == [0, 1]
        done.wait(0.2)
        assert steps == [0, 1]  # still paused
        control.resume()
        for _ in range(200):
            if len(steps) > 10:
                break
            done.wait(0.02)
        assert len(steps) > 10
    finally:
        control.stop()
        thread.join(5)
    assert not thread.is_alive()


def test_divergence_stops_with_a_clear_message_and_keeps_weights():
    cfg = adding(200, cell="rnn_relu", optimizer="sgd", learning_rate=10.0, clip_grad=False,
                 eval_every=1000, probe_every=1000)
    trainer = Trainer(cfg)
    snaps = list(trainer.run())
    last = snaps[-1]
    assert last.status == "diverged" and trainer.status == "diverged"
    assert f"step {last.step}" in last.message
    assert "clipping" in last.message and "lower learning rate" in last.message
    assert all(torch.isfinite(p).all() for p in trainer.model.parameters())
    assert last.step < 200


@pytest.mark.parametrize("seed, learning_rate", [(0, 3.0), (1, 3.0), (0, 10.0)])
def test_a_run_that_explodes_ends_with_a_probe_of_the_explosion(seed, learning_rate):
    """Issue 19, item 4: the last probe came before the blow-up (step 0 here), so the Gradients tab showed the
    vanishing curve of the untrained net for a run that exploded. Now the exploding gradient is probed on the weights
    that produce it, and the message says which step the picture is of."""
    cfg = config.from_dict({
        "task": {"name": "adding", "options": {"length": 30}}, "model": {"cell": "rnn_relu", "hidden_size": 32},
        "training": {"steps": 300, "optimizer": "sgd", "learning_rate": learning_rate, "clip_grad": False,
                     "batch_size": 16, "seed": seed}})
    trainer = Trainer(cfg)
    snaps = list(trainer.run())
    last = snaps[-1]
    assert last.status == "diverged"
    probe = trainer.last_probe
    assert 0 < probe.step < last.step and probe.step >= last.step - 2
    peak = lambda p: max(float(np.nanmax(v)) for v in p.grad_norms.values())  # noqa: E731
    assert peak(probe) > 100 * peak(trainer.first_probe)  # the explosion, not the untrained net
    assert trainer.grad_history[-1][0] == probe.step and any(s.probe is probe for s in snaps)
    assert all(np.isfinite(v).any() for v in probe.grad_norms.values())
    assert f"last picture is of step {probe.step}, before the blow-up" in last.message


def test_ordinary_training_takes_few_extra_probes():
    """The explosion watch stays quiet while a run learns: a probe every so many steps, as the budget says."""
    trainer = Trainer(adding(300, probe_every=100, eval_every=100))
    steps = [s.probe.step for s in trainer.run() if s.probe is not None]
    assert len(steps) <= 4 + 3 and {0, 100, 200, 300} <= set(steps)


def test_epochs_set_the_number_of_steps():
    cfg = forecast(10).replace("training.epochs", 2)
    trainer = Trainer(cfg)
    assert trainer.total_steps == 2 * math.ceil(trainer.task.train_size / 16)


def test_unavailable_device_is_a_config_error():
    from rnnlab.errors import ConfigError

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ConfigError, match="devices present here") as err:
        Trainer(adding(5, device="cuda"))
    assert err.value.field == "training.device"


def test_a_single_step_while_paused_is_probed_and_validated_at_once():
    control = Control(paused=True)
    trainer = Trainer(adding(10_000, eval_every=10_000, probe_every=10_000), control)
    run = trainer.run()
    assert next(run).step == 0
    control.step_once()
    snap = next(run)
    assert snap.step == 1 and snap.probe is not None and snap.probe.step == 1 and snap.val is not None
    control.stop()
    assert [s.status for s in run] == ["stopped"]


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_cadence_is_not_held_back_by_a_slow_warm_up_or_one_slow_run():
    from rnnlab.train.trainer import _Cadence

    clock = FakeClock()
    cadence = _Cadence(every=0, budget=0.02, min_seconds=0.1, clock=clock)

    def extra(cost):
        def run():
            clock.now += cost
        return run

    assert cadence.due(0)
    cadence.run(extra(0.5))  # the first run warms up: slow, and not taken as its cost
    assert cadence.due_at == pytest.approx(clock.now + 0.1) and cadence.work_due_at == pytest.approx(clock.now)
    clock.now = cadence.due_at
    cadence.run(extra(0.004))  # its real cost: next one 0.004 / 0.02 = 0.2 s later
    assert cadence.work_due_at == pytest.approx(clock.now + 0.2)
    clock.now = cadence.work_due_at
    cadence.run(extra(0.3))  # one run that waited for the GIL: the cheaper recent cost still sets the pace
    assert cadence.work_due_at == pytest.approx(clock.now + 0.2)
    assert not cadence.due(1)
    clock.now = cadence.work_due_at
    assert cadence.due(2)
    for _ in range(_Cadence.RECENT):  # when it really got slower, the cadence follows
        clock.now = cadence.work_due_at
        cadence.run(extra(0.01))
    assert cadence.work_due_at == pytest.approx(clock.now + 0.5)
    cadence.run(extra(0.0))  # however cheap, never more often than min_seconds of the wall clock
    clock.now += 0.05
    assert not cadence.due(3)


def test_cadence_by_steps_when_asked():
    from rnnlab.train.trainer import _Cadence

    cadence = _Cadence(every=50, budget=0.02, min_seconds=0.1, clock=FakeClock())
    assert [s for s in range(0, 201) if cadence.due(s)] == [0, 50, 100, 150, 200]


def test_a_slow_reader_does_not_make_the_extras_run_more_often_per_step():
    """The extras' budgets are shares of the trainer's working time. Before, a reader that took 50 ms per snapshot
    (a window painting) counted as training time: a probe every ~5 steps and a validation every ~2, on a model whose
    steps take milliseconds. Now they follow the time the trainer worked: at most one per MIN_*_SECONDS of it."""
    import time

    from rnnlab.train.trainer import MIN_EVAL_SECONDS, MIN_PROBE_SECONDS
    from helpers import configured

    trainer = Trainer(configured("adding", {"task.length": 10, "model.hidden_size": 8, "training.steps": 60}))
    probed, validated, read, t0, t25 = [], [], 0.0, None, None
    for snap in trainer.run():
        if snap.step == 1:
            t0 = time.perf_counter()
        if 1 <= snap.step < 25:
            probed += [snap.step] if snap.probe is not None else []
            validated += [snap.step] if snap.val is not None else []
            start = time.perf_counter()
            time.sleep(0.05)  # 1.2 s of reading in all
            read += time.perf_counter() - start
        if snap.step == 25:
            t25 = time.perf_counter()
    worked = t25 - t0 - read
    assert len(probed) <= 1 + worked / MIN_PROBE_SECONDS, (probed, worked)
    assert len(validated) <= 1 + worked / MIN_EVAL_SECONDS, (validated, worked)


class RecordingHooks:
    """Pause hooks that record what ran, and on which thread."""

    def __init__(self):
        self.calls: list[tuple[str, str]] = []
        self.changed = threading.Event()

    def _note(self, what: str) -> None:
        self.calls.append((what, threading.current_thread().name))
        self.changed.set()

    def pausing(self):
        self._note("pausing")

    def woken(self):
        self._note("woken")

    def resuming(self):
        self._note("resuming")


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        deadline.wait(0.01)
    raise AssertionError("timed out")


def test_pause_hooks_run_on_the_training_thread_and_wake_serves_without_resuming():
    hooks = RecordingHooks()
    control = Control(hooks=hooks)
    trainer = Trainer(adding(10_000, eval_every=10_000, probe_every=10_000), control)
    steps: list[int] = []
    thread = threading.Thread(target=lambda: [steps.append(s.step) for s in trainer.run()], name="trainer")
    thread.start()
    try:
        wait_for(lambda: len(steps) > 3)
        control.pause()
        wait_for(lambda: hooks.calls == [("pausing", "trainer")])
        paused_at = len(steps)
        control.wake()
        control.wake()  # two wakes before the thread looks: at least one "woken", never a step
        wait_for(lambda: ("woken", "trainer") in hooks.calls)
        threading.Event().wait(0.1)
        assert len(steps) == paused_at and control.paused
        assert ("resuming", "trainer") not in hooks.calls
        control.step_once()  # one step, then it pauses again: a new pausing
        wait_for(lambda: len(steps) == paused_at + 1 and hooks.calls.count(("pausing", "trainer")) == 2)
        assert hooks.calls.count(("resuming", "trainer")) == 1
        control.resume()
        wait_for(lambda: len(steps) > paused_at + 5)
        assert hooks.calls[-1] == ("resuming", "trainer")
    finally:
        control.stop()
        thread.join(10)
    assert not thread.is_alive()


def test_abandon_ends_at_once_without_the_final_evaluation():
    for how in ("stop", "abandon"):
        control = Control()
        trainer = Trainer(adding(10_000, eval_every=10_000, probe_every=10_000), control)
        snaps = []
        for snap in trainer.run():
            snaps.append(snap)
            if snap.step == 5:
                getattr(control, how)()
        assert trainer.status == "stopped" and snaps[-1].step == 5
        if how == "stop":  # the last snapshot is the final one, with test metrics
            assert snaps[-1].test and trainer.final["test"]
        else:  # no final snapshot, no test metrics
            assert snaps[-1].test is None and trainer.final == {}


def test_single_steps_not_taken_before_resume_do_not_run_after_a_later_pause():
    control = Control(paused=True)
    control.step_once()
    control.step_once()  # two single steps asked for, none taken yet
    control.resume()
    control.pause()
    result: list[bool] = []
    waiter = threading.Thread(target=lambda: result.append(control.wait_for_step()))
    waiter.start()
    waiter.join(0.3)
    assert waiter.is_alive() and result == []  # paused: the old single steps are gone
    control.stop()
    waiter.join(5)
    assert result == [False]
