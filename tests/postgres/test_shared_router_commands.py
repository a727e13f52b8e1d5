"""Every router command a centre uses, forwarded: the owner's update is an in-process router's."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest

from callcore import ManualClock
from callcore.acd import (
    AgentProfile,
    DeclineReason,
    Membership,
    NotReadyReason,
    QueueConfig,
    Router,
)
from callcore.errors import CallcoreError, InvalidInputError
from callcore.ivr import EnqueueContact
from callcore.storage.postgres import migrate
from callcore.storage.postgres_router import ForwardedCommandError, SharedRouter

if TYPE_CHECKING:
    from collections.abc import Iterator

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
S = timedelta(seconds=1)


def _router() -> Router:
    return Router(
        [
            QueueConfig(name="support", offer_timeout=20 * S, wrap_up=3 * S),
            QueueConfig(name="billing", offer_timeout=20 * S),
        ]
    )


def _agent(agent_id: str, **skills: int) -> AgentProfile:
    return AgentProfile(
        agent_id=agent_id,
        skills=skills,
        memberships=(Membership(queue="support"), Membership(queue="billing")),
    )


def _at(seconds: int) -> datetime:
    return T0 + seconds * S


# (method, positional arguments, keyword arguments): successes and refusals, in order
STEPS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("log_in", (_agent("a1", billing=3),), {"now": _at(0)}),
    ("log_in", (_agent("a2"),), {"now": _at(0), "ready": False}),
    ("log_in", (_agent("a1"),), {"now": _at(0)}),  # refused: logged in already
    ("enqueue", ("c1", "support"), {"now": _at(1), "priority": 2, "language": "en"}),
    (
        "enqueue",
        ("c2", EnqueueContact(queue="billing", priority=1, skills={"billing": 2})),
        {"now": _at(2)},
    ),
    ("enqueue", ("c3", "support"), {"now": _at(2), "skills": {"billing": 1}}),
    ("decline", ("c1", "a1"), {"now": _at(3), "reason": DeclineReason.BUSY, "offer_id": "offer-1"}),
    ("accept", ("c1", "a2"), {"now": _at(4)}),  # refused: a2 has no offer
    ("set_ready", ("a2",), {"now": _at(4)}),
    ("time_out", ("c1", "a1"), {"now": _at(5), "offer_id": "offer-2"}),  # on to a2
    ("accept", ("c1", "a2"), {"now": _at(6), "offer_id": "nope"}),  # refused: another offer
    ("accept", ("c1", "a2"), {"now": _at(6)}),
    ("request_callback", ("c3",), {"now": _at(7)}),
    ("set_priority", ("c3", 7), {"now": _at(7)}),
    ("tick", (), {"now": _at(9)}),
    ("time_out", ("c2", "a1"), {"now": _at(10)}),  # refused: no such offer
    ("tick", (), {"now": _at(40)}),
    ("abandon", ("c2",), {"now": _at(41)}),
    ("set_not_ready", ("a1", NotReadyReason.LUNCH), {"now": _at(42)}),
    ("transfer", ("c1",), {"now": _at(43), "to_queue": "billing"}),
    ("end", ("c9",), {"now": _at(43)}),  # refused: no such contact
    ("log_out", ("a1",), {"now": _at(44)}),
    ("remove_agent", ("a1",), {"now": _at(45)}),
]


def _call(router: Router | SharedRouter, step: tuple[str, tuple[Any, ...], dict[str, Any]]) -> Any:
    name, args, kwargs = step
    return getattr(router, name)(*args, **kwargs)


def _outcome(router: Router, step: tuple[str, tuple[Any, ...], dict[str, Any]]) -> Any:
    """The update, or the error that refused the step."""
    try:
        return _call(router, step)
    except CallcoreError as error:
        return error


def _wait_for(condition: Any, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def pair(postgres_url: str) -> Iterator[tuple[SharedRouter, SharedRouter]]:
    """An owner and a sender of one shared router; the owner's clock stays before every timer."""
    migrate(postgres_url)
    still = ManualClock(T0)
    owner = SharedRouter(postgres_url, "r", factory=_router, host_id="o", clock=still, timeout=20)
    sender = SharedRouter(postgres_url, "r", factory=_router, host_id="s", clock=still, timeout=20)
    owner.start()
    _wait_for(lambda: owner.is_owner)
    yield owner, sender
    sender.stop()
    owner.stop()


def test_each_command_gets_the_owners_update_as_a_router_would_give_it(
    pair: tuple[SharedRouter, SharedRouter],
) -> None:
    """Forwarded commands give the in-process router's updates and refusals; the copies agree."""
    owner, sender = pair
    reference = _router()
    done = set()
    for step in STEPS:
        expected = _outcome(reference, step)
        if isinstance(expected, CallcoreError):
            with pytest.raises(ForwardedCommandError) as raised:
                _call(sender, step)
            assert raised.value.error_type == type(expected).__name__
            assert raised.value.field == getattr(expected, "field", None)
            continue
        assert _call(sender, step) == expected, step[0]
        done.add(step[0])
    assert done == {name for name, _, _ in STEPS} - {"end"}  # ended below
    assert sender.snapshot() == reference.snapshot()  # the sender's copy
    assert owner.snapshot(now=_at(45)) == reference.snapshot()  # the owner's router
    assert sender.serves("a2") is True  # logged in through the sender
    assert owner.serves("a2") is False


def test_connected_contacts_transfer_and_end_as_on_a_router(
    pair: tuple[SharedRouter, SharedRouter],
) -> None:
    """Accept, transfer to a queue, to an agent (with agent_wait), end: as on a router."""
    _, sender = pair
    reference = _router()

    def both(name: str, *args: Any, **kwargs: Any) -> Any:
        expected = _call(reference, (name, args, kwargs))
        assert _call(sender, (name, args, kwargs)) == expected, name
        return expected

    both("log_in", _agent("a1"), now=_at(0))
    both("log_in", _agent("a2"), now=_at(0))
    (offer,) = both("enqueue", "c1", "support", now=_at(1)).offers
    both("accept", "c1", offer.agent_id, now=_at(2), offer_id=offer.offer_id)
    (offer,) = both("transfer", "c1", now=_at(3), to_queue="billing", priority=4).offers
    both("accept", "c1", offer.agent_id, now=_at(4))
    other = "a1" if offer.agent_id == "a2" else "a2"
    # the first agent is in the support queue's wrap-up until 6: the contact waits for it
    assert both("transfer", "c1", now=_at(5), to_agent=other, agent_wait=7 * S).offers == ()
    assert [o.agent_id for o in both("tick", now=_at(7)).offers] == [other]
    both("accept", "c1", other, now=_at(8))
    assert both("end", "c1", now=_at(9)).events[0].kind == "acd.contact_ended"
    assert sender.snapshot() == reference.snapshot()


def test_refused_before_sending_nothing_is_logged(pair: tuple[SharedRouter, SharedRouter]) -> None:
    """Arguments the log cannot carry are refused by the sender, naming the field."""
    _, sender = pair
    with pytest.raises(InvalidInputError) as raised:
        sender.set_not_ready("a1", "lunch", now=_at(0))  # type: ignore[arg-type]
    assert raised.value.field == "reason"
    with pytest.raises(InvalidInputError) as raised:
        sender.decline("c1", "a1", now=_at(0), reason="busy")  # type: ignore[arg-type]
    assert raised.value.field == "reason"
    with pytest.raises(InvalidInputError) as raised:
        sender.transfer("c1", now=_at(0), agent_wait=7)  # type: ignore[arg-type]
    assert raised.value.field == "agent_wait"
    with pytest.raises(InvalidInputError) as raised:
        sender.log_in("a1", now=_at(0))  # type: ignore[arg-type]
    assert raised.value.field == "profile"
    assert sender.snapshot() == _router().snapshot()
    sender.refresh()
    assert sender.take_news() == ()
