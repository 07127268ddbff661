"""`gcfinops export focus`: exactly the FOCUS columns of the version, atomic, exit 2 on bad asks."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from gcfinops import api, schema
from gcfinops.cli import app
from gcfinops.errors import ConfigError, NoDataError

FIXTURES = Path(__file__).resolve().parent / "adapters" / "fixtures"
CUR2 = FIXTURES / "aws-cur2" / "cur2_lines.csv"
AZURE = FIXTURES / "azure-cost-details" / "ea_actual.csv"


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding the AWS fixture (2025-04, 2025-05) and an Azure EA file."""
    root = tmp_path_factory.mktemp("export")
    api.ingest([CUR2, AZURE], workspace=root)
    return root


def columns_of(path: Path) -> list[str]:
    con = duckdb.connect()
    names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM '{path.as_posix()}'").fetchall()]
    con.close()
    return names


@pytest.mark.parametrize("version", schema.FOCUS_VERSIONS)
def test_parquet_has_exactly_the_version_columns_in_spec_order(
    ws: Path, tmp_path: Path, version: str
) -> None:
    out = tmp_path / "focus.parquet"
    result = api.export_focus(out, workspace=ws, version=version)
    expected = [c.name for c in schema.focus_columns(version)]
    assert columns_of(out) == expected == result.columns
    assert expected == sorted(expected)  # the spec orders columns by id
    assert len(expected) == {"1.2": 57, "1.3": 65}[version]
    assert not [c for c in expected if c.startswith("x_")]


def test_1_3_adds_provider_names_and_keeps_the_deprecated_ones(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "focus13.parquet"
    api.export_focus(out, workspace=ws, version="1.3", providers=["aws"])
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT DISTINCT ProviderName, ServiceProviderName, HostProviderName, PublisherName, "
        f"AllocatedMethodId FROM '{out.as_posix()}' ORDER BY ALL"
    ).fetchall()
    con.close()
    assert ("AWS", "AWS", "AWS", "Red Hat, Inc.", None) in rows
    assert all(r[1] == r[0] for r in rows)


def test_extensions_only_when_asked_and_after_the_focus_columns(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "ext.parquet"
    api.export_focus(out, workspace=ws, with_extensions=True)
    names = columns_of(out)
    focus = [c.name for c in schema.focus_columns("1.2")]
    assert names == focus + [c.name for c in schema.EXTENSION_COLUMNS]


def test_csv_has_focus_datetimes_and_json_tags(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "focus.csv"
    result = api.export_focus(out, workspace=ws, providers=["aws"], periods=["2025-04"])
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == result.rows == 22  # 20 source rows + 2 unused-commitment rows
    assert {r["BillingPeriodStart"] for r in rows} == {"2025-04-01T00:00:00Z"}
    tagged = next(r for r in rows if r["Tags"])
    assert json.loads(tagged["Tags"])["ward"] in {"setagaya", "131121"}
    assert list(rows[0]) == [c.name for c in schema.focus_columns("1.2")]


def test_selection_by_period_and_provider(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "may.parquet"
    result = api.export_focus(out, workspace=ws, periods=["2025-05"], providers=["AWS"])
    assert (result.rows, result.periods, result.providers) == (2, ["2025-05"], ["aws"])


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"version": "1.4"}, ConfigError, "unknown FOCUS version '1.4'"),
        ({"periods": ["2025-13"]}, ConfigError, "YYYY-MM"),
        ({"periods": ["2030-01"]}, NoDataError, "no period 2030-01"),
        ({"providers": ["oci"]}, NoDataError, "no provider oci"),
    ],
)
def test_bad_asks_are_errors_and_write_nothing(
    ws: Path, tmp_path: Path, kwargs: dict[str, object], error: type[Exception], text: str
) -> None:
    out = tmp_path / "x.parquet"
    with pytest.raises(error, match=text):
        api.export_focus(out, workspace=ws, **kwargs)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_empty_selection_keeps_the_previous_file(ws: Path, tmp_path: Path) -> None:
    """Azure has no 2025-05: no rows, exit 2, and the earlier export is untouched."""
    out = tmp_path / "keep.csv"
    out.write_text("previous\n", encoding="utf-8")
    azure_periods = api.export_focus(tmp_path / "az.csv", workspace=ws, providers=["azure"])
    assert "2025-05" not in azure_periods.periods
    with pytest.raises(NoDataError, match="no lake rows match"):
        api.export_focus(out, workspace=ws, providers=["azure"], periods=["2025-05"])
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["az.csv", "keep.csv"]


def test_unknown_extension_is_refused(ws: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\.parquet or \.csv"):
        api.export_focus(tmp_path / "x.json", workspace=ws)


def test_cli_writes_and_exits_2_on_bad_version(ws: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "cli.parquet"
    ok = runner.invoke(
        app, ["-w", str(ws), "export", "focus", "--version", "1.3", "-o", str(out), "--lang", "en"]
    )
    assert ok.exit_code == 0, ok.output
    assert "Wrote FOCUS 1.3" in ok.stderr and "65 columns" in ok.stderr
    bad = runner.invoke(app, ["-w", str(ws), "export", "focus", "--version", "2.0", "-o", "y.csv"])
    assert bad.exit_code == 2
    assert "unknown FOCUS version '2.0'" in bad.stderr


def test_empty_lake_is_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["-w", str(tmp_path), "export", "focus", "-o", "z.parquet"])
    assert res.exit_code == 2
    assert "lake is empty" in res.stderr


def test_version_sets_come_from_the_schema_metadata() -> None:
    """1.3 = 1.2 + the eight 1.3 columns; ProviderName/PublisherName deprecated, still there."""
    v12 = {c.name for c in schema.focus_columns("1.2")}
    v13 = {c.name for c in schema.focus_columns("1.3")}
    assert v13 - v12 == {c.name for c in schema.FOCUS_13_ONLY_COLUMNS}
    assert v12 == {c.name for c in schema.FOCUS_COLUMNS}
    assert {c.name for c in schema.FOCUS_COLUMNS if c.deprecated == "1.3"} == {
        "ProviderName",
        "PublisherName",
    }
