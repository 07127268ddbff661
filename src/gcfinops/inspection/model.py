"""What an inspection (検収) found, as plain dataclasses with stable `to_dict()` keys.

The sum rule holds by construction: `Breakdown.build` takes the billed and recomputed totals and
every cause but `rounding` from SQL, and sets `rounding` to what is left, in exact Decimal. The
difference between that and SQL's own rounding sum is floating-point noise, i.e. rounding too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gcfinops.inspection.tolerance import CAUSES, quantize


def _num(value: Decimal) -> Decimal:
    """Drop trailing zeros (1.5000000000 → 1.5) without exponent notation (0E-10 → 0)."""
    if value == 0:
        return Decimal(0)
    text = format(value.normalize(), "f")
    return Decimal(text)


@dataclass(frozen=True)
class Breakdown:
    """Billed vs recomputed and the differences by cause, for one scope (all, group, service)."""

    billed: Decimal
    recomputed: Decimal
    causes: dict[str, Decimal]
    lines: int = 0
    lines_taken_as_billed: int = 0

    @classmethod
    def build(
        cls,
        billed: float | Decimal | None,
        recomputed: float | Decimal | None,
        causes: dict[str, float | Decimal | None],
        lines: int = 0,
        lines_taken_as_billed: int = 0,
    ) -> Breakdown:
        b, r = quantize(billed), quantize(recomputed)
        exact = {c: quantize(causes.get(c)) for c in CAUSES if c != "rounding"}
        exact["rounding"] = b - r - sum(exact.values(), Decimal(0))
        ordered = {c: exact[c] for c in CAUSES}
        return cls(b, r, ordered, lines, lines_taken_as_billed)

    @property
    def unexplained(self) -> Decimal:
        return self.causes["unexplained"]

    def differences(self) -> list[dict[str, Any]]:
        """`[{cause, amount}]` for every cause (zeros included, so the list never changes shape)."""
        return [{"cause": c, "amount": _num(a)} for c, a in self.causes.items()]


@dataclass(frozen=True)
class Group:
    """One provider / billing account / invoice id (and currency)."""

    provider: str
    billing_account: str
    invoice_id: str | None
    currency: str
    breakdown: Breakdown

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "billing_account": self.billing_account,
            "invoice_id": self.invoice_id,
            "currency": self.currency,
            "billed_total": _num(self.breakdown.billed),
            "recomputed_total": _num(self.breakdown.recomputed),
            "differences": self.breakdown.differences(),
        }


@dataclass(frozen=True)
class ServiceRow:
    """One service (ServiceName) of the per-service table."""

    service: str
    breakdown: Breakdown

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "billed_total": _num(self.breakdown.billed),
            "recomputed_total": _num(self.breakdown.recomputed),
            "differences": self.breakdown.differences(),
        }


@dataclass(frozen=True)
class UnexplainedLine:
    """A line whose billed amount does not follow from its unit price and quantity."""

    source_file: str
    source_row: int
    resource_id: str | None
    service: str | None
    billed: Decimal
    recomputed: Decimal
    difference: Decimal
    unit_price: Decimal | None = (
        None  # the source unit price (x_SourceUnitPrice, else ContractedUnitPrice)
    )
    list_unit_price: Decimal | None = None
    quantity: Decimal | None = None
    pricing_unit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        def opt(v: Decimal | None) -> Decimal | None:
            return None if v is None else _num(v)

        return {
            "source_file": self.source_file,
            "source_row": self.source_row,
            "resource_id": self.resource_id,
            "billed": _num(self.billed),
            "recomputed": _num(self.recomputed),
            "difference": _num(self.difference),
            "service": self.service,
            "unit_price": opt(self.unit_price),
            "list_unit_price": opt(self.list_unit_price),
            "quantity": opt(self.quantity),
            "pricing_unit": self.pricing_unit,
        }


@dataclass(frozen=True)
class SourceFile:
    """A file the inspected lines came from, with its SHA-256 from the ingest ledger."""

    path: str
    sha256: str | None
    rows: int

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "rows": self.rows}


@dataclass(frozen=True)
class InvoiceCheck:
    """Σ lake for the scope against the invoice total the user typed (tax shown separately)."""

    invoice_total: Decimal
    currency: str
    lake_total: Decimal
    lake_tax: Decimal
    tolerance: Decimal
    cause: str  # "rounding" or "unexplained"

    @property
    def difference(self) -> Decimal:
        return self.invoice_total - self.lake_total

    def to_dict(self) -> dict[str, Any]:
        return {
            "invoice_total": _num(self.invoice_total),
            "currency": self.currency,
            "lake_total": _num(self.lake_total),
            "lake_excluding_tax": _num(self.lake_total - self.lake_tax),
            "lake_tax": _num(self.lake_tax),
            "difference": _num(self.difference),
            "tolerance": _num(self.tolerance),
            "cause": self.cause,
        }


@dataclass(frozen=True)
class Scope:
    """What was inspected."""

    month: str
    ward: str | None = None
    ward_name: str | None = None
    provider: str | None = None
    billing_account: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ward": self.ward,
            "ward_name": self.ward_name,
            "provider": self.provider,
            "billing_account": self.billing_account,
        }


@dataclass(frozen=True)
class Inspection:
    """The whole result; `status` is `ok` when the unexplained remainder is within tolerance."""

    scope: Scope
    currency: str
    total: Breakdown
    tolerance: Decimal
    groups: list[Group]
    services: list[ServiceRow]
    unexplained_lines: list[UnexplainedLine]
    unexplained_line_count: int
    unexplained_abs: Decimal
    sources: list[SourceFile]
    invoice: InvoiceCheck | None = None
    line_tolerance: Decimal = Decimal(0)
    invoice_ids: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        lines_ok = self.unexplained_abs <= self.tolerance
        invoice_ok = self.invoice is None or self.invoice.cause != "unexplained"
        return "ok" if lines_ok and invoice_ok else "unexplained"

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.scope.month,
            "status": self.status,
            "billed_total": _num(self.total.billed),
            "recomputed_total": _num(self.total.recomputed),
            "currency": self.currency,
            "differences": self.total.differences(),
            "unexplained_lines": [u.to_dict() for u in self.unexplained_lines],
            "unexplained_line_count": self.unexplained_line_count,
            "scope": self.scope.to_dict(),
            "tolerance": _num(self.tolerance),
            "line_tolerance": _num(self.line_tolerance),
            "lines": self.total.lines,
            "lines_taken_as_billed": self.total.lines_taken_as_billed,
            "groups": [g.to_dict() for g in self.groups],
            "services": [s.to_dict() for s in self.services],
            "invoice": None if self.invoice is None else self.invoice.to_dict(),
            "source_files": [s.to_dict() for s in self.sources],
        }
