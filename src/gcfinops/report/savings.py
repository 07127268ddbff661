"""The report's realized-savings section (issue #13 item 3): savings that happened, measured on
the bill (`gcfinops.realized`), and the optimization rate against the FinOps KPI lines:

- optimization rate = realized annualized savings (Σ realized monthly × 12) ÷ the ward's cloud
  cost of the previous fiscal year (the months before); KPI `[savings] kpi_rate`, default 0.15
  (≥ 15 % a year, "measured on the bills");
- cloud fee year on year = cloud FY-end forecast ÷ previous fiscal year − 1; KPI
  `[savings] yoy_kpi`, default −0.10 (−10 % on the previous year).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gcfinops import realized
from gcfinops.config import check_keys
from gcfinops.errors import ConfigError
from gcfinops.report.batch import WardRows
from gcfinops.report.model import WardReport
from gcfinops.report.plan_model import RealizedFinding, SavingsStatus
from gcfinops.workspace import Workspace

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class Kpi:
    """`[savings]`: the KPI lines."""

    kpi_rate: float = 0.15
    yoy_kpi: float = -0.10


def kpi_from_config(raw: dict[str, Any], path: Path | None = None) -> Kpi:
    section = raw.get("savings", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [savings] must be a table")
    check_keys(path, "savings", section, {"kpi_rate", "yoy_kpi"})
    values = {}
    for key, lo, hi in (("kpi_rate", 0.0, 1.0), ("yoy_kpi", -1.0, 1.0)):
        if key in section:
            v = section[key]
            if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= v <= hi:
                raise ConfigError(f"{path}: savings.{key} must be a number from {lo} to {hi}")
            values[key] = float(v)
    return Kpi(**values)


def measure_all(con: duckdb.DuckDBPyConnection, ws: Workspace, fy: int) -> list[realized.Realized]:
    """Every finding of the history, resolved ones measured (needs the lake view and gcf_fx)."""
    return realized.measure(con, ws, fy) if realized.history_path(ws).exists() else []


def ward_savings(
    batch: WardRows, w: WardReport, rows: list[realized.Realized], kpi: Kpi
) -> SavingsStatus | None:
    """The ward's status; None when no analysis history exists for the ward. The cloud cost
    before the year is one query for every selected ward (`report.batch`)."""
    mine = [r for r in rows if r.ward == w.ward]
    if not mine:
        return None
    totals = batch.get(
        "savings:cloud-before",
        """SELECT c.ward, coalesce(sum(c.amount_jpy), 0) FROM gcf_cost AS c
           JOIN gcf_months AS m ON m.month = c.month
           WHERE c.ward IN (SELECT ward FROM gcf_selected) AND c.source = 'cloud'
             AND NOT m.in_fy
           GROUP BY c.ward""",
        None,
        w.ward,
    )
    before = totals[0] if totals else None
    cloud = next((x for x in w.by_cost_item if x.key == "cloud_usage"), None)
    return SavingsStatus(
        realized_monthly_jpy=sum(r.realized_monthly_jpy or 0.0 for r in mine),
        realized_fy_jpy=sum(r.realized_fy_jpy or 0.0 for r in mine),
        cloud_before_jpy=float(before[0]) if before else 0.0,
        kpi_rate=kpi.kpi_rate,
        cloud_forecast_jpy=None if cloud is None else cloud.forecast_jpy,
        yoy_kpi=kpi.yoy_kpi,
        findings=[
            RealizedFinding(
                r.rule_id,
                r.resource_id,
                r.business_system,
                r.first_month,
                r.last_month,
                r.state,
                r.estimated_monthly_savings_jpy,
                r.realized_monthly_jpy,
                r.realized_fy_jpy,
            )
            for r in mine
        ],
    )
