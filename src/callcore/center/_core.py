"""The centre's state and the plumbing every input shares.

Construction (the plugin manager, the engines, the checked flows), the checkpoint,
reading a live contact, the input's time, the end of every input (events to
``callcore_domain_event`` and the log, actions to ``callcore_telephony``) and
a contact's arrival. The inputs themselves live in the modules that subclass
:class:`_CenterCore`, one concept each, joined by :class:`~callcore.center.ContactCenter`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from callcore.acd import AgentProfile, ContactOffered, QueueConfig, Router
from callcore.center._actions import CenterAction
from callcore.center._checkpoint import CenterState, read_state, write_state
from callcore.center._contact import LiveContact, Phase
from callcore.center._due import DueTimes
from callcore.center._events import ContactArrived
from callcore.center._router_seam import RouterPort, SharedRouterPort
from callcore.checks import (
    check_bool,
    check_enum,
    check_now,
    check_text,
)
from callcore.clock import Clock, SystemClock
from callcore.contacts import Channel, ContactOutcome, Direction
from callcore.customers import (
    CallerIdentifier,
    Customer,
    CustomerCreated,
    Identity,
    Interaction,
    normalize_phone,
)
from callcore.errors import (
    CallcoreError,
    ConflictError,
    DocumentError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
    PluginError,
    Problem,
)
from callcore.events import Event, IdFactory, new_id
from callcore.ivr import Flow, QueueNode, flow_to_dict, load_flow
from callcore.kpi import Aggregator
from callcore.plugins import (
    call_hook,
    ivr_node_types,
    make_plugin_manager,
    open_storage,
    routing_strategies,
    ticket_workflows,
)
from callcore.tickets import FollowUpDue, SendSurvey, TicketEngine, TicketSettings

if TYPE_CHECKING:
    import pluggy

    from callcore.ivr import Calendar
    from callcore.storage import Storage
from callcore.center._disposition import DEFAULT_DISPOSITIONS, Disposition

__all__ = ["ANONYMOUS", "CHECKPOINT_NAME", "WITHHELD", "CenterUpdate"]

_log = logging.getLogger("callcore.center")

CHECKPOINT_NAME = "center"
"""The name of the centre's checkpoint in the store (``center:<host_id>`` on a shared router)."""

ANONYMOUS = "anonymous"
"""The address of a contact whose caller withheld the number."""

WITHHELD = frozenset(
    {
        "",
        "anonymous",
        "blocked",
        "private",
        "restricted",
        "unavailable",
        "unknown",
        "withheld",
        # the same words as Twilio spelled them on a phone keypad before 2023
        "+266696687",
        "+2562533",
        "+7378742833",
        "+8656696",
    }
)
"""Caller ids that say the number was withheld (compared without case or spaces)."""
_ADDRESS_CACHE = 1024
"""Dialled numbers whose parse is kept (least recently used out first)."""
_ADD_ATTEMPTS = 5
"""Tries at a fresh customer id (only a broken id factory repeats one)."""


def _withheld(raw: str) -> bool:
    return "".join(raw.split()).lower() in WITHHELD


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


@functools.lru_cache(maxsize=_ADDRESS_CACHE)
def _address_key(address: str, country_code: str) -> str:
    """A dialled number in E.164 when it is one, else the address as given.

    Cached: a centre's calls dial a handful of numbers, and parsing one costs
    more than the rest of the call's arrival (the cache is bounded).
    """
    try:
        return normalize_phone(address, country_code)
    except CallcoreError:
        return address.strip().lower()


class _CenterCore:
    """The state of a :class:`~callcore.center.ContactCenter` and the helpers its inputs share."""

    def __init__(
        self,
        *,
        queues: Iterable[QueueConfig] | None = None,
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
        router: RouterPort | None = None,
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
        self.router: RouterPort = self._router(queues, router, seed)
        # a router shared with other hosts: its news are taken in at each input
        self._shared = router if isinstance(router, SharedRouterPort) else None
        self._news = _Out()  # the news taken in by an input not yet finished
        self._in_news = False  # absorbing news (not the input's own update)
        self._input_now: datetime | None = None  # the time of the input under way
        # hosts sharing a router (and a store) each keep their own contacts' checkpoint
        self._checkpoint_name = (
            CHECKPOINT_NAME if self._shared is None else f"{CHECKPOINT_NAME}:{self._shared.host_id}"
        )
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
        self._ticket_due = DueTimes()
        self._ivr_due = DueTimes()  # each IVR session's next deadline, by contact id
        self._last: datetime | None = None
        self.durable = check_bool(durable, "durable")
        self._restored_sections: Mapping[str, Any] | None = None
        self._kept_flows: set[tuple[str, int]] = set()  # flow versions written to the store
        if durable:
            saved = self.store.load_checkpoint(self._checkpoint_name)
            if saved is not None:
                self._restore(saved)

    def _router(
        self, queues: Iterable[QueueConfig] | None, router: RouterPort | None, seed: int
    ) -> RouterPort:
        """The router given (its own queues), or a new in-process one with ``queues``."""
        if router is None:
            if queues is None:
                raise InvalidInputError(
                    "a centre needs its queues (or a router that has them)", field="queues"
                )
            return Router(queues, strategies=routing_strategies(self.plugins), seed=seed)
        if not isinstance(router, RouterPort):
            raise InvalidInputError(
                f"router must be a router (callcore.center.RouterPort), "
                f"got {type(router).__name__}",
                field="router",
            )
        if queues is not None and tuple(queues) != router.queues:  # a document's, say
            raise InvalidInputError(
                "the queues differ from the router's: give the router's queues, or none",
                field="queues",
            )
        return router

    def _all_flows(self) -> list[Flow]:
        unique = {
            (flow.id, flow.version): flow for flow in (*self._flows.values(), *self._subflows)
        }
        return list(unique.values())

    def _restore(self, saved: str) -> None:
        state = read_state(
            saved, flows=self._all_flows(), calendars=self._calendars, saved_flow=self._saved_flow
        )
        self._restored_sections = state.sections
        if isinstance(self.router, Router):  # a router given by the host keeps its own state
            self.router = Router.restore(state.router, strategies=routing_strategies(self.plugins))
        elif self._shared is not None and state.router_position is not None:
            self._shared.resend_news(state.router_position)  # what came while this host was down
        self._contacts = {live.contact_id: live for live in state.contacts}
        self._ticket_due = DueTimes(state.ticket_due)
        self._ivr_due = DueTimes(
            {
                live.contact_id: deadline
                for live in self._contacts.values()
                if live.phase is Phase.IVR
                and live.session is not None
                and (deadline := live.session.next_deadline()) is not None
            }
        )
        self.aggregator = state.aggregator
        self._last = state.last
        _log.info("resumed from the store's checkpoint: %d contacts", len(self._contacts))

    def checkpoint(self) -> None:
        """Write the centre's state to the store (:attr:`durable` centres do it after every input).

        One document, written at once: the modules' state (callbacks,
        campaigns, self-service, desk) is in it, so that a crash never leaves
        one of them ahead of the rest.

        Raises:
            StorageError: The store failed; the previous checkpoint stands.
        """
        with self._lock:
            self._keep_flows()
            self.store.save_checkpoint(self._checkpoint_name, self._serialised())

    def _flow_key(self, flow_id: str, version: int) -> str:
        """The store's name of a flow version kept for the sessions of this centre."""
        return f"{self._checkpoint_name}.flow:{flow_id}:{version}"

    def _keep_flows(self) -> None:
        """Write each flow version a live IVR session runs, once, before a checkpoint names it.

        A restart then finds the version a caller is in even when the host's
        configuration no longer has it (a flow changed at run time with
        :meth:`change_flow`, or a new version deployed meanwhile): the caller
        finishes in the flow they started in. A version is immutable, so it is
        written once (before the checkpoint that needs it: a crash in between
        leaves a document no checkpoint names), not with every checkpoint.
        """
        kept = self._kept_flows
        for live in self._contacts.values():
            session = live.session
            if session is None:
                continue
            for flow in session.pinned_flows:
                key = (flow.id, flow.version)
                if key not in kept:
                    self.store.save_checkpoint(
                        self._flow_key(*key), json.dumps(flow_to_dict(flow), ensure_ascii=False)
                    )
                    kept.add(key)

    def _saved_flow(self, flow_id: str, version: int) -> Flow | None:
        """A flow version kept by :meth:`_keep_flows` (``None``: none kept)."""
        text = self.store.load_checkpoint(self._flow_key(flow_id, version))
        if text is None:
            return None
        try:
            data = json.loads(text)
        except ValueError as error:
            raise DocumentError(
                [Problem("", f"not JSON: {error}")], f"kept flow {flow_id!r} version {version}"
            ) from None
        flow = load_flow(
            data, node_types=ivr_node_types(self.plugins), calendars=list(self._calendars)
        )
        if (flow.id, flow.version) != (flow_id, version):
            raise DocumentError(
                [Problem("id", f"flow {flow.id!r} version {flow.version} kept under this name")],
                f"kept flow {flow_id!r} version {version}",
            )
        self._kept_flows.add((flow_id, version))
        return flow

    def _serialised(self) -> str:
        """The centre's state as the checkpoint keeps it (tests compare it around a refusal)."""
        state = CenterState(
            last=self._last,
            router=self.router.snapshot(),
            contacts=tuple(self._contacts.values()),
            ticket_due=self._ticket_due.as_dict(),
            aggregator=self.aggregator,
            router_position=None if self._shared is None else self._shared.delivered_through(),
            sections=self._sections(),
        )
        return write_state(state)

    def _sections(self) -> dict[str, Any]:
        """The modules' state for the checkpoint, by module (each module adds its own)."""
        return {}

    def _saved_section(self, name: str, legacy: str | None = None) -> Any:  # noqa: ANN401 - plain JSON data
        """A module's state from the checkpoint being restored (``None``: none saved).

        A checkpoint written before the modules' state joined it has none: the
        module's state is then read from the store under its old name
        ``legacy``, if it had one.
        """
        sections = self._restored_sections
        if sections is not None:
            return sections.get(name)
        if legacy is None:
            return None
        text = self.store.load_checkpoint(legacy)
        if text is None:
            return None
        try:
            return json.loads(text)
        except ValueError as error:
            raise DocumentError([Problem("", f"not JSON: {error}")], f"{name} checkpoint") from None

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

    # --- time --------------------------------------------------------------------------

    def _time(self, now: datetime | None) -> datetime:
        """``now`` checked (or the clock's), never earlier than a time already seen.

        Returns:
            ``now`` as an instant in UTC unless its zone is a fixed offset: a zone's
            wall-clock arithmetic (a hold's length, a timer's due time across a clock
            change) and same-zone comparisons (``fold`` ignored) would be an hour off.
        """
        now = check_now(self.clock.now() if now is None else now)
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

    def _identity(self, raw: object, field: str) -> Identity | None:
        """The caller's identity; ``None`` for a withheld caller id (:data:`WITHHELD`)."""
        if raw is None or (isinstance(raw, str) and _withheld(raw)):
            return None
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
        identity: Identity | None,
        dialled: str,
        now: datetime,
        out: _Out,
        direction: Direction = Direction.INBOUND,
    ) -> LiveContact:
        history: tuple[Interaction, ...] = ()
        if identity is None:
            customer, created, address = self._anonymous_customer(now, out), True, ANONYMOUS
        else:
            identification = self.identifier.identify(identity, now=now)
            out.events.extend(identification.events)
            customer, history = identification.customer, identification.history
            created, address = identification.created, identity.value
        live = LiveContact(
            contact_id=contact_id,
            channel=channel,
            direction=direction,
            customer=customer,
            history=history,
            address=address,
            dialled=dialled,
            arrived_at=now,
            phase=Phase.IVR if channel is Channel.VOICE else Phase.QUEUED,
            subject=f"call from {address}",
            new_customer=created,
            anonymous=identity is None,
        )
        self._contacts[contact_id] = live
        out.events.append(
            ContactArrived(
                at=now,
                contact_id=contact_id,
                channel=channel,
                direction=direction,
                customer_id=live.customer.id,
                address=address,
                dialled=dialled,
            )
        )
        return live

    def _anonymous_customer(self, now: datetime, out: _Out) -> Customer:
        """A new customer for a caller who withheld the number: one per contact, never merged.

        As Zendesk Talk does with blocked numbers: each such contact gets a
        customer of its own (no identity, ``attributes["anonymous"]``), so
        that two strangers' histories never mix; the agent may identify the
        caller and merge later.
        """
        for _ in range(_ADD_ATTEMPTS):
            new = Customer(id=self._id_factory(), created_at=now, attributes={"anonymous": True})
            try:
                added = self.store.add_customer(new)
            except ConflictError:
                continue  # the id factory repeated an id: take another
            out.events.append(CustomerCreated(at=now, customer=added))
            return added
        raise ConflictError(
            "customer", "anonymous", reason="the id factory keeps making ids that exist"
        )

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
