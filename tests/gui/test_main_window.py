"""The real main window, offscreen: edit the form, train, pause, step, stop, diverge, close, save and open runs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PySide6.QtCore import QThread

from rnnlab import config
from rnnlab.errors import RunError
from rnnlab.models.probe import GATE_RANGE
from rnnlab.app import theme
from rnnlab.app.views.forecast import ForecastView

from helpers import TIMEOUT, helper_threads, small, train_to_end, type_into

pytestmark = [pytest.mark.gui, pytest.mark.slow]



# --- training and the plots ----------------------------------------------------------------------------------------


def test_edit_fields_then_train_fills_every_plot(qtbot, window):
    w = window(small())
    type_into(qtbot, w.panel.editor("model.hidden_size"), "12")
    type_into(qtbot, w.panel.editor("training.steps"), "150")
    assert w.config().model.hidden_size == 12 and w.config().training.steps == 150

    assert train_to_end(qtbot, w) == "finished"

    trainer = w.trainer
    assert trainer.step == 150 and trainer.model.rnn.hidden_size == 12
    # Every history row reached the GUI (step 0, the snapshot before training, then one per step) ...
    np.testing.assert_array_equal(w.data.steps, np.arange(151))
    np.testing.assert_allclose(w.data.col("train_loss")[1:], trainer.history.column("train_loss")[1:])
    # ... and every plot drew it.
    x, y = w.loss_panel.train_smooth.getData()
    assert len(x) == 150 and np.isfinite(y).all()
    assert len(w.loss_panel.val_metric.getData()[0]) >= 2  # step 0 and the last step at least
    assert len(w.loss_panel.baseline_lines) == 2  # seasonal naive and last value on the validation split
    assert w.view_host.view.__class__ is ForecastView
    fx, fy = w.view_host.view.model_curve.getData()
    assert len(fx) > 10 and np.isfinite(fy).any()
    gate_image = w.gates_panel.heatmaps["f"].image.image
    assert gate_image.shape == (12, 24)  # units x time steps of the window
    w.tabs.setCurrentIndex(1)  # the gradients tab draws once it is shown
    assert len(w.grad_panel.global_curve.getData()[0]) == 150
    history = w.gradtime_panel.heat.image.image
    assert history.shape[0] == len(w.data.probe_steps) >= 2 and history.shape[1] == 24
    assert w.status_labels["step"].text() == "step 150/150"
    assert "test RMSE" in w.message_bar.text.text()


def test_pause_step_resume_stop(qtbot, window):
    w = window(small(steps=1_000_000))
    w.start_training()
    qtbot.waitUntil(lambda: w.data.n > 5, timeout=TIMEOUT)

    w.pause()
    qtbot.waitUntil(w.is_paused, timeout=TIMEOUT)
    parked = w.trainer.step
    qtbot.wait(300)
    assert w.trainer.step == parked, "training went on while paused"
    assert w.data.steps[-1] == parked, "the plots did not get every step before the pause"
    assert w.act_pause.text() == "Resume" and not w.act_train.isEnabled()

    w.step_once()
    qtbot.waitUntil(lambda: w.is_paused() and w.data.steps[-1] == parked + 1, timeout=TIMEOUT)
    assert w.trainer.step == parked + 1
    # A single step is shown at once: the gates and the validation point are of that very step.
    qtbot.waitUntil(lambda: w.data.last_probe is not None and w.data.last_probe.step == parked + 1, timeout=TIMEOUT)
    assert np.isfinite(w.data.col("val_loss")[-1])
    assert w.gates_panel.info.text().startswith(f"LSTM at step {parked + 1} ")

    w.resume()
    qtbot.waitUntil(lambda: w.trainer.step > parked + 10, timeout=TIMEOUT)
    assert not w.is_paused()

    with qtbot.waitSignal(w.training_finished, timeout=TIMEOUT) as blocker:
        w.stop()
    assert blocker.args == ["stopped"]
    assert not w.is_training() and w.trainer.status == "stopped"
    assert "Stopped at step" in w.message_bar.text.text()


def test_step_from_idle_runs_exactly_one_step(qtbot, window):
    w = window(small())
    w.step_once()
    qtbot.waitUntil(lambda: w.is_paused() and w.data.n == 2, timeout=TIMEOUT)
    assert w.trainer.step == 1
    np.testing.assert_array_equal(w.data.steps, [0, 1])
    w.step_once()
    qtbot.waitUntil(lambda: w.is_paused() and w.data.n == 3, timeout=TIMEOUT)
    assert w.trainer.step == 2


def test_closing_mid_training_leaves_no_thread(qtbot, window):
    w = window(small(steps=1_000_000))
    w.start_training()
    qtbot.waitUntil(lambda: w.data.n > 3, timeout=TIMEOUT)
    thread = w.session._thread
    assert thread.isRunning()
    w.close()
    assert not thread.isRunning()
    assert not w.is_training()
    assert helper_threads() == []


def test_closing_while_paused_ends_the_run_without_its_final_evaluation(qtbot, window):
    w = window(small(steps=1_000_000))
    w.start_training()
    qtbot.waitUntil(lambda: w.data.n > 3, timeout=TIMEOUT)
    w.pause()
    qtbot.waitUntil(w.is_paused, timeout=TIMEOUT)
    thread, worker, trainer = w.session._thread, w.session._worker, w.trainer
    w.close()
    assert not thread.isRunning() and worker.status == "abandoned"
    assert trainer.final == {}  # abandoned: no test evaluation on the way out
    assert helper_threads() == []


def test_reset_gives_the_same_weights_for_the_same_seed(qtbot, window):
    w = window(small())
    before = {k: v.clone() for k, v in w.trainer.model.state_dict().items()}
    w.step_once()
    qtbot.waitUntil(lambda: w.is_paused() and w.trainer.step == 1, timeout=TIMEOUT)
    w.reset()
    assert not w.is_training()
    assert w.wait_ready(30)
    after = w.trainer.model.state_dict()
    assert w.trainer.step == 0 and w.data.n == 0
    for k in before:
        torch.testing.assert_close(after[k], before[k])


# --- the form ----------------------------------------------------------------------------------------------------


def test_invalid_value_is_marked_and_disables_train(qtbot, window):
    w = window(small())
    field = w.panel._fields["model.hidden_size"]
    type_into(qtbot, field.editor, "0")
    assert not w.act_train.isEnabled() and not w.act_step.isEnabled()
    assert field.message == "model.hidden_size = 0 is not allowed: must be a whole number from 1 to 4096"
    assert field.message in w.panel.message_line.text() and "Hidden size" in w.panel.message_line.text()
    assert field.editor.property("invalid") is True
    assert w.start_training() is False and not w.is_training()
    assert w.config().model.hidden_size == 8  # the config keeps the last valid value

    rate = w.panel._fields["training.learning_rate"]
    type_into(qtbot, rate.editor, "fast")
    assert rate.message.startswith("training.learning_rate = 'fast' is not allowed: must be a finite number")

    type_into(qtbot, field.editor, "16")
    type_into(qtbot, rate.editor, "0.02")
    assert not field.message and not rate.message and w.panel.message_line.text() == ""
    assert w.act_train.isEnabled()
    assert w.config().model.hidden_size == 16 and w.config().training.learning_rate == 0.02


def test_a_rejected_value_comes_back_when_another_field_makes_it_fit(qtbot, window):
    w = window(small())
    window_field = w.panel._fields["task.window"]
    type_into(qtbot, window_field.editor, "200")  # airline passengers is too short for a 200-month window
    assert "Set the window (task.window) to at most 95." in window_field.message
    assert not w.act_train.isEnabled()
    dataset = w.panel.editor("task.dataset")
    dataset.setCurrentIndex(dataset.findData("sunspots"))  # 309 years: long enough
    dataset.activated.emit(dataset.currentIndex())
    assert not window_field.message
    assert w.config().task.options["window"] == 200 and w.config().task.options["dataset"] == "sunspots"
    assert w.act_train.isEnabled()


def test_switching_task_applies_its_suggested_settings(qtbot, window):
    from rnnlab import tasks

    w = window(small())
    combo = w.panel.editor("task.name")
    combo.setCurrentIndex(combo.findData("adding"))
    combo.activated.emit(combo.currentIndex())
    cfg = w.config()
    assert cfg.task.name == "adding"
    for key, value in tasks.get("adding").suggested.items():
        section, name = key.split(".")
        assert getattr(getattr(cfg, section), name) == value
    assert "task.length" in w.panel._fields and "task.window" not in w.panel._fields
    assert w.panel.editor("task.length").toolTip().startswith("Sequence length T")
    assert w.wait_ready(30)
    assert w.trainer.cfg.task.name == "adding"  # the preview model follows the form


# --- divergence ----------------------------------------------------------------------------------------------------


def test_a_diverging_run_ends_diverged_and_offers_the_fix(qtbot, window):
    w = window(small(steps=500, optimizer="sgd", learning_rate=10.0, clip_grad=False))
    assert train_to_end(qtbot, w) == "diverged"
    assert w.trainer.status == "diverged"
    assert w.status_labels["state"].text() == "diverged"
    text = w.message_bar.text.text()
    assert "diverged" in text and "learning rate" in text and w.message_bar.isVisible()
    labels = [w.message_bar.buttons.itemAt(i).widget().text() for i in range(w.message_bar.buttons.count())]
    assert labels == ["Clip gradients at 1.0", "Learning rate 1"]
    w.message_bar.buttons.itemAt(0).widget().click()
    assert w.config().training.clip_grad is True and w.config().training.max_grad_norm == 1.0


def test_log_scale_toggle_redraws_a_finished_run(qtbot, window):
    w = window(small(steps=150))
    assert train_to_end(qtbot, w) == "finished"
    train = w.data.col("train_loss")
    vb = w.loss_panel.loss.getViewBox()
    for log in (False, True, False):
        w.loss_panel.log_box.setChecked(log)
        lo, hi = (np.log10(np.nanmin(train)), np.log10(np.nanmax(train))) if log else (np.nanmin(train),
                                                                                       np.nanmax(train))
        qtbot.waitUntil(lambda: vb.viewRange()[1][0] <= lo and hi <= vb.viewRange()[1][1], timeout=TIMEOUT)
        x, _ = w.loss_panel.train_raw.getData()
        assert len(x) == np.isfinite(train).sum()  # every point drawn again


def test_choosing_another_layer_redraws_a_finished_run(qtbot, window):
    cfg = small(steps=60).replace("model.num_layers", 2)
    w = window(cfg)
    w.tabs.setCurrentWidget(w.gradients)
    assert train_to_end(qtbot, w) == "finished"
    panel = w.gradtime_panel
    qtbot.waitUntil(lambda: panel.which.count() == 2, timeout=TIMEOUT)
    shown = panel.which.currentIndex()
    before = np.array(panel.heat.image.image, copy=True)
    panel.which.setCurrentIndex(1 - shown)
    after = panel.heat.image.image
    key = panel._keys[1 - shown]
    expected = np.log10(w.data.grad_history(key))
    assert after.shape == expected.shape and not np.array_equal(before, after)
    np.testing.assert_allclose(after, expected, rtol=1e-5)


def test_a_run_that_learned_nothing_says_why_and_offers_the_fix(qtbot, window):
    cfg = config.from_dict({"task": {"name": "memory", "options": {"gap": 20}},
                            "model": {"cell": "lstm", "hidden_size": 32},
                            "training": {"steps": 300, "learning_rate": 0.005, "batch_size": 32}})
    w = window(cfg)
    assert train_to_end(qtbot, w) == "finished"
    text = w.message_bar.text.text()
    assert "Finished at step 300" in text and "Why:" in text and "forget gate f" in text, text
    labels = [w.message_bar.buttons.itemAt(i).widget().text() for i in range(w.message_bar.buttons.count())]
    assert labels == ["Memory gate init: chrono"]
    fix = w.message_bar.buttons.itemAt(0).widget()
    fix.click()
    assert w.config().model.gate_init == "chrono"
    assert w.config().task.options["gap"] == 20  # the rest of the experiment stays as it was
    # The next message has no button: the old one is gone from the bar at once, not just from its layout.
    assert "Settings changed" in w.message_bar.text.text() and w.message_bar.buttons.count() == 0
    assert not fix.isVisible()


# --- runs on disk ----------------------------------------------------------------------------------------------------


def test_save_then_open_restores_the_curves(qtbot, window, tmp_path):
    w = window(small(steps=80))
    assert train_to_end(qtbot, w) == "finished"
    loss_x, loss_y = w.loss_panel.train_raw.getData()
    w.tabs.setCurrentIndex(0)
    forget = w.gates_panel.heatmaps["f"].image.image.copy()
    saved = w.save_run(tmp_path / "run")

    other = window(small(task="adding"))
    other.open_run(saved)
    assert other.wait_ready(30)
    assert other.config() == w.config()
    assert other.trainer.step == 80 and not other.is_training()
    x, y = other.loss_panel.train_raw.getData()
    np.testing.assert_array_equal(x, loss_x)
    np.testing.assert_allclose(y, loss_y)
    other.tabs.setCurrentIndex(0)
    np.testing.assert_allclose(other.gates_panel.heatmaps["f"].image.image, forget)
    assert other.view_host.view.__class__ is ForecastView
    for name in ("seasonal naive", "last value"):
        assert name in other.data.test_baselines
    assert other.status_labels["state"].text() == "opened (finished)"


def test_open_a_run_made_by_the_cli(qtbot, window, tmp_path):
    from rnnlab.cli import main

    out = tmp_path / "cli-run"
    assert main(["train", "--task", "adding", "--steps", "30", "--set", "model.hidden_size=8",
                 "--set", "task.length=12", "--set", "training.batch_size=16", "--out", str(out), "--quiet"]) == 0
    w = window(small())
    w.open_run(out)
    assert w.wait_ready(30)
    assert w.config().task.name == "adding" and w.config().task.options["length"] == 12
    assert w.panel.editor("task.length").text() == "12"
    assert w.view_host.kind == "adding"
    assert w.data.n == 31
    # Another session can train on from here: Train starts a new run with the opened settings.
    assert train_to_end(qtbot, w) == "finished"
    assert w.trainer.step == 30


def test_opening_something_that_is_not_a_run_says_so(window, tmp_path):
    w = window(small())
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(RunError, match="not a complete rnnlab run"):
        w.open_run(tmp_path)
    assert w.trainer is not None  # the window still shows what it showed


# --- plots details -----------------------------------------------------------------------------------------------------


def test_gate_heatmaps_use_fixed_levels_and_gate_colours(qtbot, window):
    w = window(small(steps=20, task="forecast"))
    w.set_config(w.config().replace("model.cell", "gru"))
    assert train_to_end(qtbot, w) == "finished"
    panel = w.gates_panel
    assert set(panel.heatmaps) == {"r", "z", "n", "hidden"}
    for gate in ("r", "z", "n"):
        assert tuple(panel.heatmaps[gate].levels) == GATE_RANGE[gate]
        assert tuple(panel.heatmaps[gate].image.levels) == GATE_RANGE[gate]
    lut = panel.heatmaps["z"].image.lut
    np.testing.assert_array_equal(lut, theme.gate_lut("z"))
    assert theme.GATE_COLORS["z"] in panel.mean_curves["z"].opts["pen"].color().name()


def test_views_run_model_requests_off_the_gui_thread(qtbot, window):
    w = window(small(steps=1_000_000))
    main = QThread.currentThread()
    seen = []

    def fn(task, model):
        seen.append((QThread.currentThread() is not main, model.training, torch.is_grad_enabled()))
        return task.name

    with qtbot.waitCallback(timeout=TIMEOUT) as idle_cb:  # no training: the helper thread serves it
        w.api.submit(fn, idle_cb)
    idle_cb.assert_called_with("forecast")
    w.start_training()
    qtbot.waitUntil(lambda: w.data.n > 3, timeout=TIMEOUT)
    with qtbot.waitCallback(timeout=TIMEOUT) as running_cb:  # training: served between two steps
        w.api.submit(fn, running_cb)
    running_cb.assert_called_with("forecast")
    assert seen == [(True, False, False), (True, False, False)]
    w.pause()  # read the mode between two steps: while running, a validation pass may have it in eval mode
    qtbot.waitUntil(w.is_paused, timeout=TIMEOUT)
    assert w.trainer.model.training  # back in training mode for the next step


def test_the_worker_trains_on_only_after_each_update_is_painted(qtbot, window, monkeypatch):
    """Drawing while the worker trains would share the GIL with it and take twice as long: the GUI acknowledges an
    update (and the worker goes on) only once the loss plot has been painted."""
    from PySide6.QtCore import QEvent, QObject

    from rnnlab.app.run.worker import TrainingWorker

    events: list[str] = []
    real_ack = TrainingWorker.ack

    def ack(self):
        events.append("ack")
        real_ack(self)

    monkeypatch.setattr(TrainingWorker, "ack", ack)
    # The fallback acknowledges an update whose paint takes over 100 ms, as it can on a loaded machine: what this
    # test checks is the order when the paint comes, so the fallback waits longer here.
    monkeypatch.setattr("rnnlab.app.run.session.ACK_FALLBACK_MS", 5000)
    w = window(small(steps=400))
    real_refresh = w.loss_panel.refresh

    def refresh(data):
        events.append("update")
        real_refresh(data)

    w.loss_panel.refresh = refresh
    real_gates = w.gates_panel.refresh

    def gates(data):  # a heavy panel: drawn in a later pass of the event loop
        events.append("gates")
        real_gates(data)

    w.gates_panel.refresh = gates

    class PaintSpy(QObject):
        def __init__(self, name):
            super().__init__()
            self.name = name

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Paint:
                events.append(self.name)
            return False

    spies = [PaintSpy("paint"), PaintSpy("gates painted")]
    w.loss_panel.glw.viewport().installEventFilter(spies[0])
    w.gates_panel.glw.viewport().installEventFilter(spies[1])
    train_to_end(qtbot, w)
    rounds = "".join({"update": "u", "paint": "p", "gates": "g", "gates painted": "q", "ack": "a"}[e] for e in events)
    acked = [r for r in rounds.split("a")[:-1] if "u" in r]
    assert len(acked) >= 5, rounds
    # Every acknowledged round: the update, then (after its last update) a paint, then the acknowledgement; and the
    # same for the gates where the round drew them.
    assert all("p" in r[r.rindex("u"):] for r in acked), rounds
    assert any("g" in r for r in acked), rounds
    assert all("q" in r[r.rindex("g"):] for r in acked if "g" in r), rounds


def test_plots_before_training_are_framed_by_the_run(qtbot, window):
    """Empty plots show the axes the data will have (steps to the planned total, time steps x units, whole decades
    on log axes), not pyqtgraph's placeholder -0.5..0.5."""
    w = window(small(steps=120))
    (x0, x1), (y0, y1) = w.loss_panel.loss.getViewBox().viewRange()
    assert x0 == pytest.approx(-2.4) and x1 == pytest.approx(122.4)  # 0..120 with 2 % padding
    assert (y0, y1) == pytest.approx((-2.06, 1.06))  # 0.01..10 on the log axis
    (x0, x1), (y0, y1) = w.gates_panel.heatmaps["f"].item.getViewBox().viewRange()
    assert (x0, x1) == pytest.approx((0, w.trainer.probe_length)) and w.trainer.probe_length == 24
    assert (y0, y1) == pytest.approx((0, 8))  # hidden size
    (x0, x1), _ = w.gradtime_panel.line.getViewBox().viewRange()
    assert x0 < 0 < 23 < x1 < 24
    # Once the first probe is in, the gradient-through-time plot fits its data, however far it is from 1e-6..1.
    w.tabs.setCurrentWidget(w.gradients)
    w.step_once()
    qtbot.waitUntil(lambda: w.data.last_probe is not None and w.gradtime_panel._seen != -1, timeout=TIMEOUT)
    qtbot.wait(50)
    drawn = [w.data.last_probe] + ([w.data.first_probe] if w.data.first_probe is not None else [])
    norms = np.concatenate([np.asarray(v, dtype=float) for p in drawn for v in p.grad_norms.values()])
    logs = np.log10(norms[norms > 0])
    _, (y0, y1) = w.gradtime_panel.line.getViewBox().viewRange()
    assert y0 <= logs.min() and logs.max() <= y1, (y0, y1, logs.min(), logs.max())
    assert y1 - y0 < (logs.max() - logs.min()) + 1.0  # fitted to the data, not the empty frame kept around it
