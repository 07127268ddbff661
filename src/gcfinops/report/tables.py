"""Typed report tables: what every renderer (terminal, Markdown, HTML, CSV, XLSX) draws.

Cells keep raw values (floats, strings); a column's `kind` says how to print them ('yen',
'ratio', 'pct', 'month', 'text', 'int', 'rate', 'mark' = text aligned like a number, such as
皆増 / 皆減); a `Cell` overrides the kind of one cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Cell:
    """A value with its own kind (a headline row mixes yen and ratios)."""

    value: Any
    kind: str


@dataclass(frozen=True)
class Col:
    """A column: key (stable, used in CSV and HTML classes), label, kind."""

    key: str
    label: str
    kind: str = "text"


@dataclass
class Table:
    """One titled table; `total` marks the last row as a total row."""

    key: str
    title: str
    columns: list[Col]
    rows: list[list[Any]] = field(default_factory=list)
    total: bool = False
    note: str | None = None
    # One role per row ("detail", "subtotal", "total"), parallel to `rows`; empty means every
    # row is a detail row except the last when `total` is set. Renderers that write formulas
    # (XLSX) sum the detail rows above a subtotal, and the subtotals (or details) above a total.
    roles: list[str] = field(default_factory=list)
    # The unit printed above the table, e.g. "（単位：千円）"; None for tables without money.
    unit_note: str | None = None
    # True: drawn in the handout's appendix (別紙) by Markdown and HTML, not in its two pages.
    appendix: bool = False

    def role(self, index: int) -> str:
        """The role of row `index` ("detail", "subtotal" or "total")."""
        if self.roles:
            return self.roles[index]
        return "total" if self.total and index == len(self.rows) - 1 else "detail"

    def kind_of(self, col: int, value: Any) -> tuple[Any, str]:
        if isinstance(value, Cell):
            return value.value, value.kind
        return value, self.columns[col].kind
