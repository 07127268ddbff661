"""The shipped sample: every planted waste pattern is found, nothing on the clean resources.

`sample_billing/expected_findings.json` lists, per pattern, the resource ids that must fire and
those that must not. The lake is built once per session from three periods only (2025-03, for
the snapshots' age, and 2026-02/2026-03, the analysed window), plus the sample metrics.
"""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from gcfinops import api
from gcfinops.resources import builtin

SAMPLES = builtin("sample_billing")
EXPECTED = SAMPLES / "expected_findings.json"
PERIODS = ("2025-03", "2026-02", "2026-03")

# pattern in expected_findings.json → (rule id, evidence kind or None)
PATTERNS: dict[str, tuple[str, str | None]] = {
    "nonprod_always_on": ("idle-nonprod-offhours", None),
    "ebs_gp2_volume": ("storage-class", "gp2_to_gp3"),
    "s3_standard_cold_bucket": ("storage-class", "s3_standard_cold"),
    "idle_elastic_ip": ("idle-resource", "idle_address"),
    "ec2_rightsizing_low_cpu": ("rightsizing", "downsize"),
    "commitment_coverage_gap": ("commitment-coverage", None),
    "old_ebs_snapshot": ("storage-class", "old_snapshot"),
    "untagged_cost": ("untagged-cost", None),
}

pytestmark = pytest.mark.skipif(
    not EXPECTED.exists(), reason="sample_billing/expected_findings.json is not generated"
)


@pytest.fixture(scope="session")
def sample_findings(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    ws = tmp_path_factory.mktemp("sample-ws")
    for name in ("gcfinops.toml", "fx_rates.csv"):
        shutil.copy(SAMPLES / name, ws / name)
    files = sorted(
        f for p in PERIODS for f in (SAMPLES / "aws").glob(f"*/data/BILLING_PERIOD={p}/*.csv*")
    )
    assert len(files) == 3 * len(PERIODS)
    api.ingest(files, workspace=ws)
    api.ingest_metrics([SAMPLES / "metrics"], workspace=ws)
    result = api.analyze(workspace=ws)
    return result.listing.findings


def test_every_pattern_is_mapped_to_a_rule() -> None:
    assert set(json.loads(EXPECTED.read_text(encoding="utf-8"))["rules"]) == set(PATTERNS)


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_sample_pattern(sample_findings: list[dict[str, Any]], pattern: str) -> None:
    """The rule fires on every planted resource and on none of the clean ones."""
    spec = json.loads(EXPECTED.read_text(encoding="utf-8"))["rules"][pattern]
    rule_id, kind = PATTERNS[pattern]
    found = {
        f["resource_id"]
        for f in sample_findings
        if f["rule_id"] == rule_id
        and (kind is None or json.loads(f["evidence"]).get("kind") == kind)
    }
    assert set(spec["fire"]) - found == set(), "planted waste not found"
    assert set(spec["clean"]) & found == set(), "clean resources flagged"


def test_sample_findings_are_priced_in_yen(sample_findings: list[dict[str, Any]]) -> None:
    """USD bills, JPY findings: every saving has the rate it used and a Japanese sentence."""
    for f in sample_findings:
        assert f["billing_currency"] == "USD" and f["fx_rate_jpy"] > 100
        assert "円" in f["recommendation_ja"], f["recommendation_ja"]
