"""Configuration values of the ACD: queues, agents, memberships, escalation rules."""

# cattrs reads these annotations at run time, so their imports stay at run time.
from __future__ import annotations

import enum
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import timedelta
from typing import Any, cast

import attrs

from callcore.checks import (
    MAX_DURATION,
    MAX_TEXT,
    check_count,
    check_duration,
    check_enum,
    check_instance,
    check_number,
    check_text,
    shown,
    validator,
)
from callcore.contacts import (
    MAX_SKILL_LEVEL,
    MAX_SKILLS,
    MIN_SKILL_LEVEL,
    Channel,
    Skills,
    check_skills,
    plainly_skills,
)
from callcore.errors import InvalidInputError

__all__ = [
    "AgentProfile",
    "ContactStatus",
    "DeclineReason",
    "EmptyCondition",
    "Membership",
    "NotReadyReason",
    "Overflow",
    "OverflowAction",
    "QueueConfig",
    "QueueEscalation",
    "RejectReason",
]

MAX_RULES = 100
"""The most escalation rules one queue may have."""
MAX_NUMBER = 1_000_000_000
"""The largest tier, position, capacity, queue length or priority (and the most
negative position or priority)."""
_ZERO = timedelta(0)


def _type_name(value: object) -> str:
    return type(value).__name__


def _check_skill_name(name: object, what: str) -> None:
    try:
        check_text(name, f"a skill name in {what}")
    except InvalidInputError as error:
        raise InvalidInputError(str(error), field=what) from None


def _skill_map(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_skills(value, attribute.name)


def _optional(check: Any, **options: Any) -> Any:  # noqa: ANN401 - an attrs validator
    """An attrs validator that lets ``None`` through and checks anything else."""

    def run(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            check(value, attribute.name, **options)

    return run


def _flag(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidInputError(
            f"{attribute.name} must be true or false, got {_type_name(value)}",
            field=attribute.name,
        )


def _items_of(cls: type, limit: int | None = None) -> Any:  # noqa: ANN401 - an attrs validator
    """An attrs validator: a tuple of ``cls`` instances (at most ``limit``)."""

    def run(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        name = attribute.name
        if not isinstance(value, tuple):
            raise InvalidInputError(
                f"{name} must be a list of {cls.__name__}, got {_type_name(value)}", field=name
            )
        if limit is not None and len(value) > limit:
            raise InvalidInputError(
                f"{name} has {len(value)} items; the limit is {limit}", field=name
            )
        for index, item in enumerate(value):
            if not isinstance(item, cls):
                raise InvalidInputError(
                    f"{name}[{index}] must be a {cls.__name__}, got {_type_name(item)}",
                    field=f"{name}[{index}]",
                )

    return run


def _rules(value: Sequence[QueueEscalation]) -> tuple[QueueEscalation, ...]:
    """A list of rules becomes a tuple; anything else is left for the validator to judge."""
    return tuple(value) if isinstance(value, list) else value  # type: ignore[return-value]


def _frozen(value: object) -> object:
    """A list, tuple or set becomes a frozenset; anything else is left for the validator.

    A list or tuple holding an unhashable item (a nested list) becomes a tuple,
    so the validator refuses it naming the field instead of ``frozenset``
    raising a ``TypeError``.
    """
    if isinstance(value, list | tuple | set):
        try:
            return frozenset(value)
        except TypeError:
            return tuple(value)
    return value


def _conditions(value: Collection[EmptyCondition]) -> frozenset[EmptyCondition]:
    """A list, tuple or set of conditions becomes a frozenset; anything else is left as it is."""
    return _frozen(value)  # type: ignore[return-value]


def _condition_set(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    name = attribute.name
    if not isinstance(value, frozenset):
        raise InvalidInputError(
            f"{name} must be a set of EmptyCondition, got {_type_name(value)}", field=name
        )
    for item in value:
        if not isinstance(item, EmptyCondition):
            raise InvalidInputError(
                f"{name} holds {_type_name(item)}; it must hold EmptyCondition members",
                field=name,
            )


def _memberships(value: Sequence[Membership]) -> tuple[Membership, ...]:
    """A list of memberships becomes a tuple; anything else is left for the validator."""
    return tuple(value) if isinstance(value, list) else value  # type: ignore[return-value]


def _skill_set(value: Collection[str]) -> frozenset[str]:
    """A list, tuple or set of names becomes a frozenset.

    Anything else is left for the validator (a string is not split into letters).
    """
    return _frozen(value)  # type: ignore[return-value]


def _skill_names(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    name = attribute.name
    if not isinstance(value, frozenset):
        raise InvalidInputError(
            f"{name} must be a set of skill names, got {_type_name(value)}", field=name
        )
    if len(value) > MAX_SKILLS:
        raise InvalidInputError(
            f"{name} names {len(value)} skills; the limit is {MAX_SKILLS}", field=name
        )
    for skill in value:
        _check_skill_name(skill, name)


def _capacity(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    name = attribute.name
    if not isinstance(value, Mapping):
        raise InvalidInputError(
            f"{name} must be a mapping of Channel to a number of contacts, got {_type_name(value)}",
            field=name,
        )
    for channel, count in value.items():
        if not isinstance(channel, Channel):
            raise InvalidInputError(
                f"{name} keys must be Channel members (Channel.VOICE...), got {shown(channel)}",
                field=name,
            )
        check_count(count, f"{name}.{channel.value}", high=MAX_NUMBER)


_Checks = tuple[tuple[str, Callable[[Any, Any, Any], None]], ...]
"""Each field's thorough check, as attrs validators, in field order."""


def _check_fields(instance: object, checks: _Checks) -> None:
    """Run each field's thorough check; the first that fails names its field."""
    fields = attrs.fields_dict(type(instance))  # type: ignore[arg-type] # an attrs class
    for name, check in checks:
        check(instance, fields[name], getattr(instance, name))


_FACTORY: Any = attrs.NOTHING
"""The default of a field whose default is made per instance (shown as attrs shows it)."""


def _slot_setters(cls: type) -> tuple[Callable[[object, object], None], ...]:
    """Each field's slot setter, in field order.

    The constructors below are written by hand (attrs' frozen ``__init__`` sets
    each field through ``object.__setattr__``, then the check reads them all
    back): they look at their arguments and set the slots directly.
    """
    return tuple(cls.__dict__[field.name].__set__ for field in attrs.fields(cls))


# A quick look at the usual values (exact types, plain ASCII text); anything it
# does not recognise goes through the thorough check, which accepts or names it.


def _is_text(value: object) -> bool:
    return value.__class__ is str and 0 < len(value) <= MAX_TEXT and value.isascii()


def _is_count(value: object, low: int, high: int) -> bool:
    return value.__class__ is int and low <= value <= high


def _is_wait(value: object) -> bool:
    return value.__class__ is timedelta and _ZERO <= value <= MAX_DURATION


def _is_positive_wait(value: object) -> bool:
    return value.__class__ is timedelta and _ZERO < value <= MAX_DURATION


def _is_flag(value: object) -> bool:
    return value.__class__ is bool


def _is_capacity(value: object) -> bool:
    if value.__class__ is not dict:
        return False
    for channel, count in value.items():
        if not (channel.__class__ is Channel and _is_count(count, 0, MAX_NUMBER)):
            return False
    return True


def _are(items: object, cls: type, limit: int) -> bool:
    if items.__class__ is not tuple or len(items) > limit:
        return False
    for item in items:  # noqa: SIM110 - a loop is cheaper than all() over a generator
        if item.__class__ is not cls:
            return False
    return True


_text = validator(check_text)
_optional_text = _optional(check_text)
_tier = validator(check_count, low=1, high=MAX_NUMBER)
_optional_tier = _optional(check_count, low=1, high=MAX_NUMBER)
_wait = validator(check_duration)
_positive_wait = validator(check_duration, positive=True)
_optional_positive_wait = _optional(check_duration, positive=True)


class ContactStatus(enum.Enum):
    """Where a contact is in the router."""

    WAITING = "waiting"
    OFFERED = "offered"
    CONNECTED = "connected"


class NotReadyReason(enum.Enum):
    """Why an agent is not ready."""

    BREAK = "break"
    LUNCH = "lunch"
    TRAINING = "training"
    MEETING = "meeting"
    OTHER = "other"
    AUTO_PAUSED = "auto_paused"
    """Set by the router after too many offers in a row went unanswered."""
    PREVIEW = "preview"
    """Set by the centre while the agent previews an outbound campaign's record
    (held for that call, as Cisco UCCX reserves a previewing agent)."""


class DeclineReason(enum.Enum):
    """Why an agent turned an offer down (each starts its own delay)."""

    REJECTED = "rejected"
    BUSY = "busy"


class RejectReason(enum.Enum):
    """Why a queue refused a contact at the door."""

    QUEUE_FULL = "queue_full"
    NO_AGENTS = "no_agents"


class EmptyCondition(enum.Enum):
    """A member state that does not staff a queue when the door rules ask if it is empty.

    Asterisk app_queue's ``joinempty``/``leavewhenempty`` factors; a logged-out
    agent is never a member (Asterisk's ``unavailable``, ``invalid``, ``unknown``).
    """

    PAUSED = "paused"
    """Not ready (a break, auto-paused...)."""
    PENALTY = "penalty"
    """Its tier is above the queue's ``max_tier`` (not offered a new contact)."""
    IN_USE = "in_use"
    """A contact is connected to it."""
    RINGING = "ringing"
    """An offer rings it."""
    WRAP_UP = "wrap_up"
    """In wrap-up."""


class OverflowAction(enum.Enum):
    """Where a contact goes when it waited too long or its queue emptied."""

    QUEUE = "queue"
    """Move to another queue, keeping its original arrival time."""
    VOICEMAIL = "voicemail"
    """Leave the router; the host sends the caller to voicemail."""
    CALLBACK = "callback"
    """Become a callback request that keeps its place in the line."""


@attrs.frozen(kw_only=True, init=False)
class Overflow:
    """Where contacts go on overflow.

    Attributes:
        action: What happens to the contact.
        queue: The target queue when ``action`` is ``QUEUE``.
    """

    action: OverflowAction = OverflowAction.VOICEMAIL
    queue: str | None = None

    def __init__(
        self, *, action: OverflowAction = OverflowAction.VOICEMAIL, queue: str | None = None
    ) -> None:
        """Check the fields: a quick look, then the thorough check that names the one at fault."""
        _set_overflow_action(self, action)
        _set_overflow_queue(self, queue)
        if not (action.__class__ is OverflowAction and (queue is None or _is_text(queue))):
            _check_fields(self, _OVERFLOW_CHECKS)


_set_overflow_action, _set_overflow_queue = _slot_setters(Overflow)
_OVERFLOW_CHECKS: _Checks = (
    ("action", validator(check_enum, enum_type=OverflowAction)),
    ("queue", _optional_text),
)


@attrs.frozen(kw_only=True, init=False)
class QueueEscalation:
    """After a contact has waited ``after`` in a queue, widen who may take it.

    Rules of a queue apply cumulatively in order of ``after``; the clock starts
    when the contact joined the queue. One rule may do several things at once.

    Attributes:
        after: How long the contact must have waited in this queue.
        max_tier: Let agents up to this tier level take it (``None``: no change).
        skill_minimums: Lower (or raise) the minimum level of these skills.
        drop_skills: Stop requiring these skills.
        to_queue: Move the contact to this queue (its rules start over there).
    """

    after: timedelta
    max_tier: int | None = None
    skill_minimums: Skills = attrs.field(factory=dict)
    drop_skills: frozenset[str] = attrs.field(default=frozenset(), converter=_skill_set)
    to_queue: str | None = None

    def __init__(
        self,
        *,
        after: timedelta,
        max_tier: int | None = None,
        skill_minimums: Skills = _FACTORY,
        drop_skills: Collection[str] = frozenset(),
        to_queue: str | None = None,
    ) -> None:
        """Check the fields: a quick look, then the thorough check that names the one at fault."""
        if skill_minimums is _FACTORY:
            skill_minimums = {}
        drop_skills = _skill_set(drop_skills)
        _set_rule_after(self, after)
        _set_rule_max_tier(self, max_tier)
        _set_rule_skill_minimums(self, skill_minimums)
        _set_rule_drop_skills(self, drop_skills)
        _set_rule_to_queue(self, to_queue)
        if not (
            _is_wait(after)
            and (max_tier is None or _is_count(max_tier, 1, MAX_NUMBER))
            and plainly_skills(skill_minimums)
            and drop_skills.__class__ is frozenset
            and len(drop_skills) <= MAX_SKILLS
            and all(map(_is_text, drop_skills))
            and (to_queue is None or _is_text(to_queue))
        ):
            _check_fields(self, _RULE_CHECKS)


(
    _set_rule_after,
    _set_rule_max_tier,
    _set_rule_skill_minimums,
    _set_rule_drop_skills,
    _set_rule_to_queue,
) = _slot_setters(QueueEscalation)
_RULE_CHECKS: _Checks = (
    ("after", _wait),
    ("max_tier", _optional_tier),
    ("skill_minimums", _skill_map),
    ("drop_skills", _skill_names),
    ("to_queue", _optional_text),
)


_VOICEMAIL = Overflow()
_NO_CONDITIONS: frozenset[EmptyCondition] = frozenset()


def _plainly_conditions(value: object) -> bool:
    """The quick look: a frozenset of conditions (the thorough check names a fault)."""
    if value.__class__ is not frozenset:
        return False
    return all(item.__class__ is EmptyCondition for item in cast("frozenset[object]", value))


_LONGEST_IDLE = "longest_idle"
_OFFER_TIMEOUT = timedelta(seconds=15)
_NO_ANSWER_DELAY = timedelta(seconds=5)


@attrs.frozen(kw_only=True, init=False)
class QueueConfig:
    """One queue: who may take its contacts, in which order, and its limits.

    Attributes:
        name: Unique name of the queue.
        channel: The medium of its contacts.
        strategy: The name of the routing strategy (``longest_idle``...).
        required_skills: Skills every contact of this queue needs, with the
            minimum level (1..10).
        max_tier: Highest tier level offered at first (``None``: every tier;
            lower tiers are always offered first).
        max_length: Contacts beyond this many waiting are rejected.
        max_wait: A caller waiting this long overflows.
        max_wait_empty: Waiting contacts overflow once no member agent has
            been logged in for this long (with ``empty_when`` conditions, also
            once every logged-in member has been in a listed state this long).
        overflow: Where overflowing contacts go.
        join_when_empty: Accept contacts while no member is logged in.
        leave_when_empty: Let no contact wait while no member is logged in:
            waiting contacts overflow as soon as the last member logs out, and
            a contact entering the queue meanwhile overflows at once.
        empty_when: Member states that do not staff the queue: with
            ``join_when_empty`` false a new contact is rejected, and with
            ``leave_when_empty`` a contact entering goes on at once and the
            waiting contacts go on as the queue becomes so, while no logged-in
            member is free of all of them (Asterisk's ``joinempty`` and
            ``leavewhenempty`` factors; empty by default: any logged-in member
            staffs the queue).
        resume_abandoned: A caller who hangs up and is enqueued again in this
            queue with the same contact id within this long takes back its
            place (its first arrival); ``None`` (the default): never (FreeSWITCH
            mod_callcenter's ``abandoned-resume-allowed`` and
            ``discard-abandoned-after``).
        wrap_up: After-contact work time during which the agent gets no offer.
        offer_timeout: How long an offer rings before it times out.
        ring_count: How many agents a contact rings at once (1, the default:
            one at a time; ``None``: every free eligible agent), chosen by the
            strategy; the first to accept takes it and the others are withdrawn
            (Twilio TaskRouter's ``max_reserved_workers``). The ``ring_all``
            strategy rings every agent of its lowest tier whatever this says.
        no_answer_delay: No offer to an agent for this long after a time-out
            (5 s by default, Asterisk's ``retry``).
        reject_delay: ... after the agent rejected an offer.
        busy_delay: ... after the agent's device answered busy.
        max_no_answer: Time-outs in a row that make the agent not ready
            (``AUTO_PAUSED``); 0 never does (3 by default, as the agent in
            FreeSWITCH mod_callcenter's shipped configuration).
        escalation: Time-based rules that widen who may take a contact.
    """

    name: str
    channel: Channel = Channel.VOICE
    strategy: str = _LONGEST_IDLE
    required_skills: Skills = attrs.field(factory=dict)
    max_tier: int | None = None
    max_length: int | None = None
    max_wait: timedelta | None = None
    max_wait_empty: timedelta | None = None
    overflow: Overflow = _VOICEMAIL
    join_when_empty: bool = True
    leave_when_empty: bool = False
    empty_when: frozenset[EmptyCondition] = attrs.field(
        default=_NO_CONDITIONS, converter=_conditions
    )
    resume_abandoned: timedelta | None = None
    wrap_up: timedelta = _ZERO
    offer_timeout: timedelta = _OFFER_TIMEOUT
    ring_count: int | None = 1
    no_answer_delay: timedelta = _NO_ANSWER_DELAY
    reject_delay: timedelta = _ZERO
    busy_delay: timedelta = _ZERO
    max_no_answer: int = 3
    escalation: tuple[QueueEscalation, ...] = attrs.field(default=(), converter=_rules)

    def __init__(
        self,
        *,
        name: str,
        channel: Channel = Channel.VOICE,
        strategy: str = _LONGEST_IDLE,
        required_skills: Skills = _FACTORY,
        max_tier: int | None = None,
        max_length: int | None = None,
        max_wait: timedelta | None = None,
        max_wait_empty: timedelta | None = None,
        overflow: Overflow = _VOICEMAIL,
        join_when_empty: bool = True,
        leave_when_empty: bool = False,
        empty_when: Collection[EmptyCondition] = _NO_CONDITIONS,
        resume_abandoned: timedelta | None = None,
        wrap_up: timedelta = _ZERO,
        offer_timeout: timedelta = _OFFER_TIMEOUT,
        ring_count: int | None = 1,
        no_answer_delay: timedelta = _NO_ANSWER_DELAY,
        reject_delay: timedelta = _ZERO,
        busy_delay: timedelta = _ZERO,
        max_no_answer: int = 3,
        escalation: Sequence[QueueEscalation] = (),
    ) -> None:
        """Check the fields: a quick look, then the thorough check that names the one at fault."""
        if required_skills is _FACTORY:
            required_skills = {}
        if escalation.__class__ is not tuple:
            escalation = _rules(escalation)
        _set_queue_name(self, name)
        _set_queue_channel(self, channel)
        _set_queue_strategy(self, strategy)
        _set_queue_required_skills(self, required_skills)
        _set_queue_max_tier(self, max_tier)
        _set_queue_max_length(self, max_length)
        _set_queue_max_wait(self, max_wait)
        _set_queue_max_wait_empty(self, max_wait_empty)
        _set_queue_overflow(self, overflow)
        _set_queue_join_when_empty(self, join_when_empty)
        _set_queue_leave_when_empty(self, leave_when_empty)
        if empty_when.__class__ is not frozenset:
            empty_when = _conditions(empty_when)
        _set_queue_empty_when(self, empty_when)
        _set_queue_resume_abandoned(self, resume_abandoned)
        _set_queue_wrap_up(self, wrap_up)
        _set_queue_offer_timeout(self, offer_timeout)
        _set_queue_ring_count(self, ring_count)
        _set_queue_no_answer_delay(self, no_answer_delay)
        _set_queue_reject_delay(self, reject_delay)
        _set_queue_busy_delay(self, busy_delay)
        _set_queue_max_no_answer(self, max_no_answer)
        _set_queue_escalation(self, escalation)
        # The quick look of _is_text, _is_count, _is_wait... written out (a
        # function call costs as much as a field's check); a default value is
        # known to be right.
        usual = (
            name.__class__ is str
            and 0 < len(name) <= MAX_TEXT
            and name.isascii()
            and channel.__class__ is Channel
            and (
                strategy is _LONGEST_IDLE
                or (
                    strategy.__class__ is str
                    and 0 < len(strategy) <= MAX_TEXT
                    and strategy.isascii()
                )
            )
            and (
                (required_skills.__class__ is dict and not required_skills)
                or plainly_skills(required_skills)
            )
            and (max_tier is None or (max_tier.__class__ is int and 1 <= max_tier <= MAX_NUMBER))
            and (
                max_length is None
                or (max_length.__class__ is int and 1 <= max_length <= MAX_NUMBER)
            )
            and (
                max_wait is None
                or (max_wait.__class__ is timedelta and _ZERO < max_wait <= MAX_DURATION)
            )
            and (
                max_wait_empty is None
                or (
                    max_wait_empty.__class__ is timedelta and _ZERO < max_wait_empty <= MAX_DURATION
                )
            )
            and overflow.__class__ is Overflow
            and join_when_empty.__class__ is bool  # type: ignore[redundant-expr] # not to a caller
            and leave_when_empty.__class__ is bool  # type: ignore[redundant-expr] # not to a caller
            and (empty_when is _NO_CONDITIONS or _plainly_conditions(empty_when))
            and (
                resume_abandoned is None
                or (
                    resume_abandoned.__class__ is timedelta
                    and _ZERO < resume_abandoned <= MAX_DURATION
                )
            )
            and (
                wrap_up is _ZERO
                or (wrap_up.__class__ is timedelta and _ZERO <= wrap_up <= MAX_DURATION)
            )
            and (
                offer_timeout is _OFFER_TIMEOUT
                or (offer_timeout.__class__ is timedelta and _ZERO < offer_timeout <= MAX_DURATION)
            )
            and (ring_count is None or _is_count(ring_count, 1, MAX_NUMBER))
            and (
                no_answer_delay is _NO_ANSWER_DELAY
                or (
                    no_answer_delay.__class__ is timedelta
                    and _ZERO <= no_answer_delay <= MAX_DURATION
                )
            )
            and (
                reject_delay is _ZERO
                or (reject_delay.__class__ is timedelta and _ZERO <= reject_delay <= MAX_DURATION)
            )
            and (
                busy_delay is _ZERO
                or (busy_delay.__class__ is timedelta and _ZERO <= busy_delay <= MAX_DURATION)
            )
            and max_no_answer.__class__ is int
            and 0 <= max_no_answer <= MAX_NUMBER
            and escalation.__class__ is tuple
            and len(escalation) <= MAX_RULES
        )
        if usual:
            for rule in escalation:
                if rule.__class__ is not QueueEscalation:
                    usual = False
                    break
        if not usual:
            _check_fields(self, _QUEUE_CHECKS)


(
    _set_queue_name,
    _set_queue_channel,
    _set_queue_strategy,
    _set_queue_required_skills,
    _set_queue_max_tier,
    _set_queue_max_length,
    _set_queue_max_wait,
    _set_queue_max_wait_empty,
    _set_queue_overflow,
    _set_queue_join_when_empty,
    _set_queue_leave_when_empty,
    _set_queue_empty_when,
    _set_queue_resume_abandoned,
    _set_queue_wrap_up,
    _set_queue_offer_timeout,
    _set_queue_ring_count,
    _set_queue_no_answer_delay,
    _set_queue_reject_delay,
    _set_queue_busy_delay,
    _set_queue_max_no_answer,
    _set_queue_escalation,
) = _slot_setters(QueueConfig)
_QUEUE_CHECKS: _Checks = (
    ("name", _text),
    ("channel", validator(check_enum, enum_type=Channel)),
    ("strategy", _text),
    ("required_skills", _skill_map),
    ("max_tier", _optional_tier),
    ("max_length", _optional_tier),
    ("max_wait", _optional_positive_wait),
    ("max_wait_empty", _optional_positive_wait),
    ("overflow", validator(check_instance, cls=Overflow)),
    ("join_when_empty", _flag),
    ("leave_when_empty", _flag),
    ("empty_when", _condition_set),
    ("resume_abandoned", _optional_positive_wait),
    ("wrap_up", _wait),
    ("offer_timeout", _positive_wait),
    ("ring_count", _optional_tier),
    ("no_answer_delay", _wait),
    ("reject_delay", _wait),
    ("busy_delay", _wait),
    ("max_no_answer", validator(check_count, high=MAX_NUMBER)),
    ("escalation", _items_of(QueueEscalation, MAX_RULES)),
)


@attrs.frozen(kw_only=True, init=False)
class Membership:
    """An agent's place in one queue.

    Attributes:
        queue: The queue's name.
        tier: Tier level; lower levels are offered first (1 is the first).
        position: Order within the queue for ``linear``, ``top_down`` and
            ``round_robin`` (lower first; ties by agent id).
        weight: Relative chance under ``weighted_random`` (> 0).
        preference: The agent's preference for this queue among its queues
            (1 is the most preferred; up to ``MAX_NUMBER``): a freed agent takes
            a contact waiting in a more preferred queue before one waiting in a
            less preferred queue, whatever their priorities and waits (Amazon
            Connect's routing-profile queue priority; Asterisk's queue
            ``weight``, per agent). Equal preferences (the default, 1 for every
            queue) leave the global order alone.
        delay: How long a contact of this queue must have waited in it before
            it may be offered to this agent (zero to 100 years; default zero):
            Amazon Connect's routing-profile queue *delay*. The wait counts
            from when the contact entered the queue (its ``max_wait`` clock).
    """

    queue: str
    tier: int = 1
    position: int = 0
    weight: float = 1.0
    preference: int = 1
    delay: timedelta = _ZERO

    def __init__(
        self,
        *,
        queue: str,
        tier: int = 1,
        position: int = 0,
        weight: float = 1.0,
        preference: int = 1,
        delay: timedelta = _ZERO,
    ) -> None:
        """Check the fields: a quick look, then the thorough check that names the one at fault."""
        _set_membership_queue(self, queue)
        _set_membership_tier(self, tier)
        _set_membership_position(self, position)
        _set_membership_weight(self, weight)
        _set_membership_preference(self, preference)
        _set_membership_delay(self, delay)
        # The quick look of _is_text and _is_count, written out: a function call
        # costs as much as a field's check.
        if not (
            queue.__class__ is str
            and 0 < len(queue) <= MAX_TEXT
            and queue.isascii()
            and tier.__class__ is int
            and 1 <= tier <= MAX_NUMBER
            and position.__class__ is int
            and -MAX_NUMBER <= position <= MAX_NUMBER
            and weight.__class__ is float
            and 0 < weight < math.inf
            and preference.__class__ is int
            and 1 <= preference <= MAX_NUMBER
            and (
                delay is _ZERO or (delay.__class__ is timedelta and _ZERO <= delay <= MAX_DURATION)
            )
        ):
            _check_fields(self, _MEMBERSHIP_CHECKS)


(
    _set_membership_queue,
    _set_membership_tier,
    _set_membership_position,
    _set_membership_weight,
    _set_membership_preference,
    _set_membership_delay,
) = _slot_setters(Membership)


_MEMBERSHIP_CHECKS: _Checks = (
    ("queue", _text),
    ("tier", _tier),
    ("position", validator(check_count, low=-MAX_NUMBER, high=MAX_NUMBER)),
    ("weight", validator(check_number, low=0, low_open=True)),
    ("preference", _tier),
    ("delay", _wait),
)


def _default_capacity() -> dict[Channel, int]:
    return {Channel.VOICE: 1}


@attrs.frozen(kw_only=True, init=False)
class AgentProfile:
    """Who an agent is for routing, given at log-in.

    Attributes:
        agent_id: Unique id.
        skills: Skill names with proficiency levels 1..10.
        memberships: The queues the agent serves.
        capacity: How many contacts of each channel at once (missing: none).
        voice_exclusive: A voice contact is never held or offered alongside
            any other contact (on by default).
        wrap_up: The agent's own wrap-up after a contact, in place of the
            queue's ``wrap_up`` (``None``: the queue's), as an Asterisk
            member's ``wrapuptime`` or a FreeSWITCH agent's ``wrap-up-time``.
        no_answer_delay: The agent's own delay after a missed offer (``None``:
            the queue's), as FreeSWITCH's ``no-answer-delay-time``.
        reject_delay: The agent's own delay after a rejected offer (``None``:
            the queue's), as FreeSWITCH's ``reject-delay-time``.
        busy_delay: The agent's own delay after its device answered busy
            (``None``: the queue's), as FreeSWITCH's ``busy-delay-time``.
        max_no_answer: The agent's own count of missed offers in a row that
            pauses it (0: never; ``None``: the queue's), as FreeSWITCH's
            ``max-no-answer``.
    """

    agent_id: str
    skills: Skills = attrs.field(factory=dict)
    memberships: tuple[Membership, ...] = attrs.field(default=(), converter=_memberships)
    capacity: Mapping[Channel, int] = attrs.field(factory=_default_capacity)
    voice_exclusive: bool = True
    wrap_up: timedelta | None = None
    no_answer_delay: timedelta | None = None
    reject_delay: timedelta | None = None
    busy_delay: timedelta | None = None
    max_no_answer: int | None = None

    def __init__(  # noqa: C901 - the quick look is written out for speed
        self,
        *,
        agent_id: str,
        skills: Skills = _FACTORY,
        memberships: Sequence[Membership] = (),
        capacity: Mapping[Channel, int] = _FACTORY,
        voice_exclusive: bool = True,
        wrap_up: timedelta | None = None,
        no_answer_delay: timedelta | None = None,
        reject_delay: timedelta | None = None,
        busy_delay: timedelta | None = None,
        max_no_answer: int | None = None,
    ) -> None:
        """Check the fields: a quick look, then the thorough check that names the one at fault."""
        if skills is _FACTORY:
            skills = {}
        if memberships.__class__ is not tuple:
            memberships = _memberships(memberships)
        if capacity is _FACTORY:
            capacity = _default_capacity()
        _set_agent_id(self, agent_id)
        _set_agent_skills(self, skills)
        _set_agent_memberships(self, memberships)
        _set_agent_capacity(self, capacity)
        _set_agent_voice_exclusive(self, voice_exclusive)
        _set_agent_wrap_up(self, wrap_up)
        _set_agent_no_answer_delay(self, no_answer_delay)
        _set_agent_reject_delay(self, reject_delay)
        _set_agent_busy_delay(self, busy_delay)
        _set_agent_max_no_answer(self, max_no_answer)
        # The quick look of _is_text, plainly_skills, _are and _is_capacity,
        # written out: a function call costs as much as a field's check.
        # the per-agent settings are rare: any of them is checked thoroughly
        usual = (
            wrap_up is None
            and no_answer_delay is None
            and reject_delay is None
            and busy_delay is None
            and max_no_answer is None
            and agent_id.__class__ is str
            and 0 < len(agent_id) <= MAX_TEXT
            and agent_id.isascii()
            and skills.__class__ is dict
            and len(skills) <= MAX_SKILLS
            and memberships.__class__ is tuple
            and capacity.__class__ is dict
            and voice_exclusive.__class__ is bool
        )
        if usual:
            for skill, level in skills.items():
                if not (
                    skill.__class__ is str
                    and 0 < len(skill) <= MAX_TEXT
                    and skill.isascii()
                    and level.__class__ is int
                    and MIN_SKILL_LEVEL <= level <= MAX_SKILL_LEVEL
                ):
                    usual = False
                    break
            for membership in memberships:
                if membership.__class__ is not Membership:
                    usual = False
                    break
            for channel, count in capacity.items():
                if not (
                    channel.__class__ is Channel
                    and count.__class__ is int
                    and 0 <= count <= MAX_NUMBER
                ):
                    usual = False
                    break
        if not usual:
            _check_fields(self, _PROFILE_CHECKS)


(
    _set_agent_id,
    _set_agent_skills,
    _set_agent_memberships,
    _set_agent_capacity,
    _set_agent_voice_exclusive,
    _set_agent_wrap_up,
    _set_agent_no_answer_delay,
    _set_agent_reject_delay,
    _set_agent_busy_delay,
    _set_agent_max_no_answer,
) = _slot_setters(AgentProfile)


_PROFILE_CHECKS: _Checks = (
    ("agent_id", _text),
    ("skills", _skill_map),
    ("memberships", _items_of(Membership)),
    ("capacity", _capacity),
    ("voice_exclusive", _flag),
    ("wrap_up", _optional(check_duration)),
    ("no_answer_delay", _optional(check_duration)),
    ("reject_delay", _optional(check_duration)),
    ("busy_delay", _optional(check_duration)),
    ("max_no_answer", _optional(check_count, high=MAX_NUMBER)),
)
