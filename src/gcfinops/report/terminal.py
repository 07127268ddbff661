"""The report as rich tables for the terminal (`--format table`, the default).

Every cell is a `rich.text.Text`, so text from bills (service names, resource ids) is never
read as console markup.
"""

from __future__ import annotations

import io

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from gcfinops.report.i18n import Fmt
from gcfinops.report.model import ReportData
from gcfinops.report.view import Table, build_view

_RIGHT = {"yen", "ratio", "pct", "int", "rate"}
MIN_WIDTH = 120  # the widest table (費目別) needs about 115 columns
MIN_TEXT = 12


def _rich(t: Table, f: Fmt) -> RichTable:
    table = RichTable(title=Text(t.title), title_justify="left", show_lines=False)
    texts = [[f.cell(*t.kind_of(j, v)) for j, v in enumerate(row)] for row in t.rows]
    for j, c in enumerate(t.columns):
        if c.kind in _RIGHT or c.kind == "month":
            # NOTE: amounts never truncate or wrap on a narrow terminal; text columns wrap instead.
            widest = max((cell_len(r[j]) for r in texts), default=1)
            table.add_column(
                Text(c.label),
                justify="right" if c.kind in _RIGHT else "left",
                no_wrap=True,
                min_width=widest,
            )
        else:
            widest = max((cell_len(r[j]) for r in texts), default=1)
            table.add_column(Text(c.label), overflow="fold", min_width=min(widest, MIN_TEXT))
    for i, row in enumerate(t.rows):
        cells = []
        for j, v in enumerate(row):
            value, kind = t.kind_of(j, v)
            cells.append(Text(f.cell(value, kind)))
        is_total = t.total and i == len(t.rows) - 1
        table.add_row(*cells, style="bold" if is_total else None, end_section=is_total)
    return table


def print_report(data: ReportData, f: Fmt, console: Console) -> None:
    """Print the report on a console at least MIN_WIDTH wide (amounts are never cut)."""
    console.width = max(console.width, MIN_WIDTH)
    doc = build_view(data, f)
    console.print(Text(doc.title, style="bold"))
    console.print(Text(doc.subtitle, style="dim"))
    for w in doc.wards:
        console.rule(Text(w.title, style="bold"))
        for t in w.tables:
            if t.note and not t.rows:
                console.print(Text(f"{t.title}: {t.note}"))
                continue
            console.print(_rich(t, f))
    for t in doc.comparison:
        console.print(_rich(t, f))
    console.rule(Text(f.t("section.assumptions")))
    for note in doc.notes:
        console.print(Text(f"・{note}"))
    for t in doc.appendix:
        console.print(_rich(t, f))


def print_comparison(data: ReportData, f: Fmt, console: Console) -> None:
    """Only the cross-ward comparison of a `--ward all` report (the demo prints it after one
    ward's report, so a first run shows every section without printing every ward)."""
    console.width = max(console.width, MIN_WIDTH)
    for t in build_view(data, f).comparison:
        console.print(_rich(t, f))


def render_terminal(data: ReportData, f: Fmt, width: int = 120) -> str:
    """The terminal report as plain text (no colour), e.g. for tests and files."""
    buf = io.StringIO()
    console = Console(
        file=buf, width=width, color_system=None, force_terminal=False, highlight=False,
        markup=False, emoji=False, _environ={},
    )  # fmt: skip
    print_report(data, f, console)
    return buf.getvalue()
