"""The handout's header block: what a 財政課 資料 carries above its first table.

Built once per report (report.view) and drawn by every renderer: the title line, the
right-aligned block (資料番号, 作成日, 作成部署) and the subtitle naming the last usage day
the figures cover (e.g. 令和8年3月31日利用分まで).

`HandoutMeta` holds what is not a figure: the department (`[report] department`), the document
number (`[report] document_number` or `--document-number`), the preparation date
(`--prepared-on`, default today in JST) and the era style (`[report] era`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from gcfinops.jpcalendar import wareki_month

ERAS = ("wareki", "both")  # 和暦 only, or 和暦 with the 西暦 in parentheses
JST = ZoneInfo("Asia/Tokyo")


@dataclass(frozen=True)
class ReportHeader:
    """Header fields; `document_number` and `department` are optional (config / flags)."""

    title: str
    prepared_on: date
    prepared_on_label: str  # 和暦 in Japanese, e.g. 令和8年12月7日
    through_label: str  # e.g. 令和8年3月31日利用分まで
    department: str | None = None  # [report] department
    document_number: str | None = None  # 資料番号


@dataclass(frozen=True)
class HandoutMeta:
    """The non-figure inputs of the header block (config and command line)."""

    prepared_on: date | None = None  # None: today in JST when the view is built
    department: str | None = None
    document_number: str | None = None
    era: str = "wareki"  # "wareki" | "both"


def today_jst() -> date:
    """Today's date in Japan: the default 作成日."""
    return datetime.now(JST).date()


def wareki_date(day: date) -> str:
    """'2026-04-10' → '令和8年4月10日' (the era changes on the 1st of a month since 1989)."""
    return f"{wareki_month(f'{day.year:04d}-{day.month:02d}')}{day.day}日"


def through_day(as_of: datetime) -> date:
    """The last usage day the data covers: the day before the (exclusive) as_of cut."""
    return (as_of - timedelta(microseconds=1)).date()
