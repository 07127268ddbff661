"""Shared test fixtures: a temporary workspace, the CLI runner, the reference sample data.

Kept small on purpose; other test modules depend on these names:

- `tmp_workspace`  a `Workspace` in a fresh temporary folder (nothing created yet)
- `runner`         a `typer.testing.CliRunner` (stderr kept apart from stdout)
- `shared_data` (call it: `shared_data("aws", "test_cur.csv")`) / `shared_data_dir`: paths under
  ../shared/reference/data, skipping the test with a clear reason when that folder is not next
  to the repository
- `sample_lake_copy` (call it: `sample_lake_copy(dest)`): a copy at `dest` of the shipped sample
  (sample_billing/ config, FX rates and the three clouds) ingested once per session (per xdist
  worker) — the ingest takes ~30 s on the CI machine and several modules start from it
- `golden`         compare text with a file under tests/golden/; `GCFINOPS_UPDATE_GOLDEN=1`
  rewrites the file instead (review the diff like code; never edit goldens by hand)
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gcfinops import api
from gcfinops.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "reference" / "data"
SAMPLES = REPO / "sample_billing"
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


@pytest.fixture(scope="session")
def _ingested_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sample ingested as `gcfinops demo` does (read-only: copy it, never write)."""
    if not (SAMPLES / "aws").is_dir():
        pytest.skip(f"sample exports not generated under {SAMPLES} (sample_billing/generate.py)")
    root = tmp_path_factory.mktemp("ingested-sample") / "ws"
    root.mkdir()
    for name in ("gcfinops.toml", "fx_rates.csv"):
        shutil.copy(SAMPLES / name, root / name)
    api.ingest([SAMPLES / "aws", SAMPLES / "azure", SAMPLES / "gcp"], workspace=root)
    return root


@pytest.fixture(scope="session")
def sample_lake_copy(_ingested_sample: Path) -> Callable[[Path], Path]:
    """`sample_lake_copy(dest)`: a private copy of the ingested sample workspace at `dest`."""

    def copy(dest: Path) -> Path:
        return Path(shutil.copytree(_ingested_sample, dest))

    return copy
