"""Each cause with a hand-computed case, the sum rule (hypothesis), JSON keys and exit codes."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gcfinops import api
from gcfinops.cli import app
from gcfinops.inspection import render
from report.lake import lake_row, write_lake

M = "2026-02"
KEYS = ["month", "status", "billed_total", "recomputed_total", "currency", "differences",
        "unexplained_lines"]  # fmt: skip


def usd(cost: float, **cols: Any) -> dict[str, Any]:
    return lake_row(M, cost, **{"BillingCurrency": "USD", **cols})


def priced(unit: float, qty: float, billed: float, contracted: float | None = None,
           list_unit: float | None = None, **cols: Any) -> dict[str, Any]:  # fmt: skip
    return usd(
        billed,
        ContractedUnitPrice=unit,
        ListUnitPrice=unit if list_unit is None else list_unit,
        PricingQuantity=qty,
        ContractedCost=billed if contracted is None else contracted,
        ListCost=(unit if list_unit is None else list_unit) * qty,
        **cols,
    )


def run(tmp_path: Path, rows: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    write_lake(tmp_path, rows)
    result = api.inspect(M, workspace=tmp_path, **kw)
    data: dict[str, Any] = json.loads(render.to_json(result.to_dict()), parse_float=Decimal)
    return data


def causes(data: dict[str, Any]) -> dict[str, Decimal]:
    return {d["cause"]: Decimal(d["amount"]) for d in data["differences"]}


def test_commitment_covered_usage_and_fee(tmp_path: Path) -> None:
    # 10 h at 1.00 list, covered by a Savings Plan (billed 0); the plan's fee is 6.00.
    rows = [
        priced(1.0, 10, 0.0, contracted=10.0, CommitmentDiscountStatus="Used",
               CommitmentDiscountId="sp-1", PricingCategory="Committed"),
        usd(6.0, ChargeCategory="Purchase", CommitmentDiscountId="sp-1",
            x_SourceChargeType="SavingsPlanRecurringFee", x_SourceRow=2),
    ]  # fmt: skip
    data = run(tmp_path, rows)
    assert data["status"] == "ok"
    assert (data["billed_total"], data["recomputed_total"]) == (Decimal(6), Decimal(10))
    assert causes(data)["commitment"] == Decimal(-4)


def test_negotiated_rate_net_cost_and_discount_line(tmp_path: Path) -> None:
    # list 0.10 × 100 = 10.00; contracted 0.09 → 9.00; billed net 8.50 (EDP in the line);
    # an EdpDiscount line of −0.50. negotiated = (9 − 10) + (8.5 − 9) − 0.5 = −2.00
    rows = [
        priced(0.09, 100, 8.5, contracted=9.0, list_unit=0.10),
        usd(-0.5, ChargeCategory="Credit", x_SourceChargeType="EdpDiscount", x_SourceRow=2),
    ]
    data = run(tmp_path, rows)
    assert data["status"] == "ok"
    assert causes(data)["negotiated"] == Decimal("-2")
    assert data["recomputed_total"] == Decimal(10)


def test_credit_line_and_google_credits_in_billed_cost(tmp_path: Path) -> None:
    # an SLA credit −3.00; a Google line 0.5 × 10 = 5.00 with credits of −1.00 folded in.
    rows = [
        usd(-3.0, ChargeCategory="Credit", x_SourceChargeType="Credit"),
        priced(0.5, 10, 4.0, contracted=5.0, ProviderName="Google Cloud", x_SourceRow=2),
    ]
    data = run(tmp_path, rows)
    assert causes(data)["credit"] == Decimal(-4)
    assert data["billed_total"] == Decimal(1)


def test_tax(tmp_path: Path) -> None:
    rows = [priced(0.25, 4, 1.0), usd(0.1, ChargeCategory="Tax", x_SourceRow=2)]
    data = run(tmp_path, rows)
    assert causes(data)["tax"] == Decimal("0.1")
    assert data["status"] == "ok"


def test_rounding_within_the_line_tolerance(tmp_path: Path) -> None:
    # 0.0000001 × 3 = 0.0000003 billed as 0.0000008: 5e-7 USD ≤ 1e-6 USD → rounding.
    data = run(tmp_path, [priced(0.0000001, 3, 0.0000008)])
    assert data["status"] == "ok"
    assert causes(data)["rounding"] == Decimal("0.0000005")
    assert causes(data)["unexplained"] == 0


def test_fx_when_pricing_currency_differs(tmp_path: Path) -> None:
    # JPY bill of a USD-priced line: 150.3 円 × 2 = 300.6 billed 300.60004 → fx 0.00004 円.
    row = priced(150.3, 2, 300.60004, BillingCurrency="JPY", PricingCurrency="USD",
                 ProviderName="Oracle")  # fmt: skip
    data = run(tmp_path, [row])
    assert causes(data)["fx"] == Decimal("0.00004")
    assert data["status"] == "ok" and data["currency"] == "JPY"


def test_unexplained_line_named_with_file_and_row(tmp_path: Path) -> None:
    # 0.304 × 1 h billed 0.404: 0.10 USD nobody can explain.
    rows = [priced(0.304, 1, 0.404, x_SourceFile="cur.csv", x_SourceRow=673,
                   ResourceId="i-1"), priced(0.2, 5, 1.0, x_SourceRow=2)]  # fmt: skip
    data = run(tmp_path, rows)
    assert list(data)[: len(KEYS)] == KEYS
    assert data["status"] == "unexplained"
    assert causes(data)["unexplained"] == Decimal("0.1")
    (line,) = data["unexplained_lines"]
    assert list(line)[:6] == ["source_file", "source_row", "resource_id", "billed", "recomputed",
                              "difference"]  # fmt: skip
    assert line["source_file"] == "cur.csv" and line["source_row"] == 673
    assert line["resource_id"] == "i-1"
    assert (line["billed"], line["recomputed"], line["difference"]) == (
        Decimal("0.404"), Decimal("0.304"), Decimal("0.1"))  # fmt: skip
    assert (line["unit_price"], line["quantity"]) == (Decimal("0.304"), Decimal(1))
    # --tolerance accepts it
    ok = api.inspect(M, workspace=tmp_path, tolerance=Decimal("0.1"))
    assert ok.status == "ok"


def test_cli_exit_codes_and_invoice_total(tmp_path: Path) -> None:
    write_lake(tmp_path, [priced(0.5, 10, 5.0), usd(0.5, ChargeCategory="Tax", x_SourceRow=2)])
    runner = CliRunner()
    ws = ["-w", str(tmp_path)]
    res = runner.invoke(app, [*ws, "inspect", "--month", M, "--format", "json"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, [*ws, "inspect", "--month", M, "--invoice-total", "5.50",
                              "--invoice-currency", "USD", "--format", "json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    inv = json.loads(res.stdout, parse_float=Decimal)["invoice"]
    assert (inv["lake_tax"], inv["lake_excluding_tax"], inv["cause"]) == (
        Decimal("0.5"), Decimal(5), "rounding")  # fmt: skip
    res = runner.invoke(app, [*ws, "inspect", "--month", M, "--invoice-total", "6.50",
                              "--invoice-currency", "USD"])  # fmt: skip
    assert res.exit_code == 1
    assert runner.invoke(app, [*ws, "inspect", "--month", "2025-13"]).exit_code == 2
    assert runner.invoke(app, [*ws, "inspect", "--month", "2020-01"]).exit_code == 2
    res = runner.invoke(app, [*ws, "inspect", "--month", M, "--format", "csv"])
    assert res.exit_code == 0 and res.stdout.startswith("month,provider")


amounts = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
kinds = st.sampled_from(["usage", "covered", "tax", "credit", "edp", "fee", "unpriced"])


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.lists(st.tuples(kinds, amounts, amounts, st.floats(0, 1e4)), min_size=1, max_size=12))
def test_sum_rule_holds_exactly(tmp_path_factory: pytest.TempPathFactory,
                                lines: list[tuple[str, float, float, float]]) -> None:  # fmt: skip
    rows = []
    for i, (kind, billed, unit, qty) in enumerate(lines):
        extra: dict[str, Any] = {"x_SourceRow": i + 1}
        if kind == "usage":
            rows.append(priced(abs(unit), qty, billed, list_unit=abs(unit) * 1.1, **extra))
        elif kind == "covered":
            rows.append(priced(abs(unit), qty, 0.0, CommitmentDiscountStatus="Used", **extra))
        elif kind == "tax":
            rows.append(usd(billed, ChargeCategory="Tax", **extra))
        elif kind == "credit":
            rows.append(usd(billed, ChargeCategory="Credit", **extra))
        elif kind == "edp":
            rows.append(usd(billed, ChargeCategory="Credit", x_SourceChargeType="EdpDiscount",
                            **extra))  # fmt: skip
        elif kind == "fee":
            rows.append(usd(billed, ChargeCategory="Purchase", CommitmentDiscountId="ri", **extra))
        else:
            rows.append(usd(billed, ListCost=unit, **extra))
    root = tmp_path_factory.mktemp("sum")
    data = run(root, rows)
    total = data["recomputed_total"] + sum((d["amount"] for d in data["differences"]), Decimal(0))
    assert total == data["billed_total"]
    assert [d["cause"] for d in data["differences"]] == [
        "commitment", "negotiated", "credit", "tax", "rounding", "fx", "unexplained"]  # fmt: skip


def test_init_writes_a_vendor_template_that_parses(tmp_path: Path) -> None:
    from gcfinops.allocation.wards import WardDirectory
    from gcfinops.inspection.vendor import _parse

    res = CliRunner().invoke(app, ["-w", str(tmp_path), "init"])
    assert res.exit_code == 0, res.output
    template = tmp_path / "vendor_report_template.csv"
    ((line, row, value, tol),) = _parse(template, WardDirectory(), None)
    assert (line, row["ward"], value, tol) == (4, "131016", Decimal(1234567), Decimal("0.5"))


def test_bill_text_stays_text_in_json_csv_and_xlsx(tmp_path: Path) -> None:
    import io

    from openpyxl import load_workbook

    from gcfinops.inspection import pack
    from report.lake import HOSTILE_RESOURCE, HOSTILE_SERVICE

    rows = [priced(0.3, 1, 0.4, ServiceName=HOSTILE_SERVICE, ResourceId=HOSTILE_RESOURCE,
                   BillingAccountId="=1+1")]  # fmt: skip
    write_lake(tmp_path, rows)
    result = api.inspect(M, workspace=tmp_path)
    data = json.loads(render.to_json(result.to_dict()))
    assert data["unexplained_lines"][0]["resource_id"] == HOSTILE_RESOURCE
    assert "'=1+1" in render.to_csv(result)
    wb = load_workbook(io.BytesIO(pack.to_xlsx(result, "en")))
    services = [r[0] for r in wb["By service"].iter_rows(min_row=2, values_only=True)]
    assert services == ["'" + HOSTILE_SERVICE]
    assert all(
        not (isinstance(c, str) and c.startswith("="))
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
    )
