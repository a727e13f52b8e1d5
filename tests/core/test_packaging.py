"""What a package is expected to have: a license that matches its metadata, Windows zones."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the check needs to run on one version


def _project() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        project: dict[str, object] = tomllib.load(file)["project"]
    return project


def test_the_license_file_matches_the_metadata() -> None:
    """The metadata says MIT and ships LICENSE; LICENSE is the MIT license."""
    project = _project()
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in text


def test_windows_gets_a_zone_database() -> None:
    """The zoneinfo module has no system database on Windows: tzdata is a dependency there only."""
    dependencies = _project()["dependencies"]
    assert isinstance(dependencies, list)
    assert "tzdata; sys_platform == 'win32'" in dependencies
