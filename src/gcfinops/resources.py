"""Built-in files (rules, sample data) in both install modes.

A wheel carries them under `gcfinops/_builtin/` (pyproject force-include); an editable install or
a source checkout reads them from the repository root. STYLE.md §3.2 explains why both are needed.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def builtin(name: str) -> Path:
    """Path of a built-in folder such as `rules` or `sample_billing`."""
    packaged = _PACKAGE / "_builtin" / name
    if packaged.exists():
        return packaged
    checkout = _PACKAGE.parent.parent / name
    if checkout.exists():
        return checkout
    raise FileNotFoundError(f"built-in folder {name!r} is missing from this installation")
