"""The shipped populations (gcfinops.populations) cover exactly the 23 special wards and add up
to the census's own 区部 total, so a mistyped figure cannot hide."""

from __future__ import annotations

from gcfinops import populations
from gcfinops.allocation.wards import SPECIAL_WARDS


def test_every_special_ward_and_nothing_else() -> None:
    assert set(populations.SPECIAL_WARDS) == {w.code for w in SPECIAL_WARDS}


def test_the_figures_add_up_to_the_published_ward_total() -> None:
    assert sum(populations.SPECIAL_WARDS.values()) == populations.SPECIAL_WARDS_TOTAL == 9_733_276


def test_label_names_source_and_reference_date() -> None:
    assert populations.label() == "令和2年国勢調査 人口等基本集計（総務省統計局）, 2020-10-01"
