"""`gcfinops demo`, the README's first command, end to end: exit 0 and every section present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gcfinops.allocation.wards import WardDirectory
from gcfinops.cli import app
from gcfinops.cli.setup import print_ward_months
from gcfinops.cli.state import STATE
from gcfinops.resources import builtin
from gcfinops.summary import WardMonth

SAMPLE = builtin("sample_billing")


@pytest.mark.slow
def test_demo_runs_end_to_end(runner: CliRunner, tmp_path: Path) -> None:
    """The workspace is created in the current folder as documented, and each step prints."""
    if not (SAMPLE / "aws").is_dir():
        pytest.skip(f"sample exports not generated under {SAMPLE} (run sample_billing/generate.py)")
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = runner.invoke(app, ["demo"], env={"COLUMNS": "120", "GCFINOPS_WORKSPACE": None})
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    root = tmp_path / "gcfinops-demo"
    assert (root / ".gcfinops-demo").is_file() and (root / "ledger.json").is_file()
    err, out = result.stderr, result.stdout
    # ingest: the reconciliation table of the three clouds, every unit reconciled
    assert f"デモ用ワークスペース: {root}" in err
    assert "元データとレイクの照合" in err and "✓" in err
    for cloud in ("aws", "azure", "gcp"):
        assert f" {cloud} " in err
    assert "ファイル、" in err and "行をレイクへ" in err
    # what landed per ward and month, in yen
    assert "区別・月別の請求額 (BilledCost, 円)" in out
    for ward in ("千代田区", "世田谷区", "江戸川区"):
        assert ward in out
    assert "2024-04" in out and "2026-03" in out
    # rules: top findings with a yen total
    assert "削減候補" in out and "合計 (リソースごとに最大の削減額を 1 回だけ計上)" in out
    # the CI gate on the latest month (the sample plants a breach in 江戸川区)
    assert "gcfinops check 2026-03" in out and "江戸川区: 前月比" in out
    assert "日次の異常検知" in err
    # the ward report with its baseline
    assert "世田谷区 標準化対象システムの運用経費の状況" in out
    assert "換算レート" in out and "（単位：円）" in out
    assert "Error" not in err and "Internal error" not in err


def test_demo_refuses_a_folder_it_did_not_create(runner: CliRunner, tmp_path: Path) -> None:
    """A non-empty folder without the demo marker is never deleted (exit 2)."""
    (tmp_path / "mine.txt").write_text("keep me", encoding="utf-8")
    result = runner.invoke(app, ["demo", "-w", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not a gcfinops demo workspace" in result.stderr
    assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ja", ("区別・月別の請求額 (BilledCost, 円)", "世田谷区", "未割当", "1,500")),
     ("en", ("Billed cost by ward and month (BilledCost, JPY)", "Setagaya City", "Unallocated"))],
)  # fmt: skip
def test_ward_month_table_speaks_the_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, lang: str,
    expected: tuple[str, ...],
) -> None:  # fmt: skip
    """The demo's month × ward table: headings and ward names in Japanese, or English."""
    monkeypatch.setattr(STATE, "lang", lang)
    rows = [
        WardMonth("2025-04", "131121", "世田谷区", "USD", 10.0, 1500.0, 1),
        WardMonth("2025-04", None, None, "USD", 1.0, 150.0, 1),
    ]
    print_ward_months(rows, WardDirectory())
    text = capsys.readouterr().out
    for value in expected:
        assert value in text
