"""How KPI models read from and write to plain data (registered on import).

Records and the other KPI value types check their fields when built; here,
what they refuse becomes a :class:`~callcore.errors.DocumentError` with the
path of each problem. A saved aggregator (a shard's partial result, shipped
to be merged) is checked further: group keys must fit its grouping and its
interval grid, no key may repeat, and each group's totals must be
consistent (a part never exceeds its whole).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import attrs
from cattrs.errors import ClassValidationError, IterableValidationError
from cattrs.gen import make_dict_structure_fn

from callcore.checks import check_count
from callcore.errors import DocumentError, InvalidInputError, Problem
from callcore.kpi._aggregate import Aggregate, Thresholds
from callcore.kpi._aggregator import Aggregator
from callcore.kpi._distributions import Distributions
from callcore.kpi._grouping import Dimension, GroupKey, epoch_micros
from callcore.kpi._limits import MAX_TOTAL
from callcore.kpi._records import AgentStateRecord, InteractionRecord, InvalidRecordError
from callcore.serialization import converter, problems_from_exception

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class _SavedGroup:
    key: GroupKey
    totals: Aggregate
    # Plain data of Distributions.saved(), checked by Distributions.from_saved.
    distributions: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class _SavedAggregator:
    group_by: tuple[Dimension, ...]
    interval: timedelta
    timezone: ZoneInfo
    thresholds: Thresholds
    groups: tuple[_SavedGroup, ...]
    keep_distributions: bool = False


def _as_problems(error: InvalidInputError) -> list[Problem]:
    """The problems a constructor's refusal names, each at its field."""
    if isinstance(error, InvalidRecordError):
        return list(error.problems)
    field, message = error.field or "", str(error)
    if field and message.startswith(f"{field} "):
        message = message[len(field) + 1 :]
    return [Problem(field, message)]


def _checked(cls: type[T]) -> Callable[[Any, type], T]:
    """Structure ``cls``, turning what its constructor refuses into a DocumentError."""
    structure = make_dict_structure_fn(cls, converter)

    def hook(data: Any, _: type) -> T:  # noqa: ANN401 - plain data of any shape
        try:
            return structure(data, cls)
        except ClassValidationError as exc:
            # The constructor runs only once every field was structured, so a
            # refusal of ours is then the one exception cattrs wraps.
            refused = [sub for sub in exc.exceptions if isinstance(sub, InvalidInputError)]
            if not refused or len(refused) != len(exc.exceptions):
                raise
            problems = [problem for sub in refused for problem in _as_problems(sub)]
            raise DocumentError(problems, cls.__name__) from exc

    return hook


_COUNTERS = tuple(field.name for field in attrs.fields(Aggregate) if field.name != "agents")


def _range_problems(data: object) -> Iterator[Problem]:
    """Every whole-number total out of range (the constructor names only the first)."""
    if not isinstance(data, Mapping):
        return
    for name in _COUNTERS:
        value = data.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                check_count(value, name, low=0, high=MAX_TOTAL)
            except InvalidInputError as exc:
                yield from _as_problems(exc)


def _structure_aggregate(
    structure: Callable[[Any, type], Aggregate],
) -> Callable[[Any, type], Aggregate]:
    """Structure totals, listing every total out of range, not only the first.

    The constructor names the first total out of range (then nothing else is
    checked), or lists every inconsistency; wrong types are cattrs' to report.
    """

    def hook(data: Any, cls: type) -> Aggregate:  # noqa: ANN401 - plain data of any shape
        ranges = list(_range_problems(data))
        try:
            return structure(data, cls)
        except ClassValidationError as exc:
            if not ranges:
                raise
            raise DocumentError([*problems_from_exception(exc), *ranges], "Aggregate") from exc
        except DocumentError as exc:
            raise DocumentError([*exc.problems, *ranges], "Aggregate") from exc

    return hook


def _unstructure_aggregator(aggregator: Aggregator) -> Any:  # noqa: ANN401
    kept = aggregator.distributions() if aggregator.keep_distributions else {}
    saved = _SavedAggregator(
        group_by=aggregator.group_by,
        interval=aggregator.interval,
        timezone=aggregator.timezone,
        thresholds=aggregator.thresholds,
        groups=tuple(
            _SavedGroup(
                key=key,
                totals=totals,
                distributions=kept[key].saved() if key in kept else None,
            )
            for key, totals in aggregator.groups().items()
        ),
        keep_distributions=aggregator.keep_distributions,
    )
    data = converter.unstructure(saved)
    if not aggregator.keep_distributions:  # the document of an aggregator without them, as before
        del data["keep_distributions"]
        for group in data["groups"]:
            del group["distributions"]
    return data


def _leniently(cls: type[T], value: object) -> T | None:
    """Structure ``value`` as ``cls``, or ``None`` if it has problems (reported elsewhere)."""
    try:
        return converter.structure(value, cls)
    except (
        ClassValidationError,
        IterableValidationError,
        DocumentError,
        TypeError,
        ValueError,
        KeyError,
        AttributeError,
        OverflowError,
    ):
        return None


def _settings(data: Mapping[str, Any], problems: list[Problem]) -> Aggregator | None:
    """Build the aggregator that a saved one describes, if its settings allow."""
    settings = {
        name: _leniently(cls, data.get(name))
        for name, cls in (
            ("group_by", tuple[Dimension, ...]),
            ("interval", timedelta),
            ("timezone", ZoneInfo),
            ("thresholds", Thresholds),
        )
    }
    keep = data.get("keep_distributions", False)
    if type(keep) is not bool:
        problems.append(Problem("keep_distributions", "must be true or false"))
        return None
    settings["keep_distributions"] = keep
    if any(value is None for value in settings.values()):
        return None
    try:
        return Aggregator(**settings)  # type: ignore[arg-type]
    except InvalidInputError as exc:
        problems.extend(_as_problems(exc))
        return None


def _key_problems(data: Mapping[str, Any], aggregator: Aggregator | None) -> Iterator[Problem]:
    """Problems of the group keys that can be read, against the grouping if it can be."""
    groups = data.get("groups")
    if not isinstance(groups, list | tuple):
        return
    group_by = _leniently(tuple[Dimension, ...], data.get("group_by"))
    seen: set[GroupKey] = set()
    for index, group in enumerate(groups):
        path = f"groups[{index}].key"
        key = _leniently(GroupKey, group.get("key")) if isinstance(group, Mapping) else None
        if key is None:
            continue
        if key in seen:
            yield Problem(path, "repeats an earlier group's key")
        seen.add(key)
        if group_by is None:
            continue
        for dimension in Dimension:
            if dimension not in group_by and getattr(key, dimension.value) is not None:
                yield Problem(
                    f"{path}.{dimension.value}",
                    f"is set but the aggregator does not group by {dimension.value}",
                )
        yield from _interval_problems(path, key, group_by, aggregator)


def _interval_problems(
    path: str, key: GroupKey, group_by: tuple[Dimension, ...], aggregator: Aggregator | None
) -> Iterator[Problem]:
    if Dimension.INTERVAL in group_by and key.interval is None:
        yield Problem(f"{path}.interval", "is required: the aggregator groups by interval")
    elif key.interval is not None and aggregator is not None:
        instant = epoch_micros(key.interval)
        if aggregator._grid._locate(instant)[1] != instant:  # noqa: SLF001 - a friend
            yield Problem(
                f"{path}.interval",
                f"is not the start of a {aggregator.interval} interval of "
                f"{aggregator.timezone.key}",
            )


def _structure_aggregator(data: Any, _: type) -> Aggregator:  # noqa: ANN401
    """Read a saved aggregator, listing every problem of its settings, keys and totals."""
    if not isinstance(data, Mapping):
        return converter.structure(data, _SavedAggregator)  # type: ignore[return-value]  # raises
    problems: list[Problem] = []
    saved: _SavedAggregator | None = None
    try:
        saved = converter.structure(data, _SavedAggregator)
    except (ClassValidationError, DocumentError) as exc:
        problems.extend(problems_from_exception(exc))
    aggregator = _settings(data, problems)
    problems.extend(_key_problems(data, aggregator))
    if problems or saved is None or aggregator is None:
        raise DocumentError(problems, "saved aggregator")
    restored = list(_distribution_problems(saved, problems))
    if problems:
        raise DocumentError(problems, "saved aggregator")
    for group, distributions in zip(saved.groups, restored, strict=True):
        aggregator._restore(group.key, group.totals, distributions)  # noqa: SLF001 - a friend
    return aggregator


def _distribution_problems(
    saved: _SavedAggregator, problems: list[Problem]
) -> Iterator[Distributions | None]:
    """Each group's distributions, read and checked against its totals; problems appended."""
    for index, group in enumerate(saved.groups):
        path = f"groups[{index}].distributions"
        data, totals = group.distributions, group.totals
        if data is None:
            if saved.keep_distributions and totals.waited + totals.handled:
                problems.append(Problem(path, "is required: the aggregator keeps distributions"))
            yield None
            continue
        if not saved.keep_distributions:
            problems.append(Problem(path, "is set but the aggregator keeps no distributions"))
            yield None
            continue
        try:
            found = Distributions.from_saved(data, path)
        except InvalidInputError as exc:
            problems.extend(_as_problems(exc))
            yield None
            continue
        if (found.answer.count, found.wait.count, found.handle.count) != (
            totals.answered,
            totals.waited,
            totals.handled,
        ):
            problems.append(
                Problem(path, "must count the group's answered, waited and handled contacts")
            )
        yield found


def register() -> None:
    """Register the KPI models' hooks on the project's converter."""
    for cls in (InteractionRecord, AgentStateRecord, GroupKey, Thresholds):
        converter.register_structure_hook(cls, _checked(cls))
    converter.register_structure_hook(Aggregate, _structure_aggregate(_checked(Aggregate)))
    converter.register_unstructure_hook(Aggregator, _unstructure_aggregator)
    converter.register_structure_hook(Aggregator, _structure_aggregator)
