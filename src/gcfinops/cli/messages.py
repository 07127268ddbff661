"""Every user-facing string of the CLI (headings, messages), Japanese by default, English too.

The texts live in `messages_data/ja.toml` and `messages_data/en.toml`: the same 'section.key'
names in both (a test checks, and checks that every key the CLI uses exists). The report's own
texts are in `report/i18n.py`; this is its sibling for the commands. Help texts (`--help`)
stay in English, like the documentation.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from gcfinops.cli.state import STATE
from gcfinops.errors import ConfigError
from gcfinops.money import Lang

LANGS: tuple[Lang, ...] = ("ja", "en")
_DIR = Path(__file__).resolve().parent / "messages_data"


@cache
def catalogue(lang: Lang) -> dict[str, str]:
    """Flat 'section.key' → text for one language."""
    data = tomllib.loads((_DIR / f"{lang}.toml").read_text(encoding="utf-8"))
    return {f"{s}.{k}": str(v) for s, table in data.items() for k, v in table.items()}


def lang() -> Lang:
    """The language of this command line: 'ja' unless --lang en (before or after the command)."""
    value = STATE.lang or "ja"
    if value not in LANGS:
        raise ConfigError(f"--lang must be ja or en (found {value!r})")
    return "en" if value == "en" else "ja"


def t(key: str, language: Lang | None = None, /, **values: Any) -> str:
    """The message `key` in `language` (default: this command line's), placeholders filled.

    An unknown --lang falls back to Japanese here, so the error that reports it can be printed.
    """
    chosen: Lang = language or ("en" if STATE.lang == "en" else "ja")
    text = catalogue(chosen)[key]
    return text.format(**values) if values else text
