"""The reader contract for utilization exports: detect by top-level keys, read with one SELECT."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gcfinops.db import readable_path

#: Statistic names as stored: CloudWatch / Azure Monitor spellings → one vocabulary.
STATISTICS_SQL = """(VALUES ('Average', 'average'), ('Maximum', 'maximum'),
    ('Minimum', 'minimum'), ('Sum', 'sum'), ('SampleCount', 'sample_count'))"""

JSON_OPEN = "read_json_objects(?, format = 'auto', maximum_object_size = 1073741824)"


@dataclass(frozen=True)
class Reader:
    """One export shape: name, how to recognise it, the SELECT that reads it, its documentation.

    `sql` yields columns resource_id (may be NULL: the caller falls back to --resource-id or the
    file name), timestamp (TIMESTAMPTZ), metric (the provider's name), value (DOUBLE),
    statistic (average / maximum / … or NULL). Its `?` parameters are the file path, repeated
    `path_params` times.
    """

    name: str
    title: str
    doc_url: str
    signature: str
    detect: Callable[[set[str]], bool]
    sql: str
    path_params: int = 1
    check: Callable[[Path], None] | None = None

    def select_sql(self) -> str:
        return self.sql

    def params(self, path: Path, metric: str | None) -> list[object]:
        return [readable_path(path)] * self.path_params
