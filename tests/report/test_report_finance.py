"""Finance-grade report figures, hand-computed: tax basis, apportionment (按分), billing periods,
corrections of an earlier 年度, initial cost and incomplete months."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from gcfinops import api, report
from gcfinops.costs import STORED_COLUMNS, store_path
from gcfinops.errors import ConfigError
from gcfinops.workspace import Workspace
from report import lake

SETAGAYA, CHIYODA = "131121", "131016"


def _ward(data: report.ReportData, code: str) -> report.model.WardReport:  # type: ignore[name-defined]
    return next(w for w in data.wards if w.ward == code)


# --- tax basis -------------------------------------------------------------------------------


def test_tax_basis_excluded_converts_noncloud_and_baseline(fixed_ws: Path) -> None:
    data = api.report(SETAGAYA, workspace=fixed_ws, as_of=lake.AS_OF, tax_basis="excluded")
    w = data.wards[0]
    assert data.tax_basis == "excluded"
    # cloud has no tax lines: 765,000; non-cloud 900,000 税込 at 10 % → 818,181.8…
    assert w.cloud_to_date_jpy == pytest.approx(765_000)
    assert w.noncloud_to_date_jpy == pytest.approx(900_000 / 1.1)
    # FY2018 baseline at 8 %: 2,000,000 / 1.08
    assert w.baseline_jpy == pytest.approx(2_000_000 / 1.08)
    # forecast: cloud 765,000 + 145,000 × 6; non-cloud (900,000 + 150,000 × 6) / 1.1
    assert w.forecast_jpy == pytest.approx(765_000 + 870_000 + 1_800_000 / 1.1)
    # savings are estimated before tax: unchanged on the 税抜 basis
    assert w.identified_savings_jpy == pytest.approx(144_000)
    doc = json.loads(report.render(data, "json"))
    assert doc["tax_basis"] == "excluded"
    assert "金額は税抜。" in str(report.render(data, "md"))


def test_tax_basis_default_and_bad_value(fixed_ws: Path) -> None:
    data = api.report(SETAGAYA, workspace=fixed_ws, as_of=lake.AS_OF)
    assert json.loads(report.render(data, "json"))["tax_basis"] == "included"
    assert "Amounts are tax included." in str(report.render(data, "md", lang="en"))
    with pytest.raises(ConfigError, match="--tax-basis"):
        api.report(SETAGAYA, workspace=fixed_ws, as_of=lake.AS_OF, tax_basis="gross")


# --- apportionment -------------------------------------------------------------------------


def _split_lake(ws: Path) -> None:
    """April 2025, JPY. Setagaya account S: usage 600 (住民基本台帳, tagged) + 300 (児童手当,
    tagged) + 100 untagged; tax 100; SP fee 200 covering the 児童手当 usage. Chiyoda account C:
    usage 500 tagged (住民基本台帳); tax 50. Shared hub account H (no ward): 1,500."""
    tags = {"system": "x"}
    rows = [
        lake.lake_row("2025-04", 600, BillingAccountId="S", x_Ward=SETAGAYA,
                      x_BusinessSystem="resident_registry", Tags=tags),
        lake.lake_row("2025-04", 300, BillingAccountId="S", x_Ward=SETAGAYA,
                      x_BusinessSystem="child_allowance", Tags=tags, CommitmentDiscountId="sp"),
        lake.lake_row("2025-04", 100, BillingAccountId="S", x_Ward=SETAGAYA),
        lake.lake_row("2025-04", 100, BillingAccountId="S", x_Ward=SETAGAYA,
                      ChargeCategory="Tax", ServiceName="Tax"),
        lake.lake_row("2025-04", 200, BillingAccountId="S", x_Ward=SETAGAYA,
                      ChargeCategory="Purchase", CommitmentDiscountId="sp", EffectiveCost=0.0),
        lake.lake_row("2025-04", 500, BillingAccountId="C", x_Ward=CHIYODA,
                      x_BusinessSystem="resident_registry", Tags=tags),
        lake.lake_row("2025-04", 50, BillingAccountId="C", x_Ward=CHIYODA,
                      ChargeCategory="Tax", ServiceName="Tax"),
        lake.lake_row("2025-04", 1500, BillingAccountId="H", ServiceName="Transit Gateway"),
    ]  # fmt: skip
    lake.write_lake(ws, rows)


def test_builtin_apportionment_tax_and_fees(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _split_lake(ws)
    data = api.report("all", workspace=ws, as_of=date(2025, 5, 1))
    s = _ward(data, SETAGAYA)
    # before = after for the ward (built-ins stay within the billing account): 1,300
    assert s.cloud_before_apportionment_jpy == pytest.approx(1_300)
    assert s.cloud_to_date_jpy == pytest.approx(1_300)
    systems = {x.key: x.actual_to_date_jpy for x in s.by_business_system}
    # SP fee 200 → 児童手当 (the usage it covers); tax 100 by usage 600:300:100 → 60/30/10
    assert systems == pytest.approx({"resident_registry": 660, "child_allowance": 530, None: 110})
    # untagged = usage without tags only (100), not the tax or the fee
    assert s.untagged_cloud_jpy == pytest.approx(100)
    assert s.unallocated_system_cloud_jpy == pytest.approx(110)
    moved = {a.rule: (a.moved_out_jpy, a.moved_in_jpy) for a in s.apportionment}
    assert moved == {"commitment": (200, 200), "tax": (100, 100)}
    # the hub has no ward: unattributed until a rule apportions it
    assert data.unattributed_cloud_jpy == pytest.approx(1_500)


def test_user_rule_apportions_the_hub_and_every_yen_lands(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _split_lake(ws)
    (ws / "gcfinops.toml").write_text(
        '[[allocation.split]]\nname = "hub"\nmatch = { billing_account_id = "H" }\n'
        'to = "ward"\nmethod = "fixed"\nshares = { "世田谷区" = 0.6, "chiyoda" = 0.4 }\n',
        encoding="utf-8",
    )
    data = api.report("all", workspace=ws, as_of=date(2025, 5, 1))
    s, c = _ward(data, SETAGAYA), _ward(data, CHIYODA)
    assert s.cloud_to_date_jpy == pytest.approx(1_300 + 900)
    assert c.cloud_to_date_jpy == pytest.approx(550 + 600)
    assert {a.rule: a.net_jpy for a in s.apportionment}["hub"] == pytest.approx(900)
    assert data.unattributed_cloud_jpy == 0
    lake_total = 1_300 + 550 + 1_500
    assert s.cloud_to_date_jpy + c.cloud_to_date_jpy == pytest.approx(lake_total, abs=1e-6)
    table = str(report.render(data, "md"))
    assert "按分：hub" in table and "クラウド利用経費（按分前）" in table


def test_bad_split_rule_names_file_and_key(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _split_lake(ws)
    (ws / "gcfinops.toml").write_text(
        '[[allocation.split]]\nname = "hub"\nmatch = { billing_account_id = "H" }\n'
        'to = "ward"\nmethod = "fixed"\nshares = { "世田谷区" = 0.6 }\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"gcfinops\.toml.*allocation\.split\[1\].*add up to 1"):
        api.report("all", workspace=ws, as_of=date(2025, 5, 1))


# --- periods ---------------------------------------------------------------------------------


def test_billing_period_decides_the_month_and_the_rate(tmp_path: Path) -> None:
    """A Google Cloud line of 2025-03-31 23:00 UTC in invoice month April counts in April (FY2025)
    at April's rate; the same hour with invoice month March counts in March (FY2024)."""
    ws = tmp_path / "ws"
    hour = datetime(2025, 3, 31, 23, tzinfo=UTC)
    april = datetime(2025, 4, 1, 7, tzinfo=UTC)
    march = datetime(2025, 3, 1, 8, tzinfo=UTC)
    common = {"ProviderName": "Google Cloud", "BillingCurrency": "USD", "x_Ward": SETAGAYA,
              "ChargePeriodStart": hour, "ChargePeriodEnd": hour + timedelta(hours=1)}  # fmt: skip
    lake.write_lake(
        ws,
        [
            lake.lake_row("2025-04", 10.0, BillingPeriodStart=april, **common),
            lake.lake_row("2025-03", 1.0, BillingPeriodStart=march, **common),
            lake.lake_row("2025-04", 0.0, x_Ward=SETAGAYA),
        ],
    )
    (ws / "fx_rates.csv").write_text(
        "month,currency,rate_jpy,source\n2025-03,USD,150,t\n2025-04,USD,140,t\n", encoding="utf-8"
    )
    data = api.report(SETAGAYA, workspace=ws, fiscal_year=2025, as_of=date(2025, 5, 1))
    w = data.wards[0]
    assert w.cloud_to_date_jpy == pytest.approx(1_400)
    assert w.previous_fy_total_jpy == pytest.approx(150)
    assert [(r.month, r.rate_jpy) for r in data.fx_rates] == [("2025-03", 150), ("2025-04", 140)]


def test_prior_year_correction_is_shown_apart(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    refund_of = datetime(2025, 3, 1, tzinfo=UTC)  # usage of FY2024, corrected in May 2025
    lake.write_lake(
        ws,
        [
            lake.lake_row("2025-04", 1000.0, x_Ward=SETAGAYA),
            lake.lake_row("2025-05", 1000.0, x_Ward=SETAGAYA),
            lake.lake_row(
                "2025-05",
                -300.0,
                x_Ward=SETAGAYA,
                ChargeClass="Correction",
                ChargePeriodStart=refund_of,
                ChargePeriodEnd=refund_of + timedelta(days=31),
            ),
            # a correction within the same 年度 is netted as usual
            lake.lake_row(
                "2025-05",
                -50.0,
                x_Ward=SETAGAYA,
                ChargeClass="Correction",
                ChargePeriodStart=datetime(2025, 4, 1, tzinfo=UTC),
            ),
        ],
    )
    data = api.report(SETAGAYA, workspace=ws, as_of=date(2025, 6, 1))
    w = data.wards[0]
    assert w.cloud_to_date_jpy == pytest.approx(1_950)
    assert w.prior_year_corrections_jpy == pytest.approx(-300)
    assert "過年度分の返金・訂正" in str(report.render(data, "md"))
    assert json.loads(report.render(data, "json"))["wards"][0]["prior_year_corrections_jpy"] == -300


def test_initial_cost_is_kept_out_of_operating_cost(fixed_ws: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(fixed_ws, ws)
    path = store_path(Workspace(ws))
    with path.open("a", encoding="utf-8", newline="") as f:
        row = {c: "" for c in STORED_COLUMNS}
        row.update(ward=SETAGAYA, month="2025-05", fiscal_year="2025", cost_item="initial",
                   amount_jpy="5000000", vendor="移行事業者")  # fmt: skip
        csv.DictWriter(f, STORED_COLUMNS).writerow(row)
    w = api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF).wards[0]
    assert w.actual_to_date_jpy == pytest.approx(1_665_000)  # unchanged
    assert w.initial_cost_jpy == pytest.approx(5_000_000)


def test_incomplete_month_is_marked_and_left_out_of_the_run_rate(tmp_path: Path) -> None:
    """Two accounts; account B has September only through the 10th. September is incomplete:
    in the actual, not in the run-rate window (Jun–Aug instead of Jul–Sep)."""
    ws = tmp_path / "ws"
    rows = []
    for m in ("04", "05", "06", "07", "08", "09"):
        rows.append(lake.lake_row(f"2025-{m}", 100.0, x_Ward=SETAGAYA, BillingAccountId="A"))
        start = datetime(2025, int(m), 1, tzinfo=UTC)
        end = start + timedelta(days=10) if m == "09" else lake._month_end(start)
        rows.append(lake.lake_row(f"2025-{m}", 10.0 * int(m), x_Ward=SETAGAYA,
                                  BillingAccountId="B", ChargePeriodEnd=end))  # fmt: skip
    lake.write_lake(ws, rows)
    data = api.report(SETAGAYA, workspace=ws, as_of=date(2025, 10, 1))
    w = data.wards[0]
    september = next(m for m in w.by_month if m.month == "2025-09")
    assert (september.status, september.through) == ("incomplete", "2025-09-10")
    assert data.incomplete_months == ["2025-09"]
    assert data.forecast_window == ["2025-06", "2025-07", "2025-08"]
    assert data.complete_months == 5
    # actual: 6 × 100 + 10 × (4+…+9); forecast: complete 5 months + mean(Jun–Aug) × 7
    assert w.actual_to_date_jpy == pytest.approx(600 + 390)
    assert w.forecast_jpy == pytest.approx(500 + 300 + (160 + 170 + 180) / 3 * 7)
    assert "データ未着（10日まで）" in str(report.render(data, "md"))


def test_optional_tax_column_is_honoured_per_row(fixed_ws: Path, tmp_path: Path) -> None:
    """The CSVs' optional `tax` column, imported and passed through by the store readers: the
    住民基本台帳 ASP fee (1,200,000 a year) and the baseline's hardware lease (800,000, FY2018 at
    8 %) are entered 税抜 (`excluded`)."""
    ws = tmp_path / "ws"
    shutil.copytree(fixed_ws, ws)

    def with_tax(text: str, marked: str, value: str) -> str:
        lines = text.splitlines()
        rows = [f"{r},{value if marked in r else ''}" for r in lines[1:]]
        return "\n".join([lines[0] + ",tax", *rows]) + "\n"

    base = with_tax(lake.BASELINE_CSV, "hardware_lease", "excluded")
    costs = with_tax(lake.COSTS_CSV, "ASP 年額", "税抜")
    (tmp_path / "b.csv").write_text(base, encoding="utf-8")
    (tmp_path / "c.csv").write_text(costs, encoding="utf-8")
    api.import_baseline(tmp_path / "b.csv", workspace=ws)
    api.import_costs(tmp_path / "c.csv", workspace=ws)
    inc = api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF).wards[0]
    exc = api.report(SETAGAYA, workspace=ws, as_of=lake.AS_OF, tax_basis="excluded").wards[0]
    # 税込: the ASP fee 600,000 税抜 to date → 660,000; outsourcing 300,000 as entered
    assert inc.noncloud_to_date_jpy == pytest.approx(600_000 * 1.1 + 300_000)
    # 税抜: the ASP fee as entered, outsourcing 300,000 / 1.1
    assert exc.noncloud_to_date_jpy == pytest.approx(600_000 + 300_000 / 1.1)
    # baseline 税込: 800,000 × 1.08 + 1,200,000; 税抜: 800,000 + 1,200,000 / 1.08
    assert inc.baseline_jpy == pytest.approx(864_000 + 1_200_000)
    assert exc.baseline_jpy == pytest.approx(800_000 + 1_200_000 / 1.08)
