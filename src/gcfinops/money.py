"""Yen amounts as municipal finance documents print them: 円 or 千円, commas, △ for decreases.

Rounding is 四捨五入 per cell (half-up, ties away from zero, so △ values mirror positive ones),
as municipal tables do (domain.md §5). Reports should sum unrounded amounts and round the total,
and say so. Floats are read through their shortest repr (0.1 + 0.2 is taken as
0.30000000000000004, 2.675 as 2.675), so rounding matches the number a person sees.
"""

from __future__ import annotations

import re
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal
from typing import Literal

Amount = float | int | Decimal
Lang = Literal["ja", "en"]
Unit = Literal["yen", "thousand"]
Sign = Literal["triangle", "minus"]

DASH = "—"  # printed for a missing or non-finite amount
TRIANGLE = "△"
# Exact arithmetic: quantize never fails on any float or huge Decimal.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, rounding=ROUND_HALF_UP)
_ONE = Decimal(1)
_NEGATIVE_MARKS = ("△", "▲", "-", "−")
_PARSE_RE = re.compile(r"(?P<yen>[¥￥]?)(?P<digits>\d{1,3}(?:,\d{3})*|\d+)(?P<unit>千円|円|k)?")


def _to_decimal(amount: Amount | None) -> Decimal | None:
    """Exact Decimal of an amount, or None when there is nothing printable (None, NaN, ±inf)."""
    if amount is None:
        return None
    if isinstance(amount, Decimal):
        value = amount
    elif isinstance(amount, int):
        value = Decimal(amount)
    else:
        value = Decimal(repr(float(amount)))
    return value if value.is_finite() else None


def _finite(amount: Amount) -> Decimal:
    value = _to_decimal(amount)
    if value is None:
        raise ValueError(f"amount must be a finite number (found {amount!r})")
    return value


def _no_negative_zero(value: Decimal) -> Decimal:
    """-0.4 rounds to 0, not -0, so it never prints as △0."""
    return value if value else value.copy_abs()


def to_yen(amount: Amount) -> Decimal:
    """Whole yen, rounded half-up (四捨五入): 1234.5 → 1235, -1234.5 → -1235."""
    return _no_negative_zero(_finite(amount).quantize(_ONE, context=_EXACT))


def to_thousand(amount: Amount) -> Decimal:
    """Yen to 千円, rounded half-up per cell: 1,234,567 → 1235; 1,500 → 2; -1,500 → -2."""
    thousands = _finite(amount).scaleb(-3, context=_EXACT)
    return _no_negative_zero(thousands.quantize(_ONE, context=_EXACT))


def _signed(body: str, negative: bool, lang: Lang, sign: Sign | None) -> str:
    if not negative:
        return body
    mark = sign or ("triangle" if lang == "ja" else "minus")
    if mark not in ("triangle", "minus"):
        raise ValueError(f"sign must be 'triangle' or 'minus' (found {sign!r})")
    return (TRIANGLE if mark == "triangle" else "-") + body


def format_jpy(
    amount: Amount | None,
    *,
    unit: Unit = "yen",
    lang: Lang = "ja",
    sign: Sign | None = None,
) -> str:
    """Print a yen amount for a report cell.

    ja: '1,234,567円', '1,235千円', '△54,317円'; en: '¥1,234,567', '¥1,235k', '-¥54,317'.
    sign defaults to △ for ja and '-' for en. None, NaN and ±inf print as '—'. An amount that
    rounds to zero prints without a sign.
    """
    if unit not in ("yen", "thousand"):
        raise ValueError(f"unit must be 'yen' or 'thousand' (found {unit!r})")
    if lang not in ("ja", "en"):
        raise ValueError(f"lang must be 'ja' or 'en' (found {lang!r})")
    value = _to_decimal(amount)
    if value is None:
        return DASH
    rounded = to_yen(value) if unit == "yen" else to_thousand(value)
    digits = f"{abs(rounded):,f}"
    if lang == "ja":
        body = digits + ("円" if unit == "yen" else "千円")
    else:
        body = "¥" + digits + ("" if unit == "yen" else "k")
    return _signed(body, rounded < 0, lang, sign)


def format_ratio(x: Amount | None, digits: int = 2) -> str:
    """A multiple such as cost against the FY2018 baseline: 2.314 → '×2.31'."""
    value = _to_decimal(x)
    if value is None:
        return DASH
    q = _no_negative_zero(value.quantize(Decimal(1).scaleb(-digits), context=_EXACT))
    return f"×{q:f}"


def format_pct(
    x: Amount | None, lang: Lang = "ja", *, digits: int = 1, sign: Sign | None = None
) -> str:
    """A fraction as a percentage: 0.1234 → '12.3%'; -0.3 → '△30.0%' (ja) or '-30.0%' (en)."""
    value = _to_decimal(x)
    if value is None:
        return DASH
    q = value.scaleb(2, context=_EXACT).quantize(Decimal(1).scaleb(-digits), context=_EXACT)
    return _signed(f"{abs(q):f}%", q < 0, lang, sign)


def parse_jpy(text: str) -> Decimal:
    """Read back a printed yen amount, in yen: '△1,235千円' → -1235000, '¥1,235k' → 1235000.

    Accepts △/▲/-/− for negatives, an optional ¥, and the units 円, 千円 and k.
    """
    s = text.strip().replace(" ", "").replace("\u3000", "")
    negative = s.startswith(_NEGATIVE_MARKS)
    if negative:
        s = s[1:]
    match = _PARSE_RE.fullmatch(s)
    if match is None:
        raise ValueError(f"not a yen amount: {text!r}")
    value = Decimal(match["digits"].replace(",", ""))
    if match["unit"] in ("千円", "k"):
        value = _EXACT.multiply(value, Decimal(1000))
    return -value if negative else value
