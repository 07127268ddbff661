"""Azure Cost Management cost details (exports and downloads): EA and MCA, actual or amortized.

Columns: Microsoft's dataset schemas `cost-usage-details-ea.md` (2024-08-01, 2023-12-01-preview,
2021-10-01 and the older `Cost`/`BillingCurrency`/`Product` layout) and
`cost-usage-details-mca.md` (camelCase), in MicrosoftDocs/azure-docs
`articles/cost-management-billing/dataset-schema/` (the older pay-as-you-go usage-only dataset,
`PreTaxCost`, is the `azure-payg-usage` format); the FOCUS mapping is
Microsoft's own (microsoft/finops-toolkit `docs-mslearn/focus/convert.md`), summarised in
shared/reference/formats.md §4 and §8.3. Headers are matched case-insensitively and renamed to
the EA 2024-08-01 spelling, so one mapping serves every variant. Data is daily (one row per day,
meter and resource): rules that need hourly data cannot use it.
"""

from __future__ import annotations

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

# The EA 2024-08-01 spelling of every column we read, plus the MCA columns that have no EA
# counterpart. A header matches one of these case-insensitively.
CANONICAL = (
    "AccountName", "AdditionalInfo", "AvailabilityZone", "BillingAccountId", "BillingAccountName",
    "BillingCurrencyCode", "BillingPeriodEndDate", "BillingPeriodStartDate", "BillingProfileId",
    "BillingProfileName", "ChargeType", "ConsumedService", "CostInBillingCurrency", "Date",
    "EffectivePrice", "Frequency", "MeterCategory", "MeterId", "MeterName", "MeterRegion",
    "MeterSubCategory", "PartNumber", "PayGPrice", "PricingModel", "ProductName", "PublisherName",
    "PublisherType", "Quantity", "ReservationId", "ReservationName", "ResourceGroup", "ResourceId",
    "ResourceLocation", "ResourceName", "ResourceType", "SubscriptionId", "SubscriptionName",
    "Tags", "UnitOfMeasure", "UnitPrice", "benefitId", "benefitName", "PartnerName",
    # MCA only (cost-usage-details-mca.md)
    "invoiceId", "ProductId", "pricingCurrency", "costInPricingCurrency", "costInUsd",
    "paygCostInBillingCurrency", "exchangeRatePricingToBilling", "exchangeRateDate",
)  # fmt: skip

# Other spellings of the same columns (lower case) → canonical; applied only when the canonical
# column itself is absent (formats.md §4.2 older EA layout).
ALIASES = {
    "cost": "CostInBillingCurrency",  # older EA layout
    "billingcurrency": "BillingCurrencyCode",  # older EA, MCA
    "currency": "BillingCurrencyCode",  # older EA (understand-usage-details-fields.md)
    "product": "ProductName",  # older EA; koku's MCA variant
    "instanceid": "ResourceId",  # older EA usage CSV
    "resourcegroupname": "ResourceGroup",  # MCA
    "resourcerate": "EffectivePrice",  # older EA usage CSV
}
# The pay-as-you-go usage-only dataset (`PreTaxCost`, `UsageDateTime`, `SubscriptionGuid`) is a
# format of its own: azure_payg_usage.
_CANON_BY_LOWER = {c.lower(): c for c in CANONICAL}
# Columns whose presence marks an MCA file (absent from EA and pay-as-you-go schemas).
MCA_MARKERS = frozenset({"costInPricingCurrency", "exchangeRatePricingToBilling", "pricingCurrency",
                         "paygCostInBillingCurrency"})  # fmt: skip

# convert.md: Usage, Purchase, Credit, Tax keep their name; unused commitments are Usage; Refund
# is a Purchase (with ChargeClass Correction); RoundingAdjustment is an Adjustment.
CHARGE_CATEGORY: dict[str, str | None] = {
    "Usage": "Usage", "Purchase": "Purchase", "Credit": "Credit", "Tax": "Tax",
    "UnusedReservation": "Usage", "UnusedSavingsPlan": "Usage", "Refund": "Purchase",
    "RoundingAdjustment": "Adjustment", "Adjustment": "Adjustment",
}  # fmt: skip
CHARGE_FREQUENCY: dict[str, str | None] = {
    "onetime": "One-Time",
    "recurring": "Recurring",
    "usagebased": "Usage-Based",
}
# convert.md: OnDemand → Standard, Spot → Dynamic, Reservation / SavingsPlan → Committed. Files
# write `OnDemand`, the docs `On Demand`: spaces are ignored.
PRICING_CATEGORY: dict[str, str | None] = {
    "ondemand": "Standard", "spot": "Dynamic", "reservation": "Committed",
    "savingsplan": "Committed",
}  # fmt: skip

# FOCUS ServiceCategory for Azure meter categories (FOCUS 1.2 allowed values; gcfinops table in
# the spirit of finops-toolkit `src/open-data/Services.csv`, which keys on ConsumedService and
# resource type). Anything else is "Other".
SERVICE_CATEGORY: dict[str, str | None] = {
    "Virtual Machines": "Compute", "Virtual Machines Licenses": "Compute",
    "Azure App Service": "Compute", "Functions": "Compute", "Container Instances": "Compute",
    "Azure Kubernetes Service": "Compute", "Cloud Services": "Compute", "Batch": "Compute",
    "Azure Virtual Desktop": "Compute", "Virtual Machine Scale Sets": "Compute",
    "Storage": "Storage", "Backup": "Storage", "Azure NetApp Files": "Storage",
    "Bandwidth": "Networking", "Virtual Network": "Networking", "Load Balancer": "Networking",
    "VPN Gateway": "Networking", "Application Gateway": "Networking", "Azure DNS": "Networking",
    "ExpressRoute": "Networking", "Network Watcher": "Networking", "NAT Gateway": "Networking",
    "Azure Front Door Service": "Networking", "Content Delivery Network": "Networking",
    "Azure Bastion": "Networking", "Azure Firewall": "Security",
    "SQL Database": "Databases", "SQL Managed Instance": "Databases",
    "Azure Database for MySQL": "Databases", "Azure Database for PostgreSQL": "Databases",
    "Azure Cosmos DB": "Databases", "Redis Cache": "Databases",
    "Azure Cache for Redis": "Databases",
    "Log Analytics": "Management and Governance", "Azure Monitor": "Management and Governance",
    "Automation": "Management and Governance", "Insight and Analytics": "Management and Governance",
    "Key Vault": "Security", "Advanced Threat Protection": "Security",
    "Advanced Data Security": "Security", "Microsoft Defender for Cloud": "Security",
    "Sentinel": "Security", "Azure Data Factory v2": "Analytics",
    "Azure Synapse Analytics": "Analytics",
    "Azure Databricks": "Analytics", "Event Hubs": "Analytics", "Service Bus": "Integration",
    "Logic Apps": "Integration", "API Management": "Integration", "Event Grid": "Integration",
    "Cognitive Services": "AI and Machine Learning",
    "Azure Machine Learning": "AI and Machine Learning",
}  # fmt: skip

# FOCUS ServiceSubcategory for the same meter categories (FOCUS 1.2 allowed values, each under the
# ServiceCategory above; gcfinops table after finops-toolkit `Services.csv`). `Storage` is split by
# MeterSubCategory (STORAGE_SUBCATEGORY); a category not listed, or one whose meters span several
# subcategories, is `Other (<ServiceCategory>)`, FOCUS's value for "no finer class".
SERVICE_SUBCATEGORY: dict[str, str | None] = {
    "Virtual Machines": "Virtual Machines", "Virtual Machines Licenses": "Virtual Machines",
    "Virtual Machine Scale Sets": "Virtual Machines", "Batch": "Virtual Machines",
    "Functions": "Serverless Compute", "Cloud Services": "Serverless Compute",
    "Container Instances": "Containers", "Azure Kubernetes Service": "Containers",
    "Azure Virtual Desktop": "End User Computing", "Backup": "Backup Storage",
    "Azure NetApp Files": "File Storage", "Bandwidth": "Network Connectivity",
    "Virtual Network": "Network Infrastructure", "NAT Gateway": "Network Infrastructure",
    "Load Balancer": "Application Networking", "Application Gateway": "Application Networking",
    "VPN Gateway": "Network Connectivity", "ExpressRoute": "Network Connectivity",
    "Azure DNS": "Network Routing", "Azure Front Door Service": "Content Delivery",
    "Content Delivery Network": "Content Delivery", "Azure Bastion": "Network Security",
    "SQL Database": "Relational Databases", "SQL Managed Instance": "Relational Databases",
    "Azure Database for MySQL": "Relational Databases",
    "Azure Database for PostgreSQL": "Relational Databases",
    "Azure Cosmos DB": "NoSQL Databases", "Redis Cache": "Caching",
    "Azure Cache for Redis": "Caching", "Log Analytics": "Observability",
    "Azure Monitor": "Observability", "Key Vault": "Secret Management",
    "Advanced Threat Protection": "Threat Detection and Response",
    "Sentinel": "Threat Detection and Response", "Azure Data Factory v2": "Data Processing",
    "Azure Synapse Analytics": "Analytics Platforms", "Azure Databricks": "Data Processing",
    "Event Hubs": "Streaming Analytics", "Service Bus": "Messaging", "Event Grid": "Messaging",
    "Logic Apps": "Workflow Orchestration", "API Management": "API Management",
    "Cognitive Services": "AI Platforms", "Azure Machine Learning": "Machine Learning",
}  # fmt: skip
# MeterCategory `Storage`: managed disks, blobs, files by MeterSubCategory (ILIKE patterns).
STORAGE_SUBCATEGORY = (("%Managed Disks%", "Block Storage"), ("Ultra%", "Block Storage"),
                       ("%Blob%", "Object Storage"), ("%Data Lake%", "Object Storage"),
                       ("%Files%", "File Storage"))  # fmt: skip

# Region spellings outside the lower-case-no-space form (finops-toolkit `src/open-data/Regions.csv`
# maps OriginalValue → RegionId; these are the ones our samples and Japanese users meet).
REGION_ALIASES: dict[str, str | None] = {
    "jaeast": "japaneast", "jawest": "japanwest", "jpe": "japaneast", "jpw": "japanwest",
    "useast": "eastus", "useast2": "eastus2", "uswest": "westus", "uswest2": "westus2",
    "uscentral": "centralus", "usnorth": "northcentralus", "ussouth": "southcentralus",
    "unassigned": None, "": None,
}  # fmt: skip
REGION_NAMES: dict[str, str | None] = {
    "japaneast": "Japan East", "japanwest": "Japan West", "eastus": "East US",
    "eastus2": "East US 2", "westus": "West US", "westus2": "West US 2", "centralus": "Central US",
    "uksouth": "UK South",
}  # fmt: skip

NUMERIC = ("CostInBillingCurrency", "Quantity", "EffectivePrice", "UnitPrice", "PayGPrice",
           "costInPricingCurrency", "costInUsd", "paygCostInBillingCurrency",
           "exchangeRatePricingToBilling")  # fmt: skip

# Not money: read as DOUBLE (a product of two DECIMAL(38, 18) would not fit 38 digits).
QUANTITIES = ("Quantity", "exchangeRatePricingToBilling")
LINE = "CAST({@row} + 1 AS VARCHAR)"
COST = "CAST({CostInBillingCurrency} AS " + MONEY + ")"
QTY = "CAST({Quantity} AS DOUBLE)"
PAYG_PRICE = f"CAST({{PayGPrice}} AS {MONEY})"
PAYG_COST = f"CAST({{paygCostInBillingCurrency}} AS {MONEY})"
PRICING_COST = f"CAST({{costInPricingCurrency}} AS {MONEY})"
CT = "{ChargeType}"
PM = "lower(replace(coalesce({PricingModel}, ''), ' ', ''))"
IS_COMMIT = f"{PM} IN ('reservation', 'savingsplan')"
UNUSED = f"{CT} IN ('UnusedReservation', 'UnusedSavingsPlan')"
IS_USAGE = f"coalesce({CT}, 'Usage') = 'Usage'"
# convert.md: BilledCost is 0 on usage a reservation or savings plan covers (billed with the
# purchase). Unused-commitment rows of amortized data are 0 too: they spread a purchase that was
# billed already (convert.md keeps their cost, which would count the purchase twice).
BILLED = f"CASE WHEN {UNUSED} OR ({CT} = 'Usage' AND {IS_COMMIT}) THEN 0 ELSE {COST} END"
# convert.md: EffectiveCost is 0 on commitment purchases and refunds (their cost is amortized).
EFFECTIVE = f"CASE WHEN {CT} IN ('Purchase', 'Refund') AND {IS_COMMIT} THEN 0 ELSE {COST} END"
BENEFIT = "COALESCE(NULLIF({benefitId}, ''), NULLIF({ReservationId}, ''))"
INFO = "CASE WHEN json_valid({AdditionalInfo}) THEN {AdditionalInfo} END"
VM_SIZE = f"NULLIF(json_extract_string({INFO}, '$.ServiceType'), '')"
REGION_KEY = "lower(replace(trim(coalesce({ResourceLocation}, '')), ' ', ''))"
SERVICE_CATEGORY_SQL = case_lookup("MeterCategory", SERVICE_CATEGORY, default="'Other'")
SERVICE_SUBCATEGORY_SQL = (
    "CASE WHEN {MeterCategory} = 'Storage' THEN CASE "
    + " ".join(f"WHEN {{MeterSubCategory}} ILIKE '{p}' THEN '{v}'" for p, v in STORAGE_SUBCATEGORY)
    + " ELSE 'Other (Storage)' END ELSE "
    + case_lookup("MeterCategory", SERVICE_SUBCATEGORY,
                  default=f"'Other (' || ({SERVICE_CATEGORY_SQL}) || ')'")
    + " END"
)  # fmt: skip
SERVICE_SUBCATEGORY_NOTE = (
    "MeterCategory via the value table (Storage by MeterSubCategory: managed disks → Block "
    "Storage, blobs → Object Storage, files → File Storage), else `Other (<ServiceCategory>)`"
)
BILLING_CURRENCY = "upper(trim({BillingCurrencyCode}))"
MCA_PRICING_CURRENCY = "NULLIF(upper(trim({pricingCurrency})), '')"


def rename(header: list[str]) -> dict[str, str]:
    """Header → canonical name: EA and MCA spellings, any letter case."""
    out: dict[str, str] = {}
    for h in header:
        canonical = _CANON_BY_LOWER.get(h.strip().lower())
        if canonical is not None and canonical not in out.values():
            out[h] = canonical
    for h in header:
        alias = ALIASES.get(h.strip().lower())
        if h not in out and alias is not None and alias not in out.values():
            out[h] = alias
    return out


def azure_date(column: str) -> str:
    """A date as Azure writes it (MM/DD/YYYY, M/D/YYYY, ISO), as a UTC timestamp; else an error."""
    v = f"trim(CAST({{{column}}} AS VARCHAR))"
    return (
        f"CASE WHEN NULLIF({v}, '') IS NULL THEN NULL ELSE COALESCE("
        f"CAST(try_strptime({v}, ['%m/%d/%Y', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %I:%M:%S %p'])"
        f" AS TIMESTAMPTZ), TRY_CAST({v} AS TIMESTAMPTZ), "
        f"error('line ' || {LINE} || ': column {column}: not a date-time (found ''' || {v} || "
        f"''', expected a date such as 04/01/2025 or 2025-04-01)')) END"
    )


DAY = azure_date("Date")
PERIOD_START = f"COALESCE({azure_date('BillingPeriodStartDate')}, date_trunc('month', {DAY}))"
PERIOD_END = (
    f"COALESCE({azure_date('BillingPeriodEndDate')} + INTERVAL 1 DAY,"
    f" {PERIOD_START} + INTERVAL 1 MONTH)"
)
TAGS_TEXT = "trim(CAST({Tags} AS VARCHAR))"
TAGS_JSON = (
    f"CASE WHEN starts_with({TAGS_TEXT}, '{{') THEN {TAGS_TEXT}"
    f" ELSE '{{' || {TAGS_TEXT} || '}}' END"
)
# Tags: EA/MCA write object members without braces (`"env": "prod","org": "trey"`), pay-as-you-go
# and some exports with braces; wrap when needed (convert.md "Wrap in { and } if needed").
TAGS = (
    f"CASE WHEN NULLIF({TAGS_TEXT}, '') IS NULL OR {TAGS_TEXT} = '{{}}' THEN NULL "
    f"WHEN CASE WHEN json_valid({TAGS_JSON}) THEN json_type({TAGS_JSON}) = 'OBJECT' AND "
    f"len(json_keys({TAGS_JSON})) = len(list_distinct(json_keys({TAGS_JSON}))) END "
    f"THEN CAST(CAST({TAGS_JSON} AS JSON) AS MAP(VARCHAR, VARCHAR)) "
    f"ELSE error('line ' || {LINE} || ': column Tags: not a JSON object with unique keys, with "
    f"or without braces (found ' || left({TAGS_TEXT}, 80) || ')') END"
)
DISK_TYPE = (
    "CASE WHEN {MeterSubCategory} ILIKE '%Managed Disks%' OR {MeterSubCategory} ILIKE 'Ultra%' THEN"
    " CASE WHEN {MeterSubCategory} ILIKE 'Premium SSD v2%' THEN 'PremiumV2_LRS'"
    " WHEN {MeterSubCategory} ILIKE 'Ultra%' THEN 'UltraSSD_LRS'"
    " WHEN {MeterSubCategory} ILIKE 'Premium SSD%' THEN 'Premium_' || REDUNDANCY"
    " WHEN {MeterSubCategory} ILIKE 'Standard SSD%' THEN 'StandardSSD_' || REDUNDANCY"
    " WHEN {MeterSubCategory} ILIKE 'Standard HDD%' THEN 'Standard_LRS' END END"
).replace("REDUNDANCY", "CASE WHEN {MeterName} ILIKE '%ZRS%' THEN 'ZRS' ELSE 'LRS' END")
BLOB_TIER = (
    "CASE WHEN {MeterCategory} = 'Storage' AND {MeterSubCategory} ILIKE '%Blob%' THEN "
    "NULLIF(regexp_extract({MeterName}, '^(Hot|Cool|Cold|Archive)\\b', 1), '') END"
)


def _by_kind(mca: str, ea: str, payg: str, note: str = "") -> Expr:
    """An expression that differs between MCA, EA and other files (told by the header): `other`
    serves a cost-details file with neither MCA columns nor BillingAccountId (a pay-as-you-go
    subscription's cost details), where the subscription is the billing account."""

    def build(header: list[str]) -> str:
        if MCA_MARKERS & set(header):
            return mca
        return ea if "BillingAccountId" in header else payg

    return Expr(ea, note, build=build)


def _with_column(column: str, present: str, absent: str, note: str = "") -> Expr:
    """`present` when the header has `column`, else `absent`."""
    return Expr(present, note, build=lambda header: present if column in header else absent)


# FOCUS: unit price × PricingQuantity = the cost where both are set; unit prices are non-negative
# and NULL outside Usage and Purchase. PayGPrice is the list price where it multiplies out to
# ListCost; else (purchases, where Azure writes PayGPrice 0) ListCost ÷ Quantity, as the AWS
# adapter does; a negative result (refunds, a Correction) is NULL.
PRICED = (
    f"coalesce({CT}, 'Usage') IN ('Usage', 'Purchase', 'UnusedReservation', 'UnusedSavingsPlan',"
    " 'Refund')"
)


def _non_negative(sql: str) -> str:
    return f"CASE WHEN ({sql}) < 0 THEN NULL ELSE {sql} END"


def _unit_price(price: str, cost: str) -> str:
    per_unit = f"COALESCE(({cost}) / NULLIF({QTY}, 0), CASE WHEN ({cost}) = 0 THEN 0 END)"
    return _non_negative(
        f"CASE WHEN NOT ({PRICED}) THEN NULL WHEN ({price}) IS NOT NULL AND ({QTY} IS NULL"
        f" OR abs(({price}) * {QTY} - ({cost})) <= 1e-6 * (1 + abs({cost}))) THEN {price}"
        f" ELSE {per_unit} END"
    )


CONTRACTED_UNIT_PRICE = _non_negative(f"CAST({{UnitPrice}} AS {MONEY})")


def _columns() -> dict[str, Expr]:
    category = case_lookup("ChargeType", CHARGE_CATEGORY, strict=True)
    usage_only = f"CASE WHEN {IS_USAGE} THEN %s END"
    list_cost_ea = (
        f"CASE WHEN {CT} IN ('Purchase', 'Refund', 'Tax', 'Credit')"
        " OR coalesce(CAST({PayGPrice} AS DECIMAL(38,18)), 0) = 0"
        f" THEN {COST} ELSE CAST({{PayGPrice}} AS DECIMAL(38,18)) * {QTY} END"
    )
    list_unit_ea = _unit_price(PAYG_PRICE, list_cost_ea)
    list_unit_mca = _unit_price(
        f"{PAYG_PRICE} * CAST({{exchangeRatePricingToBilling}} AS DOUBLE)",
        f"COALESCE({PAYG_COST}, {COST})",
    )
    return {
        "AvailabilityZone": expr("NULLIF({AvailabilityZone}, '')", "AvailabilityZone (EA only)"),
        "BilledCost": expr(BILLED, "CostInBillingCurrency (EA old: Cost); 0 on "
                           "usage covered by a reservation or savings plan and on "
                           "unused-commitment "
                           "rows (convert.md)"),
        "BillingAccountId": _by_kind(
            "COALESCE(NULLIF({BillingProfileId}, ''), {BillingAccountId})", "{BillingAccountId}",
            "{SubscriptionId}", "EA: BillingAccountId; MCA: billingProfileId (the invoice unit, "
            "convert.md); neither: the subscription"),
        "BillingAccountName": _by_kind(
            "COALESCE(NULLIF({BillingProfileName}, ''), {BillingAccountName})",
            "{BillingAccountName}", "{SubscriptionName}", "EA: BillingAccountName; MCA: "
            "billingProfileName"),
        "BillingAccountType": _by_kind("'Billing Profile'", "'Billing Account'", "'Subscription'",
                                       "Billing Account (EA), Billing Profile (MCA), as "
                                       "Microsoft's FOCUS export; else Subscription"),
        "BillingCurrency": expr(BILLING_CURRENCY,
                                "BillingCurrencyCode (EA old, MCA: BillingCurrency; "
                                "older EA: Currency)"),
        "BillingPeriodEnd": expr(PERIOD_END, "BillingPeriodEndDate + 1 day (Azure's end is "
                                 "inclusive); else one month after the start"),
        "BillingPeriodStart": expr(PERIOD_START, "BillingPeriodStartDate; else the month of Date"),
        "CapacityReservationId": expr(
            f"NULLIF(json_extract_string({INFO}, '$.VMCapacityReservationId'), '')",
            "AdditionalInfo.VMCapacityReservationId"),
        "CapacityReservationStatus": null(),
        "ChargeCategory": _with_column("ChargeType", category, "'Usage'",
                                       "ChargeType via the value table (unknown → error); "
                                       "files without ChargeType: Usage"),
        "ChargeClass": expr(f"CASE WHEN {CT} = 'Refund' THEN 'Correction' END",
                            "Refund → Correction"),
        "ChargeDescription": col("ProductName"),
        "ChargeFrequency": expr(
            "COALESCE(" + case_lookup("Frequency", CHARGE_FREQUENCY,
                                      key="lower(trim({Frequency}))")
            + f", CASE WHEN {CT} = 'Purchase' THEN 'One-Time' ELSE 'Usage-Based' END)",
            "Frequency (OneTime, Recurring, UsageBased)"),
        "ChargePeriodEnd": expr(f"{DAY} + INTERVAL 1 DAY", "Date + 1 day"),
        "ChargePeriodStart": expr(DAY, "Date (UTC day)"),
        "CommitmentDiscountCategory": expr(
            f"CASE WHEN {BENEFIT} ILIKE '%/microsoft.capacity/%' THEN 'Usage'"
            f" WHEN {BENEFIT} ILIKE '%/microsoft.billingbenefits/%' THEN 'Spend' END",
            "benefitId provider: capacity → Usage, billingbenefits → Spend"),
        "CommitmentDiscountId": expr(BENEFIT, "benefitId, else ReservationId"),
        "CommitmentDiscountName": expr(
            "COALESCE(NULLIF({benefitName}, ''), NULLIF({ReservationName}, ''))",
            "benefitName, else ReservationName"),
        "CommitmentDiscountQuantity": null("not derived yet"),
        "CommitmentDiscountStatus": expr(
            f"CASE WHEN {UNUSED} THEN 'Unused'"
            f" WHEN {IS_COMMIT} AND {CT} = 'Usage' THEN 'Used' END",
            "UnusedReservation/UnusedSavingsPlan → Unused; covered usage → Used"),
        "CommitmentDiscountType": expr(
            f"CASE WHEN {BENEFIT} ILIKE '%/microsoft.capacity/%' THEN 'Reservation'"
            f" WHEN {BENEFIT} ILIKE '%/microsoft.billingbenefits/%' THEN 'Savings Plan' END",
            "benefitId provider: capacity → Reservation, billingbenefits → Savings Plan"),
        "CommitmentDiscountUnit": null("not derived yet"),
        "ConsumedQuantity": expr(usage_only % QTY, "Quantity on usage rows"),
        "ConsumedUnit": expr(usage_only % "NULLIF({UnitOfMeasure}, '')", "UnitOfMeasure as given"),
        "ContractedCost": expr(f"COALESCE(CAST({{UnitPrice}} AS DECIMAL(38,18)) * {QTY}, {COST})",
                               "UnitPrice × Quantity, else the cost"),
        "ContractedUnitPrice": expr(CONTRACTED_UNIT_PRICE, "UnitPrice; NULL where negative "
                                    "(refunds)"),
        "EffectiveCost": expr(EFFECTIVE, "cost; 0 on reservation / savings-plan purchases and "
                              "refunds (amortized into usage)"),
        "InvoiceId": expr("NULLIF({invoiceId}, '')", "invoiceId (MCA only)"),
        "InvoiceIssuerName": expr("COALESCE(NULLIF({PartnerName}, ''), 'Microsoft')",
                                  "PartnerName (CSP), else Microsoft"),
        "ListCost": _by_kind(f"COALESCE({PAYG_COST}, {COST})",
                             list_cost_ea, list_cost_ea, "MCA: paygCostInBillingCurrency; EA: "
                             "PayGPrice × Quantity (cost on purchases, refunds, tax, credits "
                             "and when PayGPrice is 0)"),
        "ListUnitPrice": _by_kind(list_unit_mca, list_unit_ea, list_unit_ea,
                                  "EA: PayGPrice; MCA: PayGPrice × exchangeRatePricingToBilling; "
                                  "where that × Quantity is not ListCost (purchases): ListCost ÷ "
                                  "Quantity; NULL outside Usage/Purchase and where negative"),
        "PricingCategory": expr(case_lookup("PricingModel", PRICING_CATEGORY, key=PM),
                                "PricingModel via the value table (spaces ignored)"),
        "PricingCurrency": _by_kind(
            f"COALESCE({MCA_PRICING_CURRENCY}, {BILLING_CURRENCY})", BILLING_CURRENCY,
            BILLING_CURRENCY, "MCA: pricingCurrency (else the billing currency); EA and "
            "others: the billing currency (EA prices are in the enrollment's billing currency, "
            "formats.md §8.3)"),
        "PricingCurrencyContractedUnitPrice": _by_kind(
            f"CASE WHEN {MCA_PRICING_CURRENCY} = {BILLING_CURRENCY} THEN"
            f" {CONTRACTED_UNIT_PRICE} END", CONTRACTED_UNIT_PRICE, CONTRACTED_UNIT_PRICE,
            "ContractedUnitPrice (MCA: only when the pricing currency is the billing currency)"),
        "PricingCurrencyEffectiveCost": _by_kind(
            f"CASE WHEN {CT} IN ('Purchase', 'Refund') AND {IS_COMMIT} THEN 0"
            f" WHEN {MCA_PRICING_CURRENCY} IS NULL THEN {EFFECTIVE}"
            f" ELSE {PRICING_COST} END", EFFECTIVE, EFFECTIVE,
            "MCA: costInPricingCurrency (0 on commitment purchases and refunds); EA and others: "
            "EffectiveCost (the same currency)"),
        "PricingCurrencyListUnitPrice": _by_kind(
            f"CASE WHEN {MCA_PRICING_CURRENCY} IS NULL THEN {list_unit_mca} ELSE ({list_unit_mca})"
            " / NULLIF(CAST({exchangeRatePricingToBilling} AS DOUBLE), 0) END",
            list_unit_ea, list_unit_ea, "ListUnitPrice (MCA: ÷ exchangeRatePricingToBilling)"),
        "PricingQuantity": expr(QTY, "Quantity"),
        "PricingUnit": expr("NULLIF({UnitOfMeasure}, '')", "UnitOfMeasure (block size included)"),
        "ProviderName": const("Microsoft"),
        "PublisherName": expr("COALESCE(NULLIF({PublisherName}, ''), 'Microsoft')",
                              "PublisherName, else Microsoft"),
        "RegionId": expr(case_lookup("ResourceLocation", REGION_ALIASES, key=REGION_KEY,
                                     default=REGION_KEY),
                         "ResourceLocation, lower case, no spaces"),
        "RegionName": expr(
            case_lookup("ResourceLocation", REGION_NAMES,
                        key=case_lookup("ResourceLocation", REGION_ALIASES, key=REGION_KEY,
                                        default=REGION_KEY),
                        default="NULLIF({ResourceLocation}, '')"),
            "display name of the RegionId (value table), else ResourceLocation"),
        "ResourceId": expr("NULLIF({ResourceId}, '')", "ResourceId (older EA: InstanceId)"),
        "ResourceName": expr(
            "COALESCE(NULLIF({ResourceName}, ''),"
            " NULLIF(regexp_extract({ResourceId}, '[^/]+$'), ''))",
            "ResourceName, else the last segment of ResourceId"),
        "ResourceType": expr(
            "CASE WHEN NULLIF({ResourceId}, '') IS NOT NULL THEN COALESCE(NULLIF({ResourceType},"
            " ''), NULLIF(regexp_extract({ResourceId}, '(?i)/providers/([^/]+/[^/]+)', 1),"
            " '')) END",
            "ResourceType, else the ARM type from ResourceId (Microsoft.Compute/virtualMachines); "
            "NULL where ResourceId is NULL"),
        "ServiceCategory": expr(SERVICE_CATEGORY_SQL, "MeterCategory via the value table, "
                                "else `Other`"),
        "ServiceName": expr(
            "COALESCE(NULLIF({MeterCategory}, ''), NULLIF({ConsumedService}, ''), {ProductName})",
            "MeterCategory"),
        "ServiceSubcategory": expr(SERVICE_SUBCATEGORY_SQL, SERVICE_SUBCATEGORY_NOTE),
        "SkuId": expr("NULLIF({ProductId}, '')", "ProductId (MCA only)"),
        "SkuMeter": expr("CASE WHEN NULLIF({ProductId}, '') IS NOT NULL THEN {MeterName} END",
                         "MeterName where SkuId is set (MCA); NULL where SkuId is NULL (FOCUS "
                         "SkuMeter nullability; the meter name stays in x_UsageType)"),
        "SkuPriceDetails": null("NULL: no SkuPriceId in the dataset, and FOCUS wants "
                                "SkuPriceDetails NULL where SkuPriceId is (the VM size is in "
                                "x_InstanceType)"),
        "SkuPriceId": null(),
        "SubAccountId": col("SubscriptionId"),
        "SubAccountName": col("SubscriptionName"),
        "SubAccountType": expr("CASE WHEN {SubscriptionId} IS NOT NULL THEN 'Subscription' END",
                               "Subscription"),
        "Tags": expr(TAGS, "Tags, wrapped in braces when written without"),
        "x_InstanceType": expr(VM_SIZE, "AdditionalInfo.ServiceType (the VM size)"),
        "x_VolumeType": expr(DISK_TYPE, "managed-disk SKU (Premium_LRS …) from MeterSubCategory"),
        "x_StorageClass": expr(BLOB_TIER, "blob access tier (Hot, Cool, Cold, Archive)"),
        "x_UsageType": col("MeterName"),
        "x_Operation": null(),
        "x_ServiceCode": col("ConsumedService"),
        "x_SourceChargeType": col("ChargeType"),
        "x_SourceUnitPrice": expr(f"CAST({{UnitPrice}} AS {MONEY})", "UnitPrice as written"),
        "x_SourceBilledCost": expr(BILLED, "the billed amount by Microsoft's rule (= the cost "
                                   "column on every row of the actual-cost dataset)"),
    }  # fmt: skip


VARIANTS = (
    HeaderSet(
        "EA 2024-08-01 / 2023-12-01-preview / 2021-10-01 (PascalCase)",
        ("BillingAccountId", "SubscriptionId", "Date", "MeterCategory",
         "CostInBillingCurrency", "BillingCurrencyCode", "ChargeType", "PricingModel"),
        "Microsoft, cost-usage-details-ea.md (MicrosoftDocs/azure-docs dataset-schema/); "
        "finops-toolkit EA samples (EA_ActualCost_Small.csv)",
    ),
    HeaderSet(
        "EA older layout",
        ("SubscriptionId", "Date", "MeterCategory", "Cost", "BillingCurrency", "Product"),
        "Microsoft, understand-usage-details-fields.md; koku sample azure_version_2.csv",
    ),
    HeaderSet(
        "MCA (camelCase)",
        ("billingProfileId", "subscriptionId", "date", "meterCategory",
         "costInBillingCurrency", "billingCurrency", "pricingCurrency",
         "exchangeRatePricingToBilling"),
        "Microsoft, cost-usage-details-mca.md; koku sample camel_azure_version_2.csv",
    ),
)  # fmt: skip


ADAPTER = Adapter(
    variants=VARIANTS,
    name="azure-cost-details",
    title="Azure cost details (EA, MCA; actual or amortized)",
    provider_key="azure",
    doc_url="https://learn.microsoft.com/azure/cost-management-billing/automate/understand-usage-details-fields",
    detect_all=frozenset({"SubscriptionId", "Date", "MeterCategory", "CostInBillingCurrency"}),
    detect_none=frozenset({"BilledCost", "ChargePeriodStart"}),
    required=frozenset({"Date", "CostInBillingCurrency", "BillingCurrencyCode", "SubscriptionId"}),
    csv_types={n: "DOUBLE" if n in QUANTITIES else MONEY for n in NUMERIC},
    rename=rename,
    columns=_columns(),
    lookups={
        "Header spellings → canonical column (used when the canonical one is absent)": ALIASES,
        "ChargeType → ChargeCategory (convert.md)": CHARGE_CATEGORY,
        "Frequency (lower case) → ChargeFrequency": CHARGE_FREQUENCY,
        "PricingModel (lower case, no spaces) → PricingCategory": PRICING_CATEGORY,
        "MeterCategory → ServiceCategory": SERVICE_CATEGORY,
        "MeterCategory → ServiceSubcategory (else Other (<ServiceCategory>))": SERVICE_SUBCATEGORY,
        "Storage MeterSubCategory pattern → ServiceSubcategory": dict(STORAGE_SUBCATEGORY),
        "ResourceLocation (lower case, no spaces) → RegionId": REGION_ALIASES,
        "RegionId → RegionName": REGION_NAMES,
    },
)
