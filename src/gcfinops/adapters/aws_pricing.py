"""AWS prices, list/contracted costs and commitments, written so the FOCUS 1.2 rules hold per row.

The FOCUS rules (FOCUS_Spec v1.2 `columns/listcost.md`, `contractedcost.md`, `listunitprice.md`,
`contractedunitprice.md`, `commitmentdiscountquantity.md`, attribute DiscountHandling; the
focus-validator 2.x model `ListCost-C-009-C`, `ContractedCost-C-009-C`, …):

- unit price × PricingQuantity = cost, for list and contracted prices, where both are set;
- a charge without a list price has ListCost = BilledCost (Spot usage, RIFee, most fees);
- ListUnitPrice and ContractedUnitPrice are set on Usage and Purchase rows, NULL on Tax;
- a commitment purchase that covers later usage has EffectiveCost 0; the part of it that was not
  used is a Usage row of its own with CommitmentDiscountStatus `Unused` (generated here, one per
  RIFee / SavingsPlanRecurringFee row with an unused amount);
- CommitmentDiscountQuantity/Unit on Usage and Purchase rows with a commitment: hours for
  Reserved Instances, money (the billing currency) for Savings Plans, as in the spec's own
  commitment examples (`specification/data/commitment_discount_scenarios/`).

Where AWS gives no list price, the contracted or list unit price is derived as cost / quantity
(never invented where the quantity is 0 or missing). Costs themselves always come from AWS's own
columns; nothing here changes an amount that reconciliation compares.
"""

from __future__ import annotations

from gcfinops.adapters.base import Expr, expr
from gcfinops.schema import MONEY

T = "{line_item_line_item_type}"
# Usage amounts and reserved units: DOUBLE like the lake's quantities. Every other numeric CUR
# column is a cost or a rate and is read as exact DECIMAL (CUR writes at most 10 decimals).
AWS_QUANTITIES = frozenset({
    "line_item_usage_amount", "line_item_normalized_usage_amount",
    "line_item_normalization_factor", "reservation_unused_quantity",
    "reservation_total_reserved_units",
})  # fmt: skip


def num(name: str) -> str:
    """A source column as a number (rates are text in CUR 2.0; empty means NULL): costs and
    rates as exact DECIMAL, quantities as DOUBLE (a DECIMAL × DECIMAL product would not fit)."""
    kind = "DOUBLE" if name in AWS_QUANTITIES else MONEY
    return "TRY_CAST({" + name + "} AS " + kind + ")"


SOURCE_BILLED = (
    f"COALESCE({num('line_item_net_unblended_cost')}, {num('line_item_unblended_cost')})"
)
BILLED = f"CASE WHEN {T} = 'SavingsPlanCoveredUsage' THEN 0 ELSE {SOURCE_BILLED} END"
COVERED = f"{T} IN ('SavingsPlanCoveredUsage', 'DiscountedUsage')"
NO_PRICE = f"{T} IN ('Tax', 'Credit', 'Refund') OR {T} LIKE '%Discount'"
SP_ARN = "NULLIF({savings_plan_savings_plan_a_r_n}, '')"
RI_ARN = "NULLIF({reservation_reservation_a_r_n}, '')"
QTY = num("line_item_usage_amount")
LIST_RATE = num("pricing_public_on_demand_rate")
PUBLIC_COST = num("pricing_public_on_demand_cost")
# A list price exists when AWS gives a non-zero public rate or cost (Spot and RIFee rows carry
# 0 or nothing there: FOCUS then wants ListCost = BilledCost).
HAS_LIST = f"(COALESCE({LIST_RATE}, 0) <> 0 OR COALESCE({PUBLIC_COST}, 0) <> 0)"

LIST_COST = (
    f"CASE WHEN {NO_PRICE} THEN {SOURCE_BILLED}"
    f" WHEN {HAS_LIST} THEN COALESCE(NULLIF({PUBLIC_COST}, 0), {LIST_RATE} * {QTY}, {BILLED})"
    f" ELSE {BILLED} END"
)
CONTRACTED_COST = (
    f"CASE WHEN {NO_PRICE} THEN {SOURCE_BILLED}"
    f" WHEN {COVERED} THEN COALESCE({PUBLIC_COST}, {SOURCE_BILLED})"
    f" ELSE COALESCE({num('line_item_unblended_cost')}, {SOURCE_BILLED}) END"
)


def _per_unit(cost: str) -> str:
    """cost / PricingQuantity where the quantity is non-zero; 0 for a zero cost."""
    return f"COALESCE(({cost}) / NULLIF({QTY}, 0), CASE WHEN ({cost}) = 0 THEN 0 END)"


LIST_UNIT_PRICE = (
    f"CASE WHEN {NO_PRICE} THEN NULL"
    f" WHEN COALESCE({LIST_RATE}, 0) <> 0 AND ({PUBLIC_COST} IS NULL OR {QTY} IS NULL"
    f" OR abs({LIST_RATE} * {QTY} - {PUBLIC_COST}) <= 1e-6 * (1 + abs({PUBLIC_COST})))"
    f" THEN {LIST_RATE} ELSE {_per_unit(LIST_COST)} END"
)
# AWS's rate when it prices the contracted cost (uncovered rows: the unblended rate; covered
# rows: the public on-demand rate that ContractedCost uses), else cost / quantity. On RI-covered
# rows the unblended rate is 0 while ContractedCost is the on-demand cost: the rate alone would
# break unit price × quantity = cost.
_CONTRACTED_RATE = (
    f"CASE WHEN {COVERED} THEN CASE WHEN {PUBLIC_COST} IS NOT NULL THEN {LIST_RATE} END"
    f" ELSE {num('line_item_unblended_rate')} END"
)
CONTRACTED_UNIT_PRICE = (
    f"CASE WHEN {NO_PRICE} THEN NULL"
    f" WHEN ({_CONTRACTED_RATE}) IS NOT NULL AND ({QTY} IS NULL"
    f" OR abs(({_CONTRACTED_RATE}) * {QTY} - ({CONTRACTED_COST}))"
    f" <= 1e-6 * (1 + abs({CONTRACTED_COST})))"
    f" THEN {_CONTRACTED_RATE} ELSE {_per_unit(CONTRACTED_COST)} END"
)

SP_EFFECTIVE = (
    f"COALESCE({num('savings_plan_net_savings_plan_effective_cost')}, "
    f"{num('savings_plan_savings_plan_effective_cost')})"
)
RI_EFFECTIVE = (
    f"COALESCE({num('reservation_net_effective_cost')}, {num('reservation_effective_cost')})"
)
SP_UNUSED = (
    f"COALESCE({num('savings_plan_total_commitment_to_date')}"
    f" - {num('savings_plan_used_commitment')}, 0)"
)
RI_UNUSED = (
    f"COALESCE({num('reservation_unused_amortized_upfront_fee_for_billing_period')}, 0)"
    f" + COALESCE({num('reservation_unused_recurring_fee')}, 0)"
)
UNUSED_COST = (
    f"CASE {T} WHEN 'RIFee' THEN {RI_UNUSED} WHEN 'SavingsPlanRecurringFee' THEN {SP_UNUSED} END"
)
# Unused hours of a reservation (CUR `reservation_unused_quantity`); unused money of a plan.
UNUSED_QUANTITY = (
    f"CASE {T} WHEN 'RIFee' THEN {num('reservation_unused_quantity')}"
    f" WHEN 'SavingsPlanRecurringFee' THEN {SP_UNUSED} END"
)
GENERATE_UNUSED = f"{T} IN ('RIFee', 'SavingsPlanRecurringFee') AND ({UNUSED_COST}) <> 0"
GENERATED_UNUSED = (
    "ChargeCategory = 'Usage' AND CommitmentDiscountStatus = 'Unused'"
    " AND x_SourceChargeType IN ('RIFee', 'SavingsPlanRecurringFee')"
)

EFFECTIVE_COST = (
    f"CASE {T}"
    f" WHEN 'SavingsPlanCoveredUsage' THEN {SP_EFFECTIVE}"
    f" WHEN 'DiscountedUsage' THEN {RI_EFFECTIVE}"
    " WHEN 'SavingsPlanRecurringFee' THEN 0 WHEN 'SavingsPlanUpfrontFee' THEN 0"
    " WHEN 'RIFee' THEN 0"
    f" ELSE CASE WHEN {T} = 'Fee' AND {RI_ARN} IS NOT NULL THEN 0 ELSE {SOURCE_BILLED} END END"
)

COMMITMENT_QUANTITY = (
    f"CASE WHEN COALESCE({SP_ARN}, {RI_ARN}) IS NULL THEN NULL ELSE CASE {T}"
    f" WHEN 'DiscountedUsage' THEN {QTY}"
    f" WHEN 'SavingsPlanCoveredUsage' THEN COALESCE("
    f"{num('savings_plan_savings_plan_effective_cost')}, {SP_EFFECTIVE})"
    f" WHEN 'RIFee' THEN {QTY}"
    f" WHEN 'SavingsPlanRecurringFee' THEN COALESCE("
    f"{num('savings_plan_total_commitment_to_date')}, {SOURCE_BILLED})"
    f" WHEN 'SavingsPlanUpfrontFee' THEN {SOURCE_BILLED}"
    f" WHEN 'Fee' THEN CASE WHEN {RI_ARN} IS NOT NULL"
    f" THEN {num('reservation_total_reserved_units')} END END END"
)
COMMITMENT_UNIT = (
    f"CASE WHEN ({COMMITMENT_QUANTITY}) IS NOT NULL THEN"
    f" CASE WHEN {SP_ARN} IS NOT NULL THEN {{line_item_currency_code}} ELSE 'Hours' END END"
)
UNUSED_UNIT = (
    f"CASE WHEN ({UNUSED_QUANTITY}) IS NOT NULL THEN"
    f" CASE WHEN {SP_ARN} IS NOT NULL THEN {{line_item_currency_code}} ELSE 'Hours' END END"
)

PRICING_CURRENCY = "COALESCE(NULLIF({pricing_currency}, ''), {line_item_currency_code})"
SAME_CURRENCY = f"({PRICING_CURRENCY}) = {{line_item_currency_code}}"


def in_pricing_currency(sql: str) -> str:
    """A billing-currency amount in the pricing currency: the same when they agree, else NULL
    (AWS's file does not carry the exchange rate it applied)."""
    return f"CASE WHEN {SAME_CURRENCY} THEN {sql} END"


def price_columns() -> dict[str, Expr]:
    """ListCost, ListUnitPrice, ContractedCost, ContractedUnitPrice, EffectiveCost, commitment
    quantity/unit and the PricingCurrency columns."""
    return {
        "ContractedCost": expr(
            CONTRACTED_COST,
            "`line_item_unblended_cost`; on covered usage `pricing_public_on_demand_cost`; "
            "= BilledCost on Tax/Credit/Refund/discounts",
        ),
        "ContractedUnitPrice": expr(
            CONTRACTED_UNIT_PRICE,
            "`line_item_unblended_rate` (covered usage: `pricing_public_on_demand_rate`) when "
            "rate × quantity = ContractedCost, else ContractedCost / quantity; NULL on "
            "Tax/Credit/Refund/discounts",
        ),
        "EffectiveCost": expr(
            EFFECTIVE_COST,
            "SavingsPlanCoveredUsage → SP (net) effective cost; DiscountedUsage → RI (net) "
            "effective cost; RIFee, SavingsPlanRecurringFee, SavingsPlanUpfrontFee, RI upfront "
            "Fee → 0 (the unused part is a generated Usage row, below); else = BilledCost",
        ),
        "ListCost": expr(
            LIST_COST,
            "`pricing_public_on_demand_cost`, else public rate × usage amount; = BilledCost "
            "where AWS gives no (non-zero) list price (Spot, RIFee, fees) and on "
            "Tax/Credit/Refund/discounts",
        ),
        "ListUnitPrice": expr(
            LIST_UNIT_PRICE,
            "`pricing_public_on_demand_rate` when rate × quantity = the public cost, else "
            "ListCost / quantity; NULL on Tax/Credit/Refund/discounts",
        ),
        "CommitmentDiscountQuantity": expr(
            COMMITMENT_QUANTITY,
            "DiscountedUsage and RIFee: usage amount (hours); SP covered usage: SP effective "
            "cost; SP recurring fee: commitment to date; SP upfront fee: its cost; RI upfront "
            "Fee: `reservation_total_reserved_units`",
        ),
        "CommitmentDiscountUnit": expr(
            COMMITMENT_UNIT,
            "`Hours` for reservations, the billing currency for Savings Plans (when a quantity "
            "is set)",
        ),
        "PricingCurrency": expr(PRICING_CURRENCY, "`pricing_currency`, else the billing currency"),
        "PricingCurrencyContractedUnitPrice": expr(
            in_pricing_currency(CONTRACTED_UNIT_PRICE),
            "ContractedUnitPrice when the pricing currency is the billing currency, else NULL",
        ),
        "PricingCurrencyEffectiveCost": expr(
            in_pricing_currency(EFFECTIVE_COST),
            "EffectiveCost when the pricing currency is the billing currency, else NULL",
        ),
        "PricingCurrencyListUnitPrice": expr(
            in_pricing_currency(LIST_UNIT_PRICE),
            "ListUnitPrice when the pricing currency is the billing currency, else NULL",
        ),
    }


def unused_commitment_row() -> dict[str, Expr]:
    """The generated Usage row for the unused part of an RI / Savings Plan fee (its other columns
    are those of the fee row: period, accounts, commitment id/type/category, SKU, region)."""
    commitment = f"COALESCE({SP_ARN}, {RI_ARN})"
    zero = expr("0", "0")
    return {
        "BilledCost": zero,
        "ChargeCategory": expr("'Usage'"),
        "ChargeClass": expr("NULL"),
        "ChargeDescription": expr(
            f"CASE {T} WHEN 'RIFee' THEN 'Unused reservation'"
            " ELSE 'Unused Savings Plan commitment' END"
        ),
        "ChargeFrequency": expr("'Usage-Based'"),
        "CommitmentDiscountQuantity": expr(UNUSED_QUANTITY),
        "CommitmentDiscountStatus": expr("'Unused'"),
        "CommitmentDiscountUnit": expr(UNUSED_UNIT),
        "ConsumedQuantity": expr("NULL"),
        "ConsumedUnit": expr("NULL"),
        "ContractedCost": zero,
        "ContractedUnitPrice": zero,
        "EffectiveCost": expr(UNUSED_COST),
        "ListCost": zero,
        "ListUnitPrice": zero,
        "PricingCategory": expr("'Committed'"),
        "PricingCurrencyContractedUnitPrice": expr(in_pricing_currency("0")),
        "PricingCurrencyEffectiveCost": expr(in_pricing_currency(UNUSED_COST)),
        "PricingCurrencyListUnitPrice": expr(in_pricing_currency("0")),
        "PricingQuantity": expr(UNUSED_QUANTITY),
        "PricingUnit": expr(UNUSED_UNIT),
        "ResourceId": expr(commitment),
        "ResourceName": expr("NULL"),
        "ResourceType": expr(
            f"CASE WHEN {SP_ARN} IS NOT NULL THEN 'Savings Plan' ELSE 'Reserved Instance' END"
        ),
        "x_SourceUnitPrice": expr("NULL"),
        "x_SourceBilledCost": expr("NULL"),
    }
