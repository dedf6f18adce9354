"""Several runs in the real window (issue 13): a 3-cell race on the adding problem overlaid live with one colour per
run on every plot, paused, stepped and stopped as one, its end table; closing mid-race; saved runs compared (and
refused across tasks); a sweep folder opened on its lag-versus-success chart."""

import math
import multiprocessing as mp
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QMessageBox

from rnnlab import config
from rnnlab.app.many.manyruns import RESULTS_TAB
from rnnlab.app.threads import running
from rnnlab.experiments import LocalExecutor, SweepRunner
from rnnlab.experiments.sweep import build, to_toml
from rnnlab.runs.store import save_run
from rnnlab.train.trainer import Trainer

from helpers import configured

from helpers import answer_next_dialog, train_to_end
from helpers import small

pytestmark = pytest.mark.slow  # every test here takes seconds

CELLS = ["rnn_tanh", "lstm", "gru"]
OVERLAID = ("loss_panel", "grad_panel", "gradtime_panel")


def adding(steps: int, cell: str = "lstm", length: int = 12) -> config.RunConfig:
    cfg = configured("adding", {"task.length": length, "model.cell": cell, "model.hidden_size": 8,
                                "training.steps": steps, "training.eval_every": 10, "training.probe_every": 10,
                                "training.seed": 3})
    return cfg


def workers() -> list:
    return [p for p in mp.active_children() if p.name == "rnnlab-sweep-worker"]


def colour(curve) -> str:
    return QColor(curve.opts["pen"].color()).name().lower()


def start_race_from_the_toolbar(qtbot, w, cells=CELLS):
    """Run > Race... with the dialog's choice of cells, as a user clicks it."""
    def choose():
        dialog = QApplication.activeModalWidget()
        assert dialog is not None and dialog.objectName() == "raceDialog"
        for cell, box in dialog.cells.items():
            box.setChecked(cell in cells)
        dialog.accept()

    QTimer.singleShot(200, choose)
    w.act_race.trigger()
    assert w.many.mode == "race"


def test_a_three_cell_race_overlays_live_and_is_paused_stepped_and_stopped_as_one(qtbot, window):
    w = window(adding(100_000))
    start_race_from_the_toolbar(qtbot, w)
    runs = w.many.all_runs
    assert [t.key for t in runs] and len(runs) == 3
    qtbot.waitUntil(lambda: all(len(t.data.steps) > 20 and t.data.last_probe is not None for t in runs),
                    timeout=120_000)
    qtbot.waitUntil(lambda: all(len(w.loss_panel.overlay.items.get(t.key, [])) > 0 for t in runs), timeout=10_000)
    # Three curves on each of the three plots, each run in the same colour everywhere, named in every legend.
    assert len({t.colour for t in runs}) == 3
    for name in OVERLAID:
        panel = getattr(w, name)
        panel.refresh(None)
        assert set(panel.overlay.items) == {t.key for t in runs}, name
        for track in runs:
            curves = panel.overlay.items[track.key]
            assert curves and all(colour(c) == track.colour.lower() for c in curves), (name, track.label)
            assert any(c.yData is not None and len(c.yData) > 0 for c in curves), (name, track.label)
        assert sorted(panel.legend.labels().values()) == sorted(t.label for t in runs)
    # The Gates tab shows the run chosen in the legend.
    qtbot.mouseClick(w.loss_panel.legend.buttons[runs.tracks[2].key], Qt.LeftButton)
    assert runs.selected == runs.tracks[2].key and w.data is runs.tracks[2].data
    # Pause, one step, stop: for the whole race.
    w.act_pause.trigger()
    qtbot.waitUntil(lambda: all(t.status == "paused" for t in runs), timeout=60_000)
    before = {t.key: t.info.step for t in runs}
    qtbot.wait(500)
    assert {t.key: t.info.step for t in runs} == before  # paused: nothing trains on
    w.act_step.trigger()
    qtbot.waitUntil(lambda: all(t.info.step == before[t.key] + 1 for t in runs), timeout=60_000)
    with qtbot.waitSignal(w.many.race.ended, timeout=120_000):
        w.act_stop.trigger()
    # The end table: a row per run with finite numbers, and the sentence on speed.
    table = w.many.table.table
    assert w.tabs.tabText(w.tabs.currentIndex()) == RESULTS_TAB
    assert table.rowCount() == 3
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    for row in range(3):
        for name in headers:
            if name.startswith(("test", "steps/s", "wall")):
                assert math.isfinite(float(table.item(row, headers.index(name)).text())), (row, name)
    assert "steps/s" in w.many.race.sentence
    assert {t.status for t in runs} == {"stopped"}
    assert workers() == []


def test_closing_the_window_mid_race_leaves_no_thread_and_no_worker(qtbot, window):
    w = window(adding(1_000_000))
    start_race_from_the_toolbar(qtbot, w, cells=["rnn_tanh", "gru"])
    qtbot.waitUntil(lambda: all(len(t.data.steps) > 0 for t in w.many.all_runs), timeout=120_000)
    assert len(workers()) == 2
    w.close()
    assert workers() == []
    assert "rnnlab-experiment" not in running()
    assert not w.many.race.is_running()


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    root = tmp_path_factory.mktemp("saved")
    out = {}
    for cell in ("rnn_tanh", "lstm"):
        trainer = Trainer(adding(30, cell))
        for _ in trainer.run():
            pass
        out[cell] = str(save_run(trainer, root / cell))
    trainer = Trainer(config.from_dict({"task": {"name": "forecast"}, "model": {"hidden_size": 8},
                                        "training": {"steps": 20}}))
    for _ in trainer.run():
        pass
    out["forecast"] = str(save_run(trainer, root / "forecast"))
    return out


def test_two_saved_runs_are_compared_and_one_click_shows_one_alone_or_removes_it(qtbot, window, saved):
    w = window(small())
    w.many.compare([saved["rnn_tanh"], saved["lstm"]])
    assert w.many.wait_loaded()
    runs = w.many.all_runs
    assert w.many.mode == "compare" and [t.label for t in runs] == ["vanilla RNN (tanh)", "LSTM"]
    assert w.config().task.name == "adding"  # the form shows the compared runs' settings, not the last experiment
    for name in OVERLAID:
        assert len(getattr(w, name).overlay.items) == 2, name
    losses = [t.data.col("train_loss") for t in runs]
    assert not np.allclose(losses[0], losses[1])  # two different runs, not one drawn twice
    alone, _remove = w.many.bar.buttons[runs.tracks[1].key]
    qtbot.mouseClick(alone, Qt.LeftButton)
    assert list(w.loss_panel.overlay.items) == [runs.tracks[1].key]
    qtbot.mouseClick(w.many.bar.buttons[runs.tracks[1].key][0], Qt.LeftButton)
    assert len(w.loss_panel.overlay.items) == 2
    qtbot.mouseClick(w.many.bar.buttons[runs.tracks[0].key][1], Qt.LeftButton)
    assert list(w.loss_panel.overlay.items) == [runs.tracks[0].key] and len(w.many.all_runs) == 1
    qtbot.mouseClick(w.many.bar.back_button, Qt.LeftButton)
    assert w.many.mode is None and w.loss_panel.overlay.runs is None
    assert w.wait_ready(30)


def test_comparing_asks_before_an_unsaved_run_is_dropped(qtbot, window, saved):
    w = window(small(steps=20))
    w.ask_before_discarding(True)
    assert train_to_end(qtbot, w) == "finished" and w.has_unsaved_run()
    answer_next_dialog(qtbot, lambda box: box.button(QMessageBox.Cancel).click())
    w.many.compare([saved["rnn_tanh"], saved["lstm"]])
    assert w.many.wait_loaded()
    assert w.many.mode is None and w.trainer is not None and w.trainer.step == 20  # Cancel: the run stays
    w.ask_before_discarding(False)


def test_runs_of_different_tasks_are_refused_with_the_reason(qtbot, window, saved):
    w = window(small())
    w.many.compare([saved["lstm"], saved["forecast"]])
    assert w.many.wait_loaded()
    assert w.many.mode is None
    text = w.message_bar.text.text()
    assert "different tasks" in text and "adding" in text and "forecast" in text


def test_a_sweep_folder_opens_on_one_line_per_cell(qtbot, window, tmp_path):
    sweep = build(adding(20), {"task.length": [5, 10], "model.cell": ["rnn_tanh", "lstm"]}, [0])
    sweep = replace(sweep, source_text=to_toml(sweep))
    for _ in SweepRunner(sweep, tmp_path / "sweep", LocalExecutor(2)).events():
        pass
    w = window(small())
    w.many.open_sweep(tmp_path / "sweep")
    view = w.many.sweep_windows[-1]
    qtbot.waitUntil(lambda: view.summary is not None, timeout=30_000)
    assert view.x_axis() == "task.length"
    means = sorted(c.name().removesuffix(" mean") for c in view.plot.listDataItems() if c.name().endswith(" mean"))
    assert means == ["LSTM", "vanilla RNN (tanh)"]
    view.close()
