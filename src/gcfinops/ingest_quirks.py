"""Real-file quirks an ingest absorbs, each with a note in the ingest's output (issue 14).

- Empty files among several (Azure writes header-only files for empty periods): skipped.
- `--default COLUMN=VALUE`: fills absent columns and the empty cells of present ones; counted.
- Zero-cost rows without a currency (OCI on Object Storage requests, free tiers): they take the
  currency of their billing account and period, in SQL over the staged partitions.

Kept apart from `ingest` so that the pipeline reads as its steps; every function here is called
by `ingest` only.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import duckdb

from gcfinops.adapters.base import Adapter, quote_ident, sql_literal
from gcfinops.db import read_literal
from gcfinops.errors import EmptyFileError
from gcfinops.readers import SourceFile, empty_reason


def drop_empty(files: list[Path]) -> tuple[list[Path], list[str], list[str]]:
    """Files with rows, the empty ones left out, and a note for each.

    Among several files (a folder, an export delivery, several paths) an empty one — zero bytes,
    a header without rows (Azure writes those for empty periods) — is skipped with a note and
    never aborts the others. A lone file keeps its error (an empty export is not a zero bill),
    and so does a set in which every file is empty: there is nothing to ingest.
    """
    if len(files) < 2:
        return files, [], []
    reasons = {f: empty_reason(f) for f in files}
    empty = [f for f in files if reasons[f] is not None]
    if len(empty) == len(files):
        raise EmptyFileError(
            f"all {len(files)} files are empty (no data rows): "
            + ", ".join(str(f) for f in files[:5])
            + (", …" if len(files) > 5 else ""),
            hint="an empty export is not a zero bill; check the export's period and scope",
        )
    notes = [f"{reasons[f]}; skipped, the other files were read" for f in empty]
    return [f for f in files if reasons[f] is None], [str(f) for f in empty], notes


def note_defaults(
    con: duckdb.DuckDBPyConnection,
    src: SourceFile,
    adapter: Adapter,
    defaults: dict[str, str],
    relation: str,
    warnings: list[str],
) -> None:
    """Say what `--default COLUMN=VALUE` fills: the empty cells of a present column (counted,
    one pass over those columns only), or every row of an absent one the mapping reads."""
    if not defaults:
        return
    present = adapter.canonical(src.header)
    read = set().union(*(e.refs() for e in adapter.columns.values()))
    counts = [c for c in defaults if c in present]
    if counts:
        sql = ", ".join(
            f"count(*) FILTER (WHERE {quote_ident(src.ident(present[c]))} IS NULL)" for c in counts
        )
        filled = con.execute(f"SELECT {sql} FROM ({relation})").fetchone() or ()
        for c, n in zip(counts, filled, strict=True):
            if n:
                warnings.append(
                    f"{src.path}: --default {c}={defaults[c]} filled {int(n):,} empty cell(s) "
                    f"of column {present[c]!r}"
                )
    for c in defaults:
        if c not in present and c in read:
            warnings.append(f"{src.path}: --default {c}={defaults[c]} filled the absent column "
                            f"{c!r} on every row")  # fmt: skip


# Rows whose every amount is zero: the only rows that may take a currency from their neighbours.
ZERO_COST = " AND ".join(
    f"coalesce({c}, 0) = 0"
    for c in ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "x_SourceBilledCost")
)


def fill_zero_cost_currency(
    con: duckdb.DuckDBPyConnection, stage: Path, warnings: list[str]
) -> None:
    """Zero-cost rows without a currency take the one of their billing account and period.

    OCI leaves `cost/currencyCode` empty on zero-cost rows (Object Storage requests, Functions
    free tier); any format may. A zero amount is the same in every currency, so such a row takes
    the single currency its billing account uses in that billing period in this ingest, else
    the single currency of its source file in that period. A row with a cost, or an account
    with no or several currencies, keeps its NULL and `_reconcile` names file, line and column.
    All in SQL: one grouped query finds the staged files concerned (one billing account and
    period each, by the staging partitions), and only those are rewritten, with a constant.
    """
    glob = read_literal(stage, "**/*.parquet")
    # The footers' null counts first: most ingests have no such row, and then nothing is read.
    nulls = con.execute(
        f"SELECT coalesce(sum(coalesce(stats_null_count, 1)), 1) FROM parquet_metadata({glob}) "
        "WHERE path_in_schema = 'BillingCurrency'"
    ).fetchone()
    if nulls is not None and nulls[0] == 0:
        return
    rel = (
        f"read_parquet({glob}, hive_partitioning = true, hive_types_autocast = false, "
        "filename = true)"
    )
    groups = con.execute(
        f"""WITH r AS (SELECT filename AS f, provider, billing_period, billing_account,
                   BillingAccountId AS acct,
                   x_SourceFile AS src, BillingCurrency AS cur, {ZERO_COST} AS zero FROM {rel}),
            by_acct AS (SELECT provider, billing_period, billing_account,
                        list(DISTINCT cur ORDER BY cur) AS curs
                        FROM r WHERE cur IS NOT NULL GROUP BY ALL),
            by_file AS (SELECT src, billing_period, list(DISTINCT cur ORDER BY cur) AS curs
                        FROM r WHERE cur IS NOT NULL GROUP BY ALL),
            need AS (SELECT f, provider, billing_period, billing_account, src,
                     min(acct) AS acct, count(*) AS n
                     FROM r WHERE cur IS NULL AND zero GROUP BY ALL)
        SELECT need.f, need.provider, need.acct, need.billing_period, need.n,
               by_acct.curs, by_file.curs
        FROM need
        LEFT JOIN by_acct USING (provider, billing_period, billing_account)
        LEFT JOIN by_file USING (src, billing_period)
        ORDER BY need.f"""
    ).fetchall()
    filled: dict[tuple[str, str, str, str, str], int] = defaultdict(int)
    for f, provider, acct, period, n, acct_curs, file_curs in groups:
        if acct_curs:
            if len(acct_curs) > 1:
                continue  # ambiguous: the NULL stays and is reported
            cur, basis = acct_curs[0], "billing account"
        elif file_curs and len(file_curs) == 1:
            cur, basis = file_curs[0], "source file"
        else:
            continue
        target = Path(f)
        tmp = target.with_name(target.name + ".filled")
        con.execute(
            f"COPY (SELECT * REPLACE (CASE WHEN BillingCurrency IS NULL AND {ZERO_COST} "
            f"THEN {sql_literal(cur)} ELSE BillingCurrency END AS BillingCurrency, "
            # a row that states an amount in the pricing currency (0 here) names that currency
            # too: the adapters that price in the billing currency left it NULL with it
            f"CASE WHEN PricingCurrency IS NULL AND BillingCurrency IS NULL AND {ZERO_COST} "
            "AND PricingCurrencyEffectiveCost IS NOT NULL "
            f"THEN {sql_literal(cur)} ELSE PricingCurrency END AS PricingCurrency) "
            f"FROM read_parquet({read_literal(target)}, hive_partitioning = false)) "
            f"TO {sql_literal(tmp.as_posix())} (FORMAT parquet, COMPRESSION zstd)"
        )
        os.replace(tmp, target)
        filled[(provider, str(acct), period, cur, basis)] += int(n)
    for (provider, acct, period, cur, basis), n in sorted(filled.items()):
        warnings.append(
            f"{provider} {acct} {period}: {n:,} zero-cost row(s) without a currency took {cur}, "
            f"the currency of the same {basis} in that period"
        )
