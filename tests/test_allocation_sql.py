"""Allocation in DuckDB: lookups, tag picking, account maps, key twins (allocation/tags.py)."""

from __future__ import annotations

import time
import tomllib
from collections.abc import Iterator
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gcfinops.allocation import (
    LOOKUP_TABLES,
    AllocationConfig,
    WardDirectory,
    alias_key,
    allocation_select_sql,
    normalize_environment,
    normalize_system,
    normalize_tag_key,
    register_lookups,
    unallocated_summary_sql,
)
from gcfinops.allocation.systems import system_alias_rows
from gcfinops.allocation.tags import allocation_join_sql, allocation_table_sql, tag_key_sql
from gcfinops.allocation.wards import KEY_FROM, alias_key_sql, foreign_char_re
from gcfinops.errors import ConfigError

CFG = AllocationConfig(
    account_ward={"111111111111": "setagaya", "999999999999": "渋谷区"},
    account_system={"111111111111": "国保"},
    account_environment={"111111111111": "本番", "999999999999": "開発"},
)
BILL_COLUMNS = "Tags MAP(VARCHAR, VARCHAR), SubAccountId VARCHAR, BillingAccountId VARCHAR, "
BILL_COLUMNS += "BilledCost DECIMAL(18, 4), BillingCurrency VARCHAR, id INTEGER"


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    register_lookups(connection, CFG)
    connection.execute(f"CREATE TABLE bill ({BILL_COLUMNS})")
    yield connection
    connection.close()


def _insert(con: duckdb.DuckDBPyConnection, rows: list[tuple[Any, ...]]) -> None:
    con.executemany("INSERT INTO bill VALUES (?, ?, ?, ?, ?, ?)", rows)


def _allocate(
    con: duckdb.DuckDBPyConnection, cfg: AllocationConfig = CFG
) -> dict[int, tuple[Any, ...]]:
    sql = allocation_select_sql("bill", cfg)
    rows = con.execute(f"SELECT id, x_Ward, x_BusinessSystem, x_Environment FROM ({sql})")
    return {r[0]: r[1:] for r in rows.fetchall()}


def test_lookup_tables_are_created_as_temp_tables(con: duckdb.DuckDBPyConnection) -> None:
    tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    names = {r[0] for r in tables}
    assert set(LOOKUP_TABLES) <= names
    register_lookups(con, CFG)  # replacing is fine
    rows = con.execute("SELECT * FROM gcf_account_alloc ORDER BY account_id").fetchall()
    assert rows == [
        ("111111111111", "131121", "national_health_insurance", "prod"),
        ("999999999999", "131130", None, "dev"),
    ]


def test_tag_forms_account_fallback_and_precedence(con: duckdb.DuckDBPyConnection) -> None:
    other = "000000000000"
    _insert(
        con,
        [
            ({"Ward": "世田谷区", "env": "prod"}, other, other, 1, "JPY", 1),
            ({"user:ward": "Chuo", "user:Gyomu": "住記"}, other, other, 1, "JPY", 2),
            ({"LG_CODE": "131016", "Stage": "検証"}, other, other, 1, "JPY", 3),
            ({"resourceTags/user:Ward": "せたがや"}, other, other, 1, "JPY", 4),
            (
                {"user_municipality": "13113", "Business-System": "国民健康保険"},
                other,
                other,
                1,
                "JPY",
                5,
            ),
            (None, "111111111111", other, 1, "JPY", 6),  # sub-account map
            ({}, other, "999999999999", 1, "JPY", 7),  # billing-account map
            ({"ward": "minato", "ENV": "dev"}, "111111111111", other, 1, "JPY", 8),  # tag wins
            ({"ward": "nowhere", "env": "??"}, "111111111111", other, 1, "JPY", 9),  # fallback
            ({"ward": "nowhere", "Name": "web"}, other, other, 1, "JPY", 10),  # unknown -> NULL
            ({"ward": "011002"}, other, other, 1, "JPY", 11),  # valid non-built-in code
            ({"ward": "131122"}, other, other, 1, "JPY", 12),  # bad check digit
            (None, " 111111111111 ", "999999999999", 1, "JPY", 13),  # sub beats billing
        ],
    )
    got = _allocate(con)
    assert got == {
        1: ("131121", None, "prod"),
        2: ("131024", "resident_registry", None),
        3: ("131016", None, "stg"),
        4: ("131121", None, None),
        5: ("131130", "national_health_insurance", None),
        6: ("131121", "national_health_insurance", "prod"),
        7: ("131130", None, "dev"),
        8: ("131032", "national_health_insurance", "dev"),
        9: ("131121", "national_health_insurance", "prod"),
        10: (None, None, None),
        11: ("011002", None, None),
        12: (None, None, None),
        13: ("131121", "national_health_insurance", "prod"),
    }


def test_first_configured_key_wins_and_blank_values_are_skipped(
    con: duckdb.DuckDBPyConnection,
) -> None:
    x = "000000000000"
    _insert(
        con,
        [
            ({"municipality": "港区", "ward": "渋谷区"}, x, x, 1, "JPY", 1),
            ({"ward": "  ", "municipality": "港区"}, x, x, 1, "JPY", 2),
            ({"Ward": "港区", "user:ward": "渋谷区"}, x, x, 1, "JPY", 3),  # same key: min value
        ],
    )
    assert {k: v[0] for k, v in _allocate(con).items()} == {1: "131130", 2: "131032", 3: "131130"}
    reordered = AllocationConfig(ward_tag_keys=("municipality", "ward"))
    assert _allocate(con, reordered)[1][0] == "131032"
    japanese_key = AllocationConfig(system_tag_keys=("業務",))
    _insert(con, [({"業務": "戸籍"}, x, x, 1, "JPY", 4)])
    assert _allocate(con, japanese_key)[4][1] == "family_register"
    assert _allocate(con, AllocationConfig(ward_tag_keys=()))[1][0] is None
    assert _allocate(con, AllocationConfig(ward_tag_keys=("o'ward",)))[1][0] is None  # quoted


def test_row_count_is_preserved_and_columns_are_appended(con: duckdb.DuckDBPyConnection) -> None:
    row = ({"ward": "setagaya", "user:ward": "setagaya"}, "111111111111", "111111111111")
    _insert(con, [(*row, 1, "JPY", i) for i in range(50)] + [(None, None, None, 1, "JPY", 99)])
    sql = allocation_select_sql("bill", CFG)
    result = con.execute(sql)
    names = [d[0] for d in result.description]
    assert names == [
        *("Tags", "SubAccountId", "BillingAccountId", "BilledCost", "BillingCurrency", "id"),
        *("x_Ward", "x_BusinessSystem", "x_Environment"),
    ]
    assert len(result.fetchall()) == 51
    assert "ORDER BY" not in sql.upper() and " OVER" not in sql.upper()


def test_sql_agrees_with_python_normalizers_on_every_alias(con: duckdb.DuckDBPyConnection) -> None:
    wards = WardDirectory()
    spellings = [w.kanji for w in wards] + [w.romaji.upper() for w in wards]
    spellings += [k for k, _ in system_alias_rows()[::7]] + ["国保", "住記", "junk", "", "99999"]
    spellings += ["本番", "ｐｒｏｄ", "テスト", "QA", "011002", "131122", "Chūō-ku", "セタガヤ"]
    x = "000000000000"
    _insert(
        con,
        [({"ward": s, "system": s, "env": s}, x, x, 1, "JPY", i) for i, s in enumerate(spellings)],
    )
    got = _allocate(con)
    for i, s in enumerate(spellings):
        expected = (wards.normalize(s), normalize_system(s), normalize_environment(s))
        assert got[i] == expected, s


def test_unallocated_summary(con: duckdb.DuckDBPyConnection) -> None:
    x = "000000000000"
    _insert(
        con,
        [
            ({"ward": "setagaya", "system": "国保", "env": "prod"}, x, x, 10, "JPY", 1),
            ({"ward": "setagaya"}, x, x, 5, "JPY", 2),
            (None, x, x, 2, "USD", 3),
        ],
    )
    con.execute(f"CREATE TEMP VIEW allocated AS {allocation_select_sql('bill', CFG)}")
    result = con.execute(unallocated_summary_sql("allocated"))
    names = [d[0] for d in result.description]
    rows = [dict(zip(names, r, strict=True)) for r in result.fetchall()]
    assert [r["billing_currency"] for r in rows] == ["JPY", "USD"]
    jpy, usd = rows
    assert (jpy["total_rows"], jpy["total_cost"]) == (2, 15)
    assert (jpy["unallocated_ward_rows"], jpy["unallocated_ward_cost"]) == (0, 0)
    assert (jpy["unallocated_business_system_rows"], jpy["unallocated_environment_cost"]) == (1, 5)
    assert (jpy["unallocated_any_rows"], jpy["unallocated_any_cost"]) == (1, 5)
    assert (usd["unallocated_ward_rows"], usd["unallocated_any_cost"]) == (1, 2)


def test_bad_account_values_are_one_config_error_naming_each_key() -> None:
    cfg = AllocationConfig(
        account_ward={"1": "setagya"}, account_environment={"1": "prod", "2": "uat"}
    )
    with pytest.raises(ConfigError) as err:
        register_lookups(duckdb.connect(), cfg)
    assert 'accounts."1".ward' in err.value.message
    assert 'accounts."2".environment' in err.value.message


def test_config_from_toml() -> None:
    text = """
[allocation]
ward_tag_keys = ["ward", "lg-code"]
[allocation.accounts."123456789012"]
ward = "setagaya"
system = "住民基本台帳"
environment = "本番"
[[allocation.municipalities]]
code = "13209"
kanji = "町田市"
kana = "まちだし"
romaji = "Machida-shi"
name_en = "Machida City"
"""
    cfg = AllocationConfig.from_mapping(tomllib.loads(text)["allocation"])
    assert cfg.ward_tag_keys == ("ward", "lg-code")
    assert cfg.system_tag_keys == AllocationConfig().system_tag_keys
    assert cfg.account_ward == {"123456789012": "setagaya"}
    assert cfg.extra_wards[0].code == "132098"
    assert WardDirectory(cfg.extra_wards).normalize("町田") == "132098"


def test_config_errors_are_collected() -> None:
    section = {
        "ward_tag_key": ["ward"],
        "accounts": {"1": {"ward": "nowhere", "sistem": "国保"}},
    }
    with pytest.raises(ConfigError) as err:
        AllocationConfig.from_mapping(section, source="x.toml")
    message = err.value.message
    assert message.startswith("x.toml: ")
    assert "did you mean 'ward_tag_keys'" in message
    assert "did you mean 'system'" in message


_SCRATCH = duckdb.connect()


def _sql_scalar(expr_of: Any, text: str) -> Any:
    sql = f"SELECT {expr_of('t.v')} FROM (SELECT CAST(? AS VARCHAR) AS v) AS t"
    row = _SCRATCH.execute(sql, [text]).fetchone()
    assert row is not None
    return row[0]


_TRICKY = st.text(alphabet=st.sampled_from(KEY_FROM + "セタガヤ世田谷ÀΣİſK\x00:/rRuUsSeEtTaAgG"))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _TRICKY))
def test_alias_key_python_and_sql_agree(text: str) -> None:
    assert _sql_scalar(alias_key_sql, text) == alias_key(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _TRICKY, st.sampled_from(["user:Ward", "resourceTags/user:LG_Code"])))
def test_tag_key_python_and_sql_agree(text: str) -> None:
    assert _sql_scalar(tag_key_sql, text) == normalize_tag_key(text)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), _TRICKY))
def test_foreign_char_prefilter_never_hides_a_configured_key(text: str) -> None:
    keys = [normalize_tag_key(k) for k in ("ward", "lg-code", "業務")]
    pattern = foreign_char_re(keys)
    ruled_out = _SCRATCH.execute("SELECT regexp_matches(?, ?)", [text, pattern]).fetchone()
    if ruled_out and ruled_out[0]:
        assert normalize_tag_key(text) not in keys


@pytest.mark.parametrize(
    ("key", "expected"),
    [("user:LG_Code", "lgcode"), ("lg-code", "lgcode"), ("USER_ward", "ward"), ("tag:Env", "env")],
)
def test_normalize_tag_key(key: str, expected: str) -> None:
    assert normalize_tag_key(key) == expected


def test_sql_transpiles_to_spark() -> None:
    sqlglot = pytest.importorskip("sqlglot")
    spark = sqlglot.transpile(allocation_select_sql("bill", CFG), read="duckdb", write="spark")[0]
    assert "LEFT JOIN gcf_ward_alias" in spark


def test_200k_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Measure only: prints the time, asserts counts."""
    con.execute(
        """
        INSERT INTO bill
        SELECT CASE i % 5
                 WHEN 0 THEN MAP {'Ward': 'setagaya', 'env': 'prod', 'Name': 'web' || i}
                 WHEN 1 THEN MAP {'user:lg_code': '131016', 'gyomu': '国保', '部署': '情報政策課'}
                 WHEN 2 THEN NULL
                 WHEN 3 THEN MAP {'業務': 'テスト', '環境': '本番'}
                 ELSE MAP {'team': 'a', 'system': '住民記録システム', 'stage': 'テスト'} END,
               '111111111111', 'payer', 1, 'JPY', i
        FROM range(200000) t(i)
        """
    )
    sql = allocation_select_sql("bill", CFG)
    start = time.perf_counter()
    counts = con.execute(
        f"SELECT count(*), count(x_Ward), count(x_BusinessSystem), count(x_Environment), "
        f"count(*) FILTER (WHERE x_Ward = '131016') FROM ({sql})"
    ).fetchone()
    elapsed = time.perf_counter() - start
    print(f"\nallocation of 200,000 rows: {elapsed:.2f} s")
    assert counts == (200_000, 200_000, 200_000, 200_000, 40_000)


def test_valid_codes_sql_matches_python() -> None:
    """The SQL generator of checksum-valid codes yields exactly `wards.valid_codes()`."""
    import duckdb

    from gcfinops.allocation.tags import VALID_CODES_SQL
    from gcfinops.allocation.wards import valid_codes

    con = duckdb.connect()
    assert {r[0] for r in con.execute(VALID_CODES_SQL).fetchall()} == set(valid_codes())


# --- issue 14 items 3d, 3e ----------------------------------------------------------------
def test_case_variant_tag_keys_pick_the_configured_spelling(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """`Ward` and `ward` both set (AWS tag keys are case-sensitive): the key spelt as configured
    (`ward`) wins, whichever value sorts first; without an exact spelling, the smallest key."""
    x = "000000000000"
    _insert(
        con,
        [
            ({"Ward": "港区", "ward": "渋谷区"}, x, x, 1, "JPY", 1),
            ({"Ward": "渋谷区", "ward": "港区"}, x, x, 1, "JPY", 2),
            ({"WARD": "港区", "Ward": "渋谷区"}, x, x, 1, "JPY", 3),
            ({"Ward": "港区"}, x, x, 1, "JPY", 4),  # still matched case-insensitively
        ],
    )
    got = {k: v[0] for k, v in _allocate(con).items()}
    assert got == {1: "131130", 2: "131032", 3: "131032", 4: "131032"}


def test_namespaced_tag_keys_match_by_their_last_segment(con: duckdb.DuckDBPyConnection) -> None:
    """OCI defined tags `Jichitai.Municipality`: matched by `municipality`, unless the configured
    key is given in full (then another namespace does not match)."""
    x = "000000000000"
    _insert(
        con,
        [
            ({"Jichitai.Municipality": "品川区"}, x, x, 1, "JPY", 1),
            ({"Other.Municipality": "港区"}, x, x, 1, "JPY", 2),
            ({"Jichitai.Municipality": "品川区", "ward": "港区"}, x, x, 1, "JPY", 3),
            ({"Jichitai.Note": "品川区"}, x, x, 1, "JPY", 4),
        ],
    )
    got = {k: v[0] for k, v in _allocate(con).items()}
    assert got == {1: "131091", 2: "131032", 3: "131032", 4: None}  # ward is the first key
    full = AllocationConfig(ward_tag_keys=("Jichitai.Municipality",))
    got_full = {k: v[0] for k, v in _allocate(con, full).items()}
    assert got_full == {1: "131091", 2: None, 3: "131091", 4: None}
    # a full-key match beats a last-segment match of the same configured key
    _insert(con, [({"municipality": "港区", "Jichitai.Municipality": "品川区"}, x, x, 1, "JPY", 5)])
    assert _allocate(con)[5][0] == "131032"


# --- issue 14 item 1: allocation once per distinct input ------------------------------------
def test_per_distinct_allocation_equals_per_row(con: duckdb.DuckDBPyConnection) -> None:
    """allocation_table_sql + allocation_join_sql give every row the same x_ columns as
    allocation_select_sql: case-variant and namespaced keys, repeated maps, NULL maps and
    accounts (NULL is a key like any other), account fallback; the row count is unchanged."""
    x, acct = "000000000000", "111111111111"
    maps: list[dict[str, str] | None] = [
        {"Ward": "港区", "ward": "渋谷区"},
        {"Ward": "渋谷区", "ward": "港区"},
        {"WARD": "港区", "Ward": "渋谷区", "env": "本番"},
        {"Jichitai.Municipality": "品川区", "System": "国保"},
        {"Other.Municipality": "港区", "Environment": "dev"},
        {"municipality": "港区", "Jichitai.Municipality": "品川区"},
        {"部署": "総務", "user:ward": "setagaya"},
        {},
        None,
    ]
    rows = []
    for i in range(400):  # every map repeated, with every account combination
        tags = maps[i % len(maps)]
        sub = (None, acct, x, " 111111111111 ")[i % 4]
        billing = (x, None, "999999999999")[i % 3]
        rows.append((tags, sub, billing, i, "JPY", i))
    _insert(con, rows)
    per_row = _allocate(con)
    con.execute(f"CREATE TEMP TABLE alloc AS {allocation_table_sql('bill', CFG)}")
    distinct = con.execute("SELECT count(*) FROM alloc").fetchone()
    assert distinct is not None and distinct[0] < len(rows) / 5
    joined = con.execute(
        "SELECT id, x_Ward, x_BusinessSystem, x_Environment "
        f"FROM ({allocation_join_sql('bill', 'alloc')})"
    ).fetchall()
    assert len(joined) == len(rows)
    assert {r[0]: r[1:] for r in joined} == per_row
    assert any(v[0] for v in per_row.values()) and any(v[0] is None for v in per_row.values())


def test_per_distinct_allocation_refuses_a_row_without_its_key(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """A row whose inputs are missing from the table is a bug: an error, never a silent NULL."""
    x = "000000000000"
    _insert(con, [({"ward": "港区"}, x, x, 1, "JPY", 1)])
    con.execute(f"CREATE TEMP TABLE alloc AS {allocation_table_sql('bill', CFG)}")
    _insert(con, [({"ward": "渋谷区"}, x, x, 1, "JPY", 2)])
    with pytest.raises(duckdb.Error, match="no allocation computed"):
        con.execute(f"SELECT * FROM ({allocation_join_sql('bill', 'alloc')})").fetchall()
