"""A small fixed workspace for report tests, with numbers computed by hand in docs below.

Ward 131121 (世田谷区), FY2025 up to as_of 2025-10-01 (April–September complete):

- cloud (JPY): Apr 100,000 · May 110,000 · Jun 120,000 · Jul 130,000 · Aug 140,000 ·
  Sep 150,000 + USD 100 at 150 円 = 165,000 → to date 765,000
- non-cloud: software_lease 1,200,000 for the year (100,000 a month) → 600,000 to date;
  other_outsourcing 50,000 a month, entered for every month Apr–Mar (contract rows; Oct–Mar
  are after as_of) → 300,000 to date
- actual to date = 765,000 + 600,000 + 300,000 = 1,665,000
- run-rate window Jul–Sep: cloud (130,000 + 140,000 + 165,000) / 3 = 145,000 a month
- non-cloud entered for Oct–Mar: software_lease 100,000 × 6 + other_outsourcing 50,000 × 6
  = 900,000 (known future)
- forecast = 1,665,000 + 900,000 + 145,000 × 6 = 3,435,000
- baseline FY2018 = 800,000 (hardware_lease) + 1,000,000 (software_lease, 住民基本台帳)
  + 200,000 (cloud_usage) = 2,000,000; target = 1,400,000; ratio 1.7175; gap 2,035,000
- previous year: cloud 90,000 a month Apr 2024–Mar 2025 → same period 540,000
- findings: i-1 10,000 (rule a) and 6,000 (rule b), vol-1 2,000 → savings (10,000 + 2,000) × 12
  = 144,000 before tax, 158,400 税込 (10 %); after savings 3,276,600 (×1.6383)

Ward 131016 (千代田区): cloud 50,000 a month Apr–Sep 2025, baseline 1,000,000 (whole ward).
One line of 7,000 in August 2025 has no ward (unattributed).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from gcfinops import api, schema
from gcfinops.db import connect

AS_OF = date(2025, 10, 1)
HOSTILE_SERVICE = '=HYPERLINK("http://evil.example","x")'
HOSTILE_RESOURCE = "<script>alert(1)</script>"

BASELINE_CSV = """\
ward,fiscal_year,business_system,cost_item,amount_jpy,basis
世田谷区,2018,,hardware_lease,800000,決算
setagaya,2018,住民基本台帳,ソフトウェア借料,"1,000,000",決算
131121,2018,,cloud_usage,200千円,決算
千代田区,2018,,system_operation,1000000,決算
"""
COSTS_CSV = """\
ward,month,fiscal_year,business_system,cost_item,amount_jpy,vendor,note
131121,,2025,resident_registry,software_lease,1200000,架空ソリューションズ,ASP 年額
""" + "".join(
    f"131121,{m},,,other_outsourcing,50000,運用管理補助者,月額\n"
    for m in [f"2025-{i:02d}" for i in range(4, 13)] + [f"2026-{i:02d}" for i in range(1, 4)]
)


def _month_end(start: datetime) -> datetime:
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


def lake_row(month: str, cost: float, **cols: Any) -> dict[str, Any]:
    """A monthly-granularity usage line of `cost` in `month` (JPY unless BillingCurrency says)."""
    start = datetime(int(month[:4]), int(month[5:]), 1, tzinfo=UTC)
    row: dict[str, Any] = {
        "ProviderName": "AWS",
        "PublisherName": "AWS",
        "InvoiceIssuerName": "AWS",
        "BillingAccountId": "111122223333",
        "BillingAccountType": "Billing Account",
        "BillingCurrency": "JPY",
        "ChargeCategory": "Usage",
        "ChargeFrequency": "Usage-Based",
        "ServiceCategory": "Compute",
        "ServiceName": "Amazon Elastic Compute Cloud",
        "ChargePeriodStart": start,
        "ChargePeriodEnd": _month_end(start),
        "BillingPeriodStart": start,
        "BillingPeriodEnd": _month_end(start),
        "BilledCost": cost,
        "EffectiveCost": cost,
        "ListCost": cost,
        "ContractedCost": cost,
        "x_SourceFormat": "test",
        "x_SourceFile": f"cur-{month}.csv",
        "x_SourceRow": 1,
        "x_IngestId": "test",
    }
    row.update(cols)
    return row


def write_lake(root: Path, rows: list[dict[str, Any]]) -> None:
    """Rows as Parquet in the lake layout (one file per billing period)."""
    con = connect()
    con.execute(schema.empty_table_sql("t"))
    names = list(schema.COLUMN_NAMES)
    for r in rows:
        unknown = set(r) - set(names)
        assert not unknown, f"not lake columns: {unknown}"
        tags = r.get("Tags")
        values = [r.get(n) for n in names if n != "Tags"]
        cols = ", ".join(f'"{n}"' for n in names if n != "Tags")
        marks = ", ".join("?" for _ in values)
        con.execute(
            f'INSERT INTO t ({cols}, "Tags") VALUES ({marks}, '
            "CASE WHEN ? IS NULL THEN NULL ELSE map(?, ?) END)",
            [*values, tags is None, list((tags or {}).keys()), list((tags or {}).values())],
        )
    for (period,) in con.execute(
        "SELECT DISTINCT strftime(BillingPeriodStart, '%Y-%m') FROM t"
    ).fetchall():
        folder = root / "lake" / "provider=aws" / f"billing_period={period}"
        folder = folder / "billing_account=111122223333"
        folder.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"COPY (SELECT * FROM t WHERE strftime(BillingPeriodStart, '%Y-%m') = '{period}') "
            f"TO '{(folder / 'part-0.parquet').as_posix()}' (FORMAT parquet)"
        )
    con.close()


def lake_rows() -> list[dict[str, Any]]:
    """The fixed lake described in the module docstring."""
    rows = []
    tags = {"ward": "131121", "system": "resident_registry"}
    for i, m in enumerate(("04", "05", "06", "07", "08", "09")):
        cost = 100_000 + 10_000 * i
        # 60 % tagged to 住民基本台帳, 40 % untagged (allocated by account only).
        rows.append(
            lake_row(
                f"2025-{m}",
                cost * 0.6,
                x_Ward="131121",
                x_BusinessSystem="resident_registry",
                Tags=tags,
            )
        )
        rows.append(
            lake_row(
                f"2025-{m}",
                cost * 0.4,
                x_Ward="131121",
                ServiceName="Amazon Simple Storage Service",
            )
        )
        rows.append(lake_row(f"2025-{m}", 50_000, x_Ward="131016"))
    rows.append(
        lake_row(
            "2025-09", 100.0, BillingCurrency="USD", x_Ward="131121", ServiceName=HOSTILE_SERVICE
        )
    )
    rows.append(lake_row("2025-08", 7_000))  # no ward
    for y, m in [(2024, m) for m in range(4, 13)] + [(2025, m) for m in (1, 2, 3)]:
        rows.append(lake_row(f"{y}-{m:02d}", 90_000, x_Ward="131121"))
    return rows


def write_findings(root: Path) -> None:
    """findings/findings.parquet as the rules engine writes it."""
    table = pa.table(
        {
            "rule_id": ["rule-a", "rule-b", "rule-c", "rule-c"],
            "ward": ["131121", "131121", "131121", "131237"],
            "business_system": ["resident_registry", "resident_registry", None, None],
            "resource_id": ["i-1", "i-1", HOSTILE_RESOURCE, "vol-9"],
            "estimated_monthly_savings": [10_000.0, 6_000.0, 2_000.0, 99_999.0],
            "current_monthly_cost": [30_000.0, 30_000.0, 8_000.0, 100_000.0],
            "recommendation_ja": ["夜間停止", "サイズ変更", "gp3 へ変更", "削除"],
            "recommendation": ["Stop at night", "Downsize", "Change to gp3", "Delete"],
            "confidence": ["high", "medium", "high", "low"],
        }
    )
    (root / "findings").mkdir(parents=True, exist_ok=True)
    pq.write_table(table, root / "findings" / "findings.parquet")


def build(root: Path, *, findings: bool = True, fx: bool = True) -> Path:
    """The whole fixed workspace at root."""
    root.mkdir(parents=True, exist_ok=True)
    write_lake(root, lake_rows())
    if fx:
        (root / "fx_rates.csv").write_text(
            "month,currency,rate_jpy,source\n2025-09,USD,150,test bank TTM 2025-09\n",
            encoding="utf-8",
        )
    (root / "baseline.csv").write_text(BASELINE_CSV, encoding="utf-8")
    (root / "costs.csv").write_text(COSTS_CSV, encoding="utf-8")
    api.import_baseline(root / "baseline.csv", workspace=root)
    api.import_costs(root / "costs.csv", workspace=root)
    if findings:
        write_findings(root)
    return root
