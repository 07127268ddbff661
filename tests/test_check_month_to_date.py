"""`check` on an incomplete month (issue #12 item 2): days 1..D of every month compared, the
full-month run rate, `complete` / `through` in the JSON; and `--tax-basis` (item 4)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from check.lakes import line, sample_workspace, write_fx, write_lake
from gcfinops.cli import app
from gcfinops.gate import run_check
from gcfinops.workspace import Workspace

__all__ = ["sample_workspace"]  # the session fixture, used below

W = "131121"
OFF = {"max_increase_jpy": None}


def _days(month: str, first: int, last: int, cost: float) -> list[dict]:
    return [
        line(f"{month}-{d:02d}", cost, x_Ward=W, BillingCurrency="JPY")
        for d in range(first, last + 1)
    ]


def _tax(month: str, cost: float) -> dict:
    return line(
        month, cost, x_Ward=W, BillingCurrency="JPY", ChargeCategory="Tax", ServiceName="Tax"
    )


def _mtd_ws(tmp_path: Path) -> Workspace:
    """JPY. 2025-03: 80/day × 31 + tax 310; 2026-02: 100/day × 28 + tax 280;
    2026-03 (incomplete): 150/day for days 1..10 + a monthly tax line of 310."""
    rows = [
        *_days("2025-03", 1, 31, 80), _tax("2025-03", 310),
        *_days("2026-02", 1, 28, 100), _tax("2026-02", 280),
        *_days("2026-03", 1, 10, 150), _tax("2026-03", 310),
    ]  # fmt: skip
    write_lake(tmp_path, rows)
    write_fx(tmp_path, {})
    return Workspace.resolve(tmp_path)


def test_incomplete_month_compares_days_1_to_d_by_hand(tmp_path: Path) -> None:
    result = run_check(_mtd_ws(tmp_path), month="2026-03", thresholds=OFF)
    assert (result.complete, result.through) == (False, "2026-03-10")
    mom = next(e for e in result.evaluations if e.metric == "mom_growth")
    yoy = next(e for e in result.evaluations if e.metric == "yoy_growth")
    # current: 10 × 150 + 310 × 10/31 = 1,600; Feb days 1..10: 10 × 100 + 280 × 10/28 = 1,100
    assert mom.current_jpy == pytest.approx(1_600)
    assert mom.previous_jpy == pytest.approx(1_100)
    assert mom.value == pytest.approx(500 / 1_100 * 100)
    # March 2025 days 1..10: 10 × 80 + 310 × 10/31 = 900
    assert yoy.previous_jpy == pytest.approx(900)
    assert yoy.value == pytest.approx(700 / 900 * 100)
    # run rate: 1,600 × 31 / 10
    assert mom.run_rate_jpy == pytest.approx(4_960)
    assert result.run_rates[W] == pytest.approx(4_960)
    for e in result.evaluations:
        assert (e.complete, e.through) == (False, "2026-03-10")
    doc = result.to_dict()
    assert (doc["complete"], doc["through"], doc["tax_basis"]) == (False, "2026-03-10", "included")
    assert all(b["complete"] is False and b["through"] == "2026-03-10" for b in doc["breaches"])
    assert doc["breaches"]  # +45 % and +78 % against 20 % and 30 %


def test_tax_basis_excluded_drops_tax_lines(tmp_path: Path) -> None:
    result = run_check(_mtd_ws(tmp_path), month="2026-03", thresholds=OFF, tax_basis="excluded")
    mom = next(e for e in result.evaluations if e.metric == "mom_growth")
    assert (mom.current_jpy, mom.previous_jpy) == (pytest.approx(1_500), pytest.approx(1_000))
    assert result.to_dict()["tax_basis"] == "excluded"


def test_complete_month_is_compared_whole(tmp_path: Path) -> None:
    result = run_check(_mtd_ws(tmp_path), month="2026-02", thresholds=OFF)
    assert (result.complete, result.through) == (True, "2026-02-28")
    e = next(e for e in result.evaluations if e.metric == "mom_growth")
    assert e.current_jpy == pytest.approx(3_080) and e.run_rate_jpy is None


def test_bad_tax_basis_is_a_usage_error(tmp_path: Path) -> None:
    _mtd_ws(tmp_path)
    result = CliRunner().invoke(app, ["-w", str(tmp_path), "check", "--tax-basis", "gross"])
    assert result.exit_code == 2


def _cut(root: Path, month: str, day: int) -> None:
    """Keep only the lines of billing period `month` that start before day `day + 1`."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for f in root.glob(f"lake/provider=*/billing_period={month}/*/*.parquet"):
        tmp = f.with_suffix(".tmp")
        con.execute(
            f"""COPY (SELECT * FROM read_parquet('{f.as_posix()}')
                      WHERE ChargePeriodStart < TIMESTAMPTZ '{month}-{day + 1:02d} 00:00:00+00')
                TO '{tmp.as_posix()}' (FORMAT parquet)"""
        )
        tmp.replace(f)


def _edogawa_days_1_to_10(root: Path, month: str, days: int) -> float:
    """Independent query: 江戸川区, hourly lines of days 1..10 + monthly lines × 10/days, in yen."""
    rate = {
        r.split(",")[0]: float(r.split(",")[2])
        for r in (root / "fx_rates.csv").read_text().splitlines()[1:]
    }[month]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    row = con.execute(
        f"""SELECT sum(CASE WHEN ChargePeriodEnd - ChargePeriodStart <= INTERVAL 1 DAY
                            THEN CASE WHEN day(ChargePeriodStart) <= 10 THEN BilledCost END
                            ELSE BilledCost * 10 / {days} END)
            FROM read_parquet('{root.as_posix()}/lake/**/*.parquet')
            WHERE x_Ward = '131237' AND strftime(BillingPeriodStart, '%Y-%m') = '{month}'"""
    ).fetchone()
    assert row is not None
    return float(row[0]) * rate


def test_sample_cut_at_the_10th_fails_with_complete_false(sample_workspace, tmp_path):
    """Issue #12 done-when: the sample's 2026-03 with data through the 10th (江戸川区 grows from
    9 March) fails `check` with exit 1 and `complete: false`. Compared over days 1..10 it is
    +22.5 % on March 2025 (the whole of March 2025 would make it −61 %, "ok")."""
    ws = tmp_path / "ws"
    shutil.copytree(sample_workspace, ws)
    _cut(ws, "2026-03", 10)
    result = CliRunner().invoke(
        app, ["-w", str(ws), "check", "--format", "json", "--max-yoy-growth", "15"]
    )
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert (doc["complete"], doc["through"], doc["month"]) == (False, "2026-03-10", "2026-03")
    assert [b["group"] for b in doc["breaches"]] == ["131237"]
    breach = doc["breaches"][0]
    assert (breach["complete"], breach["through"], breach["metric"]) == (
        False,
        "2026-03-10",
        "yoy_growth",
    )
    assert breach["previous_jpy"] == pytest.approx(_edogawa_days_1_to_10(ws, "2025-03", 31))
    assert breach["current_jpy"] == pytest.approx(_edogawa_days_1_to_10(ws, "2026-03", 31))
    assert breach["value"] == pytest.approx(22.5, abs=0.05)
    assert breach["run_rate_jpy"] == pytest.approx(breach["current_jpy"] * 31 / 10)
    # at the default 30 % the ten days are within the limit: the jump began on 9 March
    default = CliRunner().invoke(app, ["-w", str(ws), "check", "--format", "json"])
    assert default.exit_code == 0
    text = CliRunner().invoke(app, ["-w", str(ws), "check", "--max-yoy-growth", "15"])
    assert "月途中: 前月・前年度同月も1〜10日で比較" in text.stdout
    assert "消費税: 税込" in text.stdout


def test_billing_period_decides_the_month_and_the_rate(tmp_path: Path) -> None:
    """A Google Cloud-like hour of 2026-02-28 23:00 UTC in invoice month March counts in March
    at March's rate (150): USD 10 → 1,500円; February keeps its own USD 100 at 140. March is
    complete (USD 10 a day through the 31st)."""
    from datetime import UTC, datetime

    march = datetime(2026, 3, 1, tzinfo=UTC)
    rows = [
        line("2026-02", 100.0, x_Ward=W),
        line("2026-02-28 23", 10.0, x_Ward=W, BillingPeriodStart=march,
             BillingPeriodEnd=datetime(2026, 4, 1, tzinfo=UTC)),
        *[line(f"2026-03-{d:02d}", 10.0, x_Ward=W) for d in range(1, 32)],
    ]  # fmt: skip
    write_lake(tmp_path, rows)
    write_fx(tmp_path, {"2026-02": 140.0, "2026-03": 150.0})
    result = run_check(Workspace.resolve(tmp_path), month="2026-03", thresholds=OFF)
    assert result.complete
    assert result.totals[W]["2026-03"] == pytest.approx(310 * 150 + 10 * 150)
    assert result.totals[W]["2026-02"] == pytest.approx(100 * 140)
