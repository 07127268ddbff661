"""Apportionment rules (按分): `[[allocation.split]]` tables of gcfinops.toml, and the built-ins.

Tax and commitment fees carry no tags by nature, and shared accounts (network hub, security, log
archive) serve several wards or 業務; finance staff apportion such cost by usage share, evenly, by
fixed ratios or by a metric (residents …) and expect every yen to land somewhere. A rule:

    [[allocation.split]]
    name = "network-hub"                          # shown by `gcfinops allocation show`
    match = { billing_account_id = "123456789012", untagged = true }
    to = "ward"                                   # "ward", "business_system" or both (a list)
    method = "proportional"                       # proportional | even | fixed | metric
    basis = "billing_account"                     # proportional/even: billing_account (default),
                                                  #   sub_account, provider or all
    shares = { "131121" = 0.5, "131016" = 0.5 }   # fixed: ward codes (any spelling) or 業務 ids
    metric = "residents"                          # metric: [allocation.metrics.residents]

`match` keys (all given must hold; a list means any of): charge_category, billing_account_id,
sub_account_id, service_name, untagged (true: rows without tags; false: with tags).

Rules apply in file order, then the built-ins; the first rule a row matches moves it. Built-ins:
`commitment` (ChargeCategory Purchase: commitment purchases and recurring fees follow the usage
they cover) and `tax` (ChargeCategory Tax: follows the cost it taxes, proportional within the
billing account and month). `allocation.apportion` turns the rules into SQL; docs/allocation.md
has worked examples. Errors name the file and the key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from gcfinops.allocation.systems import normalize_system
from gcfinops.allocation.wards import WardDirectory
from gcfinops.errors import ConfigError

Target = Literal["ward", "business_system"]
Method = Literal["proportional", "even", "fixed", "metric", "covered"]
METHODS = ("proportional", "even", "fixed", "metric")
BASES = ("billing_account", "sub_account", "provider", "all")
MATCH_KEYS = ("charge_category", "billing_account_id", "sub_account_id", "service_name", "untagged")
RULE_KEYS = {"name", "match", "to", "method", "basis", "shares", "metric"}
CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")
SECTION_KEYS = ("split", "metrics")


@dataclass(frozen=True)
class Match:
    """Which rows a rule takes; an empty tuple means "any"."""

    charge_category: tuple[str, ...] = ()
    billing_account_id: tuple[str, ...] = ()
    sub_account_id: tuple[str, ...] = ()
    service_name: tuple[str, ...] = ()
    untagged: bool | None = None

    def describe(self) -> str:
        parts = [
            f"{k}={'|'.join(v)}"
            for k, v in (
                ("charge_category", self.charge_category),
                ("billing_account_id", self.billing_account_id),
                ("sub_account_id", self.sub_account_id),
                ("service_name", self.service_name),
            )
            if v
        ]
        if self.untagged is not None:
            parts.append(f"untagged={'true' if self.untagged else 'false'}")
        return ", ".join(parts) or "every row"


@dataclass(frozen=True)
class SplitRule:
    """One apportionment rule; `weights` holds fixed shares or metric values by target key."""

    name: str
    match: Match
    to: tuple[Target, ...]
    method: Method
    basis: str = "billing_account"
    weights: tuple[tuple[str, float], ...] = ()
    include_unallocated: bool = False  # built-ins: unallocated usage keeps its share
    builtin: bool = False
    name_ja: str = ""
    name_en: str = ""

    def targets_text(self) -> str:
        return "+".join(self.to)


BUILTIN_RULES: tuple[SplitRule, ...] = (
    SplitRule(
        name="commitment",
        name_ja="コミットメント購入・定期料金",
        name_en="Commitment purchases and recurring fees",
        match=Match(charge_category=("Purchase",)),
        to=("ward", "business_system"),
        method="covered",
        include_unallocated=True,
        builtin=True,
    ),
    SplitRule(
        name="tax",
        name_ja="消費税等",
        name_en="Consumption tax",
        match=Match(charge_category=("Tax",)),
        to=("ward", "business_system"),
        method="proportional",
        include_unallocated=True,
        builtin=True,
    ),
)


@dataclass(frozen=True)
class SplitConfig:
    """The user's rules in order; `rules` adds the built-ins after them."""

    user_rules: tuple[SplitRule, ...] = ()
    metrics: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    @property
    def rules(self) -> tuple[SplitRule, ...]:
        return self.user_rules + BUILTIN_RULES


def without_split_keys(section: Mapping[str, Any]) -> dict[str, Any]:
    """The `[allocation]` table without the keys this module owns (for AllocationConfig)."""
    return {k: v for k, v in section.items() if k not in SECTION_KEYS}


def _strings(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str) and v.strip() for v in items):
        problems.append(f"{where}: expected a string or a list of strings (found {value!r})")
        return ()
    return tuple(v.strip() for v in items)


def _match(value: Any, where: str, problems: list[str]) -> Match:
    if not isinstance(value, Mapping) or not value:
        problems.append(f"{where}: expected a table with any of {', '.join(MATCH_KEYS)}")
        return Match()
    kwargs: dict[str, Any] = {}
    for key, v in value.items():
        if key not in MATCH_KEYS:
            problems.append(f"{where}.{key}: unknown key; valid: {', '.join(MATCH_KEYS)}")
        elif key == "untagged":
            if not isinstance(v, bool):
                problems.append(f"{where}.untagged: expected true or false (found {v!r})")
            kwargs[key] = bool(v)
        elif key == "charge_category":
            found = []
            for c in _strings(v, f"{where}.{key}", problems):
                canon = next((x for x in CHARGE_CATEGORIES if x.lower() == c.lower()), None)
                if canon is None:
                    problems.append(
                        f"{where}.{key}: unknown {c!r}; "
                        f"FOCUS values: {', '.join(CHARGE_CATEGORIES)}"
                    )
                else:
                    found.append(canon)
            kwargs[key] = tuple(found)
        else:
            kwargs[key] = _strings(v, f"{where}.{key}", problems)
    return Match(**kwargs)


def _to(value: Any, where: str, problems: list[str]) -> tuple[Target, ...]:
    items = value if isinstance(value, list) else [value]
    if value == "both":
        items = ["ward", "business_system"]
    out: list[Target] = []
    for item in items:
        if item == "ward" or item == "business_system":
            out.append(item)
        else:
            problems.append(
                f'{where}: expected "ward", "business_system" or both (found {value!r})'
            )
            return ()
    return tuple(t for t in ("ward", "business_system") if t in out)


def _weights(
    value: Any, to: tuple[Target, ...], where: str, wards: WardDirectory, problems: list[str]
) -> tuple[tuple[str, float], ...]:
    """Keys normalized to ward codes or 業務 ids; values finite and ≥ 0, not all 0."""
    if len(to) != 1:
        problems.append(f'{where}: fixed shares and metrics need to = "ward" or "business_system"')
        return ()
    if not isinstance(value, Mapping) or not value:
        problems.append(f"{where}: expected a table of target = number")
        return ()
    normalize = wards.normalize if to[0] == "ward" else normalize_system
    out: dict[str, float] = {}
    for key, v in value.items():
        code = normalize(str(key))
        if code is None:
            problems.append(f'{where}."{key}": unknown {to[0].replace("_", " ")}')
        elif isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
            problems.append(f'{where}."{key}": expected a number ≥ 0 (found {v!r})')
        elif code in out:
            problems.append(f'{where}."{key}": the same target is listed twice')
        else:
            out[code] = float(v)
    if out and not any(out.values()):
        problems.append(f"{where}: at least one share must be greater than 0")
    return tuple(sorted(out.items()))


def parse(section: Mapping[str, Any], path: Path | str | None, wards: WardDirectory) -> SplitConfig:
    """`[[allocation.split]]` and `[allocation.metrics.*]`; every problem in one ConfigError."""
    problems: list[str] = []
    metrics_raw = section.get("metrics", {})
    if not isinstance(metrics_raw, Mapping):
        problems.append("allocation.metrics: expected tables of target = number")
        metrics_raw = {}
    rules_raw = section.get("split", [])
    if not isinstance(rules_raw, list):
        problems.append("allocation.split: expected an array of tables ([[allocation.split]])")
        rules_raw = []
    rules: list[SplitRule] = []
    names: set[str] = {r.name for r in BUILTIN_RULES}
    for i, entry in enumerate(rules_raw, 1):
        where = f"allocation.split[{i}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: expected a table")
            continue
        problems += [
            f"{where}.{k}: unknown key; valid: {', '.join(sorted(RULE_KEYS))}"
            for k in entry
            if k not in RULE_KEYS
        ]
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}.name: required, a string")
            name = f"split-{i}"
        elif name in names:
            problems.append(f"{where}.name: {name!r} is used twice (or is a built-in)")
        names.add(name)
        where = f'{where} ("{name}")'
        match = _match(entry.get("match"), f"{where}.match", problems)
        to = _to(entry.get("to"), f"{where}.to", problems)
        method = entry.get("method")
        if method not in METHODS:
            problems.append(
                f"{where}.method: expected one of {', '.join(METHODS)} (found {method!r})"
            )
            continue
        basis = entry.get("basis", "billing_account")
        if basis not in BASES:
            problems.append(f"{where}.basis: expected one of {', '.join(BASES)} (found {basis!r})")
        for key, needed in (("shares", "fixed"), ("metric", "metric")):
            if key in entry and method != needed:
                problems.append(f'{where}.{key}: only for method = "{needed}"')
        weights: tuple[tuple[str, float], ...] = ()
        if method == "fixed":
            weights = _weights(entry.get("shares"), to, f"{where}.shares", wards, problems)
            total = sum(v for _, v in weights)
            if weights and abs(total - 1.0) > 1e-9:
                problems.append(f"{where}.shares: must add up to 1 (found {total:g})")
        elif method == "metric":
            metric = entry.get("metric")
            if not isinstance(metric, str) or metric not in metrics_raw:
                known = ", ".join(sorted(metrics_raw)) or "none defined"
                problems.append(
                    f"{where}.metric: name a table [allocation.metrics.NAME] (found {metric!r}; "
                    f"known: {known})"
                )
            else:
                weights = _weights(
                    metrics_raw[metric], to, f"allocation.metrics.{metric}", wards, problems
                )
        rules.append(SplitRule(name, match, to, method, str(basis), weights))
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems))
    metrics = {str(k): dict(v) for k, v in metrics_raw.items() if isinstance(v, Mapping)}
    return SplitConfig(tuple(rules), metrics)
