"""`gcfinops report`, `baseline import`, `costs import`, `fx set|import|list` through the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gcfinops.cli import app
from report import lake

AS_OF = ["--as-of", lake.AS_OF.isoformat()]


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lake.build(tmp_path_factory.mktemp("cli") / "ws")


def _run(runner: CliRunner, ws: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["-w", str(ws), *args])


def flat(text: str) -> str:
    """stderr without the console's line wrapping."""
    return " ".join(text.split())


def test_report_json_parses_and_has_the_ward(runner: CliRunner, ws: Path) -> None:
    result = _run(runner, ws, "report", "--ward", "setagaya", "--format", "json", *AS_OF)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["wards"][0]["ward"] == "131121"
    assert doc["wards"][0]["forecast_jpy"] == 3_435_000


def test_report_table_is_japanese_by_default(runner: CliRunner, ws: Path) -> None:
    result = _run(runner, ws, "report", "--ward", "世田谷区", *AS_OF)
    assert result.exit_code == 0, result.stderr
    assert "世田谷区 標準化対象システムの運用経費の状況（令和7年度）" in result.stdout
    assert "3,435,000" in result.stdout and "（単位：円）" in result.stdout  # 円 in the terminal
    english = _run(
        runner, ws, "report", "--ward", "131121", "--lang", "en", "--unit", "thousand", *AS_OF
    )
    assert "FY2025" in english.stdout and "3,435" in english.stdout
    assert "(in thousands of yen)" in english.stdout


@pytest.mark.parametrize("suffix", ["html", "xlsx", "csv", "md", "json"])
def test_output_file_format_follows_the_extension(
    runner: CliRunner, ws: Path, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"r.{suffix}"
    result = _run(runner, ws, "report", "--ward", "131121", "-o", str(out), *AS_OF)
    assert result.exit_code == 0, result.stderr
    assert "書き出しました" in result.stderr and out.name in result.stderr
    data = out.read_bytes()
    if suffix == "xlsx":
        import openpyxl

        assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames[0] == "概要"
    elif suffix == "csv":
        assert data.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    elif suffix == "html":
        assert data.startswith(b"<!DOCTYPE html>")
    assert not list(tmp_path.glob(".r.*.tmp"))


def test_xlsx_to_a_pipe_writes_bytes(runner: CliRunner, ws: Path) -> None:
    result = _run(runner, ws, "report", "--ward", "131121", "--format", "xlsx", *AS_OF)
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"PK")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "--format must be one of"),
        (["--lang", "fr"], "--lang must be ja or en"),
        (["--unit", "man"], "--unit must be yen or thousand"),
        (["--as-of", "yesterday"], "--as-of must be a date"),
        (["--ward", "atlantis"], "unknown ward 'atlantis'"),
        (["--fy", "2030"], "no data for fiscal year 2030"),
    ],
)
def test_bad_options_exit_2_with_a_message(
    runner: CliRunner, ws: Path, args: list[str], message: str
) -> None:
    result = _run(runner, ws, "report", *args)
    assert result.exit_code == 2
    assert message in flat(result.stderr) and "Error:" in result.stderr
    assert result.stdout == ""


def test_missing_fx_rate_exits_2_naming_month_and_currency(
    runner: CliRunner, tmp_path: Path
) -> None:
    ws = lake.build(tmp_path / "ws", fx=False)
    result = _run(runner, ws, "report", "--ward", "131121", *AS_OF)
    assert result.exit_code == 2
    assert "USD in 2025-09" in flat(result.stderr)
    assert "gcfinops fx set 2025-09 USD" in flat(result.stderr)
    fixed = _run(runner, ws, "fx", "set", "2025-09", "USD", "150", "--source", "test TTM")
    assert fixed.exit_code == 0, fixed.stderr
    assert _run(runner, ws, "report", "--ward", "131121", *AS_OF).exit_code == 0


def test_fx_set_list_and_import(runner: CliRunner, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert (
        _run(runner, ws, "fx", "set", "2025-04", "USD", "149.5", "--source", "MUFG TTM").exit_code
        == 0
    )
    bad = _run(runner, ws, "fx", "set", "2025-04", "usd", "0", "--source", "x")
    assert bad.exit_code == 2 and "currency" in bad.stderr and "rate_jpy" in flat(bad.stderr)
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "month,currency,rate_jpy,source\n2025-05,USD,150.25,invoice\n", encoding="utf-8"
    )
    assert _run(runner, ws, "fx", "import", str(rates)).exit_code == 0
    listed = json.loads(_run(runner, ws, "fx", "list", "--format", "json").stdout)
    assert [(r["month"], r["rate_jpy"], r["source"]) for r in listed] == [
        ("2025-04", "149.5", "MUFG TTM"),
        ("2025-05", "150.25", "invoice"),
    ]
    rates.write_text("month,currency,rate_jpy,source\n2025-06,USD,abc,x\n", encoding="utf-8")
    broken = _run(runner, ws, "fx", "import", str(rates))
    assert broken.exit_code == 2 and f"{rates.name}:2" in broken.stderr


def test_baseline_and_costs_import_exit_codes(runner: CliRunner, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    good = tmp_path / "b.csv"
    good.write_text(lake.BASELINE_CSV, encoding="utf-8")
    result = _run(runner, ws, "baseline", "import", str(good))
    assert result.exit_code == 0, result.stderr
    assert "2,000,000円" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "ward,fiscal_year,cost_item,amount_jpy,basis\nnowhere,2018,x,1,決算\n", encoding="utf-8"
    )
    failed = _run(runner, ws, "baseline", "import", str(bad))
    assert failed.exit_code == 2
    assert "column 'ward'" in flat(failed.stderr) and "column 'cost_item'" in flat(failed.stderr)
    costs = tmp_path / "c.csv"
    costs.write_text(lake.COSTS_CSV, encoding="utf-8")
    assert _run(runner, ws, "costs", "import", str(costs)).exit_code == 0
    costs.write_text("ward,month,cost_item,amount_jpy\n131121,2025-13,datacenter,1\n")
    assert _run(runner, ws, "costs", "import", str(costs)).exit_code == 2


def test_init_writes_the_baseline_template(runner: CliRunner, tmp_path: Path) -> None:
    result = _run(runner, tmp_path / "ws", "init")
    assert result.exit_code == 0, result.stderr
    template = tmp_path / "ws" / "baseline_fy2018_template.csv"
    assert template.exists() and "system_operation" in template.read_text(encoding="utf-8")
    population = (tmp_path / "ws" / "population_template.csv").read_text(encoding="utf-8")
    assert population.splitlines()[0] == "ward,population,source,reference_date"
    assert "131121,943664,令和2年国勢調査" in population and len(population.splitlines()) == 24
    assert "population_template.csv に書き出しました" in result.stderr


def test_demo_step_imports_the_sample_tables_and_prints_the_report(
    runner: CliRunner, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gcfinops.cli.report import demo_report

    ws = tmp_path / "ws"
    ws.mkdir()
    lake.write_lake(ws, lake.lake_rows())
    (ws / "fx_rates.csv").write_text("month,currency,rate_jpy,source\n2025-09,USD,150,t\n")
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "baseline_fy2018.csv").write_text(lake.BASELINE_CSV, encoding="utf-8")
    (samples / "noncloud_costs.csv").write_text(lake.COSTS_CSV, encoding="utf-8")
    demo_report(ws, samples)
    out = capsys.readouterr().out
    assert "世田谷区 標準化対象システムの運用経費の状況（令和7年度）" in out
    assert "2,000,000" in out and "（単位：円）" in out  # the imported baseline
    # then the cross-ward comparison, with the shipped census population beside the figure
    assert "各区の比較：住民1人あたりの運用経費" in out and "943,664" in out


def test_handout_formats_default_to_thousand_yen_and_take_the_header_flags(
    runner: CliRunner, ws: Path, tmp_path: Path
) -> None:
    out = tmp_path / "r.md"
    flags = ["--prepared-on", "2026-04-10", "--document-number", "資料3"]
    result = _run(runner, ws, "report", "--ward", "131121", "-o", str(out), *flags, *AS_OF)
    assert result.exit_code == 0, result.stderr
    md = out.read_text(encoding="utf-8")
    assert md.startswith("資料3  \n令和8年4月10日\n\n# 世田谷区 標準化対象システムの運用経費の状況")
    assert "（単位：千円）" in md and "| 本年度決算見込額 | 3,435 |" in md
    yen = _run(runner, ws, "report", "--ward", "131121", "--format", "md", "--unit", "yen", *AS_OF)
    assert "| 本年度決算見込額 | 3,435,000 |" in yen.stdout and "（単位：円）" in yen.stdout
    bad = _run(runner, ws, "report", "--ward", "131121", "--prepared-on", "2026/04/10", *AS_OF)
    assert bad.exit_code == 2 and "--prepared-on" in flat(bad.stderr)


def test_demo_report_language_does_not_leak_from_an_earlier_command(
    runner: CliRunner, ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gcfinops.cli.report import demo_report

    english = _run(runner, ws, "report", "--ward", "131121", "--lang", "en", *AS_OF)
    assert english.exit_code == 0 and "FY2025" in english.stdout
    samples = tmp_path / "samples"
    samples.mkdir()
    demo_report(ws, samples, ward="131121")  # no --lang of its own: Japanese
    assert "世田谷区 標準化対象システムの運用経費の状況（令和7年度）" in capsys.readouterr().out
