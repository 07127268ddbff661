"""Engine: as_of, JPY conversion at the window's month, engine thresholds, invalid rule rows."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gcfinops.allocation.wards import WardDirectory
from gcfinops.db import connect
from gcfinops.engine import analyze, default_as_of, parse_as_of, prepare, run_rule
from gcfinops.errors import ConfigError, MissingRateError, NoDataError, RuleDefinitionError
from gcfinops.fx import FxTable
from gcfinops.metrics import empty_select
from gcfinops.ruleset import parse_file
from gcfinops.workspace import Workspace

sys.path.insert(0, str(Path(__file__).parent / "rules"))
from casekit import build_lake, write_workspace

RULE = """\
/* ---
id: flat
title: Flat
title_ja: 一律
category: hygiene
providers: [aws]
cost_basis: EffectiveCost
confidence: medium
rationale: test
sources: [test]
parameters:
  min_monthly_savings: {{default: 0, type: number, description: floor, source: test}}
recommendation: "{{resource_id}} {{monthly_savings_yen}}"
recommendation_ja: "{{resource_id}} {{monthly_savings_yen}}"
--- */
SELECT ResourceId AS resource_id, ProviderName AS provider,
    BillingAccountId AS billing_account_id, RegionId AS region,
    BillingCurrency AS billing_currency, sum(EffectiveCost) AS current_monthly_cost,
    sum(EffectiveCost) / 2 AS estimated_monthly_savings,
    TIMESTAMPTZ '2025-04-01 00:00:00+00' AS lookback_start, $as_of AS lookback_end,
    {status} {{'lines': count(*)}} AS evidence
FROM lake GROUP BY ALL
"""
AS_OF = datetime(2025, 5, 1, tzinfo=UTC)
LAKE = [
    {"ResourceId": "i-usd", "BillingCurrency": "USD", "EffectiveCost": 10.0},
    {"ResourceId": "i-jpy", "BillingCurrency": "JPY", "EffectiveCost": 1000.0},
]
DEFAULTS = {
    "ProviderName": "AWS",
    "BillingAccountId": "1",
    "RegionId": "ap-northeast-1",
    "ChargePeriodStart": "2025-04-10T00:00:00Z",
    "ChargePeriodEnd": "2025-04-10T01:00:00Z",
}


def rule(tmp_path: Path, status: str = ""):  # type: ignore[no-untyped-def]
    path = tmp_path / "flat.sql"
    path.write_text(RULE.format(status=status), encoding="utf-8")
    parsed, problems = parse_file(path)
    assert parsed is not None, problems
    return parsed


def session(rates: dict[tuple[str, str], float]):  # type: ignore[no-untyped-def]
    con = connect()
    build_lake(con, LAKE, DEFAULTS)
    fx = FxTable()
    for (month, cur), rate in rates.items():
        fx.set(month, cur, rate, "test")
    prepare(con, lake_sql="SELECT * FROM case_lake", metrics_sql=empty_select(), fx=fx,
            as_of=AS_OF)  # fmt: skip
    return con


def test_amounts_convert_at_the_rate_of_the_windows_last_month(tmp_path: Path) -> None:
    """The window ends 2025-05-01 00:00 UTC, so April's rate applies, not May's."""
    con = session({("2025-04", "USD"): 150.0, ("2025-05", "USD"): 999.0})
    rows = {r["resource_id"]: r for r in run_rule(con, rule(tmp_path), AS_OF, WardDirectory())}
    assert rows["i-usd"]["current_monthly_cost"] == 1500.0
    assert rows["i-usd"]["estimated_monthly_savings"] == 750.0
    assert rows["i-usd"]["current_monthly_cost_billing"] == 10.0
    assert (rows["i-usd"]["fx_month"], rows["i-usd"]["fx_rate_jpy"]) == ("2025-04", 150.0)
    assert rows["i-jpy"]["fx_rate_jpy"] == 1.0 and rows["i-jpy"]["current_monthly_cost"] == 1000
    assert rows["i-usd"]["recommendation_ja"] == "i-usd 750円"
    assert rows["i-usd"]["evidence"] == '{"lines":1}'


def test_missing_rate_names_month_and_currency(tmp_path: Path) -> None:
    con = session({})
    with pytest.raises(MissingRateError, match="no FX rate for USD in 2025-04"):
        run_rule(con, rule(tmp_path), AS_OF, WardDirectory())


def test_min_monthly_savings_applies_in_yen_after_conversion(tmp_path: Path) -> None:
    """$5 saving = ¥750: kept at a ¥700 floor, dropped at ¥800 (the JPY row saves ¥500)."""
    con = session({("2025-04", "USD"): 150.0})
    r = rule(tmp_path)
    kept = run_rule(
        con, replace(r, overrides={"min_monthly_savings": 700.0}), AS_OF, WardDirectory()
    )
    assert [x["resource_id"] for x in kept] == ["i-usd"]
    assert run_rule(con, replace(r, overrides={"min_monthly_savings": 800.0}), AS_OF,
                    WardDirectory()) == []  # fmt: skip


def test_invalid_status_from_a_rule_names_the_file(tmp_path: Path) -> None:
    con = session({("2025-04", "USD"): 150.0})
    bad = rule(tmp_path, status="'maybe' AS status,")
    with pytest.raises(RuleDefinitionError, match="status='maybe'") as exc:
        run_rule(con, bad, AS_OF, WardDirectory())
    assert "flat.sql" in exc.value.message


def test_default_as_of_is_the_latest_charge_period_end() -> None:
    con = session({})
    assert default_as_of(con) == datetime(2025, 4, 10, 1, tzinfo=UTC)
    empty = connect()
    build_lake(empty, [], {})
    empty.execute("CREATE VIEW lake AS SELECT * FROM case_lake")
    with pytest.raises(NoDataError):
        default_as_of(empty)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-04-01", datetime(2026, 4, 1, tzinfo=UTC)),
     ("2026-04-01T09:00:00+09:00", datetime(2026, 4, 1, tzinfo=UTC)),
     ("2026-04-01T12:00:00Z", datetime(2026, 4, 1, 12, tzinfo=UTC)),
     ("2026-04-01T12:00:00", datetime(2026, 4, 1, 12, tzinfo=UTC))],
)  # fmt: skip
def test_parse_as_of(text: str, expected: datetime) -> None:
    assert parse_as_of(text) == expected


def test_parse_as_of_rejects_nonsense() -> None:
    with pytest.raises(ConfigError, match="--as-of"):
        parse_as_of("next tuesday")


def test_analyze_end_to_end_writes_findings(tmp_path: Path) -> None:
    """analyze on a workspace: default as_of, all rules, findings file, per-rule statistics."""
    rows = [
        {
            "ResourceId": "i-dev",
            "x_InstanceType": "m5.large",
            "x_Environment": "dev",
            "EffectiveCost": 50.0,
            "hours": {"start": "2025-04-01T00:00:00Z", "count": 720},
        }
    ]
    defaults = {"ProviderName": "AWS", "BillingAccountId": "1", "SubAccountId": "2",
                "RegionId": "ap-northeast-1", "BillingCurrency": "JPY", "ChargeCategory": "Usage",
                "ServiceCategory": "Compute", "x_Ward": "131121"}  # fmt: skip
    ws = Workspace(write_workspace(tmp_path / "ws", rows, defaults))
    result = analyze(ws)
    assert result.as_of == AS_OF
    assert {r.rule_id for r in result.runs} >= {"idle-nonprod-offhours", "rightsizing"}
    offhours = [f for f in result.listing.findings if f["rule_id"] == "idle-nonprod-offhours"]
    assert len(offhours) == 1 and offhours[0]["estimated_monthly_savings"] == pytest.approx(
        468 * 50 * 730 / 720
    )
    assert result.path.exists()


def test_analyze_on_empty_lake(tmp_path: Path) -> None:
    with pytest.raises(NoDataError):
        analyze(Workspace(tmp_path))
