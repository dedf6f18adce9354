"""The message bar above the plots: what happened, in plain words, and buttons that apply the fix.

It always keeps its place, two lines tall: with nothing to say it shows a quiet hint, and a message longer than two
lines shows its start, the whole of it in the tooltip and a "More" button. So a message that arrives never pushes
the plots down under the mouse (issue 9, item 7); only the user's own click on "More" makes the bar taller.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton
from ...i18n import N_, _, ngettext

IDLE_HINT = N_("Press Train (F5) to start. Hover over a setting to see what it does.")
MARGIN = 4  # px above and below the text


class MessageBar(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.text = QLabel(wordWrap=True)
        # Always rich text: a message escaped here with no tag in it would otherwise be taken for plain text and show
        # its entities ("LSTM&#x27;s", issue 19, item 10).
        self.text.setTextFormat(Qt.RichText)
        self.text.setAlignment(Qt.AlignLeft | Qt.AlignTop)  # a cut message shows its start, not its middle
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.text.installEventFilter(self)  # its width and font decide how many lines the message takes
        self._ruler = QLabel("X<br><b>X</b>", self)  # never shown: two lines exactly as the text's label lays them out
        self._ruler.hide()
        self.buttons = QHBoxLayout()
        self.more = QPushButton(_("More"))
        self.more.setCheckable(True)
        self.more.setToolTip(_("Show the whole message (the bar grows until the next message)"))
        self.more.toggled.connect(self._fit)
        self.dismiss = QPushButton(_("Dismiss"))
        self.dismiss.clicked.connect(self.clear)
        self.dismiss.installEventFilter(self)  # a zoom sets the buttons' fonts after the text's
        row = QHBoxLayout(self)
        row.setContentsMargins(8, MARGIN, 8, MARGIN)
        row.addWidget(self.text, 1)
        row.addLayout(self.buttons)
        row.addWidget(self.more, 0, Qt.AlignTop)
        row.addWidget(self.dismiss, 0, Qt.AlignTop)
        self.level = ""
        self.clear()
        self.refresh_fonts()

    def refresh_fonts(self) -> None:
        """Two lines of the current font (after a zoom; a font set on the text or the buttons refits by itself)."""
        self._fit()

    def has_message(self) -> bool:
        return self.level != "idle"

    def is_cut(self) -> bool:
        """The message is longer than the bar's two lines (and "More" shows the rest)."""
        return self._full_height() > self._lines_height()

    def show_message(self, text: str, level: str = "warning", actions=(), rich: bool = False) -> None:
        """`text` is plain (escaped here) unless `rich`: messages quote file names and user input."""
        self._set_buttons(actions)
        self._set_level(level)
        self._set_text(text if rich else escape(text))
        self.dismiss.show()
        self.show()

    def clear(self) -> None:
        """Nothing to say: the quiet hint, in the same place."""
        self._set_buttons(())
        self._set_level("idle")
        self._set_text(f"<span style='color:#6b7078'>{escape(_(IDLE_HINT))}</span>")
        self.dismiss.hide()

    def retranslate(self) -> None:
        """After a language switch: the idle hint again (a message already shown stays in the language it was said
        in; the next one follows the new language)."""
        if self.level == "idle":
            self.clear()

    def hide(self) -> None:  # the bar keeps its place: hiding it means clearing it
        self.clear()

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.FontChange or (
                event.type() == QEvent.Resize and event.oldSize().width() != event.size().width()):
            self._fit()
        return False

    def _set_text(self, html: str) -> None:
        self.more.blockSignals(True)
        self.more.setChecked(False)  # a new message starts folded, whatever the user did with the last one
        self.more.setText(_("More"))
        self.more.blockSignals(False)
        self.text.setText(html)
        self._fit()

    def _lines_height(self) -> int:
        """Two lines of the text's font as a label lays them out: font metrics would show a sliver of the third."""
        self._ruler.setFont(self.text.font())
        return self._ruler.heightForWidth(10_000)

    def _full_height(self) -> int:
        return self.text.heightForWidth(max(1, self.text.width()))

    def _fit(self, *_args) -> None:
        """The label two lines tall (all of it after "More"), the bar around it: its height never follows the text."""
        lines = self._lines_height()
        cut = self._full_height() > lines
        expanded = self.more.isChecked()
        self.more.setVisible(cut or expanded)
        self.more.setText(_("Less") if expanded else _("More"))
        self.text.setToolTip(f"<qt>{self.text.text()}</qt>" if cut and not expanded else "")  # <qt>: rich text too
        self.text.setFixedHeight(max(lines, self._full_height()) if expanded else lines)
        button = max(self.dismiss.sizeHint().height(), self.more.sizeHint().height())
        reserved = max(lines, button) + 2 * MARGIN + 2 * self.frameWidth()
        if expanded:
            self.setMinimumHeight(reserved)
            self.setMaximumHeight(16_777_215)
        else:
            self.setFixedHeight(reserved)

    def _set_buttons(self, actions) -> None:
        while self.buttons.count():
            button = self.buttons.takeAt(0).widget()
            button.hide()  # now: deleteLater waits for the event loop, and the old fix must not stay on show
            button.deleteLater()
        for label, fn in actions:
            b = QPushButton(label)
            b.clicked.connect(fn)
            self.buttons.addWidget(b, 0, Qt.AlignTop)

    def _set_level(self, level: str) -> None:
        self.level = level
        self.setProperty("level", level)
        self.style().unpolish(self)
        self.style().polish(self)
