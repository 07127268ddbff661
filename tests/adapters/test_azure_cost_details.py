"""Azure cost details adapter: EA and MCA layouts, actual and amortized data (pay-as-you-go
usage details are the azure-payg-usage format: test_azure_payg_usage.py).

Expected values are computed by hand from the fixture rows (tests/adapters/fixtures/
azure-cost-details/, synthetic, shaped like Microsoft's documented column lists) and, for the
public samples in ../shared/reference/data/azure, from the files' own cost columns.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from adapter_contract import AdapterContract, Case, ingest_rows
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from gcfinops import adapters, api
from gcfinops.adapters import azure_cost_details as az
from gcfinops.cli import app
from gcfinops.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "azure-cost-details"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "reference" / "data" / "azure"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/reference/data absent")


def header_of(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))


# --- the adapter contract on ea_actual.csv (EA 2024-08-01 layout, JPY) ----------------------
# Rows: 1 VM on demand, 2 P10 disk, 3 hot blob, 4 reservation purchase, 5 reservation-covered
# VM (0 in actual data), 6 refund, 7 spot VM (romaji ward tag), 8 untagged bandwidth.
RES = (
    "/providers/Microsoft.Capacity/reservationOrders/7d1f4c2a-1111-4a2b-8c3d-000000000001"
    "/reservations/9e2a5b3c-2222-4d4e-8f5a-000000000002"
)
C = Case
CASES = [
    C("billed-cost-in-billing-currency", "1", "BilledCost", 732.0),
    C("effective-equals-cost-on-demand", "1", "EffectiveCost", 732.0),
    C("billed-purchase", "4", "BilledCost", 12000.0),
    C("effective-zero-on-commitment-purchase", "4", "EffectiveCost", 0.0),
    C("billed-zero-on-covered-usage", "5", "BilledCost", 0.0),
    C("billed-refund", "6", "BilledCost", -3000.0),
    C("effective-zero-on-commitment-refund", "6", "EffectiveCost", 0.0),
    C("source-billed-is-cost-column", "6", "x_SourceBilledCost", -3000.0),
    C("list-cost-payg-price-times-quantity", "1", "ListCost", 840.0),
    C("list-cost-purchase-is-cost", "4", "ListCost", 12000.0),
    C("list-unit-price-payg-price", "1", "ListUnitPrice", 35.0),
    C("contracted-cost-unit-price-times-quantity", "1", "ContractedCost", 732.0),
    C("contracted-unit-price", "1", "ContractedUnitPrice", 30.5),
    C("category-usage", "1", "ChargeCategory", "Usage"),
    C("category-purchase", "4", "ChargeCategory", "Purchase"),
    C("category-refund-is-purchase", "6", "ChargeCategory", "Purchase"),
    C("class-refund-correction", "6", "ChargeClass", "Correction"),
    C("class-null-otherwise", "4", "ChargeClass", None),
    C("frequency-usage-based", "1", "ChargeFrequency", "Usage-Based"),
    C("frequency-recurring", "4", "ChargeFrequency", "Recurring"),
    C("frequency-one-time", "6", "ChargeFrequency", "One-Time"),
    C("pricing-on-demand-standard", "1", "PricingCategory", "Standard"),
    C("pricing-reservation-committed", "5", "PricingCategory", "Committed"),
    C("pricing-spot-dynamic", "7", "PricingCategory", "Dynamic"),
    C("commitment-id-benefit-id", "4", "CommitmentDiscountId", RES),
    C("commitment-type-reservation", "4", "CommitmentDiscountType", "Reservation"),
    C("commitment-category-usage", "4", "CommitmentDiscountCategory", "Usage"),
    C("commitment-status-used", "5", "CommitmentDiscountStatus", "Used"),
    C("commitment-status-null-on-purchase", "4", "CommitmentDiscountStatus", None),
    C("commitment-name", "5", "CommitmentDiscountName", "VM_RI_D4s_v5"),
    C("date-mm-dd-yyyy", "1", "ChargePeriodStart", "2025-04-01T00:00:00Z"),
    C("charge-end-next-day", "8", "ChargePeriodEnd", "2025-05-01T00:00:00Z"),
    C("billing-period-start", "8", "BillingPeriodStart", "2025-04-01T00:00:00Z"),
    C("billing-period-end-exclusive", "8", "BillingPeriodEnd", "2025-05-01T00:00:00Z"),
    C("billing-account-ea", "1", "BillingAccountId", "8600001"),
    C("billing-account-name", "1", "BillingAccountName", "Setagaya City EA"),
    C("billing-account-type-ea", "1", "BillingAccountType", "Billing Account"),
    C("currency", "1", "BillingCurrency", "JPY"),
    C("sub-account-subscription", "1", "SubAccountId", "5f0c2d1e-7a3b-4c8d-9e10-000000131121"),
    C("sub-account-name", "1", "SubAccountName", "setagaya-jidou-prod"),
    C("sub-account-type", "1", "SubAccountType", "Subscription"),
    C("resource-name", "1", "ResourceName", "setagaya-jidou-ap01"),
    C("resource-type-from-arm-id", "1", "ResourceType", "Microsoft.Compute/virtualMachines"),
    C("region-id", "1", "RegionId", "japaneast"),
    C("region-name", "1", "RegionName", "Japan East"),
    C("availability-zone", "1", "AvailabilityZone", "1"),
    C("service-name-meter-category", "1", "ServiceName", "Virtual Machines"),
    C("service-category-compute", "1", "ServiceCategory", "Compute"),
    C("service-category-networking", "8", "ServiceCategory", "Networking"),
    C("service-code-consumed-service", "1", "x_ServiceCode", "Microsoft.Compute"),
    C("sku-meter-null-without-sku-id", "1", "SkuMeter", None),
    C("usage-type-meter-name", "1", "x_UsageType", "D4s v5"),
    C("service-subcategory-vm", "1", "ServiceSubcategory", "Virtual Machines"),
    C("service-subcategory-managed-disk", "2", "ServiceSubcategory", "Block Storage"),
    C("service-subcategory-blob", "3", "ServiceSubcategory", "Object Storage"),
    C("service-subcategory-bandwidth", "8", "ServiceSubcategory", "Network Connectivity"),
    C("pricing-currency-ea-billing-currency", "1", "PricingCurrency", "JPY"),
    C("pricing-currency-effective-cost-ea", "1", "PricingCurrencyEffectiveCost", 732.0),
    C("pricing-currency-effective-cost-purchase-0", "4", "PricingCurrencyEffectiveCost", 0.0),
    C("pricing-currency-contracted-unit-price-ea", "1", "PricingCurrencyContractedUnitPrice", 30.5),
    C("pricing-currency-list-unit-price-ea", "1", "PricingCurrencyListUnitPrice", 35.0),
    C("consumed-quantity-usage", "1", "ConsumedQuantity", 24.0),
    C("consumed-unit", "1", "ConsumedUnit", "1 Hour"),
    C("consumed-quantity-null-on-purchase", "4", "ConsumedQuantity", None),
    C("pricing-quantity", "1", "PricingQuantity", 24.0),
    C("instance-type-from-additional-info", "1", "x_InstanceType", "Standard_D4s_v5"),
    C("sku-price-details-null-without-sku-price-id", "1", "SkuPriceDetails", None),
    C("volume-type-premium-ssd", "2", "x_VolumeType", "Premium_LRS"),
    C("storage-class-blob-tier", "3", "x_StorageClass", "Hot"),
    C(
        "tags-without-braces",
        "1",
        "Tags",
        {"ward": "世田谷区", "system": "児童手当", "env": "prod"},
    ),
    C("tags-empty-null", "8", "Tags", None),
    C("ward-from-kanji-tag", "1", "x_Ward", "131121"),
    C("system-from-kanji-tag", "1", "x_BusinessSystem", "child_allowance"),
    C("ward-from-romaji-tag", "7", "x_Ward", "131121"),
    C("environment-dev", "7", "x_Environment", "dev"),
    C("untagged-unallocated", "8", "x_Ward", None),
    C("provider", "1", "ProviderName", "Microsoft"),
    C("publisher", "1", "PublisherName", "Microsoft"),
    C("invoice-issuer", "1", "InvoiceIssuerName", "Microsoft"),
    C("source-charge-type", "5", "x_SourceChargeType", "Usage"),
]


# 732 + 100 + 250 + 12000 + 0 − 3000 + 48 + 12.5 = 10142.5
EXPECTED_UNITS = {("2025-04", "JPY"): (8, 0, 10142.5)}


def azure_parquet(csv_path: Path, out: Path) -> Path:
    """An Azure Parquet export: amounts DOUBLE, dates DATE, everything else text."""
    con = duckdb.connect()
    source = f"read_csv('{csv_path.as_posix()}', all_varchar = true)"
    exprs = []
    for name, *_ in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall():
        q = f'"{name}"'
        if name in az.NUMERIC:
            exprs.append(f"CAST(NULLIF({q}, '') AS DOUBLE) AS {q}")
        elif name in ("Date", "BillingPeriodStartDate", "BillingPeriodEndDate"):
            exprs.append(f"strptime(NULLIF({q}, ''), '%m/%d/%Y')::DATE AS {q}")
        else:
            exprs.append(f"NULLIF({q}, '') AS {q}")
    con.execute(f"COPY (SELECT {', '.join(exprs)} FROM {source}) TO '{out}' (FORMAT parquet)")
    return out


class TestAzureCostDetails(AdapterContract):
    adapter_name = "azure-cost-details"
    sample = FIXTURES / "ea_actual.csv"
    key_column = None
    expected_units = EXPECTED_UNITS
    numeric_column = "CostInBillingCurrency"
    date_column = "Date"
    required_column = "CostInBillingCurrency"
    has_parquet = True
    cases = CASES

    def to_parquet(self, csv_path: Path, out: Path) -> Path:
        return azure_parquet(csv_path, out)


@pytest.mark.parametrize(
    "name", ["ea_actual.csv", "ea_amortized.csv", "ea_older_layout.csv", "mca_actual.csv"],
)  # fmt: skip
def test_every_layout_is_detected_as_azure(name: str) -> None:
    """EA (2024-08-01 and older) and MCA camelCase headers all detect."""
    assert adapters.detect(header_of(FIXTURES / name), name).name == "azure-cost-details"


def test_ea_amortized_moves_commitment_cost_to_effective_cost(tmp_path: Path) -> None:
    """Covered usage and unused reservation: billed 0, effective = the amortized cost."""
    rows = ingest_rows(tmp_path / "ws", FIXTURES / "ea_amortized.csv")
    assert [r["BilledCost"] for r in rows] == [732, 0, 0, 0]
    assert [r["EffectiveCost"] for r in rows] == [732, 400, 150, 80]
    assert [r["CommitmentDiscountStatus"] for r in rows] == [None, "Used", "Unused", "Used"]
    assert [r["ChargeCategory"] for r in rows] == ["Usage"] * 4
    assert rows[3]["CommitmentDiscountType"] == "Savings Plan"
    assert rows[3]["CommitmentDiscountCategory"] == "Spend"


def test_mca_uses_the_billing_profile_and_pricing_currency(tmp_path: Path) -> None:
    """MCA: BillingAccountId = billingProfileId; USD prices × exchange rate 150 = JPY."""
    vm, blob = ingest_rows(tmp_path / "ws", FIXTURES / "mca_actual.csv")
    assert vm["BillingAccountId"] == "ABCD-EFGH-IJK-PGB"
    assert vm["BillingAccountName"] == "Edogawa City IT"
    assert vm["BillingAccountType"] == "Billing Profile"
    assert vm["InvoiceId"] == "G012345678"
    assert (vm["BilledCost"], vm["EffectiveCost"], vm["ListCost"]) == (720, 720, 864)
    assert vm["ListUnitPrice"] == pytest.approx(0.24 * 150)
    assert vm["ContractedCost"] == pytest.approx(0.2 * 24)
    assert (vm["PricingCurrency"], vm["PricingCurrencyEffectiveCost"]) == ("USD", 4.8)
    assert vm["PricingCurrencyListUnitPrice"] == 0.24
    assert vm["SkuId"] == "DZH318Z0BQ4L"
    assert vm["x_InstanceType"] == "Standard_E4s_v5"
    assert (vm["x_Ward"], vm["x_BusinessSystem"], vm["x_Environment"]) == (
        "131237", "health_management", "prod")  # fmt: skip
    assert blob["x_StorageClass"] == "Cool"
    assert blob["Tags"] is None


def test_older_ea_layout(tmp_path: Path) -> None:
    """`Cost`, `BillingCurrency`, `Product` and M/D/YYYY dates are read like the 2024 layout."""
    (row,) = ingest_rows(tmp_path / "ws", FIXTURES / "ea_older_layout.csv")
    assert row["BilledCost"] == 123.45
    assert row["BillingCurrency"] == "JPY"
    assert row["ChargeDescription"] == "Standard SSD Managed Disks - E10 ZRS - JA East"
    assert row["ChargePeriodStart"].isoformat() == "2025-05-02T00:00:00+00:00"
    assert (row["RegionId"], row["RegionName"]) == ("japaneast", "Japan East")
    assert row["x_VolumeType"] == "StandardSSD_ZRS"


@pytest.mark.parametrize(
    ("name", "column", "text"),
    [
        ("bad_date.csv", "Date", "not a date-time (found '2025-13-45', expected a date such"),
        ("bad_cost.csv", "CostInBillingCurrency", "1,234"),
        ("bad_tags.csv", "Tags", "not a JSON object"),
        ("unknown_charge_type.csv", "ChargeType", "unknown value 'Bonus'"),
    ],
)
def test_bad_values_name_file_line_and_column(
    tmp_path: Path, name: str, column: str, text: str
) -> None:
    """A broken value stops the ingest with the line (3: second data row) and the column."""
    with pytest.raises(InputError) as info:
        api.ingest([FIXTURES / name], workspace=tmp_path / "ws")
    assert info.value.line == 3
    assert info.value.column == column
    assert text in info.value.message
    assert not (tmp_path / "ws" / "lake").exists() or not any(
        (tmp_path / "ws" / "lake").rglob("*.parquet")
    )


def test_cli_ingest_and_status(tmp_path: Path) -> None:
    """CLI: exit 0 and JSON status for a good file; exit 2 with the line on stderr for a bad one."""
    runner = CliRunner()
    ws = str(tmp_path / "ws")
    ok = runner.invoke(app, ["-q", "-w", ws, "ingest", str(FIXTURES / "mca_actual.csv")])
    assert ok.exit_code == 0, ok.output
    status = runner.invoke(app, ["-w", ws, "status", "--format", "json"])
    (unit,) = json.loads(status.stdout)
    assert (unit["provider"], unit["billing_period"], unit["currency"]) == (
        "Microsoft",
        "2025-05",
        "JPY",
    )
    assert unit["billed_cost"] == 1020
    bad = runner.invoke(app, ["-q", "-w", ws, "ingest", str(FIXTURES / "bad_date.csv")])
    assert bad.exit_code == 2
    assert "bad_date.csv:3" in bad.stderr and "Date" in bad.stderr


_EA_HEADER = header_of(FIXTURES / "ea_actual.csv")


@given(st.lists(st.booleans(), min_size=len(_EA_HEADER), max_size=len(_EA_HEADER)))
def test_header_case_does_not_matter(flips: list[bool]) -> None:
    """Any mix of upper/lower case in the EA header maps to the same canonical names."""
    header = [h.upper() if flip else h.lower() for h, flip in zip(_EA_HEADER, flips, strict=True)]
    assert set(az.rename(header).values()) == set(az.rename(_EA_HEADER).values())
    assert adapters.detect(header, "x.csv").name == "azure-cost-details"


def test_alias_never_shadows_the_canonical_column() -> None:
    """A file with both `Cost` and `CostInBillingCurrency` reads the canonical one."""
    renamed = az.rename(["Cost", "CostInBillingCurrency", "Date"])
    assert renamed == {"CostInBillingCurrency": "CostInBillingCurrency", "Date": "Date"}


# --- public samples (../shared/reference/data/azure) --------------------------------------
def _cost_sum(path: Path, keep: Any = lambda row: True) -> float:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    lower = [{k.lower(): v for k, v in r.items()} for r in rows]
    key = next(k for k in ("costinbillingcurrency", "cost", "pretaxcost") if k in lower[0])
    return sum(float(r[key] or 0) for r in lower if keep(r))


@needs_shared
@pytest.mark.parametrize(
    "name",
    ["EA_ActualCost_Small.csv", "sample-anonymous-ea-export-dataset.csv", "azure_version_2.csv"],
)  # fmt: skip
def test_public_actual_samples_reconcile_to_their_cost_column(tmp_path: Path, name: str) -> None:
    """Σ BilledCost in the lake = Σ of the file's cost column (actual-cost data)."""
    rows = ingest_rows(tmp_path / "ws", SHARED / name)
    assert sum(r["BilledCost"] for r in rows) == pytest.approx(_cost_sum(SHARED / name), abs=1e-9)
    assert {r["x_SourceFormat"] for r in rows} == {"azure-cost-details"}


@needs_shared
def test_public_amortized_sample(tmp_path: Path) -> None:
    """EA amortized: Σ EffectiveCost = Σ Cost; BilledCost leaves out reservation/SP usage."""
    path = SHARED / "EA_AmortizedCost_Small.csv"
    rows = ingest_rows(tmp_path / "ws", path)
    assert sum(r["EffectiveCost"] for r in rows) == pytest.approx(_cost_sum(path), abs=1e-9)
    on_demand = _cost_sum(path, lambda r: r["pricingmodel"] not in ("Reservation", "SavingsPlan"))
    assert sum(r["BilledCost"] for r in rows) == pytest.approx(on_demand, abs=1e-9)
    sizes = {r["x_InstanceType"] for r in rows if r["x_InstanceType"]}
    assert "Standard_DS2_v2" in sizes


@needs_shared
def test_public_mca_sample(tmp_path: Path) -> None:
    """koku's MCA sample (camelCase; CRLF and LF mixed, normalized by the reader) ingests:
    Σ BilledCost = Σ costInBillingCurrency; the billing profile is the billing account."""
    path = SHARED / "camel_azure_version_2.csv"
    rows = ingest_rows(tmp_path / "ws", path)
    assert len(rows) == 4
    assert sum(r["BilledCost"] for r in rows) == pytest.approx(_cost_sum(path), abs=1e-12)
    assert {r["BillingAccountId"] for r in rows} == {"NF5V-BI6B-BG7-PGB"}
    assert {r["BillingAccountType"] for r in rows} == {"Billing Profile"}
    # billingPeriodStartDate is empty in this file: the period falls back to the month of `date`.
    assert {r["BillingPeriodStart"].isoformat() for r in rows} == {"2023-08-01T00:00:00+00:00"}


# --- the bundled sample (sample_billing/azure, written by generate_multicloud.py) ---------
SAMPLE = Path(__file__).resolve().parents[2] / "sample_billing" / "azure"


def test_sample_azure_reconciles_and_allocates(tmp_path: Path) -> None:
    """Σ BilledCost per month = Σ CostInBillingCurrency of that month's file; the reserved VM's
    usage is 0 from 2025-04 and the monthly reservation payment is a Purchase."""
    files = sorted(SAMPLE.rglob("*.csv.gz"))
    assert len(files) == 24
    files = [files[0], files[11], files[12], files[23]]  # 2024-04, 2025-03, 2025-04, 2026-03
    expected = {}
    for f in files:
        text = gzip.decompress(f.read_bytes()).decode("utf-8-sig")
        rows = list(csv.DictReader(text.splitlines()))
        month = rows[0]["BillingPeriodStartDate"]
        expected[f"{month[6:]}-{month[:2]}"] = sum(float(r["CostInBillingCurrency"]) for r in rows)
    root = tmp_path / "ws"
    rows = ingest_rows(root, *files)
    got = {u.billing_period: u.billed_cost for u in api.status(workspace=root)}
    assert got == pytest.approx(expected)
    assert set(got) == {"2024-04", "2025-03", "2025-04", "2026-03"}
    rows = [r for r in rows if r["BillingPeriodStart"].strftime("%Y-%m") == "2025-04"]
    ap01 = [r for r in rows if r["ResourceName"] == "setagaya-jidou-ap01" and r["x_InstanceType"]]
    assert {r["BilledCost"] for r in ap01} == {0.0}
    assert {r["CommitmentDiscountStatus"] for r in ap01} == {"Used"}
    (purchase,) = [r for r in rows if r["ChargeCategory"] == "Purchase"]
    assert (purchase["BilledCost"], purchase["EffectiveCost"]) == (27300.0, 0.0)
    tagged = [r for r in rows if r["x_Ward"] == "131121"]
    assert {r["x_BusinessSystem"] for r in tagged} == {"child_allowance"}
    assert len(tagged) == len(rows) - 1  # only the reservation purchase carries no tags
