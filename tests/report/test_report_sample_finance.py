"""On the shipped sample (FY2025, AWS + Azure + Google Cloud): every yen of the fiscal year lands
in a ward after apportionment, and the untagged figure is the genuinely untagged usage."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gcfinops import api
from gcfinops.db import connect
from gcfinops.fx import FxTable, register_fx
from gcfinops.lake import lake_view_sql
from gcfinops.money import to_yen
from gcfinops.workspace import Workspace

SAMPLE = Path(__file__).resolve().parents[2] / "sample_billing"


@pytest.fixture(scope="module")
def sample_ws(
    tmp_path_factory: pytest.TempPathFactory, sample_lake_copy: Callable[[Path], Path]
) -> Path:
    return sample_lake_copy(tmp_path_factory.mktemp("sample-finance") / "ws")


def _lake_fy2025(ws: Path, where: str) -> dict[str | None, float]:
    """Independent query: cost of billing periods 2025-04 … 2026-03 in yen, per ward."""
    con = connect()
    con.execute(f"CREATE TEMP VIEW lake AS {lake_view_sql(Workspace(ws))}")
    con.execute(
        f"""CREATE TEMP TABLE r AS
            SELECT x_Ward AS ward, strftime(BillingPeriodStart, '%Y-%m') AS month,
                   BillingCurrency AS currency, sum(BilledCost) AS amount
            FROM lake
            WHERE strftime(BillingPeriodStart, '%Y-%m') BETWEEN '2025-04' AND '2026-03' {where}
            GROUP BY ALL"""
    )
    register_fx(
        con,
        FxTable.load(ws / "fx_rates.csv"),
        "(SELECT currency AS BillingCurrency, CAST(month || '-01' AS TIMESTAMP)"
        " AS ChargePeriodStart FROM r)",
    )
    rows = con.execute(
        "SELECT r.ward, sum(r.amount * f.rate_jpy) FROM r JOIN gcf_fx AS f "
        "ON f.month = r.month AND f.currency = r.currency GROUP BY r.ward"
    ).fetchall()
    return {w: float(a) for w, a in rows}


def test_sum_over_wards_after_apportionment_equals_the_lake_total(sample_ws: Path) -> None:
    data = api.report("all", workspace=sample_ws, fiscal_year=2025)
    after = sum(w.cloud_to_date_jpy for w in data.wards) + data.unattributed_cloud_jpy
    total = sum(_lake_fy2025(sample_ws, "").values())
    assert to_yen(after) == to_yen(total)
    assert after == pytest.approx(total, abs=0.01)
    for w in data.wards:  # the built-ins stay inside each ward's own billing account here
        assert w.cloud_to_date_jpy == pytest.approx(w.cloud_before_apportionment_jpy, abs=0.01)
        assert {a.rule for a in w.apportionment} <= {"tax", "commitment"}


def test_untagged_is_usage_without_tags_only(sample_ws: Path) -> None:
    data = api.report("all", workspace=sample_ws, fiscal_year=2025)
    untagged = _lake_fy2025(
        sample_ws, "AND ChargeCategory = 'Usage' AND (Tags IS NULL OR cardinality(Tags) = 0)"
    )
    for w in data.wards:
        assert w.untagged_cloud_jpy == pytest.approx(untagged.get(w.ward, 0.0), abs=0.01)
    setagaya = next(w for w in data.wards if w.ward == "131121")
    # issue #12: 114,499円 (0.36 %), not 5,142,703円 (16 %) with tax and commitment fees
    assert to_yen(setagaya.untagged_cloud_jpy) == 114_499
    assert setagaya.untagged_share == pytest.approx(0.0036, abs=0.00005)
