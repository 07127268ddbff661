"""OCI cost report adapter (proprietary `reports/cost-csv/`), and OCI FOCUS reports via `focus`.

Fixture values (tests/adapters/fixtures/oci-cost-report/, synthetic, shaped like Oracle's column
list with the header spellings real files use) are checked against hand-computed numbers. The
public sample ../shared/reference/data/oci/reports_cost-csv_0000000030000269.csv carries real
e-mail addresses in its tag columns: these tests compare tag *keys* only and never print values.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from adapter_contract import AdapterContract, Case, ingest_rows, lake_rows
from typer.testing import CliRunner

from gcfinops import adapters, api
from gcfinops.adapters import oci_cost_report as oci
from gcfinops.cli import app
from gcfinops.errors import InputError, UnknownFormatError

FIXTURES = Path(__file__).parent / "fixtures" / "oci-cost-report"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "reference" / "data" / "oci"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/reference/data absent")


def header_of(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))


# --- the adapter contract on cost_report.csv ------------------------------------------------
# Rows: 1 E4 OCPU, 2 E4 memory, 3 block volume, 4 untagged network egress on 30 April 23:00,
# 5 correction of row 1.
C = Case
CASES = [
    C("billed-my-cost", "a0000001", "BilledCost", 7.5),
    C("billed-e-notation", "a0000003", "BilledCost", 0.5239726027398),
    C("effective-my-cost", "a0000002", "EffectiveCost", 3.6),
    C("contracted-my-cost", "a0000002", "ContractedCost", 3.6),
    C("list-cost-is-my-cost", "a0000002", "ListCost", 3.6),
    C("correction-keeps-sign", "a0000005", "BilledCost", -7.5),
    C("correction-class", "a0000005", "ChargeClass", "Correction"),
    C("correction-source-type", "a0000005", "x_SourceChargeType", "Correction"),
    C("usage-class-null", "a0000001", "ChargeClass", None),
    C("category-usage", "a0000001", "ChargeCategory", "Usage"),
    C("frequency", "a0000001", "ChargeFrequency", "Usage-Based"),
    C("pricing-category", "a0000001", "PricingCategory", "Standard"),
    C("start-without-seconds", "a0000001", "ChargePeriodStart", "2025-04-01T00:00:00Z"),
    C("end", "a0000001", "ChargePeriodEnd", "2025-04-01T01:00:00Z"),
    C("billing-period-utc-month", "a0000004", "BillingPeriodStart", "2025-04-01T00:00:00Z"),
    C("billing-period-end", "a0000004", "BillingPeriodEnd", "2025-05-01T00:00:00Z"),
    C("currency", "a0000001", "BillingCurrency", "JPY"),
    C("billing-account-subscription", "a0000001", "BillingAccountId",
      "ocid1.organizationssubscription.oc1.ap-tokyo-1.amaaaaaagcfinopsexample"),
    C("sub-account-compartment-name", "a0000001", "SubAccountName", "katsushika-koseki"),
    C("sub-account-type", "a0000001", "SubAccountType", "Compartment"),
    C("resource-id", "a0000001", "ResourceId",
      "ocid1.instance.oc1.ap-tokyo-1.anxhiljrgcfinopsexampleinstance0001"),
    C("resource-type-from-ocid", "a0000003", "ResourceType", "volume"),
    C("region", "a0000001", "RegionId", "ap-tokyo-1"),
    C("availability-domain", "a0000001", "AvailabilityZone", "NRT-AD-1"),
    C("availability-domain-empty-null", "a0000004", "AvailabilityZone", None),
    C("service-name", "a0000001", "ServiceName", "COMPUTE"),
    C("service-category-compute", "a0000001", "ServiceCategory", "Compute"),
    C("service-category-storage", "a0000003", "ServiceCategory", "Storage"),
    C("service-category-networking", "a0000004", "ServiceCategory", "Networking"),
    C("sku-id-part-number", "a0000001", "SkuId", "B97384"),
    C("sku-meter-description", "a0000001", "SkuMeter", "Compute - Standard - E4 - OCPU"),
    C("charge-description", "a0000002", "ChargeDescription", "Compute - Standard - E4 - Memory"),
    C("consumed-quantity", "a0000001", "ConsumedQuantity", 2.0),
    C("consumed-unit-sku-unit-description", "a0000002", "ConsumedUnit", "Gigabyte Per Hour"),
    C("pricing-quantity", "a0000002", "PricingQuantity", 16.0),
    C("contracted-unit-price", "a0000002", "ContractedUnitPrice", 0.225),
    C("tags-namespace-key", "a0000001", "Tags", {
        "Oracle-Tags.CreatedBy": "default/operator@example.jp",
        "Oracle-Tags.CreatedOn": "2025-03-28T02:11:09.123Z",
        "ward": "葛飾区", "system": "戸籍", "env": "prod"}),
    C("tags-all-empty-null", "a0000004", "Tags", None),
    C("ward-from-free-form-tag", "a0000001", "x_Ward", "131229"),
    C("system-from-free-form-tag", "a0000001", "x_BusinessSystem", "family_register"),
    C("environment", "a0000001", "x_Environment", "prod"),
    C("usage-type-part-number", "a0000001", "x_UsageType", "B97384"),
    C("service-code", "a0000001", "x_ServiceCode", "COMPUTE"),
    C("provider", "a0000001", "ProviderName", "Oracle"),
    C("source-billed", "a0000003", "x_SourceBilledCost", 0.5239726027398),
]  # fmt: skip
# 7.5 + 3.6 + 0.5239726027398 + 0 − 7.5
EXPECTED_UNITS = {("2025-04", "JPY"): (5, 0, 4.1239726027398)}


class TestOciCostReport(AdapterContract):
    adapter_name = "oci-cost-report"
    sample = FIXTURES / "cost_report.csv"
    key_column = "lineItem/referenceNo"
    expected_units = EXPECTED_UNITS
    numeric_column = "cost/myCost"
    date_column = "lineItem/intervalUsageStart"
    required_column = "cost/myCost"
    cases = CASES


def test_detection_ignores_header_case() -> None:
    """Docs spelling (`lineItem/TenantId`) and file spelling (`lineItem/tenantId`) both detect."""
    header = header_of(FIXTURES / "cost_report.csv")
    assert adapters.detect(header, "x.csv").name == "oci-cost-report"
    docs = [h.replace("tenantId", "TenantId").replace("Description", "description") for h in header]
    assert adapters.detect(docs, "x.csv").name == "oci-cost-report"
    assert oci.rename(docs)["lineItem/TenantId"] == "lineItem/tenantId"
    assert "tags/ward" not in oci.rename(header)


def test_tags_and_allocation(tmp_path: Path) -> None:
    """`tags/<ns>.<key>` columns → key `<ns>.<key>`; free-form `tags/ward` feeds allocation."""
    rows = ingest_rows(tmp_path / "ws", FIXTURES / "cost_report.csv")
    assert set(rows[0]["Tags"]) == {
        "Oracle-Tags.CreatedBy", "Oracle-Tags.CreatedOn", "ward", "system", "env"}  # fmt: skip
    assert (rows[0]["x_Ward"], rows[0]["x_BusinessSystem"], rows[0]["x_Environment"]) == (
        "131229", "family_register", "prod")  # fmt: skip
    assert rows[3]["Tags"] is None  # every tag column empty


@pytest.mark.parametrize(
    ("name", "line", "column", "text"),
    [
        ("bad_cost.csv", 3, "cost/myCost", "3.6 JPY"),
        ("missing_currency.csv", 4, "BillingCurrency", "cost/currencyCode"),
    ],
)
def test_bad_values_name_line_and_column(
    tmp_path: Path, name: str, line: int, column: str, text: str
) -> None:
    """A non-number cost or an empty currency stops the ingest, naming line and column."""
    with pytest.raises(InputError) as info:
        api.ingest([FIXTURES / name], workspace=tmp_path / "ws")
    assert info.value.line == line
    assert column in info.value.message and text in info.value.message


def test_oci_focus_report_is_read_by_the_focus_adapter(tmp_path: Path) -> None:
    """OCI's FOCUS report (1.0-preview names, `Usage-based`, oci_ columns) lands as provider oci."""
    assert adapters.detect(header_of(FIXTURES / "oci_focus_report.csv"), "x").name == "focus"
    rows = ingest_rows(tmp_path / "ws", FIXTURES / "oci_focus_report.csv")
    assert [r["BilledCost"] for r in rows] == [7.5, 3.6]
    assert {r["ChargeFrequency"] for r in rows} == {"Usage-Based"}
    assert {r["RegionId"] for r in rows} == {"ap-tokyo-1"}
    assert {r["x_Ward"] for r in rows} == {"131229"}
    assert (tmp_path / "ws" / "lake" / "provider=oci").is_dir()


def test_cli_exit_codes(tmp_path: Path) -> None:
    """CLI: 0 for the report, 2 with file:line and column on stderr for a bad cost."""
    runner = CliRunner()
    ws = str(tmp_path / "ws")
    ok = runner.invoke(app, ["-q", "-w", ws, "ingest", str(FIXTURES / "cost_report.csv")])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["-q", "-w", ws, "ingest", str(FIXTURES / "bad_cost.csv")])
    assert bad.exit_code == 2
    assert "bad_cost.csv:3" in bad.stderr and "cost/myCost" in bad.stderr


# --- public samples (../shared/reference/data/oci) ----------------------------------------
def _my_cost(path: Path) -> float:
    with path.open(encoding="utf-8", newline="") as fh:
        return sum(float(r["cost/myCost"] or 0) for r in csv.DictReader(fh))


@needs_shared
def test_public_cost_report_reconciles(tmp_path: Path) -> None:
    """506 rows: Σ BilledCost = Σ cost/myCost; the eight tag columns become Tags keys."""
    path = SHARED / "reports_cost-csv_0000000030000269.csv"
    rows = ingest_rows(tmp_path / "ws", path)
    assert len(rows) == 506
    assert sum(r["BilledCost"] for r in rows) == pytest.approx(_my_cost(path), rel=1e-12)
    assert {r["BillingCurrency"] for r in rows} == {"USD"}
    assert {r["ChargePeriodStart"].minute for r in rows} == {0}  # `2023-11-13T10:00Z` parsed
    tag_columns = {h[len("tags/") :] for h in header_of(path) if h.startswith("tags/")}
    keys = set().union(*(set(r["Tags"] or {}) for r in rows))
    assert keys <= tag_columns and keys  # keys only: the values hold real e-mail addresses


@needs_shared
def test_public_koku_report_zero_cost_rows_take_the_file_currency(tmp_path: Path) -> None:
    """koku's report leaves cost/currencyCode and cost/unitPrice empty on its two zero-cost rows
    (as genuine OCI reports do): they take GBP, the other rows' currency (issue 14 item 3a).
    Row 1's subscription is spelt `015649487`, the others `15649487`: a billing account of its
    own with no currency, so it takes the currency of its source file and period."""
    path = SHARED / "reports_cost-csv_0001000000603747.csv"
    result = api.ingest([path], workspace=tmp_path / "ws")
    rows = lake_rows(tmp_path / "ws")
    assert len(rows) == 5
    assert {r["BillingCurrency"] for r in rows} == {"GBP"}
    assert sum(r["BilledCost"] for r in rows) == pytest.approx(_my_cost(path))
    assert [r["ContractedUnitPrice"] for r in rows[:2]] == [None, None]
    notes = [w for w in result.warnings if "zero-cost row" in w]
    assert len(notes) == 2 and all("took GBP" in n for n in notes)


def test_zero_cost_rows_without_currency_take_the_account_currency(tmp_path: Path) -> None:
    """Mangled report: two zero-cost rows without currency or unit price take JPY from their
    billing account and period; a re-run is a no-op (issue 14 item 3a)."""
    path = FIXTURES / "zero_cost_no_currency.csv"
    result = api.ingest([path], workspace=tmp_path / "ws")
    rows = lake_rows(tmp_path / "ws")
    assert [r["BillingCurrency"] for r in rows] == ["JPY"] * 4
    assert [r["BilledCost"] for r in rows] == [7.5, 3.6, 0.0, 0.0]
    assert [u.currency for u in result.units] == ["JPY"]
    assert any("2 zero-cost row(s) without a currency took JPY" in w for w in result.warnings)
    assert api.ingest([path], workspace=tmp_path / "ws").skipped


def test_default_currency_fills_the_empty_cells(tmp_path: Path) -> None:
    """`--default cost/currencyCode=JPY` fills the empty cells of the present column, even on
    the row with a cost (the user vouches for it), and says how many (issue 14 item 3b)."""
    result = api.ingest(
        [FIXTURES / "missing_currency.csv"], workspace=tmp_path / "ws",
        defaults={"cost/currencyCode": "JPY"},
    )  # fmt: skip
    assert {r["BillingCurrency"] for r in lake_rows(tmp_path / "ws")} == {"JPY"}
    assert any("cost/currencyCode" in w and "filled 1 empty cell" in w for w in result.warnings)


@needs_shared
def test_public_usage_report_is_not_billing_data(tmp_path: Path) -> None:
    """The deprecated usage report has no cost columns: UnknownFormatError naming cost/myCost."""
    with pytest.raises(UnknownFormatError) as info:
        api.ingest([SHARED / "reports_usage-csv_0001000000829494.csv"], workspace=tmp_path / "ws")
    assert "oci-cost-report: lacks cost/myCost" in info.value.message
