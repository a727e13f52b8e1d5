from __future__ import annotations

from typing import ClassVar

import attrs
import pluggy
import pytest

from callcore import hookimpl
from callcore.contacts import ContactOutcome
from callcore.errors import PluginError
from callcore.ivr import (
    BUILTIN_NODE_TYPES,
    Edge,
    FlowFailed,
    Hangup,
    Node,
    NodeContext,
    Shape,
    Step,
    load_flow,
)
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


@attrs.frozen(kw_only=True)
class PayByPhone(Node):
    """A plugin node that ends the call itself, with an outcome of its choice."""

    type_name: ClassVar[str] = "pay_by_phone"
    terminal: ClassVar[bool] = True
    outcome: ContactOutcome = ContactOutcome.SELF_SERVED

    def enter(self, ctx: NodeContext) -> Step:
        """Hang up with the node's outcome."""
        return Step((Hangup("paid"),), outcome=self.outcome)


def test_a_plugin_node_ends_the_call_with_a_contact_outcome() -> None:
    """Step(outcome=ContactOutcome...) ends the session with that outcome and its event."""
    flow = load_flow(
        document({"menu": {"type": "pay_by_phone", "outcome": "callback"}}),
        node_types={**BUILTIN_NODE_TYPES, "pay_by_phone": PayByPhone},
    )
    run = run_flow(flow).assert_outcome(ContactOutcome.CALLBACK)
    run.assert_event("ivr.session_ended", outcome=ContactOutcome.CALLBACK, node="menu")


def test_a_plugin_node_with_a_text_outcome_fails_the_call_cleanly() -> None:
    """An outcome that is not a ContactOutcome (the old 'completed') is a clean failure."""
    node = PayByPhone(outcome="completed")  # type: ignore[arg-type]  # what old code did
    flow = load_flow(
        document({"menu": {"type": "hangup"}}),
        node_types={**BUILTIN_NODE_TYPES, "pay_by_phone": PayByPhone},
    )
    flow = attrs.evolve(flow, nodes={"menu": node})
    run = run_flow(flow).assert_outcome(ContactOutcome.FAILED)
    failure = run.assert_action("flow_failed")
    assert isinstance(failure, FlowFailed)
    assert "ended the call with str 'completed', which is not a ContactOutcome" in failure.reason


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
