"""`gcfinops.toml` → typed settings. Everything works with no file at all.

Sections owned here: `[allocation]` (tag keys, account maps, extra municipalities). Other sections
(`[rules.*]`, `[check]`, `[report]`) are parsed by the modules that use them from `Config.raw`.
Errors name the file and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gcfinops.allocation import split as _split
from gcfinops.allocation.tags import AllocationConfig
from gcfinops.allocation.wards import WardDirectory
from gcfinops.errors import ConfigError

KNOWN_SECTIONS = {"allocation", "rules", "check", "report", "fx", "ingest", "baseline", "engine"}
KNOWN_SECTIONS |= {"targets", "scope", "budget", "savings", "population"}  # issue #13


@dataclass(frozen=True)
class Config:
    """Parsed configuration; `raw` keeps every section for the modules that own them."""

    path: Path | None = None
    allocation: AllocationConfig = field(default_factory=AllocationConfig)
    raw: dict[str, Any] = field(default_factory=dict)


def load(path: Path) -> Config:
    """Read `path` if it exists; a missing file means defaults."""
    if not path.exists():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    unknown = set(data) - KNOWN_SECTIONS
    if unknown:
        raise ConfigError(
            f"{path}: unknown section(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(KNOWN_SECTIONS))}"
        )
    section = data.get("allocation", {})
    section = _split.without_split_keys(section) if isinstance(section, dict) else section
    allocation = AllocationConfig.from_mapping(section, source=str(path))
    if isinstance(data.get("allocation", {}), dict):  # validate [[allocation.split]] early
        _split.parse(data.get("allocation", {}), path, WardDirectory(allocation.extra_wards))
    return Config(path=path, allocation=allocation, raw=data)


# --- typed keys, shared by the modules that parse their own sections ----------------------------


def number_setting(path: Path | None, key: str, value: Any, lo: float, hi: float) -> float:
    """A number in (lo, hi]; the error names the file and the key."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo < value <= hi:
        raise ConfigError(f"{path}: {key} must be a number in ({lo}, {hi}] (found {value!r})")
    return float(value)


def integer_setting(path: Path | None, key: str, value: Any, lo: int, hi: int) -> int:
    """An integer in [lo, hi]; the error names the file and the key."""
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ConfigError(f"{path}: {key} must be an integer from {lo} to {hi} (found {value!r})")
    return value


def check_keys(path: Path | None, section: str, data: dict[str, Any], allowed: set[str]) -> None:
    """Unknown keys of a section are one error listing them and the valid ones."""
    bad = set(data) - allowed
    if bad:
        raise ConfigError(
            f"{path}: [{section}] unknown key(s) {', '.join(sorted(bad))}; "
            f"valid: {', '.join(sorted(allowed))}"
        )
