"""`gcfinops ingest`, `gcfinops status` and `gcfinops formats`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from gcfinops import api
from gcfinops.adapters import ADAPTERS
from gcfinops.cli.messages import lang as current_lang
from gcfinops.cli.messages import t
from gcfinops.cli.options import choice, format_option
from gcfinops.cli.output import STATE, emit_json, err, file_progress, guarded, info, out, warn
from gcfinops.errors import ConfigError
from gcfinops.ingest import IngestResult
from gcfinops.money import Lang
from gcfinops.sources.remote import RemoteResult, is_remote


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("status")(status)
    app.command("formats")(formats)


@guarded
def ingest(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Billing files, export folders, or s3://, azure://, bq:// sources."),
    ] = None,
    format_name: Annotated[
        str | None, typer.Option("--format", "-f", help="Force a format (see `gcfinops formats`).")
    ] = None,
    default: Annotated[
        list[str] | None,
        typer.Option(
            "--default",
            help="COLUMN=VALUE: fills a source column the file lacks, and the empty cells of "
            "one it has (counted in the output; repeatable).",
        ),
    ] = None,
    lock_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for another ingest to finish.")
    ] = 600.0,
    azure_export: Annotated[
        str | None, typer.Option(help="Azure Cost Management export name (with --scope).")
    ] = None,
    scope: Annotated[
        str | None,
        typer.Option(
            help="Azure scope, e.g. subscriptions/<id>; without --azure-export a cost "
            "details report is requested for each --period."
        ),
    ] = None,
    gcp_table: Annotated[
        str | None, typer.Option(help="BigQuery billing export table PROJECT.DATASET.TABLE.")
    ] = None,
    profile: Annotated[str | None, typer.Option(help="AWS named profile (s3://).")] = None,
    region: Annotated[
        str | None, typer.Option(help="AWS region (s3://) or BigQuery job location (bq://).")
    ] = None,
    endpoint_url: Annotated[
        str | None,
        typer.Option(help="S3-compatible endpoint (s3://) or Azure blob account URL (azure://)."),
    ] = None,
    period: Annotated[
        list[str] | None,
        typer.Option(help="Billing period YYYY-MM to fetch from a remote source (repeatable)."),
    ] = None,
) -> None:
    """Load billing exports into the workspace's FOCUS lake, reconciled to the source totals.

    Example: gcfinops ingest sample_billing/aws/ --workspace ./ws

    Remote sources fetch only what changed since the last run (docs/remote-sources.md):
    gcfinops ingest s3://billing-bucket/cur2/my-export/ --profile billing
    """
    lang = current_lang()
    defaults = _parse_defaults(default or [])
    items = paths or []
    urls = [p for p in items if is_remote(p)]
    if urls or azure_export or scope or gcp_table:
        if len(urls) != len(items):
            raise ConfigError("give either local files and folders or remote sources, not both")
        targets: list[str | None] = [*urls] or [None]
        for url in targets:
            with file_progress(True) as progress:
                remote_result = api.ingest_remote(
                    url, workspace=STATE.workspace, azure_export=azure_export, scope=scope,
                    gcp_table=gcp_table, profile=profile, region=region,
                    endpoint_url=endpoint_url, periods=period, format_name=format_name,
                    defaults=defaults, progress=progress, lock_timeout=lock_timeout,
                )  # fmt: skip
            print_remote(remote_result, lang)
        return
    if not items:
        raise ConfigError(
            "give billing files or folders, or a remote source (s3://, azure://, bq://)"
        )
    with file_progress(True) as progress:
        result = api.ingest(
            [Path(p) for p in items], workspace=STATE.workspace, format_name=format_name,
            defaults=defaults, progress=progress, lock_timeout=lock_timeout,
        )  # fmt: skip
    print_ingest(result, lang)


def _parse_defaults(items: list[str]) -> dict[str, str]:
    out_: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--default expects COLUMN=VALUE (found {item!r})")
        out_[key.strip()] = value
    return out_


HEADINGS = ("period", "cloud", "account", "currency", "rows_read", "rows_written", "source_total",
            "lake_total", "ok")  # fmt: skip


def _amount(value: float, lang: Lang) -> str:
    """An amount in its billing currency: separators, 2 decimals, △ for negatives in Japanese."""
    text = f"{abs(value):,.2f}"
    if value < 0 and text.strip("0.,"):
        return ("△" if lang == "ja" else "-") + text
    return text


def print_remote(result: RemoteResult[IngestResult], lang: Lang = "ja") -> None:
    """One line on what the remote source delivered, then the ingest's reconciliation table."""
    changed = sorted({d.period for d in result.changed})
    info(t("ingest.remote", lang,
        source=result.source, changed=len(result.changed), same=len(result.deliveries) -
        len(result.changed), periods=f" ({', '.join(changed)})" if changed else "",
        n=len(result.downloaded), size=f"{result.downloaded_bytes / 1e6:,.1f} MB",
        reused=len(result.reused)))  # fmt: skip
    for w in result.warnings:
        warn(t("ingest.warning", lang, warning=w))
    if result.ingest is not None:
        print_ingest(result.ingest, lang)


def print_ingest(result: IngestResult, lang: Lang = "ja") -> None:
    """Reconciliation table (stderr): rows and totals per unit and currency, source vs lake.

    Fits 100 columns: rows read = rows in the lake + rows folded away (e.g. AWS
    SavingsPlanNegation), so the folded count is in the summary line, not a column.
    """
    for w in result.warnings:
        warn(t("ingest.warning", lang, warning=w))
    if result.recovered:
        info(t("ingest.recovered", lang, what=result.recovered))
    if result.skipped:
        info(t("ingest.skipped", lang, n=len(result.files)))
        return
    if STATE.quiet:
        return
    table = Table(
        title=Text(t("ingest.title", lang, id=result.ingest_id)),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        collapse_padding=True,
    )
    for i, key in enumerate(HEADINGS):
        table.add_column(
            Text(t(f"ingest.col_{key}", lang)),
            justify="right" if 4 <= i <= 7 else "left",
            overflow="ellipsis" if i == 2 else "fold",
            max_width=14 if i == 2 else None,
            no_wrap=i == 2,
        )
    for row in _per_period(result, lang):
        table.add_row(*(Text(cell) for cell in row))
    err().print(table)
    for old in result.previous:
        new = [u for u in result.units if u.key == old.key and u.currency == old.currency]
        total = _amount(new[0].billed_written, lang) if new else "—"
        key = old.key.replace("|", " ")
        before = _amount(old.billed_written, lang)
        info(t("ingest.replaced", lang, key=key, cur=old.currency, old=before, new=total))
    info(t("ingest.summary", lang,
        files=len(result.files), rows=sum(u.rows_written for u in result.units),
        folded=sum(u.rows_folded for u in result.units)))  # fmt: skip


def _per_period(result: IngestResult, lang: Lang) -> list[tuple[str, ...]]:
    """One row per billing period and currency (the issue's reconciliation grain); accounts of
    the same provider are summed, and named when there is only one."""
    groups: dict[tuple[str, str, str], list[Any]] = {}
    for u in result.units:
        groups.setdefault((u.billing_period, u.provider, u.currency), []).append(u)
    rows: list[tuple[str, ...]] = []
    for (period, provider, currency), units in sorted(groups.items()):
        accounts = sorted({u.billing_account_id for u in units})
        who = accounts[0] if len(accounts) == 1 else t("ingest.accounts", lang, n=len(accounts))
        rows.append((period, provider, who, currency,
                     f"{sum(u.rows_read for u in units):,}",
                     f"{sum(u.rows_written for u in units):,}",
                     _amount(sum(u.billed_read - u.netted for u in units), lang),
                     _amount(sum(u.billed_written for u in units), lang), "✓"))  # fmt: skip
    return rows


@guarded
def status(
    format_: Annotated[str, format_option(("table", "json"), short=False)] = "table",
) -> None:
    """List what the lake holds: provider, billing account, period, rows, cost by currency.

    Example: gcfinops status --format json
    """
    fmt = choice(format_, ("table", "json"))
    units = api.status(workspace=STATE.workspace)
    if fmt == "json":
        emit_json([u.to_dict() for u in units])
        return
    if not units:
        info(t("status.empty"))
        return
    table = Table(title=Text(t("status.title")), title_justify="left")
    for key in ("provider", "account", "period", "rows", "billed", "currency", "sources"):
        table.add_column(
            Text(t(f"status.col_{key}")),
            justify="right" if key in ("rows", "billed", "sources") else "left",
        )
    for u in units:
        account = f"{u.billing_account_id} {u.billing_account_name or ''}".strip()
        cells = (u.provider, account, u.billing_period, f"{u.rows:,}", f"{u.billed_cost:,.2f}",
                 u.currency, str(len(u.source_files)))  # fmt: skip
        table.add_row(*(Text(c) for c in cells))
    out().print(table)


@guarded
def formats(
    format_: Annotated[str, format_option(("table", "json"), short=False)] = "table",
) -> None:
    """List the billing formats gcfinops reads (names for --format), each with the header sets
    it reads and where they come from (docs/adapters/NAME.md has the column mapping).

    Example: gcfinops formats --format json
    """
    if choice(format_, ("table", "json")) == "json":
        emit_json([
            {"name": a.name, "title": a.title, "provider": a.provider_key,
             "documentation": a.doc_url,
             "header_sets": [{"name": v.name, "columns": list(v.columns), "source": v.source}
                             for v in a.variants]}
            for a in ADAPTERS.values()
        ])  # fmt: skip
        return
    table = Table(title=Text(t("formats.title")), title_justify="left", show_lines=True)
    table.add_column(Text(t("formats.col_name")), no_wrap=True)
    table.add_column(Text(t("formats.col_format")))
    table.add_column(Text(t("formats.col_sets")))
    for a in ADAPTERS.values():
        sets = "\n".join(f"• {v.name} ({v.source})" for v in a.variants)
        table.add_row(Text(a.name), Text(f"{a.title}\n{a.doc_url}"), Text(sets))
    out().print(table)
