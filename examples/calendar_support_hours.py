"""Business hours of a support line: IVR branches and SLA deadlines over a DST change.

Run it with no arguments. It reads a calendar document, then answers the
questions an IVR and a ticket SLA clock ask during the week in which Bucharest
moves its clocks back (Sunday 25 October 2026, 04:00 -> 03:00).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from callcore.calendar import BusinessCalendar
from callcore.serialization import from_dict

DOCUMENT = {
    "name": "support",
    "timezone": "Europe/Bucharest",
    "hours": {
        "monday": [{"start": "08:00", "end": "20:00"}],
        "tuesday": [{"start": "08:00", "end": "20:00"}],
        "wednesday": [{"start": "08:00", "end": "20:00"}],
        "thursday": [{"start": "08:00", "end": "20:00"}],
        "friday": [{"start": "08:00", "end": "20:00"}, {"start": "22:00", "end": "02:00"}],
        "saturday": [{"start": "10:00", "end": "14:00"}],
        "sunday": [{"start": "00:00", "end": "00:00"}],
    },
    "holidays": [
        {
            "date": "2026-10-26",
            "name": "Staff training day",
            "hours": [
                {"start": "12:00", "end": "20:00"},
            ],
        },
    ],
    "special_days": [],
}


def ivr_branch(calendar: BusinessCalendar, at: datetime) -> str:
    """What an IVR hours node would choose: open, holiday or closed."""
    if calendar.is_open(at):
        return "open"
    holiday = calendar.holiday(at)
    return f"holiday ({holiday.name})" if holiday else "closed"


def main() -> None:
    calendar = from_dict(BusinessCalendar, DOCUMENT)
    zone = calendar.timezone
    print(f"Calendar {calendar.name!r} in {zone.key}\n")

    print("Opening spans, Friday 23 to Tuesday 27 October 2026:")
    week = (datetime(2026, 10, 23, tzinfo=zone), datetime(2026, 10, 28, tzinfo=zone))
    for opens, closes in calendar.open_spans(*week):
        # Subtract in UTC: on one ZoneInfo, Python subtracts wall-clock times.
        length = closes.astimezone(timezone.utc) - opens.astimezone(timezone.utc)
        print(f"  {opens:%a %d %H:%M %z} -> {closes:%a %d %H:%M %z}  ({length})")

    print("\nIVR hours node:")
    for text in ("2026-10-24T09:30", "2026-10-24T11:00", "2026-10-25T03:30", "2026-10-26T09:00"):
        moment = datetime.fromisoformat(text).replace(tzinfo=zone)
        print(f"  {text}  -> {ivr_branch(calendar, moment)}")

    print("\nSLA deadlines (business time from ticket creation):")
    created = datetime(2026, 10, 24, 13, 0, tzinfo=zone)
    for hours in (1, 8, 24, 36):
        deadline = calendar.add_business_time(created, timedelta(hours=hours))
        print(f"  {hours:>2} business hours after {created:%a %H:%M}: {deadline:%a %d %H:%M %z}")

    sunday = datetime(2026, 10, 25, tzinfo=zone)
    open_on_sunday = calendar.business_time_between(sunday, sunday + timedelta(days=1))
    print(f"\nOpen time on Sunday 25 October (clocks go back): {open_on_sunday}")


if __name__ == "__main__":
    main()
