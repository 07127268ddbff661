"""What an adapter is: a declared mapping from one provider format to the lake's columns.

An adapter is data (STYLE.md §3.7, after focus_converters' conversion plans): for every mapped lake
column, one SQL expression over the source columns. `compile_select` turns the declaration into a
single SELECT so that all the work happens inside DuckDB, streaming, with no Python per row.

Expressions are SQL templates in which `{source column}` stands for a source column. A referenced
column that the file does not have becomes `NULL` — unless the adapter lists it in `required`, in
which case reading stops with a MissingColumnError naming it. `{@row}` is the 1-based data row,
so SQL-side checks can name the line (`error('…line ' || ({@row} + 1) …)`), and `{@name:col}` is
the file's own spelling of a source column, as a string literal, for the same messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from gcfinops import schema

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
ROW = "__gcf_row"
GEN = "__gcf_gen"  # TRUE on a row the adapter generates (see Adapter.generate_when)


@dataclass(frozen=True)
class Expr:
    """A SQL template for one lake column; `note` is the mapping rule shown in the docs."""

    template: str
    note: str = ""
    build: Callable[[list[str]], str] | None = None  # template computed from the header

    def template_for(self, header: list[str]) -> str:
        """The template, built from the (canonical) header when it depends on it."""
        return self.build(header) if self.build is not None else self.template

    def refs(self) -> set[str]:
        """Source columns the template reads."""
        return {m for m in _PLACEHOLDER.findall(self.template) if not m.startswith("@")}

    def refs_for(self, header: list[str]) -> set[str]:
        """Placeholders of the template built for this header (``@row`` etc. included)."""
        return set(_PLACEHOLDER.findall(self.template_for(header)))


def col(name: str, note: str = "") -> Expr:
    """The source column as is (cast to the lake type)."""
    return Expr("{" + name + "}", note or f"`{name}`")


def expr(template: str, note: str = "") -> Expr:
    """Any SQL expression over source columns."""
    return Expr(template, note)


def const(value: str, note: str = "") -> Expr:
    """A constant string."""
    return Expr(sql_literal(value), note or f"constant `{value}`")


def null(note: str = "not available in this format") -> Expr:
    """Explicitly unmapped (NULL): declared, never forgotten."""
    return Expr("NULL", note)


def sql_literal(value: str) -> str:
    """Quote a Python string as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def case_lookup(
    source: str,
    table: Mapping[str, str | None],
    *,
    default: str | None = None,
    strict: bool = False,
    key: str | None = None,
) -> str:
    """A CASE over a value table; `strict` makes an unknown value an input error naming the line.

    Lookups follow the provider's documented value lists; a value we do not know is reported, never
    silently mapped (STYLE.md §3.7). `key` is the SQL compared with the table's keys (default: the
    column itself; e.g. `lower(trim({col}))` for case-insensitive matching).
    """
    key_sql = key or "{" + source + "}"
    whens = " ".join(
        f"WHEN {sql_literal(k)} THEN {'NULL' if v is None else sql_literal(v)}"
        for k, v in table.items()
    )
    if strict:
        expected = sql_literal(", ".join(sorted(set(table))))
        other = (
            "error('line ' || CAST({@row} + 1 AS VARCHAR) || ': column ' || {@name:" + source + "}"
            " || ': unknown value ''' || left(CAST({" + source + "} AS VARCHAR), 60)"
            " || ''' (expected one of: ' || " + expected + " || ')')"
        )
        return (
            f"CASE WHEN {{{source}}} IS NULL THEN NULL "
            f"ELSE CASE {key_sql} {whens} ELSE {other} END END"
        )
    return f"CASE {key_sql} {whens} ELSE {'NULL' if default is None else default} END"


def lookup(
    source: str,
    table: Mapping[str, str | None],
    *,
    default: str | None = None,
    strict: bool = False,
    note: str = "",
) -> Expr:
    """Map source values through a table (see `case_lookup`)."""
    text = note or f"lookup on `{source}`"
    return Expr(case_lookup(source, table, default=default, strict=strict), text)


@dataclass(frozen=True)
class HeaderSet:
    """One header spelling of a format (a version, a flavour, a language) and where it is from.

    `columns` are characteristic header names of that set (all of them for short schemas);
    `source` names the provider document, repository file or sample it was read in, so that
    `gcfinops formats` and docs/adapters/ can say what each adapter was checked against.
    """

    name: str
    columns: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Adapter:
    """A provider export format and its mapping to the lake.

    detect_all: columns that must all be in the header for the file to be this format.
    detect_none: columns whose presence rules this format out (to tell close formats apart).
    detect_any: at least one of these must be present.
    required: columns without which the mapping cannot work (MissingColumnError).
    csv_types: DuckDB types for source columns when reading CSV (others are VARCHAR); a value that
      does not parse is an input error with file, line and column.
    columns: every lake column in `schema.MAPPED_COLUMNS` → Expr.
    fold_when: SQL condition for source rows that FOCUS folds into other rows (e.g. AWS
      SavingsPlanNegation); they are kept out of the lake but in `folded/` for lineage.
    netted_when: SQL condition over *lake* columns for rows whose provider amounts FOCUS nets to
      zero in pairs (AWS SavingsPlanCoveredUsage + its SavingsPlanNegation). Reconciliation
      leaves them out of the source side; in a complete export they sum to zero anyway, and a
      non-zero sum (a partial export) is reported, not hidden.
    The `x_SourceBilledCost` mapping is the provider's own amount for the row: reconciliation
      compares its sum (folded rows included, netted rows excluded) with the sum of BilledCost
      written.
    provider_key: partition value (`aws`); None means derive it from ProviderName.
    rename: optional function from the header to canonical source names (legacy CUR's
      `lineItem/UnblendedCost` → `line_item_unblended_cost`), so one mapping serves several
      flavours.
    null_strings: strings that mean NULL in this format's CSV files.
    lookups: the value tables the mapping uses, by name (documentation: docs/adapters/<name>.md
      prints them next to the column mapping).
    variants: the header sets the adapter reads (versions, flavours, localized headers), each
      with its source (`gcfinops formats`, docs/adapters/<name>.md).
    generate_when: SQL condition over *source* columns for rows that yield one more lake row
      (AWS: the unused part of an RI or Savings Plan fee becomes a Usage row with
      CommitmentDiscountStatus `Unused`, as FOCUS DiscountHandling requires). The extra row
      takes every column of its source row except those in `generated` (→ Expr). Its
      `x_SourceBilledCost` must be NULL (no provider amount of its own), its BilledCost 0.
    generated_when: SQL condition over *lake* columns that identifies those rows, so that
      reconciliation counts them apart from the rows read (see ingest._reconcile).
    """

    name: str
    title: str
    provider_key: str | None
    doc_url: str
    detect_all: frozenset[str]
    columns: Mapping[str, Expr]
    detect_none: frozenset[str] = frozenset()
    detect_any: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()
    csv_types: Mapping[str, str] = field(default_factory=dict)
    fold_when: str = "FALSE"
    netted_when: str = "FALSE"
    rename: Callable[[list[str]], dict[str, str]] | None = None
    null_strings: tuple[str, ...] = ("",)
    timestamp_format: str | None = None
    json_maps: tuple[str, ...] = ()  # MAP columns in Parquet that CSV carries as JSON text
    lookups: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    variants: tuple[HeaderSet, ...] = ()
    generate_when: str = "FALSE"
    generated: Mapping[str, Expr] = field(default_factory=dict)
    generated_when: str = "FALSE"

    def __post_init__(self) -> None:
        missing = [c for c in schema.MAPPED_COLUMNS if c not in self.columns]
        extra = [c for c in self.columns if c not in schema.MAPPED_COLUMNS]
        extra += [c for c in self.generated if c not in schema.MAPPED_COLUMNS]
        if missing or extra:
            raise TypeError(f"adapter {self.name}: missing columns {missing}, unknown {extra}")
        if not self.variants:
            raise TypeError(f"adapter {self.name}: no header set declared (variants)")

    def canonical(self, header: list[str]) -> dict[str, str]:
        """Map canonical source name → the header's own name."""
        if self.rename is None:
            return {h: h for h in header}
        renamed = self.rename(header)
        return {renamed.get(h, h): h for h in header}

    def matches(self, header: list[str]) -> tuple[bool, set[str]]:
        """Whether the header is this format, and the detection columns it lacks."""
        names = set(self.canonical(header)) | set(header)
        lacking = set(self.detect_all) - names
        if self.detect_any and not names & self.detect_any:
            lacking.add("one of " + ", ".join(sorted(self.detect_any)))
        excluded = names & set(self.detect_none)
        return (not lacking and not excluded), lacking | {f"(not {c})" for c in excluded}


def source_refs(adapter: Adapter, header: list[str]) -> set[str]:
    """Canonical source columns the adapter's SQL reads for this header (mapping, generated
    rows, folding; `required` too). A column outside this set never reaches the lake."""
    present = list(adapter.canonical(header))
    exprs = [*adapter.columns.values(), *adapter.generated.values()]
    refs = set().union(*(e.refs_for(present) for e in exprs))
    refs |= set(_PLACEHOLDER.findall(adapter.fold_when))
    refs |= set(_PLACEHOLDER.findall(adapter.generate_when))
    return {r for r in refs if not r.startswith("@")} | set(adapter.required)


PRE = "__gcf_pre_"  # prefix of a lake column computed once per distinct JSON text (readers)


def per_map_columns(
    adapter: Adapter, header: list[str], defaults: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Lake columns computed from one JSON map column alone → that column (canonical name).

    Billing exports repeat the same tag / product objects on thousands of lines; such a column
    (CUR 2.0 `Tags`: the `user_` prefix stripped from every key) can be computed once per
    distinct JSON text and joined back (readers._json_maps) instead of once per row. Not for
    columns the adapter's generated rows override, nor those reading the row number.
    """
    if not adapter.json_maps:
        return {}
    present = adapter.canonical(header)
    out: dict[str, str] = {}
    for name, e in adapter.columns.items():
        refs = e.refs_for(list(present))
        if name in adapter.generated or len(refs) != 1:
            continue
        (ref,) = refs
        if ref in adapter.json_maps and ref in present and ref not in (defaults or {}):
            out[name] = ref
    return out


def render(
    template: str,
    present: Mapping[str, str],
    defaults: Mapping[str, str] | None = None,
    row_expr: str = ROW,
    idents: Mapping[str, str] | None = None,
) -> str:
    """Fill a template: present columns become quoted identifiers; absent ones take the user's
    `--default` value when given, else NULL. A present column with a `--default` value takes it
    in its empty (NULL) cells: `COALESCE(column, value)`."""

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "@row":
            return row_expr
        if name.startswith("@name:"):
            source = name.removeprefix("@name:")
            return sql_literal(present.get(source, source))
        actual = present.get(name)
        if actual is not None:
            column = quote_ident((idents or {}).get(actual, actual))
            if defaults and name in defaults:
                return f"COALESCE({column}, {sql_literal(defaults[name])})"
            return column
        if defaults and name in defaults:
            return sql_literal(defaults[name])
        return "NULL"

    return _PLACEHOLDER.sub(sub, template)


def quote_ident(name: str) -> str:
    """Quote a column name for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


def compile_select(
    adapter: Adapter,
    header: list[str],
    source_sql: str,
    defaults: Mapping[str, str] | None = None,
    idents: Mapping[str, str] | None = None,
    precomputed: Collection[str] = (),
) -> str:
    """One SELECT producing the mapped lake columns (+ `__gcf_fold`) from `source_sql`.

    `source_sql` must expose the header's columns and `__gcf_row`; `idents` maps a header name
    to its name in `source_sql` where they differ (case variants, see readers.duckdb_names).
    A lake column in `precomputed` is read from `source_sql`'s `__gcf_pre_<column>` (see
    `per_map_columns`) instead of computed here.
    """
    present = adapter.canonical(header)
    generating = adapter.generate_when.strip().upper() != "FALSE"
    parts = []
    for name in schema.MAPPED_COLUMNS:
        template = adapter.columns[name].template_for(list(present))
        sql = render(template, present, defaults, idents=idents)
        if name in precomputed:
            sql = quote_ident(PRE + name)
        elif generating and name in adapter.generated:
            extra = adapter.generated[name].template_for(list(present))
            sql = f"CASE WHEN {GEN} THEN ({render(extra, present, defaults, idents=idents)})"
            sql += f" ELSE ({render(template, present, defaults, idents=idents)}) END"
        parts.append(f"CAST({sql} AS {schema.BY_NAME[name].type}) AS {quote_ident(name)}")
    fold = f"COALESCE(({render(adapter.fold_when, present, defaults, idents=idents)}), FALSE)"
    parts.append(f"({fold} AND NOT {GEN}) AS __gcf_fold" if generating else f"{fold} AS __gcf_fold")
    parts.append(f"{ROW} AS x_SourceRow")
    select = "SELECT\n  " + ",\n  ".join(parts) + f"\nFROM ({source_sql}) AS src"
    if not generating:
        return select
    # One scan: every source row once, plus a second copy where the adapter generates a row.
    when = render(adapter.generate_when, present, defaults, idents=idents)
    return (
        f"{select}\nCROSS JOIN (VALUES (FALSE), (TRUE)) AS gen({GEN})"
        f"\nWHERE NOT {GEN} OR COALESCE(({when}), FALSE)"
    )
