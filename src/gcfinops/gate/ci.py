"""The gate's CI outputs in one import for the CLI: Markdown summary, JUnit XML, GitHub Actions
annotations and job summary, and the sentences they share (`gate.text`)."""

from __future__ import annotations

from gcfinops.gate.github import (
    anomaly_annotations,
    anomaly_series,
    append_step_summary,
    check_annotations,
    escape_data,
    escape_property,
)
from gcfinops.gate.junit import render_junit
from gcfinops.gate.markdown import render_anomalies_markdown, render_markdown
from gcfinops.gate.text import (
    ICONS,
    anomaly_cells,
    anomaly_columns,
    basis_line,
    explanation_lines,
    sentence,
    t,
    threshold_text,
    value_text,
    yen,
)

__all__ = [
    "ICONS",
    "anomaly_annotations",
    "anomaly_cells",
    "anomaly_columns",
    "anomaly_series",
    "append_step_summary",
    "basis_line",
    "check_annotations",
    "escape_data",
    "escape_property",
    "explanation_lines",
    "render_anomalies_markdown",
    "render_junit",
    "render_markdown",
    "sentence",
    "t",
    "threshold_text",
    "value_text",
    "yen",
]
