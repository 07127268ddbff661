"""DuckDB connections set up the same way everywhere, and the few DuckDB-only macros we use.

Everything DuckDB-specific that rule or report SQL might otherwise spell inline lives here, so a
later move to Spark SQL (via sqlglot) has one place to translate. Sessions run in UTC: the lake's
timestamps are UTC instants, and JST is derived explicitly (Japan has no DST: UTC+9).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

MACROS = (
    # Map → map with a key prefix removed (AWS CUR 2.0 `user_` tag keys).
    """CREATE OR REPLACE MACRO gcf_strip_tag_prefix(m, prefix) AS
       map_from_entries(list_transform(map_entries(m), lambda e: struct_pack(
           key := CASE WHEN starts_with(e.key, prefix) THEN substr(e.key, length(prefix) + 1)
                  ELSE e.key END,
           value := e.value)))""",
    # List of {key, value} structs → map without NULL/empty values; NULL when nothing is left.
    """CREATE OR REPLACE MACRO gcf_map_from_pairs(l) AS
       CASE WHEN len(list_filter(l, lambda e: e.value IS NOT NULL AND e.value <> '')) = 0 THEN NULL
            ELSE map_from_entries(list_filter(l, lambda e: e.value IS NOT NULL AND e.value <> ''))
       END""",
)


def connect(
    database: str = ":memory:", *, temp_dir: Path | None = None, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """A connection in UTC with gcfinops macros; spills to `temp_dir` when memory runs short."""
    con = duckdb.connect(database)
    con.execute("SET TimeZone = 'UTC'")
    if temp_dir is not None:
        temp_dir.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = '{temp_dir.as_posix()}'")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    for macro in MACROS:
        con.execute(macro)
    return con
