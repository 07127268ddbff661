"""Realized savings (issue #13 item 3): each finding's history and the saving seen on the bill.

`gcfinops analyze` calls `update_history` after it replaced the findings. The history
(`findings/history.csv`, one row per rule × ward × resource) keeps the first and last month a
finding fired and its state:

- `open`: it fired in the latest analysis (or the rule could not judge the resource this time:
  skipped for lack of metrics is not a resolution);
- `resolved`: it no longer fires and the resource is still on the bill in the analysed month
  (stopped, resized, changed class);
- `gone`: it no longer fires and the resource left the bill (not counted as a saving: the
  workload may have moved).

The realized saving of a resolved finding is measured on the bill, never copied from the
estimate: the resource's cost per day in the last month the finding fired (`before`) against
each later month's actual cost, at the same price basis (the lake's BilledCost in the billing
currency, converted at one rate, the latest month's, on both sides, so FX does not count):

    realized monthly = (before per day − after per day) × 365 / 12      (after = latest month)
    realized in FY   = Σ months of the FY after `before`: before per day × days − actual cost
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from gcfinops import findings as _findings
from gcfinops.db import session
from gcfinops.jpcalendar import fy_months, month_fiscal_year
from gcfinops.lake import lake_view_sql
from gcfinops.workspace import Workspace, atomic_write

if TYPE_CHECKING:
    import duckdb

HISTORY_NAME = "history.csv"
COLUMNS = (
    "rule_id",
    "ward",
    "business_system",
    "resource_id",
    "provider",
    "first_month",
    "last_month",
    "state",
    "checked_month",
    "estimated_monthly_savings_jpy",
)
DAYS_PER_MONTH = 365 / 12


@dataclass(frozen=True)
class Realized:
    """One finding of the history with the saving measured on the bill (resolved only)."""

    rule_id: str
    ward: str
    business_system: str | None
    resource_id: str
    first_month: str
    last_month: str
    state: str  # open, resolved, gone
    checked_month: str  # the month of the latest analysis
    estimated_monthly_savings_jpy: float
    realized_monthly_jpy: float | None = None
    realized_fy_jpy: float | None = None


def history_path(ws: Workspace) -> Path:
    return ws.findings_dir / HISTORY_NAME


def read_history(ws: Workspace) -> list[dict[str, str]]:
    """The stored history rows (empty before the first analysis)."""
    path = history_path(ws)
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _month_of(as_of: date) -> str:
    """The last month an analysis ending at `as_of` (exclusive) covers."""
    year, month = (as_of.year, as_of.month - 1) if as_of.month > 1 else (as_of.year - 1, 12)
    if as_of.day > 1:
        year, month = as_of.year, as_of.month
    return f"{year}-{month:02d}"


def update_history(ws: Workspace) -> list[dict[str, str]]:
    """Merge the latest findings into the history and store it atomically."""
    rows, run = _findings.read(ws)
    as_of = run.get("as_of")
    if not as_of:
        return read_history(ws)
    month = _month_of(date.fromisoformat(str(as_of)[:10]))
    history = {(r["rule_id"], r["ward"], r["resource_id"]): r for r in read_history(ws)}
    current = set()
    # a rule that could not judge a resource this time (skipped: no metrics …) has not seen it
    # resolved: the finding stays open until a run judges it again
    unjudged = {
        (str(r["rule_id"]), str(r["ward"]), str(r["resource_id"]))
        for r in rows
        if r.get("status") != "finding"
    }
    for r in rows:
        if r.get("status") != "finding" or not r.get("resource_id") or not r.get("ward"):
            continue
        key = (str(r["rule_id"]), str(r["ward"]), str(r["resource_id"]))
        current.add(key)
        old = history.get(key)
        history[key] = {
            "rule_id": key[0],
            "ward": key[1],
            "business_system": str(r.get("business_system") or ""),
            "resource_id": key[2],
            "provider": str(r.get("provider") or ""),
            "first_month": old["first_month"] if old else month,
            "last_month": month,
            "state": "open",
            "checked_month": month,
            "estimated_monthly_savings_jpy": str(r.get("estimated_monthly_savings") or 0),
        }
    closing = [
        k
        for k, r in history.items()
        if k not in current and k not in unjudged and r["state"] == "open"
    ]
    if closing:
        with session(temp_dir=ws.tmp) as con:
            con.execute(f"CREATE TEMP VIEW lake AS {lake_view_sql(ws)}")
            on_bill = {
                str(r[0])
                for r in con.execute(
                    """SELECT DISTINCT ResourceId FROM lake
                       WHERE strftime(BillingPeriodStart, '%Y-%m') = ? AND ResourceId IN
                       (SELECT unnest(?::VARCHAR[]))""",
                    [month, [k[2] for k in closing]],
                ).fetchall()
            }
        for k in closing:
            history[k] = {
                **history[k],
                "state": "resolved" if k[2] in on_bill else "gone",
                "checked_month": month,
            }
    buf = io.StringIO()
    out = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    out.writeheader()
    out.writerows(
        sorted(history.values(), key=lambda r: (r["ward"], r["rule_id"], r["resource_id"]))
    )
    path = history_path(ws)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as f:
        f.write(buf.getvalue())
    return list(history.values())


def _days(month: str) -> int:
    year, mon = int(month[:4]), int(month[5:])
    nxt = date(year + mon // 12, mon % 12 + 1, 1)
    return (nxt - date(year, mon, 1)).days


def measure(
    con: duckdb.DuckDBPyConnection, ws: Workspace, fiscal_year: int | None = None
) -> list[Realized]:
    """Every history row, resolved ones with their saving measured on the bill. `con` must have
    the `lake` view and TEMP gcf_fx(month, currency, rate_jpy) (`fx.register_fx`)."""
    out = []
    for r in read_history(ws):
        base = Realized(
            r["rule_id"], r["ward"], r["business_system"] or None, r["resource_id"],
            r["first_month"], r["last_month"], r["state"], r["checked_month"],
            float(r["estimated_monthly_savings_jpy"] or 0),
        )  # fmt: skip
        if r["state"] != "resolved":
            out.append(base)
            continue
        costs = {
            str(m): (float(c), str(cur))
            for m, c, cur in con.execute(
                """SELECT strftime(BillingPeriodStart, '%Y-%m'), sum(BilledCost),
                          any_value(BillingCurrency)
                   FROM lake WHERE ResourceId = ? GROUP BY 1""",
                [r["resource_id"]],
            ).fetchall()
        }
        before_month, after_month = r["last_month"], r["checked_month"]
        currency = costs.get(after_month, costs.get(before_month, (0.0, "JPY")))[1]
        rate_row = con.execute(
            "SELECT rate_jpy FROM gcf_fx WHERE month = ? AND currency = ?",
            [after_month, currency],
        ).fetchone()
        rate = 1.0 if currency == "JPY" else float(rate_row[0]) if rate_row else None
        if rate is None:
            out.append(base)
            continue
        daily = costs.get(before_month, (0.0, currency))[0] / _days(before_month)
        after = costs.get(after_month, (0.0, currency))[0] / _days(after_month)
        monthly = (daily - after) * DAYS_PER_MONTH * rate
        fy = fiscal_year if fiscal_year is not None else month_fiscal_year(after_month)
        months = [m for m in fy_months(fy) if before_month < m <= after_month]
        in_fy = sum(daily * _days(m) - costs.get(m, (0.0, currency))[0] for m in months) * rate
        out.append(
            Realized(**{**base.__dict__, "realized_monthly_jpy": monthly, "realized_fy_jpy": in_fy})
        )
    return out
