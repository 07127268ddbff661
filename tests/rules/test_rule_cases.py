"""One runner for every rule case file: `cases/<rule-id>.yaml`, test ids `<rule-id>::<case>`.

Each expected finding is matched to exactly one actual row by resource_id (and status, default
"finding", and evidence.kind when given); the rule must return no other rows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from casekit import CASES, load_cases, matches, run_case

from gcfinops.resources import builtin
from gcfinops.ruleset import RuleSet, load


def _params() -> list[Any]:
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        data = load_cases(path)
        for name in data["cases"]:
            out.append(pytest.param(path, name, id=f"{path.stem}::{name}"))
    return out


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load({}, builtin_dir=builtin("rules"))


@pytest.mark.parametrize(("path", "name"), _params())
def test_rule_case(rules: RuleSet, path: Path, name: str) -> None:
    """The rule returns exactly the expected findings for the case's lake."""
    data = load_cases(path)
    assert data["rule"] == path.stem, "a case file is named after its rule"
    case = data["cases"][name]
    rows = run_case(
        rules.get(data["rule"]), case, as_of=data["as_of"], defaults=data.get("defaults"),
        fx=data.get("fx"),
    )  # fmt: skip
    expected = case.get("expect") or []
    problems: list[str] = []
    used: set[int] = set()
    for want in expected:
        status = want.get("status", "finding")
        kind = (want.get("evidence") or {}).get("kind")
        candidates = [
            i for i, r in enumerate(rows)
            if r["resource_id"] == want.get("resource_id") and r["status"] == status
            and (kind is None or json.loads(r["evidence"]).get("kind") == kind)
            and i not in used
        ]  # fmt: skip
        if len(candidates) != 1:
            problems.append(f"expected one {status} for {want.get('resource_id')!r}, "
                            f"found {len(candidates)}")  # fmt: skip
            continue
        used.add(candidates[0])
        problems += [f"{want.get('resource_id')}: {p}" for p in matches(rows[candidates[0]], want)]
    extra = [(r["resource_id"], r["status"]) for i, r in enumerate(rows) if i not in used]
    if extra:
        problems.append(f"unexpected rows: {extra}")
    assert not problems, "\n".join(problems)
