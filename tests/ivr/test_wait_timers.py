"""The waits' own timers: next_deadline() covers input and lookup timeouts, tick() fires them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from callcore.contacts import ContactOutcome
from callcore.ivr import IvrSession, IvrUpdate, SessionLimits, load_flow
from callcore.serialization import dumps
from tests.ivr.flows import document, endings, menu

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)
ALLOWANCE = timedelta(seconds=30)
LIMITS = SessionLimits(prompt_allowance=ALLOWANCE)


def ends() -> dict[str, object]:
    """The hang-ups 'one' and 'fallback'."""
    nodes: dict[str, object] = dict(endings())
    del nodes["two"]
    return nodes


def started(nodes: dict[str, object], start: str = "menu") -> IvrSession:
    """A session on ``nodes`` started at NOW."""
    session = IvrSession(load_flow(document(nodes, start=start)), limits=LIMITS)
    session.start(now=NOW)
    return session


def test_a_menu_times_out_without_the_host() -> None:
    """Deadline = prompts allowance + timeout + inter-digit timeout per key; tick is a no-input."""
    session = started({"menu": menu(max_noinput=2), **endings()})
    # FreeSWITCH defaults: 10 s, then 5 s (half of it) for the one key
    first = NOW + ALLOWANCE + timedelta(seconds=15)
    assert session.next_deadline() == first
    before = dumps(session.snapshot())
    assert session.tick(now=first - timedelta(microseconds=1)) == IvrUpdate()
    assert dumps(session.snapshot()) == before
    update = session.tick(now=first)
    assert [action.type for action in update.actions] == ["gather"]  # asked again
    assert session.trace[-1].event == "timeout (noinput 1)"
    assert session.next_deadline() == first + ALLOWANCE + timedelta(seconds=15)
    session.tick(now=first + timedelta(minutes=5))  # a late tick: the second timeout
    assert session.outcome is ContactOutcome.SELF_SERVED
    assert session.path[-1] == "fallback"


def test_an_input_waits_for_every_digit() -> None:
    """An input node's deadline counts the inter-digit timeout for max_length digits."""
    node = {
        "type": "input",
        "prompt": "p0",
        "variable": "v",
        "max_length": 4,
        "timeout": 3,
        "inter_digit_timeout": 2,
        "next": "one",
        "on_noinput": "fallback",
        "on_nomatch": "fallback",
    }
    session = started({"menu": node, **ends()})
    assert session.next_deadline() == NOW + ALLOWANCE + timedelta(seconds=3 + 4 * 2)


def test_a_lookup_fails_at_its_timeout() -> None:
    """A lookup's deadline is its timeout (no prompt allowance); the tick takes on_error."""
    nodes = {
        "menu": {
            "type": "lookup",
            "name": "balance",
            "timeout": 4,
            "next": "one",
            "on_error": "fallback",
        },
        **ends(),
    }
    session = started(nodes)
    assert session.next_deadline() == NOW + timedelta(seconds=4)
    session.tick(now=NOW + timedelta(seconds=4))
    assert session.path == ("menu", "fallback")


def test_the_call_time_wins_when_it_comes_first() -> None:
    """next_deadline is the earlier of the wait's end and the call's end."""
    limits = SessionLimits(prompt_allowance=ALLOWANCE, max_call_time=timedelta(seconds=20))
    session = IvrSession(load_flow(document({"menu": menu(), **endings()})), limits=limits)
    session.start(now=NOW)
    assert session.next_deadline() == NOW + timedelta(seconds=20)
    session.tick(now=NOW + timedelta(seconds=20))
    assert session.outcome is ContactOutcome.FAILED
