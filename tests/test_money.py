"""Yen formatting as municipal tables print it, and half-up rounding, by example and property."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gcfinops.money import (
    DASH,
    format_jpy,
    format_pct,
    format_ratio,
    parse_jpy,
    to_thousand,
    to_yen,
)

UNITS = st.sampled_from(["yen", "thousand"])
LANGS = st.sampled_from(["ja", "en"])
SIGNS = st.sampled_from(["triangle", "minus", None])


@pytest.mark.parametrize(
    ("amount", "kwargs", "text"),
    [
        (1234567, {}, "1,234,567円"),
        (1234567, {"unit": "thousand"}, "1,235千円"),
        (-54317, {}, "△54,317円"),
        (-54317, {"unit": "thousand"}, "△54千円"),
        (1234567, {"lang": "en"}, "¥1,234,567"),
        (1234567, {"lang": "en", "unit": "thousand"}, "¥1,235k"),
        (-54317, {"lang": "en"}, "-¥54,317"),
        (-54317, {"sign": "minus"}, "-54,317円"),
        (-54317, {"lang": "en", "sign": "triangle"}, "△¥54,317"),
        (0, {}, "0円"),
        (-0.4, {}, "0円"),  # rounds to zero: no △0
        (1234.5, {}, "1,235円"),
        (Decimal("1499.5"), {"unit": "thousand"}, "1千円"),
        (1500, {"unit": "thousand"}, "2千円"),
        (-1500, {"unit": "thousand"}, "△2千円"),
        (2.675, {}, "3円"),
        (None, {}, DASH),
        (float("nan"), {}, DASH),
        (float("inf"), {"lang": "en"}, DASH),
        (Decimal("NaN"), {"unit": "thousand"}, DASH),
    ],
)
def test_format_jpy_examples(
    amount: float | Decimal | None, kwargs: dict[str, str], text: str
) -> None:
    assert format_jpy(amount, **kwargs) == text  # type: ignore[arg-type]  # kwargs from table


def test_format_jpy_rejects_unknown_unit() -> None:
    with pytest.raises(ValueError, match="unit"):
        format_jpy(1, unit="man")  # type: ignore[arg-type]  # the point of the test


def test_to_thousand_and_to_yen_round_half_up() -> None:
    assert to_thousand(1234567) == Decimal(1235)
    assert to_thousand(500) == Decimal(1)
    assert to_thousand(499.999) == Decimal(0)
    assert to_thousand(-500) == Decimal(-1)
    assert to_yen(0.5) == Decimal(1)
    assert to_yen(-0.5) == Decimal(-1)
    assert str(to_yen(-0.4)) == "0"


def test_to_thousand_refuses_non_finite() -> None:
    with pytest.raises(ValueError, match="finite"):
        to_thousand(float("nan"))


def test_ratio_and_pct() -> None:
    assert format_ratio(2.314) == "×2.31"
    assert format_ratio(2.315) == "×2.32"
    assert format_ratio(0.7) == "×0.70"
    assert format_ratio(None) == DASH
    assert format_pct(0.1234) == "12.3%"
    assert format_pct(-0.3) == "△30.0%"
    assert format_pct(-0.3, "en") == "-30.0%"
    assert format_pct(-0.0001) == "0.0%"
    assert format_pct(float("nan")) == DASH


def test_parse_jpy_reads_document_forms() -> None:
    assert parse_jpy("△ 54,317") == Decimal(-54317)
    assert parse_jpy("▲1,235千円") == Decimal(-1235000)
    assert parse_jpy("¥1,235k") == Decimal(1235000)
    assert parse_jpy("1,234,567円") == Decimal(1234567)
    with pytest.raises(ValueError, match="not a yen amount"):
        parse_jpy("—")
    with pytest.raises(ValueError, match="not a yen amount"):
        parse_jpy("12,34円")


def _half_up(x: Fraction) -> int:
    """Reference 四捨五入 on exact fractions, independent of the decimal module's rounding."""
    n = math.floor(abs(x) + Fraction(1, 2))
    return -n if x < 0 else n


@given(st.floats(), UNITS, LANGS, SIGNS)
def test_format_jpy_never_raises(x: float, unit: str, lang: str, sign: str | None) -> None:
    text = format_jpy(x, unit=unit, lang=lang, sign=sign)  # type: ignore[arg-type]  # sampled
    assert (text == DASH) == (not math.isfinite(x))


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_thousands_rounding_is_half_up_on_integers(n: int) -> None:
    expected = (abs(n) + 500) // 1000
    assert to_thousand(n) == (-expected if n < 0 else expected)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e18, max_value=1e18))
def test_thousands_rounding_matches_reference(x: float) -> None:
    shown = Fraction(Decimal(repr(x)))  # the number as a person reads it
    assert to_thousand(x) == _half_up(shown / 1000)
    assert to_yen(x) == _half_up(shown)


@given(st.floats(allow_nan=False, allow_infinity=False), UNITS, LANGS, SIGNS)
def test_parsed_back_number_equals_rounded_value(
    x: float, unit: str, lang: str, sign: str | None
) -> None:
    text = format_jpy(x, unit=unit, lang=lang, sign=sign)  # type: ignore[arg-type]  # sampled
    expected = to_yen(x) if unit == "yen" else to_thousand(x) * 1000
    assert parse_jpy(text) == expected


@given(st.decimals(allow_nan=True, allow_infinity=True), UNITS)
def test_format_jpy_never_raises_on_decimals(d: Decimal, unit: str) -> None:
    format_jpy(d, unit=unit)  # type: ignore[arg-type]  # sampled
