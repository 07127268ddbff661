"""The 20 標準化対象業務 and environment synonyms (allocation/systems.py, environments.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gcfinops.allocation.environments import (
    ENVIRONMENTS,
    environment_alias_rows,
    is_nonprod,
    normalize_environment,
)
from gcfinops.allocation.systems import (
    BUSINESS_SYSTEMS,
    get_system,
    normalize_system,
    system_alias_rows,
)
from gcfinops.allocation.wards import alias_key

# Copied from shared/reference/domain.md §3, in the official (島田市) order.
DOMAIN_SYSTEMS = [
    ("resident_registry", "住民基本台帳"),
    ("electoral_roll", "選挙人名簿管理"),
    ("fixed_asset_tax", "固定資産税"),
    ("individual_inhabitant_tax", "個人住民税"),
    ("corporate_inhabitant_tax", "法人住民税"),
    ("light_vehicle_tax", "軽自動車税"),
    ("national_health_insurance", "国民健康保険"),
    ("national_pension", "国民年金"),
    ("disability_welfare", "障害者福祉"),
    ("late_elderly_medical", "後期高齢者医療"),
    ("long_term_care_insurance", "介護保険"),
    ("child_allowance", "児童手当"),
    ("health_management", "健康管理"),
    ("school_enrollment", "就学"),
    ("child_rearing_allowance", "児童扶養手当"),
    ("public_assistance", "生活保護"),
    ("child_care_support", "子ども・子育て支援"),
    ("seal_registration", "印鑑登録"),
    ("family_register", "戸籍"),
    ("family_register_supplement", "戸籍の附票"),
]


def test_the_twenty_systems_match_the_reference_in_order() -> None:
    assert [(s.id, s.name_ja) for s in BUSINESS_SYSTEMS] == DOMAIN_SYSTEMS
    assert all(s.name_en for s in BUSINESS_SYSTEMS)


@pytest.mark.parametrize(("system_id", "name_ja"), DOMAIN_SYSTEMS)
def test_id_and_japanese_name_normalize_to_the_id(system_id: str, name_ja: str) -> None:
    assert normalize_system(system_id) == system_id
    assert normalize_system(system_id.upper().replace("_", "-")) == system_id
    assert normalize_system(system_id.replace("_", " ").title()) == system_id
    assert normalize_system(name_ja) == system_id
    assert normalize_system(name_ja + "システム") == system_id
    assert get_system(system_id) is not None


@pytest.mark.parametrize(
    ("spelling", "system_id"),
    [
        ("住記", "resident_registry"),
        ("住基", "resident_registry"),
        ("住民記録システム", "resident_registry"),
        ("juki", "resident_registry"),
        ("jūmin kihon daichō", "resident_registry"),
        ("国保", "national_health_insurance"),
        ("KOKUHO", "national_health_insurance"),
        ("後期高齢者", "late_elderly_medical"),
        ("kouki koureisha iryou", "late_elderly_medical"),
        ("子ども子育て支援", "child_care_support"),
        ("子育て支援", "child_care_support"),
        ("戸籍附票", "family_register_supplement"),
        ("附票", "family_register_supplement"),
        ("戸籍", "family_register"),
        ("印鑑", "seal_registration"),
        ("学齢簿", "school_enrollment"),
        ("障がい者福祉", "disability_welfare"),
        ("ｒｅｓｉｄｅｎｔ＿ｒｅｇｉｓｔｒｙ", "resident_registry"),
        ("Basic resident register", "resident_registry"),
    ],
)
def test_short_forms_normalize(spelling: str, system_id: str) -> None:
    assert normalize_system(spelling) == system_id


@pytest.mark.parametrize(
    "ambiguous", ["住民税", "後期", "介護", "生保", "税", "選挙", "福祉", "手当", "", None, "未知"]
)
def test_ambiguous_or_unknown_forms_are_not_guessed(ambiguous: str | None) -> None:
    assert normalize_system(ambiguous) is None


def test_system_alias_rows_are_unique_normalized_and_cover_every_id() -> None:
    rows = system_alias_rows()
    keys = [k for k, _ in rows]
    assert len(keys) == len(set(keys))
    assert all(alias_key(k) == k and k for k in keys)
    # the 20 業務 plus the out-of-scope class (標準化対象外, issue #13 item 6a)
    assert {v for _, v in rows} == {s.id for s in BUSINESS_SYSTEMS} | {"out_of_scope"}
    assert normalize_system("標準化対象外") == normalize_system("out-of-scope") == "out_of_scope"


@pytest.mark.parametrize(
    ("spelling", "env"),
    [
        ("production", "prod"),
        ("Prod", "prod"),
        ("PRD", "prod"),
        ("live", "prod"),
        ("本番", "prod"),
        ("本番環境", "prod"),
        ("staging", "stg"),
        ("stg", "stg"),
        ("Stage", "stg"),
        ("検証", "stg"),
        ("検証環境", "stg"),
        ("ステージング", "stg"),
        ("development", "dev"),
        ("DEV", "dev"),
        ("開発", "dev"),
        ("開発環境", "dev"),
        ("test", "test"),
        ("testing", "test"),
        ("QA", "test"),
        ("テスト", "test"),
        ("てすと", "test"),
        ("試験", "test"),
        ("テスト環境", "test"),
        ("sandbox", "sandbox"),
        ("sbx", "sandbox"),
        ("training", "training"),
        ("研修", "training"),
        ("ｐｒｏｄ", "prod"),
        ("prod-env", "prod"),
    ],
)
def test_environment_synonyms(spelling: str, env: str) -> None:
    assert normalize_environment(spelling) == env


@pytest.mark.parametrize("unknown", ["uat", "dr", "prod2", "本番じゃない", "", "  ", None, "環境"])
def test_unknown_environment_is_none(unknown: str | None) -> None:
    assert normalize_environment(unknown) is None


def test_environment_alias_rows_cover_exactly_the_canonical_values() -> None:
    rows = environment_alias_rows()
    assert {v for _, v in rows} == set(ENVIRONMENTS)
    assert len({k for k, _ in rows}) == len(rows)
    assert all(normalize_environment(env) == env for env in ENVIRONMENTS)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("prod", False), ("本番", False), ("stg", True), ("開発", True), ("研修", True), ("x", None)],
)
def test_is_nonprod(value: str, expected: bool | None) -> None:
    assert is_nonprod(value) is expected


def test_is_nonprod_of_none_is_none() -> None:
    assert is_nonprod(None) is None


@given(st.one_of(st.none(), st.text()))
def test_normalizers_never_raise(text: str | None) -> None:
    assert normalize_system(text) in {None, *(s.id for s in BUSINESS_SYSTEMS)}
    assert normalize_environment(text) in {None, *ENVIRONMENTS}


def test_docs_list_every_system_and_environment() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "allocation.md").read_text(encoding="utf-8")
    for i, s in enumerate(BUSINESS_SYSTEMS, 1):
        assert f"| {i} | `{s.id}` | {s.name_ja} |" in doc
    for env in ENVIRONMENTS:
        assert f"| `{env}` |" in doc
