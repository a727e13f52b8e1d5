"""The router: a sans-I/O automatic contact distributor.

Every public method takes ``now``, first runs the timers that fell due before
it (offer time-outs, wrap-up and delay ends, escalation, overflow), each at its
own due time, then applies the input and returns an :class:`RouterUpdate`. An input
that does not fit the state raises and changes nothing: the timers due by its
``now`` do not run either (or are undone with the state), so nothing is held
outside the snapshot and the next call, or a restored router, reports them.

The router keeps one invariant after every input: no available agent is
eligible for a waiting contact. So the only contacts that may be served after
a change are the new or returning ones and those a freed agent may take; of
these, the first by the global policy (higher priority, then earlier arrival)
goes to the agent its queue's strategy chooses among all available eligible
agents, then the next (:meth:`Router._settle`). Every offer is made that way.

The router coordinates: its commands, the work of timers as they fall due,
matching (a waiting contact to the best agent, a freed agent to the best
contact) and escalation and overflow. What works on one object is that
object's: agents, contacts and queues keep themselves (``_live``), agent lines
and their index pick agents (``_lines``), the timers know whether they still
stand (``_timers``), and the live state goes to a snapshot and back
(``_snapshot``).
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from callcore.acd import _timers
from callcore.acd._build import (
    ANSWERED_SETTERS,
    ENDED_SETTERS,
    OFFER_SETTERS,
    OFFERED_SETTERS,
    QUEUED_SETTERS,
    UPDATE_SETTERS,
    agent_state_changed,
    contact_queued,
    new_update,
    offer_ended,
)
from callcore.acd._callbacks import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_RETRY_SPACING,
    CallbackAttemptEnded,
    CallbackDue,
    CallbackEnded,
    CallbackOutcome,
    CallbackResult,
    CallbackScheduled,
    CancelledBy,
    ScheduledCallback,
    check_attempts,
    check_request_time,
)
from callcore.acd._events import (
    AgentRemoved,
    CallbackRequested,
    ContactAbandoned,
    ContactAnswered,
    ContactEnded,
    ContactEscalated,
    ContactOffered,
    ContactOverflowed,
    ContactQueued,
    ContactRejected,
    ContactTransferred,
    Offer,
    OfferEndReason,
    PriorityChanged,
    RouterUpdate,
)
from callcore.acd._lines import AgentIndex, Cursor
from callcore.acd._live import Agent, Contact, ContactEntry, QueueRuntime
from callcore.acd._model import (
    MAX_NUMBER,
    AgentProfile,
    ContactStatus,
    DeclineReason,
    NotReadyReason,
    OverflowAction,
    QueueConfig,
)
from callcore.acd._snapshot import AbandonedRecord, RouterSnapshot, capture, restore_into
from callcore.acd._strategy import BUILTIN_STRATEGIES, Strategy
from callcore.acd._timers import (
    CALLBACK_DUE,
    CATCH_UP_PERIODS,
    CONTACT_DUE,
    CONTACT_ELIGIBLE,
    DELAY_END,
    OFFER_EXPIRY,
    QUEUE_EMPTY,
    WRAP_END,
    Timers,
    shortest_period,
)
from callcore.acd._validation import (
    check_strategies,
    validate_profile,
    validate_queues,
    validate_snapshot,
)
from callcore.acd._views import (
    AgentBoard,
    AgentView,
    Announcement,
    ContactView,
    QueueBoard,
    Wallboard,
)
from callcore.checks import (
    EARLIEST,
    LATEST,
    MAX_TEXT,
    check_count,
    check_duration,
    check_enum,
    check_now,
    check_text,
)
from callcore.contacts import (
    AgentState,
    QueueRequest,
    Skills,
    check_skills,
    plainly_skills,
)
from callcore.errors import (
    CallcoreError,
    DocumentError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from callcore.events import Event

__all__ = ["Router"]

_ZERO = timedelta(0)

_NOTHING = new_update((), (), ())
"""The update of a call that caused nothing (frozen, so one instance serves all)."""

_R = TypeVar("_R")
_new_object = object.__new__


def _contact_skills(skills: object) -> dict[str, int]:
    """A new contact's skills, checked, as a new dict (a quick look for the usual case)."""
    if skills is None:
        return {}
    if skills.__class__ is not dict:
        check_skills(skills, "skills")
    wanted: dict[str, int] = dict(skills)  # type: ignore[call-overload] # a Mapping
    if not plainly_skills(wanted):  # the copy is checked: the caller's map may change later
        check_skills(wanted, "skills")  # the thorough check, naming the skill at fault
    return wanted


_NOT_GIVEN_AS_WELL = ("priority", "skills", "language")


def _requested(
    request: object, priority: object, skills: object, language: object
) -> tuple[str, Any, Any, Any]:
    """The queue, priority, skills and language of a :class:`QueueRequest`.

    The request says them all: passing ``priority``, ``skills`` or ``language``
    as well (other than their defaults) is refused. The queue's name is checked
    here; the caller checks the others as if they were given apart. (A ``str``
    subclass is a name, checked and returned with the other arguments.)
    """
    if isinstance(request, str):
        return check_text(request, "queue", allow_empty=True), priority, skills, language
    given = (
        not (priority.__class__ is int and priority == 0),
        skills is not None,
        not (language.__class__ is str and language == ""),
    )
    if any(given):
        field = _NOT_GIVEN_AS_WELL[given.index(True)]
        raise InvalidInputError(
            f"{field} comes from the queue request: pass either a request or a queue name "
            f"with {field}, not both",
            field=field,
        )
    try:
        queue = request.queue  # type: ignore[attr-defined]
        fields = (request.priority, request.skills, request.language)  # type: ignore[attr-defined]
    except AttributeError:
        raise InvalidInputError(
            "queue must be a queue name or a QueueRequest (queue, priority, skills, "
            f"language), got {type(request).__name__}",
            field="queue",
        ) from None
    return (check_text(queue, "queue", allow_empty=True), *fields)


def _queue_list(queues: object) -> tuple[QueueConfig, ...]:
    """The queues given to a router, each a :class:`QueueConfig`."""
    if isinstance(queues, str | bytes | Mapping) or not hasattr(queues, "__iter__"):
        raise InvalidInputError(
            f"queues must be a list of QueueConfig, got {type(queues).__name__}", field="queues"
        )
    configs = tuple(queues)
    for number, config in enumerate(configs):
        if not isinstance(config, QueueConfig):
            what = f"queues[{number}]"
            raise InvalidInputError(
                f"{what} must be a QueueConfig, got {type(config).__name__}", field=what
            )
    return configs


class Router:
    """Distributes contacts over agents; pure, deterministic, fast.

    Args:
        queues: The queues.
        strategies: Strategies by name (default: the built-in ones).
        seed: Seed of the random source used by randomised strategies (an
            int of at most 256 bits).

    Raises:
        InvalidInputError: an argument has the wrong type (a queue that is not a
            :class:`QueueConfig`, a strategy without ``rank``...).
        DocumentError: the queue configuration has problems (all are listed).
    """

    def __init__(
        self,
        queues: Iterable[QueueConfig],
        *,
        strategies: Mapping[str, Strategy] | None = None,
        seed: int = 0,
    ) -> None:
        """Build a router with no agents and no contacts."""
        configs = _queue_list(queues)
        self._strategies = dict(
            BUILTIN_STRATEGIES if strategies is None else check_strategies(strategies)
        )
        check_count(seed, "seed", low=-(2**256), high=2**256)
        problems = validate_queues(configs, self._strategies)
        if problems:
            raise DocumentError(problems, "ACD queue configuration")
        self._catch_up = CATCH_UP_PERIODS * shortest_period(configs)
        self._queues: dict[str, QueueRuntime] = {
            config.name: QueueRuntime(config, self._strategies[config.strategy])
            for config in configs
        }
        self._agents: dict[str, Agent] = {}
        self._contacts: dict[str, Contact] = {}
        self._random = random.Random(seed)
        self._now: datetime | None = None
        self._seq = 0
        self._offers_made = 0
        self._abandoned: dict[str, AbandonedRecord] = {}
        """Places of callers who hung up, by contact id, while they may come back."""
        self._abandoned_ends: list[tuple[datetime, str]] = []
        """When each kept place is given up (a heap), to forget them in time order."""
        self._callbacks: dict[str, ScheduledCallback] = {}
        """Scheduled callbacks by id, from their request to their end (``_callbacks``)."""
        self._timers = Timers(self._agents, self._contacts, self._queues, callbacks=self._callbacks)
        self._rechecked = tuple(queue for queue in self._queues.values() if queue.rechecks_empty)
        """Queues whose ``empty_when`` conditions are re-checked after every instant."""
        self._dirty_contacts: dict[str, None] = {}
        self._dirty_agents: dict[str, None] = {}
        self._offers_out: list[Offer] = []
        self._ended_out: list[Offer] = []
        self._events_out: list[Event] = []

    # ------------------------------------------------------------------
    # Queries
    # ------------------------------------------------------------------

    @property
    def queues(self) -> tuple[QueueConfig, ...]:
        """The queue configuration."""
        return tuple(queue.config for queue in self._queues.values())

    @property
    def now(self) -> datetime | None:
        """The latest time the router has seen."""
        return self._now

    def agent(self, agent_id: str) -> AgentView:
        """Describe an agent the router has seen.

        Raises:
            NotFoundError: no such agent.
        """
        return self._get_agent(agent_id).view()

    def agent_ids(self) -> tuple[str, ...]:
        """Every agent the router has seen, logged in or not."""
        return tuple(self._agents)

    def contact(self, contact_id: str) -> ContactView:
        """Describe a contact the router holds.

        Raises:
            NotFoundError: no such contact (never seen, or already gone).
        """
        return self._get_contact(contact_id).view()

    def contact_ids(self) -> tuple[str, ...]:
        """Every contact the router holds."""
        return tuple(self._contacts)

    def line(self, queue: str) -> tuple[str, ...]:
        """The contacts of ``queue`` not yet connected, in the order they are served.

        Raises:
            NotFoundError: no such queue.
        """
        runtime = self._get_queue(queue)
        return tuple(contact.contact_id for contact in runtime.in_order())

    def announcement(self, contact_id: str) -> Announcement:
        """Position and estimated wait of a contact that is not yet connected.

        Raises:
            NotFoundError: no such contact.
            InvalidTransitionError: the contact is already connected.
        """
        contact = self._get_contact(contact_id)
        if contact.status is ContactStatus.CONNECTED:
            raise InvalidTransitionError("connected", "announce", "the contact is connected")
        return self._queues[contact.queue].announcement(contact, self._agents)

    def wallboard(self, *, now: datetime) -> Wallboard:
        """Real-time statistics at ``now``: every queue and every agent (a pure query).

        Per queue: contacts waiting and ringing, the longest current wait, and
        its logged-in members by state; per agent: its state and the time in
        it. The state is the one left by the latest call: a timer due between
        that call and ``now`` has not run (call :meth:`tick` first to have it
        run). Service level is not here: the router forgets a contact when it
        ends (see :class:`callcore.kpi.LiveView`).

        Raises:
            InvalidInputError: ``now`` is not an aware datetime in range, or is
                earlier than a time already seen.
        """
        now = self._check_now(now)
        agents = self._agents
        queues = [self._queue_board(name, runtime, now) for name, runtime in self._queues.items()]
        boards = tuple(
            AgentBoard(
                agent_id=agent_id,
                state=agent.state(),
                not_ready_reason=agent.not_ready,
                since=agent.state_since,
                time_in_state=None if agent.state_since is None else now - agent.state_since,
            )
            for agent_id, agent in sorted(agents.items())
        )
        return Wallboard(now=now, queues=tuple(queues), agents=boards)

    # ------------------------------------------------------------------
    # Contacts
    # ------------------------------------------------------------------

    def queue_board(self, queue: str, *, now: datetime) -> QueueBoard:
        """One queue's line of :meth:`wallboard` at ``now``, without the others (a pure query).

        Raises:
            NotFoundError: No queue of that name.
            InvalidInputError: ``now`` is not an aware datetime in range, or is
                earlier than a time already seen.
        """
        now = self._check_now(now)
        runtime = self._queues.get(queue) if type(queue) is str else None
        if runtime is None:
            raise NotFoundError("queue", str(queue)[:100])
        return self._queue_board(queue, runtime, now)

    def _queue_board(self, name: str, runtime: QueueRuntime, now: datetime) -> QueueBoard:
        """Count one queue's contacts by status and its logged-in members by state."""
        agents = self._agents
        waiting = offered = 0
        first: datetime | None = None
        for contact in runtime.in_line.values():
            if contact.status is ContactStatus.WAITING:
                waiting += 1
            else:
                offered += 1
            if first is None or contact.arrived < first:
                first = contact.arrived
        counts = dict.fromkeys(AgentState, 0)
        for agent_id in runtime.members:
            counts[agents[agent_id].state()] += 1
        return QueueBoard(
            queue=name,
            waiting=waiting,
            offered=offered,
            longest_wait=_ZERO if first is None else now - first,
            available=counts[AgentState.AVAILABLE],
            reserved=counts[AgentState.RESERVED],
            busy=counts[AgentState.BUSY],
            wrap_up=counts[AgentState.WRAP_UP],
            not_ready=counts[AgentState.NOT_READY],
        )

    def enqueue(  # noqa: C901, PLR0912 - the usual case's checks are inline (hot path)
        self,
        contact_id: str,
        queue: str | QueueRequest,
        *,
        now: datetime,
        priority: int = 0,
        skills: Skills | None = None,
        language: str = "",
    ) -> RouterUpdate:
        """A contact asks to be served by ``queue``.

        ``queue`` is a queue's name, or what a contact asks of a queue (any
        object with the attributes of :class:`callcore.contacts.QueueRequest`:
        ``queue``, ``priority``, ``skills`` and ``language``, such as the IVR's
        ``EnqueueContact`` action), handed over as it is. With a request, the
        priority, skills and language come from it: leave those arguments at
        their defaults.

        Args:
            contact_id: A new, unique id (a non-empty string).
            queue: The queue's name, or a :class:`~callcore.contacts.QueueRequest`.
            now: The current time.
            priority: Higher is served first (may be negative; at most
                1,000,000,000 either way).
            skills: Skills this contact needs on top of the queue's, with
                minimum levels 1..10 (at most 64 skills).
            language: The contact's language tag (``""``: none chosen); the
                router keeps it with the contact (:attr:`ContactView.language`).

        Returns:
            Offers made at once, or a ``ContactQueued`` / ``ContactRejected`` event.

        Raises:
            InvalidInputError: an argument has the wrong type or is out of
                range (``field`` names it), ``queue`` is a request and
                ``priority``, ``skills`` or ``language`` is given as well, or
                ``now`` is out of range or earlier than a time already seen.
            NotFoundError: no such queue.
            InvalidTransitionError: a contact with this id is already held.
        """
        last = self._now  # the usual case checked here: a call costs more than these tests
        if (
            now.__class__ is not datetime
            or now.tzinfo.__class__ is not timezone
            or not EARLIEST <= now < LATEST
            or (last is not None and now < last)
        ):
            now = self._check_now(now)
        if contact_id.__class__ is not str or not (
            0 < len(contact_id) <= MAX_TEXT and contact_id.isascii()
        ):
            check_text(contact_id, "contact_id")
        if queue.__class__ is not str:  # a request (or a wrong name)
            queue, priority, skills, language = _requested(queue, priority, skills, language)
        if priority.__class__ is not int or not -MAX_NUMBER <= priority <= MAX_NUMBER:
            check_count(priority, "priority", low=-MAX_NUMBER, high=MAX_NUMBER)
        wanted = {} if skills is None else _contact_skills(skills)
        if language.__class__ is not str or (
            language and not (len(language) <= MAX_TEXT and language.isascii())
        ):
            check_text(language, "language", allow_empty=True)
        timers = self._timers.heap
        if (
            timers
            and timers[0][0] <= now
            and contact_id in self._contacts
            and self._timers.contact_at_risk(contact_id, now, last)
        ):
            runtime = self._advance_checked(now, lambda: self._new_contact(contact_id, queue))
        else:
            found = self._queues.get(queue)  # _new_contact's checks, inline
            runtime = (
                self._new_contact(contact_id, queue)  # refuses
                if found is None or contact_id in self._contacts or contact_id in self._callbacks
                else found
            )
            if timers and timers[0][0] <= now:
                self._advance(now)
            else:  # _advance's own first test, inline: no timer is due
                self._now = now
        at = now  # _advance has moved the router to ``now`` (checked: in UTC)
        config = runtime.config
        reason = (  # the usual open queue refuses nobody: no call
            None
            if config.max_length is None and config.join_when_empty
            else runtime.refusal(self._agents)
        )
        if reason is not None:
            self._events_out.append(
                ContactRejected(at=at, contact_id=contact_id, queue=queue, reason=reason)
            )
            return self._flush()
        self._seq += 1
        arrived, seq = (
            self._resumed_place(contact_id, queue, at) if self._abandoned else (at, self._seq)
        )
        contact = Contact(  # positional: keyword parsing is slow on the hot path
            contact_id,
            queue,
            priority,
            wanted,
            arrived,
            at,
            seq,
            config.channel,
            # first_requirement's cache, read inline for a contact asking for no skills
            (skills is None and runtime.requirements.get(())) or runtime.first_requirement(wanted),
            runtime.channel_key,
            language,
        )
        self._contacts[contact_id] = contact
        runtime.in_line[contact_id] = contact
        if runtime.timed:
            self._schedule_contact(contact)
        if runtime.delays:
            self._set_eligible_timers(contact, runtime)
        queued: ContactQueued = _new_object(ContactQueued)  # contact_queued, inline (hot path)
        set_at, set_contact, set_queue, set_priority = QUEUED_SETTERS
        set_at(queued, at)
        set_contact(queued, contact_id)
        set_queue(queued, queue)
        set_priority(queued, priority)
        self._events_out.append(queued)
        if (
            not runtime.members or config.leave_when_empty or runtime.unstaffed_since is not None
        ) and self._turns_away(runtime):  # _turns_away's cases, the usual one skipped inline
            self._dirty_contacts[contact_id] = None
            self._overflow(contact)  # nobody to wait for: the queue's overflow, at once
        else:
            self._route(contact)  # nothing else is pending: _advance settled the timers' work
        return self._settle_and_flush()

    def _new_contact(self, contact_id: str, queue: str) -> QueueRuntime:
        """The queue a new contact asks for (refused: an unknown queue or a known id)."""
        runtime = self._queues.get(queue)
        if runtime is None:
            raise NotFoundError("queue", queue)
        if contact_id in self._contacts:
            raise InvalidTransitionError(
                self._contacts[contact_id].status.value, "enqueue", f"contact {contact_id!r} exists"
            )
        if contact_id in self._callbacks:
            raise InvalidTransitionError(
                "scheduled", "enqueue", f"a callback {contact_id!r} is scheduled under this id"
            )
        return runtime

    def _empty_too_long(self, runtime: QueueRuntime, wait: timedelta) -> bool:
        """Whether an unstaffed queue has been empty for ``wait`` (its ``max_wait_empty``).

        A queue nobody has staffed yet starts its empty clock at its first contact.
        """
        at = self._time()
        if runtime.empty_since is None:
            runtime.empty_since = at
            if runtime.sets_empty_timer(at + wait):
                self._timers.push(at + wait, QUEUE_EMPTY, runtime.config.name)
        return at >= runtime.empty_since + wait

    def abandon(self, contact_id: str, *, now: datetime) -> RouterUpdate:
        """The caller hung up before being connected; its place is freed.

        Raises:
            InvalidInputError: ``contact_id`` is not a string, or ``now`` is
                out of range or earlier than a time already seen.
            NotFoundError: no such contact.
            InvalidTransitionError: it is connected (end it instead), or it is a
                scheduled callback (cancel it with :meth:`cancel_callback`).
        """
        if self._callbacks and contact_id.__class__ is str and contact_id in self._callbacks:
            raise InvalidTransitionError(
                "scheduled", "abandon", "a scheduled callback is cancelled with cancel_callback"
            )
        contact = self._unconnected_at(contact_id, now, "abandon")
        at = self._time()  # _advance has moved the router to ``now``
        self._withdraw_contact_offers(contact)
        self._forget(contact)
        window = self._queues[contact.queue].config.resume_abandoned
        if window is not None:
            self._forget_abandoned(at)
            self._keep_abandoned(
                AbandonedRecord(
                    contact_id=contact_id,
                    queue=contact.queue,
                    arrived=contact.arrived,
                    seq=contact.seq,
                    until=at + window,
                )
            )
        self._events_out.append(
            ContactAbandoned(
                at=at, contact_id=contact_id, queue=contact.queue, waited=at - contact.arrived
            )
        )
        return self._settle_and_flush()

    def _keep_abandoned(self, record: AbandonedRecord) -> None:
        """Keep a hung-up caller's place until its queue's ``resume_abandoned`` runs out."""
        self._abandoned[record.contact_id] = record
        heapq.heappush(self._abandoned_ends, (record.until, record.contact_id))

    def _forget_abandoned(self, at: datetime) -> None:
        """Give up the kept places whose time ran out by ``at`` (memory stays bounded)."""
        ends = self._abandoned_ends
        kept = self._abandoned
        while ends and ends[0][0] <= at:
            until, contact_id = heapq.heappop(ends)
            record = kept.get(contact_id)
            if record is not None and record.until == until:
                del kept[contact_id]

    def _resumed_place(self, contact_id: str, queue: str, at: datetime) -> tuple[datetime, int]:
        """A new contact's arrival and number: a caller's old ones if it left ``queue`` in time.

        The id's kept place is given up once it is enqueued anywhere.
        """
        self._forget_abandoned(at)
        record = self._abandoned.pop(contact_id, None)
        if record is None or record.queue != queue:
            return at, self._seq
        return record.arrived, record.seq

    def set_priority(self, contact_id: str, priority: int, *, now: datetime) -> RouterUpdate:
        """Change the priority of a contact not yet connected; it takes effect at once.

        Raises:
            InvalidInputError: ``priority`` is not an int from -1,000,000,000 to
                1,000,000,000, ``contact_id`` is not a string, or ``now`` is out
                of range or earlier than a time already seen.
            NotFoundError: no such contact.
            InvalidTransitionError: it is connected.
        """
        check_count(priority, "priority", low=-MAX_NUMBER, high=MAX_NUMBER)
        contact = self._unconnected_at(contact_id, now, "change the priority of")
        contact.priority = priority
        if self._queues[contact.queue].wants_more(contact):
            self._queues[contact.queue].wait(contact)
        self._events_out.append(
            PriorityChanged(at=self._time(), contact_id=contact_id, priority=priority)
        )
        return self._settle_and_flush()

    def request_callback(self, contact_id: str, *, now: datetime) -> RouterUpdate:
        """A waiting caller leaves a callback request that keeps its place.

        The request no longer overflows on ``max_wait`` or an empty queue (no
        caller is holding); escalation rules still apply. Its offers carry
        ``callback=True``.

        Raises:
            InvalidInputError: ``contact_id`` is not a string, or ``now`` is
                out of range or earlier than a time already seen.
            NotFoundError: no such contact.
            InvalidTransitionError: it is connected or already a callback.
        """
        contact = self._unconnected_at(contact_id, now, "request a callback for", callback=True)
        self._make_callback(contact)
        self._events_out.append(
            CallbackRequested(at=self._time(), contact_id=contact_id, queue=contact.queue)
        )
        return self._settle_and_flush()

    def _unconnected_at(
        self, contact_id: str, now: datetime, action: str, *, callback: bool = False
    ) -> Contact:
        """Move to ``now`` and return the contact, which must not be connected.

        With ``callback``, it must not be a callback request either. Refused,
        nothing moves.
        """
        last = self._now  # the usual case checked here: a call costs more than these tests
        if (
            now.__class__ is not datetime
            or now.tzinfo.__class__ is not timezone
            or not EARLIEST <= now < LATEST
            or (last is not None and now < last)
        ):
            now = self._check_now(now)
        if contact_id.__class__ is not str:
            check_text(contact_id, "contact_id", allow_empty=True)
        timers = self._timers.heap
        if timers and timers[0][0] <= now and self._timers.contact_at_risk(contact_id, now, last):
            return self._advance_checked(
                now, lambda: self._unconnected(contact_id, action, callback=callback)
            )
        contact = self._unconnected(contact_id, action, callback=callback)
        self._advance(now)
        return contact

    def _unconnected(self, contact_id: str, action: str, *, callback: bool) -> Contact:
        contact = self._get_contact(contact_id)
        if contact.status is ContactStatus.CONNECTED:
            raise InvalidTransitionError(
                "connected", f"{action} contact {contact.contact_id!r}", "it is connected"
            )
        if callback and contact.callback:
            raise InvalidTransitionError(
                contact.status.value, "request a callback", "it already is a callback request"
            )
        return contact

    def accept(
        self, contact_id: str, agent_id: str, *, now: datetime, offer_id: str | None = None
    ) -> RouterUpdate:
        """The agent answered the offer; every other offer of the contact is withdrawn.

        Args:
            contact_id: The contact offered.
            agent_id: The agent who answered.
            now: The current time.
            offer_id: The :attr:`Offer.offer_id` answered, if the host has it:
                an answer to an earlier offer of the same contact to the same
                agent (one that ended, then was made again) is refused instead
                of taken for the current one.

        Raises:
            InvalidInputError: an id is not a string, or ``now`` is out of range
                or earlier than a time already seen.
            NotFoundError: no such contact or agent.
            InvalidTransitionError: no offer of this contact to this agent is
                pending (it expired, was declined or withdrawn, or never was),
                or ``offer_id`` is not the pending one's.
        """
        contact, agent, offer = self._offer_at(contact_id, agent_id, now, "accept", offer_id)
        at = self._now or self._time()  # _offer_at has moved the router to ``now`` (in UTC)
        del contact.offers[agent_id]
        del agent.offers[contact_id]
        timers = self._timers.heap
        if timers and timers[-1] == (offer.expires_at, OFFER_EXPIRY, contact_id, agent_id):
            timers.pop()  # its expiry, still the heap's last leaf: stale now, dropped for free
        if contact.target is not None:  # the agent it was transferred to took it
            self._untarget(contact)
        contact.status = ContactStatus.CONNECTED
        contact.timer_due = None  # no escalation or overflow once connected
        if contact.offers:  # ring all: the other offers are withdrawn
            self._withdraw_contact_offers(contact)
        contact.agent_id = agent_id
        contact.answered_at = at
        del self._queues[contact.queue].in_line[contact_id]
        agent.connected[contact_id] = contact.channel_key
        agent.answered += 1
        agent.no_answer_streak = 0
        agent.repush(self._random)
        answered: ContactAnswered = _new_object(ContactAnswered)  # contact_answered, inline
        set_at, set_contact, set_agent, set_queue, set_waited = ANSWERED_SETTERS
        set_at(answered, at)
        set_contact(answered, contact_id)
        set_agent(answered, agent_id)
        set_queue(answered, contact.queue)
        set_waited(answered, at - contact.arrived)
        self._events_out.append(answered)
        if agent.seen is not AgentState.BUSY:  # it holds a contact now
            agent.seen = AgentState.BUSY
            agent.state_since = at
        return self._settle_and_flush()

    def decline(
        self,
        contact_id: str,
        agent_id: str,
        *,
        now: datetime,
        reason: DeclineReason = DeclineReason.REJECTED,
        offer_id: str | None = None,
    ) -> RouterUpdate:
        """The agent rejected the offer (or its device was busy).

        The agent gets no offer for the queue's ``reject_delay`` (or
        ``busy_delay``); the contact goes back to its place. ``offer_id``, if
        given, must be the pending offer's (see :meth:`accept`).

        Raises:
            InvalidInputError: ``reason`` is not a :class:`DeclineReason`, an id
                is not a string, or ``now`` is out of range or earlier than a
                time already seen.
            NotFoundError: no such contact or agent.
            InvalidTransitionError: no such offer is pending.
        """
        check_enum(reason, DeclineReason, "reason")
        offer = self._offer_at(contact_id, agent_id, now, "decline", offer_id)[2]
        config = self._queues[offer.queue].config
        profile = self._agents[agent_id].profile  # the agent's own delays override the queue's
        if reason is DeclineReason.BUSY:
            delay = config.busy_delay if profile.busy_delay is None else profile.busy_delay
            self._end_offer(offer, OfferEndReason.BUSY, delay)
        else:
            delay = config.reject_delay if profile.reject_delay is None else profile.reject_delay
            self._end_offer(offer, OfferEndReason.REJECTED, delay)
        return self._settle_and_flush()

    def time_out(
        self, contact_id: str, agent_id: str, *, now: datetime, offer_id: str | None = None
    ) -> RouterUpdate:
        """Nobody answered the offer (reported by the host before it expired).

        ``offer_id``, if given, must be the pending offer's (see :meth:`accept`).

        Raises:
            InvalidInputError: an id is not a string, or ``now`` is out of range
                or earlier than a time already seen.
            NotFoundError: no such contact or agent.
            InvalidTransitionError: no such offer is pending.
        """
        offer = self._offer_at(contact_id, agent_id, now, "time out", offer_id)[2]
        self._expire(offer)
        return self._settle_and_flush()

    def _offer_at(
        self, contact_id: str, agent_id: str, now: datetime, action: str, offer_id: str | None
    ) -> tuple[Contact, Agent, Offer]:
        """Move to ``now`` and return the pending offer; refused, nothing moves."""
        last = self._now  # the usual case checked here: a call costs more than these tests
        if (
            now.__class__ is not datetime
            or now.tzinfo.__class__ is not timezone
            or not EARLIEST <= now < LATEST
            or (last is not None and now < last)
        ):
            now = self._check_now(now)
        if contact_id.__class__ is not str:
            check_text(contact_id, "contact_id", allow_empty=True)
        if agent_id.__class__ is not str:
            check_text(agent_id, "agent_id", allow_empty=True)
        if offer_id is not None and offer_id.__class__ is not str:
            check_text(offer_id, "offer_id", allow_empty=True)
        timers = self._timers.heap
        if (
            timers
            and timers[0][0] <= now
            and self._timers.pair_at_risk(contact_id, agent_id, now, last)
        ):
            return self._advance_checked(
                now, lambda: self._get_offer(contact_id, agent_id, action, offer_id)
            )
        contact = self._contacts.get(contact_id)  # _get_offer's look-ups, inline (the usual case)
        offer = None if contact is None else contact.offers.get(agent_id)
        agent = None if offer is None else self._agents.get(agent_id)
        if (
            contact is None
            or offer is None
            or agent is None
            or (offer_id is not None and offer.offer_id != offer_id)
        ):
            contact, agent, offer = self._get_offer(contact_id, agent_id, action, offer_id)
        if timers and timers[0][0] <= now:
            self._advance(now)
        else:  # _advance's own first test, inline: no timer is due
            self._now = now
        return contact, agent, offer

    def end(self, contact_id: str, *, now: datetime) -> RouterUpdate:
        """A connected contact ended; the agent enters wrap-up if its queue has one.

        Raises:
            InvalidInputError: ``contact_id`` is not a string, or ``now`` is
                out of range or earlier than a time already seen.
            NotFoundError: no such contact.
            InvalidTransitionError: the contact is not connected.
        """
        last = self._now  # the usual case checked here: a call costs more than these tests
        if (
            now.__class__ is not datetime
            or now.tzinfo.__class__ is not timezone
            or not EARLIEST <= now < LATEST
            or (last is not None and now < last)
        ):
            now = self._check_now(now)
        contact = (  # timers never touch a connected contact
            self._contacts.get(contact_id) if contact_id.__class__ is str else None
        ) or self._get_contact(contact_id)  # _get_contact refuses what the look-up missed
        if contact.status is not ContactStatus.CONNECTED or contact.agent_id is None:
            raise InvalidTransitionError(
                contact.status.value, "end contact", "only a connected contact can end"
            )
        timers = self._timers.heap
        if timers and timers[0][0] <= now:
            self._advance(now)
        else:  # _advance's own first test, inline: no timer is due
            self._now = now
        at = now  # _advance has moved the router to ``now`` (checked: in UTC)
        agent = self._agents[contact.agent_id]
        talk = at - (contact.answered_at or at)
        del self._contacts[contact_id]
        if self._callbacks:  # an attempt ended with no result: the customer was reached
            self._callback_reached(contact, at)
        ended: ContactEnded = _new_object(ContactEnded)  # contact_ended, inline (hot path)
        set_at, set_contact, set_agent, set_queue, set_talk = ENDED_SETTERS
        set_at(ended, at)
        set_contact(ended, contact_id)
        set_agent(ended, agent.agent_id)
        set_queue(ended, contact.queue)
        set_talk(ended, talk)
        self._events_out.append(ended)
        self._free_agent(agent, contact_id, self._queues[contact.queue], talk)
        freed = self._dirty_agents
        if (
            not self._dirty_contacts
            and not agent.awaiting
            and len(freed) == 1
            and agent.agent_id in freed
        ):
            for queue in agent.queues:
                if queue.groups:
                    break
            else:  # no line of its queues waits: _settle would only drop it (_freed_agents_pick)
                freed.clear()
        return self._settle_and_flush()

    def _free_agent(
        self, agent: Agent, contact_id: str, queue: QueueRuntime, talk: timedelta
    ) -> None:
        """The agent's part in a connected contact ended (it ended, or was transferred).

        The agent counts the talk time and enters the wrap-up of ``queue`` (the
        one it answered the contact from), if it has one.
        """
        at = self._now or self._time()  # set by _advance (a datetime is true)
        agent.load[agent.connected.pop(contact_id)] -= 1
        try:  # Agent.add_talk, inline (hot path)
            agent.talk_time += talk
        except OverflowError:  # pragma: no cover - millions of years of talk
            agent.add_talk(talk)
        else:
            agent.talk_seconds = agent.talk_time.total_seconds()
        agent.idle_since = at
        wrap_up = _wrap_up_of(agent, queue)
        queue.handle_times.append((talk + wrap_up).total_seconds())
        if wrap_up > _ZERO and agent.not_ready is None:
            agent.wrap_until = at + wrap_up
            self._timers.push(agent.wrap_until, WRAP_END, agent.agent_id)
            self._events_out.append(agent_state_changed(at, agent.agent_id, AgentState.WRAP_UP))
            if agent.offers:  # a multi-channel agent may have one ringing: no offer in wrap-up
                self._withdraw_agent_offers(agent)
        agent.mark(at)
        agent.repush(self._random)  # _release, inline
        if agent.ready:
            self._dirty_agents[agent.agent_id] = None

    def transfer(
        self,
        contact_id: str,
        *,
        now: datetime,
        to_queue: str | None = None,
        to_agent: str | None = None,
        agent_wait: timedelta = _ZERO,
        priority: int | None = None,
    ) -> RouterUpdate:
        """Transfer a connected contact to a queue, or to a named agent (a blind transfer).

        The agent who held it is freed as if the contact had ended (its talk
        time counts, then its queue's wrap-up). The contact waits again, in
        ``to_queue`` (default: the queue it was answered from), keeping its
        id, arrival time (so its place in the global order), skills, language,
        callback flag and, unless ``priority`` is given, its priority. Its
        escalation starts over in that queue, as on a move by overflow.

        With ``to_agent``, the contact is offered to that agent only, with the
        queue's ``offer_timeout``, whatever its tier or skills (the
        transferring agent chose it; it need not be a member of the queue). If
        the agent cannot take it now (busy, ringing, in wrap-up, not ready, at
        capacity), the contact waits for that agent up to ``agent_wait``; it
        goes to the queue's agents by the queue's strategy as soon as that
        wait ends, the agent declines or misses the offer, or logs out (or at
        once when ``agent_wait`` is zero or the agent is logged out), as
        TaskRouter's known-agent target with its timeout does.

        Args:
            contact_id: A connected contact.
            now: The current time.
            to_queue: The queue it goes to (default: its own).
            to_agent: The agent it is offered to first (not the one who holds it).
            agent_wait: How long it may wait for ``to_agent`` to become able to
                take it (only with ``to_agent``).
            priority: Its new priority (default: it keeps its own).

        Returns:
            ``ContactTransferred``, the agent's wrap-up, ``ContactQueued`` for
            the queue, and any offer made at once.

        Raises:
            InvalidInputError: an argument has the wrong type or is out of range,
                ``to_agent`` is the agent who holds the contact, ``agent_wait``
                is given without ``to_agent``, or ``now`` is out of range or
                earlier than a time already seen.
            NotFoundError: no such contact, queue or agent.
            InvalidTransitionError: the contact is not connected.
        """
        now = self._check_now(now)
        check_text(contact_id, "contact_id", allow_empty=True)
        if to_queue is not None:
            check_text(to_queue, "to_queue", allow_empty=True)
        if to_agent is not None:
            check_text(to_agent, "to_agent", allow_empty=True)
        check_duration(agent_wait, "agent_wait")
        if priority is not None:
            check_count(priority, "priority", low=-MAX_NUMBER, high=MAX_NUMBER)
        if to_agent is None and agent_wait:
            raise InvalidInputError(
                "agent_wait is how long to wait for to_agent: give to_agent too",
                field="agent_wait",
            )
        contact = self._get_contact(contact_id)  # timers never touch a connected contact
        queue_name = contact.queue if to_queue is None else self._get_queue(to_queue).config.name
        target = None if to_agent is None else self._get_agent(to_agent)
        if contact.status is not ContactStatus.CONNECTED or contact.agent_id is None:
            raise InvalidTransitionError(
                contact.status.value, "transfer contact", "only a connected contact is transferred"
            )
        if target is not None and target.agent_id == contact.agent_id:
            raise InvalidInputError(
                f"to_agent: contact {contact_id!r} is connected to {to_agent!r} already",
                field="to_agent",
            )
        self._advance(now)
        at = self._time()  # _advance has moved the router to ``now``
        holder = self._agents[contact.agent_id]
        answered_from = self._queues[contact.queue]
        if self._callbacks:  # an attempt transferred: the customer was reached
            self._callback_reached(contact, at)
        talk = at - (contact.answered_at or at)
        self._events_out.append(
            ContactTransferred(
                at=at,
                contact_id=contact_id,
                agent_id=holder.agent_id,
                queue=contact.queue,
                to_queue=queue_name,
                to_agent=to_agent,
                talk_time=talk,
            )
        )
        contact.status = ContactStatus.WAITING
        contact.agent_id = None
        contact.answered_at = None
        if priority is not None:
            contact.priority = priority
        # it waits for the agent only if that agent may take it now or within the wait
        waits = target is not None and (
            target.can_take(self._queues[queue_name].channel_key)
            or (target.logged_in and agent_wait > _ZERO)
        )
        # no wait: only the ring made now (the agent could take it) may connect them
        until = at + agent_wait if agent_wait > _ZERO else None
        self._enter(contact, queue_name, target if waits else None, until)
        if not waits and not self._keeps(contact):
            self._overflow(contact, {queue_name})
        # routed while its agent still holds it and is kept out (even with a free
        # chat), so that another agent takes it if one is free (TaskRouter's
        # transfer sample filters the transferring worker out)
        self._settle_without(holder, answered_from)
        self._free_agent(holder, contact_id, answered_from, talk)
        return self._settle_and_flush()

    def _settle_without(self, agent: Agent, queue: QueueRuntime) -> None:
        """Settle with ``agent`` kept out, whatever room it has.

        An agent about to enter the wrap-up of ``queue`` loses its other rings
        first, so that their contacts are matched together with the one it
        transferred, in the global order. The lines that meet it meanwhile
        note it as dropped (it gets them back when released); it leaves the
        random strategies' pools and comes back.
        """
        if agent.offers and _wrap_up_of(agent, queue) > _ZERO and agent.not_ready is None:
            self._withdraw_agent_offers(agent)
        agent.ready = False
        if agent.pool_queues:
            agent.sync_pools()
        self._settle()
        agent.refresh()

    # ------------------------------------------------------------------
    # Agents
    # ------------------------------------------------------------------

    def log_in(self, profile: AgentProfile, *, now: datetime, ready: bool = True) -> RouterUpdate:
        """An agent logs in, available at once unless ``ready`` is false.

        An agent seen before keeps its counters; the new profile replaces the
        old one.

        Raises:
            InvalidInputError: ``profile`` is not an :class:`AgentProfile`,
                ``ready`` is not a bool, or ``now`` is out of range or earlier
                than a time already seen.
            DocumentError: the profile does not fit the queues (unknown or
                repeated queue); all problems are listed.
            InvalidTransitionError: the agent is already logged in.
        """
        now = self._check_now(now)
        if not isinstance(profile, AgentProfile):
            raise InvalidInputError(
                f"profile must be an AgentProfile, got {type(profile).__name__}", field="profile"
            )
        if not isinstance(ready, bool):
            raise InvalidInputError(
                f"ready must be true or false, got {type(ready).__name__}", field="ready"
            )
        problems = validate_profile(profile, self._queues.keys())
        if problems:
            raise DocumentError(problems, f"agent {profile.agent_id!r}")
        existing = self._agents.get(profile.agent_id)
        if existing is not None and existing.logged_in:  # timers never log an agent in or out
            raise InvalidTransitionError(
                existing.state().value, "log in", "the agent is already logged in"
            )
        self._advance(now)
        at = self._time()  # _advance has moved the router to ``now``
        agent = existing or Agent(profile=profile, idle_since=at)
        agent.logged_in = True
        agent.not_ready = None if ready else NotReadyReason.OTHER
        agent.no_answer_streak = 0
        self._agents[profile.agent_id] = agent
        for queue, delay in agent.join(profile, self._queues):  # a delay new to its queue
            for contact in queue.in_line.values():
                if contact.joined + delay > at:
                    self._timers.push(contact.joined + delay, CONTACT_ELIGIBLE, contact.contact_id)
        state = AgentState.AVAILABLE if ready else AgentState.NOT_READY
        self._events_out.append(agent_state_changed(at, agent.agent_id, state, agent.not_ready))
        agent.mark(at)
        self._release(agent)
        return self._settle_and_flush()

    def log_out(self, agent_id: str, *, now: datetime) -> RouterUpdate:
        """An agent logs out; its ringing offers are withdrawn.

        Raises:
            InvalidInputError: ``agent_id`` is not a string, or ``now`` is out
                of range or earlier than a time already seen.
            NotFoundError: no such agent.
            InvalidTransitionError: it is logged out already, or still has
                connected contacts (end them first).
        """
        now = self._check_now(now)
        agent = self._get_agent(agent_id)  # timers never log out or connect: check first
        if not agent.logged_in:
            raise InvalidTransitionError("logged_out", "log out", "the agent is not logged in")
        if agent.connected:
            raise InvalidTransitionError(
                "busy", "log out", f"end its contacts first: {', '.join(sorted(agent.connected))}"
            )
        self._advance(now)
        at = self._time()  # _advance has moved the router to ``now``
        self._withdraw_agent_offers(agent)
        for contact_id in list(agent.awaiting):  # transferred to it: the queue takes them
            self._fall_back(self._contacts[contact_id])
        agent.logged_in = False
        agent.not_ready = None
        agent.wrap_until = None
        agent.delay_until = None
        agent.refresh()
        agent.invalidate()
        self._leave_queues(agent)
        self._events_out.append(agent_state_changed(at, agent_id, AgentState.LOGGED_OUT))
        agent.mark(at)
        return self._settle_and_flush()

    def remove_agent(self, agent_id: str, *, now: datetime) -> RouterUpdate:
        """Forget a logged-out agent: its profile, counters and places go.

        For an agent deleted from the host's directory: a router otherwise
        keeps every agent it has seen, so that one who logs in again keeps its
        counters. An agent id removed may log in again as a new agent.

        Raises:
            InvalidInputError: ``agent_id`` is not a string, or ``now`` is out
                of range or earlier than a time already seen.
            NotFoundError: no such agent.
            InvalidTransitionError: the agent is logged in (log it out first).
        """

        def can_remove(agent: Agent) -> None:
            if agent.logged_in:
                raise InvalidTransitionError(
                    agent.state().value, "remove agent", "log the agent out first"
                )

        agent = self._agent_at(agent_id, now, can_remove)
        del self._agents[agent_id]
        # every queue: an earlier log-in with other memberships left entries there too
        for queue in self._queues.values():
            queue.forget_agent(agent)
        self._events_out.append(AgentRemoved(at=self._time(), agent_id=agent_id))
        return self._flush()

    def set_ready(self, agent_id: str, *, now: datetime) -> RouterUpdate:
        """The agent is ready for contacts (ends not-ready or wrap-up early).

        Raises:
            InvalidInputError: ``agent_id`` is not a string, or ``now`` is out
                of range or earlier than a time already seen.
            NotFoundError: no such agent.
            InvalidTransitionError: logged out, or already ready and not in wrap-up.
        """
        agent = self._agent_at(agent_id, now, self._can_set_ready)
        agent.not_ready = None
        agent.wrap_until = None
        agent.no_answer_streak = 0
        self._events_out.append(agent_state_changed(self._time(), agent_id, AgentState.AVAILABLE))
        agent.mark(self._time())
        self._release(agent)
        return self._settle_and_flush()

    def _can_set_ready(self, agent: Agent) -> None:
        if not agent.logged_in:
            raise InvalidTransitionError("logged_out", "set ready", "log the agent in first")
        if agent.not_ready is None and agent.wrap_until is None:
            raise InvalidTransitionError(
                agent.state().value, "set ready", "the agent is ready already"
            )

    def set_not_ready(
        self, agent_id: str, reason: NotReadyReason, *, now: datetime
    ) -> RouterUpdate:
        """The agent takes no new contact (break, lunch...); ringing offers are withdrawn.

        Connected contacts go on; no wrap-up follows them.

        Raises:
            InvalidInputError: ``reason`` is not a :class:`NotReadyReason` (a
                plain ``"lunch"`` is refused: pass ``NotReadyReason.LUNCH``),
                ``agent_id`` is not a string, or ``now`` is out of range or
                earlier than a time already seen.
            NotFoundError: no such agent.
            InvalidTransitionError: logged out, or not ready for this reason already.
        """
        check_enum(reason, NotReadyReason, "reason")

        def can_pause(agent: Agent) -> None:
            if not agent.logged_in:
                raise InvalidTransitionError(
                    "logged_out", "set not ready", "log the agent in first"
                )
            if agent.not_ready is reason:
                raise InvalidTransitionError(
                    "not_ready", "set not ready", f"the agent is not ready ({reason.value}) already"
                )

        agent = self._agent_at(agent_id, now, can_pause)
        self._pause(agent, reason)
        return self._settle_and_flush()

    def _agent_at(self, agent_id: str, now: datetime, check: Callable[[Agent], None]) -> Agent:
        """Move to ``now`` and return the agent that passes ``check``; refused, nothing moves."""
        last = self._now  # the usual case checked here: a call costs more than these tests
        if (
            now.__class__ is not datetime
            or now.tzinfo.__class__ is not timezone
            or not EARLIEST <= now < LATEST
            or (last is not None and now < last)
        ):
            now = self._check_now(now)
        agent = self._get_agent(agent_id)  # timers never add an agent
        timers = self._timers.heap
        if timers and timers[0][0] <= now and self._timers.agent_at_risk(agent, now, last):
            self._advance_checked(now, lambda: check(agent))
        else:
            check(agent)
            self._advance(now)
        return agent

    def next_deadline(self) -> datetime | None:
        """The earliest instant at which a timer falls due, or ``None`` when none is set.

        Timers are the router's own work that needs no input: an offer that
        times out, a wrap-up or a delay after a missed or declined offer that
        ends, a contact's next escalation rule or its ``max_wait``, a waiting
        contact's wait reaching a member's ``Membership.delay``, a queue's
        ``max_wait_empty``. A host that calls :meth:`tick` with ``now`` at this
        instant (or any command at or after it) has them run; before it,
        ``tick`` changes nothing. After ``tick(now=deadline)`` the next
        deadline is later (or ``None``).

        The instant may equal :attr:`now` (an escalation rule with
        ``after=0`` falls due at the moment the contact arrived).
        """
        return self._timers.next_deadline()

    def tick(self, *, now: datetime) -> RouterUpdate:
        """Let time pass: run every timer due by ``now``.

        Every public method does this first; a call that moves the router
        further than 1,000 of its shortest timer periods (an offer timeout, a
        ``max_wait``, a moving rule's ``after``) past the first due timer runs at
        most 100,000 timers, or is refused as a whole.

        Raises:
            NaiveDatetimeError: ``now`` is naive.
            InvalidInputError: ``now`` is not a datetime, lies outside 1900-2999,
                is earlier than a time already seen, or so far ahead that more
                than 100,000 timers would run (move on in smaller steps).
        """
        now = self._check_now(now)
        self._advance(now)
        return self._flush()

    # ------------------------------------------------------------------
    # Scheduled callbacks (the rules: ``_callbacks``)
    # ------------------------------------------------------------------

    def schedule_callback(
        self,
        callback_id: str,
        queue: str | QueueRequest,
        *,
        now: datetime,
        at: datetime,
        priority: int = 0,
        skills: Skills | None = None,
        language: str = "",
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        retry_spacing: timedelta = DEFAULT_RETRY_SPACING,
    ) -> RouterUpdate:
        """Book a callback: at ``at`` it joins ``queue`` as a callback contact.

        Until then it takes no place in line and no agent sees it. At its
        time it joins the queue as a contact of that id arriving then
        (``CallbackDue``, ``ContactQueued``), and the queue's strategy offers
        it with ``Offer.callback`` set: the agent who accepts dials the
        customer, and the host reports how the attempt went with
        :meth:`callback_result`. A time already reached (up to
        :data:`~callcore.acd.CALLBACK_LATENESS` before ``now``) joins at once.
        The queue's door rules (``max_length``, an empty queue) do not apply:
        nobody is holding.

        Args:
            callback_id: A new, unique id (no contact or callback holds it);
                the contact id of the callback while it is in its queue.
            queue: The queue's name, or a :class:`~callcore.contacts.QueueRequest`
                (its priority, skills and language then come from it).
            now: The current time.
            at: The time the customer asked for: aware, at most 5 minutes
                before ``now`` and at most 30 days after it.
            priority: As :meth:`enqueue`'s.
            skills: As :meth:`enqueue`'s.
            language: As :meth:`enqueue`'s.
            max_attempts: Attempts to reach the customer (1..100).
            retry_spacing: The time from a failed attempt to the next
                (zero to 3 days).

        Returns:
            ``CallbackScheduled``, and if it joins at once ``CallbackDue``,
            ``ContactQueued`` and any offer made.

        Raises:
            NaiveDatetimeError: ``at`` or ``now`` has no time zone.
            InvalidInputError: an argument has the wrong type or is out of
                range (``field`` names it), or ``now`` is earlier than a time
                already seen.
            NotFoundError: no such queue.
            InvalidTransitionError: a contact or a callback with this id exists.
        """
        now = self._check_now(now)
        check_text(callback_id, "callback_id")
        queue_name, priority, skills, language = _requested(queue, priority, skills, language)
        check_count(priority, "priority", low=-MAX_NUMBER, high=MAX_NUMBER)
        wanted = _contact_skills(skills)
        check_text(language, "language", allow_empty=True)
        requested = check_request_time(at, now)
        # its timer runs in UTC: a local time in a repeated hour (fold) compares as it should
        due = max(requested.astimezone(timezone.utc), now)
        check_attempts(max_attempts, retry_spacing)
        self._get_queue(queue_name)
        self._new_contact(callback_id, queue_name)  # refuses a known id (timers add none)
        self._advance(now)
        self._abandoned.pop(callback_id, None)  # a kept place is given up, as on an enqueue
        record = ScheduledCallback(
            callback_id=callback_id,
            queue=queue_name,
            priority=priority,
            skills=wanted,
            language=language,
            requested=requested,
            scheduled_at=now,
            due=due,
            max_attempts=max_attempts,
            retry_spacing=retry_spacing,
        )
        self._events_out.append(
            CallbackScheduled(at=now, contact_id=callback_id, queue=queue_name, due=due, attempt=1)
        )
        self._book(record)
        return self._settle_and_flush()

    def callback_result(
        self, callback_id: str, result: CallbackResult, *, now: datetime
    ) -> RouterUpdate:
        """How the agent's attempt to reach the customer went.

        ``REACHED``: the callback ends (``CallbackEnded``) and the contact
        stays connected to the agent, to be ended (or transferred) as any
        contact. ``NO_ANSWER`` or ``BUSY``: the agent's part ends as if the
        contact had ended (its queue's wrap-up follows) and the callback is
        booked again ``retry_spacing`` later (joining at once when that is
        zero), or, after its last attempt, ends as not reached. Ending the
        contact, or transferring it, before a result was reported counts as
        ``REACHED``.

        Raises:
            InvalidInputError: ``result`` is not a :class:`CallbackResult`, the
                id is not a string, or ``now`` is out of range or earlier
                than a time already seen.
            NotFoundError: no such callback.
            InvalidTransitionError: no agent is dialling it (it is booked,
                waiting or ringing).
        """
        check_enum(result, CallbackResult, "result")
        now = self._check_now(now)
        record = self._get_callback(callback_id)
        contact = self._contacts.get(callback_id)
        if contact is None or contact.status is not ContactStatus.CONNECTED:
            raise InvalidTransitionError(
                "booked" if contact is None else contact.status.value,
                f"report the result of callback {callback_id!r}",
                "no agent is dialling it: an agent accepts its offer first",
            )
        self._advance(now)  # timers never touch a connected contact
        at = self._time()
        agent = self._agents[contact.agent_id or ""]
        dialled = at - (contact.answered_at or at)
        attempt = record.attempt
        self._events_out.append(
            CallbackAttemptEnded(
                at=at,
                contact_id=callback_id,
                agent_id=agent.agent_id,
                queue=contact.queue,
                attempt=attempt,
                result=result,
                dialled=dialled,
            )
        )
        if result is CallbackResult.REACHED:
            self._end_callback(record, CallbackOutcome.REACHED, attempt)
            return self._settle_and_flush()
        del self._contacts[callback_id]
        self._free_agent(agent, callback_id, self._queues[contact.queue], dialled)
        if attempt >= record.max_attempts:
            self._end_callback(record, CallbackOutcome.NOT_REACHED, attempt)
        else:
            due = at.astimezone(timezone.utc) + record.retry_spacing  # elapsed time, not wall time
            self._events_out.append(
                CallbackScheduled(
                    at=at, contact_id=callback_id, queue=record.queue, due=due, attempt=attempt + 1
                )
            )
            # a priority changed while it waited carries on
            self._book(attrs.evolve(record, attempts=attempt, due=due, priority=contact.priority))
        return self._settle_and_flush()

    def cancel_callback(
        self, callback_id: str, *, now: datetime, by: CancelledBy = CancelledBy.CUSTOMER
    ) -> RouterUpdate:
        """The customer (or an agent) cancels a callback that is booked, waiting or ringing.

        It leaves the book or its queue (a ringing offer is withdrawn) and
        ends: ``CallbackEnded`` with ``CANCELLED``.

        Raises:
            InvalidInputError: ``by`` is not a :class:`CancelledBy`, the id is
                not a string, or ``now`` is out of range or earlier than a
                time already seen.
            NotFoundError: no such callback.
            InvalidTransitionError: an agent is dialling it (report the
                attempt's result instead).
        """
        check_enum(by, CancelledBy, "by")
        now = self._check_now(now)
        self._get_callback(callback_id)
        contact = self._contacts.get(callback_id)
        if contact is not None and contact.status is ContactStatus.CONNECTED:
            raise InvalidTransitionError(
                "connected",
                f"cancel callback {callback_id!r}",
                "an agent is dialling it: report the attempt's result with callback_result",
            )
        self._advance(now)  # its time may come meanwhile: then it is in its queue, not connected
        contact = self._contacts.get(callback_id)
        if contact is not None:
            self._withdraw_contact_offers(contact)
            self._forget(contact)
        self._end_callback(self._callbacks[callback_id], CallbackOutcome.CANCELLED, by=by)
        return self._settle_and_flush()

    def callback(self, callback_id: str) -> ScheduledCallback:
        """A scheduled callback, from its request to its end.

        Raises:
            NotFoundError: no such callback (never scheduled, or ended).
        """
        return self._get_callback(callback_id)

    def callback_ids(self) -> tuple[str, ...]:
        """The ids of the scheduled callbacks that have not ended, in the order booked."""
        return tuple(self._callbacks)

    def _get_callback(self, callback_id: str) -> ScheduledCallback:
        check_text(callback_id, "callback_id", allow_empty=True)
        record = self._callbacks.get(callback_id)
        if record is None:
            raise NotFoundError("callback", callback_id)
        return record

    def _book(self, record: ScheduledCallback) -> None:
        """Keep a callback; one that is due by now joins its queue at once."""
        self._callbacks[record.callback_id] = record
        due = record.due
        if due is None:  # in its queue (a restored snapshot): the contact is restored
            return
        if due <= self._time():
            self._callback_joins(record)
        else:
            self._timers.push(due, CALLBACK_DUE, record.callback_id)

    def _callback_joins(self, record: ScheduledCallback) -> None:
        """A booked callback's time came: it joins its queue as a callback contact arriving now."""
        at = self._time()
        runtime = self._queues[record.queue]
        callback_id = record.callback_id
        skills = dict(record.skills)
        self._seq += 1
        contact = Contact(
            callback_id,
            record.queue,
            record.priority,
            skills,
            at,
            at,
            self._seq,
            runtime.config.channel,
            runtime.first_requirement(skills),
            runtime.channel_key,
            record.language,
        )
        contact.callback = True  # no max_wait, no empty-queue overflow: nobody holds
        self._callbacks[callback_id] = attrs.evolve(record, due=None)
        self._contacts[callback_id] = contact
        runtime.in_line[callback_id] = contact
        self._schedule_contact(contact)
        if runtime.delays:
            self._set_eligible_timers(contact, runtime)
        self._events_out.append(
            CallbackDue(at=at, contact_id=callback_id, queue=record.queue, attempt=record.attempt)
        )
        self._events_out.append(contact_queued(at, callback_id, record.queue, record.priority))
        runtime.wait(contact)
        self._dirty_contacts[callback_id] = None

    def _callback_reached(self, contact: Contact, at: datetime) -> None:
        """A connected callback ended or was transferred before its result: it reached."""
        record = self._callbacks.get(contact.contact_id)
        if record is None or record.due is not None:  # pragma: no cover - connected: in queue
            return
        self._events_out.append(
            CallbackAttemptEnded(
                at=at,
                contact_id=contact.contact_id,
                agent_id=contact.agent_id or "",
                queue=contact.queue,
                attempt=record.attempt,
                result=CallbackResult.REACHED,
                dialled=at - (contact.answered_at or at),
            )
        )
        self._end_callback(record, CallbackOutcome.REACHED, record.attempt)

    def _end_callback(
        self,
        record: ScheduledCallback,
        outcome: CallbackOutcome,
        attempts: int | None = None,
        by: CancelledBy | None = None,
    ) -> None:
        del self._callbacks[record.callback_id]
        self._events_out.append(
            CallbackEnded(
                at=self._time(),
                contact_id=record.callback_id,
                queue=record.queue,
                result=outcome,
                attempts=record.attempts if attempts is None else attempts,
                cancelled_by=by,
            )
        )

    # ------------------------------------------------------------------
    # Snapshot and restore
    # ------------------------------------------------------------------

    def snapshot(self) -> RouterSnapshot:
        """Capture the router's whole state; see :meth:`restore`."""
        snapshot = capture(
            self._now,
            self._seq,
            self._random,
            self._queues,
            self._agents,
            self._contacts,
            self._offers_made,
        )
        if self._abandoned:
            snapshot = attrs.evolve(snapshot, abandoned=tuple(self._abandoned.values()))
        if self._callbacks:
            snapshot = attrs.evolve(snapshot, callbacks=tuple(self._callbacks.values()))
        return snapshot

    @classmethod
    def restore(
        cls, snapshot: RouterSnapshot, *, strategies: Mapping[str, Strategy] | None = None
    ) -> Router:
        """Build a router that carries on exactly where the snapshot's router was.

        Args:
            snapshot: From :meth:`snapshot` (possibly through
                :func:`callcore.serialization.to_dict` and ``from_dict``).
            strategies: The same strategies the original router had.

        Raises:
            InvalidInputError: ``snapshot`` is not a :class:`RouterSnapshot`, or a
                strategy is not a strategy.
            DocumentError: the snapshot has problems, all listed with their
                paths: a field of the wrong type or out of range, an instant
                outside 1900-2999 or on the wrong side of its ``now`` (an offer
                that should have expired already), a duplicate id, contacts,
                offers and agents that do not agree, a random state or a
                round-robin place that cannot be used, a bad configuration.
        """
        if not isinstance(snapshot, RouterSnapshot):
            raise InvalidInputError(
                f"snapshot must be a RouterSnapshot, got {type(snapshot).__name__}",
                field="snapshot",
            )
        known = BUILTIN_STRATEGIES if strategies is None else check_strategies(strategies)
        problems = validate_snapshot(snapshot, known)
        if problems:
            raise DocumentError(problems, "ACD router snapshot")
        return cls._rebuild(snapshot, strategies)

    @classmethod
    def _rebuild(
        cls, snapshot: RouterSnapshot, strategies: Mapping[str, Strategy] | None
    ) -> Router:
        """A router from a snapshot that is known to be sound."""
        router = cls(snapshot.queues, strategies=strategies)
        router._offers_made = restore_into(snapshot, router._random, router._timers)
        router._now = snapshot.now
        router._seq = snapshot.seq
        for queue in router._queues.values():  # the delay timers follow from the state
            if queue.delays and snapshot.now is not None:
                for contact in queue.in_line.values():
                    if contact.status is not ContactStatus.CONNECTED:
                        router._set_eligible_timers(contact, queue)
        for record in snapshot.abandoned:
            router._keep_abandoned(record)
        for callback in snapshot.callbacks:
            router._book(callback)
        return router

    # ------------------------------------------------------------------
    # Time
    # ------------------------------------------------------------------

    def _time(self) -> datetime:
        if self._now is None:  # pragma: no cover - _advance always sets it
            raise InvalidInputError("the router has not seen a time yet")
        return self._now

    def _check_now(self, now: datetime) -> datetime:
        """Refuse a ``now`` that is not an aware datetime in range, or earlier than seen.

        Returns:
            ``now`` as an instant in UTC when its zone is not a fixed offset: a
            zone's wall-clock arithmetic (``now + offer_timeout`` across a clock
            change) and same-zone comparisons would be an hour off.
        """
        now = check_now(now)
        last = self._now
        if last is not None and now < last:
            raise InvalidInputError(
                f"now ({now.isoformat()}) is earlier than a time already seen "
                f"({last.isoformat()}); time cannot go backwards",
                field="now",
            )
        return now

    def _advance(self, now: datetime, *, save: bool = False) -> RouterSnapshot | None:  # noqa: C901 - stands inline
        """Run every timer due by ``now``, each at its own time, and move to ``now``.

        ``now`` has been checked. The state is saved first when the caller still
        has to check its input afterwards (``save``), and when the call moves a
        long way (the first due timer is more than ``CATCH_UP_PERIODS`` of
        the shortest timer period behind ``now``): then at most
        ``TIMER_BUDGET`` timers run, and a call that needs more is refused
        with the saved state put back.

        Returns:
            The state saved before the timers ran, if it was saved.
        """
        timers = self._timers.heap
        if not timers or timers[0][0] > now:
            self._now = now
            return None
        saved = None
        first = timers[0][0]
        if save or now - first > self._catch_up:
            saved = self.snapshot()
        fired = 0
        stands = self._timers.stands
        contacts = self._contacts
        while timers and timers[0][0] <= now:
            # every timer of one instant runs before anything is offered at it, so
            # that contacts and agents coming back at once are matched together
            due = timers[0][0]
            self._now = due
            while timers and timers[0][0] == due:
                _, kind, key, agent_id = heapq.heappop(timers)
                if kind == QUEUE_EMPTY:  # the queue may set a timer for this instant again
                    self._timers.popped_empty(due, key)
                if kind == OFFER_EXPIRY:  # Timers.stands, inline: most are an answered offer's
                    contact = contacts.get(key)
                    offer = None if contact is None else contact.offers.get(agent_id)
                    if offer is not None and offer.expires_at == due:
                        self._run_timer(due, kind, key, agent_id)
                elif stands(due, kind, key, agent_id):  # most are stale: one call for those
                    self._run_timer(due, kind, key, agent_id)
                fired += 1
            if self._dirty_contacts or self._dirty_agents:
                self._settle()
            if self._rechecked:
                self._settle_all()
            if saved is not None and fired > _timers.TIMER_BUDGET:
                self._undo(saved)
                raise InvalidInputError(
                    f"now ({now.isoformat()}) is too far ahead: more than {_timers.TIMER_BUDGET:,} "
                    f"timers would run (the first fell due at {first.isoformat()}); "
                    "move time on in smaller steps with tick()",
                    field="now",
                )
        self._now = now
        return saved

    def _advance_checked(self, now: datetime, check: Callable[[], _R]) -> _R:
        """Run the timers due by ``now``, then ``check`` the input; a refusal undoes them.

        For an input whose check a due timer may change (an offer that may time
        out, a contact that may overflow): it is checked on the state at ``now``.
        """
        before = self._now
        saved = self._advance(now, save=True)
        try:
            return check()
        except CallcoreError:
            if saved is None:  # pragma: no cover - no timer was due: nothing ran
                self._now = before
            else:
                self._undo(saved)
            raise

    def _undo(self, saved: RouterSnapshot) -> None:
        """Put the saved state back (the timers run since are forgotten)."""
        restored = self._rebuild(saved, self._strategies)
        self.__dict__.update(restored.__dict__)

    def _run_timer(self, due: datetime, kind: int, key: str, agent_id: str) -> None:
        """Run one timer that still stands (the state it was set for is unchanged)."""
        if kind == OFFER_EXPIRY:
            self._expire(self._contacts[key].offers[agent_id])
        elif kind == WRAP_END:
            self._end_wrap_up(self._agents[key], due)
        elif kind == DELAY_END:
            agent = self._agents[key]
            agent.delay_until = None
            self._release(agent)
        elif kind == CONTACT_DUE:
            self._contact_due(self._contacts[key])
        elif kind == CONTACT_ELIGIBLE:
            contact = self._contacts[key]
            if self._queues[contact.queue].wants_more(contact):  # more agents may take it now
                self._dirty_contacts[key] = None
        elif kind == CALLBACK_DUE:
            self._callback_joins(self._callbacks[key])
        else:
            queue = self._queues[key]
            if not queue.members:
                self._overflow_all(queue)
            elif not queue.staffed(self._agents):  # empty by its conditions all this time
                self._send_on_waiting(queue)

    def _end_wrap_up(self, agent: Agent, due: datetime) -> None:
        agent.wrap_until = None
        self._events_out.append(agent_state_changed(due, agent.agent_id, AgentState.AVAILABLE))
        agent.mark(due)
        self._release(agent)

    # ------------------------------------------------------------------
    # Output
    # ------------------------------------------------------------------

    def _settle_and_flush(self) -> RouterUpdate:
        if self._dirty_contacts or self._dirty_agents:
            self._settle()
        if self._rechecked:
            self._settle_all()
        events = self._events_out  # _flush, inline (every command returns through here)
        if not events:
            return _NOTHING
        offers, ended = self._offers_out, self._ended_out
        update = _new_object(RouterUpdate)  # new_update, inline (one call fewer per command)
        set_offers, set_ended, set_events = UPDATE_SETTERS
        set_offers(update, tuple(offers) if offers else ())  # mostly none: no call
        set_ended(update, tuple(ended) if ended else ())
        set_events(update, tuple(events))
        self._events_out = []
        if offers:  # only the lists used are replaced: offers end far less often than made
            self._offers_out = []
        if ended:
            self._ended_out = []
        return update

    def _settle_all(self) -> None:
        """Settle, then re-check the empty-queue conditions, until neither has work.

        Offers made may leave a queue without a member that staffs it (its
        conditions list ``ringing``), whose waiting contacts then go on and
        are matched in their new queues: each round starts from a queue
        becoming empty, which offers and moves never undo, so this ends.
        """
        while True:
            if self._dirty_contacts or self._dirty_agents:
                self._settle()
            if not (self._rechecked and self._recheck_empty()):
                return

    def _recheck_empty(self) -> bool:
        """Asterisk's ``leavewhenempty`` for waiting contacts; whether any was sent on.

        A queue whose members are all in one of its ``empty_when`` states (and
        that has ``leave_when_empty`` or ``max_wait_empty``) is empty: as it
        becomes so, a ``leave_when_empty`` queue sends its waiting contacts on
        by its overflow, and another starts its ``max_wait_empty`` clock.
        """
        at = self._time()
        sent = False
        for queue in self._rechecked:
            if not queue.recheck_staffing(self._agents, at):
                continue
            config = queue.config
            if config.leave_when_empty:
                sent = self._send_on_waiting(queue) or sent
            elif config.max_wait_empty is not None:
                due = at + config.max_wait_empty
                if queue.sets_empty_timer(due):
                    self._timers.push(due, QUEUE_EMPTY, config.name)
        return sent

    def _send_on_waiting(self, queue: QueueRuntime) -> bool:
        """Send the queue's waiting callers on by its overflow; whether there were any.

        Contacts ringing an agent, callback requests and contacts waiting for
        an agent they were transferred to stay.
        """
        waiting = [
            contact
            for contact in queue.in_order()
            if contact.status is ContactStatus.WAITING
            and not contact.callback
            and contact.target is None
        ]
        for contact in waiting:
            if contact.queue == queue.config.name and contact.contact_id in self._contacts:
                self._overflow(contact)
        return bool(waiting)

    def _flush(self) -> RouterUpdate:
        offers, ended, events = self._offers_out, self._ended_out, self._events_out
        if not events:  # every offer and ended offer has its event: nothing happened
            return _NOTHING
        update = new_update(tuple(offers), tuple(ended), tuple(events))
        # fresh lists are cheaper than copying and clearing the old ones
        self._offers_out, self._ended_out, self._events_out = [], [], []
        return update

    # ------------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------------

    def _settle(self) -> None:
        """Make the offers the state calls for: one decision at a time, in the global order.

        The contacts that may now be served are the returning ones (an offer
        ended, a contact was moved or escalated: ``_dirty_contacts``) and those
        a freed agent may take (``_dirty_agents``); every other waiting contact
        had no available eligible agent before, and still has none. Of these,
        the first by the global policy (higher priority, then earlier arrival)
        is routed: its queue's strategy picks among *all* available eligible
        agents, freed or not. Then the next, until no freed agent has a
        contact and no returning contact is left. New contacts, returning
        contacts, freed agents and escalations thus all go through
        :meth:`_route`, the one place where an agent is chosen.
        """
        contacts = self._dirty_contacts
        agents = self._dirty_agents
        known = self._contacts
        while contacts or agents:
            best: tuple[ContactEntry, Contact, str | None] | None = None
            for contact_id in list(contacts) if contacts else ():  # mostly none: no copy
                contact = known.get(contact_id)
                if contact is None or not self._queues[contact.queue].wants_more(contact):
                    del contacts[contact_id]
                    continue
                entry = contact.line_entry()
                if best is None or entry < best[0]:
                    best = (entry, contact, None)
            for agent_id in list(agents):
                candidate = self._freed_agents_pick(self._agents[agent_id])
                if candidate is None:
                    del agents[agent_id]
                    continue
                entry = candidate.line_entry()
                if best is None or entry < best[0]:
                    best = (entry, candidate, agent_id)
            if best is None:
                return
            _, contact, via = best
            contacts.pop(contact.contact_id, None)
            if not self._route(contact) and via is not None:  # pragma: no cover - defensive
                del agents[via]  # the index and the waiting lines disagree: never loop

    def _freed_agents_pick(self, agent: Agent) -> Contact | None:
        """The first waiting contact (global order) a freed agent may take, if any.

        Among the waiting lines it may serve and the contacts transferred to it.
        """
        if not agent.ready:
            return None
        found = None
        for queue in agent.queues:  # best_waiting finds nothing where no line waits: no call
            if queue.groups:
                found = agent.best_waiting(self._contacts, self._now or self._time())
                break
        candidate = None if found is None else found[0]
        if agent.awaiting:
            mine = self._awaiting_best(agent)
            if mine is not None and (
                candidate is None or mine.line_entry() < candidate.line_entry()
            ):
                candidate = mine
        return candidate

    def _route(self, contact: Contact) -> bool:
        """Offer a waiting contact to the best available eligible agent(s), or let it wait.

        Returns:
            Whether an offer was made.
        """
        queue = self._queues[contact.queue]
        target = contact.target
        if target is not None:  # transferred to an agent: that agent or nobody
            agent = self._agents[target]
            if agent.can_take(contact.channel_key):
                self._offer(contact, queue, agent)
                return True
            return False
        requirement = contact.requirement
        index = queue.indexes.get(requirement.names)
        if index is None:
            index = queue.build_index(requirement.names, self._agents)
        strategy = queue.strategy
        if strategy.ring_all:
            chosen = index.pick_all(
                contact.channel_key,
                requirement.max_tier,
                requirement.strict,
                self._passed_over(contact, queue),
            )
            for agent in chosen:
                self._offer(contact, queue, agent)
        else:
            chosen = self._pick_ring(contact, queue, index)
        if not chosen or len(contact.offers) < queue.ring_limit:  # it wants more agents:
            queue.wait(contact)  # in its line, for freed agents to see
        return bool(chosen)

    def _pick_ring(
        self, contact: Contact, queue: QueueRuntime, index: AgentIndex[Agent, QueueRuntime]
    ) -> list[Agent]:
        """Offer the contact to its strategy's next agents, up to its queue's ``ring_count``.

        One agent at a time, each the strategy's choice among the available
        eligible agents the contact does not ring yet (round robin's pointer
        moves at each offer, a random strategy draws anew).
        """
        requirement = contact.requirement
        channel, max_tier, strict = contact.channel_key, requirement.max_tier, requirement.strict
        offers = contact.offers
        skip = (
            self._passed_over(contact, queue)
            if offers or queue.preferring or queue.delays
            else None
        )
        chosen: list[Agent] = []
        limit = queue.ring_limit
        while len(offers) < limit:
            if queue.sampling:
                best = index.pick_sampled(
                    max_tier, strict, self._random, weighted=queue.weighted, skip=skip
                )
            elif queue.racing:
                best = index.pick_race(
                    max_tier,
                    strict,
                    lambda agents: queue.race(agents, requirement.names, self._random),
                    skip,
                )
            else:
                cursor = self._cursor(queue, contact) if queue.contact_memory else None
                best = index.pick_one(channel, max_tier, strict, cursor, skip)
            if best is None:
                break
            self._offer(contact, queue, best)
            chosen.append(best)
            if skip is None and len(offers) < limit:  # the next choice skips those it rings
                skip = lambda agent: agent.agent_id in offers  # noqa: E731
        return chosen

    def _passed_over(self, contact: Contact, queue: QueueRuntime) -> Callable[[Agent], bool] | None:
        """Which agents a decision for ``contact`` passes over (``None``: nobody).

        The agents it rings already, and agents who prefer another of their
        queues where a contact wants them now (``Membership.preference``).
        Those go back among the freed agents, so that once the contacts of
        their preferred queues are served they look at this one again.
        """
        offers = contact.offers
        if not (queue.preferring or queue.delays):
            return (lambda agent: agent.agent_id in offers) if offers else None
        contacts, freed = self._contacts, self._dirty_agents
        at = self._time()
        waited = at - contact.joined
        name = queue.config.name

        def skip(agent: Agent) -> bool:
            if agent.agent_id in offers:
                return True
            if agent.members[name].delay > waited:  # not yet: a timer offers it when it has waited
                return True
            if agent.prefers_elsewhere(queue, contacts, at):
                freed[agent.agent_id] = None
                return True
            return False

        return skip

    def _cursor(self, queue: QueueRuntime, contact: Contact) -> Cursor | None:
        """Where a contact-memory strategy continues: after the last agent tried."""
        last = contact.last_tried
        agent = self._agents.get(last) if last is not None else None
        if agent is None or contact.queue not in agent.members:
            return None
        member = agent.members[contact.queue]
        rank = queue.strategy.rank(agent, member, contact.requirement.names)
        return (member.tier, rank, agent.agent_id)

    def _offer(self, contact: Contact, queue: QueueRuntime, agent: Agent) -> None:
        at = self._now or self._time()  # set by _advance before any offer (a datetime is true)
        config = queue.config
        contact_id, agent_id, channel = contact.contact_id, agent.agent_id, contact.channel_key
        expires = at + config.offer_timeout
        self._offers_made += 1
        offer: Offer = _new_object(Offer)  # new_offer, inline (hot path)
        s_contact, s_agent, s_queue, s_channel, s_at, s_expires, s_callback, s_id = OFFER_SETTERS
        s_contact(offer, contact_id)
        s_agent(offer, agent_id)
        s_queue(offer, config.name)
        s_channel(offer, contact.channel)
        s_at(offer, at)
        s_expires(offer, expires)
        s_callback(offer, contact.callback)
        s_id(offer, f"offer-{self._offers_made}")
        contact.offers[agent_id] = offer
        contact.status = ContactStatus.OFFERED
        agent.offers[contact_id] = offer
        load = agent.load
        load[channel] = load.get(channel, 0) + 1
        if agent.pool_queues:  # it may no longer take its random queues' channels
            agent.sync_pools()
        agent.last_offered = at
        if queue.circular and contact.target is None:  # a transfer's offer is no strategy's
            member = agent.members[config.name]
            rank = queue.strategy.rank(agent, member, contact.requirement.names)
            queue.pointer = (0, rank, agent_id)
        heapq.heappush(self._timers.heap, (expires, OFFER_EXPIRY, contact_id, agent_id))
        self._offers_out.append(offer)
        offered: ContactOffered = _new_object(ContactOffered)  # contact_offered, inline
        set_at, set_offer = OFFERED_SETTERS
        set_at(offered, at)
        set_offer(offered, offer)
        self._events_out.append(offered)
        # offered only when logged in and ready: busy if it holds a contact, else reserved
        state = AgentState.BUSY if agent.connected else AgentState.RESERVED
        if agent.seen is not state:
            agent.seen = state
            agent.state_since = at

    # ------------------------------------------------------------------
    # Agent indexes
    # ------------------------------------------------------------------

    def _release(self, agent: Agent) -> None:
        """The agent may have room again: re-index it and let it look for work."""
        agent.repush(self._random)
        if agent.ready:
            self._dirty_agents[agent.agent_id] = None

    def _leave_queues(self, agent: Agent) -> None:
        """A logged-out agent leaves its queues; one left empty starts its empty clock.

        Queue by queue: a contact that overflows from the first queue left
        empty still finds the agent in the next.
        """
        at = self._time()
        agent.leave_lines()
        for name in agent.members:
            queue = self._queues[name]
            if not queue.leave(agent):
                continue
            queue.empty_since = at
            if queue.config.leave_when_empty:
                self._overflow_all(queue)
            elif queue.config.max_wait_empty is not None:
                due = at + queue.config.max_wait_empty
                if queue.sets_empty_timer(due):
                    self._timers.push(due, QUEUE_EMPTY, name)

    # ------------------------------------------------------------------
    # Offers ending
    # ------------------------------------------------------------------

    def _end_offer(self, offer: Offer, reason: OfferEndReason, delay: timedelta) -> None:
        """Close an unanswered offer; the contact goes back if nothing else rings."""
        at = self._time()
        contact = self._contacts[offer.contact_id]
        agent = self._agents[offer.agent_id]
        del contact.offers[offer.agent_id]
        del agent.offers[offer.contact_id]
        agent.load[contact.channel_key] -= 1
        self._ended_out.append(offer)
        self._events_out.append(offer_ended(at, offer, reason))
        if contact.target == agent.agent_id and (
            reason is not OfferEndReason.WITHDRAWN or contact.target_until is None
        ):  # the agent it was transferred to said no (or went away, and it may not wait)
            self._untarget(contact)
            self._reschedule(contact)
        if reason is not OfferEndReason.WITHDRAWN:
            contact.last_tried = agent.agent_id
            until = at + delay
            # the longest pending delay wins: a later, shorter one never cuts it
            if delay > _ZERO and (agent.delay_until is None or until > agent.delay_until):
                agent.delay_until = until
                self._timers.push(until, DELAY_END, agent.agent_id)
        if contact.status is ContactStatus.OFFERED:
            queue = self._queues[contact.queue]
            if not contact.offers:
                contact.status = ContactStatus.WAITING
            if queue.wants_more(contact):  # it waits, or rings fewer than its ring_count
                # back in its line (a freed agent's look may have dropped it while it rang)
                queue.wait(contact)
                self._dirty_contacts[contact.contact_id] = None
        agent.mark(at)
        self._release(agent)

    def _expire(self, offer: Offer) -> None:
        config = self._queues[offer.queue].config
        agent = self._agents[offer.agent_id]
        profile = agent.profile  # the agent's own settings override the queue's
        delay = (
            config.no_answer_delay if profile.no_answer_delay is None else profile.no_answer_delay
        )
        limit = config.max_no_answer if profile.max_no_answer is None else profile.max_no_answer
        self._end_offer(offer, OfferEndReason.TIMED_OUT, delay)
        agent.no_answer_streak += 1
        if limit and agent.no_answer_streak >= limit:
            self._pause(agent, NotReadyReason.AUTO_PAUSED)

    def _pause(self, agent: Agent, reason: NotReadyReason) -> None:
        agent.not_ready = reason
        agent.wrap_until = None
        agent.refresh()
        self._withdraw_agent_offers(agent)
        self._events_out.append(
            agent_state_changed(self._time(), agent.agent_id, AgentState.NOT_READY, reason)
        )
        agent.mark(self._time())

    def _withdraw_contact_offers(self, contact: Contact) -> None:
        if not contact.offers:
            return
        for offer in list(contact.offers.values()):
            self._end_offer(offer, OfferEndReason.WITHDRAWN, _ZERO)

    def _withdraw_agent_offers(self, agent: Agent) -> None:
        for offer in list(agent.offers.values()):
            self._end_offer(offer, OfferEndReason.WITHDRAWN, _ZERO)

    # ------------------------------------------------------------------
    # Escalation and overflow
    # ------------------------------------------------------------------

    def _contact_due(self, contact: Contact) -> None:
        """A contact's next escalation rule or its ``max_wait`` fell due."""
        at = self._time()
        queue = self._queues[contact.queue]
        config = queue.config
        until = contact.target_until
        if until is not None and until <= at:  # its wait for the agent it was sent to ended
            self._untarget(contact)  # waits again below, rescheduled without the agent's wait
        waited = at - contact.joined
        if config.max_wait is not None and not contact.callback and waited >= config.max_wait:
            self._overflow(contact)
            return
        rules = config.escalation
        stage = contact.stage
        target = None
        while stage < len(rules) and rules[stage].after <= waited:
            target = rules[stage].to_queue
            stage += 1
            # one event per rule, even when several fall due at one instant
            self._events_out.append(
                ContactEscalated(
                    at=at, contact_id=contact.contact_id, queue=contact.queue, stage=stage
                )
            )
            if target is not None:
                break
        contact.stage = stage
        if target is not None:
            self._move(contact, target)
            return
        contact.requirement = queue.requirement(contact.skills, stage)
        self._schedule_contact(contact)
        if queue.wants_more(contact):
            queue.wait(contact)  # in the line of its new requirement, for freed agents to see
            self._dirty_contacts[contact.contact_id] = None

    def _overflow(self, contact: Contact, visited: set[str] | None = None) -> None:
        """Send a contact on by its queue's overflow, and on again while queues refuse it.

        A cascade at one instant enters each queue at most once (``visited``
        holds the queues it entered): when the next hop would enter a queue a
        second time, the contact stays waiting where it is. So overflow routes
        that form a cycle end, and the contact is never lost.
        """
        visited = set() if visited is None else visited
        while True:
            overflow = self._queues[contact.queue].config.overflow
            target = overflow.queue if overflow.action is OverflowAction.QUEUE else None
            if target is not None and target in visited:
                return  # a cycle: it waits here until an agent comes or a timer moves it
            if overflow.action is not OverflowAction.CALLBACK:
                self._withdraw_contact_offers(contact)  # its offers end before it leaves
            self._events_out.append(
                ContactOverflowed(
                    at=self._time(),
                    contact_id=contact.contact_id,
                    queue=contact.queue,
                    action=overflow.action,
                    to_queue=overflow.queue,
                )
            )
            if overflow.action is OverflowAction.CALLBACK:
                self._make_callback(contact)
                return
            if target is None:
                self._forget(contact)
                return
            self._enter(contact, target)
            visited.add(target)
            if self._keeps(contact):
                return

    def _overflow_all(self, queue: QueueRuntime) -> None:
        for contact in queue.in_order():
            if not contact.callback:
                self._overflow(contact)

    def _move(self, contact: Contact, queue_name: str) -> None:
        """Move a contact to another queue (escalation), which may send it on at once."""
        self._enter(contact, queue_name)
        if not self._keeps(contact):
            self._overflow(contact, {queue_name})

    def _enter(
        self,
        contact: Contact,
        queue_name: str,
        agent: Agent | None = None,
        until: datetime | None = None,
    ) -> None:
        """Put a contact in another queue; it keeps its arrival time and priority.

        With ``agent`` (a transfer to an agent), it waits for that agent only,
        up to ``until`` (``None``: no longer than the ring made at once); a
        move by overflow or escalation ends any such wait.
        """
        self._withdraw_contact_offers(contact)
        # a transferred contact was connected: in no queue's line
        self._queues[contact.queue].in_line.pop(contact.contact_id, None)
        self._untarget(contact)
        if agent is not None:
            contact.target, contact.target_until = agent.agent_id, until
            agent.awaiting[contact.contact_id] = None
        target = self._queues[queue_name]
        at = self._time()
        contact.queue = queue_name
        contact.joined = at
        contact.stage = 0
        contact.last_tried = None
        contact.channel = target.config.channel
        contact.channel_key = target.channel_key
        contact.requirement = target.requirement(contact.skills, 0)
        target.in_line[contact.contact_id] = contact
        self._schedule_contact(contact)
        if target.delays:
            self._set_eligible_timers(contact, target)
        self._events_out.append(
            ContactQueued(
                at=at, contact_id=contact.contact_id, queue=queue_name, priority=contact.priority
            )
        )
        target.wait(contact)  # in its new queue's line, for freed agents to see
        self._dirty_contacts[contact.contact_id] = None

    def _keeps(self, contact: Contact) -> bool:
        """Whether the queue a contact was just moved into keeps it (``enqueue``'s rules).

        ``max_length`` does not apply: the contact already waited, and a long
        line is better than losing it. A callback request is always kept (no
        caller is holding, as on an empty queue's overflow).
        """
        queue = self._queues[contact.queue]
        if contact.callback:
            return True
        if not queue.config.join_when_empty and not queue.staffed(self._agents):
            return False
        return not self._turns_away(queue)

    def _turns_away(self, runtime: QueueRuntime) -> bool:
        """Whether a contact entering the queue now goes on at once by its overflow.

        With nobody logged in, :meth:`_sends_on` decides; with members logged
        in, only a ``leave_when_empty`` queue whose members all have an
        ``empty_when`` state sends it on (Asterisk's ``leavewhenempty``).
        """
        if not runtime.members:
            return self._sends_on(runtime)
        config = runtime.config
        if config.leave_when_empty:
            return not runtime.staffed(self._agents)
        since, wait = runtime.unstaffed_since, config.max_wait_empty
        # empty by its conditions for its max_wait_empty: as with nobody logged in
        return since is not None and wait is not None and self._time() >= since + wait

    def _sends_on(self, runtime: QueueRuntime) -> bool:
        """Whether a queue nobody is logged in to sends a contact that enters it on at once.

        It does with ``leave_when_empty`` (as Asterisk's ``leavewhenempty``:
        no caller waits in a queue without members) and once it has been empty
        for its ``max_wait_empty`` (its empty-queue overflow already fired).
        """
        config = runtime.config
        if config.leave_when_empty:
            return True
        wait = config.max_wait_empty
        return wait is not None and self._empty_too_long(runtime, wait)

    def _schedule_contact(self, contact: Contact) -> None:
        """Set the timer of the contact's next escalation rule or ``max_wait``, if any."""
        due = contact.schedule(self._queues[contact.queue].config)
        if due is not None:
            self._timers.push(due, CONTACT_DUE, contact.contact_id)

    def _set_eligible_timers(self, contact: Contact, queue: QueueRuntime) -> None:
        """Set a timer for each instant the contact's wait will reach a member's delay."""
        for due in queue.eligible_times(contact, self._time()):
            self._timers.push(due, CONTACT_ELIGIBLE, contact.contact_id)

    def _make_callback(self, contact: Contact) -> None:
        contact.callback = True
        self._schedule_contact(contact)

    def _forget(self, contact: Contact) -> None:
        del self._queues[contact.queue].in_line[contact.contact_id]
        del self._contacts[contact.contact_id]
        self._untarget(contact)

    # ------------------------------------------------------------------
    # Transfers to an agent
    # ------------------------------------------------------------------

    def _untarget(self, contact: Contact) -> None:
        """The contact no longer waits for the agent it was transferred to (if it did)."""
        target = contact.target
        if target is None:
            return
        agent = self._agents.get(target)
        if agent is not None:
            agent.awaiting.pop(contact.contact_id, None)
        contact.target = contact.target_until = None

    def _fall_back(self, contact: Contact) -> None:
        """A contact stops waiting for its agent: the queue's agents may take it now.

        It keeps its place (arrival and priority); its queue's timers are set
        again without the agent's wait.
        """
        self._untarget(contact)
        self._reschedule(contact)
        if self._queues[contact.queue].wants_more(contact):
            self._queues[contact.queue].wait(contact)
            self._dirty_contacts[contact.contact_id] = None

    def _reschedule(self, contact: Contact) -> None:
        """Set the contact's timer again after its wait for an agent ended early.

        A timer already set for the same instant stands as it is (two would run twice).
        """
        before = contact.timer_due
        due = contact.schedule(self._queues[contact.queue].config)
        if due is not None and due != before:
            self._timers.push(due, CONTACT_DUE, contact.contact_id)

    def _awaiting_best(self, agent: Agent) -> Contact | None:
        """The first (global order) contact waiting for this agent that it may take now."""
        best: Contact | None = None
        contacts = self._contacts
        for contact_id in agent.awaiting:
            contact = contacts[contact_id]
            if (
                contact.status is ContactStatus.WAITING
                and agent.can_take(contact.channel_key)
                and (best is None or contact.line_entry() < best.line_entry())
            ):
                best = contact
        return best

    # ------------------------------------------------------------------
    # Lookups
    # ------------------------------------------------------------------

    def _get_queue(self, name: str) -> QueueRuntime:
        if name.__class__ is not str:
            check_text(name, "queue", allow_empty=True)
        queue = self._queues.get(name)
        if queue is None:
            raise NotFoundError("queue", name)
        return queue

    def _get_agent(self, agent_id: str) -> Agent:
        if agent_id.__class__ is not str:
            check_text(agent_id, "agent_id", allow_empty=True)
        agent = self._agents.get(agent_id)
        if agent is None:
            raise NotFoundError("agent", agent_id)
        return agent

    def _get_contact(self, contact_id: str) -> Contact:
        if contact_id.__class__ is not str:
            check_text(contact_id, "contact_id", allow_empty=True)
        contact = self._contacts.get(contact_id)
        if contact is None:
            raise NotFoundError("contact", contact_id)
        return contact

    def _get_offer(
        self, contact_id: str, agent_id: str, action: str, offer_id: str | None = None
    ) -> tuple[Contact, Agent, Offer]:
        contact = self._get_contact(contact_id)
        agent = self._get_agent(agent_id)
        offer = contact.offers.get(agent_id)
        if offer is None:
            raise InvalidTransitionError(
                contact.status.value,
                f"{action} the offer of {contact_id!r} to {agent_id!r}",
                "no such offer is pending (it was never made, or it was accepted, "
                "declined, timed out or withdrawn)",
            )
        if offer_id is not None and offer.offer_id != offer_id:
            raise InvalidTransitionError(
                contact.status.value,
                f"{action} offer {offer_id[:100]!r} of {contact_id!r} to {agent_id!r}",
                f"that offer is no longer pending: the pending one is {offer.offer_id!r}",
            )
        return contact, agent, offer


def _wrap_up_of(agent: Agent, queue: QueueRuntime) -> timedelta:
    """The wrap-up an agent enters after a contact of ``queue``: its own overrides the queue's."""
    own = agent.profile.wrap_up
    return queue.config.wrap_up if own is None else own
