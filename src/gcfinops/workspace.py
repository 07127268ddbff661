"""Where a workspace keeps things, and the lock that serializes writers.

<workspace>/gcfinops.toml     configuration (optional)
<workspace>/lake/             FOCUS 1.2 Parquet, provider=/billing_period=/billing_account=
<workspace>/folded/           source rows FOCUS folds away (SavingsPlanNegation), same layout
<workspace>/ledger.json       every ingest: sources, sha256, rows, totals
<workspace>/fx_rates.csv      FX rates to JPY
<workspace>/findings/         findings.parquet, skipped.parquet (gcfinops analyze)
<workspace>/metrics/          utilization time series (gcfinops ingest-metrics)
<workspace>/operating_costs/  baseline.csv, noncloud_costs.csv (baseline / costs import)
<workspace>/.gcfinops/        lock, journal, temporary files, remote state and download cache

Every path is a property here; the store modules ask the workspace for theirs. The one way to
replace a file is `atomic_path` / `atomic_write` below.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from gcfinops.errors import LockedError

ENV_VAR = "GCFINOPS_WORKSPACE"


@dataclass(frozen=True)
class Workspace:
    """Paths of one workspace."""

    root: Path

    @classmethod
    def resolve(cls, path: str | Path | None = None) -> Workspace:
        """The workspace from the option, else $GCFINOPS_WORKSPACE, else the current directory."""
        chosen = path or os.environ.get(ENV_VAR) or "."
        return cls(Path(chosen).expanduser().resolve())

    @property
    def config_path(self) -> Path:
        return self.root / "gcfinops.toml"

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def folded(self) -> Path:
        return self.root / "folded"

    @property
    def ledger_path(self) -> Path:
        return self.root / "ledger.json"

    @property
    def fx_path(self) -> Path:
        return self.root / "fx_rates.csv"

    @property
    def state(self) -> Path:
        return self.root / ".gcfinops"

    @property
    def tmp(self) -> Path:
        return self.state / "tmp"

    @property
    def journal(self) -> Path:
        return self.state / "journal.json"

    @property
    def findings_dir(self) -> Path:
        return self.root / "findings"

    @property
    def metrics_dir(self) -> Path:
        return self.root / "metrics"

    @property
    def operating_costs_dir(self) -> Path:
        return self.root / "operating_costs"

    @property
    def remote_state_dir(self) -> Path:
        return self.state / "remote"

    @property
    def cache_dir(self) -> Path:
        return self.state / "cache"

    def has_data(self) -> bool:
        return self.lake.exists() and any(self.lake.rglob("*.parquet"))

    @contextmanager
    def lock(self, timeout: float = 600.0, name: str = "lock") -> Iterator[None]:
        """Hold one of the workspace's locks (`name` under `.gcfinops/`); wait up to `timeout`."""
        path = self.state / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a+") as fh:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockedError(
                            f"another gcfinops process is writing to {self.root}",
                            hint="wait for it to finish, or raise --lock-timeout",
                        ) from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


# --- atomic writes ---------------------------------------------------------------------------


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in `path` durable (POSIX: fsync the directory)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`; on success it is fsynced and renamed over `path`.

    The one way gcfinops replaces a workspace file (ledger, journal, FX table, findings, user
    tables, remote state): readers see the old file or the new one, never half of one, and a
    crash right after the rename keeps the new file. On error the temporary file is removed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        with suppress(FileNotFoundError):
            tmp.unlink()
        raise


@contextmanager
def atomic_write(
    path: Path, *, binary: bool = False, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[IO[Any]]:
    """An open file whose content replaces `path` atomically when the block ends (see
    `atomic_path`); text in UTF-8 unless `binary`."""
    with atomic_path(path) as tmp:
        if binary:
            with tmp.open("wb") as fb:
                yield fb
        else:
            with tmp.open("w", encoding=encoding, newline=newline) as ft:
                yield ft


def write_text_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8) atomically."""
    with atomic_write(path) as fh:
        fh.write(text)
