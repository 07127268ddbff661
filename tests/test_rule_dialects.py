"""Per-dialect rule overrides (`<id>.spark.sql`, docs/scale.md): the loader attaches them to
their rule, never loads them as rules, and names an override without a rule. Running one on
Spark is tested in tests/test_spark_parity.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcfinops import ruleset
from gcfinops.errors import RuleDefinitionError

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "rules" / "hygiene" / "untagged-cost.sql"


def _config(folder: Path) -> dict[str, object]:
    return {"rules": {"paths": [str(folder)], "untagged-cost": {"override": True}}}


def test_override_is_attached_to_its_rule(tmp_path: Path) -> None:
    folder = tmp_path / "myrules"
    folder.mkdir()
    (folder / "untagged-cost.sql").write_text(SOURCE.read_text(encoding="utf-8"), "utf-8")
    (folder / "untagged-cost.spark.sql").write_text("SELECT 1 AS x;\n", encoding="utf-8")
    rules = ruleset.load(_config(folder), config_path=tmp_path / "gcfinops.toml")
    rule = rules.get("untagged-cost")
    assert rule.dialect_sql == {"spark": "SELECT 1 AS x"}
    assert not rule.builtin
    assert "untagged-cost.spark" not in {r.id for r in rules}


def test_builtin_rules_have_no_override() -> None:
    assert all(not r.dialect_sql for r in ruleset.load())


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("orphan.spark.sql", "SELECT 1", "spark override without its rule file orphan.sql"),
        ("untagged-cost.spark.sql", "  \n", "the spark override is empty"),
    ],
)
def test_bad_override_is_named(tmp_path: Path, name: str, text: str, message: str) -> None:
    folder = tmp_path / "myrules"
    folder.mkdir()
    (folder / "untagged-cost.sql").write_text(SOURCE.read_text(encoding="utf-8"), "utf-8")
    (folder / name).write_text(text, encoding="utf-8")
    with pytest.raises(RuleDefinitionError, match=message):
        ruleset.load(_config(folder), config_path=tmp_path / "gcfinops.toml")
