"""Fiscal year, era names, holidays and JST business hours on real dates (checked by hand)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import duckdb
import pytest

from gcfinops.errors import ConfigError, InputError
from gcfinops.jpcalendar import (
    BusinessHours,
    fiscal_year,
    fy_end_exclusive,
    fy_label,
    fy_months,
    fy_start,
    is_business_hour,
    is_working_day,
    month_fiscal_year,
    nonworking_days,
    nonworking_reason,
    previous_fy_same_month,
    register_calendar,
    wareki_fy,
)

JST = timezone(timedelta(hours=9))


# --- fiscal year ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "fy"),
    [
        (date(2026, 3, 31), 2025),
        (date(2025, 4, 1), 2025),
        (date(2025, 3, 31), 2024),
        (date(2025, 12, 31), 2025),
        (date(2026, 1, 1), 2025),
        (datetime(2025, 3, 31, 23, 59), 2024),
        (datetime(2025, 4, 1, 0, 0), 2025),
    ],
)
def test_fiscal_year_runs_april_to_march(d: date, fy: int) -> None:
    assert fiscal_year(d) == fy


def test_fiscal_year_of_datetime_uses_its_own_date_without_zone_shift() -> None:
    """2025-03-31T15:00Z is April 1 in JST, but the UTC invoice month (March) decides."""
    assert fiscal_year(datetime(2025, 3, 31, 15, 0, tzinfo=UTC)) == 2024


def test_fy_bounds_and_months() -> None:
    assert fy_start(2025) == date(2025, 4, 1)
    assert fy_end_exclusive(2025) == date(2026, 4, 1)
    months = fy_months(2025)
    assert months[0] == "2025-04"
    assert months[8] == "2025-12"
    assert months[9] == "2026-01"
    assert months[-1] == "2026-03"
    assert len(months) == 12
    assert all(month_fiscal_year(m) == 2025 for m in months)


def test_month_helpers() -> None:
    assert month_fiscal_year("2025-04") == 2025
    assert month_fiscal_year("2026-03") == 2025
    assert previous_fy_same_month("2025-06") == "2024-06"
    assert previous_fy_same_month("2026-01") == "2025-01"


@pytest.mark.parametrize("bad", ["2025-4", "2025-13", "2025-00", "25-04", "2025/04", ""])
def test_bad_month_is_input_error(bad: str) -> None:
    with pytest.raises(InputError, match="YYYY-MM"):
        month_fiscal_year(bad)


# --- era names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fy", "name"),
    [
        (2025, "令和7年度"),
        (2020, "令和2年度"),
        (2019, "令和元年度"),
        (2018, "平成30年度"),
        (1990, "平成2年度"),
        (1989, "平成元年度"),
        (1988, "昭和63年度"),
        (1927, "昭和2年度"),
    ],
)
def test_wareki_fy(fy: int, name: str) -> None:
    assert wareki_fy(fy) == name


def test_wareki_before_showa_fiscal_years_is_refused() -> None:
    with pytest.raises(InputError, match="昭和2年度"):
        wareki_fy(1926)


def test_fy_label() -> None:
    assert fy_label(2025) == "2025年度 (令和7年度)"
    assert fy_label(2018, "ja") == "2018年度 (平成30年度)"
    assert fy_label(2025, "ja", with_era=False) == "2025年度"
    assert fy_label(2025, "en") == "FY2025"


# --- holidays -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "reason"),
    [
        (date(2025, 1, 1), "元日"),
        (date(2025, 1, 2), "年末年始"),
        (date(2025, 1, 3), "年末年始"),
        (date(2024, 12, 30), "年末年始"),
        (date(2024, 12, 29), "年末年始"),  # a Sunday: the closure is named, not 'weekend'
        (date(2025, 5, 5), "こどもの日"),
        (date(2025, 5, 6), "振替休日"),
        (date(2025, 2, 24), "振替休日"),  # 天皇誕生日 fell on Sunday 2/23
        (date(2025, 9, 15), "敬老の日"),
        (date(2025, 11, 24), "振替休日"),
        (date(2026, 9, 22), "国民の休日"),
        (date(2025, 4, 5), "weekend"),
    ],
)
def test_nonworking_days_with_reason(d: date, reason: str) -> None:
    assert nonworking_reason(d) == reason
    assert not is_working_day(d)


@pytest.mark.parametrize(
    "d",
    [date(2024, 12, 27), date(2025, 4, 8), date(2025, 1, 6), date(2025, 5, 7)],
)
def test_working_days(d: date) -> None:
    """2024-12-27 (Fri before the closure), 2025-04-08 (a normal Tuesday), days after breaks."""
    assert is_working_day(d)
    assert nonworking_reason(d) is None


def test_nonworking_days_lists_year_end_range() -> None:
    got = nonworking_days(date(2024, 12, 27), date(2025, 1, 7))
    assert got == [
        (date(2024, 12, 28), "weekend"),
        (date(2024, 12, 29), "年末年始"),
        (date(2024, 12, 30), "年末年始"),
        (date(2024, 12, 31), "年末年始"),
        (date(2025, 1, 1), "元日"),
        (date(2025, 1, 2), "年末年始"),
        (date(2025, 1, 3), "年末年始"),
        (date(2025, 1, 4), "weekend"),
        (date(2025, 1, 5), "weekend"),
    ]


def test_nonworking_reason_in_english() -> None:
    assert nonworking_reason(date(2025, 1, 1), "en") == "New Year's Day"
    assert nonworking_reason(date(2025, 1, 2), "en") == "year-end closure"


def test_year_outside_holiday_library_is_an_error() -> None:
    with pytest.raises(InputError, match="holiday calendar"):
        is_working_day(date(2150, 6, 1))


# --- business hours -------------------------------------------------------------------------


def test_business_hour_boundaries_in_jst() -> None:
    bh = BusinessHours()
    assert is_business_hour(datetime(2025, 4, 1, 23, 0), bh)  # Wed 2025-04-02 08:00 JST
    assert not is_business_hour(datetime(2025, 4, 1, 22, 0), bh)  # 07:00 JST
    assert is_business_hour(datetime(2025, 4, 4, 10, 0), bh)  # Fri 19:00 JST
    assert not is_business_hour(datetime(2025, 4, 4, 11, 0), bh)  # Fri 20:00 JST: end exclusive


def test_aware_timestamps_are_converted() -> None:
    assert is_business_hour(datetime(2025, 4, 2, 8, 0, tzinfo=JST))
    assert is_business_hour(datetime(2025, 4, 1, 23, 0, tzinfo=UTC))


def test_saturday_hours_are_never_business_hours() -> None:
    sat = datetime(2025, 4, 5, 0, 0)  # Sat 09:00 JST
    assert not any(is_business_hour(sat + timedelta(hours=h)) for h in range(-9, 15))


def test_holiday_hours_are_not_business_hours_unless_all_days() -> None:
    ts = datetime(2025, 5, 5, 3, 0)  # こどもの日 12:00 JST
    assert not is_business_hour(ts)
    assert is_business_hour(ts, BusinessHours(workdays_only=False))


@pytest.mark.parametrize(("start", "end"), [(8, 8), (20, 8), (-1, 10), (8, 25)])
def test_bad_business_hours_are_config_errors(start: int, end: int) -> None:
    with pytest.raises(ConfigError, match="start_hour"):
        BusinessHours(start_hour=start, end_hour=end)


def test_unknown_time_zone_is_config_error() -> None:
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        BusinessHours(tz="Mars/Olympus")


# --- SQL calendar ---------------------------------------------------------------------------


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_gcf_hours_schema(con: duckdb.DuckDBPyConnection) -> None:
    register_calendar(con, date(2025, 4, 7), date(2025, 4, 8), BusinessHours())
    cols = [(r[0], r[1]) for r in con.execute("DESCRIBE gcf_hours").fetchall()]
    assert cols == [
        ("hour_utc", "TIMESTAMP"),
        ("hour_jst", "TIMESTAMP"),
        ("is_business_hour", "BOOLEAN"),
        ("is_working_day", "BOOLEAN"),
        ("day_jst", "DATE"),
    ]
    nw = [(r[0], r[1]) for r in con.execute("DESCRIBE gcf_nonworking_days").fetchall()]
    assert nw == [("day", "DATE"), ("reason", "VARCHAR")]


def test_gcf_hours_normal_week_counted_by_hand(con: duckdb.DuckDBPyConnection) -> None:
    """UTC Mon 04-07 … Mon 04-14: Mon 09–19 JST (11 h), Tue–Fri 4×12, next Mon 08 JST (1) = 60."""
    register_calendar(con, date(2025, 4, 7), date(2025, 4, 14), BusinessHours())
    assert _scalar(con, "SELECT count(*) FROM gcf_hours") == 168
    assert _scalar(con, "SELECT count(*) FROM gcf_hours WHERE is_business_hour") == 60
    assert _scalar(con, "SELECT count(*) FROM gcf_hours WHERE NOT is_working_day") == 48
    first = con.execute("SELECT * FROM gcf_hours ORDER BY hour_utc LIMIT 1").fetchone()
    assert first == (datetime(2025, 4, 7, 0), datetime(2025, 4, 7, 9), True, True, date(2025, 4, 7))
    assert con.execute("SELECT * FROM gcf_nonworking_days ORDER BY day").fetchall() == [
        (date(2025, 4, 12), "weekend"),
        (date(2025, 4, 13), "weekend"),
    ]


def test_gcf_hours_golden_week_counted_by_hand(con: duckdb.DuckDBPyConnection) -> None:
    """UTC Mon 04-28 … Mon 05-05: 04-29 昭和の日 and 05-03/04 are off; 11 + 3×12 = 47."""
    register_calendar(con, date(2025, 4, 28), date(2025, 5, 5), BusinessHours())
    assert _scalar(con, "SELECT count(*) FROM gcf_hours") == 168
    assert _scalar(con, "SELECT count(*) FROM gcf_hours WHERE is_business_hour") == 47
    assert _scalar(con, "SELECT count(*) FROM gcf_hours WHERE is_working_day") == 15 + 3 * 24
    assert con.execute("SELECT * FROM gcf_nonworking_days ORDER BY day").fetchall() == [
        (date(2025, 4, 29), "昭和の日"),
        (date(2025, 5, 3), "憲法記念日"),
        (date(2025, 5, 4), "みどりの日"),
        (date(2025, 5, 5), "こどもの日"),  # its first 9 JST hours are in range
    ]


def test_gcf_hours_all_days_and_custom_hours(con: duckdb.DuckDBPyConnection) -> None:
    bh = BusinessHours(start_hour=9, end_hour=17, workdays_only=False)
    register_calendar(con, date(2025, 4, 5), date(2025, 4, 6), bh)  # Saturday UTC
    # 2025-04-05 00:00–23:00 UTC = 09:00 Sat … 08:00 Sun JST: 09–16 JST = 8 hours
    assert _scalar(con, "SELECT count(*) FROM gcf_hours WHERE is_business_hour") == 8


def test_gcf_hours_agrees_with_python_for_a_fiscal_year(con: duckdb.DuckDBPyConnection) -> None:
    bh = BusinessHours()
    register_calendar(con, fy_start(2024), fy_end_exclusive(2024), bh)
    rows = con.execute("SELECT hour_utc, is_business_hour, day_jst FROM gcf_hours").fetchall()
    assert len(rows) == 365 * 24
    assert all(is_business_hour(ts, bh) == flag for ts, flag, _ in rows)
    sql_days = con.execute("SELECT day, reason FROM gcf_nonworking_days ORDER BY day").fetchall()
    assert sql_days == nonworking_days(date(2024, 4, 1), date(2025, 4, 2))


def test_register_calendar_replaces_previous_tables(con: duckdb.DuckDBPyConnection) -> None:
    register_calendar(con, date(2025, 4, 7), date(2025, 4, 14), BusinessHours())
    register_calendar(con, date(2025, 4, 7), date(2025, 4, 8), BusinessHours())
    assert _scalar(con, "SELECT count(*) FROM gcf_hours") == 24


def test_register_calendar_refuses_empty_range(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(InputError, match="empty"):
        register_calendar(con, date(2025, 4, 7), date(2025, 4, 7), BusinessHours())


def test_register_calendar_refuses_daylight_saving_zone(con: duckdb.DuckDBPyConnection) -> None:
    bh = BusinessHours(tz="America/New_York")
    with pytest.raises(ConfigError, match="daylight saving"):
        register_calendar(con, date(2025, 3, 1), date(2025, 4, 1), bh)


def test_wareki_month_labels_era_changes() -> None:
    from gcfinops.jpcalendar import wareki_month

    assert wareki_month("2025-04") == "令和7年4月"
    assert wareki_month("2019-04") == "平成31年4月"
    assert wareki_month("2019-05") == "令和元年5月"
    assert wareki_month("2018-04") == "平成30年4月"
