"""Every task view is a panel of the window (app/panel.py) and runs alone: `python -m rnnlab.app.views.<kind>`."""

from __future__ import annotations

import runpy
import sys

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from rnnlab.app import theme, views
from rnnlab.app.run.model_access import ModelAccess, TrainerApi
from rnnlab.app.run.panel import Panel
from rnnlab.app.run.rundata import RunData
from rnnlab.app.views.host import TaskViewHost
from rnnlab.modes import evaluating
from rnnlab.train.info import RunInfo

pytestmark = pytest.mark.gui
KINDS = views.kinds()
TASK = "dates"  # the host test's trainer (conftest's `trainer` fixture)


def real_view(trainer) -> RunData:
    """A RunData holding the task's view of `trainer`'s model, as the worker sends it."""
    data = RunData()
    with evaluating(trainer.model):
        data.set_view(trainer.task.view(trainer.model))
    return data


def test_every_task_has_its_view():
    assert KINDS == ["adding", "charlm", "dates", "forecast", "memory", "sentiment", "tagging"]
    for kind in KINDS:  # registered under the kind the task's view() names, in the module of that name
        cls = views.view_for(kind)
        assert cls.view_kind == kind and cls.__module__ == f"rnnlab.app.views.{kind}"
    assert views.view_for("no such view") is views.MissingView and views.view_for(None) is views.MissingView


def test_a_view_that_is_no_panel_is_refused_at_registration():
    from PySide6.QtWidgets import QWidget

    class Plain(QWidget):
        def update_view(self, data): ...

    class Blind(views.TaskView):
        pass

    with pytest.raises(TypeError, match="TaskView"):
        views.register_view("plain")(Plain)
    with pytest.raises(TypeError, match="update_view"):
        views.register_view("blind")(Blind)
    assert "plain" not in views.kinds() and "blind" not in views.kinds()


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_each_view_is_a_panel_and_draws_a_real_view(qtbot, kind, tiny_trainer, new_view):
    trainer = tiny_trainer(kind)
    w = new_view(views.view_for(kind), size=(800, 500))
    assert isinstance(w, Panel)
    w.configure(RunInfo.of(trainer))
    empty = RunData()
    assert not w.has_news(empty)
    blank = w.grab().toImage()
    access = ModelAccess()
    access.set_trainer(trainer)
    try:
        if hasattr(w, "set_trainer_api"):  # as the window does: the view's own question is part of what it shows
            w.set_trainer_api(TrainerApi(access))
        data = real_view(trainer)
        assert w.has_news(data)
        w.refresh(data)
        assert not w.has_news(data)
        qtbot.waitUntil(lambda: not getattr(w, "pending", False), timeout=30_000)
        assert w.grab().toImage() != blank  # it drew
    finally:
        access.shutdown()
    w.reset()
    assert w.has_news(data)  # after a reset the same view is drawn again


@pytest.mark.slow
def test_the_host_is_a_panel_and_hands_its_view_the_run(qtbot, tiny_trainer, api, trainer):
    host = TaskViewHost(api)
    qtbot.addWidget(host)
    assert isinstance(host, Panel)
    info = RunInfo.of(trainer)
    host.configure(info)
    data = real_view(trainer)
    assert host.has_news(data)
    host.refresh(data)
    assert not host.has_news(data)
    view = host.view
    assert isinstance(view, views.view_for("dates")) and view.info is info and view.api is api
    qtbot.waitUntil(lambda: not view.pending and "the model's answer" in view.answer.text(), timeout=30_000)
    host.reset()
    assert host.has_news(data) and view.has_news(data)
    data.set_view({"kind": "no such view"})
    host.refresh(data)
    assert isinstance(host.view, views.MissingView) and "no such view" in host.view.label.text()


# The views package imports every view to register it, so runpy (like `python -m`) finds the module imported already.
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:.*found in sys.modules after import of package:RuntimeWarning")
@pytest.mark.parametrize("kind", KINDS)
def test_each_view_runs_alone_on_a_tiny_trained_model(kind, tmp_path, new_view, monkeypatch):
    """`python -m rnnlab.app.views.<kind> --grab PNG`, run here (runpy runs the module's own `__main__` block, in
    this process's QApplication): it trains its tiny model, draws, saves the picture and quits."""
    module = views.view_for(kind).__module__
    png = tmp_path / f"{kind}.png"
    before = set(QApplication.topLevelWidgets())
    monkeypatch.setattr(sys, "argv", [module, "--grab", str(png)])
    try:
        with pytest.raises(SystemExit) as done:
            runpy.run_module(module, run_name="__main__", alter_sys=False)
    finally:
        for w in set(QApplication.topLevelWidgets()) - before:  # the view the module showed (Python deletes it)
            w.close()
    assert done.value.code == 0
    drawn = QImage(str(png))
    assert not drawn.isNull()
    theme.apply(QApplication.instance())  # the same style as the module's own window
    undrawn = new_view(views.view_for(kind), size=(drawn.width(), drawn.height())).grab().toImage()
    assert drawn.size() == undrawn.size() and drawn.convertToFormat(undrawn.format()) != undrawn


@pytest.mark.parametrize("kind", ["charlm", "dates", "sentiment", "tagging"])
def test_an_interactive_view_without_a_model_says_so(kind, new_view):
    access = ModelAccess()  # no trainer yet: the window before its first model arrives
    try:
        w = new_view(views.view_for(kind))
        w.set_trainer_api(TrainerApi(access))
        assert "No model yet" in w.note.text() and not w.pending
    finally:
        access.shutdown()
