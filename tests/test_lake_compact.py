"""`gcfinops lake compact` (issue #16 item 3): merges small files, reconciles, is atomic and
idempotent, and leaves every total of the lake as it was."""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from gcfinops import api, compact, lake
from gcfinops.cli import app
from gcfinops.db import read_literal
from gcfinops.errors import ReconciliationError
from gcfinops.workspace import Workspace

SAMPLES = Path(__file__).resolve().parents[1] / "sample_billing"


def _split_units(ws: Workspace, parts: int = 3) -> int:
    """Rewrite every lake unit as `parts` small files (what another writer might leave)."""
    n = 0
    for unit in compact.units(ws):
        d = ws.lake / unit.rel
        files = sorted(d.glob("*.parquet"))
        con = duckdb.connect()
        names = [f.as_posix() for f in files]
        rows = (
            con.sql(f"SELECT * FROM read_parquet({names}, hive_partitioning=false)")
            .arrow()
            .read_all()
        )
        for f in files:
            f.unlink()
        size = -(-rows.num_rows // parts)
        for i in range(parts):
            chunk = rows.slice(i * size, size)  # noqa: F841  (read by DuckDB below)
            con.execute(f"COPY (SELECT * FROM chunk) TO '{(d / f'small_{i}.parquet').as_posix()}'")
        con.close()
        n += 1
    return n


def _totals(ws: Workspace) -> list[tuple[object, ...]]:
    return duckdb.sql(
        f"SELECT provider, billing_period, billing_account, BillingCurrency, count(*), "
        f"round(sum(BilledCost), 6), round(sum(EffectiveCost), 6), count(DISTINCT x_Ward) "
        f"FROM read_parquet({read_literal(ws.lake, '**/*.parquet')}, hive_partitioning=true) "
        "GROUP BY ALL ORDER BY ALL"
    ).fetchall()


@pytest.fixture(scope="module")
def split_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample AWS bills ingested and split into small files once (the split rewrites every
    unit: ~10 s a time on the CI machine); each test gets its own copy."""
    root = tmp_path_factory.mktemp("compact") / "ws"
    api.ingest([SAMPLES / "aws"], workspace=root)
    assert _split_units(Workspace(root)) > 0
    return root


@pytest.fixture
def small_files(split_lake: Path, tmp_path: Path) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    shutil.copytree(split_lake, ws.root)
    return ws


def _file_counts(ws: Workspace) -> set[int]:
    return {len(list((ws.lake / u.rel).glob("*.parquet"))) for u in compact.units(ws)}


def test_compact_merges_reconciles_and_is_idempotent(small_files: Workspace) -> None:
    ws = small_files
    before = _totals(ws)
    assert _file_counts(ws) == {3}
    done = api.lake_compact(workspace=ws.root)
    assert {d.files_before for d in done} == {3} and {d.files_after for d in done} == {1}
    assert _file_counts(ws) == {1}
    assert _totals(ws) == before  # every unit's rows and Σ unchanged
    assert api.lake_compact(workspace=ws.root) == []  # idempotent
    assert not ws.journal.exists()
    # rows are sorted by ward, then time: row-group statistics prune by ward
    f = next(ws.lake.rglob("*.parquet"))
    wards = [r[0] for r in duckdb.sql(f"SELECT x_Ward FROM '{f.as_posix()}'").fetchall()]
    assert wards == sorted(wards, key=lambda w: (w is None, w))


def test_crash_during_swap_leaves_old_files(
    small_files: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = small_files
    before = _totals(ws)
    monkeypatch.setattr(lake, "swap_in", functools.partial(lake.swap_in, _fail_after=1))
    with pytest.raises(OSError, match="injected"):
        compact.compact(ws)
    monkeypatch.undo()
    assert ws.journal.exists()
    assert lake.recover(ws) == "rolled back"  # a compaction is never in the ledger
    assert _file_counts(ws) == {3}
    assert _totals(ws) == before
    assert compact.compact(ws)  # and it can simply run again
    assert _totals(ws) == before


def test_totals_that_change_stop_the_compaction(
    small_files: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = small_files
    real = compact._sums
    calls = {"n": 0}

    def drifting(con: duckdb.DuckDBPyConnection, read: str, tree: str) -> list[tuple[object, ...]]:
        calls["n"] += 1
        rows = real(con, read, tree)
        return [(*r[:2], float(r[2]) + 1.0, r[3]) for r in rows] if calls["n"] == 2 else rows

    monkeypatch.setattr(compact, "_sums", drifting)
    with pytest.raises(ReconciliationError, match="changed its totals"):
        compact.compact(ws)
    assert _file_counts(ws) == {3}  # the lake is unchanged
    assert not ws.journal.exists()


def test_cli_json(small_files: Workspace) -> None:
    result = CliRunner().invoke(
        app, ["-w", str(small_files.root), "lake", "compact", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["compacted"] and all(u["files_after"] == 1 for u in data["compacted"])
