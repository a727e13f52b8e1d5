"""Tests of the architecture's import rules ("floors" in the design) and import cost."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).parents[2] / "src" / "callcore"
GROUND = {
    "errors",
    "checks",
    "clock",
    "calendar",
    "events",
    "serialization",
    "notifications",
    "contacts",
}
ENGINES = {"ivr", "acd", "tickets", "kpi", "wfm", "customers"}
ABOVE = {"plugins", "storage", "testing", "builtin_plugins", "hookspecs", "shell", "cli"}


def _callcore_imports(path: Path) -> set[str]:
    """The top-level callcore modules that a source file imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found |= {name.split(".")[1] for name in names if name.startswith("callcore.")}
        found |= {"pluggy" for name in names if name.split(".")[0] == "pluggy"}
    return found


def _owner(path: Path) -> str:
    return path.relative_to(SRC).parts[0].removesuffix(".py")


def test_ground_floor_imports_nothing_above_it() -> None:
    """Ground modules import only other ground modules."""
    for path in SRC.glob("*.py"):
        if _owner(path) in GROUND:
            assert _callcore_imports(path) <= GROUND, path


def test_engines_import_only_the_ground_floor() -> None:
    """An engine imports the ground and itself: never another engine, plugins or pluggy."""
    for path in SRC.rglob("*.py"):
        owner = _owner(path)
        if owner in ENGINES:
            bad = _callcore_imports(path) - GROUND - {owner}
            assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)}"


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
