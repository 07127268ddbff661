"""The report as a 財政課 handout (issue #17): header block, 千円 cells under a unit line, 和暦,
percentages, 小計/合計 rows, labels by the year's state, 要旨, 削減候補 by kind, 別紙."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gcfinops import api, report
from gcfinops.report.i18n import Fmt
from gcfinops.report.model import ReportData
from gcfinops.report.view import DocView, Table, build_view
from report import lake

PREPARED = date(2026, 4, 10)


@pytest.fixture(scope="module")
def in_year(fixed_ws: Path) -> ReportData:
    """FY2025 through September: six months final, six forecast."""
    return api.report("131121", workspace=fixed_ws, as_of=lake.AS_OF, prepared_on=PREPARED)


@pytest.fixture(scope="module")
def closed(fixed_ws: Path) -> ReportData:
    """FY2024 with all twelve months final (the lake has April 2024 – March 2025)."""
    return api.report("131121", workspace=fixed_ws, as_of=date(2025, 4, 1), prepared_on=PREPARED)


def _table(doc: DocView, key: str) -> Table:
    return next(t for t in doc.wards[0].tables if t.key == key)


def _column(t: Table, key: str) -> list[object]:
    j = [c.key for c in t.columns].index(key)
    return [row[j] for row in t.rows]


def test_header_block_has_title_date_and_last_usage_day(in_year: ReportData) -> None:
    head = build_view(in_year, Fmt("ja", "thousand")).header
    assert head is not None
    assert head.title == "世田谷区 標準化対象システムの運用経費の状況（令和7年度）"
    assert head.prepared_on == PREPARED and head.prepared_on_label == "令和8年4月10日"
    assert head.through_label == "令和7年9月30日利用分まで"
    assert head.department is None and head.document_number is None
    en = build_view(in_year, Fmt("en", "thousand")).header
    assert en is not None and en.prepared_on_label == "10 Apr 2026"
    assert en.through_label == "Usage through 30 Sep 2025"


def test_department_and_document_number_from_config_and_flag(tmp_path: Path) -> None:
    ws = lake.build(tmp_path / "ws")
    config = ws / "gcfinops.toml"
    before = config.read_text(encoding="utf-8") if config.exists() else ""
    config.write_text(
        before + '\n[report]\ndepartment = "総務部情報政策課"\ndocument_number = "資料1"\n',
        encoding="utf-8",
    )
    data = api.report("131121", workspace=ws, as_of=lake.AS_OF, prepared_on=PREPARED)
    md = str(report.render(data, "md", unit="thousand"))
    assert md.startswith("資料1  \n令和8年4月10日  \n総務部情報政策課\n\n# 世田谷区")
    flagged = api.report("131121", workspace=ws, as_of=lake.AS_OF, document_number="資料9")
    head = build_view(flagged, Fmt()).header
    assert head is not None and head.document_number == "資料9"
    html = str(report.render(data, "html", unit="thousand"))
    assert '<div class="department">総務部情報政策課</div>' in html


def test_money_tables_carry_the_unit_line_and_bare_thousands(in_year: ReportData) -> None:
    doc = build_view(in_year, Fmt("ja", "thousand"))
    for t in doc.wards[0].tables:
        if any(c.kind == "yen" for c in t.columns):
            assert t.unit_note == "（単位：千円）", t.key
    md = str(report.render(in_year, "md", unit="thousand"))
    assert "（単位：千円）" in md and "| 本年度決算見込額 | 3,435 |" in md
    assert "千円 |" not in md and "円 |" not in md  # no unit inside a cell


def test_ratios_are_percentages_and_zero_sides_are_kaizo_kaigen(in_year: ReportData) -> None:
    md = str(report.render(in_year, "md", unit="thousand"))
    assert "| 基準額比 | 171.8％ |" in md and "×1." not in md.split("## 別紙")[0]
    assert "| 3割削減目標 | 70.0％ | 1,400 | 2,035 | 未達成 |" in md
    items = _table(build_view(in_year, Fmt("ja", "thousand")), "by_cost_item")
    ratios = dict(zip(_column(items, "cost_item"), _column(items, "ratio"), strict=True))
    assert ratios["ハードウェア借料"].value == "皆減"  # type: ignore[attr-defined]
    assert ratios["その他外部委託費"].value == "皆増"  # type: ignore[attr-defined]


def test_months_and_years_are_wareki(in_year: ReportData) -> None:
    md = str(report.render(in_year, "md", unit="thousand"))
    assert "| 令和7年4月 | 確定 |" in md and "| 令和8年3月 | 見込 |" in md
    body = md.split("## 別紙")[0]
    assert "2025年" not in body and "| 2025-" not in body


def test_cost_items_have_subtotals_and_a_total(in_year: ReportData) -> None:
    t = _table(build_view(in_year, Fmt("ja", "thousand")), "by_cost_item")
    subtotals = [i for i, r in enumerate(t.roles) if r == "subtotal"]
    assert [t.rows[i][0] for i in subtotals] == ["小計（作業費）", "小計（物品費）"]
    assert t.roles[-1] == "total" and t.rows[-1][0] == "合計"
    actual = _column(t, "actual")
    assert actual[subtotals[0]] == pytest.approx(300_000)  # その他外部委託費
    assert actual[subtotals[1]] == pytest.approx(1_365_000)
    assert actual[-1] == pytest.approx(1_665_000) == actual[subtotals[0]] + actual[subtotals[1]]


def test_monthly_table_has_total_row_and_cumulative_column(in_year: ReportData) -> None:
    t = _table(build_view(in_year, Fmt("ja", "thousand")), "by_month")
    assert t.roles == ["detail"] * 12 + ["total"]
    cumulative = _column(t, "cumulative")
    assert cumulative[5] == pytest.approx(1_665_000) and cumulative[6] is None
    assert _column(t, "total")[-1] == pytest.approx(1_665_000)
    assert "status" in [c.key for c in t.columns] and "run_rate" in [c.key for c in t.columns]


def test_closed_year_says_actual_and_drops_the_forecast_columns(closed: ReportData) -> None:
    doc = build_view(closed, Fmt("ja", "thousand"))
    summary = [str(r[0]) for r in _table(doc, "summary").rows]
    assert "本年度実績額（12か月確定）" in summary and "本年度決算見込額" not in summary
    months = _table(doc, "by_month")
    assert {"status", "run_rate"}.isdisjoint(c.key for c in months.columns)
    items = _table(doc, "by_cost_item")
    assert "forecast" not in [c.key for c in items.columns]
    assert "全12か月の実績が確定しているため、見込額は実績額と同額である。" in doc.notes
    assert not any("残り0か月" in n for n in doc.notes)
    assert "目標を達成した。" in doc.wards[0].summary[1]
    # no previous-year data at all: no change, rather than 皆増
    rows = {str(r[0]): r[1] for r in _table(doc, "summary").rows}
    assert rows["対前年度増減率"] is None


def test_summary_is_three_sentences(in_year: ReportData) -> None:
    summary = build_view(in_year, Fmt("ja", "thousand")).wards[0].summary
    assert summary == [
        "令和7年度の運用経費の決算見込額は3,435千円で、基準額（平成30年度決算額2,000千円）の"
        "171.8％である。",
        "目標額1,400千円（基準額の70.0％）を2,035千円上回っており、削減候補3件（年額158千円）"
        "を全て実施しても基準額の163.8％にとどまる。",
        "前年度実績額（令和6年度）1,080千円に対し、対前年度増減額は2,355千円、増減率は218.1％"
        "である。",
    ]


def test_reference_target_and_findings_by_kind(in_year: ReportData) -> None:
    doc = build_view(in_year, Fmt("ja", "thousand"))
    assert _column(_table(doc, "targets"), "target")[1] == "（参考）平成30年度と同額"
    kinds = _table(doc, "findings_summary")
    assert [r[:2] for r in kinds.rows] == [["rule-a", 1], ["rule-b", 1], ["rule-c", 1]]
    assert not kinds.appendix and _table(doc, "findings").appendix


def test_technical_words_stay_out_of_the_body(in_year: ReportData) -> None:
    md = str(report.render(in_year, "md", unit="thousand"))
    body = md.split("## 別紙")[0]
    technical = ("BilledCost", "ChargePeriodStart", "レイク", "findings.parquet", "analyze")
    for word in (*technical, "i-1", "baseline.csv", " (", "〜"):
        assert word not in body, word
    assert "findings.parquet" in md.split("## 別紙")[1]  # the sources, in the appendix


def test_english_has_the_same_conventions(in_year: ReportData) -> None:
    md = str(report.render(in_year, "md", lang="en", unit="thousand"))
    assert "(in thousands of yen)" in md and "| Ratio to the baseline | 171.8% |" in md
    assert "| Apr 2025 | final |" in md and "Subtotal (Labour)" in md
