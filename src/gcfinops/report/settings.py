"""Report settings from gcfinops.toml: `[baseline]` (the year and the targets) and `[report]`.

    [baseline]
    fiscal_year = 2018          # 平成30年度, the year of the national target
    target_ratio = 0.70         # at least 3割 lower (基本方針, 2022-10-07)
    secondary_targets = [{ ratio = 1.5, name_ja = "1.5倍以内", name_en = "Within 1.5×" }]

    [report]
    cost_column = "BilledCost"  # or "EffectiveCost" (amortized)
    forecast_months = 3         # run-rate = mean of the last N complete months
    top_findings = 10

Errors name the file and the key (docs/reports.md lists every key).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gcfinops.baseline import DEFAULT_FISCAL_YEAR
from gcfinops.errors import ConfigError

COST_COLUMNS = ("BilledCost", "EffectiveCost")
DEFAULT_SECONDARY = (("平成30年度と同水準", "FY2018 level", 1.0),)


@dataclass(frozen=True)
class TargetSpec:
    """A named multiple of the baseline."""

    name_ja: str
    name_en: str
    ratio: float


@dataclass(frozen=True)
class ReportSettings:
    """How reports compute; defaults need no configuration."""

    baseline_fiscal_year: int = DEFAULT_FISCAL_YEAR
    target_ratio: float = 0.70
    secondary_targets: tuple[TargetSpec, ...] = field(
        default_factory=lambda: tuple(TargetSpec(*t) for t in DEFAULT_SECONDARY)
    )
    cost_column: str = "BilledCost"
    forecast_months: int = 3
    top_findings: int = 10


def _number(path: Path | None, key: str, value: Any, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo < value <= hi:
        raise ConfigError(f"{path}: {key} must be a number in ({lo}, {hi}] (found {value!r})")
    return float(value)


def _integer(path: Path | None, key: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ConfigError(f"{path}: {key} must be an integer from {lo} to {hi} (found {value!r})")
    return value


def _unknown(path: Path | None, section: str, data: dict[str, Any], allowed: set[str]) -> None:
    bad = set(data) - allowed
    if bad:
        raise ConfigError(
            f"{path}: [{section}] unknown key(s) {', '.join(sorted(bad))}; "
            f"valid: {', '.join(sorted(allowed))}"
        )


def load_settings(raw: dict[str, Any], path: Path | None = None) -> ReportSettings:
    """Parse `[baseline]` and `[report]` from the config's raw sections."""
    base = raw.get("baseline", {})
    rep = raw.get("report", {})
    for name, section in (("baseline", base), ("report", rep)):
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: [{name}] must be a table")
    _unknown(path, "baseline", base, {"fiscal_year", "target_ratio", "secondary_targets"})
    _unknown(path, "report", rep, {"cost_column", "forecast_months", "top_findings"})
    defaults = ReportSettings()
    targets = defaults.secondary_targets
    if "secondary_targets" in base:
        items = base["secondary_targets"]
        if not isinstance(items, list):
            raise ConfigError(f"{path}: baseline.secondary_targets must be a list of tables")
        parsed = []
        for i, item in enumerate(items, 1):
            key = f"baseline.secondary_targets[{i}]"
            if not isinstance(item, dict) or "ratio" not in item:
                raise ConfigError(f"{path}: {key} needs ratio (and name_ja, name_en)")
            _unknown(path, key, item, {"ratio", "name_ja", "name_en"})
            r = _number(path, f"{key}.ratio", item["ratio"], 0.0, 100.0)
            parsed.append(
                TargetSpec(
                    str(item.get("name_ja", f"基準額の{r:g}倍")),
                    str(item.get("name_en", f"{r:g}× baseline")),
                    r,
                )
            )
        targets = tuple(parsed)
    column = rep.get("cost_column", defaults.cost_column)
    if column not in COST_COLUMNS:
        raise ConfigError(
            f"{path}: report.cost_column must be one of {', '.join(COST_COLUMNS)} "
            f"(found {column!r})"
        )
    return ReportSettings(
        baseline_fiscal_year=_integer(
            path, "baseline.fiscal_year", base.get("fiscal_year", DEFAULT_FISCAL_YEAR), 1989, 2100
        ),
        target_ratio=_number(
            path,
            "baseline.target_ratio",
            base.get("target_ratio", defaults.target_ratio),
            0.0,
            10.0,
        ),
        secondary_targets=targets,
        cost_column=column,
        forecast_months=_integer(
            path,
            "report.forecast_months",
            rep.get("forecast_months", defaults.forecast_months),
            1,
            12,
        ),
        top_findings=_integer(
            path, "report.top_findings", rep.get("top_findings", defaults.top_findings), 0, 1000
        ),
    )
