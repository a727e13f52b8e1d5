"""Development sessions: tests, lint, typecheck, docs and benchmarks."""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests", "lint", "typecheck", "docs"]
nox.options.reuse_existing_virtualenvs = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
ROOT = Path(__file__).parent


def _groups(*names: str) -> list[str]:
    return [dep for name in names for dep in nox.project.dependency_groups(PYPROJECT, name)]


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite with coverage (hypothesis profile 'ci' when CI is set)."""
    session.install("-e", ".", *_groups("test"))
    profile = "ci" if os.environ.get("CI") else "dev"
    session.run(
        "coverage",
        "run",
        "-m",
        "pytest",
        f"--hypothesis-profile={profile}",
        *session.posargs,
    )
    session.run("coverage", "combine", success_codes=[0, 1])
    session.run("coverage", "report", "--fail-under=85")


@nox.session
def thorough(session: nox.Session) -> None:
    """Long property-based and stateful runs (hypothesis profile 'thorough'); not part of CI."""
    session.install("-e", ".", *_groups("test"))
    session.run("pytest", "--hypothesis-profile=thorough", *(session.posargs or ["tests/acd"]))


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and formatting with ruff."""
    session.install(*_groups("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check the library and its tests with mypy --strict."""
    session.install("-e", ".", *_groups("typecheck"))
    session.run("mypy")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the docs with warnings as errors, then run the code in them."""
    session.install("-e", ".", *_groups("docs"))
    build = ROOT / "docs" / "_build"
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", str(build / "html"))
    session.run(
        "sphinx-build", "-W", "--keep-going", "-b", "doctest", "docs", str(build / "doctest")
    )


@nox.session
def demo(session: nox.Session) -> None:
    """The README's main job: install callcore with the extra 'cli', then run 'callcore demo'."""
    session.install("-e", ".[cli]")
    session.run("callcore", "demo", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmark in benchmarks/ (each prints ratios against its baseline)."""
    session.install("-e", ".", *_groups("bench"))
    scripts = sorted(ROOT.glob("benchmarks/*.py"))
    if session.posargs:
        scripts = [path for path in scripts if path.stem in session.posargs]
    for script in scripts:
        session.run("python", str(script))
