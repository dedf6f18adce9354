"""The task view's place in the window: it holds the view registered for the task's view kind and swaps it when the
kind changes. It keeps the panel contract (`app/panel.py`) for the window and passes it on to the view it holds."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedLayout, QWidget

from .. import theme
from ..run.model_access import TrainerApi, describe_error
from ..run.rundata import RunData
from . import TaskView, view_for
from ...i18n import N_, _, ngettext

if TYPE_CHECKING:
    from ...train.info import RunInfo

log = logging.getLogger(__name__)


class TaskViewHost(QWidget):
    """Holds the view registered for the task's view kind; swaps it when the kind changes."""

    def __init__(self, api: TrainerApi, parent=None):
        super().__init__(parent)
        self.api = api
        self.stack = QStackedLayout(self)
        self.view: Optional[TaskView] = None
        self.kind: Optional[str] = None
        self.info: Optional[RunInfo] = None
        self.caption = QLabel(_("The task's predictions appear here."), alignment=Qt.AlignCenter, wordWrap=True)
        theme.scale_fonts([self.caption], 1.0)  # made at the window's zoom: the window rebuilds this host on zoom
        self.stack.addWidget(self.caption)
        self._seen = -1

    def configure(self, info: RunInfo) -> None:
        self.info = info
        self._seen = -1
        if self.view is not None:
            self.view.configure(info)

    def reset(self) -> None:
        self._seen = -1
        if self.view is not None:
            self.view.reset()

    def has_news(self, data: RunData) -> bool:
        return data.view is not None and data.view_version != self._seen

    def refresh(self, data: RunData) -> None:
        if not self.has_news(data):
            return
        self._seen = data.view_version
        kind = data.view.get("kind") if isinstance(data.view, dict) else None
        if self.view is None or kind != self.kind:
            self._swap(kind)
        try:
            self.view.refresh(data)
        except Exception as exc:  # a view bug must not take the window down
            log.exception("task view failed")
            self.caption.setText(_("The task view failed: {error}").format(error=describe_error(exc)))
            self.stack.setCurrentWidget(self.caption)

    def _swap(self, kind: Optional[str]) -> None:
        if self.view is not None:
            self.stack.removeWidget(self.view)
            self.view.deleteLater()
        self.view = view_for(kind)()
        self.kind = kind
        self.view.refresh_fonts()  # before it has a parent: its widgets are at 100 % now, at the zoom after
        if self.info is not None:
            self.view.configure(self.info)
        if hasattr(self.view, "set_trainer_api"):
            self.view.set_trainer_api(self.api)
        self.stack.addWidget(self.view)
        self.stack.setCurrentWidget(self.view)
