"""The HTML report in a real headless Chromium: Japanese text, SVG charts, A4-sized screenshot.

Needs Debian's `chromium` and `fonts-noto-cjk` (apt). Skipped with a reason when Chromium is
absent, except under CI=true, where a missing browser or CJK font is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from gcfinops import api, report
from report import lake

pytestmark = pytest.mark.browser
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
HEADLINE = "世田谷区 標準化対象システム 運用経費レポート 2025年度 (令和7年度)"


def _need(found: bool, what: str) -> None:
    if found:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI (apt-get install -y chromium fonts-noto-cjk)")
    pytest.skip(f"{what} not installed (apt-get install -y chromium fonts-noto-cjk)")


@pytest.fixture(scope="module")
def chromium() -> str:
    path = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
    _need(path is not None, "Chromium")
    fonts = (
        subprocess.run(
            ["fc-list", ":lang=ja", "family"], capture_output=True, text=True, check=False
        ).stdout
        if shutil.which("fc-list")
        else ""
    )
    _need("CJK" in fonts or "Noto Sans JP" in fonts, "a Japanese (CJK) font")
    assert path is not None
    return path


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    ws = lake.build(root / "ws")
    html = report.render(api.report("世田谷区", workspace=ws, as_of=lake.AS_OF), "html")
    path = root / "report.html"
    path.write_text(str(html), encoding="utf-8")
    return path


def _run(chromium: str, page: Path, tmp: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [chromium, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *extra, page.as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)


def test_dom_has_the_japanese_headline_and_drawn_charts(
    chromium: str, page: Path, tmp_path: Path
) -> None:
    dom = _run(chromium, page, tmp_path, "--dump-dom").stdout
    assert HEADLINE in dom
    assert "年度末見込" in dom and "3,435,000円" in dom
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", dom, flags=re.S)
    assert len(svgs) == 3
    for svg in svgs:
        assert len(re.findall(r"<rect ", svg)) >= 4
    monthly = next(s for s in svgs if "月次推移" in s)
    assert "<polyline" in monthly and "4月" in monthly
    assert "<script" not in dom.lower()
    # issue #13: every target by base is a table of the page (the pre-migration one without a
    # base says so instead of being dropped)
    assert '<table class="plan_targets">' in dom and "平成30年度比3割削減" in dom
    assert "基準額未登録 (移行前" in dom


def test_screenshot_is_a4_sized_and_not_blank(chromium: str, page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    _run(chromium, page, tmp_path, f"--screenshot={shot}", "--window-size=1240,1754")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1240, 1754)
    # A blank page compresses to a few kB; text, tables and charts make it far larger.
    assert len(data) > 50_000
