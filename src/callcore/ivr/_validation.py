"""Static checks of a flow, run before any call touches it.

:func:`validate_flow` returns every problem, each with its path; the checks are
listed in the docs (``docs/ivr/validation.md``) and each has a test.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from callcore.errors import InvalidInputError, Problem
from callcore.ivr._conditions import SUBJECT_ROOTS
from callcore.ivr._flow import (
    AUDIO_PREFIX,
    Flow,
    check_flow,
    flow_list,
    flows_by_id,
    name_set,
    placeholders,
)
from callcore.ivr._node import Node
from callcore.ivr._nodes import DTMF_KEYS, Language, words

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Iterator

__all__ = ["Finding", "Severity", "lint_flow", "no_input_loops", "validate_flow"]

_NODE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


class Severity(enum.Enum):
    """How bad a finding is."""

    ERROR = "error"
    """The flow must not go live: :func:`load_flow` refuses it."""
    WARNING = "warning"
    """The flow runs, but this is probably a mistake."""


@attrs.frozen
class Finding:
    """One problem of a flow, machine-readable: a stable code, a severity, a path.

    Attributes:
        code: What kind of problem (``unreachable``, ``unbounded-noinput-loop``);
            tools and tests match on it, not on the message.
        severity: Error or warning.
        path: Where (``nodes.main.options[0].goto``).
        message: What is wrong, for people.
    """

    code: str
    severity: Severity
    path: str
    message: str

    @classmethod
    def error(cls, code: str, path: str, message: str) -> Finding:
        """An error."""
        return cls(code, Severity.ERROR, path, message)

    @classmethod
    def warning(cls, code: str, path: str, message: str) -> Finding:
        """A warning."""
        return cls(code, Severity.WARNING, path, message)

    @property
    def problem(self) -> Problem:
        """The finding as a :class:`~callcore.errors.Problem` (path and message)."""
        return Problem(self.path, self.message)


_OVERRIDES: dict[type, tuple[bool, bool, bool]] = {}


def _overrides(cls: type[Node]) -> tuple[bool, bool, bool]:
    """Whether ``cls`` overrides ``problems``, ``calendars`` and ``subflows``.

    The base class's versions return nothing, so the validator skips calling
    them (and allocating their empty results) for the many nodes that keep them.
    """
    known = _OVERRIDES.get(cls)
    if known is None:
        known = _OVERRIDES[cls] = (
            cls.problems is not Node.problems,
            cls.calendars is not Node.calendars,
            cls.subflows is not Node.subflows,
        )
    return known


def _reachable(start: Iterable[str], edges: Mapping[str, list[str]]) -> set[str]:
    seen = set(start)
    stack = list(seen)
    while stack:
        for target in edges.get(stack.pop(), ()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _strongly_connected(graph: Mapping[str, list[str]]) -> list[list[str]]:  # noqa: C901 - Tarjan reads best whole
    """Tarjan's algorithm, iterative (flows may have thousands of nodes)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = graph[node]
            if child < len(successors):
                work.append((node, child + 1))
                target = successors[child]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def no_input_loops(nodes: Mapping[str, Node]) -> list[list[str]]:
    """The loops in which the caller is never asked for input.

    Args:
        nodes: The flow's nodes.

    Returns:
        Each loop's nodes, sorted; loops sorted by their first node.

    Raises:
        InvalidInputError: ``nodes`` does not map names to nodes.
    """
    given: object = nodes
    if not isinstance(given, Mapping) or not all(
        isinstance(name, str) and isinstance(node, Node) for name, node in given.items()
    ):
        raise InvalidInputError("nodes must map node names to nodes", field="nodes")
    targets = {name: node.target_names() for name, node in nodes.items()}
    return _silent_loops(targets, *_reverse_and_silent(nodes, targets))


def _reverse_and_silent(
    nodes: Mapping[str, Node], targets: Mapping[str, list[str]]
) -> tuple[dict[str, list[str]], set[str], dict[str, int]]:
    """One pass over the edges for the later passes.

    Returns:
        Each node's predecessors (targets that are not nodes are left out), the
        silent nodes (those that never ask the caller), and each silent node's
        number of edges to silent nodes.
    """
    reverse: dict[str, list[str]] = {name: [] for name in nodes}
    silent = {name for name, node in nodes.items() if not (node.asks_caller or node.bounds_cycles)}
    out_degree: dict[str, int] = {}
    for name, successors in targets.items():
        if name in silent:
            degree = 0
            for target in successors:
                predecessors = reverse.get(target)
                if predecessors is not None:
                    predecessors.append(name)
                    degree += target in silent
            out_degree[name] = degree
        else:
            for target in successors:
                predecessors = reverse.get(target)
                if predecessors is not None:
                    predecessors.append(name)
    return reverse, silent, out_degree


def _silent_loops(
    targets: Mapping[str, list[str]],
    reverse: Mapping[str, list[str]],
    silent: set[str],
    out_degree: dict[str, int],
) -> list[list[str]]:
    """The loops among nodes that never ask the caller.

    First Kahn's algorithm on out-degrees peels off every silent node that
    cannot reach a silent cycle (in a good flow: all of them); Tarjan's
    algorithm then finds the loops in what is left. ``out_degree`` is used up.
    """
    peel = [name for name, degree in out_degree.items() if degree == 0]
    while peel:
        for source in reverse[peel.pop()]:
            if source in silent:
                out_degree[source] -= 1
                if out_degree[source] == 0:
                    peel.append(source)
    graph = {
        name: [t for t in targets[name] if t in silent and out_degree[t]]
        for name, degree in out_degree.items()
        if degree
    }
    loops = [
        sorted(component)
        for component in _strongly_connected(graph)
        if len(component) > 1 or component[0] in graph[component[0]]
    ]
    return sorted(loops)


def _prompt_problems(flow: Flow) -> Iterator[Finding]:
    declared = set(flow.languages)
    for prompt_id, texts in flow.prompts.items():
        path = f"prompts.{prompt_id}"
        for language in flow.languages:
            if language not in texts:
                yield Finding.error(
                    "prompt-language-missing", path, f"missing in language {language!r}"
                )
        for language, text in texts.items():
            if language not in declared:
                yield Finding.error(
                    "prompt-language-undeclared",
                    f"{path}.{language}",
                    f"language {language!r} is not declared in the flow's languages",
                )
            if text.startswith(AUDIO_PREFIX):
                continue
            for subject in placeholders(text):
                root = subject.split(".", 1)[0]
                if root not in SUBJECT_ROOTS or (root != "language" and "." not in subject):
                    yield Finding.error(
                        "unknown-placeholder",
                        f"{path}.{language}",
                        f"unknown placeholder {{{subject}}}: use vars.NAME, caller.NAME, "
                        "call.NAME or language",
                    )


def _subflow_cycle(flow: Flow, library: Mapping[str, Flow], first: str) -> list[str] | None:
    """The chain of flow calls from ``flow`` through ``first`` back to a flow on it."""
    chain = [flow.id]
    path_ids = {flow.id}

    def visit(flow_id: str) -> list[str] | None:
        if flow_id in path_ids:
            return [*chain, flow_id]
        callee = library.get(flow_id)
        if callee is None:
            return None
        chain.append(flow_id)
        path_ids.add(flow_id)
        for node in callee.nodes.values():
            for target in node.subflows():
                found = visit(target)
                if found:
                    return found
        chain.pop()
        path_ids.discard(flow_id)
        return None

    return visit(first)


def _subflow_problems(
    flow: Flow, path: str, node: Node, library: Mapping[str, Flow] | None
) -> Iterator[Finding]:
    for flow_id in node.subflows():
        if flow_id == flow.id:
            yield Finding.error(
                "subflow-recursion", path, f"subflow recursion: {flow.id} → {flow.id}"
            )
        elif library is not None and flow_id not in library:
            yield Finding.error("unknown-subflow", path, f"unknown subflow {flow_id!r}")
        elif library is not None:
            cycle = _subflow_cycle(flow, library, flow_id)
            if cycle:
                yield Finding.error(
                    "subflow-recursion", path, f"subflow recursion: {' → '.join(cycle)}"
                )


def _reference_problems(  # noqa: PLR0917 - the context of one node
    flow: Flow,
    path: str,
    node: Node,
    calendars: Collection[str] | None,
    library: Mapping[str, Flow] | None,
    problems: list[Finding],
) -> None:
    prompts = flow.prompts
    problems.extend(
        Finding.error("unknown-prompt", path, f"unknown prompt {prompt_id!r}")
        for prompt_id in node.prompt_ids()
        if prompt_id not in prompts
    )
    if isinstance(node, Language) and node.language and node.language not in flow.languages:
        problems.append(
            Finding.error(
                "unknown-language",
                f"{path}.language",
                f"language {node.language!r} is not one of the flow's",
            )
        )
    if calendars is not None:
        for calendar in node.calendars():
            if calendar not in calendars:
                known = ", ".join(sorted(calendars)) or "none"
                problems.append(
                    Finding.error(
                        "unknown-calendar", path, f"unknown calendar {calendar!r} (known: {known})"
                    )
                )
    if node.subflows():
        problems.extend(_subflow_problems(flow, path, node, library))


def _graph_problems(
    flow: Flow,
    edges: Mapping[str, list[str]],
    unreadable: Mapping[str, list[str]] | None = None,
) -> Iterator[Finding]:
    """Reachability (BFS), a way to end (BFS on the reversed edges), silent loops (Tarjan).

    ``unreadable`` holds the nodes that failed to load, each with the names it
    may lead to (``None``: unknown). They are assumed to do whatever would
    hide a problem (lead to those names, end the call, ask the caller), so
    every problem reported here holds whatever they turn out to be.
    """
    nodes = flow.nodes
    broken = unreadable or {}
    if flow.start in nodes or flow.start in broken:
        all_edges = {**edges, **broken} if broken else edges
        reached = _reachable([flow.start], all_edges)
        for name in nodes:
            if name not in reached:
                yield Finding.error(
                    "unreachable",
                    f"nodes.{name}",
                    f"unreachable from the start node {flow.start!r}",
                )
    reverse, silent, out_degree = _reverse_and_silent(nodes, edges)
    ends = [n for n, node in nodes.items() if node.terminal]
    can_end = _reachable([*ends, *broken], _with_broken(reverse, broken))
    for name in nodes:
        if name not in can_end:
            yield Finding.error(
                "no-way-to-end",
                f"nodes.{name}",
                "no way to end the call from here (no path to a hangup, queue, transfer or return)",
            )
    for loop in _silent_loops(edges, reverse, silent, out_degree):
        shown = " → ".join(loop[:10]) + (" …" if len(loop) > 10 else "")
        yield Finding.error(
            "silent-loop",
            f"nodes.{loop[0]}",
            f"infinite loop: {shown} never asks the caller for input",
        )


def _hot_key_problems(flow: Flow, known: set[str]) -> Iterator[Finding]:
    """Hot keys with bad keys, nothing to hear, unknown targets or a shared key."""
    seen: dict[str, int] = {}
    for index, hot in enumerate(flow.hot_keys):
        path = f"hot_keys[{index}]"
        if hot.key is None and not hot.keywords:
            yield Finding.error("hot-key-empty", path, "give a key, keywords or both")
        if hot.key is not None:
            if not hot.key or not set(hot.key) <= DTMF_KEYS:
                yield Finding.error(
                    "hot-key-invalid",
                    f"{path}.key",
                    f"invalid DTMF key {hot.key!r}: use 0-9, * and #",
                )
            elif hot.key in seen:
                yield Finding.error(
                    "hot-key-duplicate",
                    f"{path}.key",
                    f"duplicate key {hot.key!r} (also hot_keys[{seen[hot.key]}])",
                )
            seen.setdefault(hot.key or "", index)
        if any(not words(keyword) for keyword in hot.keywords):
            yield Finding.error("hot-key-invalid", f"{path}.keywords", "a keyword has no words")
        if hot.goto not in known:
            yield Finding.error("unknown-target", f"{path}.goto", f"unknown target {hot.goto!r}")


def _add_hot_key_edges(flow: Flow, edges: dict[str, list[str]]) -> None:
    """Give every node that hears hot keys an edge to each hot key's target."""
    targets = [hot.goto for hot in flow.hot_keys]
    for name, node in flow.nodes.items():
        if node.hears_hot_keys():
            edges[name] = [*edges[name], *targets]


def _with_broken(
    reverse: dict[str, list[str]], broken: Mapping[str, list[str]]
) -> dict[str, list[str]]:
    """``reverse`` (each node's predecessors) plus the edges of the unreadable nodes."""
    if not broken:
        return reverse
    joined = {name: list(sources) for name, sources in reverse.items()}
    for name, targets in broken.items():
        joined.setdefault(name, [])
        for target in targets:
            if target in joined:
                joined[target].append(name)
    return joined


def _node_problems(
    flow: Flow,
    known: set[str],
    calendars: Collection[str] | None,
    library: Mapping[str, Flow] | None,
    problems: list[Finding],
) -> dict[str, list[str]]:
    """Add each node's own and reference problems; return each node's targets."""
    edges: dict[str, list[str]] = {}  # each node's targets, read once for every graph pass
    declared_prompts = set(flow.prompts)
    node_name = _NODE_NAME.fullmatch
    for name, node in flow.nodes.items():
        # The usual node has no problem: cheap checks first, and the path
        # and the detailed checks only for a node that fails one of them.
        if not node_name(name):
            problems.append(
                Finding.error(
                    "bad-node-name",
                    f"nodes.{name}",
                    "a node name must be letters, digits, '_' or '-'",
                )
            )
        own_problems, reads_calendars, calls_subflows = _overrides(type(node))
        if own_problems:
            for own in node.problems():
                path = f"nodes.{name}"
                problems.append(
                    Finding.error(
                        "node-field", f"{path}.{own.path}" if own.path else path, own.message
                    )
                )
        if (
            not declared_prompts.issuperset(node.prompt_ids())
            or (reads_calendars and calendars is not None)
            or calls_subflows
            or isinstance(node, Language)
        ):
            _reference_problems(flow, f"nodes.{name}", node, calendars, library, problems)
        edges[name] = targets = node.target_names()
        if not known.issuperset(targets):  # only now build the edges, for their paths
            problems.extend(
                Finding.error(
                    "unknown-target", f"nodes.{name}.{edge.path}", f"unknown target {edge.target!r}"
                )
                for edge in node.targets()
                if edge.target not in known
            )
    return edges


def _silence_loops(flow: Flow) -> Iterator[list[str]]:
    """The cycles a silent line can go round forever: each holds a node that asks.

    Only the edges a caller who never answers can take are followed
    (:meth:`Node.silent_targets`: an asking node's ``on_noinput``, a loop
    node's ``done``), so a loop node on the cycle, or a menu giving up to a
    hang-up, bounds it. Cycles of nodes that never ask are errors already.
    """
    nodes = flow.nodes
    graph = {name: [t for t in node.silent_targets() if t in nodes] for name, node in nodes.items()}
    for component in _strongly_connected(graph):
        if len(component) == 1 and component[0] not in graph[component[0]]:
            continue
        if any(nodes[name].asks_caller for name in component):
            yield sorted(component)


def _warnings(flow: Flow) -> Iterator[Finding]:
    """What runs but is probably a mistake."""
    for loop in _silence_loops(flow):
        shown = " → ".join(loop[:10]) + (" …" if len(loop) > 10 else "")
        yield Finding.warning(
            "unbounded-noinput-loop",
            f"nodes.{loop[0]}",
            f"a caller who says nothing goes round {shown} until the call's time runs out; "
            "bound it with a loop node or give up to a hang-up or queue",
        )
    for name, node in flow.nodes.items():
        for code, path, message in node.warnings():
            yield Finding.warning(
                code, f"nodes.{name}.{path}" if path else f"nodes.{name}", message
            )


def _findings(
    flow: Flow,
    *,
    calendars: Collection[str] | None = None,
    flows: Iterable[Flow] | None = None,
    unreadable: Collection[str] = (),
    warnings: bool = False,
) -> list[Finding]:
    """Every error and warning of a flow (the arguments are those of ``validate_flow``)."""
    check_flow(flow)
    calendars = name_set(calendars, "calendars")
    loose = _loose_edges(unreadable)
    unreadable = name_set(unreadable, "unreadable") or frozenset()
    library = None if flows is None else flows_by_id(flow_list(flows, "flows"))
    problems: list[Finding] = []
    if not flow.id:
        problems.append(Finding.error("empty-id", "id", "must not be empty"))
    if not flow.languages:
        problems.append(
            Finding.error(
                "no-languages", "languages", "declare at least one language (the default first)"
            )
        )
    if len(set(flow.languages)) != len(flow.languages):
        problems.append(
            Finding.error("duplicate-language", "languages", "a language is listed twice")
        )
    if flow.start not in flow.nodes and flow.start not in unreadable:
        problems.append(Finding.error("unknown-start", "start", f"unknown node {flow.start!r}"))
    known = set(flow.nodes) | set(unreadable)
    edges = _node_problems(flow, known, calendars, library, problems)
    if flow.hot_keys:
        problems.extend(_hot_key_problems(flow, known))
        _add_hot_key_edges(flow, edges)
    problems.extend(_prompt_problems(flow))
    problems.extend(
        Finding.error("unknown-language", f"voices.{language}", "not one of the flow's languages")
        for language in flow.voices
        if language not in flow.languages
    )
    problems.extend(
        Finding.error("unknown-prompt", f"no_barge_in[{index}]", f"unknown prompt {prompt!r}")
        for index, prompt in enumerate(flow.no_barge_in)
        if prompt not in flow.prompts
    )
    if loose is None and unreadable:  # where they lead is unknown: anywhere
        loose = {name: list(flow.nodes) for name in unreadable}
    problems.extend(_graph_problems(flow, edges, loose))
    if warnings:
        problems.extend(_warnings(flow))
    return problems


def validate_flow(
    flow: Flow,
    *,
    calendars: Collection[str] | None = None,
    flows: Iterable[Flow] | None = None,
    unreadable: Collection[str] = (),
) -> list[Problem]:
    """Check a flow and return every error found, sorted by path.

    Args:
        flow: The flow to check.
        calendars: The calendar names sessions will have; ``None`` skips the
            unknown-calendar check.
        flows: The other flows that subflow nodes may call; ``None`` checks only
            that a flow does not call itself.
        unreadable: Nodes that failed to load: they count as existing. A
            mapping from their names to the node names each may lead to (what
            :func:`load_flow` passes) keeps every graph check; with names
            only, the unreachable-node check is skipped (a broken node might
            lead anywhere) and the others assume it may end the call.

    Returns:
        The errors; empty when the flow is good to go live. Warnings
        (:func:`lint_flow`) are not among them.

    Raises:
        InvalidInputError: An argument has the wrong type.
    """
    findings = _findings(flow, calendars=calendars, flows=flows, unreadable=unreadable)
    return sorted({f.problem for f in findings if f.severity is Severity.ERROR})


def lint_flow(
    flow: Flow,
    *,
    calendars: Collection[str] | None = None,
    flows: Iterable[Flow] | None = None,
) -> list[Finding]:
    """Every error and warning of a flow, each with a stable code, sorted by path.

    The errors are those of :func:`validate_flow`; the warnings point at
    what loads and runs but is probably a mistake (``docs/ivr/validation.md``
    lists every code).

    Args:
        flow: The flow to check.
        calendars: As for :func:`validate_flow`.
        flows: As for :func:`validate_flow`.

    Returns:
        The findings, sorted by path, then code.

    Raises:
        InvalidInputError: An argument has the wrong type.
    """
    findings = _findings(flow, calendars=calendars, flows=flows, warnings=True)
    return sorted(set(findings), key=lambda f: (f.path, f.code, f.message))


def _loose_edges(unreadable: object) -> dict[str, list[str]] | None:
    """The targets of each unreadable node, if ``unreadable`` maps names to them."""
    if not isinstance(unreadable, Mapping):
        return None
    loose: dict[str, list[str]] = {}
    for name, targets in unreadable.items():
        if not isinstance(name, str) or isinstance(targets, str | bytes | Mapping):
            raise InvalidInputError(
                "unreadable must map node names to the names they may lead to",
                field="unreadable",
            )
        loose[name] = [str(target) for target in targets]
    return loose
