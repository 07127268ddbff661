"""JSON keys of a ward's own plan (issue #13): `wards[].targets` and `wards[].budget`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from gcfinops.report.model import WardReport
from gcfinops.report.plan_model import BudgetLine


def _budget_line(line: BudgetLine, key: str) -> dict[str, Any]:
    return {
        key: line.key,
        "name_ja": line.name_ja,
        "name_en": line.name_en,
        "amount_jpy": line.amount_jpy,
        "actual_to_date_jpy": line.actual_to_date_jpy,
        "execution_rate": line.execution_rate,
        "forecast_jpy": line.forecast_jpy,
        "forecast_minus_budget_jpy": line.forecast_minus_budget_jpy,
    }


def ward_part(w: WardReport) -> dict[str, Any]:
    """The plan's keys of one ward (added after the existing keys)."""
    b = w.budget
    budget = None
    if b is not None:
        budget = {
            **{k: v for k, v in _budget_line(b.total, "ward").items() if k != "ward"},
            "initial_jpy": b.initial_jpy,
            "supplementary_jpy": b.supplementary_jpy,
            "transfer_jpy": b.transfer_jpy,
            "by_business_system": [
                _budget_line(x, "business_system") for x in b.by_business_system
            ],
            "by_cost_item": [_budget_line(x, "cost_item") for x in b.by_cost_item],
            "by_setsu": [_budget_line(x, "setsu") for x in b.by_setsu],
            "source_files": b.source_files,
        }
    return {
        "targets": [
            {
                "id": t.id,
                "name_ja": t.name_ja,
                "name_en": t.name_en,
                "base": t.base,
                "ratio": t.ratio,
                "base_jpy": t.base_jpy,
                "base_fiscal_years": t.base_fiscal_years,
                "amount_jpy": t.amount_jpy,
                "forecast_jpy": t.forecast_jpy,
                "gap_jpy": t.gap_jpy,
                "on_track": t.on_track,
                "business_system": t.business_system,
                "scope": t.scope,
                "reason": t.reason,
                "preset": t.preset,
            }
            for t in w.targets
        ],
        "budget": budget,
        "trajectory": [
            {
                "fiscal_year": p.fiscal_year,
                "total_jpy": p.total_jpy,
                "is_forecast": p.is_forecast,
                "maintenance_jpy": p.maintenance_jpy,
                "maintenance_share": p.maintenance_share,
                "target_gaps_jpy": p.target_gaps,
            }
            for p in w.trajectory
        ],
        "savings": None
        if w.savings is None
        else {
            "realized_monthly_jpy": w.savings.realized_monthly_jpy,
            "realized_fy_jpy": w.savings.realized_fy_jpy,
            "optimization_rate": w.savings.optimization_rate,
            "kpi_rate": w.savings.kpi_rate,
            "on_track": w.savings.on_track,
            "cloud_before_jpy": w.savings.cloud_before_jpy,
            "cloud_yoy_change": w.savings.cloud_yoy_change,
            "yoy_kpi": w.savings.yoy_kpi,
            "yoy_on_track": w.savings.yoy_on_track,
            "findings": [asdict(x) for x in w.savings.findings],
        },
        "fx_scenarios": [
            {
                "currency": s.currency,
                "rate_jpy": s.rate_jpy,
                "forecast_jpy": s.forecast_jpy,
                "delta_jpy": s.delta_jpy,
                "targets": [
                    {
                        "id": t.id,
                        "gap_jpy": s.target_gaps.get(t.id),
                        "on_track": None
                        if s.target_gaps.get(t.id) is None
                        else (s.target_gaps.get(t.id) or 0.0) <= 0,
                    }
                    for t in w.targets
                ],
            }
            for s in w.fx_scenarios
        ],
    }
