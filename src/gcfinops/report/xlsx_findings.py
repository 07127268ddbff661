"""The workbook's 削減候補 sheet: every finding of every ward, one row per resource and rule.

The handout lists kinds of savings (or the top N); the working file keeps the whole list so a
user can filter by 業務 or rule and follow each resource up. There is no 合計 row: findings on
one resource overlap (stop at night *and* downsize), so their sum is not the report's
identified savings (the largest saving per resource, report.sections.findings).
"""

from __future__ import annotations

from gcfinops.allocation.systems import get_system
from gcfinops.report.handout import rule_name
from gcfinops.report.i18n import Fmt
from gcfinops.report.model import Finding, WardReport
from gcfinops.report.tables import Col, Table


def every_finding(w: WardReport) -> list[Finding]:
    """All findings of a ward (the top N for a model built without the full list)."""
    return list(w.all_findings) if w.all_findings else list(w.top_findings)


def findings_table(w: WardReport, f: Fmt, title: str) -> Table:
    t = Table(
        "findings_all",
        title,
        [
            Col("rule", f.t("col.rule")),
            Col("rule_id", f.t("col.rule_id")),  # the technical id: the working file keeps it
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
    for x in every_finding(w):
        system = get_system(x.business_system) if x.business_system else None
        text = x.recommendation_ja if f.lang == "ja" else x.recommendation
        t.rows.append(
            [
                rule_name(x.rule_id, f),
                x.rule_id,
                f.name(system.name_ja, system.name_en) if system else f.t("doc.unassigned"),
                x.resource_id,
                x.estimated_monthly_savings_jpy,
                x.estimated_monthly_savings_jpy * 12,
                text or x.recommendation,
                f.t(f"confidence.{x.confidence}") if x.confidence else None,
            ]
        )
    return t
