"""`status` on a lake whose source had no EffectiveCost (a FOCUS file without the column):
the unit is listed with effective_cost null instead of crashing (exit 3 before)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from gcfinops.cli import app

FIXTURE = Path(__file__).parent / "adapters" / "fixtures" / "focus" / "focus12_lines.csv"


def test_status_lists_a_unit_without_effective_cost(tmp_path: Path) -> None:
    rows = list(csv.reader(FIXTURE.open(encoding="utf-8")))
    drop = rows[0].index("EffectiveCost")
    bill = tmp_path / "focus.csv"
    with bill.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(r[:drop] + r[drop + 1 :] for r in rows)
    ws = tmp_path / "ws"
    runner = CliRunner()
    ingest = runner.invoke(app, ["-w", str(ws), "ingest", str(bill), "--format", "focus"])
    assert ingest.exit_code == 0, ingest.output
    result = runner.invoke(app, ["-w", str(ws), "status", "--format", "json"])
    assert result.exit_code == 0, result.output
    units = json.loads(result.stdout)
    assert {u["effective_cost"] for u in units} == {None}
    assert sum(u["rows"] for u in units) == len(rows) - 1
    table = runner.invoke(app, ["-w", str(ws), "status"])
    assert table.exit_code == 0, table.output
