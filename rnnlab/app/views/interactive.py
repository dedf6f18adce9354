"""The base of the views that ask the model themselves (a typed sentence, a date, a prompt): one request at a time,
debounced while the user types, run off the GUI thread through the TrainerApi, its answer or error shown here.

    user types ──> request_soon() ──(debounce)──> request() ──> api.submit(ask(), ...) ──> show_result(value)
                                                                  (helper or training thread)  or show_error(text)
"""

from __future__ import annotations

import html
from typing import Any, Callable, Optional

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from ...i18n import N_, _
from .base import TaskView

ERROR_COLOR = "#c0392b"
UNTRAINED = N_("<i>No model yet: press Reset or Train.</i>")


class InteractiveView(TaskView):
    """Subclasses set `self.note` (the label for the answer's state and errors) and implement `ask()` and
    `show_result(value)`; they call `request_soon()` when the user edits, `request()` for an answer now."""

    DEBOUNCE_MS = 250  # typing a word sends one request, not one per key

    def __init__(self, parent=None):
        super().__init__(parent)
        self.api = None
        self.note: Optional[QLabel] = None
        self.pending = False  # a request is out and its answer has not come
        self._debounce = QTimer(self, singleShot=True, interval=self.DEBOUNCE_MS)
        self._debounce.timeout.connect(self.request)

    clamps: tuple = ()  # the Cell tab's clamps in force: a view that can answers with and without them

    def set_clamps(self, clamps: tuple) -> None:
        """The Cell tab set or cleared a clamp: ask again (a view's `ask` reads `self.clamps`)."""
        if tuple(clamps) != self.clamps:
            self.clamps = tuple(clamps)
            if self.api is not None:
                self.request()

    def set_trainer_api(self, api) -> None:
        self.api = api
        self.request()

    def reset(self) -> None:
        super().reset()
        self._debounce.stop()

    def request_soon(self, *_args) -> None:
        self._debounce.start()

    def request(self) -> None:
        self._debounce.stop()
        if self.api is None:
            return
        if not self.api.has_model():
            self.note.setText(_(UNTRAINED))
            return
        fn = self.ask()
        if fn is None:
            return
        self.pending = True
        self.api.submit(fn, self._answered, on_error=self._failed, key=f"{self.view_kind}-{id(self)}")

    def ask(self) -> Optional[Callable[[Any, Any], Any]]:
        """The engine call `fn(task, model) -> plain data` for what the user typed now, or None (after saying why in
        the note) when there is nothing to ask."""
        raise NotImplementedError

    def show_result(self, value) -> None:
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        self.note.setText(f"<span style='color:{ERROR_COLOR}'>{html.escape(message, quote=False)}</span>")
        self.note.setToolTip(message)

    def _answered(self, value) -> None:
        self.pending = False
        self.note.setToolTip("")
        self.show_result(value)

    def _failed(self, message: str) -> None:
        self.pending = False
        self.show_error(message)
