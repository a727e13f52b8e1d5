"""The contact centre: the engines joined into one system, behind plain method calls.

Theory of operation. A host tells the centre what happened (a call rang in,
the caller pressed keys, an agent accepted, the call ended, the agent wrapped
up), each as one method named for it. The centre checks the input fully, then
drives the engines in the order the contact's life takes them:

- arrival: :class:`~callcore.customers.CallerIdentifier` finds (or creates)
  the customer; a call starts the IVR flow of the number it dialled, a message
  opens or updates a ticket;
- IVR: the session's actions go to the telephony provider, its look-ups to
  the ``callcore_crm_lookup`` hook, its ``EnqueueContact`` to the router as it
  is;
- queue: the router's offers ring agents, its timers run from
  :meth:`ContactCenter.run_due`; a hang-up while waiting is an abandon;
- answer: the agent gets the screen pop; a voice contact's ticket is opened,
  a message's ticket is assigned;
- end and wrap-up: the disposition moves the ticket through its workflow
  (closing it sends the survey through ``callcore_notify``), the interaction
  goes into the customer's history and one KPI record per contact into the
  aggregator.

Each input returns one :class:`CenterUpdate`: every event in the order it
happened (the engines' own and the centre's) and every action for the host.
Before returning, the centre has broadcast the events to
``callcore_domain_event`` (and logged one line each to ``callcore.center``)
and handed the telephony actions to ``callcore_telephony``. A refused input
raises a :class:`~callcore.errors.CallcoreError` naming the field or the
state, and changes nothing: every check runs before the first engine moves.

One re-entrant lock serialises the inputs: the centre may be called from
several threads (a web server's workers, a timer thread).
"""

from __future__ import annotations

import contextlib
import enum
import logging
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from callcore.acd import (
    AgentProfile,
    ContactAbandoned,
    ContactOffered,
    ContactOverflowed,
    ContactQueued,
    ContactRejected,
    DeclineReason,
    NotReadyReason,
    OverflowAction,
    QueueConfig,
    Router,
    RouterUpdate,
)
from callcore.center._actions import (
    CallerAction,
    CenterAction,
    Conference,
    Connect,
    Consult,
    Disconnect,
    HoldCaller,
    ResumeCaller,
    RingAgent,
    ScreenPop,
    StopRinging,
    TransferToQueue,
)
from callcore.center._checkpoint import CenterState, read_state, write_state
from callcore.center._contact import LiveContact, Phase
from callcore.center._events import (
    ContactArrived,
    ContactCompleted,
    ContactConferenced,
    ContactConsulted,
    ContactHeld,
    ContactResumed,
    ContactTransferred,
    SurveySent,
)
from callcore.checks import check_bool, check_enum, check_instant, check_plain_data, check_text
from callcore.clock import Clock, SystemClock
from callcore.contacts import (
    AgentState,
    Channel,
    ContactOutcome,
    Direction,
    check_priority,
    check_skills,
)
from callcore.customers import CallerIdentifier, Customer, Identity, IdentityKind, normalize_phone
from callcore.errors import (
    CallcoreError,
    DocumentError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
    PluginError,
    Problem,
)
from callcore.events import Event, IdFactory, new_id
from callcore.ivr import (
    CallerHangup,
    EnqueueContact,
    Flow,
    IvrEvent,
    IvrSession,
    IvrUpdate,
    LookupRequest,
    LookupResult,
    QueueNode,
)
from callcore.kpi import Aggregator, InteractionRecord
from callcore.notifications import Notification, NotificationChannel
from callcore.plugins import (
    call_hook,
    make_plugin_manager,
    open_storage,
    routing_strategies,
    ticket_workflows,
)
from callcore.tickets import (
    Actor,
    FollowUpDue,
    Link,
    Notify,
    SendSurvey,
    StateCategory,
    Ticket,
    TicketAction,
    TicketEngine,
    TicketSettings,
    TicketUpdate,
)

if TYPE_CHECKING:
    import pluggy

    from callcore.ivr import Calendar
    from callcore.storage import Storage

__all__ = ["DEFAULT_DISPOSITIONS", "CenterUpdate", "ContactCenter", "Disposition"]

_log = logging.getLogger("callcore.center")

CHECKPOINT_NAME = "center"
"""The name of the centre's checkpoint in the store."""

_MAX_LOOKUPS = 32
"""The most CRM look-ups the centre answers within one input (a flow that loops on
look-ups leaves the rest to the host, as if no plugin answered)."""


class Disposition(enum.Enum):
    """What the agent says, at wrap-up, became of the customer's issue."""

    OPEN = "open"
    """Work goes on; the ticket stays open."""
    RESOLVED = "resolved"
    """Solved; the ticket is resolved (and closes by itself later)."""
    CLOSED = "closed"
    """Solved and closed now; the customer gets the satisfaction survey."""
    NEEDS_FOLLOW_UP = "needs_follow_up"
    """Not solved on first contact; a follow-up is scheduled."""


DEFAULT_DISPOSITIONS: Mapping[Disposition, str | None] = {
    Disposition.OPEN: None,
    Disposition.RESOLVED: "resolve",
    Disposition.CLOSED: "close",
    Disposition.NEEDS_FOLLOW_UP: "need_follow_up",
}
"""Each disposition's transition in the default ticket workflow (``None``: stay)."""

_RESOLVED = {Disposition.RESOLVED: True, Disposition.CLOSED: True}


@attrs.frozen
class CenterUpdate:
    """What one input to the centre caused (a :class:`callcore.events.ActionUpdate`).

    Attributes:
        events: Every domain event, in the order it happened: the engines'
            (``ivr.*``, ``acd.*``, ``customer.*``, ticket changes, ``kpi.*``)
            and the centre's own (``center.*``).
        actions: What the host must do, in order: telephony and agent-desktop
            actions (already handed to ``callcore_telephony``), surveys sent
            (already handed to ``callcore_notify``) and follow-ups due.
    """

    events: tuple[Event, ...] = ()
    actions: tuple[CenterAction, ...] = ()

    def kinds(self) -> tuple[str, ...]:
        """The events' kinds, in order: handy in tests and logs."""
        return tuple(event.kind for event in self.events)

    def of_type(self, cls: type[Any]) -> tuple[Any, ...]:
        """The events and actions that are instances of ``cls``, in order."""
        return tuple(item for item in (*self.events, *self.actions) if isinstance(item, cls))


@attrs.define
class _Out:
    """What an input has caused so far."""

    events: list[Event] = attrs.Factory(list)
    actions: list[CenterAction] = attrs.Factory(list)


def _address_key(address: str, country_code: str) -> str:
    """A dialled number in E.164 when it is one, else the address as given."""
    try:
        return normalize_phone(address, country_code)
    except CallcoreError:
        return address.strip().lower()


class ContactCenter:
    """A whole contact centre: identification, IVR, ACD, tickets and KPIs, joined.

    Args:
        queues: The router's queues.
        flows: The IVR flow of each dialled number (E.164 or as the provider
            gives it; ``"*"`` for every other number).
        subflows: Flows that subflow nodes call.
        message_queues: The queue of each non-voice channel
            (``{Channel.EMAIL: "email"}``), for messages sent without one.
        agents: Agent profiles the centre knows, so that an agent logs in by id.
        store: A store, or the URL of one (``"memory:"``,
            ``"sqlite:///path.db"``) opened through ``callcore_storage``.
        clock: Where ``now`` comes from when an input gives none
            (default: :class:`~callcore.clock.SystemClock`).
        plugins: Plugins to register (a telephony provider, a CRM look-up,
            notifiers, listeners); they take precedence over the built-ins.
        load_entrypoints: Also load plugins published under the ``callcore``
            entry-point group.
        default_country_code: The country calling code of national numbers.
        ticket_settings: Tiers, escalation rules, SLA policies, macros.
        dispositions: The ticket transition of each disposition (default:
            :data:`DEFAULT_DISPOSITIONS`, for the default workflow).
        aggregator: Where the KPI records are counted (default: a grand total).
        calendars: Business calendars by name, for the flows' hours nodes.
        id_factory: Makes ids of contacts (when the host gives none),
            customers, interactions and tickets.
        seed: The router's random seed.
        durable: Checkpoint the centre's state to the store after every
            input, and carry on from the store's checkpoint when there is one
            (a restart): waiting contacts keep their places, IVR sessions
            resume where they waited.

    Raises:
        DocumentError: A flow names a queue the router does not have, or a
            channel's queue is unknown; every problem is listed.
        InvalidInputError: An argument has the wrong type (naming it).
        ConfigError: No plugin opens the store URL.
    """

    def __init__(
        self,
        *,
        queues: Iterable[QueueConfig],
        flows: Mapping[str, Flow],
        subflows: Iterable[Flow] = (),
        message_queues: Mapping[Channel, str] | None = None,
        agents: Iterable[AgentProfile] = (),
        store: Storage | str = "memory:",
        clock: Clock | None = None,
        plugins: Iterable[object] = (),
        load_entrypoints: bool = False,
        default_country_code: str = "1",
        ticket_settings: TicketSettings | None = None,
        dispositions: Mapping[Disposition, str | None] | None = None,
        aggregator: Aggregator | None = None,
        calendars: Mapping[str, Calendar] | None = None,
        id_factory: IdFactory = new_id,
        seed: int = 0,
        durable: bool = False,
    ) -> None:
        """Build the centre: the plugin manager first, then the engines it configures."""
        self._lock = threading.RLock()
        self.plugins: pluggy.PluginManager = make_plugin_manager(
            load_entrypoints=load_entrypoints, plugins=plugins
        )
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.store: Storage = open_storage(self.plugins, store) if isinstance(store, str) else store
        self.identifier = CallerIdentifier(
            self.store, default_country_code=default_country_code, id_factory=id_factory
        )
        self.router = Router(queues, strategies=routing_strategies(self.plugins), seed=seed)
        self.tickets = TicketEngine(
            settings=ticket_settings if ticket_settings is not None else TicketSettings(),
            workflows=ticket_workflows(self.plugins),
            id_factory=id_factory,
        )
        self.aggregator = aggregator if aggregator is not None else Aggregator()
        self._queue_names = frozenset(queue.name for queue in self.router.queues)
        self._id_factory = id_factory
        self._country_code = default_country_code
        self._calendars = dict(calendars or {})
        self._subflows = tuple(subflows)
        self._dispositions = dict(DEFAULT_DISPOSITIONS if dispositions is None else dispositions)
        self._flows = self._check_flows(flows)
        self._message_queues = self._check_message_queues(message_queues or {})
        self.agents: dict[str, AgentProfile] = {}
        for index, profile in enumerate(agents):
            if not isinstance(profile, AgentProfile):
                raise InvalidInputError(
                    f"agents[{index}] must be an AgentProfile, got {type(profile).__name__}",
                    field=f"agents[{index}]",
                )
            self.agents[profile.agent_id] = profile
        self._contacts: dict[str, LiveContact] = {}
        self._ticket_due: dict[str, datetime] = {}
        self._last: datetime | None = None
        self.durable = check_bool(durable, "durable")
        if durable:
            saved = self.store.load_checkpoint(CHECKPOINT_NAME)
            if saved is not None:
                self._restore(saved)

    def _all_flows(self) -> list[Flow]:
        unique = {
            (flow.id, flow.version): flow for flow in (*self._flows.values(), *self._subflows)
        }
        return list(unique.values())

    def _restore(self, saved: str) -> None:
        state = read_state(saved, flows=self._all_flows(), calendars=self._calendars)
        self.router = Router.restore(state.router, strategies=routing_strategies(self.plugins))
        self._contacts = {live.contact_id: live for live in state.contacts}
        self._ticket_due = dict(state.ticket_due)
        self.aggregator = state.aggregator
        self._last = state.last
        _log.info("resumed from the store's checkpoint: %d contacts", len(self._contacts))

    def checkpoint(self) -> None:
        """Write the centre's state to the store (:attr:`durable` centres do it after every input).

        Raises:
            StorageError: The store failed; the previous checkpoint stands.
        """
        with self._lock:
            state = CenterState(
                last=self._last,
                router=self.router.snapshot(),
                contacts=tuple(self._contacts.values()),
                ticket_due=self._ticket_due,
                aggregator=self.aggregator,
            )
            self.store.save_checkpoint(CHECKPOINT_NAME, write_state(state))

    def _check_flows(self, flows: Mapping[str, Flow]) -> dict[str, Flow]:
        if not isinstance(flows, Mapping):
            raise InvalidInputError(
                f"flows must map dialled numbers to flows, got {type(flows).__name__}",
                field="flows",
            )
        known = {queue.name for queue in self.router.queues}
        problems: list[Problem] = []
        checked: dict[str, Flow] = {}
        for dialled, flow in flows.items():
            check_text(dialled, "flows key")
            if not isinstance(flow, Flow):
                raise InvalidInputError(
                    f"flows.{dialled} must be a Flow, got {type(flow).__name__}",
                    field=f"flows.{dialled}",
                )
            for flow_ in (flow, *self._subflows):
                for name, node in flow_.nodes.items():
                    if isinstance(node, QueueNode) and node.queue not in known:
                        problems.append(
                            Problem(
                                f"flows.{dialled}.nodes.{name}.queue",
                                f"unknown queue {node.queue!r}; queues: {', '.join(sorted(known))}",
                            )
                        )
            key = dialled if dialled == "*" else _address_key(dialled, self._country_code)
            checked[key] = flow
        if problems:
            raise DocumentError(sorted(set(problems)), "contact centre flows")
        return checked

    def _check_message_queues(self, queues: Mapping[Channel, str]) -> dict[Channel, str]:
        known = {queue.name for queue in self.router.queues}
        problems = []
        for channel, queue in queues.items():
            check_enum(channel, Channel, "message_queues key")
            if queue not in known:
                problems.append(
                    Problem(f"message_queues.{channel.value}", f"unknown queue {queue!r}")
                )
        if problems:
            raise DocumentError(problems, "contact centre message queues")
        return dict(queues)

    # --- reading ---------------------------------------------------------------------

    def contact(self, contact_id: str) -> LiveContact:
        """The live state of a contact the centre is working on: a copy to read.

        Its ``session`` is the contact's live IVR session: read it (its node,
        its variables), never drive it; drive the centre.

        Raises:
            NotFoundError: No such contact (never seen, or completed).
        """
        with self._lock:
            live = self._live(contact_id)
            return attrs.evolve(live, variables=dict(live.variables))

    def contact_ids(self) -> tuple[str, ...]:
        """The contacts the centre is working on, in order of arrival."""
        with self._lock:
            return tuple(self._contacts)

    def next_deadline(self) -> datetime | None:
        """When :meth:`run_due` next has work: the earliest timer of every engine.

        The router's offer time-outs, wrap-up ends, escalations and overflows;
        each IVR session's call-time cap; each ticket's SLA warnings and
        breaches, follow-ups and auto-close. ``None`` when nothing is set.
        """
        with self._lock:
            times = [self.router.next_deadline()]
            times.extend(
                live.session.next_deadline()
                for live in self._contacts.values()
                if live.session is not None and live.phase is Phase.IVR
            )
            times.extend(self._ticket_due.values())
            present = [time for time in times if time is not None]
            return min(present) if present else None

    # --- time --------------------------------------------------------------------------

    def _time(self, now: datetime | None) -> datetime:
        """``now`` checked (or the clock's), never earlier than a time already seen."""
        if now is None:
            now = self.clock.now()
        check_instant(now, "now")
        if self._last is not None and now < self._last:
            raise InvalidInputError(
                f"now ({now.isoformat()}) is earlier than a time already seen "
                f"({self._last.isoformat()}); time cannot go backwards",
                field="now",
            )
        return now

    def _finish(self, now: datetime, out: _Out) -> CenterUpdate:
        """Remember ``now`` (and checkpoint), hand the update to the hooks, and return it."""
        self._last = now
        if self.durable:
            self.checkpoint()
        if _log.isEnabledFor(logging.INFO):
            for event in out.events:
                _log.info("%s %s", event.kind, _described(event))
        self._broadcast("callcore_domain_event", "event", out.events)
        self._broadcast(
            "callcore_telephony",
            "action",
            [action for action in out.actions if not isinstance(action, SendSurvey | FollowUpDue)],
        )
        return CenterUpdate(events=tuple(out.events), actions=tuple(out.actions))

    def _broadcast(self, hook_name: str, argument: str, values: Iterable[object]) -> None:
        """Call a broadcast hook once per value; a plugin's crash is logged, not raised.

        The input has been applied: a listener that fails must not lose the
        update the host needs (``call_hook`` logs which plugin failed).
        """
        if not getattr(self.plugins.hook, hook_name).get_hookimpls():
            return  # nobody listens: nothing to call
        for value in values:
            with contextlib.suppress(PluginError):
                call_hook(self.plugins, hook_name, **{argument: value})

    def _quietly(self, hook: str, **kwargs: Any) -> None:  # noqa: ANN401
        """Call a broadcast hook once; a plugin's crash is logged (by ``call_hook``), not raised."""
        with contextlib.suppress(PluginError):
            call_hook(self.plugins, hook, **kwargs)

    # --- arrivals ----------------------------------------------------------------------

    def inbound_call(
        self,
        *,
        caller: str,
        dialled: str,
        contact_id: str | None = None,
        now: datetime | None = None,
    ) -> CenterUpdate:
        """A call rang in: identify the caller and start the dialled number's IVR flow.

        Args:
            caller: The caller's number (national numbers in the default country).
            dialled: The number called; it chooses the flow.
            contact_id: The host's id for the call (Twilio's ``CallSid``...);
                the centre makes one when not given.
            now: When it rang (default: the clock's time).

        Returns:
            ``customer.created`` or ``customer.identified``,
            ``center.contact_arrived``, ``ivr.session_started``, and the IVR's
            first actions (usually a ``gather``) as :class:`CallerAction`.

        Raises:
            InvalidInputError: ``caller`` is not a phone number, ``contact_id``
                is not an id, ``now`` is out of range or earlier than a time
                already seen.
            NotFoundError: No flow answers ``dialled``.
            InvalidTransitionError: ``contact_id`` is already in the centre.
        """
        with self._lock:
            now = self._time(now)
            check_text(dialled, "dialled")
            flow = self._flows.get(_address_key(dialled, self._country_code)) or self._flows.get(
                "*"
            )
            if flow is None:
                raise NotFoundError("flow for the dialled number", dialled)
            identity = self._identity(caller, "caller")
            contact_id = self._new_contact_id(contact_id)
            # checked: from here on the centre changes
            out = _Out()
            live = self._arrive(contact_id, Channel.VOICE, identity, dialled, now, out)
            live.session = IvrSession(flow, subflows=self._subflows, calendars=self._calendars)
            customer = live.customer
            update = live.session.start(
                now=now,
                caller={
                    "customer_id": customer.id,
                    "known": not live.new_customer,
                    "tier": customer.tier,
                    "name": customer.name or "",
                },
                call={"ani": identity.value, "dnis": dialled, "contact_id": contact_id},
                language=customer.language
                if customer.language in live.session.flow.languages
                else None,
            )
            self._absorb_ivr(live, update, now, out)
            return self._finish(now, out)

    def inbound_message(
        self,
        *,
        channel: Channel,
        sender: str,
        to: str = "",
        subject: str = "",
        text: str = "",
        queue: str | None = None,
        ticket_id: str | None = None,
        priority: int = 0,
        skills: Mapping[str, int] | None = None,
        language: str = "",
        contact_id: str | None = None,
        now: datetime | None = None,
    ) -> CenterUpdate:
        """An email, chat, SMS or social message came in: identify, ticket, queue.

        No IVR: the sender is identified, the ticket ``ticket_id`` (a reply in
        its thread) gets the customer's reply, or a new ticket is opened, and
        the contact joins ``queue`` (or its channel's queue), where the
        router offers it within each agent's capacity for the channel.

        Raises:
            InvalidInputError: A field is wrong (naming it): a voice channel,
                a sender that is neither a phone number nor an email address,
                no queue for the channel, bad priority, skills or language.
            NotFoundError: No such queue or ticket.
            InvalidTransitionError: The ticket is closed (open a new one), or
                ``contact_id`` is already in the centre.
        """
        with self._lock:
            now = self._time(now)
            check_enum(channel, Channel, "channel")
            if channel is Channel.VOICE:
                raise InvalidInputError(
                    "a voice contact arrives by inbound_call, not inbound_message", field="channel"
                )
            check_text(to, "to", allow_empty=True)
            check_text(subject, "subject", allow_empty=True)
            check_text(text, "text", allow_empty=True)
            chosen = self._message_queue(channel, queue)
            check_priority(priority, "priority")
            if skills is not None:
                check_skills(skills, "skills")
            check_text(language, "language", allow_empty=True)
            identity = self._identity(sender, "sender")
            contact_id = self._new_contact_id(contact_id)
            replied = None
            if ticket_id is not None:  # the reply is checked (and refused) on the ticket's copy
                replied = self.tickets.customer_reply(
                    self._open_ticket(ticket_id), now=now, text=text
                )
            # checked: from here on the centre changes
            out = _Out()
            live = self._arrive(contact_id, channel, identity, to, now, out)
            live.subject = subject or f"{channel.value} from {identity.value}"
            live.variables = {"subject": subject, "text": text}
            if replied is None:
                update = self.tickets.create(
                    subject=live.subject,
                    channel=channel,
                    customer=live.customer.id,
                    customer_tier=live.customer.tier,
                    links=(Link("contact", contact_id),),
                    now=now,
                )
                self._keep_ticket(update, now, out, new=True)
            else:
                update = replied
                self._keep_ticket(update, now, out)
            live.ticket_id = update.ticket.id
            self._enqueue(
                live, chosen, now, out, priority=priority, skills=skills, language=language
            )
            return self._finish(now, out)

    def _message_queue(self, channel: Channel, queue: str | None) -> str:
        if queue is None:
            found = self._message_queues.get(channel)
            if found is None:
                raise InvalidInputError(
                    f"no queue for {channel.value} messages: pass queue=..., or configure "
                    "message_queues",
                    field="queue",
                )
            return found
        check_text(queue, "queue")
        if queue not in self._queue_names:
            raise NotFoundError("queue", queue)
        return queue

    def _open_ticket(self, ticket_id: str) -> Ticket:
        ticket = self._ticket(ticket_id)
        if self.tickets.category(ticket) is StateCategory.CLOSED:
            raise InvalidTransitionError(
                ticket.state, "reply to ticket", "the ticket is closed: open a new one"
            )
        return ticket

    def _identity(self, raw: object, field: str) -> Identity:
        try:
            return self.identifier.parse(raw)  # type: ignore[arg-type] # checked by parse
        except InvalidInputError as error:
            raise InvalidInputError(str(error), field=field) from None

    def _new_contact_id(self, contact_id: str | None) -> str:
        if contact_id is None:
            contact_id = self._id_factory()
        check_text(contact_id, "contact_id")
        if contact_id in self._contacts:  # the router holds no contact the centre does not
            raise InvalidTransitionError(
                "in the centre", "arrive", f"contact {contact_id!r} is already in the centre"
            )
        return contact_id

    def _arrive(  # noqa: PLR0917
        self,
        contact_id: str,
        channel: Channel,
        identity: Identity,
        dialled: str,
        now: datetime,
        out: _Out,
    ) -> LiveContact:
        identification = self.identifier.identify(identity, now=now)
        out.events.extend(identification.events)
        live = LiveContact(
            contact_id=contact_id,
            channel=channel,
            direction=Direction.INBOUND,
            customer=identification.customer,
            history=identification.history,
            address=identity.value,
            dialled=dialled,
            arrived_at=now,
            phase=Phase.IVR if channel is Channel.VOICE else Phase.QUEUED,
            subject=f"call from {identity.value}",
            new_customer=identification.created,
        )
        self._contacts[contact_id] = live
        out.events.append(
            ContactArrived(
                at=now,
                contact_id=contact_id,
                channel=channel,
                direction=Direction.INBOUND,
                customer_id=live.customer.id,
                address=identity.value,
                dialled=dialled,
            )
        )
        return live

    # --- the IVR -------------------------------------------------------------------------

    def caller_input(
        self, contact_id: str, event: IvrEvent, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The caller (or the telephony provider) answered the IVR: keys, speech, a time-out.

        Args:
            contact_id: The contact.
            event: What happened: :class:`~callcore.ivr.Digits`,
                :class:`~callcore.ivr.Speech`, :class:`~callcore.ivr.NoInput`,
                :class:`~callcore.ivr.LookupResult` (for a look-up no plugin
                answered), :class:`~callcore.ivr.ActionCompleted`...
            now: When (default: the clock's time).

        Raises:
            NotFoundError: No such contact.
            InvalidTransitionError: The contact is not in the IVR, or its node
                does not wait for this kind of event.
            InvalidInputError: ``event`` is not an IVR event, ``now`` is wrong.
        """
        with self._lock:
            now = self._time(now)
            live = self._in_phase(contact_id, Phase.IVR, getattr(event, "type", "input"))
            assert live.session is not None  # noqa: S101 - a contact in the IVR has a session
            update = live.session.handle(event, now=now)  # refuses without change
            out = _Out()
            self._absorb_ivr(live, update, now, out)
            return self._finish(now, out)

    def _absorb_ivr(self, live: LiveContact, update: IvrUpdate, now: datetime, out: _Out) -> None:
        """Do what the session asked: look-ups, the hand-off to a queue; the rest is the host's."""
        session = live.session
        assert session is not None  # noqa: S101
        lookups = 0
        while True:
            out.events.extend(update.events)
            answer: LookupResult | None = None
            for action in update.actions:
                if type(action) is EnqueueContact:
                    live.variables = dict(action.variables)
                    live.ivr_ended_at, live.ivr_path = now, session.path
                    self._enqueue(live, action, now, out)
                elif (
                    type(action) is LookupRequest
                    and lookups < _MAX_LOOKUPS
                    and (found := self._lookup(live, action)) is not None
                ):
                    lookups += 1
                    answer = found
                else:
                    out.actions.append(CallerAction(live.contact_id, action))
            if answer is None:
                break
            update = session.handle(answer, now=now)
        if session.ended and live.phase is Phase.IVR:
            live.ivr_ended_at, live.ivr_path = now, session.path
            live.variables = dict(session.variables)
            self._complete(live, session.outcome or ContactOutcome.FAILED, now, out)

    def _lookup(self, live: LiveContact, request: LookupRequest) -> LookupResult | None:
        """Ask the CRM look-up hook; ``None`` when no plugin answers (the host will)."""
        try:
            found = call_hook(
                self.plugins,
                "callcore_crm_lookup",
                name=request.name,
                params=request.params,
                customer=live.customer,
            )
        except CallcoreError as error:
            return LookupResult(error=str(error)[:200])
        if found is None:
            return None
        try:
            check_plain_data(found, "lookup result")
            return LookupResult(data=found)
        except InvalidInputError as error:
            return LookupResult(error=str(error)[:200])

    # --- the queue -------------------------------------------------------------------------

    def _enqueue(
        self,
        live: LiveContact,
        request: EnqueueContact | str,
        now: datetime,
        out: _Out,
        *,
        priority: int = 0,
        skills: Mapping[str, int] | None = None,
        language: str = "",
    ) -> None:
        live.phase = Phase.QUEUED
        live.queued_at = now
        if isinstance(request, str):
            live.queue = request
            update = self.router.enqueue(
                live.contact_id,
                request,
                now=now,
                priority=priority,
                skills=skills,
                language=language,
            )
        else:
            live.queue = request.queue
            update = self.router.enqueue(live.contact_id, request, now=now)
        self._absorb_router(update, out)

    def _absorb_router(self, update: RouterUpdate, out: _Out) -> None:
        """Turn the router's offers into ring and stop actions; follow its contacts."""
        out.events.extend(update.events)
        for offer in update.ended_offers:
            out.actions.append(StopRinging(offer))
        for offer in update.offers:
            out.actions.append(RingAgent(offer))
        for event in update.events:
            self._follow(event, out)

    def _follow(self, event: Event, out: _Out) -> None:
        """Keep a contact's live state in step with one router event (timers' too)."""
        if isinstance(event, ContactOffered):
            live = self._contacts.get(event.offer.contact_id)
            if live is not None:
                live.offered_at = live.offered_at or event.at
                live.agent = event.offer.agent_id
            return
        contact_id = getattr(event, "contact_id", None)
        live = self._contacts.get(contact_id) if isinstance(contact_id, str) else None
        if live is None:
            return
        if isinstance(event, ContactQueued):
            live.queue = event.queue
        elif isinstance(event, ContactAbandoned):
            self._complete(live, ContactOutcome.ABANDONED, event.at, out)
        elif isinstance(event, ContactRejected):
            out.actions.append(Disconnect(live.contact_id, "rejected"))
            self._complete(live, ContactOutcome.REJECTED, event.at, out)
        elif isinstance(event, ContactOverflowed) and event.action is OverflowAction.VOICEMAIL:
            out.actions.append(Disconnect(live.contact_id, "voicemail"))
            self._complete(live, ContactOutcome.VOICEMAIL, event.at, out)

    def caller_requested_callback(
        self, contact_id: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """A waiting caller asked to be called back: the request keeps its place in line.

        The caller may then hang up (:meth:`caller_hung_up` leaves the request
        in line); the agent who accepts the offer calls back.

        Raises:
            NotFoundError: No such contact.
            InvalidTransitionError: It is not waiting, or already a callback.
        """
        with self._lock:
            now = self._time(now)
            live = self._in_phase(contact_id, Phase.QUEUED, "request a callback")
            update = self.router.request_callback(live.contact_id, now=now)
            out = _Out()
            self._absorb_router(update, out)
            return self._finish(now, out)

    # --- agents ------------------------------------------------------------------------------

    def agent_logged_in(
        self, profile: AgentProfile | str, *, ready: bool = True, now: datetime | None = None
    ) -> CenterUpdate:
        """An agent logged in (ready at once unless ``ready`` is false); offers may follow.

        Args:
            profile: The agent's profile, or the id of one the centre was given.
            ready: Available at once.
            now: When (default: the clock's time).

        Raises:
            NotFoundError: An id the centre has no profile for.
            InvalidTransitionError: The agent is logged in already.
        """
        with self._lock:
            now = self._time(now)
            if isinstance(profile, str):
                known = self.agents.get(profile)
                if known is None:
                    raise NotFoundError("agent profile", profile)
                profile = known
            return self._router_input(self.router.log_in(profile, now=now, ready=ready), now)

    def agent_logged_out(self, agent_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """An agent logged out; its ringing offers are withdrawn."""
        with self._lock:
            now = self._time(now)
            return self._router_input(self.router.log_out(agent_id, now=now), now)

    def agent_ready(self, agent_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """An agent is ready for contacts (ends a break, or wrap-up early)."""
        with self._lock:
            now = self._time(now)
            return self._router_input(self.router.set_ready(agent_id, now=now), now)

    def agent_not_ready(
        self,
        agent_id: str,
        reason: NotReadyReason = NotReadyReason.OTHER,
        *,
        now: datetime | None = None,
    ) -> CenterUpdate:
        """An agent takes no new contact for a while (break, lunch, training...)."""
        with self._lock:
            now = self._time(now)
            return self._router_input(self.router.set_not_ready(agent_id, reason, now=now), now)

    def agent_declined(
        self,
        contact_id: str,
        agent_id: str,
        *,
        reason: DeclineReason = DeclineReason.REJECTED,
        now: datetime | None = None,
    ) -> CenterUpdate:
        """An agent turned the offer down (or its phone was busy); the contact goes on."""
        with self._lock:
            now = self._time(now)
            return self._router_input(
                self.router.decline(contact_id, agent_id, now=now, reason=reason), now
            )

    def agent_no_answer(
        self, contact_id: str, agent_id: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The agent's phone rang out before the offer expired (RONA)."""
        with self._lock:
            now = self._time(now)
            return self._router_input(self.router.time_out(contact_id, agent_id, now=now), now)

    def _router_input(self, update: RouterUpdate, now: datetime) -> CenterUpdate:
        out = _Out()
        self._absorb_router(update, out)
        return self._finish(now, out)

    def agent_accepted(
        self, contact_id: str, agent_id: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The agent answered the offer: connect, pop the screen, open the ticket.

        A voice contact's ticket is opened now, assigned to the agent; a
        message's ticket (opened on arrival) is assigned to the agent.

        Returns:
            ``acd.contact_answered``, the ticket's changes, and the actions
            :class:`StopRinging` (other agents), :class:`Connect` and
            :class:`ScreenPop`.

        Raises:
            NotFoundError: No such contact or agent.
            InvalidTransitionError: No offer of this contact to this agent rings.
        """
        with self._lock:
            now = self._time(now)
            live = self._in_phase(contact_id, Phase.QUEUED, "accept")
            update = self.router.accept(contact_id, agent_id, now=now)  # refuses without change
            out = _Out()
            self._absorb_router(update, out)
            live.phase, live.agent = Phase.CONNECTED, agent_id
            live.answered_at = live.answered_at or now  # the first answer: the caller's wait
            live.handled_by += (agent_id,)
            by = _agent(agent_id)
            if live.ticket_id is None:
                created = self.tickets.create(
                    subject=live.subject,
                    channel=live.channel,
                    customer=live.customer.id,
                    customer_tier=live.customer.tier,
                    assignee=agent_id,
                    links=(Link("contact", contact_id),),
                    by=by,
                    now=now,
                )
                ticket = self._keep_ticket(created, now, out, new=True)
                live.ticket_id = ticket.id
            else:
                ticket = self._ticket(live.ticket_id)
                self._keep_ticket(
                    self.tickets.update(ticket, by=by, now=now, assignee=agent_id), now, out
                )
                ticket = self._ticket(live.ticket_id)
            if self.tickets.can_apply(ticket, "open", by=by) is None:
                self._keep_ticket(self.tickets.apply(ticket, "open", by=by, now=now), now, out)
            out.actions.append(Connect(contact_id, agent_id, live.channel))
            out.actions.append(
                ScreenPop(
                    contact_id=contact_id,
                    agent_id=agent_id,
                    customer=live.customer,
                    history=live.history,
                    variables=dict(live.variables),
                    ticket_id=live.ticket_id,
                )
            )
            return self._finish(now, out)

    def agent_held(self, contact_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """The agent put the caller on hold (the hold time counts in the KPI record).

        Raises:
            InvalidTransitionError: The contact is not connected, or already held.
        """
        with self._lock:
            now = self._time(now)
            live = self._in_phase(contact_id, Phase.CONNECTED, "hold")
            if live.held_since is not None:
                raise InvalidTransitionError("held", "hold", "the caller is on hold already")
            live.held_since = now
            live.holds += 1
            out = _Out()
            assert live.agent is not None  # noqa: S101 - connected to an agent
            out.events.append(ContactHeld(at=now, contact_id=contact_id, agent_id=live.agent))
            out.actions.append(HoldCaller(contact_id))
            return self._finish(now, out)

    def agent_resumed(self, contact_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """The agent took the caller off hold.

        Raises:
            InvalidTransitionError: The contact is not connected, or not held.
        """
        with self._lock:
            now = self._time(now)
            live = self._in_phase(contact_id, Phase.CONNECTED, "resume")
            if live.held_since is None:
                raise InvalidTransitionError("connected", "resume", "the caller is not on hold")
            out = _Out()
            self._end_hold(live, now)
            assert live.agent is not None  # noqa: S101
            out.events.append(ContactResumed(at=now, contact_id=contact_id, agent_id=live.agent))
            out.actions.append(ResumeCaller(contact_id))
            return self._finish(now, out)

    @staticmethod
    def _end_hold(live: LiveContact, now: datetime) -> None:
        if live.held_since is not None:
            live.hold_time += now - live.held_since
            live.held_since = None

    def agent_consulted(
        self, contact_id: str, target: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The agent calls a colleague (a senior agent, a supervisor) while the caller holds.

        The caller goes on hold (unless held already) and the consultation
        counts in the KPI record; :meth:`agent_resumed` takes the caller back,
        :meth:`agent_conferenced` brings the colleague in, and
        :meth:`agent_transferred` hands the contact on.

        Raises:
            InvalidInputError: ``target`` is not a text.
            InvalidTransitionError: The contact is not connected.
        """
        with self._lock:
            now = self._time(now)
            check_text(target, "target")
            live = self._in_phase(contact_id, Phase.CONNECTED, "consult")
            assert live.agent is not None  # noqa: S101 - connected to an agent
            out = _Out()
            if live.held_since is None:
                live.held_since = now
                live.holds += 1
                out.events.append(ContactHeld(at=now, contact_id=contact_id, agent_id=live.agent))
                out.actions.append(HoldCaller(contact_id))
            live.consults += 1
            out.events.append(
                ContactConsulted(at=now, contact_id=contact_id, agent_id=live.agent, target=target)
            )
            out.actions.append(Consult(contact_id, live.agent, target))
            return self._finish(now, out)

    def agent_conferenced(
        self, contact_id: str, target: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The agent brings a third party into the call (ends a hold, if any).

        Raises:
            InvalidInputError: ``target`` is not a text.
            InvalidTransitionError: The contact is not connected.
        """
        with self._lock:
            now = self._time(now)
            check_text(target, "target")
            live = self._in_phase(contact_id, Phase.CONNECTED, "conference")
            assert live.agent is not None  # noqa: S101
            out = _Out()
            if live.held_since is not None:
                self._end_hold(live, now)
                out.events.append(
                    ContactResumed(at=now, contact_id=contact_id, agent_id=live.agent)
                )
            out.events.append(
                ContactConferenced(
                    at=now, contact_id=contact_id, agent_id=live.agent, target=target
                )
            )
            out.actions.append(Conference(contact_id, live.agent, target))
            return self._finish(now, out)

    def agent_transferred(
        self, contact_id: str, *, queue: str, now: datetime | None = None
    ) -> CenterUpdate:
        """The agent transferred the contact to a queue (blind): it waits there, same id.

        The agent is released (and enters its queue's wrap-up, as after any
        contact); the contact keeps its priority and language, its ticket, its
        IVR variables and its first answer time, and counts one transfer in
        its KPI record. The agent who takes it next gets the screen pop and
        the ticket.

        Raises:
            NotFoundError: No such contact or queue.
            InvalidTransitionError: The contact is not connected.
        """
        with self._lock:
            now = self._time(now)
            check_text(queue, "queue")
            live = self._in_phase(contact_id, Phase.CONNECTED, "transfer")
            if queue not in self._queue_names:
                raise NotFoundError("queue", queue)
            view = self.router.contact(contact_id)
            assert live.agent is not None  # noqa: S101
            # checked: from here on the centre changes
            out = _Out()
            agent, from_queue = live.agent, view.queue
            self._end_hold(live, now)
            self._absorb_router(self.router.end(contact_id, now=now), out)
            live.transfers += 1
            live.agent = None
            out.events.append(
                ContactTransferred(
                    at=now,
                    contact_id=contact_id,
                    agent_id=agent,
                    from_queue=from_queue,
                    queue=queue,
                )
            )
            out.actions.append(TransferToQueue(contact_id, agent, queue))
            live.phase, live.queue = Phase.QUEUED, queue
            update = self.router.enqueue(
                contact_id, queue, now=now, priority=view.priority, language=view.language
            )
            self._absorb_router(update, out)
            return self._finish(now, out)

    # --- the end -------------------------------------------------------------------------------

    def agent_ended(self, contact_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """The agent ended the contact (hung up, closed the chat); wrap-up begins.

        Returns:
            ``acd.contact_ended`` (and the agent's wrap-up state) and a
            :class:`Disconnect` for the customer's side.

        Raises:
            InvalidTransitionError: The contact is not connected.
        """
        with self._lock:
            now = self._time(now)
            live = self._in_phase(contact_id, Phase.CONNECTED, "end")
            out = _Out()
            self._end_connected(live, now, out)
            out.actions.append(Disconnect(contact_id, "agent_ended"))
            return self._finish(now, out)

    def caller_hung_up(self, contact_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """The customer hung up (or left the chat), wherever the contact was.

        In the IVR the session ends as abandoned; waiting in a queue it is an
        abandon (a callback request keeps its place instead); connected, the
        contact ends and the agent's wrap-up begins.

        Raises:
            NotFoundError: No such contact.
            InvalidTransitionError: The contact has already ended (in wrap-up).
        """
        with self._lock:
            now = self._time(now)
            live = self._live(contact_id)
            out = _Out()
            if live.phase is Phase.IVR:
                assert live.session is not None  # noqa: S101
                self._absorb_ivr(live, live.session.handle(CallerHangup(), now=now), now, out)
            elif live.phase is Phase.QUEUED:
                if not self.router.contact(contact_id).callback:
                    self._absorb_router(self.router.abandon(contact_id, now=now), out)
            elif live.phase is Phase.CONNECTED:
                self._end_connected(live, now, out)
            else:
                raise InvalidTransitionError(
                    live.phase.value, "hang up", "the contact has ended; wrap it up"
                )
            return self._finish(now, out)

    def _end_connected(self, live: LiveContact, now: datetime, out: _Out) -> None:
        update = self.router.end(live.contact_id, now=now)
        self._end_hold(live, now)
        live.phase, live.ended_at = Phase.WRAP_UP, now
        self._absorb_router(update, out)

    def agent_wrapped_up(
        self,
        contact_id: str,
        *,
        disposition: Disposition,
        notes: str = "",
        code: str = "",
        follow_up_due: datetime | None = None,
        now: datetime | None = None,
    ) -> CenterUpdate:
        """The agent finished after-contact work: disposition, notes, history, KPI record.

        The disposition's transition moves the ticket (resolved, closed and
        surveyed, needs follow-up, or left open); the interaction goes into the
        customer's history; the contact's KPI record is counted; an agent still
        in wrap-up becomes ready.

        Args:
            contact_id: The contact.
            disposition: What became of the issue.
            notes: The agent's notes (the ticket transition's note, and the
                interaction's); a resolution needs a note or a ``code``.
            code: A disposition code of the host's (``"billing.refund"``),
                kept in the ticket's ``disposition`` field.
            follow_up_due: When a follow-up is due (default: the workflow's delay).
            now: When (default: the clock's time).

        Raises:
            InvalidInputError: A field is wrong (naming it).
            InvalidTransitionError: The contact is not in wrap-up, or the
                ticket's workflow refuses the transition (a resolution without
                a note); nothing changed.
        """
        with self._lock:
            now = self._time(now)
            check_enum(disposition, Disposition, "disposition")
            check_text(notes, "notes", allow_empty=True)
            check_text(code, "code", allow_empty=True)
            live = self._in_phase(contact_id, Phase.WRAP_UP, "wrap up")
            assert live.agent is not None  # noqa: S101 - it was connected
            assert live.ticket_id is not None  # noqa: S101 - opened at the answer
            transition = self._dispositions.get(disposition)
            if follow_up_due is not None:
                check_instant(follow_up_due, "follow_up_due")
                if transition is None or disposition is not Disposition.NEEDS_FOLLOW_UP:
                    raise InvalidInputError(
                        "follow_up_due goes with the needs_follow_up disposition",
                        field="follow_up_due",
                    )
                if follow_up_due <= now:
                    raise InvalidInputError(
                        "follow_up_due must be after now", field="follow_up_due"
                    )
            by = _agent(live.agent)
            note = notes or code
            ticket = self._ticket(live.ticket_id)
            if transition is not None:
                refusal = self.tickets.can_apply(ticket, transition, by=by, note=note)
                if refusal is not None:
                    raise InvalidTransitionError(ticket.state, transition, refusal)
            # checked: from here on the centre changes
            out = _Out()
            if code:
                self._keep_ticket(
                    self.tickets.update(ticket, by=by, now=now, fields={"disposition": code}),
                    now,
                    out,
                )
                ticket = self._ticket(live.ticket_id)
            if transition is not None:
                applied = self.tickets.apply(
                    ticket, transition, by=by, now=now, note=note, follow_up_due=follow_up_due
                )
                self._keep_ticket(applied, now, out)
            self._complete(
                live,
                ContactOutcome.ANSWERED,
                now,
                out,
                resolved=_RESOLVED.get(disposition, False),
                notes=notes,
            )
            if self.router.agent(live.agent).state is AgentState.WRAP_UP:
                self._absorb_router(self.router.set_ready(live.agent, now=now), out)
            return self._finish(now, out)

    def _complete(
        self,
        live: LiveContact,
        outcome: ContactOutcome,
        now: datetime,
        out: _Out,
        *,
        resolved: bool | None = None,
        notes: str = "",
    ) -> None:
        """The contact is over: its KPI record, its interaction, and it leaves the centre.

        A contact that an agent answered and that ended while waiting again
        (the caller hung up after a transfer) counts as answered: one record
        per contact, whose wait ended at the first answer.
        """
        if outcome is ContactOutcome.ABANDONED and live.answered_at is not None:
            outcome = ContactOutcome.ANSWERED
        answered = outcome is ContactOutcome.ANSWERED
        agent = live.agent or (live.handled_by[-1] if live.handled_by else None)
        record = InteractionRecord(
            id=live.contact_id,
            channel=live.channel,
            direction=live.direction,
            outcome=outcome,
            arrived_at=live.arrived_at,
            ended_at=live.ended_at or now,
            queue=live.queue,
            agent=agent if (answered or live.offered_at is not None) else None,
            customer_id=live.customer.id,
            queued_at=live.queued_at,
            offered_at=live.offered_at,
            answered_at=live.answered_at if answered else None,
            wrap_up_ended_at=now if answered else None,
            hold_time=live.hold_time,
            holds=live.holds,
            transfers=live.transfers,
            consults=live.consults,
            ivr_path=live.ivr_path,
            ticket_id=live.ticket_id,
            first_contact_resolved=resolved,
        )
        out.events.extend(self.aggregator.add(record).events)
        recorded = self.identifier.record_interaction(
            live.customer.id,
            channel=live.channel,
            direction=live.direction,
            outcome=outcome,
            now=now,
            resolved=resolved,
            agent=agent if answered else None,
            queue=live.queue,
            ticket_id=live.ticket_id,
            notes=notes,
            duration=(live.ended_at or now) - live.arrived_at,
        )
        out.events.extend(recorded.events)
        out.events.append(
            ContactCompleted(at=now, contact_id=live.contact_id, outcome=outcome, record=record)
        )
        del self._contacts[live.contact_id]

    # --- tickets and surveys ---------------------------------------------------------------

    def survey_answered(
        self, ticket_id: str, *, score: int, comment: str = "", now: datetime | None = None
    ) -> CenterUpdate:
        """The customer answered the satisfaction survey (CSAT 1-5): record it on the ticket.

        Raises:
            NotFoundError: No such ticket.
            InvalidInputError: The score is not a whole number from 1 to 5.
            InvalidTransitionError: The ticket is not closed, or already rated.
        """
        with self._lock:
            now = self._time(now)
            ticket = self._ticket(ticket_id)
            update = self.tickets.record_survey(ticket, now=now, score=score, comment=comment)
            out = _Out()
            self._keep_ticket(update, now, out)
            return self._finish(now, out)

    def _ticket(self, ticket_id: str) -> Ticket:
        check_text(ticket_id, "ticket_id")
        ticket = self.store.get_ticket(ticket_id)
        if ticket is None:
            raise NotFoundError("ticket", ticket_id)
        return ticket

    def _keep_ticket(
        self, update: TicketUpdate, now: datetime, out: _Out, *, new: bool = False
    ) -> Ticket:
        """Save the ticket an update changed, remember its next deadline, act on its actions."""
        ticket = update.ticket
        stored = self.store.add_ticket(ticket) if new else self.store.save_ticket(ticket)
        if stored.next_due is None:
            self._ticket_due.pop(stored.id, None)
        else:
            self._ticket_due[stored.id] = stored.next_due
        out.events.extend(update.events)
        self._ticket_actions(update.actions, now, out)
        return stored

    def _ticket_actions(self, actions: Iterable[TicketAction], now: datetime, out: _Out) -> None:
        for action in actions:
            if isinstance(action, SendSurvey):
                sent = self._addressed(action.notification)
                self._quietly("callcore_notify", notification=sent)
                out.events.append(SurveySent(at=now, ticket_id=action.ticket_id, notification=sent))
                out.actions.append(SendSurvey(action.ticket_id, sent))
            elif isinstance(action, Notify):
                self._quietly("callcore_notify", notification=action.notification)
            elif isinstance(action, FollowUpDue):
                out.actions.append(action)
            # ScheduleFollowUp: the centre's own timer (the ticket's next_due) runs it

    def _addressed(self, notification: Notification) -> Notification:
        """The notification sent to the customer's address (the engine names the customer id).

        An email goes to the customer's email address; a call or an SMS to the
        phone number. A customer known only by phone gets an emailed survey
        as an automated call instead, and one known only by email gets a call
        or SMS by email: the survey reaches them either way. Anyone else
        (an agent, a queue) is left as the engine named them.
        """
        customer = self.store.get_customer(notification.to)
        if customer is None:
            return notification
        by_kind = {identity.kind: identity.value for identity in reversed(customer.identities)}
        email, phone = by_kind.get(IdentityKind.EMAIL), by_kind.get(IdentityKind.PHONE)
        if notification.channel is NotificationChannel.EMAIL:
            if email is not None:
                return attrs.evolve(notification, to=email)
            if phone is not None:
                return attrs.evolve(notification, to=phone, channel=NotificationChannel.CALL)
        elif notification.channel in {NotificationChannel.CALL, NotificationChannel.SMS}:
            if phone is not None:
                return attrs.evolve(notification, to=phone)
            if email is not None:
                return attrs.evolve(notification, to=email, channel=NotificationChannel.EMAIL)
        return notification

    # --- timers --------------------------------------------------------------------------------

    def run_due(self, *, now: datetime | None = None) -> CenterUpdate:
        """Run every timer due at ``now``: IVR call caps, the router's, the tickets'.

        Call it at :meth:`next_deadline` (from a loop, a scheduler or the web
        framework's background task); before a deadline it does nothing.

        Raises:
            InvalidInputError: ``now`` is out of range or earlier than a time
                already seen.
        """
        with self._lock:
            now = self._time(now)
            out = _Out()
            for live in list(self._contacts.values()):
                session = live.session
                if live.phase is Phase.IVR and session is not None:
                    deadline = session.next_deadline()
                    if deadline is not None and deadline <= now:
                        self._absorb_ivr(live, session.tick(now=now), now, out)
            self._absorb_router(self.router.tick(now=now), out)
            for ticket_id, due in sorted(self._ticket_due.items(), key=lambda item: item[1]):
                if due <= now:
                    ticket = self._ticket(ticket_id)
                    self._keep_ticket(self.tickets.tick(ticket, now=now), now, out)
            return self._finish(now, out)

    # --- helpers -------------------------------------------------------------------------------

    def _live(self, contact_id: str) -> LiveContact:
        check_text(contact_id, "contact_id")
        live = self._contacts.get(contact_id)
        if live is None:
            raise NotFoundError("contact", contact_id)
        return live

    def _in_phase(self, contact_id: str, phase: Phase, what: str) -> LiveContact:
        live = self._live(contact_id)
        if live.phase is not phase:
            raise InvalidTransitionError(
                live.phase.value, what, f"the contact must be {phase.value} for this"
            )
        return live


def _agent(agent_id: str) -> Actor:
    return Actor(agent_id, frozenset({"agent"}))


def _described(event: Event) -> str:
    """A log line's detail: the ids an event carries (``contact_id=CA-1 agent_id=a1``)."""
    offer = event.offer if isinstance(event, ContactOffered) else None
    parts = [
        f"{name}={getattr(offer or event, name)}"
        for name in ("contact_id", "agent_id", "ticket_id", "queue")
        if getattr(offer or event, name, None) is not None
    ]
    customer = getattr(event, "customer", None)
    if isinstance(customer, Customer):
        parts.append(f"customer={customer.id}")
    outcome = getattr(event, "outcome", None)
    if isinstance(outcome, ContactOutcome):
        parts.append(f"outcome={outcome.value}")
    return " ".join(parts)
