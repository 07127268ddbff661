"""The CI gate: `gcfinops check` (a month against thresholds, per ward, 業務, service or
account) and `gcfinops anomalies` (days that jump above their own history), with their outputs.

    settings   `[check]` + command line → thresholds per group
    model      Evaluation / CheckResult (the JSON of `check --format json`)
    check      the comparison itself (DuckDB over the lake), incl. the path to the 3割 target
    explain    contributors, quantity/price/FX decomposition, offsetting findings
    anomalies  daily anomalies (median + k × MAD)
    text, markdown, junit, github, ci   outputs (ci = all of them for the CLI)

The gate sits beside `report`, `engine` and `ingest` (docs/architecture.md): it reads the
workspace's stores through the same readers as the report and imports nothing of the report
except the text escaper (`report.safety`).
"""

from __future__ import annotations

from gcfinops.gate.anomalies import Anomaly, AnomalyResult, AnomalySettings, detect
from gcfinops.gate.check import run_check
from gcfinops.gate.model import CheckResult, Contributor, Decomposition, Evaluation, Offset
from gcfinops.gate.settings import CheckSettings, Thresholds, parse_threshold

__all__ = [
    "Anomaly",
    "AnomalyResult",
    "AnomalySettings",
    "CheckResult",
    "CheckSettings",
    "Contributor",
    "Decomposition",
    "Evaluation",
    "Offset",
    "Thresholds",
    "detect",
    "parse_threshold",
    "run_check",
]
