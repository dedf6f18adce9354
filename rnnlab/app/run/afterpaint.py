"""Run a callback once the GUI thread has drawn what the current event produced.

Qt paints in a low-priority posted event (UpdateRequest), after the queued calls that bring the plot scenes up to
date. A callback posted as a low-priority event runs after the paints already requested; posting it a second time
also covers the paints that those queued calls request on the way. (`QAbstractEventDispatcher.aboutToBlock` cannot
tell this: the glib dispatcher emits it before every wait, also while events are still pending.)
"""

from __future__ import annotations

from collections import deque
from typing import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt

_HOP = QEvent.Type(QEvent.registerEventType())
HOPS = 2  # low-priority round trips before the callback runs


class AfterPaint(QObject):
    """`call(fn)`: call fn on this object's thread after the paints pending now and those they lead to."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._queue: deque = deque()  # [callback, hops left], in posting order (same priority: FIFO)

    def call(self, callback: Callable[[], None]) -> None:
        self._queue.append([callback, HOPS])
        self._post()

    def _post(self) -> None:
        QCoreApplication.postEvent(self, QEvent(_HOP), Qt.LowEventPriority.value)

    def event(self, event) -> bool:
        if event.type() != _HOP:
            return super().event(event)
        entry = self._queue.popleft()
        entry[1] -= 1
        if entry[1] > 0:
            self._queue.append(entry)
            self._post()
        else:
            entry[0]()
        return True
