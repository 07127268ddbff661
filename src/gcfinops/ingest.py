"""Ingest: detect → read → map → allocate → stage → reconcile → swap into the lake → ledger.

Each source file goes through one streaming DuckDB `COPY … TO … (PARTITION_BY …)` into a staging
folder; nothing in the lake changes until every file has been read, every value parsed, and the
totals reconciled. Then the affected units are swapped in atomically (see `lake`).

Reconciliation (per provider, billing account, billing period and currency): the provider's own
amount of every source row (`x_SourceBilledCost`, folded rows included) must equal the lake's
Σ BilledCost, except for rows the adapter declares as netted in pairs (`netted_when`: AWS
SavingsPlanCoveredUsage and SavingsPlanNegation, which cancel each other in a full export). A
non-zero netted sum means a partial export and is reported as a warning. Rows an adapter
generates (`generate_when`: the unused part of an AWS RI / Savings Plan fee as a FOCUS Usage row)
carry BilledCost 0 and no source amount; they count as rows written, never as rows read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import decimal
import os
import secrets
import shutil
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from gcfinops import adapters, config, lake, schema
from gcfinops.adapters.base import Adapter, compile_select, quote_ident, sql_literal
from gcfinops.allocation.tags import (
    ALLOCATION_INPUTS,
    AllocationConfig,
    allocation_join_sql,
    allocation_select_sql,
    allocation_table_sql,
    register_lookups,
)
from gcfinops.db import connect, read_literal
from gcfinops.errors import (
    GcfinopsError,
    InputError,
    MissingColumnError,
    ReconciliationError,
    TruncatedFileError,
)
from gcfinops.ingest_quirks import drop_empty, fill_zero_cost_currency, note_defaults
from gcfinops.ledger import FileRecord, IngestRecord, Ledger, UnitRecord, sha256_of
from gcfinops.readers import (
    SourceFile,
    float_columns,
    has_rejects,
    kind_of,
    normalize_newlines,
    open_source,
    precomputed_columns,
    raise_non_finite,
    raise_rejects,
    relation_sql,
    typed_columns,
    typed_csv_sql,
)
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
# DuckDB's message when its strict CSV parser cannot go on (mixed line endings, stray quotes).
INVALID_STATE = "state machine reached an invalid state"

# DECIMAL(38, 18) sums need up to 38 digits; Python's default context rounds at 28.
EXACT = decimal.Context(prec=80)

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
    previous: list[UnitRecord] = field(default_factory=list)  # what replaced units held before
    warnings: list[str] = field(default_factory=list)
    empty_files: list[str] = field(default_factory=list)  # skipped: no rows (with others)


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
    adapter = adapters.get(format_name) if format_name else None
    files, empty, notes = drop_empty(expand(paths))
    records = [FileRecord(str(f), "", f.stat().st_size) for f in files]
    ws.root.mkdir(parents=True, exist_ok=True)
    with ws.lock(lock_timeout), ThreadPoolExecutor(1) as hasher:
        recovered = lake.recover(ws)
        ledger = Ledger(ws.ledger_path)
        live = ledger.live_hashes()
        # Hash while reading: a file of a size the ledger never saw cannot be a re-run, so its
        # sha256 is computed in a thread during staging (hashlib releases the GIL); only files
        # that may repeat an earlier one are hashed first, for the no-op check and its warnings.
        known = {f.bytes for r in ledger.ingests for f in r.files}
        for path, rec in zip(files, records, strict=True):
            if rec.bytes in known:
                rec.sha256 = sha256_of(path)
        if all(r.sha256 for r in records) and {r.sha256 for r in records} <= live:
            return IngestResult(None, files=records, skipped=True, recovered=recovered,
                                warnings=notes, empty_files=empty)  # fmt: skip
        reread = _reread_warnings([r for r in records if r.sha256], ledger, live)
        hashing = [
            (rec, hasher.submit(sha256_of, path))
            for path, rec in zip(files, records, strict=True)
            if not rec.sha256
        ]
        ingest_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
        work = ws.tmp / ingest_id
        try:
            result = _run(ws, cfg, files, records, hashing, ingest_id, work, ledger, adapter,
                          defaults or {}, progress, _fail_after_renames)  # fmt: skip
        except BaseException:
            if ws.journal.exists():
                # The swap started: put the lake back now (best effort; the next start retries).
                with contextlib.suppress(Exception):
                    lake.recover(ws)
            else:
                shutil.rmtree(work, ignore_errors=True)
            raise
        result.recovered = recovered
        result.warnings[:0] = notes + reread
        result.empty_files = empty
        return result


def _run(
    ws: Workspace,
    cfg: config.Config,
    files: list[Path],
    records: list[FileRecord],
    hashing: list[tuple[FileRecord, Future[str]]],
    ingest_id: str,
    work: Path,
    ledger: Ledger,
    forced: Adapter | None,
    defaults: dict[str, str],
    progress: Progress | None,
    fail_after: int | None,
) -> IngestResult:
    stage = work / "stage"
    warnings: list[str] = []
    used: dict[str, Adapter] = {}
    spellings: dict[str, dict[str, str]] = {}
    con = connect(temp_dir=work / "duckdb")
    _bound_memory(con)
    try:
        register_lookups(con, cfg.allocation)
        total = sum(r.bytes for r in records)
        done = 0
        for i, (path, rec) in enumerate(zip(files, records, strict=True)):
            if progress:
                progress(path.name, done, total)
            src = open_source(path, work / "transcoded")
            adapter = forced or adapters.detect(src.header, str(path))
            used[adapter.name] = adapter
            rec.format = adapter.name
            spellings[str(path)] = adapter.canonical(src.header)
            warnings.extend(src.warnings)
            rec.rows = _stage_file(
                con, src, adapter, defaults, stage / f"f{i:05d}", ingest_id, cfg.allocation,
                warnings,
            )  # fmt: skip
            done += rec.bytes
        if progress:
            progress("", total, total)
        units, unit_of = _reconcile(con, stage, used, warnings, spellings)
        new_units = _assemble(stage, work / "new", records, unit_of)
    finally:
        con.close()
    for rec, sha256 in hashing:
        rec.sha256 = sha256.result()
    replaced = sorted({u.key for u in units if u.key in ledger.live})
    previous = [old for key in replaced for old in ledger.units_of(ledger.live[key], key)]
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
    return IngestResult(ingest_id, units=units, files=records, replaced=replaced,
                        previous=previous, warnings=warnings)  # fmt: skip


def _reread_warnings(records: list[FileRecord], ledger: Ledger, live: set[str]) -> list[str]:
    """Name files whose content was ingested before and later replaced by a restatement."""
    out = []
    for rec in records:
        before = ledger.seen(rec.sha256)
        if before is not None and rec.sha256 not in live:
            out.append(
                f"{rec.path}: this content was ingested before ({before.ingest_id}) and later "
                "replaced by a newer file; its data replaces the newer data again"
            )
    return out


def _stage_file(
    con: duckdb.DuckDBPyConnection,
    src: SourceFile,
    adapter: Adapter,
    defaults: dict[str, str],
    out: Path,
    ingest_id: str,
    alloc: AllocationConfig,
    warnings: list[str],
    *,
    normalized: bool = False,
) -> int:
    """Read one file through its adapter into staging Parquet; returns the rows read.

    One COPY per file. Only when DuckDB's strict CSV parser fails on a file that mixes CRLF and
    LF line endings is the file normalized to a temporary copy and read again.
    """
    present = adapter.canonical(src.header)
    missing = sorted(c for c in adapter.required if c not in present and c not in defaults)
    if missing:
        others = [a for a in adapters.ADAPTERS.values() if a is not adapter
                  and a.matches(src.header)[0]]  # fmt: skip
        hint = (
            f"the header is the {others[0].name} format ({others[0].title}): pass --format "
            f"{others[0].name}, or leave --format out to detect it"
            if others
            else "pass --default COLUMN=VALUE for columns the file lacks"
            if adapter.name == "focus"
            else f"is this really {adapter.title}? `gcfinops formats` lists the others"
        )
        raise MissingColumnError(
            f"required column(s) missing for format {adapter.name}: {', '.join(missing)} "
            f"(found {len(src.header)} columns)",
            path=str(src.path),
            line=1 if src.kind == "csv" else None,
            hint=hint,
        )
    read_src = src
    if src.kind == "csv":
        out.parent.mkdir(parents=True, exist_ok=True)
        keep = typed_columns(src, adapter, defaults)
        typed = _typed_copy(
            con, src, adapter, keep, out.parent / f"{out.name}.typed.parquet",
            retry=not normalized,
        )  # fmt: skip
        if isinstance(typed, SourceFile):  # mixed line endings: the normalized copy, read again
            warnings.extend(typed.warnings[len(src.warnings) :])
            return _stage_file(con, typed, adapter, defaults, out, ingest_id, alloc,
                               warnings, normalized=True)  # fmt: skip
        read_src = dataclasses.replace(
            src, kind="parquet", read_path=typed, types=None, only=frozenset(keep)
        )
        try:
            raise_non_finite(con, typed, float_columns(src, adapter), src)
        except InputError:
            typed.unlink(missing_ok=True)
            raise
    elif src.kind == "parquet":
        raise_non_finite(con, src.read_path, float_columns(src, adapter), src)
    pre = precomputed_columns(read_src, adapter, defaults)
    relation = relation_sql(read_src, adapter, pre)
    note_defaults(con, src, adapter, defaults, relation, warnings)
    mapped = compile_select(adapter, src.header, relation, defaults, src.idents, pre)
    view = "gcf_mapped"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {mapped}")
    allocated = _allocated(con, read_src, adapter, defaults, view, alloc, out)
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
    copy = (
        f"COPY ({select}) TO {sql_literal(out.as_posix())} (FORMAT parquet, {LAKE_PARQUET}, "
        "PARTITION_BY (tree, provider, billing_period, billing_account), "
        "OVERWRITE_OR_IGNORE true)"
    )
    try:
        try:
            rows = con.execute(copy).fetchone()
        except duckdb.OutOfMemoryException:
            # Many partitions at once (a file spanning many accounts or periods) can need more
            # write buffers than MEMORY_LIMIT: lift the limit for this file and write it again.
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            con.execute("RESET memory_limit")
            try:
                rows = con.execute(copy).fetchone()
            finally:
                _bound_memory(con)
    except duckdb.Error as exc:
        raise _translate(exc, src) from None
    finally:
        if read_src is not src:
            read_src.read_path.unlink(missing_ok=True)
    return (int(rows[0]) if rows else 0) - _generated_rows(con, adapter, out)


def _allocated(
    con: duckdb.DuckDBPyConnection,
    read_src: SourceFile,
    adapter: Adapter,
    defaults: dict[str, str],
    view: str,
    alloc: AllocationConfig,
    out: Path,
) -> str:
    """The SELECT adding x_Ward, x_BusinessSystem, x_Environment to ``view``.

    Allocation depends only on (Tags, SubAccountId, BillingAccountId), which the adapter computes
    from a few source columns. Their distinct combinations in the source (a few thousand in a
    month of millions of rows) are written to a tiny Parquet file with the source's schema, mapped
    by the same adapter SQL, allocated once each, and joined back (docs/performance.md, ingest).
    Falls back to allocating every row where that is not possible (a JSON source, a mapping that
    reads the row number or that the adapter's generated rows override) or fails (bad JSON text:
    the full pass then reports it with its real line).
    """
    keys = _allocation_keys(read_src, adapter)
    if keys is None:
        return allocation_select_sql(view, alloc)
    path = read_literal(read_src.read_path)
    tiny = out.parent / f"{out.name}.keys.parquet"
    try:
        types = con.execute(f"DESCRIBE SELECT * FROM read_parquet({path})").fetchall()
        cols = ", ".join(
            quote_ident(name) if name in keys else f"CAST(NULL AS {typ}) AS {quote_ident(name)}"
            for name, typ, *_ in types
        )
        distinct = ", ".join(quote_ident(k) for k in sorted(keys)) or "1"
        con.execute(
            f"COPY (SELECT {cols} FROM (SELECT DISTINCT {distinct} FROM read_parquet({path}))) "
            f"TO {sql_literal(tiny.as_posix())} (FORMAT parquet, COMPRESSION uncompressed)"
        )
        keyed = dataclasses.replace(read_src, read_path=tiny)
        pre = precomputed_columns(keyed, adapter, defaults)
        mapped = compile_select(
            adapter, read_src.header, relation_sql(keyed, adapter, pre), defaults,
            read_src.idents, pre,
        )  # fmt: skip
        inputs = ", ".join(ALLOCATION_INPUTS)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE gcf_alloc AS "
            + allocation_table_sql(f"(SELECT {inputs} FROM ({mapped}))", alloc)
        )
    except duckdb.Error:
        return allocation_select_sql(view, alloc)
    finally:
        tiny.unlink(missing_ok=True)
    return allocation_join_sql(view, "gcf_alloc")


def _allocation_keys(read_src: SourceFile, adapter: Adapter) -> set[str] | None:
    """The source columns (as named in ``read_src``) allocation's inputs are computed from, or
    None when allocating per distinct value is not possible for this file."""
    if read_src.kind != "parquet":
        return None
    if adapter.generate_when.strip().upper() != "FALSE" and set(adapter.generated) & set(
        ALLOCATION_INPUTS
    ):
        return None  # generated rows would carry keys the source rows do not have
    present = adapter.canonical(read_src.header)
    keys: set[str] = set()
    for name in ALLOCATION_INPUTS:
        for ref in adapter.columns[name].refs_for(list(present)):
            if ref.startswith("@"):
                if ref == "@row":
                    return None
                continue
            if ref in present:
                keys.add(read_src.ident(present[ref]))
    return keys


def _generated_rows(con: duckdb.DuckDBPyConnection, adapter: Adapter, out: Path) -> int:
    """Rows the adapter added to the staged file (not read from it; see Adapter.generate_when)."""
    if adapter.generated_when.strip().upper() == "FALSE" or not any(out.rglob("*.parquet")):
        return 0
    staged = read_literal(out, "**/*.parquet")
    found = con.execute(
        f"SELECT count(*) FROM read_parquet({staged}, hive_partitioning = false) "
        f"WHERE {adapter.generated_when}"
    ).fetchone()
    return int(found[0]) if found else 0


def _typed_copy(
    con: duckdb.DuckDBPyConnection,
    src: SourceFile,
    adapter: Adapter,
    columns: list[str],
    typed: Path,
    *,
    retry: bool,
) -> Path | SourceFile:
    """Pass 1 for CSV: parse and type every value into a temporary Parquet file, in parallel.

    Only `columns` (readers.typed_columns) are written: the text columns no mapping reads are
    neither copied nor read back.

    Returns the Parquet path, or — only when DuckDB's strict parser fails on a file that mixes
    CRLF and LF line endings — a normalized copy of the source to read again instead.
    """
    failure: duckdb.Error | None = None
    try:
        con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
        for setting in TYPED_COPY_SETTINGS:
            with contextlib.suppress(duckdb.Error):  # a DuckDB without the knob: only slower
                con.execute(setting)
        con.execute(
            f"COPY ({typed_csv_sql(src, adapter, columns)}) TO {sql_literal(typed.as_posix())} "
            f"(FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE {TYPED_ROW_GROUP})"
        )
    except duckdb.Error as exc:
        failure = exc
    finally:
        _bound_memory(con)
    if retry and ((failure is not None and INVALID_STATE in str(failure)) or has_rejects(con)):
        # Mixed line endings make DuckDB's strict parser fail or reject lines: fix and reread.
        fixed = normalize_newlines(src, typed.parent.parent / "normalized")
        if fixed is not None:
            typed.unlink(missing_ok=True)
            return fixed
    raise_rejects(con, src, adapter)  # a bad value may be the cause: name it first
    if failure is not None:
        typed.unlink(missing_ok=True)
        raise _translate(failure, src) from None
    return typed


def _provider_case(column: str) -> str:
    whens = " ".join(
        f"WHEN {sql_literal(k)} THEN {sql_literal(v)}" for k, v in PROVIDER_KEYS.items()
    )
    return (
        f"CASE lower(trim({quote_ident(column)})) {whens} ELSE "
        f"regexp_replace(lower(trim({quote_ident(column)})), '[^a-z0-9]+', '_', 'g') END"
    )


def _short(message: str) -> str:
    return message.split("\n")[0].strip()


def _translate(exc: duckdb.Error, src: SourceFile) -> GcfinopsError:
    """A DuckDB error during the COPY as an InputError naming file, line and column."""
    text = str(exc)
    if "gzip" in text.lower() or "zlib" in text.lower():
        return TruncatedFileError(
            f"compressed file is damaged or truncated ({_short(text)})", path=str(src.path)
        )
    msg = _short(text.split("Error: ", 1)[1]) if "Error: " in text else _short(text)
    if msg.startswith("line "):
        head, _, rest = msg.partition(": ")
        digits = head.removeprefix("line ").strip()
        line = int(digits) if digits.isdigit() else None
        if rest.startswith("column "):
            column, _, detail = rest.removeprefix("column ").partition(": ")
            return InputError(detail, path=str(src.path), line=line, column=column)
        return InputError(rest, path=str(src.path), line=line)
    if INVALID_STATE in msg:
        return InputError(
            "not valid CSV: an unclosed quote, or a quote inside an unquoted field "
            "(DuckDB's parser could not continue)",
            path=str(src.path),
        )
    if "Could not convert" in msg or "Conversion Error" in text:
        return InputError(f"a value has the wrong type ({msg})", path=str(src.path))
    return InputError(msg, path=str(src.path))


def _netted_sql(used: dict[str, Adapter]) -> str:
    """Per-row flag: the row's adapter declares it netted (over lake columns)."""
    return _flag_sql({name: a.netted_when for name, a in used.items()})


def _generated_sql(used: dict[str, Adapter]) -> str:
    """Per-row flag: the row's adapter generated it (Adapter.generated_when, over lake columns)."""
    return _flag_sql({name: a.generated_when for name, a in used.items()})


def _flag_sql(conditions: dict[str, str]) -> str:
    whens = " ".join(
        f"WHEN {sql_literal(name)} THEN ({cond})"
        for name, cond in conditions.items()
        if cond.strip().upper() != "FALSE"
    )
    return f"COALESCE(CASE x_SourceFormat {whens} END, FALSE)" if whens else "FALSE"


def _reconcile(
    con: duckdb.DuckDBPyConnection,
    stage: Path,
    used: dict[str, Adapter],
    warnings: list[str],
    spellings: dict[str, dict[str, str]],
) -> tuple[list[UnitRecord], dict[tuple[str, str, str], str]]:
    """Check required values, then compare source and lake totals per unit and currency.

    Returns the unit records and, for each staged partition (provider, period, account folder
    name), its unit key. `spellings` maps each file to its canonical → own column names, so
    messages use the file's spelling.
    """
    staged = read_literal(stage, "**/*.parquet")
    # hive_types_autocast off: an account "0099…" must stay the text of its folder name
    rel = f"read_parquet({staged}, hive_partitioning = true, hive_types_autocast = false)"
    fill_zero_cost_currency(con, stage, warnings)
    nulls = " OR ".join(f"{quote_ident(c)} IS NULL" for c in NOT_NULL)
    which = " ".join(f"WHEN {quote_ident(c)} IS NULL THEN {sql_literal(c)}" for c in NOT_NULL)
    # Non-finite numbers computed by a mapping (or read from JSON) are refused like NULLs.
    # (Money is DECIMAL and cannot be non-finite; the quantities are DOUBLE.)
    floats = [c.name for c in schema.COLUMNS if c.type == "DOUBLE"]
    nonfinite = " OR ".join(f"NOT isfinite({quote_ident(c)})" for c in floats)
    which += " " + " ".join(
        f"WHEN NOT isfinite({quote_ident(c)}) THEN {sql_literal('~' + c)}" for c in floats
    )
    bad = con.execute(
        f"SELECT x_SourceFile, x_SourceRow, CASE {which} END, x_SourceFormat FROM {rel} "
        f"WHERE {nulls} OR {nonfinite or 'FALSE'} ORDER BY x_SourceFile, x_SourceRow LIMIT 1"
    ).fetchone()
    if bad:
        path, row, lake_column, fmt = bad
        # A JSON file has no header line: record n is line n (as the adapters' own messages).
        line = int(row) + (0 if kind_of(Path(path)) == "json" else 1)
        finite = lake_column.startswith("~")
        lake_column = lake_column.removeprefix("~")
        refs = sorted(used[fmt].columns[lake_column].refs()) if fmt in used else []
        sources = [spellings.get(path, {}).get(r, r) for r in refs]
        if finite:
            raise InputError(
                f"{lake_column} is not a finite number (NaN or infinity)"
                + (f" (computed from {', '.join(sources)})" if sources else ""),
                path=path, line=line, column=sources[0] if len(sources) == 1 else lake_column,
            )  # fmt: skip
        raise InputError(
            f"empty, but FOCUS requires a value for {lake_column}"
            + (f" (read from {', '.join(sources)})" if sources else ""),
            path=path, line=line, column=sources[0] if len(sources) == 1 else lake_column,
            hint=(
                "a row with a cost needs its own currency (only zero-cost rows take the one of "
                "their billing account and period); "
                if lake_column == "BillingCurrency" else ""
            ) + "pass --default COLUMN=VALUE to fill the empty cells of a column",
        )  # fmt: skip
    netted = _netted_sql(used)
    # Rows an adapter generates (AWS unused commitment) were not read: they count as written,
    # not as read, and carry no provider amount (BilledCost 0, x_SourceBilledCost NULL).
    generated = _generated_sql(used)
    rows = con.execute(
        f"""SELECT provider, billing_account, billing_period, BillingCurrency,
               min(BillingAccountId), max(BillingAccountId),
               count(*) FILTER (WHERE NOT {generated}), count(*) FILTER (WHERE tree = 'lake'),
               count(*) FILTER (WHERE tree = 'folded'), count(*) FILTER (WHERE {generated}),
               coalesce(sum(x_SourceBilledCost), 0),
               coalesce(sum(x_SourceBilledCost) FILTER (WHERE {netted}), 0),
               coalesce(sum(BilledCost) FILTER (WHERE tree = 'lake'), 0)
            FROM {rel}
            GROUP BY ALL
            ORDER BY provider, billing_period, billing_account, BillingCurrency"""
    ).fetchall()
    units: list[UnitRecord] = []
    unit_of: dict[tuple[str, str, str], str] = {}
    problems = []
    for (prov, folder, period, cur, acct, acct_max, n, n_lake, n_fold, n_gen,
         read, net, written) in rows:  # fmt: skip
        if acct != acct_max:
            raise InputError(
                f"billing accounts {acct!r} and {acct_max!r} map to the same lake folder "
                f"{folder!r}; gcfinops cannot keep them apart"
            )
        unit = UnitRecord(prov, acct, period, cur, n, n_lake, n_fold, float(read),
                          float(written), float(net), n_gen)  # fmt: skip
        units.append(unit)
        unit_of[(prov, period, folder)] = unit.key
        # Exact: DECIMAL sums of DECIMAL amounts, no tolerance (and no 28-digit rounding).
        if EXACT.subtract(read, net) != written:
            problems.append(
                f"{prov} {acct} {period} {cur}: source {read - net:,.6f} vs lake {written:,.6f} "
                f"(difference {written - read + net:,.6f})"
            )
        elif net != 0:
            warnings.append(
                f"{prov} {acct} {period} {cur}: Savings Plan covered usage and its negation do "
                f"not cancel out ({net:,.2f} {cur} left); the export looks partial — the lake "
                "keeps BilledCost 0 on covered usage, as FOCUS requires"
            )
    if problems:
        raise ReconciliationError(
            "totals written differ from totals read; the lake was not changed:\n  "
            + "\n  ".join(problems),
            hint="this is a mapping bug or a damaged export; please report it with the file",
        )
    return units, unit_of


def _assemble(
    stage: Path,
    new: Path,
    records: list[FileRecord],
    unit_of: dict[tuple[str, str, str], str],
) -> list[lake.Unit]:
    """Gather every staged file into one folder per unit and tree; note each file's units."""
    units: set[lake.Unit] = set()
    per_file: dict[int, set[str]] = defaultdict(set)
    for f in sorted(stage.rglob("*.parquet")):
        rel = f.relative_to(stage).parts
        parts = dict(p.split("=", 1) for p in rel[1:-1])
        unit = lake.Unit(parts["provider"], parts["billing_period"], parts["billing_account"])
        units.add(unit)
        key = unit_of.get((unit.provider, unit.billing_period, unit.billing_account))
        if key is not None:
            per_file[int(rel[0].removeprefix("f"))].add(key)
        target = new / parts["tree"] / unit.rel
        target.mkdir(parents=True, exist_ok=True)
        os.replace(f, target / f"part-{rel[0]}-{f.name}")
    for i, rec in enumerate(records):
        rec.units = sorted(per_file.get(i, set()))
    return sorted(units, key=lambda u: (u.provider, u.billing_period, u.billing_account))


# Memory that stays flat as billing files grow (measured in docs/performance.md, `## ingest`):
# DuckDB underestimates a CSV's row count and would build the allocation joins' hash tables on
# the billing rows instead of the small lookup tables, and a partitioned COPY buffers 524,288
# rows per thread before it writes. Results are identical; only memory and speed change.
# DuckDB's memory limit for the ingest connection: with Python's own ≈ 200 MiB the process stays
# under 1 GiB (issue 14 item 1). Both passes stream; the typed CSV copy and the partitioned
# write buffers are what fill it. Measured: 1M-row CUR 2.0 month 2.4 GiB → 0.8 GiB.
MEMORY_LIMIT = "700MB"
STREAMING_SETTINGS = (
    "SET disabled_optimizers = 'build_side_probe_side'",
    # Rows buffered per partition and thread before a partitioned write flushes (default
    # 524,288; 122,880 = one row group still held 1.4 GiB at 1M rows): small row groups, bounded.
    "SET partitioned_write_flush_threshold = 16384",
    f"SET memory_limit = '{MEMORY_LIMIT}'",
)


# Pass 1 (the typed CSV copy) must keep the CSV's row order (Parquet row n = data line n, the
# lineage). DuckDB 2.0.1 runs an order-preserving COPY on one thread when its memory limit is
# below 1 GB (measured at 1M rows: 700MB and 950MB one core, 1GB both cores). Small row groups
# keep what the ordered write buffers small, so the process stays far below the limit (1M rows:
# peak 0.43 GiB for the copy alone). Pass 2 goes back to MEMORY_LIMIT.
TYPED_COPY_SETTINGS = ("SET memory_limit = '1GB'",)
TYPED_ROW_GROUP = 16384


# The lake's Parquet options (zstd level 1 and snappy were measured: no faster, or slower).
LAKE_PARQUET = "COMPRESSION zstd"


def _bound_memory(con: duckdb.DuckDBPyConnection) -> None:
    for setting in STREAMING_SETTINGS:
        with contextlib.suppress(duckdb.Error):  # a DuckDB without the knob: only slower
            con.execute(setting)
