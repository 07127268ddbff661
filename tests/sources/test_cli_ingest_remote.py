"""`gcfinops ingest s3://… | azure://… | bq://…` through the CLI: wiring, exit codes, messages."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import BUCKET, EXPORT, PREFIX, cur2_csv, put_export
from gcfinops import api
from gcfinops.cli import app

URL = f"s3://{BUCKET}/{PREFIX}"


def run(ws: Path, *args: str) -> Any:
    env = {"COLUMNS": "400"}  # no wrapping of long URLs in messages
    return CliRunner().invoke(app, ["-w", str(ws), "ingest", *args, "--lang", "en"], env=env)


@pytest.fixture
def moto_server(aws_env: None) -> Iterator[tuple[str, Any]]:
    """A moto S3 server on localhost: only reachable if --endpoint-url is honoured."""
    boto3 = pytest.importorskip("boto3")
    server_mod = pytest.importorskip("moto.server")
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    try:
        yield endpoint, client
    finally:
        server.stop()


def test_endpoint_url_is_honoured(moto_server: tuple[str, Any], tmp_path: Path) -> None:
    endpoint, client = moto_server
    put_export(
        client,
        "2025-04",
        {f"{EXPORT}-00001.csv.gz": cur2_csv("2025-04", [3.0, 4.0])},
        execution="e1",
    )
    first = run(tmp_path, URL, "--endpoint-url", endpoint, "--region", "us-east-1")
    assert first.exit_code == 0, first.output
    assert "1 changed period(s) (2025-04), 0 unchanged; downloaded 1 file(s)" in first.stderr
    assert [(u.billing_period, u.billed_cost) for u in api.status(workspace=tmp_path)] == [
        ("2025-04", 7.0)
    ]
    again = run(tmp_path, URL, "--endpoint-url", endpoint)
    assert again.exit_code == 0, again.output
    assert "0 changed period(s), 1 unchanged; downloaded 0 file(s)" in again.stderr


def test_unreachable_endpoint_is_a_clear_error(
    aws_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An endpoint where nothing listens: a connection error, not a traceback."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = run(tmp_path, URL, "--endpoint-url", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert "Error:" in result.stderr and "cannot reach S3" in result.stderr


def test_missing_object_exits_2_and_leaves_the_lake_alone(s3: Any, tmp_path: Path) -> None:
    listed = [f"{EXPORT}-00001.csv.gz", f"{EXPORT}-00002.csv.gz"]
    put_export(
        s3, "2025-04", {listed[0]: cur2_csv("2025-04", [1.0])}, execution="e1", listed=listed
    )
    result = run(tmp_path, URL)
    assert result.exit_code == 2
    assert "which does not exist" in result.stderr and "nothing was ingested" in result.stderr
    assert "Hint:" in result.stderr
    assert api.status(workspace=tmp_path) == []


def test_missing_sdk_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)  # import boto3 → ImportError
    result = run(tmp_path, URL)
    assert result.exit_code == 2
    assert "boto3 (the AWS SDK) is not installed" in result.stderr
    assert "pip install 'gcfinops[aws]'" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((URL, "tests/adapters/fixtures/aws-cur2/cur2_small.csv"), "not both"),
        ((URL, "--period", "2025-4"), "--period expects YYYY-MM"),
        (("--azure-export", "focus"), "--azure-export needs --scope"),
        ((), "give billing files or folders, or a remote source"),
    ],
)
def test_bad_combinations_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = run(tmp_path, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_cli_and_local_ingest_import_no_cloud_sdk(tmp_path: Path) -> None:
    """Offline first: starting the CLI and ingesting a local file never imports a cloud SDK."""
    sample = "tests/adapters/fixtures/aws-cur2/cur2_small.csv"
    code = (
        "import sys\n"
        "from gcfinops.cli import app\n"
        "from gcfinops import api\n"
        f"api.ingest([{sample!r}], workspace={str(tmp_path)!r})\n"
        "sdks = {'boto3', 'botocore', 'azure', 'google'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & sdks))\n"
    )
    root = Path(__file__).parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
