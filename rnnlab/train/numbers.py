"""How a metric's value is written for people: 30,690 rather than 3.069e+04 (issue 19, item 6: a sales series in
its own units is in the hundreds of thousands). Files keep full precision; this is for messages and progress lines."""

from __future__ import annotations

import math

GROUPED_FROM = 1_000  # from here on, whole numbers with thousands grouped: 30,690
GROUPED_UP_TO = 1e15  # beyond, the exponent is the readable form again


def readable(value: float) -> str:
    """Four significant digits, never an exponent for the numbers a forecast or a loss is likely to show."""
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return str(value)
    size = abs(value)
    if GROUPED_FROM <= size < GROUPED_UP_TO:
        return f"{value:,.0f}"
    return f"{value:.4g}"  # 0.001234, 12.35, 999.5; tiny values keep their exponent (1.2e-07)
