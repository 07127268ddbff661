"""Azure Monitor: `az monitor metrics list` JSON (the Metrics - List REST response).

Shape: `{"value": [{"id": "<resource id>/providers/Microsoft.Insights/metrics/<name>", "name":
{"value": "Percentage CPU", "localizedValue": …}, "unit": "Percent", "timeseries": [{"data":
[{"timeStamp", "average", "maximum", "minimum", "total", "count"}], "metadatavalues": [...]}]}],
"interval", "namespace", "resourceregion", "timespan", "cost"}`
(https://learn.microsoft.com/en-us/rest/api/monitor/metrics/list,
https://learn.microsoft.com/en-us/cli/azure/monitor/metrics#az-monitor-metrics-list). The resource
id is the metric id without its `/providers/Microsoft.Insights/metrics/…` suffix; Azure ids are
compared case-insensitively by the rules.
"""

from __future__ import annotations

from gcfinops.metrics.base import JSON_OPEN, Reader

_SQL = f"""
WITH doc AS (SELECT json AS j FROM {JSON_OPEN}),
m AS (SELECT unnest(CAST(json_extract(j, '$.value') AS JSON[])) AS m FROM doc),
t AS (
    SELECT m, unnest(CAST(json_extract(m, '$.timeseries') AS JSON[])) AS ts FROM m
),
d AS (SELECT m, unnest(CAST(json_extract(ts, '$.data') AS JSON[])) AS d FROM t)
SELECT
    regexp_replace(json_extract_string(m, '$.id'),
                   '/providers/microsoft\\.insights/metrics/.*$', '', 'i') AS resource_id,
    CAST(json_extract_string(d, '$.timeStamp') AS TIMESTAMPTZ) AS timestamp,
    json_extract_string(m, '$.name.value') AS metric,
    CAST(json_extract_string(d, '$.' || s.key) AS DOUBLE) AS value,
    s.stat AS statistic
FROM d CROSS JOIN (VALUES ('average', 'average'), ('maximum', 'maximum'),
    ('minimum', 'minimum'), ('total', 'sum'), ('count', 'sample_count')) AS s(key, stat)
WHERE json_extract_string(d, '$.' || s.key) IS NOT NULL
"""

READER = Reader(
    name="azure-monitor",
    title="Azure Monitor az monitor metrics list JSON",
    doc_url="https://learn.microsoft.com/en-us/rest/api/monitor/metrics/list",
    signature="key value[].timeseries (with interval/namespace/timespan)",
    detect=lambda keys: "value" in keys and bool(keys & {"timespan", "interval", "namespace"}),
    sql=_SQL,
)
