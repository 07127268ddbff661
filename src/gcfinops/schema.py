"""The lake's columns: FOCUS 1.2 exactly as the spec names and types them, then our `x_` extensions.

Source: FOCUS specification v1.2 (FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec, tag v1.2,
`specification/columns/*.md`), summarised in shared/reference/formats.md §1.3–1.5. Custom columns
start with `x_` and come after every FOCUS column (FOCUS attribute "ColumnHandling").

Type choices: FOCUS Decimal → for money (costs and unit prices, `MONEY_COLUMNS`) DECIMAL(38, 18),
exact: 18 decimal places hold every digit the providers write (AWS CUR ≤ 10, OCI ≤ 18, Sakura
whole yen, FOCUS exports ≤ 12; Azure and Google Cloud write binary floats, whose digits beyond
10^-18 are rounded half-up on read), and 20 integer digits leave any sum room (DuckDB sums a
DECIMAL(38, s) as DECIMAL(38, s)); portable to Spark, Athena and Parquet readers. Quantities stay
DOUBLE (measured volumes, never summed into an invoice). Date/Time → TIMESTAMP WITH TIME ZONE,
always UTC (Parquet `isAdjustedToUTC=true`);
Key-Value (Tags) → MAP(VARCHAR, VARCHAR) so rules can look tags up without parsing JSON;
SkuPriceDetails stays JSON text.
"""

from __future__ import annotations

from dataclasses import dataclass

MONEY = "DECIMAL(38,18)"
DECIMAL = "DOUBLE"  # FOCUS Decimal columns that are not money (quantities)
DATETIME = "TIMESTAMPTZ"
STRING = "VARCHAR"
KEY_VALUE = "MAP(VARCHAR, VARCHAR)"
INTEGER = "BIGINT"


@dataclass(frozen=True)
class Column:
    """One lake column: its name, DuckDB type, whether FOCUS allows NULL, and what it means."""

    name: str
    type: str
    nullable: bool
    description: str
    since: str  # FOCUS version that introduced it, or "gcfinops" for x_ columns
    deprecated: str | None = None  # FOCUS version that deprecated it (still present there)

    @property
    def is_extension(self) -> bool:
        return self.name.startswith("x_")

    def in_focus(self, version: str) -> bool:
        """Whether FOCUS `version` defines this column (x_ columns: never)."""
        if self.is_extension:
            return False
        return version_key(self.since) <= version_key(version)


def _c(
    name: str,
    type_: str,
    nullable: bool,
    since: str,
    description: str,
    deprecated: str | None = None,
) -> Column:
    return Column(name, type_, nullable, description, since, deprecated)


def version_key(version: str) -> tuple[int, ...]:
    """`1.0-preview` sorts with 1.0 (every 1.0 column is in 1.0); `0.5` < `1.0` < `1.2`."""
    return tuple(int(p) for p in version.split("-")[0].split("."))


FOCUS_COLUMNS: tuple[Column, ...] = (
    _c(
        "AvailabilityZone",
        STRING,
        True,
        "0.5",
        "Provider-assigned id of a physically separated area within a region.",
    ),
    _c(
        "BilledCost",
        MONEY,
        False,
        "0.5",
        "Cost that is the basis for invoicing; includes discounts, excludes amortization of upfront purchases.",
    ),
    _c("BillingAccountId", STRING, False, "0.5", "Id of the account that receives the invoice."),
    _c("BillingAccountName", STRING, True, "0.5", "Display name of the billing account."),
    _c(
        "BillingAccountType",
        STRING,
        False,
        "1.2",
        "Provider label for the kind of billing account.",
    ),
    _c(
        "BillingCurrency",
        STRING,
        False,
        "0.5",
        "ISO 4217 currency of BilledCost, EffectiveCost, ListCost and ContractedCost.",
    ),
    _c("BillingPeriodEnd", DATETIME, False, "0.5", "Exclusive end of the billing period (UTC)."),
    _c(
        "BillingPeriodStart", DATETIME, False, "0.5", "Inclusive start of the billing period (UTC)."
    ),
    _c("CapacityReservationId", STRING, True, "1.1", "Id of a capacity reservation."),
    _c(
        "CapacityReservationStatus",
        STRING,
        True,
        "1.1",
        "Used / Unused portion of a capacity reservation.",
    ),
    _c("ChargeCategory", STRING, False, "0.5", "Usage, Purchase, Tax, Credit or Adjustment."),
    _c(
        "ChargeClass",
        STRING,
        True,
        "1.0",
        "'Correction' for corrections of an already invoiced period, else NULL.",
    ),
    _c("ChargeDescription", STRING, True, "1.0", "Self-contained summary of the charge."),
    _c("ChargeFrequency", STRING, False, "1.0", "One-Time, Recurring or Usage-Based."),
    _c("ChargePeriodEnd", DATETIME, False, "0.5", "Exclusive end of the charge period (UTC)."),
    _c("ChargePeriodStart", DATETIME, False, "0.5", "Inclusive start of the charge period (UTC)."),
    _c("CommitmentDiscountCategory", STRING, True, "1.0", "Spend or Usage commitment."),
    _c(
        "CommitmentDiscountId",
        STRING,
        True,
        "1.0",
        "Id of the commitment discount (RI, Savings Plan, CUD).",
    ),
    _c("CommitmentDiscountName", STRING, True, "1.0", "Display name of the commitment discount."),
    _c(
        "CommitmentDiscountQuantity",
        DECIMAL,
        True,
        "1.1",
        "Quantity of CommitmentDiscountUnit purchased, used or unused.",
    ),
    _c("CommitmentDiscountStatus", STRING, True, "1.0", "Used / Unused."),
    _c(
        "CommitmentDiscountType",
        STRING,
        True,
        "1.0",
        "Provider label, e.g. 'Savings Plan', 'Reserved Instance'.",
    ),
    _c("CommitmentDiscountUnit", STRING, True, "1.1", "Unit of CommitmentDiscountQuantity."),
    _c("ConsumedQuantity", DECIMAL, True, "1.0", "Measured usage volume."),
    _c("ConsumedUnit", STRING, True, "1.0", "Unit of ConsumedQuantity."),
    _c("ContractedCost", MONEY, False, "1.0", "ContractedUnitPrice x PricingQuantity."),
    _c("ContractedUnitPrice", MONEY, True, "1.0", "Negotiated unit price for one PricingUnit."),
    _c(
        "EffectiveCost",
        MONEY,
        False,
        "0.5",
        "Amortized cost after all discounts and prepaid purchases.",
    ),
    _c("InvoiceId", STRING, True, "1.2", "Id of the invoice the charge is billed on."),
    _c("InvoiceIssuerName", STRING, False, "0.5", "Entity that issues the invoice."),
    _c("ListCost", MONEY, False, "1.0", "ListUnitPrice x PricingQuantity."),
    _c(
        "ListUnitPrice",
        MONEY,
        True,
        "1.0",
        "Public unit price for one PricingUnit, without discounts.",
    ),
    _c("PricingCategory", STRING, True, "1.0", "Standard, Dynamic, Committed or Other."),
    _c(
        "PricingCurrency",
        STRING,
        True,
        "1.2",
        "Currency of the price list when it differs from the billing currency.",
    ),
    _c(
        "PricingCurrencyContractedUnitPrice",
        MONEY,
        True,
        "1.2",
        "ContractedUnitPrice in PricingCurrency.",
    ),
    _c("PricingCurrencyEffectiveCost", MONEY, True, "1.2", "EffectiveCost in PricingCurrency."),
    _c("PricingCurrencyListUnitPrice", MONEY, True, "1.2", "ListUnitPrice in PricingCurrency."),
    _c("PricingQuantity", DECIMAL, True, "1.0", "Volume in PricingUnit."),
    _c("PricingUnit", STRING, True, "1.0", "Unit in which prices are quoted."),
    _c(
        "ProviderName",
        STRING,
        False,
        "0.5",
        "Entity that makes the service available.",
        deprecated="1.3",
    ),
    _c(
        "PublisherName",
        STRING,
        False,
        "0.5",
        "Entity that produced the service.",
        deprecated="1.3",
    ),
    _c("RegionId", STRING, True, "1.0", "Provider region id, e.g. ap-northeast-1."),
    _c("RegionName", STRING, True, "1.0", "Provider region display name."),
    _c("ResourceId", STRING, True, "0.5", "Unique id of the resource."),
    _c("ResourceName", STRING, True, "0.5", "Display name of the resource."),
    _c("ResourceType", STRING, True, "1.0", "Display name of the kind of resource."),
    _c("ServiceCategory", STRING, False, "0.5", "Allowed-value category of the service."),
    _c("ServiceName", STRING, False, "0.5", "Offering name."),
    _c("ServiceSubcategory", STRING, True, "1.1", "Allowed-value subcategory of the service."),
    _c("SkuId", STRING, True, "1.0", "Stable id of the SKU."),
    _c("SkuMeter", STRING, True, "1.1", "Functional meter name of the SKU."),
    _c("SkuPriceDetails", STRING, True, "1.1", "JSON object of SKU price properties."),
    _c("SkuPriceId", STRING, True, "1.0", "Id of the SKU price."),
    _c(
        "SubAccountId",
        STRING,
        True,
        "0.5",
        "Id of the sub account (AWS account, subscription, project, compartment).",
    ),
    _c("SubAccountName", STRING, True, "0.5", "Name of the sub account."),
    _c("SubAccountType", STRING, True, "1.2", "Provider label for the kind of sub account."),
    _c(
        "Tags",
        KEY_VALUE,
        True,
        "1.0",
        "Finalized tags (provider prefixes such as 'user:' removed).",
    ),
)

EXTENSION_COLUMNS: tuple[Column, ...] = (
    _c(
        "x_Ward",
        STRING,
        True,
        "gcfinops",
        "6-digit 全国地方公共団体コード of the municipality the cost belongs to.",
    ),
    _c(
        "x_BusinessSystem", STRING, True, "gcfinops", "Id of one of the 20 標準化対象業務, or NULL."
    ),
    _c(
        "x_Environment",
        STRING,
        True,
        "gcfinops",
        "prod / stg / dev / test / sandbox / training, or NULL.",
    ),
    _c("x_InstanceType", STRING, True, "gcfinops", "Instance or VM size, e.g. m5.xlarge."),
    _c("x_VolumeType", STRING, True, "gcfinops", "Block-storage volume type, e.g. gp2, gp3."),
    _c(
        "x_StorageClass",
        STRING,
        True,
        "gcfinops",
        "Object-storage class, e.g. STANDARD, STANDARD_IA.",
    ),
    _c(
        "x_UsageType",
        STRING,
        True,
        "gcfinops",
        "Provider usage type / meter, e.g. APN1-BoxUsage:m5.xlarge.",
    ),
    _c("x_Operation", STRING, True, "gcfinops", "Provider operation, e.g. RunInstances."),
    _c("x_ServiceCode", STRING, True, "gcfinops", "Provider service code, e.g. AmazonEC2."),
    _c(
        "x_SourceChargeType",
        STRING,
        True,
        "gcfinops",
        "The provider's own charge type, e.g. SavingsPlanCoveredUsage.",
    ),
    _c(
        "x_SourceBilledCost",
        MONEY,
        True,
        "gcfinops",
        "Amount the source row billed before FOCUS folding (lineage for 検収).",
    ),
    _c(
        "x_SourceUnitPrice",
        MONEY,
        True,
        "gcfinops",
        "Unit price as the source row wrote it, before FOCUS normalization (lineage for 検収).",
    ),
    _c("x_SourceFormat", STRING, False, "gcfinops", "Adapter that read the row, e.g. aws-cur2."),
    _c("x_SourceFile", STRING, False, "gcfinops", "Path of the source file, as given to ingest."),
    _c(
        "x_SourceRow",
        INTEGER,
        False,
        "gcfinops",
        "1-based data row in the source file (CSV line = row + 1).",
    ),
    _c(
        "x_IngestId",
        STRING,
        False,
        "gcfinops",
        "Id of the ingest that wrote the row (see the ledger).",
    ),
)

# FOCUS 1.3 columns the lake does not hold (formats.md §1.3, §1.6; FOCUS_Spec 1.3 requirements
# model). `gcfinops export focus --version 1.3` derives them (see `focus_export`): the two
# provider names from ProviderName, the allocation and contract columns NULL because no adapter
# reads a provider's split-cost allocation or contract commitments yet.
FOCUS_13_ONLY_COLUMNS: tuple[Column, ...] = (
    _c("AllocatedMethodDetails", STRING, True, "1.3", "JSON details of the allocation method."),
    _c("AllocatedMethodId", STRING, True, "1.3", "Id of the provider's split-cost method."),
    _c("AllocatedResourceId", STRING, True, "1.3", "Id of what the split cost is allocated to."),
    _c("AllocatedResourceName", STRING, True, "1.3", "Name of the allocation target."),
    _c("AllocatedTags", STRING, True, "1.3", "JSON tags of the allocation target."),
    _c("ContractApplied", STRING, True, "1.3", "JSON list of contract commitments applied."),
    _c("HostProviderName", STRING, True, "1.3", "Entity whose infrastructure hosts the service."),
    _c(
        "ServiceProviderName",
        STRING,
        False,
        "1.3",
        "Entity that made the service available (replaces ProviderName).",
    ),
)

#: FOCUS versions `gcfinops export focus` writes; the lake itself is FOCUS 1.2.
FOCUS_VERSIONS: tuple[str, ...] = ("1.2", "1.3")
LAKE_FOCUS_VERSION = "1.2"


def focus_columns(version: str) -> tuple[Column, ...]:
    """The columns of FOCUS `version`, in the spec's order (alphabetical by column id)."""
    if version not in FOCUS_VERSIONS:
        raise ValueError(f"unknown FOCUS version {version!r}")
    pool = FOCUS_COLUMNS + FOCUS_13_ONLY_COLUMNS
    return tuple(sorted((c for c in pool if c.in_focus(version)), key=lambda c: c.name))


COLUMNS: tuple[Column, ...] = FOCUS_COLUMNS + EXTENSION_COLUMNS
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}

#: Columns an adapter maps (everything except allocation and lineage, which the pipeline adds).
MONEY_COLUMNS = tuple(c.name for c in COLUMNS if c.type == MONEY)
ALLOCATION_COLUMNS = ("x_Ward", "x_BusinessSystem", "x_Environment")
LINEAGE_COLUMNS = ("x_SourceFormat", "x_SourceFile", "x_SourceRow", "x_IngestId")
MAPPED_COLUMNS: tuple[str, ...] = tuple(
    n for n in COLUMN_NAMES if n not in ALLOCATION_COLUMNS and n not in LINEAGE_COLUMNS
)

# FOCUS 1.2 allowed values (formats.md §1.4).
CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")
CHARGE_FREQUENCIES = ("One-Time", "Recurring", "Usage-Based")
PRICING_CATEGORIES = ("Standard", "Dynamic", "Committed", "Other")
SERVICE_CATEGORIES = (
    "AI and Machine Learning", "Analytics", "Business Applications", "Compute", "Databases",
    "Developer Tools", "Multicloud", "Identity", "Integration", "Internet of Things",
    "Management and Governance", "Media", "Migration", "Mobile", "Networking", "Security",
    "Storage", "Web", "Other",
)  # fmt: skip
# FOCUS 1.2 ServiceSubcategory → its one parent ServiceCategory (formats.md §1.4); every
# category also has "Other (<category>)".
_SUBCATEGORIES: dict[str, tuple[str, ...]] = {
    "AI and Machine Learning": ("AI Platforms", "Bots", "Generative AI", "Machine Learning",
                                "Natural Language Processing"),
    "Analytics": ("Analytics Platforms", "Business Intelligence", "Data Processing", "Search",
                  "Streaming Analytics"),
    "Business Applications": ("Productivity and Collaboration",),
    "Compute": ("Containers", "End User Computing", "Quantum Compute", "Serverless Compute",
                "Virtual Machines"),
    "Databases": ("Caching", "Data Warehouses", "Ledger Databases", "NoSQL Databases",
                  "Relational Databases", "Time Series Databases"),
    "Developer Tools": ("Developer Platforms", "Continuous Integration and Deployment",
                        "Development Environments", "Source Code Management",
                        "Quality Assurance"),
    "Identity": ("Identity and Access Management",),
    "Integration": ("API Management", "Messaging", "Workflow Orchestration"),
    "Internet of Things": ("IoT Analytics", "IoT Platforms"),
    "Management and Governance": ("Architecture", "Compliance", "Cost Management",
                                  "Data Governance", "Disaster Recovery", "Endpoint Management",
                                  "Observability", "Support"),
    "Media": ("Content Creation", "Gaming", "Media Streaming", "Mixed Reality"),
    "Migration": ("Data Migration", "Resource Migration"),
    "Mobile": (),
    "Multicloud": ("Multicloud Integration",),
    "Networking": ("Application Networking", "Content Delivery", "Network Connectivity",
                   "Network Infrastructure", "Network Routing", "Network Security"),
    "Security": ("Secret Management", "Security Posture Management",
                 "Threat Detection and Response"),
    "Storage": ("Backup Storage", "Block Storage", "File Storage", "Object Storage",
                "Storage Platforms"),
    "Web": ("Application Platforms",),
    "Other": (),
}  # fmt: skip
SERVICE_SUBCATEGORY_PARENT: dict[str, str] = {
    sub: cat for cat, subs in _SUBCATEGORIES.items() for sub in (*subs, f"Other ({cat})")
}


def empty_table_sql(name: str = "lake") -> str:
    """DDL for an empty table with the lake's columns (used to validate rule SQL)."""
    cols = ",\n  ".join(f'"{c.name}" {c.type}' for c in COLUMNS)
    return f"CREATE OR REPLACE TEMP TABLE {name} (\n  {cols}\n)"
