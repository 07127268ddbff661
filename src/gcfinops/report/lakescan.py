"""One pass over the lake for a whole report: every ward, every section, both fiscal years.

A report needs four things from the billing lines: the default as_of (the latest end of a line
of one day or less), each billing account's last day per month (`completeness`), the providers'
months and source files (the report's sources), and the cost per billing month, account,
service, ward, 業務 … (`report.cloud`). Each used to be its own scan of the lake, and the
largest dominated a report's time on a large lake (issue #16 item 5). `build` reads the lake
once, into TEMP `gcf_lake_agg`, small (one row per group of lines, thousands, not millions);
every later step reads that table:

- grouping set 1, one row per (billing month, provider, billing account, sub-account, service,
  charge category, commitment, ward, 業務, currency, tag state, prior-year correction, whether
  the billing period is missing, whether the line starts before the stamp): Σ cost, Σ weight,
  the latest ChargePeriodStart, the latest ChargePeriodEnd of lines of one day or less and of
  all lines;
- grouping set 2, one row per (provider, source file): the source files.

The SQL is standard (GROUPING SETS, GROUPING(), CASE): Spark runs the same statement through
the bridge (`sqlengine`), so a Spark report runs one Spark job over the lake, not four.

The stamp filter of the cost (`ChargePeriodStart < as_of`) needs as_of before the scan. With
`--as-of` it is a key of the grouping (exact). With the default as_of, which the same pass
computes, the pass groups with a stamp far in the future and `cost_is_exact` checks afterwards
that no line of the fiscal years starts at or after the real stamp (the latest start of each
group is kept for this); if one does, `report.cloud` reads the lake again with the exact
per-line filter. Every number is the same as with the separate scans either way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

#: The stamp used when as_of is not given: after any line (see the module docstring).
OPEN_STAMP = datetime(9999, 1, 1, tzinfo=UTC)
TABLE = "gcf_lake_agg"
#: One day in microseconds: a line of at most this length is "short" (hourly or daily). The
#: same test as `end - start <= INTERVAL '1' DAY`, on integers (6× cheaper per line in DuckDB;
#: Spark: `unix_micros`, sqlengine.transpile).
DAY_US = 86_400_000_000
BILLING_PERIOD = "coalesce(l.BillingPeriodStart, l.ChargePeriodStart)"


def _fiscal_year_sql(ts: str) -> str:
    return f"(extract(year FROM {ts}) - CASE WHEN extract(month FROM {ts}) < 4 THEN 1 ELSE 0 END)"


#: The keys of grouping set 1 (columns of the inner SELECT; the month is grouped as the billing
#: period's start, a timestamp, and formatted once per group: formatting 100M timestamps as
#: text cost more than the rest of the pass).
KEYS = (
    "month", "no_billing_period", "provider", "billing_account", "sub_account", "service",
    "charge_category", "commitment_id", "ward", "business_system", "currency", "untagged",
    "prior_year", "before_stamp",
)  # fmt: skip

_AGG_SQL = f"""
CREATE OR REPLACE TEMP TABLE {TABLE} AS
SELECT strftime(period, '%Y-%m') AS month, {", ".join(KEYS[1:])}, source_file,
       GROUPING(source_file) AS cost_set,
       sum(amount) AS amount, sum(weight) AS weight, max(start_ts) AS max_start,
       max(short_end) AS max_short_end, max(end_ts) AS max_end
FROM (
  SELECT CASE WHEN l.BillingPeriodStart IS NOT NULL THEN l.BillingPeriodStart
              ELSE date_trunc('month', l.ChargePeriodStart) END AS period,
         l.BillingPeriodStart IS NULL AS no_billing_period,
         l.ProviderName AS provider, l.BillingAccountId AS billing_account,
         l.SubAccountId AS sub_account, coalesce(l.ServiceName, '') AS service,
         l.ChargeCategory AS charge_category, l.CommitmentDiscountId AS commitment_id,
         l.x_Ward AS ward, l.x_BusinessSystem AS business_system,
         l.BillingCurrency AS currency,
         (l.Tags IS NULL OR cardinality(l.Tags) = 0) AS untagged,
         CASE WHEN l.ChargeClass = 'Correction'
              THEN coalesce({_fiscal_year_sql("l.ChargePeriodStart")}
                            < {_fiscal_year_sql(BILLING_PERIOD)}, FALSE)
              ELSE FALSE END AS prior_year,
         l.ChargePeriodStart < $stamp AS before_stamp,
         l.x_SourceFile AS source_file,
         l.{{cost}} AS amount,
         CASE WHEN l.ChargeCategory = 'Usage'
              THEN CASE WHEN l.EffectiveCost <> 0 THEN l.EffectiveCost
                        ELSE coalesce(l.ListCost, 0) END
              ELSE 0 END AS weight,
         l.ChargePeriodStart AS start_ts,
         CASE WHEN epoch_us(l.ChargePeriodEnd) - epoch_us(l.ChargePeriodStart) <= {DAY_US}
              THEN l.ChargePeriodEnd END AS short_end,
         l.ChargePeriodEnd AS end_ts
  FROM lake AS l
) AS x
GROUP BY GROUPING SETS ((period, {", ".join(KEYS[1:])}), (provider, source_file))
"""
_META_SQL = f"""
CREATE OR REPLACE TEMP TABLE {TABLE}_meta AS
SELECT CAST($cost AS VARCHAR) AS cost_column, CAST($stamp AS TIMESTAMPTZ) AS stamp
"""

#: set 1 = the cost grouping (GROUPING(source_file) = 1), set 2 = the source files
COST_ROWS = f"{TABLE} AS g WHERE g.cost_set = 1"

#: The default as_of (`report.period.resolve_period`), from the pass.
LATEST_SQL = f"SELECT coalesce(max(max_short_end), max(max_end)) FROM {COST_ROWS}"

#: Each account's last end per billing month (`completeness.LAST_DAY_SQL`), from the pass.
LAST_DAY_SQL = f"""
SELECT month, provider, billing_account,
       coalesce(max(max_short_end), max(max_end)) AS last_end
FROM {COST_ROWS} AND NOT no_billing_period
GROUP BY month, provider, billing_account
HAVING max(max_end) IS NOT NULL
"""

#: (provider, first and last billing month, source files) (`report.inputs.lake_periods`).
PERIODS_SQL = f"""
SELECT p.provider, p.first_month, p.last_month, coalesce(f.files, 0)
FROM (SELECT provider, min(CASE WHEN NOT no_billing_period THEN month END) AS first_month,
             max(CASE WHEN NOT no_billing_period THEN month END) AS last_month
      FROM {COST_ROWS} GROUP BY provider) AS p
LEFT JOIN (SELECT provider, count(source_file) AS files FROM {TABLE}
           WHERE cost_set = 0 GROUP BY provider) AS f
  ON f.provider IS NOT DISTINCT FROM p.provider
ORDER BY p.provider
"""


def build(con: duckdb.DuckDBPyConnection, cost_column: str, stamp: datetime | None) -> None:
    """Read the lake once into TEMP `gcf_lake_agg` (unless this session already did, for the
    same cost column and stamp: a multi-year report reads the lake once)."""
    key = OPEN_STAMP if stamp is None else stamp
    if con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [f"{TABLE}_meta"]
    ).fetchone() != (0,):
        row = con.execute(f"SELECT cost_column, stamp FROM {TABLE}_meta").fetchone()
        if row is not None and row[0] == cost_column and row[1] == key:
            return
    con.execute(_AGG_SQL.format(cost=cost_column), {"stamp": key})
    con.execute(_META_SQL, {"cost": cost_column, "stamp": key})


def cost_is_exact(con: duckdb.DuckDBPyConnection, start: str, end: str, stamp: datetime) -> bool:
    """Whether the pass's cost rows of months [start, end) equal a read with the per-line filter
    `ChargePeriodStart < stamp`: no line kept (before the pass's own stamp) starts at or after
    `stamp`. Always true when the pass was made with `stamp` itself."""
    row = con.execute(
        f"""SELECT count(*) FROM {COST_ROWS} AND before_stamp AND month >= ? AND month < ?
            AND max_start >= ?""",
        [start, end, stamp],
    ).fetchone()
    return row is not None and row[0] == 0
