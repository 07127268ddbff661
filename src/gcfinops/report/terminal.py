"""The report as rich tables for the terminal (`--format table`, the default).

Every cell is a `rich.text.Text`, so text from bills (service names, resource ids) is never
read as console markup. Amount columns never wrap or truncate; text columns fold. The widest
body table (月別推移) fits 100 columns in 円.
"""

from __future__ import annotations

import io

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from gcfinops.report.i18n import Fmt
from gcfinops.report.model import ReportData
from gcfinops.report.view import DocView, Table, build_view

_RIGHT = {"yen", "ratio", "pct", "int", "rate", "mark"}
MIN_WIDTH = 100  # 月別推移 in 円 needs about 95 columns
MIN_TEXT = 14
NUM_HEADER = 8  # a numeric column's header wraps at this width (4 kanji a line)
OPTIONAL = frozenset({"cumulative"})  # left out of a table wider than the terminal


def _rich(t: Table, f: Fmt, drop: frozenset[str] = frozenset()) -> RichTable:
    table = RichTable(show_lines=False, box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    keep = [j for j, c in enumerate(t.columns) if c.key not in drop]
    texts = [[f.cell(*t.kind_of(j, row[j])) for j in keep] for row in t.rows]
    for k, j in enumerate(keep):
        c = t.columns[j]
        widest = max((cell_len(r[k]) for r in texts), default=1)
        if c.kind in _RIGHT or c.kind == "month":
            # NOTE: amounts never truncate or wrap on a narrow terminal (the column is at least
            # as wide as its widest cell); only their headers wrap.
            table.add_column(
                Text(c.label),
                justify="right" if c.kind in _RIGHT else "left",
                overflow="fold",
                width=max(widest, NUM_HEADER),
            )
        elif c.key == "status":  # short words (確定, 見込): never squeezed to nothing
            table.add_column(Text(c.label), no_wrap=True, min_width=widest)
        else:
            table.add_column(Text(c.label), overflow="fold", min_width=min(widest, MIN_TEXT))
    for i, row_texts in enumerate(texts):
        cells = [Text(text) for text in row_texts]
        role = t.role(i)
        strong = role != "detail"
        table.add_row(*cells, style="bold" if strong else None, end_section=role == "total")
    return table


def _header(doc: DocView, console: Console) -> None:
    head = doc.header
    if head is not None:
        for item in (head.document_number, head.prepared_on_label, head.department):
            if item:
                console.print(Text(item), justify="right")
    console.print(Text(doc.title, style="bold"))
    console.print(Text(doc.subtitle), justify="right")


def _natural_width(table: RichTable) -> int:
    """The width the table takes when nothing has to wrap (rendered on a very wide console)."""
    buf = io.StringIO()
    Console(file=buf, width=1000, color_system=None, _environ={}).print(table)
    return max((cell_len(line.rstrip()) for line in buf.getvalue().splitlines()), default=0)


def _fitted(t: Table, f: Fmt, width: int) -> tuple[RichTable, str | None]:
    """The table and its unit line, narrowed until it fits: without the running total, then in
    千円 (the unit line says so). Amounts are never wrapped or cut."""
    tries = [(f, frozenset[str]())]
    if any(c.key in OPTIONAL for c in t.columns):
        tries.append((f, OPTIONAL))
    if f.unit == "yen" and t.unit_note:
        thousand = Fmt(f.lang, "thousand", f.era)
        tries += [(thousand, frozenset[str]()), (thousand, OPTIONAL)]
    table = _rich(t, f)
    for fmt, drop in tries:
        table = _rich(t, fmt, drop)
        if _natural_width(table) <= width:
            break
    return table, (fmt.unit_note() if t.unit_note else None)


def _table(t: Table, f: Fmt, console: Console) -> None:
    if t.note and not t.rows:
        console.print(Text(f"{t.title}: {t.note}"))
        return
    table, unit_note = _fitted(t, f, console.width)
    width = min(_natural_width(table), console.width)
    # the title on the left and the unit line on the right, above the table as in the handout
    unit = unit_note or ""
    gap = max(width - cell_len(t.title) - cell_len(unit), 1)
    console.print(Text.assemble((t.title, "bold"), " " * gap, unit))
    if t.note:
        console.print(Text(t.note, style="dim"))
    console.print(table)


def print_report(data: ReportData, f: Fmt, console: Console) -> None:
    """Print the report on a console at least MIN_WIDTH wide (amounts are never cut)."""
    console.width = max(console.width, MIN_WIDTH)
    doc = build_view(data, f)
    _header(doc, console)
    later: list[Table] = []
    for w in doc.wards:
        if data.is_multi_ward:
            console.rule(Text(w.title, style="bold"))
        if w.summary:
            console.print(Text(f.t("doc.summary_title"), style="bold"))
            for sentence in w.summary:
                console.print(Text(sentence))
        for t in w.tables:
            if t.appendix:
                later.append(t)
            else:
                _table(t, f, console)
    for t in doc.comparison:
        _table(t, f, console)
    console.rule(Text(f.t("section.assumptions")))
    for i, note in enumerate(doc.notes, 1):
        console.print(Text(f"{i}．{note}" if f.lang == "ja" else f"{i}. {note}"))
    console.rule(Text(f.t("doc.appendix")))
    for t in later + doc.appendix:
        _table(t, f, console)


def print_comparison(data: ReportData, f: Fmt, console: Console) -> None:
    """Only the cross-ward comparison of a `--ward all` report (the demo prints it after one
    ward's report, so a first run shows every section without printing every ward)."""
    console.width = max(console.width, MIN_WIDTH)
    for t in build_view(data, f).comparison:
        _table(t, f, console)


def render_terminal(data: ReportData, f: Fmt, width: int = MIN_WIDTH) -> str:
    """The terminal report as plain text (no colour), e.g. for tests and files."""
    buf = io.StringIO()
    console = Console(
        file=buf, width=width, color_system=None, force_terminal=False, highlight=False,
        markup=False, emoji=False, _environ={},
    )  # fmt: skip
    print_report(data, f, console)
    return buf.getvalue()
