"""The seasonal period of a series from its time labels: monthly dates repeat every 12, quarters every 4, ...

Spreadsheets write dates in many ways; the ones a time-series CSV uses are read here (ISO `1949-01` and
`1949-01-31`, `31.01.1949`, `01/31/1949` or `31/01/1949`, `1949Q1` / `1949-Q1` / `Q1 1949`, `Jan 1949`, with an
optional time of day). The spacing of consecutive dates decides:

    1 day -> 7 (a weekly rhythm)   7 days -> 52   about a month -> 12   about a quarter -> 4   a year or more -> 1

Anything else (plain numbers, irregular or unreadable dates) gives 0: no season is known.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable, Sequence

_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                            "nov", "dec"))}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"


def _ymd(y: str, m: str, d: str = "1") -> dt.date:
    return dt.date(int(y), int(m), int(d))


def _month_name(name: str) -> int:
    return _MONTHS[name[:3].lower()]


# (pattern, date from its groups). Each label must match one pattern in full; the first pattern all labels match wins.
_FORMATS: tuple[tuple["re.Pattern[str]", Callable[..., dt.date]], ...] = tuple(
    (re.compile(p + _TIME, re.ASCII | re.IGNORECASE), f) for p, f in (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})", _ymd),
        (r"(\d{4})[-/.](\d{1,2})", _ymd),
        (r"(\d{4})/(\d{1,2})/(\d{1,2})", _ymd),
        (r"(\d{1,2})\.(\d{1,2})\.(\d{4})", lambda d, m, y: _ymd(y, m, d)),
        (r"(\d{1,2})/(\d{1,2})/(\d{4})", lambda m, d, y: _ymd(y, m, d)),  # US month/day first ...
        (r"(\d{1,2})/(\d{1,2})/(\d{4})", lambda d, m, y: _ymd(y, m, d)),  # ... or day/month where that fails
        (r"(\d{4})-?Q([1-4])", lambda y, q: _ymd(y, 3 * int(q) - 2)),
        (r"Q([1-4])[ -]?(\d{4})", lambda q, y: _ymd(y, 3 * int(q) - 2)),
        (r"([A-Za-z]{3,9})[ -](\d{4})", lambda m, y: dt.date(int(y), _month_name(m), 1)),
        (r"(\d{4})[ -]([A-Za-z]{3,9})", lambda y, m: dt.date(int(y), _month_name(m), 1)),
    ))


def _candidates(labels: Sequence[str]):
    """Every reading of the labels as dates, all in one format (day/month orders that both parse give two)."""
    sample = [s.strip() for s in labels]
    for pattern, make in _FORMATS:
        dates = []
        for label in sample:
            m = pattern.fullmatch(label)
            if m is None:
                break
            try:
                dates.append(make(*m.groups()))
            except (ValueError, KeyError, OverflowError):
                break
        else:
            if dates:
                yield dates


def _period(dates: list[dt.date]) -> tuple[float, int]:
    """(share of steps in the best band, its period): a regular grid has (nearly) all its steps in one band."""
    steps = [(b - a).days for a, b in zip(dates, dates[1:])]
    if min(steps) <= 0:  # not in time order, or repeated: no regular grid to speak of
        return 0.0, 0
    bands = ((1, 1, 7), (7, 7, 52), (28, 31, 12), (89, 92, 4), (365, 366, 1))
    return max((sum(lo <= s <= hi for s in steps) / len(steps), period) for lo, hi, period in bands)


def infer_period(labels: Sequence[str]) -> int:
    """The seasonal period the spacing of the dates in `labels` implies (see the module docstring), or 0.

    At least 90% of the steps must fall in one band (a few gaps or a leap day are fine); of two readings (day/month
    or month/day first) the more regular one wins."""
    if len(labels) < 3:
        return 0
    share, period = max((_period(dates) for dates in _candidates(labels)), default=(0.0, 0))
    return period if share >= 0.9 else 0
