"""Figures and data out of the window: a plot, a tab or the whole window as PNG (any size) or SVG, a plot's data as
CSV with named columns, and a plot copied to the clipboard as an image.

pyqtgraph's own export dialog lists every item twice, writes PNGs at screen size, fails on SVG and names CSV columns
x0000, y0000 (issue 14); `install_context_menu` sends each plot's "Export..." to rnnlab's dialog instead.

Rendering goes through QPainter onto a QImage or a QSvgGenerator, so the figure is redrawn at the target's
resolution (text and lines stay sharp at 2x or 4x) and SVG text stays text. Item caches (the axes are cached as
device pixmaps to keep the live plots fast) are switched off while rendering, or they would be scaled as bitmaps.
"""

from __future__ import annotations

import html
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Union

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QIODevice, QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QCursor, QGuiApplication, QImage, QPainter, QPen, QRegion
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QGraphicsItem, QWidget

from ...errors import RnnlabError
from ..plots.common import legend_of
from ...i18n import N_, _, ngettext, strerror

Target = Union[pg.PlotItem, QWidget]
DEFAULT_SCALE = 2.0  # PNGs at twice the size on screen: sharp on a projector or a slide


@dataclass(frozen=True)
class Choice:
    """Something the user can export: a plot, a tab or the window, with the name its files get by default."""

    label: str  # shown in the dialog: "Plot: Loss", "Tab: Gates", "The whole window"
    target: object  # a pg.PlotItem or a QWidget
    slug: str  # "loss", "gates", "window"

    @property
    def is_plot(self) -> bool:
        return isinstance(self.target, pg.PlotItem)


# --- what is on screen ---------------------------------------------------------------------------------------------


def plot_title(item: pg.PlotItem) -> str:
    """The plot's title as plain text ("Loss", "Forget gate f"), without the legend lines under it."""
    legend = legend_of(item)
    if legend and legend[0]:
        return legend[0]
    text = item.titleLabel.text or ""
    text = re.split(r"<br\s*/?>", text, maxsplit=1)[0]
    return html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\u00a0", " ").strip()


def slug(text: str) -> str:
    """A file-name piece from a title: "Validation MSE (lower is better)" -> "validation-mse"."""
    text = re.sub(r"\(.*?\)", "", text).lower()
    text = text.replace("‖", "").replace("∂", "d")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "plot"


def plots_in(widget: QWidget) -> list[pg.PlotItem]:
    """The visible plots inside a widget, in reading order (top to bottom, left to right)."""
    found = []
    for view in widget.findChildren(pg.GraphicsView):
        if not view.isVisibleTo(widget.window()) or view.width() < 2 or view.height() < 2:
            continue
        for item in view.scene().items():
            if isinstance(item, pg.PlotItem) and item.isVisible() and item.scene() is view.scene():
                found.append((view.mapTo(widget.window(), view.mapFromScene(item.sceneBoundingRect().topLeft())),
                              item))
    found.sort(key=lambda p: (p[0].y(), p[0].x()))
    return [item for _, item in found]


def _has_content(item: pg.PlotItem) -> bool:
    return bool(item.listDataItems()) or any(isinstance(i, pg.ImageItem) for i in item.items)


def plot_choices(widget: QWidget) -> list[Choice]:
    """A choice per visible plot of the widget, named by its title (a number added where two are alike).
    Untitled plots without data (a heatmap's colour bar) are left out."""
    choices, seen = [], {}
    for item in plots_in(widget):
        title = plot_title(item)
        if not title and not _has_content(item):
            continue
        title = title or "plot"
        seen[title] = seen.get(title, 0) + 1
        label = title if seen[title] == 1 else f"{title} ({seen[title]})"
        choices.append(Choice(f"Plot: {label}", item, slug(label)))
    return choices


def plot_at_cursor(view: pg.GraphicsView) -> Optional[pg.PlotItem]:
    """The plot under the mouse in a view, else its only (or first) plot."""
    scene = view.scene()
    pos = view.mapToScene(view.mapFromGlobal(QCursor.pos()))
    for item in scene.items(pos):
        plot = owning_plot(item)
        if plot is not None:
            return plot
    plots = [i for i in scene.items() if isinstance(i, pg.PlotItem) and i.isVisible()]
    return plots[0] if plots else None


def owning_plot(item) -> Optional[pg.PlotItem]:
    while item is not None and not isinstance(item, pg.PlotItem):
        item = item.parentItem()
    return item


def logical_size(target: Target) -> QSize:
    """The target's size on screen, in device-independent pixels."""
    if isinstance(target, pg.PlotItem):
        r = target.sceneBoundingRect()
        return QSize(max(1, round(r.width())), max(1, round(r.height())))
    return QSize(max(1, target.width()), max(1, target.height()))


# --- rendering -----------------------------------------------------------------------------------------------------


@contextmanager
def _uncached(target: Target) -> Iterator[None]:
    """Item caches off (restored after): a cached axis would otherwise be a scaled-up screen-resolution bitmap."""
    scenes = [target.scene()] if isinstance(target, pg.PlotItem) else \
        [v.scene() for v in target.findChildren(pg.GraphicsView)]
    saved, legends = [], []
    for scene in scenes:
        for item in scene.items():
            if item.cacheMode() != QGraphicsItem.NoCache:
                saved.append((item, item.cacheMode()))
                item.setCacheMode(QGraphicsItem.NoCache)
            if isinstance(item, pg.LegendItem) and item.flags() & QGraphicsItem.ItemIgnoresTransformations:
                # A legend keeps its pixel size whatever the view's scale: at 2x it came out half the size of the
                # rest (issue 19, item 9). Its parent is the view box, which is not scaled: without the flag it is
                # drawn where it is on screen, scaled with everything else.
                legends.append(item)
                item.setFlag(QGraphicsItem.ItemIgnoresTransformations, False)
    try:
        yield
    finally:
        for item, mode in saved:
            item.setCacheMode(mode)
        for item in legends:
            item.setFlag(QGraphicsItem.ItemIgnoresTransformations, True)


@contextmanager
def _backgrounds(target: Target, color: QColor) -> Iterator[None]:
    """Every plot view's background brush set to `color` (white or transparent) while the widget renders."""
    views = [] if isinstance(target, pg.PlotItem) else target.findChildren(pg.GraphicsView)
    saved = [(v, v.backgroundBrush()) for v in views]
    for v in views:
        v.setBackgroundBrush(color)
    try:
        yield
    finally:
        for v, brush in saved:
            v.setBackgroundBrush(brush)


@contextmanager
def _scaled_lines(target: Target, scale: float) -> Iterator[None]:
    """Curves drawn as they look on screen, only larger: their cosmetic (pixel-wide) pens widened by the image's
    scale and antialiased. At 2x a 1 px aliased line is half as thick as on screen and its steep segments are lone
    pixels, which a viewer that shows the PNG smaller drops: a dense daily series came out as disconnected dashes
    (issue 19, item 9)."""
    scenes = [target.scene()] if isinstance(target, pg.PlotItem) else \
        [v.scene() for v in target.findChildren(pg.GraphicsView)]
    saved = []
    for scene in scenes:
        for item in scene.items():
            if not isinstance(item, pg.PlotCurveItem):
                continue
            pens = {key: item.opts.get(key) for key in ("pen", "shadowPen", "segmentedLineMode")}
            saved.append((item, pens))
            item.opts["segmentedLineMode"] = "off"  # one path: antialiased segments would overlap at every joint
            for key in ("pen", "shadowPen"):
                old = pens[key]
                if old is not None and old.isCosmetic() and scale > 1.0:
                    wide = QPen(old)
                    wide.setWidthF(max(1.0, old.widthF()) * scale)
                    item.opts[key] = wide
            item.setExportMode(True, {"antialias": True})
    try:
        yield
    finally:
        for item, pens in saved:
            item.opts.update(pens)
            item.setExportMode(False)


def _paint(target: Target, painter: QPainter, width: float, height: float, background: QColor) -> None:
    painter.setRenderHint(QPainter.Antialiasing, True)
    painter.setRenderHint(QPainter.TextAntialiasing, True)
    painter.setRenderHint(QPainter.SmoothPixmapTransform, False)  # heatmap cells stay sharp-edged, as on screen
    size = logical_size(target)
    scale = min(width / size.width(), height / size.height())
    with _uncached(target), _backgrounds(target, background), _scaled_lines(target, scale):
        if isinstance(target, pg.PlotItem):
            source = target.sceneBoundingRect()
            target.scene().render(painter, QRectF(0, 0, width, height), source, Qt.IgnoreAspectRatio)
        else:
            painter.scale(width / size.width(), height / size.height())
            target.render(painter, QPoint(), QRegion(), QWidget.DrawChildren)


def render_image(target: Target, size: Optional[QSize] = None, scale: float = DEFAULT_SCALE,
                 white: bool = True) -> QImage:
    """The target drawn into an image of `size` pixels (or `scale` times its size on screen)."""
    if size is None:
        base = logical_size(target)
        size = QSize(max(1, round(base.width() * scale)), max(1, round(base.height() * scale)))
    if size.width() < 1 or size.height() < 1 or size.width() * size.height() > 200_000_000:
        raise RnnlabError(_("an image of {width} x {height} pixels cannot be made; choose a size from 1 x 1 up to "
                            "about 14000 x 14000").format(width=size.width(), height=size.height()))
    image = QImage(size, QImage.Format_ARGB32_Premultiplied)
    if image.isNull():
        raise RnnlabError(_("there is not enough memory for an image of {width} x {height} pixels; choose a "
                            "smaller size").format(width=size.width(), height=size.height()))
    background = QColor("white") if white else QColor(0, 0, 0, 0)
    image.fill(background)
    painter = QPainter(image)
    try:
        _paint(target, painter, size.width(), size.height(), background)
    finally:
        painter.end()
    return image


def save_png(target: Target, path: str | Path, size: Optional[QSize] = None, scale: float = DEFAULT_SCALE,
             white: bool = True) -> QSize:
    """Write the target as a PNG; returns its size in pixels."""
    image = render_image(target, size, scale, white)
    _write_bytes(path, _png_bytes(image))
    return image.size()


def save_svg(target: Target, path: str | Path, title: str = "", white: bool = True) -> None:
    """Write the target as SVG at its size on screen, with its text as text (it stays editable in Inkscape).

    A plot goes through pyqtgraph's SVG exporter, which folds each item's transform into its coordinates and
    clips curves to the plot, so every renderer (browsers, Inkscape, librsvg) draws it alike. A tab or the window
    (plots among ordinary widgets) is drawn through Qt's SVG generator."""
    if isinstance(target, pg.PlotItem):
        data = _plot_svg(target, title, white)
    else:
        data = _widget_svg(target, title, white)
    _write_bytes(path, data)


def _plot_svg(item: pg.PlotItem, title: str, white: bool) -> bytes:
    from pyqtgraph.exporters import SVGExporter

    _fix_pyqtgraph_svg_paths()  # here, not at import: the exporter's modules are not the window's start's
    exporter = SVGExporter(item)
    exporter.params["background"] = QColor("white") if white else QColor(0, 0, 0, 0)
    with _uncached(item):
        text = exporter.export(toBytes=True).decode("utf-8")
    size = logical_size(item)
    text = text.replace('viewBox ="', f'width="{size.width()}" height="{size.height()}" viewBox="', 1)
    return text.replace("<title>pyqtgraph SVG export</title>",
                        f"<title>{html.escape(title or plot_title(item) or 'rnnlab plot')}</title>", 1).encode("utf-8")


def _widget_svg(widget: QWidget, title: str, white: bool) -> bytes:
    size = logical_size(widget)
    buffer = QBuffer()
    buffer.open(QIODevice.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setResolution(96)  # so that its width and height are the window's pixels (CSS px)
    generator.setSize(size)
    generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
    generator.setTitle(title or "rnnlab")
    generator.setDescription(_("Exported from rnnlab"))
    background = QColor("white") if white else QColor(0, 0, 0, 0)
    painter = QPainter(generator)
    try:
        if white:
            painter.fillRect(QRectF(0, 0, size.width(), size.height()), background)
        _paint(widget, painter, size.width(), size.height(), background)
    finally:
        painter.end()
    return bytes(buffer.data())


_svg_fix = None  # the exporter's path fix, once installed


def _fix_pyqtgraph_svg_paths() -> None:
    """pyqtgraph 0.13-0.14's SVG exporter reads every token of a path as "x,y" and stops with a ValueError at the
    close-path command "Z" that Qt 6 writes (the silent failure of issue 14). Hide the Z from it, put it back after."""
    import importlib

    module = importlib.import_module("pyqtgraph.exporters.SVGExporter")
    global _svg_fix
    original = getattr(module, "correctCoordinates", None)
    if original is None or original is _svg_fix:
        return  # fixed already, or a pyqtgraph whose exporter is built differently

    def correct_coordinates(node, defs, item, options):
        closed = []
        for path in node.getElementsByTagName("path"):
            tokens = path.getAttribute("d").split()
            if "Z" in tokens:
                path.setAttribute("d", " ".join(t for t in tokens if t != "Z"))
                closed.append(path)
        original(node, defs, item, options)
        for path in closed:
            path.setAttribute("d", path.getAttribute("d").rstrip() + " Z")

    _svg_fix = module.correctCoordinates = correct_coordinates


def copy_image(target: Target, scale: float = DEFAULT_SCALE) -> QSize:
    """Put the target on the clipboard as an image (for pasting into slides)."""
    image = render_image(target, scale=scale)
    QGuiApplication.clipboard().setImage(image)
    return image.size()


# --- data ----------------------------------------------------------------------------------------------------------


def _column_name(text: str, asides: bool = False) -> str:
    """A title as a column name; a bracketed aside ("(lower is better)") goes unless `asides`."""
    text = html.unescape(re.sub(r"<[^>]+>", "", text or "")).strip().lower()
    text = text.replace("‖∂l/∂hₜ‖", "grad_norm").replace("‖", "").replace("∂", "d")
    return re.sub(r"[^a-z0-9]+", "_", text if asides else re.sub(r"\(.*?\)", "", text)).strip("_")


def _axis_name(item: pg.PlotItem, side: str, fallback: str) -> str:
    """An axis label as a column name; "time step t" becomes "t", the symbol the plots use."""
    label = re.sub(r"\(.*?\)", "", getattr(item.getAxis(side), "labelText", "") or "").split()
    if len(label) > 1 and len(label[-1]) == 1:
        return label[-1]
    return _column_name(" ".join(label)) or fallback


def _curve_names(curves: list, legend: list, used: set) -> list[str]:
    """The curves' columns. Where two would get the same name without their asides ("vanilla RNN (tanh)" and
    "vanilla RNN (ReLU)" in a race), both keep them; what still repeats is numbered."""
    titles = [_curve_title(curve, legend) for curve in curves]
    short = [_column_name(t) for t in titles]
    names = []
    for index, (title, name) in enumerate(zip(titles, short)):
        if short.count(name) > 1:
            name = _column_name(title, asides=True)
        name = name or f"y{index + 1}"
        base, n = name, 2
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        names.append(name)
    return names


def _curve_title(curve, legend: list) -> str:
    """A curve's title: its object name, its pyqtgraph name, or the legend entry of its colour."""
    opts = getattr(curve, "opts", {})
    name = curve.objectName() or opts.get("name") or ""
    if not name:
        colors = [pg.mkPen(opts[k]).color().name() for k in ("pen",) if opts.get(k) is not None]
        colors += [pg.mkBrush(opts[k]).color().name() for k in ("symbolBrush", "brush") if opts.get(k) is not None]
        for entry_name, color, _glyph in legend:
            if QColor(color).name() in colors:
                name = entry_name
                break
    return re.sub(r" [-+]?[\d.]+(e[-+]?\d+)?$", "", name)  # a legend entry's value: "always 1.0 0.1682"


def plot_table(item: pg.PlotItem) -> tuple[list[str], list[list[float]]]:
    """The plotted data as a table: curves side by side on their shared x (blank where a curve has no point), or a
    heatmap in long form (x, y, value). Numbers are the plotted values at full precision."""
    images = [i for i in item.items if isinstance(i, pg.ImageItem) and i.image is not None and i.isVisible()]
    if images:
        return _image_table(item, images[0])
    legend = (legend_of(item) or ("", []))[1]
    used: set = set()
    x_name = _axis_name(item, "bottom", "x")
    used.add(x_name)
    drawn = [(curve, xy) for curve, xy in ((c, _series(c)) for c in item.items)
             if xy is not None and len(xy[0]) > 0 and curve.isVisible()]
    names = _curve_names([curve for curve, _xy in drawn], legend, used)
    columns = [(name, np.asarray(xy[0], float), np.asarray(xy[1], float)) for name, (_c, xy) in zip(names, drawn)]
    if not columns:
        return [x_name], []
    xs = np.unique(np.concatenate([c[1] for c in columns]))
    if len(xs) > max(len(c[1]) for c in columns) + len(columns):
        # The series do not share their x (answers against targets, points scattered): one row per point.
        y_name = _axis_name(item, "left", "y")
        rows = [[name, float(xv), float(yv)] for name, x, y in columns for xv, yv in zip(x, y)]
        return ["series", x_name, y_name if y_name != x_name else "y"], rows
    rows = [[float(x)] + [math.nan] * len(columns) for x in xs]
    position = {float(x): i for i, x in enumerate(xs)}
    for k, (_name, x, y) in enumerate(columns):
        for xv, yv in zip(x, y):
            rows[position[float(xv)]][k + 1] = float(yv)
    labels = getattr(item.getAxis("bottom"), "_labels", None)  # words or dates along x: a column of their own
    if labels and all(float(x).is_integer() and 0 <= x < len(labels) for x in xs):
        return [x_name, "label"] + [c[0] for c in columns], [[r[0], labels[int(r[0])]] + r[1:] for r in rows]
    return [x_name] + [c[0] for c in columns], rows


def _series(item) -> Optional[tuple[np.ndarray, np.ndarray]]:
    """The (x, y) points an item draws, in data units; None for items that are not data (grid, labels)."""
    if isinstance(item, pg.PlotDataItem):
        if item.opts.get("connect") == "pairs":
            return None  # strokes between pairs of points (clipping marks): a decoration, not a series
        x, y = item.getOriginalDataset()  # before a log axis transforms them
        return (x, y) if x is not None and y is not None else None
    if isinstance(item, pg.ScatterPlotItem):
        return item.getData()
    if isinstance(item, pg.BarGraphItem):
        o = item.opts
        if o.get("y") is not None and o.get("width") is not None:  # horizontal bars from x0: their ends
            x0 = np.zeros(len(o["y"])) if o.get("x0") is None else np.broadcast_to(o["x0"], np.shape(o["y"]))
            return np.asarray(x0, float) + np.asarray(o["width"], float), np.asarray(o["y"], float)
        if o.get("x") is not None and o.get("height") is not None:
            return np.asarray(o["x"], float), np.asarray(o["height"], float)
    return None


def _image_table(item: pg.PlotItem, image: pg.ImageItem) -> tuple[list[str], list[list[float]]]:
    data = np.asarray(image.image, dtype=float)
    rows_n, cols_n = data.shape[:2]  # row-major: rows run along y, columns along x
    rect = image.mapRectToParent(image.boundingRect())
    x0, dx = rect.left(), rect.width() / max(1, cols_n)
    y0, dy = rect.top(), rect.height() / max(1, rows_n)
    x_name, y_name = _axis_name(item, "bottom", "x"), _axis_name(item, "left", "y")
    if y_name == x_name:
        y_name = f"{y_name}_y"
    ys = [y0 + i * dy for i in range(rows_n)]
    steps = getattr(item.getAxis("left"), "steps", None)  # a history heatmap: row k is the probe at steps[k]
    if steps and len(steps) == rows_n:
        ys = [float(s) for s in steps]
    rows = [[x0 + j * dx, ys[i], float(data[i, j])] for i in range(rows_n) for j in range(cols_n)]
    return [x_name, y_name, "value"], rows


def save_csv(item: pg.PlotItem, path: str | Path) -> int:
    """Write a plot's data as CSV; returns the number of data rows."""
    header, rows = plot_table(item)
    if not rows:
        raise RnnlabError(_("this plot has no data yet; train a few steps first"))
    lines = [",".join(header)]
    lines += [",".join(_cell(v) for v in row) for row in rows]
    _write_bytes(path, ("\n".join(lines) + "\n").encode("utf-8"))
    return len(rows)


def _cell(v) -> str:
    """Numbers at full precision (repr round-trips a float exactly), NaN as an empty cell, text quoted if needed."""
    if isinstance(v, str):
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n') else v
    if math.isnan(v):
        return ""
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


# --- files ---------------------------------------------------------------------------------------------------------


def _png_bytes(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RnnlabError(_("the image could not be encoded as PNG"))
    return bytes(buffer.data())


def _write_bytes(path: str | Path, data: bytes) -> None:
    from ...fileio import atomic_write

    path = Path(path)
    try:
        atomic_write(path, data)  # an ordinary file's mode, not the private temporary one's
    except OSError as exc:
        raise RnnlabError(_("cannot write {path}: {value}. Choose another folder or name.").format(path=path, value=strerror(exc))) from None


def export(choice: Choice, path: str | Path, kind: str, size: Optional[QSize] = None,
           scale: float = DEFAULT_SCALE, white: bool = True) -> str:
    """Write `choice` as kind "png", "svg" or "csv" to `path`; returns a one-line description of what was written."""
    path = Path(path)
    if kind == "png":
        s = save_png(choice.target, path, size, scale, white)
        return _("Saved {name} ({width} x {height} pixels)").format(name=path.name, width=s.width(), height=s.height())
    if kind == "svg":
        save_svg(choice.target, path, choice.label.split(": ", 1)[-1], white)
        return _("Saved {name} (SVG)").format(name=path.name)
    if kind == "csv":
        if not choice.is_plot:
            raise RnnlabError(_("CSV holds one plot's data: choose a plot, not a tab or the window"))
        rows = save_csv(choice.target, path)
        return _("Saved {name} ({rows} rows)").format(name=path.name, rows=rows)
    raise RnnlabError(_("unknown export format {kind!r}; use png, svg or csv").format(kind=kind))


# --- pyqtgraph's context menu --------------------------------------------------------------------------------------


def install_context_menu(open_dialog) -> None:
    """Each plot's right-click "Export..." opens `open_dialog(window, plot)` instead of pyqtgraph's dialog.

    pyqtgraph connects its scene's menu entry to GraphicsScene.showExportDialog when a scene is made, so this must
    run before the window's plots are created; it replaces the method for every scene made after it."""

    def show_export_dialog(scene):
        plot = owning_plot(getattr(scene, "contextMenuItem", None))
        views = scene.views()
        window = views[0].window() if views else QApplication.activeWindow()
        open_dialog(window, plot)

    pg.GraphicsScene.showExportDialog = show_export_dialog
