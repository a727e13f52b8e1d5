"""Configuration values of the ACD: queues, agents, memberships, escalation rules."""

# cattrs reads these annotations at run time, so their imports stay at run time.
from __future__ import annotations

import enum
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import timedelta
from typing import Any

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
    MAX_SKILLS,
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


def _memberships(value: Sequence[Membership]) -> tuple[Membership, ...]:
    """A list of memberships becomes a tuple; anything else is left for the validator."""
    return tuple(value) if isinstance(value, list) else value  # type: ignore[return-value]


def _skill_set(value: Collection[str]) -> frozenset[str]:
    """A list, tuple or set of names becomes a frozenset.

    Anything else is left for the validator (a string is not split into letters).
    """
    if isinstance(value, list | tuple | set):
        return frozenset(value)
    return value  # type: ignore[return-value]


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


class DeclineReason(enum.Enum):
    """Why an agent turned an offer down (each starts its own delay)."""

    REJECTED = "rejected"
    BUSY = "busy"


class RejectReason(enum.Enum):
    """Why a queue refused a contact at the door."""

    QUEUE_FULL = "queue_full"
    NO_AGENTS = "no_agents"


class OverflowAction(enum.Enum):
    """Where a contact goes when it waited too long or its queue emptied."""

    QUEUE = "queue"
    """Move to another queue, keeping its original arrival time."""
    VOICEMAIL = "voicemail"
    """Leave the router; the host sends the caller to voicemail."""
    CALLBACK = "callback"
    """Become a callback request that keeps its place in the line."""


@attrs.frozen(kw_only=True)
class Overflow:
    """Where contacts go on overflow.

    Attributes:
        action: What happens to the contact.
        queue: The target queue when ``action`` is ``QUEUE``.
    """

    action: OverflowAction = OverflowAction.VOICEMAIL
    queue: str | None = None

    def __attrs_post_init__(self) -> None:
        """Check the fields: a quick look, then the thorough check that names the one at fault."""
        if not (
            self.action.__class__ is OverflowAction and (self.queue is None or _is_text(self.queue))
        ):
            _check_fields(self, _OVERFLOW_CHECKS)


_OVERFLOW_CHECKS: _Checks = (
    ("action", validator(check_enum, enum_type=OverflowAction)),
    ("queue", _optional_text),
)


@attrs.frozen(kw_only=True)
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

    def __attrs_post_init__(self) -> None:
        """Check the fields: a quick look, then the thorough check that names the one at fault."""
        if not (
            _is_wait(self.after)
            and (self.max_tier is None or _is_count(self.max_tier, 1, MAX_NUMBER))
            and plainly_skills(self.skill_minimums)
            and self.drop_skills.__class__ is frozenset
            and len(self.drop_skills) <= MAX_SKILLS
            and all(map(_is_text, self.drop_skills))
            and (self.to_queue is None or _is_text(self.to_queue))
        ):
            _check_fields(self, _RULE_CHECKS)


_RULE_CHECKS: _Checks = (
    ("after", _wait),
    ("max_tier", _optional_tier),
    ("skill_minimums", _skill_map),
    ("drop_skills", _skill_names),
    ("to_queue", _optional_text),
)


@attrs.frozen(kw_only=True)
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
            been logged in for this long.
        overflow: Where overflowing contacts go.
        join_when_empty: Accept contacts while no member is logged in.
        leave_when_empty: Let no contact wait while no member is logged in:
            waiting contacts overflow as soon as the last member logs out, and
            a contact entering the queue meanwhile overflows at once.
        wrap_up: After-contact work time during which the agent gets no offer.
        offer_timeout: How long an offer rings before it times out.
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
    strategy: str = "longest_idle"
    required_skills: Skills = attrs.field(factory=dict)
    max_tier: int | None = None
    max_length: int | None = None
    max_wait: timedelta | None = None
    max_wait_empty: timedelta | None = None
    overflow: Overflow = Overflow()
    join_when_empty: bool = True
    leave_when_empty: bool = False
    wrap_up: timedelta = timedelta(0)
    offer_timeout: timedelta = timedelta(seconds=15)
    no_answer_delay: timedelta = timedelta(seconds=5)
    reject_delay: timedelta = timedelta(0)
    busy_delay: timedelta = timedelta(0)
    max_no_answer: int = 3
    escalation: tuple[QueueEscalation, ...] = attrs.field(default=(), converter=_rules)

    def __attrs_post_init__(self) -> None:
        """Check the fields: a quick look, then the thorough check that names the one at fault."""
        if not (
            _is_text(self.name)
            and self.channel.__class__ is Channel
            and _is_text(self.strategy)
            and plainly_skills(self.required_skills)
            and (self.max_tier is None or _is_count(self.max_tier, 1, MAX_NUMBER))
            and (self.max_length is None or _is_count(self.max_length, 1, MAX_NUMBER))
            and (self.max_wait is None or _is_positive_wait(self.max_wait))
            and (self.max_wait_empty is None or _is_positive_wait(self.max_wait_empty))
            and self.overflow.__class__ is Overflow
            and _is_flag(self.join_when_empty)
            and _is_flag(self.leave_when_empty)
            and _is_wait(self.wrap_up)
            and _is_positive_wait(self.offer_timeout)
            and _is_wait(self.no_answer_delay)
            and _is_wait(self.reject_delay)
            and _is_wait(self.busy_delay)
            and _is_count(self.max_no_answer, 0, MAX_NUMBER)
            and _are(self.escalation, QueueEscalation, MAX_RULES)
        ):
            _check_fields(self, _QUEUE_CHECKS)


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
    ("wrap_up", _wait),
    ("offer_timeout", _positive_wait),
    ("no_answer_delay", _wait),
    ("reject_delay", _wait),
    ("busy_delay", _wait),
    ("max_no_answer", validator(check_count, high=MAX_NUMBER)),
    ("escalation", _items_of(QueueEscalation, MAX_RULES)),
)


@attrs.frozen(kw_only=True)
class Membership:
    """An agent's place in one queue.

    Attributes:
        queue: The queue's name.
        tier: Tier level; lower levels are offered first (1 is the first).
        position: Order within the queue for ``linear``, ``top_down`` and
            ``round_robin`` (lower first; ties by agent id).
        weight: Relative chance under ``weighted_random`` (> 0).
    """

    queue: str
    tier: int = 1
    position: int = 0
    weight: float = 1.0

    def __attrs_post_init__(self) -> None:
        """Check the fields: a quick look, then the thorough check that names the one at fault."""
        weight = self.weight
        if not (
            _is_text(self.queue)
            and _is_count(self.tier, 1, MAX_NUMBER)
            and _is_count(self.position, -MAX_NUMBER, MAX_NUMBER)
            and weight.__class__ is float
            and 0 < weight < math.inf
        ):
            _check_fields(self, _MEMBERSHIP_CHECKS)


_MEMBERSHIP_CHECKS: _Checks = (
    ("queue", _text),
    ("tier", _tier),
    ("position", validator(check_count, low=-MAX_NUMBER, high=MAX_NUMBER)),
    ("weight", validator(check_number, low=0, low_open=True)),
)


def _default_capacity() -> dict[Channel, int]:
    return {Channel.VOICE: 1}


@attrs.frozen(kw_only=True)
class AgentProfile:
    """Who an agent is for routing, given at log-in.

    Attributes:
        agent_id: Unique id.
        skills: Skill names with proficiency levels 1..10.
        memberships: The queues the agent serves.
        capacity: How many contacts of each channel at once (missing: none).
        voice_exclusive: A voice contact is never held or offered alongside
            any other contact (on by default).
    """

    agent_id: str
    skills: Skills = attrs.field(factory=dict)
    memberships: tuple[Membership, ...] = attrs.field(default=(), converter=_memberships)
    capacity: Mapping[Channel, int] = attrs.field(factory=_default_capacity)
    voice_exclusive: bool = True

    def __attrs_post_init__(self) -> None:
        """Check the fields: a quick look, then the thorough check that names the one at fault."""
        if not (
            _is_text(self.agent_id)
            and plainly_skills(self.skills)
            and _are(self.memberships, Membership, MAX_NUMBER)
            and _is_capacity(self.capacity)
            and _is_flag(self.voice_exclusive)
        ):
            _check_fields(self, _PROFILE_CHECKS)


_PROFILE_CHECKS: _Checks = (
    ("agent_id", _text),
    ("skills", _skill_map),
    ("memberships", _items_of(Membership)),
    ("capacity", _capacity),
    ("voice_exclusive", _flag),
)
