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

from gcfinops.adapters import aws_pricing
from gcfinops.adapters.aws_pricing import (
    AWS_QUANTITIES,
    BILLED,
    COVERED,
    NO_PRICE,
    RI_ARN,
    SOURCE_BILLED,
    SP_ARN,
    T,
    num,
)
from gcfinops.adapters.base import Expr, case_lookup, const, expr, lookup, null
from gcfinops.adapters.base import col as base_col
from gcfinops.schema import MONEY

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
    "AmazonDocDB": "Databases", "AmazonNeptune": "Databases", "AmazonRedshift": "Databases",
    "AmazonS3": "Storage", "AmazonEFS": "Storage", "AmazonFSx": "Storage",
    "AmazonGlacier": "Storage", "AWSBackup": "Storage", "AWSStorageGateway": "Storage",
    "AmazonVPC": "Networking", "AWSELB": "Networking", "AmazonRoute53": "Networking",
    "AmazonCloudFront": "Networking", "AWSDataTransfer": "Networking",
    "AWSDirectConnect": "Networking", "AWSTransitGateway": "Networking",
    "AmazonApiGateway": "Integration", "AmazonSNS": "Integration",
    "AWSQueueService": "Integration", "AmazonStates": "Integration",
    "AWSEvents": "Integration", "AmazonAthena": "Analytics", "AWSGlue": "Analytics",
    "AmazonES": "Analytics", "AmazonKinesis": "Analytics", "AmazonQuickSight": "Analytics",
    "AmazonCloudWatch": "Management and Governance", "AWSConfig": "Management and Governance",
    "AWSCloudTrail": "Management and Governance",
    "AWSSystemsManager": "Management and Governance",
    "AWSCostExplorer": "Management and Governance",
    "AWSSupportBusiness": "Management and Governance",
    "AWSSupportEnterprise": "Management and Governance",
    "awskms": "Security", "AWSSecretsManager": "Security", "awswaf": "Networking",
    "AmazonGuardDuty": "Security", "AmazonInspector": "Security", "AWSSecurityHub": "Security",
    "AWSShield": "Security", "AWSCertificateManager": "Security",
    "AWSDirectoryService": "Identity", "AWSIAM": "Identity",
    "AWSCloudShell": "Developer Tools", "AWSIoT": "Internet of Things",
    "AWSMigrationHubRefactorSpaces": "Migration",
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
    "AmazonCloudWatch": "Observability", "awskms": "Secret Management",
    "AWSSecretsManager": "Secret Management", "awswaf": "Network Security",
    "AmazonGuardDuty": "Threat Detection and Response", "AWSQueueService": "Messaging",
    "AmazonSNS": "Messaging", "AmazonStates": "Workflow Orchestration",
    "AmazonApiGateway": "API Management", "AWSGlue": "Data Processing",
    "AWSCloudTrail": "Compliance", "AWSConfig": "Compliance",
    "AWSCloudShell": "Development Environments", "AWSIoT": "IoT Platforms",
    "AWSMigrationHubRefactorSpaces": "Resource Migration", "AmazonDocDB": "NoSQL Databases",
    "AmazonNeptune": "NoSQL Databases", "AmazonECR": "Containers",
    "AmazonAthena": "Analytics Platforms", "AmazonES": "Search",
    "AmazonKinesis": "Streaming Analytics", "AmazonQuickSight": "Business Intelligence",
    "AWSSupportBusiness": "Support", "AWSSupportEnterprise": "Support",
    "AWSCostExplorer": "Cost Management", "AWSDirectoryService": "Identity and Access Management",
}  # fmt: skip

# RegionName for a region code when the row has no `product_location` (data transfer rows set
# `product_region_code` and only from/to locations). AWS's own display names.
REGION_NAME: dict[str, str | None] = {
    "ap-northeast-1": "Asia Pacific (Tokyo)", "ap-northeast-3": "Asia Pacific (Osaka)",
    "ap-northeast-2": "Asia Pacific (Seoul)", "ap-east-1": "Asia Pacific (Hong Kong)",
    "ap-south-1": "Asia Pacific (Mumbai)", "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)", "ap-southeast-3": "Asia Pacific (Jakarta)",
    "ca-central-1": "Canada (Central)", "eu-central-1": "EU (Frankfurt)",
    "eu-west-1": "EU (Ireland)", "eu-west-2": "EU (London)", "eu-west-3": "EU (Paris)",
    "eu-north-1": "EU (Stockholm)", "eu-south-1": "EU (Milan)",
    "sa-east-1": "South America (Sao Paulo)", "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)", "global": "Global",
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

FOLD_WHEN = f"{T} = 'SavingsPlanNegation'"
# Over lake columns: the pair FOCUS nets to zero (covered usage at BilledCost 0 + its negation).
NETTED_WHEN = "x_SourceChargeType IN ('SavingsPlanCoveredUsage', 'SavingsPlanNegation')"
USAGE_TYPES = f"{T} IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')"
GENERATE_WHEN = aws_pricing.GENERATE_UNUSED
GENERATED_WHEN = aws_pricing.GENERATED_UNUSED
UNUSED_ROW = aws_pricing.unused_commitment_row()


def text(name: str) -> str:
    """A source text column with empty strings as NULL (the Athena flavour's Parquet has '')."""
    return f"NULLIF(CAST({{{name}}} AS VARCHAR), '')"


def col(name: str, note: str = "") -> Expr:
    """A source text column as is, '' → NULL (FOCUS NullHandling)."""
    return Expr(text(name), note or f"`{name}`")


def s3_class() -> str:
    """S3 API storage class from the TimedStorage usage type (formats.md §2.6)."""
    whens = " ".join(
        f"WHEN {{line_item_usage_type}} LIKE '{p}' THEN '{c}'" for p, c in S3_CLASS_BY_USAGE
    )
    return f"CASE WHEN {{line_item_product_code}} = 'AmazonS3' THEN (CASE {whens} END) END"


def _instance_type() -> str:
    return (
        "COALESCE(NULLIF({product_instance_type}, ''),"
        " CASE WHEN {line_item_usage_type} LIKE '%Usage:%'"
        " AND {line_item_product_code} IN ('AmazonEC2', 'AmazonRDS')"
        " THEN split_part({line_item_usage_type}, ':', 2) END)"
    )


def aws_columns(product: Callable[[str], str], tags: Expr, resource_name: str) -> dict[str, Expr]:
    """The mapping; `product(attr)` renders a product attribute for the flavour at hand."""
    unit = case_lookup("pricing_unit", PRICING_UNIT, default=text("pricing_unit"))
    instance_type = _instance_type()
    sku_price_id = (
        f"CASE WHEN {T} <> 'Tax' THEN COALESCE(NULLIF({{pricing_rate_code}}, ''),"
        " NULLIF(CAST({pricing_rate_id} AS VARCHAR), '')) END"
    )

    def priced(sql: str) -> str:
        return f"CASE WHEN NOT ({NO_PRICE}) THEN {sql} END"

    region_id = f"COALESCE(NULLIF({{product_region_code}}, ''), {product('region')})"
    region_name = case_lookup("product_region_code", REGION_NAME, key=region_id)
    category = case_lookup("line_item_product_code", SERVICE_CATEGORY, default="'Other'")
    return {
        **aws_pricing.price_columns(),
        "AvailabilityZone": col("line_item_availability_zone"),
        "BilledCost": expr(
            BILLED,
            "`line_item_net_unblended_cost`, else `line_item_unblended_cost`; 0 on "
            "SavingsPlanCoveredUsage (its SavingsPlanNegation is folded out)",
        ),
        "BillingAccountId": col("bill_payer_account_id"),
        "BillingAccountName": col("bill_payer_account_name"),
        "BillingAccountType": const(
            "Payer Account", "constant `Payer Account` (gcfinops choice; AWS's value unconfirmed)"
        ),
        "BillingCurrency": col("line_item_currency_code"),
        "BillingPeriodEnd": base_col("bill_billing_period_end_date"),
        "BillingPeriodStart": base_col("bill_billing_period_start_date"),
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
        "ChargePeriodEnd": base_col("line_item_usage_end_date"),
        "ChargePeriodStart": base_col("line_item_usage_start_date"),
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
        "CommitmentDiscountStatus": expr(
            f"CASE WHEN {COVERED} AND COALESCE({SP_ARN}, {RI_ARN}) IS NOT NULL THEN 'Used' END",
            "`Used` on SavingsPlanCoveredUsage / DiscountedUsage that name their commitment",
        ),
        "CommitmentDiscountType": expr(
            f"CASE WHEN {SP_ARN} IS NOT NULL THEN 'Savings Plan'"
            f" WHEN {RI_ARN} IS NOT NULL THEN 'Reserved Instance' END",
            "`Savings Plan` / `Reserved Instance` from which ARN is set",
        ),
        "ConsumedQuantity": expr(
            f"CASE WHEN {USAGE_TYPES} THEN {num('line_item_usage_amount')} END",
            "`line_item_usage_amount` on usage lines only",
        ),
        "ConsumedUnit": expr(
            f"CASE WHEN {USAGE_TYPES} THEN {unit} END",
            "`pricing_unit` via PRICING_UNIT (`Hrs` → `Hours`), usage lines only",
        ),
        "InvoiceId": expr(
            "NULLIF({bill_invoice_id}, '')", "`bill_invoice_id` (empty until invoiced)"
        ),
        "InvoiceIssuerName": expr(
            "COALESCE({bill_invoicing_entity}, 'Amazon Web Services, Inc.')",
            "`bill_invoicing_entity`, else `Amazon Web Services, Inc.`",
        ),
        "PricingCategory": expr(
            f"CASE WHEN {T} = 'BundledDiscount' THEN 'Standard'"
            f" WHEN {NO_PRICE} THEN NULL"
            f" WHEN {COVERED} THEN 'Committed'"
            " WHEN {line_item_usage_type} LIKE '%SpotUsage%' THEN 'Dynamic' ELSE 'Standard' END",
            "covered usage → `Committed`; Spot → `Dynamic`; Tax/Credit/Refund/discounts → NULL "
            "(BundledDiscount → `Standard`); else `Standard`",
        ),
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
            region_id,
            "`product_region_code`, else product `region`",
        ),
        "RegionName": expr(
            f"CASE WHEN ({region_id}) IS NOT NULL THEN COALESCE(NULLIF({{product_location}}, ''),"
            f" {product('location')}, {region_name}, {region_id}) END",
            "`product_location`, else product `location`, else the AWS name of RegionId "
            "(REGION_NAME), else RegionId; NULL where RegionId is NULL",
        ),
        "ResourceId": expr("NULLIF({line_item_resource_id}, '')", "`line_item_resource_id`"),
        "ResourceName": expr(resource_name, "the `Name` tag"),
        "ResourceType": expr(
            "CASE WHEN NULLIF({line_item_resource_id}, '') IS NOT NULL THEN"
            " COALESCE(NULLIF({product_product_family}, ''), NULLIF({product_servicecode}, ''),"
            " {line_item_product_code}) END",
            "`product_product_family`, else the service code; NULL where ResourceId is NULL",
        ),
        "ServiceCategory": expr(
            category, "`line_item_product_code` via SERVICE_CATEGORY, else `Other`"
        ),
        "ServiceName": expr(
            f"COALESCE({product('product_name')}, NULLIF({{product_servicecode}}, ''),"
            " {line_item_product_code})",
            "product `product_name`, else `product_servicecode`, else `line_item_product_code`",
        ),
        "ServiceSubcategory": lookup(
            "line_item_product_code",
            SERVICE_SUBCATEGORY,
            default=f"'Other (' || ({category}) || ')'",
            note="`line_item_product_code` via SERVICE_SUBCATEGORY, else "
            "`Other (<ServiceCategory>)`",
        ),
        "SkuId": expr(
            f"CASE WHEN {T} <> 'Tax' THEN NULLIF({{product_sku}}, '') END",
            "`product_sku`; NULL on Tax",
        ),
        "SkuMeter": expr(
            f"CASE WHEN {T} <> 'Tax' AND NULLIF({{product_sku}}, '') IS NOT NULL"
            f" THEN {text('line_item_usage_type')} END",
            "`line_item_usage_type`; NULL where SkuId is NULL (FOCUS SkuMeter nullability)",
        ),
        "SkuPriceDetails": expr(
            f"CASE WHEN {instance_type} IS NOT NULL AND ({sku_price_id}) IS NOT NULL"
            f" THEN json_object('InstanceType', {instance_type}) END",
            '`{"InstanceType": …}` when an instance type is known; NULL where SkuPriceId is NULL '
            "(FOCUS SkuPriceDetails nullability)",
        ),
        "SkuPriceId": expr(
            sku_price_id, "`pricing_rate_code`, else `pricing_rate_id`; NULL on Tax"
        ),
        "SubAccountId": col("line_item_usage_account_id"),
        "SubAccountName": col("line_item_usage_account_name"),
        "SubAccountType": expr(
            f"CASE WHEN {text('line_item_usage_account_id')} IS NOT NULL THEN 'Account' END",
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
        "x_SourceUnitPrice": expr(
            num("line_item_unblended_rate"),
            "`line_item_unblended_rate` as written (for 検収 when it disagrees with the cost)",
        ),
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
    "reservation_unused_recurring_fee", "reservation_unused_quantity",
    "reservation_total_reserved_units", "line_item_normalized_usage_amount",
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
    types = {n: "DOUBLE" if n in AWS_QUANTITIES else MONEY for n in AWS_NUMERIC}
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
    "REGION_NAME (RegionId → RegionName when the row has no location)": REGION_NAME,
}
