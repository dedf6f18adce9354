"""Time series: the bundled ones in `resources/datasets/timeseries/` and a user's CSV, read with clear errors.

Every loader returns a `Series` of float64 values on a regular time grid; gaps are filled by linear interpolation and
counted, so the forecast task never sees a NaN.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError, shown, shown_file
from ..fileio import read_user_file
from ..resources import resource
from .timestamps import infer_period
from ..i18n import N_, _, ngettext

# Fewer values than this make no forecast with any window, horizon and split (window 1, horizon 1 and the split
# 80/10/10 need 9); how many a given window, horizon and split need is the forecast task's check (tasks/forecast.py,
# `split_problem`), which names the setting to change. A 17-row series trains with a window of 3.
MIN_ROWS = 9
MISSING = {"", "na", "nan", "n/a", "null", "none", "-", "?"}


@dataclass(frozen=True)
class Series:
    name: str
    title: str
    values: np.ndarray  # float64, no NaN
    labels: tuple[str, ...]  # one time label per value ("1949-01", "1700", ...)
    unit: str  # what the values measure, for axis labels
    period: int  # seasonal period for the seasonal-naive baseline (1 = none)
    gaps_filled: int = 0  # values that were missing and interpolated
    source: str = ""  # attribution line

    def __len__(self) -> int:
        return len(self.values)


BUNDLED = {
    "airline_passengers": "Airline passengers (monthly, 1949-1960)",
    "sunspots": "Sunspots (yearly, 1700-2008)",
    "co2": "Mauna Loa CO2 (monthly means, 1958-2001)",
    "nile": "Nile flow at Aswan (yearly, 1871-1970)",
    "elnino": "El Nino sea-surface temperature (monthly, 1950-2010)",
}


def _interpolate(values: np.ndarray) -> tuple[np.ndarray, int]:
    missing = np.isnan(values)
    count = int(missing.sum())
    if count:
        idx = np.arange(len(values))
        values = values.copy()
        values[missing] = np.interp(idx[missing], idx[~missing], values[~missing])
    return values, count


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [row for row in csv.reader(fh) if row]


def load_bundled(name: str) -> Series:
    """One of BUNDLED, from resources/."""
    folder = resource("datasets", "timeseries")
    if name == "airline_passengers":
        rows = _rows(folder / "airline_passengers.csv")[1:]
        return Series(name, BUNDLED[name], np.array([float(r[1]) for r in rows]), tuple(r[0] for r in rows),
                      "passengers (thousands)", 12, source=_SOURCES[name])
    if name == "sunspots":
        rows = _rows(folder / "sunspots.csv")[1:]
        return Series(name, BUNDLED[name], np.array([float(r[1]) for r in rows]),
                      tuple(str(int(float(r[0]))) for r in rows), "sunspot number", 11, source=_SOURCES[name])
    if name == "nile":
        rows = _rows(folder / "nile.csv")[1:]
        return Series(name, BUNDLED[name], np.array([float(r[1]) for r in rows]), tuple(r[0] for r in rows),
                      "flow (10^8 m^3)", 1, source=_SOURCES[name])
    if name == "co2":
        return _co2_monthly(folder / "co2.csv")
    if name == "elnino":
        return _elnino_long(folder / "elnino.csv")
    raise DataError(_("unknown bundled series {name!r}; choose one of {names}").format(name=name, names=', '.join(BUNDLED)))


def _co2_monthly(path: Path) -> Series:
    """Weekly readings with gaps -> monthly means; months without any reading are interpolated."""
    sums: dict[str, list[float]] = {}
    for date, value in _rows(path)[1:]:
        month = f"{date[:4]}-{date[4:6]}"
        bucket = sums.setdefault(month, [])
        if value.strip().lower() not in MISSING:
            bucket.append(float(value))
    first, last = min(sums), max(sums)
    labels, values = [], []
    year, month = int(first[:4]), int(first[5:])
    while f"{year:04d}-{month:02d}" <= last:
        key = f"{year:04d}-{month:02d}"
        readings = sums.get(key, [])
        labels.append(key)
        values.append(sum(readings) / len(readings) if readings else math.nan)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    filled, count = _interpolate(np.array(values))
    return Series("co2", BUNDLED["co2"], filled, tuple(labels), "CO2 (ppm)", 12, count, _SOURCES["co2"])


def _elnino_long(path: Path) -> Series:
    """One row per year with 12 month columns (wide) -> one monthly series (long)."""
    rows = _rows(path)
    labels, values = [], []
    for row in rows[1:]:
        year = int(float(row[0]))
        for month, cell in enumerate(row[1:13], start=1):
            labels.append(f"{year}-{month:02d}")
            values.append(float(cell) if cell.strip().lower() not in MISSING else math.nan)
    filled, count = _interpolate(np.array(values))
    return Series("elnino", BUNDLED["elnino"], filled, tuple(labels), "sea-surface temperature (°C)", 12, count,
                  _SOURCES["elnino"])


_SOURCES = {
    "airline_passengers": "Box, Jenkins & Reinsel (1976), Series G; values as published in pmdarima (MIT).",
    "sunspots": "Public domain (NOAA NGDC), as shipped in statsmodels.",
    "co2": "Public domain (CDIAC / Scripps), as shipped in statsmodels.",
    "nile": "Public domain (Cobb 1978), as shipped in statsmodels.",
    "elnino": "Public domain (NOAA ERSST.v3b), as shipped in statsmodels.",
}


# --- a user's CSV ----------------------------------------------------------------------------------------------------

MAX_CSV_BYTES = 64_000_000  # about 5 million rows of one number; larger files are not a teaching example
MAX_VALUES = 1_000_000  # values in a series: the forecast task keeps a window of each, so more would not fit memory
DELIMITERS = ("\t", ";", ",", "|")  # tried in this order: a file that splits evenly on ';' uses ',' for decimals
_DECIMAL_COMMA = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d*),\d+|[+-]?\d{1,3}(\.\d{3})+")


def load_csv(path: str | Path, column: str = "", period: int = 0) -> Series:
    """A numeric column of a CSV file. `column` is a header name or a 1-based number; empty = the last column.

    Files as spreadsheets write them are read: the delimiter (comma, semicolon, tab or bar) is detected, and so is
    the decimal comma of European locales (`100,5` and `1.234,5` in a semicolon file); CR-only line ends and a BOM
    are fine. `period` 0 infers the seasonal period from a date column (12 monthly, 4 quarterly, 52 weekly, 7
    daily), else 1.

    Raises DataError for a missing, unreadable, binary or too large file, an unknown column, a text cell (naming its
    line and column), too many gaps, or fewer than MIN_ROWS values.
    """
    path = Path(path) if not isinstance(path, Path) else path
    raw = read_user_file(path, MAX_CSV_BYTES, what=_("a CSV file"))
    name = shown_file(path)
    if b"\x00" in raw[:100_000]:
        raise DataError(_("{name} is not UTF-8 text (it contains NUL bytes: a binary file, or UTF-16); save it as "
                          "CSV (UTF-8) and try again.").format(name=name))
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(_("{name}, line {line}: not UTF-8 text; save it as CSV (UTF-8) and try again.").format(name=name, line=line)) from None
    content = content.replace("\r\n", "\n").replace("\r", "\n")  # old Mac / Excel files end lines with CR only
    delimiter = _detect_delimiter(content)
    rows = []
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((reader.line_num, row))
                if len(rows) > MAX_VALUES + 1:
                    raise DataError(_("{name} has more than {MAX_VALUES:,} rows; use at most that many (an "
                                      "excerpt, or a coarser time step).").format(name=name, MAX_VALUES=MAX_VALUES))
    except csv.Error as exc:
        raise DataError(_("{name}, line {value}: cannot be read as CSV ({exc}).").format(name=name, value=reader.line_num + 1, exc=exc)) from None
    if not rows:
        raise DataError(_("{name} is empty: it needs a column of at least {MIN_ROWS} numbers.").format(name=name, MIN_ROWS=MIN_ROWS))

    comma = delimiter != "," and any(_DECIMAL_COMMA.fullmatch(c.strip()) for _unused, r in rows[:200] for c in r)
    number = _comma_number if comma else _number
    header = rows[0][1]
    has_header = not all(number(c) is not None or c.strip().lower() in MISSING for c in header)
    data_rows = rows[1:] if has_header else rows
    names = [h.strip() for h in header] if has_header else [str(i + 1) for i in range(len(header))]
    col = _pick_column(path, names, column)
    col_name = names[col]

    labels, values = [], []
    for line, row in data_rows:
        if col >= len(row):
            raise DataError(_("{name}, line {line}: the row has {count} cells, so column {shown} is missing. Every "
                              "row needs the same number of cells.").format(name=name, line=line, count=len(row), shown=shown(col_name)))
        cell = row[col].strip()
        value = number(cell)
        if cell.lower() in MISSING:
            values.append(math.nan)
        elif value is not None:
            values.append(value)
        else:
            raise DataError(_("{name}, line {line}, column {shown}: {shown2} is not a number. Fix or delete that "
                              "cell, or choose another column.").format(name=name, line=line, shown=shown(col_name), shown2=shown(cell)))
        labels.append(row[0].strip() if col != 0 and row[0].strip() else str(len(labels) + 1))

    series = np.array(values, dtype=np.float64)
    present = int((~np.isnan(series)).sum())
    if present < MIN_ROWS:
        raise DataError(_("{name}, column {shown}: {present} numbers is too few rows; a forecast needs at least "
                          "{MIN_ROWS} to split into training, validation and test.").format(name=name, shown=shown(col_name), present=present, MIN_ROWS=MIN_ROWS))
    if np.isnan(series).mean() > 0.2:
        raise DataError(_("{name}, column {shown}: {value} of {count} cells are empty; at most a fifth may be "
                          "missing.").format(name=name, shown=shown(col_name), value=len(series) - present, count=len(series)))
    if np.isnan(series[0]) or np.isnan(series[-1]):
        keep = np.flatnonzero(~np.isnan(series))
        series, labels = series[keep[0]:keep[-1] + 1], labels[keep[0]:keep[-1] + 1]
    filled, count = _interpolate(series)
    if period <= 0:
        period = infer_period(labels) if col != 0 else 0
    return Series(f"csv:{name}", f"{name} ({col_name})", filled, tuple(labels), col_name, max(1, period),
                  count, source=f"user file {path}")


def _detect_delimiter(content: str) -> str:
    """The first of DELIMITERS that splits the first lines into the same number (> 1) of cells; else a comma."""
    lines = [ln for ln in content.split("\n", 60)[:60] if ln.strip()]
    if len(lines) > 1:
        lines = lines[1:]  # a header may be written differently (quoted names, a title cell)
    for delimiter in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        if counts and counts[0] > 1 and sum(c == counts[0] for c in counts) >= 0.9 * len(counts):
            return delimiter
    return ","


def _number(cell: str):
    """The cell's value as a finite float, or None."""
    try:
        value = float(cell)
    except (ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def _comma_number(cell: str):
    """A number written with a decimal comma (`100,5`, `-0,25`, `1.234,5`: the dots group thousands)."""
    text_ = cell.strip()
    if _DECIMAL_COMMA.fullmatch(text_):
        text_ = text_.replace(".", "").replace(",", ".")
    return _number(text_)


def _is_number(cell: str) -> bool:
    return _number(cell) is not None


def _pick_column(path: Path, names: list[str], column: str) -> int:
    if not column:
        return len(names) - 1
    if column in names:
        return names.index(column)
    if column.isascii() and column.isdigit() and 1 <= int(column) <= len(names):
        return int(column) - 1
    listed = ", ".join(shown(n, 30) for n in names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
    raise DataError(_("{name} has no column {shown}; its columns are {listed} (or give a column number from 1).").format(name=shown_file(path), shown=shown(column), listed=listed), option="column")


def load_series(dataset: str, csv_path: str = "", column: str = "", period: int = 0) -> Series:
    """A bundled series or the user's CSV; `period` 0 = the series' own (a CSV's is inferred from its dates)."""
    if dataset == "csv":
        if not csv_path:
            raise DataError(_("dataset 'csv' needs a file: set the task's csv_path option to your CSV file."))
        return load_csv(csv_path, column, period)
    return load_bundled(dataset)
