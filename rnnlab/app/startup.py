"""The start-up window: pure PySide6, shown before pyqtgraph and the window's modules are imported, replaced by the
main window; and `on_first_paint`, the moment launch lets torch start loading."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .. import __version__
from . import icons
from ..i18n import N_, _, ngettext


FIRST_SIZE = QSize(1280, 800)  # the first start's window: what the docs' screenshots show


def first_size() -> QSize:
    """The window size on the first start: 1280x800, or the whole screen where that is smaller (a laptop, a
    projector), so nothing starts off-screen."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return QSize(FIRST_SIZE)
    return FIRST_SIZE.boundedTo(screen.availableGeometry().size())


class StartupWindow(QWidget):
    def __init__(self):
        super().__init__()
        self.setWindowTitle("rnnlab")
        self.setWindowIcon(icons.app_icon())
        geometry = QSettings("rnnlab", "rnnlab").value("window/geometry")
        if not (isinstance(geometry, QByteArray) and not geometry.isEmpty() and self.restoreGeometry(geometry)):
            self.resize(first_size())
        logo = QLabel(alignment=Qt.AlignCenter)
        logo.setPixmap(icons.app_icon().pixmap(96, 96))
        self.message = QLabel(_("rnnlab {version}\n\nStarting…").format(version=__version__), alignment=Qt.AlignCenter)
        self.message.setObjectName("placeholder")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(logo)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def show_error(self, text: str) -> None:
        self.message.setText(text)


class _PaintWatch(QObject):
    def __init__(self, widget: QWidget, then: Callable[[], None]):
        super().__init__(widget)
        self.widget, self.then = widget, then

    def eventFilter(self, obj, event) -> bool:
        if obj is self.widget and event.type() == QEvent.Paint:
            self.widget.removeEventFilter(self)
            QTimer.singleShot(0, self.then)  # once this paint is over
        return False


def on_first_paint(widget: QWidget, then: Callable[[], None]) -> None:
    """Call `then()` once `widget` has painted for the first time (launch: torch loads after that, not before)."""
    widget.installEventFilter(_PaintWatch(widget, then))
