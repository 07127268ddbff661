"""Cell formats of the workbook: number formats per cell kind, 和暦 month dates, borders.

Amounts keep the model's exact yen in every cell; `--unit thousand` only scales the display
with Excel's trailing comma (`#,##0,`), so 小計/合計 formulas add the same yen every other
format adds and no 端数 difference appears between the workbook and the handout. Decreases print
as △ and zero as －, as Japanese 財政 tables do.

Months are real dates (the 1st of the month) shown in 和暦 with `[$-411]ggge"年"m"月"`: Excel
(2007 and later) and LibreOffice both render it as 令和7年4月. The newer
`[$-ja-JP-x-gannen]` tag Excel 365 writes for 元年 is not understood by LibreOffice 7.4 (it
shows the serial number), so 元年 months (令和元年5月–12月) get a literal "令和元年" format instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gcfinops.report.i18n import Fmt

# 令和元年: May–December 2019 (Excel's `e` prints 1 there)
_GANNEN = {(2019, m) for m in range(5, 13)}
ROLE_STYLES = {
    "detail": {"border": 1},
    "subtotal": {"border": 1, "bold": True},
    "total": {"border": 1, "top": 6, "bold": True},  # double rule above 合計
}


def number_formats(f: Fmt) -> dict[str, str]:
    """Excel number formats per cell kind, for the report's language and unit."""
    scale = "," if f.unit == "thousand" else ""
    if f.lang == "ja":
        yen = f'#,##0{scale};"△"#,##0{scale};"－"'
        pct = '0.0%;"△"0.0%;0.0%'
        month = '[$-411]ggge"年"m"月"'
    else:
        yen = f"#,##0{scale};-#,##0{scale};-"
        pct = "0.0%;-0.0%;0.0%"
        month = "yyyy-mm"
    return {
        "yen": yen,
        "ratio": "0.0%",  # a multiple of the baseline, printed as a percentage (164.9%)
        "pct": pct,
        "int": "#,##0",
        "rate": "0.00##",
        "month": month,
    }


def month_date(value: str) -> datetime | None:
    """'2025-04' → 2025-04-01 (naive: a calendar date, no time zone); None if not a month."""
    if len(value) != 7 or value[4] != "-" or not (value[:4] + value[5:]).isdigit():
        return None
    return datetime(int(value[:4]), int(value[5:]), 1)


def month_format(f: Fmt, day: datetime) -> str:
    """The month format for one date: 令和元年 spelled out (see the module doc)."""
    if f.lang == "ja" and (day.year, day.month) in _GANNEN:
        return '[$-411]"令和元年"m"月"'
    return number_formats(f)["month"]


class Styles:
    """xlsxwriter formats, made once per (number format, row role, extra) and reused."""

    def __init__(self, wb: Any, f: Fmt) -> None:
        self.wb, self.f = wb, f
        self.font = {"font_name": "Meiryo UI" if f.lang == "ja" else "Calibri", "font_size": 10}
        self.numbers = number_formats(f)
        self._cache: dict[tuple[str, str, bool, bool], Any] = {}
        self.text = wb.add_format(self.font)
        self.wrap = wb.add_format({**self.font, "text_wrap": True, "valign": "top"})
        self.title = wb.add_format({**self.font, "bold": True, "font_size": 13})
        self.h2 = wb.add_format({**self.font, "bold": True, "font_size": 11})
        self.unit = wb.add_format({**self.font, "align": "right"})
        self.head = wb.add_format(
            {**self.font, "bold": True, "bg_color": "#EEF3F9", "border": 1, "text_wrap": True}
        )

    def cell(
        self, num_format: str, role: str = "detail", wrap: bool = False, right: bool = False
    ) -> Any:
        """A bordered data cell with `num_format` ('' = General) for a row `role`; `right`
        aligns text like a number (皆増 / 皆減 in a ratio column)."""
        key = (num_format, role, wrap, right)
        if key not in self._cache:
            spec: dict[str, Any] = {**self.font, **ROLE_STYLES.get(role, ROLE_STYLES["detail"])}
            if num_format:
                spec["num_format"] = num_format
            if wrap:
                spec.update(text_wrap=True, valign="top")
            if right:
                spec["align"] = "right"
            self._cache[key] = self.wb.add_format(spec)
        return self._cache[key]

    def kind(self, kind: str, role: str = "detail") -> Any:
        """The bordered format of a cell kind ('yen', 'pct', …; text kinds are General)."""
        return self.cell(self.numbers.get(kind, "") if kind != "text" else "", role)
