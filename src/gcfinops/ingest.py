"""Ingest: detect → read → map → allocate → stage → reconcile → swap into the lake → ledger.

Each source file goes through one streaming DuckDB `COPY … TO … (PARTITION_BY …)` into a staging
folder; nothing in the lake changes until every file has been read, every value parsed, and the
totals reconciled. Then the affected units are swapped in atomically (see `lake`).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from gcfinops import adapters, config, lake, schema
from gcfinops.adapters.base import Adapter, compile_select, quote_ident, sql_literal
from gcfinops.allocation.tags import AllocationConfig, allocation_select_sql, register_lookups
from gcfinops.db import connect
from gcfinops.errors import (
    GcfinopsError,
    InputError,
    MissingColumnError,
    ReconciliationError,
    TruncatedFileError,
)
from gcfinops.ledger import FileRecord, IngestRecord, Ledger, UnitRecord, sha256_of
from gcfinops.readers import SourceFile, open_source, relation_sql
from gcfinops.sources.local import expand
from gcfinops.workspace import Workspace

PROVIDER_KEYS = {
    "aws": "aws", "amazon web services": "aws", "microsoft": "azure", "azure": "azure",
    "microsoft azure": "azure", "google cloud": "gcp", "google": "gcp", "gcp": "gcp",
    "oracle": "oci", "oracle cloud infrastructure": "oci", "oci": "oci",
    "sakura": "sakura", "sakura internet": "sakura", "さくらのクラウド": "sakura",
}  # fmt: skip
# Columns the lake cannot hold NULL in (FOCUS "Nulls: False" that every format must provide).
NOT_NULL = ("BilledCost", "BillingAccountId", "BillingCurrency", "BillingPeriodStart",
            "ChargeCategory", "ChargePeriodStart", "ProviderName")  # fmt: skip

Progress = Callable[[str, int, int], None]  # (file name, bytes done, bytes total)


@dataclass
class IngestResult:
    """What an ingest did (the ledger record), or why it did nothing."""

    ingest_id: str | None
    units: list[UnitRecord] = field(default_factory=list)
    files: list[FileRecord] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    skipped: bool = False
    recovered: str | None = None


def ingest(
    ws: Workspace,
    paths: list[Path],
    *,
    format_name: str | None = None,
    defaults: dict[str, str] | None = None,
    progress: Progress | None = None,
    lock_timeout: float = 600.0,
    _fail_after_renames: int | None = None,
) -> IngestResult:
    """Ingest billing files into the workspace's lake (see module docstring)."""
    cfg = config.load(ws.config_path)
    files = expand(paths)
    records = [FileRecord(str(f), sha256_of(f), f.stat().st_size) for f in files]
    ws.root.mkdir(parents=True, exist_ok=True)
    with ws.lock(lock_timeout):
        recovered = lake.recover(ws)
        ledger = Ledger(ws.ledger_path)
        if {r.sha256 for r in records} <= ledger.live_hashes():
            return IngestResult(None, files=records, skipped=True, recovered=recovered)
        ingest_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
        work = ws.tmp / ingest_id
        try:
            result = _run(ws, cfg, files, records, ingest_id, work, ledger,
                          format_name, defaults or {}, progress, _fail_after_renames)  # fmt: skip
        except BaseException:
            if not ws.journal.exists():
                shutil.rmtree(work, ignore_errors=True)
            raise
        result.recovered = recovered
        return result


def _run(
    ws: Workspace,
    cfg: config.Config,
    files: list[Path],
    records: list[FileRecord],
    ingest_id: str,
    work: Path,
    ledger: Ledger,
    format_name: str | None,
    defaults: dict[str, str],
    progress: Progress | None,
    fail_after: int | None,
) -> IngestResult:
    stage = work / "stage"
    con = connect(temp_dir=work / "duckdb")
    try:
        register_lookups(con, cfg.allocation)
        total = sum(r.bytes for r in records)
        done = 0
        for i, (path, rec) in enumerate(zip(files, records, strict=True)):
            if progress:
                progress(path.name, done, total)
            src = open_source(path, work / "transcoded")
            adapter = adapters.get(format_name) if format_name else adapters.detect(src.header, str(path))
            rec.format = adapter.name
            rec.rows = _stage_file(
                con, src, adapter, defaults, stage / f"f{i:05d}", ingest_id, cfg.allocation
            )
            done += rec.bytes
        if progress:
            progress("", total, total)
        units = _reconcile(con, stage)
        new_units = _assemble(stage, work / "new")
    finally:
        con.close()
    replaced = [u.key for u in units if u.key in ledger.live]
    record = IngestRecord(
        ingest_id=ingest_id,
        time=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        files=records,
        units=units,
        replaced=replaced,
    )

    def commit() -> None:
        ledger.record(record)
        ledger.save()

    lake.swap_in(ws, ingest_id, work / "new", new_units, commit, _fail_after=fail_after)
    return IngestResult(ingest_id, units=units, files=records, replaced=replaced)


def _stage_file(
    con: duckdb.DuckDBPyConnection,
    src: SourceFile,
    adapter: Adapter,
    defaults: dict[str, str],
    out: Path,
    ingest_id: str,
    alloc: AllocationConfig,
) -> int:
    """Read one file through its adapter into staging Parquet; returns the rows read."""
    present = adapter.canonical(src.header)
    missing = sorted(c for c in adapter.required if c not in present and c not in defaults)
    if missing:
        raise MissingColumnError(
            f"required column(s) missing for format {adapter.name}: {', '.join(missing)}",
            path=str(src.path),
            hint="pass --default COLUMN=VALUE for columns the file lacks"
            if adapter.name == "focus"
            else None,
        )
    mapped = compile_select(adapter, src.header, relation_sql(src, adapter), defaults)
    view = "gcf_mapped"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {mapped}")
    allocated = allocation_select_sql(view, alloc)
    provider = (
        sql_literal(adapter.provider_key)
        if adapter.provider_key
        else _provider_case("ProviderName")
    )
    lineage = {
        "x_SourceFormat": sql_literal(adapter.name),
        "x_SourceFile": sql_literal(str(src.path)),
        "x_SourceRow": "x_SourceRow",
        "x_IngestId": sql_literal(ingest_id),
    }
    cols = ", ".join(
        f"CAST({lineage[c]} AS {schema.BY_NAME[c].type}) AS {quote_ident(c)}"
        if c in lineage
        else quote_ident(c)
        for c in schema.COLUMN_NAMES
    )
    select = (
        f"SELECT {cols}, "
        f"CASE WHEN __gcf_fold THEN 'folded' ELSE 'lake' END AS tree, "
        f"{provider} AS provider, "
        f"strftime(BillingPeriodStart, '%Y-%m') AS billing_period, "
        f"regexp_replace(BillingAccountId, '[^A-Za-z0-9._-]', '_', 'g') AS billing_account "
        f"FROM ({allocated}) AS a"
    )
    out.mkdir(parents=True, exist_ok=True)
    try:
        con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
        rows = con.execute(
            f"COPY ({select}) TO {sql_literal(out.as_posix())} (FORMAT parquet, "
            "COMPRESSION zstd, PARTITION_BY (tree, provider, billing_period, billing_account), "
            "OVERWRITE_OR_IGNORE true)"
        ).fetchone()
    except duckdb.Error as exc:
        raise _translate(exc, src) from None
    if src.kind == "csv":
        _raise_rejects(con, src)
    return int(rows[0]) if rows else 0


def _provider_case(column: str) -> str:
    whens = " ".join(
        f"WHEN {sql_literal(k)} THEN {sql_literal(v)}" for k, v in PROVIDER_KEYS.items()
    )
    return (
        f"CASE lower(trim({quote_ident(column)})) {whens} ELSE "
        f"regexp_replace(lower(trim({quote_ident(column)})), '[^a-z0-9]+', '_', 'g') END"
    )


def _raise_rejects(con: duckdb.DuckDBPyConnection, src: SourceFile) -> None:
    try:
        row = con.execute(
            "SELECT line, column_name, error_type, error_message FROM reject_errors "
            "ORDER BY line LIMIT 1"
        ).fetchone()
        count = con.execute("SELECT count(*) FROM reject_errors").fetchone()
    except duckdb.CatalogException:
        return
    if row is None:
        return
    line, column, _kind, message = row
    more = f" ({count[0] - 1} more)" if count and count[0] > 1 else ""
    raise InputError(
        f"{_short(message)}{more}", path=str(src.path), line=int(line), column=column
    )


def _short(message: str) -> str:
    return message.split("\n")[0].strip()


def _translate(exc: duckdb.Error, src: SourceFile) -> GcfinopsError:
    text = str(exc)
    if "GZIP" in text.upper() or "gzip" in text:
        return TruncatedFileError(f"compressed file is damaged or truncated ({_short(text)})",
                                  path=str(src.path))  # fmt: skip
    msg = _short(text.split("Error:", 1)[-1]) if "Error:" in text else _short(text)
    if msg.startswith("line "):
        head, _, rest = msg.partition(": ")
        line = int(head.removeprefix("line ").strip() or 0)
        if rest.startswith("column "):
            column, _, detail = rest.removeprefix("column ").partition(": ")
            return InputError(detail, path=str(src.path), line=line, column=column)
        return InputError(rest, path=str(src.path), line=line)
    return InputError(msg, path=str(src.path))


def _reconcile(con: duckdb.DuckDBPyConnection, stage: Path) -> list[UnitRecord]:
    """Check required values, then compare source and lake totals per unit and currency."""
    staged = sql_literal((stage / "**" / "*.parquet").as_posix())
    rel = f"read_parquet({staged}, hive_partitioning = true)"
    nulls = " OR ".join(f"{quote_ident(c)} IS NULL" for c in NOT_NULL)
    which = " ".join(f"WHEN {quote_ident(c)} IS NULL THEN {sql_literal(c)}" for c in NOT_NULL)
    bad = con.execute(
        f"SELECT x_SourceFile, x_SourceRow, CASE {which} END FROM {rel} WHERE {nulls} "
        "ORDER BY x_SourceFile, x_SourceRow LIMIT 1"
    ).fetchone()
    if bad:
        raise InputError(
            "no value for a column FOCUS requires (empty or missing in the source)",
            path=bad[0], line=int(bad[1]) + 1, column=bad[2],
            hint="pass --default COLUMN=VALUE if the whole file lacks it",
        )  # fmt: skip
    rows = con.execute(
        f"""SELECT provider, any_value(BillingAccountId), billing_period, BillingCurrency,
               count(*), count(*) FILTER (WHERE tree = 'lake'), count(*) FILTER (WHERE tree = 'folded'),
               coalesce(sum(x_SourceBilledCost), 0),
               coalesce(sum(BilledCost) FILTER (WHERE tree = 'lake'), 0),
               coalesce(sum(abs(x_SourceBilledCost)), 0)
            FROM {rel}
            GROUP BY provider, billing_account, billing_period, BillingCurrency
            ORDER BY provider, billing_period, 2, BillingCurrency"""
    ).fetchall()
    units, problems = [], []
    for prov, acct, period, cur, n, n_lake, n_fold, read, written, magnitude in rows:
        unit = UnitRecord(prov, acct, period, cur, n, n_lake, n_fold, float(read), float(written))
        units.append(unit)
        if abs(read - written) > TOLERANCE_ABS + TOLERANCE_REL * magnitude:
            problems.append(
                f"{prov} {acct} {period} {cur}: source {read:,.6f} vs lake {written:,.6f} "
                f"(difference {written - read:,.6f})"
            )
    if problems:
        raise ReconciliationError(
            "totals written differ from totals read; the lake was not changed:\n  "
            + "\n  ".join(problems)
        )
    return units


# Beyond rounding: a hundredth of a currency unit, plus float accumulation error.
TOLERANCE_ABS = 0.01
TOLERANCE_REL = 1e-9


def _assemble(stage: Path, new: Path) -> list[lake.Unit]:
    """Gather every staged file into one folder per unit and tree."""
    units: set[lake.Unit] = set()
    for f in sorted(stage.rglob("*.parquet")):
        parts = dict(p.split("=", 1) for p in f.relative_to(stage).parts[1:-1])
        unit = lake.Unit(parts["provider"], parts["billing_period"], parts["billing_account"])
        units.add(unit)
        target = new / parts["tree"] / unit.rel
        target.mkdir(parents=True, exist_ok=True)
        os.replace(f, target / f"part-{f.relative_to(stage).parts[0]}-{f.name}")
    return sorted(units, key=lambda u: (u.provider, u.billing_period, u.billing_account))
