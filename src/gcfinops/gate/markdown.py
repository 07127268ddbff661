"""The gate's Markdown: the job summary (GitHub `$GITHUB_STEP_SUMMARY`, GitLab merge-request
notes). Bill text (group names, resource ids, recommendations) goes through
`report.safety.markdown_cell`: no HTML, no cell breaks.
"""

from __future__ import annotations

from gcfinops.gate.anomalies import AnomalyResult
from gcfinops.gate.model import CheckResult, Contributor, Evaluation
from gcfinops.gate.text import (
    ICONS,
    _amounts,
    _pct,
    anomaly_cells,
    anomaly_columns,
    basis_line,
    mtd_tag,
    offset_summary,
    t,
    threshold_text,
    value_text,
    yen,
)
from gcfinops.jpcalendar import Lang, fy_label
from gcfinops.money import Unit, format_pct
from gcfinops.report.safety import markdown_cell as _md


def _month_label(month: str, lang: Lang) -> str:
    year, mon = month.split("-")
    return f"{year}年{int(mon)}月" if lang == "ja" else month


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
        lines.append(basis_line(result, lang, unit))
    else:
        lines.append(
            f"Compared with {result.previous_month} and {result.yoy_month} · by "
            f"{by.lower()} · {result.cost_column} in JPY"
        )
        lines.append("Thresholds: " + " · ".join(limits))
        lines.append(basis_line(result, lang, unit))
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
    compared = (
        t("target", lang)
        if e.comparison == "target_path"
        else t("budget", lang)
        if e.comparison == "budget"
        else e.comparison
    )
    out.append(f"{compared}: {_amounts(e, lang, unit)}{mtd_tag(e, lang)}")
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
        ("区分", "対象", "比較月", "当月クラウド利用経費", "増加額")
        if lang == "ja"
        else ("Kind", "Item", "Before", "This month (cloud usage)", "Increase")
    )
    return "| " + " | ".join(cols) + " |"


def _contrib_row(c: Contributor, lang: Lang, unit: Unit) -> str:
    return (
        f"| {t(c.dimension, lang)} | {_md(c.key or t('none', lang))} | "
        f"{yen(c.previous_jpy, lang, unit)} | {yen(c.current_jpy, lang, unit)} | "
        f"{yen(c.delta_jpy, lang, unit, signed=True)} |"
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
