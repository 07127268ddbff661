"""The path to the 3割 target: per ward, the monthly amount that still ends the 年度 on target.

allowance = (target_ratio × baseline − actual FY-to-date before the month) / months left (the
month itself included), with cloud cost from the lake plus imported non-cloud cost. The ratio and
the baseline year are `[baseline] target_ratio` and `fiscal_year` (`baseline.Targets`, the same
values the report prints); the baseline and non-cloud amounts come from the stores' own readers
(`baseline.register`, `costs.register`), as in the report. On an incomplete month (`fraction` =
D / days of the month) the allowance and the month's non-cloud amount are prorated to days 1..D,
like the month-to-date cloud cost they are set against. Baseline and non-cloud rows are put on
the check's tax basis from their own `tax` column (`gcfinops.tax`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import duckdb

from gcfinops import baseline, costs, tax
from gcfinops.baseline import Targets
from gcfinops.errors import NoDataError
from gcfinops.jpcalendar import fy_months, month_fiscal_year
from gcfinops.workspace import Workspace


def allowances(
    con: duckdb.DuckDBPyConnection,
    ws: Workspace,
    targets: Targets,
    totals: Mapping[str | None, Mapping[str, float]],
    month: str,
    fy_before: list[str],
    loaded: list[str],
    *,
    fraction: float = 1.0,
    basis: tax.TaxBasis = tax.DEFAULT_TAX_BASIS,
) -> dict[str | None, tuple[float, float]]:
    """Per ward with a baseline: (allowance, spend of the month), both cloud + non-cloud."""
    fy = month_fiscal_year(month)
    missing = [m for m in fy_before if m not in loaded]
    if missing:
        raise NoDataError(
            f"the path to the 3割 target needs every month of FY{fy} before {month}; "
            f"the lake lacks {', '.join(missing)}",
            hint="ingest those months, or switch the test off: --max-over-target-path off",
        )
    base = baseline_by_ward(con, ws, targets.fiscal_year, basis)
    noncloud = noncloud_by_ward_month(con, ws, fy, basis)
    remaining = 12 - len(fy_before)
    out: dict[str | None, tuple[float, float]] = {}
    for grp, amount in base.items():
        spent = sum(totals.get(grp, {}).get(m, 0.0) for m in fy_before)
        spent += sum(noncloud.get(grp, {}).get(m, 0.0) for m in fy_before)
        current = totals.get(grp, {}).get(month, 0.0)
        current += noncloud.get(grp, {}).get(month, 0.0) * fraction
        out[grp] = ((targets.target_ratio * amount - spent) / remaining * fraction, current)
    return out


def baseline_by_ward(
    con: duckdb.DuckDBPyConnection,
    ws: Workspace,
    fiscal_year: int,
    basis: tax.TaxBasis = tax.DEFAULT_TAX_BASIS,
) -> dict[str | None, float]:
    """Baseline running cost per ward code of `fiscal_year` (`baseline.register`).

    Raises NoDataError when no baseline was imported (the target path cannot be drawn).
    """
    if not baseline.register(con, ws, fiscal_year):
        raise NoDataError(
            f"no FY{fiscal_year} baseline in {ws.root}; --max-over-target-path needs it",
            hint="import it: gcfinops baseline import baseline_fy2018.csv "
            "(or switch the test off: --max-over-target-path off)",
        )

    def year(source: tax.TaxBasis) -> str:
        return repr(float(tax.convert_fiscal_year(Decimal(1), fiscal_year, source, basis)))

    factor = f"(CASE WHEN tax = 'excluded' THEN {year('excluded')} ELSE {year('included')} END)"
    rows = con.execute(
        f"SELECT ward, sum(amount_jpy * {factor}) FROM gcf_baseline GROUP BY ward"
    ).fetchall()
    return {str(w): float(a) for w, a in rows}


def noncloud_by_ward_month(
    con: duckdb.DuckDBPyConnection,
    ws: Workspace,
    fy: int,
    basis: tax.TaxBasis = tax.DEFAULT_TAX_BASIS,
) -> dict[str | None, dict[str, float]]:
    """Non-cloud running cost per ward and month of a 年度 (`costs.register`); a whole-year
    amount counts 1/12 a month. Empty when none was imported."""
    out: dict[str | None, dict[str, float]] = {}
    if not costs.register(con, ws):
        return out
    rows = con.execute(
        """SELECT ward, month, tax, sum(amount_jpy) FROM gcf_noncloud_raw
           WHERE fiscal_year = $fy GROUP BY ward, month, tax""",
        {"fy": fy},
    ).fetchall()
    for ward, month, row_basis, amount in rows:
        source = tax.parse_basis(row_basis or "included", where="noncloud tax")
        per_month = out.setdefault(str(ward), {})
        for m in [month] if month else fy_months(fy):
            part = Decimal(str(amount)) / (1 if month else 12)
            per_month[m] = per_month.get(m, 0.0) + float(tax.convert(part, m, source, basis))
    return out
