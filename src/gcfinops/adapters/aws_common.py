"""The AWS billing mapping shared by CUR 2.0 and legacy CUR (both flavours).

Sources: AWS Data Exports table dictionary for CUR 2.0 (docs.aws.amazon.com/cur/latest/userguide/
table-dictionary-cur2.html), the archived CUR user guide `Lineitem-columns.md`
(awsdocs/aws-cur-user-guide), the FOCUS spec's AWS provider mappings
(FOCUS_Spec `supporting_content/columns/*.md`) and the FinOps Foundation converter
(finopsfoundation/focus_converters `conversion_rules_export/csv/aws-cur.csv`), as condensed in
shared/reference/formats.md §2.5 and §8.1. Every expression below names CUR 2.0 columns; the legacy
adapters rename their headers to these names first.
"""

from __future__ import annotations

from collections.abc import Callable

from gcfinops.adapters.base import Expr, case_lookup, col, const, expr, lookup, null

# formats.md §2.5, checked against the FOCUS working group's AWS mapping table
# (FOCUS_Spec `supporting_content/columns/chargecategory.md`: Refund → Adjustment,
# BundledDiscount and SavingsPlanNegation → Usage) and FOCUS 1.2 `columns/chargecategory.md`.
# Refund: an AWS refund line does not say which category it refunds, so it cannot stay "in its
# category" as FOCUS 1.2 prefers; Adjustment is the working group's mapping (also Microsoft's).
# The other discount types are after-the-fact reductions → Credit (FOCUS DiscountHandling).
CHARGE_CATEGORY: dict[str, str | None] = {
    "Usage": "Usage",
    "DiscountedUsage": "Usage",
    "SavingsPlanCoveredUsage": "Usage",
    "SavingsPlanNegation": "Usage",
    "Tax": "Tax",
    "Fee": "Purchase",
    "RIFee": "Purchase",
    "SavingsPlanRecurringFee": "Purchase",
    "SavingsPlanUpfrontFee": "Purchase",
    "Credit": "Credit",
    "Refund": "Adjustment",
    "BundledDiscount": "Usage",
    "Discount": "Credit",
    "EdpDiscount": "Credit",
    "PrivateRateDiscount": "Credit",
    "RiVolumeDiscount": "Credit",
    "SppDiscount": "Credit",
    "DistributorDiscount": "Credit",
}

CHARGE_FREQUENCY: dict[str, str | None] = {
    "RIFee": "Recurring",
    "SavingsPlanRecurringFee": "Recurring",
    "Tax": "Recurring",
    "SavingsPlanUpfrontFee": "One-Time",
    "Fee": "One-Time",
    "Credit": "One-Time",
    "Refund": "One-Time",
}

# FOCUS ServiceCategory for common AWS product codes (after the FinOps converter's
# aws_category_mapping.csv); anything else is "Other", which FOCUS allows.
SERVICE_CATEGORY: dict[str, str | None] = {
    "AmazonEC2": "Compute", "AWSLambda": "Compute", "AmazonECS": "Compute",
    "AmazonEKS": "Compute", "AmazonWorkSpaces": "Compute", "AmazonLightsail": "Compute",
    "AmazonECR": "Compute", "AWSBatch": "Compute",
    "AmazonRDS": "Databases", "AmazonDynamoDB": "Databases", "AmazonElastiCache": "Databases",
    "AmazonDocDB": "Databases", "AmazonNeptune": "Databases", "AmazonRedshift": "Analytics",
    "AmazonS3": "Storage", "AmazonEFS": "Storage", "AmazonFSx": "Storage",
    "AmazonGlacier": "Storage", "AWSBackup": "Storage", "AWSStorageGateway": "Storage",
    "AmazonVPC": "Networking", "AWSELB": "Networking", "AmazonRoute53": "Networking",
    "AmazonCloudFront": "Networking", "AWSDataTransfer": "Networking",
    "AWSDirectConnect": "Networking", "AWSTransitGateway": "Networking",
    "AmazonApiGateway": "Integration", "AmazonSNS": "Integration", "AmazonSQS": "Integration",
    "AWSEvents": "Integration", "AmazonAthena": "Analytics", "AWSGlue": "Analytics",
    "AmazonES": "Analytics", "AmazonKinesis": "Analytics", "AmazonQuickSight": "Analytics",
    "AmazonCloudWatch": "Management and Governance", "AWSConfig": "Management and Governance",
    "AWSCloudTrail": "Management and Governance",
    "AWSSystemsManager": "Management and Governance",
    "AWSCostExplorer": "Management and Governance",
    "AWSSupportBusiness": "Management and Governance",
    "AWSSupportEnterprise": "Management and Governance",
    "AWSKMS": "Security", "AWSSecretsManager": "Security", "awswaf": "Security",
    "AmazonGuardDuty": "Security", "AmazonInspector": "Security", "AWSSecurityHub": "Security",
    "AWSShield": "Security", "AWSCertificateManager": "Security",
    "AWSDirectoryService": "Identity", "AWSIAM": "Identity",
}  # fmt: skip

SERVICE_SUBCATEGORY: dict[str, str | None] = {
    "AmazonEC2": "Virtual Machines", "AWSLambda": "Serverless Compute",
    "AmazonECS": "Containers", "AmazonEKS": "Containers", "AmazonWorkSpaces": "End User Computing",
    "AmazonRDS": "Relational Databases", "AmazonDynamoDB": "NoSQL Databases",
    "AmazonElastiCache": "Caching", "AmazonRedshift": "Data Warehouses",
    "AmazonS3": "Object Storage", "AmazonEFS": "File Storage", "AmazonFSx": "File Storage",
    "AmazonGlacier": "Object Storage", "AWSBackup": "Backup Storage",
    "AmazonVPC": "Network Infrastructure", "AWSELB": "Application Networking",
    "AmazonRoute53": "Network Routing", "AmazonCloudFront": "Content Delivery",
    "AWSDataTransfer": "Network Connectivity", "AWSDirectConnect": "Network Connectivity",
    "AmazonCloudWatch": "Observability", "AWSKMS": "Secret Management",
    "AWSSecretsManager": "Secret Management", "awswaf": "Network Security",
    "AmazonGuardDuty": "Threat Detection and Response",
}  # fmt: skip

# FOCUS UnitFormat (formats.md §1.2): AWS abbreviations → recommended unit names.
PRICING_UNIT: dict[str, str | None] = {
    "Hrs": "Hours", "hours": "Hours", "Hours": "Hours", "GB-Mo": "GB-Months",
    "GB-Month": "GB-Months", "GB": "GB", "Requests": "Requests", "IOs": "IOs",
    "IOPS-Mo": "IOPS-Months", "MBPS-Mo": "MBPS-Months", "Count": "Count", "IP-Hours": "IP-Hours",
    "LCU-Hrs": "LCU-Hours", "vCPU-Hours": "vCPU-Hours", "GB-Hours": "GB-Hours",
}  # fmt: skip

# S3 storage class from the TimedStorage usage type (formats.md §2.6), as S3 API class names.
S3_CLASS_BY_USAGE = (
    ("%TimedStorage-ByteHrs", "STANDARD"),
    ("%TimedStorage-SIA-%", "STANDARD_IA"),
    ("%TimedStorage-ZIA-%", "ONEZONE_IA"),
    ("%TimedStorage-INT-%", "INTELLIGENT_TIERING"),
    ("%TimedStorage-GIR-%", "GLACIER_IR"),
    ("%TimedStorage-GlacierByteHrs%", "GLACIER"),
    ("%TimedStorage-GDA-%", "DEEP_ARCHIVE"),
    ("%TimedStorage-RRS-%", "REDUCED_REDUNDANCY"),
)

T = "{line_item_line_item_type}"
NUM = "TRY_CAST({%s} AS DOUBLE)"
SOURCE_BILLED = (
    "COALESCE(TRY_CAST({line_item_net_unblended_cost} AS DOUBLE), "
    "TRY_CAST({line_item_unblended_cost} AS DOUBLE))"
)
FOLD_WHEN = f"{T} = 'SavingsPlanNegation'"
# Over lake columns: the pair FOCUS nets to zero (covered usage at BilledCost 0 + its negation).
NETTED_WHEN = "x_SourceChargeType IN ('SavingsPlanCoveredUsage', 'SavingsPlanNegation')"
COVERED = f"{T} IN ('SavingsPlanCoveredUsage', 'DiscountedUsage')"
USAGE_TYPES = f"{T} IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')"
NO_PRICE = f"{T} IN ('Tax', 'Credit', 'Refund') OR {T} LIKE '%Discount'"
SP_ARN = "NULLIF({savings_plan_savings_plan_a_r_n}, '')"
RI_ARN = "NULLIF({reservation_reservation_a_r_n}, '')"


def num(name: str) -> str:
    """A source column as DOUBLE (rates are text in CUR 2.0; empty means NULL)."""
    return NUM % name


def s3_class() -> str:
    """S3 API storage class from the TimedStorage usage type (formats.md §2.6)."""
    whens = " ".join(
        f"WHEN {{line_item_usage_type}} LIKE '{p}' THEN '{c}'" for p, c in S3_CLASS_BY_USAGE
    )
    return f"CASE WHEN {{line_item_product_code}} = 'AmazonS3' THEN (CASE {whens} END) END"


def _effective() -> str:
    """EffectiveCost by line item type (formats.md §8.1)."""
    sp_effective = (
        f"COALESCE({num('savings_plan_net_savings_plan_effective_cost')}, "
        f"{num('savings_plan_savings_plan_effective_cost')})"
    )
    ri_effective = (
        f"COALESCE({num('reservation_net_effective_cost')}, {num('reservation_effective_cost')})"
    )
    sp_unused = (
        f"COALESCE({num('savings_plan_total_commitment_to_date')}"
        f" - {num('savings_plan_used_commitment')}, 0)"
    )
    ri_unused = (
        f"COALESCE({num('reservation_unused_amortized_upfront_fee_for_billing_period')}, 0)"
        f" + COALESCE({num('reservation_unused_recurring_fee')}, 0)"
    )
    return (
        f"CASE {T}"
        f" WHEN 'SavingsPlanCoveredUsage' THEN {sp_effective}"
        f" WHEN 'DiscountedUsage' THEN {ri_effective}"
        f" WHEN 'SavingsPlanRecurringFee' THEN {sp_unused}"
        " WHEN 'SavingsPlanUpfrontFee' THEN 0"
        f" WHEN 'RIFee' THEN {ri_unused}"
        f" ELSE CASE WHEN {T} = 'Fee' AND {RI_ARN} IS NOT NULL THEN 0 ELSE {SOURCE_BILLED} END END"
    )


def _instance_type() -> str:
    return (
        "COALESCE(NULLIF({product_instance_type}, ''),"
        " CASE WHEN {line_item_usage_type} LIKE '%Usage:%'"
        " AND {line_item_product_code} IN ('AmazonEC2', 'AmazonRDS')"
        " THEN split_part({line_item_usage_type}, ':', 2) END)"
    )


def aws_columns(product: Callable[[str], str], tags: Expr, resource_name: str) -> dict[str, Expr]:
    """The mapping; `product(attr)` renders a product attribute for the flavour at hand."""
    unit = case_lookup("pricing_unit", PRICING_UNIT, default="{pricing_unit}")
    instance_type = _instance_type()

    def priced(sql: str) -> str:
        return f"CASE WHEN NOT ({NO_PRICE}) THEN {sql} END"

    return {
        "AvailabilityZone": col("line_item_availability_zone"),
        "BilledCost": expr(
            f"CASE WHEN {T} = 'SavingsPlanCoveredUsage' THEN 0 ELSE {SOURCE_BILLED} END",
            "`line_item_net_unblended_cost`, else `line_item_unblended_cost`; 0 on "
            "SavingsPlanCoveredUsage (its SavingsPlanNegation is folded out)",
        ),
        "BillingAccountId": col("bill_payer_account_id"),
        "BillingAccountName": col("bill_payer_account_name"),
        "BillingAccountType": const(
            "Payer Account", "constant `Payer Account` (gcfinops choice; AWS's value unconfirmed)"
        ),
        "BillingCurrency": col("line_item_currency_code"),
        "BillingPeriodEnd": col("bill_billing_period_end_date"),
        "BillingPeriodStart": col("bill_billing_period_start_date"),
        "CapacityReservationId": null(),
        "CapacityReservationStatus": null(),
        "ChargeCategory": expr(
            case_lookup("line_item_line_item_type", CHARGE_CATEGORY, strict=True),
            "`line_item_line_item_type` via CHARGE_CATEGORY (below); an unknown type is an error",
        ),
        "ChargeClass": expr(
            f"CASE WHEN {T} IN ('Refund', 'Credit') AND {{line_item_usage_start_date}}"
            " < {bill_billing_period_start_date} THEN 'Correction' END",
            "`Correction` for a Refund/Credit of usage before the billing period, else NULL",
        ),
        "ChargeDescription": col("line_item_line_item_description"),
        "ChargeFrequency": lookup(
            "line_item_line_item_type",
            CHARGE_FREQUENCY,
            default="'Usage-Based'",
            note="`line_item_line_item_type` via CHARGE_FREQUENCY (below), else `Usage-Based`",
        ),
        "ChargePeriodEnd": col("line_item_usage_end_date"),
        "ChargePeriodStart": col("line_item_usage_start_date"),
        "CommitmentDiscountCategory": expr(
            f"CASE WHEN {SP_ARN} IS NOT NULL THEN 'Spend'"
            f" WHEN {RI_ARN} IS NOT NULL THEN 'Usage' END",
            "Savings Plan ARN → `Spend`, reservation ARN → `Usage`",
        ),
        "CommitmentDiscountId": expr(
            f"COALESCE({SP_ARN}, {RI_ARN})",
            "`savings_plan_savings_plan_a_r_n`, else `reservation_reservation_a_r_n`",
        ),
        "CommitmentDiscountName": null(),
        "CommitmentDiscountQuantity": null("not derived yet"),
        "CommitmentDiscountStatus": expr(
            f"CASE WHEN {COVERED} THEN 'Used' END",
            "`Used` on SavingsPlanCoveredUsage / DiscountedUsage",
        ),
        "CommitmentDiscountType": expr(
            f"CASE WHEN {SP_ARN} IS NOT NULL THEN 'Savings Plan'"
            f" WHEN {RI_ARN} IS NOT NULL THEN 'Reserved Instance' END",
            "`Savings Plan` / `Reserved Instance` from which ARN is set",
        ),
        "CommitmentDiscountUnit": null("not derived yet"),
        "ConsumedQuantity": expr(
            f"CASE WHEN {USAGE_TYPES} THEN {num('line_item_usage_amount')} END",
            "`line_item_usage_amount` on usage lines only",
        ),
        "ConsumedUnit": expr(
            f"CASE WHEN {USAGE_TYPES} THEN {unit} END",
            "`pricing_unit` via PRICING_UNIT (`Hrs` → `Hours`), usage lines only",
        ),
        "ContractedCost": expr(
            f"CASE WHEN {NO_PRICE} THEN {SOURCE_BILLED}"
            f" WHEN {COVERED}"
            f" THEN COALESCE({num('pricing_public_on_demand_cost')}, {SOURCE_BILLED})"
            f" ELSE COALESCE({num('line_item_unblended_cost')}, {SOURCE_BILLED}) END",
            "`line_item_unblended_cost`; on covered usage `pricing_public_on_demand_cost`; "
            "= BilledCost on Tax/Credit/Refund/discounts",
        ),
        "ContractedUnitPrice": expr(
            priced(num("line_item_unblended_rate")),
            "`line_item_unblended_rate`; NULL on Tax/Credit/Refund/discounts",
        ),
        "EffectiveCost": expr(
            _effective(),
            "SavingsPlanCoveredUsage → SP (net) effective cost; DiscountedUsage → RI (net) "
            "effective cost; SavingsPlanRecurringFee → commitment − used; SavingsPlanUpfrontFee "
            "→ 0; RIFee → unused amortized upfront + unused recurring; RI upfront Fee → 0; "
            "else = BilledCost",
        ),
        "InvoiceId": expr(
            "NULLIF({bill_invoice_id}, '')", "`bill_invoice_id` (empty until invoiced)"
        ),
        "InvoiceIssuerName": expr(
            "COALESCE({bill_invoicing_entity}, 'Amazon Web Services, Inc.')",
            "`bill_invoicing_entity`, else `Amazon Web Services, Inc.`",
        ),
        "ListCost": expr(
            f"CASE WHEN {NO_PRICE} THEN {SOURCE_BILLED} ELSE"
            f" COALESCE({num('pricing_public_on_demand_cost')},"
            f" {num('pricing_public_on_demand_rate')} * {num('line_item_usage_amount')},"
            f" {SOURCE_BILLED}) END",
            "`pricing_public_on_demand_cost`, else rate × usage amount; = BilledCost on "
            "Tax/Credit/Refund/discounts",
        ),
        "ListUnitPrice": expr(
            priced(num("pricing_public_on_demand_rate")),
            "`pricing_public_on_demand_rate`; NULL on Tax/Credit/Refund/discounts",
        ),
        "PricingCategory": expr(
            f"CASE WHEN {T} = 'BundledDiscount' THEN 'Standard'"
            f" WHEN {NO_PRICE} THEN NULL"
            f" WHEN {COVERED} THEN 'Committed'"
            " WHEN {line_item_usage_type} LIKE '%SpotUsage%' THEN 'Dynamic' ELSE 'Standard' END",
            "covered usage → `Committed`; Spot → `Dynamic`; Tax/Credit/Refund/discounts → NULL "
            "(BundledDiscount → `Standard`); else `Standard`",
        ),
        "PricingCurrency": col("pricing_currency"),
        "PricingCurrencyContractedUnitPrice": null(),
        "PricingCurrencyEffectiveCost": null(),
        "PricingCurrencyListUnitPrice": null(),
        "PricingQuantity": expr(
            priced(num("line_item_usage_amount")),
            "`line_item_usage_amount`; NULL on Tax/Credit/Refund/discounts",
        ),
        "PricingUnit": expr(
            priced(unit), "`pricing_unit` via PRICING_UNIT; NULL on Tax/Credit/Refund/discounts"
        ),
        "ProviderName": const("AWS"),
        "PublisherName": expr(
            "CASE WHEN {bill_billing_entity} = 'AWS Marketplace'"
            " THEN COALESCE(NULLIF({line_item_legal_entity}, ''), 'AWS Marketplace')"
            " ELSE 'Amazon Web Services, Inc.' END",
            "Marketplace: the seller (`line_item_legal_entity`); else `Amazon Web Services, Inc.`",
        ),
        "RegionId": expr(
            f"COALESCE(NULLIF({{product_region_code}}, ''), {product('region')})",
            "`product_region_code`, else product `region`",
        ),
        "RegionName": expr(
            f"COALESCE(NULLIF({{product_location}}, ''), {product('location')})",
            "`product_location`, else product `location`",
        ),
        "ResourceId": expr("NULLIF({line_item_resource_id}, '')", "`line_item_resource_id`"),
        "ResourceName": expr(resource_name, "the `Name` tag"),
        "ResourceType": expr("NULLIF({product_product_family}, '')", "`product_product_family`"),
        "ServiceCategory": lookup(
            "line_item_product_code",
            SERVICE_CATEGORY,
            default="'Other'",
            note="`line_item_product_code` via SERVICE_CATEGORY, else `Other`",
        ),
        "ServiceName": expr(
            f"COALESCE({product('product_name')}, NULLIF({{product_servicecode}}, ''),"
            " {line_item_product_code})",
            "product `product_name`, else `product_servicecode`, else `line_item_product_code`",
        ),
        "ServiceSubcategory": lookup(
            "line_item_product_code",
            SERVICE_SUBCATEGORY,
            default="'Other (Other)'",
            note="`line_item_product_code` via SERVICE_SUBCATEGORY, else `Other (Other)`",
        ),
        "SkuId": expr(
            f"CASE WHEN {T} <> 'Tax' THEN NULLIF({{product_sku}}, '') END",
            "`product_sku`; NULL on Tax",
        ),
        "SkuMeter": col("line_item_usage_type"),
        "SkuPriceDetails": expr(
            f"CASE WHEN {instance_type} IS NOT NULL"
            f" THEN json_object('InstanceType', {instance_type}) END",
            '`{"InstanceType": …}` when an instance type is known',
        ),
        "SkuPriceId": expr(
            f"CASE WHEN {T} <> 'Tax' THEN NULLIF({{pricing_rate_code}}, '') END",
            "`pricing_rate_code`; NULL on Tax",
        ),
        "SubAccountId": col("line_item_usage_account_id"),
        "SubAccountName": col("line_item_usage_account_name"),
        "SubAccountType": expr(
            "CASE WHEN {line_item_usage_account_id} IS NOT NULL THEN 'Account' END",
            "`Account` when `line_item_usage_account_id` is set",
        ),
        "Tags": tags,
        "x_InstanceType": expr(
            instance_type, "`product_instance_type`, else after the `:` of an EC2/RDS usage type"
        ),
        "x_VolumeType": expr(product("volume_api_name"), "product `volume_api_name` (gp2, gp3, …)"),
        "x_StorageClass": expr(s3_class(), "S3 class from the TimedStorage usage type (S3_CLASS)"),
        "x_UsageType": col("line_item_usage_type"),
        "x_Operation": col("line_item_operation"),
        "x_ServiceCode": col("line_item_product_code"),
        "x_SourceChargeType": col("line_item_line_item_type"),
        "x_SourceBilledCost": expr(
            SOURCE_BILLED, "`line_item_net_unblended_cost`, else `line_item_unblended_cost`"
        ),
    }


AWS_NUMERIC = (
    "line_item_unblended_cost", "line_item_net_unblended_cost", "line_item_blended_cost",
    "line_item_usage_amount", "line_item_unblended_rate", "line_item_net_unblended_rate",
    "line_item_blended_rate", "pricing_public_on_demand_cost", "pricing_public_on_demand_rate",
    "savings_plan_savings_plan_effective_cost", "savings_plan_net_savings_plan_effective_cost",
    "savings_plan_total_commitment_to_date", "savings_plan_used_commitment",
    "savings_plan_savings_plan_rate", "savings_plan_recurring_commitment_for_billing_period",
    "savings_plan_amortized_upfront_commitment_for_billing_period",
    "reservation_effective_cost", "reservation_net_effective_cost",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_recurring_fee", "line_item_normalized_usage_amount",
    "line_item_normalization_factor",
)  # fmt: skip
AWS_TIMESTAMPS = (
    "line_item_usage_start_date", "line_item_usage_end_date",
    "bill_billing_period_start_date", "bill_billing_period_end_date",
)  # fmt: skip
AWS_REQUIRED = frozenset({
    "line_item_line_item_type", "line_item_usage_start_date", "line_item_usage_end_date",
    "bill_billing_period_start_date", "line_item_unblended_cost", "line_item_currency_code",
    "bill_payer_account_id",
})  # fmt: skip


def csv_types() -> dict[str, str]:
    """Source types to declare when reading AWS CSV, so bad values name their line."""
    types = dict.fromkeys(AWS_NUMERIC, "DOUBLE")
    types.update(dict.fromkeys(AWS_TIMESTAMPS, "TIMESTAMPTZ"))
    return types


# The value tables, for the generated docs (docs/adapters/aws-*.md).
LOOKUPS: dict[str, dict[str, str | None]] = {
    "CHARGE_CATEGORY (line_item_line_item_type → ChargeCategory)": CHARGE_CATEGORY,
    "CHARGE_FREQUENCY (line_item_line_item_type → ChargeFrequency; others Usage-Based)": (
        CHARGE_FREQUENCY
    ),
    "PRICING_UNIT (pricing_unit → PricingUnit / ConsumedUnit; others as written)": PRICING_UNIT,
    "SERVICE_CATEGORY (line_item_product_code → ServiceCategory; others Other)": SERVICE_CATEGORY,
    "SERVICE_SUBCATEGORY (line_item_product_code → ServiceSubcategory; others Other (Other))": (
        SERVICE_SUBCATEGORY
    ),
    "S3_CLASS (usage type pattern → x_StorageClass)": dict(S3_CLASS_BY_USAGE),
}
