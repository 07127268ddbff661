"""An inspection as a terminal table (rich Text, never markup), JSON or CSV.

JSON amounts are exact decimal numbers (not floats), so `recomputed_total + Σ differences ==
billed_total` holds for a reader that parses numbers as decimals (json.loads(parse_float=Decimal)).
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
from decimal import Decimal
from typing import Any

from rich.console import Group as RichGroup
from rich.table import Table
from rich.text import Text

from gcfinops.inspection.labels import amount, label
from gcfinops.inspection.model import Inspection
from gcfinops.inspection.tolerance import CAUSES
from gcfinops.report.safety import neutralize


def _mark(value: Any, token: str) -> Any:
    if isinstance(value, Decimal):
        return token + format(value, "f")
    if isinstance(value, dict):
        return {k: _mark(v, token) for k, v in value.items()}
    if isinstance(value, list):
        return [_mark(v, token) for v in value]
    return value


def to_json(data: dict[str, Any]) -> str:
    """JSON with Decimal amounts written as exact numbers.

    Decimals are first written as strings carrying a random per-call marker, then unquoted; bill
    text cannot carry a marker it has never seen, so it always stays a string.
    """
    token = f"dec-{secrets.token_hex(16)}:"
    text = json.dumps(_mark(data, token), ensure_ascii=False, indent=2)
    pattern = re.compile('"' + re.escape(token) + r'(-?[0-9]+(?:\.[0-9]+)?)"')
    return pattern.sub(lambda m: m.group(1), text) + "\n"


def to_csv(result: Inspection) -> str:
    """One row per provider / billing account / invoice, then a total row; exact amounts."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        ["month", "provider", "billing_account", "invoice_id", "currency", "billed_total",
         "recomputed_total", *CAUSES, "status"]
    )  # fmt: skip
    for g in result.groups:
        b = g.breakdown
        w.writerow(
            [result.scope.month, neutralize(g.provider), neutralize(g.billing_account),
             neutralize(g.invoice_id or ""), g.currency, b.billed, b.recomputed,
             *(b.causes[c] for c in CAUSES), ""]
        )  # fmt: skip
    t = result.total
    w.writerow(
        [result.scope.month, "", "", "", result.currency, t.billed, t.recomputed,
         *(t.causes[c] for c in CAUSES), result.status]
    )  # fmt: skip
    return buf.getvalue()


def _causes_table(result: Inspection, lang: str) -> Table:
    cur = result.currency
    table = Table(title=label(lang, "result"), title_justify="left", show_header=False)
    table.add_column()
    table.add_column(justify="right")
    table.add_row(Text(label(lang, "billed")), Text(amount(result.total.billed, cur, lang)))
    table.add_row(Text(label(lang, "recomputed")), Text(amount(result.total.recomputed, cur, lang)))
    for cause, value in result.total.causes.items():
        table.add_row(Text("  " + label(lang, f"cause.{cause}")), Text(amount(value, cur, lang)))
    return table


def _groups_table(result: Inspection, lang: str) -> Table:
    cur = result.currency
    table = Table(title=label(lang, "groups"), title_justify="left")
    for key in ("provider", "billing_account", "invoice_id", "billed", "recomputed.short"):
        table.add_column(
            label(lang, key), justify="right" if key in ("billed", "recomputed.short") else "left"
        )
    table.add_column(label(lang, "cause.unexplained"), justify="right")
    for g in result.groups:
        b = g.breakdown
        table.add_row(
            Text(g.provider), Text(g.billing_account), Text(g.invoice_id or "—"),
            Text(amount(b.billed, cur, lang)), Text(amount(b.recomputed, cur, lang)),
            Text(amount(b.unexplained, cur, lang)),
        )  # fmt: skip
    return table


def _lines_table(result: Inspection, lang: str) -> Table:
    cur = result.currency
    table = Table(title=label(lang, "unexplained_lines"), title_justify="left")
    keys = ("source_file", "source_row", "resource_id", "billed", "recomputed.short", "difference")
    for key in keys:
        table.add_column(
            label(lang, key),
            justify="right" if key not in ("source_file", "resource_id") else "left",
            overflow="fold",
        )
    for u in result.unexplained_lines[:50]:
        table.add_row(
            Text(u.source_file), Text(str(u.source_row)), Text(u.resource_id or "—"),
            Text(amount(u.billed, cur, lang)), Text(amount(u.recomputed, cur, lang)),
            Text(amount(u.difference, cur, lang)),
        )  # fmt: skip
    return table


def to_renderable(result: Inspection, lang: str = "ja") -> RichGroup:
    """The terminal view: headline, causes, groups, unexplained lines (bill text as plain Text)."""
    s = result.scope
    head = Text(
        f"{label(lang, 'title')}  {label(lang, 'month')}: {s.month}"
        + (f"  {label(lang, 'ward')}: {s.ward_name or s.ward}" if s.ward else "")
        + f"  {label(lang, 'currency')}: {result.currency}"
    )
    status = Text(label(lang, f"status.{result.status}"))
    basis = Text(
        label(
            lang,
            "basis.text",
            tol=format(result.line_tolerance, "f"),
            cur=result.currency,
            n=result.total.lines_taken_as_billed,
        )
    )
    parts: list[Any] = [head, status, _causes_table(result, lang), _groups_table(result, lang)]
    if result.invoice is not None:
        inv = result.invoice
        parts.append(
            Text(
                f"{label(lang, 'invoice')}: {label(lang, 'invoice_total')} "
                f"{amount(inv.invoice_total, inv.currency, lang)} / {label(lang, 'lake_total')} "
                f"{amount(inv.lake_total, inv.currency, lang)} ({label(lang, 'lake_tax')} "
                f"{amount(inv.lake_tax, inv.currency, lang)}) / {label(lang, 'difference')} "
                f"{amount(inv.difference, inv.currency, lang)} → "
                f"{label(lang, f'cause.{inv.cause}')}"
            )
        )
    if result.unexplained_lines:
        parts.append(_lines_table(result, lang))
        hidden = result.unexplained_line_count - min(50, len(result.unexplained_lines))
        if hidden > 0:
            parts.append(Text(label(lang, "more", n=hidden)))
    parts.append(basis)
    return RichGroup(*parts)
