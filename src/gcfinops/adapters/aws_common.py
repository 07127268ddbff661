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

# formats.md §2.5 (FOCUS ChargeCategory supporting content, AWS mapping).
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
    "BundledDiscount": "Credit",
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
    "AWSCostExplorer": "Management and Governance", "AWSSupportBusiness": "Management and Governance",
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
SOURCE_BILLED = "COALESCE(TRY_CAST({line_item_net_unblended_cost} AS DOUBLE), " \
    "TRY_CAST({line_item_unblended_cost} AS DOUBLE))"  # fmt: skip
FOLD_WHEN = f"{T} = 'SavingsPlanNegation'"
COVERED = f"{T} IN ('SavingsPlanCoveredUsage', 'DiscountedUsage')"
NO_PRICE = f"{T} IN ('Tax', 'Credit', 'Refund') OR {T} LIKE '%Discount'"


def num(name: str) -> str:
    return NUM % name


def s3_class() -> str:
    whens = " ".join(f"WHEN {{line_item_usage_type}} LIKE '{p}' THEN '{c}'" for p, c in S3_CLASS_BY_USAGE)
    return f"CASE WHEN {{line_item_product_code}} = 'AmazonS3' THEN (CASE {whens} END) END"


def aws_columns(product: Callable[[str], str], tags: Expr, resource_name: str) -> dict[str, Expr]:
    """The mapping; `product(attr)` renders a product attribute for the flavour at hand."""
    billed = (
        f"CASE WHEN {T} = 'SavingsPlanCoveredUsage' THEN 0 ELSE {SOURCE_BILLED} END"
    )
    effective = (
        f"CASE {T}"
        f" WHEN 'SavingsPlanCoveredUsage' THEN COALESCE({num('savings_plan_net_savings_plan_effective_cost')},"
        f" {num('savings_plan_savings_plan_effective_cost')})"
        f" WHEN 'DiscountedUsage' THEN COALESCE({num('reservation_net_effective_cost')},"
        f" {num('reservation_effective_cost')})"
        f" WHEN 'SavingsPlanRecurringFee' THEN COALESCE({num('savings_plan_total_commitment_to_date')}"
        f" - {num('savings_plan_used_commitment')}, 0)"
        " WHEN 'SavingsPlanUpfrontFee' THEN 0"
        f" WHEN 'RIFee' THEN COALESCE({num('reservation_unused_amortized_upfront_fee_for_billing_period')}, 0)"
        f" + COALESCE({num('reservation_unused_recurring_fee')}, 0)"
        f" ELSE CASE WHEN {T} = 'Fee' AND NULLIF({{reservation_reservation_a_r_n}}, '') IS NOT NULL"
        f" THEN 0 ELSE {SOURCE_BILLED} END END"
    )
    list_cost = (
        f"CASE WHEN {NO_PRICE} THEN {SOURCE_BILLED} ELSE COALESCE({num('pricing_public_on_demand_cost')},"
        f" {num('pricing_public_on_demand_rate')} * {num('line_item_usage_amount')}, {SOURCE_BILLED}) END"
    )
    contracted_cost = (
        f"CASE WHEN {NO_PRICE} THEN {SOURCE_BILLED}"
        f" WHEN {COVERED} THEN COALESCE({num('pricing_public_on_demand_cost')}, {SOURCE_BILLED})"
        f" ELSE COALESCE({num('line_item_unblended_cost')}, {SOURCE_BILLED}) END"
    )
    commitment_id = (
        "COALESCE(NULLIF({savings_plan_savings_plan_a_r_n}, ''), NULLIF({reservation_reservation_a_r_n}, ''))"
    )
    is_sp = "NULLIF({savings_plan_savings_plan_a_r_n}, '') IS NOT NULL"
    is_ri = "NULLIF({reservation_reservation_a_r_n}, '') IS NOT NULL"
    category = case_lookup("line_item_line_item_type", CHARGE_CATEGORY, strict=True)
    instance_type = (
        "COALESCE(NULLIF({product_instance_type}, ''), CASE WHEN {line_item_usage_type} LIKE '%Usage:%'"
        " AND {line_item_product_code} IN ('AmazonEC2', 'AmazonRDS')"
        " THEN split_part({line_item_usage_type}, ':', 2) END)"
    )
    return {
        "AvailabilityZone": col("line_item_availability_zone"),
        "BilledCost": expr(billed, "net unblended (else unblended); 0 on SavingsPlanCoveredUsage, "
                           "whose SavingsPlanNegation is folded"),
        "BillingAccountId": col("bill_payer_account_id"),
        "BillingAccountName": col("bill_payer_account_name"),
        "BillingAccountType": const("Payer Account", "constant (gcfinops choice; AWS value unconfirmed)"),
        "BillingCurrency": col("line_item_currency_code"),
        "BillingPeriodEnd": col("bill_billing_period_end_date"),
        "BillingPeriodStart": col("bill_billing_period_start_date"),
        "CapacityReservationId": null(),
        "CapacityReservationStatus": null(),
        "ChargeCategory": expr(category, "`line_item_line_item_type` via CHARGE_CATEGORY; unknown → error"),
        "ChargeClass": expr(
            f"CASE WHEN {T} IN ('Refund', 'Credit') AND {{line_item_usage_start_date}}"
            " < {bill_billing_period_start_date} THEN 'Correction' END",
            "Correction for refunds/credits of usage before the billing period",
        ),
        "ChargeDescription": col("line_item_line_item_description"),
        "ChargeFrequency": lookup("line_item_line_item_type", CHARGE_FREQUENCY,
                                  default="'Usage-Based'", note="by line item type"),
        "ChargePeriodEnd": col("line_item_usage_end_date"),
        "ChargePeriodStart": col("line_item_usage_start_date"),
        "CommitmentDiscountCategory": expr(
            f"CASE WHEN {is_sp} THEN 'Spend' WHEN {is_ri} THEN 'Usage' END", "SP → Spend, RI → Usage"),
        "CommitmentDiscountId": expr(commitment_id, "Savings Plan ARN, else reservation ARN"),
        "CommitmentDiscountName": null(),
        "CommitmentDiscountQuantity": null("not derived yet"),
        "CommitmentDiscountStatus": expr(f"CASE WHEN {COVERED} THEN 'Used' END", "covered usage → Used"),
        "CommitmentDiscountType": expr(
            f"CASE WHEN {is_sp} THEN 'Savings Plan' WHEN {is_ri} THEN 'Reserved Instance' END"),
        "CommitmentDiscountUnit": null("not derived yet"),
        "ConsumedQuantity": expr(
            f"CASE WHEN {T} IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')"
            f" THEN {num('line_item_usage_amount')} END", "usage rows only"),
        "ConsumedUnit": expr(
            f"CASE WHEN {T} IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')"
            f" THEN {case_lookup('pricing_unit', PRICING_UNIT, default='{pricing_unit}')} END"),
        "ContractedCost": expr(contracted_cost, "unblended; on-demand cost on covered usage"),
        "ContractedUnitPrice": expr(f"CASE WHEN NOT ({NO_PRICE}) THEN {num('line_item_unblended_rate')} END"),
        "EffectiveCost": expr(effective, "SP/RI effective cost on covered usage; unused commitment on fees"),
        "InvoiceId": expr("NULLIF({bill_invoice_id}, '')"),
        "InvoiceIssuerName": expr("COALESCE({bill_invoicing_entity}, 'Amazon Web Services, Inc.')"),
        "ListCost": expr(list_cost, "public on-demand cost"),
        "ListUnitPrice": expr(f"CASE WHEN NOT ({NO_PRICE}) THEN {num('pricing_public_on_demand_rate')} END"),
        "PricingCategory": expr(
            f"CASE WHEN {T} = 'Tax' OR {T} = 'Credit' OR {T} = 'Refund' OR {T} LIKE '%Discount' THEN NULL"
            f" WHEN {COVERED} THEN 'Committed'"
            " WHEN {line_item_usage_type} LIKE '%SpotUsage%' THEN 'Dynamic' ELSE 'Standard' END"),
        "PricingCurrency": col("pricing_currency"),
        "PricingCurrencyContractedUnitPrice": null(),
        "PricingCurrencyEffectiveCost": null(),
        "PricingCurrencyListUnitPrice": null(),
        "PricingQuantity": expr(f"CASE WHEN NOT ({NO_PRICE}) THEN {num('line_item_usage_amount')} END"),
        "PricingUnit": expr(
            f"CASE WHEN NOT ({NO_PRICE}) THEN"
            f" {case_lookup('pricing_unit', PRICING_UNIT, default='{pricing_unit}')} END"),
        "ProviderName": const("AWS"),
        "PublisherName": expr("COALESCE({line_item_legal_entity}, 'Amazon Web Services, Inc.')"),
        "RegionId": expr(f"COALESCE(NULLIF({{product_region_code}}, ''), {product('region')})"),
        "RegionName": expr(f"COALESCE(NULLIF({{product_location}}, ''), {product('location')})"),
        "ResourceId": expr("NULLIF({line_item_resource_id}, '')"),
        "ResourceName": expr(resource_name, "tag Name"),
        "ResourceType": expr("NULLIF({product_product_family}, '')", "product family"),
        "ServiceCategory": lookup("line_item_product_code", SERVICE_CATEGORY, default="'Other'"),
        "ServiceName": expr(
            f"COALESCE({product('product_name')}, NULLIF({{product_servicecode}}, ''),"
            " {line_item_product_code})"),
        "ServiceSubcategory": lookup("line_item_product_code", SERVICE_SUBCATEGORY,
                                     default="'Other (Other)'"),
        "SkuId": expr(f"CASE WHEN {T} <> 'Tax' THEN NULLIF({{product_sku}}, '') END"),
        "SkuMeter": col("line_item_usage_type"),
        "SkuPriceDetails": expr(
            f"CASE WHEN {instance_type} IS NOT NULL THEN json_object('InstanceType', {instance_type}) END"),
        "SkuPriceId": expr(f"CASE WHEN {T} <> 'Tax' THEN NULLIF({{pricing_rate_code}}, '') END"),
        "SubAccountId": col("line_item_usage_account_id"),
        "SubAccountName": col("line_item_usage_account_name"),
        "SubAccountType": expr("CASE WHEN {line_item_usage_account_id} IS NOT NULL THEN 'Account' END"),
        "Tags": tags,
        "x_InstanceType": expr(instance_type, "product instance type, else from the usage type"),
        "x_VolumeType": expr(product("volume_api_name"), "product volume_api_name (gp2, gp3, …)"),
        "x_StorageClass": expr(s3_class(), "S3 class from the TimedStorage usage type"),
        "x_UsageType": col("line_item_usage_type"),
        "x_Operation": col("line_item_operation"),
        "x_ServiceCode": col("line_item_product_code"),
        "x_SourceChargeType": col("line_item_line_item_type"),
        "x_SourceBilledCost": expr(SOURCE_BILLED, "net unblended, else unblended, as billed"),
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
