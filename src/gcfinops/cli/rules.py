"""`gcfinops analyze`, `findings`, `rules list`, `rules show` and `ingest-metrics`."""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime
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
from gcfinops.cli.options import choice
from gcfinops.cli.output import STATE, emit_json, guarded, info, out
from gcfinops.engine import AnalyzeResult, parse_as_of
from gcfinops.errors import ConfigError
from gcfinops.findings import FORMATS, NAMES, Listing, to_json_rows
from gcfinops.money import Lang, Unit, format_jpy
from gcfinops.report.safety import neutralize

rules_app = typer.Typer(help="Show the rules `analyze` runs.", no_args_is_help=True)

FormatOpt = Annotated[str, typer.Option("--format", help="table, json or csv.")]
COLUMNS = (("rank", "right"), ("ward", "left"), ("rule", "left"),
           ("resource", "left"), ("saving", "right"), ("conf", "left"))  # fmt: skip
CONFIDENCES = ("high", "medium", "low")
PARAM_COLUMNS = ("param", "value", "default", "unit", "desc", "source")


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
    app.command("findings")(findings)
    app.command("ingest-metrics")(ingest_metrics)
    app.add_typer(rules_app, name="rules")


@guarded
def analyze(
    rule: Annotated[
        list[str] | None, typer.Option("--rule", "-r", help="Run only this rule (repeatable).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(help="End of the analysed period, e.g. 2026-04-01 (default: latest bill)."),
    ] = None,
    top: Annotated[int, typer.Option(help="Findings to print (table format).")] = 15,
    format_: FormatOpt = "table",
    lock_timeout: Annotated[float, typer.Option(help="Seconds to wait for an ingest.")] = 600.0,
    engine: EngineOpt = None,
) -> None:
    """Run the rules over the lake and store the findings (replacing the previous ones).

    Example: gcfinops -w ./ws analyze --rule idle-nonprod-offhours --lang en
    """
    language = current_lang()
    fmt = choice(format_, ("table", "json"))
    when = parse_as_of(as_of) if as_of else None
    result = api.analyze(
        workspace=STATE.workspace, rules=rule, as_of=when, lock_timeout=lock_timeout,
        engine=engine,
    )  # fmt: skip
    if fmt == "json":
        emit_json(result.to_dict())
        return
    print_analyze(result, language, top=top)


def print_analyze(result: AnalyzeResult, lang: Lang, *, top: int = 15) -> None:
    """Per-rule summary, the top findings with a yen total, and what could not be judged."""
    when = f"{result.as_of:%Y-%m-%d %H:%M}"
    summary = Table(title=Text(t("rules.analyze_title", lang, when=when)), title_justify="left")
    summary.add_column(Text(t("rules.col_rule", lang)))
    for key in ("findings", "saving", "skipped"):
        summary.add_column(Text(t(f"rules.col_{key}", lang)), justify="right")
    for r in result.runs:
        cells = (r.rule_id, str(r.findings), format_jpy(r.monthly_savings, lang=lang),
                 str(r.skipped) if r.skipped else "")  # fmt: skip
        summary.add_row(*(Text(c) for c in cells))
    out().print(summary)
    print_listing(result.listing, lang, top=top)


def print_listing(
    listing: Listing, lang: Lang, *, top: int | None = None, unit: Unit = "yen"
) -> None:
    """Findings table, largest saving first, then the total and the skipped summary."""
    console = out()
    per_month = t("rules.per_month", lang)
    if not listing.findings:
        console.print(Text(t("rules.none", lang)))
    else:
        shown = listing.findings if top is None else listing.findings[:top]
        table = Table(title=Text(t("rules.title", lang)), title_justify="left", show_lines=False)
        for name, justify in COLUMNS:
            table.add_column(
                Text(t(f"rules.col_{name}", lang)), justify=justify,  # type: ignore[arg-type]
                no_wrap=name != "resource", overflow="fold",
            )  # fmt: skip
        wards = api.context(STATE.workspace).wards  # with [allocation] extra_wards
        for i, f in enumerate(shown, 1):
            ward = wards.get(f["ward"]) if f["ward"] else None
            ward_name = (ward.kanji if lang == "ja" else ward.name_en) if ward else "—"
            conf = _confidence(str(f["confidence"]), lang)
            cells = (
                str(i),
                ward_name,
                str(f["rule_id"]),
                short_resource(f),
                format_jpy(f["estimated_monthly_savings"], unit=unit, lang=lang),
                conf,
            )
            table.add_row(*(Text(c) for c in cells))
        console.print(table)
        for i, f in enumerate(shown, 1):
            rec = f["recommendation_ja"] if lang == "ja" else f["recommendation"]
            console.print(Text(f"{i:>3}. {rec}"))
        more = len(listing.findings) - len(shown)
        if more > 0:
            console.print(Text(t("rules.more", lang, n=more)))
    console.print(Text(t(
        "rules.total", lang, total=format_jpy(listing.total_savings, unit=unit, lang=lang),
        per=per_month, sum=format_jpy(listing.sum_of_savings, unit=unit, lang=lang),
        n=len(listing.findings),
    )))  # fmt: skip
    for rule_id, reason, n, cost in listing.skip_summary():
        example = next(s for s in listing.skipped if s["rule_id"] == rule_id
                       and (s["skip_reason"] or "unknown") == reason)  # fmt: skip
        note = example["recommendation_ja"] if lang == "ja" else example["recommendation"]
        note = note.split(": ", 1)[-1]
        cost_text = format_jpy(cost, unit=unit, lang=lang)
        console.print(Text(t("rules.skipped_line", lang, rule=rule_id, reason=reason, n=n,
                             cost=cost_text, per=per_month, note=note)))  # fmt: skip


def _confidence(value: str, lang: Lang) -> str:
    """高 / 中 / 低 in Japanese; the rule's own word otherwise (or when it is not one of those)."""
    return t(f"rules.confidence_{value}", lang) if value in CONFIDENCES else value


def short_resource(f: dict[str, Any]) -> str:
    """Name tag, else the resource id without its ARN prefix."""
    rid = f["resource_id"] or f["service_name"] or "—"
    if f["resource_name"]:
        return str(f["resource_name"])
    return str(rid).rsplit("/", 1)[-1].rsplit(":", 1)[-1] if str(rid).startswith("arn:") else rid


@guarded
def findings(
    ward: Annotated[
        list[str] | None, typer.Option("--ward", help="Ward code or name (repeatable).")
    ] = None,
    rule: Annotated[
        list[str] | None, typer.Option("--rule", "-r", help="Rule id (repeatable).")
    ] = None,
    format_: FormatOpt = "table",
    unit: Annotated[str, typer.Option(help="yen or thousand (千円), table format.")] = "yen",
    include_skipped: Annotated[
        bool, typer.Option(help="Also list resources a rule could not judge (json/csv).")
    ] = False,
) -> None:
    """List the stored findings, largest saving first, with a total in yen.

    Example: gcfinops findings --ward 世田谷区 --rule storage-class --format json
    """
    language = current_lang()
    fmt = choice(format_, FORMATS)
    unit_ = options.unit(unit)
    codes = _ward_codes(ward or [])
    listing = api.findings(workspace=STATE.workspace, wards=codes or None, rules=rule)
    rows = listing.findings + (listing.skipped if include_skipped else [])
    if fmt == "json":
        emit_json(to_json_rows(rows))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(NAMES)
        for r in rows:
            writer.writerow([_cell(r[n]) for n in NAMES])
    else:
        print_listing(listing, language, unit=unit_)
        return
    total = format_jpy(listing.total_savings, lang=language)
    info(t("rules.listed", language, n=len(listing.findings), total=total))


def _cell(value: Any) -> Any:
    """A findings CSV cell: numbers as numbers, bill text formula-safe (report/safety.py)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(round(value, 6))
    if isinstance(value, str):
        return neutralize(value)
    return "" if value is None else value


def _ward_codes(names: list[str]) -> list[str]:
    if not names:
        return []
    directory = api.context(STATE.workspace).wards
    codes = []
    for name in names:
        code = directory.normalize(name)
        if code is None:
            raise ConfigError(f"--ward {name!r} is not a known ward (code, kanji, kana or romaji)")
        codes.append(code)
    return codes


@guarded
def ingest_metrics(
    paths: Annotated[list[Path], typer.Argument(help="Metric exports (.json, .csv) or folders.")],
    resource_id: Annotated[
        str | None,
        typer.Option(help="Resource the file describes (CloudWatch statistics have no id)."),
    ] = None,
    metric: Annotated[
        str | None, typer.Option(help="Metric name when the file does not say it.")
    ] = None,
    format_: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Read utilization metrics (CloudWatch, Azure Monitor, Cloud Monitoring, CSV) into the lake.

    Example: gcfinops ingest-metrics sample_billing/metrics/ --workspace ./ws
    """
    fmt = choice(format_, ("table", "json"))
    files = api.ingest_metrics(
        paths, workspace=STATE.workspace, resource_id=resource_id, metric=metric
    )
    if fmt == "json":
        emit_json([f.to_dict() for f in files])
        return
    table = Table(title=Text(t("metrics.title")), title_justify="left")
    for key in ("source", "format", "resources", "points", "metrics", "from", "to"):
        table.add_column(Text(t(f"metrics.col_{key}")),
                         justify="right" if key in ("resources", "points") else "left")  # fmt: skip
    for f in files:
        cells = (
            f.source,
            f.format,
            str(f.resources),
            f"{f.points:,}",
            ", ".join(f"{k} {v:,}" for k, v in f.metrics.items()),
            f.start or "",
            f.end or "",
        )
        table.add_row(*(Text(c) for c in cells))
    out().print(table)


@rules_app.command("list")
@guarded
def rules_list(format_: FormatOpt = "table") -> None:
    """List the rules: id, category, title, providers, whether enabled.

    Example: gcfinops rules list --lang en
    """
    language = current_lang()
    fmt = choice(format_, ("table", "json"))
    rules = list(api.rules(workspace=STATE.workspace))
    if fmt == "json":
        emit_json([r.to_dict() for r in rules])
        return
    table = Table(title=Text(t("rules.list_title", language)), title_justify="left")
    for name in ("id", "category", "rule_title", "providers", "enabled"):
        table.add_column(Text(t(f"rules.col_{name}", language)),
                         no_wrap=name in ("id", "category", "enabled"))  # fmt: skip
    for r in rules:
        enabled = t("rules.yes" if r.enabled else "rules.no", language)
        cells = (r.id, r.category, r.title_for(language), ", ".join(r.providers), enabled)
        table.add_row(*(Text(c) for c in cells))
    out().print(table)


@rules_app.command("show")
@guarded
def rules_show(
    rule_id: Annotated[str, typer.Argument(help="Rule id, e.g. idle-nonprod-offhours.")],
    format_: FormatOpt = "table",
) -> None:
    """Show a rule's purpose, thresholds (with their sources) and sources.

    Example: gcfinops rules show storage-class --lang en
    """
    language = current_lang()
    fmt = choice(format_, ("table", "json"))
    rule = api.rules(workspace=STATE.workspace).get(rule_id)
    if fmt == "json":
        emit_json(rule.to_dict())
        return
    console = out()
    console.print(Text.assemble((rule.id, "bold"), f": {rule.title_for(language)}"))
    console.print(Text(t("rules.header", language, category=rule.category,
                         providers=", ".join(rule.providers), basis=rule.cost_basis,
                         confidence=rule.confidence)))  # fmt: skip
    console.print()
    console.print(Text(rule.rationale_ja if language == "ja" and rule.rationale_ja
                       else rule.rationale))  # fmt: skip
    table = Table(title=Text(t("rules.col_param", language)), title_justify="left")
    for key in PARAM_COLUMNS:
        table.add_column(Text(t(f"rules.col_{key}", language)))
    values = rule.params()
    for p in rule.parameters.values():
        desc = p.description_ja if language == "ja" and p.description_ja else p.description
        cells = (
            p.name,
            json.dumps(values[p.name], ensure_ascii=False),
            json.dumps(p.default, ensure_ascii=False),
            p.unit or "",
            desc,
            p.source or "",
        )
        table.add_row(*(Text(c) for c in cells))
    console.print(table)
    console.print(Text(t("rules.sources", language)))
    for source in rule.sources:
        console.print(Text(f"  - {source}"))
    console.print(Text(t("rules.file", language, path=rule.path)))


DEMO_EARLIER_AS_OF = "2025-10-01"  # the sample's FY2025 half year


def demo_analyze(root: Path, samples: Path) -> None:
    """The demo step: ingest the sample metrics, analyze, print the top findings and the total."""
    metrics = samples / "metrics"
    if metrics.exists():
        api.ingest_metrics([metrics], workspace=root)
    # An analysis half a year earlier first, so the finding history (`gcfinops savings`) has
    # a finding acted on since, its saving measured on the bill (docs/savings.md).
    api.analyze(workspace=root, as_of=parse_as_of(DEMO_EARLIER_AS_OF))
    result = api.analyze(workspace=root)
    if not STATE.quiet:
        print_analyze(result, current_lang(), top=10)
