"""The FY2018 (平成30年度) operating-cost baseline per ward, 業務 and cost item: import and storage.

The national target is to cut 運用経費等 of the standardized systems by at least 30 % against
FY2018 (地方公共団体情報システム標準化基本方針, 2022-10-07). That cost is mostly on-premises and
comes from the ward's own accounts, so it is imported from a CSV, not from a cloud bill. Cost
items follow the Digital Agency's 先行事業 投資対効果検証 taxonomy (shared/reference/domain.md
§1.2, §6.1). File format, validation and storage: docs/baseline.md.

This module also owns the cell parsers shared with `costs.py` (ward, 業務, cost item, amount):
both CSVs are user-maintained tables with the same conventions.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from gcfinops.allocation.systems import normalize_system
from gcfinops.allocation.wards import WardDirectory
from gcfinops.errors import ConfigError
from gcfinops.money import parse_jpy
from gcfinops.workspace import Workspace

DEFAULT_FISCAL_YEAR = 2018
STORE_DIR = "operating_costs"
STORE_NAME = "baseline.csv"
TEMPLATE_NAME = "baseline_fy2018_template.csv"
COLUMNS = ("ward", "fiscal_year", "business_system", "cost_item", "amount_jpy", "basis")
STORED_COLUMNS = (*COLUMNS, "source_file", "source_line")
BASIS = {"決算": "決算", "予算": "予算", "settlement": "決算", "actual": "決算", "budget": "予算"}
_MAX_LISTED = 30


@dataclass(frozen=True)
class CostItem:
    """One line of the Digital Agency's running-cost taxonomy."""

    id: str
    name_ja: str
    name_en: str
    group: str  # "labour" (作業費) or "goods" (物品費)


# Order and names: Digital Agency 先行事業 verification table (domain.md §6.1).
COST_ITEMS: tuple[CostItem, ...] = (
    CostItem("system_operation", "システム運用作業", "System operation work", "labour"),
    CostItem(
        "hardware_maintenance_work", "ハードウェア保守作業", "Hardware maintenance work", "labour"
    ),
    CostItem("other_outsourcing", "その他外部委託費", "Other outsourcing", "labour"),
    CostItem("hardware_lease", "ハードウェア借料", "Hardware lease", "goods"),
    CostItem("hardware_maintenance", "ハードウェア保守費", "Hardware maintenance", "goods"),
    CostItem("software_lease", "ソフトウェア借料", "Software lease", "goods"),
    CostItem("software_maintenance", "ソフトウェア保守費", "Software maintenance", "goods"),
    CostItem("datacenter", "データセンター利用費", "Data-centre fees", "goods"),
    CostItem("network_lines", "通信回線費", "Network lines", "goods"),
    CostItem("cloud_usage", "クラウド利用経費", "Cloud usage", "goods"),
)
COST_ITEM_IDS = tuple(c.id for c in COST_ITEMS)
CLOUD_USAGE = "cloud_usage"
_ITEM_BY_NAME = {c.id: c.id for c in COST_ITEMS} | {c.name_ja: c.id for c in COST_ITEMS}


def cost_item(item_id: str) -> CostItem:
    """The cost item with this id."""
    return next(c for c in COST_ITEMS if c.id == item_id)


# --- cells shared with costs.py ----------------------------------------------------------


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


def parse_item(value: str) -> tuple[str | None, Problem | None]:
    """Cost item id or its Japanese name → id."""
    item = _ITEM_BY_NAME.get(value.strip()) or _ITEM_BY_NAME.get(value.strip().lower())
    if item is None:
        return None, (
            "cost_item",
            f"unknown cost item {value!r} (one of {', '.join(COST_ITEM_IDS)})",
        )
    return item, None


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


def write_atomic(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a CSV via a temp file and os.replace: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(header)
            out.writerows(rows)
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


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
                    kept.append([row[c] for c in columns])
    write_atomic(path, columns, kept + new_rows)
    return dropped


# --- the baseline -------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """What an import stored: rows, and the total per (ward, fiscal year)."""

    path: Path
    rows: int
    replaced_rows: int
    totals: dict[tuple[str, int], Decimal]


def store_path(ws: Workspace) -> Path:
    """Where the validated baseline lives in a workspace."""
    return ws.root / STORE_DIR / STORE_NAME


def import_baseline(ws: Workspace, source: Path, wards: WardDirectory) -> ImportResult:
    """Validate a baseline CSV and store it, replacing the (ward, fiscal year) pairs it contains.

    Any problem raises ConfigError listing every bad cell by line; then nothing is stored.
    """
    header, rows = read_rows(source, "baseline")
    check_header(
        source,
        header,
        ("ward", "fiscal_year", "cost_item", "amount_jpy", "basis"),
        ("business_system",),
    )
    problems: list[str] = []
    parsed: list[list[str]] = []
    seen: dict[tuple[str, int, str, str], int] = {}
    totals: dict[tuple[str, int], Decimal] = {}
    for line, row in rows:
        ward, p1 = parse_ward(row["ward"], wards)
        fy, p2 = parse_fiscal_year(row["fiscal_year"])
        system, p3 = parse_system(row.get("business_system", ""))
        item, p4 = parse_item(row["cost_item"])
        amount, p5 = parse_amount(row["amount_jpy"], allow_negative=False)
        basis = BASIS.get(row["basis"]) or BASIS.get(row["basis"].lower())
        p6 = None if basis else ("basis", f"expected 決算 or 予算 (found {row['basis']!r})")
        bad = [p for p in (p1, p2, p3, p4, p5, p6) if p]
        problems += [f"{source}:{line}: column {col!r}: {msg}" for col, msg in bad]
        if bad or ward is None or fy is None or item is None or amount is None or basis is None:
            continue
        key = (ward, fy, system or "", item)
        if key in seen:
            problems.append(
                f"{source}:{line}: {ward} {fy} {system or '(whole ward)'} {item} is already on "
                f"line {seen[key]}; combine the amounts into one row"
            )
            continue
        seen[key] = line
        totals[(ward, fy)] = totals.get((ward, fy), Decimal(0)) + amount
        parsed.append(
            [ward, str(fy), system or "", item, str(amount), basis, source.name, str(line)]
        )
    raise_problems(
        source, "baseline", problems, hint=f"header: {','.join(COLUMNS)}; see docs/baseline.md"
    )
    if not parsed:
        raise ConfigError(f"{source}: baseline file has a header but no rows")
    target = store_path(ws)
    with ws.lock():
        dropped = merge_stored(
            target,
            STORED_COLUMNS,
            parsed,
            lambda r: (r["ward"], int(r["fiscal_year"])) in totals,
        )
    return ImportResult(target, len(parsed), dropped, totals)


TEMPLATE = """\
# FY2018 (平成30年度) operating cost of the 20 standardized systems (標準化対象20業務), in yen.
# Fill one row per ward and cost item, optionally per 業務 (business_system empty = whole ward),
# then run: gcfinops baseline import baseline_fy2018_template.csv
# ward: 6-digit code, kanji or romaji (131121, 世田谷区, setagaya). basis: 決算 or 予算.
# business_system: an id (resident_registry) or a name (住民基本台帳); see docs/baseline.md.
# Lines starting with # are comments. Amounts: 1234567, 1,234,567 or 1,235千円.
"""


def write_template(ws: Workspace, *, force: bool = False) -> Path | None:
    """Write the baseline template CSV into the workspace; None when one exists (unless force)."""
    path = ws.root / TEMPLATE_NAME
    if path.exists() and not force:
        return None
    lines = [TEMPLATE.rstrip("\n")]
    for item in COST_ITEMS:
        lines.append(f"# {item.id} = {item.name_ja} ({item.name_en})")
    lines.append(",".join(COLUMNS))
    lines += [f",{DEFAULT_FISCAL_YEAR},,{item.id},,決算" for item in COST_ITEMS]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
