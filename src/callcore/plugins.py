"""The plugin manager: hook specifications, built-in plugins and entry points.

The manager is built by :func:`make_plugin_manager`, never at import time. It
registers the hook specifications of :mod:`callcore.hookspecs`, then the
built-in plugins (the stores, and the engines' built-in strategies, node types,
workflows and metrics), then every plugin published under the ``callcore``
entry-point group. Plugins registered later are called first, so a third-party
plugin overrides a built-in one in provider hooks.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from types import CodeType, TracebackType
from typing import TYPE_CHECKING, Any

import pluggy

from callcore import hookspecs
from callcore.checks import check_text
from callcore.errors import CallcoreError, ConfigError, PluginError

if TYPE_CHECKING:
    from callcore.acd import Strategy
    from callcore.events import Event
    from callcore.ivr import Node
    from callcore.kpi import Metric
    from callcore.notifications import Notification
    from callcore.storage import Storage
    from callcore.tickets import Workflow

__all__ = [
    "BUILTIN_PLUGINS",
    "call_hook",
    "collect_kpi_metrics",
    "collect_registry",
    "forecast_methods",
    "ivr_node_types",
    "make_plugin_manager",
    "open_storage",
    "publish_events",
    "routing_strategies",
    "send_notifications",
    "ticket_workflows",
]

_log = logging.getLogger(__name__)

BUILTIN_PLUGINS: tuple[str, ...] = (
    "callcore.builtin_plugins.storage",
    "callcore.builtin_plugins.acd",
    "callcore.builtin_plugins.ivr",
    "callcore.builtin_plugins.kpi",
    "callcore.builtin_plugins.wfm",
    "callcore.builtin_plugins.tickets",
)
"""Modules registered as plugins by every manager, in this order."""


def make_plugin_manager(
    *, load_entrypoints: bool = True, plugins: Iterable[object] = ()
) -> pluggy.PluginManager:
    """Build a plugin manager with callcore's hooks and plugins.

    Args:
        load_entrypoints: Also load plugins published under the ``callcore``
            entry-point group (turn off in tests that want a known set).
        plugins: Extra plugin objects (modules, classes, instances) to
            register last, so that they take precedence.

    Returns:
        The manager, ready for :func:`call_hook`.
    """
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    for name in BUILTIN_PLUGINS:
        manager.register(importlib.import_module(name), name=name)
    if load_entrypoints:
        loaded = manager.load_setuptools_entrypoints(hookspecs.PROJECT_NAME)
        _log.debug("loaded %d plugin(s) from the %r entry points", loaded, hookspecs.PROJECT_NAME)
    for plugin in plugins:
        _log.debug("registered plugin %s", manager.register(plugin))
    return manager


def _culprit(manager: pluggy.PluginManager, hook_name: str, tb: TracebackType | None) -> str:
    """Find which plugin's hook implementation raised, from the traceback."""
    implementations: dict[CodeType, str] = {}
    for impl in getattr(manager.hook, hook_name).get_hookimpls():
        code = getattr(impl.function, "__code__", None)
        if code is not None:
            implementations[code] = impl.plugin_name
    culprit = "<unknown plugin>"
    while tb is not None:  # the innermost implementation frame is the one that failed
        culprit = implementations.get(tb.tb_frame.f_code, culprit)
        tb = tb.tb_next
    return culprit


def call_hook(manager: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> Any:  # noqa: ANN401
    """Call a hook, reporting a plugin's crash as a :class:`PluginError`.

    A :class:`~callcore.errors.CallcoreError` raised by a plugin passes through
    unchanged: it is a deliberate answer (a conflict, a missing record), not a
    crash.

    Args:
        manager: The plugin manager.
        hook_name: The hook to call, such as ``"callcore_notify"``.
        **kwargs: The hook's arguments.

    Returns:
        What pluggy returns: one result for provider hooks, a list otherwise.

    Raises:
        PluginError: A plugin raised anything other than a callcore error; the
            error names the plugin and chains the original exception.
        ConfigError: No such hook.
    """
    hook = getattr(manager.hook, hook_name, None)
    if hook is None:
        raise ConfigError(f"no hook named {hook_name!r}")
    try:
        return hook(**kwargs)
    except CallcoreError:
        raise
    except Exception as exc:
        plugin = _culprit(manager, hook_name, exc.__traceback__)
        _log.warning("plugin %s failed in %s", plugin, hook_name, exc_info=exc)
        raise PluginError(plugin, hook_name, f"{type(exc).__name__}: {exc}") from exc


def open_storage(manager: pluggy.PluginManager, url: str = "memory:") -> Storage:
    """Open the store that ``url`` names, through the ``callcore_storage`` hook.

    Args:
        manager: The plugin manager.
        url: ``"memory:"`` (the default), ``"sqlite:///path/to/file.db"``, or a
            scheme that an installed storage plugin handles.

    Raises:
        ConfigError: No plugin handles the URL's scheme.
        InvalidInputError: ``url`` is not a string of valid text.
    """
    check_text(url, "url")
    store: Storage | None = call_hook(manager, "callcore_storage", url=url)
    if store is None:
        raise ConfigError(
            f"no storage plugin handles {url!r}; built in are 'memory:' and "
            "'sqlite:///path/to/file.db'"
        )
    return store


def publish_events(manager: pluggy.PluginManager, events: Iterable[Event]) -> None:
    """Broadcast each event, in order, to the ``callcore_domain_event`` hook."""
    for event in events:
        call_hook(manager, "callcore_domain_event", event=event)


def send_notifications(
    manager: pluggy.PluginManager, notifications: Iterable[Notification]
) -> None:
    """Hand each notification, in order, to the ``callcore_notify`` hook."""
    for notification in notifications:
        call_hook(manager, "callcore_notify", notification=notification)


def collect_registry(manager: pluggy.PluginManager, hook_name: str, what: str) -> dict[str, Any]:
    """Merge what every plugin contributes to a registry hook into one mapping.

    Contributions are merged in registration order, so a plugin registered
    later (a host's own, or one loaded from an entry point) may replace a
    built-in contribution of the same name, just as provider hooks prefer later
    plugins. Two plugins that are not built in contributing the same name is a
    mistake, reported rather than settled by load order.

    Args:
        manager: The plugin manager.
        hook_name: The registry hook, such as ``"callcore_ivr_node_types"``.
        what: What the names name, for error messages (``"node type"``).

    Returns:
        Names mapped to the contributed things.

    Raises:
        PluginError: A plugin crashed, or two non-built-in plugins contributed
            the same name.
    """
    merged: dict[str, Any] = {}
    owners: dict[str, str] = {}
    for impl in getattr(manager.hook, hook_name).get_hookimpls():  # registration order
        try:
            contribution = impl.function() or {}
        except CallcoreError:
            raise
        except Exception as exc:
            detail = f"{type(exc).__name__}: {exc}"
            raise PluginError(impl.plugin_name, hook_name, detail) from exc
        for name, thing in contribution.items():
            owner = owners.get(name)
            if owner is not None and owner not in BUILTIN_PLUGINS and merged[name] is not thing:
                detail = f"{what} {name!r} is already contributed by plugin {owner!r}"
                raise PluginError(impl.plugin_name, hook_name, detail)
            merged[name] = thing
            owners[name] = impl.plugin_name
    return merged


def forecast_methods(manager: pluggy.PluginManager) -> dict[str, Any]:
    """Collect the forecasting methods of every plugin (``callcore_wfm_forecast_methods``).

    Returns:
        Method names mapped to methods (:class:`callcore.wfm.ForecastMethod`),
        for :func:`callcore.wfm.forecast`; see :func:`collect_registry`.
    """
    return collect_registry(manager, "callcore_wfm_forecast_methods", "forecast method")


def ivr_node_types(manager: pluggy.PluginManager) -> dict[str, type[Node]]:
    """Collect the IVR node types of every plugin (built-in ones included).

    Pass the result to :func:`callcore.ivr.load_flow` as ``node_types``; see
    :func:`collect_registry` for how names are merged.
    """
    return collect_registry(manager, "callcore_ivr_node_types", "node type")


def collect_kpi_metrics(manager: pluggy.PluginManager) -> dict[str, Metric]:
    """Collect every KPI metric contributed through ``callcore_kpi_metrics``.

    See :func:`collect_registry` for how names are merged.

    Returns:
        The metrics by name, sorted by name.

    Raises:
        ConfigError: A metric is filed under a name other than its own.
        PluginError: Two plugins that are not built in contribute one name.
    """
    metrics: dict[str, Metric] = collect_registry(manager, "callcore_kpi_metrics", "KPI metric")
    for name, metric in metrics.items():
        if name != metric.name:
            raise ConfigError(f"KPI metric {metric.name!r} is contributed as {name!r}")
    return dict(sorted(metrics.items()))


def routing_strategies(manager: pluggy.PluginManager) -> dict[str, Strategy]:
    """Collect every plugin's routing strategies into the mapping a router takes.

    See :func:`collect_registry` for how names are merged.

    Returns:
        Strategy names mapped to strategies, built-in ones included; pass it
        as ``Router(queues, strategies=...)``.
    """
    return collect_registry(manager, "callcore_routing_strategies", "routing strategy")


def ticket_workflows(manager: pluggy.PluginManager) -> dict[str, Workflow]:
    """Collect the ticket workflows of every plugin (``callcore_ticket_workflows``).

    Names are merged as :func:`collect_registry` explains (a later plugin may
    replace the built-in ``"default"``); each workflow is then validated.

    Returns:
        Workflow names mapped to workflows, for :class:`callcore.tickets.TicketEngine`.

    Raises:
        ConfigError: A workflow is contributed under a name that is not its own.
        DocumentError: A contributed workflow is invalid (every problem listed).
        PluginError: A plugin crashed, or two plugins contributed the same name.
    """
    from callcore.errors import DocumentError  # noqa: PLC0415 - keep import callcore cheap
    from callcore.tickets import validate_workflow  # noqa: PLC0415

    workflows: dict[str, Workflow] = collect_registry(
        manager, "callcore_ticket_workflows", "ticket workflow"
    )
    for name, workflow in workflows.items():
        if name != workflow.name:
            raise ConfigError(f"ticket workflow registered as {name!r} is named {workflow.name!r}")
        problems = validate_workflow(workflow)
        if problems:
            raise DocumentError(problems, f"ticket workflow {name!r}")
    return workflows
