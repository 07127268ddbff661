"""Targets by base (issue #13 items 1 and 6a), hand-computed on the fixed workspace
(tests/report/lake.py): 世田谷区 forecast 3,435,000 (住民基本台帳 2,154,000 = cloud 954,000 +
ASP 1,200,000), FY2018 baseline 2,000,000 (住民基本台帳 1,000,000)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gcfinops import api, report
from gcfinops.errors import ConfigError
from report import lake

SETAGAYA, CHIYODA = "131121", "131016"


@pytest.fixture
def ws(fixed_ws: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(fixed_ws, tmp_path / "ws"))


def test_presets_with_a_per_system_pre_migration_base(ws: Path) -> None:
    (ws / "pre.csv").write_text(
        "ward,fiscal_year,business_system,cost_item,amount_jpy,basis,base\n"
        "131121,2023,住民記録,software_lease,1500000,決算,pre_migration\n",
        encoding="utf-8",
    )
    api.import_baseline(ws / "pre.csv", workspace=ws)
    data = api.report("all", workspace=ws, as_of=lake.AS_OF)
    w = next(x for x in data.wards if x.ward == SETAGAYA)
    # the FY2018 baseline is untouched by the pre-migration row
    assert w.baseline_jpy == pytest.approx(2_000_000)
    t = {x.id: x for x in w.targets}
    assert [x.id for x in w.targets] == ["reduction-30", "kgi-1.5x", "avg-plus-30"]
    r30 = t["reduction-30"]
    assert (r30.base_jpy, r30.amount_jpy, r30.forecast_jpy) == pytest.approx(
        (2_000_000, 1_400_000, 3_435_000)
    )
    assert r30.gap_jpy == pytest.approx(2_035_000) and r30.on_track is False
    kgi = t["kgi-1.5x"]
    # only 住民基本台帳 has a pre-migration base: compared with its forecast alone
    assert kgi.scope == ["resident_registry"] and kgi.base_fiscal_years == [2023]
    assert kgi.amount_jpy == pytest.approx(2_250_000)
    assert kgi.forecast_jpy == pytest.approx(2_154_000)
    assert kgi.gap_jpy == pytest.approx(-96_000) and kgi.on_track is True
    avg = t["avg-plus-30"]
    assert avg.amount_jpy == pytest.approx(1_950_000)
    assert avg.gap_jpy == pytest.approx(204_000) and avg.on_track is False
    # 千代田区 has no pre-migration base: listed, amount null, with a reason
    doc = json.loads(report.render(data, "json"))
    chiyoda = next(x for x in doc["wards"] if x["ward"] == CHIYODA)
    kgi_c = next(x for x in chiyoda["targets"] if x["id"] == "kgi-1.5x")
    assert kgi_c["amount_jpy"] is None and kgi_c["gap_jpy"] is None
    assert kgi_c["on_track"] is None and kgi_c["reason"] == "no_pre_migration_base"
    setagaya = next(x for x in doc["wards"] if x["ward"] == SETAGAYA)
    first = setagaya["targets"][1]
    assert {k: first[k] for k in ("id", "base", "ratio", "amount_jpy", "forecast_jpy")} == {
        "id": "kgi-1.5x",
        "base": "pre_migration",
        "ratio": 1.5,
        "amount_jpy": 2_250_000,
        "forecast_jpy": 2_154_000,
    }
    assert first["gap_jpy"] == -96_000 and first["on_track"] is True


def test_whole_ward_base_out_of_scope_and_configured_targets(ws: Path) -> None:
    (ws / "base.csv").write_text(
        lake.BASELINE_CSV.split("千代田区")[0]
        + "131121,2018,標準化対象外,system_operation,300000,決算\n"
        + "131121,2024,,system_operation,2500000,決算,pre_migration\n",
        encoding="utf-8",
    )
    # the lake's CSV has no base column: rows without one are fy2018
    text = (ws / "base.csv").read_text(encoding="utf-8").splitlines()
    text[0] += ",base"
    text = [line if line.count(",") == 6 else line + "," for line in text]
    (ws / "base.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    api.import_baseline(ws / "base.csv", workspace=ws)
    (ws / "oos.csv").write_text(
        lake.COSTS_CSV + "131121,,2025,out_of_scope,other_outsourcing,240000,架空,文書管理\n",
        encoding="utf-8",
    )
    api.import_costs(ws / "oos.csv", workspace=ws)
    (ws / "gcfinops.toml").write_text(
        """
[[targets]]
id = "budget-cap"
name = "Cap"
name_ja = "上限"
base = "amount"
amount_jpy = 3500000

[[targets]]
id = "juki-fy2018"
base = "fy2018"
ratio = 1.0
business_system = "住民記録"
""",
        encoding="utf-8",
    )
    w = api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF).wards[0]
    # out of scope: 20,000 a month → 240,000 in the forecast, 300,000 in the baseline
    assert w.forecast_jpy == pytest.approx(3_675_000)
    assert w.baseline_jpy == pytest.approx(2_300_000)
    # the 3割 target covers the standardized systems only
    assert w.target.amount_jpy == pytest.approx(1_400_000)
    assert w.target.gap_jpy == pytest.approx(2_035_000)
    oos = next(x for x in w.by_business_system if x.key == "out_of_scope")
    assert oos.forecast_jpy == pytest.approx(240_000) and oos.name_ja == "標準化対象外"
    t = {x.id: x for x in w.targets}
    assert t["reduction-30"].forecast_jpy == pytest.approx(3_435_000)
    kgi = t["kgi-1.5x"]  # whole-ward pre-migration base (FY2024) against the ward in scope
    assert kgi.scope == [] and kgi.base_fiscal_years == [2024]
    assert (kgi.amount_jpy, kgi.forecast_jpy) == pytest.approx((3_750_000, 3_435_000))
    assert kgi.gap_jpy == pytest.approx(-315_000) and kgi.on_track is True
    assert t["avg-plus-30"].gap_jpy == pytest.approx(185_000)
    cap = t["budget-cap"]
    assert cap.base == "amount" and cap.ratio is None and cap.gap_jpy == pytest.approx(-65_000)
    juki = t["juki-fy2018"]
    assert (juki.base_jpy, juki.amount_jpy, juki.forecast_jpy) == pytest.approx(
        (1_000_000, 1_000_000, 2_154_000)
    )
    assert juki.on_track is False
    data = api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF)
    md = str(report.render(data, "md"))
    assert "| 上限 | 金額指定 |" in md and "移行前（現行システム） 令和6年度" in md
    en = str(report.render(data, "md", lang="en"))
    assert "Targets by base" in en and "Pre-migration system FY2024" in en


def test_targets_config_errors(ws: Path) -> None:
    bad = {
        'base = "pre_migration"\nid = "x"': "needs ratio",
        'id = "x"\nbase = "amount"\nratio = 1.0': "needs amount_jpy",
        'id = "x"\nbase = "fy2019"\nratio = 1.0': "base must be one of",
        'id = "x"\nratio = 1.0\nbusiness_system = "nope"': "unknown 業務",
        "ratio = 1.0": "id is required",
    }
    for body, message in bad.items():
        (ws / "gcfinops.toml").write_text(f"[[targets]]\n{body}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF)


def test_baseline_base_column_errors(ws: Path) -> None:
    (ws / "b.csv").write_text(
        "ward,fiscal_year,cost_item,amount_jpy,basis,base\n131121,2023,software_lease,1,決算,移行後\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"b\.csv:2: column 'base'"):
        api.import_baseline(ws / "b.csv", workspace=ws)


def test_fx_scenario_reprices_the_remaining_months_usd(ws: Path) -> None:
    """USD 100 in September at 150 円 is the only USD line; window Jul–Sep, 6 months to go:
    at 160 円 the forecast rises by 6 × (100 × 160 − 15,000) / 3 = 2,000; at 140 円 falls 2,000."""
    (ws / "pre.csv").write_text(
        "ward,fiscal_year,business_system,cost_item,amount_jpy,basis,base\n"
        "131121,2023,住民記録,software_lease,1500000,決算,pre_migration\n",
        encoding="utf-8",
    )
    api.import_baseline(ws / "pre.csv", workspace=ws)
    data = api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF, fx_scenario="140, 160")
    low, high = data.wards[0].fx_scenarios
    assert (low.rate_jpy, high.rate_jpy) == (140, 160)
    assert low.forecast_jpy == pytest.approx(3_433_000)
    assert high.forecast_jpy == pytest.approx(3_437_000) and high.delta_jpy == pytest.approx(2_000)
    assert high.target_gaps["reduction-30"] == pytest.approx(2_037_000)
    # kgi-1.5x covers 住民基本台帳 only, which has no USD line: unchanged
    assert high.target_gaps["kgi-1.5x"] == pytest.approx(-96_000)
    doc = json.loads(report.render(data, "json"))["wards"][0]["fx_scenarios"]
    assert doc[1]["forecast_jpy"] == 3_437_000 and doc[1]["targets"][0]["gap_jpy"] == 2_037_000
    assert "1USD＝160円" in str(report.render(data, "md"))
    with pytest.raises(ConfigError, match="--fx-scenario"):
        api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF, fx_scenario="140,abc")


def test_multi_year_view(ws: Path) -> None:
    """FY2024: cloud 90,000 × 12 = 1,080,000 (closed year: actual), gap to the 3割 target
    1,080,000 − 1,400,000 = −320,000; FY2025: forecast 3,435,000; FY2023: no data, listed."""
    data = api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF, years=3)
    assert data.fiscal_year == 2025
    y23, y24, y25 = data.wards[0].trajectory
    assert (y23.fiscal_year, y23.total_jpy) == (2023, None)
    assert y24.total_jpy == pytest.approx(1_080_000) and not y24.is_forecast
    assert y24.target_gaps["reduction-30"] == pytest.approx(-320_000)
    assert y25.total_jpy == pytest.approx(3_435_000) and y25.is_forecast
    assert y25.maintenance_share == 0
    doc = json.loads(report.render(data, "json"))["wards"][0]["trajectory"]
    assert [p["fiscal_year"] for p in doc] == [2023, 2024, 2025]
    assert (
        doc[1]["total_jpy"] == 1_080_000 and doc[1]["target_gaps_jpy"]["reduction-30"] == -320_000
    )
    same = api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF, from_fy=2024)
    assert [p.fiscal_year for p in same.wards[0].trajectory] == [2024, 2025]
    assert "複数年度の推移" in str(report.render(same, "md"))
    with pytest.raises(ConfigError, match="--years"):
        api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF, from_fy=2030)
