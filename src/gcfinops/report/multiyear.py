"""The multi-year view (issue #13 item 5): `report --years 5` or `--from-fy 2021`.

For each fiscal year of the span the same computation as the report's own year runs (`build`
is `report.data.build_report`), so every figure is the one a one-year report of that year
shows: the year's total (actual for a closed year, the FY-end forecast for the open one), the
share of 運用保守 (operation and maintenance: system_operation, hardware_maintenance_work,
hardware_maintenance, software_maintenance) and each target's gap. A year without data is
listed with empty figures, not dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from gcfinops.errors import NoDataError
from gcfinops.report.model import ReportData, WardReport
from gcfinops.report.plan_model import YearPoint

MAINTENANCE_ITEMS = frozenset(
    {
        "system_operation",
        "hardware_maintenance_work",
        "hardware_maintenance",
        "software_maintenance",
    }
)


def _point(w: WardReport | None, fy: int) -> YearPoint:
    if w is None or (w.actual_to_date_jpy == 0 and w.forecast_jpy in (None, 0.0)):
        return YearPoint(fy, None, False, None)  # no cost data for the year
    complete = all(m.status == "complete" for m in w.by_month)
    total = w.actual_to_date_jpy if complete else w.forecast_jpy
    lines = [x for x in w.by_cost_item if x.key in MAINTENANCE_ITEMS]
    maintenance = sum(
        (x.actual_to_date_jpy if complete else (x.forecast_jpy or 0.0)) for x in lines
    )
    return YearPoint(fy, total, not complete, maintenance, {t.id: t.gap_jpy for t in w.targets})


def add_trajectory(
    data: ReportData, years: list[int], build: Callable[[int], ReportData]
) -> ReportData:
    """`data` with each ward's trajectory over `years` (data's own year reused)."""
    by_year: dict[int, ReportData | None] = {data.fiscal_year: data}
    for fy in years:
        if fy in by_year:
            continue
        try:
            by_year[fy] = build(fy)
        except NoDataError:
            by_year[fy] = None
    wards = []
    for w in data.wards:
        points = []
        for fy in sorted(years):
            other = by_year.get(fy)
            match = next((x for x in other.wards if x.ward == w.ward), None) if other else None
            points.append(_point(match, fy))
        wards.append(replace(w, trajectory=points))
    return replace(data, wards=wards)
