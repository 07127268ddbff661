"""`s3://bucket/prefix/`: AWS Data Exports (CUR 2.0, FOCUS) and legacy CUR deliveries in S3.

Layouts, read through their manifests (docs/remote-sources.md cites the sources):

- Data Exports: `<prefix>/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json`,
  rewritten at every refresh and delivered after the data files, lists them in `dataFiles`
  (`s3://` URIs under `<prefix>/<export>/data/BILLING_PERIOD=YYYY-MM/`). AWS "Understanding export
  delivery".
- Legacy CUR: `<prefix>/<report>/yyyymmdd-yyyymmdd/<report>-Manifest.json` is the latest delivery
  of the range (the copies under `<assemblyId>/` are earlier ones) and lists `reportKeys` (bucket
  keys); the overwrite/Athena flavour keeps one under `<report>/year=YYYY/month=M/`.

A delivery is the most recently written manifest of one (export, billing period); its objects are
fingerprinted by ETag and size from the listing, fetched with `If-Match` on that ETag (so a file
rewritten mid-download fails instead of mixing versions) and checked against the ETag's MD5 where
S3 defines it that way. Credentials come from the standard AWS chain (env, profile, SSO, instance
role); `--profile`, `--region` and `--endpoint-url` (S3-compatible storage) are honoured.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gcfinops.sources.local import DATA_SUFFIXES, manifest_keys
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

# (export root, year, month, assembly folder) from a manifest key; the first that matches wins.
MANIFESTS = (
    re.compile(r"^(?P<root>(?:.*/)?)metadata/BILLING_PERIOD=(?P<y>\d{4})-(?P<m>\d{2})/"
               r"(?P<asm>(?:[^/]+/)*)[^/]*Manifest\.json$"),
    re.compile(r"^(?P<root>(?:.*/)?)(?P<y>\d{4})(?P<m>\d{2})\d{2}-\d{8}/"
               r"(?P<asm>(?:[^/]+/)?)[^/]*-Manifest\.json$"),
    re.compile(r"^(?P<root>(?:.*/)?)year=(?P<y>\d{4})/month=(?P<m>\d{1,2})/"
               r"(?P<asm>)[^/]*-Manifest\.json$"),
)  # fmt: skip
HINT_ACCESS = ("the identity needs s3:ListBucket on the bucket and s3:GetObject on the prefix "
               "(check --profile / AWS_PROFILE)")  # fmt: skip


@dataclass(frozen=True)
class Listed:
    """One object as `ListObjectsV2` / `HeadObject` describe it."""

    etag: str
    size: int
    modified: dt.datetime


def open_url(url: str, options: RemoteOptions) -> S3Source:
    """`s3://bucket/prefix/` → a source."""
    bucket, _, prefix = url[len("s3://") :].partition("/")
    if not bucket:
        raise RemoteSourceError(f"{url!r}: expected s3://BUCKET/PREFIX/")
    return S3Source(bucket, prefix, options)


class S3Source:
    """Deliveries under one bucket prefix (one or several exports)."""

    def __init__(
        self, bucket: str, prefix: str, options: RemoteOptions, client: Any | None = None
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.options = options
        self.label = f"s3://{bucket}/{prefix}"
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            boto3 = require_sdk("boto3", "aws", "boto3 (the AWS SDK)")
            from botocore.config import Config
            from botocore.exceptions import BotoCoreError

            try:
                session = boto3.Session(
                    profile_name=self.options.profile, region_name=self.options.region
                )
                self._client = session.client(
                    "s3",
                    endpoint_url=self.options.endpoint_url,
                    config=Config(retries={"mode": "standard"}),  # AWS_MAX_ATTEMPTS applies
                )
            except BotoCoreError as exc:
                raise translate(exc, self.label) from None
        return self._client

    def deliveries(
        self, ws: Workspace, periods: tuple[str, ...], known: Mapping[str, Mapping[str, Any]]
    ) -> list[Delivery]:
        listing = self._list()
        best: dict[tuple[str, str], tuple[dt.datetime, int, str]] = {}
        for key, item in listing.items():
            found = _manifest_match(key)
            if found is None:
                continue
            root, period, in_assembly = found
            if periods and period not in periods:
                continue
            # Latest write wins; on a tie the range-level legacy manifest (the current one) wins.
            candidate = (item.modified, 0 if in_assembly else 1, key)
            if (root, period) not in best or candidate > best[(root, period)]:
                best[(root, period)] = candidate
        if not best and not periods:
            if not listing:
                raise RemoteSourceError(
                    f"{self.label}: no objects under this prefix",
                    hint="check the bucket and the export's S3 prefix",
                )
            raise RemoteSourceError(
                f"{self.label}: no Data Exports or CUR manifest (*-Manifest.json) here",
                hint="point at the export: s3://BUCKET/<prefix>/<export-name>/",
            )
        return [
            self._delivery(ws, root, period, key, listing, known)
            for (root, period), (_, _, key) in sorted(best.items())
        ]

    def _delivery(
        self,
        ws: Workspace,
        root: str,
        period: str,
        manifest: str,
        listing: dict[str, Listed],
        known: Mapping[str, Mapping[str, Any]],
    ) -> Delivery:
        uri = f"s3://{self.bucket}/{manifest}"
        delivery_id = f"s3://{self.bucket}/{root}|{period}"
        version = f"{uri}@{listing[manifest].etag}"
        previous = known.get(delivery_id)
        if previous and previous.get("version") == version:
            # Same manifest as last time: its file list is known, only ETags/sizes are re-checked.
            keys = [str(row[0]) for row in previous.get("fingerprint", [])]
        else:
            keys = manifest_keys(self._read_json(manifest))
        if not keys:
            raise RemoteSourceError(f"{uri}: manifest lists no data files (dataFiles / reportKeys)")
        objects = []
        for raw in keys:
            bucket, key = self._resolve(raw)
            if not key.lower().endswith(DATA_SUFFIXES):
                raise RemoteSourceError(
                    f"{uri}: lists s3://{bucket}/{key}, which is not CSV, CSV.gz or Parquet",
                    hint="set the export's compression to GZIP or Parquet (ZIP is not read)",
                )
            local = cache_path(ws, "s3", bucket, key)
            item = listing.get(key) if bucket == self.bucket else None
            item = item or self._head(bucket, key, uri)
            objects.append(RemoteObject(f"s3://{bucket}/{key}", item.etag, item.size, local))
        return Delivery(delivery_id, period, version, objects)

    def _resolve(self, raw: str) -> tuple[str, str]:
        if raw.startswith("s3://"):
            bucket, _, key = raw[len("s3://") :].partition("/")
            return bucket, key
        return self.bucket, raw.lstrip("/")

    def _list(self) -> dict[str, Listed]:
        from botocore.exceptions import BotoCoreError, ClientError

        out: dict[str, Listed] = {}
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            )
            for page in pages:
                for o in page.get("Contents", []):
                    out[o["Key"]] = Listed(o["ETag"].strip('"'), int(o["Size"]), o["LastModified"])
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, self.label) from None
        return out

    def _head(self, bucket: str, key: str, manifest: str) -> Listed:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            h = self.client.head_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in ("404", "NoSuchKey", "NotFound"):
                raise RemoteSourceError(
                    f"{manifest} lists s3://{bucket}/{key}, which does not exist "
                    f"(partial or expired delivery?); nothing was ingested ({_message(exc)})",
                    hint="run again after AWS finishes the delivery (the manifest is written last)",
                ) from None
            raise translate(exc, f"s3://{bucket}/{key}") from None
        except BotoCoreError as exc:
            raise translate(exc, f"s3://{bucket}/{key}") from None
        return Listed(h["ETag"].strip('"'), int(h["ContentLength"]), h["LastModified"])

    def _read_json(self, key: str) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        uri = f"s3://{self.bucket}/{key}"
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, uri) from None
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RemoteSourceError(f"{uri}: manifest is not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise RemoteSourceError(f"{uri}: manifest is not a JSON object")
        return data

    def download(self, obj: RemoteObject, dest: Path, progress: Progress | None) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        bucket, key = self._resolve(obj.key)
        md5 = hashlib.md5(usedforsecurity=False)
        done = 0
        try:
            extra = {"IfMatch": f'"{obj.etag}"'} if obj.etag else {}
            resp = self.client.get_object(Bucket=bucket, Key=key, **extra)
            with dest.open("wb") as fh:
                for chunk in resp["Body"].iter_chunks(1 << 20):
                    fh.write(chunk)
                    md5.update(chunk)
                    done += len(chunk)
                    if progress:
                        progress(Path(key).name, done, max(obj.size, done))
        except ClientError as exc:
            raise translate(exc, obj.key) from None
        except (BotoCoreError, OSError) as exc:
            raise RemoteSourceError(
                f"{obj.key}: download interrupted after {done:,} bytes ({exc}); "
                "nothing was ingested"
            ) from None
        # The ETag is the MD5 of the content for single-part uploads without SSE-KMS/SSE-C.
        plain = resp.get("ServerSideEncryption") in (None, "AES256") and not resp.get(
            "SSECustomerAlgorithm"
        )
        complete = done == obj.size  # a short read is reported as partial by the caller
        if complete and plain and obj.etag and "-" not in obj.etag and md5.hexdigest() != obj.etag:
            raise RemoteSourceError(
                f"{obj.key}: content does not match its ETag (corrupted download); "
                "nothing was ingested"
            )


def _manifest_match(key: str) -> tuple[str, str, bool] | None:
    """(export root, YYYY-MM, inside an assembly/execution folder) for a manifest key."""
    for pattern in MANIFESTS:
        m = pattern.match(key)
        if m and 1 <= int(m["m"]) <= 12:
            return m["root"], f"{m['y']}-{int(m['m']):02d}", bool(m["asm"])
    return None


def _code(exc: Any) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def _message(exc: Any) -> str:
    err = getattr(exc, "response", {}).get("Error", {})
    return f"{err.get('Code', '')}: {err.get('Message', '')}".strip(": ") or str(exc)


def translate(exc: Exception, where: str) -> RemoteSourceError:
    """A botocore exception → an error naming the object and quoting AWS's message."""
    from botocore import exceptions as be

    if isinstance(exc, be.NoCredentialsError | be.PartialCredentialsError):
        return RemoteSourceError(
            f"{where}: no AWS credentials found ({exc})",
            hint="set AWS_PROFILE or pass --profile (after `aws sso login` for SSO), or run "
            "with an instance/task role",
        )
    if isinstance(exc, be.ProfileNotFound):
        return RemoteSourceError(f"{exc}", hint="list profiles with `aws configure list-profiles`")
    if isinstance(exc, be.EndpointConnectionError):
        return RemoteSourceError(f"{where}: cannot reach S3 ({exc})",
                                 hint="check --endpoint-url, --region and the network")  # fmt: skip
    if not isinstance(exc, be.ClientError):
        return RemoteSourceError(f"{where}: {exc}")
    code = _code(exc)
    if code == "NoSuchBucket":
        return RemoteSourceError(f"{where}: the bucket does not exist ({_message(exc)})")
    if code in ("AccessDenied", "403", "AllAccessDisabled", "InvalidAccessKeyId",
                "SignatureDoesNotMatch", "ExpiredToken"):  # fmt: skip
        return RemoteSourceError(f"{where}: access denied ({_message(exc)})", hint=HINT_ACCESS)
    if code in ("NoSuchKey", "404", "NotFound"):
        return RemoteSourceError(
            f"{where}: object does not exist ({_message(exc)}); nothing was ingested"
        )
    if code in ("PreconditionFailed", "412"):
        return RemoteSourceError(
            f"{where}: the object changed while it was being read (AWS is re-delivering); "
            "nothing was ingested",
            hint="run the command again in a few minutes",
        )
    return RemoteSourceError(f"{where}: {_message(exc)}")
