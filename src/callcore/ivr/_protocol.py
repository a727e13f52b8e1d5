"""The event/action protocol between an IVR session and its telephony host.

The host feeds *events* (what the caller or the host did) into
:meth:`~callcore.ivr.IvrSession.handle`; the session returns *actions* (what the
host must do next), in order. Both are plain frozen values that serialise
through :mod:`callcore.serialization` with a ``type`` tag.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any, ClassVar, TypeAlias, get_args

import attrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn
from cattrs.strategies import configure_tagged_union

from callcore.checks import (
    MAX_TEXT,
    check_number,
    check_plain_data,
    check_text,
    shown,
)
from callcore.contacts import (
    MAX_PRIORITY,
    Skills,
    check_skills,
    plainly_skills,
)
from callcore.contacts import check_priority as contact_priority
from callcore.errors import DocumentError, InvalidInputError, Problem
from callcore.serialization import converter

__all__ = [
    "BOT_OUTCOMES",
    "Action",
    "ActionCompleted",
    "ActionFailed",
    "BotFinished",
    "CallerHangup",
    "Digits",
    "EnqueueContact",
    "FlowFailed",
    "Gather",
    "Hangup",
    "InputMode",
    "IvrEvent",
    "LookupRequest",
    "LookupResult",
    "NoInput",
    "Play",
    "Record",
    "ScheduleCallback",
    "SetLanguage",
    "Speech",
    "StartBot",
    "Transfer",
    "TransferKind",
]


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


def frozen_skills(value: object) -> Skills:
    """A read-only copy of ``value`` if it maps skill names to levels (``check_skills``).

    Raises:
        InvalidInputError: naming the skill at fault (``skills.billing``) or ``skills``.
    """
    if not plainly_skills(value):
        check_skills(value, "skills")
    return MappingProxyType(dict(value))  # type: ignore[call-overload]  # a checked mapping


def _short_text(value: object) -> bool:
    return type(value) is str and value.isascii() and len(value) <= MAX_TEXT


def plain_mapping(value: object, what: str) -> dict[str, Any]:
    """A copy of ``value`` if it is a mapping of plain data.

    Raises:
        InvalidInputError: ``value`` is not a mapping of plain data
            (:func:`callcore.checks.check_plain_data`), naming the path at fault.
    """
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"{what} must be a mapping, got {type(value).__name__}", field=what)
    check_plain_data(value, what)
    return dict(value)


def _checked_data(value: object) -> Mapping[str, Any]:
    """A read-only copy of an event's ``data``, which must be plain data.

    The session keeps it in its variables, which must serialise and read back.
    """
    return MappingProxyType(plain_mapping(value, "data"))


def _text(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: valid text (at most ``MAX_TEXT`` characters, may be empty)."""
    if not (type(value) is str and value.isascii() and len(value) <= MAX_TEXT):
        check_text(value, attribute.name, allow_empty=True)


def _optional_text(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not _short_text(value):
        check_text(value, attribute.name, allow_empty=True)


def _confidence(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not (type(value) is float and 0.0 <= value <= 1.0):
        check_number(value, attribute.name, low=0, high=1)


def check_priority(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: a priority the router takes (``contacts.check_priority``)."""
    if not (type(value) is int and -MAX_PRIORITY <= value <= MAX_PRIORITY):
        contact_priority(value, attribute.name)


# --- events ------------------------------------------------------------------


@attrs.frozen
class Digits:
    """The caller pressed keys; the host sends what its gather collected.

    Attributes:
        digits: The keys, such as ``"1"`` or ``"12345#"`` (a trailing finish
            key is dropped by the session, never stored).
    """

    type: ClassVar[str] = "digits"
    digits: str = attrs.field(validator=_text)


@attrs.frozen
class Speech:
    """The host's speech recogniser heard something.

    Attributes:
        text: The transcript.
        confidence: The recogniser's confidence, from 0 to 1.
    """

    type: ClassVar[str] = "speech"
    text: str = attrs.field(validator=_text)
    confidence: float = attrs.field(default=1.0, validator=_confidence)


@attrs.frozen
class NoInput:
    """A timeout: the caller said nothing, or a lookup did not answer in time."""

    type: ClassVar[str] = "no_input"


@attrs.frozen
class ActionCompleted:
    """The host finished a waited-for action (a recording); ``data`` holds its results."""

    type: ClassVar[str] = "action_completed"
    data: Mapping[str, Any] = attrs.field(factory=dict, converter=_checked_data, hash=False)


@attrs.frozen
class ActionFailed:
    """The host could not carry out a waited-for action."""

    type: ClassVar[str] = "action_failed"
    reason: str = attrs.field(default="", validator=_text)


@attrs.frozen
class LookupResult:
    """The answer to a :class:`LookupRequest`.

    Attributes:
        data: The values found (stored into the flow's variables).
        error: Why the lookup failed; ``None`` when it succeeded.
    """

    type: ClassVar[str] = "lookup_result"
    data: Mapping[str, Any] = attrs.field(factory=dict, converter=_checked_data, hash=False)
    error: str | None = attrs.field(default=None, validator=_optional_text)


BOT_OUTCOMES = ("resolved", "handed_off", "abandoned")
"""How a bot session ends (the values of :class:`callcore.bots.BotOutcome`)."""


def _bot_outcome(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in BOT_OUTCOMES:
        raise InvalidInputError(
            f"{attribute.name} must be one of {', '.join(BOT_OUTCOMES)}; got {shown(value)}",
            field=attribute.name,
        )


@attrs.frozen
class BotFinished:
    """The bot the call was handed to (:class:`StartBot`) is done with it.

    Attributes:
        outcome: ``"resolved"`` (self-served), ``"handed_off"`` (wants an
            agent) or ``"abandoned"`` (the caller left during the bot).
        variables: What the bot collected (merged into the flow's variables).
        intent: The intent the bot recognised, or ``""``.
        summary: A transcript summary for the agent, or ``""``.
        queue: The queue the bot asks for, or ``""``.
    """

    type: ClassVar[str] = "bot_finished"
    outcome: str = attrs.field(validator=_bot_outcome)
    variables: Mapping[str, Any] = attrs.field(factory=dict, converter=_checked_data, hash=False)
    intent: str = attrs.field(default="", validator=_optional_text)
    summary: str = attrs.field(default="", validator=_optional_text)
    queue: str = attrs.field(default="", validator=_optional_text)


@attrs.frozen
class CallerHangup:
    """The caller hung up; the session ends as abandoned."""

    type: ClassVar[str] = "caller_hangup"


IvrEvent: TypeAlias = (
    Digits
    | Speech
    | NoInput
    | ActionCompleted
    | ActionFailed
    | LookupResult
    | BotFinished
    | CallerHangup
)
"""Everything a host may feed into a session."""


# --- actions -----------------------------------------------------------------


class InputMode(enum.Enum):
    """What a gather listens for."""

    DTMF = "dtmf"
    SPEECH = "speech"


class TransferKind(enum.Enum):
    """Where a transfer goes."""

    NUMBER = "number"
    """An external phone number."""
    AGENT = "agent"
    """A named agent (by id)."""
    DEVICE = "device"
    """A personal device, such as an agent's mobile."""


@attrs.frozen(cache_hash=True)  # hashed whenever a node looks up the step it built
class Play:
    """Play a prompt: an audio file or text to speak.

    Attributes:
        prompt: The prompt's id in the flow.
        language: The language chosen.
        text: Text for text-to-speech (placeholders filled), or ``None``.
        audio: An audio reference (a file or URL), or ``None``.
        barge_in: Whether the caller may interrupt it with a key or speech
            (VoiceXML ``bargein``, default true); a flow lists the prompts
            that must play to the end in ``no_barge_in``.
        voice: The text-to-speech voice for its language (the flow's
            ``voices``), or ``None`` for the host's default.
    """

    type: ClassVar[str] = "play"
    terminal: ClassVar[bool] = False
    prompt: str
    language: str
    text: str | None = None
    audio: str | None = None
    barge_in: bool = True
    voice: str | None = None


@attrs.frozen
class Gather:
    """Play prompts while collecting keys and/or speech, then send one event.

    The host answers with :class:`Digits`, :class:`Speech` or :class:`NoInput`.

    Attributes:
        node: The node that is asking.
        prompts: What to play; each says whether the caller may interrupt it.
        modes: What to listen for.
        timeout: Silence allowed after the prompts before :class:`NoInput`.
        inter_digit_timeout: Silence allowed between two keys.
        min_digits: Fewest keys that make an answer.
        max_digits: Most keys; the gather ends when this many were pressed.
        finish_on_key: A key that ends the entry early (never part of the value);
            empty for none.
        hints: Words the speech recogniser should expect.
    """

    type: ClassVar[str] = "gather"
    terminal: ClassVar[bool] = False
    node: str
    prompts: tuple[Play, ...]
    modes: tuple[InputMode, ...] = (InputMode.DTMF,)
    timeout: timedelta = timedelta(seconds=5)
    inter_digit_timeout: timedelta = timedelta(seconds=5)
    min_digits: int = 1
    max_digits: int = 1
    finish_on_key: str = ""
    hints: tuple[str, ...] = ()


@attrs.frozen
class SetLanguage:
    """The caller's language changed: use it for speech recognition and TTS.

    Attributes:
        language: The new language.
        voice: The text-to-speech voice the flow names for it, or ``None``.
    """

    type: ClassVar[str] = "set_language"
    terminal: ClassVar[bool] = False
    language: str
    voice: str | None = None


@attrs.frozen
class LookupRequest:
    """Ask the host for data; it answers with :class:`LookupResult`.

    Attributes:
        node: The node that asks (echo it in logs).
        name: What to look up (``"balance"``).
        params: The arguments, taken from the session's data.
        timeout: How long the session waits for the answer.
    """

    type: ClassVar[str] = "lookup_request"
    terminal: ClassVar[bool] = False
    node: str
    name: str
    params: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen, hash=False)
    timeout: timedelta = timedelta(seconds=8)


@attrs.frozen
class StartBot:
    """Hand the call to a bot; the host runs it and answers with :class:`BotFinished`.

    The host drives a :class:`callcore.bots.BotSession` with the
    ``callcore_bot`` hook (see ``docs/bots/index.md``).

    Attributes:
        node: The node that hands over.
        bot: Which bot.
        variables: The flow's variables, for the bot.
        intent: An intent known before the bot, or ``""``.
        language: The caller's language.
        timeout: How long the session waits for the bot to finish.
    """

    type: ClassVar[str] = "start_bot"
    terminal: ClassVar[bool] = False
    node: str
    bot: str
    variables: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen, hash=False)
    intent: str = ""
    language: str = ""
    timeout: timedelta = timedelta(minutes=15)


@attrs.frozen
class Record:
    """Record the caller (voicemail); the host answers with completed or failed.

    Attributes:
        mailbox: Whose voicemail box.
        max_length: Longest recording.
        beep: Play a beep before recording.
        silence_timeout: Silence that ends the recording.
        finish_on_key: A key that ends the recording.
    """

    type: ClassVar[str] = "record"
    terminal: ClassVar[bool] = False
    mailbox: str
    max_length: timedelta = timedelta(seconds=3600)
    beep: bool = True
    silence_timeout: timedelta = timedelta(seconds=5)
    finish_on_key: str = "1234567890*#"


@attrs.frozen
class ScheduleCallback:
    """Schedule a call back to the caller; the IVR goes on at once."""

    type: ClassVar[str] = "schedule_callback"
    terminal: ClassVar[bool] = False
    number: str
    queue: str
    variables: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen, hash=False)


@attrs.frozen
class EnqueueContact:
    """Hand the contact to the ACD; the IVR's part of the call ends.

    It has the shape of :class:`callcore.contacts.QueueRequest` (``queue``,
    ``priority``, ``skills``, ``language``), the request ``Router.enqueue``
    takes, so the host hands it to the router as it is.

    Attributes:
        queue: The queue's name.
        priority: Higher is served sooner.
        skills: Skills an agent must have, each with its minimum level 1..10
            (at most 64 skills, :func:`callcore.contacts.check_skills`); a
            read-only mapping.
        language: The caller's language.
        variables: The flow's variables (what the caller entered and looked up).
        caller: The caller attributes the session started with.
    """

    type: ClassVar[str] = "enqueue_contact"
    terminal: ClassVar[bool] = True
    queue: str
    priority: int = attrs.field(default=0, validator=check_priority)
    skills: Skills = attrs.field(factory=dict, converter=frozen_skills, hash=False)
    language: str = ""
    variables: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen, hash=False)
    caller: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen, hash=False)


@attrs.frozen
class Transfer:
    """Transfer the call; the IVR's part of the call ends."""

    type: ClassVar[str] = "transfer"
    terminal: ClassVar[bool] = True
    destination: str
    kind: TransferKind = TransferKind.NUMBER


@attrs.frozen
class Hangup:
    """Hang up the call; the IVR's part of the call ends.

    Attributes:
        reason: Why (``"completed"`` for self-service calls).
    """

    type: ClassVar[str] = "hangup"
    terminal: ClassVar[bool] = True
    reason: str = "completed"


@attrs.frozen
class FlowFailed:
    """The flow could not go on (a runaway loop, a dead end, a time cap).

    The host should apologise and route the call to its fallback (an operator
    queue) or hang up. The session has ended.
    """

    type: ClassVar[str] = "flow_failed"
    terminal: ClassVar[bool] = True
    reason: str


Action: TypeAlias = (
    Play
    | Gather
    | SetLanguage
    | LookupRequest
    | StartBot
    | Record
    | ScheduleCallback
    | EnqueueContact
    | Transfer
    | Hangup
    | FlowFailed
)
"""Everything a session may ask its host to do."""


def _tag(cls: type) -> str:
    tag: str = cls.type  # type: ignore[attr-defined]
    return tag


def _plain_problem(value: object, name: str) -> Problem | None:
    try:
        check_plain_data(value, name)
    except InvalidInputError as exc:
        return Problem(exc.field or name, str(exc))
    return None


def _plain_fields_first(cls: type, names: tuple[str, ...]) -> Callable[[Any, Any], Any]:
    """Read ``cls`` from plain data only if its free-form mappings hold plain data.

    Actions are built by the session from checked data, so their constructors
    do not check it again (they are on the hot path); an action read from the
    wire is checked here, so that what loads also writes out again.
    """
    structure: Callable[[Any, Any], Any] = make_dict_structure_fn(cls, converter)

    def hook(data: object, _: object) -> Any:  # noqa: ANN401 - an action
        if isinstance(data, Mapping):
            problems = [_plain_problem(data.get(name), name) for name in names]
            if any(problems):
                raise DocumentError(problem for problem in problems if problem)
        return structure(data, cls)

    return hook


_FREE_FORM: dict[type, tuple[str, ...]] = {
    LookupRequest: ("params",),
    ScheduleCallback: ("variables",),
    EnqueueContact: ("variables", "caller"),
}
"""The free-form (plain data) fields of the actions that have them."""


def _tagged(cls: type) -> None:
    """Write ``cls`` with its ``type`` tag first; read it with or without the tag.

    The wire format of events and actions carries the tag (``{"type":
    "enqueue_contact", "queue": "billing", ...}``) whether a value is written
    as itself (``to_dict(action)``) or as a member of :data:`Action` or
    :data:`IvrEvent`; reading a class refuses another class's tag.
    """
    tag = _tag(cls)
    names = _FREE_FORM.get(cls)
    structure: Callable[[Any, Any], Any] = (
        _plain_fields_first(cls, names) if names else make_dict_structure_fn(cls, converter)
    )
    unstructure: Callable[[Any], dict[str, Any]] = make_dict_unstructure_fn(cls, converter)

    def write(value: object) -> dict[str, Any]:
        return {"type": tag, **unstructure(value)}

    def read(data: object, _: object) -> Any:  # noqa: ANN401 - an event or action
        if isinstance(data, Mapping) and "type" in data:
            if data["type"] != tag:
                shown = repr(data["type"])[:80]
                raise DocumentError([Problem("type", f"expected {tag!r}, got {shown}")])
            data = {key: value for key, value in data.items() if key != "type"}
        return structure(data, cls)

    converter.register_unstructure_hook(cls, write)
    converter.register_structure_hook(cls, read)


for _member in (*get_args(IvrEvent), *get_args(Action)):
    _tagged(_member)
configure_tagged_union(IvrEvent, converter, tag_generator=_tag, tag_name="type")
configure_tagged_union(Action, converter, tag_generator=_tag, tag_name="type")
