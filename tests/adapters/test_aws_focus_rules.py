"""FOCUS 1.2 MUST rules asserted on the lake itself, for every AWS source we have.

The FinOps Foundation's validator skips most conditional rules without the provider's
applicability criteria and gets some conditions wrong (issue 14), so these tests state each rule
as SQL over the lake and count the rows that break it. Rules (FOCUS_Spec v1.2 `columns/*.md`,
focus-validator 2.x model ids in brackets):

- unit price × PricingQuantity = cost where both are set, outside corrections
  [ListCost-C-009-C, ContractedCost-C-009-C];
- ListCost = BilledCost where there is no list price [ListCost-C-008-C]; a Usage/Purchase row
  that bills money never has ListCost 0 (the Spot / RIFee defect);
- a commitment purchase has EffectiveCost 0 and its unused part is a Usage row with
  CommitmentDiscountStatus Unused [EffectiveCost-C-*, DiscountHandling];
- dimension nullability: ResourceType iff ResourceId, RegionName iff RegionId, status and
  category iff CommitmentDiscountId, units iff quantities, no empty strings, ServiceSubcategory
  under its own ServiceCategory, prices NULL on Tax and never negative.

Sources: the fixtures, the shipped sample (sample_billing/aws) and the AWS legacy CUR samples in
../shared/reference/data/aws (skipped with a reason when absent).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from focus_rule_sql import RULES, broken_rules, violations

from gcfinops import schema
from gcfinops.adapters import aws_common
from gcfinops.ingest import ingest
from gcfinops.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = REPO.parent / "shared" / "reference" / "data" / "aws"
SOURCES = {
    "fixture-cur2": FIXTURES / "aws-cur2" / "cur2_lines.csv",
    "fixture-legacy-csv": FIXTURES / "aws-cur-legacy-csv" / "cur_legacy.csv",
    "fixture-legacy-athena": FIXTURES / "aws-cur-legacy-athena" / "cur_athena.csv",
    "sample-billing-aws": REPO / "sample_billing" / "aws",
    "shared-anonymous-export": SHARED / "sample-anonymous-aws-export-dataset.csv",
    "shared-koku-2023-06": SHARED / "2023-06-01.csv",
    "shared-koku-athena": SHARED / "2022-07-01-alt-columns.csv",
    "shared-koku-test-cur": SHARED / "test_cur.csv",
}


def _source(name: str) -> Path:
    path = SOURCES[name]
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared reference data is not checked out here)")
    return path


@pytest.fixture(scope="module", params=sorted(SOURCES))
def lake(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One AWS source ingested into a fresh workspace."""
    root = tmp_path_factory.mktemp(request.param)
    ingest(Workspace(root), [_source(request.param)])
    return root


@pytest.mark.parametrize("rule", sorted(RULES))
def test_focus_rule_holds_on_the_lake(lake: Path, rule: str) -> None:
    """No lake row breaks the rule (the SQL in RULES selects the breaking rows)."""
    total, bad, sample = violations(lake, RULES[rule])
    assert total > 0, "the source loaded no rows"
    assert bad == 0, f"{bad} of {total} rows break {rule}, e.g. {sample}"


def test_rules_fire_on_the_old_mapping(tmp_path: Path) -> None:
    """Each rule family can fail: rows shaped like the defects in issue 14 are caught."""
    con = duckdb.connect()
    con.execute(schema.empty_table_sql("t"))
    con.execute(
        "INSERT INTO t (ChargeCategory, BilledCost, ListCost, ListUnitPrice, ContractedCost, "
        "ContractedUnitPrice, PricingQuantity, EffectiveCost, CommitmentDiscountId, ResourceId, "
        "ResourceType, RegionId, RegionName, ServiceCategory, ServiceSubcategory, "
        "AvailabilityZone, x_SourceChargeType) VALUES "
        # RI-covered usage priced 0 with a contracted cost; RIFee with ListCost 0
        "('Usage', 0, 0.152, 0.152, 0.152, 0, 1, 0.095, 'ri', 'i-1', 'Compute Instance',"
        " 'ap-northeast-1', NULL, 'Analytics', 'Other (Other)', '', 'DiscountedUsage'),"
        "('Purchase', 36, 0, NULL, 36, NULL, 720, 3.75, 'ri', NULL, 'Compute Instance', NULL,"
        " NULL, 'Compute', 'Virtual Machines', NULL, 'RIFee')"
    )
    caught = broken_rules(con, "t")
    con.close()
    assert {
        "contracted-unit-price-times-quantity-is-contracted-cost",
        "list-cost-is-billed-cost-without-list-price",
        "billed-usage-or-purchase-has-a-list-cost",
        "commitment-purchase-effective-cost-zero",
        "resource-type-iff-resource-id",
        "region-name-iff-region-id",
        "service-subcategory-under-its-category",
        "no-empty-strings",
    } <= caught


def test_value_tables_keep_each_subcategory_under_its_category() -> None:
    """SERVICE_SUBCATEGORY never names a subcategory of another parent than SERVICE_CATEGORY."""
    wrong = {
        code: (aws_common.SERVICE_CATEGORY.get(code), sub)
        for code, sub in aws_common.SERVICE_SUBCATEGORY.items()
        if sub is None
        or schema.SERVICE_SUBCATEGORY_PARENT.get(sub) != aws_common.SERVICE_CATEGORY.get(code)
    }
    assert wrong == {}


def test_sku_price_id_falls_back_to_rate_id(tmp_path: Path) -> None:
    """Legacy CUR without `pricing/RateCode` values: SkuPriceId is `pricing/RateId`."""
    path = _source("shared-anonymous-export")
    ingest(Workspace(tmp_path / "ws"), [path])
    total, missing, _ = violations(
        tmp_path / "ws", "ChargeCategory = 'Usage' AND SkuPriceId IS NULL"
    )
    assert total > 0 and missing == 0


def test_real_product_codes_have_their_category(tmp_path: Path) -> None:
    """`awskms` and `AWSQueueService` (AWS's real product codes) are not filed under Other."""
    path = _source("shared-anonymous-export")
    ingest(Workspace(tmp_path / "ws"), [path])
    con = duckdb.connect()
    rel = f"read_parquet('{(tmp_path / 'ws' / 'lake').as_posix()}/**/*.parquet')"
    got = dict(
        con.execute(
            f"SELECT DISTINCT x_ServiceCode, ServiceCategory || ' / ' || ServiceSubcategory "
            f"FROM {rel} WHERE x_ServiceCode IN ('awskms', 'AWSQueueService', 'AWSGlue')"
        ).fetchall()
    )
    con.close()
    assert got == {
        "awskms": "Security / Secret Management",
        "AWSQueueService": "Integration / Messaging",
        "AWSGlue": "Analytics / Data Processing",
    }
