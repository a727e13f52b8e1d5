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

from callcore.acd._callbacks import (
    CALLBACK_HORIZON,
    MAX_ATTEMPTS,
    MAX_RETRY_SPACING,
    ScheduledCallback,
)
from callcore.acd._events import Offer
from callcore.acd._live import Agent
from callcore.acd._model import (
    MAX_NUMBER,
    AgentProfile,
    ContactStatus,
    Membership,
    NotReadyReason,
    OverflowAction,
    QueueConfig,
)
from callcore.acd._snapshot import (
    AbandonedRecord,
    AgentRecord,
    ContactRecord,
    PointerRecord,
    RouterSnapshot,
)
from callcore.acd._strategy import CAPABILITIES, Strategy, StrategyMemory
from callcore.checks import (
    EARLIEST,
    LATEST,
    MAX_DURATION,
    check_count,
    check_duration,
    check_enum,
    check_instant,
    check_number,
    check_text,
)
from callcore.contacts import check_skills
from callcore.errors import InvalidInputError, Problem

if TYPE_CHECKING:
    from callcore.acd._strategy import Rank

__all__ = ["check_strategies", "validate_profile", "validate_queues", "validate_snapshot"]

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


def validate_queues(queues: Iterable[QueueConfig], strategies: Collection[str]) -> list[Problem]:
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
    configs: list[object] = list(queues)
    problems = [
        Problem(f"[{number}]", f"expected a QueueConfig, got {_type_name(queue)}")
        for number, queue in enumerate(configs)
        if not isinstance(queue, QueueConfig)
    ]
    if problems:
        return problems
    checked = [queue for queue in configs if isinstance(queue, QueueConfig)]
    names = {queue.name for queue in checked}
    seen: set[str] = set()
    for number, queue in enumerate(checked):
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


def validate_profile(profile: AgentProfile, queues: Collection[str]) -> list[Problem]:
    """Check an agent profile against the queues that exist.

    The profile checked its own fields when it was built; this checks that
    each membership names a queue that exists, once.

    Returns:
        The problems (an empty list when the profile is sound).
    """
    given: object = profile
    if not isinstance(given, AgentProfile):
        return [Problem("", f"expected an AgentProfile, got {_type_name(given)}")]
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
        for capability, default in CAPABILITIES.items():
            if not isinstance(getattr(strategy, capability, default), bool):
                raise InvalidInputError(
                    f"{what}.{capability} must be true or false", field=f"{what}.{capability}"
                )
    return dict(strategies)


# --- snapshots ------------------------------------------------------------------


def _flag(value: object, what: str) -> None:
    if not isinstance(value, bool):
        raise InvalidInputError(f"{what} must be true or false, got {_type_name(value)}")


def _member_of(enum_type: type[Any]) -> Callable[[object, str], object]:
    def run(value: object, what: str) -> object:
        return check_enum(value, enum_type, what)

    return run


def _pending(value: object, what: str) -> None:
    """A timer's due time: an instant from 1900 up to a duration after 2999."""
    aware = isinstance(value, datetime) and value.utcoffset() is not None
    if aware and LATEST <= value < LATEST + MAX_DURATION:  # type: ignore[operator]
        return  # an accepted instant plus an accepted duration
    check_instant(value, what)


class _SnapshotCheck:
    """One pass over a snapshot, collecting every problem with its path."""

    def __init__(self, snapshot: RouterSnapshot, strategies: Mapping[str, Strategy]) -> None:
        self.found: list[Problem] = []
        self.strategies = strategies
        now: object = snapshot.now
        self.now: datetime | None = (
            snapshot.now if now is None or self.check(check_instant, now, "now") else None
        )
        self.seq = snapshot.seq if self.check(check_count, snapshot.seq, "seq", high=MAX_SEQ) else 0
        self.queues: dict[str, QueueConfig] = {}
        self.agents: dict[str, AgentRecord] = {}
        self.contacts: dict[str, ContactRecord] = {}

    # --- collecting ---

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

    def items(self, value: object, path: str) -> list[Any] | None:
        """``value``'s items if it is a list or tuple (noted, ``None``, otherwise)."""
        if isinstance(value, list | tuple):
            return list(value)
        self.add(path, f"expected a list, got {_type_name(value)}")
        return None

    def by_queue(self, value: object, path: str) -> list[tuple[str, Any]]:
        """``value``'s items if it is a mapping keyed by known queue names (others noted)."""
        if not isinstance(value, Mapping):
            self.add(path, f"expected a mapping of queue names, got {_type_name(value)}")
            return []
        found = []
        for name, item in value.items():
            if name in self.queues:
                found.append((name, item))
            else:
                self.add(path, f"unknown queue {name!r:.60}")
        return found

    def past(self, value: object, path: str, after: datetime | None = None) -> datetime | None:
        """An instant at or before the snapshot's time (and not before ``after``), or None."""
        if not self.check(check_instant, value, path):
            return None
        moment: datetime = value  # type: ignore[assignment] # checked
        if self.now is not None and moment > self.now:
            self.add(path, f"is later than the snapshot's time now ({self.now.isoformat()})")
            return None
        if after is not None and moment < after:
            self.add(path, f"is earlier than {after.isoformat()}")
            return None
        return moment

    def future(self, value: object, path: str) -> datetime | None:
        """A timer's due time, after the snapshot's time (or None, noted)."""
        if not self.check(_pending, value, path):
            return None
        moment: datetime = value  # type: ignore[assignment] # checked
        if self.now is not None and moment <= self.now:
            self.add(
                path,
                f"is not after the snapshot's time now ({self.now.isoformat()}): its timer "
                "would have run already",
            )
            return None
        return moment

    # --- the parts ---

    def run(self, snapshot: RouterSnapshot) -> list[Problem]:
        self.random_state(snapshot.random_state)
        self.queue_configs(snapshot.queues)
        for number, record in enumerate(self.items(snapshot.agents, "agents") or ()):
            self.agent(record, f"agents[{number}]")
        for number, record in enumerate(self.items(snapshot.contacts, "contacts") or ()):
            self.contact(record, f"contacts[{number}]")
        self.agree()
        seen: set[str] = set()
        for number, record in enumerate(self.items(snapshot.pointers, "pointers") or ()):
            self.pointer(record, f"pointers[{number}]", seen)
        self.queue_state(snapshot)
        self.offer_ids(snapshot)
        self.targets()
        self.abandoned(snapshot)
        self.callbacks(snapshot)
        if self.now is None and (self.agents or self.contacts or seen or snapshot.empty_since):
            self.add("now", "a router with agents or contacts has seen a time: now must be set")
        return self.found

    def random_state(self, state: object) -> None:
        words = self.items(state, "random_state")
        if words is None:
            return
        if len(words) != _MT_WORDS + 1:
            self.add("random_state", f"expected {_MT_WORDS + 1} whole numbers, got {len(words)}")
            return
        for index, word in enumerate(words[:-1]):
            if not self.check(check_count, word, f"random_state[{index}]", high=2**32 - 1):
                return
        if self.check(check_count, words[-1], f"random_state[{_MT_WORDS}]", high=_MT_WORDS):
            try:
                random.Random().setstate((3, tuple(words), None))
            except (ValueError, TypeError, OverflowError) as error:  # pragma: no cover
                self.add("random_state", f"not a state of the random source: {error}")

    def queue_configs(self, configs: object) -> None:
        items = self.items(configs, "queues")
        if items is None:
            return
        problems = validate_queues(items, self.strategies)
        self.found.extend(Problem(f"queues{problem.path}", problem.message) for problem in problems)
        self.queues = {queue.name: queue for queue in items if isinstance(queue, QueueConfig)}

    def agent(self, record: object, path: str) -> None:
        if not isinstance(record, AgentRecord):
            self.add(path, f"expected an AgentRecord, got {_type_name(record)}")
            return
        profile: object = record.profile
        if not isinstance(profile, AgentProfile):
            self.add(f"{path}.profile", f"expected an AgentProfile, got {_type_name(profile)}")
            return
        self.found.extend(
            Problem(f"{path}.profile.{problem.path}", problem.message)
            for problem in validate_profile(profile, self.queues)
        )
        if profile.agent_id in self.agents:
            self.add(f"{path}.profile.agent_id", f"duplicate agent id {profile.agent_id!r}")
            return
        self.agent_fields(record, path)
        if self.agent_lists(record, path):
            self.agents[profile.agent_id] = record

    def agent_fields(self, record: AgentRecord, path: str) -> None:
        self.check(_flag, record.logged_in, f"{path}.logged_in")
        if record.not_ready is not None:
            self.check(_member_of(NotReadyReason), record.not_ready, f"{path}.not_ready")
        self.past(record.idle_since, f"{path}.idle_since")
        self.check(check_count, record.answered, f"{path}.answered", high=MAX_SEQ)
        self.check(check_duration, record.talk_time, f"{path}.talk_time", maximum=timedelta.max)
        if record.last_offered is not None:
            self.past(record.last_offered, f"{path}.last_offered")
        self.check(check_number, record.draw, f"{path}.draw", low=0)
        for name, base in self.by_queue(record.race_base, f"{path}.race_base"):
            self.check(check_number, base, f"{path}.race_base.{name}", low=0)
        if record.wrap_until is not None:
            self.future(record.wrap_until, f"{path}.wrap_until")
        if record.delay_until is not None:
            self.future(record.delay_until, f"{path}.delay_until")
        self.check(check_count, record.no_answer_streak, f"{path}.no_answer_streak", high=MAX_SEQ)
        if record.state_since is not None:
            self.past(record.state_since, f"{path}.state_since")
        if record.logged_in is False:
            held = [
                name
                for name in ("not_ready", "wrap_until", "delay_until", "connected", "offered")
                if getattr(record, name)
            ]
            if held:
                self.add(path, f"a logged-out agent has no {', '.join(held)}")
        elif record.offered and (record.not_ready is not None or record.wrap_until is not None):
            self.add(f"{path}.offered", "an agent not ready or in wrap-up is offered nothing")

    def agent_lists(self, record: AgentRecord, path: str) -> bool:
        """Check its lists of contacts (text ids, each once); whether they can be used."""
        usable = True
        for field in ("connected", "offered"):
            ids = self.items(getattr(record, field), f"{path}.{field}")
            if ids is None:
                usable = False
                continue
            texts = [
                self.check(check_text, contact_id, f"{path}.{field}[{index}]")
                for index, contact_id in enumerate(ids)
            ]
            if not all(texts):
                usable = False
            elif len(set(ids)) != len(ids):
                self.add(f"{path}.{field}", "lists a contact twice")
        return usable

    def contact(self, record: object, path: str) -> None:
        if not isinstance(record, ContactRecord):
            self.add(path, f"expected a ContactRecord, got {_type_name(record)}")
            return
        contact_id: object = record.contact_id
        if not self.check(check_text, contact_id, f"{path}.contact_id"):
            return
        if contact_id in self.contacts:
            self.add(f"{path}.contact_id", f"duplicate contact id {contact_id!r}")
            return
        name: object = record.queue
        queue = self.queues.get(name) if isinstance(name, str) else None
        if queue is None:
            self.add(f"{path}.queue", f"unknown queue {name!r:.60}")
            return
        joined = self.contact_fields(record, path, queue)
        status: object = record.status
        if not self.check(_member_of(ContactStatus), status, f"{path}.status"):
            return
        if status is ContactStatus.CONNECTED:
            usable = self.connected(record, path, joined)
        else:
            usable = self.waiting(record, path, queue)
        if usable:
            self.contacts[record.contact_id] = record

    def contact_fields(
        self, record: ContactRecord, path: str, queue: QueueConfig
    ) -> datetime | None:
        """Check the plain fields; return when it joined its queue, if that is sound."""
        self.check(
            check_count, record.priority, f"{path}.priority", low=-MAX_NUMBER, high=MAX_NUMBER
        )
        self.check(check_skills, record.skills, f"{path}.skills")
        self.check(check_text, record.language, f"{path}.language", allow_empty=True)
        arrived = self.past(record.arrived, f"{path}.arrived")
        joined = self.past(record.joined, f"{path}.joined", after=arrived)
        self.check(check_count, record.seq, f"{path}.seq", low=1, high=max(self.seq, 1))
        self.check(check_count, record.stage, f"{path}.stage", high=len(queue.escalation))
        self.check(_flag, record.callback, f"{path}.callback")
        if record.last_tried is not None:
            self.check(check_text, record.last_tried, f"{path}.last_tried")
        return joined

    def connected(self, record: ContactRecord, path: str, joined: datetime | None) -> bool:
        agent_id: object = record.agent_id
        agent = self.agents.get(agent_id) if isinstance(agent_id, str) else None
        if agent is None:
            self.add(
                f"{path}.agent_id", f"a connected contact needs a known agent: {agent_id!r:.60}"
            )
        elif not agent.logged_in:
            self.add(f"{path}.agent_id", f"agent {agent_id!r} is logged out")
        if record.answered_at is None:
            self.add(f"{path}.answered_at", "a connected contact has an answer time")
        else:
            self.past(record.answered_at, f"{path}.answered_at", after=joined)
        if record.offers:
            self.add(f"{path}.offers", "a connected contact rings at no agent")
        return agent is not None

    def waiting(self, record: ContactRecord, path: str, queue: QueueConfig) -> bool:
        for name in ("agent_id", "answered_at"):
            if getattr(record, name) is not None:
                self.add(
                    f"{path}.{name}", f"only a connected contact has one ({record.status.value})"
                )
        offers = self.items(record.offers, f"{path}.offers")
        if offers is None:
            return False
        if (record.status is ContactStatus.OFFERED) != bool(offers):
            self.add(f"{path}.offers", f"a contact {record.status.value} has {len(offers)} offers")
        ringing: set[str] = set()
        usable = True
        for index, offer in enumerate(offers):
            where = f"{path}.offers[{index}]"
            if not isinstance(offer, Offer):
                self.add(where, f"expected an Offer, got {_type_name(offer)}")
                usable = False
                continue
            agent_id: object = offer.agent_id
            if not isinstance(agent_id, str):
                self.add(f"{where}.agent_id", f"expected a string, got {_type_name(agent_id)}")
                usable = False
                continue
            self.offer(offer, where, record, queue)
            if agent_id in ringing:
                self.add(f"{where}.agent_id", f"a second offer to {agent_id!r}")
            ringing.add(agent_id)
        return usable

    def offer(self, offer: Offer, path: str, contact: ContactRecord, queue: QueueConfig) -> None:
        if offer.contact_id != contact.contact_id:
            self.add(f"{path}.contact_id", f"an offer of {contact.contact_id!r} names another")
        if offer.queue != queue.name or offer.channel != queue.channel:
            self.add(
                path, f"an offer of a contact in {queue.name!r} is made on that queue's channel"
            )
        self.check(_flag, offer.callback, f"{path}.callback")
        agent = self.agents.get(offer.agent_id)
        if agent is None:
            self.add(f"{path}.agent_id", f"unknown agent {offer.agent_id!r:.60}")
        elif not agent.logged_in:
            self.add(f"{path}.agent_id", f"agent {offer.agent_id!r} is logged out")
        made = self.past(offer.offered_at, f"{path}.offered_at")
        expires = self.future(offer.expires_at, f"{path}.expires_at")
        if made is not None and expires is not None and expires <= made:
            self.add(f"{path}.expires_at", "an offer expires after it was made")

    def agree(self) -> None:
        """Each agent's lists of contacts agree with the contacts' own records, both ways."""
        for number, (agent_id, record) in enumerate(self.agents.items()):
            path = f"agents[{number}]"
            for contact_id in record.connected:
                contact = self.contacts.get(contact_id)
                if contact is None or contact.agent_id != agent_id:
                    self.add(f"{path}.connected", f"contact {contact_id!r} is not connected to it")
            for contact_id in record.offered:
                contact = self.contacts.get(contact_id)
                if contact is None or agent_id not in _ringing(contact):
                    self.add(f"{path}.offered", f"contact {contact_id!r} is not offered to it")
        self.agree_contacts()

    def agree_contacts(self) -> None:
        """Each contact's agent, or the agents it rings at, list it."""
        for number, (contact_id, contact) in enumerate(self.contacts.items()):
            path = f"contacts[{number}]"
            if contact.status is ContactStatus.CONNECTED:  # checked: its agent is known
                if contact_id not in self.agents[contact.agent_id].connected:  # type: ignore[index]
                    self.add(f"{path}.agent_id", f"agent {contact.agent_id!r} does not list it")
                continue
            for agent_id in _ringing(contact):
                holder = self.agents.get(agent_id)
                # an agent saved before agents kept their order of offers lists none
                if holder is not None and holder.offered and contact_id not in holder.offered:
                    self.add(f"{path}.offers", f"agent {agent_id!r} does not list the offer")

    def pointer(self, record: object, path: str, seen: set[str]) -> None:
        if not isinstance(record, PointerRecord):
            self.add(path, f"expected a PointerRecord, got {_type_name(record)}")
            return
        name: object = record.queue
        queue = self.queues.get(name) if isinstance(name, str) else None
        strategy = self.strategies.get(queue.strategy) if queue is not None else None
        if queue is None or strategy is None:
            self.add(f"{path}.queue", f"unknown queue {name!r:.60}")
            return
        if queue.name in seen:
            self.add(f"{path}.queue", f"a second place for queue {queue.name!r}")
        seen.add(queue.name)
        if strategy.memory is not StrategyMemory.QUEUE:
            self.add(
                f"{path}.queue", f"queue {queue.name!r} keeps no place (its strategy does not)"
            )
            return
        agent_id: object = record.agent_id
        if not self.check(check_text, agent_id, f"{path}.agent_id"):
            return
        # a place is a position in the strategy's order: its agent may have been removed
        known: str = agent_id  # type: ignore[assignment] # checked
        agent = self.agents.get(known) or _placeholder(known, queue.name)
        rank = self.rank(record.rank, f"{path}.rank")
        if rank is None:
            return
        kinds = [_kind(item) for item in rank]
        wanted = [_kind(item) for item in _reference_rank(agent, queue.name, strategy)]
        if kinds != wanted:
            shape = ", ".join(wanted)
            self.add(
                f"{path}.rank", f"expected {len(wanted)} items ({shape}) as the strategy ranks"
            )

    def rank(self, text: object, path: str) -> Rank | None:
        """The rank written by ``rank_to_json``, or ``None`` (noted) if it is not one."""
        if not self.check(check_text, text, path):
            return None
        try:
            items = json.loads(text)  # type: ignore[arg-type] # checked
        except (ValueError, RecursionError):
            items = None
        if not isinstance(items, list):
            self.add(path, "expected a JSON list")
            return None
        rank = [self.rank_item(item, f"{path}[{index}]") for index, item in enumerate(items)]
        if any(item is None for item in rank):
            return None
        return tuple(item for item in rank if item is not None)

    def rank_item(self, item: object, path: str) -> int | float | str | datetime | None:
        if isinstance(item, dict) and list(item) == ["datetime"]:
            text = item["datetime"]
            try:
                moment: object = datetime.fromisoformat(text) if isinstance(text, str) else text
            except ValueError:
                moment = text
            return moment if self.check(check_instant, moment, path) else None  # type: ignore[return-value]
        if isinstance(item, str | int | float) and item == item:  # noqa: PLR0124 - NaN has no order
            return item
        self.add(path, "expected a number, a text or {'datetime': ...}, and not NaN")
        return None

    def queue_state(self, snapshot: RouterSnapshot) -> None:
        for name, times in self.by_queue(snapshot.handle_times, "handle_times"):
            path = f"handle_times.{name}"
            items = self.items(times, path) or []
            if len(items) > HANDLE_TIMES:
                self.add(path, f"holds {len(items)} times; a queue keeps the last {HANDLE_TIMES}")
            for index, seconds in enumerate(items):
                self.check(check_number, seconds, f"{path}[{index}]", low=0)
        for name, clock in self.by_queue(snapshot.race_clocks, "race_clocks"):
            self.check(check_number, clock, f"race_clocks.{name}", low=0)
        staffed = {
            member.queue
            for record in self.agents.values()
            if record.logged_in
            for member in record.profile.memberships
        }
        for name, since in self.by_queue(snapshot.empty_since, "empty_since"):
            path = f"empty_since.{name}"
            if self.past(since, path) is not None and name in staffed:
                self.add(path, "the queue has a member logged in, so it is not empty")
        for name, since in self.by_queue(snapshot.unstaffed_since, "unstaffed_since"):
            path = f"unstaffed_since.{name}"
            config = self.queues[name]
            if not config.empty_when or not (
                config.leave_when_empty or config.max_wait_empty is not None
            ):
                self.add(path, "the queue re-checks no empty_when conditions")
            elif self.past(since, path) is not None and name not in staffed:
                self.add(path, "no member of the queue is logged in: empty_since counts then")

    def abandoned(self, snapshot: RouterSnapshot) -> None:
        """Kept places: of a queue that keeps them, for ids not held, each once."""
        records: list[object] = self.items(snapshot.abandoned, "abandoned") or []
        seen: set[str] = set()
        for number, record in enumerate(records):
            path = f"abandoned[{number}]"
            if not isinstance(record, AbandonedRecord):
                self.add(path, f"must be an AbandonedRecord, got {type(record).__name__}")
                continue
            if self.check(check_text, record.contact_id, f"{path}.contact_id"):
                if record.contact_id in seen or record.contact_id in self.contacts:
                    self.add(f"{path}.contact_id", f"{record.contact_id!r} is held or kept already")
                seen.add(record.contact_id)
            queue: object = record.queue  # a loaded document may hold anything
            config = self.queues.get(queue) if isinstance(queue, str) else None
            if config is None or config.resume_abandoned is None:
                self.add(f"{path}.queue", "names no queue that keeps abandoned places")
            self.past(record.arrived, f"{path}.arrived")
            self.check(check_instant, record.until, f"{path}.until")
            self.check(check_count, record.seq, f"{path}.seq", high=MAX_SEQ)

    def callbacks(self, snapshot: RouterSnapshot) -> None:
        """Scheduled callbacks: booked ones are due later, the others are callback contacts."""
        records: list[object] = self.items(snapshot.callbacks, "callbacks") or []
        abandoned: object = snapshot.abandoned  # junk is reported by the abandoned check
        kept = {
            contact_id
            for record in (abandoned if isinstance(abandoned, list | tuple) else ())
            if isinstance(contact_id := getattr(record, "contact_id", None), str)
        }
        seen: set[str] = set()
        for number, record in enumerate(records):
            path = f"callbacks[{number}]"
            if not isinstance(record, ScheduledCallback):
                self.add(path, f"must be a ScheduledCallback, got {type(record).__name__}")
                continue
            callback_id: object = record.callback_id
            if self.check(check_text, callback_id, f"{path}.callback_id"):
                if callback_id in seen or callback_id in kept:
                    self.add(f"{path}.callback_id", f"{callback_id!r:.60} is held twice")
                seen.add(str(callback_id))
            self.callback_fields(record, path)
            self.callback_place(record, path)

    def callback_fields(self, record: ScheduledCallback, path: str) -> None:
        queue: object = record.queue
        if not isinstance(queue, str) or queue not in self.queues:
            self.add(f"{path}.queue", f"no queue {queue!r:.60}")
        self.check(
            check_count, record.priority, f"{path}.priority", low=-MAX_NUMBER, high=MAX_NUMBER
        )
        self.check(check_skills, record.skills, f"{path}.skills")
        self.check(check_text, record.language, f"{path}.language", allow_empty=True)
        self.past(record.scheduled_at, f"{path}.scheduled_at")
        self.check(check_instant, record.requested, f"{path}.requested")
        most: object = record.max_attempts
        if self.check(check_count, most, f"{path}.max_attempts", low=1, high=MAX_ATTEMPTS):
            high = record.max_attempts - 1
            self.check(check_count, record.attempts, f"{path}.attempts", high=high)
        spacing = record.retry_spacing
        self.check(check_duration, spacing, f"{path}.retry_spacing", maximum=MAX_RETRY_SPACING)

    def callback_place(self, record: ScheduledCallback, path: str) -> None:
        """Booked: due after now, within the horizon, in no queue; else a callback contact."""
        callback_id: object = record.callback_id
        contact = self.contacts.get(callback_id) if isinstance(callback_id, str) else None
        if record.due is None:
            if contact is None or contact.callback is not True:
                self.add(f"{path}.due", "a callback in its queue is a callback contact there")
            return
        if contact is not None:
            self.add(f"{path}.due", "a booked callback is in no queue yet")
        due = self.future(record.due, f"{path}.due")
        if due is not None and self.now is not None and due > self.now + CALLBACK_HORIZON:
            self.add(f"{path}.due", f"lies more than {CALLBACK_HORIZON.days} days after now")

    def offer_ids(self, snapshot: RouterSnapshot) -> None:
        """Offer ids are the router's own (``offer-N``, N up to ``offers_made``), each once."""
        made: object = snapshot.offers_made
        if not self.check(check_count, made, "offers_made", high=MAX_SEQ):
            return
        seen: set[str] = set()
        for number, record in enumerate(self.contacts.values()):
            offers: object = record.offers
            if not isinstance(offers, tuple | list):  # junk: named by the contact checks
                continue
            for index, offer in enumerate(offers):
                path = f"contacts[{number}].offers[{index}].offer_id"
                offer_id: object = getattr(offer, "offer_id", "")  # not an Offer: named elsewhere
                if not self.check(check_text, offer_id, path, allow_empty=True) or not offer_id:
                    continue  # saved before offers had ids: the router gives it one
                count = str(offer_id).removeprefix("offer-")
                if not (count.isdigit() and count.isascii() and 1 <= int(count) <= made):  # type: ignore[operator]
                    self.add(
                        path,
                        f"not an id this router gave (offer-1 to offer-{made}): {offer_id!r:.60}",
                    )
                elif offer_id in seen:
                    self.add(path, f"a second offer with id {offer_id!r}")
                seen.add(str(offer_id))

    def targets(self) -> None:
        """A contact transferred to an agent waits for a logged-in agent, until a later time."""
        for number, record in enumerate(self.contacts.values()):
            path = f"contacts[{number}]"
            target: object = record.target
            until: object = record.target_until
            if target is None:
                if until is not None:
                    self.add(f"{path}.target_until", "only a contact with a target waits for it")
                continue
            agent = self.agents.get(target) if isinstance(target, str) else None
            if agent is None or not agent.logged_in:
                self.add(f"{path}.target", f"no logged-in agent {target!r:.60}")
            if record.status is ContactStatus.CONNECTED:
                self.add(f"{path}.target", "a connected contact waits for no agent")
            elif any(offer.agent_id != target for offer in record.offers):
                self.add(f"{path}.offers", "a contact that waits for its agent rings at it only")
            elif until is None and not record.offers:
                self.add(f"{path}.target_until", "a contact that may not wait rings at its agent")
            if until is not None:
                self.future(until, f"{path}.target_until")


def _ringing(contact: ContactRecord) -> set[str]:
    """The agents a (checked) contact rings at."""
    if contact.status is ContactStatus.CONNECTED:
        return set()
    return {offer.agent_id for offer in contact.offers}


def validate_snapshot(
    snapshot: RouterSnapshot, strategies: Mapping[str, Strategy]
) -> list[Problem]:
    """Check a router snapshot as a document: every field, and that its parts agree.

    Every instant lies in the accepted range and on the right side of the
    snapshot's ``now`` (a timer still pending lies after it), so a restored
    router never replays years of time-outs; ids are unique; contacts, offers
    and agents point at each other consistently; counters and numbers are in
    range; the random state and the round-robin places can be used.

    Returns:
        The problems, each with its path (an empty list when the snapshot is sound).
    """
    return _SnapshotCheck(snapshot, strategies).run(snapshot)


def _placeholder(agent_id: str, queue: str) -> AgentRecord:
    """A record for a removed agent that a round-robin place still names (for its rank's shape)."""
    return AgentRecord(
        profile=AgentProfile(agent_id=agent_id, memberships=(Membership(queue=queue),)),
        logged_in=False,
        not_ready=None,
        idle_since=EARLIEST,
        answered=0,
        talk_time=timedelta(0),
        last_offered=None,
        draw=0.0,
        race_base={},
        wrap_until=None,
        delay_until=None,
        no_answer_streak=0,
        connected=(),
    )


def _reference_rank(record: AgentRecord, queue: str, strategy: Strategy) -> Rank:
    """The rank the queue's strategy gives the pointer's agent: the shape a place must have."""
    members = {member.queue: member for member in record.profile.memberships}
    given: object = record.talk_time  # a wrong one is noted elsewhere: the shape matters here
    talk = given if isinstance(given, timedelta) else timedelta(0)
    agent = Agent(
        profile=record.profile,
        idle_since=record.idle_since,
        answered=record.answered,
        talk_time=talk,
        talk_seconds=talk.total_seconds(),
        draw=record.draw,
    )
    return strategy.rank(agent, members.get(queue, Membership(queue=queue)), frozenset())


def _kind(item: object) -> str:
    if isinstance(item, datetime):
        return "a datetime"
    return "a text" if isinstance(item, str) else "a number"
