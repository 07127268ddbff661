"""The committed sample billing data (sample_billing/): reproducible, well-formed, and carrying
the planted patterns that sample_billing/expected_findings.json promises."""

from __future__ import annotations

import csv
import gzip
import io
import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import holidays
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_billing"
AWS = SAMPLE / "aws"
WARDS = {"chiyoda": "131016", "setagaya": "131121", "edogawa": "131237"}
PERIODS = [f"{2024 + (i + 3) // 12}-{(i + 3) % 12 + 1:02d}" for i in range(24)]
GENERATED = (  # what generate.py writes besides the CUR exports
    "baseline_fy2018.csv",
    "baseline_pre_migration.csv",
    "budget_fy2025.csv",
    "expected_findings.json",
    "fx_rates.csv",
    "gcfinops.toml",
    "noncloud_costs.csv",
    "vendor_report.csv",
    "metrics",
)


def names(text: str) -> frozenset[str]:
    """Whitespace-separated names."""
    return frozenset(text.split())


# The 125 CUR 2.0 columns (shared/reference/formats.md §2.3, the standard full selection).
CUR2_COLUMNS = names(
    """
    bill_bill_type bill_billing_entity bill_billing_period_end_date bill_billing_period_start_date
    bill_invoice_id bill_invoicing_entity bill_payer_account_id bill_payer_account_name
    cost_category discount discount_bundled_discount discount_total_discount
    identity_line_item_id identity_time_interval
    line_item_availability_zone line_item_blended_cost line_item_blended_rate
    line_item_currency_code line_item_legal_entity line_item_line_item_description
    line_item_line_item_type line_item_net_unblended_cost line_item_net_unblended_rate
    line_item_normalization_factor line_item_normalized_usage_amount line_item_operation
    line_item_product_code line_item_resource_id line_item_tax_type line_item_unblended_cost
    line_item_unblended_rate line_item_usage_account_id line_item_usage_account_name
    line_item_usage_amount line_item_usage_end_date line_item_usage_start_date
    line_item_usage_type
    pricing_currency pricing_lease_contract_length pricing_offering_class
    pricing_public_on_demand_cost pricing_public_on_demand_rate pricing_purchase_option
    pricing_rate_code pricing_rate_id pricing_term pricing_unit
    product product_comment product_fee_code product_fee_description product_from_location
    product_from_location_type product_from_region_code product_instance_family
    product_instance_type product_instancesku product_location product_location_type
    product_operation product_pricing_unit product_product_family product_region_code
    product_servicecode product_sku product_to_location product_to_location_type
    product_to_region_code product_usagetype
    reservation_amortized_upfront_cost_for_usage
    reservation_amortized_upfront_fee_for_billing_period reservation_availability_zone
    reservation_effective_cost reservation_end_time reservation_modification_status
    reservation_net_amortized_upfront_cost_for_usage
    reservation_net_amortized_upfront_fee_for_billing_period reservation_net_effective_cost
    reservation_net_recurring_fee_for_usage
    reservation_net_unused_amortized_upfront_fee_for_billing_period
    reservation_net_unused_recurring_fee reservation_net_upfront_value
    reservation_normalized_units_per_reservation reservation_number_of_reservations
    reservation_recurring_fee_for_usage reservation_reservation_a_r_n reservation_start_time
    reservation_subscription_id reservation_total_reserved_normalized_units
    reservation_total_reserved_units reservation_units_per_reservation
    reservation_unused_amortized_upfront_fee_for_billing_period
    reservation_unused_normalized_unit_quantity reservation_unused_quantity
    reservation_unused_recurring_fee reservation_upfront_value
    resource_tags
    savings_plan_amortized_upfront_commitment_for_billing_period savings_plan_end_time
    savings_plan_instance_type_family
    savings_plan_net_amortized_upfront_commitment_for_billing_period
    savings_plan_net_recurring_commitment_for_billing_period
    savings_plan_net_savings_plan_effective_cost savings_plan_offering_type
    savings_plan_payment_option savings_plan_purchase_term
    savings_plan_recurring_commitment_for_billing_period savings_plan_region
    savings_plan_savings_plan_a_r_n savings_plan_savings_plan_effective_cost
    savings_plan_savings_plan_rate savings_plan_start_time savings_plan_total_commitment_to_date
    savings_plan_used_commitment
    split_line_item_actual_usage split_line_item_net_split_cost split_line_item_net_unused_cost
    split_line_item_parent_resource_id split_line_item_public_on_demand_split_cost
    split_line_item_public_on_demand_unused_cost split_line_item_reserved_usage
    split_line_item_split_cost split_line_item_split_usage split_line_item_split_usage_ratio
    split_line_item_unused_cost
    """
)
# Columns the sample promises to carry.
REQUIRED = names(
    """
    bill_bill_type bill_billing_entity bill_billing_period_start_date bill_billing_period_end_date
    bill_invoice_id bill_invoicing_entity bill_payer_account_id bill_payer_account_name
    identity_line_item_id identity_time_interval line_item_availability_zone
    line_item_currency_code line_item_legal_entity line_item_line_item_description
    line_item_line_item_type line_item_net_unblended_cost line_item_operation
    line_item_product_code line_item_resource_id line_item_tax_type line_item_unblended_cost
    line_item_unblended_rate line_item_usage_account_id line_item_usage_account_name
    line_item_usage_amount line_item_usage_start_date line_item_usage_end_date
    line_item_usage_type pricing_currency pricing_public_on_demand_cost
    pricing_public_on_demand_rate pricing_rate_code pricing_term pricing_unit
    pricing_purchase_option product product_instance_type product_location
    product_product_family product_region_code product_servicecode product_sku resource_tags
    cost_category savings_plan_savings_plan_a_r_n savings_plan_savings_plan_effective_cost
    savings_plan_net_savings_plan_effective_cost savings_plan_savings_plan_rate
    savings_plan_total_commitment_to_date savings_plan_used_commitment
    savings_plan_recurring_commitment_for_billing_period
    savings_plan_amortized_upfront_commitment_for_billing_period reservation_reservation_a_r_n
    reservation_effective_cost reservation_unused_amortized_upfront_fee_for_billing_period
    reservation_unused_recurring_fee
    """
)


def data_files() -> list[Path]:
    """Every committed CUR data file."""
    return sorted(AWS.glob("*/data/BILLING_PERIOD=*/*.csv.gz"))


def manifests() -> list[Path]:
    """Every committed Data Exports manifest."""
    return sorted(AWS.glob("*/metadata/BILLING_PERIOD=*/*-Manifest.json"))


def header(path: Path) -> list[str]:
    """First line of a gzip CSV."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        return next(csv.reader(f))


def files_under(root: Path) -> Iterator[Path]:
    """The generated files under root (relative), CUR exports included."""
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if p.is_file() and (rel.parts[0] == "aws" or rel.parts[0] in GENERATED):
            yield rel


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """DuckDB table of all committed CUR lines (text columns; ward from the export name)."""
    c = duckdb.connect()
    glob = (AWS / "*" / "data" / "*" / "*.csv.gz").as_posix()
    c.execute(
        f"""
        CREATE TABLE cur AS
        SELECT regexp_extract(filename, 'gcf-([a-z]+)-cur2', 1) AS ward, *
        FROM read_csv('{glob}', header = true, all_varchar = true, quote = '"', escape = '"',
                      hive_partitioning = true, filename = true)
        """
    )
    c.execute("CREATE MACRO d(x) AS CAST(x AS DOUBLE)")
    yield c
    c.close()


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    """expected_findings.json."""
    doc: dict[str, Any] = json.loads((SAMPLE / "expected_findings.json").read_text("utf-8"))
    return doc


# --- reproducibility -------------------------------------------------------------------------
def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    """A fresh run writes the same files: CSV content always, gzip bytes where zlib agrees."""
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, str(SAMPLE / "generate.py"), "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    committed, fresh = list(files_under(SAMPLE)), list(files_under(out))
    assert fresh == committed
    for rel in committed:
        old, new = (SAMPLE / rel).read_bytes(), (out / rel).read_bytes()
        if rel.suffix == ".gz":
            assert gzip.decompress(new) == gzip.decompress(old), rel
            # gzip bytes also depend on this machine's zlib; compare them when it is the same
            content = gzip.decompress(old)
            buf = io.BytesIO()
            with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as f:
                f.write(content)
            if buf.getvalue() == old:
                assert new == old, rel
        else:
            assert new == old, rel


def test_months_flag_writes_only_those_periods(tmp_path: Path) -> None:
    """--months limits the exports; the files written equal the committed ones."""
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, str(SAMPLE / "generate.py"), "--out", str(out), "--months", "2026-03"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    written = [p for p in files_under(out) if p.parts[0] == "aws"]
    assert len(written) == 2 * len(WARDS)
    assert all("BILLING_PERIOD=2026-03" in p.as_posix() for p in written)
    for rel in written:
        new, old = (out / rel).read_bytes(), (SAMPLE / rel).read_bytes()
        if rel.suffix == ".gz":
            assert gzip.decompress(new) == gzip.decompress(old), rel
        else:
            assert new == old, rel


# --- layout, header, manifests ---------------------------------------------------------------
def test_layout_is_one_export_per_ward_and_period() -> None:
    """aws/<export>/data/BILLING_PERIOD=YYYY-MM/<export>-00001.csv.gz for 24 periods."""
    for ward in WARDS:
        export = f"gcf-{ward}-cur2-hourly"
        for period in PERIODS:
            part = AWS / export / "data" / f"BILLING_PERIOD={period}"
            assert [p.name for p in part.iterdir()] == [f"{export}-00001.csv.gz"]
            meta = AWS / export / "metadata" / f"BILLING_PERIOD={period}"
            assert [p.name for p in meta.iterdir()] == [f"{export}-Manifest.json"]
    assert len(data_files()) == len(WARDS) * len(PERIODS)


def test_headers_are_cur2_column_names() -> None:
    """Every header is a selection of real CUR 2.0 columns, 45–60 of them, incl. the promised."""
    first = header(data_files()[0])
    assert 45 <= len(first) <= 60
    assert len(set(first)) == len(first)
    assert set(first) <= CUR2_COLUMNS, set(first) - CUR2_COLUMNS
    assert set(first) >= REQUIRED, REQUIRED - set(first)
    for path in data_files():
        assert header(path) == first, path


def test_manifests_list_existing_files_and_the_header() -> None:
    """Each manifest's dataFiles exist locally (s3://<bucket>/cur2/ → aws/) with its columns."""
    assert len(manifests()) == len(WARDS) * len(PERIODS)
    for path in manifests():
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert {"columns", "dataFiles", "executionId", "exportArn"} <= set(doc)
        assert doc["exportArn"].startswith("arn:aws:bcm-data-exports:us-east-1:")
        assert doc["dataFiles"], path
        for uri in doc["dataFiles"]:
            assert uri.startswith("s3://")
            key = uri.split("/", 3)[3]
            assert key.startswith("cur2/")
            local = AWS / key.removeprefix("cur2/")
            assert local.is_file(), uri
            assert local.parent.name == path.parent.name  # same BILLING_PERIOD partition
            assert [c["name"] for c in doc["columns"]] == header(local)
        assert {c["type"] for c in doc["columns"]} <= {"string", "double", "timestamp", "map"}


def test_values_have_cur2_csv_shapes(con: duckdb.DuckDBPyConnection) -> None:
    """Timestamps, intervals, region, currency, map columns and unique line ids."""
    bad = con.execute(
        r"""
        SELECT count(*) FILTER (WHERE NOT regexp_full_match(line_item_usage_start_date,
                   '\d{4}-\d\d-\d\dT\d\d:00:00\.000Z')),
               count(*) FILTER (WHERE NOT regexp_full_match(identity_time_interval,
                   '\d{4}-\d\d-\d\dT\d\d:00:00Z/\d{4}-\d\d-\d\dT\d\d:00:00Z')),
               count(*) FILTER (WHERE line_item_currency_code <> 'USD'),
               count(*) FILTER (WHERE NOT json_valid(product) OR NOT json_valid(resource_tags)
                                   OR NOT json_valid(cost_category)),
               count(*) FILTER (WHERE strftime(CAST(line_item_usage_start_date AS TIMESTAMP),
                                               '%Y-%m') <> "BILLING_PERIOD"),
               count(*) FILTER (WHERE product_region_code IS NOT NULL
                                  AND product_region_code <> 'ap-northeast-1'),
               count(*) FILTER (WHERE line_item_usage_type NOT LIKE 'APN1-%'
                                  AND line_item_line_item_type LIKE 'Usage'),
               count(*) - count(DISTINCT "BILLING_PERIOD" || ward || identity_line_item_id)
        FROM cur
        """
    ).fetchone()
    assert bad == (0,) * 8


# --- costs -----------------------------------------------------------------------------------
def test_savings_plan_negation_cancels_covered_usage(con: duckdb.DuckDBPyConnection) -> None:
    """Per period and resource, SavingsPlanNegation sums to minus SavingsPlanCoveredUsage."""
    rows = con.execute(
        """
        SELECT ward, "BILLING_PERIOD", line_item_resource_id,
               sum(d(line_item_unblended_cost)) FILTER (
                   WHERE line_item_line_item_type = 'SavingsPlanCoveredUsage') AS covered,
               sum(d(line_item_unblended_cost)) FILTER (
                   WHERE line_item_line_item_type = 'SavingsPlanNegation') AS negation,
               count(*) FILTER (WHERE line_item_line_item_type = 'SavingsPlanCoveredUsage') AS n1,
               count(*) FILTER (WHERE line_item_line_item_type = 'SavingsPlanNegation') AS n2
        FROM cur
        WHERE line_item_line_item_type IN ('SavingsPlanCoveredUsage', 'SavingsPlanNegation')
        GROUP BY ALL
        """
    ).fetchall()
    assert rows, "the sample must contain Savings Plan coverage"
    assert {r[0] for r in rows} == {"setagaya"}
    for ward, period, rid, covered, negation, n1, n2 in rows:
        assert n1 == n2 and covered > 0, (ward, period, rid)
        assert covered + negation == pytest.approx(0.0, abs=1e-6), (ward, period, rid)


def test_savings_plan_fee_matches_its_usage(con: duckdb.DuckDBPyConnection) -> None:
    """Each month's used commitment equals the covered lines' effective cost, within the fee."""
    rows = con.execute(
        """
        WITH eff AS (
            SELECT "BILLING_PERIOD" AS p, savings_plan_savings_plan_a_r_n AS arn,
                   sum(d(savings_plan_savings_plan_effective_cost)) AS effective
            FROM cur WHERE line_item_line_item_type = 'SavingsPlanCoveredUsage' GROUP BY ALL),
        fee AS (
            SELECT "BILLING_PERIOD" AS p, line_item_resource_id AS arn,
                   d(line_item_unblended_cost) AS fee, d(savings_plan_used_commitment) AS used,
                   d(savings_plan_total_commitment_to_date) AS total
            FROM cur WHERE line_item_line_item_type = 'SavingsPlanRecurringFee')
        SELECT p, arn, effective, fee, used, total FROM fee LEFT JOIN eff USING (p, arn)
        """
    ).fetchall()
    assert len(rows) == 24 + 6  # 3-year plan all along, 1-year plan from 2025-10
    for p, arn, effective, fee, used, total in rows:
        assert used == pytest.approx(effective, abs=1e-4), (p, arn)
        assert 0.9 * total <= used <= total == fee, (p, arn)


def test_consumption_tax_is_ten_percent(con: duckdb.DuckDBPyConnection) -> None:
    """One Tax line per account and product code, 10 % of the other lines (rounded to cents)."""
    worst = con.execute(
        """
        SELECT max(abs(tax - round(base * 0.10, 2))), count(*), count(tax)
        FROM (SELECT sum(d(line_item_unblended_cost)) FILTER (
                         WHERE line_item_line_item_type <> 'Tax') AS base,
                     sum(d(line_item_unblended_cost)) FILTER (
                         WHERE line_item_line_item_type = 'Tax') AS tax
              FROM cur GROUP BY ward, "BILLING_PERIOD", line_item_usage_account_id,
                                line_item_product_code)
        """
    ).fetchone()
    assert worst is not None
    assert worst[0] < 0.006 and worst[1] == worst[2]


def monthly_totals(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], float]:
    """(ward, period) → sum of line_item_unblended_cost over every line type."""
    rows = con.execute(
        'SELECT ward, "BILLING_PERIOD", sum(d(line_item_unblended_cost)) FROM cur GROUP BY ALL'
    ).fetchall()
    return {(w, p): t for w, p, t in rows}


def test_cost_jump_in_edogawa_march_2026(con: duckdb.DuckDBPyConnection) -> None:
    """江戸川区 2026-03 ≥ 1.4 × 2026-02; the other wards move only a little."""
    totals = monthly_totals(con)
    assert totals[("edogawa", "2026-03")] >= 1.4 * totals[("edogawa", "2026-02")]
    for ward in ("chiyoda", "setagaya"):
        assert totals[(ward, "2026-03")] <= 1.2 * totals[(ward, "2026-02")]
    for (ward, period), total in totals.items():
        i = PERIODS.index(period)
        if i and (ward, period) != ("edogawa", "2026-03"):
            ratio = total / totals[(ward, PERIODS[i - 1])]
            assert 0.85 <= ratio <= 1.15, (ward, period, ratio)


def test_magnitudes_and_year_on_year_growth(con: duckdb.DuckDBPyConnection) -> None:
    """Ward bills of roughly 7–25 k USD a month, a little higher in FY2025 than in FY2024."""
    totals = monthly_totals(con)
    for (ward, period), total in totals.items():
        assert 6_500 <= total <= 25_000, (ward, period, total)
    for ward in WARDS:
        fy24 = sum(totals[(ward, p)] for p in PERIODS[:12])
        fy25 = sum(totals[(ward, p)] for p in PERIODS[12:])
        assert 1.01 <= fy25 / fy24 <= 1.2, ward


# --- planted patterns ------------------------------------------------------------------------
def test_expected_findings_name_resources_of_the_data(
    con: duckdb.DuckDBPyConnection, expected: dict[str, Any]
) -> None:
    """Every fire/clean id is a resource in the CUR of its ward; no id is both."""
    present = {
        (w, r)
        for w, r in con.execute(
            "SELECT DISTINCT ward, line_item_resource_id FROM cur "
            "WHERE line_item_resource_id IS NOT NULL"
        ).fetchall()
    }
    resources = expected["resources"]
    for rule_id, rule in expected["rules"].items():
        assert rule["fire"], rule_id
        assert not set(rule["fire"]) & set(rule["clean"]), rule_id
        for rid in rule["fire"] + rule["clean"]:
            assert (resources[rid]["ward"], rid) in present, (rule_id, rid)
    assert set(resources) == {
        r for rule in expected["rules"].values() for r in rule["fire"] + rule["clean"]
    }


def test_untagged_cost_is_mapped_by_account(
    con: duckdb.DuckDBPyConnection, expected: dict[str, Any]
) -> None:
    """Untagged resources carry resource_tags {}, and gcfinops.toml maps every usage account."""
    config = tomllib.loads((SAMPLE / "gcfinops.toml").read_text(encoding="utf-8"))
    accounts = config["allocation"]["accounts"]
    for ward, account in con.execute(
        "SELECT DISTINCT ward, line_item_usage_account_id FROM cur"
    ).fetchall():
        assert accounts[account]["ward"] == ward
    payers = con.execute("SELECT DISTINCT bill_payer_account_id FROM cur").fetchall()
    assert {p for (p,) in payers} <= set(accounts)
    fire = expected["rules"]["untagged_cost"]["fire"]
    tags = dict(
        con.execute(
            "SELECT line_item_resource_id, string_agg(DISTINCT resource_tags) FROM cur "
            "WHERE line_item_line_item_type = 'Usage' GROUP BY 1"
        ).fetchall()
    )
    assert all(tags[rid] == "{}" for rid in fire)
    untagged = con.execute(
        "SELECT DISTINCT ward FROM cur WHERE resource_tags = '{}' "
        "AND line_item_line_item_type = 'Usage'"
    ).fetchall()
    assert {w for (w,) in untagged} == set(WARDS)


def test_tags_are_spelled_in_varied_ways(con: duckdb.DuckDBPyConnection) -> None:
    """user_ward uses code, kanji, romaji and capitalised romaji; ≥ 4 業務 per ward."""
    rows = con.execute(
        """
        SELECT ward, list(DISTINCT json_extract_string(resource_tags, '$.user_ward')),
               list(DISTINCT json_extract_string(resource_tags, '$.user_env')),
               count(DISTINCT json_extract_string(resource_tags, '$.user_system'))
        FROM cur WHERE resource_tags <> '{}' GROUP BY ward
        """
    ).fetchall()
    kanji = {"chiyoda": "千代田区", "setagaya": "世田谷区", "edogawa": "江戸川区"}
    envs: set[str] = set()
    for ward, spellings, env, systems in rows:
        assert set(spellings) == {WARDS[ward], kanji[ward], ward, ward.capitalize()}
        assert systems >= 4
        envs |= set(env)
    assert envs == {"prod", "production", "本番", "dev", "検証", "test", "stg"}


def _working_hour(ts: str, jp: holidays.HolidayBase) -> bool:
    local = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.000Z") + timedelta(hours=9)
    d = local.date()
    closure = (d.month, d.day) >= (12, 29) or (d.month, d.day) <= (1, 3)
    return d.weekday() < 5 and d not in jp and not closure and 8 <= local.hour < 20


def test_nonprod_schedules(con: duckdb.DuckDBPyConnection, expected: dict[str, Any]) -> None:
    """Scheduled non-prod runs only on JP working days 08–20 JST; the always-on ones do not."""
    rule = expected["rules"]["nonprod_always_on"]
    resources = expected["resources"]
    names = {rid: resources[rid]["name"] for rid in rule["fire"] + rule["clean"]}
    config = tomllib.loads((SAMPLE / "gcfinops.toml").read_text(encoding="utf-8"))
    env = {a: v.get("environment") for a, v in config["allocation"]["accounts"].items()}
    jp = holidays.country_holidays("JP", years=range(2024, 2027))
    hours = con.execute(
        """
        SELECT line_item_resource_id, list(line_item_usage_start_date)
        FROM cur WHERE line_item_usage_type LIKE 'APN1-BoxUsage:%'
                   AND line_item_line_item_type <> 'SavingsPlanNegation'
        GROUP BY 1
        """
    ).fetchall()
    starts = dict(hours)
    scheduled = [rid for rid in rule["clean"] if env[resources[rid]["account_id"]] != "prod"]
    assert len(scheduled) == len(WARDS)
    for rid in scheduled:
        assert all(_working_hour(ts, jp) for ts in starts[rid]), names[rid]
        assert len(starts[rid]) > 24 * 12 * 20  # about 12 h × 240 working days a year
    for rid in rule["fire"]:
        off = [ts for ts in starts[rid] if not _working_hour(ts, jp)]
        assert len(off) > 0.6 * len(starts[rid]), names[rid]


def test_cloudwatch_metrics_match_the_rightsizing_pattern(expected: dict[str, Any]) -> None:
    """get-metric-statistics JSON: 720 hourly points of 2026-03; p95 < 15 % vs 55–70 %."""
    rule = expected["rules"]["ec2_rightsizing_low_cpu"]
    for rid in rule["fire"] + rule["clean"]:
        doc = json.loads((SAMPLE / "metrics" / "cloudwatch" / f"{rid}.json").read_text())
        assert doc["Label"] == "CPUUtilization"
        points = doc["Datapoints"]
        assert len(points) == 720
        stamps = sorted(p["Timestamp"] for p in points)
        assert stamps[0] == "2026-03-02T00:00:00Z" and stamps[-1] == "2026-03-31T23:00:00Z"
        assert all(p["Unit"] == "Percent" and p["Maximum"] >= p["Average"] for p in points)
        avg = sorted(p["Average"] for p in points)
        p95 = avg[int(0.95 * (len(avg) - 1))]
        assert (p95 < 15.0) if rid in rule["fire"] else (55.0 <= p95 <= 70.0), rid
    with (SAMPLE / "metrics" / "metrics.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["resource_id", "timestamp", "metric", "value"]
    assert {r["metric"] for r in rows} == {"CPUUtilization", "mem_used_percent"}
    assert {r["resource_id"] for r in rows} <= set(rule["fire"] + rule["clean"])


def test_old_snapshots_are_billed_since_the_first_period(
    con: duckdb.DuckDBPyConnection, expected: dict[str, Any]
) -> None:
    """The snapshots that must fire appear from 2024-04; the clean ones only in the last year."""
    rule = expected["rules"]["old_ebs_snapshot"]
    first = dict(
        con.execute(
            'SELECT line_item_resource_id, min("BILLING_PERIOD") FROM cur '
            "WHERE line_item_usage_type = 'APN1-EBS:SnapshotUsage' GROUP BY 1"
        ).fetchall()
    )
    assert all(first[rid] == "2024-04" for rid in rule["fire"])
    assert all(first[rid] >= "2025-04" for rid in rule["clean"])


# --- the small files -------------------------------------------------------------------------
def test_fx_rates() -> None:
    """A USD rate for every month, 140–160 yen, March 2026 different from February."""
    with (SAMPLE / "fx_rates.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["month", "currency", "rate_jpy", "source"]
    assert [r["month"] for r in rows] == PERIODS
    assert {r["currency"] for r in rows} == {"USD"}
    rates = {r["month"]: float(r["rate_jpy"]) for r in rows}
    assert all(140 <= v <= 160 for v in rates.values())
    assert rates["2026-03"] != rates["2026-02"]
    assert all("illustrative" in r["source"] for r in rows)


COST_ITEMS = {
    "system_operation", "hardware_maintenance_work", "other_outsourcing", "hardware_lease",
    "hardware_maintenance", "software_lease", "software_maintenance", "datacenter",
    "network_lines", "cloud_usage",
}  # fmt: skip


def test_baseline_and_noncloud_costs() -> None:
    """Headers, vocabularies and the 1.3–2.5 × ratio of current running cost to FY2018."""
    with (SAMPLE / "baseline_fy2018.csv").open(encoding="utf-8", newline="") as f:
        base = list(csv.DictReader(f))
    with (SAMPLE / "noncloud_costs.csv").open(encoding="utf-8", newline="") as f:
        noncloud = list(csv.DictReader(f))
    assert list(base[0]) == [
        "ward", "fiscal_year", "business_system", "cost_item", "amount_jpy", "basis"
    ]  # fmt: skip
    assert list(noncloud[0]) == [
        "ward", "month", "fiscal_year", "business_system", "cost_item", "amount_jpy", "vendor",
        "note",
    ]  # fmt: skip
    assert {r["cost_item"] for r in base} == COST_ITEMS
    assert {r["cost_item"] for r in noncloud} <= COST_ITEMS
    assert {r["ward"] for r in base} == {r["ward"] for r in noncloud} == set(WARDS)
    assert {r["fiscal_year"] for r in base} == {"2018"} and {r["basis"] for r in base} == {"決算"}
    assert {r["fiscal_year"] for r in noncloud} == {"2024", "2025"}
    assert any(r["business_system"] == "" for r in base)
    assert any(r["business_system"] != "" for r in base)
    for ward in WARDS:
        baseline = sum(int(r["amount_jpy"]) for r in base if r["ward"] == ward)
        fy2025 = [r for r in noncloud if r["ward"] == ward and r["fiscal_year"] == "2025"]
        current = sum(int(r["amount_jpy"]) for r in fy2025)
        assert 100e6 <= baseline <= 900e6, ward
        assert 1.2 <= current / baseline <= 2.5, ward


def test_total_size_stays_within_budget() -> None:
    """The committed sample stays around 8 MB."""
    size = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert size <= 8.3e6, size


def test_one_planted_mispriced_line(
    con: duckdb.DuckDBPyConnection, expected: dict[str, Any]
) -> None:
    """Every usage line costs rate × usage, except the one `gcfinops inspect` must find."""
    planted = expected["inspection"]["mispriced"]
    rows = con.execute(
        """
        SELECT ward, "BILLING_PERIOD", line_item_resource_id, d(line_item_unblended_cost),
               d(line_item_unblended_rate) * d(line_item_usage_amount)
        FROM cur
        WHERE line_item_line_item_type IN ('Usage', 'SavingsPlanCoveredUsage')
          AND abs(d(line_item_unblended_cost)
                  - d(line_item_unblended_rate) * d(line_item_usage_amount)) > 1e-6
        """
    ).fetchall()
    assert len(rows) == 1
    ward, period, resource, cost, recomputed = rows[0]
    assert (WARDS[ward], period, resource) == (
        planted["ward"],
        planted["month"],
        planted["resource_id"],
    )
    assert (cost, round(recomputed, 10)) == (planted["billed"], planted["recomputed"])
