"""One call's context: the workspace, its configuration, the ward directory and the FX table.

`api.py` builds one `Context` per call and passes it down, so a command reads gcfinops.toml
once, every module sees the same ward directory (including the configured extra
municipalities of `[allocation]`), and the FX table is loaded at most once. Library functions
that take a context also accept a bare `Workspace` (tests, scripts): `Context.of` loads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from gcfinops.allocation.wards import WardDirectory
from gcfinops.config import Config
from gcfinops.config import load as load_config
from gcfinops.fx import FxTable
from gcfinops.workspace import Workspace


@dataclass(frozen=True)
class Context:
    """What every command of one workspace needs; the ward directory and the FX table are
    built on first use (an FX table error must not break a command that needs no rates)."""

    workspace: Workspace
    config: Config
    #: `--engine` of this call (duckdb or spark); None: `[engine] name`, else DuckDB (sqlengine)
    engine: str | None = None

    @classmethod
    def load(cls, workspace: Workspace) -> Context:
        """Read the workspace's gcfinops.toml (defaults when there is none)."""
        return cls(workspace=workspace, config=load_config(workspace.config_path))

    @classmethod
    def of(cls, where: Context | Workspace) -> Context:
        """`where` itself, or the context of a workspace."""
        return where if isinstance(where, Context) else cls.load(where)

    @cached_property
    def wards(self) -> WardDirectory:
        """The 23 wards plus `[allocation] extra_wards`."""
        return WardDirectory(self.config.allocation.extra_wards)

    @cached_property
    def fx(self) -> FxTable:
        """The workspace's FX table (fx_rates.csv), as it was when first used in this call."""
        return FxTable.load(self.workspace.fx_path)
