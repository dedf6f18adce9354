"""Bundled series load whole; a user's CSV loads or fails with a DataError that says where and why."""

import numpy as np
import pytest

from rnnlab.data.series import BUNDLED, DataError, load_bundled, load_csv


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_series_are_complete_and_finite(name):
    s = load_bundled(name)
    assert len(s) == len(s.labels) >= 100
    assert np.isfinite(s.values).all()
    assert s.source


def test_known_values():
    air = load_bundled("airline_passengers")
    assert len(air) == 144 and air.values[0] == 112 and air.labels[-1] == "1960-12"
    assert len(load_bundled("sunspots")) == 309
    elnino = load_bundled("elnino")
    assert len(elnino) == 61 * 12 and elnino.labels[:2] == ("1950-01", "1950-02")
    assert elnino.values[1] == pytest.approx(24.2)  # row 1950, FEB column
    co2 = load_bundled("co2")
    assert co2.labels[0] == "1958-03" and co2.period == 12 and 300 < co2.values.min()


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_with_header_picks_named_or_last_column(tmp_path):
    rows = "\n".join(f"2000-{i:03d},{i},{i * 2}" for i in range(30))
    path = write(tmp_path, "date,a,b\n" + rows)
    assert load_csv(path).values[3] == 6
    assert load_csv(path, "a").values[3] == 3
    assert load_csv(path, "2").values[3] == 3
    assert load_csv(path).labels[0] == "2000-000"


def test_csv_without_header_and_semicolons(tmp_path):
    path = write(tmp_path, "\n".join(f"{i};{i}.5" for i in range(30)))
    s = load_csv(path)
    assert s.values[0] == 0.5 and len(s) == 30


def test_empty_file(tmp_path):
    with pytest.raises(DataError, match="is empty"):
        load_csv(write(tmp_path, ""))
    with pytest.raises(DataError, match="is empty"):
        load_csv(write(tmp_path, "\n\n  \n"))


def test_text_cell_names_line_and_column(tmp_path):
    rows = [f"{i},{i}" for i in range(30)]
    rows[6] = "6,seven"
    path = write(tmp_path, "t,value\n" + "\n".join(rows))
    with pytest.raises(DataError, match=r"line 8, column 'value': 'seven' is not a number"):
        load_csv(path)


def test_too_few_rows(tmp_path):
    path = write(tmp_path, "t,value\n" + "\n".join(f"{i},{i}" for i in range(5)))
    with pytest.raises(DataError, match="5 numbers is too few rows"):
        load_csv(path)


def test_unknown_column_lists_columns(tmp_path):
    path = write(tmp_path, "t,value\n" + "\n".join(f"{i},{i}" for i in range(30)))
    with pytest.raises(DataError, match="no column 'price'.*'t', 'value'"):
        load_csv(path, "price")


def test_gaps_are_interpolated_and_counted(tmp_path):
    rows = [f"{i},{i}" for i in range(30)]
    rows[10] = "10,"
    rows[11] = "11,NA"
    s = load_csv(write(tmp_path, "t,v\n" + "\n".join(rows)))
    assert s.gaps_filled == 2 and s.values[10] == pytest.approx(10) and s.values[11] == pytest.approx(11)


def test_mostly_empty_column_is_refused(tmp_path):
    rows = [f"{i},{i if i % 2 else ''}" for i in range(60)]
    with pytest.raises(DataError, match="at most a fifth may be missing"):
        load_csv(write(tmp_path, "t,v\n" + "\n".join(rows)))


def test_ragged_row_and_missing_file_and_binary(tmp_path):
    rows = [f"{i},{i}" for i in range(30)]
    rows[3] = "3"
    with pytest.raises(DataError, match="line 5: the row has 1 cells"):
        load_csv(write(tmp_path, "t,v\n" + "\n".join(rows)))
    with pytest.raises(DataError, match="cannot read"):
        load_csv(tmp_path / "nope.csv")
    path = tmp_path / "bin.csv"
    path.write_bytes(b"\xff\xfe\x00\x81" * 20)
    with pytest.raises(DataError, match="not UTF-8"):
        load_csv(path)


def test_bad_csv_in_a_config_is_a_config_error_naming_the_option(tmp_path):
    from rnnlab import config

    path = write(tmp_path, "t,v\n1,2\n")
    with pytest.raises(config.ConfigError) as err:
        config.from_dict({"task": {"name": "forecast", "options": {"dataset": "csv", "csv_path": str(path)}}})
    assert err.value.field == "task.csv_path" and "too few rows" in str(err.value)


# --- CSV files as spreadsheets write them (issue 9, item 8) --------------------------------------------------------

def test_semicolons_with_decimal_commas_and_thousands_dots(tmp_path):
    """Excel in Turkish and most European locales: `;` between cells, `,` before the decimals, `.` for thousands."""
    rows = "\n".join(f"{1949 + i // 12}-{i % 12 + 1:02d};{1000 + i},{i % 10};{'1.' if i else ''}{200 + i:03d},5"
                     for i in range(36))
    path = tmp_path / "yolcu.csv"
    path.write_text("Tarih;Yolcu;Toplam\n" + rows, encoding="utf-8")
    assert load_csv(path, "Yolcu").values[3] == pytest.approx(1003.3)
    assert load_csv(path, "Toplam").values[0] == pytest.approx(200.5)
    assert load_csv(path, "Toplam").values[2] == pytest.approx(1202.5)
    tabbed = tmp_path / "tab.csv"
    tabbed.write_text("\n".join(f"{i}\t{i},25" for i in range(30)), encoding="utf-8")
    assert load_csv(tabbed).values[4] == pytest.approx(4.25)


def test_commas_stay_decimal_points_in_comma_files(tmp_path):
    path = write(tmp_path, "t,v\n" + "\n".join(f'{i},"{i}.5"' for i in range(30)))
    assert load_csv(path).values[2] == 2.5


@pytest.mark.parametrize("label,period", [
    (lambda d: d.strftime("%Y-%m"), 12),
    (lambda d: d.strftime("%d.%m.%Y"), 12),
    (lambda d: f"{d.year}Q{(d.month - 1) // 3 + 1}", 4),
    (lambda d: d.strftime("%Y"), 1),
])
def test_seasonal_period_from_monthly_quarterly_and_yearly_dates(tmp_path, label, period):
    import datetime as dt

    step = {12: 1, 4: 3, 1: 12}[period]
    dates = [dt.date(1990 + (i * step) // 12, (i * step) % 12 + 1, 1) for i in range(48)]
    path = write(tmp_path, "date,v\n" + "\n".join(f"{label(d)},{100 + i % 7}" for i, d in enumerate(dates)))
    assert load_csv(path).period == period
    assert load_csv(path, period=5).period == 5  # a period given by the user wins


@pytest.mark.parametrize("days,fmt,period", [(1, "%Y-%m-%d", 7), (1, "%m/%d/%Y", 7), (7, "%Y-%m-%d", 52),
                                             (7, "%d/%m/%Y", 52)])
def test_seasonal_period_from_daily_and_weekly_dates(tmp_path, days, fmt, period):
    import datetime as dt

    dates = [dt.date(2001, 1, 3) + dt.timedelta(days=days * i) for i in range(60)]
    path = write(tmp_path, "date,v\n" + "\n".join(f"{d.strftime(fmt)},{i % 5}" for i, d in enumerate(dates)))
    assert load_csv(path).period == period


def test_forecast_with_period_0_uses_the_inferred_period_for_its_seasonal_baseline(tmp_path):
    from rnnlab.tasks.forecast import ForecastTask

    rows = "\n".join(f"{1960 + i // 12}-{i % 12 + 1:02d};{100 + i + 20 * (i % 12)},0" for i in range(96))
    path = tmp_path / "monthly.csv"
    path.write_text("month;value\n" + rows, encoding="utf-8")
    task = ForecastTask({"dataset": "csv", "csv_path": str(path), "period": 0, "window": 12})
    assert task.period == 12 and "seasonal naive" in task.baselines("test")
