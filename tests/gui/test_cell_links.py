"""The Cell tab's links to the rest of the window (issue 22): the Gates tab's cursor is the Cell tab's t; a sentence or
a generated text sent from a task view is probed and walked through with its own words as t's labels; a clamp set in
the Cell tab reaches the task view; saliency in the task views; a race's saliency per run is each run's own."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from rnnlab import config, probe
from rnnlab.app.main_window import MainWindow, settings
from rnnlab.app.plots.cell import CellPanel, link_gates, link_views, track_saliency
from rnnlab.app.plots.cell_numbers import cell_step
from rnnlab.app.plots.gates import GatesPanel
from rnnlab.app.run.model_access import ModelAccess, TrainerApi, build_trainer
from rnnlab.app.run.rundata import RunData
from rnnlab.app.run.runset import RunSet, Track
from rnnlab.app.views.adding import AddingView
from rnnlab.app.views.host import TaskViewHost
from rnnlab.models.probe import Clamp
from rnnlab.train.info import RunInfo
from rnnlab.train.trainer import Trainer, probe_text

pytestmark = pytest.mark.gui
TIMEOUT = 60_000


def trained(cfg: dict, saliency: bool = False) -> Trainer:
    trainer = Trainer(config.from_dict(cfg))
    trainer.probe_saliency = saliency
    for _ in trainer.run():
        pass
    return trainer


def adding(cell: str, steps: int = 4) -> dict:
    return {"task": {"name": "adding", "options": {"length": 12, "train_size": 128}},
            "model": {"cell": cell, "hidden_size": 6},
            "training": {"steps": steps, "device": "cpu", "probe_every": steps, "eval_every": steps}}


SENTIMENT = {"task": {"name": "sentiment", "options": {"vocab_size": 2000}},
             "model": {"cell": "lstm", "hidden_size": 12, "embedding_size": 8},
             "training": {"steps": 3, "device": "cpu", "probe_every": 3, "eval_every": 3}}


@pytest.fixture
def linked(qtbot):
    """`linked(trainer)`: a Cell tab, a Gates tab and a task view host around the trainer's model, linked as in the
    window, each given the trainer's last probe."""
    made = []

    def make(trainer: Trainer):
        access = ModelAccess()
        access.set_trainer(trainer)
        made.append(access)
        api = TrainerApi(access)
        cell, gates, host = CellPanel(api), GatesPanel(), TaskViewHost(api)
        from PySide6.QtWidgets import QTabWidget

        tabs = QTabWidget()
        tabs.addTab(gates, "Gates")
        tabs.addTab(cell, "Cell")
        qtbot.addWidget(tabs)
        qtbot.addWidget(host)
        tabs.resize(1100, 420)
        tabs.show()
        host.resize(900, 600)
        host.show()
        link_gates(cell, gates)
        link_views(cell, host, tabs)
        data = RunData()
        data.add_probe(trainer.last_probe)
        info = RunInfo.of(trainer)
        for panel in (cell, gates, host):
            panel.configure(info)
        gates.refresh(data)
        cell.refresh(data)
        return cell, gates, host, tabs, data

    yield make
    for access in made:
        access.shutdown()


def test_the_gates_cursor_is_the_cell_tabs_t_and_a_click_on_a_heatmap_chooses_it(qtbot, linked):
    trainer = trained(adding("lstm"))
    cell, gates, _host, tabs, _data = linked(trainer)
    tabs.setCurrentWidget(cell)
    cell.slider.setValue(7)
    assert gates.cursor_t == cell.selection()[4] == 7
    assert gates.cursors and all(line.value() == 7.5 for line in gates.cursors)  # the middle of column 7
    cell.setFocus()
    qtbot.keyClick(cell, Qt.Key_Left)
    assert gates.cursor_t == cell.selection()[4] == 6
    # a click on the forget gate's heatmap at t = 3, unit 2 shows that unit at that t in the Cell tab
    tabs.setCurrentWidget(gates)
    qtbot.waitExposed(gates.glw)
    vb = gates.heatmaps["f"].item.getViewBox()
    scene = vb.mapViewToScene(QPointF(3.5, 2.5))
    pos = gates.glw.mapFromScene(scene)
    qtbot.mouseClick(gates.glw.viewport(), Qt.LeftButton, pos=pos)
    assert cell.selection()[3:] == (2, 3) and gates.cursor_t == 3
    assert cell.current == cell_step(trainer.last_probe, 0, 0, 0, 2, 3)
    cell.reset()  # no probe shown: no cursor
    assert gates.cursor_t is None and not any(line.isVisible() for line in gates.cursors)


def test_a_sentence_sent_from_the_sentiment_view_is_walked_through_with_its_own_words(qtbot, linked):
    trainer = trained(SENTIMENT)
    cell, _gates, host, tabs, data = linked(trainer)
    host.refresh(_view_data(trainer, data))
    view = host.view
    sentence = "the acting is not bad , but the zxqwv is dull"
    view.sentence.setText(sentence)
    view.to_cell.click()
    qtbot.waitUntil(lambda: cell.probe is not None and cell.probe is not trainer.last_probe, timeout=TIMEOUT)
    assert tabs.currentWidget() is cell and cell.back_button.isVisible()
    words = sentence.split()
    assert cell.probe.labels == [[w + ("*" if w == "zxqwv" else "") for w in words]]
    assert cell.slider.maximum() == len(words) - 1
    cell.unit.setValue(5)
    cell.slider.setValue(3)
    assert "(not)" in cell.t_label.text()
    # the numbers are a direct probe of that sentence: the probe's own, and torch's fused LSTM's hidden state
    direct = probe_text(trainer.model, trainer.task, sentence, trainer.step)
    assert cell.current == cell_step(direct, 0, 0, 0, 5, 3)
    ids = trainer.task.vocab.encode(words)
    import torch

    with torch.no_grad():
        out = trainer.model.rnn(trainer.model.rnn_input(torch.tensor([ids])))[0][0]
    assert abs(cell.current.h - float(out[3, 5])) < 1e-5
    # a clamp on the sent sentence: the clamped probe of that sentence; Clear gives the sentence back unclamped
    cell.clamp_gate.setCurrentText("f")
    cell.clamp_value.setValue(0.0)
    cell.clamp_apply.click()
    qtbot.waitUntil(lambda: cell.clamps != (), timeout=TIMEOUT)
    assert cell.probe.labels == direct.labels and cell.current.gates["f"] == 0.0
    # a new probe of training ends the clamp: the sentence is shown unclamped at once, not the clamped one kept
    import time

    cell._sent_at = time.monotonic()  # as if the sentence had just been probed: only the clamp's end asks again
    data.probe_version += 1
    cell.refresh(data)
    qtbot.waitUntil(lambda: cell.probe is not None and cell.probe.clamped_gates == (), timeout=TIMEOUT)
    assert cell.probe.labels == direct.labels and cell.current == cell_step(direct, 0, 0, 0, 5, 3)
    cell.back_to_probe()
    assert cell.probe is trainer.last_probe and cell.sent is None and not cell.back_button.isVisible()


def test_a_clamp_in_the_cell_tab_reaches_the_sentiment_view_which_answers_with_and_without_it(qtbot, linked):
    trainer = trained(SENTIMENT)
    cell, _gates, host, _tabs, data = linked(trainer)
    host.refresh(_view_data(trainer, data))
    view = host.view
    sentence = "a gorgeous , witty , seductive movie ."
    view.sentence.setText(sentence)
    view.request()
    qtbot.waitUntil(lambda: view._trace is not None and not view.pending, timeout=TIMEOUT)
    assert view._trace["clamped"] is None and not host.clamp_line.isVisible()
    # each word's saliency is the model's own
    expected = trainer.model.input_saliency(trainer.task.text_batch(sentence)[0])["saliency"][0]
    heights = view.saliency_bars.opts["height"]
    assert np.allclose(heights, expected, rtol=1e-5, atol=1e-8)
    cell.clamp_gate.setCurrentText("o")
    cell.clamp_value.setValue(0.0)
    cell.clamp_apply.click()
    qtbot.waitUntil(lambda: view._trace is not None and view._trace.get("clamped") is not None, timeout=TIMEOUT)
    assert host.clamp_line.isVisible() and "without the clamp" in host.clamp_line.text()
    model = trainer.model
    model.eval()
    with model.clamped((Clamp("o", 0.0),)):
        forced = trainer.task.classify(model, sentence)
    model.train()
    assert view._trace["clamped"]["probabilities"] == pytest.approx(forced["probabilities"], abs=1e-6)
    # o = 0 makes h = 0: the verdict is the head's bias alone, whatever the words
    assert "with o = 0:" in view.verdict.text()
    cell.clear_clamp()
    qtbot.waitUntil(lambda: view._trace is not None and view._trace.get("clamped") is None and not view.pending,
                    timeout=TIMEOUT)
    assert not host.clamp_line.isVisible() and "with o = 0" not in view.verdict.text()


def test_a_generated_text_sent_from_the_charlm_view_is_walked_through_character_by_character(qtbot, linked):
    trainer = trained({"task": {"name": "charlm", "options": {"max_chars": 30_000}},
                       "model": {"cell": "gru", "hidden_size": 16, "embedding_size": 8},
                       "training": {"steps": 2, "tbptt": 32, "batch_size": 8, "device": "cpu", "probe_every": 2,
                                    "eval_every": 2}})
    cell, _gates, host, _tabs, data = linked(trainer)
    host.refresh(_view_data(trainer, data))
    view = host.view
    view.length.setValue(40)
    view.request()
    qtbot.waitUntil(lambda: view.to_cell.isEnabled(), timeout=TIMEOUT)
    written = view.written
    view.to_cell.click()
    qtbot.waitUntil(lambda: cell.probe is not None and cell.sent is not None
                    and cell.probe is not trainer.last_probe, timeout=TIMEOUT)
    labels = cell.probe.labels[0]
    assert len(labels) == len(written) - 1 and labels[:3] == ["R", "O", "M"]
    direct = probe_text(trainer.model, trainer.task, written, trainer.step)
    cell.slider.setValue(9)
    assert cell.current == cell_step(direct, 0, 0, 0, cell.unit.value(), 9)


def test_the_adding_views_saliency_is_the_models_for_the_rows_it_shows(qtbot, linked):
    trainer = trained(adding("lstm", steps=3))
    cell, _gates, host, _tabs, data = linked(trainer)
    host.refresh(_view_data(trainer, data))
    view = host.view
    assert isinstance(view, AddingView)
    view.show_saliency.setChecked(True)
    qtbot.waitUntil(lambda: view.saliency is not None, timeout=TIMEOUT)
    expected = trainer.model.input_saliency(trainer.task.view_batch())["saliency"]
    assert np.allclose(view.saliency, expected, rtol=1e-5, atol=1e-9)
    x, y = view.saliency_curve.getData()
    row0 = y[: expected.shape[1]]
    assert np.allclose(row0, 0.1 + 0.8 * expected[0] / expected[0].max(), atol=1e-6)  # row 0's band, its own max
    # a race's rows come with no model behind this view: the saliency of the model before is not drawn over them
    idle = ModelAccess()
    try:
        view.set_trainer_api(TrainerApi(idle))
        view.update_view(data.view)
        assert view.saliency is None and len(view.saliency_curve.getData()[0] or []) == 0
    finally:
        idle.shutdown()


def test_the_forecast_views_saliency_is_per_month_of_the_last_test_window(qtbot, linked):
    trainer = trained({"task": {"name": "forecast"}, "model": {"cell": "lstm", "hidden_size": 8},
                       "training": {"steps": 3, "device": "cpu", "probe_every": 3, "eval_every": 3}})
    cell, _gates, host, _tabs, data = linked(trainer)
    host.refresh(_view_data(trainer, data))
    view = host.view
    view.show_saliency.setChecked(True)
    qtbot.waitUntil(lambda: view.saliency is not None, timeout=TIMEOUT)
    task = trainer.task
    k, last = task.opts["window"], int(task.splits["test"].extra["origins"][-1])
    x, heights = view.saliency_bars.opts["x"], view.saliency_bars.opts["height"]
    assert list(x) == list(range(last - k + 1, last + 1))  # the months of the last test forecast's window
    test = task.splits["test"]
    from rnnlab.tasks.base import Batch

    own = trainer.model.input_saliency(Batch(test.x[-1:], test.y[-1:]))["saliency"][0]
    assert np.allclose(heights, own, rtol=1e-5, atol=1e-9)


def test_a_races_saliency_per_run_is_each_runs_own(qtbot):
    """Each runner takes its saliency with its probe (a race's models are in other processes); the Cell tab draws
    one curve per run, each its own run's saliency of the chosen sample, scaled to its largest step."""
    from rnnlab.app.many.race_session import _widened
    from rnnlab.experiments.point import _compact

    runs = RunSet()
    trainers = {}
    for cell_kind in ("rnn_tanh", "lstm"):
        trainer = trained(adding(cell_kind, steps=5), saliency=True)
        trainers[cell_kind] = trainer
        data = RunData()
        data.add_probe(_widened(_compact(trainer.last_probe)))  # as it travels from a runner's process
        runs.add(Track(cell_kind, cell_kind, RunInfo.of(trainer), data))
    panel = CellPanel()
    qtbot.addWidget(panel)
    panel.resize(1000, 420)
    panel.show()
    panel.show_runs(runs)
    first = runs.selected_track()
    panel.configure(first.info)
    panel.refresh(first.data)
    panel.sample.setCurrentIndex(2)
    assert panel.saliency_box.isVisible() and "saliency" in panel.info.text()
    for key, trainer in trainers.items():
        own = trainer.model.input_saliency(trainer.task.probe_batch())["saliency"]  # no step after the last probe
        assert np.allclose(trainer.last_probe.saliency, own, rtol=1e-5, atol=1e-9)
        row = track_saliency(runs.get(key), 2)
        x, y = panel.overlay.items[key][0].getData()
        assert np.allclose(y, row / row.max()) and np.allclose(row, own[2], rtol=1e-5, atol=1e-9)
    panel.show_runs(None)
    assert panel.overlay.items == {}


def test_run_point_takes_the_saliency_with_each_probe_only_for_a_race(tmp_path):
    from rnnlab.experiments.events import PointJob, PointProgress
    from rnnlab.experiments.point import run_point

    for detail in (True, False):
        events = []
        cfg = config.from_dict(adding("lstm", steps=4))
        run_point(PointJob("p", config.to_dict(cfg), progress_s=0.0, detail=detail), events.append)
        probes = [e.probe for e in events if isinstance(e, PointProgress) and e.probe is not None]
        if detail:
            assert probes and all(p.saliency is not None and p.saliency.shape == (8, 12) for p in probes)
        else:
            assert probes == []


def _view_data(trainer: Trainer, data: RunData) -> RunData:
    from rnnlab.modes import evaluating

    with evaluating(trainer.model):
        data.set_view(trainer.task.view(trainer.model))
    return data


@pytest.fixture
def window(qtbot):
    settings().clear()
    made = []

    def make(cfg) -> MainWindow:
        w = MainWindow(cfg)
        w.ask_before_discarding(False)
        qtbot.addWidget(w)
        w.resize(1280, 800)
        w.show()
        assert w.wait_ready(30)
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()


def test_the_window_links_the_cell_tab_to_the_gates_tab_and_the_task_view(qtbot, window):
    cfg = config.from_dict({"task": {"name": "sentiment", "options": {"vocab_size": 2000}},
                            "model": {"cell": "lstm", "hidden_size": 8, "embedding_size": 4},
                            "training": {"steps": 2, "probe_every": 2}})
    w = window(cfg)
    with qtbot.waitSignal(w.training_finished, timeout=TIMEOUT):
        assert w.start_training()
    w.tabs.setCurrentWidget(w.cell_panel)
    qtbot.waitUntil(lambda: w.cell_panel.current is not None, timeout=TIMEOUT)
    w.cell_panel.slider.setValue(2)
    assert w.gates_panel.cursor_t == 2
    qtbot.waitUntil(lambda: hasattr(w.view_host.view, "to_cell"), timeout=TIMEOUT)
    w.view_host.view.sentence.setText("not good")
    w.view_host.view.to_cell.click()
    qtbot.waitUntil(lambda: w.cell_panel.probe is not None and w.cell_panel.probe.labels == [["not", "good"]],
                    timeout=TIMEOUT)
    assert w.tabs.currentWidget() is w.cell_panel
