"""The breakdown tables of a ward: 費目別 (with 小計 for 作業費 and 物品費), 業務別, 月別推移.

Columns follow the year's state: while months remain, the 累計実績額 and the 決算見込額; once all
twelve months are final (`closed`), one 実績額 column and no 見込 column. 対前年度 compares the
same months of both years (like for like), 基準額比 the year's amount with the FY2018 baseline.
"""

from __future__ import annotations

from typing import Any

from gcfinops.baseline import cost_item
from gcfinops.report.cells import change_cell, difference, ratio_cell
from gcfinops.report.i18n import Fmt
from gcfinops.report.model import Line, Month, WardReport
from gcfinops.report.tables import Cell, Col, Table


def is_closed(w: WardReport) -> bool:
    """All twelve months of the year are final: nothing is forecast."""
    return bool(w.by_month) and all(m.status == "complete" for m in w.by_month)


def _cols(f: Fmt, first: list[Col], closed: bool) -> list[Col]:
    cols = [
        *first,
        Col("baseline", f.t("col.baseline"), "yen"),
        Col("previous", f.t("col.previous_closed" if closed else "col.previous"), "yen"),
        Col("actual", f.t("col.actual_closed" if closed else "col.actual"), "yen"),
    ]
    if not closed:
        cols.append(Col("forecast", f.t("col.forecast"), "yen"))
    return [
        *cols,
        Col("change_amount", f.t("col.change_amount"), "yen"),
        Col("ratio", f.t("col.ratio"), "ratio"),
    ]


def _row(
    label: list[Any],
    baseline: float | None,
    has_baseline: bool,
    previous: float,
    actual: float,
    forecast: float | None,
    closed: bool,
    f: Fmt,
) -> list[Any]:
    year = actual if closed else forecast
    base: Any = baseline if has_baseline else Cell(f.t("doc.no_baseline_line"), "mark")
    row = [*label, base, previous, actual]
    if not closed:
        row.append(forecast)
    ratio = ratio_cell(year, baseline, f) if has_baseline else None
    return [*row, difference(actual, previous), ratio]


def _line(line: Line, label: list[Any], closed: bool, f: Fmt) -> list[Any]:
    return _row(
        label,
        line.baseline_jpy,
        line.has_baseline,
        line.previous_fy_to_date_jpy,
        line.actual_to_date_jpy,
        line.forecast_jpy,
        closed,
        f,
    )


def _sum(values: list[float | None]) -> float | None:
    return None if any(v is None for v in values) else sum(v or 0.0 for v in values)


def _sum_row(lines: list[Line], label: list[Any], closed: bool, f: Fmt) -> list[Any]:
    return _row(
        label,
        sum(x.baseline_jpy for x in lines),
        any(x.has_baseline for x in lines),
        sum(x.previous_fy_to_date_jpy for x in lines),
        sum(x.actual_to_date_jpy for x in lines),
        _sum([x.forecast_jpy for x in lines]),
        closed,
        f,
    )


def _total(w: WardReport, lines: list[Line], closed: bool, f: Fmt) -> list[Any]:
    return _row(
        [f.t("doc.total")],
        w.baseline_jpy,
        w.baseline_jpy is not None,
        w.previous_fy_to_date_jpy,
        w.actual_to_date_jpy,
        w.forecast_jpy,
        closed,
        f,
    )


def by_cost_item(w: WardReport, f: Fmt) -> Table:
    """費目別内訳: the cost items of each group, a 小計 per group, and the 合計."""
    closed = is_closed(w)
    cols = _cols(
        f, [Col("cost_item", f.t("col.cost_item")), Col("group", f.t("col.group"))], closed
    )
    t = Table("by_cost_item", f.t("section.by_cost_item"), cols, total=True)
    t.unit_note = f.unit_note()
    groups: dict[str, list[Line]] = {}
    for line in w.by_cost_item:
        groups.setdefault(cost_item(str(line.key)).group, []).append(line)
    for group, lines in groups.items():
        name = f.t(f"group.{group}")
        for line in lines:
            t.rows.append(_line(line, [f.name(line.name_ja, line.name_en), name], closed, f))
            t.roles.append("detail")
        t.rows.append(_sum_row(lines, [f.t("doc.subtotal_of", group=name), name], closed, f))
        t.roles.append("subtotal")
    total = _total(w, w.by_cost_item, closed, f)
    t.rows.append([total[0], "", *total[1:]])
    t.roles.append("total")
    return t


def by_system(w: WardReport, f: Fmt) -> Table:
    """業務別内訳 with a 合計 row."""
    closed = is_closed(w)
    t = Table(
        "by_business_system",
        f.t("section.by_business_system"),
        _cols(f, [Col("system", f.t("col.system"))], closed),
        total=True,
    )
    t.unit_note = f.unit_note()
    t.rows = [_line(x, [f.name(x.name_ja, x.name_en)], closed, f) for x in w.by_business_system]
    t.rows.append(_total(w, w.by_business_system, closed, f))
    t.roles = ["detail"] * (len(t.rows) - 1) + ["total"]
    return t


def _status(m: Month, f: Fmt) -> str:
    status = f.t(f"status.{m.status}")
    if m.through:
        day = f"{int(m.through[8:])}日" if f.lang == "ja" else m.through
        status = f.t("status.through", status=status, day=day)
    return status


def by_month(w: WardReport, f: Fmt) -> Table:
    """月別推移: twelve months, a 合計 row and a 累計 column; the 状態 and 見込 columns only
    while some month is not final."""
    closed = is_closed(w)
    forecast = any(m.forecast_jpy is not None for m in w.by_month)
    cols = [Col("month", f.t("col.month"), "month")]
    if not closed:
        cols.append(Col("status", f.t("col.status")))
    cols += [
        Col("cloud", f.t("col.cloud"), "yen"),
        Col("noncloud", f.t("col.noncloud"), "yen"),
        Col("total", f.t("col.total"), "yen"),
        Col("cumulative", f.t("col.cumulative"), "yen"),
    ]
    if forecast:
        cols.append(Col("run_rate", f.t("col.run_rate"), "yen"))
    cols += [
        Col("previous", f.t("col.previous_month"), "yen"),
        Col("change", f.t("col.change_month"), "pct"),
    ]
    t = Table("by_month", f.t("section.by_month"), cols, total=True)
    t.unit_note = f.unit_note()
    running = 0.0
    for m in w.by_month:
        row: list[Any] = [m.month] + ([] if closed else [_status(m, f)])
        cumulative = None
        if m.total_jpy is not None:
            running += m.total_jpy
            cumulative = running
        row += [m.cloud_jpy, m.noncloud_jpy, m.total_jpy, cumulative]
        if forecast:
            row.append(m.forecast_jpy)
        change = change_cell(m.total_jpy, m.previous_fy_jpy, f) if m.status == "complete" else None
        t.rows.append([*row, m.previous_fy_jpy, change])
    t.rows.append(_month_total(w.by_month, closed, forecast, f))
    t.roles = ["detail"] * (len(t.rows) - 1) + ["total"]
    return t


def _month_total(months: list[Month], closed: bool, forecast: bool, f: Fmt) -> list[Any]:
    """The 合計 row: sums of the months with data; the change compares like for like (a month
    to date against the same days of last year's month)."""
    current = [m for m in months if m.status != "future"]
    row: list[Any] = [Cell(f.t("doc.total"), "text")] + ([] if closed else [""])
    row += [
        sum(m.cloud_jpy or 0.0 for m in current),
        sum(m.noncloud_jpy or 0.0 for m in current),
        sum(m.total_jpy or 0.0 for m in current),
        Cell("", "text"),
    ]
    if forecast:
        row.append(sum(m.forecast_jpy or 0.0 for m in months))
    compared = [m for m in current if m.previous_fy_jpy is not None]
    now = sum(m.compared_jpy or 0.0 for m in compared)
    before = sum(m.previous_fy_jpy or 0.0 for m in compared)
    previous = sum(m.previous_fy_jpy or 0.0 for m in compared) if compared else None
    return [*row, previous, change_cell(now, before, f) if compared else None]


def by_month_provider(w: WardReport, f: Fmt) -> Table | None:
    """Cloud cost per provider and month, when the ward uses more than one (別紙)."""
    providers = sorted({p for m in w.by_month for p in m.by_provider})
    if len(providers) < 2:
        return None
    t = Table(
        "by_month_provider",
        f.t("section.by_month_provider"),
        [Col("month", f.t("col.month"), "month")]
        + [Col(f"provider:{p}", p, "yen") for p in providers],
        total=True,
    )
    t.unit_note = f.unit_note()
    current = [m for m in w.by_month if m.status != "future"]
    t.rows = [[m.month, *(m.by_provider.get(p, 0.0) for p in providers)] for m in current]
    t.rows.append(
        [
            Cell(f.t("doc.total"), "text"),
            *(sum(m.by_provider.get(p, 0.0) for m in current) for p in providers),
        ]
    )
    t.roles = ["detail"] * (len(t.rows) - 1) + ["total"]
    return t
