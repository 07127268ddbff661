"""Build a small lake (and metrics) from a rule case file and run one rule on it.

Case files (`cases/<rule-id>.yaml`) follow sqlfluff's std_rule_cases idea: file-level `as_of`,
`defaults` (lake columns every row gets), `fx` rates, then named cases with `lake` rows,
optional `metrics` rows, `params` overrides and the `expect`ed findings. A lake row may repeat
itself with `hours: {start, count}` (hourly lines) or `days: {start, count}` (daily lines); `jst`
limits the hours to `[from, to)` JST and `working_days_only: true` to working days.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from gcfinops import schema
from gcfinops.db import connect
from gcfinops.engine import prepare, run_rule
from gcfinops.fx import FxTable
from gcfinops.jpcalendar import is_working_day
from gcfinops.metrics import METRIC_COLUMNS
from gcfinops.ruleset import Rule

CASES = Path(__file__).parent / "cases"
JST = timedelta(hours=9)


def ts(value: Any) -> datetime:
    """A YAML date/time (or string) as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value)
    if len(text) == 10:
        text += "T00:00:00"
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def expand(row: dict[str, Any]) -> list[dict[str, Any]]:
    """One YAML row → lake rows (hourly or daily repetitions)."""
    row = dict(row)
    rep = row.pop("hours", None)
    step = timedelta(hours=1)
    if rep is None:
        rep = row.pop("days", None)
        step = timedelta(days=1)
    if rep is None:
        return [row]
    start, count = ts(rep["start"]), int(rep["count"])
    jst = rep.get("jst")
    working = rep.get("working_days_only", False)
    out = []
    for i in range(count):
        t0 = start + i * step
        local = t0 + JST
        if jst is not None and not (jst[0] <= local.hour < jst[1]):
            continue
        if working and not is_working_day(local.date()):
            continue
        item = dict(row)
        item["ChargePeriodStart"] = t0
        item["ChargePeriodEnd"] = t0 + step
        out.append(item)
    return out


def build_lake(con: Any, rows: list[dict[str, Any]], defaults: dict[str, Any]) -> None:
    """Create TEMP table case_lake with every schema column; unspecified columns are NULL."""
    con.execute(schema.empty_table_sql("case_lake"))
    full: list[dict[str, Any]] = []
    for r in rows:
        full += expand({**defaults, **r})
    if not full:
        return
    names = sorted({k for r in full for k in r})
    unknown = [n for n in names if n not in schema.BY_NAME]
    if unknown:
        raise ValueError(f"unknown lake columns in case file: {unknown}")
    data = {n: [_plain(r.get(n), n) for r in full] for n in names}
    arrow = pa.table({n: pa.array(v, type=_arrow_type(n)) for n, v in data.items()})
    con.register("case_rows", arrow)
    casts = ", ".join(f'CAST("{n}" AS {schema.BY_NAME[n].type}) AS "{n}"' for n in names)
    con.execute(f"INSERT INTO case_lake BY NAME SELECT {casts} FROM case_rows")
    con.unregister("case_rows")


def _plain(value: Any, name: str) -> Any:
    if isinstance(value, str) and schema.BY_NAME[name].type == schema.DATETIME:
        return ts(value)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if hasattr(value, "isoformat") and not isinstance(value, str):  # a YAML date
        return ts(value.isoformat())
    return value


def _arrow_type(name: str) -> pa.DataType:
    t = schema.BY_NAME[name].type
    if t == schema.DATETIME:
        return pa.timestamp("us", tz="UTC")
    if t in (schema.DECIMAL, schema.MONEY):
        return pa.float64()
    if t == schema.INTEGER:
        return pa.int64()
    return pa.string()


def build_metrics(con: Any, rows: list[dict[str, Any]]) -> None:
    """TEMP table case_metrics; a row may repeat (`hours: {start, count}`) over a `values` list."""
    cols = ", ".join(f"{n} {t}" for n, t in METRIC_COLUMNS)
    con.execute(f"CREATE OR REPLACE TEMP TABLE case_metrics ({cols})")
    out: list[tuple[Any, ...]] = []
    for r in rows:
        rep = r.get("hours")
        if rep is None:
            out.append((r["resource_id"], ts(r["timestamp"]), r["metric"], float(r["value"]),
                        r.get("statistic", "average"), "case"))  # fmt: skip
            continue
        start, count = ts(rep["start"]), int(rep["count"])
        values = r.get("values") or [r["value"]]
        for i in range(count):
            value = float(values[i % len(values)])
            stat = r.get("statistic", "average")
            out.append(
                (r["resource_id"], start + timedelta(hours=i), r["metric"], value, stat, "case")
            )
    if out:
        con.executemany("INSERT INTO case_metrics VALUES (?, ?, ?, ?, ?, ?)", out)


def run_case(
    rule: Rule,
    case: dict[str, Any],
    *,
    as_of: Any,
    defaults: dict[str, Any] | None = None,
    fx: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Run one rule over the case's lake; the engine's normalized rows (JPY, sentences)."""
    con = connect()
    build_lake(con, case.get("lake", []), defaults or {})
    build_metrics(con, case.get("metrics", []))
    table = FxTable()
    for rate in fx or []:
        table.set(rate["month"], rate["currency"], rate["rate_jpy"], rate.get("source", "case"))
    when = ts(case.get("as_of", as_of))
    prepare(con, lake_sql="SELECT * FROM case_lake", metrics_sql="SELECT * FROM case_metrics",
            fx=table, as_of=when)  # fmt: skip
    params = case.get("params") or {}
    if params:
        rule = replace(rule, overrides={**rule.overrides, **params})
    from gcfinops.allocation.wards import WardDirectory

    rows = run_rule(con, rule, when, WardDirectory())
    con.close()
    return rows


def matches(actual: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Differences between a finding and the expected subset (numbers to 0.5% or 0.01)."""
    problems = []
    for key, want in expected.items():
        if key == "evidence":
            import json

            got_ev = json.loads(actual["evidence"] or "{}")
            for ek, ev in want.items():
                if not _equal(got_ev.get(ek), ev):
                    problems.append(f"evidence.{ek}: expected {ev!r}, got {got_ev.get(ek)!r}")
            continue
        if key.endswith("_contains"):
            field = key[: -len("_contains")]
            if str(want) not in str(actual.get(field)):
                problems.append(f"{field}: expected to contain {want!r}, got {actual.get(field)!r}")
            continue
        if not _equal(actual.get(key), want):
            problems.append(f"{key}: expected {want!r}, got {actual.get(key)!r}")
    return problems


def _equal(got: Any, want: Any) -> bool:
    if isinstance(want, bool) or want is None or isinstance(want, str):
        return bool(got == want)
    if isinstance(want, int | float):
        if not isinstance(got, int | float) or isinstance(got, bool):
            return False
        return math.isclose(got, want, rel_tol=0.005, abs_tol=0.01)
    return bool(got == want)


def load_cases(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def write_workspace(
    root: Path,
    rows: list[dict[str, Any]],
    defaults: dict[str, Any] | None = None,
    fx: dict[str, float] | None = None,
) -> Path:
    """A workspace whose lake holds `rows` (expanded like case rows), as ingest lays it out."""
    con = connect()
    build_lake(con, rows, defaults or {})
    part = root / "lake" / "provider=aws" / "billing_period=2025-04" / "billing_account=test"
    part.mkdir(parents=True, exist_ok=True)
    target = (part / "part-0.parquet").as_posix()
    con.execute(f"COPY case_lake TO '{target}' (FORMAT parquet)")
    con.close()
    if fx:
        lines = ["month,currency,rate_jpy,source"]
        lines += [f"{k.split()[0]},{k.split()[1]},{v},test" for k, v in fx.items()]
        (root / "fx_rates.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root
