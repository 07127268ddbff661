"""Findings store: atomic files, listing order and filters, totals that never double count."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from gcfinops import findings
from gcfinops.errors import ConfigError, NoDataError
from gcfinops.workspace import Workspace

AS_OF = datetime(2025, 5, 1, tzinfo=UTC)


def row(rule: str, rid: str | None, saving: float | None, **kw: Any) -> dict[str, Any]:
    base = {n: None for n in findings.NAMES}
    base.update(rule_id=rule, category="idle", status="finding", provider="AWS", resource_id=rid,
                ward="131121", estimated_monthly_savings=saving, current_monthly_cost=10000.0,
                evidence=json.dumps({"n": 1}), as_of=AS_OF, lookback_end=AS_OF,
                confidence="high")  # fmt: skip
    base.update(kw)
    return base


ROWS = [
    row("storage-class", "vol-1", 500.0, ward="131016"),
    row("idle-nonprod-offhours", "i-1", 3000.0),
    row("rightsizing", "i-1", 2000.0),
    row("untagged-cost", None, 0.0),
    row("commitment-coverage", None, 700.0),
    row("rightsizing", "i-2", None, status="skipped", skip_reason="no_metrics"),
]


@pytest.fixture()
def ws(tmp_path: Path) -> Workspace:
    w = Workspace(tmp_path)
    findings.write(w, ROWS, {"run_id": "r1", "rules": {"rightsizing": {}}})
    return w


def test_findings_file_holds_only_findings(ws: Workspace) -> None:
    """Readers of findings.parquet need no filter; skipped resources live next to it."""
    table = pq.read_table(findings.store_path(ws))
    assert set(table.column("status").to_pylist()) == {"finding"}
    assert pq.read_table(findings.skipped_path(ws)).num_rows == 1
    assert not list(findings.store_path(ws).parent.glob("*.tmp"))


def test_listing_is_sorted_by_saving(ws: Workspace) -> None:
    listing = findings.listing(ws)
    assert [f["estimated_monthly_savings"] for f in listing.findings] == [3000, 2000, 700, 500, 0]
    assert [s["resource_id"] for s in listing.skipped] == ["i-2"]


def test_total_counts_each_resource_once(ws: Workspace) -> None:
    """i-1 has two findings (3,000 and 2,000): the total takes 3,000 only."""
    listing = findings.listing(ws)
    assert listing.total_savings == 3000 + 700 + 500 + 0
    assert listing.sum_of_savings == 6200


def test_skip_summary(ws: Workspace) -> None:
    assert findings.listing(ws).skip_summary() == [("rightsizing", "no_metrics", 1, 10000.0)]


def test_filters(ws: Workspace) -> None:
    assert [f["resource_id"] for f in findings.listing(ws, wards=["131016"]).findings] == ["vol-1"]
    only = findings.listing(ws, rules=["rightsizing"])
    assert [f["resource_id"] for f in only.findings] == ["i-1"]
    with pytest.raises(ConfigError, match="no rule 'nope'"):
        findings.listing(ws, rules=["nope"])


def test_a_new_run_replaces_the_old(ws: Workspace) -> None:
    findings.write(ws, [row("storage-class", "vol-9", 1.0)], {"run_id": "r2"})
    listing = findings.listing(ws)
    assert [f["resource_id"] for f in listing.findings] == ["vol-9"] and not listing.skipped
    assert listing.run["run_id"] == "r2"


def test_skipped_rows_of_another_run_are_ignored(ws: Workspace) -> None:
    """If a crash left skipped.parquet from a newer run, it is not mixed with older findings."""
    pq.write_table(
        pq.read_table(findings.skipped_path(ws)).replace_schema_metadata(
            {findings.META_KEY: json.dumps({"run_id": "other"}).encode()}
        ),
        findings.skipped_path(ws),
    )
    assert findings.listing(ws).skipped == []


def test_no_findings_yet(tmp_path: Path) -> None:
    with pytest.raises(NoDataError, match="no findings") as exc:
        findings.listing(Workspace(tmp_path))
    assert exc.value.hint == "run `gcfinops analyze` first"


def test_json_rows(ws: Workspace) -> None:
    out = findings.to_json_rows(findings.listing(ws).findings)
    assert out[0]["evidence"] == {"n": 1}
    assert out[0]["as_of"] == "2025-05-01T00:00:00+00:00"
    json.dumps(out)
