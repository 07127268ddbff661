"""The HTML evidence pack in headless Chromium: Japanese cover, seal box, bill text escaped.

Needs Debian's `chromium` and `fonts-noto-cjk` (apt). Skipped with a reason when Chromium is
absent, except under CI=true (same rule as tests/test_report_browser.py).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from gcfinops import api
from gcfinops.inspection import pack
from report.lake import HOSTILE_RESOURCE, HOSTILE_SERVICE, lake_row, write_lake

pytestmark = pytest.mark.browser
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]  # fmt: skip


@pytest.fixture(scope="module")
def chromium() -> str:
    path = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI (apt-get install -y chromium fonts-noto-cjk)")
        pytest.skip("Chromium not installed (apt-get install -y chromium fonts-noto-cjk)")
    return path


@pytest.fixture
def page(tmp_path: Path) -> Path:
    rows = [
        lake_row("2026-02", 0.404, BillingCurrency="USD", ContractedUnitPrice=0.304,
                 ListUnitPrice=0.304, PricingQuantity=1.0, ServiceName=HOSTILE_SERVICE,
                 ResourceId=HOSTILE_RESOURCE, x_SourceFile="cur<b>.csv", x_SourceRow=673),
        lake_row("2026-02", 0.03, BillingCurrency="USD", ChargeCategory="Tax", x_SourceRow=2),
    ]  # fmt: skip
    write_lake(tmp_path / "ws", rows)
    result = api.inspect("2026-02", workspace=tmp_path / "ws")
    path = tmp_path / "pack.html"
    path.write_text(pack.to_html(result, "ja"), encoding="utf-8")
    return path


def _run(chromium: str, page: Path, tmp: Path, *extra: str) -> str:
    cmd = [chromium, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *extra, page.as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout


def test_dom_has_the_cover_and_escaped_bill_text(chromium: str, page: Path, tmp_path: Path) -> None:
    dom = _run(chromium, page, tmp_path, "--dump-dom")
    assert "検収調書 (クラウド利用料)" in dom
    assert "不適合 (説明できない差額あり)" in dom
    for word in ("検収者", "氏名", "検収日", "印", "元ファイルの SHA-256"):
        assert word in dom
    assert "673" in dom and "0.10" in dom and "0.304" in dom
    assert "<script" not in dom.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "cur&lt;b&gt;.csv" in dom


def test_screenshot_is_not_blank(chromium: str, page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "pack.png"
    _run(chromium, page, tmp_path, f"--screenshot={shot}", "--window-size=1240,1754")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1240, 1754)
    assert len(data) > 20_000
