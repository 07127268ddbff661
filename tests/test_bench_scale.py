"""bench/scale.py's cost model: the Spark rate it extrapolates from (not a timed test)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def scale() -> ModuleType:
    if not (BENCH / "scale.py").exists():
        pytest.skip("bench/ is not in this checkout (installed package)")
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_scale", BENCH / "scale.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


def _run(rows: int, analyze_s: float, report_s: float) -> dict[str, object]:
    return {"rows": rows, "steps": {"analyze/spark": {"wall_s": analyze_s},
                                    "report/spark": {"wall_s": report_s}}}  # fmt: skip


def test_spark_rate_is_marginal_between_the_two_largest_sizes(scale: ModuleType) -> None:
    # 50 s fixed + 10 s per million lines: the marginal rate is 100,000 lines/s (50,000 a core),
    # the average at 16M only 76,190 lines/s
    runs = [_run(n, 30 + n / 1e6 * 7, 20 + n / 1e6 * 3) for n in (16_000_000, 1_000_000, 8_000_000)]
    assert scale.spark_lines_per_core(runs) == pytest.approx(50_000)


def test_one_spark_size_gives_its_average(scale: ModuleType) -> None:
    assert scale.spark_lines_per_core([_run(2_000_000, 30, 10)]) == pytest.approx(25_000)
    assert scale.spark_lines_per_core([]) == 0.0
