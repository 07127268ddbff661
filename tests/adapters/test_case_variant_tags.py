"""Case-variant and namespaced tag keys across adapters (issue 14 items 3d, 3e).

AWS tag keys are case-sensitive: `Ward` and `ward` are two real tags, and legacy CUR writes one
column per key (`resourceTags/user:Ward`, `resourceTags/user:ward`). DuckDB identifiers ignore
case, so both columns used to collide (`Duplicate named argument … struct_pack`). Each adapter
that turns columns or JSON into Tags is checked here: both keys land in Tags, distinct; the
allocation takes the key spelt as configured. OCI defined tags (`tags/<namespace>.<key>`) match
the configured keys by their last segment.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from adapter_contract import FIXTURES, ingest_rows, rewrite_csv

from gcfinops import api
from gcfinops.errors import InputError

LEGACY = FIXTURES / "aws-cur-legacy-csv" / "cur_legacy.csv"
CUR2 = FIXTURES / "aws-cur2" / "cur2_small.csv"
AZURE = FIXTURES / "azure-cost-details" / "ea_actual.csv"
OCI = FIXTURES / "oci-cost-report" / "cost_report.csv"


def add_column(name: str, value: str) -> Callable[[list[str], list[list[str]]], None]:
    def change(header: list[str], rows: list[list[str]]) -> None:
        header.append(name)
        for r in rows:
            r.append(value)

    return change


def test_legacy_cur_case_variant_tag_columns_both_land_in_tags(tmp_path: Path) -> None:
    """`resourceTags/user:ward` (in the fixture) and an added `resourceTags/user:Ward`: two
    keys in Tags; x_Ward comes from `ward`, the spelling configured."""
    path = rewrite_csv(
        LEGACY, tmp_path / "case.csv", add_column("resourceTags/user:Ward", "目黒区")
    )
    rows = ingest_rows(tmp_path / "ws", path)
    tagged = [r for r in rows if r["Tags"] and "ward" in r["Tags"]]
    assert tagged
    for r in tagged:
        assert r["Tags"]["Ward"] == "目黒区"
        assert r["x_Ward"] != "131105"  # not 目黒区: the exact spelling `ward` wins
    untagged = [r for r in rows if r["Tags"] and "ward" not in r["Tags"]]
    assert all(r["x_Ward"] == "131105" for r in untagged)  # only `Ward`: matched regardless


def test_legacy_cur_case_variant_on_the_real_sample(
    tmp_path: Path, shared_data: Callable[..., Path]
) -> None:
    """The same on AWS's own legacy sample, mangled with two case-variant tag columns."""
    real = shared_data("aws", "2023-06-01.csv")

    def change(header: list[str], rows: list[list[str]]) -> None:
        header += ["resourceTags/user:Ward", "resourceTags/user:ward"]
        for r in rows:
            r += ["品川区", "世田谷区"]

    path = rewrite_csv(real, tmp_path / "real_case.csv", change, enc="utf-8-sig")
    rows = ingest_rows(tmp_path / "ws", path)
    assert rows and all({"Ward", "ward"} <= set(r["Tags"]) for r in rows)
    assert {r["x_Ward"] for r in rows} == {"131121"}  # 世田谷区, from `ward`


def test_cur2_case_variant_keys_in_resource_tags(tmp_path: Path) -> None:
    """CUR 2.0 `resource_tags` JSON with `user_Ward` and `user_ward`: both kept."""
    text = CUR2.read_text(encoding="utf-8").replace(
        '""user_ward"": ""setagaya"",', '""user_ward"": ""setagaya"", ""user_Ward"": ""目黒区"",'
    )
    path = tmp_path / "cur2_case.csv"
    path.write_text(text, encoding="utf-8")
    rows = ingest_rows(tmp_path / "ws", path)
    both = [r for r in rows if r["Tags"] and "Ward" in r["Tags"]]
    assert both and all(r["Tags"]["ward"] == "setagaya" for r in both)
    assert {r["x_Ward"] for r in both} == {"131121"}


def test_azure_tags_with_case_variant_keys_and_duplicate_keys(tmp_path: Path) -> None:
    """Azure Tags `"Ward": …, "ward": …` keeps both; an exact duplicate key names the line."""

    def variants(header: list[str], rows: list[list[str]]) -> None:
        rows[0][header.index("Tags")] = '"Ward": "目黒区","ward": "setagaya"'

    rows = ingest_rows(tmp_path / "ws", rewrite_csv(AZURE, tmp_path / "v.csv", variants))
    assert rows[0]["Tags"] == {"Ward": "目黒区", "ward": "setagaya"}
    assert rows[0]["x_Ward"] == "131121"

    def duplicate(header: list[str], rows: list[list[str]]) -> None:
        rows[1][header.index("Tags")] = '"ward": "目黒区","ward": "setagaya"'

    with pytest.raises(InputError) as e:
        api.ingest([rewrite_csv(AZURE, tmp_path / "d.csv", duplicate)], workspace=tmp_path / "w2")
    assert e.value.line == 3 and "unique keys" in str(e.value)


def test_oci_case_variant_tag_columns(tmp_path: Path) -> None:
    """OCI `tags/ward` (fixture) and an added `tags/Ward`: both keys in Tags."""
    path = rewrite_csv(OCI, tmp_path / "oci_case.csv", add_column("tags/Ward", "目黒区"))
    rows = ingest_rows(tmp_path / "ws", path)
    first = rows[0]["Tags"]
    assert first["Ward"] == "目黒区" and first["ward"] == "葛飾区"
    assert rows[0]["x_Ward"] == "131229"  # 葛飾区, from `ward`


def test_oci_namespaced_municipality_tag_allocates_the_ward(tmp_path: Path) -> None:
    """A ward tagged `Jichitai.Municipality = 品川区` (OCI defined tag) is allocated to 品川区
    by the default key `municipality` (issue 14 item 3e)."""

    def change(header: list[str], rows: list[list[str]]) -> None:
        i = header.index("tags/ward")
        header[i] = "tags/Jichitai.Municipality"
        for r in rows:
            if r[i]:
                r[i] = "品川区"

    rows = ingest_rows(tmp_path / "ws", rewrite_csv(OCI, tmp_path / "ns.csv", change))
    tagged = [r for r in rows if r["Tags"] and "Jichitai.Municipality" in r["Tags"]]
    assert tagged and {r["x_Ward"] for r in tagged} == {"131091"}


def test_sakura_tags_with_case_variant_and_duplicate_keys(tmp_path: Path) -> None:
    """Sakura's Tags JSON: `Ward` and `ward` both kept; a repeated key names the line."""
    sakura = FIXTURES / "sakura" / "billdetail.csv"

    def variants(header: list[str], rows: list[list[str]]) -> None:
        rows[0][header.index("Tags")] = '{"Ward": "目黒区", "ward": "setagaya"}'

    rows = ingest_rows(tmp_path / "ws", rewrite_csv(sakura, tmp_path / "v.csv", variants))
    assert rows[0]["Tags"] == {"Ward": "目黒区", "ward": "setagaya"}
    assert rows[0]["x_Ward"] == "131121"

    def duplicate(header: list[str], rows: list[list[str]]) -> None:
        rows[1][header.index("Tags")] = '{"ward": "目黒区", "ward": "setagaya"}'

    with pytest.raises(InputError) as e:
        api.ingest([rewrite_csv(sakura, tmp_path / "d.csv", duplicate)], workspace=tmp_path / "w2")
    assert e.value.line == 3 and "keys unique" in str(e.value)
