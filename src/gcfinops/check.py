"""The CI gate: compare a month's cost per group with agreed thresholds; exit 1 on a breach.

A month (default: the latest in the lake) is compared per ward, 業務, service or account with the
previous month, with the same month of the previous 年度, and optionally with the path to the 3割
target (the monthly amount that still ends the 年度 at 0.70 × the FY2018 baseline). Every amount
is JPY through the workspace FX table (never summed across currencies without a rate). For each
breach the change is explained by its top contributors (service, resource, usage type), by a
quantity / unit-price / exchange-rate decomposition (Shapley split, docs/ci.md "Growth
decomposition") and by the findings that would offset it. Thresholds come from
built-in defaults < `[check]` in gcfinops.toml < command-line options < per-group overrides
(`[check.wards."…"]`, `[check.systems.…]`, `[check.services."…"]`, `[check.accounts."…"]`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb

from gcfinops.allocation.systems import get_system, normalize_system
from gcfinops.allocation.wards import WardDirectory
from gcfinops.config import Config
from gcfinops.config import load as load_config
from gcfinops.db import connect
from gcfinops.errors import ConfigError, InputError, NoDataError
from gcfinops.fx import MONTH_OF_CHARGE_SQL, FxTable, register_fx, require_rates
from gcfinops.jpcalendar import fy_months, month_fiscal_year, parse_month, previous_fy_same_month
from gcfinops.lake import lake_view_sql
from gcfinops.workspace import Workspace

TARGET_RATIO = 0.70  # 3割削減: at most 70 % of the FY2018 running cost (domain.md §0)
NEAR_RATIO = 0.80  # a result at >= 80 % of its threshold is reported as a warning
METRICS = ("mom_growth", "yoy_growth", "increase_jpy", "over_target_path")
COST_COLUMNS = ("BilledCost", "EffectiveCost")
# --by value -> (override table in [check], SQL of the group key, SQL of a display name or NULL)
DIMENSIONS: dict[str, tuple[str, str, str]] = {
    "ward": ("wards", "x_Ward", "NULL"),
    "system": ("systems", "x_BusinessSystem", "NULL"),
    "service": ("services", "ServiceName", "NULL"),
    "account": ("accounts", "SubAccountId", "SubAccountName"),
}
# Top-contributor dimensions -> SQL key
CONTRIBUTORS = {
    "service": "ServiceName",
    "resource": "ResourceId",
    "usage_type": "coalesce(x_UsageType, SkuMeter)",
}
THRESHOLD_KEYS = ("max_mom_growth", "max_yoy_growth", "max_increase_jpy", "max_over_target_path")
_SETTING_KEYS = ("by", "cost_column", "top")
_SUBTABLES = ("wards", "systems", "services", "accounts", "anomalies")


@dataclass(frozen=True)
class Thresholds:
    """Limits for one group; None switches a test off. Percentages are percent (20 = 20 %)."""

    max_mom_growth: float | None = 20.0
    max_yoy_growth: float | None = 30.0
    max_increase_jpy: float | None = 100_000.0
    max_over_target_path: float | None = None


@dataclass(frozen=True)
class CheckSettings:
    """`[check]` of gcfinops.toml, parsed: defaults, per-group overrides, grouping, cost column."""

    by: str = "ward"
    cost_column: str = "BilledCost"
    top: int = 3
    thresholds: Thresholds = field(default_factory=Thresholds)
    overrides: Mapping[str, Mapping[str, Mapping[str, float | None]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Contributor:
    """One service, resource or usage type and how much its cost changed."""

    dimension: str
    key: str | None
    current_jpy: float
    previous_jpy: float
    delta_jpy: float


@dataclass(frozen=True)
class Decomposition:
    """ΔJPY as 使用量要因 / 単価要因 / 為替要因 + lines without a quantity; sums exactly."""

    quantity_jpy: float
    price_jpy: float
    fx_jpy: float
    other_jpy: float

    @property
    def total_jpy(self) -> float:
        return self.quantity_jpy + self.price_jpy + self.fx_jpy + self.other_jpy


@dataclass(frozen=True)
class Offset:
    """A finding on a resource of the group: what acting on it would save per month."""

    rule_id: str
    resource_id: str | None
    estimated_monthly_savings: float
    recommendation_ja: str | None
    recommendation: str | None
    resource_delta_jpy: float = 0.0  # change of the resource's cost in the compared period

    @property
    def on_growth(self) -> bool:
        return self.resource_delta_jpy > 0


@dataclass(frozen=True)
class Evaluation:
    """One group against one threshold: status is breach, near, ok or skipped."""

    group: str | None
    group_name: str | None
    group_name_en: str | None
    metric: str
    status: str
    value: float | None  # percent (growth, over target path) or JPY (increase); None = unbounded
    threshold: float | None
    current_jpy: float
    previous_jpy: float | None  # previous month, same month last FY, or the target-path allowance
    delta_jpy: float | None
    comparison: str | None  # the month compared with, or "target_path"
    note: str | None = None
    top_contributors: tuple[Contributor, ...] = ()
    decomposition: Decomposition | None = None
    offsets: tuple[Offset, ...] = ()
    offset_total_jpy: float | None = None  # every finding of the group
    offset_growth_jpy: float | None = None  # findings on resources whose cost rose

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["value"] = _finite(self.value)
        if self.decomposition is not None:
            data["decomposition"]["total_jpy"] = self.decomposition.total_jpy
        for offset, obj in zip(data["offsets"], self.offsets, strict=True):
            offset["on_growth"] = obj.on_growth
        return data


@dataclass(frozen=True)
class CheckResult:
    """The gate's answer: every evaluation, the months compared, and the exit code."""

    month: str
    previous_month: str
    yoy_month: str
    fiscal_year: int
    by: str
    cost_column: str
    thresholds: Thresholds
    evaluations: tuple[Evaluation, ...]
    totals: Mapping[str | None, Mapping[str, float]]  # group -> month -> JPY
    missing_months: tuple[str, ...] = ()  # comparison months with no data in the lake
    findings_path: str | None = None

    @property
    def breaches(self) -> list[Evaluation]:
        return [e for e in self.evaluations if e.status == "breach"]

    @property
    def status(self) -> str:
        return "breach" if self.breaches else "ok"

    @property
    def exit_code(self) -> int:
        return 1 if self.breaches else 0

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON document (`gcfinops check --format json`)."""
        return {
            "status": self.status,
            "exit_code": self.exit_code,
            "month": self.month,
            "previous_month": self.previous_month,
            "yoy_month": self.yoy_month,
            "fiscal_year": self.fiscal_year,
            "by": self.by,
            "cost_column": self.cost_column,
            "currency": "JPY",
            "thresholds": asdict(self.thresholds),
            "breaches": [e.to_dict() for e in self.breaches],
            "results": [e.to_dict() for e in self.evaluations],
            "missing_months": list(self.missing_months),
            "findings_path": self.findings_path,
        }


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


# --- configuration -------------------------------------------------------------------------


def parse_threshold(text: str) -> float | None:
    """A command-line threshold: a number >= 0, or 'off' to switch the test off."""
    if text.strip().lower() in ("off", "none", "false"):
        return None
    try:
        value = float(text.replace(",", "").replace("%", ""))
    except ValueError:
        raise ValueError(f"expected a number >= 0 or 'off' (found {text!r})") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"expected a number >= 0 or 'off' (found {text!r})")
    return value


def _threshold(path: Path | None, where: str, value: object) -> float | None:
    if value is False:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(
            f"{path}: {where} must be a number >= 0, or false to switch it off (found {value!r})"
        )
    return float(value)


def _unknown(path: Path | None, table: str, keys: set[str], valid: tuple[str, ...]) -> None:
    if keys:
        import difflib

        bad = sorted(keys)
        near = {k: difflib.get_close_matches(k, valid, n=1) for k in bad}
        hints = [f"{k} (did you mean {m[0]}?)" if m else k for k, m in near.items()]
        raise ConfigError(
            f"{path}: [{table}] unknown key(s) {', '.join(hints)}; valid: {', '.join(valid)}"
        )


def settings_from_config(cfg: Config, wards: WardDirectory | None = None) -> CheckSettings:
    """Parse `[check]`; every error names the file and the key."""
    section = cfg.raw.get("check", {})
    path = cfg.path
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [check] must be a table")
    _unknown(
        path,
        "check",
        set(section) - {*THRESHOLD_KEYS, *_SETTING_KEYS, *_SUBTABLES},
        (*THRESHOLD_KEYS, *_SETTING_KEYS, *_SUBTABLES),
    )
    by = section.get("by", "ward")
    if by not in DIMENSIONS:
        raise ConfigError(f"{path}: [check] by = {by!r}; valid: {', '.join(DIMENSIONS)}")
    cost = section.get("cost_column", "BilledCost")
    if cost not in COST_COLUMNS:
        raise ConfigError(
            f"{path}: [check] cost_column = {cost!r}; valid: {', '.join(COST_COLUMNS)}"
        )
    top = section.get("top", 3)
    if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= 50:
        raise ConfigError(f"{path}: [check] top must be an integer 1–50 (found {top!r})")
    base = Thresholds(
        **{k: _threshold(path, f"[check] {k}", section[k]) for k in THRESHOLD_KEYS if k in section}
    )
    wards = wards or WardDirectory(cfg.allocation.extra_wards)
    overrides: dict[str, dict[str, dict[str, float | None]]] = {}
    for dim, (table, _, _) in DIMENSIONS.items():
        entries = section.get(table, {})
        if not isinstance(entries, dict):
            raise ConfigError(f"{path}: [check.{table}] must be a table of tables")
        for key, spec in entries.items():
            where = f'[check.{table}."{key}"]'
            if not isinstance(spec, dict):
                raise ConfigError(f"{path}: {where} must be a table of thresholds")
            _unknown(path, where[1:-1], set(spec) - set(THRESHOLD_KEYS), THRESHOLD_KEYS)
            group = _override_key(dim, str(key), wards)
            if group is None:
                raise ConfigError(
                    f"{path}: {where}: {key!r} is not a known {dim}",
                    hint="wards: code, kanji, kana or romaji; systems: id or Japanese name",
                )
            overrides.setdefault(dim, {})[group] = {
                k: _threshold(path, f"{where} {k}", v) for k, v in spec.items()
            }
    return CheckSettings(by=by, cost_column=cost, top=top, thresholds=base, overrides=overrides)


def _override_key(dim: str, key: str, wards: WardDirectory) -> str | None:
    if dim == "ward":
        return wards.normalize(key)
    if dim == "system":
        return normalize_system(key)
    return key


def thresholds_for(
    settings: CheckSettings, cli: Mapping[str, float | None], group: str | None
) -> Thresholds:
    """Effective limits of one group: [check] < command line < the group's own override."""
    effective = replace(settings.thresholds, **cli)
    override = settings.overrides.get(settings.by, {}).get(group or "", {})
    return replace(effective, **override)


# --- the check -----------------------------------------------------------------------------


def shift_month(month: str, delta: int) -> str:
    """'2026-03' shifted by delta months."""
    year, mon = parse_month(month)
    index = year * 12 + mon - 1 + delta
    return f"{index // 12}-{index % 12 + 1:02d}"


def run_check(
    ws: Workspace,
    *,
    month: str | None = None,
    by: str | None = None,
    thresholds: Mapping[str, float | None] | None = None,
    top: int | None = None,
) -> CheckResult:
    """Evaluate one month of the lake against the thresholds; see the module docstring."""
    cli = dict(thresholds or {})
    unknown = set(cli) - set(THRESHOLD_KEYS)
    if unknown:
        raise ConfigError(f"unknown threshold(s) {', '.join(sorted(unknown))}")
    cfg = load_config(ws.config_path)
    wards = WardDirectory(cfg.allocation.extra_wards)
    settings = settings_from_config(cfg, wards)
    if by is not None:
        if by not in DIMENSIONS:
            raise ConfigError(f"--by {by!r}; valid: {', '.join(DIMENSIONS)}")
        settings = replace(settings, by=by)
    if top is not None:
        settings = replace(settings, top=top)
    # NOTE: spill space only inside an existing workspace (a mistyped -w must not create one)
    con = connect(temp_dir=ws.tmp / "check" if ws.root.is_dir() else None)
    try:
        return _run(con, ws, cfg, wards, settings, cli, month)
    finally:
        con.close()


def _run(
    con: duckdb.DuckDBPyConnection,
    ws: Workspace,
    cfg: Config,
    wards: WardDirectory,
    settings: CheckSettings,
    cli: dict[str, float | None],
    month: str | None,
) -> CheckResult:
    con.execute(f"CREATE TEMP VIEW lake AS {lake_view_sql(ws)}")
    loaded = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT {MONTH_OF_CHARGE_SQL} AS m FROM lake ORDER BY m"
        ).fetchall()
    ]
    if not loaded:
        raise NoDataError(
            f"the lake of {ws.root} holds no billing data",
            hint="load a month first: gcfinops ingest <export folder or file>",
        )
    if month is None:
        month = loaded[-1]
    parse_month(month)
    if month not in loaded:
        raise NoDataError(
            f"no billing data for {month} in {ws.root} (loaded: {_ranges(loaded)})",
            hint="ingest that month first, or pick a loaded month with --month",
        )
    prev, yoy, fy = shift_month(month, -1), previous_fy_same_month(month), month_fiscal_year(month)
    any_target = thresholds_for(settings, cli, None).max_over_target_path is not None or any(
        o.get("max_over_target_path") is not None
        for o in settings.overrides.get(settings.by, {}).values()
    )
    fy_before = fy_months(fy)[: fy_months(fy).index(month)]
    wanted = {month, prev, yoy} | (set(fy_before) if any_target else set())
    _scope(con, ws, settings, sorted(wanted))
    totals: dict[str | None, dict[str, float]] = {}
    for grp, m, jpy in con.execute(
        "SELECT grp, month, sum(jpy) FROM scoped GROUP BY grp, month"
    ).fetchall():
        totals.setdefault(grp, {})[m] = float(jpy)
    allowance: dict[str | None, tuple[float, float]] = {}
    if any_target:
        allowance = _target_allowances(con, ws, settings, totals, month, fy_before, loaded)
    names = _names(con, settings.by, wards)
    evaluations: list[Evaluation] = []
    for grp in sorted(totals, key=lambda g: (g is None, g or "")):
        lim = thresholds_for(settings, cli, grp)
        months = totals[grp]
        cur = months.get(month, 0.0)
        name, name_en = names.get(grp, (None, None))
        ctx = (grp, name, name_en, cur)
        evaluations += _growth(ctx, "mom", prev, months, prev in loaded, lim)
        evaluations += _growth(ctx, "yoy", yoy, months, yoy in loaded, lim)
        if lim.max_over_target_path is not None:
            evaluations.append(_target(ctx, allowance.get(grp), lim))
    evaluations = _explain(con, ws, settings, evaluations, month)
    return CheckResult(
        month=month,
        previous_month=prev,
        yoy_month=yoy,
        fiscal_year=fy,
        by=settings.by,
        cost_column=settings.cost_column,
        thresholds=thresholds_for(settings, cli, None),
        evaluations=tuple(evaluations),
        totals=totals,
        missing_months=tuple(m for m in (prev, yoy) if m not in loaded),
        findings_path=str(_findings_path(ws)) if _findings_path(ws).exists() else None,
    )


def _ranges(months: list[str]) -> str:
    return f"{months[0]}..{months[-1]} ({len(months)} months)" if len(months) > 1 else months[0]


def _scope(
    con: duckdb.DuckDBPyConnection, ws: Workspace, settings: CheckSettings, months: list[str]
) -> None:
    """TEMP table `scoped`: the wanted months' lines with group key and JPY amount."""
    _, key_sql, name_sql = DIMENSIONS[settings.by]
    con.execute("CREATE TEMP TABLE gcf_check_months (month VARCHAR)")
    con.executemany("INSERT INTO gcf_check_months VALUES (?)", [(m,) for m in months])
    con.execute(
        f"""CREATE TEMP VIEW scoped_src AS
            SELECT *, {MONTH_OF_CHARGE_SQL} AS month FROM lake
            WHERE {MONTH_OF_CHARGE_SQL} IN (SELECT month FROM gcf_check_months)"""
    )
    register_fx(con, FxTable.load(ws.fx_path), "scoped_src")
    require_rates(con, "scoped_src")
    con.execute(
        f"""CREATE TEMP TABLE scoped AS
            SELECT s.month, {key_sql} AS grp, {name_sql} AS grp_name, s.BillingCurrency AS currency,
                   s.{settings.cost_column} AS cost, s.{settings.cost_column} * f.rate_jpy AS jpy,
                   s.PricingQuantity AS q, s.PricingUnit AS unit, s.ServiceName, s.ResourceId,
                   s.x_UsageType, s.SkuId, s.SkuMeter
            FROM scoped_src AS s
            JOIN gcf_fx AS f ON f.month = s.month AND f.currency = s.BillingCurrency"""
    )


def _names(
    con: duckdb.DuckDBPyConnection, by: str, wards: WardDirectory
) -> dict[str | None, tuple[str | None, str | None]]:
    keys = [r[0] for r in con.execute("SELECT DISTINCT grp FROM scoped").fetchall()]
    out: dict[str | None, tuple[str | None, str | None]] = {}
    for key in keys:
        if key is None:
            out[key] = ("未割当", "unallocated")
        elif by == "ward" and (w := wards.get(key)) is not None:
            out[key] = (w.kanji, w.name_en or w.romaji)
        elif by == "system" and (s := get_system(key)) is not None:
            out[key] = (s.name_ja, s.name_en)
        else:
            out[key] = (key, key)
    if by == "account":
        for key, name in con.execute(
            "SELECT grp, max(grp_name) FROM scoped WHERE grp IS NOT NULL GROUP BY grp"
        ).fetchall():
            if name:
                out[key] = (name, name)
    return out


Ctx = tuple[str | None, str | None, str | None, float]


def _growth(
    ctx: Ctx, kind: str, base_month: str, months: Mapping[str, float], loaded: bool, lim: Thresholds
) -> list[Evaluation]:
    """Month-on-month or year-on-year: percent and yen tests (the yen floor gates the percent)."""
    grp, name, name_en, cur = ctx
    pct_limit = lim.max_mom_growth if kind == "mom" else lim.max_yoy_growth
    floor = lim.max_increase_jpy
    if pct_limit is None and (kind == "yoy" or floor is None):
        return []
    metric = f"{kind}_growth" if pct_limit is not None else "increase_jpy"
    threshold = pct_limit if pct_limit is not None else floor
    if not loaded:
        return [
            Evaluation(
                grp,
                name,
                name_en,
                metric,
                "skipped",
                None,
                threshold,
                cur,
                None,
                None,
                base_month,
                note="no_data",
            )
        ]
    base = months.get(base_month, 0.0)
    delta = cur - base
    if pct_limit is None:
        assert floor is not None
        status = _status(delta > floor, delta >= NEAR_RATIO * floor)
        return [
            Evaluation(
                grp, name, name_en, metric, status, delta, floor, cur, base, delta, base_month
            )
        ]
    pct = delta / base * 100 if base > 0 else (math.inf if delta > 0 else 0.0)
    material = floor is None or delta > floor
    status = _status(pct > pct_limit and material, pct >= NEAR_RATIO * pct_limit and material)
    note = "new" if base <= 0 and delta > 0 else None
    return [
        Evaluation(
            grp,
            name,
            name_en,
            metric,
            status,
            pct,
            pct_limit,
            cur,
            base,
            delta,
            base_month,
            note=note,
        )
    ]


def _status(breach: bool, near: bool) -> str:
    return "breach" if breach else "near" if near else "ok"


def _target(ctx: Ctx, path: tuple[float, float] | None, lim: Thresholds) -> Evaluation:
    """Spend of the month against the monthly amount that still ends the FY on target."""
    grp, name, name_en, cloud = ctx
    limit = lim.max_over_target_path
    assert limit is not None
    if path is None:
        return Evaluation(
            grp,
            name,
            name_en,
            "over_target_path",
            "skipped",
            None,
            limit,
            cloud,
            None,
            None,
            "target_path",
            note="no_baseline",
        )
    allowed, cur = path
    over = cur - allowed
    pct = over / allowed * 100 if allowed > 0 else (math.inf if cur > 0 else 0.0)
    material = lim.max_increase_jpy is None or over > lim.max_increase_jpy
    near = allowed > 0 and cur >= NEAR_RATIO * allowed * (1 + limit / 100)
    status = _status(pct > limit and material, near and material)
    note = "allowance_used_up" if allowed <= 0 else None
    return Evaluation(
        grp,
        name,
        name_en,
        "over_target_path",
        status,
        pct,
        limit,
        cur,
        allowed,
        over,
        "target_path",
        note=note,
    )


def _target_allowances(
    con: duckdb.DuckDBPyConnection,
    ws: Workspace,
    settings: CheckSettings,
    totals: Mapping[str | None, Mapping[str, float]],
    month: str,
    fy_before: list[str],
    loaded: list[str],
) -> dict[str | None, tuple[float, float]]:
    """Per ward: (allowance, spend of the month), both cloud + imported non-cloud cost.

    allowance = (0.70 × FY2018 baseline − actual FY-to-date before the month) / months left,
    the month itself included.
    """
    if settings.by != "ward":
        raise ConfigError(
            "--max-over-target-path compares wards with their FY2018 baseline; use --by ward",
            hint="or switch it off for this run: --max-over-target-path off",
        )
    fy = month_fiscal_year(month)
    missing = [m for m in fy_before if m not in loaded]
    if missing:
        raise NoDataError(
            f"the path to the 3割 target needs every month of FY{fy} before {month}; "
            f"the lake lacks {', '.join(missing)}",
            hint="ingest those months, or switch the test off: --max-over-target-path off",
        )
    base = fy2018_baseline_by_ward(con, ws)
    noncloud = noncloud_by_ward_month(con, ws, fy)
    remaining = 12 - len(fy_before)
    out: dict[str | None, tuple[float, float]] = {}
    for grp, amount in base.items():
        spent = sum(totals.get(grp, {}).get(m, 0.0) for m in fy_before)
        spent += sum(noncloud.get(grp, {}).get(m, 0.0) for m in fy_before)
        current = totals.get(grp, {}).get(month, 0.0) + noncloud.get(grp, {}).get(month, 0.0)
        out[grp] = ((TARGET_RATIO * amount - spent) / remaining, current)
    return out


def fy2018_baseline_by_ward(
    con: duckdb.DuckDBPyConnection, ws: Workspace
) -> dict[str | None, float]:
    """FY2018 running cost per ward code, from the store `gcfinops baseline import` writes.

    Raises NoDataError when no baseline was imported (the target path cannot be drawn).
    """
    from gcfinops import baseline  # NOTE: imported late; only the target-path test needs it

    path = baseline.store_path(ws)
    if not path.exists():
        raise NoDataError(
            f"no FY2018 baseline in {ws.root}; --max-over-target-path needs it",
            hint="import it: gcfinops baseline import baseline_fy2018.csv "
            "(or switch the test off: --max-over-target-path off)",
        )
    rows = con.execute(
        """SELECT ward, sum(CAST(amount_jpy AS DOUBLE)) FROM read_csv($p, all_varchar = true)
           WHERE CAST(fiscal_year AS INTEGER) = $fy GROUP BY ward""",
        {"p": str(path), "fy": baseline.DEFAULT_FISCAL_YEAR},
    ).fetchall()
    return {str(w): float(a) for w, a in rows}


def noncloud_by_ward_month(
    con: duckdb.DuckDBPyConnection, ws: Workspace, fy: int
) -> dict[str | None, dict[str, float]]:
    """Non-cloud running cost per ward and month of a 年度; a whole-year amount counts 1/12 a month.

    Read from the store `gcfinops costs import` writes; empty when none was imported.
    """
    from gcfinops import costs  # NOTE: imported late; only the target-path test needs it

    path = costs.store_path(ws)
    out: dict[str | None, dict[str, float]] = {}
    if not path.exists():
        return out
    rows = con.execute(
        """SELECT ward, nullif(month, '') AS month, sum(CAST(amount_jpy AS DOUBLE))
           FROM read_csv($p, all_varchar = true)
           WHERE CAST(fiscal_year AS INTEGER) = $fy GROUP BY ward, nullif(month, '')""",
        {"p": str(path), "fy": fy},
    ).fetchall()
    for ward, month, amount in rows:
        per_month = out.setdefault(str(ward), {})
        for m in [month] if month else fy_months(fy):
            per_month[m] = per_month.get(m, 0.0) + float(amount) / (1 if month else 12)
    return out


# --- explaining breaches ---------------------------------------------------------------------


def _explain(
    con: duckdb.DuckDBPyConnection,
    ws: Workspace,
    settings: CheckSettings,
    evaluations: list[Evaluation],
    month: str,
) -> list[Evaluation]:
    """Attach contributors, decomposition and offsetting findings to each breach."""
    pairs = {_base_month(e, month) for e in evaluations if e.status == "breach"}
    contributors = {p: top_contributors(con, month, p, settings.top) for p in pairs}
    decompositions = {p: decompose(con, p, month) for p in pairs}
    offsets = {p: findings_offsets(con, ws, settings.by, month, p) for p in pairs}
    out = []
    for e in evaluations:
        if e.status == "breach":
            base = _base_month(e, month)
            found = offsets[base].get(e.group, [])
            grown = [o.estimated_monthly_savings for o in found if o.on_growth]
            e = replace(
                e,
                top_contributors=tuple(contributors[base].get(e.group, ())),
                decomposition=decompositions[base].get(e.group),
                offsets=tuple(found[: settings.top]),
                offset_total_jpy=sum(o.estimated_monthly_savings for o in found) if found else None,
                offset_growth_jpy=sum(grown) if found else None,
            )
        out.append(e)
    return out


def _base_month(e: Evaluation, month: str) -> str:
    """The month a breach's change is measured from (the previous month for the target path)."""
    return shift_month(month, -1) if e.comparison in (None, "target_path") else e.comparison


def top_contributors(
    con: duckdb.DuckDBPyConnection, month: str, base: str, top: int
) -> dict[str | None, list[Contributor]]:
    """Per group, the `top` largest increases by service, resource and usage type (SQL)."""
    out: dict[str | None, list[Contributor]] = {}
    for dimension, key_sql in CONTRIBUTORS.items():
        rows = con.execute(
            f"""WITH d AS (
                    SELECT grp, {key_sql} AS k,
                           sum(CASE WHEN month = ? THEN jpy ELSE 0 END) AS cur,
                           sum(CASE WHEN month = ? THEN jpy ELSE 0 END) AS prev
                    FROM scoped WHERE month IN (?, ?) GROUP BY grp, {key_sql}
                ), r AS (
                    SELECT grp, k, cur, prev, row_number() OVER (
                        PARTITION BY grp ORDER BY cur - prev DESC, k NULLS LAST) AS rn
                    FROM d
                )
                SELECT grp, k, cur, prev FROM r WHERE rn <= ? AND cur - prev > 0
                ORDER BY grp, rn""",
            [month, base, month, base, top],
        ).fetchall()
        for grp, key, cur, prev in rows:
            out.setdefault(grp, []).append(
                Contributor(dimension, key, float(cur), float(prev), float(cur) - float(prev))
            )
    return out


# Shapley split of ΔV for V = Q·P·R per comparable line (docs/ci.md §Decomposition): each
# factor's effect is its change times the average of the other two factors' products over the
# orderings, so the three effects sum exactly to Q1·P1·R1 − Q0·P0·R0 whatever the order.
_DECOMPOSE_SQL = """
WITH a AS (
    SELECT grp, ServiceName, x_UsageType, SkuId, unit, currency,
           sum(CASE WHEN month = $m0 AND q > 0 THEN q END) AS q0,
           sum(CASE WHEN month = $m0 AND q > 0 THEN cost END) AS c0,
           sum(CASE WHEN month = $m1 AND q > 0 THEN q END) AS q1,
           sum(CASE WHEN month = $m1 AND q > 0 THEN cost END) AS c1,
           sum(CASE WHEN month = $m0 AND NOT coalesce(q > 0, FALSE) THEN jpy ELSE 0 END) AS o0,
           sum(CASE WHEN month = $m1 AND NOT coalesce(q > 0, FALSE) THEN jpy ELSE 0 END) AS o1
    FROM scoped WHERE month IN ($m0, $m1)
    GROUP BY grp, ServiceName, x_UsageType, SkuId, unit, currency
), b AS (
    SELECT a.grp, coalesce(a.q0, 0) AS q0, coalesce(a.q1, 0) AS q1, a.o0, a.o1,
           CASE WHEN a.q0 > 0 THEN a.c0 / a.q0 ELSE a.c1 / a.q1 END AS p0,
           CASE WHEN a.q1 > 0 THEN a.c1 / a.q1 ELSE a.c0 / a.q0 END AS p1,
           coalesce(f0.rate_jpy, f1.rate_jpy) AS r0,
           coalesce(f1.rate_jpy, f0.rate_jpy) AS r1
    FROM a
    LEFT JOIN gcf_fx AS f0 ON f0.month = $m0 AND f0.currency = a.currency
    LEFT JOIN gcf_fx AS f1 ON f1.month = $m1 AND f1.currency = a.currency
)
SELECT grp,
    sum(CASE WHEN q0 > 0 OR q1 > 0 THEN
        (q1 - q0) * ((p0 * r0 + p1 * r1) / 3 + (p0 * r1 + p1 * r0) / 6) ELSE 0 END),
    sum(CASE WHEN q0 > 0 OR q1 > 0 THEN
        (p1 - p0) * ((q0 * r0 + q1 * r1) / 3 + (q0 * r1 + q1 * r0) / 6) ELSE 0 END),
    sum(CASE WHEN q0 > 0 OR q1 > 0 THEN
        (r1 - r0) * ((q0 * p0 + q1 * p1) / 3 + (q0 * p1 + q1 * p0) / 6) ELSE 0 END),
    sum(o1 - o0)
FROM b GROUP BY grp
"""


def decompose(
    con: duckdb.DuckDBPyConnection, base: str, month: str
) -> dict[str | None, Decomposition]:
    """Per group, ΔJPY base → month as quantity, unit-price, FX and no-quantity effects."""
    rows = con.execute(_DECOMPOSE_SQL, {"m0": base, "m1": month}).fetchall()
    return {g: Decomposition(float(q), float(p), float(r), float(o)) for g, q, p, r, o in rows}


# --- findings that would offset a rise ----------------------------------------------------------

FINDINGS_REQUIRED = ("rule_id", "resource_id", "estimated_monthly_savings")
FINDINGS_OPTIONAL = ("status", "recommendation_ja", "recommendation")
# --by → the findings column that names the finding's group (findings.py COLUMNS)
FINDINGS_GROUP = {
    "ward": "ward",
    "system": "business_system",
    "service": "service_name",
    "account": "sub_account_id",
}


def _findings_path(ws: Workspace) -> Path:
    return ws.root / "findings" / "findings.parquet"


def findings_offsets(
    con: duckdb.DuckDBPyConnection, ws: Workspace, by: str, month: str, base: str
) -> dict[str | None, list[Offset]]:
    """Findings of the last `gcfinops analyze`, per group, largest saving first.

    A finding belongs to the group its own column names (`ward`, `business_system`,
    `service_name`, `sub_account_id`), else to the group its resource is billed to in the month.
    Rows with status 'skipped' (a rule could not judge) are not offsets. Findings on the
    resources whose cost rose most from `base` to `month` come first, then the largest savings.
    """
    path = _findings_path(ws)
    if not path.exists():
        return {}
    src = path.as_posix().replace("'", "''")
    try:
        cols = {
            r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{src}')").fetchall()
        }
    except duckdb.Error as exc:
        raise InputError(f"cannot read findings ({exc})", path=str(path)) from None
    missing = [c for c in FINDINGS_REQUIRED if c not in cols]
    if missing:
        raise InputError(
            f"findings file lacks column(s) {', '.join(missing)}",
            path=str(path),
            hint="re-run gcfinops analyze to rewrite it",
        )
    opt = {c: (f"f.{c}" if c in cols else "NULL") for c in (*FINDINGS_OPTIONAL, FINDINGS_GROUP[by])}
    group = f"coalesce(CAST({opt[FINDINGS_GROUP[by]]} AS VARCHAR), r.grp)"
    rows = con.execute(
        f"""WITH r AS (
                SELECT ResourceId, min(grp) AS grp,
                       sum(CASE WHEN month = $m THEN jpy ELSE 0 END)
                       - sum(CASE WHEN month = $b THEN jpy ELSE 0 END) AS delta
                FROM scoped WHERE month IN ($m, $b) AND ResourceId IS NOT NULL
                GROUP BY ResourceId
            )
            SELECT {group} AS grp, CAST(f.rule_id AS VARCHAR), CAST(f.resource_id AS VARCHAR),
                   CAST(f.estimated_monthly_savings AS DOUBLE),
                   CAST({opt["recommendation_ja"]} AS VARCHAR),
                   CAST({opt["recommendation"]} AS VARCHAR),
                   coalesce(r.delta, 0) AS delta
            FROM read_parquet('{src}') AS f
            LEFT JOIN r ON r.ResourceId = f.resource_id
            WHERE f.estimated_monthly_savings > 0
              AND coalesce(CAST({opt["status"]} AS VARCHAR), 'finding') = 'finding'
            ORDER BY delta DESC, f.estimated_monthly_savings DESC, f.rule_id, f.resource_id""",
        {"m": month, "b": base},
    ).fetchall()
    out: dict[str | None, list[Offset]] = {}
    for grp, rule, res, saving, rec_ja, rec, delta in rows:
        out.setdefault(grp, []).append(Offset(rule, res, float(saving), rec_ja, rec, float(delta)))
    return out
