"""Tests of the plugin manager: built-ins, precedence and crash reporting."""

from __future__ import annotations

from datetime import datetime, timezone

import attrs
import pytest

from callcore import hookimpl
from callcore.errors import ConfigError, ConflictError, PluginError
from callcore.events import Event
from callcore.notifications import Notification, NotificationChannel
from callcore.plugins import (
    BUILTIN_PLUGINS,
    call_hook,
    collect_registry,
    make_plugin_manager,
    open_storage,
    publish_events,
    send_notifications,
)

AT = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@attrs.frozen(kw_only=True)
class Pinged(Event):
    kind = "test.pinged"


class Recorder:
    """A plugin that remembers what it heard."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.notes: list[Notification] = []

    @hookimpl
    def callcore_domain_event(self, event: Event) -> None:
        self.events.append(event)

    @hookimpl
    def callcore_notify(self, notification: Notification) -> None:
        self.notes.append(notification)


class Crasher:
    """A plugin whose notification hook crashes."""

    @hookimpl
    def callcore_notify(self, notification: Notification) -> None:
        raise RuntimeError("smtp down")


class Refuser:
    """A plugin that answers with a deliberate callcore error."""

    @hookimpl
    def callcore_notify(self, notification: Notification) -> None:
        raise ConflictError("notification", notification.to, reason="already sent")


NOTE = Notification(channel=NotificationChannel.SMS, to="+40721000000", body="hi")


def test_builtins_are_registered_by_name() -> None:
    """Every built-in plugin is registered under its module name."""
    manager = make_plugin_manager(load_entrypoints=False)
    for name in BUILTIN_PLUGINS:
        assert manager.get_plugin(name) is not None


def test_broadcasts_reach_every_plugin_in_order() -> None:
    """Events and notifications reach each plugin, in the order given."""
    first, second = Recorder(), Recorder()
    manager = make_plugin_manager(load_entrypoints=False, plugins=[first, second])
    events = [Pinged(at=AT), Pinged(at=AT.replace(hour=10))]
    publish_events(manager, events)
    send_notifications(manager, [NOTE])
    assert first.events == events
    assert second.events == events
    assert second.notes == [NOTE]


def test_crashing_plugin_is_named() -> None:
    """A plugin that raises is reported as a PluginError naming it."""
    manager = make_plugin_manager(load_entrypoints=False)
    manager.register(Recorder(), name="recorder")
    manager.register(Crasher(), name="crasher")
    with pytest.raises(PluginError) as caught:
        send_notifications(manager, [NOTE])
    assert caught.value.plugin == "crasher"
    assert caught.value.hook == "callcore_notify"
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert "smtp down" in str(caught.value)


def test_callcore_errors_pass_through() -> None:
    """A deliberate callcore error from a plugin is not disguised as a crash."""
    manager = make_plugin_manager(load_entrypoints=False, plugins=[Refuser()])
    with pytest.raises(ConflictError, match="already sent"):
        send_notifications(manager, [NOTE])


def test_unknown_hook_and_unknown_storage_scheme() -> None:
    """Asking for a missing hook or an unhandled store URL is a config error."""
    manager = make_plugin_manager(load_entrypoints=False)
    with pytest.raises(ConfigError, match="no hook named 'callcore_nope'"):
        call_hook(manager, "callcore_nope")
    with pytest.raises(ConfigError, match="no storage plugin handles 'redis://x'"):
        open_storage(manager, "redis://x")


class FakeStorePlugin:
    """A storage plugin for a made-up scheme."""

    def __init__(self) -> None:
        self.store = object()

    @hookimpl
    def callcore_storage(self, url: str) -> object | None:
        return self.store if url.startswith("fake:") else None


def test_a_later_storage_plugin_handles_its_scheme() -> None:
    """A third-party store answers its own scheme; the built-ins still answer theirs."""
    plugin = FakeStorePlugin()
    manager = make_plugin_manager(load_entrypoints=False, plugins=[plugin])
    assert open_storage(manager, "fake:db") is plugin.store
    assert open_storage(manager, "memory:") is not plugin.store


class CrashingRegistry:
    """A plugin whose registry contribution crashes."""

    @hookimpl
    def callcore_ivr_node_types(self) -> dict[str, type]:
        raise KeyError("oops")


def test_crashing_registry_plugin_is_named() -> None:
    """A registry hook that crashes is reported as a PluginError naming the plugin."""
    manager = make_plugin_manager(load_entrypoints=False)
    manager.register(CrashingRegistry(), name="crashy")
    with pytest.raises(PluginError) as caught:
        collect_registry(manager, "callcore_ivr_node_types", "node type")
    assert caught.value.plugin == "crashy"
    assert isinstance(caught.value.__cause__, KeyError)
