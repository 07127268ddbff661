"""FOCUS 1.2 MUST rules as SQL over the lake: each entry selects the rows that break it.

Shared by the AWS rule tests (tests/adapters/test_aws_focus_rules.py) and the other providers'
(tests/test_focus_rules.py). Rules (FOCUS_Spec v1.2 `columns/*.md`, focus-validator 2.x model
ids in brackets) are listed in the AWS test's docstring.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from gcfinops import schema

# Money columns are DOUBLE today: a product may differ from the stored cost by float rounding.
CLOSE = "abs(({a}) - ({b})) <= 1e-6 * (1 + abs({b}))"
NOT_CORRECTION = "ChargeClass IS DISTINCT FROM 'Correction'"
STRINGS = [c.name for c in schema.COLUMNS if c.type == schema.STRING]
PARENT = ", ".join(f"('{s}', '{c}')" for s, c in schema.SERVICE_SUBCATEGORY_PARENT.items())

RULES: dict[str, str] = {
    "list-unit-price-times-quantity-is-list-cost": (
        f"ListUnitPrice IS NOT NULL AND PricingQuantity IS NOT NULL AND {NOT_CORRECTION}"
        f" AND NOT {CLOSE.format(a='ListUnitPrice * PricingQuantity', b='ListCost')}"
    ),
    "contracted-unit-price-times-quantity-is-contracted-cost": (
        f"ContractedUnitPrice IS NOT NULL AND PricingQuantity IS NOT NULL AND {NOT_CORRECTION}"
        f" AND NOT {CLOSE.format(a='ContractedUnitPrice * PricingQuantity', b='ContractedCost')}"
    ),
    "list-cost-is-billed-cost-without-list-price": (
        f"ListUnitPrice IS NULL AND NOT {CLOSE.format(a='ListCost', b='BilledCost')}"
    ),
    "contracted-cost-is-billed-cost-without-contracted-price": (
        f"ContractedUnitPrice IS NULL AND NOT {CLOSE.format(a='ContractedCost', b='BilledCost')}"
    ),
    "billed-usage-or-purchase-has-a-list-cost": (
        "ChargeCategory IN ('Usage', 'Purchase') AND BilledCost <> 0 AND ListCost = 0"
    ),
    "unit-prices-on-priced-usage-and-purchase": (
        f"ChargeCategory IN ('Usage', 'Purchase') AND {NOT_CORRECTION}"
        " AND PricingQuantity IS NOT NULL AND x_SourceChargeType NOT LIKE '%Discount'"
        " AND (ListUnitPrice IS NULL OR ContractedUnitPrice IS NULL)"
    ),
    "prices-null-on-tax": (
        "ChargeCategory = 'Tax' AND (ListUnitPrice IS NOT NULL OR ContractedUnitPrice IS NOT NULL"
        " OR PricingQuantity IS NOT NULL OR SkuPriceId IS NOT NULL)"
    ),
    "prices-not-negative": "ListUnitPrice < 0 OR ContractedUnitPrice < 0",
    "commitment-purchase-effective-cost-zero": (
        "ChargeCategory = 'Purchase' AND CommitmentDiscountId IS NOT NULL AND EffectiveCost <> 0"
    ),
    "unused-commitment-row-shape": (
        "CommitmentDiscountStatus = 'Unused' AND NOT (ChargeCategory = 'Usage' AND BilledCost = 0"
        " AND ConsumedQuantity IS NULL AND ResourceId = CommitmentDiscountId)"
    ),
    "resource-type-iff-resource-id": "(ResourceType IS NULL) <> (ResourceId IS NULL)",
    "region-name-iff-region-id": "(RegionName IS NULL) <> (RegionId IS NULL)",
    "sub-account-type-iff-sub-account-id": "(SubAccountType IS NULL) <> (SubAccountId IS NULL)",
    "commitment-category-iff-id": (
        "(CommitmentDiscountCategory IS NULL) <> (CommitmentDiscountId IS NULL)"
    ),
    "commitment-status-null-without-id": (
        "CommitmentDiscountId IS NULL AND CommitmentDiscountStatus IS NOT NULL"
    ),
    "commitment-status-on-usage-with-id": (
        "CommitmentDiscountId IS NOT NULL AND ChargeCategory = 'Usage'"
        " AND CommitmentDiscountStatus IS NULL"
    ),
    "commitment-quantity-only-with-id-on-usage-or-purchase": (
        "CommitmentDiscountQuantity IS NOT NULL AND (CommitmentDiscountId IS NULL"
        " OR ChargeCategory NOT IN ('Usage', 'Purchase'))"
    ),
    "commitment-unit-iff-quantity": (
        "(CommitmentDiscountUnit IS NULL) <> (CommitmentDiscountQuantity IS NULL)"
    ),
    "sku-meter-null-without-sku-id": "SkuId IS NULL AND SkuMeter IS NOT NULL",
    "sku-price-details-null-without-sku-price-id": (
        "SkuPriceId IS NULL AND SkuPriceDetails IS NOT NULL"
    ),
    "consumed-unit-iff-quantity": "(ConsumedUnit IS NULL) <> (ConsumedQuantity IS NULL)",
    "pricing-unit-iff-quantity": "(PricingUnit IS NULL) <> (PricingQuantity IS NULL)",
    "pricing-currency-set": "PricingCurrency IS NULL",
    "pricing-currency-effective-cost-set": "PricingCurrencyEffectiveCost IS NULL",
    "service-subcategory-set": "ServiceSubcategory IS NULL",
    "no-empty-strings": " OR ".join(f"trim({c}) = ''" for c in STRINGS),
    "service-subcategory-under-its-category": (
        f"NOT EXISTS (SELECT 1 FROM (VALUES {PARENT}) AS p(sub, cat)"
        " WHERE p.sub = ServiceSubcategory AND p.cat = ServiceCategory)"
    ),
}


def violations(root: Path, condition: str) -> tuple[int, int, list[tuple[object, ...]]]:
    con = duckdb.connect()
    rel = f"read_parquet('{(root / 'lake').as_posix()}/**/*.parquet', hive_partitioning = false)"
    total = con.execute(f"SELECT count(*) FROM {rel}").fetchone()
    bad = con.execute(f"SELECT count(*) FROM {rel} WHERE {condition}").fetchone()
    sample = con.execute(
        f"SELECT x_SourceRow, x_SourceChargeType, ChargeCategory, ListUnitPrice, "
        f"ContractedUnitPrice, PricingQuantity, ListCost, ContractedCost, BilledCost "
        f"FROM {rel} WHERE {condition} LIMIT 3"
    ).fetchall()
    con.close()
    return (int(total[0]) if total else 0), (int(bad[0]) if bad else 0), sample


def broken_rules(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """The RULES that at least one row of `table` (on `con`) breaks."""
    return {
        rule
        for rule, cond in RULES.items()
        if con.execute(f"SELECT count(*) FROM {table} WHERE {cond}").fetchone() != (0,)
    }
