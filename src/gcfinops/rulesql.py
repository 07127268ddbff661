"""The rule SQL session and the SQL checks of rule files, shared by the engine and the loader.

`prepare` offers a connection the views `lake` and `metrics`, the calendar tables
`gcf_hours`/`gcf_nonworking_days` (jpcalendar) and `gcf_fx`. `load_rules` is `ruleset.load`
(headers) followed by `validate`: every rule's SQL parsed and bound against an empty lake, each
problem naming the file and line. The engine (`engine.py`) runs what passes; the rule set
(`ruleset.py`) never imports either, so there is no cycle (docs/architecture.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from gcfinops import ruleset, schema
from gcfinops.db import session
from gcfinops.errors import NoDataError, RuleDefinitionError
from gcfinops.fx import FxTable, register_fx
from gcfinops.jpcalendar import register_calendar
from gcfinops.metrics import empty_select as empty_metrics_select
from gcfinops.ruleset import (
    ENGINE_FIELDS,
    HINT,
    REQUIRED_COLUMNS,
    Rule,
    RuleSet,
    render,
    suggest,
    summary,
    template_fields,
)

#: Calendar tables cover this many days before as_of (rules needing more must not use them).
CALENDAR_DAYS = 400
_LINE_RE = re.compile(r"LINE (\d+):")
_NUMERIC = ("DOUBLE", "FLOAT", "DECIMAL", "BIGINT", "INTEGER", "HUGEINT", "SMALLINT", "UBIGINT")


# --- the session ---------------------------------------------------------------------------


def prepare(
    con: duckdb.DuckDBPyConnection,
    *,
    lake_sql: str,
    metrics_sql: str,
    fx: FxTable,
    as_of: datetime,
    calendar: bool = True,
) -> None:
    """Create the relations rules read: lake, metrics, gcf_hours, gcf_nonworking_days, gcf_fx."""
    con.execute(f"CREATE OR REPLACE TEMP VIEW lake AS {lake_sql}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW metrics AS {metrics_sql}")
    if calendar:
        end = as_of.astimezone(UTC).date() + timedelta(days=2)
        register_calendar(con, end - timedelta(days=CALENDAR_DAYS + 2), end)
    register_fx(con, fx)


def default_as_of(con: duckdb.DuckDBPyConnection) -> datetime:
    """The latest ChargePeriodEnd in the lake; NoDataError when the lake is empty."""
    row = con.execute("SELECT max(ChargePeriodEnd) FROM lake").fetchone()
    if row is None or row[0] is None:
        raise NoDataError("the lake is empty", hint="run `gcfinops ingest PATH` first")
    value: datetime = row[0]
    return value.astimezone(UTC)


def parse_as_of(text: str) -> datetime:
    """`--as-of`: a date (its 00:00 UTC) or an ISO 8601 time (UTC when no offset)."""
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        from gcfinops.errors import ConfigError

        raise ConfigError(
            f"--as-of expects a date such as 2026-04-01 or an ISO time (found {text!r})"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- validation ----------------------------------------------------------------------------


_VALIDATED: dict[str, list[str]] = {}


def _validation_key(rule: Rule) -> str:
    return json.dumps(
        [str(rule.path), rule.sql, rule.sql_line, rule.params(), rule.recommendation,
         rule.recommendation_ja, rule.skip_reasons, sorted(rule.parameters)],
        sort_keys=True, default=str,
    )  # fmt: skip


def load_rules(
    config_raw: Mapping[str, Any] | None = None,
    *,
    config_path: Path | None = None,
    builtin_dir: Path | None = None,
) -> RuleSet:
    """`ruleset.load`, then every rule's SQL parsed and bound against an empty lake.

    Raises RuleDefinitionError naming each file (and line) whose SQL does not parse or bind.
    """
    rules = ruleset.load(config_raw, config_path=config_path, builtin_dir=builtin_dir)
    problems = validate(list(rules))
    if problems:
        raise RuleDefinitionError(summary(problems), hint=HINT)
    return rules


def validate(rules: Iterable[Rule]) -> list[str]:
    """Parse, bind and check the output of each rule against an empty lake; all problems.

    Results are remembered per process for an unchanged rule (same file, SQL and parameters).
    """
    rules = list(rules)
    todo = [r for r in rules if _validation_key(r) not in _VALIDATED]
    if todo:
        for rule, problems in zip(todo, _validate_all(todo), strict=True):
            _VALIDATED[_validation_key(rule)] = problems
    return [p for r in rules for p in _VALIDATED[_validation_key(r)]]


def _validate_all(rules: list[Rule]) -> list[list[str]]:
    with session() as con:
        con.execute(schema.empty_table_sql("gcf_empty_lake"))
        as_of = datetime(2025, 4, 1, tzinfo=UTC)
        prepare(
            con,
            lake_sql="SELECT * FROM gcf_empty_lake",
            metrics_sql=empty_metrics_select(),
            fx=FxTable(),
            as_of=as_of,
        )
        return [_validate_one(con, rule, as_of) for rule in rules]


def referenced_params(con: duckdb.DuckDBPyConnection, rule: Rule) -> tuple[set[str], list[str]]:
    """Names of the `$params` the SQL uses, or the parse problems (with file line and column)."""
    out = con.execute("SELECT json_serialize_sql(?)", [body(rule)]).fetchone()
    tree = json.loads(out[0]) if out else {}
    if tree.get("error"):
        pos = int(tree.get("position") or 0)
        where = position(rule, pos)
        return set(), [f"{where}: SQL does not parse: {tree.get('error_message')}"]
    if len(tree.get("statements", [])) != 1:
        return set(), [f"{rule.path}:{rule.sql_line}: the SQL body must be exactly one SELECT"]
    found: list[dict[str, Any]] = []
    _walk(tree, found)
    names = {str(p.get("identifier")) for p in found}
    if any(n.isdigit() or not n for n in names):
        return set(), [f"{rule.path}: positional parameters (?) are not allowed; use $name"]
    return names, []


def _walk(node: Any, found: list[dict[str, Any]]) -> None:
    if isinstance(node, dict):
        if node.get("class") == "PARAMETER":
            found.append(node)
        for v in node.values():
            _walk(v, found)
    elif isinstance(node, list):
        for v in node:
            _walk(v, found)


def _validate_one(con: duckdb.DuckDBPyConnection, rule: Rule, as_of: datetime) -> list[str]:
    names, problems = referenced_params(con, rule)
    if problems:
        return problems
    declared = set(rule.parameters) | {"as_of"}
    for name in sorted(names - declared):
        problems.append(
            f"{rule.path}: the SQL uses ${name}, which is not a declared parameter"
            f"{suggest(name, declared)}; declared: {', '.join(sorted(declared))}"
        )
    if problems:
        return problems
    try:
        rel = con.execute(
            f"SELECT * FROM ({body(rule)}\n) AS gcf_rule LIMIT 0", bind(rule, names, as_of)
        )
    except duckdb.Error as exc:
        return [f"{error_where(rule, exc)}: SQL does not bind against the lake: {short(exc)}"]
    cols = {d[0]: str(d[1]) for d in rel.description or []}
    for name in REQUIRED_COLUMNS:
        if name not in cols:
            problems.append(f"{rule.path}: output column {name!r} is missing (contract: "
                            f"{', '.join(REQUIRED_COLUMNS)})")  # fmt: skip
    for name in ("current_monthly_cost", "estimated_monthly_savings"):
        if name in cols and not cols[name].startswith(_NUMERIC):
            problems.append(f"{rule.path}: output column {name!r} must be numeric ({cols[name]})")
    values: dict[str, Any] = {
        n: (1234.5 if t.startswith(_NUMERIC) else "x") for n, t in cols.items()
    }
    values.update(rule.params())
    values.update({f: "x" for f in ENGINE_FIELDS})
    templates = [
        ("recommendation", rule.recommendation),
        ("recommendation_ja", rule.recommendation_ja),
    ]
    templates += [(f"skip_reasons.{k}.{lang}", v[lang]) for k, v in rule.skip_reasons.items()
                  for lang in ("en", "ja")]  # fmt: skip
    for key, template in templates:
        for fname, _spec in template_fields(template):
            if fname not in values:
                problems.append(
                    f"{rule.path}: {key} uses {{{fname}}}, which is neither an output column, a "
                    f"parameter nor one of {', '.join(ENGINE_FIELDS)}"
                )
        if not problems:
            try:
                render(template, values)
            except (ValueError, TypeError, KeyError) as exc:
                problems.append(f"{rule.path}: {key} cannot be filled: {exc}")
    return problems


def body(rule: Rule) -> str:
    return rule.sql.rstrip().rstrip(";")


def bind(rule: Rule, names: set[str], as_of: datetime) -> dict[str, Any]:
    values = dict(rule.params())
    values["as_of"] = as_of
    return {n: values[n] for n in names}


def position(rule: Rule, pos: int) -> str:
    sql = body(rule)
    before = sql[:pos]
    line = rule.sql_line + before.count("\n")
    col = pos - (before.rfind("\n") + 1) + 1
    return f"{rule.path}:{line}:{col}"


def error_where(rule: Rule, exc: BaseException) -> str:
    m = _LINE_RE.search(str(exc))
    return f"{rule.path}:{rule.sql_line + int(m.group(1)) - 1}" if m else str(rule.path)


def short(exc: BaseException) -> str:
    lines = [ln for ln in str(exc).splitlines() if ln.strip()]
    return " ".join(lines[:2]) if lines else type(exc).__name__
