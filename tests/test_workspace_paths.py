"""A workspace path may hold a space, a quote and Japanese: nothing interpolates it into SQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from gcfinops import api
from gcfinops.db import session

SAMPLE = Path(__file__).resolve().parent.parent / "sample_billing"
ODD = "my ws/it's 世田谷区"


def test_session_spills_into_an_odd_path_and_always_closes(tmp_path: Path) -> None:
    spill = tmp_path / ODD / "duckdb"
    with session(temp_dir=spill, memory_limit="512MB") as con:
        got = con.execute("SELECT current_setting('temp_directory')").fetchone()
        assert got is not None and got[0] == str(spill)
        assert con.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)
    with pytest.raises(duckdb.ConnectionException):
        con.execute("SELECT 1")
    with pytest.raises(ZeroDivisionError), session() as failing:
        raise ZeroDivisionError
    with pytest.raises(duckdb.ConnectionException):
        failing.execute("SELECT 1")


def test_ingest_analyze_report_check_in_a_workspace_path_with_quote_space_and_japanese(
    tmp_path: Path,
) -> None:
    if not (SAMPLE / "gcp").is_dir():
        pytest.skip("sample_billing/gcp is not in this checkout")
    root = tmp_path / ODD
    root.mkdir(parents=True)
    for name in ("gcfinops.toml", "fx_rates.csv"):
        shutil.copy(SAMPLE / name, root / name)
    result = api.ingest([SAMPLE / "gcp"], workspace=root)
    assert result.ingest_id and api.status(workspace=root)
    assert api.analyze(workspace=root).path.exists()
    assert api.report("all", workspace=root).wards
    check = api.check(workspace=root, thresholds={"max_increase_jpy": None})
    assert check.evaluations
    assert (root / ".gcfinops" / "tmp" / "check").is_dir()  # the spill directory, in that path


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    """The one atomic writer: the old content survives a failed write; no temporary is left."""
    from gcfinops.workspace import atomic_write, write_text_atomic

    target = tmp_path / ODD / "fx_rates.csv"
    write_text_atomic(target, "old\n")
    target.chmod(0o640)
    with pytest.raises(RuntimeError), atomic_write(target) as fh:
        fh.write("half")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old\n"
    write_text_atomic(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert target.stat().st_mode & 0o777 == 0o640  # the file's mode is kept
    assert [p.name for p in target.parent.iterdir()] == ["fx_rates.csv"]
