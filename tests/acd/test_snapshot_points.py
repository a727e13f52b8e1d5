"""Snapshots taken at random points restore to routers whose later outputs are identical."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callcore.acd import (
    BUILTIN_STRATEGIES,
    AgentProfile,
    AgentState,
    ContactStatus,
    DeclineReason,
    Membership,
    NotReadyReason,
    Router,
    RouterSnapshot,
    RouterUpdate,
)
from callcore.contacts import Channel
from callcore.serialization import dumps, from_dict, loads, to_dict
from tests.acd.strategies import QUEUES, at, contact_skills, profiles
from tests.acd.test_invariants import queue_configs

if TYPE_CHECKING:
    from collections.abc import Callable


AGENT_COUNT = 4

steps = st.lists(
    st.tuples(
        st.one_of(
            st.tuples(st.just("login"), st.integers(0, AGENT_COUNT - 1)),
            st.tuples(st.just("logout"), st.integers(0, AGENT_COUNT - 1)),
            st.tuples(st.just("presence"), st.integers(0, AGENT_COUNT - 1), st.booleans()),
            st.tuples(
                st.just("enqueue"), st.sampled_from(QUEUES), contact_skills, st.integers(0, 2)
            ),
            st.tuples(
                st.just("answer"),
                st.integers(0, 20),
                st.sampled_from(("accept", "reject", "busy", "miss")),
            ),
            st.tuples(
                st.just("caller"),
                st.integers(0, 20),
                st.sampled_from(("abandon", "callback", "priority", "end")),
            ),
            st.tuples(st.just("wait"), st.sampled_from((1, 5, 15, 45, 200))),
        ),
        st.booleans(),
    ),
    min_size=20,
    max_size=60,
)


def plan(
    router: Router, step: tuple[object, ...], number: int, team: list[AgentProfile], now: float
) -> Callable[[Router], RouterUpdate] | None:
    """The call a step makes, chosen from ``router``'s state (``None``: the step does not apply)."""
    kind = step[0]
    if kind in {"login", "logout", "presence"}:
        return plan_agent(router, step, team[int(str(step[1]))], now)
    if kind == "enqueue":
        _, queue, skills, priority = step
        contact_id, when = f"c{number}", at(now)
        return lambda r: r.enqueue(
            contact_id,
            str(queue),
            now=when,
            skills=dict(skills),  # type: ignore[call-overload]
            priority=int(str(priority)),
        )
    if kind == "answer":
        return plan_answer(router, int(str(step[1])), str(step[2]), now)
    return plan_contact(router, step, now)


def plan_agent(
    router: Router, step: tuple[object, ...], profile: AgentProfile, now: float
) -> Callable[[Router], RouterUpdate] | None:
    """Log an agent in or out, or change its presence, when that fits its state."""
    when, agent_id = at(now), profile.agent_id
    view = router.agent(agent_id) if agent_id in router.agent_ids() else None
    logged_in = view is not None and view.state is not AgentState.LOGGED_OUT
    if step[0] == "login":
        return None if logged_in else (lambda r: r.log_in(profile, now=when))
    if view is None or not logged_in:
        return None
    if step[0] == "logout":
        return None if view.connected else (lambda r: r.log_out(agent_id, now=when))
    if step[2] and view.not_ready_reason is None:
        return lambda r: r.set_not_ready(agent_id, NotReadyReason.LUNCH, now=when)
    if not step[2] and (view.not_ready_reason or view.wrap_up_until):
        return lambda r: r.set_ready(agent_id, now=when)
    return None


def plan_answer(
    router: Router, index: int, action: str, now: float
) -> Callable[[Router], RouterUpdate] | None:
    """Accept, reject, busy or miss one of the pending offers."""
    when = at(now)
    pending = sorted(
        (contact_id, agent_id)
        for contact_id in router.contact_ids()
        for agent_id in router.contact(contact_id).offered_to
    )
    if not pending:
        return None
    contact_id, agent_id = pending[index % len(pending)]
    if action == "accept":
        return lambda r: r.accept(contact_id, agent_id, now=when)
    if action == "miss":
        return lambda r: r.time_out(contact_id, agent_id, now=when)
    reason = DeclineReason.BUSY if action == "busy" else DeclineReason.REJECTED
    return lambda r: r.decline(contact_id, agent_id, now=when, reason=reason)


def plan_contact(
    router: Router, step: tuple[object, ...], now: float
) -> Callable[[Router], RouterUpdate] | None:
    """End a connected contact, or let a waiting caller hang up, ask a callback, change priority."""
    when, index, action = at(now), int(str(step[1])), step[2]
    contacts = [router.contact(c) for c in sorted(router.contact_ids())]
    connected = action == "end"
    chosen = [c for c in contacts if (c.status is ContactStatus.CONNECTED) == connected]
    if not chosen:
        return None
    target = chosen[index % len(chosen)]
    calls: dict[object, Callable[[Router], RouterUpdate]] = {
        "end": lambda r: r.end(target.contact_id, now=when),
        "abandon": lambda r: r.abandon(target.contact_id, now=when),
        "priority": lambda r: r.set_priority(target.contact_id, index % 3, now=when),
        "callback": lambda r: r.request_callback(target.contact_id, now=when),
    }
    if action == "callback" and target.callback:
        return None
    return calls[action]


def through_json(router: Router) -> Router:
    """Snapshot ``router``, send the snapshot through JSON and restore it."""
    text = dumps(router.snapshot())
    return Router.restore(loads(RouterSnapshot, text))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    strategy=st.sampled_from(sorted(BUILTIN_STRATEGIES)),
    seed=st.integers(0, 9),
    team=st.tuples(*(profiles(f"a{number}") for number in range(AGENT_COUNT))),
    script=steps,
)
def test_restore_at_random_points_gives_identical_outputs(
    strategy: str,
    seed: int,
    team: tuple[AgentProfile, ...],
    script: list[tuple[tuple[object, ...], bool]],
) -> None:
    """A twin restored from JSON wherever the script says gives the same update at every step."""
    original = Router(queue_configs(strategy), seed=seed)
    twin = Router(queue_configs(strategy), seed=seed)
    for profile in team:
        assert original.log_in(profile, now=at(0)) == twin.log_in(profile, now=at(0))
    clock = 0.0
    for number, (step, save_here) in enumerate(script):
        if save_here:
            twin = through_json(twin)
        if step[0] == "wait":
            clock += float(str(step[1]))
            assert original.tick(now=at(clock)) == twin.tick(now=at(clock))
            continue
        call = plan(original, step, number, list(team), clock)
        if call is not None:
            assert call(original) == call(twin)
    twin = through_json(twin)
    end = at(clock + 3600)
    assert original.tick(now=end) == twin.tick(now=end)
    assert dumps(original.snapshot()) == dumps(twin.snapshot())


def two_chats_ringing() -> Router:
    """Agent a (2 chats) is offered c1 at t=0 and c2 at t=5; c1 times out and rings again at 20."""
    router = Router(queue_configs("longest_idle"))
    profile = AgentProfile(
        agent_id="a",
        memberships=(Membership(queue="support"),),
        capacity={Channel.CHAT: 2},
    )
    router.log_in(profile, now=at(0))
    router.enqueue("c1", "support", now=at(0))
    router.enqueue("c2", "support", now=at(5))
    router.tick(now=at(20))
    return router


def test_restore_keeps_the_order_of_an_agents_offers() -> None:
    """Offers to a are c2 (t=5) then c1 (t=20): the restored twin withdraws them in that order."""
    router = two_chats_ringing()
    twin = through_json(router)
    assert twin.agent("a").offered == router.agent("a").offered == ("c2", "c1")
    withdrawn = [(o.contact_id, o.offered_at) for o in twin.log_out("a", now=at(21)).ended_offers]
    assert withdrawn == [("c2", at(5)), ("c1", at(20))]


def test_snapshot_without_offer_order_still_restores() -> None:
    """A snapshot saved before agents recorded their offer order still loads and restores."""
    router = two_chats_ringing()
    data = to_dict(router.snapshot())
    for agent in data["agents"]:
        del agent["offered"]
    twin = Router.restore(from_dict(RouterSnapshot, data))
    assert sorted(twin.agent("a").offered) == ["c1", "c2"]


def test_an_agent_who_empties_a_queue_twice_at_one_instant_sets_one_empty_timer() -> None:
    """Log out, in and out again at one instant: contacts overflow once, restored or not.

    Found by the dev profile on a fresh clone: the original router set two
    empty-queue timers with one due time and bounced a waiting contact between
    two queues twice; a router restored from its snapshot (one timer per
    queue) bounced it once.
    """

    def profile(number: int, *queues: str) -> AgentProfile:
        memberships = tuple(Membership(queue=queue) for queue in queues)
        return AgentProfile(agent_id=f"a{number}", memberships=memberships, voice_exclusive=False)

    original = Router(queue_configs("fewest_contacts"), seed=0)
    original.log_in(profile(0, "sales"), now=at(0))
    original.log_in(profile(3, "sales", "support"), now=at(0))
    original.log_out("a3", now=at(0))
    original.log_in(profile(3, "sales", "support"), now=at(0))
    original.log_out("a0", now=at(0))
    original.log_out("a3", now=at(0))
    original.enqueue("c1", "sales", now=at(0))
    twin = through_json(original)
    end = at(3600)
    events = original.tick(now=end).events
    assert twin.tick(now=end).events == events
    # Support empties at 9:00 and sends the contact back at 9:02; sales (empty
    # since 9:00 too) sends it on at once; the cascade stops in support.
    at_two = [(type(e).__name__, getattr(e, "queue", None)) for e in events if e.at == at(120)]
    assert at_two == [
        ("ContactEscalated", "support"),
        ("ContactOverflowed", "support"),
        ("ContactQueued", "sales"),
        ("ContactOverflowed", "sales"),
        ("ContactQueued", "support"),
    ]
