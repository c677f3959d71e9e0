"""What searches read instead of the offering's text and rules: its search terms, and the slots
its schedule has in the coming horizon (extended by the directory clock as time passes)."""

from datetime import datetime

from sqlalchemy import delete, insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.directory import schedule
from services.catalog.directory.models import Offering, OfferingSlot, OfferingTerm
from services.catalog.directory.taxonomy import label_of
from shared import segmenter

TEXT_FIELDS = ("name", "description", "category")


async def store_terms(session: AsyncSession, offering: Offering, *, provider_name: str) -> None:
    text = " ".join((offering.name, offering.description, label_of(offering.category), provider_name))
    terms = await segmenter.terms(text)
    await session.flush()  # the offering's row first: terms reference it
    await session.execute(delete(OfferingTerm).where(col(OfferingTerm.offering_id) == offering.id))
    if terms:
        await session.execute(insert(OfferingTerm), [{"term": t, "offering_id": offering.id} for t in sorted(terms)])


async def store_slots(session: AsyncSession, offering: Offering, *, now: datetime) -> None:
    """Replace the offering's upcoming slots with those of its (new) schedule."""
    await session.flush()
    await session.execute(
        delete(OfferingSlot).where(col(OfferingSlot.offering_id) == offering.id, col(OfferingSlot.starts_at) >= now)
    )
    offering.slots_until = None
    await extend_slots(session, offering, now=now)


async def extend_slots(session: AsyncSession, offering: Offering, *, now: datetime) -> None:
    """Add the slots between what is stored and now + the horizon."""
    end = now + schedule.HORIZON
    if offering.schedule is None:
        offering.slots_until = end
    else:
        start = offering.slots_until or now
        rules = schedule.parse_stored(offering.schedule)
        starts = [s for s in schedule.occurrences(rules, start, end) if offering.slots_until is None or s > start]
        if starts:
            await session.execute(insert(OfferingSlot), [{"offering_id": offering.id, "starts_at": s} for s in starts])
        offering.slots_until = end
    session.add(offering)
