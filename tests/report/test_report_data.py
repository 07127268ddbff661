"""Report numbers against the hand-computed fixture in report/lake.py."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from gcfinops import api, report
from gcfinops.errors import ConfigError, MissingRateError, NoDataError
from report import lake


def _setagaya(ws: Path, **kw: object):
    return api.report("世田谷区", workspace=ws, as_of=lake.AS_OF, **kw).wards[0]  # type: ignore[arg-type]


def test_headline_target_ratio_and_gap_match_hand_computation(fixed_ws: Path) -> None:
    w = _setagaya(fixed_ws)
    assert w.ward == "131121" and w.ward_name == "世田谷区"
    assert w.baseline_jpy == 2_000_000
    assert w.baseline_basis == ["決算"]
    assert w.target.amount_jpy == pytest.approx(1_400_000)
    assert w.actual_to_date_jpy == pytest.approx(1_665_000)
    assert w.cloud_to_date_jpy == pytest.approx(765_000)
    assert w.noncloud_to_date_jpy == pytest.approx(900_000)
    assert w.forecast_jpy == pytest.approx(3_435_000)
    assert w.forecast_ratio_to_baseline == pytest.approx(1.7175)
    assert w.gap_to_target_jpy == pytest.approx(2_035_000)
    assert w.target.is_met is False


def test_forecast_is_complete_months_plus_run_rate_of_last_three(fixed_ws: Path) -> None:
    data = api.report("131121", workspace=fixed_ws, as_of=lake.AS_OF)
    w = data.wards[0]
    assert data.complete_months == 6
    assert data.forecast_window == ["2025-07", "2025-08", "2025-09"]
    assert w.run_rate_jpy == pytest.approx(295_000)
    assert w.forecast_jpy == pytest.approx(1_665_000 + 295_000 * 6)
    future = [m for m in w.by_month if m.status == "future"]
    assert [m.month for m in future] == [
        "2025-10",
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    assert all(m.cloud_jpy is None and m.forecast_jpy == pytest.approx(295_000) for m in future)


def test_forecast_by_item_and_system_add_up_to_the_ward(fixed_ws: Path) -> None:
    w = _setagaya(fixed_ws)
    items = {x.key: x for x in w.by_cost_item}
    assert items["cloud_usage"].forecast_jpy == pytest.approx(765_000 + 145_000 * 6)
    assert items["software_lease"].forecast_jpy == pytest.approx(1_200_000)
    assert items["other_outsourcing"].forecast_jpy == pytest.approx(600_000)
    assert items["hardware_lease"].baseline_jpy == 800_000
    assert items["hardware_lease"].forecast_jpy == 0
    assert sum(x.forecast_jpy or 0 for x in w.by_cost_item) == pytest.approx(w.forecast_jpy)
    assert sum(x.forecast_jpy or 0 for x in w.by_business_system) == pytest.approx(w.forecast_jpy)
    systems = {x.key: x for x in w.by_business_system}
    assert systems["resident_registry"].baseline_jpy == 1_000_000
    # 60 % of cloud + the ASP fee: (450,000 + 600,000) to date
    assert systems["resident_registry"].actual_to_date_jpy == pytest.approx(1_050_000)
    assert systems[None].baseline_jpy == 1_000_000


def test_previous_year_and_month_comparisons(fixed_ws: Path) -> None:
    w = _setagaya(fixed_ws)
    assert w.previous_fy_to_date_jpy == pytest.approx(540_000)
    assert w.previous_fy_total_jpy == pytest.approx(1_080_000)
    assert w.latest_month == "2025-09"
    assert w.month_to_date_jpy == pytest.approx(165_000 + 150_000)
    assert w.same_month_last_fy_jpy == pytest.approx(90_000)
    april = w.by_month[0]
    assert (april.month, april.previous_month, april.previous_fy_jpy) == (
        "2025-04",
        "2024-04",
        90_000,
    )


def test_identified_savings_take_the_largest_per_resource_annualized(fixed_ws: Path) -> None:
    w = _setagaya(fixed_ws)
    assert w.findings_available and w.findings_count == 3
    # estimated on usage (before tax), put on the report's basis (税込, 10 % in 2025-09)
    assert w.identified_savings_jpy == pytest.approx((10_000 + 2_000) * 12 * 1.10)
    assert w.forecast_after_savings_jpy == pytest.approx(3_435_000 - 158_400)
    assert w.forecast_after_savings_ratio == pytest.approx(3_276_600 / 2_000_000)
    assert [f.resource_id for f in w.top_findings] == ["i-1", "i-1", lake.HOSTILE_RESOURCE]


def test_without_findings_savings_are_unknown_not_zero(tmp_path: Path) -> None:
    ws = lake.build(tmp_path / "ws", findings=False)
    w = _setagaya(ws)
    assert w.findings_available is False
    assert w.identified_savings_jpy is None and w.forecast_after_savings_jpy is None


def test_fx_converts_per_month_and_lists_the_rate(fixed_ws: Path) -> None:
    data = api.report("131121", workspace=fixed_ws, as_of=lake.AS_OF)
    september = next(m for m in data.wards[0].by_month if m.month == "2025-09")
    assert september.cloud_jpy == pytest.approx(150_000 + 100 * 150)
    assert [(r.month, r.currency, r.rate_jpy, r.source) for r in data.fx_rates] == [
        ("2025-09", "USD", 150.0, "test bank TTM 2025-09")
    ]


def test_missing_rate_fails_naming_month_and_currency(tmp_path: Path) -> None:
    ws = lake.build(tmp_path / "ws", fx=False)
    with pytest.raises(MissingRateError, match=r"USD in 2025-09") as exc:
        _setagaya(ws)
    assert exc.value.exit_code == 2
    assert "gcfinops fx set 2025-09 USD" in (exc.value.hint or "")


def test_partial_month_counts_to_date_but_not_in_the_run_rate(fixed_ws: Path) -> None:
    data = api.report("131121", workspace=fixed_ws, as_of=date(2025, 9, 15))
    w = data.wards[0]
    september = next(m for m in w.by_month if m.month == "2025-09")
    assert september.status == "partial"
    assert data.forecast_window == ["2025-06", "2025-07", "2025-08"]
    assert data.complete_months == 5


def test_all_wards_and_unattributed_cost(fixed_ws: Path) -> None:
    data = api.report("all", workspace=fixed_ws, as_of=lake.AS_OF)
    assert [w.ward for w in data.wards] == ["131016", "131121"]
    chiyoda = data.wards[0]
    assert chiyoda.actual_to_date_jpy == pytest.approx(300_000)
    assert chiyoda.baseline_jpy == 1_000_000
    assert chiyoda.identified_savings_jpy == 0
    assert data.unattributed_cloud_jpy == pytest.approx(7_000)


def test_fiscal_year_defaults_to_the_latest_data_and_future_years_fail(fixed_ws: Path) -> None:
    data = api.report("131121", workspace=fixed_ws)  # as_of from the lake: 2025-09-02
    assert data.fiscal_year == 2025 and data.latest_month == "2025-09"
    previous = api.report("131121", workspace=fixed_ws, fiscal_year=2024)
    assert previous.complete_months == 12
    assert previous.wards[0].forecast_jpy == pytest.approx(1_080_000)
    with pytest.raises(NoDataError, match="fiscal year 2026"):
        api.report("131121", workspace=fixed_ws, fiscal_year=2026)


def test_unknown_ward_is_a_config_error(fixed_ws: Path) -> None:
    with pytest.raises(ConfigError, match="unknown ward 'atlantis'"):
        api.report("atlantis", workspace=fixed_ws)


def test_empty_workspace_has_nothing_to_report(tmp_path: Path) -> None:
    with pytest.raises(NoDataError, match="nothing to report"):
        api.report("all", workspace=tmp_path)


def test_effective_cost_setting_is_used(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(lake.build(tmp_path / "src"), ws)
    (ws / "gcfinops.toml").write_text('[report]\ncost_column = "EffectiveCost"\n', encoding="utf-8")
    data = api.report("131121", workspace=ws, as_of=lake.AS_OF)
    assert data.cost_column == "EffectiveCost"
    (ws / "gcfinops.toml").write_text('[report]\ncost_column = "ListPrice"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"report\.cost_column"):
        api.report("131121", workspace=ws)


def test_ward_without_baseline_has_no_target_or_ratio(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    lake.write_lake(ws, [lake.lake_row("2025-04", 1000.0, x_Ward="131237")])
    data = api.report("江戸川区", workspace=ws, as_of=date(2025, 5, 1))
    w = data.wards[0]
    assert w.baseline_jpy is None and w.target.amount_jpy is None
    assert w.forecast_ratio_to_baseline is None and w.gap_to_target_jpy is None
    assert w.forecast_jpy == pytest.approx(12_000)
    text = report.render(data, "md")
    assert "| 基準額（平成30年度額） | 基準額未登録 |" in text
    assert "基準額未登録のため基準額比は算出していない" in text  # the 要旨


def test_secondary_targets_and_settings_errors(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(lake.build(tmp_path / "src"), ws)
    config = ws / "gcfinops.toml"
    config.write_text(
        "[baseline]\ntarget_ratio = 0.5\n"
        'secondary_targets = [{ ratio = 1.5, name_ja = "1.5倍以内", name_en = "1.5x" }]\n'
        "[report]\nforecast_months = 1\n",
        encoding="utf-8",
    )
    w = api.report("131121", workspace=ws, as_of=lake.AS_OF).wards[0]
    assert w.target.amount_jpy == pytest.approx(1_000_000)
    # run-rate of September alone: 165,000 + 100,000 + 50,000
    assert w.forecast_jpy == pytest.approx(1_665_000 + 315_000 * 6)
    [extra] = w.secondary_targets
    assert (extra.name_ja, extra.ratio, extra.amount_jpy) == ("1.5倍以内", 1.5, 3_000_000)
    assert extra.gap_jpy == pytest.approx(w.forecast_jpy - 3_000_000)
    for bad, key in (
        ("[baseline]\ntarget_ratio = 0\n", "baseline.target_ratio"),
        ("[baseline]\ncolour = 1\n", "unknown key(s) colour"),
        ("[report]\nforecast_months = 13\n", "report.forecast_months"),
        ("[baseline]\nsecondary_targets = [{ name_ja = 'x' }]\n", "needs ratio"),
    ):
        config.write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigError, match=re.escape(key)) as exc:
            api.report("131121", workspace=ws, as_of=lake.AS_OF)
        assert str(config) in exc.value.message
