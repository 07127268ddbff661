"""DuckDB SQL → Spark SQL with sqlglot, plus the few fixes sqlglot's output needs on Spark.

Rule and report SQL is written once, in DuckDB's dialect (docs/rules.md). sqlglot translates
it; `to_spark` then repairs what it translates wrongly for gcfinops' SQL, each fix named and
tested (tests/test_spark_transpile.py). Named parameters `$name` become Spark's `:name` markers
and are bound by Spark (`spark.sql(text, args=…)`), never formatted into the text; positional
`?` stay `?`. A rule whose translation is still wrong gets an override file beside it
(`<id>.spark.sql`, Spark SQL with `:name` parameters; `overrides.py`).
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp


def parse_duckdb(sql: str) -> exp.Expr | None:
    """One DuckDB statement as a tree, or None when sqlglot cannot parse it (left to DuckDB)."""
    try:
        trees = sqlglot.parse(sql, read="duckdb")
    except sqlglot.errors.ParseError:
        return None
    if len(trees) != 1 or trees[0] is None:
        return None
    return trees[0]


def tables_read(tree: exp.Expr) -> set[str]:
    """Names of the tables and views a statement reads (CTE names excluded), lower case."""
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    target: str | None = None
    if isinstance(tree, exp.Create | exp.Insert) and isinstance(tree.this, exp.Table | exp.Schema):
        t = tree.this if isinstance(tree.this, exp.Table) else tree.this.this
        target = t.name.lower() if isinstance(t, exp.Table) else None
    names = {t.name.lower() for t in tree.find_all(exp.Table) if t.name}
    return names - ctes - ({target} if target else set())


def to_spark(tree: exp.Expr) -> str:
    """Spark SQL text for a DuckDB SELECT tree (parameters stay markers)."""
    tree = tree.copy()
    for fix in FIXES:
        tree = tree.transform(fix)
    return tree.sql(dialect="spark")


def _timestamp_casts(node: exp.Expr) -> exp.Expr:
    """DuckDB `TIMESTAMPTZ` and `TIMESTAMP` are both instants in a UTC session; Spark's
    TIMESTAMP is the session-zone (UTC) instant too. sqlglot maps TIMESTAMP to TIMESTAMP_NTZ in
    some versions, which cannot be compared with the lake's instants: keep TIMESTAMP."""
    if isinstance(node, exp.DataType) and node.this in (
        exp.DataType.Type.TIMESTAMPNTZ,
        exp.DataType.Type.TIMESTAMPTZ,
        exp.DataType.Type.TIMESTAMPLTZ,
    ):
        return exp.DataType.build("TIMESTAMP")
    return node


_STRFTIME = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss", "%%": "%"}


def spark_datetime_pattern(fmt: str) -> str:
    """A DuckDB strftime format as a Spark datetime pattern, literal text quoted.

    sqlglot maps the `%` codes but leaves literal letters bare (`…%dT%H…` → `ddTHH`), which
    Spark rejects or reads as a pattern letter (`T`, `Z`): quote every literal run."""
    out: list[str] = []
    literal = ""
    i = 0
    while i < len(fmt):
        code = fmt[i : i + 2]
        if code in _STRFTIME:
            if literal:
                out.append(_quoted(literal))
                literal = ""
            out.append(_STRFTIME[code])
            i += 2
        elif fmt[i] == "%":
            raise ValueError(f"strftime code {code!r} has no Spark translation in gcfinops")
        else:
            literal += fmt[i]
            i += 1
    if literal:
        out.append(_quoted(literal))
    return "".join(out)


def _quoted(text: str) -> str:
    if all(not c.isalpha() and c != "'" for c in text):
        return text  # separators such as - : space stay as they are
    return "'" + text.replace("'", "''") + "'"


def _strftime(node: exp.Expr) -> exp.Expr:
    """strftime(ts, '<literal format>') → date_format(ts, '<Spark pattern>')."""
    fmt = node.args.get("format") if isinstance(node, exp.TimeToStr) else None
    if isinstance(fmt, exp.Literal) and fmt.is_string:
        return exp.Anonymous(
            this="date_format",
            expressions=[node.this, exp.Literal.string(spark_datetime_pattern(fmt.this))],
        )
    return node


def _percentile_cont(node: exp.Expr) -> exp.Expr:
    """`percentile_cont(p) WITHIN GROUP (ORDER BY v)` is exact (linear interpolation); sqlglot
    writes Spark's `percentile_approx`, whose answer differs (rightsizing's CPU p99 moved
    12.1% → 12.2% on the sample). Spark's exact equivalent is `percentile(v, p)`."""
    if (
        isinstance(node, exp.WithinGroup)
        and isinstance(node.this, exp.PercentileCont)
        and isinstance(node.expression, exp.Order)
        and len(node.expression.expressions) == 1
        and not node.expression.expressions[0].args.get("desc")
    ):
        value = node.expression.expressions[0].this
        return exp.Anonymous(this="percentile", expressions=[value, node.this.this])
    return node


def _true_division(node: exp.Expr) -> exp.Expr:
    """DuckDB's `/` always divides as DOUBLE (integers and DECIMALs alike); Spark divides
    DECIMALs as DECIMAL (a scale of 6, `1.0000` in evidence JSON) and integers as DOUBLE.
    Cast both sides to DOUBLE so every quotient is DuckDB's."""
    if isinstance(node, exp.Div):
        left = exp.Cast(this=node.left, to=exp.DataType.build("DOUBLE"))
        right = exp.Cast(this=node.right, to=exp.DataType.build("DOUBLE"))
        return exp.Div(this=left, expression=right)
    return node


def _epoch_us(node: exp.Expr) -> exp.Expr:
    """DuckDB `epoch_us(ts)` (microseconds since 1970, BIGINT; the report's one pass measures
    a line's length with it: `ts - ts` builds an INTERVAL per line, 6× slower in DuckDB) is
    Spark's `unix_micros(ts)`; sqlglot leaves the name as it is, which Spark does not know."""
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "epoch_us":
        return exp.Anonymous(this="unix_micros", expressions=node.expressions)
    return node


FIXES = (_timestamp_casts, _strftime, _percentile_cont, _true_division, _epoch_us)
