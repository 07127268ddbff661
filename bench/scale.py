"""Scale benchmark (issue #16 item 4): `analyze` + `report --ward all` from 10M to 300M lake lines.

One run, for each size, in its own child process each (wall, CPU, peak RSS, load average):

1. the floor: one DuckDB aggregation of the whole lake by ward, billing month, 業務 and service
   (`SCAN_SQL`, the issue's yardstick), measured in the same run as the contenders;
2. `gcfinops analyze` and 3. `gcfinops report --ward all --format json` with DuckDB;
4. the same two with `--engine spark` (Spark local mode, `local[2]`) at the sizes of
   `--spark-sizes` (Spark's start-up and per-job overhead dominate small lakes; larger sizes
   take too long on 2 cores to be worth it).

The lake: N municipalities × 12 months (FY2025), generated directly as Parquet in the lake
layout by `bench/analyze.py`'s generator (hourly EC2, daily EBS/S3/EIP lines, metrics, all 72
lake columns). Generating 300M lines that way takes hours on 2 cores, so a *unit* of 23
municipalities is generated once (`--unit`, default 10M lines) and larger lakes add copies of
it: copy j rewrites every file of the unit with other municipality codes, billing and
sub-account ids and resource ids (`copy_unit`, one DuckDB COPY per file, about a tenth of the
generator's time), so the lake of size k × unit holds 23 × k distinct municipalities, accounts
and resources, each with the unit's shape. Sizes are built incrementally in one directory
(10M → 50M → 100M → 300M) under --root (default /tmp/gcfinops-bench-scale), deleted at the end
unless --keep; never inside the repository.

    python bench/scale.py                                      # 10M,50M,100M,300M; Spark at 10M
    python bench/scale.py --sizes 10000000 --spark-sizes ""    # one size, DuckDB only
    python bench/scale.py --json /tmp/scale.json --repeat 2

The table gives rows/s and each step's time relative to the floor; "linear" compares the time
per line with the smallest size's.
"""

from __future__ import annotations

import argparse
import json
import os
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

REPO = Path(__file__).resolve().parent.parent
UNIT_WARDS = 23  # the generator's municipalities per unit (the 23 special wards)

#: The floor: one aggregation of the lake by ward, month, 業務 and service (issue #16 item 5).
SCAN_SQL = """SELECT x_Ward, strftime(BillingPeriodStart, '%Y-%m') AS month, x_BusinessSystem,
       ServiceName, sum(BilledCost) FROM read_parquet(?) GROUP BY ALL"""


def copy_unit(unit: Path, lake: Path, j: int) -> int:
    """Copy j (≥ 1) of the unit's lake files and metrics into `lake`'s workspace, with new
    municipality codes, accounts and resource ids; returns the rows written."""
    from gcfinops.db import connect

    con = connect()
    total = 0
    for f in sorted((unit / "lake").rglob("*.parquet")):
        rel = f.relative_to(unit / "lake")
        account = rel.parts[2].split("=", 1)[1]  # billing_account=9000000000NN
        idx = int(account[-4:]) + UNIT_WARDS * j
        new_account = "9" + f"{idx:011d}"
        code = f"{900000 + idx:06d}"  # a synthetic municipality code per copy and ward
        out = lake / "lake" / rel.parts[0] / rel.parts[1] / f"billing_account={new_account}"
        out.mkdir(parents=True, exist_ok=True)
        row = con.execute(
            f"""COPY (SELECT * REPLACE (
                    ? AS x_Ward, ? AS BillingAccountId, 'payer-' || ? AS BillingAccountName,
                    '8' || lpad(CAST(? AS VARCHAR), 9, '0') || right(SubAccountId, 2)
                        AS SubAccountId,
                    ResourceId || '-c' || CAST(? AS VARCHAR) AS ResourceId)
                FROM read_parquet(?)) TO '{(out / f.name).as_posix()}'
                (FORMAT parquet, COMPRESSION zstd)""",
            [code, new_account, code, idx, j, str(f)],
        ).fetchone()
        total += int(row[0]) if row else 0
    metrics = lake / "metrics" / f"bench-c{j}.parquet"
    metrics.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"""COPY (SELECT * REPLACE (resource_id || '-c' || CAST(? AS VARCHAR) AS resource_id)
            FROM read_parquet(?)) TO '{metrics.as_posix()}' (FORMAT parquet)""",
        [j, str(unit / "metrics" / "bench.parquet")],
    )
    con.close()
    return total


def link_unit(unit: Path, lake: Path) -> None:
    """Copy 0: the unit itself, hard-linked (no bytes written)."""
    for f in (unit / "lake").rglob("*.parquet"):
        target = lake / "lake" / f.relative_to(unit / "lake")
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            os.link(f, target)
    (lake / "metrics").mkdir(parents=True, exist_ok=True)
    if not (lake / "metrics" / "bench.parquet").exists():
        os.link(unit / "metrics" / "bench.parquet", lake / "metrics" / "bench.parquet")
    shutil.copy(unit / "fx_rates.csv", lake / "fx_rates.csv")


def link_copy(ws: Path, j: int, source: int) -> None:
    """Copy j as hard links of copy `source`'s files (no bytes written): the same municipality
    codes, accounts and resources as `source` again, in other directories. Used beyond
    --distinct copies, where rewriting would take longer than the benchmark itself."""
    for f in sorted((ws / "lake").rglob("*.parquet")):
        account = f.parent.name.split("=", 1)[1]
        idx = int(account[-4:])
        if idx // UNIT_WARDS != source or f.name.startswith("link-"):
            continue
        new_idx = idx % UNIT_WARDS + UNIT_WARDS * j
        out = f.parent.parent / f"billing_account=9{new_idx:011d}"
        out.mkdir(parents=True, exist_ok=True)
        os.link(f, out / f"link-{source}-{f.name}")


def lake_stats(ws: Path) -> tuple[int, int, int]:
    """(rows, Parquet bytes, files) of a workspace's lake, from the Parquet footers."""
    import duckdb

    files = list((ws / "lake").rglob("*.parquet"))
    con = duckdb.connect()
    row = con.execute(
        "SELECT sum(num_rows) FROM parquet_file_metadata(?)", [[str(f) for f in files]]
    ).fetchone()
    con.close()
    return int(row[0] or 0) if row else 0, sum(f.stat().st_size for f in files), len(files)


def _measure(cmd: list[str], repeat: int, src: Path | None = None) -> Measurement:
    """Best wall of `repeat` runs (each in its own child process)."""
    runs = [run_measured(cmd, cwd=REPO, env=_env(src)) for _ in range(repeat)]
    ok = [m for m in runs if m.ok] or runs
    return min(ok, key=lambda m: m.wall_s)


def _env(src: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(src or REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def measure_size(
    ws: Path, engines: list[str], repeat: int, before: Path | None = None
) -> dict[str, object]:
    """The floor, then analyze and report per engine, on one lake; with `before`, the report
    of that source tree too (same lake, same minute: the before/after of a change)."""
    rows, size, files = lake_stats(ws)
    glob = str(ws / "lake" / "**" / "*.parquet")
    scan_cmd = [sys.executable, "-c",
                "import duckdb,sys; c=duckdb.connect(); c.execute(\"SET TimeZone='UTC'\");"
                f"print(len(c.execute({SCAN_SQL!r}, [sys.argv[1]]).fetchall()))", glob]  # fmt: skip
    out: dict[str, object] = {"rows": rows, "bytes": size, "files": files,
                              "bytes_per_row": size / rows if rows else 0.0}  # fmt: skip
    steps: dict[str, dict[str, object]] = {}
    steps["scan"] = _record(_measure(scan_cmd, repeat))
    if before is not None:
        cmd = [sys.executable, "-m", "gcfinops", "-w", str(ws), "-q", "report", "--ward", "all",
               "--format", "json"]  # fmt: skip
        steps["report-before"] = _record(_measure(cmd, repeat, before / "src"))
    for engine in engines:
        base = [sys.executable, "-m", "gcfinops", "-w", str(ws), "-q"]
        an = _measure([*base, "analyze", "--engine", engine, "--format", "json"], repeat)
        rep = _measure([*base, "report", "--ward", "all", "--engine", engine,
                        "--format", "json"], repeat)  # fmt: skip
        steps[f"analyze/{engine}"] = _record(an)
        steps[f"report/{engine}"] = _record(rep)
        if rep.ok:
            steps[f"report/{engine}"]["wards"] = len(json.loads(rep.stdout).get("wards", []))
        if an.ok:
            steps[f"analyze/{engine}"]["findings"] = len(json.loads(an.stdout)["findings"])
    out["steps"] = steps
    return out


def _record(m: Measurement) -> dict[str, object]:
    print(
        f"  wall {m.wall_s:.1f} s, CPU {m.cpu_s:.1f} s, "
        f"RSS {fmt_bytes(m.peak_rss)}, load {m.load_before:.1f}, ok {m.ok}",
        flush=True,
    )
    return {
        "ok": m.ok, "wall_s": round(m.wall_s, 2), "cpu_s": round(m.cpu_s, 2),
        "peak_rss": m.peak_rss, "load_before": round(m.load_before, 2),
        "error": "" if m.ok else (m.kill_reason or m.stderr[-1500:]),
    }  # fmt: skip


def table(results: list[dict[str, object]]) -> str:
    """One row per size and step: wall, CPU, RSS, rows/s, × the floor, time per line vs first."""
    headers = ["lake rows", "Parquet", "step", "wall s", "CPU s", "peak RSS", "rows/s",
               "× floor (wall)", "× floor (CPU)", "CPU ns/line (vs first)", "load"]  # fmt: skip
    body = []
    first: dict[str, float] = {}
    for r in results:
        rows = int(r["rows"])  # type: ignore[call-overload]
        steps: dict[str, dict[str, object]] = r["steps"]  # type: ignore[assignment]
        floor = float(steps["scan"]["wall_s"])  # type: ignore[arg-type]
        floor_cpu = float(steps["scan"]["cpu_s"])  # type: ignore[arg-type]
        both: dict[str, float] = {}
        for name, s in steps.items():
            wall = float(s["wall_s"])  # type: ignore[arg-type]
            engine = name.split("/")[-1]
            if name not in ("scan", "report-before"):
                both[engine] = both.get(engine, 0.0) + wall
            body.append(_row(rows, r, name, s, wall, (floor, floor_cpu), first))
        for engine, wall in both.items():
            mine = [s for n, s in steps.items() if n.endswith("/" + engine)]
            total: dict[str, object] = {
                "wall_s": wall,
                "cpu_s": sum(float(s["cpu_s"]) for s in mine),  # type: ignore[misc,arg-type]
                "peak_rss": max(int(s["peak_rss"]) for s in mine),  # type: ignore[call-overload]
                "load_before": "",
                "ok": all(bool(s["ok"]) for s in mine),
            }
            name = f"**analyze + report/{engine}**"
            body.append(_row(rows, r, name, total, wall, (floor, floor_cpu), first))
    return markdown_table(headers, body)


def _row(rows: int, r: dict[str, object], name: str, s: dict[str, object], wall: float,
         floors: tuple[float, float], first: dict[str, float]) -> list[str]:  # fmt: skip
    per_line = float(s["cpu_s"]) / rows * 1e9 if rows else 0.0  # type: ignore[arg-type]
    first.setdefault(name, per_line)
    ok = bool(s.get("ok", True))
    return [
        f"{rows:,}", fmt_bytes(float(r["bytes"])), name,  # type: ignore[arg-type]
        f"{wall:.1f}" if ok else "failed", f"{float(s['cpu_s']):.1f}",  # type: ignore[arg-type]
        fmt_bytes(float(s["peak_rss"])), f"{rows / wall:,.0f}" if ok and wall else "",  # type: ignore[arg-type]
        f"{wall / floors[0]:.2f}" if floors[0] and ok else "",
        f"{float(s['cpu_s']) / floors[1]:.2f}" if floors[1] and ok else "",  # type: ignore[arg-type]
        f"{per_line:.0f} ({per_line / first[name]:.2f}×)" if ok else "",
        str(s.get("load_before", "")),
    ]  # fmt: skip


# --- the cost model (docs/scale.md) --------------------------------------------------------
MUNICIPALITIES = 1788  # 1,718 市町村 + 23 特別区 + 47 都道府県 (総務省, 2024)
ATHENA_USD_PER_TB = 5.0  # per TB (10^12 bytes) scanned, 10 MB minimum per query
BIGQUERY_USD_PER_TIB = 6.25  # on-demand, per TiB processed (external Parquet: logical bytes)
MONTHS_READ = 24  # a report reads the lake it is given: two fiscal years kept
SPARK_TARGET_S = 600.0  # the wall time the cluster is sized for


def _spark_wall(run: dict[str, object]) -> float:
    steps: dict[str, dict[str, float]] = run["steps"]  # type: ignore[assignment]
    return steps["analyze/spark"]["wall_s"] + steps["report/spark"]["wall_s"]


def spark_lines_per_core(spark_runs: list[dict[str, object]]) -> float:
    """Spark's lines per wall second and core (local[2]) for analyze + report.

    With two or more sizes, the *marginal* rate between the two largest (Δ lines ÷ Δ wall): local
    mode spends tens of seconds per run on fixed costs (JVM, one job per statement, copying the
    small DuckDB tables), which a cluster pays once, not per line. With one size, its average
    (a lower bound)."""
    runs = sorted(spark_runs, key=lambda r: int(r["rows"]))  # type: ignore[call-overload]
    if not runs:
        return 0.0
    if len(runs) >= 2:
        small, big = runs[-2], runs[-1]
        lines = float(big["rows"]) - float(small["rows"])  # type: ignore[arg-type]
        wall = _spark_wall(big) - _spark_wall(small)
        if lines > 0 and wall > 0:
            return lines / wall / 2
    return float(runs[-1]["rows"]) / _spark_wall(runs[-1]) / 2  # type: ignore[arg-type]


def cost_model(
    doc: dict[str, object],
    lines_per_month: tuple[int, ...] = (20_000, 100_000, 200_000),
    bytes_per_line: float | None = None,
    pass_bytes_per_line: float = 6.1,
    logical_bytes_per_line: float = 191.0,
) -> str:
    """The model of docs/scale.md from a run's JSON: per scenario of lines per municipality and
    month, the volume, a report's bytes scanned on Athena / BigQuery and the Spark cluster and
    one machine's wall time, extrapolated linearly from the measured rows/s."""
    results: list[dict[str, object]] = doc["results"]  # type: ignore[assignment]
    last = max(results, key=lambda r: int(r["rows"]))  # type: ignore[call-overload]
    steps: dict[str, dict[str, float]] = last["steps"]  # type: ignore[assignment]
    rows = float(last["rows"])  # type: ignore[arg-type]
    bpl = bytes_per_line or float(last["bytes_per_row"])  # type: ignore[arg-type]
    # lines per CPU-second of analyze + report: the load of the shared machine hardly moves it
    duck = rows / (steps["analyze/duckdb"]["cpu_s"] + steps["report/duckdb"]["cpu_s"])
    spark_runs = [r for r in results if "report/spark" in r["steps"]]  # type: ignore[operator]
    spark_core = spark_lines_per_core(spark_runs)
    head = ["lines / municipality / month", "lines / month", "Parquet / month",
            "lines per report (24 months)", "Athena: report scans", "Athena $ / report",
            "BigQuery: report bills", "BigQuery $ / report", "Spark cores for 10 min",
            "DuckDB CPU-hours"]  # fmt: skip
    body = []
    for per in lines_per_month:
        month = MUNICIPALITIES * per
        run = month * MONTHS_READ
        athena = run * pass_bytes_per_line
        bq = run * logical_bytes_per_line
        cores = run / (spark_core * SPARK_TARGET_S) if spark_core else float("nan")
        body.append([
            f"{per:,}", f"{month / 1e6:,.0f} M", fmt_bytes(month * bpl), f"{run / 1e9:,.2f} G",
            fmt_bytes(athena), f"{athena / 1e12 * ATHENA_USD_PER_TB:,.2f}",
            fmt_bytes(bq), f"{bq / 2**40 * BIGQUERY_USD_PER_TIB:,.2f}",
            f"{cores:,.0f}", f"{run / duck / 3600:,.1f}",
        ])  # fmt: skip
    return markdown_table(head, body) + (
        f"\n\nMeasured inputs: {bpl:.1f} bytes per lake line; DuckDB {duck:,.0f} lines per "
        f"CPU-second for analyze + report at {rows:,.0f} lines; Spark local "
        f"{spark_core:,.0f} lines/s per core (wall, marginal between the two largest Spark sizes)."
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["copy"]:  # child process: python bench/scale.py copy UNIT LAKE J
        print(copy_unit(Path(argv[1]), Path(argv[2]), int(argv[3])))
        return 0
    if argv[:1] == ["model"]:  # python bench/scale.py model RUN.json [BYTES_PER_LINE]
        doc = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        print(cost_model(doc, bytes_per_line=float(argv[2]) if len(argv) > 2 else None))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000000,50000000,100000000,300000000")
    parser.add_argument(
        "--spark-sizes", default="10000000", help="sizes also run with --engine spark ('': none)"
    )
    parser.add_argument(
        "--unit", type=int, default=10_000_000, help="lines of the generated unit (23 × 12 months)"
    )
    parser.add_argument("--root", type=Path, default=Path("/tmp/gcfinops-bench-scale"))
    parser.add_argument(
        "--distinct", type=int, default=10, help="copies rewritten (the rest: hard links)"
    )
    parser.add_argument(
        "--before", type=Path, help="another source tree (its src/) timed as report-before"
    )
    parser.add_argument("--before-sizes", default="", help="sizes with --before ('': all)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per step (best wall)")
    parser.add_argument("--json", type=Path, help="write the results as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the generated lakes")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(",") if s)
    spark = {int(s) for s in args.spark_sizes.split(",") if s}
    unit, ws = args.root / "unit", args.root / "lake"
    started = time.perf_counter()
    if not (unit / "lake").is_dir():
        gen = run_measured([sys.executable, str(REPO / "bench" / "analyze.py"), "generate",
                            str(unit), str(args.unit)], cwd=REPO, env=_env())  # fmt: skip
        if not gen.ok:
            raise SystemExit(f"generation failed: {gen.stderr[-2000:]}")
        print(f"unit: {gen.stdout.split()[-1]} lines in {gen.wall_s:.0f} s", flush=True)
    link_unit(unit, ws)
    unit_rows = lake_stats(unit)[0]
    copies = 1
    results: list[dict[str, object]] = []
    for target in sizes:
        while copies * unit_rows < target * 0.97:
            if any((ws / "lake").glob(f"*/*/billing_account=9{UNIT_WARDS * copies:011d}")):
                print(f"copy {copies}: already there", flush=True)
            elif copies >= args.distinct:
                link_copy(ws, copies, copies % args.distinct)
                print(f"copy {copies}: links of copy {copies % args.distinct}", flush=True)
            else:
                cmd = [sys.executable, __file__, "copy", str(unit), str(ws), str(copies)]
                cp = run_measured(cmd, cwd=REPO, env=_env())
                if not cp.ok:
                    raise SystemExit(f"copy {copies} failed: {cp.stderr[-2000:]}")
                print(f"copy {copies}: {cp.wall_s:.0f} s", flush=True)
            copies += 1
        engines = ["duckdb", "spark"] if target in spark else ["duckdb"]
        before_sizes = {int(s) for s in args.before_sizes.split(",") if s}
        before = args.before if not before_sizes or target in before_sizes else None
        r = measure_size(ws, engines, args.repeat, before)
        r["target"] = target
        r["copies"] = copies
        r["municipalities"] = UNIT_WARDS * min(copies, args.distinct)
        results.append(r)
        print(json.dumps(r["steps"]), flush=True)
        if args.json:
            _write_json(args.json, results)
    print(machine_markdown(machine_info(("duckdb", "pyarrow", "pyspark", "gcfinops"))))
    print(table(results))
    print(f"total {time.perf_counter() - started:.0f} s", flush=True)
    if args.json:
        _write_json(args.json, results)
    if not args.keep:
        shutil.rmtree(args.root, ignore_errors=True)
    return 0


def _write_json(path: Path, results: list[dict[str, object]]) -> None:
    doc = {"machine": machine_info(("duckdb", "pyarrow", "pyspark", "gcfinops")),
           "unit_municipalities": UNIT_WARDS, "scan_sql": SCAN_SQL, "results": results}  # fmt: skip
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
