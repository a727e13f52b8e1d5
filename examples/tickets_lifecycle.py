"""A ticket's whole life, from a phone call to the customer's survey answer.

A caller reports a broken router; the agent works the ticket, consults a
supervisor, waits on the customer, escalates to specialists who schedule a
follow-up and resolve it; the ticket closes by itself four days later, a
satisfaction survey goes out and the answer comes back. The engine does no
I/O: this script plays the host, printing the actions it is asked to carry
out, and finally the ticket's history.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from callcore.calendar import BusinessCalendar, OpeningRange, WeeklyHours
from callcore.contacts import Channel
from callcore.tickets import (
    Actor,
    Link,
    Priority,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    TicketEngine,
    TicketSettings,
    TicketUpdate,
    sequential_ids,
)

BUCHAREST = ZoneInfo("Europe/Bucharest")
START = datetime(2026, 3, 2, 9, 0, tzinfo=BUCHAREST)  # a Monday morning
ANA = Actor("ana", frozenset({"agent"}))
SAM = Actor("sam", frozenset({"supervisor"}))
BOB = Actor("bob", frozenset({"agent", "specialist"}))


def at(clock: str, day: int = 0) -> datetime:
    """A moment of the story: ``"HH:MM"`` on Monday plus ``day`` days."""
    hours, minutes = map(int, clock.split(":"))
    return START.replace(hour=hours, minute=minutes) + timedelta(days=day)


def carry_out(update: TicketUpdate) -> None:
    """Play the host: show the actions and the SLA events of one engine call."""
    for action in update.actions:
        print(f"    action: {type(action).__name__} {_describe(action)}")
    for event in update.events:
        if event.kind.startswith("ticket.sla"):
            print(f"    event:  {event.kind} ({event.metric.value})")  # type: ignore[attr-defined]


def _describe(action: object) -> str:
    notification = getattr(action, "notification", None)
    if notification is not None:
        return f"-> {notification.channel.value} to {notification.to}: {notification.subject}"
    return f"due {action.due:%a %H:%M}"  # type: ignore[attr-defined]


def main() -> None:
    """Run the story and print the history."""
    day = (OpeningRange(time(8), time(18)),)
    support_hours = BusinessCalendar(
        name="support",
        timezone=BUCHAREST,
        hours=WeeklyHours(monday=day, tuesday=day, wednesday=day, thursday=day, friday=day),
    )
    policy = SlaPolicy(
        "high priority",
        (
            SlaTarget(SlaMetric.FIRST_RESPONSE, timedelta(minutes=30)),
            SlaTarget(SlaMetric.NEXT_RESPONSE, timedelta(hours=2)),
            SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=24)),
        ),
        calendar="support",
        warn_at=(0.8,),
    )
    engine = TicketEngine(
        TicketSettings(sla_policies=(policy,)),
        calendars={"support": support_hours},
        id_factory=sequential_ids(),
    )

    print("Monday 09:00: a call comes in; the agent opens a ticket")
    update = engine.create(
        subject="Router keeps rebooting", channel=Channel.VOICE, customer="cust-1042",
        now=at("09:00"), by=ANA, priority=Priority.HIGH, assignee="ana",
        links=[Link("contact", "call-7781")],
    )  # fmt: skip
    ticket = update.ticket
    steps: list[tuple[str, Callable[[], TicketUpdate]]] = [
        ("09:02 Ana starts work", lambda: engine.apply(ticket, "open", by=ANA, now=at("09:02"))),
        ("09:10 Ana asks a supervisor", lambda: engine.consult(
            ticket, by=ANA, now=at("09:10"), reason="replace under warranty?")),
        ("09:15 Ana answers", lambda: engine.reply(
            ticket, by=ANA, now=at("09:15"), text="Please send the router's log file.")),
        ("09:16 waiting on the customer", lambda: engine.apply(
            ticket, "wait_on_customer", by=ANA, now=at("09:16"))),
        ("Tue 10:00 the customer replies", lambda: engine.customer_reply(
            ticket, now=at("10:00", 1), text="Log attached.")),
        ("Tue 10:30 Ana escalates", lambda: engine.escalate(
            ticket, by=ANA, now=at("10:30", 1), reason="firmware fault, needs a specialist")),
        ("Tue 10:40 Bob takes it", lambda: engine.update(
            ticket, by=BOB, now=at("10:40", 1), assignee="bob")),
        ("Tue 10:45 Bob needs a follow-up", lambda: engine.apply(
            ticket, "need_follow_up", by=BOB, now=at("10:45", 1),
            follow_up_due=at("13:00", 1), note="call back after the firmware push")),
        ("Tue 13:00 the scheduler ticks", lambda: engine.tick(ticket, now=at("13:00", 1))),
        ("Tue 13:05 Bob back on it", lambda: engine.apply(
            ticket, "open", by=BOB, now=at("13:05", 1))),
        ("Tue 13:10 Bob answers", lambda: engine.reply(
            ticket, by=BOB, now=at("13:10", 1), text="Firmware 2.4 fixes it.")),
        ("Tue 13:15 Bob resolves", lambda: engine.apply(
            ticket, "resolve", by=BOB, now=at("13:15", 1), note="firmware upgraded")),
        ("Sat 13:15 four days later", lambda: engine.tick(ticket, now=at("13:15", 5))),
        ("Sat 18:00 the customer rates us", lambda: engine.record_survey(
            ticket, now=at("18:00", 5), score=5, comment="Fixed at last, thanks Bob!")),
    ]  # fmt: skip
    for title, step in steps:
        print(title)
        carry_out(step())

    print(f"\nTicket {ticket.id}: {ticket.subject!r} is {ticket.state}, tier {ticket.tier}, "
          f"CSAT {ticket.survey.score if ticket.survey else '-'}")  # fmt: skip
    counted = engine.sla_elapsed(ticket, SlaMetric.RESOLUTION, now=at("09:00", 9))
    print(f"Resolution time counted: {counted} of business time (Mon-Fri 08:00-18:00 in "
          "Bucharest; not the night spent pending on the customer)\n")  # fmt: skip
    print("SLA targets (completed cycles as Jira reports them):")
    for status in engine.sla_status(ticket, now=at("09:00", 9)):
        cycles = ", ".join(
            f"{cycle.elapsed} ({'breached' if cycle.breached else 'met'})"
            for cycle in status.completed
        )
        print(f"  {status.metric.value:<15} goal {status.goal}: {cycles or 'no cycle over'}")
    # the engine keeps instants in UTC; a zone is for display
    print("\nHistory (Bucharest time):")
    for change in ticket.history:
        what = f"{change.field}: {change.old} -> {change.new}" if change.field else change.new
        why = f"  ({change.reason})" if change.reason else ""
        local = change.at.astimezone(BUCHAREST)
        print(f"  {local:%a %H:%M}  {change.by:<9} {change.action:<18} {what}{why}")


if __name__ == "__main__":
    main()
