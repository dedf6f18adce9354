"""Written dates in many formats, generated from a calendar, for the dates-to-ISO sequence-to-sequence task.

Every date from 1950-01-01 to 2049-12-31 can be written in any of `FORMATS`; the target is always its ISO form
`YYYY-MM-DD`. Two conventions keep the inputs unambiguous: slashes are American month/day/year ("3/4/98" is
1998-03-04) and dots are European day.month.year ("3.4.1998" is 1998-04-03); two-digit years 50..99 are 19xx and
00..49 are 20xx. Weekday names are always the true weekday of the date.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

FIRST_DAY = dt.date(1950, 1, 1)
LAST_DAY = dt.date(2049, 12, 31)
NUM_DAYS = (LAST_DAY - FIRST_DAY).days + 1

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Characters any format can produce (input vocabulary, fixed so it does not depend on what was drawn).
INPUT_CHARS = " ',-./0123456789" + "abcdefghijklmnopqrstuvwxyz" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
OUTPUT_CHARS = "0123456789-"
ISO_LENGTH = 10


def day(index: int) -> dt.date:
    """The index-th date of the calendar (0 = 1950-01-01)."""
    return FIRST_DAY + dt.timedelta(days=index)


def iso(d: dt.date) -> str:
    return d.isoformat()


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st, 22nd, 23rd, 31st."""
    if 11 <= n % 100 <= 13:
        return f"{n}th"
    return f"{n}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _month(d: dt.date) -> str:
    return MONTHS[d.month - 1]


def _wday(d: dt.date) -> str:
    return WEEKDAYS[d.weekday()]


def _yy(d: dt.date) -> str:
    return f"{d.year % 100:02d}"


# name -> (example for 1998-03-03, writer). The names are shown in the view; the order is fixed (seeds depend on it).
FORMATS: dict[str, Callable[[dt.date], str]] = {
    "month ordinal year": lambda d: f"{_month(d)} {ordinal(d.day)} {d.year}",  # march 3rd 1998
    "Month day, year": lambda d: f"{_month(d).title()} {d.day}, {d.year}",  # March 3, 1998
    "day Month year": lambda d: f"{d.day} {_month(d).title()} {d.year}",  # 3 March 1998
    "day mon year": lambda d: f"{d.day} {_month(d)[:3]} {d.year}",  # 3 mar 1998
    "Wkd, day Mon year": lambda d: f"{_wday(d)[:3].title()}, {d.day} {_month(d)[:3].title()} {d.year}",
    "weekday, month day, year": lambda d: f"{_wday(d)}, {_month(d)} {d.day}, {d.year}",  # tuesday, march 3, 1998
    "Weekday ordinal Month year": lambda d: f"{_wday(d).title()} {ordinal(d.day)} {_month(d).title()} {d.year}",
    "the ordinal of month year": lambda d: f"the {ordinal(d.day)} of {_month(d)} {d.year}",
    "MON DD YYYY": lambda d: f"{_month(d)[:3].upper()} {d.day:02d} {d.year}",  # MAR 03 1998
    "mon day 'yy": lambda d: f"{_month(d)[:3]} {d.day} '{_yy(d)}",  # mar 3 '98
    "d-Mon-yy": lambda d: f"{d.day}-{_month(d)[:3].title()}-{_yy(d)}",  # 3-Mar-98
    "m/d/yy (US)": lambda d: f"{d.month}/{d.day}/{_yy(d)}",  # 3/3/98
    "mm/dd/yyyy (US)": lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}",  # 03/03/1998
    "d.m.yyyy (European)": lambda d: f"{d.day}.{d.month}.{d.year}",  # 3.3.1998
    "dd.mm.yy (European)": lambda d: f"{d.day:02d}.{d.month:02d}.{_yy(d)}",  # 03.03.98
    "yyyy-mm-dd (ISO)": lambda d: iso(d),  # 1998-03-03
    "yyyymmdd": lambda d: d.strftime("%Y%m%d"),  # 19980303
}
FORMAT_NAMES = tuple(FORMATS)


def write(d: dt.date, fmt: int | str) -> str:
    """The date written in one format (by index into FORMAT_NAMES or by name)."""
    name = FORMAT_NAMES[fmt] if isinstance(fmt, int) else fmt
    return FORMATS[name](d)


def max_input_length() -> int:
    """The longest string any format writes (the longest weekday and month names, a two-digit day)."""
    longest = dt.date(1998, 9, 30)  # wednesday, september 30
    return max(len(f(longest)) for f in FORMATS.values())
