"""The numbers of a ward report as plain dataclasses: no formatting, no language.

`report.data` fills them in SQL; every renderer (terminal, Markdown, HTML, JSON, CSV, XLSX)
reads only these. Amounts are unrounded yen (floats); `None` means "cannot be computed"
(no baseline, no complete month for a run-rate, no findings yet), never zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from gcfinops.report.header import HandoutMeta
from gcfinops.report.plan_model import (
    BudgetStatus,
    CrossWard,
    FxScenario,
    SavingsStatus,
    TargetStatus,
    YearPoint,
)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, or None when either is missing or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


@dataclass(frozen=True)
class Line:
    """One row of a breakdown (cost item or 業務): FY2018 baseline against this fiscal year."""

    key: str | None  # cost item id, 業務 id, or None for "whole ward / not allocated"
    name_ja: str
    name_en: str
    baseline_jpy: float
    actual_to_date_jpy: float
    forecast_jpy: float | None
    previous_fy_to_date_jpy: float
    has_baseline: bool = True  # False: no baseline row for it (「基準額なし」, no ratio)
    common_share: float | None = None  # share of the common row apportioned to it (業務)

    @property
    def forecast_ratio_to_baseline(self) -> float | None:
        if not self.has_baseline:
            return None
        return ratio(self.forecast_jpy, self.baseline_jpy)


@dataclass(frozen=True)
class Month:
    """One month of the fiscal year next to the same month of the previous one."""

    month: str
    status: (
        str  # "complete", "incomplete" (ended, not every account delivered), "partial", "future"
    )
    cloud_jpy: float | None  # None for a future month
    noncloud_jpy: float | None
    forecast_jpy: float | None  # run-rate for partial and future months, else None
    previous_month: str
    previous_fy_jpy: float | None  # None before the first month with any data
    by_provider: dict[str, float] = field(default_factory=dict)
    through: str | None = None  # last day every billing account has data for (YYYY-MM-DD)
    # Month to date (partial / incomplete, days 1..D): D / days of the month. previous_fy_jpy
    # is then the same days of last year's month (its amount × D / days), and the month's
    # non-cloud amounts count the same share in `compared_jpy`.
    days_fraction: float | None = None

    @property
    def total_jpy(self) -> float | None:
        if self.cloud_jpy is None or self.noncloud_jpy is None:
            return None
        return self.cloud_jpy + self.noncloud_jpy

    @property
    def compared_jpy(self) -> float | None:
        """The amount set against previous_fy_jpy: cloud to date + non-cloud × days_fraction."""
        if self.cloud_jpy is None or self.noncloud_jpy is None:
            return None
        return self.cloud_jpy + self.noncloud_jpy * (self.days_fraction or 1.0)


@dataclass(frozen=True)
class Service:
    """Cloud cost of one provider service, this fiscal year to date and the same months before."""

    provider: str
    service: str
    fy_to_date_jpy: float
    previous_fy_to_date_jpy: float
    by_month: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """One saving found by `gcfinops analyze` (read from findings/findings.parquet)."""

    rule_id: str
    business_system: str | None
    resource_id: str | None
    estimated_monthly_savings_jpy: float
    current_monthly_cost_jpy: float | None
    recommendation_ja: str | None
    recommendation: str | None
    confidence: str | None


@dataclass(frozen=True)
class RuleSavings:
    """All findings of one rule for a ward: how many, and the annualized saving."""

    rule_id: str
    count: int
    annual_savings_jpy: float  # Σ per resource of the rule's largest monthly saving × 12


@dataclass(frozen=True)
class Target:
    """A target as a multiple of the baseline (0.70 = the 3割 target) and where we stand."""

    name_ja: str
    name_en: str
    ratio: float
    amount_jpy: float | None
    gap_jpy: float | None  # forecast − target: > 0 means still above it

    @property
    def is_met(self) -> bool | None:
        return None if self.gap_jpy is None else self.gap_jpy <= 0


@dataclass(frozen=True)
class Apportioned:
    """What one apportionment rule took from a ward (out) and gave to it (in), to date."""

    rule: str
    name_ja: str
    name_en: str
    builtin: bool
    moved_out_jpy: float
    moved_in_jpy: float

    @property
    def net_jpy(self) -> float:
        return self.moved_in_jpy - self.moved_out_jpy


@dataclass(frozen=True)
class ForecastParts:
    """The FY-end forecast from what is known: actual_jpy + known_future_jpy + run_rate_jpy."""

    actual_jpy: float  # complete months of the year, cloud + non-cloud
    known_future_jpy: float  # non-cloud amounts entered for the remaining months
    cloud_run_rate_jpy: float | None  # mean monthly cloud cost of the window months
    remaining_months: int  # 12 − complete months

    @property
    def run_rate_jpy(self) -> float:
        """Cloud run rate × remaining months."""
        return (self.cloud_run_rate_jpy or 0.0) * self.remaining_months

    def to_dict(self) -> dict[str, float | int | None]:
        return {
            "actual_jpy": self.actual_jpy,
            "known_future_jpy": self.known_future_jpy,
            "run_rate_jpy": self.run_rate_jpy,
            "cloud_run_rate_per_month_jpy": self.cloud_run_rate_jpy,
            "remaining_months": self.remaining_months,
        }


@dataclass(frozen=True)
class WardReport:
    """Everything shown for one ward."""

    ward: str
    ward_name: str
    ward_name_en: str
    fiscal_year: int
    baseline_fiscal_year: int
    baseline_jpy: float | None
    baseline_basis: list[str]
    target: Target
    secondary_targets: list[Target]
    actual_to_date_jpy: float
    cloud_to_date_jpy: float
    noncloud_to_date_jpy: float
    previous_fy_to_date_jpy: float
    previous_fy_total_jpy: float
    latest_month: str
    month_to_date_jpy: float
    same_month_last_fy_jpy: float | None
    run_rate_jpy: float | None
    forecast_jpy: float | None
    findings_available: bool
    identified_savings_jpy: float | None  # annualized: Σ per resource of max monthly × 12
    findings_count: int
    by_cost_item: list[Line]
    by_business_system: list[Line]
    by_month: list[Month]
    by_service: list[Service]
    top_findings: list[Finding]
    untagged_cloud_jpy: float  # usage without tags (not tax, not fees), before apportionment
    unallocated_system_cloud_jpy: float  # after apportionment, still without 業務
    cloud_before_apportionment_jpy: float = 0.0
    apportionment: list[Apportioned] = field(default_factory=list)
    unapportioned_jpy: float = 0.0  # matched a rule, no basis to split on: stayed where it was
    prior_year_corrections_jpy: float = 0.0  # 過年度分の返金・訂正, not in any figure above
    initial_cost_jpy: float = 0.0  # 初期・移行経費, not in 運用経費
    all_findings: list[Finding] = field(default_factory=list)  # every finding (XLSX 削減候補)
    targets: list[TargetStatus] = field(default_factory=list)  # issue #13: every target
    budget: BudgetStatus | None = None  # issue #13: None when no budget was imported
    fx_scenarios: list[FxScenario] = field(default_factory=list)  # report --fx-scenario
    savings: SavingsStatus | None = None  # realized savings; None before any history
    trajectory: list[YearPoint] = field(default_factory=list)  # report --years / --from-fy
    forecast_parts: ForecastParts | None = None  # None when there is no run-rate window
    findings_by_rule: list[RuleSavings] = field(default_factory=list)  # the handout's 削減候補

    @property
    def forecast_ratio_to_baseline(self) -> float | None:
        return ratio(self.forecast_jpy, self.baseline_jpy)

    @property
    def gap_to_target_jpy(self) -> float | None:
        return self.target.gap_jpy

    @property
    def forecast_after_savings_jpy(self) -> float | None:
        if self.forecast_jpy is None or self.identified_savings_jpy is None:
            return None
        return self.forecast_jpy - self.identified_savings_jpy

    @property
    def forecast_after_savings_ratio(self) -> float | None:
        return ratio(self.forecast_after_savings_jpy, self.baseline_jpy)

    @property
    def untagged_share(self) -> float | None:
        return ratio(self.untagged_cloud_jpy, self.cloud_to_date_jpy)

    @property
    def unallocated_system_share(self) -> float | None:
        return ratio(self.unallocated_system_cloud_jpy, self.cloud_to_date_jpy)


@dataclass(frozen=True)
class FxUsed:
    """A rate a report converted with."""

    month: str
    currency: str
    rate_jpy: float
    source: str


@dataclass(frozen=True)
class Source:
    """One input the report stands on: cloud bills of a provider, the baseline, non-cloud costs."""

    kind: str  # "cloud", "baseline", "noncloud", "findings"
    name: str  # provider, or the imported file name(s)
    first_month: str | None
    last_month: str | None
    files: int
    detail: str = ""


@dataclass(frozen=True)
class ReportData:
    """A report: one or more wards for one fiscal year, and what it stands on."""

    fiscal_year: int
    as_of: datetime
    latest_month: str
    complete_months: int  # complete months of the fiscal year
    forecast_window: list[str]  # months whose mean is the run-rate
    cost_column: str
    target_ratio: float
    baseline_fiscal_year: int
    wards: list[WardReport]
    fx_rates: list[FxUsed]
    sources: list[Source]
    unattributed_cloud_jpy: float  # lake cost in the period with no ward at all
    version: str
    tax_basis: str = "included"  # 税込 / 税抜 of every amount
    incomplete_months: list[str] = field(default_factory=list)
    crossward: CrossWard | None = None  # --ward all: per resident, operation support (#13)
    handout: HandoutMeta = field(default_factory=HandoutMeta)  # header block inputs (#17)

    @property
    def is_multi_ward(self) -> bool:
        return len(self.wards) > 1
