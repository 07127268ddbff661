"""Ward reports: the numbers (`data`), one view of them (`view`), and a registry of formats.

    generate(ws, "世田谷区") -> ReportData      # computed in DuckDB SQL
    render(data, "html", lang="ja", unit="yen") -> str | bytes

A format is one module with a `render_<name>(data, fmt)` function, registered in FORMATS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from gcfinops.allocation import split
from gcfinops.context import Context
from gcfinops.errors import ConfigError
from gcfinops.lake import lake_view_sql
from gcfinops.report.crossward import populations
from gcfinops.report.csv_table import render_csv
from gcfinops.report.data import build_report
from gcfinops.report.header import HandoutMeta
from gcfinops.report.html import render_html
from gcfinops.report.i18n import Fmt, Lang, Unit
from gcfinops.report.json_doc import render_json
from gcfinops.report.markdown import render_markdown
from gcfinops.report.model import ReportData
from gcfinops.report.multiyear import add_trajectory
from gcfinops.report.settings import ReportSettings, load_settings
from gcfinops.report.terminal import render_terminal
from gcfinops.report.xlsx import render_xlsx
from gcfinops.sqlengine import session
from gcfinops.tax import DEFAULT_TAX_BASIS, TaxBasis
from gcfinops.workspace import Workspace

__all__ = ["EXTENSIONS", "FORMATS", "ReportData", "format_for_path", "generate", "render"]

Renderer = Callable[[ReportData, Fmt], "str | bytes"]

FORMATS: dict[str, Renderer] = {
    "table": render_terminal,
    "md": render_markdown,
    "html": render_html,
    "json": lambda data, _fmt: render_json(data),
    "csv": render_csv,
    "xlsx": render_xlsx,
}
BINARY = frozenset({"xlsx"})
EXTENSIONS = {
    ".txt": "table",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".csv": "csv",
    ".xlsx": "xlsx",
}


def format_for_path(path: Path) -> str | None:
    """The format an output file name implies (r.html → html), if any."""
    return EXTENSIONS.get(path.suffix.lower())


def render(data: ReportData, fmt: str, *, lang: Lang = "ja", unit: Unit = "yen") -> str | bytes:
    """Render a report in one of FORMATS."""
    renderer = FORMATS.get(fmt)
    if renderer is None:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)} (found {fmt!r})")
    return renderer(data, Fmt(lang, unit, era=data.handout.era))


def generate(
    where: Context | Workspace,
    ward: str,
    *,
    fiscal_year: int | None = None,
    as_of: date | None = None,
    tax_basis: TaxBasis = DEFAULT_TAX_BASIS,
    fx_scenario: list[float] | None = None,
    years: int | None = None,
    from_fy: int | None = None,
    prepared_on: date | None = None,
    document_number: str | None = None,
) -> ReportData:
    """Compute a report for one ward (code, kanji or romaji) or 'all'; `fx_scenario`: JPY per
    USD rates to re-price the remaining months at (`report.fx_scenario`); `prepared_on` and
    `document_number` go to the header block (report.header), with `[report]` settings."""
    ctx = Context.of(where)
    settings = load_settings(ctx.config.raw, ctx.config.path)
    meta = HandoutMeta(
        prepared_on=prepared_on,
        department=settings.department,
        document_number=document_number or settings.document_number,
        era=settings.era,
    )
    return replace(
        _generate(ctx, ward, settings, fiscal_year, as_of, tax_basis, fx_scenario, years, from_fy),
        handout=meta,
    )


def _generate(
    ctx: Context,
    ward: str,
    settings: ReportSettings,
    fiscal_year: int | None,
    as_of: date | None,
    tax_basis: TaxBasis,
    fx_scenario: list[float] | None,
    years: int | None,
    from_fy: int | None,
) -> ReportData:
    ws = ctx.workspace
    with session(ctx, temp_dir=ws.tmp) as con:
        con.execute(f"CREATE TEMP VIEW lake AS {lake_view_sql(ws)}")

        def build(fy: int | None, rates: list[float] | None = None) -> ReportData:
            return build_report(
                ws,
                con,
                ward,
                ctx.wards,
                settings,
                fiscal_year=fy,
                as_of=as_of,
                fx=ctx.fx,
                tax_basis=tax_basis,
                splits=split.parse(
                    ctx.config.raw.get("allocation", {}), ctx.config.path, ctx.wards
                ),
                fx_rates=rates,
                population=populations(ctx.config.raw, ctx.config.path, ctx.wards),
            )

        data = build(fiscal_year, fx_scenario)
        if years is None and from_fy is None:
            return data
        # each year's ReportData is complete when returned, so the session's TEMP tables may
        # be rebuilt for the next year
        last = data.fiscal_year
        first = from_fy if from_fy is not None else last - (years or 1) + 1
        if not 1989 <= first <= last or (years is not None and not 1 <= years <= 30):
            raise ConfigError(
                f"--years/--from-fy: the span must end at {last} and start from 1989 "
                f"(found {first})"
            )
        return add_trajectory(data, list(range(first, last + 1)), build)
