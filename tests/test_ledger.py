"""ledger: which files are live, restatement bookkeeping, old and damaged ledger files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gcfinops.errors import InputError
from gcfinops.ledger import FileRecord, IngestRecord, Ledger, UnitRecord, unit_key

APRIL = unit_key("aws", "111122223333", "2025-04")
MAY = unit_key("aws", "111122223333", "2025-05")


def unit(period: str, billed: float) -> UnitRecord:
    return UnitRecord("aws", "111122223333", period, "USD", 2, 2, 0, billed, billed)


def test_files_stay_live_until_one_of_their_units_is_replaced(tmp_path: Path) -> None:
    """A file is 'already ingested' only while every unit it fed still comes from it."""
    ledger = Ledger(tmp_path / "ledger.json")
    both = FileRecord("both.csv", "h-both", 10, "aws-cur2", 4, units=[APRIL, MAY])
    ledger.record(IngestRecord("i1", "t1", [both], [unit("2025-04", 1), unit("2025-05", 2)]))
    assert ledger.live_hashes() == {"h-both"}
    fix = FileRecord("april-fix.csv", "h-fix", 10, "aws-cur2", 2, units=[APRIL])
    ledger.record(IngestRecord("i2", "t2", [fix], [unit("2025-04", 3)], replaced=[APRIL]))
    assert ledger.live_hashes() == {"h-fix"}
    assert ledger.live == {APRIL: "i2", MAY: "i1"}
    assert ledger.seen("h-both").ingest_id == "i1"  # type: ignore[union-attr]
    assert [u.billed_written for u in ledger.units_of("i1", APRIL)] == [1]


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    """Everything recorded is read back the same."""
    path = tmp_path / "ledger.json"
    ledger = Ledger(path)
    rec = IngestRecord("i1", "t1", [FileRecord("a.csv", "h", 1, "focus", 1, [APRIL])],
                       [unit("2025-04", 5.5)])  # fmt: skip
    ledger.record(rec)
    ledger.save()
    again = Ledger(path)
    assert again.ingests == [rec] and again.live == {APRIL: "i1"}


def test_ledger_without_per_file_units_still_loads(tmp_path: Path) -> None:
    """Ledgers written before files recorded their units: a file is live while its ingest
    still owns any unit."""
    path = tmp_path / "ledger.json"
    old = {"version": 1, "live": {APRIL: "i1"}, "ingests": [{
        "ingest_id": "i1", "time": "t", "replaced": [],
        "files": [{"path": "a.csv", "sha256": "h", "bytes": 1, "format": "aws-cur2", "rows": 1}],
        "units": [{"provider": "aws", "billing_account_id": "111122223333",
                   "billing_period": "2025-04", "currency": "USD", "rows_read": 1,
                   "rows_written": 1, "rows_folded": 0, "billed_read": 1.0,
                   "billed_written": 1.0}]}]}  # fmt: skip
    path.write_text(json.dumps(old))
    ledger = Ledger(path)
    assert ledger.live_hashes() == {"h"}
    assert ledger.ingests[0].units[0].netted == 0.0


@pytest.mark.parametrize("text", ["{not json", '{"ingests": [{"ingest_id": 1}]}', "[]"])
def test_damaged_ledger_is_an_input_error(tmp_path: Path, text: str) -> None:
    """A damaged ledger names itself and how to recover, instead of a traceback."""
    path = tmp_path / "ledger.json"
    path.write_text(text)
    with pytest.raises(InputError, match="the ingest ledger is damaged") as e:
        Ledger(path)
    assert str(path) in str(e.value) and e.value.hint


def test_sources_of_a_unit_are_only_the_files_that_fed_it(tmp_path: Path) -> None:
    """The audit trail: one ingest of several files lists each file under its own units."""
    ledger = Ledger(tmp_path / "ledger.json")
    april = FileRecord("april.csv", "h-a", 10, "aws-cur2", 2, units=[APRIL])
    may = FileRecord("may.csv", "h-m", 10, "aws-cur2", 2, units=[MAY])
    both = FileRecord("both.csv", "h-b", 10, "aws-cur2", 2, units=[APRIL, MAY])
    empty = FileRecord("header-only.csv", "h-e", 10, "aws-cur2", 0, units=[])
    ledger.record(
        IngestRecord(
            "i1", "t1", [april, may, both, empty], [unit("2025-04", 1), unit("2025-05", 2)]
        )
    )
    assert [f.path for f in ledger.sources_of(APRIL)] == ["april.csv", "both.csv"]
    assert [f.path for f in ledger.sources_of(MAY)] == ["may.csv", "both.csv"]
    assert ledger.sources_of(unit_key("aws", "1", "2025-06")) == []


def test_sources_of_in_a_ledger_without_file_units_lists_the_whole_ingest(tmp_path: Path) -> None:
    """Ledgers written before files recorded their units keep the old answer (every file)."""
    ledger = Ledger(tmp_path / "ledger.json")
    files = [FileRecord("a.csv", "h-a", 1), FileRecord("b.csv", "h-b", 1)]
    ledger.record(IngestRecord("i1", "t1", files, [unit("2025-04", 1)]))
    assert [f.path for f in ledger.sources_of(APRIL)] == ["a.csv", "b.csv"]
