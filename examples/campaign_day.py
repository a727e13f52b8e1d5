"""An outbound campaign's morning: contacts in three time zones, a fake dialer, one agent.

Run it: ``python examples/campaign_day.py``. Each contact is dialed only in its
own 8:00-21:00 window; busy lines are retried, answered calls go to the
campaign's queue, and the report gives the figures the KPIs count.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from callcore.campaigns import (
    CallResult,
    Campaign,
    CampaignContact,
    CampaignSettings,
    DialContact,
    DialingMode,
    EnqueueCall,
)

START = datetime(2026, 5, 4, 11, 0, tzinfo=timezone.utc)  # 07:00 in New York, 12:00 in London
PEOPLE = [
    CampaignContact(id="ana", number="+12125550101", zone="America/New_York", country="US"),
    CampaignContact(id="ben", number="+13105550102", zone="America/Los_Angeles", country="US"),
    CampaignContact(id="cat", number="+442079460103", zone="Europe/London", country="GB"),
]
ANSWERS = {"ana": [CallResult.BUSY, CallResult.LIVE_ANSWER], "ben": [CallResult.LIVE_ANSWER],
           "cat": [CallResult.MACHINE, CallResult.LIVE_ANSWER]}  # fmt: skip


def main() -> None:
    """Pace every minute for a day with one agent; print each dial and the report."""
    campaign = Campaign(
        CampaignSettings(name="renewals", mode=DialingMode.PROGRESSIVE, queue="sales")
    )
    campaign.add_contacts(PEOPLE, now=START)
    now = START
    while now < START + timedelta(days=1):
        for action in campaign.pace(now=now, agents_ready=1).actions:
            if not isinstance(action, DialContact):  # progressive campaigns only dial
                continue
            contact = action.contact
            local = now.astimezone(ZoneInfo(contact.zone))
            print(f"{now:%H:%M} UTC dial {contact.id} ({local:%H:%M} local)")
            result = ANSWERS[contact.id].pop(0)
            update = campaign.call_result(action.attempt_id, result, now=now)
            if any(isinstance(a, EnqueueCall) for a in update.actions):  # the router connects
                campaign.connected(action.attempt_id, now=now, agent="agent-1")
                campaign.finish(action.attempt_id, now=now, converted=contact.id == "ben")
        now += timedelta(minutes=1)
    report = campaign.report(now=now)
    print(
        f"attempts {report.attempts}, connects {report.connects}, conversions {report.conversions}"
    )
    print("dispositions", dict(report.dispositions))


if __name__ == "__main__":
    main()
