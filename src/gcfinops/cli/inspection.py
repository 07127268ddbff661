"""`gcfinops inspect`: payment inspection (検収) of one month, or a vendor's monthly report.

Exit 0 when every difference is explained (within --tolerance), 1 when not (the lines are
named), 2 on bad input or no data.
"""

from __future__ import annotations

import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Literal

import typer

from gcfinops import api
from gcfinops.cli import messages
from gcfinops.cli.engine_option import EngineOpt
from gcfinops.cli.output import STATE, guarded, out
from gcfinops.cli.report import _write
from gcfinops.errors import ConfigError

Format = Literal["table", "json", "csv", "xlsx", "html"]
Lang = Literal["ja", "en"]


def register(app: typer.Typer) -> None:
    app.command("inspect")(inspect)


def _decimal(option: str, text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        raise ConfigError(f"{option}: expected a number such as 1234.56 (found {text!r})") from None
    if not value.is_finite():
        raise ConfigError(f"{option}: expected a finite number (found {text!r})")
    return value


def _emit(payload: str | bytes, output: Path | None, binary: bool) -> None:
    if output is not None:
        _write(output, payload)
    elif binary:
        raise ConfigError("xlsx output needs -o PATH")
    else:
        assert isinstance(payload, str)
        sys.stdout.write(payload)


@guarded
def inspect(
    month: Annotated[
        str | None, typer.Option("--month", help="Billing month YYYY-MM, e.g. 2026-02.")
    ] = None,
    ward: Annotated[
        str | None, typer.Option("--ward", help="Ward: code, kanji or romaji (131121, 世田谷区).")
    ] = None,
    provider: Annotated[
        str | None,
        typer.Option("--provider", help="Provider, e.g. AWS, Microsoft, 'Google Cloud'."),
    ] = None,
    billing_account: Annotated[
        str | None, typer.Option("--billing-account", help="Billing account id.")
    ] = None,
    invoice_total: Annotated[
        str | None,
        typer.Option(
            "--invoice-total", help="Invoice total (tax included) to check the lake against."
        ),
    ] = None,
    invoice_currency: Annotated[
        str | None,
        typer.Option("--invoice-currency", help="Currency of --invoice-total, e.g. USD."),
    ] = None,
    tolerance: Annotated[
        str | None,
        typer.Option(
            "--tolerance", help="Unexplained amount still accepted (default 0 beyond rounding)."
        ),
    ] = None,
    vendor_report: Annotated[
        Path | None,
        typer.Option(
            "--vendor-report", help="CSV of a vendor's monthly amounts to check against the lake."
        ),
    ] = None,
    fmt: Annotated[
        Format, typer.Option("--format", help="table, json, csv, xlsx or html.")
    ] = "table",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file.")
    ] = None,
    engine: EngineOpt = None,
) -> None:
    """Inspect a month's bill: recompute unit price × quantity and explain every difference.

    Example: gcfinops inspect --month 2026-02 --ward chiyoda --format html -o pack.html
    """
    from gcfinops.inspection import pack, render, vendor

    lang: Lang = messages.lang()  # --lang before or after the command (common option)

    tol = _decimal("--tolerance", tolerance) or Decimal(0)
    if vendor_report is not None:
        checked = api.inspect_vendor_report(
            vendor_report, workspace=STATE.workspace, tolerance=tol,
            ward=ward, provider=provider, billing_account=billing_account, engine=engine,
        )  # fmt: skip
        if fmt == "json":
            _emit(render.to_json(checked.to_dict()), output, False)
        elif fmt == "table":
            out().print(vendor.to_renderable(checked, lang))
        elif fmt == "csv":
            _emit(vendor.to_csv(checked), output, False)
        else:
            raise ConfigError("--vendor-report writes table, json or csv")
        raise typer.Exit(0 if checked.status == "ok" else 1)
    if month is None:
        raise ConfigError("give --month YYYY-MM (or --vendor-report FILE)")
    if (invoice_total is None) != (invoice_currency is None) and invoice_currency is not None:
        raise ConfigError("--invoice-currency needs --invoice-total")
    result = api.inspect(
        month, workspace=STATE.workspace, ward=ward, provider=provider,
        billing_account=billing_account, tolerance=tol,
        invoice_total=_decimal("--invoice-total", invoice_total),
        invoice_currency=invoice_currency, engine=engine,
    )  # fmt: skip
    if fmt == "json":
        _emit(render.to_json(result.to_dict()), output, False)
    elif fmt == "csv":
        _emit(render.to_csv(result), output, False)
    elif fmt == "xlsx":
        _emit(pack.to_xlsx(result, lang), output, True)
    elif fmt == "html":
        _emit(pack.to_html(result, lang), output, False)
    else:
        out().print(render.to_renderable(result, lang))
    raise typer.Exit(0 if result.status == "ok" else 1)


def demo_inspect(root: Path, samples: Path) -> None:
    """The demo's 検収 step: the month with the planted mispriced line, and the vendor report."""
    from gcfinops.cli.output import info
    from gcfinops.inspection import render, vendor

    info("")
    info(
        "検収 (gcfinops inspect): 千代田区 2026-02 の請求を単価 × 数量で再計算し、差額を原因別に"
        "説明します。説明できない明細があれば終了コード 1 です。"
    )
    result = api.inspect("2026-02", workspace=root, ward="131016", provider="AWS")
    out().print(render.to_renderable(result, "ja"))
    report = samples / "vendor_report.csv"
    if report.exists():
        info("")
        info("事業者の月次報告 (gcfinops inspect --vendor-report) と明細の照合:")
        checked = api.inspect_vendor_report(report, workspace=root)
        out().print(vendor.to_renderable(checked, "ja"))


def write_vendor_template(root: Path) -> None:
    """`gcfinops init`: drop the vendor-report template CSV (never overwrite)."""
    from gcfinops.cli.messages import t
    from gcfinops.cli.output import info
    from gcfinops.inspection.vendor import TEMPLATE

    path = root / "vendor_report_template.csv"
    if not path.exists():
        path.write_text(TEMPLATE, encoding="utf-8")
        info(t("files.template_vendor", path=path, name=path.name))
