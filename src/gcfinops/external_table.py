"""The lake as an Athena/Trino (Hive) external table, generated from schema.py (docs/scale.md).

The lake is plain Hive-partitioned Parquet (`provider=…/billing_period=…/billing_account=…`), so
Athena, Trino/Presto and Spark read it as is once a table names its columns; this DDL is that
table, generated so it cannot drift from the schema (tests/test_docs_generated.py).
"""

from __future__ import annotations

from gcfinops.schema import COLUMNS

_HIVE_TYPES = {
    "DOUBLE": "double",
    "DECIMAL(38,18)": "decimal(38,18)",
    "TIMESTAMPTZ": "timestamp",
    "VARCHAR": "string",
    "BIGINT": "bigint",
    "MAP(VARCHAR, VARCHAR)": "map<string,string>",
}
PARTITIONS = ("provider", "billing_period", "billing_account")


def create_external_table(
    table: str = "gcfinops_lake", location: str = "s3://YOUR-BUCKET/gcfinops/lake/"
) -> str:
    """`CREATE EXTERNAL TABLE` for the lake at `location` (Athena / Hive DDL)."""
    cols = ",\n".join(f"  `{c.name}` {_HIVE_TYPES[c.type]}" for c in COLUMNS)
    parts = ",\n".join(f"  `{p}` string" for p in PARTITIONS)
    return (
        f"CREATE EXTERNAL TABLE IF NOT EXISTS {table} (\n{cols}\n)\n"
        f"PARTITIONED BY (\n{parts}\n)\n"
        "STORED AS PARQUET\n"
        f"LOCATION '{location}'\n"
        "TBLPROPERTIES ('parquet.compression' = 'ZSTD');\n"
        f"-- then load the partitions: MSCK REPAIR TABLE {table};\n"
    )
