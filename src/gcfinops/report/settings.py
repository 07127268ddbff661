"""Report settings from gcfinops.toml: `[report]`, plus `[baseline]` read through
`baseline.targets_from_config` (the same place `gcfinops check` takes the year and ratio from).

    [baseline]
    fiscal_year = 2018          # 平成30年度, the year of the national target
    target_ratio = 0.70         # at least 3割 lower (基本方針, 2022-10-07)
    secondary_targets = [{ ratio = 1.5, name_ja = "1.5倍以内", name_en = "Within 1.5×" }]

    [report]
    cost_column = "BilledCost"  # or "EffectiveCost" (amortized)
    forecast_months = 3         # run-rate = mean of the last N complete months
    top_findings = 10
    common_cost = "row"         # 業務 table: common cost as one 「共通」 row, or "apportion"
    department = "総務部情報政策課"  # 作成部署 in the handout's header block (optional)
    document_number = "資料3"   # 資料番号 (optional; --document-number overrides)
    era = "wareki"              # 和暦 only, or "both": 令和7年度（2025年度）

Errors name the file and the key (docs/reports.md lists every key).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gcfinops.baseline import (
    DEFAULT_FISCAL_YEAR,
    DEFAULT_TARGET_RATIO,
    Targets,
    TargetSpec,
    targets_from_config,
)
from gcfinops.budget import DEFAULT_SETSU, setsu_map
from gcfinops.config import check_keys, integer_setting
from gcfinops.errors import ConfigError
from gcfinops.report.business import COMMON_COST_MODES
from gcfinops.report.header import ERAS
from gcfinops.report.savings import Kpi, kpi_from_config
from gcfinops.targets import TargetConfig
from gcfinops.targets import from_config as targets_config

__all__ = ["COST_COLUMNS", "ReportSettings", "TargetSpec", "load_settings"]

COST_COLUMNS = ("BilledCost", "EffectiveCost")


@dataclass(frozen=True)
class ReportSettings:
    """How reports compute; defaults need no configuration."""

    baseline_fiscal_year: int = DEFAULT_FISCAL_YEAR
    target_ratio: float = DEFAULT_TARGET_RATIO
    secondary_targets: tuple[TargetSpec, ...] = field(
        default_factory=lambda: Targets().secondary_targets
    )
    cost_column: str = "BilledCost"
    forecast_months: int = 3
    top_findings: int = 10
    targets: TargetConfig = field(default_factory=TargetConfig)  # [[targets]], [scope]
    setsu: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SETSU))  # [budget] setsu
    kpi: Kpi = field(default_factory=Kpi)  # [savings] KPI lines
    common_cost: str = "row"  # "row" | "apportion" (report.business)
    department: str | None = None  # 作成部署 (report.header)
    document_number: str | None = None  # 資料番号
    era: str = "wareki"  # "wareki" | "both"


def load_settings(raw: dict[str, Any], path: Path | None = None) -> ReportSettings:
    """Parse `[baseline]` (via baseline.targets_from_config) and `[report]`."""
    rep = raw.get("report", {})
    if not isinstance(rep, dict):
        raise ConfigError(f"{path}: [report] must be a table")
    targets = targets_from_config(raw, path)
    check_keys(
        path,
        "report",
        rep,
        {"cost_column", "forecast_months", "top_findings", "common_cost"}
        | {"department", "document_number", "era"},
    )
    defaults = ReportSettings()
    column = rep.get("cost_column", defaults.cost_column)
    if column not in COST_COLUMNS:
        raise ConfigError(
            f"{path}: report.cost_column must be one of {', '.join(COST_COLUMNS)} "
            f"(found {column!r})"
        )
    common = rep.get("common_cost", defaults.common_cost)
    if common not in COMMON_COST_MODES:
        raise ConfigError(
            f"{path}: report.common_cost must be one of {', '.join(COMMON_COST_MODES)} "
            f"(found {common!r})"
        )
    era = rep.get("era", defaults.era)
    if era not in ERAS:
        raise ConfigError(f"{path}: report.era must be one of {', '.join(ERAS)} (found {era!r})")
    forecast = rep.get("forecast_months", defaults.forecast_months)
    top = rep.get("top_findings", defaults.top_findings)
    return ReportSettings(
        baseline_fiscal_year=targets.fiscal_year,
        target_ratio=targets.target_ratio,
        secondary_targets=targets.secondary_targets,
        cost_column=column,
        forecast_months=integer_setting(path, "report.forecast_months", forecast, 1, 12),
        top_findings=integer_setting(path, "report.top_findings", top, 0, 1000),
        targets=targets_config(raw, path),
        setsu=setsu_map(raw, path),
        kpi=kpi_from_config(raw, path),
        common_cost=str(common),
        department=_text(path, "report.department", rep.get("department")),
        document_number=_text(path, "report.document_number", rep.get("document_number")),
        era=str(era),
    )


def _text(path: Path | None, key: str, value: Any) -> str | None:
    """An optional one-line text setting: None or a non-empty string."""
    if value is None:
        return None
    if not isinstance(value, str) or "\n" in value:
        raise ConfigError(f"{path}: {key} must be one line of text (found {value!r})")
    return value.strip() or None
