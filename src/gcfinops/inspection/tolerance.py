"""The one place that decides whether two amounts agree: causes, line tolerance, invoice tolerance.

Money is exact DECIMAL(38,18) in the lake, so the sums and differences of amounts here are exact.
The per-line tolerance stays: it does not absorb storage drift but the providers' own rounding.
A provider writes the unit price, the quantity and the cost each rounded on its own, so
price × quantity differs from the cost in the last decimals the provider writes, whatever the
lake's precision (and quantities are DOUBLE, so the product is a float too). Measured on the sample
(`gcfinops demo`): with a line tolerance of 0, every AWS scope of FY2024 lists 150–350
"unexplained" lines with residuals up to ±1e-10 USD (CUR's tenth decimal) and every Azure scope
2–5 with residuals below 1e-10 yen (the float product); with 1/10,000 of the minor unit exactly
the planted line (千代田区 2026-02, row 673, 0.10 USD) is left. Exactness changed what is compared,
not the threshold.

Why 1/10,000 of the minor unit per line (1e-6 USD, 1e-4 JPY): AWS CUR writes costs, usage amounts
and rates with up to 10 decimals each (rounded independently, so rate × usage can differ from the
cost in the 8th–10th decimal: 2.1e-10 USD in the public sample of formats.md §7), Google writes
`cost` as FLOAT and recommends summing in micros (1e-6), OCI writes up to 18 decimals, Azure and
Sakura write yen amounts. A residual below a ten-thousandth of the unit the invoice is rounded to
cannot change an invoice; anything above it is a difference a person has to explain.
Sources: docs/inspect.md.
"""

from __future__ import annotations

from decimal import Decimal

#: Every cause an inspection may name, in the order reports print them.
CAUSES: tuple[str, ...] = (
    "commitment",
    "negotiated",
    "credit",
    "tax",
    "rounding",
    "fx",
    "unexplained",
)

#: Per-line tolerance as a fraction of the billing currency's minor unit (see module docstring).
LINE_FRACTION_OF_MINOR_UNIT = Decimal("0.0001")

#: Digits after the decimal point of each currency's minor unit (ISO 4217); others have 2.
MINOR_DIGITS: dict[str, int] = {
    "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "UGX": 0, "XAF": 0, "XOF": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3, "IQD": 3,
}  # fmt: skip

#: Totals are reported to this many decimals (AWS CUR's 10); the rest lands in `rounding`.
REPORT_DECIMALS = 10

# Provider charge types that are negotiated discounts (AWS line item types, formats.md §2.5).
NEGOTIATED_SOURCE_TYPES: tuple[str, ...] = (
    "BundledDiscount", "Discount", "EdpDiscount", "PrivateRateDiscount", "RiVolumeDiscount",
    "SppDiscount", "DistributorDiscount",
)  # fmt: skip
# Provider charge types that are commitment purchases (AWS line item types, formats.md §2.5).
COMMITMENT_FEE_TYPES: tuple[str, ...] = (
    "SavingsPlanRecurringFee", "SavingsPlanUpfrontFee", "RIFee",
)  # fmt: skip

#: What the gap between BilledCost and the provider's pre-discount amount (ContractedCost) means
#: per provider: AWS bills `line_item_net_unblended_cost` (EDP/PPA discounts applied inside the
#: line), Google bills `cost + Σ credits`, Microsoft bills EffectivePrice × Quantity (after
#: tiering and negotiated discounts) while the lake's ContractedUnitPrice is the price-sheet
#: UnitPrice. For other providers BilledCost should equal the contracted amount, so a gap there
#: is checked like arithmetic.
POST_CONTRACT_CAUSE: dict[str, str] = {
    "AWS": "negotiated",
    "Google Cloud": "credit",
    "Microsoft": "negotiated",
}


def minor_unit(currency: str) -> Decimal:
    """The currency's smallest invoiced unit: 0.01 USD, 1 JPY."""
    return Decimal(1).scaleb(-MINOR_DIGITS.get(currency.upper(), 2))


def line_tolerance(currency: str) -> Decimal:
    """Largest per-line residual still counted as rounding."""
    return minor_unit(currency) * LINE_FRACTION_OF_MINOR_UNIT


def line_tolerance_sql(currency_column: str) -> str:
    """`line_tolerance` as a SQL expression over a currency column."""
    whens = " ".join(f"WHEN '{c}' THEN {line_tolerance(c)}" for c in sorted(MINOR_DIGITS, key=str))
    return f"(CASE upper({currency_column}) {whens} ELSE {line_tolerance('USD')} END)"


def within_sql(difference: str, tolerance: str) -> str:
    """The comparison itself (SQL): |difference| ≤ tolerance."""
    return f"(abs({difference}) <= {tolerance})"


def within(difference: Decimal, tolerance: Decimal) -> bool:
    """The comparison itself (Python, for totals): |difference| ≤ tolerance."""
    return abs(difference) <= tolerance


def invoice_tolerance(currency: str, invoice_lines: int) -> Decimal:
    """How far Σ lake may be from an invoice total: half a minor unit per rounded invoice line.

    An invoice rounds each of its lines (one per service) to the minor unit, so n lines can
    drift by at most n × ½ unit from the unrounded sum.
    """
    return minor_unit(currency) * Decimal("0.5") * max(invoice_lines, 1)


def quantize(value: float | Decimal | None) -> Decimal:
    """A DOUBLE sum as an exact Decimal at REPORT_DECIMALS (read through its shortest repr)."""
    if value is None:
        return Decimal(0)
    d = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return d.quantize(Decimal(1).scaleb(-REPORT_DECIMALS))
