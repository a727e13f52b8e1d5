"""Walk four callers through a bank's IVR flow, as a telephony host would.

The flow lives beside this file in ivr_bank_flow.json: language choice,
business hours with a Christmas holiday, a main menu with sub-menus, an
account number with retries, a balance lookup, a priority queue hand-off and
voicemail when closed. The "host" here is a loop that prints every action and
event of each update and answers with the next scripted caller input. For
the fourth call no event ever arrives (the telephony side lost the call leg
without a hang-up): the host, which sleeps until the session's next deadline,
ends it when its maximum call time runs out.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from callcore.calendar import BusinessCalendar
from callcore.ivr import (
    Action,
    ActionCompleted,
    Digits,
    EnqueueContact,
    Gather,
    IvrEvent,
    IvrSession,
    IvrUpdate,
    LookupRequest,
    LookupResult,
    NoInput,
    Play,
    Record,
    SessionEnded,
    SessionLimits,
    Speech,
    load_flow_json,
)
from callcore.serialization import from_dict

BUCHAREST = ZoneInfo("Europe/Bucharest")
FLOW = load_flow_json(
    (Path(__file__).with_name("ivr_bank_flow.json")).read_text(encoding="utf-8"),
    calendars=["advisers"],
)


# Advisers work weekdays 09:00-18:00 in Bucharest; closed on Christmas Day,
# 09:00-13:00 on Christmas Eve (a partial-day holiday).
WEEKDAY = [{"start": "09:00", "end": "18:00"}]
ADVISERS = from_dict(
    BusinessCalendar,
    {
        "name": "advisers",
        "timezone": "Europe/Bucharest",
        "hours": dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday"), WEEKDAY),
        "holidays": [
            {
                "date": "2026-12-24",
                "name": "Christmas Eve",
                "hours": [{"start": "09:00", "end": "13:00"}],
            },
            {"date": "2026-12-25", "name": "Christmas Day"},
        ],
    },
)


def describe(action: Action) -> str:
    """One readable line per action."""
    if isinstance(action, Play):
        return f"play  [{action.language}] {action.text or action.audio}"
    if isinstance(action, Gather):
        said = " / ".join(p.text or p.audio or "" for p in action.prompts)
        return f"ask   {said}  (up to {action.max_digits} keys)"
    if isinstance(action, LookupRequest):
        return f"look up {action.name} {dict(action.params)}"
    if isinstance(action, EnqueueContact):
        return (
            f"QUEUE {action.queue} priority={action.priority} skills={dict(action.skills)} "
            f"language={action.language}"
        )
    if isinstance(action, Record):
        return f"record voicemail for {action.mailbox} (max {action.max_length})"
    return f"{action.type} {getattr(action, 'reason', '') or getattr(action, 'language', '')}"


def show(update: IvrUpdate) -> None:
    """Carry out an update: here, print its actions and its events."""
    for action in update.actions:
        print("  ", describe(action))
    for event in update.events:
        said = f"{event.kind}"
        if isinstance(event, SessionEnded):
            said += f" outcome={event.outcome.value} at node {event.node} in {event.language}"
        print("   event:", said)


def call(
    name: str,
    start: datetime,
    caller: dict[str, object],
    script: list[IvrEvent],
    limits: SessionLimits | None = None,
) -> None:
    """Run one call: print the host's side of it."""
    print(f"\n=== {name} — {start:%a %d %b %Y %H:%M %Z} ===")
    session = IvrSession(FLOW, calendars={"advisers": ADVISERS}, limits=limits)
    now = start
    show(session.start(now=now, caller=caller, call={"ani": "+40721000111"}))
    for event in script:
        now += timedelta(seconds=2)  # the lookup must answer within its 5 s timeout
        print(f"  caller/host → {event}")
        show(session.handle(event, now=now))
    deadline = session.next_deadline()
    if deadline is not None:  # no more events: sleep until the deadline, then tick
        print(f"  host sleeps until {deadline.astimezone(timezone.utc):%H:%M:%S} UTC, then ticks")
        show(session.tick(now=deadline))
    outcome = session.outcome.value if session.outcome else "still running"
    print(f"  outcome: {outcome}; path: {' → '.join(session.path)}")


def main() -> None:
    """Four calls: self-service, a gold customer by voice, a holiday call, a lost call."""
    monday = datetime(2026, 1, 5, 10, 0, tzinfo=BUCHAREST)
    call(
        "Unknown caller checks a balance (one typo)",
        monday,
        {},
        [
            Digits("2"),
            Digits("1"),
            Digits("1"),
            Digits("4111111111111112#"),
            Digits("4111111111111111#"),
            LookupResult({"balance": "1.250,00", "currency": "lei"}),
            Digits("2"),
        ],
    )
    call(
        "Gold customer asks for an adviser",
        monday,
        {"language": "en", "tier": "gold", "known": True},
        [Speech("I'd like to speak to an agent please", 0.92)],
    )
    call(
        "Caller on Christmas Day",
        datetime(2026, 12, 25, 11, 0, tzinfo=BUCHAREST),
        {},
        [NoInput(), NoInput(), ActionCompleted({"recording": "vm-0001"})],
    )
    call(
        "A call whose telephony events stop arriving (a 10-minute cap)",
        monday,
        {"language": "en"},
        [],
        limits=SessionLimits(max_call_time=timedelta(minutes=10)),
    )


if __name__ == "__main__":
    main()
