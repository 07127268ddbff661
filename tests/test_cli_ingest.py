"""`gcfinops ingest`, `status` and `formats` through the CLI: exit codes, output, messages."""

from __future__ import annotations

import dataclasses
import gzip
import json
import threading
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gcfinops import adapters
from gcfinops.adapters.base import expr
from gcfinops.cli import app, output
from gcfinops.workspace import Workspace

FIXTURES = Path(__file__).resolve().parent / "adapters" / "fixtures"
CUR2 = FIXTURES / "aws-cur2" / "cur2_lines.csv"
LEGACY = FIXTURES / "aws-cur-legacy-csv" / "cur_legacy.csv"
FOCUS = FIXTURES / "focus" / "focus12_lines.csv"
WIDE = {"COLUMNS": "100"}


def cells(line: str) -> int:
    """Terminal cells a line takes (CJK characters are two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def run(runner: CliRunner, ws: Path, *args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, ["-w", str(ws), *args], env=env or WIDE)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_ingest_prints_a_reconciliation_table_within_100_columns(
    runner: CliRunner, tmp_path: Path, lang: str
) -> None:
    """Rows and totals per period and currency, source vs lake, readable at 100 columns."""
    result = run(runner, tmp_path, "ingest", "--lang", lang, str(CUR2), str(FOCUS))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # data commands write stdout; ingest reports on stderr
    lines = result.stderr.splitlines()
    assert max(cells(line) for line in lines) <= 100
    table = "\n".join(lines)
    # AWS April: the CUR rows (1,347.0798) and FOCUS's AWS rows (99.748) share one unit
    for expected in ("2025-04", "111122223333", "USD", "JPY", "1,446.83", "1,500.00", "✓"):
        assert expected in table
    heading = "元の合計" if lang == "ja" else "Source total"
    assert heading in table
    summary = "2 ファイル" if lang == "ja" else "2 file(s), 32 rows into the lake (1 folded)."
    assert summary in table


def test_negative_totals_use_a_triangle_in_japanese(runner: CliRunner, tmp_path: Path) -> None:
    """A decrease prints as △ in Japanese and - in English."""
    credit = tmp_path / "credit.csv"
    text = FOCUS.read_text(encoding="utf-8").splitlines()
    credit.write_text("\n".join([text[0], text[5]]) + "\n", encoding="utf-8")  # the −5 credit
    ja = run(runner, tmp_path / "a", "ingest", str(credit))
    assert "△5.00" in ja.stderr
    en = run(runner, tmp_path / "b", "ingest", "--lang", "en", str(credit))
    assert "-5.00" in en.stderr


def test_reingest_says_nothing_to_do(runner: CliRunner, tmp_path: Path) -> None:
    """The second ingest of the same file is a no-op, and says so."""
    assert run(runner, tmp_path, "ingest", str(CUR2)).exit_code == 0
    again = run(runner, tmp_path, "ingest", "--lang", "en", str(CUR2))
    assert again.exit_code == 0
    assert "Already ingested: 1 file(s) unchanged" in again.stderr


def test_restatement_is_reported(runner: CliRunner, tmp_path: Path) -> None:
    """A corrected file names the unit it replaced with the old and new totals."""
    assert run(runner, tmp_path, "ingest", str(CUR2)).exit_code == 0
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(CUR2.read_text(encoding="utf-8").replace(",-5,", ",-6,", 1), encoding="utf-8")
    result = run(runner, tmp_path, "ingest", "--lang", "en", str(fixed))
    assert result.exit_code == 0
    assert "Restated: aws 111122223333 2025-04 USD: 1,347.08 → 1,346.08" in result.stderr


def test_status_json(runner: CliRunner, tmp_path: Path) -> None:
    """`status --format json` lists provider, account, period, rows, billed cost, currency."""
    run(runner, tmp_path, "ingest", str(CUR2))
    result = run(runner, tmp_path, "status", "--format", "json")
    assert result.exit_code == 0
    units = json.loads(result.stdout)
    keys = {"provider", "billing_account_id", "billing_period", "rows", "billed_cost", "currency"}
    assert all(keys <= set(u) for u in units)
    got = [(u["provider"], u["billing_account_id"], u["billing_period"], u["rows"],
            u["billed_cost"], u["currency"]) for u in units]  # fmt: skip
    assert got == [
        ("AWS", "111122223333", "2025-04", 22, pytest.approx(1347.0798), "USD"),
        ("AWS", "111122223333", "2025-05", 2, pytest.approx(0.268), "USD"),
    ]


def test_quiet_prints_no_table(runner: CliRunner, tmp_path: Path) -> None:
    """`--quiet`: no table, no summary, no progress."""
    result = runner.invoke(app, ["-q", "-w", str(tmp_path), "ingest", str(CUR2)], env=WIDE)
    assert result.exit_code == 0
    assert result.stderr == "" and result.stdout == ""


def test_progress_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The progress bar exists on a TTY and never when piped or with --quiet."""

    class Tty:
        def isatty(self) -> bool:
            return True

        def write(self, s: str) -> int:
            return len(s)

        def flush(self) -> None:
            pass

    monkeypatch.setattr(output.STATE, "quiet", False)
    with output.file_progress(True) as progress:
        assert progress is None  # pytest's stderr is not a terminal
    monkeypatch.setattr(output.sys, "stderr", Tty())
    with output.file_progress(True) as progress:
        assert callable(progress)
        progress("x.csv", 1, 2)
    monkeypatch.setattr(output.STATE, "quiet", True)
    with output.file_progress(True) as progress:
        assert progress is None


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "file is empty"),
        ("header.csv", CUR2.read_bytes().split(b"\n")[0] + b"\n", "header but no data rows"),
        ("cut.csv.gz", gzip.compress(CUR2.read_bytes())[:200], "damaged or truncated"),
        ("other.csv", b"date,amount\n2025-04-01,100\n", "not a billing export gcfinops knows"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    runner: CliRunner, tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    """Bad files: exit 2, `Error: <path>…: <what>` on stderr, nothing written."""
    path = tmp_path / name
    path.write_bytes(data)
    result = run(runner, tmp_path / "ws", "ingest", str(path), env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {path}")
    assert message in result.stderr
    assert not (tmp_path / "ws" / "lake").exists()


def test_bad_number_message_like_a_compiler(runner: CliRunner, tmp_path: Path) -> None:
    """`path:line: column 'x': not a number (found …, expected …)`."""
    bad = tmp_path / "bad.csv"
    bad.write_text(CUR2.read_text(encoding="utf-8").replace(",89.28,", ",89.28 USD,", 1))
    result = run(runner, tmp_path / "ws", "ingest", str(bad), env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert (
        f"Error: {bad}:7: column 'line_item_unblended_cost': not a number (found '89.28 USD', "
        "expected a number such as 12.34"
    ) in result.stderr


def test_unknown_format_lists_what_each_format_lacked(runner: CliRunner, tmp_path: Path) -> None:
    """Every adapter tried is listed with the detection columns it did not find."""
    other = tmp_path / "other.csv"
    other.write_text("date,amount\n2025-04-01,100\n")
    result = run(runner, tmp_path / "ws", "ingest", str(other), env={"COLUMNS": "300"})
    assert result.exit_code == 2
    for name in ("aws-cur2", "aws-cur-legacy-csv", "aws-cur-legacy-athena", "focus"):
        assert f"{name}: lacks" in result.stderr
    assert "Hint: pass --format NAME" in result.stderr


def test_ambiguous_format_and_format_option(runner: CliRunner, tmp_path: Path) -> None:
    """A header two formats claim is an error naming both; `--format` settles it."""
    legacy = LEGACY.read_text(encoding="utf-8").splitlines()
    both = tmp_path / "both.csv"
    extra = ",line_item_unblended_cost,line_item_line_item_type,bill_billing_period_start_date"
    both.write_text("\n".join([legacy[0] + extra] + [r + ",,," for r in legacy[1:]]) + "\n")
    result = run(runner, tmp_path / "ws", "ingest", str(both), env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "header matches several formats: aws-cur-legacy-csv, aws-cur-legacy-athena" in (
        result.stderr
    )
    forced = run(runner, tmp_path / "ws", "ingest", "--format", "aws-cur-legacy-csv", str(LEGACY))
    assert forced.exit_code == 0


def test_unknown_format_name(runner: CliRunner, tmp_path: Path) -> None:
    """`--format` with a name that does not exist lists the names that do."""
    result = run(runner, tmp_path, "ingest", "--format", "cur3", str(CUR2), env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "unknown format 'cur3'; formats: aws-cur-legacy-athena" in result.stderr


def test_bad_default_option(runner: CliRunner, tmp_path: Path) -> None:
    """`--default` must be COLUMN=VALUE."""
    result = run(runner, tmp_path, "ingest", "--default", "USD", str(FOCUS))
    assert result.exit_code == 2
    assert "--default expects COLUMN=VALUE (found 'USD')" in result.stderr


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    """A path that does not exist."""
    result = run(runner, tmp_path, "ingest", str(tmp_path / "nope.csv"), env={"COLUMNS": "300"})
    assert result.exit_code == 2 and "no such file or folder" in result.stderr


def test_reconciliation_failure_exits_1(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Totals that do not reconcile: exit 1, the lake unchanged."""
    good = adapters.ADAPTERS["focus"]
    broken = dataclasses.replace(
        good, columns={**good.columns, "BilledCost": expr("{BilledCost} + 1")}
    )
    monkeypatch.setitem(adapters.ADAPTERS, "focus", broken)
    result = run(runner, tmp_path, "ingest", str(FOCUS), env={"COLUMNS": "300"})
    assert result.exit_code == 1
    assert "totals written differ from totals read; the lake was not changed" in result.stderr
    assert not (tmp_path / "lake").exists()


def test_lock_timeout(runner: CliRunner, tmp_path: Path) -> None:
    """Another writer holds the workspace: exit 2 after --lock-timeout, with a hint."""
    ws = Workspace(tmp_path)
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with ws.lock():
            held.set()
            release.wait(30)

    t = threading.Thread(target=holder)
    t.start()
    held.wait(30)
    try:
        result = run(runner, tmp_path, "ingest", "--lock-timeout", "0.2", str(CUR2))
    finally:
        release.set()
        t.join()
    assert result.exit_code == 2
    assert "another gcfinops process is writing" in result.stderr
    assert "Hint: wait for it to finish, or raise --lock-timeout" in result.stderr


def test_formats_lists_every_adapter(runner: CliRunner) -> None:
    """`gcfinops formats` names every registered adapter (the values --format takes)."""
    result = runner.invoke(app, ["formats"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for name in adapters.ADAPTERS:
        assert name in result.stdout


def test_default_fills_empty_cells_and_says_how_many(runner: CliRunner, tmp_path: Path) -> None:
    """`--default COLUMN=VALUE` fills the empty cells of a present column (not only absent
    columns) and the ingest output counts them per column (issue 14 item 3b)."""
    oci = FIXTURES / "oci-cost-report" / "missing_currency.csv"
    refused = run(runner, tmp_path / "a", "ingest", str(oci))
    assert refused.exit_code == 2 and "missing_currency.csv:4" in refused.stderr
    ok = run(runner, tmp_path / "b", "ingest", "--lang", "en",
             "--default", "cost/currencyCode=JPY", str(oci))  # fmt: skip
    assert ok.exit_code == 0, ok.stderr
    assert "--default cost/currencyCode=JPY filled 1 empty cell(s)" in ok.stderr


def test_empty_file_in_a_folder_is_a_note_not_an_abort(runner: CliRunner, tmp_path: Path) -> None:
    """A header-only file next to a good one: exit 0, the note on stderr (issue 14 item 3c)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.csv").write_bytes(CUR2.read_bytes())
    (folder / "b.csv").write_text(CUR2.read_text(encoding="utf-8").splitlines()[0] + "\n")
    result = run(runner, tmp_path / "ws", "ingest", "--lang", "en", str(folder))
    assert result.exit_code == 0, result.stderr
    assert "b.csv: file has a header but no data rows; skipped" in result.stderr


def test_formats_lists_every_header_set_and_its_source(runner: CliRunner) -> None:
    """`gcfinops formats` shows each adapter's header sets with their sources (issue 14 item 6);
    `--format json` gives the same as data."""
    result = runner.invoke(app, ["formats"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.stderr
    flat = " ".join(result.stdout.split())
    for a in adapters.ADAPTERS.values():
        assert a.variants
        for v in a.variants:
            assert " ".join(v.name.split())[:30] in flat, (a.name, v.name)
    assert "cost-usage-details-pay-as-you-go.md" in flat
    data = json.loads(runner.invoke(app, ["formats", "--format", "json"]).stdout)
    by_name = {d["name"]: d for d in data}
    assert set(by_name) == set(adapters.ADAPTERS)
    payg = by_name["azure-payg-usage"]["header_sets"]
    assert [h["name"] for h in payg][:2] == ["English (2019-11-01)", "camelCase"]
    assert "PreTaxCost" in payg[0]["columns"] and payg[0]["source"]


def test_status_lists_only_the_files_that_delivered_each_unit(
    runner: CliRunner, tmp_path: Path
) -> None:
    """One ingest of two files of different periods: each unit names only its own file."""
    header, *rows = CUR2.read_text(encoding="utf-8").splitlines()
    start = header.split(",").index("bill_billing_period_start_date")
    april, may = tmp_path / "april.csv", tmp_path / "may.csv"
    for path, period in ((april, "2025-04"), (may, "2025-05")):
        mine = [r for r in rows if r.split(",")[start].startswith(period)]
        path.write_text("\n".join([header, *mine]) + "\n", encoding="utf-8")
    ws = tmp_path / "ws"
    assert run(runner, ws, "ingest", str(april), str(may)).exit_code == 0
    result = run(runner, ws, "status", "--format", "json")
    assert result.exit_code == 0, result.stderr
    units = {u["billing_period"]: u["source_files"] for u in json.loads(result.stdout)}
    assert units == {"2025-04": [str(april.resolve())], "2025-05": [str(may.resolve())]}
    assert all(isinstance(f, str) for files in units.values() for f in files)
