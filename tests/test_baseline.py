"""Baseline CSV import: accepted spellings, every validation error with line and column."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gcfinops import api
from gcfinops.baseline import COST_ITEM_IDS, store_path, write_template
from gcfinops.errors import ConfigError
from gcfinops.workspace import Workspace

HEADER = "ward,fiscal_year,business_system,cost_item,amount_jpy,basis\n"


def _csv(tmp_path: Path, body: str, name: str = "b.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode(encoding))
    return path


def _stored(ws: Path) -> list[dict[str, str]]:
    with store_path(Workspace(ws)).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_accepts_codes_names_japanese_items_and_yen_spellings(tmp_path: Path) -> None:
    src = _csv(
        tmp_path,
        "# a comment line\n"
        "131121,2018,,system_operation,1234567,決算\n"
        '世田谷区,2018年度,住民基本台帳,ソフトウェア借料,"1,000,000",決算\n'
        'Setagaya,2018,kokuho,通信回線費,"1,235千円",予算\n'
        "\n",
    )
    result = api.import_baseline(src, workspace=tmp_path / "ws")
    assert result.rows == 3
    assert result.totals == {("131121", 2018): Decimal("3469567")}
    rows = _stored(tmp_path / "ws")
    assert [r["business_system"] for r in rows] == [
        "",
        "resident_registry",
        "national_health_insurance",
    ]
    assert [r["cost_item"] for r in rows] == ["system_operation", "software_lease", "network_lines"]
    assert [r["basis"] for r in rows] == ["決算", "決算", "予算"]
    assert rows[1]["source_line"] == "4"  # line numbers count the header and comments


def test_cp932_file_from_excel_is_read(tmp_path: Path) -> None:
    src = _csv(tmp_path, "世田谷区,2018,,datacenter,500000,決算\n", encoding="cp932")
    assert api.import_baseline(src, workspace=tmp_path / "ws").rows == 1


def test_every_bad_cell_is_listed_with_line_and_column_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    src = _csv(
        tmp_path,
        "atlantis,2018,,system_operation,1,決算\n"
        "131121,18,,system_operation,1,決算\n"
        "131121,2018,unknown_gyomu,system_operation,1,決算\n"
        "131121,2018,,servers,1,決算\n"
        "131121,2018,,datacenter,-5,決算\n"
        "131121,2018,,network_lines,abc,決算\n"
        "131121,2018,,cloud_usage,1,見込\n"
        "131121,2018,,hardware_lease,1,決算\n"
        "世田谷区,2018,,hardware_lease,2,決算\n",
    )
    with pytest.raises(ConfigError) as exc:
        api.import_baseline(src, workspace=tmp_path / "ws")
    msg = exc.value.message
    assert "8 problem(s)" in msg and "nothing was imported" in msg
    for expected in (
        f"{src}:2: column 'ward': unknown ward 'atlantis'",
        f"{src}:3: column 'fiscal_year'",
        f"{src}:4: column 'business_system'",
        f"{src}:5: column 'cost_item': unknown cost item 'servers'",
        f"{src}:6: column 'amount_jpy': must not be negative",
        f"{src}:7: column 'amount_jpy'",
        f"{src}:8: column 'basis'",
        f"{src}:10: 131121 2018 (whole ward) hardware_lease is already on line 9",
    ):
        assert expected in msg
    assert exc.value.exit_code == 2
    assert not store_path(Workspace(tmp_path / "ws")).exists()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ward,fiscal_year,cost_item,amount_jpy\n", "missing column(s) basis"),
        ("ward,fiscal_year,cost_item,amount_jpy,basis,colour\n", "unknown column(s) colour"),
        ("", "has no header"),
    ],
)
def test_header_problems(tmp_path: Path, header: str, expected: str) -> None:
    src = tmp_path / "b.csv"
    src.write_text(header, encoding="utf-8")
    with pytest.raises(ConfigError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        api.import_baseline(src, workspace=tmp_path / "ws")


def test_missing_file_and_wrong_cell_count(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        api.import_baseline(tmp_path / "nope.csv", workspace=tmp_path / "ws")
    src = _csv(tmp_path, "131121,2018\n")
    with pytest.raises(ConfigError, match=r":2: expected 6 cells"):
        api.import_baseline(src, workspace=tmp_path / "ws")


def test_reimport_replaces_the_same_ward_and_year_only(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    api.import_baseline(
        _csv(tmp_path, "131121,2018,,datacenter,100,決算\n131016,2018,,datacenter,200,決算\n"),
        workspace=ws,
    )
    result = api.import_baseline(
        _csv(tmp_path, "131121,2018,,datacenter,300,決算\n", "c.csv"), workspace=ws
    )
    assert result.replaced_rows == 1
    assert sorted((r["ward"], r["amount_jpy"]) for r in _stored(ws)) == [
        ("131016", "200"),
        ("131121", "300"),
    ]


def test_template_lists_every_cost_item_and_does_not_import_as_is(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    path = write_template(ws)
    assert path is not None and write_template(ws) is None  # never overwritten
    text = path.read_text(encoding="utf-8")
    for item in COST_ITEM_IDS:
        assert f",{item}," in text
    with pytest.raises(ConfigError, match="column 'ward': is empty"):
        api.import_baseline(path, workspace=ws.root)


_CELLS = st.sampled_from(
    [
        "",
        "131121",
        "世田谷区",
        "2018",
        "abc",
        "-1",
        "1,000",
        "決算",
        "予算",
        "datacenter",
        "住民基本台帳",
        '"',
        "=1+1",
        "△5",
        "\u3000",
        "99999999999",
    ]
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(_CELLS, min_size=0, max_size=8), max_size=6))
def test_mangled_files_import_or_fail_with_a_config_error(rows: list[list[str]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "b.csv"
        src.write_text(HEADER + "\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
        try:
            api.import_baseline(src, workspace=Path(tmp) / "ws")
        except ConfigError as exc:
            assert exc.exit_code == 2 and str(src) in exc.message
