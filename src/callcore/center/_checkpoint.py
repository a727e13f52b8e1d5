"""The centre's state as one JSON document, kept in the store across a restart.

What the engines already know how to snapshot (the router, each IVR session,
the KPI totals) goes in their own serialised form; the centre adds what is its
own: each contact's progress (its timestamps, hold time, ticket, IVR
variables) and the tickets' next deadlines. Customers, interactions and
tickets are in the store already, and so are the flow versions the sessions
run (each written once, under a name of its own, before a checkpoint needs it).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from callcore.acd import RouterSnapshot
from callcore.center._contact import Consultation, LiveContact
from callcore.errors import CallcoreError, DocumentError, Problem
from callcore.ivr import Flow, IvrSession, SessionState
from callcore.kpi import Aggregator
from callcore.serialization import converter, from_dict, to_dict

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from callcore.ivr import Calendar

__all__ = ["CHECKPOINT_FORMAT", "CenterState", "read_state", "write_state"]

CHECKPOINT_FORMAT = 1
"""The version of the document's shape; a newer one is refused."""

attrs.resolve_types(LiveContact)
attrs.resolve_types(Consultation)


@attrs.frozen
class CenterState:
    """What a restarted centre needs besides the store's customers and tickets."""

    last: datetime | None
    router: RouterSnapshot
    contacts: tuple[LiveContact, ...]
    ticket_due: Mapping[str, datetime]
    aggregator: Aggregator
    # on a shared router: the log position through which the centre took every update in
    router_position: int | None = None
    sections: Mapping[str, Any] | None = None
    """The state of the centre's modules (callbacks, campaigns, self-service, desk) as
    plain JSON data, by module; ``None``: a checkpoint written before the modules'
    state joined it (they kept theirs under names of their own)."""


def _contact_to_dict(live: LiveContact) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in attrs.fields(LiveContact):
        value = getattr(live, field.name)
        if field.name == "session":
            data["session"] = None if value is None else to_dict(value.snapshot())
        else:
            data[field.name] = converter.unstructure(value, field.type)
    return data


def write_state(state: CenterState) -> str:
    """The state as JSON text."""
    document = {
        "format": CHECKPOINT_FORMAT,
        "last": None if state.last is None else state.last.isoformat(),
        "router": to_dict(state.router),
        "contacts": [_contact_to_dict(live) for live in state.contacts],
        "ticket_due": {key: due.isoformat() for key, due in state.ticket_due.items()},
        "aggregator": to_dict(state.aggregator),
    }
    if state.router_position is not None:
        document["router_position"] = state.router_position
    if state.sections is not None:
        document["sections"] = dict(state.sections)
    return json.dumps(document, ensure_ascii=False)


def read_state(
    text: str,
    *,
    flows: Iterable[Flow],
    calendars: Mapping[str, Calendar],
    saved_flow: Callable[[str, int], Flow | None] | None = None,
) -> CenterState:
    """Read a state written by :func:`write_state`.

    Args:
        text: The document.
        flows: The flows the host gives.
        calendars: The calendars the host gives.
        saved_flow: Where a session's flow version that ``flows`` lacks is
            looked for (``None``: nowhere); it returns ``None`` if it has none.

    Raises:
        DocumentError: The document is damaged or of a newer format; every
            IVR session is checked as :meth:`callcore.ivr.IvrSession.restore` does.
        ConfigError: A session is pinned to a flow version neither given nor saved.
    """
    try:
        data = json.loads(text)
    except ValueError as error:
        raise DocumentError([Problem("", f"not JSON: {error}")], "centre checkpoint") from None
    if not isinstance(data, dict) or data.get("format") != CHECKPOINT_FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise DocumentError(
            [Problem("format", f"expected {CHECKPOINT_FORMAT}, got {found!r}")], "centre checkpoint"
        )
    try:
        return _state(data, list(flows), calendars, saved_flow)
    except CallcoreError:
        raise
    except Exception as error:  # noqa: BLE001 - a damaged document fails anyhow: name it
        detail = f"{type(error).__name__}: {error}"
        raise DocumentError([Problem("", detail)], "centre checkpoint") from None


def _field(value: object, field: attrs.Attribute[Any], path: str) -> Any:  # noqa: ANN401
    """One contact field from plain data; a bad value is named by its path."""
    try:
        return converter.structure(value, field.type)  # type: ignore[arg-type] # resolved
    except CallcoreError:
        raise
    except Exception as error:  # noqa: BLE001 - any failure here is a damaged field
        raise DocumentError([Problem(path, str(error))], "centre checkpoint") from None


def _state(
    data: dict[str, Any],
    flow_list: list[Flow],
    calendars: Mapping[str, Calendar],
    saved_flow: Callable[[str, int], Flow | None] | None,
) -> CenterState:
    """Build the state from the parsed document (a missing key raises ``KeyError``)."""
    known = {(flow.id, flow.version) for flow in flow_list}
    contacts = []
    for index, raw in enumerate(data["contacts"]):
        fields: dict[str, Any] = {}
        for field in attrs.fields(LiveContact):
            if field.name not in raw and field.default is not attrs.NOTHING:
                continue  # a field added since the checkpoint was written: its default
            value = raw[field.name]
            if field.name == "session":
                if value is None:
                    fields["session"] = None
                    continue
                session = from_dict(SessionState, value, what=f"contacts[{index}].session")
                if saved_flow is not None:  # versions the host no longer gives, if kept
                    for frame in session.stack:
                        flow: object = frame.flow  # a damaged document may hold anything
                        version: object = frame.version
                        if not (isinstance(flow, str) and type(version) is int):
                            continue  # IvrSession.restore names the problem
                        key = (flow, version)
                        if key not in known and (kept := saved_flow(*key)) is not None:
                            flow_list.append(kept)
                            known.add(key)
                fields["session"] = IvrSession.restore(
                    session, flows=flow_list, calendars=calendars
                )
            else:
                fields[field.name] = _field(value, field, f"contacts[{index}].{field.name}")
        contacts.append(LiveContact(**fields))
    return CenterState(
        last=None if data["last"] is None else datetime.fromisoformat(data["last"]),
        router=from_dict(RouterSnapshot, data["router"], what="router"),
        contacts=tuple(contacts),
        ticket_due={key: datetime.fromisoformat(due) for key, due in data["ticket_due"].items()},
        aggregator=from_dict(Aggregator, data["aggregator"], what="aggregator"),
        router_position=_position(data.get("router_position")),
        sections=_sections(data.get("sections")),
    )


def _sections(value: object) -> dict[str, Any] | None:
    if value is None or (isinstance(value, dict) and all(isinstance(key, str) for key in value)):
        return value
    raise DocumentError(
        [Problem("sections", f"not the modules' state by name: {value!r:.80}")], "centre checkpoint"
    )


def _position(value: object) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value
    raise DocumentError(
        [Problem("router_position", f"not a log position: {value!r}")], "centre checkpoint"
    )
