"""Realized savings (issue #13 item 3), hand-computed: a finding acted on, then seen on the bill.

Lake (JPY, ward 131121): i-1 costs 30,000 a month April–June 2025 (June: 30 days, 1,000 a day),
then 10,000 a month July–September (resized). i-2 costs 5,000 April–June and leaves the bill.
Analysis 1 (as_of 2025-07-01) finds both; analysis 2 (as_of 2025-10-01) finds neither:
i-1 is resolved (still on the bill in September), i-2 is gone.

- realized monthly (i-1) = (1,000 − 10,000 / 30) × 365 / 12 = 20,277.7…
- realized in FY2025 = (1,000 × 31 − 10,000) + (1,000 × 31 − 10,000) + (1,000 × 30 − 10,000)
  = 62,000
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gcfinops import api, findings, realized, report
from gcfinops.cli import app
from gcfinops.db import session
from gcfinops.fx import FxTable, register_fx
from gcfinops.lake import lake_view_sql
from gcfinops.workspace import Workspace
from report import lake


def _finding(rule: str, resource: str, saving: float) -> dict[str, Any]:
    row: dict[str, Any] = {n: None for n in findings.NAMES}
    row.update(rule_id=rule, status="finding", ward="131121", resource_id=resource,
               provider="AWS", estimated_monthly_savings=saving)  # fmt: skip
    return row


def _analyze(ws: Workspace, as_of: str, rows: list[dict[str, Any]]) -> None:
    findings.write(ws, rows, {"as_of": as_of, "run_id": as_of})
    realized.update_history(ws)


def _workspace(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    fy2024 = [(2024, m) for m in range(4, 13)] + [(2025, m) for m in (1, 2, 3)]
    # FY2024: 100,000 a month of other cloud cost → 1,200,000 the year before
    rows = [lake.lake_row(f"{y}-{m:02d}", 100_000, x_Ward="131121") for y, m in fy2024]
    for m in ("04", "05", "06", "07", "08", "09"):
        cost = 30_000 if m in ("04", "05", "06") else 10_000
        rows.append(lake.lake_row(f"2025-{m}", cost, x_Ward="131121", ResourceId="i-1"))
        if m in ("04", "05", "06"):
            rows.append(lake.lake_row(f"2025-{m}", 5_000, x_Ward="131121", ResourceId="i-2"))
    lake.write_lake(root, rows)
    return Workspace(root)


def test_history_states_and_saving_measured_on_the_bill(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    _analyze(ws, "2025-07-01T00:00:00+00:00",
             [_finding("rule-a", "i-1", 15_000), _finding("rule-b", "i-2", 5_000)])  # fmt: skip
    states = {r["resource_id"]: (r["state"], r["first_month"]) for r in realized.read_history(ws)}
    assert states == {"i-1": ("open", "2025-06"), "i-2": ("open", "2025-06")}
    _analyze(ws, "2025-10-01T00:00:00+00:00", [])
    history = {r["resource_id"]: r for r in realized.read_history(ws)}
    assert history["i-1"]["state"] == "resolved" and history["i-2"]["state"] == "gone"
    assert history["i-1"]["last_month"] == "2025-06"
    assert history["i-1"]["checked_month"] == "2025-09"
    with session() as con:
        con.execute(f"CREATE TEMP VIEW lake AS {lake_view_sql(ws)}")
        register_fx(con, FxTable.load(ws.fx_path), "(SELECT 'JPY' AS BillingCurrency, "
                    "TIMESTAMP '2025-09-01' AS ChargePeriodStart)")  # fmt: skip
        measured = {r.resource_id: r for r in realized.measure(con, ws)}
    i1 = measured["i-1"]
    assert i1.realized_monthly_jpy == pytest.approx((1_000 - 10_000 / 30) * 365 / 12)
    assert i1.realized_fy_jpy == pytest.approx(62_000)
    assert i1.estimated_monthly_savings_jpy == 15_000  # kept, never used as the saving
    assert measured["i-2"].realized_monthly_jpy is None  # gone: not counted


def test_report_section_and_savings_command(tmp_path: Path) -> None:
    """Optimization rate = 20,277.7… × 12 ÷ 1,200,000 (FY2024 cloud) = 20.3 % ≥ 15 %; cloud
    forecast FY2025 = 135,000 to date + 10,000 × 6 = 195,000 → −83.75 % on the year."""
    ws = _workspace(tmp_path)
    _analyze(ws, "2025-07-01T00:00:00+00:00",
             [_finding("rule-a", "i-1", 15_000), _finding("rule-b", "i-2", 5_000)])  # fmt: skip
    _analyze(ws, "2025-10-01T00:00:00+00:00", [])
    data = api.report("131121", workspace=ws.root, as_of=date(2025, 10, 1))
    s = data.wards[0].savings
    assert s is not None
    monthly = (1_000 - 10_000 / 30) * 365 / 12
    assert s.realized_monthly_jpy == pytest.approx(monthly)
    assert s.realized_fy_jpy == pytest.approx(62_000)
    assert s.optimization_rate == pytest.approx(monthly * 12 / 1_200_000)
    assert s.on_track is True and s.kpi_rate == 0.15
    assert s.cloud_yoy_change == pytest.approx(195_000 / 1_200_000 - 1) and s.yoy_on_track
    doc = json.loads(report.render(data, "json"))["wards"][0]["savings"]
    assert {k: doc[k] for k in ("realized_monthly_jpy", "realized_fy_jpy", "kpi_rate")} == {
        "realized_monthly_jpy": 20_278,
        "realized_fy_jpy": 62_000,
        "kpi_rate": 0.15,
    }
    assert doc["on_track"] is True and doc["optimization_rate"] == pytest.approx(0.202778, abs=1e-6)
    assert "対応済み" in str(report.render(data, "md"))
    result = CliRunner().invoke(app, ["-w", str(ws.root), "savings", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = {r["resource_id"]: r for r in json.loads(result.output)["savings"]}
    assert listed["i-2"]["state"] == "gone" and listed["i-2"]["realized_monthly_jpy"] is None
    assert listed["i-1"]["realized_fy_jpy"] == pytest.approx(62_000)
    csv_out = CliRunner().invoke(app, ["-w", str(ws.root), "savings", "--format", "csv"])
    assert csv_out.exit_code == 0 and csv_out.output.startswith("rule_id,ward,")


def test_a_skipped_resource_is_not_resolved(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    _analyze(ws, "2025-07-01T00:00:00+00:00", [_finding("rule-a", "i-1", 15_000)])
    skipped = {**_finding("rule-a", "i-1", 0), "status": "skipped", "skip_reason": "no_metrics"}
    _analyze(ws, "2025-10-01T00:00:00+00:00", [skipped])
    (row,) = realized.read_history(ws)
    assert row["state"] == "open" and row["last_month"] == "2025-06"
