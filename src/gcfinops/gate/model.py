"""What the gate answers: one `Evaluation` per group and test, inside one `CheckResult`.

Build them by keyword: the JSON keys of `gcfinops check --format json` are these field names.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from gcfinops.gate.settings import Thresholds


@dataclass(frozen=True, kw_only=True)
class Contributor:
    """One service, resource or usage type and how much its cost changed."""

    dimension: str
    key: str | None
    current_jpy: float
    previous_jpy: float
    delta_jpy: float


@dataclass(frozen=True, kw_only=True)
class Decomposition:
    """ΔJPY as 使用量要因 / 単価要因 / 為替要因 + lines without a quantity; sums exactly."""

    quantity_jpy: float
    price_jpy: float
    fx_jpy: float
    other_jpy: float

    @property
    def total_jpy(self) -> float:
        return self.quantity_jpy + self.price_jpy + self.fx_jpy + self.other_jpy


@dataclass(frozen=True, kw_only=True)
class Offset:
    """A finding on a resource of the group: what acting on it would save per month."""

    rule_id: str
    resource_id: str | None
    estimated_monthly_savings: float
    recommendation_ja: str | None
    recommendation: str | None
    resource_delta_jpy: float = 0.0  # change of the resource's cost in the compared period

    @property
    def on_growth(self) -> bool:
        return self.resource_delta_jpy > 0


@dataclass(frozen=True, kw_only=True)
class Evaluation:
    """One group against one threshold: status is breach, near, ok or skipped."""

    group: str | None
    group_name: str | None
    group_name_en: str | None
    metric: str
    status: str
    value: float | None  # percent (growth, over target path) or JPY (increase); None = unbounded
    threshold: float | None
    current_jpy: float
    previous_jpy: float | None  # previous month, same month last FY, or the target-path allowance
    delta_jpy: float | None
    comparison: str | None  # the month compared with, or "target_path"
    note: str | None = None
    top_contributors: tuple[Contributor, ...] = ()
    decomposition: Decomposition | None = None
    offsets: tuple[Offset, ...] = ()
    offset_total_jpy: float | None = None  # every finding of the group
    offset_growth_jpy: float | None = None  # findings on resources whose cost rose
    # Month-to-date (issue #12): on an incomplete month every amount above covers days 1..D
    # (D = the day of `through`) of each month compared; `run_rate_jpy` = current × days / D.
    complete: bool = True
    through: str | None = None  # YYYY-MM-DD: last day of the checked month with data
    run_rate_jpy: float | None = None  # full-month run rate of the current amount (incomplete)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["value"] = _finite(self.value)
        if self.decomposition is not None:
            data["decomposition"]["total_jpy"] = self.decomposition.total_jpy
        for offset, obj in zip(data["offsets"], self.offsets, strict=True):
            offset["on_growth"] = obj.on_growth
        return data


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    """The gate's answer: every evaluation, the months compared, and the exit code."""

    month: str
    previous_month: str
    yoy_month: str
    fiscal_year: int
    by: str
    cost_column: str
    thresholds: Thresholds
    evaluations: tuple[Evaluation, ...]
    totals: Mapping[str | None, Mapping[str, float]]  # group -> month -> JPY
    missing_months: tuple[str, ...] = ()  # comparison months with no data in the lake
    findings_path: str | None = None
    complete: bool = True  # every billing account delivered the month to its last day
    through: str | None = None  # YYYY-MM-DD: the last day compared (days 1..D of each month)
    lagging_accounts: tuple[str, ...] = ()  # provider/account holding the month back
    run_rates: Mapping[str | None, float] = field(default_factory=dict)  # group → full month
    tax_basis: str = "included"

    @property
    def breaches(self) -> list[Evaluation]:
        return [e for e in self.evaluations if e.status == "breach"]

    @property
    def status(self) -> str:
        return "breach" if self.breaches else "ok"

    @property
    def exit_code(self) -> int:
        return 1 if self.breaches else 0

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON document (`gcfinops check --format json`)."""
        return {
            "status": self.status,
            "exit_code": self.exit_code,
            "month": self.month,
            "previous_month": self.previous_month,
            "yoy_month": self.yoy_month,
            "fiscal_year": self.fiscal_year,
            "by": self.by,
            "cost_column": self.cost_column,
            "currency": "JPY",
            "thresholds": asdict(self.thresholds),
            "breaches": [e.to_dict() for e in self.breaches],
            "results": [e.to_dict() for e in self.evaluations],
            "missing_months": list(self.missing_months),
            "findings_path": self.findings_path,
            "complete": self.complete,
            "through": self.through,
            "lagging_accounts": list(self.lagging_accounts),
            "tax_basis": self.tax_basis,
        }


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
