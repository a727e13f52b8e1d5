from __future__ import annotations

from typing import ClassVar

import attrs
import pluggy
import pytest

from callcore import hookimpl
from callcore.errors import PluginError
from callcore.contacts import ContactOutcome
from callcore.ivr import BUILTIN_NODE_TYPES, Edge, Node, NodeContext, Shape, Step, load_flow
from callcore.plugins import ivr_node_types, make_plugin_manager
from callcore.testing.flow_tester import run_flow
from tests.ivr.flows import document


@attrs.frozen(kw_only=True)
class SmsLink(Node):
    """A plugin node: store a link for the host to text, then go on."""

    type_name: ClassVar[str] = "sms_link"
    shape: ClassVar[Shape] = Shape.ASYMMETRIC
    url: str
    next: str

    def targets(self) -> list[Edge]:
        """The one way on."""
        return [Edge("", self.next, "next")]

    def enter(self, ctx: NodeContext) -> Step:
        """Store the link."""
        ctx.variables["sms_link"] = self.url
        return Step(goto=self.next)


class SmsPlugin:
    """A third-party plugin contributing one node type."""

    @hookimpl
    def callcore_ivr_node_types(self) -> dict[str, type[Node]]:
        """Contribute sms_link."""
        return {"sms_link": SmsLink}


class ClashingPlugin:
    """A plugin that claims a built-in name."""

    @hookimpl
    def callcore_ivr_node_types(self) -> dict[str, type[Node]]:
        """Claim 'menu'."""
        return {"menu": SmsLink}


def manager(*plugins: object) -> pluggy.PluginManager:
    """A manager with the built-in plugins and ``plugins``, without entry points."""
    return make_plugin_manager(load_entrypoints=False, plugins=plugins)


def test_plugin_node_type_loads_and_runs() -> None:
    """A node type from a plugin is read, validated and run like a built-in one."""
    types = ivr_node_types(manager(SmsPlugin()))
    assert set(types) == {*BUILTIN_NODE_TYPES, "sms_link"}
    data = document(
        {
            "menu": {"type": "sms_link", "url": "https://x.test", "next": "bye"},
            "bye": {"type": "hangup"},
        }
    )
    flow = load_flow(data, node_types=types)
    run_flow(flow).assert_variables(sms_link="https://x.test").assert_outcome(
        ContactOutcome.SELF_SERVED
    )


def test_a_plugin_may_replace_a_built_in_type() -> None:
    """A plugin registered later replaces a built-in node type of the same name."""
    types = ivr_node_types(manager(ClashingPlugin()))
    assert types["menu"] is SmsLink


def test_two_plugins_claiming_one_name_are_refused() -> None:
    """Two third-party plugins contributing one name is a PluginError naming the culprit."""
    with pytest.raises(PluginError, match="'sms_link' is already contributed") as caught:
        ivr_node_types(manager(SmsPlugin(), SmsPlugin2()))
    assert caught.value.hook == "callcore_ivr_node_types"


class SmsPlugin2:
    """Another plugin contributing its own sms_link."""

    @hookimpl
    def callcore_ivr_node_types(self) -> dict[str, type[Node]]:
        """Contribute a different sms_link."""
        return {"sms_link": SmsLinkToo}


@attrs.frozen(kw_only=True)
class SmsLinkToo(SmsLink):
    """A different class under the same name."""
