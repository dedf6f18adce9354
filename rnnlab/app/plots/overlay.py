"""Several runs on one panel: one set of curves per Track of a RunSet, in the track's colour, and a legend strip that
names the tracks. Clicking a legend entry or a curve chooses that run (for the Gates tab and the task view).

    overlay = Overlay(legend, make=..., draw=..., version=...)   # the panel says what a track's curves are
    overlay.show(runs)        # None: the panel is back to its single run
    overlay.has_news()        # a track was added, removed or selected, or one has new points
    overlay.refresh()         # curves made once per track; setData only for the tracks with news

The legend is a row of flat buttons above the plots, not a pyqtgraph legend inside them: it never covers a curve, it
is a real click target (pyqtgraph's legend hides a curve when clicked) and it reads the same on every panel.
"""

from __future__ import annotations

from typing import Callable, Optional

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import QLayout, QToolButton, QWidget

from .. import theme
from ..run.runset import RunSet, Track
from ...i18n import N_, _, ngettext


class FlowLayout(QLayout):
    """Widgets in a row that wraps onto the next line when the row is full, like words: with three compared runs a
    row of buttons cut each label mid-word ("only LSTM…p_grad on") and, being as wide as all of them, squeezed the
    task view beside it to ~130 px (issue 19, item 11). Hidden widgets take no room."""

    def __init__(self, parent=None, spacing: int = 6):
        super().__init__(parent)
        self._items = []
        self._gap = spacing

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def _margins(self) -> QSize:
        m = self.contentsMargins()
        return QSize(m.left() + m.right(), m.top() + m.bottom())

    def sizeHint(self) -> QSize:
        """Everything on one line."""
        shown = [i.sizeHint() for i in self._items if not i.isEmpty()]
        width = sum(h.width() for h in shown) + self._gap * max(0, len(shown) - 1)
        return QSize(width, max((h.height() for h in shown), default=0)) + self._margins()

    def minimumSize(self) -> QSize:
        """The widest single item: the rest wraps."""
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize().expandedTo(item.sizeHint()))
        return size + self._margins()

    def _place(self, rect: QRect, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, line = area.x(), y + line + self._gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            line = max(line, hint.height())
        return y + line - rect.y() + m.bottom()


class RunLegend(QWidget):
    """One flat button per run ("━ LSTM" in its colour); the chosen run's is bold. Hidden with no runs."""

    clicked = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.buttons: dict[str, QToolButton] = {}
        self._layout = FlowLayout(self, spacing=12)
        self._layout.setContentsMargins(6, 2, 6, 0)
        self.hide()

    def set_tracks(self, tracks: list[Track], selected: Optional[str]) -> None:
        for button in self.buttons.values():
            self._layout.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        for track in tracks:
            button = QToolButton(self)
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.NoFocus)
            button.setCursor(Qt.PointingHandCursor)
            button.setText(f"━ {_(track.label)}")
            button.setToolTip(_("{label}: click to show this run in the Gates tab and the task view.").format(label=_(track.label)))
            bold = "bold" if track.key == selected else "normal"
            button.setStyleSheet(f"QToolButton {{ color: {track.colour}; font-weight: {bold}; "
                                 f"font-size: {theme.font_size()}pt; padding: 0px 2px; }}")
            button.clicked.connect(lambda _unused=False, key=track.key: self.clicked.emit(key))
            self._layout.addWidget(button)
            self.buttons[track.key] = button
        self.setVisible(bool(tracks))

    def labels(self) -> dict[str, str]:
        """key -> the text shown (for tests and screenshots' captions)."""
        return {key: b.text()[2:] for key, b in self.buttons.items()}


class Overlay:
    """The per-track curves of one panel. `make(track)` creates a track's items (once), `draw(track, items)` fills
    them, `drop(items)` removes them; `version(track)` is the counter of the track's data that `draw` reads."""

    def __init__(self, legend: RunLegend, make: Callable[[Track], list], draw: Callable[[Track, list], None],
                 drop: Callable[[list], None], version: Callable[[Track], int]):
        self.legend = legend
        self._make, self._draw, self._drop, self._version = make, draw, drop, version
        self.runs: Optional[RunSet] = None
        self.items: dict[str, list] = {}  # key -> the track's curves
        self._drawn: dict[str, tuple] = {}  # key -> (data object, version) drawn last
        self._colours: dict[str, str] = {}  # key -> the colour its curves were made in
        self._runs_seen = -1

    def show(self, runs: Optional[RunSet]) -> None:
        self.runs = runs
        self._runs_seen = -1
        if runs is None:
            self._sync([])
            self.legend.set_tracks([], None)

    def redraw(self) -> None:
        """Draw every track again at the next refresh (the panel changed how it draws, e.g. a log axis)."""
        self._drawn.clear()

    @property
    def active(self) -> bool:
        return self.runs is not None

    def has_news(self) -> bool:
        if self.runs is None:
            return False
        if self.runs.version != self._runs_seen:
            return True
        return any(self._drawn.get(t.key) != (t.data, self._version(t)) for t in self.runs)

    def refresh(self) -> bool:
        """Draw what changed; True when the set of tracks changed (the panel then refits its axes and legend)."""
        if self.runs is None:
            return False
        changed = self.runs.version != self._runs_seen
        if changed:
            self._runs_seen = self.runs.version
            self._sync(list(self.runs))
            self.legend.set_tracks(list(self.runs), self.runs.selected)
        for track in self.runs:
            mark = (track.data, self._version(track))
            if changed or self._drawn.get(track.key) != mark:
                self._drawn[track.key] = mark
                self._draw(track, self.items[track.key])
        return changed

    def _sync(self, tracks: list[Track]) -> None:
        keep = {t.key: t for t in tracks}
        for key in list(self.items):
            track = keep.get(key)
            if track is None or self._colours.get(key) != track.colour:
                self._drop(self.items.pop(key))
                self._drawn.pop(key, None)
                self._colours.pop(key, None)
        for track in tracks:
            if track.key not in self.items:
                items = self._make(track)
                self._colours[track.key] = track.colour
                for item in items:
                    if isinstance(item, pg.PlotDataItem):
                        item.setCurveClickable(True, width=8)
                        item.sigClicked.connect(lambda *_a, key=track.key: self.legend.clicked.emit(key))
                self.items[track.key] = items


class RunsPanel(QWidget):
    """Base of the panels that also draw a RunSet (loss, gradient norms, gradient through time): their `overlay` and
    its `legend` strip, and `run_clicked(key)` when a run's entry or curve is clicked. A subclass gives
    `_make_track`, `_draw_track` and `_drop_track`, and `_track_version` when its tracks redraw on another counter."""

    run_clicked = Signal(str)  # a run's legend entry or curve was clicked (several runs shown)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._info = None  # the RunInfo of the run shown, once configured
        self.legend = RunLegend()
        self.legend.clicked.connect(self.run_clicked)
        self.overlay = Overlay(self.legend, self._make_track, self._draw_track, self._drop_track, self._track_version)

    def _track_version(self, track: Track) -> int:
        return track.data.version

    def _make_track(self, track: Track) -> list:
        raise NotImplementedError

    def _draw_track(self, track: Track, items: list) -> None:
        raise NotImplementedError

    def _drop_track(self, items: list) -> None:
        raise NotImplementedError
