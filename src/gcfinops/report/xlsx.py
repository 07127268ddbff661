"""The report as an Excel workbook (xlsxwriter): a working file a 財政課 keeps, not an export.

Sheets: 概要 (header block, headline, targets, cost items, allocation + charts), 目標・予算,
業務別, 月次推移 (+ chart and services), 削減候補 (every finding), 区間比較 (several wards),
前提 (notes, sources), 換算レート. Detail sheets (業務別, 月次推移, 削減候補, 換算レート) hold one
table each — several wards stacked with a 区 column — so they get a frozen header, an
auto-filter and a header row repeated on every printed page. Cell types, formulas and styles:
report.xlsx_table, xlsx_formulas, xlsx_style; print setup and properties: report.xlsx_page.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from gcfinops.report.i18n import Fmt
from gcfinops.report.model import ReportData
from gcfinops.report.tables import Table
from gcfinops.report.view import DocView, WardView, build_view
from gcfinops.report.xlsx_findings import findings_table
from gcfinops.report.xlsx_formulas import cell_ref
from gcfinops.report.xlsx_page import PageText, print_setup, set_properties
from gcfinops.report.xlsx_style import Styles, number_formats
from gcfinops.report.xlsx_table import Placed, TableWriter, merge_wards

__all__ = ["SHEETS", "number_formats", "render_xlsx"]

SHEETS = {
    "ja": {
        "summary": "概要",
        "systems": "業務別",
        "monthly": "月次推移",
        "findings": "削減候補",
        "comparison": "区間比較",
        "assumptions": "前提",
        "plan": "目標・予算",
        "fx": "換算レート",
    },
    "en": {
        "summary": "Summary",
        "systems": "By system",
        "monthly": "Monthly",
        "findings": "Savings",
        "comparison": "Comparison",
        "assumptions": "Assumptions",
        "plan": "Targets & budget",
        "fx": "FX rates",
    },
}
# Tables placed on the sheets above; every other ward table (targets by base, budget, …) goes
# to the "plan" sheet, so a new section shows in the workbook without another edit here.
_PLACED = frozenset(
    {"summary", "targets", "by_cost_item", "allocation", "by_business_system", "by_month"}
    | {"by_service", "findings"}
)


class _Book:
    """The workbook being written: styles, table writer, page texts."""

    def __init__(self, wb: Any, doc: DocView, data: ReportData, f: Fmt) -> None:
        self.wb, self.doc, self.data, self.f = wb, doc, data, f
        self.st = Styles(wb, f)
        self.w = TableWriter(self.st, f, data.target_ratio)
        self.page = PageText.of(doc, f)
        self.names = SHEETS[f.lang]

    def sheet(self, key: str, *, landscape: bool = False) -> Any:
        ws = self.wb.add_worksheet(self.names[key])
        ws.set_column(0, 0, 36)
        ws.set_column(1, 12, 14)
        print_setup(ws, self.page, landscape=landscape)
        return ws

    def title_block(self, ws: Any, row: int = 0) -> int:
        """Title and subtitle lines; the next free row."""
        h = self.doc.header
        self.w.string(ws, row, 0, h.title if h else self.doc.title, self.st.title)
        self.w.string(ws, row + 1, 0, h.through_label if h else self.doc.subtitle)
        return row + 2

    def detail(self, key: str, table: Table, *, landscape: bool, freeze_col: int) -> Any:
        """A sheet of one table: frozen under its header, filtered, header row on every page."""
        ws = self.sheet(key, landscape=landscape)
        placed = self.w.table(ws, self.title_block(ws), table)
        ws.repeat_rows(placed.header)  # row 4, or 5 under a note (e.g. 未分析)
        ws.freeze_panes(placed.first, freeze_col)
        # several wards: every row, so filtering by 区 shows that ward with its 合計; one ward:
        # the details only, so sorting never moves the 合計 below them
        last = placed.last if len(self.doc.wards) > 1 else placed.filter_last
        ws.autofilter(placed.header, 0, max(last, placed.header), placed.ncols - 1)
        return ws, placed

    def ward_table(self, key: str) -> Table:
        """The table `key` of every ward: as it is for one ward, merged with a 区 column else."""
        wards = self.doc.wards
        if len(wards) == 1:
            return _find(wards[0], key)
        parts = [(self.f.name(v.ward.ward_name, v.ward.ward_name_en), _find(v, key)) for v in wards]
        return merge_wards(parts, self.f.t("col.ward"))


def _find(wv: WardView, key: str) -> Table:
    return next(t for t in wv.tables if t.key == key)


def _header_block(b: _Book, ws: Any) -> int:
    """The 資料 header: title, period; 資料番号 / 作成日 / 作成部署 right-aligned at the top."""
    row = b.title_block(ws)
    h = b.doc.header
    if h is not None:
        block = [h.document_number, h.prepared_on_label, h.department]
        for i, text in enumerate(t for t in block if t):
            b.w.string(ws, i, 6, text, b.st.unit)
    return row + 1


def _summary(b: _Book, ws: Any, wv: WardView, row: int) -> int:
    f, sheet, w = b.f, ws.get_name(), b.w
    w.string(ws, row, 0, wv.title, b.st.title)
    row += 2
    summary = _find(wv, "summary")
    placed = w.table(ws, row, summary)
    offsets = _headline_rows(summary, wv)
    if offsets:  # a chart needs a series: none without a baseline, target or forecast
        chart = b.wb.add_chart({"type": "bar"})
        for offset in offsets:
            r = placed.first + offset
            chart.add_series(
                {
                    "name": [sheet, r, 0],
                    "values": [sheet, r, 1, r, 1],
                    "categories": [sheet, r, 0, r, 0],
                    "data_labels": {"value": True, "num_format": number_formats(f)["yen"]},
                }
            )
        chart.set_title({"name": f.t("section.summary")})
        chart.set_x_axis({"num_format": number_formats(f)["yen"]})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 620, "height": 300})
        ws.insert_chart(placed.first - 2, 3, chart)
    row = max(placed.next, placed.first + 16)
    row = w.table(ws, row, _find(wv, "targets")).next
    items = w.table(ws, row, _find(wv, "by_cost_item"))
    _items_chart(b, ws, items, _find(wv, "by_cost_item"))
    row = items.next + 20
    return w.table(ws, row, _find(wv, "allocation")).next + 1


def _headline_rows(t: Table, wv: WardView) -> list[int]:
    """Rows of the headline holding the baseline, the target, the forecast and the forecast
    after savings, found by their figures in that order (labels change with the handout)."""
    w = wv.ward
    wanted = [w.baseline_jpy, w.target.amount_jpy, w.forecast_jpy, w.forecast_after_savings_jpy]
    out: list[int] = []
    start = 0
    for value in wanted:
        if value is None:
            continue
        for i in range(start, len(t.rows)):
            cell, _ = t.kind_of(1, t.rows[i][1])
            number = isinstance(cell, (int, float, Decimal)) and not isinstance(cell, bool)
            if number and float(cell) == float(value):
                out.append(i)
                start = i + 1
                break
    return out


def _items_chart(b: _Book, ws: Any, placed: Placed, t: Table) -> None:
    sheet = ws.get_name()
    col = {c.key: j for j, c in enumerate(t.columns)}
    details = [placed.first + i for i in range(len(t.rows)) if t.role(i) == "detail"]
    if not details or not {"baseline", "forecast", "actual"} & set(col):
        return
    chart = b.wb.add_chart({"type": "bar"})
    # baseline against the year's figure: 見込 while months remain, 実績 once all are closed
    for key in ("baseline", "forecast" if "forecast" in col else "actual"):
        if key in col:
            chart.add_series(
                {
                    "name": [sheet, placed.header, col[key]],
                    "categories": _ranges(sheet, details, 0),
                    "values": _ranges(sheet, details, col[key]),
                }
            )
    chart.set_title({"name": t.title})
    chart.set_x_axis({"num_format": number_formats(b.f)["yen"]})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 720, "height": 380})
    ws.insert_chart(placed.next, 0, chart)


def _ranges(sheet: str, rows: list[int], col: int) -> str:
    """A chart range over sheet rows `rows` of one column; non-contiguous when 小計 rows sit
    between the details (`=(S!$A$5:$A$7,S!$A$9:$A$12)`)."""
    runs: list[tuple[int, int]] = []
    for r in rows:
        if runs and runs[-1][1] == r - 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    quoted = "'" + sheet.replace("'", "''") + "'"
    parts = [f"{quoted}!{cell_ref(a, col, True)}:{cell_ref(b, col, True)}" for a, b in runs]
    return "=" + parts[0] if len(parts) == 1 else "=(" + ",".join(parts) + ")"


def _ward_name(b: _Book, wv: WardView) -> str:
    return b.f.name(wv.ward.ward_name, wv.ward.ward_name_en)


def _monthly(b: _Book) -> None:
    """月次推移: the months of every ward, a chart per ward below, then the cloud services."""
    f, multi = b.f, len(b.doc.wards) > 1
    t = b.ward_table("by_month")
    ws, placed = b.detail("monthly", t, landscape=True, freeze_col=2 if multi else 1)
    sheet, row = ws.get_name(), placed.next
    col = {c.key: j for j, c in enumerate(t.columns)}
    for wv in b.doc.wards:
        name = _ward_name(b, wv)
        rows = [
            placed.first + i
            for i in range(len(t.rows))
            if t.role(i) == "detail" and (not multi or t.rows[i][0] == name)
        ]
        if not rows or "month" not in col or not {"cloud", "noncloud"} & set(col):
            continue
        bars = b.wb.add_chart({"type": "column", "subtype": "stacked"})
        lines = any(key in col for key in ("previous", "run_rate"))
        line = b.wb.add_chart({"type": "line"}) if lines else bars
        series: tuple[tuple[Any, str, dict[str, Any]], ...] = (
            (bars, "cloud", {}),
            (bars, "noncloud", {}),
            (line, "previous", {"marker": {"type": "circle"}}),
            (line, "run_rate", {"line": {"dash_type": "dash"}}),
        )
        for chart, key, style in series:
            if key in col:
                chart.add_series(
                    {
                        "name": [sheet, placed.header, col[key]],
                        "categories": _ranges(sheet, rows, col["month"]),
                        "values": _ranges(sheet, rows, col[key]),
                        **style,
                    }
                )
        if lines:
            bars.combine(line)
        title = f.t("section.by_month")
        bars.set_title({"name": f"{title}（{name}）" if multi else title})
        # one fiscal year: 4月…3月 on the axis (the year is in the title), not serial numbers
        bars.set_x_axis({"num_format": 'm"月"' if f.lang == "ja" else "mmm", "text_axis": True})
        bars.set_y_axis({"num_format": number_formats(f)["yen"]})
        bars.set_legend({"position": "bottom"})
        bars.set_size({"width": 760, "height": 340})
        ws.insert_chart(row, 0, bars)
        row += 19
    b.w.table(ws, row, b.ward_table("by_service"))


def _findings(b: _Book) -> None:
    """削減候補: every finding of every ward (report.xlsx_findings)."""
    title = b.names["findings"] + ("一覧" if b.f.lang == "ja" else ": every finding")
    parts = [(_ward_name(b, wv), findings_table(wv.ward, b.f, title)) for wv in b.doc.wards]
    t = parts[0][1] if len(parts) == 1 else merge_wards(parts, b.f.t("col.ward"))
    if len(parts) > 1:
        t.note = None  # per ward; the empty rows say it
    ws, _ = b.detail("findings", t, landscape=True, freeze_col=0)
    rec = next(j for j, c in enumerate(t.columns) if c.key == "recommendation")
    ws.set_column(rec, rec, 60)


def _plan(b: _Book) -> None:
    """目標・予算: every ward table no other sheet places (targets by base, budget, …)."""
    ws = b.sheet("plan")
    row = b.title_block(ws) + 1
    for wv in b.doc.wards:
        b.w.string(ws, row, 0, wv.title, b.st.title)
        row += 2
        for t in wv.tables:
            if t.key not in _PLACED:
                row = b.w.table(ws, row, t).next


def _notes(b: _Book) -> None:
    """前提: the notes (wrapped, numbered by the view) and the sources; FX rates on their own
    sheet so they can be filtered."""
    ws = b.sheet("assumptions")
    ws.set_column(0, 0, 100)
    row = b.title_block(ws) + 1
    b.w.string(ws, row, 0, b.f.t("section.assumptions"), b.st.h2)
    row += 1
    for note in b.doc.notes:
        b.w.string(ws, row, 0, note, b.st.wrap)
        row += 1
    row += 1
    fx = [t for t in b.doc.appendix if t.key == "fx"]
    for t in b.doc.appendix:
        if t.key != "fx":
            row = b.w.table(ws, row, t).next
    if fx:
        b.detail("fx", fx[0], landscape=False, freeze_col=0)


def render_xlsx(data: ReportData, f: Fmt) -> bytes:
    """The workbook as bytes."""
    import xlsxwriter

    doc = build_view(data, f)
    buf = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    wb = xlsxwriter.Workbook(buf, {**options, "strings_to_numbers": False})
    set_properties(wb, doc, data, f)
    b = _Book(wb, doc, data, f)
    summary = b.sheet("summary")
    row = _header_block(b, summary)
    for wv in doc.wards:
        row = _summary(b, summary, wv, row)
    _plan(b)
    b.detail(
        "systems",
        b.ward_table("by_business_system"),
        landscape=False,
        freeze_col=2 if data.is_multi_ward else 1,
    )
    _monthly(b)
    _findings(b)
    if doc.comparison:
        ws = b.sheet("comparison", landscape=True)
        row = b.title_block(ws) + 1
        for t in doc.comparison:
            row = b.w.table(ws, row, t).next
    _notes(b)
    wb.close()
    return buf.getvalue()
