"""The FY-end forecast from what is known (issue #12 item 3), hand-computed on the fixed lake:
actual of complete months + non-cloud entered for the remaining months + cloud run rate ×
remaining months (`report.lake` docstring: 1,665,000 + 900,000 + 145,000 × 6 = 3,435,000)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gcfinops import api, report
from report import lake

SETAGAYA = "131121"
EXTRA = "".join(
    f"131121,2026-{m:02d},,,network_lines,10000000,回線社,契約済み\n" for m in (1, 2, 3)
)


def _with_costs(fixed_ws: Path, tmp_path: Path, extra: str, header_extra: str = "") -> Path:
    """A copy of the fixed workspace whose FY2025 non-cloud rows are COSTS_CSV + `extra`
    (an import replaces the (ward, fiscal year) pairs it holds, so the file carries both)."""
    ws = tmp_path / "ws"
    shutil.copytree(fixed_ws, ws)
    text = lake.COSTS_CSV
    if header_extra:
        lines = text.splitlines()
        text = "\n".join([lines[0] + header_extra, *(r + "," for r in lines[1:])]) + "\n"
    (tmp_path / "c.csv").write_text(text + extra, encoding="utf-8")
    api.import_costs(tmp_path / "c.csv", workspace=ws)
    return ws


def test_forecast_parts_by_hand(fixed_ws: Path) -> None:
    data = api.report(SETAGAYA, workspace=fixed_ws, as_of=lake.AS_OF)
    w = data.wards[0]
    parts = w.forecast_parts
    assert parts is not None
    assert parts.actual_jpy == pytest.approx(1_665_000)
    assert parts.known_future_jpy == pytest.approx(900_000)
    assert parts.cloud_run_rate_jpy == pytest.approx(145_000)
    assert (parts.run_rate_jpy, parts.remaining_months) == (pytest.approx(870_000), 6)
    assert w.forecast_jpy == pytest.approx(1_665_000 + 900_000 + 870_000)
    # the months add up to the forecast: complete actuals + each remaining month's forecast
    remaining = [m.forecast_jpy or 0.0 for m in w.by_month if m.status != "complete"]
    assert remaining == [pytest.approx(145_000 + 150_000)] * 6
    doc = json.loads(report.render(data, "json"))
    method = doc["forecast_method"]
    assert (method["actual_jpy"], method["known_future_jpy"]) == (1_665_000, 900_000)
    assert (method["run_rate_jpy"], method["remaining_months"]) == (870_000, 6)
    assert doc["wards"][0]["forecast_method"]["known_future_jpy"] == 900_000


def test_contract_rows_for_future_months_move_the_forecast_by_exactly_their_amount(
    fixed_ws: Path, tmp_path: Path
) -> None:
    before = api.report(SETAGAYA, workspace=fixed_ws, as_of=lake.AS_OF).wards[0]
    ws = _with_costs(fixed_ws, tmp_path, EXTRA)
    after = api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF).wards[0]
    assert before.forecast_jpy is not None and after.forecast_jpy is not None
    assert after.forecast_jpy - before.forecast_jpy == pytest.approx(30_000_000, abs=1e-6)
    assert after.actual_to_date_jpy == pytest.approx(before.actual_to_date_jpy)
    assert after.forecast_parts is not None
    assert after.forecast_parts.known_future_jpy == pytest.approx(900_000 + 30_000_000)


def test_future_rows_entered_tax_excluded_move_it_by_their_tax_included_amount(
    fixed_ws: Path, tmp_path: Path
) -> None:
    before = api.report(SETAGAYA, workspace=fixed_ws, as_of=lake.AS_OF).wards[0]
    extra = EXTRA.replace("契約済み\n", "契約済み,excluded\n")
    ws = _with_costs(fixed_ws, tmp_path, extra, header_extra=",tax")
    after = api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF).wards[0]
    assert before.forecast_jpy is not None and after.forecast_jpy is not None
    # 30,000,000 税抜 at 10 % → 33,000,000 on the default 税込 basis
    assert after.forecast_jpy - before.forecast_jpy == pytest.approx(33_000_000, abs=1e-6)
