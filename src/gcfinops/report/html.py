"""The report as one self-contained HTML file: inline CSS and SVG, no script, no network.

Laid out as a 財政課 handout on A4 portrait: the header block (資料番号, 作成日, 作成部署, right
aligned), the title and the last usage day, 要旨, 総括表, targets, 費目別, 月別推移 with its
chart, 削減候補 by kind, 換算レート and 注記 on (at most) two pages; then a page break and the
別紙 with the detail tables (業務別, services, findings by resource, sources, monthly rates).
Page numbers come from the print CSS (`@page` margin boxes).

jinja2 autoescape escapes every text (tag values, service names, recommendations); the only
unescaped content is the SVG from `report.svg`, which escapes its own text. A Content-Security-
Policy meta tag forbids scripts and remote loads as a second line of defence. Tested in headless
Chromium (tests/test_report_browser.py, tests/report/test_print_pages.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gcfinops.report import svg
from gcfinops.report.i18n import Fmt
from gcfinops.report.model import ReportData
from gcfinops.report.view import Table, build_view

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_RIGHT = {"yen", "ratio", "pct", "int", "rate", "mark"}


def _table(t: Table, f: Fmt, prefix: str = "") -> dict[str, Any]:
    rows = []
    for i, row in enumerate(t.rows):
        cells = []
        for j, v in enumerate(row):
            value, kind = t.kind_of(j, v)
            text = f.cell(value, kind)
            cls = "num" if kind in _RIGHT else ""
            cells.append((text, f"{cls} col-{t.columns[j].key}".strip()))
        rows.append((cells, t.role(i)))
    headers = [(c.label, f"{'num ' if c.kind in _RIGHT else ''}col-{c.key}") for c in t.columns]
    sep = "：" if f.lang == "ja" else ": "
    return {
        "key": t.key,
        "title": f"{prefix}{sep}{t.title}" if prefix else t.title,
        "note": t.note,
        "unit": t.unit_note if t.rows else None,
        "headers": headers,
        "rows": rows,
    }


def render_html(data: ReportData, f: Fmt) -> str:
    """The whole report as an HTML document (UTF-8 text)."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    doc = build_view(data, f)
    wards, later = [], []
    for w in doc.wards:
        # NOTE: svg.* escape every text they embed, so marking them safe is sound.
        chart = Markup(svg.monthly_chart(w.ward, f))
        prefix = w.title if data.is_multi_ward else ""
        wards.append(
            {
                "code": w.ward.ward,
                "title": w.title if data.is_multi_ward else "",
                "summary": w.summary,
                "chart": chart,
                "tables": [_table(t, f) for t in w.tables if not t.appendix],
            }
        )
        later += [_table(t, f, prefix) for t in w.tables if t.appendix]
    return env.get_template("report.html.j2").render(
        lang=f.lang,
        doc=doc,
        head=doc.header,
        doc_version=data.version,
        wards=wards,
        comparison=[_table(t, f) for t in doc.comparison],
        comparison_title=f.t("section.comparison"),
        summary_title=f.t("doc.summary_title"),
        assumptions_title=f.t("section.assumptions"),
        appendix_title=f.t("doc.appendix"),
        appendix=later + [_table(t, f) for t in doc.appendix],
        none_text=f.t("doc.none"),
        note_prefix="注" if f.lang == "ja" else "Note ",
    )
