"""The report's inputs as DuckDB TEMP tables: baseline, non-cloud costs, findings, lake sources.

Each loader reads one workspace file (written by `baseline import`, `costs import` or
`analyze`) into a small typed table; absent files give empty tables, so the SQL in
`report.data` never branches on what exists.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gcfinops import baseline as _baseline
from gcfinops import costs as _costs
from gcfinops.errors import InputError
from gcfinops.workspace import Workspace

if TYPE_CHECKING:
    import duckdb

FINDINGS_PATH = Path("findings") / "findings.parquet"
FINDINGS_REQUIRED = ("rule_id", "ward", "resource_id", "estimated_monthly_savings")
FINDINGS_OPTIONAL = {
    "business_system": "VARCHAR",
    "current_monthly_cost": "DOUBLE",
    "recommendation_ja": "VARCHAR",
    "recommendation": "VARCHAR",
    "confidence": "VARCHAR",
}


def load_baseline(con: duckdb.DuckDBPyConnection, ws: Workspace, fiscal_year: int) -> None:
    """TEMP gcf_baseline(ward, business_system, cost_item, amount_jpy, basis, source_file)."""
    path = _baseline.store_path(ws)
    if path.exists():
        con.execute(
            """CREATE OR REPLACE TEMP TABLE gcf_baseline AS
               SELECT ward, nullif(business_system, '') AS business_system, cost_item,
                      CAST(amount_jpy AS DOUBLE) AS amount_jpy, basis, source_file
               FROM read_csv($p, header = true, all_varchar = true)
               WHERE CAST(fiscal_year AS INTEGER) = $fy""",
            {"p": str(path), "fy": fiscal_year},
        )
    else:
        con.execute(
            """CREATE OR REPLACE TEMP TABLE gcf_baseline (ward VARCHAR, business_system VARCHAR,
               cost_item VARCHAR, amount_jpy DOUBLE, basis VARCHAR, source_file VARCHAR)"""
        )


def load_noncloud(con: duckdb.DuckDBPyConnection, ws: Workspace) -> None:
    """TEMP gcf_noncloud_raw: one row per imported line; month NULL for a whole-year amount."""
    path = _costs.store_path(ws)
    if path.exists():
        con.execute(
            """CREATE OR REPLACE TEMP TABLE gcf_noncloud_raw AS
               SELECT ward, nullif(month, '') AS month, CAST(fiscal_year AS INTEGER) AS fiscal_year,
                      nullif(business_system, '') AS business_system, cost_item,
                      CAST(amount_jpy AS DOUBLE) AS amount_jpy, vendor, source_file
               FROM read_csv($p, header = true, all_varchar = true)""",
            {"p": str(path)},
        )
    else:
        con.execute(
            """CREATE OR REPLACE TEMP TABLE gcf_noncloud_raw (ward VARCHAR, month VARCHAR,
               fiscal_year INTEGER, business_system VARCHAR, cost_item VARCHAR,
               amount_jpy DOUBLE, vendor VARCHAR, source_file VARCHAR)"""
        )


def load_findings(con: duckdb.DuckDBPyConnection, ws: Workspace) -> bool:
    """TEMP gcf_findings from findings/findings.parquet; False when no analysis has run yet."""
    path = ws.root / FINDINGS_PATH
    if not path.exists():
        con.execute(
            "CREATE OR REPLACE TEMP TABLE gcf_findings (rule_id VARCHAR, ward VARCHAR, "
            "resource_id VARCHAR, estimated_monthly_savings DOUBLE, "
            + ", ".join(f"{c} {t}" for c, t in FINDINGS_OPTIONAL.items())
            + ")"
        )
        return False
    try:
        described = con.execute(
            "DESCRIBE SELECT * FROM read_parquet($p)", {"p": str(path)}
        ).fetchall()
    except Exception as exc:  # duckdb raises several types for a damaged file
        raise InputError(
            f"cannot read findings: {exc}", path=str(path), hint="re-run gcfinops analyze"
        ) from None
    columns = {str(r[0]) for r in described}
    missing = [c for c in FINDINGS_REQUIRED if c not in columns]
    if missing:
        raise InputError(
            f"findings file lacks column(s) {', '.join(missing)}",
            path=str(path),
            hint="re-run gcfinops analyze with this version",
        )
    optional = ", ".join(
        f"CAST({c} AS {t}) AS {c}" if c in columns else f"CAST(NULL AS {t}) AS {c}"
        for c, t in FINDINGS_OPTIONAL.items()
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE gcf_findings AS
            SELECT CAST(rule_id AS VARCHAR) AS rule_id, CAST(ward AS VARCHAR) AS ward,
                   CAST(resource_id AS VARCHAR) AS resource_id,
                   coalesce(CAST(estimated_monthly_savings AS DOUBLE), 0)
                       AS estimated_monthly_savings,
                   {optional}
            FROM read_parquet($p)
            {"WHERE status IS NULL OR status = 'finding'" if "status" in columns else ""}""",
        {"p": str(path)},
    )
    return True


def lake_periods(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, int]]:
    """(provider, first billing month, last billing month, source files) of the whole lake."""
    rows = con.execute(
        """SELECT ProviderName, min(strftime(BillingPeriodStart, '%Y-%m')),
                  max(strftime(BillingPeriodStart, '%Y-%m')), count(DISTINCT x_SourceFile)
           FROM lake GROUP BY ProviderName ORDER BY ProviderName"""
    ).fetchall()
    return [(str(p), str(a), str(b), int(n)) for p, a, b, n in rows]
