"""Complete and incomplete months: has every billing account delivered the whole month?

Bills arrive daily during a month, so the latest month is usually month-to-date, and an export
that stopped (an account whose delivery failed) leaves a hole that looks like a saving. A month
is **complete** when every billing account that had data in the previous month has data through
the month's last day; `through` is the last day for which every such account has data (the day D
of a month-to-date comparison, days 1..D), None when one of them has no data at all yet.
In the first month of the lake (no previous month) the accounts of the month itself count.

Months are billing periods (`BillingPeriodStart`: AWS's UTC calendar month, Google Cloud's
invoice month, Azure's billing period). An account's last day is the UTC day of its latest
`ChargePeriodEnd` among lines of one day or less: monthly lines (tax, fees, commitments) run to
the month's end even mid-month, so they count only for an account that has nothing finer.

`gate` (check) and `report` share it: `load_days` reads the lake once, `month_completeness` is
a pure function of what it read (so it is tested by hand).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from gcfinops.jpcalendar import parse_month

if TYPE_CHECKING:
    import duckdb

Account = tuple[str, str]  # (provider, billing account)
Days = dict[str, dict[Account, date]]  # month → account → last day with data

LAST_DAY_SQL = """
SELECT strftime(BillingPeriodStart, '%Y-%m') AS month, ProviderName, BillingAccountId,
       coalesce(max(CASE WHEN ChargePeriodEnd - ChargePeriodStart <= INTERVAL '1' DAY
                         THEN ChargePeriodEnd END), max(ChargePeriodEnd)) AS last_end
FROM {relation}
WHERE BillingPeriodStart IS NOT NULL AND ChargePeriodEnd IS NOT NULL
GROUP BY strftime(BillingPeriodStart, '%Y-%m'), ProviderName, BillingAccountId
"""


@dataclass(frozen=True)
class AccountDays:
    """One billing account in a month: its last day with data (None: nothing yet)."""

    provider: str
    billing_account: str
    through: date | None

    @property
    def key(self) -> str:
        return f"{self.provider}/{self.billing_account}"


@dataclass(frozen=True)
class MonthCompleteness:
    """Whether `month` is complete, and the last day every expected account has data for."""

    month: str
    complete: bool
    through: date | None
    accounts: tuple[AccountDays, ...]

    def to_dict(self) -> dict[str, object]:
        """The JSON keys `check` reports (`complete`, `through` as YYYY-MM-DD or null)."""
        return {
            "month": self.month,
            "complete": self.complete,
            "through": self.through.isoformat() if self.through else None,
            "lagging_accounts": [a.key for a in self.lagging],
        }

    @property
    def lagging(self) -> tuple[AccountDays, ...]:
        """Accounts that hold the month back, latest first."""
        end = last_day(self.month)
        return tuple(a for a in self.accounts if a.through is None or a.through < end)


def last_day(month: str) -> date:
    """The last calendar day of a 'YYYY-MM' month."""
    y, m = parse_month(month)
    return date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)


def previous_month(month: str) -> str:
    y, m = parse_month(month)
    return f"{y - (m == 1)}-{(m - 2) % 12 + 1:02d}"


def load_days(
    con: duckdb.DuckDBPyConnection, relation: str = "lake", sql: str | None = None
) -> Days:
    """Last day with data per billing month and account, clamped to the month's last day.
    `sql`: a query giving LAST_DAY_SQL's rows another way (the report's one pass over the
    lake, `report.lakescan.LAST_DAY_SQL`)."""
    days: Days = defaultdict(dict)
    query = LAST_DAY_SQL.format(relation=relation) if sql is None else sql
    for month, provider, account, last_end in con.execute(query).fetchall():
        day = (last_end - timedelta(microseconds=1)).date()
        days[str(month)][(str(provider), str(account))] = min(day, last_day(str(month)))
    return dict(days)


def month_completeness(days: Days, month: str) -> MonthCompleteness:
    """Completeness of `month` from `load_days` output."""
    current = days.get(month, {})
    expected = set(days.get(previous_month(month), {})) or set(current)
    accounts = tuple(
        AccountDays(provider, account, current.get((provider, account)))
        for provider, account in sorted(expected)
    )
    throughs = [a.through for a in accounts]
    through = None if not throughs or None in throughs else min(d for d in throughs if d)
    complete = bool(accounts) and through == last_day(month)
    return MonthCompleteness(month, complete, through, accounts)


def completeness(
    con: duckdb.DuckDBPyConnection, month: str, relation: str = "lake"
) -> MonthCompleteness:
    """Completeness of one month of `relation` (a FOCUS lake view)."""
    return month_completeness(load_days(con, relation), month)
