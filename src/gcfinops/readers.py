"""Open a billing file as DuckDB SQL: CSV / CSV.gz / Parquet, UTF-8, UTF-8 with BOM or CP932.

DuckDB reads CSV and Parquet natively and streams them. What it cannot do here is decode CP932
(its `encodings` extension would need a download, impossible on LGWAN), so a CP932 file is
transcoded once to a temporary UTF-8 copy in chunks. The header and the first megabyte are read
in Python to detect the format, the encoding and the row shape; every data row is then read by
DuckDB, once, with declared types, and values that do not parse are collected with
`store_rejects` so that `raise_rejects` can name file, line, column, the value found and the
value expected (DuckDB's `reject_errors` table: https://duckdb.org/docs/data/csv/reading_faulty_csv_files).

Short rows: some exports (e.g. koku's `test_cur.csv`) have one name more in the header than
fields in every row. When *every* sampled row is short by the same number of fields, those
trailing columns are read as NULL (DuckDB `null_padding`) and a warning names them. Otherwise a
short row is an error naming its line: a file cut in the middle of a row must not load.
"""

from __future__ import annotations

import codecs
import csv
import functools
import gzip
import io
import json
import math
import re
import zlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from gcfinops.adapters.base import (
    PRE,
    ROW,
    Adapter,
    per_map_columns,
    quote_ident,
    render,
    source_refs,
    sql_literal,
)
from gcfinops.db import read_literal
from gcfinops.errors import EmptyFileError, EncodingError, InputError, TruncatedFileError
from gcfinops.schema import MONEY

SNIFF_BYTES = 1 << 20
CHUNK = 1 << 22
CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.gzip", ".txt")
PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")

# What a value of each declared type must look like, for messages.
EXPECTED = {
    "DOUBLE": "a number such as 12.34 (no thousands separators or currency symbols)",
    "TIMESTAMPTZ": "a date-time such as 2025-04-01T00:00:00Z",
    "BIGINT": "a whole number",
}
EXPECTED[MONEY] = EXPECTED["DOUBLE"]
KIND = {"DOUBLE": "a number", "TIMESTAMPTZ": "a date-time", "BIGINT": "a whole number"}
KIND[MONEY] = KIND["DOUBLE"]
NON_FINITE = (
    "not a finite number (found {}; NaN, inf and values beyond ±1.8e308 such as 1e999 are not "
    "amounts, expected a number such as 12.34)"
)


@dataclass(frozen=True)
class SourceFile:
    """A file ready to read: its kind, header and the path DuckDB should open."""

    path: Path  # as given by the user (for messages and lineage)
    kind: str  # "csv" or "parquet"
    header: list[str]
    read_path: Path  # the file itself, or a UTF-8 transcoded copy
    encoding: str
    types: dict[str, str] | None = None  # Parquet column types
    padded: tuple[str, ...] = ()  # trailing header columns that no row has (read as NULL)
    only: frozenset[str] | None = None  # the header columns read_path holds (None: all of them)
    warnings: list[str] = field(default_factory=list)

    @functools.cached_property
    def idents(self) -> dict[str, str]:
        """Header name → the column's name inside DuckDB (see `duckdb_names`)."""
        return duckdb_names(self.header)

    def ident(self, name: str) -> str:
        """The column's name inside DuckDB (see `duckdb_names`)."""
        return self.idents.get(name, name)


def duckdb_names(header: list[str]) -> dict[str, str]:
    """Header name → a name DuckDB can tell apart from the others.

    DuckDB identifiers ignore case, so `resourceTags/user:Ward` and `resourceTags/user:ward`
    (two real AWS tags: tag keys are case-sensitive) would collide. The first spelling keeps its
    name; a later case variant becomes `<name>_1`, `<name>_2`, … — the scheme DuckDB itself uses
    for such Parquet columns, so CSV and Parquet sources agree. Messages keep the file's names.
    """
    seen: set[str] = set()
    out: dict[str, str] = {}
    for h in header:
        name, n = h, 0
        while name.lower() in seen:
            n += 1
            name = f"{h}_{n}"
        seen.add(name.lower())
        out[h] = name
    return out


def kind_of(path: Path) -> str:
    """'csv' or 'parquet' from the file name."""
    name = path.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(JSON_SUFFIXES):
        return "json"
    raise InputError(
        "not a CSV, CSV.gz or Parquet file (by its name)",
        path=str(path),
        hint="name the file *.csv, *.csv.gz or *.parquet",
    )


def _open_bytes(path: Path) -> io.BufferedIOBase:
    if path.name.lower().endswith((".gz", ".gzip")):
        return gzip.open(path, "rb")
    return path.open("rb")


def _sniff(path: Path) -> bytes:
    try:
        with _open_bytes(path) as fh:
            return fh.read(SNIFF_BYTES)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise TruncatedFileError(
            f"compressed file is damaged or truncated ({exc})", path=str(path)
        ) from None


def detect_encoding(sample: bytes, path: Path) -> str:
    """'utf-8-sig', 'utf-8' or 'cp932', from the first megabyte."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for enc in ("utf-8", "cp932"):
        try:
            sample.decode(enc)
            return enc
        except UnicodeDecodeError as exc:
            if exc.start >= len(sample) - 4 and len(sample) == SNIFF_BYTES:
                return enc  # a multi-byte character cut by the sample's end
    raise EncodingError("not UTF-8, UTF-8 with BOM, or Shift_JIS/CP932", path=str(path))


def _transcode(path: Path, encoding: str, tmp_dir: Path) -> Path:
    """Decode a CP932 file into a UTF-8 copy, chunk by chunk (bounded memory)."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    out = tmp_dir / (path.name.removesuffix(".gz") + ".utf8.csv")
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    try:
        with _open_bytes(path) as src, out.open("w", encoding="utf-8", newline="") as dst:
            while True:
                chunk = src.read(CHUNK)
                try:
                    text = decoder.decode(chunk, final=not chunk)
                except UnicodeDecodeError as exc:
                    bad_line = line + chunk[: exc.start].count(b"\n")
                    raise EncodingError(
                        f"invalid {encoding} byte sequence", path=str(path), line=bad_line
                    ) from None
                line += chunk.count(b"\n")
                dst.write(text)
                if not chunk:
                    break
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise TruncatedFileError(
            f"compressed file is damaged or truncated ({exc})", path=str(path)
        ) from None
    return out


def normalize_newlines(src: SourceFile, tmp_dir: Path) -> SourceFile | None:
    """A copy with every CRLF turned into LF, when the file mixes both; else None.

    DuckDB's strict CSV mode (which we keep: lenient mode silently drops extra fields) stops on a
    file whose line endings change part-way (Azure's `camel_azure_version_2.csv` ends its last
    line with LF after CRLF lines). Called only after such a failure, so a well-formed file is
    never read twice.
    """
    tmp_dir.mkdir(parents=True, exist_ok=True)
    out = tmp_dir / (src.path.name.removesuffix(".gz") + ".lf.csv")
    crlf = bare_lf = 0
    carry = b""
    try:
        with _open_bytes(src.read_path) as fh, out.open("wb") as dst:
            while chunk := fh.read(CHUNK):
                chunk = carry + chunk
                carry = b"\r" if chunk.endswith(b"\r") else b""
                chunk = chunk[:-1] if carry else chunk
                n = chunk.count(b"\r\n")
                crlf += n
                bare_lf += chunk.count(b"\n") - n
                dst.write(chunk.replace(b"\r\n", b"\n"))
            dst.write(carry)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise TruncatedFileError(
            f"compressed file is damaged or truncated ({exc})", path=str(src.path)
        ) from None
    if not (crlf and bare_lf):
        out.unlink()
        return None
    note = f"{src.path}: mixed CRLF and LF line endings; read with LF throughout"
    return replace(src, read_path=out, warnings=[*src.warnings, note])


def _rows(text: str, complete: bool) -> list[list[str]]:
    """CSV rows of the sampled text; the last one is dropped when the sample cut it."""
    if not complete:
        cut = text.rfind("\n")
        text = text[: cut + 1] if cut >= 0 else ""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    try:
        rows.extend(r for r in reader if r)
    except csv.Error as exc:
        if not rows:  # the header itself cannot be parsed
            raise InputError(f"not readable as CSV ({exc})", line=reader.line_num) from None
        # Otherwise keep the sample so far; DuckDB will name the bad line when it reads it.
    return rows


def empty_reason(path: Path) -> str | None:
    """Why a file holds no billing rows (zero bytes, header only, no records), else None.

    The reason starts with the path, like an InputError's text.

    Cheap: the file's size, its first megabyte or its Parquet footer. Any other problem
    (damage, encoding, a bad header) is left to `open_source`, which names it when the file is
    read. Used to skip empty files among several (Azure writes header-only files for empty
    periods) without aborting the others.
    """
    try:
        if path.stat().st_size == 0:
            return f"{path}: file is empty"
        if kind_of(path) == "parquet":
            rows = pq.ParquetFile(path).metadata.num_rows
            return f"{path}: Parquet file has no rows" if rows == 0 else None
        open_source(path, path.parent, transcode=False)
    except EmptyFileError as exc:
        return exc.message
    except (InputError, OSError, ValueError):
        return None
    return None


def open_source(path: Path, tmp_dir: Path, *, transcode: bool = True) -> SourceFile:
    """Inspect a file: kind, encoding, header, row shape; transcode if needed (and asked)."""
    if not path.exists():
        raise InputError("no such file", path=str(path))
    if path.stat().st_size == 0:
        raise EmptyFileError("file is empty", path=str(path))
    kind = kind_of(path)
    if kind == "parquet":
        return _open_parquet(path)
    if kind == "json":
        return _open_json(path)
    sample = _sniff(path)
    if not sample.strip():
        raise EmptyFileError("file is empty", path=str(path))
    encoding = detect_encoding(sample, path)
    text = sample.decode(encoding, errors="ignore").removeprefix("\ufeff")
    try:
        rows = _rows(text, complete=len(sample) < SNIFF_BYTES)
    except InputError as exc:
        raise InputError(exc.message, path=str(path), line=exc.line) from None
    if not rows or not any(h.strip() for h in rows[0]):
        raise EmptyFileError("file has no header line", path=str(path), line=1)
    header = rows[0]
    _check_header(header, path)
    data = [r for r in rows[1:] if any(v.strip() for v in r)]
    if not data and len(sample) < SNIFF_BYTES:
        raise EmptyFileError("file has a header but no data rows", path=str(path))
    widths = {len(r) for r in data}
    padded: tuple[str, ...] = ()
    warnings = []
    if len(widths) == 1 and (w := widths.pop()) < len(header):
        padded = tuple(header[w:])
        warnings.append(
            f"{path}: every row has {w} fields but the header has {len(header)}; "
            f"read the trailing column(s) {', '.join(repr(c) for c in padded)} as empty"
        )
    read_path = _transcode(path, encoding, tmp_dir) if encoding == "cp932" and transcode else path
    return SourceFile(path, kind, header, read_path, encoding, padded=padded, warnings=warnings)


def _check_header(header: list[str], path: Path) -> None:
    blank = [i + 1 for i, h in enumerate(header) if not h.strip()]
    if blank:
        raise InputError(
            f"header field(s) {', '.join(map(str, blank))} have no name "
            f"(found {len(header)} fields, {len(blank)} empty)",
            path=str(path),
            line=1,
        )
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InputError(
            f"duplicate column names in header: {', '.join(map(repr, dupes))}",
            path=str(path),
            line=1,
        )


def _open_parquet(path: Path) -> SourceFile:
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as exc:  # ArrowInvalid, ArrowIOError … for damaged files
        raise TruncatedFileError(f"not a readable Parquet file ({exc})", path=str(path)) from None
    types = {f.name: str(f.type) for f in schema}
    header = list(schema.names)
    _check_header(header, path)
    return SourceFile(path, "parquet", header, path, "binary", types)


def csv_types(src: SourceFile, adapter: Adapter) -> dict[str, str]:
    """DuckDB type of every CSV column: the adapter's declaration, else VARCHAR."""
    canonical = {v: k for k, v in adapter.canonical(src.header).items()}
    return {h: adapter.csv_types.get(canonical.get(h, h), "VARCHAR") for h in src.header}


def precomputed_columns(
    src: SourceFile, adapter: Adapter, defaults: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Lake columns `relation_sql(src, adapter, them)` computes once per distinct JSON text
    (adapters.base.per_map_columns), for a Parquet file whose map column is JSON text."""
    if src.kind != "parquet":
        return {}
    present = adapter.canonical(src.header)
    types = src.types or {}
    return {
        name: ref
        for name, ref in per_map_columns(adapter, src.header, defaults).items()
        if (src.only is None or present[ref] in src.only)
        and not types.get(present[ref], "").startswith("map")
    }


def relation_sql(
    src: SourceFile, adapter: Adapter, precomputed: Mapping[str, str] | None = None
) -> str:
    """A SELECT over the file exposing its columns (typed) plus the 1-based row `__gcf_row`,
    and `__gcf_pre_<column>` for each of `precomputed` (see `precomputed_columns`)."""
    if src.kind == "parquet":
        base = (
            f"SELECT *{_exact_money(src, adapter)}, file_row_number + 1 AS {ROW} FROM read_parquet("
            f"{read_literal(src.read_path)}, file_row_number = true)"
        )
        return _json_maps(base, src, adapter, is_csv=False, precomputed=precomputed or {})
    if src.kind == "json":
        return _json_relation(src)
    base = (
        f"SELECT row_number() OVER () AS {ROW}, * FROM read_csv("
        f"{read_literal(src.read_path)}, {_csv_options(src, adapter)})"
    )
    return _json_maps(base, src, adapter, is_csv=True)


def _exact_money(src: SourceFile, adapter: Adapter) -> str:
    """` REPLACE (…)` turning a Parquet source's float money columns into exact DECIMAL.

    BigQuery's `cost` (and a Parquet CUR's costs) are float64. A direct DOUBLE → DECIMAL cast
    keeps the binary error (0.1 + 0.2 → 0.300000000000000044…); the shortest text of the float
    (what BigQuery and every CSV export print) is the amount the provider meant.
    """
    types = src.types or {}
    money = [
        h for h, t in csv_types(src, adapter).items()
        if t == MONEY and types.get(h, "") in FLOAT_TYPES
    ]  # fmt: skip
    if not money:
        return ""
    idents = [quote_ident(src.ident(h)) for h in money]
    casts = ", ".join(f"CAST(CAST({q} AS VARCHAR) AS {MONEY}) AS {q}" for q in idents)
    return f" REPLACE ({casts})"


def _csv_options(src: SourceFile, adapter: Adapter) -> str:
    types = csv_types(src, adapter)
    columns = (
        "{"
        + ", ".join(f"{sql_literal(src.ident(h))}: {sql_literal(t)}" for h, t in types.items())
        + "}"
    )
    nulls = "[" + ", ".join(sql_literal(s) for s in adapter.null_strings) + "]"
    options = (
        f"header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
        f"columns = {columns}, nullstr = {nulls}, store_rejects = true, encoding = 'utf-8', "
        f"strict_mode = true, null_padding = {'true' if src.padded else 'false'}"
    )
    if adapter.timestamp_format:
        options += f", timestampformat = {sql_literal(adapter.timestamp_format)}"
    return options


def typed_csv_sql(src: SourceFile, adapter: Adapter, columns: list[str] | None = None) -> str:
    """The CSV read alone, typed, without a row number, so DuckDB runs it on every core.

    Ingest copies it to a temporary Parquet file first (values that do not parse are rejected
    there, with file, line and column), then maps that file with `file_row_number`: the source
    row stays in the lineage without the single-threaded `row_number() OVER ()`. Insertion order
    is preserved by the copy, so Parquet row n is CSV data row n. `columns` (header names) limits
    the copy to those columns (see `typed_columns`); every line is still split and counted.
    """
    names = "*" if columns is None else ", ".join(quote_ident(src.ident(h)) for h in columns)
    return (
        f"SELECT {names} FROM read_csv({read_literal(src.read_path)}, {_csv_options(src, adapter)})"
    )


def typed_columns(src: SourceFile, adapter: Adapter, defaults: Collection[str] = ()) -> list[str]:
    """The header columns the typed copy of a CSV must keep, in header order.

    Those the adapter's SQL reads (`source_refs`), those `--default` names, and every column
    declared with a type other than VARCHAR: their values are still parsed, so a value that is
    not a number or a date-time (or is NaN / infinite) stops the ingest naming its line and
    column even where the lake does not use it. Only unused text columns are left out (a CUR 2.0
    file: `identity_line_item_id`, `cost_category`, … 13 of 59, of which 3 typed and kept).
    """
    present = adapter.canonical(src.header)
    wanted = source_refs(adapter, src.header) | set(defaults)
    keep = {present[c] for c in wanted if c in present}
    types = csv_types(src, adapter)
    return [h for h in src.header if h in keep or types[h] != "VARCHAR"]


FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL", "double", "float", "halffloat")


def raise_non_finite(
    con: duckdb.DuckDBPyConnection, parquet: Path, columns: list[str], src: SourceFile
) -> None:
    """Stop on the first NaN or infinity in `columns` of `parquet`, naming file, line, column.

    DuckDB parses `NaN`, `inf`, `-inf` and overflowing `1e999` as DOUBLE without complaint; the
    lake must never hold them (money that no DECIMAL reader accepts, sums that turn NaN and pass
    any tolerance). `parquet` is the typed copy of a CSV (line = data row + 1) or a Parquet
    source (same numbering, as every lake lineage message).
    """
    if not columns:
        return
    bad = " OR ".join(f"NOT isfinite({quote_ident(src.ident(c))})" for c in columns)
    which = " ".join(
        f"WHEN NOT isfinite({quote_ident(src.ident(c))}) THEN [{sql_literal(c)}, "
        f"CAST({quote_ident(src.ident(c))} AS VARCHAR)]"
        for c in columns
    )
    row = con.execute(
        f"SELECT file_row_number, CASE {which} END FROM read_parquet("
        f"{read_literal(parquet)}, file_row_number = true) WHERE {bad} "
        "ORDER BY file_row_number LIMIT 1"
    ).fetchone()
    if row is None:
        return
    number, (column, value) = row
    raise InputError(
        NON_FINITE.format(value),
        path=str(src.path),
        line=int(number) + 2,
        column=column,
    )


def float_columns(src: SourceFile, adapter: Adapter) -> list[str]:
    """The file's columns read as floating point: declared DOUBLE (CSV) or float (Parquet)."""
    if src.kind == "csv":
        return [h for h, t in csv_types(src, adapter).items() if t == "DOUBLE"]
    types = src.types or {}
    return [h for h in src.header if types.get(h, "") in FLOAT_TYPES]


def _json_maps(
    base: str,
    src: SourceFile,
    adapter: Adapter,
    *,
    is_csv: bool,
    precomputed: Mapping[str, str] | None = None,
) -> str:
    """Turn JSON-text map columns (CSV flavour) into MAP(VARCHAR, VARCHAR), naming bad lines.

    Over a Parquet file (the typed copy of a CSV) each distinct text is parsed once and joined
    back: billing exports repeat the same `product` / tag objects on thousands of lines. The
    lake columns in `precomputed` (lake column → its one JSON column) are computed there too,
    once per distinct text, as `__gcf_pre_<column>`; a text that is not a JSON object stops the
    query through them as well, so the check holds even where no mapping reads the map itself.
    """
    canonical = {v: k for k, v in adapter.canonical(src.header).items()}
    present = adapter.canonical(src.header)
    replace: list[str] = []
    extra: list[str] = []
    joins: list[str] = []
    for h in src.header:
        if canonical.get(h, h) not in adapter.json_maps or (
            src.only is not None and h not in src.only
        ):
            continue
        if not is_csv and src.types and src.types.get(h, "").startswith("map"):
            continue
        q = quote_ident(src.ident(h))
        col = q if is_csv else f"b.{q}"
        row = ROW if is_csv else f"b.{ROW}"
        found = f"left(CAST({col} AS VARCHAR), 60)"
        bad = (
            f"error('line ' || CAST({row} + 1 AS VARCHAR) || ': column {_sql_text(h)}: "
            f"not a JSON object (found ''' || {found} || ''', expected "
            f'{{"key": "value", …}} with unique keys)\')'
        )
        blank = f"{col} IS NULL OR trim(CAST({col} AS VARCHAR)) = ''"

        def valid(v: str) -> str:
            # CASE, not AND: DuckDB evaluates both sides of AND, and json_type fails on bad text.
            # Keys must be unique (FOCUS KeyValueFormat; a MAP cannot hold a key twice, and
            # TRY_CAST would silently drop the whole object). Case variants are distinct keys.
            return (
                f"CASE WHEN json_valid({v}) THEN json_type({v}) = 'OBJECT' AND "
                f"len(json_keys({v})) = len(list_distinct(json_keys({v}))) ELSE FALSE END"
            )

        def parse(v: str) -> str:
            return f"CAST(CAST({v} AS JSON) AS MAP(VARCHAR, VARCHAR))"

        if is_csv:
            replace.append(
                f"CASE WHEN {blank} THEN NULL WHEN {valid(q)} THEN {parse(q)} ELSE {bad} END AS {q}"
            )
            continue
        alias = f"gcf_j{len(joins)}"
        path = read_literal(src.read_path)
        # Lake columns computed from this map alone: once per distinct text (inner `p_<n>`),
        # and once for a blank cell (the template over a NULL map, a constant subquery).
        mine = [c for c, ref in (precomputed or {}).items() if present.get(ref) == h]
        per_text = "".join(
            f", {render(adapter.columns[c].template_for(list(present)), {ref: 'm'})} AS p_{i}"
            for i, c in enumerate(mine)
            for ref in [canonical.get(h, h)]
        )
        joins.append(
            # TRY_CAST: DuckDB may evaluate both CASE branches here; `ok` still catches bad text.
            f"LEFT JOIN (SELECT *{per_text} FROM (SELECT raw, CASE WHEN {valid('raw')} THEN "
            "TRY_CAST(TRY_CAST(raw AS JSON) AS MAP(VARCHAR, VARCHAR)) END AS m, "
            f"{valid('raw')} AS ok FROM (SELECT DISTINCT CAST({q} AS VARCHAR) AS raw "
            f"FROM read_parquet({path}) WHERE {q} IS NOT NULL))) AS {alias} "
            f"ON CAST({col} AS VARCHAR) = {alias}.raw"
        )
        replace.append(
            f"CASE WHEN {blank} THEN NULL WHEN {alias}.ok THEN {alias}.m ELSE {bad} END AS {q}"
        )
        for i, c in enumerate(mine):
            template = adapter.columns[c].template_for(list(present))
            empty = (
                f"(SELECT {render(template, {canonical.get(h, h): 'm'})} "
                "FROM (SELECT CAST(NULL AS MAP(VARCHAR, VARCHAR)) AS m))"
            )
            extra.append(
                f"CASE WHEN {blank} THEN {empty} WHEN {alias}.ok THEN {alias}.p_{i} "
                f"ELSE {bad} END AS {quote_ident(PRE + c)}"
            )
    if not replace:
        return base
    more = "".join(", " + e for e in extra)
    if not joins:
        return f"SELECT * REPLACE ({', '.join(replace)}) FROM ({base})"
    return f"SELECT b.* REPLACE ({', '.join(replace)}){more} FROM ({base}) AS b {' '.join(joins)}"


def _sql_text(value: str) -> str:
    """Text to embed inside a SQL string literal."""
    return value.replace("'", "''")


def has_rejects(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the last CSV scan rejected any line."""
    try:
        return con.execute("SELECT count(*) > 0 FROM reject_errors").fetchone() == (True,)
    except duckdb.CatalogException:
        return False


def raise_rejects(con: duckdb.DuckDBPyConnection, src: SourceFile, adapter: Adapter) -> None:
    """Turn the first row of DuckDB's `reject_errors` into an InputError like a compiler's."""
    try:
        row = con.execute(
            "SELECT line, error_type, csv_line, error_message "
            "FROM reject_errors ORDER BY line, column_idx LIMIT 1"
        ).fetchone()
        total = con.execute("SELECT count(DISTINCT line) FROM reject_errors").fetchone()
    except duckdb.CatalogException:
        return
    if row is None:
        return
    line, error_type, csv_line, message = row
    more = int(total[0]) - 1 if total else 0
    column, text = reject_message(str(error_type), str(message), csv_line, src, adapter)
    if more:
        text += f" (and {more} more line{'s' if more > 1 else ''} with problems)"
    raise InputError(text, path=str(src.path), line=int(line), column=column)


def _non_finite(text: str) -> bool:
    """NaN, inf, 1e999 …: text a DOUBLE reader would take as a non-finite float."""
    try:
        return not math.isfinite(float(text))
    except ValueError:
        return False


def reject_message(
    error_type: str, message: str, csv_line: str | None, src: SourceFile, adapter: Adapter
) -> tuple[str | None, str]:
    """The column and `what is wrong (found …, expected …)` for one DuckDB reject.

    NOTE: DuckDB names the wrong column (in `column_name`, `column_idx` and the message) when
    the query reads only some columns (projection pushdown, seen with DuckDB 2.0), so the column
    is found again here: the field holding the value DuckDB could not convert, among the columns
    declared with the type it was converting to.
    """
    fields = _fields(csv_line)
    if error_type == "CAST":
        types = csv_types(src, adapter)
        m = re.search(r'Could not convert string "(.*)" to \'(.*?)\'', message, re.DOTALL)
        value = m.group(1) if m else "?"
        target = (
            {"TIMESTAMP WITH TIME ZONE": "TIMESTAMPTZ"}.get(m.group(2), m.group(2)) if m else ""
        )
        hits = [
            h
            for h, v in zip(src.header, fields, strict=False)
            if v == value and types[h].split("(")[0] == target
        ]
        named = re.search(r'converting column "(.*?)"\.', message)
        column = hits[0] if hits else (named.group(1) if named else None)
        declared = types.get(column or "", target or "VARCHAR")
        if declared == MONEY and _non_finite(value):
            return column, NON_FINITE.format(value)
        return column, (
            f"not {KIND.get(declared, declared)} (found {value!r}, "
            f"expected {EXPECTED.get(declared, declared)})"
        )
    if error_type == "MISSING COLUMNS":
        first = src.header[len(fields)] if len(fields) < len(src.header) else None
        return first, (
            f"row has fewer fields than the header (found {len(fields)}, "
            f"expected {len(src.header)})"
        )
    if error_type == "TOO MANY COLUMNS":
        return None, (
            f"row has more fields than the header (found {len(fields)}, "
            f"expected {len(src.header)}; an unquoted comma?)"
        )
    if error_type == "UNQUOTED VALUE":
        return None, "a quote character inside an unquoted field (expected the field to be quoted)"
    if error_type in ("INVALID ENCODING", "INVALID UNICODE"):
        return None, f"invalid byte sequence (expected {src.encoding} text)"
    return None, message.split("\n")[0].strip()


def _fields(csv_line: str | None) -> list[str]:
    if not csv_line:
        return []
    try:
        return next(csv.reader([csv_line.strip("\r\n")]), [])
    except csv.Error:
        return csv_line.strip("\r\n").split(",")


# --- newline-delimited JSON (BigQuery `EXPORT DATA … format = 'JSON'`) -----------------------
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json", ".jsonl.gz", ".ndjson.gz", ".json.gz")


def _open_json(path: Path) -> SourceFile:
    """Newline-delimited JSON: the header is the union of the top-level keys of the records in
    the first megabyte; `types` marks keys holding objects or arrays as JSON, others VARCHAR."""
    sample = _sniff(path)
    if not sample.strip():
        raise EmptyFileError("file is empty", path=str(path))
    try:
        text = sample.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4 or len(sample) < SNIFF_BYTES:
            raise EncodingError("JSON must be UTF-8", path=str(path)) from None
        text = sample[: exc.start].decode("utf-8-sig")
    lines = text.split("\n")
    if len(sample) == SNIFF_BYTES:
        lines = lines[:-1]  # possibly cut by the sample's end
    types: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("["):
            raise InputError("a JSON array, not newline-delimited JSON (one object per line)",
                             path=str(path), line=number)  # fmt: skip
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON ({exc.msg} at character {exc.colno})",
                             path=str(path), line=number) from None  # fmt: skip
        if not isinstance(record, dict):
            raise InputError("expected one JSON object per line (newline-delimited JSON)",
                             path=str(path), line=number)  # fmt: skip
        for key, value in record.items():
            nested = isinstance(value, dict | list)
            if nested or key not in types:
                types[key] = "JSON" if nested else "VARCHAR"
    if not types:
        raise EmptyFileError("file has no JSON records", path=str(path))
    header = list(types)
    _check_header(header, path)
    return SourceFile(path, "json", header, path, "utf-8", types)


def _json_relation(src: SourceFile) -> str:
    """One column per top-level key (JSON for objects and arrays, else text) plus `__gcf_row`."""
    types = src.types or {}
    cols = ", ".join(
        f"json_extract{'' if types.get(k) == 'JSON' else '_string'}(json, "
        f"{sql_literal('$.' + json.dumps(k))}) AS {quote_ident(src.ident(k))}"
        for k in src.header
    )
    return (
        f"SELECT row_number() OVER () AS {ROW}, {cols} FROM read_json_objects("
        f"{read_literal(src.read_path)}, format = 'newline_delimited')"
    )
