"""Google Cloud Monitoring: `projects.timeSeries.list` JSON, or a list of TimeSeries objects.

A TimeSeries is `{"metric": {"type", "labels"}, "resource": {"type", "labels"}, "metricKind",
"valueType", "points": [{"interval": {"startTime", "endTime"}, "value": {"doubleValue" |
"int64Value" …}}], "unit"}`; the list response wraps them in `{"timeSeries": [...]}`
(https://cloud.google.com/monitoring/api/ref_v3/rest/v3/TimeSeries,
https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.timeSeries/list); `gcloud` and
the client libraries can write the bare list. A point's time is its interval's endTime. For a
`gce_instance` the resource id is built as the billing export's `resource.global_name`:
`//compute.googleapis.com/projects/<project_id>/zones/<zone>/instances/<instance_id>`. A
`metric.labels.state` (agent memory metrics) is appended to the metric type as `:<state>`.
`compute.googleapis.com/instance/cpu/utilization` is a fraction (0–1) and becomes percent
(https://cloud.google.com/monitoring/api/metrics_gcp).
"""

from __future__ import annotations

from gcfinops.metrics.base import JSON_OPEN, Reader

_SQL = f"""
WITH doc AS (SELECT json AS j FROM {JSON_OPEN}),
series AS (
    SELECT unnest(CAST(json_extract(j, '$.timeSeries') AS JSON[])) AS s FROM doc
    WHERE json_extract(j, '$.timeSeries') IS NOT NULL
    UNION ALL
    SELECT j FROM doc WHERE json_extract(j, '$.points') IS NOT NULL
),
p AS (SELECT s, unnest(CAST(json_extract(s, '$.points') AS JSON[])) AS p FROM series)
SELECT
    CASE WHEN json_extract_string(s, '$.resource.type') = 'gce_instance' THEN
        '//compute.googleapis.com/projects/'
        || json_extract_string(s, '$.resource.labels.project_id')
        || '/zones/' || json_extract_string(s, '$.resource.labels.zone')
        || '/instances/' || json_extract_string(s, '$.resource.labels.instance_id')
    END AS resource_id,
    CAST(json_extract_string(p, '$.interval.endTime') AS TIMESTAMPTZ) AS timestamp,
    json_extract_string(s, '$.metric.type')
        || coalesce(':' || json_extract_string(s, '$.metric.labels.state'), '') AS metric,
    CAST(coalesce(json_extract_string(p, '$.value.doubleValue'),
                  json_extract_string(p, '$.value.int64Value')) AS DOUBLE) AS value,
    CAST(NULL AS VARCHAR) AS statistic
FROM p
"""

READER = Reader(
    name="gcp-monitoring",
    title="Google Cloud Monitoring timeSeries JSON",
    doc_url="https://cloud.google.com/monitoring/api/ref_v3/rest/v3/TimeSeries",
    signature="key timeSeries, or objects with metric/points",
    detect=lambda keys: "timeSeries" in keys or {"metric", "points"} <= keys,
    sql=_SQL,
)
