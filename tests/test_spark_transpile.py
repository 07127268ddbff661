"""The sqlglot fixes of sqlengine/transpile.py and `[engine]` settings (no Spark needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcfinops.errors import ConfigError
from gcfinops.sqlengine.settings import engine_settings

sqlglot = pytest.importorskip("sqlglot")
from gcfinops.sqlengine.transpile import (  # noqa: E402  (needs sqlglot)
    parse_duckdb,
    spark_datetime_pattern,
    tables_read,
    to_spark,
)

RULES = Path(__file__).resolve().parents[1] / "rules"


def spark(sql: str) -> str:
    tree = parse_duckdb(sql)
    assert tree is not None
    return to_spark(tree)


def test_strftime_literals_are_quoted() -> None:
    assert spark_datetime_pattern("%Y-%m-%dT%H:%M:%SZ") == "yyyy-MM-dd'T'HH:mm:ss'Z'"
    assert spark_datetime_pattern("%Y-%m") == "yyyy-MM"
    with pytest.raises(ValueError, match="%j"):
        spark_datetime_pattern("%j")


def test_exact_percentile_and_double_division() -> None:
    out = spark("SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY v), a / b FROM t")
    assert "PERCENTILE(V, 0.99)" in out.upper() and "APPROX" not in out.upper()
    assert "CAST(a AS DOUBLE) / CAST(b AS DOUBLE)" in out


def test_parameters_stay_markers() -> None:
    assert ":as_of" in spark("SELECT $as_of - $days * INTERVAL '1 day' FROM lake")


def test_every_shipped_rule_transpiles_and_reads_the_lake() -> None:
    for path in sorted(RULES.rglob("*.sql")):
        body = path.read_text(encoding="utf-8").split("--- */", 1)[1]
        tree = parse_duckdb(body)
        assert tree is not None, path
        assert "lake" in tables_read(tree), path
        assert "APPROX" not in to_spark(tree).upper(), path


def test_engine_settings() -> None:
    assert engine_settings({}, None).name == "duckdb"
    s = engine_settings({"engine": {"name": "spark", "master": "local[1]"}}, None)
    assert (s.name, s.master) == ("spark", "local[1]")
    assert engine_settings({"engine": {"name": "spark"}}, None, "duckdb").name == "duckdb"
    with pytest.raises(ConfigError, match="--engine"):
        engine_settings({}, None, "presto")
    with pytest.raises(ConfigError, match="unknown key"):
        engine_settings({"engine": {"nmae": "spark"}}, Path("g.toml"))
    with pytest.raises(ConfigError, match="lake or table"):
        engine_settings({"engine": {"lake": "s3a://b/l", "table": "db.t"}}, None)
