"""Every pluggy hook specification of callcore.

Hooks come in three kinds:

- *provider* hooks (``firstresult=True``) choose one implementation, such as the
  store; the most recently registered plugin that answers wins, so a host's or
  a third-party plugin overrides the built-in one;
- *broadcast* hooks reach every plugin (domain events, notifications); their
  return values are ignored;
- *registry* hooks collect contributions from every plugin (routing strategies,
  IVR node types, ticket workflows, KPI metrics) as mappings of names to things.

Implement a hook with :data:`callcore.hookimpl` and register the plugin on the
manager made by :func:`callcore.plugins.make_plugin_manager`, or publish it
under the ``callcore`` entry-point group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from collections.abc import Mapping

    from callcore.events import Event
    from callcore.notifications import Notification
    from callcore.storage import Storage
    from callcore.tickets import Workflow

__all__ = ["PROJECT_NAME", "hookimpl", "hookspec"]

PROJECT_NAME = "callcore"
"""The pluggy project name, which is also the entry-point group of plugins."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# -----------------------------------------------------------------------------
# Providers: choose one implementation
# -----------------------------------------------------------------------------


@hookspec(firstresult=True)
def callcore_storage(url: str) -> Storage | None:  # type: ignore[empty-body]
    """Open the store that ``url`` names, if this plugin knows its scheme.

    Called by :func:`callcore.plugins.open_storage`. Plugins are asked from the
    most recently registered to the first; the first that returns a store wins
    (``firstresult``), so return ``None`` for a scheme you do not handle.

    Args:
        url: Where the store is, such as ``"memory:"`` or
            ``"sqlite:///var/lib/app/callcore.db"``.

    Returns:
        An object implementing :class:`callcore.storage.Storage`, or ``None``.
    """


# -----------------------------------------------------------------------------
# Broadcasts: every plugin hears them
# -----------------------------------------------------------------------------


@hookspec
def callcore_domain_event(event: Event) -> None:
    """Hear a domain event that an engine produced.

    Called once per event, for every plugin, in the order the events happened.
    Use it to log, store, forward to a message bus or update a wallboard.
    Return values are ignored.

    Args:
        event: The event (a subclass of :class:`callcore.events.Event`); its
            ``kind`` names what happened.
    """


@hookspec
def callcore_notify(notification: Notification) -> None:
    """Send a message to a person or system (email, SMS, web hook).

    Called for every plugin; the plugins that handle the notification's
    ``channel`` deliver it and the others ignore it. Return values are ignored.

    Args:
        notification: What to send, to whom and through which channel.
    """


# -----------------------------------------------------------------------------
# Registries: collect contributions (engines add their hooks below)
# -----------------------------------------------------------------------------


# --- IVR (callcore.ivr) --------------------------------------------------------
# (IVR registry hooks go here.)


# --- ACD (callcore.acd) --------------------------------------------------------
# (ACD registry hooks go here.)


# --- Tickets (callcore.tickets) --------------------------------------------------


@hookspec
def callcore_ticket_workflows() -> Mapping[str, Workflow]:  # type: ignore[empty-body]
    """Contribute ticket workflows, by name.

    Called by :func:`callcore.plugins.ticket_workflows` for every plugin; the
    mappings are merged, and a plugin registered later replaces a workflow of
    the same name from an earlier one (so a host may replace ``"default"``).

    Returns:
        A mapping of workflow names to :class:`callcore.tickets.Workflow`
        objects; each key must equal its workflow's ``name``.
    """


# --- KPIs (callcore.kpi) ---------------------------------------------------------
# (KPI registry hooks go here.)
