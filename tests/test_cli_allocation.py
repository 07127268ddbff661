"""`gcfinops allocation show` and `report --tax-basis` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gcfinops.cli import app
from report import lake

CONFIG = """\
[[allocation.split]]
name = "hub"
match = { billing_account_id = "H" }
to = "ward"
method = "even"
basis = "all"
"""


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """April 2025: setagaya usage 300 + tax 30 (account S), chiyoda usage 100 (account C),
    shared hub account H 1,001円 without a ward."""
    root = tmp_path_factory.mktemp("cli-allocation") / "ws"
    lake.write_lake(
        root,
        [
            lake.lake_row("2025-04", 300, BillingAccountId="S", x_Ward="131121"),
            lake.lake_row("2025-04", 30, BillingAccountId="S", x_Ward="131121",
                          ChargeCategory="Tax", ServiceName="Tax"),
            lake.lake_row("2025-04", 100, BillingAccountId="C", x_Ward="131016"),
            lake.lake_row("2025-04", 1001, BillingAccountId="H", ServiceName="Transit Gateway"),
        ],
    )  # fmt: skip
    (root / "gcfinops.toml").write_text(CONFIG, encoding="utf-8")
    return root


def _run(runner: CliRunner, ws: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["-w", str(ws), *args])


def test_show_json_lists_each_rule_and_where_it_went(runner: CliRunner, ws: Path) -> None:
    result = _run(runner, ws, "allocation", "show", "--month", "2025-04", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["month"] == "2025-04" and doc["cloud_total_jpy"] == 1431
    rules = {r["name"]: r for r in doc["rules"]}
    assert list(rules) == ["hub", "commitment", "tax"]
    hub = rules["hub"]
    assert (hub["matched_jpy"], hub["moved_jpy"], hub["no_basis_jpy"]) == (1001, 1001, 0)
    # 1,001 over two wards: 500.5 each → 501 to the smaller code (131016), 500 to 131121
    went = {d["keys"]["ward"]: d["amount_jpy"] for d in hub["destinations"]}
    assert went == {"131016": 501, "131121": 500}
    assert rules["tax"]["moved_jpy"] == 30 and rules["commitment"]["matched_jpy"] == 0


def test_show_table_defaults_to_the_latest_month(runner: CliRunner, ws: Path) -> None:
    result = _run(runner, ws, "allocation", "show")
    assert result.exit_code == 0, result.stderr
    assert "2025-04" in result.stdout and "hub" in result.stdout
    assert "1,431円" in result.stdout


@pytest.mark.parametrize(
    "args",
    [["--month", "2025-13"], ["--month", "2024-01"], ["--format", "xml"]],
)
def test_show_bad_input_exits_2(runner: CliRunner, ws: Path, args: list[str]) -> None:
    result = _run(runner, ws, "allocation", "show", *args)
    assert result.exit_code == 2, result.stdout


def test_bad_rule_exits_2_naming_the_key(runner: CliRunner, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    lake.write_lake(root, [lake.lake_row("2025-04", 1.0, x_Ward="131121")])
    (root / "gcfinops.toml").write_text(CONFIG.replace('"even"', '"lottery"'), encoding="utf-8")
    result = _run(runner, root, "allocation", "show")
    assert result.exit_code == 2
    assert "allocation.split[1]" in " ".join(result.stderr.split())


def test_report_tax_basis_option(runner: CliRunner, ws: Path) -> None:
    args = ["report", "--ward", "all", "--format", "json", "--as-of", "2025-05-01"]
    included = json.loads(_run(runner, ws, *args).stdout)
    excluded = json.loads(_run(runner, ws, *args, "--tax-basis", "excluded").stdout)
    assert (included["tax_basis"], excluded["tax_basis"]) == ("included", "excluded")
    setagaya = next(w for w in excluded["wards"] if w["ward"] == "131121")
    # the tax line is dropped; the hub's 500 stays
    assert setagaya["cloud_to_date_jpy"] == 300 + 500
    bad = _run(runner, ws, *args, "--tax-basis", "net")
    assert bad.exit_code == 2 and "--tax-basis" in bad.stderr
