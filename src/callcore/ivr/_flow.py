"""The flow document: prompts, languages and named nodes, and how it is read.

A flow is written as plain data (a dict, JSON, or YAML when PyYAML is
installed). Each node names its ``type``; the type's class reads the rest.
Reading collects every problem with its path before any semantic check runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import attrs
from cattrs.errors import ClassValidationError, IterableValidationError

from callcore.errors import DocumentError, InvalidInputError, Problem
from callcore.ivr._data import data_problems
from callcore.ivr._node import Node
from callcore.ivr._nodes import BUILTIN_NODE_TYPES
from callcore.serialization import converter, parse_json, parse_yaml, problems_from_exception

__all__ = ["Flow", "HotKey", "flow_from_dict", "flow_to_dict", "parse_flow_json", "parse_flow_yaml"]

AUDIO_PREFIX = "audio:"
"""A prompt text starting with this is an audio reference, not text to speak."""

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.]*)\}")


def _freeze_prompts(value: Mapping[str, Mapping[str, str]]) -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType({key: MappingProxyType(dict(v)) for key, v in value.items()})


def _freeze_voices(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


def _freeze_nodes(value: Mapping[str, Node]) -> Mapping[str, Node]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class HotKey:
    """A key or phrase that works at every asking node (VoiceXML document-scope link).

    "0 for an operator" or "help" anywhere in a flow: a node's own choices
    come first (a menu option with the same key, an entry valid at an input
    node), then the flow's hot keys; a node with ``hot_keys: false`` (a card
    entry) hears none.

    Attributes:
        key: The DTMF key (or keys), or ``None`` for speech only.
        keywords: Words or phrases that take it by speech.
        goto: Where the call goes.
    """

    goto: str
    key: str | None = None
    keywords: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Flow:
    """An IVR call flow: a versioned, immutable document.

    Attributes:
        id: The flow's name (``"bank_main"``); subflow nodes call flows by it.
        version: Bumped on every edit; a session keeps the version it started with.
        start: The node where calls begin.
        languages: The languages offered, the default first.
        prompts: For each prompt id, its text (with ``{placeholders}``) or
            ``audio:`` reference per language.
        nodes: The nodes by name.
        hot_keys: Keys and phrases heard at every asking node (:class:`HotKey`).
        no_barge_in: Prompts the caller cannot interrupt (VoiceXML
            ``bargein="false"``): a legal notice, a price.
        voices: The text-to-speech voice of each language (``{"ro":
            "ro-RO-Wavenet-A"}``), carried by :class:`Play` and :class:`SetLanguage`.
        description: Free text for people.
    """

    id: str
    version: int = 1
    start: str
    languages: tuple[str, ...]
    prompts: Mapping[str, Mapping[str, str]] = attrs.field(
        factory=dict, converter=_freeze_prompts, hash=False
    )
    nodes: Mapping[str, Node] = attrs.field(converter=_freeze_nodes, hash=False)
    hot_keys: tuple[HotKey, ...] = ()
    no_barge_in: tuple[str, ...] = ()
    voices: Mapping[str, str] = attrs.field(factory=dict, converter=_freeze_voices, hash=False)
    description: str = ""
    # Runtime tables (callcore.ivr._compiled), filled on first use; not part of the document.
    _compiled: Any = attrs.field(init=False, default=None, eq=False, repr=False, hash=False)

    @property
    def default_language(self) -> str:
        """The first language."""
        return self.languages[0] if self.languages else ""


def placeholders(text: str) -> list[str]:
    """The ``{subject}`` placeholders in a prompt text."""
    return _PLACEHOLDER.findall(text)


def has_placeholders(text: str) -> bool:
    """Whether :func:`render` would change ``text``."""
    return "{" in text and _PLACEHOLDER.search(text) is not None


def render(text: str, scope: Mapping[str, Any]) -> str:
    """Fill ``{subject}`` placeholders from ``scope``; a missing one becomes empty."""

    def replace(match: re.Match[str]) -> str:
        value: Any = scope
        for part in match.group(1).split("."):
            # a plain dict first: the ABC check is several times slower
            if not (type(value) is dict or isinstance(value, Mapping)) or part not in value:
                return ""
            value = value[part]
        return "" if value is None else str(value)

    return _PLACEHOLDER.sub(replace, text) if "{" in text else text


# --- reading -------------------------------------------------------------------

_FLOW_FIELDS = {
    "id",
    "version",
    "start",
    "languages",
    "prompts",
    "nodes",
    "hot_keys",
    "no_barge_in",
    "voices",
    "description",
}


def _structure_node(
    name: str, data: object, node_types: Mapping[str, type[Node]], problems: list[Problem]
) -> Node | None:
    path = f"nodes.{name}"
    if not isinstance(data, Mapping):
        problems.append(Problem(path, "expected a mapping with a 'type'"))
        return None
    kind = data.get("type")
    cls = node_types.get(kind) if isinstance(kind, str) else None
    if cls is None:
        known = ", ".join(sorted(node_types))
        problems.append(Problem(f"{path}.type", f"unknown node type {kind!r:.80} (known: {known})"))
        return None
    fields = {key: value for key, value in data.items() if key != "type"}
    count = len(problems)
    node = _structure(fields, cls, path, problems)
    return node if len(problems) == count else None


def _structure(data: object, cls: Any, path: str, problems: list[Problem]) -> Any:  # noqa: ANN401
    """``converter.structure(data, cls)``, or ``None`` with the problems added."""
    try:
        return converter.structure(data, cls)
    except (ClassValidationError, IterableValidationError, DocumentError) as exc:
        problems.extend(problems_from_exception(exc, path))
    except InvalidInputError as exc:  # a field's check in the class's constructor
        where = f"{path}.{exc.field}" if exc.field and path else exc.field or path
        problems.append(Problem(where, str(exc)))
    except (TypeError, ValueError, AttributeError, KeyError, ArithmeticError) as exc:
        problems.append(Problem(path, str(exc) or type(exc).__name__))
    return None


def _structure_field(data: Mapping[str, Any], key: str, cls: Any, problems: list[Problem]) -> Any:  # noqa: ANN401
    if key not in data:
        problems.append(Problem(key, "required field missing"))
        return None
    return _structure(data[key], cls, key, problems)


def _names_in(data: object, names: Mapping[Any, Any]) -> Iterator[str]:
    """Every text in ``data`` (nested) that names a node: what an unreadable node may lead to."""
    if isinstance(data, str):
        if data in names:
            yield data
    elif isinstance(data, Mapping):
        for value in data.values():
            yield from _names_in(value, names)
    elif isinstance(data, list | tuple):
        for value in data:
            yield from _names_in(value, names)


def structure_flow(
    data: object, node_types: Mapping[str, type[Node]] | None = None
) -> tuple[Flow | None, list[Problem], dict[str, list[str]]]:
    """Read a flow, collecting problems instead of stopping at the first.

    Returns:
        The flow (``None`` if the top level is unusable), the problems, and the
        nodes that could not be read, each with every node name its data
        mentions (all it may lead to).
    """
    classes = node_type_map(node_types)
    if not isinstance(data, Mapping):
        return None, [Problem("", "a flow document must be a mapping")], {}
    shape = data_problems(data)
    if shape:
        return None, shape, {}
    problems = [Problem(key, "unknown field") for key in sorted(map(str, set(data) - _FLOW_FIELDS))]
    flow_id = _structure_field(data, "id", str, problems)
    start = _structure_field(data, "start", str, problems)
    languages = _structure_field(data, "languages", tuple[str, ...], problems)
    version = _structure_field(data, "version", int, problems) if "version" in data else 1
    description = (
        _structure_field(data, "description", str, problems) if "description" in data else ""
    )
    prompts = (
        _structure_field(data, "prompts", dict[str, dict[str, str]], problems)
        if "prompts" in data
        else {}
    )
    hot_keys = (
        _structure_field(data, "hot_keys", tuple[HotKey, ...], problems)
        if "hot_keys" in data
        else ()
    )
    no_barge_in = (
        _structure_field(data, "no_barge_in", tuple[str, ...], problems)
        if "no_barge_in" in data
        else ()
    )
    voices = _structure_field(data, "voices", dict[str, str], problems) if "voices" in data else {}
    raw_nodes = data.get("nodes")
    nodes: dict[str, Node] = {}
    broken: dict[str, list[str]] = {}
    if not isinstance(raw_nodes, Mapping):
        problems.append(Problem("nodes", "required: a mapping of node names to nodes"))
    else:
        for name, node_data in raw_nodes.items():
            node = _structure_node(str(name), node_data, classes, problems)
            if node is None:
                broken[str(name)] = sorted(set(_names_in(node_data, raw_nodes)))
            else:
                nodes[str(name)] = node
    if None in (
        flow_id,
        start,
        languages,
        version,
        description,
        prompts,
        hot_keys,
        no_barge_in,
        voices,
    ):
        return None, problems, broken
    flow = Flow(
        id=flow_id,
        version=version,
        start=start,
        languages=languages,
        prompts=prompts,
        nodes=nodes,
        hot_keys=hot_keys,
        no_barge_in=no_barge_in,
        voices=voices,
        description=description,
    )
    return flow, problems, broken


def flow_from_dict(data: object, node_types: Mapping[str, type[Node]] | None = None) -> Flow:
    """Read a flow from plain data without semantic validation.

    Prefer :func:`callcore.ivr.load_flow`, which also validates.

    Raises:
        DocumentError: The data does not describe a flow; every problem is listed.
    """
    flow, problems, _ = structure_flow(data, node_types)
    if problems or flow is None:
        raise DocumentError(problems, "IVR flow")
    return flow


def flow_to_dict(flow: Flow) -> dict[str, Any]:
    """Turn a flow into plain data that :func:`flow_from_dict` reads back."""
    check_flow(flow)
    data: dict[str, Any] = {
        "id": flow.id,
        "version": flow.version,
        "start": flow.start,
        "languages": list(flow.languages),
        "prompts": {key: dict(texts) for key, texts in flow.prompts.items()},
        "nodes": {
            name: {"type": node.type_name, **converter.unstructure(node, type(node))}
            for name, node in flow.nodes.items()
        },
    }
    if flow.hot_keys:
        data["hot_keys"] = converter.unstructure(flow.hot_keys, tuple[HotKey, ...])
    if flow.no_barge_in:
        data["no_barge_in"] = list(flow.no_barge_in)
    if flow.voices:
        data["voices"] = dict(flow.voices)
    if flow.description:
        data["description"] = flow.description
    return data


converter.register_structure_hook(Flow, lambda data, _: flow_from_dict(data))
converter.register_unstructure_hook(Flow, flow_to_dict)


def parse_flow_json(text: str | bytes) -> Any:  # noqa: ANN401 - plain document data
    """Parse JSON text within the document limits (:func:`callcore.serialization.parse_json`).

    A repeated key would silently lose a menu option; it is refused at the
    path of the object holding it (``nodes.main.options: duplicate key '1'``).

    Raises:
        DocumentError: The text is too long, not UTF-8, not JSON, nested too
            deeply, or repeats a key in one object.
    """
    return parse_json(text, what="IVR flow")


def parse_flow_yaml(text: str | bytes) -> Any:  # noqa: ANN401 - plain document data
    """Parse YAML text within the document limits (:func:`callcore.serialization.parse_yaml`).

    Raises:
        ConfigError: PyYAML is not installed.
        DocumentError: The text is too long, not UTF-8, not YAML, nested too
            deeply, or uses too many aliases or expands to too many values.
    """
    return parse_yaml(text, what="IVR flow")


def flow_list(flows: object, what: str) -> list[Flow]:
    """``flows`` as a list, if it is an iterable of flows (not a string or mapping)."""
    if type(flows) is tuple and not flows:
        return []
    if isinstance(flows, str | bytes | Mapping) or not isinstance(flows, Iterable):
        raise InvalidInputError(
            f"{what} must be an iterable of Flow, got {type(flows).__name__}", field=what
        )
    listed = list(flows)
    for index, flow in enumerate(listed):
        if not isinstance(flow, Flow):
            raise InvalidInputError(
                f"{what}[{index}] must be a Flow, got {type(flow).__name__}",
                field=f"{what}[{index}]",
            )
    return listed


def check_flow(flow: object, what: str = "flow") -> Flow:
    """``flow`` itself, if it is a :class:`Flow`.

    Raises:
        InvalidInputError: It is not (a document must be loaded first).
    """
    if not isinstance(flow, Flow):
        raise InvalidInputError(
            f"{what} must be a Flow (see load_flow), got {type(flow).__name__}", field=what
        )
    return flow


def name_set(names: object, what: str) -> frozenset[str] | None:
    """``names`` (a collection of names, or ``None``) as a set.

    Raises:
        InvalidInputError: ``names`` is a single string, or not a collection of strings.
    """
    if names is None:
        return None
    if isinstance(names, str | bytes) or not isinstance(names, Iterable):
        raise InvalidInputError(
            f"{what} must be a collection of names, got {type(names).__name__}", field=what
        )
    listed = list(names)
    if not all(isinstance(name, str) for name in listed):
        raise InvalidInputError(f"{what} must hold names (text) only", field=what)
    return frozenset(listed)


def node_type_map(node_types: object) -> Mapping[str, type[Node]]:
    """The node types by name (``None``: the built-in ones).

    Raises:
        InvalidInputError: ``node_types`` does not map names to Node subclasses.
    """
    if node_types is None:
        return BUILTIN_NODE_TYPES
    if not isinstance(node_types, Mapping) or not all(
        isinstance(name, str) and isinstance(cls, type) and issubclass(cls, Node)
        for name, cls in node_types.items()
    ):
        raise InvalidInputError(
            "node_types must map type names to Node subclasses", field="node_types"
        )
    return node_types


def flows_by_id(flows: Iterable[Flow]) -> dict[str, Flow]:
    """Index flows by id, keeping the highest version of each."""
    index: dict[str, Flow] = {}
    for flow in flows:
        if flow.id not in index or flow.version > index[flow.id].version:
            index[flow.id] = flow
    return index
