"""Ward codes, check digits and spellings (allocation/wards.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gcfinops.allocation.wards import (
    SPECIAL_WARDS,
    Ward,
    WardDirectory,
    alias_key,
    check_digit,
    is_valid_code,
    kana_variants,
)
from gcfinops.errors import ConfigError

# Copied from shared/reference/domain.md §4 (総務省 全国地方公共団体コード), not from the code.
DOMAIN_WARDS = [
    ("131016", "千代田区", "Chiyoda-ku"),
    ("131024", "中央区", "Chūō-ku"),
    ("131032", "港区", "Minato-ku"),
    ("131041", "新宿区", "Shinjuku-ku"),
    ("131059", "文京区", "Bunkyō-ku"),
    ("131067", "台東区", "Taitō-ku"),
    ("131075", "墨田区", "Sumida-ku"),
    ("131083", "江東区", "Kōtō-ku"),
    ("131091", "品川区", "Shinagawa-ku"),
    ("131105", "目黒区", "Meguro-ku"),
    ("131113", "大田区", "Ōta-ku"),
    ("131121", "世田谷区", "Setagaya-ku"),
    ("131130", "渋谷区", "Shibuya-ku"),
    ("131148", "中野区", "Nakano-ku"),
    ("131156", "杉並区", "Suginami-ku"),
    ("131164", "豊島区", "Toshima-ku"),
    ("131172", "北区", "Kita-ku"),
    ("131181", "荒川区", "Arakawa-ku"),
    ("131199", "板橋区", "Itabashi-ku"),
    ("131202", "練馬区", "Nerima-ku"),
    ("131211", "足立区", "Adachi-ku"),
    ("131229", "葛飾区", "Katsushika-ku"),
    ("131237", "江戸川区", "Edogawa-ku"),
]
OTHER_VALID = ["011002", "141003", "132098", "322016", "130001", "131008"]  # domain.md §4


def test_special_wards_match_the_reference_table_in_code_order() -> None:
    assert [(w.code, w.kanji, w.romaji) for w in SPECIAL_WARDS] == DOMAIN_WARDS


@pytest.mark.parametrize("code", [c for c, _, _ in DOMAIN_WARDS] + OTHER_VALID)
def test_reference_codes_pass_the_check_digit(code: str) -> None:
    assert is_valid_code(code)
    assert check_digit(code[:5]) == int(code[5])


def test_check_digit_worked_examples_from_the_reference() -> None:
    # 千代田 S=27 r=5 -> 6; 新宿 S=33 r=0 -> 1; 渋谷 S=34 r=1 -> 0; 品川 S=43 r=10 -> 1
    assert [check_digit(c) for c in ("13101", "13104", "13113", "13109")] == [6, 1, 0, 1]


@pytest.mark.parametrize("code", [c for c, _, _ in DOMAIN_WARDS] + OTHER_VALID)
def test_every_other_last_digit_is_rejected(code: str) -> None:
    wrong = [code[:5] + d for d in "0123456789" if d != code[5]]
    assert not any(is_valid_code(w) for w in wrong)


@pytest.mark.parametrize(
    "code", ["131122", "131017", "13112", "1311210", "13112a", "", "１３１１２１", " 131121"]
)
def test_malformed_or_corrupted_codes_are_invalid(code: str) -> None:
    assert not is_valid_code(code)


def test_check_digit_rejects_non_digits() -> None:
    with pytest.raises(ValueError):
        check_digit("1310a")


@pytest.fixture(scope="module")
def wards() -> WardDirectory:
    return WardDirectory()


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("131121", "131121"),
        ("13112", "131121"),
        ("13112-1", "131121"),
        ("１３１１２１", "131121"),
        ("世田谷区", "131121"),
        ("世田谷", "131121"),
        ("東京都世田谷区", "131121"),
        ("せたがやく", "131121"),
        ("せたがや", "131121"),
        ("セタガヤク", "131121"),
        ("setagaya", "131121"),
        ("Setagaya-ku", "131121"),
        ("SETAGAYA", "131121"),
        ("Setagaya City", "131121"),
        ("setagaya_ward", "131121"),
        ("  Setagaya ku ", "131121"),
        ("ｓｅｔａｇａｙａ", "131121"),
        ("Chūō", "131024"),
        ("Chuo", "131024"),
        ("Chuou", "131024"),
        ("Chuuou", "131024"),
        ("CHŪŌ-KU", "131024"),
        ("中央区", "131024"),
        ("ちゅうおう", "131024"),
        ("Ōta", "131113"),
        ("Ohta-ku", "131113"),
        ("oota", "131113"),
        ("大田", "131113"),
        ("Koto City", "131083"),
        ("Kōtō-ku", "131083"),
        ("kita", "131172"),
        ("北", "131172"),
        ("港区", "131032"),
        ("Edogawa", "131237"),
    ],
)
def test_spellings_normalize_to_the_code(wards: WardDirectory, spelling: str, code: str) -> None:
    assert wards.normalize(spelling) == code


@pytest.mark.parametrize("code", ["011002", "141003", "132098"])
def test_valid_code_outside_the_directory_is_accepted_as_is(
    wards: WardDirectory, code: str
) -> None:
    assert wards.get(code) is None
    assert wards.normalize(code) == code


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "  ",
        "131122",  # corrupted check digit
        "000001",  # checksum-valid (S=0 -> 1) but prefecture 00 does not exist
        "48100" + str(check_digit("48100")),  # prefecture 48 does not exist
        "01100",  # 5 digits of a municipality not in the directory: no check digit to trust
        "setagayaa",
        "Tokyo",
        "区",
    ],
)
def test_unknown_values_are_not_allocated(wards: WardDirectory, value: str | None) -> None:
    assert wards.normalize(value) is None


def test_config_municipality_adds_its_spellings() -> None:
    machida = Ward("132098", "町田市", "まちだし", "Machida-shi", "Machida City")
    wards = WardDirectory([machida])
    assert wards.get("132098") == machida
    for spelling in ("町田市", "町田", "まちだし", "マチダ", "Machida", "machida-city", "13209"):
        assert wards.normalize(spelling) == "132098", spelling
    assert wards.normalize("setagaya") == "131121"  # built-ins still there


def test_spelling_shared_by_two_municipalities_is_dropped_not_guessed() -> None:
    chiba_chuo = Ward("121011", "中央区", "ちゅうおうく", "Chūō-ku", "Chuo Ward")
    assert is_valid_code(chiba_chuo.code)
    wards = WardDirectory([chiba_chuo])
    assert wards.normalize("中央区") is None
    assert wards.normalize("chuo") is None
    assert wards.normalize("131024") == "131024"
    assert wards.normalize("東京都中央区") == "131024"
    assert wards.normalize("121011") == "121011"
    assert alias_key("中央区") in wards.ambiguous


def test_config_municipality_with_bad_check_digit_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="132099"):
        WardDirectory([Ward("132099", "町田市", "", "", "")])


def test_alias_rows_are_unique_keys_pointing_at_valid_codes(wards: WardDirectory) -> None:
    rows = wards.alias_rows()
    keys = [k for k, _ in rows]
    assert len(keys) == len(set(keys))
    assert all(is_valid_code(code) for _, code in rows)
    assert all(alias_key(k) == k for k in keys)  # keys are already normalized
    assert {code for _, code in rows} == {w.code for w in SPECIAL_WARDS}


def test_every_ward_name_field_resolves_to_its_own_code(wards: WardDirectory) -> None:
    for ward in SPECIAL_WARDS:
        for name in (ward.code, ward.code[:5], ward.kanji, ward.kana, ward.romaji, ward.name_en):
            assert wards.normalize(name) == ward.code, name


def test_alias_key_ignores_case_width_macrons_and_separators() -> None:
    assert alias_key("Setagaya-Ku") == alias_key("setagaya ku") == alias_key("SETAGAYA_KU")
    assert alias_key("ＳＥＴＡＧＡＹＡ") == "setagaya"
    assert alias_key("Chūō") == "chuo"
    assert alias_key("子ども・子育て") == "子ども子育て"
    assert alias_key("世田谷区") == "世田谷区"  # kanji untouched


def test_kana_variants_cover_both_scripts() -> None:
    assert kana_variants("せたがや") == {"せたがや", "セタガヤ"}
    assert kana_variants("世田谷") == {"世田谷"}


@given(st.text())
def test_alias_key_is_idempotent(text: str) -> None:
    assert alias_key(alias_key(text)) == alias_key(text)


@given(st.one_of(st.none(), st.text(), st.from_regex(r"[0-9０-９ -]{4,8}", fullmatch=True)))
def test_normalize_never_raises_and_returns_a_valid_code_or_none(text: str | None) -> None:
    result = WardDirectory().normalize(text)
    assert result is None or is_valid_code(result)


def test_docs_ward_table_matches_the_data() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "allocation.md").read_text(encoding="utf-8")
    for w in SPECIAL_WARDS:
        row = f"| {w.code} | {w.code[:5]} | {w.kanji} | {w.kana} | {w.romaji} | {w.name_en} |"
        assert row in doc
