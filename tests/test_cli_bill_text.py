"""Text from a bill is data: through ingest → analyze → findings → report → check, every format.

A small CUR 2.0 bill (built from the adapter fixture's first line) puts console markup, HTML and
spreadsheet formulas in resource ids, tags (the Name tag, an unknown business system) and service
names, for two months with 3× growth so the check gate breaches and names them. Each output must
show the literal text: no markup read in the terminal (`[/tmp] x` once crashed the CLI with exit
3, `vol [prod] x` printed as `vol  x`), HTML and Markdown escaped, CSV/XLSX cells formula-safe.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gcfinops.cli import app

TEMPLATE = Path(__file__).resolve().parent / "adapters" / "fixtures" / "aws-cur2" / "cur2_lines.csv"
WIDE = {"COLUMNS": "250"}

CLOSING = "[/tmp] x"  # a closing tag rich cannot match: MarkupError
STYLED = "[bold]y[/bold]"
NAME = "vol [prod] x"
SCRIPT = "<script>alert(1)</script>"
SCRIPT_SERVICE = "<script>svc</script>"
FORMULA = '=HYPERLINK("http://evil")'
FORMULA_SERVICE = "@SUM(1+1)"
FORMULA_NAME = "+cmd|' /C calc'!A0"
USAGE_TYPE = "[/tmp] usage"
_REF = r"[A-Z]{1,3}\d+"
OWN_FORMULA = re.compile(
    rf"^=(SUM\({_REF}(:{_REF})?(,{_REF}(:{_REF})?)*\)"
    rf'|IF\(N\({_REF}\)=0,"",{_REF}/{_REF}(-1)?\)|{_REF}([-+]{_REF}|\*[0-9.]+)?)$'
)
# resource id, service name, tags beyond the ward
RESOURCES = [
    (CLOSING, STYLED, {"user_name": NAME, "user_owner": STYLED}),
    (SCRIPT, SCRIPT_SERVICE, {"user_system": "<script>alert(2)</script>"}),
    (FORMULA, FORMULA_SERVICE, {"user_name": FORMULA_NAME}),
]
LITERALS = (CLOSING, STYLED, SCRIPT, SCRIPT_SERVICE, FORMULA_SERVICE)


def write_bill(path: Path) -> None:
    """February and March 2026, seven daily lines per resource; March costs three times more."""
    with TEMPLATE.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, template = list(reader.fieldnames or []), next(reader)
    rows = []
    for month, following, cost in (
        ("2026-02", "2026-03", "100.00"),
        ("2026-03", "2026-04", "300.00"),
    ):
        for day in range(1, 8):
            for rid, service, tags in RESOURCES:
                start = f"{month}-{day:02d}"
                rows.append({
                    **template,
                    "bill_billing_period_start_date": f"{month}-01T00:00:00.000Z",
                    "bill_billing_period_end_date": f"{following}-01T00:00:00.000Z",
                    "identity_line_item_id": f"bill-text-{len(rows)}",
                    "identity_time_interval": f"{start}T00:00:00Z/{month}-{day + 1:02d}T00:00:00Z",
                    "line_item_resource_id": rid,
                    "line_item_unblended_cost": cost,
                    "line_item_net_unblended_cost": "",
                    "line_item_unblended_rate": cost,
                    "line_item_usage_amount": "24",
                    "line_item_usage_start_date": f"{start}T00:00:00.000Z",
                    "line_item_usage_end_date": f"{month}-{day + 1:02d}T00:00:00.000Z",
                    "line_item_usage_type": USAGE_TYPE,
                    "line_item_line_item_description": "[bold]desc[/bold] <b>",
                    "pricing_public_on_demand_cost": cost,
                    "pricing_public_on_demand_rate": cost,
                    "product": json.dumps({"product_name": service, "region": "ap-northeast-1"}),
                    "resource_tags": json.dumps({"user_ward": "setagaya", **tags}),
                })  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding the bill, USD rates and the analyzed findings."""
    root = tmp_path_factory.mktemp("bill-text")
    bill = root / "[bold]bill [red]<b>.csv"
    write_bill(bill)
    ws = root / "ws"
    runner = CliRunner()
    for args in (
        ["ingest", str(bill)],
        *(
            ["fx", "set", m, "USD", "150", "--source", "[test] <rate>"]
            for m in ("2026-02", "2026-03")
        ),
        ["analyze", "--format", "json"],
    ):
        result = runner.invoke(app, ["-w", str(ws), *args], env=WIDE)
        assert result.exit_code == 0, (args, result.output)
    return ws


def run(ws: Path, *args: str, env: dict[str, str] | None = None, code: int = 0) -> tuple[str, str]:
    result = CliRunner().invoke(app, [*args, "-w", str(ws)], env={**WIDE, **(env or {})})
    assert result.exit_code == code, (args, result.output)
    return result.stdout, result.stderr


def assert_literal(text: str, *values: str) -> None:
    for value in values:
        assert value in text, value


# --- the terminal: every value printed as itself ---------------------------------------------


def test_ingest_names_an_odd_file_literally(tmp_path: Path) -> None:
    """An unreadable bill named like markup: exit 2 and its name as given, never exit 3."""
    bad = tmp_path / "[/tmp] x [bold]y[/bold].csv".replace("/", "-")
    bad.write_text("not,a,bill\n1,2,3\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(bad), "-w", str(tmp_path / "ws")], env=WIDE)
    assert result.exit_code == 2, result.output
    assert bad.name in result.stderr


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_findings_and_analyze_tables(ws: Path, lang: str) -> None:
    out, _ = run(ws, "findings", "--lang", lang)
    assert_literal(out, NAME, SCRIPT, FORMULA_NAME, CLOSING, STYLED, FORMULA, FORMULA_SERVICE)
    out, _ = run(ws, "analyze", "--lang", lang)
    assert_literal(out, NAME, SCRIPT, STYLED)


def test_status_fx_and_report_tables(ws: Path) -> None:
    out, _ = run(ws, "status")
    assert "[bold]bill [red]<b>.csv" not in out  # status counts files; names are in the JSON
    source_files = {f for u in json.loads(run(ws, "status", "--format", "json")[0])
                    for f in u["source_files"]}  # fmt: skip
    assert {Path(f).name for f in source_files} == {"[bold]bill [red]<b>.csv"}
    assert_literal(run(ws, "fx", "list")[0], "[test] <rate>")
    out, _ = run(ws, "report", "--ward", "setagaya")
    assert_literal(out, CLOSING, STYLED, SCRIPT, SCRIPT_SERVICE, FORMULA, FORMULA_SERVICE)


@pytest.mark.parametrize("by", ["ward", "service"])
def test_check_table(ws: Path, by: str) -> None:
    out, _ = run(ws, "check", "--by", by, code=1)
    assert_literal(out, SCRIPT_SERVICE, STYLED, CLOSING, SCRIPT, FORMULA, USAGE_TYPE)


# --- data formats: the literal values, nothing interpreted -----------------------------------


def _strings(data: object) -> set[str]:
    if isinstance(data, dict):
        return {s for v in data.values() for s in _strings(v)}
    if isinstance(data, list):
        return {s for v in data for s in _strings(v)}
    return {data} if isinstance(data, str) else set()


def test_json_outputs(ws: Path) -> None:
    findings = _strings(json.loads(run(ws, "findings", "--format", "json")[0]))
    assert {CLOSING, SCRIPT, FORMULA, NAME, FORMULA_NAME, STYLED, SCRIPT_SERVICE} <= findings
    analyze = _strings(json.loads(run(ws, "analyze", "--format", "json")[0]))
    assert {CLOSING, SCRIPT, FORMULA} <= analyze
    report = json.dumps(json.loads(run(ws, "report", "--ward", "setagaya", "-f", "json")[0]))
    assert_literal(json.loads(json.dumps(report)), *(json.dumps(v)[1:-1] for v in LITERALS))
    check = _strings(json.loads(run(ws, "check", "--by", "service", "-f", "json", code=1)[0]))
    assert {SCRIPT_SERVICE, STYLED, FORMULA_SERVICE, CLOSING, SCRIPT, FORMULA} <= check


def test_findings_csv_is_formula_safe(ws: Path) -> None:
    out, _ = run(ws, "findings", "--format", "csv")
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
    assert "'" + FORMULA in cells and CLOSING in cells and SCRIPT in cells


def test_report_markdown_and_html_escape(ws: Path) -> None:
    md, _ = run(ws, "report", "--ward", "setagaya", "-f", "md")
    assert "<script>" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md and "&lt;script&gt;svc" in md
    assert_literal(md, CLOSING, STYLED)
    html, _ = run(ws, "report", "--ward", "setagaya", "-f", "html")
    assert "<script>alert" not in html and "<script>svc" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert_literal(html, CLOSING, STYLED)


def test_report_csv_and_xlsx_are_formula_safe(ws: Path, tmp_path: Path) -> None:
    out, _ = run(ws, "report", "--ward", "setagaya", "-f", "csv")
    cells = [c for row in csv.reader(io.StringIO(out.lstrip("\ufeff"))) for c in row]
    assert not [c for c in cells if c.startswith(("=", "@", "+"))]
    assert "'" + FORMULA in cells and "'" + FORMULA_SERVICE in cells
    assert CLOSING in cells and SCRIPT_SERVICE in cells
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "r.xlsx"
    run(ws, "report", "--ward", "setagaya", "-o", str(path))
    texts = []
    for sheet in openpyxl.load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                # the workbook's own 合計/比率 formulas (cell references only), never bill text
                if cell.data_type == "f":
                    assert OWN_FORMULA.match(cell.value), (sheet.title, cell.coordinate)
                elif isinstance(cell.value, str):
                    texts.append(cell.value)
    assert not [t for t in texts if t.startswith(("=", "@", "+"))]
    assert "'" + FORMULA in texts and CLOSING in texts and SCRIPT_SERVICE in texts


def test_check_markdown_junit_and_github(ws: Path, tmp_path: Path) -> None:
    md, _ = run(ws, "check", "--by", "service", "-f", "markdown", code=1)
    assert "<script>" not in md and "&lt;script&gt;svc&lt;/script&gt;" in md
    assert_literal(md, STYLED, CLOSING, FORMULA, USAGE_TYPE)
    junit, _ = run(ws, "check", "--by", "service", "-f", "junit", code=1)
    text = " ".join(
        " ".join([*(e.attrib.values()), e.text or ""]) for e in ET.fromstring(junit).iter()
    )
    assert_literal(text, SCRIPT_SERVICE, STYLED, FORMULA_SERVICE)
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true"}
    out, err = run(ws, "check", "--by", "service", env=env, code=1)
    written = summary.read_text(encoding="utf-8")
    assert "<script>" not in written and "&lt;script&gt;alert(1)&lt;/script&gt;" in written
    assert_literal(written, STYLED, CLOSING)
    annotations = [line for line in err.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 3
    assert_literal("\n".join(annotations), SCRIPT_SERVICE, STYLED, FORMULA_SERVICE)
    assert_literal(out, SCRIPT_SERVICE, STYLED)
