"""A ward's measures for any grouping (ward, cost item, 業務, source) in one SQL: actual to
date, the forecast from what is known and its parts, the previous year to date, the run rate
(the formulas: `report.data` docstring, docs/reports.md); and the breakdown rows built on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gcfinops.report.batch import WardRows
from gcfinops.report.business import apportion_common
from gcfinops.report.model import Line
from gcfinops.report.period import Period
from gcfinops.report.sections import opt

if TYPE_CHECKING:
    import duckdb

# One measure set for any grouping; `$window` months of run-rate, `$remaining` months to go.
# Columns: actual to date, forecast, previous FY to date, run rate (cloud + non-cloud, shown per
# month), and the forecast's parts: actual of complete months, non-cloud entered for the
# remaining months, cloud run rate × remaining months.
_MEASURES_SQL = """
SELECT {select},
  coalesce(sum(CASE WHEN m.in_fy AND m.status <> 'future' THEN c.amount_jpy END), 0),
  CASE WHEN $window > 0 THEN
    coalesce(sum(CASE WHEN m.in_fy AND m.status = 'complete' THEN c.amount_jpy END), 0)
    + coalesce(sum(CASE WHEN m.in_fy AND m.status <> 'complete' AND c.source = 'noncloud'
                        THEN c.amount_jpy END), 0)
    + coalesce(sum(CASE WHEN m.in_window AND c.source = 'cloud' THEN c.amount_jpy END), 0)
      / $window * $remaining
  END,
  coalesce(sum(CASE WHEN m.in_compare THEN c.amount_jpy END), 0),
  CASE WHEN $window > 0
    THEN coalesce(sum(CASE WHEN m.in_window THEN c.amount_jpy END), 0) / $window END,
  coalesce(sum(CASE WHEN m.in_fy AND m.status = 'complete' THEN c.amount_jpy END), 0),
  coalesce(sum(CASE WHEN m.in_fy AND m.status <> 'complete' AND c.source = 'noncloud'
                    THEN c.amount_jpy END), 0),
  CASE WHEN $window > 0 THEN
    coalesce(sum(CASE WHEN m.in_window AND c.source = 'cloud' THEN c.amount_jpy END), 0)
    / $window END
FROM gcf_cost AS c JOIN gcf_months AS m ON m.month = c.month
WHERE {where}
GROUP BY {select}
"""


@dataclass(frozen=True)
class Measures:
    actual: float = 0.0
    forecast: float | None = None
    previous: float = 0.0
    run_rate: float | None = None
    complete_actual: float = 0.0
    known_future: float = 0.0
    cloud_run_rate: float | None = None


def ward_measures(
    con: duckdb.DuckDBPyConnection,
    p: Period,
    group: str,
    ward: str,
    batch: WardRows | None = None,
) -> dict[tuple[Any, ...], Measures]:
    """One ward's measures keyed by the group columns' values. With `batch`, the measures of
    every selected ward are computed by one query, the first time a ward asks."""
    n = len(group.split(","))
    params: dict[str, Any] = {"window": len(p.window), "remaining": 12 - p.complete}
    if batch is None:
        sql = _MEASURES_SQL.format(select=group, where="c.ward = $ward")
        rows: list[Any] = con.execute(sql, {**params, "ward": ward}).fetchall()
    else:
        sql = _MEASURES_SQL.format(
            select=f"c.ward, {group}", where="c.ward IN (SELECT ward FROM gcf_selected)"
        )
        rows = batch.get(f"measures:{group}", sql, params, ward)
    return {
        tuple(r[:n]): Measures(
            float(r[n]),
            opt(r[n + 1]),
            float(r[n + 2]),
            opt(r[n + 3]),
            float(r[n + 4]),
            float(r[n + 5]),
            opt(r[n + 6]),
        )
        for r in rows
    }


def breakdown(
    keys: Sequence[str | None],
    names: dict[str | None, tuple[str, str]],
    baseline: dict[str | None, float],
    measures: dict[str | None, Measures],
    window: bool,
    mark_missing: bool = False,
) -> list[Line]:
    """`mark_missing`: a key without a baseline row is 「基準額なし」 (the 業務 table)."""
    out = []
    for key in keys:
        m = measures.get(key, Measures(forecast=0.0 if window else None))
        ja, en = names[key]
        has = not mark_missing or key in baseline
        line = Line(key, ja, en, baseline.get(key, 0.0), m.actual, m.forecast, m.previous, has)
        out.append(line)
    return out


def system_breakdown(
    keys: Sequence[str | None],
    names: dict[str | None, tuple[str, str]],
    baseline: dict[str | None, float],
    measures: dict[str | None, Measures],
    window: bool,
    common_cost: str,
) -> list[Line]:
    """The 業務 table (`report.business`): 「基準額なし」 marks, and the common row apportioned
    when `[report] common_cost = "apportion"`."""
    rows = breakdown(keys, names, baseline, measures, window, mark_missing=True)
    return apportion_common(rows) if common_cost == "apportion" else rows
