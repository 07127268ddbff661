"""Formulas of the 総括表 (the `summary` table: one label and one figure per row).

Its rows are figures of different kinds, so only the ones that are arithmetic over other rows
become formulas: 目標額 = 基準額 × 目標率, 対前年度増減額 = 本年度 − 前年度実績額, 対前年度増減率,
基準額比 and 目標額との差 = 本年度 − 目標額. Rows are found by their message keys (the label a
key prints; the part before the first placeholder for labels with one), and each formula is
checked against the view's figure before it replaces it, like every formula of the workbook
(report.xlsx_formulas). The rest (実績, 見込, 削減候補 de-duplicated per resource) stay values.
"""

from __future__ import annotations

from collections.abc import Sequence

from gcfinops.report.i18n import Fmt, messages
from gcfinops.report.tables import Table
from gcfinops.report.xlsx_formulas import cell_ref, close

# anchor rows: key → the message keys that may label it
_ANCHORS = {
    "baseline": ("headline.baseline",),
    "target": ("headline.target",),
    "previous": ("headline.previous_total",),
    "year": ("headline.forecast", "headline.closed"),
}


def _row(labels: Sequence[str], keys: Sequence[str], lang: str) -> int | None:
    texts = messages(lang)
    for key in keys:
        template = texts.get(key)
        if not template:
            continue
        prefix = template.split("{")[0]
        for i, label in enumerate(labels):
            if label == template or ("{" in template and prefix and label.startswith(prefix)):
                return i
    return None


def summary_formulas(
    t: Table, values: Sequence[float | None], first: int, f: Fmt, target_ratio: float | None
) -> dict[int, tuple[str, float]]:
    """Row index → (formula, cached value) for the 総括表 `t` written from sheet row `first`
    (`values`: each row's figure, None where it is not a number)."""
    labels = [str(r[0]) for r in t.rows]
    at = {name: _row(labels, keys, f.lang) for name, keys in _ANCHORS.items()}
    ref = {k: cell_ref(first + i, 1) for k, i in at.items() if i is not None}
    num = {k: values[i] for k, i in at.items() if i is not None and values[i] is not None}
    out: dict[int, tuple[str, float]] = {}

    def put(key: str, formula: str, got: float | None, money: bool) -> None:
        i = _row(labels, (key,), f.lang)
        if i is None or got is None or (i in at.values() and key != "headline.target"):
            return
        value = values[i]
        if value is not None and close(got, value, money=money):
            out[i] = (formula, got)

    b, y, p, tg = num.get("baseline"), num.get("year"), num.get("previous"), num.get("target")
    if b is not None and target_ratio is not None:
        put("headline.target", f"={ref['baseline']}*{target_ratio:g}", b * target_ratio, True)
    if y is not None and p is not None:
        put("headline.change", f"={ref['year']}-{ref['previous']}", y - p, True)
        rate = y / p - 1 if p else None
        formula = f'=IF(N({ref["previous"]})=0,"",{ref["year"]}/{ref["previous"]}-1)'
        put("headline.change_rate", formula, rate, False)
    if y is not None and b is not None:
        formula = f'=IF(N({ref["baseline"]})=0,"",{ref["year"]}/{ref["baseline"]})'
        put("headline.forecast_ratio", formula, y / b if b else None, False)
    if y is not None and tg is not None:
        put("headline.gap", f"={ref['year']}-{ref['target']}", y - tg, True)
    return out
