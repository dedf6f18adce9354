"""The task view's place in the window: it holds the view registered for the task's view kind and swaps it when the
kind changes. It keeps the panel contract (`app/panel.py`) for the window and passes it on to the view it holds.

It also carries the Cell tab's two links to the task views (plots/cell.py, `link_views`): a view's "Show in the Cell
tab" (its `text_sent` signal) comes out as `text_sent`, and a clamp set in the Cell tab comes in by `set_clamps`: its
validation line is shown above the view, and a view that answers typed input (`set_clamps`) answers with and
without it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedLayout, QVBoxLayout, QWidget

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

    text_sent = Signal(str, str)  # (text, title): a view sends its sentence or text to the Cell tab

    def __init__(self, api: TrainerApi, parent=None):
        super().__init__(parent)
        self.api = api
        self.clamps: tuple = ()  # the Cell tab's clamps in force (evaluation only)
        self.clamp_line = QLabel()  # "Validation accuracy: 1.000 without the clamp, 0.250 with f = 0"
        self.clamp_line.setObjectName("viewCaption")
        self.clamp_line.setWordWrap(True)
        self.clamp_line.setStyleSheet("QLabel { background: #fff3cd; padding: 2px 4px; }")
        self.clamp_line.hide()
        stacked = QWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        outer.addWidget(self.clamp_line)
        outer.addWidget(stacked, 1)
        self.stack = QStackedLayout(stacked)
        self.view: Optional[TaskView] = None
        self.kind: Optional[str] = None
        self.info: Optional[RunInfo] = None
        self.caption = QLabel(_("The task's predictions appear here."), alignment=Qt.AlignCenter, wordWrap=True)
        theme.scale_fonts([self.caption], 1.0)  # made at the window's zoom: the window rebuilds this host on zoom
        self.stack.addWidget(self.caption)
        self._seen = -1

    def set_clamps(self, clamps: tuple, line: str) -> None:
        """The Cell tab's clamp (or () when it ends) and its validation line: shown above the view, and handed to
        a view that answers typed input, which then shows its answer with and without it."""
        self.clamps = tuple(clamps)
        self.clamp_line.setText(_("Clamp in force (evaluation only): {line}").format(line=line) if clamps else "")
        self.clamp_line.setVisible(bool(clamps))
        if self.view is not None and hasattr(self.view, "set_clamps"):
            self.view.set_clamps(self.clamps)

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
        if hasattr(self.view, "text_sent"):
            self.view.text_sent.connect(self.text_sent)
        if hasattr(self.view, "set_clamps"):
            self.view.set_clamps(self.clamps)
        if hasattr(self.view, "set_trainer_api"):
            self.view.set_trainer_api(self.api)
        self.stack.addWidget(self.view)
        self.stack.setCurrentWidget(self.view)
