"""Issue 9 and the window side of issue 10: what the window shows is the run that trained, on the data the user chose;
user files and run folders are read off the GUI thread; bad ones get a message and the window keeps answering."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from rnnlab.app.threads import lingering

from helpers import TIMEOUT, answer_next_dialog, hold_the_model, pick_file, train_to_end, type_into
from helpers import small

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def write_csv(path: Path, n: int = 120, seasonal: bool = False) -> Path:
    t = np.arange(n)
    values = 50 + 0.5 * t + (10 * np.sin(2 * np.pi * t / 12) if seasonal else np.cos(t / 3.0))
    path.write_text("index,sales\n" + "".join(f"{i},{v:.3f}\n" for i, v in zip(t, values)), encoding="utf-8")
    return path


def settle(qtbot, w) -> None:
    """Until file checks and background jobs are done."""
    qtbot.waitUntil(lambda: not w.panel.is_checking(), timeout=TIMEOUT)
    assert w.wait_ready(60)


# --- 1. choosing a file of one's own uses it ---------------------------------------------------------------------


def test_browsing_to_a_csv_switches_the_dataset_and_the_preview_to_it(qtbot, window, tmp_path):
    csv = write_csv(tmp_path / "shop.csv")
    w = window(small())
    assert w.config().task.options["dataset"] == "airline_passengers"
    field = w.panel._fields["task.csv_path"]
    browse = field.findChild(QPushButton)

    answer_next_dialog(qtbot, lambda dialog: pick_file(dialog, csv))
    browse.click()
    settle(qtbot, w)
    opts = w.config().task.options
    assert opts["dataset"] == "csv" and opts["csv_path"] == str(csv)
    assert w.panel.editor("task.dataset").currentData() == "csv"
    assert w.trainer.task.series.name == "csv:shop.csv"  # the prepared model, and so the run, use the file
    title = w.panel._preview_widget.getPlotItem().titleLabel.text
    assert "shop.csv" in title


def test_a_text_of_ones_own_gets_its_own_description_and_prompt(qtbot, window, tmp_path):
    text = tmp_path / "fables.txt"
    text.write_text(("The fox and the crow\nA crow sat on a branch with a piece of cheese. " * 60), encoding="utf-8")
    cfg = small(task="charlm").replace("task.max_chars", 0)
    w = window(cfg)
    type_into(qtbot, w.panel.editor("task.text_path"), str(text))
    settle(qtbot, w)
    assert w.config().task.options["text_path"] == str(text)
    description = w.panel.task_description.text()
    assert "fables.txt" in description and "Shakespeare" not in description
    qtbot.waitUntil(lambda: w.view_host.view is not None and w.view_host.kind == "charlm", timeout=TIMEOUT)
    assert w.view_host.view.prompt.toPlainText() == "The fox and the "  # its first 16 characters, not "ROMEO:"


# --- 2. whatever is drawn belongs to the config on screen, or says it does not ------------------------------------


def test_a_csv_without_seasons_leaves_no_seasonal_naive_line_behind(qtbot, window, tmp_path):
    csv = write_csv(tmp_path / "plain.csv")
    w = window(small(steps=20))
    assert train_to_end(qtbot, w) == "finished"
    assert "seasonal naive" in w.view_host.view.baseline_curves  # airline passengers: monthly, period 12
    type_into(qtbot, w.panel.editor("task.csv_path"), str(csv))
    settle(qtbot, w)
    assert train_to_end(qtbot, w) == "finished"
    assert w.trainer.task.series.name == "csv:plain.csv"
    assert list(w.view_host.view.baseline_curves) == ["last value"]
    legend_names = [label.text for _, label in w.view_host.view.legend.items]
    assert not any("seasonal" in name for name in legend_names)


def test_after_a_task_switch_the_old_run_is_marked_as_the_previous_one(qtbot, window):
    w = window(small(steps=20))
    assert train_to_end(qtbot, w) == "finished"
    w.panel.set_task("adding")
    text = w.message_bar.text.text()
    assert "previous run" in text and "forecast" in text
    labels = [w.message_bar.buttons.itemAt(i).widget().text() for i in range(w.message_bar.buttons.count())]
    assert labels == ["Save that run…", "Clear the plots"]
    w.message_bar.buttons.itemAt(1).widget().click()  # Clear: the adding task's fresh model, nothing of the old run
    assert w.wait_ready(60)
    assert w.trainer.cfg.task.name == "adding" and w.trainer.step == 0
    assert w.data.n == 0 and not w.message_bar.has_message()


def test_the_preview_does_not_keep_the_last_good_file_while_the_path_is_broken(qtbot, window, tmp_path):
    w = window(small())
    type_into(qtbot, w.panel.editor("task.csv_path"), str(write_csv(tmp_path / "good.csv")))
    settle(qtbot, w)
    assert "good.csv" in w.panel._preview_widget.getPlotItem().titleLabel.text
    type_into(qtbot, w.panel.editor("task.csv_path"), str(tmp_path / "missing.csv"))
    settle(qtbot, w)
    assert "task.csv_path" in w.panel.errors()
    preview = w.panel._preview_widget
    assert not hasattr(preview, "getPlotItem") and "No preview" in preview.text()


# --- 3. the wheel scrolls the form, not the settings --------------------------------------------------------------


def test_the_wheel_over_an_unfocused_combo_box_changes_nothing(qtbot, window):
    w = window(small())
    cell = w.panel.editor("model.cell")
    before = cell.currentData()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=TIMEOUT)
    w.panel.editor("model.hidden_size").setFocus()  # the user is somewhere else in the form
    assert not cell.hasFocus()
    for delta in (-120, -120, -120):
        event = QWheelEvent(QPointF(5, 5), QPointF(cell.mapToGlobal(QPoint(5, 5))), QPoint(0, 0), QPoint(0, delta),
                            Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
        QApplication.sendEvent(cell, event)
    assert cell.currentData() == before and w.config().model.cell == before


# --- 4. an unsaved run is not dropped without asking ---------------------------------------------------------------


def test_quit_asks_before_dropping_an_unsaved_finished_run(qtbot, window):
    w = window(small(steps=20))
    w.ask_before_discarding(True)
    assert train_to_end(qtbot, w) == "finished" and w.has_unsaved_run()
    asked = []

    def cancel(box):
        asked.append(box.text())
        box.button(QMessageBox.Cancel).click()

    answer_next_dialog(qtbot, cancel)
    w.close()
    assert asked and "not saved" in asked[0] and w.isVisible()  # Cancel: still open, the run still there

    answer_next_dialog(qtbot, lambda box: box.button(QMessageBox.Discard).click())
    w.close()
    assert not w.isVisible()


def test_open_asks_first_and_a_saved_run_is_not_asked_about(qtbot, window, tmp_path):
    w = window(small(steps=20))
    w.ask_before_discarding(True)
    train_to_end(qtbot, w)
    answer_next_dialog(qtbot, lambda box: box.button(QMessageBox.Cancel).click())
    w.files.open_dialog()  # Cancel: no folder dialog follows, nothing changes
    assert w.trainer.step == 20
    w.save_run(tmp_path / "kept")
    assert not w.has_unsaved_run()
    w.ask_before_discarding(False)


# --- 5. a loss that blows up is reported like divergence -----------------------------------------------------------


def test_adam_at_a_huge_rate_is_reported_with_the_divergence_fixes(qtbot, window):
    w = window(small(steps=80, learning_rate=10.0, clip_grad=False))
    assert train_to_end(qtbot, w) == "finished"
    text = w.message_bar.text.text()
    assert "blew up" in text and "times its first value" in text
    labels = [w.message_bar.buttons.itemAt(i).widget().text() for i in range(w.message_bar.buttons.count())]
    assert labels == ["Clip gradients at 1.0", "Learning rate 1"]


# --- 7. smaller things ------------------------------------------------------------------------------------------------


def test_save_proposes_the_runs_cell_in_the_folder_used_last(qtbot, window, tmp_path):
    w = window(small(steps=20))
    train_to_end(qtbot, w)
    w.set_config(w.config().replace("model.cell", "gru"))  # the form changed after the run (a fix button)
    seen = []

    def save(dialog):
        seen.append((dialog.directory().absolutePath(), dialog.selectedFiles()[0]))
        pick_file(dialog, tmp_path / f"run-{len(seen)}")  # a new name: no "replace it?" question

    answer_next_dialog(qtbot, save)
    assert w.files.save_dialog()
    assert Path(seen[0][1]).name.startswith("forecast-lstm-")
    answer_next_dialog(qtbot, save)
    assert w.files.save_dialog()
    assert seen[1][0] == str(tmp_path)  # the second dialog starts where the first one saved


def test_messages_never_push_the_plots_or_the_form_rows(qtbot, window):
    w = window(small())
    plots_y = w.split.mapTo(w, QPoint(0, 0)).y()
    w.message_bar.show_message("The run diverged at step 12: the loss became NaN. Try gradient clipping.", "warning",
                               [("Clip gradients at 1.0", lambda: None)])
    QApplication.processEvents()
    assert w.split.mapTo(w, QPoint(0, 0)).y() == plots_y
    below = w.panel.editor("model.num_layers")
    y = below.mapTo(w.panel, QPoint(0, 0)).y()
    type_into(qtbot, w.panel.editor("model.hidden_size"), "0")
    QApplication.processEvents()
    assert "Hidden size" in w.panel.message_line.text()
    assert below.mapTo(w.panel, QPoint(0, 0)).y() == y  # Layers sits under Cell: hidden size is below it
    layers_after = w.panel.editor("model.dropout").mapTo(w.panel, QPoint(0, 0)).y()
    type_into(qtbot, w.panel.editor("model.hidden_size"), "8")
    QApplication.processEvents()
    assert w.panel.editor("model.dropout").mapTo(w.panel, QPoint(0, 0)).y() == layers_after


def test_tab_walks_the_form_downwards_and_ctrl_tab_switches_the_tabs(qtbot, window):
    w = window(small())
    editors = {f.editor: k for k, f in w.panel._fields.items()}
    order, widget = [], w.panel.task_combo
    for _ in range(500):  # the focus chain, from the task box down, once round
        widget = widget.nextInFocusChain()
        if widget is w.panel.task_combo:
            break
        if widget in editors and editors[widget] not in order:
            order.append(editors[widget])
    task = [k for k in order if k.startswith("task.")]
    assert order[: len(task)] == task  # the task's options first, right under the task box
    assert order.index("model.cell") < order.index("training.optimizer") < order.index("training.eval_every")
    assert order[-1] == "training.threads"  # Advanced is last: Tab does not jump back up to the task options
    w.tabs.setCurrentIndex(0)
    w.activateWindow()
    for expected in [*range(1, w.tabs.count()), 0]:  # Gates, Gradients, Cell, and round to the first again
        qtbot.keyClick(w.tabs, Qt.Key_Tab, Qt.ControlModifier)
        assert w.tabs.currentIndex() == expected


def test_without_clipping_the_legend_has_no_clip_level_and_its_field_is_off(qtbot, window):
    w = window(small(steps=10, clip_grad=False))
    assert not w.panel.editor("training.max_grad_norm").isEnabled()
    w.tabs.setCurrentIndex(1)
    assert train_to_end(qtbot, w) == "finished"
    legend = w.grad_panel.plot.titleLabel.text
    assert "clip level" not in legend and "clipping off" in legend
    assert not w.panel.editor("training.max_grad_norm").isEnabled()


def test_before_training_the_forecast_view_prints_no_model_score(qtbot, window):
    w = window(small())
    scores = w.view_host.view.scores.text()
    assert "not trained yet" in scores
    assert "last value" in scores  # the baselines have their scores at once
    train_to_end(qtbot, w)
    assert "not trained yet" not in w.view_host.view.scores.text()


# --- 9. a reopened run draws what the live run showed ------------------------------------------------------------------


def test_a_reopened_adding_run_keeps_its_gradient_history_and_message(qtbot, window, tmp_path):
    cfg = small(steps=60, task="adding", probe_every=10).replace("task.length", 30)
    w = window(cfg)
    w.tabs.setCurrentIndex(1)
    assert train_to_end(qtbot, w) == "finished"
    live_heat = np.array(w.gradtime_panel.heat.image.image, copy=True)
    live_first = [np.asarray(a).copy() for a in w.gradtime_panel.first_curve.getData()]
    live_steps = list(w.data.probe_steps)
    live_message = w.message_bar.text.text()
    assert live_heat.shape[0] == len(live_steps) >= 6
    w.save_run(tmp_path / "adding-run")

    other = window(small(steps=10))
    other.tabs.setCurrentIndex(1)
    other.open_run(tmp_path / "adding-run")
    assert other.wait_ready(60)
    assert other.data.probe_steps == live_steps
    np.testing.assert_allclose(other.gradtime_panel.heat.image.image, live_heat, rtol=1e-6)
    for a, b in zip(other.gradtime_panel.first_curve.getData(), live_first):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert other.message_bar.text.text() == live_message and "test MSE" in live_message


# --- 11. closing does not wait for the step that is running -----------------------------------------------------------


def test_closing_during_a_long_step_returns_at_once_and_the_thread_ends_unseen(qtbot, window):
    """A step that takes seconds: a view request holding the model between two steps (as a big model's step does)."""
    w = window(small(steps=1_000_000))
    w.start_training()
    qtbot.waitUntil(lambda: w.data.n > 3, timeout=TIMEOUT)
    release = hold_the_model(w.api.submit)
    thread = w.session._thread
    releaser = threading.Timer(3.0, release.set)  # the step ends 3 s from now whatever the window does
    releaser.start()
    w.close()
    returned_before_the_step_ended = not release.is_set()
    assert not w.isVisible()
    assert returned_before_the_step_ended, "closing waited for the running step"
    assert thread.isRunning() and any(t is thread for t in lingering())
    release.set()
    qtbot.waitUntil(thread.isFinished, timeout=TIMEOUT)
    releaser.cancel()


# --- issue 10: user files and run folders off the GUI thread; bad ones refused with a message -----------------------


def test_a_fifo_and_a_20_mb_file_in_the_form_never_stop_the_timers(qtbot, window, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    big = tmp_path / "big.csv"
    with open(big, "w") as fh:
        fh.write("t,value\n")
        line = "".join(f"{i},{i % 97}.5\n" for i in range(10_000))
        while fh.tell() < 20_000_000:
            fh.write(line)
    w = window(small())
    ticks = []
    timer = QTimer(interval=20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    # Whoever else opens the pipe for writing 4 s from now ends a read that would otherwise block for good.
    writer = threading.Timer(4.0, lambda: open(fifo, "w").close())
    writer.start()
    try:
        type_into(qtbot, w.panel.editor("task.csv_path"), str(fifo))
        settle(qtbot, w)
        assert "named pipe" in w.panel.errors()["task.csv_path"]
        type_into(qtbot, w.panel.editor("task.csv_path"), str(big))
        settle(qtbot, w)
        message = w.panel.errors()["task.csv_path"]
        assert re.search(r"big\.csv is 20\.\d MB; rnnlab reads CSV files up to 16 MB", message), message
        assert "big.csv is 20." in w.panel.message_line.text()
        qtbot.wait(200)
    finally:
        timer.stop()
        writer.cancel()
    gaps = np.diff(ticks)
    assert len(ticks) > 5 and gaps.max() < 1.5, f"the GUI thread stopped for {gaps.max():.1f} s"
    assert not w.act_train.isEnabled()


def test_an_unchanged_file_is_not_read_again_when_another_field_changes(qtbot, window, tmp_path):
    csv = write_csv(tmp_path / "shop.csv")
    w = window(small())
    type_into(qtbot, w.panel.editor("task.csv_path"), str(csv))
    settle(qtbot, w)
    csv.unlink()  # from now on, reading it would fail
    type_into(qtbot, w.panel.editor("model.hidden_size"), "12")
    type_into(qtbot, w.panel.editor("training.steps"), "30")
    assert w.panel.is_valid() and not w.panel.is_checking()
    assert w.config().model.hidden_size == 12 and w.config().task.options["csv_path"] == str(csv)


def _damaged_runs(base: Path, good: Path) -> dict[str, Path]:
    import shutil

    def copy(name: str) -> Path:
        target = base / name
        shutil.copytree(good, target)
        return target

    runs = {}
    p = copy("elapsed-list")
    s = json.loads((p / "summary.json").read_text())
    s["elapsed_s"] = [1, 2]
    (p / "summary.json").write_text(json.dumps(s))
    runs["elapsed-list"] = p
    p = copy("message-table")
    s = json.loads((p / "summary.json").read_text())
    s["message"] = {"a": 1}
    s["status"] = ["finished"]
    (p / "summary.json").write_text(json.dumps(s))
    runs["message-table"] = p
    p = copy("model-5")
    text = (p / "config.toml").read_text()
    (p / "config.toml").write_text("model = 5\n" + text.split("[model]")[0])
    runs["model-5"] = p
    p = copy("weights-cut")
    data = (p / "weights.safetensors").read_bytes()
    (p / "weights.safetensors").write_bytes(data[: len(data) // 2])
    runs["weights-cut"] = p
    return runs


def test_damaged_runs_get_a_message_the_cursor_comes_back_and_the_window_works(qtbot, window, tmp_path):
    w = window(small(steps=10))
    train_to_end(qtbot, w)
    good = w.save_run(tmp_path / "good")
    for name, path in _damaged_runs(tmp_path, good).items():
        w.files.open_interactive(str(path))
        qtbot.waitUntil(lambda: QApplication.overrideCursor() is None, timeout=TIMEOUT)
        text = w.message_bar.text.text()
        assert "Could not open the run" in text and name in text, (name, text)
        assert w.trainer is not None and w.trainer.step == 10  # the run shown stays
    w.open_run(good)  # and the window still opens a good one
    assert w.wait_ready(60) and w.trainer.step == 10


# --- 6. small screens and projectors ---------------------------------------------------------------------------------


def test_zoom_for_a_projector_and_the_char_lm_layout_at_1024x768(qtbot, window):
    from rnnlab.app import theme
    from rnnlab.app.main_window import MainWindow

    w = window(small(task="charlm"))
    w.resize(1024, 768)
    qtbot.waitUntil(lambda: w.view_host.kind == "charlm", timeout=TIMEOUT)
    base = w.panel.editor("model.hidden_size").fontInfo().pointSizeF()
    for zoom in (1.0, 1.3):
        QApplication.processEvents()
        # The loss plots keep a usable width beside the char-LM view (it took all but 85 px before).
        # (85 px wide before; at 130 % the form and the view need more of the 1024 px.)
        assert w.loss_panel.width() >= (250 if zoom == 1.0 else 200) and w.loss_panel.height() >= 250, (
            zoom, w.loss_panel.size(), w.panel.width(), w.view_host.minimumSizeHint(), w.width(), w.top.sizes())
        # Tabbing through the form never slides it sideways, and nothing is cut on the right.
        bar = w.panel.scroll.horizontalScrollBar()
        for field in w.panel._fields.values():
            field.editor.setFocus()
            w.panel.scroll.ensureWidgetVisible(field.editor)
            QApplication.processEvents()
            assert bar.value() == 0
        assert w.panel.body.width() <= w.panel.scroll.viewport().width()
        if zoom == 1.0:
            w.act_zoom_in.trigger()  # 115 %
            w.act_zoom_in.trigger()  # 130 %
            assert theme.zoom() == 1.3
    assert w.panel.editor("model.hidden_size").fontInfo().pointSizeF() == pytest.approx(base * 1.3, abs=0.6)
    assert w.loss_panel.loss.getAxis("left").label.font().pointSizeF() >= base * 1.2 or \
        f"{theme.font_size()}pt" in w.loss_panel.loss.getAxis("left").labelStyle.get("font-size", "")
    again = MainWindow(small())  # the zoom is kept for the next start
    qtbot.addWidget(again)
    assert theme.zoom() == 1.3
    again.ask_before_discarding(False)
    again.act_zoom_reset.trigger()
    assert theme.zoom() == 1.0
    again.close()


def test_at_1024x768_and_130_percent_both_loss_plots_keep_a_readable_plot_area(qtbot, window):
    """The char-LM view leaves the loss panel ~280 px: its legends wrapped to four and three lines and left the plots
    30-45 px tall, 5 px once the baselines joined the legend. Legends beside their titles, brackets dropped before
    wrapping, and the room the panel asks the splitter for (up to 62 %) keep both at 60 px or more (84 and 76 before
    training, 75 and 67 after it; the Gates tab below keeps 235 px)."""
    from rnnlab.app import theme
    from rnnlab.config import experiment

    cfg = experiment("charlm", {"training.steps": 4, "training.eval_every": 2})
    w = window(cfg)
    w.resize(1024, 768)
    qtbot.waitUntil(lambda: w.view_host.kind == "charlm", timeout=TIMEOUT)
    try:
        w.set_zoom(1.3)
        qtbot.waitUntil(lambda: not w.experiment_dock.isVisible(), timeout=5_000)  # hidden by itself (issue 19)
        for trained in (False, True):
            if trained:
                train_to_end(qtbot, w)
            qtbot.wait(300)  # the legends re-wrap to the new widths, the plots take what is left
            panel = w.loss_panel
            heights = {name: p.getViewBox().height() for name, p in (("loss", panel.loss),
                                                                     ("metric", panel.metric_plot))}
            assert min(heights.values()) >= 60, (trained, heights, panel.size(), w.split.sizes())
            assert w.height() == 768 and not w.experiment_dock.isVisible()  # the form gave the plots its room
            assert w.split.sizes()[1] >= 0.35 * sum(w.split.sizes())  # the Gates tab is not crushed for it
    finally:
        w.set_zoom(1.0)
    assert theme.zoom() == 1.0
