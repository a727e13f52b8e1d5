"""The shared vocabulary of contacts, on the ground floor.

Every engine names the same things with the same types, so that what one engine
returns is what the next one takes with no translation: the IVR's
``EnqueueContact`` action goes to ``Router.enqueue`` as it is, the router's
agent states are the KPI's agent states, and one :class:`ContactOutcome` says
how a contact (or one leg of it) ended in the IVR, the ACD, the KPI records and
the customer's history.

- :class:`Channel` and :class:`Direction`: the medium and who started the contact.
- Skills: a mapping of skill names to levels
  :data:`MIN_SKILL_LEVEL`..:data:`MAX_SKILL_LEVEL` (at most :data:`MAX_SKILLS`);
  documents may list bare names, which mean the lowest level
  (:func:`skill_levels`).
- :class:`ContactOutcome`: how a contact or a leg of it ended.
- :class:`AgentState`: what an agent is doing.
- Customer tiers: plain names a host chooses (:func:`check_tier`);
  :data:`STANDARD_TIER` and :data:`VIP_TIER` are the two every host has.
- :class:`QueueRequest`: what a contact asks of a queue, the shape that the
  IVR's ``EnqueueContact`` has and ``Router.enqueue`` takes; its priority is
  within :data:`MAX_PRIORITY` either way (:func:`check_priority`).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Protocol, TypeAlias

from callcore.checks import MAX_TEXT, check_count, check_text, shown
from callcore.errors import InvalidInputError

__all__ = [
    "MAX_PRIORITY",
    "MAX_SKILLS",
    "MAX_SKILL_LEVEL",
    "MIN_SKILL_LEVEL",
    "STANDARD_TIER",
    "VIP_TIER",
    "AgentState",
    "Channel",
    "ContactOutcome",
    "CustomerTier",
    "Direction",
    "QueueRequest",
    "Skills",
    "check_priority",
    "check_skills",
    "check_tier",
    "plainly_skills",
    "skill_levels",
]


class Channel(enum.Enum):
    """The medium of a contact.

    Voice is the main channel; email, chat, SMS and social contacts flow
    through the same queues, tickets and KPIs.
    """

    VOICE = "voice"
    EMAIL = "email"
    CHAT = "chat"
    SMS = "sms"
    SOCIAL = "social"
    VIDEO = "video"


class Direction(enum.Enum):
    """Who started the contact."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


# --- skills ---------------------------------------------------------------------------

MIN_SKILL_LEVEL = 1
"""The lowest skill level: what a bare skill name means."""
MAX_SKILL_LEVEL = 10
"""The highest skill level."""
MAX_SKILLS = 64
"""The most skills one agent has or one contact needs."""

Skills: TypeAlias = Mapping[str, int]
"""Skill names with levels 1..10: what an agent has, or the minimum a contact needs."""


def check_skills(value: object, what: str) -> Skills:
    """Return ``value`` if it maps at most 64 skill names to levels 1..10.

    Raises:
        InvalidInputError: naming the skill (``skills.billing``) or the map.
    """
    if not isinstance(value, Mapping):
        raise InvalidInputError(
            f"{what} must be a mapping of skill names to levels "
            f"{MIN_SKILL_LEVEL}..{MAX_SKILL_LEVEL}, got {type(value).__name__}",
            field=what,
        )
    if len(value) > MAX_SKILLS:
        raise InvalidInputError(
            f"{what} names {len(value)} skills; the limit is {MAX_SKILLS}", field=what
        )
    for name, level in value.items():
        try:
            check_text(name, f"a skill name in {what}")
        except InvalidInputError as error:
            raise InvalidInputError(str(error), field=what) from None
        check_count(level, f"{what}.{name}", low=MIN_SKILL_LEVEL, high=MAX_SKILL_LEVEL)
    return value


def plainly_skills(value: object) -> bool:
    """A cheap test for the usual skill map: a dict of short ASCII names to levels 1..10.

    The engines' hot paths try it before :func:`check_skills`; whatever it
    accepts, ``check_skills`` accepts too (``tests/core/test_contacts.py``
    keeps them so), and what it refuses goes to ``check_skills`` for the
    error that names the skill.
    """
    if not (type(value) is dict or type(value) is MappingProxyType) or len(value) > MAX_SKILLS:
        return False
    for name, level in value.items():
        if not (
            type(name) is str
            and 0 < len(name) <= MAX_TEXT
            and name.isascii()
            and type(level) is int
            and MIN_SKILL_LEVEL <= level <= MAX_SKILL_LEVEL
        ):
            return False
    return True


def skill_levels(value: object, what: str) -> dict[str, int]:
    """Skills as a new dict of names to levels, from a mapping or a list of names.

    A bare name (in a list or tuple) means the lowest level,
    :data:`MIN_SKILL_LEVEL`, as in Asterisk's and FreeSWITCH's skill-less
    queues where any agent of the queue qualifies. A string is not a list of
    names: ``"billing"`` is refused rather than split into letters.

    Raises:
        InvalidInputError: naming the field or the skill at fault.
    """
    if isinstance(value, list | tuple):
        if len(value) > MAX_SKILLS:
            raise InvalidInputError(
                f"{what} names {len(value)} skills; the limit is {MAX_SKILLS}", field=what
            )
        levels: dict[str, int] = {}
        for index, name in enumerate(value):
            levels[check_text(name, f"{what}.{index}")] = MIN_SKILL_LEVEL
        return levels
    return dict(check_skills(value, what))


# --- outcomes and states --------------------------------------------------------------


class ContactOutcome(enum.Enum):
    """How a contact, or one leg of it, ended.

    One vocabulary for the IVR (how a session ended), the ACD (how a contact
    left the router), the KPI records and the customer's history. Whether the
    customer's issue was resolved is a separate fact (a ticket's state, an
    interaction's ``resolved`` flag), not an outcome of the contact.
    """

    ANSWERED = "answered"
    """An agent (or, outbound, the called party) answered."""
    SELF_SERVED = "self_served"
    """The caller finished in the IVR, served without an agent."""
    QUEUED = "queued"
    """The IVR handed the contact to a queue (the contact goes on in the ACD)."""
    ABANDONED = "abandoned"
    """The caller hung up before being served."""
    MISSED = "missed"
    """Offered to an agent who did not answer; the contact went on (RONA)."""
    NO_ANSWER = "no_answer"
    """An outbound contact that nobody answered."""
    VOICEMAIL = "voicemail"
    """The caller left (or was sent to) a voicemail."""
    CALLBACK = "callback"
    """The caller chose to be called back instead of waiting."""
    OVERFLOWED = "overflowed"
    """The contact left this queue for another one (the next leg is a new record)."""
    TRANSFERRED = "transferred"
    """The contact was sent to another destination (a number, an agent, a queue)."""
    OUT_OF_HOURS = "out_of_hours"
    """The contact arrived outside business hours."""
    REJECTED = "rejected"
    """A queue refused the contact (full, or no agent could ever take it)."""
    FAILED = "failed"
    """Something went wrong (a flow error, a limit reached)."""


class AgentState(enum.Enum):
    """What an agent is doing, most telling first.

    An agent with several channels may hold a chat while a second chat rings;
    the state reported is the first that applies in this order. The ACD
    reports these states and the KPI's agent-state records use them.
    """

    LOGGED_OUT = "logged_out"
    """Not logged in."""
    BUSY = "busy"
    """Handling a contact: talking or holding."""
    RESERVED = "reserved"
    """An offer rings the agent."""
    WRAP_UP = "wrap_up"
    """After-contact work."""
    NOT_READY = "not_ready"
    """Logged in but not ready (break, meeting, training)."""
    AVAILABLE = "available"
    """Ready and waiting for a contact."""


# --- customer tiers -------------------------------------------------------------------

CustomerTier: TypeAlias = str
"""A customer tier's name: lower-case letters, digits, ``_`` and ``-``, 1..64 characters.

Hosts name their own tiers (``"gold"``, ``"platinum"``, ``"enterprise"``);
flows and escalation rules branch on the name.
"""

STANDARD_TIER: CustomerTier = "standard"
"""The tier of a customer nobody has placed in another one."""
VIP_TIER: CustomerTier = "vip"
"""The tier routing usually serves first."""

_TIER = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def check_tier(value: object, what: str) -> CustomerTier:
    """Return ``value`` if it is a customer tier's name.

    Raises:
        InvalidInputError: naming ``what``.
    """
    if not (isinstance(value, str) and _TIER.fullmatch(value)):
        raise InvalidInputError(
            f"{what} must be a tier name (lower-case letters, digits, '_' and '-', "
            f"1..64 characters), got {shown(value)}",
            field=what,
        )
    return value


# --- what a contact asks of a queue ---------------------------------------------------

MAX_PRIORITY = 1_000_000_000
"""The largest priority either way: a queue request's priority is in ``-MAX..MAX``."""


def check_priority(value: object, what: str) -> int:
    """Return ``value`` if it is a whole number from ``-MAX_PRIORITY`` to ``MAX_PRIORITY``.

    The IVR checks a flow's priorities with it and the router a request's, so
    a flow never produces a request the router refuses.

    Raises:
        InvalidInputError: naming ``what``.
    """
    return check_count(value, what, low=-MAX_PRIORITY, high=MAX_PRIORITY)


class QueueRequest(Protocol):
    """What a contact asks of a queue: the shape ``Router.enqueue`` takes.

    The IVR's ``EnqueueContact`` action has exactly these attributes, so a host
    hands it to the router as it is.
    """

    @property
    def queue(self) -> str:
        """The queue's name."""

    @property
    def priority(self) -> int:
        """Higher is served sooner."""

    @property
    def skills(self) -> Skills:
        """Skills the contact needs, with minimum levels."""

    @property
    def language(self) -> str:
        """The contact's language tag, or ``""`` when none was chosen."""
