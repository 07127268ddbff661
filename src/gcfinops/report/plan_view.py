"""View tables of a ward's own plan (issue #13): targets by base, budget execution per ward,
業務, cost item and 節. Rendered by every format like the other tables of `report.view`.
"""

from __future__ import annotations

from typing import Any

from gcfinops.allocation.systems import get_system
from gcfinops.report.i18n import Fmt
from gcfinops.report.model import WardReport
from gcfinops.report.plan_model import BudgetLine, TargetStatus
from gcfinops.report.tables import Cell, Col, Table


def _base_label(t: TargetStatus, f: Fmt) -> str:
    years = "/".join(f.fy(y) for y in t.base_fiscal_years)
    if t.base == "fy2018":
        return years or f.t("plan.base_fy2018")
    return f"{f.t(f'plan.base_{t.base}')} {years}".strip()


def _scope_label(t: TargetStatus, f: Fmt) -> str:
    systems = [get_system(s) for s in t.scope]
    names = [f.name(s.name_ja, s.name_en) for s in systems if s is not None]
    return (
        "、".join(names) if names and f.lang == "ja" else ", ".join(names) or f.t("plan.scope_all")
    )


def target_table(w: WardReport, f: Fmt) -> Table:
    """Every target: base, target amount, forecast of the same scope, gap, on track."""
    t = Table(
        "plan_targets",
        f.t("plan.section_targets"),
        [
            Col("target", f.t("col.target")),
            Col("base", f.t("plan.col_base")),
            Col("scope", f.t("plan.col_scope")),
            Col("base_amount", f.t("plan.col_base_amount"), "yen"),
            Col("target_ratio", f.t("col.target_ratio"), "ratio"),
            Col("amount", f.t("col.amount"), "yen"),
            Col("forecast", f.t("col.forecast"), "yen"),
            Col("ratio", f.t("plan.col_ratio_to_base"), "ratio"),
            Col("gap", f.t("col.gap"), "yen"),
            Col("on_track", f.t("plan.col_on_track")),
        ],
    )
    for x in w.targets:
        if x.reason:
            status: Any = f.t(f"plan.reason_{x.reason}")
        else:
            status = f.t("doc.yes" if x.on_track else "doc.no")
        t.rows.append(
            [
                f.name(x.name_ja, x.name_en),
                _base_label(x, f),
                _scope_label(x, f),
                x.base_jpy,
                x.ratio,
                x.amount_jpy,
                x.forecast_jpy,
                Cell(x.forecast_ratio_to_base, "ratio"),
                x.gap_jpy,
                status,
            ]
        )
    t.note = f.t("plan.note_targets")
    return t


def _budget_cols(f: Fmt, first: Col) -> list[Col]:
    return [
        first,
        Col("budget", f.t("plan.col_budget"), "yen"),
        Col("actual", f.t("col.actual"), "yen"),
        Col("execution_rate", f.t("plan.col_execution_rate"), "pct"),
        Col("forecast", f.t("col.forecast"), "yen"),
        Col("forecast_minus_budget", f.t("plan.col_forecast_minus_budget"), "yen"),
        Col("outlook", f.t("plan.col_outlook")),
    ]


def _budget_row(line: BudgetLine, f: Fmt) -> list[Any]:
    diff = line.forecast_minus_budget_jpy
    outlook = None
    if diff is not None:
        outlook = f.t("plan.shortfall" if diff > 0 else "plan.surplus" if diff < 0 else "plan.even")
    return [
        f.name(line.name_ja, line.name_en),
        line.amount_jpy,
        line.actual_to_date_jpy,
        line.execution_rate,
        line.forecast_jpy,
        diff,
        outlook,
    ]


def budget_tables(w: WardReport, f: Fmt) -> list[Table]:
    """Budget vs actual and forecast: the ward (with its revisions), per 業務, cost item, 節."""
    b = w.budget
    if b is None:
        return []
    head = Table(
        "budget", f.t("plan.section_budget"), _budget_cols(f, Col("item", f.t("col.item")))
    )
    head.rows.append(_budget_row(b.total, f))
    head.note = f.t(
        "plan.note_budget",
        initial=f.yen(b.initial_jpy),
        supplementary=f.yen(b.supplementary_jpy),
        transfer=f.yen(b.transfer_jpy),
        files=", ".join(b.source_files) or "—",
    )
    out = [head]
    for key, lines, first in (
        ("budget_by_business_system", b.by_business_system, "col.system"),
        ("budget_by_cost_item", b.by_cost_item, "col.cost_item"),
        ("budget_by_setsu", b.by_setsu, "plan.col_setsu"),
    ):
        if not lines:
            continue
        t = Table(key, f.t(f"plan.section_{key}"), _budget_cols(f, Col(key, f.t(first))))
        t.rows = [_budget_row(x, f) for x in lines]
        out.append(t)
    return out


def fx_table(w: WardReport, f: Fmt) -> list[Table]:
    """FX scenarios: forecast and each target's gap with the remaining months' USD re-priced."""
    if not w.fx_scenarios:
        return []
    cols = [
        Col("scenario", f.t("plan.col_scenario")),
        Col("forecast", f.t("col.forecast"), "yen"),
        Col("delta", f.t("plan.col_fx_delta"), "yen"),
    ]
    cols += [
        Col(f"gap:{x.id}", f.t("plan.col_gap_of", name=f.name(x.name_ja, x.name_en)), "yen")
        for x in w.targets
    ]
    t = Table("fx_scenarios", f.t("plan.section_fx"), cols)
    t.rows.append(
        [f.t("plan.fx_table_rates"), w.forecast_jpy, 0.0, *(x.gap_jpy for x in w.targets)]
    )
    for s in w.fx_scenarios:
        label = f.t("plan.fx_rate", currency=s.currency, rate=f"{s.rate_jpy:g}")
        t.rows.append(
            [label, s.forecast_jpy, s.delta_jpy, *(s.target_gaps.get(x.id) for x in w.targets)]
        )
    t.note = f.t("plan.note_fx")
    return [t]


def savings_tables(w: WardReport, f: Fmt) -> list[Table]:
    """Savings that happened (measured on the bill) against the KPI lines, and the history."""
    s = w.savings
    if s is None:
        return []

    def met(value: bool | None) -> str | None:
        return None if value is None else f.t("doc.yes" if value else "doc.no")

    head = Table(
        "savings",
        f.t("plan.section_savings"),
        [Col("item", f.t("col.item")), Col("value", f.t("col.value"), "yen")],
    )
    head.rows = [
        [f.t("plan.realized_monthly"), s.realized_monthly_jpy],
        [f.t("plan.realized_fy"), s.realized_fy_jpy],
        [f.t("plan.cloud_before"), s.cloud_before_jpy],
        [f.t("plan.optimization_rate"), Cell(s.optimization_rate, "pct")],
        [f.t("plan.kpi_rate"), Cell(s.kpi_rate, "pct")],
        [f.t("plan.col_on_track"), Cell(met(s.on_track), "text")],
        [f.t("plan.cloud_yoy"), Cell(s.cloud_yoy_change, "pct")],
        [f.t("plan.yoy_kpi"), Cell(s.yoy_kpi, "pct")],
        [f.t("plan.col_on_track"), Cell(met(s.yoy_on_track), "text")],
    ]
    head.note = f.t("plan.note_savings")
    hist = Table(
        "savings_history",
        f.t("plan.section_savings_history"),
        [
            Col("rule", f.t("col.rule")),
            Col("resource", f.t("col.resource")),
            Col("first", f.t("plan.col_first_month"), "month"),
            Col("last", f.t("plan.col_last_month"), "month"),
            Col("state", f.t("col.status")),
            Col("estimated", f.t("plan.col_estimated"), "yen"),
            Col("realized", f.t("plan.realized_monthly"), "yen"),
            Col("realized_fy", f.t("plan.realized_fy"), "yen"),
        ],
    )
    for x in s.findings:
        hist.rows.append(
            [
                x.rule_id,
                x.resource_id,
                x.first_month,
                x.last_month,
                f.t(f"plan.state_{x.state}"),
                x.estimated_monthly_savings_jpy,
                x.realized_monthly_jpy,
                x.realized_fy_jpy,
            ]
        )
    return [head, hist]


def trajectory_table(w: WardReport, f: Fmt) -> list[Table]:
    """Cost per fiscal year of the span, 運用保守's share and each target's gap."""
    if not w.trajectory:
        return []
    cols = [
        Col("fiscal_year", f.t("plan.col_fiscal_year")),
        Col("total", f.t("col.total"), "yen"),
        Col("basis", f.t("plan.col_year_basis")),
        Col("maintenance_share", f.t("plan.col_maintenance_share"), "pct"),
    ]
    cols += [
        Col(f"gap:{x.id}", f.t("plan.col_gap_of", name=f.name(x.name_ja, x.name_en)), "yen")
        for x in w.targets
    ]
    t = Table("trajectory", f.t("plan.section_trajectory"), cols)
    for p in w.trajectory:
        basis = f.t("doc.none")
        if p.total_jpy is not None:
            basis = f.t("plan.forecast" if p.is_forecast else "plan.actual")
        t.rows.append(
            [
                f.fy(p.fiscal_year),
                p.total_jpy,
                basis,
                p.maintenance_share,
                *(p.target_gaps.get(x.id) for x in w.targets),
            ]
        )
    t.note = f.t("plan.note_trajectory")
    return [t]


def tables(w: WardReport, f: Fmt) -> list[Table]:
    """The plan's tables of one ward, in reading order."""
    return [
        target_table(w, f),
        *trajectory_table(w, f),
        *fx_table(w, f),
        *budget_tables(w, f),
        *savings_tables(w, f),
    ]
