"""iCalendar (RFC 5545) with the `icalendar` library: one event as `.ics`, and a community's feed.

Each event's VEVENT is rendered when the event changes and kept with it (`OfflineEvent.ics`): a
feed of a thousand events is then a thousand stored components between a header and a footer, where
rendering them afresh would cost ~0.2 ms each on every phone's hourly refresh. DTSTAMP is the last
change (RFC 5545 §3.8.7.2, an object without METHOD) and SEQUENCE counts changes, so a calendar
that already holds the event knows to update it."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, Timezone, vDuration, vRecur

from services.community.events.models import CANCELLED, KINDS, OfflineEvent
from services.community.events.recurrence import zone

PRODID = "-//Linli//Community events//ZH"
MEDIA_TYPE = "text/calendar; charset=utf-8"
REFRESH = timedelta(hours=1)  # how often a subscribed calendar should fetch the feed again
_END = b"END:VCALENDAR\r\n"


def uid(event_id: str) -> str:
    return f"{event_id}@linli"


def vevent(event: OfflineEvent) -> str:
    """The event's VEVENT, in its own time zone (so a weekly rule keeps its local hour)."""
    local = zone(event.timezone)
    component = Event()
    component.add("uid", uid(event.id))
    component.add("dtstamp", event.updated_at.astimezone(UTC))
    component.add("dtstart", event.starts_at.astimezone(local))
    component.add("dtend", event.ends_at.astimezone(local))
    component.add("summary", event.title)
    component.add("location", event.place)
    if event.description:
        component.add("description", event.description)
    component.add("categories", [KINDS.get(event.kind, event.kind)])
    component.add("status", "CANCELLED" if event.status == CANCELLED else "CONFIRMED")
    component.add("sequence", event.sequence)
    if event.rrule:
        component.add("rrule", vRecur.from_ical(event.rrule))
    return component.to_ical().decode()


def rendered(event: OfflineEvent, *, now: datetime) -> None:
    """Record a change a calendar shows: a new SEQUENCE, DTSTAMP and stored VEVENT."""
    event.sequence += 1
    event.updated_at = now
    event.ics = vevent(event)


def document(components: Iterable[str], timezones: Iterable[str], *, name: str | None = None) -> bytes:
    """A VCALENDAR around stored VEVENTs, with the VTIMEZONE of every zone they use."""
    head = Calendar()
    head.add("prodid", PRODID)
    head.add("version", "2.0")
    head.add("calscale", "GREGORIAN")
    head.add("method", "PUBLISH")
    if name is not None:
        head.add("x-wr-calname", name)
        head.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})  # RFC 7986
        head.add("x-published-ttl", vDuration(REFRESH))
    opening = head.to_ical().removesuffix(_END)
    zones = b"".join(_vtimezone(tzid) for tzid in sorted(set(timezones)))
    return b"".join((opening, zones, "".join(components).encode(), _END))


@functools.cache
def _vtimezone(tzid: str) -> bytes:
    return Timezone.from_tzid(tzid).to_ical()  # type: ignore[no-any-return]
