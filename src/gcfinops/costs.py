"""Non-cloud operating costs (application fees, 運用管理補助者, lines …): import and storage.

The 3割 target covers the total running cost, so the current side adds what is not on a cloud
bill: package / ASP fees, outsourcing (運用管理補助者), Government Cloud connection lines,
maintenance (domain.md §1.2). A row is either one month (`month`, YYYY-MM) or a whole fiscal
year (`fiscal_year` only); a year amount is spread evenly over its twelve months by the report.
Cloud bills in the lake count as `cloud_usage`; the CSV may carry `cloud_usage` only for clouds
whose bills are not ingested. Cost item `initial` (初期・移行経費: one-off migration work) is
accepted here, never in the baseline, and the report keeps it out of 運用経費. The optional `tax`
column says whether an amount is 税込 (`included`, the default) or 税抜 (`excluded`); the report
and the gate convert each row to their tax basis by the rate of its month (`gcfinops.tax`).
Format and rules: docs/baseline.md.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from gcfinops.allocation.wards import WardDirectory
from gcfinops.baseline import (
    COST_ITEM_IDS,
    INITIAL_ITEM,
    INITIAL_NAMES,
    ImportResult,
    parse_item,
)
from gcfinops.db import readable_path
from gcfinops.errors import ConfigError, InputError
from gcfinops.jpcalendar import month_fiscal_year
from gcfinops.usercsv import (
    check_header,
    merge_stored,
    parse_amount,
    parse_fiscal_year,
    parse_system,
    parse_tax,
    parse_ward,
    raise_problems,
    read_rows,
    tax_sql,
)
from gcfinops.workspace import Workspace

if TYPE_CHECKING:
    import duckdb

STORE_NAME = "noncloud_costs.csv"
COLUMNS = (
    "ward",
    "month",
    "fiscal_year",
    "business_system",
    "cost_item",
    "amount_jpy",
    "vendor",
    "note",
    "tax",
)
STORED_COLUMNS = (*COLUMNS, "source_file", "source_line")
_MAX_TEXT = 200


#: Same shape as a baseline import: rows stored and the total per (ward, fiscal year).
CostsImportResult = ImportResult


def store_path(ws: Workspace) -> Path:
    """Where the validated non-cloud costs live in a workspace."""
    return ws.operating_costs_dir / STORE_NAME


def register(con: duckdb.DuckDBPyConnection, ws: Workspace) -> bool:
    """TEMP gcf_noncloud_raw: one row per stored line, month NULL for a whole-year amount; the
    one reader of the store (report and gate). False when nothing was imported (empty table)."""
    path = store_path(ws)
    if not path.exists():
        con.execute(
            """CREATE OR REPLACE TEMP TABLE gcf_noncloud_raw (ward VARCHAR, month VARCHAR,
               fiscal_year INTEGER, business_system VARCHAR, cost_item VARCHAR,
               amount_jpy DOUBLE, vendor VARCHAR, tax VARCHAR, source_file VARCHAR)"""
        )
        return False
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE gcf_noncloud_raw AS
           SELECT ward, nullif(month, '') AS month, CAST(fiscal_year AS INTEGER) AS fiscal_year,
                  nullif(business_system, '') AS business_system, cost_item,
                  CAST(amount_jpy AS DOUBLE) AS amount_jpy, vendor, {tax_sql(path)} AS tax,
                  source_file
           FROM read_csv($p, header = true, all_varchar = true)""",
        {"p": readable_path(path)},
    )
    return True


def _parse_cost_item(value: str) -> tuple[str | None, tuple[str, str] | None]:
    """A running-cost item (`baseline.parse_item`) or `initial` (初期・移行経費)."""
    if value.strip().lower() in INITIAL_NAMES or value.strip() in INITIAL_NAMES:
        return INITIAL_ITEM, None
    item, problem = parse_item(value)
    if problem is not None:
        known = ", ".join((*COST_ITEM_IDS, INITIAL_ITEM))
        problem = ("cost_item", f"unknown cost item {value!r} (one of {known})")
    return item, problem


def _period(row: dict[str, str]) -> tuple[str | None, int | None, list[tuple[str, str]]]:
    """(month or None, fiscal year, problems) of a row that gives a month, a year or both."""
    month = row.get("month", "")
    fy_text = row.get("fiscal_year", "")
    if not month and not fy_text:
        return None, None, [("month", "give a month (YYYY-MM) or a fiscal_year")]
    fy: int | None = None
    if fy_text:
        fy, problem = parse_fiscal_year(fy_text)
        if problem:
            return None, None, [problem]
    if not month:
        return None, fy, []
    try:
        month_fy = month_fiscal_year(month)
    except InputError:
        return None, None, [("month", f"expected YYYY-MM, e.g. 2025-04 (found {month!r})")]
    if fy is not None and fy != month_fy:
        return (
            None,
            None,
            [
                (
                    "fiscal_year",
                    f"{month} is in fiscal year {month_fy}, not {fy} (年度 = April–March)",
                )
            ],
        )
    return month, month_fy, []


def import_costs(ws: Workspace, source: Path, wards: WardDirectory) -> CostsImportResult:
    """Validate a non-cloud cost CSV and store it, replacing the (ward, fiscal year) pairs in it.

    Any problem raises ConfigError listing every bad cell by line; then nothing is stored.
    """
    header, rows = read_rows(source, "non-cloud cost")
    check_header(
        source,
        header,
        ("ward", "cost_item", "amount_jpy"),
        ("month", "fiscal_year", "business_system", "vendor", "note", "tax"),
    )
    if "month" not in header and "fiscal_year" not in header:
        raise ConfigError(
            f"{source}:1: a month or a fiscal_year column is needed",
            hint=f"header: {','.join(COLUMNS)}",
        )
    problems: list[str] = []
    parsed: list[list[str]] = []
    totals: dict[tuple[str, int], Decimal] = {}
    for line, row in rows:
        ward, p1 = parse_ward(row["ward"], wards)
        month, fy, p2 = _period(row)
        system, p3 = parse_system(row.get("business_system", ""))
        item, p4 = _parse_cost_item(row["cost_item"])
        amount, p5 = parse_amount(row["amount_jpy"], allow_negative=True)
        row_tax, p6 = parse_tax(row.get("tax", ""))
        bad = [p for p in (p1, *p2, p3, p4, p5, p6) if p]
        for col in ("vendor", "note"):
            if len(row.get(col, "")) > _MAX_TEXT:
                bad.append((col, f"longer than {_MAX_TEXT} characters"))
        problems += [f"{source}:{line}: column {col!r}: {msg}" for col, msg in bad]
        if bad or ward is None or fy is None or item is None or amount is None:
            continue
        totals[(ward, fy)] = totals.get((ward, fy), Decimal(0)) + amount
        parsed.append(
            [
                ward,
                month or "",
                str(fy),
                system or "",
                item,
                str(amount),
                row.get("vendor", ""),
                row.get("note", ""),
                row_tax,
                source.name,
                str(line),
            ]
        )
    raise_problems(
        source,
        "non-cloud cost",
        problems,
        hint=f"header: {','.join(COLUMNS)}; see docs/baseline.md",
    )
    if not parsed:
        raise ConfigError(f"{source}: non-cloud cost file has a header but no rows")
    target = store_path(ws)
    with ws.lock():
        dropped = merge_stored(
            target,
            STORED_COLUMNS,
            parsed,
            lambda r: (r["ward"], int(r["fiscal_year"])) in totals,
        )
    return CostsImportResult(target, len(parsed), dropped, totals)
