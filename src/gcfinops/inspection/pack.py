"""The evidence pack (検収調書): the inspection as an XLSX workbook or a self-contained HTML page.

Both carry the cover (month, ward, provider, billing account, invoice id, billed, recomputed,
differences by cause, result, and blank fields for the inspector's name, date and seal), the
per-service table, the unexplained lines with source file and row, and the SHA-256 of every
source file so the pack can be matched with the files it was built from. Bill text is data:
XLSX cells are written as strings and formula-neutralized (report/safety.py); HTML goes through
jinja2 autoescape, with a CSP that forbids scripts and remote loads.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from gcfinops.inspection.labels import amount, label
from gcfinops.inspection.model import Inspection
from gcfinops.inspection.tolerance import CAUSES
from gcfinops.report.safety import neutralize

_TEMPLATES = Path(__file__).resolve().parent / "templates"


def cover_rows(result: Inspection, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs of the cover, shared by both formats."""
    s = result.scope
    providers = sorted({g.provider for g in result.groups})
    accounts = sorted({g.billing_account for g in result.groups})
    cur = result.currency
    rows = [
        (label(lang, "month"), s.month),
        (label(lang, "ward"), f"{s.ward_name or ''} {s.ward or ''}".strip() or "—"),
        (label(lang, "provider"), ", ".join(providers)),
        (label(lang, "billing_account"), ", ".join(accounts)),
        (label(lang, "invoice_id"), ", ".join(result.invoice_ids) or "—"),
        (label(lang, "currency"), cur),
        (label(lang, "billed"), amount(result.total.billed, cur, lang)),
        (label(lang, "recomputed"), amount(result.total.recomputed, cur, lang)),
    ]
    rows += [
        (label(lang, f"cause.{c}"), amount(v, cur, lang)) for c, v in result.total.causes.items()
    ]
    rows.append((label(lang, "result"), label(lang, f"status.{result.status}")))
    if result.invoice is not None:
        inv = result.invoice
        rows += [
            (label(lang, "invoice_total"), amount(inv.invoice_total, inv.currency, lang)),
            (label(lang, "lake_total"), amount(inv.lake_total, inv.currency, lang)),
            (
                label(lang, "lake_excluding_tax"),
                amount(inv.lake_total - inv.lake_tax, inv.currency, lang),
            ),
            (label(lang, "lake_tax"), amount(inv.lake_tax, inv.currency, lang)),
            (
                label(lang, "difference"),
                f"{amount(inv.difference, inv.currency, lang)} "
                f"({label(lang, f'cause.{inv.cause}')})",
            ),
        ]
    rows.append(
        (
            label(lang, "basis"),
            label(lang, "basis.text", tol=format(result.line_tolerance, "f"), cur=cur,
                  n=result.total.lines_taken_as_billed),
        )
    )  # fmt: skip
    return rows


def to_xlsx(result: Inspection, lang: str = "ja") -> bytes:
    """The pack as a workbook: 検収調書 (cover), サービス別, 説明できない明細, 元ファイル."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False})  # fmt: skip
    wb.set_properties({"title": label(lang, "title"), "created": None})
    font = {"font_name": "Meiryo UI" if lang == "ja" else "Calibri", "font_size": 10}
    text = wb.add_format(font)
    bold = wb.add_format({**font, "bold": True})
    title = wb.add_format({**font, "bold": True, "font_size": 14})
    head = wb.add_format({**font, "bold": True, "bg_color": "#EEF3F9", "border": 1})
    box = wb.add_format({**font, "border": 1})
    num = wb.add_format({**font, "num_format": "#,##0.00########;[Red]-#,##0.00########"})

    def s(ws: Any, r: int, c: int, value: str, fmt: Any = text) -> None:
        ws.write_string(r, c, neutralize(value), fmt)

    names = (
        ("検収調書", "サービス別", "説明できない明細", "元ファイル")
        if lang != "en"
        else ("Inspection", "By service", "Unexplained lines", "Source files")
    )
    cover = wb.add_worksheet(names[0])
    cover.set_column(0, 0, 36)
    cover.set_column(1, 1, 60)
    s(cover, 0, 0, label(lang, "title"), title)
    r = 2
    for key, value in cover_rows(result, lang):
        s(cover, r, 0, key, bold)
        s(cover, r, 1, value)
        r += 1
    r += 1
    s(cover, r, 0, label(lang, "inspector"), bold)
    for i, key in enumerate(("inspector_name", "inspector_date", "seal")):
        s(cover, r + 1 + i, 0, label(lang, key), box)
        cover.write_blank(r + 1 + i, 1, None, box)
    cover.set_row(r + 3, 48)

    svc = wb.add_worksheet(names[1])
    headers = [label(lang, "service"), label(lang, "billed"), label(lang, "recomputed"),
               *(label(lang, f"cause.{c}") for c in CAUSES)]  # fmt: skip
    for j, h in enumerate(headers):
        s(svc, 0, j, h, head)
    svc.set_column(0, 0, 40)
    svc.set_column(1, len(headers), 16)
    for i, row in enumerate(result.services, start=1):
        s(svc, i, 0, row.service)
        b = row.breakdown
        for j, v in enumerate((b.billed, b.recomputed, *(b.causes[c] for c in CAUSES)), start=1):
            svc.write_number(i, j, float(v), num)

    lines = wb.add_worksheet(names[2])
    headers = [label(lang, k) for k in ("source_file", "source_row", "resource_id", "service",
                                         "billed", "recomputed", "difference", "unit_price",
                                         "quantity", "pricing_unit")]  # fmt: skip
    for j, h in enumerate(headers):
        s(lines, 0, j, h, head)
    lines.set_column(0, 0, 60)
    lines.set_column(2, 3, 30)
    for i, u in enumerate(result.unexplained_lines, start=1):
        s(lines, i, 0, u.source_file)
        lines.write_number(i, 1, u.source_row, text)
        s(lines, i, 2, u.resource_id or "")
        s(lines, i, 3, u.service or "")
        for j, v in enumerate((u.billed, u.recomputed, u.difference), start=4):
            lines.write_number(i, j, float(v), num)
        for j, q in enumerate((u.unit_price, u.quantity), start=7):
            if q is not None:
                lines.write_number(i, j, float(q), text)
        s(lines, i, 9, u.pricing_unit or "")

    src = wb.add_worksheet(names[3])
    for j, h in enumerate((label(lang, "source_file"), "SHA-256", label(lang, "rows"))):
        s(src, 0, j, h, head)
    src.set_column(0, 0, 70)
    src.set_column(1, 1, 68)
    for i, f in enumerate(result.sources, start=1):
        s(src, i, 0, f.path)
        s(src, i, 1, f.sha256 or "—")
        src.write_number(i, 2, f.rows, text)
    wb.close()
    return buf.getvalue()


def to_html(result: Inspection, lang: str = "ja") -> str:
    """The pack as one HTML page (inline CSS, no script, no network)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    cur = result.currency

    def fmt(value: Any) -> str:
        return amount(value, cur, lang)

    services = [
        (row.service, [fmt(row.breakdown.billed), fmt(row.breakdown.recomputed),
                       *(fmt(row.breakdown.causes[c]) for c in CAUSES)])
        for row in result.services
    ]  # fmt: skip
    return env.get_template("inspection.html.j2").render(
        lang=lang,
        t=lambda key, **kw: label(lang, key, **kw),
        status=result.status,
        cover=cover_rows(result, lang),
        causes=CAUSES,
        services=services,
        lines=[
            (u, fmt(u.billed), fmt(u.recomputed), fmt(u.difference))
            for u in result.unexplained_lines
        ],
        hidden=result.unexplained_line_count - len(result.unexplained_lines),
        sources=result.sources,
    )
