"""`gcfinops lake compact`: merge a unit's small Parquet files into files of the target size.

Ingest writes each unit (provider × billing period × billing account) in one COPY, so a fresh
lake has few files; small files accumulate when units are written by other tools (a Spark job,
an export dropped in place) or by many threads. Query engines pay per file (open, footer,
scheduling: Athena/Trino and Spark plan one split per file or row group), so a unit with many
small files is merged into files of `TARGET_FILE_BYTES` (docs/scale.md):

* rows are written sorted by x_Ward, then ChargePeriodStart, so each row group's min/max
  statistics let DuckDB, Spark, Athena and Trino skip the row groups of other wards and months
  (ward pruning without a ward directory level; the decision is in docs/scale.md);
* the new files are written to staging, then reconciled with the old ones per unit — row count,
  Σ BilledCost and Σ EffectiveCost per currency must be equal — and only then swapped in with
  the ingest's journal (`lake.swap_in`): a crash at any point leaves the old files or the new
  ones, never a mix (`lake.recover` rolls an unfinished compaction back: its id is never in the
  ledger, and the old files hold the same rows);
* a unit with at most one file smaller than half the target is already compact: running the
  command again changes nothing.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from gcfinops import lake
from gcfinops.db import read_literal, session, sql_string
from gcfinops.errors import ReconciliationError
from gcfinops.workspace import Workspace

#: Target size of one lake file: large enough that per-file overhead is small next to reading
#: it, small enough that a unit of a large municipality still splits across Spark tasks.
TARGET_FILE_BYTES = 256 * 1024 * 1024
#: Rows per row group (DuckDB's default is 122,880): a row group is the unit engines skip.
ROW_GROUP_ROWS = 1_000_000


@dataclass(frozen=True)
class CompactedUnit:
    """One unit the command merged: files and bytes before and after, rows (reconciled)."""

    unit: lake.Unit
    files_before: int
    files_after: int
    bytes_before: int
    bytes_after: int
    rows: int


def needs_compaction(files: list[Path], target: int = TARGET_FILE_BYTES) -> bool:
    """Two or more files smaller than half the target: merging them saves files."""
    return sum(1 for f in files if f.stat().st_size < target // 2) >= 2


def units(ws: Workspace) -> list[lake.Unit]:
    """Every unit in `lake/` (folded/ mirrors it)."""
    out = []
    for d in sorted(ws.lake.glob("provider=*/billing_period=*/billing_account=*")):
        if d.is_dir():
            p, b, a = (part.split("=", 1)[1] for part in d.relative_to(ws.lake).parts)
            out.append(lake.Unit(p, b, a))
    return out


def compact(
    ws: Workspace, *, target_bytes: int = TARGET_FILE_BYTES, lock_timeout: float = 600.0
) -> list[CompactedUnit]:
    """Merge the small files of every unit that has them; the units merged (empty: none)."""
    with ws.lock(lock_timeout):
        lake.recover(ws)
        todo = [
            u for u in units(ws)
            if any(needs_compaction(_files(ws.root / t / u.rel), target_bytes) for t in lake.TREES)
        ]  # fmt: skip
        if not todo:
            return []
        compact_id = "compact-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        staged = ws.tmp / compact_id / "new"
        done: list[CompactedUnit] = []
        try:
            for unit in todo:
                done.append(_stage(ws, unit, staged, target_bytes))
        except BaseException:
            shutil.rmtree(ws.tmp / compact_id, ignore_errors=True)
            raise
        lake.swap_in(ws, compact_id, staged, todo, commit=lambda: None)
        return done


def _files(d: Path) -> list[Path]:
    return sorted(d.glob("*.parquet")) if d.is_dir() else []


def _stage(ws: Workspace, unit: lake.Unit, staged: Path, target: int) -> CompactedUnit:
    """Write one unit's merged files under `staged` and reconcile them with the old ones."""
    before = _files(ws.lake / unit.rel)
    rows = 0
    out_files: list[Path] = []
    for tree in lake.TREES:
        src, dst = ws.root / tree / unit.rel, staged / tree / unit.rel
        files = _files(src)
        if not files:
            continue
        dst.mkdir(parents=True, exist_ok=True)
        if not needs_compaction(files, target):
            for f in files:
                shutil.copy2(f, dst / f.name)
            continue
        order = " ORDER BY x_Ward, ChargePeriodStart" if tree == "lake" else ""
        with session(temp_dir=ws.tmp / "duckdb") as con:
            read = _read_sql(files)
            con.execute(
                f"COPY (SELECT * FROM {read}{order}) TO {sql_string(dst.as_posix())} "
                f"(FORMAT parquet, COMPRESSION zstd, FILE_SIZE_BYTES {int(target)}, "
                f"ROW_GROUP_SIZE {ROW_GROUP_ROWS}, FILENAME_PATTERN 'part_{{i}}', "
                "OVERWRITE_OR_IGNORE true)"
            )
            new = _files(dst)
            old_sums = _sums(con, read, tree)
            new_sums = _sums(con, _read_sql(new), tree)
            if not _same(old_sums, new_sums):
                raise ReconciliationError(
                    f"compacting {tree}/{unit.rel.as_posix()} changed its totals "
                    f"(before {old_sums}, after {new_sums}); the lake is unchanged"
                )
        if tree == "lake":
            rows = sum(int(r[1]) for r in old_sums)
            out_files = new
    return CompactedUnit(
        unit, len(before), len(out_files) or len(before),
        sum(f.stat().st_size for f in before), sum(f.stat().st_size for f in out_files), rows,
    )  # fmt: skip


def _read_sql(files: list[Path]) -> str:
    paths = ", ".join(read_literal(f) for f in files)
    return f"read_parquet([{paths}], hive_partitioning = false, union_by_name = true)"


def _sums(con: duckdb.DuckDBPyConnection, read: str, tree: str) -> list[tuple[Any, ...]]:
    """Rows and money per currency (lake), rows (folded): equal before and after."""
    if tree == "lake":
        sql = (
            "SELECT coalesce(BillingCurrency, ''), count(*), coalesce(sum(BilledCost), 0), "
            f"coalesce(sum(EffectiveCost), 0) FROM {read} GROUP BY ALL ORDER BY ALL"
        )
        return [tuple(r) for r in con.sql(sql).fetchall()]
    return [tuple(r) for r in con.sql(f"SELECT '', count(*), 0.0, 0.0 FROM {read}").fetchall()]


def _same(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
    """Same currencies and row counts; money equal to a millionth of a unit per million (Σ of
    DOUBLE in another row order differs in the last bits, never by a yen)."""
    if [r[:2] for r in a] != [r[:2] for r in b]:
        return False
    return all(
        abs(float(x) - float(y)) <= 1e-6 * max(1.0, abs(float(x)))
        for ra, rb in zip(a, b, strict=True)
        for x, y in zip(ra[2:], rb[2:], strict=True)
    )
