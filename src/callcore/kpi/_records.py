"""Interaction records: one per contact leg, as the shell and simulator emit them.

Agent state records describe how agents spent their logged-in time; occupancy
and utilisation are computed from them.

Records are built by the million, so each constructor first tries a fast path
that confirms the usual, fully valid record with a few comparisons; only a
record that fails it is looked at field by field. Either way a record that
exists is valid:

- a field of the wrong type (a plain string for an enum, a float for a count,
  a naive datetime, a string for ``ivr_path``), text that is empty, too long
  or not valid Unicode, and an instant outside the limits of
  :mod:`callcore.checks`, and an outcome or state that no record has
  (``queued``, ``logged_out``) raise :class:`~callcore.errors.InvalidInputError`
  (:class:`~callcore.errors.NaiveDatetimeError` for a naive time) naming the
  first such field;
- numbers off their scale and fields that contradict each other raise
  :class:`InvalidRecordError`, listing every problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import attrs

from callcore.checks import (
    EARLIEST,
    LATEST,
    MAX_DURATION,
    MAX_TEXT,
    check_count,
    check_duration,
    check_enum,
    check_instant,
    check_list,
    check_text,
)
from callcore.contacts import AgentState, Channel, ContactOutcome, Direction
from callcore.errors import InvalidInputError, Problem
from callcore.kpi._limits import MAX_AGENT_STATE_SPAN, MAX_RECORD_COUNT, described

__all__ = ["AgentStateRecord", "InteractionRecord", "InvalidRecordError"]

_ZERO = timedelta(0)
_UTC = timezone.utc
_ZONES = (ZoneInfo, timezone)  # tzinfo types that give every instant an offset


class InvalidRecordError(InvalidInputError):
    """A record's fields contradict each other, or a number is off its scale.

    Also raised for a group's :class:`Aggregate` totals that contradict each
    other. Every problem is listed; ``field`` names the first one's field.

    Attributes:
        problems: What is wrong, each with the field it concerns.
    """

    def __init__(self, what: str, problems: list[Problem]) -> None:
        """Build the error for the record named ``what`` and its problems."""
        self.problems = tuple(problems)
        listed = "; ".join(str(problem) for problem in self.problems)
        first = self.problems[0].path if self.problems else None
        super().__init__(f"{what} is inconsistent: {listed}", field=first)


def _in_utc(value: object) -> object:
    """Return an aware datetime in UTC; anything else unchanged (for the checks to report)."""
    if not isinstance(value, datetime) or value.tzinfo is _UTC:
        return value
    try:
        if value.utcoffset() is None:
            return value
        return value.astimezone(_UTC)
    except (OverflowError, ValueError):  # out of range: reported by check_instant
        return value


def _check_bool(value: object, what: str, *, optional: bool = False) -> None:
    if not (type(value) is bool or (optional and value is None)):
        raise InvalidInputError(
            f"{what} must be true or false{' or None' * optional}, "
            f"got {type(value).__name__} {described(value)}",
            field=what,
        )


def _count_problem(name: str, value: int, low: int, high: int) -> Iterator[Problem]:
    if not low <= value <= high:
        yield Problem(name, f"must be from {low} to {high:,}, got {described(value)}")


_ANSWERED = ContactOutcome.ANSWERED
_ABANDONED = ContactOutcome.ABANDONED
_MISSED = ContactOutcome.MISSED
_QUEUED = ContactOutcome.QUEUED
_NO_ANSWER = ContactOutcome.NO_ANSWER
_SELF_SERVED = ContactOutcome.SELF_SERVED
_OUTBOUND = Direction.OUTBOUND
_LOGGED_OUT = AgentState.LOGGED_OUT


def _check_outcome(value: object) -> None:
    """Refuse an outcome that is not a ContactOutcome, or that no record has."""
    if check_enum(value, ContactOutcome, "outcome") is _QUEUED:
        raise InvalidInputError(
            "outcome must not be 'queued': that is how an IVR leg ends; record the "
            "queue leg that follows, with its own outcome (answered, abandoned...)",
            field="outcome",
        )


_TIMES = ("arrived_at", "queued_at", "offered_at", "answered_at", "ended_at", "wrap_up_ended_at")
_OPTIONAL_TEXT = ("queue", "agent", "customer_id", "ticket_id", "contact_id")
_COUNTS = ("holds", "transfers", "consults")


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

    Every field is checked when the record is built (see the module's
    docstring): enums must be members, text non-empty valid Unicode, times
    aware and within :data:`callcore.checks.EARLIEST` ..
    :data:`~callcore.checks.LATEST`, counts whole numbers from 0 to
    :data:`~callcore.kpi.MAX_RECORD_COUNT`, and the record (arrival to its
    last time) at most :data:`callcore.checks.MAX_DURATION` long.

    Attributes:
        id: The contact leg's id.
        contact_id: The contact this leg is part of: the id of its first leg
            (Amazon Connect's ``InitialContactId``). ``None`` (the default)
            when the leg is a contact on its own; a record whose ``id`` equals
            its ``contact_id`` is the first leg. Only a first leg counts in
            contact volumes (``contacts``, ``inbound``, ``outbound``) and in
            repeat-window FCR, so a call that rang one agent and was answered
            by the next is one contact; every leg counts in per-leg figures
            (answered, missed, handled, per-agent totals).
        channel: The medium.
        direction: Who started the contact.
        outcome: How the leg ended (see the KPI reference for how each
            outcome counts). ``queued`` is refused: it is how an IVR leg
            ends, and the queue leg that follows is the record. ``no_answer``
            is for outbound records only.
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
        ivr_path: The IVR nodes visited, in order (a list is stored as a tuple);
            a contact the IVR served on its own (outcome ``self_served``)
            names at least one.
        ticket_id: The ticket the contact belongs to, if any.
        first_contact_resolved: The agent's or survey's verdict on first-contact
            resolution, if recorded.
        repeat_contact: Whether the same customer had contacted within the
            repeat window before this contact (set by
            :class:`RepeatContactMarker`), if known.
        csat: The customer satisfaction answer, a whole number from 1 (worst)
            to 5 (best).
        nps: The likelihood-to-recommend answer, a whole number from 0 to 10.
    """

    id: str
    channel: Channel
    direction: Direction
    outcome: ContactOutcome
    arrived_at: datetime
    ended_at: datetime
    queue: str | None = None
    agent: str | None = None
    customer_id: str | None = None
    contact_id: str | None = None
    queued_at: datetime | None = None
    offered_at: datetime | None = None
    answered_at: datetime | None = None
    wrap_up_ended_at: datetime | None = None
    hold_time: timedelta = _ZERO
    holds: int = 0
    transfers: int = 0
    consults: int = 0
    ivr_path: tuple[str, ...] = ()
    ticket_id: str | None = None
    first_contact_resolved: bool | None = None
    repeat_contact: bool | None = None
    csat: int | None = None
    nps: int | None = None

    @property
    def first_leg(self) -> bool:
        """Whether this record is its contact's first leg (or the whole contact)."""
        return self.contact_id is None or self.contact_id == self.id

    def __attrs_post_init__(self) -> None:
        """Refuse a record with a wrong field or fields that contradict each other."""
        if (
            self._times_plainly_valid() or (self._normalise() and self._times_plainly_valid())
        ) and self._fields_plainly_valid():
            return
        self._normalise()
        self._check_fields()
        problems = list(self.problems())
        if problems:
            raise InvalidRecordError(f"interaction record {self.id!r:.60}", problems)

    def _normalise(self) -> bool:
        """Store aware times in UTC and ``ivr_path`` as a tuple; say if anything changed."""
        changed = False
        for name in _TIMES:
            value = getattr(self, name)
            if type(value) is datetime and type(value.tzinfo) in _ZONES:
                # A zone or a fixed offset always has an offset: convert at once.
                try:
                    converted = value.astimezone(_UTC)
                except OverflowError:  # out of range: check_instant reports it
                    continue
                object.__setattr__(self, name, converted)
                changed = True
            elif isinstance(value, datetime) and value.tzinfo is not _UTC:
                other = _in_utc(value)  # another tzinfo, a subclass: carefully
                if other is not value:
                    object.__setattr__(self, name, other)
                    changed = True
        path: object = self.ivr_path  # typed callers pass a tuple; others may not
        if type(path) is list:
            object.__setattr__(self, "ivr_path", tuple(path))
            changed = True
        return changed

    def _plainly_valid(self) -> bool:
        """Cheaply confirm the common valid record; ``False`` means "look closer".

        This never accepts a record that :meth:`_check_fields` or
        :meth:`problems` would refuse; it may send a valid one there.
        """
        return self._times_plainly_valid() and self._fields_plainly_valid()

    def _times_plainly_valid(self) -> bool:
        """Confirm UTC times in order, in range, at most MAX_DURATION apart.

        A record stamped in another zone fails here, and is confirmed again
        once :meth:`_normalise` has put its times in UTC.
        """
        arrived = self.arrived_at
        if type(arrived) is not datetime or arrived.tzinfo is not _UTC or arrived < EARLIEST:
            return False
        latest = arrived
        for moment in (
            self.queued_at,
            self.offered_at,
            self.answered_at,
            self.ended_at,
            self.wrap_up_ended_at,
        ):
            if moment is not None:
                if type(moment) is not datetime or moment.tzinfo is not _UTC or moment < latest:
                    return False
                latest = moment
        return latest < LATEST and latest - arrived <= MAX_DURATION

    # One flat function on purpose: it runs once per record built.
    def _fields_plainly_valid(self) -> bool:  # noqa: C901, PLR0911, PLR0912 - one exit per rule
        """Confirm the fields other than the order of times (which must be confirmed first)."""
        if (
            type(self.channel) is not Channel
            or type(self.direction) is not Direction
            or type(self.outcome) is not ContactOutcome
        ):
            return False
        ident = self.id
        if (
            type(ident) is not str
            or not ident
            or len(ident) > MAX_TEXT
            or not (ident.isascii() or ident.isprintable())
        ):
            return False
        for text in (self.queue, self.agent, self.customer_id, self.ticket_id, self.contact_id):
            if text is not None and (
                type(text) is not str
                or not text
                or len(text) > MAX_TEXT
                or not (text.isascii() or text.isprintable())
            ):
                return False
        outcome, answered_at = self.outcome, self.answered_at
        ended_at: datetime | None = self.ended_at
        if ended_at is None or (outcome is _ANSWERED) is (answered_at is None):
            return False
        if (
            outcome is not _ANSWERED
            and outcome is not _ABANDONED
            and (
                (outcome is _MISSED and self.offered_at is None)
                or outcome is _QUEUED
                or (outcome is _NO_ANSWER and self.direction is not _OUTBOUND)
                or (outcome is _SELF_SERVED and not self.ivr_path)
            )
        ):
            return False
        hold = self.hold_time
        if type(hold) is not timedelta or (
            hold and (answered_at is None or not _ZERO < hold <= ended_at - answered_at)
        ):
            return False
        holds, transfers, consults = self.holds, self.transfers, self.consults
        if (
            type(holds) is not int
            or type(transfers) is not int
            or type(consults) is not int
            or not 0 <= holds <= MAX_RECORD_COUNT
            or not 0 <= transfers <= MAX_RECORD_COUNT
            or not 0 <= consults <= MAX_RECORD_COUNT
        ):
            return False
        path: object = self.ivr_path  # the fields as given, whatever their annotations
        if type(path) is not tuple:
            return False
        for node in path:
            if type(node) is not str or not node or len(node) > MAX_TEXT or not node.isascii():
                return False
        flags: tuple[object, ...] = (self.first_contact_resolved, self.repeat_contact)
        for flag in flags:
            if flag is not None and type(flag) is not bool:
                return False
        csat, nps = self.csat, self.nps
        return (csat is None or (type(csat) is int and 1 <= csat <= 5)) and (
            nps is None or (type(nps) is int and 0 <= nps <= 10)
        )

    def _check_fields(self) -> None:
        """Raise for the first field of the wrong type, invalid text or out-of-range time.

        Raises:
            InvalidInputError: A field is wrong on its own; ``field`` names it.
            NaiveDatetimeError: A time has no time zone.
        """
        check_text(self.id, "id")
        check_enum(self.channel, Channel, "channel")
        check_enum(self.direction, Direction, "direction")
        _check_outcome(self.outcome)
        for name in _TIMES:
            value = getattr(self, name)
            if value is not None or name in {"arrived_at", "ended_at"}:
                check_instant(value, name)
        for name in _OPTIONAL_TEXT:
            value = getattr(self, name)
            if value is not None:
                check_text(value, name)
        hold: object = self.hold_time
        if not isinstance(hold, timedelta):  # its range is checked with the rest
            check_duration(hold, "hold_time")
        for name in _COUNTS:
            check_count(getattr(self, name), name, low=None)
        for index, node in enumerate(check_list(self.ivr_path, "ivr_path")):
            check_text(node, f"ivr_path[{index}]")
        _check_bool(self.first_contact_resolved, "first_contact_resolved", optional=True)
        _check_bool(self.repeat_contact, "repeat_contact", optional=True)
        for name in ("csat", "nps"):
            value = getattr(self, name)
            if value is not None:
                check_count(value, name, low=None)

    def problems(self) -> Iterator[Problem]:
        """Yield every number off its scale and every contradiction, each naming its field.

        The fields are assumed to be of the right types (the constructor
        checks them first).
        """
        times = tuple((name, getattr(self, name)) for name in _TIMES)
        yield from self._order_problems(times)
        yield from self._outcome_problems()
        for name in _COUNTS:
            yield from _count_problem(name, getattr(self, name), 0, MAX_RECORD_COUNT)
        if self.hold_time < _ZERO:
            yield Problem("hold_time", f"must not be negative, got {self.hold_time}")
        elif self.hold_time and self.answered_at is None:
            yield Problem("hold_time", "must be zero when the contact was not answered")
        if self.csat is not None:
            yield from _count_problem("csat", self.csat, 1, 5)
        if self.nps is not None:
            yield from _count_problem("nps", self.nps, 0, 10)

    @staticmethod
    def _order_problems(times: tuple[tuple[str, datetime | None], ...]) -> Iterator[Problem]:
        previous_name, previous = times[0]
        assert previous is not None  # noqa: S101 - arrived_at is checked before
        first = previous
        for name, value in times[1:]:
            if value is None:
                continue
            if value < previous:
                yield Problem(name, f"must not be earlier than {previous_name}")
            elif value - first > MAX_DURATION:
                yield Problem(
                    name,
                    f"is more than {MAX_DURATION.days:,} days after arrived_at; "
                    "a record may not last longer",
                )
            previous_name, previous = name, value

    def _outcome_problems(self) -> Iterator[Problem]:
        outcome = self.outcome
        answered = outcome is _ANSWERED
        if outcome is _NO_ANSWER and self.direction is not _OUTBOUND:
            yield Problem(
                "direction",
                "must be 'outbound' when the outcome is 'no_answer' (an inbound contact "
                "nobody answered is 'abandoned', or 'missed' for the agent who let it ring)",
            )
        if outcome is _SELF_SERVED and not self.ivr_path:
            yield Problem(
                "ivr_path", "must name the IVR nodes visited when the outcome is 'self_served'"
            )
        if answered and self.answered_at is None:
            yield Problem("answered_at", "is required when the outcome is 'answered'")
        if not answered and self.answered_at is not None:
            yield Problem(
                "answered_at", f"must be empty when the outcome is {self.outcome.value!r}"
            )
        if outcome is _MISSED and self.offered_at is None:
            yield Problem("offered_at", "is required when the outcome is 'missed'")
        if self.answered_at is not None and self.hold_time > self.ended_at - self.answered_at:
            yield Problem("hold_time", "is longer than the connected time")


@attrs.frozen(kw_only=True)
class AgentStateRecord:
    """A span of time an agent spent in one state.

    Times are stored in UTC, like those of :class:`InteractionRecord`, and
    checked the same way; a span lasts at most
    :data:`~callcore.kpi.MAX_AGENT_STATE_SPAN` (31 days): cut longer spans
    into pieces.

    Spans cover logged-in time only: a span in
    :attr:`~callcore.contacts.AgentState.LOGGED_OUT` is refused (leave the
    time out). How each state counts in occupancy and utilisation is on the
    KPI reference page; in short, ringing (``reserved``) is neither available
    nor handling time.

    Attributes:
        agent: The agent.
        state: What the agent was doing: any
            :class:`~callcore.contacts.AgentState` but ``logged_out``.
        started_at: When the span began.
        ended_at: When it ended (not before ``started_at``).
    """

    agent: str
    state: AgentState
    started_at: datetime
    ended_at: datetime

    def __attrs_post_init__(self) -> None:
        """Refuse a wrong field, and a span that ends before it starts or lasts too long."""
        started, ended, agent = self.started_at, self.ended_at, self.agent
        if (
            type(started) is datetime
            and type(ended) is datetime
            and started.tzinfo is _UTC
            and ended.tzinfo is _UTC
            and EARLIEST <= started <= ended < LATEST
            and ended - started <= MAX_AGENT_STATE_SPAN
            and type(self.state) is AgentState
            and self.state is not _LOGGED_OUT
            and type(agent) is str
            and 0 < len(agent) <= MAX_TEXT
            and (agent.isascii() or agent.isprintable())
        ):
            return
        check_text(agent, "agent")
        check_enum(self.state, AgentState, "state")
        if self.state is _LOGGED_OUT:
            raise InvalidInputError(
                "state must not be 'logged_out': agent state records cover logged-in "
                "time only; leave the logged-out time out",
                field="state",
            )
        for name in ("started_at", "ended_at"):
            object.__setattr__(self, name, check_instant(_in_utc(getattr(self, name)), name))
        if self.ended_at < self.started_at:
            problem = Problem("ended_at", "must not be earlier than started_at")
        elif self.ended_at - self.started_at > MAX_AGENT_STATE_SPAN:
            problem = Problem(
                "ended_at",
                f"is more than {MAX_AGENT_STATE_SPAN.days} days after started_at; "
                "cut a longer span into pieces",
            )
        else:
            return
        raise InvalidRecordError(f"agent state record of {self.agent!r:.60}", [problem])
