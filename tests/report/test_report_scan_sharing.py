"""A report reads the lake once, for every ward and section (issue #16 item 5, report.lakescan).

The lake reads are counted by wrapping the session's connection (every statement that reads
the view `lake`); the numbers are compared with the per-line SQL the pass replaced.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

import gcfinops.sqlengine as sqlengine
from gcfinops import api
from gcfinops.db import session
from gcfinops.lake import lake_view_sql
from gcfinops.report import cloud, lakescan
from gcfinops.workspace import Workspace
from report import lake

READS_LAKE = re.compile(r"\b(FROM|JOIN)\s+lake\b", re.IGNORECASE)


class Counting:
    """A DuckDB connection that records the statements reading the lake."""

    def __init__(self, con: Any, log: list[str]) -> None:
        self._con = con
        self._log = log

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def execute(self, query: str, parameters: Any = None) -> Any:
        if READS_LAKE.search(query):
            self._log.append(query)
        return self._con.execute(query, parameters)

    def sql(self, query: str, **kw: Any) -> Any:
        if READS_LAKE.search(query):
            self._log.append(query)
        return self._con.sql(query, **kw)


@pytest.fixture
def lake_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements that read the lake during the test (report sessions only)."""
    log: list[str] = []
    original = sqlengine.duckdb_session

    @contextmanager
    def counted(**kw: Any) -> Iterator[Any]:
        with original(**kw) as con:
            yield Counting(con, log)

    monkeypatch.setattr(sqlengine, "duckdb_session", counted)
    return log


def _numbers(data: Any) -> dict[str, tuple[float | None, ...]]:
    return {
        w.ward: (
            w.actual_to_date_jpy,
            w.cloud_to_date_jpy,
            w.forecast_jpy,
            w.previous_fy_total_jpy,
            w.untagged_cloud_jpy,
            *(m.cloud_jpy for m in w.by_month),
            *(s.fy_to_date_jpy for s in w.by_service),
        )
        for w in data.wards
    }


def _more_wards(src: Path, dst: Path, n: int) -> Path:
    """The fixed workspace plus `n` wards with a cloud line each month (another account)."""
    shutil.copytree(src, dst)
    rows = [
        lake.lake_row(f"2025-{m:02d}", 1_000.0 * (i + 1), x_Ward=code, BillingAccountId="4444")
        for i, code in enumerate(["131041", "131059", "131067", "131075", "131083"][:n])
        for m in range(4, 10)
    ]
    extra = dst / "extra"
    lake.write_lake(extra, rows)
    for f in (extra / "lake").rglob("*.parquet"):
        target = dst / f.relative_to(extra).parent / "part-extra.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(f, target)
    shutil.rmtree(extra)
    return dst


def test_a_report_for_all_wards_reads_the_lake_once(fixed_ws: Path, lake_reads: list[str]) -> None:
    data = api.report("all", workspace=fixed_ws, as_of=lake.AS_OF)
    assert len(data.wards) == 2
    assert len(lake_reads) == 1, lake_reads
    assert "GROUPING SETS" in lake_reads[0]


def test_lake_reads_do_not_grow_with_wards(
    fixed_ws: Path, tmp_path: Path, lake_reads: list[str]
) -> None:
    bigger = _more_wards(fixed_ws, tmp_path / "ws", 5)
    for ws, wards in ((fixed_ws, 2), (bigger, 7)):
        for as_of in (lake.AS_OF, None):
            lake_reads.clear()
            data = api.report("all", workspace=ws, as_of=as_of)
            assert len(data.wards) == wards
            assert len(lake_reads) == 1, (ws, as_of, lake_reads)
    lake_reads.clear()
    api.report("世田谷区", workspace=bigger, as_of=lake.AS_OF)
    assert len(lake_reads) == 1


def test_a_multi_year_report_reads_the_lake_once(fixed_ws: Path, lake_reads: list[str]) -> None:
    data = api.report("all", workspace=fixed_ws, as_of=lake.AS_OF, years=2)
    assert len(data.wards[0].trajectory) == 2  # two fiscal years computed
    assert len(lake_reads) == 1


def test_every_ward_of_all_equals_its_own_report(fixed_ws: Path, tmp_path: Path) -> None:
    ws = _more_wards(fixed_ws, tmp_path / "ws", 3)
    together = _numbers(api.report("all", workspace=ws, as_of=lake.AS_OF))
    assert len(together) == 5
    for code, numbers in together.items():
        alone = _numbers(api.report(code, workspace=ws, as_of=lake.AS_OF))
        assert alone == {code: pytest.approx(numbers)}


def _cloud_raw(ws: Path, stamp: datetime, *, from_pass: bool, pass_stamp: datetime | None) -> Any:
    with session() as con:
        con.execute(f"CREATE TEMP VIEW lake AS {lake_view_sql(Workspace(ws))}")
        con.execute("CREATE TEMP TABLE gcf_selected (ward VARCHAR)")
        lakescan.build(con, "BilledCost", pass_stamp)
        cloud.load_cloud(
            con, Workspace(ws), 2025, stamp, cost_column="BilledCost", tax_basis="included",
            rules=(), from_pass=from_pass,
        )  # fmt: skip
        return sorted(
            con.execute(
                "SELECT * EXCLUDE (amount, weight), round(amount, 6), round(weight, 6) "
                "FROM gcf_cloud_raw"
            ).fetchall(),
            key=repr,
        )


@pytest.mark.parametrize("pass_stamp", [None, datetime(2025, 9, 15, tzinfo=UTC)])
def test_the_pass_gives_the_rows_of_the_per_line_filter(
    fixed_ws: Path, pass_stamp: datetime | None
) -> None:
    stamp = pass_stamp or datetime(2025, 10, 1, tzinfo=UTC)
    direct = _cloud_raw(fixed_ws, stamp, from_pass=False, pass_stamp=None)
    shared = _cloud_raw(fixed_ws, stamp, from_pass=True, pass_stamp=pass_stamp)
    assert direct and shared == direct


def test_a_line_after_the_default_as_of_falls_back_to_the_per_line_filter(
    tmp_path: Path, lake_reads: list[str]
) -> None:
    """An hourly line sets as_of to 2025-09-30 01:00; October's monthly line starts after it,
    so the pass (grouped without the stamp) cannot tell it apart: the lake is read again."""
    ws = tmp_path / "ws"
    lake.build(ws)
    start = datetime(2025, 9, 30, tzinfo=UTC)
    rows = [
        *lake.lake_rows(),
        lake.lake_row(
            "2025-09", 1_000.0, x_Ward="131121",
            ChargePeriodStart=start, ChargePeriodEnd=start.replace(hour=1),
        ),
        lake.lake_row("2025-10", 555.0, x_Ward="131121"),
    ]  # fmt: skip
    shutil.rmtree(ws / "lake")
    lake.write_lake(ws, rows)
    data = api.report("131121", workspace=ws)
    assert data.as_of == datetime(2025, 9, 30, 1, tzinfo=UTC)
    assert len(lake_reads) == 2  # the pass, then the per-line filter
    october = next(m for m in data.wards[0].by_month if m.month == "2025-10")
    assert october.cloud_jpy is None  # future: October's line is after as_of
    assert data.wards[0].cloud_to_date_jpy == pytest.approx(765_000 + 1_000)
    assert data.as_of.date() < date(2025, 10, 1)


def test_all_ward_queries_give_each_ward_the_rows_of_its_own_query(
    fixed_ws: Path, tmp_path: Path
) -> None:
    """`report.batch`: the measures, months, services and findings of every ward from one
    query each equal the per-ward queries (the path the batch replaced)."""
    from gcfinops.context import Context
    from gcfinops.report import sections
    from gcfinops.report.batch import WardRows
    from gcfinops.report.data import build_report
    from gcfinops.report.measures import ward_measures
    from gcfinops.report.period import register_months
    from gcfinops.report.settings import load_settings

    ws = _more_wards(fixed_ws, tmp_path / "ws", 3)
    ctx = Context.of(Workspace(ws))
    with session() as con:
        con.execute(f"CREATE TEMP VIEW lake AS {lake_view_sql(ctx.workspace)}")
        data = build_report(
            ctx.workspace, con, "all", ctx.wards, load_settings({}), as_of=lake.AS_OF
        )
        period = register_months(con, data.fiscal_year, data.as_of, "2024-04", 3)
        batch = WardRows(con)
        codes = [w.ward for w in data.wards]
        assert len(codes) == 5
        for code in codes:
            for group in ("c.ward", "c.cost_item", "c.business_system", "c.source"):
                one = ward_measures(con, period, group, code)
                assert one and ward_measures(con, period, group, code, batch) == one
            assert sections.months(con, period, code, 1.0, None, batch) == sections.months(
                con, period, code, 1.0, None
            )
            assert sections.services(con, period, code, batch) == sections.services(
                con, period, code
            )
            assert sections.findings(con, code, 2, True, batch) == sections.findings(
                con, code, 2, True
            )


def test_the_pass_translates_to_spark_sql() -> None:
    pytest.importorskip("sqlglot")
    from gcfinops.sqlengine.transpile import parse_duckdb, to_spark

    tree = parse_duckdb(lakescan._AGG_SQL.format(cost="BilledCost"))
    assert tree is not None
    spark = to_spark(tree)
    assert "UNIX_MICROS(L.CHARGEPERIODEND)" in spark.upper()
    assert "EPOCH_US" not in spark.upper()
    assert "GROUPING SETS" in spark and ":stamp" in spark


class CountingAll(Counting):
    """A DuckDB connection that records every statement."""

    def execute(self, query: str, parameters: Any = None) -> Any:
        self._log.append(query)
        return self._con.execute(query, parameters)

    def sql(self, query: str, **kw: Any) -> Any:
        self._log.append(query)
        return self._con.sql(query, **kw)


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement of the report sessions during the test."""
    log: list[str] = []
    original = sqlengine.duckdb_session

    @contextmanager
    def counted(**kw: Any) -> Iterator[Any]:
        with original(**kw) as con:
            yield CountingAll(con, log)

    monkeypatch.setattr(sqlengine, "duckdb_session", counted)
    return log


def test_statements_of_a_report_for_all_wards_do_not_grow_with_wards(
    fixed_ws: Path, tmp_path: Path, statements: list[str]
) -> None:
    """Finance, targets, budget, savings, findings by rule, FX scenarios and the cross-ward
    vendors run one statement for every ward (`report.batch`), not one a ward: 1,788
    municipalities cost what 2 wards cost in statements."""
    bigger = _more_wards(fixed_ws, tmp_path / "ws", 5)
    counts = []
    for ws, wards in ((fixed_ws, 2), (bigger, 7)):
        statements.clear()
        data = api.report("all", workspace=ws, as_of=lake.AS_OF, fx_scenario="140,160")
        assert len(data.wards) == wards
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
