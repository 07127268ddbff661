"""AWS Cost and Usage Report 2.0 from Data Exports (CSV, CSV.gz, Parquet).

Columns: AWS Data Exports table dictionary, CUR 2.0
(https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html); the map columns
`product`, `resource_tags` and `cost_category` are MAP in Parquet and JSON text in CSV
(formats.md §2.2–2.3). Resource tag keys arrive as `user_<key>` for user tags; the `user_` prefix
is removed in the lake's Tags, AWS-generated `aws_` keys are kept.
"""

from __future__ import annotations

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
from gcfinops.adapters.base import Adapter, HeaderSet, expr

TAGS = (
    "CASE WHEN {resource_tags} IS NULL OR cardinality({resource_tags}) = 0 THEN NULL"
    " ELSE gcf_strip_tag_prefix({resource_tags}, 'user_') END"
)

VARIANTS = (
    HeaderSet(
        "CUR 2.0 CSV / CSV.gz (maps as JSON text)",
        ("bill_billing_period_start_date", "line_item_line_item_type",
         "line_item_unblended_cost", "product", "resource_tags", "cost_category"),
        "AWS Data Exports table dictionary (table-dictionary-cur2.html); formats.md §2.2–2.3",
    ),
    HeaderSet(
        "CUR 2.0 Parquet (maps as MAP columns)",
        ("bill_billing_period_start_date", "line_item_unblended_cost", "product",
         "resource_tags"),
        "AWS Data Exports table dictionary; formats.md §2.3",
    ),
)  # fmt: skip


ADAPTER = Adapter(
    variants=VARIANTS,
    name="aws-cur2",
    title="AWS CUR 2.0 (Data Exports)",
    provider_key="aws",
    doc_url="https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html",
    detect_all=frozenset(
        {"bill_billing_period_start_date", "line_item_line_item_type", "line_item_unblended_cost"}
    ),
    detect_any=frozenset(
        {
            "product",
            "resource_tags",
            "cost_category",
            "bill_payer_account_name",
            "line_item_usage_account_name",
        }
    ),
    required=AWS_REQUIRED,
    csv_types=csv_types(),
    json_maps=("product", "resource_tags", "cost_category"),
    columns=aws_columns(
        product=lambda attr: "NULLIF({product}['" + attr + "'], '')",
        tags=expr(TAGS, "`resource_tags` map; `user_` prefix removed"),
        resource_name="NULLIF({resource_tags}['user_name'], '')",
    ),
    fold_when=FOLD_WHEN,
    netted_when=NETTED_WHEN,
    lookups=LOOKUPS,
    generate_when=GENERATE_WHEN,
    generated=UNUSED_ROW,
    generated_when=GENERATED_WHEN,
)
