"""An IVR session keeps the same instants whatever zone its times come in (issue 12)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import CallcoreError
from callcore.ivr import IvrEvent, IvrSession
from callcore.serialization import to_dict
from tests.ivr.flows import bank_flow, office_calendar
from tests.ivr.strategies import events
from tests.time.instants import UTC, timelines, utc_view

BANK = bank_flow()


def _run(script: list[IvrEvent | None], times: list[datetime]) -> list[Any]:
    session = IvrSession(BANK, calendars={"advisers": office_calendar()})
    outcomes: list[Any] = [utc_view(to_dict(session.start(now=times[0], call={"ani": "+40"})))]
    for event, now in zip(script, times[1:], strict=True):
        try:
            update = session.tick(now=now) if event is None else session.handle(event, now=now)
        except CallcoreError as error:
            outcomes.append((type(error).__name__, getattr(error, "field", None)))
            continue
        deadline = session.next_deadline()
        outcomes.append(
            (utc_view(to_dict(update)), None if deadline is None else deadline.astimezone(UTC))
        )
    outcomes.append(utc_view(to_dict(session.snapshot())))
    return outcomes


@st.composite
def _scripts(draw: st.DrawFn) -> tuple[list[IvrEvent | None], tuple[list[datetime], ...]]:
    script = draw(st.lists(st.one_of(st.none(), events()), min_size=1, max_size=20))
    longest = [draw(st.sampled_from((5, 30, 400, 4000))) for _ in script]
    return script, draw(timelines(longest))


@given(_scripts())
def test_a_session_driven_in_zones_does_what_it_does_in_utc(
    case: tuple[list[IvrEvent | None], tuple[list[datetime], list[datetime]]],
) -> None:
    """Events and ticks (None) at zoned times: the same updates and state, as instants."""
    script, (times, zoned) = case
    assert _run(script, zoned) == _run(script, times)
