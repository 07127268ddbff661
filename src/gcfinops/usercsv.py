"""Cells of the CSVs users maintain (the FY2018 baseline, non-cloud costs): reading, parsing,
one error listing every bad cell, and storing them in the workspace.

Both tables follow the same conventions (UTF-8 or CP932 as Excel saves, comments with '#',
wards and 業務 in any spelling, yen as 1,234,567 / 1,235千円 / △54,317), so `baseline.py` and
`costs.py` share these parsers instead of each keeping a copy.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from gcfinops.allocation.systems import normalize_system
from gcfinops.allocation.wards import WardDirectory
from gcfinops.errors import ConfigError
from gcfinops.money import parse_jpy
from gcfinops.workspace import atomic_write

_MAX_LISTED = 30


Problem = tuple[str, str]  # (column, message)


def read_rows(path: Path, kind: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (line, row) pairs of a user CSV: UTF-8 (BOM optional) or CP932 as Excel saves.

    Blank lines and lines starting with '#' are skipped, so templates can carry comments.
    """
    if not path.is_file():
        raise ConfigError(f"{path}: {kind} file not found")
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ConfigError(f"{path}: {kind} file is neither UTF-8 nor CP932 (Shift_JIS)")
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    line = 0
    for cells in reader:
        row_line, line = line + 1, reader.line_num
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            continue
        if len(cells) != len(header):
            raise ConfigError(
                f"{path}:{row_line}: expected {len(header)} cells as in the header, "
                f"found {len(cells)}"
            )
        rows.append((row_line, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
    if header is None:
        raise ConfigError(f"{path}: {kind} file has no header line")
    return header, rows


def check_header(
    path: Path, header: Sequence[str], required: Iterable[str], optional: Iterable[str]
) -> None:
    """Missing or unknown columns are one error naming them and the expected header."""
    required, optional = tuple(required), tuple(optional)
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in (*required, *optional)]
    dupes = sorted({c for c in header if header.count(c) > 1})
    if missing or unknown or dupes:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        if dupes:
            parts.append(f"repeated column(s) {', '.join(dupes)}")
        raise ConfigError(
            f"{path}:1: {'; '.join(parts)}",
            hint=f"header: {','.join((*required, *optional))}",
        )


def parse_ward(value: str, wards: WardDirectory) -> tuple[str | None, Problem | None]:
    """Any ward spelling → 6-digit code."""
    if not value:
        return None, ("ward", "is empty; give the 6-digit code, kanji or romaji (e.g. 131121)")
    code = wards.normalize(value)
    if code is None:
        return None, ("ward", f"unknown ward {value!r} (use the 6-digit code, e.g. 131121)")
    return code, None


def parse_system(value: str) -> tuple[str | None, Problem | None]:
    """業務 id or Japanese name → id; empty means the whole ward (no 業務)."""
    if not value:
        return None, None
    system = normalize_system(value)
    if system is None:
        return None, (
            "business_system",
            f"unknown 業務 {value!r} (use an id such as resident_registry or a name such as "
            "住民基本台帳; leave empty for the whole ward)",
        )
    return system, None


def parse_amount(value: str, *, allow_negative: bool) -> tuple[Decimal | None, Problem | None]:
    """Yen as 1234567, 1,234,567, 1,234,567円, 1,235千円 or △54,317 (decreases)."""
    text = value.strip()
    amount: Decimal | None = None
    try:
        amount = parse_jpy(text)
    except ValueError:
        with suppress(InvalidOperation):
            amount = Decimal(text.replace(",", ""))
    if amount is None or not amount.is_finite():
        return None, ("amount_jpy", f"expected an amount in yen such as 1234567 (found {value!r})")
    if amount < 0 and not allow_negative:
        return None, ("amount_jpy", f"must not be negative (found {value!r})")
    return amount, None


def parse_fiscal_year(value: str) -> tuple[int | None, Problem | None]:
    """A Western fiscal year such as 2018 (平成30年度)."""
    text = value.strip().removesuffix("年度")
    if not (text.isascii() and text.isdigit() and 1989 <= int(text) <= 2100):
        return None, ("fiscal_year", f"expected a year such as 2018 (found {value!r})")
    return int(text), None


def raise_problems(path: Path, kind: str, problems: list[str], hint: str) -> None:
    """One ConfigError listing every problem (up to a limit), each as path:line: column: …."""
    if not problems:
        return
    shown = problems[:_MAX_LISTED]
    more = [f"… and {len(problems) - _MAX_LISTED} more"] if len(problems) > _MAX_LISTED else []
    raise ConfigError(
        f"{len(problems)} problem(s) in {kind} file {path}; nothing was imported:\n"
        + "\n".join(shown + more),
        hint=hint,
    )


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a CSV atomically (`workspace.atomic_write`): readers never see half a file."""
    with atomic_write(path, newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)


def merge_stored(
    path: Path,
    columns: Sequence[str],
    new_rows: list[list[str]],
    replaces: Callable[[dict[str, str]], bool],
) -> int:
    """Keep stored rows that `replaces` does not match, append the new ones; return rows dropped."""
    kept: list[list[str]] = []
    dropped = 0
    if path.exists():
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if replaces(row):
                    dropped += 1
                else:
                    kept.append([row.get(c) or "" for c in columns])  # older: no column
    write_csv(path, columns, kept + new_rows)
    return dropped


def parse_tax(value: str) -> tuple[str, Problem | None]:
    """The optional `tax` cell: `included` (税込, the default when empty) or `excluded` (税抜)."""
    text = value.strip()
    found = {"": "included", "included": "included", "excluded": "excluded", "税込": "included"}
    found["税抜"] = "excluded"
    basis = found.get(text) or found.get(text.lower())
    if basis is None:
        return "included", ("tax", f"expected included or excluded (税込 / 税抜) (found {value!r})")
    return basis, None


def tax_sql(path: Path) -> str:
    """The SELECT expression of a stored file's `tax` (files stored before the column: included)."""
    with path.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f), [])
    return "coalesce(nullif(tax, ''), 'included')" if "tax" in header else "'included'"


@dataclass(frozen=True)
class ImportResult:
    """What an import of a user CSV stored: rows, and the total per (ward, fiscal year)."""

    path: Path
    rows: int
    replaced_rows: int
    totals: dict[tuple[str, int], Decimal]
