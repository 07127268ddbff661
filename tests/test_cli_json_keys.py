"""JSON outputs keep their keys now that the result objects shape them (`to_dict()`).

The key sets are the ones the CLI modules emitted before the move; a key may be added, never
renamed or dropped.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gcfinops.cli import app

FIXTURES = Path(__file__).resolve().parent / "adapters" / "fixtures"
CUR2 = FIXTURES / "aws-cur2" / "cur2_lines.csv"

STATUS = {"provider", "billing_account_id", "billing_account_name", "billing_period", "rows",
          "billed_cost", "effective_cost", "currency", "source_files"}  # fmt: skip
FX = {"month", "currency", "rate_jpy", "source", "note"}
RULE = {"id", "title", "title_ja", "category", "providers", "cost_basis", "confidence", "enabled",
        "builtin", "path", "rationale", "rationale_ja", "sources", "parameters"}  # fmt: skip
PARAMETER = {"value", "default", "type", "unit", "description", "source"}
ANALYZE = {"run_id", "as_of", "rules", "total_monthly_savings_jpy", "sum_of_monthly_savings_jpy",
           "findings", "skipped"}  # fmt: skip
ANALYZE_RULE = {"rule_id", "findings", "skipped", "monthly_savings_jpy", "seconds", "params"}
METRICS = {"source", "format", "points", "resources", "metrics", "start", "end"}


def _json(runner: CliRunner, ws: Path, *args: str) -> object:
    result = runner.invoke(app, [*args, "-w", str(ws)])
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout)


def test_json_keys_are_kept(runner: CliRunner, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["-q", "-w", str(ws), "ingest", str(CUR2)]).exit_code == 0
    for month in ("2025-04", "2025-05"):
        args = ["fx", "set", month, "USD", "150", "--source", "test", "-w", str(ws)]
        assert runner.invoke(app, args).exit_code == 0
    status = _json(runner, ws, "status", "--format", "json")
    assert isinstance(status, list) and status and all(set(u) == STATUS for u in status)
    assert all(isinstance(f, str) for u in status for f in u["source_files"])
    fx = _json(runner, ws, "fx", "list", "--format", "json")
    assert isinstance(fx, list) and [set(r) for r in fx] == [FX, FX]
    assert fx[0]["rate_jpy"] == "150"
    rules = _json(runner, ws, "rules", "list", "--format", "json")
    assert isinstance(rules, list) and all(set(r) == RULE for r in rules)
    assert all(set(p) == PARAMETER for r in rules for p in r["parameters"].values())
    shown = _json(runner, ws, "rules", "show", "untagged-cost", "--format", "json")
    assert isinstance(shown, dict) and set(shown) == RULE
    analyze = _json(runner, ws, "analyze", "--format", "json")
    assert isinstance(analyze, dict) and set(analyze) == ANALYZE
    assert all(set(r) == ANALYZE_RULE for r in analyze["rules"])
    metrics = tmp_path / "cpu.csv"
    metrics.write_text(
        "resource_id,timestamp,metric,value\ni-1,2025-04-01T00:00:00Z,CPUUtilization,5\n",
        encoding="utf-8",
    )
    files = _json(runner, ws, "ingest-metrics", str(metrics), "--format", "json")
    assert isinstance(files, list) and [set(f) for f in files] == [METRICS]
