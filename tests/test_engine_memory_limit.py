"""`[engine] memory_limit`: DuckDB's memory limit for the sessions that read the lake."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcfinops.context import Context
from gcfinops.errors import ConfigError
from gcfinops.sqlengine import session
from gcfinops.sqlengine.settings import engine_settings
from gcfinops.workspace import Workspace


@pytest.mark.parametrize("value", ["256MB", "1GB", "1.5 GiB", "512mb"])
def test_memory_limit_accepts_duckdb_sizes(value: str) -> None:
    assert engine_settings({"engine": {"memory_limit": value}}, None).memory_limit == value


@pytest.mark.parametrize("value", ["", "lots", "1 G B", 1024, "80%"])
def test_memory_limit_refuses_what_is_not_a_size(value: object) -> None:
    with pytest.raises(ConfigError, match=r"\[engine\] memory_limit must be a size"):
        engine_settings({"engine": {"memory_limit": value}}, None)


def test_default_is_duckdbs_own() -> None:
    assert engine_settings({}, None).memory_limit is None


def _limit_in_session(ws: Workspace, given: str | None = None) -> int:
    with session(Context.of(ws), temp_dir=ws.root / "tmp", memory_limit=given) as con:
        value = con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert value is not None
    text = str(value[0]).replace(" ", "")
    number, unit = float(text[:-3]), text[-3:]
    return int(number * {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}[unit])


def test_session_applies_the_configured_limit(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    ws.config_path.write_text('[engine]\nmemory_limit = "300MB"\n', encoding="utf-8")
    assert 280 * 2**20 <= _limit_in_session(ws) <= 300 * 10**6
    # a limit given by the caller (ingest's own, analyze(memory_limit=…)) wins
    assert 90 * 2**20 <= _limit_in_session(ws, "100MB") <= 100 * 10**6


def test_without_the_key_duckdb_keeps_its_default(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    assert _limit_in_session(ws) > 1 * 2**30  # 80 % of the machine's memory
