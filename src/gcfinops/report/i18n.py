"""Every user-facing report string, Japanese by default, and the cell formats per language.

Texts live in `messages/ja.toml` and `messages/en.toml` (same keys; a test checks). Amounts in
running text are formatted by `gcfinops.money` ('1,234円' / '1,235千円' / '△54,317円', '¥1,234');
table cells hold bare numbers ('1,235', '△54,317') under a '（単位：千円）' line, as a 財政課
handout prints them. Ratios are percentages ('164.9％'); fiscal years, months and dates are
和暦 ('令和7年度', '令和7年4月', '令和8年4月10日'), with the 西暦 in parentheses when
`[report] era = "both"`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from gcfinops.errors import ConfigError
from gcfinops.jpcalendar import wareki_fy, wareki_month
from gcfinops.money import DASH, format_jpy, format_pct, to_thousand, to_yen

Lang = Literal["ja", "en"]
Unit = Literal["yen", "thousand"]
LANGS: tuple[Lang, ...] = ("ja", "en")
UNITS: tuple[Unit, ...] = ("yen", "thousand")
_DIR = Path(__file__).resolve().parent / "messages"
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@cache
def messages(lang: str) -> dict[str, str]:
    """Flat 'section.key' → text for one language."""
    if lang not in LANGS:
        raise ConfigError(f"--lang must be one of {', '.join(LANGS)} (found {lang!r})")
    data = tomllib.loads((_DIR / f"{lang}.toml").read_text(encoding="utf-8"))
    return {f"{s}.{k}": str(v) for s, table in data.items() for k, v in table.items()}


@dataclass(frozen=True)
class Fmt:
    """Texts and cell formats for one language and unit."""

    lang: Lang = "ja"
    unit: Unit = "yen"
    era: str = "wareki"  # "wareki" | "both" ([report] era): 西暦 in parentheses too

    def __post_init__(self) -> None:
        if self.era not in ("wareki", "both"):
            raise ConfigError(f"[report] era must be wareki or both (found {self.era!r})")
        if self.unit not in UNITS:
            raise ConfigError(f"--unit must be one of {', '.join(UNITS)} (found {self.unit!r})")
        messages(self.lang)

    def t(self, key: str, **values: Any) -> str:
        """The message `key` with its placeholders filled."""
        text = messages(self.lang)[key]
        return text.format(**values) if values else text

    def yen(self, amount: float | None) -> str:
        """An amount with its unit, for running text: '1,235千円', '¥1,235k'."""
        return format_jpy(amount, unit=self.unit, lang=self.lang)

    def amount(self, amount: float | None) -> str:
        """A bare table number in the report unit: '1,235', '△54,317' (en '-54,317')."""
        text = format_jpy(amount, unit=self.unit, lang=self.lang)
        if text == DASH:
            return text
        value = to_yen(amount or 0) if self.unit == "yen" else to_thousand(amount or 0)
        body = f"{abs(value):,f}"
        return body if value >= 0 else ("△" if self.lang == "ja" else "-") + body

    def ratio(self, value: float | None) -> str:
        """A multiple as a percentage: 1.649 → '164.9％' (ja) / '164.9%' (en)."""
        return self.pct(value)

    def pct(self, value: float | None) -> str:
        text = format_pct(value, self.lang)
        return text.replace("%", "％") if self.lang == "ja" else text

    def fy(self, year: int) -> str:
        """'令和7年度' (ja; '令和7年度（2025年度）' with era both) or 'FY2025' (en)."""
        if self.lang == "en":
            return f"FY{year}"
        return wareki_fy(year) + (f"（{year}年度）" if self.era == "both" else "")

    def month(self, month: str) -> str:
        """'2025-04' → '令和7年4月' (ja; '令和7年4月（2025年4月）' with era both) or 'Apr 2025'."""
        year, mon = int(month[:4]), int(month[5:7])
        if self.lang == "en":
            return f"{_EN_MONTHS[mon - 1]} {year}"
        label = wareki_month(month[:7])
        return label + (f"（{year}年{mon}月）" if self.era == "both" else "")

    def date(self, day: date) -> str:
        """'2026-04-10' → '令和8年4月10日' (ja) or '10 Apr 2026' (en)."""
        if self.lang == "en":
            return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"
        label = f"{wareki_month(f'{day.year:04d}-{day.month:02d}')}{day.day}日"
        if self.era == "both":
            return f"{label}（{day.year}年{day.month}月{day.day}日）"
        return label

    def unit_label(self) -> str:
        return self.t("doc.unit_yen" if self.unit == "yen" else "doc.unit_thousand")

    def unit_note(self) -> str:
        """The line above a money table: '（単位：千円）' / '(thousands of yen)'."""
        return self.t("doc.unit_note", unit=self.unit_label())

    def name(self, ja: str, en: str) -> str:
        return ja if self.lang == "ja" else en

    def cell(self, value: Any, kind: str) -> str:
        """Format one cell of a view table."""
        if value is None:
            return "—"
        if kind == "yen":
            return self.amount(value)
        if kind == "ratio":
            return self.ratio(value)
        if kind == "pct":
            return self.pct(value)
        if kind == "month":
            return self.month(str(value))
        if kind == "rate":
            text = f"{value:,.4f}".rstrip("0")
            return text + "0" if text.endswith(".") else text
        if kind == "int":
            return f"{int(value):,}"
        if kind == "mark":  # 皆増 / 皆減 / a short note in a numeric column
            return str(value)
        return str(value)
