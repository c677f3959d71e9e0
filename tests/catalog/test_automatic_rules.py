"""What Linli does by itself, against a real (migrated) catalog database: the directory clock,
moved forward (papers that run out expire once and suspend what needed them; slots stay a horizon
ahead), and the rule that puts a listing back under review on low ratings."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from services.catalog.directory import clock, vetting
from services.catalog.directory.models import Listing, Offering, OfferingSlot, Qualification
from services.catalog.directory.schedule import HORIZON
from services.catalog.directory.vetting import ReviewRules
from shared.db import Database
from shared.models import utcnow
from tests.catalog.directory_db import Listed, last_move, listed_provider, published, state_of


async def listed_nurse(db: Database, *, papers_days: list[int]) -> Listed:
    """A nursing provider listed with verified health papers valid for these days."""
    return await listed_provider(db, papers_days=papers_days, name="上门护理", category="home_nursing")


async def test_expired_papers_suspend_the_listing_once(db: Database) -> None:
    nurse = await listed_nurse(db, papers_days=[10])
    listing_id, [papers] = nurse.listing_id, nurse.papers
    now = utcnow()
    await clock.tick(db, now=now + timedelta(days=10))  # valid through its last day
    assert await state_of(db, listing_id) == "listed"
    await clock.tick(db, now=now + timedelta(days=11))
    assert await state_of(db, listing_id) == "suspended"
    async with db.session() as s:
        q = await s.get(Qualification, papers)
        assert q is not None and q.status == "expired"
    last = await last_move(db, listing_id)
    assert (last.from_state, last.to_state, last.actor_id, last.actor_role) == ("listed", "suspended", None, "system")
    assert "N-10" in last.reason and "expired" in last.reason
    await clock.tick(db, now=now + timedelta(days=12))
    assert await published(db, "catalog.qualification.expired") == 1
    assert await published(db, "catalog.listing.suspended") == 1


async def test_other_valid_papers_keep_the_listing(db: Database) -> None:
    nurse = await listed_nurse(db, papers_days=[5, 300])
    listing_id, [short, _long] = nurse.listing_id, nurse.papers
    await clock.tick(db, now=utcnow() + timedelta(days=6))
    assert await state_of(db, listing_id) == "listed"
    async with db.session() as s:
        q = await s.get(Qualification, short)
        assert q is not None and q.status == "expired"
    assert await published(db, "catalog.listing.suspended") == 0


async def slots(db: Database, provider_id: str) -> tuple[int, datetime | None, datetime | None]:
    async with db.session() as s:
        offering = (await s.exec(select(Offering).where(Offering.provider_id == provider_id))).one()
        count, last = (
            await s.execute(
                select(func.count(), func.max(OfferingSlot.starts_at)).where(
                    col(OfferingSlot.offering_id) == offering.id
                )
            )
        ).one()
        return int(count), last, offering.slots_until


async def test_slots_stay_a_horizon_ahead(db: Database) -> None:
    provider_id = (await listed_nurse(db, papers_days=[400])).provider_id
    now = utcnow()
    count, last, until = await slots(db, provider_id)
    assert until is not None and now < until <= utcnow() + HORIZON
    assert last is not None and last <= until and 30 <= count <= 36  # Sat and Sun, 9:00 and 14:00, ~8.5 weeks
    await clock.tick(db, now=now)  # nothing due yet
    assert await slots(db, provider_id) == (count, last, until)
    later = now + timedelta(days=14)
    await clock.tick(db, now=later)
    more, last_after, until_after = await slots(db, provider_id)
    assert until_after == later + HORIZON and last_after is not None and last_after > last
    assert more - count in range(6, 11)  # two more weekends
    assert await clock.prune_past_slots(db, now=later) >= 6  # the first two weekends are past


async def test_low_ratings_put_a_listing_under_review(db: Database) -> None:
    nurse = await listed_nurse(db, papers_days=[400])
    provider_id, listing_id = nurse.provider_id, nurse.listing_id
    rules = ReviewRules(low_rating_below=3.0, low_rating_min_count=5)
    async with db.session() as s:
        offering = (await s.exec(select(Offering).where(Offering.provider_id == provider_id))).one()
        listing = await s.get(Listing, listing_id)
        assert listing is not None
        offering.rating_avg, offering.rating_count = 2.0, 4  # too few ratings to judge
        s.add(offering)
        assert not await vetting.maybe_put_under_review(s, listing, rules=rules)
        offering.rating_count = 5
        s.add(offering)
        assert await vetting.maybe_put_under_review(s, listing, rules=rules)
        await s.commit()
    assert await state_of(db, listing_id) == "under_review"
    last = await last_move(db, listing_id)
    assert (last.actor_role, last.reason) == ("system", "an offering is rated 2.0")
