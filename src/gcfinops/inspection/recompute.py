"""Recompute every billed line from its unit price and quantity, in one DuckDB query.

Per line (FOCUS columns; provider-specific meaning in docs/inspect.md):

- L (recomputed, list basis) = ListUnitPrice × PricingQuantity (the source unit price when
  the format has no list price); lines without a unit price or quantity use the provider's ListCost
  and are counted as "taken as billed" (`priced = FALSE`): they can be explained but not checked.
- C = source unit price × PricingQuantity (x_SourceUnitPrice: the rate as the provider wrote it,
  else ContractedUnitPrice), P = ContractedCost (the provider's own amount
  before after-the-fact discounts), B = BilledCost.
- When B = L (or B = C) within the line tolerance the line is priced as billed and only that
  rounding (and C − L) is left, whatever the provider's other amount columns say.
- Else B − L = (C − L) + (P − C) + (B − P): the rate difference is `negotiated` (or `commitment` on
  covered usage), P − C is the arithmetic check (`rounding`/`fx` within the line tolerance, else
  `unexplained`), and B − P is the provider's post-contract discount (tolerance.py
  POST_CONTRACT_CAUSE; checked like arithmetic for providers that have none).
- Tax, credits, negotiated-discount lines and commitment purchases have L = 0 and their whole
  amount is their cause; usage covered by a commitment owes B − L to `commitment`.

Each line's cause columns add up to B − L exactly (in real arithmetic), so totals do too.
Only standard SQL over lake columns; no Python loop touches a billing row.
"""

from __future__ import annotations

from gcfinops.inspection.tolerance import (
    COMMITMENT_FEE_TYPES,
    NEGOTIATED_SOURCE_TYPES,
    POST_CONTRACT_CAUSE,
    line_tolerance_sql,
    within_sql,
)


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def _post_cause_sql() -> str:
    whens = " ".join(f"WHEN '{p}' THEN '{c}'" for p, c in sorted(POST_CONTRACT_CAUSE.items()))
    return f"CASE ProviderName {whens} END"


# The provider's own unit price where the lake keeps it (AWS: `line_item_unblended_rate`, which
# the FOCUS mapping replaces by cost / quantity when the two disagree), else ContractedUnitPrice.
SOURCE_PRICE = "COALESCE(x_SourceUnitPrice, ContractedUnitPrice)"


def lines_sql(source: str = "scoped") -> str:
    """SELECT of one row per lake line of `source`: amounts, lineage and a column per cause."""
    priced = f"({SOURCE_PRICE} IS NOT NULL AND PricingQuantity IS NOT NULL)"
    kind = (
        "CASE WHEN ChargeCategory = 'Tax' THEN 'tax'"
        f" WHEN x_SourceChargeType IN {_in(NEGOTIATED_SOURCE_TYPES)} THEN 'negotiated'"
        " WHEN ChargeCategory IN ('Credit', 'Adjustment') THEN 'credit'"
        " WHEN ChargeCategory = 'Purchase' AND (CommitmentDiscountId IS NOT NULL"
        f" OR x_SourceChargeType IN {_in(COMMITMENT_FEE_TYPES)}) THEN 'commitment'"
        " WHEN CommitmentDiscountStatus = 'Used' OR PricingCategory = 'Committed' THEN 'covered'"
        " ELSE 'usage' END"
    )
    return f"""
WITH k AS (
  SELECT *, {SOURCE_PRICE} AS source_price, {kind} AS kind, {priced} AS priced,
         {line_tolerance_sql("BillingCurrency")} AS tol,
         {_post_cause_sql()} AS post_cause,
         (PricingCurrency IS NOT NULL AND PricingCurrency <> BillingCurrency) AS fx_line
  FROM {source}
), a AS (
  SELECT *,
    CASE WHEN kind IN ('covered', 'usage') THEN
      CASE WHEN priced THEN COALESCE(ListUnitPrice, source_price) * PricingQuantity
           ELSE COALESCE(ListCost, ContractedCost, BilledCost) END
    ELSE 0 END AS recomputed,
    CASE WHEN priced THEN source_price * PricingQuantity
         ELSE COALESCE(ContractedCost, BilledCost) END AS contracted
  FROM k
), d AS (
  SELECT *,
    COALESCE(ContractedCost, contracted) - contracted AS arith,
    BilledCost - COALESCE(ContractedCost, contracted) AS post
  FROM a
), m AS (
  SELECT *,
    {within_sql("BilledCost - recomputed", "tol")} AS match_list,
    {within_sql("BilledCost - contracted", "tol")} AS match_contracted
  FROM d
), r AS (
  SELECT *,
    CASE WHEN match_list THEN BilledCost - recomputed
         WHEN match_contracted THEN BilledCost - contracted
         ELSE arith + CASE WHEN post_cause IS NULL THEN post ELSE 0 END END AS residual,
    CASE WHEN match_list OR match_contracted THEN 0 ELSE post END AS post_explained,
    CASE WHEN match_list THEN 0 ELSE contracted - recomputed END AS rate_diff
  FROM m
)
SELECT
  ProviderName AS provider, BillingAccountId AS billing_account, InvoiceId AS invoice_id,
  BillingCurrency AS currency, COALESCE(ServiceName, '') AS service,
  x_SourceFile AS source_file, x_SourceRow AS source_row, ResourceId AS resource_id,
  source_price AS unit_price, ListUnitPrice AS list_unit_price,
  PricingQuantity AS quantity, PricingUnit AS pricing_unit,
  kind, priced, BilledCost AS billed, recomputed,
  CASE kind WHEN 'commitment' THEN BilledCost WHEN 'covered' THEN BilledCost - recomputed
    ELSE 0 END AS c_commitment,
  CASE kind WHEN 'negotiated' THEN BilledCost
    WHEN 'usage' THEN rate_diff
      + CASE WHEN post_cause = 'negotiated' THEN post_explained ELSE 0 END
    ELSE 0 END AS c_negotiated,
  CASE kind WHEN 'credit' THEN BilledCost
    WHEN 'usage' THEN CASE WHEN post_cause = 'credit' THEN post_explained ELSE 0 END
    ELSE 0 END AS c_credit,
  CASE kind WHEN 'tax' THEN BilledCost ELSE 0 END AS c_tax,
  CASE WHEN kind = 'usage' AND {within_sql("residual", "tol")} AND NOT fx_line
    THEN residual ELSE 0 END AS c_rounding,
  CASE WHEN kind = 'usage' AND {within_sql("residual", "tol")} AND fx_line
    THEN residual ELSE 0 END AS c_fx,
  CASE WHEN kind = 'usage' AND NOT {within_sql("residual", "tol")}
    THEN residual ELSE 0 END AS c_unexplained
FROM r"""


CAUSE_SUMS = (
    "sum(billed), sum(recomputed), sum(c_commitment), sum(c_negotiated), sum(c_credit), "
    "sum(c_tax), sum(c_rounding), sum(c_fx), sum(c_unexplained), count(*), "
    "count(*) FILTER (WHERE kind IN ('usage', 'covered') AND NOT priced)"
)
CAUSE_ORDER = ("commitment", "negotiated", "credit", "tax", "rounding", "fx", "unexplained")
