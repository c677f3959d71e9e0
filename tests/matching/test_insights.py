"""The dashboard's figures, fed through matching's real handlers (profiles and insights together):
activity per day, demand with its trend, coverage gaps, provider quality, upcoming events, CSV; and
the rule that a figure of fewer than five residents is withheld."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from services.matching.app import handlers
from services.matching.insights import service as insights
from services.matching.insights.models import EventGoer, Insights, ResidentDay, Reviewer
from services.matching.insights.rules import Period, trend
from services.matching.interests import service as interests
from services.matching.interests.models import Interaction
from services.matching.settings import Settings
from shared.auth import LEADER, PROPERTY_MANAGER, Principal
from shared.errors import Forbidden, Unprocessable
from shared.events.schemas.catalog import ComplaintFiled, ProviderRegistered
from shared.events.schemas.livestream import SessionEnded
from shared.events.schemas.orders import OrderRefunded
from shared.models import new_id
from tests.databases import Databases
from tests.matching import world
from tests.matching.feed import Fact, Matching
from tests.matching.test_recommendations import resident
from tests.matching.world import C

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 7, 1, 4, 0, tzinfo=UTC)  # noon in Shanghai
DAY1, DAY2 = date(2026, 6, 29), date(2026, 6, 30)  # a Monday and a Tuesday
LEADER_ = Principal(user_id="leader", roles={C: [LEADER]})


@pytest.fixture
async def matching(databases: Databases) -> AsyncIterator[Matching]:
    m = await Matching.open(await databases.new("matching"), Settings())
    m.handlers = handlers(m.settings)  # the service's own combination: profiles and insights
    yield m
    await m.close()


def on(day: date, fact: Fact, hour: int = 10) -> Fact:
    """The fact at `hour` o'clock of a Shanghai day."""
    return dataclasses.replace(fact, at=datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI))


def paid(user_id: str, amount_fen: int) -> Fact:
    fact = world.paid(user_id, "d-1", ["organic"])
    return dataclasses.replace(fact, data=fact.data.model_copy(update={"amount_fen": amount_fen}))


def refunded(user_id: str, amount_fen: int) -> Fact:
    data = OrderRefunded(order_id=new_id(), deal_id="d-1", buyer_id=user_id, amount_fen=amount_fen, reason="坏果")
    return Fact(data, subject=data.order_id, community_id=C)


def session_ended(day: date, peak: int) -> Fact:
    ended = datetime(day.year, day.month, day.day, 21, tzinfo=SHANGHAI)
    data = SessionEnded(
        session_id=new_id(),
        community_id=C,
        host_id="leader",
        started_at=None,
        ended_at=ended,
        peak_viewers=peak,
        orders=0,
        sign_ups=0,
        leads=0,
    )
    return Fact(data, subject=data.session_id, community_id=C)


async def read(m: Matching, principal: Principal = LEADER_, **period: object) -> Insights:
    asked = Period.asked(**{"first": DAY1, "last": DAY2, "bucket": "day", "zone": SHANGHAI, "now": NOW, **period})  # type: ignore[arg-type]
    async with m.db.session() as session:
        return await insights.insights(session, principal=principal, community_id=C, period=asked, now=NOW)


def rows(found: Insights, table: str) -> list[dict[str, str]]:
    text = insights.csv_of(found, table)  # type: ignore[arg-type]
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_periods_default_to_thirty_days_and_refuse_nonsense() -> None:
    p = Period.asked(first=None, last=None, bucket="day", zone=SHANGHAI, now=NOW)
    assert (p.first, p.last, p.days) == (date(2026, 6, 2), date(2026, 7, 1), 30)
    assert Period.asked(
        first=date(2026, 6, 3), last=date(2026, 6, 16), bucket="week", zone=SHANGHAI, now=NOW
    ).buckets() == [
        date(2026, 6, 3),  # a Wednesday: the first week is cut to the period
        date(2026, 6, 8),
        date(2026, 6, 15),
    ]
    with pytest.raises(Unprocessable):
        Period.asked(first=DAY2, last=DAY1, bucket="day", zone=SHANGHAI, now=NOW)
    with pytest.raises(Unprocessable):
        Period.asked(first=date(2025, 1, 1), last=DAY1, bucket="day", zone=SHANGHAI, now=NOW)


def test_trend_compares_with_the_period_before() -> None:
    assert [trend(6, 5), trend(5, 6), trend(5, 5), trend(5, None)] == ["up", "down", "flat", "new"]


async def test_orders_turnover_and_residents_per_day_withheld_below_five(matching: Matching) -> None:
    five, three = [f"u{i}" for i in range(5)], [f"v{i}" for i in range(3)]
    await matching.apply(
        [on(DAY1, paid(u, 1000)) for u in five]
        + [on(DAY1, refunded("u0", 400), hour=20)]
        # 23:00 in Shanghai (15:00 UTC) is still that day there
        + [on(DAY2, paid(v, 500), hour=23) for v in three]
    )
    found = await read(matching)
    day1, day2 = found.series.orders
    assert (day1.start, day1.orders, day1.turnover_fen, day1.suppressed) == (DAY1, 5, 4600, False)
    assert (day2.start, day2.orders, day2.turnover_fen, day2.suppressed) == (DAY2, None, None, True)
    assert [(p.residents, p.suppressed) for p in found.series.active_residents] == [(5, False), (None, True)]
    # the week of both days has eight buyers: shown
    [week] = (await read(matching, bucket="week")).series.orders
    assert (week.orders, week.turnover_fen, week.suppressed) == (8, 6100, False)

    first, second = rows(found, "activity")
    assert (first["start"], first["orders"], first["turnover_fen"], first["residents"]) == (
        "2026-06-29",
        "5",
        "4600",
        "5",
    )
    assert (second["orders"], second["turnover_fen"], second["residents"], second["suppressed"]) == ("", "", "", "true")

    # the same events fed the profiles too (the handlers are combined, not replaced)
    async with matching.db.session() as session:
        assert len((await session.exec(select(Interaction))).all()) == 8


async def test_a_resident_who_deletes_their_profile_leaves_no_row_behind(matching: Matching) -> None:
    await matching.apply(
        [world.event("e-1", capacity=20), on(DAY1, paid("u0", 1000)), on(DAY1, world.registered("u0", "e-1"))]
        + [on(DAY1, paid(u, 1000)) for u in ("u1", "u2")]
    )
    async with matching.db.session() as session:
        await interests.forget(session, principal=resident("u0"))
        await session.commit()
    async with matching.db.session() as session:
        for table in (ResidentDay, EventGoer, Reviewer):
            assert (await session.exec(select(table.user_id).where(table.user_id == "u0"))).all() == []
        assert len((await session.exec(select(ResidentDay))).all()) == 2, "the neighbours' rows stay"
    [day1, _] = (await read(matching)).series.orders
    assert day1.suppressed  # three buyers that day, below five either way


async def test_sessions_show_their_peak_from_five_viewers(matching: Matching) -> None:
    await matching.apply([session_ended(DAY1, 12), session_ended(DAY1, 3), session_ended(DAY2, 3)])
    day1, day2 = (await read(matching)).series.sessions
    assert (day1.sessions, day1.peak_viewers, day1.suppressed) == (2, 12, False)
    assert (day2.sessions, day2.peak_viewers, day2.suppressed) == (1, None, True)  # how many were held still shows


async def test_attendance_and_bookings(matching: Matching) -> None:
    people = [f"u{i}" for i in range(6)]
    await matching.apply(
        [world.event("e-1", capacity=20)]
        + [on(DAY1, world.registered(u, "e-1")) for u in people]
        + [on(DAY2, world.booked(u, "o-1", "p-1")) for u in people[:2]]
    )
    found = await read(matching)
    assert [(p.registrations, p.suppressed) for p in found.series.attendance] == [(6, False), (0, False)]
    assert [(p.bookings, p.suppressed) for p in found.series.bookings] == [(0, False), (None, True)]
    [upcoming] = found.upcoming_events
    assert (upcoming.event_id, upcoming.residents, upcoming.suppressed) == ("e-1", 6, False)


async def test_demand_trend_and_coverage_gaps(matching: Matching) -> None:
    before = DAY1 - timedelta(days=2)
    await matching.apply(
        [world.offering("o-fix", "p-fix", "repair"), world.listed("p-fix")]
        + [on(before, world.lead(f"old{i}", "repair")) for i in range(5)]
        + [on(DAY1, world.lead(f"u{i}", "repair")) for i in range(7)]
        + [on(DAY2, world.lead(f"u{i}", "clinic_escort")) for i in range(5)]
        + [on(DAY2, world.lead("u1", "tutoring")), on(DAY2, world.lead("u2", "tutoring"))]
    )
    found = await read(matching)
    assert [(d.category, d.residents, d.previous, d.trend, d.suppressed) for d in found.demand] == [
        ("repair", 7, 5, "up", False),
        ("clinic_escort", 5, 0, "new", False),
        ("tutoring", None, None, None, True),
    ]
    # repair has a listed provider; the other two have none (tutoring's count is withheld)
    assert [(g.category, g.residents, g.suppressed) for g in found.coverage_gaps] == [
        ("clinic_escort", 5, False),
        ("tutoring", None, True),
    ]
    assert rows(found, "coverage_gaps")[1] == {
        "category": "tutoring",
        "label": "tutoring",
        "residents": "",
        "suppressed": "true",
    }


async def test_provider_quality_from_five_reviewers(matching: Matching) -> None:
    def review(provider_id: str, user_id: str, rating: int) -> Fact:
        return dataclasses.replace(world.reviewed(f"o-{provider_id}", provider_id, rating), actor_id=user_id)

    registered = ProviderRegistered(provider_id="p-good", kind="organisation", name="好帮手家政")
    complaint = ComplaintFiled(complaint_id="x", listing_id="l", provider_id="p-few", community_id=C, open_complaints=2)
    await matching.apply(
        [Fact(registered, subject="p-good"), world.listed("p-good"), world.listed("p-few")]
        + [review("p-good", f"u{i}", 4 + i % 2) for i in range(5)]
        + [review("p-few", "u1", 5), review("p-few", "u1", 1), Fact(complaint, subject="x", community_id=C)]
        + [world.suspended("p-few")]
    )
    good, few = (await read(matching)).providers
    assert (good.name, good.state, good.rating, good.reviews, good.open_complaints, good.suppressed) == (
        "好帮手家政",
        "listed",
        4.4,
        5,
        0,
        False,
    )
    # one reviewer twice, and two complaints: withheld; the suspension is the leader's act, shown
    assert (few.name, few.state, few.rating, few.reviews, few.suspensions, few.suppressed) == (
        "p-few",
        "suspended",
        None,
        None,
        1,
        True,
    )


async def test_leaders_managers_and_operators_read_it_residents_and_other_leaders_do_not(matching: Matching) -> None:
    await read(matching, principal=Principal(user_id="pm", roles={C: [PROPERTY_MANAGER]}))
    await read(matching, principal=Principal(user_id="op", operator=True))
    for refused in (resident("u1"), Principal(user_id="other", roles={"c-2": [LEADER]})):
        with pytest.raises(Forbidden):
            await read(matching, principal=refused)
