"""The report as Markdown (GitHub-flavoured tables): for wikis, tickets and diffs.

Text cells are escaped (no HTML, no `|`), so a hostile tag value cannot inject markup.
"""

from __future__ import annotations

from gcfinops.report.i18n import Fmt
from gcfinops.report.model import ReportData
from gcfinops.report.safety import markdown_cell
from gcfinops.report.view import Table, build_view

_RIGHT = {"yen", "ratio", "pct", "int", "rate"}


def table_md(t: Table, f: Fmt, level: str = "###") -> list[str]:
    """One table as Markdown lines (heading, optional note, header, rows)."""
    lines = [f"{level} {markdown_cell(t.title)}", ""]
    if t.note:
        lines += [markdown_cell(t.note), ""]
    if not t.rows and t.note:
        return lines
    lines.append("| " + " | ".join(markdown_cell(c.label) for c in t.columns) + " |")
    lines.append("|" + "|".join("---:" if c.kind in _RIGHT else "---" for c in t.columns) + "|")
    if not t.rows:
        lines.append("| " + " | ".join([f.t("doc.none")] + [""] * (len(t.columns) - 1)) + " |")
    for i, row in enumerate(t.rows):
        cells = [markdown_cell(f.cell(*t.kind_of(j, v))) for j, v in enumerate(row)]
        if t.total and i == len(t.rows) - 1:
            cells = [f"**{c}**" if c else c for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def render_markdown(data: ReportData, f: Fmt) -> str:
    """The whole report."""
    doc = build_view(data, f)
    lines = [f"# {markdown_cell(doc.title)}", "", markdown_cell(doc.subtitle), ""]
    for w in doc.wards:
        lines += [f"## {markdown_cell(w.title)}", ""]
        for t in w.tables:
            lines += table_md(t, f)
    if doc.comparison:
        lines += [f"## {markdown_cell(f.t('section.comparison'))}", ""]
        for t in doc.comparison:
            lines += table_md(t, f)
    lines += [f"## {markdown_cell(f.t('section.assumptions'))}", ""]
    lines += [f"- {markdown_cell(n)}" for n in doc.notes] + [""]
    for t in doc.appendix:
        lines += table_md(t, f)
    return "\n".join(lines).rstrip("\n") + "\n"
