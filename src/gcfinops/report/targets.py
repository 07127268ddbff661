"""Each target of `[[targets]]` and the presets against its base (issue #13 items 1 and 6a).

Scope (like for like): the 3割 and KGI targets cover the standardized systems, so 業務 outside
the 20 (`out_of_scope`, or listed in `[scope] out_of_scope`) are taken out of both the base and
the forecast. A pre-migration base given per 業務 is compared with the forecast of those 業務
only (listed in `scope`); a whole-ward pre-migration row compares with the ward's forecast in
scope. A target whose base was not imported is listed with `amount_jpy = None` and a reason.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from gcfinops import tax
from gcfinops.report.batch import WardRows
from gcfinops.report.model import WardReport
from gcfinops.report.plan_model import TargetStatus
from gcfinops.targets import TargetConfig, TargetDef

PreBase = dict[str | None, tuple[float, set[int]]]  # 業務 (None = whole ward) → (yen, years)


def pre_migration_base(batch: WardRows, code: str, basis: tax.TaxBasis) -> PreBase:
    """The ward's pre-migration base per 業務 (gcf_base_pre, `baseline.register_pre_migration`),
    on the report's tax basis (each row at the rates of the year it describes). One query for
    every selected ward (`report.batch`)."""
    rows = batch.get(
        "targets:pre-migration",
        """SELECT ward, business_system, fiscal_year, sum(amount_jpy) FROM gcf_base_pre
           WHERE ward IN (SELECT ward FROM gcf_selected) GROUP BY ALL""",
        None,
        code,
    )
    out: dict[str | None, tuple[float, set[int]]] = defaultdict(lambda: (0.0, set()))
    for system, fy, amount in rows:
        yen = float(tax.convert_fiscal_year(Decimal(str(amount)), int(fy), "included", basis))
        total, years = out[system]
        out[system] = (total + yen, years | {int(fy)})
    return dict(out)


def in_scope(w: WardReport, out_of_scope: frozenset[str]) -> tuple[float | None, float | None]:
    """(FY2018 baseline, forecast) of the ward without the 業務 outside the scope."""
    out = [x for x in w.by_business_system if x.key in out_of_scope]
    base = None if w.baseline_jpy is None else w.baseline_jpy - sum(x.baseline_jpy for x in out)
    forecast = w.forecast_jpy
    if forecast is not None:
        forecast -= sum(x.forecast_jpy or 0.0 for x in out)
    return base, forecast


def _status(t: TargetDef, w: WardReport, pre: PreBase, cfg: TargetConfig) -> TargetStatus:
    lines = {x.key: x for x in w.by_business_system}
    base_fy2018, forecast = in_scope(w, cfg.out_of_scope)
    scope: list[str] = []
    years: list[int] = []
    reason = None
    if t.business_system is not None:
        line = lines.get(t.business_system)
        forecast = line.forecast_jpy if line else (0.0 if w.forecast_jpy is not None else None)
        base_fy2018 = line.baseline_jpy if line and line.baseline_jpy else None
        scope = [t.business_system]
    base: float | None
    if t.base == "fy2018":
        base = base_fy2018 if w.baseline_jpy is not None else None
        years = [w.baseline_fiscal_year]
        reason = None if base is not None else "no_fy2018_base"
    elif t.base == "pre_migration":
        wanted = {t.business_system} if t.business_system else None
        if wanted is None and pre and None not in pre:
            wanted = {s for s in pre if s is not None and s not in cfg.out_of_scope}
            scope = sorted(str(s) for s in wanted)
            forecast = (
                None
                if w.forecast_jpy is None
                else sum((lines[s].forecast_jpy or 0.0) for s in wanted if s in lines)
            )
        chosen = [
            v
            for s, v in pre.items()
            if (wanted is None and s not in cfg.out_of_scope)
            or (wanted is not None and s in wanted)
        ]
        base = sum(v[0] for v in chosen) if chosen else None
        years = sorted({y for v in chosen for y in v[1]})
        reason = None if base is not None else "no_pre_migration_base"
    else:
        base = None
    amount = (
        t.amount_jpy if t.base == "amount" else (None if base is None else base * (t.ratio or 0))
    )
    if reason is None and forecast is None:
        reason = "no_forecast"
    return TargetStatus(
        id=t.id,
        name_ja=t.name_ja,
        name_en=t.name,
        base=t.base,
        ratio=t.ratio,
        base_jpy=base,
        base_fiscal_years=years,
        amount_jpy=amount,
        forecast_jpy=forecast,
        business_system=t.business_system,
        scope=scope,
        reason=reason,
        preset=t.preset,
    )


def ward_targets(
    batch: WardRows, w: WardReport, cfg: TargetConfig, basis: tax.TaxBasis
) -> list[TargetStatus]:
    """Every target (presets, then configured) of one ward, in configuration order."""
    pre = pre_migration_base(batch, w.ward, basis)
    return [_status(t, w, pre, cfg) for t in cfg.targets]
