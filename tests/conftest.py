"""Shared test fixtures: a temporary workspace, the CLI runner, the reference sample data.

Kept small on purpose; other test modules depend on these names:

- `tmp_workspace`  a `Workspace` in a fresh temporary folder (nothing created yet)
- `runner`         a `typer.testing.CliRunner` (stderr kept apart from stdout)
- `shared_data` (call it: `shared_data("aws", "test_cur.csv")`) / `shared_data_dir`: paths under
  ../shared/reference/data, skipping the test with a clear reason when that folder is not next
  to the repository
- `golden`         compare text with a file under tests/golden/; `GCFINOPS_UPDATE_GOLDEN=1`
  rewrites the file instead (review the diff like code; never edit goldens by hand)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gcfinops.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "reference" / "data"
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
UPDATE_GOLDEN = os.environ.get("GCFINOPS_UPDATE_GOLDEN") == "1"


def shared_path(*parts: str) -> Path:
    """A path under ../shared/reference/data; skips the test when it is not there."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not available: {path} (../shared is not next to the repo)")
    return path


@pytest.fixture
def shared_data() -> Callable[..., Path]:
    """`shared_data(*parts)`: a path under ../shared/reference/data (skips when absent)."""
    return shared_path


@pytest.fixture
def shared_data_dir() -> Path:
    """../shared/reference/data (skips when absent)."""
    return shared_path()


@pytest.fixture
def tmp_workspace(tmp_path: Path) -> Workspace:
    """A workspace in a fresh temporary folder."""
    return Workspace(tmp_path / "ws")


@pytest.fixture
def runner() -> CliRunner:
    """CLI runner; `result.stdout` and `result.stderr` are separate."""
    return CliRunner()


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """`golden(name, text)`: assert text equals tests/golden/<name> (or rewrite it)."""

    def check(name: str, text: str) -> None:
        path = GOLDEN_DIR / name
        if UPDATE_GOLDEN:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        if not path.exists():
            pytest.fail(f"{path} is missing; run with GCFINOPS_UPDATE_GOLDEN=1 to create it")
        assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"

    return check
