"""When the plots draw: the light loss panel at once, then one heavy panel at a time, so that timers and clicks wait at
most one pass (issue 9: the window must stay responsive while a run trains at full speed)."""

from __future__ import annotations

import time
from typing import Callable, Optional

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QSplitter

from .rundata import RunData

HEAVY_INTERVAL_S = 0.5  # the task view and the gates / gradients tab redraw at most twice a second while training
HEAVY_DELAY_MS = 2  # the heavy pass comes this long after the loss pass: what waits in between gets its turn


class PlotScheduler(QObject):
    """Draws the window's panels from its RunData. The panels are asked for on each pass (a zoom rebuilds them)."""

    drawn = Signal()  # after a pass drew new data

    def __init__(self, light: Callable[[], list], heavy: Callable[[], list], data: Callable[[], RunData],
                 parent=None):
        super().__init__(parent)
        self._light, self._heavy, self._data = light, heavy, data
        self._turn = 0  # which heavy panel draws next
        self._heavy_drawn: dict[int, float] = {}  # id(panel) -> when it last drew
        self._stopped = False
        self.count = 0  # passes since start (the responsiveness bench reads it)

    def refresh(self, force: bool = False, then: Optional[Callable[[], None]] = None) -> None:
        """Draw what is new, then call `then` (once the drawing is queued).

        While training, each update redraws the light panels at once and then, a timer tick later, ONE of the heavier
        panels that has news (task view, the visible tab), taking turns, each at most every HEAVY_INTERVAL_S. Between
        the two passes the loss panel is painted and waiting timers and clicks get their turn, so none of them waits
        for more than one pass, and long passes are rare. `force` draws everything at once (a run opened, paused or
        finished, a tab shown)."""
        data = self._data()
        for panel in self._light():
            panel.refresh(data)
        if force:
            for panel in self._heavy():
                panel.refresh(data)
        elif self._next_heavy() is not None:
            QTimer.singleShot(HEAVY_DELAY_MS, self, lambda: self._refresh_heavy(then))
            return
        self._done(then)

    def forget(self) -> None:
        """The panels were rebuilt: each heavy one may draw at once."""
        self._heavy_drawn.clear()

    def stop(self) -> None:
        """The window closes: a heavy pass still queued does not draw."""
        self._stopped = True

    def _next_heavy(self):
        """The heavy panel whose turn it is: it has news and has not drawn for HEAVY_INTERVAL_S (or None)."""
        panels = self._heavy()
        data = self._data()
        now = time.monotonic()
        for i in range(len(panels)):
            panel = panels[(self._turn + i) % len(panels)]
            if panel.has_news(data) and now - self._heavy_drawn.get(id(panel), 0.0) >= HEAVY_INTERVAL_S:
                return panel
        return None

    def _refresh_heavy(self, then: Optional[Callable[[], None]]) -> None:
        if self._stopped:
            return
        panel = self._next_heavy()
        if panel is not None:
            panel.refresh(self._data())
            self._heavy_drawn[id(panel)] = time.monotonic()
            panels = self._heavy()
            self._turn = (panels.index(panel) + 1) % len(panels)
        self._done(then)

    def _done(self, then: Optional[Callable[[], None]]) -> None:
        self.count += 1
        self.drawn.emit()
        if then is not None:
            then()


class PanelGroup(QSplitter):
    """Several plot panels in one tab, refreshed together (to the scheduler they are one heavy panel). Made with
    empty widgets in their place, it has no panels until `fill` (the window builds a hidden tab's plots on first use)."""

    def __init__(self, orientation, panels):
        super().__init__(orientation)
        self.panels = [p for p in panels if hasattr(p, "has_news")]
        for p in panels:
            self.addWidget(p)

    def fill(self, panels) -> None:
        """The panels in place of the widgets held so far, at the same sizes."""
        sizes = self.sizes()
        for index, panel in enumerate(panels):
            old = self.replaceWidget(index, panel)
            if old is not None:
                old.deleteLater()
        self.panels = list(panels)
        self.setSizes(sizes)

    def has_news(self, data: RunData) -> bool:
        return any(p.has_news(data) for p in self.panels)

    def refresh(self, data: RunData) -> None:
        for p in self.panels:
            p.refresh(data)
