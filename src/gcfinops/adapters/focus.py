"""FOCUS 1.0, 1.1 and 1.2 files from any provider (CSV or Parquet).

Columns: FOCUS specification (FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec, tags v1.0, v1.1, v1.2,
`specification/columns/*.md`; formats.md §1). Covers the FOCUS exports of AWS (`FOCUS_1_0_AWS`,
`FOCUS_1_2_AWS`), Azure (`FocusCost`), Google Cloud and OCI. Older column names that third-party
"FOCUS" files still use are accepted (formats.md §1.1), and allowed values are normalized for case
(OCI writes `Usage-based`). Columns a 1.0 file lacks (1.1/1.2 additions) are NULL. The literal
strings `NULL` and `null`, which FOCUS forbids (NullHandling) but the published samples contain,
read as NULL; column names in the wrong case (`SkuPriceid` in the spec's own examples) are
matched to the spec's spelling.
"""

from __future__ import annotations

from gcfinops import schema
from gcfinops.adapters.base import Adapter, Expr, HeaderSet, case_lookup, col, expr

# formats.md §1.1: pre-1.0 names → FOCUS 1.2 names.
ALIASES = {
    "Provider": "ProviderName",
    "Publisher": "PublisherName",
    "InvoiceIssuer": "InvoiceIssuerName",
    "Region": "RegionId",
    "UsageQuantity": "ConsumedQuantity",
    "UsageUnit": "ConsumedUnit",
    "AmortizedCost": "EffectiveCost",
    "ChargeType": "ChargeCategory",
}

CHARGE_CATEGORY = {v.lower(): v for v in schema.CHARGE_CATEGORIES}
CHARGE_FREQUENCY = {v.lower(): v for v in schema.CHARGE_FREQUENCIES}
PRICING_CATEGORY = {v.lower(): v for v in schema.PRICING_CATEGORIES} | {
    "on-demand": "Standard",  # FOCUS 1.0-preview value, renamed in 1.0
    "commitment-based": "Committed",
}
STATUS = {"used": "Used", "unused": "Unused"}
COMMITMENT_CATEGORY = {"spend": "Spend", "usage": "Usage"}


FOCUS_NAMES = {c.name.lower(): c.name for c in schema.FOCUS_COLUMNS}


def rename(header: list[str]) -> dict[str, str]:
    """Older FOCUS names to 1.2 names, and names in the wrong case (`SkuPriceid`) to the
    spec's spelling — unless the file also has the 1.2 name."""
    out = {}
    for h in header:
        target = ALIASES.get(h) or FOCUS_NAMES.get(h.lower())
        if target and target != h and target not in header:
            out[h] = target
    return out


def _lower_lookup(column: str, table: dict[str, str], strict: bool = False) -> str:
    return case_lookup(column, table, strict=strict, key="lower(trim({" + column + "}))")


def _columns() -> dict[str, Expr]:
    cols: dict[str, Expr] = {}
    for name in schema.MAPPED_COLUMNS:
        if name.startswith("x_"):
            continue
        cols[name] = col(name)
    cols["ChargeCategory"] = expr(
        _lower_lookup("ChargeCategory", CHARGE_CATEGORY, strict=True),
        "allowed values, case-normalized",
    )
    cols["ChargeFrequency"] = expr(_lower_lookup("ChargeFrequency", CHARGE_FREQUENCY))
    cols["PricingCategory"] = expr(_lower_lookup("PricingCategory", PRICING_CATEGORY))
    cols["CommitmentDiscountStatus"] = expr(_lower_lookup("CommitmentDiscountStatus", STATUS))
    cols["CapacityReservationStatus"] = expr(_lower_lookup("CapacityReservationStatus", STATUS))
    cols["CommitmentDiscountCategory"] = expr(
        _lower_lookup("CommitmentDiscountCategory", COMMITMENT_CATEGORY)
    )
    cols["Tags"] = expr(
        "CASE WHEN {Tags} IS NULL OR cardinality({Tags}) = 0 THEN NULL ELSE {Tags} END",
        "JSON object (CSV) or map (Parquet)",
    )
    cols["SkuPriceDetails"] = expr("CAST({SkuPriceDetails} AS VARCHAR)")
    sku_detail = "json_extract_string(CAST({SkuPriceDetails} AS VARCHAR), '$.%s')"
    cols.update(
        {
            "x_InstanceType": expr(sku_detail % "InstanceType", "SkuPriceDetails.InstanceType"),
            "x_VolumeType": expr(
                "COALESCE({x_VolumeType}, " + sku_detail % "x_VolumeType" + ")",
                "x_VolumeType column or SkuPriceDetails.x_VolumeType",
            ),
            "x_StorageClass": expr(sku_detail % "StorageClass", "SkuPriceDetails.StorageClass"),
            "x_UsageType": col("x_UsageType", "provider extension (AWS FOCUS export)"),
            "x_Operation": col("x_Operation", "provider extension (AWS FOCUS export)"),
            "x_ServiceCode": col("x_ServiceCode", "provider extension (AWS FOCUS export)"),
            "x_SourceChargeType": col("ChargeCategory"),
            "x_SourceUnitPrice": expr("NULL", "the file's ContractedUnitPrice is the source price"),
            "x_SourceBilledCost": col("BilledCost"),
        }
    )
    return cols


VARIANTS = (
    HeaderSet(
        "FOCUS 1.2 (57 columns; 1.0 and 1.1 are subsets)",
        ("BilledCost", "BillingAccountId", "BillingCurrency", "ChargeCategory",
         "ChargePeriodStart", "ProviderName", "InvoiceId", "PricingCurrency"),
        "FOCUS_Spec specification/columns/*.md at tags v1.0, v1.1, v1.2; exports of AWS "
        "(FOCUS_1_2_AWS), Azure (FocusCost), Google Cloud, OCI",
    ),
    HeaderSet(
        "pre-1.0 names (third-party \"FOCUS\" files, OCI's FOCUS report)",
        ("Provider", "Publisher", "InvoiceIssuer", "Region", "UsageQuantity", "UsageUnit",
         "AmortizedCost", "ChargeType"),
        "FOCUS_Spec CHANGELOG.md (0.5 → 1.0 renames); formats.md §1.1, §5.5",
    ),
)  # fmt: skip


ADAPTER = Adapter(
    variants=VARIANTS,
    name="focus",
    title="FOCUS 1.0–1.2 (any provider)",
    provider_key=None,
    doc_url="https://focus.finops.org/focus-specification/",
    detect_all=frozenset({"BilledCost", "ChargePeriodStart", "BillingPeriodStart"}),
    required=frozenset(
        {
            "BilledCost",
            "ChargePeriodStart",
            "ChargePeriodEnd",
            "BillingPeriodStart",
            "BillingCurrency",
            "BillingAccountId",
            "ProviderName",
            "ChargeCategory",
        }
    ),
    csv_types={
        **{
            c.name: c.type
            for c in schema.FOCUS_COLUMNS
            if c.type in ("DOUBLE", "TIMESTAMPTZ", schema.MONEY)
        },
    },
    rename=rename,
    json_maps=("Tags",),
    null_strings=("", "NULL", "null"),
    lookups={
        "ALIASES (pre-1.0 column names → 1.2 names)": ALIASES,
        "CHARGE_CATEGORY (case-insensitive; unknown → error)": CHARGE_CATEGORY,
        "CHARGE_FREQUENCY (case-insensitive)": CHARGE_FREQUENCY,
        "PRICING_CATEGORY (case-insensitive; 1.0-preview values renamed)": PRICING_CATEGORY,
    },
    columns=_columns(),
)
