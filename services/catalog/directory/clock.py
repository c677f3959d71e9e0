"""The directory clock (a periodic job): expires verified papers whose date has passed, which
suspends the listings that needed them, and keeps every offering's stored slots a horizon ahead.
Each qualification is expired in its own transaction under its row lock, and only once; past
slots are pruned with the hourly housekeeping."""

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col, select

from services.catalog.directory import index, papers, qualifications, schedule
from services.catalog.directory.models import Offering, OfferingSlot, Qualification
from shared.db import Database

BATCH = 200
KEEP_PAST_SLOTS = timedelta(days=1)


async def tick(db: Database, *, now: datetime) -> None:
    await expire_papers(db, now=now)
    await extend_slots(db, now=now)


async def expire_papers(db: Database, *, now: datetime) -> None:
    today = now.date()
    async with db.reader() as reader:
        due = (
            await reader.exec(
                select(Qualification.id).where(
                    Qualification.status == papers.VERIFIED, col(Qualification.valid_until) < today
                )
            )
        ).all()
    for qualification_id in due:
        async with db.session() as session:
            query = select(Qualification).where(Qualification.id == qualification_id).with_for_update()
            qualification = (await session.exec(query)).one()
            if qualification.status == papers.VERIFIED:  # another instance may have been first
                await qualifications.expire(session, qualification, today=today)
            await session.commit()


async def extend_slots(db: Database, *, now: datetime) -> None:
    """Offerings whose stored slots end within a day get the next day's (a batch per transaction)."""
    due_before = now + schedule.HORIZON - timedelta(days=1)
    while True:
        async with db.session() as session:
            batch = (
                await session.exec(
                    select(Offering)
                    .where(
                        col(Offering.status) != "defunct",
                        col(Offering.slots_until).is_(None) | (col(Offering.slots_until) < due_before),
                    )
                    .limit(BATCH)
                )
            ).all()
            for offering in batch:
                await index.extend_slots(session, offering, now=now)
            await session.commit()
        if len(batch) < BATCH:
            return


async def prune_past_slots(db: Database, *, now: datetime) -> int:
    """Housekeeping (hourly): slots a day past are of no use to a search."""
    async with db.session() as session:
        result = await session.execute(delete(OfferingSlot).where(col(OfferingSlot.starts_at) < now - KEEP_PAST_SLOTS))
        await session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
