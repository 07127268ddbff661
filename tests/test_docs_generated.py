"""Generated docs are current, and every adapter in the registry has its page and fixtures.

Fix a failure with:  python -m gcfinops.docsgen   (then review and commit the diff)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gcfinops import adapters, docsgen, schema

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
FIXTURES = REPO / "tests" / "adapters" / "fixtures"


def test_generated_docs_are_current() -> None:
    """docs/schema.md and docs/adapters/<name>.md equal what the code generates."""
    stale = docsgen.stale(DOCS)
    assert stale == [], (
        f"stale generated docs: {', '.join(stale)}; run `python -m gcfinops.docsgen` and commit"
    )


def test_check_mode_reports_a_stale_page(tmp_path: Path) -> None:
    """`--check` exits 1 and names the page when a generated page was edited by hand."""
    docs = tmp_path / "docs"
    assert docsgen.main(["--docs", str(docs)]) == 0
    assert docsgen.main(["--docs", str(docs), "--check"]) == 0
    page = docs / "adapters" / "aws-cur2.md"
    page.write_text(page.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    assert docsgen.main(["--docs", str(docs), "--check"]) == 1
    assert docsgen.stale(docs) == ["adapters/aws-cur2.md"]


def test_schema_page_lists_every_column_with_its_type() -> None:
    """One row per lake column, in order, with the schema's type and FOCUS nullability."""
    text = docsgen.schema_md()
    rows = re.findall(r"^\| (\d+) \| `(\w+)` \| `([^`]+)` \| (yes|no) \|", text, re.M)
    assert [(r[1], r[2], r[3] == "yes") for r in rows] == [
        (c.name, c.type, c.nullable) for c in schema.COLUMNS
    ]


@pytest.mark.parametrize("name", sorted(adapters.ADAPTERS))
def test_adapter_is_named_after_its_module_and_has_fixtures(name: str) -> None:
    """`<provider>_<format>.py` declares `<provider>-<format>[-flavour]`; fixtures/<name>/ exist."""
    module = docsgen._module_of(adapters.ADAPTERS[name]).rsplit(".", 1)[1]
    assert name.startswith(module.replace("_", "-")), (name, module)
    assert (FIXTURES / name).is_dir(), f"tests/adapters/fixtures/{name}/ is missing"


@pytest.mark.parametrize("name", sorted(adapters.ADAPTERS))
def test_adapter_page_names_its_provider_documentation(name: str) -> None:
    """Each adapter page cites the provider's column documentation and shows every column."""
    adapter = adapters.ADAPTERS[name]
    page = docsgen.adapter_md(adapter)
    assert adapter.doc_url in page
    for column in schema.MAPPED_COLUMNS:
        assert f"| `{column}` |" in page


def test_scale_doc_external_table_is_current() -> None:
    """docs/scale.md's CREATE EXTERNAL TABLE is generated from schema.py; regenerate with
    `python -c "from gcfinops.external_table import create_external_table as c; print(c())"`
    and paste it between the GENERATED markers."""
    from gcfinops import schema
    from gcfinops.external_table import create_external_table

    doc = (Path(__file__).resolve().parents[1] / "docs" / "scale.md").read_text(encoding="utf-8")
    block = doc.split("<!-- BEGIN GENERATED: external-table")[1].split("<!-- END GENERATED")[0]
    assert "```sql\n" + create_external_table() + "```" in block
    for c in schema.COLUMNS:
        assert f"`{c.name}`" in block
