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
        budget, forecast = w.budget_jpy, w.forecast_jpy
        over = pct = note = None
        if budget is None or forecast is None or budget <= 0:
            note = "no_budget" if budget is None else "no_forecast"
        else:
            over = forecast - budget
            pct = over / budget * 100
        out.append(
            Evaluation(
                group=w.ward,
                group_name=w.name,
                group_name_en=w.name_en,
                metric=METRIC,
                status="skipped" if pct is None else ("breach" if pct > limit else "ok"),
                value=pct,
                threshold=limit,
                current_jpy=forecast or 0.0,
                previous_jpy=budget,
                delta_jpy=over,
                comparison="budget",
                note=note,
            )
        )
    return out
