"""Google Cloud Billing export adapter: newline-delimited JSON, Parquet and flattened CSV.

The fixtures (tests/adapters/fixtures/gcp-billing-export/, synthetic) hold the same seven rows of a
detailed export as BigQuery writes them to JSON (`… UTC` timestamps, INT64 as strings) and to
Parquet (typed timestamps, records, repeated records), and five of them flattened to CSV. Expected
values are computed by hand: cost + Σ credits for the costs, invoice.month at 00:00 US Pacific for
the billing period.
"""

from __future__ import annotations

import ast
import csv
import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from adapter_contract import AdapterContract, Case, ingest_rows, lake_rows
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gcfinops import adapters, api
from gcfinops.adapters import gcp_billing_export as gcp
from gcfinops.cli import app
from gcfinops.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "gcp-billing-export"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "reference" / "data" / "gcp"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/reference/data absent")
NESTED = ["detailed_export.jsonl", "detailed_export.parquet"]


@pytest.fixture(scope="module", params=NESTED)
def nested(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The nested fixture (JSONL, then Parquet) ingested once: (workspace root, lake rows)."""
    root = tmp_path_factory.mktemp("nested") / "ws"
    return root, ingest_rows(root, FIXTURES / request.param)


def iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


# --- the adapter contract on standard_export_flat.csv (dotted names, arrays as JSON text) ----
# Rows: 1 E2 core (SUD credit), 2 E2 RAM (CUD credit), 3 balanced PD, 4 standard storage
# bucket (own ward/env labels), 5 tax.
C = Case
CUD_ID = "projects/edogawa-kenko-prod/regions/asia-northeast1/commitments/kenko-e2-2025"
CASES = [
    C("billed-cost-plus-credits", "1", "BilledCost", 0.04),
    C("billed-zero-when-cud-covers", "2", "BilledCost", 0.0),
    C("effective-cost-plus-credits", "1", "EffectiveCost", 0.04),
    C("contracted-cost-before-credits", "1", "ContractedCost", 0.05),
    C("list-cost-falls-back-to-cost", "1", "ListCost", 0.05),
    C("source-billed-cost-plus-credits", "2", "x_SourceBilledCost", 0.0),
    C("billing-period-us-pacific", "1", "BillingPeriodStart", "2025-04-01T07:00:00Z"),
    C("billing-period-end-next-month", "1", "BillingPeriodEnd", "2025-05-01T07:00:00Z"),
    C("charge-period-start", "1", "ChargePeriodStart", "2025-04-01T00:00:00Z"),
    C("charge-period-end", "1", "ChargePeriodEnd", "2025-04-01T01:00:00Z"),
    C("category-regular-usage", "1", "ChargeCategory", "Usage"),
    C("category-tax", "5", "ChargeCategory", "Tax"),
    C("frequency-usage-based", "1", "ChargeFrequency", "Usage-Based"),
    C("frequency-tax-recurring", "5", "ChargeFrequency", "Recurring"),
    C("commitment-category-from-cud-credit", "2", "CommitmentDiscountCategory", "Usage"),
    C("commitment-id-from-cud-credit", "2", "CommitmentDiscountId", CUD_ID),
    C(
        "commitment-name",
        "2",
        "CommitmentDiscountName",
        "Commitment v1: E2 Ram in Tokyo for 1 Year",
    ),
    C("commitment-status-used", "2", "CommitmentDiscountStatus", "Used"),
    C("commitment-type", "2", "CommitmentDiscountType", "Committed Use Discount"),
    C("no-commitment-on-sud", "1", "CommitmentDiscountId", None),
    C("pricing-standard", "1", "PricingCategory", "Standard"),
    C("pricing-committed", "2", "PricingCategory", "Committed"),
    C("pricing-null-on-tax", "5", "PricingCategory", None),
    C("instance-type-from-system-label", "1", "x_InstanceType", "e2-standard-4"),
    C("sku-price-details-null-without-sku-price-id", "1", "SkuPriceDetails", None),
    C("service-subcategory-compute-engine", "1", "ServiceSubcategory", "Virtual Machines"),
    C("service-subcategory-cloud-storage", "4", "ServiceSubcategory", "Object Storage"),
    C("service-subcategory-other-under-category", "5", "ServiceSubcategory", "Other (Other)"),
    C("pricing-currency-billing-without-rate", "1", "PricingCurrency", "USD"),
    C("pricing-currency-effective-cost-without-rate", "1", "PricingCurrencyEffectiveCost", 0.04),
    C("billing-account-name-absent", "1", "BillingAccountName", None),
    C("volume-type-from-sku", "3", "x_VolumeType", "pd-balanced"),
    C("storage-class-from-sku", "4", "x_StorageClass", "STANDARD"),
    C(
        "tags-resource-label-wins",
        "4",
        "Tags",
        {"ward": "131237", "env": "dev", "system": "健康管理"},
    ),
    C("tags-project-labels-only", "5", "Tags", {"ward": "edogawa", "system": "健康管理"}),
    C("ward-from-project-label", "1", "x_Ward", "131237"),
    C("system-from-project-label", "1", "x_BusinessSystem", "health_management"),
    C("environment-from-resource-label", "4", "x_Environment", "dev"),
    C("billing-account", "1", "BillingAccountId", "01A2B3-C4D5E6-F7A8B9"),
    C("billing-account-type", "1", "BillingAccountType", "Billing Account"),
    C("currency", "1", "BillingCurrency", "USD"),
    C("sub-account-project", "1", "SubAccountId", "edogawa-kenko-prod"),
    C("sub-account-name", "1", "SubAccountName", "edogawa-kenko-prod"),
    C("sub-account-type", "1", "SubAccountType", "Project"),
    C("region-id", "1", "RegionId", "asia-northeast1"),
    C("region-name", "1", "RegionName", "Tokyo"),
    C("availability-zone", "1", "AvailabilityZone", "asia-northeast1-b"),
    C("availability-zone-regional", "4", "AvailabilityZone", None),
    C("service-name", "1", "ServiceName", "Compute Engine"),
    C("service-category-compute", "1", "ServiceCategory", "Compute"),
    C("service-category-storage", "4", "ServiceCategory", "Storage"),
    C("service-code-service-id", "1", "x_ServiceCode", "6F81-5844-456A"),
    C("sku-id", "1", "SkuId", "CF4E-A0C7-E3BF"),
    C("sku-id-null-on-tax", "5", "SkuId", None),
    C("sku-meter", "1", "SkuMeter", "E2 Instance Core running in Tokyo"),
    C("sku-meter-null-with-sku-id", "5", "SkuMeter", None),
    C("consumed-quantity", "1", "ConsumedQuantity", 3600.0),
    C("consumed-unit", "1", "ConsumedUnit", "seconds"),
    C("consumed-null-on-tax", "5", "ConsumedQuantity", None),
    C("pricing-quantity", "1", "PricingQuantity", 1.0),
    C("pricing-unit", "1", "PricingUnit", "hour"),
    C("provider", "1", "ProviderName", "Google Cloud"),
    C("publisher", "1", "PublisherName", "Google Cloud"),
    C("invoice-issuer", "1", "InvoiceIssuerName", "Google Cloud"),
    C("source-charge-type", "5", "x_SourceChargeType", "tax"),
    C("no-resource-in-standard-export", "1", "ResourceId", None),
]
# 0.04 + 0 + 0.30 + 0.12 + 0.049 = 0.509
EXPECTED_UNITS = {("2025-04", "USD"): (5, 0, 0.509)}
LABELS = '[{"key": "VARCHAR", "value": "VARCHAR"}]'
CREDIT = (
    '[{"name": "VARCHAR", "amount": "DOUBLE", "full_name": "VARCHAR", "id": "VARCHAR",'
    ' "type": "VARCHAR"}]'
)


def nested_parquet(csv_path: Path, out: Path) -> Path:
    """The flattened CSV put back into BigQuery's nested shape, as its Parquet export has it."""

    def v(name: str) -> str:
        return f"NULLIF(\"{name}\", '')"

    select = f"""
        SELECT billing_account_id,
          {{'id': {v("service.id")}, 'description': {v("service.description")}}} AS service,
          {{'id': {v("sku.id")}, 'description': {v("sku.description")}}} AS sku,
          CAST(usage_start_time AS TIMESTAMPTZ) AS usage_start_time,
          CAST(usage_end_time AS TIMESTAMPTZ) AS usage_end_time,
          {{'id': {v("project.id")}, 'name': {v("project.name")},
            'labels': from_json("project.labels", '{LABELS}')}} AS project,
          from_json(labels, '{LABELS}') AS labels,
          from_json(system_labels, '{LABELS}') AS system_labels,
          {{'location': {v("location.location")}, 'region': {v("location.region")},
            'zone': {v("location.zone")}}} AS location,
          CAST(cost AS DOUBLE) AS cost, currency,
          {{'amount': CAST({v("usage.amount")} AS DOUBLE), 'unit': {v("usage.unit")},
            'amount_in_pricing_units': CAST({v("usage.amount_in_pricing_units")} AS DOUBLE),
            'pricing_unit': {v("usage.pricing_unit")}}} AS usage,
          from_json(credits, '{CREDIT}') AS credits,
          {{'month': {v("invoice.month")}}} AS invoice, cost_type
        FROM read_csv('{csv_path.as_posix()}', all_varchar = true)"""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"COPY ({select}) TO '{out.as_posix()}' (FORMAT parquet)")
    return out


class TestGcpBillingExport(AdapterContract):
    adapter_name = "gcp-billing-export"
    sample = FIXTURES / "standard_export_flat.csv"
    key_column = None
    expected_units = EXPECTED_UNITS
    numeric_column = "cost"
    date_column = "usage_start_time"
    required_column = "cost"
    has_parquet = True
    cases = CASES

    def to_parquet(self, csv_path: Path, out: Path) -> Path:
        return nested_parquet(csv_path, out)


def test_costs_are_cost_plus_credits(nested: Any) -> None:
    """BilledCost = EffectiveCost = cost + Σ credits; ContractedCost = cost."""
    _root, rows = nested
    assert [r["BilledCost"] for r in rows] == pytest.approx(
        [0.04, 0, 0.30, 0.12, 0.049, -0.01, 0.05]
    )
    assert [r["EffectiveCost"] for r in rows] == [r["BilledCost"] for r in rows]
    assert [r["ContractedCost"] for r in rows] == pytest.approx(
        [0.05, 0.02, 0.30, 0.12, 0.049, -0.01, 0.05])  # fmt: skip
    assert sum(r["x_SourceBilledCost"] for r in rows) == pytest.approx(0.549)
    assert rows[0]["ListCost"] == 0.05 and rows[4]["ListCost"] == 0.049  # cost_at_list, else cost
    assert {r["BillingCurrency"] for r in rows} == {"USD"}


def test_invoice_month_is_a_us_pacific_month(nested: Any) -> None:
    """invoice.month 202504 → 2025-04-01T07:00Z (00:00 PDT); usage at 12:00 JST on 1 May that
    Google invoices in April stays in April's billing period; corrections follow their month."""
    root, rows = nested
    assert iso(rows[0]["BillingPeriodStart"]) == "2025-04-01T07:00:00+00:00"
    assert iso(rows[0]["BillingPeriodEnd"]) == "2025-05-01T07:00:00+00:00"
    edge = rows[6]
    assert iso(edge["ChargePeriodStart"]) == "2025-05-01T03:00:00+00:00"  # 12:00 JST, 1 May
    assert iso(edge["BillingPeriodStart"]) == "2025-04-01T07:00:00+00:00"
    correction = rows[5]
    assert iso(correction["BillingPeriodStart"]) == "2025-05-01T07:00:00+00:00"
    assert (correction["ChargeCategory"], correction["ChargeClass"]) == ("Adjustment", "Correction")
    assert correction["ChargeFrequency"] == "One-Time"
    periods = {p.name for p in (root / "lake" / "provider=gcp").iterdir()}
    assert periods == {"billing_period=2025-04", "billing_period=2025-05"}


def test_resources_and_sku_details(nested: Any) -> None:
    """Machine type from system labels, disk type and storage class from the SKU, resource ids."""
    _root, rows = nested
    core, ram, disk, bucket, tax = rows[:5]
    assert core["x_InstanceType"] == "e2-standard-4"
    # the JSON rows carry price.tier_start_amount (so a SkuPriceId); the Parquet rows have no
    # `price` record, and FOCUS wants SkuPriceDetails NULL where SkuPriceId is
    if core["x_SourceFile"].endswith(".parquet"):
        assert (core["SkuPriceId"], core["SkuPriceDetails"]) == (None, None)
    else:
        assert core["SkuPriceId"] == "CF4E-A0C7-E3BF:0"
        assert json.loads(core["SkuPriceDetails"]) == {"InstanceType": "e2-standard-4"}
    assert core["ResourceId"].startswith("//compute.googleapis.com/projects/edogawa-kenko-prod/")
    assert (core["ResourceName"], core["ResourceType"]) == (
        "edogawa-kenko-ap01",
        "compute.instances",
    )
    assert (core["SubAccountId"], core["SubAccountType"]) == ("edogawa-kenko-prod", "Project")
    assert (core["RegionId"], core["RegionName"], core["AvailabilityZone"]) == (
        "asia-northeast1", "Tokyo", "asia-northeast1-b")  # fmt: skip
    assert (core["ServiceName"], core["ServiceCategory"], core["x_ServiceCode"]) == (
        "Compute Engine", "Compute", "6F81-5844-456A")  # fmt: skip
    assert (core["ConsumedQuantity"], core["ConsumedUnit"]) == (3600, "seconds")
    assert (core["PricingQuantity"], core["PricingUnit"]) == (1, "hour")
    assert (
        core["SkuId"] == "CF4E-A0C7-E3BF"
        and core["SkuMeter"] == "E2 Instance Core running in Tokyo"
    )
    assert disk["x_VolumeType"] == "pd-balanced"
    assert (bucket["x_StorageClass"], bucket["ServiceCategory"]) == ("STANDARD", "Storage")
    assert bucket["x_InstanceType"] is None and bucket["AvailabilityZone"] is None
    assert (tax["ChargeCategory"], tax["ChargeFrequency"]) == ("Tax", "Recurring")
    assert (tax["ConsumedQuantity"], tax["SkuId"], tax["PricingCategory"]) == (None, None, None)
    assert [r["PricingCategory"] for r in rows[:4]] == [
        "Standard",
        "Committed",
        "Standard",
        "Standard",
    ]
    assert ram["x_InstanceType"] == "e2-standard-4"


def test_committed_use_discount_credit(nested: Any) -> None:
    """A COMMITTED_USAGE_DISCOUNT credit marks the row Used, category Usage, with its name."""
    ram = nested[1][1]
    assert ram["CommitmentDiscountCategory"] == "Usage"
    assert ram["CommitmentDiscountId"].endswith("/commitments/kenko-e2-2025")
    assert ram["CommitmentDiscountName"] == "Commitment v1: E2 Ram in Tokyo for 1 Year"
    assert (ram["CommitmentDiscountStatus"], ram["CommitmentDiscountType"]) == (
        "Used", "Committed Use Discount")  # fmt: skip


def test_labels_become_tags_and_allocation(nested: Any) -> None:
    """Resource labels win over project labels; system labels are kept; ward/業務/env allocate."""
    _root, rows = nested
    core, bucket = rows[0], rows[3]
    assert core["Tags"] == {
        "env": "prod", "compute.googleapis.com/machine_spec": "e2-standard-4",
        "compute.googleapis.com/cores": "4", "compute.googleapis.com/memory": "16384",
        "ward": "edogawa", "system": "健康管理"}  # fmt: skip
    assert (core["x_Ward"], core["x_BusinessSystem"], core["x_Environment"]) == (
        "131237", "health_management", "prod")  # fmt: skip
    assert bucket["Tags"]["ward"] == "131237"  # the bucket's own label, not the project's
    assert bucket["x_Environment"] == "dev"
    assert rows[4]["Tags"] == {"ward": "edogawa", "system": "健康管理"}  # tax: project labels


def test_flattened_csv_dotted_and_underscored(tmp_path: Path) -> None:
    """A query's CSV (dotted or underscored names, arrays as JSON text) maps the same way."""
    dotted = ingest_rows(tmp_path / "a", FIXTURES / "standard_export_flat.csv")
    assert [r["BilledCost"] for r in dotted] == pytest.approx([0.04, 0, 0.30, 0.12, 0.049])
    assert dotted[0]["x_InstanceType"] == "e2-standard-4"
    assert dotted[1]["CommitmentDiscountCategory"] == "Usage"
    assert dotted[3]["Tags"]["ward"] == "131237"
    assert iso(dotted[0]["BillingPeriodStart"]) == "2025-04-01T07:00:00+00:00"
    assert dotted[0]["ResourceId"] is None  # standard export: no resource columns
    under = ingest_rows(tmp_path / "b", FIXTURES / "standard_export_underscore.csv")
    assert [r["BilledCost"] for r in under] == pytest.approx([0.04, 0])
    assert under[0]["ServiceName"] == "Compute Engine" and under[0]["x_Ward"] == "131237"


def test_rename_maps_both_flattenings() -> None:
    """`service.description` and `Service_Description` are the same column."""
    assert gcp.rename(["service.description", "usage_start_time"]) == {
        "service.description": "service.description",
        "usage_start_time": "usage_start_time",
    }
    assert gcp.rename(["Service_Description"]) == {"Service_Description": "service.description"}
    assert not gcp.is_nested(["service.description"]) and gcp.is_nested(["service", "cost"])


@pytest.mark.parametrize("name", [*NESTED, "standard_export_flat.csv"])
def test_detection(name: str, tmp_path: Path) -> None:
    """All three shapes detect as gcp-billing-export."""
    from gcfinops.readers import open_source

    src = open_source(FIXTURES / name, tmp_path)
    assert adapters.detect(src.header, name).name == "gcp-billing-export"


def test_gzipped_jsonl_in_a_folder(tmp_path: Path) -> None:
    """A folder of `*.jsonl.gz` (BigQuery export with GZIP compression) is found and read."""
    folder = tmp_path / "export"
    folder.mkdir()
    with (
        (FIXTURES / "detailed_export.jsonl").open("rb") as src,
        gzip.open(folder / "gcp_billing_export_resource_v1-000000000000.jsonl.gz", "wb") as dst,
    ):
        shutil.copyfileobj(src, dst)
    rows = ingest_rows(tmp_path / "ws", folder)
    assert sum(r["BilledCost"] for r in rows) == pytest.approx(0.549)


@pytest.mark.parametrize(
    ("name", "line", "text"),
    [
        ("bad_cost.jsonl", 2, "column 'cost': not a number (found '0.02 USD', expected a number"),
        (
            "bad_month.jsonl",
            3,
            "column 'invoice.month': not a month (found '2025-04', expected YYYYMM",
        ),
        ("bad_credits.csv", 3, "column 'credits': not a list of records"),
        ("not_newline_delimited.json", 1, "a JSON array, not newline-delimited JSON"),
    ],
)
def test_bad_input_names_line_and_column(tmp_path: Path, name: str, line: int, text: str) -> None:
    """Bad values stop the ingest with the line (JSON: record number) and the column."""
    with pytest.raises(InputError) as info:
        api.ingest([FIXTURES / name], workspace=tmp_path / "ws")
    assert info.value.line == line
    assert text in info.value.message


def test_cli(tmp_path: Path) -> None:
    """CLI: JSONL ingests (exit 0) into two billing periods; a bad month exits 2 naming the line."""
    runner = CliRunner()
    ws = str(tmp_path / "ws")
    ok = runner.invoke(app, ["-q", "-w", ws, "ingest", str(FIXTURES / "detailed_export.jsonl")])
    assert ok.exit_code == 0, ok.output
    status = json.loads(runner.invoke(app, ["-w", ws, "status", "--format", "json"]).stdout)
    assert [(u["billing_period"], round(u["billed_cost"], 6)) for u in status] == [
        ("2025-04", 0.559), ("2025-05", -0.01)]  # fmt: skip
    bad = runner.invoke(app, ["-q", "-w", ws, "ingest", str(FIXTURES / "bad_month.jsonl")])
    assert bad.exit_code == 2 and "bad_month.jsonl:3" in bad.stderr


# --- public samples (../shared/reference/data/gcp): koku's flattened CSV -------------------
def _net(path: Path) -> float:
    total = 0.0
    with path.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            credits = ast.literal_eval(r["credits"]) if r["credits"] else []
            total += float(r["cost"]) + sum(c["amount"] for c in credits)
    return total


@needs_shared
@pytest.mark.parametrize(
    "name",
    ["2022-08-01_5.csv", "202011_30c31bca571d9b7f3b2c8459dd8bc34a_2020-11-08_2020-11-11.csv"],
)
def test_public_samples_reconcile(tmp_path: Path, name: str) -> None:
    """koku's CSVs (Python-repr arrays): Σ BilledCost = Σ (cost + credits) computed in Python."""
    rows = ingest_rows(tmp_path / "ws", SHARED / name)
    assert sum(r["BilledCost"] for r in rows) == pytest.approx(_net(SHARED / name), abs=1e-12)
    assert {r["x_SourceFormat"] for r in rows} == {"gcp-billing-export"}


@needs_shared
def test_public_sample_promotion_credit_and_labels(tmp_path: Path) -> None:
    """The 2020-11 sample: FreeTrial PROMOTION credits cancel the cost; goog-resource-type tags."""
    rows = ingest_rows(
        tmp_path / "ws",
        SHARED / "202011_30c31bca571d9b7f3b2c8459dd8bc34a_2020-11-08_2020-11-11.csv",
    )
    assert len(rows) == 25
    promoted = [r for r in rows if r["ContractedCost"] == 5e-06]
    assert promoted and all(r["BilledCost"] == 0 for r in promoted)
    assert {r["Tags"]["goog-resource-type"] for r in rows if r["Tags"]} == {
        "bigquery_resource", "bigquery_dataset", "bigquery_project"}  # fmt: skip
    assert {iso(r["BillingPeriodStart"]) for r in rows} == {"2020-11-01T07:00:00+00:00"}


# --- the bundled sample (sample_billing/gcp, written by generate_multicloud.py) -----------
SAMPLE = Path(__file__).resolve().parents[2] / "sample_billing"


def test_multicloud_sample_is_reproducible(tmp_path: Path) -> None:
    """generate_multicloud.py rewrites the committed azure/ and gcp/ files with the same content."""
    import subprocess
    import sys

    out = tmp_path / "out"
    script = SAMPLE / "generate_multicloud.py"
    subprocess.run([sys.executable, str(script), "--out", str(out)], check=True, timeout=300)
    fresh = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(SAMPLE)
        for top in ("azure", "gcp")
        for p in (SAMPLE / top).rglob("*")
        if p.is_file()
    )
    assert fresh == committed
    for rel in committed:
        assert gzip.decompress((out / rel).read_bytes()) == gzip.decompress(
            (SAMPLE / rel).read_bytes()
        ), rel


def test_sample_gcp_reconciles_per_invoice_month(tmp_path: Path) -> None:
    """Σ BilledCost per invoice month = Σ (cost + credits) computed from the JSON; tax = 10 %."""
    files = sorted((SAMPLE / "gcp").rglob("*.jsonl.gz"))
    expected: dict[str, float] = {}
    tax: dict[str, float] = {}
    net: dict[str, float] = {}
    for f in files:
        for line in gzip.decompress(f.read_bytes()).decode("utf-8").splitlines():
            r = json.loads(line)
            amount = r["cost"] + sum(c["amount"] for c in r["credits"])
            month = r["invoice"]["month"]
            expected[month] = expected.get(month, 0.0) + amount
            bucket = tax if r["cost_type"] == "tax" else net
            bucket[month] = bucket.get(month, 0.0) + amount
    assert sorted(expected) == [f"{y}{m:02d}" for y, m in [
        (2024 + (i + 3) // 12, (i + 3) % 12 + 1) for i in range(24)]]  # fmt: skip
    for month in expected:
        assert tax[month] == pytest.approx(0.1 * net[month], abs=0.02), month
    root = tmp_path / "ws"
    api.ingest([SAMPLE / "gcp"], workspace=root)
    status = {u.billing_period: u.billed_cost for u in api.status(workspace=root)}
    for month, total in expected.items():
        assert status[f"{month[:4]}-{month[4:]}"] == pytest.approx(total, abs=1e-6), month
    rows = lake_rows(root)
    assert {r["x_Ward"] for r in rows} == {"131237"}
    assert {r["x_BusinessSystem"] for r in rows} == {"health_management"}
    assert {r["BillingCurrency"] for r in rows} == {"USD"}
    cud = [r for r in rows if r["CommitmentDiscountStatus"] == "Used"]
    assert (
        cud and min(r["ChargePeriodStart"] for r in cud).isoformat() == "2025-10-01T00:00:00+00:00"
    )


# --- property: any credits list, as JSON text or as Python repr ----------------------------
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
_CREDIT = st.fixed_dictionaries(
    {
        "name": _TEXT,
        "amount": st.floats(-1e6, 0, allow_nan=False, allow_subnormal=False),
        "full_name": st.one_of(st.none(), _TEXT),
        "id": _TEXT,
        "type": st.sampled_from(
            ["SUSTAINED_USAGE_DISCOUNT", "PROMOTION", "COMMITTED_USAGE_DISCOUNT"]
        ),
    }
)


@settings(max_examples=60, deadline=None)
@given(
    cost=st.floats(0, 1e6, allow_nan=False, allow_subnormal=False),
    credits=st.lists(_CREDIT, max_size=4),
    as_json=st.booleans(),
)
def test_billed_cost_is_cost_plus_credits_for_any_credits_text(
    cost: float, credits: list[dict[str, Any]], as_json: bool
) -> None:
    """BilledCost = cost + Σ amounts whether `credits` is JSON text or koku's Python repr."""
    from gcfinops.adapters.base import ROW, render

    header = ["billing_account_id", "cost", "credits", "service.description"]
    present = gcp.ADAPTER.canonical(header)
    sql = render(gcp.ADAPTER.columns["BilledCost"].template_for(list(present)), present)
    text = json.dumps(credits, ensure_ascii=False) if as_json else repr(credits)
    con = duckdb.connect()
    got = con.execute(
        f"SELECT {sql} FROM (SELECT 1 AS {ROW}, 'x' AS billing_account_id, ? AS cost,"
        " ? AS credits, 'Compute Engine' AS \"service.description\")",
        [cost, text],
    ).fetchone()
    assert got is not None
    # Exact DECIMAL in the lake; the float inputs here make the expectation approximate.
    assert float(got[0]) == pytest.approx(
        cost + sum(c["amount"] for c in credits), rel=1e-9, abs=1e-6
    )


@pytest.mark.parametrize("value", ['"NaN"', "1e999", '"-inf"'])
def test_non_finite_cost_in_json_is_refused(tmp_path: Path, value: str) -> None:
    """JSON has no columns typed on read: the lake-level check names the record and column."""
    lines = (FIXTURES / "detailed_export.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])
    record["cost"] = "@@"
    lines[1] = json.dumps(record).replace('"@@"', value)
    bad = tmp_path / "nonfinite.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        api.ingest([bad], workspace=tmp_path / "ws")
    assert info.value.line == 2 and "not a finite number" in str(info.value)
    assert info.value.column == "cost"
    assert not (tmp_path / "ws" / "lake").exists()


def test_prices_in_us_dollars_and_the_billing_account_name(tmp_path: Path) -> None:
    """A JPY account: PricingCurrency USD, amounts ÷ currency_conversion_rate (Google: cost ÷
    rate = the cost in USD); SkuPriceId and SkuPriceDetails together; the account name from
    `gcf_billing_account_name` (what the `bq://` source adds)."""
    row = {
        "billing_account_id": "01A2B3-C4D5E6-F7A8B9",
        "gcf_billing_account_name": "Edogawa City",
        "service": {"id": "6F81-5844-456A", "description": "Compute Engine"},
        "sku": {"id": "CF4E-A0C7-E3BF", "description": "E2 Instance Core running in Tokyo"},
        "usage_start_time": "2025-04-01 00:00:00 UTC",
        "usage_end_time": "2025-04-01 01:00:00 UTC",
        "project": {"id": "edogawa-kenko-prod", "name": "edogawa-kenko-prod"},
        "system_labels": [{"key": "compute.googleapis.com/machine_spec", "value": "e2-standard-4"}],
        "location": {"location": "asia-northeast1", "region": "asia-northeast1"},
        "cost": 30.0, "cost_at_list": 33.0, "currency": "JPY",
        "currency_conversion_rate": 150.0,
        "usage": {"amount": 3600, "unit": "seconds", "amount_in_pricing_units": 2.0,
                  "pricing_unit": "hour"},
        "credits": [{"name": "Sustained Usage Discount", "amount": -7.5,
                     "type": "SUSTAINED_USAGE_DISCOUNT"}],
        "invoice": {"month": "202504"}, "cost_type": "regular",
        "price": {"effective_price": 15.0, "list_price": 16.5, "tier_start_amount": 0},
    }  # fmt: skip
    src = tmp_path / "export.jsonl"
    src.write_text(json.dumps(row) + "\n", encoding="utf-8")
    (r,) = ingest_rows(tmp_path / "ws", src)
    assert (r["BillingCurrency"], r["PricingCurrency"]) == ("JPY", "USD")
    assert r["EffectiveCost"] == pytest.approx(22.5)
    assert r["PricingCurrencyEffectiveCost"] == pytest.approx(22.5 / 150)
    assert r["PricingCurrencyContractedUnitPrice"] == pytest.approx(15.0 / 150)
    assert r["PricingCurrencyListUnitPrice"] == pytest.approx(16.5 / 150)
    assert (r["ListCost"], r["ListUnitPrice"], r["PricingQuantity"]) == (33.0, 16.5, 2.0)
    assert (r["ContractedCost"], r["ContractedUnitPrice"]) == (30.0, 15.0)
    assert r["SkuPriceId"] == "CF4E-A0C7-E3BF:0"
    assert json.loads(r["SkuPriceDetails"]) == {"InstanceType": "e2-standard-4"}
    assert r["BillingAccountName"] == "Edogawa City"


def test_billing_account_name_from_default(tmp_path: Path) -> None:
    """Files without the name take it from `--default gcf_billing_account_name=NAME`."""
    root = tmp_path / "ws"
    api.ingest([FIXTURES / "standard_export_flat.csv"], workspace=root,
               defaults={"gcf_billing_account_name": "Edogawa City"})  # fmt: skip
    names = {r["BillingAccountName"] for r in lake_rows(root)}
    assert names == {"Edogawa City"}
