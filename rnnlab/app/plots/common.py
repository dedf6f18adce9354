"""Small pieces every plot shares: labelled plot items, text tick labels, heatmaps with fixed levels, growing buffers.

pyqtgraph habits (its scrollingPlots example and performance notes): items are created once and updated with setData;
pens are 1 px wide; long curves use clip-to-view and peak downsampling; heatmaps are float32, row-major, with fixed
levels and a 256-entry lookup table.
"""

from __future__ import annotations

import math
import re
import weakref
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QComboBox, QGraphicsItem

from .. import theme
from ..run.rundata import Growing


def pen(color: str, width: float = 1, style=Qt.SolidLine, alpha: int = 255):
    c = QColor(color)
    c.setAlpha(alpha)
    p = pg.mkPen(c, width=theme.line_width(width))
    p.setStyle(style)
    p.setCosmetic(True)
    return p


def dashed(color: str, width: float = 1):
    return pen(color, width, Qt.DashLine)


class LabelAxis(pg.AxisItem):
    """An axis whose integer positions show text labels (dates, words, characters) instead of numbers."""

    def __init__(self, orientation: str = "bottom", **kwargs):
        super().__init__(orientation, **kwargs)
        self._labels: Optional[Sequence[str]] = None
        self._offset = 0.0  # heatmap pixels are centred at i + 0.5

    def set_labels(self, labels: Optional[Sequence[str]], offset: float = 0.0) -> None:
        self._labels = list(labels) if labels is not None else None
        self._offset = offset
        self.picture = None
        self.update()

    def tickValues(self, minVal, maxVal, size):
        if not self._labels:
            return super().tickValues(minVal, maxVal, size)
        # Integer steps only, spaced so that the longest label fits.
        longest = max((len(s) for s in self._labels), default=1)
        px_per_label = 7 * max(2, min(longest, 12)) + 10
        span = max(1.0, maxVal - minVal)
        n = max(1, int(size / px_per_label))
        step = max(1, int(math.ceil(span / n)))
        nice = [1, 2, 3, 5, 6, 10, 12, 20, 24, 25, 50, 100, 200, 500, 1000]
        step = next((s for s in nice if s >= step), step)
        first = int(math.ceil(minVal - self._offset))
        first += (-first) % step
        values = [v + self._offset for v in range(first, int(maxVal - self._offset) + 1, step)]
        return [(step, values)]

    def tickStrings(self, values, scale, spacing):
        if not self._labels:
            return super().tickStrings(values, scale, spacing)
        out = []
        for v in values:
            i = int(round(v - self._offset))
            out.append(self._labels[i] if 0 <= i < len(self._labels) else "")
        return out


class LogAxis(pg.AxisItem):
    """pyqtgraph's value axis, but on a log scale it labels only the minor ticks (2..9 x 10^k) that have room: all of them,
    then 2, 3 and 5, then 2 and 5, then 3, then none. pyqtgraph labels all eight or none, and they overlap where a
    decade is short (a small plot, many decades)."""

    MINOR_SETS = ((2, 3, 4, 5, 6, 7, 8, 9), (2, 3, 5), (2, 5), (3,), ())
    END_ROOM = 8  # px a label at either end of the axis may reach past it (half a label)

    def boundingRect(self):
        """With a grid, pyqtgraph clips to the plot's own rectangle and drops the labels at the two ends (the decade
        at the bottom and top of a log axis, the first and last value): let them reach half a label beyond."""
        rect = super().boundingRect()
        if self.grid is not False and self.orientation in ("left", "right"):
            rect = rect.adjusted(0, -self.END_ROOM, 0, self.END_ROOM)
        return rect

    def tickSpacing(self, minVal, maxVal, size):
        """On a short linear axis pyqtgraph still labels every 0.2 of 0..1, one label on top of the next: coarsen the
        labelled level (0.2 -> 0.5 -> 1) until its labels are a line and a bit apart; the finer ticks stay."""
        levels = super().tickSpacing(minVal, maxVal, size)
        span = abs(maxVal - minVal)
        if self.logMode or not levels or self.orientation not in ("left", "right") or size <= 0 or span <= 0:
            return levels
        room = 1.25 * QFontMetricsF(self.style.get("tickFont") or QFont()).height()
        major = levels[0][0]
        if major * size / span >= room:
            return levels
        while major * size / span < room and major < span:
            major = nice_step(major * 1.5)
        return [(major, 0.0)] + list(levels)

    def logTickStrings(self, values, scale, spacing):
        """Plain numbers from 0.0001 to 10000 (10, not pyqtgraph's 10¹); powers of ten beyond. A tick between the
        1..9 marks (zoomed in to under a decade: pyqtgraph's even steps in log10) gets three digits, not a rounded
        neighbour's label."""
        strings = super().logTickStrings(values, scale, spacing)
        out = []
        for v, fallback in zip(values, strings):
            mantissa = 10.0 ** (v - math.floor(v))
            if abs(mantissa - round(mantissa)) > 1e-6:
                out.append(f"{10.0 ** v * scale:.3g}")
                continue
            x = float(f"{10.0 ** v * scale:.1g}")
            out.append(f"{x:g}" if 1e-4 <= abs(x) < 1e5 else fallback)
        return out

    def logTickValues(self, minVal, maxVal, size, stdTicks):
        ticks = [(spacing, t) for spacing, t in stdTicks if spacing >= 1.0]
        if not ticks:  # pyqtgraph spaced its ticks under a decade apart: the decades become the first level
            decades = [float(k) for k in range(math.ceil(minVal), math.floor(maxVal) + 1)]
            if not decades:  # less than a decade in view: plain numbers read best
                return stdTicks
            ticks = [(1.0, decades)]
        per_decade = size / max(maxVal - minVal, 1e-9)
        room = 1.4 * QFontMetricsF(self.style.get("tickFont") or QFont()).height()
        for mantissas in self.MINOR_SETS:
            edges = np.log10([1.0, *mantissas, 10.0])
            if np.diff(edges).min() * per_decade >= room:
                break
        minor = [k + math.log10(m) for k in range(math.floor(minVal), math.ceil(maxVal)) for m in mantissas]
        ticks.append((None, [v for v in minor if minVal < v < maxVal]))
        return ticks


class StepAxis(pg.AxisItem):
    """Row i of a history heatmap -> the training step it was recorded at."""

    def __init__(self, orientation: str = "left", **kwargs):
        super().__init__(orientation, **kwargs)
        self.steps: list[int] = []

    def tickStrings(self, values, scale, spacing):
        out = []
        for v in values:
            i = int(math.floor(v))
            out.append(str(self.steps[i]) if 0 <= i < len(self.steps) and abs(v - i - 0.5) < 0.51 else "")
        return out

    def tickValues(self, minVal, maxVal, size):
        n = len(self.steps)
        if n == 0:
            return []
        rows = max(1, int(size / 22))
        step = max(1, int(math.ceil(n / rows)))
        return [(step, [i + 0.5 for i in range(0, n, step) if minVal <= i + 0.5 <= maxVal])]


def style_plot(item: pg.PlotItem, title: str = "", x: str = "", y: str = "", x_unit: str = "",
               y_unit: str = "", legend: bool = False, legend_cols: int = 1,
               legend_offset=(-6, 4)) -> Optional[pg.LegendItem]:
    """Titles, labelled axes with units, a light grid and (optionally) a compact legend: small text, several
    columns, so it covers as little of the data as it can."""
    style = theme.label_style()
    if type(item.getAxis("left")) is pg.AxisItem:
        item.setAxisItems({"left": LogAxis("left")})
    if title:
        legend_title(item, title, [])
    if x:
        item.setLabel("bottom", x, units=x_unit or None, **style)
    if y:
        item.setLabel("left", y, units=y_unit or None, **style)
    item.showGrid(x=True, y=True, alpha=theme.GRID_ALPHA)
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.enableAutoSIPrefix(False)
        f = QFont()
        f.setPointSize(max(7, theme.font_size() - 1))
        axis.setTickFont(f)
    item.setMenuEnabled(True)
    cache_static(item)
    if legend:
        leg = item.addLegend(offset=legend_offset, labelTextSize=f"{max(7, theme.font_size() - 2)}pt",
                             brush=pg.mkBrush(255, 255, 255, 190), pen=pen("#cccccc"), verSpacing=0,
                             horSpacing=12, colCount=legend_cols)
        return leg
    return None


def cache_static(item: pg.PlotItem) -> None:
    """Axes and titles are drawn once into a pixmap and blitted until they change.

    Without it, every repaint of a plot (25 a second while training) replays each axis' drawing, text included, which
    cost ~2.5 ms per axis on the offscreen platform: most of the GUI thread's time with a dozen plots on screen."""
    for name in ("left", "bottom", "right", "top"):
        axis = item.getAxis(name)
        if axis is not None:
            axis.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
    item.titleLabel.setCacheMode(QGraphicsItem.DeviceCoordinateCache)


GLYPHS = {"line": "━", "dash": "╍", "dot": "●", "tri": "▼"}


def _update_min_height_only(label) -> None:
    """LabelItem.updateMin without the width: the text may be cut at a narrow pane's edge, the plot is not."""
    bounds = label.itemRect()
    label.setMinimumWidth(0)
    label.setMinimumHeight(bounds.height())
    label._sizeHint = {Qt.SizeHint.MinimumSize: (0, bounds.height()),
                       Qt.SizeHint.PreferredSize: (0, bounds.height()),
                       Qt.SizeHint.MaximumSize: (-1, -1), Qt.SizeHint.MinimumDescent: (0, 0)}
    label.updateGeometry()


# What rnnlab keeps about pyqtgraph's objects, here rather than as attributes set on them: a plot's legend (read
# by File > Export too, through `legend_of`) and the title labels already released. Weak: a closed plot's entry goes.
@dataclass
class _Legend:
    title: str
    entries: list
    lines: Optional[tuple] = None  # the last layout's breaks: a resize that keeps them re-lays out nothing


_LEGENDS: "weakref.WeakKeyDictionary[pg.PlotItem, _Legend]" = weakref.WeakKeyDictionary()
_RELEASED: "weakref.WeakSet[pg.LabelItem]" = weakref.WeakSet()


def legend_of(item: pg.PlotItem) -> Optional[tuple[str, list]]:
    """The title and entries `legend_title` gave the plot; None when it has no such legend."""
    legend = _LEGENDS.get(item)
    return (legend.title, list(legend.entries)) if legend is not None else None


def legend_layout(item: pg.PlotItem) -> Optional[tuple]:
    """The legend's last layout, (title lines, pieces, line breaks), or None before the first: what it looks like."""
    legend = _LEGENDS.get(item)
    return legend.lines if legend is not None else None


def release_title_width(item: pg.PlotItem) -> None:
    """A long title must not stop its plot from shrinking: pyqtgraph makes a title's width the plot's minimum width,
    so in a narrow pane the plot (and its colour bar) would be cut off instead of the title's end."""
    label = item.titleLabel
    if label in _RELEASED:
        return
    label.updateMin = lambda: _update_min_height_only(label)  # called by every setText
    _RELEASED.add(label)
    label.updateMin()


def legend_title(item: pg.PlotItem, title: str, entries: Sequence[tuple[str, str, str]]) -> None:
    """A legend that never covers data: the plot's title, then its entries as coloured text, beside the title where
    they fit and on the lines below otherwise, wrapped to the plot's width (again whenever the plot is resized). Every
    line a legend spends is taken from the plot: at 1024x768 and 130 % zoom a title over three legend lines left the
    loss plot 45 px (issue 9, item 6).

    entries: (name, colour, glyph) with glyph one of GLYPHS ("line", "dash", "dot", "tri")."""
    if item not in _LEGENDS:  # the first legend of this plot: it follows the plot's width from now on
        # A weak reference: the connection lives in Qt, out of the garbage collector's sight, so a closure over the
        # plot kept every plot taken out of its layout alive, with its menus and curves (the gates tab's "mean over
        # units" at every change of cell type: the window grew with each run, docs/benchmarks.md).
        follow = weakref.ref(item)
        item.vb.sigResized.connect(lambda _vb: _layout_legend(follow()) if follow() is not None else None)
    _LEGENDS[item] = _Legend(title, list(entries))
    _layout_legend(item)


def _title_lines(title: str, width_px: float, font: QFont) -> list[str]:
    """Greedy word wrap of a title into lines no wider than width_px; an aside in brackets that fits on a line stays
    on one ("(lower is better)", not "(lower is" and "better)")."""
    metrics = QFontMetricsF(font)
    lines: list[str] = []
    words = [w for w in re.split(r"(\([^()]*\))|\s+", title) if w and w.strip()]
    words = [w for part in words for w in ([part] if metrics.horizontalAdvance(part) <= width_px
                                            else part.split(" "))]
    for word in words:
        if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= width_px:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _legend_pieces(entries, width_px: float, font: QFont) -> list[tuple[str, str, str, bool]]:
    """The entries as (text, colour, mark, continued) pieces: an entry wider than the plot loses its asides in
    brackets ("unigram (character frequencies) 3.58" -> "unigram 3.58"), then is word-wrapped, its later lines marked
    `continued` (they go on lines of their own, under the entry's first line)."""
    metrics = QFontMetricsF(font)
    pieces = []
    for name, color, glyph in entries:
        mark = GLYPHS.get(glyph, glyph)
        if metrics.horizontalAdvance(f"{mark}\u00a0{name}") > width_px:
            name = re.sub(r"\s*\([^()]*\)", "", name) or name
        if metrics.horizontalAdvance(f"{mark}\u00a0{name}") <= width_px:
            pieces.append((name, color, mark, False))
            continue
        words = _title_lines(name, width_px - metrics.horizontalAdvance(f"{mark}\u00a0"), font)
        pieces.append((words[0], color, mark, False))
        pieces += [(word, color, "", True) for word in words[1:]]
    return pieces


def _legend_lines(pieces, width_px: float, font: QFont, taken: float = 0.0) -> list[tuple[int, ...]]:
    """Greedy wrap of the pieces (as indices) into lines no wider than width_px; the first line starts `taken` px in
    (after the title, when the legend begins beside it). A first line with no room for a piece is left empty."""
    metrics = QFontMetricsF(font)
    gap = metrics.horizontalAdvance("\u00a0\u00a0\u00a0")
    lines: list[list[int]] = [[]]
    used = taken
    for i, (text, _color, mark, continued) in enumerate(pieces):
        w = metrics.horizontalAdvance(f"{mark}\u00a0{text}")
        if (lines[-1] or used) and (continued or used + gap + w > width_px):
            lines.append([])
            used = 0.0
        used += (gap if used else 0.0) + w
        lines[-1].append(i)
    return [tuple(line) for line in lines]


def _layout_legend(item: pg.PlotItem) -> None:
    legend = _LEGENDS.get(item)
    if legend is None:
        return
    title, entries = legend.title, legend.entries
    small = max(7, theme.font_size() - 1)
    big, little = QFont(), QFont()
    big.setPointSize(theme.font_size() + 1)
    little.setPointSize(small)
    bold = QFont(big)
    bold.setBold(True)
    width = max(60.0, item.vb.width() - 8 if item.vb.width() > 0 else 400.0)  # the title sits over the view box
    heads = _title_lines(title, width, bold) if title else []
    pieces = _legend_pieces(entries, width, little)
    taken = QFontMetricsF(bold).horizontalAdvance(heads[-1]) if heads else 0.0
    lines = _legend_lines(pieces, width, little, taken) if pieces else []
    if (heads, pieces, lines) == legend.lines:
        return  # the same breaks: nothing to re-lay out
    legend.lines = (heads, pieces, lines)
    spans = [f"<span style='color:{color}'>{mark or '&nbsp;&nbsp;'}&nbsp;{text}</span>"
             for text, color, mark, _continued in pieces]
    texts = ["&nbsp;&nbsp; ".join(spans[i] for i in line) for line in lines]
    below = texts[1:] if heads else texts  # with a title, lines[0] is what sits beside it (maybe nothing)
    html = f"<b>{'<br>'.join(heads)}</b>" if heads else ""
    if heads and lines and lines[0]:
        html += f"<span style='font-size:{small}pt'>&nbsp;&nbsp;&nbsp;{texts[0]}</span>"
    if below:
        html += ("<br>" if heads else "") + f"<span style='font-size:{small}pt'>{'<br>'.join(below)}</span>"
    item.setTitle(html, color=theme.FOREGROUND, size=f"{theme.font_size() + 1}pt")
    # pyqtgraph gives a title one line (30 px); make room for the title's and the legend's lines.
    height = int(len(heads) * QFontMetricsF(bold).lineSpacing() + len(below) * QFontMetricsF(little).lineSpacing() + 8)
    height = max(30, height)
    item.titleLabel.setMaximumHeight(height)
    item.layout.setRowFixedHeight(0, height)
    release_title_width(item)


def curve(item: pg.PlotItem, color: str, name: Optional[str] = None, width: float = 1,
          style=Qt.SolidLine, symbol=None, long: bool = True) -> pg.PlotDataItem:
    """One curve, created once. `long` curves get clip-to-view and peak downsampling."""
    c = item.plot([], [], pen=pen(color, width, style), name=name, symbol=symbol,
                  symbolBrush=color if symbol else None, symbolPen=None if symbol else None, symbolSize=6)
    if long:
        c.setClipToView(True)
        c.setDownsampling(auto=True, method="peak")
    return c


class Heatmap:
    """An ImageItem with fixed colour levels and a lookup table, inside a plot with labelled axes."""

    def __init__(self, item: pg.PlotItem, levels: tuple[float, float], lut: np.ndarray,
                 colorbar: bool = True, bar_label: str = ""):
        self.item = item
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(lut)
        self.image.setLevels(levels)
        item.addItem(self.image)
        item.invertY(False)
        item.setDefaultPadding(0.0)
        self.levels = levels
        self.bar = None
        if colorbar:
            cmap = pg.ColorMap(np.linspace(0, 1, len(lut)), lut)
            self.bar = pg.ColorBarItem(values=levels, colorMap=cmap, interactive=False, width=10,
                                       label=bar_label or None, colorMapMenu=False)
            self.bar.setImageItem(self.image, insert_in=item)
            self.bar.setLevels(levels)
            self.bar.axis.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
            self._label_bar()
        self.shape = (0, 0)

    def _label_bar(self) -> None:
        """The colour bar names its two ends and the middle only: readable however short the heatmap is."""
        lo, hi = self.levels
        mid = (lo + hi) / 2
        if float(lo).is_integer() and float(hi).is_integer() and hi - lo > 2:
            mid = float(round(mid))  # log10 levels: whole decades read best
        self.bar.axis.setTicks([[(v, f"{v:g}") for v in (lo, mid, hi)], []])

    def set_levels(self, levels: tuple[float, float]) -> None:
        if tuple(levels) != tuple(self.levels):
            self.levels = levels
            if self.bar is not None:
                self.bar.setLevels(levels)
                self._label_bar()
            else:
                self.image.setLevels(levels)

    def set_lut(self, lut: np.ndarray) -> None:
        self.image.setLookupTable(lut)
        if self.bar is not None:
            self.bar.setColorMap(pg.ColorMap(np.linspace(0, 1, len(lut)), lut))
            self.bar.setLevels(self.levels)

    def set(self, data: np.ndarray, rect: Optional[QRectF] = None) -> None:
        data = np.ascontiguousarray(data, dtype=np.float32)
        self.image.setImage(data, autoLevels=False, levels=self.levels)
        if rect is None:
            rect = QRectF(0, 0, data.shape[1], data.shape[0])
        self.image.setRect(rect)
        if data.shape != self.shape:
            self.shape = data.shape
            self.item.getViewBox().autoRange(padding=0.0)

    def clear(self) -> None:
        self.image.clear()
        self.shape = (0, 0)

    def frame(self, width: int, height: int) -> None:
        """Before any data: axes over the shape the data will have (time steps x units), not pyqtgraph's -0.5..0.5."""
        if self.shape == (0, 0) and width > 0 and height > 0:
            self.item.setRange(xRange=(0, width), yRange=(0, height), padding=0.0)


def nice_step(span: float) -> float:
    """1, 2 or 5 times a power of ten, at least `span`."""
    if not math.isfinite(span) or span <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(span))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * power >= span * (1 - 1e-9):
            return m * power
    return 10.0 * power


class StableRange:
    """An axis range that changes only when the data leaves it or shrinks well inside it.

    Autorange moves the axes at every refresh, and a moved axis must be re-rendered, text and all: while training the
    ranges grow in coarse steps instead (x to the next 1-2-5 value, log y to whole decades)."""

    def __init__(self, item: pg.PlotItem, axis: str, log: bool = False):
        self.item, self.axis, self.log = item, axis, log
        self.range: Optional[tuple[float, float]] = None
        item.enableAutoRange(axis=axis, enable=False)

    def reset(self) -> None:
        self.range = None

    def show_empty(self, lo: float, hi: float) -> None:
        """Before any data: show lo..hi (whole decades on a log axis), so the empty plot has readable ticks. The first
        fit replaces it."""
        self.range = None
        if self.axis == "x":
            self.item.setXRange(lo, hi, padding=0.02)
        else:
            self.item.setYRange(lo, hi, padding=0.02)

    def fit_steps(self, last: float, total: float = 0) -> None:
        """x = training steps: 0 to the next 1-2-5 value above the last step (at most the planned total)."""
        if not math.isfinite(last):
            return
        hi = nice_step(max(1.0, last * 1.02))
        if total and total >= last:
            hi = min(hi, float(total))
        new = (0.0, max(hi, 1.0))
        if new != self.range:
            self.range = new
            self.item.setXRange(*new, padding=0.02)

    def fit(self, values: np.ndarray, floor: Optional[float] = None, ceiling: Optional[float] = None) -> None:
        values = values[np.isfinite(values)]
        if self.log:
            values = values[values > 0]
        if len(values) == 0:
            return
        lo, hi = float(values.min()), float(values.max())
        if self.log:
            lo, hi = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
            hi = max(hi, lo + 1)
            new = (lo, hi)
        else:
            if floor is not None:
                lo = min(lo, floor)
            if self.range is not None and self.range[0] <= lo and hi <= self.range[1]:
                span = self.range[1] - self.range[0]
                if (hi - lo) >= 0.4 * span:
                    return
            step = nice_step(max(hi - lo, abs(hi) * 1e-3, 1e-12) / 4)
            lo = math.floor(lo / step) * step if floor is None else floor
            hi = math.ceil(hi / step) * step
            if ceiling is not None:
                hi = min(hi, ceiling)
            if hi <= lo:
                hi = lo + step
            new = (lo, hi)
        if new != self.range:
            self.range = new
            if self.axis == "x":
                self.item.setXRange(*new, padding=0.02)
            else:
                self.item.setYRange(*new, padding=0.02)


def finite_xy(x: np.ndarray, y: np.ndarray, positive: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The points of a curve that can be drawn (log axes need y > 0)."""
    keep = np.isfinite(y) & np.isfinite(x)
    if positive:
        keep &= y > 0
    return x[keep], y[keep]


class EMA:
    """The exponential moving average of a growing column (the smoothed training loss), NaN ignored, computed for
    the new points only: `update(column)` extends it to the column's length."""

    def __init__(self, span: int):
        self.alpha = 2.0 / (span + 1.0)
        self._out = Growing()
        self._acc = math.nan

    @property
    def n(self) -> int:
        return self._out.n

    @property
    def values(self) -> np.ndarray:
        return self._out.values

    def update(self, column: np.ndarray) -> np.ndarray:
        if len(column) < self._out.n:  # a shorter column: another run's, start over
            self.clear()
        new = column[self._out.n:]
        out = np.empty(len(new))
        acc, alpha = self._acc, self.alpha
        for i, v in enumerate(new):  # a short python loop: the new points since the last refresh
            if math.isfinite(v):
                acc = v if not math.isfinite(acc) else acc + alpha * (v - acc)
            out[i] = acc
        self._acc = acc
        self._out.extend(out)
        return self._out.values

    def clear(self) -> None:
        self._out.clear()
        self._acc = math.nan


class RunAverages:
    """One EMA per run of a RunSet, by track key; a new run under the same key (a rerun) starts its average afresh."""

    def __init__(self, span: int):
        self.span = span
        self._held: dict[str, tuple[object, EMA]] = {}

    def update(self, key: str, data: object, column: np.ndarray) -> np.ndarray:
        held = self._held.get(key)
        if held is None or held[0] is not data:
            held = self._held[key] = (data, EMA(self.span))
        return held[1].update(column)

    def values(self) -> list[np.ndarray]:
        return [ema.values for _data, ema in self._held.values()]

    def clear(self) -> None:
        self._held.clear()


def refill(box: QComboBox, items: list[str]) -> None:
    """New items, the chosen index kept where it still exists; no signal (the caller redraws once)."""
    if [box.itemText(i) for i in range(box.count())] == items:
        return
    keep = box.currentIndex()
    box.blockSignals(True)
    box.clear()
    box.addItems(items)
    box.setCurrentIndex(keep if 0 <= keep < len(items) else 0)
    box.blockSignals(False)
