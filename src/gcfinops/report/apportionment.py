"""What each apportionment rule (按分) matched in a billing month and where it went.

`gcfinops allocation show` prints it: for every rule (the user's `[[allocation.split]]` in file
order, then the built-ins) the yen it matched, by source (billing account, sub-account, service,
charge category), what moved to each ward and 業務, and what stayed for want of a basis. Runs the
same SQL as the report (`report.cloud`), so the figures agree with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gcfinops.allocation import split
from gcfinops.allocation.wards import WardDirectory
from gcfinops.config import load as load_config
from gcfinops.db import connect
from gcfinops.errors import NoDataError
from gcfinops.jpcalendar import month_fiscal_year, parse_month
from gcfinops.lake import lake_view_sql
from gcfinops.report.cloud import MONTH_SQL, load_cloud
from gcfinops.report.settings import load_settings
from gcfinops.tax import DEFAULT_TAX_BASIS, TaxBasis
from gcfinops.workspace import Workspace

if TYPE_CHECKING:
    import duckdb

_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Flow:
    """An amount from a source (or to a destination) of one rule."""

    keys: dict[str, str | None]
    amount_jpy: float


@dataclass(frozen=True)
class RuleResult:
    """One rule: its definition, what it matched, where it went."""

    name: str
    name_ja: str
    builtin: bool
    match: str
    to: str
    method: str
    basis: str
    matched_jpy: float
    moved_jpy: float
    no_basis_jpy: float
    sources: list[Flow] = field(default_factory=list)
    destinations: list[Flow] = field(default_factory=list)


@dataclass(frozen=True)
class AllocationShow:
    """Every rule's result for one billing month."""

    month: str
    tax_basis: str
    cost_column: str
    rules: list[RuleResult]
    cloud_total_jpy: float  # Σ before = Σ after


def show(
    ws: Workspace, month: str | None = None, *, tax_basis: TaxBasis = DEFAULT_TAX_BASIS
) -> AllocationShow:
    """Apportion one billing month (default: the latest in the lake) and describe each rule."""
    cfg = load_config(ws.config_path)
    wards = WardDirectory(cfg.allocation.extra_wards)
    splits = split.parse(cfg.raw.get("allocation", {}), cfg.path, wards)
    cost_column = load_settings(cfg.raw, cfg.path).cost_column
    con = connect(temp_dir=ws.tmp)
    try:
        con.execute(f"CREATE TEMP VIEW lake AS {lake_view_sql(ws)}")
        if month is None:
            row = con.execute(f"SELECT max({MONTH_SQL}) FROM lake AS l").fetchone()
            if not row or row[0] is None:
                raise NoDataError("the lake is empty", hint="gcfinops ingest PATH")
            month = str(row[0])
        else:
            parse_month(month)
        load_cloud(
            con,
            ws,
            month_fiscal_year(month),
            _FAR_FUTURE,
            cost_column=cost_column,
            tax_basis=tax_basis,
            rules=splits.rules,
        )
        row = con.execute(
            "SELECT count(*), coalesce(sum(amount_jpy), 0) FROM gcf_cloud_jpy WHERE month = ?",
            [month],
        ).fetchone()
        if row is None or not row[0]:
            raise NoDataError(f"no cloud cost in billing month {month}")
        results = [_rule(con, i, r, month) for i, r in enumerate(splits.rules)]
        return AllocationShow(month, tax_basis, cost_column, results, float(row[1]))
    finally:
        con.close()


def _rule(con: duckdb.DuckDBPyConnection, i: int, rule: split.SplitRule, month: str) -> RuleResult:
    sources = con.execute(
        """SELECT billing_account, sub_account, service, charge_category, sum(amount_jpy)
           FROM gcf_split_matched WHERE rule_no = ? AND month = ?
           GROUP BY billing_account, sub_account, service, charge_category
           ORDER BY 5 DESC, 1, 2, 3, 4""",
        [i, month],
    ).fetchall()
    dest = con.execute(
        """SELECT ward, business_system, split_status, sum(amount_jpy) FROM gcf_cloud_alloc
           WHERE rule = ? AND month = ? GROUP BY ward, business_system, split_status
           ORDER BY 3, 1 NULLS LAST, 2 NULLS LAST""",
        [rule.name, month],
    ).fetchall()
    moved = sum(float(a) for _, _, s, a in dest if s == "moved")
    stayed = sum(float(a) for _, _, s, a in dest if s == "no_basis")
    return RuleResult(
        name=rule.name,
        name_ja=rule.name_ja or rule.name,
        builtin=rule.builtin,
        match=rule.match.describe(),
        to=rule.targets_text(),
        method=rule.method,
        basis=rule.basis if rule.method in ("proportional", "even") else "",
        matched_jpy=sum(float(r[4]) for r in sources),
        moved_jpy=moved,
        no_basis_jpy=stayed,
        sources=[
            Flow(
                {"billing_account": a, "sub_account": b, "service": c, "charge_category": d},
                float(x),
            )
            for a, b, c, d, x in sources
        ],
        destinations=[
            Flow({"ward": w, "business_system": s, "status": st}, float(x)) for w, s, st, x in dest
        ],
    )
