"""Cells a 財政課 table prints for changes and ratios: a percentage, or 皆増 / 皆減.

A 増減率 or 基準額比 with a zero on one side is not a number: 財政 tables print 皆増 (nothing
before, something now) or 皆減 (something before, nothing now), right-aligned like numbers.
"""

from __future__ import annotations

from typing import Any

from gcfinops.report.i18n import Fmt
from gcfinops.report.tables import Cell

MARK = "mark"  # a right-aligned text cell in a numeric column (皆増, 皆減)


def _zero_side(now: float, before: float, f: Fmt) -> Cell | None:
    if not before:
        return Cell(f.t("doc.all_increase"), MARK) if now > 0 else None
    if not now and before > 0:
        return Cell(f.t("doc.all_decrease"), MARK)
    return None


def ratio_cell(now: float | None, base: float | None, f: Fmt) -> Any:
    """now ÷ base as a 'ratio' cell (164.9％), 皆増 / 皆減 when one side is zero, else None."""
    if now is None or base is None:
        return None
    if not base or not now:
        return _zero_side(now, base, f)
    return Cell(now / base, "ratio")


def change_cell(now: float | None, before: float | None, f: Fmt) -> Any:
    """now ÷ before − 1 as a 'pct' cell (△9.7％), 皆増 / 皆減 when one side is zero, else None."""
    if now is None or before is None:
        return None
    if not before or not now:
        return _zero_side(now, before, f)
    return Cell(now / before - 1, "pct")


def difference(now: float | None, before: float | None) -> float | None:
    """now − before, or None when either is missing."""
    return None if now is None or before is None else now - before
