"""The contact centre keeps every time it is given as an instant (issue 12).

A ``now`` in a zone that changes clocks used to be kept as given: a hold's
length, a timer's due time and same-zone comparisons then went by the wall
clock, an hour off across a change (see tests/time/instants.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from callcore.acd import CallbackResult
from callcore.center import ContactCompleted, Disposition
from callcore.errors import CallcoreError
from callcore.ivr import Digits
from callcore.serialization import to_dict
from tests.center.kit import example
from tests.time.instants import BUCHAREST, UTC, timelines, utc_view, zoned_like

S = timedelta(seconds=1)


def _command(kit: Any, name: str, n: int, now: datetime) -> Any:
    """Run one command on contact ``CA-n`` (``call`` and ``book`` make ``CA-n+1``)."""
    center, contact = kit.center, f"CA-{n}"
    later = {  # a follow-up in 3 hours, a callback in 20 minutes, asked for in the zone of now
        key: zoned_like(now.astimezone(UTC) + delay, now)
        for key, delay in (("wrap", timedelta(hours=3)), ("book", timedelta(minutes=20)))
    }
    commands: dict[str, Callable[[], Any]] = {
        "call": lambda: center.inbound_call(
            caller=example.ANA, dialled=example.DIALLED, contact_id=f"CA-{n + 1}", now=now
        ),
        "book": lambda: center.schedule_callback(
            example.ANA, queue="support", at=later["book"], contact_id=f"CA-{n + 1}", now=now
        ),
        "reached": lambda: center.callback_result(contact, CallbackResult.REACHED, now=now),
        "press": lambda: center.caller_input(contact, Digits("2"), now=now),
        "accept": lambda: center.agent_accepted(contact, "a1", now=now),
        "hold": lambda: center.agent_held(contact, now=now),
        "resume": lambda: center.agent_resumed(contact, now=now),
        "end": lambda: center.agent_ended(contact, now=now),
        "wrap": lambda: center.agent_wrapped_up(
            contact,
            disposition=Disposition.NEEDS_FOLLOW_UP,
            follow_up_due=later["wrap"],
            now=now,
        ),
        "hang_up": lambda: center.caller_hung_up(contact, now=now),
        "ready": lambda: center.agent_ready("a1", now=now),
        "due": lambda: center.run_due(now=now),
    }
    return commands[name]()


def _run(names: list[str], times: list[datetime]) -> list[object]:
    kit = example.build()
    outcomes: list[object] = []
    n = 0
    kit.center.agent_logged_in(example.A1, now=times[0])
    for name, now in zip(names, times[1:], strict=False):
        try:
            update = _command(kit, name, n, now)
        except CallcoreError as error:
            outcomes.append((name, type(error).__name__, getattr(error, "field", None)))
            continue
        n += name in {"call", "book"}
        outcomes.append((name, utc_view(to_dict(list(update.events)))))
    deadline = kit.center.next_deadline()
    outcomes.append(None if deadline is None else deadline.astimezone(UTC))
    return outcomes


# the longest gap (s) before each command: an offer rings 15 s, a caller waits in the IVR
_LONGEST = {"press": 8, "accept": 14, "due": 3 * 3600}


@st.composite
def _scripts(draw: st.DrawFn) -> tuple[list[str], tuple[list[datetime], list[datetime]]]:
    """Calls that each go some way through their life, with timers run in between."""
    names: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        booked = draw(st.booleans())
        life = ["book", "due", "accept", "reached"] if booked else ["call", "press", "accept"]
        if draw(st.booleans()):
            life += ["hold", "resume"]
        life += draw(st.sampled_from((["end", "wrap", "ready"], ["hang_up"], ["due"], ["end"])))
        for name in life:
            names.append(name)
            if draw(st.integers(0, 4)) == 0:
                names.append("due")
    steps = [_LONGEST.get(name, 2 * 3600) for name in names]
    return names, draw(timelines(steps))


@given(_scripts())
def test_a_centre_driven_in_zones_does_what_it_does_in_utc(
    case: tuple[list[str], tuple[list[datetime], list[datetime]]],
) -> None:
    """Calls, callbacks, holds, wrap-ups and timers at zoned times: the same events, as instants."""
    names, (times, zoned) = case
    assert _run(names, zoned) == _run(names, times)


def test_a_hold_across_the_spring_change_lasts_its_real_time() -> None:
    """Held at 02:55 and resumed at 04:05 Bucharest time on 29 March 2026: 10 minutes.

    The clocks jump from 03:00 to 04:00 in between; by the wall clock the hold
    lasted 1 h 10 min, longer than the 1 h 15 min call's 15 min connected time,
    and the record was refused.
    """
    kit = example.build()
    center = kit.center
    start = datetime(2026, 3, 29, 2, 50, tzinfo=BUCHAREST)
    center.agent_logged_in(example.A1, now=start)
    center.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id="CA-1", now=start)
    center.caller_input("CA-1", Digits("2"), now=start + 5 * S)
    center.agent_accepted("CA-1", "a1", now=start + 10 * S)
    center.agent_held("CA-1", now=datetime(2026, 3, 29, 2, 55, tzinfo=BUCHAREST))
    center.agent_resumed("CA-1", now=datetime(2026, 3, 29, 4, 5, tzinfo=BUCHAREST))
    center.agent_ended("CA-1", now=datetime(2026, 3, 29, 4, 6, tzinfo=BUCHAREST))
    update = center.agent_wrapped_up(
        "CA-1",
        disposition=Disposition.RESOLVED,
        notes="fixed",
        now=datetime(2026, 3, 29, 4, 7, tzinfo=BUCHAREST),
    )
    (completed,) = update.of_type(ContactCompleted)
    record = completed.record
    assert record.hold_time == timedelta(minutes=10)
    assert record.answered_at == datetime(2026, 3, 29, 0, 50, 10, tzinfo=UTC)
    assert record.ended_at == datetime(2026, 3, 29, 1, 6, tzinfo=UTC)
