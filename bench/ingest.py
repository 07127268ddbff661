"""Ingest benchmark (issue #2 item 14): `gcfinops ingest` vs DuckDB's raw COPY vs pandas.

Generates one synthetic AWS CUR 2.0 month of N rows (CSV, optionally CSV.gz) with DuckDB, then
times, each in its own child process (so peak RSS is per contender):

- `gcfinops`      the real CLI: `python -m gcfinops -w <fresh workspace> -q ingest FILE`
- `duckdb-raw`    `COPY (SELECT * FROM read_csv(FILE)) TO OUT (FORMAT parquet)`, defaults
- `pandas`        `pd.read_csv(FILE)` (default C parser) + `df.to_parquet(OUT, engine="pyarrow")`
- `pandas-arrow`  the same with `read_csv(engine="pyarrow")`

and prints a Markdown table: wall seconds, rows/s, peak RSS, output size, and the ratios the issue
sets as targets (gcfinops ≥ 0.7× DuckDB raw, ≥ 5× pandas). `--append-docs` adds the run to the
`## ingest` section of docs/performance.md. See bench/README.md.

    python bench/ingest.py                         # 1M and 5M rows
    python bench/ingest.py --rows 200000 --contenders gcfinops,duckdb-raw
    python bench/ingest.py profile --rows 1000000  # where gcfinops ingest spends its time
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # bench/ is not a package: imported from its folder
    Measurement,
    fmt_bytes,
    fmt_rate,
    machine_info,
    machine_markdown,
    markdown_table,
    run_measured,
    warm_cache,
)

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs" / "performance.md"
GENERATOR_VERSION = 1  # bump when the generated data changes (invalidates cached files)

# --- the synthetic CUR 2.0 month -----------------------------------------------------------
# The 59 columns (alphabetical, as the Data Exports console lists them) that sample_billing uses:
# the ones the aws-cur2 adapter reads plus a realistic set it does not (formats.md §2.3).
PERIOD_START = "2025-04-01"  # April: 30 days, 720 hours
PAYER = "111122223333"
ACCOUNTS = ("210000000001", "210000000002", "210000000003",
            "210000000004", "210000000005", "210000000006")  # fmt: skip
ACCOUNT_NAMES = ("chiyoda-prod", "chiyoda-dev", "setagaya-prod", "setagaya-dev",
                 "edogawa-prod", "edogawa-dev")  # fmt: skip
WARDS = ("chiyoda", "setagaya", "edogawa")
SYSTEMS = (
    "resident_registry", "electoral_roll", "fixed_asset_tax", "individual_inhabitant_tax",
    "corporate_inhabitant_tax", "light_vehicle_tax", "national_health_insurance",
    "national_pension", "disability_welfare", "late_elderly_medical", "long_term_care_insurance",
    "child_allowance", "health_management", "school_enrollment", "child_rearing_allowance",
    "public_assistance", "child_care_support", "seal_registration", "family_register",
    "family_register_supplement",
)  # fmt: skip
EC2_TYPES = ("t3.medium", "m5.large", "m5.xlarge", "r5.xlarge", "c5.2xlarge")
EC2_RATES = (0.0544, 0.124, 0.248, 0.304, 0.428)  # approximate Tokyo on-demand USD/hour
SP_ARN = f"arn:aws:savingsplans::{PAYER}:savingsplan/sp-0001"
ENTITY = "Amazon Web Services Japan G.K."


def _list(values: Sequence[object]) -> str:
    return "[" + ", ".join(f"'{v}'" if isinstance(v, str) else repr(v) for v in values) + "]"


def _ts(expr: str) -> str:
    return f"strftime({expr}, '%Y-%m-%dT%H:%M:%S.000Z')"


def generator_sql(rows: int) -> str:
    """One SELECT producing `rows` CUR 2.0 lines of one payer account and billing period.

    Per 200 rows: 15 SavingsPlanCoveredUsage lines and their 15 SavingsPlanNegation twins (same
    resource, hour and amount; a pair is never split at the end), the rest Usage (55 % EC2 hours,
    20 % EBS gp2/gp3 days, 12 % S3 days, 8 % data transfer, 5 % RDS hours). Every 100,000 rows one
    Tax, one Credit and one SavingsPlanRecurringFee line replace a Usage line. 1 resource in 13 is
    untagged. All values derive from the row number, so a file is the same on every run.
    """
    start = f"TIMESTAMP '{PERIOD_START}'"
    end = f"({start} + INTERVAL 30 DAY)"
    itype = f"{_list(EC2_TYPES)}[1 + r % 5]"
    rate_ec2 = f"{_list(EC2_RATES)}[1 + r % 5]"
    return f"""
WITH b AS (
  SELECT i, i % 200 AS m, CASE WHEN i % 200 >= 185 THEN i - 15 ELSE i END AS s
  FROM range({rows}) AS t(i)
), k AS (
  SELECT i, m, s,
    CASE WHEN m = 0 AND (i // 200) % 500 = 1 THEN 'Tax'
         WHEN m = 0 AND (i // 200) % 500 = 2 THEN 'Credit'
         WHEN m = 0 AND (i // 200) % 500 = 3 THEN 'SavingsPlanRecurringFee'
         WHEN m BETWEEN 170 AND 184 AND i + 15 < {rows} THEN 'SavingsPlanCoveredUsage'
         WHEN m >= 185 THEN 'SavingsPlanNegation'
         ELSE 'Usage' END AS lt,
    (s * 2654435761) % 1000003 AS h
  FROM b
), d AS (
  SELECT *,
    CASE WHEN lt IN ('SavingsPlanCoveredUsage', 'SavingsPlanNegation') THEN 'ec2'
         WHEN lt <> 'Usage' THEN 'fee'
         WHEN h % 100 < 55 THEN 'ec2' WHEN h % 100 < 75 THEN 'ebs' WHEN h % 100 < 87 THEN 's3'
         WHEN h % 100 < 95 THEN 'dto' ELSE 'rds' END AS svc,
    h % 4001 AS r, (h // 7) % 720 AS hr
  FROM k
), e AS (
  SELECT *,
    {_list(ACCOUNTS)}[1 + r % 6] AS acct, {_list(ACCOUNT_NAMES)}[1 + r % 6] AS acct_name,
    {_list(WARDS)}[1 + (r % 6) // 2] AS ward,
    CASE r % 4 WHEN 0 THEN 'dev' WHEN 1 THEN 'stg' ELSE 'prod' END AS env,
    {_list(SYSTEMS)}[1 + r % 20] AS sys,
    CASE WHEN r % 3 = 0 THEN 'gp2' ELSE 'gp3' END AS vt,
    CASE WHEN svc IN ('ebs', 's3') THEN {start} + to_days(CAST(hr // 24 AS INTEGER))
         WHEN svc = 'fee' THEN {start}
         ELSE {start} + to_hours(CAST(hr AS INTEGER)) END AS t0,
    CASE svc WHEN 'ec2' THEN {itype} WHEN 'rds' THEN 'db.m5.large' END AS itype,
    CAST(CASE svc WHEN 'ec2' THEN {rate_ec2} WHEN 'rds' THEN 0.236
                  WHEN 'ebs' THEN (CASE WHEN r % 3 = 0 THEN 0.12 ELSE 0.096 END)
                  WHEN 's3' THEN 0.025 WHEN 'dto' THEN 0.114 END AS DOUBLE) AS rate,
    CASE svc WHEN 'ec2' THEN 1.0 WHEN 'rds' THEN 1.0 WHEN 'ebs' THEN 50.0 * (1 + r % 20) / 30
             WHEN 's3' THEN (1 + r % 500) * 10.0 / 30 WHEN 'dto' THEN (h % 1000) / 100.0 END AS amt
  FROM d
), f AS (
  SELECT *,
    CASE svc WHEN 'ebs' THEN t0 + INTERVAL 1 DAY WHEN 's3' THEN t0 + INTERVAL 1 DAY
             WHEN 'fee' THEN {end} ELSE t0 + INTERVAL 1 HOUR END AS t1,
    CASE lt WHEN 'Tax' THEN 50 + (h % 10000) / 100.0 WHEN 'Credit' THEN -(10.0 + h % 500)
            WHEN 'SavingsPlanRecurringFee' THEN 122.4
            WHEN 'SavingsPlanNegation' THEN -round(rate * amt, 10)
            ELSE round(rate * amt, 10) END AS cost,
    CASE svc WHEN 'ec2' THEN printf('i-%017x', r * 7919 + 12345)
             WHEN 'dto' THEN printf('i-%017x', r * 7919 + 12345)
             WHEN 'ebs' THEN printf('vol-%017x', r * 104729 + 777)
             WHEN 's3' THEN 'gcf-' || ward || '-bucket-' || CAST(r AS VARCHAR)
             WHEN 'rds' THEN 'arn:aws:rds:ap-northeast-1:' || acct || ':db:db-'
               || CAST(r AS VARCHAR)
             ELSE CASE WHEN lt = 'SavingsPlanRecurringFee' THEN '{SP_ARN}' END END AS res
  FROM e
)
SELECT
  'Anniversary' AS bill_bill_type,
  'AWS' AS bill_billing_entity,
  {_ts(end)} AS bill_billing_period_end_date,
  {_ts(start)} AS bill_billing_period_start_date,
  '1234567890' AS bill_invoice_id,
  '{ENTITY}' AS bill_invoicing_entity,
  '{PAYER}' AS bill_payer_account_id,
  'gcf-bench-payer' AS bill_payer_account_name,
  CASE WHEN svc = 'fee' THEN '{{}}' ELSE '{{"Ward":"' || ward || '"}}' END AS cost_category,
  substr(md5(CAST(i AS VARCHAR)), 1, 26) AS identity_line_item_id,
  strftime(t0, '%Y-%m-%dT%H:%M:%SZ') || '/' || strftime(t1, '%Y-%m-%dT%H:%M:%SZ')
    AS identity_time_interval,
  CASE WHEN svc IN ('ec2', 'rds', 'ebs') THEN 'ap-northeast-1' || ['a', 'c', 'd'][1 + r % 3] END
    AS line_item_availability_zone,
  'USD' AS line_item_currency_code,
  '{ENTITY}' AS line_item_legal_entity,
  CASE lt WHEN 'SavingsPlanNegation' THEN NULL
          WHEN 'Tax' THEN 'Tax for product code AmazonEC2'
          WHEN 'Credit' THEN 'AWS Credit'
          WHEN 'SavingsPlanRecurringFee' THEN '1yr No Upfront Compute Savings Plan'
          ELSE printf('$%s per On Demand %s', CAST(rate AS VARCHAR), coalesce(itype, svc)) END
    AS line_item_line_item_description,
  lt AS line_item_line_item_type,
  NULL AS line_item_net_unblended_cost,
  CASE svc WHEN 'ec2' THEN 'RunInstances' WHEN 'dto' THEN 'RunInstances'
           WHEN 'ebs' THEN 'CreateVolume-' || vt WHEN 's3' THEN 'StandardStorage'
           WHEN 'rds' THEN 'CreateDBInstance:0014' END AS line_item_operation,
  CASE WHEN svc = 'rds' THEN 'AmazonRDS' WHEN svc = 's3' THEN 'AmazonS3'
       WHEN lt = 'SavingsPlanRecurringFee' THEN 'ComputeSavingsPlans' ELSE 'AmazonEC2' END
    AS line_item_product_code,
  res AS line_item_resource_id,
  CASE WHEN lt = 'Tax' THEN 'JCT' END AS line_item_tax_type,
  cost AS line_item_unblended_cost,
  CASE WHEN lt = 'SavingsPlanNegation' THEN CAST(-rate AS VARCHAR)
       WHEN lt = 'SavingsPlanRecurringFee' THEN '0.17'
       ELSE CAST(rate AS VARCHAR) END AS line_item_unblended_rate,
  acct AS line_item_usage_account_id,
  acct_name AS line_item_usage_account_name,
  CASE WHEN lt = 'SavingsPlanRecurringFee' THEN 720.0 WHEN lt IN ('Tax', 'Credit') THEN NULL
       ELSE round(amt, 10) END AS line_item_usage_amount,
  {_ts("t1")} AS line_item_usage_end_date,
  {_ts("t0")} AS line_item_usage_start_date,
  CASE svc WHEN 'ec2' THEN 'APN1-BoxUsage:' || itype WHEN 'rds' THEN 'APN1-InstanceUsage:' || itype
           WHEN 'ebs' THEN 'APN1-EBS:VolumeUsage.' || vt WHEN 's3' THEN 'APN1-TimedStorage-ByteHrs'
           WHEN 'dto' THEN 'APN1-DataTransfer-Out-Bytes'
           ELSE CASE WHEN lt = 'SavingsPlanRecurringFee' THEN 'ComputeSP:1yrNoUpfront' END END
    AS line_item_usage_type,
  'USD' AS pricing_currency,
  CASE WHEN lt IN ('Usage', 'SavingsPlanCoveredUsage') THEN round(rate * amt, 10) END
    AS pricing_public_on_demand_cost,
  CASE WHEN lt IN ('Usage', 'SavingsPlanCoveredUsage') THEN CAST(rate AS VARCHAR) END
    AS pricing_public_on_demand_rate,
  CASE WHEN lt = 'SavingsPlanRecurringFee' THEN 'No Upfront' END AS pricing_purchase_option,
  CASE WHEN svc <> 'fee' THEN 'SKU' || CAST(h % 97 AS VARCHAR) || '.JRTCKXETXF.6YS6EN2CT7' END
    AS pricing_rate_code,
  CASE WHEN svc <> 'fee' THEN 'OnDemand' END AS pricing_term,
  CASE svc WHEN 'ec2' THEN 'Hrs' WHEN 'rds' THEN 'Hrs' WHEN 'ebs' THEN 'GB-Mo'
           WHEN 's3' THEN 'GB-Mo' WHEN 'dto' THEN 'GB'
           ELSE CASE WHEN lt = 'SavingsPlanRecurringFee' THEN 'Hrs' END END
    AS pricing_unit,
  CASE svc
    WHEN 'ec2' THEN '{{"instance_type_family":"' || split_part(itype, '.', 1)
      || '","operating_system":"Linux","product_name":"Amazon Elastic Compute Cloud",'
      || '"region":"ap-northeast-1","servicecode":"AmazonEC2","tenancy":"Shared"}}'
    WHEN 'ebs' THEN '{{"product_name":"Amazon Elastic Compute Cloud","region":"ap-northeast-1",'
      || '"volume_api_name":"' || vt || '","volume_type":"General Purpose"}}'
    WHEN 's3' THEN '{{"product_name":"Amazon Simple Storage Service","region":"ap-northeast-1",'
      || '"storage_class":"General Purpose"}}'
    WHEN 'dto' THEN '{{"from_location":"Asia Pacific (Tokyo)","product_name":"Amazon Elastic '
      || 'Compute Cloud","to_location":"External","transfer_type":"AWS Outbound"}}'
    WHEN 'rds' THEN '{{"database_engine":"PostgreSQL","product_name":"Amazon Relational '
      || 'Database Service","region":"ap-northeast-1"}}'
    ELSE '{{"product_name":"Amazon Elastic Compute Cloud"}}' END AS product,
  itype AS product_instance_type,
  CASE WHEN svc <> 'fee' THEN 'Asia Pacific (Tokyo)' END AS product_location,
  CASE svc WHEN 'ec2' THEN 'Compute Instance' WHEN 'rds' THEN 'Database Instance'
           WHEN 'ebs' THEN 'Storage' WHEN 's3' THEN 'Storage' WHEN 'dto' THEN 'Data Transfer' END
    AS product_product_family,
  CASE WHEN svc <> 'fee' THEN 'ap-northeast-1' END AS product_region_code,
  CASE WHEN svc = 'rds' THEN 'AmazonRDS' WHEN svc = 's3' THEN 'AmazonS3'
       WHEN svc <> 'fee' THEN 'AmazonEC2' END AS product_servicecode,
  CASE WHEN svc <> 'fee' THEN 'SKU' || CAST(h % 97 AS VARCHAR) END AS product_sku,
  NULL AS reservation_effective_cost,
  NULL AS reservation_reservation_a_r_n,
  NULL AS reservation_unused_amortized_upfront_fee_for_billing_period,
  NULL AS reservation_unused_recurring_fee,
  CASE WHEN lt = 'SavingsPlanNegation' THEN NULL
       WHEN svc = 'fee' OR r % 13 = 0 THEN '{{}}'
       ELSE '{{"user_env":"' || env || '","user_name":"' || ward || '-' || env || '-'
         || CAST(r AS VARCHAR) || '","user_system":"' || sys || '","user_ward":"' || ward || '"}}'
       END AS resource_tags,
  CASE WHEN lt = 'SavingsPlanRecurringFee' THEN 0.0 END
    AS savings_plan_amortized_upfront_commitment_for_billing_period,
  CASE WHEN lt LIKE 'SavingsPlan%' THEN '2026-01-01T00:00:00.000Z' END AS savings_plan_end_time,
  NULL AS savings_plan_net_savings_plan_effective_cost,
  CASE WHEN lt LIKE 'SavingsPlan%' THEN 'ComputeSavingsPlans' END AS savings_plan_offering_type,
  CASE WHEN lt = 'SavingsPlanRecurringFee' THEN 122.4 END
    AS savings_plan_recurring_commitment_for_billing_period,
  CASE WHEN lt LIKE 'SavingsPlan%' THEN '{SP_ARN}' END AS savings_plan_savings_plan_a_r_n,
  CASE WHEN lt = 'SavingsPlanCoveredUsage' THEN round(rate * amt * 0.72, 10) END
    AS savings_plan_savings_plan_effective_cost,
  CASE WHEN lt = 'SavingsPlanCoveredUsage' THEN round(rate * 0.72, 10) END
    AS savings_plan_savings_plan_rate,
  CASE WHEN lt LIKE 'SavingsPlan%' THEN '2025-01-01T00:00:00.000Z' END AS savings_plan_start_time,
  CASE WHEN lt = 'SavingsPlanRecurringFee' THEN 122.4 END AS savings_plan_total_commitment_to_date,
  CASE WHEN lt = 'SavingsPlanRecurringFee' THEN 100.0 END AS savings_plan_used_commitment
FROM f
"""


def generate(path: Path, rows: int) -> Path:
    """Write the month to `path` (.csv or .csv.gz) unless an identical file is cached there."""
    import duckdb

    stamp = path.with_name(path.name + ".json")
    want = {"rows": rows, "generator": GENERATOR_VERSION}
    if path.exists() and stamp.exists() and json.loads(stamp.read_text()) == want:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    codec = "gzip" if path.name.endswith(".gz") else "none"
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(
        f"COPY ({generator_sql(rows)}) TO '{_q(tmp)}' "
        f"(FORMAT csv, HEADER true, COMPRESSION {codec})"
    )
    con.close()
    tmp.replace(path)
    stamp.write_text(json.dumps(want))
    return path


def _q(path: Path | str) -> str:
    return str(path).replace("'", "''")


# --- contenders ----------------------------------------------------------------------------
DUCKDB_RAW = """
import json, sys, duckdb
src, out = sys.argv[1:3]
con = duckdb.connect()
q = lambda p: p.replace("'", "''")
sql = f"COPY (SELECT * FROM read_csv('{q(src)}')) TO '{q(out)}' (FORMAT parquet)"
n = con.execute(sql).fetchone()[0]
threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
print(json.dumps({"rows": n, "threads": threads}))
"""
PANDAS = """
import json, sys, pandas as pd
src, out, engine = sys.argv[1:4]
df = pd.read_csv(src) if engine == "c" else pd.read_csv(src, engine=engine)
df.to_parquet(out, engine="pyarrow")
print(json.dumps({"rows": len(df)}))
"""
DUCKDB_THREADS = (
    "import duckdb; "
    "print(duckdb.connect().execute(\"SELECT current_setting('threads')\").fetchone()[0])"
)


@dataclass(frozen=True)
class Contender:
    name: str
    description: str
    command: Callable[[Path, Path], list[str]]  # (source file, scratch folder) → argv
    output: Callable[[Path], Path]  # scratch folder → what to count and measure


def _gcfinops_cmd(src: Path, scratch: Path) -> list[str]:
    return [sys.executable, "-m", "gcfinops", "-w", str(scratch / "ws"), "-q", "ingest", str(src)]


CONTENDERS: dict[str, Contender] = {
    c.name: c
    for c in (
        Contender(
            "gcfinops",
            "`python -m gcfinops -w WS -q ingest FILE` (fresh workspace)",
            _gcfinops_cmd,
            lambda scratch: scratch / "ws",
        ),
        Contender(
            "duckdb-raw",
            "DuckDB `COPY (SELECT * FROM read_csv(FILE)) TO OUT (FORMAT parquet)`",
            lambda src, scratch: [
                sys.executable,
                "-c",
                DUCKDB_RAW,
                str(src),
                str(scratch / "raw.parquet"),
            ],
            lambda scratch: scratch / "raw.parquet",
        ),
        Contender(
            "pandas",
            '`pd.read_csv(FILE)` (C parser) + `to_parquet(engine="pyarrow")`',
            lambda src, scratch: [
                sys.executable,
                "-c",
                PANDAS,
                str(src),
                str(scratch / "pd.parquet"),
                "c",
            ],
            lambda scratch: scratch / "pd.parquet",
        ),
        Contender(
            "pandas-arrow",
            '`pd.read_csv(FILE, engine="pyarrow")` + `to_parquet(engine="pyarrow")`',
            lambda src, scratch: [
                sys.executable,
                "-c",
                PANDAS,
                str(src),
                str(scratch / "pda.parquet"),
                "pyarrow",
            ],
            lambda scratch: scratch / "pda.parquet",
        ),
    )
}
DEFAULT_CONTENDERS = ("gcfinops", "duckdb-raw", "pandas", "pandas-arrow")


@dataclass
class Result:
    rows: int
    file: str
    file_bytes: int
    contender: str
    wall_s: float | None  # best of the repeats
    cpu_s: float | None  # user + system of that run
    peak_rss: int | None  # highest over the repeats
    load: float  # 1-minute load average before the best run
    out_bytes: int | None
    rows_out: int | None
    status: str  # ok | killed: why | exit N | wrong row count N
    walls: list[float] = field(default_factory=list)


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*.parquet")) if path.exists() else 0


def _count_rows(path: Path) -> int:
    """Rows in the Parquet output (for gcfinops: lake/ plus folded/, i.e. every source row)."""
    import duckdb

    files = [path] if path.is_file() else sorted(
        p for p in path.rglob("*.parquet") if ".gcfinops" not in p.parts
    )  # fmt: skip
    if not files:
        return 0
    listed = ", ".join(f"'{_q(p)}'" for p in files)
    # gcfinops adds FOCUS rows for unused commitment (same source row as their fee line): count
    # source rows, i.e. distinct (file, row) lineage pairs, not lake rows.
    what = "count(DISTINCT (x_SourceFile, x_SourceRow))" if path.is_dir() else "count(*)"
    row = duckdb.connect().execute(f"SELECT {what} FROM read_parquet([{listed}])").fetchone()
    return int(row[0]) if row else 0


def run_one(
    contender: Contender,
    src: Path,
    rows: int,
    scratch: Path,
    rss_cap: int | None,
    min_available: int | None = None,
) -> Result:
    """Warm the page cache, run the contender in a child process, verify and clean up."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    warm_cache(src)
    m: Measurement = run_measured(
        contender.command(src, scratch), rss_cap=rss_cap, min_available=min_available
    )
    if m.killed_at_cap:
        status = f"killed: {m.kill_reason}"
    elif m.returncode != 0:
        status = f"exit {m.returncode}"
        _log(f"{contender.name} failed:\n{m.stderr[-3000:]}")
    else:
        status = "ok"
    out = contender.output(scratch)
    ok = status == "ok"
    result = Result(
        rows=rows,
        file=src.name,
        file_bytes=src.stat().st_size,
        contender=contender.name,
        wall_s=m.wall_s if ok else None,
        cpu_s=m.cpu_s if ok else None,
        peak_rss=m.peak_rss,
        load=m.load_before,
        out_bytes=_size(out) if ok else None,
        rows_out=_count_rows(out) if ok else None,
        status=status,
        walls=[m.wall_s] if ok else [],
    )
    if ok and result.rows_out != rows:
        result.status = f"wrong row count {result.rows_out}"
    shutil.rmtree(scratch, ignore_errors=True)
    return result


def best(runs: list[Result]) -> Result:
    """The fastest successful run; peak RSS is the highest seen, walls lists every run."""
    done = [r for r in runs if r.status == "ok" and r.wall_s is not None]
    if not done:
        return max(runs, key=lambda r: r.peak_rss or 0)
    top = min(done, key=lambda r: r.wall_s or 0.0)
    top.peak_rss = max(r.peak_rss or 0 for r in runs)
    top.walls = [w for r in runs for w in r.walls]
    failed = [r.status for r in runs if r.status != "ok"]
    if failed:
        top.status = f"ok ({len(failed)} of {len(runs)} failed: {failed[0]})"
    return top


# --- rendering -----------------------------------------------------------------------------
def _rate(r: Result | None) -> float | None:
    return r.rows / r.wall_s if r and r.wall_s else None


def _ratio(a: Result | None, b: Result | None, *, cpu: bool = False) -> str:
    if cpu:  # rows per CPU-second: the work ratio, independent of parallelism and load
        ra = a.rows / a.cpu_s if a and a.cpu_s else None
        rb = b.rows / b.cpu_s if b and b.cpu_s else None
    else:
        ra, rb = _rate(a), _rate(b)
    return f"{ra / rb:.2f}×" if ra and rb else "n/a"


def render(results: list[Result]) -> str:
    """The per-contender table, then one row of ratios per input file."""
    rows = []
    for r in results:
        walls = "/".join(f"{w:.1f}" for w in r.walls) if len(r.walls) > 1 else ""
        rows.append([
            f"{r.rows:,}", f"{r.file} ({fmt_bytes(r.file_bytes)})", r.contender,
            (f"{r.wall_s:.1f}" + (f" ({walls})" if walls else "")) if r.wall_s else "—",
            fmt_rate(r.rows, r.wall_s) if r.wall_s else "—",
            f"{r.cpu_s:.1f}" if r.cpu_s else "—",
            fmt_bytes(r.peak_rss) if r.peak_rss else "—",
            fmt_bytes(r.out_bytes) if r.out_bytes else "—", f"{r.load:.1f}", r.status,
        ])  # fmt: skip
    table = markdown_table(
        ["Rows", "Input", "Contender", "Wall s", "Rows/s", "CPU s", "Peak RSS", "Parquet out",
         "Load", "Status"], rows,
    )  # fmt: skip
    ratios = []
    for key in dict.fromkeys((r.rows, r.file) for r in results):
        group = {r.contender: r for r in results if (r.rows, r.file) == key}
        g, raw, pd_c, pd_a = (
            group.get(k) for k in ("gcfinops", "duckdb-raw", "pandas", "pandas-arrow")
        )
        ratios.append([
            f"{key[0]:,}", key[1], _ratio(g, raw), _ratio(g, pd_c), _ratio(g, pd_a),
            _ratio(g, raw, cpu=True),
        ])  # fmt: skip
    ratio_table = markdown_table(
        ["Rows", "Input", "gcfinops / DuckDB raw (target ≥ 0.70×)",
         "gcfinops / pandas C (target ≥ 5×)", "gcfinops / pandas pyarrow",
         "per CPU-second: gcfinops / DuckDB raw"],
        ratios,
    )  # fmt: skip
    return table + "\n\n" + ratio_table


def run_block(
    results: list[Result], argv: Sequence[str], info: dict[str, str], threads: str
) -> str:
    """A dated Markdown block for docs/performance.md: command, machine line, tables."""
    today = dt.date.today().isoformat()
    cmd = " ".join(["python bench/ingest.py", *argv])
    machine = f"{info['CPU']}, {info['Cores']}, {info['RAM']} RAM; Python {info['Python']}, " \
        f"duckdb {info['duckdb']}, pyarrow {info['pyarrow']}, pandas {info['pandas']}"  # fmt: skip
    return (
        f"### Run {today}\n\n`{cmd}`  \n{machine}; DuckDB threads {threads}; page cache warm; "
        "Wall = best run (all runs in brackets), Load = 1-minute load average before it.\n\n"
        + render(results)
        + "\n"
    )


def append_docs(block: str, info: dict[str, str]) -> None:
    """Add `block` at the end of the `## ingest` section (creating page or sections if needed)."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else (
        "# Performance\n\nMeasured by the scripts in `bench/`; see bench/README.md.\n"
    )  # fmt: skip
    if "\n## Machine" not in text:
        text = text.rstrip("\n") + "\n\n## Machine\n\n" + machine_markdown(info) + "\n"
    if "\n## ingest" not in text:
        text = text.rstrip("\n") + "\n\n## ingest\n"
    head, _, rest = text.partition("\n## ingest")
    body, sep, tail = rest.partition("\n## ")
    text = (
        head
        + "\n## ingest"
        + body.rstrip("\n")
        + "\n\n"
        + block
        + (("\n## " + tail) if sep else "")
    )
    DOCS.write_text(text, encoding="utf-8")


# --- main ----------------------------------------------------------------------------------
def _parse_rows(text: str) -> list[int]:
    try:
        values = [int(v.replace("_", "")) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected integers separated by commas: {text!r}"
        ) from None
    if not values or min(values) < 1000:
        raise argparse.ArgumentTypeError("at least 1000 rows per run")
    return values


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["profile"]:
        return profile_main(args_list[1:])
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--rows",
        type=_parse_rows,
        default=[1_000_000, 5_000_000],
        help="row counts, comma-separated (default 1000000,5000000)",
    )
    p.add_argument(
        "--contenders",
        default=",".join(DEFAULT_CONTENDERS),
        help=f"comma-separated, from {', '.join(CONTENDERS)}",
    )
    p.add_argument("--repeat", type=int, default=1, help="runs per contender; the best wall counts")
    p.add_argument("--gzip", action="store_true", help="also run every contender on a .csv.gz copy")
    p.add_argument(
        "--dir",
        type=Path,
        default=Path("/tmp/gcf-bench"),
        help="where data and scratch output go (default /tmp/gcf-bench)",
    )
    p.add_argument(
        "--rss-cap",
        type=float,
        default=0.85,
        help="kill a contender whose RSS passes this fraction of RAM (default 0.85)",
    )
    p.add_argument(
        "--min-available",
        type=float,
        default=1.0,
        help="kill a contender when the machine has less than this many GiB available (default 1)",
    )
    p.add_argument("--json", type=Path, help="also write the raw results as JSON")
    p.add_argument(
        "--append-docs", action="store_true", help="append the run to docs/performance.md"
    )
    p.add_argument("--keep-data", action="store_true", help="keep the generated CSV files")
    p.add_argument(
        "--before",
        type=Path,
        metavar="SRC",
        help="also run `gcfinops-before`: the CLI from another source tree (e.g. an unpacked "
        "`git archive COMMIT src`), for a before/after in the same run",
    )
    args = p.parse_args(args_list)  # fmt: skip
    names = [n.strip() for n in args.contenders.split(",") if n.strip()]
    if args.before:
        src_dir = str(args.before.resolve())
        CONTENDERS["gcfinops-before"] = Contender(
            "gcfinops-before",
            f"`gcfinops ingest` from {src_dir} (the code before the change)",
            lambda src, scratch: ["env", f"PYTHONPATH={src_dir}", *_gcfinops_cmd(src, scratch)],
            lambda scratch: scratch / "ws",
        )
        names.insert(names.index("gcfinops") + 1 if "gcfinops" in names else 0, "gcfinops-before")
    unknown = [n for n in names if n not in CONTENDERS]
    if unknown:
        p.error(f"unknown contender(s) {', '.join(unknown)}; choose from {', '.join(CONTENDERS)}")
    info = machine_info()
    ram = _mem_total()
    cap = int(ram * args.rss_cap) if ram else None
    floor = int(args.min_available * (1 << 30)) if args.min_available > 0 else None
    threads = run_measured([sys.executable, "-c", DUCKDB_THREADS]).stdout.strip()
    results: list[Result] = []
    for n in args.rows:
        files = [args.dir / f"cur2-{n}.csv"] + (
            [args.dir / f"cur2-{n}.csv.gz"] if args.gzip else []
        )
        for src in files:
            t0 = time.perf_counter()
            generate(src, n)
            took = time.perf_counter() - t0
            _log(f"{src.name}: {fmt_bytes(src.stat().st_size)} ready in {took:.1f} s")
            runs: dict[str, list[Result]] = {name: [] for name in names}
            for _ in range(max(1, args.repeat)):
                for name in names:  # interleaved, so a burst of load hits every contender alike
                    r = run_one(CONTENDERS[name], src, n, args.dir / "scratch", cap, floor)
                    runs[name].append(r)
                    _log(
                        f"  {name}: {r.status}, wall {r.wall_s or 0:.1f} s, "
                        f"cpu {r.cpu_s or 0:.1f} s, peak {fmt_bytes(r.peak_rss or 0)}, "
                        f"load {r.load:.1f}"
                    )
            results += [best(runs[name]) for name in names]
            if not args.keep_data:
                src.unlink(missing_ok=True)
                src.with_name(src.name + ".json").unlink(missing_ok=True)
    block = run_block(results, args_list, info, threads)
    print(block)
    if args.json:
        payload = {"machine": info, "threads": threads, "argv": args_list,
                   "results": [asdict(r) for r in results]}  # fmt: skip
        args.json.write_text(json.dumps(payload, indent=2))
    if args.append_docs:
        append_docs(block, info)
        _log(f"appended to {DOCS}")
    return 0 if all(r.status.startswith(("ok", "killed")) for r in results) else 1


def _mem_total() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --- profile: where `gcfinops ingest` spends its time -----------------------------------------
class _Recorder:
    """Wraps a DuckDB connection: records every statement with its wall and CPU seconds."""

    def __init__(self, con: Any, log: list[tuple[str, float, float]]) -> None:
        self._con = con
        self._log = log

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        t, c = time.perf_counter(), _cpu()
        try:
            return self._con.execute(sql, *args, **kwargs)
        finally:
            self._log.append((sql, time.perf_counter() - t, _cpu() - c))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    t, c = time.perf_counter(), _cpu()
    fn()
    return time.perf_counter() - t, _cpu() - c


def profile(
    src: Path, rows: int, work: Path, settings: Sequence[str] = (), *, streaming: bool = True
) -> str:
    """Run the real ingest with timers, then a ladder of SQL variants; a Markdown report.

    Uses gcfinops internals (`ingest._stage_file`'s SQL as captured from a real run,
    `readers.relation_sql`), so it follows the code as it is today; if their shape changes the
    affected step says so instead of guessing. `settings` (e.g. `threads = 1`) are applied with
    `SET` to every DuckDB connection, the real ingest's included (before its own
    `ingest.STREAMING_SETTINGS`, which win); `streaming=False` leaves those out everywhere, to
    measure DuckDB's defaults.
    """
    import dataclasses

    import gcfinops.ingest as gi
    from gcfinops import adapters, lake
    from gcfinops.allocation.tags import AllocationConfig, register_lookups
    from gcfinops.readers import open_source, relation_sql
    from gcfinops.workspace import Workspace

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    lines: list[list[str]] = []

    def row(step: str, wall: float, cpu: float, note: str = "") -> None:
        lines.append([step, f"{wall:.2f}", f"{cpu:.2f}", f"{cpu / wall:.2f}" if wall else "",
                      fmt_rate(rows, wall), note])  # fmt: skip
        _log(f"  {step}: wall {wall:.2f} s, cpu {cpu:.2f} s")

    # 1. The real ingest, phase by phase (functions wrapped by name; missing ones are skipped).
    phases: dict[str, list[float]] = {}
    log: list[tuple[str, float, float]] = []
    originals: dict[tuple[Any, str], Any] = {}

    def wrap(module: Any, name: str) -> None:
        fn = getattr(module, name, None)
        if fn is None:
            return
        originals[(module, name)] = fn

        def timed(*a: Any, **k: Any) -> Any:
            t, c = time.perf_counter(), _cpu()
            try:
                return fn(*a, **k)
            finally:
                acc = phases.setdefault(name, [0.0, 0.0])
                acc[0] += time.perf_counter() - t
                acc[1] += _cpu() - c

        setattr(module, name, timed)

    for name in ("sha256_of", "open_source", "_stage_file", "_reconcile", "_assemble"):
        wrap(gi, name)
    real_typed_copy = getattr(gi, "_typed_copy", None)

    def keep_typed(*a: Any, **k: Any) -> Any:
        result = real_typed_copy(*a, **k)
        if isinstance(result, Path) and not (work / "typed.parquet").exists():
            os.link(result, work / "typed.parquet")  # pass 2's ladder reads it again
        return result

    if real_typed_copy is not None:
        originals[(gi, "_typed_copy")] = real_typed_copy
        gi._typed_copy = keep_typed
    wrap(lake, "swap_in")
    real_connect = gi.connect

    def configured(*a: Any, **k: Any) -> Any:
        con = real_connect(*a, **k)
        for setting in settings:
            con.execute(f"SET {setting}")
        return con

    own = tuple(getattr(gi, "STREAMING_SETTINGS", ()))
    gi.connect = lambda *a, **k: _Recorder(configured(*a, **k), log)
    if not streaming and own:
        gi.STREAMING_SETTINGS = ()
    try:
        warm_cache(src)
        wall, cpu = _timed(lambda: gi.ingest(Workspace.resolve(work / "ws"), [src]))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    finally:
        if own:
            gi.STREAMING_SETTINGS = own
        gi.connect = real_connect
        for (module, name), fn in originals.items():
            setattr(module, name, fn)
    row("**gcfinops ingest, in process (total)**", wall, cpu, f"peak RSS {fmt_bytes(peak)}")
    for name, (w, c) in phases.items():
        row(f"  phase `{name}`", w, c)
    copy_sql = next((q for q, _, _ in log if q.lstrip().startswith("COPY")), None)
    view_sql = next((q for q, _, _ in log if "TEMP VIEW" in q), None)
    for q, w, c in log:
        if w > 0.05:
            row(f"  statement `{' '.join(q.split()[:4])[:40]}…`", w, c)

    # 2. A ladder over the kept typed copy: pass 2 built up one step at a time.
    con = configured(temp_dir=work / "duckdb")
    for statement in own if streaming else ():
        con.execute(statement)
    for setting in settings:
        con.execute(f"SET {setting}")
    # The ladder writes single files; under the ingest's memory limit DuckDB 2.0.1 runs an
    # order-preserving single-file COPY on one thread (the real pass 2 is a partitioned write,
    # which does not keep order): without the order every step runs on both cores like it.
    con.execute("SET preserve_insertion_order = false")
    register_lookups(con, AllocationConfig())
    source = open_source(src, work / "transcoded")
    adapter = adapters.detect(source.header, str(src))
    out = _q(work / "out.parquet")

    def copy(select: str, options: str = "FORMAT parquet, COMPRESSION zstd") -> tuple[float, float]:
        return _timed(lambda: con.execute(f"COPY ({select}) TO '{out}' ({options})"))

    warm_cache(src)
    row("DuckDB raw: `read_csv` auto-detect → Parquet (snappy)",
        *copy(f"SELECT * FROM read_csv('{_q(src)}')", "FORMAT parquet"))  # fmt: skip
    typed = work / "typed.parquet"
    if not typed.exists() or copy_sql is None or view_sql is None:
        row("(pass 2 ladder skipped: no typed copy or staging SQL captured)", 0.0, 0.0)
    else:
        keep = gi.typed_columns(source, adapter)
        read_src = dataclasses.replace(
            source, kind="parquet", read_path=typed, types=None, only=frozenset(keep)
        )
        pre = gi.precomputed_columns(read_src, adapter)
        scan = f"SELECT *, file_row_number FROM read_parquet('{_q(typed)}', file_row_number = true)"
        row("pass 2: scan of the typed copy with `file_row_number` → zstd", *copy(scan))
        row("+ JSON text → MAP, once per distinct text",
            *copy(relation_sql(read_src, adapter)))  # fmt: skip
        row("+ one-map columns (Tags, …) once per distinct text",
            *copy(relation_sql(read_src, adapter, pre)))  # fmt: skip
        mapped = gi.compile_select(
            adapter, source.header, relation_sql(read_src, adapter, pre), {}, source.idents, pre
        )
        con.execute(f"CREATE OR REPLACE TEMP VIEW gcf_mapped AS {mapped}")
        row("+ adapter mapping (57 FOCUS columns)", *copy("SELECT * FROM gcf_mapped"))
        w, c = _timed(lambda: gi._allocated(
            con, read_src, adapter, {}, "gcf_mapped", AllocationConfig(), work / "x"))  # fmt: skip
        row("  allocation: distinct keys → tiny pass (gcf_alloc)", w, c)
        head, _, tail = copy_sql.rpartition(") TO ")
        select = head.removeprefix("COPY (")
        row("+ allocation join + lineage + partition columns → one file, zstd", *copy(select))
        stage = work / "stage"
        opts = tail.split(" (", 1)[1]
        row("the real staging COPY (PARTITION_BY, zstd)",
            *_timed(lambda: con.execute(f"{head}) TO '{_q(stage)}' ({opts}")))  # fmt: skip
    con.close()
    head = markdown_table(["Step", "Wall s", "CPU s", "CPU/wall", "Rows/s", "Note"], lines)
    applied = [*(own if streaming else ()), *(f"SET {x}" for x in settings)]
    knobs = "; ".join(f"`{x}`" for x in applied) or "DuckDB defaults"
    return (
        f"Profile of `gcfinops ingest` on {src.name} ({rows:,} rows, "
        f"{fmt_bytes(src.stat().st_size)}); DuckDB settings: {knobs}\n\n{head}\n"
    )


def _same(con: Any, a: Path, b: Path) -> str:
    """Whether two staging folders hold exactly the same rows (EXCEPT ALL both ways)."""
    cols = "* EXCLUDE (x_IngestId)"
    ra = f"SELECT {cols} FROM read_parquet('{_q(a)}/**/*.parquet', hive_partitioning = true)"
    rb = f"SELECT {cols} FROM read_parquet('{_q(b)}/**/*.parquet', hive_partitioning = true)"
    n = con.execute(
        f"SELECT (SELECT count(*) FROM ({ra} EXCEPT ALL {rb})) + "
        f"(SELECT count(*) FROM ({rb} EXCEPT ALL {ra}))"
    ).fetchone()[0]
    return "output identical to the real COPY" if n == 0 else f"{n} rows differ"


def profile_main(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(prog="bench/ingest.py profile", description=profile.__doc__)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--dir", type=Path, default=Path("/tmp/gcf-bench"))
    p.add_argument("--keep-data", action="store_true")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a DuckDB setting for every connection (repeatable)",
    )
    p.add_argument(
        "--no-streaming-settings",
        action="store_true",
        help="leave out gcfinops.ingest.STREAMING_SETTINGS (DuckDB defaults), for a before/after",
    )
    args = p.parse_args(list(argv))
    src = generate(args.dir / f"cur2-{args.rows}.csv", args.rows)
    try:
        report = profile(
            src, args.rows, args.dir / "profile", args.set,
            streaming=not args.no_streaming_settings,
        )  # fmt: skip
        print(report)
    finally:
        shutil.rmtree(args.dir / "profile", ignore_errors=True)
        if not args.keep_data:
            src.unlink(missing_ok=True)
            src.with_name(src.name + ".json").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
