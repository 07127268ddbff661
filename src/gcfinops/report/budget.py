"""Budget against actual and forecast (issue #13 item 2, item 6c): 予算現額, 執行率 and the FY-end
outlook per ward, 業務, cost item and 節.

The budget (TEMP gcf_budget, `budget.register`: rows decided before the report's as_of) is 税込
as the budget book is; on a 税抜 report it is converted with the rates of its fiscal year.
Actual and forecast come from the ward's own lines (`WardReport.by_business_system`,
`by_cost_item`), so the figures are the ones the rest of the report shows. Every yen lands
somewhere: budget rows without a 業務 or cost item meet the ward's unallocated cost (key None).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from gcfinops import tax
from gcfinops.budget import SETSU_ORDER
from gcfinops.report.batch import WardRows
from gcfinops.report.model import Line, WardReport
from gcfinops.report.plan_model import BudgetLine, BudgetStatus

_UNITEMIZED = ("費目指定なし", "Not itemized")
_UNMAPPED_SETSU = "未区分"


def _lines(
    lines: list[Line], budget: dict[str | None, float], none_name: tuple[str, str] | None = None
) -> list[BudgetLine]:
    out = []
    seen: set[str | None] = set()
    for x in lines:
        seen.add(x.key)
        amount = budget.get(x.key, 0.0)
        if amount or x.actual_to_date_jpy or x.forecast_jpy:
            out.append(
                BudgetLine(
                    x.key, x.name_ja, x.name_en, amount, x.actual_to_date_jpy, x.forecast_jpy
                )
            )
    if None not in seen and budget.get(None) and none_name:
        out.append(BudgetLine(None, *none_name, budget[None], 0.0, 0.0))
    return out


def ward_budget(
    batch: WardRows, w: WardReport, setsu: dict[str, str], basis: tax.TaxBasis
) -> BudgetStatus | None:
    """The ward's budget status; None when no budget row of the year was decided by as_of.
    Each query runs once for every selected ward (`report.batch`)."""
    selected = "ward IN (SELECT ward FROM gcf_selected)"
    rows = batch.get(
        "budget:rows",
        f"""SELECT ward, business_system, cost_item, kind, sum(amount_jpy) FROM gcf_budget
            WHERE {selected} GROUP BY ALL""",
        None,
        w.ward,
    )
    if not rows:
        return None
    files = batch.get(
        "budget:files",
        f"SELECT DISTINCT ward, source_file FROM gcf_budget WHERE {selected} ORDER BY 1, 2",
        None,
        w.ward,
    )

    def yen(amount: float) -> float:
        return float(
            tax.convert_fiscal_year(Decimal(str(amount)), w.fiscal_year, "included", basis)
        )

    kinds: dict[str, float] = defaultdict(float)
    by_system: dict[str | None, float] = defaultdict(float)
    by_item: dict[str | None, float] = defaultdict(float)
    for system, item, kind, amount in rows:
        value = yen(float(amount))
        kinds[str(kind)] += value
        by_system[system] += value
        by_item[item] += value
    total = sum(kinds.values())
    items = _lines(w.by_cost_item, by_item, _UNITEMIZED)
    # 節: the cost-item lines added up per 節 (budget, actual and forecast alike)
    groups: dict[str, list[BudgetLine]] = defaultdict(list)
    for x in items:
        groups[setsu.get(str(x.key), _UNMAPPED_SETSU) if x.key else _UNMAPPED_SETSU].append(x)
    order = {name: i for i, name in enumerate(SETSU_ORDER)}
    by_setsu = [
        BudgetLine(
            name,
            name,
            name,
            sum(x.amount_jpy for x in xs),
            sum(x.actual_to_date_jpy for x in xs),
            None
            if any(x.forecast_jpy is None for x in xs)
            else sum(x.forecast_jpy or 0.0 for x in xs),
        )
        for name, xs in sorted(groups.items(), key=lambda g: (order.get(g[0], 99), g[0]))
    ]
    return BudgetStatus(
        total=BudgetLine(
            None, w.ward_name, w.ward_name_en, total, w.actual_to_date_jpy, w.forecast_jpy
        ),
        initial_jpy=kinds.get("当初", 0.0),
        supplementary_jpy=kinds.get("補正", 0.0),
        transfer_jpy=kinds.get("流用", 0.0),
        by_business_system=_lines(w.by_business_system, by_system),
        by_cost_item=items,
        by_setsu=by_setsu,
        source_files=[str(r[0]) for r in files],
    )
