"""Task views: one module per view, registered under the `"kind"` string that `Task.view(model)` returns.

The contract (follow it when you add a view; `forecast.py` and `adding.py` are the examples)
-----------------------------------------------------------------------------------------------

A task's `view(model)` returns plain data with a `"kind"`: ``{"kind": "forecast", "values": ndarray, ...}``.
A view is ONE module in this package (auto-discovered, like the tasks) with one `TaskView` subclass (`base.py`:
the window's panel contract, configure / reset / has_news / refresh, on top of `update_view`, and `refresh_fonts`
for the zoom); a view that asks the model itself subclasses `InteractiveView` (`interactive.py`)::

    from . import register_view
    from .interactive import InteractiveView

    @register_view("sentiment")                 # the same string as the task's view()["kind"]
    class SentimentView(InteractiveView):
        def __init__(self, parent=None): ...     # build every widget / plot item ONCE here; self.note = a QLabel
        def update_view(self, data: dict): ...   # required: draw `data` (update items with setData, never re-create)
        def ask(self): ...                       # interactive: the engine call fn(task, model) for what was typed
        def show_result(self, value): ...        # interactive: its answer, on the GUI thread

Threads and timing::

    worker thread                      GUI thread
    -------------                      ----------
    data = task.view(model)  ----->    view.update_view(data)      (a few times per second at most, while training,
    (between optimizer steps)                                       once after Reset / Open run / the end of a run)

* `update_view` runs on the GUI thread and must be cheap (setData / setText, no torch calls, no file I/O). `data` is
  yours: it is never touched again by anyone else.
* Never hold on to the model or the task in a view, and never call torch on the GUI thread. Anything that needs the
  model goes through the `TrainerApi` that the window hands to `set_trainer_api(api)` (see `model_access.TrainerApi`);
  `InteractiveView.request()` submits what `ask()` returns, debounced while the user types::

      def ask(self):
          text = self.sentence.text()
          return lambda task, model: task.classify(model, text)            # runs off the GUI thread

  `fn(task, model)` runs on a background thread with exclusive use of the model: while training runs it runs on the
  training thread *between two optimizer steps* (so weights never change under it, and "generate text live while
  training continues" just works); when training is paused or not running it runs on a helper thread. The model is in
  eval mode with gradients off (an engine method that needs them turns them on itself, e.g. with
  `rnnlab.modes.evaluating(model, grad=True)`).
  `fn` is one call of an engine method that returns plain data (numbers, strings, numpy arrays copied off the graph),
  never a tensor or a widget: the model work itself lives in the task (`CharLMTask.sample`, `SentimentTask.gate_trace`).
  Keep it short (one forward pass or one short generation): training waits while it runs. Results arrive on the GUI
  thread in submission order; a newer request of the same view replaces an older one that has not started yet.
* A view module may import PySide6, pyqtgraph, numpy and `rnnlab.app.theme` (colours, fonts); never torch.
* Make the module runnable alone (``python -m rnnlab.app.views.forecast``) on a real view dict: end it with
  `run_alone(ForecastView, <a tiny config dict>)` from `_alone.py`, which trains that config a few steps first.

If a task's view() has no `"kind"` or no view is registered for it, the window shows `MissingView`, which says so.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout

from .base import TaskView
from ...registry import Registry
from ...i18n import N_, _, ngettext

_REGISTRY: Registry[type[TaskView]] = Registry(__name__, __path__)


def register_view(kind: str) -> Callable[[type[TaskView]], type[TaskView]]:
    """Class decorator: the view for task views whose data has ``"kind": kind``."""

    def decorate(cls: type[TaskView]) -> type[TaskView]:
        if not issubclass(cls, TaskView):  # the window treats every view as a panel (app/panel.py)
            raise TypeError(f"view {cls.__name__} for {kind!r} must subclass views.base.TaskView")
        if not callable(getattr(cls, "update_view", None)):
            raise TypeError(f"view {cls.__name__} for {kind!r} has no update_view(data) method")
        if kind in _REGISTRY and _REGISTRY[kind].__qualname__ != cls.__qualname__:
            raise ValueError(_("two views are registered for kind {kind!r}: {type} and {type2}").format(kind=kind, type=_REGISTRY[kind].__name__, type2=cls.__name__))
        _REGISTRY[kind] = cls
        cls.view_kind = kind
        return cls

    return decorate


def kinds() -> list[str]:
    """Every registered view kind."""
    return sorted(_REGISTRY.loaded())


def view_for(kind: str | None) -> type[TaskView]:
    """The view class for a kind; `MissingView` when none is registered (or the task has no view)."""
    return _REGISTRY.loaded().get(kind or "", MissingView)


class MissingView(TaskView):
    """Shown when a task's view() names no kind, or a kind no module registers."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QLabel(_("This task has no prediction view."), alignment=Qt.AlignCenter, wordWrap=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)

    def update_view(self, data: dict) -> None:
        kind = data.get("kind") if isinstance(data, dict) else None
        if kind:
            self.label.setText(_("No view is registered for {kind!r}: add rnnlab/app/views/{kind}.py with "
                                 "@register_view({kind!r}).").format(kind=kind))
        else:
            self.label.setText(_("This task has no prediction view."))


__all__ = ["register_view", "view_for", "kinds", "MissingView", "TaskView"]
