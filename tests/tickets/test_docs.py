"""The tickets docs keep up with the code."""

from __future__ import annotations

from pathlib import Path

from callcore.tickets import DEFAULT_WORKFLOW, workflow_to_mermaid

DOCS = Path(__file__).parents[2] / "docs" / "tickets"


def test_the_default_workflow_diagram_is_current() -> None:
    """docs/tickets/workflows.md draws exactly the default workflow."""
    page = (DOCS / "workflows.md").read_text(encoding="utf-8")
    assert f"```{{mermaid}}\n{workflow_to_mermaid(DEFAULT_WORKFLOW)}```" in page


def test_every_page_is_in_the_toctree() -> None:
    """Each page of docs/tickets/ is listed in its index."""
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    pages = {path.stem for path in DOCS.glob("*.md")} - {"index"}
    assert all(f"\n{page}\n" in index for page in pages)
