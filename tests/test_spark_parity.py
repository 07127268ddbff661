"""Spark parity (issue #16 item 2): the same findings, report and gate numbers as DuckDB.

On the shipped sample (ingested as `gcfinops demo` does) and on a generated year of the 23
wards (bench/analyze.py's generator, the smallest size), `analyze`, `report --ward all` and
`check` run once with DuckDB and once with Spark (local[2], 2 shuffle partitions, one session
for the module); every finding (same rows) and every number must agree to the yen.

Sums of DOUBLE in a different order differ in the last bits (DuckDB's own parallel sums do
too), so floats are compared rounded to 4 decimals (money: far below a yen); lists of
findings are compared as sorted lists because ties in the ordering are broken by those bits.
Without Java or pyspark the module skips with the reason — except with CI=true, where the
missing runtime is a failure (.ci/run installs both).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from gcfinops import api, engine, report
from gcfinops.context import Context
from gcfinops.gate import run_check

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_billing"
BENCH = REPO / "bench"


def _spark_missing() -> str | None:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (apt-get install default-jre-headless)"
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install 'gcfinops[spark]')"
    return None


@pytest.fixture(scope="module")
def spark_engine() -> Iterator[dict[str, Any]]:
    """`[engine]` settings for Spark local[2]; the session starts once for the module."""
    reason = _spark_missing()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but Spark cannot run: {reason}")
        pytest.skip(reason)
    from gcfinops.sqlengine.spark import stop_sessions

    started = time.perf_counter()
    yield {"name": "spark", "master": "local[2]", "shuffle_partitions": 2}
    stop_sessions()
    print(f"\nSpark parity module: {time.perf_counter() - started:.1f} s")


def _ctx(root: Path, engine_cfg: dict[str, Any], name: str) -> Context:
    ctx = api.context(root)
    raw = {**ctx.config.raw, "engine": engine_cfg}
    return dataclasses.replace(ctx, config=dataclasses.replace(ctx.config, raw=raw), engine=name)


def _norm(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = [_norm(v) for v in value]
        if items and all(isinstance(v, dict) for v in items):
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
        return items
    return value


def _diff(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two normalized documents differ (path: DuckDB value != Spark value)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b), key=str)
                for d in _diff(a.get(k), b.get(k), f"{path}.{k}")]  # fmt: skip
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in _diff(x, y, f"{path}[{i}]")]  # fmt: skip
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def _findings(root: Path) -> list[dict[str, Any]]:
    rows = duckdb.sql(
        f"SELECT * EXCLUDE (as_of) FROM read_parquet('{root}/findings/findings.parquet')"
    ).fetchall()
    cols = [
        c
        for c in duckdb.sql(
            f"SELECT * EXCLUDE (as_of) FROM read_parquet('{root}/findings/findings.parquet')"
        ).columns
    ]
    out = []
    for r in rows:
        row = dict(zip(cols, r, strict=True))
        row["evidence"] = json.loads(row["evidence"]) if row["evidence"] else None
        out.append({k: str(v) if not isinstance(v, float | dict | type(None)) else v
                    for k, v in row.items()})  # fmt: skip
    return _norm(out)


def _run(root: Path, ctx: Context) -> dict[str, Any]:
    result = engine.analyze(ctx)
    data = report.generate(ctx, "all")
    gate = run_check(ctx)
    return {
        "runs": [(r.rule_id, r.findings, r.skipped, round(r.monthly_savings)) for r in result.runs],
        "findings": _findings(root),
        "report": _norm(json.loads(str(report.render(data, "json")))),
        "check": _norm(dataclasses.asdict(gate)),
    }


def _assert_parity(root: Path, spark_cfg: dict[str, Any]) -> dict[str, Any]:
    duck = _run(root, _ctx(root, spark_cfg, "duckdb"))
    spark = _run(root, _ctx(root, spark_cfg, "spark"))
    assert duck["runs"] == spark["runs"]
    assert len(duck["findings"]) == len(spark["findings"]) > 0
    for a, b in zip(duck["findings"], spark["findings"], strict=True):
        assert a == b
    assert _diff(duck["report"], spark["report"]) == []
    assert _diff(duck["check"], spark["check"]) == []
    return duck


@pytest.fixture(scope="module")
def sample_workspace(
    tmp_path_factory: pytest.TempPathFactory, sample_lake_copy: Callable[[Path], Path]
) -> Path:
    """The shipped sample, ingested as `gcfinops demo` does, with metrics, baseline and costs."""
    root = sample_lake_copy(tmp_path_factory.mktemp("spark-sample") / "ws")
    api.ingest_metrics([SAMPLES / "metrics"], workspace=root)
    api.import_baseline(SAMPLES / "baseline_fy2018.csv", workspace=root)
    api.import_costs(SAMPLES / "noncloud_costs.csv", workspace=root)
    return root


def test_sample_parity(sample_workspace: Path, spark_engine: dict[str, Any]) -> None:
    duck = _assert_parity(sample_workspace, spark_engine)
    fired = {r[0] for r in duck["runs"] if r[1] > 0}
    assert len(fired) == 6  # every shipped rule fires on the sample: parity is not vacuous
    assert duck["report"]["wards"]


@pytest.fixture(scope="module")
def generated_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A year of the 23 wards written directly as a lake (bench/analyze.py, smallest scale)."""
    if not (BENCH / "analyze.py").exists():
        pytest.skip("bench/ is not in this checkout (installed package)")
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_analyze", BENCH / "analyze.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_analyze"] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    root = tmp_path_factory.mktemp("spark-generated") / "ws"
    rows = module.generate(root, 0.001)
    assert rows > 100_000
    return Path(root)


def test_generated_year_parity(generated_workspace: Path, spark_engine: dict[str, Any]) -> None:
    duck = _assert_parity(generated_workspace, spark_engine)
    assert len({w["ward"] for w in duck["report"]["wards"]}) == 23


def test_inspect_parity(sample_workspace: Path, spark_engine: dict[str, Any]) -> None:
    """`inspect --engine spark` (the scope query on Spark) explains the planted line exactly as
    DuckDB does, and the vendor report check agrees too."""
    from decimal import Decimal

    docs = {}
    for name in ("duckdb", "spark"):
        ctx = _ctx(sample_workspace, spark_engine, name)
        result = api.inspect("2026-02", workspace=ctx, ward="131016", provider="AWS", engine=name)
        vendor = api.inspect_vendor_report(
            SAMPLES / "vendor_report.csv", workspace=ctx, tolerance=Decimal(0), engine=name
        )
        docs[name] = {"inspect": result.to_dict(), "vendor": vendor.to_dict()}
    assert _diff(_norm(docs["duckdb"]), _norm(docs["spark"])) == []
    unexplained = docs["duckdb"]["inspect"]["unexplained_lines"]
    assert [line["source_row"] for line in unexplained] == [673]


def test_rule_dialect_override_runs_on_spark_only(
    sample_workspace: Path, spark_engine: dict[str, Any], tmp_path: Path
) -> None:
    """A rule's `<id>.spark.sql` is what Spark runs (no translation); DuckDB keeps the body.

    The override here is the shipped untagged-cost rule translated once, with one visible
    change in a text column, so the findings tell which SQL ran on which engine."""
    from gcfinops.sqlengine.transpile import parse_duckdb, to_spark

    root = Path(shutil.copytree(sample_workspace, tmp_path / "ws"))
    source = (REPO / "rules" / "hygiene" / "untagged-cost.sql").read_text(encoding="utf-8")
    (root / "myrules").mkdir()
    (root / "myrules" / "untagged-cost.sql").write_text(source, encoding="utf-8")
    body = source.split("--- */", 1)[1]
    tree = parse_duckdb(body)
    assert tree is not None
    spark_sql = to_spark(tree).replace("THEN 'system' END", "THEN 'system [spark]' END")
    assert ":as_of" in spark_sql and "[spark]" in spark_sql
    (root / "myrules" / "untagged-cost.spark.sql").write_text(spark_sql, encoding="utf-8")
    config = (root / "gcfinops.toml").read_text(encoding="utf-8")
    (root / "gcfinops.toml").write_text(
        '[rules]\npaths = ["myrules"]\n[rules.untagged-cost]\noverride = true\n\n' + config,
        encoding="utf-8",
    )
    texts = {}
    for name in ("duckdb", "spark"):
        engine.analyze(_ctx(root, spark_engine, name), rule_ids=["untagged-cost"])
        texts[name] = {str(f["recommendation"]) for f in _findings(root)}
    assert any("system [spark]" in t for t in texts["spark"])
    assert not any("[spark]" in t for t in texts["duckdb"])
