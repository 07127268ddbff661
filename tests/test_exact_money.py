"""Exact money (issue 14 item 2): DECIMAL costs and prices, reconciliation without tolerance.

Binary floats cannot hold 0.01: summed 10,000 times they give 100.00000000001425, and a bill
of 64,247.04 printed as 64247.03999999839. The lake stores money as DECIMAL(38, 18), so sums
are exact and the only rounding left is the one a report prints.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal, localcontext
from pathlib import Path

import duckdb
import pytest

from gcfinops import adapters, schema
from gcfinops.adapters.base import expr
from gcfinops.errors import ConfigError, ReconciliationError
from gcfinops.focus_export import export_focus
from gcfinops.fx import FxTable
from gcfinops.ingest import ingest
from gcfinops.ledger import Ledger
from gcfinops.workspace import Workspace

HEADER = (
    "BillingAccountId,BillingCurrency,BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,"
    "ChargeCategory,BilledCost,ProviderName\n"
)
ROW = "acct-1,JPY,2025-04-01T00:00:00Z,2025-04-02T00:00:00Z,2025-04-03T00:00:00Z,Usage,{},Sakura\n"
MONEY = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "ListUnitPrice",
         "ContractedUnitPrice", "x_SourceBilledCost", "x_SourceUnitPrice")  # fmt: skip
# 15,670 × 4.10 + 0.04 = 64,247.04 exactly; summed as binary floats it is 64247.039999984045.
BILL_64247_04 = ["4.10"] * 15_670 + ["0.04"]


def _ingest(tmp_path: Path, costs: list[str]) -> Path:
    path = tmp_path / "bill.csv"
    path.write_text(HEADER + "".join(ROW.format(c) for c in costs), encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [path])
    return tmp_path / "ws"


def _lake(ws: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect()
    rel = f"read_parquet('{(ws / 'lake').as_posix()}/**/*.parquet', hive_partitioning = false)"
    return con.execute(sql.replace("LAKE", rel)).fetchall()


def test_money_columns_are_decimal_in_schema_and_lake(tmp_path: Path) -> None:
    """Costs and unit prices are DECIMAL(38,18) in the schema and in the written Parquet."""
    assert set(MONEY) <= set(schema.MONEY_COLUMNS)
    assert schema.BY_NAME["PricingQuantity"].type == "DOUBLE"  # quantities are not money
    ws = _ingest(tmp_path, ["1"])
    types = dict((r[0], r[1]) for r in _lake(ws, "DESCRIBE SELECT * FROM LAKE"))
    for name in schema.MONEY_COLUMNS:
        assert types[name] == "DECIMAL(38,18)", name


def test_ten_thousand_cents_sum_to_exactly_one_hundred(tmp_path: Path) -> None:
    """Σ 10,000 × 0.01 + 0.1 + 0.2 is 100.3 in the lake and in the ledger, not 100.30000000001."""
    ws = _ingest(tmp_path, ["0.01"] * 10_000 + ["0.1", "0.2"])
    [(total,)] = _lake(ws, "SELECT sum(BilledCost) FROM LAKE")
    assert total == Decimal("100.3")
    [unit] = [u for r in Ledger(ws / "ledger.json").ingests for u in r.units]
    assert unit.billed_written == 100.3 and unit.billed_read == 100.3


def test_digits_beyond_a_float_are_kept(tmp_path: Path) -> None:
    """18 decimal places and 20 significant digits survive (a float keeps about 16)."""
    costs = ["0.123456789012345678", "12345678901234.123456", "-64247.04", "1.25E-6"]
    ws = _ingest(tmp_path, costs)
    got = [r[0] for r in _lake(ws, "SELECT BilledCost FROM LAKE ORDER BY x_SourceRow")]
    assert got == [Decimal(c) for c in costs]
    [(total,)] = _lake(ws, "SELECT sum(BilledCost) FROM LAKE")
    with localcontext() as ctx:
        ctx.prec = 60  # Python's default 28 digits would round this sum itself
        assert total == sum(Decimal(c) for c in costs)


def test_float_money_in_parquet_is_read_as_its_shortest_text(tmp_path: Path) -> None:
    """A Parquet source's float 0.1 + 0.2 lands as 0.30000000000000004 (what BigQuery and every
    export print for it), and 0.1 as 0.1, not as the binary 0.1000000000000000055…"""
    src = tmp_path / "bill.parquet"
    duckdb.execute(
        "COPY (SELECT 'acct-1' AS BillingAccountId, 'JPY' AS BillingCurrency, "
        "TIMESTAMPTZ '2025-04-01 00:00:00+00' AS BillingPeriodStart, "
        "TIMESTAMPTZ '2025-04-02 00:00:00+00' AS ChargePeriodStart, "
        "TIMESTAMPTZ '2025-04-03 00:00:00+00' AS ChargePeriodEnd, 'Usage' AS ChargeCategory, "
        "c AS BilledCost, 'Sakura' AS ProviderName "
        "FROM (VALUES (0.1::DOUBLE), (0.1::DOUBLE + 0.2::DOUBLE)) v(c)) "
        f"TO '{src.as_posix()}' (FORMAT parquet)"
    )
    ingest(Workspace(tmp_path / "ws"), [src])
    got = [r[0] for r in _lake(tmp_path / "ws", "SELECT BilledCost FROM LAKE ORDER BY x_SourceRow")]
    assert got == [Decimal("0.1"), Decimal("0.30000000000000004")]


def test_reconciliation_has_no_tolerance() -> None:
    """The old float tolerance (0.01 + 1e-9 × Σ|cost|) is gone from ingest."""
    import gcfinops.ingest as ingest_module

    assert not hasattr(ingest_module, "TOLERANCE_ABS")
    assert not hasattr(ingest_module, "TOLERANCE_REL")


@pytest.mark.parametrize("rate", ["150.1234567", "1e12"])
def test_fx_rate_beyond_its_decimal_type_is_refused(rate: str) -> None:
    """gcf_fx.rate_jpy is DECIMAL(18,6): a rate it cannot hold exactly is an error, not rounded."""
    with pytest.raises(ConfigError, match="rate_jpy"):
        FxTable().set("2025-04", "USD", rate, "bank")
    assert FxTable().set("2025-04", "USD", "150.123456", "bank").rate_jpy == Decimal("150.123456")


def test_a_bill_of_64247_04_sums_and_prints_as_64247_04(tmp_path: Path) -> None:
    """The issue's bill: Σ in the lake is 64247.04 exactly, and so is what the ledger records (a
    DOUBLE lake printed 64247.03999999839 for such a bill; the float sum here is shown drifting)."""
    floats = 0.0
    for c in BILL_64247_04:
        floats += float(c)
    assert floats != 64247.04  # what a DOUBLE lake would hold
    ws = _ingest(tmp_path, BILL_64247_04)
    [(total,)] = _lake(ws, "SELECT sum(BilledCost) FROM LAKE")
    assert total == Decimal("64247.04")
    [unit] = [u for r in Ledger(ws / "ledger.json").ingests for u in r.units]
    assert repr(unit.billed_read) == repr(unit.billed_written) == "64247.04"


def test_reconciliation_refuses_a_lake_off_by_one_attoyen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Σ lake must equal Σ source to the last of 18 decimals: a mapping that adds 10^-18 to each
    row is refused (the float tolerance of 0.01 + 1e-9 × Σ|cost| let far more through)."""
    focus = adapters.ADAPTERS["focus"]
    off = expr("CAST({BilledCost} AS DECIMAL(38,18)) + CAST('1e-18' AS DECIMAL(38,18))")
    monkeypatch.setitem(
        adapters.ADAPTERS,
        "focus",
        dataclasses.replace(focus, columns={**focus.columns, "BilledCost": off}),
    )
    with pytest.raises(ReconciliationError, match="totals written differ"):
        _ingest(tmp_path, ["0.1", "0.2", "0.3"])
    assert not (tmp_path / "ws" / "lake").exists() or not any(
        (tmp_path / "ws" / "lake").rglob("*.parquet")
    )


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_focus_export_keeps_money_decimal(tmp_path: Path, suffix: str) -> None:
    """FOCUS defines cost columns as Decimal: Parquet keeps DECIMAL(38,18), CSV writes the exact
    decimal text without trailing zeros (never 0.30000000000000004 nor 0.300000000000000000)."""
    ws = _ingest(tmp_path, ["0.1", "0.2", "64247.04", "100", "-0.000000000000000001"])
    out = tmp_path / f"focus{suffix}"
    export_focus(Workspace(ws), out)
    con = duckdb.connect()
    if suffix == ".parquet":
        got = con.execute(
            f"SELECT typeof(BilledCost), BilledCost FROM read_parquet('{out.as_posix()}')"
        ).fetchall()
        assert {t for t, _ in got} == {"DECIMAL(38,18)"}
        assert sorted(v for _, v in got) == sorted(
            Decimal(c) for c in ["0.1", "0.2", "64247.04", "100", "-0.000000000000000001"]
        )
    else:
        got = con.execute(
            f"SELECT BilledCost FROM read_csv('{out.as_posix()}', all_varchar = true)"
        ).fetchall()
        assert sorted(v for (v,) in got) == sorted(
            ["0.1", "0.2", "64247.04", "100", "-0.000000000000000001"]
        )
