"""`ingest azure://…`: Cost Management exports and cost details reports, via SDK-shaped fakes."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("azure.mgmt.costmanagement")
pytest.importorskip("azure.storage.blob")

from azure.core.exceptions import HttpResponseError
from azure.identity import CredentialUnavailableError
from azure_fakes import SCOPE, Cost, Store, clients, deliver_run, export_resource
from typer.testing import CliRunner

from conftest import focus_csv
from gcfinops import api
from gcfinops.adapters import ADAPTERS
from gcfinops.cli import app
from gcfinops.sources import azure_blob, remote
from gcfinops.workspace import Workspace

EXPORT_URL = f"azure:/{SCOPE}/exports/focus-monthly"
EA_ACTUAL = Path(__file__).parents[1] / "adapters/fixtures/azure-cost-details/ea_actual.csv"


@pytest.fixture
def azure(monkeypatch: pytest.MonkeyPatch) -> tuple[Store, Cost]:
    """Fake Cost Management and blob storage, installed as the source's default clients."""
    store, cost = Store(), Cost()
    cost.exports.exports[(SCOPE, "focus-monthly")] = export_resource()
    monkeypatch.setattr(azure_blob, "default_clients", lambda options: clients(store, cost))
    return store, cost


def totals(ws: Path) -> dict[str, float]:
    return {u.billing_period: round(u.billed_cost, 6) for u in api.status(workspace=ws)}


def two_months(store: Store, cost: Cost) -> None:
    deliver_run(
        store,
        cost,
        "2025-04",
        {
            "part_0_0001.csv": focus_csv("2025-04", [1000.0, 250.5]),
            "part_0_0002.csv": focus_csv("2025-04", [49.5]),
        },
        run_id="run-apr",
        submitted="2025-05-01T03:00:00Z",
    )
    deliver_run(
        store,
        cost,
        "2025-05",
        {"part_0_0001.csv": focus_csv("2025-05", [10.0, 20.0])},
        run_id="run-may-1",
        submitted="2025-05-10T03:00:00Z",
    )


def test_export_runs_are_ingested_per_month(azure: tuple[Store, Cost], tmp_path: Path) -> None:
    store, cost = azure
    two_months(store, cost)
    result = api.ingest_remote(EXPORT_URL, workspace=tmp_path)
    assert [d.period for d in result.changed] == ["2025-04", "2025-05"]
    assert len(result.downloaded) == 3
    assert result.ingest is not None
    assert {u.provider for u in result.ingest.units} == {"azure"}
    assert totals(tmp_path) == {"2025-04": 1300.0, "2025-05": 30.0}


def test_rerun_touches_no_blob_and_ingests_nothing(
    azure: tuple[Store, Cost], tmp_path: Path
) -> None:
    store, cost = azure
    two_months(store, cost)
    api.ingest_remote(EXPORT_URL, workspace=tmp_path)
    store.calls.clear()
    again = api.ingest_remote(EXPORT_URL, workspace=tmp_path)
    assert store.calls == []  # the run history alone shows nothing new
    assert again.changed == [] and again.downloaded == [] and again.ingest is None


def test_a_newer_run_replaces_its_month(azure: tuple[Store, Cost], tmp_path: Path) -> None:
    store, cost = azure
    two_months(store, cost)
    api.ingest_remote(EXPORT_URL, workspace=tmp_path)
    deliver_run(
        store,
        cost,
        "2025-05",
        {"part_0_0001.csv": focus_csv("2025-05", [10.0, 20.0, 5.0])},
        run_id="run-may-2",
        submitted="2025-05-11T03:00:00Z",
    )
    # A run still in progress (and a failed one) are not deliveries.
    deliver_run(
        store,
        cost,
        "2025-05",
        {"part_0_0001.csv": focus_csv("2025-05", [1e6])},
        run_id="run-may-3",
        submitted="2025-05-12T03:00:00Z",
        status="InProgress",
    )
    deliver_run(
        store,
        cost,
        "2025-05",
        {"part_0_0001.csv": focus_csv("2025-05", [1e6])},
        run_id="run-may-4",
        submitted="2025-05-12T04:00:00Z",
        status="Failed",
    )
    result = api.ingest_remote(EXPORT_URL, workspace=tmp_path)
    assert [d.period for d in result.changed] == ["2025-05"]
    assert [o.key.split("/")[-2] for o in result.downloaded] == ["run-may-2"]
    assert totals(tmp_path) == {"2025-04": 1300.0, "2025-05": 35.0}
    cached = {p.parent.name for p in (tmp_path / ".gcfinops" / "cache").rglob("*.csv")}
    assert cached == {"run-apr", "run-may-2"}  # run-may-1's file left the cache


def test_blob_listed_but_missing_ingests_nothing(azure: tuple[Store, Cost], tmp_path: Path) -> None:
    store, cost = azure
    deliver_run(
        store,
        cost,
        "2025-04",
        {"part_0_0001.csv": focus_csv("2025-04", [1.0])},
        run_id="r1",
        submitted="2025-05-01T00:00:00Z",
        listed=["part_0_0001.csv", "part_0_0002.csv"],
    )
    with pytest.raises(remote.RemoteSourceError, match="listed by the export but not in storage"):
        api.ingest_remote(EXPORT_URL, workspace=tmp_path)
    assert api.status(workspace=tmp_path) == []


def test_runs_without_manifest_links_fall_back_to_storage(
    azure: tuple[Store, Cost], tmp_path: Path
) -> None:
    store, cost = azure
    deliver_run(
        store,
        cost,
        "2025-04",
        {"part_0_0001.csv": focus_csv("2025-04", [7.0])},
        run_id="old",
        submitted="2025-04-20T00:00:00Z",
        with_manifest_link=False,
    )
    deliver_run(
        store,
        cost,
        "2025-04",
        {"part_0_0001.csv": focus_csv("2025-04", [8.0])},
        run_id="new",
        submitted="2025-05-01T00:00:00Z",
        with_manifest_link=False,
    )
    result = api.ingest_remote(EXPORT_URL, workspace=tmp_path)
    assert [o.key.split("/")[-2] for o in result.downloaded] == ["new"]
    assert totals(tmp_path) == {"2025-04": 8.0}


def test_missing_export_quotes_azure(azure: tuple[Store, Cost], tmp_path: Path) -> None:
    with pytest.raises(remote.RemoteSourceError, match="Export 'nope' not found for scope"):
        api.ingest_remote(None, workspace=tmp_path, azure_export="nope", scope=SCOPE)


def test_access_denied_and_missing_credentials(azure: tuple[Store, Cost], tmp_path: Path) -> None:
    _, cost = azure
    denied = HttpResponseError(
        message="(AuthorizationFailed) The client does not have authorization to perform action"
    )
    denied.status_code = 403
    cost.exports.error = denied
    with pytest.raises(
        remote.RemoteSourceError, match=r"access denied.*AuthorizationFailed"
    ) as info:
        api.ingest_remote(EXPORT_URL, workspace=tmp_path)
    assert info.value.hint and "Cost Management Reader" in info.value.hint
    cost.exports.error = CredentialUnavailableError(
        "DefaultAzureCredential failed to retrieve a token from the included credentials."
    )
    with pytest.raises(remote.RemoteSourceError, match="no Azure credentials") as info:
        api.ingest_remote(EXPORT_URL, workspace=tmp_path)
    assert info.value.hint and "az login" in info.value.hint


def ea_total() -> float:
    """Σ CostInBillingCurrency of the EA fixture, read with the csv module."""
    with EA_ACTUAL.open(encoding="utf-8-sig", newline="") as fh:
        return round(sum(float(r["CostInBillingCurrency"]) for r in csv.DictReader(fh)), 6)


def report_response(link: str, size: int, op: str) -> dict[str, Any]:
    return {
        "id": f"{SCOPE}/providers/Microsoft.CostManagement/operationResults/{op}",
        "name": op,
        "status": "Completed",
        "validTill": "2025-05-03T00:00:00Z",
        "manifest": {
            "manifestVersion": "2022-05-01",
            "dataFormat": "Csv",
            "blobCount": 1,
            "byteCount": size,
            "compressData": False,
            "blobs": [{"blobLink": link, "byteCount": size}],
        },
    }


def test_cost_details_report_for_a_period(azure: tuple[Store, Cost], tmp_path: Path) -> None:
    if "azure-cost-details" not in ADAPTERS:
        pytest.skip("the azure-cost-details adapter is not registered")
    store, cost = azure
    data = EA_ACTUAL.read_bytes()
    url = store.put(
        "armreports/20250502/ea_actual.csv",
        data,
        account="https://ccmreportstorageeastus.blob.core.windows.net",
        container="armreports",
    )
    for op in ("op-1", "op-2"):
        cost.generate_cost_details_report.responses.append(
            report_response(url + "?sv=2021-08-06&sig=abc", len(data), op)
        )
    with pytest.raises(remote.RemoteSourceError, match="report is requested per month") as info:
        api.ingest_remote(f"azure:/{SCOPE}", workspace=tmp_path)
    assert info.value.hint and "--period" in info.value.hint
    result = api.ingest_remote(f"azure:/{SCOPE}", workspace=tmp_path, periods=["2025-04"])
    [(scope, request)] = cost.generate_cost_details_report.requests
    assert scope == SCOPE and request.metric == "ActualCost"
    assert (request.time_period.start, request.time_period.end) == ("2025-04-01", "2025-04-30")
    assert totals(tmp_path) == {"2025-04": ea_total()}
    assert result.ingest is not None and not result.ingest.skipped
    # A report is generated afresh each time; the same content is then a no-op in the ledger.
    again = api.ingest_remote(f"azure:/{SCOPE}", workspace=tmp_path, periods=["2025-04"])
    assert again.ingest is not None and again.ingest.skipped


def test_cost_details_without_data_is_an_error(azure: tuple[Store, Cost], tmp_path: Path) -> None:
    _, cost = azure
    cost.generate_cost_details_report.responses.append({"id": "x", "status": "NoDataFound"})
    with pytest.raises(remote.RemoteSourceError, match="no cost data for the month"):
        api.ingest_remote(f"azure:/{SCOPE}", workspace=tmp_path, periods=["2019-01"])


@pytest.mark.parametrize(
    ("url", "scope", "export", "metric"),
    [
        ("azure://subscriptions/abc/exports/focus", "/subscriptions/abc", "focus", "ActualCost"),
        (
            "azure://providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31/exports/x",
            "/providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31",
            "x",
            "ActualCost",
        ),
        (
            "azure://subscriptions/abc?metric=AmortizedCost",
            "/subscriptions/abc",
            None,
            "AmortizedCost",
        ),
    ],
)
def test_urls(url: str, scope: str, export: str | None, metric: str) -> None:
    source = azure_blob.open_url(url, remote.RemoteOptions())
    assert (source.scope, source.export, source.metric) == (scope, export, metric)


@pytest.mark.parametrize("url", ["azure://resourceGroups/x", "azure://subscriptions/abc/exports/"])
def test_bad_urls(url: str) -> None:
    with pytest.raises(remote.RemoteSourceError, match="expected azure://<scope>"):
        azure_blob.open_url(url, remote.RemoteOptions())


def test_cli_azure_export_and_scope(azure: tuple[Store, Cost], tmp_path: Path) -> None:
    store, cost = azure
    two_months(store, cost)
    args = [
        "-w",
        str(tmp_path),
        "ingest",
        "--azure-export",
        "focus-monthly",
        "--scope",
        SCOPE.lstrip("/"),
        "--period",
        "2025-05",
        "--lang",
        "en",
    ]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "1 changed period(s) (2025-05), 0 unchanged; downloaded 1 file(s)" in result.stderr
    assert totals(tmp_path) == {"2025-05": 30.0}


def test_download_checks_the_etag(azure: tuple[Store, Cost], tmp_path: Path) -> None:
    """A blob rewritten between listing and download fails instead of mixing versions."""
    store, cost = azure
    two_months(store, cost)
    source = azure_blob.open_url(EXPORT_URL, remote.RemoteOptions())
    [april, _] = source.deliveries(Workspace(tmp_path), (), {})
    name = april.objects[0].key.split("/exports/", 1)[1]
    store.put(name, b"rewritten")
    with pytest.raises(remote.RemoteSourceError, match="changed while it was being read"):
        source.download(april.objects[0], tmp_path / "x.part", None)


def test_focus_rows_keep_azure_values(azure: tuple[Store, Cost], tmp_path: Path) -> None:
    store, cost = azure
    two_months(store, cost)
    api.ingest_remote(EXPORT_URL, workspace=tmp_path, periods=["2025-04"])
    [unit] = api.status(workspace=tmp_path)
    assert (unit.provider, unit.currency, unit.rows) == ("Microsoft", "JPY", 3)
    assert any("part_0_0002.csv" in f for f in unit.source_files)
