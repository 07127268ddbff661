"""FOCUS 1.0–1.2 from any provider: the adapter contract on a hand-written FOCUS 1.2 file.

Fixture: fixtures/focus/focus12_lines.csv (written by fixtures/build_focus.py): seven AWS rows in
USD, one Microsoft row in JPY. Rows are identified by their 1-based position.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from adapter_contract import FIXTURES, AdapterContract, Case, lake_rows, rewrite_csv

from gcfinops import schema
from gcfinops.adapters.focus import rename
from gcfinops.ingest import ingest
from gcfinops.workspace import Workspace

SAMPLE = FIXTURES / "focus" / "focus12_lines.csv"
C = Case


def focus_parquet(csv_path: Path, out: Path) -> Path:
    """FOCUS as Parquet: Tags a real MAP, amounts DOUBLE, dates TIMESTAMPTZ."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    source = f"read_csv('{csv_path}', all_varchar = true)"
    exprs = []
    for name, *_ in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall():
        q = f'"{name}"'
        col = schema.BY_NAME.get(name)
        if name == "Tags":
            exprs.append(f"CAST(CAST(NULLIF({q}, '') AS JSON) AS MAP(VARCHAR, VARCHAR)) AS {q}")
        elif col is not None and col.type in ("DOUBLE", "TIMESTAMPTZ"):
            exprs.append(f"CAST(NULLIF({q}, '') AS {col.type}) AS {q}")
        else:
            exprs.append(f"NULLIF({q}, '') AS {q}")
    con.execute(f"COPY (SELECT {', '.join(exprs)} FROM {source}) TO '{out}' (FORMAT parquet)")
    return out


# USD: 0.248 + 0 + 89.28 + 12.32 − 5 + 0.4 + 2.5 = 99.748; JPY: 1500
EXPECTED_UNITS = {("2025-04", "USD"): (7, 0, 99.748), ("2025-04", "JPY"): (1, 0, 1500.0)}
CASES = [
    C("billed-as-is", "1", "BilledCost", 0.248),
    C("billed-zero-on-covered-usage", "2", "BilledCost", 0.0),
    C("effective-as-is", "2", "EffectiveCost", 0.0781),
    C("category-case-normalized", "7", "ChargeCategory", "Usage"),
    C("frequency-case-normalized", "7", "ChargeFrequency", "Usage-Based"),
    C("pricing-category-case-normalized", "7", "PricingCategory", "Standard"),
    C("source-charge-type-as-written", "7", "x_SourceChargeType", "usage"),
    C("charge-class", "5", "ChargeClass", "Correction"),
    C("commitment-status", "2", "CommitmentDiscountStatus", "Used"),
    C("commitment-category", "2", "CommitmentDiscountCategory", "Spend"),
    C("tags-json-to-map", "2", "Tags", {"ward": "131121", "env": "本番"}),
    C("tags-empty-object-null", "7", "Tags", None),
    C("tags-absent-null", "4", "Tags", None),
    C("empty-string-null", "3", "ResourceId", None),
    C("instance-type-from-sku-price-details", "1", "x_InstanceType", "m5.xlarge"),
    C("volume-type-from-sku-price-details", "6", "x_VolumeType", "gp2"),
    C("storage-class-from-sku-price-details", "7", "x_StorageClass", "STANDARD"),
    C("usage-type-extension", "1", "x_UsageType", "APN1-BoxUsage:m5.xlarge"),
    C("service-code-extension", "1", "x_ServiceCode", "AmazonEC2"),
    C("billing-account-type", "1", "BillingAccountType", "Billing Account"),
    C("provider-name", "8", "ProviderName", "Microsoft"),
    C("currency", "8", "BillingCurrency", "JPY"),
    C("source-billed", "8", "x_SourceBilledCost", 1500.0),
    C("ward-from-kanji-tag", "8", "x_Ward", "131121"),
    C("charge-period-utc", "1", "ChargePeriodStart", "2025-04-05T00:00:00Z"),
]


class TestFocus(AdapterContract):
    adapter_name = "focus"
    sample = SAMPLE
    key_column = None
    expected_units = EXPECTED_UNITS
    numeric_column = "BilledCost"
    date_column = "ChargePeriodStart"
    required_column = "BillingCurrency"
    has_parquet = True
    cases = CASES

    def to_parquet(self, csv_path: Path, out: Path) -> Path:
        return focus_parquet(csv_path, out)


def test_partition_per_provider(tmp_path: Path) -> None:
    """FOCUS rows land under provider=aws and provider=azure from their ProviderName."""
    root = tmp_path / "ws"
    ingest(Workspace(root), [SAMPLE])
    providers = sorted(p.name for p in (root / "lake").iterdir())
    assert providers == ["provider=aws", "provider=azure"]


def test_older_names_are_accepted(tmp_path: Path) -> None:
    """Pre-1.0 names (Provider, AmortizedCost, ChargeType, Region, Usage*) map to 1.2 names."""
    root = tmp_path / "ws"
    ingest(Workspace(root), [FIXTURES / "focus" / "focus_old_names.csv"])
    (row,) = lake_rows(root)
    assert (row["ProviderName"], row["PublisherName"], row["InvoiceIssuerName"]) == (
        "Oracle", "Oracle", "Oracle",
    )  # fmt: skip
    assert (row["EffectiveCost"], row["ChargeCategory"], row["RegionId"]) == (
        0.40, "Usage", "ap-tokyo-1",
    )  # fmt: skip
    assert (row["ConsumedQuantity"], row["ConsumedUnit"]) == (2.0, "Hours")


def test_wrong_case_names_match_the_spec() -> None:
    """`SkuPriceid` (as in the spec's own examples) is read as SkuPriceId; exact names win."""
    assert rename(["SkuPriceid", "BilledCost"]) == {"SkuPriceid": "SkuPriceId"}
    assert rename(["SkuPriceid", "SkuPriceId"]) == {}


def test_focus_11_file_without_12_columns(tmp_path: Path) -> None:
    """A FOCUS 1.1 file (no 1.2 columns) loads; the 1.2 additions are NULL."""
    added_in_12 = [c.name for c in schema.FOCUS_COLUMNS if c.since == "1.2"]
    assert set(added_in_12) == {
        "BillingAccountType", "InvoiceId", "PricingCurrency", "PricingCurrencyContractedUnitPrice",
        "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice", "SubAccountType",
    }  # fmt: skip

    def drop(header: list[str], rows: list[list[str]]) -> None:
        keep = [i for i, h in enumerate(header) if h not in added_in_12]
        header[:] = [header[i] for i in keep]
        rows[:] = [[r[i] for i in keep] for r in rows]

    v11 = rewrite_csv(SAMPLE, tmp_path / "focus11.csv", drop)
    root = tmp_path / "ws"
    ingest(Workspace(root), [v11])
    rows = lake_rows(root)
    assert len(rows) == 8
    assert all(r[c] is None for r in rows for c in added_in_12)
    assert sum(r["BilledCost"] for r in rows if r["BillingCurrency"] == "USD") == pytest.approx(
        99.748
    )
