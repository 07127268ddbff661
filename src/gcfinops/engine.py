"""Run rules in DuckDB: bind parameters, normalize every rule's rows, convert to JPY, store.

Each rule's SELECT runs with its parameters bound (`$name`, never formatted into the SQL) and
`$as_of` (default: the latest ChargePeriodEnd in the lake). The session offers the views `lake`
and `metrics`, the calendar tables `gcf_hours`/`gcf_nonworking_days` (jpcalendar) and `gcf_fx`.
Rows are normalized to the findings contract in SQL, converted to JPY at the rate of the last
month of the window (a missing rate is a MissingRateError), filtered by the rule's
`min_monthly_savings` / `min_monthly_cost` (JPY), and only then turned into sentences in Python —
findings are few; billing rows never leave DuckDB. The session and the SQL checks of rule files
(`prepare`, `load_rules`, `validate`) are in `rulesql.py`.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from gcfinops import findings, lake
from gcfinops.allocation.systems import get_system
from gcfinops.allocation.wards import WardDirectory
from gcfinops.context import Context
from gcfinops.errors import NoDataError, RuleDefinitionError
from gcfinops.findings import Listing
from gcfinops.fx import HOME_CURRENCY, missing_rate_error
from gcfinops.metrics import metrics_view_sql
from gcfinops.money import Lang, format_jpy
from gcfinops.ruleset import (
    CONFIDENCES,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    Rule,
    render,
)
from gcfinops.rulesql import (
    bind,
    body,
    default_as_of,
    error_where,
    load_rules,
    parse_as_of,
    prepare,
    referenced_params,
    short,
    validate,
)
from gcfinops.sqlengine import session
from gcfinops.workspace import Workspace

# The session and the rule checks live in rulesql; callers keep importing them from here.
__all__ = [
    "AnalyzeResult",
    "RuleRun",
    "analyze",
    "default_as_of",
    "load_rules",
    "parse_as_of",
    "prepare",
    "run_rule",
    "run_rules",
    "validate",
]

STATUSES = ("finding", "skipped")


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


_NATIVE_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def _native_params(rule: Rule, sql: str, as_of: datetime) -> dict[str, Any]:
    """The `:name` parameters a dialect override uses: the rule's own parameters and as_of."""
    names = set(_NATIVE_PARAM.findall(sql))
    known = set(rule.params()) | {"as_of"}
    if names - known:
        raise RuleDefinitionError(
            f"{rule.path}: its dialect override uses unknown parameter(s) "
            f"{', '.join(sorted(names - known))} (known: {', '.join(sorted(known))})"
        )
    return bind(rule, names, as_of)


def run_rule(
    con: duckdb.DuckDBPyConnection, rule: Rule, as_of: datetime, wards: WardDirectory
) -> list[dict[str, Any]]:
    """One rule → normalized finding rows (amounts in JPY, sentences filled)."""
    names, problems = referenced_params(con, rule)
    if problems:
        raise RuleDefinitionError(problems[0])
    native = rule.dialect_sql.get(getattr(con, "dialect", "duckdb"))
    try:
        if native is not None:  # the rule's own SQL for this engine (`<id>.spark.sql`)
            params = _native_params(rule, native, as_of)
            con.create_from_native("gcf_out", native, params)  # type: ignore[attr-defined]
        else:
            select = f"SELECT * FROM ({body(rule)}\n) AS gcf_rule"
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE gcf_out AS {select}", bind(rule, names, as_of)
            )
    except duckdb.Error as exc:
        raise RuleDefinitionError(
            f"{error_where(rule, exc)}: rule {rule.id} failed: {short(exc)}"
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
                   CAST(r.rate AS DOUBLE) AS fx_rate_jpy {extra_sql}
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

    def to_dict(self) -> dict[str, Any]:
        """`analyze --format json`: run, per-rule counts, totals, findings and skipped rows."""
        listing = self.listing
        return {
            "run_id": self.run_id,
            "as_of": self.as_of.isoformat(),
            "rules": [
                {
                    "rule_id": r.rule_id,
                    "findings": r.findings,
                    "skipped": r.skipped,
                    "monthly_savings_jpy": round(r.monthly_savings),
                    "seconds": r.seconds,
                    "params": r.params,
                }
                for r in self.runs
            ],
            "total_monthly_savings_jpy": round(listing.total_savings),
            "sum_of_monthly_savings_jpy": round(listing.sum_of_savings),
            "findings": findings.to_json_rows(listing.findings),
            "skipped": findings.to_json_rows(listing.skipped),
        }


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
        with session(ctx, temp_dir=ws.tmp / "duckdb", memory_limit=memory_limit) as con:
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
