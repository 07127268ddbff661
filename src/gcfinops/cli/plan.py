"""`gcfinops budget import`: the ward's budget (予算: 当初, 補正, 流用) for the report."""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from gcfinops import api
from gcfinops import budget as _budget
from gcfinops.cli.messages import t
from gcfinops.cli.output import STATE, emit_json, guarded, info, out
from gcfinops.errors import ConfigError
from gcfinops.money import format_jpy
from gcfinops.realized import Realized
from gcfinops.report.safety import neutralize
from gcfinops.workspace import Workspace

budget_app = typer.Typer(help="Budget (予算: 当初, 補正, 流用) per ward and 業務.",
                         no_args_is_help=True)  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(budget_app, name="budget")
    budget_app.command("import")(budget_import)
    app.command("savings")(savings)


@guarded
def savings(
    ward: Annotated[str | None, typer.Option("--ward", help="Ward (code, kanji, romaji).")] = None,
    fy: Annotated[
        int | None, typer.Option("--fy", help="Fiscal year of realized_fy_jpy (e.g. 2025).")
    ] = None,
    format_: Annotated[str, typer.Option("--format", help="table, json or csv")] = "table",
) -> None:
    """Findings acted on and the saving seen on the bill (open / resolved / gone).

    Example: gcfinops savings --ward setagaya --format json
    """
    if format_ not in ("table", "json", "csv"):
        raise ConfigError(f"--format must be table, json or csv (found {format_!r})")
    rows = api.savings(workspace=STATE.workspace, ward=ward, fiscal_year=fy)
    dicts = [asdict(r) for r in rows]
    if format_ == "json":
        emit_json({"savings": dicts})
        return
    if format_ == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(Realized.__dataclass_fields__),
                                lineterminator="\n")  # fmt: skip
        writer.writeheader()
        writer.writerows({k: neutralize(str(v)) if isinstance(v, str) else v
                          for k, v in d.items()} for d in dicts)  # fmt: skip
        sys.stdout.write(buf.getvalue())
        return
    table = Table(title=Text("Realized savings (measured on the bill)"))
    for name in ("ward", "rule", "resource", "first", "last", "state", "estimate/month",
                 "realized/month", "realized in FY"):  # fmt: skip
        table.add_column(name, justify="right" if "/" in name or "FY" in name else "left")
    for r in rows:
        table.add_row(
            Text(r.ward), Text(r.rule_id), Text(r.resource_id), r.first_month, r.last_month,
            r.state, format_jpy(r.estimated_monthly_savings_jpy),
            format_jpy(r.realized_monthly_jpy), format_jpy(r.realized_fy_jpy),
        )  # fmt: skip
    out().print(table)


@guarded
def budget_import(
    path: Annotated[
        Path,
        typer.Argument(
            help="CSV: ward,fiscal_year,business_system,cost_item,amount_jpy,kind,date "
            "(kind 当初/補正/流用, date YYYY-MM-DD; docs/budget.md)."
        ),
    ],
) -> None:
    """Validate and store a budget CSV (replaces the wards and years it contains).

    Example: gcfinops budget import budget_2025.csv
    """
    result = api.import_budget(path, workspace=STATE.workspace)
    info(f"Imported {result.rows} budget row(s) from {path}"
         + (f"; replaced {result.replaced_rows}" if result.replaced_rows else ""))  # fmt: skip
    table = Table(title=Text("Budget (予算現額) by ward and fiscal year"))
    table.add_column("ward")
    table.add_column("fiscal_year")
    table.add_column("amount", justify="right")
    for (ward, year), amount in sorted(result.totals.items()):
        table.add_row(Text(ward), str(year), format_jpy(float(amount)))
    out().print(table)


PRE_MIGRATION_TEMPLATE = """\
# Pre-migration (移行前, 現行システム) operating cost: the last full fiscal year before go-live,
# per 業務 (business_system empty = the whole ward), for the KGI targets (docs/targets.md).
# Then run: gcfinops baseline import baseline_pre_migration_template.csv
ward,fiscal_year,business_system,cost_item,amount_jpy,basis,base
setagaya,2024,住民基本台帳,software_lease,,決算,pre_migration
setagaya,2024,住民基本台帳,hardware_lease,,決算,pre_migration
"""


def write_plan_templates(root: Path) -> None:
    """`gcfinops init`: the budget and pre-migration base templates (never overwritten)."""
    ws = Workspace(root)
    written = [_budget.write_template(ws)]
    pre = ws.root / "baseline_pre_migration_template.csv"
    if not pre.exists():
        pre.write_text(PRE_MIGRATION_TEMPLATE, encoding="utf-8")
        written.append(pre)
    for path in written:
        if path is not None:
            info(t("files.template_plan", path=path))
