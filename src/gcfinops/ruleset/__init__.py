"""Rules as data: parse `rules/<category>/<id>.sql` files, validate them, keep them in a registry.

A rule file (`ruleset/rulefile.py`: format, parsing, sentences) is a YAML header in a leading
`/* --- … --- */` block, then one SELECT over the `lake` view (and `metrics`, `gcf_hours`,
`gcf_fx` when declared in `requires`). STYLE.md §3.6 describes the convention;
docs/rules/README.md the output contract. Built-in rules and user rule folders
(`[rules] paths = [...]` in gcfinops.toml) go through the same loader, and every problem found is
reported at once, each naming its file (and line where there is one) → RuleDefinitionError, exit 2.
The SQL itself is checked by `rulesql.load_rules`; this package never imports the engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gcfinops.errors import ConfigError, RuleDefinitionError
from gcfinops.resources import builtin
from gcfinops.ruleset.rulefile import (
    CATEGORIES,
    CONFIDENCES,
    COST_BASES,
    ENGINE_FIELDS,
    ENGINE_PARAMS,
    FORMATTER,
    HEADER_RE,
    ID_RE,
    OPTIONAL_COLUMNS,
    OPTIONAL_KEYS,
    PARAM_KEYS,
    PARAM_RE,
    PARAM_TYPES,
    PROVIDERS,
    REQUIRED_COLUMNS,
    REQUIRED_KEYS,
    REQUIRES,
    RESERVED_PARAMS,
    Parameter,
    Rule,
    SafeFormatter,
    check_value,
    parse_file,
    render,
    suggest,
    template_fields,
    template_problems,
)

__all__ = [
    "CATEGORIES",
    "CONFIDENCES",
    "COST_BASES",
    "ENGINE_FIELDS",
    "ENGINE_PARAMS",
    "FORMATTER",
    "HEADER_RE",
    "HINT",
    "ID_RE",
    "OPTIONAL_COLUMNS",
    "OPTIONAL_KEYS",
    "PARAM_KEYS",
    "PARAM_RE",
    "PARAM_TYPES",
    "PROVIDERS",
    "REQUIRED_COLUMNS",
    "REQUIRED_KEYS",
    "REQUIRES",
    "RESERVED_PARAMS",
    "Parameter",
    "Rule",
    "RuleSet",
    "SafeFormatter",
    "check_value",
    "discover",
    "load",
    "parameters_json",
    "parse_file",
    "render",
    "suggest",
    "summary",
    "template_fields",
    "template_problems",
]


# --- the registry --------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSet:
    """All rules known to a workspace, built-in first, by id."""

    rules: dict[str, Rule]

    def __iter__(self) -> Any:
        return iter(self.rules.values())

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, rule_id: str) -> Rule:
        """The rule with this id (or alias); an unknown id is a ConfigError listing the ids."""
        if rule_id in self.rules:
            return self.rules[rule_id]
        for rule in self.rules.values():
            if rule_id in rule.aliases:
                return rule
        raise ConfigError(
            f"unknown rule {rule_id!r}{suggest(rule_id, self.rules)}",
            hint="list the rules with `gcfinops rules list`",
        )

    def select(self, ids: Iterable[str] | None = None) -> list[Rule]:
        """The named rules (even if disabled), else every enabled rule."""
        if ids:
            return [self.get(i) for i in ids]
        return [r for r in self.rules.values() if r.enabled]


def discover(folders: Iterable[tuple[Path, bool]]) -> tuple[list[Rule], list[str]]:
    """Parse every `*.sql` below each folder; (folder, is_builtin) pairs, built-ins first."""
    rules: list[Rule] = []
    problems: list[str] = []
    for folder, is_builtin in folders:
        if not folder.is_dir():
            problems.append(f"{folder}: rule folder not found")
            continue
        paths = sorted(folder.rglob("*.sql"), key=lambda p: p.as_posix())
        overrides = {p for p in paths if dialect_of(p) is not None}
        for path in paths:
            if path in overrides:
                continue
            rule, errs = parse_file(path, is_builtin=is_builtin)
            problems += errs
            if rule is not None:
                rule, errs = _with_dialects(rule, overrides)
                problems += errs
                rules.append(rule)
        claimed = {_override_path(r.path, d) for r in rules for d in r.dialect_sql}
        problems += [
            f"{p}: a {dialect_of(p)} override without its rule file {p.name.split('.')[0]}.sql"
            for p in sorted(overrides - claimed)
        ]
    return rules, problems


DIALECTS = ("spark",)


def dialect_of(path: Path) -> str | None:
    """`rightsizing.spark.sql` → "spark": a per-dialect override, not a rule of its own."""
    parts = path.name.split(".")
    return parts[-2] if len(parts) == 3 and parts[-2] in DIALECTS else None


def _override_path(rule_path: Path, dialect: str) -> Path:
    return rule_path.with_name(f"{rule_path.stem}.{dialect}.sql")


def _with_dialects(rule: Rule, overrides: set[Path]) -> tuple[Rule, list[str]]:
    """Attach the rule's `<stem>.<dialect>.sql` files (plain SQL, one SELECT, `:name` params)."""
    found: dict[str, str] = {}
    problems: list[str] = []
    for dialect in DIALECTS:
        path = _override_path(rule.path, dialect)
        if path not in overrides:
            continue
        try:
            text = path.read_text(encoding="utf-8").strip().rstrip(";")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot read {dialect} override ({exc})")
            continue
        if not text:
            problems.append(f"{path}:1: the {dialect} override is empty")
            continue
        found[dialect] = text
    return (replace(rule, dialect_sql=found) if found else rule), problems


def load(
    config_raw: Mapping[str, Any] | None = None,
    *,
    config_path: Path | None = None,
    builtin_dir: Path | None = None,
) -> RuleSet:
    """Built-in rules plus the user folders and overrides of `[rules]`; headers validated.

    The SQL itself is checked against the lake schema by `engine.load_rules` (the engine runs
    SQL; this module only reads rule files, so it does not import the engine).
    """
    section = dict((config_raw or {}).get("rules") or {})
    where = str(config_path or "gcfinops.toml")
    base = config_path.parent if config_path else Path.cwd()
    paths = section.pop("paths", [])
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ConfigError(f"{where}: [rules] paths must be a list of folder names")
    folders = [(builtin_dir or builtin("rules"), True)]
    folders += [((base / p).resolve(), False) for p in paths]
    rules, problems = discover(folders)
    by_id: dict[str, Rule] = {}
    for rule in rules:
        previous = by_id.get(rule.id)
        if previous is None:
            by_id[rule.id] = rule
            continue
        allowed = (
            previous.builtin and not rule.builtin and _section(section, rule.id).get("override")
        )
        if allowed:
            by_id[rule.id] = replace(rule, builtin=False)
        else:
            hint = f" (set override = true in [rules.{rule.id}] to replace a built-in)"
            problems.append(
                f"{rule.path}: duplicate rule id {rule.id!r}, already defined in {previous.path}"
                + (hint if previous.builtin and not rule.builtin else "")
            )
    if problems:
        raise RuleDefinitionError(summary(problems), hint=HINT)
    return RuleSet(_apply_config(by_id, section, where))


HINT = "fix the rule file(s); the format is described in docs/rules/README.md"


def summary(problems: list[str]) -> str:
    if len(problems) == 1:
        return problems[0]
    return f"{len(problems)} problems in rule files:\n" + "\n".join(problems)


def _section(section: Mapping[str, Any], rule_id: str) -> dict[str, Any]:
    value = section.get(rule_id)
    return dict(value) if isinstance(value, dict) else {}


def _apply_config(rules: dict[str, Rule], section: dict[str, Any], where: str) -> dict[str, Rule]:
    """Apply `[rules.<id>]` tables: parameter overrides, `enabled`, `override`."""
    problems: list[str] = []
    out = dict(rules)
    for key, table in section.items():
        if key not in rules:
            problems.append(
                f"{where}: [rules.{key}] names no rule{suggest(key, rules)}; "
                f"rules: {', '.join(sorted(rules))}"
                if isinstance(table, dict)
                else f"{where}: [rules] unknown key {key!r}; valid: paths, or a [rules.<id>] table"
            )
            continue
        if not isinstance(table, dict):
            problems.append(f"{where}: [rules.{key}] must be a table")
            continue
        rule = rules[key]
        overrides: dict[str, Any] = {}
        enabled = rule.enabled
        for name, value in table.items():
            if name == "enabled":
                if not isinstance(value, bool):
                    problems.append(f"{where}: [rules.{key}] enabled must be true or false")
                enabled = bool(value)
            elif name == "override":
                continue
            elif name not in rule.parameters:
                valid = ", ".join(sorted(rule.parameters)) or "(none)"
                problems.append(
                    f"{where}: [rules.{key}] unknown parameter {name!r}"
                    f"{suggest(name, rule.parameters)}; valid: enabled, override, {valid}"
                )
            else:
                problem = check_value(rule.parameters[name], _coerce(rule.parameters[name], value))
                if problem:
                    problems.append(f"{where}: [rules.{key}] {name} {problem}")
                else:
                    overrides[name] = _coerce(rule.parameters[name], value)
        out[key] = replace(rule, overrides=overrides, enabled=enabled)
    if problems:
        raise ConfigError(summary(problems), hint="see `gcfinops rules show <id>` for parameters")
    return out


def _coerce(param: Parameter, value: Any) -> Any:
    """TOML integers are fine where a number is expected."""
    if param.type == "number" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def parameters_json(rule: Rule) -> str:
    """Effective parameters as JSON (stored with the findings for reproducibility)."""
    return json.dumps(rule.params(), ensure_ascii=False, sort_keys=True)
