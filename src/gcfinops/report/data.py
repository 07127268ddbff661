"""A ward report's numbers, computed in SQL over the lake, the baseline and non-cloud costs.

Method (docs/reports.md has the formulas with a worked example):

- 年度 by billing period (invoice month): the month of BillingPeriodStart (`report.cloud`),
  April–March; FX per billing month. Corrections of an earlier 年度 are shown apart.
- Cloud lines are converted to JPY per (month, currency) with the workspace rate table; a missing
  rate stops the report (MissingRateError), never a partial sum. Then apportionment (按分):
  `[[allocation.split]]` rules and the built-ins (tax, commitment fees) move shared cost onto
  wards and 業務; before and after are both reported. Non-cloud rows are JPY; a whole-year row
  counts 1/12 in each month of its fiscal year; cost item `initial` (初期・移行経費) is kept out of
  運用経費 and shown apart.
- Tax basis (`included` 税込 / `excluded` 税抜): cloud Tax lines are dropped for `excluded`;
  non-cloud and baseline amounts (税込 as entered) are converted with the rate of their month.
- `as_of` (default: the latest ChargePeriodEnd in the lake) splits months into complete,
  partial (month to date) and future; a month that ended but whose billing accounts have not all
  delivered it to its last day (`completeness`) is *incomplete*. Actual to date = every month up
  to as_of.
- Forecast from what is known = actual of the complete months of the year (cloud + non-cloud)
  + non-cloud amounts already entered for the remaining months (whole-year rows count 1/12 a
  month) + cloud run rate × remaining months, where the cloud run rate = mean cloud cost of the
  last N complete months with data (N = `forecast_months`, default 3, may reach into the
  previous year) and remaining = 12 − complete months. Non-cloud cost is never extrapolated: a
  contract not entered is not forecast. It is linear, so forecasts of cost items or 業務 add up
  to the ward's; the parts are `forecast_parts` (JSON `forecast_method`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from gcfinops import __version__, completeness, tax
from gcfinops.allocation import split
from gcfinops.allocation.systems import BUSINESS_SYSTEMS, OUT_OF_SCOPE
from gcfinops.allocation.wards import WardDirectory
from gcfinops.baseline import COST_ITEM_IDS, COST_ITEMS
from gcfinops.config import load as load_config
from gcfinops.errors import ConfigError, NoDataError
from gcfinops.fx import FxTable
from gcfinops.jpcalendar import fy_months
from gcfinops.report import (
    budget,
    crossward,
    fx_scenario,
    inputs,
    lakescan,
    savings,
    sections,
    targets,
)
from gcfinops.report.batch import WardRows
from gcfinops.report.business import COMMON_NAME
from gcfinops.report.cloud import load_cloud
from gcfinops.report.finance import Factors, tax_factors, ward_finance
from gcfinops.report.measures import Measures, breakdown, system_breakdown, ward_measures
from gcfinops.report.model import (
    ForecastParts,
    ReportData,
    Target,
    WardReport,
)
from gcfinops.report.period import (
    Period,
    as_of_stamp,
    register_months,
    resolve_period,
    within,
)
from gcfinops.report.settings import ReportSettings
from gcfinops.schema import MONEY
from gcfinops.workspace import Workspace

if TYPE_CHECKING:
    import duckdb

INITIAL_ITEM = "initial"  # 初期・移行経費: not 運用経費, shown apart
# Cloud money stays exact (DECIMAL); the non-cloud stores hold DOUBLE yen, read through their
# shortest text so 1234567.1 is not 1234567.100000000079… The union is DECIMAL, its sums exact.
_COST_SQL = """
CREATE OR REPLACE TEMP TABLE gcf_cost AS
SELECT c.ward, c.month, 'cloud' AS source, 'cloud_usage' AS cost_item, c.business_system,
       c.provider, c.service, c.untagged, CAST(c.amount_jpy AS {money}) AS amount_jpy
FROM gcf_cloud_alloc AS c
WHERE c.ward IN (SELECT ward FROM gcf_selected)
UNION ALL
SELECT n.ward, n.month, 'noncloud', n.cost_item, n.business_system, NULL, NULL, FALSE,
       CAST(CAST(n.amount_jpy * {factor_month} AS VARCHAR) AS {money})
FROM gcf_noncloud_raw AS n
WHERE n.month IS NOT NULL AND n.ward IN (SELECT ward FROM gcf_selected) {not_initial}
UNION ALL
SELECT n.ward, m.month, 'noncloud', n.cost_item, n.business_system, NULL, NULL, FALSE,
       CAST(CAST(n.amount_jpy / 12.0 * {factor_spread} AS VARCHAR) AS {money})
FROM gcf_noncloud_raw AS n JOIN gcf_months AS m ON m.fiscal_year = n.fiscal_year
WHERE n.month IS NULL AND n.ward IN (SELECT ward FROM gcf_selected) {not_initial}
"""


def build_report(
    ws: Workspace,
    con: duckdb.DuckDBPyConnection,
    ward_arg: str,
    wards: WardDirectory,
    settings: ReportSettings,
    *,
    fiscal_year: int | None = None,
    as_of: date | None = None,
    fx: FxTable | None = None,
    tax_basis: tax.TaxBasis = tax.DEFAULT_TAX_BASIS,
    splits: split.SplitConfig | None = None,
    fx_rates: list[float] | None = None,
    population: crossward.Population | None = None,
) -> ReportData:
    """Compute every number of the report; `con` must have a `lake` view. `fx`: the call's FX
    table (`Context.fx`); loaded from the workspace when not given. `splits`: the
    `[[allocation.split]]` rules (and the built-ins); read from the workspace when not given.
    """
    if splits is None:
        cfg = load_config(ws.config_path)
        splits = split.parse(cfg.raw.get("allocation", {}), cfg.path, wards)
    inputs.load_noncloud(con, ws)
    inputs.load_baseline(con, ws, settings.baseline_fiscal_year)
    has_findings = inputs.load_findings(con, ws)
    # the report's one read of the lake: every later step reads its aggregate (lakescan)
    lakescan.build(con, settings.cost_column, as_of_stamp(as_of))
    fy, stamp, cut = resolve_period(con, fiscal_year, as_of, lakescan.LATEST_SQL)
    selected = _select_wards(con, ward_arg, wards)
    load_cloud(
        con,
        ws,
        fy,
        stamp,
        cost_column=settings.cost_column,
        tax_basis=tax_basis,
        rules=splits.rules,
        fx=fx,
        selected_only=selected is not None,
        from_pass=True,
    )
    if selected is None:
        selected = _all_wards(con, fy)
    if not selected:
        raise NoDataError(f"no ward has cost or baseline data for fiscal year {fy}")
    row = con.execute(
        "SELECT min(month) FROM (SELECT month FROM gcf_cloud_raw UNION ALL "
        "SELECT coalesce(month, CAST(fiscal_year AS VARCHAR) || '-04') FROM gcf_noncloud_raw)"
    ).fetchone()
    days = completeness.load_days(con, sql=lakescan.LAST_DAY_SQL)
    status = {
        m: completeness.month_completeness(days, m) for m in fy_months(fy - 1) + fy_months(fy)
    }
    incomplete = {m for m, c in status.items() if c.accounts and not c.complete}
    period = register_months(
        con, fy, cut, row[0] if row else None, settings.forecast_months, incomplete
    )
    through = {
        m: min(c.through, (cut - timedelta(microseconds=1)).date()).isoformat()
        if c.through
        else None
        for m, c in status.items()
    }
    factors = tax_factors(con, tax_basis, settings.baseline_fiscal_year, period.latest_month)
    con.execute(
        _COST_SQL.format(
            factor_month=factors.noncloud_month,
            factor_spread=factors.noncloud_spread,
            not_initial=f"AND n.cost_item <> '{INITIAL_ITEM}'",
            money=MONEY,
        )
    )
    # every ward's section queries run once for all wards (report.batch), not once per ward
    batch = WardRows(con)
    reports = [
        _ward_report(
            con, period, code, wards, settings, has_findings, factors, splits, through, batch
        )
        for code in selected
    ]
    inputs.load_budget(con, ws, fy, cut.date())
    history = savings.measure_all(con, ws, fy)
    reports = [
        replace(
            r,
            savings=savings.ward_savings(batch, r, history, settings.kpi),
            targets=targets.ward_targets(batch, r, settings.targets, tax_basis),
            budget=budget.ward_budget(batch, r, settings.setsu, tax_basis),
        )
        for r in reports
    ]
    if fx_rates:
        out = settings.targets.out_of_scope
        reports = [
            replace(r, fx_scenarios=fx_scenario.ward_scenarios(batch, r, period, fx_rates, out))
            for r in reports
        ]
    if all(r.actual_to_date_jpy == 0 and r.baseline_jpy is None for r in reports):
        raise NoDataError(f"no cost or baseline data for {ward_arg} in fiscal year {fy}")
    unattributed = con.execute(
        """SELECT coalesce(sum(c.amount_jpy), 0) FROM gcf_cloud_alloc AS c
           JOIN gcf_months AS m ON m.month = c.month
           WHERE c.ward IS NULL AND m.in_fy AND m.status <> 'future'"""
    ).fetchone()
    return ReportData(
        fiscal_year=fy,
        as_of=stamp,
        latest_month=period.latest_month,
        complete_months=period.complete,
        forecast_window=period.window,
        cost_column=settings.cost_column,
        target_ratio=settings.target_ratio,
        baseline_fiscal_year=settings.baseline_fiscal_year,
        wards=reports,
        fx_rates=sections.fx_used(con),
        sources=sections.sources(con, has_findings),
        unattributed_cloud_jpy=float(unattributed[0]) if unattributed else 0.0,
        version=__version__,
        tax_basis=tax_basis,
        incomplete_months=sorted(m for m in incomplete if within(period, m)),
        crossward=crossward.build(con, reports, fy, population or {}) if len(reports) > 1 else None,
    )


def _select_wards(
    con: duckdb.DuckDBPyConnection, ward_arg: str, wards: WardDirectory
) -> list[str] | None:
    """Codes for --ward; None for 'all' (known after the lake is read)."""
    con.execute("CREATE OR REPLACE TEMP TABLE gcf_selected (ward VARCHAR)")
    if ward_arg.strip().lower() == "all":
        return None
    code = wards.normalize(ward_arg)
    if code is None:
        raise ConfigError(
            f"unknown ward {ward_arg!r}",
            hint="give a 6-digit code, kanji or romaji (131121, 世田谷区, setagaya) or 'all'",
        )
    con.execute("INSERT INTO gcf_selected VALUES (?)", [code])
    return [code]


def _all_wards(con: duckdb.DuckDBPyConnection, fy: int) -> list[str]:
    con.execute(
        """INSERT INTO gcf_selected
           SELECT DISTINCT ward FROM (
             SELECT ward FROM gcf_cloud_raw
             UNION ALL SELECT ward FROM gcf_noncloud_raw WHERE fiscal_year IN ($fy, $fy - 1)
             UNION ALL SELECT ward FROM gcf_baseline)
           WHERE ward IS NOT NULL ORDER BY ward""",
        {"fy": fy},
    )
    return [
        str(r[0]) for r in con.execute("SELECT ward FROM gcf_selected ORDER BY ward").fetchall()
    ]


def _ward_report(
    con: duckdb.DuckDBPyConnection,
    p: Period,
    code: str,
    wards: WardDirectory,
    settings: ReportSettings,
    has_findings: bool,
    factors: Factors,
    splits: split.SplitConfig,
    through: dict[str, str | None],
    batch: WardRows,
) -> WardReport:
    total = ward_measures(con, p, "c.ward", code, batch).get((code,), Measures())
    by_item = {k[0]: v for k, v in ward_measures(con, p, "c.cost_item", code, batch).items()}
    by_system = {
        k[0]: v for k, v in ward_measures(con, p, "c.business_system", code, batch).items()
    }
    cloud = ward_measures(con, p, "c.source", code, batch)
    base_rows = batch.get(
        "baseline",
        f"SELECT ward, cost_item, business_system, sum(amount_jpy * {factors.baseline}), "
        "list(DISTINCT basis ORDER BY basis) FROM gcf_baseline "
        "WHERE ward IN (SELECT ward FROM gcf_selected) GROUP BY ALL",
        None,
        code,
    )
    base_item: dict[str | None, float] = defaultdict(float)
    base_system: dict[str | None, float] = defaultdict(float)
    basis: set[str] = set()
    for item, system, amount, bases in base_rows:
        base_item[item] += float(amount)
        base_system[system] += float(amount)
        basis.update(bases)
    baseline = sum(base_item.values()) if base_rows else None
    has_window = bool(p.window)
    item_names: dict[str | None, tuple[str, str]] = {
        c.id: (c.name_ja, c.name_en) for c in COST_ITEMS
    }
    system_names: dict[str | None, tuple[str, str]] = {
        s.id: (s.name_ja, s.name_en) for s in BUSINESS_SYSTEMS
    }
    system_names[None] = COMMON_NAME
    system_names[OUT_OF_SCOPE.id] = (OUT_OF_SCOPE.name_ja, OUT_OF_SCOPE.name_en)
    system_keys: list[str | None] = [
        s.id for s in (*BUSINESS_SYSTEMS, OUT_OF_SCOPE) if s.id in by_system or s.id in base_system
    ]
    if None in by_system or None in base_system:
        system_keys.append(None)
    months = sections.months(con, p, code, total.cloud_run_rate, through, batch)
    current = [m for m in months if m.status != "future"]
    latest = current[-1] if current else months[0]
    # every finding, largest first: the workbook lists them all, the other formats the top N
    savings, count, every = sections.findings(con, code, 2**62, has_findings, batch)
    top = every[: settings.top_findings]
    if savings is not None:
        savings *= factors.savings
    extra = ward_finance(
        batch, code, splits.rules, INITIAL_ITEM, factors.noncloud_month, factors.noncloud_spread
    )
    unallocated = batch.get(
        "unallocated",
        """SELECT c.ward,
                  coalesce(sum(CASE WHEN c.business_system IS NULL THEN c.amount_jpy END), 0)
           FROM gcf_cost AS c JOIN gcf_months AS m ON m.month = c.month
           WHERE c.source = 'cloud' AND c.ward IN (SELECT ward FROM gcf_selected)
             AND m.in_fy AND m.status <> 'future'
           GROUP BY c.ward""",
        None,
        code,
    )
    prev_total = batch.get(
        "previous-total",
        """SELECT c.ward, coalesce(sum(c.amount_jpy), 0) FROM gcf_cost AS c
           JOIN gcf_months AS m ON m.month = c.month
           WHERE c.ward IN (SELECT ward FROM gcf_selected) AND NOT m.in_fy GROUP BY c.ward""",
        None,
        code,
    )

    # 業務 outside the 20 (標準化対象外) are not in the target's scope (issue #13 item 6a)
    out = settings.targets.out_of_scope
    scope_base = None if baseline is None else baseline - sum(base_system.get(s, 0.0) for s in out)
    scope_forecast = (
        None
        if total.forecast is None
        else total.forecast - sum(by_system[s].forecast or 0.0 for s in out if s in by_system)
    )

    def target(name_ja: str, name_en: str, r: float) -> Target:
        amount = None if scope_base is None else scope_base * r
        gap = None if amount is None or scope_forecast is None else scope_forecast - amount
        return Target(name_ja, name_en, r, amount, gap)

    ward = wards.get(code)
    return WardReport(
        ward=code,
        ward_name=ward.kanji if ward else code,
        ward_name_en=ward.name_en if ward else code,
        fiscal_year=p.fiscal_year,
        baseline_fiscal_year=settings.baseline_fiscal_year,
        baseline_jpy=baseline,
        baseline_basis=sorted(basis),
        target=target("3割削減目標", "30% reduction target", settings.target_ratio),
        secondary_targets=[
            target(t.name_ja, t.name_en, t.ratio) for t in settings.secondary_targets
        ],
        actual_to_date_jpy=total.actual,
        cloud_to_date_jpy=cloud.get(("cloud",), Measures()).actual,
        noncloud_to_date_jpy=cloud.get(("noncloud",), Measures()).actual,
        previous_fy_to_date_jpy=total.previous,
        previous_fy_total_jpy=float(prev_total[0][0]) if prev_total else 0.0,
        latest_month=latest.month,
        month_to_date_jpy=latest.compared_jpy or 0.0,
        same_month_last_fy_jpy=latest.previous_fy_jpy,
        run_rate_jpy=total.run_rate,
        forecast_jpy=total.forecast if has_window else None,
        forecast_parts=ForecastParts(
            actual_jpy=total.complete_actual,
            known_future_jpy=total.known_future,
            cloud_run_rate_jpy=total.cloud_run_rate,
            remaining_months=12 - p.complete,
        )
        if has_window
        else None,
        findings_available=has_findings,
        identified_savings_jpy=savings,
        findings_count=count,
        by_cost_item=breakdown(list(COST_ITEM_IDS), item_names, base_item, by_item, has_window),
        by_business_system=system_breakdown(
            system_keys, system_names, base_system, by_system, has_window, settings.common_cost
        ),
        by_month=months,
        by_service=sections.services(con, p, code, batch),
        top_findings=top,
        findings_by_rule=[
            replace(r, annual_savings_jpy=r.annual_savings_jpy * factors.savings)
            for r in sections.findings_by_rule(code, has_findings, batch)
        ],
        untagged_cloud_jpy=extra.untagged_usage_jpy,
        unallocated_system_cloud_jpy=float(unallocated[0][0]) if unallocated else 0.0,
        cloud_before_apportionment_jpy=extra.cloud_before_jpy,
        apportionment=extra.apportionment,
        unapportioned_jpy=extra.unapportioned_jpy,
        prior_year_corrections_jpy=extra.prior_year_corrections_jpy,
        initial_cost_jpy=extra.initial_cost_jpy,
        all_findings=every,
    )
