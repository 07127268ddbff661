"""Every user-facing report string, Japanese by default, and the cell formats per language.

Texts live in `messages/ja.toml` and `messages/en.toml` (same keys; a test checks). Amounts are
formatted by `gcfinops.money`: '1,234円' / '1,235千円' / '△54,317円' in Japanese, '¥1,234' in
English; fiscal years by `jpcalendar.fy_label`: '2025年度 (令和7年度)' / 'FY2025'.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from gcfinops.errors import ConfigError
from gcfinops.jpcalendar import fy_label, wareki_month
from gcfinops.money import format_jpy, format_pct, format_ratio

Lang = Literal["ja", "en"]
Unit = Literal["yen", "thousand"]
LANGS: tuple[Lang, ...] = ("ja", "en")
UNITS: tuple[Unit, ...] = ("yen", "thousand")
_DIR = Path(__file__).resolve().parent / "messages"


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

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ConfigError(f"--unit must be one of {', '.join(UNITS)} (found {self.unit!r})")
        messages(self.lang)

    def t(self, key: str, **values: Any) -> str:
        """The message `key` with its placeholders filled."""
        text = messages(self.lang)[key]
        return text.format(**values) if values else text

    def yen(self, amount: float | None) -> str:
        return format_jpy(amount, unit=self.unit, lang=self.lang)

    def ratio(self, value: float | None) -> str:
        return format_ratio(value)

    def pct(self, value: float | None) -> str:
        return format_pct(value, self.lang)

    def fy(self, year: int) -> str:
        return fy_label(year, self.lang)

    def month(self, month: str) -> str:
        """'2025-04' → '2025年4月' (ja) or '2025-04' (en)."""
        if self.lang == "en":
            return month
        return f"{int(month[:4])}年{int(month[5:])}月"

    def unit_label(self) -> str:
        return self.t("doc.unit_yen" if self.unit == "yen" else "doc.unit_thousand")

    def name(self, ja: str, en: str) -> str:
        return ja if self.lang == "ja" else en

    def cell(self, value: Any, kind: str) -> str:
        """Format one cell of a view table."""
        if value is None:
            return "—"
        if kind == "yen":
            return self.yen(value)
        if kind == "ratio":
            return self.ratio(value)
        if kind == "pct":
            return self.pct(value)
        if kind == "month":
            # 和暦 beside the Western month in Japanese tables (issue #13 item 6c)
            if self.lang == "ja":
                return f"{self.month(str(value))} ({wareki_month(str(value))})"
            return self.month(str(value))
        if kind == "rate":
            text = f"{value:,.4f}".rstrip("0")
            return text + "0" if text.endswith(".") else text
        if kind == "int":
            return f"{int(value):,}"
        return str(value)
