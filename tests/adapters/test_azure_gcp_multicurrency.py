"""A mixed-currency workspace: Azure billed in JPY next to Google Cloud billed in USD.

Each row keeps its BillingCurrency; nothing sums across currencies without a rate from the
workspace's FX table, and every total that would need a missing rate stops with an error naming
the month and currency (and the command that adds it). Hand-computed values:
Google Cloud fixture (江戸川区, USD) by UTC month of ChargePeriodStart: April 0.04 + 0 + 0.30 +
0.12 + 0.049 − 0.01 = 0.499, May 0.05 (the row at 03:00 UTC on 1 May, invoiced in April);
Azure fixture (世田谷区, JPY): tagged 732 + 100 + 250 + 0 + 48 = 1,130, untagged 9,012.5.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gcfinops import api
from gcfinops.cli import app
from gcfinops.db import connect
from gcfinops.errors import MissingRateError
from gcfinops.fx import FxTable, register_fx, require_rates
from gcfinops.lake import lake_view_sql
from gcfinops.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures"
AZURE = FIXTURES / "azure-cost-details" / "ea_actual.csv"
GCP = FIXTURES / "gcp-billing-export" / "detailed_export.jsonl"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A workspace holding the Azure (JPY) and Google Cloud (USD) fixtures, no FX rates."""
    root = tmp_path / "ws"
    api.ingest([AZURE, GCP], workspace=root)
    return root


def set_rates(root: Path, *rates: tuple[str, str]) -> None:
    table = FxTable.load(Workspace.resolve(root).fx_path)
    for month, rate in rates:
        table.set(month, "USD", rate, "test rate (hand-picked)")
    table.save(Workspace.resolve(root).fx_path)


def test_each_unit_keeps_its_currency(ws: Path) -> None:
    """status lists JPY and USD units separately, never one total."""
    units = {
        (u.provider, u.billing_period, u.currency): u.billed_cost for u in api.status(workspace=ws)
    }
    assert units == pytest.approx(
        {
            ("Microsoft", "2025-04", "JPY"): 10142.5,
            ("Google Cloud", "2025-04", "USD"): 0.559,
            ("Google Cloud", "2025-05", "USD"): -0.01,
        }
    )


def test_require_rates_names_every_missing_month_and_currency(ws: Path) -> None:
    """Before any sum: USD in 2025-04 and 2025-05 are missing; JPY never needs a rate."""
    con = connect()
    con.execute(f"CREATE TEMP VIEW lake AS {lake_view_sql(Workspace.resolve(ws))}")
    register_fx(con, FxTable.load(Workspace.resolve(ws).fx_path), "lake")
    with pytest.raises(MissingRateError) as e:
        require_rates(con, "lake")
    assert "USD in 2025-04, USD in 2025-05" in e.value.message
    assert "JPY" not in e.value.message
    assert "never summed without a rate" in e.value.message
    assert e.value.hint and "gcfinops fx set 2025-04 USD" in e.value.hint


def test_no_partial_conversion(ws: Path) -> None:
    """Ward totals stay in their currencies (no JPY column) until every rate is known."""
    rows = api.ward_months(workspace=ws)
    assert {r.billed_cost_jpy for r in rows} == {None}
    set_rates(ws, ("2025-04", "150"))
    assert {r.billed_cost_jpy for r in api.ward_months(workspace=ws)} == {None}


def test_with_rates_the_totals_convert(ws: Path) -> None:
    """USD × the month's rate; JPY as is."""
    set_rates(ws, ("2025-04", "150"), ("2025-05", "140"))
    got = {(r.month, r.ward, r.currency): r.billed_cost_jpy for r in api.ward_months(workspace=ws)}
    assert got == pytest.approx(
        {
            ("2025-04", "131237", "USD"): 0.499 * 150,
            ("2025-05", "131237", "USD"): 0.05 * 140,
            ("2025-04", "131121", "JPY"): 1130.0,
            ("2025-04", None, "JPY"): 9012.5,
        }
    )


def test_cli_report_and_check_stop_without_a_rate(ws: Path) -> None:
    """A USD ward's report and the CI check exit 2 naming the rate; a JPY-only ward reports."""
    runner = CliRunner()
    usd = runner.invoke(app, ["-w", str(ws), "report", "--ward", "江戸川区", "--format", "json"])
    assert usd.exit_code == 2
    assert "no FX rate for USD in 2025-04, USD in 2025-05" in usd.stderr
    assert "gcfinops fx set 2025-04 USD" in usd.stderr
    check = runner.invoke(app, ["-w", str(ws), "check"])
    assert check.exit_code == 2 and "no FX rate for USD" in check.stderr
    jpy = runner.invoke(app, ["-w", str(ws), "report", "--ward", "世田谷区", "--format", "json"])
    assert jpy.exit_code == 0, jpy.stderr
    (ward,) = json.loads(jpy.stdout)["wards"]
    # 1,130 tagged + the reservation purchase 12,000 and its refund −3,000 (no ward of their own),
    # which the built-in commitment rule (按分) sends to the usage the reservation covers
    assert ward["cloud_to_date_jpy"] == 1130 + 12000 - 3000
    assert ward["cloud_before_apportionment_jpy"] == 1130


def test_cli_report_after_fx_set(ws: Path) -> None:
    """`gcfinops fx set` for both months → the USD ward's report in yen (74.85 + 7 → 82円)."""
    runner = CliRunner()
    for month, rate in (("2025-04", "150"), ("2025-05", "140")):
        r = runner.invoke(app, ["-w", str(ws), "fx", "set", month, "USD", rate, "--source", "test"])
        assert r.exit_code == 0, r.stderr
    out = runner.invoke(app, ["-w", str(ws), "report", "--ward", "江戸川区", "--format", "json"])
    assert out.exit_code == 0, out.stderr
    (ward,) = json.loads(out.stdout)["wards"]
    assert ward["cloud_to_date_jpy"] == 82
