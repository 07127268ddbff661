"""`gcfinops export focus`: the lake as a FOCUS 1.2 / 1.3 dataset (docs/focus-export.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gcfinops import api
from gcfinops.cli import messages
from gcfinops.cli.output import STATE, guarded, info

MESSAGES = {
    "ja": "FOCUS {version} を書き出しました: {path} ({rows:,} 行、{columns} 列、{fmt})",
    "en": "Wrote FOCUS {version}: {path} ({rows:,} rows, {columns} columns, {fmt})",
}

export_app = typer.Typer(
    name="export", help="Write the lake in other formats.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(export_app)


@export_app.command("focus")
@guarded
def focus(
    output: Annotated[Path, typer.Option("--output", "-o", help="Output file: .parquet or .csv.")],
    version: Annotated[str, typer.Option(help="FOCUS version: 1.2 or 1.3.")] = "1.2",
    period: Annotated[
        list[str] | None, typer.Option(help="Billing period YYYY-MM (repeatable; default all).")
    ] = None,
    provider: Annotated[
        list[str] | None,
        typer.Option(help="Provider as in `gcfinops status`, e.g. aws (repeatable; default all)."),
    ] = None,
    with_extensions: Annotated[
        bool, typer.Option("--with-extensions", help="Also write gcfinops' x_ columns.")
    ] = False,
) -> None:
    """Export the lake as a FOCUS dataset with exactly that version's columns, in spec order.

    Example: gcfinops export focus --version 1.2 --period 2024-04 -o focus-2024-04.parquet
    """
    result = api.export_focus(
        output,
        workspace=STATE.workspace,
        version=version,
        periods=period,
        providers=provider,
        with_extensions=with_extensions,
    )
    info(
        MESSAGES[messages.lang()].format(
            version=result.version,
            path=result.path,
            rows=result.rows,
            columns=len(result.columns),
            fmt=result.file_format,
        )
    )
