"""`bq://project.dataset.table`: Google Cloud Billing export tables in BigQuery, by invoice month.

The billing export is a BigQuery table that Google appends to several times a day (standard
`gcp_billing_export_v1_<ACCOUNT>`, detailed `gcp_billing_export_resource_v1_<ACCOUNT>`, or the
FOCUS export). A delivery is one invoice month (`invoice.month`, `YYYYMM`; the FOCUS table's
`BillingPeriodStart`): invoices are issued per invoice month and late corrections land on a later
invoice month, so reading by usage time would neither reconcile with the invoice nor catch them
(Google, "Structure of Standard data export"; formats.md §3.4). One aggregate query fingerprints
every month (rows, latest `export_time`, Σ cost); a month whose fingerprint changed is read whole
with `export_time <= <that latest export_time>`, so the file matches its fingerprint exactly even
while Google keeps appending, and written as Parquet with BigQuery's nested records intact — the
shape the `gcp-billing-export` adapter reads. Rows written must equal the rows counted, else
nothing is ingested.

google-cloud-billing adds what the export lacks: `CloudBillingClient.get_billing_account` gives the
billing account's display name (column `gcf_billing_account_name`), and when the table has no
`price.list_price` (exports before July 2025) `CloudCatalogClient.list_skus` fills it per SKU
with the list price of the SKU's first non-zero tier, marked in `gcf_list_price_source`. A lookup
the identity may not make (no billing.accounts.get) only leaves the column empty, with a warning.
Credentials: Application Default Credentials. Queries run in `$GOOGLE_CLOUD_PROJECT` if set, else
in the table's project; `--region` is the job location.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gcfinops.sources.remote import (
    Delivery,
    Progress,
    RemoteObject,
    RemoteOptions,
    RemoteSourceError,
    cache_path,
    require_sdk,
)
from gcfinops.workspace import Workspace

# project (may be domain-scoped "example.com:proj"), dataset, table: checked, then back-quoted.
TABLE_ID = re.compile(
    r"^(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{4,61}[a-z0-9]\.\w{1,1024}\.[\w$-]{1,1024}$"
)
HINT_ACCESS = ("the identity needs BigQuery Data Viewer on the dataset and BigQuery Job User on "
               "the project that runs the query")  # fmt: skip
HINT_LOGIN = "run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS"
ROW_GROUP = 65_536  # rows per Parquet row group (bounded memory, efficient reads)
KINDS = {
    # kind: (month expression, export time expression, cost expression)
    "billing": ("invoice.month", "export_time", "cost"),
    "focus": ("FORMAT_TIMESTAMP('%Y%m', BillingPeriodStart)", "NULL", "BilledCost"),
}


@dataclass
class GcpClients:
    """The SDK clients a source uses (tests inject fakes with the same methods)."""

    bigquery: Any  # google.cloud.bigquery.Client
    billing: Callable[[], Any]  # → google.cloud.billing_v1.CloudBillingClient
    catalog: Callable[[], Any]  # → google.cloud.billing_v1.CloudCatalogClient


def default_clients(options: RemoteOptions, project: str) -> GcpClients:
    """Real clients with Application Default Credentials."""
    bq = require_sdk("google.cloud.bigquery", "gcp", "google-cloud-bigquery")
    billing = require_sdk("google.cloud.billing_v1", "gcp", "google-cloud-billing")
    client = _guard(lambda: bq.Client(project=project, location=options.region), "BigQuery")
    return GcpClients(client, billing.CloudBillingClient, billing.CloudCatalogClient)


def open_url(url: str, options: RemoteOptions) -> BigQuerySource:
    """`bq://project.dataset.table` → a source."""
    table = url[len("bq://") :].strip("/")
    if not TABLE_ID.match(table):
        raise RemoteSourceError(
            f"{url!r}: expected bq://PROJECT.DATASET.TABLE, e.g. "
            "bq://billing-admin.billing_export.gcp_billing_export_resource_v1_01A2B3_C4D5E6_F7A8B9"
        )
    return BigQuerySource(table, options)


class BigQuerySource:
    """One billing export table."""

    def __init__(
        self, table: str, options: RemoteOptions, clients: GcpClients | None = None
    ) -> None:
        self.table = table
        self.options = options
        self.label = f"bq://{table}"
        self.warnings: list[str] = []
        self._clients = clients
        self._kind = "billing"
        self._has_list_price = True
        self._names: dict[str, str | None] = {}
        self._prices: dict[tuple[str, str], dict[str, float]] = {}
        self._unpriced: dict[str, int] = {}  # SKU id → rows left without a list price

    @property
    def clients(self) -> GcpClients:
        if self._clients is None:
            project = os.environ.get("GOOGLE_CLOUD_PROJECT") or self.table.split(".")[0]
            self._clients = default_clients(self.options, project)
        return self._clients

    def deliveries(
        self, ws: Workspace, periods: tuple[str, ...], known: Mapping[str, Mapping[str, Any]]
    ) -> list[Delivery]:
        bq = self.clients.bigquery
        table = _guard(lambda: bq.get_table(self.table), self.label)
        fields = {f.name: f for f in table.schema}
        if {"BilledCost", "BillingPeriodStart"} <= set(fields):
            self._kind = "focus"
        elif not {"invoice", "cost", "billing_account_id"} <= set(fields):
            raise RemoteSourceError(
                f"{self.label}: not a billing export table (no invoice, cost, billing_account_id"
                " nor FOCUS BilledCost, BillingPeriodStart)"
            )
        price = fields.get("price")
        self._has_list_price = self._kind == "focus" or bool(
            price and any(f.name == "list_price" for f in price.fields)
        )
        month, stamp, cost = KINDS[self._kind]
        where = f" WHERE {month} IN UNNEST(@months)" if periods else ""
        sql = (f"SELECT {month} AS month, COUNT(*) AS row_count, CAST(MAX({stamp}) AS STRING) "
               f"AS last_export, SUM({cost}) AS cost FROM `{self.table}`{where} "
               "GROUP BY month ORDER BY month")  # fmt: skip
        months = [p.replace("-", "") for p in periods]
        rows = self._query(sql, {"months": ("ARRAY<STRING>", months)} if periods else {})
        out = []
        for row in rows.to_arrow(create_bqstorage_client=False).to_pylist():
            m = str(row["month"] or "")
            if not re.fullmatch(r"\d{6}", m):
                continue  # rows without an invoice month cannot be billed to a period
            fingerprint = json.dumps([int(row["row_count"]), row["last_export"],
                                      round(float(row["cost"] or 0), 6)])  # fmt: skip
            name = f"{self.table.split('.')[-1]}-{m}.parquet"
            local = cache_path(ws, "bq", self.table.replace(":", "_"), f"invoice_month={m}", name)
            obj = RemoteObject(f"{self.label}?invoice_month={m}", fingerprint, -1, local)
            out.append(Delivery(f"{self.label}|{m[:4]}-{m[4:]}", f"{m[:4]}-{m[4:]}",
                                fingerprint, [obj]))  # fmt: skip
        return out

    def download(self, obj: RemoteObject, dest: Path, progress: Progress | None) -> None:
        m = obj.key.rsplit("=", 1)[-1]
        rows_expected, last_export, _ = json.loads(obj.etag)
        month, stamp, _ = KINDS[self._kind]
        sql = f"SELECT * FROM `{self.table}` WHERE {month} = @month"
        params: dict[str, tuple[str, Any]] = {"month": ("STRING", m)}
        if last_export is not None:
            sql += f" AND {stamp} <= TIMESTAMP(@last_export)"
            params["last_export"] = ("STRING", last_export)
        result = self._query(sql, params)
        stream_errors = (*google_errors(), pa.ArrowException)
        self._unpriced = {}
        written = 0
        writer: pq.ParquetWriter | None = None
        pending: list[pa.RecordBatch] = []

        def flush() -> None:
            nonlocal writer, written
            table = self._enrich(pa.Table.from_batches(pending))
            pending.clear()
            if writer is None:
                writer = pq.ParquetWriter(dest, table.schema, compression="zstd")
            writer.write_table(table)
            written += table.num_rows  # (no byte progress: BigQuery streams rows)

        try:
            # Pages of the REST API can be small: gather them into row groups of ROW_GROUP rows.
            for batch in result.to_arrow_iterable():
                pending.append(batch)
                if sum(b.num_rows for b in pending) >= ROW_GROUP:
                    flush()
            if pending or writer is None:
                flush()
        except stream_errors as exc:  # the API, credentials or the connection failed mid-stream
            raise RemoteSourceError(
                f"{obj.key}: reading the table stopped after {written:,} rows ({exc}); "
                "nothing was ingested"
            ) from None
        finally:
            if writer is not None:
                writer.close()
        if self._unpriced:
            skus = sorted(self._unpriced, key=lambda s: (-self._unpriced[s], s))
            shown = ", ".join(skus[:5]) + (f" and {len(skus) - 5} more" if len(skus) > 5 else "")
            self.warnings.append(
                f"{obj.key}: {sum(self._unpriced.values()):,} row(s) of SKU {shown} have no list "
                "price in the table nor in the Cloud Catalog; ListUnitPrice (price.list_price) "
                "will be empty for them"
            )
        if written != rows_expected:
            raise RemoteSourceError(
                f"{obj.key}: read {written:,} rows but counted {rows_expected:,} (partial read);"
                " nothing was ingested",
                hint="run the command again",
            )

    # -- enrichment ------------------------------------------------------------------------
    def _enrich(self, table: pa.Table) -> pa.Table:
        if self._kind != "billing" or table.num_rows == 0:
            return table
        ids = table.column("billing_account_id")
        for account in pc.unique(ids).to_pylist():
            if account and account not in self._names:
                self._names[account] = self._account_name(str(account))
        names = dict(self._names)
        table = table.append_column("gcf_billing_account_name", _map(ids, names, pa.string()))
        if self._has_list_price:
            return table
        return self._add_list_prices(table)

    def _account_name(self, account: str) -> str | None:
        try:
            found = self.clients.billing().get_billing_account(name=f"billingAccounts/{account}")
            return str(found.display_name) or None
        except google_errors() as exc:  # no billing.accounts.get, or the API is unreachable
            self.warnings.append(
                f"billing account {account}: name not resolved ({_message(exc)}); "
                "BillingAccountName (gcf_billing_account_name) will be empty"
            )
            return None

    def _add_list_prices(self, table: pa.Table) -> pa.Table:
        service = pc.struct_field(table.column("service"), "id")
        sku = pc.struct_field(table.column("sku"), "id")
        currency = table.column("currency")
        prices: dict[str, float] = {}
        pairs = pa.table({"s": service, "c": currency}).group_by(["s", "c"]).aggregate([])
        for s, c in zip(pairs.column("s").to_pylist(), pairs.column("c").to_pylist(), strict=True):
            if s and c:
                prices.update(self._sku_prices(str(s), str(c)))
        listed = _map(sku, prices, pa.float64())
        unpriced = pc.filter(sku, pc.and_(pc.is_null(listed), pc.is_valid(sku)))
        for item in pc.value_counts(unpriced).to_pylist() if len(unpriced) else []:
            key = str(item["values"])
            self._unpriced[key] = self._unpriced.get(key, 0) + int(item["counts"])
        source = pc.if_else(pc.is_valid(listed), pa.scalar("catalog_api:first_nonzero_tier"),
                            pa.scalar(None, pa.string()))  # fmt: skip
        if "price" in table.column_names:
            old = table.column("price").combine_chunks()
            children = [old.field(i) for i in range(old.type.num_fields)]
            names = [old.type.field(i).name for i in range(old.type.num_fields)]
            struct = pa.StructArray.from_arrays([*children, listed.combine_chunks()],
                                                [*names, "list_price"])  # fmt: skip
            table = table.set_column(table.column_names.index("price"), "price", struct)
        else:
            struct = pa.StructArray.from_arrays([listed.combine_chunks()], ["list_price"])
            table = table.append_column("price", struct)
        return table.append_column("gcf_list_price_source", source)

    def _sku_prices(self, service: str, currency: str) -> dict[str, float]:
        """SKU id → list unit price (first non-zero tier) from the Cloud Catalog API."""
        key = (service, currency)
        if key not in self._prices:
            prices: dict[str, float] = {}
            try:
                skus = self.clients.catalog().list_skus(
                    request={"parent": f"services/{service}", "currency_code": currency}
                )
                for sku in skus:
                    price = _first_price(sku)
                    if price is not None:
                        prices[str(sku.sku_id)] = price
            except google_errors() as exc:  # no access to the Catalog API, or unreachable
                self.warnings.append(
                    f"SKU list prices for service {service}: not available ({_message(exc)}); "
                    "ListUnitPrice (price.list_price) will be empty for its rows"
                )
            self._prices[key] = prices
        return self._prices[key]

    # -- queries ---------------------------------------------------------------------------
    def _query(self, sql: str, params: dict[str, tuple[str, Any]]) -> Any:
        bq = require_sdk("google.cloud.bigquery", "gcp", "google-cloud-bigquery")
        qp = [
            bq.ArrayQueryParameter(n, t[6:-1], v) if t.startswith("ARRAY<")
            else bq.ScalarQueryParameter(n, t, v)
            for n, (t, v) in params.items()
        ]  # fmt: skip
        config = bq.QueryJobConfig(query_parameters=qp)
        client = self.clients.bigquery
        return _guard(lambda: client.query(sql, job_config=config).result(), self.label)


def _first_price(sku: Any) -> float | None:
    """The unit price of the SKU's first non-zero tier (units + nanos), in the asked currency."""
    for info in sku.pricing_info[:1]:
        for rate in info.pricing_expression.tiered_rates:
            money = rate.unit_price
            value = int(money.units) + int(money.nanos) / 1e9
            if value:
                return value
    return None


def _map(keys: Any, values: Mapping[str, Any], typ: pa.DataType) -> pa.ChunkedArray:
    """Vectorised dictionary lookup: keys → values (null where absent)."""
    items = [k for k, v in values.items() if v is not None]
    table = pa.array([values[k] for k in items], type=typ)
    index = pc.index_in(keys, value_set=pa.array(items, type=pa.string()))
    return pc.take(table, index)


def _message(exc: Exception) -> str:
    return str(getattr(exc, "message", None) or exc).splitlines()[0]


def google_errors() -> tuple[type[Exception], ...]:
    """What a Google SDK call raises for a reason outside gcfinops: API errors (HTTP status,
    retries exhausted), credentials, and the connection (requests' and urllib3's errors are
    OSErrors). Anything else is a defect and is not turned into a message."""
    api = require_sdk("google.api_core.exceptions", "gcp", "google-api-core")
    auth = require_sdk("google.auth.exceptions", "gcp", "google-auth")
    return (api.GoogleAPICallError, api.RetryError, auth.GoogleAuthError, OSError)


def _guard(fn: Callable[[], Any], where: str) -> Any:
    """Run a Google SDK call; translate its errors (credentials, access, missing table)."""
    try:
        return fn()
    except google_errors() as exc:
        raise translate(exc, where) from None


def translate(exc: Exception, where: str) -> RemoteSourceError:
    """A google-auth / google-api-core exception → an error quoting Google's message."""
    name = type(exc).__name__
    if name in ("DefaultCredentialsError", "RefreshError"):
        return RemoteSourceError(f"{where}: no usable Google credentials ({_message(exc)})",
                                 hint=HINT_LOGIN)  # fmt: skip
    code = getattr(exc, "code", None)
    if name in ("Forbidden", "PermissionDenied") or code == 403:
        return RemoteSourceError(f"{where}: access denied ({_message(exc)})", hint=HINT_ACCESS)
    if name == "NotFound" or code == 404:
        return RemoteSourceError(f"{where}: not found ({_message(exc)})",
                                 hint="check PROJECT.DATASET.TABLE (BigQuery console → the "
                                 "billing export dataset)")  # fmt: skip
    return RemoteSourceError(f"{where}: {name}: {_message(exc)}")
