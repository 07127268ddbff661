"""FX rate table: validation, CSV round trip, error text, and the SQL tables for conversion."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from gcfinops.errors import ConfigError, InputError, MissingRateError
from gcfinops.fx import (
    FILE_NAME,
    FxRate,
    FxTable,
    missing_rates_sql,
    register_fx,
    require_rates,
)

HEADER = "month,currency,rate_jpy,source\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_set_replaces_same_month_and_currency() -> None:
    fx = FxTable()
    fx.set("2025-04", "USD", 149.5, "MUFG TTM 2025-04-01")
    fx.set("2025-04", "USD", "150.25", "invoice 2025-04")
    fx.set("2025-04", "EUR", Decimal("161.1"), "ECB")
    assert len(fx) == 2
    assert fx.rate("2025-04", "USD") == Decimal("150.25")
    assert [(r.currency, r.source) for r in fx.rows()] == [
        ("EUR", "ECB"),
        ("USD", "invoice 2025-04"),
    ]


@pytest.mark.parametrize(
    ("month", "currency", "rate", "column"),
    [
        ("2025-4", "USD", 149.5, "month"),
        ("2025-04", "usd", 149.5, "currency"),
        ("2025-04", "US", 149.5, "currency"),
        ("2025-04", "JPY", 1, "currency"),
        ("2025-04", "USD", -1, "rate_jpy"),
        ("2025-04", "USD", 0, "rate_jpy"),
        ("2025-04", "USD", "abc", "rate_jpy"),
        ("2025-04", "USD", float("nan"), "rate_jpy"),
    ],
)
def test_set_validates(month: str, currency: str, rate: float | str, column: str) -> None:
    fx = FxTable()
    with pytest.raises(ConfigError, match=column):
        fx.set(month, currency, rate, "somewhere")
    assert len(fx) == 0


def test_set_requires_a_source() -> None:
    with pytest.raises(ConfigError, match="source"):
        FxTable().set("2025-04", "USD", 149.5, "  ")


def test_save_load_round_trip(tmp_path: Path) -> None:
    fx = FxTable()
    fx.set("2025-05", "USD", "144.10", 'bank "TTM", May')
    fx.set("2025-04", "USD", 149.5, "MUFG TTM 2025-04-01")
    path = tmp_path / "ws" / FILE_NAME
    fx.save(path)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "month,currency,rate_jpy,source"
    assert text.splitlines()[1] == "2025-04,USD,149.5,MUFG TTM 2025-04-01"
    loaded = FxTable.load(path)
    assert loaded.rows() == fx.rows()
    assert loaded.rate("2025-05", "USD") == Decimal("144.10")
    assert [p.name for p in path.parent.iterdir()] == [FILE_NAME]  # no temp file left


def test_note_column_is_written_only_when_used(tmp_path: Path) -> None:
    fx = FxTable()
    fx.set("2025-04", "USD", 149.5, "contract", note="fixed for FY2025")
    fx.save(tmp_path / FILE_NAME)
    assert (tmp_path / FILE_NAME).read_text().startswith("month,currency,rate_jpy,source,note\n")
    assert FxTable.load(tmp_path / FILE_NAME).rows()[0].note == "fixed for FY2025"


def test_missing_file_loads_as_empty_table(tmp_path: Path) -> None:
    assert len(FxTable.load(tmp_path / FILE_NAME)) == 0


def test_load_accepts_bom_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    path.write_bytes(("\ufeff" + HEADER + "2025-04,USD,149.5,bank\n\n").encode())
    assert FxTable.load(path).rate("2025-04", "USD") == Decimal("149.5")


def test_import_reports_every_bad_row_with_line_and_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "rates.csv",
        HEADER
        + "2025-04,USD,149.5,ok\n"  # line 2
        + "2025-4,USD,149.5,bad month\n"  # line 3
        + "2025-05,usd,149.5,lowercase\n"  # line 4
        + "2025-06,USD,-3,negative\n"  # line 5
        + "2025-07,USD,abc,not a number\n"  # line 6
        + "2025-04,USD,150,duplicate\n",  # line 7
    )
    fx = FxTable()
    fx.set("2025-03", "USD", 150, "before")
    with pytest.raises(ConfigError) as info:
        fx.import_csv(path)
    msg = str(info.value)
    assert "5 problem(s)" in msg
    assert f"{path}:3: column 'month'" in msg
    assert f"{path}:4: column 'currency'" in msg and "'USD'" in msg
    assert f"{path}:5: column 'rate_jpy': must be greater than 0" in msg
    assert f"{path}:6: column 'rate_jpy'" in msg and "'abc'" in msg
    assert f"{path}:7: 2025-04 USD is already given on line 2" in msg
    assert [r.month for r in fx.rows()] == ["2025-03"]  # nothing changed


def test_import_merges_and_replaces(tmp_path: Path) -> None:
    path = _write(tmp_path / "rates.csv", HEADER + "2025-04,USD,151,new\n2025-05,USD,152,new\n")
    fx = FxTable([FxRate("2025-04", "USD", Decimal(149), "old")])
    assert fx.import_csv(path) == 2
    assert fx.rate("2025-04", "USD") == Decimal(151)


def test_import_line_numbers_follow_multiline_cells(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "rates.csv", HEADER + '2025-04,USD,149,"two\nlines"\n2025-05,EUR,x,s\n'
    )
    with pytest.raises(ConfigError, match=r"rates\.csv:4: column 'rate_jpy'"):
        FxTable().import_csv(path)


def test_import_bad_header_and_missing_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "rates.csv", "month,currency,rate\n2025-04,USD,149\n")
    with pytest.raises(ConfigError, match=r"rates\.csv:1: header must be"):
        FxTable().import_csv(path)
    with pytest.raises(ConfigError, match="not found"):
        FxTable().import_csv(tmp_path / "nope.csv")


def test_import_rejects_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_bytes((HEADER + "2025-04,USD,149,三菱UFJ\n").encode("cp932"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        FxTable().import_csv(path)


def test_missing_rate_error_names_month_currency_and_fix() -> None:
    fx = FxTable()
    fx.set("2025-03", "USD", 150, "bank")
    with pytest.raises(MissingRateError) as info:
        fx.rate("2025-04", "USD")
    err = info.value
    assert "USD in 2025-04" in str(err)
    assert err.hint is not None
    assert 'gcfinops fx set 2025-04 USD <JPY per 1 USD> --source "' in err.hint
    assert err.exit_code == 2


def test_jpy_is_identity_without_any_rate() -> None:
    assert FxTable().rate("2025-04", "JPY") == Decimal(1)


def test_rate_with_bad_month_is_input_error() -> None:
    with pytest.raises(InputError, match="YYYY-MM"):
        FxTable().rate("April", "JPY")


def test_rows_filters_to_rates_used() -> None:
    fx = FxTable()
    for m in ("2025-04", "2025-05"):
        fx.set(m, "USD", 150, "bank")
        fx.set(m, "EUR", 160, "bank")
    used = fx.rows(months=["2025-05"], currencies=["USD"])
    assert [(r.month, r.currency) for r in used] == [("2025-05", "USD")]


# --- SQL ------------------------------------------------------------------------------------


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE lake "
        "(ChargePeriodStart TIMESTAMP, BillingCurrency VARCHAR, BilledCost DOUBLE)"
    )
    con.executemany(
        "INSERT INTO lake VALUES (?, ?, ?)",
        [
            (datetime(2025, 4, 1), "USD", 10.0),
            (datetime(2025, 4, 30, 23), "USD", 5.0),
            (datetime(2025, 5, 1), "USD", 1.0),
            (datetime(2025, 5, 2), "EUR", 2.0),
            (datetime(2025, 6, 1), "JPY", 1000.0),
        ],
    )
    return con


def _table() -> FxTable:
    fx = FxTable()
    fx.set("2025-04", "USD", 150, "bank April")
    fx.set("2025-05", "USD", 140, "bank May")
    return fx


def test_register_fx_adds_jpy_identity_for_each_month(con: duckdb.DuckDBPyConnection) -> None:
    register_fx(con, _table())
    rows = con.execute("SELECT * FROM gcf_fx ORDER BY month, currency").fetchall()
    assert rows == [
        ("2025-04", "JPY", Decimal(1), "home currency (1 JPY = 1 JPY)"),
        ("2025-04", "USD", Decimal(150), "bank April"),
        ("2025-05", "JPY", Decimal(1), "home currency (1 JPY = 1 JPY)"),
        ("2025-05", "USD", Decimal(140), "bank May"),
    ]
    cols = [(r[0], r[1]) for r in con.execute("DESCRIBE gcf_fx").fetchall()]
    assert cols == [
        ("month", "VARCHAR"),
        ("currency", "VARCHAR"),
        ("rate_jpy", "DECIMAL(18,6)"),
        ("source", "VARCHAR"),
    ]


def test_missing_rates_sql_lists_pairs_without_rate(con: duckdb.DuckDBPyConnection) -> None:
    register_fx(con, _table(), relation="lake")
    assert con.execute(missing_rates_sql("lake")).fetchall() == [("2025-05", "EUR")]
    with pytest.raises(MissingRateError, match="EUR in 2025-05"):
        require_rates(con, "lake")


def test_without_relation_jpy_months_show_as_missing(con: duckdb.DuckDBPyConnection) -> None:
    """JPY in a month the table lacks is listed rather than silently dropped by a join."""
    register_fx(con, _table())
    assert con.execute(missing_rates_sql("lake")).fetchall() == [
        ("2025-05", "EUR"),
        ("2025-06", "JPY"),
    ]


def test_conversion_join_once_rates_are_complete(con: duckdb.DuckDBPyConnection) -> None:
    fx = _table()
    fx.set("2025-05", "EUR", 160, "ECB")
    register_fx(con, fx, relation="lake")
    require_rates(con, "lake")
    total = con.execute(
        """
        SELECT sum(l.BilledCost * f.rate_jpy) FROM lake AS l
        JOIN gcf_fx AS f
          ON f.month = strftime(l.ChargePeriodStart, '%Y-%m') AND f.currency = l.BillingCurrency
        """
    ).fetchone()
    assert total == (15 * 150 + 1 * 140 + 2 * 160 + 1000.0,)


def test_missing_rates_sql_accepts_a_subquery(con: duckdb.DuckDBPyConnection) -> None:
    register_fx(con, _table(), relation="lake")
    sql = missing_rates_sql("(SELECT * FROM lake WHERE BillingCurrency = 'USD')")
    assert con.execute(sql).fetchall() == []
