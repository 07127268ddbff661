"""ReportData → titled tables of typed cells, in one language: what every document shows.

Terminal, Markdown, HTML, CSV and XLSX render the same tables, so a figure cannot differ between
formats. Table primitives live in `report.tables`, document-level tables in `report.appendix`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gcfinops.allocation.systems import get_system
from gcfinops.baseline import cost_item
from gcfinops.report import appendix, crossward, plan_view
from gcfinops.report.header import ReportHeader
from gcfinops.report.i18n import Fmt
from gcfinops.report.model import Line, ReportData, WardReport, ratio
from gcfinops.report.tables import Cell, Col, Table
from gcfinops.tax import label as _tax_label

__all__ = ["Cell", "Col", "DocView", "Table", "WardView", "build_view"]


@dataclass
class WardView:
    ward: WardReport
    title: str
    tables: list[Table]


@dataclass
class DocView:
    title: str
    subtitle: str
    wards: list[WardView]
    comparison: list[Table]
    notes: list[str]
    appendix: list[Table]
    header: ReportHeader | None = None  # the handout's header block (report.header)


def build_view(data: ReportData, f: Fmt) -> DocView:
    """All tables of a report."""
    wards = [_ward(w, data, f) for w in data.wards]
    if data.is_multi_ward:
        title = f.t("doc.title_multi", fy=f.fy(data.fiscal_year))
    else:
        w = data.wards[0]
        title = f.t(
            "doc.title", ward_name=f.name(w.ward_name, w.ward_name_en), fy=f.fy(data.fiscal_year)
        )
    subtitle = f.t(
        "doc.subtitle",
        as_of=data.as_of.strftime("%Y-%m-%d %H:%M"),
        unit=f.unit_label(),
        tax_basis=tax_label(data.tax_basis, f.lang),
        version=data.version,
    )
    comparison = appendix.comparison(data, f) if data.is_multi_ward else []
    comparison += crossward.tables(data, f)
    return DocView(
        title, subtitle, wards, comparison, appendix.notes(data, f), appendix.appendix(data, f)
    )


def _ward(w: WardReport, data: ReportData, f: Fmt) -> WardView:
    title = f"{f.name(w.ward_name, w.ward_name_en)} ({w.ward})"
    return WardView(
        w,
        title,
        [
            _headline(w, data, f),
            _targets(w, f),
            *plan_view.tables(w, f),
            _by_item(w, f),
            _by_system(w, f),
            _by_month(w, f),
            _by_service(w, f),
            _findings(w, f),
            _allocation(w, f),
        ],
    )


def _headline(w: WardReport, data: ReportData, f: Fmt) -> Table:
    t = Table(
        "summary",
        f.t("section.summary"),
        [Col("item", f.t("col.item")), Col("value", f.t("col.value"), "yen")],
    )
    basis = "/".join(w.baseline_basis) or "—"
    months = [m.month for m in w.by_month if m.status != "future"]
    first, last = (f.month(months[0]), f.month(months[-1])) if months else ("—", "—")
    savings: Any = (
        w.identified_savings_jpy if w.findings_available else Cell(f.t("doc.no_findings"), "text")
    )
    baseline: Any = (
        w.baseline_jpy if w.baseline_jpy is not None else Cell(f.t("doc.no_baseline"), "text")
    )
    forecast: Any = (
        w.forecast_jpy if w.forecast_jpy is not None else Cell(f.t("doc.no_forecast"), "text")
    )
    t.rows = [
        [f.t("headline.baseline", base_fy=f.fy(w.baseline_fiscal_year), basis=basis), baseline],
        [f.t("headline.target", ratio=f"{w.target.ratio:.2f}"), w.target.amount_jpy],
        [f.t("headline.actual", first=first, last=last), w.actual_to_date_jpy],
        [f.t("headline.cloud"), w.cloud_to_date_jpy],
        [f.t("headline.noncloud"), w.noncloud_to_date_jpy],
        *([[f.t("headline.initial"), w.initial_cost_jpy]] if w.initial_cost_jpy else []),
        *(
            [[f.t("headline.prior_year"), w.prior_year_corrections_jpy]]
            if w.prior_year_corrections_jpy
            else []
        ),
        [f.t("headline.previous"), w.previous_fy_to_date_jpy],
        [f.t("headline.forecast"), forecast],
        [f.t("headline.forecast_ratio"), Cell(w.forecast_ratio_to_baseline, "ratio")],
        [f.t("headline.gap"), w.gap_to_target_jpy],
        [f.t("headline.savings", count=w.findings_count), savings],
        [f.t("headline.after"), w.forecast_after_savings_jpy],
        [f.t("headline.after_ratio"), Cell(w.forecast_after_savings_ratio, "ratio")],
        [f.t("headline.month", month=f.month(w.latest_month)), w.month_to_date_jpy],
        [
            f.t("headline.same_month", month=f.month(_prev(w.latest_month))),
            w.same_month_last_fy_jpy,
        ],
        [f.t("headline.tax_basis"), Cell(tax_label(data.tax_basis, f.lang), "text")],
    ]
    return t


def _prev(month: str) -> str:
    return f"{int(month[:4]) - 1}{month[4:]}"


def _targets(w: WardReport, f: Fmt) -> Table:
    t = Table(
        "targets",
        f.t("section.targets"),
        [
            Col("target", f.t("col.target")),
            Col("target_ratio", f.t("col.target_ratio"), "ratio"),
            Col("amount", f.t("col.amount"), "yen"),
            Col("gap", f.t("col.gap"), "yen"),
            Col("met", f.t("col.met")),
        ],
    )
    for target in [w.target, *w.secondary_targets]:
        met = None if target.is_met is None else f.t("doc.yes" if target.is_met else "doc.no")
        t.rows.append(
            [
                f.name(target.name_ja, target.name_en),
                target.ratio,
                target.amount_jpy,
                target.gap_jpy,
                met,
            ]
        )
    return t


def _line_cols(f: Fmt, first: Col) -> list[Col]:
    return [
        first,
        Col("baseline", f.t("col.baseline"), "yen"),
        Col("actual", f.t("col.actual"), "yen"),
        Col("forecast", f.t("col.forecast"), "yen"),
        Col("ratio", f.t("col.ratio"), "ratio"),
        Col("previous", f.t("col.previous"), "yen"),
    ]


def _line_row(line: Line, f: Fmt) -> list[Any]:
    return [
        f.name(line.name_ja, line.name_en),
        line.baseline_jpy if line.has_baseline else Cell(f.t("doc.no_baseline_line"), "text"),
        line.actual_to_date_jpy,
        line.forecast_jpy,
        line.forecast_ratio_to_baseline,
        line.previous_fy_to_date_jpy,
    ]


def _total_row(lines: list[Line], w: WardReport, f: Fmt) -> list[Any]:
    base = sum(x.baseline_jpy for x in lines) if w.baseline_jpy is not None else None
    return [
        f.t("doc.total"),
        base,
        w.actual_to_date_jpy,
        w.forecast_jpy,
        w.forecast_ratio_to_baseline,
        w.previous_fy_to_date_jpy,
    ]


def _by_item(w: WardReport, f: Fmt) -> Table:
    cols = _line_cols(f, Col("cost_item", f.t("col.cost_item")))
    cols.insert(1, Col("group", f.t("col.group")))
    t = Table("by_cost_item", f.t("section.by_cost_item"), cols, total=True)
    for line in w.by_cost_item:
        row = _line_row(line, f)
        row.insert(1, f.t(f"group.{cost_item(str(line.key)).group}"))
        t.rows.append(row)
    total = _total_row(w.by_cost_item, w, f)
    total.insert(1, "")
    t.rows.append(total)
    return t


def _by_system(w: WardReport, f: Fmt) -> Table:
    t = Table(
        "by_business_system",
        f.t("section.by_business_system"),
        _line_cols(f, Col("system", f.t("col.system"))),
        total=True,
    )
    t.rows = [_line_row(line, f) for line in w.by_business_system]
    t.rows.append(_total_row(w.by_business_system, w, f))
    return t


def _by_month(w: WardReport, f: Fmt) -> Table:
    providers = sorted({p for m in w.by_month for p in m.by_provider})
    cols = [
        Col("month", f.t("col.month"), "month"),
        Col("status", f.t("col.status")),
        Col("cloud", f.t("col.cloud"), "yen"),
    ]
    if len(providers) > 1:
        cols += [Col(f"provider:{p}", p, "yen") for p in providers]
    cols += [
        Col("noncloud", f.t("col.noncloud"), "yen"),
        Col("total", f.t("col.total"), "yen"),
        Col("run_rate", f.t("col.run_rate"), "yen"),
        Col("previous", f.t("col.previous_month"), "yen"),
        Col("change", f.t("col.change"), "pct"),
    ]
    t = Table("by_month", f.t("section.by_month"), cols)
    for m in w.by_month:
        status = f.t(f"status.{m.status}")
        if m.through:
            status = f.t("status.through", status=status, day=_day(m.through, f))
        row: list[Any] = [m.month, status, m.cloud_jpy]
        if len(providers) > 1:
            row += [m.by_provider.get(p) if m.status != "future" else None for p in providers]
        change = None
        if m.total_jpy is not None and m.status == "complete" and m.previous_fy_jpy:
            change = m.total_jpy / m.previous_fy_jpy - 1
        row += [m.noncloud_jpy, m.total_jpy, m.forecast_jpy, m.previous_fy_jpy, change]
        t.rows.append(row)
    return t


def _by_service(w: WardReport, f: Fmt) -> Table:
    t = Table(
        "by_service",
        f.t("section.by_service"),
        [
            Col("service", f.t("col.service")),
            Col("provider", f.t("col.provider")),
            Col("actual", f.t("col.actual"), "yen"),
            Col("previous", f.t("col.previous"), "yen"),
            Col("change", f.t("col.change"), "pct"),
        ],
    )
    for s in w.by_service:
        change = ratio(s.fy_to_date_jpy, s.previous_fy_to_date_jpy)
        t.rows.append(
            [
                s.service or "—",
                s.provider,
                s.fy_to_date_jpy,
                s.previous_fy_to_date_jpy,
                None if change is None else change - 1,
            ]
        )
    return t


def _findings(w: WardReport, f: Fmt) -> Table:
    t = Table(
        "findings",
        f.t("section.findings"),
        [
            Col("rule", f.t("col.rule")),
            Col("system", f.t("col.system")),
            Col("resource", f.t("col.resource")),
            Col("monthly_savings", f.t("col.monthly_savings"), "yen"),
            Col("annual_savings", f.t("col.annual_savings"), "yen"),
            Col("recommendation", f.t("col.recommendation")),
            Col("confidence", f.t("col.confidence")),
        ],
    )
    if not w.findings_available:
        t.note = f.t("doc.no_findings")
    for x in w.top_findings:
        system = get_system(x.business_system) if x.business_system else None
        text = x.recommendation_ja if f.lang == "ja" else x.recommendation
        t.rows.append(
            [
                x.rule_id,
                f.name(system.name_ja, system.name_en) if system else "—",
                x.resource_id or "—",
                x.estimated_monthly_savings_jpy,
                x.estimated_monthly_savings_jpy * 12,
                text or x.recommendation or "—",
                f.t(f"confidence.{x.confidence}") if x.confidence else "—",
            ]
        )
    return t


def _allocation(w: WardReport, f: Fmt) -> Table:
    t = Table(
        "allocation",
        f.t("section.allocation"),
        [
            Col("item", f.t("col.item")),
            Col("amount", f.t("col.amount"), "yen"),
            Col("share", f.t("col.share"), "pct"),
        ],
    )
    after = w.cloud_to_date_jpy
    t.rows = [[f.t("allocation.before"), w.cloud_before_apportionment_jpy, None]]
    t.rows += [
        [
            f.t("allocation.rule", name=f.name(a.name_ja, a.name_en), moved=f.yen(a.moved_in_jpy)),
            a.net_jpy,
            None,
        ]
        for a in w.apportionment
    ]
    t.rows += [
        [f.t("allocation.after"), after, None],
        [f.t("allocation.untagged"), w.untagged_cloud_jpy, w.untagged_share],
        [f.t("allocation.unallocated"), w.unallocated_system_cloud_jpy, w.unallocated_system_share],
    ]
    if w.unapportioned_jpy:
        t.rows.append(
            [f.t("allocation.no_basis"), w.unapportioned_jpy, ratio(w.unapportioned_jpy, after)]
        )
    return t


def tax_label(basis: str, lang: str) -> str:
    """税込 / 税抜 (tax included / excluded)."""
    return _tax_label("excluded" if basis == "excluded" else "included", lang)


def _day(day: str, f: Fmt) -> str:
    """'2025-10-10' → '10日' (ja; the month is in the row) or the date itself (en)."""
    return f"{int(day[8:])}日" if f.lang == "ja" else day
