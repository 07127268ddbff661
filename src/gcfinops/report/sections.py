"""Per-ward detail tables computed in SQL: months, cloud services, findings; and the report's
FX rates and sources. Reads the TEMP tables `report.data` prepared (gcf_cost, gcf_months, …).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from gcfinops.completeness import last_day
from gcfinops.report import inputs, lakescan
from gcfinops.report.batch import WardRows
from gcfinops.report.model import Finding, FxUsed, Month, RuleSavings, Service, Source
from gcfinops.report.period import Period

if TYPE_CHECKING:
    import duckdb

TOP_SERVICES = 10


def opt(value: Any) -> float | None:
    """None stays None; anything else becomes a float."""
    return None if value is None else float(value)


def months(
    con: duckdb.DuckDBPyConnection,
    p: Period,
    code: str,
    run_rate: float | None,
    through: dict[str, str | None] | None = None,
    batch: WardRows | None = None,
) -> list[Month]:
    """The months of the year; a month not complete is forecast as the cloud run rate
    (`run_rate`) + the non-cloud amount entered for it, so the months add up to the forecast.
    `batch`: every selected ward's rows in one query (`report.batch`)."""
    rows: list[Any]
    if batch is None:
        rows = con.execute(
            "SELECT month, source, coalesce(provider, ''), sum(amount_jpy) FROM gcf_cost "
            "WHERE ward = ? GROUP BY ALL",
            [code],
        ).fetchall()
    else:
        sql = (
            "SELECT ward, month, source, coalesce(provider, ''), sum(amount_jpy) FROM gcf_cost "
            "WHERE ward IN (SELECT ward FROM gcf_selected) GROUP BY ALL"
        )
        rows = batch.get("months", sql, None, code)
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
        seen = (through or {}).get(month) if status in ("partial", "incomplete") else None
        fraction = int(seen[8:10]) / last_day(month).day if seen else None
        out.append(
            Month(
                month=month,
                status=status,
                cloud_jpy=None if future else amount[(month, "cloud")],
                noncloud_jpy=None if future else amount[(month, "noncloud")],
                forecast_jpy=(
                    run_rate + amount[(month, "noncloud")]
                    if run_rate is not None and status != "complete"
                    else None
                ),
                previous_month=prev_month,
                previous_fy_jpy=(
                    (amount[(prev_month, "cloud")] + amount[(prev_month, "noncloud")])
                    * (fraction or 1.0)
                    if p.first_data is not None and prev_month >= p.first_data
                    else None
                ),
                by_provider=dict(sorted(provider[month].items())) if not future else {},
                through=seen,
                days_fraction=fraction,
            )
        )
    return out


_SERVICES_SQL = """SELECT {outer}provider, service, fy, prev FROM (
     SELECT {ward}c.provider, c.service,
            coalesce(sum(CASE WHEN m.in_fy AND m.status <> 'future'
                              THEN c.amount_jpy END), 0) AS fy,
            coalesce(sum(CASE WHEN m.in_compare THEN c.amount_jpy END), 0) AS prev
     FROM gcf_cost AS c JOIN gcf_months AS m ON m.month = c.month
     WHERE c.source = 'cloud' AND {where}
     GROUP BY {ward}c.provider, c.service) AS s
"""
_SERVICES_MONTHLY_SQL = """SELECT {ward}c.provider, c.service, c.month, sum(c.amount_jpy)
   FROM gcf_cost AS c JOIN gcf_months AS m ON m.month = c.month
   WHERE c.source = 'cloud' AND {where} AND m.in_fy AND m.status <> 'future'
   GROUP BY ALL ORDER BY c.month"""
_ALL_WARDS = "c.ward IN (SELECT ward FROM gcf_selected)"


def services(
    con: duckdb.DuckDBPyConnection, p: Period, code: str, batch: WardRows | None = None
) -> list[Service]:
    """The ward's top services (`TOP_SERVICES`, largest this year first) with their months.
    `batch`: every selected ward's rows in one query each (`report.batch`)."""
    rows: list[Any]
    monthly: list[Any]
    if batch is None:
        rows = con.execute(
            _SERVICES_SQL.format(outer="", ward="", where="c.ward = ?")
            + " ORDER BY fy DESC, provider, service LIMIT ?",
            [code, TOP_SERVICES],
        ).fetchall()
        monthly = con.execute(
            _SERVICES_MONTHLY_SQL.format(ward="", where="c.ward = ?"), [code]
        ).fetchall()
    else:
        ranked = (
            "SELECT ward, provider, service, fy, prev FROM (SELECT *, row_number() OVER "
            "(PARTITION BY ward ORDER BY fy DESC, provider, service) AS rn FROM ("
            + _SERVICES_SQL.format(outer="ward, ", ward="c.ward, ", where=_ALL_WARDS)
            + ") AS t) AS r WHERE rn <= ? ORDER BY ward, rn"
        )
        rows = batch.get("services", ranked, [TOP_SERVICES], code)
        monthly = batch.get(
            "services-monthly",
            _SERVICES_MONTHLY_SQL.format(ward="c.ward, ", where=_ALL_WARDS),
            None,
            code,
        )
    by: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for prov, service, month, value in monthly:
        by[(prov, service)][month] = float(value)
    return [Service(str(a), str(b), float(fy), float(prev), by[(a, b)]) for a, b, fy, prev in rows]


_FINDINGS_TOTAL_SQL = """SELECT {ward}coalesce(sum(s), 0) * 12, coalesce(sum(n), 0) FROM (
     SELECT {ward}coalesce(resource_id, rule_id || '#' || CAST(rn AS VARCHAR)) AS rid,
            max(estimated_monthly_savings) AS s, count(*) AS n
     FROM (SELECT *, row_number() OVER () AS rn FROM gcf_findings WHERE {where}) AS f
     GROUP BY {ward}rid) AS r {group}"""
_FINDINGS_TOP = """rule_id, business_system, resource_id, estimated_monthly_savings,
       current_monthly_cost, recommendation_ja, recommendation, confidence"""
# ties at the yen shown break by rule and resource: sums of DOUBLE differ in their last
# bits between runs and engines, and must not decide which finding is listed
_FINDINGS_ORDER = "round(estimated_monthly_savings) DESC, rule_id, resource_id"


def findings(
    con: duckdb.DuckDBPyConnection,
    code: str,
    top: int,
    available: bool,
    batch: WardRows | None = None,
) -> tuple[float | None, int, list[Finding]]:
    """(annualized savings, number of findings, top findings) of one ward.

    Findings on the same resource overlap (stop at night *and* downsize), so the total takes the
    largest saving per resource, not the sum: a conservative figure. `batch`: every selected
    ward's rows in one query each (`report.batch`).
    """
    if not available:
        return None, 0, []
    rows: list[Any]
    if batch is None:
        total = con.execute(
            _FINDINGS_TOTAL_SQL.format(ward="", where="ward = ?", group=""), [code]
        ).fetchone()
        rows = con.execute(
            f"SELECT {_FINDINGS_TOP} FROM gcf_findings WHERE ward = ? "
            f"ORDER BY {_FINDINGS_ORDER} LIMIT ?",
            [code, top],
        ).fetchall()
    else:
        where = "ward IN (SELECT ward FROM gcf_selected)"
        totals = batch.get(
            "findings-total",
            _FINDINGS_TOTAL_SQL.format(ward="ward, ", where=where, group="GROUP BY ward"),
            None,
            code,
        )
        total = totals[0] if totals else (0.0, 0)
        rows = batch.get(
            "findings-top",
            f"SELECT ward, {_FINDINGS_TOP} FROM (SELECT *, row_number() OVER (PARTITION BY "
            f"ward ORDER BY {_FINDINGS_ORDER}) AS rn FROM gcf_findings WHERE {where}) AS f "
            "WHERE rn <= ? ORDER BY ward, rn",
            [top],
            code,
        )
    findings = [
        Finding(str(r[0]), r[1], r[2], float(r[3]), opt(r[4]), r[5], r[6], r[7]) for r in rows
    ]
    return (float(total[0]), int(total[1]), findings) if total else (0.0, 0, findings)


def findings_by_rule(code: str, available: bool, batch: WardRows) -> list[RuleSavings]:
    """Every finding of one ward grouped by rule: count and annualized savings (the largest per
    resource within the rule), largest first; the handout lists kinds, not resources. One query
    for every selected ward (`report.batch`); a finding without a resource counts alone."""
    if not available:
        return []
    rows = batch.get(
        "findings-by-rule",
        """SELECT ward, rule_id, count(*), sum(s) * 12 FROM (
             SELECT ward, rule_id, coalesce(resource_id, CAST(rn AS VARCHAR)) AS rid,
                    max(estimated_monthly_savings) AS s
             FROM (SELECT *, row_number() OVER (PARTITION BY ward) AS rn FROM gcf_findings
                   WHERE ward IN (SELECT ward FROM gcf_selected)) AS f
             GROUP BY ward, rule_id, rid) AS r
           GROUP BY ward, rule_id ORDER BY ward, round(sum(s) * 12) DESC, rule_id""",
        None,
        code,
    )
    return [RuleSavings(str(r[0]), int(r[1]), float(r[2])) for r in rows]


def fx_used(con: duckdb.DuckDBPyConnection) -> list[FxUsed]:
    rows = con.execute(
        """SELECT DISTINCT f.month, f.currency, f.rate_jpy, f.source
           FROM gcf_cloud_raw AS c JOIN gcf_fx AS f ON f.month = c.month AND f.currency = c.currency
           WHERE f.currency <> 'JPY'
             AND (c.ward IS NULL OR c.ward IN (SELECT ward FROM gcf_selected))
           ORDER BY f.month, f.currency"""
    ).fetchall()
    return [FxUsed(str(m), str(c), float(r), str(s)) for m, c, r, s in rows]


def sources(con: duckdb.DuckDBPyConnection, has_findings: bool) -> list[Source]:
    """The report's sources; the lake's from the report's one pass (`report.lakescan`)."""
    periods = inputs.lake_periods(con, lakescan.PERIODS_SQL)
    out = [Source("cloud", p, a, b, n) for p, a, b, n in periods]
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
