"""Forecast view: the series, the model's forecasts over validation and test, and the baselines beside them.

With horizon h = 1 every forecast is one step ahead, drawn as a line. With h > 1 the view draws multi-step paths:
from every h-th origin t, the h values the model (and each baseline) predicts for t+1 .. t+h.

"Saliency" adds a strip under the series: for the last test forecast, how much each month of its input window moved
it (||d forecast / d x_t||, ForecastTask.saliency_window), asked off the GUI thread, again at most every
REQUEST_INTERVAL_S while training.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout

from ...train.numbers import readable
from .. import theme
from .caption import Caption
from ..plots.common import LabelAxis, curve, style_plot
from . import register_view
from .base import TaskView
from ...i18n import N_, _, ngettext


REQUEST_INTERVAL_S = 2.0  # while training, the saliency is asked again at most this often


def saliency_job(clamps: tuple = ()):
    """The engine call: the last test forecast's saliency per month (ForecastTask.saliency_window), with the Cell
    tab's clamps in force if any. Runs off the GUI thread."""

    def job(task, model):
        from contextlib import nullcontext

        from ...modes import evaluating

        with evaluating(model), (model.clamped(clamps) if clamps else nullcontext()):
            return task.saliency_window(model)

    return job


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
        self.saliency_axis = LabelAxis("bottom")
        self.saliency_plot = pg.PlotWidget(axisItems={"bottom": self.saliency_axis})
        style_plot(self.saliency_plot.getPlotItem(), y=_("saliency"))
        self.saliency_plot.getPlotItem().getAxis("left").setStyle(showValues=False)
        self.saliency_plot.setMouseEnabled(x=False, y=False)
        self.saliency_plot.setXLink(self.plot)
        self.saliency_plot.setFixedHeight(90)
        self.saliency_plot.setVisible(False)
        self.saliency_plot.setToolTip(_("Saliency: how much each month of the last test forecast's input window moved "
                                        "that forecast (the size of the gradient)."))
        self.saliency_bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=pg.mkBrush(theme.MODEL),
                                             pen=pg.mkPen(None))
        self.saliency_plot.addItem(self.saliency_bars)
        self.show_saliency = QCheckBox(_("Saliency"))
        self.show_saliency.setToolTip(self.saliency_plot.toolTip())
        self.show_saliency.toggled.connect(self._saliency_toggled)
        self.api = None
        self.clamps: tuple = ()
        self.saliency = None  # the last answer: {"index": months, "saliency": values}
        self._asked = 0.0
        foot = QHBoxLayout()
        foot.addWidget(self.scores, 1)
        foot.addWidget(self.show_saliency, 0, Qt.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.saliency_plot)
        layout.addLayout(foot)
        self._n = -1

    def set_trainer_api(self, api) -> None:
        self.api = api

    def configure(self, info) -> None:
        """Another run: the saliency shown was another model's; asked again with the next view."""
        super().configure(info)
        self.saliency, self._asked = None, 0.0
        self.saliency_bars.setOpts(x=[], height=[], width=0.7)

    def set_clamps(self, clamps: tuple) -> None:
        self.clamps = tuple(clamps)
        if self.show_saliency.isChecked():
            self.request_saliency()

    def _saliency_toggled(self, on: bool) -> None:
        self.saliency_plot.setVisible(on)
        if on:
            self.request_saliency()
        else:
            self.saliency = None

    def request_saliency(self) -> None:
        if self.api is None or not self.api.has_model():
            return
        self._asked = time.monotonic()
        self.api.submit(saliency_job(self.clamps), self._show_saliency,
                        lambda message: self.scores.setText(message), key=f"forecast-saliency-{id(self)}")

    def _show_saliency(self, result: dict) -> None:
        if not self.show_saliency.isChecked():
            return
        self.saliency = result
        values = np.asarray(result["saliency"], dtype=float)
        self.saliency_bars.setOpts(x=np.asarray(result["index"], dtype=float), height=values, width=0.7)
        self.saliency_plot.setYRange(0, float(values.max()) if values.size and values.max() > 0 else 1.0,
                                     padding=0.05)

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
        if self.api is None or not self.api.has_model():  # a race's or a saved run's rows: no model to ask here
            self.saliency = None
            self.saliency_bars.setOpts(x=[], height=[], width=0.7)
        elif self.show_saliency.isChecked() and time.monotonic() - self._asked >= REQUEST_INTERVAL_S:
            self.request_saliency()  # the weights moved
        if n != self._n:  # a new series: labels, axis title and shaded splits
            self._n = n
            self.axis.set_labels([str(s) for s in data.get("labels", [])] or None)
            self.saliency_axis.set_labels([str(s) for s in data.get("labels", [])] or None)
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
