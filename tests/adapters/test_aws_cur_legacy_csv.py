"""AWS legacy CUR, CSV flavour (`lineItem/UnblendedCost`, `resourceTags/user:Env`).

Fixtures: fixtures/aws-cur-legacy-csv/cur_legacy.csv (the same line items as the CUR 2.0
fixture, in legacy headers) and cur_legacy_cp932.csv (the same again, saved as CP932 with
Japanese tag values — what Excel on Japanese Windows writes).
"""

from __future__ import annotations

from pathlib import Path

from adapter_contract import FIXTURES, AdapterContract, lake_rows
from aws_cases import COMMON, EXPECTED_UNITS, LEGACY_CSV_ONLY

from gcfinops.adapters.aws_cur_legacy import rename_csv, snake
from gcfinops.ingest import ingest
from gcfinops.workspace import Workspace

SAMPLE = FIXTURES / "aws-cur-legacy-csv" / "cur_legacy.csv"
CP932 = FIXTURES / "aws-cur-legacy-csv" / "cur_legacy_cp932.csv"


class TestAwsCurLegacyCsv(AdapterContract):
    adapter_name = "aws-cur-legacy-csv"
    sample = SAMPLE
    key_column = "identity/LineItemId"
    expected_units = EXPECTED_UNITS
    cases = COMMON + LEGACY_CSV_ONLY
    numeric_column = "lineItem/UnblendedCost"
    date_column = "lineItem/UsageStartDate"
    required_column = "lineItem/LineItemType"


def test_snake_case_rule() -> None:
    """Category prefix + camelCase split, lower-cased (formats.md §2.4)."""
    assert snake("lineItem/UnblendedCost") == "line_item_unblended_cost"
    assert snake("reservation/ReservationARN") == "reservation_reservation_a_r_n"
    assert (
        snake("savingsPlan/SavingsPlanEffectiveCost") == "savings_plan_savings_plan_effective_cost"
    )
    assert snake("product/instanceType") == "product_instance_type"


def test_tag_and_cost_category_columns_keep_their_names() -> None:
    """`resourceTags/…` and `costCategory/…` are not renamed (their keys are case-sensitive)."""
    renamed = rename_csv(
        ["resourceTags/user:Cost Center", "costCategory/Team", "bill/PayerAccountId"]
    )
    assert renamed == {
        "resourceTags/user:Cost Center": "resourceTags/user:Cost Center",
        "costCategory/Team": "costCategory/Team",
        "bill/PayerAccountId": "bill_payer_account_id",
    }


def test_cp932_file_reads_japanese_tags(tmp_path: Path) -> None:
    """A CP932 export is decoded: 世田谷区 / 本番 tags arrive intact and allocate the rows."""
    root = tmp_path / "ws"
    ingest(Workspace(root), [CP932])
    rows = {r["x_SourceRow"]: r for r in lake_rows(root)}
    assert rows[1]["Tags"] == {
        "ward": "世田谷区", "env": "dev", "system": "resident_registry", "Name": "jr-dev-ap01",
        "aws:createdBy": "admin",
    }  # fmt: skip
    assert rows[3]["Tags"] == {"ward": "世田谷区", "env": "本番"}
    assert rows[3]["x_Ward"] == "131121"
    assert rows[3]["x_Environment"] == "prod"


def test_cp932_and_utf8_files_give_the_same_amounts(tmp_path: Path) -> None:
    """Only the tag text differs between the two encodings; every amount is identical."""
    a, b = tmp_path / "a", tmp_path / "b"
    ingest(Workspace(a), [SAMPLE])
    ingest(Workspace(b), [CP932])
    cols = ("x_SourceRow", "BilledCost", "EffectiveCost", "ListCost", "ChargeCategory")
    assert [tuple(r[c] for c in cols) for r in lake_rows(a)] == [
        tuple(r[c] for c in cols) for r in lake_rows(b)
    ]
