"""Semantic checks of queue configurations and agent profiles, as lists of problems."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from callcore.acd._model import (
    MAX_LEVEL,
    MIN_LEVEL,
    AgentProfile,
    OverflowAction,
    QueueConfig,
)
from callcore.errors import Problem

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping

    from callcore.acd._snapshot import RouterSnapshot

__all__ = ["check_profile", "check_queues", "check_skills", "check_snapshot"]


def check_skills(skills: Mapping[str, int], path: str) -> list[Problem]:
    """Check that every skill level is an int from 1 to 10."""
    problems = []
    for name, level in skills.items():
        if not name:
            problems.append(Problem(path, f"skill names must be non-empty strings, got {name!r}"))
        elif isinstance(level, bool) or not isinstance(level, int):
            problems.append(Problem(f"{path}.{name}", f"level must be an int, got {level!r}"))
        elif not MIN_LEVEL <= level <= MAX_LEVEL:
            problems.append(
                Problem(f"{path}.{name}", f"level must be {MIN_LEVEL}..{MAX_LEVEL}, got {level}")
            )
    return problems


def _check_positive(value: timedelta | None, path: str, *, zero: bool) -> list[Problem]:
    if value is None or value > timedelta(0) or (zero and value == timedelta(0)):
        return []
    wanted = "zero or positive" if zero else "positive"
    return [Problem(path, f"must be {wanted}, got {value}")]


def _check_queue(
    queue: QueueConfig, path: str, names: Collection[str], strategies: Collection[str]
) -> list[Problem]:
    problems = []
    if queue.strategy not in strategies:
        known = ", ".join(sorted(strategies))
        problems.append(
            Problem(f"{path}.strategy", f"unknown strategy {queue.strategy!r} (known: {known})")
        )
    problems += check_skills(queue.required_skills, f"{path}.required_skills")
    if queue.max_tier is not None and queue.max_tier < 1:
        problems.append(Problem(f"{path}.max_tier", "must be 1 or more"))
    if queue.max_length is not None and queue.max_length < 1:
        problems.append(Problem(f"{path}.max_length", "must be 1 or more"))
    if queue.max_no_answer < 0:
        problems.append(Problem(f"{path}.max_no_answer", "must be 0 (off) or more"))
    problems += _check_positive(queue.max_wait, f"{path}.max_wait", zero=False)
    problems += _check_positive(queue.max_wait_empty, f"{path}.max_wait_empty", zero=False)
    problems += _check_positive(queue.offer_timeout, f"{path}.offer_timeout", zero=False)
    for field in ("wrap_up", "no_answer_delay", "reject_delay", "busy_delay"):
        problems += _check_positive(getattr(queue, field), f"{path}.{field}", zero=True)
    return problems + _check_overflow(queue, path, names) + _check_rules(queue, path, names)


def _check_overflow(queue: QueueConfig, path: str, names: Collection[str]) -> list[Problem]:
    problems = []
    overflow = queue.overflow
    if overflow.action is OverflowAction.QUEUE:
        if overflow.queue not in names or overflow.queue == queue.name:
            problems.append(
                Problem(
                    f"{path}.overflow.queue",
                    f"overflow to a queue needs another existing queue, got {overflow.queue!r}",
                )
            )
    elif overflow.queue is not None:
        problems.append(
            Problem(f"{path}.overflow.queue", f"only used with action 'queue' ({overflow.queue!r})")
        )
    return problems


def _check_rules(queue: QueueConfig, path: str, names: Collection[str]) -> list[Problem]:
    problems = []
    previous = timedelta(0)
    for number, rule in enumerate(queue.escalation):
        where = f"{path}.escalation[{number}]"
        if rule.after < previous:
            problems.append(Problem(f"{where}.after", "rules must be in order of 'after'"))
        previous = max(previous, rule.after)
        if rule.max_tier is not None and rule.max_tier < 1:
            problems.append(Problem(f"{where}.max_tier", "must be 1 or more"))
        problems += check_skills(rule.skill_minimums, f"{where}.skill_minimums")
        if rule.to_queue is not None and (
            rule.to_queue not in names or rule.to_queue == queue.name
        ):
            problems.append(
                Problem(f"{where}.to_queue", f"needs another existing queue, got {rule.to_queue!r}")
            )
    return problems


def check_queues(queues: Iterable[QueueConfig], strategies: Collection[str]) -> list[Problem]:
    """Check a whole queue configuration; every problem is reported with its path.

    Args:
        queues: The queues.
        strategies: The strategy names that exist.

    Returns:
        The problems (an empty list when the configuration is sound).
    """
    configs = list(queues)
    names = [queue.name for queue in configs]
    problems = []
    seen: set[str] = set()
    for number, queue in enumerate(configs):
        path = f"[{number}]"
        if not queue.name:
            problems.append(Problem(f"{path}.name", "must not be empty"))
        if queue.name in seen:
            problems.append(Problem(f"{path}.name", f"duplicate queue name {queue.name!r}"))
        seen.add(queue.name)
        problems += _check_queue(queue, path, names, strategies)
    return problems


def check_profile(profile: AgentProfile, queues: Collection[str]) -> list[Problem]:
    """Check an agent profile against the queues that exist.

    Returns:
        The problems (an empty list when the profile is sound).
    """
    problems = []
    if not profile.agent_id:
        problems.append(Problem("agent_id", "must not be empty"))
    problems += check_skills(profile.skills, "skills")
    seen: set[str] = set()
    for number, member in enumerate(profile.memberships):
        path = f"memberships[{number}]"
        if member.queue not in queues:
            problems.append(Problem(f"{path}.queue", f"unknown queue {member.queue!r}"))
        if member.queue in seen:
            problems.append(Problem(f"{path}.queue", f"duplicate membership of {member.queue!r}"))
        seen.add(member.queue)
        if member.tier < 1:
            problems.append(Problem(f"{path}.tier", "must be 1 or more"))
        if not member.weight > 0:
            problems.append(Problem(f"{path}.weight", "must be positive"))
    for channel, count in profile.capacity.items():
        if count < 0:
            problems.append(Problem(f"capacity.{channel.value}", "must be 0 or more"))
    return problems


def check_snapshot(snapshot: RouterSnapshot) -> list[Problem]:
    """Check that a snapshot's contacts, offers and pointers name known queues and agents."""
    queues = {queue.name for queue in snapshot.queues}
    agents = {record.profile.agent_id: record for record in snapshot.agents}
    problems = [
        Problem(f"agents[{number}].profile.{problem.path}", problem.message)
        for number, record in enumerate(snapshot.agents)
        for problem in check_profile(record.profile, queues)
    ]
    for number, contact in enumerate(snapshot.contacts):
        path = f"contacts[{number}]"
        if contact.queue not in queues:
            problems.append(Problem(f"{path}.queue", f"unknown queue {contact.queue!r}"))
        if contact.agent_id is not None and contact.agent_id not in agents:
            problems.append(Problem(f"{path}.agent_id", f"unknown agent {contact.agent_id!r}"))
        for index, offer in enumerate(contact.offers):
            if offer.agent_id not in agents:
                problems.append(
                    Problem(f"{path}.offers[{index}].agent_id", f"unknown agent {offer.agent_id!r}")
                )
    problems.extend(
        Problem(f"pointers[{number}].queue", f"unknown queue {pointer.queue!r}")
        for number, pointer in enumerate(snapshot.pointers)
        if pointer.queue not in queues
    )
    problems.extend(
        Problem(name, f"unknown queue {name!r}")
        for name in [*snapshot.handle_times, *snapshot.empty_since, *snapshot.race_clocks]
        if name not in queues
    )
    return problems
