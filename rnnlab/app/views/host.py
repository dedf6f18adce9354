"""The task view's place in the window: it holds the view registered for the task's view kind and swaps it when the
kind changes."""

from __future__ import annotations

import logging
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedLayout, QWidget

from ..model_access import TrainerApi, describe_error
from ..rundata import RunData
from . import view_for

log = logging.getLogger(__name__)


class TaskViewHost(QWidget):
    """Holds the view registered for the task's view kind; swaps it when the kind changes."""

    def __init__(self, api: TrainerApi, parent=None):
        super().__init__(parent)
        self.api = api
        self.stack = QStackedLayout(self)
        self.view: Optional[QWidget] = None
        self.kind: Optional[str] = None
        self.caption = QLabel("The task's predictions appear here.", alignment=Qt.AlignCenter, wordWrap=True)
        self.stack.addWidget(self.caption)
        self._seen = -1

    def clear(self) -> None:
        self._seen = -1

    def has_news(self, data: RunData) -> bool:
        return data.view is not None and data.view_version != self._seen

    def refresh(self, data: RunData) -> None:
        if data.view is None or data.view_version == self._seen:
            return
        self._seen = data.view_version
        kind = data.view.get("kind") if isinstance(data.view, dict) else None
        if self.view is None or kind != self.kind:
            if self.view is not None:
                self.stack.removeWidget(self.view)
                self.view.deleteLater()
            self.view = view_for(kind)()
            self.kind = kind
            if hasattr(self.view, "set_trainer_api"):
                self.view.set_trainer_api(self.api)
            self.stack.addWidget(self.view)
            self.stack.setCurrentWidget(self.view)
        try:
            self.view.update_view(data.view)
        except Exception as exc:  # a view bug must not take the window down
            log.exception("task view failed")
            self.caption.setText(f"The task view failed: {describe_error(exc)}")
            self.stack.setCurrentWidget(self.caption)
