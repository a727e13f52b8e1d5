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
    ContactOutcome,
    InteractionRecord,
    Metric,
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
            id="1", outcome=ContactOutcome.ANSWERED, arrived_at=s(0), queued_at=s(0),
            answered_at=s(10), ended_at=s(130), wrap_up_ended_at=s(160),
            hold_time=timedelta(seconds=20), holds=1, agent="ana", transfers=1,
            csat=5, nps=10, first_contact_resolved=True, ivr_path=("menu",),
        ),
        inbound(
            id="2", outcome=ContactOutcome.ANSWERED, arrived_at=s(0), queued_at=s(0),
            answered_at=s(30), ended_at=s(230), agent="bo", csat=3, nps=6,
            first_contact_resolved=False,
        ),
        # abandoned after 40 s
        inbound(
            id="3", outcome=ContactOutcome.ABANDONED, arrived_at=s(0), queued_at=s(0),
            ended_at=s(40), nps=8,
        ),
        # self-served in the IVR, then a callback request
        inbound(
            id="4", outcome=ContactOutcome.SELF_SERVED, arrived_at=s(0), ended_at=s(60),
            ivr_path=("menu", "balance"),
        ),
        inbound(
            id="5", outcome=ContactOutcome.CALLBACK, arrived_at=s(0), queued_at=s(5),
            ended_at=s(65),
        ),
        # outbound, answered by the customer: handled, not in queue metrics
        InteractionRecord(
            id="6", channel=Channel.VOICE, direction=Direction.OUTBOUND, queue="sales",
            outcome=ContactOutcome.ANSWERED, arrived_at=s(0), answered_at=s(20), ended_at=s(80),
            agent="ana",
        ),
        # outbound, nobody answered: a contact, in no queue metric
        InteractionRecord(
            id="7", channel=Channel.VOICE, direction=Direction.OUTBOUND, queue="sales",
            outcome=ContactOutcome.NO_ANSWER, arrived_at=s(0), ended_at=s(30),
        ),
        # left the queue unanswered without waiting it out: sent elsewhere,
        # refused, failed, out of hours; none waited for an answer
        inbound(
            id="8", outcome=ContactOutcome.TRANSFERRED, arrived_at=s(0), queued_at=s(0),
            ended_at=s(15),
        ),
        inbound(id="9", outcome=ContactOutcome.REJECTED, arrived_at=s(0), ended_at=s(0)),
        inbound(id="10", outcome=ContactOutcome.FAILED, arrived_at=s(0), ended_at=s(5)),
        inbound(id="11", outcome=ContactOutcome.OUT_OF_HOURS, arrived_at=s(0), ended_at=s(9)),
    ]  # fmt: skip


@pytest.fixture
def totals() -> Aggregate:
    """The hand-worked records' totals, with agent time."""
    aggregator = Aggregator()
    aggregator.add_many(_records())
    for state, minutes in [
        (AgentState.BUSY, 30),
        (AgentState.WRAP_UP, 10),
        (AgentState.AVAILABLE, 20),
        (AgentState.RESERVED, 10),
        (AgentState.NOT_READY, 20),
    ]:
        aggregator.add_agent_state(
            AgentStateRecord(agent="ana", state=state, started_at=T0,
                             ended_at=T0 + timedelta(minutes=minutes))
        )  # fmt: skip
    return aggregator.total()


EXPECTED = {
    "contacts": 11,
    "volume_in": 9,
    "volume_out": 2,
    "answered": 2,
    "abandoned": 1,
    "missed": 0,
    "offered": 2,  # the two inbound answered legs; nothing missed
    "callbacks": 1,
    "out_of_hours": 1,
    "self_served": 1,
    "no_answer": 1,
    "transferred_unanswered": 1,
    "rejected": 1,
    "failed": 1,
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
    # (busy 30 + wrap 10) / (busy + wrap + available 20): ringing 10 is neither
    "occupancy": 40 / 60,
    "utilisation": 40 / 90,  # ... / logged in 90, ringing and not ready 20 included
    "transfer_rate": 1 / 3,
    "hold_rate": 1 / 3,
    "ivr_containment": 0.5,  # 1 self-served of the 2 that visited the IVR
    "callback_rate": 1 / 9,
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


# The count each outcome feeds, as the KPI reference's table says; none of
# these records waits for an answer (so none is in the service level, the
# abandonment rate or the waits) and none is handled.
_OWN_COUNT = {
    ContactOutcome.MISSED: "missed",
    ContactOutcome.NO_ANSWER: "no_answer",
    ContactOutcome.VOICEMAIL: "voicemail",
    ContactOutcome.CALLBACK: "callbacks",
    ContactOutcome.OVERFLOWED: "overflowed",
    ContactOutcome.TRANSFERRED: "transferred_unanswered",
    ContactOutcome.SELF_SERVED: "self_served",
    ContactOutcome.OUT_OF_HOURS: "out_of_hours",
    ContactOutcome.REJECTED: "rejected",
    ContactOutcome.FAILED: "failed",
}


def test_every_outcome_but_queued_has_its_place() -> None:
    """Answered, abandoned and the counted outcomes cover every outcome a record may have."""
    placed = {ContactOutcome.ANSWERED, ContactOutcome.ABANDONED, *_OWN_COUNT}
    assert set(ContactOutcome) - placed == {ContactOutcome.QUEUED}


@pytest.mark.parametrize("outcome", list(_OWN_COUNT))
def test_an_unanswered_outcome_counts_once_and_in_no_queue_metric(
    outcome: ContactOutcome,
) -> None:
    """A contact, in its direction's volume and its own count; not answered, abandoned or waited."""
    record = InteractionRecord(
        id="1",
        channel=Channel.VOICE,
        direction=Direction.OUTBOUND if outcome is ContactOutcome.NO_ANSWER else Direction.INBOUND,
        outcome=outcome,
        arrived_at=s(0),
        queued_at=s(1),
        offered_at=s(2) if outcome is ContactOutcome.MISSED else None,
        ended_at=s(10),
        queue="sales",
        ivr_path=("menu",) if outcome is ContactOutcome.SELF_SERVED else (),
    )
    aggregator = Aggregator()
    aggregator.add(record)
    values = evaluate(aggregator.total())
    assert values["contacts"] == 1
    assert (values["volume_in"], values["volume_out"]) in {(1, 0), (0, 1)}
    for name in ("answered", "abandoned", "handled"):
        assert values[name] == 0
    for name in ("service_level", "abandonment_rate", "asa", "average_wait", "aht"):
        assert values[name] is None
    for other, name in _OWN_COUNT.items():
        assert values[name] == (1 if other is outcome else 0), name
    assert aggregator.total().waited == 0
