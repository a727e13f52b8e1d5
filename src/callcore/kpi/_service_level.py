"""Service level: the share of contacts answered within a threshold, in five variants.

The variants differ only in how abandoned contacts count; see the KPI reference
page for each one's source.
"""

from __future__ import annotations

import enum

from callcore.checks import check_count, check_enum
from callcore.errors import InvalidInputError
from callcore.kpi._limits import MAX_TOTAL

__all__ = ["DEFAULT_SERVICE_LEVEL", "ServiceLevelVariant", "service_level"]


class ServiceLevelVariant(enum.Enum):
    """How abandoned contacts count in the service level.

    With ``Aw`` answered within the threshold, ``A`` answered, ``Ab`` abandoned,
    ``Abw`` abandoned within the threshold and ``Abs`` short abandons:
    """

    ABANDONS_POSITIVE = "abandons_positive"
    """``(Aw + Abw) / (A + Ab)``: abandons within the threshold count as met (Cisco)."""
    ANSWERED_ONLY = "answered_only"
    """``Aw / A``: abandoned contacts are left out entirely (ICMI)."""
    ABANDONS_NEGATIVE = "abandons_negative"
    """``Aw / (A + Ab)``: every abandon counts as missed (Cisco); the default."""
    ABANDONS_IGNORED = "abandons_ignored"
    """``Aw / (A + Ab - Abw)``: abandons within the threshold are removed (Cisco)."""
    SHORT_ABANDONS_EXCLUDED = "short_abandons_excluded"
    """``Aw / (A + Ab - Abs)``: only short abandons are removed (ICMI)."""


DEFAULT_SERVICE_LEVEL = ServiceLevelVariant.ABANDONS_NEGATIVE
"""The variant that the ``service_level`` metric computes."""


def service_level(
    *,
    answered: int,
    answered_within: int,
    abandoned: int,
    abandoned_within: int,
    short_abandoned: int,
    variant: ServiceLevelVariant = DEFAULT_SERVICE_LEVEL,
) -> float | None:
    """Compute a service level from counts.

    Args:
        answered: Contacts answered.
        answered_within: Contacts answered within the threshold.
        abandoned: Contacts abandoned.
        abandoned_within: Contacts abandoned within the threshold.
        short_abandoned: Contacts abandoned within the short-abandon threshold.
        variant: How abandoned contacts count.

    Returns:
        The service level as a fraction from 0 to 1, or ``None`` when no
        contact counts (the denominator is zero).

    Raises:
        InvalidInputError: A count is not a whole number (a float, NaN, a
            bool) from 0 to ``10**30``, a part exceeds its whole, or
            ``variant`` is not a ``ServiceLevelVariant``; ``field`` names it.

    >>> from callcore.kpi import service_level
    >>> service_level(answered=1000, answered_within=860, abandoned=60,
    ...               abandoned_within=20, short_abandoned=10)
    0.8113207547169812
    """
    counts = {
        "answered": answered,
        "answered_within": answered_within,
        "abandoned": abandoned,
        "abandoned_within": abandoned_within,
        "short_abandoned": short_abandoned,
    }
    for name, value in counts.items():
        check_count(value, name, low=0, high=MAX_TOTAL)
    check_enum(variant, ServiceLevelVariant, "variant")
    if answered_within > answered:
        raise InvalidInputError(
            f"answered_within ({answered_within}) exceeds answered ({answered})",
            field="answered_within",
        )
    for name in ("abandoned_within", "short_abandoned"):
        if counts[name] > abandoned:
            raise InvalidInputError(
                f"{name} ({counts[name]}) must not exceed abandoned ({abandoned})", field=name
            )
    return ratio(
        *_parts(
            variant,
            answered=answered,
            answered_within=answered_within,
            abandoned=abandoned,
            abandoned_within=abandoned_within,
            short_abandoned=short_abandoned,
        )
    )


def _parts(
    variant: ServiceLevelVariant,
    *,
    answered: int,
    answered_within: int,
    abandoned: int,
    abandoned_within: int,
    short_abandoned: int,
) -> tuple[int, int]:
    offered = answered + abandoned
    if variant is ServiceLevelVariant.ABANDONS_POSITIVE:
        return answered_within + abandoned_within, offered
    if variant is ServiceLevelVariant.ANSWERED_ONLY:
        return answered_within, answered
    if variant is ServiceLevelVariant.ABANDONS_NEGATIVE:
        return answered_within, offered
    if variant is ServiceLevelVariant.ABANDONS_IGNORED:
        return answered_within, offered - abandoned_within
    return answered_within, offered - short_abandoned


def ratio(numerator: int, denominator: int) -> float | None:
    """Return ``numerator / denominator``, or ``None`` when there is nothing to divide by."""
    return numerator / denominator if denominator else None
