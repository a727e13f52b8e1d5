"""A fake dialer loop for campaign tests: telephony answers from a script, agents from a pool."""

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
from callcore.events import Event

Script = Callable[[DialContact, int], CallResult]
"""What the telephony answers to a dial: given the action and the contact's attempt number."""


def counter_ids() -> Callable[[], str]:
    """Attempt ids a1, a2, ... (deterministic)."""
    count = 0

    def make() -> str:
        nonlocal count
        count += 1
        return f"a{count}"

    return make


@attrs.define
class FakeCentre:
    """Drives a campaign like a centre would, with a manual clock.

    Dialed calls ring for ``ring`` and then get the script's result; a queued
    live answer is taken by a free agent at once (or abandoned when none is);
    an agent talks for ``talk`` and then finishes with ``verdict``.
    """

    campaign: Campaign
    script: Script
    agents: int = 1
    ring: timedelta = timedelta(seconds=20)
    talk: timedelta = timedelta(minutes=3)
    verdict: Callable[[str], dict[str, object]] = lambda _: {}
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
                self._take(
                    self.campaign.accept_preview(action.contact.id, now=now, agent="ana"), now
                )
            elif isinstance(action, EnqueueCall):
                self._waiting.append(action.attempt_id)
                self._serve(now)
            elif isinstance(action, RunFlow):
                self.flows.append(action)
                self._talking.append((now + self.talk, action.attempt_id, None))
            elif isinstance(action, PlayInformationMessage):
                self.messages.append(action)
                self._waiting.remove(action.attempt_id)

    def _serve(self, now: datetime) -> None:
        """Free agents take waiting answered calls, first come first served."""
        while self.free > 0 and self._waiting:
            attempt_id = self._waiting.pop(0)
            self.free -= 1
            self._take(self.campaign.connected(attempt_id, now=now, agent="bo"), now)
            self._talking.append((now + self.talk, attempt_id, "bo"))

    def step(self, now: datetime) -> None:
        """Everything due at ``now``: call results, ends of talk, abandons, then pacing."""
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
            self._take(self.campaign.finish(attempt_id, now=now, **self.verdict(attempt_id)), now)  # type: ignore[arg-type]
        self._serve(now)
        self._take(self.campaign.advance(now=now), now)
        busy = self.agents - self.free
        self._take(self.campaign.pace(now=now, agents_ready=self.free, agents_busy=busy), now)

    def run(self, start: datetime, end: datetime, tick: timedelta) -> None:
        """Step every ``tick`` from ``start`` to ``end``."""
        now = start
        while now <= end:
            self.step(now)
            now += tick
