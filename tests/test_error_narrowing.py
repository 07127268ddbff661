"""Broad `except` clauses catch only the errors their comments name (issue #11 item 6): damaged
input still becomes a clear InputError, a defect in gcfinops itself is not disguised as one."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from gcfinops import findings, readers
from gcfinops.db import session
from gcfinops.errors import InputError, TruncatedFileError
from gcfinops.workspace import Workspace


def test_damaged_parquet_is_a_truncated_file_error(tmp_path: Path) -> None:
    path = tmp_path / "cur.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(TruncatedFileError, match="not a readable Parquet file"):
        readers._open_parquet(path)


def test_a_defect_while_reading_parquet_is_not_called_a_damaged_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: object) -> pa.Schema:
        raise TypeError("a bug, not a damaged file")

    monkeypatch.setattr(readers.pq, "read_schema", broken)
    with pytest.raises(TypeError):
        readers._open_parquet(tmp_path / "cur.parquet")


def test_damaged_findings_file_is_an_input_error_for_report_and_gate(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    findings.store_path(ws).parent.mkdir(parents=True)
    findings.store_path(ws).write_bytes(b"not parquet at all")
    with session() as con, pytest.raises(InputError, match="cannot read findings") as info:
        findings.register(con, ws)
    assert str(findings.store_path(ws)) in info.value.message and info.value.hint


def test_metrics_file_that_is_not_json_is_an_input_error(tmp_path: Path) -> None:
    from gcfinops import metrics

    path = tmp_path / "cpu.json"
    path.write_text("this is not JSON", encoding="utf-8")
    with pytest.raises(InputError, match="not a JSON metrics export"):
        metrics.detect(path)
