"""A vendor's monthly report (CSV) against the lake: the monthly check the seeds ask staff for.

Format (UTF-8 or CP932, as Excel saves; `#` lines are comments): `month,amount` required;
`ward`, `provider`, `service` (the bill's ServiceName), `business_system` (業務 id or name),
`currency` (default JPY) and `note` optional. Amounts as the other importers read them:
1234567, 1,234,567, 1,235千円, △54,317. Each row is compared with Σ BilledCost of the lake for the
same month and scope; a USD lake is converted with the workspace's FX table when the report is in
yen. A row may differ by half of the unit it is written in (1 円, or 500 円 for 千円) plus
--tolerance. Any bad cell is one error naming file:line (exit 2).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Group as RichGroup
from rich.table import Table
from rich.text import Text

from gcfinops.allocation.systems import normalize_system
from gcfinops.allocation.wards import WardDirectory
from gcfinops.context import Context
from gcfinops.errors import ConfigError, GcfinopsError
from gcfinops.inspection.labels import amount, label
from gcfinops.inspection.run import MONTH_RE
from gcfinops.inspection.tolerance import minor_unit, quantize
from gcfinops.lake import lake_view_sql
from gcfinops.report.safety import neutralize
from gcfinops.sqlengine import session as engine_session
from gcfinops.usercsv import check_header, parse_amount, raise_problems, read_rows

REQUIRED = ("month", "amount")
OPTIONAL = ("ward", "provider", "service", "business_system", "currency", "note")
TEMPLATE = """\
# Vendor monthly report (事業者・運用管理補助者の月次報告) for `gcfinops inspect --vendor-report`.
# One row per month and service or 業務; amounts as on the report (円, 千円, △ for decreases).
month,ward,provider,service,business_system,amount,currency,note
2026-02,131016,AWS,Amazon Elastic Compute Cloud,,"1,234,567",JPY,例
"""


@dataclass(frozen=True)
class VendorRow:
    """One reported figure and what the lake says for the same scope."""

    line: int
    month: str
    scope: str
    reported: Decimal
    lake: Decimal | None
    currency: str
    tolerance: Decimal

    @property
    def difference(self) -> Decimal | None:
        return None if self.lake is None else self.reported - self.lake

    @property
    def ok(self) -> bool:
        d = self.difference
        return d is not None and abs(d) <= self.tolerance

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "month": self.month,
            "scope": self.scope,
            "reported": self.reported,
            "lake": self.lake,
            "difference": self.difference,
            "currency": self.currency,
            "status": "ok" if self.ok else "differs",
        }


@dataclass(frozen=True)
class VendorCheck:
    """Every row of a vendor report, checked."""

    path: str
    rows: list[VendorRow]

    @property
    def status(self) -> str:
        return "ok" if all(r.ok for r in self.rows) else "differs"

    def to_dict(self) -> dict[str, Any]:
        return {
            "vendor_report": self.path,
            "status": self.status,
            "rows": [r.to_dict() for r in self.rows],
            "differences": [r.to_dict() for r in self.rows if not r.ok],
        }


def _filters(row: dict[str, str], ward: str | None) -> tuple[list[str], dict[str, Any], list[str]]:
    where = ["strftime(BillingPeriodStart, '%Y-%m') = $month"]
    params: dict[str, Any] = {"month": row["month"]}
    scope = []
    if ward:
        where.append("x_Ward = $ward")
        params["ward"] = ward
        scope.append(ward)
    for key, sql in (
        ("provider", "lower(ProviderName) = lower($provider)"),
        ("service", "ServiceName = $service"),
        ("business_system", "x_BusinessSystem = $business_system"),
        ("billing_account", "BillingAccountId = $billing_account"),
    ):
        if row.get(key):
            where.append(sql)
            params[key] = row[key]
            scope.append(row[key])
    return where, params, scope


def _parse(
    path: Path, wards: WardDirectory, ward: str | None
) -> list[tuple[int, dict[str, str], Decimal, Decimal]]:
    header, rows = read_rows(path, "vendor report")
    check_header(path, header, REQUIRED, OPTIONAL)
    problems: list[str] = []
    parsed = []
    for line, row in rows:
        bad: list[tuple[str, str]] = []
        if not MONTH_RE.fullmatch(row["month"]):
            bad.append(("month", f"expected YYYY-MM, e.g. 2026-02 (found {row['month']!r})"))
        value, problem = parse_amount(row["amount"], allow_negative=True)
        if problem:
            bad.append(("amount", problem[1].replace("amount_jpy", "amount")))
        code = ward
        if row.get("ward"):
            code = wards.normalize(row["ward"])
            if code is None:
                bad.append(("ward", f"unknown ward {row['ward']!r} (use the 6-digit code)"))
        if row.get("business_system"):
            system = normalize_system(row["business_system"])
            if system is None:
                bad.append(("business_system", f"unknown 業務 {row['business_system']!r}"))
            row["business_system"] = system or ""
        currency = (row.get("currency") or "JPY").upper()
        if not (len(currency) == 3 and currency.isalpha()):
            bad.append(("currency", f"expected an ISO 4217 code such as JPY (found {currency!r})"))
        problems += [f"{path}:{line}: column {c!r}: {m}" for c, m in bad]
        if bad or value is None:
            continue
        row["currency"], row["ward"] = currency, code or ""
        unit = (
            Decimal(1000)
            if "千円" in row["amount"] or row["amount"].endswith("k")
            else minor_unit(currency)
        )
        parsed.append((line, row, value, unit / 2))
    raise_problems(
        path, "vendor report", problems, hint="header: " + ",".join((*REQUIRED, *OPTIONAL))
    )
    if not parsed:
        raise ConfigError(f"{path}: vendor report has a header but no rows")
    return parsed


def check(
    ctx: Context,
    path: Path,
    *,
    tolerance: Decimal = Decimal(0),
    ward: str | None = None,
    provider: str | None = None,
    billing_account: str | None = None,
) -> VendorCheck:
    """Compare every row with the lake (one small query per report row, not per billing line)."""
    ws, wards = ctx.workspace, ctx.wards
    ward_code = wards.normalize(ward) if ward else None
    if ward and ward_code is None:
        raise ConfigError(f"--ward: unknown ward {ward!r}")
    rows = _parse(path, wards, ward_code)
    out: list[VendorRow] = []
    with engine_session(ctx, temp_dir=ws.tmp / "inspect" if ws.root.is_dir() else None) as con:
        con.execute(f"CREATE TEMP VIEW lake AS {lake_view_sql(ws)}")
        for line, row, reported, unit_tol in rows:
            if provider and not row.get("provider"):
                row["provider"] = provider
            if billing_account:
                row["billing_account"] = billing_account
            where, params, scope = _filters(row, row.get("ward") or None)
            sums = con.execute(
                f"SELECT BillingCurrency, sum(BilledCost) FROM lake WHERE {' AND '.join(where)} "
                "GROUP BY BillingCurrency",
                params,
            ).fetchall()
            total: Decimal | None = None
            for cur, value in sums:
                v = quantize(value)
                if cur.upper() != row["currency"]:
                    if row["currency"] != "JPY":
                        raise ConfigError(
                            f"{path}:{line}: the lake is in {cur}, the row in {row['currency']}"
                        )
                    try:
                        v = v * ctx.fx.rate(row["month"], cur)
                    except GcfinopsError as exc:
                        raise ConfigError(f"{path}:{line}: {exc.message}", hint=exc.hint) from None
                total = (total or Decimal(0)) + v
            out.append(
                VendorRow(line, row["month"], " / ".join(scope) or "—", reported, total,
                          row["currency"], unit_tol + tolerance)
            )  # fmt: skip
    return VendorCheck(str(path), out)


def to_csv(result: VendorCheck) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["line", "month", "scope", "reported", "lake", "difference", "currency", "status"])
    for r in result.rows:
        d = r.to_dict()
        w.writerow([d["line"], d["month"], neutralize(d["scope"]), d["reported"], d["lake"],
                    d["difference"], d["currency"], d["status"]])  # fmt: skip
    return buf.getvalue()


def to_renderable(result: VendorCheck, lang: str = "ja") -> RichGroup:
    table = Table(title=label(lang, "vendor.title"), title_justify="left")
    for key in ("month", "vendor.scope", "vendor.reported", "vendor.lake", "difference"):
        table.add_column(
            label(lang, key), justify="left" if key in ("month", "vendor.scope") else "right"
        )
    table.add_column("")
    for r in result.rows:
        diff = r.difference
        table.add_row(
            Text(r.month), Text(r.scope), Text(amount(r.reported, r.currency, lang)),
            Text("—" if r.lake is None else amount(r.lake, r.currency, lang)),
            Text("—" if diff is None else amount(diff, r.currency, lang)),
            Text("✓" if r.ok else "✗"),
        )  # fmt: skip
    return RichGroup(Text(result.path), table)
