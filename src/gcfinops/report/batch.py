"""Per-ward queries run once for every ward of a report (issue #16 item 5).

A report's sections were computed ward by ward: about 25 small statements per ward over the
TEMP tables of the lake pass, each a few milliseconds of planning and a scan of the same
table. For the 23 wards that is 600 statements; for a prefecture's or the country's
municipalities it is tens of thousands. A query given here selects the ward as its first
column and reads every selected ward (TEMP `gcf_selected`) at once; `WardRows` runs it the first
time a ward asks and hands each ward its own rows afterwards, in the query's order.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb


class WardRows:
    """The rows of named all-ward queries, split by ward (the first column)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._rows: dict[str, dict[Any, list[tuple[Any, ...]]]] = {}

    def get(self, name: str, sql: str, params: Any, ward: str) -> list[tuple[Any, ...]]:
        """`ward`'s rows of the query `name` (run once, on first use)."""
        if name not in self._rows:
            split: dict[Any, list[tuple[Any, ...]]] = defaultdict(list)
            for row in self._con.execute(sql, params).fetchall():
                split[row[0]].append(tuple(row[1:]))
            self._rows[name] = split
        return self._rows[name].get(ward, [])
