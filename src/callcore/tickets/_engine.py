"""The ticket engine: applies transitions, replies, escalations, SLA ticks and macros.

Every method validates its input first and raises a callcore error without
touching the ticket when something is wrong; then it changes the ticket in
place, appends a :class:`Change` per changed field to its history and returns a
:class:`TicketUpdate` with the events and the actions for the caller.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeGuard

import attrs

from callcore.access import Gate, Permission, Principal
from callcore.checks import (
    EARLIEST,
    LATEST,
    MAX_DURATION,
    MAX_TEXT,
    check_enum,
    check_instant,
    check_items,
    check_text,
    shown,
)
from callcore.contacts import STANDARD_TIER, VIP_TIER, Channel, CustomerTier, check_tier
from callcore.errors import (
    DocumentError,
    InvalidInputError,
    InvalidTransitionError,
    Problem,
)
from callcore.events import IdFactory, new_id
from callcore.notifications import Notification, NotificationChannel
from callcore.tickets._actions import (
    FollowUpDue,
    Notify,
    ScheduleFollowUp,
    SendSurvey,
    TicketAction,
)
from callcore.tickets._automations import Automation, AutomationConditions
from callcore.tickets._checks import (
    check_field_values,
    check_names,
    check_optional_text,
)
from callcore.tickets._default_workflow import DEFAULT_WORKFLOW
from callcore.tickets._escalation import DEFAULT_TIERS, EscalationRule, EscalationTrigger, Tier
from callcore.tickets._macros import Macro, render_template
from callcore.tickets._pending import PendingTimeout
from callcore.tickets._replay import completed_cycles, replay_clocks
from callcore.tickets._settings import TicketSettings, validate_settings
from callcore.tickets._sla import (
    ALL_STOPPED,
    BusinessHours,
    CalendarTime,
    SlaCycle,
    SlaMeter,
    SlaMetric,
    SlaPolicy,
    SlaStatus,
)
from callcore.tickets._ticket import (
    SYSTEM,
    Actor,
    Change,
    FieldValue,
    Link,
    Priority,
    SlaClock,
    SurveyAnswer,
    Ticket,
)
from callcore.tickets._workflow import (
    ActionKind,
    ActionSpec,
    Guard,
    GuardKind,
    StateCategory,
    Transition,
    Workflow,
    validate_workflow,
)

if TYPE_CHECKING:
    from callcore.events import Event

__all__ = ["UNSET", "TicketEngine", "TicketUpdate", "sequential_ids"]

_DONE = (StateCategory.RESOLVED, StateCategory.CLOSED)
_NO_TAGS: frozenset[str] = frozenset()
_NOTHING: tuple[()] = ()
_METRICS = frozenset(metric.value for metric in SlaMetric)
_RESOLUTION = SlaMetric.RESOLUTION.value
_SLA_TRIGGERS = (EscalationTrigger.SLA_BREACH, EscalationTrigger.SLA_AT_RISK)


class _Unset(enum.Enum):
    UNSET = "unset"


UNSET = _Unset.UNSET
"""Marks an argument that was not given, where ``None`` is a meaningful value."""


@attrs.frozen
class TicketUpdate:
    """What one engine call did: the ticket, what the host must do, and what happened.

    It satisfies :class:`callcore.events.ActionUpdate` ``[TicketAction]``, like
    every engine's update: :attr:`events` for the ``callcore_domain_event``
    hook, :attr:`actions` for the host to carry out. The history entries among
    the events are read from the ticket only when asked for (a call's update
    is built on every call, its events read far less often).

    Attributes:
        ticket: The ticket, changed in place.
        actions: What the host must do, in order: schedule a follow-up, put a
            due follow-up in front of its agent, send a survey, notify someone.
    """

    ticket: Ticket
    actions: tuple[TicketAction, ...] = ()
    _span: tuple[tuple[Event, ...], int, int] = ((), 0, 0)
    """The SLA events, then where this call's entries begin and end in the history."""

    @property
    def changes(self) -> tuple[Change, ...]:
        """The history entries this call added, oldest first."""
        _, first, last = self._span
        return tuple(self.ticket.history[first:last])

    @property
    def events(self) -> tuple[Event, ...]:
        """What happened, in order: SLA warnings and breaches reached, then the changes."""
        sla_events, first, last = self._span
        return (*sla_events, *self.ticket.history[first:last])


# The engine builds an update on every call. A frozen attrs class sets its fields
# through object.__setattr__, which costs a fifth of a transition; the engine sets
# the slots directly instead (TicketUpdate has no validators or converters, so the
# result is the same object its constructor makes).
_new = object.__new__
_put_ticket, _put_actions, _put_span = (
    vars(TicketUpdate)[name].__set__ for name in ("ticket", "actions", "_span")
)


def _update(
    ticket: Ticket,
    actions: tuple[TicketAction, ...],
    sla_events: tuple[Event, ...],
    first: int,
    last: int,
) -> TicketUpdate:
    """Make ``TicketUpdate(ticket, actions, (sla_events, first, last))``, quickly."""
    update: TicketUpdate = _new(TicketUpdate)
    _put_ticket(update, ticket)
    _put_actions(update, actions)
    _put_span(update, (sla_events, first, last))
    return update


def sequential_ids(prefix: str = "T-", start: int = 1) -> IdFactory:
    """Return an id factory giving ``T-1``, ``T-2``... (deterministic, for tests and demos).

    Pass it as ``TicketEngine(id_factory=sequential_ids())``; the default
    factory, :func:`callcore.events.new_id`, makes random ids.
    """
    counter = itertools.count(start)
    return lambda: f"{prefix}{next(counter)}"


def _plain(text: object) -> TypeGuard[str]:
    """Tell quickly whether ``text`` is a string that needs no closer look (short ASCII)."""
    return text.__class__ is str and len(text) <= MAX_TEXT and text.isascii()


def _text(value: object, what: str, *, allow_empty: bool = False) -> str:
    """Check a text argument, quickly when it is plain ASCII."""
    if _plain(value) and (allow_empty or value):
        return value
    return check_text(value, what, allow_empty=allow_empty)


def _check_actor(value: object, what: str = "by") -> Actor:
    if not isinstance(value, Actor):
        raise InvalidInputError(f"{what} must be an Actor, got {shown(value)}", field=what)
    return value


def _gated_actor(value: object) -> Actor:
    """The actor of a gated call: a principal, as the history records it, or an Actor."""
    if isinstance(value, Principal):
        return Actor(value.id, value.roles)
    if not isinstance(value, Actor):
        raise InvalidInputError(
            f"by must be a Principal or an Actor, got {shown(value)}", field="by"
        )
    return value


def _utc(t: datetime) -> datetime:
    """Return ``t`` as an instant that compares and adds as one: in UTC unless at a fixed offset.

    Two datetimes in one IANA zone compare by wall clock (``fold`` ignored), and
    adding a day to one adds a wall-clock day; at a fixed offset both are exact,
    so such a time is kept as given (a zone is for display and local-calendar rules).
    """
    return t if t.tzinfo.__class__ is timezone else t.astimezone(timezone.utc)


def _after_business_time(hours: BusinessHours, t: datetime, delta: timedelta) -> datetime | None:
    """The instant ``delta`` of open time after ``t``, in UTC (``None``: never gets there)."""
    try:
        return _utc(hours.add_business_time(t, delta))
    except InvalidInputError:
        return None


def _last_change(ticket: Ticket) -> datetime:
    """Return when the ticket last changed.

    That is the time of its latest history entry (or its creation), or, if
    later, when a call last brought its running SLA clocks up to date.
    """
    rows = ticket.history._rows  # noqa: SLF001 - the engine owns its tickets' history
    last = rows[-1][0] if rows else ticket.created_at
    for clock in ticket.sla.values():
        if clock.since is not None and clock.since > last:
            last = clock.since
    return last


def _clocks_not_after(clocks: dict[str, SlaClock], now: datetime) -> bool:
    """Tell whether no clock counts from after ``now`` (apply's quick checks; else the full ones).

    The full checks (:func:`_check_time`) take a clock's start as the ticket's
    last change when it is later than the history's last entry.
    """
    for clock in clocks.values():
        since = clock.since
        if since is not None and since > now:
            return False
    return True


def _check_time(ticket: Ticket, now: object) -> datetime:
    """Check ``now``: an instant in range, not earlier than the ticket's last change."""
    # compared and stored as UTC: two times in one IANA zone compare by wall clock
    checked = _utc(check_instant(now, "now"))
    last: object = _last_change(ticket)  # a hand-made ticket may hold anything
    if not isinstance(last, datetime) or last.utcoffset() is None:
        raise InvalidInputError(
            f"ticket {ticket.id!r} has a history entry whose time is no aware datetime",
            field="ticket",
        )
    if checked < last:
        raise InvalidInputError(
            f"now ({checked.isoformat()}) is earlier than the last change of ticket "
            f"{ticket.id!r} ({last.isoformat()}); time cannot go backwards",
            field="now",
        )
    if checked - last > MAX_DURATION:
        raise InvalidInputError(
            f"now ({checked.isoformat()}) is more than 100 years after the last change of "
            f"ticket {ticket.id!r} ({last.isoformat()})",
            field="now",
        )
    return checked


def _check_new_ticket(  # noqa: PLR0917 - create's arguments, in order
    subject: object,
    channel: object,
    customer: object,
    now: datetime,
    by: object,
    customer_tier: object,
    priority: object,
    assignee: object,
) -> None:
    """Check create's single-valued arguments, in order, raising on the first wrong one."""
    check_instant(now, "now")
    _text(subject, "subject", allow_empty=True)
    _text(customer, "customer")
    check_tier(customer_tier, "customer_tier")
    if assignee is not None:
        _text(assignee, "assignee")
    if channel.__class__ is not Channel:
        check_enum(channel, Channel, "channel")
    if by is not SYSTEM:
        _check_actor(by)
    if priority.__class__ is not Priority:
        check_enum(priority, Priority, "priority")


def _guard_check(guard: Guard) -> Callable[[Ticket, Actor, str], bool]:
    """Turn a declarative guard into a check, once per workflow rather than per call."""
    kind = guard.kind
    if kind is GuardKind.NOTE_REQUIRED:
        return lambda _ticket, _by, note: bool(note.strip())
    if kind is GuardKind.ASSIGNEE_OR_SUPERVISOR:
        return lambda ticket, by, _note: (
            by.id == ticket.assignee or not by.roles.isdisjoint(("supervisor", "system"))
        )
    if kind is GuardKind.ASSIGNED:
        return lambda ticket, _by, _note: ticket.assignee is not None
    if kind is GuardKind.ROLE:
        roles = guard.roles
        return lambda _ticket, by, _note: not by.roles.isdisjoint(roles)
    field = guard.field
    return lambda ticket, _by, _note: ticket.fields.get(field) is not None


@attrs.frozen
class _Step:
    """One transition from one state, with what applying it implies, worked out once."""

    move: Transition
    target: str
    was_done: bool
    resolves: bool
    reopens: bool
    checks: tuple[Callable[[Ticket, Actor, str], bool], ...]
    """The transition's guards as checks, in order (all must pass)."""
    actions: tuple[ActionSpec, ...]
    follow_up_after: timedelta | None
    """When scheduling a follow-up is the transition's only action, its delay."""
    auto_close: timedelta | None
    """How long after this transition the ticket closes by itself, if it surely does (the
    close transition leaves the target state and its guards always let the system pass)."""
    latest: datetime
    """The first ``now`` too late to apply it: a follow-up it schedules would be due after
    the last instant callcore accepts."""
    close_latest: datetime = LATEST
    """With :attr:`auto_close`, the first instant too late for the close transition."""
    due_varies: bool = False
    """After this transition, whether the ticket closes by itself depends on its fields
    (the close transition's ``assigned`` or ``field_set`` guards): ask the full rule."""
    closing_varies: bool = True
    """Whether the ticket may close by itself after it (it ends in a state that auto-closes)."""


def _steps(workflows: Mapping[str, Workflow]) -> dict[tuple[str, str, str], _Step]:
    steps = {}
    auto_closing = {  # as TicketEngine._auto_close: the states a ticket closes from by itself
        (flow.name, state.name)
        for flow in workflows.values()
        if flow.auto_close_after is not None
        for state in flow.states
        if state.category is StateCategory.RESOLVED
    }
    for flow in workflows.values():
        for move in flow.transitions:
            done = flow.category(move.target) in _DONE
            resolves = flow.category(move.target) is StateCategory.RESOLVED
            checks = tuple(_guard_check(guard) for guard in move.guards)
            follow_up = [a.after for a in move.actions if a.kind is ActionKind.SCHEDULE_FOLLOW_UP]
            only_follow_up = follow_up[0] if len(move.actions) == len(follow_up) == 1 else None
            latest = LATEST - max(follow_up, default=timedelta(0))
            for source in move.sources:
                was_done = flow.category(source) in _DONE
                steps[flow.name, source, move.name] = _Step(
                    move,
                    move.target,
                    was_done=was_done,
                    resolves=resolves,
                    reopens=was_done and not done,
                    checks=checks,
                    actions=move.actions,
                    follow_up_after=only_follow_up,
                    auto_close=None,
                    latest=latest,
                    closing_varies=(flow.name, move.target) in auto_closing,
                )
    for key, step in steps.items():
        steps[key] = _with_auto_close(step, workflows[key[0]], steps)
    return steps


_SYSTEM_PASSES = (GuardKind.NOTE_REQUIRED, GuardKind.ASSIGNEE_OR_SUPERVISOR)
"""Guards the automatic close always passes: it has a note and the system's role."""


def _with_auto_close(
    step: _Step, flow: Workflow, steps: Mapping[tuple[str, str, str], _Step]
) -> _Step:
    """Note on a resolving step when the ticket will close by itself, as tick closes it."""
    if not step.resolves or flow.auto_close_after is None:
        return step
    close = steps.get((flow.name, step.target, flow.auto_close_transition))
    if close is None:
        return step  # no close transition out of the target: it never closes by itself
    guards = close.move.guards
    if any(g.kind is GuardKind.ROLE and "system" not in g.roles for g in guards):
        return step  # the system may never apply it
    if not all(g.kind in _SYSTEM_PASSES or g.kind is GuardKind.ROLE for g in guards):
        return attrs.evolve(step, due_varies=True)
    return attrs.evolve(step, auto_close=flow.auto_close_after, close_latest=close.latest)


@attrs.define
class TicketEngine:
    """Runs tickets through their workflows, tiers and SLA policies.

    Args:
        settings: Tiers, escalation rules, SLA policies and macros.
        workflows: The workflows by name (the default one when not given).
        calendars: The business calendars SLA policies name (such as
            :class:`callcore.calendar.BusinessCalendar`).
        id_factory: Makes the id of a ticket created without one (default:
            :func:`callcore.events.new_id`, a random UUID4 as 32 hex digits;
            :func:`sequential_ids` gives ``T-1``, ``T-2``... for tests and demos).
        default_workflow: The workflow of tickets created without one.
        access: The gate of reassigning, escalating and de-escalating
            (:class:`callcore.access.Gate`). Without one (the default) every
            caller may do them, as before; with one, they need a
            :class:`~callcore.access.Principal` whose roles grant the
            permission, and every such call is audited.

    Raises:
        DocumentError: The settings or a workflow are invalid; every problem is listed.
    """

    settings: TicketSettings = attrs.field(factory=TicketSettings)
    workflows: Mapping[str, Workflow] = attrs.field(
        factory=lambda: {DEFAULT_WORKFLOW.name: DEFAULT_WORKFLOW}
    )
    calendars: Mapping[str, BusinessHours] = attrs.field(factory=dict)
    id_factory: IdFactory = new_id
    default_workflow: str = DEFAULT_WORKFLOW.name
    access: Gate | None = None
    _tiers: dict[str, int] = attrs.field(init=False, factory=dict)
    _meters: dict[str, SlaMeter] = attrs.field(init=False, factory=dict)
    _macros: dict[str, Macro] = attrs.field(init=False, factory=dict)
    _steps: dict[tuple[str, str, str], _Step] = attrs.field(init=False, factory=dict)
    _flows: dict[str, Workflow] = attrs.field(init=False, factory=dict)
    _lowest: Tier = attrs.field(init=False, default=DEFAULT_TIERS[0])
    _auto_close: dict[tuple[str, str], timedelta] = attrs.field(init=False, factory=dict)
    _known_tiers: frozenset[str] = attrs.field(init=False, default=frozenset())
    _timeouts: dict[str, tuple[PendingTimeout, BusinessHours]] = attrs.field(
        init=False, factory=dict
    )
    _goals: dict[str, tuple[tuple[str, timedelta], ...]] = attrs.field(init=False, factory=dict)
    """Each policy's targets as (metric name, goal), for a new ticket's clocks."""
    _survey_moves: dict[str, frozenset[str]] = attrs.field(init=False, factory=dict)
    """Each workflow's transitions that send a survey."""
    _pauses: dict[tuple[str, str, str, str], bool] = attrs.field(init=False, factory=dict)
    """Whether a clock waits, by (policy, workflow, state, metric)."""
    _waits: dict[tuple[str, str, str], tuple[bool, frozenset[str] | None]] = attrs.field(
        init=False, factory=dict
    )
    """By (policy, workflow, state): whether the state is resolved or closed, and the
    metrics whose clocks wait there (as :meth:`_pauses_in` says, for every metric)."""
    _goal_names: dict[str, frozenset[str]] = attrs.field(init=False, factory=dict)
    """Each policy's target metrics."""
    _plain_sla: bool = attrs.field(init=False, default=False)
    """No pending timeouts, automations or escalation rules: apply's path for tickets with
    clocks (:meth:`_apply_with_clocks`) may be taken."""

    def __attrs_post_init__(self) -> None:
        """Validate the configuration and index it."""
        self._check_arguments()
        problems = list(validate_settings(self.settings, self.calendars, self.workflows))
        for name, workflow in self.workflows.items():
            problems.extend(
                Problem(f"workflows.{name}.{p.path}".rstrip("."), p.message)
                for p in validate_workflow(workflow)
            )
            if workflow.name != name:
                problems.append(Problem(f"workflows.{name}", f"is named {workflow.name!r}"))
        if self.default_workflow not in self.workflows:
            problems.append(
                Problem("default_workflow", f"unknown workflow {self.default_workflow!r}")
            )
        if problems:
            raise DocumentError(problems, "ticket engine configuration")
        self._flows = dict(self.workflows)
        self.workflows = MappingProxyType(self._flows)
        self._lowest = self.settings.tiers[0]
        self._tiers = {tier.name: rank for rank, tier in enumerate(self.settings.tiers)}
        self._macros = {macro.name: macro for macro in self.settings.macros}
        self._steps = _steps(self.workflows)
        self._auto_close = {
            (flow.name, state.name): flow.auto_close_after
            for flow in self.workflows.values()
            if flow.auto_close_after is not None
            for state in flow.states
            if state.category is StateCategory.RESOLVED
        }
        self._known_tiers = frozenset(
            {STANDARD_TIER, VIP_TIER}.union(
                *(rule.customer_tiers for rule in self.settings.escalation_rules),
                *(policy.conditions.customer_tiers for policy in self.settings.sla_policies),
            )
        )  # valid tier names (their types checked them), so create takes them at a glance
        for policy in self.settings.sla_policies:
            hours = CalendarTime() if policy.calendar is None else self.calendars[policy.calendar]
            self._meters[policy.name] = SlaMeter(policy, hours)
            self._goals[policy.name] = tuple((t.metric.value, t.within) for t in policy.targets)
        # whether each target's clock waits in each state, worked out once
        self._pauses = {
            (policy.name, flow.name, state.name, target.metric.value): self._pauses_in(
                policy, flow, state.name, target.metric.value
            )
            for policy in self.settings.sla_policies
            for flow in self.workflows.values()
            for state in flow.states
            for target in policy.targets
        }
        self._waits = {
            (policy.name, flow.name, state.name): (
                state.category in _DONE,
                frozenset(  # every metric: a hand-made ticket may hold a clock of no target
                    metric
                    for metric in sorted(_METRICS)
                    if self._pauses_in(policy, flow, state.name, metric)
                ),
            )
            for policy in self.settings.sla_policies
            for flow in self.workflows.values()
            for state in flow.states
        }
        self._goal_names = {
            policy.name: frozenset(target.metric.value for target in policy.targets)
            for policy in self.settings.sla_policies
        }
        self._survey_moves = {
            flow.name: frozenset(
                move.name
                for move in flow.transitions
                if any(action.kind is ActionKind.SEND_SURVEY for action in move.actions)
            )
            for flow in self.workflows.values()
        }
        for timeout in self.settings.pending_timeouts:
            clock = CalendarTime() if timeout.calendar is None else self.calendars[timeout.calendar]
            self._timeouts[timeout.state] = (timeout, clock)
        self._plain_sla = not (
            self._timeouts or self.settings.automations or self.settings.escalation_rules
        )

    def _check_arguments(self) -> None:
        """Refuse arguments of the wrong type, naming them (before looking inside)."""
        if not isinstance(self.workflows, Mapping):
            raise InvalidInputError(
                f"workflows must be a mapping of names to workflows, got "
                f"{type(self.workflows).__name__}",
                field="workflows",
            )
        for name, workflow in self.workflows.items():
            check_text(name, "workflows key")
            if not isinstance(workflow, Workflow):
                raise InvalidInputError(
                    f"workflows.{name} must be a Workflow, got {type(workflow).__name__}",
                    field=f"workflows.{name}",
                )
        if not isinstance(self.calendars, Mapping):
            raise InvalidInputError(
                f"calendars must be a mapping of names to calendars, got "
                f"{type(self.calendars).__name__}",
                field="calendars",
            )
        for name, hours in self.calendars.items():
            check_text(name, "calendars key")
            if not all(
                callable(getattr(hours, method, None))
                for method in ("business_time_between", "add_business_time")
            ):
                raise InvalidInputError(
                    f"calendars.{name} must be a calendar (with business_time_between and "
                    f"add_business_time), got {type(hours).__name__}",
                    field=f"calendars.{name}",
                )
        if not callable(self.id_factory):
            raise InvalidInputError(
                f"id_factory must be callable, got {type(self.id_factory).__name__}",
                field="id_factory",
            )
        if self.access is not None and not isinstance(self.access, Gate):
            raise InvalidInputError(
                f"access must be a Gate, got {type(self.access).__name__}", field="access"
            )
        check_text(self.default_workflow, "default_workflow")

    def _check_ticket(self, ticket: object, now: object) -> datetime:
        """Check a command's ticket and time; return ``now`` (checked).

        The ticket must be a :class:`Ticket` whose workflow, state, tier and SLA
        policy this engine knows (a ticket saved under another configuration
        may not), and ``now`` must not be earlier than its last change.
        """
        if not isinstance(ticket, Ticket):
            raise InvalidInputError(
                f"ticket must be a Ticket, got {type(ticket).__name__}", field="ticket"
            )
        self._check_known(ticket)
        return _check_time(ticket, now)

    def _check_known(self, ticket: Ticket) -> Workflow:
        """Refuse a ticket whose workflow, state, tier or SLA policy the engine does not know."""
        names = (ticket.id, ticket.workflow, ticket.state, ticket.tier)
        if not all(isinstance(name, str) for name in names):
            raise InvalidInputError(
                "a ticket's id, workflow, state and tier must be strings", field="ticket"
            )
        flow = self._flows.get(ticket.workflow)
        if flow is None or not flow.has_state(ticket.state):
            raise InvalidInputError(
                f"ticket {ticket.id!r} is in state {ticket.state!r} of workflow "
                f"{ticket.workflow!r}, which this engine does not know",
                field="ticket",
            )
        if ticket.tier not in self._tiers:
            raise InvalidInputError(
                f"ticket {ticket.id!r} is at tier {ticket.tier!r}, which this engine does not know",
                field="ticket",
            )
        if ticket.sla and (
            not isinstance(ticket.sla_policy, str)
            or ticket.sla_policy not in self._meters
            or not _METRICS.issuperset(ticket.sla)
        ):
            raise InvalidInputError(
                f"ticket {ticket.id!r} has clocks of SLA policy {ticket.sla_policy!r}, which "
                "this engine does not know",
                field="ticket",
            )
        return flow

    # --- lookups --------------------------------------------------------------------

    def tier(self, name: str) -> Tier:
        """Return the tier called ``name``.

        Raises:
            InvalidInputError: no such tier.
        """
        if check_text(name, "tier") not in self._tiers:
            raise InvalidInputError(
                f"unknown tier {name!r}; tiers: {', '.join(self._tiers)}", field="tier"
            )
        return self.settings.tiers[self._tiers[name]]

    def macro(self, name: str) -> Macro:
        """Return the macro called ``name``.

        Raises:
            InvalidInputError: no such macro.
        """
        if check_text(name, "macro") not in self._macros:
            raise InvalidInputError(
                f"unknown macro {name!r}; macros: {', '.join(self._macros)}", field="macro"
            )
        return self._macros[name]

    def category(self, ticket: Ticket) -> StateCategory:
        """Return the category of the ticket's current state.

        Raises:
            InvalidInputError: The engine does not know the ticket's workflow or state.
        """
        if not isinstance(ticket, Ticket):
            raise InvalidInputError(
                f"ticket must be a Ticket, got {type(ticket).__name__}", field="ticket"
            )
        return self._check_known(ticket).category(ticket.state)

    def _category(self, ticket: Ticket) -> StateCategory:
        """Return the category of the state of a ticket already checked."""
        return self._flows[ticket.workflow].category(ticket.state)

    # --- creating ----------------------------------------------------------------------

    def create(
        self,
        *,
        subject: str,
        channel: Channel,
        customer: str,
        now: datetime,
        by: Actor = SYSTEM,
        id: str | None = None,  # noqa: A002 - the ticket's id, named as on the ticket
        customer_tier: CustomerTier = STANDARD_TIER,
        priority: Priority = Priority.NORMAL,
        workflow: str | None = None,
        assignee: str | None = None,
        tags: Iterable[str] = _NOTHING,
        fields: Mapping[str, FieldValue] | None = None,
        links: Iterable[Link] = _NOTHING,
    ) -> TicketUpdate:
        """Open a new ticket in its workflow's initial state.

        Its tier is the lowest one, or higher when a priority, customer-tier or
        keyword rule matches (a VIP starts higher); the first matching SLA
        policy starts its clocks. Without an ``id`` the engine's ``id_factory``
        makes one (once the call is accepted: a refused call uses up no id).

        Raises:
            InvalidInputError: An argument has the wrong type or is out of range
                (the error names it; a customer tier must be a tier name, see
                :func:`callcore.contacts.check_tier`), or an unknown workflow.
            NaiveDatetimeError: ``now`` is naive.
        """
        # The usual call at one glance: short ASCII texts (so no lone surrogate),
        # enum members, a UTC `now` in range, no lists; anything else gets every check.
        if (
            now.__class__ is datetime
            and now.tzinfo is timezone.utc
            and EARLIEST <= now < LATEST
            and id.__class__ is str
            and subject.__class__ is str
            and customer.__class__ is str
            and customer_tier.__class__ is str
            and customer_tier in self._known_tiers  # names already checked
            and (assignee is None or assignee.__class__ is str)
            and channel.__class__ is Channel
            and priority.__class__ is Priority
            and (by is SYSTEM or by.__class__ is Actor)
            and workflow is None
            and tags is _NOTHING  # the defaults themselves (anything else: every check)
            and fields is None
            and links is _NOTHING
            and id
            and customer
            and assignee != ""
            and len(text := f"{id}{subject}{customer}{assignee or ''}") <= MAX_TEXT
            and text.isascii()
        ):
            flow = self._flows[self.default_workflow]
            checked_tags, checked_fields = _NO_TAGS, {}
            checked_links: tuple[Link, ...] = ()
        else:
            _check_new_ticket(
                subject, channel, customer, now, by, customer_tier, priority, assignee
            )
            checked_tags = check_names(tags, "tags")
            checked_fields = check_field_values(fields, "fields") if fields is not None else {}
            checked_links = check_items(links, Link, "links")
            flow = self._workflow_named(workflow)
            now = _utc(now)
            if id is None:
                id = self.id_factory()  # noqa: A001 - last: a refused call uses up no id
            id = _text(id, "id")  # noqa: A001 - checked
        lowest = self._lowest
        ticket = Ticket(
            id=id,
            subject=subject,
            channel=channel,
            customer=customer,
            customer_tier=customer_tier,
            workflow=flow.name,
            state=flow.initial,
            priority=priority,
            tier=lowest.name,
            assignee=assignee,
            queue=lowest.queue,
            tags=checked_tags or _NO_TAGS,
            fields=checked_fields,
            links=checked_links,
            created_at=now,
        )
        ticket.history._rows.append(  # noqa: SLF001 - the engine owns its tickets' history
            (now, id, by.id, "created", "state", None, flow.initial, "")
        )
        settings = self.settings
        if not (settings.escalation_rules or settings.sla_policies):
            # the common case: no rules to run, no clocks, nothing due
            return _update(ticket, (), (), 0, 1)
        actions: list[TicketAction] = []
        if settings.escalation_rules:
            self._escalate_by_fields(ticket, now, actions)
        if settings.sla_policies:
            self._select_sla(ticket, now, new=True)
            if self._plain_sla and ticket.sla:  # _result, for this engine: changed at now
                ticket.next_due = self._due_with_clocks(
                    ticket,
                    self._meters[ticket.sla_policy or ""],
                    now,
                    closes=(flow.name, flow.initial) in self._auto_close,
                )
                return _update(ticket, tuple(actions), (), 0, len(ticket.history))
            return self._result(ticket, tuple(actions), (), 0)
        # without SLA clocks a new ticket has nothing due (no follow-up, not resolved)
        return _update(ticket, tuple(actions), (), 0, len(ticket.history))

    def _workflow_named(self, name: object) -> Workflow:
        """Return the workflow called ``name`` (``None``: the default one)."""
        if name is None:
            return self._flows[self.default_workflow]
        flow = self._flows.get(_text(name, "workflow"))
        if flow is None:
            known = ", ".join(self.workflows)
            raise InvalidInputError(f"unknown workflow {name!r}; known: {known}", field="workflow")
        return flow

    # --- transitions -------------------------------------------------------------------

    def can_apply(
        self, ticket: Ticket, transition: str, *, by: Actor, note: str = ""
    ) -> str | None:
        """Say why ``transition`` would be refused now, or ``None`` if it would be applied.

        Raises:
            InvalidInputError: An argument has the wrong type, or the engine does
                not know the ticket's workflow or state.
        """
        if not isinstance(ticket, Ticket):
            raise InvalidInputError(
                f"ticket must be a Ticket, got {type(ticket).__name__}", field="ticket"
            )
        flow = self._check_known(ticket)
        _text(transition, "transition")
        _check_actor(by)
        _text(note, "note", allow_empty=True)
        move = flow.transition(ticket.state, transition)
        if move is None:
            if not flow.has_transition(transition):
                return f"the workflow {flow.name!r} has no transition {transition!r}"
            return f"it is not available here; available: {', '.join(flow.available(ticket.state))}"
        return self._guard_refusal(move, ticket, by, note)

    @staticmethod
    def _guard_refusal(move: Transition, ticket: Ticket, by: Actor, note: str) -> str | None:
        for guard in move.guards:
            kind = guard.kind
            if kind is GuardKind.NOTE_REQUIRED:
                ok = bool(note.strip())
            elif kind is GuardKind.ASSIGNEE_OR_SUPERVISOR:
                ok = by.id == ticket.assignee or by.has_role("supervisor", "system")
            elif kind is GuardKind.ASSIGNED:
                ok = ticket.assignee is not None
            elif kind is GuardKind.ROLE:
                ok = by.has_role(*guard.roles)
            else:
                ok = ticket.fields.get(guard.field) is not None
            if not ok:
                return f"guard {kind.value!r} failed: {guard.describe()}"
        return None

    def apply(  # noqa: C901, PLR0912, PLR0915 - the engine's hot path, inlined on purpose
        self,
        ticket: Ticket,
        transition: str,
        *,
        by: Actor,
        now: datetime,
        note: str = "",
        follow_up_due: datetime | None = None,
    ) -> TicketUpdate:
        """Apply a workflow transition.

        Args:
            ticket: The ticket (changed in place).
            transition: The transition's name.
            by: Who applies it; guards check them.
            now: The current time.
            note: Why (required by a ``note_required`` guard); kept in the history.
            follow_up_due: For a transition that schedules a follow-up, when it
                is due (default: the action's delay after ``now``).

        Raises:
            InvalidTransitionError: The transition is unknown, not available in
                the ticket's state, or a guard failed; the error names the state,
                the transition and the guard. Nothing was changed.
            InvalidInputError: An argument has the wrong type or is out of range
                (the error names it); ``now`` is earlier than the ticket's last
                change; ``follow_up_due`` is not after ``now``.
        """
        # The hot path of the engine: one dict lookup finds the transition and
        # what it implies, and one expression sees that every argument is of the
        # usual kind; anything else gets the full checks (and their messages).
        # A ticket's times are never before EARLIEST (the engine and the loader
        # see to it), so `now` after its last change is not either.
        step = None
        usual = False
        try:
            if ticket.__class__ is Ticket:
                step = self._steps.get((ticket.workflow, ticket.state, transition))
                usual = (
                    step is not None
                    and by.__class__ is Actor
                    and note.__class__ is str
                    and (not note or (len(note) <= MAX_TEXT and note.isascii()))
                    and follow_up_due is None
                    and now.__class__ is datetime
                    and now.tzinfo.__class__ is timezone  # a fixed offset: aware
                    and (last := ticket.history._rows[-1][0]) <= now < step.latest  # noqa: SLF001
                    and now - last <= MAX_DURATION
                    # a running clock's start is a change too (no later than now, so in range)
                    and (not ticket.sla or _clocks_not_after(ticket.sla, now))
                )
        except (TypeError, IndexError):  # odd values (a hand-made ticket): the full checks
            usual = False
        if usual and ticket.sla:
            if self._plain_sla and ticket.sla_policy.__class__ is str:
                meter = self._meters.get(ticket.sla_policy)
                if (
                    meter is not None
                    and ticket.id.__class__ is str
                    and ticket.tier in self._tiers
                    and ticket.tier.__class__ is str
                    and _METRICS.issuperset(ticket.sla)
                ):  # _check_known's checks: the step's key says the workflow and state
                    return self._apply_with_clocks(ticket, step, meter, by, now, note)  # type: ignore[arg-type]
            self._check_known(ticket)  # as the full checks, before the guards
        elif not usual:
            step = self._check_apply(ticket, transition, by, now, note, follow_up_due)
            now = _utc(now)
            if follow_up_due is not None:
                follow_up_due = _utc(follow_up_due)
        assert step is not None  # noqa: S101 - _check_apply returns the step or raises
        if step.checks:
            for check in step.checks:
                if not check(ticket, by, note):
                    refusal = self._guard_refusal(step.move, ticket, by, note)
                    raise InvalidTransitionError(ticket.state, transition, refusal or "unknown")
        if (
            ticket.sla
            or self._timeouts
            or self.settings.automations
            or (step.reopens and self.settings.escalation_rules)
        ):
            if usual and not ticket.sla:
                self._check_known(ticket)  # its tier and SLA policy, which this path uses
            # validated: from here on the ticket changes
            first = len(ticket.history)
            sla_events = self._settle(ticket, now) if ticket.sla else ()
            actions: list[TicketAction] = []
            self._move(ticket, step, by, now, note, follow_up_due, actions)
            return self._result(ticket, tuple(actions), sla_events, first)
        # Validated: from here on the ticket changes. No SLA clocks and no
        # escalation rules to run (the common case), so this is _move inlined,
        # appending history rows directly.
        rows = ticket.history._rows  # noqa: SLF001 - the engine owns its tickets' history
        first = len(rows)
        ticket_id = ticket.id
        by_id = by.id
        old = ticket.state
        target = ticket.state = step.target
        rows.append((now, ticket_id, by_id, transition, "state", old, target, note))
        if step.resolves:
            ticket.resolved_at = now
        elif step.reopens:
            ticket.reopen_count += 1
        pending = ticket.follow_up_due
        if pending is not None:
            ticket.follow_up_due = None
            # the history writes the datetime as text when read (formatting is slow)
            rows.append((now, ticket_id, by_id, transition, "follow_up_due", pending, None, ""))
        done = (
            self._actions_without_clocks(ticket, step, by, now, follow_up_due)
            if step.actions
            else ()
        )
        # without clocks only a follow-up or an auto-close can be pending, both after now
        due = ticket.follow_up_due
        if step.auto_close is None:
            ticket.next_due = self._next_deadline(ticket) if step.due_varies else due
        else:
            closing = now + step.auto_close  # never due past the last accepted instant
            ticket.next_due = (
                closing if closing < step.close_latest and (due is None or closing < due) else due
            )
        update: TicketUpdate = _new(TicketUpdate)  # _update inlined
        _put_ticket(update, ticket)
        _put_actions(update, done)
        _put_span(update, ((), first, len(rows)))
        return update

    def _apply_with_clocks(  # noqa: C901, PLR0917 - apply's hot path; apply's arguments
        self, ticket: Ticket, step: _Step, meter: SlaMeter, by: Actor, now: datetime, note: str
    ) -> TicketUpdate:
        """Apply a usual transition to a ticket with SLA clocks, checked (for apply).

        The same as the general path (``_settle``, ``_move``, ``_result``; a
        test keeps them equal on random calendars and event sequences) for an
        engine with no pending timeouts, automations or escalation rules,
        written out: the SLA clocks are brought up to date by
        :meth:`SlaMeter.settle`, which carries the running clocks' deadline
        along; when the move leaves every clock as it was (all running, in a
        state that is not done and pauses the same clocks as the last), that
        deadline is the next one, without pausing, resuming or searching again.
        """
        for check in step.checks:
            if not check(ticket, by, note):
                refusal = self._guard_refusal(step.move, ticket, by, note)
                raise InvalidTransitionError(ticket.state, step.move.name, refusal or "unknown")
        # validated: from here on the ticket changes
        clocks = ticket.sla
        sla_events, left = meter.settle(ticket.id, clocks, now)
        source = ticket.state
        rows = ticket.history._rows  # noqa: SLF001 - the engine owns its tickets' history
        first = len(rows)
        ticket_id = ticket.id
        by_id = by.id
        name = step.move.name
        old = ticket.state
        target = ticket.state = step.target
        rows.append((now, ticket_id, by_id, name, "state", old, target, note))
        if step.resolves:
            ticket.resolved_at = now
        if step.reopens:
            ticket.reopen_count += 1
        pending = ticket.follow_up_due
        if pending is not None:
            ticket.follow_up_due = None
            rows.append((now, ticket_id, by_id, name, "follow_up_due", pending, None, ""))
        done: tuple[TicketAction, ...] = ()
        if step.follow_up_after is not None:  # a follow-up, the only action: _actions inlined
            due = now + step.follow_up_after
            ticket.follow_up_due = due
            rows.append(
                (now, ticket_id, by_id, "schedule_follow_up", "follow_up_due", None, due, "")
            )
            done = (ScheduleFollowUp(ticket_id, due),)
        elif step.actions:
            made: list[TicketAction] = []
            self._actions(ticket, step.actions, by, now, None, made)
            done = tuple(made)
        policy = meter.policy.name
        if (
            left is not None
            and (not step.actions or step.follow_up_after is not None)  # no clock touched
            and (waits := self._waits.get((policy, ticket.workflow, source))) is not None
            and not waits[0]
            and waits == self._waits.get((policy, ticket.workflow, target))
        ):
            # Every clock not stopped runs from now (settled), in a state that is not done
            # and that pauses the same clocks as the last: pausing and resuming change
            # nothing, and the running clocks' earliest deadline is `left` after now.
            first_sla = None if left is ALL_STOPPED else meter.after(now, left)
            ticket.next_due = self._due_after(ticket, first_sla, now, closes=step.closing_varies)
        else:
            self._sla_after_move(ticket, was_done=step.was_done, now=now)
            ends = self._waits.get((policy, ticket.workflow, target))
            if step.auto_close is not None and ends is not None and ends[0]:
                # resolved (a done state: every clock stopped, none due), closing by itself
                # after a fixed delay: _due_after as the path without clocks works it out
                soonest = ticket.follow_up_due
                closing = now + step.auto_close
                if closing < step.close_latest and (soonest is None or closing < soonest):
                    soonest = closing
                ticket.next_due = None if soonest is None else max(soonest, now)
            else:
                # _next_deadline, for this engine: the last change is now (the row above)
                ticket.next_due = self._due_with_clocks(
                    ticket, meter, now, closes=step.closing_varies
                )
        return _update(ticket, done, tuple(sla_events), first, len(rows))

    def _due_with_clocks(
        self, ticket: Ticket, meter: SlaMeter, now: datetime, *, closes: bool
    ) -> datetime | None:
        """:meth:`_next_deadline` for a ticket with clocks changed at ``now`` (its last change).

        Only for an engine without pending timeouts, automations or escalation
        rules; ``closes``: the ticket may be in a state it closes from by itself.
        """
        return self._due_after(
            ticket, meter.earliest(ticket.sla.values(), last=now), now, closes=closes
        )

    def _due_after(
        self, ticket: Ticket, first_sla: datetime | None, now: datetime, *, closes: bool
    ) -> datetime | None:
        """:meth:`_due_with_clocks` once the clocks' earliest deadline is known."""
        soonest = ticket.follow_up_due
        closing = self._closing_at(ticket, now) if closes else None
        if (
            first_sla is not None
            and first_sla < LATEST
            and (soonest is None or first_sla < soonest)
        ):
            soonest = first_sla
        if closing is not None and (soonest is None or closing < soonest):
            soonest = closing
        return None if soonest is None else max(soonest, now)

    def _check_apply(  # noqa: PLR0917 - apply's arguments, in order
        self,
        ticket: object,
        transition: object,
        by: object,
        now: object,
        note: object,
        follow_up_due: object,
    ) -> _Step:
        """Check apply's arguments in full; return the step, or raise saying what is wrong."""
        checked = self._check_ticket(ticket, now)
        assert isinstance(ticket, Ticket)  # noqa: S101 - _check_ticket checked it
        name = _text(transition, "transition")
        actor = _check_actor(by)
        text = _text(note, "note", allow_empty=True)
        step = self._steps.get((ticket.workflow, ticket.state, name))
        if step is None:
            refusal = self.can_apply(ticket, name, by=actor, note=text)
            raise InvalidTransitionError(ticket.state, name, refusal or "unknown")
        if follow_up_due is not None:
            due = check_instant(follow_up_due, "follow_up_due")
            if due <= checked:
                raise InvalidInputError(
                    f"follow_up_due ({due.isoformat()}) must be after now ({checked.isoformat()})",
                    field="follow_up_due",
                )
        elif checked >= step.latest:
            raise InvalidInputError(
                f"{name!r} at {checked.isoformat()} would schedule a follow-up due after "
                f"{LATEST.year - 1}, the last year callcore accepts",
                field="now",
            )
        return step

    def _actions_without_clocks(
        self,
        ticket: Ticket,
        step: _Step,
        by: Actor,
        now: datetime,
        follow_up_due: datetime | None,
    ) -> tuple[TicketAction, ...]:
        """Produce a transition's actions on a ticket without SLA clocks (for apply)."""
        if step.follow_up_after is None:
            made: list[TicketAction] = []
            self._actions(ticket, step.actions, by, now, follow_up_due, made)
            return tuple(made)
        # a follow-up is the only action (the default workflow's need_follow_up)
        due = follow_up_due or now + step.follow_up_after
        ticket.follow_up_due = due
        ticket.history._rows.append(  # noqa: SLF001 - a datetime, written as text when read
            (now, ticket.id, by.id, "schedule_follow_up", "follow_up_due", None, due, "")
        )
        return (ScheduleFollowUp(ticket.id, due),)

    def _result(
        self,
        ticket: Ticket,
        actions: tuple[TicketAction, ...],
        sla_events: tuple[Event, ...],
        first: int,
    ) -> TicketUpdate:
        """Finish a call: note when the ticket next needs a tick, and report."""
        if self.settings.automations:
            self._rearm(ticket)
        ticket.next_due = self._next_deadline(ticket)
        return _update(ticket, actions, sla_events, first, len(ticket.history))

    def _move(  # noqa: PLR0917 - private helper, called positionally
        self,
        ticket: Ticket,
        step: _Step,
        by: Actor,
        now: datetime,
        note: str,
        follow_up_due: datetime | None,
        actions: list[TicketAction],
    ) -> None:
        move = step.move
        old = ticket.state
        ticket.state = step.target
        ticket.history.record(now, ticket.id, by.id, move.name, "state", old, step.target, note)
        if step.resolves:
            ticket.resolved_at = now
        if step.reopens:
            ticket.reopen_count += 1
        if ticket.follow_up_due is not None:
            self._set(ticket, now, by, move.name, "follow_up_due", None)
        if move.actions:
            self._actions(ticket, move.actions, by, now, follow_up_due, actions)
        if ticket.sla:
            self._sla_after_move(ticket, was_done=step.was_done, now=now)
        if step.reopens and self.settings.escalation_rules:
            self._escalate_by_fields(ticket, now, actions)

    def _set(  # noqa: PLR0917 - private helper, called positionally
        self,
        ticket: Ticket,
        now: datetime,
        by: Actor,
        action: str,
        field: str,
        value: datetime | str | None,
        reason: str = "",
    ) -> None:
        """Set a plain ticket attribute and record it."""
        old = getattr(ticket, field)
        setattr(ticket, field, value)
        # the history writes a datetime as its ISO text when read
        ticket.history.record(now, ticket.id, by.id, action, field, old, value, reason)

    def _actions(  # noqa: PLR0917 - private helper, called positionally
        self,
        ticket: Ticket,
        specs: tuple[ActionSpec, ...],
        by: Actor,
        now: datetime,
        follow_up_due: datetime | None,
        actions: list[TicketAction],
    ) -> None:
        for spec in specs:
            if spec.kind is ActionKind.SCHEDULE_FOLLOW_UP:
                due = follow_up_due or now + spec.after
                old = ticket.follow_up_due
                ticket.follow_up_due = due
                ticket.history.record(
                    now, ticket.id, by.id, "schedule_follow_up", "follow_up_due",
                    None if old is None else old.isoformat(), due.isoformat(),
                )  # fmt: skip
                actions.append(ScheduleFollowUp(ticket.id, due))
            elif spec.kind is ActionKind.ASSIGN_ACTOR:
                if ticket.assignee is None and not by.has_role("system"):
                    self._set(ticket, now, by, "assign", "assignee", by.id)
                    if ticket.sla:
                        self._owner_changed(ticket, now)
            elif spec.kind is ActionKind.SEND_SURVEY:
                # one survey per ticket, so its answer can always be recorded: this move
                # (already in the history) is the first that sends one, and not a merge
                if ticket.survey is not None or self._surveys_sent(ticket) > 1:
                    continue
                notification = Notification(
                    channel=spec.channel,
                    to=ticket.customer,
                    subject=f"How did we do on {ticket.subject!r}?",
                    body="Please rate our help from 1 (poor) to 5 (excellent).",
                    template=spec.template or "csat_survey",
                    data={"ticket_id": ticket.id, "customer": ticket.customer},
                )
                actions.append(SendSurvey(ticket.id, notification))
            else:
                actions.append(Notify(ticket.id, self._notice(ticket, spec)))

    def _surveys_sent(self, ticket: Ticket) -> int:
        """How many moves of the ticket's history had a survey to send (a merge counts 2).

        A ticket sends its survey at the first of them, so the history says,
        with no entry of its own, whether the survey went out; a merged ticket
        never sends one.
        """
        sending = self._survey_moves.get(ticket.workflow, frozenset())
        rows = ticket.history._rows  # noqa: SLF001 - the engine owns its tickets' history
        count = 0
        for row in rows:
            if row[3] == "merge":
                count += 2
            elif row[4] == "state" and row[3] in sending:
                count += 1
        return count

    @staticmethod
    def _notice(ticket: Ticket, spec: ActionSpec) -> Notification:
        recipient = {
            "assignee": ticket.assignee or f"queue:{ticket.queue}",
            "customer": ticket.customer,
            "queue": f"queue:{ticket.queue}",
        }.get(spec.to, spec.to)
        return Notification(
            channel=spec.channel,
            to=recipient,
            subject=f"Ticket {ticket.id} is {ticket.state}",
            template=spec.template or "ticket_state",
            data={"ticket_id": ticket.id, "state": ticket.state},
        )

    # --- fields ------------------------------------------------------------------------

    def update(  # noqa: C901, PLR0912, PLR0915 - one flat branch per optional field
        self,
        ticket: Ticket,
        *,
        by: Actor | Principal,
        now: datetime,
        priority: Priority | None = None,
        customer_tier: CustomerTier | None = None,
        assignee: str | _Unset | None = UNSET,
        queue: str | _Unset | None = UNSET,
        add_tags: Iterable[str] = (),
        remove_tags: Iterable[str] = (),
        fields: Mapping[str, FieldValue] | None = None,
        links: Iterable[Link] = (),
        reason: str = "",
    ) -> TicketUpdate:
        """Change a ticket's fields, recording each change.

        A change of priority, customer tier or tags chooses the SLA policy again
        (keeping the time already elapsed) and re-checks the field-based
        escalation rules.

        With a gate (``access``), a change of assignee or queue is a
        reassignment and needs :attr:`~callcore.access.Permission.REASSIGN_TICKETS`,
        except an actor taking an unassigned ticket for themselves.

        Raises:
            InvalidInputError: An argument has the wrong type or is out of range
                (the error names it; a list argument must be a list, tuple or
                set, never a string; a customer tier must be a tier name, see
                :func:`callcore.contacts.check_tier`), or ``now`` is earlier than
                the ticket's last change.
            InvalidTransitionError: The ticket is closed.
            AccessDeniedError: The gate refused the reassignment.
        """
        now = self._check_ticket(ticket, now)
        actor = _gated_actor(by)
        if priority is not None:
            check_enum(priority, Priority, "priority")
        if customer_tier is not None:
            check_tier(customer_tier, "customer_tier")
        if assignee is not UNSET:
            check_optional_text(assignee, "assignee")
        if queue is not UNSET:
            check_optional_text(queue, "queue")
        added = check_names(add_tags, "add_tags")
        removed = check_names(remove_tags, "remove_tags")
        changed_fields = check_field_values(fields, "fields") if fields is not None else {}
        new_links = check_items(links, Link, "links")
        _text(reason, "reason", allow_empty=True)
        self._refuse_if_closed(ticket, "update")
        audit: tuple[Event, ...] = ()
        if self.access is not None and (
            (queue is not UNSET and queue != ticket.queue)
            or (
                assignee is not UNSET
                and assignee != ticket.assignee
                and not (ticket.assignee is None and assignee == actor.id)
            )
        ):
            audit = self._gate(by, Permission.REASSIGN_TICKETS, ticket, now)
        # validated: from here on the ticket changes
        first = len(ticket.history)
        sla_events = (*audit, *self._settle(ticket, now)) if ticket.sla else audit
        actions: list[TicketAction] = []

        def record(field: str, old: FieldValue, new: FieldValue) -> None:
            ticket.history.record(now, ticket.id, actor.id, "set", field, old, new, reason)

        if priority is not None and priority is not ticket.priority:
            record("priority", ticket.priority.value, priority.value)
            ticket.priority = priority
        if customer_tier is not None and customer_tier != ticket.customer_tier:
            record("customer_tier", ticket.customer_tier, customer_tier)
            ticket.customer_tier = customer_tier
        if assignee is not UNSET and assignee != ticket.assignee:
            record("assignee", ticket.assignee, assignee)
            ticket.assignee = assignee
            if ticket.sla:
                self._owner_changed(ticket, now)
        if queue is not UNSET and queue != ticket.queue:
            record("queue", ticket.queue, queue)
            ticket.queue = queue
        tags = (ticket.tags | added) - removed
        if tags != ticket.tags:
            record("tags", ",".join(sorted(ticket.tags)), ",".join(sorted(tags)))
            ticket.tags = tags
        for name, value in changed_fields.items():
            if name not in ticket.fields or ticket.fields[name] != value:
                record(f"fields.{name}", ticket.fields.get(name), value)
                ticket.fields[name] = value
        for link in new_links:
            if link not in ticket.links:
                record("links", None, f"{link.kind}:{link.id}")
                ticket.links = (*ticket.links, link)
        if self.settings.sla_policies:
            self._select_sla(ticket, now)
        if self.settings.escalation_rules:
            self._escalate_by_fields(ticket, now, actions)
        return self._result(ticket, tuple(actions), sla_events, first)

    def _gate(
        self, by: Actor | Principal, permission: str, ticket: Ticket, now: datetime
    ) -> tuple[Event, ...]:
        """Ask the gate (last, after every other check); the allowed call's audit event."""
        assert self.access is not None  # noqa: S101 - callers check
        return (self.access.check(by, permission, f"ticket:{ticket.id}", now=now),)

    def _refuse_if_closed(self, ticket: Ticket, action: str) -> None:
        if self._category(ticket) is StateCategory.CLOSED:
            raise InvalidTransitionError(ticket.state, action, "the ticket is closed")

    # --- replies -----------------------------------------------------------------------

    def reply(self, ticket: Ticket, *, by: Actor, now: datetime, text: str) -> TicketUpdate:
        """Record an agent's reply to the customer; it meets response targets.

        Raises:
            InvalidTransitionError: The ticket is closed.
            InvalidInputError: ``text`` is empty, an argument has the wrong type
                or is out of range (the error names it), or ``now`` is earlier
                than the ticket's last change.
        """
        now = self._check_ticket(ticket, now)
        _check_actor(by)
        if not _text(text, "text", allow_empty=True).strip():
            raise InvalidInputError("a reply needs some text", field="text")
        self._refuse_if_closed(ticket, "reply")
        # validated: from here on the ticket changes
        first = len(ticket.history)
        sla_events = self._settle(ticket, now) if ticket.sla else ()
        ticket.history.record(now, ticket.id, by.id, "reply", "", None, text)
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        for metric in (SlaMetric.FIRST_RESPONSE, SlaMetric.NEXT_RESPONSE):
            clock = ticket.sla.get(metric.value)
            if clock is not None and not clock.stopped:
                self._meters[ticket.sla_policy or ""].pause(clock, now=now)
                clock.stopped = True
        return self._result(ticket, (), sla_events, first)

    def customer_reply(
        self, ticket: Ticket, *, now: datetime, text: str = "", by: Actor | None = None
    ) -> TicketUpdate:
        """Record the customer's reply; it may reopen the ticket or end a pending wait.

        The workflow's customer-reply transition for the current state (if any)
        is applied, and a next-response clock starts once the ticket has had a
        first response.

        Everything is checked, and the transition looked up, before anything
        changes: a refused reply leaves the ticket and its history as they were.

        Raises:
            InvalidTransitionError: The ticket is closed (open a new ticket
                linked to it instead) or the reply transition's guards fail.
            InvalidInputError: An argument has the wrong type or is out of range
                (the error names it), or ``now`` is earlier than the ticket's
                last change.
        """
        now = checked = self._check_ticket(ticket, now)
        _text(text, "text", allow_empty=True)
        actor = _check_actor(by) if by is not None else self._customer(ticket)
        move = self._flows[ticket.workflow].reply_transition(ticket.state)
        step = None
        if move is not None:
            refusal = self.can_apply(ticket, move.name, by=actor, note=text)
            if refusal is not None:
                raise InvalidTransitionError(ticket.state, move.name, refusal)
            step = self._steps[ticket.workflow, ticket.state, move.name]
            if checked >= step.latest:
                raise InvalidInputError(
                    f"{move.name!r} at {checked.isoformat()} would schedule a follow-up due "
                    f"after {LATEST.year - 1}, the last year callcore accepts",
                    field="now",
                )
        elif self._category(ticket) is StateCategory.CLOSED:
            raise InvalidTransitionError(
                ticket.state, "accept a customer reply", "the ticket is closed; use follow_up"
            )
        # validated: from here on the ticket changes
        first = len(ticket.history)
        sla_events = self._settle(ticket, now) if ticket.sla else ()
        actions: list[TicketAction] = []
        ticket.history.record(now, ticket.id, actor.id, "customer_reply", "", None, text)
        if step is not None:
            self._move(ticket, step, actor, now, text, None, actions)
        self._start_next_response(ticket, now)
        return self._result(ticket, tuple(actions), sla_events, first)

    def follow_up(
        self,
        closed: Ticket,
        *,
        now: datetime,
        text: str = "",
        by: Actor | None = None,
        id: str | None = None,  # noqa: A002 - the new ticket's id, named as on the ticket
    ) -> TicketUpdate:
        """Open a follow-up ticket for a customer reply to a closed ticket (Zendesk's rule).

        A closed ticket never changes; the reply starts a new ticket in the
        default workflow with the same subject, channel, customer, customer
        tier, priority and tags, linked to the closed one
        (``Link("ticket", closed.id)``), with the reply in its history. SLA
        policies and escalation rules apply to it as to any new ticket.

        Raises:
            InvalidTransitionError: ``closed`` is not closed (reply to it instead).
            InvalidInputError: An argument has the wrong type or is out of range
                (the error names it), or ``now`` is earlier than the closed
                ticket's last change.
        """
        now = self._check_ticket(closed, now)
        _text(text, "text", allow_empty=True)
        actor = _check_actor(by) if by is not None else self._customer(closed)
        if self._category(closed) is not StateCategory.CLOSED:
            raise InvalidTransitionError(
                closed.state, "open a follow-up", "the ticket is not closed; reply to it"
            )
        update = self.create(
            subject=closed.subject, channel=closed.channel, customer=closed.customer, now=now,
            by=actor, id=id, customer_tier=closed.customer_tier, priority=closed.priority,
            tags=closed.tags, links=(Link("ticket", closed.id),),
        )  # fmt: skip
        ticket = update.ticket
        ticket.history.record(now, ticket.id, actor.id, "customer_reply", "", None, text)
        return self._result(ticket, update.actions, (), 0)

    def merge(
        self, duplicate: Ticket, *, into: str, by: Actor, now: datetime, note: str = ""
    ) -> TicketUpdate:
        """Close a duplicate ticket as merged into another (Zendesk's merge).

        The duplicate gets a link to the ticket it is merged into
        (``Link("merged_into", into)``), a ``merge`` history entry, and is
        closed by its workflow's close transition (its
        ``auto_close_transition``) with a note naming the other ticket; a
        merged ticket sends no satisfaction survey. Its SLA clocks stop, as
        on any close. The ticket merged into is another call: link it back with
        ``update(other, links=[Link("merged", duplicate.id)])``.

        Raises:
            InvalidTransitionError: The close transition is not available in
                the duplicate's state, or a guard refuses it.
            InvalidInputError: An argument has the wrong type or is out of range,
                ``into`` is the duplicate itself, or ``now`` is earlier than
                its last change.
        """
        now = self._check_ticket(duplicate, now)
        target = _text(into, "into")
        actor = _check_actor(by)
        text = _text(note, "note", allow_empty=True)
        if target == duplicate.id:
            raise InvalidInputError("a ticket cannot be merged into itself", field="into")
        flow = self._flows[duplicate.workflow]
        reason = text or f"merged into {target}"
        refusal = self.can_apply(duplicate, flow.auto_close_transition, by=actor, note=reason)
        if refusal is not None:
            raise InvalidTransitionError(duplicate.state, flow.auto_close_transition, refusal)
        step = self._steps[flow.name, duplicate.state, flow.auto_close_transition]
        if now >= step.latest:
            raise InvalidInputError(
                f"merging at {now.isoformat()} would schedule a follow-up after "
                f"{LATEST.year - 1}, the last year callcore accepts",
                field="now",
            )
        # validated: from here on the ticket changes
        first = len(duplicate.history)
        sla_events = self._settle(duplicate, now) if duplicate.sla else ()
        link = Link("merged_into", target)
        duplicate.history.record(
            now, duplicate.id, actor.id, "merge", "links", None, f"merged_into:{target}", reason
        )
        if link not in duplicate.links:
            duplicate.links = (*duplicate.links, link)
        actions: list[TicketAction] = []
        self._move(duplicate, step, actor, now, reason, None, actions)
        return self._result(duplicate, tuple(actions), sla_events, first)

    @staticmethod
    def _customer(ticket: Ticket) -> Actor:
        """The customer of a ticket, as the actor of their replies."""
        try:
            return Actor(ticket.customer, frozenset({"customer"}))
        except InvalidInputError:
            raise InvalidInputError(
                f"ticket {ticket.id!r} has no valid customer id; pass by=", field="by"
            ) from None

    # --- escalation ----------------------------------------------------------------------

    def escalate(
        self,
        ticket: Ticket,
        *,
        by: Actor | Principal,
        now: datetime,
        reason: str,
        to_tier: str | None = None,
    ) -> TicketUpdate:
        """Move a ticket up to a higher tier (the next one by default).

        Its queue becomes the tier's queue and it is unassigned; the history
        records the escalation and a notification goes to the new queue.

        Raises:
            InvalidInputError: No reason, or an unknown tier.
            InvalidTransitionError: The tier is not higher, or the ticket is closed.
            AccessDeniedError: The gate (``access``) refused it.
        """
        return self._change_tier(ticket, by, now, reason, to_tier, up=True)

    def de_escalate(
        self,
        ticket: Ticket,
        *,
        by: Actor | Principal,
        now: datetime,
        reason: str,
        to_tier: str | None = None,
    ) -> TicketUpdate:
        """Move a ticket back down to a lower tier (the previous one by default).

        Raises:
            InvalidInputError: No reason, or an unknown tier.
            InvalidTransitionError: The tier is not lower, or the ticket is closed.
            AccessDeniedError: The gate (``access``) refused it.
        """
        return self._change_tier(ticket, by, now, reason, to_tier, up=False)

    def _change_tier(
        self,
        ticket: Ticket,
        by: Actor | Principal,
        now: datetime,
        reason: str,
        to_tier: str | None,
        *,
        up: bool,
    ) -> TicketUpdate:
        now = self._check_ticket(ticket, now)
        actor = _gated_actor(by)
        action = "escalate" if up else "de_escalate"
        if not _text(reason, "reason", allow_empty=True).strip():
            raise InvalidInputError(f"{action.replace('_', '-')} needs a reason", field="reason")
        if to_tier is not None and _text(to_tier, "to_tier") not in self._tiers:
            raise InvalidInputError(
                f"unknown tier {to_tier!r}; tiers: {', '.join(self._tiers)}", field="to_tier"
            )
        self._refuse_if_closed(ticket, action)
        rank = self._tiers[ticket.tier]
        target = rank + (1 if up else -1) if to_tier is None else self.tier_rank(to_tier)
        if not 0 <= target < len(self.settings.tiers) or (target <= rank if up else target >= rank):
            direction = "higher" if up else "lower"
            raise InvalidTransitionError(
                ticket.state, action, f"no {direction} tier than {ticket.tier!r} to move to"
            )
        audit: tuple[Event, ...] = ()
        if self.access is not None:
            permission = Permission.ESCALATE_TICKETS if up else Permission.DE_ESCALATE_TICKETS
            audit = self._gate(by, permission, ticket, now)
        # validated: from here on the ticket changes
        first = len(ticket.history)
        sla_events = (*audit, *self._settle(ticket, now)) if ticket.sla else audit
        actions: list[TicketAction] = []
        self._to_tier(ticket, self.settings.tiers[target], actor, now, action, reason, actions)
        return self._result(ticket, tuple(actions), sla_events, first)

    def tier_rank(self, name: str) -> int:
        """Return the position of a tier, 0 for the lowest.

        Raises:
            InvalidInputError: no such tier.
        """
        self.tier(name)
        return self._tiers[name]

    def _to_tier(  # noqa: PLR0917 - private helper, called positionally
        self,
        ticket: Ticket,
        tier: Tier,
        by: Actor,
        now: datetime,
        action: str,
        reason: str,
        actions: list[TicketAction],
    ) -> None:
        self._set(ticket, now, by, action, "tier", tier.name, reason)
        if ticket.queue != tier.queue:
            self._set(ticket, now, by, action, "queue", tier.queue, reason)
        if ticket.assignee is not None:
            self._set(ticket, now, by, action, "assignee", None, reason)
            if ticket.sla:
                self._owner_changed(ticket, now)
        notification = Notification(
            channel=NotificationChannel.IN_APP,
            to=f"queue:{tier.queue}",
            subject=f"Ticket {ticket.id} moved to {tier.name}: {ticket.subject}",
            body=reason,
            template="ticket_escalated" if action == "escalate" else "ticket_de_escalated",
            data={"ticket_id": ticket.id, "tier": tier.name, "reason": reason},
        )
        actions.append(Notify(ticket.id, notification))

    def consult(
        self,
        ticket: Ticket,
        *,
        by: Actor,
        now: datetime,
        reason: str,
        supervisor: str | None = None,
    ) -> TicketUpdate:
        """Ask a supervisor for help without moving the ticket; recorded in the history.

        The notification goes to ``supervisor`` or, without one, to the top tier's queue.

        Raises:
            InvalidInputError: No reason, an argument has the wrong type or is
                out of range (the error names it), or ``now`` is earlier than the
                ticket's last change.
            InvalidTransitionError: The ticket is closed.
        """
        now = self._check_ticket(ticket, now)
        _check_actor(by)
        if not _text(reason, "reason", allow_empty=True).strip():
            raise InvalidInputError("a consult needs a reason", field="reason")
        check_optional_text(supervisor, "supervisor")
        self._refuse_if_closed(ticket, "consult")
        # validated: from here on the ticket changes
        first = len(ticket.history)
        sla_events = self._settle(ticket, now) if ticket.sla else ()
        to = supervisor or f"queue:{self.settings.tiers[-1].queue}"
        ticket.history.record(now, ticket.id, by.id, "consult", "", None, to, reason)
        notification = Notification(
            channel=NotificationChannel.IN_APP,
            to=to,
            subject=f"{by.id} asks for help on ticket {ticket.id}",
            body=reason,
            template="ticket_consult",
            data={"ticket_id": ticket.id, "agent": by.id},
        )
        actions = (Notify(ticket.id, notification),)
        return self._result(ticket, actions, sla_events, first)

    def _escalate_by_fields(
        self, ticket: Ticket, now: datetime, actions: list[TicketAction]
    ) -> None:
        """Fire the priority, customer-tier, keyword and reopen-count rules that hold."""
        fired = [
            rule
            for rule in self.settings.escalation_rules
            if rule.name not in ticket.fired_rules and rule.matches_ticket(ticket)
        ]
        self._fire(ticket, fired, now, actions)

    def _fire(
        self,
        ticket: Ticket,
        rules: list[EscalationRule],
        now: datetime,
        actions: list[TicketAction],
    ) -> None:
        if not rules:
            return
        ticket.fired_rules = ticket.fired_rules | {rule.name for rule in rules}
        best = max(rules, key=lambda rule: self._tiers[rule.to_tier])
        if self._tiers[best.to_tier] > self._tiers[ticket.tier]:
            tier = self.settings.tiers[self._tiers[best.to_tier]]
            reason = f"rule {best.name!r}"
            self._to_tier(ticket, tier, SYSTEM, now, "escalate", reason, actions)

    # --- SLA clocks ------------------------------------------------------------------------

    def _paused(self, ticket: Ticket, policy: SlaPolicy, metric: str) -> bool:
        """Tell whether the clock of ``metric`` waits in the ticket's state (per target rules)."""
        known = self._pauses.get((policy.name, ticket.workflow, ticket.state, metric))
        if known is not None:
            return known
        return self._pauses_in(policy, self._flows[ticket.workflow], ticket.state, metric)

    def _pauses_in(self, policy: SlaPolicy, flow: Workflow, state: str, metric: str) -> bool:
        """Tell whether the clock of ``metric`` waits in ``state`` (own rule, or the policy's)."""
        own = self._meters[policy.name].own_pauses.get(metric)
        if own is not None:
            return state in own
        return flow.state(state).pauses_sla or state in policy.pause_states

    def _settle(self, ticket: Ticket, now: datetime) -> tuple[Event, ...]:
        """Report the warnings and breaches reached by ``now`` (before any change)."""
        return tuple(self._meters[ticket.sla_policy or ""].settle(ticket.id, ticket.sla, now)[0])

    def _select_sla(self, ticket: Ticket, now: datetime, *, new: bool = False) -> None:
        """Choose the first matching policy; a newly applying one counts from the history.

        Its clocks hold what they would hold had the policy applied from the
        start (Zendesk keeps its metrics running whether or not a policy
        applies): the ticket's history says when it was in which state and
        when it was answered. What a target already reported stays reported.
        """
        policy = next((p for p in self.settings.sla_policies if p.conditions.matches(ticket)), None)
        name = None if policy is None else policy.name
        if name == ticket.sla_policy:
            return
        if ticket.sla_policy is not None:
            old = self._meters[ticket.sla_policy]
            for running in ticket.sla.values():
                old.pause(running, now=now)
        self._set(ticket, now, SYSTEM, "sla", "sla_policy", name)
        if policy is None:
            ticket.sla = {}
            return
        done = self._category(ticket) in _DONE
        clocks = self._clocks_of(ticket, policy, new=new, done=done)
        ticket.sla = clocks
        if not done and not new:  # a new ticket's clocks already run where they should
            for metric, clock in clocks.items():
                if not self._paused(ticket, policy, metric):
                    SlaMeter.resume(clock, now=now)

    def _clocks_of(
        self, ticket: Ticket, policy: SlaPolicy, *, new: bool, done: bool
    ) -> dict[str, SlaClock]:
        """The clocks of a policy that newly applies to the ticket."""
        if new:  # a ticket being created has no history to replay: fresh clocks
            now = ticket.created_at
            clocks = {}
            waits = self._waits.get((policy.name, ticket.workflow, ticket.state))
            paused = waits[1] if waits is not None else None  # as _paused says, worked out
            for metric, goal in self._goals[policy.name]:
                # next response waits for a customer reply; time to own ends once owned
                waiting = (
                    done
                    or metric == "next_response"
                    or (metric == "time_to_own" and ticket.assignee is not None)
                )
                runs = not waiting and not (
                    metric in paused if paused is not None else self._paused(ticket, policy, metric)
                )
                clocks[metric] = SlaClock(
                    metric=metric, goal=goal, since=now if runs else None, stopped=waiting
                )
            return clocks
        clocks = replay_clocks(ticket, self._flows[ticket.workflow], self._meters[policy.name])
        for metric, clock in clocks.items():
            kept = ticket.sla.get(metric)
            if kept is not None:  # what this target already reported stays reported
                clock.warned, clock.breached, clock.cycle = kept.warned, kept.breached, kept.cycle
        return clocks

    def _sla_after_move(  # noqa: C901 - apply's hot path
        self, ticket: Ticket, *, was_done: bool, now: datetime
    ) -> None:
        meter = self._meters[ticket.sla_policy or ""]
        key = (meter.policy.name, ticket.workflow, ticket.state)
        waits = self._waits.get(key)
        if waits is None:  # a policy of no target, or a hand-made ticket: ask
            waits = (self._category(ticket) in _DONE, None)
        if waits[0]:  # resolved or closed
            for clock in ticket.sla.values():
                meter.pause(clock, now=now)
                clock.stopped = True
            return
        if was_done:
            resolution = ticket.sla.get(_RESOLUTION)
            if resolution is not None:
                resolution.stopped = False  # a reopened ticket's resolution clock runs on
        waiting = waits[1]
        targets = self._goal_names.get(key[0], frozenset())
        for metric, clock in ticket.sla.items():
            if waiting is None or metric not in targets:
                # a clock its policy has no target for (a hand-made ticket)
                paused = self._paused(ticket, meter.policy, metric)
            else:
                paused = metric in waiting
            if paused:
                if clock.since is not None:  # else pause changes nothing
                    meter.pause(clock, now=now)
            elif clock.since is None and not clock.stopped:  # SlaMeter.resume, inlined
                clock.since = now

    def _start_next_response(self, ticket: Ticket, now: datetime) -> None:
        if ticket.first_response_at is not None:
            self._start_cycle(ticket, SlaMetric.NEXT_RESPONSE.value, now)

    def _owner_changed(self, ticket: Ticket, now: datetime) -> None:
        """Time to own: an assignment ends the wait, losing the assignee starts one."""
        clock = ticket.sla.get(SlaMetric.TIME_TO_OWN.value)
        if clock is None:
            return
        if ticket.assignee is None:
            self._start_cycle(ticket, clock.metric, now)
        elif not clock.stopped:
            self._meters[ticket.sla_policy or ""].pause(clock, now=now)
            clock.stopped = True

    def _start_cycle(self, ticket: Ticket, metric: str, now: datetime) -> None:
        """Start a new cycle of a stopped clock (next response, time to own)."""
        clock = ticket.sla.get(metric)
        if clock is None or not clock.stopped or self._category(ticket) in _DONE:
            return
        meter = self._meters[ticket.sla_policy or ""]
        if clock.elapsed or clock.breached or clock.warned:
            clock.cycle += 1  # the clock has counted a cycle before: start a new one
        clock.elapsed = timedelta(0)
        clock.warned = ()
        clock.breached = False
        clock.stopped = False
        if not self._paused(ticket, meter.policy, clock.metric):
            meter.resume(clock, now=now)

    def sla_elapsed(self, ticket: Ticket, metric: SlaMetric, *, now: datetime) -> timedelta | None:
        """Return how much of a target's time has elapsed at ``now`` (``None``: no such clock).

        Raises:
            InvalidInputError: An argument has the wrong type or is out of range,
                or the engine does not know the ticket's SLA policy.
        """
        if not isinstance(ticket, Ticket):
            raise InvalidInputError(
                f"ticket must be a Ticket, got {type(ticket).__name__}", field="ticket"
            )
        self._check_known(ticket)
        check_enum(metric, SlaMetric, "metric")
        check_instant(now, "now")
        clock = ticket.sla.get(metric.value)
        if clock is None:
            return None
        return self._meters[ticket.sla_policy or ""].elapsed(clock, now=now)

    def sla_status(self, ticket: Ticket, *, now: datetime) -> tuple[SlaStatus, ...]:
        """Return where each target of the ticket's SLA policy stands at ``now``.

        One :class:`SlaStatus` per target, in the policy's order: time counted
        and remaining, breached or not, running, paused or stopped, when it
        breaches, and the cycles already over (as Jira Service Management
        reports ``completedCycles`` and ``ongoingCycle``). A query: nothing
        changes. The cycles over are read from the history, on the policy's
        calendar, as a policy that newly applies counts them.

        Raises:
            InvalidInputError: An argument has the wrong type or is out of
                range, ``now`` is earlier than the ticket's last change, or the
                engine does not know the ticket.
        """
        now = self._check_ticket(ticket, now)
        if ticket.sla_policy is None:
            return ()
        meter = self._meters[ticket.sla_policy]
        flow = self._flows[ticket.workflow]
        found = []
        for target in meter.policy.targets:
            clock = ticket.sla.get(target.metric.value)
            if clock is None:
                continue
            elapsed = meter.elapsed(clock, now=now)
            breached = clock.breached or elapsed >= clock.goal
            running = clock.since is not None
            breach_at = meter.instant(clock, clock.goal) if running and not breached else None
            cycles = tuple(
                SlaCycle(start, end, counted, clock.goal, counted >= clock.goal)
                for start, end, counted in completed_cycles(ticket, flow, meter, target.metric)
            )
            found.append(
                SlaStatus(
                    metric=target.metric, goal=clock.goal, elapsed=elapsed,
                    remaining=clock.goal - elapsed, breached=breached, running=running,
                    paused=not running and not clock.stopped, stopped=clock.stopped,
                    breach_at=breach_at, cycle=clock.cycle, completed=cycles,
                )
            )  # fmt: skip
        return tuple(found)

    # --- the passing of time -----------------------------------------------------------------

    def tick(self, ticket: Ticket, *, now: datetime) -> TicketUpdate:
        """Let time pass: SLA warnings and breaches, SLA escalations, due follow-ups, auto-close.

        Call it at :meth:`next_deadline` (or periodically); calling it again at
        the same time reports nothing new.

        Raises:
            InvalidInputError: ``now`` is not an aware datetime in range, or is
                earlier than the ticket's last change; or the ticket is not one
                this engine knows.
        """
        now = self._check_ticket(ticket, now)
        # validated: from here on the ticket changes
        first = len(ticket.history)
        sla_events = self._settle(ticket, now) if ticket.sla else ()
        actions: list[TicketAction] = []
        if ticket.sla and self.settings.escalation_rules:
            self._escalate_by_sla(ticket, now, actions)
        if ticket.follow_up_due is not None and ticket.follow_up_due <= now:
            due = ticket.follow_up_due
            self._set(ticket, now, SYSTEM, "follow_up_due", "follow_up_due", None)
            actions.append(FollowUpDue(ticket.id, due, ticket.assignee))
        if ticket.state in self._timeouts:
            self._pending_timeout(ticket, now, actions)
        if self.settings.automations:
            self._automate(ticket, now, actions)
        flow = self._flows[ticket.workflow]
        closing = self._auto_close_at(ticket)
        if closing is not None and closing <= now:
            note = f"closed automatically, resolved since {ticket.resolved_at:%Y-%m-%d %H:%M}"
            if self.can_apply(ticket, flow.auto_close_transition, by=SYSTEM, note=note) is None:
                step = self._steps[flow.name, ticket.state, flow.auto_close_transition]
                if now < step.latest:  # its follow-up, if any, falls due in range
                    self._move(ticket, step, SYSTEM, now, note, None, actions)
        return self._result(ticket, tuple(actions), sla_events, first)

    # --- automations ----------------------------------------------------------------------

    @staticmethod
    def _entered(ticket: Ticket) -> datetime:
        """When the ticket entered its current state."""
        rows = ticket.history._rows  # noqa: SLF001 - the engine owns its tickets' history
        return next((row[0] for row in reversed(rows) if row[4] == "state"), ticket.created_at)

    def _holds_now(self, ticket: Ticket, conditions: AutomationConditions) -> bool:
        """Whether the conditions that do not wait for time hold."""
        breached = any(clock.breached for clock in ticket.sla.values())
        return (
            self._category(ticket) is not StateCategory.CLOSED
            and (not conditions.states or ticket.state in conditions.states)
            and (not conditions.tiers or ticket.tier in conditions.tiers)
            and (not conditions.tags or not conditions.tags.isdisjoint(ticket.tags))
            and (conditions.sla_breached is None or conditions.sla_breached is breached)
        )

    def _holds_from(self, ticket: Ticket, conditions: AutomationConditions) -> datetime | None:
        """From when the conditions hold, if they hold apart from time (``None``: not)."""
        if not self._holds_now(ticket, conditions):
            return None
        since = ticket.created_at
        if conditions.age is not None:
            since = max(since, ticket.created_at + conditions.age)
        if conditions.in_state_for is not None:
            since = max(since, self._entered(ticket) + conditions.in_state_for)
        return since

    def _automate(self, ticket: Ticket, now: datetime, actions: list[TicketAction]) -> None:
        """Fire the automations whose conditions hold and that have not fired since they do."""
        for automation in self.settings.automations:
            since = self._holds_from(ticket, automation.conditions)
            if since is None or since > now or automation.marker in ticket.fired_rules:
                continue
            ticket.fired_rules = ticket.fired_rules | {automation.marker}
            self._act(ticket, automation, now, actions)

    def _rearm(self, ticket: Ticket) -> None:
        """Forget that an automation fired once its conditions stop holding (it may fire again)."""
        for automation in self.settings.automations:
            marker = automation.marker
            if (
                marker in ticket.fired_rules
                and self._holds_from(ticket, automation.conditions) is None
            ):
                ticket.fired_rules = ticket.fired_rules - {marker}

    def _act(
        self, ticket: Ticket, automation: Automation, now: datetime, actions: list[TicketAction]
    ) -> None:
        reason = f"automation {automation.name!r}"
        if automation.add_tags and not automation.add_tags <= ticket.tags:
            tags = ticket.tags | automation.add_tags
            ticket.history.record(
                now, ticket.id, SYSTEM.id, "automation", "tags",
                ",".join(sorted(ticket.tags)), ",".join(sorted(tags)), reason,
            )  # fmt: skip
            ticket.tags = tags
        if automation.escalate_to is not None:
            rank = self._tiers[automation.escalate_to]
            if rank > self._tiers[ticket.tier]:
                tier = self.settings.tiers[rank]
                self._to_tier(ticket, tier, SYSTEM, now, "escalate", reason, actions)
        if automation.notify is not None:
            spec = ActionSpec(ActionKind.NOTIFY, to=automation.notify, template="automation")
            actions.append(Notify(ticket.id, self._notice(ticket, spec)))
        if automation.transition is not None:
            step = self._steps.get((ticket.workflow, ticket.state, automation.transition))
            if (
                step is not None
                and now < step.latest
                and all(check(ticket, SYSTEM, reason) for check in step.checks)
            ):
                self._move(ticket, step, SYSTEM, now, reason, None, actions)

    def _automation_times(self, ticket: Ticket, last: datetime) -> list[datetime]:
        """When the automations not yet fired will fire, as :meth:`tick` fires them."""
        return [
            max(since, last)
            for automation in self.settings.automations
            if automation.marker not in ticket.fired_rules
            and (since := self._holds_from(ticket, automation.conditions)) is not None
        ]

    def _pending_times(self, ticket: Ticket) -> tuple[datetime | None, datetime | None]:
        """When the ticket's pending timeout reminds (if not yet) and times out, if it does."""
        timeout, hours = self._timeouts[ticket.state]
        rows = ticket.history._rows  # noqa: SLF001 - the engine owns its tickets' history
        reminded = False
        entered = ticket.created_at
        for row in reversed(rows):  # back to the entry into this state
            if row[4] == "state":
                entered = row[0]
                break
            reminded = reminded or row[3] == "pending_reminder"
        remind = None
        if timeout.remind_after is not None and not reminded:
            remind = _after_business_time(hours, entered, timeout.remind_after)
        step = self._steps.get((ticket.workflow, ticket.state, timeout.transition))
        note = "no reply from the customer"
        if step is None or not all(check(ticket, SYSTEM, note) for check in step.checks):
            return remind, None  # it cannot be applied here: never times out
        return remind, _after_business_time(hours, entered, timeout.after)

    def _pending_timeout(self, ticket: Ticket, now: datetime, actions: list[TicketAction]) -> None:
        """Time a waiting ticket out, or remind its customer, when due."""
        timeout, _ = self._timeouts[ticket.state]
        remind, expire = self._pending_times(ticket)
        if expire is not None and expire <= now:
            step = self._steps[ticket.workflow, ticket.state, timeout.transition]
            if now < step.latest:
                note = f"no reply from the customer since {timeout.state!r} was entered"
                self._move(ticket, step, SYSTEM, now, note, None, actions)
        elif remind is not None and remind <= now:
            ticket.history.record(now, ticket.id, SYSTEM.id, "pending_reminder", "", None, None)
            notification = Notification(
                channel=timeout.channel,
                to=ticket.customer,
                subject=f"We are waiting for your reply on {ticket.subject!r}",
                template="pending_reminder",
                data={"ticket_id": ticket.id},
            )
            actions.append(Notify(ticket.id, notification))

    def _auto_close_at(self, ticket: Ticket) -> datetime | None:
        after = self._auto_close.get((ticket.workflow, ticket.state))
        if after is None or ticket.resolved_at is None:
            return None
        return ticket.resolved_at + after

    def _escalate_by_sla(self, ticket: Ticket, now: datetime, actions: list[TicketAction]) -> None:
        meter = self._meters[ticket.sla_policy or ""]
        fired: list[EscalationRule] = []
        for rule in self.settings.escalation_rules:
            if rule.name in ticket.fired_rules:
                continue
            if rule.trigger not in _SLA_TRIGGERS:
                continue
            for clock in ticket.sla.values():
                if rule.metric is not None and rule.metric.value != clock.metric:
                    continue
                if clock.stopped:
                    continue  # a met target, a resolved or closed ticket: never escalated
                if rule.trigger is EscalationTrigger.SLA_BREACH:
                    hit = clock.breached
                else:
                    hit = meter.elapsed(clock, now=now) >= clock.goal * rule.fraction
                if hit:
                    fired.append(rule)
                    break
        self._fire(ticket, fired, now, actions)

    def next_deadline(self, ticket: Ticket) -> datetime | None:
        """Return the earliest instant at which ``tick(ticket, now=...)`` has something to do.

        A tick before it does nothing; a tick at it reports an SLA warning or
        breach, fires an SLA escalation rule, puts a due follow-up in front of
        its agent or closes the resolved ticket. The instant is never earlier
        than the ticket's last change (a tick cannot be): what is already due
        is due then. :attr:`Ticket.next_due` holds the same instant, kept up
        to date by every call, for stores to index.

        Returns:
            The instant, or ``None`` when nothing will be due until another call
            changes the ticket (an instant after the last one callcore accepts,
            the end of 2999, is never reached either).

        Raises:
            InvalidInputError: The engine does not know the ticket's workflow,
                state, tier or SLA policy.
        """
        if not isinstance(ticket, Ticket):
            raise InvalidInputError(
                f"ticket must be a Ticket, got {type(ticket).__name__}", field="ticket"
            )
        self._check_known(ticket)
        return self._next_deadline(ticket)

    def _next_deadline(self, ticket: Ticket) -> datetime | None:
        """Mirror :meth:`tick`: the first instant, from the last change on, it acts."""
        last = _last_change(ticket)
        closing = self._closing_at(ticket, last)
        due = ticket.follow_up_due
        if ticket.state in self._timeouts:
            waits = [t for t in self._pending_times(ticket) if t is not None and t < LATEST]
            due = min([*waits, due] if due is not None else waits, default=None)
        if self.settings.automations:
            waits = [t for t in self._automation_times(ticket, last) if t < LATEST]
            due = min([*waits, due] if due is not None else waits, default=None)
        if not ticket.sla:  # the common case: at most a follow-up or an auto-close
            first = due if closing is None else closing if due is None else min(due, closing)
            return None if first is None else max(first, last)
        meter = self._meters[ticket.sla_policy or ""]
        first_sla = meter.earliest(ticket.sla.values(), last=last)
        times = [] if first_sla is None or first_sla >= LATEST else [first_sla]
        if self.settings.escalation_rules:
            times.extend(t for t in self._rule_deadlines(ticket, meter, last) if t < LATEST)
        if due is not None:
            times.append(due)
        if closing is not None:
            times.append(closing)
        return max(min(times), last) if times else None

    def _closing_at(self, ticket: Ticket, last: datetime) -> datetime | None:
        """When :meth:`tick` will close the resolved ticket by itself (not before ``last``)."""
        closing = self._auto_close_at(ticket)
        if closing is None:
            return None
        flow = self._flows[ticket.workflow]
        step = self._steps.get((flow.name, ticket.state, flow.auto_close_transition))
        if step is None or max(closing, last) >= step.latest:
            return None  # not available here, or too late for its follow-up: never
        if not all(check(ticket, SYSTEM, "closed automatically") for check in step.checks):
            return None  # a guard refuses it until another call changes the ticket
        return max(closing, last)

    def _rule_deadlines(self, ticket: Ticket, meter: SlaMeter, last: datetime) -> list[datetime]:
        """When the SLA escalation rules not yet fired will fire (as :meth:`tick` fires them).

        A breach rule fires at the tick that reports the breach (the clock's own
        deadline), or at the next tick once the breach was reported by another
        call; an at-risk rule when its fraction of the goal has elapsed.
        """
        times = []
        for rule in self.settings.escalation_rules:
            if rule.name in ticket.fired_rules or rule.trigger not in _SLA_TRIGGERS:
                continue
            for clock in ticket.sla.values():
                if rule.metric is not None and rule.metric.value != clock.metric:
                    continue
                if clock.stopped:
                    continue  # as tick: a stopped clock never escalates
                if rule.trigger is EscalationTrigger.SLA_BREACH:
                    if clock.breached:
                        times.append(last)
                    continue
                threshold = clock.goal * rule.fraction
                if meter.elapsed(clock, now=last) >= threshold:
                    times.append(last)
                elif clock.since is not None and (t := meter.instant(clock, threshold)):
                    times.append(t)
        return times

    # --- surveys ---------------------------------------------------------------------------------

    def record_survey(
        self, ticket: Ticket, *, now: datetime, score: int, comment: str = ""
    ) -> TicketUpdate:
        """Record the customer's answer to the satisfaction survey (CSAT 1-5).

        A ticket has one survey (Zendesk's satisfaction rating is offered once
        per ticket): it is sent at the first close, and its answer is accepted
        whenever it comes, even after the ticket was reopened; closing again
        sends none.

        Raises:
            InvalidInputError: The score is not a whole number from 1 to 5 (3.5
                is refused), the comment is not a text, or ``now`` is earlier
                than the ticket's last change.
            InvalidTransitionError: No survey was sent and the ticket is not
                closed, or the ticket was already rated.
        """
        now = self._check_ticket(ticket, now)
        given: object = score
        if isinstance(given, bool) or not isinstance(given, int) or not 1 <= given <= 5:
            raise InvalidInputError(
                f"a CSAT score is a whole number from 1 to 5, got {shown(given)}", field="score"
            )
        _text(comment, "comment", allow_empty=True)
        if self._category(ticket) is not StateCategory.CLOSED and not self._surveys_sent(ticket):
            raise InvalidTransitionError(
                ticket.state, "record a survey", "no survey was sent and the ticket is not closed"
            )
        if ticket.survey is not None:
            raise InvalidTransitionError(
                ticket.state, "record a survey", "the customer already answered"
            )
        # validated: from here on the ticket changes
        first = len(ticket.history)
        ticket.survey = SurveyAnswer(score, now, comment)
        ticket.history.record(
            now, ticket.id, ticket.customer, "survey", "survey", None, score, comment
        )
        return self._result(ticket, (), (), first)

    # --- macros ----------------------------------------------------------------------------------

    def apply_macro(
        self,
        ticket: Ticket,
        macro: str | Macro,
        *,
        by: Actor,
        now: datetime,
        values: Mapping[str, str] | None = None,
    ) -> TicketUpdate:
        """Apply a macro: set fields, add the reply, apply the transition; all or nothing.

        Args:
            ticket: The ticket (changed in place only if every step succeeds).
            macro: The macro or its name.
            by: Who applies it (``{agent}`` in templates).
            now: The current time.
            values: Extra template values, such as ``customer_name``.

        Raises:
            InvalidInputError: Unknown macro, a template value is missing, an
                argument has the wrong type, or ``now`` is earlier than the
                ticket's last change.
            InvalidTransitionError: The transition is refused.
        """
        now = self._check_ticket(ticket, now)
        _check_actor(by)
        if not isinstance(macro, str | Macro):
            raise InvalidInputError(
                f"macro must be a Macro or its name, got {type(macro).__name__}", field="macro"
            )
        chosen = self.macro(macro) if isinstance(macro, str) else macro
        if values is not None:
            render_template("", values)  # checks that values maps names to texts
        draft = ticket.copy()  # every step runs on a copy; the ticket changes only at the end
        first = len(ticket.history)
        actions: list[TicketAction] = []
        assignee = by.id if chosen.assign_to_actor else UNSET
        queue = UNSET if chosen.queue is None else chosen.queue
        update = self.update(
            draft, by=by, now=now, priority=chosen.priority, assignee=assignee, queue=queue,
            add_tags=chosen.add_tags, remove_tags=chosen.remove_tags, fields=chosen.fields,
            reason=f"macro {chosen.name!r}",
        )  # fmt: skip
        sla_events = update._span[0]  # noqa: SLF001 - later steps report nothing new
        actions.extend(update.actions)
        template_values = {
            "ticket_id": draft.id, "subject": draft.subject, "customer": draft.customer,
            "agent": by.id, "priority": draft.priority.value, "state": draft.state,
            "queue": draft.queue or "", **(values or {}),
        }  # fmt: skip
        if chosen.reply:
            text = render_template(chosen.reply, template_values)
            actions.extend(self.reply(draft, by=by, now=now, text=text).actions)
        if chosen.transition is not None:
            note = render_template(chosen.note, template_values) if chosen.note else ""
            actions.extend(self.apply(draft, chosen.transition, by=by, now=now, note=note).actions)
        for field in attrs.fields(Ticket):
            setattr(ticket, field.name, getattr(draft, field.name))
        return self._result(ticket, tuple(actions), sla_events, first)
