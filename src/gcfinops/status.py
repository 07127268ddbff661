"""What the lake holds: per provider, billing account, billing period and currency."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gcfinops.db import session
from gcfinops.lake import lake_view_sql
from gcfinops.ledger import Ledger, unit_key
from gcfinops.workspace import Workspace


@dataclass(frozen=True)
class LoadedUnit:
    """One row of `gcfinops status`."""

    provider: str
    billing_account_id: str
    billing_account_name: str | None
    billing_period: str
    currency: str
    rows: int
    billed_cost: float
    effective_cost: float | None  # None: the source had no EffectiveCost (e.g. a bare FOCUS file)
    source_files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The `status --format json` object (amounts rounded to 6 decimals)."""
        return {
            "provider": self.provider,
            "billing_account_id": self.billing_account_id,
            "billing_account_name": self.billing_account_name,
            "billing_period": self.billing_period,
            "rows": self.rows,
            "billed_cost": round(self.billed_cost, 6),
            "effective_cost": None
            if self.effective_cost is None
            else round(self.effective_cost, 6),
            "currency": self.currency,
            "source_files": [str(f) for f in self.source_files],
        }


def loaded_units(ws: Workspace) -> list[LoadedUnit]:
    """Everything in the lake, with the source files the ledger says it came from."""
    with session() as con:
        rows = con.execute(
            f"""SELECT ProviderName, BillingAccountId, any_value(BillingAccountName),
                       strftime(BillingPeriodStart, '%Y-%m') AS period, BillingCurrency,
                       count(*), sum(BilledCost), sum(EffectiveCost)
                FROM ({lake_view_sql(ws)})
                GROUP BY ALL ORDER BY period, ProviderName, BillingAccountId, BillingCurrency"""
        ).fetchall()
    ledger = Ledger(ws.ledger_path)
    by_account = {}
    for key in ledger.live:
        _prov, acct, period = key.split("|")
        by_account[(acct, period)] = key
    out = []
    for prov, acct, name, period, cur, n, billed, effective in rows:
        key = by_account.get((acct, period), unit_key(prov, acct, period))
        files = [f.path for f in ledger.sources_of(key)]
        out.append(LoadedUnit(prov, acct, name, period, cur, int(n), float(billed),
                              None if effective is None else float(effective), files))  # fmt: skip
    return out
