"""The FY2018 (平成30年度) operating-cost baseline per ward, 業務 and cost item: import and storage.

The national target is to cut 運用経費等 of the standardized systems by at least 30 % against
FY2018 (地方公共団体情報システム標準化基本方針, 2022-10-07). That cost is mostly on-premises and
comes from the ward's own accounts, so it is imported from a CSV, not from a cloud bill. Cost
items follow the Digital Agency's 先行事業 投資対効果検証 taxonomy (shared/reference/domain.md
§1.2, §6.1). File format, validation and storage: docs/baseline.md.

The cell parsers shared with `costs.py` live in `usercsv.py`; the cost-item taxonomy and the
`[baseline]` settings (year and target ratio, read by both the report and the gate) live here,
as does the one reader of the stored baseline (`register`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gcfinops.allocation.wards import WardDirectory
from gcfinops.config import check_keys, integer_setting, number_setting
from gcfinops.db import readable_path
from gcfinops.errors import ConfigError
from gcfinops.usercsv import ImportResult as ImportResult  # this store's import result
from gcfinops.usercsv import (
    Problem,
    check_header,
    merge_stored,
    parse_amount,
    parse_fiscal_year,
    parse_system,
    parse_tax,
    parse_ward,
    raise_problems,
    read_rows,
    tax_sql,
)
from gcfinops.workspace import Workspace

if TYPE_CHECKING:
    import duckdb

DEFAULT_FISCAL_YEAR = 2018
STORE_NAME = "baseline.csv"
TEMPLATE_NAME = "baseline_fy2018_template.csv"
COLUMNS = ("ward", "fiscal_year", "business_system", "cost_item", "amount_jpy", "basis", "tax")
STORED_COLUMNS = (*COLUMNS, "source_file", "source_line", "base")
# Which base a row describes (issue #13): the national FY2018 year, or the pre-migration system
# (the last full fiscal year before go-live, per 業務 optional), in `fiscal_year`.
FY2018_BASE, PRE_MIGRATION = "fy2018", "pre_migration"
BASES = {
    "fy2018": FY2018_BASE,
    "平成30年度": FY2018_BASE,
    "pre_migration": PRE_MIGRATION,
    "移行前": PRE_MIGRATION,
    "現行システム": PRE_MIGRATION,
}
BASIS = {"決算": "決算", "予算": "予算", "settlement": "決算", "actual": "決算", "budget": "予算"}
DEFAULT_TARGET_RATIO = 0.70  # at least 3割 lower (基本方針, 2022-10-07; domain.md §0)
DEFAULT_SECONDARY = (("平成30年度と同水準", "FY2018 level", 1.0),)


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
# 初期・移行経費: one-off migration cost, accepted in the non-cloud CSV only (never a baseline
# item, since the 3割 target is about 運用経費); the report keeps it out of 運用経費.
INITIAL_ITEM = "initial"
INITIAL_NAMES = (INITIAL_ITEM, "初期・移行経費", "初期経費", "移行経費")
CLOUD_USAGE = "cloud_usage"
_ITEM_BY_NAME = {c.id: c.id for c in COST_ITEMS} | {c.name_ja: c.id for c in COST_ITEMS}


def cost_item(item_id: str) -> CostItem:
    """The cost item with this id."""
    return next(c for c in COST_ITEMS if c.id == item_id)


def parse_item(value: str) -> tuple[str | None, Problem | None]:
    """Cost item id or its Japanese name → id."""
    item = _ITEM_BY_NAME.get(value.strip()) or _ITEM_BY_NAME.get(value.strip().lower())
    if item is None:
        return None, (
            "cost_item",
            f"unknown cost item {value!r} (one of {', '.join(COST_ITEM_IDS)})",
        )
    return item, None


# --- [baseline]: the year and the targets ---------------------------------------------------


@dataclass(frozen=True)
class TargetSpec:
    """A named multiple of the baseline."""

    name_ja: str
    name_en: str
    ratio: float


@dataclass(frozen=True)
class Targets:
    """`[baseline]` of gcfinops.toml: the one place the report and the gate take the baseline
    year and the target ratio from.

        [baseline]
        fiscal_year = 2018          # 平成30年度, the year of the national target
        target_ratio = 0.70         # at least 3割 lower
        secondary_targets = [{ ratio = 1.5, name_ja = "1.5倍以内", name_en = "Within 1.5×" }]
    """

    fiscal_year: int = DEFAULT_FISCAL_YEAR
    target_ratio: float = DEFAULT_TARGET_RATIO
    secondary_targets: tuple[TargetSpec, ...] = field(
        default_factory=lambda: tuple(TargetSpec(*t) for t in DEFAULT_SECONDARY)
    )


def targets_from_config(raw: dict[str, Any], path: Path | None = None) -> Targets:
    """Parse `[baseline]`; every error names the file and the key."""
    base = raw.get("baseline", {})
    if not isinstance(base, dict):
        raise ConfigError(f"{path}: [baseline] must be a table")
    check_keys(path, "baseline", base, {"fiscal_year", "target_ratio", "secondary_targets"})
    defaults = Targets()
    targets = defaults.secondary_targets
    if "secondary_targets" in base:
        items = base["secondary_targets"]
        if not isinstance(items, list):
            raise ConfigError(f"{path}: baseline.secondary_targets must be a list of tables")
        parsed = []
        for i, item in enumerate(items, 1):
            key = f"baseline.secondary_targets[{i}]"
            if not isinstance(item, dict) or "ratio" not in item:
                raise ConfigError(f"{path}: {key} needs ratio (and name_ja, name_en)")
            check_keys(path, key, item, {"ratio", "name_ja", "name_en"})
            r = number_setting(path, f"{key}.ratio", item["ratio"], 0.0, 100.0)
            name_ja = str(item.get("name_ja", f"基準額の{r:g}倍"))
            parsed.append(TargetSpec(name_ja, str(item.get("name_en", f"{r:g}× baseline")), r))
        targets = tuple(parsed)
    return Targets(
        fiscal_year=integer_setting(
            path, "baseline.fiscal_year", base.get("fiscal_year", defaults.fiscal_year), 1989, 2100
        ),
        target_ratio=number_setting(
            path,
            "baseline.target_ratio",
            base.get("target_ratio", defaults.target_ratio),
            0.0,
            10.0,
        ),
        secondary_targets=targets,
    )


# --- the baseline -------------------------------------------------------------------------


def store_path(ws: Workspace) -> Path:
    """Where the validated baseline lives in a workspace."""
    return ws.operating_costs_dir / STORE_NAME


def register(con: duckdb.DuckDBPyConnection, ws: Workspace, fiscal_year: int) -> bool:
    """TEMP gcf_baseline(ward, business_system, cost_item, amount_jpy, basis, tax, source_file)
    of one fiscal year: the one reader of the stored baseline (report and gate). `tax` is the
    row's basis (`included` / `excluded`). False when none was imported (the table is then
    empty)."""
    path = store_path(ws)
    if not path.exists():
        con.execute(
            """CREATE OR REPLACE TEMP TABLE gcf_baseline (ward VARCHAR, business_system VARCHAR,
               cost_item VARCHAR, amount_jpy DOUBLE, basis VARCHAR, tax VARCHAR,
               source_file VARCHAR)"""
        )
        return False
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE gcf_baseline AS
           SELECT ward, nullif(business_system, '') AS business_system, cost_item,
                  CAST(amount_jpy AS DOUBLE) AS amount_jpy, basis, {tax_sql(path)} AS tax,
                  source_file
           FROM read_csv($p, header = true, all_varchar = true)
           WHERE CAST(fiscal_year AS INTEGER) = $fy AND {_base_sql(path)} = 'fy2018'""",
        {"p": readable_path(path), "fy": fiscal_year},
    )
    return True


def _base_sql(path: Path) -> str:
    """The row's base as SQL: stores written before the `base` column existed are all fy2018."""
    with path.open(encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    return "coalesce(nullif(base, ''), 'fy2018')" if "base" in header else "'fy2018'"


def register_pre_migration(con: duckdb.DuckDBPyConnection, ws: Workspace) -> bool:
    """TEMP gcf_base_pre(ward, business_system, fiscal_year, cost_item, amount_jpy, basis): the
    pre-migration base rows (every year they describe). The second reader of the baseline store,
    kept beside `register` so the file's layout is known in one module. False when none."""
    path = store_path(ws)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE gcf_base_pre (ward VARCHAR, business_system VARCHAR,
           fiscal_year INTEGER, cost_item VARCHAR, amount_jpy DOUBLE, basis VARCHAR)"""
    )
    if not path.exists() or _base_sql(path) == "'fy2018'":
        return False
    con.execute(
        """INSERT INTO gcf_base_pre
           SELECT ward, nullif(business_system, ''), CAST(fiscal_year AS INTEGER), cost_item,
                  CAST(amount_jpy AS DOUBLE), basis
           FROM read_csv($p, header = true, all_varchar = true)
           WHERE base = 'pre_migration'""",
        {"p": readable_path(path)},
    )
    row = con.execute("SELECT count(*) FROM gcf_base_pre").fetchone()
    return bool(row and row[0])


def import_baseline(ws: Workspace, source: Path, wards: WardDirectory) -> ImportResult:
    """Validate a baseline CSV and store it, replacing the (ward, fiscal year) pairs it contains.

    Any problem raises ConfigError listing every bad cell by line; then nothing is stored.
    """
    header, rows = read_rows(source, "baseline")
    check_header(
        source,
        header,
        ("ward", "fiscal_year", "cost_item", "amount_jpy", "basis"),
        ("business_system", "base", "tax"),
    )
    problems: list[str] = []
    parsed: list[list[str]] = []
    seen: dict[tuple[str, int, str, str, str], int] = {}
    totals: dict[tuple[str, int], Decimal] = {}
    for line, row in rows:
        ward, p1 = parse_ward(row["ward"], wards)
        fy, p2 = parse_fiscal_year(row["fiscal_year"])
        system, p3 = parse_system(row.get("business_system", ""))
        item, p4 = parse_item(row["cost_item"])
        amount, p5 = parse_amount(row["amount_jpy"], allow_negative=False)
        basis = BASIS.get(row["basis"]) or BASIS.get(row["basis"].lower())
        p6 = None if basis else ("basis", f"expected 決算 or 予算 (found {row['basis']!r})")
        base_text = row.get("base", "") or FY2018_BASE
        base = BASES.get(base_text.strip()) or BASES.get(base_text.strip().lower())
        p7 = None if base else ("base", f"expected fy2018 or pre_migration (found {base_text!r})")
        row_tax, p8 = parse_tax(row.get("tax", ""))
        bad = [p for p in (p1, p2, p3, p4, p5, p6, p7, p8) if p]
        problems += [f"{source}:{line}: column {col!r}: {msg}" for col, msg in bad]
        if bad or ward is None or fy is None or item is None or amount is None or basis is None:
            continue
        key = (ward, fy, system or "", item, base or FY2018_BASE)
        if key in seen:
            problems.append(
                f"{source}:{line}: {ward} {fy} {system or '(whole ward)'} {item} is already on "
                f"line {seen[key]}; combine the amounts into one row"
            )
            continue
        seen[key] = line
        totals[(ward, fy)] = totals.get((ward, fy), Decimal(0)) + amount
        parsed.append(
            [
                ward,
                str(fy),
                system or "",
                item,
                str(amount),
                basis,
                row_tax,
                source.name,
                str(line),
                base or FY2018_BASE,
            ]
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
            # a (ward, fiscal year, base) present in the file replaces the stored one
            lambda r: (
                (r["ward"], int(r["fiscal_year"]), r.get("base") or FY2018_BASE)
                in {(str(p[0]), int(p[1]), p[9]) for p in parsed}
            ),
        )
    return ImportResult(target, len(parsed), dropped, totals)


TEMPLATE = """\
# FY2018 (平成30年度) operating cost of the 20 standardized systems (標準化対象20業務), in yen.
# Fill one row per ward and cost item, optionally per 業務 (business_system empty = whole ward),
# then run: gcfinops baseline import baseline_fy2018_template.csv
# ward: 6-digit code, kanji or romaji (131121, 世田谷区, setagaya). basis: 決算 or 予算.
# tax: included (税込, the default when empty) or excluded (税抜); FY2018 amounts carry 8 %.
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
    lines.append(
        f"# non-cloud costs (gcfinops costs import) also take {INITIAL_ITEM} = 初期・移行経費 "
        "(one-off migration cost, kept out of 運用経費 and shown apart)"
    )
    lines.append(",".join(COLUMNS))
    lines += [f",{DEFAULT_FISCAL_YEAR},,{item.id},,決算,included" for item in COST_ITEMS]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
