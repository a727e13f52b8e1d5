"""Tests that the docs keep up with the code."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from callcore import hookspecs

DOCS = Path(__file__).parents[2] / "docs"


def _hook_names() -> list[str]:
    return [
        name
        for name, value in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("callcore_")
    ]


def test_every_hook_has_a_docs_section() -> None:
    """Each hook specification has a labelled section in docs/plugin_hooks.md."""
    text = (DOCS / "plugin_hooks.md").read_text(encoding="utf-8")
    missing = [name for name in _hook_names() if f"({name})=" not in text]
    assert not missing, f"hooks missing from docs/plugin_hooks.md: {missing}"


def test_every_hook_has_a_docstring() -> None:
    """Each hook specification says when it is called and what it returns."""
    for name in _hook_names():
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert "Args:" in doc or "Returns:" in doc, name


def test_readme_quickstart_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's quickstart code block runs as written (in a temporary folder)."""
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```", readme, re.DOTALL)
    assert match is not None
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(match.group(1), "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert (tmp_path / "callcore.db").exists()
