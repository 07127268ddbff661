"""Why a group breached: top contributors, a quantity / price / FX decomposition, and the
findings of `gcfinops analyze` that would offset the rise (docs/ci.md "Growth decomposition").

All of it runs over the TEMP table `scoped` that `gate.check` builds for the compared months.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb

from gcfinops import findings
from gcfinops.gate.model import Contributor, Decomposition, Evaluation, Offset
from gcfinops.gate.settings import CONTRIBUTORS, CheckSettings
from gcfinops.jpcalendar import parse_month
from gcfinops.workspace import Workspace


def explain(
    con: duckdb.DuckDBPyConnection,
    ws: Workspace,
    settings: CheckSettings,
    evaluations: list[Evaluation],
    month: str,
) -> list[Evaluation]:
    """Attach contributors, decomposition and offsetting findings to each breach."""
    pairs = {_base_month(e, month) for e in evaluations if e.status == "breach"}
    contributors = {p: top_contributors(con, month, p, settings.top) for p in pairs}
    decompositions = {p: decompose(con, p, month) for p in pairs}
    offsets = {p: findings_offsets(con, ws, settings.by, month, p) for p in pairs}
    out = []
    for e in evaluations:
        if e.status == "breach":
            base = _base_month(e, month)
            found = offsets[base].get(e.group, [])
            grown = [o.estimated_monthly_savings for o in found if o.on_growth]
            e = replace(
                e,
                top_contributors=tuple(contributors[base].get(e.group, ())),
                decomposition=decompositions[base].get(e.group),
                offsets=tuple(found[: settings.top]),
                offset_total_jpy=sum(o.estimated_monthly_savings for o in found) if found else None,
                offset_growth_jpy=sum(grown) if found else None,
            )
        out.append(e)
    return out


def shift_month(month: str, delta: int) -> str:
    """'2026-03' shifted by delta months."""
    year, mon = parse_month(month)
    index = year * 12 + mon - 1 + delta
    return f"{index // 12}-{index % 12 + 1:02d}"


def _base_month(e: Evaluation, month: str) -> str:
    """The month a breach's change is measured from (the previous month for the target path)."""
    return shift_month(month, -1) if e.comparison in (None, "target_path") else e.comparison


def top_contributors(
    con: duckdb.DuckDBPyConnection, month: str, base: str, top: int
) -> dict[str | None, list[Contributor]]:
    """Per group, the `top` largest increases by service, resource and usage type (SQL)."""
    out: dict[str | None, list[Contributor]] = {}
    for dimension, key_sql in CONTRIBUTORS.items():
        rows = con.execute(
            f"""WITH d AS (
                    SELECT grp, {key_sql} AS k,
                           sum(CASE WHEN month = ? THEN jpy ELSE 0 END) AS cur,
                           sum(CASE WHEN month = ? THEN jpy ELSE 0 END) AS prev
                    FROM scoped WHERE month IN (?, ?) GROUP BY grp, {key_sql}
                ), r AS (
                    SELECT grp, k, cur, prev, row_number() OVER (
                        PARTITION BY grp ORDER BY cur - prev DESC, k NULLS LAST) AS rn
                    FROM d
                )
                SELECT grp, k, cur, prev FROM r WHERE rn <= ? AND cur - prev > 0
                ORDER BY grp, rn""",
            [month, base, month, base, top],
        ).fetchall()
        for grp, key, cur, prev in rows:
            out.setdefault(grp, []).append(
                Contributor(
                    dimension=dimension,
                    key=key,
                    current_jpy=float(cur),
                    previous_jpy=float(prev),
                    delta_jpy=float(cur) - float(prev),
                )
            )
    return out


# Shapley split of ΔV for V = Q·P·R per comparable line (docs/ci.md §Decomposition): each
# factor's effect is its change times the average of the other two factors' products over the
# orderings, so the three effects sum exactly to Q1·P1·R1 − Q0·P0·R0 whatever the order.
_DECOMPOSE_SQL = """
WITH a AS (
    SELECT grp, ServiceName, x_UsageType, SkuId, unit, currency,
           sum(CASE WHEN month = $m0 AND q > 0 THEN q END) AS q0,
           sum(CASE WHEN month = $m0 AND q > 0 THEN cost END) AS c0,
           sum(CASE WHEN month = $m1 AND q > 0 THEN q END) AS q1,
           sum(CASE WHEN month = $m1 AND q > 0 THEN cost END) AS c1,
           sum(CASE WHEN month = $m0 AND NOT coalesce(q > 0, FALSE) THEN jpy ELSE 0 END) AS o0,
           sum(CASE WHEN month = $m1 AND NOT coalesce(q > 0, FALSE) THEN jpy ELSE 0 END) AS o1
    FROM scoped WHERE month IN ($m0, $m1)
    GROUP BY grp, ServiceName, x_UsageType, SkuId, unit, currency
), b AS (
    SELECT a.grp, coalesce(a.q0, 0) AS q0, coalesce(a.q1, 0) AS q1, a.o0, a.o1,
           CASE WHEN a.q0 > 0 THEN a.c0 / a.q0 ELSE a.c1 / a.q1 END AS p0,
           CASE WHEN a.q1 > 0 THEN a.c1 / a.q1 ELSE a.c0 / a.q0 END AS p1,
           coalesce(f0.rate_jpy, f1.rate_jpy) AS r0,
           coalesce(f1.rate_jpy, f0.rate_jpy) AS r1
    FROM a
    LEFT JOIN gcf_fx AS f0 ON f0.month = $m0 AND f0.currency = a.currency
    LEFT JOIN gcf_fx AS f1 ON f1.month = $m1 AND f1.currency = a.currency
)
SELECT grp,
    sum(CASE WHEN q0 > 0 OR q1 > 0 THEN
        (q1 - q0) * ((p0 * r0 + p1 * r1) / 3 + (p0 * r1 + p1 * r0) / 6) ELSE 0 END),
    sum(CASE WHEN q0 > 0 OR q1 > 0 THEN
        (p1 - p0) * ((q0 * r0 + q1 * r1) / 3 + (q0 * r1 + q1 * r0) / 6) ELSE 0 END),
    sum(CASE WHEN q0 > 0 OR q1 > 0 THEN
        (r1 - r0) * ((q0 * p0 + q1 * p1) / 3 + (q0 * p1 + q1 * p0) / 6) ELSE 0 END),
    sum(o1 - o0)
FROM b GROUP BY grp
"""


def decompose(
    con: duckdb.DuckDBPyConnection, base: str, month: str
) -> dict[str | None, Decomposition]:
    """Per group, ΔJPY base → month as quantity, unit-price, FX and no-quantity effects."""
    rows = con.execute(_DECOMPOSE_SQL, {"m0": base, "m1": month}).fetchall()
    return {
        g: Decomposition(
            quantity_jpy=float(q), price_jpy=float(p), fx_jpy=float(r), other_jpy=float(o)
        )
        for g, q, p, r, o in rows
    }


# --- findings that would offset a rise ----------------------------------------------------------

# --by → the findings column that names the finding's group (findings.py COLUMNS)
FINDINGS_GROUP = {
    "ward": "ward",
    "system": "business_system",
    "service": "service_name",
    "account": "sub_account_id",
}


def findings_path(ws: Workspace) -> Path:
    return findings.store_path(ws)


def findings_offsets(
    con: duckdb.DuckDBPyConnection, ws: Workspace, by: str, month: str, base: str
) -> dict[str | None, list[Offset]]:
    """Findings of the last `gcfinops analyze` (`findings.register`, the report's reader too),
    per group, largest saving first.

    A finding belongs to the group its own column names (`ward`, `business_system`,
    `service_name`, `sub_account_id`), else to the group its resource is billed to in the month.
    Rows with status 'skipped' (a rule could not judge) are not offsets. Findings on the
    resources whose cost rose most from `base` to `month` come first, then the largest savings.
    """
    if not findings.register(con, ws):
        return {}
    group = f"coalesce(f.{FINDINGS_GROUP[by]}, r.grp)"
    # yen-rounded keys: Σ of DOUBLE differs in its last bits between runs and engines, and
    # must not decide the order of equal amounts
    rows = con.execute(
        f"""WITH r AS (
                SELECT ResourceId, min(grp) AS grp,
                       sum(CASE WHEN month = $m THEN jpy ELSE 0 END)
                       - sum(CASE WHEN month = $b THEN jpy ELSE 0 END) AS delta
                FROM scoped WHERE month IN ($m, $b) AND ResourceId IS NOT NULL
                GROUP BY ResourceId
            )
            SELECT {group} AS grp, f.rule_id, f.resource_id, f.estimated_monthly_savings,
                   f.recommendation_ja, f.recommendation, coalesce(r.delta, 0) AS delta
            FROM gcf_findings AS f
            LEFT JOIN r ON r.ResourceId = f.resource_id
            WHERE f.estimated_monthly_savings > 0
            ORDER BY round(delta) DESC, round(f.estimated_monthly_savings) DESC, f.rule_id,
                     f.resource_id""",
        {"m": month, "b": base},
    ).fetchall()
    out: dict[str | None, list[Offset]] = {}
    for grp, rule, res, saving, rec_ja, rec, delta in rows:
        out.setdefault(grp, []).append(
            Offset(
                rule_id=rule,
                resource_id=res,
                estimated_monthly_savings=float(saving),
                recommendation_ja=rec_ja,
                recommendation=rec,
                resource_delta_jpy=float(delta),
            )
        )
    return out
