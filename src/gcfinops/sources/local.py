"""Expand what the user named into the data files to ingest.

A file is itself. A folder is searched for Data Exports / CUR manifests (`*Manifest.json`): when it
has them, exactly the files the latest manifest of each billing period lists are read (AWS writes
the manifest after the data files and rewrites periods; formats.md §2.2). Without manifests, every
CSV, CSV.gz and Parquet file below the folder is read, in name order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gcfinops.errors import InputError

DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".csv.gzip", ".jsonl", ".jsonl.gz", ".ndjson",
                 ".ndjson.gz")  # fmt: skip


def is_data_file(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(DATA_SUFFIXES)


def expand(paths: list[Path]) -> list[Path]:
    """Data files for the given files and folders, without duplicates, in a stable order."""
    out: list[Path] = []
    for p in paths:
        if not p.exists():
            raise InputError("no such file or folder", path=str(p))
        out.extend([p] if p.is_file() else _folder(p))
    seen: set[Path] = set()
    unique = []
    for f in out:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    if not unique:
        raise InputError("no CSV, CSV.gz or Parquet files found", path=", ".join(map(str, paths)))
    return unique


def _folder(root: Path) -> list[Path]:
    manifests = sorted(root.rglob("*Manifest.json"))
    if not manifests:
        return sorted(
            (f for f in root.rglob("*") if is_data_file(f) and "metadata" not in f.parts),
            key=lambda f: f.as_posix(),
        )
    latest: dict[tuple[str, str, str], tuple[float, Path, dict[str, Any]]] = {}
    for m in manifests:
        try:
            data = json.loads(m.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"manifest is not valid JSON ({exc})", path=str(m)) from None
        # One delivery per export and billing period: several exports may share a folder.
        key = (_export_root(m), m.name, _period(data, m))
        stamp = m.stat().st_mtime
        if key not in latest or stamp > latest[key][0]:
            latest[key] = (stamp, m, data)
    files: list[Path] = []
    for period in sorted(latest):
        _, m, data = latest[period]
        files.extend(_listed_files(root, m, data))
    return files


def _export_root(manifest: Path) -> str:
    """The export's folder: above `metadata/` (Data Exports), else above the period folder."""
    parts = manifest.parts
    if "metadata" in parts:
        return Path(*parts[: parts.index("metadata")]).as_posix()
    return manifest.parent.parent.as_posix()


def _period(data: dict[str, Any], manifest: Path) -> str:
    bp = data.get("billingPeriod")
    if isinstance(bp, dict) and bp.get("start"):
        return str(bp["start"])[:7]
    for part in manifest.parts:
        if part.upper().startswith("BILLING_PERIOD="):
            return part.split("=", 1)[1]
    return manifest.parent.as_posix()


def manifest_keys(data: dict[str, Any]) -> list[str]:
    """The data files a manifest lists: `dataFiles` (Data Exports), `reportKeys` (legacy CUR)."""
    keys = data.get("dataFiles") or data.get("reportKeys") or data.get("files") or []
    return [str(k.get("key", "")) if isinstance(k, dict) else str(k) for k in keys]


def _listed_files(root: Path, manifest: Path, data: dict[str, Any]) -> list[Path]:
    keys = manifest_keys(data)
    if not keys:
        raise InputError(
            "manifest lists no data files (dataFiles / reportKeys)", path=str(manifest)
        )
    found = []
    for key in keys:
        local = _locate(root, key)
        if local is None:
            raise InputError(
                f"manifest lists {key!r} but the file is not in the folder (partial delivery?)",
                path=str(manifest),
            )
        found.append(local)
    return found


def _locate(root: Path, key: str) -> Path | None:
    """The local file for an S3 key: match the longest tail of the key's path."""
    parts = [p for p in key.replace("s3://", "").split("/") if p]
    for n in range(len(parts), 0, -1):
        candidate = root.joinpath(*parts[-n:])
        if candidate.is_file():
            return candidate
    matches = [f for f in root.rglob(parts[-1])] if parts else []
    return matches[0] if len(matches) == 1 else None
