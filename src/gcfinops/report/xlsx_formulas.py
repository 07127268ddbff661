"""Which workbook cells are formulas, and the formulas: 小計/合計 over the rows above, ratios
and differences over the cells of the same row.

A 財政課 user edits a 見込 cell and expects the totals to follow, so aggregate rows are `=SUM()`
over the cells they add up (from `Table.role`): a subtotal sums the detail rows since the
previous subtotal or total, a total sums the subtotals since the previous total plus the detail
rows no subtotal covered. Derived columns (基準額比, 増減率, 増減額) are formulas over the same
row's cells. Every formula is checked against the model before it is written: when the cells
do not add up to the figure every other format prints (a column that is not additive, a rule
the view does not follow), the cell keeps the model's value instead, so the workbook never
shows a figure the handout does not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


def cell_ref(row: int, col: int, absolute: bool = False) -> str:
    """A1 reference of 0-based (row, col): (4, 2) → 'C5' ('$C$5' when absolute). Written here
    because xlsxwriter is imported lazily (startup time), never at module level."""
    letters, n = "", col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    mark = "$" if absolute else ""
    return f"{mark}{letters}{mark}{row + 1}"


def aggregated_rows(roles: Sequence[str]) -> dict[int, list[int]]:
    """For each subtotal / total row index, the row indexes it adds up (see the module doc)."""
    out: dict[int, list[int]] = {}
    details: list[int] = []  # detail rows since the last subtotal or total
    open_rows: list[int] = []  # rows since the last total that no subtotal has taken
    for i, role in enumerate(roles):
        if role == "subtotal":
            out[i] = details
            taken = set(details)
            open_rows = [r for r in open_rows if r not in taken] + [i]
            details = []
        elif role == "total":
            out[i] = open_rows
            details, open_rows = [], []
        else:
            details.append(i)
            open_rows.append(i)
    return out


def sum_formula(rows: Sequence[int], col: int) -> str:
    """`=SUM(C5:C9,C11)` over sheet rows `rows` (0-based, ascending) of column `col`."""
    parts: list[str] = []
    start = prev = rows[0]
    for r in [*rows[1:], None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        first = cell_ref(start, col)
        parts.append(first if start == prev else f"{first}:{cell_ref(prev, col)}")
        if r is not None:
            start = prev = r
    return f"=SUM({','.join(parts)})"


def close(a: float, b: float, *, money: bool) -> bool:
    """The same figure: amounts within half a yen (float sums of exact yen), ratios to 1e-9."""
    if money:
        return abs(a - b) < 0.5
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


@dataclass(frozen=True)
class Derived:
    """A column computed from two others of the same row: `op` is 'div' (a / b), 'growth'
    (a / b − 1) or 'diff' (a − b)."""

    column: str
    op: str
    a: str
    b: str

    def value(self, a: float, b: float) -> float | None:
        if self.op == "diff":
            return a - b
        if b == 0:
            return None
        return a / b - (1 if self.op == "growth" else 0)

    def formula(self, a_cell: str, b_cell: str) -> str:
        if self.op == "diff":
            return f"={a_cell}-{b_cell}"
        minus = "-1" if self.op == "growth" else ""
        return f'=IF(N({b_cell})=0,"",{a_cell}/{b_cell}{minus})'


# Candidates by column key, tried in order; the first whose value matches the model is used.
DERIVED: tuple[Derived, ...] = (
    Derived("ratio", "div", "forecast", "baseline"),
    Derived("after_ratio", "div", "after", "baseline"),
    Derived("change", "growth", "total", "previous"),
    Derived("change", "growth", "actual", "previous"),
    Derived("change", "growth", "forecast", "previous"),
    Derived("change_rate", "growth", "forecast", "previous"),
    Derived("change_rate", "growth", "total", "previous"),
    Derived("change_rate", "growth", "actual", "previous"),
    Derived("change_amount", "diff", "forecast", "previous"),
    Derived("change_amount", "diff", "total", "previous"),
    Derived("change_amount", "diff", "actual", "previous"),
)


def pick_derived(column: str, rows: Sequence[tuple[Mapping[str, float], float]]) -> Derived | None:
    """The rule for column `column` of a table: the first candidate that reproduces the view's
    value on every row (`(numeric cells by key, value)`) where its operands exist. One rule per
    column, not per row: on a row of zeros every candidate would match."""
    for d in DERIVED:
        if d.column != column:
            continue
        used = 0
        for cells, value in rows:
            a, b = cells.get(d.a), cells.get(d.b)
            if a is None or b is None:
                continue
            got = d.value(a, b)
            if got is None or not close(got, value, money=d.op == "diff"):
                break
            used += 1
        else:
            if used:
                return d
    return None


def derived_formula(
    d: Derived, row_values: Mapping[str, float], cells: Mapping[str, str]
) -> tuple[str, float] | None:
    """(formula, cached value) of rule `d` on one row; None where an operand is missing."""
    a, b = row_values.get(d.a), row_values.get(d.b)
    if a is None or b is None:
        return None
    got = d.value(a, b)
    return None if got is None else (d.formula(cells[d.a], cells[d.b]), got)
