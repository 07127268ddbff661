"""CLI wiring of analyze, findings, rules list/show and ingest-metrics (typer CliRunner)."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gcfinops.cli import app

sys.path.insert(0, str(Path(__file__).parent / "rules"))
from casekit import write_workspace

GOLDEN = Path(__file__).parent / "rules" / "golden"
UPDATE = os.environ.get("GCFINOPS_UPDATE_GOLDEN") == "1"
DEFAULTS = {
    "ProviderName": "AWS", "BillingAccountId": "111111111111", "SubAccountId": "222222222222",
    "RegionId": "ap-northeast-1", "AvailabilityZone": "ap-northeast-1a",
    "BillingCurrency": "USD", "ChargeCategory": "Usage", "ServiceCategory": "Compute",
    "x_ServiceCode": "AmazonEC2", "x_BusinessSystem": "resident_registry",
}  # fmt: skip
# April 2025: a 24x7 dev instance in Setagaya ($0.25/h), a gp2 volume in Chiyoda, an idle IP.
ROWS = [
    {"ResourceId": "i-dev", "x_InstanceType": "m5.xlarge", "x_Environment": "dev",
     "x_Ward": "131121", "ResourceName": "setagaya-dev01", "EffectiveCost": 0.25,
     "hours": {"start": "2025-04-01T00:00:00Z", "count": 720}},
    {"ResourceId": "vol-gp2", "x_UsageType": "APN1-EBS:VolumeUsage.gp2", "x_VolumeType": "gp2",
     "x_Environment": "prod", "x_Ward": "131016", "ServiceCategory": "Storage",
     "ConsumedQuantity": 10.0, "EffectiveCost": 1.2, "days": {"start": "2025-04-01", "count": 30}},
    {"ResourceId": "eipalloc-1", "x_UsageType": "APN1-ElasticIP:IdleAddress",
     "x_Environment": "dev", "x_Ward": "131016", "ConsumedQuantity": 24, "EffectiveCost": 0.12,
     "days": {"start": "2025-04-01", "count": 30}},
]  # fmt: skip
FX = {"2025-04 USD": 150.0}


def run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "160", **(env or {})})


@pytest.fixture()
def ws(tmp_path: Path) -> Path:
    return write_workspace(tmp_path / "ws", ROWS, DEFAULTS, FX)


def test_analyze_then_findings_json(ws: Path) -> None:
    """analyze stores findings; findings --format json is a list with the contract's keys."""
    result = run("-w", str(ws), "analyze", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Savings opportunities" in result.stdout and "Total" in result.stdout
    listed = run("-w", str(ws), "findings", "--format", "json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    keys = {"rule_id", "provider", "billing_account_id", "resource_id", "ward", "business_system",
            "environment", "region", "lookback_start", "lookback_end", "current_monthly_cost",
            "estimated_monthly_savings", "billing_currency", "current_monthly_cost_billing",
            "estimated_monthly_savings_billing", "cost_basis", "confidence", "recommendation",
            "recommendation_ja", "evidence"}  # fmt: skip
    assert rows and keys <= set(rows[0])
    savings = [r["estimated_monthly_savings"] for r in rows]
    assert savings == sorted(savings, reverse=True), "largest saving first"
    dev = next(r for r in rows if r["rule_id"] == "idle-nonprod-offhours")
    # 468 off-hours × $0.25 × 730/720 × ¥150
    assert dev["estimated_monthly_savings"] == pytest.approx(468 * 0.25 * 730 / 720 * 150)
    assert dev["estimated_monthly_savings_billing"] == pytest.approx(468 * 0.25 * 730 / 720)
    assert dev["billing_currency"] == "USD" and dev["fx_rate_jpy"] == 150
    assert isinstance(dev["evidence"], dict) and dev["evidence"]["offhours_hours_running"] == 468
    assert "合計 19,436円/月" in listed.stderr  # the message on stderr, in Japanese by default


def test_findings_filters_by_ward_name_and_rule(ws: Path) -> None:
    assert run("-w", str(ws), "analyze").exit_code == 0
    by_ward = json.loads(
        run("-w", str(ws), "findings", "--ward", "千代田区", "--format", "json").stdout
    )
    assert by_ward and {r["ward"] for r in by_ward} == {"131016"}
    by_rule = json.loads(
        run("-w", str(ws), "findings", "--rule", "storage-class", "--format", "json").stdout
    )
    assert [r["resource_id"] for r in by_rule] == ["vol-gp2"]


def test_findings_csv_has_header_and_rows(ws: Path) -> None:
    assert run("-w", str(ws), "analyze").exit_code == 0
    result = run("-w", str(ws), "findings", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and "estimated_monthly_savings" in rows[0]
    json.loads(rows[0]["evidence"])


def test_findings_table_golden(ws: Path) -> None:
    """The English findings table, as a document (regenerate with GCFINOPS_UPDATE_GOLDEN=1)."""
    assert run("-w", str(ws), "analyze", "--as-of", "2025-05-01").exit_code == 0
    result = run("-w", str(ws), "findings", "--lang", "en")
    assert result.exit_code == 0
    golden = GOLDEN / "findings_en.txt"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_findings_in_thousand_yen(ws: Path) -> None:
    assert run("-w", str(ws), "analyze").exit_code == 0
    result = run("-w", str(ws), "findings", "--unit", "thousand")
    assert "千円" in result.stdout and "合計" in result.stdout


def test_missing_fx_rate_is_exit_2_with_the_fix(tmp_path: Path) -> None:
    """A USD finding without a USD rate fails clearly, naming the month and the command."""
    ws = write_workspace(tmp_path / "ws", ROWS, DEFAULTS, fx=None)
    result = run("-w", str(ws), "analyze")
    assert result.exit_code == 2
    assert "no FX rate for USD in 2025-04" in result.stderr
    assert "gcfinops fx set 2025-04 USD" in result.stderr


def test_findings_before_analyze_is_exit_2(ws: Path) -> None:
    result = run("-w", str(ws), "findings")
    assert result.exit_code == 2 and "run `gcfinops analyze` first" in result.stderr


def test_analyze_empty_lake_is_exit_2(tmp_path: Path) -> None:
    result = run("-w", str(tmp_path), "analyze")
    assert result.exit_code == 2 and "empty" in result.stderr


def test_unknown_rule_is_exit_2(ws: Path) -> None:
    result = run("-w", str(ws), "analyze", "--rule", "storage-clas")
    assert result.exit_code == 2 and "did you mean 'storage-class'" in result.stderr


def test_analyze_single_rule_json(ws: Path) -> None:
    result = run("-w", str(ws), "analyze", "--rule", "idle-resource", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [r["rule_id"] for r in data["rules"]] == ["idle-resource"]
    assert data["as_of"] == "2025-05-01T00:00:00+00:00"
    kinds = {f["evidence"]["kind"] for f in data["findings"]}
    assert kinds == {"idle_address"}
    assert {s["skip_reason"] for s in data["skipped"]} == {"no_metrics"}


def test_analyze_says_what_it_could_not_judge(ws: Path) -> None:
    result = run("-w", str(ws), "analyze", "--lang", "en")
    assert "Resources not evaluated — rightsizing (no_metrics)" in result.stdout


def test_bad_options_are_exit_2(ws: Path) -> None:
    assert run("-w", str(ws), "findings", "--format", "xml").exit_code == 2
    assert run("-w", str(ws), "analyze", "--lang", "fr").exit_code == 2
    assert run("-w", str(ws), "analyze", "--as-of", "April").exit_code == 2
    assert run("-w", str(ws), "findings", "--ward", "横浜").exit_code == 2


def test_rules_list_and_show(ws: Path) -> None:
    listed = run("-w", str(ws), "rules", "list", "--format", "json")
    assert listed.exit_code == 0
    ids = {r["id"] for r in json.loads(listed.stdout)}
    assert "idle-nonprod-offhours" in ids
    shown = run("-w", str(ws), "rules", "show", "idle-nonprod-offhours", "--lang", "en")
    assert shown.exit_code == 0
    assert "business_start_hour" in shown.stdout and "Issue #3" in shown.stdout
    ja = run("-w", str(ws), "rules", "show", "storage-class")
    assert "より安価なストレージクラス" in ja.stdout
    assert run("-w", str(ws), "rules", "show", "nope").exit_code == 2


def test_ingest_metrics_then_rightsizing(ws: Path, tmp_path: Path) -> None:
    """A plain CSV of CPU makes rightsizing judge the instance instead of skipping it."""
    metrics = tmp_path / "cpu.csv"
    lines = ["resource_id,timestamp,metric,value"]
    lines += [f"i-dev,2025-04-{d:02d}T{h:02d}:00:00Z,CPUUtilization,5" for d in range(17, 31)
              for h in range(24)]  # fmt: skip
    metrics.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("-w", str(ws), "ingest-metrics", str(metrics), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["points"] == 336
    run("-w", str(ws), "analyze", "--rule", "rightsizing")
    rows = json.loads(run("-w", str(ws), "findings", "--format", "json").stdout)
    assert rows[0]["evidence"]["target_type"] == "m5.large"


def test_ingest_metrics_bad_file_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"foo": 1}', encoding="utf-8")
    result = run("-w", str(tmp_path), "ingest-metrics", str(bad))
    assert result.exit_code == 2 and "unknown metrics shape" in result.stderr


def test_findings_table_names_configured_municipalities(tmp_path: Path) -> None:
    """A finding in a municipality of `[[allocation.municipalities]]` shows its name, not "—":
    the CLI takes the ward directory from the call's context (api.context), not a bare one."""
    rows = [{**ROWS[0], "x_Ward": "132098"}]
    ws = write_workspace(tmp_path / "ws", rows, DEFAULTS, FX)
    (ws / "gcfinops.toml").write_text(
        '[[allocation.municipalities]]\ncode = "13209"\nkanji = "町田市"\nkana = "まちだし"\n'
        'romaji = "Machida-shi"\nname_en = "Machida City"\n',
        encoding="utf-8",
    )
    assert run("-w", str(ws), "analyze").exit_code == 0
    shown = run("-w", str(ws), "findings")
    assert shown.exit_code == 0, shown.output
    assert "町田市" in shown.stdout
    english = run("-w", str(ws), "findings", "--lang", "en", "--ward", "町田市")
    assert english.exit_code == 0, english.output
    assert "Machida City" in english.stdout
