"""Evaluate the few formula shapes the report's workbook writes, from the cells themselves.

A test reads the workbook back with openpyxl (formulas as text) and recomputes each formula
from the cells it refers to, recursively, the way Excel would: `=SUM(C5:C9,C11)`,
`=IF(N(B5)=0,"",D5/B5)`, `=IF(N(G5)=0,"",E5/G5-1)`, `=D5-F5`, `=F4+E5`, `=E5` and `=B8*0.7`.
Anything else fails loudly.
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl.utils.cell import range_boundaries

_SUM = re.compile(r"^=SUM\(([A-Z]+\d+(?::[A-Z]+\d+)?(?:,[A-Z]+\d+(?::[A-Z]+\d+)?)*)\)$")
_RATIO = re.compile(r'^=IF\(N\(([A-Z]+\d+)\)=0,"",([A-Z]+\d+)/([A-Z]+\d+)(-1)?\)$')
_DIFF = re.compile(r"^=([A-Z]+\d+)([-+])([A-Z]+\d+)$")
_REF = re.compile(r"^=([A-Z]+\d+)$")
_TIMES = re.compile(r"^=([A-Z]+\d+)\*(\d+(?:\.\d+)?)$")


def evaluate(ws: Any, ref: str) -> Any:
    """The value of cell `ref`: a number, text, or None for an empty cell."""
    value = ws[ref].value
    if not (isinstance(value, str) and value.startswith("=")):
        return value
    if m := _SUM.match(value):
        total = 0.0
        for part in m.group(1).split(","):
            min_col, min_row, max_col, max_row = range_boundaries(part)
            for row in range(min_row, max_row + 1):
                for col in range(min_col, max_col + 1):
                    v = evaluate(ws, ws.cell(row, col).coordinate)
                    if isinstance(v, (int, float)):
                        total += v
        return total
    if m := _RATIO.match(value):
        base = evaluate(ws, m.group(1)) or 0
        if base == 0:
            return ""
        return evaluate(ws, m.group(2)) / evaluate(ws, m.group(3)) - (1 if m.group(4) else 0)
    if m := _DIFF.match(value):
        a, b = evaluate(ws, m.group(1)) or 0, evaluate(ws, m.group(3)) or 0
        return a - b if m.group(2) == "-" else a + b
    if m := _TIMES.match(value):
        return (evaluate(ws, m.group(1)) or 0) * float(m.group(2))
    if m := _REF.match(value):
        return evaluate(ws, m.group(1))
    raise AssertionError(f"{ws.title}!{ref}: unexpected formula {value!r}")


def formula_cells(ws: Any) -> list[Any]:
    """Every cell of `ws` holding a formula."""
    return [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
