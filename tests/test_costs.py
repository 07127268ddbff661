"""Non-cloud cost CSV import: months, whole years, validation errors."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from gcfinops import api
from gcfinops.costs import store_path
from gcfinops.errors import ConfigError
from gcfinops.workspace import Workspace

HEADER = "ward,month,fiscal_year,business_system,cost_item,amount_jpy,vendor,note\n"


def _csv(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "c.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_month_rows_and_year_rows_are_stored_with_their_fiscal_year(tmp_path: Path) -> None:
    src = _csv(
        tmp_path,
        "setagaya,2026-03,,,network_lines,100000,回線社,3月分\n"
        "世田谷区,,2025,住民基本台帳,software_lease,1200000,ASP社,年額\n"
        "131121,2025-04,2025,,other_outsourcing,△10000,運用社,返金\n",
    )
    result = api.import_costs(src, workspace=tmp_path / "ws")
    assert result.totals == {("131121", 2025): Decimal("1290000")}
    with store_path(Workspace(tmp_path / "ws")).open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["month"], r["fiscal_year"]) for r in rows] == [
        ("2026-03", "2025"),
        ("", "2025"),
        ("2025-04", "2025"),
    ]
    assert rows[2]["amount_jpy"] == "-10000"


def test_month_only_header_is_enough(tmp_path: Path) -> None:
    src = _csv(
        tmp_path, "131121,2025-05,datacenter,1\n", header="ward,month,cost_item,amount_jpy\n"
    )
    assert api.import_costs(src, workspace=tmp_path / "ws").rows == 1


def test_period_errors_name_line_and_column(tmp_path: Path) -> None:
    src = _csv(
        tmp_path,
        "131121,,,,network_lines,1,,\n"
        "131121,2026-03,2026,,network_lines,1,,\n"
        "131121,2026/03,,,network_lines,1,,\n"
        "131121,2025-04,,,unknown,1,,\n",
    )
    with pytest.raises(ConfigError) as exc:
        api.import_costs(src, workspace=tmp_path / "ws")
    msg = exc.value.message
    assert f"{src}:2: column 'month': give a month (YYYY-MM) or a fiscal_year" in msg
    assert f"{src}:3: column 'fiscal_year': 2026-03 is in fiscal year 2025, not 2026" in msg
    assert f"{src}:4: column 'month': expected YYYY-MM" in msg
    assert f"{src}:5: column 'cost_item'" in msg
    assert not store_path(Workspace(tmp_path / "ws")).exists()


def test_neither_month_nor_fiscal_year_column(tmp_path: Path) -> None:
    src = _csv(tmp_path, "131121,network_lines,1\n", header="ward,cost_item,amount_jpy\n")
    with pytest.raises(ConfigError, match="a month or a fiscal_year column is needed"):
        api.import_costs(src, workspace=tmp_path / "ws")
