"""Azure pay-as-you-go usage details (the older "usage only" dataset, version 2019-11-01).

Columns: Microsoft's dataset schema `cost-usage-details-pay-as-you-go.md` (MicrosoftDocs/azure-docs
`articles/cost-management-billing/dataset-schema/`; learn.microsoft.com "Pay-as-you-go cost and
usage details file schema"): 24 columns, `SubscriptionGuid` … `PreTaxCost` … `Currency`,
`UnitOfMeasure` (formats.md §4.4). Pay-as-you-go is also called MOSP / MOSA. The dataset holds
usage only — no purchases, reservations or credits — so every row is a Usage charge billed as
written. It is not the EA/MCA cost details schema (`azure-cost-details`): other names
(`PreTaxCost`, not `CostInBillingCurrency`), no billing-period columns (the UTC month of the
usage is the billing period here; a subscription's real invoice period follows its sign-up
day), and `Tags` written with braces.

Three header sets are read, matched case-insensitively: the English names of the 2019-11-01
schema; koku's camelCase variant (`subscriptionGuid`, `preTaxCost`, `quantity`, `resourceId`,
no `UnitOfMeasure`); and localized headers of the form `Localized name (EnglishName)`, which are
read by the English name in the parentheses (formats.md §10; the form Microsoft's localized
pages give field names in, e.g. ja-jp `測定カテゴリ (MeterCategory)`). A localized name without
the English one in parentheses is not guessed: detection then lists the columns it lacks.
"""

from __future__ import annotations

import re

from gcfinops.adapters.azure_cost_details import (
    BLOB_TIER,
    DISK_TYPE,
    REGION_ALIASES,
    REGION_KEY,
    REGION_NAMES,
    SERVICE_CATEGORY,
    SERVICE_CATEGORY_SQL,
    SERVICE_SUBCATEGORY,
    SERVICE_SUBCATEGORY_NOTE,
    SERVICE_SUBCATEGORY_SQL,
    STORAGE_SUBCATEGORY,
    TAGS,
    VM_SIZE,
    azure_date,
)
from gcfinops.adapters.base import (
    Adapter,
    Expr,
    HeaderSet,
    case_lookup,
    col,
    const,
    expr,
    null,
)
from gcfinops.schema import MONEY

# The 2019-11-01 schema, in Microsoft's order (cost-usage-details-pay-as-you-go.md).
CANONICAL = (
    "SubscriptionGuid", "ResourceGroup", "ResourceLocation", "UsageDateTime", "MeterCategory",
    "MeterSubCategory", "MeterId", "MeterName", "MeterRegion", "UsageQuantity", "ResourceRate",
    "PreTaxCost", "ConsumedService", "ResourceType", "InstanceId", "Tags", "OfferId",
    "AdditionalInfo", "ServiceInfo1", "ServiceInfo2", "ServiceName", "ServiceTier", "Currency",
    "UnitOfMeasure",
)  # fmt: skip
_CANON_BY_LOWER = {c.lower(): c for c in CANONICAL}
# Other spellings (lower case) → canonical, used when the canonical column is absent.
ALIASES: dict[str, str | None] = {
    "quantity": "UsageQuantity",  # koku camelCase variant
    "resourceid": "InstanceId",  # koku camelCase variant
}
# `Localized name (EnglishName)`: the English name is the last parenthesized word.
_LOCALIZED = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9]*)\s*\)\s*$")

NUMERIC = ("UsageQuantity", "ResourceRate", "PreTaxCost")
LINE = "CAST({@row} + 1 AS VARCHAR)"
COST = "CAST({PreTaxCost} AS DECIMAL(38,18))"
QTY = "CAST({UsageQuantity} AS DOUBLE)"
DAY = azure_date("UsageDateTime")
REGION_ID = case_lookup("ResourceLocation", REGION_ALIASES, key=REGION_KEY, default=REGION_KEY)


def english_name(header_name: str) -> str:
    """`使用日時 (UsageDateTime)` → `UsageDateTime`; other names as they are (trimmed)."""
    m = _LOCALIZED.search(header_name)
    return m.group(1) if m else header_name.strip()


def rename(header: list[str]) -> dict[str, str]:
    """Header → canonical name: English, camelCase and localized spellings, any letter case."""
    out: dict[str, str] = {}
    for h in header:
        canonical = _CANON_BY_LOWER.get(english_name(h).lower())
        if canonical is not None and canonical not in out.values():
            out[h] = canonical
    for h in header:
        alias = ALIASES.get(english_name(h).lower())
        if h not in out and alias is not None and alias not in out.values():
            out[h] = alias
    return out


def _columns() -> dict[str, Expr]:
    return {
        "AvailabilityZone": null("not in this dataset"),
        "BilledCost": expr(COST, "PreTaxCost (usage only: billed as written)"),
        "BillingAccountId": col("SubscriptionGuid", "SubscriptionGuid (a pay-as-you-go "
                                "subscription is its own billing account)"),
        "BillingAccountName": null("not in this dataset"),
        "BillingAccountType": const("Subscription"),
        "BillingCurrency": expr("NULLIF(upper(trim({Currency})), '')", "Currency"),
        "BillingPeriodEnd": expr(f"date_trunc('month', {DAY}) + INTERVAL 1 MONTH",
                                 "start of the next UTC month"),
        "BillingPeriodStart": expr(f"date_trunc('month', {DAY})",
                                   "UTC month of UsageDateTime (no billing-period columns)"),
        "CapacityReservationId": null(),
        "CapacityReservationStatus": null(),
        "ChargeCategory": const("Usage", "constant: the dataset holds usage only"),
        "ChargeClass": null("no corrections in this dataset"),
        "ChargeDescription": expr(
            "NULLIF(concat_ws(' - ', NULLIF({MeterCategory}, ''), NULLIF({MeterSubCategory}, ''),"
            " NULLIF({MeterName}, '')), '')", "MeterCategory - MeterSubCategory - MeterName"),
        "ChargeFrequency": const("Usage-Based"),
        "ChargePeriodEnd": expr(f"{DAY} + INTERVAL 1 DAY", "UsageDateTime + 1 day"),
        "ChargePeriodStart": expr(DAY, "UsageDateTime (UTC day; ISO with or without time, or "
                                  "MM/DD/YYYY)"),
        "CommitmentDiscountCategory": null("no commitments in this dataset"),
        "CommitmentDiscountId": null("no commitments in this dataset"),
        "CommitmentDiscountName": null(),
        "CommitmentDiscountQuantity": null(),
        "CommitmentDiscountStatus": null(),
        "CommitmentDiscountType": null(),
        "CommitmentDiscountUnit": null(),
        "ConsumedQuantity": expr(QTY, "UsageQuantity (camelCase: quantity)"),
        "ConsumedUnit": expr("NULLIF({UnitOfMeasure}, '')", "UnitOfMeasure as given"),
        "ContractedCost": expr(COST, "PreTaxCost"),
        "ContractedUnitPrice": expr("CAST({ResourceRate} AS DECIMAL(38,18))", "ResourceRate"),
        "EffectiveCost": expr(COST, "PreTaxCost (nothing to amortize)"),
        "InvoiceId": null("not in this dataset"),
        "InvoiceIssuerName": const("Microsoft"),
        "ListCost": expr(COST, "PreTaxCost (a pay-as-you-go subscription pays the list price)"),
        "ListUnitPrice": expr("CAST({ResourceRate} AS DECIMAL(38,18))",
                              "ResourceRate: pay-as-you-go rates are Azure's retail (list) "
                              "prices, with no negotiated discount"),
        "PricingCategory": const("Standard", "constant: pay-as-you-go rates"),
        "PricingCurrency": expr("NULLIF(upper(trim({Currency})), '')",
                                "Currency: pay-as-you-go rates are in the billing currency"),
        "PricingCurrencyContractedUnitPrice": expr("CAST({ResourceRate} AS DECIMAL(38,18))",
                                                   "ResourceRate (the same currency)"),
        "PricingCurrencyEffectiveCost": expr(COST, "PreTaxCost (the same currency)"),
        "PricingCurrencyListUnitPrice": expr("CAST({ResourceRate} AS DECIMAL(38,18))",
                                             "ResourceRate (the same currency)"),
        "PricingQuantity": expr(QTY, "UsageQuantity"),
        "PricingUnit": expr("NULLIF({UnitOfMeasure}, '')", "UnitOfMeasure (block size included)"),
        "ProviderName": const("Microsoft"),
        "PublisherName": const("Microsoft"),
        "RegionId": expr(REGION_ID, "ResourceLocation, lower case, no spaces"),
        "RegionName": expr(
            case_lookup("ResourceLocation", REGION_NAMES, key=REGION_ID,
                        default="NULLIF({ResourceLocation}, '')"),
            "display name of the RegionId (value table), else ResourceLocation"),
        "ResourceId": expr("NULLIF({InstanceId}, '')", "InstanceId (camelCase: resourceId)"),
        "ResourceName": expr("NULLIF(regexp_extract({InstanceId}, '[^/]+$'), '')",
                             "last segment of InstanceId"),
        "ResourceType": expr(
            "CASE WHEN NULLIF({InstanceId}, '') IS NOT NULL THEN COALESCE(NULLIF({ResourceType},"
            " ''), NULLIF(regexp_extract({InstanceId}, '(?i)/providers/([^/]+/[^/]+)', 1),"
            " '')) END",
            "ResourceType, else the ARM type in InstanceId; NULL where ResourceId is NULL"),
        "ServiceCategory": expr(SERVICE_CATEGORY_SQL, "MeterCategory via the value table, "
                                "else `Other`"),
        "ServiceName": expr("COALESCE(NULLIF({MeterCategory}, ''), NULLIF({ServiceName}, ''))",
                            "MeterCategory, else ServiceName"),
        "ServiceSubcategory": expr(SERVICE_SUBCATEGORY_SQL, SERVICE_SUBCATEGORY_NOTE),
        "SkuId": null("not in this dataset"),
        "SkuMeter": null("NULL: no SkuId in this dataset, and FOCUS wants SkuMeter NULL where "
                         "SkuId is (the meter name is in x_UsageType)"),
        "SkuPriceDetails": null("NULL: no SkuPriceId in this dataset, and FOCUS wants "
                                "SkuPriceDetails NULL where SkuPriceId is (the VM size is in "
                                "x_InstanceType)"),
        "SkuPriceId": null(),
        "SubAccountId": col("SubscriptionGuid"),
        "SubAccountName": null("not in this dataset"),
        "SubAccountType": expr("CASE WHEN {SubscriptionGuid} IS NOT NULL THEN 'Subscription' END",
                               "Subscription"),
        "Tags": expr(TAGS, "Tags (a JSON object, with braces)"),
        "x_InstanceType": expr(VM_SIZE, "AdditionalInfo.ServiceType (the VM size)"),
        "x_VolumeType": expr(DISK_TYPE, "managed-disk SKU (Premium_LRS …) from MeterSubCategory"),
        "x_StorageClass": expr(BLOB_TIER, "blob access tier (Hot, Cool, Cold, Archive)"),
        "x_UsageType": col("MeterName"),
        "x_Operation": null(),
        "x_ServiceCode": col("ConsumedService"),
        "x_SourceChargeType": const("Usage"),
        "x_SourceUnitPrice": null("the source unit price is the one mapped to ContractedUnitPrice"),
        "x_SourceBilledCost": expr(COST, "PreTaxCost"),
    }  # fmt: skip


ADAPTER = Adapter(
    name="azure-payg-usage",
    title="Azure pay-as-you-go usage details (usage only, 2019-11-01; English or localized)",
    provider_key="azure",
    doc_url="https://learn.microsoft.com/azure/cost-management-billing/dataset-schema/cost-usage-details-pay-as-you-go",
    detect_all=frozenset({"SubscriptionGuid", "UsageDateTime", "PreTaxCost", "MeterCategory"}),
    required=frozenset({"SubscriptionGuid", "UsageDateTime", "PreTaxCost", "Currency"}),
    csv_types={n: "DOUBLE" if n == "UsageQuantity" else MONEY for n in NUMERIC},
    rename=rename,
    columns=_columns(),
    variants=(
        HeaderSet(
            "English (2019-11-01)",
            CANONICAL,
            "Microsoft, cost-usage-details-pay-as-you-go.md (MicrosoftDocs/azure-docs "
            "articles/cost-management-billing/dataset-schema/); koku sample costreport_….csv",
        ),
        HeaderSet(
            "camelCase",
            (
                "subscriptionGuid",
                "usageDateTime",
                "quantity",
                "resourceRate",
                "preTaxCost",
                "resourceId",
                "currency",
            ),
            "koku test data azure_camelCased.csv (no UnitOfMeasure)",
        ),
        HeaderSet(
            "localized: `Localized name (EnglishName)`",
            ("… (SubscriptionGuid)", "… (UsageDateTime)", "… (PreTaxCost)", "…"),
            "formats.md §10; the form Microsoft's localized pages print field names in "
            "(learn.microsoft.com/ja-jp …/understand-usage-details-fields: "
            "`測定カテゴリ (MeterCategory)`, `測定単位 (UnitOfMeasure)`); read by the English "
            "name in parentheses",
        ),
    ),
    lookups={
        "Header spellings → canonical column (used when the canonical one is absent)": ALIASES,
        "MeterCategory → ServiceCategory": SERVICE_CATEGORY,
        "MeterCategory → ServiceSubcategory (else Other (<ServiceCategory>))": SERVICE_SUBCATEGORY,
        "Storage MeterSubCategory pattern → ServiceSubcategory": dict(STORAGE_SUBCATEGORY),
        "ResourceLocation (lower case, no spaces) → RegionId": REGION_ALIASES,
        "RegionId → RegionName": REGION_NAMES,
    },
)
