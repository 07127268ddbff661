"""FOCUS out: the lake as a FOCUS 1.2 or 1.3 dataset, in Parquet or CSV, with one DuckDB COPY.

Why a separate export: the lake is FOCUS 1.2 plus gcfinops' `x_` columns in DuckDB's types
(Tags as a MAP, money as DECIMAL(38,18)). Other FOCUS tools (the FinOps Foundation's
focus-validator, FinOps hubs, BI tools) want exactly the columns of one FOCUS version, in the
spec's order, with Tags as a JSON object and — in CSV — date/times as `YYYY-MM-DDTHH:mm:ssZ`
(FOCUS attributes ColumnHandling, KeyValueFormat, DateTimeFormat). Money stays FOCUS Decimal:
DECIMAL(38,18) in Parquet, and in CSV the exact decimal text without trailing zeros (`12.34`,
not `12.340000…`; never a float's binary approximation). The column sets come from `schema`
(`focus_columns(version)`), never from a list kept here.

FOCUS 1.3 adds eight columns (formats.md §1.6). `ServiceProviderName` and `HostProviderName`
are the lake's ProviderName (every adapter reads a cloud provider's own bill, so the provider
both sells and hosts the service; a marketplace seller stays in PublisherName). The allocation
columns (`Allocated*`) and `ContractApplied` are NULL: no adapter reads a provider's split-cost
allocation or contract commitments yet. `ProviderName` and `PublisherName` stay, as 1.3 still
requires (deprecated, not removed).

The file is written to a temporary name next to the target, fsynced and renamed into place
(`workspace.atomic_path`), so a reader never sees half a file and a failed export leaves the
previous file untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from gcfinops import schema
from gcfinops.adapters.base import quote_ident, sql_literal
from gcfinops.db import read_literal, session
from gcfinops.errors import ConfigError, NoDataError
from gcfinops.workspace import Workspace, atomic_path

FORMATS = {".parquet": "parquet", ".csv": "csv"}

# The FinOps Foundation focus-validator's applicability criteria (`--applicability-criteria`,
# ids from `focus-validator --show-applicability-criteria`): what each provider supports. Without
# them the validator skips every conditional rule that depends on one; with them those rules
# are evaluated. By lake provider key; docs/focus-export.md explains each choice.
_COMMON_CLOUD = (
    "ACCOUNT_NAMING_SUPPORTED", "AVAILABILITY_ZONE_SUPPORTED", "COMMITMENT_DISCOUNT_SUPPORTED",
    "MULTIPLE_PRICING_CATEGORIES_SUPPORTED", "NEGOTIATED_PRICING_SUPPORTED",
    "PUBLIC_PRICE_LIST_SUPPORTED", "USAGE_MEASUREMENT_SUPPORTED", "UNIT_PRICING_SUPPORTED",
    "SUB_ACCOUNT_SUPPORTED", "BILLING_BASED_ON_PROVISIONED_RESOURCES_SUPPORTED",
    "RESOURCE_TYPE_ASSIGNMENT_SUPPORTED", "REGION_SUPPORTED", "TAGGING_SUPPORTED",
)  # fmt: skip
APPLICABILITY: dict[str, tuple[str, ...]] = {
    # AWS: capacity reservations (EC2 ODCR); one BillingAccountType / SubAccountType; prices in
    # the currency of the CUR (PricingCurrency = BillingCurrency).
    "aws": (*_COMMON_CLOUD, "CAPACITY_RESERVATION_SUPPORTED",
            "PRICING_BILLING_CURRENCY_DIFFERENCES_SUPPORTED"),
    # Azure: MCA prices in USD and bills in JPY; billing account / profile / subscription types.
    "azure": (*_COMMON_CLOUD, "CAPACITY_RESERVATION_SUPPORTED",
              "PRICING_BILLING_CURRENCY_DIFFERENCES_SUPPORTED",
              "MULTIPLE_BILLING_ACCOUNT_TYPES_SUPPORTED"),
    # Google Cloud: prices in USD, invoices in the billing account's currency.
    "gcp": (*_COMMON_CLOUD, "PRICING_BILLING_CURRENCY_DIFFERENCES_SUPPORTED"),
    "oci": _COMMON_CLOUD,
    # Sakura Cloud: no commitments, zones rather than regions in the bill, JPY only.
    "sakura": ("ACCOUNT_NAMING_SUPPORTED", "USAGE_MEASUREMENT_SUPPORTED",
               "UNIT_PRICING_SUPPORTED", "PUBLIC_PRICE_LIST_SUPPORTED", "SUB_ACCOUNT_SUPPORTED",
               "BILLING_BASED_ON_PROVISIONED_RESOURCES_SUPPORTED"),
}  # fmt: skip
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CSV_DATETIME = "%Y-%m-%dT%H:%M:%SZ"


@dataclass
class ExportResult:
    """What `export_focus` wrote."""

    path: Path
    version: str
    file_format: str
    rows: int
    columns: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)


def export_focus(
    ws: Workspace,
    path: Path,
    *,
    version: str = schema.LAKE_FOCUS_VERSION,
    periods: list[str] | None = None,
    providers: list[str] | None = None,
    with_extensions: bool = False,
) -> ExportResult:
    """Write the selected lake rows as a FOCUS `version` dataset to `path` (atomic).

    Raises:
        ConfigError: unknown version, malformed period, or an extension other than .parquet/.csv.
        NoDataError: empty lake, a period or provider the lake does not hold, or no rows.
    """
    if version not in schema.FOCUS_VERSIONS:
        raise ConfigError(
            f"unknown FOCUS version {version!r}; gcfinops writes {', '.join(schema.FOCUS_VERSIONS)}"
        )
    file_format = FORMATS.get(path.suffix.lower())
    if file_format is None:
        raise ConfigError(
            f"{path}: the output file must end in .parquet or .csv (found {path.suffix or 'none'})"
        )
    bad = [p for p in periods or [] if not PERIOD.match(p)]
    if bad:
        raise ConfigError(f"--period expects YYYY-MM (found {', '.join(map(repr, bad))})")
    if not ws.has_data():
        raise NoDataError("the lake is empty; run `gcfinops ingest` first")
    with session(temp_dir=ws.tmp / "export") as con:
        lake = (
            f"read_parquet({read_literal(ws.lake, '**/*.parquet')}, hive_partitioning = true, "
            "hive_types_autocast = false, union_by_name = true)"
        )
        held = con.execute(
            f"SELECT DISTINCT provider, billing_period FROM {lake} ORDER BY ALL"
        ).fetchall()
        chosen_providers = _choose(
            "provider", [p.lower() for p in providers or []], sorted({r[0] for r in held})
        )
        chosen_periods = _choose("period", list(periods or []), sorted({r[1] for r in held}))
        where = _where(chosen_providers, chosen_periods)
        columns = _select_list(version, with_extensions, csv=file_format == "csv")
        options = (
            "FORMAT parquet, COMPRESSION zstd"
            if file_format == "parquet"
            else "FORMAT csv, HEADER true, DELIMITER ','"
        )
        # atomic_path: the target is replaced only when the COPY succeeded with rows
        with atomic_path(path) as tmp:
            written = con.execute(
                f"COPY (SELECT {', '.join(sql for _, sql in columns)} FROM {lake} {where}"
                f" ORDER BY billing_period, provider, BillingAccountId, ChargePeriodStart)"
                f" TO {sql_literal(tmp.as_posix())} ({options})"
            ).fetchone()
            rows = int(written[0]) if written else 0
            if rows == 0:
                raise NoDataError(
                    "no lake rows match the selection" + _describe(chosen_providers, chosen_periods)
                )
    return ExportResult(
        path=path,
        version=version,
        file_format=file_format,
        rows=rows,
        columns=[name for name, _ in columns],
        periods=sorted(
            {
                period
                for prov, period in held
                if (not chosen_providers or prov in chosen_providers)
                and (not chosen_periods or period in chosen_periods)
            }
        ),
        providers=chosen_providers or sorted({r[0] for r in held}),
    )


def _choose(what: str, asked: list[str], held: list[str]) -> list[str]:
    """The asked values (all when none), each one the lake holds; else exit 2 naming them."""
    missing = [a for a in asked if a not in held]
    if missing:
        raise NoDataError(
            f"the lake holds no {what} {', '.join(missing)} "
            f"(it holds: {', '.join(held) or 'nothing'})"
        )
    return sorted(set(asked))


def _where(providers: list[str], periods: list[str]) -> str:
    conds = []
    if providers:
        conds.append(f"provider IN ({', '.join(sql_literal(p) for p in providers)})")
    if periods:
        conds.append(f"billing_period IN ({', '.join(sql_literal(p) for p in periods)})")
    return ("WHERE " + " AND ".join(conds)) if conds else ""


def _describe(providers: list[str], periods: list[str]) -> str:
    parts = []
    if providers:
        parts.append("provider " + ", ".join(providers))
    if periods:
        parts.append("period " + ", ".join(periods))
    return f" ({'; '.join(parts)})" if parts else ""


def _select_list(version: str, with_extensions: bool, *, csv: bool) -> list[tuple[str, str]]:
    """(name, SQL) per output column: the version's FOCUS columns, then the x_ ones if asked."""
    derived = {
        "ServiceProviderName": quote_ident("ProviderName"),
        "HostProviderName": quote_ident("ProviderName"),
    }
    out = []
    for c in schema.focus_columns(version):
        if c.name in schema.BY_NAME:
            sql = _as_focus(c, csv=csv)
        else:
            sql = derived.get(c.name, f"CAST(NULL AS {c.type})")
        out.append((c.name, f"{sql} AS {quote_ident(c.name)}"))
    if with_extensions:
        out += [
            (c.name, f"{_as_focus(c, csv=csv)} AS {quote_ident(c.name)}")
            for c in schema.EXTENSION_COLUMNS
        ]
    return out


def _as_focus(c: schema.Column, *, csv: bool) -> str:
    """A lake column in FOCUS form: Tags as a JSON object, CSV date/times with T and Z, CSV
    money as its exact decimal text (a DECIMAL's text always has a point, so trimming zeros and
    then the point never touches the integer digits)."""
    name = quote_ident(c.name)
    if c.type == schema.MONEY and csv:
        return f"rtrim(rtrim(CAST({name} AS VARCHAR), '0'), '.')"
    if c.type == schema.KEY_VALUE:
        return f"CASE WHEN cardinality({name}) > 0 THEN CAST(to_json({name}) AS VARCHAR) END"
    if c.type == schema.DATETIME and csv:
        return f"strftime(timezone('UTC', {name}), {sql_literal(CSV_DATETIME)})"
    return name
