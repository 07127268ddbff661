"""FX scenarios for the FY-end forecast (issue #13 item 6b): `report --fx-scenario 140,160`.

The Digital Agency estimated Government Cloud cost at fixed rates (139 円/USD, with a 160 円
sensitivity case; domain.md §1.3). Here the months still to come are re-priced: the run-rate part
of the forecast contains, per month, the window's mean USD amount converted at the window's own
rates; a scenario replaces that with the same USD amount at the scenario rate:

    forecast(r) = forecast + (12 − complete months) × Σ_業務 (mean USD of the window × r
                                                            − mean JPY of those lines)

Months already billed keep their own rates (they are paid). USD only: the other billing
currencies keep their table rates. The ward's own USD lines are re-priced before apportionment
(shared USD cost apportioned to the ward follows the table rates); the effect per 業務 gives each
target's gap in the same scope as the target.
"""

from __future__ import annotations

from gcfinops.report.batch import WardRows
from gcfinops.report.model import WardReport
from gcfinops.report.period import Period
from gcfinops.report.plan_model import FxScenario

CURRENCY = "USD"


def parse_rates(text: str | None) -> list[float]:
    """'140,160' → [140.0, 160.0]; ValueError names the bad part."""
    if not text:
        return []
    rates = []
    for part in text.split(","):
        value = float(part.strip())
        if not 0 < value < 10_000:
            raise ValueError(f"{part.strip()!r} is not a rate in JPY per USD")
        rates.append(value)
    return rates


def ward_scenarios(
    batch: WardRows,
    w: WardReport,
    p: Period,
    rates: list[float],
    out_of_scope: frozenset[str],
) -> list[FxScenario]:
    """One scenario per rate; empty without rates or without a run-rate window."""
    if not rates or not p.window or w.forecast_jpy is None:
        return []
    rows = batch.get(  # one query for every selected ward (`report.batch`)
        "fx-scenario",
        """SELECT c.ward, c.business_system, sum(c.amount), sum(c.amount * f.rate_jpy)
           FROM gcf_cloud_raw AS c
           JOIN gcf_fx AS f ON f.month = c.month AND f.currency = c.currency
           JOIN gcf_months AS m ON m.month = c.month AND m.in_window
           WHERE c.ward IN (SELECT ward FROM gcf_selected) AND c.currency = ?
             AND NOT c.prior_year
           GROUP BY c.ward, c.business_system""",
        [CURRENCY],
        w.ward,
    )
    remaining = 12 - p.complete
    n = len(p.window)
    out = []
    for rate in rates:
        delta = {s: remaining * (float(usd) * rate - float(jpy)) / n for s, usd, jpy in rows}
        gaps: dict[str, float | None] = {}
        for t in w.targets:
            if t.gap_jpy is None:
                gaps[t.id] = None
            elif t.scope:
                gaps[t.id] = t.gap_jpy + sum(delta.get(s, 0.0) for s in t.scope)
            else:
                gaps[t.id] = t.gap_jpy + sum(v for s, v in delta.items() if s not in out_of_scope)
        total = sum(delta.values())
        out.append(FxScenario(CURRENCY, rate, w.forecast_jpy + total, total, gaps))
    return out
