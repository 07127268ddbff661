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

from gcfinops.allocation.tags import AllocationConfig
from gcfinops.allocation.wards import Ward
from gcfinops.errors import ConfigError

KNOWN_SECTIONS = {"allocation", "rules", "check", "report", "fx", "ingest", "baseline"}


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
    return Config(path=path, allocation=_allocation(path, data.get("allocation", {})), raw=data)


def _allocation(path: Path, section: dict[str, Any]) -> AllocationConfig:
    allowed = {"ward_tag_keys", "system_tag_keys", "environment_tag_keys", "accounts", "municipalities"}
    unknown = set(section) - allowed
    if unknown:
        raise ConfigError(
            f"{path}: [allocation] unknown key(s) {', '.join(sorted(unknown))}; "
            f"valid: {', '.join(sorted(allowed))}"
        )
    defaults = AllocationConfig()
    ward_map: dict[str, str] = {}
    system_map: dict[str, str] = {}
    env_map: dict[str, str] = {}
    for account, spec in section.get("accounts", {}).items():
        if not isinstance(spec, dict):
            raise ConfigError(f"{path}: [allocation.accounts.\"{account}\"] must be a table")
        bad = set(spec) - {"ward", "system", "environment", "name"}
        if bad:
            raise ConfigError(
                f"{path}: [allocation.accounts.\"{account}\"] unknown key(s) {', '.join(sorted(bad))};"
                " valid: ward, system, environment, name"
            )
        if "ward" in spec:
            ward_map[str(account)] = str(spec["ward"])
        if "system" in spec:
            system_map[str(account)] = str(spec["system"])
        if "environment" in spec:
            env_map[str(account)] = str(spec["environment"])
    extra = []
    for i, m in enumerate(section.get("municipalities", [])):
        try:
            extra.append(
                Ward(
                    code=str(m["code"]),
                    kanji=str(m["kanji"]),
                    kana=str(m.get("kana", "")),
                    romaji=str(m.get("romaji", "")),
                    name_en=str(m.get("name_en", m.get("romaji", ""))),
                )
            )
        except KeyError as exc:
            raise ConfigError(f"{path}: [[allocation.municipalities]] #{i + 1} lacks {exc}") from None
    return AllocationConfig(
        ward_tag_keys=tuple(section.get("ward_tag_keys", defaults.ward_tag_keys)),
        system_tag_keys=tuple(section.get("system_tag_keys", defaults.system_tag_keys)),
        environment_tag_keys=tuple(
            section.get("environment_tag_keys", defaults.environment_tag_keys)
        ),
        account_ward=ward_map,
        account_system=system_map,
        account_environment=env_map,
        extra_wards=tuple(extra),
    )
