"""Ticket engine benchmark against the same workflow written with `transitions`.

Measures, in one run, against the `transitions` library (pip install transitions):

- transitions per second on the default workflow, with guards and a history
  entry (who, when, what, from, to, why) per transition;
- tickets created per second (``transitions`` needs a state machine per ticket);
- memory per ticket with a short history (created + 4 transitions).

Each figure is printed with its ratio against the baseline. ``--quick`` runs a
short smoke test.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from transitions import Machine

from callcore.channels import Channel
from callcore.tickets import DEFAULT_WORKFLOW, Actor, Ticket, TicketEngine

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


# --- the baseline: the default workflow written with `transitions` ------------


class TransitionsTicket:
    """A ticket model for `transitions`: guards and history done in callbacks."""

    def __init__(self, ticket_id: str, assignee: str) -> None:
        self.id = ticket_id
        self.assignee = assignee
        self.history: list[tuple[Any, ...]] = []
        self.state: str

    def has_note(self, event: Any) -> bool:
        return bool(event.kwargs.get("note", "").strip())

    def by_assignee_or_supervisor(self, event: Any) -> bool:
        by = event.kwargs["by"]
        return bool(by.id == self.assignee or by.has_role("supervisor", "system"))

    def record(self, event: Any) -> None:
        kwargs = event.kwargs
        self.history.append(
            (kwargs["now"], kwargs["by"].id, event.event.name, event.transition.source,
             event.transition.dest, kwargs.get("note", ""))
        )  # fmt: skip


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
        spec.append(entry)
    return spec


STATES = [state.name for state in DEFAULT_WORKFLOW.states]
SPEC = _transitions_spec()


def transitions_ticket(ticket_id: str) -> TransitionsTicket:
    model = TransitionsTicket(ticket_id, AGENT.id)
    Machine(
        model, states=STATES, transitions=SPEC, initial="new", send_event=True,
        after_state_change="record", auto_transitions=False,
    )  # fmt: skip
    model.record_created = (NOW, AGENT.id, "created", None, "new", "")  # type: ignore[attr-defined]
    return model


# --- measurements -------------------------------------------------------------------


def best_rates(
    ours: Callable[[], int], theirs: Callable[[], int], repeats: int
) -> tuple[float, float]:
    """The best of ``repeats`` runs of each, in operations per second.

    The two alternate, so that a burst of load on a shared machine hits both alike.
    """
    best = [0.0, 0.0]
    for _ in range(repeats):
        for index, run in enumerate((ours, theirs)):
            gc.collect()
            start = time.perf_counter()
            count = run()
            best[index] = max(best[index], count / (time.perf_counter() - start))
    return best[0], best[1]


def transition_rates(loops: int, repeats: int) -> tuple[float, float]:
    """Transitions per second: (callcore, transitions)."""
    engine = TicketEngine()
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
        assert len(ticket.history) >= 2 + loops * len(CYCLE)  # plus follow-up entries
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
        assert len(model.history) == 1 + loops * len(CYCLE)
        return loops * len(CYCLE)

    return best_rates(run_callcore, run_transitions, repeats)


def creation_rates(count: int, repeats: int) -> tuple[float, float]:
    """Tickets created per second: (callcore, transitions)."""
    engine = TicketEngine()

    def run_callcore() -> int:
        create = engine.create
        for number in range(count):
            create(
                id=f"T-{number}", subject="Cannot log in", channel=Channel.VOICE,
                customer="c", now=NOW, assignee="ana",
            )  # fmt: skip
        return count

    def run_transitions() -> int:
        for number in range(count // 20 or 1):
            transitions_ticket(f"T-{number}")
        return count // 20 or 1

    return best_rates(run_callcore, run_transitions, repeats)


def memory_per_ticket(count: int) -> tuple[float, float]:
    """Bytes per ticket with created + 4 transitions: (callcore, transitions)."""
    engine = TicketEngine()

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
    """Run the benchmark and print each figure with its ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    quick = parser.parse_args().quick
    loops, creations, tickets, repeats = (50, 500, 200, 1) if quick else (1500, 10_000, 5000, 15)

    ours, theirs = transition_rates(loops, repeats)
    print(f"transitions/s (guards + history): callcore {ours:,.0f}  transitions {theirs:,.0f}  "
          f"ratio {ours / theirs:.1f}x")  # fmt: skip
    ours, theirs = creation_rates(creations, repeats)
    print(f"tickets created/s:                callcore {ours:,.0f}  transitions {theirs:,.0f}  "
          f"ratio {ours / theirs:.1f}x")  # fmt: skip
    ours, theirs = memory_per_ticket(tickets)
    print(f"memory per ticket (5 entries):    callcore {ours:,.0f} B  transitions {theirs:,.0f} B  "
          f"ratio {theirs / ours:.1f}x smaller")  # fmt: skip


if __name__ == "__main__":
    main()
