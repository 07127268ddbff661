"""Open a billing file as DuckDB SQL: CSV / CSV.gz / Parquet, UTF-8, UTF-8 with BOM or CP932.

DuckDB reads CSV and Parquet natively and streams them. What it cannot do here is decode CP932
(its `encodings` extension would need a download, impossible on LGWAN), so a CP932 file is
transcoded once to a temporary UTF-8 copy in chunks. The header is read in Python (one line) to
detect the format; every data row is read by DuckDB with declared types, and values that do not
parse are collected with `store_rejects` so the error can name file, line and column.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import zlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from gcfinops.adapters.base import ROW, Adapter, quote_ident, sql_literal
from gcfinops.errors import EmptyFileError, EncodingError, InputError, TruncatedFileError

SNIFF_BYTES = 1 << 20
CHUNK = 1 << 22


@dataclass(frozen=True)
class SourceFile:
    """A file ready to read: its kind, header and the path DuckDB should open."""

    path: Path  # as given by the user (for messages and lineage)
    kind: str  # "csv" or "parquet"
    header: list[str]
    read_path: Path  # the file itself, or a UTF-8 transcoded copy
    encoding: str
    types: dict[str, str] | None = None  # Parquet column types


def kind_of(path: Path) -> str:
    """'csv' or 'parquet' from the file name."""
    name = path.name.lower()
    if name.endswith((".parquet", ".parq", ".pq")):
        return "parquet"
    if name.endswith((".csv", ".csv.gz", ".txt", ".tsv", ".csv.gzip")):
        return "csv"
    raise InputError("not a CSV, CSV.gz or Parquet file", path=str(path))


def _open_bytes(path: Path) -> io.BufferedIOBase:
    if path.name.lower().endswith((".gz", ".gzip")):
        return gzip.open(path, "rb")  # type: ignore[return-value]  # GzipFile is a buffered reader
    return path.open("rb")


def _sniff(path: Path) -> bytes:
    try:
        with _open_bytes(path) as fh:
            return fh.read(SNIFF_BYTES)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise TruncatedFileError(f"compressed file is damaged or truncated ({exc})", path=str(path))


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
    return out


def open_source(path: Path, tmp_dir: Path) -> SourceFile:
    """Inspect a file: kind, encoding, header; transcode if needed."""
    if not path.exists():
        raise InputError("no such file", path=str(path))
    if path.stat().st_size == 0:
        raise EmptyFileError("file is empty", path=str(path))
    kind = kind_of(path)
    if kind == "parquet":
        try:
            schema = pq.read_schema(path)
        except Exception as exc:  # pyarrow raises several types for damaged files
            raise TruncatedFileError(f"not a readable Parquet file ({exc})", path=str(path)) from None
        types = {f.name: str(f.type) for f in schema}
        return SourceFile(path, kind, list(schema.names), path, "binary", types)
    sample = _sniff(path)
    encoding = detect_encoding(sample, path)
    text = sample.decode(encoding, errors="ignore")
    first = text.splitlines()[0] if text.strip() else ""
    if not first.strip():
        raise EmptyFileError("file has no header line", path=str(path))
    header = next(csv.reader([first]))
    if len(text.splitlines()) < 2 or not any(s.strip() for s in text.splitlines()[1:]):
        raise EmptyFileError("file has a header but no data rows", path=str(path))
    read_path = path
    if encoding == "cp932":
        read_path = _transcode(path, encoding, tmp_dir)
    return SourceFile(path, kind, header, read_path, encoding)


def relation_sql(src: SourceFile, adapter: Adapter) -> str:
    """A SELECT over the file exposing its columns (typed) plus the 1-based row `__gcf_row`."""
    if src.kind == "parquet":
        base = (
            f"SELECT *, file_row_number + 1 AS {ROW} FROM read_parquet("
            f"{sql_literal(src.read_path.as_posix())}, file_row_number = true)"
        )
        return _json_maps(base, src, adapter, is_csv=False)
    canonical = {v: k for k, v in adapter.canonical(src.header).items()}
    types = {h: adapter.csv_types.get(canonical.get(h, h), "VARCHAR") for h in src.header}
    if len(set(src.header)) != len(src.header):
        dupes = sorted({h for h in src.header if src.header.count(h) > 1})
        raise InputError(f"duplicate column names in header: {', '.join(dupes)}", path=str(src.path), line=1)
    columns = "{" + ", ".join(f"{sql_literal(h)}: {sql_literal(t)}" for h, t in types.items()) + "}"
    nulls = "[" + ", ".join(sql_literal(s) for s in adapter.null_strings) + "]"
    encoding = "utf-8"
    options = (
        f"header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
        f"columns = {columns}, nullstr = {nulls}, store_rejects = true, encoding = '{encoding}', "
        "strict_mode = true, null_padding = false"
    )
    if adapter.timestamp_format:
        options += f", timestampformat = {sql_literal(adapter.timestamp_format)}"
    base = (
        f"SELECT row_number() OVER () AS {ROW}, * FROM read_csv("
        f"{sql_literal(src.read_path.as_posix())}, {options})"
    )
    return _json_maps(base, src, adapter, is_csv=True)


def _json_maps(base: str, src: SourceFile, adapter: Adapter, *, is_csv: bool) -> str:
    """Turn JSON-text map columns (CSV flavour) into MAP(VARCHAR, VARCHAR), naming bad lines."""
    canonical = {v: k for k, v in adapter.canonical(src.header).items()}
    replace = []
    for h in src.header:
        if canonical.get(h, h) not in adapter.json_maps:
            continue
        if not is_csv and src.types and src.types.get(h, "").startswith("map"):
            continue
        q = quote_ident(h)
        replace.append(
            f"CASE WHEN {q} IS NULL OR trim({q}) = '' THEN NULL "
            f"WHEN json_valid({q}) AND json_type({q}) = 'OBJECT' "
            f"THEN CAST(CAST({q} AS JSON) AS MAP(VARCHAR, VARCHAR)) "
            f"ELSE error('line ' || CAST({ROW} + 1 AS VARCHAR) || ': column {h}: not a JSON object') "
            f"END AS {q}"
        )
    if not replace:
        return base
    return f"SELECT * REPLACE ({', '.join(replace)}) FROM ({base})"
