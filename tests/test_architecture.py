"""The layers of docs/architecture.md hold: `lint-imports` with the contracts in pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """cli → api → gate/report/engine/ingest → readers → sources/adapters/metrics/ruleset →
    stores → domain, and no import cycle inside any package."""
    importlinter_cli = pytest.importorskip("importlinter.cli")
    monkeypatch.chdir(ROOT)
    assert importlinter_cli.lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0


def test_sources_and_ruleset_do_not_import_upwards() -> None:
    """The two edges issue #11 broke: sources → ingest and ruleset ↔ engine."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("gcfinops")
    assert not graph.chain_exists("gcfinops.sources", "gcfinops.ingest", as_packages=True)
    assert not graph.chain_exists("gcfinops.ruleset", "gcfinops.engine")
    assert not graph.find_shortest_chains("gcfinops.report", "gcfinops.gate")


def test_every_module_has_a_layer() -> None:
    """A new top-level module must be placed in a layer (else the contract ignores it)."""
    import tomllib

    import gcfinops

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = next(
        c["layers"] for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"
    )
    placed = {m.strip() for layer in layers for m in layer.replace(":", "|").split("|")}
    package = Path(gcfinops.__file__).parent
    modules = {
        f"gcfinops.{p.stem if p.is_file() else p.name}"
        for p in package.iterdir()
        if (p.suffix == ".py" and not p.name.startswith("_")) or (p / "__init__.py").exists()
    }
    assert modules - placed == set()
