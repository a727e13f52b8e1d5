"""Scenarios: a day of traffic and staff, as one document the simulator reads.

A scenario names the queues (the router's own :class:`~callcore.acd.QueueConfig`
documents), the arrival streams (calls or messages per interval, handle time,
patience, the IVR menu's choices with their probabilities) and the agents
(groups with skills, queues, a shift and breaks). :func:`read_scenario` reads
a mapping or a JSON or YAML file and reports every problem at once, each with
its path, as a :class:`~callcore.errors.DocumentError`.

.. code-block:: yaml

    start: "2026-12-07T08:00:00"
    timezone: Europe/London
    interval: 30          # minutes
    intervals: 16
    queues: [{name: billing}, {name: support, wrap_up: 30}]
    streams:
      - name: calls
        volumes: [40, 60, 80, 80, 70, 60, 60, 70, 80, 80, 70, 60, 50, 40, 30, 20]
        handle: {distribution: lognormal, mean: 240, sd: 160}
        patience: {distribution: exponential, mean: 120}
        menu_seconds: 12
        choices: [{key: "1", queue: billing, probability: 0.4},
                  {key: "2", queue: support, probability: 0.6}]
    agents:
      - {name: early, count: 6, queues: [billing, support], start: "08:00", end: "12:00",
         breaks: [{at: "10:00", minutes: 15}]}
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime, time, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from callcore.acd import BUILTIN_STRATEGIES, QueueConfig, validate_queues
from callcore.contacts import Channel
from callcore.errors import CallcoreError, ConfigError, DocumentError, Problem
from callcore.serialization import from_dict, parse_json, parse_yaml
from callcore.sim._distributions import Distribution, Exponential, read_distribution
from callcore.wfm import Forecast

__all__ = [
    "MAX_AGENTS",
    "MAX_INTERVALS",
    "AgentGroup",
    "Choice",
    "Scenario",
    "Stream",
    "forecast_stream",
    "read_scenario",
]

MAX_INTERVALS = 2_976
"""The most intervals a scenario may have (31 days of 15 minutes)."""
MAX_AGENTS = 5_000
"""The most agents a scenario may have, over all groups."""
MAX_CALLS = 10_000_000.0
"""The most contacts a scenario may expect, over all streams and intervals."""

T = TypeVar("T")
_UTC = ZoneInfo("UTC")


@attrs.frozen
class Choice:
    """One answer to the IVR menu: the key pressed, its queue and how often it is chosen.

    Attributes:
        key: The key the caller presses.
        queue: The queue the choice leads to.
        probability: The share of callers who choose it.
    """

    key: str
    queue: str
    probability: float


@attrs.frozen
class Stream:
    """Contacts arriving as a Poisson process whose rate is constant within each interval.

    Attributes:
        name: The stream's name (the contact ids start with it).
        volumes: Expected contacts in each interval of the scenario.
        handle: Handle time (talk), in seconds.
        patience: How long a contact waits before hanging up; ``None``: forever.
        channel: ``voice`` contacts ring in through an IVR flow; others
            arrive as messages.
        queue: The queue when there is no menu.
        menu_seconds: Seconds the caller spends in the menu before choosing.
        choices: The menu's answers (their probabilities sum to 1).
    """

    name: str
    volumes: tuple[float, ...]
    handle: Distribution
    patience: Distribution | None = None
    channel: Channel = Channel.VOICE
    queue: str | None = None
    menu_seconds: float = 0.0
    choices: tuple[Choice, ...] = ()


@attrs.frozen
class AgentGroup:
    """Agents alike: skills, queues, shift and breaks.

    Attributes:
        name: The group's name; its agents are ``name-1``, ``name-2``...
        count: How many agents.
        queues: The queues they serve.
        skills: Their skills and levels.
        start: When their shift starts, after the scenario's start.
        end: When it ends, after the scenario's start.
        breaks: Each break's start (after the scenario's start) and length.
        capacity: Contacts at once per non-voice channel (``{chat: 2}``).
    """

    name: str
    count: int
    queues: tuple[str, ...]
    skills: Mapping[str, int] = attrs.field(factory=dict)
    start: timedelta = timedelta(0)
    end: timedelta | None = None
    breaks: tuple[tuple[timedelta, timedelta], ...] = ()
    capacity: Mapping[Channel, int] = attrs.field(factory=dict)


@attrs.frozen
class Scenario:
    """A day (or several) of traffic and staff.

    Attributes:
        start: The start of the first interval (aware).
        interval: The interval length.
        intervals: How many intervals.
        queues: The router's queues.
        streams: The arrival streams.
        agents: The agent groups.
        timezone: The zone whose wall clock labels the intervals.
        threshold: The service-level threshold.
        seed: The first replication's seed.
        replications: How many replications to run.
    """

    start: datetime
    interval: timedelta
    intervals: int
    queues: tuple[QueueConfig, ...]
    streams: tuple[Stream, ...]
    agents: tuple[AgentGroup, ...]
    timezone: ZoneInfo = _UTC
    threshold: timedelta = timedelta(seconds=20)
    seed: int = 0
    replications: int = 1

    @property
    def end(self) -> datetime:
        """The end of the last interval."""
        return self.start + self.interval * self.intervals

    def agents_at(self, moment: timedelta) -> int:
        """Agents on shift and not on a break at ``moment`` after the start."""
        on = 0
        for group in self.agents:
            end = group.end if group.end is not None else self.interval * self.intervals
            if group.start <= moment < end and not any(
                at <= moment < at + length for at, length in group.breaks
            ):
                on += group.count
        return on


# --- reading -----------------------------------------------------------------------------


def _collect(problems: list[Problem], path: str, build: Callable[[], T]) -> T | None:
    try:
        return build()
    except DocumentError as error:
        problems.extend(
            Problem(f"{path}.{p.path}" if p.path else path, p.message) for p in error.problems
        )
    except CallcoreError as error:
        field = getattr(error, "field", None)
        problems.append(Problem(f"{path}.{field}" if field else path, str(error)))
    return None


def _number(
    raw: object, path: str, problems: list[Problem], *, low: float = 0, high: float = math.inf
) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not low <= raw <= high:
        problems.append(Problem(path, f"must be a number from {low:g} to {high:g}, got {raw!r}"))
        return low
    return float(raw)


def _whole(raw: object, path: str, problems: list[Problem], *, low: int, high: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        problems.append(Problem(path, f"must be a whole number from {low} to {high}, got {raw!r}"))
        return low
    return raw


def _list(data: Mapping[str, Any], key: str, problems: list[Problem]) -> list[Any]:
    raw = data.get(key, [])
    if not isinstance(raw, list):
        problems.append(Problem(key, "must be a list"))
        return []
    return raw


def _offset(raw: object, path: str, problems: list[Problem], start: datetime) -> timedelta:
    """A wall-clock time ``"HH:MM"`` on the start's day (or later days past midnight)."""
    try:
        wall = time.fromisoformat(str(raw)) if isinstance(raw, str) else None
    except ValueError:
        wall = None
    if wall is None:
        problems.append(Problem(path, f"must be a time of day such as '09:30', got {raw!r}"))
        return timedelta(0)
    moment = datetime.combine(start.date(), wall, tzinfo=start.tzinfo)
    offset = moment.astimezone(timezone.utc) - start.astimezone(timezone.utc)
    return offset if offset >= timedelta(0) else offset + timedelta(days=1)


def _stream(  # noqa: C901, PLR0912 - one field after another
    raw: object, path: str, problems: list[Problem], intervals: int, queues: set[str]
) -> Stream | None:
    if not isinstance(raw, Mapping):
        problems.append(Problem(path, "must be a mapping"))
        return None
    known = {"name", "volumes", "calls", "handle", "patience", "channel", "queue"}
    known |= {"menu_seconds", "choices"}
    problems.extend(Problem(f"{path}.{key}", "unknown field") for key in raw if key not in known)
    name = raw.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        problems.append(Problem(f"{path}.name", "must be a name of letters, digits and _"))
        name = "calls"
    if "volumes" in raw:
        volumes_raw = raw["volumes"]
        if not isinstance(volumes_raw, list) or len(volumes_raw) != intervals:
            problems.append(Problem(f"{path}.volumes", f"must list {intervals} numbers"))
            volumes: tuple[float, ...] = (0.0,) * intervals
        else:
            volumes = tuple(
                _number(value, f"{path}.volumes[{index}]", problems, high=MAX_CALLS)
                for index, value in enumerate(volumes_raw)
            )
    else:
        volumes = (
            _number(raw.get("calls"), f"{path}.calls", problems, high=MAX_CALLS),
        ) * intervals
    if "handle" not in raw:
        problems.append(Problem(f"{path}.handle", "is required"))
    handle = read_distribution(raw.get("handle", 0), f"{path}.handle", problems)
    patience = (
        None
        if raw.get("patience") is None
        else read_distribution(raw["patience"], f"{path}.patience", problems)
    )
    try:
        channel = Channel(raw.get("channel", "voice"))
    except ValueError:
        problems.append(Problem(f"{path}.channel", f"unknown channel {raw.get('channel')!r}"))
        channel = Channel.VOICE
    queue = raw.get("queue")
    if queue is not None and queue not in queues:
        problems.append(Problem(f"{path}.queue", f"unknown queue {queue!r}"))
    choices = []
    for index, item in enumerate(raw.get("choices", []) or []):
        where = f"{path}.choices[{index}]"
        if not isinstance(item, Mapping) or set(item) != {"key", "queue", "probability"}:
            problems.append(Problem(where, "must have key, queue and probability"))
            continue
        if item["queue"] not in queues:
            problems.append(Problem(f"{where}.queue", f"unknown queue {item['queue']!r}"))
        key = item["key"]
        if not isinstance(key, str) or not key or not set(key) <= set("0123456789*#"):
            problems.append(Problem(f"{where}.key", "must be keys such as '1'"))
        share = _number(item["probability"], f"{where}.probability", problems, high=1)
        choices.append(Choice(str(key), str(item["queue"]), share))
    if choices and abs(sum(c.probability for c in choices) - 1) > 1e-9:
        problems.append(Problem(f"{path}.choices", "the probabilities must sum to 1"))
    if (queue is None) == (not choices):
        problems.append(Problem(path, "needs either a queue or menu choices"))
    if choices and channel is not Channel.VOICE:
        problems.append(Problem(f"{path}.choices", "only calls have a menu"))
    menu = _number(raw.get("menu_seconds", 0), f"{path}.menu_seconds", problems, high=3600)
    return Stream(name, volumes, handle, patience, channel, queue, menu, tuple(choices))


def _group(  # noqa: C901 - one field after another
    raw: object, path: str, problems: list[Problem], start: datetime, queues: set[str]
) -> AgentGroup | None:
    if not isinstance(raw, Mapping):
        problems.append(Problem(path, "must be a mapping"))
        return None
    known = {"name", "count", "queues", "skills", "start", "end", "breaks", "capacity"}
    problems.extend(Problem(f"{path}.{key}", "unknown field") for key in raw if key not in known)
    name = raw.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        problems.append(Problem(f"{path}.name", "must be a name of letters, digits and _"))
        name = "agent"
    count = _whole(raw.get("count", 1), f"{path}.count", problems, low=0, high=MAX_AGENTS)
    served = raw.get("queues")
    if not isinstance(served, list) or not served:
        problems.append(Problem(f"{path}.queues", "must list the queues the agents serve"))
        served = []
    for index, queue in enumerate(served):
        if queue not in queues:
            problems.append(Problem(f"{path}.queues[{index}]", f"unknown queue {queue!r}"))
    skills = raw.get("skills", {})
    if not isinstance(skills, Mapping) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
        for k, v in skills.items()
    ):
        problems.append(Problem(f"{path}.skills", "must map skill names to whole levels"))
        skills = {}
    shift_start = (
        _offset(raw["start"], f"{path}.start", problems, start) if "start" in raw else timedelta(0)
    )
    shift_end = _offset(raw["end"], f"{path}.end", problems, start) if "end" in raw else None
    if shift_end is not None and shift_end <= shift_start:
        problems.append(Problem(f"{path}.end", "must be after the start"))
    breaks = []
    for index, item in enumerate(raw.get("breaks", []) or []):
        where = f"{path}.breaks[{index}]"
        if not isinstance(item, Mapping) or set(item) != {"at", "minutes"}:
            problems.append(Problem(where, "must have at ('HH:MM') and minutes"))
            continue
        at = _offset(item["at"], f"{where}.at", problems, start)
        minutes = _number(item["minutes"], f"{where}.minutes", problems, low=1, high=600)
        breaks.append((at, timedelta(minutes=minutes)))
    capacity: dict[Channel, int] = {}
    known_channels = {channel.value: channel for channel in Channel}
    for channel, amount in dict(raw.get("capacity", {}) or {}).items():
        if channel not in known_channels:
            problems.append(Problem(f"{path}.capacity.{channel}", "unknown channel"))
            continue
        where = f"{path}.capacity.{channel}"
        capacity[known_channels[channel]] = _whole(amount, where, problems, low=1, high=100)
    return AgentGroup(
        name, count, tuple(map(str, served)), dict(skills), shift_start, shift_end,
        tuple(breaks), capacity,
    )  # fmt: skip


def _document(source: object) -> object:
    if isinstance(source, Mapping):
        return source
    path = Path(str(source))
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read the scenario {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise ConfigError(f"the scenario {path} is not UTF-8 text") from error
    return parse_yaml(text) if path.suffix in {".yaml", ".yml"} else parse_json(text)


def read_scenario(source: Mapping[str, Any] | str | Path) -> Scenario:  # noqa: C901, PLR0912, PLR0915 - one section after another
    """Read a scenario from a mapping, or a JSON or YAML file.

    Raises:
        DocumentError: Every problem of the document, each with its path.
        ConfigError: The file cannot be read or parsed (YAML needs the
            ``yaml`` extra).
    """
    data = _document(source)
    if not isinstance(data, Mapping):
        raise DocumentError([Problem("", "must be a mapping of sections")], "scenario")
    sections = {"start", "timezone", "interval", "intervals", "queues", "streams", "agents"}
    sections |= {"threshold", "seed", "replications"}
    problems = [
        Problem(str(key), f"unknown section; sections: {', '.join(sorted(sections))}")
        for key in data
        if key not in sections
    ]
    try:
        zone = ZoneInfo(str(data.get("timezone", "UTC")))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(Problem("timezone", f"unknown time zone {data.get('timezone')!r}"))
        zone = ZoneInfo("UTC")
    raw_start = data.get("start")
    try:
        start = datetime.fromisoformat(str(raw_start)) if isinstance(raw_start, str) else None
    except ValueError:
        start = None
    if start is None:
        problems.append(Problem("start", "must be a date and time such as '2026-12-07T08:00'"))
        start = datetime(2026, 1, 5, tzinfo=zone)
    elif start.tzinfo is None:
        start = start.replace(tzinfo=zone)
    minutes = _whole(data.get("interval", 30), "interval", problems, low=1, high=1440)
    if 1440 % minutes:
        problems.append(Problem("interval", "must divide a day (15, 30, 60...)"))
        minutes = 30
    intervals = _whole(data.get("intervals"), "intervals", problems, low=1, high=MAX_INTERVALS)
    queues: list[QueueConfig] = []
    for index, document in enumerate(_list(data, "queues", problems)):
        queue = _collect(problems, f"queues[{index}]", partial(from_dict, QueueConfig, document))
        if queue is not None:
            queues.append(queue)
    problems.extend(
        Problem(f"queues.{p.path}" if p.path else "queues", p.message)
        for p in validate_queues(queues, BUILTIN_STRATEGIES)
    )
    if not queues:
        problems.append(Problem("queues", "must name at least one queue"))
    names = {queue.name for queue in queues}
    streams = [
        _stream(raw, f"streams[{index}]", problems, intervals, names)
        for index, raw in enumerate(_list(data, "streams", problems))
    ]
    if not streams:
        problems.append(Problem("streams", "must have at least one stream"))
    seen_names = [stream.name for stream in streams if stream is not None]
    if len(seen_names) != len(set(seen_names)):
        problems.append(Problem("streams", "stream names must differ"))
    groups = [
        _group(raw, f"agents[{index}]", problems, start, names)
        for index, raw in enumerate(_list(data, "agents", problems))
    ]
    if sum(group.count for group in groups if group is not None) > MAX_AGENTS:
        problems.append(Problem("agents", f"more than {MAX_AGENTS} agents"))
    group_names = [group.name for group in groups if group is not None]
    if len(group_names) != len(set(group_names)):
        problems.append(Problem("agents", "group names must differ"))
    total = sum(sum(stream.volumes) for stream in streams if stream is not None)
    if total > MAX_CALLS:
        problems.append(Problem("streams", f"more than {MAX_CALLS:,.0f} contacts expected"))
    threshold = _number(data.get("threshold", 20), "threshold", problems, high=86_400)
    seed = _whole(data.get("seed", 0), "seed", problems, low=0, high=2**63 - 1)
    replications = _whole(data.get("replications", 1), "replications", problems, low=1, high=1000)
    if problems:
        raise DocumentError(problems, "scenario")
    return Scenario(
        start=start,
        interval=timedelta(minutes=minutes),
        intervals=intervals,
        queues=tuple(queues),
        streams=tuple(s for s in streams if s is not None),
        agents=tuple(g for g in groups if g is not None),
        timezone=zone,
        threshold=timedelta(seconds=threshold),
        seed=seed,
        replications=replications,
    )


def forecast_stream(
    forecast: Forecast,
    *,
    name: str = "calls",
    queue: str | None = None,
    choices: tuple[Choice, ...] = (),
    menu_seconds: float = 0.0,
    patience: Distribution | None = None,
) -> Stream:
    """A stream whose volumes are a :mod:`callcore.wfm` forecast's, interval by interval.

    The handle time is exponential with the forecast's mean AHT, weighted by
    calls (take :func:`~callcore.sim.handle_times` of past records for a truer
    shape: ``attrs.evolve(stream, handle=...)``). Build the
    :class:`Scenario` with the forecast's interval and as many intervals.

    Raises:
        ValueError: The forecast predicts no calls at all.
    """
    volumes = tuple(float(demand.calls) for demand in forecast.intervals)
    calls = sum(volumes)
    if calls <= 0:
        msg = "the forecast predicts no calls"
        raise ValueError(msg)
    aht = sum(d.calls * d.aht.total_seconds() for d in forecast.intervals) / calls
    return Stream(
        name, volumes, Exponential(aht), patience, Channel.VOICE, queue, menu_seconds, choices
    )
