"""A ward report's numbers, computed in SQL over the lake, the baseline and non-cloud costs.

Method (docs/reports.md has the formulas with a worked example):

- 年度 by usage month: the UTC month of ChargePeriodStart (`fx.MONTH_OF_CHARGE_SQL`), April–March.
- Cloud lines are converted to JPY per (month, currency) with the workspace rate table; a missing
  rate stops the report (MissingRateError), never a partial sum. Non-cloud rows are JPY; a
  whole-year row counts 1/12 in each month of its fiscal year.
- `as_of` (default: the latest ChargePeriodEnd in the lake) splits months into complete,
  partial (month to date) and future. Actual to date = every month up to as_of.
- Forecast (run-rate) = Σ complete months of the year + mean(last N complete months with data,
  N = `forecast_months`, default 3, may reach into the previous year) × (12 − complete months).
  It is linear, so forecasts of cost items or 業務 add up to the ward's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from gcfinops import __version__
from gcfinops.allocation.systems import BUSINESS_SYSTEMS
from gcfinops.allocation.wards import WardDirectory
from gcfinops.baseline import COST_ITEM_IDS, COST_ITEMS
from gcfinops.errors import ConfigError, NoDataError
from gcfinops.fx import FxTable, register_fx, require_rates
from gcfinops.jpcalendar import fy_end_exclusive, fy_months, fy_start, month_fiscal_year
from gcfinops.report import inputs
from gcfinops.report.model import (
    Finding,
    FxUsed,
    Line,
    Month,
    ReportData,
    Service,
    Source,
    Target,
    WardReport,
)
from gcfinops.report.settings import ReportSettings
from gcfinops.workspace import Workspace

if TYPE_CHECKING:
    import duckdb

TOP_SERVICES = 10
_CLOUD_SQL = """
CREATE OR REPLACE TEMP TABLE gcf_cloud_raw AS
SELECT l.x_Ward AS ward, strftime(l.ChargePeriodStart, '%Y-%m') AS month,
       l.ProviderName AS provider, coalesce(l.ServiceName, '') AS service,
       l.x_BusinessSystem AS business_system, l.BillingCurrency AS currency,
       (l.Tags IS NULL OR cardinality(l.Tags) = 0) AS untagged,
       sum(l.{cost}) AS amount
FROM lake AS l
WHERE l.ChargePeriodStart >= $start AND l.ChargePeriodStart < $end {ward_filter}
GROUP BY ALL
"""
_RATES_RELATION = (
    "(SELECT currency AS BillingCurrency, CAST(month || '-01' AS TIMESTAMP) AS ChargePeriodStart"
    " FROM gcf_cloud_raw)"
)
_COST_SQL = """
CREATE OR REPLACE TEMP TABLE gcf_cost AS
SELECT c.ward, c.month, 'cloud' AS source, 'cloud_usage' AS cost_item, c.business_system,
       c.provider, c.service, c.untagged, c.amount * f.rate_jpy AS amount_jpy
FROM gcf_cloud_raw AS c
JOIN gcf_fx AS f ON f.month = c.month AND f.currency = c.currency
WHERE c.ward IN (SELECT ward FROM gcf_selected)
UNION ALL
SELECT n.ward, n.month, 'noncloud', n.cost_item, n.business_system, NULL, NULL, FALSE, n.amount_jpy
FROM gcf_noncloud_raw AS n
WHERE n.month IS NOT NULL AND n.ward IN (SELECT ward FROM gcf_selected)
UNION ALL
SELECT n.ward, m.month, 'noncloud', n.cost_item, n.business_system, NULL, NULL, FALSE,
       n.amount_jpy / 12.0
FROM gcf_noncloud_raw AS n JOIN gcf_months AS m ON m.fiscal_year = n.fiscal_year
WHERE n.month IS NULL AND n.ward IN (SELECT ward FROM gcf_selected)
"""
# One measure set for any grouping; `$window` months of run-rate, `$remaining` months to go.
_MEASURES_SQL = """
SELECT {group},
  coalesce(sum(CASE WHEN m.in_fy AND m.status <> 'future' THEN c.amount_jpy END), 0),
  CASE WHEN $window > 0 THEN
    coalesce(sum(CASE WHEN m.in_fy AND m.status = 'complete' THEN c.amount_jpy END), 0)
    + coalesce(sum(CASE WHEN m.in_window THEN c.amount_jpy END), 0) / $window * $remaining
  END,
  coalesce(sum(CASE WHEN m.in_compare THEN c.amount_jpy END), 0),
  CASE WHEN $window > 0
    THEN coalesce(sum(CASE WHEN m.in_window THEN c.amount_jpy END), 0) / $window END
FROM gcf_cost AS c JOIN gcf_months AS m ON m.month = c.month
WHERE c.ward = $ward
GROUP BY {group}
"""


@dataclass(frozen=True)
class _Measures:
    actual: float = 0.0
    forecast: float | None = None
    previous: float = 0.0
    run_rate: float | None = None


@dataclass(frozen=True)
class _Period:
    fiscal_year: int
    as_of: datetime
    latest_month: str
    months: list[tuple[str, int, bool, str, bool, bool]]  # see _register_months
    window: list[str]
    complete: int
    first_data: str | None


def _month_bounds(month: str) -> tuple[datetime, datetime]:
    y, m = int(month[:4]), int(month[5:])
    return datetime(y, m, 1, tzinfo=UTC), datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=UTC)


def _month_of(ts: datetime) -> str:
    return (ts - timedelta(microseconds=1)).strftime("%Y-%m")


def _resolve_period(
    con: duckdb.DuckDBPyConnection, fy: int | None, as_of: date | None
) -> tuple[int, datetime, datetime]:
    """(fiscal year, as_of of the data, as_of capped at the year's end)."""
    if as_of is not None:
        stamp = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)
    else:
        # NOTE: monthly lines (tax, fees, commitments) end at the month's end even mid-month, so
        # freshness comes from hourly/daily lines when there are any.
        row = con.execute(
            "SELECT coalesce(max(CASE WHEN ChargePeriodEnd - ChargePeriodStart <= INTERVAL 1 DAY"
            " THEN ChargePeriodEnd END), max(ChargePeriodEnd)) FROM lake"
        ).fetchone()
        latest = row[0] if row else None
        if latest is None:
            nc = con.execute(
                "SELECT max(coalesce(month, CAST(fiscal_year + 1 AS VARCHAR) || '-03'))"
                " FROM gcf_noncloud_raw"
            ).fetchone()
            if not nc or nc[0] is None:
                raise NoDataError(
                    "nothing to report: the lake is empty and no non-cloud costs are imported",
                    hint="gcfinops ingest PATH (cloud bills) or gcfinops costs import FILE",
                )
            latest = _month_bounds(str(nc[0]))[1]
        stamp = latest.astimezone(UTC)
    data_fy = month_fiscal_year(_month_of(stamp))
    year = data_fy if fy is None else fy
    start = datetime.combine(fy_start(year), datetime.min.time(), UTC)
    if start >= stamp:
        raise NoDataError(
            f"no data for fiscal year {year} yet: the data ends {stamp:%Y-%m-%d} (UTC)",
            hint=f"use --fy {data_fy} or earlier",
        )
    end = datetime.combine(fy_end_exclusive(year), datetime.min.time(), UTC)
    return year, stamp, min(stamp, end)


def _register_months(
    con: duckdb.DuckDBPyConnection,
    fy: int,
    cut: datetime,
    first_data: str | None,
    forecast_months: int,
) -> _Period:
    """TEMP gcf_months(month, fiscal_year, in_fy, status, in_window, in_compare) for fy−1 and fy."""
    previous, current = fy_months(fy - 1), fy_months(fy)
    status: dict[str, str] = {}
    for m in previous + current:
        start, end = _month_bounds(m)
        status[m] = "complete" if end <= cut else ("partial" if start < cut else "future")
    with_data = [m for m in previous + current if first_data is not None and m >= first_data]
    window = [m for m in with_data if status[m] == "complete"][-forecast_months:]
    rows = []
    for i, m in enumerate(previous):
        counterpart = status[current[i]] != "future"
        rows.append((m, fy - 1, False, status[m], m in window, counterpart and m in with_data))
    rows += [(m, fy, True, status[m], m in window, False) for m in current]
    con.execute(
        """CREATE OR REPLACE TEMP TABLE gcf_months (month VARCHAR, fiscal_year INTEGER,
           in_fy BOOLEAN, status VARCHAR, in_window BOOLEAN, in_compare BOOLEAN)"""
    )
    con.executemany("INSERT INTO gcf_months VALUES (?, ?, ?, ?, ?, ?)", rows)
    complete = sum(1 for m in current if status[m] == "complete")
    return _Period(fy, cut, _month_of(cut), rows, window, complete, first_data)


def _measures(
    con: duckdb.DuckDBPyConnection, p: _Period, group: str, ward: str
) -> dict[tuple[Any, ...], _Measures]:
    """One ward's measures keyed by the group columns' values."""
    n = len(group.split(","))
    rows = con.execute(
        _MEASURES_SQL.format(group=group),
        {"window": len(p.window), "remaining": 12 - p.complete, "ward": ward},
    ).fetchall()
    return {
        tuple(r[:n]): _Measures(float(r[n]), _opt(r[n + 1]), float(r[n + 2]), _opt(r[n + 3]))
        for r in rows
    }


def _opt(value: Any) -> float | None:
    return None if value is None else float(value)


def _lines(
    keys: Sequence[str | None],
    names: dict[str | None, tuple[str, str]],
    baseline: dict[str | None, float],
    measures: dict[str | None, _Measures],
    window: bool,
) -> list[Line]:
    out = []
    for key in keys:
        m = measures.get(key, _Measures(forecast=0.0 if window else None))
        ja, en = names[key]
        out.append(Line(key, ja, en, baseline.get(key, 0.0), m.actual, m.forecast, m.previous))
    return out


def build_report(
    ws: Workspace,
    con: duckdb.DuckDBPyConnection,
    ward_arg: str,
    wards: WardDirectory,
    settings: ReportSettings,
    *,
    fiscal_year: int | None = None,
    as_of: date | None = None,
) -> ReportData:
    """Compute every number of the report; `con` must have a `lake` view."""
    inputs.load_noncloud(con, ws)
    inputs.load_baseline(con, ws, settings.baseline_fiscal_year)
    has_findings = inputs.load_findings(con, ws)
    fy, stamp, cut = _resolve_period(con, fiscal_year, as_of)
    selected = _select_wards(con, ward_arg, wards)
    lo = datetime.combine(fy_start(fy - 1), datetime.min.time(), UTC)
    ward_filter = (
        ""
        if selected is None
        else ("AND (l.x_Ward IS NULL OR l.x_Ward IN (SELECT ward FROM gcf_selected))")
    )
    con.execute(
        _CLOUD_SQL.format(cost=settings.cost_column, ward_filter=ward_filter),
        {"start": lo, "end": cut},
    )
    register_fx(con, FxTable.load(ws.fx_path), _RATES_RELATION)
    require_rates(con, _RATES_RELATION)
    if selected is None:
        selected = _all_wards(con, fy)
    if not selected:
        raise NoDataError(f"no ward has cost or baseline data for fiscal year {fy}")
    row = con.execute(
        "SELECT min(month) FROM (SELECT month FROM gcf_cloud_raw UNION ALL "
        "SELECT coalesce(month, CAST(fiscal_year AS VARCHAR) || '-04') FROM gcf_noncloud_raw)"
    ).fetchone()
    period = _register_months(con, fy, cut, row[0] if row else None, settings.forecast_months)
    con.execute(_COST_SQL)
    reports = [_ward_report(con, period, code, wards, settings, has_findings) for code in selected]
    if all(r.actual_to_date_jpy == 0 and r.baseline_jpy is None for r in reports):
        raise NoDataError(f"no cost or baseline data for {ward_arg} in fiscal year {fy}")
    unattributed = con.execute(
        """SELECT coalesce(sum(c.amount * f.rate_jpy), 0) FROM gcf_cloud_raw AS c
           JOIN gcf_fx AS f ON f.month = c.month AND f.currency = c.currency
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
        fx_rates=_fx_used(con),
        sources=_sources(con, has_findings),
        unattributed_cloud_jpy=float(unattributed[0]) if unattributed else 0.0,
        version=__version__,
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
    p: _Period,
    code: str,
    wards: WardDirectory,
    settings: ReportSettings,
    has_findings: bool,
) -> WardReport:
    total = _measures(con, p, "c.ward", code).get((code,), _Measures())
    by_item = {k[0]: v for k, v in _measures(con, p, "c.cost_item", code).items()}
    by_system = {k[0]: v for k, v in _measures(con, p, "c.business_system", code).items()}
    cloud = _measures(con, p, "c.source", code)
    base_rows = con.execute(
        "SELECT cost_item, business_system, sum(amount_jpy), list(DISTINCT basis ORDER BY basis) "
        "FROM gcf_baseline WHERE ward = ? GROUP BY ALL",
        [code],
    ).fetchall()
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
    system_names[None] = ("共通・業務未割当", "Shared / no 業務")
    system_keys: list[str | None] = [
        s.id for s in BUSINESS_SYSTEMS if s.id in by_system or s.id in base_system
    ]
    if None in by_system or None in base_system:
        system_keys.append(None)
    months = _months(con, p, code, total.run_rate)
    current = [m for m in months if m.status != "future"]
    latest = current[-1] if current else months[0]
    savings, count, top = _findings(con, code, settings.top_findings, has_findings)
    shares = con.execute(
        """SELECT coalesce(sum(CASE WHEN c.untagged THEN c.amount_jpy END), 0),
                  coalesce(sum(CASE WHEN c.business_system IS NULL THEN c.amount_jpy END), 0)
           FROM gcf_cost AS c JOIN gcf_months AS m ON m.month = c.month
           WHERE c.source = 'cloud' AND c.ward = ? AND m.in_fy AND m.status <> 'future'""",
        [code],
    ).fetchone()
    prev_total = con.execute(
        """SELECT coalesce(sum(c.amount_jpy), 0) FROM gcf_cost AS c
           JOIN gcf_months AS m ON m.month = c.month WHERE c.ward = ? AND NOT m.in_fy""",
        [code],
    ).fetchone()

    def target(name_ja: str, name_en: str, r: float) -> Target:
        amount = None if baseline is None else baseline * r
        gap = None if amount is None or total.forecast is None else total.forecast - amount
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
        cloud_to_date_jpy=cloud.get(("cloud",), _Measures()).actual,
        noncloud_to_date_jpy=cloud.get(("noncloud",), _Measures()).actual,
        previous_fy_to_date_jpy=total.previous,
        previous_fy_total_jpy=float(prev_total[0]) if prev_total else 0.0,
        latest_month=latest.month,
        month_to_date_jpy=latest.total_jpy or 0.0,
        same_month_last_fy_jpy=latest.previous_fy_jpy,
        run_rate_jpy=total.run_rate,
        forecast_jpy=total.forecast if has_window else None,
        findings_available=has_findings,
        identified_savings_jpy=savings,
        findings_count=count,
        by_cost_item=_lines(list(COST_ITEM_IDS), item_names, base_item, by_item, has_window),
        by_business_system=_lines(system_keys, system_names, base_system, by_system, has_window),
        by_month=months,
        by_service=_services(con, p, code),
        top_findings=top,
        untagged_cloud_jpy=float(shares[0]) if shares else 0.0,
        unallocated_system_cloud_jpy=float(shares[1]) if shares else 0.0,
    )


def _months(
    con: duckdb.DuckDBPyConnection, p: _Period, code: str, run_rate: float | None
) -> list[Month]:
    rows = con.execute(
        "SELECT month, source, coalesce(provider, ''), sum(amount_jpy) FROM gcf_cost "
        "WHERE ward = ? GROUP BY ALL",
        [code],
    ).fetchall()
    amount: dict[tuple[str, str], float] = defaultdict(float)
    provider: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for month, source, prov, value in rows:
        amount[(month, source)] += float(value)
        if source == "cloud":
            provider[month][prov] += float(value)
    previous = [r for r in p.months if not r[2]]
    out = []
    for i, (month, _fy, _in_fy, status, _w, _c) in enumerate(r for r in p.months if r[2]):
        prev_month = previous[i][0]
        future = status == "future"
        out.append(
            Month(
                month=month,
                status=status,
                cloud_jpy=None if future else amount[(month, "cloud")],
                noncloud_jpy=None if future else amount[(month, "noncloud")],
                forecast_jpy=run_rate if status != "complete" else None,
                previous_month=prev_month,
                previous_fy_jpy=(
                    amount[(prev_month, "cloud")] + amount[(prev_month, "noncloud")]
                    if p.first_data is not None and prev_month >= p.first_data
                    else None
                ),
                by_provider=dict(sorted(provider[month].items())) if not future else {},
            )
        )
    return out


def _services(con: duckdb.DuckDBPyConnection, p: _Period, code: str) -> list[Service]:
    rows = con.execute(
        """SELECT provider, service, fy, prev FROM (
             SELECT c.provider, c.service,
                    coalesce(sum(CASE WHEN m.in_fy AND m.status <> 'future'
                                      THEN c.amount_jpy END), 0) AS fy,
                    coalesce(sum(CASE WHEN m.in_compare THEN c.amount_jpy END), 0) AS prev
             FROM gcf_cost AS c JOIN gcf_months AS m ON m.month = c.month
             WHERE c.source = 'cloud' AND c.ward = ?
             GROUP BY c.provider, c.service) AS s
           ORDER BY fy DESC, provider, service LIMIT ?""",
        [code, TOP_SERVICES],
    ).fetchall()
    monthly = con.execute(
        """SELECT c.provider, c.service, c.month, sum(c.amount_jpy)
           FROM gcf_cost AS c JOIN gcf_months AS m ON m.month = c.month
           WHERE c.source = 'cloud' AND c.ward = ? AND m.in_fy AND m.status <> 'future'
           GROUP BY ALL ORDER BY c.month""",
        [code],
    ).fetchall()
    by: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for prov, service, month, value in monthly:
        by[(prov, service)][month] = float(value)
    return [Service(str(a), str(b), float(fy), float(prev), by[(a, b)]) for a, b, fy, prev in rows]


def _findings(
    con: duckdb.DuckDBPyConnection, code: str, top: int, available: bool
) -> tuple[float | None, int, list[Finding]]:
    """(annualized savings, number of findings, top findings) of one ward.

    Findings on the same resource overlap (stop at night *and* downsize), so the total takes the
    largest saving per resource, not the sum: a conservative figure.
    """
    if not available:
        return None, 0, []
    row = con.execute(
        """SELECT coalesce(sum(s), 0) * 12, coalesce(sum(n), 0) FROM (
             SELECT coalesce(resource_id, rule_id || '#' || CAST(rn AS VARCHAR)) AS rid,
                    max(estimated_monthly_savings) AS s, count(*) AS n
             FROM (SELECT *, row_number() OVER () AS rn FROM gcf_findings WHERE ward = ?) AS f
             GROUP BY rid) AS r""",
        [code],
    ).fetchone()
    rows = con.execute(
        """SELECT rule_id, business_system, resource_id, estimated_monthly_savings,
                  current_monthly_cost, recommendation_ja, recommendation, confidence
           FROM gcf_findings WHERE ward = ?
           ORDER BY estimated_monthly_savings DESC, rule_id, resource_id LIMIT ?""",
        [code, top],
    ).fetchall()
    findings = [
        Finding(str(r[0]), r[1], r[2], float(r[3]), _opt(r[4]), r[5], r[6], r[7]) for r in rows
    ]
    return (float(row[0]), int(row[1]), findings) if row else (0.0, 0, findings)


def _fx_used(con: duckdb.DuckDBPyConnection) -> list[FxUsed]:
    rows = con.execute(
        """SELECT DISTINCT f.month, f.currency, f.rate_jpy, f.source
           FROM gcf_cloud_raw AS c JOIN gcf_fx AS f ON f.month = c.month AND f.currency = c.currency
           WHERE f.currency <> 'JPY'
             AND (c.ward IS NULL OR c.ward IN (SELECT ward FROM gcf_selected))
           ORDER BY f.month, f.currency"""
    ).fetchall()
    return [FxUsed(str(m), str(c), float(r), str(s)) for m, c, r, s in rows]


def _sources(con: duckdb.DuckDBPyConnection, has_findings: bool) -> list[Source]:
    out = [Source("cloud", p, a, b, n) for p, a, b, n in inputs.lake_periods(con)]
    base = con.execute(
        """SELECT string_agg(DISTINCT source_file, ', ' ORDER BY source_file),
                  string_agg(DISTINCT basis, '/' ORDER BY basis), count(DISTINCT source_file)
           FROM gcf_baseline WHERE ward IN (SELECT ward FROM gcf_selected)"""
    ).fetchone()
    if base and base[0]:
        out.append(Source("baseline", str(base[0]), None, None, int(base[2]), str(base[1])))
    nc = con.execute(
        """SELECT string_agg(DISTINCT source_file, ', ' ORDER BY source_file),
                  min(coalesce(month, CAST(fiscal_year AS VARCHAR) || '-04')),
                  max(coalesce(month, CAST(fiscal_year + 1 AS VARCHAR) || '-03')),
                  count(DISTINCT source_file)
           FROM gcf_noncloud_raw WHERE ward IN (SELECT ward FROM gcf_selected)"""
    ).fetchone()
    if nc and nc[0]:
        out.append(Source("noncloud", str(nc[0]), nc[1], nc[2], int(nc[3])))
    if has_findings:
        row = con.execute(
            "SELECT count(*) FROM gcf_findings WHERE ward IN (SELECT ward FROM gcf_selected)"
        ).fetchone()
        out.append(
            Source("findings", str(inputs.FINDINGS_PATH), None, None, 1, str(row[0] if row else 0))
        )
    return out
