"""Campaigns through the centre: every dialing mode with the fake telephony.

Times are worked by hand: on 2026-03-08 the US springs forward at 02:00 local
(07:00 UTC), so New York's 08:00 is 12:00 UTC that day (13:00 UTC the day
before); London stays on GMT (08:00 local is 08:00 UTC).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from callcore.acd import AgentProfile, AgentState, Membership, NotReadyReason, QueueConfig
from callcore.campaigns import (
    AttemptConnected,
    AttemptEnded,
    CallResult,
    Campaign,
    CampaignContact,
    CampaignSettings,
    DialContact,
    DialingMode,
    Disposition,
    PlayInformationMessage,
    PreviewContact,
    RunFlow,
)
from callcore.center import CampaignCall, ContactCenter, ContactCompleted, RingAgent, ScreenPop
from callcore.center import Disposition as WrapUp
from callcore.contacts import ContactOutcome, Direction
from callcore.errors import InvalidInputError, InvalidTransitionError, NotFoundError
from callcore.ivr import LookupResult, load_flow
from callcore.testing.campaigns import counter_ids
from callcore.testing.fakes import FakeTelephony
from tests.ivr.flows import document

UTC = timezone.utc
T0 = datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
S = timedelta(seconds=1)
LONDON = CampaignContact(id="lon", number="+442079460001", zone="Europe/London", country="GB")
NEW_YORK = CampaignContact(
    id="nyc",
    number="+12125550001",
    zone="America/New_York",
    country="US",
    attributes={"plan": "gold"},
)
BLOCKED = CampaignContact(id="dnc", number="+12125550002", zone="America/New_York", country="US")
A1 = AgentProfile(agent_id="a1", memberships=(Membership(queue="sales"),))


def _centre(
    mode: DialingMode, *, store: str = "memory:", durable: bool = False
) -> tuple[ContactCenter, FakeTelephony, Campaign]:
    telephony = FakeTelephony()
    center = ContactCenter(
        queues=[QueueConfig(name="sales")],
        flows={},
        agents=[A1],
        plugins=[telephony],
        store=store,
        durable=durable,
    )
    telephony.attach(center)
    fields: dict[str, object] = {"name": "spring", "mode": mode}
    fields.update({"flow": "reminder"} if mode is DialingMode.AGENTLESS else {"queue": "sales"})
    campaign = Campaign(CampaignSettings(**fields), id_factory=counter_ids())  # type: ignore[arg-type]
    return center, telephony, campaign


def _dials(telephony: FakeTelephony) -> list[DialContact]:
    return telephony.campaign_actions(DialContact)


def test_progressive_through_the_router_across_zones_and_a_dst_change() -> None:
    """Windows on each contact's clock, suppression, a busy retry 15 min later, the offer."""
    center, telephony, campaign = _centre(DialingMode.PROGRESSIVE)
    campaign.add_contacts([LONDON, NEW_YORK, BLOCKED], now=T0)
    campaign.suppress([BLOCKED.number], now=T0)
    center.agent_logged_in("a1", now=T0)
    center.add_campaign(campaign, now=T0)
    assert _dials(telephony) == []  # 07:30 UTC: both windows closed
    assert center.next_deadline() == datetime(2026, 3, 8, 8, 0, tzinfo=UTC)

    center.run_due(now=datetime(2026, 3, 8, 8, 0, tzinfo=UTC))
    (first,) = _dials(telephony)
    assert first.contact.id == "lon"
    busy_at = datetime(2026, 3, 8, 8, 0, 20, tzinfo=UTC)
    telephony.call_result(first.attempt_id, CallResult.BUSY, now=busy_at)
    assert center.next_deadline() == busy_at + timedelta(minutes=15)
    center.run_due(now=busy_at + timedelta(minutes=15))
    second = _dials(telephony)[-1]
    assert (second.contact.id, len(_dials(telephony))) == ("lon", 2)

    answered = telephony.call_result(
        second.attempt_id, CallResult.LIVE_ANSWER, now=busy_at + timedelta(minutes=15, seconds=9)
    )
    (ring,) = [a for a in answered.actions if isinstance(a, RingAgent)]
    assert (ring.offer.contact_id, ring.offer.agent_id, ring.offer.queue) == (
        second.attempt_id,
        "a1",
        "sales",
    )
    at = busy_at + timedelta(minutes=15, seconds=10)
    accepted = telephony.answer(second.attempt_id, "a1", now=at)
    assert accepted.of_type(AttemptConnected)
    (pop,) = [a for a in accepted.actions if isinstance(a, ScreenPop)]
    assert pop.variables["campaign"] == "spring"
    center.caller_hung_up(second.attempt_id, now=at + 120 * S)
    wrapped = center.agent_wrapped_up(
        second.attempt_id, disposition=WrapUp.RESOLVED, notes="sold", now=at + 150 * S
    )
    (completed,) = wrapped.of_type(ContactCompleted)
    assert completed.record.direction is Direction.OUTBOUND
    center.campaign_call_finished(second.attempt_id, converted=True, now=at + 151 * S)
    assert campaign.disposition("lon") is Disposition.CONVERTED

    # New York opens at 08:00 EDT = 12:00 UTC on the day the clocks change (not 13:00)
    assert center.next_deadline() == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    center.run_due(now=datetime(2026, 3, 8, 11, 59, 59, tzinfo=UTC))
    assert len(_dials(telephony)) == 2
    center.run_due(now=datetime(2026, 3, 8, 12, 0, tzinfo=UTC))
    third = _dials(telephony)[-1]
    assert third.contact.id == "nyc"
    assert all(dial.contact.id != "dnc" for dial in _dials(telephony))

    total = center.aggregator.total()
    # the busy attempt from its attempt record; the answered one as the centre's contact
    assert (total.outbound, total.answered, total.contacts) == (2, 0, 2)
    assert total.handled == 1


def test_preview_the_agent_sees_the_record_then_starts_the_call() -> None:
    """Preview: a PreviewContact, the agent accepts, the call is connected at once."""
    start = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)  # 10:00 EDT
    center, telephony, campaign = _centre(DialingMode.PREVIEW)
    campaign.add_contacts([NEW_YORK], now=start)
    center.agent_logged_in("a1", now=start)
    center.add_campaign(campaign, now=start)
    (preview,) = telephony.campaign_actions(PreviewContact)
    assert preview.contact.attributes["plan"] == "gold"
    center.campaign_preview_accepted("spring", "nyc", "a1", now=start + S)
    (dial,) = _dials(telephony)
    assert dial.agent == "a1"
    update = telephony.call_result(dial.attempt_id, CallResult.LIVE_ANSWER, now=start + 9 * S)
    assert update.of_type(AttemptConnected)
    center.campaign_call_finished(dial.attempt_id, right_party=False, now=start + 60 * S)
    assert campaign.disposition("nyc") is Disposition.WRONG_PARTY
    assert center.aggregator.total().outbound == 1


def test_predictive_an_answer_no_agent_takes_is_abandoned_with_the_message() -> None:
    """The offer rings past abandon_after (2 s): the call leaves the queue, the message plays."""
    start = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    center, telephony, campaign = _centre(DialingMode.PREDICTIVE)
    campaign.add_contacts([NEW_YORK], now=start)
    center.agent_logged_in("a1", now=start)
    center.add_campaign(campaign, now=start)
    (dial,) = _dials(telephony)
    telephony.call_result(dial.attempt_id, CallResult.LIVE_ANSWER, now=start + 5 * S)
    assert telephony.ringing("a1")
    update = center.run_due(now=start + 7 * S)
    (message,) = telephony.campaign_actions(PlayInformationMessage)
    assert message.attempt_id == dial.attempt_id
    (completed,) = update.of_type(ContactCompleted)
    assert completed.record.outcome is ContactOutcome.ABANDONED
    assert center.contact_ids() == ()
    report = center.campaigns["spring"].report(now=start + 7 * S)
    assert (report.abandons, report.window_abandons, report.abandon_rate) == (1, 1, 1.0)
    assert center.aggregator.total().contacts == 1  # once: the centre's contact, not the attempt


def test_agentless_runs_the_flow_and_a_callback_is_dialed_at_its_time() -> None:
    """Agentless: RunFlow on a live answer; the customer asks to be called at 22:30 local."""
    start = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    center, telephony, campaign = _centre(DialingMode.AGENTLESS)
    campaign.add_contacts([NEW_YORK], now=start)
    center.add_campaign(campaign, now=start)  # no agent needed
    (dial,) = _dials(telephony)
    telephony.call_result(dial.attempt_id, CallResult.LIVE_ANSWER, now=start + 5 * S)
    (flow,) = telephony.campaign_actions(RunFlow)
    assert flow.flow == "reminder"
    callback = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)  # 22:30 EDT: outside the window, consented
    center.campaign_call_finished(dial.attempt_id, callback_at=callback, now=start + 60 * S)
    assert center.next_deadline() == callback
    center.run_due(now=callback)
    again = _dials(telephony)[-1]
    assert (again.contact.id, again.callback) == ("nyc", True)


def test_refused_inputs_change_nothing_and_a_restart_keeps_the_campaign(tmp_path: object) -> None:
    """Bad results are refused without change; a durable centre resumes the ringing attempt."""
    url = f"sqlite:///{tmp_path}/centre.db"
    start = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    center, telephony, campaign = _centre(DialingMode.PROGRESSIVE, store=url, durable=True)
    campaign.add_contacts([NEW_YORK], now=start)
    center.agent_logged_in("a1", now=start)
    center.add_campaign(campaign, now=start)
    (dial,) = _dials(telephony)
    before = center.store.load_checkpoint("center")  # campaigns in it
    with pytest.raises(NotFoundError):
        center.campaign_call_result("nope", CallResult.BUSY, now=start + S)
    with pytest.raises(InvalidInputError):
        center.campaign_call_result(dial.attempt_id, "busy", now=start + S)  # type: ignore[arg-type]
    after = center.store.load_checkpoint("center")  # campaigns in it
    assert after == before

    again = ContactCenter(
        queues=[QueueConfig(name="sales")], flows={}, agents=[A1], store=url, durable=True
    )
    assert again.campaigns["spring"].contact_state("nyc") == campaign.contact_state("nyc")
    again.campaign_call_result(dial.attempt_id, CallResult.NO_ANSWER, now=start + 30 * S)
    assert again.campaigns["spring"].attempts_of("nyc") == 1
    assert again.aggregator.total().outbound == 1


def test_retries_are_spaced_by_outcome_and_capped_through_the_centre() -> None:
    """No answer (4 h), machine (8 h), no answer: the third attempt is the last (max 3)."""
    start = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT; the window closes at 01:00 UTC
    center, telephony, campaign = _centre(DialingMode.AGENTLESS)
    campaign.add_contacts([NEW_YORK], now=start)
    center.add_campaign(campaign, now=start)
    results = [CallResult.NO_ANSWER, CallResult.MACHINE, CallResult.NO_ANSWER]
    dialed_at = [start]
    for result in results:
        dial = _dials(telephony)[-1]
        telephony.call_result(dial.attempt_id, result, now=dialed_at[-1] + 30 * S)
        for _ in range(3):  # the retry's time, then (if the window is shut) its next opening
            due = center.next_deadline()
            if due is None:
                break
            center.run_due(now=due)
            if _dials(telephony)[-1] != dial:
                dialed_at.append(due)
                break
    # 13:00:30 + 4 h = 17:00:30; 17:01:00 + 8 h = 01:01 UTC (21:01 EDT, the window shut at
    # 21:00): 08:00 EDT the next day, 12:00 UTC; after the third attempt nothing is due
    assert dialed_at[1:] == [
        datetime(2026, 3, 9, 17, 0, 30, tzinfo=UTC),
        datetime(2026, 3, 10, 12, 0, tzinfo=UTC),
    ]
    assert len(_dials(telephony)) == 3
    assert campaign.disposition("nyc") is Disposition.MAX_ATTEMPTS
    assert center.aggregator.total().outbound == 3


# the campaign's flow: 1 confirms (converted), 2 says "not me" (wrong party)
REMINDER = load_flow(
    document(
        {
            "menu": {
                "type": "menu",
                "prompt": "p0",
                "options": [{"key": "1", "goto": "yes"}, {"key": "2", "goto": "wrong"}],
                "on_noinput": "bye",
                "on_nomatch": "bye",
            },
            "yes": {"type": "set", "values": {"converted": True}, "next": "bye"},
            "wrong": {"type": "set", "values": {"right_party": False}, "next": "bye"},
            "bye": {"type": "hangup"},
        },
        id="reminder",
    )
)


def _flow_centre(url: str) -> tuple[ContactCenter, FakeTelephony]:
    telephony = FakeTelephony()
    center = ContactCenter(
        queues=[QueueConfig(name="sales")],
        flows={"+18005550100": REMINDER},
        agents=[A1],
        plugins=[telephony],
        store=url,
        durable=True,
    )
    telephony.attach(center)
    return center, telephony


@pytest.mark.parametrize(("key", "right_party", "conversions"), [("1", True, 1), ("2", False, 0)])
def test_agentless_the_centre_runs_the_flow_its_end_is_the_verdict(
    tmp_path: object, key: str, right_party: bool, conversions: int
) -> None:
    """The flow's prompts go to the telephony; a refused input changes nothing; a restart."""
    url = f"sqlite:///{tmp_path}/centre.db"
    start = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    center, telephony = _flow_centre(url)
    campaign = Campaign(
        CampaignSettings(name="spring", mode=DialingMode.AGENTLESS, flow="reminder"),
        id_factory=counter_ids(),
    )
    campaign.add_contacts([NEW_YORK], now=start)
    center.add_campaign(campaign, now=start)
    (dial,) = _dials(telephony)
    attempt = dial.attempt_id
    telephony.call_result(attempt, CallResult.LIVE_ANSWER, now=start + 5 * S)
    assert telephony.campaign_actions(RunFlow) == []  # the centre runs it, not the host
    assert telephony.caller_actions(attempt) == ["gather"]
    assert center.contact(attempt).direction is Direction.OUTBOUND
    assert center.campaigns["spring"].contact_state("nyc") == "talking"

    center.checkpoint()
    before = center.store.load_checkpoint("center")  # campaigns in it
    with pytest.raises(InvalidTransitionError):
        center.caller_input(attempt, LookupResult(data={}), now=start + 6 * S)
    center.checkpoint()
    after = center.store.load_checkpoint("center")  # campaigns in it
    assert after == before

    # a restart mid-flow: the new centre takes the caller's key where the old one stopped
    again, telephony_again = _flow_centre(url)
    finished = telephony_again.press(attempt, key, now=start + 8 * S)
    (completed,) = finished.of_type(ContactCompleted)
    assert completed.record.direction is Direction.OUTBOUND
    resumed = again.campaigns["spring"]
    assert resumed.disposition("nyc") is Disposition.MESSAGE_DELIVERED
    (ended,) = finished.of_type(AttemptEnded)
    assert (ended.record.right_party, ended.record.converted) == (right_party, conversions == 1)
    report = resumed.report(now=start + 8 * S)
    assert (report.connects, report.conversions) == (1, conversions)
    assert again.contact_ids() == ()
    # counted once: the centre's contact, not the attempt record as well
    assert again.aggregator.total().contacts == 1
    with pytest.raises(NotFoundError):
        again.campaign_call_finished(attempt, now=start + 9 * S)


INBOUND = load_flow(document({"menu": {"type": "queue", "queue": "sales"}}, id="inbound"))


def _preview_centre() -> tuple[ContactCenter, FakeTelephony, Campaign]:
    telephony = FakeTelephony()
    center = ContactCenter(
        queues=[QueueConfig(name="sales")],
        flows={"*": INBOUND},
        agents=[A1],
        plugins=[telephony],
    )
    telephony.attach(center)
    campaign = Campaign(
        CampaignSettings(name="spring", mode=DialingMode.PREVIEW, queue="sales"),
        id_factory=counter_ids(),
    )
    return center, telephony, campaign


def _held(center: ContactCenter) -> bool:
    view = center.router.agent("a1")
    return (view.state, view.not_ready_reason) == (AgentState.NOT_READY, NotReadyReason.PREVIEW)


def test_preview_holds_the_agent_until_a_skip_frees_them() -> None:
    """While a1 reads the record no inbound call is offered; a skip makes a1 ready: it rings."""
    start = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    center, telephony, campaign = _preview_centre()
    campaign.add_contacts([NEW_YORK, BLOCKED], now=start)
    center.agent_logged_in("a1", now=start)
    shown = center.add_campaign(campaign, now=start)
    (call,) = [a for a in shown.actions if isinstance(a, CampaignCall)]  # one agent: one record
    assert (call.agent, call.contact_id) == ("a1", "nyc")
    assert _held(center)
    arrived = center.inbound_call(caller="+12125550999", dialled="+18005550100", now=start + S)
    assert not [a for a in arrived.actions if isinstance(a, RingAgent)]
    assert telephony.campaign_actions(PreviewContact) == [call.action]  # no second record

    with pytest.raises(InvalidInputError):  # shown to a1, not a2: refused, a1 still held
        center.campaign_preview_accepted("spring", "nyc", "a2", now=start + 2 * S)
    assert _held(center)
    skipped = center.campaign_preview_skipped("spring", "nyc", now=start + 3 * S)
    (ring,) = [a for a in skipped.actions if isinstance(a, RingAgent)]
    assert ring.offer.agent_id == "a1"
    assert center.router.agent("a1").state is AgentState.RESERVED
    assert len(telephony.campaign_actions(PreviewContact)) == 1  # a1 is taken by the call


def test_preview_accepted_holds_the_agent_through_the_call() -> None:
    """Accept: a1 stays held while the call rings and talks; the verdict frees a1."""
    start = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    center, telephony, campaign = _preview_centre()
    campaign.add_contacts([NEW_YORK], now=start)
    center.agent_logged_in("a1", now=start)
    center.add_campaign(campaign, now=start)
    center.campaign_preview_accepted("spring", "nyc", "a1", now=start + S)
    (dial,) = _dials(telephony)
    assert _held(center)
    telephony.call_result(dial.attempt_id, CallResult.LIVE_ANSWER, now=start + 9 * S)
    arrived = center.inbound_call(caller="+12125550999", dialled="+18005550100", now=start + 10 * S)
    assert not [a for a in arrived.actions if isinstance(a, RingAgent)]
    assert _held(center)
    done = center.campaign_call_finished(dial.attempt_id, converted=True, now=start + 90 * S)
    (ring,) = [a for a in done.actions if isinstance(a, RingAgent)]
    assert ring.offer.agent_id == "a1"
    assert campaign.disposition("nyc") is Disposition.CONVERTED


def test_a_stopped_campaign_frees_its_previewing_agent() -> None:
    """The campaign stops while a1 reads a record: a1 is ready again and takes the queued call."""
    start = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    center, _, campaign = _preview_centre()
    campaign.add_contacts([NEW_YORK], now=start)
    center.agent_logged_in("a1", now=start)
    center.add_campaign(campaign, now=start)
    center.inbound_call(caller="+12125550999", dialled="+18005550100", now=start + S)
    assert _held(center)
    campaign.stop(now=start + 2 * S)
    update = center.run_due(now=start + 2 * S)
    (ring,) = [a for a in update.actions if isinstance(a, RingAgent)]
    assert ring.offer.agent_id == "a1"
