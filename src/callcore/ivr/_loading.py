"""Loading a flow document: read it, validate it, and report every problem at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from callcore.errors import DocumentError, Problem
from callcore.ivr._flow import (
    Flow,
    flow_list,
    name_set,
    node_type_map,
    parse_flow_json,
    parse_flow_yaml,
    structure_flow,
)
from callcore.ivr._validation import validate_flow

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping

    from callcore.ivr._node import Node

__all__ = ["load_flow", "load_flow_json", "load_flow_yaml"]


def load_flow(
    data: object,
    *,
    node_types: Mapping[str, type[Node]] | None = None,
    calendars: Collection[str] | None = None,
    flows: Iterable[Flow] | None = None,
) -> Flow:
    """Read and validate a flow document.

    Args:
        data: The document as plain data (a dict).
        node_types: The node types by name; ``None`` is the built-in ones (a
            host with plugins passes :func:`callcore.plugins.ivr_node_types`).
        calendars: The calendar names sessions will have (checks hours nodes).
        flows: The flows that subflow nodes may call (checks ids and recursion).

    Returns:
        The flow, ready for :class:`~callcore.ivr.IvrSession`.

    Raises:
        DocumentError: The document has problems; all are listed with paths.
        InvalidInputError: ``node_types``, ``calendars`` or ``flows`` has the
            wrong type (checked before the document is read).
    """
    node_types = node_type_map(node_types)
    calendars = name_set(calendars, "calendars")
    flows = None if flows is None else flow_list(flows, "flows")
    flow, problems, unreadable = structure_flow(data, node_types)
    if flow is not None:
        problems += validate_flow(flow, calendars=calendars, flows=flows, unreadable=unreadable)
    what = f"IVR flow {flow.id!r}" if flow is not None else "IVR flow"
    if problems:
        raise DocumentError(problems, what)
    if flow is None:  # pragma: no cover - structure_flow reports why
        raise DocumentError([Problem("", "unreadable flow")], what)
    return flow


def load_flow_json(
    text: str | bytes,
    *,
    node_types: Mapping[str, type[Node]] | None = None,
    calendars: Collection[str] | None = None,
    flows: Iterable[Flow] | None = None,
) -> Flow:
    """Read and validate a flow from JSON text (duplicate keys are refused).

    Raises:
        DocumentError: The text is not JSON, or the flow has problems.
    """
    data = parse_flow_json(text)
    return load_flow(data, node_types=node_types, calendars=calendars, flows=flows)


def load_flow_yaml(
    text: str,
    *,
    node_types: Mapping[str, type[Node]] | None = None,
    calendars: Collection[str] | None = None,
    flows: Iterable[Flow] | None = None,
) -> Flow:
    """Read and validate a flow from YAML text (needs PyYAML).

    Raises:
        ConfigError: PyYAML is not installed.
        DocumentError: The text is not YAML, or the flow has problems.
    """
    data = parse_flow_yaml(text)
    return load_flow(data, node_types=node_types, calendars=calendars, flows=flows)
