"""How KPI models read from and write to plain data (registered on import).

Records refuse contradictory fields with every problem listed; a saved
aggregator (a shard's partial result, shipped to be merged) is checked for
group keys that do not fit its grouping and for negative totals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import attrs
from cattrs.errors import ClassValidationError
from cattrs.gen import make_dict_structure_fn

from callcore.errors import DocumentError, InvalidInputError, Problem
from callcore.kpi._aggregate import Aggregate, Thresholds
from callcore.kpi._aggregator import Aggregator
from callcore.kpi._grouping import Dimension, GroupKey
from callcore.kpi._records import AgentStateRecord, InteractionRecord, InvalidRecordError
from callcore.serialization import converter

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class _SavedGroup:
    key: GroupKey
    totals: Aggregate


@attrs.frozen(kw_only=True)
class _SavedAggregator:
    group_by: tuple[Dimension, ...]
    interval: timedelta
    timezone: ZoneInfo
    thresholds: Thresholds
    groups: tuple[_SavedGroup, ...]


def _checked(cls: type[T]) -> Callable[[Any, type], T]:
    """Structure ``cls``, turning its consistency problems into a DocumentError."""
    structure = make_dict_structure_fn(cls, converter)

    def hook(data: Any, _: type) -> T:  # noqa: ANN401 - plain data of any shape
        try:
            return structure(data, cls)
        except ClassValidationError as exc:
            # cattrs wraps what the constructor raised; unwrap our own problems.
            refused = [sub for sub in exc.exceptions if isinstance(sub, InvalidRecordError)]
            if len(refused) != len(exc.exceptions):
                raise
            problems = [problem for sub in refused for problem in sub.problems]
            raise DocumentError(problems, cls.__name__) from exc

    return hook


def _unstructure_aggregator(aggregator: Aggregator) -> Any:  # noqa: ANN401
    saved = _SavedAggregator(
        group_by=aggregator.group_by,
        interval=aggregator.interval,
        timezone=aggregator.timezone,
        thresholds=aggregator.thresholds,
        groups=tuple(
            _SavedGroup(key=key, totals=totals) for key, totals in aggregator.groups().items()
        ),
    )
    return converter.unstructure(saved)


def _group_problems(saved: _SavedAggregator) -> Iterator[Problem]:
    seen: set[GroupKey] = set()
    for index, group in enumerate(saved.groups):
        path = f"groups[{index}]"
        for dimension in Dimension:
            if dimension not in saved.group_by and getattr(group.key, dimension.value) is not None:
                yield Problem(
                    f"{path}.key.{dimension.value}",
                    f"is set but the aggregator does not group by {dimension.value}",
                )
        if group.key in seen:
            yield Problem(f"{path}.key", "repeats an earlier group's key")
        seen.add(group.key)
        for field in attrs.fields(Aggregate):
            value = getattr(group.totals, field.name)
            if isinstance(value, int) and value < 0:
                yield Problem(f"{path}.totals.{field.name}", f"must not be negative, got {value}")


def _structure_aggregator(data: Any, _: type) -> Aggregator:  # noqa: ANN401
    saved = converter.structure(data, _SavedAggregator)
    problems = list(_group_problems(saved))
    try:
        aggregator = Aggregator(
            group_by=saved.group_by,
            interval=saved.interval,
            timezone=saved.timezone,
            thresholds=saved.thresholds,
        )
    except InvalidInputError as exc:
        problems.append(Problem("", str(exc)))
    if problems:
        raise DocumentError(problems, "saved aggregator")
    for group in saved.groups:
        aggregator._restore(group.key, group.totals)  # noqa: SLF001 - the loader is a friend
    return aggregator


def register() -> None:
    """Register the KPI models' hooks on the project's converter."""
    converter.register_structure_hook(InteractionRecord, _checked(InteractionRecord))
    converter.register_structure_hook(AgentStateRecord, _checked(AgentStateRecord))
    converter.register_unstructure_hook(Aggregator, _unstructure_aggregator)
    converter.register_structure_hook(Aggregator, _structure_aggregator)
