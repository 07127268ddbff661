"""Expected lake values for the AWS fixtures (fixtures/build_aws.py), computed by hand.

The same line items are written in the CUR 2.0, legacy CSV and legacy Athena layouts, so most
cases hold for all three; `TAG_CASES_*` differ because each layout spells tag keys differently.
Sources of each rule: docs/adapters/aws-cur2.md (generated from aws_common.py).
"""

from __future__ import annotations

from adapter_contract import Case

C = Case
# 2025-04: 21 source rows, SavingsPlanNegation li-04 folded → 20 lake rows, plus the two Usage
# rows generated for the unused part of li-06 (SP recurring fee) and li-08 (RIFee) = 22.
# Σ BilledCost =
# 0.248 + 0.2232 + 0 (li-03 covered) + 0 (li-05 RI) + 89.28 + 500 + 36 + 700 + 15 + 12.32 − 5
# − 3.1 − 1.2 − 0.5 + 0.4 + 2.5 + 0.8 + 0.035 + 0.0136 + 0.06 = 1347.0798
# 2025-05: li-22 0.248 + li-23 0.02 = 0.268
EXPECTED_UNITS = {
    ("2025-04", "USD"): (22, 1, 1347.0798),
    ("2025-05", "USD"): (2, 0, 0.268),
}

COMMON = [
    # BilledCost: net unblended, else unblended; 0 on SP-covered usage (formats.md §8.1)
    C("billed-unblended", "li-01", "BilledCost", 0.248),
    C("billed-net-unblended-wins", "li-02", "BilledCost", 0.2232),
    C("billed-sp-covered-zero", "li-03", "BilledCost", 0.0),
    C("billed-ri-covered-zero", "li-05", "BilledCost", 0.0),
    C("billed-credit-negative", "li-12", "BilledCost", -5.0),
    C("source-billed-keeps-provider-amount", "li-03", "x_SourceBilledCost", 0.124),
    C("source-billed-net", "li-02", "x_SourceBilledCost", 0.2232),
    C("negation-folded-with-its-amount", "li-04", "x_SourceBilledCost", -0.124),
    # EffectiveCost by line item type (formats.md §2.5, §8.1)
    C("effective-sp-covered-net", "li-03", "EffectiveCost", 0.0781),
    C("effective-ri-discounted-usage", "li-05", "EffectiveCost", 0.095),
    # FOCUS DiscountHandling: a commitment purchase has EffectiveCost 0; its unused part is a
    # generated Usage row (key "<id>:unused") with CommitmentDiscountStatus Unused
    C("effective-sp-recurring-fee-zero", "li-06", "EffectiveCost", 0.0),
    C("effective-sp-upfront-zero", "li-07", "EffectiveCost", 0.0),
    C("effective-rifee-zero", "li-08", "EffectiveCost", 0.0),
    C("unused-sp-effective", "li-06:unused", "EffectiveCost", 26.78),  # 89.28 − 62.5
    C("unused-sp-billed-zero", "li-06:unused", "BilledCost", 0.0),
    C("unused-sp-quantity-money", "li-06:unused", "CommitmentDiscountQuantity", 26.78),
    C("unused-sp-unit-currency", "li-06:unused", "CommitmentDiscountUnit", "USD"),
    C("unused-ri-effective", "li-08:unused", "EffectiveCost", 3.75),  # 1.5 + 2.25
    C("unused-ri-category", "li-08:unused", "ChargeCategory", "Usage"),
    C("unused-ri-status", "li-08:unused", "CommitmentDiscountStatus", "Unused"),
    C("unused-ri-resource-is-commitment", "li-08:unused", "ResourceId",
      "arn:aws:ec2:ap-northeast-1:111122223333:reserved-instances/ri-0001"),
    C("unused-ri-consumed-null", "li-08:unused", "ConsumedQuantity", None),
    C("unused-ri-source-billed-null", "li-08:unused", "x_SourceBilledCost", None),
    C("effective-ri-upfront-fee-zero", "li-09", "EffectiveCost", 0.0),
    C("effective-other-fee-is-billed", "li-10", "EffectiveCost", 15.0),
    C("effective-usage-is-billed-net", "li-02", "EffectiveCost", 0.2232),
    C("effective-tax-is-billed", "li-11", "EffectiveCost", 12.32),
    # ChargeCategory from the line item type
    C("category-usage", "li-01", "ChargeCategory", "Usage"),
    C("category-discounted-usage", "li-05", "ChargeCategory", "Usage"),
    C("category-sp-covered-usage", "li-03", "ChargeCategory", "Usage"),
    C("category-sp-recurring-fee", "li-06", "ChargeCategory", "Purchase"),
    C("category-sp-upfront-fee", "li-07", "ChargeCategory", "Purchase"),
    C("category-rifee", "li-08", "ChargeCategory", "Purchase"),
    C("category-fee", "li-10", "ChargeCategory", "Purchase"),
    C("category-tax", "li-11", "ChargeCategory", "Tax"),
    C("category-credit", "li-12", "ChargeCategory", "Credit"),
    C("category-refund-adjustment", "li-13", "ChargeCategory", "Adjustment"),
    C("category-edp-discount-credit", "li-14", "ChargeCategory", "Credit"),
    C("category-bundled-discount-usage", "li-15", "ChargeCategory", "Usage"),
    # ChargeClass, ChargeFrequency
    C("class-refund-of-earlier-period", "li-13", "ChargeClass", "Correction"),
    C("class-credit-in-period", "li-12", "ChargeClass", None),
    C("frequency-usage", "li-01", "ChargeFrequency", "Usage-Based"),
    C("frequency-sp-recurring", "li-06", "ChargeFrequency", "Recurring"),
    C("frequency-rifee-recurring", "li-08", "ChargeFrequency", "Recurring"),
    C("frequency-upfront-one-time", "li-07", "ChargeFrequency", "One-Time"),
    C("frequency-fee-one-time", "li-09", "ChargeFrequency", "One-Time"),
    C("frequency-tax-recurring", "li-11", "ChargeFrequency", "Recurring"),
    C("frequency-refund-one-time", "li-13", "ChargeFrequency", "One-Time"),
    # PricingCategory
    C("pricing-standard", "li-01", "PricingCategory", "Standard"),
    C("pricing-committed-sp", "li-03", "PricingCategory", "Committed"),
    C("pricing-committed-ri", "li-05", "PricingCategory", "Committed"),
    C("pricing-spot-dynamic", "li-19", "PricingCategory", "Dynamic"),
    C("pricing-tax-null", "li-11", "PricingCategory", None),
    C("pricing-bundled-discount-standard", "li-15", "PricingCategory", "Standard"),
    # List / contracted cost and prices
    C("list-cost-public-on-demand", "li-03", "ListCost", 0.124),
    C("list-cost-rate-times-amount", "li-16", "ListCost", 0.4),  # 0.004 × 100
    C("list-cost-tax-equals-billed", "li-11", "ListCost", 12.32),
    C("list-unit-price", "li-01", "ListUnitPrice", 0.248),
    C("list-unit-price-tax-null", "li-11", "ListUnitPrice", None),
    C("contracted-cost-covered-is-on-demand", "li-03", "ContractedCost", 0.124),
    C("contracted-cost-unblended", "li-02", "ContractedCost", 0.248),
    C("contracted-unit-price", "li-01", "ContractedUnitPrice", 0.248),
    # issue 14: RI-covered usage is priced at the on-demand rate its ContractedCost uses
    C("contracted-unit-price-ri-covered", "li-05", "ContractedUnitPrice", 0.152),
    C("contracted-cost-ri-covered", "li-05", "ContractedCost", 0.152),
    # issue 14: without a list price ListCost = BilledCost and the unit price follows it
    C("list-cost-rifee-is-billed", "li-08", "ListCost", 36.0),
    C("list-cost-fee-is-billed", "li-10", "ListCost", 15.0),
    C("contracted-unit-price-spot", "li-19", "ContractedUnitPrice", 0.035),  # 0.035 / 1
    C("list-unit-price-spot-from-public-cost", "li-19", "ListUnitPrice", 0.107),
    C("pricing-currency", "li-01", "PricingCurrency", "USD"),
    C("pricing-currency-list-unit-price", "li-01", "PricingCurrencyListUnitPrice", 0.248),
    C("commitment-quantity-ri-hours", "li-05", "CommitmentDiscountQuantity", 1.0),
    C("commitment-unit-ri-hours", "li-05", "CommitmentDiscountUnit", "Hours"),
    C("commitment-quantity-sp-money", "li-03", "CommitmentDiscountQuantity", 0.0868),
    C("commitment-unit-sp-currency", "li-03", "CommitmentDiscountUnit", "USD"),
    C("commitment-quantity-null-without-commitment", "li-01", "CommitmentDiscountQuantity",
      None),
    # Commitments
    C("commitment-sp-id", "li-03", "CommitmentDiscountId",
      "arn:aws:savingsplans::111122223333:savingsplan/3f1c0d2e-sp-0001"),
    C("commitment-sp-category", "li-03", "CommitmentDiscountCategory", "Spend"),
    C("commitment-sp-type", "li-03", "CommitmentDiscountType", "Savings Plan"),
    C("commitment-sp-status", "li-03", "CommitmentDiscountStatus", "Used"),
    C("commitment-ri-id", "li-05", "CommitmentDiscountId",
      "arn:aws:ec2:ap-northeast-1:111122223333:reserved-instances/ri-0001"),
    C("commitment-ri-category", "li-05", "CommitmentDiscountCategory", "Usage"),
    C("commitment-ri-type", "li-05", "CommitmentDiscountType", "Reserved Instance"),
    C("commitment-none-on-usage", "li-01", "CommitmentDiscountId", None),
    # Quantities and units
    C("consumed-quantity-usage", "li-16", "ConsumedQuantity", 100.0),
    C("consumed-unit-gb-months", "li-16", "ConsumedUnit", "GB-Months"),
    C("consumed-unit-hours", "li-01", "ConsumedUnit", "Hours"),
    C("consumed-quantity-null-on-fee", "li-06", "ConsumedQuantity", None),
    C("pricing-quantity-null-on-tax", "li-11", "PricingQuantity", None),
    # Parties, places, periods
    C("publisher-aws", "li-01", "PublisherName", "Amazon Web Services, Inc."),
    C("publisher-marketplace-seller", "li-21", "PublisherName", "Red Hat, Inc."),
    C("invoice-issuer", "li-01", "InvoiceIssuerName", "Amazon Web Services Japan G.K."),
    C("invoice-id-empty-is-null", "li-01", "InvoiceId", None),
    C("provider", "li-01", "ProviderName", "AWS"),
    C("billing-account", "li-01", "BillingAccountId", "111122223333"),
    C("sub-account", "li-01", "SubAccountId", "444455556666"),
    C("sub-account-type", "li-01", "SubAccountType", "Account"),
    C("region-id", "li-01", "RegionId", "ap-northeast-1"),
    C("region-id-from-product-region", "li-20", "RegionId", "ap-northeast-1"),
    C("region-name", "li-01", "RegionName", "Asia Pacific (Tokyo)"),
    C("charge-period-start-utc", "li-01", "ChargePeriodStart", "2025-04-05T00:00:00Z"),
    C("billing-period-start-utc", "li-22", "BillingPeriodStart", "2025-05-01T00:00:00Z"),
    C("billing-period-end-exclusive", "li-01", "BillingPeriodEnd", "2025-05-01T00:00:00Z"),
    C("resource-id", "li-16", "ResourceId", "vol-0gp2"),
    C("resource-id-empty-is-null", "li-11", "ResourceId", None),
    C("resource-type-product-family", "li-01", "ResourceType", "Compute Instance"),
    C("resource-type-null-without-resource", "li-06", "ResourceType", None),
    # Services and SKUs
    C("service-name-product-name", "li-01", "ServiceName", "Amazon Elastic Compute Cloud"),
    C("service-name-fallback-servicecode", "li-10", "ServiceName", "AmazonRoute53"),
    C("service-category-compute", "li-01", "ServiceCategory", "Compute"),
    C("service-category-storage", "li-17", "ServiceCategory", "Storage"),
    C("service-category-unknown-other", "li-21", "ServiceCategory", "Other"),
    C("service-subcategory", "li-17", "ServiceSubcategory", "Object Storage"),
    C("service-subcategory-other-of-its-category", "li-10", "ServiceSubcategory",
      "Network Routing"),
    C("service-subcategory-other-unknown", "li-21", "ServiceSubcategory", "Other (Other)"),
    C("sku-id", "li-01", "SkuId", "SKU1"),
    C("sku-id-null-on-tax", "li-11", "SkuId", None),
    C("sku-price-id", "li-01", "SkuPriceId", "SKU1.JRTCKXETXF.6YS6EN2CT7"),
    C("sku-price-id-null-on-tax", "li-11", "SkuPriceId", None),
    C("sku-meter-usage-type", "li-01", "SkuMeter", "APN1-BoxUsage:m5.xlarge"),
    C("sku-price-details-instance-type", "li-01", "SkuPriceDetails",
      '{"InstanceType":"m5.xlarge"}'),
    # gcfinops extensions the rules need
    C("instance-type-from-product", "li-19", "x_InstanceType", "c5.large"),
    C("instance-type-from-usage-type", "li-20", "x_InstanceType", "t3.micro"),
    C("volume-type-gp2", "li-16", "x_VolumeType", "gp2"),
    C("storage-class-standard", "li-17", "x_StorageClass", "STANDARD"),
    C("storage-class-standard-ia", "li-18", "x_StorageClass", "STANDARD_IA"),
    C("storage-class-null-off-s3", "li-16", "x_StorageClass", None),
    C("usage-type", "li-16", "x_UsageType", "APN1-EBS:VolumeUsage.gp2"),
    C("operation", "li-16", "x_Operation", "CreateVolume-Gp2"),
    C("service-code", "li-17", "x_ServiceCode", "AmazonS3"),
    C("source-charge-type", "li-03", "x_SourceChargeType", "SavingsPlanCoveredUsage"),
    C("source-row-is-1-based", "li-01", "x_SourceRow", 1),
    # Allocation from tags (allocation/tags.py), applied by the ingest
    C("ward-from-romaji-tag", "li-01", "x_Ward", "131121"),
    C("ward-from-code-tag", "li-02", "x_Ward", "131121"),
    C("environment-from-japanese-tag", "li-03", "x_Environment", "prod"),
    C("environment-untagged-null", "li-20", "x_Environment", None),
]  # fmt: skip

CUR2_ONLY = [
    C("billing-account-name", "li-01", "BillingAccountName", "gcf-setagaya-payer"),
    C("sub-account-name", "li-01", "SubAccountName", "setagaya-jr"),
    C("tags-user-prefix-removed", "li-01", "Tags",
      {"ward": "setagaya", "env": "dev", "system": "resident_registry", "name": "jr-dev-ap01",
       "aws_createdBy": "admin"}),
    C("tags-japanese-value", "li-03", "Tags", {"ward": "131121", "env": "本番"}),
    C("tags-empty-map-is-null", "li-20", "Tags", None),
    C("resource-name-from-name-tag", "li-01", "ResourceName", "jr-dev-ap01"),
]  # fmt: skip

LEGACY_CSV_ONLY = [
    C("billing-account-name-absent", "li-01", "BillingAccountName", None),
    C("tags-user-colon-removed", "li-01", "Tags",
      {"ward": "setagaya", "env": "dev", "system": "resident_registry", "Name": "jr-dev-ap01",
       "aws:createdBy": "admin"}),
    C("tags-japanese-value", "li-03", "Tags", {"ward": "131121", "env": "本番"}),
    C("tags-all-empty-is-null", "li-20", "Tags", None),
    C("resource-name-from-name-tag", "li-01", "ResourceName", "jr-dev-ap01"),
]  # fmt: skip

ATHENA_ONLY = [
    C("billing-account-name-absent", "li-01", "BillingAccountName", None),
    C("tags-from-columns", "li-01", "Tags",
      {"ward": "setagaya", "env": "dev", "system": "resident_registry", "name": "jr-dev-ap01",
       "aws:created_by": "admin"}),
    C("tags-all-empty-is-null", "li-20", "Tags", None),
    C("resource-name-from-name-tag", "li-01", "ResourceName", "jr-dev-ap01"),
]  # fmt: skip
