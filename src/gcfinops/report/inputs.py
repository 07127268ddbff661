"""The report's inputs as DuckDB TEMP tables: baseline, non-cloud costs, findings, lake sources.

Each store has one reader, in the module that owns the store (`baseline.register`,
`costs.register`, `findings.register`); the gate uses the same ones. Absent files give empty
tables, so the SQL in `report.data` never branches on what exists.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from gcfinops import baseline as _baseline
from gcfinops import budget as _budget
from gcfinops import costs as _costs
from gcfinops import findings as _findings
from gcfinops.workspace import Workspace

if TYPE_CHECKING:
    import duckdb

FINDINGS_PATH = Path("findings") / "findings.parquet"


def load_baseline(con: duckdb.DuckDBPyConnection, ws: Workspace, fiscal_year: int) -> None:
    """TEMP gcf_baseline (see `baseline.register`)."""
    _baseline.register(con, ws, fiscal_year)
    _baseline.register_pre_migration(con, ws)


def load_budget(con: duckdb.DuckDBPyConnection, ws: Workspace, fiscal_year: int, cut: date) -> bool:
    """TEMP gcf_budget (see `budget.register`): the year's budget decided before `cut`."""
    return _budget.register(con, ws, fiscal_year, cut)


def load_noncloud(con: duckdb.DuckDBPyConnection, ws: Workspace) -> None:
    """TEMP gcf_noncloud_raw (see `costs.register`)."""
    _costs.register(con, ws)


def load_findings(con: duckdb.DuckDBPyConnection, ws: Workspace) -> bool:
    """TEMP gcf_findings (see `findings.register`); False when no analysis has run yet."""
    return _findings.register(con, ws)


LAKE_PERIODS_SQL = """SELECT ProviderName, min(strftime(BillingPeriodStart, '%Y-%m')),
       max(strftime(BillingPeriodStart, '%Y-%m')), count(DISTINCT x_SourceFile)
FROM lake GROUP BY ProviderName ORDER BY ProviderName"""


def lake_periods(
    con: duckdb.DuckDBPyConnection, sql: str = LAKE_PERIODS_SQL
) -> list[tuple[str, str, str, int]]:
    """(provider, first billing month, last billing month, source files) of the whole lake.
    `sql`: the same rows another way (the report's one pass, `report.lakescan.PERIODS_SQL`)."""
    rows = con.execute(sql).fetchall()
    return [(str(p), str(a), str(b), int(n)) for p, a, b, n in rows]
