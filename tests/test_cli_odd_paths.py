"""A workspace (and bill) path with a space, an apostrophe and Japanese, through every step.

Paths reach DuckDB (`SET temp_directory`, `read_parquet('…')`), the ledger and the messages; a
quote in a path must never end a SQL string, and a path is never markup.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gcfinops.cli import app

FIXTURES = Path(__file__).resolve().parent / "adapters" / "fixtures"
CUR2 = FIXTURES / "aws-cur2" / "cur2_lines.csv"
WIDE = {"COLUMNS": "160"}

FOLDERS = [
    pytest.param("作業 領域/世田谷区 データ", id="space-japanese"),
    pytest.param("作業 領域/o'brien's 区", id="apostrophe"),
    pytest.param("作業 領域/区 [prod]", id="glob-characters"),
    pytest.param("作業 領域/a*b?c [x]", id="glob-star-question"),
]


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_step_works_in_an_odd_workspace_path(
    runner: CliRunner, tmp_path: Path, folder: str
) -> None:
    root = tmp_path / folder
    root.mkdir(parents=True)
    bill = root / "請求 o'brien.csv"
    shutil.copy(CUR2, bill)
    ws = str(root / "ws")

    def ok(*args: str) -> str:
        result = runner.invoke(app, [*args, "-w", ws], env=WIDE)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    ok("ingest", str(bill), "--lang", "en")
    units = json.loads(ok("status", "--format", "json"))
    assert {f for u in units for f in u["source_files"]} == {str(bill.resolve())}
    status = ok("status", "--lang", "en")
    assert "111122223333" in status
    for month in ("2025-03", "2025-04", "2025-05"):
        ok("fx", "set", month, "USD", "150", "--source", "test")
    ok("analyze", "--format", "json")
    assert isinstance(json.loads(ok("findings", "--format", "json")), list)
    out = root / "レポート 'r'.html"
    ok("report", "--as-of", "2025-06-01", "-o", str(out))
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    check = runner.invoke(app, ["check", "--format", "json", "-w", ws], env=WIDE)
    assert check.exit_code in (0, 1), check.output
    assert json.loads(check.stdout)["month"] == "2025-05"
