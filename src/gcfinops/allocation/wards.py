"""Tokyo's 23 special wards, local-government codes and the spelling-insensitive lookup key.

Codes are the 6-digit 全国地方公共団体コード (JIS X 0401 prefecture + JIS X 0402 municipality + a
mod-11 check digit), as published by 総務省 at https://www.soumu.go.jp/denshijiti/code.html.
``alias_key`` is the one normalization every allocation lookup uses; ``alias_key_sql`` is its SQL
twin (a single portable ``translate``), and the tests prove the two agree on arbitrary text.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from gcfinops.errors import ConfigError

__all__ = [
    "SPECIAL_WARDS",
    "Ward",
    "WardDirectory",
    "alias_key",
    "alias_key_sql",
    "check_digit",
    "is_valid_code",
    "valid_codes",
]

# --- the lookup key -----------------------------------------------------------------------
# One character table, applied identically in Python (str.translate) and SQL (translate()):
# ASCII and full-width letters -> lower-case ASCII, full-width digits -> ASCII digits,
# Latin vowels with macron/circumflex/accent -> plain vowel; separators (whitespace, - _ . ・
# and dash look-alikes) are deleted. Nothing else changes, so keys of unrelated text never
# collide by accident. Hiragana/katakana are not folded here (a long table costs per row in
# SQL); the alias tables list both kana spellings instead (see ``kana_variants``).
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = _UPPER.lower()
_FW_UPPER = "".join(chr(0xFF21 + i) for i in range(26))
_FW_LOWER = "".join(chr(0xFF41 + i) for i in range(26))
_FW_DIGITS = "".join(chr(0xFF10 + i) for i in range(10))
_KATAKANA = "".join(chr(c) for c in range(0x30A1, 0x30F7))  # ァ … ヶ
_HIRAGANA = "".join(chr(c - 0x60) for c in range(0x30A1, 0x30F7))  # ぁ … ゖ
_TO_KATAKANA = str.maketrans(_HIRAGANA, _KATAKANA)
_TO_HIRAGANA = str.maketrans(_KATAKANA, _HIRAGANA)
_VOWELS = {
    "a": "āĀâÂáÁàÀäÄ",
    "i": "īĪîÎíÍìÌïÏ",
    "u": "ūŪûÛúÚùÙüÜ",
    "e": "ēĒêÊéÉèÈëË",
    "o": "ōŌôÔóÓòÒöÖ",
}
_ACCENTED = "".join(_VOWELS.values())
_PLAIN = "".join(v * len(chars) for v, chars in _VOWELS.items())
_ASCII_DELETE = " \t\n\r._-"
_DELETE = _ASCII_DELETE + "\u00a0\u3000・･‐‑‒–—―−－＿．"

KEY_FROM = _UPPER + _FW_UPPER + _FW_LOWER + _FW_DIGITS + _ACCENTED + _DELETE
KEY_TO = _LOWER + _LOWER + _LOWER + "0123456789" + _PLAIN
_KEY_TABLE = str.maketrans(KEY_FROM[: len(KEY_TO)], KEY_TO, _DELETE)
assert len(set(KEY_FROM)) == len(KEY_FROM), "translate table must not repeat a character"
assert "'" not in KEY_FROM + KEY_TO

# SQL shortcuts (regex classes, RE2/Java syntax; '-' last so it is not a range). A long
# translate() table costs per row, so SQL takes the cheapest exact path: pure ASCII text needs
# only lower() + separator removal; text without full-width letters/digits or accented vowels
# (kanji, kana) needs separator removal + A-Z; only the rest pays for the full table.
ASCII_ONLY_RE = r"^[\x00-\x7f]*$"
_ASCII_DELETE_RE = r"[ \t\n\r._-]"
_DELETE_RE = r"[ \t\n\r._\x{a0}\x{3000}・･‐‑‒–—―−－＿．-]"
_MAPPED_NON_ASCII_RE = r"[\x{ff10}-\x{ff19}\x{ff21}-\x{ff3a}\x{ff41}-\x{ff5a}" + _ACCENTED + "]"


def alias_key(value: str) -> str:
    """Spelling-insensitive key: case, width, macrons and separators do not matter."""
    return value.translate(_KEY_TABLE)


def kana_variants(spelling: str) -> set[str]:
    """The spelling, its all-katakana and its all-hiragana form (せたがや, セタガヤ)."""
    return {spelling, spelling.translate(_TO_KATAKANA), spelling.translate(_TO_HIRAGANA)}


def foreign_char_re(keys: Iterable[str]) -> str:
    """Regex class of characters whose presence rules out every key in ``keys``.

    The complement of: ASCII, deleted separators, and each character whose key is a
    character of ``keys``. SQL tests it with one cheap regex before paying for the full
    normalization of text that cannot match anyway (a kanji tag key like 部署).
    """
    wanted = set("".join(keys))
    extra = sorted(
        ch
        for ch in set(KEY_FROM) | wanted
        if ord(ch) > 0x7F and (alias_key(ch) == "" or alias_key(ch) in wanted)
    )
    return "[^\\x00-\\x7f" + "".join(f"\\x{{{ord(ch):x}}}" for ch in extra) + "]"


def alias_key_sql(expr: str) -> str:
    """SQL twin of :func:`alias_key` over ``expr`` (a column or lambda variable: it is repeated).

    Uses only CASE, regexp_matches, regexp_replace, lower and translate; sqlglot transpiles it
    (``regexp_matches`` -> ``RLIKE``; the ``'g'`` flag is Spark's default).
    """
    return (
        f"CASE WHEN regexp_matches({expr}, '{ASCII_ONLY_RE}') "
        f"THEN regexp_replace(lower({expr}), '{_ASCII_DELETE_RE}', '', 'g') "
        f"WHEN NOT regexp_matches({expr}, '{_MAPPED_NON_ASCII_RE}') "
        f"THEN translate(regexp_replace({expr}, '{_DELETE_RE}', '', 'g'), '{_UPPER}', '{_LOWER}') "
        f"ELSE translate({expr}, '{KEY_FROM}', '{KEY_TO}') END"
    )


# --- codes --------------------------------------------------------------------------------
_DIGITS6 = re.compile(r"[0-9]{6}")
_DIGITS5 = re.compile(r"[0-9]{5}")


def check_digit(five_digits: str) -> int:
    """JIS X 0402 check digit: S = 6d1+5d2+4d3+3d4+2d5, r = S mod 11, digit = (11 - r) mod 10."""
    if not _DIGITS5.fullmatch(five_digits):
        raise ValueError(f"expected 5 ASCII digits, got {five_digits!r}")
    s = sum(w * int(d) for w, d in zip((6, 5, 4, 3, 2), five_digits, strict=True))
    return (11 - s % 11) % 10


def is_valid_code(code: str) -> bool:
    """True for 6 ASCII digits whose last digit is the check digit of the first five."""
    return bool(_DIGITS6.fullmatch(code)) and check_digit(code[:5]) == int(code[5])


def _is_known_prefecture(code: str) -> bool:
    return 1 <= int(code[:2]) <= 47  # JIS X 0401: 01 北海道 … 47 沖縄県


def valid_codes() -> Iterator[str]:
    """Every checksum-valid 6-digit code with a prefecture part 01–47 (47,000 codes)."""
    for prefix in range(1000, 48000):
        five = f"{prefix:05d}"
        yield five + str(check_digit(five))


# --- the wards ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Ward:
    """A municipality: 6-digit code and its names (romaji in Hepburn, macrons allowed)."""

    code: str
    kanji: str
    kana: str
    romaji: str
    name_en: str


def _ward(five: str, kanji: str, kana: str, romaji: str) -> Ward:
    base = romaji.removesuffix("-ku")
    english = base.replace("ū", "u").replace("ō", "o").replace("Ō", "O")
    return Ward(five + str(check_digit(five)), kanji, kana, romaji, f"{english} City")


SPECIAL_WARDS: tuple[Ward, ...] = (
    _ward("13101", "千代田区", "ちよだく", "Chiyoda-ku"),
    _ward("13102", "中央区", "ちゅうおうく", "Chūō-ku"),
    _ward("13103", "港区", "みなとく", "Minato-ku"),
    _ward("13104", "新宿区", "しんじゅくく", "Shinjuku-ku"),
    _ward("13105", "文京区", "ぶんきょうく", "Bunkyō-ku"),
    _ward("13106", "台東区", "たいとうく", "Taitō-ku"),
    _ward("13107", "墨田区", "すみだく", "Sumida-ku"),
    _ward("13108", "江東区", "こうとうく", "Kōtō-ku"),
    _ward("13109", "品川区", "しながわく", "Shinagawa-ku"),
    _ward("13110", "目黒区", "めぐろく", "Meguro-ku"),
    _ward("13111", "大田区", "おおたく", "Ōta-ku"),
    _ward("13112", "世田谷区", "せたがやく", "Setagaya-ku"),
    _ward("13113", "渋谷区", "しぶやく", "Shibuya-ku"),
    _ward("13114", "中野区", "なかのく", "Nakano-ku"),
    _ward("13115", "杉並区", "すぎなみく", "Suginami-ku"),
    _ward("13116", "豊島区", "としまく", "Toshima-ku"),
    _ward("13117", "北区", "きたく", "Kita-ku"),
    _ward("13118", "荒川区", "あらかわく", "Arakawa-ku"),
    _ward("13119", "板橋区", "いたばしく", "Itabashi-ku"),
    _ward("13120", "練馬区", "ねりまく", "Nerima-ku"),
    _ward("13121", "足立区", "あだちく", "Adachi-ku"),
    _ward("13122", "葛飾区", "かつしかく", "Katsushika-ku"),
    _ward("13123", "江戸川区", "えどがわく", "Edogawa-ku"),
)

# Romaji suffix (after the hyphen) -> the words people write instead of it.
_ROMAJI_SUFFIXES = {
    "ku": ("ku", "city", "ward"),
    "shi": ("shi", "city"),
    "machi": ("machi", "town"),
    "cho": ("cho", "town"),
    "mura": ("mura", "village"),
    "son": ("son", "village"),
}
_KANJI_SUFFIXES = ("区", "市", "町", "村")
_KANA_SUFFIXES = {"区": ("く",), "市": ("し",), "町": ("まち", "ちょう"), "村": ("むら", "そん")}
_EN_SUFFIXES = (" city", " ward", " town", " village")
# Long vowels: plain, doubled and the passport "oh" spelling (Chūō -> chuo, chuuou, chuoh …).
_MACRON_SPELLINGS = {
    "ū": ("u", "uu"),
    "Ū": ("u", "uu"),
    "ō": ("o", "ou", "oo", "oh"),
    "Ō": ("o", "ou", "oo", "oh"),
}


def romaji_spellings(word: str) -> set[str]:
    """Every long-vowel spelling of a Hepburn word: Chūō -> Chuo, Chuuou, Chuoh, …."""
    parts = [_MACRON_SPELLINGS.get(ch, (ch,)) for ch in word]
    return {"".join(p) for p in itertools.product(*parts)}


def _names(ward: Ward) -> set[str]:
    """All spellings of one municipality, before keying."""
    names = {ward.code, ward.code[:5]}
    if ward.kanji:
        names.add(ward.kanji)
        if ward.kanji.endswith(_KANJI_SUFFIXES) and len(ward.kanji) > 1:
            names.add(ward.kanji[:-1])
        if ward.code.startswith("13") and not ward.kanji.startswith("東京都"):
            names.add("東京都" + ward.kanji)
    if ward.kana:
        names |= kana_variants(ward.kana)
        for suffix in _KANA_SUFFIXES.get(ward.kanji[-1:], ()):
            if ward.kana.endswith(suffix) and len(ward.kana) > len(suffix):
                names |= kana_variants(ward.kana.removesuffix(suffix))
    if ward.romaji:
        base, _, suffix = ward.romaji.partition("-")
        for spelling in romaji_spellings(base):
            names.add(spelling)
            for word in _ROMAJI_SUFFIXES.get(suffix.lower(), (suffix,) if suffix else ()):
                names.add(f"{spelling}-{word}")
    if ward.name_en:
        names.add(ward.name_en)
        lowered = ward.name_en.lower()
        for suffix in _EN_SUFFIXES:
            if lowered.endswith(suffix):
                names.add(lowered.removesuffix(suffix))
    return names


class WardDirectory:
    """The built-in 23 wards plus municipalities added in config; maps any spelling to a code."""

    def __init__(self, extra: Iterable[Ward] = ()) -> None:
        self._wards: dict[str, Ward] = {}
        claims: dict[str, set[str]] = {}
        for ward in (*SPECIAL_WARDS, *extra):
            if not is_valid_code(ward.code):
                raise ConfigError(
                    f"municipality code {ward.code!r} ({ward.kanji or ward.romaji}) is not a "
                    "valid 6-digit code",
                    hint="check the last digit (JIS X 0402 mod 11) or write the 5-digit code",
                )
            self._wards.setdefault(ward.code, ward)  # NOTE: a built-in keeps its names; extras add
            for name in _names(ward):
                key = alias_key(name)
                if key:
                    claims.setdefault(key, set()).add(ward.code)
        # A spelling two municipalities share (e.g. 中央区 of Tokyo and of Chiba) is dropped:
        # never guess. Codes cannot collide, so a code always works.
        self._aliases = {k: next(iter(c)) for k, c in claims.items() if len(c) == 1}
        self.ambiguous: dict[str, tuple[str, ...]] = {
            k: tuple(sorted(c)) for k, c in claims.items() if len(c) > 1
        }

    def normalize(self, value: str | None) -> str | None:
        """Any spelling (code, 5-digit code, kanji, kana, romaji, English) -> 6-digit code."""
        if value is None:
            return None
        key = alias_key(value)
        code = self._aliases.get(key)
        if code is not None:
            return code
        if is_valid_code(key) and _is_known_prefecture(key):
            return key  # a municipality not in the directory, written as a correct code
        return None

    def get(self, code: str) -> Ward | None:
        """The municipality with this 6-digit code, if the directory knows it."""
        return self._wards.get(code)

    def __iter__(self) -> Iterator[Ward]:
        return iter(self._wards.values())

    def alias_rows(self) -> list[tuple[str, str]]:
        """(alias_key, code) for every unambiguous spelling, sorted, for the SQL lookup table."""
        return sorted(self._aliases.items())
