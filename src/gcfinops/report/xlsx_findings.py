"""The workbook's 削減候補 sheet: every finding of every ward, one row per resource and rule.

The handout lists kinds of savings (or the top N); the working file keeps the whole list so a
user can filter by 業務 or rule and follow each resource up. There is no 合計 row: findings on
one resource overlap (stop at night *and* downsize), so their sum is not the report's
identified savings (the largest saving per resource, report.sections.findings).
"""

from __future__ import annotations

from gcfinops.report.i18n import Fmt
from gcfinops.report.model import Finding, WardReport
from gcfinops.report.tables import Table
from gcfinops.report.view import findings_table as view_findings_table


def every_finding(w: WardReport) -> list[Finding]:
    """All findings of a ward (the top N for a model built without the full list)."""
    return list(w.all_findings) if w.all_findings else list(w.top_findings)


def findings_table(w: WardReport, f: Fmt, title: str) -> Table:
    """Every finding of the ward, empty cells where the body prints "—"."""
    return view_findings_table(w, f, "findings_all", title, every_finding(w), None)
