"""The start-up window: pure PySide6, shown before torch and pyqtgraph are imported, replaced by the main window."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .. import __version__
from . import icons


class StartupWindow(QWidget):
    def __init__(self):
        super().__init__()
        self.setWindowTitle("rnnlab")
        self.setWindowIcon(icons.app_icon())
        geometry = QSettings("rnnlab", "rnnlab").value("window/geometry")
        if not (isinstance(geometry, QByteArray) and not geometry.isEmpty() and self.restoreGeometry(geometry)):
            self.resize(1280, 800)
        logo = QLabel(alignment=Qt.AlignCenter)
        logo.setPixmap(icons.app_icon().pixmap(96, 96))
        self.message = QLabel(f"rnnlab {__version__}\n\nLoading PyTorch…", alignment=Qt.AlignCenter)
        self.message.setObjectName("placeholder")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(logo)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def show_error(self, text: str) -> None:
        self.message.setText(text)
