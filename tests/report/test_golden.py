"""Golden files for the Markdown and JSON reports of the fixed workspace.

Regenerate with GCFINOPS_UPDATE_GOLDEN=1 and review the diff like code; never edit by hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from gcfinops import api, report
from report import lake

PREPARED_ON = date(2025, 10, 6)  # the header block's 作成日 (default: today in JST)
CASES = [
    ("131121", "ja", "thousand", "md", "report_ward_131121.md"),  # the handout's default unit
    ("131121", "ja", "yen", "table", "report_ward_131121_terminal.txt"),
    ("131121", "en", "thousand", "md", "report_ward_131121_en_thousand.md"),
    ("131121", "ja", "yen", "json", "report_ward_131121.json"),
    ("all", "ja", "thousand", "md", "report_all.md"),
    ("all", "ja", "yen", "json", "report_all.json"),
]


@pytest.mark.parametrize(("ward", "lang", "unit", "fmt", "name"), CASES, ids=[c[4] for c in CASES])
def test_report_matches_golden(
    fixed_ws: Path,
    report_golden: Callable[[str, str], None],
    ward: str,
    lang: str,
    unit: str,
    fmt: str,
    name: str,
) -> None:
    data = api.report(ward, workspace=fixed_ws, as_of=lake.AS_OF, prepared_on=PREPARED_ON)
    text = report.render(data, fmt, lang=lang, unit=unit)  # type: ignore[arg-type]
    assert isinstance(text, str)
    report_golden(name, text)


def test_json_has_the_documented_keys(fixed_ws: Path) -> None:
    data = api.report("131121", workspace=fixed_ws, as_of=lake.AS_OF)
    doc = json.loads(report.render(data, "json"))
    ward = doc["wards"][0]
    for key in (
        "ward",
        "ward_name",
        "fiscal_year",
        "baseline_jpy",
        "target_jpy",
        "actual_to_date_jpy",
        "forecast_jpy",
        "forecast_ratio_to_baseline",
        "gap_to_target_jpy",
        "identified_savings_jpy",
        "by_cost_item",
        "by_business_system",
        "by_month",
    ):
        assert key in ward, key
    assert ward["forecast_jpy"] == 3_435_000 and isinstance(ward["forecast_jpy"], int)
    assert ward["forecast_ratio_to_baseline"] == 1.7175
    assert ward["gap_to_target_jpy"] == 2_035_000
    assert doc["fiscal_year_label"] == "2025年度 (令和7年度)"
    assert doc["fx_rates"] == [
        {
            "month": "2025-09",
            "currency": "USD",
            "rate_jpy": 150.0,
            "source": "test bank TTM 2025-09",
        }
    ]
