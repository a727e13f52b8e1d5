"""Real-time views: what a wallboard shows now, kept from the engines' events.

A :class:`LiveView` is fed the events the ACD router returns (its updates'
``events``, or the ``callcore_domain_event`` hook) and keeps:

- per queue, the contacts waiting (queued, ringing included, until answered,
  abandoned, rejected, sent to voicemail or another queue, or turned into a
  callback request) and since when they wait in that queue, so the number
  waiting and the oldest wait at any ``now``;
- per agent, the state shown on a wallboard and since when: busy while a
  contact is connected, reserved while one rings, otherwise the state the
  router last announced (available, not ready, wrap-up);
- per queue, the service level so far today (the local calendar day of the
  view's time zone): answered and abandoned contacts, with their waits
  against the view's thresholds.

Engines never import each other, so the view reads events by their stable
``kind`` (``"acd.contact_queued"``...) and field names, not by class; events of
other kinds are skipped. This follows the real-time metrics of Amazon Connect
(contacts in queue, oldest contact, agents by activity and time in it,
service level of the day so far).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import attrs

from callcore.checks import (
    check_instance,
    check_list,
    check_now,
    validator,
)
from callcore.contacts import AgentState
from callcore.errors import InvalidInputError
from callcore.events import Event
from callcore.kpi._aggregate import Thresholds
from callcore.kpi._events import NOTHING, AggregatorUpdate
from callcore.kpi._grouping import IntervalGrid, epoch_micros
from callcore.kpi._limits import described
from callcore.kpi._service_level import DEFAULT_SERVICE_LEVEL, ServiceLevelVariant, service_level

__all__ = ["AgentNow", "EventsObserved", "LiveView", "QueueNow"]

_DAY = timedelta(days=1)


@attrs.frozen(kw_only=True)
class EventsObserved(Event):
    """A live view took in engine events.

    Attributes:
        at: The ``now`` of the call.
        count: How many events it read (of the kinds it follows), at least one.
    """

    kind: ClassVar[str] = "kpi.events_observed"
    count: int


@attrs.frozen(kw_only=True)
class QueueNow:
    """A queue as a wallboard shows it at one instant.

    Attributes:
        waiting: Contacts waiting in the queue (ringing ones included).
        oldest_wait: How long the longest-waiting of them has waited, or
            ``None`` when none waits.
        answered: Contacts answered today (the view's local day).
        answered_within: ... within the service-level threshold.
        abandoned: Contacts abandoned today.
        abandoned_within: ... within the service-level threshold.
        short_abandoned: ... within the short-abandon threshold.
        service_level: The service level so far today, in the default
            variant (:data:`~callcore.kpi.DEFAULT_SERVICE_LEVEL`); ``None``
            before any contact was answered or abandoned.
    """

    waiting: int
    oldest_wait: timedelta | None
    answered: int
    answered_within: int
    abandoned: int
    abandoned_within: int
    short_abandoned: int
    service_level: float | None

    def service_level_as(self, variant: ServiceLevelVariant) -> float | None:
        """Return today's service level in another of the five variants."""
        return service_level(
            answered=self.answered,
            answered_within=self.answered_within,
            abandoned=self.abandoned,
            abandoned_within=self.abandoned_within,
            short_abandoned=self.short_abandoned,
            variant=variant,
        )


@attrs.frozen(kw_only=True)
class AgentNow:
    """An agent as a wallboard shows it at one instant.

    Attributes:
        state: ``busy`` while a contact is connected, ``reserved`` while one
            rings, otherwise the state the router last announced.
        since: When the agent entered that state.
        time_in_state: How long ago that was.
    """

    state: AgentState
    since: datetime
    time_in_state: timedelta


@attrs.define
class _Agent:
    announced: AgentState
    shown: AgentState
    since: datetime
    connected: set[str] = attrs.Factory(set)
    ringing: set[str] = attrs.Factory(set)

    def show(self, at: datetime) -> None:
        if self.connected:
            state = AgentState.BUSY
        elif self.ringing:
            state = AgentState.RESERVED
        else:
            state = self.announced
        if state is not self.shown:
            self.shown, self.since = state, at


@attrs.define
class _Today:
    answered: int = 0
    answered_within: int = 0
    abandoned: int = 0
    abandoned_within: int = 0
    short_abandoned: int = 0


@attrs.define
class LiveView:
    """The real-time figures of queues and agents, kept from engine events.

    >>> from datetime import datetime, timedelta, timezone
    >>> from zoneinfo import ZoneInfo
    >>> from callcore.acd import ContactQueued
    >>> from callcore.kpi import LiveView
    >>> view = LiveView(timezone=ZoneInfo("Europe/London"))
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> update = view.observe(
    ...     [ContactQueued(at=at, contact_id="c1", queue="sales", priority=0)], now=at)
    >>> view.queues(now=at + timedelta(seconds=42))["sales"].oldest_wait
    datetime.timedelta(seconds=42)

    Attributes:
        timezone: The zone whose local day "today" is (a ``zoneinfo.ZoneInfo``).
        thresholds: The service-level and short-abandon thresholds.
    """

    timezone: ZoneInfo
    thresholds: Thresholds = attrs.field(
        factory=Thresholds, validator=validator(check_instance, cls=Thresholds)
    )
    _waiting: dict[str, dict[str, datetime]] = attrs.field(init=False, factory=dict)
    _queue_of: dict[str, str] = attrs.field(init=False, factory=dict)
    _agents: dict[str, _Agent] = attrs.field(init=False, factory=dict)
    _today: dict[str, _Today] = attrs.field(init=False, factory=dict)
    _day: tuple[int, int] | None = attrs.field(init=False, default=None)  # its [low, high) in us
    _grid: IntervalGrid = attrs.field(init=False)
    _latest: datetime | None = attrs.field(init=False, default=None)

    def __attrs_post_init__(self) -> None:
        """Check the zone."""
        if not isinstance(self.timezone, ZoneInfo):
            raise InvalidInputError(
                f"timezone must be a zoneinfo.ZoneInfo, got {described(self.timezone)}",
                field="timezone",
            )
        self._grid = IntervalGrid(_DAY, self.timezone)

    def observe(self, events: Iterable[Event], *, now: datetime) -> AggregatorUpdate:
        """Take in engine events, in the order they happened.

        Args:
            events: Events of any engine (an update's ``events``); those of
                kinds the view does not follow are skipped.
            now: The current time (aware), not before a previous call's.

        Returns:
            The update: one :class:`EventsObserved` counting the events read,
            or no event when none was of a kind the view follows.

        Raises:
            InvalidInputError: ``events`` is not a list or tuple of events, an
                event lies after ``now``, or ``now`` is not an aware instant
                within the limits (or goes back); nothing changed.
        """
        now = check_now(now)
        if self._latest is not None and now < self._latest:
            raise InvalidInputError(
                f"now ({now.isoformat()}) is earlier than a previous call's "
                f"({self._latest.isoformat()}); a live view does not go back",
                field="now",
            )
        items = check_list(events, "events")
        for index, event in enumerate(items):
            if not isinstance(event, Event):
                raise InvalidInputError(
                    f"events[{index}] must be an Event, got {type(event).__name__}",
                    field=f"events[{index}]",
                )
            if event.at > now:
                raise InvalidInputError(
                    f"events[{index}] happened at {event.at.isoformat()}, after now "
                    f"({now.isoformat()})",
                    field=f"events[{index}]",
                )
        self._latest = now
        read = sum(self._apply(event) for event in items)
        self._roll_day(now)
        if not read:
            return NOTHING
        return AggregatorUpdate((EventsObserved(at=now, count=read),))

    # --- applying events ------------------------------------------------------

    def _apply(self, event: Event) -> bool:  # noqa: C901, PLR0912 - one branch per kind
        kind, at = event.kind, event.at
        if at.tzinfo.__class__ is not timezone:  # as_instant, inline: kept for waits in UTC
            at = at.astimezone(timezone.utc)
        fields: Any = event  # read by field name: kpi does not import the ACD
        if kind == "acd.contact_queued":
            self._leave_queue(fields.contact_id)
            self._waiting.setdefault(fields.queue, {})[fields.contact_id] = at
            self._queue_of[fields.contact_id] = fields.queue
        elif kind == "acd.contact_answered":
            self._leave_queue(fields.contact_id)
            agent = self._agent(fields.agent_id, at)
            agent.connected.add(fields.contact_id)
            agent.ringing.discard(fields.contact_id)
            agent.show(at)
            self._count(fields.queue, at, fields.waited, answered=True)
        elif kind == "acd.contact_abandoned":
            self._leave_queue(fields.contact_id)
            self._count(fields.queue, at, fields.waited, answered=False)
        elif kind in {
            "acd.contact_rejected",
            "acd.contact_overflowed",
            "acd.callback_requested",
            "acd.callback_ended",  # a cancelled callback leaves its line
        }:
            if kind != "acd.contact_overflowed" or self._queue_of.get(fields.contact_id) == (
                fields.queue
            ):
                self._leave_queue(fields.contact_id)
        elif kind == "acd.callback_attempt_ended" and fields.result.value != "reached":
            # the customer was not reached: the agent's part ends, as on an end
            agent = self._agent(fields.agent_id, at)
            agent.connected.discard(fields.contact_id)
            agent.show(at)
        elif kind == "acd.contact_offered":
            agent = self._agent(fields.offer.agent_id, at)
            agent.ringing.add(fields.offer.contact_id)
            agent.show(at)
        elif kind == "acd.offer_ended":
            agent = self._agent(fields.offer.agent_id, at)
            agent.ringing.discard(fields.offer.contact_id)
            agent.show(at)
        elif kind in {"acd.contact_ended", "acd.contact_transferred"}:
            # a transfer frees the agent who held the contact, as an end does
            agent = self._agent(fields.agent_id, at)
            agent.connected.discard(fields.contact_id)
            agent.show(at)
        elif kind == "acd.agent_state_changed":
            if fields.state is AgentState.LOGGED_OUT:
                self._agents.pop(fields.agent_id, None)
            else:
                agent = self._agent(fields.agent_id, at)
                agent.announced = fields.state
                agent.show(at)
        else:
            return False
        return True

    def _leave_queue(self, contact_id: str) -> None:
        queue = self._queue_of.pop(contact_id, None)
        if queue is not None:
            waiting = self._waiting[queue]
            waiting.pop(contact_id, None)
            if not waiting:
                del self._waiting[queue]

    def _agent(self, agent_id: str, at: datetime) -> _Agent:
        agent = self._agents.get(agent_id)
        if agent is None:  # first seen mid-shift: available until told otherwise
            agent = self._agents[agent_id] = _Agent(AgentState.AVAILABLE, AgentState.AVAILABLE, at)
        return agent

    def _roll_day(self, at: datetime) -> None:
        """Start a new day's counts when ``at`` is past the current local day."""
        instant = epoch_micros(at)
        if self._day is None or instant >= self._day[1]:
            _, low, high = self._grid.locate(instant)
            if self._day is not None:
                self._today.clear()
            self._day = (low, high)

    def _count(self, queue: str, at: datetime, waited: timedelta, *, answered: bool) -> None:
        self._roll_day(at)
        assert self._day is not None  # noqa: S101 - just rolled
        if epoch_micros(at) < self._day[0]:
            return  # an event of an earlier day, read late: not today's
        today = self._today.setdefault(queue, _Today())
        within = waited <= self.thresholds.service_level
        if answered:
            today.answered += 1
            today.answered_within += within
        else:
            today.abandoned += 1
            today.abandoned_within += within
            today.short_abandoned += waited <= self.thresholds.short_abandon

    # --- reading --------------------------------------------------------------

    def queues(self, *, now: datetime) -> dict[str, QueueNow]:
        """Return every queue with contacts waiting or counted today, by name, at ``now``.

        Raises:
            InvalidInputError: ``now`` is not an aware instant, or is before
                the latest ``observe``.
        """
        now = self._check_reading(now)
        _, _, day_end = self._grid.locate(epoch_micros(now))
        same_day = self._day is not None and self._day[1] == day_end
        names = set(self._waiting) | (set(self._today) if same_day else set())
        found = {}
        for name in sorted(names):
            waiting = self._waiting.get(name, {})
            today = self._today.get(name, _Today()) if same_day else _Today()
            found[name] = QueueNow(
                waiting=len(waiting),
                oldest_wait=now - min(waiting.values()) if waiting else None,
                answered=today.answered,
                answered_within=today.answered_within,
                abandoned=today.abandoned,
                abandoned_within=today.abandoned_within,
                short_abandoned=today.short_abandoned,
                service_level=service_level(
                    answered=today.answered,
                    answered_within=today.answered_within,
                    abandoned=today.abandoned,
                    abandoned_within=today.abandoned_within,
                    short_abandoned=today.short_abandoned,
                    variant=DEFAULT_SERVICE_LEVEL,
                ),
            )
        return found

    def agents(self, *, now: datetime) -> dict[str, AgentNow]:
        """Return every logged-in agent's shown state and time in it, by agent, at ``now``.

        Raises:
            InvalidInputError: ``now`` is not an aware instant, or is before
                the latest ``observe``.
        """
        now = self._check_reading(now)
        return {
            name: AgentNow(state=agent.shown, since=agent.since, time_in_state=now - agent.since)
            for name, agent in sorted(self._agents.items())
        }

    def agents_by_state(self, *, now: datetime) -> dict[AgentState, int]:
        """Return how many logged-in agents are in each shown state at ``now``."""
        counts: dict[AgentState, int] = {}
        for agent in self.agents(now=now).values():
            counts[agent.state] = counts.get(agent.state, 0) + 1
        return counts

    def _check_reading(self, now: datetime) -> datetime:
        now = check_now(now)  # kept, compared and subtracted as an instant
        if self._latest is not None and now < self._latest:
            raise InvalidInputError(
                f"now ({now.isoformat()}) is earlier than the latest events observed "
                f"({self._latest.isoformat()})",
                field="now",
            )
        return now
