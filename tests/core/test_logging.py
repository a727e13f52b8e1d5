"""The library logs where it does I/O, to ``callcore.*`` loggers, and prints nothing itself."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import callcore
from callcore import hookimpl
from callcore.errors import PluginError
from callcore.plugins import call_hook, make_plugin_manager
from callcore.storage import SQLiteStorage


def test_the_callcore_logger_has_a_null_handler_and_nothing_else() -> None:
    """A host that configures no logging sees no "No handlers" warning and no output."""
    handlers = logging.getLogger(callcore.__name__).handlers
    assert [type(handler) for handler in handlers] == [logging.NullHandler]


class Crashing:
    """A plugin whose hook raises a plain exception."""

    @hookimpl
    def callcore_ivr_node_types(self) -> dict[str, type]:
        raise KeyError("oops")


def test_a_crashing_plugin_is_logged_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """The crash becomes a PluginError and a warning on ``callcore.plugins``."""
    manager = make_plugin_manager(load_entrypoints=False, plugins=[Crashing()])
    with caplog.at_level(logging.DEBUG, logger="callcore"), pytest.raises(PluginError):
        call_hook(manager, "callcore_ivr_node_types")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.name for r in warnings] == ["callcore.plugins"]
    assert "callcore_ivr_node_types" in warnings[0].getMessage()
    assert warnings[0].exc_info is not None
    assert isinstance(warnings[0].exc_info[1], KeyError)


def test_registering_plugins_is_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    """Each extra plugin registered is named at debug level."""
    with caplog.at_level(logging.DEBUG, logger="callcore"):
        make_plugin_manager(load_entrypoints=True, plugins=[Crashing()])
    messages = [r.getMessage() for r in caplog.records if r.name == "callcore.plugins"]
    assert any(m.startswith("registered plugin ") for m in messages)
    assert any("entry points" in m for m in messages)


def test_sqlite_logs_each_migration_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A new file is migrated step by step (logged); reopening it migrates nothing."""
    path = tmp_path / "c.db"
    with caplog.at_level(logging.INFO, logger="callcore"):
        SQLiteStorage(path).close()
    first = [r.getMessage() for r in caplog.records if r.name == "callcore.storage.sqlite"]
    assert first
    assert all(str(path) in message for message in first)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="callcore"):
        SQLiteStorage(path).close()
    assert [r for r in caplog.records if r.name == "callcore.storage.sqlite"] == []
