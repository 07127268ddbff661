"""Shipped populations of the 23 special wards (特別区), for cost per resident.

Source: 総務省統計局「令和2年国勢調査 人口等基本集計」(確報), population as of 2020-10-01
(令和2年10月1日), everyone usually resident, nationals and foreign residents alike. The census is
chosen over a 住民基本台帳 count because it is the one official figure taken on the same day for
every municipality (it is also the population 地方交付税 uses). The 23 figures add up to the 区部
total the census publishes, 9,733,276, which `tests/test_populations.py` checks.

A census is five years old by the end of its cycle: a ward that wants a current 住民基本台帳 figure
sets `[population]` (inline or a CSV, report.crossward), which overrides these per ward; the
report prints the source and reference date beside every per-resident figure either way.
"""

from __future__ import annotations

from types import MappingProxyType

SOURCE = "令和2年国勢調査 人口等基本集計（総務省統計局）"
REFERENCE_DATE = "2020-10-01"
SPECIAL_WARDS_TOTAL = 9_733_276  # 東京都区部, the census table's own total

# 全国地方公共団体コード (6 digits, with check digit) → population.
SPECIAL_WARDS: MappingProxyType[str, int] = MappingProxyType(
    {
        "131016": 66_680,  # 千代田区
        "131024": 169_179,  # 中央区
        "131032": 260_486,  # 港区
        "131041": 349_385,  # 新宿区
        "131059": 240_069,  # 文京区
        "131067": 211_444,  # 台東区
        "131075": 272_085,  # 墨田区
        "131083": 524_310,  # 江東区
        "131091": 422_488,  # 品川区
        "131105": 288_088,  # 目黒区
        "131113": 748_081,  # 大田区
        "131121": 943_664,  # 世田谷区
        "131130": 243_883,  # 渋谷区
        "131148": 344_880,  # 中野区
        "131156": 591_108,  # 杉並区
        "131164": 301_599,  # 豊島区
        "131172": 355_213,  # 北区
        "131181": 217_475,  # 荒川区
        "131199": 584_483,  # 板橋区
        "131202": 752_608,  # 練馬区
        "131211": 695_043,  # 足立区
        "131229": 453_093,  # 葛飾区
        "131237": 697_932,  # 江戸川区
    }
)


def label() -> str:
    """Source and reference date, as printed beside a per-resident figure."""
    return f"{SOURCE}, {REFERENCE_DATE}"
