"""Metric definitions: each a name, a formula and a function of the totals.

A metric whose value is undefined (an average over no contacts, a rate with
nothing to divide by) is ``None``, never 0 or NaN.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from callcore.checks import check_enum, check_text, validator
from callcore.errors import InvalidInputError, NotFoundError
from callcore.kpi._aggregate import Aggregate
from callcore.kpi._limits import described
from callcore.kpi._service_level import (
    DEFAULT_SERVICE_LEVEL,
    ServiceLevelVariant,
    service_level,
)
from callcore.kpi._service_level import ratio as _ratio

__all__ = ["BUILTIN_METRICS", "Metric", "MetricValue", "Unit", "evaluate"]

MetricValue = int | float | None
"""What a metric computes: a count, a ratio, seconds, a score, or ``None``."""


class Unit(enum.Enum):
    """What a metric's number means."""

    COUNT = "count"
    RATIO = "ratio"
    """A fraction from 0 to 1 (multiply by 100 for a percentage)."""
    SECONDS = "seconds"
    SCORE = "score"
    """A score on its own scale (NPS: -100 to 100)."""
    PER_AGENT = "per_agent"


def _name(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    name = check_text(value, attribute.name)
    if name != name.strip():
        raise InvalidInputError(
            f"metric {attribute.name} must not start or end with blanks, got {described(value)}",
            field=attribute.name,
        )


def _unit(_: object, attribute: attrs.Attribute[Unit], value: object) -> None:
    check_enum(value, Unit, attribute.name)


def _callable(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not callable(value):
        raise InvalidInputError(
            f"{attribute.name} must be a function of the totals, got {type(value).__name__}",
            field=attribute.name,
        )


@attrs.frozen(kw_only=True)
class Metric:
    """A named measure computed from an :class:`Aggregate`.

    Attributes:
        name: The stable name (a column in reports), such as ``"aht"``.
        title: A human title, such as ``"Average handle time"``.
        unit: What the number means.
        formula: The formula, in words over the totals' fields.
        compute: The function from totals to the value (``None`` if undefined).
    """

    name: str = attrs.field(validator=_name)
    title: str = attrs.field(validator=validator(check_text))
    unit: Unit = attrs.field(validator=_unit)
    formula: str = attrs.field(validator=validator(check_text))
    compute: Callable[[Aggregate], MetricValue] = attrs.field(
        eq=False, repr=False, validator=_callable
    )

    def __call__(self, totals: Aggregate) -> MetricValue:
        """Compute the metric over ``totals``.

        Raises:
            InvalidInputError: ``compute`` returned something other than a
                whole number, a finite float or ``None``.
        """
        value: object = self.compute(totals)  # a plugin's function may return anything
        if (
            value is None
            or (isinstance(value, int) and not isinstance(value, bool))
            or (isinstance(value, float) and math.isfinite(value))
        ):
            return value
        raise InvalidInputError(
            f"metric {self.name!r} computed {type(value).__name__} {described(value)}; a metric "
            "returns a whole number, a finite float or None",
            field=self.name,
        )


def _seconds(micros: int, count: int) -> float | None:
    return micros / count / 1_000_000 if count else None


def _count(field: str, title: str, formula: str) -> Metric:
    return Metric(
        name=field,
        title=title,
        unit=Unit.COUNT,
        formula=formula,
        compute=lambda totals: getattr(totals, field),
    )


def _service_level_metric(variant: ServiceLevelVariant, name: str) -> Metric:
    def compute(totals: Aggregate) -> float | None:
        return service_level(
            answered=totals.answered,
            answered_within=totals.answered_within,
            abandoned=totals.abandoned,
            abandoned_within=totals.abandoned_within,
            short_abandoned=totals.short_abandoned,
            variant=variant,
        )

    return Metric(
        name=name,
        title=f"Service level ({variant.value.replace('_', ' ')})",
        unit=Unit.RATIO,
        formula=_SERVICE_LEVEL_FORMULAS[variant],
        compute=compute,
    )


_SERVICE_LEVEL_FORMULAS = {
    ServiceLevelVariant.ABANDONS_POSITIVE: "(answered within T + abandoned within T) "
    "/ (answered + abandoned)",
    ServiceLevelVariant.ANSWERED_ONLY: "answered within T / answered",
    ServiceLevelVariant.ABANDONS_NEGATIVE: "answered within T / (answered + abandoned)",
    ServiceLevelVariant.ABANDONS_IGNORED: "answered within T / (answered + abandoned "
    "- abandoned within T)",
    ServiceLevelVariant.SHORT_ABANDONS_EXCLUDED: "answered within T / (answered + "
    "abandoned - short abandons)",
}


def _occupancy(totals: Aggregate) -> float | None:
    # Ringing (reserved) is neither handling nor available time, as in Amazon
    # Connect's occupancy: it is left out of both sides.
    working = totals.busy_us + totals.wrap_up_us
    return _ratio(working, working + totals.available_us)


def _utilisation(totals: Aggregate) -> float | None:
    working = totals.busy_us + totals.wrap_up_us
    logged_in = working + totals.available_us + totals.reserved_us + totals.not_ready_us
    return _ratio(working, logged_in)


def _nps(totals: Aggregate) -> float | None:
    if not totals.nps_responses:
        return None
    return 100 * (totals.nps_promoters - totals.nps_detractors) / totals.nps_responses


def _repeat_fcr(totals: Aggregate) -> float | None:
    return _ratio(totals.repeat_known - totals.repeats, totals.repeat_known)


def _short_excluded_abandonment(totals: Aggregate) -> float | None:
    return _ratio(
        totals.abandoned - totals.short_abandoned,
        totals.answered + totals.abandoned - totals.short_abandoned,
    )


def _builtin() -> list[Metric]:
    ratio, seconds = Unit.RATIO, Unit.SECONDS
    return [
        _count("contacts", "Contacts", "every contact, once (its first leg)"),
        Metric(
            name="volume_in",
            title="Inbound volume",
            unit=Unit.COUNT,
            formula="inbound contacts, once each",
            compute=lambda t: t.inbound,
        ),
        Metric(
            name="volume_out",
            title="Outbound volume",
            unit=Unit.COUNT,
            formula="outbound contacts, once each",
            compute=lambda t: t.outbound,
        ),
        _count("answered", "Answered", "inbound records answered"),
        _count("abandoned", "Abandoned", "inbound records abandoned"),
        _count(
            "short_abandoned",
            "Short abandons",
            "inbound records abandoned within the short-abandon threshold",
        ),
        _count("missed", "Missed", "records offered to an agent and not answered"),
        Metric(
            name="offered",
            title="Offered to agents",
            unit=Unit.COUNT,
            formula="inbound legs answered + legs missed (per leg: per agent when grouped so)",
            compute=lambda t: t.answered + t.missed,
        ),
        _count("voicemail", "Voicemail", "records that went to voicemail"),
        _count("callbacks", "Callbacks", "records that chose a callback"),
        _count("overflowed", "Overflowed", "records that left for another queue"),
        _count("out_of_hours", "Out of hours", "records that arrived out of hours"),
        _count("self_served", "Self-served", "records the IVR served on its own"),
        _count("no_answer", "No answer", "outbound records nobody answered"),
        _count(
            "transferred_unanswered",
            "Transferred unanswered",
            "records sent to another destination before anyone answered",
        ),
        _count("rejected", "Rejected", "records a queue refused"),
        _count("failed", "Failed", "records that ended in a failure"),
        _count("handled", "Handled", "answered records, both directions"),
        Metric(
            name="contacts_per_agent",
            title="Contacts per agent",
            unit=Unit.PER_AGENT,
            formula="handled / distinct agents who handled",
            compute=lambda t: _ratio(t.handled, len(t.agents)),
        ),
        Metric(
            name="aht",
            title="Average handle time",
            unit=seconds,
            formula="(talk + hold + after-call work) / handled",
            compute=lambda t: _seconds(t.talk_us + t.hold_us + t.after_call_work_us, t.handled),
        ),
        Metric(
            name="average_talk_time",
            title="Average talk time",
            unit=seconds,
            formula="talk / handled",
            compute=lambda t: _seconds(t.talk_us, t.handled),
        ),
        Metric(
            name="average_hold_time",
            title="Average hold time",
            unit=seconds,
            formula="hold / handled",
            compute=lambda t: _seconds(t.hold_us, t.handled),
        ),
        Metric(
            name="average_after_call_work",
            title="Average after-call work",
            unit=seconds,
            formula="after-call work / handled",
            compute=lambda t: _seconds(t.after_call_work_us, t.handled),
        ),
        Metric(
            name="asa",
            title="Average speed of answer",
            unit=seconds,
            formula="wait of answered / answered",
            compute=lambda t: _seconds(t.answered_wait_us, t.answered),
        ),
        Metric(
            name="average_wait",
            title="Average wait",
            unit=seconds,
            formula="wait of answered and abandoned / (answered + abandoned)",
            compute=lambda t: _seconds(t.wait_us, t.waited),
        ),
        Metric(
            name="longest_wait",
            title="Longest wait",
            unit=seconds,
            formula="max wait of answered and abandoned",
            compute=lambda t: t.longest_wait_us / 1_000_000 if t.waited else None,
        ),
        _service_level_metric(DEFAULT_SERVICE_LEVEL, "service_level"),
        *(
            _service_level_metric(variant, f"service_level.{variant.value}")
            for variant in ServiceLevelVariant
        ),
        Metric(
            name="abandonment_rate",
            title="Abandonment rate",
            unit=ratio,
            formula="abandoned / (answered + abandoned)",
            compute=lambda t: _ratio(t.abandoned, t.answered + t.abandoned),
        ),
        Metric(
            name="abandonment_rate.short_abandons_excluded",
            title="Abandonment rate (short abandons excluded)",
            unit=ratio,
            formula="(abandoned - short) / (answered + abandoned - short)",
            compute=_short_excluded_abandonment,
        ),
        Metric(
            name="fcr",
            title="First-contact resolution (flag)",
            unit=ratio,
            formula="flagged resolved / flagged",
            compute=lambda t: _ratio(t.fcr_resolved, t.fcr_known),
        ),
        Metric(
            name="fcr.repeat_window",
            title="First-contact resolution (repeat window)",
            unit=ratio,
            formula="(marked - repeats) / marked",
            compute=_repeat_fcr,
        ),
        Metric(
            name="csat",
            title="Customer satisfaction (top-2-box)",
            unit=ratio,
            formula="answers of 4 or 5 / answers",
            compute=lambda t: _ratio(t.csat_top_two, t.csat_responses),
        ),
        Metric(
            name="nps",
            title="Net promoter score",
            unit=Unit.SCORE,
            formula="100 x (promoters - detractors) / answers",
            compute=_nps,
        ),
        Metric(
            name="occupancy",
            title="Occupancy",
            unit=ratio,
            formula="(busy + wrap-up) / (busy + wrap-up + available)",
            compute=_occupancy,
        ),
        Metric(
            name="utilisation",
            title="Utilisation",
            unit=ratio,
            formula="(busy + wrap-up) / logged-in time (available, reserved, busy, "
            "wrap-up and not ready)",
            compute=_utilisation,
        ),
        Metric(
            name="transfer_rate",
            title="Transfer rate",
            unit=ratio,
            formula="handled with a transfer / handled",
            compute=lambda t: _ratio(t.transferred, t.handled),
        ),
        Metric(
            name="hold_rate",
            title="Hold rate",
            unit=ratio,
            formula="handled with a hold / handled",
            compute=lambda t: _ratio(t.held, t.handled),
        ),
        Metric(
            name="ivr_containment",
            title="IVR containment",
            unit=ratio,
            formula="self-served / entered the IVR",
            compute=lambda t: _ratio(t.self_served, t.ivr_entered),
        ),
        Metric(
            name="callback_rate",
            title="Callback rate",
            unit=ratio,
            formula="callbacks / inbound",
            compute=lambda t: _ratio(t.callbacks, t.inbound),
        ),
    ]


BUILTIN_METRICS: Mapping[str, Metric] = MappingProxyType(
    {metric.name: metric for metric in _builtin()}
)
"""Every built-in metric by name (contributed to plugins by the built-in KPI plugin)."""


def evaluate(
    totals: Aggregate,
    names: Iterable[str] | None = None,
    metrics: Mapping[str, Metric] = BUILTIN_METRICS,
) -> dict[str, MetricValue]:
    """Compute metrics over totals.

    Args:
        totals: The totals of a group.
        names: The metrics to compute, in order; all of ``metrics`` if omitted.
        metrics: Where to look the names up (the built-ins, or the registry
            collected from plugins).

    Returns:
        Each metric's value by name, in the order asked.

    Raises:
        InvalidInputError: ``totals`` is not an ``Aggregate``, ``names`` is a
            string or mapping (not a list of names), ``metrics`` is not a
            mapping of metrics, or a metric computed something other than a
            number or ``None``.
        NotFoundError: A name is not a known metric.
    """
    if not isinstance(totals, Aggregate):
        raise InvalidInputError(
            f"totals must be an Aggregate, got {type(totals).__name__}", field="totals"
        )
    chosen = metric_names(names, metrics)
    return {name: metrics[name](totals) for name in chosen}


def metric_names(names: Iterable[str] | None, metrics: Mapping[str, Metric]) -> list[str]:
    """Check the metrics asked for (every one of ``metrics`` if ``None``) and list them.

    Raises:
        InvalidInputError: ``names`` is a string or mapping, or not an
            iterable of strings; ``metrics`` is not a mapping of metrics.
        NotFoundError: A name is not in ``metrics``.
    """
    if not isinstance(metrics, Mapping):
        raise InvalidInputError(
            f"metrics must be a mapping of names to metrics, got {type(metrics).__name__}",
            field="metrics",
        )
    if names is None:
        chosen = list(metrics)
    elif isinstance(names, str | bytes | Mapping) or not isinstance(names, Iterable):
        raise InvalidInputError(
            f"names must be a list of metric names, got {type(names).__name__} {described(names)}",
            field="names",
        )
    else:
        chosen = list(names)
    for name in chosen:
        if not isinstance(name, str):
            raise InvalidInputError(
                f"names must be metric names, got {type(name).__name__} {described(name)}",
                field="names",
            )
    missing = [name for name in chosen if name not in metrics]
    if missing:
        raise NotFoundError("metric", ", ".join(missing)[:200])
    for name in chosen:
        if not isinstance(metrics[name], Metric):
            raise InvalidInputError(
                f"metrics[{name!r}] must be a Metric, got {type(metrics[name]).__name__}",
                field="metrics",
            )
    return chosen
