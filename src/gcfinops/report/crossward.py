"""Cross-ward comparison for `report --ward all` (issue #13 item 4): cost per resident and the
operation-support contracts (運用管理補助者: non-cloud `other_outsourcing`, by vendor) side by side,
with the saving a joint contract would need to be 20 % below the wards' own contracts.

The 23 special wards' populations ship with gcfinops (gcfinops.populations: 令和2年国勢調査,
2020-10-01); `[population]` (inline or a CSV for any municipality) overrides them per ward with the
figures the ward uses, and the source and reference date are printed beside the figure:

    [population]
    source = "住民基本台帳人口 (各区公表)"
    reference_date = "2025-01-01"
    wards = { setagaya = 900000, "千代田区" = 60000 }
    file = "population.csv"      # optional: ward,population,source,reference_date
    shipped = true               # false: only the figures configured here
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gcfinops import populations as shipped_populations
from gcfinops.allocation.wards import WardDirectory
from gcfinops.config import check_keys, integer_setting
from gcfinops.errors import ConfigError
from gcfinops.report.i18n import Fmt
from gcfinops.report.model import ReportData, WardReport
from gcfinops.report.plan_model import CrossWard, WardPeer
from gcfinops.report.tables import Col, Table
from gcfinops.usercsv import check_header, read_rows

if TYPE_CHECKING:
    import duckdb

OPERATION_SUPPORT = "other_outsourcing"
Population = dict[str, tuple[int, str]]  # ward code → (people, "source, reference date")


def populations(raw: dict[str, Any], path: Path | None, wards: WardDirectory) -> Population:
    """`[population]` → ward code → (population, source label); errors name the key or line."""
    section = raw.get("population", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [population] must be a table")
    check_keys(
        path, "population", section, {"source", "reference_date", "wards", "file", "shipped"}
    )
    label = ", ".join(str(section[k]) for k in ("source", "reference_date") if k in section)
    shipped = section.get("shipped", True)
    if not isinstance(shipped, bool):
        raise ConfigError(f"{path}: population.shipped must be true or false")
    out: Population = {}
    if shipped:
        out.update((code, (people, shipped_populations.label()))
                   for code, people in shipped_populations.SPECIAL_WARDS.items())  # fmt: skip
    inline = section.get("wards", {})
    if not isinstance(inline, dict):
        raise ConfigError(f"{path}: population.wards must be a table of ward = people")
    for name, value in inline.items():
        code = wards.normalize(str(name))
        if code is None:
            raise ConfigError(f"{path}: population.wards: unknown ward {name!r}")
        out[code] = (integer_setting(path, f"population.wards.{name}", value, 1, 10**8), label)
    if "file" in section:
        csv_path = Path(str(section["file"]))
        if path is not None and not csv_path.is_absolute():
            csv_path = path.parent / csv_path
        header, rows = read_rows(csv_path, "population")
        check_header(csv_path, header, ("ward", "population"), ("source", "reference_date"))
        for line, row in rows:
            code = wards.normalize(row["ward"])
            text = row["population"].replace(",", "")
            if code is None or not text.isdigit() or int(text) <= 0:
                raise ConfigError(f"{csv_path}:{line}: expected a known ward and a population")
            where = ", ".join(row[k] for k in ("source", "reference_date") if row.get(k))
            out[code] = (int(text), where or label or csv_path.name)
    return out


def _vendors(con: duckdb.DuckDBPyConnection, fy: int) -> dict[str, list[str]]:
    """The operation-support vendors of every selected ward (one query, not one a ward)."""
    rows = con.execute(
        """SELECT DISTINCT ward, vendor FROM gcf_noncloud_raw
           WHERE ward IN (SELECT ward FROM gcf_selected) AND cost_item = ? AND fiscal_year = ?
             AND coalesce(vendor, '') <> ''
           ORDER BY ward, vendor""",
        [OPERATION_SUPPORT, fy],
    ).fetchall()
    out: dict[str, list[str]] = defaultdict(list)
    for ward, vendor in rows:
        out[str(ward)].append(str(vendor))
    return out


def build(
    con: duckdb.DuckDBPyConnection, reports: list[WardReport], fy: int, people: Population
) -> CrossWard:
    """The comparison of every ward in the report."""
    vendors = _vendors(con, fy)
    peers = []
    for w in reports:
        line = next((x for x in w.by_cost_item if x.key == OPERATION_SUPPORT), None)
        count, source = people.get(w.ward, (None, None))
        peers.append(
            WardPeer(
                w.ward,
                w.ward_name,
                w.ward_name_en,
                count,
                source,
                w.forecast_jpy,
                None if line is None else line.forecast_jpy,
                vendors.get(w.ward, []),
            )
        )
    return CrossWard(peers)


def tables(data: ReportData, f: Fmt) -> list[Table]:
    """Cost per resident, and the operation-support contracts with the joint-contract line."""
    c = data.crossward
    if c is None:
        return []
    per = Table(
        "comparison_residents",
        f.t("plan.section_residents"),
        [
            Col("ward", f.t("col.ward")),
            Col("forecast", f.t("col.forecast"), "yen"),
            Col("population", f.t("plan.col_population"), "int"),
            # in whole yen whatever the table's unit: ¥980 a resident is "1" in 千円
            Col("per_resident", f.t("plan.col_per_resident"), "int"),
            Col("source", f.t("plan.col_population_source")),
        ],
    )
    for w in c.wards:
        per.rows.append(
            [
                f.name(w.ward_name, w.ward_name_en),
                w.forecast_jpy,
                w.population,
                None if w.cost_per_resident_jpy is None else round(w.cost_per_resident_jpy),
                w.population_source or f.t("plan.no_population"),
            ]
        )
    ops = Table(
        "comparison_operation_support",
        f.t("plan.section_operation_support"),
        [
            Col("ward", f.t("col.ward")),
            Col("vendors", f.t("plan.col_vendors")),
            Col("amount", f.t("col.forecast"), "yen"),
        ],
        total=True,
    )
    for w in c.wards:
        vendors = "、".join(w.vendors) if f.lang == "ja" else ", ".join(w.vendors)
        ops.rows.append(
            [f.name(w.ward_name, w.ward_name_en), vendors or "—", w.operation_support_jpy]
        )
    ops.rows.append([f.t("doc.total"), "", c.operation_support_total_jpy])
    ops.note = f.t(
        "plan.note_joint",
        target=f.yen(c.joint_contract_target_jpy),
        saving=f.yen(c.joint_saving_needed_jpy),
    )
    return [per, ops]
