"""The report as an Excel workbook (xlsxwriter): numbers as numbers, yen formats, real charts.

Sheets: 概要 (headline, targets, cost items, allocation + charts), 業務別, 月次推移 (+ chart and
services), 削減候補, 区間比較 (several wards), 前提 (method, sources, FX rates). Amounts are
whole yen; `--unit thousand` only changes the number format (Excel's trailing-comma scaling), so
cells keep full values. Text cells are written as strings and formula-neutralized (safety.py);
the workbook's creation time is the report's as_of, so the bytes are reproducible.
"""

from __future__ import annotations

import io
from typing import Any

from gcfinops.money import to_yen
from gcfinops.report.i18n import Fmt
from gcfinops.report.model import ReportData
from gcfinops.report.safety import neutralize
from gcfinops.report.view import DocView, Table, WardView, build_view

SHEETS = {
    "ja": {
        "summary": "概要",
        "systems": "業務別",
        "monthly": "月次推移",
        "findings": "削減候補",
        "comparison": "区間比較",
        "assumptions": "前提",
        "plan": "目標・予算",
    },
    "en": {
        "summary": "Summary",
        "systems": "By system",
        "monthly": "Monthly",
        "findings": "Savings",
        "comparison": "Comparison",
        "assumptions": "Assumptions",
        "plan": "Targets & budget",
    },
}


def number_formats(f: Fmt) -> dict[str, str]:
    """Excel number formats per cell kind, for the report's language and unit."""
    if f.lang == "ja":
        yen = '#,##0"円";"△"#,##0"円"' if f.unit == "yen" else '#,##0,"千円";"△"#,##0,"千円"'
        pct = '0.0%;"△"0.0%'
    else:
        yen = '"¥"#,##0;-"¥"#,##0' if f.unit == "yen" else '"¥"#,##0,"k";-"¥"#,##0,"k"'
        pct = "0.0%;-0.0%"
    return {"yen": yen, "ratio": "0.0%", "pct": pct, "int": "#,##0", "rate": "0.00##"}


class _Writer:
    def __init__(self, wb: Any, f: Fmt) -> None:
        self.wb, self.f = wb, f
        font = {"font_name": "Meiryo UI" if f.lang == "ja" else "Calibri", "font_size": 10}
        self.fmt = {
            k: wb.add_format({**font, "num_format": v}) for k, v in number_formats(f).items()
        }
        self.text = wb.add_format(font)
        self.head = wb.add_format({**font, "bold": True, "bg_color": "#EEF3F9", "border": 1})
        self.title = wb.add_format({**font, "bold": True, "font_size": 13})
        self.h2 = wb.add_format({**font, "bold": True, "font_size": 11})
        self.total = {
            k: wb.add_format({**font, "bold": True, "top": 2, "num_format": v})
            for k, v in number_formats(f).items()
        }
        self.total_text = wb.add_format({**font, "bold": True, "top": 2})

    def string(self, ws: Any, r: int, c: int, text: str, fmt: Any = None) -> None:
        ws.write_string(r, c, neutralize(text), fmt or self.text)

    def cell(self, ws: Any, r: int, c: int, value: Any, kind: str, total: bool) -> None:
        if value is None:
            ws.write_blank(r, c, None, self.total_text if total else self.text)
        elif isinstance(value, str) or kind in ("text", "month"):
            text = self.f.cell(value, kind)
            self.string(ws, r, c, text, self.total_text if total else None)
        else:
            number = float(to_yen(value)) if kind == "yen" else float(value)
            ws.write_number(r, c, number, (self.total if total else self.fmt)[kind])

    def table(self, ws: Any, row: int, t: Table) -> tuple[int, int, int]:
        """Write a titled table; (first data row, last data row, next free row)."""
        self.string(ws, row, 0, t.title, self.h2)
        row += 1
        if t.note:
            self.string(ws, row, 0, t.note)
            row += 1
        for j, col in enumerate(t.columns):
            self.string(ws, row, j, col.label, self.head)
        first = row + 1
        for i, values in enumerate(t.rows):
            is_total = t.total and i == len(t.rows) - 1
            for j, v in enumerate(values):
                value, kind = t.kind_of(j, v)
                self.cell(ws, first + i, j, value, kind, is_total)
        last = first + max(len(t.rows), 1) - 1
        return first, last, last + 2


def _sheet(wb: Any, name: str) -> Any:
    ws = wb.add_worksheet(name)
    ws.set_column(0, 0, 36)
    ws.set_column(1, 12, 16)
    return ws


def _summary(w: _Writer, ws: Any, wv: WardView, row: int) -> int:
    f, sheet = w.f, ws.get_name()
    w.string(ws, row, 0, wv.title, w.title)
    row += 2
    tables = {t.key: t for t in wv.tables}
    first, _, row = w.table(ws, row, tables["summary"])
    chart = w.wb.add_chart({"type": "bar"})
    # Headline rows: baseline, target, the year's amount (report.handout.summary_table)
    labels = [str(r[0]) for r in tables["summary"].rows]
    year = {f.t("headline.forecast"), f.t("headline.closed")}
    for offset in (0, 1, next((i for i, x in enumerate(labels) if x in year), 3)):
        r = first + offset
        chart.add_series(
            {
                "name": [sheet, r, 0],
                "values": [sheet, r, 1, r, 1],
                "categories": [sheet, r, 0, r, 0],
                "data_labels": {"value": True, "num_format": w.fmt["yen"].num_format},
            }
        )
    chart.set_title({"name": f.t("section.summary")})
    chart.set_x_axis({"num_format": number_formats(f)["yen"]})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 620, "height": 300})
    ws.insert_chart(first - 2, 3, chart)
    row = max(row, first + 16)
    _, _, row = w.table(ws, row, tables["targets"])
    first, last, row = w.table(ws, row, tables["by_cost_item"])
    items = w.wb.add_chart({"type": "bar"})
    for col in (2, 4):  # baseline, forecast
        items.add_series(
            {
                "name": [sheet, first - 1, col],
                "categories": [sheet, first, 0, last - 1, 0],
                "values": [sheet, first, col, last - 1, col],
            }
        )
    items.set_title({"name": f.t("section.by_cost_item")})
    items.set_x_axis({"num_format": number_formats(f)["yen"]})
    items.set_legend({"position": "bottom"})
    items.set_size({"width": 720, "height": 380})
    ws.insert_chart(row, 0, items)
    row += 20
    _, _, row = w.table(ws, row, tables["allocation"])
    return row + 1


def _monthly(w: _Writer, ws: Any, wv: WardView, row: int) -> int:
    f, sheet = w.f, ws.get_name()
    w.string(ws, row, 0, wv.title, w.title)
    row += 2
    t = next(t for t in wv.tables if t.key == "by_month")
    first, last, row = w.table(ws, row, t)
    last -= 1  # the 合計 row is not a month
    col = {c.key: j for j, c in enumerate(t.columns)}
    bars = w.wb.add_chart({"type": "column", "subtype": "stacked"})
    for key in ("cloud", "noncloud"):
        bars.add_series(
            {
                "name": [sheet, first - 1, col[key]],
                "categories": [sheet, first, 0, last, 0],
                "values": [sheet, first, col[key], last, col[key]],
            }
        )
    line = w.wb.add_chart({"type": "line"})
    line.add_series(
        {
            "name": [sheet, first - 1, col["previous"]],
            "categories": [sheet, first, 0, last, 0],
            "values": [sheet, first, col["previous"], last, col["previous"]],
            "marker": {"type": "circle"},
        }
    )
    if "run_rate" in col:  # only while some month is forecast
        line.add_series(
            {
                "name": [sheet, first - 1, col["run_rate"]],
                "categories": [sheet, first, 0, last, 0],
                "values": [sheet, first, col["run_rate"], last, col["run_rate"]],
                "line": {"dash_type": "dash"},
            }
        )
    bars.combine(line)
    bars.set_title({"name": f.t("section.by_month")})
    bars.set_y_axis({"num_format": number_formats(f)["yen"]})
    bars.set_legend({"position": "bottom"})
    bars.set_size({"width": 760, "height": 340})
    ws.insert_chart(row, 0, bars)
    row += 19
    _, _, row = w.table(ws, row, next(t for t in wv.tables if t.key == "by_service"))
    return row + 1


def _plain(w: _Writer, ws: Any, doc: DocView, key: str) -> None:
    row = 0
    for wv in doc.wards:
        w.string(ws, row, 0, wv.title, w.title)
        _, _, row = w.table(ws, row + 2, next(t for t in wv.tables if t.key == key))


# Tables placed on the sheets above; every other ward table (targets by base, budget, …) goes
# to the "plan" sheet, so a new section shows in the workbook without another edit here.
_PLACED = frozenset(
    {"summary", "targets", "by_cost_item", "allocation", "by_business_system", "by_month"}
    | {"by_service", "findings"}
)


def _plan(w: _Writer, ws: Any, doc: DocView) -> None:
    row = 0
    for wv in doc.wards:
        w.string(ws, row, 0, wv.title, w.title)
        row += 2
        for t in wv.tables:
            if t.key not in _PLACED:
                _, _, row = w.table(ws, row, t)


def render_xlsx(data: ReportData, f: Fmt) -> bytes:
    """The workbook as bytes."""
    import xlsxwriter

    doc = build_view(data, f)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    wb.set_properties(
        {
            "title": doc.title,
            "created": data.as_of.replace(tzinfo=None),
            "comments": f"gcfinops {data.version}",
        }
    )
    w = _Writer(wb, f)
    names = SHEETS[f.lang]
    summary = _sheet(wb, names["summary"])
    row = 0
    w.string(summary, row, 0, doc.title, w.title)
    w.string(summary, row + 1, 0, doc.subtitle)
    row += 3
    for wv in doc.wards:
        row = _summary(w, summary, wv, row)
    _plan(w, _sheet(wb, names["plan"]), doc)
    _plain(w, _sheet(wb, names["systems"]), doc, "by_business_system")
    monthly = _sheet(wb, names["monthly"])
    row = 0
    for wv in doc.wards:
        row = _monthly(w, monthly, wv, row)
    findings = _sheet(wb, names["findings"])
    findings.set_column(5, 5, 60)
    _plain(w, findings, doc, "findings")
    if doc.comparison:
        ws = _sheet(wb, names["comparison"])
        row = 0
        for t in doc.comparison:
            _, _, row = w.table(ws, row, t)
    notes = _sheet(wb, names["assumptions"])
    notes.set_column(1, 1, 40)
    notes.set_column(3, 3, 60)
    row = 0
    for n in doc.notes:
        w.string(notes, row, 0, n)
        row += 1
    row += 1
    for t in doc.appendix:
        _, _, row = w.table(notes, row, t)
    wb.close()
    return buf.getvalue()
