"""Apportionment (按分) rules: parsing, each method by hand, and Σ after = Σ before (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gcfinops.allocation.apportion import SOURCE_COLUMNS, apportion_sql
from gcfinops.allocation.split import BUILTIN_RULES, SplitConfig, SplitRule, parse
from gcfinops.allocation.wards import WardDirectory
from gcfinops.db import connect
from gcfinops.errors import ConfigError

WARDS = WardDirectory()


def row(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "month": "2025-04",
        "provider": "AWS",
        "billing_account": "payer",
        "sub_account": "prod",
        "service": "EC2",
        "charge_category": "Usage",
        "commitment_id": None,
        "ward": "131121",
        "business_system": None,
        "untagged": False,
        "amount_jpy": 0.0,
        "weight_jpy": 0.0,
    }
    base.update(kw)
    if base["charge_category"] == "Usage" and "weight_jpy" not in kw:
        base["weight_jpy"] = base["amount_jpy"]
    return base


def usage(amount: float, **kw: Any) -> dict[str, Any]:
    return row(amount_jpy=amount, **kw)


def run(rows: list[dict[str, Any]], rules: tuple[SplitRule, ...]) -> list[tuple[Any, ...]]:
    """(ward, business_system, rule, split_status, amount) of the output, sorted."""
    con = connect()
    con.execute(
        "CREATE TEMP TABLE src (month VARCHAR, provider VARCHAR, billing_account VARCHAR, "
        "sub_account VARCHAR, service VARCHAR, charge_category VARCHAR, commitment_id VARCHAR, "
        "ward VARCHAR, business_system VARCHAR, untagged BOOLEAN, amount_jpy DOUBLE, "
        "weight_jpy DOUBLE)"
    )
    con.executemany(
        f"INSERT INTO src VALUES ({', '.join('?' for _ in SOURCE_COLUMNS)})",
        [[r[c] for c in SOURCE_COLUMNS] for r in rows],
    )
    for stmt in apportion_sql(rules, "src", "out"):
        con.execute(stmt)
    out = con.execute(
        "SELECT ward, business_system, rule, split_status, sum(amount_jpy) FROM out "
        "GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    con.close()
    return [(*r[:4], round(float(r[4]), 6)) for r in out]


def rules(toml_rules: list[dict[str, Any]], metrics: dict[str, Any] | None = None) -> SplitConfig:
    section: dict[str, Any] = {"split": toml_rules}
    if metrics:
        section["metrics"] = metrics
    return parse(section, "gcfinops.toml", WARDS)


# --- built-ins -------------------------------------------------------------------------------


def test_tax_follows_the_cost_it_taxes_including_unallocated_usage() -> None:
    # usage 600 (住民基本台帳) + 300 (税務) + 100 (no 業務); tax 100 → 60 / 30 / 10
    rows = [
        usage(600, business_system="resident_registry"),
        usage(300, business_system="individual_inhabitant_tax"),
        usage(100, untagged=True),
        row(charge_category="Tax", service="Tax", amount_jpy=100.0, untagged=True),
    ]
    out = run(rows, BUILTIN_RULES)
    moved = {(r[1]): r[4] for r in out if r[3] == "moved"}
    assert moved == {"resident_registry": 60.0, "individual_inhabitant_tax": 30.0, None: 10.0}
    assert sum(r[4] for r in out) == 1100.0


def test_tax_stays_within_its_billing_account_and_month() -> None:
    rows = [
        usage(100, ward="131121", billing_account="A"),
        usage(100, ward="131016", billing_account="B"),
        usage(100, ward="131016", billing_account="A", month="2025-05"),
        row(charge_category="Tax", billing_account="A", amount_jpy=10.0),
    ]
    out = run(rows, BUILTIN_RULES)
    assert [(r[0], r[4]) for r in out if r[3] == "moved"] == [("131121", 10.0)]


def test_commitment_fee_follows_covered_usage() -> None:
    # fee 1,000 for SP x; covered usage 300 (児童手当) and 100 (no 業務) by EffectiveCost
    rows = [
        usage(0.0, commitment_id="x", business_system="child_allowance", weight_jpy=300.0),
        usage(0.0, commitment_id="x", weight_jpy=100.0),
        usage(5000.0, business_system="resident_registry"),  # not covered: gets nothing
        row(charge_category="Purchase", commitment_id="x", amount_jpy=1000.0, untagged=True),
    ]
    out = run(rows, BUILTIN_RULES)
    moved = {r[1]: r[4] for r in out if r[3] == "moved"}
    assert moved == {"child_allowance": 750.0, None: 250.0}


def test_fee_without_covered_usage_falls_back_to_account_usage() -> None:
    rows = [
        usage(300.0, business_system="child_allowance"),
        usage(100.0, business_system="resident_registry"),
        row(charge_category="Purchase", service="Support", amount_jpy=40.0),
    ]
    moved = {r[1]: r[4] for r in run(rows, BUILTIN_RULES) if r[3] == "moved"}
    assert moved == {"child_allowance": 30.0, "resident_registry": 10.0}


def test_pool_without_basis_stays_and_is_marked() -> None:
    rows = [row(charge_category="Tax", billing_account="lonely", amount_jpy=77.0)]
    assert run(rows, BUILTIN_RULES) == [("131121", None, "tax", "no_basis", 77.0)]


# --- user methods ----------------------------------------------------------------------------


def hub_rows() -> list[dict[str, Any]]:
    """Shared network hub account (no ward) of 1,000円; usage 300 / 100 in two ward accounts."""
    return [
        usage(
            300.0, ward="131121", billing_account="setagaya", business_system="resident_registry"
        ),
        usage(100.0, ward="131016", billing_account="chiyoda", business_system="resident_registry"),
        usage(1000.0, ward=None, billing_account="hub", untagged=True),
    ]


def test_proportional_with_basis_all() -> None:
    cfg = rules(
        [
            {
                "name": "hub",
                "match": {"billing_account_id": "hub"},
                "to": "ward",
                "method": "proportional",
                "basis": "all",
            }
        ]
    )
    out = run(hub_rows(), cfg.rules)
    moved = {r[0]: r[4] for r in out if r[2] == "hub"}
    # the hub's own usage has no ward, so it is no basis; weights 300:100 → 750 / 250
    assert moved == {"131121": 750.0, "131016": 250.0}
    assert sum(r[4] for r in out) == 1400.0


def test_proportional_default_basis_has_no_basis_in_a_ward_less_account() -> None:
    cfg = rules(
        [
            {
                "name": "hub",
                "match": {"billing_account_id": "hub"},
                "to": "ward",
                "method": "proportional",
            }
        ]
    )
    out = run(hub_rows(), cfg.rules)
    assert [r for r in out if r[2] == "hub"] == [(None, None, "hub", "no_basis", 1000.0)]


def test_even_split_with_largest_remainder() -> None:
    # 1,000円 over 3 wards: 333.33… each; the extra yen goes to the smallest key, 131016
    rows = [*hub_rows(), usage(1.0, ward="131237", billing_account="edogawa")]
    cfg = rules(
        [
            {
                "name": "hub",
                "match": {"billing_account_id": "hub"},
                "to": "ward",
                "method": "even",
                "basis": "all",
            }
        ]
    )
    moved = {r[0]: r[4] for r in run(rows, cfg.rules) if r[2] == "hub"}
    assert moved == {"131016": 334.0, "131121": 333.0, "131237": 333.0}


def test_fixed_shares_any_ward_spelling() -> None:
    cfg = rules(
        [
            {
                "name": "hub",
                "match": {"billing_account_id": "hub"},
                "to": "ward",
                "method": "fixed",
                "shares": {"世田谷区": 0.7, "chiyoda": 0.3},
            }
        ]
    )
    moved = {r[0]: r[4] for r in run(hub_rows(), cfg.rules) if r[2] == "hub"}
    assert moved == {"131121": 700.0, "131016": 300.0}


def test_metric_residents() -> None:
    cfg = rules(
        [
            {
                "name": "hub",
                "match": {"billing_account_id": "hub"},
                "to": "ward",
                "method": "metric",
                "metric": "residents",
            }
        ],
        {"residents": {"131121": 900, "131016": 70, "131237": 30}},
    )
    moved = {r[0]: r[4] for r in run(hub_rows(), cfg.rules) if r[2] == "hub"}
    assert moved == {"131121": 900.0, "131016": 70.0, "131237": 30.0}


def test_untagged_to_business_system_within_the_ward() -> None:
    # setagaya's untagged 100 → 住民基本台帳 3 : 児童手当 1 (chiyoda's 業務 do not count)
    rows = [
        usage(300.0, business_system="resident_registry"),
        usage(100.0, business_system="child_allowance"),
        usage(100.0, untagged=True),
        usage(999.0, ward="131016", business_system="national_pension"),
    ]
    cfg = rules(
        [
            {
                "name": "common",
                "match": {"untagged": True, "charge_category": "Usage"},
                "to": "business_system",
                "method": "proportional",
                "basis": "all",
            }
        ]
    )
    moved = {(r[0], r[1]): r[4] for r in run(rows, cfg.rules) if r[2] == "common"}
    assert moved == {("131121", "resident_registry"): 75.0, ("131121", "child_allowance"): 25.0}


def test_user_rule_comes_before_the_builtin() -> None:
    rows = [
        usage(100.0, business_system="resident_registry"),
        row(charge_category="Tax", amount_jpy=10.0),
    ]
    cfg = rules(
        [
            {
                "name": "my-tax",
                "match": {"charge_category": "tax"},
                "to": "business_system",
                "method": "fixed",
                "shares": {"child_allowance": 1.0},
            }
        ]
    )
    out = run(rows, cfg.rules)
    assert ("131121", "child_allowance", "my-tax", "moved", 10.0) in out


# --- Σ after = Σ before ----------------------------------------------------------------------

amounts = st.decimals(min_value=-(10**7), max_value=10**8, places=2).map(float)


@settings(max_examples=60, deadline=None)
@given(
    pool=amounts,
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=7),
    method=st.sampled_from(["proportional", "even"]),
)
def test_every_yen_lands_somewhere(pool: float, weights: list[int], method: str) -> None:
    wards = ["131016", "131024", "131032", "131041", "131059", "131067", "131075"]
    rows = [usage(float(w), ward=wards[i], billing_account=f"w{i}") for i, w in enumerate(weights)]
    rows.append(row(ward=None, billing_account="hub", amount_jpy=pool))
    cfg = rules(
        [
            {
                "name": "hub",
                "match": {"billing_account_id": "hub"},
                "to": "ward",
                "method": method,
                "basis": "all",
            }
        ]
    )
    con_rows = run(rows, cfg.rules)
    hub = [r for r in con_rows if r[2] == "hub"]
    assert sum(r[4] for r in hub) == pytest.approx(pool, abs=1e-6)
    moved = [r[4] for r in hub if r[3] == "moved"]
    if moved:
        # all but one share are whole yen; each is within 1 yen of its exact quota
        fractional = [a for a in moved if abs(a - round(a)) > 1e-6]
        assert len(fractional) <= 1
        total = sum(w for w in weights if w > 0) if method == "proportional" else None
        for r in hub:
            i = wards.index(str(r[0]))
            quota = pool * weights[i] / total if total else pool / len(moved)
            assert abs(r[4] - quota) < 1 + 1e-6
    else:
        assert all(w == 0 for w in weights)
    assert run(rows, cfg.rules) == con_rows  # deterministic


@settings(max_examples=40, deadline=None)
@given(
    pool=amounts,
    shares=st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=6),
    to_both=st.booleans(),
)
def test_fixed_shares_and_tax_to_both_keep_every_yen(
    pool: float, shares: list[int], to_both: bool
) -> None:
    """Fixed shares (normalized to 1) over wards, and the built-in tax rule over ward × 業務."""
    wards = ["131016", "131024", "131032", "131041", "131059", "131067"]
    total = sum(shares)
    weights = {wards[i]: s / total for i, s in enumerate(shares)}
    weights[wards[len(shares) - 1]] += 1.0 - sum(weights.values())  # exactly 1 in floats
    cfg = rules(
        [
            {
                "name": "hub",
                "match": {"billing_account_id": "hub"},
                "to": "ward",
                "method": "fixed",
                "shares": weights,
            }
        ]
    )
    rows = [row(ward=None, billing_account="hub", amount_jpy=pool)]
    if to_both:
        systems = ["resident_registry", "child_allowance", None]
        rows = [usage(float(s), business_system=systems[i % 3]) for i, s in enumerate(shares)]
        rows.append(row(charge_category="Tax", amount_jpy=pool))
    out = run(rows, cfg.rules)
    moved = [r for r in out if r[2] in ("hub", "tax")]
    assert sum(r[4] for r in moved) == pytest.approx(pool, abs=1e-6)
    assert len([r for r in moved if abs(r[4] - round(r[4])) > 1e-6]) <= 1


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"match": {"untagged": True}, "to": "ward", "method": "even"}, r"split\[1\]\.name"),
        ({"name": "a", "match": {"colour": "x"}, "to": "ward", "method": "even"}, "colour"),
        (
            {"name": "a", "match": {"charge_category": "Fee"}, "to": "ward", "method": "even"},
            "unknown 'Fee'",
        ),
        ({"name": "a", "match": {"untagged": True}, "to": "city", "method": "even"}, r"\.to"),
        ({"name": "a", "match": {"untagged": True}, "to": "ward", "method": "magic"}, "method"),
        (
            {
                "name": "a",
                "match": {"untagged": True},
                "to": "ward",
                "method": "fixed",
                "shares": {"131121": 0.5},
            },
            "add up to 1",
        ),
        (
            {
                "name": "a",
                "match": {"untagged": True},
                "to": "ward",
                "method": "fixed",
                "shares": {"atlantis": 1.0},
            },
            "unknown ward",
        ),
        (
            {
                "name": "a",
                "match": {"untagged": True},
                "to": "both",
                "method": "fixed",
                "shares": {"131121": 1.0},
            },
            "need to",
        ),
        (
            {
                "name": "a",
                "match": {"untagged": True},
                "to": "ward",
                "method": "metric",
                "metric": "people",
            },
            "metrics.NAME",
        ),
        ({"name": "tax", "match": {"untagged": True}, "to": "ward", "method": "even"}, "built-in"),
        (
            {
                "name": "a",
                "match": {"untagged": True},
                "to": "ward",
                "method": "even",
                "basis": "galaxy",
            },
            "basis",
        ),
    ],
)
def test_parse_errors_name_file_and_key(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        rules([entry])
    assert "gcfinops.toml" in str(err.value)


def test_parse_both_and_defaults() -> None:
    cfg = rules(
        [
            {
                "name": "a",
                "match": {"service_name": ["S3", "EC2"]},
                "to": "both",
                "method": "proportional",
            }
        ]
    )
    rule = cfg.user_rules[0]
    assert rule.to == ("ward", "business_system")
    assert rule.basis == "billing_account"
    assert rule.match.service_name == ("S3", "EC2")
    assert [r.name for r in cfg.rules] == ["a", "commitment", "tax"]
