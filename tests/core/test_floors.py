"""Tests of the architecture's import rules ("floors" in the design) and import cost.

The import graph is read from the source (every ``import`` and ``from ... import``,
relative ones and those under ``TYPE_CHECKING`` included): a module is a node, an
import an edge to the deepest module it names.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).parents[2] / "src" / "callcore"
GROUND = frozenset(
    {
        "errors",
        "checks",
        "clock",
        "calendar",
        "events",
        "contacts",
        "serialization",
        "notifications",
        "access",
    }
)
ENGINES = frozenset(
    {
        "ivr",
        "acd",
        "tickets",
        "kpi",
        "wfm",
        "customers",
        "quality",
        "campaigns",
        "knowledge",
        "bots",
    }
)
# The one engine-to-engine edge: a campaign paces its dialer with wfm's pure dialer maths
# (issue 21); wfm imports no engine, so no circle can form.
ENGINE_USES = {"campaigns": frozenset({"wfm"})}
ABOVE = frozenset(
    {
        "__init__",
        "plugins",
        "storage",
        "testing",
        "builtin_plugins",
        "hookspecs",
        "center",
        "adapters",
        "privacy",
        "sim",
        "cli",
        "__main__",
    }
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in SRC.rglob("*.py")}


def _imports(name: str, path: Path) -> set[str]:
    """The callcore modules that one source file imports (pluggy named as ``pluggy``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    named: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            named |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:  # `from package import submodule` needs the submodule
                submodule = f"{module}.{alias.name}"
                named.add(submodule if submodule in MODULES else module)
    found: set[str] = set()
    for imported in named:
        if imported.split(".")[0] == "pluggy":
            found.add("pluggy")
            continue
        module = imported
        while module and module not in MODULES:
            module = module.rpartition(".")[0]
        if module and module != name:
            found.add(module)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _floor_owner(module: str) -> str:
    """The top-level part of callcore a module belongs to (``acd`` for ``callcore.acd._model``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _on_circles(graph: dict[str, set[str]]) -> list[str]:
    """The modules that reach themselves through their imports, sorted."""

    def reaches_itself(start: str) -> bool:
        seen: set[str] = set()
        todo = list(graph.get(start, ()))
        while todo:
            node = todo.pop()
            if node == start:
                return True
            if node not in seen:
                seen.add(node)
                todo.extend(graph.get(node, ()))
        return False

    return sorted(node for node in graph if reaches_itself(node))


def test_every_module_is_on_exactly_one_floor() -> None:
    """The floors are disjoint, and every part of callcore is on one of them."""
    assert not GROUND & ENGINES
    assert not GROUND & ABOVE
    assert not ENGINES & ABOVE
    owners = {_floor_owner(module) for module in MODULES}
    assert owners == GROUND | ENGINES | ABOVE


def test_ground_floor_imports_nothing_above_it() -> None:
    """Ground modules import only other ground modules."""
    for module, imported in GRAPH.items():
        if _floor_owner(module) in GROUND:
            bad = {_floor_owner(target) for target in imported} - GROUND
            assert not bad, f"{module} imports {sorted(bad)}"


def test_engines_import_only_the_ground_floor() -> None:
    """An engine imports the ground and itself: never another engine, plugins or pluggy."""
    for module, imported in GRAPH.items():
        owner = _floor_owner(module)
        if owner in ENGINES:
            reached = {"pluggy" if t == "pluggy" else _floor_owner(t) for t in imported}
            bad = reached - GROUND - {owner} - ENGINE_USES.get(owner, frozenset())
            assert not bad, f"{module} imports {sorted(bad)}"


def test_the_import_graph_has_no_circle() -> None:
    """No module reaches itself through its imports (TYPE_CHECKING imports included)."""
    assert _on_circles(GRAPH) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"a"}}, ["a", "b"]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, ["a", "b", "c"]),
        ({"a": {"a"}}, ["a"]),
    ],
)
def test_the_circle_finder_finds_circles(graph: dict[str, set[str]], expected: list[str]) -> None:
    """The check above can fail: it finds a circle of two, of three and a self-import."""
    assert _on_circles(graph) == expected


def test_the_graph_reader_sees_relative_and_type_checking_imports() -> None:
    """The reader names the imports under TYPE_CHECKING and a submodule imported by name."""
    assert "callcore.storage" in GRAPH["callcore.hookspecs"]  # under TYPE_CHECKING
    assert "callcore.storage.memory" in GRAPH["callcore.storage"]
    assert "callcore.storage.memory" in GRAPH["callcore.builtin_plugins.storage"]


def test_import_callcore_loads_only_its_dependencies() -> None:
    """`import callcore` pulls in no third-party package beyond the runtime dependencies."""
    code = (
        "import sys; before = set(sys.modules); import callcore; "
        "print('\\n'.join(sorted(set(sys.modules) - before)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    top = {name.split(".")[0] for name in out}
    third_party = top - set(sys.stdlib_module_names) - {"callcore", "_distutils_hack"}
    assert third_party <= {"attrs", "attr", "cattrs", "cattr", "pluggy", "typing_extensions"}
