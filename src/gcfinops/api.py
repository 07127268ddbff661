"""The library facade: what the CLI and the tests call.

Each function takes a workspace (path or None for $GCFINOPS_WORKSPACE / the current directory)
and returns plain dataclasses; errors are `gcfinops.errors.GcfinopsError` subclasses.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from gcfinops import baseline as _baseline
from gcfinops import budget as _budget
from gcfinops import compact as _compact
from gcfinops import costs as _costs
from gcfinops import engine as _engine
from gcfinops import findings as _findings
from gcfinops import focus_export as _focus_export
from gcfinops import gate as _gate
from gcfinops import ingest as _ingest
from gcfinops import inspection as _inspection
from gcfinops import metrics as _metrics
from gcfinops import ruleset as _ruleset
from gcfinops import status as _status
from gcfinops import summary as _summary
from gcfinops.context import Context
from gcfinops.fx import FxRate, FxTable
from gcfinops.inspection import vendor as _vendor
from gcfinops.sources import remote as _remote
from gcfinops.workspace import Workspace

if TYPE_CHECKING:
    from gcfinops.realized import Realized
    from gcfinops.report.apportionment import AllocationShow
    from gcfinops.report.model import ReportData

__all__ = [
    "allocation_show",
    "analyze",
    "anomalies",
    "check",
    "context",
    "export_focus",
    "findings",
    "fx_import",
    "fx_rates",
    "fx_set",
    "import_baseline",
    "import_costs",
    "ingest",
    "ingest_metrics",
    "ingest_remote",
    "ingest_source",
    "inspect",
    "inspect_vendor_report",
    "report",
    "rules",
    "status",
    "ward_months",
    "workspace",
]


def workspace(path: str | Path | None = None) -> Workspace:
    """Resolve a workspace."""
    return Workspace.resolve(path)


def context(workspace: str | Path | Context | None = None, *, engine: str | None = None) -> Context:
    """The call's context: workspace, gcfinops.toml, ward directory (with the configured extra
    municipalities) and FX table, read once and passed down (docs/architecture.md).
    `engine`: `--engine` (duckdb or spark), over `[engine] name`."""
    if isinstance(workspace, Context):
        ctx = workspace
    else:
        ctx = Context.load(Workspace.resolve(workspace))
    return ctx if engine is None else dataclasses.replace(ctx, engine=engine)


def ingest(
    paths: list[Path] | list[str],
    *,
    workspace: str | Path | None = None,
    format_name: str | None = None,
    defaults: dict[str, str] | None = None,
    progress: _ingest.Progress | None = None,
    lock_timeout: float = 600.0,
) -> _ingest.IngestResult:
    """Ingest files or export folders into the lake.

    Raises:
        InputError: a file is not readable billing data (exit 2).
        ReconciliationError: totals written differ from totals read (exit 1); the lake is unchanged.
        LockedError: another ingest held the lock past `lock_timeout`.
    """
    return _ingest.ingest(
        Workspace.resolve(workspace),
        [Path(p) for p in paths],
        format_name=format_name,
        defaults=defaults,
        progress=progress,
        lock_timeout=lock_timeout,
    )


def status(*, workspace: str | Path | None = None) -> list[_status.LoadedUnit]:
    """What the lake holds, per provider, billing account, period and currency."""
    return _status.loaded_units(Workspace.resolve(workspace))


def ward_months(*, workspace: str | Path | None = None) -> list[_summary.WardMonth]:
    """Billed cost per ward and month (JPY when the FX table covers every month)."""
    return _summary.ward_months(context(workspace))


def check(
    *,
    workspace: str | Path | None = None,
    month: str | None = None,
    by: str | None = None,
    thresholds: dict[str, float | None] | None = None,
    top: int | None = None,
    max_over_budget: float | None = None,
    tax_basis: str | None = None,
    engine: str | None = None,
) -> _gate.CheckResult:
    """The CI gate: compare a month with the previous month, the same month last 年度 and the
    path to the 3割 target, per ward (or 業務, service, account). See docs/ci.md.

    Args:
        month: 'YYYY-MM'; default the latest month in the lake.
        by: ward (default), system, service or account.
        thresholds: command-line limits by name (max_mom_growth, max_yoy_growth,
            max_increase_jpy, max_over_target_path); None switches one off.
        top: contributors listed per kind.
        max_over_budget: breach a ward whose FY-end forecast exceeds its budget by more than
            this many percent (issue #13; needs gcfinops budget import).
        tax_basis: included (税込, default) or excluded (税抜: cloud tax lines dropped, baseline
            and non-cloud amounts converted).

    Raises:
        NoDataError: the month (or a month the target path needs) is not in the lake (exit 2).
        MissingRateError: an amount needs an FX rate the workspace lacks (exit 2).
        ConfigError: [check] in gcfinops.toml or an option is invalid (exit 2).
    """
    ctx = context(workspace, engine=engine)
    result = _gate.run_check(
        ctx, month=month, by=by, thresholds=thresholds, top=top, tax_basis=tax_basis
    )
    if max_over_budget is None:
        return result
    return _with_budget(ctx, result, max_over_budget)


def _with_budget(ctx: Context, result: _gate.CheckResult, limit: float) -> _gate.CheckResult:
    """Add `over_budget` evaluations: the report's forecast and budget of the checked month's
    fiscal year, counted to the end of that month."""
    from dataclasses import replace

    from gcfinops.errors import ConfigError, NoDataError
    from gcfinops.gate.budget import WardBudget, evaluate
    from gcfinops.jpcalendar import parse_month
    from gcfinops.report import generate

    if result.by != "ward":
        raise ConfigError("--max-over-budget compares wards with their budget; use --by ward")
    year, month = parse_month(result.month)
    as_of = date(year + month // 12, month % 12 + 1, 1)
    data = generate(ctx, "all", fiscal_year=result.fiscal_year, as_of=as_of)
    if all(w.budget is None for w in data.wards):
        raise NoDataError(
            f"no budget for fiscal year {result.fiscal_year}",
            hint="import one first: gcfinops budget import budget.csv (docs/budget.md)",
        )
    evals = evaluate(
        (
            WardBudget(
                w.ward,
                w.ward_name,
                w.ward_name_en,
                w.budget.total.amount_jpy if w.budget else None,
                w.forecast_jpy,
            )
            for w in data.wards
        ),
        limit,
    )
    return replace(result, evaluations=(*result.evaluations, *evals))


def anomalies(
    *,
    workspace: str | Path | None = None,
    month: str | None = None,
    days: int | None = None,
    k: float | None = None,
    min_jpy: float | None = None,
    by: list[str] | None = None,
) -> _gate.AnomalyResult:
    """Days of a month whose cost per ward or service jumps above its own recent history.

    Args:
        month: 'YYYY-MM'; default the latest month in the lake.
        days, k, min_jpy, by: override [check.anomalies] (window, MAD multiplier, yen floor,
            series); see docs/ci.md.

    Raises:
        NoDataError: no data for the month, or too little history before it (exit 2).
        MissingRateError: an amount needs an FX rate the workspace lacks (exit 2).
    """
    return _gate.detect(context(workspace), month=month, days=days, k=k, min_jpy=min_jpy, by=by)


def ingest_remote(
    url: str | None = None,
    *,
    workspace: str | Path | None = None,
    azure_export: str | None = None,
    scope: str | None = None,
    gcp_table: str | None = None,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    periods: list[str] | None = None,
    format_name: str | None = None,
    defaults: dict[str, str] | None = None,
    progress: _ingest.Progress | None = None,
    lock_timeout: float = 600.0,
) -> _remote.RemoteResult[_ingest.IngestResult]:
    """Ingest what changed at a remote source: `s3://bucket/prefix/`, `azure://<scope>[/exports/
    <name>]` (or `azure_export` + `scope`), `bq://project.dataset.table` (or `gcp_table`).

    Downloads into `<workspace>/.gcfinops/cache/` only the objects that changed since the last run,
    then ingests the changed billing periods whole. See docs/remote-sources.md.

    Args:
        periods: billing periods 'YYYY-MM' to consider (default: every delivered period; required
            for an Azure scope without an export, which requests a cost details report).
        profile, region, endpoint_url: AWS profile and region (region is the BigQuery job
            location for bq://), S3-compatible endpoint or Azure blob account URL.

    Raises:
        RemoteSourceError: missing SDK or credentials, access denied, missing bucket/export/table,
            partial download (exit 2); nothing is ingested.
        InputError, ReconciliationError: as for `ingest`.
    """
    options = _remote.RemoteOptions(profile=profile, region=region, endpoint_url=endpoint_url,
                                    periods=_remote.check_periods(periods or []))  # fmt: skip
    source = _remote.open_source(
        url, options, azure_export=azure_export, scope=scope, gcp_table=gcp_table
    )
    return ingest_source(
        source, options, workspace=workspace, format_name=format_name, defaults=defaults,
        progress=progress, lock_timeout=lock_timeout,
    )  # fmt: skip


def ingest_source(
    source: _remote.Source,
    options: _remote.RemoteOptions | None = None,
    *,
    workspace: str | Path | None = None,
    format_name: str | None = None,
    defaults: dict[str, str] | None = None,
    progress: _ingest.Progress | None = None,
    lock_timeout: float = 600.0,
) -> _remote.RemoteResult[_ingest.IngestResult]:
    """Ingest what changed at an opened remote source (see `ingest_remote`).

    The source fetches into the workspace cache; the files are then ingested here, through
    `gcfinops.ingest`, so that sources never depend on ingest (docs/architecture.md).
    """
    ws = Workspace.resolve(workspace)

    def ingest_files(files: list[Path]) -> _ingest.IngestResult:
        return _ingest.ingest(ws, files, format_name=format_name, defaults=defaults,
                              progress=progress, lock_timeout=lock_timeout)  # fmt: skip

    return _remote.sync(
        ws, source, options or _remote.RemoteOptions(), ingest_files, progress=progress,
        lock_timeout=lock_timeout,
    )  # fmt: skip


def report(
    ward: str = "all",
    *,
    workspace: str | Path | None = None,
    fiscal_year: int | None = None,
    as_of: date | None = None,
    tax_basis: str = "included",
    fx_scenario: str | None = None,
    years: int | None = None,
    from_fy: int | None = None,
    engine: str | None = None,
    prepared_on: date | None = None,
    document_number: str | None = None,
) -> ReportData:
    """The ward report's numbers: FY2018 baseline, 3割 target, actual, forecast, savings.

    Render it with `gcfinops.report.render(data, "html" | "xlsx" | …)`. See docs/reports.md.

    Args:
        ward: 6-digit code, kanji or romaji (131121, 世田谷区, setagaya), or "all".
        fiscal_year: 年度 (April–March); default the year of the latest data.
        as_of: count data before this UTC date; default the latest data in the lake.
        tax_basis: "included" (税込, default) or "excluded" (税抜); see docs/reports.md.
        fx_scenario: JPY per USD rates such as "140,160": the FY-end forecast and each target's
            gap with the remaining months' USD cost at those rates (docs/targets.md).
        years, from_fy: the multi-year view: the last `years` fiscal years, or from `from_fy`,
            up to the report's year (each computed as its own one-year report).
        prepared_on, document_number: the header block's 作成日 (default today in JST) and
            資料番号 (default `[report] document_number`).

    Raises:
        MissingRateError: a line needs an FX rate the workspace lacks (exit 2).
        NoDataError: nothing to report for the ward or year (exit 2).
        ConfigError: unknown ward, bad [baseline]/[report] settings (exit 2).
    """
    from gcfinops.errors import ConfigError
    from gcfinops.report import generate
    from gcfinops.report.fx_scenario import parse_rates
    from gcfinops.tax import parse_basis

    try:
        rates = parse_rates(fx_scenario)
    except ValueError as exc:
        raise ConfigError(
            f"--fx-scenario: {exc}", hint="give JPY per USD rates, e.g. --fx-scenario 140,160"
        ) from None

    return generate(
        context(workspace, engine=engine),
        ward,
        fiscal_year=fiscal_year,
        as_of=as_of,
        tax_basis=parse_basis(tax_basis),
        fx_scenario=rates,
        years=years,
        from_fy=from_fy,
        prepared_on=prepared_on,
        document_number=document_number,
    )


def allocation_show(
    *, month: str | None = None, workspace: str | Path | None = None
) -> AllocationShow:
    """Each apportionment rule (按分): what it matched in a billing month and where it went.

    Raises:
        ConfigError: an invalid [[allocation.split]] rule or --month (exit 2).
        NoDataError: no cloud cost in the month (exit 2).
        MissingRateError: an amount needs an FX rate the workspace lacks (exit 2).
    """
    from gcfinops.report.apportionment import show

    return show(Workspace.resolve(workspace), month)


def import_baseline(
    path: str | Path, *, workspace: str | Path | None = None
) -> _baseline.ImportResult:
    """Validate and store a FY2018 baseline CSV; ConfigError lists every bad cell (exit 2)."""
    ctx = context(workspace)
    return _baseline.import_baseline(ctx.workspace, Path(path), ctx.wards)


def import_budget(path: str | Path, *, workspace: str | Path | None = None) -> _budget.ImportResult:
    """Validate and store a budget CSV (当初/補正/流用); ConfigError lists bad cells (exit 2)."""
    ctx = context(workspace)
    return _budget.import_budget(ctx.workspace, Path(path), ctx.wards)


def savings(
    *, workspace: str | Path | None = None, ward: str | None = None, fiscal_year: int | None = None
) -> list[Realized]:
    """Each finding's history with the saving measured on the bill (docs/savings.md).

    Args:
        ward: code, kanji or romaji; default every ward.
        fiscal_year: the year `realized_fy_jpy` covers; default the year of each latest analysis.
    """
    from gcfinops import realized
    from gcfinops.db import session
    from gcfinops.errors import ConfigError
    from gcfinops.fx import register_fx
    from gcfinops.lake import lake_view_sql

    ctx = context(workspace)
    code = None
    if ward and ward.lower() != "all":
        code = ctx.wards.normalize(ward)
        if code is None:
            raise ConfigError(f"unknown ward {ward!r}", hint="code, kanji or romaji, or all")
    with session(temp_dir=ctx.workspace.tmp) as con:
        con.execute(f"CREATE TEMP VIEW lake AS {lake_view_sql(ctx.workspace)}")
        register_fx(con, ctx.fx)
        rows = realized.measure(con, ctx.workspace, fiscal_year)
    return [r for r in rows if code is None or r.ward == code]


def import_costs(
    path: str | Path, *, workspace: str | Path | None = None
) -> _costs.CostsImportResult:
    """Validate and store non-cloud operating costs; ConfigError lists every bad cell (exit 2)."""
    ctx = context(workspace)
    return _costs.import_costs(ctx.workspace, Path(path), ctx.wards)


def fx_set(
    month: str,
    currency: str,
    rate: str | float,
    *,
    source: str,
    note: str | None = None,
    workspace: str | Path | None = None,
) -> FxRate:
    """Add or replace one FX rate (JPY per 1 unit) in the workspace table."""
    ws = Workspace.resolve(workspace)
    with ws.lock():
        table = FxTable.load(ws.fx_path)
        fx = table.set(month, currency, rate, source, note)
        table.save(ws.fx_path)
    return fx


def fx_import(path: str | Path, *, workspace: str | Path | None = None) -> int:
    """Merge a rates CSV into the workspace table; any bad row changes nothing."""
    ws = Workspace.resolve(workspace)
    with ws.lock():
        table = FxTable.load(ws.fx_path)
        n = table.import_csv(path)
        table.save(ws.fx_path)
    return n


def fx_rates(*, workspace: str | Path | None = None) -> list[FxRate]:
    """The workspace's FX rates by month and currency."""
    return FxTable.load(Workspace.resolve(workspace).fx_path).rows()


def analyze(
    *,
    workspace: str | Path | None = None,
    rules: list[str] | None = None,
    as_of: datetime | None = None,
    lock_timeout: float = 600.0,
    engine: str | None = None,
) -> _engine.AnalyzeResult:
    """Run the rules (all enabled ones, or `rules`) and replace the workspace's findings.

    Args:
        rules: rule ids to run (default: every enabled rule).
        as_of: end of the analysed period (default: the latest ChargePeriodEnd in the lake).

    Raises:
        RuleDefinitionError: a rule file is invalid (exit 2), naming the file.
        ConfigError: an unknown rule id or parameter in gcfinops.toml.
        MissingRateError: a finding needs an FX rate the workspace lacks.
        NoDataError: the lake is empty.
    """
    from gcfinops import realized

    ctx = context(workspace, engine=engine)
    result = _engine.analyze(ctx, rule_ids=rules, as_of=as_of, lock_timeout=lock_timeout)
    realized.update_history(ctx.workspace)  # first/last month seen, open/resolved/gone
    return result


def lake_compact(
    *,
    workspace: str | Path | None = None,
    target_bytes: int = _compact.TARGET_FILE_BYTES,
    lock_timeout: float = 600.0,
) -> list[_compact.CompactedUnit]:
    """Merge each lake unit's small files (sorted by ward and time), reconciled and journaled.

    Raises:
        ReconciliationError: a unit's rows or totals would change (exit 1); the lake is unchanged.
    """
    return _compact.compact(
        Workspace.resolve(workspace), target_bytes=target_bytes, lock_timeout=lock_timeout
    )


def findings(
    *,
    workspace: str | Path | None = None,
    wards: list[str] | None = None,
    rules: list[str] | None = None,
) -> _findings.Listing:
    """The stored findings (ward codes and rule ids filter), largest saving first, with totals.

    Raises:
        NoDataError: analyze has not run in this workspace.
    """
    return _findings.listing(Workspace.resolve(workspace), wards=wards, rules=rules)


def rules(*, workspace: str | Path | None = None) -> _ruleset.RuleSet:
    """Built-in and user rules with the workspace's overrides, validated.

    Raises:
        RuleDefinitionError: a rule file is invalid (exit 2), naming the file.
    """
    ctx = context(workspace)
    return _engine.load_rules(ctx.config.raw, config_path=ctx.workspace.config_path)


def ingest_metrics(
    paths: list[Path] | list[str],
    *,
    workspace: str | Path | None = None,
    resource_id: str | None = None,
    metric: str | None = None,
    lock_timeout: float = 600.0,
) -> list[_metrics.MetricsFile]:
    """Read utilization exports (CloudWatch, Azure Monitor, Cloud Monitoring, CSV) into the lake.

    Raises:
        InputError: a file is not one of the supported shapes, or a point lacks a value.
    """
    return _metrics.ingest_metrics(
        Workspace.resolve(workspace), [Path(p) for p in paths], resource_id=resource_id,
        metric=metric, lock_timeout=lock_timeout,
    )  # fmt: skip


def inspect(
    month: str,
    *,
    workspace: str | Path | Context | None = None,
    ward: str | None = None,
    provider: str | None = None,
    billing_account: str | None = None,
    tolerance: Decimal = Decimal(0),
    invoice_total: Decimal | None = None,
    invoice_currency: str | None = None,
    engine: str | None = None,
) -> _inspection.Inspection:
    """Payment inspection (検収) of one billing month: every line recomputed and explained.
    `engine`: `--engine` (duckdb or spark) reading the lake, over `[engine] name`.

    Raises:
        NoDataError: nothing in the scope (exit 2). ConfigError: bad option (exit 2).
    """
    ctx = context(workspace, engine=engine)
    scope = _inspection.resolve_scope(
        month, ward=ward, provider=provider, billing_account=billing_account, wards=ctx.wards
    )
    return _inspection.inspect(
        ctx.workspace, scope, tolerance=tolerance, invoice_total=invoice_total,
        invoice_currency=invoice_currency, engine=ctx,
    )  # fmt: skip


def inspect_vendor_report(
    path: str | Path,
    *,
    workspace: str | Path | Context | None = None,
    tolerance: Decimal = Decimal(0),
    ward: str | None = None,
    provider: str | None = None,
    billing_account: str | None = None,
    engine: str | None = None,
) -> _vendor.VendorCheck:
    """A vendor's monthly amounts (CSV) against the lake for the same scope (`engine` as for
    `inspect`).

    Raises:
        ConfigError: the file is unreadable or a cell is bad (file:line; exit 2).
    """
    return _vendor.check(
        context(workspace, engine=engine), Path(path), tolerance=tolerance, ward=ward,
        provider=provider, billing_account=billing_account,
    )  # fmt: skip


def export_focus(
    path: str | Path,
    *,
    workspace: str | Path | None = None,
    version: str = "1.2",
    periods: list[str] | None = None,
    providers: list[str] | None = None,
    with_extensions: bool = False,
) -> _focus_export.ExportResult:
    """Write the lake as a FOCUS `version` dataset (Parquet or CSV by the file's extension).

    Raises:
        ConfigError: unknown version, malformed period or output extension (exit 2).
        NoDataError: a period or provider the lake does not hold, or an empty selection (exit 2).
    """
    return _focus_export.export_focus(
        Workspace.resolve(workspace),
        Path(path),
        version=version,
        periods=periods,
        providers=providers,
        with_extensions=with_extensions,
    )
