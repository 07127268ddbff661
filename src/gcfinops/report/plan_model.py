"""The figures of a ward's own plan (issue #13) as plain dataclasses: targets against their base,
the budget and its execution. Filled by `report.targets` and `report.budget`; rendered through
`report.plan_view`. Amounts are unrounded yen; `None` means "cannot be computed", never zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TargetStatus:
    """One target of `[[targets]]` (or a preset) and where the ward stands against it."""

    id: str
    name_ja: str
    name_en: str
    base: str  # "fy2018", "pre_migration" or "amount"
    ratio: float | None  # None for base = "amount"
    base_jpy: float | None  # the base amount (None: no such base imported)
    base_fiscal_years: list[int]  # the years the base describes (pre-migration: per 業務)
    amount_jpy: float | None  # the target: base × ratio, or the configured amount
    forecast_jpy: float | None  # FY-end forecast of the same scope
    business_system: str | None  # one 業務, or None for the ward's whole scope
    scope: list[str] = field(default_factory=list)  # 業務 compared; empty = whole ward in scope
    reason: str | None = None  # why amount or gap is None: no_fy2018_base, no_pre_migration_base …
    preset: bool = False

    @property
    def gap_jpy(self) -> float | None:
        """forecast − target: > 0 means still above it."""
        if self.amount_jpy is None or self.forecast_jpy is None:
            return None
        return self.forecast_jpy - self.amount_jpy

    @property
    def on_track(self) -> bool | None:
        gap = self.gap_jpy
        return None if gap is None else gap <= 0

    @property
    def forecast_ratio_to_base(self) -> float | None:
        if self.forecast_jpy is None or not self.base_jpy:
            return None
        return self.forecast_jpy / self.base_jpy


@dataclass(frozen=True)
class BudgetLine:
    """Budget (当初 + 補正 + 流用 decided by as_of) against actual and forecast, one grouping."""

    key: str | None  # ward total: None; 業務 id; cost item id; 節 name
    name_ja: str
    name_en: str
    amount_jpy: float
    actual_to_date_jpy: float
    forecast_jpy: float | None

    @property
    def execution_rate(self) -> float | None:
        """執行率 = actual to date ÷ budget."""
        return self.actual_to_date_jpy / self.amount_jpy if self.amount_jpy else None

    @property
    def forecast_minus_budget_jpy(self) -> float | None:
        """> 0: expected shortfall (不足); < 0: expected surplus (不用額)."""
        return None if self.forecast_jpy is None else self.forecast_jpy - self.amount_jpy


@dataclass(frozen=True)
class BudgetStatus:
    """A ward's budget for the fiscal year: total, its revisions, and the breakdowns."""

    total: BudgetLine
    initial_jpy: float  # 当初
    supplementary_jpy: float  # 補正
    transfer_jpy: float  # 流用 (net)
    by_business_system: list[BudgetLine] = field(default_factory=list)
    by_cost_item: list[BudgetLine] = field(default_factory=list)
    by_setsu: list[BudgetLine] = field(default_factory=list)
    source_files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FxScenario:
    """The ward's forecast and target gaps if the remaining months' USD were at `rate_jpy`."""

    currency: str
    rate_jpy: float
    forecast_jpy: float | None
    delta_jpy: float  # scenario forecast − forecast at the table rates
    target_gaps: dict[str, float | None] = field(default_factory=dict)  # target id → gap


@dataclass(frozen=True)
class WardPeer:
    """One ward in the cross-ward comparison: population and operation-support contracts."""

    ward: str
    ward_name: str
    ward_name_en: str
    population: int | None
    population_source: str | None
    forecast_jpy: float | None
    operation_support_jpy: float | None  # other_outsourcing (運用管理補助者 …), FY-end forecast
    vendors: list[str] = field(default_factory=list)

    @property
    def cost_per_resident_jpy(self) -> float | None:
        if self.forecast_jpy is None or not self.population:
            return None
        return self.forecast_jpy / self.population


@dataclass(frozen=True)
class CrossWard:
    """`report --ward all`: cost per resident and operation-support contracts side by side."""

    wards: list[WardPeer]
    joint_saving_ratio: float = 0.20  # joint procurement target: ≥ 20 % below single contracts

    @property
    def operation_support_total_jpy(self) -> float:
        return sum(w.operation_support_jpy or 0.0 for w in self.wards)

    @property
    def joint_contract_target_jpy(self) -> float:
        """The most a joint contract may cost to be 20 % below the wards' own contracts."""
        return self.operation_support_total_jpy * (1 - self.joint_saving_ratio)

    @property
    def joint_saving_needed_jpy(self) -> float:
        return self.operation_support_total_jpy * self.joint_saving_ratio


@dataclass(frozen=True)
class RealizedFinding:
    """A finding of the history (`gcfinops.realized`) shown in the report."""

    rule_id: str
    resource_id: str
    business_system: str | None
    first_month: str
    last_month: str
    state: str
    estimated_monthly_savings_jpy: float
    realized_monthly_jpy: float | None
    realized_fy_jpy: float | None


@dataclass(frozen=True)
class SavingsStatus:
    """Savings that happened (measured on the bill) against the FinOps KPI lines."""

    realized_monthly_jpy: float
    realized_fy_jpy: float
    cloud_before_jpy: float  # cloud cost of the previous fiscal year (the months before)
    kpi_rate: float  # e.g. 0.15: optimize the cloud fee by ≥ 15 % a year
    cloud_forecast_jpy: float | None
    yoy_kpi: float  # e.g. −0.10: cloud fee −10 % on the previous year
    findings: list[RealizedFinding] = field(default_factory=list)

    @property
    def optimization_rate(self) -> float | None:
        """Realized annualized savings ÷ cloud cost of the months before."""
        if not self.cloud_before_jpy:
            return None
        return self.realized_monthly_jpy * 12 / self.cloud_before_jpy

    @property
    def on_track(self) -> bool | None:
        rate = self.optimization_rate
        return None if rate is None else rate >= self.kpi_rate

    @property
    def cloud_yoy_change(self) -> float | None:
        if self.cloud_forecast_jpy is None or not self.cloud_before_jpy:
            return None
        return self.cloud_forecast_jpy / self.cloud_before_jpy - 1

    @property
    def yoy_on_track(self) -> bool | None:
        change = self.cloud_yoy_change
        return None if change is None else change <= self.yoy_kpi


@dataclass(frozen=True)
class YearPoint:
    """One fiscal year of the multi-year view (`report --years N`)."""

    fiscal_year: int
    total_jpy: float | None  # actual for a closed year, the FY-end forecast for an open one
    is_forecast: bool
    maintenance_jpy: float | None  # 運用保守: system operation and maintenance items
    target_gaps: dict[str, float | None] = field(default_factory=dict)

    @property
    def maintenance_share(self) -> float | None:
        if self.maintenance_jpy is None or not self.total_jpy:
            return None
        return self.maintenance_jpy / self.total_jpy
