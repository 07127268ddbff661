"""`check --max-over-budget PCT` (issue #13 item 2): a ward breaches when its FY-end forecast
exceeds its budget (予算現額: 当初 + 補正 + 流用 decided by then) by more than PCT percent.

The forecast and the budget come from the report (`api.check` computes the ward report of the
checked month's fiscal year and hands the pairs here), so the gate and the report can never
disagree on either figure. A ward without an imported budget is `skipped` (note `no_budget`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gcfinops.gate.model import Evaluation

METRIC = "over_budget"


@dataclass(frozen=True)
class WardBudget:
    """One ward's budget and forecast for the year (None: no budget / no forecast)."""

    ward: str
    name: str
    name_en: str
    budget_jpy: float | None
    forecast_jpy: float | None


def evaluate(wards: Iterable[WardBudget], limit: float) -> list[Evaluation]:
    """One evaluation per ward: (forecast − budget) ÷ budget in % against `limit`."""
    out = []
    for w in wards:
        if w.budget_jpy is None or w.forecast_jpy is None or w.budget_jpy <= 0:
            out.append(
                Evaluation(
                    group=w.ward,
                    group_name=w.name,
                    group_name_en=w.name_en,
                    metric=METRIC,
                    status="skipped",
                    value=None,
                    threshold=limit,
                    current_jpy=w.forecast_jpy or 0.0,
                    previous_jpy=w.budget_jpy,
                    delta_jpy=None,
                    comparison="budget",
                    note="no_budget" if w.budget_jpy is None else "no_forecast",
                )
            )
            continue
        over = w.forecast_jpy - w.budget_jpy
        pct = over / w.budget_jpy * 100
        out.append(
            Evaluation(
                group=w.ward,
                group_name=w.name,
                group_name_en=w.name_en,
                metric=METRIC,
                status="breach" if pct > limit else "ok",
                value=pct,
                threshold=limit,
                current_jpy=w.forecast_jpy,
                previous_jpy=w.budget_jpy,
                delta_jpy=over,
                comparison="budget",
            )
        )
    return out
