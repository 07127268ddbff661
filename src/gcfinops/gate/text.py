"""Sentences of the gate's outputs, in Japanese (default) and English; amounts via
`money.format_jpy`. Shared by the Markdown summary, JUnit XML and GitHub annotations.
"""

from __future__ import annotations

import math

from gcfinops import tax
from gcfinops.gate.anomalies import Anomaly
from gcfinops.gate.model import CheckResult, Evaluation
from gcfinops.jpcalendar import Lang
from gcfinops.money import Unit, format_jpy, format_pct

ICONS = {"breach": "❌", "near": "⚠️", "ok": "✅", "skipped": "➖"}
T: dict[str, dict[Lang, str]] = {
    "mom_growth": {"ja": "前月比", "en": "month-on-month"},
    "yoy_growth": {"ja": "前年度同月比", "en": "year-on-year"},
    "increase_jpy": {"ja": "前月からの増加額", "en": "increase on previous month"},
    "over_target_path": {"ja": "3割削減目標ペース超過", "en": "over the path to the 30% cut"},
    "over_budget": {"ja": "予算超過見込 (年度末見込/予算)", "en": "forecast over budget"},
    "budget": {"ja": "予算現額と年度末見込", "en": "Budget and FY-end forecast"},
    "no_budget": {"ja": "予算未登録 (gcfinops budget import)", "en": "no budget imported"},
    "no_forecast": {"ja": "年度末見込なし", "en": "no FY-end forecast"},
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
    # the gate compares cloud usage only; the report's 当月 is the total (issue #17 item 7)
    "current": {"ja": "当月クラウド利用経費", "en": "This month (cloud usage)"},
    "previous": {"ja": "前月", "en": "Previous month"},
    "yoy": {"ja": "前年度同月", "en": "Same month last FY"},
    "target": {"ja": "目標ペース (月額)", "en": "Target path (monthly)"},
    "status": {"ja": "判定", "en": "Status"},
    "none": {"ja": "(なし)", "en": "(none)"},
    "new": {"ja": "新規発生", "en": "new"},
    "used_up": {"ja": "目標枠を使い切り済み", "en": "allowance already used up"},
    "no_data": {"ja": "{m} のデータなし", "en": "no data for {m}"},
    "no_baseline": {"ja": "基準年度の基準額なし", "en": "no baseline for the base year"},
    "off": {"ja": "なし", "en": "off"},
    "floor": {"ja": "増加額の下限", "en": "yen floor"},
    "run_rate": {"ja": "月末見込み", "en": "Full-month run rate"},
}


def mtd_tag(e: Evaluation, lang: Lang) -> str:
    """' [月途中: 各月1〜10日]' for an evaluation of an incomplete month, '' otherwise."""
    if e.complete or e.through is None:
        return ""
    day = int(e.through[8:10])
    if lang == "ja":
        return f" [月途中: 各月1〜{day}日で比較]"
    return f" [month to date: days 1–{day} of each month]"


def basis_line(result: CheckResult, lang: Lang, unit: Unit = "yen") -> str:
    """The period and tax basis every output prints: complete or month-to-date, 税込 / 税抜."""
    basis = tax.label("excluded" if result.tax_basis == "excluded" else "included", lang)
    start = f"{result.month}-01"
    if result.complete:
        period = (
            f"{start}〜{result.through} (月全体)"
            if lang == "ja"
            else f"{start} to {result.through} (whole month)"
        )
    else:
        day = int(result.through[8:10]) if result.through else 0
        total = sum(result.run_rates.values())
        lag = ", ".join(result.lagging_accounts)
        if lang == "ja":
            period = (
                f"{start}〜{result.through} (月途中: 前月・前年度同月も1〜{day}日で比較、"
                f"月末見込み 合計 {yen(total, lang, unit)}、未着: {lag})"
            )
        else:
            period = (
                f"{start} to {result.through} (month to date: the previous month and the same "
                f"month last FY are compared over days 1–{day} too; full-month run rate "
                f"{yen(total, lang, unit)} in all; behind: {lag})"
            )
    if lang == "ja":
        scope = "金額はクラウド利用経費のみ（その他の運用経費を含まない）"
        return f"対象期間: {period} · 消費税: {basis} · {scope}"
    return (
        f"Period: {period} · consumption tax: {basis} · amounts are cloud usage only "
        "(other operating costs not included)"
    )


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
    tag = mtd_tag(e, lang)
    if lang == "ja":
        verdict = {"breach": "を超過", "near": "に接近", "ok": "以内"}[e.status]
        return (
            f"{name}: {metric} {value_text(e, lang, unit)} ({base}) — しきい値 "
            f"{threshold_text(e, lang, unit)} {verdict}{tag}"
        )
    verdict = {"breach": "exceeds", "near": "is close to", "ok": "is within"}[e.status]
    return (
        f"{name}: {metric} {value_text(e, lang, unit)} ({base}) {verdict} the threshold "
        f"{threshold_text(e, lang, unit)}{tag}"
    )


def _amounts(e: Evaluation, lang: Lang, unit: Unit) -> str:
    """'before → now, ±change', or for the target path 'now against the allowance'."""
    cur, prev = yen(e.current_jpy, lang, unit), yen(e.previous_jpy, lang, unit)
    delta = yen(e.delta_jpy, lang, unit, signed=True)
    if e.comparison == "budget":
        if lang == "ja":
            return f"年度末見込 {cur}、予算現額 {prev}、差 {delta}"
        return f"forecast {cur} against a budget of {prev}, {delta}"
    if e.comparison == "target_path":
        if lang == "ja":
            return f"当月クラウド利用経費 {cur}、目標ペース {prev}、差 {delta}"
        return f"{cur} against a path of {prev}, {delta}"
    text = f"{prev} → {cur}{'、' if lang == 'ja' else ', '}{delta}"
    if e.run_rate_jpy is not None:
        rate = yen(e.run_rate_jpy, lang, unit)
        text += f"、月末見込み {rate}" if lang == "ja" else f", full-month run rate {rate}"
    return text


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
