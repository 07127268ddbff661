"""`ingest s3://…` against moto: a Data Exports layout with two periods and a redelivery."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import BUCKET, EXPORT, PREFIX, cur2_csv, put_export
from gcfinops import api
from gcfinops.sources import remote
from gcfinops.sources.s3 import S3Source, _manifest_match, translate
from gcfinops.workspace import Workspace

URL = f"s3://{BUCKET}/{PREFIX}"
APRIL = [10.0, 20.5, 0.25]  # Σ 30.75, in two files
APRIL_B = [100.0]  # Σ 100
MAY = [1.5, 2.5]  # Σ 4
MAY_REDELIVERED = [1.5, 2.5, 7.0]  # Σ 11


def totals(ws: Path) -> dict[str, float]:
    """Σ BilledCost per billing period in the lake."""
    return {u.billing_period: round(u.billed_cost, 6) for u in api.status(workspace=ws)}


def deliver_two_periods(s3: Any) -> None:
    put_export(
        s3,
        "2025-04",
        {
            f"{EXPORT}-00001.csv.gz": cur2_csv("2025-04", APRIL),
            f"{EXPORT}-00002.csv.gz": cur2_csv("2025-04", APRIL_B, "b"),
        },
        execution="exec-april-1",
    )
    put_export(
        s3, "2025-05", {f"{EXPORT}-00001.csv.gz": cur2_csv("2025-05", MAY)}, execution="exec-may-1"
    )


def count_gets(s3_client: Any) -> list[str]:
    """Record the keys of every GetObject the source's client makes."""
    seen: list[str] = []
    s3_client.meta.events.register(
        "before-parameter-build.s3.GetObject", lambda params, **_: seen.append(params["Key"])
    )
    return seen


def source(client: Any | None = None, **opts: Any) -> S3Source:
    return S3Source(BUCKET, PREFIX, remote.RemoteOptions(**opts), client=client)


def test_first_run_ingests_both_periods_and_reconciles(s3: Any, tmp_path: Path) -> None:
    deliver_two_periods(s3)
    result = api.ingest_remote(URL, workspace=tmp_path)
    assert [d.period for d in result.changed] == ["2025-04", "2025-05"]
    assert len(result.downloaded) == 3 and not result.reused
    assert result.ingest is not None and result.ingest.ingest_id
    for unit in result.ingest.units:
        assert unit.billed_read == pytest.approx(unit.billed_written)
    assert totals(tmp_path) == {"2025-04": 130.75, "2025-05": 4.0}
    cached = tmp_path / ".gcfinops" / "cache" / "s3" / BUCKET / PREFIX.strip("/") / EXPORT / "data"
    assert sorted(p.name for p in cached.rglob("*.csv.gz")) == [
        f"{EXPORT}-00001.csv.gz",
        f"{EXPORT}-00001.csv.gz",
        f"{EXPORT}-00002.csv.gz",
    ]


def test_rerun_without_changes_downloads_nothing_and_ingests_nothing(
    s3: Any, tmp_path: Path
) -> None:
    deliver_two_periods(s3)
    api.ingest_remote(URL, workspace=tmp_path)
    ledger_before = (tmp_path / "ledger.json").read_text(encoding="utf-8")
    src = source(client=s3)
    gets = count_gets(s3)
    again = api.ingest_source(src, workspace=tmp_path)
    assert gets == []  # not even the manifests: their ETags are unchanged
    assert again.changed == [] and again.downloaded == [] and again.ingest is None
    assert (tmp_path / "ledger.json").read_text(encoding="utf-8") == ledger_before
    assert totals(tmp_path) == {"2025-04": 130.75, "2025-05": 4.0}


def test_redelivery_of_one_period_replaces_it(s3: Any, tmp_path: Path) -> None:
    deliver_two_periods(s3)
    api.ingest_remote(URL, workspace=tmp_path)
    # AWS refreshes May: the data file is rewritten, then a new manifest (new execution id).
    put_export(
        s3,
        "2025-05",
        {f"{EXPORT}-00001.csv.gz": cur2_csv("2025-05", MAY_REDELIVERED)},
        execution="exec-may-2",
    )
    gets = count_gets(s3)
    result = api.ingest_source(source(client=s3), workspace=tmp_path)
    assert [d.period for d in result.changed] == ["2025-05"]
    assert [o.key.rsplit("/", 2)[-2:] for o in result.downloaded] == [
        ["BILLING_PERIOD=2025-05", f"{EXPORT}-00001.csv.gz"]
    ]
    assert sorted(k.rsplit("/", 1)[-1] for k in gets) == [
        f"{EXPORT}-00001.csv.gz",
        f"{EXPORT}-Manifest.json",
    ]
    assert result.ingest is not None
    assert [u.billing_period for u in result.ingest.units] == ["2025-05"]
    assert result.ingest.replaced  # the May unit was restated, not added twice
    assert totals(tmp_path) == {"2025-04": 130.75, "2025-05": 11.0}


def test_redelivery_reuses_unchanged_cached_files(s3: Any, tmp_path: Path) -> None:
    deliver_two_periods(s3)
    api.ingest_remote(URL, workspace=tmp_path)
    put_export(
        s3,
        "2025-04",
        {f"{EXPORT}-00002.csv.gz": cur2_csv("2025-04", [99.0], "c")},
        execution="exec-april-2",
        listed=[f"{EXPORT}-00001.csv.gz", f"{EXPORT}-00002.csv.gz"],
    )
    result = api.ingest_remote(URL, workspace=tmp_path)
    assert [o.key.rsplit("/", 1)[-1] for o in result.downloaded] == [f"{EXPORT}-00002.csv.gz"]
    assert [o.key.rsplit("/", 1)[-1] for o in result.reused] == [f"{EXPORT}-00001.csv.gz"]
    assert totals(tmp_path) == {"2025-04": 129.75, "2025-05": 4.0}


def test_manifest_listing_a_missing_object_ingests_nothing(s3: Any, tmp_path: Path) -> None:
    deliver_two_periods(s3)
    api.ingest_remote(URL, workspace=tmp_path)
    ledger_before = (tmp_path / "ledger.json").read_text(encoding="utf-8")
    put_export(
        s3,
        "2025-05",
        {f"{EXPORT}-00001.csv.gz": cur2_csv("2025-05", [5.0])},
        execution="exec-may-3",
        listed=[f"{EXPORT}-00001.csv.gz", f"{EXPORT}-00002.csv.gz"],
    )
    with pytest.raises(remote.RemoteSourceError, match=r"00002\.csv\.gz, which does not exist"):
        api.ingest_remote(URL, workspace=tmp_path)
    assert (tmp_path / "ledger.json").read_text(encoding="utf-8") == ledger_before
    assert totals(tmp_path) == {"2025-04": 130.75, "2025-05": 4.0}


def test_truncated_download_is_an_error_and_leaves_no_cache_file(s3: Any, tmp_path: Path) -> None:
    deliver_two_periods(s3)

    class Truncating:
        """The moto client, except that data files stop after 10 bytes."""

        def __getattr__(self, name: str) -> Any:
            return getattr(s3, name)

        def get_object(self, **kw: Any) -> dict[str, Any]:
            resp = s3.get_object(**kw)
            if kw["Key"].endswith(".csv.gz"):
                data = resp["Body"].read()[:10]
                resp["Body"] = type("Body", (), {"iter_chunks": lambda self, n: iter([data])})()
            return resp

    with pytest.raises(remote.RemoteSourceError, match="partial download"):
        api.ingest_source(source(client=Truncating()), workspace=tmp_path)
    assert not (tmp_path / "lake").exists() or not any((tmp_path / "lake").rglob("*.parquet"))
    assert not list((tmp_path / ".gcfinops" / "cache").rglob("*.part"))


def test_period_option_limits_the_ingest(s3: Any, tmp_path: Path) -> None:
    deliver_two_periods(s3)
    result = api.ingest_remote(URL, workspace=tmp_path, periods=["2025-05"])
    assert [d.period for d in result.deliveries] == ["2025-05"]
    assert totals(tmp_path) == {"2025-05": 4.0}
    with pytest.raises(remote.RemoteSourceError, match="nothing delivered for 2024-01"):
        api.ingest_remote(URL, workspace=tmp_path, periods=["2024-01"])


def test_missing_bucket_names_it_with_the_provider_message(s3: Any, tmp_path: Path) -> None:
    with pytest.raises(remote.RemoteSourceError, match=r"bucket does not exist.*NoSuchBucket"):
        api.ingest_remote("s3://no-such-bucket-gcf/cur2/", workspace=tmp_path)


def test_prefix_without_manifests_explains_the_expected_layout(s3: Any, tmp_path: Path) -> None:
    s3.put_object(Bucket=BUCKET, Key="other/readme.txt", Body=b"x")
    with pytest.raises(remote.RemoteSourceError, match="no Data Exports or CUR manifest") as info:
        api.ingest_remote(f"s3://{BUCKET}/other/", workspace=tmp_path)
    assert info.value.hint and "export-name" in info.value.hint
    with pytest.raises(remote.RemoteSourceError, match="no objects under this prefix"):
        api.ingest_remote(f"s3://{BUCKET}/empty/", workspace=tmp_path)


def test_unsafe_key_in_a_manifest_is_refused(s3: Any, tmp_path: Path) -> None:
    put_export(s3, "2025-04", {}, execution="x", listed=["../../etc/passwd.csv"])
    with pytest.raises(remote.RemoteSourceError, match="unsafe object name"):
        api.ingest_remote(URL, workspace=tmp_path)


def test_legacy_cur_uses_the_range_level_manifest(s3: Any, tmp_path: Path) -> None:
    """Keep-previous legacy CUR: assemblies side by side; the date-range manifest is the latest."""
    root = "legacy/report/20250401-20250501/"
    for assembly in ("asm-1", "asm-2"):
        key = f"{root}{assembly}/report-1.csv.gz"
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
        body = {
            "assemblyId": assembly,
            "reportKeys": [key],
            "billingPeriod": {"start": "20250401T000000.000Z", "end": "20250501T000000.000Z"},
        }
        s3.put_object(
            Bucket=BUCKET,
            Key=f"{root}{assembly}/report-Manifest.json",
            Body=json.dumps(body).encode(),
        )
    current = {"assemblyId": "asm-2", "reportKeys": [f"{root}asm-2/report-1.csv.gz"]}
    s3.put_object(
        Bucket=BUCKET, Key=f"{root}report-Manifest.json", Body=json.dumps(current).encode()
    )
    src = S3Source(BUCKET, "legacy/", remote.RemoteOptions(), client=s3)
    [delivery] = src.deliveries(Workspace(tmp_path), (), {})
    assert delivery.period == "2025-04"
    assert [o.key for o in delivery.objects] == [f"s3://{BUCKET}/{root}asm-2/report-1.csv.gz"]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("cur2/x/metadata/BILLING_PERIOD=2025-04/x-Manifest.json", ("cur2/x/", "2025-04", False)),
        ("x/metadata/BILLING_PERIOD=2025-12/exec-1/x-Manifest.json", ("x/", "2025-12", True)),
        ("r/rep/20240101-20240201/rep-Manifest.json", ("r/rep/", "2024-01", False)),
        ("r/rep/20240101-20240201/abc-123/rep-Manifest.json", ("r/rep/", "2024-01", True)),
        ("r/rep/rep/year=2024/month=3/rep-Manifest.json", ("r/rep/rep/", "2024-03", False)),
        ("cur2/x/data/BILLING_PERIOD=2025-04/x-00001.csv.gz", None),
        ("r/rep/20241301-20250101/rep-Manifest.json", None),
    ],
)
def test_manifest_keys_are_recognised(key: str, expected: tuple[str, str, bool] | None) -> None:
    assert _manifest_match(key) == expected


def test_access_denied_is_explained_with_aws_message() -> None:
    from botocore.exceptions import ClientError

    exc = ClientError(
        {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "ListObjectsV2"
    )
    err = translate(exc, "s3://b/p/")
    assert err.message == "s3://b/p/: access denied (AccessDenied: Access Denied)"
    assert err.hint and "s3:ListBucket" in err.hint and err.exit_code == 2


def test_no_credentials_is_a_clear_error(
    aws_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("boto3")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(remote.RemoteSourceError, match="no AWS credentials found") as info:
        api.ingest_remote(URL, workspace=tmp_path)
    assert info.value.hint and "--profile" in info.value.hint


def test_unknown_profile_is_a_clear_error(aws_env: None, tmp_path: Path) -> None:
    pytest.importorskip("boto3")
    with pytest.raises(remote.RemoteSourceError, match=r"profile.*nope"):
        api.ingest_remote(URL, workspace=tmp_path, profile="nope")


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6))
def test_cache_paths_never_leave_the_cache(parts: list[str]) -> None:
    """Whatever a manifest names, the cached copy is under .gcfinops/cache or refused."""
    ws = Workspace(Path("/ws"))
    try:
        path = remote.cache_path(ws, "s3", *parts)
    except remote.RemoteSourceError:
        return
    assert path.resolve().is_relative_to(Path("/ws/.gcfinops/cache/s3"))
    assert _manifest_match("/".join(parts)) is None or "Manifest.json" in parts[-1]


def test_after_a_failed_download_the_files_already_fetched_are_reused(
    s3: Any, tmp_path: Path
) -> None:
    deliver_two_periods(s3)
    failing = f"{EXPORT}-00002.csv.gz"

    class FailsOnSecondFile:
        def __getattr__(self, name: str) -> Any:
            return getattr(s3, name)

        def get_object(self, **kw: Any) -> dict[str, Any]:
            if kw["Key"].endswith(failing):
                raise OSError("connection reset by peer")
            return s3.get_object(**kw)

    with pytest.raises(remote.RemoteSourceError, match="connection reset by peer"):
        api.ingest_source(source(client=FailsOnSecondFile()), workspace=tmp_path)
    result = api.ingest_source(source(client=s3), workspace=tmp_path)
    names = sorted(o.key.split("BILLING_PERIOD=")[1] for o in result.downloaded)
    assert names == [f"2025-04/{failing}", f"2025-05/{EXPORT}-00001.csv.gz"]
    assert [o.key.split("BILLING_PERIOD=")[1] for o in result.reused] == [
        f"2025-04/{EXPORT}-00001.csv.gz"
    ]
    assert totals(tmp_path) == {"2025-04": 130.75, "2025-05": 4.0}
