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

from gcfinops import api
from gcfinops.cli.engine_option import EngineOpt
from gcfinops.cli.output import STATE, emit_json, guarded, info, out
from gcfinops.engine import AnalyzeResult, parse_as_of
from gcfinops.errors import ConfigError
from gcfinops.findings import FORMATS, NAMES, Listing, to_json_rows
from gcfinops.money import Lang, Unit, format_jpy
from gcfinops.ruleset import Rule

rules_app = typer.Typer(help="Show the rules `analyze` runs.", no_args_is_help=True)

LangOpt = Annotated[str, typer.Option("--lang", help="ja (default) or en.")]
FormatOpt = Annotated[str, typer.Option("--format", help="table, json or csv.")]

T = {  # user-facing words, Japanese first
    "ja": {"rank": "順位", "rule": "ルール", "ward": "区", "resource": "リソース",
           "saving": "月額削減見込み", "cost": "月額費用", "conf": "確度", "rec": "推奨",
           "total": "合計 (リソースごとに最大の削減額を 1 回だけ計上)", "sum": "単純合計",
           "findings": "検出", "skipped": "判定できなかったリソース", "none": "検出はありません",
           "as_of": "基準時点", "title": "削減候補", "resources": "件",
           "param": "パラメータ", "value": "値", "default": "既定値", "unit": "単位",
           "source": "出典", "desc": "説明"},
    "en": {"rank": "#", "rule": "Rule", "ward": "Ward", "resource": "Resource",
           "saving": "Saving/month", "cost": "Cost/month", "conf": "Confidence",
           "rec": "Recommendation", "total": "Total (each resource once, at its largest saving)",
           "sum": "Plain sum", "findings": "findings", "skipped": "Resources not evaluated",
           "none": "No findings", "as_of": "as of", "title": "Savings opportunities",
           "resources": "resources", "param": "Parameter", "value": "Value",
           "default": "Default", "unit": "Unit", "source": "Source", "desc": "Description"},
}  # fmt: skip
CONFIDENCE = {"ja": {"high": "高", "medium": "中", "low": "低"}}


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
    app.command("findings")(findings)
    app.command("ingest-metrics")(ingest_metrics)
    app.add_typer(rules_app, name="rules")


def _lang(value: str) -> Lang:
    if value not in ("ja", "en"):
        raise ConfigError(f"--lang must be ja or en (found {value!r})")
    return "ja" if value == "ja" else "en"


def _format(value: str, allowed: tuple[str, ...] = FORMATS) -> str:
    if value not in allowed:
        raise ConfigError(f"--format must be one of {', '.join(allowed)} (found {value!r})")
    return value


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
    lang: LangOpt = "ja",
    format_: FormatOpt = "table",
    lock_timeout: Annotated[float, typer.Option(help="Seconds to wait for an ingest.")] = 600.0,
    engine: EngineOpt = None,
) -> None:
    """Run the rules over the lake and store the findings (replacing the previous ones).

    Example: gcfinops -w ./ws analyze --rule idle-nonprod-offhours --lang en
    """
    language = _lang(lang)
    fmt = _format(format_, ("table", "json"))
    when = parse_as_of(as_of) if as_of else None
    result = api.analyze(
        workspace=STATE.workspace, rules=rule, as_of=when, lock_timeout=lock_timeout,
        engine=engine,
    )  # fmt: skip
    if fmt == "json":
        emit_json(analyze_json(result))
        return
    print_analyze(result, language, top=top)


def analyze_json(result: AnalyzeResult) -> dict[str, Any]:
    """The analyze summary as JSON: run, per-rule counts, totals, findings and skipped rows."""
    listing = result.listing
    return {
        "run_id": result.run_id,
        "as_of": result.as_of.isoformat(),
        "rules": [
            {
                "rule_id": r.rule_id,
                "findings": r.findings,
                "skipped": r.skipped,
                "monthly_savings_jpy": round(r.monthly_savings),
                "seconds": r.seconds,
                "params": r.params,
            }
            for r in result.runs
        ],
        "total_monthly_savings_jpy": round(listing.total_savings),
        "sum_of_monthly_savings_jpy": round(listing.sum_of_savings),
        "findings": to_json_rows(listing.findings),
        "skipped": to_json_rows(listing.skipped),
    }


def print_analyze(result: AnalyzeResult, lang: Lang, *, top: int = 15) -> None:
    """Per-rule summary, the top findings with a yen total, and what could not be judged."""
    t = T[lang]
    summary = Table(
        title=f"analyze ({t['as_of']} {result.as_of:%Y-%m-%d %H:%M} UTC)", title_justify="left"
    )
    summary.add_column(t["rule"])
    summary.add_column(t["findings"], justify="right")
    summary.add_column(t["saving"], justify="right")
    summary.add_column(t["skipped"], justify="right")
    for r in result.runs:
        summary.add_row(r.rule_id, str(r.findings), format_jpy(r.monthly_savings, lang=lang),
                        str(r.skipped) if r.skipped else "")  # fmt: skip
    out().print(summary)
    print_listing(result.listing, lang, top=top)


def print_listing(
    listing: Listing, lang: Lang, *, top: int | None = None, unit: Unit = "yen"
) -> None:
    """Findings table, largest saving first, then the total and the skipped summary."""
    t = T[lang]
    console = out()
    if not listing.findings:
        console.print(t["none"])
    else:
        shown = listing.findings if top is None else listing.findings[:top]
        table = Table(title=t["title"], title_justify="left", show_lines=False)
        columns = (("rank", "right"), ("ward", "left"), ("rule", "left"),
                   ("resource", "left"), ("saving", "right"), ("conf", "left"))  # fmt: skip
        for name, justify in columns:
            table.add_column(
                t[name], justify=justify,  # type: ignore[arg-type]
                no_wrap=name != "resource", overflow="fold",
            )  # fmt: skip
        wards = api.context(STATE.workspace).wards  # with [allocation] extra_wards
        for i, f in enumerate(shown, 1):
            ward = wards.get(f["ward"]) if f["ward"] else None
            ward_name = (ward.kanji if lang == "ja" else ward.name_en) if ward else "—"
            conf = CONFIDENCE.get(lang, {}).get(f["confidence"], f["confidence"])
            table.add_row(str(i), ward_name, f["rule_id"], short_resource(f),
                          format_jpy(f["estimated_monthly_savings"], unit=unit, lang=lang),
                          conf)  # fmt: skip
        console.print(table)
        for i, f in enumerate(shown, 1):
            rec = f["recommendation_ja"] if lang == "ja" else f["recommendation"]
            console.print(f"{i:>3}. {rec}", markup=False, highlight=False)
        more = len(listing.findings) - len(shown)
        if more > 0:
            console.print(f"… +{more} {t['findings']} (gcfinops findings)")
    console.print(
        f"{t['total']}: {format_jpy(listing.total_savings, unit=unit, lang=lang)}"
        f" / {'月' if lang == 'ja' else 'month'}"
        f"  ({t['sum']}: {format_jpy(listing.sum_of_savings, unit=unit, lang=lang)},"
        f" {len(listing.findings)} {t['findings']})"
    )
    for rule_id, reason, n, cost in listing.skip_summary():
        example = next(s for s in listing.skipped if s["rule_id"] == rule_id
                       and (s["skip_reason"] or "unknown") == reason)  # fmt: skip
        note = example["recommendation_ja"] if lang == "ja" else example["recommendation"]
        note = note.split(": ", 1)[-1]
        console.print(
            f"{t['skipped']} — {rule_id} ({reason}): {n} {t['resources']}, "
            f"{format_jpy(cost, unit=unit, lang=lang)}/{'月' if lang == 'ja' else 'month'}. {note}"
        )


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
    lang: LangOpt = "ja",
    unit: Annotated[str, typer.Option(help="yen or thousand (千円), table format.")] = "yen",
    include_skipped: Annotated[
        bool, typer.Option(help="Also list resources a rule could not judge (json/csv).")
    ] = False,
) -> None:
    """List the stored findings, largest saving first, with a total in yen.

    Example: gcfinops findings --ward 世田谷区 --rule storage-class --format json
    """
    language = _lang(lang)
    fmt = _format(format_)
    if unit not in ("yen", "thousand"):
        raise ConfigError(f"--unit must be yen or thousand (found {unit!r})")
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
        print_listing(listing, language, unit="thousand" if unit == "thousand" else "yen")
        return
    info(
        f"{len(listing.findings)} findings; total {format_jpy(listing.total_savings, lang='en')}"
        "/month (each resource once)"
    )


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(round(value, 6))
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
    fmt = _format(format_, ("table", "json"))
    files = api.ingest_metrics(
        paths, workspace=STATE.workspace, resource_id=resource_id, metric=metric
    )
    if fmt == "json":
        emit_json([f.__dict__ for f in files])
        return
    table = Table(title="Metrics ingested", title_justify="left")
    for name in ("Source", "Format", "Resources", "Points", "Metrics", "From", "To"):
        table.add_column(name, justify="right" if name in ("Resources", "Points") else "left")
    for f in files:
        table.add_row(f.source, f.format, str(f.resources), f"{f.points:,}",
                      ", ".join(f"{k} {v:,}" for k, v in f.metrics.items()),
                      f.start or "", f.end or "")  # fmt: skip
    out().print(table)


@rules_app.command("list")
@guarded
def rules_list(lang: LangOpt = "ja", format_: FormatOpt = "table") -> None:
    """List the rules: id, category, title, providers, whether enabled.

    Example: gcfinops rules list --lang en
    """
    language = _lang(lang)
    fmt = _format(format_, ("table", "json"))
    rules = list(api.rules(workspace=STATE.workspace))
    if fmt == "json":
        emit_json([rule_json(r) for r in rules])
        return
    table = Table(title="rules", title_justify="left")
    for name in ("id", "category", "title", "providers", "enabled"):
        table.add_column(name, no_wrap=name in ("id", "category", "enabled"))
    for r in rules:
        table.add_row(r.id, r.category, r.title_for(language), ", ".join(r.providers),
                      "yes" if r.enabled else "no")  # fmt: skip
    out().print(table)


def rule_json(rule: Rule) -> dict[str, Any]:
    """A rule's header as JSON (parameters with effective values)."""
    return {
        "id": rule.id, "title": rule.title, "title_ja": rule.title_ja,
        "category": rule.category, "providers": list(rule.providers),
        "cost_basis": rule.cost_basis, "confidence": rule.confidence,
        "enabled": rule.enabled, "builtin": rule.builtin, "path": str(rule.path),
        "rationale": rule.rationale, "rationale_ja": rule.rationale_ja,
        "sources": list(rule.sources),
        "parameters": {
            p.name: {"value": rule.params()[p.name], "default": p.default, "type": p.type,
                     "unit": p.unit, "description": p.description, "source": p.source}
            for p in rule.parameters.values()
        },
    }  # fmt: skip


@rules_app.command("show")
@guarded
def rules_show(
    rule_id: Annotated[str, typer.Argument(help="Rule id, e.g. idle-nonprod-offhours.")],
    lang: LangOpt = "ja",
    format_: FormatOpt = "table",
) -> None:
    """Show a rule's purpose, thresholds (with their sources) and sources.

    Example: gcfinops rules show storage-class --lang en
    """
    language = _lang(lang)
    fmt = _format(format_, ("table", "json"))
    rule = api.rules(workspace=STATE.workspace).get(rule_id)
    if fmt == "json":
        emit_json(rule_json(rule))
        return
    t = T[language]
    console = out()
    console.print(f"[bold]{rule.id}[/]: {rule.title_for(language)}", highlight=False)
    console.print(f"category: {rule.category} · providers: {', '.join(rule.providers)} · "
                  f"cost basis: {rule.cost_basis} · confidence: {rule.confidence}")  # fmt: skip
    console.print()
    console.print(rule.rationale_ja if language == "ja" and rule.rationale_ja else rule.rationale)
    table = Table(title=t["param"], title_justify="left")
    for key in ("param", "value", "default", "unit", "desc", "source"):
        table.add_column(t[key])
    values = rule.params()
    for p in rule.parameters.values():
        desc = p.description_ja if language == "ja" and p.description_ja else p.description
        table.add_row(p.name, json.dumps(values[p.name], ensure_ascii=False),
                      json.dumps(p.default, ensure_ascii=False), p.unit or "", desc,
                      p.source or "")  # fmt: skip
    console.print(table)
    console.print(f"{t['source']}:")
    for s in rule.sources:
        console.print(f"  - {s}", markup=False)
    console.print(f"file: {rule.path}", markup=False)


def demo_analyze(root: Path, samples: Path) -> None:
    """The demo step: ingest the sample metrics, analyze, print the top findings and the total."""
    metrics = samples / "metrics"
    if metrics.exists():
        api.ingest_metrics([metrics], workspace=root)
    result = api.analyze(workspace=root)
    if not STATE.quiet:
        print_analyze(result, "ja", top=10)
