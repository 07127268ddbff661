"""Formats of the report: HTML escaping, formula neutralization, XLSX read back, terminal text."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gcfinops import api, report
from gcfinops.report.cells import change_cell, ratio_cell
from gcfinops.report.i18n import Fmt, messages
from gcfinops.report.model import ReportData
from gcfinops.report.safety import FORMULA_START, markdown_cell, neutralize
from gcfinops.report.tables import Cell
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
        (2018, "ja", "平成30年度"),
        (2019, "ja", "令和元年度"),
        (2025, "ja", "令和7年度"),
        (2025, "en", "FY2025"),
    ],
)
def test_fiscal_year_labels(fy: int, lang: str, label: str) -> None:
    assert Fmt(lang).fy(fy) == label  # type: ignore[arg-type]


def test_era_both_adds_the_western_year_in_parentheses() -> None:
    f = Fmt("ja", era="both")
    assert f.fy(2025) == "令和7年度（2025年度）"
    assert f.month("2026-03") == "令和8年3月（2026年3月）"
    assert f.date(date(2026, 4, 10)) == "令和8年4月10日（2026年4月10日）"


def test_months_and_dates_are_wareki_in_japanese() -> None:
    assert Fmt("ja").month("2025-04") == "令和7年4月"
    assert Fmt("ja").month("2019-04") == "平成31年4月"
    assert Fmt("ja").date(date(2026, 4, 10)) == "令和8年4月10日"
    assert Fmt("en").month("2025-04") == "Apr 2025"
    assert Fmt("ja").cell("2026-03", "month") == "令和8年3月"


def test_table_cells_are_bare_numbers_and_ratios_are_percentages() -> None:
    ja, en = Fmt("ja", "thousand"), Fmt("en", "thousand")
    assert ja.cell(-95_947_000, "yen") == "△95,947" and en.cell(-95_947_000, "yen") == "-95,947"
    assert ja.cell(540_000_000, "yen") == "540,000" and ja.cell(None, "yen") == "—"
    assert ja.cell(1.649, "ratio") == "164.9％" and en.cell(1.649, "ratio") == "164.9%"
    assert ja.cell(-0.097, "pct") == "△9.7％"
    assert ja.unit_note() == "（単位：千円）" and Fmt("ja").unit_note() == "（単位：円）"


def test_zero_on_one_side_is_all_increase_or_all_decrease() -> None:
    f = Fmt("ja")
    assert change_cell(5.0, 0.0, f) == Cell("皆増", "mark")
    assert change_cell(0.0, 5.0, f) == Cell("皆減", "mark")
    assert ratio_cell(0.0, 800_000.0, f) == Cell("皆減", "mark")
    assert change_cell(0.0, 0.0, f) is None and ratio_cell(3.0, 2.0, f) == Cell(1.5, "ratio")


def test_yen_formats_in_japanese_and_english() -> None:
    assert Fmt("ja").yen(-54_317) == "△54,317円"
    assert Fmt("ja", "thousand").yen(1_234_567) == "1,235千円"
    assert Fmt("en").yen(-54_317) == "-¥54,317"
    assert Fmt("ja").ratio(2.314) == "231.4％"


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
    assert html.count("<svg") == 2  # the monthly chart of each ward
    assert "@page { size: A4 portrait" in html
    assert "<h2>世田谷区</h2>" in html and "<h2>千代田区</h2>" in html
    assert '<section class="appendix"' in html and "別紙" in html


def test_csv_neutralizes_text_and_keeps_numbers(data: ReportData) -> None:
    text = report.render(data, "csv")
    assert isinstance(text, str)
    rows = list(csv.DictReader(io.StringIO(text)))
    hostile = [r for r in rows if "HYPERLINK" in r["row"]]
    assert hostile and all(r["row"].startswith("'=") for r in hostile)
    forecast = next(
        r
        for r in rows
        if r["ward"] == "131121" and r["section"] == "summary" and r["row"] == "本年度決算見込額"
    )
    assert forecast["value"] == "3435000" and forecast["display"] == "3,435,000"
    negative = [r for r in rows if r["value"].startswith("-")]
    assert negative, "a negative number stays a number (no apostrophe)"
    assert all(not r[k].startswith(FORMULA_START) for r in rows for k in r if k != "value")


def test_terminal_report_is_japanese_and_never_cuts_amounts(data: ReportData) -> None:
    text = render_terminal(data, Fmt("ja"), width=80)
    assert "世田谷区 標準化対象システム" not in text  # multi-ward title
    assert "特別区 標準化対象システムの運用経費の状況（令和7年度）" in text
    assert "3,435,000" in text and "171.8％" in text and "…" not in text
    assert "（単位：円）" in text


def test_terminal_monthly_table_fits_100_columns(data: ReportData) -> None:
    from rich.cells import cell_len

    text = render_terminal(data, Fmt("ja"), width=100)
    assert max(cell_len(line.rstrip()) for line in text.splitlines()) <= 100
    monthly = text[text.index("月別推移") : text.index("削減に向けた取組候補")]
    for header in ("クラウド", "その他の", "合計", "累計", "前年度同", "対前年同"):
        assert header in monthly, header  # every column keeps a readable header
    assert "…" not in monthly and "令和7年10月" in monthly  # the month is not wrapped
    assert "令和7年4月 確定" in " ".join(monthly.split())  # the 状態 column keeps its width


def test_json_is_stable_across_runs(fixed_ws: Path) -> None:
    a = report.render(api.report("all", workspace=fixed_ws, as_of=lake.AS_OF), "json")
    b = report.render(api.report("all", workspace=fixed_ws, as_of=lake.AS_OF), "json")
    assert a == b and json.loads(a)["schema_version"] == 1
