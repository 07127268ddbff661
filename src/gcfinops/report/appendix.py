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
            Col("gap", f.t("headline.gap"), "yen"),
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
    basis: TaxBasis = "excluded" if data.tax_basis == "excluded" else "included"
    notes = [
        f.t("note.fiscal_year"),
        f.t(
            "note.tax_basis",
            tax_basis=_tax_label(basis, f.lang),
            detail=f.t(f"note.tax_{basis}"),
        ),
        f.t("note.apportionment"),
        f.t("note.cost_column", column=data.cost_column, column_ja=f.t(f"note.{data.cost_column}")),
    ]
    if data.forecast_window:
        window = "〜".join(
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
        notes.append(
            f.t("note.incomplete", months=", ".join(f.month(m) for m in data.incomplete_months))
        )
    notes += [
        f.t("note.noncloud"),
        f.t("note.target", ratio=f"{data.target_ratio:.2f}"),
        f.t("note.savings"),
        f.t("note.fx") if data.fx_rates else f.t("note.fx_none"),
        f.t("note.rounding"),
        f"{f.t('allocation.unattributed')}: {f.yen(data.unattributed_cloud_jpy)}",
    ]
    return notes


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
        period = f"{s.first_month} 〜 {s.last_month}" if s.first_month else "—"
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
    previous = None
    for r in data.fx_rates:
        # A repeated source prints as 〃 (ditto), as Japanese tables do.
        same = previous is not None and (previous.currency, previous.source) == (
            r.currency,
            r.source,
        )
        fx.rows.append([r.month, r.currency, r.rate_jpy, f.t("doc.ditto") if same else r.source])
        previous = r
    return [src, fx] if data.fx_rates else [src]
