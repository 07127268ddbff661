"""One view table on a worksheet: title and unit line, header, bordered cells, formulas.

Cells are typed: amounts and ratios as numbers, months as dates, text as strings (formula-
neutralized, report.safety). Placeholders the printed handout uses are not written: `—` (no
value; U+2014 is not in CP932 either) becomes an empty cell and `〃` (ditto) the text it repeats,
so filters and sums work. 小計/合計 and derived columns are formulas (report.xlsx_formulas).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from gcfinops.report.i18n import Fmt, messages
from gcfinops.report.safety import neutralize
from gcfinops.report.tables import Col, Table
from gcfinops.report.xlsx_formulas import (
    aggregated_rows,
    cell_ref,
    close,
    derived_formula,
    pick_derived,
    sum_formula,
)
from gcfinops.report.xlsx_style import Styles, month_date, month_format
from gcfinops.report.xlsx_summary import summary_formulas

EMPTY = frozenset({"—", "－", "-", ""})  # no value: an empty cell, never a dash in a number
ADDITIVE = frozenset({"yen", "int"})  # kinds a 小計/合計 sums
NUMERIC = frozenset({"yen", "int", "ratio", "pct", "rate"})


@dataclass(frozen=True)
class Placed:
    """Where a table landed: header row, first and last data rows, the next free row, the
    last row an auto-filter should cover (details, before a trailing 合計) and its width."""

    header: int
    first: int
    last: int
    next: int
    filter_last: int
    ncols: int


@dataclass
class _Row:
    values: list[Any] = field(default_factory=list)  # normalized: float, datetime, str, None
    kinds: list[str] = field(default_factory=list)


def merge_wards(parts: list[tuple[str, Table]], ward_label: str) -> Table:
    """Several wards' tables of one kind as one table with a leading ward column (one
    auto-filter, frozen header and print title per sheet), columns united in order."""
    cols: list[Col] = []
    for _, t in parts:
        for j, c in enumerate(t.columns):
            if all(c.key != x.key for x in cols):
                before = t.columns[j - 1].key if j else None
                at = next((k + 1 for k, x in enumerate(cols) if x.key == before), len(cols))
                cols.insert(at if before else 0, c)
    first = parts[0][1]
    out = Table(first.key, first.title, [Col("ward", ward_label), *cols])
    out.unit_note, out.note = first.unit_note, first.note
    for ward, t in parts:
        index = {c.key: j for j, c in enumerate(t.columns)}
        for i, row in enumerate(t.rows):
            out.rows.append([ward, *(row[index[c.key]] if c.key in index else None for c in cols)])
            out.roles.append(t.role(i))
    return out


class TableWriter:
    """Writes view tables with one set of styles."""

    def __init__(self, styles: Styles, f: Fmt, target_ratio: float | None = None) -> None:
        self.st, self.f, self.target_ratio = styles, f, target_ratio
        self.ditto = messages(f.lang).get("doc.ditto", "〃")

    def string(self, ws: Any, r: int, c: int, text: str, fmt: Any = None) -> None:
        ws.write_string(r, c, neutralize(text), fmt if fmt is not None else self.st.text)

    def unit_note(self, t: Table) -> str | None:
        """The unit line above a money table; in 千円 it says the cells hold yen."""
        note = t.unit_note
        if note is None and any(c.kind == "yen" for c in t.columns):
            note = self.f.unit_note()
        if note and self.f.unit == "thousand":
            if self.f.lang == "ja" and note.endswith("）"):
                note = note[:-1] + "。セルの値は円）"
            elif note.endswith(")"):
                note = note[:-1] + "; cells hold yen)"
        return note

    def table(self, ws: Any, row: int, t: Table, *, title: bool = True) -> Placed:
        """Write `t` from sheet row `row`; where it landed."""
        width = max(len(t.columns), 1)
        if title:
            self.string(ws, row, 0, t.title, self.st.h2)
            note = self.unit_note(t)
            if note:
                self.string(ws, row, width - 1, note, self.st.unit)
            row += 1
        if t.note:
            self.string(ws, row, 0, t.note)
            row += 1
        for j, col in enumerate(t.columns):
            self.string(ws, row, j, col.label, self.st.head)
        first = row + 1
        rows = self._normalize(t)
        roles = [t.role(i) for i in range(len(t.rows))]
        self._write_rows(ws, first, t, rows, roles)
        last = first + max(len(t.rows), 1) - 1
        trailing = 0
        for role in reversed(roles):
            if role == "detail":
                break
            trailing += 1
        filter_last = max(first + len(t.rows) - trailing - 1, row)
        return Placed(row, first, last, last + 2, filter_last, width)

    def _normalize(self, t: Table) -> list[_Row]:
        out: list[_Row] = []
        last_text: dict[int, str] = {}
        for values in t.rows:
            r = _Row()
            for j, v in enumerate(values):
                value, kind = t.kind_of(j, v)
                if isinstance(value, str):
                    text = value.strip()
                    if text == self.ditto:
                        value = last_text.get(j)
                    elif text in EMPTY:
                        value = None
                    elif kind == "month":
                        value = month_date(text) or value
                    if isinstance(value, str):
                        last_text[j] = value
                elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                    value = float(value)
                r.values.append(value)
                r.kinds.append(kind)
            out.append(r)
        return out

    def _write_rows(
        self, ws: Any, first: int, t: Table, rows: list[_Row], roles: list[str]
    ) -> None:
        keys = [c.key for c in t.columns]
        aggregates = aggregated_rows(roles)
        formulas: list[dict[int, tuple[str, float]]] = [{} for _ in rows]
        numbers: list[dict[str, float]] = []
        for i, r in enumerate(rows):  # 小計/合計 first: derived columns use their sums
            numbers.append(
                {k: v for k, v in zip(keys, r.values, strict=False) if isinstance(v, float)}
            )
            refs = aggregates.get(i) or []
            for j, value in enumerate(r.values if refs else []):
                if r.kinds[j] not in ADDITIVE or not isinstance(value, float):
                    continue
                parts = [rows[k].values[j] for k in refs]
                total = sum(p for p in parts if isinstance(p, float))
                if any(isinstance(p, float) for p in parts) and close(total, value, money=True):
                    formulas[i][j] = (sum_formula([first + k for k in refs], j), total)
                    numbers[i][keys[j]] = total
        for j, key in enumerate(keys):
            column = [
                (numbers[i], r.values[j])
                for i, r in enumerate(rows)
                if r.kinds[j] in NUMERIC and isinstance(r.values[j], float) and j not in formulas[i]
            ]
            rule = pick_derived(key, column) if column else None
            for i, r in enumerate(rows):
                if rule is None or j in formulas[i] or not isinstance(r.values[j], float):
                    continue
                cells = {k: cell_ref(first + i, c) for c, k in enumerate(keys)}
                found = derived_formula(rule, numbers[i], cells)
                if found:
                    formulas[i][j] = found
        self._running(first, keys, rows, roles, formulas)
        if t.key == "summary" and len(keys) == 2:  # 総括表: label | figure
            figures = [v if isinstance(v, float) else None for v in (r.values[1] for r in rows)]
            for i, found in summary_formulas(t, figures, first, self.f, self.target_ratio).items():
                formulas[i][1] = found
        for i, r in enumerate(rows):
            for j, value in enumerate(r.values):
                self._cell(ws, first + i, j, value, r.kinds[j], roles[i], formulas[i].get(j))

    @staticmethod
    def _running(
        first: int,
        keys: list[str],
        rows: list[_Row],
        roles: list[str],
        formulas: list[dict[int, tuple[str, float]]],
    ) -> None:
        """累計 (`cumulative`) as the running sum of 合計 (`total`): the row above plus this
        month, where the view's figure is exactly that."""
        if "cumulative" not in keys or "total" not in keys:
            return
        cum, tot = keys.index("cumulative"), keys.index("total")
        previous: tuple[int, float] | None = None  # (sheet row, value) of the last 累計
        for i, r in enumerate(rows):
            value, month = r.values[cum], r.values[tot]
            if roles[i] != "detail" or not isinstance(value, float):
                previous = None if roles[i] == "total" else previous
                continue
            if isinstance(month, float):
                base = previous[1] if previous else 0.0
                if close(base + month, value, money=True):
                    this = cell_ref(first + i, tot)
                    formula = f"={cell_ref(previous[0], cum)}+{this}" if previous else f"={this}"
                    formulas[i][cum] = (formula, base + month)
                    value = base + month
            previous = (first + i, value)

    def _cell(
        self,
        ws: Any,
        r: int,
        c: int,
        value: Any,
        kind: str,
        role: str,
        formula: tuple[str, float] | None,
    ) -> None:
        st = self.st
        if formula is not None:
            ws.write_formula(r, c, formula[0], st.kind(kind, role), formula[1])
        elif value is None:
            ws.write_blank(r, c, None, st.kind(kind, role))
        elif isinstance(value, datetime):
            ws.write_datetime(r, c, value, st.cell(month_format(self.f, value), role))
        elif isinstance(value, float):
            ws.write_number(r, c, value, st.kind(kind, role))
        else:
            text = str(value)
            right = kind == "mark" or kind in NUMERIC  # 皆増 / 皆減, 未分析 in a number column
            style = st.cell("", role, wrap=len(text) > 40 and not right, right=right)
            ws.write_string(r, c, neutralize(text), style)
