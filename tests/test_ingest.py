"""Ingest and the lake's safety: idempotency, restatement, crashes mid-swap, failures during
staging, the workspace lock, reconciliation failures, export folders with manifests."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import hashlib
import io
import json
import shutil
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from gcfinops import adapters, lake
from gcfinops.adapters.base import expr
from gcfinops.errors import EmptyFileError, InputError, LockedError, ReconciliationError
from gcfinops.ingest import ingest
from gcfinops.ledger import Ledger
from gcfinops.workspace import Workspace

FIXTURES = Path(__file__).resolve().parent / "adapters" / "fixtures"
CUR2 = FIXTURES / "aws-cur2" / "cur2_lines.csv"
FOCUS = FIXTURES / "focus" / "focus12_lines.csv"


def snapshot(ws: Workspace) -> dict[str, str]:
    """Every file under lake/, folded/ and the ledger, by relative path → sha256."""
    out = {}
    for tree in ("lake", "folded"):
        for f in sorted((ws.root / tree).rglob("*")) if (ws.root / tree).exists() else []:
            if f.is_file():
                out[str(f.relative_to(ws.root))] = hashlib.sha256(f.read_bytes()).hexdigest()
    if ws.ledger_path.exists():
        out["ledger.json"] = hashlib.sha256(ws.ledger_path.read_bytes()).hexdigest()
    return out


def leftovers(ws: Workspace) -> list[str]:
    """Anything left in the workspace's temporary area or a journal."""
    found = [str(p) for p in ws.tmp.rglob("*")] if ws.tmp.exists() else []
    return found + ([str(ws.journal)] if ws.journal.exists() else [])


def cur2_table() -> tuple[list[str], list[list[str]]]:
    """The CUR 2.0 fixture as header and rows."""
    with CUR2.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    return table[0], table[1:]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def period_of(header: list[str], row: list[str]) -> str:
    return row[header.index("bill_billing_period_start_date")][:7]


def restated(tmp_path: Path) -> Path:
    """A corrected April for the same payer: li-01 costs twice as much (+0.248); no May rows."""
    header, rows = cur2_table()
    ident, cost = header.index("identity_line_item_id"), header.index("line_item_unblended_cost")
    april = [r for r in rows if period_of(header, r) == "2025-04"]
    for r in april:
        if r[ident] == "li-01":
            r[cost] = "0.496"
    return write_csv(tmp_path / "cur2_april_corrected.csv", header, april)


def test_reingesting_the_same_file_is_a_noop(tmp_workspace: Workspace) -> None:
    """Same content (sha256) → nothing read, nothing written, ledger unchanged."""
    first = ingest(tmp_workspace, [CUR2])
    before = snapshot(tmp_workspace)
    again = ingest(tmp_workspace, [CUR2])
    assert first.ingest_id and not first.skipped
    assert again.skipped and again.ingest_id is None
    assert snapshot(tmp_workspace) == before
    assert leftovers(tmp_workspace) == []


def test_corrected_file_replaces_its_units(tmp_workspace: Workspace, tmp_path: Path) -> None:
    """A restated April replaces April only: old rows gone, new total, May untouched."""
    ingest(tmp_workspace, [CUR2])
    may_before = {k: v for k, v in snapshot(tmp_workspace).items() if "2025-05" in k}
    result = ingest(tmp_workspace, [restated(tmp_path)])
    assert result.replaced == ["aws|111122223333|2025-04"]
    (old,) = result.previous
    assert old.billed_written == pytest.approx(1347.0798)
    (new,) = result.units
    assert new.billed_written == pytest.approx(1347.0798 + 0.248)
    assert {k: v for k, v in snapshot(tmp_workspace).items() if "2025-05" in k} == may_before
    ledger = Ledger(tmp_workspace.ledger_path)
    assert ledger.live["aws|111122223333|2025-04"] == result.ingest_id
    import duckdb

    rows = (
        duckdb.connect()
        .execute(
            f"SELECT count(*), sum(BilledCost) FROM '{tmp_workspace.lake}/**/*.parquet' "
            "WHERE strftime(BillingPeriodStart, '%Y-%m') = '2025-04'"
        )
        .fetchone()
    )
    # 20 source rows + 2 generated unused-commitment rows (BilledCost 0); exact DECIMAL money
    assert rows[0] == 22 and rows[1] == Decimal("1347.3278")


def test_old_version_after_restatement_is_read_again(
    tmp_workspace: Workspace, tmp_path: Path
) -> None:
    """The original file, once replaced, is no longer 'already ingested' — with a warning."""
    ingest(tmp_workspace, [CUR2])
    ingest(tmp_workspace, [restated(tmp_path)])
    back = ingest(tmp_workspace, [CUR2])
    assert not back.skipped
    assert any("ingested before" in w and "replaced" in w for w in back.warnings)


# Restating April and adding Azure's April in one ingest takes 5 renames: lake/aws April moved
# aside and replaced (2), lake/azure April added (1), folded/aws April moved aside and replaced (2).
SWAP_RENAMES = 5


@pytest.mark.parametrize("n", range(1, SWAP_RENAMES + 1))
def test_crash_mid_swap_leaves_the_lake_as_before(
    tmp_workspace: Workspace, tmp_path: Path, n: int
) -> None:
    """An injected failure after n renames (replace one unit, add another) is undone."""
    ingest(tmp_workspace, [CUR2])
    before = snapshot(tmp_workspace)
    corrected = restated(tmp_path)
    with pytest.raises(OSError, match=f"injected failure after {n} renames"):
        ingest(tmp_workspace, [corrected, FOCUS], _fail_after_renames=n)
    assert snapshot(tmp_workspace) == before
    assert leftovers(tmp_workspace) == []
    # ...and the next ingest works normally.
    result = ingest(tmp_workspace, [corrected, FOCUS])
    assert result.replaced == ["aws|111122223333|2025-04"]


def test_swap_rename_count(tmp_workspace: Workspace, tmp_path: Path) -> None:
    """The crash test above covers every rename: one more and the swap completes."""
    ingest(tmp_workspace, [CUR2])
    result = ingest(
        tmp_workspace, [restated(tmp_path), FOCUS], _fail_after_renames=SWAP_RENAMES + 1
    )
    # one aws April unit (the CUR rows and FOCUS's AWS rows share payer and period), one azure
    assert [(u.provider, u.rows_read) for u in result.units] == [("aws", 28), ("azure", 1)]
    assert leftovers(tmp_workspace) == []


def test_failure_while_staging_leaves_nothing(tmp_workspace: Workspace, tmp_path: Path) -> None:
    """The second file is bad: no lake, no ledger, no temporary files."""
    bad = tmp_path / "bad.csv"
    bad.write_text(FOCUS.read_text(encoding="utf-8").replace(",89.28,", ",8928円,", 1))
    with pytest.raises(InputError, match="not a number"):
        ingest(tmp_workspace, [CUR2, bad])
    assert snapshot(tmp_workspace) == {}
    assert leftovers(tmp_workspace) == []


def test_failure_while_staging_keeps_the_existing_lake(
    tmp_workspace: Workspace, tmp_path: Path
) -> None:
    """A bad file on a workspace with data changes nothing."""
    ingest(tmp_workspace, [FOCUS])
    before = snapshot(tmp_workspace)
    truncated = tmp_path / "cut.csv.gz"
    truncated.write_bytes(gzip.compress(CUR2.read_bytes())[:300])
    with pytest.raises(InputError):
        ingest(tmp_workspace, [truncated])
    assert snapshot(tmp_workspace) == before
    assert leftovers(tmp_workspace) == []


def test_reconciliation_failure_exits_1_and_changes_nothing(
    tmp_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken BilledCost mapping is caught by reconciliation; the lake is left as it was."""
    ingest(tmp_workspace, [FOCUS])
    before = snapshot(tmp_workspace)
    good = adapters.ADAPTERS["aws-cur2"]
    broken = dataclasses.replace(
        good,
        columns={
            **good.columns,
            "BilledCost": expr("TRY_CAST({line_item_unblended_cost} AS DOUBLE) * 1.1"),
        },
    )
    monkeypatch.setitem(adapters.ADAPTERS, "aws-cur2", broken)
    with pytest.raises(ReconciliationError) as e:
        ingest(tmp_workspace, [CUR2])
    assert e.value.exit_code == 1
    assert "aws 111122223333 2025-04 USD: source 1,347.079800 vs lake" in str(e.value)
    assert snapshot(tmp_workspace) == before
    assert leftovers(tmp_workspace) == []


def test_locked_workspace_times_out(tmp_workspace: Workspace) -> None:
    """While another holder has the lock, ingest gives up after the timeout with LockedError."""
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with tmp_workspace.lock():
            held.set()
            release.wait(30)

    t = threading.Thread(target=holder)
    t.start()
    held.wait(30)
    try:
        with pytest.raises(LockedError, match="another gcfinops process is writing"):
            ingest(tmp_workspace, [CUR2], lock_timeout=0.2)
        assert snapshot(tmp_workspace) == {}
    finally:
        release.set()
        t.join()


def test_concurrent_ingests_are_serialized(tmp_workspace: Workspace) -> None:
    """An ingest waits for the lock, then runs; both ingests end up in the ledger."""
    held = threading.Event()
    release = threading.Event()
    results: list[object] = []

    def holder() -> None:
        with tmp_workspace.lock():
            held.set()
            release.wait(30)

    def worker() -> None:
        results.append(ingest(tmp_workspace, [CUR2], lock_timeout=60))

    h = threading.Thread(target=holder)
    h.start()
    held.wait(30)
    w = threading.Thread(target=worker)
    w.start()
    w.join(0.5)
    assert w.is_alive() and not results  # blocked on the lock, nothing written
    assert snapshot(tmp_workspace) == {}
    release.set()
    h.join()
    w.join(60)
    assert len(results) == 1
    ingest(tmp_workspace, [FOCUS])
    assert len(Ledger(tmp_workspace.ledger_path).ingests) == 2


def export_folder(tmp_path: Path, *, missing: bool = False) -> Path:
    """A CUR 2.0 Data Exports folder: data/ + metadata/ with a manifest per billing period."""
    root = tmp_path / "cur2-export"
    header, rows = cur2_table()
    for period in ("2025-04", "2025-05"):
        data = root / "data" / f"BILLING_PERIOD={period}"
        data.mkdir(parents=True)
        name = "gcf-cur2-00001.csv.gz"
        part = write_csv(tmp_path / f"{period}.csv", header,
                         [r for r in rows if period_of(header, r) == period])  # fmt: skip
        (data / name).write_bytes(gzip.compress(part.read_bytes()))
        prefix = f"s3://bucket/cur2/gcf-cur2/data/BILLING_PERIOD={period}/"
        keys = [prefix + name] + ([prefix + "gcf-cur2-00002.csv.gz"] if missing else [])
        meta = root / "metadata" / f"BILLING_PERIOD={period}"
        meta.mkdir(parents=True)
        (meta / "gcf-cur2-Manifest.json").write_text(json.dumps({"dataFiles": keys}))
    # a stale file from an earlier delivery, not in any manifest: must not be read
    april = root / "data" / "BILLING_PERIOD=2025-04"
    shutil.copy(april / "gcf-cur2-00001.csv.gz", april / "old-00009.csv.gz")
    return root


def test_export_folder_reads_exactly_the_manifests_files(
    tmp_workspace: Workspace, tmp_path: Path
) -> None:
    """A Data Exports folder: manifests choose the files; a stale extra file is ignored."""
    result = ingest(tmp_workspace, [export_folder(tmp_path)])
    assert len(result.files) == 2
    assert all("old-00009" not in f.path for f in result.files)
    totals = {u.billing_period: u.billed_written for u in result.units}
    assert totals == pytest.approx({"2025-04": 1347.0798, "2025-05": 0.268})
    assert [f.units for f in result.files] == [
        ["aws|111122223333|2025-04"],
        ["aws|111122223333|2025-05"],
    ]


def test_manifest_listing_a_missing_file(tmp_workspace: Workspace, tmp_path: Path) -> None:
    """A manifest that lists a file not delivered stops the ingest and names both."""
    with pytest.raises(InputError) as e:
        ingest(tmp_workspace, [export_folder(tmp_path, missing=True)])
    assert "gcf-cur2-Manifest.json" in str(e.value)
    assert "gcf-cur2-00002.csv.gz" in str(e.value) and "partial delivery" in str(e.value)
    assert snapshot(tmp_workspace) == {}


def test_damaged_manifest(tmp_workspace: Workspace, tmp_path: Path) -> None:
    """A manifest that is not JSON is an input error naming it."""
    root = export_folder(tmp_path)
    manifest = root / "metadata" / "BILLING_PERIOD=2025-04" / "gcf-cur2-Manifest.json"
    manifest.write_text("{not json")
    with pytest.raises(InputError, match="manifest is not valid JSON"):
        ingest(tmp_workspace, [root])


def test_folder_without_manifests_reads_every_data_file(
    tmp_workspace: Workspace, tmp_path: Path
) -> None:
    """Without manifests every CSV / CSV.gz / Parquet below the folder is read, in name order."""
    folder = tmp_path / "plain"
    folder.mkdir()
    shutil.copy(CUR2, folder / "a.csv")
    shutil.copy(FOCUS, folder / "b.csv")
    (folder / "notes.txt.bak").write_text("ignored")
    result = ingest(tmp_workspace, [folder])
    assert [Path(f.path).name for f in result.files] == ["a.csv", "b.csv"]
    assert [f.format for f in result.files] == ["aws-cur2", "focus"]


def test_same_file_twice_in_one_call_is_read_once(tmp_workspace: Workspace) -> None:
    """Naming a file twice does not double its rows."""
    result = ingest(tmp_workspace, [CUR2, CUR2])
    assert len(result.files) == 1


def test_ledger_records_files_units_and_totals(tmp_workspace: Workspace) -> None:
    """The ledger keeps sha256, rows, format and per-unit Σ read / written for each ingest."""
    result = ingest(tmp_workspace, [CUR2])
    (record,) = Ledger(tmp_workspace.ledger_path).ingests
    assert record.ingest_id == result.ingest_id
    (f,) = record.files
    assert f.sha256 == hashlib.sha256(CUR2.read_bytes()).hexdigest()
    assert (f.format, f.rows) == ("aws-cur2", 23)
    april = next(u for u in record.units if u.billing_period == "2025-04")
    assert (april.rows_read, april.rows_written, april.rows_folded) == (
        21,
        22,
        1,
    )  # + 2 generated unused rows
    assert april.billed_read == pytest.approx(1347.0798 + 0.124 - 0.124)
    assert april.rows_generated == 2


def test_interrupted_swap_is_recovered_by_the_next_ingest(
    tmp_workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash that killed the process mid-swap (no cleanup ran) is rolled back at next start."""
    ingest(tmp_workspace, [CUR2])
    before = snapshot(tmp_workspace)
    monkeypatch.setattr("gcfinops.ingest.lake.recover", lambda ws: None)  # the process "dies"
    with pytest.raises(OSError):
        ingest(tmp_workspace, [restated(tmp_path)], _fail_after_renames=2)
    assert tmp_workspace.journal.exists() and snapshot(tmp_workspace) != before
    monkeypatch.undo()
    assert lake.recover(tmp_workspace) == "rolled back"
    assert snapshot(tmp_workspace) == before


# --- empty files among several (issue 14 item 3c) -----------------------------------------
def test_empty_files_in_a_folder_are_skipped_with_a_note(
    tmp_workspace: Workspace, tmp_path: Path
) -> None:
    """A header-only file (Azure writes them for empty periods) and a zero-byte file in a folder
    are skipped with a note; the other files are read; a second run is a no-op."""
    folder = tmp_path / "plain"
    folder.mkdir()
    header, _rows = cur2_table()
    shutil.copy(CUR2, folder / "a.csv")
    write_csv(folder / "b_header_only.csv", header, [])
    (folder / "c_zero_bytes.csv").write_bytes(b"")
    result = ingest(tmp_workspace, [folder])
    assert [Path(f.path).name for f in result.files] == ["a.csv"]
    assert [Path(p).name for p in result.empty_files] == ["b_header_only.csv", "c_zero_bytes.csv"]
    notes = [w for w in result.warnings if "skipped" in w]
    assert len(notes) == 2
    assert "b_header_only.csv" in notes[0] and "header but no data rows" in notes[0]
    assert "c_zero_bytes.csv" in notes[1] and "file is empty" in notes[1]
    again = ingest(tmp_workspace, [folder])
    assert again.skipped and len(again.empty_files) == 2


def test_empty_file_in_an_export_delivery_is_skipped(
    tmp_workspace: Workspace, tmp_path: Path
) -> None:
    """A manifest that lists a header-only part: the other part is read, the empty one noted."""
    root = export_folder(tmp_path)
    data = root / "data" / "BILLING_PERIOD=2025-05"
    header, _rows = cur2_table()
    empty = write_csv(tmp_path / "empty.csv", header, [])
    (data / "gcf-cur2-00002.csv.gz").write_bytes(gzip.compress(empty.read_bytes()))
    manifest = root / "metadata" / "BILLING_PERIOD=2025-05" / "gcf-cur2-Manifest.json"
    keys = json.loads(manifest.read_text())["dataFiles"]
    manifest.write_text(json.dumps({"dataFiles": [*keys, keys[0].replace("00001", "00002")]}))
    result = ingest(tmp_workspace, [root])
    assert len(result.files) == 2
    assert [Path(p).name for p in result.empty_files] == ["gcf-cur2-00002.csv.gz"]
    assert {u.billing_period for u in result.units} == {"2025-04", "2025-05"}


def test_every_file_empty_is_an_error(tmp_workspace: Workspace, tmp_path: Path) -> None:
    """Nothing but empty files: exit 2 (an empty export is not a zero bill); lake untouched."""
    folder = tmp_path / "plain"
    folder.mkdir()
    header, _rows = cur2_table()
    write_csv(folder / "a.csv", header, [])
    (folder / "b.csv").write_bytes(b"")
    with pytest.raises(EmptyFileError, match="all 2 files are empty") as e:
        ingest(tmp_workspace, [folder])
    assert e.value.exit_code == 2
    assert snapshot(tmp_workspace) == {}


def test_a_lone_empty_file_keeps_its_error(tmp_workspace: Workspace, tmp_path: Path) -> None:
    """Given alone, a header-only file is still refused (today's behaviour, kept on purpose)."""
    header, _rows = cur2_table()
    lone = write_csv(tmp_path / "lone.csv", header, [])
    with pytest.raises(EmptyFileError, match="header but no data rows"):
        ingest(tmp_workspace, [lone])


def test_allocation_per_distinct_input_matches_per_row(
    tmp_workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14 item 1: ingest allocates once per distinct (Tags, SubAccountId,
    BillingAccountId) and joins back; every lake row has the x_ columns the per-row SQL gives,
    case-variant (`user_Ward` / `user_ward`) and namespaced (`Jichitai.Municipality`) keys
    included. The per-row fallback must not be taken for a CUR 2.0 CSV."""
    import duckdb

    import gcfinops.ingest as ingest_module
    from gcfinops.allocation import AllocationConfig, allocation_select_sql, register_lookups

    header, rows = cur2_table()
    tags = header.index("resource_tags")
    variants = [
        '{"user_Ward": "港区", "user_ward": "渋谷区"}',
        '{"user_WARD": "港区", "user_Ward": "渋谷区", "user_env": "本番"}',
        '{"user_Jichitai.Municipality": "品川区"}',
        '{"user_municipality": "港区", "user_Jichitai.Municipality": "品川区"}',
    ]
    for n, row in enumerate(rows):
        if n % 3 == 0:
            row[tags] = variants[n % len(variants)]
    source = write_csv(tmp_path / "cur2_variants.csv", header, rows)

    def per_row(*_: object) -> str:
        raise AssertionError("per-row fallback taken")

    monkeypatch.setattr(ingest_module, "allocation_select_sql", per_row)
    result = ingest(tmp_workspace, [source])
    assert result.files[0].sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    con = duckdb.connect()
    register_lookups(con, AllocationConfig())
    con.execute(
        f"CREATE TABLE lake AS SELECT * FROM read_parquet('{tmp_workspace.root}/lake/**/*.parquet',"
        " hive_partitioning = false)"
    )
    stored = con.execute(
        "SELECT x_SourceRow, ChargeCategory, x_Ward, x_BusinessSystem, x_Environment "
        "FROM lake ORDER BY ALL"
    ).fetchall()
    con.execute(
        "CREATE TABLE bare AS SELECT * EXCLUDE (x_Ward, x_BusinessSystem, x_Environment) FROM lake"
    )
    recomputed = con.execute(
        "SELECT x_SourceRow, ChargeCategory, x_Ward, x_BusinessSystem, x_Environment FROM "
        f"({allocation_select_sql('bare', AllocationConfig())}) ORDER BY ALL"
    ).fetchall()
    assert stored == recomputed and len(stored) >= len(rows) - 2
    wards = {r[2] for r in stored}
    assert {"131130", "131091", "131032"} <= wards  # 渋谷区 (exact `ward`), 品川区, 港区


def test_tags_per_distinct_json_text_match_per_row(
    tmp_workspace: Workspace, tmp_path: Path
) -> None:
    """Issue 14 item 1, second round: CUR 2.0 `Tags` (and every lake column computed from one
    JSON map alone) is computed once per distinct JSON text and joined back. Every lake and
    folded row must hold what the per-row mapping of the CSV gives, for blank cells, `{}`,
    `user_` / `aws_` keys, case variants and empty values."""
    from gcfinops.adapters.base import compile_select
    from gcfinops.db import connect
    from gcfinops.readers import open_source, precomputed_columns, relation_sql

    header, rows = cur2_table()
    tags = header.index("resource_tags")
    variants = [
        "",
        "{}",
        '{"user_Ward": "港区", "user_ward": "渋谷区", "aws_createdBy": "x"}',
        '{"user_name": "web-1", "user_env": ""}',
        '{"aws_only": "1"}',
    ]
    for n, row in enumerate(rows):
        row[tags] = variants[n % len(variants)]
    source = write_csv(tmp_path / "cur2_tag_variants.csv", header, rows)
    adapter = adapters.get("aws-cur2")
    src = open_source(source, tmp_path)
    typed = dataclasses.replace(src, kind="parquet", types=None)
    assert {"Tags", "x_VolumeType"} <= set(precomputed_columns(typed, adapter))

    ingest(tmp_workspace, [source])
    con = connect()
    cols = "x_SourceRow, CAST(Tags AS VARCHAR), x_VolumeType, ResourceName, BilledCost"
    stored = con.execute(
        f"SELECT {cols} FROM read_parquet('{tmp_workspace.root}/*/**/*.parquet', "
        "hive_partitioning = false) ORDER BY ALL"
    ).fetchall()
    per_row = compile_select(adapter, src.header, relation_sql(src, adapter), {}, src.idents)
    expected = con.execute(f"SELECT {cols} FROM ({per_row}) ORDER BY ALL").fetchall()
    assert stored == expected
    assert {r[1] for r in stored} >= {None, "{Ward=港区, ward=渋谷区, aws_createdBy=x}"}


def test_lineage_survives_the_parallel_typed_copy(tmp_workspace: Workspace, tmp_path: Path) -> None:
    """Pass 1 now runs on every core (ingest.TYPED_COPY_SETTINGS); its Parquet row n must still
    be CSV data line n. A file larger than DuckDB's 32 MB CSV buffer (so it is split between
    threads) whose every line carries its own number as its cost: each lake row's x_SourceRow
    must point at the line its cost came from."""
    header, rows = cur2_table()
    cost = header.index("line_item_unblended_cost")
    net = (
        header.index("line_item_net_unblended_cost")
        if "line_item_net_unblended_cost" in (header)
        else None
    )
    lines = []
    for n in range(1, 90_001):
        row = list(rows[n % len(rows)])
        row[cost] = str(n)
        if net is not None:
            row[net] = ""
        lines.append(row)
    source = write_csv(tmp_path / "cur2_numbered.csv", header, lines)
    assert source.stat().st_size > 40 << 20  # more than one 32 MB buffer
    ingest(tmp_workspace, [source])
    import duckdb

    with duckdb.connect() as con:
        wrong = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE x_SourceBilledCost <> x_SourceRow) "
            f"FROM read_parquet('{tmp_workspace.root}/*/**/*.parquet', hive_partitioning = false) "
            "WHERE x_SourceBilledCost IS NOT NULL"
        ).fetchall()[0]
    assert wrong is not None and wrong[0] >= 60_000 and wrong[1] == 0


def test_typed_copy_leaves_out_unused_text_columns_only(tmp_path: Path) -> None:
    """Pass 1 writes the columns the mapping reads and every typed column (their values are
    still checked: a bad number there is an error), not the unused text columns."""
    from gcfinops.readers import csv_types, open_source, typed_columns

    header, rows = cur2_table()
    source = write_csv(tmp_path / "cur2.csv", header, rows)
    adapter = adapters.get("aws-cur2")
    src = open_source(source, tmp_path)
    kept = typed_columns(src, adapter)
    assert "identity_line_item_id" not in kept and "cost_category" not in kept
    assert "resource_tags" in kept and "line_item_unblended_cost" in kept
    typed = [h for h, t in csv_types(src, adapter).items() if t != "VARCHAR"]
    assert set(typed) <= set(kept)
    assert "identity_line_item_id" in typed_columns(src, adapter, {"identity_line_item_id": "x"})


def test_bad_number_in_a_column_the_lake_does_not_use_still_names_it(
    tmp_workspace: Workspace, tmp_path: Path
) -> None:
    """A typed column no mapping reads is still parsed in pass 1: its bad value is exit 2 with
    file, line and column (the column pruning of pass 1 must not hide it)."""
    header, rows = cur2_table()
    col = "savings_plan_savings_plan_rate"  # declared DECIMAL, read by no mapping
    header.append(col)
    for row in rows:
        row.append("0.5")
    rows[1][-1] = "NaN"
    source = write_csv(tmp_path / "cur2_bad_rate.csv", header, rows)
    with pytest.raises(InputError) as e:
        ingest(tmp_workspace, [source])
    assert e.value.line == 3 and e.value.column == col


def test_partitioned_write_out_of_memory_is_written_again_without_the_limit(
    tmp_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ingest's memory limit keeps the process under 1 GiB; a file whose partitioned write
    needs more buffers than that (many accounts or periods at once) must still ingest: the
    write is retried without the limit, then the limit is set again for the next file."""
    import duckdb

    import gcfinops.ingest as ingest_module

    seen: list[str] = []
    real_connect = ingest_module.connect

    class Tight:
        def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
            self._con = con
            self.failed = False

        def execute(self, sql: str, *args: object) -> duckdb.DuckDBPyConnection:
            seen.append(sql)
            if "PARTITION_BY" in sql and not self.failed:
                self.failed = True
                raise duckdb.OutOfMemoryException("failed to allocate data of size 4.0 KiB")
            return self._con.execute(sql, *args)

        def __getattr__(self, name: str) -> object:
            return getattr(self._con, name)

    monkeypatch.setattr(ingest_module, "connect", lambda **k: Tight(real_connect(**k)))
    result = ingest(tmp_workspace, [CUR2])
    assert result.ingest_id and result.files[0].rows == 23
    assert sum(u.rows_read for u in result.units) == 23  # nothing written twice
    copies = [i for i, q in enumerate(seen) if "PARTITION_BY" in q]
    assert len(copies) == 2
    between = seen[copies[0] : copies[1]]
    assert "RESET memory_limit" in between
    assert any(q.startswith("SET memory_limit") for q in seen[copies[1] :])
    assert leftovers(tmp_workspace) == []
