"""The ward's budget (予算) per fiscal year, 業務 and cost item: import and storage (issue #13).

A budget is the initial budget (当初) plus every revision decided since: supplementary budgets
(補正, positive or negative) and transfers between lines (流用, in or out). Each row carries the
day it was decided, so a report as of a date counts only what had been decided by then (予算現額).
File format, validation and storage: docs/budget.md. Cells follow the conventions of the other
user CSVs (`usercsv`: UTF-8 or CP932, 1,235千円, △ for decreases, wards and 業務 in any spelling).

Cost items map to the budget book's 節 (使用料及び賃借料, 委託料, 役務費 …; `[budget] setsu`), so
budget and actual can be read per 節 as the book is written.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gcfinops.allocation.wards import WardDirectory
from gcfinops.baseline import COST_ITEM_IDS, parse_item
from gcfinops.config import check_keys
from gcfinops.errors import ConfigError
from gcfinops.usercsv import ImportResult as ImportResult  # this store's import result
from gcfinops.usercsv import (
    check_header,
    merge_stored,
    parse_amount,
    parse_fiscal_year,
    parse_system,
    parse_ward,
    raise_problems,
    read_rows,
)
from gcfinops.workspace import Workspace

if TYPE_CHECKING:
    import duckdb

STORE_NAME = "budget.csv"
TEMPLATE_NAME = "budget_template.csv"
COLUMNS = ("ward", "fiscal_year", "business_system", "cost_item", "amount_jpy", "kind", "date")
STORED_COLUMNS = (*COLUMNS, "source_file", "source_line")
KINDS = {
    "当初": "当初",
    "initial": "当初",
    "補正": "補正",
    "supplementary": "補正",
    "流用": "流用",
    "transfer": "流用",
}
# The budget book's 節 (地方自治法施行規則 別記 歳出予算の節, numbering since FY2020) of each
# cost item; `[budget] setsu` overrides any of them.
SETSU_ORDER = (
    "需用費",
    "役務費",
    "委託料",
    "使用料及び賃借料",
    "備品購入費",
    "負担金補助及び交付金",
)
DEFAULT_SETSU: dict[str, str] = {
    "system_operation": "委託料",
    "hardware_maintenance_work": "委託料",
    "other_outsourcing": "委託料",
    "hardware_lease": "使用料及び賃借料",
    "hardware_maintenance": "委託料",
    "software_lease": "使用料及び賃借料",
    "software_maintenance": "委託料",
    "datacenter": "使用料及び賃借料",
    "network_lines": "役務費",
    "cloud_usage": "使用料及び賃借料",
    "initial": "委託料",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def store_path(ws: Workspace) -> Path:
    """Where the validated budget lives in a workspace."""
    return ws.operating_costs_dir / STORE_NAME


def setsu_map(raw: dict[str, Any], path: Path | None = None) -> dict[str, str]:
    """Cost item → 節 from the defaults and `[budget] setsu = { cloud_usage = "…" }`."""
    section = raw.get("budget", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [budget] must be a table")
    check_keys(path, "budget", section, {"setsu"})
    mapping = dict(DEFAULT_SETSU)
    custom = section.get("setsu", {})
    if not isinstance(custom, dict):
        raise ConfigError(f'{path}: budget.setsu must be a table of cost_item = "節"')
    for item, name in custom.items():
        if item not in (*COST_ITEM_IDS, "initial") or not isinstance(name, str) or not name:
            raise ConfigError(
                f"{path}: budget.setsu.{item}: expected a cost item id "
                f'({", ".join(COST_ITEM_IDS)}) = a 節 name such as "委託料"'
            )
        mapping[item] = name
    return mapping


def register(con: duckdb.DuckDBPyConnection, ws: Workspace, fiscal_year: int, cut: date) -> bool:
    """TEMP gcf_budget(ward, business_system, cost_item, kind, amount_jpy, source_file): rows of
    one fiscal year decided before `cut`. The one reader of the stored budget (report, gate).
    False when no budget was imported for that year."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE gcf_budget (ward VARCHAR, business_system VARCHAR,
           cost_item VARCHAR, kind VARCHAR, amount_jpy DOUBLE, source_file VARCHAR)"""
    )
    path = store_path(ws)
    if not path.exists():
        return False
    con.execute(
        """INSERT INTO gcf_budget
           SELECT ward, nullif(business_system, ''), nullif(cost_item, ''), kind,
                  CAST(amount_jpy AS DOUBLE), source_file
           FROM read_csv($p, header = true, all_varchar = true)
           WHERE CAST(fiscal_year AS INTEGER) = $fy AND CAST(date AS DATE) < $cut""",
        {"p": str(path), "fy": fiscal_year, "cut": cut},
    )
    row = con.execute("SELECT count(*) FROM gcf_budget").fetchone()
    return bool(row and row[0])


def import_budget(ws: Workspace, source: Path, wards: WardDirectory) -> ImportResult:
    """Validate a budget CSV and store it, replacing the (ward, fiscal year) pairs it contains.

    Any problem raises ConfigError listing every bad cell as file:line (exit 2); then nothing is
    stored. Writes go through the workspace's atomic writer under its lock.
    """
    header, rows = read_rows(source, "budget")
    check_header(source, header, ("ward", "fiscal_year", "amount_jpy", "kind", "date"),
                 ("business_system", "cost_item"))  # fmt: skip
    problems: list[str] = []
    parsed: list[list[str]] = []
    seen: dict[tuple[str, ...], int] = {}
    totals: dict[tuple[str, int], Decimal] = {}
    for line, row in rows:
        ward, p1 = parse_ward(row["ward"], wards)
        fy, p2 = parse_fiscal_year(row["fiscal_year"])
        system, p3 = parse_system(row.get("business_system", ""))
        item, p4 = (None, None)
        if row.get("cost_item", ""):
            item, p4 = parse_item(row["cost_item"])
        kind = KINDS.get(row["kind"].strip()) or KINDS.get(row["kind"].strip().lower())
        p5 = None if kind else ("kind", f"expected 当初, 補正 or 流用 (found {row['kind']!r})")
        amount, p6 = parse_amount(row["amount_jpy"], allow_negative=kind in ("補正", "流用"))
        day, p7 = _parse_date(row["date"], fy)
        bad = [p for p in (p1, p2, p3, p4, p5, p6, p7) if p]
        problems += [f"{source}:{line}: column {col!r}: {msg}" for col, msg in bad]
        if bad or ward is None or fy is None or kind is None or amount is None or day is None:
            continue
        key = (ward, str(fy), system or "", item or "", kind, day)
        if key in seen:
            problems.append(
                f"{source}:{line}: the same budget line ({kind} {day}) is already on line "
                f"{seen[key]}; combine the amounts into one row"
            )
            continue
        seen[key] = line
        totals[(ward, fy)] = totals.get((ward, fy), Decimal(0)) + amount
        parsed.append(
            [
                ward,
                str(fy),
                system or "",
                item or "",
                str(amount),
                kind,
                day,
                source.name,
                str(line),
            ]
        )
    raise_problems(source, "budget", problems, hint=f"header: {','.join(COLUMNS)}; docs/budget.md")
    if not parsed:
        raise ConfigError(f"{source}: budget file has a header but no rows")
    target = store_path(ws)
    with ws.lock():
        dropped = merge_stored(
            target, STORED_COLUMNS, parsed, lambda r: (r["ward"], int(r["fiscal_year"])) in totals
        )
    return ImportResult(target, len(parsed), dropped, totals)


def _parse_date(value: str, fy: int | None) -> tuple[str | None, tuple[str, str] | None]:
    """YYYY-MM-DD, a real day; a budget is decided at the latest by the end of its 出納整理期間."""
    text = value.strip()
    try:
        day = date.fromisoformat(text) if _DATE.match(text) else None
    except ValueError:
        day = None
    if day is None:
        return None, ("date", f"expected the day it was decided as YYYY-MM-DD (found {value!r})")
    if fy is not None and not date(fy - 1, 1, 1) <= day <= date(fy + 1, 5, 31):
        return None, ("date", f"{text} is outside fiscal year {fy} (and its preparation)")
    return text, None


TEMPLATE = """\
# Budget (予算) of the standardized systems per ward and fiscal year, in yen.
# One row per decision: kind 当初 (initial), 補正 (supplementary, may be negative) or 流用
# (transfer in or out, may be negative); date = the day it was decided (YYYY-MM-DD).
# business_system and cost_item are optional (empty = the whole ward / not itemized).
# Then run: gcfinops budget import budget_template.csv   (docs/budget.md)
"""


def write_template(ws: Workspace, *, force: bool = False) -> Path | None:
    """Write the budget template CSV into the workspace; None when one exists (unless force)."""
    path = ws.root / TEMPLATE_NAME
    if path.exists() and not force:
        return None
    lines = [TEMPLATE.rstrip("\n"), ",".join(COLUMNS)]
    lines += [
        "setagaya,2025,,cloud_usage,,当初,2025-03-25",
        "setagaya,2025,,other_outsourcing,,当初,2025-03-25",
        "setagaya,2025,,cloud_usage,,補正,2025-09-30",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
