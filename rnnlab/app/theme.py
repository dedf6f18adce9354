"""Colours, colour maps and the application style: one place, so a gate has the same colour in every plot.

Light background with dark text: the window is often projected, and projectors wash out dark themes.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from ..resources import resource

# --- colours -------------------------------------------------------------------------------------------------------

BACKGROUND = "#ffffff"
FOREGROUND = "#222222"
GRID_ALPHA = 0.25

# One colour per gate (torch's gate names, see models/probe.py), used for curves, titles and heatmap ramps.
GATE_COLORS = {
    "i": "#2a9d3f",  # input gate: green
    "f": "#1f6fd1",  # forget gate: blue
    "g": "#e07b00",  # LSTM candidate: orange
    "o": "#8e44ad",  # output gate: purple
    "r": "#c0392b",  # GRU reset gate: red
    "z": "#16a0a0",  # GRU update gate: teal
    "n": "#e07b00",  # GRU candidate: orange, like the LSTM candidate
    "pre": "#7f7f7f",  # vanilla RNN pre-activation: grey
    "h": "#444444",  # vanilla RNN activation / hidden state: dark grey
}
STATE_COLORS = {"hidden": "#444444", "cell": "#8c564b"}

# Curves of the learning plots.
TRAIN = "#1f77b4"
TRAIN_SMOOTH = "#0b3d91"
VAL = "#d62728"
METRIC = "#d62728"
BASELINE = "#7f7f7f"
CLIP_MARK = "#e6550d"
GLOBAL_NORM = "#222222"
# Parameter groups of the gradient-norm plot, in order of appearance.
GROUP_COLORS = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#ff7f0e"]
# Task views: truth, model, baselines.
TRUTH = "#222222"
MODEL = "#d62728"
BASELINE_COLORS = {"seasonal naive": "#2ca02c", "last value": "#9467bd"}
SPLIT_SHADES = {"val": (255, 200, 60, 40), "test": (120, 120, 255, 40)}


def baseline_color(name: str, index: int = 0) -> str:
    return BASELINE_COLORS.get(name, GROUP_COLORS[(index + 3) % len(GROUP_COLORS)])


def group_color(index: int) -> str:
    return GROUP_COLORS[index % len(GROUP_COLORS)]


# --- colour maps (256-entry lookup tables for ImageItem) -----------------------------------------------------------


def _ramp(stops: list[tuple[float, str]], n: int = 256) -> np.ndarray:
    pos = np.array([p for p, _ in stops])
    cols = np.array([QColor(c).getRgb()[:3] for _, c in stops], dtype=float)
    x = np.linspace(0.0, 1.0, n)
    lut = np.stack([np.interp(x, pos, cols[:, k]) for k in range(3)], axis=1)
    return np.ascontiguousarray(lut.round().astype(np.ubyte))


def _lighter(color: str, amount: float) -> str:
    c = QColor(color)
    r, g, b = (int(v + (255 - v) * amount) for v in c.getRgb()[:3])
    return QColor(r, g, b).name()


def _darker(color: str, amount: float) -> str:
    c = QColor(color)
    r, g, b = (int(v * (1 - amount)) for v in c.getRgb()[:3])
    return QColor(r, g, b).name()


def gate_lut(gate: str) -> np.ndarray:
    """Sigmoid gates (0..1): white (closed, 0) to the gate's own colour, darkened at 1 (fully open)."""
    color = GATE_COLORS.get(gate, "#444444")
    return _ramp([(0.0, "#ffffff"), (0.55, _lighter(color, 0.15)), (1.0, _darker(color, 0.45))])


def diverging_lut() -> np.ndarray:
    """Values around zero (tanh candidates, hidden and cell states): blue (-) / white (0) / red (+)."""
    return _ramp([(0.0, "#2b50a8"), (0.25, "#7ea6e0"), (0.5, "#f7f7f7"), (0.75, "#ef8a62"), (1.0, "#b2182b")])


def magnitude_lut() -> np.ndarray:
    """Non-negative magnitudes on a log scale (gradient norms): pale yellow to dark purple, readable in grey too."""
    return _ramp([(0.0, "#fcfdbf"), (0.3, "#fc8961"), (0.6, "#b73779"), (0.85, "#51127c"), (1.0, "#000004")])


def lut_for(gate: str, levels: tuple[float, float]) -> np.ndarray:
    """The lookup table for one gate: its own ramp when its range starts at 0, the diverging map otherwise."""
    return gate_lut(gate) if levels[0] >= 0 else diverging_lut()


# --- fonts and style ----------------------------------------------------------------------------------------------


ZOOM_STEPS = (0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0)  # View > Zoom: factors of the system font size
_zoom = 1.0
_base_points: float = 0.0  # the application font's size before any zoom


def zoom() -> float:
    return _zoom


def set_zoom(factor: float) -> float:
    """Scale the text (font_size(), and zoom_sheet() for a window's widgets) and the plot pens by `factor` of the
    system size, for a projector (issue 9, item 6); the window rebuilds its plots. Returns the factor, clamped to
    ZOOM_STEPS' range."""
    global _zoom, _base_points
    factor = min(max(float(factor), ZOOM_STEPS[0]), ZOOM_STEPS[-1])
    app = QApplication.instance()
    if app is not None:
        font = app.font()
        if not _base_points:
            _base_points = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
    _zoom = factor
    return factor


def scale_fonts(roots, previous_zoom: float) -> None:
    """Give every widget under `roots` the font size of the current zoom, relative to its size at 100 %.

    Explicit fonts, widget by widget: with an application style sheet Qt does not pass QApplication.setFont on to
    styled widgets, and replacing a style sheet while pyqtgraph's widgets are shown crashes PySide6 here. A widget
    seen for the first time has the size of `previous_zoom` (inherited from its parent): its 100 % size is recorded
    for all widgets first, then every size is set, so no parent's change leaks into a child's record."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QWidget

    widgets = []
    for root in roots:
        for widget in [root, *root.findChildren(QWidget)]:
            if isinstance(widget, pg.GraphicsView) or isinstance(widget.parent(), pg.GraphicsView):
                continue  # plots size their text from font_size() when they are made
            if widget.property("rnnlab_base_pt") is None:
                size = widget.font().pointSizeF()
                if size <= 0:
                    continue
                widget.setProperty("rnnlab_base_pt", size / previous_zoom)
            widgets.append(widget)
    for widget in widgets:
        font = widget.font()
        font.setPointSizeF(round(float(widget.property("rnnlab_base_pt")) * _zoom, 1))
        widget.setFont(font)


def zoom_step(current: float, direction: int) -> float:
    """The next zoom factor up (+1) or down (-1) from `current`."""
    if direction > 0:
        return next((z for z in ZOOM_STEPS if z > current + 1e-9), ZOOM_STEPS[-1])
    return next((z for z in reversed(ZOOM_STEPS) if z < current - 1e-9), ZOOM_STEPS[0])


def line_width(width: float) -> float:
    """A plot pen's width at the current zoom, in whole pixels: 1 px stays 1 px up to 130 % (wide pens cost frame
    rate), 2 px lines become 3 px at 130 %."""
    return max(1, round(width * _zoom))


def font_size() -> int:
    """The text size in points at the current zoom (the plots' titles, labels and legends use it)."""
    app = QApplication.instance()
    base = _base_points or (app.font().pointSizeF() if app is not None and app.font().pointSizeF() > 0 else 10.0)
    return max(6, round(base * _zoom))


def label_style() -> dict:
    """Axis-label style for pyqtgraph, in the application's font size."""
    return {"color": FOREGROUND, "font-size": f"{font_size()}pt"}


def configure_pyqtgraph() -> None:
    import pyqtgraph as pg

    # antialias off: a wide or antialiased pen costs 10-50x in frame rate (pyqtgraph's performance notes).
    pg.setConfigOptions(background=BACKGROUND, foreground=FOREGROUND, antialias=False, imageAxisOrder="row-major")


def stylesheet() -> str:
    path = resource("styles", "rnnlab.qss")
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""  # the app still works unstyled; the frozen app ships the file


def apply(app: QApplication, plots: bool = True) -> None:
    """Fusion style, a light palette, the stylesheet from resources/styles and (with `plots`) pyqtgraph's colours.

    The start-up placeholder calls it with plots=False: pyqtgraph is imported only once the window is on screen."""
    app.setStyle("Fusion")
    pal = QPalette()
    pal.setColor(QPalette.Window, QColor("#f4f5f7"))
    pal.setColor(QPalette.Base, QColor("#ffffff"))
    pal.setColor(QPalette.AlternateBase, QColor("#eef0f3"))
    pal.setColor(QPalette.Text, QColor(FOREGROUND))
    pal.setColor(QPalette.WindowText, QColor(FOREGROUND))
    pal.setColor(QPalette.ButtonText, QColor(FOREGROUND))
    pal.setColor(QPalette.Button, QColor("#e9ebef"))
    pal.setColor(QPalette.Highlight, QColor("#1f6fd1"))
    pal.setColor(QPalette.HighlightedText, QColor("#ffffff"))
    pal.setColor(QPalette.ToolTipBase, QColor("#ffffe6"))
    pal.setColor(QPalette.ToolTipText, QColor(FOREGROUND))
    app.setPalette(pal)
    app.setStyleSheet(stylesheet())
    if plots:
        configure_pyqtgraph()


def title_html(text: str, color: str = FOREGROUND, bold: bool = True) -> str:
    weight = "bold" if bold else "normal"
    return f"<span style='color:{color}; font-weight:{weight}'>{text}</span>"


def mono_font() -> QFont:
    f = QFont("Monospace")
    f.setStyleHint(QFont.TypeWriter)
    return f
