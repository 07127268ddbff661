"""The report as one self-contained HTML file: inline CSS and SVG, no script, no network.

jinja2 autoescape escapes every text (tag values, service names, recommendations); the only
unescaped content is the SVG from `report.svg`, which escapes its own text. A Content-Security-
Policy meta tag forbids scripts and remote loads as a second line of defence. A4 print CSS puts
each ward on its own page. Tested in headless Chromium (tests/test_report_browser.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gcfinops.report import svg
from gcfinops.report.i18n import Fmt
from gcfinops.report.model import ReportData, WardReport
from gcfinops.report.view import Table, build_view

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_RIGHT = {"yen", "ratio", "pct", "int", "rate"}


@dataclass(frozen=True)
class _Kpi:
    label: str
    value: str
    alert: bool = False


def _table(t: Table, f: Fmt) -> dict[str, Any]:
    rows = []
    for i, row in enumerate(t.rows):
        cells = []
        for j, v in enumerate(row):
            value, kind = t.kind_of(j, v)
            text = f.cell(value, kind)
            cls = "num" if kind in _RIGHT else ""
            cells.append((text, f"{cls} col-{t.columns[j].key}".strip()))
        rows.append((cells, t.total and i == len(t.rows) - 1))
    headers = [(c.label, f"{'num ' if c.kind in _RIGHT else ''}col-{c.key}") for c in t.columns]
    return {"key": t.key, "title": t.title, "note": t.note, "headers": headers, "rows": rows}


def _kpis(w: WardReport, f: Fmt) -> list[_Kpi]:
    ratio = w.forecast_ratio_to_baseline
    return [
        _Kpi(f.t("col.baseline"), f.yen(w.baseline_jpy)),
        _Kpi(f.t("col.target"), f.yen(w.target.amount_jpy)),
        _Kpi(f.t("col.forecast"), f.yen(w.forecast_jpy)),
        _Kpi(
            f.t("headline.forecast_ratio"),
            f.ratio(ratio),
            alert=ratio is not None and ratio > w.target.ratio,
        ),
        _Kpi(f.t("headline.gap"), f.yen(w.gap_to_target_jpy), alert=(w.gap_to_target_jpy or 0) > 0),
        _Kpi(f.t("col.savings"), f.yen(w.identified_savings_jpy) if w.findings_available else "—"),
    ]


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
    wards = []
    for w in doc.wards:
        charts = {
            # NOTE: svg.* escape every text they embed, so marking them safe is sound.
            "headline": Markup(svg.headline_chart(w.ward, f)),
            "monthly": Markup(svg.monthly_chart(w.ward, f)),
            "cost_items": Markup(svg.cost_item_chart(w.ward, f)),
        }
        wards.append(
            {
                "code": w.ward.ward,
                "title": w.title,
                "kpis": _kpis(w.ward, f),
                "charts": charts,
                "tables": [_table(t, f) for t in w.tables],
            }
        )
    return env.get_template("report.html.j2").render(
        lang=f.lang,
        doc=doc,
        doc_version=data.version,
        wards=wards,
        comparison=[_table(t, f) for t in doc.comparison],
        comparison_title=f.t("section.comparison"),
        assumptions_title=f.t("section.assumptions"),
        appendix=[_table(t, f) for t in doc.appendix],
        none_text=f.t("doc.none"),
    )
