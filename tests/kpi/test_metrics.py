"""Metric definitions, on a small hand-worked set of records."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from callcore.contacts import Channel, Direction
from callcore.errors import InvalidInputError, NotFoundError
from callcore.kpi import (
    BUILTIN_METRICS,
    AgentState,
    AgentStateRecord,
    Aggregate,
    Aggregator,
    InteractionRecord,
    Metric,
    Outcome,
    Unit,
    evaluate,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def s(seconds: float) -> datetime:
    """The time ``seconds`` after T0."""
    return T0 + timedelta(seconds=seconds)


def inbound(**fields: Any) -> InteractionRecord:
    """An inbound voice record in queue 'sales'."""
    return InteractionRecord(
        channel=Channel.VOICE, direction=Direction.INBOUND, queue="sales", **fields
    )


def _records() -> list[InteractionRecord]:
    return [
        # waits 10 s and 30 s; talk 100 and 200 s; hold 20 s; ACW 30 s and 0
        inbound(
            id="1", outcome=Outcome.ANSWERED, arrived_at=s(0), queued_at=s(0),
            answered_at=s(10), ended_at=s(130), wrap_up_ended_at=s(160),
            hold_time=timedelta(seconds=20), holds=1, agent="ana", transfers=1,
            csat=5, nps=10, first_contact_resolved=True, ivr_path=("menu",),
        ),
        inbound(
            id="2", outcome=Outcome.ANSWERED, arrived_at=s(0), queued_at=s(0),
            answered_at=s(30), ended_at=s(230), agent="bo", csat=3, nps=6,
            first_contact_resolved=False,
        ),
        # abandoned after 40 s
        inbound(
            id="3", outcome=Outcome.ABANDONED, arrived_at=s(0), queued_at=s(0),
            ended_at=s(40), nps=8,
        ),
        # self-served in the IVR, then a callback request
        inbound(
            id="4", outcome=Outcome.OUT_OF_HOURS, arrived_at=s(0), ended_at=s(60),
            ivr_path=("menu", "balance"), self_service=True,
        ),
        inbound(
            id="5", outcome=Outcome.CALLBACK, arrived_at=s(0), queued_at=s(5),
            ended_at=s(65),
        ),
        # outbound, answered by the customer: handled, not in queue metrics
        InteractionRecord(
            id="6", channel=Channel.VOICE, direction=Direction.OUTBOUND, queue="sales",
            outcome=Outcome.ANSWERED, arrived_at=s(0), answered_at=s(20), ended_at=s(80),
            agent="ana",
        ),
    ]  # fmt: skip


@pytest.fixture
def totals() -> Aggregate:
    """The hand-worked records' totals, with agent time."""
    aggregator = Aggregator()
    aggregator.add_many(_records())
    for state, minutes in [
        (AgentState.BUSY, 30),
        (AgentState.WRAP_UP, 10),
        (AgentState.IDLE, 20),
        (AgentState.AWAY, 20),
    ]:
        aggregator.add_agent_state(
            AgentStateRecord(agent="ana", state=state, started_at=T0,
                             ended_at=T0 + timedelta(minutes=minutes))
        )  # fmt: skip
    return aggregator.total()


EXPECTED = {
    "contacts": 6,
    "volume_in": 5,
    "volume_out": 1,
    "answered": 2,
    "abandoned": 1,
    "callbacks": 1,
    "out_of_hours": 1,
    "handled": 3,
    "contacts_per_agent": 1.5,  # 3 handled by ana and bo
    "aht": (100 + 20 + 30 + 200 + 60) / 3,  # talk + hold + ACW over handled
    "average_talk_time": (100 + 200 + 60) / 3,
    "average_hold_time": 20 / 3,
    "average_after_call_work": 10.0,
    "asa": 20.0,  # (10 + 30) / 2
    "average_wait": (10 + 30 + 40) / 3,
    "longest_wait": 40.0,
    "service_level": 1 / 3,  # 1 within 20 s of 3 answered + abandoned
    "abandonment_rate": 1 / 3,
    "fcr": 0.5,
    "csat": 0.5,  # one 5 among a 5 and a 3
    "nps": 100 * (1 - 1) / 3,  # 10 promoter, 6 detractor, 8 passive
    "occupancy": 40 / 60,  # (busy 30 + wrap 10) / (busy + wrap + idle 20)
    "utilisation": 40 / 80,  # ... / logged in 80
    "transfer_rate": 1 / 3,
    "hold_rate": 1 / 3,
    "ivr_containment": 0.5,
    "callback_rate": 1 / 5,
}


def test_hand_worked_values(totals: Aggregate) -> None:
    """Each metric equals its value worked out by hand."""
    values = evaluate(totals, list(EXPECTED))
    assert values == pytest.approx(EXPECTED)


def test_undefined_values_are_none() -> None:
    """Averages and rates over nothing are None, counts are 0."""
    values = evaluate(Aggregate())
    for name, metric in BUILTIN_METRICS.items():
        if metric.unit is Unit.COUNT:
            assert values[name] == 0
        else:
            assert values[name] is None, name


def test_unknown_metric_names_are_reported_together() -> None:
    """Asking for unknown metrics names every one of them."""
    with pytest.raises(NotFoundError, match="'speed, aht2'"):
        evaluate(Aggregate(), ["aht", "speed", "aht2"])


def test_every_builtin_metric_has_a_formula_and_its_own_name() -> None:
    """Registry keys are the metrics' names and each states its formula."""
    for name, metric in BUILTIN_METRICS.items():
        assert metric.name == name
        assert metric.formula
        assert metric.title


def test_a_metric_needs_a_name() -> None:
    """A blank metric name is refused."""
    with pytest.raises(InvalidInputError, match="name must not start or end with blanks"):
        Metric(name=" ", title="x", unit=Unit.COUNT, formula="x", compute=lambda t: 0)
    with pytest.raises(InvalidInputError, match="name must not be empty"):
        Metric(name="", title="x", unit=Unit.COUNT, formula="x", compute=lambda t: 0)


def test_a_custom_metric_computes_from_totals(totals: Aggregate) -> None:
    """A plugin-style metric is evaluated from the same totals."""
    consults = Metric(
        name="consults_per_handled",
        title="Consults per handled contact",
        unit=Unit.RATIO,
        formula="consults / handled",
        compute=lambda t: t.consults / t.handled if t.handled else None,
    )
    assert evaluate(totals, ["consults_per_handled"], {"consults_per_handled": consults}) == {
        "consults_per_handled": 0.0
    }
