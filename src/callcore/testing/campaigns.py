"""A fake dialer loop: drive a campaign like a centre would, with scripted telephony.

:class:`DialerLoop` stands in for the centre and the telephony provider in
tests and rough what-if runs: dialed calls ring for ``ring`` and then get the
script's :class:`~callcore.campaigns.CallResult`; a live answer waiting in the
campaign's queue is taken by a free agent (first come, first served) or is
abandoned by the campaign; an agent talks for ``talk`` and then finishes the
call with the :class:`Verdict` for it. Previews are accepted at once.

>>> from callcore.testing.campaigns import DialerLoop
>>> from datetime import datetime, timedelta, timezone
>>> from callcore.campaigns import (
...     CallResult, Campaign, CampaignContact, CampaignSettings, DialingMode)
>>> campaign = Campaign(CampaignSettings(name="c", mode=DialingMode.PROGRESSIVE, queue="q"))
>>> start = datetime(2026, 1, 12, 15, 0, tzinfo=timezone.utc)
>>> _ = campaign.add_contacts(
...     [CampaignContact(id="a", number="+1", zone="America/New_York", country="US")], now=start)
>>> loop = DialerLoop(campaign, lambda dial, attempt: CallResult.LIVE_ANSWER)
>>> loop.run(start, start + timedelta(minutes=5), timedelta(seconds=10))
>>> campaign.disposition("a").value
'contacted'
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import attrs

from callcore.campaigns import (
    AttemptEnded,
    AttemptRecord,
    CallResult,
    Campaign,
    CampaignUpdate,
    DialContact,
    EnqueueCall,
    PlayInformationMessage,
    PreviewContact,
    RunFlow,
)
from callcore.clock import as_instant
from callcore.events import Event

__all__ = ["DialerLoop", "Script", "Verdict", "counter_ids"]

Script = Callable[[DialContact, int], CallResult]
"""What the telephony answers to a dial: given the action and the contact's attempt number."""


def counter_ids(prefix: str = "a") -> Callable[[], str]:
    """An id factory giving ``a1``, ``a2``, ... (deterministic)."""
    count = 0

    def make() -> str:
        nonlocal count
        count += 1
        return f"{prefix}{count}"

    return make


@attrs.frozen(kw_only=True)
class Verdict:
    """How an agent (or the agentless flow) finishes a call.

    Attributes:
        right_party: The wanted person was reached.
        converted: The campaign's goal was met.
        do_not_call: The person asked not to be called again.
        callback_in: The person asked to be called back this long after.
    """

    right_party: bool = True
    converted: bool = False
    do_not_call: bool = False
    callback_in: timedelta | None = None


def _plain(_: str) -> Verdict:
    return Verdict()


@attrs.define
class DialerLoop:
    """Drives a campaign with a manual clock, scripted telephony and a pool of agents.

    Attributes:
        campaign: The campaign driven.
        script: The telephony's answers.
        agents: Agents of the campaign's queue.
        ring: How long a dialed call rings before its result.
        talk: How long a connected call (or the agentless flow) lasts.
        verdict: The verdict for an attempt id.
        dials: Every dial, with its time.
        previews: Every preview shown.
        events: Every campaign event, in order.
        messages: Every information message played.
        flows: Every agentless flow started.
    """

    campaign: Campaign
    script: Script
    agents: int = 1
    ring: timedelta = timedelta(seconds=20)
    talk: timedelta = timedelta(minutes=3)
    verdict: Callable[[str], Verdict] = _plain
    free: int = attrs.field(init=False)
    dials: list[tuple[datetime, DialContact]] = attrs.field(factory=list)
    previews: list[PreviewContact] = attrs.field(factory=list)
    events: list[Event] = attrs.field(factory=list)
    messages: list[PlayInformationMessage] = attrs.field(factory=list)
    flows: list[RunFlow] = attrs.field(factory=list)
    _ringing: list[tuple[datetime, DialContact]] = attrs.field(factory=list)
    _talking: list[tuple[datetime, str, str | None]] = attrs.field(factory=list)
    _tries: dict[str, int] = attrs.field(factory=dict)
    _waiting: list[str] = attrs.field(factory=list)

    def __attrs_post_init__(self) -> None:
        """All agents start free."""
        self.free = self.agents

    @property
    def records(self) -> list[AttemptRecord]:
        """Every attempt record so far."""
        return [e.record for e in self.events if isinstance(e, AttemptEnded)]

    def _take(self, update: CampaignUpdate, now: datetime) -> None:
        self.events.extend(update.events)
        for action in update.actions:
            if isinstance(action, DialContact):
                self.dials.append((now, action))
                self._ringing.append((now + self.ring, action))
            elif isinstance(action, PreviewContact):
                self.previews.append(action)
                self.free -= 1
                accepted = self.campaign.accept_preview(action.contact.id, now=now, agent="agent")
                self._take(accepted, now)
            elif isinstance(action, EnqueueCall):
                self._waiting.append(action.attempt_id)
                self._serve(now)
            elif isinstance(action, RunFlow):
                self.flows.append(action)
                self._talking.append((now + self.talk, action.attempt_id, None))
            else:
                self.messages.append(action)
                self._waiting.remove(action.attempt_id)

    def _serve(self, now: datetime) -> None:
        """Free agents take waiting answered calls, first come first served."""
        while self.free > 0 and self._waiting:
            attempt_id = self._waiting.pop(0)
            self.free -= 1
            self._take(self.campaign.connected(attempt_id, now=now, agent="agent"), now)
            self._talking.append((now + self.talk, attempt_id, "agent"))

    def _finish(self, attempt_id: str, now: datetime) -> CampaignUpdate:
        verdict = self.verdict(attempt_id)
        return self.campaign.finish(
            attempt_id,
            now=now,
            right_party=verdict.right_party,
            converted=verdict.converted,
            do_not_call=verdict.do_not_call,
            callback_at=None if verdict.callback_in is None else now + verdict.callback_in,
        )

    def step(self, now: datetime) -> None:
        """Everything due at ``now``: call results, ends of talk, abandons, then pacing.

        ``now`` may be in any zone: the loop keeps it as an instant (a zone's
        ``now + ring`` would be wall-clock time, and drop a ``fold``).
        """
        now = as_instant(now)
        for due, action in sorted(self._ringing, key=lambda x: (x[0], x[1].attempt_id)):
            if due > now:
                continue
            self._ringing.remove((due, action))
            contact = action.contact.id
            self._tries[contact] = self._tries.get(contact, 0) + 1
            result = self.script(action, self._tries[contact])
            update = self.campaign.call_result(action.attempt_id, result, now=now)
            if action.agent is not None:
                if result is CallResult.LIVE_ANSWER:
                    self._talking.append((now + self.talk, action.attempt_id, action.agent))
                else:
                    self.free += 1
            self._take(update, now)
        for due, attempt_id, agent in sorted(self._talking, key=lambda x: (x[0], x[1])):
            if due > now:
                continue
            self._talking.remove((due, attempt_id, agent))
            if agent is not None:
                self.free += 1
            self._take(self._finish(attempt_id, now), now)
        self._serve(now)
        self._take(self.campaign.advance(now=now), now)
        busy = self.agents - self.free
        self._take(self.campaign.pace(now=now, agents_ready=self.free, agents_busy=busy), now)

    def run(self, start: datetime, end: datetime, tick: timedelta) -> None:
        """Step every ``tick`` of elapsed time from ``start`` to ``end`` (both included)."""
        now, end = as_instant(start), as_instant(end)
        while now <= end:
            self.step(now)
            now += tick
