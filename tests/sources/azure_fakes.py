"""In-memory stand-ins for the Azure SDK clients a source calls, returning the SDK's own models.

Method names and signatures follow azure-mgmt-costmanagement 5.x (`exports.get`,
`exports.get_execution_history`, `generate_cost_details_report.begin_create_operation` → poller
with `.result()`) and azure-storage-blob 12.x (`BlobServiceClient.get_blob_client` /
`get_container_client`, `BlobClient.get_blob_properties` / `download_blob(etag=,
match_condition=)` → downloader with `.chunks()` / `.readall()`, `ContainerClient.list_blobs(
name_starts_with=)`, `BlobClient.from_blob_url`). Responses are built from the REST JSON the
services return, through the SDK models, so attribute names are the SDK's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.mgmt.costmanagement import models
from azure.storage.blob import BlobProperties

from gcfinops.sources.azure_blob import AzureClients

ACCOUNT = "https://gcfbilling.blob.core.windows.net"
CONTAINER = "exports"
SCOPE = "/subscriptions/5f0c2d1e-7a3b-4c8d-9e10-000000131121"


@dataclass
class Store:
    """Blob storage: (account URL, container, name) → bytes; counts every call."""

    blobs: dict[tuple[str, str, str], bytes] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def put(self, name: str, data: bytes, account: str = ACCOUNT, container: str = CONTAINER
            ) -> str:  # fmt: skip
        self.blobs[(account, container, name)] = data
        return f"{account}/{container}/{name}"

    @staticmethod
    def etag(data: bytes) -> str:
        return '"0x8DD' + hashlib.md5(data, usedforsecurity=False).hexdigest()[:12].upper() + '"'


class Downloader:
    """azure.storage.blob.StorageStreamDownloader: chunks() and readall()."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.size = len(data)

    def chunks(self) -> Iterator[bytes]:
        for i in range(0, len(self.data), 7):
            yield self.data[i : i + 7]

    def readall(self) -> bytes:
        return self.data


class Blob:
    """azure.storage.blob.BlobClient."""

    def __init__(self, store: Store, account: str, container: str, name: str) -> None:
        self.store, self.key = store, (account, container, name)

    def _data(self) -> bytes:
        if self.key not in self.store.blobs:
            raise ResourceNotFoundError(
                "The specified blob does not exist.\nErrorCode:BlobNotFound"
            )
        return self.store.blobs[self.key]

    def get_blob_properties(self, **kwargs: Any) -> BlobProperties:
        self.store.calls.append(f"properties {self.key[2]}")
        data = self._data()
        modified = dt.datetime(2025, 5, 2, tzinfo=dt.UTC)
        headers = {"ETag": Store.etag(data), "Content-Length": len(data), "Last-Modified": modified}
        return BlobProperties(name=self.key[2], **headers)

    def download_blob(
        self, offset: int | None = None, length: int | None = None, **kwargs: Any
    ) -> Downloader:
        self.store.calls.append(f"download {self.key[2]}")
        data = self._data()
        etag = kwargs.get("etag")
        conditional = kwargs.get("match_condition") == MatchConditions.IfNotModified and etag
        if conditional and Store.etag(data).strip('"') != str(etag).strip('"'):
            raise ResourceModifiedError("The condition specified using HTTP conditional "
                                        "header(s) is not met.")  # fmt: skip
        return Downloader(data)


class Container:
    """azure.storage.blob.ContainerClient."""

    def __init__(self, store: Store, account: str, container: str) -> None:
        self.store, self.account, self.container = store, account, container

    def list_blobs(self, name_starts_with: str | None = None, **kwargs: Any) -> Iterator[Any]:
        self.store.calls.append(f"list {name_starts_with}")
        for (account, container, name), data in sorted(self.store.blobs.items()):
            if (account, container) == (self.account, self.container) and name.startswith(
                name_starts_with or ""
            ):
                yield BlobProperties(**{"name": name, "ETag": Store.etag(data),
                                        "Content-Length": len(data)})  # fmt: skip


class Service:
    """azure.storage.blob.BlobServiceClient."""

    def __init__(self, store: Store, account: str) -> None:
        self.store, self.account = store, account

    def get_blob_client(self, container: str, blob: str) -> Blob:
        return Blob(self.store, self.account, container, blob)

    def get_container_client(self, container: str) -> Container:
        return Container(self.store, self.account, container)


class Exports:
    """CostManagementClient.exports."""

    def __init__(self) -> None:
        self.exports: dict[tuple[str, str], dict[str, Any]] = {}
        self.runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.error: Exception | None = None

    def get(self, scope: str, export_name: str, *, expand: str | None = None) -> models.Export:
        if self.error:
            raise self.error
        if (scope, export_name) not in self.exports:
            raise ResourceNotFoundError(
                f"(NotFound) Export '{export_name}' not found for scope '{scope}'.\nCode: NotFound"
            )
        return models.Export(self.exports[(scope, export_name)])

    def get_execution_history(
        self, scope: str, export_name: str, **kwargs: Any
    ) -> models.ExportExecutionListResult:
        return models.ExportExecutionListResult({"value": self.runs.get((scope, export_name), [])})


class Poller:
    """azure.core.polling.LROPoller: result()."""

    def __init__(self, result: models.CostDetailsOperationResults) -> None:
        self._result = result

    def result(self, timeout: float | None = None) -> models.CostDetailsOperationResults:
        return self._result


class Reports:
    """CostManagementClient.generate_cost_details_report."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, Any]] = []
        self.responses: list[dict[str, Any]] = []

    def begin_create_operation(self, scope: str, parameters: Any, **kwargs: Any) -> Poller:
        self.requests.append((scope, parameters))
        return Poller(models.CostDetailsOperationResults(self.responses.pop(0)))


@dataclass
class Cost:
    """CostManagementClient (the operation groups a source uses)."""

    exports: Exports = field(default_factory=Exports)
    generate_cost_details_report: Reports = field(default_factory=Reports)


def clients(store: Store, cost: Cost) -> AzureClients:
    def from_url(url: str) -> Blob:
        parsed = urllib.parse.urlsplit(url)
        assert "sig=" in parsed.query, "a cost details blob link carries its SAS token"
        container, _, name = parsed.path.lstrip("/").partition("/")
        return Blob(store, f"{parsed.scheme}://{parsed.netloc}", container, name)

    return AzureClients(cost=cost, blob_service=lambda url: Service(store, url),
                        blob_from_url=from_url)  # fmt: skip


def export_resource(name: str = "focus-monthly", root: str = "focus") -> dict[str, Any]:
    """The REST JSON of a FocusCost export delivering to ACCOUNT/CONTAINER/root."""
    return {
        "id": f"{SCOPE}/providers/Microsoft.CostManagement/exports/{name}",
        "name": name,
        "properties": {
            "format": "Csv",
            "definition": {"type": "FocusCost", "timeframe": "MonthToDate",
                           "dataSet": {"granularity": "Daily",
                                       "configuration": {"dataVersion": "1.0r2"}}},
            "deliveryInfo": {"destination": {
                "resourceId": f"{SCOPE}/resourceGroups/rg-billing/providers/"
                              "Microsoft.Storage/storageAccounts/gcfbilling",
                "container": CONTAINER, "rootFolderPath": root}},
        },
    }  # fmt: skip


def deliver_run(
    store: Store,
    cost: Cost,
    period: str,
    files: dict[str, bytes],
    *,
    run_id: str,
    submitted: str,
    export: str = "focus-monthly",
    status: str = "Completed",
    listed: list[str] | None = None,
    with_manifest_link: bool = True,
) -> str:
    """One export run as Cost Management writes it: blobs, then manifest.json, then the run."""
    y, m = period.split("-")
    folder = f"focus/{export}/{y}{m}01-{y}{m}28/{run_id}"
    names = [f"{folder}/{n}" for n in files]
    for name, data in zip(names, files.values(), strict=True):
        store.put(name, data)
    manifest = {
        "manifestVersion": "2024-04-01", "byteCount": sum(map(len, files.values())),
        "blobCount": len(files), "dataRowCount": 0,
        "exportConfig": {"exportName": export, "resourceId": f"{SCOPE}/providers/"
                         f"Microsoft.CostManagement/exports/{export}", "dataVersion": "1.0r2",
                         "apiVersion": "2023-07-01-preview", "type": "FocusCost",
                         "timeFrame": "MonthToDate", "granularity": "Daily"},
        "runInfo": {"executionType": "Scheduled", "submittedTime": submitted, "runId": run_id,
                    "startDate": f"{period}-01T00:00:00", "endDate": f"{period}-28T00:00:00"},
        "blobs": [{"blobName": f"{folder}/{n}", "byteCount": len(files.get(n, b""))}
                  for n in (listed if listed is not None else files)],
    }  # fmt: skip
    manifest_url = store.put(f"{folder}/manifest.json", json.dumps(manifest).encode())
    run = {
        "id": f"{SCOPE}/providers/Microsoft.CostManagement/exports/{export}/runs/{run_id}",
        "name": run_id,
        "properties": {"executionType": "Scheduled", "status": status, "submittedBy": "System",
                       "submittedTime": submitted, "processingStartTime": submitted,
                       "processingEndTime": submitted, "startDate": f"{period}-01T00:00:00Z",
                       "endDate": f"{period}-28T00:00:00Z"},
    }  # fmt: skip
    if with_manifest_link:
        run["properties"]["manifestFile"] = manifest_url
    cost.exports.runs.setdefault((SCOPE, export), []).append(run)
    return manifest_url
