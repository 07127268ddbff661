"""`gcfinops check` (the CI gate) and `gcfinops anomalies`."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from gcfinops import api
from gcfinops.cli import options
from gcfinops.cli.engine_option import EngineOpt
from gcfinops.cli.messages import lang as current_lang
from gcfinops.cli.messages import t
from gcfinops.cli.options import MonthOpt, UnitOpt
from gcfinops.cli.output import STATE, guarded, info, out
from gcfinops.gate import AnomalyResult, CheckResult, ci, parse_threshold
from gcfinops.jpcalendar import Lang
from gcfinops.money import Unit

CHECK_EXIT = "Exit codes: 0 within thresholds · 1 at least one breach · 2 bad input or config."
ANOMALY_EXIT = "Exit codes: 0 no anomaly · 1 anomalies found · 2 bad input or config."


class By(StrEnum):
    """Grouping of `check` and series of `anomalies`."""

    ward = "ward"
    system = "system"
    service = "service"
    account = "account"


class Fmt(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"
    junit = "junit"
    markdown = "markdown"


class AnomalyFmt(StrEnum):
    """Output formats of `anomalies`."""

    table = "table"
    json = "json"
    markdown = "markdown"


def register(app: typer.Typer) -> None:
    app.command("check", epilog=CHECK_EXIT)(check)
    app.command("anomalies", epilog=ANOMALY_EXIT)(anomalies)


def _threshold(value: str | None) -> str | None:
    """Validate a PCT|AMOUNT|off option early, so a typo is a usage error (exit 2)."""
    if value is not None:
        try:
            parse_threshold(value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    return value


def _limit_option(help_text: str, metavar: str = "PCT|off") -> Any:
    return typer.Option(metavar=metavar, callback=_threshold, help=help_text)


OutputA = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the --format output to this file; print the summary on the terminal.",
    ),
]


@guarded
def check(
    month: MonthOpt = None,
    by: Annotated[
        By | None, typer.Option(help="Group by ward (default), system (業務), service or account.")
    ] = None,
    max_mom_growth: Annotated[
        str | None, _limit_option("Largest growth on the previous month in % (default 20).")
    ] = None,
    max_yoy_growth: Annotated[
        str | None,
        _limit_option("Largest growth on the same month of the previous 年度 in % (default 30)."),
    ] = None,
    max_increase_jpy: Annotated[
        str | None,
        _limit_option(
            "Yen increase treated as noise (default 100000): a % breach must also exceed it; with "
            "no % limit it is the month-on-month limit itself.",
            "AMOUNT|off",
        ),
    ] = None,
    max_over_target_path: Annotated[
        str | None,
        _limit_option(
            "Largest excess in % over the monthly path that ends the 年度 at 70% of the FY2018 "
            "baseline (default off; needs gcfinops baseline import)."
        ),
    ] = None,
    top: Annotated[
        int | None,
        typer.Option(
            min=1, max=50, help="Contributors listed per kind (service, resource, usage type)."
        ),
    ] = None,
    max_over_budget: Annotated[
        float | None,
        typer.Option(
            min=0,
            help="Breach a ward whose FY-end forecast exceeds its budget (予算現額) by more than "
            "PCT % (default off; needs gcfinops budget import).",
            metavar="PCT",
        ),
    ] = None,
    tax_basis: Annotated[
        str,
        typer.Option(
            "--tax-basis", help="included (税込, default) or excluded (税抜: cloud tax lines out)."
        ),
    ] = "included",
    fmt: Annotated[Fmt, typer.Option("--format", "-f", help="Output format.")] = Fmt.table,
    output: OutputA = None,
    unit: UnitOpt = "yen",
    engine: EngineOpt = None,
) -> None:
    """Fail the pipeline when a month's cost grew past the agreed thresholds.

    Compares each ward (or 業務, service, account) with the previous month,
    the same month of the previous 年度 and, with --max-over-target-path,
    the monthly path to the 3割 target (docs/ci.md).

    Limits: defaults < the check section of gcfinops.toml < these options
    < per-ward / 業務 / service / account overrides in gcfinops.toml.

    On GitHub Actions: the Markdown summary goes to $GITHUB_STEP_SUMMARY,
    ::error / ::warning annotations to stderr.

    Example: gcfinops check --month 2026-03 --format junit -o cost.xml
    """
    given = {
        "max_mom_growth": max_mom_growth,
        "max_yoy_growth": max_yoy_growth,
        "max_increase_jpy": max_increase_jpy,
        "max_over_target_path": max_over_target_path,
    }
    result = api.check(
        workspace=STATE.workspace,
        month=month,
        by=by.value if by else None,
        thresholds={k: parse_threshold(v) for k, v in given.items() if v is not None},
        top=top,
        max_over_budget=max_over_budget,
        tax_basis=tax_basis,
        engine=engine,
    )
    la = current_lang()
    un = options.unit(unit)
    if fmt is Fmt.json:
        _emit(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n", output)
    elif fmt is Fmt.junit:
        _emit(ci.render_junit(result, la, un), output)
    elif fmt is Fmt.markdown:
        _emit(ci.render_markdown(result, la, un), output)
    if fmt is Fmt.table or output is not None:
        print_check(result, la, un)
    _github(ci.render_markdown(result, la, un), ci.check_annotations(result, la, un))
    raise typer.Exit(result.exit_code)


@guarded
def anomalies(
    month: MonthOpt = None,
    days: Annotated[int | None, typer.Option(help="History window in days (default 14).")] = None,
    k: Annotated[float | None, typer.Option(help="Multiplier of the MAD (default 3.5).")] = None,
    min_jpy: Annotated[
        float | None,
        typer.Option(help="Ignore a day less than this many yen above its median (default 10000)."),
    ] = None,
    by: Annotated[
        list[By] | None,
        typer.Option(help="Series to watch; repeat the option (default: ward and service)."),
    ] = None,
    fmt: Annotated[
        AnomalyFmt, typer.Option("--format", "-f", help="Output format.")
    ] = AnomalyFmt.table,
    output: OutputA = None,
    unit: UnitOpt = "yen",
) -> None:
    """Flag days whose cost per ward or service jumps above its own history.

    A JST day is flagged when its cost exceeds the median of the series'
    previous N days by more than k × MAD (MAD × 1.4826, comparable with σ)
    and by at least --min-jpy yen (docs/ci.md).

    Example: gcfinops anomalies --month 2026-03 --days 28 --format json
    """
    result = api.anomalies(
        workspace=STATE.workspace,
        month=month,
        days=days,
        k=k,
        min_jpy=min_jpy,
        by=[b.value for b in by] if by else None,
    )
    la = current_lang()
    un = options.unit(unit)
    if fmt is AnomalyFmt.json:
        _emit(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n", output)
    elif fmt is AnomalyFmt.markdown:
        _emit(ci.render_anomalies_markdown(result, la, un), output)
    if fmt is AnomalyFmt.table or output is not None:
        print_anomalies(result, la, un)
    _github(ci.render_anomalies_markdown(result, la, un), ci.anomaly_annotations(result, la, un))
    raise typer.Exit(result.exit_code)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def _github(markdown: str, commands: list[str]) -> None:
    """Job summary and annotations on GitHub Actions; stdout stays clean for data."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        ci.append_step_summary(summary, markdown)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        sys.stderr.write("".join(line + "\n" for line in commands))


def print_check(result: CheckResult, lang: Lang = "ja", unit: Unit = "yen") -> None:
    """The terminal summary: one row per group and test, then each breach explained."""
    console = out()
    verdict = ci.t("breach" if result.breaches else "ok", lang)
    table = Table(
        title=Text(f"gcfinops check {result.month}: {ci.ICONS[result.status]} {verdict}"),
        title_justify="left",
    )
    metrics = [
        m
        for m in ("mom_growth", "increase_jpy", "yoy_growth", "over_target_path", "over_budget")
        if any(e.metric == m for e in result.evaluations)
    ]
    table.add_column(Text(ci.t(result.by, lang)))
    table.add_column(Text(ci.t("current", lang)), justify="right")
    for m in metrics:
        table.add_column(Text(ci.t(m, lang)), justify="right")
    cells: dict[str | None, dict[str, str]] = {}
    names: dict[str | None, str] = {}
    for e in result.evaluations:
        names[e.group] = (e.group_name if lang == "ja" else e.group_name_en) or e.group or "—"
        shown = (
            ci.t("no_data", lang).format(m=e.comparison)
            if e.status == "skipped"
            else ci.value_text(e, lang, unit)
        )
        cells.setdefault(e.group, {})[e.metric] = f"{ci.ICONS[e.status]} {shown}"
    for group, row in cells.items():
        current = result.totals.get(group, {}).get(result.month, 0.0)
        row_cells = [names[group], ci.yen(current, lang, unit), *[row.get(m, "") for m in metrics]]
        table.add_row(*(Text(c) for c in row_cells))
    console.print(table)
    console.print(Text(ci.basis_line(result, lang, unit)))
    for e in result.breaches:
        console.print(Text(f"\n{ci.ICONS['breach']} {ci.sentence(e, lang, unit)}"))
        for line in ci.explanation_lines(e, lang, unit):
            console.print(Text(f"   {line}"))


def print_anomalies(result: AnomalyResult, lang: Lang = "ja", unit: Unit = "yen") -> None:
    """Anomalous days as a table, or one line when there are none."""
    console = out()
    if not result.anomalies:
        none = t("anomalies.none_in", lang, icon=ci.ICONS["ok"], first=result.first_day,
                 last=result.last_day, n=result.series)  # fmt: skip
        console.print(Text(none))
        return
    table = Table(
        title=Text(f"gcfinops anomalies {result.first_day} – {result.last_day}"),
        title_justify="left",
    )
    columns = ci.anomaly_columns(lang)
    for col in columns:
        table.add_column(Text(col), justify="left" if col == columns[0] else "right")
    for a in result.anomalies:
        table.add_row(*(Text(c) for c in ci.anomaly_cells(a, lang, unit)))
    console.print(table)


def demo_check(root: Path) -> None:
    """The demo's CI-gate step: check and anomalies on the latest month, shown as information."""
    lang = current_lang()
    result = api.check(workspace=root)
    info("")
    info(t("demo.check", lang, code=result.exit_code))
    print_check(result, lang)
    found = api.anomalies(workspace=root)
    info("")
    info(t("demo.anomalies", lang))
    console = out()
    for line in ci.anomaly_series(found, lang) or [t("anomalies.none", lang)]:
        console.print(Text(f"{ci.ICONS['near' if found.anomalies else 'ok']} {line}"))
