"""Stand-ins for the Google Cloud clients a source calls, returning the SDKs' own types.

`Client.get_table(table_id)` → `google.cloud.bigquery.Table` with a `SchemaField` schema;
`Client.query(sql, job_config=QueryJobConfig)` → job with `.result()` → rows with
`to_arrow(create_bqstorage_client=)` / `to_arrow_iterable(bqstorage_client=)` (google-cloud-bigquery
3.x). The SQL the source sends is run for real: parsed as BigQuery SQL by sqlglot, pointed at an
in-memory DuckDB table holding the export's nested records, with the job's query parameters bound.
`CloudBillingClient.get_billing_account(name=)` → `billing_v1.BillingAccount`;
`CloudCatalogClient.list_skus(request={"parent", "currency_code"})` → `billing_v1.Sku` messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot
from google.api_core import exceptions as gexc
from google.cloud import bigquery, billing_v1
from sqlglot import exp

from gcfinops.sources.gcp import GcpClients

TABLE = "billing-admin.billing_export.gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9"
ACCOUNT = "01A2B3-C4D5E6-F7A8B9"
UTC = dt.UTC

KV = pa.list_(pa.struct([("key", pa.string()), ("value", pa.string())]))
CREDIT = pa.struct(
    [
        ("name", pa.string()),
        ("amount", pa.float64()),
        ("full_name", pa.string()),
        ("id", pa.string()),
        ("type", pa.string()),
    ]
)
PRICE = pa.struct(
    [
        ("effective_price", pa.decimal128(38, 9)),
        ("tier_start_amount", pa.decimal128(38, 9)),
        ("unit", pa.string()),
        ("pricing_unit_quantity", pa.decimal128(38, 9)),
    ]
)
# The standard export's columns in BigQuery's Arrow types (RECORD → struct, REPEATED → list).
STANDARD = pa.schema(
    [
        ("billing_account_id", pa.string()),
        ("service", pa.struct([("id", pa.string()), ("description", pa.string())])),
        ("sku", pa.struct([("id", pa.string()), ("description", pa.string())])),
        ("usage_start_time", pa.timestamp("us", tz="UTC")),
        ("usage_end_time", pa.timestamp("us", tz="UTC")),
        (
            "project",
            pa.struct(
                [
                    ("id", pa.string()),
                    ("number", pa.string()),
                    ("name", pa.string()),
                    ("labels", KV),
                    ("ancestry_numbers", pa.string()),
                ]
            ),
        ),
        ("labels", KV),
        ("system_labels", KV),
        (
            "location",
            pa.struct(
                [
                    ("location", pa.string()),
                    ("country", pa.string()),
                    ("region", pa.string()),
                    ("zone", pa.string()),
                ]
            ),
        ),
        ("export_time", pa.timestamp("us", tz="UTC")),
        ("cost", pa.float64()),
        ("currency", pa.string()),
        ("currency_conversion_rate", pa.float64()),
        (
            "usage",
            pa.struct(
                [
                    ("amount", pa.float64()),
                    ("unit", pa.string()),
                    ("amount_in_pricing_units", pa.float64()),
                    ("pricing_unit", pa.string()),
                ]
            ),
        ),
        ("credits", pa.list_(CREDIT)),
        ("invoice", pa.struct([("month", pa.string()), ("publisher_type", pa.string())])),
        ("cost_type", pa.string()),
    ]
)


def row(
    month: str,
    cost: float,
    credit: float = 0.0,
    *,
    export: str = "02",
    sku: str = "CF4E",
    hour: int = 0,
) -> dict[str, Any]:
    """One standard-export row of invoice month `month` (YYYYMM), usage in that month."""
    y, m = int(month[:4]), int(month[4:])
    start = dt.datetime(y, m, 1 + hour // 24, hour % 24, tzinfo=UTC)
    return {
        "billing_account_id": ACCOUNT,
        "service": {"id": "6F81-5844-456A", "description": "Compute Engine"},
        "sku": {"id": sku, "description": "E2 Instance Core running in Tokyo"},
        "usage_start_time": start,
        "usage_end_time": start + dt.timedelta(hours=1),
        "project": {
            "id": "setagaya-kokuho-prod",
            "number": "123456789012",
            "name": "setagaya-kokuho-prod",
            "labels": [{"key": "ward", "value": "setagaya"}],
            "ancestry_numbers": "/987654321098/",
        },
        "labels": [{"key": "env", "value": "prod"}],
        "system_labels": [],
        "location": {
            "location": "asia-northeast1",
            "country": "JP",
            "region": "asia-northeast1",
            "zone": "asia-northeast1-b",
        },
        "export_time": dt.datetime(y + (m == 12), m % 12 + 1, int(export), 3, tzinfo=UTC),
        "cost": cost,
        "currency": "JPY",
        "currency_conversion_rate": 150.0,
        "usage": {
            "amount": 3600.0,
            "unit": "seconds",
            "amount_in_pricing_units": 1.0,
            "pricing_unit": "hour",
        },
        "credits": [
            {
                "name": "Sustained Usage Discount",
                "amount": credit,
                "full_name": None,
                "id": "",
                "type": "SUSTAINED_USAGE_DISCOUNT",
            }
        ]
        if credit
        else [],
        "invoice": {"month": month, "publisher_type": "GOOGLE"},
        "cost_type": "regular",
    }


def bq_schema(schema: pa.Schema) -> list[bigquery.SchemaField]:
    """BigQuery SchemaFields for an Arrow schema (as get_table returns them)."""

    def field_of(name: str, typ: pa.DataType) -> bigquery.SchemaField:
        mode = "REPEATED" if pa.types.is_list(typ) else "NULLABLE"
        inner = typ.value_type if pa.types.is_list(typ) else typ
        if pa.types.is_struct(inner):
            subs = [
                field_of(inner.field(i).name, inner.field(i).type) for i in range(inner.num_fields)
            ]
            return bigquery.SchemaField(name, "RECORD", mode=mode, fields=subs)
        kind = (
            "FLOAT"
            if pa.types.is_floating(inner)
            else "TIMESTAMP"
            if pa.types.is_timestamp(inner)
            else "NUMERIC"
            if pa.types.is_decimal(inner)
            else "STRING"
        )
        return bigquery.SchemaField(name, kind, mode=mode)

    return [field_of(f.name, f.type) for f in schema]


class Rows:
    """google.cloud.bigquery.table.RowIterator (the Arrow part)."""

    def __init__(self, table: pa.Table, cut: int | None = None, page: int = 2) -> None:
        self.table, self.cut, self.page, self.total_rows = table, cut, page, table.num_rows

    def to_arrow(self, create_bqstorage_client: bool = True, **kwargs: Any) -> pa.Table:
        return self.table

    def to_arrow_iterable(
        self, bqstorage_client: Any = None, **kwargs: Any
    ) -> Iterator[pa.RecordBatch]:
        batches = self.table.to_batches(max_chunksize=self.page)
        yield from batches[: self.cut] if self.cut is not None else batches


class Job:
    """google.cloud.bigquery.QueryJob."""

    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    def result(self, **kwargs: Any) -> Rows:
        return self.rows


@dataclass
class BigQuery:
    """google.cloud.bigquery.Client over one table."""

    data: pa.Table
    table_id: str = TABLE
    queries: list[str] = field(default_factory=list)
    cut_batches: int | None = None  # simulate a stream that stops early
    before_select: Callable[[], None] | None = None  # runs when a month is read
    error: Exception | None = None
    page: int = 2  # rows per streamed batch (small, so that tests cross batch boundaries)

    def get_table(self, table: str, **kwargs: Any) -> bigquery.Table:
        if self.error:
            raise self.error
        if table != self.table_id:
            raise gexc.NotFound(
                f"Not found: Table {table.replace('.', ':', 1)} was not found "
                "in location asia-northeast1"
            )
        return bigquery.Table(table, schema=bq_schema(self.data.schema))

    def query(
        self, query: str, job_config: bigquery.QueryJobConfig | None = None, **kwargs: Any
    ) -> Job:
        self.queries.append(query)
        if query.startswith("SELECT *") and self.before_select:
            self.before_select()
        params = {}
        for p in job_config.query_parameters if job_config else []:
            params[p.name] = list(p.values) if hasattr(p, "values") else p.value
        tree = sqlglot.parse_one(query, read="bigquery")
        tree = tree.transform(lambda n: exp.to_table("bq_table") if isinstance(n, exp.Table) else n)
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        con.register("bq_table", self.data)
        table = con.sql(tree.sql(dialect="duckdb"), params=params).to_arrow_table()
        con.close()
        cut = self.cut_batches if query.startswith("SELECT *") else None
        return Job(Rows(table, cut, self.page))


@dataclass
class Billing:
    """billing_v1.CloudBillingClient."""

    names: dict[str, str] = field(default_factory=dict)
    denied: bool = False
    calls: list[str] = field(default_factory=list)

    def get_billing_account(
        self, request: Any = None, *, name: str | None = None, **kwargs: Any
    ) -> billing_v1.BillingAccount:
        self.calls.append(str(name))
        if self.denied:
            raise gexc.PermissionDenied("The caller does not have permission")
        account = str(name).split("/", 1)[1]
        return billing_v1.BillingAccount(
            name=str(name), display_name=self.names[account], open_=True, currency_code="JPY"
        )


@dataclass
class Catalog:
    """billing_v1.CloudCatalogClient."""

    skus: dict[str, list[billing_v1.Sku]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def list_skus(
        self, request: Any = None, *, parent: str | None = None, **kwargs: Any
    ) -> list[billing_v1.Sku]:
        self.requests.append(dict(request or {"parent": parent}))
        return self.skus.get(str((request or {}).get("parent", parent)), [])


def sku(sku_id: str, *tiers: tuple[float, int, int]) -> billing_v1.Sku:
    """A Catalog SKU with tiered rates (start_usage_amount, units, nanos) in JPY."""
    rates = [
        billing_v1.PricingExpression.TierRate(
            start_usage_amount=start, unit_price={"currency_code": "JPY", "units": u, "nanos": n}
        )
        for start, u, n in tiers
    ]
    expression = billing_v1.PricingExpression(
        usage_unit="h", usage_unit_description="hour", display_quantity=1, tiered_rates=rates
    )
    return billing_v1.Sku(
        name=f"services/6F81-5844-456A/skus/{sku_id}",
        sku_id=sku_id,
        description="E2 Instance Core running in Tokyo",
        pricing_info=[billing_v1.PricingInfo(pricing_expression=expression)],
    )


def clients(bq: BigQuery, billing: Billing, catalog: Catalog) -> GcpClients:
    return GcpClients(bigquery=bq, billing=lambda: billing, catalog=lambda: catalog)
