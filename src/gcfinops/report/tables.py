"""Typed report tables: what every renderer (terminal, Markdown, HTML, CSV, XLSX) draws.

Cells keep raw values (floats, strings); a column's `kind` says how to print them ('yen',
'ratio', 'pct', 'month', 'text', 'int', 'rate'); a `Cell` overrides the kind of one cell.
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

    def kind_of(self, col: int, value: Any) -> tuple[Any, str]:
        if isinstance(value, Cell):
            return value.value, value.kind
        return value, self.columns[col].kind
