"""Google Cloud Billing export to BigQuery (standard and detailed), as files taken out of BigQuery.

Columns: Google Cloud "Structure of Standard data export" and "Structure of Detailed data export"
(docs.cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage and
…/detailed-usage; formats.md §3.2–3.4); the FOCUS mapping follows Google's own FOCUS BigQuery view
template (Looker `view: focus`, 2024; formats.md §3.6, §8.2) except where noted. Three shapes:
newline-delimited JSON and Parquet keep BigQuery's nested records (`service.description`, the
`credits` and `labels` arrays); CSV can only hold them flattened, with dotted
(`service.description`) or underscored (`service_description`) names and the arrays as JSON text
or as Python repr (koku's files). Each mapping below names the dotted path; the header decides
how it is read. Google's invoice month is a US-Pacific month: see docs/providers.md.
"""

from __future__ import annotations

import re

from gcfinops.adapters.base import Adapter, Expr, HeaderSet, const, null, sql_literal
from gcfinops.schema import MONEY

# Every leaf read, as BigQuery's dotted path (standard + detailed schema, formats.md §3.2).
LEAVES = (
    "billing_account_id", "service.id", "service.description", "sku.id", "sku.description",
    "usage_start_time", "usage_end_time", "project.id", "project.number", "project.name",
    "project.labels", "labels", "system_labels", "tags", "location.location", "location.region",
    "location.zone", "cost", "currency", "currency_conversion_rate", "usage.amount", "usage.unit",
    "usage.amount_in_pricing_units", "usage.pricing_unit", "credits", "invoice.month", "cost_type",
    "adjustment_info.type", "adjustment_info.mode", "cost_at_list", "transaction_type",
    "seller_name", "price.effective_price", "price.tier_start_amount", "price.list_price",
    "resource.name", "resource.global_name", "subscription.instance_id",
    # added by the `bq://` source (sources/gcp.py): the Cloud Billing API's display name
    "gcf_billing_account_name",
)  # fmt: skip
ROOTS = frozenset(leaf.split(".")[0] for leaf in LEAVES if "." in leaf)
ARRAYS = ("labels", "system_labels", "tags", "project.labels", "credits")
_BY_LOWER = {leaf.lower(): leaf for leaf in LEAVES} | {
    leaf.replace(".", "_").lower(): leaf for leaf in LEAVES if "." in leaf
}
# Field lists for reading koku's Python-repr arrays (a superset of each record's fields).
LABEL_STRUCT = "STRUCT(key VARCHAR, value VARCHAR, inherited VARCHAR, namespace VARCHAR)[]"
CREDIT_STRUCT = "STRUCT(name VARCHAR, amount DOUBLE, full_name VARCHAR, id VARCHAR, type VARCHAR)[]"

# cost_type (formats.md §3.2): regular → Usage, tax → Tax, adjustment → Adjustment (Credit for
# goodwill and SLA credits, FOCUS ChargeCategory), rounding_error → Adjustment.
CHARGE_CATEGORY = {"regular": "Usage", "tax": "Tax", "adjustment": "Adjustment",
                   "rounding_error": "Adjustment"}  # fmt: skip
GOODWILL = ("GOODWILL", "SALES_BASED_GOODWILL", "SLA_VIOLATION")
# Committed use discount credits (formats.md §3.3): resource-based → Usage; spend-based → Spend.
CUD_CATEGORY = {"COMMITTED_USAGE_DISCOUNT": "Usage",
                "COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE": "Spend",
                "FEE_UTILIZATION_OFFSET": "Spend"}  # fmt: skip

# FOCUS ServiceCategory for common service.description values (gcfinops table after the FinOps
# converter's gcp_category_mapping.csv; FOCUS 1.2 allowed values). Anything else is "Other".
SERVICE_CATEGORY = {
    "Compute Engine": "Compute", "Kubernetes Engine": "Compute", "Cloud Run": "Compute",
    "Cloud Run Functions": "Compute", "Cloud Functions": "Compute", "App Engine": "Compute",
    "VMware Engine": "Compute", "Cloud Storage": "Storage", "Filestore": "Storage",
    "Backup and DR Service": "Storage", "Networking": "Networking", "Cloud DNS": "Networking",
    "Cloud Load Balancing": "Networking", "Cloud CDN": "Networking", "Cloud NAT": "Networking",
    "Cloud Interconnect": "Networking", "Cloud VPN": "Networking", "Cloud SQL": "Databases",
    "Cloud Spanner": "Databases", "Cloud Bigtable": "Databases", "Firestore": "Databases",
    "Cloud Memorystore for Redis": "Databases", "AlloyDB": "Databases", "BigQuery": "Analytics",
    "Dataflow": "Analytics", "Dataproc": "Analytics", "Looker Studio": "Analytics",
    "Cloud Pub/Sub": "Integration", "Cloud Scheduler": "Integration", "Cloud Tasks": "Integration",
    "Cloud Logging": "Management and Governance",
    "Stackdriver Logging": "Management and Governance",
    "Cloud Monitoring": "Management and Governance",
    "Stackdriver Monitoring": "Management and Governance",
    "Security Command Center": "Security", "Cloud Key Management Service (KMS)": "Security",
    "Secret Manager": "Security", "Cloud Armor": "Security", "Identity Platform": "Identity",
    "Vertex AI": "AI and Machine Learning", "Cloud Vision API": "AI and Machine Learning",
    "Gemini API": "AI and Machine Learning", "Artifact Registry": "Developer Tools",
    "Cloud Build": "Developer Tools",
}  # fmt: skip
# FOCUS ServiceSubcategory for the same service.description values (FOCUS 1.2 allowed values,
# each under the ServiceCategory above; gcfinops table). A service not listed, or one spanning
# several subcategories (`Networking`), is `Other (<ServiceCategory>)`, FOCUS's own value for
# "in this category, no finer class".
SERVICE_SUBCATEGORY = {
    "Compute Engine": "Virtual Machines", "VMware Engine": "Virtual Machines",
    "Kubernetes Engine": "Containers", "Cloud Run": "Serverless Compute",
    "Cloud Run Functions": "Serverless Compute", "Cloud Functions": "Serverless Compute",
    "App Engine": "Serverless Compute", "Cloud Storage": "Object Storage",
    "Filestore": "File Storage", "Backup and DR Service": "Backup Storage",
    "Cloud DNS": "Network Routing", "Cloud Load Balancing": "Application Networking",
    "Cloud CDN": "Content Delivery", "Cloud NAT": "Network Infrastructure",
    "Cloud Interconnect": "Network Connectivity", "Cloud VPN": "Network Connectivity",
    "Cloud SQL": "Relational Databases", "Cloud Spanner": "Relational Databases",
    "AlloyDB": "Relational Databases", "Cloud Bigtable": "NoSQL Databases",
    "Firestore": "NoSQL Databases", "Cloud Memorystore for Redis": "Caching",
    "BigQuery": "Analytics Platforms", "Dataflow": "Data Processing",
    "Dataproc": "Data Processing", "Looker Studio": "Business Intelligence",
    "Cloud Pub/Sub": "Messaging", "Cloud Scheduler": "Workflow Orchestration",
    "Cloud Tasks": "Workflow Orchestration", "Cloud Logging": "Observability",
    "Stackdriver Logging": "Observability", "Cloud Monitoring": "Observability",
    "Stackdriver Monitoring": "Observability",
    "Security Command Center": "Security Posture Management",
    "Cloud Key Management Service (KMS)": "Secret Management",
    "Secret Manager": "Secret Management", "Identity Platform": "Identity and Access Management",
    "Vertex AI": "AI Platforms", "Gemini API": "Generative AI",
    "Cloud Build": "Continuous Integration and Deployment",
}  # fmt: skip
# RegionName from Google's FOCUS view template (its `region_names` table, Japanese regions first).
REGION_NAMES = {
    "asia-northeast1": "Tokyo", "asia-northeast2": "Osaka", "asia-northeast3": "Seoul",
    "asia-east1": "Taiwan", "asia-east2": "Hong Kong", "asia-southeast1": "Singapore",
    "australia-southeast1": "Sydney", "europe-west1": "Belgium", "europe-west2": "London",
    "europe-west3": "Frankfurt", "europe-west4": "Netherlands", "us-central1": "Iowa",
    "us-east1": "South Carolina", "us-east4": "Northern Virginia", "us-west1": "Oregon",
    "us-west2": "Los Angeles",
}  # fmt: skip
# Persistent disk type and Cloud Storage class from the SKU description (Compute Engine and
# Cloud Storage SKU names; gcfinops table, checked only against the SKU names in our samples).
DISK_TYPES = (("%SSD backed PD Capacity%", "pd-ssd"), ("%Balanced PD Capacity%", "pd-balanced"),
              ("%Extreme PD Capacity%", "pd-extreme"),
              ("Storage PD Capacity%", "pd-standard"))  # fmt: skip
STORAGE_CLASSES = (("Standard Storage%", "STANDARD"), ("Nearline Storage%", "NEARLINE"),
                   ("Coldline Storage%", "COLDLINE"), ("Archive Storage%", "ARCHIVE"))  # fmt: skip
PACIFIC = "'America/Los_Angeles'"

_DOTTED = re.compile(r"\{([a-z_]+)\.([a-z_.]+)\}")


def rename(header: list[str]) -> dict[str, str]:
    """Header → dotted BigQuery path: `service.description`, `Service_Description` → same."""
    out: dict[str, str] = {}
    for h in header:
        leaf = _BY_LOWER.get(h.strip().lower())
        if leaf is not None and leaf not in out.values():
            out[h] = leaf
    return out


def is_nested(header: list[str]) -> bool:
    """JSON or Parquet straight from BigQuery: records such as `service` are columns."""
    return bool(ROOTS & set(header))


def resolve(template: str, header: list[str]) -> str:
    """Read `{a.b}` from the flat column when there is one, else from the nested record `a`."""

    def sub(m: re.Match[str]) -> str:
        root, rest = m.group(1), m.group(2)
        if f"{root}.{rest}" in header or root not in header:
            return m.group(0)
        return f"json_extract_string(CAST({{{root}}} AS JSON), '$.{rest}')"

    line = "{@row}" if is_nested(header) else "({@row} + 1)"
    return _DOTTED.sub(sub, template.replace("@LINE", f"CAST({line} AS VARCHAR)"))


def g(template: str, note: str = "") -> Expr:
    """An expression over dotted paths, resolved against the file's header."""
    return Expr(template, note, build=lambda header: resolve(_arrays(template, header), header))


def fail(column: str, what: str, value: str, expected: str = "") -> str:
    """An input error naming the line, the column, the value found and what was expected."""
    tail = f", expected {expected})" if expected else ")"
    return (
        f"error('line ' || @LINE || ': column {column}: {what} (found ''' || "
        f"coalesce(CAST({value} AS VARCHAR), 'NULL') || '''{tail}')"
    )


def number(path: str) -> str:
    """A number; text that is not one is an input error (JSON carries numbers as text too)."""
    v = "{" + path + "}"
    bad = fail(path, "not a number", v, "a number such as 12.34")
    return f"COALESCE(TRY_CAST({v} AS DOUBLE), CASE WHEN {v} IS NOT NULL THEN {bad} END)"


def money(path: str) -> str:
    """An exact amount (DECIMAL): from the text the export wrote, or a float's shortest text.

    BigQuery stores `cost` as FLOAT64; its JSON and CSV exports print the shortest text of the
    float, which is read here digit for digit (a Parquet float is turned into that text first,
    in `readers`). Digits beyond 10^-18 are rounded.
    """
    v = "{" + path + "}"
    bad = fail(path, "not a number", v, "a number such as 12.34")
    infinite = fail(path, "not a finite number", v, "a number such as 12.34; NaN, inf and 1e999 "
                    "are not amounts")  # fmt: skip
    return (
        f"COALESCE(TRY_CAST({v} AS {MONEY}), CASE WHEN {v} IS NULL THEN NULL "
        f"WHEN NOT isfinite(TRY_CAST({v} AS DOUBLE)) THEN {infinite} ELSE {bad} END)"
    )


def timestamp(path: str) -> str:
    """A UTC time (`2024-04-01 00:00:00 UTC`, ISO, or a Parquet timestamp); else an input error."""
    v = "{" + path + "}"
    return (
        f"COALESCE(TRY_CAST({v} AS TIMESTAMPTZ), CASE WHEN {v} IS NOT NULL THEN "
        f"{fail(path, 'not a date-time', v, 'a time such as 2025-04-01 00:00:00 UTC')} END)"
    )


def _array(path: str, header: list[str]) -> str:
    """An array of records as MAP(VARCHAR, VARCHAR)[] from any of the three shapes."""
    struct = CREDIT_STRUCT if path == "credits" else LABEL_STRUCT
    if is_nested(header):
        root, _, rest = path.partition(".")
        value = f"CAST({{{path}}} AS JSON)" if not rest or path in header else (
            f"json_extract(CAST({{{root}}} AS JSON), '$.{rest}')")  # fmt: skip
        return f"COALESCE(CAST({value} AS MAP(VARCHAR, VARCHAR)[]), [])"
    text = f"trim(CAST({{{path}}} AS VARCHAR))"
    repr_ = f"TRY_CAST({text} AS {struct})"
    return (
        f"CASE WHEN {text} IS NULL OR {text} IN ('', '[]') THEN []::MAP(VARCHAR, VARCHAR)[] "
        f"WHEN json_valid({text}) THEN CAST(CAST({text} AS JSON) AS MAP(VARCHAR, VARCHAR)[]) "
        f"WHEN {repr_} IS NOT NULL AND NOT list_contains(list_transform({repr_}, "
        f"lambda r: r IS NULL), TRUE) THEN CAST(to_json({repr_}) AS MAP(VARCHAR, VARCHAR)[]) "
        f"ELSE {fail(path, 'not a list of records (JSON or Python repr)', text)} END"
    )


def _arrays(template: str, header: list[str]) -> str:
    for path in ARRAYS:
        template = template.replace(f"[[{path}]]", _array(path, header))
    return template


CREDITS = "[[credits]]"
CREDIT_SUM = (
    f"COALESCE(list_sum(list_transform({CREDITS}, lambda c: CAST(c['amount'] AS {MONEY}))), 0)"
)
COST = money("cost")
# Google's FOCUS view: BilledCost = EffectiveCost = cost + Σ credits (what the invoice charges).
NET = f"({COST} + {CREDIT_SUM})"
# Google prices in US dollars and bills in the account's currency: `currency_conversion_rate` is
# "the exchange rate from US dollars to the local currency" (cost ÷ rate = the cost in USD). The
# PricingCurrency amounts are the billing-currency amounts ÷ that rate; a file without the rate
# (older or trimmed CSVs) states its prices in the billing currency only, so there the pricing
# currency is the billing currency and the amounts are the same.
_RATE_TEXT = number("currency_conversion_rate")
RATE = f"CASE WHEN {_RATE_TEXT} > 0 THEN {_RATE_TEXT} END"
BILLING_CURRENCY = "upper(trim({currency}))"
PRICING_CURRENCY = f"CASE WHEN {RATE} IS NOT NULL THEN 'USD' ELSE {BILLING_CURRENCY} END"


def in_usd(amount: str) -> str:
    """A billing-currency amount in the pricing currency (÷ the USD rate when the file has it)."""
    return f"({amount}) / COALESCE({RATE}, 1)"


CUD_TYPES = ", ".join(map(sql_literal, CUD_CATEGORY))
CUD = f"list_filter({CREDITS}, lambda c: c['type'] IN ({CUD_TYPES}))[1]"
REGULAR = "coalesce({cost_type}, 'regular') = 'regular'"
SYSTEM_LABEL = "list_filter([[system_labels]], lambda m: m['key'] = '%s')[1]['value']"
MACHINE = SYSTEM_LABEL % "compute.googleapis.com/machine_spec"
MONTH = "strptime(trim({invoice.month}), '%Y%m')"
START = timestamp("usage_start_time")
PERIOD_START = (
    f"CASE WHEN NULLIF(trim({{invoice.month}}), '') IS NULL THEN timezone({PACIFIC},"
    f" date_trunc('month', timezone({PACIFIC}, {START}))) WHEN try_{MONTH} IS NULL THEN "
    f"{fail('invoice.month', 'not a month', '{invoice.month}', 'YYYYMM such as 202504')} "
    f"ELSE timezone({PACIFIC}, {MONTH}) END"
)
PERIOD_END = f"timezone({PACIFIC}, timezone({PACIFIC}, {PERIOD_START}) + INTERVAL 1 MONTH)"


def _label_map(path: str) -> str:
    """A list of {key, value} records as a MAP (keys are unique within one list)."""
    return (
        f"map_from_entries(list_transform([[{path}]],"
        " lambda m: struct_pack(key := m['key'], value := m['value'])))"
    )


# Tags: resource labels win over resource-manager tags, system labels and project labels
# (map_concat keeps the value of the last map that has the key); empty values are dropped.
TAGS = (
    "gcf_map_from_pairs(map_entries(map_concat("
    + ", ".join(_label_map(p) for p in ("project.labels", "system_labels", "tags", "labels"))
    + ")))"
)


def _case(key: str, table: dict[str, str], default: str = "NULL") -> str:
    whens = " ".join(f"WHEN {sql_literal(k)} THEN {sql_literal(v)}" for k, v in table.items())
    return f"CASE {key} {whens} ELSE {default} END"


def _like(value: str, table: tuple[tuple[str, str], ...]) -> str:
    whens = " ".join(f"WHEN {value} LIKE {sql_literal(p)} THEN {sql_literal(c)}" for p, c in table)
    return f"CASE {whens} END"


PRICING_QTY = number("usage.amount_in_pricing_units")
# FOCUS: unit price × PricingQuantity = the cost (list and contracted) where both are set, and a
# cost without a unit price equals BilledCost. Google's price column is used where it multiplies
# out to the row's cost; else (tiered SKUs, exports before the price columns) the unit price is
# the cost ÷ the pricing quantity, as the AWS adapter does; never where the quantity is 0 or
# missing (a zero cost then has unit price 0). Non-regular rows (tax, adjustments) have no unit
# price, and their list and contracted costs are BilledCost.
CONTRACTED_COST = f"CASE WHEN {REGULAR} THEN {COST} ELSE {NET} END"
LIST_COST = f"CASE WHEN {REGULAR} THEN COALESCE({money('cost_at_list')}, {COST}) ELSE {NET} END"


def unit_price(price: str, cost: str) -> str:
    """Google's `price` where price × pricing quantity = cost, else cost ÷ quantity (regular)."""
    per_unit = f"COALESCE(({cost}) / NULLIF({PRICING_QTY}, 0), CASE WHEN ({cost}) = 0 THEN 0 END)"
    return (
        f"CASE WHEN NOT {REGULAR} THEN NULL WHEN ({price}) IS NOT NULL AND ({PRICING_QTY} IS NULL"
        f" OR abs(({price}) * {PRICING_QTY} - ({cost})) <= 1e-6 * (1 + abs({cost})))"
        f" THEN {price} ELSE {per_unit} END"
    )


CONTRACTED_UNIT_PRICE = unit_price(money("price.effective_price"), CONTRACTED_COST)
LIST_UNIT_PRICE = unit_price(money("price.list_price"), LIST_COST)
REGION_ID = "COALESCE(NULLIF({location.region}, ''), NULLIF({location.location}, ''))"
SKU_ID = f"CASE WHEN {REGULAR} THEN NULLIF({{sku.id}}, '') END"
SKU_PRICE_ID = (
    f"CASE WHEN {REGULAR} AND {{price.tier_start_amount}} IS NOT NULL"
    " THEN {sku.id} || ':' || CAST({price.tier_start_amount} AS VARCHAR) END"
)


def _columns() -> dict[str, Expr]:
    category = (
        "CASE WHEN {cost_type} IS NULL THEN 'Usage' "
        "WHEN {cost_type} = 'adjustment' AND {adjustment_info.type} IN "
        f"({', '.join(map(sql_literal, GOODWILL))}) THEN 'Credit' ELSE "
        + _case("{cost_type}", CHARGE_CATEGORY,
                fail("cost_type", "unknown value (expected regular, tax, adjustment or "
                     "rounding_error)", "{cost_type}"))
        + " END"
    )  # fmt: skip
    regular_only = f"CASE WHEN {REGULAR} THEN %s END"
    return {
        "AvailabilityZone": g("NULLIF({location.zone}, '')", "location.zone"),
        "BilledCost": g(NET, "cost + Σ credits.amount (as Google's FOCUS view and the invoice)"),
        "BillingAccountId": g("{billing_account_id}", "billing_account_id"),
        "BillingAccountName": g("NULLIF(trim({gcf_billing_account_name}), '')",
                                "the billing account's display name, which the export does not "
                                "carry: `gcf_billing_account_name`, added by the `bq://` source "
                                "(Cloud Billing API) or given with `--default "
                                "gcf_billing_account_name=NAME`; else NULL"),
        "BillingAccountType": const("Billing Account", "constant (gcfinops choice)"),
        "BillingCurrency": g(BILLING_CURRENCY, "currency"),
        "BillingPeriodEnd": g(PERIOD_END, "start + 1 month (US Pacific)"),
        "BillingPeriodStart": g(PERIOD_START, "invoice.month at 00:00 US Pacific, in UTC"),
        "CapacityReservationId": null(),
        "CapacityReservationStatus": null(),
        "ChargeCategory": g(category, "cost_type; goodwill/SLA adjustments → Credit"),
        "ChargeClass": g("CASE WHEN {adjustment_info.type} LIKE '%CORRECTION'"
                         " THEN 'Correction' END",
                         "adjustment_info.type *_CORRECTION → Correction"),
        "ChargeDescription": g("{sku.description}", "sku.description"),
        "ChargeFrequency": g("CASE WHEN {cost_type} = 'tax' THEN 'Recurring' WHEN {cost_type} IN "
                             "('adjustment', 'rounding_error') THEN 'One-Time'"
                             " ELSE 'Usage-Based' END",
                             "tax → Recurring, adjustments → One-Time, else Usage-Based"),
        "ChargePeriodEnd": g(timestamp("usage_end_time"), "usage_end_time"),
        "ChargePeriodStart": g(START, "usage_start_time"),
        "CommitmentDiscountCategory": g(_case(f"{CUD}['type']", CUD_CATEGORY),
                                        "from the first CUD credit"),
        "CommitmentDiscountId": g(f"COALESCE(NULLIF({{subscription.instance_id}}, ''),"
                                  f" NULLIF({CUD}['id'], ''))",
                                  "subscription.instance_id, else the CUD credit's id"),
        "CommitmentDiscountName": g(f"NULLIF(NULLIF({CUD}['full_name'], ''), 'None')",
                                    "the CUD credit's full_name"),
        "CommitmentDiscountQuantity": null(),
        "CommitmentDiscountStatus": g(f"CASE WHEN {CUD} IS NOT NULL THEN 'Used' END",
                                      "Used when a CUD credit applies"),
        "CommitmentDiscountType": g(f"CASE WHEN {CUD} IS NOT NULL"
                                    " THEN 'Committed Use Discount' END",
                                    "Committed Use Discount when a CUD credit applies"),
        "CommitmentDiscountUnit": null(),
        "ConsumedQuantity": g(regular_only % number("usage.amount"), "usage.amount"),
        "ConsumedUnit": g(regular_only % "NULLIF({usage.unit}, '')", "usage.unit"),
        "ContractedCost": g(CONTRACTED_COST, "cost (before credits); BilledCost on tax and "
                            "adjustments (no unit price)"),
        "ContractedUnitPrice": g(CONTRACTED_UNIT_PRICE, "price.effective_price where × "
                                 "PricingQuantity it is ContractedCost, else ContractedCost ÷ "
                                 "PricingQuantity; NULL on tax and adjustments"),
        "EffectiveCost": g(NET, "cost + Σ credits.amount"),
        "InvoiceId": null("not in the export"),
        "InvoiceIssuerName": const("Google Cloud",
                                   "constant (a reseller's invoice is not in the export)"),
        "ListCost": g(LIST_COST, "cost_at_list, else cost; BilledCost on tax and adjustments"),
        "ListUnitPrice": g(LIST_UNIT_PRICE, "price.list_price (2025 and later) where × "
                           "PricingQuantity it is ListCost, else ListCost ÷ PricingQuantity; "
                           "NULL on tax and adjustments"),
        "PricingCategory": g(
            f"CASE WHEN NOT {REGULAR} THEN NULL WHEN {CUD} IS NOT NULL OR {{sku.description}}"
            " ILIKE 'Commitment%' THEN 'Committed' WHEN {sku.description} ILIKE '%Spot%' OR"
            " {sku.description} ILIKE '%Preemptible%' THEN 'Dynamic' ELSE 'Standard' END",
            "CUD credit or Commitment SKU → Committed; Spot/Preemptible → Dynamic; else Standard "
            "(regular rows only)"),
        "PricingCurrency": g(PRICING_CURRENCY,
                             "USD (Google's prices are in US dollars) when the file has a "
                             "positive currency_conversion_rate; else the billing currency"),
        "PricingCurrencyContractedUnitPrice": g(
            in_usd(CONTRACTED_UNIT_PRICE),
            "ContractedUnitPrice ÷ currency_conversion_rate (÷ 1 without a rate)"),
        "PricingCurrencyEffectiveCost": g(in_usd(NET), "(cost + Σ credits.amount) ÷ "
                                          "currency_conversion_rate (÷ 1 without a rate)"),
        "PricingCurrencyListUnitPrice": g(
            in_usd(LIST_UNIT_PRICE),
            "ListUnitPrice ÷ currency_conversion_rate (÷ 1 without a rate)"),
        "PricingQuantity": g(regular_only % PRICING_QTY,
                             "usage.amount_in_pricing_units"),
        "PricingUnit": g(regular_only % "NULLIF({usage.pricing_unit}, '')", "usage.pricing_unit"),
        "ProviderName": const("Google Cloud"),
        "PublisherName": g("CASE WHEN coalesce({transaction_type}, 'GOOGLE') = 'GOOGLE' THEN"
                           " 'Google Cloud'"
                           " ELSE COALESCE(NULLIF({seller_name}, ''), 'Google Cloud') END",
                           "Google Cloud, else the Marketplace seller_name"),
        "RegionId": g(REGION_ID,
                      "location.region, else location.location"),
        "RegionName": g(_case(REGION_ID, REGION_NAMES, REGION_ID),
                        "region display name (value table), else the RegionId (a multi-region "
                        "such as `us` has no other name); NULL where RegionId is NULL"),
        "ResourceId": g("NULLIF({resource.global_name}, '')", "resource.global_name (detailed)"),
        "ResourceName": g("NULLIF({resource.name}, '')", "resource.name (detailed)"),
        "ResourceType": g(
            "CASE WHEN starts_with({resource.global_name}, '//') THEN NULLIF(regexp_replace("
            "{resource.global_name}, '(//)|(googleapis.com/)|(projects/[^/]+/)|"
            "(project_commitments/[^/]+/)|(locations/[^/]+/)|(regions/[^/]+/)|(zones/[^/]+/)|"
            "(global/)|(/[^/]+)', '', 'g'),"
            " '') END", "type parsed from resource.global_name (Google's FOCUS view)"),
        "ServiceCategory": g(_case("{service.description}", SERVICE_CATEGORY, "'Other'"),
                             "service.description via the value table, else Other"),
        "ServiceName": g("COALESCE(NULLIF({service.description}, ''), NULLIF({service.id}, ''))",
                         "service.description"),
        "ServiceSubcategory": g(
            _case("{service.description}", SERVICE_SUBCATEGORY,
                  "'Other (' || (" + _case("{service.description}", SERVICE_CATEGORY, "'Other'")
                  + ") || ')'"),
            "service.description via the value table, else `Other (<ServiceCategory>)`"),
        "SkuId": g(SKU_ID, "sku.id (regular rows)"),
        "SkuMeter": g(f"CASE WHEN ({SKU_ID}) IS NOT NULL THEN NULLIF({{sku.description}}, '') END",
                      "sku.description; NULL where SkuId is NULL (FOCUS SkuMeter nullability)"),
        "SkuPriceDetails": g(f"CASE WHEN {MACHINE} IS NOT NULL AND ({SKU_PRICE_ID}) IS NOT NULL"
                             f" THEN json_object('InstanceType', {MACHINE}) END",
                             "system label compute.googleapis.com/machine_spec; NULL where "
                             "SkuPriceId is NULL (FOCUS SkuPriceDetails nullability)"),
        "SkuPriceId": g(SKU_PRICE_ID, "sku.id:price.tier_start_amount (regular rows)"),
        "SubAccountId": g("NULLIF({project.id}, '')", "project.id"),
        "SubAccountName": g("NULLIF({project.name}, '')", "project.name"),
        "SubAccountType": g("CASE WHEN NULLIF({project.id}, '') IS NOT NULL THEN 'Project' END",
                            "Project"),
        "Tags": g(TAGS, "labels, then tags, system_labels, project.labels (first key wins)"),
        "x_InstanceType": g(MACHINE, "system label compute.googleapis.com/machine_spec"),
        "x_VolumeType": g(_like("{sku.description}", DISK_TYPES),
                          "pd-ssd, pd-balanced, … from the SKU"),
        "x_StorageClass": g(f"CASE WHEN {{service.description}} = 'Cloud Storage' THEN "
                            f"{_like('{sku.description}', STORAGE_CLASSES)} END",
                            "Cloud Storage class from the SKU (STANDARD, NEARLINE, …)"),
        "x_UsageType": g("NULLIF({sku.description}, '')", "sku.description"),
        "x_Operation": null(),
        "x_ServiceCode": g("NULLIF({service.id}, '')", "service.id (empty on tax rows: NULL)"),
        "x_SourceChargeType": g("{cost_type}", "cost_type"),
        "x_SourceUnitPrice": g(money("price.effective_price"), "price.effective_price as written"),
        "x_SourceBilledCost": g(NET, "cost + Σ credits.amount"),
    }  # fmt: skip


VARIANTS = (
    HeaderSet(
        "BigQuery nested records (newline-delimited JSON, Parquet)",
        ("billing_account_id", "service", "sku", "usage_start_time", "project", "labels",
         "cost", "currency", "credits", "invoice"),
        "Google Cloud, Structure of Standard / Detailed data export (export-data-bigquery-"
        "tables/standard-usage, …/detailed-usage); formats.md §3.2",
    ),
    HeaderSet(
        "flattened CSV, dotted names",
        ("billing_account_id", "service.description", "sku.id", "usage_start_time",
         "project.id", "cost", "currency", "credits", "invoice.month"),
        "BigQuery CSV export of the same table; koku sample 202011_….csv",
    ),
    HeaderSet(
        "flattened CSV, underscored names",
        ("billing_account_id", "service_description", "sku_id", "usage_start_time",
         "project_id", "cost", "currency", "credits", "invoice_month"),
        "koku sample 2022-08-01_5.csv (SELECT with aliases)",
    ),
)  # fmt: skip


ADAPTER = Adapter(
    variants=VARIANTS,
    name="gcp-billing-export",
    title="Google Cloud Billing export (BigQuery standard / detailed; JSONL, Parquet, CSV)",
    provider_key="gcp",
    doc_url="https://cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/detailed-usage",
    detect_all=frozenset({"billing_account_id", "cost", "usage_start_time"}),
    detect_any=frozenset({"invoice", "invoice.month", "service", "service.description"}),
    required=frozenset(
        {"billing_account_id", "cost", "currency", "usage_start_time", "usage_end_time"}
    ),
    csv_types={
        "cost": MONEY,
        "usage_start_time": "TIMESTAMPTZ",
        "usage_end_time": "TIMESTAMPTZ",
    },
    rename=rename,
    columns=_columns(),
    lookups={
        "cost_type → ChargeCategory": CHARGE_CATEGORY,
        "CUD credit type → CommitmentDiscountCategory": CUD_CATEGORY,
        "service.description → ServiceCategory": SERVICE_CATEGORY,
        "location.region → RegionName": REGION_NAMES,
        "sku.description pattern → x_VolumeType": dict(DISK_TYPES),
        "sku.description pattern (Cloud Storage) → x_StorageClass": dict(STORAGE_CLASSES),
    },
)
