"""Interaction records: one per contact leg, as the shell and simulator emit them.

Agent state records describe how agents spent their logged-in time; occupancy
and utilisation are computed from them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import attrs

from callcore.channels import Channel, Direction
from callcore.errors import InvalidInputError, Problem

__all__ = [
    "AgentState",
    "AgentStateRecord",
    "InteractionRecord",
    "InvalidRecordError",
    "Outcome",
]

_ZERO = timedelta(0)
_UTC = timezone.utc


class Outcome(enum.Enum):
    """How a contact leg ended."""

    ANSWERED = "answered"
    """An agent (or, outbound, the called party) answered."""
    ABANDONED = "abandoned"
    """The caller hung up before an agent answered."""
    MISSED = "missed"
    """Offered to an agent who did not answer; the contact went on (RONA)."""
    VOICEMAIL = "voicemail"
    """The caller left (or was sent to) a voicemail."""
    CALLBACK = "callback"
    """The caller chose to be called back instead of waiting."""
    OVERFLOWED = "overflowed"
    """The contact left this queue for another one (the next leg is a new record)."""
    OUT_OF_HOURS = "out_of_hours"
    """The contact arrived outside business hours."""


class InvalidRecordError(InvalidInputError):
    """A record's fields contradict each other; every problem is listed.

    Attributes:
        problems: What is wrong, each with the field it concerns.
    """

    def __init__(self, what: str, problems: list[Problem]) -> None:
        """Build the error for the record named ``what`` and its problems."""
        self.problems = tuple(problems)
        listed = "; ".join(str(problem) for problem in self.problems)
        super().__init__(f"{what} is inconsistent: {listed}")


def _utc(value: datetime) -> datetime:
    """Store aware times in UTC: durations across a change of clocks stay exact."""
    if getattr(value, "tzinfo", None) is not None and value.utcoffset() is not None:
        return value.astimezone(timezone.utc)
    return value  # left for the consistency check to report


def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def _aware(name: str, value: datetime | None) -> Iterator[Problem]:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        yield Problem(name, "must be a timezone-aware datetime")


@attrs.frozen(kw_only=True)
class InteractionRecord:
    """One contact leg, from arrival to the end of after-call work.

    Times are stored in UTC (aware times of any zone are converted), so that
    durations across a change of clocks are exact. Times that did not happen
    are ``None``: a contact that never queued has no
    ``queued_at``, an abandoned one has no ``answered_at``. Waiting time is
    measured from ``queued_at`` (or ``arrived_at`` if the contact never
    queued) to the answer, or to the end for a contact that was not answered.
    Talk time is ``ended_at - answered_at - hold_time``; after-call work is
    ``wrap_up_ended_at - ended_at``.

    Attributes:
        id: The contact leg's id.
        channel: The medium.
        direction: Who started the contact.
        outcome: How the leg ended.
        arrived_at: When the contact reached the contact centre (or, outbound,
            when it was dialled).
        ended_at: When the conversation (or the attempt) ended.
        queue: The queue the contact waited in, if any.
        agent: The agent who handled it, or to whom it was offered.
        customer_id: Who the customer is, if known (for repeat-contact FCR).
        queued_at: When it entered the queue.
        offered_at: When it was offered to an agent.
        answered_at: When it was answered.
        wrap_up_ended_at: When the agent finished after-call work.
        hold_time: Total time on hold while connected.
        holds: How many times the customer was put on hold.
        transfers: How many times the agent transferred the contact.
        consults: How many consultations the agent made.
        ivr_path: The IVR nodes visited, in order.
        self_service: Whether the IVR resolved the contact on its own
            (containment).
        ticket_id: The ticket the contact belongs to, if any.
        first_contact_resolved: The agent's or survey's verdict on first-contact
            resolution, if recorded.
        repeat_contact: Whether the same customer had contacted within the
            repeat window before this contact (set by
            :class:`RepeatContactMarker`), if known.
        csat: The customer satisfaction answer, 1 (worst) to 5 (best).
        nps: The likelihood-to-recommend answer, 0 to 10.
    """

    id: str
    channel: Channel
    direction: Direction
    outcome: Outcome
    arrived_at: datetime = attrs.field(converter=_utc)
    ended_at: datetime = attrs.field(converter=_utc)
    queue: str | None = None
    agent: str | None = None
    customer_id: str | None = None
    queued_at: datetime | None = attrs.field(default=None, converter=_utc_or_none)
    offered_at: datetime | None = attrs.field(default=None, converter=_utc_or_none)
    answered_at: datetime | None = attrs.field(default=None, converter=_utc_or_none)
    wrap_up_ended_at: datetime | None = attrs.field(default=None, converter=_utc_or_none)
    hold_time: timedelta = _ZERO
    holds: int = 0
    transfers: int = 0
    consults: int = 0
    ivr_path: tuple[str, ...] = ()
    self_service: bool = False
    ticket_id: str | None = None
    first_contact_resolved: bool | None = None
    repeat_contact: bool | None = None
    csat: int | None = None
    nps: int | None = None

    def __attrs_post_init__(self) -> None:
        """Refuse a record whose fields contradict each other."""
        if self._plainly_valid():
            return
        problems = list(self.problems())
        if problems:
            raise InvalidRecordError(f"interaction record {self.id!r}", problems)

    def _plainly_valid(self) -> bool:  # noqa: PLR0911 - one early exit per rule
        """Cheaply confirm the common consistent record; ``False`` means "look closer".

        Records are built by the million, so the usual case skips the
        generators of :meth:`problems`. This never accepts a record that
        :meth:`problems` would refuse; it may send a valid one there.
        """
        latest: datetime | None = self.arrived_at  # None only from an untyped caller
        if latest is None or latest.tzinfo is not _UTC:  # the converter makes aware times UTC
            return False
        for moment in (
            self.queued_at,
            self.offered_at,
            self.answered_at,
            self.ended_at,
            self.wrap_up_ended_at,
        ):
            if moment is not None:
                if moment.tzinfo is not _UTC or moment < latest:
                    return False
                latest = moment
        outcome, answered_at = self.outcome, self.answered_at
        ended_at: datetime | None = self.ended_at
        if ended_at is None or (outcome is Outcome.ANSWERED) is (answered_at is None):
            return False
        if outcome is Outcome.MISSED and self.offered_at is None:
            return False
        hold = self.hold_time
        if hold and (answered_at is None or not _ZERO < hold <= self.ended_at - answered_at):
            return False
        if self.holds < 0 or self.transfers < 0 or self.consults < 0:
            return False
        csat, nps = self.csat, self.nps
        return (csat is None or 1 <= csat <= 5) and (nps is None or 0 <= nps <= 10)

    def problems(self) -> Iterator[Problem]:
        """Yield every inconsistency in the record, each naming its field."""
        times = (
            ("arrived_at", self.arrived_at),
            ("queued_at", self.queued_at),
            ("offered_at", self.offered_at),
            ("answered_at", self.answered_at),
            ("ended_at", self.ended_at),
            ("wrap_up_ended_at", self.wrap_up_ended_at),
        )
        yield from self._missing_problems()
        aware = True
        for name, value in times:
            for problem in _aware(name, value):
                aware = False
                yield problem
        if aware:
            yield from self._order_problems(times)
        yield from self._outcome_problems()
        for name in ("holds", "transfers", "consults"):
            if getattr(self, name) < 0:
                yield Problem(name, f"must not be negative, got {getattr(self, name)}")
        if self.hold_time < _ZERO:
            yield Problem("hold_time", f"must not be negative, got {self.hold_time}")
        if self.csat is not None and not 1 <= self.csat <= 5:
            yield Problem("csat", f"must be from 1 to 5, got {self.csat}")
        if self.nps is not None and not 0 <= self.nps <= 10:
            yield Problem("nps", f"must be from 0 to 10, got {self.nps}")

    def _missing_problems(self) -> Iterator[Problem]:
        # Typed callers cannot pass None here; untyped ones get a clear message.
        for name in ("arrived_at", "ended_at"):
            if getattr(self, name) is None:
                yield Problem(name, "is required")

    @staticmethod
    def _order_problems(times: tuple[tuple[str, datetime | None], ...]) -> Iterator[Problem]:
        previous_name, previous = times[0][0], times[0][1]
        for name, value in times[1:]:
            if value is None:
                continue
            if previous is not None and value < previous:
                yield Problem(name, f"must not be earlier than {previous_name}")
            previous_name, previous = name, value

    def _outcome_problems(self) -> Iterator[Problem]:
        answered = self.outcome is Outcome.ANSWERED
        if answered and self.answered_at is None:
            yield Problem("answered_at", "is required when the outcome is 'answered'")
        if not answered and self.answered_at is not None:
            yield Problem(
                "answered_at", f"must be empty when the outcome is {self.outcome.value!r}"
            )
        if self.outcome is Outcome.MISSED and self.offered_at is None:
            yield Problem("offered_at", "is required when the outcome is 'missed'")
        ended_at: datetime | None = self.ended_at  # None only from an untyped caller
        if (
            self.answered_at is not None
            and self.answered_at.utcoffset() is not None
            and ended_at is not None
            and ended_at.utcoffset() is not None
            and self.hold_time > ended_at - self.answered_at
        ):
            yield Problem("hold_time", "is longer than the connected time")


class AgentState(enum.Enum):
    """What an agent was doing while logged in."""

    IDLE = "idle"
    """Ready and waiting for a contact (available)."""
    BUSY = "busy"
    """Handling a contact: talking or holding."""
    WRAP_UP = "wrap_up"
    """After-call work."""
    AWAY = "away"
    """Logged in but not ready (break, meeting, training)."""


@attrs.frozen(kw_only=True)
class AgentStateRecord:
    """A span of time an agent spent in one state.

    Attributes:
        agent: The agent.
        state: What the agent was doing.
        started_at: When the span began.
        ended_at: When it ended (not before ``started_at``).
    """

    agent: str
    state: AgentState
    started_at: datetime = attrs.field(converter=_utc)
    ended_at: datetime = attrs.field(converter=_utc)

    def __attrs_post_init__(self) -> None:
        """Refuse naive times and a span that ends before it starts."""
        problems = [
            *_aware("started_at", self.started_at),
            *_aware("ended_at", self.ended_at),
        ]
        if not problems and self.ended_at < self.started_at:
            problems.append(Problem("ended_at", "must not be earlier than started_at"))
        if problems:
            raise InvalidRecordError(f"agent state record of {self.agent!r}", problems)
