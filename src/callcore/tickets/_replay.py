"""SLA clocks worked out from a ticket's history, for a policy that newly applies.

A policy that starts to apply to a ticket (its priority, tags or tier
changed) measures the ticket as if it had applied from the start, as
Zendesk's metrics run whether or not a policy applies and GLPI counts a new
SLA from the opening minus the pauses. The history holds what that needs:
each state entered (``field == "state"``), each agent reply (``"reply"``)
and each customer reply (``"customer_reply"``), with their times.

The rules are the engine's own, replayed: every clock counts while the
ticket is in a state that neither pauses SLAs nor is resolved or closed;
first response runs from creation to the first agent reply and stops for
good when the ticket is first resolved or closed; a next-response cycle
starts at a customer reply to an answered ticket that is not resolved or
closed after it, and ends at the next agent reply or the resolve; resolution
runs until the ticket is resolved or closed, and again once it is reopened;
a time-to-own cycle runs while the ticket has no assignee (from its creation
unassigned, or from losing its assignee) until it gets one or is resolved.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import attrs

from callcore.tickets._sla import SlaMeter, SlaMetric
from callcore.tickets._ticket import SlaClock
from callcore.tickets._workflow import StateCategory

if TYPE_CHECKING:
    from callcore.tickets._ticket import Ticket
    from callcore.tickets._workflow import Workflow

__all__ = ["completed_cycles", "replay_clocks"]

_DONE = (StateCategory.RESOLVED, StateCategory.CLOSED)
_ZERO = timedelta(0)


def replay_clocks(ticket: Ticket, flow: Workflow, meter: SlaMeter) -> dict[str, SlaClock]:
    """Return the clocks of ``meter``'s policy as its history makes them, up to the last entry.

    A clock that counts in the ticket's current state runs on from its last
    history entry (its ``since``); the others are paused or stopped.
    """
    replay = _replayed(ticket, flow, meter)
    clocks = {}
    for target in meter.policy.targets:
        clock = replay.clock(target.metric)
        clock.goal = target.within
        clocks[target.metric.value] = clock
    return clocks


def completed_cycles(
    ticket: Ticket, flow: Workflow, meter: SlaMeter, metric: SlaMetric
) -> tuple[tuple[datetime, datetime, timedelta], ...]:
    """Return the cycles of ``metric`` that are over: (start, end, time counted), oldest first.

    Next response has one per customer reply answered (or ended by a resolve);
    first response one once answered or resolved; resolution one while the
    ticket is resolved or closed (a reopen makes it run on, as one cycle).
    """
    replay = _replayed(ticket, flow, meter)
    created = ticket.history._rows[0][0]  # noqa: SLF001 - read only
    if metric is SlaMetric.NEXT_RESPONSE:
        return tuple(replay.completed)
    if metric is SlaMetric.TIME_TO_OWN:
        return tuple(replay.own_completed)
    if metric is SlaMetric.FIRST_RESPONSE:
        end = replay.first_end
        return () if end is None else ((created, end, replay.totals[metric]),)
    end = replay.done_at
    return ((created, end, replay.totals[metric]),) if replay.done and end is not None else ()


def _replayed(ticket: Ticket, flow: Workflow, meter: SlaMeter) -> _Replay:
    rows = ticket.history._rows  # noqa: SLF001 - read only, the engine owns the history
    replay = _Replay(flow, meter, state=str(rows[0][6]), last=rows[0][0])
    # the assignee at creation: the first change of assignee says it, or none changed it
    first_owner = next((row[5] for row in rows if row[4] == "assignee"), ticket.assignee)
    if first_owner is None and flow.category(replay.state) not in _DONE:
        replay.open_ownership(rows[0][0])
    for at, _, _, action, field, _, new, _ in rows:
        replay.step(at, action, field, new)
    replay.settle_reply()
    return replay


@attrs.define
class _Replay:
    """The clocks' totals as the history is read, entry by entry."""

    flow: Workflow
    meter: SlaMeter
    state: str
    last: datetime
    done: bool = False
    answered: bool = False
    totals: dict[SlaMetric, timedelta] = attrs.Factory(lambda: dict.fromkeys(SlaMetric, _ZERO))
    """What each clock counted (next response: in its current or last cycle)."""
    first_running: bool = True
    cycles: int = 0
    cycle_open: bool = False
    reply_waiting: bool = False
    """A customer reply was read; the state rows of the same call may follow it."""
    cycle_start: datetime | None = None
    completed: list[tuple[datetime, datetime, timedelta]] = attrs.Factory(list)
    """Next-response cycles over: when each started and ended, and what it counted."""
    first_end: datetime | None = None
    """When first response stopped (the first agent reply, or the first resolve)."""
    done_at: datetime | None = None
    """When the ticket last became resolved or closed."""
    own_open: bool = False
    """Time to own: the ticket waits for an owner."""
    own_cycles: int = 0
    own_start: datetime | None = None
    own_completed: list[tuple[datetime, datetime, timedelta]] = attrs.Factory(list)

    def counting(self, metric: SlaMetric) -> bool:
        """Tell whether the clock of ``metric`` counts in the current state."""
        state = self.state
        if self.flow.category(state) in _DONE:
            return False
        target = self.meter.policy.target(metric)
        if target is not None and target.pause_states is not None:
            return state not in target.pause_states
        return not (self.flow.state(state).pauses_sla or state in self.meter.policy.pause_states)

    def step(self, at: datetime, action: str, field: str, new: object) -> None:
        """Count up to ``at``, then read one entry."""
        if at > self.last:
            self.settle_reply()  # a later call: the customer reply's call is over
            self.count_to(at)
        if field != "state":
            self.settle_reply()
        if field == "assignee":
            self.owner_changed(at, owned=new is not None)
        elif field == "state" and isinstance(new, str):
            self.state = new
            was_done, self.done = self.done, self.flow.category(new) in _DONE
            if self.done:
                self.stop_responses(at)
                self.owner_changed(at, owned=True)  # resolved or closed: no more waiting
                if not was_done:
                    self.done_at = at
        elif action == "reply":
            self.answered = True
            self.stop_responses(at)
        elif action == "customer_reply":
            self.reply_waiting = True

    def count_to(self, at: datetime) -> None:
        """Add the time from the last entry to ``at`` to the clocks that run."""
        counted = None  # the span, counted once whichever clocks need it
        running = (
            (SlaMetric.RESOLUTION, True),
            (SlaMetric.FIRST_RESPONSE, self.first_running),
            (SlaMetric.NEXT_RESPONSE, self.cycle_open),
            (SlaMetric.TIME_TO_OWN, self.own_open),
        )
        for metric, runs in running:
            if runs and self.counting(metric):
                counted = self.meter.between(self.last, at) if counted is None else counted
                self.totals[metric] += counted
        self.last = at

    def owner_changed(self, at: datetime, *, owned: bool) -> None:
        """An assignment ends the wait for an owner; losing the assignee starts one."""
        if owned and self.own_open and self.own_start is not None:
            self.own_completed.append((self.own_start, at, self.totals[SlaMetric.TIME_TO_OWN]))
            self.own_open = False
        elif not owned and not self.own_open and not self.done:
            self.open_ownership(at)

    def open_ownership(self, at: datetime) -> None:
        """Start a wait for an owner at ``at``."""
        self.own_open, self.own_start = True, at
        self.own_cycles += 1
        self.totals[SlaMetric.TIME_TO_OWN] = _ZERO

    def stop_responses(self, at: datetime) -> None:
        """End first response and the open next-response cycle at ``at``."""
        if self.first_running:
            self.first_running, self.first_end = False, at
        if self.cycle_open and self.cycle_start is not None:
            self.completed.append((self.cycle_start, at, self.totals[SlaMetric.NEXT_RESPONSE]))
        self.cycle_open = False

    def settle_reply(self) -> None:
        """After a customer reply's call: a new next-response cycle, if the engine starts one."""
        if self.reply_waiting:
            self.reply_waiting = False
            if self.answered and not self.done and not self.cycle_open:
                self.cycles, self.cycle_open = self.cycles + 1, True
                self.totals[SlaMetric.NEXT_RESPONSE] = _ZERO
                self.cycle_start = self.last

    def clock(self, metric: SlaMetric) -> SlaClock:
        """The clock of ``metric`` (its goal still to be set)."""
        since = self.last if self.counting(metric) else None
        running = {
            SlaMetric.FIRST_RESPONSE: self.first_running,
            SlaMetric.NEXT_RESPONSE: self.cycle_open,
            SlaMetric.RESOLUTION: not self.done,
            SlaMetric.TIME_TO_OWN: self.own_open,
        }[metric]
        elapsed = self.totals[metric]
        return SlaClock(
            metric=metric.value,
            goal=timedelta(0),
            elapsed=elapsed,
            since=since if running else None,
            stopped=not running,
            cycle={
                SlaMetric.NEXT_RESPONSE: self.cycles,
                SlaMetric.TIME_TO_OWN: self.own_cycles,
            }.get(metric, 1)
            or 1,
        )
