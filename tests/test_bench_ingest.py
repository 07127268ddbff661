"""bench/ingest.py stays usable: its CUR 2.0 month ingests and reconciles, its report adds up.

Not a timed test (speed is measured by running the benchmark, see docs/performance.md): these
check that the generated file is valid input for the `aws-cur2` adapter as it evolves, that the
rendering computes the ratios the doc quotes, and that the ingest's DuckDB settings exist.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from gcfinops import api
from gcfinops.db import connect
from gcfinops.ingest import STREAMING_SETTINGS

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    if not (BENCH / "ingest.py").exists():
        pytest.skip("bench/ is not in this checkout (installed package)")
    had_common = "common" in sys.modules
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_ingest", BENCH / "ingest.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_ingest"] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))
        if not had_common:
            sys.modules.pop("common", None)  # bench/common.py: not to shadow anything else


@pytest.fixture(scope="module")
def month(bench: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = bench.generate(tmp_path_factory.mktemp("bench") / "cur2-2000.csv", 2000)
    return path


def test_generated_month_shape(month: Path) -> None:
    con = duckdb.connect()
    rel = f"read_csv('{month}', all_varchar = true)"
    columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()]
    assert len(columns) == 59
    assert columns == sorted(columns)  # the Data Exports console order
    counts = dict(
        con.execute(f"SELECT line_item_line_item_type, count(*) FROM {rel} GROUP BY ALL").fetchall()
    )
    # per 200 rows 15 covered lines and their 15 negations; rows 200, 400 and 600 are the
    # Tax, Credit and SavingsPlanRecurringFee lines of the first 100,000
    assert counts["SavingsPlanCoveredUsage"] == counts["SavingsPlanNegation"] == 150
    assert counts["Tax"] == counts["Credit"] == counts["SavingsPlanRecurringFee"] == 1
    assert sum(counts.values()) == 2000
    first = con.execute(f"SELECT line_item_usage_start_date, product FROM {rel} LIMIT 1").fetchone()
    assert first is not None
    assert first[0] == "2025-04-01T00:00:00.000Z"
    assert first[1].startswith('{"instance_type_family":"t3"')


def test_generated_month_ingests_and_reconciles(month: Path, tmp_path: Path) -> None:
    result = api.ingest([month], workspace=tmp_path / "ws")
    (unit,) = result.units
    assert (unit.provider, unit.billing_account_id, unit.billing_period, unit.currency) == (
        "aws", "111122223333", "2025-04", "USD",
    )  # fmt: skip
    assert unit.rows_read == 2000
    assert unit.rows_folded == 150  # the SavingsPlanNegation lines
    # + the Usage row for the unused part of the SavingsPlanRecurringFee (FOCUS Unused)
    assert (unit.rows_written, unit.rows_generated) == (1851, 1)
    assert unit.billed_written == pytest.approx(unit.billed_read, abs=0.01)


def test_render_ratios(bench: ModuleType) -> None:
    def result(contender: str, wall: float, cpu: float) -> object:
        return bench.Result(
            rows=1_000_000, file="x.csv", file_bytes=1 << 30, contender=contender, wall_s=wall,
            cpu_s=cpu, peak_rss=1 << 30, load=0.5, out_bytes=1 << 20, rows_out=1_000_000,
            status="ok", walls=[wall],
        )  # fmt: skip

    text = bench.render([
        result("gcfinops", 20.0, 20.0), result("duckdb-raw", 5.0, 8.0),
        result("pandas", 8.0, 8.0), result("pandas-arrow", 4.0, 10.0),
    ])  # fmt: skip
    # rows/s ratios: 5/20, 8/20, 4/20; per CPU-second 8/20
    assert "| 1,000,000 | x.csv | 0.25× | 0.40× | 0.20× | 0.40× |" in text
    assert "| 1,000,000 | x.csv (1.0 GiB) | gcfinops | 20.0 | 50,000 | 20.0 | 1.0 GiB |" in text


def test_best_of_repeats(bench: ModuleType) -> None:
    def result(wall: float | None, rss: int, status: str = "ok") -> object:
        return bench.Result(rows=10, file="x", file_bytes=1, contender="c", wall_s=wall,
                            cpu_s=wall, peak_rss=rss, load=0.0, out_bytes=1, rows_out=10,
                            status=status, walls=[wall] if wall else [])  # fmt: skip

    top = bench.best([result(3.0, 100), result(2.0, 50), result(None, 900, "exit 1")])
    assert (top.wall_s, top.peak_rss, top.walls) == (2.0, 900, [3.0, 2.0])
    assert top.status.startswith("ok (1 of 3 failed")


def test_append_docs_keeps_other_sections(
    bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\n## Machine\n\nm\n\n## ingest\n\nold\n\n## analyze\n\na\n")
    monkeypatch.setattr(bench, "DOCS", doc)
    bench.append_docs("### Run X\n\nnew\n", {"CPU": "c"})
    assert doc.read_text() == (
        "# Performance\n\n## Machine\n\nm\n\n## ingest\n\nold\n\n### Run X\n\nnew\n"
        "\n## analyze\n\na\n"
    )


def test_streaming_settings_exist_in_this_duckdb() -> None:
    """The ingest suppresses errors from these (a DuckDB without them is only slower): make sure
    the DuckDB we ship with still has them, so memory stays flat (docs/performance.md)."""
    con = connect()
    for statement in STREAMING_SETTINGS:
        con.execute(statement)
    row = con.execute(
        "SELECT current_setting('disabled_optimizers'), "
        "current_setting('partitioned_write_flush_threshold'), current_setting('memory_limit')"
    ).fetchone()
    assert row is not None
    assert "build_side_probe_side" in str(row[0]).lower()
    assert int(row[1]) == 16384
    amount, unit = str(row[2]).split()
    assert unit == "MiB" and 500 < float(amount) < 1024  # the process must stay under 1 GiB
