"""Findings: their columns, the Parquet store in the workspace, listing and totals.

`gcfinops analyze` replaces `<workspace>/findings/findings.parquet` atomically
(`workspace.atomic_path`: temporary file, fsync, rename) with one row per finding
(`status = 'finding'`), and `skipped.parquet` with one row per resource a rule could not judge
(`status = 'skipped'`, with `skip_reason`). Amounts are monthly: `current_monthly_cost` and
`estimated_monthly_savings` in JPY, `*_billing` in the billing currency, with the rate used. The
run (as_of, rule parameters) is kept in the files' key-value metadata. JSON keys are the column
names (snake_case, STYLE.md §3.4). `register` is the one reader the report and the gate use.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from gcfinops.db import readable_path
from gcfinops.errors import ConfigError, InputError, NoDataError
from gcfinops.workspace import Workspace, atomic_path

TS = pa.timestamp("us", tz="UTC")

#: (name, Arrow type, description) — the findings contract (docs/rules/README.md).
COLUMNS: tuple[tuple[str, pa.DataType, str], ...] = (
    ("rule_id", pa.string(), "Id of the rule that produced the row"),
    ("category", pa.string(), "idle / rightsizing / storage / commitment / hygiene"),
    ("status", pa.string(), "finding, or skipped when the rule lacked data to judge"),
    ("skip_reason", pa.string(), "Why a resource was skipped (e.g. no_metrics)"),
    ("provider", pa.string(), "FOCUS ProviderName"),
    ("billing_account_id", pa.string(), "FOCUS BillingAccountId"),
    ("sub_account_id", pa.string(), "FOCUS SubAccountId (AWS account, subscription, project)"),
    ("resource_id", pa.string(), "FOCUS ResourceId (NULL for account-level findings)"),
    ("resource_name", pa.string(), "FOCUS ResourceName"),
    ("service_name", pa.string(), "FOCUS ServiceName"),
    ("ward", pa.string(), "x_Ward: 6-digit municipality code"),
    ("business_system", pa.string(), "x_BusinessSystem: one of the 20 業務"),
    ("environment", pa.string(), "x_Environment"),
    ("region", pa.string(), "FOCUS RegionId"),
    ("lookback_start", TS, "Start of the bill window the rule read (UTC)"),
    ("lookback_end", TS, "Exclusive end of that window (UTC)"),
    ("current_monthly_cost", pa.float64(), "Monthly cost of the resource, JPY"),
    (
        "estimated_monthly_savings",
        pa.float64(),
        "Monthly saving if the recommendation is applied, JPY",
    ),
    ("billing_currency", pa.string(), "FOCUS BillingCurrency of the amounts below"),
    ("current_monthly_cost_billing", pa.float64(), "current_monthly_cost in the billing currency"),
    ("estimated_monthly_savings_billing", pa.float64(), "saving in the billing currency"),
    ("fx_rate_jpy", pa.float64(), "JPY per 1 unit of the billing currency used (1 for JPY)"),
    ("fx_month", pa.string(), "Month of the FX rate used (the last month of the window)"),
    ("cost_basis", pa.string(), "FOCUS cost column the amounts come from"),
    ("confidence", pa.string(), "high / medium / low"),
    ("recommendation", pa.string(), "What to do, in English"),
    ("recommendation_ja", pa.string(), "What to do, in Japanese"),
    ("evidence", pa.string(), "JSON object: the numbers the rule used"),
    ("as_of", TS, "End of the analysed period (UTC)"),
)
SCHEMA = pa.schema([(n, t) for n, t, _ in COLUMNS])
NAMES = tuple(n for n, _, _ in COLUMNS)
FORMATS = ("table", "json", "csv")
META_KEY = b"gcfinops"


def store_path(ws: Workspace) -> Path:
    return ws.findings_dir / "findings.parquet"


def skipped_path(ws: Workspace) -> Path:
    return ws.findings_dir / "skipped.parquet"


#: What the report and the gate need of a findings file (`register`); the rest is optional.
REGISTER_REQUIRED = ("rule_id", "ward", "resource_id", "estimated_monthly_savings")
REGISTER_OPTIONAL = {
    "business_system": "VARCHAR",
    "service_name": "VARCHAR",
    "sub_account_id": "VARCHAR",
    "current_monthly_cost": "DOUBLE",
    "recommendation_ja": "VARCHAR",
    "recommendation": "VARCHAR",
    "confidence": "VARCHAR",
}


def register(con: duckdb.DuckDBPyConnection, ws: Workspace) -> bool:
    """TEMP gcf_findings: the findings (status 'finding'; skipped rows are not findings) of the
    last `gcfinops analyze`, typed; the one reader of the store for the report and the gate.

    False when analyze has not run (the table is then empty). A damaged file, or one without
    the required columns, is an InputError naming it.
    """
    path = store_path(ws)
    columns_sql = ", ".join(
        [f"{c} {'DOUBLE' if c == 'estimated_monthly_savings' else 'VARCHAR'}"
         for c in REGISTER_REQUIRED]
        + [f"{c} {t}" for c, t in REGISTER_OPTIONAL.items()]
    )  # fmt: skip
    if not path.exists():
        con.execute(f"CREATE OR REPLACE TEMP TABLE gcf_findings ({columns_sql})")
        return False
    try:
        described = con.execute(
            "DESCRIBE SELECT * FROM read_parquet($p)", {"p": readable_path(path)}
        ).fetchall()
    except duckdb.Error as exc:  # IOException, InvalidInputException: not a Parquet file
        raise InputError(
            f"cannot read findings: {exc}", path=str(path), hint="re-run gcfinops analyze"
        ) from None
    columns = {str(r[0]) for r in described}
    missing = [c for c in REGISTER_REQUIRED if c not in columns]
    if missing:
        raise InputError(
            f"findings file lacks column(s) {', '.join(missing)}",
            path=str(path),
            hint="re-run gcfinops analyze with this version",
        )
    optional = ", ".join(
        f"CAST({c} AS {t}) AS {c}" if c in columns else f"CAST(NULL AS {t}) AS {c}"
        for c, t in REGISTER_OPTIONAL.items()
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE gcf_findings AS
            SELECT CAST(rule_id AS VARCHAR) AS rule_id, CAST(ward AS VARCHAR) AS ward,
                   CAST(resource_id AS VARCHAR) AS resource_id,
                   coalesce(CAST(estimated_monthly_savings AS DOUBLE), 0)
                       AS estimated_monthly_savings,
                   {optional}
            FROM read_parquet($p)
            {"WHERE status IS NULL OR status = 'finding'" if "status" in columns else ""}""",
        {"p": readable_path(path)},
    )
    return True


def sort_key(row: dict[str, Any]) -> tuple[Any, ...]:
    """Findings first, then largest saving, largest cost, rule, resource."""
    return (
        row["status"] != "finding",
        -(row["estimated_monthly_savings"] or 0.0),
        -(row["current_monthly_cost"] or 0.0),
        row["rule_id"],
        row["resource_id"] or "",
    )


def write(ws: Workspace, rows: list[dict[str, Any]], run: dict[str, Any]) -> Path:
    """Replace the workspace's findings atomically; readers see the old or the new run.

    Findings go to findings.parquet (every row a finding, so other readers need no filter),
    skipped resources to skipped.parquet; both carry the run id. skipped.parquet is replaced
    first, and `read` ignores it when its run id is not the one of findings.parquet.
    """
    meta = {META_KEY: json.dumps(run, ensure_ascii=False, sort_keys=True, default=str).encode()}
    found = sorted((r for r in rows if r["status"] == "finding"), key=sort_key)
    skipped = sorted((r for r in rows if r["status"] != "finding"), key=sort_key)
    _write_atomic(skipped_path(ws), skipped, meta)
    return _write_atomic(store_path(ws), found, meta)


def _write_atomic(target: Path, rows: list[dict[str, Any]], meta: dict[bytes, bytes]) -> Path:
    table = pa.Table.from_pylist(rows, schema=SCHEMA).replace_schema_metadata(meta)
    with atomic_path(target) as tmp:
        pq.write_table(table, tmp)
    return target


@dataclass(frozen=True)
class Listing:
    """What `gcfinops findings` shows: the rows, the skipped resources, totals and the run."""

    findings: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    run: dict[str, Any]

    @property
    def total_savings(self) -> float:
        """Monthly JPY saving counting each resource once, at its largest saving.

        Rules overlap (a non-production instance can be both idle at night and oversized); their
        savings are not additive, so the total never adds two savings of the same resource.
        """
        best: dict[tuple[str, str], float] = {}
        loose = 0.0
        for f in self.findings:
            saving = f["estimated_monthly_savings"] or 0.0
            if f["resource_id"] is None:
                loose += saving
                continue
            key = (f["provider"] or "", f["resource_id"])
            best[key] = max(best.get(key, 0.0), saving)
        return loose + sum(best.values())

    @property
    def sum_of_savings(self) -> float:
        """The plain sum over findings (overlaps counted twice), for reference."""
        return sum(f["estimated_monthly_savings"] or 0.0 for f in self.findings)

    def skip_summary(self) -> list[tuple[str, str, int, float]]:
        """(rule_id, skip_reason, resources, their monthly cost in JPY) per rule and reason."""
        out: dict[tuple[str, str], list[float]] = {}
        for s in self.skipped:
            key = (s["rule_id"], s["skip_reason"] or "unknown")
            out.setdefault(key, []).append(s["current_monthly_cost"] or 0.0)
        return [(r, why, len(v), sum(v)) for (r, why), v in sorted(out.items())]


def read(ws: Workspace) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """All stored rows (findings, then skipped) and the run metadata.

    Raises NoDataError when analyze has not run.
    """
    path = store_path(ws)
    if not path.exists():
        raise NoDataError(f"no findings in {ws.root}", hint="run `gcfinops analyze` first")
    rows, run = _read(path)
    if skipped_path(ws).exists():
        skipped, skipped_run = _read(skipped_path(ws))
        if skipped_run.get("run_id") == run.get("run_id"):
            rows += skipped
    return rows, run


def _read(path: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    table = pq.read_table(path)
    meta = (table.schema.metadata or {}).get(META_KEY)
    return table.to_pylist(), (json.loads(meta) if meta else {})


def listing(
    ws: Workspace,
    *,
    wards: Iterable[str] | None = None,
    rules: Iterable[str] | None = None,
) -> Listing:
    """Findings filtered by ward codes and rule ids, largest saving first."""
    rows, run = read(ws)
    ward_set = set(wards) if wards else None
    rule_set = set(rules) if rules else None
    if rule_set is not None:
        known = set(run.get("rules", {})) | {r["rule_id"] for r in rows}
        unknown = sorted(rule_set - known)
        if unknown:
            raise ConfigError(
                f"no rule {', '.join(map(repr, unknown))} in the last analyze run "
                f"(rules run: {', '.join(sorted(known)) or 'none'})"
            )
    keep = [
        r
        for r in rows
        if (ward_set is None or r["ward"] in ward_set)
        and (rule_set is None or r["rule_id"] in rule_set)
    ]
    keep.sort(key=sort_key)
    return Listing(
        findings=[r for r in keep if r["status"] == "finding"],
        skipped=[r for r in keep if r["status"] != "finding"],
        run=run,
    )


def to_json_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for JSON output: times as ISO 8601, evidence as an object."""
    out = []
    for r in rows:
        item = dict(r)
        for key in ("lookback_start", "lookback_end", "as_of"):
            if item.get(key) is not None:
                item[key] = item[key].isoformat()
        item["evidence"] = json.loads(item["evidence"]) if item.get("evidence") else {}
        out.append(item)
    return out
