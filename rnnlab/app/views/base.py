"""What every task view is to the window: a panel (`app/panel.py`: configure, reset, has_news, refresh) that draws
the task's view dict with its own `update_view(dict)`, and whose text follows the window's zoom."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from PySide6.QtWidgets import QTableWidget, QWidget

from .. import theme

if TYPE_CHECKING:  # the run's info is plain data; importing it for real would load the engine with the views
    from ...train.info import RunInfo
    from ..run.rundata import RunData


def read_only_table(headers: list[str], tooltip: str, rows_selectable: bool = False) -> QTableWidget:
    """A table of what the model did: no row numbers, nothing to edit; rows are selectable only where choosing one
    does something (the dates view tries a double-clicked row's input)."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.NoEditTriggers)
    if rows_selectable:
        table.setSelectionBehavior(QTableWidget.SelectRows)
    else:
        table.setSelectionMode(QTableWidget.NoSelection)
    table.setToolTip(tooltip)
    return table


class TaskView(QWidget):
    """Base of every task view. A subclass builds its widgets once in `__init__` and draws in `update_view(data)`."""

    view_kind = ""  # set by register_view

    def __init__(self, parent=None):
        super().__init__(parent)
        self.info: Optional[RunInfo] = None
        self._seen = -1  # the RunData.view_version last drawn
        self._font_zoom = 1.0  # the zoom the widgets' fonts were last set for: a new widget starts at 100 %

    # --- the panel contract ------------------------------------------------------------------------------------------

    def configure(self, info: RunInfo) -> None:
        """A run is shown: its view dict is drawn at the next refresh, whatever was drawn before."""
        self.info = info
        self._seen = -1

    def reset(self) -> None:
        self._seen = -1

    def has_news(self, data: RunData) -> bool:
        return data.view is not None and data.view_version != self._seen

    def refresh(self, data: RunData) -> None:
        if self.has_news(data):
            self._seen = data.view_version
            self.update_view(data.view)

    # --- zoom ----------------------------------------------------------------------------------------------------------

    def refresh_fonts(self) -> None:
        """Every widget of the view at the current zoom (issue 9, item 6). Widget fonts, not a style sheet: swapping
        the sheet while plots are shown crashes PySide6 (see theme.scale_fonts). A subclass whose sizes follow its
        font (a box two lines tall) extends this."""
        theme.scale_fonts([self], self._font_zoom)
        self._font_zoom = theme.zoom()
