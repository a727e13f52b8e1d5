"""Scorecards against scores worked by hand.

The scorecard: greeting (weight 10, yes/no), verified identity (weight 20,
yes/no, auto-fail), empathy (weight 30, 0-5), resolution (weight 40, 0-5);
pass mark 80.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from callcore.errors import InvalidInputError
from callcore.quality import Criterion, QualityKpi, Scorecard, calibration, quality_kpis

AT = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)
CARD = Scorecard(
    "voice",
    (
        Criterion("greeting", 10),
        Criterion("verified_identity", 20, auto_fail=True),
        Criterion("empathy", 30, max_points=5),
        Criterion("resolution", 40, max_points=5),
    ),
    pass_mark=80,
)


def _score(answers: dict[str, int | None]) -> float:
    """The score of ``answers`` for contact k1, agent ana."""
    return CARD.evaluate(
        answers, contact_id="k1", agent="ana", evaluator="qa1", at=AT, queue="support"
    ).score


def test_a_full_evaluation_weighs_each_answer() -> None:
    """(10*1 + 20*1 + 30*3/5 + 40*4/5) / 100 = (10 + 20 + 18 + 32) / 100 = 80%."""
    answers = {"greeting": 1, "verified_identity": 1, "empathy": 3, "resolution": 4}
    evaluation = CARD.evaluate(
        answers, contact_id="k1", agent="ana", evaluator="qa1", at=AT, queue="support"
    )
    assert evaluation.score == pytest.approx(80.0)
    assert evaluation.passed  # exactly at the pass mark
    assert not evaluation.auto_failed


def test_a_criterion_that_does_not_apply_hands_on_its_weight() -> None:
    """Empathy N/A: (10 + 20 + 40*4/5) / (10 + 20 + 40) = 62 / 70 = 88.571...%."""
    score = _score({"greeting": 1, "verified_identity": 1, "empathy": None, "resolution": 4})
    assert score == pytest.approx(62 / 70 * 100)
    assert score == pytest.approx(88.5714285714)


def test_an_auto_fail_item_at_zero_fails_everything() -> None:
    """Identity not verified: score 0 though the rest is perfect, and not passed."""
    evaluation = CARD.evaluate(
        {"greeting": 1, "verified_identity": 0, "empathy": 5, "resolution": 5},
        contact_id="k1",
        agent="ana",
        evaluator="qa1",
        at=AT,
    )
    assert (evaluation.score, evaluation.auto_failed, evaluation.passed) == (0.0, True, False)


def test_below_the_pass_mark_does_not_pass() -> None:
    """(0 + 20 + 30*2/5 + 40*3/5) / 100 = (20 + 12 + 24) / 100 = 56%."""
    evaluation = CARD.evaluate(
        {"greeting": 0, "verified_identity": 1, "empathy": 2, "resolution": 3},
        contact_id="k1",
        agent="ana",
        evaluator="qa1",
        at=AT,
    )
    assert evaluation.score == pytest.approx(56.0)
    assert not evaluation.passed


def test_kpis_per_agent_and_queue() -> None:
    """Means, pass rates and auto-fails per agent and per queue, worked by hand."""
    ok = {"greeting": 1, "verified_identity": 1, "empathy": 3, "resolution": 4}  # 80
    low = {"greeting": 0, "verified_identity": 1, "empathy": 2, "resolution": 3}  # 56
    fail = {"greeting": 1, "verified_identity": 0, "empathy": 5, "resolution": 5}  # 0
    evaluations = [
        CARD.evaluate(ok, contact_id="k1", agent="ana", evaluator="qa", at=AT, queue="sales"),
        CARD.evaluate(low, contact_id="k2", agent="ana", evaluator="qa", at=AT, queue="support"),
        CARD.evaluate(fail, contact_id="k3", agent="bob", evaluator="qa", at=AT, queue="support"),
        CARD.evaluate(ok, contact_id="k4", agent="bob", evaluator="qa", at=AT),
    ]
    assert quality_kpis(evaluations) == {
        "ana": QualityKpi(evaluations=2, mean_score=68.0, pass_rate=0.5, auto_fails=0),
        "bob": QualityKpi(evaluations=2, mean_score=40.0, pass_rate=0.5, auto_fails=1),
    }
    assert quality_kpis(evaluations, by="queue") == {
        "sales": QualityKpi(evaluations=1, mean_score=80.0, pass_rate=1.0, auto_fails=0),
        "support": QualityKpi(evaluations=2, mean_score=28.0, pass_rate=0.0, auto_fails=1),
    }


def test_calibration_reports_the_spread_of_evaluators() -> None:
    """Scores 80, 56 and 88.57: mean 74.857, spread 32.571, population deviation by hand."""
    answers: list[tuple[str, dict[str, int | None]]] = [
        ("qa1", {"greeting": 1, "verified_identity": 1, "empathy": 3, "resolution": 4}),
        ("qa2", {"greeting": 0, "verified_identity": 1, "empathy": 2, "resolution": 3}),
        ("qa3", {"greeting": 1, "verified_identity": 1, "empathy": None, "resolution": 4}),
    ]
    result = calibration(
        CARD.evaluate(a, contact_id="k9", agent="ana", evaluator=who, at=AT) for who, a in answers
    )
    third = 62 / 70 * 100
    mean = (80 + 56 + third) / 3
    assert result.mean == pytest.approx(mean)
    assert result.spread == pytest.approx(third - 56)
    expected = math.sqrt(((80 - mean) ** 2 + (56 - mean) ** 2 + (third - mean) ** 2) / 3)
    assert result.deviation == pytest.approx(expected)
    assert result.deviation == pytest.approx(13.7855, abs=1e-4)  # sqrt(570.12 / 3), by hand
    assert dict(result.scores) == {
        "qa1": pytest.approx(80),
        "qa2": pytest.approx(56),
        "qa3": pytest.approx(third),
    }


@pytest.mark.parametrize(
    ("answers", "match"),
    [
        ({"greeting": 1, "verified_identity": 1, "empathy": 3}, "resolution is missing"),
        ({"greeting": 1, "verified_identity": 1, "empathy": 6, "resolution": 1}, "at most 5"),
        (
            {"greeting": 1, "verified_identity": None, "empathy": 1, "resolution": 1},
            "always applies",
        ),
        ({"greeting": 1, "verified_identity": 1, "empathy": 1, "resolution": 1, "x": 1}, "unknown"),
        ({"greeting": 1.0, "verified_identity": 1, "empathy": 1, "resolution": 1}, "whole number"),
        ({"greeting": None, "verified_identity": 1, "empathy": None, "resolution": None}, None),
    ],
)
def test_bad_answers_are_refused(answers: dict[str, object], match: str | None) -> None:
    """Missing, off-scale, unknown and mistyped answers name the criterion."""
    if match is None:  # only the auto-fail item applies, and it weighs 20: that is allowed
        assert _score(answers) == pytest.approx(100.0)  # type: ignore[arg-type]
        return
    with pytest.raises(InvalidInputError, match=match):
        _score(answers)  # type: ignore[arg-type]


def test_calibration_needs_one_contact_and_distinct_evaluators() -> None:
    """Two evaluations at least, of one contact, by different evaluators."""
    ok = {"greeting": 1, "verified_identity": 1, "empathy": 3, "resolution": 4}
    one = CARD.evaluate(ok, contact_id="k1", agent="ana", evaluator="qa1", at=AT)
    with pytest.raises(InvalidInputError, match="at least two"):
        calibration([one])
    with pytest.raises(InvalidInputError, match="twice"):
        calibration([one, one])
    other = CARD.evaluate(ok, contact_id="k2", agent="ana", evaluator="qa2", at=AT)
    with pytest.raises(InvalidInputError, match="another contact"):
        calibration([one, other])


def test_a_scorecard_is_checked_when_built() -> None:
    """Duplicate names, no weight at all, a bad pass mark are refused."""
    with pytest.raises(InvalidInputError, match="used twice"):
        Scorecard("s", (Criterion("a", 1), Criterion("a", 2)))
    with pytest.raises(InvalidInputError, match="weigh more than 0"):
        Scorecard("s", (Criterion("a", 0, auto_fail=True),))
    with pytest.raises(InvalidInputError, match="pass_mark"):
        Scorecard("s", (Criterion("a", 1),), pass_mark=101)
    with pytest.raises(InvalidInputError, match="weight"):
        Criterion("a", float("nan"))
