"""Rule loader: header schema, SQL checks, user folders and overrides, errors that name the file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gcfinops.cli import app
from gcfinops.engine import load_rules as load
from gcfinops.errors import ConfigError, RuleDefinitionError
from gcfinops.ruleset import render, template_problems

RULE = """\
/* ---
id: {id}
title: Check everything
title_ja: すべて確認
category: hygiene
providers: [aws]
cost_basis: EffectiveCost
confidence: low
rationale: A test rule.
sources: [a test]
parameters:
  lookback_days: {{default: 7, type: integer, min: 1, description: Days, source: a test}}
recommendation: "Check {{resource_id}}"
recommendation_ja: "{{resource_id}} を確認"
--- */
SELECT ResourceId AS resource_id, ProviderName AS provider,
    BillingAccountId AS billing_account_id, RegionId AS region,
    BillingCurrency AS billing_currency, sum(EffectiveCost) AS current_monthly_cost,
    0.0 AS estimated_monthly_savings,
    $as_of - $lookback_days * INTERVAL '1 day' AS lookback_start, $as_of AS lookback_end,
    json_object('lines', count(*)) AS evidence
FROM lake
WHERE ChargePeriodStart >= $as_of - $lookback_days * INTERVAL '1 day'
GROUP BY ResourceId, ProviderName, BillingAccountId, RegionId, BillingCurrency
"""


def user_rule(ws: Path, name: str = "my-rule", text: str | None = None, config: str = "") -> Path:
    """A workspace with one user rule file and a gcfinops.toml pointing at its folder."""
    folder = ws / "myrules"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.sql"
    path.write_text(text if text is not None else RULE.format(id=name), encoding="utf-8")
    (ws / "gcfinops.toml").write_text('[rules]\npaths = ["myrules"]\n' + config, encoding="utf-8")
    return path


def load_ws(ws: Path):  # type: ignore[no-untyped-def]
    cfg = ws / "gcfinops.toml"
    return load(tomllib.loads(cfg.read_text(encoding="utf-8")), config_path=cfg)


def test_builtin_rules_load_and_validate() -> None:
    """The six shipped rules parse, bind against an empty lake and meet the output contract."""
    ids = {r.id for r in load({})}
    assert ids == {"idle-nonprod-offhours", "idle-resource", "rightsizing", "storage-class",
                   "commitment-coverage", "untagged-cost"}  # fmt: skip


def test_user_rule_folder_is_discovered(tmp_path: Path) -> None:
    """A rule in `[rules] paths` joins the built-ins; it is not built-in."""
    user_rule(tmp_path)
    rules = load_ws(tmp_path)
    assert rules.get("my-rule").builtin is False
    assert len(rules) == 7


def test_sql_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    """A syntax error points at the file and its line in the file, not in the SQL body."""
    path = user_rule(tmp_path, text=RULE.format(id="my-rule").replace("GROUP BY", "GROUP BYE"))
    with pytest.raises(RuleDefinitionError) as exc:
        load_ws(tmp_path)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "GROUP BYE" in t)
    assert f"{path}:{line}:" in exc.value.message
    assert "SQL does not parse" in exc.value.message


def test_misspelt_column_fails_binding(tmp_path: Path) -> None:
    """A column the lake does not have is caught at load, with the file line."""
    path = user_rule(tmp_path, text=RULE.format(id="my-rule").replace(
        "sum(EffectiveCost)", "sum(EffectivCost)"))  # fmt: skip
    with pytest.raises(RuleDefinitionError) as exc:
        load_ws(tmp_path)
    assert str(path) in exc.value.message
    assert "does not bind" in exc.value.message and "EffectivCost" in exc.value.message


def test_undeclared_sql_parameter_is_an_error(tmp_path: Path) -> None:
    """`$name` must be a declared parameter (or $as_of); the error suggests the closest."""
    text = RULE.format(id="my-rule").replace(
        "WHERE ChargePeriodStart >= $as_of - $lookback_days",
        "WHERE ChargePeriodStart >= $as_of - $lookback_day",
    )
    user_rule(tmp_path, text=text)
    with pytest.raises(RuleDefinitionError) as exc:
        load_ws(tmp_path)
    assert "$lookback_day" in exc.value.message
    assert "did you mean 'lookback_days'" in exc.value.message


def test_unknown_parameter_in_config_names_rule_key_and_valid_keys(tmp_path: Path) -> None:
    """`[rules.<id>]` with a misspelt parameter lists the valid ones."""
    user_rule(tmp_path, config="[rules.storage-class]\ngp3_storage_ration = 0.7\n")
    with pytest.raises(ConfigError) as exc:
        load_ws(tmp_path)
    msg = exc.value.message
    assert "[rules.storage-class] unknown parameter 'gp3_storage_ration'" in msg
    assert "did you mean 'gp3_storage_ratio'" in msg
    assert "lookback_days" in msg and "enabled" in msg


def test_override_of_wrong_type_or_out_of_bounds_is_an_error(tmp_path: Path) -> None:
    """Overrides are checked against the parameter's type and bounds."""
    user_rule(tmp_path, config=(
        "[rules.idle-nonprod-offhours]\nbusiness_start_hour = \"eight\"\n"
        "min_offhours_share = 2\n"))  # fmt: skip
    with pytest.raises(ConfigError) as exc:
        load_ws(tmp_path)
    assert "business_start_hour must be of type integer" in exc.value.message
    assert "min_offhours_share must be ≤ 1" in exc.value.message


def test_overrides_and_enabled_apply(tmp_path: Path) -> None:
    """A valid override changes the effective value; enabled = false leaves the rule out."""
    user_rule(tmp_path, config=(
        "[rules.idle-nonprod-offhours]\nbusiness_end_hour = 19\n"
        "[rules.untagged-cost]\nenabled = false\n"))  # fmt: skip
    rules = load_ws(tmp_path)
    assert rules.get("idle-nonprod-offhours").params()["business_end_hour"] == 19
    assert "untagged-cost" not in {r.id for r in rules.select()}
    assert [r.id for r in rules.select(["untagged-cost"])] == ["untagged-cost"]


def test_unknown_rule_table_in_config(tmp_path: Path) -> None:
    """A `[rules.<id>]` table for no rule is an error listing the ids."""
    user_rule(tmp_path, config="[rules.storage-clas]\nenabled = false\n")
    with pytest.raises(ConfigError) as exc:
        load_ws(tmp_path)
    assert "did you mean 'storage-class'" in exc.value.message


def test_bad_header_lists_every_problem(tmp_path: Path) -> None:
    """Missing and unknown keys and bad values are reported together, each naming the file."""
    text = RULE.format(id="my-rule").replace("title_ja: すべて確認\n", "titel: x\n")
    text = text.replace("category: hygiene", "category: waste")
    path = user_rule(tmp_path, text=text)
    with pytest.raises(RuleDefinitionError) as exc:
        load_ws(tmp_path)
    msg = exc.value.message
    assert "3 problems" in msg
    assert f"{path}: header key 'title_ja': is required" in msg
    assert "header key 'titel': unknown key (did you mean 'title'?)" in msg
    assert "header key 'category': must be one of idle, rightsizing" in msg


def test_header_that_is_not_yaml_gives_its_line(tmp_path: Path) -> None:
    """A YAML error names the file line."""
    path = user_rule(
        tmp_path, text=RULE.format(id="my-rule").replace("providers: [aws]", "providers: [aws")
    )
    with pytest.raises(RuleDefinitionError) as exc:
        load_ws(tmp_path)
    assert f"{path}:" in exc.value.message and "not valid YAML" in exc.value.message


def test_file_without_header(tmp_path: Path) -> None:
    path = user_rule(tmp_path, text="SELECT 1\n")
    with pytest.raises(RuleDefinitionError, match="no YAML header") as exc:
        load_ws(tmp_path)
    assert str(path) in exc.value.message


def test_id_must_equal_file_name(tmp_path: Path) -> None:
    user_rule(tmp_path, name="my-rule", text=RULE.format(id="other-rule"))
    with pytest.raises(RuleDefinitionError, match="must equal the file name 'my-rule'"):
        load_ws(tmp_path)


def test_duplicate_id_needs_override(tmp_path: Path) -> None:
    """A user rule with a built-in id is an error unless `override = true`."""
    user_rule(tmp_path, name="untagged-cost")
    with pytest.raises(RuleDefinitionError) as exc:
        load_ws(tmp_path)
    assert "duplicate rule id 'untagged-cost'" in exc.value.message
    assert "override = true" in exc.value.message
    user_rule(tmp_path, name="untagged-cost", config="[rules.untagged-cost]\noverride = true\n")
    rule = load_ws(tmp_path).get("untagged-cost")
    assert rule.builtin is False and rule.title == "Check everything"


def test_missing_output_column_is_reported(tmp_path: Path) -> None:
    user_rule(tmp_path, text=RULE.format(id="my-rule").replace(
        "RegionId AS region", "RegionId AS region_id"))  # fmt: skip
    with pytest.raises(RuleDefinitionError, match="output column 'region' is missing"):
        load_ws(tmp_path)


def test_template_field_must_exist(tmp_path: Path) -> None:
    user_rule(tmp_path, text=RULE.format(id="my-rule").replace(
        'recommendation: "Check {resource_id}"', 'recommendation: "Check {resource}"'))  # fmt: skip
    with pytest.raises(RuleDefinitionError, match=r"recommendation uses \{resource\}"):
        load_ws(tmp_path)


@pytest.mark.parametrize(
    "template", ["{resource_id.__class__}", "{resource_id[0]}", "{resource_id!r}", "{x:{y}}"]
)
def test_templates_allow_only_plain_field_names(template: str) -> None:
    """Attribute, index, conversion and nested lookups are refused (rule files can be users')."""
    assert template_problems(template)
    with pytest.raises((ValueError, KeyError)):
        render(template, {"resource_id": "i-1", "x": 1, "y": 2})


def test_render_formats_numbers_and_missing_values() -> None:
    assert render("{a:,.0f} / {b}", {"a": 12345.6, "b": None}) == "12,346 / —"


def test_cli_reports_rule_errors_with_exit_2(tmp_path: Path) -> None:
    """Through the CLI a bad rule is `Error: <file>: …` on stderr and exit code 2."""
    path = user_rule(
        tmp_path, text=RULE.format(id="my-rule").replace("SELECT ResourceId", "SELEC ResourceId")
    )
    result = CliRunner().invoke(app, ["-w", str(tmp_path), "rules", "list"])
    assert result.exit_code == 2
    stderr = result.stderr.replace("\n", "")  # rich wraps long paths
    assert "Error:" in stderr and f"{path}:16:1: SQL does not parse" in stderr
