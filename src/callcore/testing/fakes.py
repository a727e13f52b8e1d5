"""Fakes for testing a contact centre without a phone: telephony, notifier, CRM, listener.

Register them as plugins of a :class:`~callcore.center.ContactCenter`; each
records what the centre asked of it, and :class:`FakeTelephony` also plays
the caller's and the agents' part (press keys, answer, ring out, hang up) by
calling the centre's inputs:

>>> from callcore.testing.fakes import FakeNotifier, FakeTelephony
>>> telephony, notifier = FakeTelephony(), FakeNotifier()
>>> # center = ContactCenter(..., plugins=[telephony, notifier]); telephony.attach(center)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from callcore.campaigns import CallResult
from callcore.center import (
    CallerAction,
    CampaignCall,
    CenterUpdate,
    Connect,
    Disconnect,
    RingAgent,
    StopRinging,
    TelephonyAction,
)
from callcore.errors import ConfigError
from callcore.hookspecs import hookimpl
from callcore.ivr import Digits, LookupResult, NoInput, Speech

if TYPE_CHECKING:
    from callcore.acd import Offer
    from callcore.center import ContactCenter
    from callcore.customers import Customer
    from callcore.events import Event
    from callcore.notifications import Notification

__all__ = ["EventLog", "FakeCrm", "FakeNotifier", "FakeTelephony"]


class FakeTelephony:
    """A telephony provider that records every action and acts for callers and agents.

    Attributes:
        actions: Every action the centre handed over, in order.
    """

    def __init__(self) -> None:
        """Record nothing yet; :meth:`attach` the centre before acting."""
        self.actions: list[TelephonyAction] = []
        self._center: ContactCenter | None = None

    def attach(self, center: ContactCenter) -> FakeTelephony:
        """Act on ``center`` (the centre this fake is a plugin of); returns the fake."""
        self._center = center
        return self

    @hookimpl
    def callcore_telephony(self, action: TelephonyAction) -> None:
        """Record the action."""
        self.actions.append(action)

    # --- reading -----------------------------------------------------------------

    def actions_for(self, contact_id: str) -> list[TelephonyAction]:
        """The actions about one contact, in order."""
        return [action for action in self.actions if action.contact_id == contact_id]

    def caller_actions(self, contact_id: str) -> list[str]:
        """The types of the IVR actions played to a caller (``["gather", "play"...]``)."""
        return [
            action.type
            for action in self.actions_for(contact_id)
            if isinstance(action, CallerAction)
        ]

    def ringing(self, agent_id: str | None = None) -> list[Offer]:
        """The offers that ring now (rung, not yet stopped, accepted or hung up)."""
        live: dict[tuple[str, str], Offer] = {}
        for action in self.actions:
            if isinstance(action, RingAgent):
                live[action.offer.contact_id, action.offer.agent_id] = action.offer
            elif isinstance(action, StopRinging):
                live.pop((action.offer.contact_id, action.offer.agent_id), None)
            elif isinstance(action, Connect | Disconnect):
                for key in [key for key in live if key[0] == action.contact_id]:
                    del live[key]
        return [o for o in live.values() if agent_id is None or o.agent_id == agent_id]

    def campaign_actions(self, kind: type | None = None) -> list[Any]:
        """The campaigns' actions handed over (of one ``kind``: ``DialContact``...), in order."""
        calls = [action.action for action in self.actions if isinstance(action, CampaignCall)]
        return [action for action in calls if kind is None or isinstance(action, kind)]

    def connected(self, contact_id: str) -> bool:
        """Whether the contact was bridged to an agent and not disconnected since."""
        state = False
        for action in self.actions_for(contact_id):
            if isinstance(action, Connect):
                state = True
            elif isinstance(action, Disconnect):
                state = False
        return state

    # --- acting ------------------------------------------------------------------

    @property
    def center(self) -> ContactCenter:
        """The attached centre."""
        if self._center is None:
            raise ConfigError("FakeTelephony is not attached: call telephony.attach(center)")
        return self._center

    def press(self, contact_id: str, digits: str, *, now: datetime | None = None) -> CenterUpdate:
        """The caller pressed keys."""
        return self.center.caller_input(contact_id, Digits(digits), now=now)

    def say(self, contact_id: str, text: str, *, now: datetime | None = None) -> CenterUpdate:
        """The caller said something (the recogniser's transcript)."""
        return self.center.caller_input(contact_id, Speech(text), now=now)

    def silence(self, contact_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """The caller said nothing until the gather timed out."""
        return self.center.caller_input(contact_id, NoInput(), now=now)

    def answer_lookup(
        self, contact_id: str, data: Mapping[str, Any], *, now: datetime | None = None
    ) -> CenterUpdate:
        """Answer a look-up that no CRM plugin answered."""
        return self.center.caller_input(contact_id, LookupResult(data=data), now=now)

    def hang_up(self, contact_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """The caller hung up."""
        return self.center.caller_hung_up(contact_id, now=now)

    def call_result(
        self, attempt_id: str, result: CallResult, *, now: datetime | None = None
    ) -> CenterUpdate:
        """A campaign's dialed call rang out, was busy, or was answered (by a person or machine)."""
        return self.center.campaign_call_result(attempt_id, result, now=now)

    def answer(
        self, contact_id: str, agent_id: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The agent picked up the ringing offer."""
        return self.center.agent_accepted(contact_id, agent_id, now=now)

    def ring_out(
        self, contact_id: str, agent_id: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The agent's phone rang until the provider gave up (no answer)."""
        return self.center.agent_no_answer(contact_id, agent_id, now=now)


class FakeNotifier:
    """A notifier that records every notification (surveys, escalation alerts).

    Attributes:
        sent: Every notification, in order.
    """

    def __init__(self) -> None:
        """Record nothing yet."""
        self.sent: list[Notification] = []

    @hookimpl
    def callcore_notify(self, notification: Notification) -> None:
        """Record the notification."""
        self.sent.append(notification)


class FakeCrm:
    """A CRM that answers IVR look-ups by name from a table.

    Args:
        answers: For each look-up name, the data it returns (the same for
            every customer), or ``None`` for a look-up that fails.

    Attributes:
        asked: Every look-up asked: (name, params, customer id).
    """

    def __init__(self, answers: Mapping[str, Mapping[str, Any] | None]) -> None:
        """Answer from ``answers``."""
        self.answers = dict(answers)
        self.asked: list[tuple[str, dict[str, Any], str]] = []

    @hookimpl
    def callcore_crm_lookup(
        self, name: str, params: Mapping[str, Any], customer: Customer
    ) -> Mapping[str, Any] | None:
        """Answer ``name`` from the table (``None``, not handled, for a name it lacks)."""
        self.asked.append((name, dict(params), customer.id))
        if name not in self.answers:
            return None
        found = self.answers[name]
        if found is None:
            raise ConfigError(f"the CRM could not look up {name!r}")
        return found


class EventLog:
    """A listener that keeps every domain event the centre broadcast.

    Attributes:
        events: Every event, in order.
    """

    def __init__(self) -> None:
        """Keep nothing yet."""
        self.events: list[Event] = []

    @hookimpl
    def callcore_domain_event(self, event: Event) -> None:
        """Keep the event."""
        self.events.append(event)

    def kinds(self) -> list[str]:
        """The events' kinds, in order."""
        return [event.kind for event in self.events]
