"""Plain CSV: `resource_id,timestamp,metric,value` and an optional fifth column `statistic`.

For tools that export something else (Zabbix, a monitoring SaaS, a spreadsheet). Timestamps are
ISO 8601; without an offset they are taken as UTC. A row without a statistic counts as the period's
average. Metric names may be our normalized names (`cpu_utilization`, `memory_utilization`, …) or
a provider's (`CPUUtilization`, `mem_used_percent`, `Percentage CPU`).
"""

from __future__ import annotations

import csv
from pathlib import Path

from gcfinops.errors import InputError
from gcfinops.metrics.base import Reader

REQUIRED = ("resource_id", "timestamp", "metric", "value")
OPTIONAL = ("statistic",)

_SQL = """
WITH t AS (
    SELECT * FROM read_csv(?, header = true, all_varchar = true, auto_detect = true)
    UNION ALL BY NAME
    SELECT CAST(NULL AS VARCHAR) AS statistic WHERE FALSE
)
SELECT NULLIF(trim(resource_id), '') AS resource_id,
       TRY_CAST(trim(timestamp) AS TIMESTAMPTZ) AS timestamp,
       NULLIF(trim(metric), '') AS metric,
       TRY_CAST(trim(value) AS DOUBLE) AS value,
       lower(NULLIF(trim(statistic), '')) AS statistic
FROM t
"""


def check_header(path: Path) -> None:
    """The header names the four required columns (and at most `statistic` besides)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = [h.strip() for h in next(csv.reader(fh), [])]
    missing = [c for c in REQUIRED if c not in header]
    extra = [c for c in header if c not in REQUIRED + OPTIONAL]
    if missing or extra:
        raise InputError(
            f"metrics CSV header must be {','.join(REQUIRED)}[,statistic] "
            f"(missing: {', '.join(missing) or '-'}; unknown: {', '.join(extra) or '-'})",
            path=str(path),
            line=1,
        )


READER = Reader(
    name="plain-csv",
    title="CSV resource_id,timestamp,metric,value[,statistic]",
    doc_url="docs/rules/README.md#metrics",
    signature="header resource_id,timestamp,metric,value",
    detect=lambda keys: False,  # chosen by the .csv suffix
    sql=_SQL,
    check=check_header,
)
