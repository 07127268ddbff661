"""`[check]` of gcfinops.toml and the command line → thresholds per group.

Thresholds come from built-in defaults < `[check]` in gcfinops.toml < command-line options <
per-group overrides (`[check.wards."…"]`, `[check.systems.…]`, `[check.services."…"]`,
`[check.accounts."…"]`). Every error names the file and the key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from gcfinops.allocation.systems import normalize_system
from gcfinops.allocation.wards import WardDirectory
from gcfinops.config import Config
from gcfinops.errors import ConfigError

NEAR_RATIO = 0.80  # a result at >= 80 % of its threshold is reported as a warning
METRICS = ("mom_growth", "yoy_growth", "increase_jpy", "over_target_path")
COST_COLUMNS = ("BilledCost", "EffectiveCost")
# --by value -> (override table in [check], SQL of the group key, SQL of a display name or NULL)
DIMENSIONS: dict[str, tuple[str, str, str]] = {
    "ward": ("wards", "x_Ward", "NULL"),
    "system": ("systems", "x_BusinessSystem", "NULL"),
    "service": ("services", "ServiceName", "NULL"),
    "account": ("accounts", "SubAccountId", "SubAccountName"),
}
# Top-contributor dimensions -> SQL key
CONTRIBUTORS = {
    "service": "ServiceName",
    "resource": "ResourceId",
    "usage_type": "coalesce(x_UsageType, SkuMeter)",
}
THRESHOLD_KEYS = ("max_mom_growth", "max_yoy_growth", "max_increase_jpy", "max_over_target_path")
_SETTING_KEYS = ("by", "cost_column", "top")
_SUBTABLES = ("wards", "systems", "services", "accounts", "anomalies")


@dataclass(frozen=True)
class Thresholds:
    """Limits for one group; None switches a test off. Percentages are percent (20 = 20 %)."""

    max_mom_growth: float | None = 20.0
    max_yoy_growth: float | None = 30.0
    max_increase_jpy: float | None = 100_000.0
    max_over_target_path: float | None = None


@dataclass(frozen=True)
class CheckSettings:
    """`[check]` of gcfinops.toml, parsed: defaults, per-group overrides, grouping, cost column."""

    by: str = "ward"
    cost_column: str = "BilledCost"
    top: int = 3
    thresholds: Thresholds = field(default_factory=Thresholds)
    overrides: Mapping[str, Mapping[str, Mapping[str, float | None]]] = field(default_factory=dict)


def parse_threshold(text: str) -> float | None:
    """A command-line threshold: a number >= 0, or 'off' to switch the test off."""
    if text.strip().lower() in ("off", "none", "false"):
        return None
    try:
        value = float(text.replace(",", "").replace("%", ""))
    except ValueError:
        raise ValueError(f"expected a number >= 0 or 'off' (found {text!r})") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"expected a number >= 0 or 'off' (found {text!r})")
    return value


def _threshold(path: Path | None, where: str, value: object) -> float | None:
    if value is False:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(
            f"{path}: {where} must be a number >= 0, or false to switch it off (found {value!r})"
        )
    return float(value)


def _unknown(path: Path | None, table: str, keys: set[str], valid: tuple[str, ...]) -> None:
    if keys:
        import difflib

        bad = sorted(keys)
        near = {k: difflib.get_close_matches(k, valid, n=1) for k in bad}
        hints = [f"{k} (did you mean {m[0]}?)" if m else k for k, m in near.items()]
        raise ConfigError(
            f"{path}: [{table}] unknown key(s) {', '.join(hints)}; valid: {', '.join(valid)}"
        )


def settings_from_config(cfg: Config, wards: WardDirectory) -> CheckSettings:
    """Parse `[check]`; every error names the file and the key."""
    section = cfg.raw.get("check", {})
    path = cfg.path
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [check] must be a table")
    _unknown(
        path,
        "check",
        set(section) - {*THRESHOLD_KEYS, *_SETTING_KEYS, *_SUBTABLES},
        (*THRESHOLD_KEYS, *_SETTING_KEYS, *_SUBTABLES),
    )
    by = section.get("by", "ward")
    if by not in DIMENSIONS:
        raise ConfigError(f"{path}: [check] by = {by!r}; valid: {', '.join(DIMENSIONS)}")
    cost = section.get("cost_column", "BilledCost")
    if cost not in COST_COLUMNS:
        raise ConfigError(
            f"{path}: [check] cost_column = {cost!r}; valid: {', '.join(COST_COLUMNS)}"
        )
    top = section.get("top", 3)
    if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= 50:
        raise ConfigError(f"{path}: [check] top must be an integer 1–50 (found {top!r})")
    base = Thresholds(
        **{k: _threshold(path, f"[check] {k}", section[k]) for k in THRESHOLD_KEYS if k in section}
    )
    overrides: dict[str, dict[str, dict[str, float | None]]] = {}
    for dim, (table, _, _) in DIMENSIONS.items():
        entries = section.get(table, {})
        if not isinstance(entries, dict):
            raise ConfigError(f"{path}: [check.{table}] must be a table of tables")
        for key, spec in entries.items():
            where = f'[check.{table}."{key}"]'
            if not isinstance(spec, dict):
                raise ConfigError(f"{path}: {where} must be a table of thresholds")
            _unknown(path, where[1:-1], set(spec) - set(THRESHOLD_KEYS), THRESHOLD_KEYS)
            group = _override_key(dim, str(key), wards)
            if group is None:
                raise ConfigError(
                    f"{path}: {where}: {key!r} is not a known {dim}",
                    hint="wards: code, kanji, kana or romaji; systems: id or Japanese name",
                )
            overrides.setdefault(dim, {})[group] = {
                k: _threshold(path, f"{where} {k}", v) for k, v in spec.items()
            }
    return CheckSettings(by=by, cost_column=cost, top=top, thresholds=base, overrides=overrides)


def _override_key(dim: str, key: str, wards: WardDirectory) -> str | None:
    if dim == "ward":
        return wards.normalize(key)
    if dim == "system":
        return normalize_system(key)
    return key


def thresholds_for(
    settings: CheckSettings, cli: Mapping[str, float | None], group: str | None
) -> Thresholds:
    """Effective limits of one group: [check] < command line < the group's own override."""
    effective = replace(settings.thresholds, **cli)
    override = settings.overrides.get(settings.by, {}).get(group or "", {})
    return replace(effective, **override)
