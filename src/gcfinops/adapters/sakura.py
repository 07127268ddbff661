"""Sakura Cloud (さくらのクラウド) monthly billing details, in a CSV layout documented by gcfinops.

Sakura Cloud has no scheduled billing export. Its Billing API (さくらのクラウド マニュアル「請求関連
API」, manual.sakura.ad.jp/cloud/api/billapi.html) returns bills (`bill/by-contract/…`) and their
details (`billdetail/{member}/{bill}`) as JSON — field names in the official Go SDK
sacloud/iaas-api-go `naked/bill.go` — and a detail CSV (`billdetail/…/csv`) whose header is not
documented anywhere public (the SDK's fake returns a dummy header). So this adapter reads a layout
of our own whose columns are the API's JSON field names (`ContractID`, `Amount`, `ServiceClassPath`,
`Zone`, …) plus the account, the month and optional allocation tags: a script can write it from
the API's JSON, and a vendor can fill it by hand (Japanese headers are accepted too). The
layout, column by column, is in docs/providers.md (Sakura Cloud). Amounts are yen per month: no
hourly data.
"""

from __future__ import annotations

from gcfinops.adapters.base import Adapter, Expr, HeaderSet, const, expr, null, sql_literal
from gcfinops.schema import MONEY

# Canonical column (API JSON field name where one exists) ← accepted Japanese header.
JAPANESE = {
    "アカウントID": "AccountID", "請求ID": "BillID", "請求日": "BillDate", "利用月": "BillingMonth",
    "契約ID": "ContractID", "説明": "Description", "サービスクラスID": "ServiceClassID",
    "サービスクラスパス": "ServiceClassPath", "サービス利用量パス": "ServiceUsagePath",
    "利用量": "Usage", "利用量表示": "FormattedUsage", "ゾーン": "Zone", "金額": "Amount",
    "契約終了日時": "ContractEndAt", "通貨": "Currency", "料金区分": "ChargeType", "タグ": "Tags",
    "サービス名": "ServiceName", "プラン": "Plan",
}  # fmt: skip
CANONICAL = (*JAPANESE.values(),)
_BY_LOWER = {c.lower(): c for c in CANONICAL} | {k: v for k, v in JAPANESE.items()}

# FOCUS ChargeCategory: the layout's ChargeType column holds FOCUS values (default Usage).
CHARGE_TYPES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")
# Zone → region (さくらのクラウド マニュアル: 東京 tk1a/tk1b, 石狩 is1a/is1b, サンドボックス tk1v).
REGION_NAMES = {"tk1": "Tokyo", "is1": "Ishikari"}
# ServiceCategory from words in ServiceClassPath (gcfinops heuristic; the class paths Sakura uses
# are not documented: anything unmatched is "Other").
CATEGORY_WORDS = (
    ("server", "Compute"), ("disk", "Storage"), ("archive", "Storage"), ("storage", "Storage"),
    ("nfs", "Storage"), ("router", "Networking"), ("switch", "Networking"),
    ("internet", "Networking"), ("loadbalancer", "Networking"), ("ipaddress", "Networking"),
    ("gslb", "Networking"), ("dns", "Networking"), ("database", "Databases"),
    ("license", "Other"),
)  # fmt: skip

LINE = "CAST({@row} + 1 AS VARCHAR)"
AMOUNT = "CAST({Amount} AS DECIMAL(38,18))"
MONTH_TEXT = "trim(CAST({BillingMonth} AS VARCHAR))"
MONTH = (
    f"CAST(date_trunc('month', COALESCE(try_strptime({MONTH_TEXT}, ['%Y-%m', '%Y/%m', '%Y%m',"
    f" '%Y-%m-%d', '%Y/%m/%d', '%Y年%m月']), error('line ' || {LINE} || ': column BillingMonth: "
    f"not a month (found ''' || {MONTH_TEXT} || ''', expected YYYY-MM such as 2025-04)')))"
    " AS TIMESTAMPTZ)"
)
CATEGORY = (
    f"CASE WHEN NULLIF(trim({{ChargeType}}), '') IS NULL THEN 'Usage' "
    f"WHEN trim({{ChargeType}}) IN ({', '.join(map(sql_literal, CHARGE_TYPES))}) "
    f"THEN trim({{ChargeType}}) ELSE error('line ' || {LINE} || ': column ChargeType: unknown "
    f"value ''' || {{ChargeType}} || ''' (expected one of: {', '.join(CHARGE_TYPES)})') END"
)
TAGS_TEXT = "trim(CAST({Tags} AS VARCHAR))"
TAGS = (
    f"CASE WHEN NULLIF({TAGS_TEXT}, '') IS NULL OR {TAGS_TEXT} = '{{}}' THEN NULL "
    f"WHEN CASE WHEN json_valid({TAGS_TEXT}) THEN json_type({TAGS_TEXT}) = 'OBJECT' AND "
    f"len(json_keys({TAGS_TEXT})) = len(list_distinct(json_keys({TAGS_TEXT}))) END "
    f"THEN CAST(CAST({TAGS_TEXT} AS JSON) AS MAP(VARCHAR, VARCHAR)) "
    f"ELSE error('line ' || {LINE} || ': column Tags: not a JSON object (found ''' || "
    f"left({TAGS_TEXT}, 80) || ''', expected a JSON object of tag keys and values, "
    f"keys unique)') END"
)
REGION = "NULLIF(regexp_extract(lower({Zone}), '^([a-z]+[0-9]+)', 1), '')"
SERVICE_CATEGORY = (
    "CASE "
    + " ".join(
        f"WHEN lower({{ServiceClassPath}}) LIKE '%{w}%' THEN {sql_literal(c)}"
        for w, c in CATEGORY_WORDS
    )
    + " ELSE 'Other' END"
)


def rename(header: list[str]) -> dict[str, str]:
    """Header → canonical column: API field names in any case, or the Japanese headers."""
    out: dict[str, str] = {}
    for h in header:
        canonical = _BY_LOWER.get(h.strip().lower()) or _BY_LOWER.get(h.strip())
        if canonical is not None and canonical not in out.values():
            out[h] = canonical
    return out


def _columns() -> dict[str, Expr]:
    return {
        "AvailabilityZone": expr("NULLIF(lower(trim({Zone})), '')", "Zone (tk1a, is1b, …)"),
        "BilledCost": expr(AMOUNT, "Amount (yen)"),
        "BillingAccountId": expr("trim(CAST({AccountID} AS VARCHAR))", "AccountID"),
        "BillingAccountName": null(),
        "BillingAccountType": const("Account", "constant (gcfinops choice)"),
        "BillingCurrency": expr("COALESCE(NULLIF(upper(trim({Currency})), ''), 'JPY')",
                                "Currency, default JPY"),
        "BillingPeriodEnd": expr(f"{MONTH} + INTERVAL 1 MONTH", "the next month"),
        "BillingPeriodStart": expr(MONTH, "BillingMonth at 00:00 UTC (see docs/providers.md)"),
        "CapacityReservationId": null(),
        "CapacityReservationStatus": null(),
        "ChargeCategory": expr(CATEGORY, "ChargeType (FOCUS values), default Usage"),
        "ChargeClass": null(),
        "ChargeDescription": expr("NULLIF({Description}, '')", "Description"),
        "ChargeFrequency": expr("CASE WHEN NULLIF(trim({ChargeType}), '') IS NULL OR trim("
                                "{ChargeType}) = 'Usage' THEN 'Usage-Based' ELSE 'Recurring' END",
                                "Usage → Usage-Based, other charge types → Recurring"),
        "ChargePeriodEnd": expr(f"{MONTH} + INTERVAL 1 MONTH", "end of the month"),
        "ChargePeriodStart": expr(MONTH, "the month: monthly amounts only"),
        "CommitmentDiscountCategory": null(),
        "CommitmentDiscountId": null(),
        "CommitmentDiscountName": null(),
        "CommitmentDiscountQuantity": null(),
        "CommitmentDiscountStatus": null(),
        "CommitmentDiscountType": null(),
        "CommitmentDiscountUnit": null(),
        "ConsumedQuantity": expr("TRY_CAST({Usage} AS DOUBLE)", "Usage as given"),
        "ConsumedUnit": expr("NULLIF({FormattedUsage}, '')", "FormattedUsage (e.g. 720時間)"),
        "ContractedCost": expr(AMOUNT, "Amount"),
        "ContractedUnitPrice": null(),
        "EffectiveCost": expr(AMOUNT, "Amount (no commitments to amortize)"),
        "InvoiceId": expr("NULLIF(trim(CAST({BillID} AS VARCHAR)), '')", "BillID"),
        "InvoiceIssuerName": const("さくらインターネット株式会社"),
        "ListCost": expr(AMOUNT, "Amount: no list price in the data"),
        "ListUnitPrice": null(),
        "PricingCategory": expr("CASE WHEN NULLIF(trim({ChargeType}), '') IS NULL OR "
                                "trim({ChargeType}) = 'Usage' THEN 'Standard' END",
                                "Standard on usage rows"),
        "PricingCurrency": null(),
        "PricingCurrencyContractedUnitPrice": null(),
        "PricingCurrencyEffectiveCost": null(),
        "PricingCurrencyListUnitPrice": null(),
        "PricingQuantity": null(),
        "PricingUnit": null(),
        "ProviderName": const("SAKURA internet"),
        "PublisherName": const("SAKURA internet"),
        "RegionId": expr(REGION, "zone without its letter (tk1, is1)"),
        "RegionName": expr(f"CASE {REGION} "
                           + " ".join(f"WHEN {sql_literal(k)} THEN {sql_literal(v)}"
                                      for k, v in REGION_NAMES.items()) + " END",
                           "Tokyo (tk1), Ishikari (is1)"),
        "ResourceId": expr("NULLIF(trim(CAST({ContractID} AS VARCHAR)), '')", "ContractID"),
        "ResourceName": expr("NULLIF({Description}, '')", "Description"),
        "ResourceType": null(),
        "ServiceCategory": expr(SERVICE_CATEGORY, "words in ServiceClassPath"),
        "ServiceName": expr("COALESCE(NULLIF({ServiceName}, ''), {ServiceClassPath})",
                            "ServiceName, else ServiceClassPath"),
        "ServiceSubcategory": null(),
        "SkuId": expr("NULLIF(trim(CAST({ServiceClassID} AS VARCHAR)), '')", "ServiceClassID"),
        "SkuMeter": expr("NULLIF({ServiceClassPath}, '')", "ServiceClassPath"),
        "SkuPriceDetails": null(),
        "SkuPriceId": null(),
        "SubAccountId": expr("trim(CAST({AccountID} AS VARCHAR))", "AccountID"),
        "SubAccountName": null(),
        "SubAccountType": const("Account"),
        "Tags": expr(TAGS, "Tags (JSON object), filled by the vendor for allocation"),
        "x_InstanceType": expr("NULLIF({Plan}, '')", "Plan (e.g. 4Core-8GB)"),
        "x_VolumeType": null(),
        "x_StorageClass": null(),
        "x_UsageType": expr("NULLIF({ServiceUsagePath}, '')", "ServiceUsagePath"),
        "x_Operation": null(),
        "x_ServiceCode": expr("NULLIF({ServiceClassPath}, '')", "ServiceClassPath"),
        "x_SourceChargeType": expr("COALESCE(NULLIF(trim({ChargeType}), ''), 'Usage')",
                                   "ChargeType, default Usage"),
        "x_SourceUnitPrice": null("the source unit price is the one mapped to ContractedUnitPrice"),
        "x_SourceBilledCost": expr(AMOUNT, "Amount"),
    }  # fmt: skip


VARIANTS = (
    HeaderSet(
        "English (Billing API JSON field names)",
        CANONICAL,
        "gcfinops layout (docs/providers.md) over the Billing API's field names: "
        "sacloud/iaas-api-go naked/bill.go; manual.sakura.ad.jp/cloud/api/billapi.html",
    ),
    HeaderSet(
        "Japanese headers",
        tuple(JAPANESE),
        "gcfinops layout (docs/providers.md), Japanese column names",
    ),
)  # fmt: skip


ADAPTER = Adapter(
    variants=VARIANTS,
    name="sakura",
    title="Sakura Cloud billing details (gcfinops CSV layout from the Billing API fields)",
    provider_key="sakura",
    doc_url="https://manual.sakura.ad.jp/cloud/api/billapi.html",
    detect_all=frozenset({"AccountID", "BillingMonth", "Amount", "ServiceClassPath"}),
    required=frozenset({"AccountID", "BillingMonth", "Amount"}),
    csv_types={"Amount": MONEY},
    rename=rename,
    columns=_columns(),
    lookups={
        "Japanese header → column": JAPANESE,
        "Region (zone without its letter) → RegionName": REGION_NAMES,
        "Word in ServiceClassPath → ServiceCategory (first match)": dict(CATEGORY_WORDS),
    },
)
