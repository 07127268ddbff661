"""`gcfinops allocation show`: each apportionment rule (按分), what it matched, where it went."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from gcfinops import api
from gcfinops.cli.output import STATE, emit_json, guarded, out
from gcfinops.errors import ConfigError
from gcfinops.money import format_jpy, to_yen

allocation_app = typer.Typer(
    help="Apportionment (按分) of shared cost, tax and commitment fees.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(allocation_app, name="allocation")
    allocation_app.command("show")(show)


@guarded
def show(
    month: Annotated[
        str | None,
        typer.Option("--month", help="Billing month YYYY-MM (default: the latest in the lake)."),
    ] = None,
    format_: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Each apportionment rule: what it matched in a billing month and where it went.

    Example: gcfinops allocation show --month 2025-10 --format json
    """
    if format_ not in ("table", "json"):
        raise ConfigError(f"--format must be table or json (found {format_!r})")
    result = api.allocation_show(month=month, workspace=STATE.workspace)
    if format_ == "json":
        doc = asdict(result)
        for rule in doc["rules"]:
            for key in ("matched_jpy", "moved_jpy", "no_basis_jpy"):
                rule[key] = int(to_yen(rule[key]))
            for flow in rule["sources"] + rule["destinations"]:
                flow["amount_jpy"] = int(to_yen(flow["amount_jpy"]))
        doc["cloud_total_jpy"] = int(to_yen(doc["cloud_total_jpy"]))
        emit_json(doc)
        return
    console = out()
    title = (
        f"按分 (apportionment), billing month {result.month}, {result.cost_column}, "
        f"{result.tax_basis}: "
        f"cloud total {format_jpy(result.cloud_total_jpy)} before = after"
    )
    table = Table(title=title, title_justify="left")
    for name in ("Rule", "Match", "To", "Method", "Matched", "Moved", "No basis (stayed)"):
        table.add_column(name, justify="right" if name[0] in "MN" and name != "Match" else "left")
    for r in result.rules:
        label = f"{r.name} ({r.name_ja})" if r.builtin else r.name
        method = f"{r.method} / {r.basis}" if r.basis else r.method
        table.add_row(Text(label), Text(r.match), r.to, method, format_jpy(r.matched_jpy),
                      format_jpy(r.moved_jpy), format_jpy(r.no_basis_jpy))  # fmt: skip
    console.print(table)
    dest = Table(title="Where it went (ward / 業務)", title_justify="left")
    for name in ("Rule", "Ward", "業務", "Status", "Amount"):
        dest.add_column(name, justify="right" if name == "Amount" else "left")
    for r in result.rules:
        for d in r.destinations:
            dest.add_row(Text(r.name), Text(d.keys["ward"] or "—"),
                         Text(d.keys["business_system"] or "—"), d.keys["status"] or "",
                         format_jpy(d.amount_jpy))  # fmt: skip
    console.print(dest)
