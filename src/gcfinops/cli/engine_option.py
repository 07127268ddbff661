"""`--engine duckdb|spark` for the commands that read the lake (analyze, report, check, inspect)."""

from __future__ import annotations

from typing import Annotated

import typer

EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="SQL engine over the lake: duckdb (default) or spark (pip install "
        "'gcfinops[spark]'; [engine] in gcfinops.toml sets master, lake or table).",
    ),
]
