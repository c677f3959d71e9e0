"""iCalendar: a stored VEVENT is what the icalendar library renders for the event, and a member's
feed holds the community's events still to come — and stops the moment they are no longer a member."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import col, delete

from services.community.communities.models import Membership
from services.community.events import calendar, feeds
from shared.errors import NotFound
from shared.models import utcnow
from tests.community.place import Place


async def test_a_feed_holds_what_is_to_come_until_its_owner_leaves(place: Place) -> None:
    now = utcnow()
    soon = await place.event(title="明天的跳蚤市场")  # in three days
    await place.event(
        title="每周太极",
        kind="health_talk",
        starts_at=(now + timedelta(days=1)).isoformat(),
        ends_at=(now + timedelta(days=1, hours=1)).isoformat(),
        rrule="FREQ=DAILY",
    )
    await place.event(title="草稿", draft=True)
    async with place.db.session() as session:
        feed = await feeds.rotate(
            session, principal=place.leader, community_id=place.community_id, public_url="https://x"
        )
        await session.commit()
    token = feed.url.rsplit("/", 1)[-1].removesuffix(".ics")
    assert feed.url == f"https://x/api/v1/calendar-feeds/{token}.ics"

    async def titles(at: datetime) -> list[str]:
        async with place.db.reader() as session:
            document = await feeds.feed(session, token=token, now=at)
        return [str(v["summary"]) for v in Calendar.from_ical(document).walk("VEVENT")]

    assert await titles(now) == ["每周太极", "明天的跳蚤市场"]  # by start; not the draft
    assert await titles(soon.ends_at) == ["每周太极"]  # the market is over; the daily class goes on
    async with place.db.session() as session:
        await session.exec(delete(Membership).where(col(Membership.user_id) == place.leader.user_id))
        await session.commit()
    with pytest.raises(NotFound):
        await titles(now)


def test_a_stored_vevent_is_the_events_own_rendering() -> None:
    document = calendar.document(["BEGIN:VEVENT\r\nUID:x@linli\r\nEND:VEVENT\r\n"], ["Asia/Shanghai"], name="小区")
    parsed = Calendar.from_ical(document)
    assert str(parsed["x-wr-calname"]) == "小区" and str(parsed["method"]) == "PUBLISH"
    assert [str(tz["tzid"]) for tz in parsed.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert [str(v["uid"]) for v in parsed.walk("VEVENT")] == ["x@linli"]
