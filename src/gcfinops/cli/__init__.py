"""The `gcfinops` command: a thin typer layer over the library (`gcfinops.api`).

Each command module registers its commands on `app`; every command resolves the workspace, calls
one library function, renders the result, and lets `output.guarded` turn errors into exit codes:
0 ok, 1 the answer is "no" (a threshold breached, totals that do not reconcile), 2 the tool could
not work (bad input, configuration or rule), 3 an internal error (a bug).
"""

from __future__ import annotations

from typing import Annotated

import typer

from gcfinops import __version__
from gcfinops.cli import allocation as allocation_cmd
from gcfinops.cli import check as check_cmd
from gcfinops.cli import export as export_cmd
from gcfinops.cli import ingest as ingest_cmd
from gcfinops.cli import inspection as inspection_cmd
from gcfinops.cli import lake as lake_cmd
from gcfinops.cli import options
from gcfinops.cli import plan as plan_cmd
from gcfinops.cli import report as report_cmd
from gcfinops.cli import rules as rules_cmd
from gcfinops.cli import setup as setup_cmd
from gcfinops.cli.output import STATE

app = typer.Typer(
    name="gcfinops",
    help="FinOps for Japanese local governments on the Government Cloud (ガバメントクラウド).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gcfinops {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    workspace: options.WorkspaceOpt = None,
    quiet: options.QuietOpt = False,
    lang: options.LangOpt = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """FinOps for Japanese local governments on the Government Cloud."""
    STATE.workspace = workspace
    STATE.quiet = quiet
    STATE.lang = lang
    STATE.debug = debug


for module in (
    setup_cmd,
    ingest_cmd,
    check_cmd,
    report_cmd,
    rules_cmd,
    allocation_cmd,
    inspection_cmd,
    export_cmd,
    plan_cmd,
    lake_cmd,
):
    module.register(app)
options.install(app)  # --workspace, --quiet and --lang after every command name too


def main() -> None:
    """Console-script entry point."""
    app()
