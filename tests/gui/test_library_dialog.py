"""The run library browser on a real library folder: real runs of two tasks, a real sweep, damaged folders."""

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from rnnlab.app.output.library_dialog import COLUMNS, DAMAGED, LibraryDialog
from rnnlab.experiments import LocalExecutor, SweepRunner, sweep as sweep_mod
from rnnlab.runs import library
from rnnlab.runs.store import save_run
from rnnlab.train.trainer import Trainer

from helpers import TINY_SWEEP, assert_drawn, configured

pytestmark = pytest.mark.gui


def tiny(task, cell):
    return configured(task, {"model.cell": cell, "model.hidden_size": 4}, steps=6, eval_every=3)


def save(root, name, cfg):
    trainer = Trainer(cfg)
    list(trainer.run())
    return save_run(trainer, library.runs_folder(root) / name)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    root = tmp_path_factory.mktemp("library")
    save(root, "adding-gru", tiny("adding", "gru"))
    save(root, "adding-lstm", tiny("adding", "lstm"))
    save(root, "forecast-lstm", tiny("forecast", "lstm"))
    list(SweepRunner(sweep_mod.loads(TINY_SWEEP), library.sweeps_folder(root) / "cells", LocalExecutor(1)).events())
    broken = library.runs_folder(root) / "truncated"
    broken.mkdir()
    good = library.runs_folder(root) / "adding-gru"
    for f in ("config.toml", "weights.safetensors", "metrics.csv"):
        (broken / f).write_bytes((good / f).read_bytes())
    (broken / "summary.json").write_text((good / "summary.json").read_text()[:30])
    return root


@pytest.fixture
def dialog(qtbot, home, monkeypatch):
    monkeypatch.setenv(library.HOME_ENV, str(home))
    d = LibraryDialog()
    qtbot.addWidget(d)
    assert d.state.text() == "Reading…" and d.entries == []  # nothing is read on the GUI thread
    d.show()
    qtbot.waitUntil(lambda: d.state.text() != "Reading…", timeout=10_000)
    yield d
    d.shutdown()


def select(d, *names):
    """Click the rows as a user does: the first one, then Ctrl+click the others."""
    for i, name in enumerate(names):
        rect = d.table.visualRect(cell(d, name, "Name"))
        QTest.mouseClick(d.table.viewport(), Qt.LeftButton, Qt.ControlModifier if i else Qt.NoModifier,
                         rect.center())
    assert sorted(e.name for e in d.selected()) == sorted(names)


def cell(d, name, column):
    row = next(r for r in range(d.proxy.rowCount()) if d.proxy.index(r, 0).data() == name)
    return d.proxy.index(row, COLUMNS.index(column))


@pytest.mark.slow
def test_every_run_and_sweep_has_its_row(dialog, home):
    assert sorted(dialog.visible_names()) == ["adding-gru", "adding-lstm", "cells", "forecast-lstm", "truncated"]
    assert dialog.state.text() == "4 runs, 1 sweep, 1 damaged"
    assert cell(dialog, "adding-lstm", "Cell").data() == "LSTM"
    mse = json.loads((library.runs_folder(home) / "adding-lstm" / "summary.json").read_text())["test"]["mse"]
    assert cell(dialog, "adding-lstm", "Metric").data() == f"test MSE {mse:.4g}"
    assert cell(dialog, "cells", "What differs").data() == "cell: vanilla RNN (tanh), GRU"
    assert cell(dialog, "cells", "Kind").data() == "sweep"


def test_the_table_sorts_by_a_column(dialog):
    dialog.table.sortByColumn(COLUMNS.index("Task"), Qt.DescendingOrder)
    assert dialog.visible_names()[0] == "truncated" or dialog.visible_names()[0] == "forecast-lstm"
    dialog.table.sortByColumn(COLUMNS.index("Name"), Qt.AscendingOrder)
    assert dialog.visible_names() == ["adding-gru", "adding-lstm", "cells", "forecast-lstm", "truncated"]


def test_the_task_filter_shows_one_task(dialog):
    assert [dialog.task_filter.itemText(i) for i in range(dialog.task_filter.count())] == \
        ["All tasks", "adding", "forecast"]
    dialog.task_filter.setCurrentText("forecast")
    assert dialog.visible_names() == ["forecast-lstm"]
    dialog.task_filter.setCurrentText("adding")
    assert sorted(dialog.visible_names()) == ["adding-gru", "adding-lstm", "cells"]
    dialog.task_filter.setCurrentText("All tasks")
    assert len(dialog.visible_names()) == 5


def test_compare_takes_runs_of_one_task(dialog, qtbot, home):
    select(dialog, "adding-gru")
    assert not dialog.compare_button.isEnabled()
    select(dialog, "adding-gru", "adding-lstm")
    assert dialog.compare_button.isEnabled()
    with qtbot.waitSignal(dialog.compare_requested, timeout=2000) as sig:
        dialog.compare_button.click()
    assert sorted(sig.args[0]) == sorted(str(library.runs_folder(home) / n) for n in ("adding-gru", "adding-lstm"))


def test_compare_refuses_runs_of_different_tasks_and_says_why(dialog):
    select(dialog, "adding-gru", "forecast-lstm")
    assert not dialog.compare_button.isEnabled()
    message = ("These runs are of different tasks (adding, forecast): their losses and metrics are not comparable. "
               "Compare runs of one task.")
    assert dialog.hint.text() == message and dialog.compare_button.toolTip() == message
    select(dialog, "adding-gru", "cells")
    assert not dialog.compare_button.isEnabled() and "sweep" in dialog.hint.text()


def test_open_asks_for_a_run_or_a_sweep(dialog, qtbot, home):
    select(dialog, "cells")
    with qtbot.waitSignal(dialog.sweep_requested, timeout=2000) as sig:
        dialog.open_button.click()
    assert sig.args == [str(library.sweeps_folder(home) / "cells")]


def test_a_damaged_entry_is_greyed_with_its_reason(dialog):
    index = cell(dialog, "truncated", "Status")
    assert index.data() == "damaged" and index.data(Qt.ForegroundRole).color() == DAMAGED
    assert "summary.json is damaged" in index.data(Qt.ToolTipRole)
    assert "summary.json is damaged" in cell(dialog, "truncated", "What differs").data()
    select(dialog, "truncated")
    assert not dialog.open_button.isEnabled() and dialog.delete_button.isEnabled()
    assert "cannot be opened" in dialog.hint.text() and "summary.json is damaged" in dialog.hint.text()


def test_delete_asks_then_removes_the_folder_and_the_row(dialog, qtbot, home):
    victim = save(home, "victim", tiny("adding", "rnn_tanh"))
    dialog.refresh()
    qtbot.waitUntil(lambda: "victim" in dialog.visible_names(), timeout=10_000)
    select(dialog, "victim")
    dialog.delete_button.click()
    box = dialog.findChild(QMessageBox)
    assert box is not None and "victim" in box.text() and victim.is_dir()  # nothing deleted before the answer
    box.button(QMessageBox.Yes).click()
    qtbot.waitUntil(lambda: "victim" not in dialog.visible_names(), timeout=10_000)
    assert not victim.exists() and dialog.state.text().startswith("Deleted 1 item.")
    assert "adding-gru" in dialog.visible_names()


def test_cancelling_the_question_deletes_nothing(dialog, qtbot, home):
    select(dialog, "adding-gru")
    dialog.delete_button.click()
    box = dialog.findChild(QMessageBox)
    box.button(QMessageBox.Cancel).click()
    dialog.wait_idle()
    qtbot.wait(50)
    assert (library.runs_folder(home) / "adding-gru").is_dir() and "adding-gru" in dialog.visible_names()


def test_at_1280x800_two_selected_runs_show_whole_and_the_dialog_draws(dialog):
    dialog.resize(1280, 800)
    select(dialog, "adding-gru", "forecast-lstm")
    viewport = dialog.table.viewport().rect()
    for name in ("adding-gru", "forecast-lstm"):
        assert viewport.contains(dialog.table.visualRect(cell(dialog, name, "Name")))
    assert_drawn(dialog)


def test_save_proposes_a_new_folder_in_the_library(tmp_path, monkeypatch):
    from rnnlab.app import places

    monkeypatch.setenv(library.HOME_ENV, str(tmp_path))
    places.settings().remove("folders/runs")
    proposal = places.new_run_path(tiny("adding", "gru"))
    assert proposal.startswith(str(tmp_path / "runs" / "adding-gru-")) and not (tmp_path / "runs" / proposal).exists()
    assert places.last_folder("runs") == str(tmp_path / "runs")  # Open starts there too, until the user goes elsewhere


def test_closing_while_reading_leaves_no_thread(qtbot, home):
    import threading

    d = LibraryDialog(root=home)
    qtbot.addWidget(d)
    d.show()
    d.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("rnnlab-library")]


def test_a_folder_saved_elsewhere_is_only_taken_off_the_list(qtbot, tmp_path):
    outside = save(tmp_path / "other", "cli-run", tiny("adding", "gru"))
    library.remember(outside, tmp_path / "lib")
    d = LibraryDialog(root=tmp_path / "lib")
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: d.visible_names() == ["cli-run"], timeout=10_000)
    select(d, "cli-run")
    d.delete_button.click()
    box = d.findChild(QMessageBox)
    assert "taken off" in box.text()
    box.button(QMessageBox.Yes).click()
    qtbot.waitUntil(lambda: d.visible_names() == [], timeout=10_000)
    assert (outside / "weights.safetensors").exists()
    d.shutdown()
