"""The community dashboard's figures: activity per day learnt from events, demand and coverage from
matching's demand signals, provider quality, upcoming events; each withheld below five residents."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlmodel import col, delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.matching.demand import service as demand
from services.matching.demand.models import DemandSignal
from services.matching.demand.rules import residents
from services.matching.insights.models import (
    AttendancePoint,
    BookingsPoint,
    DayActivity,
    DemandRow,
    EventGoer,
    GapRow,
    Insights,
    OrdersPoint,
    ProviderName,
    ProviderRecord,
    ProviderRow,
    ResidentDay,
    ResidentsPoint,
    Reviewer,
    Series,
    SessionsPoint,
    Table,
    UpcomingEventRow,
)
from services.matching.insights.rules import MIN_RESIDENTS, Period, local_day, shown, trend
from services.matching.interests.rules import label
from services.matching.recommendations.models import EventView, ListingView
from shared.auth import LEADER, PROPERTY_MANAGER, Principal

Took = Literal["bought", "took_part", "booked"]
SUMMED = ("orders", "turnover_fen", "sessions", "registrations", "check_ins", "bookings")
TOP_DEMAND = 10
UPCOMING = 10
UPCOMING_STATUSES = ("published", "closed")  # closed: registration is over, the event is still ahead

# Learning ------------------------------------------------------------------------------------------


async def record(
    session: AsyncSession,
    *,
    zone: ZoneInfo,
    community_id: str,
    at: datetime,
    user_id: str | None = None,
    took: Took | None = None,
    peak_viewers: int = 0,
    **counts: int,
) -> None:
    """Add an event's counts (`orders=1, turnover_fen=…`) to its community's day, and the resident to
    that day's active residents (with what they did, when it is a figure's base)."""
    day = local_day(at, zone)
    if counts or peak_viewers:
        activity = await session.get(DayActivity, (community_id, day)) or DayActivity(
            community_id=community_id, day=day
        )
        for name, value in counts.items():
            setattr(activity, name, getattr(activity, name) + value)
        activity.peak_viewers = max(activity.peak_viewers, peak_viewers)
        session.add(activity)
    if user_id is not None:
        resident = await session.get(ResidentDay, (community_id, day, user_id)) or ResidentDay(
            community_id=community_id, day=day, user_id=user_id
        )
        if took is not None:
            setattr(resident, took, True)
        session.add(resident)


async def register(session: AsyncSession, *, event_id: str, user_id: str, going: bool) -> None:
    goer = await session.get(EventGoer, (event_id, user_id))
    if going and goer is None:
        session.add(EventGoer(event_id=event_id, user_id=user_id))
    elif not going and goer is not None:
        await session.delete(goer)


async def forget(session: AsyncSession, *, user_id: str) -> None:
    """A resident deleted what matching knows of them: the rows that say what they did on which day,
    which events they go to and what they reviewed go too (the day's totals keep no one's name)."""
    for table in (ResidentDay, EventGoer, Reviewer):
        await session.exec(delete(table).where(col(table.user_id) == user_id))  # type: ignore[call-overload]


async def _provider(session: AsyncSession, provider_id: str, community_id: str) -> ProviderRecord:
    found = await session.get(ProviderRecord, (provider_id, community_id))
    return found or ProviderRecord(provider_id=provider_id, community_id=community_id)


async def review(
    session: AsyncSession, *, provider_id: str, community_id: str, user_id: str | None, rating: int
) -> None:
    record_ = await _provider(session, provider_id, community_id)
    record_.rating_sum += rating
    record_.rating_count += 1
    session.add(record_)
    if user_id is not None and await session.get(Reviewer, (provider_id, community_id, user_id)) is None:
        session.add(Reviewer(provider_id=provider_id, community_id=community_id, user_id=user_id))


async def complaints(session: AsyncSession, *, provider_id: str, community_id: str, open_complaints: int) -> None:
    record_ = await _provider(session, provider_id, community_id)
    record_.open_complaints = open_complaints
    session.add(record_)


async def suspended(session: AsyncSession, *, provider_id: str, community_id: str) -> None:
    record_ = await _provider(session, provider_id, community_id)
    record_.suspensions += 1
    session.add(record_)


async def name_provider(session: AsyncSession, *, provider_id: str, name: str) -> None:
    await session.merge(ProviderName(provider_id=provider_id, name=name))


# Reading -------------------------------------------------------------------------------------------


async def insights(
    session: AsyncSession, *, principal: Principal, community_id: str, period: Period, now: datetime, lang: str = "en"
) -> Insights:
    """The dashboard of a community over a period (its leaders, property managers and operators)."""
    principal.require_role(community_id, LEADER, PROPERTY_MANAGER)
    top = await _demand(session, community_id=community_id, period=period, lang=lang)
    return Insights(
        community_id=community_id,
        first_day=period.first,
        last_day=period.last,
        bucket=period.bucket,
        min_residents=MIN_RESIDENTS,
        series=await _series(session, community_id=community_id, period=period),
        demand=top[:TOP_DEMAND],
        coverage_gaps=await _gaps(session, community_id=community_id, asked=top),
        providers=await _providers(session, community_id=community_id),
        upcoming_events=await _upcoming(session, community_id=community_id, now=now),
    )


async def _series(session: AsyncSession, *, community_id: str, period: Period) -> Series:
    days = (
        await session.exec(
            select(DayActivity).where(
                DayActivity.community_id == community_id,
                DayActivity.day >= period.first,
                DayActivity.day <= period.last,
            )
        )
    ).all()
    people = (
        await session.exec(
            select(ResidentDay).where(
                ResidentDay.community_id == community_id,
                ResidentDay.day >= period.first,
                ResidentDay.day <= period.last,
            )
        )
    ).all()
    totals: dict[date, Counter[str]] = defaultdict(Counter)
    for d in days:
        t = totals[period.bucket_of(d.day)]
        t.update({name: getattr(d, name) for name in SUMMED})
        t["peak_viewers"] = max(t["peak_viewers"], d.peak_viewers)
    active: dict[date, set[str]] = defaultdict(set)
    took: dict[tuple[date, str], set[str]] = defaultdict(set)
    for p in people:
        start = period.bucket_of(p.day)
        active[start].add(p.user_id)
        for flag in get_args(Took):
            if getattr(p, flag):
                took[start, flag].add(p.user_id)
    series = Series(orders=[], active_residents=[], sessions=[], attendance=[], bookings=[])
    for start in period.buckets():
        t = totals[start]
        buyers, goers, bookers = (len(took[start, flag]) for flag in get_args(Took))
        series.orders.append(
            OrdersPoint(start=start, orders=t["orders"], turnover_fen=t["turnover_fen"])
            if shown(buyers)
            else OrdersPoint(start=start, orders=None, turnover_fen=None, suppressed=True)
        )
        n = len(active[start])
        series.active_residents.append(
            ResidentsPoint(start=start, residents=n)
            if shown(n)
            else ResidentsPoint(start=start, residents=None, suppressed=True)
        )
        # Viewers are not known one by one; an audience of `peak_viewers` at once is that many people.
        series.sessions.append(
            SessionsPoint(start=start, sessions=t["sessions"], peak_viewers=t["peak_viewers"])
            if shown(t["peak_viewers"])
            else SessionsPoint(start=start, sessions=t["sessions"], peak_viewers=None, suppressed=True)
        )
        series.attendance.append(
            AttendancePoint(start=start, registrations=t["registrations"], check_ins=t["check_ins"])
            if shown(goers)
            else AttendancePoint(start=start, registrations=None, check_ins=None, suppressed=True)
        )
        series.bookings.append(
            BookingsPoint(start=start, bookings=t["bookings"])
            if shown(bookers)
            else BookingsPoint(start=start, bookings=None, suppressed=True)
        )
    return series


async def _demand(session: AsyncSession, *, community_id: str, period: Period, lang: str) -> list[DemandRow]:
    """Categories asked for in the period, most residents first, with the period before for a trend."""
    before = period.previous()
    signals = (
        await session.exec(
            select(DemandSignal).where(
                DemandSignal.community_id == community_id,
                col(DemandSignal.at) >= before.starts_at(),
                col(DemandSignal.at) < period.ends_at(),
            )
        )
    ).all()
    start = period.starts_at()
    now = _by_category(s for s in signals if s.at >= start)
    then = _by_category(s for s in signals if s.at < start)
    rows = []
    for category, n in sorted(now.items(), key=lambda c: (-c[1], c[0])):
        name = label(category, lang)
        if not shown(n):
            rows.append(
                DemandRow(category=category, label=name, residents=None, previous=None, trend=None, suppressed=True)
            )
            continue
        previous = then.get(category, 0)
        prior = previous if shown(previous) else None
        rows.append(DemandRow(category=category, label=name, residents=n, previous=prior, trend=trend(n, prior)))
    return rows


def _by_category(signals: Iterable[DemandSignal]) -> dict[str, int]:
    """Distinct residents per category, counted as demand aggregation counts them."""
    known: dict[str, set[str]] = defaultdict(set)
    polls: dict[str, list[int]] = defaultdict(list)
    for s in signals:
        if s.user_id is not None:
            known[s.category].add(s.user_id)
        else:
            polls[s.category].append(s.residents)
    return {c: residents(known[c], polls[c]) for c in known.keys() | polls.keys()}


async def _gaps(session: AsyncSession, *, community_id: str, asked: Sequence[DemandRow]) -> list[GapRow]:
    """Demand that no listed provider of the community answers: the leader's cue to recruit one."""
    return [
        GapRow(category=d.category, label=d.label, residents=d.residents, suppressed=d.suppressed)
        for d in asked
        if not await demand.suggested_providers(session, community_id=community_id, category=d.category)
    ]


async def _providers(session: AsyncSession, *, community_id: str) -> list[ProviderRow]:
    """Every provider that applied to the community, listed ones first, then by name."""
    listings = (await session.exec(select(ListingView).where(ListingView.community_id == community_id))).all()
    ids = [listing.provider_id for listing in listings]
    names = {
        p.provider_id: p.name
        for p in (await session.exec(select(ProviderName).where(col(ProviderName.provider_id).in_(ids)))).all()
    }
    records = {
        r.provider_id: r
        for r in (await session.exec(select(ProviderRecord).where(ProviderRecord.community_id == community_id))).all()
    }
    reviewers = dict(
        (
            await session.exec(
                select(Reviewer.provider_id, func.count())
                .where(Reviewer.community_id == community_id)
                .group_by(col(Reviewer.provider_id))
            )
        ).all()
    )
    rows = []
    for listing in listings:
        r = records.get(listing.provider_id) or ProviderRecord(
            provider_id=listing.provider_id, community_id=community_id
        )
        rated = shown(reviewers.get(listing.provider_id, 0))
        complained = shown(r.open_complaints)
        rows.append(
            ProviderRow(
                provider_id=listing.provider_id,
                name=names.get(listing.provider_id, listing.provider_id),
                state=listing.state,
                rating=round(r.rating_sum / r.rating_count, 2) if rated and r.rating_count else None,
                reviews=r.rating_count if rated else None,
                open_complaints=r.open_complaints if complained else None,
                suspensions=r.suspensions,
                suppressed=not (rated and complained),
            )
        )
    return sorted(rows, key=lambda row: (row.state != "listed", row.name))


async def _upcoming(session: AsyncSession, *, community_id: str, now: datetime) -> list[UpcomingEventRow]:
    events = (
        await session.exec(
            select(EventView)
            .where(
                EventView.community_id == community_id,
                col(EventView.status).in_(UPCOMING_STATUSES),
                col(EventView.starts_at) >= now,
            )
            .order_by(col(EventView.starts_at))
            .limit(UPCOMING)
        )
    ).all()
    goers = dict(
        (
            await session.exec(
                select(EventGoer.event_id, func.count())
                .where(col(EventGoer.event_id).in_([e.id for e in events]))
                .group_by(col(EventGoer.event_id))
            )
        ).all()
    )
    rows = []
    for e in events:
        n = goers.get(e.id, 0)
        visible = shown(n)
        rows.append(
            UpcomingEventRow(
                event_id=e.id,
                title=e.title,
                kind=e.kind,
                starts_at=e.starts_at,
                capacity=e.capacity,
                residents=n if visible else None,
                suppressed=not visible,
            )
        )
    return rows


# CSV -----------------------------------------------------------------------------------------------


def csv_of(found: Insights, table: Table) -> str:
    """One table of the dashboard as CSV (UTF-8 with a BOM, so a spreadsheet reads the Chinese right);
    a withheld figure is an empty cell and its row says `suppressed`."""
    rows: Sequence[BaseModel | dict[str, object]] = (
        _activity_rows(found.series) if table == "activity" else getattr(found, table)
    )
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=_FIELDS[table], extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        values = row.model_dump() if isinstance(row, BaseModel) else row
        writer.writerow({k: _cell(v) for k, v in values.items()})
    return out.getvalue()


def _activity_rows(series: Series) -> list[dict[str, object]]:
    """The charts' points side by side, one row per bucket."""
    rows = []
    for points in zip(
        series.orders, series.active_residents, series.sessions, series.attendance, series.bookings, strict=True
    ):
        row: dict[str, object] = {"suppressed": any(p.suppressed for p in points)}
        for p in points:
            row.update(p.model_dump(exclude={"suppressed"}))
        rows.append(row)
    return rows


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else value


_FIELDS: dict[Table, list[str]] = {
    "activity": [
        "start",
        "orders",
        "turnover_fen",
        "residents",
        "sessions",
        "peak_viewers",
        "registrations",
        "check_ins",
        "bookings",
        "suppressed",
    ],
    "demand": ["category", "label", "residents", "previous", "trend", "suppressed"],
    "coverage_gaps": ["category", "label", "residents", "suppressed"],
    "providers": ["provider_id", "name", "state", "rating", "reviews", "open_complaints", "suspensions", "suppressed"],
    "upcoming_events": ["event_id", "title", "kind", "starts_at", "capacity", "residents", "suppressed"],
}
