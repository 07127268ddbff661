"""The lake's layout and its atomic replacement of units.

Layout (Hive partitions): `lake/provider=aws/billing_period=2025-04/billing_account=123/*.parquet`;
`folded/` mirrors it for source rows that FOCUS folds away. A unit is replaced by renaming
directories under a journal: the journal is written first (recording which targets existed), then
each old unit is moved aside and the new one moved in, then the ledger is written, then the
journal removed. On the next start (`recover`), a journal whose ingest is not in the ledger is
rolled back, one whose ingest is there is finished — so a crash at any point leaves either the
previous state or the complete new one. Rolling back looks only at the journal and at what is on
disk, so it can itself be interrupted and run again.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gcfinops.db import read_literal
from gcfinops.errors import InputError
from gcfinops.ledger import Ledger
from gcfinops.workspace import Workspace, write_text_atomic

TREES = ("lake", "folded")


@dataclass(frozen=True)
class Unit:
    """One partition directory below `lake/` or `folded/`."""

    provider: str
    billing_period: str
    billing_account: str

    @property
    def rel(self) -> Path:
        return (
            Path(f"provider={self.provider}")
            / f"billing_period={self.billing_period}"
            / f"billing_account={self.billing_account}"
        )


def swap_in(
    ws: Workspace,
    ingest_id: str,
    staged: Path,
    units: list[Unit],
    commit: Callable[[], None],
    *,
    _fail_after: int | None = None,
) -> None:
    """Move staged units into the lake atomically; `commit` writes the ledger.

    `staged/<tree>/<unit.rel>` holds the new files. `_fail_after` injects a crash after that many
    renames (tests only).
    """
    backup = ws.tmp / ingest_id / "old"
    moves: list[dict[str, Any]] = []
    for tree in TREES:
        for unit in units:
            target = ws.root / tree / unit.rel
            moves.append(
                {
                    "target": str(target),
                    "new": str(staged / tree / unit.rel),
                    "old": str(backup / tree / unit.rel),
                    "existed": target.exists(),
                }
            )
    journal = {"ingest_id": ingest_id, "moves": moves}
    _write_json(ws.journal, journal)
    renames = 0
    for m in moves:
        target, new, old = Path(m["target"]), Path(m["new"]), Path(m["old"])
        if target.exists():
            old.parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, old)
            renames += 1
            _maybe_fail(_fail_after, renames)
        if new.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(new, target)
            renames += 1
            _maybe_fail(_fail_after, renames)
    commit()
    ws.journal.unlink()
    shutil.rmtree(ws.tmp / ingest_id, ignore_errors=True)
    _prune_empty(ws)


def _maybe_fail(limit: int | None, done: int) -> None:
    if limit is not None and done >= limit:
        raise OSError(f"injected failure after {done} renames")


def recover(ws: Workspace) -> str | None:
    """Finish or roll back an interrupted swap; returns what was done, if anything."""
    if not ws.journal.exists():
        return None
    journal = read_journal(ws)
    ingest_id = journal["ingest_id"]
    committed = Ledger(ws.ledger_path).has(ingest_id)
    if not committed:
        for m in reversed(journal["moves"]):
            # A journal without "existed" (older gcfinops) is treated as "existed": that never
            # deletes a unit, at worst it leaves a new one in place.
            existed = bool(m.get("existed", True))
            _roll_back(Path(m["target"]), Path(m["new"]), Path(m["old"]), existed)
    ws.journal.unlink()
    shutil.rmtree(ws.tmp / ingest_id, ignore_errors=True)
    _prune_empty(ws)
    return "finished" if committed else "rolled back"


def _roll_back(target: Path, new: Path, old: Path, existed: bool) -> None:
    """Undo one move: put the previous unit back, or take out one that did not exist before."""
    if existed:
        if not old.exists():
            return  # never moved aside: the target is still the previous unit
        if target.exists():
            new.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(new, ignore_errors=True)
            os.replace(target, new)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(old, target)
    elif target.exists():
        new.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(new, ignore_errors=True)
        os.replace(target, new)


def _write_json(path: Path, data: object) -> None:
    """The journal must be on disk before the first rename: fsynced, then renamed into place."""
    write_text_atomic(path, json.dumps(data, ensure_ascii=False))


def read_journal(ws: Workspace) -> dict[str, Any]:
    """The journal of an interrupted swap, checked; a damaged one is an InputError that names
    the file and says how to recover (it cannot be rolled back without knowing the moves)."""
    path = ws.journal
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("ingest_id"), str):
            raise ValueError("no ingest_id")
        moves = data.get("moves")
        if not isinstance(moves, list) or not all(
            isinstance(m, dict) and all(isinstance(m.get(k), str) for k in ("target", "new", "old"))
            for m in moves
        ):
            raise ValueError("moves must be a list of {target, new, old}")
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise InputError(
            f"the lake's swap journal is damaged ({type(exc).__name__}: {exc}); an ingest was "
            "interrupted and gcfinops cannot tell which units it had moved",
            path=str(path),
            hint=f"units moved aside are under {ws.tmp}/<ingest id>/old/; put back any of them "
            f"missing from {ws.lake}, delete {path}, check with `gcfinops status`, then "
            "re-run the last ingest (re-ingesting is idempotent)",
        ) from None
    return data


def _prune_empty(ws: Workspace) -> None:
    for tree in TREES:
        root = ws.root / tree
        if not root.exists():
            continue
        for d in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            if d.is_dir() and not any(d.iterdir()):
                d.rmdir()


def lake_view_sql(ws: Workspace) -> str:
    """SELECT over the whole lake with exactly the schema's columns (empty when there is none)."""
    from gcfinops import schema

    cols = ", ".join(f'"{c}"' for c in schema.COLUMN_NAMES)
    if not ws.has_data():
        return f"SELECT {cols} FROM ({_empty_select()}) WHERE FALSE"
    return (
        f"SELECT {cols} FROM read_parquet({read_literal(ws.lake, '**/*.parquet')}, "
        "hive_partitioning = false, union_by_name = true)"
    )


def _empty_select() -> str:
    from gcfinops import schema

    return "SELECT " + ", ".join(f'CAST(NULL AS {c.type}) AS "{c.name}"' for c in schema.COLUMNS)
