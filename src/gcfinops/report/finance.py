"""Per-ward figures shown apart from 運用経費: apportionment (按分) before/after, genuinely
untagged usage, corrections of an earlier 年度 and initial (移行) cost; and the tax-basis
multipliers of non-cloud and baseline rows.

Reads the TEMP tables of `report.cloud` (gcf_cloud_jpy, gcf_split_matched, gcf_cloud_alloc,
gcf_cloud_prior) and `report.data` (gcf_months, gcf_noncloud_raw). Every figure covers the
fiscal year to date (months of the year that are not in the future). Each query reads every
selected ward at once (`report.batch`): a report for 1,788 municipalities runs six statements
here, not six per municipality.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from gcfinops import tax
from gcfinops.allocation.split import SplitRule
from gcfinops.report.batch import WardRows
from gcfinops.report.model import Apportioned

if TYPE_CHECKING:
    import duckdb

_TO_DATE = "JOIN gcf_months AS m ON m.month = c.month AND m.in_fy AND m.status <> 'future'"


@dataclass(frozen=True)
class WardFinance:
    """The figures of one ward (yen, unrounded)."""

    cloud_before_jpy: float
    apportionment: list[Apportioned]
    unapportioned_jpy: float  # matched a rule but no basis to split on: stayed where it was
    untagged_usage_jpy: float  # ChargeCategory Usage without tags, before apportionment
    prior_year_corrections_jpy: float
    initial_cost_jpy: float


_SELECTED = "c.ward IN (SELECT ward FROM gcf_selected)"


def _total(batch: WardRows, name: str, sql: str, params: list[object], code: str) -> float:
    rows = batch.get(name, sql, params, code)
    return float(rows[0][0]) if rows and rows[0][0] is not None else 0.0


def ward_finance(
    batch: WardRows,
    code: str,
    rules: tuple[SplitRule, ...],
    initial_item: str,
    noncloud_month_factor: str,
    noncloud_spread_factor: str,
) -> WardFinance:
    """One ward's figures; each query runs once for every selected ward (`report.batch`)."""
    before = _total(
        batch,
        "finance:before",
        f"SELECT c.ward, sum(c.amount_jpy) FROM gcf_cloud_jpy AS c {_TO_DATE} "
        f"WHERE {_SELECTED} GROUP BY c.ward",
        [],
        code,
    )
    matched = {
        rule_no: amount
        for rule_no, amount in batch.get(
            "finance:matched",
            f"""SELECT c.ward, c.rule_no, sum(c.amount_jpy) FROM gcf_split_matched AS c {_TO_DATE}
                WHERE {_SELECTED} AND c.rule_no IS NOT NULL GROUP BY c.ward, c.rule_no""",
            [],
            code,
        )
    }
    alloc = {
        (str(r), str(s)): float(a)
        for r, s, a in batch.get(
            "finance:alloc",
            f"""SELECT c.ward, c.rule, c.split_status, sum(c.amount_jpy) FROM gcf_cloud_alloc AS c
                {_TO_DATE} WHERE {_SELECTED} AND c.rule IS NOT NULL
                GROUP BY c.ward, c.rule, c.split_status""",
            [],
            code,
        )
    }
    lines = []
    for i, rule in enumerate(rules):
        stayed = alloc.get((rule.name, "no_basis"), 0.0)
        out = float(matched.get(i, 0.0)) - stayed
        into = alloc.get((rule.name, "moved"), 0.0)
        if out or into:
            lines.append(
                Apportioned(
                    rule.name,
                    rule.name_ja or rule.name,
                    rule.name_en or rule.name,
                    rule.builtin,
                    out,
                    into,
                )
            )
    unapportioned = sum(a for (_, s), a in alloc.items() if s == "no_basis")
    untagged = _total(
        batch,
        "finance:untagged",
        f"""SELECT c.ward, sum(c.amount_jpy) FROM gcf_cloud_jpy AS c {_TO_DATE}
            WHERE {_SELECTED} AND c.charge_category = 'Usage' AND c.untagged
            GROUP BY c.ward""",
        [],
        code,
    )
    prior = _total(
        batch,
        "finance:prior",
        f"SELECT c.ward, sum(c.amount_jpy) FROM gcf_cloud_prior AS c {_TO_DATE} "
        f"WHERE {_SELECTED} GROUP BY c.ward",
        [],
        code,
    )
    initial = _total(
        batch,
        "finance:initial",
        f"""SELECT i.ward, sum(i.amount) FROM (
              SELECT n.ward, n.amount_jpy * {noncloud_month_factor} AS amount
              FROM gcf_noncloud_raw AS n JOIN gcf_months AS m ON m.month = n.month
              WHERE n.cost_item = ? AND m.in_fy AND m.status <> 'future'
              UNION ALL
              SELECT n.ward, n.amount_jpy / 12.0 * {noncloud_spread_factor}
              FROM gcf_noncloud_raw AS n JOIN gcf_months AS m ON m.fiscal_year = n.fiscal_year
              WHERE n.month IS NULL AND n.cost_item = ? AND m.in_fy
                AND m.status <> 'future') AS i
            WHERE i.ward IN (SELECT ward FROM gcf_selected)
            GROUP BY i.ward""",
        [initial_item, initial_item],
        code,
    )
    return WardFinance(before, lines, unapportioned, untagged, prior, initial)


@dataclass(frozen=True)
class Factors:
    """Tax-basis multipliers: SQL expressions for baseline and non-cloud rows, savings."""

    baseline: str  # over gcf_baseline rows (its fiscal year)
    savings: float
    noncloud_month: str  # over gcf_noncloud_raw AS n with a month
    noncloud_spread: str  # whole-year rows spread over gcf_months AS m


def _has_tax_column(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = ?",
        [table, "tax"],
    ).fetchone()
    return bool(row and row[0])


def tax_factors(
    con: duckdb.DuckDBPyConnection, basis: tax.TaxBasis, baseline_fy: int, latest_month: str
) -> Factors:
    """Amounts are entered 税込 unless a row's optional `tax` column says `excluded`."""

    def per_row(alias: str, table: str, included: str, excluded: str) -> str:
        if not _has_tax_column(con, table):
            return included
        return f"(CASE WHEN {alias}tax = 'excluded' THEN {excluded} ELSE {included} END)"

    def year(source: tax.TaxBasis) -> str:
        return repr(float(tax.convert_fiscal_year(Decimal(1), baseline_fy, source, basis)))

    return Factors(
        baseline=per_row("", "gcf_baseline", year("included"), year("excluded")),
        # findings estimate savings on usage, before tax: put them on the report's basis
        savings=float(tax.convert(Decimal(1), latest_month, "excluded", basis)),
        noncloud_month=per_row(
            "n.",
            "gcf_noncloud_raw",
            tax.factor_sql("n.month", "included", basis),
            tax.factor_sql("n.month", "excluded", basis),
        ),
        noncloud_spread=per_row(
            "n.",
            "gcf_noncloud_raw",
            tax.factor_sql("m.month", "included", basis),
            tax.factor_sql("m.month", "excluded", basis),
        ),
    )
