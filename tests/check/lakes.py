"""Lakes for the check and anomalies tests: tiny hand-written ones, and one built from the sample.

`write_lake` writes rows (dicts of lake columns; the rest NULL) as Parquet in the lake layout, so
the code under test reads them exactly as it reads an ingested lake. `sample_workspace` ingests
four months of the shipped sample (2025-02, 2025-03, 2026-02, 2026-03): from the committed
exports when present, else from `sample_billing/generate.py --months`, else the test is skipped.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gcfinops import api, schema
from gcfinops.db import connect

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_billing"
SAMPLE_MONTHS = ("2025-02", "2025-03", "2026-02", "2026-03")
SAMPLE_EXPORTS = ("gcf-chiyoda-cur2-hourly", "gcf-setagaya-cur2-hourly", "gcf-edogawa-cur2-hourly")

DEFAULTS: dict[str, Any] = {
    "ProviderName": "AWS",
    "PublisherName": "AWS",
    "InvoiceIssuerName": "AWS",
    "BillingAccountId": "111122223333",
    "BillingAccountType": "Billing Account",
    "BillingCurrency": "USD",
    "ChargeCategory": "Usage",
    "ChargeFrequency": "Usage-Based",
    "ServiceCategory": "Compute",
    "ServiceName": "Amazon Elastic Compute Cloud",
    "ContractedCost": 0.0,
    "ListCost": 0.0,
    "EffectiveCost": 0.0,
    "x_SourceFormat": "test",
    "x_SourceFile": "test.csv",
    "x_SourceRow": 1,
    "x_IngestId": "test",
}


def ts(text: str) -> datetime:
    """'2026-03' (first day), '2026-03-09' or '2026-03-09 10' (hour) as a UTC datetime."""
    fmt = {7: "%Y-%m", 10: "%Y-%m-%d", 13: "%Y-%m-%d %H"}[len(text)]
    from datetime import UTC

    return datetime.strptime(text, fmt).replace(tzinfo=UTC)


def line(start: str, cost: float, *, hours: int | None = None, **cols: Any) -> dict[str, Any]:
    """One lake row: BilledCost = cost from `start` (a month = a monthly line, else a day/hour)."""
    begin = ts(start)
    if hours is None:
        hours = 24 if len(start) == 10 else 1 if len(start) == 13 else _month_hours(begin)
    row = {
        **DEFAULTS,
        "ChargePeriodStart": begin,
        "ChargePeriodEnd": begin + timedelta(hours=hours),
        "BilledCost": cost,
        **cols,
    }
    row.setdefault("EffectiveCost", cost)
    return row


def _month_hours(begin: datetime) -> int:
    nxt = begin.replace(year=begin.year + begin.month // 12, month=begin.month % 12 + 1)
    return int((nxt - begin).total_seconds() // 3600)


def write_lake(root: Path, rows: list[dict[str, Any]]) -> None:
    """Write rows as Parquet under root/lake/provider=aws/billing_period=…/billing_account=…."""
    con = connect()
    con.execute(schema.empty_table_sql("t"))
    names = [c for c in schema.COLUMN_NAMES if c != "Tags"]
    marks = ", ".join("?" for _ in names)
    values = []
    for r in rows:
        r = dict(r)
        start = r["ChargePeriodStart"]
        month_start = start.replace(day=1, hour=0)
        r.setdefault("BillingPeriodStart", month_start)
        r.setdefault("BillingPeriodEnd", month_start + timedelta(hours=_month_hours(month_start)))
        unknown = set(r) - set(names)
        assert not unknown, f"not lake columns: {unknown}"
        values.append([r.get(n) for n in names])
    quoted = ", ".join(f'"{n}"' for n in names)
    con.executemany(f"INSERT INTO t ({quoted}) VALUES ({marks})", values)
    periods = con.execute(
        "SELECT DISTINCT strftime(BillingPeriodStart, '%Y-%m'), BillingAccountId FROM t"
    ).fetchall()
    for period, account in periods:
        folder = (
            root
            / "lake"
            / "provider=aws"
            / f"billing_period={period}"
            / f"billing_account={account}"
        )
        folder.mkdir(parents=True, exist_ok=True)
        target = (folder / "part-0.parquet").as_posix()
        con.execute(
            f"""COPY (SELECT * FROM t WHERE strftime(BillingPeriodStart, '%Y-%m') = '{period}'
                      AND BillingAccountId = '{account}') TO '{target}' (FORMAT parquet)"""
        )
    con.close()


def write_fx(root: Path, rates: dict[str, float], currency: str = "USD") -> None:
    """fx_rates.csv with one rate per month."""
    lines = ["month,currency,rate_jpy,source"]
    lines += [f"{m},{currency},{r},test rate" for m, r in sorted(rates.items())]
    (root / "fx_rates.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_config(root: Path, text: str) -> Path:
    path = root / "gcfinops.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sample_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding four months of the shipped sample (built once per session)."""
    root = tmp_path_factory.getbasetemp() / "gcfinops-check-sample"
    if (root / ".built").exists():
        return root
    source = _sample_source(tmp_path_factory)
    root.mkdir(parents=True, exist_ok=True)
    for name in ("gcfinops.toml", "fx_rates.csv"):
        shutil.copy(source / name, root / name)
    paths: list[Path] = []
    for export in SAMPLE_EXPORTS:
        paths += [source / "aws" / export / "data" / f"BILLING_PERIOD={m}" for m in SAMPLE_MONTHS]
    api.ingest(paths, workspace=root)
    (root / ".built").write_text("ok\n")
    return root


def _sample_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    committed = [
        SAMPLE / "aws" / e / "data" / f"BILLING_PERIOD={m}"
        for e in SAMPLE_EXPORTS
        for m in SAMPLE_MONTHS
    ]
    if all(p.is_dir() for p in committed) and (SAMPLE / "fx_rates.csv").exists():
        return SAMPLE
    generator = SAMPLE / "generate.py"
    if not generator.exists():
        pytest.skip("sample_billing/ has neither the exports nor generate.py")
    out = tmp_path_factory.mktemp("sample")
    done = subprocess.run(
        [sys.executable, str(generator), "--out", str(out), "--months", ",".join(SAMPLE_MONTHS)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"sample generator failed: {done.stderr[-500:]}")
    return out
