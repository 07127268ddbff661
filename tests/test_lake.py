"""lake: the atomic swap of units under a journal, recovery after a crash at any point, the view."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from gcfinops import lake, schema
from gcfinops.ledger import IngestRecord, Ledger
from gcfinops.workspace import Workspace

APRIL = lake.Unit("aws", "2025-04", "111122223333")
MAY = lake.Unit("aws", "2025-05", "111122223333")


def put(root: Path, tree: str, unit: lake.Unit, name: str, text: str) -> None:
    d = root / tree / unit.rel
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_text(text)


def state(ws: Workspace) -> dict[str, str]:
    """lake/ and folded/ as relative path → content."""
    out = {}
    for tree in lake.TREES:
        for f in sorted((ws.root / tree).rglob("*")) if (ws.root / tree).exists() else []:
            if f.is_file():
                out[str(f.relative_to(ws.root))] = f.read_text()
    return out


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """A workspace holding April (lake + folded) from an earlier ingest."""
    w = Workspace(tmp_path / "ws")
    put(w.root, "lake", APRIL, "part-old.parquet", "april v1")
    put(w.root, "folded", APRIL, "part-old.parquet", "april negations v1")
    return w


def staged(ws: Workspace, ingest_id: str) -> Path:
    """New files for April (restated, lake only: its folded rows disappeared) and May (new)."""
    new = ws.tmp / ingest_id / "new"
    put(new, "lake", APRIL, "part-new.parquet", "april v2")
    put(new, "lake", MAY, "part-new.parquet", "may v1")
    put(new, "folded", MAY, "part-new.parquet", "may negations v1")
    return new


def commit_for(ws: Workspace, ingest_id: str) -> Callable[[], None]:
    def commit() -> None:
        ledger = Ledger(ws.ledger_path)
        ledger.record(IngestRecord(ingest_id, "2025-05-01T00:00:00+00:00"))
        ledger.save()

    return commit


AFTER = {
    "lake/provider=aws/billing_period=2025-04/billing_account=111122223333/part-new.parquet":
        "april v2",
    "lake/provider=aws/billing_period=2025-05/billing_account=111122223333/part-new.parquet":
        "may v1",
    "folded/provider=aws/billing_period=2025-05/billing_account=111122223333/part-new.parquet":
        "may negations v1",
}  # fmt: skip
# lake April: aside + in (2); lake May: in (1); folded April: aside (1); folded May: in (1)
RENAMES = 5


def test_swap_replaces_and_adds_units(ws: Workspace) -> None:
    """After a completed swap: April restated, April's old folded rows gone, May added."""
    lake.swap_in(ws, "i2", staged(ws, "i2"), [APRIL, MAY], commit_for(ws, "i2"))
    assert state(ws) == AFTER
    assert not ws.journal.exists() and not (ws.tmp / "i2").exists()


@pytest.mark.parametrize("n", range(1, RENAMES + 1))
def test_crash_after_n_renames_rolls_back_on_recover(ws: Workspace, n: int) -> None:
    """A crash after any number of renames (process gone, no cleanup) is rolled back."""
    before = state(ws)
    with pytest.raises(OSError, match="injected"):
        lake.swap_in(ws, "i2", staged(ws, "i2"), [APRIL, MAY], commit_for(ws, "i2"), _fail_after=n)
    assert ws.journal.exists()
    assert lake.recover(ws) == "rolled back"
    assert state(ws) == before
    assert not ws.journal.exists() and not (ws.tmp / "i2").exists()
    assert not Ledger(ws.ledger_path).has("i2")


def test_rename_count_is_covered(ws: Workspace) -> None:
    """One failure point past the last rename: the swap completes (so every point is tested)."""
    lake.swap_in(ws, "i2", staged(ws, "i2"), [APRIL, MAY], commit_for(ws, "i2"),
                 _fail_after=RENAMES + 1)  # fmt: skip
    assert state(ws) == AFTER


def test_crash_after_the_ledger_was_written_finishes(ws: Workspace) -> None:
    """Committed but the journal not yet removed: recovery keeps the new state."""
    commit = commit_for(ws, "i2")

    def commit_then_crash() -> None:
        commit()
        raise OSError("crash after commit")

    with pytest.raises(OSError):
        lake.swap_in(ws, "i2", staged(ws, "i2"), [APRIL, MAY], commit_then_crash)
    assert lake.recover(ws) == "finished"
    assert state(ws) == AFTER
    assert not (ws.tmp / "i2").exists()


@pytest.mark.parametrize("n", range(1, RENAMES + 1))
def test_recovery_interrupted_and_run_again(
    ws: Workspace, n: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recovery itself can crash half-way; running it again still restores the lake."""
    before = state(ws)
    with pytest.raises(OSError):
        lake.swap_in(ws, "i2", staged(ws, "i2"), [APRIL, MAY], commit_for(ws, "i2"), _fail_after=n)
    real = os.replace
    calls = {"n": 0}

    def flaky(a: object, b: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("crash during recovery")
        real(a, b)  # type: ignore[arg-type]  # same signature as os.replace

    monkeypatch.setattr(lake.os, "replace", flaky)
    with contextlib.suppress(OSError):
        lake.recover(ws)
    monkeypatch.setattr(lake.os, "replace", real)
    lake.recover(ws)
    assert state(ws) == before


def test_journal_without_existed_flags_never_deletes(ws: Workspace) -> None:
    """A journal from before the `existed` flag: rolling back keeps untouched units."""
    ws.state.mkdir(parents=True, exist_ok=True)
    target = ws.root / "lake" / APRIL.rel
    journal = {
        "ingest_id": "old",
        "moves": [{"target": str(target), "new": str(ws.tmp / "old" / "new"),
                   "old": str(ws.tmp / "old" / "old")}],
    }  # fmt: skip
    ws.journal.write_text(json.dumps(journal))
    before = state(ws)
    assert lake.recover(ws) == "rolled back"
    assert state(ws) == before


def test_recover_without_journal_does_nothing(ws: Workspace) -> None:
    """No journal, nothing to do."""
    assert lake.recover(ws) is None


def test_view_of_an_empty_workspace_is_typed(tmp_path: Path) -> None:
    """Before any ingest the view still has every schema column with its type, and no rows."""
    con = duckdb.connect()
    sql = lake.lake_view_sql(Workspace(tmp_path / "empty"))
    described = con.execute(f"DESCRIBE {sql}").fetchall()
    assert [r[0] for r in described] == list(schema.COLUMN_NAMES)
    assert con.execute(f"SELECT count(*) FROM ({sql})").fetchone() == (0,)


@pytest.mark.parametrize("folder", ["区 [prod]", "a*b?c", "[x]"])
def test_view_reads_a_workspace_whose_path_has_glob_characters(tmp_path: Path, folder: str) -> None:
    """`[prod]` in the workspace path is a folder name, not a character class (read the file)."""
    w = Workspace(tmp_path / folder / "ws")
    d = w.lake / APRIL.rel
    d.mkdir(parents=True)
    con = duckdb.connect()
    empty = lake.lake_view_sql(Workspace(tmp_path / "empty"))
    target = (d / "part.parquet").as_posix().replace("'", "''")
    con.execute(f"COPY (SELECT * FROM ({empty}) UNION ALL SELECT * FROM ({empty})) TO '{target}'")
    con.execute(f"COPY (SELECT 1 AS n) TO '{(tmp_path / 'noise.parquet').as_posix()}'")
    sql = lake.lake_view_sql(w)
    assert con.execute(f"SELECT count(*) FROM ({sql})").fetchone() == (0,)
    assert [r[0] for r in con.execute(f"DESCRIBE {sql}").fetchall()] == list(schema.COLUMN_NAMES)


# --- durability and damaged journals ------------------------------------------------------------


def test_journal_and_ledger_are_fsynced_before_they_count(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The journal reaches the disk before the first rename, the ledger before the journal goes."""
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync")
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        events.append(f"replace {Path(dst).name}")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    lake.swap_in(ws, "ing-2", staged(ws, "ing-2"), [APRIL, MAY], commit_for(ws, "ing-2"))
    journal_at = events.index("replace journal.json")
    ledger_at = events.index("replace ledger.json")
    assert events[journal_at - 1] == "fsync" and events[journal_at + 1] == "fsync"  # file, folder
    assert events[ledger_at - 1] == "fsync" and events[ledger_at + 1] == "fsync"
    first_unit = next(i for i, e in enumerate(events) if e.startswith("replace billing_account="))
    assert journal_at < first_unit < ledger_at
    assert not list(ws.root.glob(".*.tmp")) and not list(ws.state.glob(".*.tmp"))


@pytest.mark.parametrize(
    "text", ['{"ingest_id": "ing-2", "moves": [{"target": "/x"', "", '{"moves": []}', "[1]"]
)
def test_damaged_journal_names_the_file_and_the_way_out(ws: Workspace, text: str) -> None:
    """A truncated or unparsable journal is an error (exit 2) naming it, not a traceback."""
    from gcfinops.errors import InputError

    ws.state.mkdir(parents=True, exist_ok=True)
    ws.journal.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="swap journal is damaged") as info:
        lake.recover(ws)
    assert str(ws.journal) in info.value.message
    assert (
        info.value.exit_code == 2
        and info.value.hint
        and "re-run the last ingest" in info.value.hint
    )
    assert state(ws)  # nothing was touched


def test_damaged_journal_through_the_cli_is_exit_2(ws: Workspace) -> None:
    from typer.testing import CliRunner

    from gcfinops.cli import app

    ws.state.mkdir(parents=True, exist_ok=True)
    ws.journal.write_text('{"ingest_id": "ing-2", "mov', encoding="utf-8")
    result = CliRunner().invoke(app, ["-w", str(ws.root), "analyze"])
    assert result.exit_code == 2, result.output
    assert "journal.json" in result.output and "Traceback" not in result.output
