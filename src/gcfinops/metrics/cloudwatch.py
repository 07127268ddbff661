"""Amazon CloudWatch: `aws cloudwatch get-metric-statistics` and `get-metric-data` JSON output.

get-metric-statistics returns `{"Label": <metric name>, "Datapoints": [{"Timestamp", "Average",
"Maximum", "Minimum", "Sum", "SampleCount", "Unit", "ExtendedStatistics": {"p99": …}}]}` with no
instance id and in no particular order
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html,
https://docs.aws.amazon.com/cli/latest/reference/cloudwatch/get-metric-statistics.html): the
resource id comes from `--resource-id` or the file name. get-metric-data returns
`{"MetricDataResults": [{"Id", "Label", "Timestamps": [...], "Values": [...], "StatusCode"}],
"Messages": []}` where Timestamps[x] belongs to Values[x]
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataResult.html); the
dimensions are not echoed, so the resource id is read from the Label or Id (an `i-…`/`vol-…` id, or
`i_…` since Ids allow no hyphen), and the metric from a known metric name in the Label or Id.
"""

from __future__ import annotations

from gcfinops.metrics.base import JSON_OPEN, STATISTICS_SQL, Reader

_STATISTICS_SQL = f"""
WITH doc AS (SELECT json AS j FROM {JSON_OPEN}),
p AS (
    SELECT unnest(CAST(json_extract(j, '$.Datapoints') AS JSON[])) AS d,
           json_extract_string(j, '$.Label') AS label
    FROM doc
),
ext AS (
    SELECT d, label, unnest(json_keys(json_extract(d, '$.ExtendedStatistics'))) AS k
    FROM p WHERE json_extract(d, '$.ExtendedStatistics') IS NOT NULL
)
SELECT CAST(NULL AS VARCHAR) AS resource_id,
       CAST(json_extract_string(d, '$.Timestamp') AS TIMESTAMPTZ) AS timestamp,
       label AS metric,
       CAST(json_extract_string(d, '$.' || s.key) AS DOUBLE) AS value,
       s.stat AS statistic
FROM p CROSS JOIN {STATISTICS_SQL} AS s(key, stat)
WHERE json_extract_string(d, '$.' || s.key) IS NOT NULL
UNION ALL
SELECT NULL, CAST(json_extract_string(d, '$.Timestamp') AS TIMESTAMPTZ), label,
       CAST(json_extract_string(json_extract(d, '$.ExtendedStatistics'), '$."' || k || '"')
            AS DOUBLE),
       lower(k)
FROM ext
"""

# An id after start or a non-alphanumeric (Ids such as cpu_i_0abc… use "_" for "-").
_ID_RE = r"(?:^|[^A-Za-z0-9])((i|vol)[-_][0-9a-f]{8,17})(?:$|[^A-Za-z0-9])"
_METRIC_RE = (
    r"(CPUUtilization|mem_used_percent|MemoryUtilization|NetworkIn|NetworkOut|DiskReadOps"
    r"|DiskWriteOps|VolumeReadOps|VolumeWriteOps|RequestCount|ProcessedBytes|DatabaseConnections)"
)
_STAT_RE = r"\b(Average|Maximum|Minimum|Sum|SampleCount|p\d{1,2}(\.\d+)?)\b"

_METRIC_DATA_SQL = f"""
WITH doc AS (SELECT json AS j FROM {JSON_OPEN}),
r AS (SELECT unnest(CAST(json_extract(j, '$.MetricDataResults') AS JSON[])) AS r FROM doc),
pts AS (
    SELECT json_extract_string(r, '$.Id') AS id,
           coalesce(json_extract_string(r, '$.Label'), '') AS label,
           unnest(CAST(json_extract(r, '$.Timestamps') AS VARCHAR[])) AS ts,
           unnest(CAST(json_extract(r, '$.Values') AS DOUBLE[])) AS v
    FROM r
)
SELECT
    NULLIF(regexp_replace(coalesce(
        NULLIF(regexp_extract(label, '{_ID_RE}', 1), ''),
        NULLIF(regexp_extract(id, '{_ID_RE}', 1), '')), '^(i|vol)_', '\\1-'), '') AS resource_id,
    CAST(ts AS TIMESTAMPTZ) AS timestamp,
    coalesce(NULLIF(regexp_extract(label, '{_METRIC_RE}', 0), ''),
             NULLIF(regexp_extract(lower(id), lower('{_METRIC_RE}'), 0), '')) AS metric,
    v AS value,
    lower(NULLIF(regexp_extract(label, '{_STAT_RE}', 0), '')) AS statistic
FROM pts
"""

STATISTICS = Reader(
    name="cloudwatch-statistics",
    title="CloudWatch get-metric-statistics JSON",
    doc_url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html",
    signature="keys Datapoints, Label",
    detect=lambda keys: "Datapoints" in keys,
    sql=_STATISTICS_SQL,
)

METRIC_DATA = Reader(
    name="cloudwatch-metric-data",
    title="CloudWatch get-metric-data JSON",
    doc_url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataResult.html",
    signature="key MetricDataResults",
    detect=lambda keys: "MetricDataResults" in keys,
    sql=_METRIC_DATA_SQL,
)
