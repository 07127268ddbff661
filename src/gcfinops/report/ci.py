"""CI outputs of `gcfinops check` and `gcfinops anomalies`: Markdown, JUnit XML, GitHub Actions.

- Markdown: the job summary (GitHub `$GITHUB_STEP_SUMMARY`, GitLab merge-request notes).
- JUnit XML: one test case per group and threshold, the shape GitLab `artifacts:reports:junit`
  and GitHub test-report actions read (testsuites/testsuite/testcase/failure|skipped).
- Workflow commands `::error` / `::warning` (docs.github.com "Workflow commands for GitHub
  Actions"); data escaped as actions/toolkit `command.ts` does (% CR LF; properties also : ,).
  The runner reads commands on stdout and stderr alike (actions/runner ScriptHandler.cs) and
  keeps 10 of each kind per step (ExecutionContext.cs `_maxIssueCount`).
Every sentence exists in Japanese (default) and English; amounts via `money.format_jpy`.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

from gcfinops.anomalies import Anomaly, AnomalyResult
from gcfinops.check import CheckResult, Contributor, Evaluation
from gcfinops.jpcalendar import Lang, fy_label
from gcfinops.money import Unit, format_jpy, format_pct

MAX_ANNOTATIONS = 10  # per kind and step (actions/runner ExecutionContext._maxIssueCount)
ICONS = {"breach": "❌", "near": "⚠️", "ok": "✅", "skipped": "➖"}
T: dict[str, dict[Lang, str]] = {
    "mom_growth": {"ja": "前月比", "en": "month-on-month"},
    "yoy_growth": {"ja": "前年度同月比", "en": "year-on-year"},
    "increase_jpy": {"ja": "前月からの増加額", "en": "increase on previous month"},
    "over_target_path": {"ja": "3割削減目標ペース超過", "en": "over the path to the 30% cut"},
    "ward": {"ja": "区", "en": "Ward"},
    "system": {"ja": "業務", "en": "Business system"},
    "service": {"ja": "サービス", "en": "Service"},
    "account": {"ja": "アカウント", "en": "Account"},
    "resource": {"ja": "リソース", "en": "Resource"},
    "usage_type": {"ja": "使用タイプ", "en": "Usage type"},
    "quantity": {"ja": "使用量要因", "en": "Quantity (usage)"},
    "price": {"ja": "単価要因", "en": "Unit price"},
    "fx": {"ja": "為替要因", "en": "Exchange rate"},
    "other": {
        "ja": "その他 (数量のない明細: 税・クレジット等)",
        "en": "Other (lines without a quantity: tax, credits …)",
    },
    "total": {"ja": "合計", "en": "Total"},
    "breach": {"ja": "しきい値超過", "en": "threshold exceeded"},
    "ok": {"ja": "すべてしきい値内", "en": "all within thresholds"},
    "current": {"ja": "当月", "en": "This month"},
    "previous": {"ja": "前月", "en": "Previous month"},
    "yoy": {"ja": "前年度同月", "en": "Same month last FY"},
    "target": {"ja": "目標ペース (月額)", "en": "Target path (monthly)"},
    "status": {"ja": "判定", "en": "Status"},
    "none": {"ja": "(なし)", "en": "(none)"},
    "new": {"ja": "新規発生", "en": "new"},
    "used_up": {"ja": "目標枠を使い切り済み", "en": "allowance already used up"},
    "no_data": {"ja": "{m} のデータなし", "en": "no data for {m}"},
    "no_baseline": {"ja": "FY2018基準額なし", "en": "no FY2018 baseline"},
    "off": {"ja": "なし", "en": "off"},
    "floor": {"ja": "増加額の下限", "en": "yen floor"},
}


def t(key: str, lang: Lang) -> str:
    return T[key][lang]


def _pct(value: float | None, lang: Lang, note: str | None = None) -> str:
    if value is None or not math.isfinite(value):
        return t("used_up" if note == "allowance_used_up" else "new", lang)
    return ("+" if value > 0 else "") + format_pct(value / 100, lang)


def yen(amount: float | None, lang: Lang, unit: Unit = "yen", signed: bool = False) -> str:
    text = format_jpy(amount, unit=unit, lang=lang)
    return "+" + text if signed and amount is not None and round(amount) > 0 else text


def value_text(e: Evaluation, lang: Lang, unit: Unit = "yen") -> str:
    """The measured value: a signed percentage, or yen for the increase test."""
    if e.metric == "increase_jpy":
        return yen(e.value, lang, unit, signed=True)
    return _pct(e.value, lang, e.note)


def threshold_text(e: Evaluation, lang: Lang, unit: Unit = "yen") -> str:
    if e.threshold is None:
        return t("off", lang)
    if e.metric == "increase_jpy":
        return yen(e.threshold, lang, unit)
    return format_pct(e.threshold / 100, lang)


def sentence(e: Evaluation, lang: Lang, unit: Unit = "yen") -> str:
    """One line per result, e.g. for an annotation or a JUnit failure message."""
    name = (e.group_name if lang == "ja" else e.group_name_en) or e.group or t("none", lang)
    metric = t(e.metric, lang)
    if e.status == "skipped":
        why = t(e.note or "no_data", lang).format(m=e.comparison)
        return f"{name}: {metric}: {why}"
    base = _amounts(e, lang, unit)
    if lang == "ja":
        verdict = {"breach": "を超過", "near": "に接近", "ok": "以内"}[e.status]
        return (
            f"{name}: {metric} {value_text(e, lang, unit)} ({base}) — しきい値 "
            f"{threshold_text(e, lang, unit)} {verdict}"
        )
    verdict = {"breach": "exceeds", "near": "is close to", "ok": "is within"}[e.status]
    return (
        f"{name}: {metric} {value_text(e, lang, unit)} ({base}) {verdict} the threshold "
        f"{threshold_text(e, lang, unit)}"
    )


def _amounts(e: Evaluation, lang: Lang, unit: Unit) -> str:
    """'before → now, ±change', or for the target path 'now against the allowance'."""
    cur, prev = yen(e.current_jpy, lang, unit), yen(e.previous_jpy, lang, unit)
    delta = yen(e.delta_jpy, lang, unit, signed=True)
    if e.comparison == "target_path":
        if lang == "ja":
            return f"当月 {cur}、目標ペース {prev}、差 {delta}"
        return f"{cur} against a path of {prev}, {delta}"
    return f"{prev} → {cur}{'、' if lang == 'ja' else ', '}{delta}"


# --- Markdown ------------------------------------------------------------------------------


def _month_label(month: str, lang: Lang) -> str:
    year, mon = month.split("-")
    return f"{year}年{int(mon)}月" if lang == "ja" else month


def _md(text: str) -> str:
    """Escape table cells: a pipe or a newline would break the row."""
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(result: CheckResult, lang: Lang = "ja", unit: Unit = "yen") -> str:
    """The job summary: verdict, the group table, then each breach explained."""
    breaches = result.breaches
    groups_hit = len({b.group for b in breaches})
    head = (
        f"{ICONS['breach']} {t('breach', lang)}" if breaches else f"{ICONS['ok']} {t('ok', lang)}"
    )
    if breaches and lang == "ja":
        head += f" ({groups_hit}{t(result.by, lang)}・{len(breaches)}件)"
    elif breaches:
        head += f" ({len(breaches)} in {groups_hit} {t(result.by, lang).lower()}(s))"
    fy = fy_label(result.fiscal_year, lang)
    lines = [f"## gcfinops check: {_month_label(result.month, lang)} ({fy}) — {head}", ""]
    th = result.thresholds
    floor = th.max_increase_jpy
    sep = " " if lang == "ja" else ": "
    limits = [
        f"{t('mom_growth', lang)}{sep}{_limit(th.max_mom_growth, lang)}",
        f"{t('yoy_growth', lang)}{sep}{_limit(th.max_yoy_growth, lang)}",
        f"{t('floor', lang)}{sep}{t('off', lang) if floor is None else yen(floor, lang, unit)}",
        f"{t('over_target_path', lang)}{sep}{_limit(th.max_over_target_path, lang)}",
    ]
    by = t(result.by, lang)
    if lang == "ja":
        lines.append(
            f"比較: 前月 {result.previous_month} / 前年度同月 {result.yoy_month} · "
            f"集計単位: {by} · {result.cost_column} (円換算)"
        )
        lines.append("しきい値: " + " · ".join(limits))
    else:
        lines.append(
            f"Compared with {result.previous_month} and {result.yoy_month} · by "
            f"{by.lower()} · {result.cost_column} in JPY"
        )
        lines.append("Thresholds: " + " · ".join(limits))
    for m in result.missing_months:
        lines.append("")
        lines.append(f"> {ICONS['skipped']} " + t("no_data", lang).format(m=m))
    lines += ["", *_group_table(result, lang, unit)]
    for e in breaches:
        lines += ["", *_breach_section(e, lang, unit)]
    return "\n".join(lines) + "\n"


def _limit(value: float | None, lang: Lang) -> str:
    return t("off", lang) if value is None else format_pct(value / 100, lang)


def _group_table(result: CheckResult, lang: Lang, unit: Unit) -> list[str]:
    by_group: dict[str | None, list[Evaluation]] = {}
    for e in result.evaluations:
        by_group.setdefault(e.group, []).append(e)
    cols = [
        t(result.by, lang),
        t("current", lang),
        t("previous", lang),
        t("mom_growth", lang),
        t("yoy", lang),
        t("yoy_growth", lang),
        t("status", lang),
    ]
    cols = [c[:1].upper() + c[1:] for c in cols]
    rows = ["| " + " | ".join(cols) + " |", "|---|---:|---:|---:|---:|---:|:---:|"]
    order = ("breach", "near", "ok", "skipped")  # skipped shows only when nothing was tested
    for group in sorted(result.totals, key=lambda g: (g is None, g or "")):
        months = result.totals[group]
        evals = by_group.get(group, [])
        name = next((e.group_name if lang == "ja" else e.group_name_en for e in evals), None)
        cur = months.get(result.month, 0.0)
        prev, yoy = months.get(result.previous_month), months.get(result.yoy_month)
        worst = min((order.index(e.status) for e in evals), default=3)
        rows.append(
            "| "
            + " | ".join(
                [
                    _md(name or group or t("none", lang)),
                    yen(cur, lang, unit),
                    yen(prev, lang, unit),
                    _growth(cur, prev, result.previous_month in result.missing_months, lang),
                    yen(yoy, lang, unit),
                    _growth(cur, yoy, result.yoy_month in result.missing_months, lang),
                    ICONS[order[worst]],
                ]
            )
            + " |"
        )
    return rows


def _growth(cur: float, base: float | None, missing: bool, lang: Lang) -> str:
    if missing:
        return "—"
    base = base or 0.0
    if base <= 0:
        return t("new", lang) if cur > 0 else "—"
    return _pct((cur - base) / base * 100, lang)


def _breach_section(e: Evaluation, lang: Lang, unit: Unit) -> list[str]:
    name = (e.group_name if lang == "ja" else e.group_name_en) or e.group or t("none", lang)
    out = [
        f"### {ICONS['breach']} {_md(name)} — {t(e.metric, lang)} {value_text(e, lang, unit)}"
        f" ({'しきい値' if lang == 'ja' else 'threshold'} {threshold_text(e, lang, unit)})",
        "",
    ]
    compared = t("target", lang) if e.comparison == "target_path" else e.comparison
    out.append(f"{compared}: {_amounts(e, lang, unit)}")
    d = e.decomposition
    if d is not None:
        title = "増減の要因分解" if lang == "ja" else "What changed (decomposition)"
        amount = "金額" if lang == "ja" else "Amount"
        out += [
            "",
            f"**{title}**",
            "",
            f"| {'要因' if lang == 'ja' else 'Effect'} | {amount} |",
            "|---|---:|",
        ]
        for key, value in (
            ("quantity", d.quantity_jpy),
            ("price", d.price_jpy),
            ("fx", d.fx_jpy),
            ("other", d.other_jpy),
            ("total", d.total_jpy),
        ):
            out.append(f"| {t(key, lang)} | {yen(value, lang, unit, signed=True)} |")
    if e.top_contributors:
        title = "増加の主な内訳" if lang == "ja" else "Top contributors"
        out += ["", f"**{title}**", "", _contrib_header(lang), "|---|---|---:|---:|---:|"]
        out += [_contrib_row(c, lang, unit) for c in e.top_contributors]
    if e.offsets:
        out += ["", f"**{offset_summary(e, lang, unit)}**", ""]
        cols = (
            ("ルール", "リソース", "増加したリソース", "月額削減見込", "推奨")
            if lang == "ja"
            else ("Rule", "Resource", "Grew", "Saving / month", "Recommendation")
        )
        out += ["| " + " | ".join(cols) + " |", "|---|---|:---:|---:|---|"]
        for o in e.offsets:
            rec = (o.recommendation_ja if lang == "ja" else o.recommendation) or ""
            out.append(
                f"| {_md(o.rule_id)} | {_md(o.resource_id or t('none', lang))} | "
                f"{'✓' if o.on_growth else ''} | "
                f"{yen(o.estimated_monthly_savings, lang, unit)} | {_md(rec)} |"
            )
    return out


def _contrib_header(lang: Lang) -> str:
    cols = (
        ("区分", "対象", "比較月", "当月", "増加額")
        if lang == "ja"
        else ("Kind", "Item", "Before", "This month", "Increase")
    )
    return "| " + " | ".join(cols) + " |"


def _contrib_row(c: Contributor, lang: Lang, unit: Unit) -> str:
    return (
        f"| {t(c.dimension, lang)} | {_md(c.key or t('none', lang))} | "
        f"{yen(c.previous_jpy, lang, unit)} | {yen(c.current_jpy, lang, unit)} | "
        f"{yen(c.delta_jpy, lang, unit, signed=True)} |"
    )


def anomaly_columns(lang: Lang) -> tuple[str, ...]:
    if lang == "ja":
        return ("日 (JST)", "区分", "対象", "当日", "中央値", "超過額", "スコア")
    return ("Day (JST)", "Kind", "Item", "Cost", "Median", "Excess", "Score")


def anomaly_cells(a: Anomaly, lang: Lang, unit: Unit = "yen") -> tuple[str, ...]:
    """One anomaly as table cells, in the order of `anomaly_columns`."""
    return (
        str(a.day),
        t(a.dimension, lang),
        a.name or t("none", lang),
        yen(a.cost_jpy, lang, unit),
        yen(a.median_jpy, lang, unit),
        yen(a.excess_jpy, lang, unit, signed=True),
        "∞" if a.score is None else f"{a.score:.1f}",
    )


def render_anomalies_markdown(result: AnomalyResult, lang: Lang = "ja", unit: Unit = "yen") -> str:
    """Anomalous days as a Markdown table, for the job summary."""
    s = result.settings
    n = len(result.anomalies)
    if lang == "ja":
        verdict = f"{ICONS['near']} 異常 {n} 件" if n else f"{ICONS['ok']} 異常なし"
        head = f"## gcfinops anomalies: {result.first_day} 〜 {result.last_day} — {verdict}"
        method = (
            f"直近 {s.days} 日の中央値 + {s.k:g} × MAD (×1.4826) を超え、かつ中央値より "
            f"{yen(s.min_jpy, lang, unit)} 以上高い日 · {result.series} 系列"
        )
    else:
        verdict = f"{ICONS['near']} {n} anomalies" if n else f"{ICONS['ok']} none"
        head = f"## gcfinops anomalies: {result.first_day} to {result.last_day} — {verdict}"
        method = (
            f"days above the median of the previous {s.days} days + {s.k:g} × MAD "
            f"(×1.4826) and at least {yen(s.min_jpy, lang, unit)} above the median · "
            f"{result.series} series"
        )
    lines = [head, "", method]
    if result.anomalies:
        lines += [
            "",
            "| " + " | ".join(anomaly_columns(lang)) + " |",
            "|---|---|---|---:|---:|---:|---:|",
        ]
        lines += [
            "| " + " | ".join(_md(c) for c in anomaly_cells(a, lang, unit)) + " |"
            for a in result.anomalies
        ]
    return "\n".join(lines) + "\n"


# --- JUnit XML -----------------------------------------------------------------------------


def render_junit(result: CheckResult, lang: Lang = "ja", unit: Unit = "yen") -> str:
    """One test case per group × threshold: failure on a breach, skipped when not comparable."""
    cases = result.evaluations
    counts = {
        "tests": str(len(cases)),
        "failures": str(sum(e.status == "breach" for e in cases)),
        "errors": "0",
        "skipped": str(sum(e.status == "skipped" for e in cases)),
    }
    root = ET.Element("testsuites", {"name": "gcfinops check", **counts})
    suite = ET.SubElement(
        root,
        "testsuite",
        {"name": f"gcfinops check {result.month} by {result.by}", **counts, "time": "0"},
    )
    props = ET.SubElement(suite, "properties")
    for key, value in (
        ("month", result.month),
        ("previous_month", result.previous_month),
        ("yoy_month", result.yoy_month),
        ("by", result.by),
        ("cost_column", result.cost_column),
        ("status", result.status),
    ):
        ET.SubElement(props, "property", {"name": key, "value": value})
    for e in cases:
        name = (e.group_name if lang == "ja" else e.group_name_en) or e.group or t("none", lang)
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": f"gcfinops.check.{result.by}.{e.group or 'unallocated'}",
                "name": f"{name} · {e.metric}",
                "time": "0",
            },
        )
        text = sentence(e, lang, unit)
        if e.status == "breach":
            failure = ET.SubElement(case, "failure", {"type": e.metric, "message": text})
            failure.text = "\n".join([text, *explanation_lines(e, lang, unit)])
        elif e.status == "skipped":
            ET.SubElement(case, "skipped", {"message": text})
        else:
            ET.SubElement(case, "system-out").text = text
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def explanation_lines(e: Evaluation, lang: Lang, unit: Unit = "yen") -> list[str]:
    """Plain-text lines under a breach: decomposition, contributors, offsetting findings."""
    lines = []
    d = e.decomposition
    if d is not None:
        parts = (
            ("quantity", d.quantity_jpy),
            ("price", d.price_jpy),
            ("fx", d.fx_jpy),
            ("other", d.other_jpy),
        )
        lines.append(
            " · ".join(
                f"{t(k, lang).split(' (')[0]} {yen(v, lang, unit, signed=True)}" for k, v in parts
            )
        )
    for c in e.top_contributors:
        lines.append(
            f"{t(c.dimension, lang)}: {c.key or t('none', lang)} "
            f"{yen(c.delta_jpy, lang, unit, signed=True)}"
        )
    if e.offsets:
        lines.append(offset_summary(e, lang, unit))
        lines += [
            f"  {o.rule_id} {o.resource_id or t('none', lang)} "
            f"{yen(o.estimated_monthly_savings, lang, unit)}{'/月' if lang == 'ja' else '/month'}"
            for o in e.offsets
        ]
    return lines


def offset_summary(e: Evaluation, lang: Lang, unit: Unit = "yen") -> str:
    """What the findings of `gcfinops analyze` would save: on the resources that grew, in all."""
    grown = yen(e.offset_growth_jpy or 0.0, lang, unit)
    total = yen(e.offset_total_jpy, lang, unit)
    if lang == "ja":
        return (
            f"相殺できる指摘 (gcfinops analyze): 増加したリソース分 月額 {grown}、全体 月額 {total}"
        )
    return (
        f"Findings that would offset it (gcfinops analyze): {grown}/month on resources that "
        f"grew, {total}/month in all"
    )


# --- GitHub Actions ------------------------------------------------------------------------


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, title: str, message: str) -> str:
    return f"::{kind} title={escape_property(title)}::{escape_data(message)}"


def _capped(kind: str, title: str, messages: list[str], lang: Lang) -> list[str]:
    if len(messages) > MAX_ANNOTATIONS:
        rest = len(messages) - MAX_ANNOTATIONS + 1
        more = (
            f"ほか {rest} 件 (ジョブサマリー参照)"
            if lang == "ja"
            else f"… and {rest} more (see the job summary)"
        )
        messages = [*messages[: MAX_ANNOTATIONS - 1], more]
    return [_command(kind, title, m) for m in messages]


def check_annotations(result: CheckResult, lang: Lang = "ja", unit: Unit = "yen") -> list[str]:
    """`::error` per breach, `::warning` per near miss or skipped test (10 of each at most)."""
    title = f"gcfinops check {result.month}"
    errors = [sentence(e, lang, unit) for e in result.evaluations if e.status == "breach"]
    warnings = [
        sentence(e, lang, unit) for e in result.evaluations if e.status in ("near", "skipped")
    ]
    return _capped("error", title, errors, lang) + _capped("warning", title, warnings, lang)


def anomaly_series(result: AnomalyResult, lang: Lang = "ja", unit: Unit = "yen") -> list[str]:
    """One sentence per anomalous series: first day, days flagged, largest excess."""
    flagged: dict[tuple[str, str | None], list[Anomaly]] = {}
    for a in result.anomalies:
        flagged.setdefault((a.dimension, a.key), []).append(a)
    out = []
    for (dim, _), days in flagged.items():
        name, first = days[0].name or t("none", lang), days[0].day
        top = yen(max(a.excess_jpy for a in days), lang, unit, signed=True)
        if lang == "ja":
            out.append(f"{t(dim, lang)} {name}: {first} から {len(days)} 日、中央値より最大 {top}")
        else:
            out.append(
                f"{t(dim, lang)} {name}: {len(days)} day(s) from {first}, "
                f"up to {top} above the median"
            )
    return out


def anomaly_annotations(result: AnomalyResult, lang: Lang = "ja", unit: Unit = "yen") -> list[str]:
    """One `::warning` per anomalous series (10 at most)."""
    title = f"gcfinops anomalies {result.month}"
    return _capped("warning", title, anomaly_series(result, lang, unit), lang)


def append_step_summary(path: str | Path, markdown: str) -> None:
    """Append to the GitHub job summary file (it may hold other steps' output)."""
    with Path(path).open("a", encoding="utf-8") as f:
        f.write(markdown if markdown.endswith("\n") else markdown + "\n")
