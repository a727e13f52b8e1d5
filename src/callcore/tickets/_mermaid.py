"""Export a workflow as a Mermaid state diagram."""

from __future__ import annotations

from callcore.tickets._workflow import StateCategory, Workflow

__all__ = ["workflow_to_mermaid"]


def workflow_to_mermaid(workflow: Workflow) -> str:
    """Draw ``workflow`` as a Mermaid ``stateDiagram-v2``.

    Each transition becomes one arrow per source state, labelled with its name
    (and ``[guarded]`` when it has guards); closed states lead to the end mark.

    >>> from callcore.tickets import DEFAULT_WORKFLOW, workflow_to_mermaid
    >>> print(workflow_to_mermaid(DEFAULT_WORKFLOW).splitlines()[1])
        [*] --> new

    Args:
        workflow: The workflow to draw.

    Returns:
        The diagram's source text.
    """
    lines = ["stateDiagram-v2", f"    [*] --> {workflow.initial}"]
    lines.extend(
        f"    {state.name} : {state.label}"
        for state in workflow.states
        if state.label and state.label != state.name
    )
    for move in workflow.transitions:
        label = move.name + (" [guarded]" if move.guards else "")
        lines.extend(f"    {source} --> {move.target} : {label}" for source in move.sources)
    lines.extend(
        f"    {state.name} --> [*]"
        for state in workflow.states
        if state.category is StateCategory.CLOSED
    )
    return "\n".join(lines) + "\n"
