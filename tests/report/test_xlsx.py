"""The report workbook read back with openpyxl: a working file, not an export (issue #17 item 6).

Print setup, frozen panes, filters, borders, months as dates, 小計/合計 as formulas that add up
to the model's figures, every finding, no placeholders in cells, document properties, and the
same figures once LibreOffice recalculates every formula (skipped without LibreOffice).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from gcfinops import api, report
from gcfinops.report.i18n import Fmt, messages
from gcfinops.report.model import ReportData
from gcfinops.report.safety import FORMULA_START
from gcfinops.report.tables import Table
from gcfinops.report.view import build_view
from report import lake
from report.xlsx_eval import evaluate, formula_cells

DETAIL = {"業務別": "B5", "月次推移": "B5", "削減候補": "A5", "換算レート": "A5"}
LANDSCAPE = {"月次推移", "削減候補", "区間比較"}
TOTAL = messages("ja")["doc.total"]


@pytest.fixture(scope="module")
def data(fixed_ws: Path) -> ReportData:
    return api.report("all", workspace=fixed_ws, as_of=lake.AS_OF)


@pytest.fixture(scope="module")
def one(fixed_ws: Path) -> ReportData:
    return api.report("131121", workspace=fixed_ws, as_of=lake.AS_OF)


def _book(data: ReportData, **kw: Any) -> Any:
    payload = report.render(data, "xlsx", **kw)
    assert isinstance(payload, bytes)
    return openpyxl.load_workbook(io.BytesIO(payload))


def _view(data: ReportData, key: str) -> Table:
    """The view table `key` of the first ward: what every other format prints."""
    return next(t for t in build_view(data, Fmt("ja")).wards[0].tables if t.key == key)


def _rows(ws: Any) -> dict[str, list[Any]]:
    """Rows by the text of their first (or, with a ward column, second) cell."""
    return {str(r[0].value): list(r) for r in ws.iter_rows() if r[0].value is not None}


def _header_row(ws: Any) -> int:
    return int(ws.print_title_rows.split(":")[0].lstrip("$"))


def test_sheets_numbers_formats_charts_and_safe_text(data: ReportData) -> None:
    wb = _book(data)
    assert wb.sheetnames == [
        *("概要", "目標・予算", "業務別", "月次推移", "削減候補", "区間比較", "前提"),
        "換算レート",
    ]
    plan = [[c.value for c in row] for row in wb["目標・予算"].iter_rows()]
    r30 = [r for r in plan if r[0] == "平成30年度比3割削減"]  # 千代田区 (600,000), 世田谷区
    assert [(r[5], r[8], r[9]) for r in r30] == [
        (700_000, -100_000, messages("ja")["doc.yes"]),
        (1_400_000, 2_035_000, messages("ja")["doc.no"]),
    ]
    summary = {
        str(r[0].value): r[1] for r in wb["概要"].iter_rows(min_col=1, max_col=2) if r[0].value
    }
    forecast = next(c for c in summary.values() if c.value == 3_435_000)
    assert forecast.data_type == "n" and '"△"' in forecast.number_format
    # 総括表: 基準額比, 目標額 and 目標額との差 are formulas over the 基準額 and 見込 rows
    head = wb["概要"]
    formulas = {c.coordinate: c for c in formula_cells(head) if c.column == 2}
    got = {k: evaluate(head, k) for k in formulas}
    w = next(x for x in data.wards if x.ward == "131121")
    ratio = next(formulas[k] for k, v in got.items() if v == pytest.approx(1.7175))
    assert ratio.number_format == "0.0%" and "/" in ratio.value  # 171.8%, not ×1.72
    target = next(formulas[k] for k, v in got.items() if v == pytest.approx(1_400_000))
    assert target.value.endswith("*0.7")
    gap = next(formulas[k] for k, v in got.items() if v == pytest.approx(w.gap_to_target_jpy))
    assert gap.value.count("-") == 1 and "IF" not in gap.value
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    texts = [c.value for c in cells if c.data_type == "s"]
    assert "'" + lake.HOSTILE_SERVICE in texts
    assert not any(t.startswith(FORMULA_START) for t in texts)
    for ws in wb:  # the only formulas are the workbook's own sums and ratios
        for c in formula_cells(ws):
            evaluate(ws, c.coordinate)
    with zipfile.ZipFile(io.BytesIO(report.render(data, "xlsx"))) as z:  # type: ignore[arg-type]
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 6  # summary bars, cost items, monthly per ward


def test_thousand_unit_keeps_yen_in_cells_and_scales_the_format(data: ReportData) -> None:
    wb = _book(data, lang="en", unit="thousand")
    assert wb.sheetnames[0] == "Summary"
    cell = next(
        r[1] for r in wb["Summary"].iter_rows(min_col=1, max_col=2) if r[1].value == 3_435_000
    )
    assert cell.number_format == "#,##0,;-#,##0,;-"
    units = [c.value for row in wb["Summary"].iter_rows() for c in row if c.value]
    assert "(Unit: ¥ thousand; cells hold yen)" in units or any(
        isinstance(u, str) and u.endswith("; cells hold yen)") for u in units
    )


@pytest.mark.parametrize("ward", ["one", "all"])
def test_every_sheet_prints_on_a4_one_page_wide_with_header_and_footer(
    ward: str, request: pytest.FixtureRequest
) -> None:
    wb = _book(request.getfixturevalue("one" if ward == "one" else "data"))
    for ws in wb:
        setup = ws.page_setup
        assert setup.paperSize == 9, ws.title
        assert setup.orientation == ("landscape" if ws.title in LANDSCAPE else "portrait")
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0  # 1 wide, any height
        assert ws.print_options.horizontalCentered
        assert "標準化対象システム" in (ws.oddHeader.left.text or "")
        assert "&P" in (ws.oddFooter.center.text or "")
        if ws.title in DETAIL:
            assert ws.print_title_rows == "$4:$4", ws.title


def test_detail_sheets_freeze_under_the_header_and_filter_the_details(one: ReportData) -> None:
    wb = _book(one)
    for title, pane in DETAIL.items():
        ws = wb[title]
        assert ws.freeze_panes == pane, title
        assert _header_row(ws) == 4
        ref = ws.auto_filter.ref
        assert ref and ref.startswith("A4:"), (title, ref)
        last = int("".join(ch for ch in ref.split(":")[1] if ch.isdigit()))
        below = ws.cell(last + 1, 1).value
        assert below is None or below == TOTAL, (title, below)  # 合計 stays outside the filter
    systems = _view(one, "by_business_system")
    width = get_column_letter(len(systems.columns))
    assert wb["業務別"].auto_filter.ref == f"A4:{width}{4 + len(systems.rows) - 1}"


def test_several_wards_share_one_table_with_a_ward_column(data: ReportData) -> None:
    wb = _book(data)
    ws = wb["業務別"]
    assert ws.freeze_panes == "C5" and ws["A4"].value == "区"
    wards = {c.value for c in ws["A"][4:] if c.value}
    assert wards == {"世田谷区", "千代田区"}
    totals = [r for r in ws.iter_rows(min_row=5) if r[1].value == TOTAL]
    assert len(totals) == 2 and all(str(r[2].value).startswith("=SUM(") for r in totals)
    assert ws.auto_filter.ref == f"A4:{get_column_letter(ws.max_column)}{totals[-1][0].row}"
    # each ward's 合計 adds that ward's rows only
    col = {c.key: j + 2 for j, c in enumerate(_view(data, "by_business_system").columns)}
    forecast = {str(r[0].value): evaluate(ws, r[col["forecast"] - 1].coordinate) for r in totals}
    assert forecast == {w.ward_name: pytest.approx(w.forecast_jpy) for w in data.wards}


def test_table_cells_have_borders_and_totals_a_double_rule(one: ReportData) -> None:
    ws = _book(one)["業務別"]
    t = _view(one, "by_business_system")
    last = 4 + len(t.rows)
    for row in ws.iter_rows(min_row=4, max_row=last, max_col=len(t.columns)):
        for c in row:
            assert all(
                getattr(c.border, side).style for side in ("left", "right", "top", "bottom")
            ), c.coordinate
    assert ws.cell(last, 2).border.top.style == "double" and ws.cell(last, 2).font.b


def test_months_are_dates_shown_in_wareki(one: ReportData) -> None:
    ws = _book(one)["月次推移"]
    months = [ws.cell(r, 1) for r in range(5, 17)]
    assert [c.value for c in months] == [
        datetime(2025 + (m < 4), m, 1) for m in (*range(4, 13), 1, 2, 3)
    ]
    assert all(c.is_date and c.number_format == '[$-411]ggge"年"m"月"' for c in months)
    fx = _book(one)["換算レート"]
    assert fx["A5"].value == datetime(2025, 9, 1) and fx["A5"].is_date


def _check_totals(ws: Any, t: Table, header: int) -> int:
    """Every 小計/合計 amount of view table `t` (header on sheet row `header`) is a SUM formula
    of the sheet that evaluates to the view's figure; how many."""
    checked = 0
    for i, row in enumerate(t.rows):
        if t.role(i) == "detail":
            continue
        for j in range(len(t.columns)):
            value, kind = t.kind_of(j, row[j])
            if kind != "yen" or not isinstance(value, (int, float)):
                continue
            cell = ws.cell(header + 1 + i, j + 1)
            if str(cell.value).startswith("=SUM("):
                assert evaluate(ws, cell.coordinate) == pytest.approx(value), cell.coordinate
                checked += 1
    return checked


def test_totals_are_formulas_adding_up_to_the_model(one: ReportData) -> None:
    wb = _book(one)
    w = one.wards[0]
    systems, header = _view(one, "by_business_system"), 4
    assert _check_totals(wb["業務別"], systems, header) >= 3
    col = {c.key: j + 1 for j, c in enumerate(systems.columns)}
    total = wb["業務別"].cell(header + len(systems.rows), col["forecast"])
    assert total.value.startswith("=SUM(")
    assert evaluate(wb["業務別"], total.coordinate) == pytest.approx(w.forecast_jpy)
    ratio = wb["業務別"].cell(total.row, col["ratio"])
    assert evaluate(wb["業務別"], ratio.coordinate) == pytest.approx(w.forecast_ratio_to_baseline)
    months = _view(one, "by_month")
    assert _check_totals(wb["月次推移"], months, header) >= (3 if months.total else 0)
    summary = wb["概要"]
    items = _view(one, "by_cost_item")
    head = next(r[0].row for r in summary.iter_rows() if r[0].value == items.columns[0].label)
    assert _check_totals(summary, items, head) >= 4
    # every formula of the workbook evaluates to the figure cached beside it
    cached = openpyxl.load_workbook(io.BytesIO(report.render(one, "xlsx")), data_only=True)  # type: ignore[arg-type]
    count = 0
    for ws in wb:
        for c in formula_cells(ws):
            expected = cached[ws.title][c.coordinate].value
            assert evaluate(ws, c.coordinate) == pytest.approx(expected), (ws.title, c.coordinate)
            count += 1
    assert count >= 20


def test_a_changed_detail_flows_into_the_total(one: ReportData) -> None:
    ws = _book(one)["業務別"]
    t = _view(one, "by_business_system")
    col = {c.key: j + 1 for j, c in enumerate(t.columns)}
    total = ws.cell(4 + len(t.rows), col["forecast"])
    before = evaluate(ws, total.coordinate)
    edited = ws.cell(5, col["forecast"])
    edited.value = edited.value + 1_000  # a 財政課 user edits a 見込
    assert evaluate(ws, total.coordinate) == before + 1_000
    base = evaluate(ws, ws.cell(total.row, col["baseline"]).coordinate)
    ratio = ws.cell(total.row, col["ratio"]).coordinate
    assert evaluate(ws, ratio) == pytest.approx((before + 1_000) / base)


def test_no_placeholders_in_cells(data: ReportData) -> None:
    wb = _book(data)
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert c.value not in ("〃", "—", "(same)"), (ws.title, c.coordinate)


def test_every_finding_is_on_its_sheet_not_only_the_top(one: ReportData) -> None:
    w = one.wards[0]
    assert len(w.all_findings) == w.findings_count == 3
    short = replace(one, wards=[replace(w, top_findings=w.top_findings[:1])])
    ws = _book(short)["削減候補"]
    rows = [r for r in ws.iter_rows(min_row=5) if r[0].value]
    assert len(rows) == 3
    values = {c.value for r in rows for c in r}
    assert values >= {"i-1", lake.HOSTILE_RESOURCE, "rule-a", "rule-b", "rule-c"}
    assert ws["A3"].value == "削減候補一覧"


def test_document_properties(one: ReportData, data: ReportData) -> None:
    payload = report.render(one, "xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(payload))  # type: ignore[arg-type]
    props = wb.properties
    assert props.title and "世田谷区" in props.title
    assert props.created == one.as_of.replace(tzinfo=None) or props.created is not None
    with zipfile.ZipFile(io.BytesIO(payload)) as z:  # type: ignore[arg-type]
        app = z.read("docProps/app.xml").decode()
        custom = z.read("docProps/custom.xml").decode()
    assert "<Company>世田谷区</Company>" in app
    assert "DataAsOf" in custom
    with zipfile.ZipFile(io.BytesIO(report.render(data, "xlsx"))) as z:  # type: ignore[arg-type]
        assert "<Company></Company>" in z.read("docProps/app.xml").decode()  # several wards


def test_same_bytes_for_the_same_inputs(one: ReportData) -> None:
    assert report.render(one, "xlsx") == report.render(one, "xlsx")


_RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def test_libreoffice_recalculates_every_formula_to_the_same_figure(
    one: ReportData, tmp_path: Path
) -> None:
    """LibreOffice (told to recalculate on load) computes what the workbook caches, and renders
    the 和暦 month format. Skipped without LibreOffice, except with CI=true (.ci/run installs
    libreoffice-calc-nogui)."""
    if shutil.which("soffice") is None:
        reason = "LibreOffice (soffice) not installed (apt-get install libreoffice-calc-nogui)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    profile = tmp_path / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC, encoding="utf-8")
    src = tmp_path / "r.xlsx"
    src.write_bytes(report.render(one, "xlsx"))  # type: ignore[arg-type]
    out = tmp_path / "out"
    cmd = [
        "soffice",
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(out),
        str(src),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180, env={**os.environ})
    ours = openpyxl.load_workbook(src, data_only=True)
    formulas = openpyxl.load_workbook(src)
    theirs = openpyxl.load_workbook(out / "r.xlsx", data_only=True)
    checked = 0
    for ws in formulas:
        for c in formula_cells(ws):
            got = theirs[ws.title][c.coordinate].value
            want = ours[ws.title][c.coordinate].value
            assert got == pytest.approx(want), (ws.title, c.coordinate, got, want)
            checked += 1
    assert checked >= 20
    # the 月次推移 sheet (4th) as LibreOffice shows it: 和暦 months, 千円-free yen, △
    sheet = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,4"
    cmd[cmd.index("xlsx")] = sheet
    cmd[cmd.index(str(out))] = str(tmp_path / "csv")
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    (shown,) = (tmp_path / "csv").glob("*.csv")
    lines = shown.read_text(encoding="utf-8").splitlines()
    assert lines[4].startswith("令和7年4月,確定,100,000,") or lines[4].startswith(
        '令和7年4月,確定,"100,000"'
    ), lines[4]


def test_header_block_page_header_and_properties_come_from_the_handout_header(
    one: ReportData, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gcfinops.report import xlsx
    from gcfinops.report.header import ReportHeader

    header = ReportHeader(
        title="世田谷区 標準化対象システムの運用経費の状況（令和7年度）",
        prepared_on=date(2026, 4, 10),
        prepared_on_label="令和8年4月10日",
        through_label="令和7年9月30日利用分まで",
        department="総務部情報政策課 & 財政課",
        document_number="資料3",
    )
    real = xlsx.build_view
    monkeypatch.setattr(xlsx, "build_view", lambda d, f: replace(real(d, f), header=header))
    payload = report.render(one, "xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(payload))  # type: ignore[arg-type]
    props = wb.properties
    assert props.title == header.title and props.subject == header.through_label
    assert props.creator == header.department and props.created == datetime(2026, 4, 10)
    with zipfile.ZipFile(io.BytesIO(payload)) as z:  # type: ignore[arg-type]
        assert "<Company>世田谷区</Company>" in z.read("docProps/app.xml").decode()
        assert "資料3" in z.read("docProps/custom.xml").decode()
    summary = wb["概要"]
    assert summary["A1"].value == header.title and summary["A2"].value == header.through_label
    assert [summary["G1"].value, summary["G2"].value, summary["G3"].value] == [
        "資料3",
        "令和8年4月10日",
        "総務部情報政策課 & 財政課",
    ]
    for ws in wb:
        assert ws.oddHeader.left.text == header.title
        assert ws.oddHeader.right.text == "作成日　令和8年4月10日"
        assert ws.oddFooter.left.text == "総務部情報政策課 && 財政課"  # & escaped
        assert ws.oddFooter.center.text == "&P／&N"


def test_without_findings_the_note_sits_above_the_header_and_panes_follow(
    tmp_path: Path,
) -> None:
    ws_dir = lake.build(tmp_path / "ws", findings=False)
    wb = _book(api.report("131121", workspace=ws_dir, as_of=lake.AS_OF))
    sheet = wb["削減候補"]
    assert sheet["A4"].value == messages("ja")["doc.no_findings"]
    assert sheet.print_title_rows == "$5:$5" and sheet.freeze_panes == "A6"
    assert sheet.auto_filter.ref == "A5:H5"
