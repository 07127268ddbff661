"""The report as JSON: stable snake_case keys, amounts in whole yen, ratios to 4 decimals.

Keys are documented in docs/reports.md and change only with `schema_version`. Amounts are in
yen whatever `--unit` says, rounded half up (四捨五入) from unrounded sums.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from gcfinops.jpcalendar import fy_label, wareki_fy
from gcfinops.money import to_yen
from gcfinops.report.model import Line, ReportData, Target, WardReport
from gcfinops.report.plan_json import ward_part

SCHEMA_VERSION = 1
_NOT_YEN = {"rate_jpy"}


def _round(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        if key.endswith("_jpy"):
            return {k: _round(v, key) for k, v in value.items()}
        return {k: _round(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_round(v, key) for v in value]
    if isinstance(value, float):
        if key.endswith("_jpy") and key not in _NOT_YEN:
            return int(to_yen(value))
        return round(value, 4 if key.endswith(("ratio", "share")) else 6)
    return value


def _target(t: Target) -> dict[str, Any]:
    return {
        "name_ja": t.name_ja,
        "name_en": t.name_en,
        "ratio": t.ratio,
        "amount_jpy": t.amount_jpy,
        "gap_jpy": t.gap_jpy,
        "is_met": t.is_met,
    }


def _line(line: Line, key: str) -> dict[str, Any]:
    return {
        key: line.key,
        "name_ja": line.name_ja,
        "name_en": line.name_en,
        "baseline_jpy": line.baseline_jpy,
        "actual_to_date_jpy": line.actual_to_date_jpy,
        "forecast_jpy": line.forecast_jpy,
        "forecast_ratio_to_baseline": line.forecast_ratio_to_baseline,
        "previous_fy_to_date_jpy": line.previous_fy_to_date_jpy,
        "has_baseline": line.has_baseline,
        **({"common_share": line.common_share} if line.common_share is not None else {}),
    }


def ward_dict(w: WardReport) -> dict[str, Any]:
    """One ward, with the keys the issue fixes first."""
    return {
        "ward": w.ward,
        "ward_name": w.ward_name,
        "ward_name_en": w.ward_name_en,
        "fiscal_year": w.fiscal_year,
        "baseline_fiscal_year": w.baseline_fiscal_year,
        "baseline_basis": w.baseline_basis,
        "baseline_jpy": w.baseline_jpy,
        "target_jpy": w.target.amount_jpy,
        "target_ratio": w.target.ratio,
        "actual_to_date_jpy": w.actual_to_date_jpy,
        "cloud_to_date_jpy": w.cloud_to_date_jpy,
        "noncloud_to_date_jpy": w.noncloud_to_date_jpy,
        "previous_fy_to_date_jpy": w.previous_fy_to_date_jpy,
        "previous_fy_total_jpy": w.previous_fy_total_jpy,
        "latest_month": w.latest_month,
        "month_to_date_jpy": w.month_to_date_jpy,
        "same_month_last_fy_jpy": w.same_month_last_fy_jpy,
        "run_rate_jpy": w.run_rate_jpy,
        "forecast_jpy": w.forecast_jpy,
        "forecast_ratio_to_baseline": w.forecast_ratio_to_baseline,
        "gap_to_target_jpy": w.gap_to_target_jpy,
        "forecast_method": w.forecast_parts.to_dict() if w.forecast_parts else None,
        "findings_available": w.findings_available,
        "identified_savings_jpy": w.identified_savings_jpy,
        "findings_count": w.findings_count,
        "forecast_after_savings_jpy": w.forecast_after_savings_jpy,
        "forecast_after_savings_ratio": w.forecast_after_savings_ratio,
        "secondary_targets": [_target(t) for t in w.secondary_targets],
        "by_cost_item": [_line(x, "cost_item") for x in w.by_cost_item],
        "by_business_system": [_line(x, "business_system") for x in w.by_business_system],
        "by_month": [
            {
                "month": m.month,
                "status": m.status,
                "cloud_jpy": m.cloud_jpy,
                "noncloud_jpy": m.noncloud_jpy,
                "total_jpy": m.total_jpy,
                "forecast_jpy": m.forecast_jpy,
                "previous_month": m.previous_month,
                "previous_fy_jpy": m.previous_fy_jpy,
                "by_provider_jpy": m.by_provider,
                "through": m.through,
                "days_fraction": m.days_fraction,
            }
            for m in w.by_month
        ],
        "by_service": [
            {
                "provider": s.provider,
                "service": s.service,
                "fy_to_date_jpy": s.fy_to_date_jpy,
                "previous_fy_to_date_jpy": s.previous_fy_to_date_jpy,
                "by_month_jpy": s.by_month,
            }
            for s in w.by_service
        ],
        "top_findings": [
            {
                **{k: v for k, v in asdict(x).items()},
                "estimated_annual_savings_jpy": x.estimated_monthly_savings_jpy * 12,
            }
            for x in w.top_findings
        ],
        "untagged_cloud_jpy": w.untagged_cloud_jpy,
        "untagged_share": w.untagged_share,
        "unallocated_system_cloud_jpy": w.unallocated_system_cloud_jpy,
        "unallocated_system_share": w.unallocated_system_share,
        "cloud_before_apportionment_jpy": w.cloud_before_apportionment_jpy,
        "cloud_after_apportionment_jpy": w.cloud_to_date_jpy,
        "apportionment": [
            {
                "rule": a.rule,
                "name_ja": a.name_ja,
                "name_en": a.name_en,
                "builtin": a.builtin,
                "moved_out_jpy": a.moved_out_jpy,
                "moved_in_jpy": a.moved_in_jpy,
                "net_jpy": a.net_jpy,
            }
            for a in w.apportionment
        ],
        "unapportioned_jpy": w.unapportioned_jpy,
        "prior_year_corrections_jpy": w.prior_year_corrections_jpy,
        "initial_cost_jpy": w.initial_cost_jpy,
        **ward_part(w),
    }


def to_dict(data: ReportData) -> dict[str, Any]:
    """The whole document as plain JSON types, rounded."""
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "generator": f"gcfinops {data.version}",
        "fiscal_year": data.fiscal_year,
        "fiscal_year_label": fy_label(data.fiscal_year),
        "wareki": wareki_fy(data.fiscal_year),
        "as_of": data.as_of.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "latest_month": data.latest_month,
        "complete_months": data.complete_months,
        "forecast_method": {
            "kind": "run_rate",
            "window_months": data.forecast_window,
            "formula": "sum(complete months) + non-cloud entered for the remaining months"
            " + mean(cloud cost of window months) * (12 - complete months)",
            **_forecast_parts(data),
        },
        "cost_column": data.cost_column,
        "tax_basis": data.tax_basis,
        "month_basis": "billing_period",
        "incomplete_months": data.incomplete_months,
        "baseline_fiscal_year": data.baseline_fiscal_year,
        "target_ratio": data.target_ratio,
        "wards": [ward_dict(w) for w in data.wards],
        "comparison": [
            {
                "ward": w.ward,
                "ward_name": w.ward_name,
                "baseline_jpy": w.baseline_jpy,
                "forecast_jpy": w.forecast_jpy,
                "forecast_ratio_to_baseline": w.forecast_ratio_to_baseline,
                "gap_to_target_jpy": w.gap_to_target_jpy,
                "identified_savings_jpy": w.identified_savings_jpy,
                "forecast_after_savings_ratio": w.forecast_after_savings_ratio,
                "by_business_system_jpy": {
                    str(x.key or "unallocated"): x.forecast_jpy for x in w.by_business_system
                },
            }
            for w in data.wards
        ]
        if data.is_multi_ward
        else [],
        "cross_ward": None
        if data.crossward is None
        else {
            "wards": [
                {
                    "ward": w.ward,
                    "population": w.population,
                    "population_source": w.population_source,
                    "cost_per_resident_jpy": w.cost_per_resident_jpy,
                    "operation_support_jpy": w.operation_support_jpy,
                    "vendors": w.vendors,
                }
                for w in data.crossward.wards
            ],
            "operation_support_total_jpy": data.crossward.operation_support_total_jpy,
            "joint_saving_ratio": data.crossward.joint_saving_ratio,
            "joint_contract_target_jpy": data.crossward.joint_contract_target_jpy,
            "joint_saving_needed_jpy": data.crossward.joint_saving_needed_jpy,
        },
        "unattributed_cloud_jpy": data.unattributed_cloud_jpy,
        "fx_rates": [asdict(r) for r in data.fx_rates],
        "sources": [asdict(s) for s in data.sources],
    }
    return _round(doc)  # type: ignore[no-any-return]  # _round keeps the dict shape


def _forecast_parts(data: ReportData) -> dict[str, Any]:
    """The forecast's parts summed over the report's wards (one ward: that ward's)."""
    parts = [w.forecast_parts for w in data.wards if w.forecast_parts is not None]
    if not parts:
        return {"actual_jpy": None, "known_future_jpy": None, "run_rate_jpy": None,
                "remaining_months": 12 - data.complete_months}  # fmt: skip
    return {
        "actual_jpy": sum(p.actual_jpy for p in parts),
        "known_future_jpy": sum(p.known_future_jpy for p in parts),
        "run_rate_jpy": sum(p.run_rate_jpy for p in parts),
        "remaining_months": parts[0].remaining_months,
    }


def render_json(data: ReportData) -> str:
    """Indented JSON, UTF-8 (Japanese not escaped), keys in a fixed order."""
    return json.dumps(to_dict(data), ensure_ascii=False, indent=2) + "\n"
