"""The workspace's FX rate table: JPY per 1 unit of a currency, per month, with its source.

Budgets and payments are in yen while CSP prices are mostly in USD (domain.md §0), so every
converted total must say which rate it used. Policy: amounts in different currencies are never
summed without a rate; a missing rate is a MissingRateError, never a silent 0 or 1.

File: ``<workspace>/fx_rates.csv``, UTF-8, header ``month,currency,rate_jpy,source``; a fifth
column ``note`` is optional and written only when some rate has a note. The month of a bill
line is its billing period (``BILLING_MONTH_SQL``: ``BillingPeriodStart``, the invoice month —
AWS's UTC calendar month, Google Cloud's invoice month, Azure's billing period — falling back to
the UTC month of ``ChargePeriodStart``), so the rate of a line is the rate of the month it is
invoiced in; report and gate share the expression. ``MONTH_OF_CHARGE_SQL`` (the UTC month of the
charge period) remains for callers that need the usage month itself.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from gcfinops.errors import ConfigError, InputError, MissingRateError
from gcfinops.jpcalendar import parse_month
from gcfinops.workspace import atomic_write

if TYPE_CHECKING:
    import duckdb

FILE_NAME = "fx_rates.csv"
COLUMNS = ("month", "currency", "rate_jpy", "source")
NOTE_COLUMN = "note"
HOME_CURRENCY = "JPY"
HOME_SOURCE = "home currency (1 JPY = 1 JPY)"
MONTH_OF_CHARGE_SQL = "strftime(ChargePeriodStart, '%Y-%m')"
BILLING_MONTH_SQL = "strftime(coalesce(BillingPeriodStart, ChargePeriodStart), '%Y-%m')"


def billing_month_sql(alias: str = "") -> str:
    """`BILLING_MONTH_SQL` over the columns of table alias `alias` ('s' → s.BillingPeriodStart)."""
    p = f"{alias}." if alias else ""
    return f"strftime(coalesce({p}BillingPeriodStart, {p}ChargePeriodStart), '%Y-%m')"


def months_relation(relation: str, month_column: str = "month") -> str:
    """A relation for `register_fx` / `require_rates` whose month is `relation`'s own
    `month_column` (a billing month), not the UTC month of its ChargePeriodStart."""
    return (
        f"(SELECT DISTINCT BillingCurrency, CAST({month_column} || '-01' AS TIMESTAMP)"
        f" AS ChargePeriodStart FROM {relation})"
    )


_CURRENCY_RE = re.compile(r"[A-Z]{3}")
_MAX_LISTED = 5


@dataclass(frozen=True)
class FxRate:
    """One rate: JPY per 1 unit of currency in a month, and where the number comes from."""

    month: str
    currency: str
    rate_jpy: Decimal
    source: str
    note: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """The `fx list --format json` object; the rate as an exact decimal string."""
        return {
            "month": self.month,
            "currency": self.currency,
            "rate_jpy": str(self.rate_jpy),
            "source": self.source,
            "note": self.note,
        }


def _validate(
    month: str, currency: str, rate: object, source: str, note: str | None
) -> tuple[FxRate | None, list[tuple[str, str]]]:
    """Check one rate; return it or the (column, problem) list, so callers can collect all."""
    problems: list[tuple[str, str]] = []
    try:
        parse_month(month)
    except InputError:
        problems.append(("month", f"expected YYYY-MM, e.g. 2025-04 (found {month!r})"))
    if not (isinstance(currency, str) and _CURRENCY_RE.fullmatch(currency)):
        hint = f", e.g. {currency.strip().upper()!r}" if isinstance(currency, str) else ""
        problems.append(
            (
                "currency",
                f"expected an ISO 4217 code of 3 capital letters{hint} (found {currency!r})",
            )
        )
    elif currency == HOME_CURRENCY:
        problems.append(
            ("currency", "JPY is the home currency; its rate is always 1 and not stored")
        )
    value = _to_rate(rate)
    if value is None:
        problems.append(("rate_jpy", f"expected a number of yen per 1 unit (found {rate!r})"))
    elif value <= 0:
        problems.append(("rate_jpy", f"must be greater than 0 (found {rate!r})"))
    elif value != value.quantize(RATE_QUANTUM) or value >= RATE_LIMIT:
        problems.append(
            ("rate_jpy", f"at most {RATE_SCALE} decimal places and below 10^12 (found {rate!r})")
        )
    if not (isinstance(source, str) and source.strip()):
        problems.append(("source", "say where the rate comes from (bank, invoice, contract …)"))
    if problems or value is None:
        return None, problems
    return FxRate(month, currency, value, source.strip(), (note or "").strip() or None), []


def _to_rate(rate: object) -> Decimal | None:
    if isinstance(rate, bool):
        return None
    try:
        if isinstance(rate, Decimal | int | str):
            value = Decimal(rate.strip() if isinstance(rate, str) else rate)
        elif isinstance(rate, float):
            value = Decimal(repr(rate))
        else:
            return None
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def missing_rate_error(pairs: Iterable[tuple[str | None, str | None]]) -> MissingRateError:
    """The error for (month, currency) pairs without a rate, with the command that fixes each."""
    pairs = sorted(set(pairs), key=lambda p: (p[0] or "", p[1] or ""))
    listed = ", ".join(f"{c or '(no currency)'} in {m or '(no month)'}" for m, c in pairs)
    commands = [
        f'gcfinops fx set {m} {c} <JPY per 1 {c}> --source "<where the rate comes from>"'
        for m, c in pairs[:_MAX_LISTED]
        if m and c
    ]
    if len(pairs) > _MAX_LISTED:
        commands.append(f"… and {len(pairs) - _MAX_LISTED} more")
    return MissingRateError(
        f"no FX rate for {listed}; amounts in different currencies are never summed without a rate",
        hint="add the rate(s):\n  " + "\n  ".join(commands) if commands else None,
    )


class FxTable:
    """Monthly rates keyed by (month, currency); JPY is always 1 and never stored."""

    def __init__(self, rates: Iterable[FxRate] = ()) -> None:
        self._rates: dict[tuple[str, str], FxRate] = {}
        for r in rates:
            self._rates[(r.month, r.currency)] = r

    def __len__(self) -> int:
        return len(self._rates)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> FxTable:
        """Read the workspace table; a missing file is an empty table, a bad one a ConfigError."""
        if not Path(path).exists():
            return cls()
        return cls(_read_csv(Path(path)))

    def set(
        self,
        month: str,
        currency: str,
        rate: Decimal | float | int | str,
        source: str,
        note: str | None = None,
    ) -> FxRate:
        """Add or replace the rate of one month and currency."""
        fx, problems = _validate(month, currency, rate, source, note)
        if fx is None:
            detail = "; ".join(f"{col}: {msg}" for col, msg in problems)
            raise ConfigError(
                f"FX rate {month} {currency} not set: {detail}",
                hint='e.g. gcfinops fx set 2025-04 USD 149.5 --source "<bank or invoice>"',
            )
        self._rates[(fx.month, fx.currency)] = fx
        return fx

    def import_csv(self, path: str | os.PathLike[str]) -> int:
        """Merge a rates CSV (same format) into the table; any bad row changes nothing."""
        if not Path(path).is_file():
            raise ConfigError(f"{path}: FX rate file not found")
        rates = _read_csv(Path(path))
        for r in rates:
            self._rates[(r.month, r.currency)] = r
        return len(rates)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the table atomically (`workspace.atomic_write`): never half a file."""
        rows = self.rows()
        with_note = any(r.note for r in rows)
        with atomic_write(Path(path), newline="") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow((*COLUMNS, NOTE_COLUMN) if with_note else COLUMNS)
            for r in rows:
                cells = [r.month, r.currency, str(r.rate_jpy), r.source]
                out.writerow([*cells, r.note or ""] if with_note else cells)

    def rate(self, month: str, currency: str) -> Decimal:
        """JPY per 1 unit of currency in month; JPY is 1; a missing rate raises MissingRateError."""
        parse_month(month)
        if currency == HOME_CURRENCY:
            return Decimal(1)
        fx = self._rates.get((month, currency))
        if fx is None:
            raise missing_rate_error([(month, currency)])
        return fx.rate_jpy

    def rows(
        self, *, months: Iterable[str] | None = None, currencies: Iterable[str] | None = None
    ) -> list[FxRate]:
        """Stored rates by month then currency, optionally only those a report used."""
        want_m = set(months) if months is not None else None
        want_c = set(currencies) if currencies is not None else None
        return [
            r
            for _, r in sorted(self._rates.items())
            if (want_m is None or r.month in want_m) and (want_c is None or r.currency in want_c)
        ]


def _read_csv(path: Path) -> list[FxRate]:
    """Parse and validate every row; raise one ConfigError listing all problems by line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start}: {exc.reason})") from exc
    reader = csv.reader(text.splitlines(keepends=True))
    header = next(reader, None)
    if header is None:
        return []
    header = [h.strip() for h in header]
    problems: list[str] = []
    allowed = (list(COLUMNS), [*COLUMNS, NOTE_COLUMN])
    if header not in allowed:
        raise ConfigError(
            f"{path}:1: header must be {','.join(COLUMNS)}[,{NOTE_COLUMN}] "
            f"(found {','.join(header)})"
        )
    rates: list[FxRate] = []
    first_line: dict[tuple[str, str], int] = {}
    line = reader.line_num
    for cells in reader:
        row_line, line = line + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(f"{path}:{row_line}: expected {len(header)} cells, found {len(cells)}")
            continue
        row = dict(zip(header, cells, strict=True))
        fx, row_problems = _validate(
            row["month"].strip(),
            row["currency"].strip(),
            row["rate_jpy"],
            row["source"],
            row.get(NOTE_COLUMN),
        )
        problems += [f"{path}:{row_line}: column {col!r}: {msg}" for col, msg in row_problems]
        if fx is None:
            continue
        key = (fx.month, fx.currency)
        if key in first_line:
            problems.append(
                f"{path}:{row_line}: {fx.month} {fx.currency} is already given on line "
                f"{first_line[key]}"
            )
            continue
        first_line[key] = row_line
        rates.append(fx)
    if problems:
        raise ConfigError(
            f"{len(problems)} problem(s) in FX rate file {path}:\n" + "\n".join(problems),
            hint=f"fix the rows; header is {','.join(COLUMNS)}, rate_jpy = JPY per 1 unit",
        )
    return rates


# Exact rate: money DECIMAL(38, 18) × DECIMAL(18, 6) is DECIMAL(38, 24), 14 integer digits (yen
# sums up to 10^14); a product of two DECIMAL(38, 18) would keep only 2. Bank TTM rates have 2
# decimals, invoice rates 4–6.
RATE_SCALE = 6
RATE_TYPE = f"DECIMAL(18,{RATE_SCALE})"
RATE_QUANTUM = Decimal(1).scaleb(-RATE_SCALE)
RATE_LIMIT = Decimal(10) ** (18 - RATE_SCALE)

_CREATE_FX = f"""
CREATE OR REPLACE TEMP TABLE gcf_fx (
    month VARCHAR NOT NULL,
    currency VARCHAR NOT NULL,
    rate_jpy {RATE_TYPE} NOT NULL,
    source VARCHAR NOT NULL,
    PRIMARY KEY (month, currency)
)
"""


def register_fx(
    con: duckdb.DuckDBPyConnection, table: FxTable, relation: str | None = None
) -> None:
    """Create TEMP table gcf_fx(month, currency, rate_jpy, source) so SQL can convert to JPY.

    Adds a JPY row (rate 1) for every month in the table and, if given, every month of
    ``relation`` (same contract as missing_rates_sql), so an inner join never drops JPY lines.
    """
    con.execute(_CREATE_FX)
    rows = table.rows()
    values = [(r.month, r.currency, r.rate_jpy, r.source) for r in rows]
    values += [(m, HOME_CURRENCY, Decimal(1), HOME_SOURCE) for m in sorted({r.month for r in rows})]
    if values:
        con.executemany("INSERT INTO gcf_fx VALUES (?, ?, ?, ?)", values)
    if relation is not None:
        con.execute(
            f"""
            INSERT INTO gcf_fx
            SELECT DISTINCT strftime(r.ChargePeriodStart, '%Y-%m'), ?, 1.0, ?
            FROM {relation} AS r
            WHERE r.ChargePeriodStart IS NOT NULL
              AND strftime(r.ChargePeriodStart, '%Y-%m')
                  NOT IN (SELECT month FROM gcf_fx WHERE currency = ?)
            """,
            [HOME_CURRENCY, HOME_SOURCE, HOME_CURRENCY],
        )


def missing_rates_sql(relation: str) -> str:
    """SQL listing (month, currency) pairs of a relation that gcf_fx cannot convert.

    Contract: ``relation`` is a table/view name or a parenthesised query (trusted code, not
    user input) with columns ``BillingCurrency`` and ``ChargePeriodStart`` (TIMESTAMP, UTC);
    the month is its UTC 'YYYY-MM'. Rows with a NULL currency or start are listed too (NULL),
    and so is JPY if register_fx was not given this relation. Run it before any SUM.
    """
    return f"""
SELECT DISTINCT strftime(r.ChargePeriodStart, '%Y-%m') AS month, r.BillingCurrency AS currency
FROM {relation} AS r
WHERE NOT EXISTS (
    SELECT 1 FROM gcf_fx AS f
    WHERE f.month = strftime(r.ChargePeriodStart, '%Y-%m') AND f.currency = r.BillingCurrency
)
ORDER BY month, currency
"""


def require_rates(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    """Fail before summing: raise MissingRateError naming every pair gcf_fx lacks."""
    missing = con.execute(missing_rates_sql(relation)).fetchall()
    if missing:
        raise missing_rate_error((m, c) for m, c in missing)
