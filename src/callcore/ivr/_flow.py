"""The flow document: prompts, languages and named nodes, and how it is read.

A flow is written as plain data (a dict, JSON, or YAML when PyYAML is
installed). Each node names its ``type``; the type's class reads the rest.
Reading collects every problem with its path before any semantic check runs.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from types import MappingProxyType
from typing import Any

import attrs
from cattrs.errors import ClassValidationError, IterableValidationError

from callcore.errors import ConfigError, DocumentError, InvalidInputError, Problem
from callcore.ivr._data import MAX_DEPTH, data_problems, join_path
from callcore.ivr._node import Node
from callcore.ivr._nodes import BUILTIN_NODE_TYPES
from callcore.serialization import converter, problems_from_exception

__all__ = ["Flow", "flow_from_dict", "flow_to_dict", "parse_flow_json", "parse_flow_yaml"]

AUDIO_PREFIX = "audio:"
"""A prompt text starting with this is an audio reference, not text to speak."""

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.]*)\}")


def _freeze_prompts(value: Mapping[str, Mapping[str, str]]) -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType({key: MappingProxyType(dict(v)) for key, v in value.items()})


def _freeze_nodes(value: Mapping[str, Node]) -> Mapping[str, Node]:
    return MappingProxyType(dict(value))


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

_FLOW_FIELDS = {"id", "version", "start", "languages", "prompts", "nodes", "description"}
_LIST_TYPES = (tuple, list, set, frozenset, Sequence, AbstractSet)

# For each attrs class read from documents: its list fields (name, the class of
# the items if they are attrs classes) and its fields that are attrs classes.
_ListFields = tuple[tuple[tuple[str, type | None], ...], tuple[tuple[str, type], ...]]
_LIST_FIELDS: dict[type, _ListFields] = {}


def _plain_type(hint: Any) -> Any:  # noqa: ANN401 - a type hint
    """``X`` for ``X | None``; the hint itself otherwise."""
    args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    is_union = typing.get_origin(hint) in {typing.Union, types.UnionType}
    return args[0] if is_union and len(args) == 1 else hint


def _list_fields(cls: type) -> _ListFields:
    known = _LIST_FIELDS.get(cls)
    if known is None:
        lists: list[tuple[str, type | None]] = []
        nested: list[tuple[str, type]] = []
        hints = typing.get_type_hints(cls)
        for field in attrs.fields(cls):
            if not field.init:
                continue
            hint = _plain_type(hints.get(field.name, Any))
            origin = typing.get_origin(hint) or hint
            if (
                isinstance(origin, type)
                and issubclass(origin, _LIST_TYPES)
                and not issubclass(origin, str | bytes)
            ):
                item = next(iter(typing.get_args(hint)), None)
                lists.append(
                    (field.alias, item if isinstance(item, type) and attrs.has(item) else None)
                )
            elif isinstance(hint, type) and attrs.has(hint):
                nested.append((field.alias, hint))
        known = _LIST_FIELDS[cls] = (tuple(lists), tuple(nested))
    return known


def _refuse_non_lists(
    cls: type, data: Mapping[str, Any], path: str, problems: list[Problem]
) -> Mapping[str, Any]:
    """Report each list field of ``cls`` given something other than a list.

    A string or a mapping would otherwise be read as its characters or keys:
    one problem per field (``nodes.main.skills: expected a list, got str``),
    however long the string. Nested attrs classes are checked too.

    Returns:
        ``data``, or a copy with each refused value replaced by an empty list
        (so that reading it reports the document's other problems).
    """
    lists, nested = _list_fields(cls)
    fixed: dict[str, Any] | None = None
    for name, item_cls in lists:
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, list | tuple):
            problems.append(
                Problem(f"{path}.{name}", f"expected a list, got {type(value).__name__}")
            )
            fixed = dict(data) if fixed is None else fixed
            fixed[name] = []
        elif item_cls is not None:
            items = [
                _refuse_non_lists(item_cls, item, f"{path}.{name}[{index}]", problems)
                if isinstance(item, Mapping)
                else item
                for index, item in enumerate(value)
            ]
            if any(new is not old for new, old in zip(items, value, strict=True)):
                fixed = dict(data) if fixed is None else fixed
                fixed[name] = items
    for name, field_cls in nested:
        value = data.get(name)
        if isinstance(value, Mapping):
            checked = _refuse_non_lists(field_cls, value, f"{path}.{name}", problems)
            if checked is not value:
                fixed = dict(data) if fixed is None else fixed
                fixed[name] = checked
    return data if fixed is None else fixed


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
    checked = _refuse_non_lists(cls, fields, path, problems)
    node = _structure(checked, cls, path, problems)
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
    value = data[key]
    if cls is _LANGUAGES and not isinstance(value, list | tuple):
        problems.append(Problem(key, f"expected a list, got {type(value).__name__}"))
        return None
    return _structure(value, cls, key, problems)


_LANGUAGES = tuple[str, ...]


def structure_flow(
    data: object, node_types: Mapping[str, type[Node]] | None = None
) -> tuple[Flow | None, list[Problem], set[str]]:
    """Read a flow, collecting problems instead of stopping at the first.

    Returns:
        The flow (``None`` if the top level is unusable), the problems, and the
        names of nodes that could not be read.
    """
    classes = BUILTIN_NODE_TYPES if node_types is None else node_types
    if not isinstance(data, Mapping):
        return None, [Problem("", "a flow document must be a mapping")], set()
    shape = data_problems(data)
    if shape:
        return None, shape, set()
    problems = [Problem(key, "unknown field") for key in sorted(map(str, set(data) - _FLOW_FIELDS))]
    flow_id = _structure_field(data, "id", str, problems)
    start = _structure_field(data, "start", str, problems)
    languages = _structure_field(data, "languages", _LANGUAGES, problems)
    version = _structure_field(data, "version", int, problems) if "version" in data else 1
    description = (
        _structure_field(data, "description", str, problems) if "description" in data else ""
    )
    prompts = (
        _structure_field(data, "prompts", dict[str, dict[str, str]], problems)
        if "prompts" in data
        else {}
    )
    raw_nodes = data.get("nodes")
    nodes: dict[str, Node] = {}
    broken: set[str] = set()
    if not isinstance(raw_nodes, Mapping):
        problems.append(Problem("nodes", "required: a mapping of node names to nodes"))
    else:
        for name, node_data in raw_nodes.items():
            node = _structure_node(str(name), node_data, classes, problems)
            if node is None:
                broken.add(str(name))
            else:
                nodes[str(name)] = node
    if None in (flow_id, start, languages, version, description, prompts):
        return None, problems, broken
    flow = Flow(
        id=flow_id,
        version=version,
        start=start,
        languages=languages,
        prompts=prompts,
        nodes=nodes,
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
    if flow.description:
        data["description"] = flow.description
    return data


converter.register_structure_hook(Flow, lambda data, _: flow_from_dict(data))
converter.register_unstructure_hook(Flow, flow_to_dict)


MAX_DOCUMENT_SIZE = 16 * 1024 * 1024
"""The longest flow text read: 16 MiB (bytes, or characters of a ``str``)."""
MAX_ALIASES = 100
"""The most aliases (``*name``) a YAML flow may use."""


def _text(text: object, language: str) -> str:
    """``text`` as a ``str`` not over the size limit; bytes must be UTF-8.

    Raises:
        DocumentError: The text is too long, or its bytes are not UTF-8.
        InvalidInputError: ``text`` is neither ``str`` nor ``bytes``.
    """
    if not isinstance(text, str | bytes | bytearray):
        raise InvalidInputError(
            f"text must be {language} text (str or bytes), got {type(text).__name__}", field="text"
        )
    if len(text) > MAX_DOCUMENT_SIZE:
        problem = Problem("", f"{len(text):,} long; the limit is {MAX_DOCUMENT_SIZE:,} (16 MiB)")
        raise DocumentError([problem], "IVR flow")
    if isinstance(text, str):
        return text
    try:
        return bytes(text).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = Problem("", f"not UTF-8 text: byte {exc.start} cannot be decoded")
        raise DocumentError([problem], "IVR flow") from None


def _paths_of(data: object, targets: list[tuple[object, str]]) -> list[Problem]:
    """The problem of each (mapping, message), placed at the mapping's path in ``data``."""
    wanted = {id(mapping) for mapping, _ in targets}
    paths: dict[int, str] = {}
    work: list[tuple[object, str]] = [(data, "")]
    while work:
        value, path = work.pop()
        if id(value) in wanted:
            paths[id(value)] = path
        if isinstance(value, dict):
            work.extend((item, join_path(path, key)) for key, item in value.items())
        elif isinstance(value, list):
            work.extend((item, join_path(path, index)) for index, item in enumerate(value))
    return [Problem(paths.get(id(mapping), ""), message) for mapping, message in targets]


def parse_flow_json(text: str | bytes) -> Any:  # noqa: ANN401 - plain document data
    """Parse JSON text within the document limits, refusing duplicate keys.

    A repeated key would silently lose a menu option; it is reported at the
    path of the object holding it (``nodes.main.options: duplicate key '1'``).

    Raises:
        DocumentError: The text is too long, not UTF-8, not JSON, nested too
            deeply, or repeats a key in one object.
        InvalidInputError: ``text`` is not ``str`` or ``bytes``.
    """
    source = _text(text, "JSON")
    duplicates: list[tuple[object, str]] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen:
                duplicates.append((seen, f"duplicate key {key!r:.80}"))
            seen[key] = value
        return seen

    try:
        data = json.loads(source, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise DocumentError(
            [Problem("", f"not valid JSON at {where}: {exc.msg}")], "IVR flow"
        ) from None
    except RecursionError:
        problem = Problem("", f"not read: nested more than {MAX_DEPTH} levels deep")
        raise DocumentError([problem], "IVR flow") from None
    except ValueError as exc:  # an integer too long to convert
        raise DocumentError([Problem("", f"not read: {exc}")], "IVR flow") from None
    if duplicates:
        raise DocumentError(_paths_of(data, duplicates), "IVR flow")
    return data


def _yaml_loader(yaml: Any) -> type:  # noqa: ANN401 - the yaml module
    """PyYAML's safe loader, bounded: nesting depth, aliases, repeated keys."""

    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        aliases = 0
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: ANN401
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    mark = self.peek_event().start_mark
                    raise _Refused(f"more than {MAX_ALIASES} aliases", mark)
                return super().compose_node(parent, index)
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    mark = self.peek_event().start_mark
                    raise _Refused(f"nested more than {MAX_DEPTH} levels deep", mark)
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:  # noqa: ANN401, FBT001, FBT002
            seen: set[object] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=deep)
                if isinstance(key, typing.Hashable):
                    if key in seen:
                        raise _Refused(f"duplicate key {key!r:.80}", key_node.start_mark)
                    seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return Loader


class _Refused(Exception):  # noqa: N818 - private, turned into a DocumentError
    def __init__(self, message: str, mark: Any) -> None:  # noqa: ANN401
        where = f"line {mark.line + 1} column {mark.column + 1}: " if mark else ""
        super().__init__(f"{where}{message}")


def parse_flow_yaml(text: str | bytes) -> Any:  # noqa: ANN401 - plain document data
    """Parse YAML text with PyYAML's safe loader, within the document limits.

    Besides the size and depth limits, a flow may use at most
    :data:`MAX_ALIASES` aliases, and a key may not repeat in one mapping.

    Raises:
        ConfigError: PyYAML is not installed.
        DocumentError: The text is too long, not UTF-8, not YAML, nested too
            deeply, uses too many aliases, or repeats a key.
        InvalidInputError: ``text`` is not ``str`` or ``bytes``.
    """
    try:
        import yaml  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415
    except ImportError:
        raise ConfigError("reading YAML flows needs PyYAML: pip install 'callcore[yaml]'") from None
    source = _text(text, "YAML")
    try:
        return yaml.load(source, Loader=_yaml_loader(yaml))  # noqa: S506 - a SafeLoader
    except _Refused as exc:
        raise DocumentError([Problem("", f"not read: {exc}")], "IVR flow") from None
    except yaml.YAMLError as exc:
        raise DocumentError([Problem("", f"not valid YAML: {exc}")], "IVR flow") from None
    except RecursionError:
        problem = Problem("", f"not read: nested more than {MAX_DEPTH} levels deep")
        raise DocumentError([problem], "IVR flow") from None
    except ValueError as exc:  # an integer too long to convert
        raise DocumentError([Problem("", f"not read: {exc}")], "IVR flow") from None


def flows_by_id(flows: Iterable[Flow]) -> dict[str, Flow]:
    """Index flows by id, keeping the highest version of each."""
    index: dict[str, Flow] = {}
    for flow in flows:
        if flow.id not in index or flow.version > index[flow.id].version:
            index[flow.id] = flow
    return index
