"""Walk the rule registry: every rule has a current docs page, a case file with firing and quiet
cases, a source for every parameter, and a line in docs/rules/README.md.

The pages `docs/rules/<id>.md` are generated from the rule headers by `render_doc` below;
regenerate them with `GCFINOPS_UPDATE_GOLDEN=1 python -m pytest tests/rules/test_rules_meta.py`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from casekit import CASES, load_cases

from gcfinops.resources import builtin
from gcfinops.ruleset import Rule, load

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "rules"
UPDATE = os.environ.get("GCFINOPS_UPDATE_GOLDEN") == "1"
RULES = sorted(load({}, builtin_dir=builtin("rules")), key=lambda r: (r.category, r.id))


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_doc(rule: Rule) -> str:
    """The docs page of a rule, from its header only."""
    rel = rule.path.relative_to(rule.path.parents[2]).as_posix()
    cases = (
        load_cases(CASES / f"{rule.id}.yaml")["cases"]
        if (CASES / f"{rule.id}.yaml").exists()
        else {}
    )
    lines = [
        f"<!-- Generated from {rel} by tests/rules/test_rules_meta.py; do not edit. "
        "Regenerate: GCFINOPS_UPDATE_GOLDEN=1 python -m pytest tests/rules/test_rules_meta.py -->",
        "",
        f"# {rule.id}: {rule.title}",
        "",
        f"{rule.title_ja}",
        "",
        "| | |",
        "|---|---|",
        f"| Category | {rule.category} |",
        f"| Providers | {', '.join(rule.providers)} |",
        f"| Cost basis | FOCUS `{rule.cost_basis}` |",
        f"| Default confidence | {rule.confidence} |",
        f"| Needs | {', '.join(rule.requires) or 'the bill only'} |",
        f"| Rule file | `{rel}` |",
        f"| Test cases | `tests/rules/cases/{rule.id}.yaml` |",
        "",
        "## What it finds and why",
        "",
        rule.rationale,
        "",
    ]
    if rule.rationale_ja:
        lines += ["## 概要", "", rule.rationale_ja, ""]
    lines += [
        "## Parameters",
        "",
        f"Override any of them in `gcfinops.toml` under `[rules.{rule.id}]`; `enabled = false` "
        "turns the rule off.",
        "",
        "| Parameter | Default | Unit | Description | Source of the default |",
        "|---|---|---|---|---|",
    ]
    for p in rule.parameters.values():
        lines.append(
            f"| `{p.name}` | `{json.dumps(p.default, ensure_ascii=False)}` | {_cell(p.unit or '')} "
            f"| {_cell(p.description)} | {_cell(p.source or '')} |"
        )
    lines += ["", "## Sources", ""]
    lines += [f"- {s}" for s in rule.sources]
    lines += [
        "",
        "## Output",
        "",
        "Every row follows the findings contract (docs/rules/README.md). Recommendation:",
        "",
        f"- en: `{rule.recommendation}`",
        f"- ja: `{rule.recommendation_ja}`",
    ]
    if rule.skip_reasons:
        lines += ["", "Resources the rule cannot judge are listed as skipped:", ""]
        for code, text in rule.skip_reasons.items():
            lines.append(f"- `{code}`: {text['en']}")
    if cases:
        lines += ["", "## Test cases", ""]
        for name, case in cases.items():
            verdict = "fires" if case.get("expect") else "quiet"
            lines.append(f"- `{rule.id}::{name}` ({verdict})")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_has_current_docs(rule: Rule) -> None:
    """docs/rules/<id>.md equals what the header generates (a stale page fails)."""
    page = DOCS / f"{rule.id}.md"
    text = render_doc(rule)
    if UPDATE:
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text, encoding="utf-8")
    assert page.exists(), f"missing {page}; regenerate with GCFINOPS_UPDATE_GOLDEN=1"
    assert page.read_text(encoding="utf-8") == text, f"{page} is stale; regenerate it"


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_has_firing_and_quiet_cases(rule: Rule) -> None:
    path = CASES / f"{rule.id}.yaml"
    assert path.exists(), f"missing case file {path}"
    cases = load_cases(path)["cases"]
    firing = [
        n
        for n, c in cases.items()
        if any(e.get("status", "finding") == "finding" for e in c.get("expect") or [])
    ]
    quiet = [n for n, c in cases.items() if not c.get("expect")]
    assert firing and quiet, f"{path} needs at least one firing and one quiet case"


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_parameter_has_a_source(rule: Rule) -> None:
    missing = [p.name for p in rule.parameters.values() if not (p.source or "").strip()]
    assert not missing, f"{rule.path}: parameters without a source: {missing}"
    assert rule.sources, f"{rule.path}: no sources"


def test_rules_readme_lists_every_rule() -> None:
    readme = (DOCS / "README.md").read_text(encoding="utf-8")
    missing = [r.id for r in RULES if f"({r.id}.md)" not in readme]
    assert not missing, f"docs/rules/README.md does not link {missing}"
