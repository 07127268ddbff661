"""Analyze benchmark (issue #3 item 6): `gcfinops analyze` on a year of 23 wards, at several sizes.

Generates, directly as Parquet in the lake layout (`lake/provider=aws/billing_period=YYYY-MM/
billing_account=<payer>/`), FY2025 (2025-04 .. 2026-03) for the 23 special wards with DuckDB
`range()`: hourly EC2 instance lines (non-production ones partly scheduled to business hours,
production ones partly covered by a Savings Plan), daily EBS volume (gp2/gp3), EBS snapshot, S3
storage and request, and idle Elastic IP lines, plus hourly CPU metrics for a tenth of the
instances. Every one of the 72 lake columns is present, as `gcfinops ingest` writes them. Then it
times `python -m gcfinops -w <lake> -q analyze --format json` in its own process per size (wall,
CPU, peak RSS) and prints a Markdown table; `--append-docs` adds the run to the `## analyze`
section of docs/performance.md.

    python bench/analyze.py                              # 5M, 20M, 50M rows under /tmp
    python bench/analyze.py --sizes 2000000 --keep       # one small lake, kept for inspection
    python bench/analyze.py --sizes 5000000,20000000,50000000 --append-docs

Generated lakes are written under --root (default /tmp/gcfinops-bench-analyze) and deleted
afterwards unless --keep: never inside the repository.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from common import (  # bench/ is not a package: imported from its folder
    Measurement,
    fmt_bytes,
    machine_info,
    machine_markdown,
    markdown_table,
    run_measured,
)

from gcfinops import schema
from gcfinops.allocation.wards import SPECIAL_WARDS
from gcfinops.db import connect

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs" / "performance.md"
MONTHS = [f"{2025 + (m < 4)}-{m:02d}" for m in (*range(4, 13), 1, 2, 3)]
HOURS_PER_YEAR = 8760
#: Resources per ward at scale 1.0 (≈ 195k lines per ward and month, 54M a year for 23 wards).
BASE = {"instances": 245, "volumes": 500, "snapshots": 100, "buckets": 20, "eips": 5}


def lines_per_year(scale: float) -> int:
    """Lines the generator writes for one ward and one year at a scale (approximate)."""
    n = {k: max(1, round(v * scale)) for k, v in BASE.items()}
    daily = n["volumes"] + n["snapshots"] + 3 * n["buckets"] + n["eips"]
    # a quarter of the non-production instances (half the fleet) run only business hours
    inst_hours = n["instances"] * HOURS_PER_YEAR * (1 - 0.5 * 0.25 * (1 - 2964 / 8760))
    return int(inst_hours + daily * 365)


def scale_for(rows: int) -> float:
    """The scale that gives about `rows` lines for 23 wards and a year."""
    return rows / (23 * lines_per_year(1.0))


def _columns(values: dict[str, str]) -> str:
    """A SELECT list with every lake column: given expressions, else a typed NULL."""
    out = []
    for c in schema.COLUMNS:
        expr = values.get(c.name, "NULL")
        out.append(f'CAST({expr} AS {c.type}) AS "{c.name}"')
    return ",\n        ".join(out)


def generate(root: Path, scale: float) -> int:
    """Write the lake and metrics of one size under `root`; returns the number of lake rows."""
    if root.exists():
        shutil.rmtree(root)
    (root / "lake").mkdir(parents=True)
    (root / "metrics").mkdir(parents=True)
    n = {k: max(1, round(v * scale)) for k, v in BASE.items()}
    con = connect(temp_dir=root / ".gcfinops" / "tmp", memory_limit="8GB")
    wards = ", ".join(f"('{w.code}', {i})" for i, w in enumerate(SPECIAL_WARDS))
    con.execute(
        f"CREATE TEMP TABLE wards(code VARCHAR, idx INTEGER); INSERT INTO wards VALUES {wards}"
    )
    # One resource table for all wards: kind, id, account, environment, type, schedule.
    con.execute(f"""
    CREATE TEMP TABLE res AS
    SELECT w.code AS ward, w.idx, 'instance' AS kind,
        'i-' || lpad(printf('%x', w.idx * 100000 + r.i), 17, '0') AS rid,
        CASE WHEN r.i % 2 = 0 THEN 'prod' ELSE 'dev' END AS env,
        (['m5.large', 'm5.xlarge', 'm5.2xlarge', 'r5.xlarge', 'c5.2xlarge', 'm5.4xlarge'])
            [1 + r.i % 6] AS itype,
        CASE WHEN r.i % 2 = 1 AND r.i % 8 = 1 THEN 'business' ELSE 'always' END AS schedule,
        r.i % 4 = 0 AS covered, r.i % 10 = 0 AS has_metrics
    FROM wards w, range({n["instances"]}) r(i)
    UNION ALL
    SELECT w.code, w.idx, k.kind, k.prefix || lpad(printf('%x', w.idx * 100000 + r.i), 17, '0'),
        CASE WHEN r.i % 3 = 0 THEN 'dev' ELSE 'prod' END, NULL, 'daily', FALSE, FALSE
    FROM wards w, (VALUES ('volume', 'vol-', {n["volumes"]}),
                          ('snapshot', 'snap-', {n["snapshots"]}),
                          ('bucket', 'bucket-', {n["buckets"]}), ('eip', 'eipalloc-', {n["eips"]}))
         AS k(kind, prefix, cnt), range(k.cnt) r(i)
    """)
    # One month at a time: a partitioned COPY of the whole year buffers (and spills) far more.
    hours = "range(CAST($m0 AS TIMESTAMPTZ), CAST($m1 AS TIMESTAMPTZ), INTERVAL 1 HOUR)"
    days = "range(CAST($m0 AS TIMESTAMPTZ), CAST($m1 AS TIMESTAMPTZ), INTERVAL 1 DAY)"
    common = {
        "BillingAccountId": "'9' || lpad(CAST(idx AS VARCHAR), 11, '0')",
        "BillingAccountName": "'payer-' || ward",
        "BillingAccountType": "'Payer Account'",
        "BillingCurrency": "'USD'",
        "BillingPeriodStart": "date_trunc('month', t)",
        "BillingPeriodEnd": "date_trunc('month', t) + INTERVAL 1 MONTH",
        "ChargeCategory": "'Usage'",
        "ChargeFrequency": "'Usage-Based'",
        "InvoiceIssuerName": "'Amazon Web Services Japan G.K.'",
        "ProviderName": "'AWS'",
        "PublisherName": "'Amazon Web Services Japan G.K.'",
        "RegionId": "'ap-northeast-1'",
        "RegionName": "'Asia Pacific (Tokyo)'",
        "AvailabilityZone": "'ap-northeast-1a'",
        "ResourceId": "rid",
        "SubAccountId": "'8' || lpad(CAST(idx AS VARCHAR), 9, '0')"
        " || CASE env WHEN 'prod' THEN '01' ELSE '02' END",
        "SubAccountType": "'Account'",
        "x_Ward": "ward",
        "x_BusinessSystem": "'resident_registry'",
        "x_Environment": "env",
        "x_SourceFormat": "'bench'",
        # Per-line values as ingest writes them, so the files compress like real ones.
        "x_SourceFile": "'s3://bench/' || ward || '/' || strftime(t, '%Y-%m') || '.csv.gz'",
        "x_SourceRow": "hash(rid, t) % 100000000",
        "ChargeDescription": "rid || ' ' || strftime(t, '%Y-%m-%dT%H')",
        "x_IngestId": "'bench'",
        "ChargePeriodStart": "t",
    }
    instance = common | {
        "ChargePeriodEnd": "t + INTERVAL 1 HOUR",
        "ServiceCategory": "'Compute'",
        "ServiceName": "'Amazon Elastic Compute Cloud'",
        "x_ServiceCode": "'AmazonEC2'",
        "x_InstanceType": "itype",
        "x_UsageType": "'APN1-BoxUsage:' || itype",
        "PricingCategory": "CASE WHEN covered THEN 'Committed' ELSE 'Standard' END",
        "CommitmentDiscountId": "CASE WHEN covered THEN 'arn:aws:savingsplans::1:sp/b' END",
        "ConsumedQuantity": "1.0",
        "ConsumedUnit": "'Hours'",
        "PricingQuantity": "1.0",
        "PricingUnit": "'Hours'",
        "BilledCost": "price * (1 + (hash(rid, t) % 1000) / 100000.0)",
        "EffectiveCost": "price * (1 + (hash(rid, t) % 1000) / 100000.0)"
        " * CASE WHEN covered THEN 0.7 ELSE 1 END",
        "ListCost": "price",
        "ContractedCost": "price",
    }
    daily = common | {
        "ChargePeriodEnd": "t + INTERVAL 1 DAY",
        "ServiceCategory": "CASE WHEN kind = 'bucket' THEN 'Storage' ELSE 'Compute' END",
        "ServiceName": "CASE WHEN kind = 'bucket' THEN 'Amazon Simple Storage Service'"
        " ELSE 'Amazon Elastic Compute Cloud' END",
        "x_ServiceCode": "CASE WHEN kind = 'bucket' THEN 'AmazonS3' ELSE 'AmazonEC2' END",
        "x_UsageType": "utype",
        "x_VolumeType": "vtype",
        "x_StorageClass": "sclass",
        "ConsumedQuantity": "qty",
        "PricingQuantity": "qty",
        "BilledCost": "cost",
        "EffectiveCost": "cost",
        "ListCost": "cost",
        "ContractedCost": "cost",
    }
    lines_sql = f"""
    SELECT {_columns(instance)}, strftime(t, '%Y-%m') AS billing_period,
        '9' || lpad(CAST(idx AS VARCHAR), 11, '0') AS billing_account
    FROM (
        SELECT r.*, h.t, CASE r.itype WHEN 'm5.large' THEN 0.124 WHEN 'm5.xlarge' THEN 0.248
            WHEN 'm5.2xlarge' THEN 0.496 WHEN 'r5.xlarge' THEN 0.304 WHEN 'c5.2xlarge' THEN 0.428
            ELSE 0.992 END AS price
        FROM res r, {hours} h(t)
        WHERE r.kind = 'instance' AND (r.schedule = 'always'
            OR (extract(hour FROM h.t + INTERVAL 9 HOUR) BETWEEN 8 AND 19
                AND extract(isodow FROM h.t + INTERVAL 9 HOUR) <= 5))
    )
    UNION ALL
    SELECT {_columns(daily)}, strftime(t, '%Y-%m'), '9' || lpad(CAST(idx AS VARCHAR), 11, '0')
    FROM (
        SELECT r.*, d.t, x.utype, x.vtype, x.sclass, x.qty, x.cost
        FROM res r, {days} d(t),
        LATERAL (SELECT * FROM (VALUES
            ('volume', CASE WHEN hash(r.rid) % 3 = 0 THEN 'APN1-EBS:VolumeUsage.gp2'
                ELSE 'APN1-EBS:VolumeUsage.gp3' END,
             CASE WHEN hash(r.rid) % 3 = 0 THEN 'gp2' ELSE 'gp3' END, NULL, 500 / 30.4, 2.0),
            ('snapshot', 'APN1-EBS:SnapshotUsage', NULL, NULL, 200 / 30.4, 0.33),
            ('bucket', 'APN1-TimedStorage-ByteHrs', NULL, 'STANDARD', 5000 / 30.4, 4.1),
            ('bucket', 'APN1-Requests-Tier1', NULL, NULL,
             CASE WHEN hash(r.rid) % 2 = 0 THEN 5 ELSE 50000 END, 0.02),
            ('bucket', 'APN1-Requests-Tier2', NULL, NULL,
             CASE WHEN hash(r.rid) % 2 = 0 THEN 5 ELSE 500000 END, 0.2),
            ('eip', 'APN1-ElasticIP:IdleAddress', NULL, NULL, 24, 0.12)
        ) AS v(kind, utype, vtype, sclass, qty, cost) WHERE v.kind = r.kind) AS x
        WHERE r.kind <> 'instance'
    )
    """
    lake = (root / "lake").as_posix()
    for month in MONTHS:
        y, mo = int(month[:4]), int(month[5:])
        m0 = f"{month}-01 00:00:00+00"
        m1 = f"{y + (mo == 12)}-{mo % 12 + 1:02d}-01 00:00:00+00"
        con.execute(
            f"""COPY (SELECT 'aws' AS provider, * FROM ({lines_sql}))
            TO '{lake}' (FORMAT parquet, PARTITION_BY (provider, billing_period, billing_account),
                         COMPRESSION zstd, OVERWRITE_OR_IGNORE true)""",
            {"m0": m0, "m1": m1},
        )
    # Hourly CPU (Average) for the instances with metrics, over the last 30 days.
    metrics = (root / "metrics" / "bench.parquet").as_posix()
    con.execute(f"""COPY (
        SELECT r.rid AS resource_id, h.t AS timestamp, 'cpu_utilization' AS metric,
            CAST(CASE WHEN hash(r.rid) % 2 = 0 THEN 6 ELSE 55 END
                 + (hash(r.rid || h.t::VARCHAR) % 7)
                 AS DOUBLE) AS value,
            'average' AS statistic, 'bench' AS source_file
        FROM res r, range(TIMESTAMPTZ '2026-03-02 00:00:00+00',
                          TIMESTAMPTZ '2026-04-01 00:00:00+00',
                          INTERVAL 1 HOUR) h(t)
        WHERE r.kind = 'instance' AND r.has_metrics) TO '{metrics}' (FORMAT parquet)""")
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{lake}/**/*.parquet')").fetchone()
    con.close()
    fx = ["month,currency,rate_jpy,source"] + [f"{m},USD,150.0,bench" for m in MONTHS]
    (root / "fx_rates.csv").write_text("\n".join(fx) + "\n", encoding="utf-8")
    return int(rows[0]) if rows else 0


def run(root: Path, rows: int) -> tuple[int, float, Measurement, dict[str, object]]:
    """Generate a lake of about `rows` lines (in a child process) and time analyze on it.

    NOTE: generation runs in its own process: a child's ru_maxrss starts from its parent's
    high-water mark at fork, so generating in this process would inflate analyze's peak RSS.
    """
    started = time.perf_counter()
    gen = run_measured([sys.executable, __file__, "generate", str(root), str(rows)], cwd=REPO)
    if not gen.ok:
        raise SystemExit(f"generation failed: {gen.stderr[-2000:]}")
    written = int(gen.stdout.split()[-1])
    gen_s = time.perf_counter() - started
    size = sum(f.stat().st_size for f in (root / "lake").rglob("*.parquet"))
    cmd = [sys.executable, "-m", "gcfinops", "-w", str(root), "-q", "analyze", "--format", "json"]
    m = run_measured(cmd, cwd=REPO)
    summary: dict[str, object] = {"lake_bytes": size, "generate_s": round(gen_s, 1)}
    if m.ok:
        data = json.loads(m.stdout)
        summary["findings"] = len(data["findings"])
        summary["skipped"] = len(data["skipped"])
        summary["rule_seconds"] = {r["rule_id"]: r["seconds"] for r in data["rules"]}
    else:
        summary["error"] = m.stderr[-2000:]
    return written, gen_s, m, summary


def report(results: list[tuple[int, Measurement, dict[str, object]]]) -> str:
    headers = ["lake rows", "Parquet", "analyze wall", "CPU", "peak RSS", "rows/s",
               "findings", "slowest rules (s)"]  # fmt: skip
    body = []
    for rows, m, s in results:
        per_rule = s.get("rule_seconds") or {}
        slow = sorted(per_rule.items(), key=lambda kv: -float(kv[1]))[:3]  # type: ignore[union-attr]
        body.append([
            f"{rows:,}", fmt_bytes(float(s["lake_bytes"])),  # type: ignore[arg-type]
            f"{m.wall_s:.1f} s" if m.ok else "failed", f"{m.cpu_s:.1f} s",
            fmt_bytes(m.peak_rss), f"{rows / m.wall_s:,.0f}" if m.ok else "",
            str(s.get("findings", "")), ", ".join(f"{k} {v}" for k, v in slow),
        ])  # fmt: skip
    return markdown_table(headers, body)


def append_docs(block: str) -> None:
    """Add `block` at the end of the `## analyze` section of docs/performance.md."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Performance\n"
    if "\n## analyze" not in text:
        text = text.rstrip("\n") + "\n\n## analyze\n"
    head, _, rest = text.partition("\n## analyze")
    section, sep, tail = rest.partition("\n## ")
    section = section.rstrip("\n") + "\n\n" + block.rstrip("\n") + "\n"
    DOCS.write_text(head + "\n## analyze" + section + (("\n## " + tail) if sep else ""),
                    encoding="utf-8")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["generate"]:  # child process: python bench/analyze.py generate ROOT ROWS
        print(generate(Path(argv[1]), scale_for(int(argv[2]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default="5000000,20000000,50000000",
        help="comma-separated target lake rows (default 5M,20M,50M)",
    )
    parser.add_argument("--root", type=Path, default=Path("/tmp/gcfinops-bench-analyze"))
    parser.add_argument("--keep", action="store_true", help="keep the generated lakes")
    parser.add_argument("--append-docs", action="store_true",
                        help="append the run to docs/performance.md (## analyze)")  # fmt: skip
    args = parser.parse_args(argv)
    results = []
    for target in (int(s) for s in args.sizes.split(",")):
        root = args.root / f"rows-{target}"
        written, gen_s, m, summary = run(root, target)
        print(f"{written:,} rows: generated in {gen_s:.0f} s; analyze {m.wall_s:.1f} s wall, "
              f"{m.cpu_s:.1f} s CPU, peak RSS {fmt_bytes(m.peak_rss)}"
              + ("" if m.ok else f" FAILED: {summary.get('error')}"), flush=True)  # fmt: skip
        results.append((written, m, summary))
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    table = report(results)
    print(table)
    if args.append_docs:
        info = machine_info()
        block = (
            f"### Run of {dt.date.today().isoformat()}\n\n"
            f"`python bench/analyze.py --sizes {args.sizes} --append-docs`\n\n"
            f"{machine_markdown(info)}\n\n{table}\n"
        )
        append_docs(block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
