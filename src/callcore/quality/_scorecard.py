"""Quality scorecards: criteria with weights and auto-fail items, evaluations, scores.

Theory of operation. A :class:`Scorecard` lists :class:`Criterion` items,
each with a weight and a scale from 0 to ``max_points`` (1 for a yes/no item).
An evaluator listens to a recorded contact and answers every criterion: points
on its scale, or ``None`` where it does not apply. :meth:`Scorecard.evaluate`
checks the answers and returns an :class:`Evaluation` with its score:

    score = 100 * sum(weight * points / max_points) / sum(weight)

both sums over the criteria that apply, so a criterion that does not apply
hands its weight to the others in proportion. A criterion marked
``auto_fail`` that scores 0 fails the whole evaluation: its score is 0,
whatever the rest. An evaluation passes when it did not auto-fail and its
score reaches the scorecard's pass mark.

This follows Amazon Connect's evaluation forms (weighted questions, answers
that are "not applicable" with their weight redistributed, and an answer
that automatically fails the form) with one section level fewer: a host that
wants sections weights its criteria accordingly.

Everything here is a frozen value: evaluating, summarising per agent or
queue (:func:`quality_kpis`) and calibrating (:func:`calibration`) are pure
functions with no state to change.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from callcore.checks import check_count, check_instant, check_number, check_text
from callcore.errors import InvalidInputError

__all__ = [
    "Calibration",
    "Criterion",
    "Evaluation",
    "QualityKpi",
    "Scorecard",
    "calibration",
    "quality_kpis",
]

_MAX_POINTS = 100
_MAX_CRITERIA = 1_000


def _text(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_text(value, attribute.name)


@attrs.frozen
class Criterion:
    """One item of a scorecard.

    Attributes:
        name: The item's name, unique in its scorecard (``"verified_identity"``).
        weight: Its share of the score: a finite number, at least 0 (an
            auto-fail item may weigh 0: it then only gates).
        max_points: The top of its scale, from 1 (yes/no) to 100.
        auto_fail: Whether 0 points fails the whole evaluation.
        description: What the evaluator listens for.
    """

    name: str = attrs.field(validator=_text)
    weight: float = attrs.field(
        validator=lambda _, __, value: check_number(value, "weight", low=0, high=1e9)
    )
    max_points: int = attrs.field(
        default=1,
        validator=lambda _, __, value: check_count(value, "max_points", low=1, high=_MAX_POINTS),
    )
    auto_fail: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    description: str = attrs.field(default="", validator=attrs.validators.instance_of(str))


@attrs.frozen
class Evaluation:
    """One evaluator's scoring of one recorded contact.

    Attributes:
        scorecard: The scorecard's name.
        contact_id: The contact evaluated.
        agent: The agent who handled it.
        queue: The queue it came through, if any.
        evaluator: Who scored it.
        at: When it was scored.
        answers: Points per criterion (``None``: does not apply), read-only.
        score: The score from 0 to 100 (0 when auto-failed).
        auto_failed: Whether an auto-fail criterion scored 0.
        passed: Whether it did not auto-fail and reached the pass mark.
    """

    scorecard: str
    contact_id: str
    agent: str
    queue: str | None
    evaluator: str
    at: datetime
    answers: Mapping[str, int | None]
    score: float
    auto_failed: bool
    passed: bool


def _criteria(value: Iterable[Criterion]) -> tuple[Criterion, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidInputError(
            f"criteria must be a list or tuple of Criterion, got {type(value).__name__}",
            field="criteria",
        )
    return tuple(value)


@attrs.frozen
class Scorecard:
    """A named list of weighted criteria and the score that passes.

    Attributes:
        name: The scorecard's name.
        criteria: Its criteria (names unique; at least one with a weight above 0).
        pass_mark: The score from 0 to 100 an evaluation needs to pass.
    """

    name: str = attrs.field(validator=_text)
    criteria: tuple[Criterion, ...] = attrs.field(converter=_criteria)
    pass_mark: float = attrs.field(
        default=80.0,
        validator=lambda _, __, value: check_number(value, "pass_mark", low=0, high=100),
    )

    def __attrs_post_init__(self) -> None:
        """Refuse an empty scorecard, duplicate names, or no weight at all."""
        if not 0 < len(self.criteria) <= _MAX_CRITERIA:
            raise InvalidInputError(
                f"criteria must hold 1 to {_MAX_CRITERIA} criteria, got {len(self.criteria)}",
                field="criteria",
            )
        names: set[str] = set()
        for index, criterion in enumerate(self.criteria):
            found: object = criterion
            if not isinstance(found, Criterion):
                raise InvalidInputError(
                    f"criteria[{index}] must be a Criterion, got {type(found).__name__}",
                    field=f"criteria[{index}]",
                )
            if criterion.name in names:
                raise InvalidInputError(
                    f"criteria[{index}]: the name {criterion.name!r} is used twice",
                    field=f"criteria[{index}].name",
                )
            names.add(criterion.name)
        if not any(criterion.weight > 0 for criterion in self.criteria):
            raise InvalidInputError(
                "at least one criterion must weigh more than 0", field="criteria"
            )

    def evaluate(
        self,
        answers: Mapping[str, int | None],
        *,
        contact_id: str,
        agent: str,
        evaluator: str,
        at: datetime,
        queue: str | None = None,
    ) -> Evaluation:
        """Score one contact: check every answer, then weigh them.

        Args:
            answers: Points for every criterion, by name; ``None`` where it
                does not apply (an auto-fail criterion always applies).
            contact_id: The contact evaluated.
            agent: The agent who handled it.
            evaluator: Who scores it.
            at: When.
            queue: The queue it came through.

        Raises:
            InvalidInputError: A criterion is unanswered or unknown, points are
                not a whole number on the criterion's scale, an auto-fail
                criterion is marked as not applying, or no weighted criterion
                applies.
        """
        for what, value in (("contact_id", contact_id), ("agent", agent), ("evaluator", evaluator)):
            check_text(value, what)
        if queue is not None:
            check_text(queue, "queue")
        check_instant(at, "at")
        if not isinstance(answers, Mapping):
            raise InvalidInputError(
                f"answers must be a mapping of criteria to points, got {type(answers).__name__}",
                field="answers",
            )
        known = {criterion.name for criterion in self.criteria}
        unknown = sorted(str(name) for name in answers if name not in known)
        if unknown:
            raise InvalidInputError(
                f"answers name unknown criteria: {', '.join(unknown)}", field="answers"
            )
        weighed = applied = 0.0
        auto_failed = False
        for criterion in self.criteria:
            where = f"answers.{criterion.name}"
            if criterion.name not in answers:
                raise InvalidInputError(f"{where} is missing (None: does not apply)", field=where)
            points = answers[criterion.name]
            if points is None:
                if criterion.auto_fail:
                    raise InvalidInputError(
                        f"{where}: an auto-fail criterion always applies", field=where
                    )
                continue
            check_count(points, where, low=0, high=criterion.max_points)
            weighed += criterion.weight * points / criterion.max_points
            applied += criterion.weight
            auto_failed = auto_failed or (criterion.auto_fail and points == 0)
        if applied == 0:
            raise InvalidInputError("no criterion with a weight applies", field="answers")
        score = 0.0 if auto_failed else 100 * weighed / applied
        return Evaluation(
            scorecard=self.name,
            contact_id=contact_id,
            agent=agent,
            queue=queue,
            evaluator=evaluator,
            at=at,
            answers=MappingProxyType(dict(answers)),
            score=score,
            auto_failed=auto_failed,
            passed=not auto_failed and score >= self.pass_mark,
        )


@attrs.frozen
class QualityKpi:
    """The quality figures of one agent or queue.

    Attributes:
        evaluations: How many evaluations.
        mean_score: Their mean score (auto-fails count as 0).
        pass_rate: The fraction that passed, from 0 to 1.
        auto_fails: How many auto-failed.
    """

    evaluations: int
    mean_score: float
    pass_rate: float
    auto_fails: int


def quality_kpis(evaluations: Iterable[Evaluation], *, by: str = "agent") -> dict[str, QualityKpi]:
    """Summarise evaluations per agent (``by="agent"``) or per queue (``by="queue"``).

    Evaluations without a queue are left out of the per-queue figures.

    Raises:
        InvalidInputError: ``by`` is neither ``"agent"`` nor ``"queue"``, or an
            item is not an :class:`Evaluation`.
    """
    if by not in {"agent", "queue"}:
        raise InvalidInputError(f"by must be 'agent' or 'queue', got {by!r}", field="by")
    groups: dict[str, list[Evaluation]] = {}
    for index, evaluation in enumerate(evaluations):
        if not isinstance(evaluation, Evaluation):
            raise InvalidInputError(
                f"evaluations[{index}] must be an Evaluation, got {type(evaluation).__name__}",
                field=f"evaluations[{index}]",
            )
        key = evaluation.agent if by == "agent" else evaluation.queue
        if key is not None:
            groups.setdefault(key, []).append(evaluation)
    return {
        key: QualityKpi(
            evaluations=len(group),
            mean_score=math.fsum(e.score for e in group) / len(group),
            pass_rate=sum(e.passed for e in group) / len(group),
            auto_fails=sum(e.auto_failed for e in group),
        )
        for key, group in sorted(groups.items())
    }


@attrs.frozen
class Calibration:
    """How far several evaluators' scores of the same contact lie apart.

    Attributes:
        contact_id: The contact.
        scores: Each evaluator's score, by evaluator.
        mean: The mean score.
        spread: The highest score less the lowest.
        deviation: The population standard deviation of the scores.
    """

    contact_id: str
    scores: Mapping[str, float]
    mean: float
    spread: float
    deviation: float


def calibration(evaluations: Iterable[Evaluation]) -> Calibration:
    """Compare several evaluators' evaluations of one contact.

    Raises:
        InvalidInputError: Fewer than two evaluations, evaluations of different
            contacts or scorecards, or one evaluator twice.
    """
    given = list(evaluations)
    if len(given) < 2:
        raise InvalidInputError(
            "calibration needs at least two evaluations of one contact", field="evaluations"
        )
    first = given[0]
    scores: dict[str, float] = {}
    for index, evaluation in enumerate(given):
        if not isinstance(evaluation, Evaluation):
            raise InvalidInputError(
                f"evaluations[{index}] must be an Evaluation", field=f"evaluations[{index}]"
            )
        if (evaluation.contact_id, evaluation.scorecard) != (first.contact_id, first.scorecard):
            raise InvalidInputError(
                f"evaluations[{index}] is of another contact or scorecard; calibrate one "
                "contact on one scorecard",
                field=f"evaluations[{index}]",
            )
        if evaluation.evaluator in scores:
            raise InvalidInputError(
                f"evaluations[{index}]: {evaluation.evaluator!r} evaluated twice",
                field=f"evaluations[{index}]",
            )
        scores[evaluation.evaluator] = evaluation.score
    values = list(scores.values())
    mean = math.fsum(values) / len(values)
    return Calibration(
        contact_id=first.contact_id,
        scores=MappingProxyType(scores),
        mean=mean,
        spread=max(values) - min(values),
        deviation=math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values)),
    )
