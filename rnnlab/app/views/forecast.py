"""Forecast view: the series, the model's forecasts over validation and test, and the baselines beside them.

With horizon h = 1 every forecast is one step ahead, drawn as a line. With h > 1 the view draws multi-step paths:
from every h-th origin t, the h values the model (and each baseline) predicts for t+1 .. t+h.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout

from ...train.numbers import readable
from .. import theme
from .caption import Caption
from ..plots.common import LabelAxis, curve, style_plot
from . import register_view
from .base import TaskView
from ...i18n import N_, _, ngettext


def paths(origins: np.ndarray, forecast: np.ndarray, every: int) -> tuple[np.ndarray, np.ndarray]:
    """x, y of multi-step paths from every `every`-th origin, separated by NaN so one curve draws them all."""
    h = forecast.shape[1]
    if h == 1:  # one step ahead: one continuous line through t+1 for every origin t
        return origins + 1.0, forecast[:, 0].astype(float)
    xs, ys = [], []
    for i in range(0, len(origins), every):
        xs.append(origins[i] + 1 + np.arange(h, dtype=float))
        ys.append(forecast[i].astype(float))
        xs.append([np.nan])
        ys.append([np.nan])
    if not xs:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(xs), np.concatenate(ys)


def rmse(forecast: np.ndarray, values: np.ndarray, origins: np.ndarray) -> float:
    h = forecast.shape[1]
    idx = origins[:, None] + 1 + np.arange(h)[None, :]
    ok = idx < len(values)
    if not ok.any():
        return float("nan")
    return float(np.sqrt(np.mean((forecast[ok] - values[idx[ok]]) ** 2)))


@register_view("forecast")
class ForecastView(TaskView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.axis = LabelAxis("bottom")
        self.plot = pg.PlotWidget(axisItems={"bottom": self.axis})
        self.item = self.plot.getPlotItem()
        self.legend = style_plot(self.item, x=_("time"), y=_("value"), legend=True)
        self.legend.setOffset((8, 8))  # top left: the series grows, so its start leaves room there
        self.regions = {}
        for split, color in theme.SPLIT_SHADES.items():
            region = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(*color), pen=pg.mkPen(None))
            region.setZValue(-10)
            self.item.addItem(region)
            self.regions[split] = region
        self.series = curve(self.item, theme.TRUTH, _("series"), long=False)
        self.baseline_curves: dict[str, pg.PlotDataItem] = {}
        self.model_curve = curve(self.item, theme.MODEL, _("model forecast"), width=2, long=False)
        self.model_curve.setZValue(5)
        self.scores = Caption(min_lines=2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.scores)
        self._n = -1

    def _baseline_curve(self, name: str) -> pg.PlotDataItem:
        if name not in self.baseline_curves:
            color = theme.baseline_color(name, len(self.baseline_curves))
            c = curve(self.item, color, _(name), style=Qt.DashLine, long=False)
            self.baseline_curves[name] = c
        return self.baseline_curves[name]

    def update_view(self, data: dict) -> None:
        values = np.asarray(data["values"], dtype=float)
        n = len(values)
        h = int(data.get("horizon", 1))
        x = np.arange(n, dtype=float)
        if n != self._n:  # a new series: labels, axis title and shaded splits
            self._n = n
            self.axis.set_labels([str(s) for s in data.get("labels", [])] or None)
            unit = data.get("unit", "")
            self.item.setLabel("left", unit or _("value"), **theme.label_style())
            self.item.setTitle(data.get("title", ""), color=theme.FOREGROUND, size=f"{theme.font_size() + 1}pt")
            self.regions["val"].setRegion((data["train_end"] - 0.5, data["val_end"] - 0.5))
            self.regions["test"].setRegion((data["val_end"] - 0.5, n - 0.5))
            self.series.setData(x, values)
        every = 1 if h == 1 else h
        parts = {"model": ([], [])}
        for split in ("val", "test"):
            origins = np.asarray(data[f"{split}_origins"])
            fx, fy = paths(origins, np.asarray(data[f"{split}_forecast"]), every)
            parts["model"][0].append(fx)
            parts["model"][1].append(fy)
            for name, forecast in data.get(f"{split}_baselines", {}).items():
                bx, by = paths(origins, np.asarray(forecast), every)
                parts.setdefault(name, ([], []))
                parts[name][0].append(bx)
                parts[name][1].append(by)
        for name in [n for n in self.baseline_curves if n not in parts]:
            # Another series (a CSV of one's own with no seasonal period) has fewer baselines: drop the old ones.
            stale = self.baseline_curves.pop(name)
            self.item.removeItem(stale)
            if self.legend is not None:
                self.legend.removeItem(stale)
        for name, (xs, ys) in parts.items():
            # A NaN between val and test keeps their lines apart.
            xx = np.concatenate([np.concatenate([a, [np.nan]]) for a in xs])
            yy = np.concatenate([np.concatenate([a, [np.nan]]) for a in ys])
            target = self.model_curve if name == "model" else self._baseline_curve(name)
            yy = np.where(np.isfinite(yy), yy, np.nan)  # a diverged model's forecast can overflow to inf
            if name == "model" and data.get("untrained"):
                xx, yy = np.zeros(0), np.zeros(0)  # random weights' forecast: the caption says "not trained yet"
            target.setData(xx, yy, connect="finite")
        self.scores.setText(self._score_text(data, values))

    def _score_text(self, data: dict, values: np.ndarray) -> str:
        rows = [("model", theme.MODEL, "val_forecast", "test_forecast")]
        names = list(data.get("val_baselines", {}))
        cells = []
        for label, color, vkey, tkey in rows:
            if data.get("untrained"):
                # Before training its forecast is of random weights: no score beside an empty metric plot.
                not_yet = _("not trained yet")
                cells.append(f"<b style='color:{color}'>{_(label)}</b> <i>{not_yet}</i>")
                continue
            v = rmse(np.asarray(data[vkey]), values, np.asarray(data["val_origins"]))
            t = rmse(np.asarray(data[tkey]), values, np.asarray(data["test_origins"]))
            cells.append(f"<b style='color:{color}'>{_(label)}</b> {readable(v)} / {readable(t)}")
        for i, name in enumerate(names):
            v = rmse(np.asarray(data["val_baselines"][name]), values, np.asarray(data["val_origins"]))
            t = rmse(np.asarray(data["test_baselines"][name]), values, np.asarray(data["test_origins"]))
            cells.append(f"<span style='color:{theme.baseline_color(name, i)}'>{_(name)}</span> {readable(v)} / "
                         f"{readable(t)}")
        h = int(data.get("horizon", 1))
        head = ngettext("{h}-step RMSE, validation / test (shaded yellow / blue): {scores}",
                        "{h}-step RMSE, validation / test (shaded yellow / blue): {scores}", h)
        return head.format(h=h, scores=" &nbsp;·&nbsp; ".join(cells))


if __name__ == "__main__":
    from ._alone import run_alone

    tiny = {"task": {"name": "forecast"}, "model": {"cell": "lstm", "hidden_size": 16},
           "training": {"steps": 150, "learning_rate": 0.01}}
    raise SystemExit(run_alone(ForecastView, tiny, size=(900, 480)))
