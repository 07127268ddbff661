"""AWS legacy Cost and Usage Report: the CSV flavour and the Athena/Parquet flavour.

Columns: archived AWS CUR user guide (awsdocs/aws-cur-user-guide, `doc_source/*-columns.md`);
the CSV header is `category/Attribute` (`lineItem/UnblendedCost`, `resourceTags/user:Env`), the
Athena flavour is snake_case with one column per tag (`resource_tags_user_env`) — formats.md §2.4.
Both are renamed to CUR 2.0 names (the rule in formats.md §2.4: category prefix + camelCase split,
lower-cased) so the mapping in `aws_common` serves all AWS formats.
"""

from __future__ import annotations

import re

from gcfinops.adapters.aws_common import (
    AWS_REQUIRED,
    FOLD_WHEN,
    GENERATE_WHEN,
    GENERATED_WHEN,
    LOOKUPS,
    NETTED_WHEN,
    UNUSED_ROW,
    aws_columns,
    csv_types,
)
from gcfinops.adapters.base import Adapter, Expr, HeaderSet, sql_literal

CUR2_ONLY = frozenset(
    {"product", "resource_tags", "cost_category", "bill_payer_account_name",
     "line_item_usage_account_name"}
)  # fmt: skip
BASE = ("bill_billing_period_start_date", "line_item_line_item_type", "line_item_unblended_cost")


def snake(name: str) -> str:
    """`lineItem/UnblendedCost` → `line_item_unblended_cost` (formats.md §2.4)."""
    parts = [re.sub(r"(?<!^)([A-Z])", r"_\1", p).lower() for p in name.split("/")]
    return "_".join(parts)


def rename_csv(header: list[str]) -> dict[str, str]:
    """Canonical names for a legacy CSV header; tag and cost-category columns stay as they are."""
    return {
        h: h if h.startswith(("resourceTags/", "costCategory/")) else snake(h)
        for h in header
        if "/" in h
    }


def csv_tags(header: list[str]) -> str:
    """Tags from `resourceTags/user:<Key>` columns: key `<Key>`; `aws:` keys kept as they are."""
    pairs = [
        (h.split("/", 1)[1].removeprefix("user:"), "{" + h + "}")
        for h in header
        if h.startswith("resourceTags/")
    ]
    return _tags_from_placeholders(pairs)


def athena_tags(header: list[str]) -> str:
    """Tags from `resource_tags_user_<key>` columns (the original key casing is lost there)."""
    pairs = []
    for h in header:
        if h.startswith("resource_tags_user_"):
            pairs.append((h.removeprefix("resource_tags_user_"), "{" + h + "}"))
        elif h.startswith("resource_tags_aws_"):
            pairs.append(("aws:" + h.removeprefix("resource_tags_aws_"), "{" + h + "}"))
    return _tags_from_placeholders(pairs)


def _tags_from_placeholders(pairs: list[tuple[str, str]]) -> str:
    if not pairs:
        return "NULL"
    items = ", ".join(
        f"struct_pack(key := {sql_literal(k)}, value := CAST({p} AS VARCHAR))" for k, p in pairs
    )
    return f"gcf_map_from_pairs([{items}])"


def _name_tag(header: list[str], candidates: tuple[str, ...]) -> str:
    for c in candidates:
        if c in header:
            return "NULLIF({" + c + "}, '')"
    return "NULL"


CSV_VARIANTS = (
    HeaderSet(
        "legacy CUR CSV (`category/Column`, one `resourceTags/user:<Key>` column per tag)",
        ("identity/LineItemId", "bill/BillingPeriodStartDate", "lineItem/LineItemType",
         "lineItem/UsageStartDate", "lineItem/UnblendedCost", "resourceTags/user:<Key>"),
        "archived AWS CUR user guide (awsdocs/aws-cur-user-guide doc_source/*-columns.md); "
        "samples in shared/reference/data/aws (AWS's own 2023-06-01.csv, koku test_cur.csv)",
    ),
)  # fmt: skip


CSV_ADAPTER = Adapter(
    variants=CSV_VARIANTS,
    name="aws-cur-legacy-csv",
    title="AWS legacy CUR (CSV)",
    provider_key="aws",
    doc_url="https://github.com/awsdocs/aws-cur-user-guide (archived CUR user guide)",
    detect_all=frozenset(
        {"lineItem/UnblendedCost", "lineItem/LineItemType", "lineItem/UsageStartDate"}
    ),
    required=AWS_REQUIRED,
    csv_types=csv_types(),
    rename=rename_csv,
    columns={
        **aws_columns(
            product=lambda attr: "NULLIF({product_" + attr + "}, '')",
            tags=Expr("NULL", "`resourceTags/user:<Key>` columns → key `<Key>`", build=csv_tags),
            resource_name="NULL",
        ),
        "ResourceName": Expr(
            "NULL", "tag Name", build=lambda h: _name_tag(h, ("resourceTags/user:Name",))
        ),
    },
    fold_when=FOLD_WHEN,
    netted_when=NETTED_WHEN,
    lookups=LOOKUPS,
    generate_when=GENERATE_WHEN,
    generated=UNUSED_ROW,
    generated_when=GENERATED_WHEN,
)

ATHENA_VARIANTS = (
    HeaderSet(
        "legacy CUR Athena / Parquet (snake_case, `resource_tags_user_<key>`)",
        ("bill_billing_period_start_date", "line_item_line_item_type",
         "line_item_unblended_cost", "resource_tags_user_<key>"),
        "archived AWS CUR user guide (Athena integration); sample "
        "shared/reference/data/aws/2022-07-01-alt-columns.csv",
    ),
)  # fmt: skip


ATHENA_ADAPTER = Adapter(
    variants=ATHENA_VARIANTS,
    name="aws-cur-legacy-athena",
    title="AWS legacy CUR (Athena / Parquet flavour)",
    provider_key="aws",
    doc_url="https://github.com/awsdocs/aws-cur-user-guide (archived CUR user guide)",
    detect_all=frozenset(BASE),
    detect_none=CUR2_ONLY,
    required=AWS_REQUIRED,
    csv_types=csv_types(),
    columns=aws_columns(
        product=lambda attr: "NULLIF({product_" + attr + "}, '')",
        tags=Expr("NULL", "`resource_tags_user_<key>` columns → key `<key>`", build=athena_tags),
        resource_name="NULLIF({resource_tags_user_name}, '')",
    ),
    fold_when=FOLD_WHEN,
    netted_when=NETTED_WHEN,
    lookups=LOOKUPS,
    generate_when=GENERATE_WHEN,
    generated=UNUSED_ROW,
    generated_when=GENERATED_WHEN,
)
