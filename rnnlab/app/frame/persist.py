"""What the window keeps between starts (QSettings): its layout, the splitters' sizes, the tab shown, the zoom, the
recent runs; and the layout it starts with."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QTimer

from .. import theme
from ..places import settings
from ..startup import first_size

MAX_RECENT = 8
# The window's splitters by settings key and attribute name.
SPLITTERS = (("window/top", "top"), ("window/split", "split"), ("window/gradients", "gradients"))


def recent_runs() -> list[str]:
    value = settings().value("recent_runs", [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in (value or [])]


def add_recent(path) -> None:
    p = str(Path(path).resolve())
    settings().setValue("recent_runs", ([p] + [r for r in recent_runs() if r != p])[:MAX_RECENT])


def restore_layout(window) -> None:
    """Geometry, docks, splitters and tab as the window was closed last; the first start's size otherwise."""
    s = settings()
    geometry = s.value("window/geometry")
    if isinstance(geometry, QByteArray) and not geometry.isEmpty():
        window.restoreGeometry(geometry)
    else:
        window.resize(first_size())
    state = s.value("window/state")
    if isinstance(state, QByteArray) and not state.isEmpty():
        window.restoreState(state)
    for key, name in SPLITTERS:
        value = s.value(key)
        if isinstance(value, QByteArray) and not value.isEmpty():
            getattr(window, name).restoreState(value)
    tab = s.value("window/tab")
    if tab is not None:
        try:
            window.tabs.setCurrentIndex(int(tab))
        except (TypeError, ValueError):
            pass


def save_layout(window) -> None:
    s = settings()
    s.setValue("window/geometry", window.saveGeometry())
    s.setValue("window/state", window.saveState())
    for key, name in SPLITTERS:
        s.setValue(key, getattr(window, name).saveState())
    s.setValue("window/tab", window.tabs.currentIndex())


def default_sizes(window) -> None:
    window.top.setSizes([450, 550])
    window.split.setSizes([440, 360])  # the loss plots keep room on a 768 px projector (issue 9, item 6)
    window.gradients.setSizes([350, 650])


def reset_layout(window) -> None:
    """View > Reset layout: the experiment dock back on the left, the splitters as on the first start."""
    dock = window.experiment_dock
    dock.show()
    dock.setFloating(False)
    window.addDockWidget(Qt.LeftDockWidgetArea, dock)
    window.resizeDocks([dock], [330], Qt.Horizontal)
    default_sizes(window)


def restore_zoom() -> None:
    try:
        theme.set_zoom(float(settings().value("view/zoom", 1.0)))
    except (TypeError, ValueError):
        theme.set_zoom(1.0)


def save_zoom(factor: float) -> None:
    settings().setValue("view/zoom", factor)


def scale_fonts(window, previous_zoom: float) -> None:
    """The widgets around the plots follow the zoom (the plots were rebuilt at the new size)."""
    width = window.experiment_dock.width()
    theme.scale_fonts((window.experiment_dock, window.message_bar, window.toolbar, window.menuBar(),
                       window.statusBar()), previous_zoom)
    window.panel.refresh_fonts()
    # A font change lays the dock out at its preferred width (the long description's): keep the width it had,
    # or the form's minimum if that grew.
    keep = lambda: window.resizeDocks([window.experiment_dock],  # noqa: E731
                                      [max(width, window.panel.minimumSizeHint().width())], Qt.Horizontal)
    keep()
    QTimer.singleShot(0, window, keep)  # again once the font change has been laid out
