"""The report as one long CSV table (one line per cell), for pivot tables and scripts.

Columns: ward, ward_name, fiscal_year, section, row, column, value, display. `value` is the
number (yen amounts in whole yen whatever --unit says; ratios to 4 decimals) or empty for text;
`display` is the cell as the report prints it. Text cells are formula-neutralized (safety.py).
Written with a UTF-8 BOM to a file so Excel on Japanese Windows opens it correctly.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from gcfinops.money import to_yen
from gcfinops.report.i18n import Fmt
from gcfinops.report.model import ReportData
from gcfinops.report.safety import neutralize
from gcfinops.report.view import Table, build_view

HEADER = ("ward", "ward_name", "fiscal_year", "section", "row", "column", "value", "display")


def _value(value: Any, kind: str) -> str:
    if value is None or isinstance(value, str):
        return ""
    if kind == "yen":
        return str(to_yen(value))
    if kind in ("ratio", "pct"):
        return f"{round(float(value), 4)}"
    return str(value)


def _rows(t: Table, f: Fmt, ward: str, name: str, fy: int) -> list[list[str]]:
    out = []
    for row in t.rows:
        label = f.cell(*t.kind_of(0, row[0])) if row else ""
        for j, cell in enumerate(row[1:], 1):
            value, kind = t.kind_of(j, cell)
            out.append(
                [
                    ward,
                    name,
                    str(fy),
                    t.key,
                    label,
                    t.columns[j].key,
                    _value(value, kind),
                    f.cell(value, kind),
                ]
            )
    return out


def render_csv(data: ReportData, f: Fmt) -> str:
    """All tables of the report, one line per cell."""
    doc = build_view(data, f)
    lines: list[list[str]] = []
    for w in doc.wards:
        name = f.name(w.ward.ward_name, w.ward.ward_name_en)
        for t in w.tables:
            lines += _rows(t, f, w.ward.ward, name, data.fiscal_year)
    for t in doc.comparison + doc.appendix:
        lines += _rows(t, f, "", "", data.fiscal_year)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADER)
    # NOTE: `value` (index 6) is a number or empty and stays as is; every text cell is neutralized.
    writer.writerows(
        [[c if i == 6 else neutralize(c) for i, c in enumerate(line)] for line in lines]
    )
    return buf.getvalue()
