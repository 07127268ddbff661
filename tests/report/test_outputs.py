"""Formats of the report: HTML escaping, formula neutralization, XLSX read back, terminal text."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gcfinops import api, report
from gcfinops.report.i18n import Fmt, messages
from gcfinops.report.model import ReportData
from gcfinops.report.safety import FORMULA_START, markdown_cell, neutralize
from gcfinops.report.terminal import render_terminal
from report import lake


@pytest.fixture(scope="module")
def data(fixed_ws: Path) -> ReportData:
    return api.report("all", workspace=fixed_ws, as_of=lake.AS_OF)


def test_messages_have_the_same_keys_in_both_languages() -> None:
    assert set(messages("ja")) == set(messages("en"))


@pytest.mark.parametrize(
    ("fy", "lang", "label"),
    [
        (2018, "ja", "2018年度 (平成30年度)"),
        (2019, "ja", "2019年度 (令和元年度)"),
        (2025, "ja", "2025年度 (令和7年度)"),
        (2025, "en", "FY2025"),
    ],
)
def test_fiscal_year_labels(fy: int, lang: str, label: str) -> None:
    assert Fmt(lang).fy(fy) == label  # type: ignore[arg-type]


def test_yen_formats_in_japanese_and_english() -> None:
    assert Fmt("ja").yen(-54_317) == "△54,317円"
    assert Fmt("ja", "thousand").yen(1_234_567) == "1,235千円"
    assert Fmt("en").yen(-54_317) == "-¥54,317"
    assert Fmt("ja").ratio(2.314) == "×2.31"


@given(st.text(max_size=30))
def test_neutralize_never_leaves_a_formula_start(text: str) -> None:
    out = neutralize(text)
    assert not out.startswith(FORMULA_START)
    assert out in (text, "'" + text)


@given(st.text(max_size=30))
def test_markdown_cell_has_no_markup_or_cell_break(text: str) -> None:
    out = markdown_cell(text)
    assert "<" not in out and ">" not in out and "\n" not in out
    assert "|" not in out.replace("\\|", "")


def test_html_escapes_untrusted_text_and_loads_nothing(data: ReportData) -> None:
    html = report.render(data, "html")
    assert isinstance(html, str)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert "src=" not in html and "url(" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert html.count("<svg") == 6  # three charts per ward
    assert "@page { size: A4" in html
    assert "世田谷区 (131121)" in html and "千代田区 (131016)" in html


def test_csv_neutralizes_text_and_keeps_numbers(data: ReportData) -> None:
    text = report.render(data, "csv")
    assert isinstance(text, str)
    rows = list(csv.DictReader(io.StringIO(text)))
    hostile = [r for r in rows if "HYPERLINK" in r["row"]]
    assert hostile and all(r["row"].startswith("'=") for r in hostile)
    forecast = next(
        r
        for r in rows
        if r["ward"] == "131121" and r["section"] == "summary" and r["row"].startswith("年度末見込")
    )
    assert forecast["value"] == "3435000" and forecast["display"] == "3,435,000円"
    negative = [r for r in rows if r["value"].startswith("-")]
    assert negative, "a negative number stays a number (no apostrophe)"
    assert all(not r[k].startswith(FORMULA_START) for r in rows for k in r if k != "value")


def test_xlsx_reads_back_with_numbers_formats_charts_and_safe_text(data: ReportData) -> None:
    import openpyxl

    payload = report.render(data, "xlsx")
    assert isinstance(payload, bytes)
    wb = openpyxl.load_workbook(io.BytesIO(payload))
    assert wb.sheetnames == [
        "概要",
        "目標・予算",
        "業務別",
        "月次推移",
        "削減候補",
        "区間比較",
        "前提",
    ]
    plan = [[c.value for c in row] for row in wb["目標・予算"].iter_rows()]
    r30 = [r for r in plan if r[0] == "平成30年度比3割削減"]  # 千代田区 (600,000), 世田谷区
    assert [(r[5], r[8], r[9]) for r in r30] == [
        (700_000, -100_000, "達成"),
        (1_400_000, 2_035_000, "未達"),
    ]
    summary = wb["概要"]
    cells = {str(r[0].value): r[1] for r in summary.iter_rows(min_col=1, max_col=2) if r[0].value}
    forecast = cells["年度末見込 (ランレート)"]
    assert forecast.value == 3_435_000 and forecast.data_type == "n"
    assert "円" in forecast.number_format and "△" in forecast.number_format
    ratio = cells["基準額比 (見込)"]
    assert ratio.value == pytest.approx(1.7175) and ratio.number_format == '"×"0.00'
    texts = [
        c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    ]
    assert "'" + lake.HOSTILE_SERVICE in texts
    assert not any(t.startswith(FORMULA_START) for t in texts)
    assert not any(c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row)
    with zipfile.ZipFile(io.BytesIO(payload)) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 6  # summary bars, cost items, monthly per ward


def test_xlsx_thousand_unit_keeps_full_values_and_scales_the_format(data: ReportData) -> None:
    import openpyxl

    payload = report.render(data, "xlsx", lang="en", unit="thousand")
    wb = openpyxl.load_workbook(io.BytesIO(payload))  # type: ignore[arg-type]
    assert wb.sheetnames[0] == "Summary"
    cells = {
        str(r[0].value): r[1] for r in wb["Summary"].iter_rows(min_col=1, max_col=2) if r[0].value
    }
    cell = cells["Year-end forecast (run-rate)"]
    assert cell.value == 3_435_000 and cell.number_format.startswith('"¥"#,##0,"k"')


def test_terminal_report_is_japanese_and_never_cuts_amounts(data: ReportData) -> None:
    text = render_terminal(data, Fmt("ja"), width=80)
    assert "世田谷区 標準化対象システム" not in text  # multi-ward title
    assert "特別区 標準化対象システム 運用経費レポート 2025年度 (令和7年度)" in text
    assert "3,435,000円" in text and "×1.72" in text and "…" not in text


def test_json_is_stable_across_runs(fixed_ws: Path) -> None:
    a = report.render(api.report("all", workspace=fixed_ws, as_of=lake.AS_OF), "json")
    b = report.render(api.report("all", workspace=fixed_ws, as_of=lake.AS_OF), "json")
    assert a == b and json.loads(a)["schema_version"] == 1
