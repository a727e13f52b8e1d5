"""Configuration values of the ACD: queues, agents, memberships, escalation rules."""

# cattrs reads these annotations at run time, so their imports stay at run time.
from __future__ import annotations

import enum
from collections.abc import Collection, Mapping, Sequence
from datetime import timedelta
from typing import Any

import attrs

from callcore.channels import Channel
from callcore.checks import (
    check_count,
    check_duration,
    check_enum,
    check_number,
    check_text,
    validator,
)
from callcore.errors import InvalidInputError

__all__ = [
    "AgentProfile",
    "AgentState",
    "DeclineReason",
    "EscalationRule",
    "Membership",
    "NotReadyReason",
    "Overflow",
    "OverflowAction",
    "QueueConfig",
    "RejectReason",
]

MIN_LEVEL = 1
MAX_LEVEL = 10
MAX_SKILLS = 64
"""The most skills one profile, queue, rule or contact may name (an agent's skill
subsets up to size 3 are precomputed at log-in: 43,745 of them for 64 skills)."""
MAX_RULES = 100
"""The most escalation rules one queue may have."""
MAX_NUMBER = 1_000_000_000
"""The largest tier, position, capacity, queue length or priority (and the most
negative position or priority)."""


def _type_name(value: object) -> str:
    return type(value).__name__


def check_skill_map(value: object, what: str) -> Mapping[str, int]:
    """Return ``value`` if it maps at most 64 skill names to levels 1..10.

    Raises:
        InvalidInputError: naming the skill (``skills.billing``) or the map.
    """
    if not isinstance(value, Mapping):
        raise InvalidInputError(
            f"{what} must be a mapping of skill names to levels {MIN_LEVEL}..{MAX_LEVEL}, "
            f"got {_type_name(value)}",
            field=what,
        )
    if len(value) > MAX_SKILLS:
        raise InvalidInputError(
            f"{what} names {len(value)} skills; the limit is {MAX_SKILLS}", field=what
        )
    for name, level in value.items():
        _check_skill_name(name, what)
        check_count(level, f"{what}.{name}", low=MIN_LEVEL, high=MAX_LEVEL)
    return value


def _check_skill_name(name: object, what: str) -> None:
    try:
        check_text(name, f"a skill name in {what}")
    except InvalidInputError as error:
        raise InvalidInputError(str(error), field=what) from None


def _skill_map(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_skill_map(value, attribute.name)


def _optional(check: Any, **options: Any) -> Any:  # noqa: ANN401 - an attrs validator
    """An attrs validator that lets ``None`` through and checks anything else."""

    def run(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            check(value, attribute.name, **options)

    return run


def _member_of(enum_type: type[enum.Enum]) -> Any:  # noqa: ANN401 - an attrs validator
    def run(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        check_enum(value, enum_type, attribute.name)

    return run


def _instance_of(cls: type) -> Any:  # noqa: ANN401 - an attrs validator
    def run(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, cls):
            raise InvalidInputError(
                f"{attribute.name} must be a {cls.__name__}, got {_type_name(value)}",
                field=attribute.name,
            )

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


def _rules(value: Sequence[EscalationRule]) -> tuple[EscalationRule, ...]:
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
                f"{name} keys must be Channel members (Channel.VOICE...), got {channel!r:.60}",
                field=name,
            )
        check_count(count, f"{name}.{channel.value}", high=MAX_NUMBER)


_text = validator(check_text)
_optional_text = _optional(check_text)
_tier = validator(check_count, low=1, high=MAX_NUMBER)
_optional_tier = _optional(check_count, low=1, high=MAX_NUMBER)
_wait = validator(check_duration)
_positive_wait = validator(check_duration, positive=True)
_optional_positive_wait = _optional(check_duration, positive=True)


class AgentState(enum.Enum):
    """The state an agent is seen in, most telling first.

    An agent with several channels may hold a chat while a second chat rings;
    the reported state is the first that applies in this order: logged out,
    busy (a contact is connected), reserved (an offer rings), wrap-up, not
    ready, available.
    """

    LOGGED_OUT = "logged_out"
    BUSY = "busy"
    RESERVED = "reserved"
    WRAP_UP = "wrap_up"
    NOT_READY = "not_ready"
    AVAILABLE = "available"


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

    action: OverflowAction = attrs.field(
        default=OverflowAction.VOICEMAIL, validator=_member_of(OverflowAction)
    )
    queue: str | None = attrs.field(default=None, validator=_optional_text)


@attrs.frozen(kw_only=True)
class EscalationRule:
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

    after: timedelta = attrs.field(validator=_wait)
    max_tier: int | None = attrs.field(default=None, validator=_optional_tier)
    skill_minimums: Mapping[str, int] = attrs.field(factory=dict, validator=_skill_map)
    drop_skills: frozenset[str] = attrs.field(
        default=frozenset(), converter=_skill_set, validator=_skill_names
    )
    to_queue: str | None = attrs.field(default=None, validator=_optional_text)


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
        no_answer_delay: No offer to an agent for this long after a time-out.
        reject_delay: ... after the agent rejected an offer.
        busy_delay: ... after the agent's device answered busy.
        max_no_answer: Time-outs in a row that make the agent not ready
            (``AUTO_PAUSED``); 0 never does.
        escalation: Time-based rules that widen who may take a contact.
    """

    name: str = attrs.field(validator=_text)
    channel: Channel = attrs.field(default=Channel.VOICE, validator=_member_of(Channel))
    strategy: str = attrs.field(default="longest_idle", validator=_text)
    required_skills: Mapping[str, int] = attrs.field(factory=dict, validator=_skill_map)
    max_tier: int | None = attrs.field(default=None, validator=_optional_tier)
    max_length: int | None = attrs.field(default=None, validator=_optional_tier)
    max_wait: timedelta | None = attrs.field(default=None, validator=_optional_positive_wait)
    max_wait_empty: timedelta | None = attrs.field(default=None, validator=_optional_positive_wait)
    overflow: Overflow = attrs.field(default=Overflow(), validator=_instance_of(Overflow))
    join_when_empty: bool = attrs.field(default=True, validator=_flag)
    leave_when_empty: bool = attrs.field(default=False, validator=_flag)
    wrap_up: timedelta = attrs.field(default=timedelta(0), validator=_wait)
    offer_timeout: timedelta = attrs.field(default=timedelta(seconds=15), validator=_positive_wait)
    no_answer_delay: timedelta = attrs.field(default=timedelta(0), validator=_wait)
    reject_delay: timedelta = attrs.field(default=timedelta(0), validator=_wait)
    busy_delay: timedelta = attrs.field(default=timedelta(0), validator=_wait)
    max_no_answer: int = attrs.field(default=0, validator=validator(check_count, high=MAX_NUMBER))
    escalation: tuple[EscalationRule, ...] = attrs.field(
        default=(), converter=_rules, validator=_items_of(EscalationRule, MAX_RULES)
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

    queue: str = attrs.field(validator=_text)
    tier: int = attrs.field(default=1, validator=_tier)
    position: int = attrs.field(
        default=0, validator=validator(check_count, low=-MAX_NUMBER, high=MAX_NUMBER)
    )
    weight: float = attrs.field(
        default=1.0, validator=validator(check_number, low=0, low_open=True)
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

    agent_id: str = attrs.field(validator=_text)
    skills: Mapping[str, int] = attrs.field(factory=dict, validator=_skill_map)
    memberships: tuple[Membership, ...] = attrs.field(
        default=(), converter=_memberships, validator=_items_of(Membership)
    )
    capacity: Mapping[Channel, int] = attrs.field(factory=_default_capacity, validator=_capacity)
    voice_exclusive: bool = attrs.field(default=True, validator=_flag)
