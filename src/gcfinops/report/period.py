"""The months of a report: as_of, the fiscal year, complete/partial/future, the run-rate window.

A month is *complete* when it ended by as_of (and, per `gcfinops.completeness`, every billing
account delivered it to its last day, else *incomplete*), *partial* when as_of falls inside it,
else *future*.
The run-rate window is the last N complete months with data (docs/reports.md, "Forecast").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from gcfinops.errors import NoDataError
from gcfinops.jpcalendar import fy_end_exclusive, fy_months, fy_start, month_fiscal_year

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class Period:
    """The two fiscal years a report reads (fy − 1 and fy) and how far the data goes."""

    fiscal_year: int
    as_of: datetime
    latest_month: str
    months: list[tuple[str, int, bool, str, bool, bool]]  # see register_months
    window: list[str]
    complete: int
    first_data: str | None


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """UTC start and exclusive end of a 'YYYY-MM' month."""
    y, m = int(month[:4]), int(month[5:])
    return datetime(y, m, 1, tzinfo=UTC), datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=UTC)


def month_of(ts: datetime) -> str:
    """The month an exclusive end timestamp closes: 2025-10-01T00:00Z → '2025-09'."""
    return (ts - timedelta(microseconds=1)).strftime("%Y-%m")


LATEST_SQL = (
    "SELECT coalesce(max(CASE WHEN ChargePeriodEnd - ChargePeriodStart <= INTERVAL 1 DAY"
    " THEN ChargePeriodEnd END), max(ChargePeriodEnd)) FROM lake"
)


def as_of_stamp(as_of: date | None) -> datetime | None:
    """`--as-of` as the UTC instant the report cuts at (None: from the data)."""
    return None if as_of is None else datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)


def resolve_period(
    con: duckdb.DuckDBPyConnection,
    fy: int | None,
    as_of: date | None,
    latest_sql: str = LATEST_SQL,
) -> tuple[int, datetime, datetime]:
    """(fiscal year, as_of of the data, as_of capped at the year's end). `latest_sql`: the
    query of the data's latest instant (default: over the lake; the report's one pass gives
    `report.lakescan.LATEST_SQL`)."""
    stamp_given = as_of_stamp(as_of)
    if stamp_given is not None:
        stamp = stamp_given
    else:
        # NOTE: monthly lines (tax, fees, commitments) end at the month's end even mid-month, so
        # freshness comes from hourly/daily lines when there are any.
        row = con.execute(latest_sql).fetchone()
        latest = row[0] if row else None
        if latest is None:
            nc = con.execute(
                "SELECT max(coalesce(month, CAST(fiscal_year + 1 AS VARCHAR) || '-03'))"
                " FROM gcf_noncloud_raw"
            ).fetchone()
            if not nc or nc[0] is None:
                raise NoDataError(
                    "nothing to report: the lake is empty and no non-cloud costs are imported",
                    hint="gcfinops ingest PATH (cloud bills) or gcfinops costs import FILE",
                )
            latest = month_bounds(str(nc[0]))[1]
        stamp = latest.astimezone(UTC)
    data_fy = month_fiscal_year(month_of(stamp))
    year = data_fy if fy is None else fy
    start = datetime.combine(fy_start(year), datetime.min.time(), UTC)
    if start >= stamp:
        raise NoDataError(
            f"no data for fiscal year {year} yet: the data ends {stamp:%Y-%m-%d} (UTC)",
            hint=f"use --fy {data_fy} or earlier",
        )
    end = datetime.combine(fy_end_exclusive(year), datetime.min.time(), UTC)
    return year, stamp, min(stamp, end)


def register_months(
    con: duckdb.DuckDBPyConnection,
    fy: int,
    cut: datetime,
    first_data: str | None,
    forecast_months: int,
    incomplete: set[str] | frozenset[str] = frozenset(),
) -> Period:
    """TEMP gcf_months(month, fiscal_year, in_fy, status, in_window, in_compare) for fy−1 and fy.

    A month in `incomplete` (ended, but not every billing account delivered it to its last day)
    gets status 'incomplete': counted in the actual to date, kept out of the run-rate window.
    """
    previous, current = fy_months(fy - 1), fy_months(fy)
    status: dict[str, str] = {}
    for m in previous + current:
        start, end = month_bounds(m)
        status[m] = "complete" if end <= cut else ("partial" if start < cut else "future")
        if status[m] == "complete" and m in incomplete:
            status[m] = "incomplete"
    with_data = [m for m in previous + current if first_data is not None and m >= first_data]
    window = [m for m in with_data if status[m] == "complete"][-forecast_months:]
    rows = []
    for i, m in enumerate(previous):
        counterpart = status[current[i]] != "future"
        rows.append((m, fy - 1, False, status[m], m in window, counterpart and m in with_data))
    rows += [(m, fy, True, status[m], m in window, False) for m in current]
    con.execute(
        """CREATE OR REPLACE TEMP TABLE gcf_months (month VARCHAR, fiscal_year INTEGER,
           in_fy BOOLEAN, status VARCHAR, in_window BOOLEAN, in_compare BOOLEAN)"""
    )
    con.executemany("INSERT INTO gcf_months VALUES (?, ?, ?, ?, ?, ?)", rows)
    complete = sum(1 for m in current if status[m] == "complete")
    return Period(fy, cut, month_of(cut), rows, window, complete, first_data)


def within(p: Period, month: str) -> bool:
    """Whether `month` is a month of the report's fiscal year up to as_of (not future)."""
    return any(r[0] == month and r[2] and r[3] != "future" for r in p.months)
