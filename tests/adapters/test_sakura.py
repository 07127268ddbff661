"""Sakura Cloud adapter: the gcfinops CSV layout built from the Billing API's field names.

No Sakura billing file is public (formats.md §6–7): the fixtures (tests/adapters/fixtures/sakura/)
are synthetic, written in the documented layout (docs/providers.md) — one with the API's
field names in UTF-8, one with the Japanese headers in Shift_JIS (CP932) as Excel saves it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from adapter_contract import AdapterContract, Case, lake_rows
from typer.testing import CliRunner

from gcfinops import adapters, api
from gcfinops.adapters import sakura
from gcfinops.cli import app
from gcfinops.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "sakura"
C = Case
# Rows: 1 server (tk1b, 中野区 tags), 2 SSD disk, 3 internet (is1b, romaji ward, stg), 4 tax.
CASES = [
    C("billed-amount", "1", "BilledCost", 12430.0),
    C("effective-amount", "2", "EffectiveCost", 4400.0),
    C("list-amount", "2", "ListCost", 4400.0),
    C("source-billed-amount", "3", "x_SourceBilledCost", 2970.0),
    C("currency-default-jpy", "1", "BillingCurrency", "JPY"),
    C("month-start-utc", "1", "ChargePeriodStart", "2025-04-01T00:00:00Z"),
    C("month-end", "1", "ChargePeriodEnd", "2025-05-01T00:00:00Z"),
    C("billing-period", "1", "BillingPeriodStart", "2025-04-01T00:00:00Z"),
    C("billing-period-end", "1", "BillingPeriodEnd", "2025-05-01T00:00:00Z"),
    C("category-default-usage", "1", "ChargeCategory", "Usage"),
    C("category-tax", "4", "ChargeCategory", "Tax"),
    C("frequency-usage", "1", "ChargeFrequency", "Usage-Based"),
    C("frequency-tax-recurring", "4", "ChargeFrequency", "Recurring"),
    C("pricing-standard", "1", "PricingCategory", "Standard"),
    C("pricing-null-on-tax", "4", "PricingCategory", None),
    C("billing-account", "1", "BillingAccountId", "113700000001"),
    C("sub-account", "1", "SubAccountId", "113700000001"),
    C("invoice-id-bill-id", "1", "InvoiceId", "300000000123"),
    C("resource-id-contract-id", "1", "ResourceId", "113600000101"),
    C("resource-id-null-without-contract", "4", "ResourceId", None),
    C("resource-name-description", "1", "ResourceName", "nakano-jumin-ap01"),
    C("zone", "1", "AvailabilityZone", "tk1b"),
    C("region-from-zone", "3", "RegionId", "is1"),
    C("region-name", "1", "RegionName", "Tokyo"),
    C("region-name-ishikari", "3", "RegionName", "Ishikari"),
    C("service-name-class-path", "1", "ServiceName", "cloud/plan/server/4core-8gb"),
    C("service-category-compute", "1", "ServiceCategory", "Compute"),
    C("service-category-storage", "2", "ServiceCategory", "Storage"),
    C("service-category-networking", "3", "ServiceCategory", "Networking"),
    C("service-category-other", "4", "ServiceCategory", "Other"),
    C("sku-id-service-class-id", "1", "SkuId", "50040"),
    C("consumed-quantity-usage", "1", "ConsumedQuantity", 2592000.0),
    C("consumed-unit-formatted", "1", "ConsumedUnit", "720時間"),
    C("instance-type-plan", "1", "x_InstanceType", "4Core-8GB"),
    C("usage-type-usage-path", "2", "x_UsageType", "cloud/disk"),
    C("tags-json", "1", "Tags", {"ward": "中野区", "system": "住民基本台帳", "env": "prod"}),
    C("tags-empty-null", "4", "Tags", None),
    C("ward-from-tag", "1", "x_Ward", "131148"),
    C("system-from-tag", "1", "x_BusinessSystem", "resident_registry"),
    C("ward-from-romaji-tag", "3", "x_Ward", "131148"),
    C("environment-stg", "3", "x_Environment", "stg"),
    C("provider", "1", "ProviderName", "SAKURA internet"),
    C("invoice-issuer", "1", "InvoiceIssuerName", "さくらインターネット株式会社"),
    C("source-charge-type", "4", "x_SourceChargeType", "Tax"),
]
# 12430 + 4400 + 2970 + 1980
EXPECTED_UNITS = {("2025-04", "JPY"): (4, 0, 21780.0)}


class TestSakura(AdapterContract):
    adapter_name = "sakura"
    sample = FIXTURES / "billdetail.csv"
    key_column = None
    expected_units = EXPECTED_UNITS
    numeric_column = "Amount"
    date_column = "BillingMonth"
    required_column = "Amount"
    cases = CASES

    def test_bad_date_names_file_line_and_column(self, tmp_path: Path) -> None:
        """A month that does not parse names its file, line and column (the layout has months,
        not date-times, so the contract's date-time check is replaced by a month check)."""
        with pytest.raises(InputError) as e:
            api.ingest([FIXTURES / "bad_month.csv"], workspace=tmp_path / "ws")
        assert (e.value.line, e.value.column) == (3, "BillingMonth")
        assert "not a month (found 'April', expected YYYY-MM" in str(e.value)


def test_japanese_headers_in_shift_jis(tmp_path: Path) -> None:
    """Japanese headers (アカウントID, 利用月, 金額 …) in CP932 read like the API names."""
    root = tmp_path / "ws"
    api.ingest([FIXTURES / "billdetail_ja_cp932.csv"], workspace=root)
    rows = lake_rows(root)
    assert [r["BilledCost"] for r in rows] == [12430, 4400]
    assert {r["ChargePeriodStart"].isoformat() for r in rows} == {"2025-05-01T00:00:00+00:00"}
    assert {r["x_Ward"] for r in rows} == {"131148"}
    assert rows[0]["ServiceName"] == "cloud/plan/server/4core-8gb"


def test_rename() -> None:
    """API names in any case and Japanese headers map to the canonical names."""
    assert sakura.rename(["accountid", "金額", "利用月", "Other"]) == {
        "accountid": "AccountID", "金額": "Amount", "利用月": "BillingMonth"}  # fmt: skip


def test_not_mistaken_for_another_format() -> None:
    """Only the sakura adapter claims the layout."""
    header = ["AccountID", "BillingMonth", "ServiceClassPath", "Amount"]
    assert adapters.detect(header, "x.csv").name == "sakura"


@pytest.mark.parametrize(
    ("name", "column", "text"),
    [
        ("bad_amount.csv", "Amount", "not a number (found '4,400円'"),
        ("bad_tags.csv", "Tags", "not a JSON object (found 'ward=中野区'"),
        ("unknown_charge_type.csv", "ChargeType", "unknown value 'Discount'"),
    ],
)
def test_bad_values(tmp_path: Path, name: str, column: str, text: str) -> None:
    """Bad amounts, tags and charge types name line 3 and the column."""
    with pytest.raises(InputError) as e:
        api.ingest([FIXTURES / name], workspace=tmp_path / "ws")
    assert (e.value.line, e.value.column) == (3, column)
    assert text in str(e.value)


def test_cli(tmp_path: Path) -> None:
    """CLI: 0 for the layout; 2 with file:line on stderr for a bad month."""
    runner = CliRunner()
    ws = str(tmp_path / "ws")
    ok = runner.invoke(app, ["-q", "-w", ws, "ingest", str(FIXTURES / "billdetail.csv")])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["-q", "-w", ws, "ingest", str(FIXTURES / "bad_month.csv")])
    assert bad.exit_code == 2 and "bad_month.csv:3" in bad.stderr
