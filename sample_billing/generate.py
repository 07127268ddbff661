#!/usr/bin/env python3
"""Deterministic generator of gcfinops' sample billing data (see sample_billing/README.md).

Writes, under ``--out`` (default: this folder):

- ``aws/<export>/data|metadata/BILLING_PERIOD=YYYY-MM/…``: one AWS Data Exports CUR 2.0 export
  (gzip CSV, hourly) per ward, with its ``<export>-Manifest.json``;
- ``metrics/cloudwatch/<instance-id>.json`` (``aws cloudwatch get-metric-statistics`` output) and
  ``metrics/metrics.csv``;
- ``fx_rates.csv``, ``gcfinops.toml``, ``baseline_fy2018.csv``, ``noncloud_costs.csv`` and
  ``expected_findings.json``.

Every number is synthetic. Output is byte-for-byte reproducible: no clock, no unseeded randomness
(every random stream is keyed by what it describes), gzip mtime 0, sorted JSON keys. ``--months``
limits the CUR exports to some billing periods; every other file is always written in full, and a
period's files do not depend on which other periods are generated.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypedDict

import holidays
import numpy as np

HERE = Path(__file__).resolve().parent

# --- calendar ------------------------------------------------------------------------------
PERIODS: tuple[str, ...] = tuple(
    f"{y}-{m:02d}" for y, m in [(2024 + (i + 3) // 12, (i + 3) % 12 + 1) for i in range(24)]
)
LATEST = PERIODS[-1]
JST = timedelta(hours=9)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
_JP_HOLIDAYS = holidays.country_holidays("JP", years=range(2023, 2028))


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """UTC start and exclusive end of a billing period 'YYYY-MM'."""
    y, m = int(period[:4]), int(period[5:])
    start = datetime(y, m, 1)
    end = datetime(y + (m == 12), m % 12 + 1, 1)
    return start, end


def is_working_day(d: date) -> bool:
    """Mon–Fri, not a national holiday, not in the 12/29–1/3 year-end closure."""
    closure = (d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3)
    return d.weekday() < 5 and d not in _JP_HOLIDAYS and not closure


def iso_ms(t: datetime) -> str:
    """CUR 2.0 CSV timestamp: 2025-04-01T00:00:00.000Z."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def iso_s(t: datetime) -> str:
    """Timestamp without fraction (identity_time_interval, CloudWatch): 2025-04-01T00:00:00Z."""
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- ids and numbers -----------------------------------------------------------------------
_B32 = "abcdefghijklmnopqrstuvwxyz234567"


def digest(*parts: object) -> bytes:
    """SHA-256 of the parts joined by '|': the seed of every id and random stream."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()


def hex_id(*parts: object, n: int = 17) -> str:
    """n lower-case hex digits derived from the parts."""
    return digest(*parts).hex()[:n]


def uuid(*parts: object) -> str:
    """A UUID-shaped string derived from the parts."""
    h = hex_id(*parts, n=32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def b32(data: bytes, n: int) -> str:
    """n lower-case RFC 4648 base32 characters of data."""
    bits = int.from_bytes(data, "big")
    total = len(data) * 8
    return "".join(_B32[(bits >> (total - 5 * (i + 1))) & 31] for i in range(n))


def b32_int(value: int, n: int) -> str:
    """An integer as n base32 characters."""
    return "".join(_B32[(value >> (5 * (n - 1 - i))) & 31] for i in range(n))


def rng(*parts: object) -> np.random.Generator:
    """A random stream keyed by what it generates (independent of generation order)."""
    return np.random.default_rng(int.from_bytes(digest(*parts)[:8], "big"))


def num(x: float) -> str:
    """A cost/quantity as AWS writes it: up to 10 decimals, at least one ('1.0', '0.248')."""
    s = f"{x:.10f}".rstrip("0")
    s = s + "0" if s.endswith(".") else s
    return "0.0" if s in ("-0.0", "0.0") else s


def r10(x: float) -> float:
    """Round to 10 decimals, as the CUR does."""
    return round(x, 10)


def esc(value: str) -> str:
    """CSV field with minimal quoting (as Python's csv.QUOTE_MINIMAL)."""
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def jtext(obj: dict[str, str]) -> str:
    """A CUR 2.0 map column as JSON text (sorted keys, UTF-8, compact)."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# --- prices (approximate AWS Tokyo list prices, USD; see README) -----------------------------
REGION = "ap-northeast-1"
LOCATION = "Asia Pacific (Tokyo)"
ENTITY = "Amazon Web Services Japan G.K."
TAX_TYPE = "JCT"
TAX_RATE = 0.10
# One planted mispriced line for `gcfinops inspect` (検収): the first running hour of this
# instance in this period bills 0.10 USD more than its rate × usage (a digit slip, 0.404 for
# 0.304). Tax is charged on the billed amount, as on an invoice. Every other line is priced
# exactly.
MISPRICED = ("chiyoda", "2026-02", "chiyoda-kokuho-ap01")
MISPRICED_EXTRA = 0.10
# The vendor report (vendor_report.csv) has one wrong figure: this (month, service) is reported
# 10.00 USD higher than the bill.
VENDOR_WARD = "chiyoda"
VENDOR_MONTHS = ("2025-12", "2026-01", "2026-02")
VENDOR_WRONG = ("2026-01", "Amazon Simple Storage Service", 10.0)

# instance type: (Linux on-demand USD/h, vCPU, memory)
EC2: dict[str, tuple[float, int, str]] = {
    "m5.large": (0.124, 2, "8 GiB"),
    "m5.xlarge": (0.248, 4, "16 GiB"),
    "m5.2xlarge": (0.496, 8, "32 GiB"),
    "m5.4xlarge": (0.992, 16, "64 GiB"),
    "r5.xlarge": (0.304, 4, "32 GiB"),
    "r5.2xlarge": (0.608, 8, "64 GiB"),
    "r5.4xlarge": (1.216, 16, "128 GiB"),
    "c5.4xlarge": (0.856, 16, "32 GiB"),
}
WINDOWS_PER_VCPU = 0.046  # licence-included Windows surcharge per vCPU-hour (approximate)
# RDS for PostgreSQL, Single-AZ USD/h (Multi-AZ is twice): (rate, vCPU, memory)
RDS: dict[str, tuple[float, int, str]] = {
    "db.r5.4xlarge": (2.40, 16, "128 GiB"),
    "db.r5.8xlarge": (4.80, 32, "256 GiB"),
}
RDS_GP2_GB_MO = 0.138  # Single-AZ; Multi-AZ twice
EBS_GB_MO = {"gp2": 0.12, "gp3": 0.096}
SNAPSHOT_GB_MO = 0.05
S3_STANDARD_GB_MO = 0.025
S3_TIER1 = 0.0047 / 1000
S3_TIER2 = 0.00037 / 1000
EIP_IDLE_H = 0.005


def ec2_rate(itype: str, os_name: str) -> float:
    """On-demand USD/h of an instance type and OS."""
    rate, vcpu, _ = EC2[itype]
    return r10(rate + (WINDOWS_PER_VCPU * vcpu if os_name == "Windows" else 0.0))


def sku(*parts: object) -> str:
    """A 16-character product SKU derived from the price dimension."""
    return b32(digest("sku", *parts), 16).upper()


def rate_code(sku_id: str) -> str:
    """On-demand rate code: <sku>.<offer term JRTCKXETXF>.<rate code>."""
    return f"{sku_id}.JRTCKXETXF.6YS6EN2CT7"


# --- the model -----------------------------------------------------------------------------
# (user_ward, user_system, user_env) as spelled on a resource; user_name is the resource name.
# None = the resource carries no tags at all.
Tag = tuple[str, str, str] | None


def tag_map(tag: Tag, name: str) -> dict[str, str] | None:
    """User tags as CUR 2.0 names them (user_<key>)."""
    if tag is None:
        return None
    ward, system, env = tag
    return {"user_ward": ward, "user_system": system, "user_env": env, "user_name": name}


@dataclass(frozen=True)
class Account:
    """An AWS account: 12-digit id, name, environment it holds (None for the payer)."""

    id: str
    name: str
    env: str | None


@dataclass
class Resource:
    """Common fields: Name tag (key), owning account, tags."""

    key: str
    account: Account
    tag: Tag

    @property
    def id(self) -> str:
        """line_item_resource_id; each kind of resource defines it."""
        raise NotImplementedError

    @property
    def tags(self) -> dict[str, str] | None:
        """resource_tags of its lines."""
        return tag_map(self.tag, self.key)


@dataclass
class Instance(Resource):
    """An EC2 instance and its schedule: always | workhours | season | runaway."""

    itype: str = "m5.large"
    zone: str = "a"
    os: str = "Linux"
    schedule: str = "always"
    start: datetime | None = None
    sp: str | None = None  # Savings Plan key
    cpu: str | None = None  # CloudWatch CPU profile: low (oversized) | rightsized

    @property
    def id(self) -> str:
        """i-0 followed by 16 hex digits."""
        return "i-0" + hex_id("instance", self.key, n=16)

    @property
    def az(self) -> str:
        """Availability zone."""
        return REGION + self.zone


@dataclass
class Volume(Resource):
    """An EBS volume."""

    vtype: str = "gp3"
    size_gb: int = 100
    zone: str = "a"
    start: datetime | None = None

    @property
    def id(self) -> str:
        """vol-0 followed by 16 hex digits."""
        return "vol-0" + hex_id("volume", self.key, n=16)

    @property
    def az(self) -> str:
        """Availability zone."""
        return REGION + self.zone


@dataclass
class Snapshot(Resource):
    """An EBS snapshot (its CUR resource id is the snapshot ARN)."""

    size_gb: int = 100
    created: date = date(2024, 4, 1)

    @property
    def snap_id(self) -> str:
        """snap-0 followed by 16 hex digits."""
        return "snap-0" + hex_id("snapshot", self.key, n=16)

    @property
    def id(self) -> str:
        """arn:aws:ec2:<region>:<account>:snapshot/snap-…"""
        return f"arn:aws:ec2:{REGION}:{self.account.id}:snapshot/{self.snap_id}"


@dataclass
class Bucket(Resource):
    """An S3 bucket in S3 Standard (the key is the bucket name)."""

    gb0: float = 0.0  # GB stored on 2024-04-01
    growth: float = 0.0  # per month
    tier1_per_day: float = 0.0
    tier2_per_day: float = 0.0

    @property
    def id(self) -> str:
        """The bucket name."""
        return self.key


@dataclass
class ElasticIp(Resource):
    """An Elastic IP address left allocated but not attached."""

    @property
    def id(self) -> str:
        """eipalloc-0 followed by 16 hex digits."""
        return "eipalloc-0" + hex_id("eip", self.key, n=16)


@dataclass
class Database(Resource):
    """An RDS for PostgreSQL instance and its gp2 storage."""

    dbclass: str = "db.r5.4xlarge"
    multi_az: bool = True
    storage_gb0: float = 100.0
    growth: float = 0.0

    @property
    def id(self) -> str:
        """arn:aws:rds:<region>:<account>:db:<name>"""
        return f"arn:aws:rds:{REGION}:{self.account.id}:db:{self.key}"


@dataclass
class SavingsPlan:
    """A Compute Savings Plan (No Upfront) bought in an account."""

    key: str
    account: Account
    commitment: float  # USD per hour
    factor: float  # SP rate = on-demand rate × factor
    start: datetime
    end: datetime
    term: str  # '1yr' | '3yr'

    @property
    def arn(self) -> str:
        """arn:aws:savingsplans::<account>:savingsplan/<uuid>"""
        return f"arn:aws:savingsplans::{self.account.id}:savingsplan/{uuid('sp', self.key)}"


@dataclass
class Credit:
    """A one-off credit (negative) on one account."""

    period: str
    account: Account
    amount: float
    description: str


@dataclass
class Ward:
    """One ward: its payer, linked accounts and resources."""

    key: str
    code: str
    kanji: str
    size: str
    payer: Account
    accounts: tuple[Account, ...]
    instances: list[Instance] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
    buckets: list[Bucket] = field(default_factory=list)
    eips: list[ElasticIp] = field(default_factory=list)
    databases: list[Database] = field(default_factory=list)
    savings_plans: list[SavingsPlan] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)

    @property
    def export(self) -> str:
        """Data Exports export name."""
        return f"gcf-{self.key}-cur2-hourly"

    @property
    def bucket(self) -> str:
        """The payer's S3 bucket the export is delivered to."""
        return f"gcf-{self.key}-billing-{self.payer.id}"


# --- the three wards -------------------------------------------------------------------------
FY25_H2 = datetime(2025, 10, 1)  # systems migrated in the second half of FY2025
RUNAWAY_START = datetime(2026, 3, 9, 1)  # 2026-03-09 10:00 JST
SLA_CREDIT = "AWS Service Level Agreement credit"

# Resource tables: one line per resource. fmt: off keeps them one per line.
# fmt: off


def _chiyoda() -> Ward:
    payer = Account("401186223017", "gcf-chiyoda-payer", None)
    prod = Account("482213975604", "chiyoda-prod", "prod")
    dev = Account("517309846128", "chiyoda-dev", "dev")
    w = Ward("chiyoda", "131016", "千代田区", "small", payer, (prod, dev))
    jumin = ("千代田区", "住民基本台帳", "prod")
    zeimu = ("131016", "individual_inhabitant_tax", "production")
    kokuho = ("chiyoda", "国保", "本番")
    kaigo = ("Chiyoda", "介護保険", "prod")
    dev_jumin = ("Chiyoda", "resident_registry", "dev")
    test_zeimu = ("千代田区", "個人住民税", "test")
    w.instances = [
        Instance("chiyoda-zeimu-ap01", prod, zeimu, "m5.4xlarge", "c", cpu="low"),
        Instance("chiyoda-kokuho-ap01", prod, kokuho, "r5.xlarge", "a", cpu="rightsized"),
        Instance("chiyoda-kaigo-ap01", prod, kaigo, "m5.xlarge", "c", start=FY25_H2),
        Instance("chiyoda-jumin-dev01", dev, dev_jumin, "m5.xlarge", "a"),
        Instance("chiyoda-zeimu-test01", dev, test_zeimu, "m5.xlarge", "d", schedule="workhours"),
    ]
    w.volumes = [
        Volume("chiyoda-jumin-share01", prod, jumin, "gp3", 500, "a"),
        Volume("chiyoda-zeimu-ap01-data", prod, zeimu, "gp2", 1000, "c"),
        Volume("chiyoda-kokuho-ap01-data", prod, kokuho, "gp3", 300, "a"),
        Volume("chiyoda-kaigo-ap01-data", prod, kaigo, "gp3", 200, "c", start=FY25_H2),
        Volume("chiyoda-jumin-dev01-data", dev, dev_jumin, "gp2", 200, "a"),
        Volume("chiyoda-zeimu-test01-data", dev, test_zeimu, "gp3", 200, "d"),
        Volume("chiyoda-dev-scratch", dev, None, "gp3", 150, "a"),
    ]
    w.snapshots = [
        Snapshot("chiyoda-jumin-before-migration-20231120", prod, jumin, 600, date(2023, 11, 20)),
        Snapshot("chiyoda-kokuho-monthly-20251201", prod, kokuho, 250, date(2025, 12, 1)),
    ]
    w.buckets = [
        Bucket("chiyoda-gcf-archive-131016", prod, ("chiyoda", "住民基本台帳", "prod"),
               46000, 0.012, 2, 6),
        Bucket("chiyoda-gcf-appdata-131016", prod, ("千代田区", "個人住民税", "prod"),
               1500, 0.010, 180_000, 2_200_000),
    ]
    w.eips = [ElasticIp("chiyoda-dev-eip-1", dev, None)]
    w.databases = [Database("chiyoda-gcf-db01", prod, jumin, "db.r5.4xlarge", True, 2000, 0.008)]
    w.credits = [Credit("2024-09", prod, -85.0, SLA_CREDIT)]
    return w


def _setagaya() -> Ward:
    payer = Account("603418557290", "gcf-setagaya-payer", None)
    prod = Account("639027184451", "setagaya-prod", "prod")
    stg = Account("655310728846", "setagaya-stg", "stg")
    dev = Account("672498013357", "setagaya-dev", "dev")
    w = Ward("setagaya", "131121", "世田谷区", "large", payer, (prod, stg, dev))
    sp1 = SavingsPlan("setagaya-sp-2024", prod, 1.24, 0.54, datetime(2024, 4, 1),
                      datetime(2027, 4, 1), "3yr")
    sp2 = SavingsPlan("setagaya-sp-2025", prod, 0.37, 0.72, FY25_H2, datetime(2026, 10, 1), "1yr")
    w.savings_plans = [sp1, sp2]
    jumin = ("世田谷区", "住民基本台帳", "prod")
    zeimu = ("131121", "個人住民税", "production")
    kosodate = ("setagaya", "child_care_support", "prod")
    batch = ("Setagaya", "個人住民税", "本番")
    share = ("世田谷区", "国民健康保険", "prod")
    stg_jumin = ("世田谷区", "住民基本台帳", "stg")
    dev_kaigo = ("setagaya", "long_term_care_insurance", "検証")
    w.instances = [
        Instance("setagaya-jumin-ap01", prod, jumin, "r5.4xlarge", "a", sp=sp1.key),
        Instance("setagaya-zeimu-ap01", prod, zeimu, "m5.4xlarge", "c", sp=sp1.key),
        Instance("setagaya-kosodate-ap01", prod, kosodate, "m5.2xlarge", "a", start=FY25_H2,
                 sp=sp2.key),
        Instance("setagaya-zeimu-batch02", prod, batch, "c5.4xlarge", "c", schedule="season"),
        Instance("setagaya-jumin-stg01", stg, stg_jumin, "m5.2xlarge", "a"),
        Instance("setagaya-kaigo-dev01", dev, dev_kaigo, "m5.2xlarge", "d", schedule="workhours"),
    ]
    w.volumes = [
        Volume("setagaya-jumin-ap01-data", prod, jumin, "gp3", 1000, "a"),
        Volume("setagaya-zeimu-ap01-data", prod, zeimu, "gp3", 1000, "c"),
        Volume("setagaya-kosodate-ap01-data", prod, kosodate, "gp3", 500, "a", start=FY25_H2),
        Volume("setagaya-zeimu-batch02-data", prod, batch, "gp3", 200, "c"),
        Volume("setagaya-fileshare01", prod, share, "gp2", 3000, "a"),
        Volume("setagaya-jumin-stg01-data", stg, stg_jumin, "gp3", 500, "a"),
        Volume("setagaya-kaigo-dev01-data", dev, dev_kaigo, "gp3", 300, "d"),
        Volume("setagaya-dev-old-root", dev, None, "gp2", 500, "d"),
    ]
    w.snapshots = [
        Snapshot("setagaya-jumin-pre-migration-20230930", prod, jumin, 2000, date(2023, 9, 30)),
        Snapshot("setagaya-zeimu-before-patch-20251115", prod, zeimu, 800, date(2025, 11, 15)),
    ]
    w.buckets = [
        Bucket("setagaya-gcf-archive-131121", prod, ("setagaya", "住民基本台帳", "prod"),
               120_000, 0.012, 3, 10),
        Bucket("setagaya-gcf-appdata-131121", prod, ("Setagaya", "個人住民税", "prod"),
               8000, 0.010, 1_400_000, 19_000_000),
    ]
    w.eips = [ElasticIp("setagaya-dev-eip-1", dev, None)]
    w.databases = [Database("setagaya-jumin-db01", prod, jumin, "db.r5.8xlarge", True, 6000, 0.008)]
    w.credits = [Credit("2025-02", prod, -300.0, SLA_CREDIT)]
    return w


def _edogawa() -> Ward:
    payer = Account("702655381946", "gcf-edogawa-payer", None)
    prod = Account("748120936573", "edogawa-prod", "prod")
    dev = Account("781904462385", "edogawa-dev", "dev")
    w = Ward("edogawa", "131237", "江戸川区", "medium", payer, (prod, dev))
    jumin = ("江戸川区", "住民基本台帳", "prod")
    zeimu = ("131237", "固定資産税", "production")
    kokuho = ("edogawa", "national_health_insurance", "本番")
    jidou = ("Edogawa", "児童手当", "prod")
    test_jumin = ("Edogawa", "住民基本台帳", "test")
    dev_kokuho = ("江戸川区", "国民健康保険", "dev")
    w.instances = [
        Instance("edogawa-jumin-ap01", prod, jumin, "m5.4xlarge", "a", "Windows"),
        Instance("edogawa-zeimu-ap01", prod, zeimu, "r5.4xlarge", "c", cpu="low"),
        Instance("edogawa-kokuho-ap01", prod, kokuho, "m5.2xlarge", "a", cpu="rightsized"),
        Instance("edogawa-jidou-ap01", prod, jidou, "m5.xlarge", "c", start=FY25_H2),
        Instance("edogawa-jumin-test01", dev, test_jumin, "m5.2xlarge", "a"),
        Instance("edogawa-kokuho-dev01", dev, dev_kokuho, "m5.xlarge", "d", schedule="workhours"),
    ] + [
        Instance(f"edogawa-loadtest-{n:02d}", dev, None, "m5.4xlarge", "ac"[n % 2],
                 schedule="runaway", start=RUNAWAY_START)
        for n in range(1, 9)
    ]
    w.volumes = [
        Volume("edogawa-jumin-ap01-data", prod, jumin, "gp3", 800, "a"),
        Volume("edogawa-zeimu-ap01-data", prod, zeimu, "gp2", 1500, "c"),
        Volume("edogawa-kokuho-ap01-data", prod, kokuho, "gp3", 400, "a"),
        Volume("edogawa-jidou-ap01-data", prod, jidou, "gp3", 200, "c", start=FY25_H2),
        Volume("edogawa-jumin-test01-data", dev, test_jumin, "gp3", 300, "a"),
        Volume("edogawa-kokuho-dev01-data", dev, dev_kokuho, "gp3", 200, "d"),
    ] + [
        Volume(f"edogawa-loadtest-{n:02d}-root", dev, None, "gp3", 100, "ac"[n % 2],
               start=RUNAWAY_START)
        for n in range(1, 9)
    ]
    w.snapshots = [
        Snapshot("edogawa-zeimu-pre-migration-20240112", prod, zeimu, 1200, date(2024, 1, 12)),
        Snapshot("edogawa-kokuho-monthly-20260110", prod, kokuho, 400, date(2026, 1, 10)),
    ]
    w.buckets = [
        Bucket("edogawa-gcf-archive-131237", prod, ("Edogawa", "住民基本台帳", "prod"),
               70_000, 0.012, 1, 4),
        Bucket("edogawa-gcf-appdata-131237", prod, ("江戸川区", "固定資産税", "prod"),
               4000, 0.010, 700_000, 9_000_000),
    ]
    w.eips = [ElasticIp("edogawa-dev-eip-1", dev, None)]
    w.databases = [Database("edogawa-gcf-db01", prod, jumin, "db.r5.4xlarge", True, 3000, 0.008)]
    w.credits = [Credit("2025-08", prod, -150.0, SLA_CREDIT)]
    return w


# fmt: on
WARDS: tuple[Ward, ...] = (_chiyoda(), _setagaya(), _edogawa())


# --- CUR 2.0 columns -----------------------------------------------------------------------
# (name, Data Exports type). Alphabetical, as the console lists them; rates are strings.
SCHEMA: tuple[tuple[str, str], ...] = (
    ("bill_bill_type", "string"),
    ("bill_billing_entity", "string"),
    ("bill_billing_period_end_date", "timestamp"),
    ("bill_billing_period_start_date", "timestamp"),
    ("bill_invoice_id", "string"),
    ("bill_invoicing_entity", "string"),
    ("bill_payer_account_id", "string"),
    ("bill_payer_account_name", "string"),
    ("cost_category", "map"),
    ("identity_line_item_id", "string"),
    ("identity_time_interval", "string"),
    ("line_item_availability_zone", "string"),
    ("line_item_currency_code", "string"),
    ("line_item_legal_entity", "string"),
    ("line_item_line_item_description", "string"),
    ("line_item_line_item_type", "string"),
    ("line_item_net_unblended_cost", "double"),
    ("line_item_operation", "string"),
    ("line_item_product_code", "string"),
    ("line_item_resource_id", "string"),
    ("line_item_tax_type", "string"),
    ("line_item_unblended_cost", "double"),
    ("line_item_unblended_rate", "string"),
    ("line_item_usage_account_id", "string"),
    ("line_item_usage_account_name", "string"),
    ("line_item_usage_amount", "double"),
    ("line_item_usage_end_date", "timestamp"),
    ("line_item_usage_start_date", "timestamp"),
    ("line_item_usage_type", "string"),
    ("pricing_currency", "string"),
    ("pricing_public_on_demand_cost", "double"),
    ("pricing_public_on_demand_rate", "string"),
    ("pricing_purchase_option", "string"),
    ("pricing_rate_code", "string"),
    ("pricing_term", "string"),
    ("pricing_unit", "string"),
    ("product", "map"),
    ("product_instance_type", "string"),
    ("product_location", "string"),
    ("product_product_family", "string"),
    ("product_region_code", "string"),
    ("product_servicecode", "string"),
    ("product_sku", "string"),
    ("reservation_effective_cost", "double"),
    ("reservation_reservation_a_r_n", "string"),
    ("reservation_unused_amortized_upfront_fee_for_billing_period", "double"),
    ("reservation_unused_recurring_fee", "double"),
    ("resource_tags", "map"),
    ("savings_plan_amortized_upfront_commitment_for_billing_period", "double"),
    ("savings_plan_end_time", "string"),
    ("savings_plan_net_savings_plan_effective_cost", "double"),
    ("savings_plan_offering_type", "string"),
    ("savings_plan_recurring_commitment_for_billing_period", "double"),
    ("savings_plan_savings_plan_a_r_n", "string"),
    ("savings_plan_savings_plan_effective_cost", "double"),
    ("savings_plan_savings_plan_rate", "double"),
    ("savings_plan_start_time", "string"),
    ("savings_plan_total_commitment_to_date", "double"),
    ("savings_plan_used_commitment", "double"),
)
COLUMNS: tuple[str, ...] = tuple(name for name, _ in SCHEMA)
IDX: dict[str, int] = {name: i for i, name in enumerate(COLUMNS)}
I_ID = IDX["identity_line_item_id"]
I_INTERVAL = IDX["identity_time_interval"]
I_START = IDX["line_item_usage_start_date"]
I_END = IDX["line_item_usage_end_date"]
I_AMOUNT = IDX["line_item_usage_amount"]
I_COST = IDX["line_item_unblended_cost"]
I_OD_COST = IDX["pricing_public_on_demand_cost"]


# --- one ward-month of CUR lines -------------------------------------------------------------
class Month:
    """Accumulates the CUR lines of one ward and billing period, and the tax base."""

    def __init__(self, ward: Ward, period: str) -> None:
        self.ward = ward
        self.period = period
        self.start, self.end = period_bounds(period)
        self.hours = int((self.end - self.start) / HOUR)
        self.days = self.hours // 24
        self.lines: list[str] = []
        self.tax_base: dict[tuple[str, str], float] = {}
        self.sp_used: dict[str, float] = {}
        self.planted_row = 0
        t = [self.start + i * HOUR for i in range(self.hours + 1)]
        self._h_s = [iso_s(x) for x in t]
        self._h_ms = [iso_ms(x) for x in t]
        invoice = (
            ""
            if period == LATEST
            else str(10**9 + int(hex_id("inv", ward.key, period), 16) % (9 * 10**9))
        )
        self._bill = {
            "bill_bill_type": "Anniversary",
            "bill_billing_entity": "AWS",
            "bill_billing_period_end_date": iso_ms(self.end),
            "bill_billing_period_start_date": iso_ms(self.start),
            "bill_invoice_id": invoice,
            "bill_invoicing_entity": ENTITY,
            "bill_payer_account_id": ward.payer.id,
            "bill_payer_account_name": ward.payer.name,
            "line_item_currency_code": "USD",
            "line_item_legal_entity": ENTITY,
        }

    # rows ------------------------------------------------------------------------------
    def template(
        self, account: Account, fields: dict[str, str], tag: dict[str, str] | None
    ) -> list[str]:
        """A row with the constant columns filled in (CSV-escaped)."""
        row = [""] * len(COLUMNS)
        values = dict(self._bill)
        values["line_item_usage_account_id"] = account.id
        values["line_item_usage_account_name"] = account.name
        values["resource_tags"] = jtext(tag or {})
        values["cost_category"] = jtext(self.cost_category(account))
        values.update(fields)
        for k, v in values.items():
            row[IDX[k]] = esc(v)
        return row

    def cost_category(self, account: Account) -> dict[str, str]:
        """Setagaya's payer defines one cost category; the other wards define none."""
        if self.ward.key != "setagaya":
            return {}
        return {"environment_group": "production" if account.env == "prod" else "non-production"}

    def id_prefix(self, series: str) -> str:
        """First 46 of the 52 base32 characters of a series' identity_line_item_id values.

        AWS's ids are opaque hashes; ours share a per-series prefix and end with the line's
        index, unique in the period, so that the hourly CSV compresses to the size budget.
        """
        return b32(digest("line", self.ward.key, self.period, series), 46)

    def add_base(self, account: Account, product_code: str, amount: float) -> None:
        """Add to the tax base of an account and product code."""
        key = (account.id, product_code)
        self.tax_base[key] = self.tax_base.get(key, 0.0) + amount

    def hourly(
        self, series: str, tpl: list[str], hours: Sequence[int], first: list[str] | None = None
    ) -> None:
        """One line per listed hour (index from the period start); costs are in the template.

        `first`, when given, is the template of the first line only (the planted mispriced line).
        """
        h_s, h_ms, out = self._h_s, self._h_ms, self.lines
        prefix = self.id_prefix(series)
        for n, h in enumerate(hours):
            row = (first if first is not None and n == 0 else tpl).copy()
            row[I_ID] = prefix + b32_int(n, 6)
            row[I_INTERVAL] = f"{h_s[h]}/{h_s[h + 1]}"
            row[I_START] = h_ms[h]
            row[I_END] = h_ms[h + 1]
            out.append(",".join(row))

    def daily(
        self, series: str, tpl: list[str], days: Iterable[tuple[int, float, float, float]]
    ) -> float:
        """One line per (day index, usage, cost, on-demand cost); returns the total cost."""
        total = 0.0
        prefix = self.id_prefix(series)
        for n, (d, amount, cost, od) in enumerate(days):
            h0, h1 = d * 24, d * 24 + 24
            row = tpl.copy()
            row[I_ID] = prefix + b32_int(n, 6)
            row[I_INTERVAL] = f"{self._h_s[h0]}/{self._h_s[h1]}"
            row[I_START] = self._h_ms[h0]
            row[I_END] = self._h_ms[h1]
            row[I_AMOUNT] = num(amount)
            row[I_COST] = num(cost)
            row[I_OD_COST] = num(od)
            self.lines.append(",".join(row))
            total += cost
        return total

    def monthly(self, series: str, tpl: list[str]) -> None:
        """One line covering the whole period (fees, taxes, credits)."""
        row = tpl.copy()
        row[I_ID] = self.id_prefix(series) + b32_int(0, 6)
        row[I_INTERVAL] = f"{self._h_s[0]}/{self._h_s[1]}"
        row[I_START] = self._h_ms[0]
        row[I_END] = self._h_ms[self.hours]
        self.lines.append(",".join(row))

    # schedules ---------------------------------------------------------------------------
    def running_hours(self, inst: Instance) -> list[int]:
        """Hour indices (from the period start) in which the instance runs."""
        out: list[int] = []
        for h in range(self.hours):
            t = self.start + h * HOUR
            if inst.start is not None and t < inst.start:
                continue
            local = t + JST
            if inst.schedule == "workhours" and not (
                is_working_day(local.date()) and 8 <= local.hour < 20
            ):
                continue
            # 個人住民税 calculation season: 10 May – 30 June (JST)
            if inst.schedule == "season" and not (5, 10) <= (local.month, local.day) <= (6, 30):
                continue
            out.append(h)
        return out

    def active_days(self, start: datetime | None) -> list[int]:
        """Day indices of the period on or after start (a start mid-day counts that day)."""
        return [d for d in range(self.days) if start is None or self.start + (d + 1) * DAY > start]

    def day_fraction(self, d: int, start: datetime | None) -> float:
        """Fraction of day d after start (1.0 when start is None or earlier)."""
        if start is None:
            return 1.0
        t0 = self.start + d * DAY
        return max(0.0, min(1.0, (t0 + DAY - max(start, t0)) / DAY))

    def months_since_origin(self, d: int) -> float:
        """Months elapsed since 2024-04-01 at the start of day d (for steady growth)."""
        i = PERIODS.index(self.period)
        return i + d / self.days


# --- line builders -------------------------------------------------------------------------
def _ec2_product(inst: Instance) -> dict[str, str]:
    family = inst.itype.split(".")[0]
    _, vcpu, memory = EC2[inst.itype]
    return {
        "instance_type_family": family,
        "license_model": "License Included" if inst.os == "Windows" else "No License required",
        "memory": memory,
        "operating_system": inst.os,
        "product_name": "Amazon Elastic Compute Cloud",
        "region": REGION,
        "tenancy": "Shared",
        "vcpu": str(vcpu),
    }


def _common(
    product_code: str, servicecode: str, family: str, product: dict[str, str]
) -> dict[str, str]:
    return {
        "line_item_product_code": product_code,
        "product_servicecode": servicecode,
        "product_product_family": family,
        "product": jtext(product),
        "product_location": LOCATION,
        "product_region_code": REGION,
        "pricing_currency": "USD",
    }


def add_instance(m: Month, inst: Instance, sps: dict[str, SavingsPlan]) -> None:
    """Hourly EC2 lines; Savings Plan-covered hours get a covered line and a negation line."""
    hours = m.running_hours(inst)
    if not hours:
        return
    rate = ec2_rate(inst.itype, inst.os)
    utype = f"APN1-BoxUsage:{inst.itype}"
    op = "RunInstances:0002" if inst.os == "Windows" else "RunInstances"
    sku_id = sku(utype, op)
    fields = _common("AmazonEC2", "AmazonEC2", "Compute Instance", _ec2_product(inst))
    fields |= {
        "line_item_availability_zone": inst.az,
        "line_item_line_item_description": (
            f"${num(rate)} per On Demand {inst.os} {inst.itype} Instance Hour"
        ),
        "line_item_line_item_type": "Usage",
        "line_item_operation": op,
        "line_item_resource_id": inst.id,
        "line_item_unblended_cost": num(rate),
        "line_item_unblended_rate": num(rate),
        "line_item_usage_amount": "1.0",
        "line_item_usage_type": utype,
        "pricing_public_on_demand_cost": num(rate),
        "pricing_public_on_demand_rate": num(rate),
        "pricing_rate_code": rate_code(sku_id),
        "pricing_term": "OnDemand",
        "pricing_unit": "Hrs",
        "product_instance_type": inst.itype,
        "product_sku": sku_id,
    }
    if inst.sp is None:
        tpl = m.template(inst.account, fields, inst.tags)
        first = None
        if (m.ward.key, m.period, inst.key) == MISPRICED:
            first = tpl.copy()
            first[I_COST] = num(rate + MISPRICED_EXTRA)
            m.planted_row = len(m.lines) + 1  # 1-based data row of the file
            m.add_base(inst.account, "AmazonEC2", MISPRICED_EXTRA)
        m.hourly(f"{inst.id}|Usage", tpl, hours, first)
        m.add_base(inst.account, "AmazonEC2", rate * len(hours))
        return
    sp = sps[inst.sp]
    assert all(sp.start <= m.start + h * HOUR < sp.end for h in hours), inst.key
    sp_rate = r10(rate * sp.factor)
    covered = fields | {
        "line_item_line_item_type": "SavingsPlanCoveredUsage",
        "savings_plan_savings_plan_a_r_n": sp.arn,
        "savings_plan_savings_plan_rate": num(sp_rate),
        "savings_plan_savings_plan_effective_cost": num(sp_rate),
        "savings_plan_offering_type": "ComputeSavingsPlans",
        "savings_plan_start_time": iso_ms(sp.start),
        "savings_plan_end_time": iso_ms(sp.end),
    }
    negation = fields | {
        "line_item_line_item_type": "SavingsPlanNegation",
        "line_item_line_item_description": (
            f"SavingsPlanNegation used by AccountId : {inst.account.id} and UsageSku : {sku_id}"
        ),
        "line_item_unblended_cost": num(-rate),
        "line_item_unblended_rate": num(-rate),
        "line_item_usage_amount": "0.0",
        "pricing_public_on_demand_cost": "0.0",
        "savings_plan_savings_plan_a_r_n": sp.arn,
        "savings_plan_offering_type": "ComputeSavingsPlans",
        "savings_plan_start_time": iso_ms(sp.start),
        "savings_plan_end_time": iso_ms(sp.end),
    }
    m.hourly(f"{inst.id}|Covered", m.template(inst.account, covered, inst.tags), hours)
    m.hourly(f"{inst.id}|Negation", m.template(inst.account, negation, inst.tags), hours)
    m.sp_used[sp.key] = m.sp_used.get(sp.key, 0.0) + sp_rate * len(hours)


def add_volume(m: Month, vol: Volume) -> None:
    """Daily EBS volume lines (GB-Mo prorated per day)."""
    price = EBS_GB_MO[vol.vtype]
    utype = f"APN1-EBS:VolumeUsage.{vol.vtype}"
    op = f"CreateVolume-{vol.vtype.capitalize()}"
    sku_id = sku(utype)
    label = {"gp2": "General Purpose SSD (gp2)", "gp3": "General Purpose SSD (gp3)"}[vol.vtype]
    product = {
        "product_name": "Amazon Elastic Compute Cloud",
        "region": REGION,
        "storage_media": "SSD-backed",
        "volume_api_name": vol.vtype,
        "volume_type": "General Purpose",
    }
    fields = _common("AmazonEC2", "AmazonEC2", "Storage", product) | {
        "line_item_availability_zone": vol.az,
        "line_item_line_item_description": (
            f"${num(price)} per GB-month of {label} provisioned storage - {LOCATION}"
        ),
        "line_item_line_item_type": "Usage",
        "line_item_operation": op,
        "line_item_resource_id": vol.id,
        "line_item_unblended_rate": num(price),
        "line_item_usage_type": utype,
        "pricing_public_on_demand_rate": num(price),
        "pricing_rate_code": rate_code(sku_id),
        "pricing_term": "OnDemand",
        "pricing_unit": "GB-Mo",
        "product_sku": sku_id,
    }
    rows = []
    for d in m.active_days(vol.start):
        amount = r10(vol.size_gb * 24 * m.day_fraction(d, vol.start) / m.hours)
        cost = r10(amount * price)
        rows.append((d, amount, cost, cost))
    total = m.daily(f"{vol.id}|Usage", m.template(vol.account, fields, vol.tags), rows)
    m.add_base(vol.account, "AmazonEC2", total)


def add_snapshot(m: Month, snap: Snapshot) -> None:
    """Daily EBS snapshot lines."""
    utype = "APN1-EBS:SnapshotUsage"
    sku_id = sku(utype)
    product = {
        "product_name": "Amazon Elastic Compute Cloud",
        "region": REGION,
        "storage_media": "Amazon S3",
    }
    fields = _common("AmazonEC2", "AmazonEC2", "Storage Snapshot", product) | {
        "line_item_line_item_description": (
            f"${num(SNAPSHOT_GB_MO)} per GB-Month of snapshot data stored - {LOCATION}"
        ),
        "line_item_line_item_type": "Usage",
        "line_item_operation": "CreateSnapshot",
        "line_item_resource_id": snap.id,
        "line_item_unblended_rate": num(SNAPSHOT_GB_MO),
        "line_item_usage_type": utype,
        "pricing_public_on_demand_rate": num(SNAPSHOT_GB_MO),
        "pricing_rate_code": rate_code(sku_id),
        "pricing_term": "OnDemand",
        "pricing_unit": "GB-Mo",
        "product_sku": sku_id,
    }
    created = datetime(snap.created.year, snap.created.month, snap.created.day) - JST
    rows = []
    for d in m.active_days(created):
        amount = r10(snap.size_gb * 24 * m.day_fraction(d, created) / m.hours)
        cost = r10(amount * SNAPSHOT_GB_MO)
        rows.append((d, amount, cost, cost))
    total = m.daily(f"{snap.id}|Usage", m.template(snap.account, fields, snap.tags), rows)
    m.add_base(snap.account, "AmazonEC2", total)


SEASON = {1: 1.05, 2: 1.15, 3: 1.4, 4: 1.3, 5: 1.05, 6: 1.2, 8: 0.85, 12: 0.9}


def add_bucket(m: Month, b: Bucket) -> None:
    """Daily S3 Standard storage and Tier1/Tier2 request lines."""
    s3_product = {"product_name": "Amazon Simple Storage Service", "region": REGION}
    storage_sku = sku("APN1-TimedStorage-ByteHrs")
    storage = _common(
        "AmazonS3",
        "AmazonS3",
        "Storage",
        s3_product
        | {
            "availability": "99.99%",
            "durability": "99.999999999%",
            "storage_class": "General Purpose",
            "volume_type": "Standard",
        },
    ) | {
        "line_item_line_item_description": (
            f"${num(S3_STANDARD_GB_MO)} per GB - first 50 TB / month of storage used"
        ),
        "line_item_line_item_type": "Usage",
        "line_item_operation": "StandardStorage",
        "line_item_resource_id": b.id,
        "line_item_unblended_rate": num(S3_STANDARD_GB_MO),
        "line_item_usage_type": "APN1-TimedStorage-ByteHrs",
        "pricing_public_on_demand_rate": num(S3_STANDARD_GB_MO),
        "pricing_rate_code": rate_code(storage_sku),
        "pricing_term": "OnDemand",
        "pricing_unit": "GB-Mo",
        "product_sku": storage_sku,
    }
    rows = []
    for d in range(m.days):
        gb = b.gb0 * (1 + b.growth) ** m.months_since_origin(d)
        amount = r10(gb * 24 / m.hours)
        cost = r10(amount * S3_STANDARD_GB_MO)
        rows.append((d, amount, cost, cost))
    total = m.daily(f"{b.id}|Storage", m.template(b.account, storage, b.tags), rows)
    for tier, per_day, price, op, group, what in (
        (
            1,
            b.tier1_per_day,
            S3_TIER1,
            "PutObject",
            "S3-API-Tier1",
            "PUT, COPY, POST, or LIST requests",
        ),
        (2, b.tier2_per_day, S3_TIER2, "GetObject", "S3-API-Tier2", "GET and all other requests"),
    ):
        utype = f"APN1-Requests-Tier{tier}"
        sku_id = sku(utype)
        fields = _common(
            "AmazonS3",
            "AmazonS3",
            "API Request",
            s3_product | {"group": group, "group_description": what},
        ) | {
            "line_item_line_item_description": f"${num(price * 1000)} per 1,000 {what}",
            "line_item_line_item_type": "Usage",
            "line_item_operation": op,
            "line_item_resource_id": b.id,
            "line_item_unblended_rate": num(price),
            "line_item_usage_type": utype,
            "pricing_public_on_demand_rate": num(price),
            "pricing_rate_code": rate_code(sku_id),
            "pricing_term": "OnDemand",
            "pricing_unit": "Requests",
            "product_sku": sku_id,
        }
        r = rng("s3req", b.id, tier, m.period)
        noise = r.lognormal(0.0, 0.25, m.days)
        rows = []
        for d in range(m.days):
            local = (m.start + d * DAY).date()
            factor = SEASON.get(local.month, 1.0) * (1.0 if is_working_day(local) else 0.25)
            count = float(round(per_day * factor * noise[d]))
            if count <= 0:
                continue
            cost = r10(count * price)
            rows.append((d, count, cost, cost))
        total += m.daily(f"{b.id}|Tier{tier}", m.template(b.account, fields, b.tags), rows)
    m.add_base(b.account, "AmazonS3", total)


def add_eip(m: Month, eip: ElasticIp) -> None:
    """Daily idle Elastic IP lines (24 Hrs a day)."""
    utype = "APN1-ElasticIP:IdleAddress"
    sku_id = sku(utype)
    product = {
        "group": "ElasticIP:Address",
        "group_description": "Elastic IP address",
        "product_name": "Amazon Elastic Compute Cloud",
        "region": REGION,
    }
    fields = _common("AmazonEC2", "AmazonEC2", "IP Address", product) | {
        "line_item_line_item_description": (
            f"${num(EIP_IDLE_H)} per Elastic IP address not attached to a running instance "
            "per hour (prorated)"
        ),
        "line_item_line_item_type": "Usage",
        "line_item_operation": "AssociateAddressVPC",
        "line_item_resource_id": eip.id,
        "line_item_unblended_rate": num(EIP_IDLE_H),
        "line_item_usage_type": utype,
        "pricing_public_on_demand_rate": num(EIP_IDLE_H),
        "pricing_rate_code": rate_code(sku_id),
        "pricing_term": "OnDemand",
        "pricing_unit": "Hrs",
        "product_sku": sku_id,
    }
    cost = r10(24 * EIP_IDLE_H)
    rows = [(d, 24.0, cost, cost) for d in range(m.days)]
    total = m.daily(f"{eip.id}|Usage", m.template(eip.account, fields, eip.tags), rows)
    m.add_base(eip.account, "AmazonEC2", total)


def add_database(m: Month, db: Database) -> None:
    """Hourly RDS instance lines and daily gp2 storage lines."""
    single, vcpu, memory = RDS[db.dbclass]
    rate = r10(single * (2 if db.multi_az else 1))
    deploy = "Multi-AZ" if db.multi_az else "Single-AZ"
    utype = f"APN1-{'Multi-AZUsage' if db.multi_az else 'InstanceUsage'}:{db.dbclass}"
    op = "CreateDBInstance:0014"
    sku_id = sku(utype, op)
    product = {
        "database_engine": "PostgreSQL",
        "deployment_option": deploy,
        "instance_type_family": db.dbclass.split(".")[1],
        "license_model": "No license required",
        "memory": memory,
        "product_name": "Amazon Relational Database Service",
        "region": REGION,
        "vcpu": str(vcpu),
    }
    fields = _common("AmazonRDS", "AmazonRDS", "Database Instance", product) | {
        "line_item_line_item_description": (
            f"${num(rate)} per RDS {db.dbclass} {deploy} instance hour (or partial hour) "
            "running PostgreSQL"
        ),
        "line_item_line_item_type": "Usage",
        "line_item_operation": op,
        "line_item_resource_id": db.id,
        "line_item_unblended_cost": num(rate),
        "line_item_unblended_rate": num(rate),
        "line_item_usage_amount": "1.0",
        "line_item_usage_type": utype,
        "pricing_public_on_demand_cost": num(rate),
        "pricing_public_on_demand_rate": num(rate),
        "pricing_rate_code": rate_code(sku_id),
        "pricing_term": "OnDemand",
        "pricing_unit": "Hrs",
        "product_instance_type": db.dbclass,
        "product_sku": sku_id,
    }
    m.hourly(f"{db.id}|Instance", m.template(db.account, fields, db.tags), range(m.hours))
    total = rate * m.hours
    price = r10(RDS_GP2_GB_MO * (2 if db.multi_az else 1))
    s_utype = f"APN1-RDS:{'Multi-AZ-' if db.multi_az else ''}GP2-Storage"
    s_sku = sku(s_utype)
    storage = _common(
        "AmazonRDS",
        "AmazonRDS",
        "Database Storage",
        {
            "database_engine": "PostgreSQL",
            "deployment_option": deploy,
            "product_name": "Amazon Relational Database Service",
            "region": REGION,
            "volume_type": "General Purpose",
        },
    ) | {
        "line_item_line_item_description": (
            f"${num(price)} per GB-month of provisioned gp2 storage for {deploy} deployments "
            "running PostgreSQL"
        ),
        "line_item_line_item_type": "Usage",
        "line_item_operation": op,
        "line_item_resource_id": db.id,
        "line_item_unblended_rate": num(price),
        "line_item_usage_type": s_utype,
        "pricing_public_on_demand_rate": num(price),
        "pricing_rate_code": rate_code(s_sku),
        "pricing_term": "OnDemand",
        "pricing_unit": "GB-Mo",
        "product_sku": s_sku,
    }
    rows = []
    for d in range(m.days):
        gb = math.ceil(db.storage_gb0 * (1 + db.growth) ** int(m.months_since_origin(d)) / 100)
        amount = r10(gb * 100 * 24 / m.hours)
        cost = r10(amount * price)
        rows.append((d, amount, cost, cost))
    total += m.daily(f"{db.id}|Storage", m.template(db.account, storage, db.tags), rows)
    m.add_base(db.account, "AmazonRDS", total)


def add_savings_plan_fee(m: Month, sp: SavingsPlan) -> None:
    """The monthly SavingsPlanRecurringFee line (commitment × hours of the period)."""
    if not (sp.start < m.end and sp.end > m.start):
        return
    hours = int((min(sp.end, m.end) - max(sp.start, m.start)) / HOUR)
    fee = r10(sp.commitment * hours)
    used = r10(m.sp_used.get(sp.key, 0.0))
    utype = f"ComputeSP:{sp.term}NoUpfront"
    product = {"product_name": "Savings Plans for AWS Compute usage"}
    fields = {
        "line_item_product_code": "ComputeSavingsPlans",
        "product_servicecode": "ComputeSavingsPlans",
        "product": jtext(product),
        "pricing_currency": "USD",
        "line_item_line_item_description": (
            f"{sp.term} No Upfront Compute Savings Plan with ${num(sp.commitment)} hourly "
            "commitment"
        ),
        "line_item_line_item_type": "SavingsPlanRecurringFee",
        "line_item_resource_id": sp.arn,
        "line_item_unblended_cost": num(fee),
        "line_item_unblended_rate": num(sp.commitment),
        "line_item_usage_amount": num(float(hours)),
        "line_item_usage_type": utype,
        "pricing_purchase_option": "No Upfront",
        "pricing_unit": "Hrs",
        "savings_plan_amortized_upfront_commitment_for_billing_period": "0.0",
        "savings_plan_end_time": iso_ms(sp.end),
        "savings_plan_offering_type": "ComputeSavingsPlans",
        "savings_plan_recurring_commitment_for_billing_period": num(fee),
        "savings_plan_savings_plan_a_r_n": sp.arn,
        "savings_plan_start_time": iso_ms(sp.start),
        "savings_plan_total_commitment_to_date": num(fee),
        "savings_plan_used_commitment": num(used),
    }
    assert used <= fee, (sp.key, m.period)
    m.monthly(f"{sp.arn}|Fee", m.template(sp.account, fields, None))
    m.add_base(sp.account, "ComputeSavingsPlans", fee)


PRODUCT_NAMES = {
    "AmazonEC2": "Amazon Elastic Compute Cloud",
    "AmazonRDS": "Amazon Relational Database Service",
    "AmazonS3": "Amazon Simple Storage Service",
    "ComputeSavingsPlans": "Savings Plans for AWS Compute usage",
}


def add_credit(m: Month, c: Credit) -> None:
    """A Credit line on AmazonEC2."""
    fields = {
        "line_item_product_code": "AmazonEC2",
        "product": jtext({"product_name": PRODUCT_NAMES["AmazonEC2"]}),
        "line_item_line_item_description": c.description,
        "line_item_line_item_type": "Credit",
        "line_item_unblended_cost": num(c.amount),
        "line_item_usage_amount": "0.0",
        "pricing_public_on_demand_cost": "0.0",
    }
    m.monthly(f"credit|{c.account.id}", m.template(c.account, fields, None))
    m.add_base(c.account, "AmazonEC2", c.amount)


def add_taxes(m: Month) -> None:
    """Japanese consumption tax (10 %): one Tax line per account and product code."""
    for (account_id, code), base in sorted(m.tax_base.items()):
        account = next(a for a in m.ward.accounts if a.id == account_id)
        tax = round(base * TAX_RATE + 1e-9, 2)
        fields = {
            "line_item_product_code": code,
            "product": jtext({"product_name": PRODUCT_NAMES[code]}),
            "line_item_line_item_description": f"Tax for product code {code}",
            "line_item_line_item_type": "Tax",
            "line_item_tax_type": TAX_TYPE,
            "line_item_unblended_cost": num(tax),
            "line_item_usage_amount": "1.0",
            "pricing_public_on_demand_cost": "0.0",
        }
        m.monthly(f"tax|{account_id}|{code}", m.template(account, fields, None))


def build_month(ward: Ward, period: str) -> Month:
    """All CUR lines of one ward and period."""
    m = Month(ward, period)
    sps = {sp.key: sp for sp in ward.savings_plans}
    for inst in ward.instances:
        add_instance(m, inst, sps)
    for db in ward.databases:
        add_database(m, db)
    for vol in ward.volumes:
        add_volume(m, vol)
    for snap in ward.snapshots:
        add_snapshot(m, snap)
    for b in ward.buckets:
        add_bucket(m, b)
    for eip in ward.eips:
        add_eip(m, eip)
    for sp in ward.savings_plans:
        add_savings_plan_fee(m, sp)
    for c in ward.credits:
        if c.period == period:
            add_credit(m, c)
    add_taxes(m)
    return m


# --- writers -------------------------------------------------------------------------------
def write_bytes(path: Path, data: bytes) -> None:
    """Write a file, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text with LF line ends."""
    write_bytes(path, text.encode("utf-8"))


def gzip_bytes(data: bytes) -> bytes:
    """gzip with mtime 0 and no file name, so the bytes depend on the content only."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as f:
        f.write(data)
    return buf.getvalue()


def write_export(out: Path, ward: Ward, period: str) -> int:
    """One period of a ward's export: the data file and its manifest. Returns the row count."""
    m = build_month(ward, period)
    part = f"BILLING_PERIOD={period}"
    name = f"{ward.export}-00001.csv.gz"
    text = ",".join(COLUMNS) + "\n" + "\n".join(m.lines) + "\n"
    write_bytes(out / "aws" / ward.export / "data" / part / name, gzip_bytes(text.encode()))
    key = f"cur2/{ward.export}/data/{part}/{name}"
    manifest = {
        "columns": [{"name": n, "type": t} for n, t in SCHEMA],
        "dataFiles": [f"s3://{ward.bucket}/{key}"],
        "executionId": uuid("execution", ward.key, period),
        "exportArn": f"arn:aws:bcm-data-exports:us-east-1:{ward.payer.id}:export/"
        f"{ward.export}-{uuid('export', ward.key)}",
    }
    write_text(
        out / "aws" / ward.export / "metadata" / part / f"{ward.export}-Manifest.json",
        json.dumps(manifest, sort_keys=True),
    )
    return len(m.lines)


# --- CloudWatch ----------------------------------------------------------------------------
METRIC_START = datetime(2026, 3, 2)  # 30 days of hourly points before the export's end
METRIC_HOURS = 30 * 24


def cpu_series(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Hourly CPUUtilization Average and Maximum (percent) for the metric window."""
    r = rng("cpu", inst.id)
    t = [METRIC_START + h * HOUR + JST for h in range(METRIC_HOURS)]
    busy = np.array([is_working_day(x.date()) and 8 <= x.hour < 20 for x in t], dtype=float)
    peak = np.array([x.hour in (9, 10, 13, 14, 15) for x in t], dtype=float) * busy
    level, night = (5.5, 2.0) if inst.cpu == "low" else (55.0, 22.0)
    avg = night + (level - night) * busy + level * 0.12 * peak
    avg = avg * r.lognormal(0.0, 0.08, METRIC_HOURS) + r.normal(0.0, 0.4, METRIC_HOURS)
    avg = np.clip(avg, 0.3, 97.0)
    mx = np.clip(
        avg * r.uniform(1.15, 1.6, METRIC_HOURS) + r.uniform(0.5, 3.0, METRIC_HOURS), avg, 100.0
    )
    return np.round(avg, 2), np.round(mx, 2)


def mem_series(inst: Instance) -> np.ndarray:
    """Hourly mem_used_percent (CloudWatch agent) for the metric window."""
    r = rng("mem", inst.id)
    base = 23.0 if inst.cpu == "low" else 71.0
    return np.round(np.clip(base + r.normal(0.0, 1.5, METRIC_HOURS), 1.0, 99.0), 2)


def metric_instances() -> list[Instance]:
    """Prod instances with CloudWatch data in the sample."""
    return [i for w in WARDS for i in w.instances if i.cpu is not None]


def write_metrics(out: Path) -> None:
    """get-metric-statistics JSON per instance, and the long CSV for two instances."""
    for inst in metric_instances():
        avg, mx = cpu_series(inst)
        points = [
            {
                "Timestamp": iso_s(METRIC_START + h * HOUR),
                "Average": float(avg[h]),
                "Maximum": float(mx[h]),
                "Unit": "Percent",
            }
            for h in range(METRIC_HOURS)
        ]
        order = rng("order", inst.id).permutation(METRIC_HOURS)  # the API returns no order
        doc = {"Datapoints": [points[int(i)] for i in order], "Label": "CPUUtilization"}
        write_text(
            out / "metrics" / "cloudwatch" / f"{inst.id}.json", json.dumps(doc, indent=4) + "\n"
        )
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["resource_id", "timestamp", "metric", "value"])
    for inst in csv_metric_instances():
        avg, _ = cpu_series(inst)
        mem = mem_series(inst)
        for h in range(METRIC_HOURS):
            ts = iso_s(METRIC_START + h * HOUR)
            w.writerow([inst.id, ts, "CPUUtilization", f"{avg[h]:.2f}"])
            w.writerow([inst.id, ts, "mem_used_percent", f"{mem[h]:.2f}"])
    write_text(out / "metrics" / "metrics.csv", buf.getvalue())


def csv_metric_instances() -> list[Instance]:
    """The two instances of the plain CSV variant: Chiyoda's oversized and right-sized ones."""
    return [i for i in WARDS[0].instances if i.cpu in ("low", "rightsized")]


def p95(values: np.ndarray) -> float:
    """95th percentile (linear interpolation)."""
    return float(np.percentile(values, 95))


# --- FX, config, baseline, non-cloud -------------------------------------------------------
# approximate monthly averages of USD/JPY, 2024-04 … 2026-03; illustrative (see README)
# fmt: off
FX = (
    153.6, 155.9, 157.9, 157.5, 146.3, 143.0, 149.7, 153.7, 153.7, 156.5, 151.9, 149.1,  # FY2024
    144.2, 144.8, 144.5, 146.9, 147.4, 147.7, 151.5, 154.9, 155.4, 156.2, 154.6, 150.8,  # FY2025
)
# fmt: on
FX_SOURCE = (
    "illustrative monthly average for the sample data (approximate); replace with your "
    "contract rate"
)


def write_fx(out: Path) -> None:
    """fx_rates.csv: one USD row per month."""
    lines = ["month,currency,rate_jpy,source"]
    lines += [f"{p},USD,{r:.1f},{esc(FX_SOURCE)}" for p, r in zip(PERIODS, FX, strict=True)]
    write_text(out / "fx_rates.csv", "\n".join(lines) + "\n")


def write_config(out: Path) -> None:
    """gcfinops.toml: the account → ward / environment map."""
    lines = [
        "# gcfinops configuration for the bundled sample data (sample_billing/).",
        "# Generated by sample_billing/generate.py; every account id and name is synthetic.",
        "#",
        "# Each linked (member) account maps to one ward and, where the account holds one",
        "# environment only, to that environment. Tags on resources are spelled inconsistently",
        "# (131121 / 世田谷区 / setagaya / Setagaya; prod / production / 本番 …) and some cost",
        "# is not tagged at all: the account map is what makes every line attributable.",
        "",
    ]
    for w in WARDS:
        lines.append(f"# {w.kanji} ({w.code}), {w.size}: export {w.export}")
        for a in (w.payer, *w.accounts):
            lines.append(f'[allocation.accounts."{a.id}"]')
            lines.append(f'ward = "{w.key}"')
            if a.env is None:
                lines.append("# management (payer) account; it has no usage of its own here")
            else:
                lines.append(f'environment = "{a.env}"')
            lines.append(f"# account name: {a.name}")
            lines.append("")
    lines.append(
        "# Multi-cloud sample (generate_multicloud.py): 世田谷区 児童手当 on Azure (subscriptions),"
    )
    lines.append("# 江戸川区 健康管理 on Google Cloud (projects).")
    for account, ward, system, env in MULTICLOUD_ACCOUNTS:
        lines += [f'[allocation.accounts."{account}"]', f'ward = "{ward}"',
                  f'system = "{system}"', f'environment = "{env}"', ""]  # fmt: skip
    write_text(out / "gcfinops.toml", "\n".join(lines).rstrip("\n") + "\n")


MULTICLOUD_ACCOUNTS = (
    ("7c1d4e2f-3a5b-4c6d-8e9f-000131121001", "setagaya", "child_allowance", "prod"),
    ("7c1d4e2f-3a5b-4c6d-8e9f-000131121002", "setagaya", "child_allowance", "dev"),
    ("edogawa-kenko-prod", "edogawa", "health_management", "prod"),
    ("edogawa-kenko-dev", "edogawa", "health_management", "dev"),
)


# FY2018 running cost for the 20 業務 (決算), yen, and the shares of the Digital Agency's
# 先行事業 verification, column (A) "keep current" (domain.md §6.1).
BASELINE_TOTAL = {"chiyoda": 190_000_000, "setagaya": 660_000_000, "edogawa": 540_000_000}
SHARES_A = {
    "system_operation": 0.244,
    "hardware_maintenance_work": 0.005,
    "other_outsourcing": 0.033,
    "hardware_lease": 0.172,
    "hardware_maintenance": 0.010,
    "software_lease": 0.347,
    "software_maintenance": 0.108,
    "datacenter": 0.040,
    "network_lines": 0.017,
    "cloud_usage": 0.024,
}
PER_SYSTEM_ITEMS = ("software_lease", "software_maintenance", "hardware_lease")
# share of each per-業務 item booked per system; the rest is a whole-ward row
SYSTEM_WEIGHTS = {
    "chiyoda": {
        "resident_registry": 0.24,
        "individual_inhabitant_tax": 0.20,
        "national_health_insurance": 0.14,
        "long_term_care_insurance": 0.12,
    },
    "setagaya": {
        "resident_registry": 0.22,
        "individual_inhabitant_tax": 0.20,
        "national_health_insurance": 0.13,
        "long_term_care_insurance": 0.12,
        "child_care_support": 0.08,
    },
    "edogawa": {
        "resident_registry": 0.23,
        "fixed_asset_tax": 0.12,
        "national_health_insurance": 0.15,
        "child_allowance": 0.06,
    },
}
VENDORS = {
    "chiyoda": "サンプル情報システム株式会社",
    "setagaya": "架空ソリューションズ株式会社",
    "edogawa": "例示データサービス株式会社",
}
OPERATOR = "仮称クラウド運用サービス株式会社"
CARRIER = "サンプル回線株式会社"
LEGACY = "旧基盤リース（架空）"


def yen(x: float, unit: int = 1000) -> int:
    """Round to a multiple of unit yen (half up)."""
    return math.floor(x / unit + 0.5) * unit


def write_baseline(out: Path) -> None:
    """baseline_fy2018.csv."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["ward", "fiscal_year", "business_system", "cost_item", "amount_jpy", "basis"])
    for ward in WARDS:
        total = BASELINE_TOTAL[ward.key]
        for item, share in SHARES_A.items():
            amount = total * share
            if item in PER_SYSTEM_ITEMS:
                booked = 0
                for system, weight in SYSTEM_WEIGHTS[ward.key].items():
                    part = yen(amount * weight)
                    booked += part
                    w.writerow([ward.key, 2018, system, item, part, "決算"])
                w.writerow([ward.key, 2018, "", item, yen(amount) - booked, "決算"])
            else:
                w.writerow([ward.key, 2018, "", item, yen(amount), "決算"])
    write_text(out / "baseline_fy2018.csv", buf.getvalue())


@dataclass(frozen=True)
class NonCloud:
    """Non-cloud running cost after migration, yen a year (FY2024 level; FY2025 is +3 %)."""

    asp: int  # package / ASP fees per 業務 → software_lease (monthly rows)
    operator: int  # 運用管理補助者 → other_outsourcing (monthly)
    lines: int  # Government Cloud connection lines → network_lines (monthly)
    maintenance: int  # package maintenance, law changes → software_maintenance (yearly, per 業務)
    operation: int  # system operation work → system_operation (yearly)
    legacy: int  # FY2024 only: old on-premises lease and data centre (二重稼働, yearly)


NONCLOUD = {
    "chiyoda": NonCloud(150_000_000, 30_000_000, 14_400_000, 44_000_000, 38_000_000, 42_000_000),
    "setagaya": NonCloud(
        470_000_000, 72_000_000, 36_000_000, 150_000_000, 142_000_000, 150_000_000
    ),
    "edogawa": NonCloud(470_000_000, 60_000_000, 30_000_000, 160_000_000, 126_000_000, 120_000_000),
}
NONCLOUD_COLUMNS = (
    "ward",
    "month",
    "fiscal_year",
    "business_system",
    "cost_item",
    "amount_jpy",
    "vendor",
    "note",
)


def write_noncloud(out: Path) -> None:
    """noncloud_costs.csv for FY2024–FY2025: monthly rows and yearly rows (empty month)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(NONCLOUD_COLUMNS)
    for ward in WARDS:
        nc, vendor = NONCLOUD[ward.key], VENDORS[ward.key]
        weights = SYSTEM_WEIGHTS[ward.key]
        wsum = sum(weights.values())
        for period in PERIODS:
            fy = int(period[:4]) - (int(period[5:]) < 4)
            growth = 1.0 if fy == 2024 else 1.03
            for system, weight in weights.items():
                amount = yen(nc.asp / 12 * weight / wsum * growth)
                note = "標準準拠パッケージ利用料（ASP）月額"
                w.writerow([ward.key, period, fy, system, "software_lease", amount, vendor, note])
            w.writerow([ward.key, period, fy, "", "other_outsourcing", yen(nc.operator / 12),
                        OPERATOR, "運用管理補助者 委託料"])  # fmt: skip
            w.writerow([ward.key, period, fy, "", "network_lines", yen(nc.lines / 12), CARRIER,
                        "ガバメントクラウド接続回線（閉域網）月額"])  # fmt: skip
        for fy in (2024, 2025):
            growth = 1.0 if fy == 2024 else 1.03
            for system, weight in weights.items():
                amount = yen(nc.maintenance * weight / wsum * growth)
                note = "パッケージ保守・法改正対応（年額）"
                w.writerow([ward.key, "", fy, system, "software_maintenance", amount, vendor, note])
            amount = yen(nc.operation * growth)
            w.writerow([ward.key, "", fy, "", "system_operation", amount, vendor,
                        "システム運用作業（年額）"])  # fmt: skip
        # the old platform ran in parallel in the first half (上期, April–September 2024) only:
        # six monthly rows, so the report puts the cost in those months (the sixth takes the
        # rounding remainder and the half-year total stays exact)
        for item, share, note in (
            ("hardware_lease", 0.7, "移行前の庁内サーバ 賃借料（上期のみ、二重稼働）"),
            ("datacenter", 0.3, "移行前のデータセンター利用料（上期のみ）"),
        ):
            total = int(yen(nc.legacy * share))
            monthly = total // 6
            for i, month in enumerate(("04", "05", "06", "07", "08", "09")):
                amount = monthly if i < 5 else total - monthly * 5
                w.writerow([ward.key, f"2024-{month}", 2024, "", item, amount, LEGACY, note])
    write_text(out / "noncloud_costs.csv", buf.getvalue())


# --- the wards' own plan (issue #13): pre-migration base and FY2025 budget --------------------
# The last full fiscal year on the old systems (FY2023), whole ward, split like the FY2018 base.
PRE_MIGRATION_TOTAL = {"chiyoda": 200_000_000, "setagaya": 700_000_000, "edogawa": 560_000_000}
CLOUD_BUDGET = {"chiyoda": 14_000_000, "setagaya": 30_000_000, "edogawa": 20_000_000}


def write_plan_inputs(out: Path) -> None:
    """baseline_pre_migration.csv (base = pre_migration) and budget_fy2025.csv (当初 decided
    2025-03-25 from the FY2024 level +3 %; a 補正 and a 流用 for the cloud later in the year)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        ["ward", "fiscal_year", "business_system", "cost_item", "amount_jpy", "basis", "base"]
    )
    for ward in WARDS:
        for item, share in SHARES_A.items():
            amount = yen(PRE_MIGRATION_TOTAL[ward.key] * share)
            w.writerow([ward.key, 2023, "", item, amount, "決算", "pre_migration"])
    write_text(out / "baseline_pre_migration.csv", buf.getvalue())
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        ["ward", "fiscal_year", "business_system", "cost_item", "amount_jpy", "kind", "date"]
    )
    for ward in WARDS:
        nc, day = NONCLOUD[ward.key], "2025-03-25"
        for item, amount in (
            ("software_lease", nc.asp * 1.03),
            ("other_outsourcing", nc.operator),
            ("network_lines", nc.lines),
            ("software_maintenance", nc.maintenance * 1.03),
            ("system_operation", nc.operation * 1.03),
            ("cloud_usage", CLOUD_BUDGET[ward.key]),
        ):
            w.writerow([ward.key, 2025, "", item, yen(amount), "当初", day])
    w.writerow(["setagaya", 2025, "", "cloud_usage", 2_000_000, "補正", "2025-09-26"])
    w.writerow(["edogawa", 2025, "", "cloud_usage", 1_000_000, "流用", "2025-12-15"])
    w.writerow(["edogawa", 2025, "", "system_operation", -1_000_000, "流用", "2025-12-15"])
    write_text(out / "budget_fy2025.csv", buf.getvalue())


# --- expected findings ---------------------------------------------------------------------
@dataclass(frozen=True)
class Listed:
    """A resource named in expected_findings.json."""

    id: str
    ward: Ward
    account: Account
    name: str
    kind: str


def _inventory() -> dict[str, Listed]:
    """Every resource of the sample by CUR resource id."""
    out: dict[str, Listed] = {}
    for w in WARDS:
        items: list[tuple[str, Account, str, str]] = [
            *((i.id, i.account, i.key, f"ec2 {i.itype}") for i in w.instances),
            *((v.id, v.account, v.key, f"ebs {v.vtype} {v.size_gb} GB") for v in w.volumes),
            *(
                (s.id, s.account, s.key, f"snapshot {s.size_gb} GB, created {s.created}")
                for s in w.snapshots
            ),
            *((b.id, b.account, b.id, "s3 bucket") for b in w.buckets),
            *((e.id, e.account, e.key, "elastic ip") for e in w.eips),
            *((d.id, d.account, d.key, f"rds {d.dbclass}") for d in w.databases),
        ]
        for rid, account, name, kind in items:
            out[rid] = Listed(rid, w, account, name, kind)
    return out


class Rule(TypedDict):
    """One rule's expectations."""

    pattern: str
    description: str
    fire: list[str]
    clean: list[str]


def _rules() -> dict[str, Rule]:
    insts = [i for w in WARDS for i in w.instances]
    vols = [v for w in WARDS for v in w.volumes]
    snaps = [s for w in WARDS for s in w.snapshots]
    buckets = [b for w in WARDS for b in w.buckets]
    eips = [e for w in WARDS for e in w.eips]
    nonprod = [i for i in insts if i.account.env != "prod"]
    prod = [i for i in insts if i.account.env == "prod"]
    setagaya = {a.id for a in WARDS[1].accounts}
    year_ago = date(2025, 3, 31)

    def ids(items: Iterable[Resource]) -> list[str]:
        return sorted(x.id for x in items)

    def rule(pattern: str, description: str, fire: list[str], clean: list[str]) -> Rule:
        return {"pattern": pattern, "description": description, "fire": fire, "clean": clean}

    return {
        "nonprod_always_on": rule(
            "a",
            "Non-prod EC2 (dev/stg accounts; tags dev/test/stg/検証) running 24x7 incl. nights "
            "and weekends (edogawa-loadtest-*: since 2026-03-09). The workhours-scheduled "
            "non-prod instances and the prod instances must not fire.",
            ids(i for i in nonprod if i.schedule in ("always", "runaway")),
            ids([*(i for i in nonprod if i.schedule == "workhours"), *prod]),
        ),
        "ebs_gp2_volume": rule(
            "c",
            "EBS volumes on gp2 (APN1-EBS:VolumeUsage.gp2, product.volume_api_name gp2); "
            "gp3 volumes must not fire.",
            ids(v for v in vols if v.vtype == "gp2"),
            ids(v for v in vols if v.vtype == "gp3"),
        ),
        "s3_standard_cold_bucket": rule(
            "d",
            "Large S3 Standard bucket (tens of TB) with almost no requests; the busy buckets "
            "(millions of requests a day) must not fire.",
            ids(b for b in buckets if b.tier2_per_day < 100),
            ids(b for b in buckets if b.tier2_per_day >= 100),
        ),
        "idle_elastic_ip": rule(
            "e",
            "Elastic IP billed as APN1-ElasticIP:IdleAddress every hour of the month.",
            ids(eips),
            [],
        ),
        "ec2_rightsizing_low_cpu": rule(
            "f",
            "Prod instance whose hourly CPUUtilization p95 is < 15 % over the 30 days in "
            "metrics/cloudwatch; the right-sized ones (p95 55-70 %) must not fire.",
            ids(i for i in prod if i.cpu == "low"),
            ids(i for i in prod if i.cpu == "rightsized"),
        ),
        "commitment_coverage_gap": rule(
            "g",
            "Steady 24x7 prod on-demand EC2 without Savings Plan coverage (千代田区, 江戸川区); "
            "世田谷区's Savings Plan-covered instances must not fire.",
            ids(
                i
                for i in prod
                if i.schedule == "always" and i.sp is None and i.account.id not in setagaya
            ),
            ids(i for i in prod if i.sp is not None),
        ),
        "old_ebs_snapshot": rule(
            "h",
            "EBS snapshot older than one year at the end of 2026-03 (billed since the first "
            "period); the recent snapshots must not fire.",
            ids(s for s in snaps if s.created < year_ago),
            ids(s for s in snaps if s.created >= year_ago),
        ),
        "untagged_cost": rule(
            "i",
            "Usage with resource_tags {} (attributable to the ward only through gcfinops.toml's "
            "account map); tagged resources must not fire.",
            ids([*(x for x in [*insts, *vols] if x.tags is None), *eips]),
            ids(x for x in [*insts, *vols, *buckets, *snaps] if x.tags is not None),
        ),
    }


def expected_findings() -> dict[str, object]:
    """Rule id → resource ids that must fire and must not; plus the cost-jump gate."""
    rules = _rules()
    inventory = _inventory()
    listed = sorted({r for x in rules.values() for k in ("fire", "clean") for r in x[k]})
    return {
        "about": (
            "Planted patterns of the sample data. 'fire': resource ids (line_item_resource_id) "
            "the rule must report; 'clean': resource ids it must not report; resources in "
            "neither list are not asserted. 'resources' names every listed id. Rule ids are "
            "descriptive; see sample_billing/README.md."
        ),
        "rules": rules,
        "inspection": inspection_expected(),
        "cost_jump": {
            "description": "Ward total of line_item_unblended_cost (all line types), 2026-03 "
            "versus 2026-02.",
            "fire": [
                {
                    "ward": "edogawa",
                    "code": "131237",
                    "month": "2026-03",
                    "previous": "2026-02",
                    "min_ratio": 1.4,
                }
            ],
            "clean": [
                {
                    "ward": w.key,
                    "code": w.code,
                    "month": "2026-03",
                    "previous": "2026-02",
                    "max_ratio": 1.2,
                }
                for w in WARDS
                if w.key != "edogawa"
            ],
        },
        "resources": {
            rid: {
                "ward": inventory[rid].ward.key,
                "account_id": inventory[rid].account.id,
                "name": inventory[rid].name,
                "kind": inventory[rid].kind,
            }
            for rid in listed
        },
    }


def _service_name(row: list[str]) -> str:
    """ServiceName as the AWS adapter maps it: product_name, else servicecode, else code."""
    product = json.loads(row[IDX["product"]] or "{}")
    return (
        product.get("product_name")
        or row[IDX["product_servicecode"]]
        or row[IDX["line_item_product_code"]]
    )


def vendor_report() -> str:
    """vendor_report.csv: what the operation-support contractor reports per month and service."""
    ward = next(w for w in WARDS if w.key == VENDOR_WARD)
    out = ["month,ward,provider,service,amount,currency,note"]
    for period in VENDOR_MONTHS:
        totals: dict[str, float] = {}
        for row in csv.reader(build_month(ward, period).lines):  # negations cancel covered
            name = _service_name(row)
            totals[name] = totals.get(name, 0.0) + float(row[I_COST] or 0)
        for name, total in sorted(totals.items()):
            wrong = (period, name) == VENDOR_WRONG[:2]
            value = total + (VENDOR_WRONG[2] if wrong else 0.0)
            note = "運用管理補助者 月次報告" + (" (誤記あり)" if wrong else "")
            out.append(f'{period},{ward.code},AWS,{name},"{value:,.2f}",USD,{note}')
    return "\n".join(out) + "\n"


def inspection_expected() -> dict[str, object]:
    """Where `gcfinops inspect` must find the planted line and the wrong vendor figure."""
    ward_key, period, name = MISPRICED
    ward = next(w for w in WARDS if w.key == ward_key)
    inst = next(i for i in ward.instances if i.key == name)
    rate = ec2_rate(inst.itype, inst.os)
    month = build_month(ward, period)
    return {
        "mispriced": {
            "ward": ward.code,
            "month": period,
            "provider": "AWS",
            "source_file": f"aws/{ward.export}/data/BILLING_PERIOD={period}/"
            f"{ward.export}-00001.csv.gz",
            "source_row": month.planted_row,
            "resource_id": inst.id,
            "billed": r10(rate + MISPRICED_EXTRA),
            "recomputed": rate,
        },
        "vendor_report": {
            "file": "vendor_report.csv",
            "month": VENDOR_WRONG[0],
            "service": VENDOR_WRONG[1],
            "difference": VENDOR_WRONG[2],
        },
    }


def write_expected(out: Path) -> None:
    """expected_findings.json."""
    text = json.dumps(expected_findings(), ensure_ascii=False, indent=2, sort_keys=True)
    write_text(out / "expected_findings.json", text + "\n")


# --- main ----------------------------------------------------------------------------------
def check_metrics() -> None:
    """The planted CPU levels hold: oversized p95 < 15 %, right-sized p95 in 55–70 %."""
    for inst in metric_instances():
        value = p95(cpu_series(inst)[0])
        if inst.cpu == "low":
            assert value < 15.0, (inst.key, value)
        else:
            assert 55.0 <= value <= 70.0, (inst.key, value)


def generate(out: Path, months: Sequence[str] = PERIODS) -> dict[str, int]:
    """Write everything; CUR exports only for the given months. Returns rows per export file."""
    check_metrics()
    rows: dict[str, int] = {}
    for ward in WARDS:
        for period in months:
            rows[f"{ward.export}/{period}"] = write_export(out, ward, period)
    write_metrics(out)
    write_fx(out)
    write_config(out)
    write_baseline(out)
    write_noncloud(out)
    write_plan_inputs(out)
    write_expected(out)
    write_text(out / "vendor_report.csv", vendor_report())
    return rows


def _months(value: str) -> list[str]:
    months = [v.strip() for v in value.split(",") if v.strip()]
    for month in months:
        if month not in PERIODS:
            raise argparse.ArgumentTypeError(f"{month!r} is not one of {PERIODS[0]}..{LATEST}")
    return months


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: here)")
    parser.add_argument(
        "--months",
        type=_months,
        default=list(PERIODS),
        help="comma-separated billing periods to export (default: all 24)",
    )
    args = parser.parse_args(argv)
    rows = generate(args.out, args.months)
    print(f"wrote {len(rows)} export files, {sum(rows.values())} CUR rows, to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
