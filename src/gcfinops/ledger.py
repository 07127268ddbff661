"""The ingest ledger: what was read from where, and what each lake unit currently holds.

A JSON file written atomically (temp file + rename). A *unit* is one (provider, billing account,
billing period): the granularity at which AWS and others restate bills, and at which the lake is
replaced. Re-ingesting files whose content (sha256) already backs live units is a no-op.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gcfinops.errors import InputError
from gcfinops.workspace import write_text_atomic


@dataclass
class FileRecord:
    """One source file of an ingest."""

    path: str
    sha256: str
    bytes: int
    format: str = ""
    rows: int = 0
    units: list[str] = field(default_factory=list)  # unit keys this file's rows went to


@dataclass
class UnitRecord:
    """One (provider, billing account, billing period, currency) as read and as written."""

    provider: str
    billing_account_id: str
    billing_period: str
    currency: str
    rows_read: int
    rows_written: int
    rows_folded: int
    billed_read: float
    billed_written: float
    netted: float = 0.0  # Σ provider amount of rows FOCUS nets in pairs (0 in a full export)
    # rows written that no source row holds (AWS unused commitment as FOCUS Usage rows):
    # rows_read = rows_written + rows_folded − rows_generated
    rows_generated: int = 0

    @property
    def key(self) -> str:
        return unit_key(self.provider, self.billing_account_id, self.billing_period)


@dataclass
class IngestRecord:
    """Everything one ingest did."""

    ingest_id: str
    time: str
    files: list[FileRecord] = field(default_factory=list)
    units: list[UnitRecord] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)


def unit_key(provider: str, account: str, period: str) -> str:
    return f"{provider}|{account}|{period}"


def sha256_of(path: Path) -> str:
    """Content hash of a file (streamed)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


class Ledger:
    """The ledger file and queries over it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.ingests: list[IngestRecord] = []
        self.live: dict[str, str] = {}  # unit key → ingest id
        if path.exists():
            try:
                self._load(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                raise InputError(
                    f"the ingest ledger is damaged ({type(exc).__name__}: {exc})",
                    path=str(path),
                    hint="restore it from a backup, or move the workspace's lake/, folded/ and "
                    "ledger.json aside and ingest again",
                ) from None

    def _load(self, data: dict[str, Any]) -> None:
        for raw in data.get("ingests", []):
            self.ingests.append(
                IngestRecord(
                    ingest_id=raw["ingest_id"],
                    time=raw["time"],
                    files=[FileRecord(**f) for f in raw.get("files", [])],
                    units=[UnitRecord(**u) for u in raw.get("units", [])],
                    replaced=list(raw.get("replaced", [])),
                )
            )
        self.live = dict(data.get("live", {}))

    def has(self, ingest_id: str) -> bool:
        return any(r.ingest_id == ingest_id for r in self.ingests)

    def live_hashes(self) -> set[str]:
        """sha256 of every file whose rows are all still in the lake.

        A file is live when every unit it fed is still owned by the ingest that read it; once a
        restatement replaced one of its units, ingesting it again is not a no-op.
        """
        live = set()
        for r in self.ingests:
            owned = {k for k, owner in self.live.items() if owner == r.ingest_id}
            for f in r.files:
                if (set(f.units) <= owned) if f.units else bool(owned):
                    live.add(f.sha256)
        return live

    def seen(self, sha256: str) -> IngestRecord | None:
        """The latest ingest that read a file with this content, if any."""
        for r in reversed(self.ingests):
            if any(f.sha256 == sha256 for f in r.files):
                return r
        return None

    def units_of(self, ingest_id: str, key: str) -> list[UnitRecord]:
        """What an ingest wrote for one unit key (one record per currency)."""
        for r in self.ingests:
            if r.ingest_id == ingest_id:
                return [u for u in r.units if u.key == key]
        return []

    def record(self, rec: IngestRecord) -> None:
        """Add an ingest; its units become the live ones."""
        self.ingests.append(rec)
        for u in rec.units:
            self.live[u.key] = rec.ingest_id

    def sources_of(self, key: str) -> list[FileRecord]:
        """The files whose rows the live unit `key` holds (the audit trail of `status`).

        One ingest may read many files for many units; only the files that delivered rows to
        this unit are its sources. Ledgers written before files recorded their units list no
        units for any file; then every file of the owning ingest is returned, as before.
        """
        owner = self.live.get(key)
        for r in self.ingests:
            if r.ingest_id == owner:
                if not any(f.units for f in r.files):
                    return list(r.files)
                return [f for f in r.files if key in f.units]
        return []

    def save(self) -> None:
        """Write atomically and durably (`workspace.write_text_atomic`: fsync, rename, fsync of
        the folder): after a crash the ledger is the old one or the new one, never a torso."""
        data = {
            "version": 1,
            "ingests": [asdict(r) for r in self.ingests],
            "live": self.live,
        }
        write_text_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1))
