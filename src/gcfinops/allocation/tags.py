"""Allocation of billing rows to ward, business system and environment, computed in SQL.

Python builds four small lookup tables from the built-in data and the ``[allocation]`` config
(:func:`register_lookups`); :func:`allocation_select_sql` returns one streaming SELECT that
LEFT JOINs them. Precedence per column: a recognised tag value, else the account map for
``SubAccountId``, else the account map for ``BillingAccountId``, else NULL.

The SQL sticks to ``translate``, ``lower``, ``trim``, ``regexp_replace``, ``coalesce`` and joins;
the one DuckDB-only construct (reading a MAP with list lambdas) lives in
:func:`_tag_key_sql_picked`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gcfinops.allocation.environments import environment_alias_rows, normalize_environment
from gcfinops.allocation.systems import normalize_system, system_alias_rows
from gcfinops.allocation.wards import (
    Ward,
    WardDirectory,
    alias_key,
    alias_key_sql,
    check_digit,
    foreign_char_re,
)
from gcfinops.errors import ConfigError

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "ALLOCATION_INPUTS",
    "LOOKUP_TABLES",
    "AllocationConfig",
    "allocation_join_sql",
    "allocation_select_sql",
    "allocation_table_sql",
    "normalize_tag_key",
    "register_lookups",
    "tag_key_sql",
    "unallocated_summary_sql",
]

LOOKUP_TABLES = ("gcf_ward_alias", "gcf_system_alias", "gcf_env_alias", "gcf_account_alloc")


# --- tag keys -----------------------------------------------------------------------------
# Provider prefixes: legacy CUR "resourceTags/user:Ward", CUR 2.0 "user_ward", flattened
# "resource_tags_user_ward", and "tag:Ward" (AWS filter syntax). Letters are spelled as
# [xX] classes rather than a case-insensitive flag: engines fold non-ASCII letters
# differently (Python and RE2 both match 'ſ' for (?i)s), and the Python twin must agree.
def _ascii_ci(word: str) -> str:
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in word)


_PREFIX_PATTERN = (
    f"^({_ascii_ci('resourcetags/')}|{_ascii_ci('resource_tags_')})?"
    f"({_ascii_ci('user:')}|{_ascii_ci('user_')}|{_ascii_ci('tag:')})"
)
_PREFIX_RE = re.compile(_PREFIX_PATTERN)
# Prefixes as providers spell them, for the exact-spelling tie-break of `_tag_key_sql_picked`.
_EXACT_PREFIXES = ("", "user:", "user_", "tag:", "resourceTags/user:", "resource_tags_user_")


def normalize_tag_key(key: str) -> str:
    """Strip a provider prefix, then :func:`alias_key`: ``user:LG_Code`` -> ``lgcode``."""
    return alias_key(_PREFIX_RE.sub("", key, count=1))


def tag_key_sql(expr: str) -> str:
    """SQL twin of :func:`normalize_tag_key` over ``expr`` (a column or lambda variable)."""
    return alias_key_sql(f"regexp_replace({expr}, '{_PREFIX_PATTERN}', '')")


def _tag_key_sql_picked(tags: str, keys: tuple[str, ...]) -> str:
    """The :func:`alias_key` of the value of the first configured key in MAP ``tags``, or NULL.

    NOTE: the only DuckDB-specific SQL in the package. ``map_entries`` + list lambdas read
    the MAP without multiplying rows (unlike ``unnest``). Each entry gets the rank of its
    normalized key in ``keys``; entries with another key or a blank value are dropped.

    Namespaced keys (OCI defined tags ``Jichitai.Municipality``) match a configured key by their
    last ``.`` segment, unless the configured key itself has a dot: then only the full key
    matches. Which entry wins, in order: the earliest configured key; a full-key match before a
    last-segment match; the tag spelt exactly as configured (after the provider prefix) before
    its case variants (AWS tag keys are case-sensitive: ``ward`` and ``Ward`` can both be set);
    then the smallest key in code-point order (``WARD`` < ``Ward``). Deterministic, whatever
    the map's order.
    sqlglot turns it into Spark's ``filter``/``transform``/``array_sort`` with a 0-based index;
    ``list_position`` must become ``array_position`` by hand (Spark returns 0, not NULL).
    """
    wanted_keys: dict[str, tuple[str | None, str]] = {}
    for k in keys:
        norm = normalize_tag_key(k)
        if norm and norm not in wanted_keys:
            wanted_keys[norm] = (None if "." in k else norm, k)
    if not wanted_keys:
        return "CAST(NULL AS VARCHAR)"

    def quoted(values: Iterable[str | None]) -> str:
        return (
            "["
            + ", ".join("NULL" if v is None else "'" + v.replace("'", "''") + "'" for v in values)
            + "]"
        )

    full_list = quoted(wanted_keys)
    short_list = quoted(short for short, _ in wanted_keys.values())
    # The configured spellings, bare and behind the provider prefixes as providers write them
    # (a plain list lookup: this tie-break must not cost a regex per tag).
    raw_list = quoted(
        dict.fromkeys(p + _PREFIX_RE.sub("", k, count=1) for k in keys for p in _EXACT_PREFIXES)
    )
    full = f"list_position({full_list}, {tag_key_sql('gcf_e.key')})"
    last = "string_split(gcf_y.k, '.')[-1]"  # a provider prefix comes before the namespace
    segment = (
        f"CASE WHEN gcf_y.f IS NULL THEN list_position({short_list}, {alias_key_sql(last)}) END"
    )
    guard = f"regexp_matches(gcf_e.key, '{foreign_char_re(wanted_keys)}')"
    # Stage 1 normalizes every entry's key once; the next stages only see the few entries that
    # matched in full or have a namespace (a dot) whose last segment may match.
    ranked = (
        f"list_transform(map_entries({tags}), lambda gcf_e: CASE WHEN {guard} THEN NULL ELSE "
        f"{{'f': {full}, 'k': gcf_e.key, 'v': gcf_e.value}} END)"
    )
    candidates = (
        f"list_filter({ranked}, lambda gcf_x: gcf_x.f IS NOT NULL OR contains(gcf_x.k, '.'))"
    )
    segmented = (
        f"list_transform({candidates}, lambda gcf_y: {{'f': gcf_y.f, 's': {segment}, "
        "'k': gcf_y.k, 'v': gcf_y.v})"
    )
    wanted = f"list_filter({segmented}, lambda gcf_w: coalesce(gcf_w.f, gcf_w.s) IS NOT NULL)"
    exact = f"list_contains({raw_list}, gcf_v.k)"
    keyed = (
        "list_transform("
        f"{wanted}, lambda gcf_v: {{'r': least(gcf_v.f, gcf_v.s), "
        "'m': gcf_v.f IS NULL OR gcf_v.f > least(gcf_v.f, gcf_v.s), "
        f"'x': NOT {exact}, 'k': gcf_v.k, 'v': {alias_key_sql('gcf_v.v')}}})"
    )
    return f"list_sort(list_filter({keyed}, lambda gcf_z: gcf_z.v <> ''))[1].v"


# --- config -------------------------------------------------------------------------------
@dataclass(frozen=True)
class AllocationConfig:
    """Tag keys in order of preference, account maps and extra municipalities."""

    ward_tag_keys: tuple[str, ...] = ("ward", "municipality", "lg-code")
    system_tag_keys: tuple[str, ...] = ("system", "business-system", "gyomu")
    environment_tag_keys: tuple[str, ...] = ("env", "environment", "stage")
    account_ward: Mapping[str, str] = field(default_factory=dict)
    account_system: Mapping[str, str] = field(default_factory=dict)
    account_environment: Mapping[str, str] = field(default_factory=dict)
    extra_wards: tuple[Ward, ...] = ()

    @classmethod
    def from_mapping(
        cls, section: Mapping[str, Any], *, source: str = "gcfinops.toml"
    ) -> AllocationConfig:
        """Build from the ``[allocation]`` table of gcfinops.toml; all problems in one error."""
        return _parse(section, source)


def _account_key(account_id: str) -> str:
    return account_id.strip(" ").lower()  # twin of SQL lower(trim(x)); ids are ASCII


def _account_rows(
    cfg: AllocationConfig, wards: WardDirectory
) -> tuple[list[tuple[str, str | None, str | None, str | None]], list[str]]:
    """Normalized account rows and the problems found (values no spelling rule recognises)."""
    rows: dict[str, list[str | None]] = {}
    problems: list[str] = []
    columns = (
        ("ward", cfg.account_ward, wards.normalize),
        ("system", cfg.account_system, normalize_system),
        ("environment", cfg.account_environment, normalize_environment),
    )
    for index, (name, mapping, normalize) in enumerate(columns):
        for account_id, value in mapping.items():
            normalized = normalize(value)
            if normalized is None:
                problems.append(f'allocation.accounts."{account_id}".{name}: unknown {value!r}')
            row = rows.setdefault(_account_key(account_id), [None, None, None])
            if row[index] is not None and row[index] != normalized:
                problems.append(f'allocation.accounts."{account_id}".{name}: conflicting ids')
            row[index] = row[index] or normalized
    return [(k, v[0], v[1], v[2]) for k, v in sorted(rows.items())], problems


def register_lookups(con: duckdb.DuckDBPyConnection, cfg: AllocationConfig) -> None:
    """Create or replace the TEMP lookup tables (``LOOKUP_TABLES``) on ``con``."""
    import pyarrow as pa  # NOTE: only needed here; keeps `import gcfinops.allocation` light

    wards = WardDirectory(cfg.extra_wards)
    accounts, problems = _account_rows(cfg, wards)
    if problems:
        raise ConfigError(
            "; ".join(problems),
            hint="docs/allocation.md lists the accepted spellings",
        )
    ward_rows = wards.alias_rows()
    tables: dict[str, tuple[str, list[tuple[Any, ...]]]] = {
        "gcf_ward_alias": ("alias_key VARCHAR PRIMARY KEY, code VARCHAR NOT NULL", ward_rows),
        "gcf_system_alias": (
            "alias_key VARCHAR PRIMARY KEY, system_id VARCHAR NOT NULL",
            system_alias_rows(),
        ),
        "gcf_env_alias": (
            "alias_key VARCHAR PRIMARY KEY, environment VARCHAR NOT NULL",
            environment_alias_rows(),
        ),
        "gcf_account_alloc": (
            "account_id VARCHAR PRIMARY KEY, ward VARCHAR, system VARCHAR, environment VARCHAR",
            list(accounts),
        ),
    }
    for name, (columns, rows) in tables.items():
        names = [c.strip().split()[0] for c in columns.split(",")]
        data = pa.table(
            {n: pa.array([r[i] for r in rows], pa.string()) for i, n in enumerate(names)}
        )
        staging = f"{name}_staging"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({columns})")
        con.register(staging, data)
        try:
            con.execute(f"INSERT INTO {name} SELECT * FROM {staging}")
        finally:
            con.unregister(staging)
    # Every checksum-valid code (prefecture 01–47) is accepted as itself: generated in SQL,
    # the same rule as `wards.valid_codes()` (a test keeps the two equal), 10x faster.
    con.execute(
        f"INSERT INTO gcf_ward_alias SELECT c, c FROM ({VALID_CODES_SQL}) "
        "WHERE c NOT IN (SELECT alias_key FROM gcf_ward_alias)"
    )


#: JIS X 0402 check digit over range(01000, 48000): S = 6d1+5d2+4d3+3d4+2d5, (11 − S mod 11) mod 10.
VALID_CODES_SQL = (
    "SELECT lpad(CAST(p AS VARCHAR), 5, '0') || CAST((11 - ((6 * (p // 10000)"
    " + 5 * ((p // 1000) % 10) + 4 * ((p // 100) % 10) + 3 * ((p // 10) % 10) + 2 * (p % 10))"
    " % 11)) % 10 AS VARCHAR) AS c FROM range(1000, 48000) AS r(p)"
)


# --- the SQL ------------------------------------------------------------------------------
def allocation_select_sql(relation: str, cfg: AllocationConfig) -> str:
    """SELECT ``relation``.* plus x_Ward, x_BusinessSystem, x_Environment (one row per row).

    ``relation`` is a trusted table or view name with ``Tags MAP(VARCHAR, VARCHAR)``,
    ``SubAccountId`` and ``BillingAccountId``, and no x_ allocation columns yet.
    :func:`register_lookups` must have run on the same connection. Every join is on a unique
    key, so the row count is exact; no ORDER BY or window, so it streams.
    """
    ward = _tag_key_sql_picked("gcf_r.Tags", cfg.ward_tag_keys)
    system = _tag_key_sql_picked("gcf_r.Tags", cfg.system_tag_keys)
    env = _tag_key_sql_picked("gcf_r.Tags", cfg.environment_tag_keys)
    return f"""SELECT
    gcf_r.*,
    coalesce(gcf_wt.code, gcf_sa.ward, gcf_ba.ward) AS x_Ward,
    coalesce(gcf_st.system_id, gcf_sa.system, gcf_ba.system) AS x_BusinessSystem,
    coalesce(gcf_et.environment, gcf_sa.environment, gcf_ba.environment) AS x_Environment
FROM {relation} AS gcf_r
LEFT JOIN gcf_ward_alias AS gcf_wt ON gcf_wt.alias_key = {ward}
LEFT JOIN gcf_system_alias AS gcf_st ON gcf_st.alias_key = {system}
LEFT JOIN gcf_env_alias AS gcf_et ON gcf_et.alias_key = {env}
LEFT JOIN gcf_account_alloc AS gcf_sa ON gcf_sa.account_id = lower(trim(gcf_r.SubAccountId))
LEFT JOIN gcf_account_alloc AS gcf_ba ON gcf_ba.account_id = lower(trim(gcf_r.BillingAccountId))
"""


#: The only columns allocation reads: x_Ward, x_BusinessSystem and x_Environment are a function of
#: these three values, so they can be computed once per distinct combination (see below).
ALLOCATION_INPUTS = ("Tags", "SubAccountId", "BillingAccountId")


def allocation_table_sql(relation: str, cfg: AllocationConfig) -> str:
    """The allocation of each distinct (Tags, SubAccountId, BillingAccountId) of ``relation``.

    Why: a billing month repeats a few thousand tag maps on millions of rows; normalizing tag
    keys with regular expressions per row was a quarter of the ingest's CPU time
    (docs/performance.md). Same columns and values as :func:`allocation_select_sql`, which this
    reuses, over ``SELECT DISTINCT`` of the inputs; :func:`allocation_join_sql` joins it back.
    """
    keys = ", ".join(ALLOCATION_INPUTS)
    distinct = f"(SELECT DISTINCT {keys} FROM {relation})"
    return (
        f"SELECT {keys}, x_Ward, x_BusinessSystem, x_Environment, TRUE AS gcf_hit "
        f"FROM ({allocation_select_sql(distinct, cfg)})"
    )


def allocation_join_sql(relation: str, table: str) -> str:
    """``relation``.* plus the allocation columns looked up in ``table`` (allocation_table_sql).

    Keys compare with IS NOT DISTINCT FROM (a NULL tag map or account is a key like any other);
    the table holds each key once, so the row count is exact. A row whose key is missing can only
    be a bug (the table was built from other rows): it stops the query rather than leaving the
    row unallocated in silence.
    """
    on = " AND ".join(f"gcf_a.{k} IS NOT DISTINCT FROM gcf_r.{k}" for k in ALLOCATION_INPUTS)
    missing = "error('internal error: no allocation computed for this row''s tags and accounts')"
    return (
        "SELECT gcf_r.*, "
        + ", ".join(
            f"CASE WHEN gcf_a.gcf_hit THEN gcf_a.{c} ELSE {missing} END AS {c}"
            for c in ("x_Ward", "x_BusinessSystem", "x_Environment")
        )
        + f" FROM {relation} AS gcf_r LEFT JOIN {table} AS gcf_a ON {on}"
    )


def unallocated_summary_sql(relation: str) -> str:
    """Per BillingCurrency: all rows and cost, and rows and cost with each x_ column NULL."""
    any_null = "x_Ward IS NULL OR x_BusinessSystem IS NULL OR x_Environment IS NULL"
    parts = []
    for condition, label in (
        ("x_Ward IS NULL", "ward"),
        ("x_BusinessSystem IS NULL", "business_system"),
        ("x_Environment IS NULL", "environment"),
        (any_null, "any"),
    ):
        rows = f"sum(CASE WHEN {condition} THEN 1 ELSE 0 END)"
        cost = f"sum(CASE WHEN {condition} THEN BilledCost ELSE 0 END)"
        parts += [f"{rows} AS unallocated_{label}_rows", f"{cost} AS unallocated_{label}_cost"]
    body = ",\n    ".join(parts)
    return f"""SELECT
    BillingCurrency AS billing_currency,
    count(*) AS total_rows,
    sum(BilledCost) AS total_cost,
    {body}
FROM {relation}
GROUP BY BillingCurrency
ORDER BY billing_currency
"""


# --- [allocation] in gcfinops.toml --------------------------------------------------------
_TOP_KEYS = (
    "ward_tag_keys",
    "system_tag_keys",
    "environment_tag_keys",
    "accounts",
    "municipalities",
)
_ACCOUNT_KEYS = ("ward", "system", "environment")
_MUNICIPALITY_KEYS = ("code", "kanji", "kana", "romaji", "name_en")


def _unknown(key: str, valid: Iterable[str], where: str) -> str:
    close = difflib.get_close_matches(key, list(valid), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{where}: unknown key {key!r}{hint}; valid: {', '.join(valid)}"


def _parse(section: Mapping[str, Any], source: str) -> AllocationConfig:
    problems: list[str] = []
    kwargs: dict[str, Any] = {}
    for key, value in section.items():
        if key not in _TOP_KEYS:
            problems.append(_unknown(key, _TOP_KEYS, "allocation"))
        elif key.endswith("_tag_keys"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append(f"allocation.{key}: expected a list of strings")
            else:
                kwargs[key] = tuple(value)
    maps: dict[str, dict[str, str]] = {k: {} for k in _ACCOUNT_KEYS}
    accounts = section.get("accounts", {})
    if not isinstance(accounts, Mapping):
        problems.append("allocation.accounts: expected a table")
        accounts = {}
    for account_id, entry in accounts.items():
        where = f'allocation.accounts."{account_id}"'
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: expected a table")
            continue
        for key, value in entry.items():
            if key not in _ACCOUNT_KEYS:
                problems.append(_unknown(key, _ACCOUNT_KEYS, where))
            elif not isinstance(value, str):
                problems.append(f"{where}.{key}: expected a string")
            else:
                maps[key][str(account_id)] = value
    extra: list[Ward] = []
    municipalities = section.get("municipalities", [])
    if not isinstance(municipalities, list):
        problems.append("allocation.municipalities: expected an array of tables")
        municipalities = []
    for i, entry in enumerate(municipalities):
        where = f"allocation.municipalities[{i}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: expected a table")
            continue
        problems += [
            _unknown(k, _MUNICIPALITY_KEYS, where) for k in entry if k not in _MUNICIPALITY_KEYS
        ]
        fields = {k: str(entry.get(k, "")) for k in _MUNICIPALITY_KEYS}
        code = fields["code"]
        if re.fullmatch(r"[0-9]{5}", code):
            fields["code"] = code + str(check_digit(code))
        extra.append(Ward(**fields))
    kwargs["extra_wards"] = tuple(extra)
    cfg = AllocationConfig(
        account_ward=maps["ward"],
        account_system=maps["system"],
        account_environment=maps["environment"],
        **kwargs,
    )
    if not problems:  # values are checked once the shape is right
        try:
            wards = WardDirectory(cfg.extra_wards)
        except ConfigError as err:
            problems.append(f"allocation.municipalities: {err.message}")
        else:
            problems += _account_rows(cfg, wards)[1]
    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))
    return cfg
