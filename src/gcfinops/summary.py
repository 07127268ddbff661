"""Cost per ward and month: what `gcfinops demo` and `gcfinops status --by ward` print.

Amounts stay in their billing currency; a JPY column is added only when every (month, currency)
has a rate in the workspace's FX table — never a partial or silent conversion.
"""

from __future__ import annotations

from dataclasses import dataclass

from gcfinops.context import Context
from gcfinops.db import session
from gcfinops.fx import missing_rates_sql, register_fx
from gcfinops.lake import lake_view_sql
from gcfinops.workspace import Workspace


@dataclass(frozen=True)
class WardMonth:
    """Billed cost of one ward (or the unallocated rest) in one month and currency."""

    month: str
    ward: str | None
    ward_name: str | None
    currency: str
    billed_cost: float
    billed_cost_jpy: float | None
    rows: int


def ward_months(where: Context | Workspace) -> list[WardMonth]:
    """BilledCost by ChargePeriodStart month (UTC), ward and currency."""
    ctx = Context.of(where)
    wards = ctx.wards
    with session() as con:
        con.execute(f"CREATE TEMP VIEW lake AS {lake_view_sql(ctx.workspace)}")
        register_fx(con, ctx.fx, "lake")
        convertible = not con.execute(missing_rates_sql("lake")).fetchall()
        jpy = "sum(l.BilledCost * f.rate_jpy)" if convertible else "NULL"
        join = (
            "LEFT JOIN gcf_fx AS f ON f.month = strftime(l.ChargePeriodStart, '%Y-%m') "
            "AND f.currency = l.BillingCurrency"
        )
        rows = con.execute(
            f"""SELECT strftime(l.ChargePeriodStart, '%Y-%m') AS month, l.x_Ward,
                       l.BillingCurrency, sum(l.BilledCost), {jpy}, count(*)
                FROM lake AS l {join}
                GROUP BY ALL ORDER BY month, l.x_Ward NULLS LAST, l.BillingCurrency"""
        ).fetchall()
    out = []
    for month, ward, cur, billed, billed_jpy, n in rows:
        w = wards.get(ward) if ward else None
        out.append(
            WardMonth(
                month=month,
                ward=ward,
                ward_name=w.kanji if w else None,
                currency=cur,
                billed_cost=float(billed),
                billed_cost_jpy=None if billed_jpy is None else float(billed_jpy),
                rows=int(n),
            )
        )
    return out
