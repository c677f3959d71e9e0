"""What Linli does by itself, against a real (migrated) catalog database: the directory clock,
moved forward (papers that run out expire once and suspend what needed them; slots stay a horizon
ahead), and the review rule that low ratings will trigger once reviews exist."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from services.catalog.directory import clock, offerings, providers, qualifications, vetting
from services.catalog.directory.models import (
    Decision,
    KnownCommunity,
    Listing,
    ListingCreate,
    ListingTransition,
    Offering,
    OfferingCreate,
    OfferingSlot,
    ProviderCreate,
    Qualification,
    QualificationCreate,
    TransitionRequest,
)
from services.catalog.directory.schedule import HORIZON
from services.catalog.directory.vetting import ReviewRules
from services.catalog.models import metadata
from shared.auth import LEADER, Principal
from shared.bus.tables import outbox
from shared.db import Database
from shared.migrations import upgrade
from shared.models import new_id, utcnow
from tests import factories
from tests.databases import Databases

COMMUNITY = new_id()
OWNER = Principal(user_id=new_id())
LEADER_OF = Principal(user_id=new_id(), roles={COMMUNITY: [LEADER]})
OPERATOR = Principal(user_id=new_id(), operator=True)


@pytest.fixture
async def db(databases: Databases) -> AsyncIterator[Database]:
    db = Database(await databases.new("catalog"))
    await upgrade(db, "catalog", metadata)
    async with db.session() as session:
        session.add(KnownCommunity(id=COMMUNITY, name="时钟小区"))
        await session.commit()
    yield db
    await db.dispose()


async def listed_nurse(db: Database, *, papers_days: list[int]) -> tuple[str, str, list[str]]:
    """A nursing provider listed in COMMUNITY with verified health papers valid for these days."""
    async with db.session() as s:
        provider = await providers.register(
            s, principal=OWNER, data=ProviderCreate(kind="organisation", name="安心护理站", contact_phone="+862112345")
        )
        body = factories.offering_body(provider.id, name="上门护理", category="home_nursing")
        await offerings.create(s, principal=OWNER, data=OfferingCreate.model_validate(body))
        papers = []
        for days in papers_days:
            data = QualificationCreate(
                domain="health",
                kind="护士执业证书",
                number=f"N-{days}",
                issuer="卫健委",
                valid_until=(utcnow() + timedelta(days=days)).date(),
            )
            q = await qualifications.submit(s, principal=OWNER, provider_id=provider.id, data=data)
            await qualifications.decide(s, principal=OPERATOR, qualification_id=q.id, decision=Decision(verified=True))
            papers.append(q.id)
        listing = await vetting.apply(
            s, principal=OWNER, data=ListingCreate(provider_id=provider.id, community_id=COMMUNITY)
        )
        for to in ("under_review", "trial"):
            await vetting.transition(
                s, principal=LEADER_OF, listing_id=listing.id, request=TransitionRequest(to=to, reason="审核")
            )
        await vetting.write_trial_note(s, principal=LEADER_OF, listing_id=listing.id, note="护士专业")
        await vetting.transition(
            s, principal=LEADER_OF, listing_id=listing.id, request=TransitionRequest(to="listed", reason="好")
        )
        await s.commit()
        return provider.id, listing.id, papers


async def state_of(db: Database, listing_id: str) -> str:
    async with db.session() as s:
        listing = await s.get(Listing, listing_id)
        assert listing is not None
        return listing.state


async def published(db: Database, type_: str) -> int:
    async with db.session() as s:
        return int((await s.execute(select(func.count()).where(outbox.c.type == type_))).scalar_one())


async def test_expired_papers_suspend_the_listing_once(db: Database) -> None:
    _, listing_id, [papers] = await listed_nurse(db, papers_days=[10])
    now = utcnow()
    await clock.tick(db, now=now + timedelta(days=10))  # valid through its last day
    assert await state_of(db, listing_id) == "listed"
    await clock.tick(db, now=now + timedelta(days=11))
    assert await state_of(db, listing_id) == "suspended"
    async with db.session() as s:
        q = await s.get(Qualification, papers)
        assert q is not None and q.status == "expired"
        last = (
            await s.exec(
                select(ListingTransition)
                .where(ListingTransition.listing_id == listing_id)
                .order_by(col(ListingTransition.id).desc())
            )
        ).first()
    assert last is not None
    assert (last.from_state, last.to_state, last.actor_id, last.actor_role) == ("listed", "suspended", None, "system")
    assert "N-10" in last.reason and "expired" in last.reason
    await clock.tick(db, now=now + timedelta(days=12))
    assert await published(db, "catalog.qualification.expired") == 1
    assert await published(db, "catalog.listing.suspended") == 1


async def test_other_valid_papers_keep_the_listing(db: Database) -> None:
    _, listing_id, [short, _long] = await listed_nurse(db, papers_days=[5, 300])
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
    provider_id, _, _ = await listed_nurse(db, papers_days=[400])
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
    provider_id, listing_id, _ = await listed_nurse(db, papers_days=[400])
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
    async with db.session() as s:
        last = (
            await s.exec(
                select(ListingTransition)
                .where(ListingTransition.listing_id == listing_id)
                .order_by(col(ListingTransition.id).desc())
            )
        ).first()
    assert last is not None and (last.actor_role, last.reason) == ("system", "an offering is rated 2.0")
