"""The handout's header block: what a 財政課 資料 carries above its first table.

Built once per report (report.view) and drawn by every renderer: the title line, the
right-aligned block (資料番号, 作成日, 作成部署) and the subtitle naming the last usage day
the figures cover (e.g. 令和8年3月31日利用分まで).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ReportHeader:
    """Header fields; `document_number` and `department` are optional (config / flags)."""

    title: str
    prepared_on: date
    prepared_on_label: str  # 和暦 in Japanese, e.g. 令和8年12月7日
    through_label: str  # e.g. 令和8年3月31日利用分まで
    department: str | None = None  # [report] department
    document_number: str | None = None  # 資料番号
