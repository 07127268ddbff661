"""AWS CUR 2.0 (Data Exports): the adapter contract on a hand-written export, plus CUR 2.0 quirks.

Fixture: fixtures/aws-cur2/cur2_lines.csv (written by fixtures/build_aws.py; expected values in
aws_cases.py). The Parquet flavour is built here from the CSV with DuckDB, the `product`,
`resource_tags` and `cost_category` columns as real MAP(VARCHAR, VARCHAR) and the rate columns as
text, as AWS types them (formats.md §2.3).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from adapter_contract import FIXTURES, AdapterContract, lake_rows, rewrite_csv
from aws_cases import COMMON, CUR2_ONLY, EXPECTED_UNITS

from gcfinops.adapters.aws_common import AWS_NUMERIC, AWS_TIMESTAMPS
from gcfinops.errors import InputError
from gcfinops.ingest import ingest
from gcfinops.workspace import Workspace

SAMPLE = FIXTURES / "aws-cur2" / "cur2_lines.csv"
MAPS = ("product", "resource_tags", "cost_category")
TEXT_RATES = ("line_item_unblended_rate", "pricing_public_on_demand_rate")


def cur2_parquet(csv_path: Path, out: Path) -> Path:
    """CUR 2.0 Parquet as Data Exports writes it: maps, doubles, timestamps, text rates."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    source = f"read_csv('{csv_path}', all_varchar = true)"
    cols = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    exprs = []
    for name, *_ in cols:
        q = f'"{name}"'
        if name in MAPS:
            exprs.append(f"CAST(CAST(NULLIF({q}, '') AS JSON) AS MAP(VARCHAR, VARCHAR)) AS {q}")
        elif name in AWS_NUMERIC and name not in TEXT_RATES:
            exprs.append(f"CAST(NULLIF({q}, '') AS DOUBLE) AS {q}")
        elif name in AWS_TIMESTAMPS:
            exprs.append(f"CAST({q} AS TIMESTAMPTZ) AS {q}")
        else:
            exprs.append(q)
    con.execute(
        f"COPY (SELECT {', '.join(exprs)} FROM read_csv('{csv_path}', all_varchar = true)) "
        f"TO '{out}' (FORMAT parquet)"
    )
    return out


class TestAwsCur2(AdapterContract):
    adapter_name = "aws-cur2"
    sample = SAMPLE
    key_column = "identity_line_item_id"
    expected_units = EXPECTED_UNITS
    cases = COMMON + CUR2_ONLY
    numeric_column = "line_item_unblended_cost"
    date_column = "line_item_usage_start_date"
    required_column = "line_item_line_item_type"
    has_parquet = True

    def to_parquet(self, csv_path: Path, out: Path) -> Path:
        return cur2_parquet(csv_path, out)


def test_parquet_map_columns_are_real_maps(tmp_path: Path) -> None:
    """The test's Parquet really carries MAP columns (so the MAP path is what is tested)."""
    pq = cur2_parquet(SAMPLE, tmp_path / "x.parquet")
    described = dict(
        r[:2] for r in duckdb.connect().execute(f"DESCRIBE SELECT * FROM '{pq}'").fetchall()
    )
    assert described["resource_tags"] == "MAP(VARCHAR, VARCHAR)"
    assert described["product"] == "MAP(VARCHAR, VARCHAR)"
    assert described["line_item_unblended_rate"] == "VARCHAR"
    assert described["line_item_unblended_cost"] == "DOUBLE"


def test_invalid_json_in_map_column_names_line_and_column(tmp_path: Path) -> None:
    """A resource_tags cell that is not a JSON object stops the ingest at its line."""

    def change(header: list[str], rows: list[list[str]]) -> None:
        rows[4][header.index("resource_tags")] = '{"user_env": "prod"'

    bad = rewrite_csv(SAMPLE, tmp_path / "bad_json.csv", change)
    with pytest.raises(InputError) as e:
        ingest(Workspace(tmp_path / "ws"), [bad])
    assert (e.value.line, e.value.column) == (6, "resource_tags")
    assert 'not a JSON object (found \'{"user_env": "prod"\'' in str(e.value)


def test_unknown_line_item_type_is_an_error_naming_it(tmp_path: Path) -> None:
    """A line item type the mapping does not know is reported, never silently mapped."""

    def change(header: list[str], rows: list[list[str]]) -> None:
        rows[6][header.index("line_item_line_item_type")] = "SurpriseFee"

    bad = rewrite_csv(SAMPLE, tmp_path / "unknown_type.csv", change)
    with pytest.raises(InputError) as e:
        ingest(Workspace(tmp_path / "ws"), [bad])
    assert (e.value.line, e.value.column) == (8, "line_item_line_item_type")
    assert "unknown value 'SurpriseFee'" in str(e.value)
    assert "RIFee" in str(e.value)  # the expected values are listed


def test_savings_plan_negation_is_kept_in_folded_tree(tmp_path: Path) -> None:
    """The negation row is out of the lake but kept, with its amount, under folded/."""
    root = tmp_path / "ws"
    ingest(Workspace(root), [SAMPLE])
    folded = lake_rows(root, "folded")
    assert [(r["x_SourceChargeType"], r["x_SourceBilledCost"]) for r in folded] == [
        ("SavingsPlanNegation", -0.124)
    ]
    assert all(r["x_SourceChargeType"] != "SavingsPlanNegation" for r in lake_rows(root))


def test_partial_export_with_unmatched_covered_usage_warns(tmp_path: Path) -> None:
    """Covered usage without its negation still reconciles, and the result says why."""

    def change(header: list[str], rows: list[list[str]]) -> None:
        i = header.index("line_item_line_item_type")
        rows[:] = [r for r in rows if r[i] != "SavingsPlanNegation"]

    partial = rewrite_csv(SAMPLE, tmp_path / "partial.csv", change)
    result = ingest(Workspace(tmp_path / "ws"), [partial])
    april = next(u for u in result.units if u.billing_period == "2025-04")
    assert april.netted == pytest.approx(0.124)
    assert april.billed_written == pytest.approx(1347.0798)
    assert any("do not cancel out (0.12 USD left)" in w for w in result.warnings)
