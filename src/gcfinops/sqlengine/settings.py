"""`[engine]` in gcfinops.toml and `--engine`: which SQL engine reads the lake.

    [engine]
    name = "spark"                 # "duckdb" (default) or "spark"
    master = "local[2]"            # Spark master URL (default local[2])
    lake = "s3a://bucket/lake"     # the Hive-partitioned lake (default: the workspace's lake/)
    table = "finops.focus_lake"    # or a metastore table (instead of `lake`)
    shuffle_partitions = 4         # spark.sql.shuffle.partitions
    cache = false                  # keep the lake in Spark memory/disk for the process
    memory_limit = "1GB"           # DuckDB's memory limit for analyze/report/check/inspect
    [engine.conf]                  # any other Spark setting, passed as is
    "spark.hadoop.fs.s3a.endpoint" = "…"

DuckDB stays the default and the only required dependency; `spark` needs the `[spark]` extra.
Only the lake is read by Spark: every other input (FX table, calendar, baseline, findings,
metrics) is the same small table DuckDB builds, copied to a Spark temp view (docs/scale.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gcfinops.config import check_keys, integer_setting
from gcfinops.errors import ConfigError

ENGINES = ("duckdb", "spark")
_KEYS = {"name", "master", "lake", "table", "shuffle_partitions", "cache", "conf", "memory_limit"}
# DuckDB's own spelling of a memory size (`SET memory_limit = '1GB'`)
_MEMORY = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


@dataclass(frozen=True)
class EngineSettings:
    """The engine of one call; `lake`/`table` None means the workspace's own `lake/`."""

    name: str = "duckdb"
    master: str = "local[2]"
    lake: str | None = None
    table: str | None = None
    shuffle_partitions: int = 4
    #: persist the lake (MEMORY_AND_DISK) for the process: every rule reads the lake several
    #: times; worth it when the lake fits the executors' memory and disk (small lakes, tests)
    cache: bool = False
    conf: dict[str, str] = field(default_factory=dict)
    #: DuckDB's memory limit for the sessions that read the lake (None: DuckDB's default, 80 %
    #: of RAM). Above it DuckDB spills its hash tables to the workspace's tmp/ instead of
    #: growing: analyze of a 50M-line lake peaks at 0.80 GiB with "256MB" against 1.2 GiB
    #: without, at the same speed (docs/scale.md). Also DuckDB's limit under `--engine spark`.
    memory_limit: str | None = None


def engine_settings(
    raw: dict[str, Any], path: Path | None, override: str | None = None
) -> EngineSettings:
    """`[engine]` of the configuration, with `--engine` (when given) replacing its name."""
    data = raw.get("engine", {})
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: [engine] must be a table")
    check_keys(path, "engine", data, _KEYS)
    out = EngineSettings()
    for key in ("name", "master", "lake", "table"):
        if key in data:
            value = data[key]
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{path}: [engine] {key} must be a non-empty string")
            out = replace(out, **{key: value})  # type: ignore[arg-type]  # str fields
    if "shuffle_partitions" in data:
        n = integer_setting(
            path, "[engine] shuffle_partitions", data["shuffle_partitions"], 1, 100000
        )
        out = replace(out, shuffle_partitions=n)
    if "cache" in data:
        if not isinstance(data["cache"], bool):
            raise ConfigError(f"{path}: [engine] cache must be true or false")
        out = replace(out, cache=data["cache"])
    if "memory_limit" in data:
        limit = data["memory_limit"]
        if not isinstance(limit, str) or not _MEMORY.fullmatch(limit.strip()):
            raise ConfigError(
                f'{path}: [engine] memory_limit must be a size such as "1GB" or "512MB" '
                f"(got {limit!r})"
            )
        out = replace(out, memory_limit=limit.strip())
    conf = data.get("conf", {})
    if not isinstance(conf, dict) or not all(isinstance(k, str) for k in conf):
        raise ConfigError(f"{path}: [engine.conf] must be a table of Spark settings")
    out = replace(out, conf={k: str(v) for k, v in conf.items()})
    if out.lake and out.table:
        raise ConfigError(f"{path}: [engine] set either lake or table, not both")
    if override is not None:
        out = replace(out, name=override)
    if out.name not in ENGINES:
        raise ConfigError(
            f"engine {out.name!r} is not known; valid: {', '.join(ENGINES)}"
            + (f" ({path}: [engine] name)" if override is None else " (--engine)")
        )
    return out
