"""The report's cloud cost in yen: billing-period months, FX, tax basis and apportionment (按分).

TEMP tables it leaves for `report.data` and `report.sections`:

- `gcf_cloud_raw`: lake lines summed per billing month, provider, accounts, service, charge
  category, commitment, ward, 業務, currency and tag state, in the billing currency;
- `gcf_cloud_jpy`: the same in yen (the FX rate of the billing month), without corrections of an
  earlier fiscal year: the cost *before* apportionment;
- `gcf_cloud_alloc`: after apportionment (`allocation.apportion`), with `rule` / `split_status`;
- `gcf_cloud_prior`: corrections of an earlier fiscal year (ChargeClass 'Correction' whose charge
  period lies in an earlier 年度 than its billing period). In municipal accounts a refund of an
  earlier year is revenue (歳入) of the year it is received (地方自治法施行令 第143条 assigns
  expenditure by the period of use), so it is shown apart and never netted into 運用経費.

Months are billing periods (`BillingPeriodStart`): AWS's UTC calendar month, Google Cloud's invoice
month (US Pacific, so its lines run to 07:00/08:00 UTC of the next month), Azure's billing period.
Apportionment may move cost between wards, so a report reads every ward's lines of the billing
accounts it needs: for one ward, the billing accounts holding that ward's lines or lines of no ward
(the built-in rules never leave a billing account); the whole lake when a `[[allocation.split]]`
rule moves cost between wards or a report covers every ward. So a missing FX rate of an unrelated
ward's account does not stop a ward's report.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gcfinops.allocation.apportion import apportion_sql
from gcfinops.allocation.split import SplitRule
from gcfinops.fx import FxTable, register_fx, require_rates
from gcfinops.jpcalendar import fy_end_exclusive, fy_start
from gcfinops.report import lakescan
from gcfinops.tax import TaxBasis
from gcfinops.workspace import Workspace

if TYPE_CHECKING:
    import duckdb

BILLING_PERIOD = "coalesce(l.BillingPeriodStart, l.ChargePeriodStart)"
MONTH_SQL = f"strftime({BILLING_PERIOD}, '%Y-%m')"


def _fiscal_year_sql(ts: str) -> str:
    return f"(extract(year FROM {ts}) - CASE WHEN extract(month FROM {ts}) < 4 THEN 1 ELSE 0 END)"


_RAW_SQL = f"""
CREATE OR REPLACE TEMP TABLE gcf_cloud_raw AS
SELECT {MONTH_SQL} AS month, l.ProviderName AS provider, l.BillingAccountId AS billing_account,
       l.SubAccountId AS sub_account, coalesce(l.ServiceName, '') AS service,
       l.ChargeCategory AS charge_category, l.CommitmentDiscountId AS commitment_id,
       l.x_Ward AS ward, l.x_BusinessSystem AS business_system, l.BillingCurrency AS currency,
       (l.Tags IS NULL OR cardinality(l.Tags) = 0) AS untagged,
       coalesce(l.ChargeClass = 'Correction'
                AND {_fiscal_year_sql("l.ChargePeriodStart")}
                    < {_fiscal_year_sql(BILLING_PERIOD)}, FALSE) AS prior_year,
       sum(l.{{cost}}) AS amount,
       sum(CASE WHEN l.ChargeCategory = 'Usage'
                THEN CASE WHEN l.EffectiveCost <> 0 THEN l.EffectiveCost
                          ELSE coalesce(l.ListCost, 0) END
                ELSE 0 END) AS weight
FROM lake AS l
WHERE {BILLING_PERIOD} >= $start AND {BILLING_PERIOD} < $end AND l.ChargePeriodStart < $stamp
  {{tax_filter}} {{scope_filter}}
GROUP BY ALL
"""
#: gcf_cloud_raw from the report's one pass over the lake (`report.lakescan`): same rows.
_RAW_FROM_PASS_SQL = f"""
CREATE OR REPLACE TEMP TABLE gcf_cloud_raw AS
SELECT month, provider, billing_account, sub_account, service, charge_category, commitment_id,
       ward, business_system, currency, untagged, prior_year,
       sum(amount) AS amount, sum(weight) AS weight
FROM {lakescan.COST_ROWS} AND before_stamp AND month >= $start AND month < $end
  {{tax_filter}} {{scope_filter}}
GROUP BY month, provider, billing_account, sub_account, service, charge_category, commitment_id,
         ward, business_system, currency, untagged, prior_year
"""
_SCOPE_FROM_PASS_SQL = f"""
CREATE OR REPLACE TEMP TABLE gcf_scope_accounts AS
SELECT DISTINCT provider, billing_account
FROM {lakescan.COST_ROWS} AND month >= $start AND month < $end
  AND (ward IS NULL OR ward IN (SELECT ward FROM gcf_selected))
"""
_SCOPE_FROM_PASS_FILTER = """AND EXISTS (SELECT 1 FROM gcf_scope_accounts AS a
  WHERE a.provider IS NOT DISTINCT FROM g.provider
    AND a.billing_account IS NOT DISTINCT FROM g.billing_account)"""
RATES_RELATION = (
    "(SELECT currency AS BillingCurrency, CAST(month || '-01' AS TIMESTAMP) AS ChargePeriodStart"
    " FROM gcf_cloud_raw)"
)
_SCOPE_SQL = f"""
CREATE OR REPLACE TEMP TABLE gcf_scope_accounts AS
SELECT DISTINCT l.ProviderName AS provider, l.BillingAccountId AS billing_account
FROM lake AS l
WHERE {BILLING_PERIOD} >= $start AND {BILLING_PERIOD} < $end
  AND (l.x_Ward IS NULL OR l.x_Ward IN (SELECT ward FROM gcf_selected))
"""
_SCOPE_FILTER = """AND EXISTS (SELECT 1 FROM gcf_scope_accounts AS a
  WHERE a.provider IS NOT DISTINCT FROM l.ProviderName
    AND a.billing_account IS NOT DISTINCT FROM l.BillingAccountId)"""
_JPY_SQL = """
CREATE OR REPLACE TEMP TABLE {table} AS
SELECT c.month, c.provider, c.billing_account, c.sub_account, c.service, c.charge_category,
       c.commitment_id, c.ward, c.business_system, c.untagged,
       c.amount * f.rate_jpy AS amount_jpy, c.weight * f.rate_jpy AS weight_jpy
FROM gcf_cloud_raw AS c JOIN gcf_fx AS f ON f.month = c.month AND f.currency = c.currency
WHERE {where}
"""


def load_cloud(
    con: duckdb.DuckDBPyConnection,
    ws: Workspace,
    fy: int,
    stamp: datetime,
    *,
    cost_column: str,
    tax_basis: TaxBasis,
    rules: tuple[SplitRule, ...],
    fx: FxTable | None = None,
    selected_only: bool = False,
    from_pass: bool = False,
) -> None:
    """Build the TEMP tables of the module docstring for fiscal years fy − 1 and fy.

    `from_pass`: aggregate the report's one pass over the lake (TEMP `gcf_lake_agg`,
    `report.lakescan.build`, made with the same cost column) instead of reading the lake.

    `selected_only`: read only the billing accounts of the wards in TEMP `gcf_selected` (and of
    lines without a ward), unless a user rule moves cost between wards.
    """
    lo = datetime.combine(fy_start(fy - 1), datetime.min.time(), UTC)
    hi = datetime.combine(fy_end_exclusive(fy), datetime.min.time(), UTC)
    tax_filter = "AND coalesce(l.ChargeCategory, '') <> 'Tax'" if tax_basis == "excluded" else ""
    scoped = selected_only and not any("ward" in r.to for r in rules if not r.builtin)
    months = {"start": f"{lo:%Y-%m}", "end": f"{hi:%Y-%m}"}
    if scoped:  # no stamp in the scope: the pass always has it
        if from_pass:
            con.execute(_SCOPE_FROM_PASS_SQL, months)
        else:
            con.execute(_SCOPE_SQL, {"start": lo, "end": hi})
    if from_pass and lakescan.cost_is_exact(con, months["start"], months["end"], stamp):
        con.execute(
            _RAW_FROM_PASS_SQL.format(
                tax_filter=tax_filter.replace("l.ChargeCategory", "charge_category"),
                scope_filter=_SCOPE_FROM_PASS_FILTER if scoped else "",
            ),
            months,
        )
    else:  # a line of the years starts after as_of: the per-line filter, on the lake
        con.execute(
            _RAW_SQL.format(
                cost=cost_column,
                tax_filter=tax_filter,
                scope_filter=_SCOPE_FILTER if scoped else "",
            ),
            {"start": lo, "end": hi, "stamp": stamp},
        )
    register_fx(con, fx if fx is not None else FxTable.load(ws.fx_path), RATES_RELATION)
    require_rates(con, RATES_RELATION)
    con.execute(_JPY_SQL.format(table="gcf_cloud_jpy", where="NOT c.prior_year"))
    con.execute(_JPY_SQL.format(table="gcf_cloud_prior", where="c.prior_year"))
    for stmt in apportion_sql(rules, "gcf_cloud_jpy", "gcf_cloud_alloc"):
        con.execute(stmt)
