"""AWS legacy CUR, Athena/Parquet flavour (snake_case, one `resource_tags_user_*` column per tag).

Fixture: fixtures/aws-cur-legacy-athena/cur_athena.csv (the CUR 2.0 fixture's line items,
flattened); the Parquet flavour is built here with typed columns, as the Athena integration
writes it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from adapter_contract import FIXTURES, AdapterContract, csv_header
from aws_cases import ATHENA_ONLY, COMMON, EXPECTED_UNITS

from gcfinops import adapters
from gcfinops.adapters.aws_common import AWS_NUMERIC, AWS_TIMESTAMPS

SAMPLE = FIXTURES / "aws-cur-legacy-athena" / "cur_athena.csv"


def athena_parquet(csv_path: Path, out: Path) -> Path:
    """Typed Parquet: doubles and timestamps; everything else text."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    source = f"read_csv('{csv_path}', all_varchar = true)"
    exprs = []
    for name, *_ in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall():
        q = f'"{name}"'
        if name in AWS_NUMERIC:
            exprs.append(f"CAST(NULLIF({q}, '') AS DOUBLE) AS {q}")
        elif name in AWS_TIMESTAMPS:
            exprs.append(f"CAST({q} AS TIMESTAMPTZ) AS {q}")
        else:
            exprs.append(q)
    con.execute(f"COPY (SELECT {', '.join(exprs)} FROM {source}) TO '{out}' (FORMAT parquet)")
    return out


class TestAwsCurLegacyAthena(AdapterContract):
    adapter_name = "aws-cur-legacy-athena"
    sample = SAMPLE
    key_column = "identity_line_item_id"
    expected_units = EXPECTED_UNITS
    cases = COMMON + ATHENA_ONLY
    numeric_column = "line_item_unblended_cost"
    date_column = "line_item_usage_start_date"
    required_column = "bill_payer_account_id"
    has_parquet = True

    def to_parquet(self, csv_path: Path, out: Path) -> Path:
        return athena_parquet(csv_path, out)


def test_cur2_columns_rule_out_the_athena_flavour() -> None:
    """A snake_case header with CUR 2.0-only columns is CUR 2.0, not legacy Athena."""
    header = csv_header(SAMPLE)
    assert adapters.detect(header, "x").name == "aws-cur-legacy-athena"
    assert adapters.detect([*header, "resource_tags"], "x").name == "aws-cur2"
    assert adapters.detect([*header, "bill_payer_account_name"], "x").name == "aws-cur2"
