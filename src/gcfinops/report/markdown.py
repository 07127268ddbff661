"""The report as Markdown (GitHub-flavoured tables): for wikis, tickets and diffs.

The same order as the printed handout: header block (資料番号, 作成日, 作成部署), title, the
last usage day, 要旨, the body tables each under its unit line, 注記, then 別紙 with the
appendix tables. Text cells are escaped (no HTML, no `|`), so a hostile tag value cannot inject
markup.
"""

from __future__ import annotations

from gcfinops.report.i18n import Fmt
from gcfinops.report.model import ReportData
from gcfinops.report.safety import markdown_cell
from gcfinops.report.view import DocView, Table, build_view

_RIGHT = {"yen", "ratio", "pct", "int", "rate", "mark"}


def table_md(t: Table, f: Fmt, level: str = "###", prefix: str = "") -> list[str]:
    """One table as Markdown lines (heading, unit line, optional note, header, rows)."""
    title = f"{prefix}{'：' if f.lang == 'ja' else ': '}{t.title}" if prefix else t.title
    lines = [f"{level} {markdown_cell(title)}", ""]
    if t.unit_note and t.rows:
        lines += [markdown_cell(t.unit_note), ""]
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
        if t.role(i) != "detail":
            cells = [f"**{c}**" if c else c for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def _header(doc: DocView, f: Fmt) -> list[str]:
    """The block above the title: 資料番号 / 作成日 / 作成部署, one per line."""
    head = doc.header
    if head is None:
        return []
    items = [head.document_number, head.prepared_on_label, head.department]
    block = [markdown_cell(x) for x in items if x]
    return ["  \n".join(block), ""]


def render_markdown(data: ReportData, f: Fmt) -> str:
    """The whole report."""
    doc = build_view(data, f)
    lines = [*_header(doc, f), f"# {markdown_cell(doc.title)}", "", markdown_cell(doc.subtitle), ""]
    later: list[tuple[str, Table]] = []
    for w in doc.wards:
        if data.is_multi_ward:
            lines += [f"## {markdown_cell(w.title)}", ""]
        if w.summary:
            lines += [f"### {markdown_cell(f.t('doc.summary_title'))}", ""]
            lines += [markdown_cell(("" if f.lang == "ja" else " ").join(w.summary)), ""]
        for t in w.tables:
            if t.appendix:
                later.append((w.title if data.is_multi_ward else "", t))
            else:
                lines += table_md(t, f)
    if doc.comparison:
        lines += [f"## {markdown_cell(f.t('section.comparison'))}", ""]
        for t in doc.comparison:
            lines += table_md(t, f)
    lines += [f"## {markdown_cell(f.t('section.assumptions'))}", ""]
    lines += [f"{i}. {markdown_cell(n)}" for i, n in enumerate(doc.notes, 1)] + [""]
    lines += [f"## {markdown_cell(f.t('doc.appendix'))}", ""]
    for ward, t in [*later, *(("", t) for t in doc.appendix)]:
        lines += table_md(t, f, prefix=ward)
    return "\n".join(lines).rstrip("\n") + "\n"
