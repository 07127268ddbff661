"""Property tests: a mangled CUR 2.0 file never produces a traceback.

Each example takes the valid fixture and applies one or two random manglings (truncate, delete
or duplicate a column or a cell, insert junk bytes, re-encode, swap the delimiter). The ingest
must either succeed and reconcile (Σ source − netted = Σ lake per unit; lake rows = rows
written) or raise a GcfinopsError — exit 2 through the CLI, never 3 (internal error).
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gcfinops.cli import app
from gcfinops.errors import GcfinopsError
from gcfinops.ingest import ingest
from gcfinops.workspace import Workspace

BASE = Path(__file__).resolve().parent / "adapters" / "fixtures" / "aws-cur2" / "cur2_lines.csv"
TEXT = BASE.read_text(encoding="utf-8")
TABLE = list(csv.reader(io.StringIO(TEXT, newline="")))
JUNK = st.binary(min_size=1, max_size=8)


def to_text(table: list[list[str]], delimiter: str = ",") -> str:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(table)
    return buf.getvalue()


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    """The fixture with one or two random manglings applied."""
    table = [list(r) for r in TABLE]
    data: bytes | None = None
    delimiter = ","
    encoding = "utf-8"
    for _ in range(draw(st.integers(1, 2))):
        kind = draw(st.sampled_from([
            "truncate", "drop_column", "dup_column", "drop_header_cell", "drop_cell",
            "dup_cell", "blank_cell", "junk", "encoding", "delimiter", "drop_rows",
        ]))  # fmt: skip
        width = len(table[0])
        if kind == "drop_column":
            i = draw(st.integers(0, width - 1))
            table = [r[:i] + r[i + 1 :] for r in table]
        elif kind == "dup_column":
            i = draw(st.integers(0, width - 1))
            table = [r[: i + 1] + r[i:] for r in table]
        elif kind == "drop_header_cell":
            del table[0][draw(st.integers(0, width - 1))]
        elif kind in ("drop_cell", "dup_cell", "blank_cell") and len(table) > 1:
            row = table[draw(st.integers(1, len(table) - 1))]
            i = draw(st.integers(0, len(row) - 1))
            if kind == "drop_cell":
                del row[i]
            elif kind == "dup_cell":
                row.insert(i, row[i])
            else:
                row[i] = ""
        elif kind == "drop_rows":
            keep = draw(st.integers(0, len(table) - 1))
            table = table[: keep + 1]
        elif kind == "encoding":
            encoding = draw(st.sampled_from(["utf-8-sig", "cp932", "utf-16", "latin-1"]))
        elif kind == "delimiter":
            delimiter = draw(st.sampled_from([";", "\t", "|"]))
        elif kind in ("truncate", "junk"):
            data = data or to_text(table, delimiter).encode(encoding, errors="replace")
            pos = draw(st.integers(0, len(data)))
            data = data[:pos] if kind == "truncate" else data[:pos] + draw(JUNK) + data[pos:]
    if data is None:
        data = to_text(table, delimiter).encode(encoding, errors="replace")
    return data


def check_reconciled(root: Path) -> None:
    """What the ingest wrote agrees with its own ledger."""
    from gcfinops.ledger import Ledger

    ledger = Ledger(root / "ledger.json")
    units = [u for r in ledger.ingests for u in r.units]
    for u in units:
        assert abs(u.billed_read - u.netted - u.billed_written) <= 0.01 + 1e-9 * abs(u.billed_read)
        assert u.rows_read == u.rows_written + u.rows_folded - u.rows_generated
    n = (
        duckdb.connect()
        .execute(f"SELECT count(*) FROM read_parquet('{root.as_posix()}/lake/**/*.parquet')")
        .fetchone()
    )
    assert n is not None and n[0] == sum(u.rows_written for u in units)


@settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mangled())
def test_mangled_cur2_ingests_and_reconciles_or_is_an_input_error(data: bytes) -> None:
    """Library level: success that reconciles, or a GcfinopsError — nothing else."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mangled.csv"
        path.write_bytes(data)
        root = Path(tmp) / "ws"
        try:
            ingest(Workspace(root), [path])
        except GcfinopsError as exc:
            assert exc.exit_code == 2, exc
            assert not (root / "lake").exists()
            return
        check_reconciled(root)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mangled())
def test_mangled_cur2_through_the_cli_exits_0_or_2(data: bytes) -> None:
    """CLI level: exit 0, or exit 2 with an `Error:` line — never an internal error (3)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mangled.csv.gz" if data[:2] == b"\x1f\x8b" else Path(tmp) / "m.csv"
        path.write_bytes(data)
        result = CliRunner().invoke(app, ["-q", "-w", str(Path(tmp) / "ws"), "ingest", str(path)])
        assert result.exit_code in (0, 2), result.stderr
        if result.exit_code == 2:
            assert result.stderr.startswith("Error: ")
