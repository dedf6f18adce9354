"""The forecast view: no model line before training while the caption says so, and a PNG at 2x keeps its
legend and its dense lines as they look on screen (issue 19's workshop items 9 and 13)."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui


# --- item 9 and 13: the forecast view, exported at 2x and before training ------------------------------------------


def daily_view(untrained: bool = False) -> dict:
    """A forecast view's data for a 400-point daily series (as an own CSV gives), one-step forecasts."""
    n, train_end, val_end = 400, 280, 340
    t = np.arange(n)
    values = 100 + 30 * np.sin(t / 7 * 2 * np.pi) + np.random.default_rng(0).normal(0, 5, n) + 0.1 * t
    vo, to = np.arange(train_end - 1, val_end - 1), np.arange(val_end - 1, n - 1)
    data = {"values": values, "horizon": 1, "labels": [], "title": "daily sales", "train_end": train_end,
            "val_end": val_end, "val_origins": vo, "test_origins": to, "val_forecast": values[vo + 1][:, None] + 3,
            "test_forecast": values[to + 1][:, None] + 3, "val_baselines": {"seasonal naive": values[vo - 6][:, None]},
            "test_baselines": {"seasonal naive": values[to - 6][:, None]}}
    return {**data, "untrained": True} if untrained else data


def ink_width(image, rect) -> int:
    """How wide the dark marks (text, line samples) inside `rect` of `image` spread, in pixels."""
    from PySide6.QtGui import QColor

    xs = [x for x in range(int(rect.left()), int(rect.right())) for y in range(int(rect.top()), int(rect.bottom()), 2)
          if QColor(image.pixel(x, y)).lightness() < 190]
    return max(xs) - min(xs) if xs else 0


@pytest.mark.slow
def test_the_forecast_legend_scales_with_a_2x_png(qtbot):
    from rnnlab.app.output import export
    from rnnlab.app.views.forecast import ForecastView

    view = ForecastView()
    qtbot.addWidget(view)
    view.resize(900, 480)
    view.show()
    view.update_view(daily_view())
    qtbot.wait(50)
    item = view.plot.getPlotItem()
    rect = view.legend.sceneBoundingRect().translated(-item.sceneBoundingRect().topLeft())
    one = export.render_image(item, scale=1.0)
    two = export.render_image(item, scale=2.0)
    from PySide6.QtCore import QRectF
    wide = ink_width(one, rect)
    assert wide > 40
    assert ink_width(two, QRectF(rect.topLeft() * 2, rect.size() * 2)) > 1.8 * wide
    assert view.legend.flags() & view.legend.GraphicsItemFlag.ItemIgnoresTransformations  # as it was on screen


def test_no_model_forecast_is_drawn_while_the_caption_says_not_trained_yet(qtbot):
    from rnnlab.app.views.forecast import ForecastView

    view = ForecastView()
    qtbot.addWidget(view)
    view.update_view(daily_view(untrained=True))
    assert "not trained yet" in view.scores.text()
    x, _y = view.model_curve.getData()
    assert x is None or len(x) == 0
    assert len(view.baseline_curves["seasonal naive"].getData()[0]) > 0  # the baselines need no training
    view.update_view(daily_view())
    assert len(view.model_curve.getData()[0]) > 100


@pytest.mark.slow
def test_a_dense_series_keeps_its_lines_whole_in_a_2x_png(qtbot):
    """At 2x a 1 px line is half as thick as on screen and its steep segments are lone pixels, which a viewer that
    shows the PNG smaller drops (the series came out as dashes): lines are as thick as on screen, scaled."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor

    from rnnlab.app.output import export
    from rnnlab.app.views.forecast import ForecastView

    view = ForecastView()
    qtbot.addWidget(view)
    view.resize(700, 420)
    view.show()
    view.update_view(daily_view())
    qtbot.wait(50)
    item = view.plot.getPlotItem()
    vb = item.getViewBox()
    # The training part of the series, below the legend: only the black series is drawn there.
    corner = vb.mapViewToScene(vb.mapToView(vb.rect().topLeft())) - item.sceneBoundingRect().topLeft()
    area = QRectF(corner.x() + 0.3 * vb.width(), corner.y() + 0.45 * vb.height(), 0.35 * vb.width(),
                  0.5 * vb.height())

    def ink(image, rect) -> int:
        return sum(QColor(image.pixel(x, y)).lightness() < 128 for x in range(int(rect.left()), int(rect.right()))
                   for y in range(int(rect.top()), int(rect.bottom())))

    width = view.series.curve.opts["pen"].widthF()
    one = ink(export.render_image(item, scale=1.0), area)
    two = ink(export.render_image(item, scale=2.0), QRectF(area.topLeft() * 2, area.size() * 2))
    assert one > 200
    assert two > 3 * one, (one, two)  # twice as long and twice as thick, as the series looks on screen
    assert view.series.curve.opts["pen"].widthF() == width  # the screen's pen is back
    assert not view.series.curve._exportOpts


