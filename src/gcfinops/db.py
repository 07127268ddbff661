"""DuckDB connections set up the same way everywhere, and the few DuckDB-only macros we use.

Everything DuckDB-specific that rule or report SQL might otherwise spell inline lives here, so a
later move to Spark SQL (via sqlglot) has one place to translate. Sessions run in UTC: the lake's
timestamps are UTC instants, and JST is derived explicitly (Japan has no DST: UTC+9).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


def readable_path(path: Path | str) -> str:
    """`path` as DuckDB's file readers take it, every character literal.

    read_parquet / read_csv / read_json expand `[`, `*` and `?` as a glob even in a plain file
    name, so a workspace in a folder named `区 [prod]` would match nothing. A one-character class
    (`[[]`, `[*]`, `[?]`) matches the character itself; `]` alone is already literal. Only for
    reading: COPY … TO writes to the name as given.
    """
    text = path.as_posix() if isinstance(path, Path) else path
    return "".join(f"[{ch}]" if ch in "[*?" else ch for ch in text)


def read_literal(path: Path | str, pattern: str = "") -> str:
    """A SQL string literal naming `path` for a DuckDB reader (see `readable_path`), with an
    optional glob `pattern` below it (e.g. `**/*.parquet`) that stays a pattern."""
    text = readable_path(path) + ("/" + pattern if pattern else "")
    return "'" + text.replace("'", "''") + "'"


def connect(
    database: str = ":memory:", *, temp_dir: Path | None = None, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """A connection in UTC with gcfinops macros; spills to `temp_dir` when memory runs short.

    Prefer `session()`, which always closes the connection. Paths and limits go through
    DuckDB's configuration dictionary, never into SQL text: a workspace path may contain `'`,
    spaces or Japanese.
    """
    config: dict[str, Any] = {}
    if temp_dir is not None:
        temp_dir.mkdir(parents=True, exist_ok=True)
        config["temp_directory"] = str(temp_dir)
    if memory_limit:
        config["memory_limit"] = memory_limit
    con = duckdb.connect(database, config=config)
    try:
        con.execute("SET TimeZone = 'UTC'")
        for macro in MACROS:
            con.execute(macro)
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def session(
    database: str = ":memory:", *, temp_dir: Path | None = None, memory_limit: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """`with session(...) as con:` a `connect()` connection, closed however the block ends."""
    con = connect(database, temp_dir=temp_dir, memory_limit=memory_limit)
    try:
        yield con
    finally:
        con.close()


def sql_string(text: str) -> str:
    """`text` as a SQL string literal ('' doubles a quote), for the few places DuckDB takes no
    parameter (e.g. a file name inside a view definition)."""
    return "'" + text.replace("'", "''") + "'"
