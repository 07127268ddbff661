#!/usr/bin/env python3
"""Deterministic generator of the Azure and Google Cloud part of gcfinops' sample billing data.

Adds one 業務 per ward on a second provider, so that the demo shows multi-cloud wards next to the
AWS sample written by ``generate.py``:

- ``azure/setagaya-jidou-actual/<YYYYMMDD-YYYYMMDD>/part_0_0001.csv.gz``: 世田谷区 (131121) runs
  児童手当 (child allowance) on Azure. Cost Management *actual cost* export, Enterprise Agreement
  layout 2024-08-01 (57 columns), billed in **JPY**, one row per resource and day (Azure's
  granularity), ``MM/DD/YYYY`` dates, UTF-8 with BOM, tags written without braces. From 2025-04 a
  1-year reservation (paid monthly) covers the production VM: its usage rows cost 0 and a
  ``Purchase`` row carries the monthly payment. The development VM runs 24×7.
- ``gcp/gcp_billing_export_resource_v1_<ACCOUNT>/fy<YYYY>/000000000000.jsonl.gz``:
  江戸川区 (131237) runs 健康管理 (health management) on Google Cloud. The detailed (resource-level)
  Cloud Billing export as BigQuery writes it with ``EXPORT DATA … format = 'JSON'`` (nested
  records, ``… UTC`` timestamps, INT64 as strings), billed in **USD**, one row per SKU and UTC day
  (Google's export is hourly; days keep the sample small), with sustained-use-discount credits, a
  committed use discount from 2025-10 (fee rows and credits) and 10 % consumption tax rows.
  ``invoice.month`` is the US-Pacific month of the usage start, as Google bills it: the day that
  starts at 00:00 UTC on the 1st belongs to the previous month's invoice.

Every number, id and name is synthetic. The output is byte-for-byte reproducible (no clock, no
randomness; gzip mtime 0). The USD months are covered by ``fx_rates.csv`` (written by
``generate.py``); the Azure data is in yen and needs no rate.

    python sample_billing/generate_multicloud.py             # rewrite azure/ and gcp/ here
    python sample_billing/generate_multicloud.py --out /tmp/x
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
MONTHS = [(2024 + (i + 3) // 12, (i + 3) % 12 + 1) for i in range(24)]  # 2024-04 … 2026-03
PACIFIC = ZoneInfo("America/Los_Angeles")


def days(y: int, m: int) -> list[date]:
    """Every day of a month."""
    first = date(y, m, 1)
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return [first + timedelta(d) for d in range((nxt - first).days)]


def wobble(d: date, amplitude: float) -> float:
    """A deterministic day-to-day variation in [1 - amplitude, 1 + amplitude]."""
    k = (d.toordinal() * 2654435761) % 1000 / 999
    return 1 + amplitude * (2 * k - 1)


def meter_id(name: str) -> str:
    """A stable, synthetic meter GUID for a meter name."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "gcfinops-sample-meter:" + name))


def gz(text: str, bom: bool = False) -> bytes:
    """gzip bytes with mtime 0 and no file name (reproducible)."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as f:
        f.write((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return buf.getvalue()


# --- Azure: 世田谷区 児童手当, EA actual cost, JPY ----------------------------------------------
EA_COLUMNS = [
    "InvoiceSectionName",
    "AccountName",
    "AccountOwnerId",
    "SubscriptionId",
    "SubscriptionName",
    "ResourceGroup",
    "ResourceLocation",
    "Date",
    "ProductName",
    "MeterCategory",
    "MeterSubCategory",
    "MeterId",
    "MeterName",
    "MeterRegion",
    "UnitOfMeasure",
    "Quantity",
    "EffectivePrice",
    "CostInBillingCurrency",
    "CostCenter",
    "ConsumedService",
    "ResourceId",
    "Tags",
    "OfferId",
    "AdditionalInfo",
    "ServiceInfo1",
    "ServiceInfo2",
    "ResourceName",
    "ReservationId",
    "ReservationName",
    "UnitPrice",
    "ProductOrderId",
    "ProductOrderName",
    "Term",
    "PublisherType",
    "PublisherName",
    "ChargeType",
    "Frequency",
    "PricingModel",
    "AvailabilityZone",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrencyCode",
    "BillingPeriodStartDate",
    "BillingPeriodEndDate",
    "BillingProfileId",
    "BillingProfileName",
    "InvoiceSectionId",
    "IsAzureCreditEligible",
    "PartNumber",
    "PayGPrice",
    "PlanName",
    "ServiceFamily",
    "CostAllocationRuleName",
    "benefitId",
    "benefitName",
    "AccountId",
    "ResourceLocationNormalized",
]
ENROLLMENT = "8612345"
SUBS = {
    "prod": ("7c1d4e2f-3a5b-4c6d-8e9f-000131121001", "setagaya-jidou-prod", "rg-jidou-prod"),
    "dev": ("7c1d4e2f-3a5b-4c6d-8e9f-000131121002", "setagaya-jidou-dev", "rg-jidou-dev"),
}
RESERVATION = (
    "/providers/Microsoft.Capacity/reservationOrders/5a6b7c8d-1111-4e2f-9a3b-000131121010"
    "/reservations/6b7c8d9e-2222-4f3a-8b4c-000131121011"
)
RESERVATION_START = date(2025, 4, 1)
RESERVATION_MONTHLY = 27_300  # yen per month for one D4s v5 (1 year, monthly payment)


def _tags(env: str) -> str:
    return f'"ward": "世田谷区","system": "児童手当","env": "{env}"'


def _arm(env: str, kind: str, name: str) -> str:
    sub, _, rg = SUBS[env]
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{kind}/{name}"


# (name, env, size, meter, hourly JPY, pay-as-you-go JPY, image)
VMS = (
    ("setagaya-jidou-ap01", "prod", "Standard_D4s_v5", "D4s v5", 52.9, 52.9, "Windows Server BYOL"),
    ("setagaya-jidou-db01", "prod", "Standard_E4s_v5", "E4s v5", 41.6, 41.6, "Canonical"),
    ("setagaya-jidou-dev01", "dev", "Standard_B2ms", "B2ms", 13.5, 13.5, "Canonical"),
)
# (name, env, tier meter, monthly JPY)
DISKS = (
    ("setagaya-jidou-ap01-os", "prod", "P10 LRS Disk", 2_950.0),
    ("setagaya-jidou-db01-data", "prod", "P20 LRS Disk", 11_050.0),
    ("setagaya-jidou-dev01-os", "dev", "P10 LRS Disk", 2_950.0),
)


def azure_rows(y: int, m: int) -> Iterator[dict[str, str]]:
    """The actual-cost rows of one month."""
    month_days = days(y, m)
    first, last = month_days[0], month_days[-1]
    base = {
        "InvoiceSectionName": "Setagaya Kodomo",
        "AccountName": "setagaya-gcf",
        "AccountOwnerId": "gcf-owner@setagaya.example.jp",
        "ResourceLocation": "japaneast",
        "MeterRegion": "JA East",
        "OfferId": "MS-AZR-0017P",
        "PublisherType": "Azure",
        "PublisherName": "Microsoft",
        "ChargeType": "Usage",
        "Frequency": "UsageBased",
        "PricingModel": "OnDemand",
        "BillingAccountId": ENROLLMENT,
        "BillingAccountName": "Setagaya City (synthetic)",
        "BillingCurrencyCode": "JPY",
        "BillingPeriodStartDate": first.strftime("%m/%d/%Y"),
        "BillingPeriodEndDate": last.strftime("%m/%d/%Y"),
        "BillingProfileId": ENROLLMENT,
        "BillingProfileName": "Setagaya City (synthetic)",
        "InvoiceSectionId": "1001",
        "IsAzureCreditEligible": "True",
        "AccountId": "300131121",
        "ResourceLocationNormalized": "Japan East",
    }
    reserved = date(y, m, 1) >= RESERVATION_START
    for d in month_days:
        day = d.strftime("%m/%d/%Y")
        for name, env, size, meter, rate, payg, image in VMS:
            sub, sub_name, rg = SUBS[env]
            covered = reserved and name == "setagaya-jidou-ap01"
            info = {
                "UsageType": "ComputeHR",
                "ImageType": image,
                "ServiceType": size,
                "VMName": "",
                "VCPUs": 4 if "4" in meter else 2,
            }
            yield base | {
                "SubscriptionId": sub,
                "SubscriptionName": sub_name,
                "ResourceGroup": rg,
                "Date": day,
                "ProductName": f"Virtual Machines {meter} - JA East",
                "MeterCategory": "Virtual Machines",
                "MeterSubCategory": f"{meter} Series",
                "MeterId": meter_id(meter),
                "MeterName": meter,
                "UnitOfMeasure": "1 Hour",
                "Quantity": "24",
                "EffectivePrice": "0" if covered else f"{rate:g}",
                "CostInBillingCurrency": "0" if covered else f"{24 * rate:.2f}",
                "ConsumedService": "Microsoft.Compute",
                "ResourceId": _arm(env, "Microsoft.Compute/virtualMachines", name),
                "Tags": _tags(env),
                "AdditionalInfo": json.dumps(info),
                "ResourceName": name,
                "UnitPrice": f"{rate:g}",
                "PayGPrice": f"{payg:g}",
                "ServiceFamily": "Compute",
                "AvailabilityZone": "1" if env == "prod" else "",
                "PricingModel": "Reservation" if covered else "OnDemand",
                "ReservationId": RESERVATION.rsplit("/", 1)[1] if covered else "",
                "ReservationName": "jidou-ap01-ri" if covered else "",
                "benefitId": RESERVATION if covered else "",
                "benefitName": "jidou-ap01-ri" if covered else "",
            }
        for name, env, tier, monthly in DISKS:
            sub, sub_name, rg = SUBS[env]
            qty = 1 / len(month_days)
            yield base | {
                "SubscriptionId": sub,
                "SubscriptionName": sub_name,
                "ResourceGroup": rg,
                "Date": day,
                "ProductName": f"Premium SSD Managed Disks - {tier[:-5]} - JA East",
                "MeterCategory": "Storage",
                "MeterSubCategory": "Premium SSD Managed Disks",
                "MeterId": meter_id(tier),
                "MeterName": tier,
                "UnitOfMeasure": "1/Month",
                "Quantity": f"{qty:.8f}",
                "EffectivePrice": f"{monthly:g}",
                "CostInBillingCurrency": f"{qty * monthly:.6f}",
                "ConsumedService": "Microsoft.Compute",
                "ResourceId": _arm(env, "Microsoft.Compute/disks", name),
                "Tags": _tags(env),
                "ResourceName": name,
                "UnitPrice": f"{monthly:g}",
                "PayGPrice": f"{monthly:g}",
                "ServiceFamily": "Storage",
            }
        sub, sub_name, rg = SUBS["prod"]
        stored = 400 + 2 * MONTHS.index((y, m))  # GB, slowly growing
        gb_days = stored / len(month_days)
        yield base | {
            "SubscriptionId": sub,
            "SubscriptionName": sub_name,
            "ResourceGroup": rg,
            "Date": day,
            "ProductName": "Blob Storage - Hot LRS - JA East",
            "MeterCategory": "Storage",
            "MeterSubCategory": "Blob Storage",
            "MeterId": meter_id("Hot LRS Data Stored"),
            "MeterName": "Hot LRS Data Stored",
            "UnitOfMeasure": "1 GB/Month",
            "Quantity": f"{gb_days:.6f}",
            "EffectivePrice": "2.86",
            "CostInBillingCurrency": f"{gb_days * 2.86:.6f}",
            "ConsumedService": "Microsoft.Storage",
            "ResourceId": _arm("prod", "Microsoft.Storage/storageAccounts", "setagayajidoudocs"),
            "Tags": _tags("prod"),
            "ResourceName": "setagayajidoudocs",
            "UnitPrice": "2.86",
            "PayGPrice": "2.86",
            "ServiceFamily": "Storage",
        }
        egress = 18 * wobble(d, 0.4) * (0.35 if d.weekday() >= 5 else 1)
        yield base | {
            "SubscriptionId": sub,
            "SubscriptionName": sub_name,
            "ResourceGroup": rg,
            "Date": day,
            "ProductName": "Bandwidth - Data Transfer Out - Zone 1",
            "MeterCategory": "Bandwidth",
            "MeterSubCategory": "",
            "MeterId": meter_id("Standard Data Transfer Out"),
            "MeterName": "Standard Data Transfer Out",
            "UnitOfMeasure": "1 GB",
            "Quantity": f"{egress:.4f}",
            "EffectivePrice": "17.2",
            "CostInBillingCurrency": f"{egress * 17.2:.4f}",
            "ConsumedService": "Microsoft.Compute",
            "ResourceId": _arm("prod", "Microsoft.Compute/virtualMachines", "setagaya-jidou-ap01"),
            "Tags": _tags("prod"),  # bandwidth rows carry the VM's tags
            "ResourceName": "setagaya-jidou-ap01",
            "UnitPrice": "17.2",
            "PayGPrice": "17.2",
            "ServiceFamily": "Networking",
        }
    if reserved:
        sub, sub_name, rg = SUBS["prod"]
        yield base | {
            "SubscriptionId": sub,
            "SubscriptionName": sub_name,
            "ResourceGroup": "",
            "Date": first.strftime("%m/%d/%Y"),
            "ProductName": "Reserved VM Instance, Standard_D4s_v5, JA East, 1 Year",
            "MeterCategory": "Virtual Machines",
            "MeterSubCategory": "D4s v5 Series",
            "MeterName": "D4s v5",
            "UnitOfMeasure": "1 Hour",
            "Quantity": "1",
            "EffectivePrice": str(RESERVATION_MONTHLY),
            "CostInBillingCurrency": str(RESERVATION_MONTHLY),
            "ConsumedService": "Microsoft.Capacity",
            "ResourceId": RESERVATION,
            "ReservationId": RESERVATION.rsplit("/", 1)[1],
            "ReservationName": "jidou-ap01-ri",
            "UnitPrice": str(RESERVATION_MONTHLY),
            "PayGPrice": "0",
            "Term": "12",
            "ChargeType": "Purchase",
            "Frequency": "Recurring",
            "PricingModel": "Reservation",
            "ProductOrderId": "5a6b7c8d-1111-4e2f-9a3b-000131121010",
            "ProductOrderName": "jidou-ap01-ri",
            "benefitId": RESERVATION,
            "benefitName": "jidou-ap01-ri",
            "ServiceFamily": "Compute",
        }


def azure_files() -> Iterator[tuple[str, bytes]]:
    """One export run per month: actual cost, CSV, gzip, UTF-8 with BOM, CRLF."""
    for y, m in MONTHS:
        month_days = days(y, m)
        buf = io.StringIO()
        w = csv.DictWriter(buf, EA_COLUMNS, lineterminator="\r\n", extrasaction="raise")
        w.writeheader()
        for row in azure_rows(y, m):
            w.writerow({c: row.get(c, "") for c in EA_COLUMNS})
        span = f"{month_days[0]:%Y%m%d}-{month_days[-1]:%Y%m%d}"
        yield f"azure/setagaya-jidou-actual/{span}/part_0_0001.csv.gz", gz(buf.getvalue(), bom=True)


# --- Google Cloud: 江戸川区 健康管理, detailed export, USD -----------------------------------
ACCOUNT = "01C3E5-A7B9D1-F3E5C7"
COMPUTE = {"id": "6F81-5844-456A", "description": "Compute Engine"}
STORAGE = {"id": "95FF-2EF5-5EA1", "description": "Cloud Storage"}
INVOICE = {"id": "", "description": "Invoice"}
CUD_START = date(2025, 10, 1)
CUD_ID = "projects/edogawa-kenko-prod/regions/asia-northeast1/commitments/kenko-n2-2025"
GCP_START = date(2024, 4, 2)  # 健康管理 moved to Google Cloud on 2 April 2024


def _project(env: str) -> dict[str, Any]:
    pid = f"edogawa-kenko-{env}"
    number = {"prod": "471230131237", "dev": "471230131238"}[env]
    return {
        "id": pid,
        "number": number,
        "name": pid,
        "labels": [{"key": "ward", "value": "edogawa"}, {"key": "system", "value": "健康管理"}],
        "ancestry_numbers": "/880013123700/",
        "ancestors": [
            {"resource_name": f"projects/{number}", "display_name": pid},
            {"resource_name": "organizations/880013123700", "display_name": "edogawa.example.jp"},
        ],
    }


# (name, env, machine, vCPUs, GiB, core USD/h, ram USD/GiB·h, sustained-use eligible, instance id)
GCE = (
    (
        "edogawa-kenko-ap01",
        "prod",
        "n2-standard-4",
        4,
        16,
        0.0406,
        0.00544,
        True,
        "5512730131237001",
    ),
    (
        "edogawa-kenko-dev01",
        "dev",
        "e2-standard-2",
        2,
        8,
        0.0283,
        0.00379,
        False,
        "5512730131238002",
    ),
)
DISK = (
    "edogawa-kenko-ap01-data",
    "prod",
    200,
    0.135,
    "4412730131237003",
)  # balanced PD GB, USD/GB·mo
BUCKET = ("edogawa-kenko-records", "prod", 0.026)  # standard storage USD/GB·mo


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S UTC")


def _invoice_month(start: datetime) -> str:
    """Google invoices by the US-Pacific month of the usage."""
    return start.replace(tzinfo=ZoneInfo("UTC")).astimezone(PACIFIC).strftime("%Y%m")


def gcp_row(
    start: datetime,
    hours: int,
    env: str,
    service: dict[str, str],
    sku: tuple[str, str],
    cost: float,
    *,
    usage: tuple[float, str, float, str],
    credits: list[dict[str, Any]] | None = None,
    labels: list[dict[str, str]] | None = None,
    system_labels: list[dict[str, str]] | None = None,
    resource: tuple[str, str] | None = None,
    zone: str | None = "asia-northeast1-b",
    cost_type: str = "regular",
    month: str | None = None,
) -> dict[str, Any]:
    """One line of the detailed export, nested as BigQuery exports it to JSON."""
    end = start + timedelta(hours=hours)
    row: dict[str, Any] = {
        "billing_account_id": ACCOUNT,
        "service": service,
        "sku": {"id": sku[0], "description": sku[1]},
        "usage_start_time": _ts(start),
        "usage_end_time": _ts(end),
        "project": _project(env),
        "labels": labels or [],
        "system_labels": system_labels or [],
        "location": {
            "location": "asia-northeast1" if cost_type == "regular" else None,
            "country": "JP" if cost_type == "regular" else None,
            "region": "asia-northeast1" if cost_type == "regular" else None,
            "zone": zone,
        },
        "tags": [],
        "export_time": _ts(end + timedelta(hours=5, minutes=11)),
        "cost": round(cost, 6),
        "currency": "USD",
        "currency_conversion_rate": 1.0,
        "usage": {
            "amount": usage[0],
            "unit": usage[1],
            "amount_in_pricing_units": usage[2],
            "pricing_unit": usage[3],
        },
        "credits": credits or [],
        "invoice": {"month": month or _invoice_month(start), "publisher_type": "GOOGLE"},
        "cost_type": cost_type,
        "cost_at_list": round(cost, 6) if cost_type == "regular" else None,
        "transaction_type": "GOOGLE",
        "seller_name": None,
    }
    if resource:
        row["resource"] = {"name": resource[0], "global_name": resource[1]}
    return row


def _gce_path(env: str, kind: str, rid: str) -> str:
    zone = "zones/asia-northeast1-b"
    return f"//compute.googleapis.com/projects/edogawa-kenko-{env}/{zone}/{kind}/{rid}"


def gcp_rows(y: int, m: int) -> Iterator[dict[str, Any]]:
    """The detailed-export rows of one UTC month's days, plus that invoice month's tax rows."""
    for d in days(y, m):
        if d < GCP_START:
            continue
        start = datetime(d.year, d.month, d.day)
        for name, env, machine, cpus, gib, core, ram, sud, rid in GCE:
            spec = [
                {"key": "compute.googleapis.com/machine_spec", "value": machine},
                {"key": "compute.googleapis.com/cores", "value": str(cpus)},
                {"key": "compute.googleapis.com/memory", "value": str(gib * 1024)},
            ]
            family = machine.split("-")[0].upper()
            resource = (name, _gce_path(env, "instances", rid))
            labels = [{"key": "env", "value": env}]
            committed = sud and d >= CUD_START
            for part, qty, rate, unit, punit in (
                ("Core", cpus * 24 * 3600.0, core, "seconds", "hour"),
                ("Ram", gib * 24 * 3600.0 * 2**30, ram, "byte-seconds", "gibibyte hour"),
            ):
                amount_p = cpus * 24.0 if part == "Core" else gib * 24.0
                kind = "Cpu" if part == "Core" else "Ram"
                cost = amount_p * rate
                credits: list[dict[str, Any]] = []
                if committed:
                    credits.append(
                        {
                            "name": f"Committed use discount: {family} {part}",
                            "amount": round(-cost, 6),
                            "full_name": f"Commitment v1: {family} {kind} in Tokyo for 1 Year",
                            "id": CUD_ID,
                            "type": "COMMITTED_USAGE_DISCOUNT",
                        }
                    )
                elif sud:
                    credits.append(
                        {
                            "name": "Sustained Usage Discount",
                            "amount": round(-0.2 * cost, 6),
                            "full_name": None,
                            "id": "",
                            "type": "SUSTAINED_USAGE_DISCOUNT",
                        }
                    )
                sku_id = {
                    "N2Core": "BB77-5FDA-4BF7",
                    "N2Ram": "5B01-D157-A097",
                    "E2Core": "CF4E-A0C7-E3BF",
                    "E2Ram": "F449-33EC-A5EF",
                }[family + part]
                yield gcp_row(
                    start,
                    24,
                    env,
                    COMPUTE,
                    (sku_id, f"{family} Instance {part} running in Tokyo"),
                    cost,
                    usage=(qty, unit, amount_p, punit),
                    credits=credits,
                    labels=labels,
                    system_labels=spec,
                    resource=resource,
                )
            if committed:
                for part, units, fee_rate, sku_id in (
                    ("Cpu", cpus * 24.0, 0.0406 * 0.63, "A1B2-0000-C0DE"),
                    ("Ram", gib * 24.0, 0.00544 * 0.63, "A1B2-0000-D0DE"),
                ):
                    yield gcp_row(
                        start,
                        24,
                        "prod",
                        COMPUTE,
                        (sku_id, f"Commitment v1: N2 {part} in Tokyo for 1 Year"),
                        units * fee_rate,
                        usage=(units * 3600, "seconds", units, "hour"),
                        zone=None,
                    )
        dname, denv, size, rate, drid = DISK
        month_hours = 24 * len(days(y, m))
        yield gcp_row(
            start,
            24,
            denv,
            COMPUTE,
            ("96E6-6F02-9E0E", "Balanced PD Capacity in Tokyo"),
            size * rate * 24 / month_hours,
            usage=(
                size * 2**30 * 24 * 3600.0,
                "byte-seconds",
                size * 24 / month_hours,
                "gibibyte month",
            ),
            labels=[{"key": "env", "value": denv}],
            resource=(dname, _gce_path(denv, "disks", drid)),
        )
        bname, benv, brate = BUCKET
        stored = 800 + 12 * MONTHS.index((y, m))
        yield gcp_row(
            start,
            24,
            benv,
            STORAGE,
            ("E3FC-9D48-0A33", "Standard Storage Tokyo"),
            stored * brate * 24 / month_hours,
            usage=(
                stored * 2**30 * 24 * 3600.0,
                "byte-seconds",
                stored * 24 / month_hours,
                "gibibyte month",
            ),
            labels=[{"key": "env", "value": benv}],
            zone=None,
            resource=(bname, f"//storage.googleapis.com/projects/_/buckets/{bname}"),
        )


def gcp_files() -> Iterator[tuple[str, bytes]]:
    """One EXPORT DATA file per fiscal year of invoice months (`WHERE invoice.month BETWEEN
    '202404' AND '202503'`), with each month's consumption tax rows."""
    by_month: dict[str, list[dict[str, Any]]] = {}
    for y, m in MONTHS:
        for row in gcp_rows(y, m):
            by_month.setdefault(row["invoice"]["month"], []).append(row)
    table = f"gcp_billing_export_resource_v1_{ACCOUNT.replace('-', '_')}"
    for month in sorted(by_month):
        rows = by_month[month]
        y, m = int(month[:4]), int(month[4:])
        for env in ("prod", "dev"):
            subtotal = sum(
                r["cost"] + sum(c["amount"] for c in r["credits"])
                for r in rows
                if r["project"]["id"] == f"edogawa-kenko-{env}"
            )
            # JCT 10 %: one tax line per project and invoice month, spanning the calendar month
            # (UTC) of the invoice month it is billed on.
            start = datetime(y, m, 1)
            hours = 24 * len(days(y, m))
            rows.append(
                gcp_row(
                    start,
                    hours,
                    env,
                    INVOICE,
                    ("", "Tax"),
                    round(0.1 * subtotal, 2),
                    usage=(0.0, "", 0.0, ""),
                    zone=None,
                    cost_type="tax",
                    month=month,
                )
            )
    for fy in sorted({fiscal_year(m) for m in by_month}):
        rows = [r for m in sorted(by_month) if fiscal_year(m) == fy for r in by_month[m]]
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        yield f"gcp/{table}/fy{fy}/000000000000.jsonl.gz", gz(text)


def fiscal_year(month: str) -> int:
    """Japanese fiscal year (April–March) of a YYYYMM month."""
    y, m = int(month[:4]), int(month[4:])
    return y if m >= 4 else y - 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: here)")
    args = parser.parse_args(argv)
    for rel, data in (*azure_files(), *gcp_files()):
        path = args.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
