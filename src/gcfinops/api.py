"""The library facade: what the CLI and the tests call.

Each function takes a workspace (path or None for $GCFINOPS_WORKSPACE / the current directory)
and returns plain dataclasses; errors are `gcfinops.errors.GcfinopsError` subclasses.
"""

from __future__ import annotations

from pathlib import Path

from gcfinops import ingest as _ingest
from gcfinops import status as _status
from gcfinops import summary as _summary
from gcfinops.allocation.wards import WardDirectory
from gcfinops.config import load as load_config
from gcfinops.workspace import Workspace

__all__ = ["ingest", "status", "ward_months", "workspace"]


def workspace(path: str | Path | None = None) -> Workspace:
    """Resolve a workspace."""
    return Workspace.resolve(path)


def ingest(
    paths: list[Path] | list[str],
    *,
    workspace: str | Path | None = None,
    format_name: str | None = None,
    defaults: dict[str, str] | None = None,
    progress: _ingest.Progress | None = None,
    lock_timeout: float = 600.0,
) -> _ingest.IngestResult:
    """Ingest files or export folders into the lake.

    Raises:
        InputError: a file is not readable billing data (exit 2).
        ReconciliationError: totals written differ from totals read (exit 1); the lake is unchanged.
        LockedError: another ingest held the lock past `lock_timeout`.
    """
    return _ingest.ingest(
        Workspace.resolve(workspace),
        [Path(p) for p in paths],
        format_name=format_name,
        defaults=defaults,
        progress=progress,
        lock_timeout=lock_timeout,
    )


def status(*, workspace: str | Path | None = None) -> list[_status.LoadedUnit]:
    """What the lake holds, per provider, billing account, period and currency."""
    return _status.loaded_units(Workspace.resolve(workspace))


def ward_months(*, workspace: str | Path | None = None) -> list[_summary.WardMonth]:
    """Billed cost per ward and month (JPY when the FX table covers every month)."""
    ws = Workspace.resolve(workspace)
    cfg = load_config(ws.config_path)
    return _summary.ward_months(ws, WardDirectory(cfg.allocation.extra_wards))
