"""Ticket engine benchmark against the same workflow written with `transitions`.

Measures, in one run, against the `transitions` library (pip install transitions):

- transitions per second on the default workflow, with guards and a history
  entry (who, when, what, from, to, why) per transition;
- tickets created per second (``transitions`` needs a state machine per ticket);
- memory per ticket with a short history (created + 4 transitions).

Each is measured bare (no SLA) and in the realistic case of a contact centre:
an SLA policy (first response, next response, resolution) on a business
calendar (office hours in Europe/Bucharest, with holidays). The issue's three
goals are printed as ratios: a transition with the SLA against ``transitions``'
bare transition (goal >= 2x), creation with the SLA against ``transitions``'
creation (goal >= 10x), and the memory of a ticket with its clocks against
2 KB (goal < 1). ``--quick`` runs a short smoke test.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from datetime import time as time_of_day
from typing import Any
from zoneinfo import ZoneInfo

from transitions import Machine

from callcore.calendar import BusinessCalendar, Holiday, OpeningRange, WeeklyHours
from callcore.contacts import Channel
from callcore.tickets import (
    DEFAULT_WORKFLOW,
    ActionKind,
    Actor,
    ScheduleFollowUp,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    Ticket,
    TicketEngine,
    TicketSettings,
)

NOW = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
AGENT = Actor("ana", frozenset({"agent"}))
# One loop through the default workflow: 8 transitions back to "open", with the
# guarded "resolve" among them.
CYCLE = (
    ("wait_on_customer", ""),
    ("customer_replied", ""),
    ("hold", ""),
    ("open", ""),
    ("need_follow_up", ""),
    ("open", ""),
    ("resolve", "fixed"),
    ("reopen", ""),
)


_DAY = (OpeningRange(time_of_day(9), time_of_day(17)),)
OFFICE = BusinessCalendar(
    "office",
    ZoneInfo("Europe/Bucharest"),
    WeeklyHours(monday=_DAY, tuesday=_DAY, wednesday=_DAY, thursday=_DAY, friday=_DAY),
    holidays=(Holiday(NOW.date() + timedelta(days=3), "a holiday"),),
)
SLA = TicketSettings(
    sla_policies=(
        SlaPolicy(
            "standard",
            (
                SlaTarget(SlaMetric.FIRST_RESPONSE, timedelta(hours=4)),
                SlaTarget(SlaMetric.NEXT_RESPONSE, timedelta(hours=8)),
                SlaTarget(SlaMetric.RESOLUTION, timedelta(days=3)),
            ),
            calendar="office",
        ),
    )
)


def engine_for(case: str) -> TicketEngine:
    """The engine of a case: ``"bare"`` (no SLA) or ``"sla"`` (the policy on the calendar)."""
    if case == "bare":
        return TicketEngine()
    return TicketEngine(settings=SLA, calendars={"office": OFFICE})


# --- the baseline: the default workflow written with `transitions` ------------


class TransitionsTicket:
    """A ticket model for `transitions`: the workflow's guards, history and actions.

    It does what callcore's engine does on the benchmark loop: a history entry
    per transition (when, ticket, who, what, field, from, to, why), the
    follow-up the ``need_follow_up`` transition schedules (its own history entry
    and a ``ScheduleFollowUp`` action), clearing a pending follow-up on the next
    transition (another entry), ``resolved_at``, ``reopen_count`` and the next
    time something is due (follow-up or auto-close).
    """

    def __init__(self, ticket_id: str, assignee: str) -> None:
        self.id = ticket_id
        self.assignee = assignee
        self.history: list[tuple[Any, ...]] = []
        self.actions: tuple[ScheduleFollowUp, ...] = ()
        self.follow_up_due: datetime | None = None
        self.resolved_at: datetime | None = None
        self.reopen_count = 0
        self.next_due: datetime | None = None
        self.state: str

    def has_note(self, event: Any) -> bool:
        return bool(event.kwargs.get("note", "").strip())

    def by_assignee_or_supervisor(self, event: Any) -> bool:
        by = event.kwargs["by"]
        return bool(by.id == self.assignee or by.has_role("supervisor", "system"))

    def clear_follow_up(self, event: Any) -> None:
        self.actions = ()
        if self.follow_up_due is not None:
            kwargs = event.kwargs
            self.history.append(
                (kwargs["now"], self.id, kwargs["by"].id, event.event.name, "follow_up_due",
                 self.follow_up_due.isoformat(), None, "")
            )  # fmt: skip
            self.follow_up_due = None

    def schedule_follow_up(self, event: Any) -> None:
        kwargs = event.kwargs
        due = kwargs["now"] + FOLLOW_UP_AFTER
        self.follow_up_due = due
        self.history.append(
            (kwargs["now"], self.id, kwargs["by"].id, "schedule_follow_up", "follow_up_due",
             None, due.isoformat(), "")
        )  # fmt: skip
        self.actions = (ScheduleFollowUp(self.id, due),)

    def record(self, event: Any) -> None:
        kwargs = event.kwargs
        now = kwargs["now"]
        source, dest = event.transition.source, event.transition.dest
        self.history.append(
            (now, self.id, kwargs["by"].id, event.event.name, "state", source, dest,
             kwargs.get("note", ""))
        )  # fmt: skip
        if dest == "resolved":
            self.resolved_at = now
        elif source == "resolved":
            self.reopen_count += 1
        closing = now + AUTO_CLOSE_AFTER if dest == "resolved" else None
        due = self.follow_up_due
        self.next_due = min(due, closing) if due and closing else due or closing


FOLLOW_UP_AFTER = next(
    action.after for move in DEFAULT_WORKFLOW.transitions for action in move.actions
    if action.kind is ActionKind.SCHEDULE_FOLLOW_UP
)  # fmt: skip
AUTO_CLOSE_AFTER = DEFAULT_WORKFLOW.auto_close_after or timedelta(days=4)


def _transitions_spec() -> list[dict[str, Any]]:
    spec = []
    for move in DEFAULT_WORKFLOW.transitions:
        entry: dict[str, Any] = {
            "trigger": move.name,
            "source": list(move.sources),
            "dest": move.target,
        }
        if move.guards:
            entry["conditions"] = ["has_note", "by_assignee_or_supervisor"]
        if any(action.kind is ActionKind.SCHEDULE_FOLLOW_UP for action in move.actions):
            entry["after"] = "schedule_follow_up"
        spec.append(entry)
    return spec


STATES = [state.name for state in DEFAULT_WORKFLOW.states]
SPEC = _transitions_spec()
MACHINE_OPTIONS: dict[str, Any] = {
    "states": STATES,
    "transitions": SPEC,
    "initial": "new",
    "send_event": True,
    "before_state_change": "clear_follow_up",
    "after_state_change": "record",
    "auto_transitions": False,
}


def transitions_ticket(ticket_id: str, machine: Machine | None = None) -> TransitionsTicket:
    """A new ticket with its own ``Machine`` or, given one, added to a shared one."""
    model = TransitionsTicket(ticket_id, AGENT.id)
    if machine is None:
        Machine(model, **MACHINE_OPTIONS)
    else:
        machine.add_model(model)
    model.history.append((NOW, ticket_id, AGENT.id, "created", "state", None, "new", ""))
    return model


# --- measurements -------------------------------------------------------------------


def round_rates(*runs: Callable[[], int], repeats: int) -> list[list[float]]:
    """Operations per second of each run in each of ``repeats`` rounds.

    Within a round the runs follow each other, so that a burst of load on a
    shared machine hits all alike.
    """
    rounds = []
    for _ in range(repeats):
        rates = []
        for run in runs:
            gc.collect()
            start = time.perf_counter()
            count = run()
            rates.append(count / (time.perf_counter() - start))
        rounds.append(rates)
    return rounds


def ratios(rounds: list[list[float]], baseline: int = 1) -> tuple[float, float]:
    """The ratio of the best rates, and the median ratio within a round, of run 0 to baseline."""
    best = max(r[0] for r in rounds) / max(r[baseline] for r in rounds)
    return best, statistics.median(r[0] / r[baseline] for r in rounds)


def transition_rates(loops: int, repeats: int, case: str = "bare") -> list[list[float]]:
    """Transitions per second, per round: [callcore, transitions]."""
    engine = engine_for(case)
    step = timedelta(seconds=1)

    def run_callcore() -> int:
        ticket = engine.create(
            id="T", subject="s", channel=Channel.VOICE, customer="c", now=NOW, assignee="ana"
        ).ticket
        engine.apply(ticket, "open", by=AGENT, now=NOW)
        apply = engine.apply
        now = NOW
        for _ in range(loops):
            for name, note in CYCLE:
                now += step
                apply(ticket, name, by=AGENT, now=now, note=note)
        assert len(ticket.history) >= 2 + loops * (len(CYCLE) + 2)  # + follow-up entries
        return loops * len(CYCLE)

    def run_transitions() -> int:
        model = transitions_ticket("T")
        model.trigger("open", by=AGENT, now=NOW)  # type: ignore[attr-defined]
        trigger = model.trigger  # type: ignore[attr-defined]
        now = NOW
        for _ in range(loops):
            for name, note in CYCLE:
                now += step
                trigger(name, by=AGENT, now=now, note=note)
        assert len(model.history) == 2 + loops * (len(CYCLE) + 2)
        return loops * len(CYCLE)

    return round_rates(run_callcore, run_transitions, repeats=repeats)


def creation_rates(count: int, repeats: int, case: str = "bare") -> list[list[float]]:
    """Tickets created per second, per round: [callcore, transitions, shared Machine].

    The baseline gives each ticket its own ``Machine``, as the issue measured;
    a ``Machine`` shared through ``add_model`` is printed for information (its
    cost grows with the number of models it holds, so a fresh one per run).
    """
    engine = engine_for(case)
    # each ticket at its own instant, a second apart (as tickets arrive): the SLA
    # meter remembers deadlines by (start, time left), which must not serve one
    # ticket's from another's created at the same instant
    instants = [NOW + timedelta(seconds=number) for number in range(count)]

    def run_callcore() -> int:
        create = engine.create
        for number in range(count):
            create(
                id=f"T-{number}", subject="Cannot log in", channel=Channel.VOICE,
                customer="c", now=instants[number], assignee="ana",
            )  # fmt: skip
        return count

    def run_transitions() -> int:
        for number in range(count // 20 or 1):
            transitions_ticket(f"T-{number}")
        return count // 20 or 1

    def run_shared_machine() -> int:
        machine = Machine(None, **MACHINE_OPTIONS)
        for number in range(count // 20 or 1):
            transitions_ticket(f"T-{number}", machine)
        return count // 20 or 1

    return round_rates(run_callcore, run_transitions, run_shared_machine, repeats=repeats)


def memory_per_ticket(count: int, case: str = "bare") -> tuple[float, float]:
    """Bytes per ticket with created + 4 transitions: (callcore, transitions)."""
    engine = engine_for(case)

    def make_callcore(number: int) -> Ticket:
        ticket = engine.create(
            id=f"T-{number}", subject="Cannot log in", channel=Channel.VOICE,
            customer="c", now=NOW, assignee="ana",
        ).ticket  # fmt: skip
        for name, note in (("open", ""), ("wait_on_customer", ""), ("customer_replied", ""),
                           ("resolve", "fixed")):  # fmt: skip
            engine.apply(ticket, name, by=AGENT, now=NOW, note=note)
        return ticket

    def make_transitions(number: int) -> TransitionsTicket:
        model = transitions_ticket(f"T-{number}")
        for name, note in (("open", ""), ("wait_on_customer", ""), ("customer_replied", ""),
                           ("resolve", "fixed")):  # fmt: skip
            model.trigger(name, by=AGENT, now=NOW, note=note)  # type: ignore[attr-defined]
        return model

    def measure(make: Callable[[int], object], n: int) -> float:
        make(-1)  # warm caches
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        kept = [make(number) for number in range(n)]
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        assert len(kept) == n
        return (after - before) / n

    return measure(make_callcore, count), measure(make_transitions, max(count // 10, 10))


def main() -> None:
    """Run the benchmark and print each figure with its ratio, then the goals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    quick = parser.parse_args().quick
    loops, creations, tickets, repeats = (50, 500, 200, 1) if quick else (1500, 10_000, 5000, 15)

    bare = transition_rates(loops, repeats)
    sla = transition_rates(loops, repeats, "sla")
    baseline_moves = max(r[1] for r in bare + sla)
    for name, rounds in (("bare", bare), ("SLA on a business calendar", sla)):
        best, median = ratios(rounds)
        print(f"transitions/s, {name}: callcore {max(r[0] for r in rounds):,.0f}  "
              f"transitions {max(r[1] for r in rounds):,.0f}  ratio {best:.1f}x "
              f"(median of rounds {median:.1f}x)")  # fmt: skip
    made_bare = creation_rates(creations, repeats)
    made_sla = creation_rates(creations, repeats, "sla")
    baseline_made = max(r[1] for r in made_bare + made_sla)
    for name, rounds in (("bare", made_bare), ("SLA on a business calendar", made_sla)):
        best, median = ratios(rounds)
        print(f"tickets created/s, {name}: callcore {max(r[0] for r in rounds):,.0f}  "
              f"transitions {max(r[1] for r in rounds):,.0f}  ratio {best:.1f}x "
              f"(median of rounds {median:.1f}x)")  # fmt: skip
    best, median = ratios(made_bare, baseline=2)
    print(f"  (one Machine shared by add_model: transitions {max(r[2] for r in made_bare):,.0f}  "
          f"ratio {best:.1f}x, median of rounds {median:.1f}x)")  # fmt: skip
    ours, theirs = memory_per_ticket(tickets)
    with_clocks, _ = memory_per_ticket(tickets, "sla")
    print(f"memory per ticket (5 entries), bare: callcore {ours:,.0f} B  "
          f"transitions {theirs:,.0f} B  ratio {theirs / ours:.1f}x smaller")  # fmt: skip
    print(f"memory per ticket (5 entries), with SLA clocks: callcore {with_clocks:,.0f} B")
    print("goals (issue 13), SLA policy on a business calendar:")
    print(f"  transition vs transitions' bare transition: "
          f"{max(r[0] for r in sla) / baseline_moves:.2f}x (goal >= 2x)")  # fmt: skip
    print(f"  creation vs transitions' creation: "
          f"{max(r[0] for r in made_sla) / baseline_made:.1f}x (goal >= 10x)")  # fmt: skip
    print(f"  memory per ticket with clocks / 2 KB: {with_clocks / 2048:.2f} (goal < 1)")


if __name__ == "__main__":
    main()
