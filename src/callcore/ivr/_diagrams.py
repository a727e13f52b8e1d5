"""Draw a flow as Mermaid or Graphviz DOT: one shape per node type, labelled edges."""

from __future__ import annotations

from callcore.ivr._flow import Flow, check_flow
from callcore.ivr._node import Shape

__all__ = ["to_dot", "to_mermaid"]

_MERMAID_SHAPES = {
    Shape.RECT: ("[", "]"),
    Shape.ROUND: ("(", ")"),
    Shape.STADIUM: ("([", "])"),
    Shape.DIAMOND: ("{", "}"),
    Shape.HEXAGON: ("{{", "}}"),
    Shape.PARALLELOGRAM: ("[/", "/]"),
    Shape.TRAPEZOID: ("[/", "\\]"),
    Shape.SUBROUTINE: ("[[", "]]"),
    Shape.CYLINDER: ("[(", ")]"),
    Shape.CIRCLE: ("((", "))"),
    Shape.DOUBLE_CIRCLE: ("(((", ")))"),
    Shape.ASYMMETRIC: (">", "]"),
}

_DOT_SHAPES = {
    Shape.RECT: "box",
    Shape.ROUND: "box, style=rounded",
    Shape.STADIUM: "box, style=rounded",
    Shape.DIAMOND: "diamond",
    Shape.HEXAGON: "hexagon",
    Shape.PARALLELOGRAM: "parallelogram",
    Shape.TRAPEZOID: "trapezium",
    Shape.SUBROUTINE: "box, peripheries=2",
    Shape.CYLINDER: "cylinder",
    Shape.CIRCLE: "circle",
    Shape.DOUBLE_CIRCLE: "doublecircle",
    Shape.ASYMMETRIC: "cds",
}


def _mermaid_text(text: str) -> str:
    # Mermaid has no backslash escapes; entity codes keep quotes and brackets literal.
    return (
        text.replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("|", "#124;")
    )


def _mermaid_id(name: str) -> str:
    """A Mermaid id for node ``name``; different names never share one.

    A prefix keeps names such as 'end' or 'graph' from clashing with keywords
    and with the start marker (``start``). Names of letters, digits and '_'
    keep their spelling after ``n_``; any other name is spelt after ``x_``
    with every other character, '_' included, as ``_HEX_`` (so ``x-y`` and
    ``x_2d_y`` stay apart).
    """
    if all(c.isascii() and (c.isalnum() or c == "_") for c in name):
        return "n_" + name
    return "x_" + "".join(c if c.isascii() and c.isalnum() else f"_{ord(c):x}_" for c in name)


def to_mermaid(flow: Flow) -> str:
    """Render a flow as a Mermaid flowchart (top to bottom).

    Each node shows its name and type, in the shape of its type; edges carry
    the key, branch or condition that takes them; the start node is marked.

    Args:
        flow: The flow to draw.

    Returns:
        Mermaid source, ready for a ``mermaid`` code block.

    Raises:
        InvalidInputError: ``flow`` is not a Flow.
    """
    check_flow(flow)
    lines = ["flowchart TD", f'    start(("start")) --> {_mermaid_id(flow.start)}']
    for name, node in flow.nodes.items():
        opening, closing = _MERMAID_SHAPES[node.shape]
        label = _mermaid_text(f"{name}\n{node.type_name}").replace("\n", "<br/>")
        lines.append(f'    {_mermaid_id(name)}{opening}"{label}"{closing}')
    for name, node in flow.nodes.items():
        for edge in node.targets():
            arrow = f'-->|"{_mermaid_text(edge.label)}"|' if edge.label else "-->"
            lines.append(f"    {_mermaid_id(name)} {arrow} {_mermaid_id(edge.target)}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def to_dot(flow: Flow) -> str:
    """Render a flow as a Graphviz DOT digraph.

    Args:
        flow: The flow to draw.

    Returns:
        DOT source for ``dot -Tsvg``.

    Raises:
        InvalidInputError: ``flow`` is not a Flow.
    """
    check_flow(flow)
    start = "__start__"
    while start in flow.nodes:  # the start marker must not merge with a node of that name
        start = f"_{start}_"
    lines = [
        f'digraph "{_dot_text(flow.id)}" {{',
        "    rankdir=TB;",
        '    node [fontname="Helvetica"];',
        f'    "{start}" [shape=point, label=""];',
        f'    "{start}" -> "{_dot_text(flow.start)}";',
    ]
    for name, node in flow.nodes.items():
        label = _dot_text(f"{name}\n{node.type_name}")
        lines.append(f'    "{_dot_text(name)}" [shape={_DOT_SHAPES[node.shape]}, label="{label}"];')
    for name, node in flow.nodes.items():
        for edge in node.targets():
            attributes = f' [label="{_dot_text(edge.label)}"]' if edge.label else ""
            lines.append(f'    "{_dot_text(name)}" -> "{_dot_text(edge.target)}"{attributes};')
    lines.append("}")
    return "\n".join(lines) + "\n"
