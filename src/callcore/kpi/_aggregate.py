"""The mergeable totals of a group of records: integer counts and microseconds.

Sums are integers (durations in whole microseconds), so totals computed on
separate shards merge into exactly the totals of all records at once.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from datetime import datetime, timedelta

import attrs

from callcore.checks import check_count, check_duration, check_enum, check_text, validator
from callcore.contacts import AgentState, ContactOutcome, Direction
from callcore.errors import InvalidInputError, Problem
from callcore.kpi._limits import MAX_TOTAL
from callcore.kpi._records import InteractionRecord, InvalidRecordError

__all__ = ["Aggregate", "Thresholds"]

_US = timedelta(microseconds=1)


@attrs.frozen(kw_only=True)
class Thresholds:
    """The time limits that decide how a record is counted.

    They are fixed when totals are built (a contact answered in 25 s cannot be
    counted later against a 30 s threshold), and totals built with different
    thresholds cannot be merged.

    Attributes:
        service_level: A contact answered (or abandoned) within this wait meets
            the service level; 20 s by default (the classic 80/20 objective).
        short_abandon: A contact abandoned within this wait is a *short
            abandon* (a wrong number, not a lost customer); 5 s by default.

    Both are durations from zero to :data:`callcore.checks.MAX_DURATION`.
    """

    service_level: timedelta = attrs.field(
        default=timedelta(seconds=20), validator=validator(check_duration)
    )
    short_abandon: timedelta = attrs.field(
        default=timedelta(seconds=5), validator=validator(check_duration)
    )


@attrs.define(kw_only=True)
class Aggregate:
    """Totals over a group of records, from which every metric is computed.

    Counts of inbound contacts (``answered``, ``abandoned``...) feed the
    queue metrics; ``handled`` and the handle-time sums cover answered contacts
    in both directions. Durations are whole microseconds. Every total is a
    whole number from 0 to ``10**30``, ``agents`` a set of agent names, and
    no part exceeds its whole; the constructor refuses anything else.

    Attributes:
        contacts: Every contact: records that are their contact's first leg
            (see :attr:`InteractionRecord.contact_id`).
        inbound: Inbound contacts.
        outbound: Outbound contacts.
        answered: Inbound contacts answered.
        answered_within: ... of which within the service-level threshold.
        abandoned: Inbound contacts abandoned.
        abandoned_within: ... of which within the service-level threshold.
        short_abandoned: ... of which within the short-abandon threshold.
        missed: Records with outcome ``missed``.
        voicemail: Records with outcome ``voicemail``.
        callbacks: Records with outcome ``callback``.
        overflowed: Records with outcome ``overflowed``.
        out_of_hours: Records with outcome ``out_of_hours``.
        self_served: Records with outcome ``self_served``: served by the IVR
            on its own.
        no_answer: Records with outcome ``no_answer`` (outbound).
        transferred_unanswered: Records with outcome ``transferred``: sent to
            another destination before anyone answered.
        rejected: Records with outcome ``rejected``: refused by the queue.
        failed: Records with outcome ``failed``.
        answered_wait_us: Total wait of inbound answered contacts.
        waited: Inbound contacts answered or abandoned (those that waited).
        wait_us: Their total wait.
        longest_wait_us: The longest of their waits (0 if none).
        handled: Answered records, both directions.
        talk_us: Their total talk time.
        hold_us: Their total hold time.
        after_call_work_us: Their total after-call work.
        held: Handled records put on hold at least once.
        transferred: Handled records transferred at least once.
        transfers: Transfers, in total.
        consults: Consultations, in total.
        agents: The agents who handled contacts.
        ivr_entered: Records that visited the IVR (``self_served`` ones among them).
        fcr_known: Records with a first-contact-resolution flag.
        fcr_resolved: ... of which resolved at first contact.
        repeat_known: Contacts (first legs) marked as repeat or not.
        repeats: ... of which repeats.
        csat_responses: CSAT answers.
        csat_top_two: ... of which 4 or 5.
        nps_responses: NPS answers.
        nps_promoters: ... of which 9 or 10.
        nps_detractors: ... of which 0 to 6.
        available_us: Agent time ready and waiting (``available``).
        reserved_us: Agent time with an offer ringing (``reserved``).
        busy_us: Agent time talking or holding (``busy``).
        wrap_up_us: Agent time in after-call work (``wrap_up``).
        not_ready_us: Agent time logged in but not ready (``not_ready``).
    """

    contacts: int = 0
    inbound: int = 0
    outbound: int = 0
    answered: int = 0
    answered_within: int = 0
    abandoned: int = 0
    abandoned_within: int = 0
    short_abandoned: int = 0
    missed: int = 0
    voicemail: int = 0
    callbacks: int = 0
    overflowed: int = 0
    out_of_hours: int = 0
    self_served: int = 0
    no_answer: int = 0
    transferred_unanswered: int = 0
    rejected: int = 0
    failed: int = 0
    answered_wait_us: int = 0
    waited: int = 0
    wait_us: int = 0
    longest_wait_us: int = 0
    handled: int = 0
    talk_us: int = 0
    hold_us: int = 0
    after_call_work_us: int = 0
    held: int = 0
    transferred: int = 0
    transfers: int = 0
    consults: int = 0
    agents: set[str] = attrs.Factory(set)
    ivr_entered: int = 0
    fcr_known: int = 0
    fcr_resolved: int = 0
    repeat_known: int = 0
    repeats: int = 0
    csat_responses: int = 0
    csat_top_two: int = 0
    nps_responses: int = 0
    nps_promoters: int = 0
    nps_detractors: int = 0
    available_us: int = 0
    reserved_us: int = 0
    busy_us: int = 0
    wrap_up_us: int = 0
    not_ready_us: int = 0

    def __attrs_post_init__(self) -> None:
        """Check every total and the agents.

        Raises:
            InvalidInputError: A total is not a whole number from 0 to
                ``10**30``, or ``agents`` is not a set of names; ``field``
                names the first such field.
            InvalidRecordError: Totals contradict each other (a part above
                its whole, ``contacts`` other than ``inbound + outbound``);
                every problem is listed.
        """
        values = _counters_of(self)  # one C call for every total, then a quick look
        if set(map(type, values)) != {int} or min(values) < 0 or max(values) > MAX_TOTAL:
            for name, value in zip(_COUNTERS, values, strict=True):
                check_count(value, name, low=0, high=MAX_TOTAL)
        if not isinstance(self.agents, set):
            raise InvalidInputError(
                f"agents must be a set of agent names, got {type(self.agents).__name__}",
                field="agents",
            )
        for agent in self.agents:
            check_text(agent, "agents")
        problems = list(totals_problems(self))
        if problems:
            raise InvalidRecordError("totals", problems)

    def merge(self, other: Aggregate) -> None:
        """Add ``other``'s totals to these, exactly.

        Raises:
            InvalidInputError: ``other`` is not an ``Aggregate``; nothing changed.
        """
        if not isinstance(other, Aggregate):
            raise InvalidInputError(
                f"other must be an Aggregate, got {type(other).__name__}", field="other"
            )
        for field in _SUMMED:
            setattr(self, field, getattr(self, field) + getattr(other, field))
        self.longest_wait_us = max(self.longest_wait_us, other.longest_wait_us)
        self.agents |= other.agents

    def copy(self) -> Aggregate:
        """Return an independent copy."""
        return attrs.evolve(self, agents=set(self.agents))

    def add_agent_time(self, state: AgentState, micros: int) -> None:
        """Count ``micros`` of agent time spent in ``state``.

        Raises:
            InvalidInputError: ``state`` is not an ``AgentState`` (or is
                ``logged_out``: only logged-in time counts) or ``micros``
                not a whole number from 0 to ``10**30``; nothing changed.
        """
        name = _AGENT_TIME.get(check_enum(state, AgentState, "state"))
        if name is None:
            raise InvalidInputError(
                "state must not be 'logged_out': only logged-in time counts", field="state"
            )
        check_count(micros, "micros", low=0, high=MAX_TOTAL)
        setattr(self, name, getattr(self, name) + micros)


_AGENT_TIME = {
    AgentState.AVAILABLE: "available_us",
    AgentState.RESERVED: "reserved_us",
    AgentState.BUSY: "busy_us",
    AgentState.WRAP_UP: "wrap_up_us",
    AgentState.NOT_READY: "not_ready_us",
}
"""The total each agent state's time goes to (``logged_out`` is not logged-in time)."""

_COUNTERS = tuple(field.name for field in attrs.fields(Aggregate) if field.name != "agents")
_counters_of = operator.attrgetter(*_COUNTERS)
_SUMMED = tuple(name for name in _COUNTERS if name != "longest_wait_us")


# (part, whole): a part of a group's totals never exceeds its whole.
_PARTS = (
    ("answered_within", "answered"),
    ("abandoned_within", "abandoned"),
    ("short_abandoned", "abandoned"),
    ("answered", "handled"),
    ("held", "handled"),
    ("transferred", "handled"),
    ("transferred", "transfers"),
    ("answered_wait_us", "wait_us"),
    ("longest_wait_us", "wait_us"),
    ("self_served", "ivr_entered"),
    ("fcr_resolved", "fcr_known"),
    ("repeats", "repeat_known"),
    ("csat_top_two", "csat_responses"),
)


def totals_problems(totals: Aggregate) -> Iterator[Problem]:
    """Yield every way a group's totals contradict each other (a part above its whole)."""
    for part, whole in _PARTS:
        if getattr(totals, part) > getattr(totals, whole):
            yield Problem(part, f"must not exceed {whole}")
    for total, parts in (
        ("contacts", ("inbound", "outbound")),
        ("waited", ("answered", "abandoned")),
    ):
        if getattr(totals, total) != sum(getattr(totals, part) for part in parts):
            yield Problem(total, f"must equal {' + '.join(parts)}")
    if totals.nps_promoters + totals.nps_detractors > totals.nps_responses:
        yield Problem("nps_promoters", "and nps_detractors must not exceed nps_responses")
    if len(totals.agents) > totals.handled:
        yield Problem("agents", "must not name more agents than contacts handled")


def over_limit(totals: Aggregate) -> str | None:
    """Return the name of the first total above ``10**30``, if any (after merges)."""
    return next((name for name in _COUNTERS if getattr(totals, name) > MAX_TOTAL), None)


_INBOUND = Direction.INBOUND
_ANSWERED = ContactOutcome.ANSWERED
_ABANDONED = ContactOutcome.ABANDONED
_COUNTED_BY_OUTCOME = {
    ContactOutcome.MISSED: "missed",
    ContactOutcome.VOICEMAIL: "voicemail",
    ContactOutcome.CALLBACK: "callbacks",
    ContactOutcome.OVERFLOWED: "overflowed",
    ContactOutcome.OUT_OF_HOURS: "out_of_hours",
    ContactOutcome.SELF_SERVED: "self_served",
    ContactOutcome.NO_ANSWER: "no_answer",
    ContactOutcome.TRANSFERRED: "transferred_unanswered",
    ContactOutcome.REJECTED: "rejected",
    ContactOutcome.FAILED: "failed",
}
"""The count each outcome other than answered and abandoned feeds (never ``queued``)."""


# One flat function on purpose: it runs once per record, and calls cost time.
def add_record(  # noqa: C901, PLR0912, PLR0915
    totals: Aggregate, record: InteractionRecord, service_level: timedelta, short_abandon: timedelta
) -> None:
    """Count one interaction record into ``totals`` with the thresholds given.

    A contact counts once in the volumes and in repeat-window FCR, at its
    first leg; every leg counts in the per-leg totals.
    """
    first_leg = record.first_leg
    outcome = record.outcome
    inbound = record.direction is _INBOUND
    if first_leg:
        totals.contacts += 1
        if inbound:
            totals.inbound += 1
        else:
            totals.outbound += 1
    if outcome is _ANSWERED:
        answered_at: datetime = record.answered_at  # type: ignore[assignment]
        if inbound:
            waited = answered_at - (record.queued_at or record.arrived_at)
            wait = waited // _US
            totals.answered += 1
            totals.answered_wait_us += wait
            totals.waited += 1
            totals.wait_us += wait
            if wait > totals.longest_wait_us:  # noqa: PLR1730 - cheaper than max() here
                totals.longest_wait_us = wait
            if waited <= service_level:
                totals.answered_within += 1
        hold = record.hold_time
        totals.handled += 1
        if hold:
            hold_us = hold // _US
            totals.hold_us += hold_us
            totals.talk_us += (record.ended_at - answered_at) // _US - hold_us
            totals.held += 1
        else:
            totals.talk_us += (record.ended_at - answered_at) // _US
            if record.holds:
                totals.held += 1
        if record.wrap_up_ended_at is not None:
            totals.after_call_work_us += (record.wrap_up_ended_at - record.ended_at) // _US
        if record.transfers:
            totals.transferred += 1
            totals.transfers += record.transfers
        if record.consults:
            totals.consults += record.consults
        if record.agent is not None:
            totals.agents.add(record.agent)
    elif outcome is _ABANDONED:
        if inbound:
            waited = record.ended_at - (record.queued_at or record.arrived_at)
            wait = waited // _US
            totals.abandoned += 1
            totals.waited += 1
            totals.wait_us += wait
            if wait > totals.longest_wait_us:  # noqa: PLR1730 - cheaper than max() here
                totals.longest_wait_us = wait
            if waited <= service_level:
                totals.abandoned_within += 1
            if waited <= short_abandon:
                totals.short_abandoned += 1
    else:
        name = _COUNTED_BY_OUTCOME[outcome]
        setattr(totals, name, getattr(totals, name) + 1)
    if record.ivr_path:
        totals.ivr_entered += 1
    if record.first_contact_resolved is not None:
        totals.fcr_known += 1
        totals.fcr_resolved += record.first_contact_resolved
    if record.repeat_contact is not None and first_leg:
        totals.repeat_known += 1
        totals.repeats += record.repeat_contact
    if record.csat is not None:
        totals.csat_responses += 1
        totals.csat_top_two += record.csat >= 4
    if record.nps is not None:
        totals.nps_responses += 1
        totals.nps_promoters += record.nps >= 9
        totals.nps_detractors += record.nps <= 6
