"""GitHub Actions outputs of the gate: workflow commands `::error` / `::warning` and the job
summary file.

Workflow commands (docs.github.com "Workflow commands for GitHub Actions"): data escaped as
actions/toolkit `command.ts` does (% CR LF; properties also : ,). The runner reads commands on
stdout and stderr alike (actions/runner ScriptHandler.cs) and keeps 10 of each kind per step
(ExecutionContext.cs `_maxIssueCount`).
"""

from __future__ import annotations

from pathlib import Path

from gcfinops.gate.anomalies import Anomaly, AnomalyResult
from gcfinops.gate.model import CheckResult
from gcfinops.gate.text import sentence, t, yen
from gcfinops.jpcalendar import Lang
from gcfinops.money import Unit

MAX_ANNOTATIONS = 10  # per kind and step (actions/runner ExecutionContext._maxIssueCount)


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, title: str, message: str) -> str:
    return f"::{kind} title={escape_property(title)}::{escape_data(message)}"


def _capped(kind: str, title: str, messages: list[str], lang: Lang) -> list[str]:
    if len(messages) > MAX_ANNOTATIONS:
        rest = len(messages) - MAX_ANNOTATIONS + 1
        more = (
            f"ほか {rest} 件 (ジョブサマリー参照)"
            if lang == "ja"
            else f"… and {rest} more (see the job summary)"
        )
        messages = [*messages[: MAX_ANNOTATIONS - 1], more]
    return [_command(kind, title, m) for m in messages]


def check_annotations(result: CheckResult, lang: Lang = "ja", unit: Unit = "yen") -> list[str]:
    """`::error` per breach, `::warning` per near miss or skipped test (10 of each at most)."""
    through = "" if result.complete else f"through {result.through}, "
    title = f"gcfinops check {result.month} ({through}tax {result.tax_basis})"
    errors = [sentence(e, lang, unit) for e in result.evaluations if e.status == "breach"]
    warnings = [
        sentence(e, lang, unit) for e in result.evaluations if e.status in ("near", "skipped")
    ]
    return _capped("error", title, errors, lang) + _capped("warning", title, warnings, lang)


def anomaly_series(result: AnomalyResult, lang: Lang = "ja", unit: Unit = "yen") -> list[str]:
    """One sentence per anomalous series: first day, days flagged, largest excess."""
    flagged: dict[tuple[str, str | None], list[Anomaly]] = {}
    for a in result.anomalies:
        flagged.setdefault((a.dimension, a.key), []).append(a)
    out = []
    for (dim, _), days in flagged.items():
        name, first = days[0].name or t("none", lang), days[0].day
        top = yen(max(a.excess_jpy for a in days), lang, unit, signed=True)
        if lang == "ja":
            out.append(f"{t(dim, lang)} {name}: {first} から {len(days)} 日、中央値より最大 {top}")
        else:
            out.append(
                f"{t(dim, lang)} {name}: {len(days)} day(s) from {first}, "
                f"up to {top} above the median"
            )
    return out


def anomaly_annotations(result: AnomalyResult, lang: Lang = "ja", unit: Unit = "yen") -> list[str]:
    """One `::warning` per anomalous series (10 at most)."""
    title = f"gcfinops anomalies {result.month}"
    return _capped("warning", title, anomaly_series(result, lang, unit), lang)


def append_step_summary(path: str | Path, markdown: str) -> None:
    """Append to the GitHub job summary file (it may hold other steps' output)."""
    with Path(path).open("a", encoding="utf-8") as f:
        f.write(markdown if markdown.endswith("\n") else markdown + "\n")
