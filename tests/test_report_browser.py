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
from datetime import date
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
HEADLINE = "世田谷区 標準化対象システムの運用経費の状況（令和7年度）"
PREPARED_ON = date(2025, 10, 6)


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
    data = api.report("世田谷区", workspace=ws, as_of=lake.AS_OF, prepared_on=PREPARED_ON)
    html = report.render(data, "html", unit="thousand")  # the handout: 千円, as the CLI default
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
    assert "本年度決算見込額" in dom and ">3,435<" in dom and "（単位：千円）" in dom
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", dom, flags=re.S)
    assert len(svgs) == 1
    monthly = svgs[0]
    assert len(re.findall(r"<rect ", monthly)) >= 4
    assert "<polyline" in monthly and "4月" in monthly and "月別推移" in monthly
    assert "<script" not in dom.lower()
    # issue #13: every target by base is a table of the page (the pre-migration one without a
    # base says so instead of being dropped)
    assert '<table class="plan_targets">' in dom and "平成30年度比3割削減" in dom
    assert "基準額未登録（移行前" in dom


def test_screenshot_is_a4_sized_and_not_blank(chromium: str, page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    _run(chromium, page, tmp_path, f"--screenshot={shot}", "--window-size=1240,1754")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1240, 1754)
    # A blank page compresses to a few kB; text, tables and charts make it far larger.
    assert len(data) > 50_000


def _pdf_text(pdf: Path, page: int) -> str:
    cmd = ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def test_printed_handout_body_is_at_most_two_a4_pages(
    chromium: str, page: Path, tmp_path: Path
) -> None:
    """Chromium --print-to-pdf (A4 portrait): the body (header, 要旨, 総括表, targets, 費目別,
    月別推移, 削減候補, 注記) takes at most two pages; the 別紙 starts on a page of its own."""
    _need(shutil.which("pdfinfo") is not None, "poppler-utils (pdfinfo, pdftotext)")
    pdf = tmp_path / "report.pdf"
    _run(chromium, page, tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, flags=re.M).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout, flags=re.M)
    assert size is not None
    assert (round(float(size[1])), round(float(size[2]))) == (595, 842)  # A4 portrait
    texts = [_pdf_text(pdf, n) for n in range(1, pages + 1)]
    appendix = next(i for i, text in enumerate(texts) if text.lstrip().startswith("別紙"))
    assert 1 <= appendix <= 2, f"the body takes {appendix} pages"
    first = texts[0]
    for words in (HEADLINE, "令和7年10月6日", "令和7年9月30日利用分まで", "要旨", "総括表",
                  "（単位：千円）", "費目別内訳", "小計（作業費）", "－1－"):  # fmt: skip
        assert words in first, words
    assert "注記" in "".join(texts[:appendix]) and "月別推移" in "".join(texts[:appendix])
