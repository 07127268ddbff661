"""`gcfinops ingest`, `gcfinops status` and `gcfinops formats`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gcfinops import api
from gcfinops.adapters import ADAPTERS
from gcfinops.cli.output import STATE, emit_json, err, file_progress, guarded, info, out
from gcfinops.errors import ConfigError
from gcfinops.ingest import IngestResult


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("status")(status)
    app.command("formats")(formats)


@guarded
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Billing files or export folders.")],
    format_name: Annotated[
        str | None, typer.Option("--format", "-f", help="Force a format (see `gcfinops formats`).")
    ] = None,
    default: Annotated[
        list[str] | None,
        typer.Option("--default", help="COLUMN=VALUE for a source column the file lacks (repeatable)."),
    ] = None,
    lock_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for another ingest to finish.")
    ] = 600.0,
) -> None:
    """Load billing exports into the workspace's FOCUS lake, reconciled to the source totals.

    Example: gcfinops ingest sample_billing/aws/ --workspace ./ws
    """
    defaults = _parse_defaults(default or [])
    with file_progress(True) as progress:
        result = api.ingest(
            paths, workspace=STATE.workspace, format_name=format_name, defaults=defaults,
            progress=progress, lock_timeout=lock_timeout,
        )  # fmt: skip
    print_ingest(result)


def _parse_defaults(items: list[str]) -> dict[str, str]:
    out_: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--default expects COLUMN=VALUE (found {item!r})")
        out_[key.strip()] = value
    return out_


def print_ingest(result: IngestResult) -> None:
    """Reconciliation table: rows and cost per billing period and currency, source vs lake."""
    if result.recovered:
        info(f"Recovered an interrupted ingest ({result.recovered}).")
    if result.skipped:
        info(f"Already ingested: {len(result.files)} file(s) unchanged; nothing to do.")
        return
    if STATE.quiet:
        return
    table = Table(title=f"Ingest {result.ingest_id}: source vs lake", title_justify="left")
    for name in ("Provider", "Account", "Period", "Currency", "Rows read", "Folded",
                 "Rows written", "Σ BilledCost read", "Σ BilledCost written", ""):  # fmt: skip
        table.add_column(name, justify="right" if name.startswith(("Rows", "Σ", "Folded")) else "left")
    for u in result.units:
        table.add_row(u.provider, u.billing_account_id, u.billing_period, u.currency,
                      f"{u.rows_read:,}", f"{u.rows_folded:,}", f"{u.rows_written:,}",
                      f"{u.billed_read:,.2f}", f"{u.billed_written:,.2f}", "✓")  # fmt: skip
    err().print(table)
    replaced = f"; replaced {len(result.replaced)} restated unit(s)" if result.replaced else ""
    info(f"{len(result.files)} file(s), {sum(u.rows_written for u in result.units):,} rows{replaced}.")


@guarded
def status(
    format_: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """List what the lake holds: provider, billing account, period, rows, cost by currency.

    Example: gcfinops status --format json
    """
    units = api.status(workspace=STATE.workspace)
    if format_ == "json":
        emit_json([
            {"provider": u.provider, "billing_account_id": u.billing_account_id,
             "billing_account_name": u.billing_account_name, "billing_period": u.billing_period,
             "rows": u.rows, "billed_cost": round(u.billed_cost, 6),
             "effective_cost": round(u.effective_cost, 6), "currency": u.currency,
             "source_files": u.source_files}
            for u in units
        ])  # fmt: skip
        return
    if format_ != "table":
        raise ConfigError(f"--format must be table or json (found {format_!r})")
    if not units:
        info("The lake is empty: run `gcfinops ingest PATH` first.")
        return
    table = Table(title="Loaded billing data", title_justify="left")
    for name in ("Provider", "Billing account", "Period", "Rows", "BilledCost", "Currency", "Sources"):
        table.add_column(name, justify="right" if name in ("Rows", "BilledCost") else "left")
    for u in units:
        table.add_row(u.provider, f"{u.billing_account_id} {u.billing_account_name or ''}".strip(),
                      u.billing_period, f"{u.rows:,}", f"{u.billed_cost:,.2f}", u.currency,
                      str(len(u.source_files)))  # fmt: skip
    out().print(table)


@guarded
def formats() -> None:
    """List the billing formats gcfinops reads (names for --format)."""
    table = Table(title="Formats", title_justify="left")
    table.add_column("Name")
    table.add_column("Format")
    table.add_column("Provider documentation")
    for a in ADAPTERS.values():
        table.add_row(a.name, a.title, a.doc_url)
    out().print(table)
