"""The campaign engine: which contact to dial when, and what became of each.

Theory of operation
-------------------
Each contact is in one state: ``waiting`` (due at an instant), ``previewing``
(an agent has its record), ``dialing`` (an attempt rings), ``answered`` (a
person answered; the call waits in the campaign's queue until
``answered_at + abandon_after``), ``talking`` (an agent or the agentless flow
has it) or ``done`` (it has its final :class:`Disposition`).

- :meth:`Campaign.pace` is called whenever agents free up (and at
  :meth:`Campaign.next_deadline`): it takes the waiting contacts that are due
  *and* whose calling window is open on their own clock (a customer's callback
  is dialed at the asked time: the customer consented), earliest due first,
  as many as the mode allows: preview one record per free agent, progressive
  one line per free agent, predictive what :func:`callcore.wfm.model_pacing`
  allows against the rolling abandon window, agentless up to ``max_lines``.
  A due contact whose window is closed is moved to the window's next opening.
- :meth:`Campaign.call_result` reports the provider's result. A retryable
  result (no answer, busy, machine, network failure) schedules the next
  attempt after the policy's delay, or ends the contact with ``max_attempts``.
- A live answer goes to the campaign's queue (:class:`EnqueueCall`); if no
  agent is :meth:`Campaign.connected` by the deadline, :meth:`Campaign.advance`
  abandons it: :class:`PlayInformationMessage`, a count against the abandon
  rate, and a retry after ``retry.after_abandon`` (72 hours).
- :meth:`Campaign.finish` ends a conversation with the agent's verdict: right
  party, converted, do-not-call, or a callback the customer asked for.
- A number suppressed (do-not-call) is never dialed again; a contact already
  ringing finishes its call and is then finished as ``suppressed``.
"""

from __future__ import annotations

import heapq
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

import attrs

from callcore.calendar import BusinessCalendar
from callcore.campaigns._events import (
    AttemptAbandoned,
    AttemptAnswered,
    AttemptConnected,
    AttemptEnded,
    AttemptRecord,
    AttemptStarted,
    CampaignAction,
    CampaignUpdate,
    ContactFinished,
    ContactsAdded,
    DialContact,
    EnqueueCall,
    PlayInformationMessage,
    PreviewContact,
    PreviewOffered,
    RetryScheduled,
    RunFlow,
)
from callcore.campaigns._model import (
    RETRYABLE,
    CallResult,
    CampaignContact,
    CampaignSettings,
    DialingMode,
    Disposition,
)
from callcore.checks import (
    EARLIEST,
    check_bool,
    check_count,
    check_enum,
    check_instance,
    check_instant,
    check_text,
)
from callcore.errors import (
    DocumentError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
    Problem,
)
from callcore.events import Event, IdFactory, new_id
from callcore.wfm import DialerState, RollingAbandonWindow, model_pacing

__all__ = ["MAX_CONTACTS", "Campaign", "CampaignReport"]

MAX_CONTACTS = 1_000_000
"""The most contacts one campaign holds."""
MAX_BATCH = 100_000
"""The most contacts (or numbers) one call adds (or suppresses)."""
_OBSERVED = 20  # attempts ended before the campaign's own answer rate replaces the setting

WAITING, PREVIEWING, DIALING, ANSWERED, TALKING, DONE = (
    "waiting",
    "previewing",
    "dialing",
    "answered",
    "talking",
    "done",
)


@attrs.define
class _Entry:
    """One contact's progress."""

    contact: CampaignContact
    order: int
    state: str = WAITING
    due: datetime | None = None  # UTC; waiting contacts only
    attempts: int = 0
    callback: bool = False  # the next (or current) call is a callback
    attempt_id: str | None = None
    dialed_at: datetime | None = None
    answered_at: datetime | None = None
    connected_at: datetime | None = None
    agent: str | None = None
    result: CallResult | None = None
    disposition: Disposition | None = None
    ready: bool = False  # due, its window open at the last pace: waits for a line


@attrs.frozen(kw_only=True)
class CampaignReport:
    """A campaign's figures so far (the KPI reference names each).

    Attributes:
        attempts: Numbers dialed.
        live_answers: Calls a person answered (abandoned ones included).
        connects: Live answers an agent (or the agentless flow) took.
        right_party_contacts: Connects that reached the wanted person.
        conversions: Right-party contacts that met the campaign's goal.
        abandons: Live answers no agent took in time.
        machines: Calls an answering machine answered.
        window_live_answers: Live answers in the rolling window ending now.
        window_abandons: Abandons in that window.
        dispositions: Finished contacts by disposition value.
    """

    attempts: int
    live_answers: int
    connects: int
    right_party_contacts: int
    conversions: int
    abandons: int
    machines: int
    window_live_answers: int
    window_abandons: int
    dispositions: Mapping[str, int]

    @property
    def abandon_rate(self) -> float:
        """Abandons over live answers in the rolling window (0 when none)."""
        if not self.window_live_answers:
            return 0.0
        return self.window_abandons / self.window_live_answers


def _utc(value: object, what: str) -> datetime:
    return check_instant(value, what).astimezone(timezone.utc)


@attrs.define
class Campaign:
    """An outbound campaign's engine (sans-I/O: every change takes ``now``).

    Args:
        settings: The campaign's settings.
        id_factory: Makes attempt ids.
    """

    settings: CampaignSettings = attrs.field(
        validator=lambda _, __, value: check_instance(value, CampaignSettings, "settings")
    )
    id_factory: IdFactory = new_id
    _entries: dict[str, _Entry] = attrs.field(init=False, factory=dict)
    _attempts: dict[str, str] = attrs.field(init=False, factory=dict)  # attempt id -> contact
    _suppressed: set[str] = attrs.field(init=False, factory=set)
    # waiting contacts by (due, order): _heap those not yet due at the last pace,
    # _ready those due then with their window open, waiting for a line or agent
    _heap: list[tuple[datetime, int, str]] = attrs.field(init=False, factory=list)
    _ready: list[tuple[datetime, int, str]] = attrs.field(init=False, factory=list)
    _states: Counter[str] = attrs.field(init=False, factory=Counter)
    _answered: dict[str, None] = attrs.field(init=False, factory=dict)  # oldest answer first
    _by_number: dict[str, list[str]] = attrs.field(init=False, factory=dict)
    _calendars: dict[tuple[str, str], BusinessCalendar] = attrs.field(init=False, factory=dict)
    _window: RollingAbandonWindow = attrs.field(init=False)
    _answers_log: deque[tuple[datetime, bool]] = attrs.field(init=False, factory=deque)
    _totals: Counter[str] = attrs.field(init=False, factory=Counter)
    _last: datetime | None = attrs.field(init=False, default=None)

    def __attrs_post_init__(self) -> None:
        """Start the rolling abandon window."""
        self._window = RollingAbandonWindow(
            window=self.settings.abandon_window, target=self.settings.abandon_target
        )

    # --- time and look-ups --------------------------------------------------------

    def _now(self, now: object) -> datetime:
        instant = _utc(now, "now")
        if self._last is not None and instant < self._last:
            raise InvalidInputError(
                f"now ({instant.isoformat()}) is earlier than a time already seen "
                f"({self._last.isoformat()}); time cannot go backwards",
                field="now",
            )
        return instant

    def _calendar(self, contact: CampaignContact) -> BusinessCalendar:
        key = (contact.country, contact.zone)
        calendar = self._calendars.get(key)
        if calendar is None:
            calendar = self._calendars[key] = self.settings.calendar_for(*key)
        return calendar

    def _attempt(self, attempt_id: object, expected: tuple[str, ...], doing: str) -> _Entry:
        check_text(attempt_id, "attempt_id", max_length=256)
        assert isinstance(attempt_id, str)  # noqa: S101 - checked above, for mypy
        contact_id = self._attempts.get(attempt_id)
        if contact_id is None:
            raise NotFoundError("attempt", attempt_id)
        entry = self._entries[contact_id]
        if entry.state not in expected:
            raise InvalidTransitionError(
                entry.state, doing, f"attempt {attempt_id!r} is {entry.state}"
            )
        return entry

    def _move(self, entry: _Entry, state: str) -> None:
        """Change a contact's state, keeping the counts and the answered calls' order."""
        self._states[entry.state] -= 1
        self._states[state] += 1
        if entry.state == ANSWERED:
            del self._answered[entry.contact.id]
        if state == ANSWERED:
            self._answered[entry.contact.id] = None
        entry.state = state

    def _register(self, entry: _Entry) -> None:
        """Index a contact (new, or read back from a snapshot)."""
        contact = entry.contact
        self._entries[contact.id] = entry
        self._by_number.setdefault(contact.number, []).append(contact.id)
        self._states[entry.state] += 1
        if entry.state == ANSWERED:
            self._answered[contact.id] = None
        if entry.attempt_id is not None:
            self._attempts[entry.attempt_id] = contact.id
        if entry.state == WAITING and entry.due is not None:
            target = self._ready if entry.ready else self._heap
            heapq.heappush(target, (entry.due, entry.order, contact.id))

    def _entry(self, contact_id: object) -> _Entry:
        entry = self._entries.get(contact_id) if isinstance(contact_id, str) else None
        if entry is None:
            raise NotFoundError("campaign contact", str(contact_id)[:60])
        return entry

    def contact_state(self, contact_id: str) -> str:
        """The contact's state (see the module's theory of operation).

        Raises:
            NotFoundError: no such contact.
        """
        return self._entry(contact_id).state

    def disposition(self, contact_id: str) -> Disposition | None:
        """The contact's final disposition, or ``None`` while it is not finished.

        Raises:
            NotFoundError: no such contact.
        """
        self.contact_state(contact_id)
        return self._entries[contact_id].disposition

    def attempts_of(self, contact_id: str) -> int:
        """How many times the contact was dialed.

        Raises:
            NotFoundError: no such contact.
        """
        self.contact_state(contact_id)
        return self._entries[contact_id].attempts

    # --- commands -----------------------------------------------------------------

    def add_contacts(self, contacts: Iterable[CampaignContact], *, now: datetime) -> CampaignUpdate:
        """Add contacts, due at once (each waits for its calling window).

        A contact whose number is suppressed is finished at once as
        ``suppressed`` and never dialed.

        Raises:
            InvalidInputError: a contact is not a :class:`CampaignContact`, an
                id is repeated, or the campaign would hold more than
                :data:`MAX_CONTACTS`; nothing is added.
            InvalidTransitionError: the campaign was stopped.
        """
        instant = self._now(now)
        if self._totals["stopped"]:
            raise InvalidTransitionError("stopped", "add contacts", "the campaign was stopped")
        if not isinstance(contacts, list | tuple):
            raise InvalidInputError("contacts must be a list of CampaignContact", field="contacts")
        if len(contacts) > MAX_BATCH or len(self._entries) + len(contacts) > MAX_CONTACTS:
            raise InvalidInputError(
                f"a campaign holds at most {MAX_CONTACTS:,} contacts, {MAX_BATCH:,} per call",
                field="contacts",
            )
        seen: set[str] = set()
        for index, contact in enumerate(contacts):
            check_instance(contact, CampaignContact, f"contacts[{index}]")
            if contact.id in self._entries or contact.id in seen:
                raise InvalidInputError(
                    f"contacts[{index}]: the campaign already has contact {contact.id!r:.60}",
                    field=f"contacts[{index}].id",
                )
            seen.add(contact.id)
        self._last = instant
        events: list[Event] = []
        suppressed = []
        for contact in contacts:
            entry = _Entry(contact, order=len(self._entries))
            self._register(entry)  # waiting, with no due time yet
            if contact.number in self._suppressed:
                suppressed.append(contact.id)
                self._finish(entry, Disposition.SUPPRESSED, instant, events)
            else:
                self._wait(entry, instant)
        events.insert(
            0,
            ContactsAdded(
                at=instant,
                contact_ids=tuple(c.id for c in contacts),
                suppressed=tuple(suppressed),
            ),
        )
        return CampaignUpdate(events=tuple(events))

    def suppress(self, numbers: Iterable[str], *, now: datetime) -> CampaignUpdate:
        """Put numbers on the campaign's do-not-call list: they are never dialed again.

        Waiting and previewed contacts with such a number finish as
        ``suppressed``; a call already in progress ends as it will, then the
        contact finishes.

        Raises:
            InvalidInputError: ``numbers`` is not a list of text; nothing changes.
        """
        instant = self._now(now)
        if not isinstance(numbers, list | tuple) or len(numbers) > MAX_BATCH:
            raise InvalidInputError(
                f"numbers must be a list of at most {MAX_BATCH:,} numbers", field="numbers"
            )
        for index, number in enumerate(numbers):
            check_text(number, f"numbers[{index}]", max_length=64)
        self._last = instant
        self._suppressed.update(numbers)
        events: list[Event] = []
        for number in dict.fromkeys(numbers):
            for contact_id in self._by_number.get(number, ()):
                entry = self._entries[contact_id]
                if entry.state in (WAITING, PREVIEWING):
                    self._finish(entry, Disposition.SUPPRESSED, instant, events)
        return CampaignUpdate(events=tuple(events))

    def pace(self, *, now: datetime, agents_ready: int, agents_busy: int = 0) -> CampaignUpdate:
        """Dial (or preview) what the mode allows now.

        Args:
            now: The current time.
            agents_ready: Agents of the campaign's queue free now (ignored agentless).
            agents_busy: Agents of the queue on a call or in wrap-up (predictive).

        Raises:
            InvalidInputError: a count out of range; nothing changes.
        """
        instant = self._now(now)
        ready = _count(agents_ready, "agents_ready")
        busy = _count(agents_busy, "agents_busy")
        self._last = instant
        wanted = self._lines(instant, ready, busy)
        events: list[Event] = []
        actions: list[CampaignAction] = []
        for entry in self._due(instant, wanted):
            if self.settings.mode is DialingMode.PREVIEW:
                self._move(entry, PREVIEWING)
                events.append(PreviewOffered(at=instant, contact_id=entry.contact.id))
                actions.append(
                    PreviewContact(entry.contact, self.settings.queue, self.settings.skills)
                )
            else:
                self._dial(entry, instant, None, events, actions)
        return CampaignUpdate(events=tuple(events), actions=tuple(actions))

    def accept_preview(self, contact_id: str, *, now: datetime, agent: str) -> CampaignUpdate:
        """Preview: the agent starts the call to the contact they were shown.

        Raises:
            NotFoundError: no such contact.
            InvalidTransitionError: the contact is not being previewed, or its
                calling window closed meanwhile (skip it instead).
        """
        instant = self._now(now)
        check_text(agent, "agent", max_length=256)
        entry = self._entry(contact_id)
        if entry.state != PREVIEWING:
            raise InvalidTransitionError(entry.state, "accept a preview", "it is not previewed")
        if not entry.callback and not self._calendar(entry.contact).is_open(instant):
            raise InvalidTransitionError(
                entry.state, "accept a preview", "the contact's calling window has closed"
            )
        self._last = instant
        events: list[Event] = []
        actions: list[CampaignAction] = []
        self._dial(entry, instant, agent, events, actions)
        return CampaignUpdate(events=tuple(events), actions=tuple(actions))

    def skip_preview(self, contact_id: str, *, now: datetime) -> CampaignUpdate:
        """Preview: the agent passes; the contact waits for the next agent (no attempt counted).

        Raises:
            NotFoundError: no such contact.
            InvalidTransitionError: the contact is not being previewed.
        """
        instant = self._now(now)
        entry = self._entry(contact_id)
        if entry.state != PREVIEWING:
            raise InvalidTransitionError(entry.state, "skip a preview", "it is not previewed")
        self._last = instant
        self._wait(entry, instant)
        return CampaignUpdate()

    def call_result(self, attempt_id: str, result: CallResult, *, now: datetime) -> CampaignUpdate:
        """Report what the telephony provider says became of a dialed call.

        Raises:
            NotFoundError: no such attempt.
            InvalidTransitionError: the attempt is not ringing.
            InvalidInputError: ``result`` is not a :class:`CallResult`.
        """
        instant = self._now(now)
        entry = self._attempt(attempt_id, (DIALING,), "report a call result")
        check_enum(result, CallResult, "result")
        self._last = instant
        entry.result = result
        self._totals["attempts_ended"] += 1
        events: list[Event] = []
        actions: list[CampaignAction] = []
        if result in RETRYABLE:
            if result is CallResult.MACHINE:
                self._totals["machines"] += 1
            self._end_attempt(entry, instant, events)
            self._retry_or_finish(entry, instant, result.value, events)
            return CampaignUpdate(events=tuple(events))
        entry.answered_at = instant
        self._totals["live_answers"] += 1
        events.append(AttemptAnswered(at=instant, attempt_id=attempt_id))
        contact = entry.contact
        if self.settings.mode is DialingMode.AGENTLESS:
            self._move(entry, TALKING)
            entry.connected_at = instant
            self._totals["connects"] += 1
            actions.append(RunFlow(attempt_id, self.settings.flow, contact.attributes))
        elif entry.agent is not None:  # preview: the agent is on the line
            self._connect(entry, instant, entry.agent, events)
        else:
            self._move(entry, ANSWERED)
            language = contact.attributes.get("language", "")
            actions.append(
                EnqueueCall(
                    attempt_id,
                    self.settings.queue,
                    self.settings.priority,
                    self.settings.skills,
                    language if isinstance(language, str) else "",
                    contact.attributes,
                    instant + self.settings.abandon_after,
                )
            )
        return CampaignUpdate(events=tuple(events), actions=tuple(actions))

    def connected(self, attempt_id: str, *, now: datetime, agent: str) -> CampaignUpdate:
        """An agent took an answered call (the router connected it).

        Raises:
            NotFoundError: no such attempt.
            InvalidTransitionError: the call is not waiting for an agent (it
                may have been abandoned already).
        """
        instant = self._now(now)
        entry = self._attempt(attempt_id, (ANSWERED,), "connect an agent")
        check_text(agent, "agent", max_length=256)
        self._last = instant
        events: list[Event] = []
        self._connect(entry, instant, agent, events)
        return CampaignUpdate(events=tuple(events))

    def finish(
        self,
        attempt_id: str,
        *,
        now: datetime,
        right_party: bool = True,
        converted: bool = False,
        do_not_call: bool = False,
        callback_at: datetime | None = None,
    ) -> CampaignUpdate:
        """End a connected call with the agent's (or the flow's) verdict.

        Args:
            attempt_id: The attempt.
            now: The current time.
            right_party: The wanted person was reached (else ``wrong_party``).
            converted: The campaign's goal was met (needs ``right_party``).
            do_not_call: The person asked not to be called again: the number
                is suppressed and the contact finishes as ``do_not_call``.
            callback_at: The person asked to be called at this time: the
                contact is dialed then (on any clock: they asked for it).

        Raises:
            NotFoundError: no such attempt.
            InvalidTransitionError: the call is not connected.
            InvalidInputError: contradictory verdicts (converted without the
                right party, a callback with do-not-call or in the past).
        """
        instant = self._now(now)
        entry = self._attempt(attempt_id, (TALKING,), "finish a call")
        for value, name in ((right_party, "right_party"), (converted, "converted")):
            check_bool(value, name)
        check_bool(do_not_call, "do_not_call")
        due = None if callback_at is None else _utc(callback_at, "callback_at")
        if converted and not right_party:
            raise InvalidInputError("converted needs right_party", field="converted")
        if due is not None and (do_not_call or due < instant):
            raise InvalidInputError(
                "callback_at must not be in the past, nor given with do_not_call",
                field="callback_at",
            )
        self._last = instant
        events: list[Event] = []
        agentless = self.settings.mode is DialingMode.AGENTLESS
        self._totals["right_party_contacts"] += right_party and not agentless
        self._totals["conversions"] += converted
        self._end_attempt(entry, instant, events, right_party=right_party, converted=converted)
        if do_not_call:
            self._suppressed.add(entry.contact.number)
            self._finish(entry, Disposition.DO_NOT_CALL, instant, events)
        elif due is not None and entry.contact.number in self._suppressed:
            self._finish(entry, Disposition.SUPPRESSED, instant, events)
        elif due is not None and self._totals["stopped"]:
            self._finish(entry, Disposition.CANCELLED, instant, events)
        elif due is not None:
            entry.callback = True
            self._wait(entry, due)
            events.append(
                RetryScheduled(at=instant, contact_id=entry.contact.id, due=due, reason="callback")
            )
        elif agentless:
            self._finish(entry, Disposition.MESSAGE_DELIVERED, instant, events)
        elif converted:
            self._finish(entry, Disposition.CONVERTED, instant, events)
        else:
            disposition = Disposition.CONTACTED if right_party else Disposition.WRONG_PARTY
            self._finish(entry, disposition, instant, events)
        return CampaignUpdate(events=tuple(events))

    def advance(self, *, now: datetime) -> CampaignUpdate:
        """Abandon the live answers whose deadline has passed with no agent.

        Each gets :class:`PlayInformationMessage` and counts against the
        abandon rate; the contact is tried again after ``retry.after_abandon``.
        """
        instant = self._now(now)
        self._last = instant
        events: list[Event] = []
        actions: list[CampaignAction] = []
        late = []
        for contact_id in self._answered:  # oldest answer first: the late ones lead
            entry = self._entries[contact_id]
            if (
                entry.answered_at is None
                or entry.answered_at + self.settings.abandon_after > instant
            ):
                break
            late.append(entry)
        for entry in late:
            attempt_id = entry.attempt_id or ""
            self._totals["abandons"] += 1
            self._window.record(now=instant, live_answers=1, abandoned=1)
            self._answers_log.append((instant, True))
            events.append(AttemptAbandoned(at=instant, attempt_id=attempt_id))
            actions.append(
                PlayInformationMessage(
                    attempt_id, self.settings.information_message, self.settings.queue
                )
            )
            self._end_attempt(entry, instant, events, abandoned=True)
            self._retry_or_finish(entry, instant, "abandoned", events)
        return CampaignUpdate(events=tuple(events), actions=tuple(actions))

    def stop(self, *, now: datetime) -> CampaignUpdate:
        """Stop the campaign: every waiting or previewed contact finishes as ``cancelled``.

        Calls in progress end as they will; their contacts then finish (a
        callback asked for then is cancelled too). No contact can be added.
        """
        instant = self._now(now)
        self._last = instant
        events: list[Event] = []
        for entry in self._entries.values():
            if entry.state in (WAITING, PREVIEWING):
                self._finish(entry, Disposition.CANCELLED, instant, events)
        self._totals["stopped"] = 1
        return CampaignUpdate(events=tuple(events))

    def next_deadline(self) -> datetime | None:
        """When the campaign next needs ``now``: an abandon deadline or a contact falling due.

        A contact falls due at its retry time or at its calling window's
        next opening (known once a :meth:`pace` has seen it closed).
        """
        times = []
        for contact_id in self._answered:  # the oldest answer is abandoned first
            answered_at = self._entries[contact_id].answered_at
            if answered_at is not None:
                times.append(answered_at + self.settings.abandon_after)
            break
        while self._heap and not self._live(self._heap[0]):
            heapq.heappop(self._heap)  # stale: not observable
        if self._heap:
            times.append(self._heap[0][0])
        return min(times) if times else None

    def report(self, *, now: datetime) -> CampaignReport:
        """The campaign's figures, with the abandon counts of the rolling window ending at ``now``.

        Raises:
            InvalidInputError: ``now`` is not an aware datetime.
        """
        instant = _utc(now, "now")
        edge = instant - self.settings.abandon_window
        inside = [abandoned for at, abandoned in self._answers_log if edge < at <= instant]
        dispositions = Counter(
            entry.disposition.value for entry in self._entries.values() if entry.disposition
        )
        totals = self._totals
        return CampaignReport(
            attempts=totals["attempts"],
            live_answers=totals["live_answers"],
            connects=totals["connects"],
            right_party_contacts=totals["right_party_contacts"],
            conversions=totals["conversions"],
            abandons=totals["abandons"],
            machines=totals["machines"],
            window_live_answers=len(inside),
            window_abandons=sum(inside),
            dispositions=dict(sorted(dispositions.items())),
        )

    # --- the steps ----------------------------------------------------------------

    def _lines(self, instant: datetime, ready: int, busy: int) -> int:
        """How many contacts to dial (or preview) now."""
        settings = self.settings
        states = self._states
        in_flight = states[DIALING] + states[ANSWERED]
        room = max(
            0,
            settings.max_lines
            - in_flight
            - states[TALKING] * (settings.mode is DialingMode.AGENTLESS),
        )
        if settings.mode is DialingMode.AGENTLESS:
            return room
        if settings.mode is DialingMode.PREVIEW:
            return max(0, ready - states[PREVIEWING])
        if settings.mode is DialingMode.PROGRESSIVE:
            return min(room, max(0, ready - in_flight))
        live, abandoned = self._window.pacing_counts(now=instant, horizon=settings.pacing_horizon)
        ended = self._totals["attempts_ended"]
        rate = settings.answer_rate
        if ended >= _OBSERVED and self._totals["live_answers"]:
            rate = self._totals["live_answers"] / ended
        state = DialerState(
            agents_ready=min(ready, 1_000_000),
            agents_busy=min(busy, 1_000_000),
            lines_in_flight=in_flight,
            answer_rate=rate,
            aht=settings.aht,
            connect_delay=settings.connect_delay,
            live_answers=live,
            abandoned=abandoned,
            target=settings.abandon_target,
            max_lines=room,
        )
        return model_pacing(state)

    def _live(self, item: tuple[datetime, int, str]) -> bool:
        entry = self._entries[item[2]]
        return entry.state == WAITING and entry.due == item[0]

    def _promote(self, instant: datetime) -> None:
        """Move contacts due by ``instant`` to the ready heap, or on to their window's opening."""
        moved: list[_Entry] = []
        while self._heap and self._heap[0][0] <= instant:
            item = heapq.heappop(self._heap)
            if not self._live(item) or self._entries[item[2]].ready:
                continue  # stale, or a twin of an entry already ready
            entry = self._entries[item[2]]
            if entry.callback or self._calendar(entry.contact).is_open(instant):
                entry.ready = True
                heapq.heappush(self._ready, item)
                continue
            opens = self._calendar(entry.contact).next_open(instant)
            entry.due = None if opens is None else opens.astimezone(timezone.utc)
            moved.append(entry)  # never opening within the search horizon: waits for stop()
        for entry in moved:
            if entry.due is not None:
                heapq.heappush(self._heap, (entry.due, entry.order, entry.contact.id))

    def _due(self, instant: datetime, wanted: int) -> list[_Entry]:
        """Up to ``wanted`` waiting contacts due now with their window open, earliest first."""
        self._promote(instant)
        chosen: list[_Entry] = []
        while len(chosen) < wanted and self._ready:
            item = heapq.heappop(self._ready)
            entry = self._entries[item[2]]
            if not self._live(item) or not entry.ready:
                continue  # stale, or a twin of the entry just taken
            entry.ready = False
            if entry.callback or self._calendar(entry.contact).is_open(instant):
                chosen.append(entry)
                continue
            opens = self._calendar(entry.contact).next_open(instant)  # closed since it was ready
            entry.due = None if opens is None else opens.astimezone(timezone.utc)
            if entry.due is not None:
                heapq.heappush(self._heap, (entry.due, entry.order, entry.contact.id))
        return chosen

    def _wait(self, entry: _Entry, due: datetime) -> None:
        self._move(entry, WAITING)
        entry.due, entry.ready = due, False
        entry.attempt_id = entry.agent = entry.result = None
        entry.dialed_at = entry.answered_at = entry.connected_at = None
        heapq.heappush(self._heap, (due, entry.order, entry.contact.id))

    def _dial(
        self,
        entry: _Entry,
        instant: datetime,
        agent: str | None,
        events: list[Event],
        actions: list[CampaignAction],
    ) -> None:
        attempt_id = self.id_factory()
        self._move(entry, DIALING)
        entry.due, entry.attempt_id, entry.ready = None, attempt_id, False
        entry.dialed_at, entry.agent = instant, agent
        entry.attempts += 1
        self._attempts[attempt_id] = entry.contact.id
        self._totals["attempts"] += 1
        events.append(
            AttemptStarted(
                at=instant,
                attempt_id=attempt_id,
                contact_id=entry.contact.id,
                attempt=entry.attempts,
                callback=entry.callback,
            )
        )
        actions.append(DialContact(attempt_id, entry.contact, agent, entry.callback))

    def _connect(self, entry: _Entry, instant: datetime, agent: str, events: list[Event]) -> None:
        self._move(entry, TALKING)
        entry.connected_at, entry.agent = instant, agent
        self._totals["connects"] += 1
        self._window.record(now=instant, live_answers=1)
        self._answers_log.append((instant, False))
        events.append(AttemptConnected(at=instant, attempt_id=entry.attempt_id or "", agent=agent))
        self._prune(instant)

    def _prune(self, instant: datetime) -> None:
        edge = instant - self.settings.abandon_window
        while self._answers_log and self._answers_log[0][0] <= edge:
            self._answers_log.popleft()

    def _end_attempt(
        self,
        entry: _Entry,
        instant: datetime,
        events: list[Event],
        *,
        abandoned: bool = False,
        right_party: bool = False,
        converted: bool = False,
    ) -> None:
        assert entry.attempt_id is not None  # noqa: S101 - every ended attempt has these
        assert entry.dialed_at is not None  # noqa: S101
        assert entry.result is not None  # noqa: S101 - every ended attempt has a result
        record = AttemptRecord(
            attempt_id=entry.attempt_id,
            contact_id=entry.contact.id,
            campaign=self.settings.name,
            mode=self.settings.mode,
            queue=self.settings.queue,
            dialed_at=entry.dialed_at,
            ended_at=instant,
            result=entry.result,
            answered_at=entry.answered_at,
            connected_at=entry.connected_at,
            agent=entry.agent if entry.connected_at else None,
            abandoned=abandoned,
            right_party=right_party,
            converted=converted,
            callback=entry.callback,
        )
        del self._attempts[entry.attempt_id]
        entry.callback = False
        events.append(AttemptEnded(at=instant, record=record))

    def _retry_or_finish(
        self, entry: _Entry, instant: datetime, reason: str, events: list[Event]
    ) -> None:
        retry = self.settings.retry
        if entry.contact.number in self._suppressed:
            self._finish(entry, Disposition.SUPPRESSED, instant, events)
        elif self._totals["stopped"]:
            self._finish(entry, Disposition.CANCELLED, instant, events)
        elif entry.attempts >= retry.max_attempts:
            self._finish(entry, Disposition.MAX_ATTEMPTS, instant, events)
        else:
            delay = (
                retry.after_abandon if reason == "abandoned" else retry.delay(CallResult(reason))
            )
            self._wait(entry, instant + delay)
            events.append(
                RetryScheduled(
                    at=instant, contact_id=entry.contact.id, due=instant + delay, reason=reason
                )
            )

    def _finish(
        self, entry: _Entry, disposition: Disposition, instant: datetime, events: list[Event]
    ) -> None:
        self._move(entry, DONE)
        entry.due, entry.disposition, entry.ready = None, disposition, False
        entry.attempt_id = None
        events.append(
            ContactFinished(
                at=instant,
                contact_id=entry.contact.id,
                disposition=disposition,
                attempts=entry.attempts,
            )
        )

    # --- snapshot -----------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The campaign's state as plain JSON-able data (the settings are not included)."""
        return {
            "version": 1,
            "last": None if self._last is None else self._last.isoformat(),
            "suppressed": sorted(self._suppressed),
            "totals": dict(sorted(self._totals.items())),
            "answers": [[at.isoformat(), abandoned] for at, abandoned in self._answers_log],
            "contacts": [_entry_data(entry) for entry in self._entries.values()],
        }

    @classmethod
    def restore(
        cls, settings: CampaignSettings, data: Mapping[str, Any], *, id_factory: IdFactory = new_id
    ) -> Campaign:
        """Rebuild a campaign from :meth:`snapshot` data and its settings.

        Raises:
            DocumentError: the data is not a campaign snapshot.
        """
        campaign = cls(settings, id_factory=id_factory)
        try:
            if data["version"] != 1:
                raise InvalidInputError("unknown snapshot version", field="version")  # noqa: TRY301
            campaign._last = None if data["last"] is None else _utc(_time(data["last"]), "last")
            campaign._suppressed = {check_text(n, "suppressed") for n in data["suppressed"]}
            campaign._totals = Counter({str(k): int(v) for k, v in data["totals"].items()})
            for at, abandoned in data["answers"]:
                instant = _utc(_time(at), "answers")
                campaign._answers_log.append((instant, check_bool(abandoned, "answers")))
                campaign._window.record(now=instant, live_answers=1, abandoned=int(abandoned))
            entries = [_entry_from(item, order) for order, item in enumerate(data["contacts"])]
            answered = sorted(
                (e for e in entries if e.state == ANSWERED),
                key=lambda e: (e.answered_at or EARLIEST, e.order),
            )
            for entry in [e for e in entries if e.state != ANSWERED] + answered:
                if entry.contact.id in campaign._entries:
                    raise InvalidInputError("a contact id repeats", field="contacts")  # noqa: TRY301
                campaign._register(entry)
            campaign._entries = {e.contact.id: campaign._entries[e.contact.id] for e in entries}
        except (InvalidInputError, KeyError, TypeError, ValueError, AttributeError) as error:
            raise DocumentError(
                [Problem("", f"not a campaign snapshot: {error}")], "campaign snapshot"
            ) from None
        return campaign


def _count(value: object, what: str) -> int:
    return check_count(value, what, high=1_000_000)


def _time(value: object) -> datetime:
    if not isinstance(value, str):
        raise InvalidInputError("a time must be ISO text", field="time")
    return datetime.fromisoformat(value)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _entry_data(entry: _Entry) -> dict[str, Any]:
    contact = entry.contact
    return {
        "id": contact.id,
        "number": contact.number,
        "zone": contact.zone,
        "country": contact.country,
        "attributes": dict(contact.attributes),
        "state": entry.state,
        "due": _iso(entry.due),
        "attempts": entry.attempts,
        "callback": entry.callback,
        "attempt_id": entry.attempt_id,
        "dialed_at": _iso(entry.dialed_at),
        "answered_at": _iso(entry.answered_at),
        "connected_at": _iso(entry.connected_at),
        "agent": entry.agent,
        "result": None if entry.result is None else entry.result.value,
        "disposition": None if entry.disposition is None else entry.disposition.value,
        "ready": entry.ready,
    }


def _optional_time(value: object) -> datetime | None:
    return None if value is None else _utc(_time(value), "time")


def _entry_from(item: Mapping[str, Any], order: int) -> _Entry:
    contact = CampaignContact(
        id=item["id"],
        number=item["number"],
        zone=item["zone"],
        country=item["country"],
        attributes=item["attributes"],
    )
    if item["state"] not in (WAITING, PREVIEWING, DIALING, ANSWERED, TALKING, DONE):
        raise InvalidInputError(f"unknown state {item['state']!r:.40}", field="state")
    return _Entry(
        contact,
        order=order,
        state=item["state"],
        due=_optional_time(item["due"]),
        attempts=int(item["attempts"]),
        callback=check_bool(item["callback"], "callback"),
        attempt_id=item["attempt_id"],
        dialed_at=_optional_time(item["dialed_at"]),
        answered_at=_optional_time(item["answered_at"]),
        connected_at=_optional_time(item["connected_at"]),
        agent=item["agent"],
        result=None if item["result"] is None else CallResult(item["result"]),
        disposition=None if item["disposition"] is None else Disposition(item["disposition"]),
        ready=check_bool(item["ready"], "ready"),
    )
