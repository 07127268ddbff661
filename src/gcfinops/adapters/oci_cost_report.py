"""Oracle Cloud Infrastructure cost reports (the proprietary `reports/cost-csv/` CSV or CSV.gz).

Columns: Oracle's "Cost and Usage Reports" documentation (docs.oracle.com/en-us/iaas/Content/
Billing/Concepts/costusagereportsoverview.htm; formats.md §5.2) and Oracle's own FOCUS mapping of
them (formats.md §5.3, §8.4). Real files spell some headers differently from the docs
(`lineItem/tenantId`, `product/Description`, `lineItem/backreferenceNo`), so headers match
case-insensitively. Tags arrive as one `tags/<namespace>.<key>` column each. OCI's FOCUS reports
are read by the `focus` adapter; the deprecated usage reports (no cost columns) are not billing
data.
"""

from __future__ import annotations

from gcfinops.adapters.base import (
    Adapter,
    Expr,
    HeaderSet,
    col,
    const,
    expr,
    lookup,
    null,
    sql_literal,
)
from gcfinops.schema import MONEY

# Docs spelling of every column read (formats.md §5.2).
CANONICAL = (
    "lineItem/referenceNo", "lineItem/tenantId", "lineItem/intervalUsageStart",
    "lineItem/intervalUsageEnd", "product/service", "product/compartmentId",
    "product/compartmentName", "product/region", "product/availabilityDomain",
    "product/resourceId", "usage/billedQuantity", "usage/billedQuantityOverage",
    "cost/subscriptionId", "cost/productSku", "product/description", "cost/unitPrice",
    "cost/unitPriceOverage", "cost/myCost", "cost/myCostOverage", "cost/currencyCode",
    "cost/billingUnitReadable", "cost/skuUnitDescription", "cost/overageFlag",
    "lineItem/isCorrection", "lineItem/backReferenceNo", "cost/attributedCost",
    "usage/attributedUsage",
)  # fmt: skip
_BY_LOWER = {c.lower(): c for c in CANONICAL}
TAG_PREFIX = "tags/"

# FOCUS ServiceCategory for OCI `product/service` codes (gcfinops table; FOCUS 1.2 allowed values).
SERVICE_CATEGORY: dict[str, str | None] = {
    "COMPUTE": "Compute", "BLOCK_STORAGE": "Storage", "OBJECTSTORE": "Storage",
    "FILE_STORAGE": "Storage", "NETWORK": "Networking", "LOAD_BALANCER": "Networking",
    "FAST_CONNECT": "Networking", "DNS": "Networking", "DATABASE": "Databases",
    "MYSQL": "Databases", "NOSQL": "Databases", "TELEMETRY": "Management and Governance",
    "LOGGING": "Management and Governance", "MONITORING": "Management and Governance",
    "API_GATEWAY": "Integration", "ORACLE_STREAMING_SERVICE": "Analytics",
    "KMS": "Security", "VAULT": "Security", "WAF": "Security",
    "OKE": "Compute", "FUNCTIONS": "Compute",
}  # fmt: skip

NUMERIC = ("usage/billedQuantity", "usage/billedQuantityOverage", "cost/unitPrice",
           "cost/unitPriceOverage", "cost/myCost", "cost/myCostOverage", "cost/attributedCost",
           "usage/attributedUsage")  # fmt: skip
TIMESTAMPS = ("lineItem/intervalUsageStart", "lineItem/intervalUsageEnd")

CORRECTION = "lower(coalesce({lineItem/isCorrection}, 'false')) = 'true'"
# BilledCost = cost/myCost (the whole cost, overage included); the FinOps Foundation converter's
# `cost/myCostOverage` is only the overage part (formats.md §8 "known bugs").
COST = "CAST({cost/myCost} AS DECIMAL(38,18))"
START = "{lineItem/intervalUsageStart}"
UNIT = "COALESCE(NULLIF({cost/skuUnitDescription}, ''), NULLIF({cost/billingUnitReadable}, ''))"


def rename(header: list[str]) -> dict[str, str]:
    """Header → docs spelling, ignoring case; `tags/…` columns keep their name."""
    out: dict[str, str] = {}
    for h in header:
        canonical = _BY_LOWER.get(h.strip().lower())
        if canonical is not None and not h.lower().startswith(TAG_PREFIX):
            out[h] = canonical
    return out


def tags_sql(header: list[str]) -> str:
    """Tags from `tags/<namespace>.<key>` columns: key `<namespace>.<key>` (free-form: `<key>`)."""
    pairs = [
        f"struct_pack(key := {sql_literal(h[len(TAG_PREFIX) :])},"
        f" value := CAST({{{h}}} AS VARCHAR))"
        for h in header
        if h.lower().startswith(TAG_PREFIX) and "{" not in h and "}" not in h
    ]
    return f"gcf_map_from_pairs([{', '.join(pairs)}])" if pairs else "NULL"


def _columns() -> dict[str, Expr]:
    return {
        "AvailabilityZone": expr("NULLIF({product/availabilityDomain}, '')",
                                 "product/availabilityDomain"),
        "BilledCost": expr(COST, "cost/myCost (not cost/myCostOverage)"),
        "BillingAccountId": expr(
            "COALESCE(NULLIF({cost/subscriptionId}, ''), {lineItem/tenantId})",
            "cost/subscriptionId (Oracle's FOCUS report), else the tenancy"),
        "BillingAccountName": null(),
        "BillingAccountType": const("Subscription", "constant (gcfinops choice)"),
        "BillingCurrency": expr("NULLIF(upper(trim({cost/currencyCode})), '')",
                                "cost/currencyCode (empty → error: FOCUS requires one)"),
        "BillingPeriodEnd": expr(f"date_trunc('month', {START}) + INTERVAL 1 MONTH",
                                 "start of the next UTC month"),
        "BillingPeriodStart": expr(f"date_trunc('month', {START})",
                                   "UTC month of lineItem/intervalUsageStart"),
        "CapacityReservationId": null(),
        "CapacityReservationStatus": null(),
        "ChargeCategory": const("Usage", "constant: cost reports hold usage only"),
        "ChargeClass": expr(f"CASE WHEN {CORRECTION} THEN 'Correction' END",
                            "lineItem/isCorrection = true → Correction"),
        "ChargeDescription": expr("NULLIF({product/description}, '')", "product/description"),
        "ChargeFrequency": const("Usage-Based"),
        "ChargePeriodEnd": col("lineItem/intervalUsageEnd"),
        "ChargePeriodStart": col("lineItem/intervalUsageStart"),
        "CommitmentDiscountCategory": null("OCI has no RIs or savings plans"),
        "CommitmentDiscountId": null("OCI has no RIs or savings plans"),
        "CommitmentDiscountName": null(),
        "CommitmentDiscountQuantity": null(),
        "CommitmentDiscountStatus": null(),
        "CommitmentDiscountType": null(),
        "CommitmentDiscountUnit": null(),
        "ConsumedQuantity": expr("CAST({usage/billedQuantity} AS DOUBLE)", "usage/billedQuantity"),
        "ConsumedUnit": expr(UNIT, "cost/skuUnitDescription, else cost/billingUnitReadable"),
        "ContractedCost": expr(COST, "cost/myCost"),
        "ContractedUnitPrice": expr("CAST({cost/unitPrice} AS DECIMAL(38,18))", "cost/unitPrice"),
        "EffectiveCost": expr(COST, "cost/myCost (no amortized commitments in OCI)"),
        "InvoiceId": null(),
        "InvoiceIssuerName": const("Oracle"),
        "ListCost": expr(COST, "cost/myCost: no list price in the report"),
        "ListUnitPrice": null("not in the report"),
        "PricingCategory": const("Standard"),
        "PricingCurrency": null(),
        "PricingCurrencyContractedUnitPrice": null(),
        "PricingCurrencyEffectiveCost": null(),
        "PricingCurrencyListUnitPrice": null(),
        "PricingQuantity": expr("CAST({usage/billedQuantity} AS DOUBLE)", "usage/billedQuantity"),
        "PricingUnit": expr(UNIT, "cost/skuUnitDescription, else cost/billingUnitReadable"),
        "ProviderName": const("Oracle"),
        "PublisherName": const("Oracle"),
        "RegionId": expr("NULLIF({product/region}, '')", "product/region (ap-tokyo-1)"),
        "RegionName": expr("NULLIF({product/region}, '')", "product/region"),
        "ResourceId": expr("NULLIF({product/resourceId}, '')", "product/resourceId (OCID)"),
        "ResourceName": null("not in the report"),
        "ResourceType": expr(
            "NULLIF(regexp_extract({product/resourceId}, '^ocid1\\.([^.]+)\\.', 1), '')",
            "OCID type segment (ocid1.<type>.…)"),
        "ServiceCategory": lookup("product/service", SERVICE_CATEGORY, default="'Other'"),
        "ServiceName": col("product/service"),
        "ServiceSubcategory": null("not derived yet"),
        "SkuId": expr("NULLIF({cost/productSku}, '')", "cost/productSku (part number)"),
        "SkuMeter": expr("NULLIF({product/description}, '')", "product/description"),
        "SkuPriceDetails": null(),
        "SkuPriceId": null(),
        "SubAccountId": col("product/compartmentId", "compartment OCID (the allocation unit)"),
        "SubAccountName": col("product/compartmentName"),
        "SubAccountType": expr("CASE WHEN {product/compartmentId} IS NOT NULL"
                               " THEN 'Compartment' END", "Compartment"),
        "Tags": Expr("NULL", "`tags/<namespace>.<key>` columns → key `<namespace>.<key>`",
                     build=tags_sql),
        "x_InstanceType": null("OCI shapes are not in the cost report"),
        "x_VolumeType": null(),
        "x_StorageClass": null(),
        "x_UsageType": expr("NULLIF({cost/productSku}, '')", "part number (cost/productSku)"),
        "x_Operation": null(),
        "x_ServiceCode": col("product/service"),
        "x_SourceChargeType": expr(f"CASE WHEN {CORRECTION} THEN 'Correction' ELSE 'Usage' END",
                                   "Correction when lineItem/isCorrection, else Usage"),
        "x_SourceUnitPrice": null("the source unit price is the one mapped to ContractedUnitPrice"),
        "x_SourceBilledCost": expr(COST, "cost/myCost"),
    }  # fmt: skip


VARIANTS = (
    HeaderSet(
        "documented spelling",
        CANONICAL,
        "Oracle, Cost and Usage Reports overview (costusagereportsoverview.htm); "
        "formats.md §5.2",
    ),
    HeaderSet(
        "real-file spelling (case differs: `lineItem/tenantId`, `product/Description`, "
        "`lineItem/backreferenceNo`); one `tags/<namespace>.<key>` column per tag",
        ("lineItem/tenantId", "product/Description", "lineItem/backreferenceNo",
         "tags/<namespace>.<key>"),
        "public cost reports in shared/reference/data/oci (reports_cost-csv_….csv)",
    ),
)  # fmt: skip


ADAPTER = Adapter(
    variants=VARIANTS,
    name="oci-cost-report",
    title="Oracle Cloud Infrastructure cost report (reports/cost-csv)",
    provider_key="oci",
    doc_url="https://docs.oracle.com/en-us/iaas/Content/Billing/Concepts/costusagereportsoverview.htm",
    detect_all=frozenset({"lineItem/intervalUsageStart", "cost/myCost", "product/service"}),
    required=frozenset(
        {
            "lineItem/intervalUsageStart",
            "lineItem/intervalUsageEnd",
            "cost/myCost",
            "cost/currencyCode",
            "lineItem/tenantId",
        }
    ),
    csv_types={
        **{n: MONEY if n.startswith("cost/") else "DOUBLE" for n in NUMERIC},
        **dict.fromkeys(TIMESTAMPS, "TIMESTAMPTZ"),
    },
    rename=rename,
    columns=_columns(),
    lookups={"product/service → ServiceCategory": SERVICE_CATEGORY},
)
