"""Checks of queue configurations, agent profiles and router snapshots, as lists of problems.

Each field of a :class:`QueueConfig` or :class:`AgentProfile` is checked when the
value is built (its type and range); what is checked here is what one value
cannot know alone: names that must exist or be unique, the order of rules, and
in a snapshot everything (a snapshot is a saved document, read back as one).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from callcore.acd._events import Offer
from callcore.acd._model import (
    MAX_NUMBER,
    AgentProfile,
    Membership,
    NotReadyReason,
    OverflowAction,
    QueueConfig,
    check_skill_map,
)
from callcore.acd._records import Agent, ContactStatus
from callcore.acd._snapshot import AgentRecord, ContactRecord, PointerRecord, RouterSnapshot
from callcore.acd._strategy import Strategy, StrategyMemory
from callcore.checks import (
    MAX_TEXT,
    check_count,
    check_enum,
    check_instant,
    check_number,
    check_text,
)
from callcore.errors import InvalidInputError, Problem

if TYPE_CHECKING:
    from callcore.acd._strategy import Rank

__all__ = ["check_profile", "check_queues", "check_snapshot", "check_strategies"]

HANDLE_TIMES = 50
"""Handle times a queue remembers (for announcements)."""
MAX_SEQ = 2**63 - 1
"""The largest arrival counter a snapshot may hold."""
_MT_WORDS = 624
"""Words of state of the Mersenne Twister behind :class:`random.Random`."""


def _type_name(value: object) -> str:
    return type(value).__name__


def _check_rules(queue: QueueConfig, path: str, names: Collection[str]) -> list[Problem]:
    problems = []
    previous = timedelta(0)
    for number, rule in enumerate(queue.escalation):
        where = f"{path}.escalation[{number}]"
        if rule.after < previous:
            problems.append(Problem(f"{where}.after", "rules must be in order of 'after'"))
        previous = max(previous, rule.after)
        if rule.to_queue is None:
            continue
        if rule.to_queue not in names or rule.to_queue == queue.name:
            problems.append(
                Problem(f"{where}.to_queue", f"needs another existing queue, got {rule.to_queue!r}")
            )
        if rule.after <= timedelta(0):
            # two queues moving a contact to each other at once would never stop
            problems.append(Problem(f"{where}.after", "a rule that moves contacts needs after > 0"))
    return problems


def _check_overflow(queue: QueueConfig, path: str, names: Collection[str]) -> list[Problem]:
    overflow = queue.overflow
    if overflow.action is OverflowAction.QUEUE:
        if overflow.queue not in names or overflow.queue == queue.name:
            return [
                Problem(
                    f"{path}.overflow.queue",
                    f"overflow to a queue needs another existing queue, got {overflow.queue!r}",
                )
            ]
    elif overflow.queue is not None:
        return [
            Problem(f"{path}.overflow.queue", f"only used with action 'queue' ({overflow.queue!r})")
        ]
    return []


def check_queues(queues: Iterable[QueueConfig], strategies: Collection[str]) -> list[Problem]:
    """Check a whole queue configuration; every problem is reported with its path.

    Each :class:`QueueConfig` checked its own fields when it was built; this
    checks what needs the others: unique names, known strategies, overflow and
    escalation targets that exist, rules in order of ``after``.

    Args:
        queues: The queues.
        strategies: The strategy names that exist.

    Returns:
        The problems (an empty list when the configuration is sound).
    """
    configs = list(queues)
    problems = [
        Problem(f"[{number}]", f"expected a QueueConfig, got {_type_name(queue)}")
        for number, queue in enumerate(configs)
        if not isinstance(queue, QueueConfig)
    ]
    if problems:
        return problems
    names = {queue.name for queue in configs}
    seen: set[str] = set()
    for number, queue in enumerate(configs):
        path = f"[{number}]"
        if queue.name in seen:
            problems.append(Problem(f"{path}.name", f"duplicate queue name {queue.name!r}"))
        seen.add(queue.name)
        if queue.strategy not in strategies:
            known = ", ".join(sorted(strategies))
            problems.append(
                Problem(f"{path}.strategy", f"unknown strategy {queue.strategy!r} (known: {known})")
            )
        problems += _check_overflow(queue, path, names)
        problems += _check_rules(queue, path, names)
    return problems


def check_profile(profile: AgentProfile, queues: Collection[str]) -> list[Problem]:
    """Check an agent profile against the queues that exist.

    The profile checked its own fields when it was built; this checks that
    each membership names a queue that exists, once.

    Returns:
        The problems (an empty list when the profile is sound).
    """
    if not isinstance(profile, AgentProfile):
        return [Problem("", f"expected an AgentProfile, got {_type_name(profile)}")]
    problems = []
    seen: set[str] = set()
    for number, member in enumerate(profile.memberships):
        path = f"memberships[{number}]"
        if member.queue not in queues:
            problems.append(Problem(f"{path}.queue", f"unknown queue {member.queue!r}"))
        if member.queue in seen:
            problems.append(Problem(f"{path}.queue", f"duplicate membership of {member.queue!r}"))
        seen.add(member.queue)
    return problems


def check_strategies(strategies: object) -> dict[str, Strategy]:
    """Return the strategies as a dict if each one looks like a :class:`Strategy`.

    Raises:
        InvalidInputError: naming the strategy at fault.
    """
    if not isinstance(strategies, Mapping):
        raise InvalidInputError(
            f"strategies must be a mapping of names to strategies, got {_type_name(strategies)}",
            field="strategies",
        )
    for name, strategy in strategies.items():
        check_text(name, "a strategy name")
        what = f"strategies.{name}"
        if not callable(getattr(strategy, "rank", None)):
            raise InvalidInputError(f"{what} has no rank method", field=what)
        if not isinstance(getattr(strategy, "ring_all", None), bool):
            raise InvalidInputError(f"{what}.ring_all must be true or false", field=what)
        check_enum(getattr(strategy, "memory", None), StrategyMemory, f"{what}.memory")
    return dict(strategies)


# --- snapshots ------------------------------------------------------------------


class _Problems:
    """The problems found so far, and the checks that add to them."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.found.append(Problem(path, message))

    def check(self, check: Callable[..., object], value: object, path: str, **options: Any) -> bool:  # noqa: ANN401
        """Run ``check`` on ``value``; note its refusal at ``path``. Returns whether it passed."""
        try:
            check(value, path.rpartition(".")[2], **options)
        except InvalidInputError as error:
            self.add(path, str(error))
            return False
        return True

    def items(self, value: object, path: str) -> list[Any]:
        """``value``'s items if it is a list or tuple (noted and empty otherwise)."""
        if isinstance(value, list | tuple):
            return list(value)
        self.add(path, f"expected a list, got {_type_name(value)}")
        return []

    def mapping(self, value: object, path: str, queues: Collection[str]) -> list[tuple[str, Any]]:
        """``value``'s items if it is a mapping keyed by known queue names (others noted)."""
        if not isinstance(value, Mapping):
            self.add(path, f"expected a mapping of queue names, got {_type_name(value)}")
            return []
        found = []
        for name, item in value.items():
            if name in queues:
                found.append((name, item))
            else:
                self.add(path, f"unknown queue {name!r:.60}")
        return found

    def instant(
        self, value: object, path: str, *, after: datetime | None = None, until: datetime | None
    ) -> bool:
        """Check an instant, at or before ``until`` (the snapshot's time) and not before ``after``."""
        if not self.check(check_instant, value, path):
            return False
        if until is not None and value > until:  # type: ignore[operator]
            self.add(path, f"is later than the snapshot's time now ({until.isoformat()})")
            return False
        if after is not None and value < after:  # type: ignore[operator]
            self.add(path, f"is earlier than {after.isoformat()}")
            return False
        return True

    def future(self, value: object, path: str, now: datetime | None) -> bool:
        """Check an instant that must lie after the snapshot's time (a timer still to run)."""
        if not self.check(check_instant, value, path):
            return False
        if now is not None and value <= now:  # type: ignore[operator]
            self.add(
                path,
                f"is not after the snapshot's time now ({now.isoformat()}): its timer would "
                "have run already",
            )
            return False
        return True


def check_snapshot(snapshot: RouterSnapshot, strategies: Mapping[str, Strategy]) -> list[Problem]:
    """Check a router snapshot as a document: every field, and that its parts agree.

    Every instant lies in the accepted range and on the right side of the
    snapshot's ``now`` (a timer still pending lies after it), so a restored
    router never replays years of time-outs; ids are unique; contacts, offers
    and agents point at each other consistently; counters and numbers are in
    range; the random state and the round-robin places can be used.

    Returns:
        The problems, each with its path (an empty list when the snapshot is sound).
    """
    out = _Problems()
    now = snapshot.now
    if now is not None and not out.check(check_instant, now, "now"):
        now = None
    seq = snapshot.seq
    if not out.check(check_count, seq, "seq", high=MAX_SEQ):
        seq = MAX_SEQ
    _check_random_state(snapshot.random_state, out)
    queues = _snapshot_queues(snapshot.queues, strategies, out)
    agents = _snapshot_agents(snapshot.agents, queues, now, out)
    contacts = _snapshot_contacts(snapshot.contacts, queues, agents, now, seq, out)
    _cross_check_agents(agents, contacts, out)
    _snapshot_pointers(snapshot.pointers, queues, agents, strategies, out)
    for name, times in out.mapping(snapshot.handle_times, "handle_times", queues):
        path = f"handle_times.{name}"
        items = out.items(times, path)
        if len(items) > HANDLE_TIMES:
            out.add(path, f"holds {len(items)} times; a queue keeps the last {HANDLE_TIMES}")
        for index, seconds in enumerate(items):
            out.check(check_number, seconds, f"{path}[{index}]", low=0)
    for name, clock in out.mapping(snapshot.race_clocks, "race_clocks", queues):
        out.check(check_number, clock, f"race_clocks.{name}", low=0)
    staffed = {
        member.queue
        for record in agents.values()
        if record.logged_in
        for member in record.profile.memberships
    }
    for name, since in out.mapping(snapshot.empty_since, "empty_since", queues):
        path = f"empty_since.{name}"
        if out.instant(since, path, until=now) and name in staffed:
            out.add(path, "the queue has a member logged in, so it is not empty")
    if now is None and (agents or contacts or snapshot.pointers or snapshot.empty_since):
        out.add("now", "a router that has agents or contacts has seen a time: now must be set")
    return out.found


def _check_random_state(state: object, out: _Problems) -> None:
    words = out.items(state, "random_state")
    if not words and not isinstance(state, list | tuple):
        return
    if len(words) != _MT_WORDS + 1:
        out.add("random_state", f"expected {_MT_WORDS + 1} whole numbers, got {len(words)}")
        return
    for index, word in enumerate(words[:-1]):
        if not out.check(check_count, word, f"random_state[{index}]", high=2**32 - 1):
            return
    if out.check(check_count, words[-1], f"random_state[{_MT_WORDS}]", high=_MT_WORDS):
        try:
            random.Random().setstate((3, tuple(words), None))
        except (ValueError, TypeError, OverflowError) as error:  # pragma: no cover - checked above
            out.add("random_state", f"not a state of the random source: {error}")


def _snapshot_queues(
    configs: object, strategies: Mapping[str, Strategy], out: _Problems
) -> dict[str, QueueConfig]:
    items = out.items(configs, "queues")
    problems = check_queues(items, strategies)
    out.found.extend(Problem(f"queues{problem.path}", problem.message) for problem in problems)
    if problems:
        return {queue.name: queue for queue in items if isinstance(queue, QueueConfig)}
    return {queue.name: queue for queue in items}


def _snapshot_agents(
    records: object, queues: Mapping[str, QueueConfig], now: datetime | None, out: _Problems
) -> dict[str, AgentRecord]:
    agents: dict[str, AgentRecord] = {}
    for number, record in enumerate(out.items(records, "agents")):
        path = f"agents[{number}]"
        if not isinstance(record, AgentRecord):
            out.add(path, f"expected an AgentRecord, got {_type_name(record)}")
            continue
        if not isinstance(record.profile, AgentProfile):
            out.add(f"{path}.profile", f"expected an AgentProfile, got {_type_name(record.profile)}")
            continue
        out.found.extend(
            Problem(f"{path}.profile.{problem.path}", problem.message)
            for problem in check_profile(record.profile, queues)
        )
        agent_id = record.profile.agent_id
        if agent_id in agents:
            out.add(f"{path}.profile.agent_id", f"duplicate agent id {agent_id!r}")
            continue
        if _check_agent(record, path, queues, now, out):
            agents[agent_id] = record
    return agents


def _check_agent(
    record: AgentRecord,
    path: str,
    queues: Collection[str],
    now: datetime | None,
    out: _Problems,
) -> bool:
    """Check one agent's fields; return whether its lists of contacts can be used."""
    out.check(_flag, record.logged_in, f"{path}.logged_in")
    if record.not_ready is not None:
        out.check(_enum(NotReadyReason), record.not_ready, f"{path}.not_ready")
    out.instant(record.idle_since, f"{path}.idle_since", until=now)
    out.check(check_count, record.answered, f"{path}.answered", high=MAX_SEQ)
    out.check(check_number, record.talk_seconds, f"{path}.talk_seconds", low=0)
    if record.last_offered is not None:
        out.instant(record.last_offered, f"{path}.last_offered", until=now)
    out.check(check_number, record.draw, f"{path}.draw", low=0)
    for name, base in out.mapping(record.race_base, f"{path}.race_base", queues):
        out.check(check_number, base, f"{path}.race_base.{name}", low=0)
    if record.wrap_until is not None:
        out.future(record.wrap_until, f"{path}.wrap_until", now)
    if record.delay_until is not None:
        out.future(record.delay_until, f"{path}.delay_until", now)
    out.check(check_count, record.no_answer_streak, f"{path}.no_answer_streak", high=MAX_SEQ)
    usable = True
    for field in ("connected", "offered"):
        value = getattr(record, field)
        usable &= isinstance(value, list | tuple)
        ids = out.items(value, f"{path}.{field}")
        for index, contact_id in enumerate(ids):
            usable &= out.check(check_text, contact_id, f"{path}.{field}[{index}]")
        if usable and len(set(ids)) != len(ids):
            out.add(f"{path}.{field}", "lists a contact twice")
    if record.logged_in is False:
        held = [
            name
            for name in ("not_ready", "wrap_until", "delay_until", "connected", "offered")
            if getattr(record, name)
        ]
        if held:
            out.add(path, f"a logged-out agent has no {', '.join(held)}")
    elif record.offered and (record.not_ready is not None or record.wrap_until is not None):
        out.add(f"{path}.offered", "an agent not ready or in wrap-up is offered nothing")
    return usable


def _flag(value: object, what: str) -> None:
    if not isinstance(value, bool):
        raise InvalidInputError(f"{what} must be true or false, got {_type_name(value)}")


def _enum(enum_type: type[Any]) -> Callable[[object, str], object]:
    def run(value: object, what: str) -> object:
        return check_enum(value, enum_type, what)

    return run


def _snapshot_contacts(  # noqa: PLR0913 - the parts already checked
    records: object,
    queues: Mapping[str, QueueConfig],
    agents: Mapping[str, AgentRecord],
    now: datetime | None,
    seq: int,
    out: _Problems,
) -> dict[str, ContactRecord]:
    contacts: dict[str, ContactRecord] = {}
    for number, record in enumerate(out.items(records, "contacts")):
        path = f"contacts[{number}]"
        if not isinstance(record, ContactRecord):
            out.add(path, f"expected a ContactRecord, got {_type_name(record)}")
            continue
        if not out.check(check_text, record.contact_id, f"{path}.contact_id"):
            continue
        if record.contact_id in contacts:
            out.add(f"{path}.contact_id", f"duplicate contact id {record.contact_id!r}")
            continue
        queue = queues.get(record.queue) if isinstance(record.queue, str) else None
        if queue is None:
            out.add(f"{path}.queue", f"unknown queue {record.queue!r:.60}")
            continue
        if _check_contact(record, path, queue, agents, now, seq, out):
            contacts[record.contact_id] = record
    return contacts


def _check_contact(  # noqa: PLR0913 - the parts already checked
    record: ContactRecord,
    path: str,
    queue: QueueConfig,
    agents: Mapping[str, AgentRecord],
    now: datetime | None,
    seq: int,
    out: _Problems,
) -> bool:
    """Check one contact's fields; return whether its offers and agent can be cross-checked."""
    out.check(check_count, record.priority, f"{path}.priority", low=-MAX_NUMBER, high=MAX_NUMBER)
    out.check(check_skill_map, record.skills, f"{path}.skills")
    arrived = record.arrived if out.instant(record.arrived, f"{path}.arrived", until=now) else None
    joined = (
        record.joined
        if out.instant(record.joined, f"{path}.joined", after=arrived, until=now)
        else None
    )
    out.check(check_count, record.seq, f"{path}.seq", low=1, high=seq)
    out.check(check_count, record.stage, f"{path}.stage", high=len(queue.escalation))
    out.check(_flag, record.callback, f"{path}.callback")
    if record.last_tried is not None:
        out.check(check_text, record.last_tried, f"{path}.last_tried")
    if not out.check(_enum(ContactStatus), record.status, f"{path}.status"):
        return False
    offers = out.items(record.offers, f"{path}.offers")
    if record.status is ContactStatus.CONNECTED:
        agent = agents.get(record.agent_id) if isinstance(record.agent_id, str) else None
        if agent is None:
            out.add(f"{path}.agent_id", f"a connected contact needs a known agent, got {record.agent_id!r:.60}")
        elif not agent.logged_in:
            out.add(f"{path}.agent_id", f"agent {record.agent_id!r} is logged out")
        if record.answered_at is None:
            out.add(f"{path}.answered_at", "a connected contact has an answer time")
        else:
            out.instant(record.answered_at, f"{path}.answered_at", after=joined, until=now)
        if offers:
            out.add(f"{path}.offers", "a connected contact rings at no agent")
        return agent is not None
    for name in ("agent_id", "answered_at"):
        if getattr(record, name) is not None:
            out.add(f"{path}.{name}", f"only a connected contact has one ({record.status.value})")
    if not isinstance(record.offers, list | tuple):
        return False
    if (record.status is ContactStatus.OFFERED) != bool(offers):
        out.add(f"{path}.offers", f"a contact {record.status.value} has {len(offers)} offers")
    ringing: set[str] = set()
    usable = True
    for index, offer in enumerate(offers):
        where = f"{path}.offers[{index}]"
        if not isinstance(offer, Offer):
            out.add(where, f"expected an Offer, got {_type_name(offer)}")
            usable = False
            continue
        _check_offer(offer, where, record, queue, agents, now, out)
        if not isinstance(offer.agent_id, str):
            usable = False
        elif offer.agent_id in ringing:
            out.add(f"{where}.agent_id", f"a second offer to {offer.agent_id!r}")
        else:
            ringing.add(offer.agent_id)
    return usable


def _check_offer(  # noqa: PLR0913 - the parts already checked
    offer: Offer,
    path: str,
    contact: ContactRecord,
    queue: QueueConfig,
    agents: Mapping[str, AgentRecord],
    now: datetime | None,
    out: _Problems,
) -> None:
    if offer.contact_id != contact.contact_id:
        out.add(f"{path}.contact_id", f"an offer of {contact.contact_id!r} names {offer.contact_id!r:.60}")
    if offer.queue != queue.name or offer.channel != queue.channel:
        out.add(path, f"an offer of a contact in {queue.name!r} is made from that queue, on its channel")
    out.check(_flag, offer.callback, f"{path}.callback")
    agent = agents.get(offer.agent_id) if isinstance(offer.agent_id, str) else None
    if agent is None:
        out.add(f"{path}.agent_id", f"unknown agent {offer.agent_id!r:.60}")
    elif not agent.logged_in:
        out.add(f"{path}.agent_id", f"agent {offer.agent_id!r} is logged out")
    made = out.instant(offer.offered_at, f"{path}.offered_at", until=now)
    expires = out.future(offer.expires_at, f"{path}.expires_at", now)
    if made and expires and offer.expires_at <= offer.offered_at:
        out.add(f"{path}.expires_at", "an offer expires after it was made")


def _cross_check_agents(
    agents: Mapping[str, AgentRecord], contacts: Mapping[str, ContactRecord], out: _Problems
) -> None:
    """Each agent's lists of contacts agree with the contacts' own records, both ways."""
    for number, (agent_id, record) in enumerate(agents.items()):
        path = f"agents[{number}]"
        for contact_id in record.connected:
            contact = contacts.get(contact_id)
            if contact is None or contact.agent_id != agent_id:
                out.add(f"{path}.connected", f"contact {contact_id!r} is not connected to it")
        for contact_id in record.offered:
            contact = contacts.get(contact_id)
            if contact is None or all(offer.agent_id != agent_id for offer in contact.offers):
                out.add(f"{path}.offered", f"contact {contact_id!r} is not offered to it")
    for number, (contact_id, contact) in enumerate(contacts.items()):
        path = f"contacts[{number}]"
        if contact.status is ContactStatus.CONNECTED:
            agent = agents[contact.agent_id]  # type: ignore[index] # checked: a known agent
            if contact_id not in agent.connected:
                out.add(f"{path}.agent_id", f"agent {contact.agent_id!r} does not list it")
        for offer in contact.offers:  # checked: offers to known agents, by id
            holder = agents.get(offer.agent_id)
            if holder is not None and contact_id not in holder.offered:
                out.add(f"{path}.offers", f"agent {offer.agent_id!r} does not list the offer")


def _snapshot_pointers(
    records: object,
    queues: Mapping[str, QueueConfig],
    agents: Mapping[str, AgentRecord],
    strategies: Mapping[str, Strategy],
    out: _Problems,
) -> None:
    seen: set[str] = set()
    for number, record in enumerate(out.items(records, "pointers")):
        path = f"pointers[{number}]"
        if not isinstance(record, PointerRecord):
            out.add(path, f"expected a PointerRecord, got {_type_name(record)}")
            continue
        queue = queues.get(record.queue) if isinstance(record.queue, str) else None
        strategy = strategies.get(queue.strategy) if queue is not None else None
        if queue is None or strategy is None:
            out.add(f"{path}.queue", f"unknown queue {record.queue!r:.60}")
            continue
        if record.queue in seen:
            out.add(f"{path}.queue", f"a second place for queue {record.queue!r}")
        seen.add(record.queue)
        if strategy.memory is not StrategyMemory.QUEUE:
            out.add(f"{path}.queue", f"queue {record.queue!r} keeps no place (its strategy does not)")
            continue
        agent = agents.get(record.agent_id) if isinstance(record.agent_id, str) else None
        if agent is None:
            out.add(f"{path}.agent_id", f"unknown agent {record.agent_id!r:.60}")
            continue
        rank = _parse_rank(record.rank, f"{path}.rank", out)
        if rank is not None:
            _check_rank_kinds(rank, _reference_rank(agent, queue.name, strategy), f"{path}.rank", out)


def _parse_rank(text: object, path: str, out: _Problems) -> Rank | None:
    """The rank written by ``rank_to_json``, or ``None`` (noted) if it is not one."""
    if not out.check(check_text, text, path, max_length=MAX_TEXT):
        return None
    try:
        items = json.loads(text)  # type: ignore[arg-type]
    except (ValueError, RecursionError):
        out.add(path, "not a JSON list")
        return None
    if not isinstance(items, list):
        out.add(path, f"expected a JSON list, got {_type_name(items)}")
        return None
    rank: list[int | float | str | datetime] = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if isinstance(item, dict) and list(item) == ["datetime"] and isinstance(item["datetime"], str):
            try:
                moment = datetime.fromisoformat(item["datetime"])
            except ValueError:
                out.add(where, f"not an ISO 8601 date and time: {item['datetime']!r:.60}")
                return None
            if not out.check(check_instant, moment, where):
                return None
            rank.append(moment)
        elif isinstance(item, str | int | float) and item == item:  # noqa: PLR0124 - NaN has no order
            rank.append(item)
        else:
            out.add(where, "expected a number, a text or {'datetime': ...}, not NaN")
            return None
    return tuple(rank)


def _reference_rank(record: AgentRecord, queue: str, strategy: Strategy) -> Rank:
    """The rank the queue's strategy gives the pointer's agent: the shape a place must have."""
    members = {member.queue: member for member in record.profile.memberships}
    agent = Agent(
        profile=record.profile,
        idle_since=record.idle_since,
        answered=record.answered,
        talk_seconds=record.talk_seconds,
        draw=record.draw,
    )
    return strategy.rank(agent, members.get(queue, Membership(queue=queue)), frozenset())


def _kind(item: object) -> str:
    if isinstance(item, datetime):
        return "a datetime"
    return "a text" if isinstance(item, str) else "a number"


def _check_rank_kinds(rank: Rank, reference: Rank, path: str, out: _Problems) -> None:
    """A place is compared with the ranks of the queue's agents: it must have their shape."""
    kinds = [_kind(item) for item in rank]
    wanted = [_kind(item) for item in reference]
    if kinds != wanted:
        out.add(path, f"expected {len(wanted)} items ({', '.join(wanted)}) as the strategy ranks")
