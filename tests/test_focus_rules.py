"""FOCUS 1.2 MUST rules asserted on the lake for the Azure and Google Cloud sources.

The same rules as the AWS sources (tests/adapters/test_aws_focus_rules.py; the SQL is in
tests/adapters/focus_rule_sql.py): unit price × PricingQuantity = cost where both are set,
ListCost = BilledCost without a list price, commitment purchases with EffectiveCost 0, and the
dimension nullability pairs (ResourceType/ResourceId, RegionName/RegionId, SkuMeter/SkuId,
SkuPriceDetails/SkuPriceId, units/quantities, no empty strings, ServiceSubcategory under its own
ServiceCategory, PricingCurrency and its EffectiveCost set). Sources: the adapters' fixtures,
the shipped sample (sample_billing/azure, sample_billing/gcp) and the public samples in
../shared/reference/data (skipped with a reason when absent).

A rule that a source's own data cannot satisfy is listed with its reason (DATA_GAPS) and then
asserted to still fail there, so the list shrinks when the data or the mapping changes; every
other rule must hold on every row.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

from gcfinops import schema
from gcfinops.ingest import ingest
from gcfinops.workspace import Workspace

sys.path.insert(0, str(Path(__file__).parent / "adapters"))
from focus_rule_sql import RULES, broken_rules, violations

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "adapters" / "fixtures"
SHARED = REPO.parent / "shared" / "reference" / "data"
KOKU_GCP_2020 = "202011_30c31bca571d9b7f3b2c8459dd8bc34a_2020-11-08_2020-11-11.csv"
SOURCES: dict[str, tuple[str, list[Path]]] = {
    "sample-azure": ("azure", [REPO / "sample_billing" / "azure"]),
    "sample-gcp": ("gcp", [REPO / "sample_billing" / "gcp"]),
    "fixture-azure-ea-actual": ("azure", [FIXTURES / "azure-cost-details" / "ea_actual.csv"]),
    "fixture-azure-ea-amortized": ("azure", [FIXTURES / "azure-cost-details" / "ea_amortized.csv"]),
    "fixture-azure-ea-older": ("azure", [FIXTURES / "azure-cost-details" / "ea_older_layout.csv"]),
    "fixture-azure-mca": ("azure", [FIXTURES / "azure-cost-details" / "mca_actual.csv"]),
    "fixture-azure-payg": ("azure", [FIXTURES / "azure-payg-usage" / "payg_usage_2019_11_01.csv"]),
    "fixture-gcp-jsonl": ("gcp", [FIXTURES / "gcp-billing-export" / "detailed_export.jsonl"]),
    "fixture-gcp-csv": ("gcp", [FIXTURES / "gcp-billing-export" / "standard_export_flat.csv"]),
    "shared-azure-ea-actual": ("azure", [SHARED / "azure" / "EA_ActualCost_Small.csv"]),
    "shared-azure-ea-amortized": ("azure", [SHARED / "azure" / "EA_AmortizedCost_Small.csv"]),
    "shared-azure-mca": ("azure", [SHARED / "azure" / "camel_azure_version_2.csv"]),
    "shared-azure-ea-anonymous": (
        "azure", [SHARED / "azure" / "sample-anonymous-ea-export-dataset.csv"]),
    "shared-azure-payg": (
        "azure", [SHARED / "azure" / "costreport_a243c6f2-199f-4074-9a2c-40e671cf1584.csv"]),
    "shared-gcp-koku-2020": (
        "gcp", [SHARED / "gcp" / KOKU_GCP_2020]),
    "shared-gcp-koku-2022": ("gcp", [SHARED / "gcp" / "2022-08-01_5.csv"]),
}  # fmt: skip
# (source, rule) → why the source's own data cannot satisfy the rule (nothing to derive it from).
NO_UNIT = ("koku's pay-as-you-go sample leaves UnitOfMeasure empty on every row: the quantities "
           "are real, their unit is not in the file and is not invented")  # fmt: skip
DATA_GAPS: dict[tuple[str, str], str] = {
    ("shared-azure-payg", "consumed-unit-iff-quantity"): NO_UNIT,
    ("shared-azure-payg", "pricing-unit-iff-quantity"): NO_UNIT,
}


@pytest.fixture(scope="module", params=sorted(SOURCES))
def lake(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path]:
    """One source ingested into a fresh workspace: (provider, workspace root)."""
    _provider, paths = SOURCES[request.param]
    missing = [p for p in paths if not p.exists()]
    if missing:
        pytest.skip(f"{missing[0]} is absent (the shared reference data is not checked out here)")
    root = tmp_path_factory.mktemp(request.param)
    ingest(Workspace(root), paths)
    return request.param, root


@pytest.mark.parametrize("rule", sorted(RULES))
def test_focus_rule_holds_on_the_lake(lake: tuple[str, Path], rule: str) -> None:
    """No lake row breaks the rule (the SQL in RULES selects the breaking rows)."""
    source, root = lake
    total, bad, sample = violations(root, RULES[rule])
    assert total > 0, "the source loaded no rows"
    gap = DATA_GAPS.get((source, rule))
    if gap:
        assert bad > 0, f"{rule} holds on {source} now: remove it from DATA_GAPS ({gap})"
        return
    assert bad == 0, f"{bad} of {total} rows break {rule}, e.g. {sample}"


def test_rules_fire_on_the_old_azure_and_gcp_mapping() -> None:
    """Rows shaped like the Azure / Google Cloud mapping before these fixes are caught."""
    con = duckdb.connect()
    con.execute(schema.empty_table_sql("t"))
    con.execute(
        "INSERT INTO t (ChargeCategory, BilledCost, ListCost, ListUnitPrice, ContractedCost,"
        " ContractedUnitPrice, PricingQuantity, PricingUnit, ServiceCategory, ServiceSubcategory,"
        " SkuId, SkuMeter, SkuPriceId, SkuPriceDetails, ResourceId, ResourceType, RegionId,"
        " RegionName, PricingCurrency, PricingCurrencyEffectiveCost, x_ServiceCode,"
        " x_SourceChargeType) VALUES "
        # Azure EA reservation purchase: PayGPrice 0 as the list price of a 27,300 purchase;
        # meter name and VM size without SkuId / SkuPriceId; no subcategory, no pricing currency
        "('Purchase', 27300, 27300, 0, 27300, 27300, 1, 'Units', 'Compute', NULL, NULL,"
        " 'D4s v5', NULL, '{\"InstanceType\": \"Standard_D4s_v5\"}', NULL,"
        " 'Microsoft.Compute/virtualMachines', 'japaneast', 'Japan East', NULL, NULL, NULL,"
        " 'Purchase'),"
        # Google Cloud usage with credits, no price columns: contracted = cost, no unit price;
        # a multi-region without a name; the tax row's empty service id
        "('Usage', 0.5, 0.6, NULL, 0.6, NULL, 2, 'hour', 'Compute', 'Virtual Machines', 'S',"
        " 'Core', NULL, NULL, NULL, NULL, 'us', NULL, 'USD', 0.5, '', 'regular')"
    )
    caught = broken_rules(con, "t")
    con.close()
    assert {
        "list-unit-price-times-quantity-is-list-cost",
        "contracted-cost-is-billed-cost-without-contracted-price",
        "list-cost-is-billed-cost-without-list-price",
        "unit-prices-on-priced-usage-and-purchase",
        "sku-meter-null-without-sku-id",
        "sku-price-details-null-without-sku-price-id",
        "service-subcategory-set",
        "pricing-currency-set",
        "pricing-currency-effective-cost-set",
        "resource-type-iff-resource-id",
        "region-name-iff-region-id",
        "no-empty-strings",
    } <= caught
