"""Metrics readers: each provider shape into the normalized store, and clear errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gcfinops.db import connect
from gcfinops.errors import InputError
from gcfinops.metrics import detect, ingest_metrics, metrics_view_sql
from gcfinops.workspace import Workspace


def rows(ws: Workspace) -> list[tuple[Any, ...]]:
    con = connect()
    out = con.execute(
        f"SELECT resource_id, timestamp, metric, statistic, value FROM ({metrics_view_sql(ws)})"
        " ORDER BY 1, 2, 3, 4"
    ).fetchall()
    con.close()
    return out


def t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def write(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc, encoding="utf-8")
    return path


@pytest.fixture()
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws")


def test_cloudwatch_statistics_takes_the_id_from_the_file_name(
    ws: Workspace, tmp_path: Path
) -> None:
    """get-metric-statistics has no instance id: the file stem is the resource."""
    f = write(tmp_path / "i-0abc123.json", {
        "Label": "CPUUtilization",
        "Datapoints": [
            {"Timestamp": "2026-03-02T01:00:00Z", "Average": 2.5, "Unit": "Percent"},
            {"Timestamp": "2026-03-02T00:00:00Z", "Average": 1.5, "Maximum": 3.0,
             "Unit": "Percent", "ExtendedStatistics": {"p99": 2.9}},
        ],
    })  # fmt: skip
    [info] = ingest_metrics(ws, [f])
    assert (info.format, info.points, info.resources) == ("cloudwatch-statistics", 4, 1)
    assert rows(ws) == [
        ("i-0abc123", t("2026-03-02T00:00:00Z"), "cpu_utilization", "average", 1.5),
        ("i-0abc123", t("2026-03-02T00:00:00Z"), "cpu_utilization", "maximum", 3.0),
        ("i-0abc123", t("2026-03-02T00:00:00Z"), "cpu_utilization", "p99", 2.9),
        ("i-0abc123", t("2026-03-02T01:00:00Z"), "cpu_utilization", "average", 2.5),
    ]


def test_resource_id_option_overrides_the_file_name(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path / "cpu.json", {"Label": "CPUUtilization", "Datapoints": [
        {"Timestamp": "2026-03-02T00:00:00Z", "Average": 1.0}]})  # fmt: skip
    ingest_metrics(ws, [f], resource_id="i-0fff")
    assert rows(ws)[0][0] == "i-0fff"


def test_cloudwatch_metric_data_reads_id_and_metric_from_label_or_id(
    ws: Workspace, tmp_path: Path
) -> None:
    f = write(tmp_path / "batch.json", {"MetricDataResults": [
        {"Id": "m1", "Label": "i-0abc12345678 CPUUtilization Maximum",
         "Timestamps": ["2026-03-02T01:00:00+00:00", "2026-03-02T00:00:00+00:00"],
         "Values": [10.0, 20.0], "StatusCode": "Complete"},
        {"Id": "mem_i_0def12345678", "Label": "mem_used_percent",
         "Timestamps": ["2026-03-02T00:00:00Z"], "Values": [40.0], "StatusCode": "Complete"},
    ], "Messages": []})  # fmt: skip
    ingest_metrics(ws, [f])
    assert rows(ws) == [
        ("i-0abc12345678", t("2026-03-02T00:00:00Z"), "cpu_utilization", "maximum", 20.0),
        ("i-0abc12345678", t("2026-03-02T01:00:00Z"), "cpu_utilization", "maximum", 10.0),
        ("i-0def12345678", t("2026-03-02T00:00:00Z"), "memory_utilization", "average", 40.0),
    ]


def test_azure_monitor_metrics_list(ws: Workspace, tmp_path: Path) -> None:
    """The metric id minus its /providers/Microsoft.Insights/metrics/… suffix is the resource."""
    vm = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"
    f = write(tmp_path / "az.json", {
        "cost": 0, "interval": "PT1H", "namespace": "Microsoft.Compute/virtualMachines",
        "resourceregion": "japaneast", "timespan": "2026-03-01T00:00:00Z/2026-03-02T00:00:00Z",
        "value": [
            {"id": f"{vm}/providers/Microsoft.Insights/metrics/Percentage CPU",
             "name": {"value": "Percentage CPU", "localizedValue": "Percentage CPU"},
             "unit": "Percent", "type": "Microsoft.Insights/metrics",
             "timeseries": [{"data": [{"timeStamp": "2026-03-01T00:00:00Z", "average": 3.2,
                                       "maximum": 9.1}], "metadatavalues": []}]},
            {"id": f"{vm}/providers/Microsoft.Insights/metrics/Available Memory Percentage",
             "name": {"value": "Available Memory Percentage"}, "unit": "Percent",
             "timeseries": [{"data": [{"timeStamp": "2026-03-01T00:00:00Z", "average": 70.0}]}]},
        ],
    })  # fmt: skip
    [info] = ingest_metrics(ws, [f])
    assert info.format == "azure-monitor"
    assert rows(ws) == [
        (vm, t("2026-03-01T00:00:00Z"), "cpu_utilization", "average", 3.2),
        (vm, t("2026-03-01T00:00:00Z"), "cpu_utilization", "maximum", 9.1),
        (vm, t("2026-03-01T00:00:00Z"), "memory_utilization", "average", 30.0),
    ]


@pytest.mark.parametrize("wrapped", [True, False], ids=["timeSeries-response", "bare-list"])
def test_gcp_time_series(ws: Workspace, tmp_path: Path, wrapped: bool) -> None:
    """CPU utilization is a fraction (0-1) and becomes percent; gce ids as billing global_name."""
    series = [{
        "metric": {"type": "compute.googleapis.com/instance/cpu/utilization"},
        "resource": {"type": "gce_instance", "labels": {"project_id": "p1",
                     "zone": "asia-northeast1-a", "instance_id": "123"}},
        "metricKind": "GAUGE", "valueType": "DOUBLE",
        "points": [{"interval": {"startTime": "2026-03-01T00:00:00Z",
                                 "endTime": "2026-03-01T00:01:00Z"},
                    "value": {"doubleValue": 0.031}}],
    }]  # fmt: skip
    f = write(tmp_path / "gcp.json", {"timeSeries": series} if wrapped else series)
    ingest_metrics(ws, [f])
    [(rid, ts, metric, stat, value)] = rows(ws)
    assert rid == "//compute.googleapis.com/projects/p1/zones/asia-northeast1-a/instances/123"
    assert (ts, metric, stat) == (t("2026-03-01T00:01:00Z"), "cpu_utilization", "average")
    assert value == pytest.approx(3.1)


def test_plain_csv_with_and_without_statistic(ws: Workspace, tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", "resource_id,timestamp,metric,value\n"
              "i-1,2026-03-02T00:00:00Z,CPUUtilization,12.5\n"
              "i-1,2026-03-02T00:00:00,memory_utilization,40\n")  # fmt: skip
    b = write(tmp_path / "b.csv", "resource_id,timestamp,metric,value,statistic\n"
              "i-2,2026-03-02T09:00:00+09:00,cpu_utilization,50,Maximum\n")  # fmt: skip
    ingest_metrics(ws, [a, b])
    assert rows(ws) == [
        ("i-1", t("2026-03-02T00:00:00Z"), "cpu_utilization", "average", 12.5),
        ("i-1", t("2026-03-02T00:00:00Z"), "memory_utilization", "average", 40.0),
        ("i-2", t("2026-03-02T00:00:00Z"), "cpu_utilization", "maximum", 50.0),
    ]


def test_csv_header_error_names_file_and_line(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path / "m.csv", "instance,time,metric,value\ni-1,2026-03-02,cpu,1\n")
    with pytest.raises(InputError) as exc:
        ingest_metrics(ws, [f])
    assert f"{f}:1:" in exc.value.message and "missing: resource_id, timestamp" in exc.value.message


def test_csv_bad_value_is_reported(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path / "m.csv", "resource_id,timestamp,metric,value\ni-1,2026-03-02,cpu,high\n")
    with pytest.raises(InputError, match="numeric value") as exc:
        ingest_metrics(ws, [f])
    assert "value=None" in exc.value.message and str(f) in exc.value.message


def test_unknown_json_shape_lists_the_shapes_tried(tmp_path: Path) -> None:
    f = write(tmp_path / "x.json", {"foo": []})
    with pytest.raises(InputError) as exc:
        detect(f)
    assert (
        "unknown metrics shape" in exc.value.message
        and "cloudwatch-statistics" in exc.value.message
    )


def test_not_json(tmp_path: Path) -> None:
    f = write(tmp_path / "x.json", "this is not json")
    with pytest.raises(InputError, match="not a JSON metrics export"):
        detect(f)


def test_reading_a_file_again_replaces_it(ws: Workspace, tmp_path: Path) -> None:
    """Re-ingesting the same path keeps one copy; the view also merges identical points."""
    f = write(tmp_path / "i-1.json", {"Label": "CPUUtilization", "Datapoints": [
        {"Timestamp": "2026-03-02T00:00:00Z", "Average": 1.0}]})  # fmt: skip
    ingest_metrics(ws, [f])
    ingest_metrics(ws, [tmp_path])
    assert len(list((ws.root / "metrics").glob("*.parquet"))) == 1
    assert len(rows(ws)) == 1


def test_empty_workspace_has_an_empty_metrics_relation(ws: Workspace) -> None:
    assert rows(ws) == []


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.sampled_from(["i-a", "i-b", "vol-c"]), st.integers(0, 200),
                  st.floats(0, 100, allow_nan=False)),
        min_size=1, max_size=40,
    )
)  # fmt: skip
def test_csv_points_survive_the_round_trip(
    tmp_path: Path, points: list[tuple[str, int, float]]
) -> None:
    """Any set of CSV points reads back as one value per (resource, hour), their mean."""
    ws = Workspace(tmp_path / f"ws-{abs(hash(tuple(points)))}")
    lines = ["resource_id,timestamp,metric,value"]
    for r, h, v in points:
        ts = datetime.fromtimestamp(datetime(2026, 3, 1, tzinfo=UTC).timestamp() + h * 3600, UTC)
        lines.append(f"{r},{ts.isoformat()},cpu_utilization,{v!r}")
    f = tmp_path / f"p-{abs(hash(tuple(points)))}.csv"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingest_metrics(ws, [f])
    expected: dict[tuple[str, int], list[float]] = {}
    for r, h, v in points:
        expected.setdefault((r, h), []).append(v)
    got = rows(ws)
    assert len(got) == len(expected)
    for rid, ts, _m, _s, value in got:
        h = int((ts - datetime(2026, 3, 1, tzinfo=UTC)).total_seconds() // 3600)
        vals = expected[(rid, h)]
        assert value == pytest.approx(sum(vals) / len(vals), abs=1e-9)
