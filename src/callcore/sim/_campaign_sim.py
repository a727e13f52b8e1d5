"""A simulated campaign day through the real :class:`~callcore.center.ContactCenter`.

Theory of operation. The centre owns the campaign and paces it with its
agents; this loop plays the telephony provider and the agents, one centre
input per happening, over a heap of future happenings:

- every dial (:class:`~callcore.campaigns.DialContact`) rings for ``ring``,
  then a person answers with ``answer_probability``, a machine with
  ``machine_probability``, else nobody (``campaign_call_result``);
- every offer (:class:`~callcore.center.RingAgent`) is accepted at once; the
  talk time is drawn from an exponential of mean ``talk``; the customer hangs
  up, the agent wraps up after ``wrap_up`` and the call's verdict is given
  (``campaign_call_finished``; a right-party contact);
- an agentless call's flow lasts ``talk``;
- the centre's timers (abandons after ``abandon_after``, retries, windows)
  run at its ``next_deadline()``.

Agents are logged in (ready) for the whole day. The day's figures are read
from the campaign's attempt records: connects per hour, the agents'
occupancy (talk and wrap-up over their logged-in time) and the worst
regulated abandon rate over every rolling window of the campaign's
``abandon_window`` (counted from the records, not from the campaign's own
counter).
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs

from callcore.acd import AgentProfile, Membership, QueueConfig
from callcore.campaigns import (
    AttemptEnded,
    AttemptRecord,
    CallResult,
    Campaign,
    CampaignContact,
    CampaignSettings,
    DialContact,
    DialingMode,
    RunFlow,
)
from callcore.center import CampaignCall, CenterUpdate, ContactCenter, Disposition, RingAgent
from callcore.checks import check_number
from callcore.errors import InvalidInputError
from callcore.testing.campaigns import counter_ids

__all__ = ["CampaignDay", "simulate_campaign"]

_RESULT, _HANG_UP, _WRAP, _FLOW_END = range(4)


@attrs.frozen
class CampaignDay:
    """What a simulated campaign day did.

    Attributes:
        mode: The dialing mode.
        hours: The day's length in hours.
        agents: Agents logged in.
        records: Every ended attempt's record, in order.
        busy: Agents' talk and wrap-up time, in total.
    """

    mode: DialingMode
    hours: float
    agents: int
    records: tuple[AttemptRecord, ...]
    busy: timedelta

    @property
    def attempts(self) -> int:
        """Calls dialed and ended."""
        return len(self.records)

    @property
    def connects(self) -> int:
        """Live answers an agent (or the agentless flow) took."""
        return sum(1 for record in self.records if record.connected_at is not None)

    @property
    def connects_per_hour(self) -> float:
        """Connects over the day's hours."""
        return self.connects / self.hours

    @property
    def occupancy(self) -> float:
        """Agents' talk and wrap-up time over their logged-in time (0 agentless)."""
        return self.busy / (self.agents * timedelta(hours=self.hours)) if self.agents else 0.0

    def worst_abandon_rate(self, window: timedelta) -> float:
        """The worst abandons / live answers over every rolling ``window`` ending at a live answer.

        A live answer counts when it ends (abandoned) or is connected, as the
        rules count calls answered by a person (16 CFR 310.4(b)(4)(i): per
        campaign over 30 days; Ofcom: per campaign over 24 hours).
        """
        live = sorted(
            ((r.ended_at if r.abandoned else r.connected_at or r.ended_at), r.abandoned)
            for r in self.records
            if r.answered_at is not None
        )
        worst, first, abandons = 0.0, 0, 0
        for last, (end, abandoned) in enumerate(live):  # a sliding window over the sorted answers
            abandons += abandoned
            while live[first][0] <= end - window:
                abandons -= live[first][1]
                first += 1
            worst = max(worst, abandons / (last - first + 1))
        return worst


def simulate_campaign(
    settings: CampaignSettings,
    contacts: Sequence[CampaignContact],
    *,
    start: datetime,
    end: datetime,
    agents: int,
    answer_probability: float,
    machine_probability: float = 0.0,
    ring: timedelta = timedelta(seconds=20),
    talk: timedelta = timedelta(minutes=3),
    wrap_up: timedelta = timedelta(seconds=30),
    seed: int = 0,
) -> CampaignDay:
    """Run a campaign from ``start`` to ``end`` through a centre with ``agents`` agents.

    Args:
        settings: The campaign (progressive, predictive or agentless; preview
            needs a person at the desk).
        contacts: Whom to call.
        start: The day's start (aware).
        end: When dialing stops; calls in progress are not followed further.
        agents: Agents of the campaign's queue, ready all day.
        answer_probability: The chance a person answers a dial.
        machine_probability: The chance a machine answers (retried by the campaign's policy).
        ring: How long a call rings before its result.
        talk: The mean talk time (exponential draws; the agentless flow's fixed length).
        wrap_up: Each agent call's after-call work.
        seed: The random seed.

    Raises:
        InvalidInputError: A probability out of range, their sum over 1, or a preview campaign.
    """
    check_number(answer_probability, "answer_probability", low=0, high=1)
    check_number(machine_probability, "machine_probability", low=0, high=1)
    if answer_probability + machine_probability > 1:
        raise InvalidInputError(
            "answer_probability + machine_probability must be at most 1",
            field="machine_probability",
        )
    if settings.mode is DialingMode.PREVIEW:
        raise InvalidInputError("the simulator dials without a person at the desk", field="mode")
    loop = _Loop(settings, start, end, agents, (ring, talk, wrap_up), random.Random(f"{seed}:c"))
    campaign = Campaign(settings, id_factory=counter_ids())
    campaign.add_contacts(contacts, now=start)
    loop.run(campaign, answer_probability, machine_probability)
    return CampaignDay(
        mode=settings.mode,
        hours=(end - start) / timedelta(hours=1),
        agents=len(loop.profiles),
        records=tuple(loop.records),
        busy=loop.busy,
    )


class _Loop:
    """The happenings of one simulated campaign day (private: :func:`simulate_campaign` runs it)."""

    def __init__(  # noqa: PLR0917 - private, one caller
        self,
        settings: CampaignSettings,
        start: datetime,
        end: datetime,
        agents: int,
        times: tuple[timedelta, timedelta, timedelta],
        rng: random.Random,
    ) -> None:
        self.start, self.end, self.rng = start, end, rng
        self.ring, self.talk, self.wrap_up = times
        # the agent's wrap-up input ends the after-call work; the queue's limit, a second
        # later, is only a cap (at the very instant of the router's own wrap-up end the
        # centre's wrap-up input is refused)
        limit = self.wrap_up + timedelta(seconds=1)
        queues = [QueueConfig(name=settings.queue, wrap_up=limit)] if settings.queue else []
        self.profiles = [
            AgentProfile(agent_id=f"agent-{n}", memberships=(Membership(queue=settings.queue),))
            for n in range(agents if settings.queue else 0)
        ]
        self.center = ContactCenter(queues=queues, flows={}, agents=self.profiles)
        self.heap: list[tuple[datetime, int, int, str]] = []
        self.records: list[AttemptRecord] = []
        self.busy = timedelta()
        self.order = 0

    def push(self, at: datetime, kind: int, key: str) -> None:
        self.order += 1
        heapq.heappush(self.heap, (at, self.order, kind, key))

    def take(self, update: CenterUpdate, now: datetime) -> None:
        """Follow an update: the records, the dials' results, the agents' calls."""
        self.records.extend(e.record for e in update.events if isinstance(e, AttemptEnded))
        for action in update.actions:
            if isinstance(action, CampaignCall) and isinstance(action.action, DialContact):
                self.push(now + self.ring, _RESULT, action.action.attempt_id)
            elif isinstance(action, CampaignCall) and isinstance(action.action, RunFlow):
                self.push(now + self.talk, _FLOW_END, action.action.attempt_id)
            elif isinstance(action, RingAgent):
                contact, agent = action.offer.contact_id, action.offer.agent_id
                self.take(self.center.agent_accepted(contact, agent, now=now), now)
                mean = self.talk.total_seconds()
                spoke = timedelta(seconds=self.rng.expovariate(1 / mean))
                self.busy += min(spoke + self.wrap_up, max(self.end - now, timedelta()))
                self.push(now + spoke, _HANG_UP, contact)

    def run(self, campaign: Campaign, answer: float, machine: float) -> None:
        """Every happening up to the day's end, in order of time."""
        center, start = self.center, self.start
        for profile in self.profiles:
            self.take(center.agent_logged_in(profile.agent_id, now=start), start)
        self.take(center.add_campaign(campaign, now=start), start)
        while True:
            due = center.next_deadline()
            times = [t for t in (due, self.heap[0][0] if self.heap else None) if t is not None]
            if not times or min(times) > self.end:
                return
            now = min(times)
            if not self.heap or self.heap[0][0] != now:
                self.take(center.run_due(now=now), now)
                continue
            _, _, kind, key = heapq.heappop(self.heap)
            if kind == _RESULT:
                draw = self.rng.random()
                result = (
                    CallResult.LIVE_ANSWER
                    if draw < answer
                    else CallResult.MACHINE
                    if draw < answer + machine
                    else CallResult.NO_ANSWER
                )
                self.take(center.campaign_call_result(key, result, now=now), now)
            elif kind == _HANG_UP:
                self.take(center.caller_hung_up(key, now=now), now)
                self.push(now + self.wrap_up, _WRAP, key)
            elif kind == _WRAP:
                wrapped = center.agent_wrapped_up(key, disposition=Disposition.OPEN, now=now)
                self.take(wrapped, now)
                self.take(center.campaign_call_finished(key, now=now), now)
            else:
                self.take(center.campaign_call_finished(key, now=now), now)
