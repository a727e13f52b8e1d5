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
    from typing import Any

    from callcore.acd import Strategy
    from callcore.bots import BotReply, BotRequest
    from callcore.center._actions import TelephonyAction  # not the package: no import circle
    from callcore.customers import Customer
    from callcore.events import Event
    from callcore.ivr import Node
    from callcore.knowledge import KnowledgeQuery, Suggestion
    from callcore.kpi import Metric
    from callcore.notifications import Notification
    from callcore.storage import Storage
    from callcore.tickets import Workflow
    from callcore.wfm import ForecastMethod

__all__ = ["PROJECT_NAME", "hookimpl", "hookspec"]

PROJECT_NAME = "callcore"
"""The pluggy project name, which is also the entry-point group of plugins."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# -----------------------------------------------------------------------------
# Providers: choose one implementation
# -----------------------------------------------------------------------------


@hookspec(firstresult=True)
def callcore_storage(url: str) -> Storage | None:
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


@hookspec(firstresult=True)
def callcore_crm_lookup(
    name: str, params: Mapping[str, Any], customer: Customer
) -> Mapping[str, Any] | None:
    """Answer an IVR look-up (an account balance, an order's status) from the CRM.

    Called by :class:`callcore.center.ContactCenter` when a flow's ``lookup``
    node asks (a :class:`callcore.ivr.LookupRequest`); the answer goes back
    into the session at once, in the same input. Plugins are asked from the
    most recently registered; the first that returns a mapping wins
    (``firstresult``). When none answers, the request is left in the update's
    actions and the host answers later with
    ``center.caller_input(contact_id, LookupResult(...))``. A plugin that
    raises a :class:`~callcore.errors.CallcoreError` or crashes makes the
    look-up fail (the flow takes its error branch).

    Args:
        name: What to look up, as the flow names it (``"balance"``).
        params: The look-up's arguments, from the session's variables.
        customer: The customer identified for the call.

    Returns:
        The values found, as plain JSON data (they become flow variables), or
        ``None`` for a look-up this plugin does not handle.
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


@hookspec
def callcore_telephony(action: TelephonyAction) -> None:
    """Carry out a telephony or agent-desktop action of the contact centre.

    Called by :class:`callcore.center.ContactCenter` for every action of an
    update, in order, for every plugin: a telephony plugin (an Asterisk ARI
    or FreeSWITCH ESL adapter, :class:`callcore.testing.FakeTelephony`) plays
    and gathers (:class:`~callcore.center.CallerAction`), rings and stops
    ringing agents (:class:`~callcore.center.RingAgent`,
    :class:`~callcore.center.StopRinging`), bridges
    (:class:`~callcore.center.Connect`), holds, resumes and hangs up; an
    agent-desktop plugin shows the :class:`~callcore.center.ScreenPop`.
    What happens next (the caller's keys, the agent's answer, a hang-up)
    comes back as the centre's inputs. A host that renders the update's
    ``actions`` itself (a web-hook answering with TwiML) needs no plugin.
    A plugin's crash is logged and does not undo the input. Return values
    are ignored.

    Args:
        action: What to do; its ``contact_id`` names the contact.
    """


# -----------------------------------------------------------------------------
# Registries: collect contributions (engines add their hooks below)
# -----------------------------------------------------------------------------


# --- IVR (callcore.ivr) --------------------------------------------------------


@hookspec
def callcore_ivr_node_types() -> Mapping[str, type[Node]]:  # type: ignore[empty-body]
    """Contribute IVR node types, by the name flow documents use in ``type``.

    Called by :func:`callcore.plugins.ivr_node_types` for every plugin; the
    mappings are merged by :func:`callcore.plugins.collect_registry`. Built-in
    types come from ``callcore.builtin_plugins.ivr``.

    Returns:
        A mapping of type names to subclasses of :class:`callcore.ivr.Node`.
    """


# --- ACD (callcore.acd) --------------------------------------------------------


@hookspec
def callcore_routing_strategies() -> Mapping[str, Strategy]:  # type: ignore[empty-body]
    """Contribute routing strategies to the ACD, by name.

    Called once per plugin by :func:`callcore.plugins.routing_strategies`,
    which merges the mappings (by :func:`callcore.plugins.collect_registry`)
    into the one a :class:`callcore.acd.Router` takes.

    Returns:
        Strategy names (as used in ``QueueConfig.strategy``) mapped to objects
        implementing :class:`callcore.acd.Strategy`.
    """


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


@hookspec
def callcore_kpi_metrics() -> Mapping[str, Metric]:  # type: ignore[empty-body]
    """Contribute KPI metric definitions, by name.

    Called by :func:`callcore.plugins.collect_kpi_metrics` for every plugin;
    the mappings are merged by :func:`callcore.plugins.collect_registry`. The
    built-in metrics come from ``callcore.builtin_plugins.kpi``.

    Returns:
        Metrics (:class:`callcore.kpi.Metric`) keyed by their ``name``; each
        computes its value from a group's :class:`callcore.kpi.Aggregate`.
    """


# --- Workforce (callcore.wfm) ------------------------------------------------------


@hookspec
def callcore_wfm_forecast_methods() -> Mapping[str, ForecastMethod]:  # type: ignore[empty-body]
    """Contribute forecasting methods, by name.

    Called by :func:`callcore.plugins.forecast_methods`; the mappings of every
    plugin are merged by :func:`callcore.plugins.collect_registry`.
    A method is any object with a ``name`` and a ``predict(grid, days)``
    method (:class:`callcore.wfm.ForecastMethod`). Built in:
    ``"seasonal_average"`` and ``"holt_winters"``.

    Returns:
        A mapping of method names to forecasting methods.
    """


@hookspec(firstresult=True)
def callcore_knowledge_search(query: KnowledgeQuery) -> list[Suggestion] | None:
    """Suggest knowledge-base articles for the agent's screen.

    Called when a contact is offered to an agent (and when the agent searches),
    with a query built from the IVR's or the bot's intent and the ticket's
    subject or the bot's transcript summary. Plugins are asked from the most
    recently registered to the first; the first that returns a list wins
    (``firstresult``), so return ``None`` to let another plugin answer.

    Args:
        query: The text, the intent, the contact's language and how many
            suggestions are wanted (``query.limit``).

    Returns:
        At most ``query.limit`` suggestions, best first, or ``None``.
    """


@hookspec(firstresult=True)
def callcore_bot(request: BotRequest) -> BotReply | None:
    """Answer one turn of a bot session.

    Called for each :class:`~callcore.bots.AskBot` action of a
    :class:`~callcore.bots.BotSession`: turn 0 asks for the greeting, each
    later turn carries what the customer said. The bot keeps its own state
    under ``request.session_id``. Plugins are asked from the most recently
    registered to the first; return ``None`` for a ``request.bot`` you do not
    serve (``firstresult``). A hook that takes longer than the session's
    ``bot_timeout`` is handed off by the session's ``advance``.

    Args:
        request: The session, the bot's name, the turn number, the customer's
            text, the variables known so far, the language and the channel.

    Returns:
        The bot's reply (what to say, variables collected, the intent, and
        whether it resolved the contact or hands it off), or ``None``.
    """
