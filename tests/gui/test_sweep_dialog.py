"""Starting a sweep from the window: the form checks its fields with the config's rules, a tiny sweep runs to its end
with the progress bar reaching the total and then shows its results, and a sweep cancelled mid-way resumes: only
the points that were not done run again, and closing leaves no worker behind."""

import multiprocessing as mp

import pytest
from PySide6.QtCore import Qt

from rnnlab.app.many.sweep_dialog import SweepDialog
from rnnlab.experiments import read_results
from rnnlab.experiments.events import PointEnded

from helpers import configured


def base(steps):
    cfg = configured("adding", {"task.length": 5, "model.hidden_size": 8, "training.steps": steps,
                                "training.eval_every": 10})
    return cfg


def dialog_for(qtbot, tmp_path, steps, axis="model.cell = rnn_tanh, lstm", seeds="0, 1", workers=2):
    dialog = SweepDialog(base(steps), folder=tmp_path / "sweep")
    qtbot.addWidget(dialog)
    dialog.axis_edits[0].setText(axis)
    dialog.seeds_edit.setText(seeds)
    dialog.workers_spin.setValue(workers)
    dialog.ray_edit.setText("")
    dialog.show()
    return dialog


def workers_left():
    return [p for p in mp.active_children() if p.name == "rnnlab-sweep-worker"]


def test_the_form_shows_the_config_rules_message_under_the_field_and_disables_start(qtbot, tmp_path):
    dialog = dialog_for(qtbot, tmp_path, 20)
    assert dialog.start_button.isEnabled() and dialog.points_label.text() == "4 points of 20 steps"
    dialog.axis_edits[0].setText("model.cell = rnn_tanh, lstn")
    assert not dialog.start_button.isEnabled()
    assert dialog.errors["axis0"].isVisibleTo(dialog) and "lstn" in dialog.errors["axis0"].text()
    dialog.axis_edits[0].setText("model.cel = lstm")
    assert "model.cel" in dialog.errors["axis0"].text()
    dialog.axis_edits[0].setText("model.cell = lstm, gru")
    dialog.axis_edits[1].setText("task.length = 10, -3")
    assert not dialog.start_button.isEnabled() and "task.length" in dialog.errors["axis1"].text()
    assert not dialog.errors["axis0"].isVisibleTo(dialog)
    dialog.axis_edits[1].setText("task.length = 10, 50")
    dialog.seeds_edit.setText("0, x")
    assert "sweep.seeds" in dialog.errors["seeds"].text() and not dialog.start_button.isEnabled()
    dialog.seeds_edit.setText("0, 1, 2")
    assert dialog.start_button.isEnabled() and dialog.points_label.text() == "12 points of 20 steps"
    (tmp_path / "file").write_text("x")
    dialog.folder_edit.setText(str(tmp_path / "file"))
    assert "is a file" in dialog.errors["folder"].text() and not dialog.start_button.isEnabled()


@pytest.mark.slow
def test_a_tiny_sweep_runs_to_its_end_and_shows_its_results(qtbot, tmp_path):
    dialog = dialog_for(qtbot, tmp_path, 20)
    done = []
    dialog.sweep_done.connect(done.append)
    with qtbot.waitSignal(dialog.view.loaded, timeout=180_000):
        qtbot.mouseClick(dialog.start_button, Qt.LeftButton)
    assert done == [str(tmp_path / "sweep")]
    assert dialog.bar.maximum() == 4 and dialog.bar.value() == 4
    assert dialog.pages.currentWidget() is dialog.view
    assert dialog.view.model.rowCount() == 4
    assert {r["status"] for r in read_results(tmp_path / "sweep")} == {"finished"}
    qtbot.waitUntil(lambda: not dialog.thread.is_running(), timeout=30_000)
    assert workers_left() == []


@pytest.mark.slow
def test_cancel_mid_sweep_then_resume_runs_only_the_points_not_done(qtbot, tmp_path):
    dialog = dialog_for(qtbot, tmp_path, 300, axis="model.cell = rnn_tanh, gru", seeds="0, 1", workers=1)
    ended = []
    qtbot.mouseClick(dialog.start_button, Qt.LeftButton)
    dialog.thread.event.connect(lambda e: isinstance(e, PointEnded) and ended.append(e.point_id))
    qtbot.waitUntil(lambda: len(ended) == 1, timeout=180_000)
    qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)
    assert not dialog.thread.is_running() and workers_left() == []
    assert dialog.resume_button.isVisibleTo(dialog) and "Cancelled: 1 of 4 points done" in dialog.status_label.text()
    rows = {r["point"]: r for r in read_results(tmp_path / "sweep")}
    first = ended[0]
    assert rows[first]["status"] == "finished"
    assert all(r["status"] in ("interrupted", "pending") for p, r in rows.items() if p != first)
    run_config = tmp_path / "sweep" / "runs" / first / "config.toml"
    stamp = run_config.stat().st_mtime_ns

    dialog.close()

    # later: the same sweep started into the same folder from a new dialog
    again = dialog_for(qtbot, tmp_path, 300, axis="model.cell = rnn_tanh, gru", seeds="0, 1", workers=1)
    with qtbot.waitSignal(again.view.loaded, timeout=180_000):
        qtbot.mouseClick(again.start_button, Qt.LeftButton)
    assert again.runner.skipped == [first]
    assert run_config.stat().st_mtime_ns == stamp  # the finished point was not trained again
    assert again.bar.value() == again.bar.maximum() == 4
    assert "1 done before" in again.status_label.text()
    assert {r["status"] for r in read_results(tmp_path / "sweep")} == {"finished"}


@pytest.mark.parametrize("text, message", [("10, 50", "key = value"), ("task.length =", "separated by commas")])
def test_an_axis_without_a_key_or_values_is_named(qtbot, tmp_path, text, message):
    dialog = dialog_for(qtbot, tmp_path, 20, axis=text)
    assert message in dialog.errors["axis0"].text() and not dialog.start_button.isEnabled()
