"""ReportData → titled tables of typed cells, in one language: what every document shows.

Terminal, Markdown, HTML, CSV and XLSX render the same tables, so a figure cannot differ between
formats. Table primitives live in `report.tables`, the handout's top (header block, 要旨, 総括表)
in `report.handout`, the breakdowns in `report.lines`, document-level tables in
`report.appendix`. Tables marked `appendix` go to the 別紙 of the two-page handout.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gcfinops.allocation.systems import get_system
from gcfinops.report import appendix, crossward, handout, lines, plan_view
from gcfinops.report.cells import change_cell
from gcfinops.report.header import ReportHeader
from gcfinops.report.i18n import Fmt
from gcfinops.report.model import Finding, ReportData, WardReport, ratio
from gcfinops.report.tables import Cell, Col, Table
from gcfinops.tax import label as _tax_label

__all__ = ["Cell", "Col", "DocView", "Table", "WardView", "build_view"]


@dataclass
class WardView:
    ward: WardReport
    title: str
    tables: list[Table]  # body tables first; those with `appendix` set belong to the 別紙
    summary: list[str] = field(default_factory=list)  # 要旨: three sentences


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
    """All tables of a report, with the header block and the 要旨."""
    head = handout.header(data, f)
    wards = [_ward(w, data, f) for w in data.wards]
    comparison = appendix.comparison(data, f) if data.is_multi_ward else []
    comparison += crossward.tables(data, f)
    for t in comparison:
        t.unit_note = t.unit_note or (f.unit_note() if _has_money(t) else None)
    return DocView(
        head.title,
        head.through_label,
        wards,
        comparison,
        appendix.notes(data, f),
        appendix.appendix(data, f),
        header=head,
    )


def _has_money(t: Table) -> bool:
    return any(c.kind == "yen" for c in t.columns)


def _ward(w: WardReport, data: ReportData, f: Fmt) -> WardView:
    title = f.name(w.ward_name, w.ward_name_en)
    body = [
        handout.summary_table(w, data, f),
        handout.targets(w, f),
        lines.by_cost_item(w, f),
        lines.by_month(w, f),
        handout.findings_summary(w, f),
    ]
    fx = handout.fx_summary(data, f)
    if fx is not None:
        body.append(fx)
    providers = lines.by_month_provider(w, f)
    extra = [
        lines.by_system(w, f),
        *plan_view.tables(w, f),
        *([providers] if providers is not None else []),
        _by_service(w, f),
        _findings(w, f),
        _allocation(w, f),
    ]
    for t in extra:
        t.appendix = True
        if t.unit_note is None and _has_money(t):
            t.unit_note = f.unit_note()
    return WardView(w, title, body + extra, handout.summary_sentences(w, data, f))


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
        t.rows.append(
            [
                s.service or "—",
                s.provider,
                s.fy_to_date_jpy,
                s.previous_fy_to_date_jpy,
                change_cell(s.fy_to_date_jpy, s.previous_fy_to_date_jpy, f),
            ]
        )
    return t


def _findings(w: WardReport, f: Fmt) -> Table:
    return findings_table(w, f, "findings", f.t("section.findings"), w.top_findings, "—")


def findings_table(
    w: WardReport, f: Fmt, key: str, title: str, findings: list[Finding], blank: str | None
) -> Table:
    """One row per finding (rule name and id, 業務, resource, savings, what to do, confidence);
    `blank` stands in an empty text cell ("—" in the body, None in the workbook)."""
    t = Table(
        key,
        title,
        [
            Col("rule", f.t("col.rule")),
            Col("rule_id", f.t("col.rule_id")),
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
    for x in findings:
        system = get_system(x.business_system) if x.business_system else None
        text = x.recommendation_ja if f.lang == "ja" else x.recommendation
        t.rows.append(
            [
                handout.rule_name(x.rule_id, f),
                x.rule_id,
                f.name(system.name_ja, system.name_en) if system else f.t("doc.unassigned"),
                x.resource_id or blank,
                x.estimated_monthly_savings_jpy,
                x.estimated_monthly_savings_jpy * 12,
                text or x.recommendation or blank,
                f.t(f"confidence.{x.confidence}") if x.confidence else blank,
            ]
        )
    return t


def _allocation(w: WardReport, f: Fmt) -> Table:
    t = Table(
        "allocation",
        f.t("section.allocation"),
        [
            Col("item", f.t("col.item")),
            Col("amount", f.t("col.money"), "yen"),
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
