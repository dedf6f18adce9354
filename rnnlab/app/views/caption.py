"""A caption under a plot whose numbers change while training."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy


class Caption(QLabel):
    """Word-wrapped rich text whose height follows its line count, not its text: new numbers re-lay out the window
    only when the caption needs another line (a narrower window), and nothing is cut off."""

    def __init__(self, min_lines: int = 2, parent=None):
        super().__init__(parent)
        self.min_lines = min_lines
        self.setWordWrap(True)
        self.setTextFormat(Qt.RichText)
        self.setObjectName("viewCaption")
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self._height = -1
        self._fit()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit()

    def _fit(self) -> None:
        needed = self.heightForWidth(max(1, self.width())) if self.text() else 0
        height = max(self.min_lines * self.fontMetrics().lineSpacing() + 6, needed)
        if height != self._height:
            self._height = height
            self.setFixedHeight(height)
