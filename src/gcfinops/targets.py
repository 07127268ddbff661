"""The wards' own targets (issue #13): `[[targets]]` of gcfinops.toml and the presets.

The national 3割 target is one line of a ward's plan. The special wards' plans add a KGI against
the *pre-migration* system (現行システム比: ≤ 1.5×, and on average ≤ +30 %), which is a different
base from FY2018. A target is a base times a ratio, or a fixed amount:

    [[targets]]
    id = "kgi-1.5x-juki"
    name = "KGI: resident register within 1.5x of the pre-migration system"
    name_ja = "KGI: 住民記録 移行前の1.5倍以内"
    base = "pre_migration"        # fy2018 | pre_migration | amount
    ratio = 1.5                   # or amount_jpy = 12000000 with base = "amount"
    business_system = "resident_registry"   # optional: one 業務 instead of the whole scope

    [scope]
    out_of_scope = ["some_system"]  # 業務 ids kept out of the 3割/KGI scope (besides out_of_scope)

Presets need no configuration and are always listed (a configured target with the same id
replaces a preset):

- `reduction-30`: FY2018 × 0.70 — the national target (基本方針, 2022-10-07).
- `kgi-1.5x`: pre-migration × 1.5, judged on the total of the 業務 that have a pre-migration base.
- `avg-plus-30`: pre-migration × 1.3, judged on the cost-weighted average across those 業務
  (Σ forecast ÷ Σ base, i.e. the totals), not the simple mean of per-業務 ratios: a small 業務
  at ×3 must not weigh as much as 住民記録. Decision recorded in docs/targets.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from gcfinops.allocation.systems import normalize_system
from gcfinops.config import check_keys, integer_setting, number_setting
from gcfinops.errors import ConfigError

Base = Literal["fy2018", "pre_migration", "amount"]
BASES: tuple[Base, ...] = ("fy2018", "pre_migration", "amount")
OUT_OF_SCOPE = "out_of_scope"  # business_system value of systems outside the 20 業務


@dataclass(frozen=True)
class TargetDef:
    """One target: base × ratio, or a fixed amount (base = "amount")."""

    id: str
    name: str
    name_ja: str
    base: Base
    ratio: float | None = None
    amount_jpy: float | None = None
    business_system: str | None = None
    preset: bool = False


PRESETS: tuple[TargetDef, ...] = (
    TargetDef(
        "reduction-30", "30% below FY2018", "平成30年度比3割削減", "fy2018", 0.70, preset=True
    ),
    TargetDef(
        "kgi-1.5x",
        "KGI: within 1.5x of the pre-migration system",
        "KGI: 移行前(現行システム)の1.5倍以内",
        "pre_migration",
        1.5,
        preset=True,
    ),
    TargetDef(
        "avg-plus-30",
        "KGI: on average within +30% of the pre-migration system",
        "KGI: 移行前(現行システム)比 平均+30%以内",
        "pre_migration",
        1.3,
        preset=True,
    ),
)


@dataclass(frozen=True)
class TargetConfig:
    """Targets to report (presets first, then configured ones) and the out-of-scope 業務."""

    targets: tuple[TargetDef, ...] = PRESETS
    out_of_scope: frozenset[str] = frozenset({OUT_OF_SCOPE})


def _target(path: Path | None, i: int, item: Any) -> TargetDef:
    key = f"targets[{i}]"
    if not isinstance(item, dict):
        raise ConfigError(f"{path}: {key} must be a table ([[targets]])")
    check_keys(
        path,
        key,
        item,
        {"id", "name", "name_ja", "base", "ratio", "amount_jpy", "business_system"},
    )
    tid = item.get("id")
    if not isinstance(tid, str) or not tid.strip():
        raise ConfigError(f"{path}: {key}.id is required (a short name such as kgi-juki)")
    base = item.get("base", "fy2018")
    if base not in BASES:
        raise ConfigError(f"{path}: {key}.base must be one of {', '.join(BASES)} (found {base!r})")
    ratio = amount = None
    if base == "amount":
        if "amount_jpy" not in item or "ratio" in item:
            raise ConfigError(f"{path}: {key}: base = 'amount' needs amount_jpy (and no ratio)")
        amount = float(integer_setting(path, f"{key}.amount_jpy", item["amount_jpy"], 0, 10**15))
    else:
        if "ratio" not in item or "amount_jpy" in item:
            raise ConfigError(f"{path}: {key}: base = {base!r} needs ratio (and no amount_jpy)")
        ratio = number_setting(path, f"{key}.ratio", item["ratio"], 0.0, 100.0)
    system = None
    if "business_system" in item:
        system = normalize_system(str(item["business_system"]))
        if system is None:
            raise ConfigError(
                f"{path}: {key}.business_system: unknown 業務 {item['business_system']!r}"
            )
    name = str(item.get("name", tid))
    return TargetDef(tid.strip(), name, str(item.get("name_ja", name)), base, ratio, amount, system)


def from_config(raw: dict[str, Any], path: Path | None = None) -> TargetConfig:
    """Parse `[[targets]]` and `[scope]`; every error names the file and the key."""
    items = raw.get("targets", [])
    if not isinstance(items, list):
        raise ConfigError(f"{path}: targets must be an array of tables ([[targets]])")
    configured = [_target(path, i, item) for i, item in enumerate(items, 1)]
    ids = [t.id for t in configured]
    dupes = sorted({t for t in ids if ids.count(t) > 1})
    if dupes:
        raise ConfigError(f"{path}: [[targets]] id(s) repeated: {', '.join(dupes)}")
    presets = tuple(p for p in PRESETS if p.id not in ids)
    scope = raw.get("scope", {})
    if not isinstance(scope, dict):
        raise ConfigError(f"{path}: [scope] must be a table")
    check_keys(path, "scope", scope, {"out_of_scope"})
    listed = scope.get("out_of_scope", [])
    if not isinstance(listed, list):
        raise ConfigError(f"{path}: scope.out_of_scope must be a list of 業務 ids")
    out = {OUT_OF_SCOPE}
    for value in listed:
        system = normalize_system(str(value))
        if system is None:
            raise ConfigError(f"{path}: scope.out_of_scope: unknown 業務 {value!r}")
        out.add(system)
    return TargetConfig((*presets, *configured), frozenset(out))
