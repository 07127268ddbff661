"""Daily cost anomalies: days on which a ward's or a service's cost jumps above its own history.

Method (docs/ci.md "Anomalies"): for each series (one ward, one service, …) and each JST day of
the month checked, take the same series' previous N days (default 14); with m their median and
MAD the median of |x − m|, the day is an anomaly when x − m > k × 1.4826 × MAD (k = 3.5: the
modified z-score test of Iglewicz & Hoaglin, NIST/SEMATECH e-Handbook §1.3.5.17) and
x − m >= min_jpy (a yen floor, default 10,000円, so small series do not alarm on noise). Only
increases are flagged. Days without cost inside the loaded range count as 0, so a new resource
is a jump; a day whose window reaches before the first loaded day is not evaluated. Lines whose
charge period is longer than a day (monthly tax, commitment fees) are not daily usage and are
left to `gcfinops check`; they would otherwise spike every 1st of the month. Amounts are
JPY at the FX rate of the line's billing month (the month `check` and the report use); days
are JST (UTC+9) because offices and runaway resources live there.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import duckdb

from gcfinops.allocation.systems import get_system
from gcfinops.allocation.wards import WardDirectory
from gcfinops.config import Config
from gcfinops.context import Context
from gcfinops.db import session
from gcfinops.errors import ConfigError, NoDataError
from gcfinops.fx import BILLING_MONTH_SQL, billing_month_sql, register_fx, require_rates
from gcfinops.jpcalendar import parse_month
from gcfinops.lake import lake_view_sql
from gcfinops.workspace import Workspace

MAD_TO_SIGMA = 1.4826  # MAD × 1.4826 estimates σ for normal data (1 / Φ⁻¹(0.75))
DAY_JST_SQL = "CAST(ChargePeriodStart + INTERVAL '9' HOUR AS DATE)"
SERIES: dict[str, str] = {
    "ward": "x_Ward",
    "service": "ServiceName",
    "system": "x_BusinessSystem",
    "account": "SubAccountId",
}
_KEYS = ("days", "k", "min_jpy", "by", "cost_column")


@dataclass(frozen=True)
class AnomalySettings:
    """Window, sensitivity, yen floor and the series to watch."""

    days: int = 14
    k: float = 3.5
    min_jpy: float = 10_000.0
    by: tuple[str, ...] = ("ward", "service")
    cost_column: str = "BilledCost"


@dataclass(frozen=True, kw_only=True)
class Anomaly:
    """One series on one day: its cost, the history it is judged by, and the excess."""

    dimension: str
    key: str | None
    name: str | None
    day: date
    cost_jpy: float
    median_jpy: float
    mad_jpy: float  # scaled (× 1.4826), comparable with a standard deviation
    threshold_jpy: float  # median + max(k × MAD, min_jpy)
    excess_jpy: float  # cost − median
    score: float | None  # (cost − median) / MAD; None when MAD is 0


@dataclass(frozen=True, kw_only=True)
class AnomalyResult:
    """Anomalies of one month, with what was evaluated."""

    month: str
    first_day: date
    last_day: date
    settings: AnomalySettings
    series: int
    anomalies: tuple[Anomaly, ...] = field(default_factory=tuple)

    @property
    def exit_code(self) -> int:
        return 1 if self.anomalies else 0

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON document (`gcfinops anomalies --format json`)."""
        return {
            "status": "anomaly" if self.anomalies else "ok",
            "exit_code": self.exit_code,
            "month": self.month,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "series": self.series,
            "settings": {**asdict(self.settings), "by": list(self.settings.by)},
            "currency": "JPY",
            "anomalies": [{**asdict(a), "day": a.day.isoformat()} for a in self.anomalies],
        }


def settings_from_config(cfg: Config) -> AnomalySettings:
    """`[check.anomalies]` of gcfinops.toml; errors name the file and the key."""
    section = cfg.raw.get("check", {}).get("anomalies", {})
    where = f"{cfg.path}: [check.anomalies]"
    if not isinstance(section, dict):
        raise ConfigError(f"{where} must be a table")
    unknown = sorted(set(section) - set(_KEYS))
    if unknown:
        raise ConfigError(f"{where} unknown key(s) {', '.join(unknown)}; valid: {', '.join(_KEYS)}")
    s = AnomalySettings()
    try:
        s = _validated(
            AnomalySettings(
                days=section.get("days", s.days),
                k=section.get("k", s.k),
                min_jpy=section.get("min_jpy", s.min_jpy),
                by=tuple(section.get("by", s.by)),
                cost_column=section.get("cost_column", s.cost_column),
            )
        )
    except ValueError as exc:
        raise ConfigError(f"{where} {exc}") from None
    return s


def _validated(s: AnomalySettings) -> AnomalySettings:
    """Raise ValueError naming the key when a setting is out of range."""
    if isinstance(s.days, bool) or not isinstance(s.days, int) or not 3 <= s.days <= 90:
        raise ValueError(f"days must be an integer 3–90 (found {s.days!r})")
    if isinstance(s.k, bool) or not isinstance(s.k, int | float) or not s.k > 0:
        raise ValueError(f"k must be a number > 0 (found {s.k!r})")
    if isinstance(s.min_jpy, bool) or not isinstance(s.min_jpy, int | float) or s.min_jpy < 0:
        raise ValueError(f"min_jpy must be a number >= 0 (found {s.min_jpy!r})")
    bad = [b for b in s.by if b not in SERIES]
    if bad or not s.by:
        raise ValueError(f"by must list some of {', '.join(SERIES)} (found {list(s.by)!r})")
    if s.cost_column not in ("BilledCost", "EffectiveCost"):
        raise ValueError(f"cost_column must be BilledCost or EffectiveCost ({s.cost_column!r})")
    return replace(s, k=float(s.k), min_jpy=float(s.min_jpy), by=tuple(dict.fromkeys(s.by)))


def detect(
    where: Context | Workspace,
    *,
    month: str | None = None,
    days: int | None = None,
    k: float | None = None,
    min_jpy: float | None = None,
    by: list[str] | None = None,
) -> AnomalyResult:
    """Flag anomalous days of a month (default: the latest loaded); see the module docstring."""
    ctx = Context.of(where)
    ws = ctx.workspace
    s = settings_from_config(ctx.config)
    try:
        s = _validated(
            replace(
                s,
                days=s.days if days is None else days,
                k=s.k if k is None else k,
                min_jpy=s.min_jpy if min_jpy is None else min_jpy,
                by=tuple(by) if by else s.by,
            )
        )
    except ValueError as exc:
        raise ConfigError(f"anomalies: {exc}") from None
    with session(temp_dir=ws.tmp / "anomalies" if ws.root.is_dir() else None) as con:
        return _detect(con, ctx, s, month)


def _detect(
    con: duckdb.DuckDBPyConnection, ctx: Context, s: AnomalySettings, month: str | None
) -> AnomalyResult:
    ws, wards = ctx.workspace, ctx.wards
    con.execute(f"CREATE TEMP VIEW lake AS {lake_view_sql(ws)}")
    row = con.execute(
        f"SELECT max({BILLING_MONTH_SQL}), min({DAY_JST_SQL}), max({DAY_JST_SQL}) FROM lake"
    ).fetchone()
    if row is None or row[0] is None:
        raise NoDataError(
            f"the lake of {ws.root} holds no billing data",
            hint="load a month first: gcfinops ingest <export folder or file>",
        )
    month = month or str(row[0])
    year, mon = parse_month(month)
    month_start = date(year, mon, 1)
    month_end = date(year + mon // 12, mon % 12 + 1, 1) - timedelta(days=1)
    first_loaded, last_loaded = row[1], row[2]
    last = min(month_end, last_loaded)
    start = max(first_loaded, month_start - timedelta(days=s.days))
    first_eval = max(month_start, start + timedelta(days=s.days))
    if last < month_start:
        raise NoDataError(
            f"no billing data for {month} in {ws.root}", hint="pick a loaded month with --month"
        )
    if first_eval > last:
        raise NoDataError(
            f"not enough history for {month}: each day needs the {s.days} days before it, and the "
            f"lake starts on {first_loaded} (JST)",
            hint="ingest the previous month too, or shorten the window with --days",
        )
    con.execute(
        "CREATE TEMP TABLE gcf_anomaly_range AS SELECT ? AS first_day, ? AS last_day", [start, last]
    )
    con.execute(
        f"""CREATE TEMP VIEW anomaly_src AS SELECT * FROM lake
            WHERE {DAY_JST_SQL} BETWEEN (SELECT first_day FROM gcf_anomaly_range)
                                    AND (SELECT last_day FROM gcf_anomaly_range)
              AND ChargePeriodEnd <= ChargePeriodStart + INTERVAL '1' DAY"""
    )
    rates = (
        f"(SELECT DISTINCT BillingCurrency, CAST({BILLING_MONTH_SQL} || '-01' AS TIMESTAMP)"
        " AS ChargePeriodStart FROM anomaly_src)"
    )
    register_fx(con, ctx.fx, rates)
    require_rates(con, rates)
    ndays = (last - start).days + 1
    con.execute("CREATE TEMP TABLE gcf_days (day DATE, idx INTEGER)")
    con.executemany(
        "INSERT INTO gcf_days VALUES (?, ?)", [(start + timedelta(days=i), i) for i in range(ndays)]
    )
    parts = " UNION ALL ".join(
        f"""SELECT '{dim}' AS dim, coalesce(CAST({SERIES[dim]} AS VARCHAR), '') AS k,
                   {DAY_JST_SQL} AS day, s.{s.cost_column} * f.rate_jpy AS jpy
            FROM anomaly_src AS s JOIN gcf_fx AS f
              ON f.month = {billing_month_sql("s")}
             AND f.currency = s.BillingCurrency"""
        for dim in s.by
    )
    con.execute(
        f"""CREATE TEMP TABLE gcf_daily AS
            WITH d AS (SELECT dim, k, day, sum(jpy) AS cost FROM ({parts}) GROUP BY dim, k, day),
                 series AS (SELECT DISTINCT dim, k FROM d)
            SELECT series.dim, series.k, g.day, g.idx, coalesce(d.cost, 0) AS cost
            FROM series CROSS JOIN gcf_days AS g
            LEFT JOIN d ON d.dim = series.dim AND d.k = series.k AND d.day = g.day"""
    )
    rows = con.execute(_STATS_SQL, {"n": s.days, "first": (first_eval - start).days}).fetchall()
    series = con.execute("SELECT count(*) FROM (SELECT DISTINCT dim, k FROM gcf_daily)").fetchone()
    anomalies = []
    for dim, key, day, cost, median, mad in rows:
        spread = float(mad) * MAD_TO_SIGMA
        excess = float(cost) - float(median)
        if excess > s.k * spread and excess >= s.min_jpy:
            anomalies.append(
                Anomaly(
                    dimension=dim,
                    key=key or None,
                    name=_name(dim, key or None, wards),
                    day=day,
                    cost_jpy=float(cost),
                    median_jpy=float(median),
                    mad_jpy=spread,
                    threshold_jpy=float(median) + max(s.k * spread, s.min_jpy),
                    excess_jpy=excess,
                    score=excess / spread if spread > 0 else None,
                )
            )
    anomalies.sort(key=lambda a: (a.day, list(s.by).index(a.dimension), -a.excess_jpy))
    return AnomalyResult(
        month=month,
        first_day=first_eval,
        last_day=last,
        settings=s,
        series=int(series[0]) if series else 0,
        anomalies=tuple(anomalies),
    )


# Median and MAD of each series' previous $n days, for the days from index $first on.
_STATS_SQL = """
WITH med AS (
    SELECT e.dim, e.k, e.day, e.idx, e.cost,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY h.cost) AS median
    FROM gcf_daily AS e
    JOIN gcf_daily AS h ON h.dim = e.dim AND h.k = e.k AND h.idx BETWEEN e.idx - $n AND e.idx - 1
    WHERE e.idx >= $first
    GROUP BY e.dim, e.k, e.day, e.idx, e.cost
)
SELECT m.dim, m.k, m.day, m.cost, m.median,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(h.cost - m.median)) AS mad
FROM med AS m
JOIN gcf_daily AS h ON h.dim = m.dim AND h.k = m.k AND h.idx BETWEEN m.idx - $n AND m.idx - 1
GROUP BY m.dim, m.k, m.day, m.cost, m.median
ORDER BY m.day, m.dim, m.k
"""


def _name(dim: str, key: str | None, wards: WardDirectory) -> str | None:
    if key is None:
        return "未割当"
    if dim == "ward" and (w := wards.get(key)) is not None:
        return w.kanji
    if dim == "system" and (sys := get_system(key)) is not None:
        return sys.name_ja
    return key
