"""Japanese public-sector calendar: 年度, 和暦 labels, working days and business hours.

年度 runs April–March (地方自治法 第208条). Holidays come from the maintained ``holidays``
package (country JP: 国民の祝日, 振替休日, 国民の休日) plus the government closure 12/29–1/3
(行政機関の休日に関する法律 第1条). Bills are in UTC; business hours are judged in local time,
JST = UTC+9 all year (Japan has had no daylight saving since 1951). See
docs/calendar-and-money.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from gcfinops.errors import ConfigError, InputError

if TYPE_CHECKING:
    import duckdb

Lang = Literal["ja", "en"]

WEEKEND = "weekend"
YEAR_END_CLOSURE = {"ja": "年末年始", "en": "year-end closure"}
_HOLIDAY_LANGUAGE = {"ja": "ja", "en": "en_US"}
_MONTH_RE = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")

# (first fiscal year named in the era, era name, offset so that era year = fy - offset).
# 令和 began 2019-05-01, but the MIC notice names the whole FY2019 令和元年度. 平成 began
# 1989-01-08, so FY1988 stayed 昭和63年度 and FY1989 is 平成元年度. 昭和 began 1926-12-25,
# so FY1926 was 大正15年度 and the first 昭和 fiscal year is 昭和2年度 (FY1927).
_ERAS = ((2019, "令和", 2018), (1989, "平成", 1988), (1927, "昭和", 1925))


# --- months and fiscal years ---------------------------------------------------------------


def parse_month(month: str) -> tuple[int, int]:
    """Split 'YYYY-MM' into (year, month), so a typo is a clear input error, not a crash."""
    match = _MONTH_RE.fullmatch(month) if isinstance(month, str) else None
    if match is None:
        raise InputError(f"month {month!r} is not in YYYY-MM form (e.g. 2025-04)")
    return int(match[1]), int(match[2])


def fiscal_year(d: date | datetime) -> int:
    """年度 of a day (April–March): 2026-03-31 is in FY2025.

    A datetime counts by its own calendar date, without a time-zone shift: CSPs cut bills in
    UTC months and the invoice month decides the 年度 (usage period, not payment date).
    """
    return d.year if d.month >= 4 else d.year - 1


def fy_start(fy: int) -> date:
    """First day of a fiscal year (1 April)."""
    return date(fy, 4, 1)


def fy_end_exclusive(fy: int) -> date:
    """Day after the last day of a fiscal year (1 April of the next year), for half-open ranges."""
    return date(fy + 1, 4, 1)


def fy_months(fy: int) -> list[str]:
    """The twelve months of a fiscal year as 'YYYY-MM', April first."""
    return [f"{fy + (m < 4)}-{m:02d}" for m in (*range(4, 13), 1, 2, 3)]


def month_fiscal_year(month: str) -> int:
    """年度 of a 'YYYY-MM' month: '2026-03' → 2025."""
    year, mon = parse_month(month)
    return year if mon >= 4 else year - 1


def previous_fy_same_month(month: str) -> str:
    """Same month one fiscal year earlier, for year-on-year comparison: '2025-06' → '2024-06'."""
    year, mon = parse_month(month)
    return f"{year - 1}-{mon:02d}"


# --- era names ------------------------------------------------------------------------------


def wareki_fy(fy: int) -> str:
    """和暦 name of a fiscal year as municipal documents print it: 2019 → '令和元年度'."""
    for first_fy, era, offset in _ERAS:
        if fy >= first_fy:
            n = fy - offset
            return f"{era}{'元' if n == 1 else n}年度"
    raise InputError(f"fiscal year {fy} is before 昭和2年度 (FY1927); no era name is provided")


def fy_label(fy: int, lang: Lang = "ja", with_era: bool = True) -> str:
    """Report label of a fiscal year: ja '2025年度 (令和7年度)', en 'FY2025' (never with era)."""
    if lang == "en":
        return f"FY{fy}"
    return f"{fy}年度 ({wareki_fy(fy)})" if with_era else f"{fy}年度"


# --- holidays and working days --------------------------------------------------------------


_FIRST_YEAR: int = holidays.country_holidays("JP").start_year
_LAST_YEAR: int = holidays.country_holidays("JP").end_year


@cache
def _national_holidays(year: int, lang: Lang) -> dict[date, str]:
    """National holidays of one year by name; a year the library lacks is an error, not 'none'."""
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise InputError(
            f"no Japanese holiday calendar for {year} (supported {_FIRST_YEAR}–{_LAST_YEAR})"
        )
    table = holidays.country_holidays("JP", years=year, language=_HOLIDAY_LANGUAGE[lang])
    return {d: str(name) for d, name in table.items()}


def _is_year_end_closure(d: date) -> bool:
    return (d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3)


def nonworking_reason(d: date | datetime, lang: Lang = "ja") -> str | None:
    """Why government offices are closed on a day, or None on a working day.

    Precedence: national holiday name, then 年末年始 (12/29–1/3), then 'weekend'.
    """
    day = d.date() if isinstance(d, datetime) else d
    name = _national_holidays(day.year, lang).get(day)
    if name is not None:
        return name
    if _is_year_end_closure(day):
        return YEAR_END_CLOSURE[lang]
    return WEEKEND if day.isoweekday() >= 6 else None


def is_working_day(d: date | datetime) -> bool:
    """Mon–Fri, not a national holiday and not in the 12/29–1/3 closure."""
    return nonworking_reason(d) is None


def nonworking_days(start: date, end_exclusive: date, lang: Lang = "ja") -> list[tuple[date, str]]:
    """Closed days in [start, end_exclusive) with the reason, in date order."""
    out: list[tuple[date, str]] = []
    day = start
    while day < end_exclusive:
        reason = nonworking_reason(day, lang)
        if reason is not None:
            out.append((day, reason))
        day += timedelta(days=1)
    return out


def _special_days(start: date, end_exclusive: date) -> list[tuple[date, str]]:
    """Holidays and 年末年始 days in range (weekends excluded): a short list, ~25 per year."""
    out: dict[date, str] = {}
    last = end_exclusive - timedelta(days=1)
    for year in range(start.year, last.year + 1):
        closure = [date(year, 1, d) for d in (1, 2, 3)] + [date(year, 12, d) for d in (29, 30, 31)]
        for day in closure:
            out[day] = YEAR_END_CLOSURE["ja"]
        out.update(_national_holidays(year, "ja"))  # a holiday name wins over 年末年始
    return sorted((d, r) for d, r in out.items() if start <= d < end_exclusive)


# --- business hours -------------------------------------------------------------------------


@dataclass(frozen=True)
class BusinessHours:
    """Office hours [start_hour, end_hour) in local time; used to spot resources left running."""

    start_hour: int = 8
    end_hour: int = 20
    workdays_only: bool = True
    tz: str = "Asia/Tokyo"

    def __post_init__(self) -> None:
        if not 0 <= self.start_hour < self.end_hour <= 24:
            raise ConfigError(
                f"business hours need 0 <= start_hour < end_hour <= 24 "
                f"(found start_hour={self.start_hour}, end_hour={self.end_hour})"
            )
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"unknown time zone {self.tz!r} for business hours") from exc


def is_business_hour(ts_utc: datetime, bh: BusinessHours | None = None) -> bool:
    """Whether the hour containing a UTC timestamp is a business hour in local time.

    A naive datetime is taken as UTC (as bills are); an aware one is converted.
    """
    bh = bh or BusinessHours()
    ts = ts_utc.replace(tzinfo=UTC) if ts_utc.tzinfo is None else ts_utc
    local = ts.astimezone(ZoneInfo(bh.tz))
    if not bh.start_hour <= local.hour < bh.end_hour:
        return False
    return not bh.workdays_only or is_working_day(local.date())


def _fixed_offset(tz: str, start: date, end_exclusive: date) -> timedelta:
    """UTC offset of tz over the range; SQL adds one constant, so DST zones are refused."""
    zone = ZoneInfo(tz)
    days = (end_exclusive - start).days + 2
    offsets = {
        zone.utcoffset(datetime.combine(start + timedelta(days=i), time())) for i in range(days)
    }
    if len(offsets) != 1:
        raise ConfigError(
            f"time zone {tz!r} changes its UTC offset between {start} and {end_exclusive}; "
            "business hours need a zone without daylight saving (e.g. Asia/Tokyo)"
        )
    offset = offsets.pop()
    assert offset is not None  # ZoneInfo always answers for a naive datetime
    return offset


_CREATE_NONWORKING = """
CREATE OR REPLACE TEMP TABLE gcf_nonworking_days (
    day DATE NOT NULL PRIMARY KEY,
    reason VARCHAR NOT NULL
)
"""
_INSERT_WEEKENDS = """
INSERT INTO gcf_nonworking_days
SELECT CAST(t.d AS DATE), 'weekend'
FROM range(CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), INTERVAL '1 day') AS t(d)
WHERE extract(isodow FROM t.d) >= 6
  AND CAST(t.d AS DATE) NOT IN (SELECT day FROM gcf_nonworking_days)
"""
_CREATE_HOURS = """
CREATE OR REPLACE TEMP TABLE gcf_hours AS
WITH h AS (
    SELECT t.hour_utc, t.hour_utc + ? * INTERVAL '1 minute' AS hour_jst
    FROM range(CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), INTERVAL '1 hour') AS t(hour_utc)
)
SELECT
    h.hour_utc,
    h.hour_jst,
    extract(hour FROM h.hour_jst) >= ? AND extract(hour FROM h.hour_jst) < ?
        AND (NOT ? OR n.day IS NULL) AS is_business_hour,
    n.day IS NULL AS is_working_day,
    CAST(h.hour_jst AS DATE) AS day_jst
FROM h
LEFT JOIN gcf_nonworking_days AS n ON n.day = CAST(h.hour_jst AS DATE)
ORDER BY h.hour_utc
"""


def register_calendar(
    con: duckdb.DuckDBPyConnection,
    start: date,
    end_exclusive: date,
    bh: BusinessHours | None = None,
) -> None:
    """Create TEMP tables gcf_hours and gcf_nonworking_days so rules can join on hour_utc.

    gcf_hours has one row per UTC hour from start 00:00 UTC to end_exclusive 00:00 UTC;
    hour_jst/day_jst are local time in bh.tz. gcf_nonworking_days covers every local day those
    hours touch. Only the ~25 special days a year come from Python; hours and weekends are SQL.
    """
    bh = bh or BusinessHours()
    if end_exclusive <= start:
        raise InputError(f"calendar range is empty: {start} … {end_exclusive} (end is exclusive)")
    offset = _fixed_offset(bh.tz, start, end_exclusive)
    first_day = (datetime.combine(start, time()) + offset).date()
    end_day = (datetime.combine(end_exclusive, time()) - timedelta(hours=1) + offset).date()
    end_day += timedelta(days=1)
    con.execute(_CREATE_NONWORKING)
    special = _special_days(first_day, end_day)
    if special:
        con.executemany("INSERT INTO gcf_nonworking_days VALUES (?, ?)", special)
    con.execute(_INSERT_WEEKENDS, [first_day, end_day])
    con.execute(
        _CREATE_HOURS,
        [
            offset // timedelta(minutes=1),
            start,
            end_exclusive,
            bh.start_hour,
            bh.end_hour,
            bh.workdays_only,
        ],
    )


# Era changes at month level: 令和 began on 2019-05-01, 平成 on 1989-01-08 (a January bill
# month is labelled 平成元年1月, as most of it lies in 平成).
_MONTH_ERAS = ((2019, 5, "令和"), (1989, 1, "平成"), (1926, 12, "昭和"))


def wareki_month(month: str) -> str:
    """和暦 label of a 'YYYY-MM' month as municipal documents print it: '2025-04' → '令和7年4月'."""
    year, mon = parse_month(month)
    for first_year, first_month, era in _MONTH_ERAS:
        if (year, mon) >= (first_year, first_month):
            n = year - first_year + 1
            return f"{era}{'元' if n == 1 else n}年{mon}月"
    raise InputError(f"month {month} is before 昭和 (1926-12); no era name is provided")
