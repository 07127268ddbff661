"""The 20 標準化対象業務 (standardized core business systems) with stable English ids.

Legal basis: 地方公共団体情報システムの標準化に関する法律第2条第1項に規定する
標準化対象事務を定める政令 (令和4年政令第1号). Order and names as published by 島田市
(https://www.city.shimada.shizuoka.jp/gyosei-docs/hyojunka.html); ids as proposed in
shared/reference/domain.md §3. Ids are stable once released.
"""

from __future__ import annotations

from dataclasses import dataclass

from gcfinops.allocation.wards import alias_key, kana_variants, romaji_spellings

__all__ = [
    "BUSINESS_SYSTEMS",
    "OUT_OF_SCOPE",
    "BusinessSystem",
    "get_system",
    "normalize_system",
    "system_alias_rows",
]


@dataclass(frozen=True)
class BusinessSystem:
    """One standardized business system: stable id, official Japanese name, English gloss."""

    id: str
    name_ja: str
    name_en: str


BUSINESS_SYSTEMS: tuple[BusinessSystem, ...] = (
    BusinessSystem("resident_registry", "住民基本台帳", "Basic resident register"),
    BusinessSystem("electoral_roll", "選挙人名簿管理", "Electoral roll management"),
    BusinessSystem("fixed_asset_tax", "固定資産税", "Fixed-asset tax"),
    BusinessSystem("individual_inhabitant_tax", "個人住民税", "Individual inhabitant tax"),
    BusinessSystem("corporate_inhabitant_tax", "法人住民税", "Corporate inhabitant tax"),
    BusinessSystem("light_vehicle_tax", "軽自動車税", "Light motor vehicle tax"),
    BusinessSystem("national_health_insurance", "国民健康保険", "National health insurance"),
    BusinessSystem("national_pension", "国民年金", "National pension"),
    BusinessSystem("disability_welfare", "障害者福祉", "Disability welfare"),
    BusinessSystem("late_elderly_medical", "後期高齢者医療", "Late-stage elderly medical care"),
    BusinessSystem("long_term_care_insurance", "介護保険", "Long-term care insurance"),
    BusinessSystem("child_allowance", "児童手当", "Child allowance"),
    BusinessSystem("health_management", "健康管理", "Health management"),
    BusinessSystem("school_enrollment", "就学", "School enrolment"),
    BusinessSystem("child_rearing_allowance", "児童扶養手当", "Child-rearing allowance"),
    BusinessSystem("public_assistance", "生活保護", "Public assistance"),
    BusinessSystem("child_care_support", "子ども・子育て支援", "Child and child-rearing support"),
    BusinessSystem("seal_registration", "印鑑登録", "Seal registration"),
    BusinessSystem("family_register", "戸籍", "Family register"),
    BusinessSystem(
        "family_register_supplement", "戸籍の附票", "Family-register supplementary record"
    ),
)

# Short and alternative forms. Only forms that mean one of the 20 and nothing else in a
# municipal IT context. Left out on purpose: 住民税 (individual or corporate?), 後期 (any
# "later" phase), 介護 (also 障害者福祉's care benefits), 生保 (also 生命保険), 選挙 (also
# 期日前投票 and other election systems outside the standard), 税 (any tax).
_SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "resident_registry": ("住基", "住記", "住民記録", "juki", "jyuki"),
    "electoral_roll": ("選挙人名簿",),
    "fixed_asset_tax": ("固定資産", "固資税"),
    "individual_inhabitant_tax": ("個人住民", "個人市民税", "個人区民税"),
    "corporate_inhabitant_tax": ("法人住民", "法人市民税", "法人区民税"),
    "light_vehicle_tax": ("軽自動車", "軽自税"),
    "national_health_insurance": ("国保", "国民健康保険税", "国民健康保険料", "kokuho"),
    "national_pension": ("国年",),
    "disability_welfare": ("障害福祉", "障がい者福祉", "障がい福祉", "障碍者福祉"),
    "late_elderly_medical": ("後期高齢", "後期高齢者", "後期高齢者医療制度"),
    "long_term_care_insurance": ("介護保険制度",),
    "child_allowance": (),
    "health_management": (),
    "school_enrollment": ("学齢簿",),
    "child_rearing_allowance": ("児扶手",),
    "public_assistance": (),
    "child_care_support": (
        "子育て支援",
        "子ども子育て",
        "こども・子育て支援",
        "子ども・子育て支援制度",
    ),
    "seal_registration": ("印鑑", "印鑑登録証明"),
    "family_register": (),
    "family_register_supplement": ("戸籍附票", "附票"),
}
# Hepburn romaji from domain.md §3; every long-vowel spelling is accepted (kōki -> koki, kouki …).
_ROMAJI: dict[str, str] = {
    "resident_registry": "jūmin kihon daichō",
    "electoral_roll": "senkyonin meibo kanri",
    "fixed_asset_tax": "kotei shisan zei",
    "individual_inhabitant_tax": "kojin jūmin zei",
    "corporate_inhabitant_tax": "hōjin jūmin zei",
    "light_vehicle_tax": "kei jidōsha zei",
    "national_health_insurance": "kokumin kenkō hoken",
    "national_pension": "kokumin nenkin",
    "disability_welfare": "shōgaisha fukushi",
    "late_elderly_medical": "kōki kōreisha iryō",
    "long_term_care_insurance": "kaigo hoken",
    "child_allowance": "jidō teate",
    "health_management": "kenkō kanri",
    "school_enrollment": "shūgaku",
    "child_rearing_allowance": "jidō fuyō teate",
    "public_assistance": "seikatsu hogo",
    "child_care_support": "kodomo kosodate shien",
    "seal_registration": "inkan tōroku",
    "family_register": "koseki",
    "family_register_supplement": "koseki no fuhyō",
}
# Appended to every Japanese form: 住記システム, 国保業務, 戸籍事務 …
_JA_SUFFIXES = ("", "システム", "業務", "事務")


def _spellings(system: BusinessSystem) -> set[str]:
    english = {system.id, system.name_en, system.name_en + " system"}
    romaji = romaji_spellings(_ROMAJI[system.id])
    japanese = {system.name_ja, *_SHORT_FORMS[system.id]}
    spellings = english | romaji | {ja + suffix for ja in japanese for suffix in _JA_SUFFIXES}
    return {variant for spelling in spellings for variant in kana_variants(spelling)}


def _build() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for system in BUSINESS_SYSTEMS:
        for spelling in _spellings(system):
            key = alias_key(spelling)
            owner = aliases.setdefault(key, system.id)
            if owner != system.id:  # a data error in this module; the tests walk every alias
                raise AssertionError(f"alias {spelling!r} claimed by {owner} and {system.id}")
    return aliases


# Systems outside the 20 業務 (標準化対象外, issue #13 item 6a): their own class, so reports keep
# them out of the 3割 / KGI scope and show them apart. Not one of the 20, hence not in the tuple.
OUT_OF_SCOPE = BusinessSystem("out_of_scope", "標準化対象外", "Outside the 20 standardized systems")
_OUT_OF_SCOPE_FORMS = (
    "out_of_scope",
    "out-of-scope",
    "標準化対象外",
    "標準化対象外システム",
    "対象外",
)

_ALIASES = _build() | {alias_key(v): OUT_OF_SCOPE.id for v in _OUT_OF_SCOPE_FORMS}
_BY_ID = {s.id: s for s in (*BUSINESS_SYSTEMS, OUT_OF_SCOPE)}


def normalize_system(value: str | None) -> str | None:
    """Id, Japanese name or a listed short form (any case, width or separator) -> id, else None."""
    if value is None:
        return None
    return _ALIASES.get(alias_key(value))


def get_system(system_id: str) -> BusinessSystem | None:
    """The business system with this id."""
    return _BY_ID.get(system_id)


def system_alias_rows() -> list[tuple[str, str]]:
    """(alias_key, system id) for the SQL lookup table, sorted."""
    return sorted(_ALIASES.items())
