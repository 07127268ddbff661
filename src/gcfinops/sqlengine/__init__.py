"""The SQL engine of a call: DuckDB (default) or Spark over the same lake (issue #16).

    with sqlengine.session(ctx, temp_dir=…) as con:   # a DuckDB connection, or a SparkBridge
        con.execute("CREATE TEMP VIEW lake AS …")      # on Spark: the lake is Spark's view

Rules, report and gate keep their SQL and their DuckDB connection; with `spark` the statements
that read the lake run on Spark (`spark.py`) after sqlglot translated them (`transpile.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import duckdb

from gcfinops.context import Context
from gcfinops.db import session as duckdb_session
from gcfinops.sqlengine.settings import ENGINES, EngineSettings, engine_settings

__all__ = ["ENGINES", "EngineSettings", "engine_settings", "session", "settings_of"]


def settings_of(ctx: Context) -> EngineSettings:
    """The call's engine: `--engine` (ctx.engine) over `[engine]` over DuckDB."""
    return engine_settings(ctx.config.raw, ctx.config.path, ctx.engine)


@contextmanager
def session(
    ctx: Context, *, temp_dir: Path | None = None, memory_limit: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """`db.session()` for DuckDB; for Spark the same connection wrapped in a SparkBridge."""
    settings = settings_of(ctx)
    limit = memory_limit or settings.memory_limit  # the caller's, else `[engine] memory_limit`
    with duckdb_session(temp_dir=temp_dir, memory_limit=limit) as con:
        if settings.name == "duckdb":
            yield con
            return
        from gcfinops.sqlengine.spark import SparkBridge, lake_frame, spark_session

        spark = spark_session(settings)
        bridge = SparkBridge(con, spark, lake_frame(spark, settings, ctx.workspace.lake))
        yield cast(duckdb.DuckDBPyConnection, bridge)
