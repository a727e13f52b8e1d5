"""One document for a whole centre: queues, agents, flows, numbers, calendars, tickets.

:func:`read_center_config` reads it (a mapping, or a JSON or YAML file) and
reports every problem at once, each with its path
(``queues[1].wrap_up: ...``, ``numbers.+40213004000: unknown flow 'mian'``);
:func:`load_center` builds the :class:`~callcore.center.ContactCenter`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from callcore.acd import AgentProfile, QueueConfig, validate_profile, validate_queues
from callcore.calendar import BusinessCalendar
from callcore.center._center import ContactCenter
from callcore.contacts import Channel
from callcore.errors import DocumentError, InvalidInputError, Problem
from callcore.ivr import Flow, QueueNode, load_flow
from callcore.plugins import ivr_node_types, make_plugin_manager, routing_strategies
from callcore.serialization import from_dict, parse_json, parse_yaml
from callcore.tickets import TicketSettings, load_ticket_settings

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["CenterConfig", "load_center", "read_center_config"]

T = TypeVar("T")

_SECTIONS = frozenset(
    {
        "country_code",
        "calendars",
        "queues",
        "agents",
        "flows",
        "numbers",
        "message_queues",
        "tickets",
    }
)


@attrs.frozen
class CenterConfig:
    """A centre's configuration, read and validated from one document.

    Attributes:
        country_code: The country calling code of national numbers.
        calendars: Business calendars by name (flows' hours nodes, SLA policies).
        queues: The router's queues.
        agents: The agents' profiles, by id (log them in by id).
        flows: Every flow, by id.
        numbers: The flow id of each dialled number (``"*"``: any other).
        message_queues: The queue of each non-voice channel.
        tickets: Tiers, escalation rules, SLA policies, macros.
    """

    country_code: str
    calendars: Mapping[str, BusinessCalendar]
    queues: tuple[QueueConfig, ...]
    agents: Mapping[str, AgentProfile]
    flows: Mapping[str, Flow]
    numbers: Mapping[str, str]
    message_queues: Mapping[Channel, str]
    tickets: TicketSettings


def _read_source(source: object) -> object:
    if isinstance(source, Mapping):
        return source
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            text = path.read_bytes()
        except OSError as error:
            raise InvalidInputError(f"cannot read {path}: {error}", field="source") from None
        what = f"centre configuration {path.name}"
        if path.suffix in {".yaml", ".yml"}:
            return parse_yaml(text, what=what)
        return parse_json(text, what=what)
    raise InvalidInputError(
        f"source must be a mapping or a path to a JSON or YAML file, got {type(source).__name__}",
        field="source",
    )


def _collect(problems: list[Problem], path: str, read: Callable[[], T]) -> T | None:
    """Run ``read``; file its DocumentError's problems under ``path`` and return ``None``."""
    try:
        return read()
    except DocumentError as error:
        problems.extend(
            Problem(f"{path}.{p.path}" if p.path else path, p.message) for p in error.problems
        )
    except InvalidInputError as error:
        problems.append(Problem(path, str(error)))
    return None


def _items(data: Mapping[str, Any], key: str, kind: type, problems: list[Problem]) -> Any:  # noqa: ANN401
    value = data.get(key, kind())
    if not isinstance(value, kind):
        problems.append(Problem(key, f"must be a {kind.__name__}, got {type(value).__name__}"))
        return kind()
    return value


def read_center_config(  # noqa: C901, PLR0912, PLR0915 - one section after another
    source: Mapping[str, Any] | str | os.PathLike[str], *, plugins: Iterable[object] = ()
) -> CenterConfig:
    """Read and validate a centre's document; every problem is reported, with its path.

    Args:
        source: The document, or the path of a ``.json``, ``.yaml`` or ``.yml`` file.
        plugins: Plugins whose IVR node types and routing strategies the
            document may use.

    Raises:
        DocumentError: Every problem, each with its path.
        InvalidInputError: ``source`` is neither a mapping nor a readable file.
    """
    data = _read_source(source)
    if not isinstance(data, Mapping):
        raise DocumentError([Problem("", "must be a mapping of sections")], "centre configuration")
    manager = make_plugin_manager(load_entrypoints=False, plugins=plugins)
    problems = [
        Problem(str(key), f"unknown section; sections: {', '.join(sorted(_SECTIONS))}")
        for key in data
        if key not in _SECTIONS
    ]
    country_code = data.get("country_code", "1")
    if not isinstance(country_code, str) or not country_code.isdigit():
        problems.append(Problem("country_code", "must be a country calling code such as '40'"))
        country_code = "1"

    calendars: dict[str, BusinessCalendar] = {}
    for name, document in _items(data, "calendars", dict, problems).items():
        found = _collect(
            problems, f"calendars.{name}", partial(from_dict, BusinessCalendar, document)
        )
        if found is not None:
            calendars[str(name)] = found

    queues: list[QueueConfig] = []
    for index, document in enumerate(_items(data, "queues", list, problems)):
        queue = _collect(problems, f"queues[{index}]", partial(from_dict, QueueConfig, document))
        if queue is not None:
            queues.append(queue)
    problems.extend(
        Problem(f"queues.{p.path}" if p.path else "queues", p.message)
        for p in validate_queues(queues, routing_strategies(manager))
    )
    queue_names = {queue.name for queue in queues}

    agents: dict[str, AgentProfile] = {}
    for index, document in enumerate(_items(data, "agents", list, problems)):
        profile = _collect(problems, f"agents[{index}]", partial(from_dict, AgentProfile, document))
        if profile is None:
            continue
        problems.extend(
            Problem(f"agents[{index}].{p.path}" if p.path else f"agents[{index}]", p.message)
            for p in validate_profile(profile, queue_names)
        )
        if profile.agent_id in agents:
            problems.append(Problem(f"agents[{index}].agent_id", "repeats an agent"))
        agents[profile.agent_id] = profile

    node_types = ivr_node_types(manager)
    flows: dict[str, Flow] = {}
    for index, document in enumerate(_items(data, "flows", list, problems)):
        flow = _collect(
            problems,
            f"flows[{index}]",
            partial(load_flow, document, node_types=node_types, calendars=list(calendars)),
        )
        if flow is None:
            continue
        if flow.id in flows:
            problems.append(Problem(f"flows[{index}].id", f"repeats flow {flow.id!r}"))
        flows[flow.id] = flow
        problems.extend(
            Problem(f"flows[{index}].nodes.{name}.queue", f"unknown queue {node.queue!r}")
            for name, node in flow.nodes.items()
            if isinstance(node, QueueNode) and node.queue not in queue_names
        )

    numbers: dict[str, str] = {}
    for number, flow_id in _items(data, "numbers", dict, problems).items():
        if flow_id not in flows:
            problems.append(Problem(f"numbers.{number}", f"unknown flow {flow_id!r}"))
        else:
            numbers[str(number)] = flow_id

    message_queues: dict[Channel, str] = {}
    for channel, queue in _items(data, "message_queues", dict, problems).items():
        if channel not in {c.value for c in Channel} or channel == Channel.VOICE.value:
            problems.append(Problem(f"message_queues.{channel}", "is not a message channel"))
        elif queue not in queue_names:
            problems.append(Problem(f"message_queues.{channel}", f"unknown queue {queue!r}"))
        else:
            message_queues[Channel(channel)] = queue

    tickets = _collect(
        problems, "tickets", partial(load_ticket_settings, data.get("tickets", {}), calendars)
    )
    if problems:
        raise DocumentError(problems, "centre configuration")
    return CenterConfig(
        country_code=country_code,
        calendars=calendars,
        queues=tuple(queues),
        agents=agents,
        flows=flows,
        numbers=numbers,
        message_queues=message_queues,
        tickets=tickets or TicketSettings(),
    )


def load_center(
    source: Mapping[str, Any] | str | os.PathLike[str],
    *,
    plugins: Iterable[object] = (),
    **options: Any,  # noqa: ANN401 - ContactCenter's keywords
) -> ContactCenter:
    """Build a :class:`~callcore.center.ContactCenter` from one document.

    Args:
        source: The document, or the path of a ``.json``, ``.yaml`` or ``.yml`` file.
        plugins: Plugins for the centre (and for reading the document).
        **options: Further :class:`~callcore.center.ContactCenter` keywords:
            ``store``, ``clock``, ``durable``, ``id_factory``...

    Raises:
        DocumentError: Every problem of the document, each with its path.
    """
    plugins = tuple(plugins)
    config = read_center_config(source, plugins=plugins)
    return ContactCenter(
        queues=config.queues,
        flows={number: config.flows[flow_id] for number, flow_id in config.numbers.items()},
        subflows=tuple(config.flows.values()),
        agents=tuple(config.agents.values()),
        message_queues=config.message_queues,
        default_country_code=config.country_code,
        ticket_settings=config.tickets,
        calendars=config.calendars,
        plugins=plugins,
        **options,
    )
