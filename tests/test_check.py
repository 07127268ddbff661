"""The CI gate's library: thresholds, comparisons, decomposition, contributors, target path."""

from __future__ import annotations

import math
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from check.lakes import line, write_config, write_fx, write_lake
from gcfinops.allocation.wards import WardDirectory
from gcfinops.db import connect
from gcfinops.errors import ConfigError, MissingRateError, NoDataError
from gcfinops.gate import CheckResult, Evaluation, parse_threshold, run_check
from gcfinops.gate.explain import decompose, shift_month
from gcfinops.workspace import Workspace

CHIYODA, SETAGAYA, EDOGAWA = "131016", "131121", "131237"


def ws_with(tmp_path: Path, rows: list[dict], rates: dict[str, float], toml: str = "") -> Workspace:
    write_lake(tmp_path, rows)
    write_fx(tmp_path, rates)
    if toml:
        write_config(tmp_path, toml)
    return Workspace.resolve(tmp_path)


def ec2(month: str, qty: float, price: float, ward: str = SETAGAYA, **cols: object) -> dict:
    """An EC2 line of qty hours at price USD/hour in a month."""
    spec = {"x_UsageType": "APN1-BoxUsage:m5.xlarge", "SkuId": "SKU1", **cols}
    return line(month, qty * price, PricingQuantity=qty, PricingUnit="Hours", x_Ward=ward, **spec)


def find(result: CheckResult, group: str | None, metric: str) -> Evaluation:
    return next(e for e in result.evaluations if e.group == group and e.metric == metric)


# --- growth decomposition (hand-computed) ---------------------------------------------------


def test_quantity_up_20_percent_at_constant_price_and_rate_is_all_quantity(tmp_path):
    ws = ws_with(
        tmp_path,
        [ec2("2025-04", 100, 2.0), ec2("2025-05", 120, 2.0)],
        {"2025-04": 140, "2025-05": 140},
    )
    limits = {"max_mom_growth": 10, "max_increase_jpy": None}
    e = find(run_check(ws, thresholds=limits), SETAGAYA, "mom_growth")
    assert e.status == "breach"
    assert e.delta_jpy == pytest.approx(20 * 2.0 * 140)  # 5,600 JPY
    d = e.decomposition
    assert d is not None
    assert d.quantity_jpy == pytest.approx(5600)
    assert d.price_jpy == pytest.approx(0, abs=1e-6)
    assert d.fx_jpy == pytest.approx(0, abs=1e-6)
    assert d.other_jpy == pytest.approx(0, abs=1e-6)


def test_rate_140_to_150_at_constant_usage_is_all_exchange_rate(tmp_path):
    ws = ws_with(
        tmp_path,
        [ec2("2025-04", 100, 2.0), ec2("2025-05", 100, 2.0)],
        {"2025-04": 140, "2025-05": 150},
    )
    e = find(
        run_check(ws, thresholds={"max_mom_growth": 5, "max_increase_jpy": None}),
        SETAGAYA,
        "mom_growth",
    )
    assert e.status == "breach"  # +7.1 % from the yen alone
    d = e.decomposition
    assert d is not None
    assert d.fx_jpy == pytest.approx(200 * 10)  # 200 USD × 10 JPY
    assert d.quantity_jpy == pytest.approx(0, abs=1e-6)
    assert d.price_jpy == pytest.approx(0, abs=1e-6)


def test_mixed_change_is_split_symmetrically_and_sums_exactly(tmp_path):
    # Q 100 → 120 h, P 2.0 → 2.5 USD/h, R 140 → 150 JPY/USD: 28,000 → 45,000 JPY.
    # Shapley: ΔQ·[(P0R0+P1R1)/3 + (P0R1+P1R0)/6] = 20·(655/3 + 650/6) = 19600/3, and so on.
    ws = ws_with(
        tmp_path,
        [ec2("2025-04", 100, 2.0), ec2("2025-05", 120, 2.5)],
        {"2025-04": 140, "2025-05": 150},
    )
    e = find(run_check(ws, thresholds={"max_increase_jpy": None}), SETAGAYA, "mom_growth")
    d = e.decomposition
    assert d is not None
    assert d.quantity_jpy == pytest.approx(19600 / 3)
    assert d.price_jpy == pytest.approx(23950 / 3)
    assert d.fx_jpy == pytest.approx(7450 / 3)
    assert d.total_jpy == pytest.approx(17000) == e.delta_jpy


def test_lines_without_quantity_and_new_lines(tmp_path):
    """Tax goes to 'other'; a usage type new this month is quantity (and its share of the FX)."""
    rows = [
        ec2("2025-04", 100, 2.0),
        line("2025-04", 20.0, ChargeCategory="Tax", x_Ward=SETAGAYA),
        ec2("2025-05", 100, 2.0),
        line("2025-05", 30.0, ChargeCategory="Tax", x_Ward=SETAGAYA),
        ec2("2025-05", 10, 1.0, x_UsageType="APN1-EBS:VolumeUsage.gp3", SkuId="SKU2"),
    ]
    ws = ws_with(tmp_path, rows, {"2025-04": 100, "2025-05": 110})
    e = find(
        run_check(ws, thresholds={"max_mom_growth": 1, "max_increase_jpy": None}),
        SETAGAYA,
        "mom_growth",
    )
    d = e.decomposition
    assert d is not None
    assert d.other_jpy == pytest.approx(30 * 110 - 20 * 100)  # 1,300
    # new line: Q·P·(R0+R1)/2 as quantity, Q·P·ΔR/2 as FX; old line: Q·P·ΔR as FX
    assert d.quantity_jpy == pytest.approx(10 * 1.0 * 105)
    assert d.fx_jpy == pytest.approx(200 * 10 + 10 * 5)
    assert d.price_jpy == pytest.approx(0, abs=1e-6)
    assert d.total_jpy == pytest.approx(e.delta_jpy)


line_st = st.tuples(
    st.sampled_from(["a", "b", "c"]),
    st.sampled_from(["2025-04", "2025-05"]),
    st.one_of(st.none(), st.floats(0.01, 1e4)),
    st.floats(-50.0, 1e5),
)


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(line_st, max_size=12), r0=st.floats(50, 300), r1=st.floats(50, 300))
def test_decomposition_always_sums_to_the_change(lines, r0, r1):
    """Whatever the lines, quantity + price + FX + other equals ΔJPY."""
    con = connect()
    con.execute(
        """CREATE TEMP TABLE scoped (month VARCHAR, grp VARCHAR, currency VARCHAR, cost DOUBLE,
           jpy DOUBLE, q DOUBLE, unit VARCHAR, ServiceName VARCHAR, x_UsageType VARCHAR,
           SkuId VARCHAR)"""
    )
    con.execute("CREATE TEMP TABLE gcf_fx (month VARCHAR, currency VARCHAR, rate_jpy DOUBLE)")
    con.executemany("INSERT INTO gcf_fx VALUES (?, 'USD', ?)", [("2025-04", r0), ("2025-05", r1)])
    rate = {"2025-04": r0, "2025-05": r1}
    for key, month, q, cost in lines:
        con.execute(
            "INSERT INTO scoped VALUES (?, 'g', 'USD', ?, ?, ?, 'h', 'S', ?, NULL)",
            [month, cost, cost * rate[month], q, key],
        )
    delta = sum(c * rate[m] * (1 if m == "2025-05" else -1) for _, m, _, c in lines)
    d = decompose(con, "2025-04", "2025-05").get("g")
    total = d.total_jpy if d else 0.0
    assert total == pytest.approx(delta, rel=1e-9, abs=1e-6)


# --- thresholds ----------------------------------------------------------------------------


def three_wards(tmp_path: Path, toml: str = "") -> Workspace:
    """Setagaya +50 % (¥200k), Chiyoda +50 % but only ¥30k, Edogawa +10 % MoM / +40 % YoY."""
    rows = [
        line("2024-05", 1_000_000, x_Ward=SETAGAYA),
        line("2025-04", 400_000, x_Ward=SETAGAYA),
        line("2025-05", 600_000, x_Ward=SETAGAYA, ServiceName="Amazon RDS"),
        line("2025-04", 60_000, x_Ward=CHIYODA),
        line("2025-05", 90_000, x_Ward=CHIYODA),
        line("2024-05", 1_000_000, x_Ward=EDOGAWA),
        line("2025-04", 1_272_727.27, x_Ward=EDOGAWA),
        line("2025-05", 1_400_000, x_Ward=EDOGAWA),
        line("2025-05", 5_000, x_Ward=None),
    ]
    rows = [{**r, "BillingCurrency": "JPY"} for r in rows]
    return ws_with(tmp_path, rows, {}, toml)


def test_default_thresholds_and_the_yen_floor(tmp_path):
    result = run_check(three_wards(tmp_path))
    assert result.month == "2025-05" and result.previous_month == "2025-04"
    assert result.yoy_month == "2024-05" and result.fiscal_year == 2025
    setagaya = find(result, SETAGAYA, "mom_growth")
    assert (setagaya.status, setagaya.value, setagaya.delta_jpy) == ("breach", 50.0, 200_000)
    assert setagaya.group_name == "世田谷区"
    chiyoda = find(result, CHIYODA, "mom_growth")
    assert chiyoda.status == "ok" and chiyoda.value == pytest.approx(50.0)  # ¥30k is noise
    edogawa_mom = find(result, EDOGAWA, "mom_growth")
    assert edogawa_mom.status == "ok" and edogawa_mom.value == pytest.approx(10.0)
    edogawa_yoy = find(result, EDOGAWA, "yoy_growth")
    assert (edogawa_yoy.status, edogawa_yoy.previous_jpy) == ("breach", 1_000_000)
    assert edogawa_yoy.value == pytest.approx(40.0)
    assert find(result, SETAGAYA, "yoy_growth").status == "ok"  # -40 %
    unallocated = find(result, None, "mom_growth")
    assert unallocated.group_name == "未割当" and unallocated.note == "new"
    assert unallocated.value == math.inf and unallocated.status == "ok"  # ¥5k < floor
    assert {(b.group, b.metric) for b in result.breaches} == {
        (SETAGAYA, "mom_growth"),
        (EDOGAWA, "yoy_growth"),
    }
    assert result.exit_code == 1 and result.status == "breach"
    assert unallocated.to_dict()["value"] is None  # JSON has no infinity


def test_loose_thresholds_pass(tmp_path):
    result = run_check(
        three_wards(tmp_path), thresholds={"max_mom_growth": 60, "max_yoy_growth": 50}
    )
    assert result.exit_code == 0 and result.breaches == []
    assert find(result, SETAGAYA, "mom_growth").status == "near"  # 50 >= 0.8 × 60


def test_yen_limit_alone_when_percent_is_off(tmp_path):
    result = run_check(
        three_wards(tmp_path),
        thresholds={"max_mom_growth": None, "max_yoy_growth": None, "max_increase_jpy": 150_000},
    )
    assert {e.metric for e in result.evaluations} == {"increase_jpy"}
    assert [(b.group, b.value) for b in result.breaches] == [(SETAGAYA, 200_000)]
    assert find(result, EDOGAWA, "increase_jpy").status == "near"  # 127k >= 0.8 × 150k


def test_precedence_config_then_options_then_group_override(tmp_path):
    toml = """
[check]
max_mom_growth = 5
max_increase_jpy = 10000

[check.wards."世田谷区"]
max_mom_growth = 80
"""
    ws = three_wards(tmp_path, toml)
    result = run_check(ws)
    assert find(result, SETAGAYA, "mom_growth").status == "ok"  # the ward's own 80 %
    assert find(result, EDOGAWA, "mom_growth").status == "breach"  # [check] 5 %
    assert find(result, CHIYODA, "mom_growth").status == "breach"  # floor 10k from [check]
    result = run_check(ws, thresholds={"max_mom_growth": 15})
    assert find(result, EDOGAWA, "mom_growth").status == "ok"  # the option beats [check]
    assert find(result, SETAGAYA, "mom_growth").threshold == 80  # the override beats the option


def test_group_by_service_and_override_by_service_name(tmp_path):
    toml = '[check.services."Amazon RDS"]\nmax_mom_growth = false\n'
    result = run_check(three_wards(tmp_path, toml), by="service")
    assert result.by == "service"
    assert {e.group for e in result.evaluations if e.metric == "mom_growth"} == {
        "Amazon Elastic Compute Cloud"
    }
    rds = [e for e in result.evaluations if e.group == "Amazon RDS"]
    assert [e.metric for e in rds] == ["increase_jpy", "yoy_growth"]  # % off: floor is the limit
    assert rds[0].status == "breach" and rds[0].value == 600_000
    assert (rds[1].status, rds[1].note) == ("breach", "new")  # no RDS a year ago


def test_group_by_account_uses_the_account_name(tmp_path):
    rows = [
        line("2025-04", 100, SubAccountId="111", SubAccountName="setagaya-dev"),
        line("2025-05", 900, SubAccountId="111", SubAccountName="setagaya-dev"),
        line("2025-05", 50, SubAccountId=None),
    ]
    ws = ws_with(tmp_path, rows, {"2025-04": 150, "2025-05": 150})
    result = run_check(ws, by="account", thresholds={"max_increase_jpy": 1000})
    e = find(result, "111", "mom_growth")
    assert (e.group_name, e.status, e.delta_jpy) == ("setagaya-dev", "breach", 120_000)
    assert find(result, None, "mom_growth").group_name == "未割当"


def test_missing_comparison_month_is_skipped_not_failed(tmp_path):
    ws = ws_with(
        tmp_path,
        [ec2("2025-04", 100, 2.0), ec2("2025-06", 500, 2.0)],
        {"2025-04": 150, "2025-06": 150},
    )
    result = run_check(ws)
    assert result.missing_months == ("2025-05", "2024-06")
    statuses = {e.metric: (e.status, e.note) for e in result.evaluations}
    assert statuses == {"mom_growth": ("skipped", "no_data"), "yoy_growth": ("skipped", "no_data")}
    assert result.exit_code == 0


def test_month_without_data_and_empty_lake_are_no_data_errors(tmp_path):
    with pytest.raises(NoDataError, match="holds no billing data"):
        run_check(Workspace.resolve(tmp_path))
    ws = three_wards(tmp_path)
    with pytest.raises(
        NoDataError, match=r"no billing data for 2027-01 .*loaded: 2024-05\.\.2025-05"
    ):
        run_check(ws, month="2027-01")


def test_missing_fx_rate_is_an_error(tmp_path):
    ws = ws_with(tmp_path, [ec2("2025-04", 100, 2.0), ec2("2025-05", 100, 2.0)], {"2025-05": 150})
    with pytest.raises(MissingRateError, match="USD in 2025-04"):
        run_check(ws)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[check]\nmax_mom_grow = 5\n",
            r"\[check\] unknown key\(s\) max_mom_grow \(did you mean max_mom_growth\?\)",
        ),
        ("[check]\nmax_mom_growth = -1\n", r"\[check\] max_mom_growth must be a number >= 0"),
        ("[check]\nmax_yoy_growth = true\n", r"max_yoy_growth must be a number >= 0, or false"),
        ("[check]\nby = 'city'\n", r"by = 'city'; valid: ward, system, service, account"),
        (
            '[check.wards."存在しない区"]\nmax_mom_growth = 5\n',
            r'wards."存在しない区"\]: .*not a known',
        ),
        ('[check.systems."税"]\nmax_mom_growth = 5\n', r"not a known system"),
        ('[check.wards."世田谷区"]\nmax_mom = 5\n', r'\[check.wards."世田谷区"\] unknown key'),
        ("[check]\ncost_column = 'ListCost'\n", r"cost_column = 'ListCost'"),
    ],
)
def test_config_errors_name_file_and_key(tmp_path, toml, message):
    ws = three_wards(tmp_path, toml)
    with pytest.raises(ConfigError, match=message) as info:
        run_check(ws)
    assert str(tmp_path / "gcfinops.toml") in info.value.message


def test_ward_override_accepts_any_spelling(tmp_path):
    toml = (
        '[check.wards.setagaya]\nmax_mom_growth = 90\n[check.wards."131237"]\nmax_yoy_growth = 45\n'
    )
    result = run_check(three_wards(tmp_path, toml))
    assert find(result, SETAGAYA, "mom_growth").threshold == 90
    assert find(result, EDOGAWA, "yoy_growth").status == "near"  # 40 % >= 0.8 × 45 %


def test_parse_threshold():
    assert parse_threshold("20") == 20.0
    assert parse_threshold("100,000") == 100_000.0
    assert parse_threshold("12.5%") == 12.5
    assert parse_threshold("off") is None
    for bad in ("-1", "abc", "nan", "inf"):
        with pytest.raises(ValueError, match="number >= 0 or 'off'"):
            parse_threshold(bad)


def test_shift_month():
    assert shift_month("2026-01", -1) == "2025-12"
    assert shift_month("2025-12", 1) == "2026-01"
    assert shift_month("2026-03", -12) == "2025-03"


# --- contributors and findings -------------------------------------------------------------


def test_top_contributors_and_offsetting_findings(tmp_path):
    rows = [
        line("2025-04", 100, x_Ward=SETAGAYA, ResourceId="i-a", x_UsageType="BoxUsage:m5"),
        line("2025-05", 300, x_Ward=SETAGAYA, ResourceId="i-a", x_UsageType="BoxUsage:m5"),
        line("2025-05", 500, x_Ward=SETAGAYA, ResourceId="i-b", x_UsageType="BoxUsage:r5"),
        line("2025-04", 200, x_Ward=SETAGAYA, ResourceId="i-c", x_UsageType="BoxUsage:c5"),
        line("2025-05", 150, x_Ward=SETAGAYA, ResourceId="i-c", x_UsageType="BoxUsage:c5"),
        line(
            "2025-04",
            400,
            x_Ward=SETAGAYA,
            ResourceId="vol-1",
            ServiceName="Amazon EBS",
            x_UsageType="EBS:gp2",
        ),
        line(
            "2025-05",
            450,
            x_Ward=SETAGAYA,
            ResourceId="vol-1",
            ServiceName="Amazon EBS",
            x_UsageType="EBS:gp2",
        ),
    ]
    ws = ws_with(tmp_path, rows, {"2025-04": 100, "2025-05": 100})
    findings = pa.table(
        {
            "rule_id": ["ebs-gp2", "idle", "rightsize", "other-ward", "shrunk"],
            "status": ["finding", "skipped", "finding", "finding", "finding"],
            "ward": [SETAGAYA, SETAGAYA, None, CHIYODA, SETAGAYA],
            "resource_id": ["vol-1", "i-a", "i-b", "i-z", "i-c"],
            "estimated_monthly_savings": [9_000.0, 50_000.0, 20_000.0, 70_000.0, 60_000.0],
            "recommendation_ja": ["gp3 に変更", None, "縮小", None, None],
            "recommendation": ["move to gp3", None, "downsize", None, None],
        }
    )
    (tmp_path / "findings").mkdir()
    pq.write_table(findings, tmp_path / "findings" / "findings.parquet")
    result = run_check(ws, thresholds={"max_increase_jpy": None}, top=2)
    e = find(result, SETAGAYA, "mom_growth")
    assert e.status == "breach" and e.delta_jpy == 70_000
    got = [(c.dimension, c.key, c.delta_jpy) for c in e.top_contributors]
    assert got == [
        ("service", "Amazon Elastic Compute Cloud", 65_000),
        ("service", "Amazon EBS", 5_000),
        ("resource", "i-b", 50_000),
        ("resource", "i-a", 20_000),
        ("usage_type", "BoxUsage:r5", 50_000),
        ("usage_type", "BoxUsage:m5", 20_000),
    ]
    # skipped rows are not offsets; i-b has no ward column but is billed to Setagaya;
    # findings on the resources that grew most come first; i-c (which shrank) after, despite
    # its larger saving
    assert [(o.rule_id, o.resource_id, o.on_growth) for o in e.offsets] == [
        ("rightsize", "i-b", True),
        ("ebs-gp2", "vol-1", True),
    ]
    assert e.offset_growth_jpy == 29_000
    assert e.to_dict()["offsets"][0]["resource_delta_jpy"] == 50_000
    assert e.to_dict()["offsets"][0]["on_growth"] is True
    assert e.offset_total_jpy == 89_000
    assert e.offsets[1].recommendation_ja == "gp3 に変更"
    assert result.findings_path is not None


def test_findings_file_without_required_column_is_an_input_error(tmp_path):
    ws = ws_with(
        tmp_path,
        [ec2("2025-04", 100, 2.0), ec2("2025-05", 300, 2.0)],
        {"2025-04": 150, "2025-05": 150},
    )
    (tmp_path / "findings").mkdir()
    pq.write_table(pa.table({"rule_id": ["x"]}), tmp_path / "findings" / "findings.parquet")
    from gcfinops.errors import InputError

    with pytest.raises(InputError, match=r"lacks column.*resource_id, estimated_monthly_savings"):
        run_check(ws, thresholds={"max_increase_jpy": None})


# --- path to the 3割 target --------------------------------------------------------------------


def target_ws(tmp_path: Path) -> Workspace:
    rows = [
        {**line("2025-04", 100_000, x_Ward=SETAGAYA), "BillingCurrency": "JPY"},
        {**line("2025-05", 150_000, x_Ward=SETAGAYA), "BillingCurrency": "JPY"},
    ]
    return ws_with(tmp_path, rows, {})


def test_target_path_uses_baseline_and_noncloud_costs(tmp_path):
    baseline = pytest.importorskip("gcfinops.baseline")
    costs = pytest.importorskip("gcfinops.costs")
    ws = target_ws(tmp_path)
    src = tmp_path / "b.csv"
    src.write_text(
        "ward,fiscal_year,business_system,cost_item,amount_jpy,basis\n"
        "世田谷区,2018,,hardware_lease,1000000,決算\n"
        "世田谷区,2018,resident_registry,software_lease,200000,決算\n"
    )
    baseline.import_baseline(ws, src, WardDirectory())
    src = tmp_path / "c.csv"
    src.write_text(
        "ward,month,fiscal_year,business_system,cost_item,amount_jpy,vendor,note\n"
        "131121,,2025,,system_operation,120000,,\n"
        "131121,2025-05,2025,,network_lines,5000,,\n"
        "131121,2024-05,2024,,network_lines,999999,,\n"
    )
    costs.import_costs(ws, src, WardDirectory())
    result = run_check(ws, thresholds={"max_over_target_path": 10, "max_increase_jpy": None})
    e = find(result, SETAGAYA, "over_target_path")
    # allowance = (0.7 × 1,200,000 − (100,000 cloud + 10,000 non-cloud in April)) / 11 months
    allowance = (840_000 - 110_000) / 11
    assert e.previous_jpy == pytest.approx(allowance)
    assert e.current_jpy == pytest.approx(150_000 + 10_000 + 5_000)
    assert e.value == pytest.approx((165_000 - allowance) / allowance * 100)
    assert e.status == "breach" and e.comparison == "target_path"
    assert e.decomposition is not None  # explained against the previous month


def test_configured_target_ratio_and_year_give_check_and_report_the_same_target(tmp_path):
    """`[baseline] target_ratio` and `fiscal_year` are read in one place (baseline.Targets):
    the gate's path ends the 年度 at the report's target, not at a hard-coded 0.70 × FY2018."""
    from gcfinops import api
    from gcfinops.baseline import import_baseline

    ws = target_ws(tmp_path)
    src = tmp_path / "b.csv"
    src.write_text(
        "ward,fiscal_year,business_system,cost_item,amount_jpy,basis\n"
        "世田谷区,2018,,hardware_lease,1000000,決算\n"
        "世田谷区,2019,,hardware_lease,2000000,決算\n"
    )
    import_baseline(ws, src, WardDirectory())
    write_config(tmp_path, "[baseline]\nfiscal_year = 2019\ntarget_ratio = 0.5\n")
    result = run_check(ws, thresholds={"max_over_target_path": 10, "max_increase_jpy": None})
    e = find(result, SETAGAYA, "over_target_path")
    report = api.report("世田谷区", workspace=tmp_path, fiscal_year=2025)
    ward = report.wards[0]
    assert report.target_ratio == 0.5 and report.baseline_fiscal_year == 2019
    assert ward.target.amount_jpy == pytest.approx(1_000_000)  # 0.5 × the FY2019 baseline
    # the gate: what April spent plus 11 months at the allowance lands on the same target
    assert e.previous_jpy is not None
    assert 100_000 + 11 * e.previous_jpy == pytest.approx(ward.target.amount_jpy)


def test_target_path_needs_a_baseline_ward_grouping_and_every_month(tmp_path):
    pytest.importorskip("gcfinops.baseline")
    ws = target_ws(tmp_path)
    with pytest.raises(NoDataError, match="no FY2018 baseline"):
        run_check(ws, thresholds={"max_over_target_path": 0})
    write_config(tmp_path, "[check.wards.setagaya]\nmax_over_target_path = false\n")
    assert run_check(ws).exit_code == 0  # switched off for the ward: no baseline needed
    write_config(tmp_path, "[check.wards.setagaya]\nmax_over_target_path = 0\n")
    with pytest.raises(NoDataError, match="no FY2018 baseline"):
        run_check(ws)  # switched on by the ward's own override
    (tmp_path / "gcfinops.toml").unlink()
    with pytest.raises(ConfigError, match="use --by ward"):
        run_check(ws, by="service", thresholds={"max_over_target_path": 0})
    write_lake(tmp_path, [{**line("2025-06", 1, x_Ward=SETAGAYA), "BillingCurrency": "JPY"}])
    import shutil

    shutil.rmtree(tmp_path / "lake" / "provider=aws" / "billing_period=2025-04")
    with pytest.raises(NoDataError, match="lacks 2025-04"):
        run_check(ws, month="2025-06", thresholds={"max_over_target_path": 0})


def test_analysis_sql_transpiles_to_spark():
    """The decomposition and anomaly SQL stays portable (sqlglot, Spark dialect)."""
    sqlglot = pytest.importorskip("sqlglot")
    from gcfinops.gate import anomalies, explain

    for sql in (explain._DECOMPOSE_SQL, anomalies._STATS_SQL):
        spark = sqlglot.transpile(sql, read="duckdb", write="spark")[0]
        assert "SELECT" in spark and "GROUP BY" in spark
