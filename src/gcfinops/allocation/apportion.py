"""Apportionment (按分) in SQL: split rules applied at query time to yen amounts.

The lake keeps the source truth; reports read it through this step. Input: a relation with
`SOURCE_COLUMNS` (one row per month × billing account × … × ward × 業務, amounts already in yen).
Output: the same columns plus `rule` and `split_status` ('moved', 'no_basis' or NULL):

- every row takes the first rule it matches (user rules in file order, then the built-ins);
- rows matched by one rule form *pools*: same month, provider, accounts, service, charge category
  and commitment, and the same value of the dimension the rule does not move;
- each pool is split over its targets by weight: usage cost in the basis scope and month
  (`proportional`; for `to = "business_system"` within the pool's ward), 1 each (`even`), the
  configured shares (`fixed`, `metric`) or covered usage of the same commitment (`covered`,
  falling back to usage in the billing account);
- the split is exact: every share is whole yen except the one that carries the pool's fraction
  (largest remainder: floor of each quota, one more yen to the largest remainders, ties by target
  key, the sub-yen rest to the next in line), so Σ after = Σ before for every pool and every
  share is within 1 yen of its exact quota;
- a pool with no target (no usage in its scope) stays where it was, marked 'no_basis'.

Usage cost, the weight, is `weight_jpy` of ChargeCategory 'Usage' rows: EffectiveCost (so usage a
commitment covers counts), or ListCost where a provider reports 0 for covered usage. Standard SQL
(window functions, IS NOT DISTINCT FROM, VALUES); nothing DuckDB-only.
"""

from __future__ import annotations

from gcfinops.allocation.split import Match, SplitRule

KEY_COLUMNS = (
    "month",
    "provider",
    "billing_account",
    "sub_account",
    "service",
    "charge_category",
    "commitment_id",
)
SOURCE_COLUMNS = (*KEY_COLUMNS, "ward", "business_system", "untagged", "amount_jpy", "weight_jpy")
_SCOPE = {
    "billing_account": ("provider", "billing_account"),
    "sub_account": ("provider", "billing_account", "sub_account"),
    "provider": ("provider",),
    "all": (),
}


def quote(text: str) -> str:
    """A standard SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(quote(v) for v in values)})"


def match_sql(m: Match, alias: str = "s") -> str:
    """The predicate of a rule's `match` over the source relation."""
    parts = []
    for column, values in (
        ("charge_category", m.charge_category),
        ("billing_account", m.billing_account_id),
        ("sub_account", m.sub_account_id),
        ("service", m.service_name),
    ):
        if values:
            parts.append(_in(f"{alias}.{column}", values))
    if m.untagged is not None:
        parts.append(f"{alias}.untagged" if m.untagged else f"NOT {alias}.untagged")
    return " AND ".join(parts) or "TRUE"


def _pool_columns(rule: SplitRule) -> list[str]:
    """Pool key: the source keys and whichever target dimension the rule keeps."""
    kept = [c for c in ("ward", "business_system") if c not in rule.to]
    return [*KEY_COLUMNS, *kept]


def _targets(rule: SplitRule, moved: str) -> tuple[str, str]:
    """t_ward, t_sys expressions: the moved dimension from `moved`, the kept one from the pool."""
    ward = f"{moved}.ward" if "ward" in rule.to else "p.ward"
    system = f"{moved}.business_system" if "business_system" in rule.to else "p.business_system"
    return ward, system


def _candidates(i: int, rule: SplitRule) -> str:
    """SELECT <pool cols>, amount, t_ward, t_sys, weight for one rule's pools."""
    pool = ", ".join(f"p.{c}" for c in _pool_columns(rule))
    kept = [c for c in ("ward", "business_system") if c not in rule.to]
    if rule.method in ("fixed", "metric"):
        values = ", ".join(f"({quote(k)}, {w!r})" for k, w in rule.weights if w > 0)
        moved = "ward" if "ward" in rule.to else "business_system"
        ward = "v.k" if moved == "ward" else "p.ward"
        system = "v.k" if moved == "business_system" else "p.business_system"
        return (
            f"SELECT {pool}, p.amount, {ward} AS t_ward, {system} AS t_sys, v.w AS weight "
            f"FROM gcf_split_pool_{i} AS p CROSS JOIN (VALUES {values}) AS v(k, w)"
        )

    def usage_join(scope: tuple[str, ...], extra: str = "") -> str:
        on = ["w.month = p.month", *(f"w.{c} IS NOT DISTINCT FROM p.{c}" for c in scope)]
        if "ward" in kept:  # 業務 are split within their ward; wards across any 業務
            on.append("w.ward IS NOT DISTINCT FROM p.ward")
        if not rule.include_unallocated:
            on += [f"w.{c} IS NOT NULL" for c in rule.to]
        if extra:
            on.append(extra)
        ward, system = _targets(rule, "w")
        group = f"{pool}, p.amount, {ward}, {system}"
        return (
            f"SELECT {pool}, p.amount, {ward} AS t_ward, {system} AS t_sys, "
            "sum(w.weight_jpy) AS weight "
            f"FROM gcf_split_pool_{i} AS p JOIN gcf_split_usage AS w ON {' AND '.join(on)} "
            f"GROUP BY {group} HAVING sum(w.weight_jpy) > 0"
        )

    if rule.method == "covered":
        covered = usage_join((), "w.commitment_id = p.commitment_id")
        fallback = usage_join(_SCOPE["billing_account"])
        return (
            f"{covered} UNION ALL SELECT f.* FROM ({fallback}) AS f WHERE NOT EXISTS ("
            f"SELECT 1 FROM ({covered}) AS c WHERE "
            + " AND ".join(f"c.{c} IS NOT DISTINCT FROM f.{c}" for c in _pool_columns(rule))
            + ")"
        )
    proportional = usage_join(_SCOPE[rule.basis])
    if rule.method == "even":
        cols = ", ".join([*_pool_columns(rule), "amount", "t_ward", "t_sys"])
        return f"SELECT {cols}, 1.0 AS weight FROM ({proportional}) AS e"
    return proportional


def apportion_sql(rules: tuple[SplitRule, ...], source: str, output: str) -> list[str]:
    """Statements that create TEMP table `output` from `source` (see the module docstring)."""
    keys = ", ".join(KEY_COLUMNS)
    cases = " ".join(f"WHEN {match_sql(r.match)} THEN {i}" for i, r in enumerate(rules))
    stmts = [
        f"""CREATE OR REPLACE TEMP TABLE gcf_split_matched AS
            SELECT s.*, CASE {cases or "WHEN FALSE THEN 0"} END AS rule_no FROM {source} AS s""",
        f"""CREATE OR REPLACE TEMP TABLE gcf_split_usage AS
            SELECT month, provider, billing_account, sub_account, commitment_id, ward,
                   business_system, sum(weight_jpy) AS weight_jpy
            FROM {source} WHERE charge_category = 'Usage'
            GROUP BY month, provider, billing_account, sub_account, commitment_id, ward,
                     business_system""",
    ]
    parts = [
        f"SELECT {keys}, ward, business_system, untagged, amount_jpy, "
        "CAST(NULL AS VARCHAR) AS rule, CAST(NULL AS VARCHAR) AS split_status "
        "FROM gcf_split_matched WHERE rule_no IS NULL"
    ]
    for i, rule in enumerate(rules):
        pool_cols = _pool_columns(rule)
        cols = ", ".join(pool_cols)
        stmts.append(
            f"""CREATE OR REPLACE TEMP TABLE gcf_split_pool_{i} AS
                SELECT {cols}, sum(amount_jpy) AS amount FROM gcf_split_matched
                WHERE rule_no = {i} GROUP BY {cols}"""
        )
        stmts.append(f"CREATE OR REPLACE TEMP TABLE gcf_split_cand_{i} AS {_candidates(i, rule)}")
        part = ", ".join(pool_cols)
        window = f"PARTITION BY {part}"
        # The quota is a float (amount × weight share), only to rank and floor; whole yen and
        # the residue stay in the amount's exact DECIMAL, so the shares sum to the pool exactly.
        stmts.append(
            f"""CREATE OR REPLACE TEMP TABLE gcf_split_share_{i} AS
            SELECT {cols}, t_ward, t_sys,
                   base + CASE WHEN rnk <= floor(residue) THEN 1 ELSE 0 END
                        + CASE WHEN rnk = floor(residue) + 1 THEN residue - floor(residue)
                             ELSE 0 END AS amount_jpy
            FROM (
              SELECT q.*, CAST(floor(quota) AS DECIMAL(38,0)) AS base,
                     row_number() OVER ({window} ORDER BY quota - floor(quota) DESC,
                       coalesce(t_ward, '') || '/' || coalesce(t_sys, '')) AS rnk,
                     amount - sum(floor(quota)) OVER ({window}) AS residue
              FROM (SELECT c.*, c.amount * (CAST(c.weight AS DOUBLE)
                                 / sum(CAST(c.weight AS DOUBLE)) OVER ({window})) AS quota
                    FROM gcf_split_cand_{i} AS c) AS q) AS r"""
        )
        name = quote(rule.name)
        same = " AND ".join(f"c.{c} IS NOT DISTINCT FROM m.{c}" for c in pool_cols)
        parts.append(
            f"SELECT {', '.join(f'm.{c}' for c in KEY_COLUMNS)}, m.ward, m.business_system, "
            f"m.untagged, m.amount_jpy, {name}, 'no_basis' FROM gcf_split_matched AS m "
            f"WHERE m.rule_no = {i} AND NOT EXISTS "
            f"(SELECT 1 FROM gcf_split_cand_{i} AS c WHERE {same})"
        )
        parts.append(
            f"SELECT {keys}, t_ward, t_sys, FALSE, amount_jpy, {name}, 'moved' "
            f"FROM gcf_split_share_{i}"
        )
    stmts.append(f"CREATE OR REPLACE TEMP TABLE {output} AS " + " UNION ALL ".join(parts))
    return stmts
