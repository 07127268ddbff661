"""`gcfinops report`, `baseline import`, `costs import` and `fx set|import|list`."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from gcfinops import api
from gcfinops import baseline as _baseline
from gcfinops import report as _report
from gcfinops.cli import options
from gcfinops.cli.engine_option import EngineOpt
from gcfinops.cli.messages import lang as current_lang
from gcfinops.cli.messages import t
from gcfinops.cli.options import OutputOpt, choice, format_option
from gcfinops.cli.output import STATE, emit_json, guarded, info, out
from gcfinops.errors import ConfigError
from gcfinops.money import Lang, format_jpy
from gcfinops.report.i18n import Fmt
from gcfinops.report.terminal import print_comparison, print_report
from gcfinops.workspace import Workspace, atomic_write

baseline_app = typer.Typer(
    help="FY2018 (平成30年度) operating-cost baseline.", no_args_is_help=True
)
costs_app = typer.Typer(help="Non-cloud operating costs (ASP fees, outsourcing, lines).",
                        no_args_is_help=True)  # fmt: skip
fx_app = typer.Typer(help="FX rates to JPY used by reports.", no_args_is_help=True)
HANDOUT_FORMATS = frozenset({"md", "html", "xlsx"})  # printed / worked in: 千円 by default


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.add_typer(baseline_app, name="baseline")
    app.add_typer(costs_app, name="costs")
    app.add_typer(fx_app, name="fx")
    baseline_app.command("import")(baseline_import)
    costs_app.command("import")(costs_import)
    fx_app.command("set")(fx_set)
    fx_app.command("import")(fx_import)
    fx_app.command("list")(fx_list)


def _write(path: Path, payload: str | bytes, *, bom: bool = False) -> None:
    """Write a whole file or nothing (`workspace.atomic_write`)."""
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    if bom:
        data = b"\xef\xbb\xbf" + data
    path = path.expanduser()
    if path.parent and not path.parent.exists():
        raise ConfigError(f"{path}: folder {path.parent} does not exist")
    with atomic_write(path, binary=True) as f:  # the workspace's one atomic writer
        f.write(data)


@guarded
def report(
    ward: Annotated[
        str,
        typer.Option(
            "--ward", help="Ward: code, kanji or romaji (131121, 世田谷区, setagaya), or 'all'."
        ),
    ] = "all",
    fy: Annotated[
        int | None,
        typer.Option(
            "--fy",
            help="Fiscal year (default: the year of the latest data), e.g. 2025 = 令和7年度.",
        ),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit",
            help="Amounts in 円 (yen) or 千円 (thousand); default thousand for md, html and "
            "xlsx (the handout), yen for the terminal, JSON and CSV.",
        ),
    ] = None,
    format_: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="table, md, html, json, csv or xlsx (default: from -o, else table).",
        ),
    ] = None,
    output: OutputOpt = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Count data before this UTC date (YYYY-MM-DD); default: the latest data.",
        ),
    ] = None,
    tax_basis: Annotated[
        str,
        typer.Option("--tax-basis", help="included (税込, default) or excluded (税抜)."),
    ] = "included",
    fx_scenario: Annotated[
        str | None,
        typer.Option(
            "--fx-scenario",
            help="JPY per USD rates, e.g. 140,160: FY-end forecast and target gaps with the "
            "remaining months' USD cost at those rates.",
        ),
    ] = None,
    years: Annotated[
        int | None,
        typer.Option("--years", help="Multi-year view: the last N fiscal years (e.g. 5)."),
    ] = None,
    from_fy: Annotated[
        int | None,
        typer.Option("--from-fy", help="Multi-year view from this fiscal year (e.g. 2021)."),
    ] = None,
    engine: EngineOpt = None,
    prepared_on: Annotated[
        str | None,
        typer.Option(
            "--prepared-on",
            help="作成日 in the header block (YYYY-MM-DD, printed in 和暦); default today in JST.",
        ),
    ] = None,
    document_number: Annotated[
        str | None,
        typer.Option(
            "--document-number",
            help="資料番号 in the header block, e.g. 資料3 (default: [report] document_number).",
        ),
    ] = None,
) -> None:
    """Ward report against the FY2018 baseline and the 3割 target, for the finance meeting.

    Example: gcfinops report --ward 世田谷区 --format html -o r.html
    """
    fmt = format_ or (output and _report.format_for_path(output)) or "table"
    if fmt not in _report.FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(_report.FORMATS)} (found {fmt!r})")
    lang_ = current_lang()
    unit_ = options.unit(unit or ("thousand" if fmt in HANDOUT_FORMATS else "yen"))
    cut = _parse_date(as_of, "--as-of") if as_of else None
    prepared = _parse_date(prepared_on, "--prepared-on") if prepared_on else None
    data = api.report(
        ward,
        workspace=STATE.workspace,
        fiscal_year=fy,
        as_of=cut,
        tax_basis=tax_basis,
        fx_scenario=fx_scenario,
        years=years,
        from_fy=from_fy,
        engine=engine,
        prepared_on=prepared,
        document_number=document_number,
    )
    if fmt == "table" and output is None:
        print_report(data, Fmt(lang_, unit_, era=data.handout.era), out())
        return
    payload = _report.render(data, fmt, lang=lang_, unit=unit_)
    if output is not None:
        _write(output, payload, bom=fmt == "csv")
        info(t("files.wrote", path=output))
    elif isinstance(payload, bytes):
        if sys.stdout.isatty():
            raise ConfigError("xlsx is a binary format", hint="write it to a file: -o report.xlsx")
        sys.stdout.buffer.write(payload)
    else:
        sys.stdout.write(payload)


def _parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option} must be a date YYYY-MM-DD (found {text!r})") from None


def _totals(totals: dict[tuple[str, int], object], title: str) -> None:
    lang = current_lang()
    table = Table(title=Text(title), title_justify="left")
    for key in ("ward", "fy", "total"):
        table.add_column(
            Text(t(f"imports.col_{key}")), justify="right" if key == "total" else "left"
        )
    for (ward, year), amount in sorted(totals.items()):
        yen = format_jpy(amount, lang=lang)  # type: ignore[arg-type]  # Decimal
        table.add_row(Text(ward), Text(str(year)), Text(yen))
    out().print(table)


def _imported(key: str, rows: int, replaced: int, path: Path) -> None:
    replaced_text = t("imports.replaced", n=replaced) if replaced else ""
    info(t(key, n=rows, path=path, replaced=replaced_text))


@guarded
def baseline_import(
    path: Annotated[
        Path,
        typer.Argument(
            help="CSV: ward,fiscal_year,business_system,cost_item,"
            "amount_jpy,basis (docs/baseline.md)."
        ),
    ],
) -> None:
    """Validate and store a FY2018 baseline CSV (replaces the wards and years it contains).

    Example: gcfinops baseline import baseline_fy2018.csv
    """
    result = api.import_baseline(path, workspace=STATE.workspace)
    _imported("imports.baseline", result.rows, result.replaced_rows, path)
    _totals(result.totals, t("imports.baseline_title"))  # type: ignore[arg-type]


@guarded
def costs_import(
    path: Annotated[
        Path,
        typer.Argument(
            help="CSV: ward,month,fiscal_year,business_system,"
            "cost_item,amount_jpy,vendor,note (docs/baseline.md)."
        ),
    ],
) -> None:
    """Validate and store non-cloud operating costs (replaces the wards and years it contains).

    Example: gcfinops costs import noncloud_costs.csv
    """
    result = api.import_costs(path, workspace=STATE.workspace)
    _imported("imports.costs", result.rows, result.replaced_rows, path)
    _totals(result.totals, t("imports.costs_title"))  # type: ignore[arg-type]


@guarded
def fx_set(
    month: Annotated[str, typer.Argument(help="Month YYYY-MM (UTC month of the bill lines).")],
    currency: Annotated[str, typer.Argument(help="ISO 4217 code, e.g. USD.")],
    rate: Annotated[str, typer.Argument(help="JPY per 1 unit, e.g. 149.5.")],
    source: Annotated[str, typer.Option("--source", help="Where the rate comes from.")] = "",
    note: Annotated[str | None, typer.Option("--note", help="Optional remark.")] = None,
) -> None:
    """Set the rate of one month and currency (replaces an existing one).

    Example: gcfinops fx set 2025-04 USD 149.5 --source "MUFG TTM 2025-04-01"
    """
    fx = api.fx_set(month, currency, rate, source=source, note=note, workspace=STATE.workspace)
    info(t("fx.set", month=fx.month, currency=fx.currency, rate=fx.rate_jpy, source=fx.source))


@guarded
def fx_import(
    path: Annotated[Path, typer.Argument(help="CSV: month,currency,rate_jpy,source[,note].")],
) -> None:
    """Merge a rate CSV into the workspace table (a bad row changes nothing).

    Example: gcfinops fx import fx_rates.csv
    """
    n = api.fx_import(path, workspace=STATE.workspace)
    info(t("fx.imported", n=n, path=path))


@guarded
def fx_list(
    format_: Annotated[str, format_option(("table", "json"), short=False)] = "table",
) -> None:
    """List the workspace's FX rates with their sources.

    Example: gcfinops fx list --format json
    """
    fmt = choice(format_, ("table", "json"))
    rates = api.fx_rates(workspace=STATE.workspace)
    if fmt == "json":
        emit_json([r.to_dict() for r in rates])
        return
    if not rates:
        info(t("fx.empty"))
        return
    table = Table(title=Text(t("fx.title")), title_justify="left")
    for key in ("month", "currency", "rate", "source", "note"):
        table.add_column(Text(t(f"fx.col_{key}")), justify="right" if key == "rate" else "left")
    for r in rates:
        cells = (r.month, r.currency, str(r.rate_jpy), r.source, r.note or "")
        table.add_row(*(Text(c) for c in cells))
    out().print(table)


def write_baseline_template(root: Path) -> None:
    """`gcfinops init`: drop the baseline template CSV next to gcfinops.toml (never overwrite)."""
    path = _baseline.write_template(Workspace(root))
    if path is not None:
        info(t("files.template", path=path, name=path.name))


def demo_report(root: Path, samples: Path, ward: str = "世田谷区", lang: Lang = "ja") -> None:
    """`gcfinops demo`: import the sample baseline and non-cloud costs, print one ward's report.

    The language is the caller's (this command line's), never a value left over from an
    earlier invocation in the same process.
    """
    for name, load in (("baseline_fy2018.csv", api.import_baseline),
                       ("baseline_pre_migration.csv", api.import_baseline),
                       ("budget_fy2025.csv", api.import_budget),
                       ("noncloud_costs.csv", api.import_costs)):  # fmt: skip
        if (samples / name).exists():
            result = load(samples / name, workspace=root)
            info(t("demo.imported", n=result.rows, name=name))
    fmt = Fmt(lang, "yen")
    print_report(api.report(ward, workspace=root), fmt, out())
    info(t("demo.comparison"))
    print_comparison(api.report("all", workspace=root), fmt, out())
