"""Environment values (prod / stg / dev / test / sandbox / training) and their synonyms.

No Digital Agency or GCAS tagging convention is public (domain.md §2.5), so the synonyms are
the common English abbreviations plus the Japanese words municipal projects use (本番, 検証,
開発, テスト, 試験, 研修). A value that is not listed is unknown and stays NULL: never guessed.
"""

from __future__ import annotations

from gcfinops.allocation.wards import alias_key, kana_variants

__all__ = ["ENVIRONMENTS", "environment_alias_rows", "is_nonprod", "normalize_environment"]

ENVIRONMENTS: tuple[str, ...] = ("prod", "stg", "dev", "test", "sandbox", "training")

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "prod": ("production", "prd", "live", "honban", "本番", "本稼働", "本番系", "商用"),
    "stg": ("staging", "stage", "preprod", "pre-production", "ステージング", "検証", "検証系"),
    "dev": ("development", "develop", "devel", "開発", "開発系"),
    "test": ("testing", "tst", "qa", "テスト", "試験", "テスト系", "試験系"),
    "sandbox": ("sbx", "サンドボックス"),
    "training": ("trn", "研修", "トレーニング"),
}
# 本番環境, 検証環境, テスト環境 … and "prod-env", "dev environment".
_SUFFIXES = ("", "環境", "env", "environment")


def _build() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for env in ENVIRONMENTS:
        for word in (env, *_SYNONYMS[env]):
            for suffix in _SUFFIXES:
                for spelling in kana_variants(word + suffix):
                    owner = aliases.setdefault(alias_key(spelling), env)
                    if owner != env:  # a data error in this module; the tests walk every alias
                        raise AssertionError(f"{spelling!r} claimed by {owner} and {env}")
    return aliases


_ALIASES = _build()


def normalize_environment(value: str | None) -> str | None:
    """Any listed synonym (case, width, separators ignored) -> canonical value, else None."""
    if value is None:
        return None
    return _ALIASES.get(alias_key(value))


def is_nonprod(env: str | None) -> bool | None:
    """False for production, True for every other known environment, None when unknown."""
    canonical = normalize_environment(env)
    if canonical is None:
        return None
    return canonical != "prod"


def environment_alias_rows() -> list[tuple[str, str]]:
    """(alias_key, environment) for the SQL lookup table, sorted."""
    return sorted(_ALIASES.items())
