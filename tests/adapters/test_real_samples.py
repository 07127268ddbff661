"""The public sample exports in ../shared/reference/data must be detected, ingest and reconcile.

Expected totals are computed here independently of gcfinops (Python `csv` + `Decimal` over the
files' own cost columns), per billing period and currency. Known quirks each get a test
(formats.md §7): short rows in koku's test_cur.csv, the malformed header and NOK currency of
2023-06-01.csv, literal NULL / dates without T and Z / an extra `Id` column / `Usage-based` /
a `" org"` tag key in focus_sample.csv, and the FOCUS spec examples that lack BillingAccountId,
BillingCurrency and ProviderName (`--default`). Skipped with a reason when ../shared is absent.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from adapter_contract import csv_header, lake_rows
from typer.testing import CliRunner

from gcfinops import adapters
from gcfinops.cli import app
from gcfinops.errors import InputError, UnknownFormatError
from gcfinops.ingest import ingest
from gcfinops.ledger import Ledger
from gcfinops.workspace import Workspace

MINE = {"aws-cur2", "aws-cur-legacy-csv", "aws-cur-legacy-athena", "focus"}
SPEC_DEFAULTS = {
    "BillingAccountId": "focus-spec",
    "BillingCurrency": "USD",
    "ProviderName": "FOCUS",
}
SPEC_FILES = [
    "commitment_discount_purchase_scenario_1.csv",
    "commitment_discount_usage_scenario_1.csv",
    "commitment_discount_usage_scenario_2.csv",
    "commitment_discount_usage_scenario_3.csv",
    "commitment_discount_usage_scenario_4.csv",
    "one_hundred_percent_utilization_with_commitment_discount_flexibility_with_1_resource.csv",
    "one_hundred_percent_utilization_with_commitment_discount_flexibility_with_2_resources.csv",
    "one_hundred_percent_utilization_without_commitment_discount_flexibility.csv",
    "zero_percent_utilization_without_commitment_discount_flexibility.csv",
]
# The spec's own examples give ChargePeriodEnd `2023-02-01T30:00:00Z` (hour 30): not a time.
SPEC_INVALID = {
    "commitment_discount_purchase_scenario_2.csv": 4,
    "commitment_discount_purchase_scenario_3.csv": 5,
}
DETECTED = {
    "aws/2022-07-01-alt-columns.csv": "aws-cur-legacy-athena",
    "aws/2023-06-01.csv": "aws-cur-legacy-csv",
    "aws/sample-anonymous-aws-export-dataset.csv": "aws-cur-legacy-csv",
    "aws/test_cur.csv": "aws-cur-legacy-csv",
    "focus/focus_sample.csv": "focus",
    **{f"focus/{n}": "focus" for n in [*SPEC_FILES, *SPEC_INVALID]},
}


def aws_totals(path: Path, cost: str, net: str, kind: str, period: str, cur: str) -> dict:
    """Σ provider amount per (period, currency), without SP covered usage and negations."""
    out: dict[tuple[str, str], Decimal] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for d in csv.DictReader(fh):
            if d[kind] in ("SavingsPlanCoveredUsage", "SavingsPlanNegation"):
                continue
            key = (d[period][:7], d[cur])
            out[key] = out.get(key, Decimal(0)) + Decimal(d.get(net) or d[cost])
    return out


def written(root: Path) -> dict[tuple[str, str], float]:
    """Σ BilledCost written per (period, currency), from the ledger."""
    out: dict[tuple[str, str], float] = {}
    for r in Ledger(root / "ledger.json").ingests:
        for u in r.units:
            key = (u.billing_period, u.currency)
            out[key] = out.get(key, 0.0) + u.billed_written
    return out


@pytest.mark.parametrize("name", sorted(DETECTED))
def test_real_header_is_detected(name: str, shared_data: Callable[..., Path]) -> None:
    """Each real file's header selects the expected adapter."""
    path = shared_data(*name.split("/"))
    assert adapters.detect(csv_header(path), name).name == DETECTED[name]


@pytest.mark.parametrize(
    "name",
    ["azure/EA_ActualCost_Small.csv", "azure/azure_camelCased.csv", "gcp/2022-08-01_5.csv",
     "oci/reports_cost-csv_0001000000603747.csv"],
)  # fmt: skip
def test_other_providers_are_not_taken_for_aws_or_focus(
    name: str, shared_data: Callable[..., Path]
) -> None:
    """Azure, Google Cloud and OCI files are never detected as an AWS or FOCUS format."""
    path = shared_data(*name.split("/"))
    try:
        found = adapters.detect(csv_header(path), name).name
    except UnknownFormatError:
        return
    assert found not in MINE


@pytest.mark.parametrize(
    "name",
    ["sample-anonymous-aws-export-dataset.csv", "test_cur.csv", "2023-06-01.csv"],
)
def test_legacy_aws_sample_reconciles_to_its_own_totals(
    name: str, tmp_path: Path, shared_data: Callable[..., Path]
) -> None:
    """Σ BilledCost per period and currency equals Σ (net) unblended cost of the file."""
    path = shared_data("aws", name)
    ingest(Workspace(tmp_path), [path])
    expected = aws_totals(
        path, "lineItem/UnblendedCost", "lineItem/NetUnblendedCost", "lineItem/LineItemType",
        "bill/BillingPeriodStartDate", "lineItem/CurrencyCode",
    )  # fmt: skip
    got = written(tmp_path)
    assert set(got) >= set(expected)
    for key, total in expected.items():
        assert got[key] == pytest.approx(float(total), abs=1e-9)


def test_anonymous_sample_rows_and_tax(tmp_path: Path, shared_data: Callable[..., Path]) -> None:
    """1,281 rows (Usage and Tax), all in the lake; Tax rows carry no price or SKU."""
    ingest(Workspace(tmp_path), [shared_data("aws", "sample-anonymous-aws-export-dataset.csv")])
    rows = lake_rows(tmp_path)
    assert len(rows) == 1281
    taxes = [r for r in rows if r["ChargeCategory"] == "Tax"]
    assert taxes and all(r["ListUnitPrice"] is None and r["SkuId"] is None for r in taxes)
    assert {r["x_StorageClass"] for r in rows if r["x_ServiceCode"] == "AmazonS3"} >= {"STANDARD"}


def test_short_rows_of_test_cur_are_padded_and_reported(
    tmp_path: Path, shared_data: Callable[..., Path]
) -> None:
    """koku's test_cur.csv: 131 header names, 130 fields per row → the last column is empty."""
    result = ingest(Workspace(tmp_path), [shared_data("aws", "test_cur.csv")])
    assert result.units[0].rows_written == 19
    assert any("'costCategory/CostCenter' as empty" in w for w in result.warnings)


def test_2023_06_01_nok_savings_plan_sample(
    tmp_path: Path, shared_data: Callable[..., Path]
) -> None:
    """Malformed header tolerated; NOK kept; covered usage BilledCost 0, EffectiveCost 0.1."""
    result = ingest(Workspace(tmp_path), [shared_data("aws", "2023-06-01.csv")])
    rows = lake_rows(tmp_path)
    assert [(r["BillingCurrency"], r["BilledCost"], r["EffectiveCost"]) for r in rows] == [
        ("NOK", 0.0, 0.1)
    ] * 3
    assert rows[0]["x_InstanceType"] == "m5.large"
    assert rows[0]["PricingCategory"] == "Committed"
    (unit,) = result.units
    assert (unit.billed_read, unit.netted, unit.billed_written) == (30.0, 30.0, 0.0)
    assert any("do not cancel out (30.00 NOK left)" in w for w in result.warnings)


def test_athena_flavour_sample(tmp_path: Path, shared_data: Callable[..., Path]) -> None:
    """koku's Athena-style sample: Marketplace usage, dates without zone, tags from columns."""
    ingest(Workspace(tmp_path), [shared_data("aws", "2022-07-01-alt-columns.csv")])
    rows = lake_rows(tmp_path)
    assert len(rows) == 2
    assert rows[0]["BillingPeriodStart"].isoformat() == "2022-07-01T00:00:00+00:00"
    assert rows[0]["PublisherName"] == "Red Hat, Inc."
    assert rows[0]["Tags"] == {"aws:created_by": "IAMUser:fake:and"}


def test_focus_sample_quirks(tmp_path: Path, shared_data: Callable[..., Path]) -> None:
    """focus_sample.csv: NULL strings, dates without T/Z, extra `Id`, `Usage-based`, `" org"`."""
    path = shared_data("focus", "focus_sample.csv")
    ingest(Workspace(tmp_path), [path])
    rows = lake_rows(tmp_path)
    assert len(rows) == 1000
    assert all(r["ChargeClass"] is None for r in rows)  # the literal string NULL
    assert {r["ChargeFrequency"] for r in rows} <= {"Usage-Based", "One-Time", "Recurring"}
    assert rows[0]["BillingPeriodStart"].isoformat() == "2024-09-01T00:00:00+00:00"
    tagged = [r["Tags"] for r in rows if r["Tags"] and " org" in r["Tags"]]
    assert tagged and tagged[0][" org"] == "trey" and tagged[0]["org"] == "trey"
    expected: dict[tuple[str, str], Decimal] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for d in csv.DictReader(fh):
            key = (d["BillingPeriodStart"][:7], d["BillingCurrency"])
            expected[key] = expected.get(key, Decimal(0)) + Decimal(d["BilledCost"])
    got = written(tmp_path)
    assert got.keys() == expected.keys()
    for key, total in expected.items():
        assert got[key] == pytest.approx(float(total), abs=1e-9)


@pytest.mark.parametrize("name", SPEC_FILES)
def test_focus_spec_examples_ingest_with_defaults(
    name: str, tmp_path: Path, shared_data: Callable[..., Path]
) -> None:
    """The spec's examples lack three mandatory columns; `--default` supplies them."""
    path = shared_data("focus", name)
    with pytest.raises(InputError, match="BillingAccountId, BillingCurrency, ProviderName"):
        ingest(Workspace(tmp_path / "a"), [path])
    ingest(Workspace(tmp_path / "b"), [path], defaults=SPEC_DEFAULTS)
    with path.open(encoding="utf-8", newline="") as fh:
        data = [d for d in csv.DictReader(fh) if any(d.values())]
    rows = lake_rows(tmp_path / "b")
    assert len(rows) == len(data)
    assert sum(r["BilledCost"] for r in rows) == pytest.approx(
        float(sum(Decimal(d["BilledCost"]) for d in data))
    )
    assert {r["BillingAccountId"] for r in rows} == {"focus-spec"}
    assert all(r["ConsumedQuantity"] is None for r, d in zip(rows, data, strict=True)
               if d.get("ConsumedQuantity") == "null")  # fmt: skip


@pytest.mark.parametrize("name", sorted(SPEC_INVALID))
def test_focus_spec_examples_with_hour_30_are_refused(
    name: str, tmp_path: Path, shared_data: Callable[..., Path]
) -> None:
    """`2023-02-01T30:00:00Z` is not a time: exit 2 naming file, line, column and value."""
    path = shared_data("focus", name)
    result = CliRunner().invoke(
        app,
        ["-w", str(tmp_path), "ingest", str(path),
         *[f"--default={k}={v}" for k, v in SPEC_DEFAULTS.items()]],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 2
    line = SPEC_INVALID[name]
    assert (
        f"{path}:{line}: column 'ChargePeriodEnd': not a date-time (found '2023-02-01T30:00:00Z'"
    ) in result.stderr
    assert not (tmp_path / "lake").exists()


def test_cli_ingests_a_spec_example_with_defaults(
    tmp_path: Path, shared_data: Callable[..., Path]
) -> None:
    """Through the CLI: `--default COLUMN=VALUE` (repeatable) and `status --format json`."""
    path = shared_data("focus", "commitment_discount_usage_scenario_3.csv")
    runner = CliRunner()
    args = ["-w", str(tmp_path), "ingest", str(path)]
    for k, v in SPEC_DEFAULTS.items():
        args += ["--default", f"{k}={v}"]
    assert runner.invoke(app, args).exit_code == 0
    status = runner.invoke(app, ["-w", str(tmp_path), "status", "--format", "json"])
    (unit,) = json.loads(status.stdout)
    assert (unit["provider"], unit["billing_account_id"], unit["billing_period"]) == (
        "FOCUS", "focus-spec", "2023-01",
    )  # fmt: skip
    assert unit["rows"] == 2 and unit["billed_cost"] == 0.0 and unit["currency"] == "USD"
