"""The message bar above the plots: what happened, in plain words, and buttons that apply the fix.

It always keeps its place (at least two lines tall): with nothing to say it shows a quiet hint, so a message that
arrives never pushes the plots down under the mouse (issue 9, item 7)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

IDLE_HINT = "Press Train (F5) to start. Hover over a setting to see what it does."


class MessageBar(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.text = QLabel(wordWrap=True)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.buttons = QHBoxLayout()
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.clicked.connect(self.clear)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.text, 1)
        row.addLayout(self.buttons)
        row.addWidget(self.dismiss)
        self.refresh_fonts()
        self.level = ""
        self.clear()

    def refresh_fonts(self) -> None:
        """Two lines of the current font (after a zoom)."""
        self.setMinimumHeight(2 * self.fontMetrics().lineSpacing() + 14)

    def has_message(self) -> bool:
        return self.level != "idle"

    def show_message(self, text: str, level: str = "warning", actions=(), rich: bool = False) -> None:
        """`text` is plain (escaped here) unless `rich`: messages quote file names and user input."""
        self._set_buttons(actions)
        self._set_level(level)
        self.text.setText(text if rich else escape(text))
        self.dismiss.show()
        self.show()

    def clear(self) -> None:
        """Nothing to say: the quiet hint, in the same place."""
        self._set_buttons(())
        self._set_level("idle")
        self.text.setText(f"<span style='color:#6b7078'>{escape(IDLE_HINT)}</span>")
        self.dismiss.hide()

    def hide(self) -> None:  # the bar keeps its place: hiding it means clearing it
        self.clear()

    def _set_buttons(self, actions) -> None:
        while self.buttons.count():
            button = self.buttons.takeAt(0).widget()
            button.hide()  # now: deleteLater waits for the event loop, and the old fix must not stay on show
            button.deleteLater()
        for label, fn in actions:
            b = QPushButton(label)
            b.clicked.connect(fn)
            self.buttons.addWidget(b)

    def _set_level(self, level: str) -> None:
        self.level = level
        self.setProperty("level", level)
        self.style().unpolish(self)
        self.style().polish(self)
