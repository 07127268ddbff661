"""Adapter tests: one generated test per mapping case (`case` parameter, ids = rule names)."""

from __future__ import annotations

import pytest


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize `case` from the test class's `cases` list, so each rule is its own test."""
    if "case" in metafunc.fixturenames and metafunc.cls is not None:
        cases = list(getattr(metafunc.cls, "cases", []))
        metafunc.parametrize("case", cases, ids=[c.id for c in cases])
