"""Slots: when an offering can be booked and how many places each start has left.

A slot is an occurrence of the offering's RFC 5545 schedule (expanded with python-dateutil; catalog
validated the rule) or a start the provider published with a capacity of its own, which also
overrides an occurrence at the same time. A `Slot` row exists once a start is booked or published;
its `booked` count changes only under the row's lock (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's
`BEGIN IMMEDIATE` already serialises writers), so concurrent bookings never overfill a slot.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

from dateutil.rrule import rruleset, rrulestr
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.bookings.models import Slot, SlotCreate, SlotPublic
from services.orders.directory import service as directory
from services.orders.directory.models import KnownOffering
from shared.auth import Principal
from shared.db import upsert
from shared.errors import Conflict, NotFound, Unprocessable
from shared.models import new_id, utcnow

MAX_WINDOW = timedelta(days=31)


@functools.lru_cache(maxsize=512)
def _rules(schedule: str) -> rruleset | None:
    try:
        return rrulestr(schedule, forceset=True, unfold=True)
    except (ValueError, TypeError):
        return None  # catalog accepts valid rules only; one it could not have written offers no slots


def occurrences(offering: KnownOffering, start: datetime, end: datetime) -> list[datetime]:
    """Starts of the schedule in [start, end], in UTC."""
    rules = _rules(offering.schedule) if offering.schedule else None
    return [] if rules is None else [moment.astimezone(UTC) for moment in rules.between(start, end, inc=True)]


def check_start(starts_at: datetime, *, now: datetime, horizon: timedelta) -> None:
    if starts_at <= now:
        raise Unprocessable("this time has passed: pick a slot ahead")
    if starts_at > now + horizon:
        raise Unprocessable(f"slots are open for the next {horizon.days} days")


def ends_at(offering: KnownOffering, starts_at: datetime) -> datetime:
    return starts_at + timedelta(minutes=offering.slot_minutes)


def remaining(offering: KnownOffering, slot: Slot | None) -> int:
    if slot is None:
        return offering.capacity
    capacity = offering.capacity if slot.capacity is None else slot.capacity
    return max(0, capacity - slot.booked)


async def lock(session: AsyncSession, offering: KnownOffering, starts_at: datetime) -> Slot:
    """The slot starting then, under its row lock until the transaction ends; 422 if the offering
    has no slot then (neither an occurrence of its schedule nor a published slot)."""
    occurrence = bool(occurrences(offering, starts_at, starts_at))
    if occurrence:
        await _row_if_missing(session, offering, starts_at)
    slot = await _lock(session, offering.id, starts_at)
    if slot is None or not (slot.published or occurrence):
        raise Unprocessable(f"{starts_at.isoformat()} is not a slot of this offering: pick one from GET /slots")
    return slot


def take_place(offering: KnownOffering, slot: Slot) -> None:
    """Count one more booking in a locked slot, or 409 if it is full."""
    if remaining(offering, slot) == 0:
        raise Conflict("this slot is full: pick another", slot_id=slot.id)
    slot.booked += 1


async def free_place(session: AsyncSession, *, offering_id: str, starts_at: datetime) -> None:
    """A declined or cancelled booking's place goes back (one atomic decrement)."""
    await session.execute(
        update(Slot)
        .where(col(Slot.offering_id) == offering_id, col(Slot.starts_at) == starts_at, col(Slot.booked) > 0)
        .values(booked=col(Slot.booked) - 1)
    )


async def window(
    session: AsyncSession,
    *,
    principal: Principal,
    offering_id: str,
    start: datetime | None,
    end: datetime | None,
    horizon: timedelta,
) -> list[SlotPublic]:
    """The offering's slots in a window (default: the next two weeks), with the places left."""
    offering = await directory.offering(session, offering_id)
    await _may_see(session, principal, offering)
    now = utcnow()
    start = max(start or now, now)
    end = end or start + timedelta(days=14)
    if not start < end <= start + MAX_WINDOW:
        raise Unprocessable(f"the window runs from before to, at most {MAX_WINDOW.days} days")
    end = min(end, now + horizon)
    rows = (
        await session.exec(
            select(Slot).where(
                Slot.offering_id == offering.id, col(Slot.starts_at) >= start, col(Slot.starts_at) <= end
            )
        )
    ).all()
    rows_at = {row.starts_at: row for row in rows}
    starts = set(occurrences(offering, start, end)) | {row.starts_at for row in rows if row.published}
    return [_public(offering, at, rows_at.get(at)) for at in sorted(starts)]


async def publish(
    session: AsyncSession, *, principal: Principal, offering_id: str, data: SlotCreate, horizon: timedelta
) -> SlotPublic:
    """The provider opens a slot with its own capacity (at an occurrence of the schedule, it overrides
    the offering's capacity there)."""
    offering = await directory.offering(session, offering_id)
    principal.require_provider(offering.provider_id)
    if offering.status != "active":
        raise Conflict(f"this offering is {offering.status.replace('_', ' ')}: it has no slots to publish")
    if offering.price_model == "quote":
        raise Conflict("this offering is priced by quote: residents send inquiries, not bookings of slots")
    starts_at = data.starts_at.astimezone(UTC)
    check_start(starts_at, now=utcnow(), horizon=horizon)
    await _row_if_missing(session, offering, starts_at)
    slot = await _lock(session, offering.id, starts_at)
    assert slot is not None
    if slot.published:
        raise Conflict("a slot is already published at this time: withdraw it first", slot_id=slot.id)
    if data.capacity < slot.booked:
        raise Conflict(f"{slot.booked} bookings already hold this time: the capacity cannot be lower")
    slot.capacity = data.capacity
    return _public(offering, starts_at, slot)


async def withdraw(session: AsyncSession, *, principal: Principal, offering_id: str, slot_id: str) -> None:
    """The provider withdraws a published slot nobody holds (an occurrence of the schedule at that
    time stays, with the offering's capacity)."""
    slot = (await session.exec(select(Slot).where(Slot.id == slot_id).with_for_update())).first()
    if slot is None or slot.offering_id != offering_id or not slot.published:
        raise NotFound(f"offering {offering_id} has no published slot {slot_id}")
    principal.require_provider(slot.provider_id)
    if slot.booked:
        raise Conflict(f"{slot.booked} bookings hold this slot: cancel them first")
    await session.delete(slot)


async def _may_see(session: AsyncSession, principal: Principal, offering: KnownOffering) -> None:
    """Its provider, operators and residents of a community where it is listed; others are not told."""
    if principal.operator or (principal.kind == "partner" and principal.provider_id == offering.provider_id):
        return
    mine = [community for community, roles in principal.roles.items() if roles]
    if not mine or not await directory.listed_among(session, provider_id=offering.provider_id, community_ids=mine):
        raise NotFound(f"offering {offering.id} does not exist")


async def _row_if_missing(session: AsyncSession, offering: KnownOffering, starts_at: datetime) -> None:
    # A concurrent insert of the same start waits for ours (or we for it); either way one row.
    insert = upsert(session, Slot)
    row = {"id": new_id(), "offering_id": offering.id, "provider_id": offering.provider_id, "starts_at": starts_at}
    await session.execute(insert.values(booked=0, created_at=utcnow(), **row).on_conflict_do_nothing())


async def _lock(session: AsyncSession, offering_id: str, starts_at: datetime) -> Slot | None:
    query = (
        select(Slot)
        .where(Slot.offering_id == offering_id, Slot.starts_at == starts_at)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(query)).first()


def _public(offering: KnownOffering, starts_at: datetime, slot: Slot | None) -> SlotPublic:
    published = slot is not None and slot.published
    return SlotPublic(
        slot_id=slot.id if slot is not None and published else None,
        offering_id=offering.id,
        starts_at=starts_at,
        ends_at=ends_at(offering, starts_at),
        remaining=remaining(offering, slot),
        published=published,
    )
