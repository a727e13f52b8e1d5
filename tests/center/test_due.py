"""The tickets' deadlines: the heap agrees with a plain dict scanned by brute force."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from callcore.center._due import DueTimes

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

_keys = st.sampled_from([f"T{n}" for n in range(6)])
_times = st.integers(min_value=0, max_value=20).map(lambda m: T0 + timedelta(minutes=m))
_ops = st.lists(
    st.one_of(
        st.tuples(st.just("set"), _keys, _times),
        st.tuples(st.just("clear"), _keys, st.none()),
        st.tuples(st.just("pop"), st.none(), _times),
    ),
    max_size=80,
)


@given(_ops)
def test_the_heap_answers_as_a_scan_does(
    ops: list[tuple[str, str | None, datetime | None]],
) -> None:
    """After any sequence of changes: the same earliest, the same keys due, soonest first."""
    due, reference = DueTimes(), {}
    for op, key, when in ops:
        if op == "set":
            assert key is not None
            assert when is not None
            due.set(key, when)
            reference[key] = when
        elif op == "clear":
            assert key is not None
            due.set(key, None)
            reference.pop(key, None)
        else:
            assert when is not None
            expected = sorted((t, k) for k, t in reference.items() if t <= when)
            assert list(due.pop_due(when)) == [k for _, k in expected]
            for _, k in expected:
                del reference[k]
        assert due.earliest() == min(reference.values(), default=None)
        assert due.as_dict() == reference
        assert len(due) == len(reference)


def test_a_restored_heap_starts_from_the_checkpoint() -> None:
    """Built from a mapping (a checkpoint's), the earliest is its minimum."""
    due = DueTimes({"b": T0 + timedelta(hours=1), "a": T0})
    assert due.earliest() == T0
    assert list(due.pop_due(T0 + timedelta(hours=2))) == ["a", "b"]
    assert due.earliest() is None


def test_many_moves_keep_the_heap_small() -> None:
    """A deadline moved again and again leaves stale entries, rebuilt away past the slack."""
    due = DueTimes()
    for minute in range(1000):
        due.set("T", T0 + timedelta(minutes=minute))
    assert len(due._heap) <= 2 * len(due) + 64
    assert due.earliest() == T0 + timedelta(minutes=999)
