"""The report's month-to-date comparison (issue #12 item 2): a month not delivered to its end is
set against the same days of last year's month, with its monthly non-cloud amounts prorated
to those days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from gcfinops import api
from report import lake

SETAGAYA = "131121"


def test_incomplete_month_compares_the_same_days_with_noncloud_prorated(tmp_path: Path) -> None:
    """Account A delivers September 2025 whole (300); account B only through the 10th (100).
    September 2024: A 240 + B 60 = 300. Non-cloud: 30,000 a month, Sep 2024 and Sep 2025.
    September 2025 (30 days) is compared over days 1..10: fraction 1/3."""
    ws = tmp_path / "ws"
    rows = []
    for month, a, b in (
        ("2024-09", 240.0, 60.0),
        ("2025-08", 300.0, 100.0),
        ("2025-09", 300.0, 100.0),
    ):
        start = datetime.fromisoformat(f"{month}-01T00:00:00+00:00").astimezone(UTC)
        end_b = start + timedelta(days=10) if month == "2025-09" else lake._month_end(start)
        rows.append(lake.lake_row(month, a, x_Ward=SETAGAYA, BillingAccountId="A"))
        rows.append(lake.lake_row(month, b, x_Ward=SETAGAYA, BillingAccountId="B",
                                  ChargePeriodEnd=end_b))  # fmt: skip
    lake.write_lake(ws, rows)
    (tmp_path / "c.csv").write_text(
        "ward,month,cost_item,amount_jpy\n"
        "131121,2024-09,network_lines,30000\n131121,2025-09,network_lines,30000\n",
        encoding="utf-8",
    )
    api.import_costs(tmp_path / "c.csv", workspace=ws)
    w = api.report(SETAGAYA, workspace=ws, as_of=date(2025, 10, 1)).wards[0]
    september = next(m for m in w.by_month if m.month == "2025-09")
    assert (september.status, september.through) == ("incomplete", "2025-09-10")
    assert september.days_fraction == pytest.approx(10 / 30)
    # last year's September over the same days: (300 + 30,000) × 10/30
    assert september.previous_fy_jpy == pytest.approx(30_300 / 3)
    # this September: cloud to date 400 + non-cloud 30,000 × 10/30
    assert september.compared_jpy == pytest.approx(400 + 10_000)
    assert september.noncloud_jpy == pytest.approx(30_000)  # the month's amount as entered
    assert w.latest_month == "2025-09"
    assert w.month_to_date_jpy == pytest.approx(10_400)
    assert w.same_month_last_fy_jpy == pytest.approx(10_100)
    august = next(m for m in w.by_month if m.month == "2025-08")
    assert (august.days_fraction, august.compared_jpy) == (None, pytest.approx(400))
