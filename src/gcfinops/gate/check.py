"""The CI gate: compare a month's cost per group with agreed thresholds; exit 1 on a breach.

A month (default: the latest in the lake) is compared per ward, 業務, service or account with the
previous month, with the same month of the previous 年度, and optionally with the path to the 3割
target (the monthly amount that still ends the 年度 at `[baseline] target_ratio` (0.70) × the
`[baseline] fiscal_year` (FY2018) baseline: `gate.target`, the same settings as the report).
Every amount is JPY through the workspace FX table (never summed across currencies without a
rate). For each breach the change is explained by its top contributors (service, resource, usage
type), by a quantity / unit-price / exchange-rate decomposition (Shapley split, docs/ci.md
"Growth decomposition") and by the findings that would offset it (`gate.explain`).
Thresholds: `gate.settings`.

Months are billing periods (`fx.BILLING_MONTH_SQL`, the report's month) at the FX rate of the
billing month. A month is *complete* when every billing account that delivered the previous month
has data through its last day (`completeness`). On an incomplete month (a daily CI run mid-month)
every month compared counts only days 1..D (D = the day of `through`): lines of a day or less by
their start, longer lines (monthly tax, fees) by the share of their charge period that falls in
days 1..D; the non-cloud amounts and the allowance of the target path are prorated by D / days of
the month. `run_rates` gives each group's full-month run rate (month-to-date × days / D). With
`tax_basis = "excluded"` cloud tax lines (ChargeCategory `Tax`) are dropped and the baseline and
non-cloud amounts of the target path are converted (`gcfinops.tax`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from gcfinops.allocation.systems import get_system
from gcfinops.allocation.wards import WardDirectory
from gcfinops.baseline import targets_from_config
from gcfinops.completeness import MonthCompleteness, last_day, load_days, month_completeness
from gcfinops.context import Context
from gcfinops.errors import ConfigError, NoDataError
from gcfinops.fx import BILLING_MONTH_SQL, months_relation, register_fx, require_rates
from gcfinops.gate.explain import explain, findings_path, shift_month
from gcfinops.gate.model import CheckResult, Evaluation
from gcfinops.gate.settings import (
    DIMENSIONS,
    NEAR_RATIO,
    THRESHOLD_KEYS,
    CheckSettings,
    Thresholds,
    settings_from_config,
    thresholds_for,
)
from gcfinops.gate.target import allowances
from gcfinops.jpcalendar import fy_months, month_fiscal_year, parse_month, previous_fy_same_month
from gcfinops.lake import lake_view_sql
from gcfinops.schema import MONEY
from gcfinops.sqlengine import session
from gcfinops.tax import DEFAULT_TAX_BASIS, TaxBasis, parse_basis
from gcfinops.workspace import Workspace


def run_check(
    where: Context | Workspace,
    *,
    month: str | None = None,
    by: str | None = None,
    thresholds: Mapping[str, float | None] | None = None,
    top: int | None = None,
    tax_basis: str | None = None,
) -> CheckResult:
    """Evaluate one month of the lake against the thresholds; see the module docstring."""
    basis: TaxBasis = DEFAULT_TAX_BASIS if tax_basis is None else parse_basis(tax_basis)
    cli = dict(thresholds or {})
    unknown = set(cli) - set(THRESHOLD_KEYS)
    if unknown:
        raise ConfigError(f"unknown threshold(s) {', '.join(sorted(unknown))}")
    ctx = Context.of(where)
    ws = ctx.workspace
    settings = settings_from_config(ctx.config, ctx.wards)
    if by is not None:
        if by not in DIMENSIONS:
            raise ConfigError(f"--by {by!r}; valid: {', '.join(DIMENSIONS)}")
        settings = replace(settings, by=by)
    if top is not None:
        settings = replace(settings, top=top)
    # NOTE: spill space only inside an existing workspace (a mistyped -w must not create one)
    with session(ctx, temp_dir=ws.tmp / "check" if ws.root.is_dir() else None) as con:
        return _run(con, ctx, settings, cli, month, basis)


def _run(
    con: duckdb.DuckDBPyConnection,
    ctx: Context,
    settings: CheckSettings,
    cli: dict[str, float | None],
    month: str | None,
    basis: TaxBasis = DEFAULT_TAX_BASIS,
) -> CheckResult:
    ws = ctx.workspace
    con.execute(f"CREATE TEMP VIEW lake AS {lake_view_sql(ws)}")
    loaded = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT {BILLING_MONTH_SQL} AS m FROM lake ORDER BY m"
        ).fetchall()
    ]
    if not loaded:
        raise NoDataError(
            f"the lake of {ws.root} holds no billing data",
            hint="load a month first: gcfinops ingest <export folder or file>",
        )
    if month is None:
        month = loaded[-1]
    parse_month(month)
    if month not in loaded:
        raise NoDataError(
            f"no billing data for {month} in {ws.root} (loaded: {_ranges(loaded)})",
            hint="ingest that month first, or pick a loaded month with --month",
        )
    prev, yoy, fy = shift_month(month, -1), previous_fy_same_month(month), month_fiscal_year(month)
    any_target = thresholds_for(settings, cli, None).max_over_target_path is not None or any(
        o.get("max_over_target_path") is not None
        for o in settings.overrides.get(settings.by, {}).values()
    )
    fy_before = fy_months(fy)[: fy_months(fy).index(month)]
    wanted = {month, prev, yoy} | (set(fy_before) if any_target else set())
    done = month_completeness(load_days(con), month)
    day = None if done.complete else _compared_day(done)
    cutoffs = {m: _cutoff(m, day) for m in (month, prev, yoy)}
    _scope(con, ctx, settings, {m: cutoffs.get(m) for m in sorted(wanted)}, basis)
    totals: dict[str | None, dict[str, float]] = {}
    full: dict[str | None, dict[str, float]] = {}
    for grp, m, jpy, jpy_full in con.execute(
        "SELECT grp, month, sum(jpy), sum(jpy_full) FROM scoped GROUP BY grp, month"
    ).fetchall():
        totals.setdefault(grp, {})[m] = float(jpy)
        full.setdefault(grp, {})[m] = float(jpy_full)
    days_in_month = last_day(month).day
    fraction = 1.0 if day is None else day / days_in_month
    run_rates = (
        {}
        if day is None
        else {g: v.get(month, 0.0) * days_in_month / day for g, v in totals.items()}
    )
    allowance: dict[str | None, tuple[float, float]] = {}
    if any_target:
        if settings.by != "ward":
            raise ConfigError(
                "--max-over-target-path compares wards with their baseline; use --by ward",
                hint="or switch it off for this run: --max-over-target-path off",
            )
        targets = targets_from_config(ctx.config.raw, ctx.config.path)
        spent = {g: {**full.get(g, {}), month: totals[g].get(month, 0.0)} for g in totals}
        allowance = allowances(
            con, ws, targets, spent, month, fy_before, loaded, fraction=fraction, basis=basis
        )
    names = _names(con, settings.by, ctx.wards)
    evaluations: list[Evaluation] = []
    for grp in sorted(totals, key=lambda g: (g is None, g or "")):
        lim = thresholds_for(settings, cli, grp)
        months = totals[grp]
        cur = months.get(month, 0.0)
        name, name_en = names.get(grp, (None, None))
        group = (grp, name, name_en, cur)
        evaluations += _growth(group, "mom", prev, months, prev in loaded, lim)
        evaluations += _growth(group, "yoy", yoy, months, yoy in loaded, lim)
        if lim.max_over_target_path is not None:
            evaluations.append(_target(group, allowance.get(grp), lim))
    evaluations = explain(con, ws, settings, evaluations, month)
    through = done.through.isoformat() if done.through else None
    if day is not None:
        through = last_day(month).replace(day=day).isoformat()
    evaluations = [
        replace(e, complete=done.complete, through=through, run_rate_jpy=run_rates.get(e.group))
        for e in evaluations
    ]
    return CheckResult(
        month=month,
        previous_month=prev,
        yoy_month=yoy,
        fiscal_year=fy,
        by=settings.by,
        cost_column=settings.cost_column,
        thresholds=thresholds_for(settings, cli, None),
        evaluations=tuple(evaluations),
        totals=totals,
        missing_months=tuple(m for m in (prev, yoy) if m not in loaded),
        findings_path=str(findings_path(ws)) if findings_path(ws).exists() else None,
        complete=done.complete,
        through=through,
        lagging_accounts=tuple(a.key for a in done.lagging),
        run_rates=run_rates,
        tax_basis=basis,
    )


def _compared_day(done: MonthCompleteness) -> int:
    """D of days 1..D: `through`, or while an expected account has no data yet at all, the
    earliest last day of the accounts that have some (that account is listed as lagging)."""
    if done.through is not None:
        return done.through.day
    present = [a.through for a in done.accounts if a.through is not None]
    return min(present).day if present else 1


def _cutoff(month: str, day: int | None) -> datetime | None:
    """The end (exclusive, UTC) of days 1..`day` of `month`, capped at the month's end."""
    if day is None:
        return None
    first = last_day(month).replace(day=1)
    end = min(first + timedelta(days=day), last_day(month) + timedelta(days=1))
    return datetime.combine(end, datetime.min.time(), UTC)


def _ranges(months: list[str]) -> str:
    return f"{months[0]}..{months[-1]} ({len(months)} months)" if len(months) > 1 else months[0]


# The share of a line inside days 1..D of its billing month (cutoff NULL: the whole month).
# Lines of no length count by their start; longer lines by the part of their charge period
# before the cutoff (a monthly tax line through day 10 of 31: 10/31).
_SHARE_SQL = """CASE WHEN c.cutoff IS NULL THEN 1.0
     WHEN coalesce(s.ChargePeriodEnd, s.ChargePeriodStart) <= s.ChargePeriodStart
     THEN CASE WHEN s.ChargePeriodStart < c.cutoff THEN 1.0 ELSE 0.0 END
     ELSE greatest(0.0, least(1.0,
          (extract(epoch FROM least(s.ChargePeriodEnd, c.cutoff))
           - extract(epoch FROM s.ChargePeriodStart))
          / (extract(epoch FROM s.ChargePeriodEnd) - extract(epoch FROM s.ChargePeriodStart))))
END"""


def _scope(
    con: duckdb.DuckDBPyConnection,
    ctx: Context,
    settings: CheckSettings,
    months: Mapping[str, datetime | None],
    basis: TaxBasis = DEFAULT_TAX_BASIS,
) -> None:
    """TEMP table `scoped`: the wanted months' lines with group key and JPY amount (`jpy`: the
    part inside each month's days 1..D; `jpy_full`: the whole line). A whole line keeps its exact
    DECIMAL amount; only a prorated part (DECIMAL × a DOUBLE share) is rounded to the lake's
    18 decimals."""
    _, key_sql, name_sql = DIMENSIONS[settings.by]
    con.execute("CREATE TEMP TABLE gcf_check_months (month VARCHAR, cutoff TIMESTAMPTZ)")
    con.executemany("INSERT INTO gcf_check_months VALUES (?, ?)", list(months.items()))
    no_tax = "AND coalesce(ChargeCategory, '') <> 'Tax'" if basis == "excluded" else ""
    con.execute(
        f"""CREATE TEMP VIEW scoped_src AS
            SELECT *, {BILLING_MONTH_SQL} AS month FROM lake
            WHERE {BILLING_MONTH_SQL} IN (SELECT month FROM gcf_check_months) {no_tax}"""
    )
    rates = months_relation("scoped_src")
    register_fx(con, ctx.fx, rates)
    require_rates(con, rates)
    cost = f"s.{settings.cost_column}"
    con.execute(
        f"""CREATE TEMP TABLE scoped AS
            SELECT month, grp, grp_name, currency,
                   CASE WHEN share = 1 THEN cost ELSE CAST(cost * share AS {MONEY}) END AS cost,
                   CASE WHEN share = 1 THEN jpy ELSE CAST(jpy * share AS {MONEY}) END AS jpy,
                   jpy AS jpy_full, q * share AS q, unit, ServiceName, ResourceId, x_UsageType,
                   SkuId, SkuMeter
            FROM (
              SELECT s.month, {key_sql} AS grp, {name_sql} AS grp_name,
                     s.BillingCurrency AS currency, {cost} AS cost, {cost} * f.rate_jpy AS jpy,
                     s.PricingQuantity AS q, s.PricingUnit AS unit, s.ServiceName, s.ResourceId,
                     s.x_UsageType, s.SkuId, s.SkuMeter, {_SHARE_SQL} AS share
              FROM scoped_src AS s
              JOIN gcf_check_months AS c ON c.month = s.month
              JOIN gcf_fx AS f ON f.month = s.month AND f.currency = s.BillingCurrency
            ) AS t"""
    )


def _names(
    con: duckdb.DuckDBPyConnection, by: str, wards: WardDirectory
) -> dict[str | None, tuple[str | None, str | None]]:
    keys = [r[0] for r in con.execute("SELECT DISTINCT grp FROM scoped").fetchall()]
    out: dict[str | None, tuple[str | None, str | None]] = {}
    for key in keys:
        if key is None:
            out[key] = ("未割当", "unallocated")
        elif by == "ward" and (w := wards.get(key)) is not None:
            out[key] = (w.kanji, w.name_en or w.romaji)
        elif by == "system" and (s := get_system(key)) is not None:
            out[key] = (s.name_ja, s.name_en)
        else:
            out[key] = (key, key)
    if by == "account":
        for key, name in con.execute(
            "SELECT grp, max(grp_name) FROM scoped WHERE grp IS NOT NULL GROUP BY grp"
        ).fetchall():
            if name:
                out[key] = (name, name)
    return out


Group = tuple[str | None, str | None, str | None, float]  # key, name, name_en, month's JPY


def _evaluation(group: Group, **fields: Any) -> Evaluation:
    """An Evaluation of `group`; every other field by keyword."""
    grp, name, name_en, cur = group
    return Evaluation(group=grp, group_name=name, group_name_en=name_en, current_jpy=cur, **fields)


def _growth(
    group: Group,
    kind: str,
    base_month: str,
    months: Mapping[str, float],
    loaded: bool,
    lim: Thresholds,
) -> list[Evaluation]:
    """Month-on-month or year-on-year: percent and yen tests (the yen floor gates the percent)."""
    cur = group[3]
    pct_limit = lim.max_mom_growth if kind == "mom" else lim.max_yoy_growth
    floor = lim.max_increase_jpy
    if pct_limit is None and (kind == "yoy" or floor is None):
        return []
    metric = f"{kind}_growth" if pct_limit is not None else "increase_jpy"
    threshold = pct_limit if pct_limit is not None else floor
    if not loaded:
        skipped = _evaluation(
            group, metric=metric, status="skipped", value=None, threshold=threshold,
            previous_jpy=None, delta_jpy=None, comparison=base_month, note="no_data",
        )  # fmt: skip
        return [skipped]
    base = months.get(base_month, 0.0)
    delta = cur - base
    if pct_limit is None:
        assert floor is not None
        status = _status(delta > floor, delta >= NEAR_RATIO * floor)
        increase = _evaluation(
            group, metric=metric, status=status, value=delta, threshold=floor,
            previous_jpy=base, delta_jpy=delta, comparison=base_month,
        )  # fmt: skip
        return [increase]
    pct = delta / base * 100 if base > 0 else (math.inf if delta > 0 else 0.0)
    material = floor is None or delta > floor
    status = _status(pct > pct_limit and material, pct >= NEAR_RATIO * pct_limit and material)
    growth = _evaluation(
        group, metric=metric, status=status, value=pct, threshold=pct_limit, previous_jpy=base,
        delta_jpy=delta, comparison=base_month, note="new" if base <= 0 and delta > 0 else None,
    )  # fmt: skip
    return [growth]


def _status(breach: bool, near: bool) -> str:
    return "breach" if breach else "near" if near else "ok"


def _target(group: Group, path: tuple[float, float] | None, lim: Thresholds) -> Evaluation:
    """Spend of the month against the monthly amount that still ends the FY on target."""
    limit = lim.max_over_target_path
    assert limit is not None
    if path is None:
        return _evaluation(
            group, metric="over_target_path", status="skipped", value=None, threshold=limit,
            previous_jpy=None, delta_jpy=None, comparison="target_path", note="no_baseline",
        )  # fmt: skip
    allowed, cur = path
    over = cur - allowed
    pct = over / allowed * 100 if allowed > 0 else (math.inf if cur > 0 else 0.0)
    material = lim.max_increase_jpy is None or over > lim.max_increase_jpy
    near = allowed > 0 and cur >= NEAR_RATIO * allowed * (1 + limit / 100)
    return Evaluation(
        group=group[0], group_name=group[1], group_name_en=group[2], metric="over_target_path",
        status=_status(pct > limit and material, near and material), value=pct, threshold=limit,
        current_jpy=cur, previous_jpy=allowed, delta_jpy=over, comparison="target_path",
        note="allowance_used_up" if allowed <= 0 else None,
    )  # fmt: skip
