"""The top of the handout: header block, 要旨 (three sentences), 総括表, targets, the 削減候補
by kind and the one-line-per-currency FX table.

These are the parts a 財政課 reader meets first; the detail tables live in `report.lines`,
`report.view` and the appendix (別紙).
"""

from __future__ import annotations

from typing import Any

from gcfinops.report.cells import change_cell, difference, ratio_cell
from gcfinops.report.header import ReportHeader, through_day, today_jst
from gcfinops.report.i18n import Fmt
from gcfinops.report.lines import is_closed
from gcfinops.report.model import ReportData, WardReport
from gcfinops.report.tables import Cell, Col, Table

# baseline.BASIS values (決算 = settled accounts, 予算 = budget) in English text
_BASIS_EN = {"決算": "settled", "予算": "budget"}


def title(data: ReportData, f: Fmt) -> str:
    if data.is_multi_ward:
        return f.t("doc.title_multi", fy=f.fy(data.fiscal_year))
    w = data.wards[0]
    return f.t(
        "doc.title", ward_name=f.name(w.ward_name, w.ward_name_en), fy=f.fy(data.fiscal_year)
    )


def header(data: ReportData, f: Fmt) -> ReportHeader:
    """The header block: title, 資料番号 / 作成日 / 作成部署, and the last usage day covered."""
    meta = data.handout
    day = meta.prepared_on or today_jst()
    return ReportHeader(
        title=title(data, f),
        prepared_on=day,
        prepared_on_label=f.date(day),
        through_label=f.t("doc.through", day=f.date(through_day(data.as_of))),
        department=meta.department,
        document_number=meta.document_number,
    )


def _months(w: WardReport, f: Fmt) -> tuple[str, str]:
    months = [m for m in w.by_month if m.status != "future"]
    if not months:
        return "—", "—"
    return f.month(months[0].month), f.month(months[-1].month)


def _previous_span(w: WardReport, f: Fmt) -> tuple[str, str]:
    months = [m for m in w.by_month if m.status != "future"]
    if not months:
        return "—", "—"
    return f.month(months[0].previous_month), f.month(months[-1].previous_month)


def year_amount(w: WardReport) -> float | None:
    """The year's figure: the actual once closed, else the 決算見込額."""
    return w.actual_to_date_jpy if is_closed(w) else w.forecast_jpy


def summary_sentences(w: WardReport, data: ReportData, f: Fmt) -> list[str]:
    """要旨: the ratio to the baseline, the gap to the target, the change on the previous year."""
    closed = is_closed(w)
    fy = f.fy(data.fiscal_year)
    amount = year_amount(w)
    if amount is None:
        first = f.t("summary.no_forecast", fy=fy, amount=f.yen(w.actual_to_date_jpy))
    elif w.baseline_jpy:
        first = f.t(
            "summary.closed" if closed else "summary.forecast",
            fy=fy,
            amount=f.yen(amount),
            base_fy=f.fy(w.baseline_fiscal_year),
            baseline=f.yen(w.baseline_jpy),
            ratio=f.ratio(amount / w.baseline_jpy),
        )
    else:
        key = "summary.closed_no_base" if closed else "summary.forecast_no_base"
        first = f.t(key, fy=fy, amount=f.yen(amount))
    gap = w.gap_to_target_jpy
    target_ratio = f.ratio(w.target.ratio)
    if gap is None or w.target.amount_jpy is None:
        second = f.t("summary.no_target")
    elif gap <= 0:
        second = f.t(
            "summary.met_closed" if closed else "summary.met",
            target=f.yen(w.target.amount_jpy), target_ratio=target_ratio, gap=f.yen(-gap),
        )  # fmt: skip
    elif w.findings_available and w.findings_count and w.forecast_after_savings_ratio is not None:
        second = f.t(
            "summary.above", target=f.yen(w.target.amount_jpy), target_ratio=target_ratio,
            gap=f.yen(gap), count=w.findings_count, savings=f.yen(w.identified_savings_jpy),
            after_ratio=f.ratio(w.forecast_after_savings_ratio),
        )  # fmt: skip
    else:
        second = f.t(
            "summary.above_no_findings", target=f.yen(w.target.amount_jpy),
            target_ratio=target_ratio, gap=f.yen(gap),
        )  # fmt: skip
    if amount is None or not w.previous_fy_total_jpy:
        third = f.t("summary.previous_none")
    else:
        rate = change_cell(amount, w.previous_fy_total_jpy, f)
        third = f.t(
            "summary.previous",
            prev_fy=f.fy(data.fiscal_year - 1),
            previous=f.yen(w.previous_fy_total_jpy),
            change=f.yen(amount - w.previous_fy_total_jpy),
            rate=f.cell(rate.value, rate.kind) if isinstance(rate, Cell) else "—",
        )
    return [first, second, third]


def summary_table(w: WardReport, data: ReportData, f: Fmt) -> Table:
    """総括表: baseline, target, previous year, this year (with うち), 増減, ratio, gap."""
    closed = is_closed(w)
    t = Table(
        "summary",
        f.t("section.summary"),
        [Col("item", f.t("col.item")), Col("value", f.t("col.value"), "yen")],
    )
    t.unit_note = f.unit_note()
    basis = (
        "・".join(w.baseline_basis)
        if f.lang == "ja"
        else "/".join(_BASIS_EN.get(b, b) for b in w.baseline_basis)
    )
    baseline: Any = (
        w.baseline_jpy if w.baseline_jpy is not None else Cell(f.t("doc.no_baseline"), "mark")
    )
    amount = year_amount(w)
    year: Any = amount if amount is not None else Cell(f.t("doc.no_forecast"), "mark")
    first, last = _months(w, f)
    p_first, p_last = _previous_span(w, f)
    rows: list[list[Any]] = [
        [f.t("headline.baseline", base_fy=f.fy(w.baseline_fiscal_year), basis=basis), baseline],
        [f.t("headline.target", ratio=f.ratio(w.target.ratio)), w.target.amount_jpy],
        [f.t("headline.previous_total", fy=f.fy(data.fiscal_year - 1)), w.previous_fy_total_jpy],
    ]
    if not closed:
        rows += [
            [f.t("headline.previous", first=p_first, last=p_last), w.previous_fy_to_date_jpy],
            [f.t("headline.actual", first=first, last=last), w.actual_to_date_jpy],
            [f.t("headline.cloud"), w.cloud_to_date_jpy],
            [f.t("headline.noncloud"), w.noncloud_to_date_jpy],
            [f.t("headline.forecast"), year],
        ]
    else:
        rows += [
            [f.t("headline.closed"), year],
            [f.t("headline.cloud"), w.cloud_to_date_jpy],
            [f.t("headline.noncloud"), w.noncloud_to_date_jpy],
        ]
    savings: Any = (
        w.identified_savings_jpy if w.findings_available else Cell(f.t("doc.no_findings"), "mark")
    )
    # no previous-year data at all (the lake starts this year): no change, not 皆増
    previous = w.previous_fy_total_jpy or None
    rows += [
        [f.t("headline.change"), difference(amount, previous)],
        [f.t("headline.change_rate"), change_cell(amount, previous, f)],
        [f.t("headline.forecast_ratio"), ratio_cell(amount, w.baseline_jpy, f)],
        [f.t("headline.gap_closed" if closed else "headline.gap"), w.gap_to_target_jpy],
        [f.t("headline.savings", count=w.findings_count), savings],
        [f.t("headline.after_ratio"), Cell(w.forecast_after_savings_ratio, "ratio")],
    ]
    if w.initial_cost_jpy:
        rows.append([f.t("headline.initial"), w.initial_cost_jpy])
    if w.prior_year_corrections_jpy:
        rows.append([f.t("headline.prior_year"), w.prior_year_corrections_jpy])
    t.rows = rows
    t.roles = ["detail"] * len(rows)
    return t


def targets(w: WardReport, f: Fmt) -> Table:
    """The 3割 target and the secondary ones; the FY2018-equal row is only for reference."""
    closed = is_closed(w)
    t = Table(
        "targets",
        f.t("section.targets"),
        [
            Col("target", f.t("col.target")),
            Col("target_ratio", f.t("col.target_ratio"), "ratio"),
            Col("amount", f.t("col.amount"), "yen"),
            Col("gap", f.t("col.gap_closed" if closed else "col.gap"), "yen"),
            Col("met", f.t("col.met_closed" if closed else "col.met")),
        ],
    )
    t.unit_note = f.unit_note()
    for i, target in enumerate([w.target, *w.secondary_targets]):
        met = None if target.is_met is None else f.t("doc.yes" if target.is_met else "doc.no")
        name = f.name(target.name_ja, target.name_en)
        if i and target.ratio == 1.0:  # not a policy target: the FY2018 level, for reference
            name = f.t("doc.reference", name=f.t("doc.fy2018_level"))
        t.rows.append([name, target.ratio, target.amount_jpy, target.gap_jpy, met])
    return t


def rule_name(rule_id: str, f: Fmt) -> str:
    """The measure a rule proposes, in words (the rule id itself for a user rule)."""
    key = f"rulename.{rule_id}"
    try:
        return f.t(key)
    except KeyError:
        return rule_id


def findings_summary(w: WardReport, f: Fmt) -> Table:
    """削減候補 grouped by kind: one row per measure with the count and the annual saving."""
    t = Table(
        "findings_summary",
        f.t("section.findings_summary"),
        [
            Col("rule", f.t("col.rule")),
            Col("count", f.t("col.count"), "int"),
            Col("annual_savings", f.t("col.annual_savings"), "yen"),
        ],
    )
    t.unit_note = f.unit_note()
    if not w.findings_available:
        t.note = f.t("doc.no_findings")
    t.rows = [[rule_name(r.rule_id, f), r.count, r.annual_savings_jpy] for r in w.findings_by_rule]
    t.roles = ["detail"] * len(t.rows)
    return t


def fx_summary(data: ReportData, f: Fmt) -> Table | None:
    """One line per currency: the months, the range of rates and the sources."""
    if not data.fx_rates:
        return None
    t = Table(
        "fx_summary",
        f.t("section.fx_summary"),
        [
            Col("currency", f.t("col.currency")),
            Col("months", f.t("col.months")),
            Col("rate_range", f.t("col.rate_range")),
            Col("source", f.t("col.source")),
        ],
    )
    for currency in sorted({r.currency for r in data.fx_rates}):
        rates = [r for r in data.fx_rates if r.currency == currency]
        low = f"{min(r.rate_jpy for r in rates):,.2f}"
        high = f"{max(r.rate_jpy for r in rates):,.2f}"
        dash = "～" if f.lang == "ja" else " to "
        span = dict.fromkeys([f.month(rates[0].month), f.month(rates[-1].month)])
        sources = list(dict.fromkeys(r.source for r in rates))
        t.rows.append(
            [
                currency,
                dash.join(span),
                low if low == high else f"{low}{dash}{high}",
                ("、" if f.lang == "ja" else "; ").join(sources),
            ]
        )
    return t
