"""Run an inspection over the lake: scope → SQL (recompute.py) → model (model.py)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import duckdb

from gcfinops.allocation.wards import WardDirectory
from gcfinops.context import Context
from gcfinops.db import session
from gcfinops.errors import ConfigError, NoDataError
from gcfinops.inspection.model import (
    Breakdown,
    Group,
    Inspection,
    InvoiceCheck,
    Scope,
    ServiceRow,
    SourceFile,
    UnexplainedLine,
)
from gcfinops.inspection.recompute import CAUSE_ORDER, CAUSE_SUMS, lines_sql
from gcfinops.inspection.tolerance import invoice_tolerance, line_tolerance, quantize, within
from gcfinops.lake import lake_view_sql
from gcfinops.ledger import Ledger
from gcfinops.sqlengine import session as engine_session
from gcfinops.workspace import Workspace

MONTH_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
#: Unexplained lines listed in full; the count is always exact.
MAX_LISTED = 1000


def resolve_scope(
    month: str,
    *,
    ward: str | None = None,
    provider: str | None = None,
    billing_account: str | None = None,
    wards: WardDirectory | None = None,
) -> Scope:
    """Validate the options: month as YYYY-MM, ward in any spelling → 6-digit code."""
    if not MONTH_RE.fullmatch(month):
        raise ConfigError(f"--month: expected YYYY-MM, e.g. 2026-02 (found {month!r})")
    code = name = None
    if ward is not None:
        directory = wards or WardDirectory()
        code = directory.normalize(ward)
        if code is None:
            raise ConfigError(
                f"--ward: unknown ward {ward!r}", hint="use the 6-digit code, e.g. 131121"
            )
        found = directory.get(code)
        name = found.kanji if found else None
    return Scope(month, code, name, provider, billing_account)


def _scoped(con: duckdb.DuckDBPyConnection, ws: Workspace, scope: Scope) -> None:
    con.execute(f"CREATE TEMP VIEW lake AS {lake_view_sql(ws)}")
    where = ["strftime(BillingPeriodStart, '%Y-%m') = $month"]
    params: dict[str, Any] = {"month": scope.month}
    if scope.ward:
        where.append("x_Ward = $ward")
        params["ward"] = scope.ward
    if scope.provider:
        where.append("lower(ProviderName) = lower($provider)")
        params["provider"] = scope.provider
    if scope.billing_account:
        where.append("BillingAccountId = $account")
        params["account"] = scope.billing_account
    # Parameters are bound once into a table: views cannot hold parameters.
    con.execute(
        f"CREATE TEMP TABLE scoped AS SELECT * FROM lake WHERE {' AND '.join(where)}", params
    )
    con.execute(f"CREATE TEMP TABLE lines AS {lines_sql('scoped')}")


def _exact(value: float | Decimal | None) -> Decimal | None:
    """A source price or quantity as the number it was written as: a price is the lake's exact
    DECIMAL (trailing zeros of its 18 places dropped), a quantity a DOUBLE's shortest repr."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return Decimal(format(value.normalize(), "f")) if value else Decimal(0)
    return Decimal(repr(float(value)))


def _breakdown(row: tuple[Any, ...]) -> Breakdown:
    billed, recomputed, *causes = row[:9]
    return Breakdown.build(
        billed, recomputed, dict(zip(CAUSE_ORDER, causes, strict=True)), int(row[9]), int(row[10])
    )


def _sources(con: duckdb.DuckDBPyConnection, ws: Workspace) -> list[SourceFile]:
    rows = con.execute(
        "SELECT source_file, count(*) FROM lines GROUP BY source_file ORDER BY source_file"
    ).fetchall()
    hashes: dict[str, str] = {}
    if ws.ledger_path.exists():
        for rec in Ledger(ws.ledger_path).ingests:
            for f in rec.files:
                hashes[f.path] = f.sha256
    return [SourceFile(str(p), hashes.get(str(p)), int(n)) for p, n in rows]


def _invoice(
    con: duckdb.DuckDBPyConnection, total: Breakdown, amount: Decimal, currency: str, cur: str
) -> InvoiceCheck:
    if currency.upper() != cur.upper():
        raise ConfigError(
            f"--invoice-currency {currency} differs from the billing currency {cur} of the lines",
            hint="give the invoice total in the billing currency (conversion is not supported yet)",
        )
    services = con.execute("SELECT count(DISTINCT service) FROM lines").fetchone()
    tol = invoice_tolerance(cur, int(services[0]) if services else 1)
    diff = amount - total.billed
    cause = "rounding" if within(diff, tol) else "unexplained"
    return InvoiceCheck(amount, cur, total.billed, total.causes["tax"], tol, cause)


def inspect(
    ws: Workspace,
    scope: Scope,
    *,
    tolerance: Decimal = Decimal(0),
    invoice_total: Decimal | None = None,
    invoice_currency: str | None = None,
    engine: Context | None = None,
) -> Inspection:
    """Recompute and explain every line of the scope.

    `engine`: the call's context when the lake is read by its SQL engine (`--engine spark`
    runs the scope query on Spark, issue #16); the recomputation runs on the scoped lines.

    Raises:
        NoDataError: no line in the scope (exit 2).
        ConfigError: the scope spans several billing currencies, or a bad option (exit 2).
    """
    if tolerance < 0:
        raise ConfigError(f"--tolerance must not be negative (found {tolerance})")
    temp_dir = ws.tmp / "inspect" if ws.root.is_dir() else None
    opened = (
        session(temp_dir=temp_dir) if engine is None else engine_session(engine, temp_dir=temp_dir)
    )
    with opened as con:
        _scoped(con, ws, scope)
        currencies = [
            r[0] for r in con.execute("SELECT DISTINCT currency FROM lines ORDER BY 1").fetchall()
        ]
        if not currencies:
            raise NoDataError(
                f"no billing lines for {scope.month} in this scope",
                hint="check --month/--ward/--provider/--billing-account; "
                "`gcfinops status` lists what was ingested",
            )
        if len(currencies) > 1:
            raise ConfigError(
                f"{scope.month}: the scope has several billing currencies "
                f"({', '.join(currencies)}); an inspection compares one invoice currency",
                hint="narrow it with --provider or --billing-account",
            )
        currency = currencies[0]
        total_row = con.execute(f"SELECT {CAUSE_SUMS} FROM lines").fetchone()
        assert total_row is not None
        total = _breakdown(total_row)
        groups = [
            Group(r[0], r[1], r[2], r[3], _breakdown(r[4:]))
            for r in con.execute(
                f"SELECT provider, billing_account, invoice_id, currency, {CAUSE_SUMS} FROM lines "
                "GROUP BY provider, billing_account, invoice_id, currency "
                "ORDER BY provider, billing_account, invoice_id NULLS LAST"
            ).fetchall()
        ]
        services = [
            ServiceRow(r[0], _breakdown(r[1:]))
            for r in con.execute(
                f"SELECT service, {CAUSE_SUMS} FROM lines GROUP BY service "
                "ORDER BY sum(billed) DESC, service"
            ).fetchall()
        ]
        count, abs_sum = con.execute(
            "SELECT count(*), COALESCE(sum(abs(c_unexplained)), 0) FROM lines"
            " WHERE c_unexplained <> 0"
        ).fetchone() or (0, 0)
        listed = [
            UnexplainedLine(
                r[0],
                int(r[1]),
                r[2],
                r[3],
                quantize(r[4]),
                quantize(r[5]),
                quantize(r[6]),
                _exact(r[7]),
                _exact(r[8]),
                _exact(r[9]),
                r[10],
            )
            for r in con.execute(
                "SELECT source_file, source_row, resource_id, service, billed, recomputed,"
                " c_unexplained, unit_price, list_unit_price, quantity, pricing_unit"
                " FROM lines WHERE c_unexplained <> 0"
                f" ORDER BY abs(c_unexplained) DESC, source_file, source_row LIMIT {MAX_LISTED}"
            ).fetchall()
        ]
        invoice_ids = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT invoice_id FROM lines WHERE invoice_id IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
        invoice = (
            None
            if invoice_total is None
            else _invoice(con, total, invoice_total, invoice_currency or currency, currency)
        )
        sources = _sources(con, ws)
    return Inspection(
        scope=scope,
        currency=currency,
        total=total,
        tolerance=tolerance,
        groups=groups,
        services=services,
        unexplained_lines=listed,
        unexplained_line_count=int(count),
        unexplained_abs=quantize(abs_sum),
        sources=sources,
        invoice=invoice,
        line_tolerance=line_tolerance(currency),
        invoice_ids=invoice_ids,
    )
