"""Consumption-tax table and conversions, hand-computed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gcfinops import tax
from gcfinops.db import connect
from gcfinops.errors import ConfigError


@pytest.mark.parametrize(
    ("day", "rate"),
    [
        (date(1989, 3, 31), "0"),
        (date(1989, 4, 1), "0.03"),
        (date(1997, 3, 31), "0.03"),
        (date(1997, 4, 1), "0.05"),
        (date(2014, 3, 31), "0.05"),
        (date(2014, 4, 1), "0.08"),
        (date(2018, 4, 1), "0.08"),
        (date(2019, 9, 30), "0.08"),
        (date(2019, 10, 1), "0.10"),
        (date(2026, 3, 31), "0.10"),
    ],
)
def test_rate_on_each_switch(day: date, rate: str) -> None:
    assert tax.rate_on(day) == Decimal(rate)


def test_convert_by_month() -> None:
    # FY2018 (8 %): 1,080,000 税込 = 1,000,000 税抜
    assert tax.convert(Decimal(1_080_000), "2018-06", "included", "excluded") == 1_000_000
    # 2019-09 still 8 %, 2019-10 already 10 %
    assert tax.convert(Decimal(100), "2019-09", "excluded", "included") == Decimal("108.00")
    assert tax.convert(Decimal(100), "2019-10", "excluded", "included") == Decimal("110.00")
    assert tax.convert(Decimal(110), "2025-04", "included", "excluded") == 100
    assert tax.convert(Decimal(5), "2025-04", "included", "included") == 5


def test_convert_fiscal_year_spanning_the_switch() -> None:
    # FY2019: 6 months at 8 %, 6 at 10 %; 1,200,000 excluded → 6×100,000×1.08 + 6×100,000×1.10
    got = tax.convert_fiscal_year(Decimal(1_200_000), 2019, "excluded", "included")
    assert got == Decimal(648_000 + 660_000)
    # FY2018 is 8 % throughout
    assert tax.convert_fiscal_year(Decimal(1_080_000), 2018, "included", "excluded") == 1_000_000


def test_factor_sql_matches_python() -> None:
    con = connect()
    for month in ("1990-01", "2014-03", "2014-04", "2019-09", "2019-10", "2025-12"):
        for src, dst in (("included", "excluded"), ("excluded", "included")):
            sql = tax.factor_sql("m", src, dst)  # type: ignore[arg-type]
            row = con.execute(f"SELECT {sql} FROM (SELECT ? AS m) AS t", [month]).fetchone()
            assert row is not None
            expected = tax.convert(Decimal(1), month, src, dst)  # type: ignore[arg-type]
            assert float(row[0]) == pytest.approx(float(expected), rel=1e-12)


def test_parse_basis() -> None:
    assert tax.parse_basis("included") == "included"
    assert tax.parse_basis(" Excluded ") == "excluded"
    assert tax.parse_basis("税抜") == "excluded"
    with pytest.raises(ConfigError, match="--tax-basis must be included or excluded"):
        tax.parse_basis("net")
    assert tax.label("excluded") == "税抜"
    assert tax.label("included", "en") == "tax included"
