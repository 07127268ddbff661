"""The shipped sample: every clean month explained, the planted line found; real samples clean."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from gcfinops import api
from gcfinops.cli import app
from gcfinops.db import connect
from gcfinops.errors import NoDataError
from gcfinops.inspection import pack
from gcfinops.lake import lake_view_sql
from gcfinops.workspace import Workspace

SAMPLES = Path(__file__).resolve().parents[2] / "sample_billing"
EXPECTED = json.loads((SAMPLES / "expected_findings.json").read_text(encoding="utf-8"))
PLANTED = EXPECTED["inspection"]["mispriced"]
PROVIDERS = ("AWS", "Microsoft", "Google Cloud")
MONTHS = [f"{y}-{m:02d}" for y, m in [(2024 + (i + 3) // 12, (i + 3) % 12 + 1) for i in range(24)]]


@pytest.fixture(scope="module")
def sample_ws(
    tmp_path_factory: pytest.TempPathFactory, sample_lake_copy: Callable[[Path], Path]
) -> Path:
    return sample_lake_copy(tmp_path_factory.mktemp("sample") / "ws")


def test_every_clean_sample_month_is_explained(sample_ws: Path) -> None:
    numbers = []
    for provider in PROVIDERS:
        for month in MONTHS:
            result = api.inspect(month, workspace=sample_ws, provider=provider)
            t = result.total
            assert t.recomputed + sum(t.causes.values()) == t.billed
            numbers.append((provider, month, result.status, t.unexplained))
            planted = provider == "AWS" and month == PLANTED["month"]
            assert result.status == ("unexplained" if planted else "ok"), (provider, month)
            if not planted:
                assert t.unexplained == 0
                assert abs(t.causes["rounding"]) <= result.line_tolerance * t.lines


def test_planted_line_found_with_file_and_row(sample_ws: Path) -> None:
    result = api.inspect(PLANTED["month"], workspace=sample_ws, ward=PLANTED["ward"],
                         provider="AWS")  # fmt: skip
    assert result.status == "unexplained"
    (line,) = result.unexplained_lines
    assert line.source_file.endswith(PLANTED["source_file"])
    assert line.source_row == PLANTED["source_row"]
    assert line.resource_id == PLANTED["resource_id"]
    assert line.difference == Decimal("0.1")
    # The row really is that line of the file (CSV line = row + 1).
    with gzip.open(SAMPLES / PLANTED["source_file"], "rt", encoding="utf-8") as f:
        text = f.read().splitlines()
    assert PLANTED["resource_id"] in text[PLANTED["source_row"]]
    assert ",0.404," in text[PLANTED["source_row"]]
    # Other wards of the same month are clean.
    for ward in ("131121", "131237"):
        assert api.inspect(PLANTED["month"], workspace=sample_ws, ward=ward,
                           provider="AWS").status == "ok"  # fmt: skip


def test_cli_exit_1_names_file_and_row(sample_ws: Path) -> None:
    res = CliRunner().invoke(
        app,
        ["-w", str(sample_ws), "inspect", "--month", PLANTED["month"], "--ward", "chiyoda",
         "--provider", "AWS", "--format", "json"],
    )  # fmt: skip
    assert res.exit_code == 1, res.output
    data = json.loads(res.stdout, parse_float=Decimal)
    assert data["status"] == "unexplained"
    assert data["unexplained_lines"][0]["source_row"] == PLANTED["source_row"]


def test_vendor_report_one_wrong_figure(sample_ws: Path) -> None:
    wrong = EXPECTED["inspection"]["vendor_report"]
    checked = api.inspect_vendor_report(SAMPLES / wrong["file"], workspace=sample_ws)
    assert checked.status == "differs"
    bad = [r for r in checked.rows if not r.ok]
    assert [(r.month, r.scope.split(" / ")[-1]) for r in bad] == [
        (wrong["month"], wrong["service"])
    ]
    diff = bad[0].difference
    assert diff is not None and abs(diff - Decimal(str(wrong["difference"]))) < Decimal("0.005")
    res = CliRunner().invoke(
        app, ["-w", str(sample_ws), "inspect", "--vendor-report", str(SAMPLES / wrong["file"])]
    )
    assert res.exit_code == 1


def test_vendor_report_bad_cell_names_file_and_line(sample_ws: Path, tmp_path: Path) -> None:
    bad = tmp_path / "vendor.csv"
    bad.write_bytes(
        'month,amount,currency\n2026-01,"△1,000千円",JPY\n2026-13,12,JPY\n'.encode("cp932")
    )
    res = CliRunner().invoke(app, ["-w", str(sample_ws), "inspect", "--vendor-report", str(bad)])
    assert res.exit_code == 2
    assert f"{bad}:3" in res.output or f"{bad}:3" in res.stderr


def test_xlsx_pack_reads_back(sample_ws: Path) -> None:
    result = api.inspect(PLANTED["month"], workspace=sample_ws, ward="chiyoda", provider="AWS")
    wb = load_workbook(io.BytesIO(pack.to_xlsx(result, "ja")))
    assert wb.sheetnames == ["検収調書", "サービス別", "説明できない明細", "元ファイル"]
    cover = {r[0].value: r[1].value for r in wb["検収調書"].iter_rows() if r[0].value}
    assert cover["対象月"] == PLANTED["month"]
    assert cover["検収結果"].startswith("不適合")
    assert "印" in cover
    lines = list(wb["説明できない明細"].iter_rows(min_row=2, values_only=True))
    assert lines[0][1] == PLANTED["source_row"] and lines[0][2] == PLANTED["resource_id"]
    assert (lines[0][7], lines[0][8], lines[0][9]) == (PLANTED["recomputed"], 1, "Hours")
    sources = list(wb["元ファイル"].iter_rows(min_row=2, values_only=True))
    assert sources and all(len(s[1]) == 64 for s in sources)
    en = load_workbook(io.BytesIO(pack.to_xlsx(result, "en")))
    assert en.sheetnames[0] == "Inspection"


def test_no_data_is_exit_2(sample_ws: Path) -> None:
    with pytest.raises(NoDataError):
        api.inspect("2020-01", workspace=sample_ws, provider="AWS")


REAL_SAMPLES = [
    ("aws", "test_cur.csv"), ("aws", "2023-06-01.csv"), ("aws", "2022-07-01-alt-columns.csv"),
    ("aws", "sample-anonymous-aws-export-dataset.csv"),
    ("azure", "EA_ActualCost_Small.csv"), ("azure", "EA_AmortizedCost_Small.csv"),
    ("azure", "azure_camelCased.csv"), ("azure", "azure_version_2.csv"),
    ("azure", "camel_azure_version_2.csv"), ("azure", "sample-anonymous-ea-export-dataset.csv"),
    ("azure", "costreport_a243c6f2-199f-4074-9a2c-40e671cf1584.csv"),
    ("gcp", "202011_30c31bca571d9b7f3b2c8459dd8bc34a_2020-11-08_2020-11-11.csv"),
    ("gcp", "2022-08-01_5.csv"), ("oci", "reports_cost-csv_0000000030000269.csv"),
    ("focus", "focus_sample.csv"),
]  # fmt: skip


@pytest.mark.parametrize("parts", REAL_SAMPLES, ids=lambda p: "/".join(p))
def test_real_samples_are_explained(
    parts: tuple[str, str], shared_data: Callable[..., Path], tmp_path: Path
) -> None:
    path = shared_data(*parts)
    api.ingest([path], workspace=tmp_path)
    con = connect()
    scopes = con.execute(
        f"SELECT DISTINCT strftime(BillingPeriodStart, '%Y-%m'), ProviderName "
        f"FROM ({lake_view_sql(Workspace.resolve(tmp_path))}) ORDER BY 1, 2"
    ).fetchall()
    con.close()
    assert scopes
    for month, provider in scopes:
        result = api.inspect(month, workspace=tmp_path, provider=provider)
        t = result.total
        assert t.recomputed + sum(t.causes.values()) == t.billed
        assert result.status == "ok", (parts, month, result.unexplained_lines[:3])


def test_demo_step_shows_the_planted_month(
    sample_ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gcfinops.cli.inspection import demo_inspect

    demo_inspect(sample_ws, SAMPLES)
    printed = capsys.readouterr().out
    assert "不適合" in printed and str(PLANTED["source_row"]) in printed
    assert PLANTED["resource_id"] in printed
    assert "✗" in printed  # the vendor report's wrong figure
