"""The stores' optional `tax` column (included / excluded) and the `initial` cost item
(初期・移行経費): validated at import with file:line errors, stored, passed through the one
reader of each store (issue #12 items 4 and 6)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from gcfinops import api, baseline, costs
from gcfinops.db import connect
from gcfinops.errors import ConfigError
from gcfinops.workspace import Workspace

COSTS_HEADER = "ward,month,fiscal_year,business_system,cost_item,amount_jpy,vendor,note,tax\n"
BASE_HEADER = "ward,fiscal_year,business_system,cost_item,amount_jpy,basis,tax\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_costs_tax_column_and_initial_item_are_stored_and_read(tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        "c.csv",
        COSTS_HEADER
        + "setagaya,2025-05,,,network_lines,110000,回線社,,included\n"
        + "setagaya,2025-06,,,network_lines,100000,回線社,,excluded\n"
        + "setagaya,2025-07,,,network_lines,100000,回線社,,税抜\n"
        + "setagaya,2025-08,,,network_lines,110000,回線社,,\n"
        + "setagaya,2025-09,,,初期・移行経費,3000000,移行社,データ移行,\n",
    )
    api.import_costs(src, workspace=tmp_path / "ws")
    ws = Workspace(tmp_path / "ws")
    with costs.store_path(ws).open(encoding="utf-8") as f:
        stored = list(csv.DictReader(f))
    assert [r["tax"] for r in stored] == [
        "included",
        "excluded",
        "excluded",
        "included",
        "included",
    ]
    assert stored[-1]["cost_item"] == "initial"
    con = connect()
    assert costs.register(con, ws)
    rows = con.execute(
        "SELECT month, cost_item, tax FROM gcf_noncloud_raw ORDER BY month"
    ).fetchall()
    assert rows[1] == ("2025-06", "network_lines", "excluded")
    assert rows[4] == ("2025-09", "initial", "included")


def test_bad_tax_value_names_file_line_and_column(tmp_path: Path) -> None:
    src = _write(
        tmp_path, "c.csv", COSTS_HEADER + "setagaya,2025-05,,,network_lines,1,回線社,,gross\n"
    )
    with pytest.raises(ConfigError) as err:
        api.import_costs(src, workspace=tmp_path / "ws")
    assert f"{src}:2: column 'tax'" in str(err.value)
    assert not costs.store_path(Workspace(tmp_path / "ws")).exists()


def test_unknown_cost_item_lists_initial(tmp_path: Path) -> None:
    src = _write(tmp_path, "c.csv", COSTS_HEADER + "setagaya,2025-05,,,移行費用X,1,社,,\n")
    with pytest.raises(ConfigError, match=r"c.csv:2: column 'cost_item'.*initial"):
        api.import_costs(src, workspace=tmp_path / "ws")


def test_initial_is_not_a_baseline_item(tmp_path: Path) -> None:
    src = _write(tmp_path, "b.csv", BASE_HEADER + "setagaya,2018,,initial,100,決算,\n")
    with pytest.raises(ConfigError, match=r"b.csv:2: column 'cost_item'"):
        api.import_baseline(src, workspace=tmp_path / "ws")


def test_baseline_tax_column_is_stored_and_read(tmp_path: Path) -> None:
    src = _write(
        tmp_path,
        "b.csv",
        BASE_HEADER
        + "setagaya,2018,,hardware_lease,800000,決算,excluded\n"
        + "setagaya,2018,,software_lease,1080000,決算,\n",
    )
    api.import_baseline(src, workspace=tmp_path / "ws")
    con = connect()
    assert baseline.register(con, Workspace(tmp_path / "ws"), 2018)
    rows = con.execute("SELECT cost_item, tax FROM gcf_baseline ORDER BY cost_item").fetchall()
    assert rows == [("hardware_lease", "excluded"), ("software_lease", "included")]


def test_a_store_written_before_the_tax_column_reads_as_included(tmp_path: Path) -> None:
    """A store from an older version (no `tax` column): read as 税込, and a new import merges."""
    ws = Workspace(tmp_path / "ws")
    path = costs.store_path(ws)
    path.parent.mkdir(parents=True)
    old = [c for c in costs.STORED_COLUMNS if c != "tax"]
    path.write_text(
        ",".join(old) + "\n131121,2024-05,2024,,network_lines,1000,社,,old.csv,2\n",
        encoding="utf-8",
    )
    con = connect()
    assert costs.register(con, ws)
    assert con.execute("SELECT tax FROM gcf_noncloud_raw").fetchall() == [("included",)]
    src = _write(tmp_path, "c.csv", COSTS_HEADER + "setagaya,2025-05,,,network_lines,1,社,,\n")
    api.import_costs(src, workspace=ws.root)
    with path.open(encoding="utf-8") as f:
        stored = list(csv.DictReader(f))
    assert [(r["fiscal_year"], r["tax"]) for r in stored] == [("2024", ""), ("2025", "included")]
    assert costs.register(con, ws)
    assert con.execute("SELECT DISTINCT tax FROM gcf_noncloud_raw").fetchall() == [("included",)]


def test_template_carries_the_tax_column_and_mentions_initial(tmp_path: Path) -> None:
    path = baseline.write_template(Workspace(tmp_path))
    assert path is not None
    text = path.read_text(encoding="utf-8")
    assert ",".join(baseline.COLUMNS) in text and baseline.COLUMNS[-1] == "tax"
    assert "initial = 初期・移行経費" in text
