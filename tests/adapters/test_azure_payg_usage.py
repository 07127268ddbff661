"""Azure pay-as-you-go usage details (2019-11-01, usage only): English, camelCase, localized.

Fixtures (tests/adapters/fixtures/azure-payg-usage/, synthetic): `payg_usage_2019_11_01.csv` has
the 24 columns of Microsoft's schema page in its order; `payg_usage_localized_ja.csv` holds the
same rows under headers of the form `Localized name (EnglishName)` (formats.md §10; the Japanese
names are illustrative, written for this test, not copied from a download); `payg_usage.csv` is
the older two-row fixture. Public samples: koku's `costreport_….csv` (English) and
`azure_camelCased.csv` (camelCase) in ../shared/reference/data/azure.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from adapter_contract import AdapterContract, Case, ingest_rows, lake_rows
from typer.testing import CliRunner

from gcfinops import adapters, api
from gcfinops.adapters import azure_payg_usage as payg
from gcfinops.cli import app
from gcfinops.errors import InputError, MissingColumnError

FIXTURES = Path(__file__).parent / "fixtures" / "azure-payg-usage"
SAMPLE = FIXTURES / "payg_usage_2019_11_01.csv"
LOCALIZED = FIXTURES / "payg_usage_localized_ja.csv"


def header_of(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))


# Rows: 1 VM B2s (24 h × 6.4), 2 bandwidth (ISO date with time), 3 Standard SSD disk, 4 Functions
# free grant (MM/DD/YYYY, cost 0), 5 free data transfer without Currency (cost 0), 6 VM in July.
C = Case
CASES = [
    C("billed-pre-tax-cost", "1", "BilledCost", 153.6),
    C("effective-pre-tax-cost", "1", "EffectiveCost", 153.6),
    C("list-cost-is-billed-cost", "1", "ListCost", 153.6),
    C("contracted-cost", "2", "ContractedCost", 6.0),
    C("contracted-unit-price-resource-rate", "1", "ContractedUnitPrice", 6.4),
    C("list-unit-price-resource-rate", "1", "ListUnitPrice", 6.4),
    C("category-usage", "3", "ChargeCategory", "Usage"),
    C("class-null", "3", "ChargeClass", None),
    C("frequency", "1", "ChargeFrequency", "Usage-Based"),
    C("pricing-category", "1", "PricingCategory", "Standard"),
    C("charge-start-iso-date", "1", "ChargePeriodStart", "2025-06-03T00:00:00Z"),
    C("charge-start-iso-date-time", "2", "ChargePeriodStart", "2025-06-04T00:00:00Z"),
    C("charge-start-us-date", "4", "ChargePeriodStart", "2025-06-06T00:00:00Z"),
    C("charge-end-next-day", "1", "ChargePeriodEnd", "2025-06-04T00:00:00Z"),
    C("billing-period-utc-month", "6", "BillingPeriodStart", "2025-07-01T00:00:00Z"),
    C("billing-period-end", "1", "BillingPeriodEnd", "2025-07-01T00:00:00Z"),
    C("billing-account-subscription", "1", "BillingAccountId",
      "11112222-3333-4444-5555-000000131016"),
    C("billing-account-type", "1", "BillingAccountType", "Subscription"),
    C("sub-account-subscription", "1", "SubAccountId", "11112222-3333-4444-5555-000000131016"),
    C("currency", "1", "BillingCurrency", "JPY"),
    C("zero-cost-row-takes-the-account-currency", "5", "BillingCurrency", "JPY"),
    C("zero-cost-row-takes-the-account-pricing-currency", "5", "PricingCurrency", "JPY"),
    C("charge-description", "1", "ChargeDescription", "Virtual Machines - BS Series - B2s"),
    C("charge-description-no-subcategory", "2", "ChargeDescription",
      "Bandwidth - Data Transfer Out"),
    C("region-id", "1", "RegionId", "japaneast"),
    C("region-name", "3", "RegionName", "Japan East"),
    C("resource-id-instance-id", "1", "ResourceId",
      "/subscriptions/11112222-3333-4444-5555-000000131016/resourceGroups/rg-koseki/providers/"
      "Microsoft.Compute/virtualMachines/chiyoda-koseki01"),
    C("resource-name-last-segment", "3", "ResourceName", "chiyoda-koseki01-os"),
    C("resource-type", "4", "ResourceType", "Microsoft.Web/sites"),
    C("service-name-meter-category", "1", "ServiceName", "Virtual Machines"),
    C("service-category-compute", "1", "ServiceCategory", "Compute"),
    C("service-category-networking", "2", "ServiceCategory", "Networking"),
    C("service-category-storage", "3", "ServiceCategory", "Storage"),
    C("sku-meter-null-without-sku-id", "1", "SkuMeter", None),
    C("usage-type-meter-name", "1", "x_UsageType", "B2s"),
    C("sku-price-details-null", "1", "SkuPriceDetails", None),
    C("service-subcategory-vm", "1", "ServiceSubcategory", "Virtual Machines"),
    C("service-subcategory-bandwidth", "2", "ServiceSubcategory", "Network Connectivity"),
    C("pricing-currency-is-billing-currency", "1", "PricingCurrency", "JPY"),
    C("pricing-currency-effective-cost", "1", "PricingCurrencyEffectiveCost", 153.6),
    C("pricing-currency-contracted-unit-price", "1", "PricingCurrencyContractedUnitPrice", 6.4),
    C("consumed-quantity", "1", "ConsumedQuantity", 24.0),
    C("consumed-unit", "1", "ConsumedUnit", "1 Hour"),
    C("pricing-unit", "3", "PricingUnit", "1/Month"),
    C("instance-type", "1", "x_InstanceType", "Standard_B2s"),
    C("volume-type", "3", "x_VolumeType", "StandardSSD_LRS"),
    C("tags-with-braces", "1", "Tags", {"ward": "chiyoda", "env": "prod", "system": "戸籍"}),
    C("tags-empty-null", "4", "Tags", None),
    C("ward-from-tags", "1", "x_Ward", "131016"),
    C("source-charge-type", "1", "x_SourceChargeType", "Usage"),
    C("source-billed", "1", "x_SourceBilledCost", 153.6),
    C("service-code", "4", "x_ServiceCode", "Microsoft.Web"),
]  # fmt: skip

# 153.6 + 6 + 10 + 0 + 0 in June; 100 in July.
EXPECTED_UNITS = {("2025-06", "JPY"): (5, 0, 169.6), ("2025-07", "JPY"): (1, 0, 100.0)}


class TestAzurePaygUsage(AdapterContract):
    adapter_name = "azure-payg-usage"
    sample = SAMPLE
    key_column = None
    expected_units = EXPECTED_UNITS
    numeric_column = "PreTaxCost"
    date_column = "UsageDateTime"
    required_column = "PreTaxCost"
    cases = CASES


# --- header sets ----------------------------------------------------------------------------
def test_schema_columns_are_microsofts_24_in_order() -> None:
    """The English fixture header is the documented 2019-11-01 list (MeterSubcategory as files
    spell it); every documented column is canonical."""
    header = header_of(SAMPLE)
    assert len(payg.CANONICAL) == 24 and [h.lower() for h in header] == [
        c.lower() for c in payg.CANONICAL
    ]


@pytest.mark.parametrize("name", ["payg_usage_2019_11_01.csv", "payg_usage_localized_ja.csv",
                                  "payg_usage.csv"])  # fmt: skip
def test_every_header_set_is_detected_as_payg(name: str) -> None:
    """English, localized and the older fixture: azure-payg-usage, never azure-cost-details."""
    assert adapters.detect(header_of(FIXTURES / name), name).name == "azure-payg-usage"


def test_localized_headers_read_by_the_english_name(tmp_path: Path) -> None:
    """`税抜きコスト (PreTaxCost)` … : the same lake as the English file."""
    assert payg.english_name("税抜きコスト (PreTaxCost)") == "PreTaxCost"
    assert payg.english_name("Coût (avant taxes) (PreTaxCost)") == "PreTaxCost"
    english = ingest_rows(tmp_path / "a", SAMPLE)
    localized = ingest_rows(tmp_path / "b", LOCALIZED)
    skip = {"x_SourceFile", "x_IngestId"}
    assert [{k: v for k, v in r.items() if k not in skip} for r in localized] == [
        {k: v for k, v in r.items() if k not in skip} for r in english
    ]


def test_localized_bad_value_names_the_files_own_header(tmp_path: Path) -> None:
    """An error names the column as the file spells it."""
    text = LOCALIZED.read_text(encoding="utf-8-sig").replace(",153.6,", ",153.6円,", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as e:
        api.ingest([bad], workspace=tmp_path / "ws")
    assert (e.value.line, e.value.column) == (2, "税抜きコスト (PreTaxCost)")
    assert "found '153.6円'" in str(e.value)


def test_older_fixture(tmp_path: Path) -> None:
    """The older two-row fixture: the subscription is the billing account; all rows Usage."""
    rows = ingest_rows(tmp_path / "ws", FIXTURES / "payg_usage.csv")
    assert [r["BilledCost"] for r in rows] == [64, 6]
    assert {r["BillingAccountId"] for r in rows} == {"11112222-3333-4444-5555-000000131016"}
    assert rows[0]["x_InstanceType"] == "Standard_B2s"
    assert rows[0]["x_Ward"] == "131016"


def test_forcing_azure_cost_details_names_the_missing_columns_and_the_format(
    tmp_path: Path,
) -> None:
    """`--format azure-cost-details` on a pay-as-you-go file names the EA/MCA columns it lacks
    (Date, CostInBillingCurrency, SubscriptionId) and points at azure-payg-usage."""
    with pytest.raises(MissingColumnError) as e:
        api.ingest([SAMPLE], workspace=tmp_path / "ws", format_name="azure-cost-details")
    message = str(e.value)
    for column in ("CostInBillingCurrency", "Date", "SubscriptionId"):
        assert column in message
    assert "BillingCurrencyCode" not in message  # `Currency` is its older-EA alias
    assert e.value.hint and "--format azure-payg-usage" in e.value.hint
    result = CliRunner().invoke(
        app, ["-w", str(tmp_path / "ws2"), "ingest", "--format", "azure-cost-details", str(SAMPLE)]
    )
    assert result.exit_code == 2 and "azure-payg-usage" in result.stderr


# --- public samples (../shared/reference/data/azure) ----------------------------------------
@pytest.mark.parametrize(
    "name", ["costreport_a243c6f2-199f-4074-9a2c-40e671cf1584.csv", "azure_camelCased.csv"]
)
def test_public_samples_reconcile_to_pre_tax_cost(
    tmp_path: Path, name: str, shared_data: Callable[..., Path]
) -> None:
    """koku's English and camelCase pay-as-you-go files: Σ BilledCost = Σ PreTaxCost."""
    path = shared_data("azure", name)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        expected = sum(float({k.lower(): v for k, v in r.items()}["pretaxcost"] or 0)
                       for r in csv.DictReader(fh))  # fmt: skip
    api.ingest([path], workspace=tmp_path / "ws")
    rows = lake_rows(tmp_path / "ws")
    assert rows and {r["x_SourceFormat"] for r in rows} == {"azure-payg-usage"}
    assert sum(r["BilledCost"] for r in rows) == pytest.approx(expected, abs=1e-9)
    assert {r["BillingAccountType"] for r in rows} == {"Subscription"}
