"""`ingest bq://…`: the BigQuery billing export by invoice month, through SDK-shaped fakes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

pytest.importorskip("google.cloud.bigquery")
pytest.importorskip("google.cloud.billing_v1")
pytest.importorskip("sqlglot")

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from gcp_fakes import (
    ACCOUNT,
    STANDARD,
    TABLE,
    BigQuery,
    Billing,
    Catalog,
    clients,
    row,
    sku,
)
from google.api_core import exceptions as gexc

from conftest import focus_csv
from gcfinops import api
from gcfinops.adapters import ADAPTERS
from gcfinops.sources import gcp, remote
from gcfinops.workspace import Workspace

URL = f"bq://{TABLE}"
APRIL = [row("202504", 100.0, -10.0), row("202504", 50.0, hour=1), row("202504", 7.25, hour=2)]
MAY = [row("202505", 30.0, -5.0), row("202505", 20.0, hour=5)]
# Σ (cost + credits): April 147.25, May 45.


def table(rows: list[dict[str, object]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=STANDARD)


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch) -> tuple[BigQuery, Billing, Catalog]:
    """Fake BigQuery (real SQL on DuckDB), Cloud Billing and Catalog, as the default clients."""
    bq = BigQuery(table(APRIL + MAY))
    billing = Billing(names={ACCOUNT: "世田谷区 ガバメントクラウド請求"})
    catalog = Catalog(
        skus={
            "services/6F81-5844-456A": [
                sku("CF4E", (0, 0, 0), (5, 3, 500000000)),
                sku("FREE", (0, 0, 0)),
            ]
        }
    )
    fakes = clients(bq, billing, catalog)
    monkeypatch.setattr(gcp, "default_clients", lambda options, project: fakes)
    return bq, billing, catalog


def source() -> gcp.BigQuerySource:
    return gcp.open_url(URL, remote.RemoteOptions())


def needs_adapter() -> None:
    if "gcp-billing-export" not in ADAPTERS:
        pytest.skip("the gcp-billing-export adapter is not registered yet")


def test_one_delivery_per_invoice_month(
    google: tuple[BigQuery, Billing, Catalog], tmp_path: Path
) -> None:
    bq, _, _ = google
    deliveries = source().deliveries(Workspace(tmp_path), (), {})
    assert [(d.period, len(d.objects)) for d in deliveries] == [("2025-04", 1), ("2025-05", 1)]
    assert deliveries[0].objects[0].etag == '[3, "2025-05-02 03:00:00+00", 157.25]'
    assert bq.queries == [
        f"SELECT invoice.month AS month, COUNT(*) AS row_count, CAST(MAX(export_time) AS STRING)"
        f" AS last_export, SUM(cost) AS cost FROM `{TABLE}` GROUP BY month ORDER BY month"
    ]


def test_month_is_written_as_nested_parquet_with_names_and_list_prices(
    google: tuple[BigQuery, Billing, Catalog], tmp_path: Path
) -> None:
    bq, billing, catalog = google
    src = source()
    [april, _] = src.deliveries(Workspace(tmp_path), (), {})
    dest = tmp_path / "april.parquet"
    src.download(april.objects[0], dest, None)
    where = "WHERE invoice.month = @month AND export_time <= TIMESTAMP(@last_export)"
    assert where in bq.queries[-1]
    written = pq.read_table(dest)
    assert written.num_rows == 3
    assert written.schema.field("invoice").type == STANDARD.field("invoice").type  # still nested
    names = written.column("gcf_billing_account_name").to_pylist()
    assert names == ["世田谷区 ガバメントクラウド請求"] * 3
    # The standard export has no price.list_price: the Catalog's first non-zero tier (¥3.5/h).
    prices = [p["list_price"] for p in written.column("price").to_pylist()]
    assert prices == [3.5, 3.5, 3.5]
    marks = set(written.column("gcf_list_price_source").to_pylist())
    assert marks == {"catalog_api:first_nonzero_tier"}
    assert catalog.requests == [{"parent": "services/6F81-5844-456A", "currency_code": "JPY"}]
    assert billing.calls == [f"billingAccounts/{ACCOUNT}"]


def test_ingest_two_months_then_rerun_is_a_noop(
    google: tuple[BigQuery, Billing, Catalog], tmp_path: Path
) -> None:
    needs_adapter()
    bq, _, _ = google
    result = api.ingest_remote(URL, workspace=tmp_path)
    assert result.ingest is not None
    totals = {u.billing_period: round(u.billed_cost, 6) for u in api.status(workspace=tmp_path)}
    assert totals == {"2025-04": 147.25, "2025-05": 45.0}
    bq.queries.clear()
    again = api.ingest_remote(URL, workspace=tmp_path)
    assert again.changed == [] and again.ingest is None
    assert len(bq.queries) == 1 and not bq.queries[0].startswith("SELECT *")


def test_appended_rows_refetch_only_their_month(
    google: tuple[BigQuery, Billing, Catalog], tmp_path: Path
) -> None:
    bq, _, _ = google
    src = source()
    first = {d.period: d.fingerprint() for d in src.deliveries(Workspace(tmp_path), (), {})}
    bq.data = table(APRIL + MAY + [row("202505", 4.0, export="03", hour=9)])
    now = {d.period: d.fingerprint() for d in src.deliveries(Workspace(tmp_path), (), {})}
    assert now["2025-04"] == first["2025-04"] and now["2025-05"] != first["2025-05"]


def test_rows_appended_while_reading_are_left_for_next_time(
    google: tuple[BigQuery, Billing, Catalog], tmp_path: Path
) -> None:
    bq, _, _ = google
    src = source()
    [_, may] = src.deliveries(Workspace(tmp_path), (), {})
    later = table([*APRIL, *MAY, row("202505", 9.0, export="09")])
    bq.before_select = lambda: setattr(bq, "data", later)
    dest = tmp_path / "may.parquet"
    src.download(may.objects[0], dest, None)
    assert pq.read_table(dest).num_rows == 2  # the fingerprinted rows, not the new one


def test_a_stream_that_stops_early_is_a_partial_read(
    google: tuple[BigQuery, Billing, Catalog], tmp_path: Path
) -> None:
    bq, _, _ = google
    bq.cut_batches = 1  # 2 of April's 3 rows
    with pytest.raises(remote.RemoteSourceError, match="read 2 rows but counted 3"):
        api.ingest_remote(URL, workspace=tmp_path, periods=["2025-04"])
    assert api.status(workspace=tmp_path) == []
    assert not list(tmp_path.rglob("*.parquet.part"))


def test_period_option_filters_in_sql(
    google: tuple[BigQuery, Billing, Catalog], tmp_path: Path
) -> None:
    bq, _, _ = google
    deliveries = source().deliveries(Workspace(tmp_path), ("2025-05",), {})
    assert [d.period for d in deliveries] == ["2025-05"]
    assert "WHERE invoice.month IN UNNEST(@months)" in bq.queries[0]


def test_billing_name_not_permitted_is_a_warning(
    google: tuple[BigQuery, Billing, Catalog], tmp_path: Path
) -> None:
    _, billing, _ = google
    billing.denied = True
    src = source()
    [april, _] = src.deliveries(Workspace(tmp_path), (), {})
    src.download(april.objects[0], tmp_path / "a.parquet", None)
    assert pq.read_table(tmp_path / "a.parquet").column("gcf_billing_account_name").null_count == 3
    assert src.warnings == [
        f"billing account {ACCOUNT}: name not resolved (The caller does not have permission); "
        "BillingAccountName (gcf_billing_account_name) will be empty"
    ]


def test_sku_without_a_catalog_price_is_a_warning_naming_the_empty_column(
    google: tuple[BigQuery, Billing, Catalog], tmp_path: Path
) -> None:
    """A missing optional price is never a silent gap: the warning names the SKU and column."""
    _, _, catalog = google
    catalog.skus = {"services/6F81-5844-456A": [sku("CF4E", (0, 0, 0))]}  # only a free tier
    src = source()
    [april, _] = src.deliveries(Workspace(tmp_path), (), {})
    src.download(april.objects[0], tmp_path / "a.parquet", None)
    prices = [p["list_price"] for p in pq.read_table(tmp_path / "a.parquet").column("price")
              .to_pylist()]  # fmt: skip
    assert prices == [None, None, None]
    assert src.warnings == [
        f"{april.objects[0].key}: 3 row(s) of SKU CF4E have no list price in the table nor in "
        "the Cloud Catalog; ListUnitPrice (price.list_price) will be empty for them"
    ]


def test_catalog_not_permitted_is_a_warning_naming_the_empty_column(
    google: tuple[BigQuery, Billing, Catalog], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, catalog = google

    def denied(request: object = None, **kwargs: object) -> list[object]:
        raise gexc.PermissionDenied("billing.skus.list denied")

    monkeypatch.setattr(catalog, "list_skus", denied)
    src = source()
    [april, _] = src.deliveries(Workspace(tmp_path), (), {})
    src.download(april.objects[0], tmp_path / "a.parquet", None)
    assert src.warnings[0] == (
        "SKU list prices for service 6F81-5844-456A: not available (billing.skus.list denied); "
        "ListUnitPrice (price.list_price) will be empty for its rows"
    )
    assert "ListUnitPrice (price.list_price) will be empty for them" in src.warnings[1]


def test_a_defect_in_an_sdk_call_is_not_turned_into_a_warning(
    google: tuple[BigQuery, Billing, Catalog], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the errors Google's SDK raises become messages; a TypeError is a bug and surfaces."""
    _, billing, _ = google

    def broken(request: object = None, **kwargs: object) -> object:
        raise TypeError("unexpected keyword")

    monkeypatch.setattr(billing, "get_billing_account", broken)
    src = source()
    [april, _] = src.deliveries(Workspace(tmp_path), (), {})
    with pytest.raises(TypeError):
        src.download(april.objects[0], tmp_path / "a.parquet", None)


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (gexc.NotFound("Not found: Dataset billing-admin:billing_export"), "not found"),
        (
            gexc.Forbidden(
                "Access Denied: Table billing-admin:billing_export.x: User does not have permission"
            ),
            "access denied",
        ),
    ],
)
def test_provider_errors_are_clear(
    google: tuple[BigQuery, Billing, Catalog], tmp_path: Path, error: Exception, message: str
) -> None:
    bq, _, _ = google
    bq.error = error
    with pytest.raises(remote.RemoteSourceError, match=message) as info:
        api.ingest_remote(URL, workspace=tmp_path)
    assert str(error).split(" ", 1)[1][:20] in info.value.message  # Google's own words


def test_missing_table(google: tuple[BigQuery, Billing, Catalog], tmp_path: Path) -> None:
    with pytest.raises(remote.RemoteSourceError, match=r"not found.*was not found"):
        api.ingest_remote(None, workspace=tmp_path, gcp_table=TABLE + "_typo")


def test_no_application_default_credentials(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The real SDK, with ADC pointing nowhere: a clear error, no network."""
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    with pytest.raises(remote.RemoteSourceError, match="no usable Google credentials") as info:
        api.ingest_remote(URL, workspace=tmp_path)
    assert info.value.hint and "gcloud auth application-default login" in info.value.hint


@pytest.mark.parametrize("url", ["bq://just-a-table", "bq://p.d.t; DROP TABLE x", "bq://Bad.d.t"])
def test_bad_table_ids(url: str) -> None:
    with pytest.raises(remote.RemoteSourceError, match=r"expected bq://PROJECT\.DATASET\.TABLE"):
        gcp.open_url(url, remote.RemoteOptions())


def test_focus_export_table_goes_through_the_focus_adapter(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Google's FOCUS export: month from BillingPeriodStart, no enrichment, FOCUS adapter."""
    data = b"".join(
        [
            focus_csv(
                "2025-04",
                [12.0, 8.0],
                ProviderName="Google Cloud",
                BillingAccountId=ACCOUNT,
                Tags="",
            ),
            focus_csv(
                "2025-05", [1.0], ProviderName="Google Cloud", BillingAccountId=ACCOUNT, Tags=""
            ).split(b"\n", 1)[1],
        ]
    )
    focus = pacsv.read_csv(io.BytesIO(data)).drop_columns(["Tags"])
    bq = BigQuery(focus, table_id="billing-admin.focus.gcp_billing_export_focus_01A2B3")
    monkeypatch.setattr(gcp, "default_clients", lambda o, p: clients(bq, Billing(), Catalog()))
    api.ingest_remote(f"bq://{bq.table_id}", workspace=tmp_path)
    totals = {u.billing_period: u.billed_cost for u in api.status(workspace=tmp_path)}
    assert totals == {"2025-04": 20.0, "2025-05": 1.0}
    assert "FORMAT_TIMESTAMP('%Y%m', BillingPeriodStart)" in bq.queries[0]


SAMPLE = Path(__file__).parents[2] / "sample_billing" / "gcp"


@pytest.mark.slow
def test_bq_parquet_lands_like_the_jsonl_export(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The sample's detailed export, served from (fake) BigQuery, gives the lake the same totals
    as the same export taken out of BigQuery as newline-delimited JSON and ingested as files."""
    needs_adapter()
    files = sorted(SAMPLE.rglob("*.jsonl.gz"))
    if not files:
        pytest.skip("sample_billing/gcp is not generated")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    ts = "strptime({0}, ['%Y-%m-%d %H:%M:%S.%f UTC', '%Y-%m-%d %H:%M:%S UTC'])::TIMESTAMPTZ AS {0}"
    times = ", ".join(ts.format(c) for c in ("usage_start_time", "usage_end_time", "export_time"))
    rows = con.sql(
        f"SELECT * REPLACE ({times},"
        " CAST(tags AS VARCHAR[]) AS tags, CAST(seller_name AS VARCHAR) AS seller_name)"
        f" FROM read_json_auto({[str(f) for f in files]!r})"
    ).to_arrow_table()
    bq = BigQuery(rows, table_id=f"billing-admin.billing_export.{files[0].parts[-3]}", page=2000)
    fakes = clients(bq, Billing(names={"01C3E5-A7B9D1-F3E5C7": "江戸川区"}), Catalog())
    monkeypatch.setattr(gcp, "default_clients", lambda options, project: fakes)
    remote_ws, local_ws = tmp_path / "remote", tmp_path / "local"
    api.ingest_remote(f"bq://{bq.table_id}", workspace=remote_ws)
    api.ingest(files, workspace=local_ws)

    def totals(ws: Path) -> dict[tuple[str, str], float]:
        return {
            (u.billing_period, u.currency): round(u.billed_cost, 6)
            for u in api.status(workspace=ws)
        }

    assert totals(remote_ws) == totals(local_ws)
    assert len(totals(local_ws)) == 24
