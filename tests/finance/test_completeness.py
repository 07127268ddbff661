"""Month completeness, computed by hand on small account tables and on a lake."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from gcfinops.completeness import (
    completeness,
    last_day,
    month_completeness,
    previous_month,
)
from gcfinops.db import connect

A = ("AWS", "payer-a")
B = ("AWS", "payer-b")
G = ("Google Cloud", "01C3E5")


def test_calendar_helpers() -> None:
    assert last_day("2024-02") == date(2024, 2, 29)
    assert last_day("2025-12") == date(2025, 12, 31)
    assert previous_month("2025-01") == "2024-12"
    assert previous_month("2025-04") == "2025-03"


def test_complete_when_every_account_reaches_the_last_day() -> None:
    days = {
        "2025-09": {A: date(2025, 9, 30), B: date(2025, 9, 30)},
        "2025-10": {A: date(2025, 10, 31), B: date(2025, 10, 31)},
    }
    c = month_completeness(days, "2025-10")
    assert c.complete is True
    assert c.through == date(2025, 10, 31)
    assert c.lagging == ()


def test_one_lagging_account_makes_the_month_incomplete() -> None:
    # B stopped on the 10th: through = the 10th (days 1..10 are covered by both)
    days = {
        "2025-09": {A: date(2025, 9, 30), B: date(2025, 9, 30)},
        "2025-10": {A: date(2025, 10, 31), B: date(2025, 10, 10)},
    }
    c = month_completeness(days, "2025-10")
    assert (c.complete, c.through) == (False, date(2025, 10, 10))
    assert [a.key for a in c.lagging] == ["AWS/payer-b"]
    assert c.to_dict() == {
        "month": "2025-10",
        "complete": False,
        "through": "2025-10-10",
        "lagging_accounts": ["AWS/payer-b"],
    }


def test_missing_account_gives_no_through() -> None:
    days = {
        "2025-09": {A: date(2025, 9, 30), G: date(2025, 9, 30)},
        "2025-10": {A: date(2025, 10, 31)},
    }
    c = month_completeness(days, "2025-10")
    assert (c.complete, c.through) == (False, None)
    assert [a.key for a in c.lagging] == ["Google Cloud/01C3E5"]


def test_new_account_does_not_hold_the_month_back() -> None:
    # B appears in October for the first time and only through the 20th: not expected yet
    days = {
        "2025-09": {A: date(2025, 9, 30)},
        "2025-10": {A: date(2025, 10, 31), B: date(2025, 10, 20)},
    }
    assert month_completeness(days, "2025-10").complete is True


def test_first_month_uses_its_own_accounts_and_empty_is_incomplete() -> None:
    days = {"2024-04": {A: date(2024, 4, 30), B: date(2024, 4, 15)}}
    c = month_completeness(days, "2024-04")
    assert (c.complete, c.through) == (False, date(2024, 4, 15))
    assert month_completeness({}, "2024-04") == month_completeness({}, "2024-04")
    assert month_completeness({}, "2024-04").complete is False


def test_on_a_lake_monthly_lines_do_not_count_and_invoice_months_clamp() -> None:
    con = connect()
    con.execute(
        "CREATE TABLE lake (ProviderName VARCHAR, BillingAccountId VARCHAR, "
        "BillingPeriodStart TIMESTAMPTZ, ChargePeriodStart TIMESTAMPTZ, "
        "ChargePeriodEnd TIMESTAMPTZ)"
    )
    sep, oct_ = datetime(2025, 9, 1, tzinfo=UTC), datetime(2025, 10, 1, tzinfo=UTC)
    nov = datetime(2025, 11, 1, tzinfo=UTC)
    rows = [
        ("AWS", "a", sep, sep + timedelta(days=29), oct_),  # September complete
        ("AWS", "a", oct_, oct_ + timedelta(days=9), oct_ + timedelta(days=10)),  # daily to 10th
        ("AWS", "a", oct_, oct_, nov),  # monthly tax line: ignored while there are daily lines
        # Google Cloud invoice month October = 07:00Z Oct 1 … 07:00Z Nov 1 (US Pacific)
        ("Google Cloud", "g", sep, sep, oct_),
        ("Google Cloud", "g", oct_ + timedelta(hours=7), nov, nov + timedelta(hours=7)),
    ]
    con.executemany("INSERT INTO lake VALUES (?, ?, ?, ?, ?)", rows)
    c = completeness(con, "2025-10")
    assert {a.key: a.through for a in c.accounts} == {
        "AWS/a": date(2025, 10, 10),
        "Google Cloud/g": date(2025, 10, 31),
    }
    assert (c.complete, c.through) == (False, date(2025, 10, 10))
    assert completeness(con, "2025-09").complete is True
