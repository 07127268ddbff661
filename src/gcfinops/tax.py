"""Japanese consumption tax (消費税, national + local) by date, and conversion between bases.

FY2018 settled amounts (決算) carry 8 % and today's bills 10 %, so a like-for-like comparison puts
both on one basis and says which (`included` = 税込, `excluded` = 税抜). The standard rate is the
only one that applies to cloud services and IT contracts (the reduced 8 % rate of 2019-10 covers
food and newspapers only). The rate table is here and nowhere else:

| from       | rate | law                                           |
|------------|------|-----------------------------------------------|
| 1989-04-01 | 3 %  | 消費税法 (1988)                               |
| 1997-04-01 | 5 %  | 4 % national + 1 % local consumption tax      |
| 2014-04-01 | 8 %  | 税制抜本改革法 (2012), first step             |
| 2019-10-01 | 10 % | second step (postponed twice from 2015-10)     |

A month takes the rate in force on its first day (the switches fall on a month's first day).
Conversions are exact (Decimal); a fiscal year that spans a switch (FY2019: Apr–Sep 8 %,
Oct–Mar 10 %) converts an annual amount as twelve equal monthly parts (grouped by rate, so a
year at one rate converts exactly).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from gcfinops.errors import ConfigError
from gcfinops.jpcalendar import fy_months, parse_month

TaxBasis = Literal["included", "excluded"]
TAX_BASES: tuple[TaxBasis, ...] = ("included", "excluded")
DEFAULT_TAX_BASIS: TaxBasis = "included"

# (first day, rate) in date order; before the first entry there was no consumption tax.
RATES: tuple[tuple[date, Decimal], ...] = (
    (date(1989, 4, 1), Decimal("0.03")),
    (date(1997, 4, 1), Decimal("0.05")),
    (date(2014, 4, 1), Decimal("0.08")),
    (date(2019, 10, 1), Decimal("0.10")),
)
LABELS = {
    "ja": {"included": "税込", "excluded": "税抜"},
    "en": {"included": "tax included", "excluded": "tax excluded"},
}


def parse_basis(value: str, *, where: str = "--tax-basis") -> TaxBasis:
    """'included' or 'excluded' (税込 / 税抜 accepted); ConfigError naming `where` otherwise."""
    text = value.strip().lower()
    aliases: dict[str, TaxBasis] = {"税込": "included", "税抜": "excluded"}
    if text in TAX_BASES:
        return "included" if text == "included" else "excluded"
    if value.strip() in aliases:
        return aliases[value.strip()]
    raise ConfigError(f"{where} must be included or excluded (found {value!r})")


def rate_on(day: date) -> Decimal:
    """The standard consumption-tax rate in force on `day` (0 before 1989-04-01)."""
    rate = Decimal(0)
    for start, r in RATES:
        if day >= start:
            rate = r
    return rate


def rate_of_month(month: str) -> Decimal:
    """The rate of a 'YYYY-MM' month (in force on its first day)."""
    y, m = parse_month(month)
    return rate_on(date(y, m, 1))


def convert(amount: Decimal, month: str, source: TaxBasis, target: TaxBasis) -> Decimal:
    """`amount` of `month` from one basis to the other (unrounded: round only at display)."""
    if source == target:
        return amount
    factor = 1 + rate_of_month(month)
    return amount / factor if target == "excluded" else amount * factor


def convert_fiscal_year(amount: Decimal, fy: int, source: TaxBasis, target: TaxBasis) -> Decimal:
    """An annual amount of fiscal year `fy`, spread evenly over its months and converted."""
    if source == target:
        return amount
    months: dict[Decimal, int] = {}
    for m in fy_months(fy):
        r = rate_of_month(m)
        months[r] = months.get(r, 0) + 1
    total = Decimal(0)
    for r, n in months.items():
        part = amount * n / 12
        total += part / (1 + r) if target == "excluded" else part * (1 + r)
    return total


def factor_sql(month_expr: str, source: TaxBasis, target: TaxBasis) -> str:
    """A standard-SQL expression: multiply an amount of month `month_expr` ('YYYY-MM') by it."""
    if source == target:
        return "1.0"
    case = " ".join(
        f"WHEN {month_expr} >= '{start:%Y-%m}' THEN {1 + rate}" for start, rate in reversed(RATES)
    )
    rate_plus_one = f"(CASE {case} ELSE 1.0 END)"
    return f"(1.0 / {rate_plus_one})" if target == "excluded" else rate_plus_one


def label(basis: TaxBasis, lang: str = "ja") -> str:
    """税込 / 税抜 (or the English words)."""
    return LABELS["en" if lang == "en" else "ja"][basis]
