"""Fixtures for remote-source tests: a moto S3 with a Data Exports layout, CUR 2.0 file builders."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).parents[1] / "adapters" / "fixtures" / "aws-cur2" / "cur2_small.csv"
BUCKET = "gcf-billing-test"
PREFIX = "cur2/"
EXPORT = "setagaya-cur2"


def _next_month(period: str) -> str:
    y, m = int(period[:4]), int(period[5:])
    return f"{y + (m == 12)}-{m % 12 + 1:02d}"


def cur2_csv(period: str, costs: list[float], tag: str = "a") -> bytes:
    """A gzip CUR 2.0 CSV for one period: one Usage row (the fixture's first) per cost."""
    with FIXTURE.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        template = next(reader)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    start, end = f"{period}-01T00:00:00.000Z", f"{_next_month(period)}-01T00:00:00.000Z"
    for i, cost in enumerate(costs):
        row = dict(template)
        row.update(
            bill_billing_period_start_date=start,
            bill_billing_period_end_date=end,
            identity_line_item_id=f"li-{period}-{tag}-{i}",
            line_item_usage_start_date=f"{period}-05T{i % 24:02d}:00:00.000Z",
            line_item_usage_end_date=f"{period}-05T{i % 24:02d}:59:59.000Z",
            line_item_unblended_cost=repr(cost),
            line_item_net_unblended_cost="",
            pricing_public_on_demand_cost=repr(cost),
        )
        writer.writerow(row)
    return gzip.compress(out.getvalue().encode("utf-8"), mtime=0)


def put_export(
    s3: Any,
    period: str,
    files: dict[str, bytes],
    *,
    execution: str,
    listed: list[str] | None = None,
    bucket: str = BUCKET,
    prefix: str = PREFIX,
    export: str = EXPORT,
) -> list[str]:
    """Deliver one period as Data Exports does: the data files, then the manifest listing them."""
    part = f"BILLING_PERIOD={period}"
    keys = []
    for name, body in files.items():
        key = f"{prefix}{export}/data/{part}/{name}"
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        keys.append(key)
    names = listed if listed is not None else list(files)
    manifest = {
        "executionId": execution,
        "exportArn": f"arn:aws:bcm-data-exports:us-east-1:111122223333:export/{export}-0001",
        "columns": [{"name": "line_item_unblended_cost", "type": "double"}],
        "dataFiles": [f"s3://{bucket}/{prefix}{export}/data/{part}/{n}" for n in names],
    }
    s3.put_object(
        Bucket=bucket,
        Key=f"{prefix}{export}/metadata/{part}/{export}-Manifest.json",
        Body=json.dumps(manifest).encode(),
    )
    return keys


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials, no shared config, no instance metadata: nothing can reach real AWS."""
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
                "AWS_ENDPOINT_URL_S3"):  # fmt: skip
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def s3(aws_env: None) -> Iterator[Any]:
    """A moto S3 with the test bucket."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        client = boto3.client("s3", region_name="ap-northeast-1")
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
        )
        yield client


FOCUS_FIXTURE = Path(__file__).parents[1] / "adapters" / "fixtures" / "focus" / "focus12_lines.csv"


def focus_csv(period: str, costs: list[float], **values: str) -> bytes:
    """A FOCUS 1.2 CSV for one billing period (Azure FocusCost by default): one row per cost."""
    with FOCUS_FIXTURE.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        template = next(reader)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    nxt = _next_month(period)
    for i, cost in enumerate(costs):
        row = {k: "" for k in header}
        row.update(
            BilledCost=repr(cost), EffectiveCost=repr(cost), ListCost=repr(cost),
            ContractedCost=repr(cost), BillingAccountId="/providers/Microsoft.Billing/"
            "billingAccounts/12345678", BillingAccountName="Setagaya EA",
            BillingAccountType="Billing Account", BillingCurrency="JPY",
            BillingPeriodStart=f"{period}-01T00:00:00Z", BillingPeriodEnd=f"{nxt}-01T00:00:00Z",
            ChargeCategory="Usage", ChargeFrequency="Usage-Based",
            ChargePeriodStart=f"{period}-{i % 27 + 1:02d}T00:00:00Z",
            ChargePeriodEnd=f"{period}-{i % 27 + 2:02d}T00:00:00Z", ProviderName="Microsoft",
            PublisherName="Microsoft", InvoiceIssuerName="Microsoft",
            ServiceName="Virtual Machines", ServiceCategory="Compute", RegionId="japaneast",
            SubAccountId="5f0c2d1e-7a3b-4c8d-9e10-000000131121", SubAccountName="setagaya-prod",
            ResourceId=f"/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/"
            f"virtualMachines/vm{i}", Tags=template["Tags"],
        )  # fmt: skip
        row.update(values)
        writer.writerow(row)
    return out.getvalue().encode("utf-8")
