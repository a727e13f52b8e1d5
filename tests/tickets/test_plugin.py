"""The ticket workflow registry hook and the built-in plugin."""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import pluggy
import pytest

from callcore import hookimpl
from callcore.errors import ConfigError, DocumentError
from callcore.plugins import make_plugin_manager, ticket_workflows
from callcore.tickets import DEFAULT_WORKFLOW, TicketEngine, Workflow

CUSTOM = attrs.evolve(DEFAULT_WORKFLOW, name="sales")


def manager_with(*plugins: object) -> pluggy.PluginManager:
    """A manager with the built-in plugins and ``plugins``, without entry points."""
    return make_plugin_manager(load_entrypoints=False, plugins=plugins)


class Contributes:
    """A plugin contributing workflows."""

    def __init__(self, workflows: Mapping[str, Workflow]) -> None:
        """Remember what to contribute."""
        self.workflows = workflows

    @hookimpl
    def callcore_ticket_workflows(self) -> Mapping[str, Workflow]:
        """Contribute the workflows."""
        return self.workflows


def test_the_default_workflow_is_built_in() -> None:
    """The built-in plugin contributes the default workflow."""
    assert ticket_workflows(manager_with()) == {"default": DEFAULT_WORKFLOW}


def test_plugins_add_and_replace_workflows() -> None:
    """A later plugin adds a workflow and may replace the default one."""
    replacement = attrs.evolve(DEFAULT_WORKFLOW, auto_close_after=None)
    workflows = ticket_workflows(
        manager_with(Contributes({"sales": CUSTOM}), Contributes({"default": replacement}))
    )
    assert workflows == {"default": replacement, "sales": CUSTOM}
    engine = TicketEngine(workflows=workflows)
    assert engine.workflows["sales"] is CUSTOM


def test_a_misnamed_or_invalid_workflow_is_refused() -> None:
    """The key must be the workflow's name, and the workflow must be sound."""
    with pytest.raises(ConfigError, match="registered as 'x' is named 'sales'"):
        ticket_workflows(manager_with(Contributes({"x": CUSTOM})))
    broken = attrs.evolve(CUSTOM, initial="nowhere")
    with pytest.raises(DocumentError, match="unknown state 'nowhere'"):
        ticket_workflows(manager_with(Contributes({"sales": broken})))
