"""Gradient norms over training steps (log scale): the global norm, one curve per parameter group (embedding, each
recurrent layer and direction, head), the clipping level, and at every clipped step an orange stroke from the clip
level up to the norm: the part that clipping cut off."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from .. import theme
from ..rundata import RunData
from .common import StableRange, curve, finite_xy, legend_title, pen, style_plot


class GradNormPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.glw = pg.GraphicsLayoutWidget()
        self.plot = self.glw.addPlot()
        style_plot(self.plot, x="step", y="norm (log scale)")
        self.plot.setLogMode(x=False, y=True)
        self.global_curve = curve(self.plot, theme.GLOBAL_NORM)
        self.global_curve.setZValue(3)
        # One path of vertical strokes (connect="pairs"): cheap however many steps were clipped.
        self.clip_marks = self.plot.plot([], [], pen=pen(theme.CLIP_MARK, 1), connect="pairs")
        self.clip_marks.setZValue(4)
        self.x_range = StableRange(self.plot, "x")
        self.y_range = StableRange(self.plot, "y", log=True)
        self.total_steps = 0
        self.threshold = self.plot.plot([], [], pen=pen(theme.CLIP_MARK, 1, Qt.DashLine))
        self.group_curves: dict[str, pg.PlotDataItem] = {}
        self._seen = -1
        self.clipping = True  # whether the run clips: without clipping the legend has no clip level
        self._legend()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.glw)

    def reset(self) -> None:
        for c in (self.global_curve, self.clip_marks, self.threshold):
            c.setData([], [])
        for name, c in self.group_curves.items():
            self.plot.removeItem(c)
        self.group_curves = {}
        self._seen = -1
        self._show_empty()
        self._legend()

    def set_clipping(self, on: bool) -> None:
        if on != self.clipping:
            self.clipping = on
            self._legend()

    def set_total_steps(self, total: int) -> None:
        self.total_steps = total
        self._show_empty()

    def _show_empty(self) -> None:
        """Axes for a run that has no points yet: steps 0 to the planned total, norms 0.001 to 10."""
        self.x_range.show_empty(0.0, float(max(1, self.total_steps)))
        self.y_range.show_empty(-3.0, 1.0)

    def _legend(self) -> None:
        entries = [("global", theme.GLOBAL_NORM, "line")]
        entries += [(name, theme.group_color(i), "line") for i, name in enumerate(self.group_curves)]
        if self.clipping:
            entries += [("clip level", theme.CLIP_MARK, "dash"), ("cut off by clipping", theme.CLIP_MARK, "┃")]
        legend_title(self.plot, "Gradient norm ‖∇L‖ before clipping" if self.clipping else
                     "Gradient norm ‖∇L‖ (clipping off)", entries)

    def has_news(self, data: RunData) -> bool:
        return data.version != self._seen

    def refresh(self, data: RunData) -> None:
        if data.version == self._seen:
            return
        self._seen = data.version
        steps = data.steps
        norm = data.col("grad_norm")
        self.global_curve.setData(*finite_xy(steps, norm, positive=True))
        for i, name in enumerate(data.group_names()):
            c = self.group_curves.get(name)
            if c is None:
                c = self.group_curves[name] = curve(self.plot, theme.group_color(i))
                c.setAlpha(0.6, False)  # under the global norm, which stays the one to read
                self._legend()
            c.setData(*finite_xy(steps, data.col(f"grad[{name}]"), positive=True))
        clipped = (data.col("clipped") > 0.5) & np.isfinite(norm) & (norm > 0)
        if data.max_grad_norm and clipped.any():
            xs = np.repeat(steps[clipped], 2)
            ys = np.empty(len(xs))
            ys[0::2] = data.max_grad_norm
            ys[1::2] = norm[clipped]
            self.clip_marks.setData(xs, ys, connect="pairs")
        else:
            self.clip_marks.setData([], [])
        if len(steps):
            self.x_range.fit_steps(float(steps[-1]), self.total_steps)
            level = [data.max_grad_norm] if data.max_grad_norm else []
            groups = [data.col(f"grad[{n}]") for n in self.group_curves]
            self.y_range.fit(np.concatenate([norm, np.asarray(level, dtype=float), *groups]))
        if data.max_grad_norm and len(steps):
            self.threshold.setData(np.array([0.0, max(1.0, float(steps[-1]))]), np.full(2, data.max_grad_norm))
        else:
            self.threshold.setData([], [])
