"""Print setup and document properties: what makes the workbook a 資料 on paper and in Explorer.

Every sheet prints on A4, one page wide (`fitToWidth=1`, any height), centered, with the
table's header row repeated on every page of a detail sheet. The page header carries the title
(the ward) and the 作成日; the footer the 作成部署 and the page number. Document properties:
title, subject (the period covered), author = 作成部署, company = the ward, created = 作成日
(so the same inputs give the same bytes), and the data time and tool version in the comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gcfinops.report.i18n import Fmt
from gcfinops.report.model import ReportData
from gcfinops.report.view import DocView

A4 = 9  # Excel paperSize code
_HF_LIMIT = 255  # Excel's limit on a header / footer string


def _hf(text: str) -> str:
    """Literal text in an Excel header or footer (`&` starts a code there)."""
    return text.replace("&", "&&")


@dataclass(frozen=True)
class PageText:
    """The page header and footer strings of every sheet."""

    header: str
    footer: str

    @classmethod
    def of(cls, doc: DocView, f: Fmt) -> PageText:
        h = doc.header
        title = h.title if h else doc.title
        right = ""
        if h is not None:
            label = "作成日　" if f.lang == "ja" else "Prepared "
            right = "&R" + _hf(label + h.prepared_on_label)
        left = "&L" + _hf(title)
        header = left + right
        if len(header) > _HF_LIMIT:  # the title gives way; the date stays
            header = left[: max(_HF_LIMIT - len(right), 3)] + right
        page = "&C&P／&N" if f.lang == "ja" else "&C&P / &N"
        dept = "&L" + _hf(h.department) if h is not None and h.department else ""
        return cls(header[:_HF_LIMIT], (dept[: _HF_LIMIT - len(page)] + page))


def print_setup(ws: Any, page: PageText, *, landscape: bool = False) -> None:
    """A4, one page wide, centered, page header and footer (detail sheets add the rows to
    repeat on every page once their table is placed)."""
    ws.set_paper(A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    ws.set_header(page.header, {"margin": 0.3})
    ws.set_footer(page.footer, {"margin": 0.3})


def set_properties(wb: Any, doc: DocView, data: ReportData, f: Fmt) -> None:
    """Title, subject, author (作成部署), company (the ward), created (作成日), comments."""
    h = doc.header
    props: dict[str, Any] = {
        "title": h.title if h else doc.title,
        "subject": h.through_label if h else doc.subtitle,
        "comments": f"gcfinops {data.version}; data as of {data.as_of:%Y-%m-%d %H:%M} UTC",
        "created": (
            datetime(h.prepared_on.year, h.prepared_on.month, h.prepared_on.day)
            if h
            else data.as_of.replace(tzinfo=None)
        ),
    }
    if h is not None and h.department:
        props["author"] = h.department
    if not data.is_multi_ward:
        w = data.wards[0]
        props["company"] = f.name(w.ward_name, w.ward_name_en)
    wb.set_properties(props)
    if h is not None and h.document_number:
        wb.set_custom_property("DocumentNumber", h.document_number)
    wb.set_custom_property("DataAsOf", data.as_of.replace(tzinfo=None))
