"""Run rules in DuckDB: bind parameters, normalize every rule's rows, convert to JPY, store.

Each rule's SELECT runs with its parameters bound (`$name`, never formatted into the SQL) and
`$as_of` (default: the latest ChargePeriodEnd in the lake). The session offers the views `lake`
and `metrics`, the calendar tables `gcf_hours`/`gcf_nonworking_days` (jpcalendar) and `gcf_fx`.
Rows are normalized to the findings contract in SQL, converted to JPY at the rate of the last
month of the window (a missing rate is a MissingRateError), filtered by the rule's
`min_monthly_savings` / `min_monthly_cost` (JPY), and only then turned into sentences in Python —
findings are few; billing rows never leave DuckDB. `validate` checks rules against an empty lake.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from gcfinops import findings, lake, ruleset, schema
from gcfinops.allocation.systems import get_system
from gcfinops.allocation.wards import WardDirectory
from gcfinops.context import Context
from gcfinops.db import session
from gcfinops.errors import NoDataError, RuleDefinitionError
from gcfinops.findings import Listing
from gcfinops.fx import HOME_CURRENCY, FxTable, missing_rate_error, register_fx
from gcfinops.jpcalendar import register_calendar
from gcfinops.metrics import empty_select as empty_metrics_select
from gcfinops.metrics import metrics_view_sql
from gcfinops.money import Lang, format_jpy
from gcfinops.ruleset import (
    CONFIDENCES,
    ENGINE_FIELDS,
    HINT,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    Rule,
    RuleSet,
    render,
    suggest,
    summary,
    template_fields,
)
from gcfinops.workspace import Workspace

#: Calendar tables cover this many days before as_of (rules needing more must not use them).
CALENDAR_DAYS = 400
STATUSES = ("finding", "skipped")
_NUMERIC = ("DOUBLE", "FLOAT", "DECIMAL", "BIGINT", "INTEGER", "HUGEINT", "SMALLINT", "UBIGINT")
_LINE_RE = re.compile(r"LINE (\d+):")


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
    out = con.execute("SELECT json_serialize_sql(?)", [_body(rule)]).fetchone()
    tree = json.loads(out[0]) if out else {}
    if tree.get("error"):
        pos = int(tree.get("position") or 0)
        where = _position(rule, pos)
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
            f"SELECT * FROM ({_body(rule)}\n) AS gcf_rule LIMIT 0", _bind(rule, names, as_of)
        )
    except duckdb.Error as exc:
        return [f"{_error_where(rule, exc)}: SQL does not bind against the lake: {_short(exc)}"]
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


def _body(rule: Rule) -> str:
    return rule.sql.rstrip().rstrip(";")


def _bind(rule: Rule, names: set[str], as_of: datetime) -> dict[str, Any]:
    values = dict(rule.params())
    values["as_of"] = as_of
    return {n: values[n] for n in names}


def _position(rule: Rule, pos: int) -> str:
    body = _body(rule)
    before = body[:pos]
    line = rule.sql_line + before.count("\n")
    col = pos - (before.rfind("\n") + 1) + 1
    return f"{rule.path}:{line}:{col}"


def _error_where(rule: Rule, exc: BaseException) -> str:
    m = _LINE_RE.search(str(exc))
    return f"{rule.path}:{rule.sql_line + int(m.group(1)) - 1}" if m else str(rule.path)


def _short(exc: BaseException) -> str:
    lines = [ln for ln in str(exc).splitlines() if ln.strip()]
    return " ".join(lines[:2]) if lines else type(exc).__name__


# --- running -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleRun:
    """One rule's share of an analyze run."""

    rule_id: str
    findings: int
    skipped: int
    monthly_savings: float
    seconds: float
    params: dict[str, Any] = field(default_factory=dict)


def run_rules(
    con: duckdb.DuckDBPyConnection,
    rules: Iterable[Rule],
    as_of: datetime,
    *,
    wards: WardDirectory,
) -> tuple[list[dict[str, Any]], list[RuleRun]]:
    """Run each rule on a prepared session; the normalized rows and per-rule statistics."""
    rows: list[dict[str, Any]] = []
    runs: list[RuleRun] = []
    for rule in rules:
        started = time.perf_counter()
        out = run_rule(con, rule, as_of, wards)
        found = [r for r in out if r["status"] == "finding"]
        runs.append(
            RuleRun(
                rule.id, len(found), len(out) - len(found),
                sum(r["estimated_monthly_savings"] or 0.0 for r in found),
                round(time.perf_counter() - started, 3), rule.params(),
            )
        )  # fmt: skip
        rows += out
    return rows, runs


def run_rule(
    con: duckdb.DuckDBPyConnection, rule: Rule, as_of: datetime, wards: WardDirectory
) -> list[dict[str, Any]]:
    """One rule → normalized finding rows (amounts in JPY, sentences filled)."""
    names, problems = referenced_params(con, rule)
    if problems:
        raise RuleDefinitionError(problems[0])
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE gcf_out AS SELECT * FROM ({_body(rule)}\n) AS gcf_rule",
            _bind(rule, names, as_of),
        )
    except duckdb.Error as exc:
        raise RuleDefinitionError(
            f"{_error_where(rule, exc)}: rule {rule.id} failed: {_short(exc)}"
        ) from None
    cols = {d[0]: str(d[1]) for d in con.execute("SELECT * FROM gcf_out LIMIT 0").description or []}
    con.execute(f"CREATE OR REPLACE TEMP TABLE gcf_norm AS {_normalize_sql(rule, cols)}")
    _check_values(con, rule)
    missing = con.execute(
        """SELECT DISTINCT fx_month, billing_currency FROM gcf_norm o
           WHERE o.billing_currency IS DISTINCT FROM ? AND NOT EXISTS (
               SELECT 1 FROM gcf_fx f
               WHERE f.month = o.fx_month AND f.currency = o.billing_currency)
           ORDER BY 1, 2""",
        [HOME_CURRENCY],
    ).fetchall()
    if missing:
        raise missing_rate_error((m, c) for m, c in missing)
    params = rule.params()
    extras = [c for c in cols if c not in REQUIRED_COLUMNS and c not in OPTIONAL_COLUMNS]
    extra_sql = "".join(f', o."{c}" AS "x__{c}"' for c in extras)
    table = con.sql(
        f"""SELECT n.*, n.current_monthly_cost_billing * r.rate AS current_monthly_cost,
                   n.estimated_monthly_savings_billing * r.rate AS estimated_monthly_savings,
                   r.rate AS fx_rate_jpy {extra_sql}
            FROM gcf_norm n
            JOIN gcf_out o ON o.rowid = n.gcf_row
            CROSS JOIN LATERAL (
                SELECT CASE WHEN n.billing_currency = ? THEN 1.0 ELSE (
                    SELECT f.rate_jpy FROM gcf_fx f
                    WHERE f.month = n.fx_month AND f.currency = n.billing_currency) END AS rate
            ) AS r
            WHERE n.status <> 'finding' OR (
                coalesce(n.estimated_monthly_savings_billing * r.rate, 0) >= ?
                AND coalesce(n.current_monthly_cost_billing * r.rate, 0) >= ?)
            ORDER BY n.gcf_row""",
        params=[HOME_CURRENCY, float(params.get("min_monthly_savings", 0.0)),
                float(params.get("min_monthly_cost", 0.0))],
    ).to_arrow_table()  # fmt: skip
    return [_finish(rule, row, params, wards, as_of) for row in table.to_pylist()]


def _normalize_sql(rule: Rule, cols: dict[str, str]) -> str:
    def opt(name: str, cast: str = "VARCHAR") -> str:
        return f'CAST(o."{name}" AS {cast})' if name in cols else f"CAST(NULL AS {cast})"

    ev_type = cols.get("evidence", "VARCHAR")
    evidence = (
        "CAST(o.evidence AS VARCHAR)" if ev_type in ("VARCHAR", "JSON")
        else "CAST(to_json(o.evidence) AS VARCHAR)"
    )  # fmt: skip
    window_end = "CAST(o.lookback_end AS TIMESTAMPTZ)"

    def q(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    return f"""
    SELECT o.rowid AS gcf_row,
        {q(rule.id)} AS rule_id, {q(rule.category)} AS category,
        coalesce({opt("status")}, 'finding') AS status, {opt("skip_reason")} AS skip_reason,
        CAST(o.provider AS VARCHAR) AS provider,
        CAST(o.billing_account_id AS VARCHAR) AS billing_account_id,
        {opt("sub_account_id")} AS sub_account_id,
        CAST(o.resource_id AS VARCHAR) AS resource_id,
        {opt("resource_name")} AS resource_name, {opt("service_name")} AS service_name,
        {opt("ward")} AS ward, {opt("business_system")} AS business_system,
        {opt("environment")} AS environment, CAST(o.region AS VARCHAR) AS region,
        CAST(o.lookback_start AS TIMESTAMPTZ) AS lookback_start, {window_end} AS lookback_end,
        CAST(o.billing_currency AS VARCHAR) AS billing_currency,
        CAST(o.current_monthly_cost AS DOUBLE) AS current_monthly_cost_billing,
        CAST(o.estimated_monthly_savings AS DOUBLE) AS estimated_monthly_savings_billing,
        coalesce({opt("fx_month")}, strftime({window_end} - INTERVAL 1 SECOND, '%Y-%m'))
            AS fx_month,
        {q(rule.cost_basis)} AS cost_basis,
        coalesce({opt("confidence")}, {q(rule.confidence)}) AS confidence,
        {evidence} AS evidence
    FROM gcf_out o"""


def _check_values(con: duckdb.DuckDBPyConnection, rule: Rule) -> None:
    """Row values a rule controls must be in range; the error names the rule file."""
    bad = con.execute(
        """SELECT status, confidence, lookback_end IS NULL, billing_currency IS NULL
           FROM gcf_norm WHERE status NOT IN ('finding', 'skipped')
              OR confidence NOT IN ('high', 'medium', 'low')
              OR lookback_end IS NULL OR billing_currency IS NULL LIMIT 1"""
    ).fetchone()
    if bad is not None:
        raise RuleDefinitionError(
            f"{rule.path}: rule {rule.id} returned an invalid row (status={bad[0]!r} must be "
            f"one of {', '.join(STATUSES)}; confidence={bad[1]!r} one of {', '.join(CONFIDENCES)}; "
            f"lookback_end missing={bad[2]}; billing_currency missing={bad[3]})"
        )


def _finish(
    rule: Rule, row: dict[str, Any], params: dict[str, Any], wards: WardDirectory, as_of: datetime
) -> dict[str, Any]:
    """Add the sentences and the run fields to one normalized row."""
    extras = {k[3:]: row.pop(k) for k in list(row) if k.startswith("x__")}
    row.pop("gcf_row", None)
    row["as_of"] = as_of
    ward = wards.get(row["ward"]) if row.get("ward") else None
    system = get_system(row["business_system"]) if row.get("business_system") else None
    base = {**params, **extras, **row, "rule_id": rule.id}
    langs: tuple[tuple[Lang, str], ...] = (("en", "recommendation"), ("ja", "recommendation_ja"))
    for lang, key in langs:
        values = dict(base)
        values["ward_name"] = (ward.kanji if lang == "ja" else ward.name_en) if ward else None
        values["business_system_name"] = (
            (system.name_ja if lang == "ja" else system.name_en) if system else None
        )
        values["monthly_savings_yen"] = format_jpy(row["estimated_monthly_savings"], lang=lang)
        values["monthly_cost_yen"] = format_jpy(row["current_monthly_cost"], lang=lang)
        if row["status"] == "finding":
            template = rule.recommendation if lang == "en" else rule.recommendation_ja
        else:
            reason = rule.skip_reasons.get(row["skip_reason"] or "", {})
            template = reason.get(lang) or (
                f"not evaluated ({row['skip_reason']})" if lang == "en"
                else f"判定できません ({row['skip_reason']})"
            )  # fmt: skip
        row[key] = render(template, values)
    return row


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


# --- the analyze run -----------------------------------------------------------------------


@dataclass(frozen=True)
class AnalyzeResult:
    """An analyze run: when, which rules, what they found (the stored listing)."""

    run_id: str
    as_of: datetime
    path: Path
    runs: list[RuleRun]
    listing: Listing
    seconds: float


def analyze(
    where: Context | Workspace,
    *,
    rule_ids: list[str] | None = None,
    as_of: datetime | None = None,
    lock_timeout: float = 600.0,
    memory_limit: str | None = None,
) -> AnalyzeResult:
    """Run the workspace's rules over its lake and metrics; replace its findings file."""
    started = time.perf_counter()
    ctx = Context.of(where)
    ws = ctx.workspace
    rules = load_rules(ctx.config.raw, config_path=ws.config_path)
    selected = rules.select(rule_ids)
    with ws.lock(lock_timeout):
        lake.recover(ws)
        if not ws.has_data():
            raise NoDataError(f"the lake in {ws.root} is empty", hint="run `gcfinops ingest PATH`")
        with session(temp_dir=ws.tmp / "duckdb", memory_limit=memory_limit) as con:
            con.execute(f"CREATE OR REPLACE TEMP VIEW lake AS {lake.lake_view_sql(ws)}")
            when = as_of or default_as_of(con)
            prepare(
                con,
                lake_sql=lake.lake_view_sql(ws),
                metrics_sql=metrics_view_sql(ws),
                fx=ctx.fx,
                as_of=when,
            )
            rows, runs = run_rules(con, selected, when, wards=ctx.wards)
        run_id = new_run_id()
        run = {
            "run_id": run_id,
            "as_of": when.isoformat(),
            "rules": {
                r.rule_id: {"params": r.params, "findings": r.findings, "skipped": r.skipped}
                for r in runs
            },
        }
        path = findings.write(ws, rows, run)
    return AnalyzeResult(
        run_id, when, path, runs, findings.listing(ws), round(time.perf_counter() - started, 3)
    )
