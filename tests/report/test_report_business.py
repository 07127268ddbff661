"""The honest 業務 view (issue #12 item 5), hand-computed on the fixed lake: 世田谷区's baseline
is 1,000,000 for 住民基本台帳 and 1,000,000 common (hardware lease 800,000 + cloud 200,000);
this year 住民基本台帳 has 1,050,000 to date (forecast 2,154,000), common 615,000 (1,281,000)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gcfinops import api, report
from gcfinops.errors import ConfigError
from gcfinops.report.model import Line
from report import lake

SETAGAYA = "131121"
CHILD = "131121,2025-05,,child_allowance,software_lease,120000,児童手当ASP,月額\n"


def _ws(fixed_ws: Path, tmp_path: Path, toml: str = "") -> Path:
    """The fixed workspace + 120,000 of 児童手当 (a 業務 without an FY2018 baseline)."""
    ws = tmp_path / "ws"
    shutil.copytree(fixed_ws, ws)
    (tmp_path / "c.csv").write_text(lake.COSTS_CSV + CHILD, encoding="utf-8")
    api.import_costs(tmp_path / "c.csv", workspace=ws)
    if toml:
        (ws / "gcfinops.toml").write_text(toml, encoding="utf-8")
    return ws


def _line(lines: list[Line], key: str | None) -> Line:
    return next(x for x in lines if x.key == key)


def test_row_mode_keeps_common_as_one_row_and_marks_business_without_baseline(
    fixed_ws: Path, tmp_path: Path
) -> None:
    data = api.report(SETAGAYA, workspace=_ws(fixed_ws, tmp_path), as_of=lake.AS_OF)
    lines = data.wards[0].by_business_system
    common = _line(lines, None)
    assert (common.name_ja, common.baseline_jpy) == ("共通", pytest.approx(1_000_000))
    assert common.actual_to_date_jpy == pytest.approx(615_000)
    child = _line(lines, "child_allowance")
    assert (child.has_baseline, child.forecast_ratio_to_baseline) == (False, None)
    assert child.actual_to_date_jpy == pytest.approx(120_000)
    assert _line(lines, "resident_registry").has_baseline
    md = str(report.render(data, "md"))
    assert "| 児童手当 | 基準額なし |" in md
    doc = json.loads(report.render(data, "json"))
    rows = {r["business_system"]: r for r in doc["wards"][0]["by_business_system"]}
    assert rows["child_allowance"]["has_baseline"] is False
    assert rows["child_allowance"]["forecast_ratio_to_baseline"] is None


def test_apportion_mode_spreads_both_common_amounts_by_the_same_key(
    fixed_ws: Path, tmp_path: Path
) -> None:
    ws = _ws(fixed_ws, tmp_path, '[report]\ncommon_cost = "apportion"\n')
    w = api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF).wards[0]
    lines = w.by_business_system
    assert all(x.key is not None for x in lines)  # no 「共通」 row left
    rr = _line(lines, "resident_registry")
    # the only 業務 with a baseline of its own: share 1 of the common baseline and cost
    assert rr.common_share == pytest.approx(1.0)
    assert rr.baseline_jpy == pytest.approx(2_000_000)
    assert rr.actual_to_date_jpy == pytest.approx(1_050_000 + 615_000)
    assert rr.forecast_ratio_to_baseline == pytest.approx((2_154_000 + 1_281_000) / 2_000_000)
    child = _line(lines, "child_allowance")  # no baseline: keeps its own cost, no share
    assert (child.common_share, child.actual_to_date_jpy) == (None, pytest.approx(120_000))
    # every yen stays in the table
    assert sum(x.actual_to_date_jpy for x in lines) == pytest.approx(w.actual_to_date_jpy)
    assert sum(x.baseline_jpy for x in lines) == pytest.approx(w.baseline_jpy or 0)


def test_apportion_by_baseline_share_by_hand() -> None:
    from gcfinops.report.business import apportion_common

    lines = [
        Line("a", "A", "A", 300.0, 100.0, 200.0, 50.0),
        Line("b", "B", "B", 100.0, 100.0, 200.0, 50.0),
        Line("c", "C", "C", 0.0, 40.0, 80.0, 0.0, has_baseline=False),
        Line(None, "共通", "Common", 600.0, 200.0, 400.0, 100.0),
    ]
    out = {x.key: x for x in apportion_common(lines)}
    # shares 3/4 and 1/4 on both sides
    assert (out["a"].baseline_jpy, out["a"].actual_to_date_jpy) == (750.0, 250.0)
    assert (out["b"].baseline_jpy, out["b"].forecast_jpy) == (250.0, 300.0)
    assert out["c"] == lines[2]
    assert sum(x.actual_to_date_jpy for x in out.values()) == 440.0


def test_bad_common_cost_value_names_the_key(fixed_ws: Path, tmp_path: Path) -> None:
    ws = _ws(fixed_ws, tmp_path, '[report]\ncommon_cost = "spread"\n')
    with pytest.raises(ConfigError, match=r"report\.common_cost"):
        api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF)
