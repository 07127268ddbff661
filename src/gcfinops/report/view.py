"""ReportData → titled tables of typed cells, in one language: what every document shows.

Terminal, Markdown, HTML, CSV and XLSX render the same tables, so a figure cannot differ between
formats. Cells keep raw values (floats, strings); a column's `kind` says how to print them
('yen', 'ratio', 'pct', 'month', 'text', 'int', 'rate'); a `Cell` overrides the kind of one cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gcfinops.allocation.systems import get_system
from gcfinops.baseline import cost_item
from gcfinops.report.i18n import Fmt
from gcfinops.report.model import Line, ReportData, WardReport, ratio


@dataclass(frozen=True)
class Cell:
    """A value with its own kind (a headline row mixes yen and ratios)."""

    value: Any
    kind: str


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    kind: str = "text"


@dataclass
class Table:
    """One titled table; `total` marks the last row as a total row."""

    key: str
    title: str
    columns: list[Col]
    rows: list[list[Any]] = field(default_factory=list)
    total: bool = False
    note: str | None = None

    def kind_of(self, col: int, value: Any) -> tuple[Any, str]:
        if isinstance(value, Cell):
            return value.value, value.kind
        return value, self.columns[col].kind


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
        version=data.version,
    )
    comparison = _comparison(data, f) if data.is_multi_ward else []
    return DocView(title, subtitle, wards, comparison, _notes(data, f), _appendix(data, f))


def _ward(w: WardReport, data: ReportData, f: Fmt) -> WardView:
    title = f"{f.name(w.ward_name, w.ward_name_en)} ({w.ward})"
    return WardView(
        w,
        title,
        [
            _headline(w, data, f),
            _targets(w, f),
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
        line.baseline_jpy,
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
        row: list[Any] = [m.month, f.t(f"status.{m.status}"), m.cloud_jpy]
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
                x.confidence or "—",
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
    t.rows = [
        [f.t("allocation.untagged"), w.untagged_cloud_jpy, w.untagged_share],
        [f.t("allocation.unallocated"), w.unallocated_system_cloud_jpy, w.unallocated_system_share],
    ]
    return t


def _comparison(data: ReportData, f: Fmt) -> list[Table]:
    t = Table(
        "comparison",
        f.t("section.comparison_summary"),
        [
            Col("ward", f.t("col.ward")),
            Col("baseline", f.t("col.baseline"), "yen"),
            Col("forecast", f.t("col.forecast"), "yen"),
            Col("ratio", f.t("col.ratio"), "ratio"),
            Col("gap", f.t("headline.gap"), "yen"),
            Col("savings", f.t("col.savings"), "yen"),
            Col("after_ratio", f.t("col.after_ratio"), "ratio"),
        ],
    )
    for w in data.wards:
        t.rows.append(
            [
                f.name(w.ward_name, w.ward_name_en),
                w.baseline_jpy,
                w.forecast_jpy,
                w.forecast_ratio_to_baseline,
                w.gap_to_target_jpy,
                w.identified_savings_jpy,
                w.forecast_after_savings_ratio,
            ]
        )
    keys: list[str | None] = []
    for w in data.wards:
        keys += [x.key for x in w.by_business_system if x.key not in keys]
    keys.sort(key=lambda k: (k is None, _system_order(k)))
    m = Table(
        "comparison_systems",
        f.t("section.comparison_systems"),
        [Col("system", f.t("col.system"))]
        + [Col(w.ward, f.name(w.ward_name, w.ward_name_en), "yen") for w in data.wards],
    )
    for key in keys:
        row: list[Any] = []
        for w in data.wards:
            line = next((x for x in w.by_business_system if x.key == key), None)
            row.append(
                None
                if line is None
                else (
                    line.forecast_jpy if line.forecast_jpy is not None else line.actual_to_date_jpy
                )
            )
        names = next(x for w in data.wards for x in w.by_business_system if x.key == key)
        m.rows.append([f.name(names.name_ja, names.name_en), *row])
    return [t, m]


def _system_order(key: str | None) -> int:
    from gcfinops.allocation.systems import BUSINESS_SYSTEMS

    ids = [s.id for s in BUSINESS_SYSTEMS]
    return ids.index(key) if key in ids else len(ids)


def _notes(data: ReportData, f: Fmt) -> list[str]:
    notes = [
        f.t("note.fiscal_year"),
        f.t("note.cost_column", column=data.cost_column, column_ja=f.t(f"note.{data.cost_column}")),
    ]
    if data.forecast_window:
        window = "〜".join(
            dict.fromkeys([f.month(data.forecast_window[0]), f.month(data.forecast_window[-1])])
        )
        notes.append(
            f.t(
                "note.forecast",
                complete=data.complete_months,
                window_len=len(data.forecast_window),
                window=window,
                remaining=12 - data.complete_months,
            )
        )
    else:
        notes.append(f.t("note.forecast_none"))
    notes += [
        f.t("note.noncloud"),
        f.t("note.target", ratio=f"{data.target_ratio:.2f}"),
        f.t("note.savings"),
        f.t("note.fx") if data.fx_rates else f.t("note.fx_none"),
        f.t("note.rounding"),
        f"{f.t('allocation.unattributed')}: {f.yen(data.unattributed_cloud_jpy)}",
    ]
    return notes


def _appendix(data: ReportData, f: Fmt) -> list[Table]:
    src = Table(
        "sources",
        f.t("section.sources"),
        [
            Col("kind", f.t("col.kind")),
            Col("name", f.t("col.name")),
            Col("period", f.t("col.period")),
            Col("files", f.t("col.files"), "int"),
            Col("detail", f.t("col.detail")),
        ],
    )
    for s in data.sources:
        period = f"{s.first_month} 〜 {s.last_month}" if s.first_month else "—"
        detail = f.t("kind.findings_count", n=s.detail) if s.kind == "findings" else s.detail
        src.rows.append([f.t(f"kind.{s.kind}"), s.name, period, s.files, detail or "—"])
    fx = Table(
        "fx",
        f.t("section.fx"),
        [
            Col("month", f.t("col.month"), "month"),
            Col("currency", f.t("col.currency")),
            Col("rate", f.t("col.rate"), "rate"),
            Col("source", f.t("col.source")),
        ],
    )
    previous = None
    for r in data.fx_rates:
        # A repeated source prints as 〃 (ditto), as Japanese tables do.
        same = previous is not None and (previous.currency, previous.source) == (
            r.currency,
            r.source,
        )
        fx.rows.append([r.month, r.currency, r.rate_jpy, f.t("doc.ditto") if same else r.source])
        previous = r
    return [src, fx] if data.fx_rates else [src]
