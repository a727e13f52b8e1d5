"""Bisection over whole numbers: the last step of the staffing and pacing searches."""

from __future__ import annotations

from collections.abc import Callable


def boundary(holds: Callable[[int], bool], good: int, bad: int) -> int:
    """Return the ``n`` nearest to ``bad`` for which ``holds(n)``, by bisection.

    ``holds`` must be monotone between the two ends: true at ``good`` and false
    at ``bad``, which may lie on either side of ``good``. It is called only on
    numbers strictly between the two.
    """
    while abs(good - bad) > 1:
        middle = (good + bad) // 2
        if holds(middle):
            good = middle
        else:
            bad = middle
    return good
