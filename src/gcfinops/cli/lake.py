"""`gcfinops lake compact`: merge small lake files (docs/scale.md)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from gcfinops import api
from gcfinops.cli.output import STATE, guarded, info, out

lake_app = typer.Typer(help="Lake maintenance.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(lake_app, name="lake")


@lake_app.command("compact")
@guarded
def compact(
    target_mib: Annotated[
        int, typer.Option("--target-mib", min=8, max=4096, help="Target file size in MiB.")
    ] = 256,
    format_: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    lock_timeout: Annotated[float, typer.Option(help="Seconds to wait for an ingest.")] = 600.0,
) -> None:
    """Merge each unit's small Parquet files into files of the target size, sorted by ward and
    time; totals are reconciled per unit and the swap is journaled like an ingest's.

    Example: gcfinops -w ./ws lake compact --target-mib 256
    """
    done = api.lake_compact(
        workspace=STATE.workspace, target_bytes=target_mib * 1024 * 1024, lock_timeout=lock_timeout
    )
    if format_ == "json":
        rows = [
            {"provider": d.unit.provider, "billing_period": d.unit.billing_period,
             "billing_account": d.unit.billing_account, "files_before": d.files_before,
             "files_after": d.files_after, "bytes_before": d.bytes_before,
             "bytes_after": d.bytes_after, "rows": d.rows}
            for d in done
        ]  # fmt: skip
        out().print_json(json.dumps({"compacted": rows}, ensure_ascii=False))
        return
    if not done:
        info("lake is compact: nothing to merge")
        return
    for d in done:
        out().print(
            f"{d.unit.rel.as_posix()}: {d.files_before} → {d.files_after} files, "
            f"{d.rows:,} rows (totals reconciled)"
        )
