"""Budget execution (issue #13 items 2 and 6c), hand-computed on the fixed workspace
(tests/report/lake.py): 世田谷区 actual to date 1,665,000, forecast 3,435,000 (cloud 765,000 →
1,635,000; ASP software_lease 600,000 → 1,200,000; other_outsourcing 300,000 → 600,000)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gcfinops import api, report
from gcfinops.cli import app
from gcfinops.errors import ConfigError
from report import lake

SETAGAYA = "131121"
BUDGET_CSV = """\
ward,fiscal_year,business_system,cost_item,amount_jpy,kind,date
131121,2025,,cloud_usage,1500000,当初,2025-03-25
世田谷区,2025,,ソフトウェア借料,"1,200,000",当初,2025-03-25
setagaya,2025,,other_outsourcing,500000,当初,2025-03-25
131121,2025,,cloud_usage,200千円,補正,2025-09-30
131121,2025,,other_outsourcing,△50000,流用,2025-06-01
131121,2025,,network_lines,100000,補正,2025-12-10
"""


@pytest.fixture
def ws(fixed_ws: Path, tmp_path: Path) -> Path:
    root = Path(shutil.copytree(fixed_ws, tmp_path / "ws"))
    (root / "budget.csv").write_bytes(BUDGET_CSV.encode("cp932"))  # as Excel saves it
    api.import_budget(root / "budget.csv", workspace=root)
    return root


def test_execution_rate_and_outlook_per_ward_item_and_setsu(ws: Path) -> None:
    data = api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF)
    b = data.wards[0].budget
    assert b is not None
    # 当初 3,200,000 + 補正 200,000 + 流用 △50,000; the December 補正 is after as_of
    assert (b.initial_jpy, b.supplementary_jpy, b.transfer_jpy) == pytest.approx(
        (3_200_000, 200_000, -50_000)
    )
    assert b.total.amount_jpy == pytest.approx(3_350_000)
    assert b.total.actual_to_date_jpy == pytest.approx(1_665_000)
    assert b.total.execution_rate == pytest.approx(1_665_000 / 3_350_000)  # 49.7 %
    assert b.total.forecast_minus_budget_jpy == pytest.approx(85_000)  # shortfall
    items = {x.key: x for x in b.by_cost_item}
    assert set(items) == {"cloud_usage", "software_lease", "other_outsourcing"}
    cloud = items["cloud_usage"]
    assert (cloud.amount_jpy, cloud.actual_to_date_jpy, cloud.forecast_jpy) == pytest.approx(
        (1_700_000, 765_000, 1_635_000)
    )
    assert cloud.forecast_minus_budget_jpy == pytest.approx(-65_000)  # surplus
    assert items["other_outsourcing"].forecast_minus_budget_jpy == pytest.approx(150_000)
    setsu = {x.key: x for x in b.by_setsu}
    assert list(setsu) == ["委託料", "使用料及び賃借料"]
    rent = setsu["使用料及び賃借料"]  # cloud + ASP licence
    assert (rent.amount_jpy, rent.actual_to_date_jpy, rent.forecast_jpy) == pytest.approx(
        (2_900_000, 1_365_000, 2_835_000)
    )
    assert setsu["委託料"].amount_jpy == pytest.approx(450_000)
    # the budget has no 業務: it meets the ward's cost without a 業務 (key None)
    systems = {x.key: x for x in b.by_business_system}
    assert systems[None].amount_jpy == pytest.approx(3_350_000)
    assert systems["resident_registry"].amount_jpy == 0
    doc = json.loads(report.render(data, "json"))["wards"][0]["budget"]
    assert {k: doc[k] for k in ("amount_jpy", "actual_to_date_jpy", "forecast_jpy")} == {
        "amount_jpy": 3_350_000,
        "actual_to_date_jpy": 1_665_000,
        "forecast_jpy": 3_435_000,
    }
    assert doc["execution_rate"] == pytest.approx(0.497015, abs=1e-6)
    assert doc["forecast_minus_budget_jpy"] == 85_000
    md = str(report.render(data, "md"))
    assert "### 予算の執行状況：節別" in md and "| 使用料及び賃借料 | 2,900,000 |" in md
    assert "不足見込" in md and "49.7％" in md


def test_budget_as_of_counts_only_decided_rows_and_tax_basis(ws: Path) -> None:
    later = api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF.replace(month=12, day=11))
    assert later.wards[0].budget is not None
    assert later.wards[0].budget.supplementary_jpy == pytest.approx(300_000)
    net = api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF, tax_basis="excluded")
    assert net.wards[0].budget is not None
    assert net.wards[0].budget.total.amount_jpy == pytest.approx(3_350_000 / 1.1)


def test_no_budget_is_null(fixed_ws: Path) -> None:
    data = api.report(SETAGAYA, workspace=fixed_ws, as_of=lake.AS_OF)
    assert data.wards[0].budget is None
    assert json.loads(report.render(data, "json"))["wards"][0]["budget"] is None


def test_budget_import_errors_name_file_line_and_column(ws: Path) -> None:
    (ws / "bad.csv").write_text(
        "ward,fiscal_year,business_system,cost_item,amount_jpy,kind,date\n"
        "131121,2025,,cloud_usage,△100,当初,2025-03-25\n"
        "131121,2025,,cloud_usage,100,予備費,2025-03-25\n"
        "131121,2025,,cloud_usage,100,補正,2025/09/30\n"
        "131121,2025,,cloud_usage,100,補正,2030-01-01\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        api.import_budget(ws / "bad.csv", workspace=ws)
    text = str(err.value)
    assert "bad.csv:2: column 'amount_jpy'" in text
    assert "bad.csv:3: column 'kind'" in text
    assert "bad.csv:4: column 'date'" in text and "bad.csv:5: column 'date'" in text
    # nothing was stored: the earlier import stands
    assert api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF).wards[0].budget is not None
    result = CliRunner().invoke(app, ["-w", str(ws), "budget", "import", str(ws / "bad.csv")])
    assert result.exit_code == 2
    good = CliRunner().invoke(app, ["-w", str(ws), "budget", "import", str(ws / "budget.csv")])
    assert good.exit_code == 0, good.output


def test_check_max_over_budget_breaches_on_the_forecast(ws: Path) -> None:
    # September 2025: forecast 3,435,000 against 3,350,000 = +2.54 %
    result = api.check(workspace=ws, month="2025-09", max_over_budget=2.0)
    over = {e.group: e for e in result.evaluations if e.metric == "over_budget"}
    assert over[SETAGAYA].status == "breach" and result.exit_code == 1
    assert over[SETAGAYA].value == pytest.approx(85_000 / 3_350_000 * 100)
    assert over[SETAGAYA].delta_jpy == pytest.approx(85_000)
    assert over["131016"].status == "skipped" and over["131016"].note == "no_budget"
    ok = api.check(workspace=ws, month="2025-09", max_over_budget=3.0)
    assert {e.status for e in ok.evaluations if e.metric == "over_budget"} == {"ok", "skipped"}
    cli = CliRunner().invoke(
        app, ["-w", str(ws), "check", "--month", "2025-09", "--max-over-budget", "2",
              "--format", "markdown"],
    )  # fmt: skip
    assert cli.exit_code == 1, cli.output
    assert "予算超過見込" in cli.output and "予算現額 3,350,000円" in cli.output


def test_init_writes_the_budget_and_pre_migration_templates(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["-w", str(tmp_path), "init"])
    assert result.exit_code == 0, result.output
    budget = (tmp_path / "budget_template.csv").read_text(encoding="utf-8")
    assert "ward,fiscal_year,business_system,cost_item,amount_jpy,kind,date" in budget
    pre = (tmp_path / "baseline_pre_migration_template.csv").read_text(encoding="utf-8")
    assert "pre_migration" in pre and ",base\n" in pre
    assert "[[targets]]" in (tmp_path / "gcfinops.toml").read_text(encoding="utf-8")
