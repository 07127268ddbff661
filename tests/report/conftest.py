"""Fixtures for report tests: the fixed workspace and golden files under tests/report/golden/."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from report import lake

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("GCFINOPS_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="session")
def fixed_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixed workspace of `report.lake` (read-only: tests must not write to it)."""
    return lake.build(tmp_path_factory.mktemp("report") / "ws")


def normalize(text: str) -> str:
    """Remove volatile values (the version) before comparing with a golden file."""
    return re.sub(r"gcfinops \d+\.\d+\.\d+\S*", "gcfinops X.Y.Z", text)


@pytest.fixture
def report_golden() -> Callable[[str, str], None]:
    """`report_golden(name, text)`: compare with tests/report/golden/<name>, or rewrite it."""

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        text = normalize(text)
        if UPDATE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        if not path.exists():
            pytest.fail(f"{path} is missing; run with GCFINOPS_UPDATE_GOLDEN=1 to create it")
        assert text == path.read_text(encoding="utf-8"), (
            f"{name} differs from the golden file; if intended, regenerate with "
            "GCFINOPS_UPDATE_GOLDEN=1 and review the diff"
        )

    return check
