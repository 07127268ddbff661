"""Utilization metrics for the rules that need them: readers, names, the workspace store.

`gcfinops ingest-metrics PATH` reads the providers' own export shapes (one module each: CloudWatch,
Azure Monitor, Google Cloud Monitoring, plain CSV) into `<workspace>/metrics/*.parquet` with the
columns of `METRIC_COLUMNS`. Every reader is one SELECT that DuckDB runs over the file (no Python
loop over data points); this module adds the normalized metric names (`NAMES`), checks the result
and replaces the workspace file atomically. docs/rules/README.md lists the shapes and their sources.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from gcfinops.db import read_literal, readable_path, session, sql_string
from gcfinops.errors import InputError
from gcfinops.metrics import azure_monitor, cloudwatch, gcp_monitoring, plain_csv
from gcfinops.metrics.base import Reader
from gcfinops.workspace import Workspace, atomic_path

#: The stored shape (docs/rules/README.md "Metrics").
METRIC_COLUMNS: tuple[tuple[str, str], ...] = (
    ("resource_id", "VARCHAR"),
    ("timestamp", "TIMESTAMPTZ"),
    ("metric", "VARCHAR"),
    ("value", "DOUBLE"),
    ("statistic", "VARCHAR"),
    ("source_file", "VARCHAR"),
)

# Provider metric name → (normalized name, scale, offset): value' = value × scale + offset.
# CloudWatch: AWS/EC2, AWS/EBS, AWS/ELB, AWS/RDS namespaces and the CloudWatch agent's
# mem_used_percent; Azure Monitor: Microsoft.Compute/virtualMachines metric names; Google Cloud:
# compute.googleapis.com / agent.googleapis.com metric types (cpu/utilization is a 0–1 fraction).
NAMES: dict[str, tuple[str, float, float]] = {
    "cpuutilization": ("cpu_utilization", 1.0, 0.0),
    "cpu_utilization": ("cpu_utilization", 1.0, 0.0),
    "percentage cpu": ("cpu_utilization", 1.0, 0.0),
    "compute.googleapis.com/instance/cpu/utilization": ("cpu_utilization", 100.0, 0.0),
    "mem_used_percent": ("memory_utilization", 1.0, 0.0),
    "memoryutilization": ("memory_utilization", 1.0, 0.0),
    "memory_utilization": ("memory_utilization", 1.0, 0.0),
    "available memory percentage": ("memory_utilization", -1.0, 100.0),
    "agent.googleapis.com/memory/percent_used:used": ("memory_utilization", 1.0, 0.0),
    "networkin": ("network_in_bytes", 1.0, 0.0),
    "network in total": ("network_in_bytes", 1.0, 0.0),
    "compute.googleapis.com/instance/network/received_bytes_count": ("network_in_bytes", 1.0, 0.0),
    "network_in_bytes": ("network_in_bytes", 1.0, 0.0),
    "networkout": ("network_out_bytes", 1.0, 0.0),
    "network out total": ("network_out_bytes", 1.0, 0.0),
    "compute.googleapis.com/instance/network/sent_bytes_count": ("network_out_bytes", 1.0, 0.0),
    "network_out_bytes": ("network_out_bytes", 1.0, 0.0),
    "volumereadops": ("disk_read_ops", 1.0, 0.0),
    "diskreadops": ("disk_read_ops", 1.0, 0.0),
    "disk_read_ops": ("disk_read_ops", 1.0, 0.0),
    "volumewriteops": ("disk_write_ops", 1.0, 0.0),
    "diskwriteops": ("disk_write_ops", 1.0, 0.0),
    "disk_write_ops": ("disk_write_ops", 1.0, 0.0),
    "requestcount": ("request_count", 1.0, 0.0),
    "request_count": ("request_count", 1.0, 0.0),
    "processedbytes": ("processed_bytes", 1.0, 0.0),
    "processed_bytes": ("processed_bytes", 1.0, 0.0),
    "databaseconnections": ("database_connections", 1.0, 0.0),
    "database_connections": ("database_connections", 1.0, 0.0),
}

READERS: dict[str, Reader] = {
    r.name: r
    for r in (
        cloudwatch.STATISTICS,
        cloudwatch.METRIC_DATA,
        azure_monitor.READER,
        gcp_monitoring.READER,
        plain_csv.READER,
    )
}


def metrics_dir(ws: Workspace) -> Path:
    return ws.metrics_dir


def empty_select() -> str:
    cols = ", ".join(f"CAST(NULL AS {t}) AS {n}" for n, t in METRIC_COLUMNS)
    return f"SELECT {cols} WHERE FALSE"


def metrics_view_sql(ws: Workspace) -> str:
    """The `metrics` relation rules read: one row per (resource, time, metric, statistic).

    A missing statistic counts as the period's average; the same point read from two files is
    kept once (their mean).
    """
    files = sorted(metrics_dir(ws).glob("*.parquet")) if metrics_dir(ws).exists() else []
    if not files:
        return empty_select()
    glob = read_literal(metrics_dir(ws), "*.parquet")
    return f"""SELECT resource_id, timestamp, metric, avg(value) AS value,
        coalesce(statistic, 'average') AS statistic, min(source_file) AS source_file
    FROM read_parquet({glob})
    GROUP BY resource_id, timestamp, metric, coalesce(statistic, 'average')"""


@dataclass(frozen=True)
class MetricsFile:
    """One ingested source: what it was read as and what it holds."""

    source: str
    format: str
    points: int
    resources: int
    metrics: dict[str, int] = field(default_factory=dict)
    start: str | None = None
    end: str | None = None

    def to_dict(self) -> dict[str, object]:
        """`ingest-metrics --format json`: every field by name."""
        return asdict(self)


def expand(paths: list[Path]) -> list[Path]:
    """Files named, or the *.json / *.csv files below a folder, in name order."""
    out: list[Path] = []
    for p in paths:
        if not p.exists():
            raise InputError("no such file or folder", path=str(p))
        if p.is_file():
            out.append(p)
        else:
            out += sorted(
                (f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in (".json", ".csv")),
                key=lambda f: f.as_posix(),
            )
    if not out:
        raise InputError("no .json or .csv metric files found", path=", ".join(map(str, paths)))
    return out


def detect(path: Path) -> Reader:
    """The reader whose shape the file has, else an InputError listing the shapes tried."""
    if path.suffix.lower() == ".csv":
        return plain_csv.READER
    with session() as con:
        try:
            row = con.execute(
                "SELECT json_keys(json) FROM read_json_objects(?, format = 'auto', "
                "maximum_object_size = 1073741824) LIMIT 1",
                [readable_path(path)],
            ).fetchone()
        except duckdb.Error as exc:  # InvalidInputException / IOException: not JSON
            raise InputError(
                f"not a JSON metrics export ({_first_line(exc)})", path=str(path)
            ) from None
    keys = set(row[0]) if row and row[0] else set()
    for reader in READERS.values():
        if reader.detect(keys):
            return reader
    tried = "; ".join(f"{r.name} ({r.signature})" for r in READERS.values())
    raise InputError(
        f"unknown metrics shape: top-level keys {sorted(keys)}; tried {tried}", path=str(path)
    )


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _names_sql() -> str:
    rows = ", ".join(f"('{k}', '{v[0]}', {v[1]}, {v[2]})" for k, v in NAMES.items())
    return f"(VALUES {rows}) AS n(raw, metric, scale, shift)"


def read(
    path: Path, *, resource_id: str | None = None, metric: str | None = None
) -> tuple[Reader, str, list[object]]:
    """SQL (and its parameters) normalizing one file to METRIC_COLUMNS."""
    reader = detect(path)
    if reader.check is not None:
        reader.check(path)
    fallback_id = resource_id or path.stem
    raw = reader.select_sql()
    sql = f"""
    WITH raw AS ({raw}),
    r AS (SELECT raw.*, lower(trim(coalesce(raw.metric, NULLIF(?, '')))) AS mkey FROM raw)
    SELECT
        coalesce(CASE WHEN ? THEN ? END, r.resource_id, ?) AS resource_id,
        r.timestamp,
        coalesce(n.metric, regexp_replace(r.mkey, '[^a-z0-9]+', '_', 'g')) AS metric,
        r.value * coalesce(n.scale, 1.0) + coalesce(n.shift, 0.0) AS value,
        r.statistic,
        ? AS source_file
    FROM r
    LEFT JOIN {_names_sql()} ON n.raw = r.mkey
    """
    params: list[object] = [*reader.params(path, metric), metric or ""]
    params += [resource_id is not None, resource_id, fallback_id, str(path)]
    return reader, sql, params


def ingest_metrics(
    ws: Workspace,
    paths: list[Path],
    *,
    resource_id: str | None = None,
    metric: str | None = None,
    lock_timeout: float = 600.0,
    progress: Callable[[str], None] | None = None,
) -> list[MetricsFile]:
    """Read each file into `<workspace>/metrics/`; a file read again replaces its earlier copy."""
    files = expand(paths)
    out_dir = metrics_dir(ws)
    results: list[MetricsFile] = []
    with ws.lock(lock_timeout):
        out_dir.mkdir(parents=True, exist_ok=True)
        for path in files:
            if progress:
                progress(str(path))
            results.append(_ingest_one(ws, path, out_dir, resource_id, metric))
    return results


def _ingest_one(
    ws: Workspace, path: Path, out_dir: Path, resource_id: str | None, metric: str | None
) -> MetricsFile:
    reader, sql, params = read(path, resource_id=resource_id, metric=metric)
    key = hashlib.sha256(f"{path.resolve()}|{resource_id or ''}".encode()).hexdigest()[:16]
    target = out_dir / f"{reader.name}-{_slug(path.stem)}-{key}.parquet"
    with session() as con:
        try:
            con.execute(f"CREATE TEMP TABLE m AS {sql}", params)
        except duckdb.Error as exc:  # ConversionException etc.: a value does not parse
            raise InputError(
                f"cannot read as {reader.name} ({_first_line(exc)})", path=str(path)
            ) from None
        _check(con, path, reader)
        points, resources, start, end = con.execute(
            "SELECT count(*), count(DISTINCT resource_id), min(timestamp)::VARCHAR,"
            " max(timestamp)::VARCHAR FROM m"
        ).fetchone() or (0, 0, None, None)
        by_metric = dict(
            con.execute("SELECT metric, count(*) FROM m GROUP BY metric ORDER BY metric").fetchall()
        )
        with atomic_path(target) as tmp:
            con.execute(
                "COPY (SELECT * FROM m ORDER BY resource_id, metric, timestamp) "
                f"TO {sql_string(tmp.as_posix())} (FORMAT parquet)"
            )
    return MetricsFile(str(path), reader.name, int(points), int(resources), by_metric, start, end)


def _check(con: object, path: Path, reader: Reader) -> None:
    """Every point needs a resource, a time and a number; name the first bad one."""
    bad = con.execute(  # type: ignore[attr-defined]
        "SELECT resource_id, timestamp, metric, value FROM m WHERE resource_id IS NULL"
        " OR resource_id = '' OR timestamp IS NULL OR metric IS NULL OR value IS NULL"
        " OR NOT isfinite(value) LIMIT 1"
    ).fetchone()
    if bad is not None:
        raise InputError(
            f"a {reader.name} data point lacks a resource id, time, metric or numeric value "
            f"(found resource_id={bad[0]!r}, timestamp={bad[1]!r}, metric={bad[2]!r}, "
            f"value={bad[3]!r})",
            path=str(path),
            hint="give the resource with --resource-id when the file does not name it",
        )
    empty = con.execute("SELECT count(*) FROM m").fetchone()  # type: ignore[attr-defined]
    if not empty or empty[0] == 0:
        raise InputError(f"no data points in this {reader.name} file", path=str(path))


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:60]
