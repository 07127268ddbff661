"""Spark as the lake engine: a DuckDB connection whose lake statements run on Spark.

gcfinops' rule, report and gate code talks to one DuckDB connection. With `--engine spark`
that connection is a `SparkBridge`: every statement that reads the view `lake` is transpiled
(sqlglot, `transpile.py`) and run by Spark over the Hive-partitioned lake (a path, `s3a://…`
or a metastore table); its result — aggregates or findings, never billing rows in bulk — comes
back as Arrow into the DuckDB connection under the name the statement created, so everything
downstream (FX conversion of findings, sentences, report formulas over the aggregates) is the
same code on both engines. The small tables such a statement joins (gcf_fx, gcf_hours,
gcf_selected, metrics, …) are built by DuckDB exactly as for the DuckDB engine and copied to
Spark temp views of the same name before the statement runs.

The Spark session is started once per process (`spark_session`) and reused.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
from sqlglot import exp

from gcfinops import schema
from gcfinops.errors import ConfigError
from gcfinops.sqlengine.settings import EngineSettings
from gcfinops.sqlengine.transpile import parse_duckdb, tables_read, to_spark

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

LAKE = "lake"
_TMP = "gcf_spark_result"
_SESSIONS: dict[tuple[Any, ...], SparkSession] = {}


class SparkSQLError(duckdb.Error):
    """A Spark error of a statement the bridge ran, raised as a DuckDB error so callers that
    report rule and report SQL failures (naming the rule file) treat both engines alike."""


def spark_session(settings: EngineSettings) -> SparkSession:
    """The process's Spark session for these settings (UTC, small shuffles, ANSI off like
    DuckDB's NULL-on-overflow-free arithmetic is not needed: ANSI on, errors are errors)."""
    key = (settings.master, settings.shuffle_partitions, tuple(sorted(settings.conf.items())))
    if key in _SESSIONS:
        return _SESSIONS[key]
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError(
            "--engine spark needs pyspark",
            hint="pip install 'gcfinops[spark]' (and a Java runtime)",
        ) from None
    builder = (
        SparkSession.builder.master(settings.master)
        .appName("gcfinops")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(settings.shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
    )
    for k, v in settings.conf.items():
        builder = builder.config(k, v)
    os.environ.setdefault("PYSPARK_PYTHON", "python3")
    _SESSIONS[key] = builder.getOrCreate()
    return _SESSIONS[key]


def stop_sessions() -> None:
    """Stop every Spark session this process started (tests; the CLI exits instead)."""
    while _SESSIONS:
        _SESSIONS.popitem()[1].stop()


def lake_frame(spark: SparkSession, settings: EngineSettings, local_lake: Path) -> DataFrame:
    """The lake with exactly the schema's columns, read by Spark."""
    from pyspark.sql import functions as F

    if settings.table:
        df = spark.table(settings.table)
    else:
        where = settings.lake or str(local_lake)
        if "://" not in where and not Path(where).is_dir():
            return spark.sql(_empty_lake_sql())
        df = spark.read.option("mergeSchema", "true").parquet(where)
    present = {c.lower(): c for c in df.columns}
    cols = []
    for c in schema.COLUMNS:
        name = present.get(c.name.lower())
        cols.append(F.col(f"`{name}`").alias(c.name) if name else F.lit(None).alias(c.name))
    out = df.select(*cols)
    if settings.cache:
        from pyspark import StorageLevel

        out = out.persist(StorageLevel.MEMORY_AND_DISK)  # same plan later: the same cache
    return out


def _empty_lake_sql() -> str:
    tree = parse_duckdb(
        "SELECT "
        + ", ".join(f'CAST(NULL AS {c.type}) AS "{c.name}"' for c in schema.COLUMNS)
        + " WHERE FALSE"
    )
    assert tree is not None
    return to_spark(tree)


class SparkBridge:
    """A DuckDB connection whose statements over `lake` run on Spark (see the module doc).

    Everything else is DuckDB's: attribute access falls through to the wrapped connection.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, spark: SparkSession, lake: DataFrame):
        self._con = con
        self._spark = spark
        self._mirrored: set[str] = set()
        lake.createOrReplaceTempView(LAKE)
        #: (seconds, Spark SQL) of every statement Spark ran, and (seconds, name) of every copy
        self.spark_statements: list[tuple[float, str]] = []
        self.mirrors: list[tuple[float, str]] = []

    #: the dialect of a rule's override file this connection runs (ruleset.DIALECTS)
    dialect = "spark"

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def create_from_native(self, name: str, spark_sql: str, parameters: dict[str, Any]) -> None:
        """Run a Spark SQL SELECT as written (a rule's `<id>.spark.sql`, no translation) and
        keep its result as the DuckDB temp table `name`, like a translated statement's."""
        import sqlglot

        try:
            tree = sqlglot.parse_one(spark_sql, read="spark")
        except sqlglot.errors.ParseError as exc:
            raise SparkSQLError(f"Spark SQL does not parse: {str(exc).splitlines()[0]}") from None
        for table in sorted(tables_read(tree) - {LAKE}):
            self._mirror(table)
        started = time.perf_counter()
        result = self._collect(spark_sql, parameters)
        self.spark_statements.append((time.perf_counter() - started, spark_sql))
        self._mirrored.discard(name.lower())
        self._con.execute("SELECT 1").fetchall()
        self._con.register(_TMP, result)
        try:
            self._con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT * FROM {_TMP}')
        finally:
            self._con.unregister(_TMP)

    # -- DuckDB's API, routed ------------------------------------------------------------------

    def execute(self, query: str, parameters: Any = None) -> Any:
        tree = parse_duckdb(query)
        if tree is None or LAKE not in tables_read(tree):
            if _is_lake_view(tree):
                return self._con  # the lake is Spark's: DuckDB's own read_parquet view is not made
            if not isinstance(tree, exp.Select | exp.Union):
                self._mirrored.clear()  # DuckDB tables may have changed: copy them again
            return self._con.execute(query, parameters)
        return self._on_spark(tree, parameters)

    def sql(self, query: str, *, params: Any = None) -> Any:
        tree = parse_duckdb(query)
        if tree is not None and LAKE in tables_read(tree):
            self._on_spark(tree, params).fetchall()
            return self._con.sql(f'SELECT * FROM "{_TMP}_t"')
        return self._con.sql(query, params=params)

    def executemany(self, query: str, parameters: Any = None) -> Any:
        self._mirrored.clear()
        return self._con.executemany(query, parameters)

    def register(self, name: str, obj: Any) -> Any:
        self._mirrored.discard(name.lower())
        return self._con.register(name, obj)

    # -- Spark ---------------------------------------------------------------------------------

    def _on_spark(self, tree: exp.Expr, parameters: Any) -> Any:
        for name in sorted(tables_read(tree) - {LAKE}):
            self._mirror(name)
        select = tree.expression if isinstance(tree, exp.Create | exp.Insert) else tree
        if not isinstance(select, exp.Query):
            raise SparkSQLError(f"gcfinops cannot run this statement on Spark: {tree.key}")
        text = to_spark(select)
        started = time.perf_counter()
        table = self._collect(text, parameters)
        self.spark_statements.append((time.perf_counter() - started, text))
        if isinstance(tree, exp.Create):
            name, statement = _target(tree), 'CREATE OR REPLACE TEMP TABLE "{}" AS SELECT * FROM '
        elif isinstance(tree, exp.Insert):
            name, statement = _target(tree), 'INSERT INTO "{}" SELECT * FROM '
        else:
            name, statement = f"{_TMP}_t", 'CREATE OR REPLACE TEMP TABLE "{}" AS SELECT * FROM '
        self._mirrored.discard(name.lower())
        # a result the caller did not fetch to the end blocks register(): finish it first
        self._con.execute("SELECT 1").fetchall()
        self._con.register(_TMP, table)
        try:
            self._con.execute(statement.format(name) + _TMP)
        finally:
            self._con.unregister(_TMP)
        if isinstance(tree, exp.Create | exp.Insert):
            return self._con
        return self._con.execute(f'SELECT * FROM "{name}"')

    def _collect(self, text: str, parameters: Any) -> Any:
        from pyspark.errors import PySparkException

        try:
            args: Any = parameters if parameters else None
            df = self._spark.sql(text, args=args)
            return df.toArrow()
        except PySparkException as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise SparkSQLError(f"Spark: {first}\nSpark SQL: {text[:2000]}") from None

    def _mirror(self, name: str) -> None:
        """Copy DuckDB's table or view `name` to a Spark temp view of the same name."""
        if name in self._mirrored:
            return
        try:
            self._con.execute("SELECT 1").fetchall()
            table = self._con.sql(f'SELECT * FROM "{name}"').to_arrow_table()
        except duckdb.Error:
            return  # not a DuckDB relation: Spark's own (a metastore table) or an error there
        started = time.perf_counter()
        self._spark.createDataFrame(table).createOrReplaceTempView(name)
        self._mirrored.add(name)
        self.mirrors.append((time.perf_counter() - started, name))


def _target(tree: exp.Create | exp.Insert) -> str:
    t = tree.this
    if isinstance(t, exp.Schema):
        t = t.this
    if not isinstance(t, exp.Table):
        raise SparkSQLError(f"gcfinops cannot tell the target of: {tree.sql('duckdb')[:200]}")
    return t.name


def _is_lake_view(tree: exp.Expr | None) -> bool:
    return (
        isinstance(tree, exp.Create)
        and str(tree.args.get("kind", "")).upper() == "VIEW"
        and _target(tree).lower() == LAKE
    )
