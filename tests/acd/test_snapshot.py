"""Snapshots round-trip through JSON and restore to a router that behaves identically."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from callcore.acd import BUILTIN_STRATEGIES, Router, RouterSnapshot
from callcore.serialization import dumps, loads
from tests.acd.strategies import T0, at, profiles
from tests.acd.test_strategies import apply, make_router, operations


@settings(max_examples=30)
@given(
    strategy=st.sampled_from(sorted(BUILTIN_STRATEGIES)),
    data=st.data(),
    before=operations,
    after=operations,
)
def test_restored_router_behaves_identically(
    strategy: str,
    data: st.DataObject,
    before: list[tuple[object, ...]],
    after: list[tuple[object, ...]],
) -> None:
    """Save mid-run, restore from JSON, replay the same inputs: same updates, same state."""
    router = make_router(strategy)
    for number in range(data.draw(st.integers(1, 6))):
        router.log_in(data.draw(profiles(f"a{number}")), now=T0)
    clock = [0.0]
    apply(router, before, clock)
    snapshot = router.snapshot()
    text = dumps(snapshot)
    assert loads(RouterSnapshot, text) == snapshot
    twin = Router.restore(loads(RouterSnapshot, text))
    assert dumps(twin.snapshot()) == text
    clock_twin = list(clock)
    apply(router, after, clock, prefix="d")
    apply(twin, after, clock_twin, prefix="d")
    end = at(clock[0] + 600)
    assert router.tick(now=end) == twin.tick(now=end)
    assert dumps(router.snapshot()) == dumps(twin.snapshot())
