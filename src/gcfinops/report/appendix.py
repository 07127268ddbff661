"""Document-level tables: the comparison across wards, the method notes, sources and FX rates."""

from __future__ import annotations

from typing import Any

from gcfinops.allocation.systems import BUSINESS_SYSTEMS
from gcfinops.report.i18n import Fmt
from gcfinops.report.model import ReportData
from gcfinops.report.tables import Col, Table
from gcfinops.tax import TaxBasis
from gcfinops.tax import label as _tax_label


def comparison(data: ReportData, f: Fmt) -> list[Table]:
    t = Table(
        "comparison",
        f.t("section.comparison_summary"),
        [
            Col("ward", f.t("col.ward")),
            Col("baseline", f.t("col.baseline"), "yen"),
            Col("forecast", f.t("col.forecast"), "yen"),
            Col("ratio", f.t("col.ratio"), "ratio"),
            Col("gap", f.t("col.gap"), "yen"),
            Col("savings", f.t("col.savings"), "yen"),
            Col("after_ratio", f.t("col.after_ratio"), "ratio"),
        ],
    )
    for w in data.wards:
        t.rows.append(
            [
                f.name(w.ward_name, w.ward_name_en),
                w.baseline_jpy,
                w.forecast_jpy,
                w.forecast_ratio_to_baseline,
                w.gap_to_target_jpy,
                w.identified_savings_jpy,
                w.forecast_after_savings_ratio,
            ]
        )
    keys: list[str | None] = []
    for w in data.wards:
        keys += [x.key for x in w.by_business_system if x.key not in keys]
    keys.sort(key=lambda k: (k is None, _system_order(k)))
    m = Table(
        "comparison_systems",
        f.t("section.comparison_systems"),
        [Col("system", f.t("col.system"))]
        + [Col(w.ward, f.name(w.ward_name, w.ward_name_en), "yen") for w in data.wards],
    )
    for key in keys:
        row: list[Any] = []
        for w in data.wards:
            line = next((x for x in w.by_business_system if x.key == key), None)
            row.append(
                None
                if line is None
                else (
                    line.forecast_jpy if line.forecast_jpy is not None else line.actual_to_date_jpy
                )
            )
        names = next(x for w in data.wards for x in w.by_business_system if x.key == key)
        m.rows.append([f.name(names.name_ja, names.name_en), *row])
    return [t, m]


def _system_order(key: str | None) -> int:
    ids = [s.id for s in BUSINESS_SYSTEMS]
    return ids.index(key) if key in ids else len(ids)


def notes(data: ReportData, f: Fmt) -> list[str]:
    """注記: scope, tax, fiscal year, forecast, target, rounding; then the data time and tool."""
    basis: TaxBasis = "excluded" if data.tax_basis == "excluded" else "included"
    closed = data.complete_months >= 12
    notes = [
        f.t("note.scope"),
        f.t(
            "note.tax_basis",
            tax_basis=_tax_label(basis, f.lang),
            detail=f.t(f"note.tax_{basis}"),
        ),
        f.t("note.fiscal_year"),
        f.t("note.cost_column", column=data.cost_column, column_ja=f.t(f"note.{data.cost_column}")),
    ]
    if closed:
        notes.append(f.t("note.forecast_closed"))
    elif data.forecast_window:
        dash = "～" if f.lang == "ja" else " to "
        window = dash.join(
            dict.fromkeys([f.month(data.forecast_window[0]), f.month(data.forecast_window[-1])])
        )
        notes.append(
            f.t(
                "note.forecast",
                complete=data.complete_months,
                window_len=len(data.forecast_window),
                window=window,
                remaining=12 - data.complete_months,
            )
        )
    else:
        notes.append(f.t("note.forecast_none"))
    if data.incomplete_months:
        sep = "、" if f.lang == "ja" else ", "
        notes.append(
            f.t("note.incomplete", months=sep.join(f.month(m) for m in data.incomplete_months))
        )
    notes += [
        f.t("note.noncloud"),
        f.t("note.target", ratio=f.ratio(data.target_ratio)),
        f.t("note.savings"),
        f.t("note.apportionment"),
        f.t("note.fx") if data.fx_rates else f.t("note.fx_none"),
        f.t("note.rounding"),
    ]
    if data.unattributed_cloud_jpy:
        sep = "：" if f.lang == "ja" else ": "
        notes.append(f"{f.t('allocation.unattributed')}{sep}{f.yen(data.unattributed_cloud_jpy)}")
    sep = "、" if f.lang == "ja" else ", "
    codes = sep.join(f"{f.name(w.ward_name, w.ward_name_en)} {w.ward}" for w in data.wards)
    space = "" if f.lang == "ja" else " "
    notes.append(
        space.join(
            [
                f.t("note.as_of", as_of=_stamp(data, f)),
                f.t("note.ward_code", codes=codes),
                f.t("note.generator", version=data.version),
            ]
        )
    )
    return notes


def _stamp(data: ReportData, f: Fmt) -> str:
    """The data time: '令和7年10月1日0時00分' (ja) or '2025-10-01 00:00' (en)."""
    at = data.as_of
    if f.lang == "en":
        return at.strftime("%Y-%m-%d %H:%M")
    return f"{f.date(at.date())}{at.hour}時{at.minute:02d}分"


def appendix(data: ReportData, f: Fmt) -> list[Table]:
    src = Table(
        "sources",
        f.t("section.sources"),
        [
            Col("kind", f.t("col.kind")),
            Col("name", f.t("col.name")),
            Col("period", f.t("col.period")),
            Col("files", f.t("col.files"), "int"),
            Col("detail", f.t("col.detail")),
        ],
    )
    for s in data.sources:
        dash = "～" if f.lang == "ja" else " to "
        period = (
            dash.join(
                dict.fromkeys([f.month(s.first_month), f.month(s.last_month or s.first_month)])
            )
            if s.first_month
            else "—"
        )
        detail = f.t("kind.findings_count", n=s.detail) if s.kind == "findings" else s.detail
        src.rows.append([f.t(f"kind.{s.kind}"), s.name, period, s.files, detail or "—"])
    fx = Table(
        "fx",
        f.t("section.fx"),
        [
            Col("month", f.t("col.month"), "month"),
            Col("currency", f.t("col.currency")),
            Col("rate", f.t("col.rate"), "rate"),
            Col("source", f.t("col.source")),
        ],
    )
    # every row repeats its source (no 〃), so a filter in the workbook keeps it
    fx.rows = [[r.month, r.currency, r.rate_jpy, r.source] for r in data.fx_rates]
    src.appendix = fx.appendix = True
    return [src, fx] if data.fx_rates else [src]
