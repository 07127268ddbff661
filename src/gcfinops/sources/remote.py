"""Remote billing sources: `s3://…`, `azure://…`, `bq://…` → files in the workspace cache → ingest.

A source lists what the provider delivered and groups it into *deliveries*: one billing period of
one export or table, the unit a provider rewrites (AWS refreshes a period several times a month,
Azure re-runs month-to-date exports daily, BigQuery appends rows). Each delivery has a fingerprint
(object keys with ETag and size, or a BigQuery row count and last export time). Deliveries whose
fingerprint equals what this workspace last ingested are left alone; for the others, every object
is fetched into `<workspace>/.gcfinops/cache/<scheme>/…` (an object whose ETag and size match the
cached copy is not downloaded again) and all files of the changed periods are handed, in one
call, to the `ingest_files` callback the caller passes (`api.ingest_source` passes
`gcfinops.ingest.ingest`): the same reconciliation, atomic lake swap and ledger as local files.
Sources sit below ingest (docs/architecture.md) and never import it. The remote state
(`<workspace>/.gcfinops/remote/<source>.json`) is written only after that ingest succeeded.
Listing, permission and download errors are raised before ingest starts, so the lake is never
changed by a partial download.

Cloud SDKs are imported inside functions only (`require_sdk`): a workspace that only ever reads
files (LGWAN) needs none of them. See docs/remote-sources.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Generic, Protocol, TypeVar

from gcfinops.errors import ConfigError, RemoteSourceError
from gcfinops.workspace import Workspace, atomic_path, write_text_atomic

__all__ = ["Progress", "RemoteSourceError"]  # RemoteSourceError lives in errors.py since #11

SCHEMES = {"s3": "gcfinops.sources.s3", "azure": "gcfinops.sources.azure_blob",
           "bq": "gcfinops.sources.gcp"}  # fmt: skip
PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
STATE_VERSION = 1


Progress = Callable[[str, int, int], None]  # (file name, bytes done, bytes total); = ingest's


class Ingested(Protocol):
    """What the ingest callback returns: the id recorded against each delivery it ingested."""

    @property
    def ingest_id(self) -> str | None: ...


R = TypeVar("R", bound=Ingested)


def require_sdk(module: str, extra: str, package: str) -> ModuleType:
    """Import a cloud SDK module, or explain which optional extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise RemoteSourceError(
            f"{package} is not installed; it is needed to read {extra.upper()} sources",
            hint=f"pip install 'gcfinops[{extra}]'",
        ) from None


@dataclass(frozen=True)
class RemoteOptions:
    """Connection options shared by the sources (each uses those that apply to it)."""

    profile: str | None = None  # AWS named profile
    region: str | None = None  # AWS region / BigQuery job location
    endpoint_url: str | None = None  # S3-compatible endpoint / Azure blob account URL
    periods: tuple[str, ...] = ()  # billing periods YYYY-MM; empty = every delivered period


@dataclass(frozen=True)
class RemoteObject:
    """One remote file: its identity at the provider and where its cached copy lives."""

    key: str  # provider identity (s3://bucket/key, blob URL, table + month)
    etag: str  # provider version marker ("" when unknown)
    size: int  # bytes, or -1 when unknown before download
    local: Path


@dataclass
class Delivery:
    """One billing period of one export or table, as currently delivered."""

    id: str  # stable across refreshes: "<export root>|<period>"
    period: str  # YYYY-MM
    version: str  # what identifies this delivery (manifest key + ETag, run id, …)
    objects: list[RemoteObject] = field(default_factory=list)

    def fingerprint(self) -> list[list[str | int]]:
        return sorted([o.key, o.etag, o.size] for o in self.objects)


class Source(Protocol):
    """What `ingest_remote` needs from a source module."""

    label: str  # shown to users, e.g. s3://bucket/prefix/

    def deliveries(
        self, ws: Workspace, periods: tuple[str, ...], known: Mapping[str, Mapping[str, Any]]
    ) -> list[Delivery]:
        """Current deliveries; `known` is what was last ingested, by delivery id."""

    def download(self, obj: RemoteObject, dest: Path, progress: Progress | None) -> None:
        """Write the object to `dest`; raise RemoteSourceError if it cannot be read in full."""


@dataclass
class RemoteResult(Generic[R]):
    """What a remote ingest did (`ingest`: the callback's result, None when nothing changed)."""

    source: str
    deliveries: list[Delivery]
    changed: list[Delivery]
    downloaded: list[RemoteObject] = field(default_factory=list)
    reused: list[RemoteObject] = field(default_factory=list)
    ingest: R | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def downloaded_bytes(self) -> int:
        return sum(max(o.size, 0) for o in self.downloaded)


def is_remote(arg: str) -> bool:
    """True for `s3://…`, `azure://…`, `bq://…` (not for local paths)."""
    scheme, sep, _ = arg.partition("://")
    return bool(sep) and scheme.lower() in SCHEMES


def check_periods(periods: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Validate `--period YYYY-MM` values."""
    for p in periods:
        if not PERIOD.match(p):
            raise ConfigError(f"--period expects YYYY-MM, e.g. 2025-04 (found {p!r})")
    return tuple(sorted(set(periods)))


def open_source(
    url: str | None,
    options: RemoteOptions,
    *,
    azure_export: str | None = None,
    scope: str | None = None,
    gcp_table: str | None = None,
) -> Source:
    """The source a URL (or `--azure-export`/`--scope`, `--gcp-table`) names."""
    if url is None:
        if gcp_table:
            url = f"bq://{gcp_table}"
        elif scope:
            scope_path = scope.strip("/")
            url = f"azure://{scope_path}" + (f"/exports/{azure_export}" if azure_export else "")
        elif azure_export:
            raise ConfigError("--azure-export needs --scope (e.g. subscriptions/<id>)")
        else:
            raise ConfigError("no remote source given")
    scheme = url.partition("://")[0].lower()
    if scheme not in SCHEMES:
        raise ConfigError(f"unknown remote source {url!r}; supported: s3://, azure://, bq://")
    module = importlib.import_module(SCHEMES[scheme])
    source: Source = module.open_url(url, options)
    return source


def sync(
    ws: Workspace,
    source: Source,
    options: RemoteOptions,
    ingest_files: Callable[[list[Path]], R],
    *,
    progress: Progress | None = None,
    lock_timeout: float = 600.0,
) -> RemoteResult[R]:
    """Fetch what changed at the source, hand its files to `ingest_files`, record the state."""
    periods = check_periods(options.periods)
    ws.root.mkdir(parents=True, exist_ok=True)
    with ws.lock(lock_timeout, name="remote/lock"):  # fetches are serialized too
        state = RemoteState.load(ws, source.label)
        deliveries = source.deliveries(ws, periods, state.deliveries)
        if periods:
            deliveries = [d for d in deliveries if d.period in periods]
        if not deliveries:
            wanted = f" for {', '.join(periods)}" if periods else ""
            raise RemoteSourceError(f"{source.label}: nothing delivered{wanted}")
        changed = [d for d in deliveries if state.ingested(d.id) != d.fingerprint()]
        result: RemoteResult[R] = RemoteResult(source.label, deliveries, changed)
        try:
            for d in changed:
                for obj in d.objects:
                    if state.is_cached(ws, obj):
                        result.reused.append(obj)
                        continue
                    _fetch(source, obj, progress)
                    state.cache(ws, obj)
                    result.downloaded.append(obj)
        finally:
            state.save()  # the cache index: a failed run must not cost a second download
        result.warnings.extend(getattr(source, "warnings", []))
        if not changed:
            return result
        ingested = ingest_files([o.local for d in changed for o in d.objects])
        result.ingest = ingested
        for d in changed:
            state.record(ws, d, ingested.ingest_id)
        state.save()
        return result


def _fetch(source: Source, obj: RemoteObject, progress: Progress | None) -> None:
    """Download beside the cached copy, check the size, then rename (`workspace.atomic_path`):
    the cache never holds a torso."""
    with atomic_path(obj.local) as part:
        source.download(obj, part, progress)
        got = part.stat().st_size
        if obj.size >= 0 and got != obj.size:
            raise RemoteSourceError(
                f"{obj.key}: downloaded {got:,} bytes but the source lists {obj.size:,} "
                "(partial download); nothing was ingested",
                hint="run the command again; if it persists, check the export's delivery",
            )


def cache_path(ws: Workspace, scheme: str, *parts: str) -> Path:
    """`<workspace>/.gcfinops/cache/<scheme>/<parts…>`, refusing `..` and absolute segments."""
    segments = [s for p in parts for s in p.split("/") if s]
    if not segments or any(s in (".", "..") or "\\" in s or "\0" in s for s in segments):
        raise RemoteSourceError(f"refusing an unsafe object name: {'/'.join(parts)!r}")
    return ws.cache_dir.joinpath(scheme, *segments)


class RemoteState:
    """What this workspace fetched from one source and what it last ingested from it."""

    def __init__(self, path: Path, label: str, data: dict[str, Any]) -> None:
        self.path = path
        self.label = label
        self.objects: dict[str, dict[str, Any]] = dict(data.get("objects", {}))
        self.deliveries: dict[str, dict[str, Any]] = dict(data.get("deliveries", {}))

    @classmethod
    def load(cls, ws: Workspace, label: str) -> RemoteState:
        scheme = label.partition("://")[0]
        digest = hashlib.sha256(label.encode()).hexdigest()[:16]
        path = ws.remote_state_dir / f"{scheme}-{digest}.json"
        data: dict[str, Any] = {}
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError):
                data = {}  # a damaged state only costs a re-download
        return cls(path, label, data)

    def ingested(self, delivery_id: str) -> list[list[str | int]] | None:
        rec = self.deliveries.get(delivery_id)
        return [list(x) for x in rec["fingerprint"]] if rec else None

    def is_cached(self, ws: Workspace, obj: RemoteObject) -> bool:
        rec = self.objects.get(obj.key)
        return bool(
            rec
            and obj.etag
            and rec.get("etag") == obj.etag
            and rec.get("size") == obj.size
            and obj.local.is_file()
            and (obj.size < 0 or obj.local.stat().st_size == obj.size)
        )

    def cache(self, ws: Workspace, obj: RemoteObject) -> None:
        self.objects[obj.key] = {"etag": obj.etag, "size": obj.size,
                                 "path": obj.local.relative_to(ws.root).as_posix()}  # fmt: skip

    def record(self, ws: Workspace, d: Delivery, ingest_id: str | None) -> None:
        """Mark a delivery ingested; drop cached files its previous version had and it lacks."""
        old = self.deliveries.get(d.id)
        keep = {o.key for o in d.objects}
        for key, *_ in old["fingerprint"] if old else []:
            if key not in keep and key in self.objects:
                (ws.root / self.objects.pop(key)["path"]).unlink(missing_ok=True)
        self.deliveries[d.id] = {
            "period": d.period,
            "version": d.version,
            "fingerprint": d.fingerprint(),
            "ingest_id": ingest_id,
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }

    def save(self) -> None:
        data = {"version": STATE_VERSION, "source": self.label, "objects": self.objects,
                "deliveries": self.deliveries}  # fmt: skip
        write_text_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))


def month_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a billing period YYYY-MM."""
    y, m = int(period[:4]), int(period[5:7])
    first = dt.date(y, m, 1)
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)
