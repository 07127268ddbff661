"""The workbook's formulas and cell rules, without a report: roles → SUM ranges, derived
columns, placeholders, 和暦 month formats (report.xlsx_formulas, xlsx_table, xlsx_style)."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from gcfinops.report.i18n import Fmt
from gcfinops.report.tables import Cell, Col, Table
from gcfinops.report.xlsx_formulas import (
    aggregated_rows,
    cell_ref,
    derived_formula,
    pick_derived,
    sum_formula,
)
from gcfinops.report.xlsx_style import Styles, month_format, number_formats
from gcfinops.report.xlsx_table import TableWriter, merge_wards
from report.xlsx_eval import evaluate


def test_subtotals_sum_their_details_and_the_total_sums_subtotals_and_loose_details() -> None:
    roles = ["detail", "detail", "subtotal", "detail", "subtotal", "detail", "total"]
    assert aggregated_rows(roles) == {2: [0, 1], 4: [3], 6: [2, 4, 5]}


def test_a_total_without_subtotals_sums_its_details_and_each_segment_stands_alone() -> None:
    roles = ["detail", "detail", "total", "detail", "detail", "detail", "total"]
    assert aggregated_rows(roles) == {2: [0, 1], 6: [3, 4, 5]}
    assert aggregated_rows(["detail", "detail"]) == {}


def test_sum_formula_joins_runs_of_rows() -> None:
    assert sum_formula([4, 5, 6, 9], 2) == "=SUM(C5:C7,C10)"
    assert sum_formula([0], 27) == "=SUM(AB1)"
    assert cell_ref(4, 2, absolute=True) == "$C$5"
    assert cell_ref(0, 701) == "ZZ1" and cell_ref(0, 702) == "AAA1"


@given(st.lists(st.sampled_from(["detail", "subtotal", "total"]), max_size=30))
def test_every_detail_is_counted_once_in_each_total(roles: list[str]) -> None:
    agg = aggregated_rows(roles)

    def details(row: int) -> list[int]:
        return [d for r in agg[row] for d in (details(r) if r in agg else [r])]

    start = 0
    for i, role in enumerate(roles):
        if role == "total":
            counted = details(i)
            expected = [j for j in range(start, i) if roles[j] == "detail"]
            assert sorted(counted) == expected
            start = i + 1


def test_one_derived_rule_per_column_the_one_every_row_reproduces() -> None:
    cells = {"forecast": "E5", "baseline": "C5", "actual": "D5", "previous": "G5"}
    row = {"forecast": 3_435_000.0, "baseline": 2_000_000.0, "previous": 540_000.0}
    rule = pick_derived("ratio", [(row, 1.7175)])
    assert rule is not None
    assert derived_formula(rule, row, cells) == ('=IF(N(C5)=0,"",E5/C5)', 1.7175)
    assert pick_derived("ratio", [(row, 1.5)]) is None  # not forecast ÷ baseline
    assert pick_derived("ratio", [({"forecast": 1.0}, 1.0)]) is None  # no operands anywhere
    # a row of zeros fits every rule; the row with figures decides: 実績 − 前年, not 見込 − 前年
    zeros = {"forecast": 0.0, "actual": 0.0, "previous": 0.0}
    figures = {"forecast": 600_000.0, "actual": 300_000.0, "previous": 0.0}
    rule = pick_derived("change_amount", [(zeros, 0.0), (figures, 300_000.0)])
    assert rule is not None and (rule.a, rule.b) == ("actual", "previous")
    assert derived_formula(rule, zeros, cells) == ("=D5-G5", 0.0)


def test_cumulative_is_a_running_sum_of_the_month_totals() -> None:
    t = Table(
        "by_month",
        "月次",
        [
            Col("month", "月", "month"),
            Col("total", "合計", "yen"),
            Col("cumulative", "累計", "yen"),
        ],
    )
    t.rows = [["2025-04", 10.0, 10.0], ["2025-05", 20.0, 30.0], ["2025-06", 5.0, None]]
    t.rows.append(["合計", 35.0, None])
    t.roles = ["detail", "detail", "detail", "total"]
    ws = _write(t)
    assert [ws["C3"].value, ws["C4"].value, ws["C5"].value] == ["=B3", "=C3+B4", None]
    ws["B3"].value = 11
    assert evaluate(ws, "C4") == 31 and evaluate(ws, "B6") == 36


def _write(t: Table, f: Fmt | None = None) -> openpyxl.worksheet.worksheet.Worksheet:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("t")
    TableWriter(Styles(wb, f or Fmt("ja")), f or Fmt("ja")).table(ws, 0, t)
    wb.close()
    return openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["t"]


def test_subtotal_and_total_rows_are_sums_that_evaluate_to_the_model() -> None:
    t = Table(
        "by_cost_item",
        "費目別",
        [
            Col("item", "費目"),
            Col("baseline", "基準額", "yen"),
            Col("forecast", "見込", "yen"),
            Col("ratio", "基準額比", "ratio"),
        ],
    )
    t.rows = [
        ["a", 100.0, 150.0, 1.5],
        ["b", 300.0, 150.0, 0.5],
        ["小計", 400.0, 300.0, 0.75],
        ["c", 0.0, 200.0, None],
        ["小計", 0.0, 200.0, None],
        ["合計", 400.0, 500.0, 1.25],
    ]
    t.roles = ["detail", "detail", "subtotal", "detail", "subtotal", "total"]
    ws = _write(t)
    assert ws["B5"].value == "=SUM(B3:B4)" and ws["C7"].value == "=SUM(C6)"
    assert ws["B8"].value == "=SUM(B5,B7)" and ws["C8"].value == "=SUM(C5,C7)"
    assert ws["D8"].value == '=IF(N(B8)=0,"",C8/B8)'
    assert evaluate(ws, "C8") == 500.0 and evaluate(ws, "D8") == 1.25
    assert ws["D6"].value is None  # no ratio where the base is zero: an empty cell
    assert ws["B8"].border.top.style == "double" and ws["B8"].font.b
    assert all(ws.cell(r, c).border.left.style == "thin" for r in range(3, 9) for c in (1, 4))


def test_a_total_that_does_not_add_up_keeps_the_model_value() -> None:
    t = Table("x", "x", [Col("k", "k"), Col("v", "v", "yen")], total=True)
    t.rows = [["a", 1.0], ["b", 2.0], ["合計", 10.0]]  # e.g. a column that is not additive
    ws = _write(t)
    assert ws["B5"].value == 10 and ws["B5"].data_type == "n"


def test_placeholders_become_empty_cells_or_the_repeated_text() -> None:
    t = Table(
        "fx",
        "為替",
        [
            Col("month", "月", "month"),
            Col("rate", "レート", "rate"),
            Col("source", "出典"),
            Col("amount", "金額", "yen"),
        ],
    )
    t.rows = [
        ["2025-04", 150.0, "銀行 TTM", "—"],
        ["2025-05", 151.0, "〃", Cell("—", "text")],
        ["2019-05", 110.0, "〃", 5.0],
    ]
    ws = _write(t)
    assert [ws.cell(r, 3).value for r in (3, 4, 5)] == ["銀行 TTM"] * 3
    assert ws["D3"].value is None and ws["D4"].value is None
    assert ws["A3"].value == datetime(2025, 4, 1) and ws["A3"].is_date
    assert ws["A3"].number_format == '[$-411]ggge"年"m"月"'
    assert ws["A5"].number_format == '[$-411]"令和元年"m"月"'


def test_month_formats_per_language_and_gannen() -> None:
    assert month_format(Fmt("ja"), datetime(2026, 3, 1)) == '[$-411]ggge"年"m"月"'
    assert month_format(Fmt("ja"), datetime(2019, 4, 1)) == '[$-411]ggge"年"m"月"'  # 平成31年
    assert month_format(Fmt("ja"), datetime(2019, 12, 1)) == '[$-411]"令和元年"m"月"'
    assert month_format(Fmt("en"), datetime(2019, 12, 1)) == "yyyy-mm"


@pytest.mark.parametrize(
    ("lang", "unit", "yen"),
    [
        ("ja", "yen", '#,##0;"△"#,##0;"－"'),
        ("ja", "thousand", '#,##0,;"△"#,##0,;"－"'),
        ("en", "thousand", "#,##0,;-#,##0,;-"),
    ],
)
def test_amount_formats_keep_yen_in_the_cell(lang: str, unit: str, yen: str) -> None:
    assert number_formats(Fmt(lang, unit))["yen"] == yen  # type: ignore[arg-type]


def test_wards_merge_into_one_table_with_a_ward_column_and_united_columns() -> None:
    a = Table(
        "m", "月次", [Col("month", "月"), Col("aws", "AWS", "yen"), Col("total", "計", "yen")]
    )
    a.rows = [["2025-04", 1.0, 1.0], ["合計", 1.0, 1.0]]
    a.total = True
    b = Table("m", "月次", [Col("month", "月"), Col("total", "計", "yen")])
    b.rows = [["2025-04", 2.0]]
    m = merge_wards([("世田谷区", a), ("千代田区", b)], "区")
    assert [c.key for c in m.columns] == ["ward", "month", "aws", "total"]
    assert m.rows == [
        ["世田谷区", "2025-04", 1.0, 1.0],
        ["世田谷区", "合計", 1.0, 1.0],
        ["千代田区", "2025-04", None, 2.0],
    ]
    assert m.roles == ["detail", "total", "detail"]
