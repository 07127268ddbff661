"""`azure://<scope>/exports/<name>` and `azure://<scope>`: Azure Cost Management exports, reports.

With an export (azure-mgmt-costmanagement `exports.get` / `exports.get_execution_history`): each
`ExportRun` says its status, the period it covers (`start_date`) and where its manifest is
(`manifest_file`). For every billing month the latest `Completed` run is the delivery; its
`manifest.json` (`blobs[].blobName`, `byteCount`; Microsoft FinOps toolkit, "How data is processed
in FinOps hubs") names the blobs in the export's storage container, which azure-storage-blob
fetches with an If-Match on their ETag. Runs carry no manifest in older API versions: then the
manifests under the export's `rootFolderPath` are read instead, latest `runInfo.submittedTime` per
month. Without an export (`azure://<scope>` or `--scope` alone) a cost details report is requested
per `--period` (`generate_cost_details_report.begin_create_operation`, metric ActualCost, or
`?metric=AmortizedCost`) and its SAS blob links are downloaded; a report is new every time, so
the ledger's content hash is what makes an unchanged month a no-op.

Credentials: `azure.identity.DefaultAzureCredential` (environment, workload or managed identity,
Azure CLI, …). azure-mgmt-costmanagement 5.x nests export fields under `.properties`, 4.x does not;
both are read (`_props`).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gcfinops.sources.local import DATA_SUFFIXES
from gcfinops.sources.remote import (
    Delivery,
    Progress,
    RemoteObject,
    RemoteOptions,
    RemoteSourceError,
    cache_path,
    month_bounds,
    require_sdk,
)
from gcfinops.workspace import Workspace

HINT_ACCESS = ("the identity needs Cost Management Reader on the scope and Storage Blob Data "
               "Reader on the export's storage account")  # fmt: skip
HINT_LOGIN = ("run `az login`, or set AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET, "
              "or use a managed identity")  # fmt: skip


@dataclass
class AzureClients:
    """The SDK clients a source uses (tests inject fakes with the same methods)."""

    cost: Any  # azure.mgmt.costmanagement.CostManagementClient
    blob_service: Callable[[str], Any]  # account URL → azure.storage.blob.BlobServiceClient
    blob_from_url: Callable[[str], Any]  # SAS URL → azure.storage.blob.BlobClient


def default_clients(options: RemoteOptions) -> AzureClients:
    """Real clients with DefaultAzureCredential."""
    identity = require_sdk("azure.identity", "azure", "azure-identity")
    cm = require_sdk("azure.mgmt.costmanagement", "azure", "azure-mgmt-costmanagement")
    blob = require_sdk("azure.storage.blob", "azure", "azure-storage-blob")
    credential = identity.DefaultAzureCredential()
    return AzureClients(
        cost=cm.CostManagementClient(credential),
        blob_service=lambda url: blob.BlobServiceClient(url, credential=credential),
        blob_from_url=lambda url: blob.BlobClient.from_blob_url(url),
    )


def open_url(url: str, options: RemoteOptions) -> AzureSource:
    """`azure://subscriptions/<id>[/exports/<name>][?metric=AmortizedCost]` → a source."""
    parsed = urllib.parse.urlsplit(url)
    path = (parsed.netloc + parsed.path).strip("/")
    scope, sep, export = (path + "/").partition("/exports/")
    scope, export = scope.rstrip("/"), export.strip("/")
    if not scope.lower().startswith(("subscriptions/", "providers/")) or (sep and not export):
        raise RemoteSourceError(
            f"{url!r}: expected azure://<scope>[/exports/<name>], e.g. "
            "azure://subscriptions/<id>/exports/monthly-focus or "
            "azure://providers/Microsoft.Billing/billingAccounts/<id>/exports/<name>"
        )
    metric = urllib.parse.parse_qs(parsed.query).get("metric", ["ActualCost"])[0]
    return AzureSource("/" + scope, export or None, options, metric=metric)


class AzureSource:
    """One export of one scope, or cost details reports of a scope."""

    def __init__(
        self,
        scope: str,
        export: str | None,
        options: RemoteOptions,
        *,
        metric: str = "ActualCost",
        clients: AzureClients | None = None,
    ) -> None:
        self.scope = scope
        self.export = export
        self.options = options
        self.metric = metric
        self.label = f"azure:/{scope}" + (f"/exports/{export}" if export else "/costDetails")
        self._clients = clients
        self._sas: dict[str, str] = {}  # blob URL → SAS link (cost details reports)

    @property
    def clients(self) -> AzureClients:
        if self._clients is None:
            self._clients = default_clients(self.options)
        return self._clients

    def deliveries(
        self, ws: Workspace, periods: tuple[str, ...], known: Mapping[str, Mapping[str, Any]]
    ) -> list[Delivery]:
        if self.export is None:
            return [self._cost_details(ws, p) for p in periods or self._require_periods()]
        return self._export_deliveries(ws, periods, known)

    def _require_periods(self) -> tuple[str, ...]:
        raise RemoteSourceError(
            f"{self.label}: without an export, a cost details report is requested per month",
            hint="pass --period YYYY-MM (repeatable), or name an export with --azure-export",
        )

    # -- exports -----------------------------------------------------------------------------
    def _export_deliveries(
        self, ws: Workspace, periods: tuple[str, ...], known: Mapping[str, Mapping[str, Any]]
    ) -> list[Delivery]:
        cost = self.clients.cost
        where = f"export {self.export!r} at {self.scope}"
        export = self._call(lambda: cost.exports.get(self.scope, self.export), where)
        history = self._call(
            lambda: cost.exports.get_execution_history(self.scope, self.export), where
        )
        latest: dict[str, Any] = {}
        for run in history.value or []:
            p = _props(run)
            if _text(p.status).lower() != "completed" or p.start_date is None:
                continue
            period = p.start_date.strftime("%Y-%m")
            if period not in latest or _stamp(run) > _stamp(latest[period]):
                latest[period] = run
        if latest and all(_props(r).manifest_file for r in latest.values()):
            runs = {k: v for k, v in latest.items() if not periods or k in periods}
            return [self._run_delivery(ws, k, runs[k], known) for k in sorted(runs)]
        return self._storage_deliveries(ws, export, periods, known)

    def _run_delivery(
        self, ws: Workspace, period: str, run: Any, known: Mapping[str, Mapping[str, Any]]
    ) -> Delivery:
        p = _props(run)
        version = f"{p.manifest_file}@{_stamp(run).isoformat()}"
        return self._manifest_delivery(ws, period, str(p.manifest_file), version, known)

    def _manifest_delivery(
        self,
        ws: Workspace,
        period: str,
        manifest_url: str,
        version: str,
        known: Mapping[str, Mapping[str, Any]],
        manifest: dict[str, Any] | None = None,
    ) -> Delivery:
        delivery_id = f"{self.label}|{period}"
        previous = known.get(delivery_id)
        if previous and previous.get("version") == version:
            # A run's blobs do not change after it completed: reuse what was recorded.
            objects = [
                RemoteObject(str(k), str(e), int(s), self._local(ws, str(k)))
                for k, e, s in previous.get("fingerprint", [])
            ]
            return Delivery(delivery_id, period, version, objects)
        account, container, _ = self._split(manifest_url)
        service = self.clients.blob_service(account)
        data = manifest if manifest is not None else self._read_json(service, manifest_url)
        blobs = data.get("blobs") or []
        if not blobs:
            raise RemoteSourceError(f"{manifest_url}: manifest lists no blobs")
        objects = []
        for b in blobs:
            name = str(b.get("blobName", "")).lstrip("/")
            if not name.lower().endswith(DATA_SUFFIXES):
                raise RemoteSourceError(f"{manifest_url}: lists {name!r}, not CSV(.gz) or Parquet")
            url = f"{account}/{container}/{name}"
            blob = service.get_blob_client(container, name)
            # NOTE: the size comes from storage, not the manifest's byteCount, whose meaning
            # for compressed exports is not documented.
            props = self._call(blob.get_blob_properties, url, listed=True)
            etag = str(props.etag).strip('"')
            objects.append(RemoteObject(url, etag, int(props.size), self._local(ws, url)))
        return Delivery(delivery_id, period, version, objects)

    def _storage_deliveries(
        self,
        ws: Workspace,
        export: Any,
        periods: tuple[str, ...],
        known: Mapping[str, Mapping[str, Any]],
    ) -> list[Delivery]:
        """Fallback: the manifests in the export's container, latest submittedTime per month."""
        props = _props(export)
        dest = props.delivery_info.destination
        account = self._account_url(dest)
        root = "/".join(x.strip("/") for x in (dest.root_folder_path or "", self.export or "") if x)
        service = self.clients.blob_service(account)
        container = service.get_container_client(dest.container)
        found: dict[str, tuple[str, str, dict[str, Any]]] = {}
        listing = self._call(lambda: list(container.list_blobs(name_starts_with=root)), account)
        for item in listing:
            if not item.name.endswith("manifest.json"):
                continue
            url = f"{account}/{dest.container}/{item.name}"
            data = self._read_json(service, url)
            run = data.get("runInfo", {})
            period = str(run.get("startDate", ""))[:7]
            stamp = str(run.get("submittedTime", ""))
            if len(period) == 7 and (period not in found or stamp > found[period][0]):
                found[period] = (stamp, url, data)
        if not found:
            raise RemoteSourceError(
                f"{self.label}: no completed run with a manifest (checked the run history and "
                f"{account}/{dest.container}/{root})",
                hint="run the export once (Azure portal: Run now), then try again",
            )
        return [
            self._manifest_delivery(ws, p, url, f"{url}@{stamp}", known, data)
            for p, (stamp, url, data) in sorted(found.items())
            if not periods or p in periods
        ]

    # -- cost details reports ----------------------------------------------------------------
    def _cost_details(self, ws: Workspace, period: str) -> Delivery:
        cm = require_sdk("azure.mgmt.costmanagement", "azure", "azure-mgmt-costmanagement")
        first, last = month_bounds(period)
        request = cm.models.GenerateCostDetailsReportRequestDefinition(
            metric=self.metric,
            time_period=cm.models.CostDetailsTimePeriod(start=first.isoformat(),
                                                        end=last.isoformat()),
        )  # fmt: skip
        cost = self.clients.cost
        where = f"cost details report for {self.scope} {period}"
        result = self._call(
            lambda: cost.generate_cost_details_report.begin_create_operation(
                self.scope, request
            ).result(),
            where,
        )
        status = _text(getattr(result, "status", None))
        if status.lower() == "nodatafound":
            raise RemoteSourceError(f"{where}: Azure found no cost data for the month")
        if status.lower() != "completed":
            error = getattr(result, "error", None)
            detail = (
                f"{getattr(error, 'code', '')}: {getattr(error, 'message', '')}" if error else ""
            )
            raise RemoteSourceError(f"{where}: report {status or 'failed'} {detail}".strip())
        manifest = getattr(result, "manifest", None) or result  # 4.x: blobs on the result
        # Every report is new: its id stands in for the ETag, so each run downloads it again and
        # the ledger's content hash decides whether anything changed.
        version = f"report:{getattr(result, 'id', '') or getattr(result, 'name', '')}"
        objects = []
        for blob in manifest.blobs or []:
            link = str(blob.blob_link)
            key = link.split("?", 1)[0]  # the URL without its SAS token
            objects.append(RemoteObject(key, version, int(blob.byte_count or -1),
                                        self._local(ws, key, sas=link)))  # fmt: skip
        if not objects:
            raise RemoteSourceError(f"{where}: the report lists no blobs")
        return Delivery(f"{self.label}|{period}", period, version, objects)

    # -- download ----------------------------------------------------------------------------
    def download(self, obj: RemoteObject, dest: Path, progress: Progress | None) -> None:
        sas = self._sas.get(obj.key)
        if sas:
            blob = self.clients.blob_from_url(sas)
            kwargs: dict[str, Any] = {}
        else:
            account, container, name = self._split(obj.key)
            blob = self.clients.blob_service(account).get_blob_client(container, name)
            kwargs = {}
            if obj.etag:
                from azure.core import MatchConditions

                kwargs = {"etag": obj.etag, "match_condition": MatchConditions.IfNotModified}
        done = 0
        stream = self._call(lambda: blob.download_blob(**kwargs), obj.key)
        try:
            with dest.open("wb") as fh:
                for chunk in stream.chunks():
                    fh.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(obj.key.rsplit("/", 1)[-1], done, max(obj.size, done))
        except Exception as exc:  # any transport error mid-stream is a partial read
            raise RemoteSourceError(
                f"{obj.key}: download interrupted after {done:,} bytes ({exc}); "
                "nothing was ingested"
            ) from None

    # -- helpers -----------------------------------------------------------------------------
    def _local(self, ws: Workspace, url: str, sas: str | None = None) -> Path:
        if sas:
            self._sas[url] = sas
        parsed = urllib.parse.urlsplit(url)
        return cache_path(ws, "azure", parsed.netloc, parsed.path)

    def _split(self, url: str) -> tuple[str, str, str]:
        """(account URL, container, blob name) of a blob URL."""
        base = (self.options.endpoint_url or "").rstrip("/")
        if base and url.startswith(base + "/"):
            container, _, name = url[len(base) + 1 :].partition("/")
            return base, container, name
        parsed = urllib.parse.urlsplit(url)
        container, _, name = parsed.path.lstrip("/").partition("/")
        return f"{parsed.scheme}://{parsed.netloc}", container, name

    def _account_url(self, dest: Any) -> str:
        if self.options.endpoint_url:
            return self.options.endpoint_url.rstrip("/")
        account = dest.storage_account or str(dest.resource_id or "").rstrip("/").split("/")[-1]
        if not account:
            raise RemoteSourceError(f"{self.label}: the export has no storage destination")
        return f"https://{account}.blob.core.windows.net"

    def _read_json(self, service: Any, url: str) -> dict[str, Any]:
        _, container, name = self._split(url)
        blob = service.get_blob_client(container, name)
        raw = self._call(lambda: blob.download_blob().readall(), url, listed=True)
        try:
            data = json.loads(raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RemoteSourceError(f"{url}: manifest is not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise RemoteSourceError(f"{url}: manifest is not a JSON object")
        return data

    def _call(self, fn: Callable[[], Any], where: str, *, listed: bool = False) -> Any:
        """Run an SDK call; translate azure-core errors (a listed blob that is gone = partial)."""
        from azure.core import exceptions as ae

        try:
            return fn()
        except ae.ResourceNotFoundError as exc:
            if listed:
                raise RemoteSourceError(
                    f"{where}: listed by the export but not in storage (partial or expired "
                    f"delivery?); nothing was ingested ({_message(exc)})"
                ) from None
            raise RemoteSourceError(f"{where}: not found ({_message(exc)})") from None
        except ae.ResourceModifiedError as exc:
            raise RemoteSourceError(
                f"{where}: changed while it was being read; nothing was ingested ({_message(exc)})",
                hint="run the command again when the export run has finished",
            ) from None
        except ae.AzureError as exc:
            raise translate(exc, where) from None


def _text(value: Any) -> str:
    """An SDK enum member or a plain string → its value ("Completed")."""
    return str(getattr(value, "value", value) or "")


def _props(obj: Any) -> Any:
    """5.x models nest fields under `.properties`; 4.x models are flat."""
    return getattr(obj, "properties", None) or obj


def _stamp(run: Any) -> dt.datetime:
    p = _props(run)
    return p.processing_end_time or p.submitted_time or dt.datetime.min.replace(tzinfo=dt.UTC)


def _message(exc: Any) -> str:
    return str(getattr(exc, "message", None) or exc).splitlines()[0]


def translate(exc: Exception, where: str) -> RemoteSourceError:
    """An azure-core / azure-identity exception → an error quoting Azure's message."""
    from azure.core import exceptions as ae

    if type(exc).__name__ == "CredentialUnavailableError":
        return RemoteSourceError(f"{where}: no Azure credentials ({_message(exc)})",
                                 hint=HINT_LOGIN)  # fmt: skip
    if isinstance(exc, ae.ClientAuthenticationError) and getattr(exc, "status_code", None) != 403:
        return RemoteSourceError(f"{where}: Azure authentication failed ({_message(exc)})",
                                 hint=HINT_LOGIN)  # fmt: skip
    status = getattr(exc, "status_code", None)
    if status == 403 or isinstance(exc, ae.ClientAuthenticationError):
        return RemoteSourceError(f"{where}: access denied ({_message(exc)})", hint=HINT_ACCESS)
    if status == 404:
        return RemoteSourceError(f"{where}: not found ({_message(exc)})")
    if isinstance(exc, ae.ServiceRequestError):
        return RemoteSourceError(f"{where}: cannot reach Azure ({_message(exc)})",
                                 hint="check the network and --endpoint-url")  # fmt: skip
    return RemoteSourceError(f"{where}: {_message(exc)}")
